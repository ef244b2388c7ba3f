//! Reading an input file with a bound: a DistributionConfig, a policy, a draft, a workspace file
//! or a profile is at most a few MB (CloudFront refuses a request body over 1 MB for most
//! calls), so anything over [`MAX_INPUT_BYTES`] is refused before it is read whole. Without the
//! bound, `cfconsole validate /dev/zero` would grow until the kernel killed it.

use std::io::{self, Read};
use std::path::Path;

/// The largest file read as input: 32 MiB, far above anything CloudFront accepts.
pub const MAX_INPUT_BYTES: u64 = 32 << 20;

/// The error for a file over the bound, in words that say what to do.
fn too_large(seen: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{} or more: larger than the {} MiB an input file may hold (a DistributionConfig is at \
             most a few MB); is this the right file?",
            human(seen),
            MAX_INPUT_BYTES >> 20
        ),
    )
}

fn human(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Reads at most [`MAX_INPUT_BYTES`] of `path`: a regular file over the bound is refused from
/// its size before any read, and a device or pipe (no size to trust) is read up to one byte past
/// the bound and then refused.
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    read_bytes_bounded(path, MAX_INPUT_BYTES)
}

/// [`read_bytes`] as UTF-8 text.
pub fn read_text(path: &Path) -> io::Result<String> {
    String::from_utf8(read_bytes(path)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (byte {} is not valid UTF-8)",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

fn read_bytes_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut out = Vec::with_capacity(if meta.is_file() {
        meta.len() as usize
    } else {
        0
    });
    file.take(limit + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(too_large(out.len() as u64));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_the_bound_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(&p, "{}").unwrap();
        assert_eq!(read_text(&p).unwrap(), "{}");
    }

    #[test]
    fn a_file_over_the_bound_is_refused_from_its_size_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.json");
        // Sparse: 1 GiB of size, nothing on disk.
        std::fs::File::create(&p).unwrap().set_len(1 << 30).unwrap();
        let e = read_text(&p).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("1024 MiB or more"), "{e}");
        assert!(e.to_string().contains("32 MiB"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_read_to_the_bound_and_refused() {
        let e = read_bytes_bounded(Path::new("/dev/zero"), 4096).unwrap_err();
        assert!(e.to_string().contains("4097 bytes or more"), "{e}");
    }

    #[test]
    fn text_that_is_not_utf8_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("latin1.json");
        std::fs::write(&p, b"{\"a\": \"\xe9\"}").unwrap();
        assert!(read_text(&p).unwrap_err().to_string().contains("byte 7"));
    }
}
