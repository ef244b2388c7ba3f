//! A local folder served the way S3 serves objects, as an origin override: Content-Type from the
//! extension, a quoted ETag, Last-Modified, 404 `NoSuchKey` for a missing key and 403
//! `AccessDenied` for a key that escapes the folder or names a directory (S3 without ListBucket),
//! HEAD, conditional GET (304) and single byte ranges (206).
//!
//! Nothing outside the folder is ever served: the file's path is resolved (symbolic links
//! followed) and a file whose real path is not under the folder's real path is answered 404
//! `NoSuchKey`, as S3 answers a key it does not have.

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode};

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
        body: Bytes::from(body),
        complete: true,
        ttfb: Duration::ZERO,
    }
}

/// FNV-1a 64 of the content: a stable, content-derived ETag (S3 uses MD5; the shape matters
/// here, not the algorithm).
fn etag_of(body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}{:016x}\"", body.len())
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
    let meta = match tokio::fs::metadata(&file).await {
        Ok(m) if m.is_file() => m,
        Ok(_) => return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key),
        Err(_) => {
            return xml_error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
                &key,
            );
        }
    };
    let body = match tokio::fs::read(&file).await {
        Ok(b) => Bytes::from(b),
        Err(_) => return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &key),
    };
    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let etag = etag_of(&body);
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
        };
    }
    let len = body.len();
    if let Some(range) = req.headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        match crate::range::parse(range, len as u64) {
            crate::range::Range::Satisfiable(s, e) => {
                if let Ok(v) = HeaderValue::from_str(&format!("bytes {s}-{e}/{len}")) {
                    headers.insert(header::CONTENT_RANGE, v);
                }
                let part = body.slice(s as usize..=e as usize);
                headers.insert(header::CONTENT_LENGTH, HeaderValue::from(part.len()));
                return Fetched {
                    status: StatusCode::PARTIAL_CONTENT,
                    headers,
                    body: if req.method == Method::HEAD {
                        Bytes::new()
                    } else {
                        part
                    },
                    complete: true,
                    ttfb: Duration::ZERO,
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
    Fetched {
        status: StatusCode::OK,
        headers,
        body: if req.method == Method::HEAD {
            Bytes::new()
        } else {
            body
        },
        complete: true,
        ttfb: Duration::ZERO,
    }
}
