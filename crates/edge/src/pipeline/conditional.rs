//! Serving an entry to the viewer: conditionals (R-6: If-None-Match, If-Modified-Since),
//! `If-Range` (RFC 9110 13.1.5), ranges (G-1…G-5) and HEAD (G-7).

use std::time::SystemTime;

use bytes::Bytes;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode};

use crate::outcome::ResultType;
use crate::range::{self, Range};
use crate::store::Entry;

use super::{Ctx, Reply};

/// Serves a stored (or just fetched) object: viewer conditionals, ranges (G-1…G-5) and
/// HEAD (G-7).
pub(super) fn serve_entry(
    e: &Entry,
    cx: &Ctx<'_>,
    result: ResultType,
    detail: &'static str,
) -> Reply {
    serve_entry_with(e, cx, result, detail, viewer_range(cx))
}

/// The viewer's `Range` header, when it is text.
pub(super) fn viewer_range<'a>(cx: &'a Ctx<'_>) -> Option<&'a str> {
    cx.headers.get(header::RANGE).and_then(|v| v.to_str().ok())
}

/// [`serve_entry`] answering `range` rather than the viewer's `Range`: None serves the entry
/// whole (spec G-2: the viewer whose range the origin ignored gets the full 200).
pub(super) fn serve_entry_with(
    e: &Entry,
    cx: &Ctx<'_>,
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
                Range::Unsatisfiable => {
                    // G-5: 416, never cached.
                    r.status = StatusCode::RANGE_NOT_SATISFIABLE;
                    r.body = Bytes::new();
                    r.headers = HeaderMap::new();
                    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                        r.headers.insert(header::CONTENT_RANGE, v);
                    }
                    r.result = ResultType::Error;
                    r.response_result = ResultType::Error;
                }
                // G-3: invalid → the full 200.
                Range::Ignore => {}
            }
        }
    }
    r
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
