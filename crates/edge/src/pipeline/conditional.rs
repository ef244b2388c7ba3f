//! Serving an entry to the viewer: conditionals (R-6: If-None-Match, If-Modified-Since),
//! `If-Range` (RFC 9110 13.1.5), ranges (G-1…G-5) and HEAD (G-7).

use std::time::SystemTime;

use bytes::Bytes;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode};

use crate::body::LiveBody;
use crate::outcome::ResultType;
use crate::range::{self, Range};
use crate::store::Entry;

use super::{Ctx, Reply};

/// Serves a stored (or just fetched) object: viewer conditionals, ranges (G-1…G-5) and
/// HEAD (G-7).
pub(super) fn serve_entry(e: &Entry, cx: &Ctx, result: ResultType, detail: &'static str) -> Reply {
    serve_entry_with(e, cx, result, detail, viewer_range(cx))
}

/// The viewer's `Range` header, when it is text.
pub(super) fn viewer_range(cx: &Ctx) -> Option<&str> {
    cx.headers.get(header::RANGE).and_then(|v| v.to_str().ok())
}

/// [`serve_entry`] answering `range` rather than the viewer's `Range`: None serves the entry
/// whole (spec G-2: the viewer whose range the origin ignored gets the full 200).
pub(super) fn serve_entry_with(
    e: &Entry,
    cx: &Ctx,
    result: ResultType,
    detail: &'static str,
    range: Option<&str>,
) -> Reply {
    let mut r = Reply::from_entry(e, result, detail);
    let viewer_get = !e.error && matches!(cx.method, Method::GET | Method::HEAD);
    // spec G-1, H-4 (decision): `If-Range` is evaluated at the edge against the cached object
    // (RFC 9110 13.1.5): a validator that does not match turns the range request into a full 200.
    let range = range.filter(|_| if_range_holds(&cx.headers, e));
    if let Some(span) = e.range {
        if viewer_get && not_modified(&cx.headers, e) {
            // spec R-6 (decision): validators match a cached range like the whole object.
            return not_modified_reply(e, r);
        }
        // spec G-1: the viewer's bytes, cut from a cached range that holds them (the caller
        // checked); without a range the entry is answered as the origin sent it.
        let (s, end) = range
            .and_then(range::Wanted::parse)
            .and_then(|w| span.covers(w))
            .unwrap_or((span.start, span.end));
        if (s, end) != (span.start, span.end) {
            r.body = e
                .body
                .slice((s - span.start) as usize..=(end - span.start) as usize);
            if let Ok(v) = HeaderValue::from_str(&span.content_range(s, end)) {
                r.headers.insert(header::CONTENT_RANGE, v);
            }
        }
        r.range = Some((s, end));
        return r;
    }
    if e.status == StatusCode::PARTIAL_CONTENT {
        // spec G-2: a 206 passed through uncached; its bounds still go to the log (L-2).
        r.range = e
            .headers
            .get(header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(range::ContentRange::parse)
            .map(|c| (c.start, c.end));
    }
    if e.status == StatusCode::OK && viewer_get {
        if not_modified(&cx.headers, e) {
            return not_modified_reply(e, r);
        }
        if let Some(spec) = range {
            let len = e.body.len() as u64;
            match range::parse(spec, len) {
                Range::Satisfiable(s, end) => {
                    r.status = StatusCode::PARTIAL_CONTENT;
                    r.body = e.body.slice(s as usize..=end as usize);
                    if let Ok(v) = HeaderValue::from_str(&format!("bytes {s}-{end}/{len}")) {
                        r.headers.insert(header::CONTENT_RANGE, v);
                    }
                    r.range = Some((s, end));
                }
                Range::Unsatisfiable => unsatisfiable(&mut r, len),
                // G-3: invalid → the full 200.
                Range::Ignore => {}
            }
        }
    }
    r
}

/// spec §19-18: [`serve_entry_with`] for an entry whose body streams (`body`, from a folder's
/// file or an origin's connection, of the entry's `Content-Length` when known): the same
/// conditionals, `If-Range` and range (G-1…G-5), the range cut from the stream rather than
/// from held bytes.
pub(super) fn serve_stream(
    e: &Entry,
    body: LiveBody,
    cx: &Ctx,
    result: ResultType,
    detail: &'static str,
    range: Option<&str>,
) -> Reply {
    let mut r = Reply::from_entry(e, result, detail);
    let viewer_get = !e.error && matches!(cx.method, Method::GET | Method::HEAD);
    if e.status != StatusCode::OK || !viewer_get {
        r.stream = Some(body);
        return r;
    }
    if not_modified(&cx.headers, e) {
        return not_modified_reply(e, r);
    }
    // A chunked origin body of unknown length is sent whole, as G-4 sends a chunked answer
    // to a range.
    let Some(len) = body.len() else {
        r.stream = Some(body);
        return r;
    };
    let range = range.filter(|_| if_range_holds(&cx.headers, e));
    match range.map(|spec| range::parse(spec, len)) {
        Some(Range::Satisfiable(s, end)) => {
            r.status = StatusCode::PARTIAL_CONTENT;
            r.stream = body.slice(s, end);
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {s}-{end}/{len}")) {
                r.headers.insert(header::CONTENT_RANGE, v);
            }
            r.range = Some((s, end));
        }
        Some(Range::Unsatisfiable) => unsatisfiable(&mut r, len),
        Some(Range::Ignore) | None => r.stream = Some(body),
    }
    r
}

/// G-5: 416 for a range that starts past the object's `len` bytes, never cached.
fn unsatisfiable(r: &mut Reply, len: u64) {
    r.status = StatusCode::RANGE_NOT_SATISFIABLE;
    r.body = Bytes::new();
    r.stream = None;
    r.headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
        r.headers.insert(header::CONTENT_RANGE, v);
    }
    r.result = ResultType::Error;
    r.response_result = ResultType::Error;
}

/// R-6 [inferred]: 304 from the edge with the validators and caching headers.
pub(super) fn not_modified_reply(e: &Entry, mut r: Reply) -> Reply {
    let mut h = HeaderMap::new();
    for n in [
        header::ETAG,
        header::LAST_MODIFIED,
        header::CACHE_CONTROL,
        header::EXPIRES,
        header::VARY,
    ] {
        for v in e.headers.get_all(&n) {
            h.append(n.clone(), v.clone());
        }
    }
    r.status = StatusCode::NOT_MODIFIED;
    r.headers = h;
    r.body = Bytes::new();
    r.stream = None;
    r.range = None;
    r
}

/// RFC 9110 13.1.5: no `If-Range`, or one that matches the entry: a strong entity-tag equal to
/// the entry's strong `ETag`, or an HTTP date equal to its `Last-Modified`.
pub(super) fn if_range_holds(viewer: &HeaderMap, e: &Entry) -> bool {
    let Some(cond) = viewer.get(header::IF_RANGE) else {
        return true;
    };
    let Ok(cond) = cond.to_str() else {
        return false;
    };
    let cond = cond.trim();
    if cond.starts_with('"') || cond.starts_with("W/") {
        let etag = e.headers.get(header::ETAG).and_then(|v| v.to_str().ok());
        return !cond.starts_with("W/") && etag.is_some_and(|t| t.trim() == cond);
    }
    let date = httpdate::parse_http_date(cond).ok();
    date.is_some() && date == http_date(&e.headers, header::LAST_MODIFIED)
}

/// A header's value as an HTTP date (RFC 9110 §5.6.7), None when absent or not a date.
pub(super) fn http_date(headers: &HeaderMap, name: HeaderName) -> Option<SystemTime> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
}

/// If-None-Match (weak comparison), else If-Modified-Since.
pub(super) fn not_modified(viewer: &HeaderMap, e: &Entry) -> bool {
    if let Some(inm) = viewer
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let Some(etag) = e.headers.get(header::ETAG).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return inm
            .split(',')
            .any(|t| t.trim() == "*" || bare(t) == bare(etag));
    }
    let since = http_date(viewer, header::IF_MODIFIED_SINCE);
    let modified = http_date(&e.headers, header::LAST_MODIFIED);
    matches!((since, modified), (Some(s), Some(m)) if m <= s)
}

#[cfg(test)]
mod tests {
    use hyper::header::HeaderValue;
    use hyper::{HeaderMap, Method, StatusCode};

    use super::super::testing::{ctx, entry, headers};
    use super::*;

    const ETAG: &str = "\"abc\"";
    const LAST_MODIFIED: &str = "Tue, 14 Nov 2023 10:00:00 GMT";
    const EARLIER: &str = "Tue, 14 Nov 2023 09:59:59 GMT";
    const LATER: &str = "Tue, 14 Nov 2023 10:00:01 GMT";

    fn validated() -> Entry {
        entry(&[("etag", ETAG), ("last-modified", LAST_MODIFIED)])
    }

    #[test]
    fn r6_no_conditionals_never_304() {
        assert!(!not_modified(&HeaderMap::new(), &validated()));
    }

    #[test]
    fn r6_if_none_match_uses_the_weak_comparison() {
        let e = validated();
        for (inm, expected) in [
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            (" \"abc\" ", true),
            ("\"x\", \"abc\"", true),
            ("\"x\",W/\"abc\"", true),
            ("*", true),
            ("\"x\", *", true),
            ("\"abcd\"", false),
            ("\"ABC\"", false),
            ("abc", false),
        ] {
            let v = headers(&[("if-none-match", inm)]);
            assert_eq!(not_modified(&v, &e), expected, "If-None-Match: {inm}");
        }
        // The entry's own ETag may be weak (a compressed variant, C-9): still a weak match.
        let weak = entry(&[("etag", "W/\"abc\"")]);
        let v = headers(&[("if-none-match", "\"abc\"")]);
        assert!(not_modified(&v, &weak));
    }

    #[test]
    fn r6_if_none_match_against_an_entry_without_etag_never_matches() {
        let e = entry(&[("last-modified", LAST_MODIFIED)]);
        for inm in ["\"abc\"", "*"] {
            let v = headers(&[("if-none-match", inm)]);
            assert!(!not_modified(&v, &e), "If-None-Match: {inm}");
        }
    }

    #[test]
    fn r6_if_none_match_takes_precedence_over_if_modified_since() {
        // RFC 9110 13.1.3: If-Modified-Since is ignored when If-None-Match is present.
        let v = headers(&[("if-none-match", "\"other\""), ("if-modified-since", LATER)]);
        assert!(!not_modified(&v, &validated()));
    }

    #[test]
    fn r6_if_modified_since_against_last_modified() {
        let e = validated();
        for (ims, expected) in [
            (LAST_MODIFIED, true),
            (LATER, true),
            (EARLIER, false),
            ("not a date", false),
            ("", false),
        ] {
            let v = headers(&[("if-modified-since", ims)]);
            assert_eq!(not_modified(&v, &e), expected, "If-Modified-Since: {ims}");
        }
        let undated = entry(&[("etag", ETAG)]);
        let v = headers(&[("if-modified-since", LATER)]);
        assert!(!not_modified(&v, &undated), "entry without Last-Modified");
    }

    #[test]
    fn g1_if_range_absent_holds() {
        assert!(if_range_holds(&HeaderMap::new(), &validated()));
    }

    #[test]
    fn g1_if_range_entity_tag_uses_the_strong_comparison() {
        // RFC 9110 13.1.5, evaluated at the edge against the cached object (G-1, H-4 decision).
        let e = validated();
        for (cond, expected) in [
            ("\"abc\"", true),
            (" \"abc\" ", true),
            ("W/\"abc\"", false),
            ("\"abcd\"", false),
        ] {
            let v = headers(&[("if-range", cond)]);
            assert_eq!(if_range_holds(&v, &e), expected, "If-Range: {cond}");
        }
        // A weak stored ETag never matches, not even its own text.
        let weak = entry(&[("etag", "W/\"abc\"")]);
        for cond in ["\"abc\"", "W/\"abc\""] {
            let v = headers(&[("if-range", cond)]);
            assert!(!if_range_holds(&v, &weak), "If-Range: {cond} vs weak ETag");
        }
        let untagged = entry(&[("last-modified", LAST_MODIFIED)]);
        let v = headers(&[("if-range", ETAG)]);
        assert!(!if_range_holds(&v, &untagged), "entry without ETag");
    }

    #[test]
    fn g1_if_range_date_must_equal_last_modified() {
        let e = validated();
        for (cond, expected) in [
            (LAST_MODIFIED, true),
            (LATER, false),
            (EARLIER, false),
            ("yesterday", false),
        ] {
            let v = headers(&[("if-range", cond)]);
            assert_eq!(if_range_holds(&v, &e), expected, "If-Range: {cond}");
        }
        let undated = entry(&[("etag", ETAG)]);
        let v = headers(&[("if-range", LAST_MODIFIED)]);
        assert!(!if_range_holds(&v, &undated), "entry without Last-Modified");
    }

    #[test]
    fn g1_if_range_that_is_not_text_fails() {
        let mut v = HeaderMap::new();
        v.insert(
            header::IF_RANGE,
            HeaderValue::from_bytes(b"\"ab\xffc\"").unwrap(),
        );
        assert!(!if_range_holds(&v, &validated()));
    }

    #[test]
    fn http_date_reads_only_dates() {
        let h = headers(&[("last-modified", LAST_MODIFIED), ("expires", "0")]);
        assert!(http_date(&h, header::LAST_MODIFIED).is_some());
        assert_eq!(http_date(&h, header::EXPIRES), None);
        assert_eq!(http_date(&h, header::DATE), None);
    }

    #[test]
    fn r6_304_keeps_validators_and_caching_headers_only() {
        let e = entry(&[
            ("etag", ETAG),
            ("last-modified", LAST_MODIFIED),
            ("cache-control", "max-age=60"),
            ("expires", LATER),
            ("vary", "Accept-Encoding"),
            ("vary", "Origin"),
            ("content-type", "text/plain"),
            ("set-cookie", "a=1"),
        ]);
        let mut r = Reply::from_entry(&e, ResultType::Hit, "Hit");
        r.range = Some((0, 9));
        let r = not_modified_reply(&e, r);
        assert_eq!(r.status, StatusCode::NOT_MODIFIED);
        assert!(r.body.is_empty());
        assert_eq!(r.range, None);
        assert_eq!(r.headers.get(header::ETAG).unwrap(), ETAG);
        assert_eq!(r.headers.get(header::LAST_MODIFIED).unwrap(), LAST_MODIFIED);
        assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "max-age=60");
        assert_eq!(r.headers.get(header::EXPIRES).unwrap(), LATER);
        assert_eq!(r.headers.get_all(header::VARY).iter().count(), 2);
        assert!(!r.headers.contains_key(header::CONTENT_TYPE));
        assert!(!r.headers.contains_key(header::SET_COOKIE));
        assert_eq!((r.result, r.detail), (ResultType::Hit, "Hit"));
    }

    #[test]
    fn r6_matching_conditional_on_a_hit_is_a_304_from_the_edge() {
        let e = validated();
        for method in [Method::GET, Method::HEAD] {
            let cx = ctx(method.clone(), &[("if-none-match", ETAG)]);
            let r = serve_entry(&e, &cx, ResultType::Hit, "Hit");
            assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{method}");
        }
        // Only GET and HEAD are answered with 304; an error entry never is.
        let cx = ctx(Method::OPTIONS, &[("if-none-match", ETAG)]);
        assert_eq!(
            serve_entry(&e, &cx, ResultType::Hit, "Hit").status,
            StatusCode::OK
        );
        let mut error = validated();
        error.error = true;
        let cx = ctx(Method::GET, &[("if-none-match", ETAG)]);
        assert_eq!(
            serve_entry(&error, &cx, ResultType::Error, "Error").status,
            StatusCode::OK
        );
    }

    #[test]
    fn g1_range_is_cut_from_the_whole_object() {
        let cx = ctx(Method::GET, &[("range", "bytes=2-4")]);
        let r = serve_entry(&validated(), &cx, ResultType::Hit, "Hit");
        assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(&r.body[..], b"234");
        assert_eq!(
            r.headers.get(header::CONTENT_RANGE).unwrap(),
            "bytes 2-4/10"
        );
        assert_eq!(r.range, Some((2, 4)));
    }

    #[test]
    fn g1_if_range_mismatch_serves_the_full_200() {
        let cx = ctx(
            Method::GET,
            &[("range", "bytes=2-4"), ("if-range", "\"other\"")],
        );
        let r = serve_entry(&validated(), &cx, ResultType::Hit, "Hit");
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(&r.body[..], b"0123456789");
        assert_eq!(r.range, None);
        let cx = ctx(Method::GET, &[("range", "bytes=2-4"), ("if-range", ETAG)]);
        let r = serve_entry(&validated(), &cx, ResultType::Hit, "Hit");
        assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    }

    #[test]
    fn g3_invalid_range_serves_the_full_200() {
        let cx = ctx(Method::GET, &[("range", "bytes=5-6,1-2")]);
        let r = serve_entry(&validated(), &cx, ResultType::Hit, "Hit");
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.len(), 10);
    }

    #[test]
    fn g5_unsatisfiable_range_is_a_416_error() {
        let cx = ctx(Method::GET, &[("range", "bytes=20-30")]);
        let r = serve_entry(&validated(), &cx, ResultType::Hit, "Hit");
        assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert!(r.body.is_empty());
        assert_eq!(r.headers.get(header::CONTENT_RANGE).unwrap(), "bytes */10");
        assert_eq!(r.headers.len(), 1);
        assert_eq!(
            (r.result, r.response_result),
            (ResultType::Error, ResultType::Error)
        );
    }

    #[test]
    fn g2_serve_entry_with_none_answers_whole() {
        // The viewer whose range the origin ignored gets the full 200.
        let cx = ctx(Method::GET, &[("range", "bytes=2-4")]);
        assert_eq!(viewer_range(&cx), Some("bytes=2-4"));
        let r = serve_entry_with(&validated(), &cx, ResultType::Miss, "Miss", None);
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.len(), 10);
    }

    #[test]
    fn g1_range_entry_answers_the_bytes_it_holds() {
        let mut e = entry(&[("etag", ETAG), ("content-range", "bytes 10-19/100")]);
        e.status = StatusCode::PARTIAL_CONTENT;
        e.range = Some(range::Span {
            start: 10,
            end: 19,
            total: 100,
        });
        let cx = ctx(Method::GET, &[("range", "bytes=12-14")]);
        let r = serve_entry(&e, &cx, ResultType::Hit, "Hit");
        assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(&r.body[..], b"234");
        assert_eq!(
            r.headers.get(header::CONTENT_RANGE).unwrap(),
            "bytes 12-14/100"
        );
        assert_eq!(r.range, Some((12, 14)));
        // R-6 (decision): validators match a cached range like the whole object.
        let cx = ctx(
            Method::GET,
            &[("range", "bytes=12-14"), ("if-none-match", ETAG)],
        );
        assert_eq!(
            serve_entry(&e, &cx, ResultType::Hit, "Hit").status,
            StatusCode::NOT_MODIFIED
        );
    }
}
