//! Cacheable requests: lookup, fill with collapsing (K-11), revalidation (R-1…R-2), stale
//! copies for failed origins (R-4, R-5, T-5, T-10) and ranged misses (G-1/G-2).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use hyper::header::{self, HeaderValue};
use hyper::{Method, StatusCode};

use crate::body::Held;
use crate::dist::{Behavior, Dist};
use crate::key::CacheKey;
use crate::origin_message::{Fetched, OriginError};
use crate::outcome::ResultType;
use crate::range;
use crate::store::Entry;
use crate::ttl::{self, Storage};

use super::conditional::{serve_entry, serve_entry_with, serve_stream, viewer_range};
use super::entry::{build_entry, make_entry, unreachable_entry};
use super::error_page::{error_page, origin_error_response};
use super::origin_request::{origin_request, send};
use super::{Ctx, Outcome, Reply, Shared, cache_key};

/// Cacheable methods: lookup, then fill with collapsing (K-11) or serve.
pub(super) async fn cached(shared: &Arc<Shared>, dist: &Arc<Dist>, bi: usize, cx: &Ctx) -> Reply {
    let b = &dist.behaviors[bi];
    let key = cache_key(
        dist,
        b,
        &cx.method,
        &cx.path,
        cx.query.as_deref(),
        &cx.headers,
        cx.accept_encoding,
    );
    let stale = shared.store.get(&key).await;
    if let Some(e) = &stale
        && e.is_fresh(cx.now)
    {
        let result = if e.error {
            ResultType::Error
        } else {
            ResultType::Hit
        };
        let mut r = serve_entry(e, cx, result, "Hit");
        r.age = Some(e.age(cx.now));
        if e.error {
            r.response_result = ResultType::Error;
        }
        return r;
    }
    if let Some(e) = &stale
        && !e.error
        && !e.revalidate
        && e.stale_while_revalidate
            .is_some_and(|n| cx.now < e.fresh_until() + Duration::from_secs(n))
    {
        // spec T-10: serve the stale copy at once and revalidate in the background (collapsed
        // with any other refresh of the same key, K-11).
        let (shared2, dist2, cx2, entry) = (shared.clone(), dist.clone(), cx.clone(), e.clone());
        let key2 = key.clone();
        tokio::spawn(async move {
            let b = &dist2.behaviors[bi];
            let _ = shared2
                .collapser
                .run(&key2, || {
                    fill(&shared2, &dist2, b, &cx2, key2.clone(), Some(entry), None)
                })
                .await;
        });
        let mut r = serve_entry(e, cx, ResultType::Hit, "Hit");
        r.age = Some(e.age(cx.now));
        return r;
    }
    // spec G-1/G-2: a single valid range of an object whose whole copy is not cached at all.
    // spec G-1 (decision): an expired whole copy is revalidated as a whole and the range
    // cut from it, as before; HEAD keeps G-7 (a HEAD miss fills the whole object).
    // spec G-1 (decision): with `If-Range` the edge fetches the whole object instead, so that a
    // validator that no longer matches can still be answered with the full 200 (RFC 9110 13.1.5).
    if stale.is_none()
        && cx.method == Method::GET
        && !cx.headers.contains_key(header::IF_RANGE)
        && let Some(want) = viewer_range(cx).and_then(range::Wanted::parse)
    {
        return ranged(shared, dist, b, cx, key, want).await;
    }
    let outcome = collapsed_fill(shared, dist, b, cx, &key, &key, stale, None).await;
    serve_outcome(&outcome, cx, viewer_range(cx))
}

/// Serves what a fill produced, answering `range` (see [`serve_entry_with`]); a waiter's copy
/// (K-11, logged as Hit) has an age.
pub(super) fn serve_outcome(o: &Outcome, cx: &Ctx, range: Option<&str>) -> Reply {
    let stream = o.stream.lock().unwrap_or_else(|e| e.into_inner()).take();
    let mut r = match stream {
        // spec §19-18: the entry's body is the file's, still to be read.
        Some(body) => serve_stream(&o.entry, body, cx, o.result, o.detail, range),
        None => serve_entry_with(&o.entry, cx, o.result, o.detail, range),
    };
    // spec §19-19: the leader's response keeps the fill budget until its body is sent.
    if let Some(held) = o.held.lock().unwrap_or_else(|e| e.into_inner()).take() {
        r.hold(held);
    }
    r.upstream_ms = o.upstream_ms;
    if o.result == ResultType::Hit {
        r.age = Some(o.entry.age(cx.now));
    }
    r
}

/// spec K-11: one fill per `flight` key among concurrent misses (the object's key, or for a
/// ranged miss the object's key plus the requested range, so that two ranges never share one
/// origin fetch). Entries are stored under the object's `key`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn collapsed_fill(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx,
    flight: &CacheKey,
    key: &CacheKey,
    stale: Option<Arc<Entry>>,
    range: Option<range::Wanted>,
) -> Arc<Outcome> {
    if !b.collapses() {
        return fill(shared, dist, b, cx, key.clone(), stale, range).await;
    }
    let (o, led) = shared
        .collapser
        .run(flight, || {
            fill(shared, dist, b, cx, key.clone(), stale.clone(), range)
        })
        .await;
    if led {
        o
    } else if !o.shareable {
        // K-11: the object forbids collapsing; this request goes to the origin itself.
        fill(shared, dist, b, cx, key.clone(), stale, range).await
    } else {
        // K-11: waiters get the same response, logged as Hit.
        Arc::new(Outcome {
            entry: o.entry.clone(),
            result: if o.result == ResultType::Miss {
                ResultType::Hit
            } else {
                o.result
            },
            detail: o.detail,
            shareable: true,
            upstream_ms: None,
            stream: Mutex::new(None),
            held: Mutex::new(None),
        })
    }
}

/// spec G-1/G-2: a GET for one valid range when no copy of the whole object is cached: served
/// from a fresh cached range that holds it, else forwarded with the range (collapsed per
/// object and range, K-11).
pub(super) async fn ranged(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx,
    key: CacheKey,
    want: range::Wanted,
) -> Reply {
    // spec G-1 (decision): only a fresh range entry answers; an expired one is not revalidated
    // (R-1, R-5 and T-10 keep to whole objects), so the range is fetched again and replaces it.
    let cached =
        shared.store.ranges(&key).await.into_iter().find(|e| {
            e.is_fresh(cx.now) && e.range.is_some_and(|span| span.covers(want).is_some())
        });
    if let Some(e) = cached {
        let mut r = serve_entry(&e, cx, ResultType::Hit, "Hit");
        r.age = Some(e.age(cx.now));
        return r;
    }
    let flight = key.with_range(want);
    let outcome = collapsed_fill(shared, dist, b, cx, &flight, &key, None, Some(want)).await;
    // spec G-2: a range entry answers the viewer's range; anything else the origin answered
    // (the full 200 of an origin that ignored the range, an error, a 416) goes out whole.
    let range = outcome.entry.range.and_then(|_| viewer_range(cx));
    serve_outcome(&outcome, cx, range)
}

/// Whether a stale entry may stand in for a failed origin (R-4, R-5, T-5, T-10).
pub(super) fn stale_usable(e: &Entry, now: SystemTime) -> bool {
    if e.error || e.status != StatusCode::OK {
        return false;
    }
    match e.stale_if_error {
        // T-5: stale-if-error=0 → the error is returned.
        Some(0) => false,
        // T-10: within N seconds after expiry.
        Some(n) => now < e.fresh_until() + Duration::from_secs(n),
        // CloudFront serves an expired copy when the origin fails.
        None => true,
    }
}

/// One origin round trip for a cacheable request, and what to store (spec §7, §8, §10, §11).
/// With `range` (a ranged miss, G-2) the range is forwarded; a 206 becomes a range entry of the
/// object keyed `key`, any other answer is handled as for the whole object.
pub(super) async fn fill(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx,
    key: CacheKey,
    stale: Option<Arc<Entry>>,
    mut range: Option<range::Wanted>,
) -> Arc<Outcome> {
    let mut req = origin_request(dist, b, cx, true);
    req.stream_over = Some(super::stream_over(shared));
    req.budget = Some(shared.fill_budget.clone());
    // §19-11 / G-7 decision: a HEAD miss is fetched as GET and fills the shared entry (M-6).
    if req.method == Method::HEAD {
        req.method = Method::GET;
    }
    // spec G-2: the viewer's single valid range, in canonical form (If-Range stays at the
    // edge with the other validators, see EDGE_ANSWERED).
    if let Some(w) = range
        && let Ok(v) = HeaderValue::from_str(&w.header_value())
    {
        req.headers.insert(header::RANGE, v);
    }
    // spec R-1: revalidate an expired entry with its validators (R-7: not with Vary: *).
    let revalidating = stale
        .as_ref()
        .filter(|s| s.status == StatusCode::OK && !s.error && !s.vary_star && s.has_validator());
    if let Some(s) = revalidating {
        if let Some(v) = s.headers.get(header::ETAG) {
            req.headers.insert(header::IF_NONE_MATCH, v.clone());
        }
        if let Some(v) = s.headers.get(header::LAST_MODIFIED) {
            req.headers.insert(header::IF_MODIFIED_SINCE, v.clone());
        }
    }
    let started = Instant::now();
    let mut res = send(shared, dist, &b.target, &req).await;
    if range.is_some()
        && matches!(&res, Ok(f) if f.status == StatusCode::PARTIAL_CONTENT
            && !f.headers.contains_key(header::CONTENT_LENGTH))
    {
        // spec G-4: a range answered with Transfer-Encoding: chunked → the viewer gets the full
        // object. spec G-4 (decision): a 206 without Content-Length (chunked or read to close)
        // is dropped and the whole object fetched without Range, then handled and cached as
        // for a full GET. A 200 answer, chunked or not, is already the full object (G-2).
        req.headers.remove(header::RANGE);
        range = None;
        res = send(shared, dist, &b.target, &req).await;
    }
    let upstream_ms = Some(started.elapsed().as_millis());
    let now = shared.clock.now();
    let mk = |entry: Arc<Entry>, result: ResultType, detail: &'static str, shareable: bool| {
        Arc::new(Outcome {
            entry,
            result,
            detail,
            shareable,
            upstream_ms,
            stream: Mutex::new(None),
            held: Mutex::new(None),
        })
    };
    if let Ok(f) = &mut res
        && f.stream.is_some()
    {
        // spec §19-18: a body larger than the cache could keep (a whole object, or a range of
        // one), streaming from the origin: never stored, never shared with collapsed waiters
        // (each reads its own), and not compressed (it is over C-4's 10,000,000 bytes). The
        // entry carries its headers and length; its body is the stream the leader serves.
        let stream = f.stream.take();
        let storage = Storage::DontStore(ttl::NoCacheReason::TooLarge);
        let mut entry = build_entry(
            b,
            cx,
            f.status,
            std::mem::take(&mut f.headers),
            bytes::Bytes::new(),
            now,
            storage,
            false,
        );
        match stream.as_ref().and_then(|s| s.len()) {
            Some(len) => {
                entry
                    .headers
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            }
            None => {
                entry.headers.remove(header::CONTENT_LENGTH);
            }
        }
        return Arc::new(Outcome {
            entry: Arc::new(entry),
            result: ResultType::Miss,
            detail: "Miss",
            shareable: false,
            upstream_ms,
            stream: Mutex::new(stream),
            held: Mutex::new(None),
        });
    }
    // spec §19-19: the fill budget the body took is handed to the response that sends it.
    let held = match &mut res {
        Ok(f) => std::mem::replace(&mut f.held, Held::none()),
        Err(_) => Held::none(),
    };
    if let Some(want) = range
        && let Ok(f) = &res
        && f.status == StatusCode::PARTIAL_CONTENT
    {
        let o = partial(shared, dist, b, cx, &key, want, f, now, upstream_ms).await;
        o.hand_over(held);
        return o;
    }
    let outcome = match res {
        Ok(f) if f.status == StatusCode::NOT_MODIFIED && revalidating.is_some() => {
            let Some(s) = revalidating else {
                unreachable!("checked above")
            };
            // spec R-2: reuse the body; freshness from the 304's headers merged over the stored.
            let mut headers = s.headers.clone();
            for name in [
                header::CACHE_CONTROL,
                header::EXPIRES,
                header::ETAG,
                header::LAST_MODIFIED,
                header::DATE,
            ] {
                // Copied, not sliced from the origin connection's buffer (see `detach`).
                if let Some(v) = f
                    .headers
                    .get(&name)
                    .and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok())
                {
                    headers.insert(name, v);
                }
            }
            let entry = match ttl::decide(&headers, b.ttl, now) {
                Storage::Store { ttl, revalidate } => Entry {
                    headers,
                    stored_at: now,
                    ttl,
                    revalidate,
                    ..Entry::clone(s)
                },
                Storage::DontStore(_) => Entry {
                    headers,
                    stored_at: now,
                    ttl: Duration::ZERO,
                    revalidate: true,
                    ..Entry::clone(s)
                },
            };
            let entry = Arc::new(entry);
            shared.store.insert(key, entry.clone()).await;
            mk(entry, ResultType::RefreshHit, "RefreshHit", true)
        }
        Ok(f)
            if f.status.is_server_error()
                && stale.as_deref().is_some_and(|s| stale_usable(s, now)) =>
        {
            // spec R-4: 5xx while an expired copy exists → the copy, for ErrorCachingMinTTL.
            let s = stale
                .as_deref()
                .cloned()
                .unwrap_or_else(|| unreachable_entry(&f));
            let min = dist.error_rules.min_ttl(f.status.as_u16());
            let entry = Arc::new(Entry {
                stored_at: now,
                ttl: Duration::from_secs(min),
                revalidate: false,
                ..s
            });
            if min > 0 {
                shared.store.insert(key, entry.clone()).await;
            }
            mk(entry, ResultType::RefreshHit, "RefreshHit", true)
        }
        Ok(f) if f.status.as_u16() >= 400 => {
            // spec R-4: a 4xx replaces the cached object; E-3…E-7: error caching and pages.
            let status = f.status.as_u16();
            let storage = if f.complete {
                ttl::decide_error(
                    status,
                    &f.headers,
                    dist.error_rules.min_ttl(status),
                    b.ttl,
                    now,
                )
            } else {
                Storage::DontStore(ttl::NoCacheReason::Incomplete)
            };
            let (page_status, page_headers, page_body) =
                match error_page(shared, dist, status, now, cx.conn.https).await {
                    Some(p) => p,
                    None => (f.status, f.headers.clone(), f.body.clone()),
                };
            let entry = make_entry(
                b,
                cx,
                page_status,
                page_headers,
                page_body,
                now,
                storage,
                true,
            );
            if let Storage::Store { .. } = storage {
                shared.store.insert(key, entry.clone()).await;
            }
            mk(entry, ResultType::Error, "Error", true)
        }
        Ok(f) => {
            // spec T-4 (2xx/3xx), E-10 (307/308 need Cache-Control), O-6 incomplete bodies.
            let storage = if !f.complete {
                Storage::DontStore(ttl::NoCacheReason::Incomplete)
            } else if f.status == StatusCode::NOT_MODIFIED
                || f.status == StatusCode::PARTIAL_CONTENT
                || !ttl::redirect_cacheable(f.status.as_u16(), &f.headers)
            {
                Storage::DontStore(ttl::NoCacheReason::OriginDirective)
            } else {
                ttl::decide(&f.headers, b.ttl, now)
            };
            let shareable = !ttl::forbids_collapsing(&f.headers, b.ttl);
            let entry = make_entry(b, cx, f.status, f.headers, f.body, now, storage, false);
            if let Storage::Store { .. } = storage {
                shared.store.insert(key, entry.clone()).await;
            }
            mk(entry, ResultType::Miss, "Miss", shareable)
        }
        Err(e) => {
            if let Some(s) = stale.as_deref().filter(|s| stale_usable(s, now)) {
                // spec R-5: origin unreachable → the expired copy.
                return mk(
                    Arc::new(s.clone()),
                    ResultType::RefreshHit,
                    "RefreshHit",
                    true,
                );
            }
            let err = e.edge_error();
            let status = err.status().as_u16();
            let (st, headers, body) = origin_error_response(shared, dist, err, cx, now).await;
            // spec O-5/E-3: 502/504 are error-cached for ErrorCachingMinTTL.
            let min = dist.error_rules.min_ttl(status);
            let storage = if min > 0 {
                Storage::Store {
                    ttl: Duration::from_secs(min),
                    revalidate: false,
                }
            } else {
                Storage::DontStore(ttl::NoCacheReason::ZeroTtl)
            };
            let entry = make_entry(b, cx, st, headers, body, now, storage, true);
            if let Storage::Store { .. } = storage {
                shared.store.insert(key, entry.clone()).await;
            }
            mk(entry, ResultType::Error, err.detail(), true)
        }
    };
    outcome.hand_over(held);
    outcome
}

/// spec G-2: the origin's 206 to a forwarded range: checked against the request, passed
/// through, and stored as a range entry of the object keyed `key` when it is complete and §7
/// lets it be cached (the same TTL decision as for the whole object).
#[allow(clippy::too_many_arguments)]
pub(super) async fn partial(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx,
    key: &CacheKey,
    want: range::Wanted,
    f: &Fetched,
    now: SystemTime,
    upstream_ms: Option<u128>,
) -> Arc<Outcome> {
    let content_range = f
        .headers
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok());
    let checked = if f.complete {
        range::check_partial(want, content_range, f.body.len() as u64)
    } else {
        // spec O-6: a body cut short is passed on as it came, never stored.
        Ok(range::Partial::UnknownLength)
    };
    let shareable = !ttl::forbids_collapsing(&f.headers, b.ttl);
    let (entry, result, detail) = match checked {
        Ok(partial) => {
            let span = match partial {
                range::Partial::Cacheable(span) => Some(span),
                range::Partial::UnknownLength => None,
            };
            // spec G-2: the same §7 decision as for the whole object. A body cut short or of
            // unknown length is not a complete range of a known object: never stored.
            let storage = match span {
                Some(_) => ttl::decide(&f.headers, b.ttl, now),
                None => Storage::DontStore(ttl::NoCacheReason::Incomplete),
            };
            // spec C-4: build_entry never compresses a 206 (should_compress refuses the
            // status), so the viewer and the cache get the origin's bytes.
            let mut entry = build_entry(
                b,
                cx,
                f.status,
                f.headers.clone(),
                f.body.clone(),
                now,
                storage,
                false,
            );
            entry.range = span;
            let entry = Arc::new(entry);
            // spec G-2 (decision): a range entry is stored only when it can answer later
            // requests by itself: "store, always revalidate" objects (§19-3, R-7) are not.
            if let Storage::Store { .. } = storage
                && span.is_some()
                && !entry.revalidate
            {
                shared.store.insert_range(key, entry.clone()).await;
            }
            (entry, ResultType::Miss, "Miss")
        }
        Err(_) => {
            // spec G-5 (decision): a 206 that is malformed or does not hold the requested range
            // is an invalid origin response: 502 (custom error page allowed, like O-5's), never
            // cached, and nothing of it is stored.
            let err = OriginError::Protocol.edge_error();
            let (st, headers, body) = origin_error_response(shared, dist, err, cx, now).await;
            let storage = Storage::DontStore(ttl::NoCacheReason::ErrorStatus);
            let entry = make_entry(b, cx, st, headers, body, now, storage, true);
            (entry, ResultType::Error, err.detail())
        }
    };
    Arc::new(Outcome {
        entry,
        result,
        detail,
        shareable,
        upstream_ms,
        stream: Mutex::new(None),
        held: Mutex::new(None),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hyper::StatusCode;

    use super::super::testing::{entry, stored_at};
    use super::*;

    /// The test entry's expiry (stored for 60 s).
    fn expiry() -> SystemTime {
        stored_at() + Duration::from_secs(60)
    }

    #[test]
    fn r4_r5_expired_copy_stands_in_without_stale_if_error() {
        let e = entry(&[]);
        for after in [0, 1, 86_400 * 365] {
            let now = expiry() + Duration::from_secs(after);
            assert!(stale_usable(&e, now), "{after} s after expiry");
        }
    }

    #[test]
    fn t5_stale_if_error_0_returns_the_error() {
        let mut e = entry(&[]);
        e.stale_if_error = Some(0);
        assert!(!stale_usable(&e, expiry()));
        assert!(!stale_usable(&e, expiry() + Duration::from_secs(1)));
    }

    #[test]
    fn t10_stale_if_error_window_bounds_the_copy() {
        let mut e = entry(&[]);
        e.stale_if_error = Some(30);
        assert!(stale_usable(&e, expiry()));
        assert!(stale_usable(&e, expiry() + Duration::from_secs(29)));
        assert!(!stale_usable(&e, expiry() + Duration::from_secs(30)));
        assert!(!stale_usable(&e, expiry() + Duration::from_secs(3_600)));
    }

    #[test]
    fn t10_stale_while_revalidate_does_not_widen_stale_if_error() {
        let mut e = entry(&[]);
        e.stale_if_error = Some(10);
        e.stale_while_revalidate = Some(3_600);
        assert!(!stale_usable(&e, expiry() + Duration::from_secs(60)));
    }

    #[test]
    fn r4_only_a_cached_200_stands_in() {
        let mut error = entry(&[]);
        error.error = true;
        assert!(!stale_usable(&error, expiry()), "error-cached entry (E-3)");
        for status in [
            StatusCode::PARTIAL_CONTENT,
            StatusCode::MOVED_PERMANENTLY,
            StatusCode::NOT_FOUND,
        ] {
            let mut e = entry(&[]);
            e.status = status;
            assert!(!stale_usable(&e, expiry()), "{status}");
        }
    }
}
