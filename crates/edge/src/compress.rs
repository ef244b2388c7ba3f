//! Edge compression (spec §11): the decision whether a response may be compressed is a pure
//! function ([`should_compress`]); [`compress`] produces gzip or Brotli bytes once, on the miss,
//! so hits serve stored compressed variants (C-8) without recompressing.

use std::io::Write as _;

use bytes::Bytes;
use hyper::HeaderMap;
use hyper::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};

/// spec C-5: the content types CloudFront compresses.
const COMPRESSIBLE: &[&str] = &[
    "application/dash+xml",
    "application/eot",
    "application/font",
    "application/font-sfnt",
    "application/javascript",
    "application/json",
    "application/opentype",
    "application/otf",
    "application/pkcs7-mime",
    "application/protobuf",
    "application/rss+xml",
    "application/truetype",
    "application/ttf",
    "application/vnd.apple.mpegurl",
    "application/vnd.mapbox-vector-tile",
    "application/vnd.ms-fontobject",
    "application/xhtml+xml",
    "application/xml",
    "application/x-font-opentype",
    "application/x-font-truetype",
    "application/x-font-ttf",
    "application/x-httpd-cgi",
    "application/x-javascript",
    "application/x-mpegurl",
    "application/x-opentype",
    "application/x-otf",
    "application/x-perl",
    "application/x-ttf",
    "font/eot",
    "font/opentype",
    "font/otf",
    "font/ttf",
    "image/svg+xml",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/js",
    "text/plain",
    "text/richtext",
    "text/tab-separated-values",
    "text/xml",
    "text/x-component",
    "text/x-java-source",
    "text/x-script",
    "vnd.apple.mpegurl",
];

/// spec C-4: the size window, inclusive.
pub const MIN_SIZE: usize = 1_000;
pub const MAX_SIZE: usize = 10_000_000;

/// Why a response was (not) compressed; stable strings for the request log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Disabled,
    ViewerRefuses,
    AlreadyEncoded,
    Status,
    /// spec C-4: no valid Content-Length from the origin (a chunked or read-to-close body).
    NoLength,
    Size,
    ContentType,
}

impl Skip {
    pub const fn as_str(self) -> &'static str {
        match self {
            Skip::Disabled => "disabled",
            Skip::ViewerRefuses => "viewer-refuses",
            Skip::AlreadyEncoded => "already-encoded",
            Skip::Status => "status",
            Skip::NoLength => "no-content-length",
            Skip::Size => "size",
            Skip::ContentType => "content-type",
        }
    }
}

/// spec C-1…C-5: may this response be compressed with `coding` (None = viewer accepts none)?
/// `enabled` is C-1 (Compress flag, codings enabled, TTLs not all zero, C-6 not violated).
pub fn should_compress(
    enabled: bool,
    coding: Option<&'static str>,
    status: u16,
    headers: &HeaderMap,
    body_len: usize,
) -> Result<&'static str, Skip> {
    if !enabled {
        return Err(Skip::Disabled);
    }
    let Some(coding) = coding else {
        return Err(Skip::ViewerRefuses);
    };
    // spec C-3: any Content-Encoding (even identity) → passed through as is.
    if headers.contains_key(CONTENT_ENCODING) {
        return Err(Skip::AlreadyEncoded);
    }
    // spec C-4: 200, 403, 404 only.
    if !matches!(status, 200 | 403 | 404) {
        return Err(Skip::Status);
    }
    // spec C-4: CloudFront decides on the origin's Content-Length, and without one (a chunked
    // or read-to-close response) it does not compress at all (Developer Guide, "Serving
    // compressed files": "If the Content-Length header is missing, CloudFront won't compress").
    // The preview used to measure the buffered body instead, which compressed chunked
    // responses; the documentation wins. The body actually received must fit the window too
    // (a HEAD has none, and a short body is not the object the header announced).
    let Some(declared) = content_length(headers) else {
        return Err(Skip::NoLength);
    };
    if !(MIN_SIZE..=MAX_SIZE).contains(&declared) || !(MIN_SIZE..=MAX_SIZE).contains(&body_len) {
        return Err(Skip::Size);
    }
    let media = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    // spec C-4/C-5: parameters ignored [inferred].
    match media {
        Some(m) if COMPRESSIBLE.contains(&m.as_str()) => Ok(coding),
        _ => Err(Skip::ContentType),
    }
}

/// spec C-4: the response's Content-Length when present and valid (one value, or several equal
/// values, of digits only).
fn content_length(headers: &HeaderMap) -> Option<usize> {
    let mut found = None;
    for v in headers.get_all(CONTENT_LENGTH) {
        let text = v.to_str().ok()?.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: usize = text.parse().ok()?;
        if found.is_some_and(|f| f != n) {
            return None;
        }
        found = Some(n);
    }
    found
}

/// Compresses `body` with `coding` ("gzip" or "br"). Errors only on I/O into memory, which
/// cannot fail; the caller serves the identity body if it ever does. The result is stored in the
/// cache, so it is returned in an exactly sized allocation ([`crate::body::exact_vec`]): the
/// output `Vec` grows by doubling from a guess and could otherwise keep twice its length.
pub fn compress(coding: &str, body: &[u8]) -> std::io::Result<Bytes> {
    match coding {
        "gzip" => {
            let mut enc = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 3),
                flate2::Compression::new(6),
            );
            enc.write_all(body)?;
            Ok(crate::body::exact_vec(enc.finish()?))
        }
        "br" => {
            let mut out = Vec::with_capacity(body.len() / 3);
            {
                // Quality 5: close to CloudFront's ratio at a fraction of quality 11's cost.
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                w.write_all(body)?;
            }
            Ok(crate::body::exact_vec(out))
        }
        other => Err(std::io::Error::other(format!("unknown coding {other}"))),
    }
}

/// spec C-9: the ETag after compression: strong → weak, weak kept, invalid removed.
pub fn weaken_etag(etag: &str) -> Option<String> {
    if etag.starts_with("W/") {
        Some(etag.to_string())
    } else if etag.starts_with('"') {
        Some(format!("W/{etag}"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::type_complexity)] // table-driven cases are tuples by design

    use super::*;
    use hyper::header::HeaderValue;

    fn h(ct: Option<&str>, ce: Option<&str>) -> HeaderMap {
        let mut m = HeaderMap::new();
        if let Some(ct) = ct {
            m.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        if let Some(ce) = ce {
            m.insert(CONTENT_ENCODING, HeaderValue::from_str(ce).unwrap());
        }
        m
    }

    #[test]
    fn c1_to_c5_table() {
        let cases: Vec<(
            &str,
            bool,
            Option<&'static str>,
            u16,
            HeaderMap,
            usize,
            Result<&str, Skip>,
        )> = vec![
            (
                "C-1 off",
                false,
                Some("gzip"),
                200,
                h(Some("text/html"), None),
                5000,
                Err(Skip::Disabled),
            ),
            (
                "C-2 viewer none",
                true,
                None,
                200,
                h(Some("text/html"), None),
                5000,
                Err(Skip::ViewerRefuses),
            ),
            (
                "C-3 encoded",
                true,
                Some("br"),
                200,
                h(Some("text/html"), Some("identity")),
                5000,
                Err(Skip::AlreadyEncoded),
            ),
            (
                "C-4 status 500",
                true,
                Some("br"),
                500,
                h(Some("text/html"), None),
                5000,
                Err(Skip::Status),
            ),
            (
                "C-4 404 ok",
                true,
                Some("br"),
                404,
                h(Some("text/html"), None),
                5000,
                Ok("br"),
            ),
            (
                "C-4 999 bytes",
                true,
                Some("gzip"),
                200,
                h(Some("text/html"), None),
                999,
                Err(Skip::Size),
            ),
            (
                "C-4 1000 bytes",
                true,
                Some("gzip"),
                200,
                h(Some("text/html"), None),
                1000,
                Ok("gzip"),
            ),
            (
                "C-4 10 MB",
                true,
                Some("gzip"),
                200,
                h(Some("text/html"), None),
                10_000_000,
                Ok("gzip"),
            ),
            (
                "C-4 10 MB + 1",
                true,
                Some("gzip"),
                200,
                h(Some("text/html"), None),
                10_000_001,
                Err(Skip::Size),
            ),
            (
                "C-5 params ignored",
                true,
                Some("gzip"),
                200,
                h(Some("Text/CSS; charset=utf-8"), None),
                2000,
                Ok("gzip"),
            ),
            (
                "C-5 image/png",
                true,
                Some("gzip"),
                200,
                h(Some("image/png"), None),
                2000,
                Err(Skip::ContentType),
            ),
            (
                "C-5 no type",
                true,
                Some("gzip"),
                200,
                h(None, None),
                2000,
                Err(Skip::ContentType),
            ),
        ];
        for (rule, en, coding, status, mut headers, len, want) in cases {
            // The origin announced the length it sent.
            headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
            assert_eq!(
                should_compress(en, coding, status, &headers, len),
                want,
                "{rule}"
            );
        }
    }

    #[test]
    fn c4_no_valid_content_length_no_compression() {
        let with = |values: &[&str]| {
            let mut m = h(Some("text/html"), None);
            for v in values {
                m.append(CONTENT_LENGTH, HeaderValue::from_str(v).unwrap());
            }
            m
        };
        let cases: [(&str, HeaderMap, Result<&str, Skip>); 7] = [
            ("chunked: none", with(&[]), Err(Skip::NoLength)),
            ("not a number", with(&["2k"]), Err(Skip::NoLength)),
            ("signed", with(&["+2000"]), Err(Skip::NoLength)),
            ("two values", with(&["2000", "2001"]), Err(Skip::NoLength)),
            ("repeated value", with(&["2000", "2000"]), Ok("gzip")),
            ("declared too small", with(&["999"]), Err(Skip::Size)),
            ("valid", with(&["2000"]), Ok("gzip")),
        ];
        for (rule, headers, want) in cases {
            assert_eq!(
                should_compress(true, Some("gzip"), 200, &headers, 2000),
                want,
                "C-4 {rule}"
            );
        }
        // A HEAD answer announces the length but carries no body: nothing to compress.
        assert_eq!(
            should_compress(true, Some("gzip"), 200, &with(&["2000"]), 0),
            Err(Skip::Size)
        );
    }

    #[test]
    fn round_trip_and_c9() {
        let body = "hello world ".repeat(200);
        let gz = compress("gzip", body.as_bytes()).unwrap();
        let mut d = flate2::read::GzDecoder::new(&gz[..]);
        let mut out = String::new();
        std::io::Read::read_to_string(&mut d, &mut out).unwrap();
        assert_eq!(out, body);
        let br = compress("br", body.as_bytes()).unwrap();
        let mut out2 = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out2).unwrap();
        assert_eq!(out2, body.as_bytes());
        assert!(br.len() < body.len());
        assert_eq!(weaken_etag("\"abc\"").as_deref(), Some("W/\"abc\""));
        assert_eq!(weaken_etag("W/\"abc\"").as_deref(), Some("W/\"abc\""));
        assert_eq!(weaken_etag("abc"), None);
    }

    #[test]
    fn variants_are_exactly_sized() {
        // Incompressible input makes the output outgrow its len/3 guess (so it doubled).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let body: Vec<u8> = (0..50_000)
            .map(|_| {
                // xorshift64: bytes no coder can shrink
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        for coding in ["gzip", "br"] {
            let z = compress(coding, &body).unwrap();
            let len = z.len();
            assert!(len > body.len() / 3, "{coding}: input should not compress");
            assert_eq!(
                crate::body::allocated(z),
                Some(len),
                "{coding}: the stored variant must not keep the Vec's spare capacity"
            );
        }
    }
}
