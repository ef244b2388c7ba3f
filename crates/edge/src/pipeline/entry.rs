//! Building the entry to serve and store from an origin's answer: hop-by-hop headers stripped,
//! compressed when allowed (§11), its TTL and stale directives (§7).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, StatusCode};

use crate::compress;
use crate::dist::Behavior;
use crate::headers as hdr;
use crate::origin_message::Fetched;
use crate::store::Entry;
use crate::ttl::{self, Storage};

use super::Ctx;

pub(super) fn unreachable_entry(f: &Fetched) -> Entry {
    Entry {
        status: f.status,
        headers: f.headers.clone(),
        body: f.body.clone(),
        stored_at: SystemTime::UNIX_EPOCH,
        ttl: Duration::ZERO,
        revalidate: true,
        stale_if_error: None,
        stale_while_revalidate: None,
        error: true,
        path: String::new(),
        query: None,
        behavior: String::new(),
        vary_star: false,
        range: None,
    }
}

/// Builds the entry to serve/store: hop-by-hop stripped, compressed when allowed (§11).
#[allow(clippy::too_many_arguments)]
pub(super) fn make_entry(
    b: &Behavior,
    cx: &Ctx,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    now: SystemTime,
    storage: Storage,
    error: bool,
) -> Arc<Entry> {
    Arc::new(build_entry(
        b, cx, status, headers, body, now, storage, error,
    ))
}

/// [`make_entry`] before it is shared (a range entry sets its span first, G-2).
#[allow(clippy::too_many_arguments)]
pub(super) fn build_entry(
    b: &Behavior,
    cx: &Ctx,
    status: StatusCode,
    headers: HeaderMap,
    mut body: Bytes,
    now: SystemTime,
    storage: Storage,
    error: bool,
) -> Entry {
    let mut headers = hdr::detach(&headers);
    hdr::strip_hop_by_hop(&mut headers);
    // spec C-1…C-5, C-9: compress once, before storing, under the K-8-normalised key.
    if let Ok(coding) = compress::should_compress(
        b.compress,
        cx.accept_encoding.preferred(),
        status.as_u16(),
        &headers,
        body.len(),
    ) && let Ok(z) = compress::compress(coding, &body)
    {
        body = z;
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        let etag = headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        headers.remove(header::ETAG);
        if let Some(w) = etag
            .and_then(|e| compress::weaken_etag(&e))
            .and_then(|w| HeaderValue::from_str(&w).ok())
        {
            headers.insert(header::ETAG, w);
        }
        // §19-10 decision: announce the variant.
        headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    let cc = ttl::CacheControl::parse(&headers);
    let vary_star = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|s| s.split(',').any(|t| t.trim() == "*"))
    });
    let (ttl, revalidate) = match storage {
        Storage::Store { ttl, revalidate } => (ttl, revalidate),
        Storage::DontStore(_) => (Duration::ZERO, true),
    };
    // spec R-7: `Vary: *` with MinTTL 0 is stored but every request goes to the origin
    // (without conditionals, see `fill`).
    let revalidate = revalidate || (vary_star && b.ttl.min == 0);
    Entry {
        status,
        headers,
        body,
        stored_at: now,
        ttl,
        revalidate,
        stale_if_error: cc.stale_if_error,
        stale_while_revalidate: cc.stale_while_revalidate,
        error,
        path: cx.path.clone(),
        query: cx.query.clone(),
        behavior: b.label.to_string(),
        vary_star,
        range: None,
    }
}
