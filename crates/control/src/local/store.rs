//! Atomic file replacement for the workspace: write a temp file beside the target, fsync it,
//! rename it over the target, fsync the folder. A crash at any point leaves either the old file or
//! the new one, never a torn mix, which is what makes the workspace safe to hand-edit and to kill.
//! Temp names are unique per process and write (process id, a counter, the time), and a temp file
//! is created only if no file has its name, so two processes never write into one temp file.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{ControlError, Result};

/// Prefix of temp files; the workspace ignores files whose names start with it.
pub const TEMP_PREFIX: &str = ".tmp-";

/// A point in [`write_atomic_with`] where a test can stop the write, as a killed process would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The temp file is created and nothing is written yet: an error from the hook here
    /// stands for the write itself failing (a full disk), not for a kill.
    Writing,
    /// Half the bytes are in the temp file.
    HalfWritten,
    /// All bytes are written and synced; the rename is next.
    BeforeRename,
}

/// Replaces `path` with `bytes` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, bytes, |_| Ok(()))
}

/// [`write_atomic`] for a file only its owner may read (a draft with origin header values): the
/// file is created mode 0600 and `private_root`, with every folder from it down to the file,
/// is made mode 0700 (on Unix; elsewhere the user's profile folder already keeps it private).
pub fn write_private_atomic(private_root: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    make_private_dirs(private_root, dir).map_err(|e| ControlError::io(dir, e))?;
    write_atomic_inner(path, bytes, true, |_| Ok(()))
}

#[cfg(unix)]
fn make_private_dirs(root: &Path, dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    // Folders made by an older version (0755) are closed too.
    let mut d = dir;
    loop {
        fs::set_permissions(d, fs::Permissions::from_mode(0o700))?;
        if d == root {
            break;
        }
        match d.parent() {
            Some(p) if p.starts_with(root) => d = p,
            _ => break,
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private_dirs(_root: &Path, dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_temp(path: &Path, private: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    if private {
        o.mode(0o600);
    }
    o.open(path)
}

#[cfg(not(unix))]
fn create_temp(path: &Path, _private: bool) -> std::io::Result<File> {
    File::create_new(path)
}

/// [`write_atomic`] with a hook called at each [`Stage`]; an error from the hook stops the write
/// there and is returned (tests use it to stand in for a kill, or at [`Stage::Writing`] for a
/// write that fails). A write that fails removes its temp file; a kill leaves it.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    hook: impl FnMut(Stage) -> std::io::Result<()>,
) -> Result<()> {
    write_atomic_inner(path, bytes, false, hook)
}

fn write_atomic_inner(
    path: &Path,
    bytes: &[u8],
    private: bool,
    mut hook: impl FnMut(Stage) -> std::io::Result<()>,
) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| ControlError::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp: PathBuf = dir.join(format!(
        "{TEMP_PREFIX}{name}-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    // An error from the hook stands for a kill, which leaves the temp file behind (for
    // `remove_stale_temps`); any other failure (a full disk, an I/O error) removes it at once.
    let mut killed = false;
    let mut stop = |stage| hook(stage).inspect_err(|_| killed = stage != Stage::Writing);
    let result = (|| {
        let mut f = create_temp(&tmp, private)?;
        let half = bytes.len() / 2;
        stop(Stage::Writing)?;
        f.write_all(&bytes[..half])?;
        stop(Stage::HalfWritten)?;
        f.write_all(&bytes[half..])?;
        f.sync_all()?;
        drop(f);
        stop(Stage::BeforeRename)?;
        fs::rename(&tmp, path)?;
        // The rename is durable only once the folder's entry is on disk too.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() && !killed {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e: std::io::Error| ControlError::io(path, e))
}

/// Removes temp files left by interrupted writes (a killed process) whose last change is at
/// least `min_age` ago. The caller holds the workspace lock, under which every write is made, so
/// a temp file seen then belongs to no write in progress; `min_age` also spares one whose writer
/// could not take the lock.
pub fn remove_stale_temps(dir: &Path, min_age: Duration) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let old_enough = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() >= min_age);
        if old_enough {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temps(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    #[test]
    fn a_failed_write_removes_its_temp_file_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        write_atomic(&path, b"old contents").unwrap();
        // The write itself fails, as on a full disk (ENOSPC).
        let err = write_atomic_with(&path, b"new contents", |s| {
            if s == Stage::Writing {
                Err(std::io::Error::from_raw_os_error(28))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert!(err.to_string().contains("No space left"), "{err}");
        assert_eq!(
            temps(dir.path()),
            Vec::<String>::new(),
            "no temp file is left"
        );
        assert_eq!(fs::read(&path).unwrap(), b"old contents");
        // A real failure: the rename cannot replace a folder that holds a file.
        let folder = dir.path().join("taken");
        fs::create_dir(&folder).unwrap();
        fs::write(folder.join("x"), b"x").unwrap();
        write_atomic(&folder, b"bytes").unwrap_err();
        assert_eq!(
            temps(dir.path()),
            Vec::<String>::new(),
            "no temp file is left"
        );
        // A kill still leaves its temp file, for the sweep to find.
        let _ = write_atomic_with(&path, b"new", |s| {
            if s == Stage::BeforeRename {
                Err(std::io::Error::other("killed"))
            } else {
                Ok(())
            }
        });
        assert_eq!(temps(dir.path()).len(), 1);
    }

    #[test]
    fn interrupted_write_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        write_atomic(&path, b"old contents").unwrap();
        for stage in [Stage::HalfWritten, Stage::BeforeRename] {
            let err = write_atomic_with(&path, b"new contents, longer", |s| {
                if s == stage {
                    Err(std::io::Error::other("killed"))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
            assert!(err.to_string().contains("killed"), "{err}");
            assert_eq!(
                fs::read(&path).unwrap(),
                b"old contents",
                "stopped at {stage:?}: the previous file must be intact"
            );
        }
        remove_stale_temps(dir.path(), Duration::from_secs(3600));
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(
            left.len(),
            3,
            "recent temp files are kept: their writer may be alive"
        );
        remove_stale_temps(dir.path(), Duration::ZERO);
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "only the real file remains");
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_private_write_is_owner_only_in_owner_only_folders() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("drafts");
        fs::create_dir_all(root.join("key")).unwrap();
        fs::set_permissions(root.join("key"), fs::Permissions::from_mode(0o755)).unwrap();
        let path = root.join("key").join("E1.json");
        write_private_atomic(&root, &path, b"{}").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&root.join("key")), 0o700);
        assert_eq!(mode(&root), 0o700);
    }
}
