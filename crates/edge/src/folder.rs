//! A local folder served the way S3 serves objects, as an origin override: Content-Type from the
//! extension, a quoted ETag, Last-Modified, 404 `NoSuchKey` for a missing key and 403
//! `AccessDenied` for a key that escapes the folder or names a directory (S3 without ListBucket),
//! HEAD, conditional GET (304) and single byte ranges (206).
//!
//! A request reads only what its answer holds (issue #16): a range seeks to its first byte and
//! reads that many bytes, HEAD and 304 read nothing, and the ETag comes from the file's metadata,
//! not its bytes. Every body is an allocation of exactly its length, so a cached 206 of 1 KiB
//! keeps 1 KiB alive, never the file it was cut from (the cache weighs what it holds). A whole
//! object longer than the request's `stream_over` (one the cache could not keep, spec §19-18)
//! is not read at all: its body streams from the open file ([`crate::body::FileBody`]).
//!
//! Nothing outside the folder is ever served: the file's path is resolved (symbolic links
//! followed) and a file whose real path is not under the folder's real path is answered 404
//! `NoSuchKey`, as S3 answers a key it does not have.

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode};

use crate::body::{FileBody, Held, LiveBody};
use crate::origin_message::{Fetched, OriginRequest};

/// Content-Type by extension (the types S3 infers on upload for common web files).
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "json" => "application/json",
        "txt" => "text/plain",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "csv" => "text/csv",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        _ => "binary/octet-stream",
    }
}

fn xml_error(status: StatusCode, code: &str, message: &str, key: &str) -> Fetched {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Error><Code>{code}</Code><Message>{message}</Message><Key>{key}</Key></Error>"
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    headers.insert(header::SERVER, HeaderValue::from_static("AmazonS3"));
    // S3 frames its error documents with Content-Length, which C-4 looks at.
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    Fetched {
        status,
        headers,
        // Error documents may be error-cached (E-3): stored in an allocation of their length.
        body: crate::body::exact_vec(body.into_bytes()),
        complete: true,
        ttfb: Duration::ZERO,
        stream: None,
        held: crate::body::Held::none(),
    }
}

/// A stable ETag in S3's shape (a quoted hex string), derived from what the file system says
/// about the file (length, modification time, and on Unix its device and inode) rather than
/// from its bytes: computing it never reads the file, so a 1 KiB range of a 300 MB file costs
/// a 1 KiB read (issue #16). Any write to the file moves its modification time (nanoseconds),
/// and a file replaced by another one has another inode, so the tag changes with the content,
/// as S3's MD5 does (the shape matters here, not the algorithm).
fn etag_of(meta: &std::fs::Metadata) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |n: u64| {
        for b in n.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
        .unwrap_or_default();
    mix(modified.as_secs());
    mix(u64::from(modified.subsec_nanos()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        mix(meta.dev());
        mix(meta.ino());
    }
    format!("\"{h:016x}{:016x}\"", meta.len())
}

/// Bytes read from a file per read call while filling a body.
const READ_CHUNK: usize = 1 << 20;

/// spec §19-19: the fill budget for `len` bytes about to be read into memory (nothing for HEAD,
/// or when the request has no budget), waiting while other fills hold it.
async fn reserve(req: &OriginRequest, len: u64, head: bool) -> Held {
    match &req.budget {
        Some(b) if !head => b.reserve(len).await,
        _ => Held::none(),
    }
}

/// Reads `len` bytes of `file` from `offset` into an allocation of exactly `len` bytes (what a
/// cache entry built from it keeps alive, spec G-2), in chunks of [`READ_CHUNK`], on the
/// blocking pool. Returns the bytes and whether all `len` came: a file that shrank under the
/// read gives what it still had (an exact copy), marked incomplete so it is never cached (O-6).
async fn read_span(file: std::fs::File, offset: u64, len: usize) -> std::io::Result<(Bytes, bool)> {
    // Allocated (and, if short, copied) here on the runtime's thread and only filled on the
    // blocking pool, so that with a thread-caching allocator (mimalloc in `cfconsole`) the body
    // belongs to a runtime thread's heap like every other body, not to a blocking thread that
    // may never allocate again to take its freed pages back.
    let buf = vec![0u8; len];
    let (buf, filled) = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Seek, SeekFrom};
        let (mut file, mut buf) = (file, buf);
        file.seek(SeekFrom::Start(offset))?;
        let mut filled = 0;
        while filled < len {
            let end = (filled + READ_CHUNK).min(len);
            match file.read(&mut buf[filled..end]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok((buf, filled))
    })
    .await
    .map_err(std::io::Error::other)??;
    if filled == len {
        Ok((Bytes::from(buf), true))
    } else {
        Ok((Bytes::copy_from_slice(&buf[..filled]), false))
    }
}

/// The real path of `root/rel` (every symbolic link resolved) when it exists and lies under
/// the real path of `root`; None otherwise (missing, or a link that leads out of the folder).
/// The file is then opened by this resolved path, which has no links left to follow.
async fn resolve_inside(root: &Path, rel: &Path) -> Option<PathBuf> {
    let real_root = tokio::fs::canonicalize(root).await.ok()?;
    let real = tokio::fs::canonicalize(real_root.join(rel)).await.ok()?;
    real.starts_with(&real_root).then_some(real)
}

/// Serves `req` from `root` (OriginPath is part of the key, as with S3 — O-1).
pub async fn serve(root: &Path, origin_path: &str, req: &OriginRequest) -> Fetched {
    let path_only = req.path_and_query.split('?').next().unwrap_or("");
    let full = format!("{origin_path}{path_only}");
    let key = percent_encoding::percent_decode_str(full.trim_start_matches('/'))
        .decode_utf8_lossy()
        .to_string();
    // The request body is never read here: a streamed viewer body (POST, PUT, …) is dropped
    // unread with the request, so the 405 costs no memory whatever the body's size.
    if !matches!(req.method, Method::GET | Method::HEAD) {
        return xml_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            &key,
        );
    }
    let rel = Path::new(&key);
    if key.is_empty()
        || key.ends_with('/')
        || rel.components().any(|c| !matches!(c, Component::Normal(_)))
    {
        return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key);
    }
    let Some(file) = resolve_inside(root, rel).await else {
        return xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
            &key,
        );
    };
    // Opened once: the metadata (ETag, length) and the bytes read come from the same file even
    // if the path is replaced meanwhile.
    let opened = tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&file)?;
        let meta = f.metadata()?;
        Ok::<_, std::io::Error>((f, meta))
    })
    .await
    .map_err(std::io::Error::other)
    .and_then(|r| r);
    let (handle, meta) = match opened {
        Ok((f, m)) if m.is_file() => (f, m),
        Ok(_) => return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return xml_error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
                &key,
            );
        }
        Err(_) => return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key),
    };
    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let etag = etag_of(&meta);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&key)),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::SERVER, HeaderValue::from_static("AmazonS3"));
    // Conditional GET: If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    let inm = req
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let not_modified = match inm {
        Some(v) => v.split(',').any(|t| t.trim() == etag || t.trim() == "*"),
        None => req
            .headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .is_some_and(|since| {
                modified
                    .duration_since(since)
                    .map(|d| d.as_secs() == 0)
                    .unwrap_or(true)
            }),
    };
    if not_modified {
        return Fetched {
            status: StatusCode::NOT_MODIFIED,
            headers,
            body: Bytes::new(),
            complete: true,
            ttfb: Duration::ZERO,
            stream: None,
            held: crate::body::Held::none(),
        };
    }
    let len = meta.len();
    let head = req.method == Method::HEAD;
    let unreadable = || xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key);
    if let Some(range) = req.headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        match crate::range::parse(range, len) {
            crate::range::Range::Satisfiable(s, e) => {
                if let Ok(v) = HeaderValue::from_str(&format!("bytes {s}-{e}/{len}")) {
                    headers.insert(header::CONTENT_RANGE, v);
                }
                let part_len = e - s + 1;
                headers.insert(header::CONTENT_LENGTH, HeaderValue::from(part_len));
                if !head && req.stream_over.is_some_and(|limit| part_len > limit) {
                    // spec §19-18: a range too large for the cache to keep streams from the
                    // file like a whole object that large (`bytes=0-` of a large file).
                    return Fetched {
                        status: StatusCode::PARTIAL_CONTENT,
                        headers,
                        body: Bytes::new(),
                        complete: true,
                        ttfb: Duration::ZERO,
                        stream: Some(LiveBody::File(FileBody::new(handle, s, part_len))),
                        held: Held::none(),
                    };
                }
                // spec G-2, issue #16: only the range is read (seek, then that many bytes), into
                // an allocation of its own length: the 206 the edge caches holds its range and
                // nothing of the rest of the file. spec §19-19: under the fill budget.
                let held = reserve(req, part_len, head).await;
                let (body, complete) = if head {
                    (Bytes::new(), true)
                } else {
                    match usize::try_from(part_len) {
                        Ok(n) => match read_span(handle, s, n).await {
                            Ok(read) => read,
                            Err(_) => return unreadable(),
                        },
                        Err(_) => return unreadable(),
                    }
                };
                return Fetched {
                    status: StatusCode::PARTIAL_CONTENT,
                    headers,
                    body,
                    complete,
                    ttfb: Duration::ZERO,
                    stream: None,
                    held,
                };
            }
            crate::range::Range::Unsatisfiable => {
                let mut f = xml_error(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "InvalidRange",
                    "The requested range is not satisfiable",
                    &key,
                );
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    f.headers.insert(header::CONTENT_RANGE, v);
                }
                return f;
            }
            crate::range::Range::Ignore => {}
        }
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if !head && req.stream_over.is_some_and(|limit| len > limit) {
        // spec §19-18: an object too large for the cache to keep is never read whole: its
        // bytes stream from the file as the viewer takes them (and it is never cached).
        return Fetched {
            status: StatusCode::OK,
            headers,
            body: Bytes::new(),
            complete: true,
            ttfb: Duration::ZERO,
            stream: Some(LiveBody::File(FileBody::new(handle, 0, len))),
            held: Held::none(),
        };
    }
    // The whole object, read in chunks into one allocation of exactly the file's length (the
    // entry stores it as it is), under the fill budget (§19-19); nothing at all for HEAD.
    let held = reserve(req, len, head).await;
    let (body, complete) = if head {
        (Bytes::new(), true)
    } else {
        match usize::try_from(len) {
            Ok(n) => match read_span(handle, 0, n).await {
                Ok(read) => read,
                Err(_) => return unreadable(),
            },
            Err(_) => return unreadable(),
        }
    };
    Fetched {
        status: StatusCode::OK,
        headers,
        body,
        complete,
        ttfb: Duration::ZERO,
        stream: None,
        held,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::allocated;
    use crate::origin_message::OriginBody;

    fn get(path: &str, range: Option<&str>) -> OriginRequest {
        let mut headers = HeaderMap::new();
        if let Some(r) = range {
            headers.insert(header::RANGE, HeaderValue::from_str(r).unwrap());
        }
        OriginRequest {
            method: Method::GET,
            path_and_query: path.to_string(),
            headers,
            body: OriginBody::Empty,
            viewer_https: false,
            stream_over: None,
            budget: None,
            viewer_auth: Default::default(),
        }
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[tokio::test]
    async fn s19_18_a_whole_object_over_the_limit_streams_and_is_not_read() {
        use http_body_util::BodyExt;
        let dir = tempfile::tempdir().unwrap();
        let data = pattern(200_000);
        std::fs::write(dir.path().join("f.bin"), &data).unwrap();
        let mut req = get("/f.bin", None);
        req.stream_over = Some(199_999);
        let f = serve(dir.path(), "", &req).await;
        assert_eq!(f.status, StatusCode::OK);
        assert!(f.body.is_empty(), "nothing read into memory");
        assert_eq!(f.headers.get(header::CONTENT_LENGTH).unwrap(), "200000");
        let stream = f.stream.expect("the body streams from the file");
        assert_eq!(stream.len(), Some(200_000));
        let sent = stream.collect().await.unwrap().to_bytes();
        assert_eq!(&sent[..], &data[..]);
        // At the limit, for HEAD, and for a range within the limit, the body is held.
        req.stream_over = Some(200_000);
        let held = serve(dir.path(), "", &req).await;
        assert!(held.stream.is_none() && held.body.len() == 200_000);
        req.stream_over = Some(1);
        req.method = Method::HEAD;
        let head = serve(dir.path(), "", &req).await;
        assert!(head.stream.is_none() && head.body.is_empty());
        let mut ranged = get("/f.bin", Some("bytes=10-19"));
        ranged.stream_over = Some(10);
        let part = serve(dir.path(), "", &ranged).await;
        assert!(part.stream.is_none());
        assert_eq!(&part.body[..], &data[10..20]);
        // A range longer than the limit (`bytes=N-` of a large file) streams its span.
        let mut open = get("/f.bin", Some("bytes=100000-"));
        open.stream_over = Some(99_999);
        let part = serve(dir.path(), "", &open).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
        assert!(part.body.is_empty(), "nothing read into memory");
        assert_eq!(
            part.headers.get(header::CONTENT_RANGE).unwrap(),
            "bytes 100000-199999/200000"
        );
        let stream = part.stream.expect("the range streams from the file");
        assert_eq!(stream.len(), Some(100_000));
        let sent = stream.collect().await.unwrap().to_bytes();
        assert_eq!(&sent[..], &data[100_000..]);
    }

    /// spec §19-19: a body read into memory holds its length of the fill budget until its
    /// `Fetched` is dropped; a second fill waits for it, then proceeds; HEAD takes nothing.
    #[tokio::test]
    async fn s19_19_reads_wait_for_the_fill_budget() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bin"), pattern(600)).unwrap();
        std::fs::write(dir.path().join("b.bin"), pattern(600)).unwrap();
        let budget = std::sync::Arc::new(crate::body::FillBudget::new(1000));
        let mut a = get("/a.bin", None);
        a.budget = Some(budget.clone());
        let mut b = get("/b.bin", None);
        b.budget = Some(budget.clone());
        let first = serve(dir.path(), "", &a).await;
        assert_eq!(first.body.len(), 600);
        assert_eq!(budget.available(), 400, "held while the body is");
        let root = dir.path().to_path_buf();
        let second = tokio::spawn(async move { serve(&root, "", &b).await });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(
            !second.is_finished(),
            "600 + 600 is over the budget: it waits"
        );
        let mut head = get("/a.bin", None);
        head.method = Method::HEAD;
        head.budget = Some(budget.clone());
        assert!(serve(dir.path(), "", &head).await.body.is_empty());
        drop(first);
        let second = tokio::time::timeout(std::time::Duration::from_secs(5), second)
            .await
            .expect("the budget was given back")
            .unwrap();
        assert_eq!(second.body.len(), 600);
        drop(second);
        assert_eq!(budget.available(), 1000);
    }

    #[tokio::test]
    async fn g2_a_range_reads_only_its_bytes_into_an_exact_allocation() {
        let dir = tempfile::tempdir().unwrap();
        let data = pattern(1 << 20);
        std::fs::write(dir.path().join("f.bin"), &data).unwrap();
        let f = serve(dir.path(), "", &get("/f.bin", Some("bytes=1000-2023"))).await;
        assert_eq!(f.status, StatusCode::PARTIAL_CONTENT);
        assert!(f.complete);
        assert_eq!(
            f.headers.get(header::CONTENT_RANGE).unwrap(),
            "bytes 1000-2023/1048576"
        );
        assert_eq!(&f.body[..], &data[1000..2024]);
        // Before issue #16's fix the 206 was a slice of the whole file read into memory: its
        // allocation reached to the end of the file.
        assert_eq!(
            allocated(f.body),
            Some(1024),
            "a 1 KiB range must own exactly 1 KiB"
        );
        let tail = serve(dir.path(), "", &get("/f.bin", Some("bytes=-10"))).await;
        assert_eq!(&tail.body[..], &data[data.len() - 10..]);
        assert_eq!(allocated(tail.body), Some(10));
        let whole = serve(dir.path(), "", &get("/f.bin", None)).await;
        assert_eq!(whole.status, StatusCode::OK);
        assert!(whole.body[..] == data[..]);
        assert_eq!(allocated(whole.body), Some(data.len()));
    }

    #[tokio::test]
    async fn etag_is_shared_by_ranges_and_moves_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, "0123456789").unwrap();
        let etag = |f: &Fetched| f.headers.get(header::ETAG).cloned().unwrap();
        let whole = serve(dir.path(), "", &get("/f.txt", None)).await;
        let part = serve(dir.path(), "", &get("/f.txt", Some("bytes=2-4"))).await;
        assert_eq!(
            etag(&whole),
            etag(&part),
            "one object, one ETag (If-Range, R-1)"
        );
        assert_eq!(
            etag(&whole),
            etag(&serve(dir.path(), "", &get("/f.txt", None)).await)
        );
        // a validator that still matches is answered 304 without a body.
        let mut cond = get("/f.txt", None);
        cond.headers.insert(header::IF_NONE_MATCH, etag(&whole));
        let nm = serve(dir.path(), "", &cond).await;
        assert_eq!(nm.status, StatusCode::NOT_MODIFIED);
        // The same length, other bytes: a new tag (the modification time moved).
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&path, "abcdefghij").unwrap();
        let changed = serve(dir.path(), "", &get("/f.txt", None)).await;
        assert_ne!(etag(&whole), etag(&changed));
        assert_eq!(&changed.body[..], b"abcdefghij");
        assert_eq!(
            serve(dir.path(), "", &cond).await.status,
            StatusCode::OK,
            "the old tag no longer matches"
        );
    }

    #[tokio::test]
    async fn head_reads_nothing_and_keeps_the_length() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.txt"), "0123456789").unwrap();
        let mut req = get("/f.txt", Some("bytes=2-4"));
        req.method = Method::HEAD;
        let f = serve(dir.path(), "", &req).await;
        assert_eq!(f.status, StatusCode::PARTIAL_CONTENT);
        assert!(f.body.is_empty());
        assert_eq!(f.headers.get(header::CONTENT_LENGTH).unwrap(), "3");
        req.headers.remove(header::RANGE);
        let f = serve(dir.path(), "", &req).await;
        assert_eq!(f.status, StatusCode::OK);
        assert!(f.body.is_empty());
        assert_eq!(f.headers.get(header::CONTENT_LENGTH).unwrap(), "10");
    }
}
