//! An origin that honours `Range` the way RFC 9110 says, for the tests of ranged requests
//! (spec G-*), their invalidation (I-7) and compression (C-4): a 200-byte object whose slices
//! show a wrong offset, and the origin's own reading of the range, independent of the edge's.

use super::{Scripted, Seen};

/// A 200-byte object whose every two-byte pair is distinct (`000102…99`), so a slice taken at
/// the wrong offset shows.
pub fn object() -> String {
    (0..100).map(|i| format!("{i:02}")).collect()
}

/// A test origin's own reading of a single `Range: bytes=…` against `len` (independent of the
/// edge's parser): Some(Ok(bounds)), Some(Err(())) when unsatisfiable, None without a range.
fn asked(seen: &Seen, len: usize) -> Option<Result<(usize, usize), ()>> {
    let spec = seen
        .headers
        .get("range")?
        .to_str()
        .ok()?
        .strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    let (s, e) = match (a.parse::<usize>().ok(), b.parse::<usize>().ok()) {
        (Some(s), Some(e)) => (s, e.min(len - 1)),
        (Some(s), None) => (s, len - 1),
        (None, Some(n)) => (len - n.min(len), len - 1),
        (None, None) => return None,
    };
    Some(if s < len { Ok((s, e)) } else { Err(()) })
}

/// An origin that honours ranges (RFC 9110): 206 with Content-Range, 416 past the end, else
/// the whole object.
pub fn honour_ranges(seen: &Seen, body: &str, cache_control: &str) -> Scripted {
    let full = Scripted::ok(body).header("cache-control", cache_control);
    match asked(seen, body.len()) {
        None => full,
        Some(Ok((s, e))) => Scripted {
            status: 206,
            body: body.as_bytes()[s..=e].to_vec(),
            ..full
        }
        .header("content-range", &format!("bytes {s}-{e}/{}", body.len())),
        Some(Err(())) => {
            Scripted::status(416, "").header("content-range", &format!("bytes */{}", body.len()))
        }
    }
}
