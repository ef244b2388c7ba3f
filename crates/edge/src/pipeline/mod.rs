//! The request pipeline of spec §1, in order: host check, enabled flag, request limits, geo
//! restriction, default root object, behavior selection, viewer protocol policy, allowed
//! methods, cache key, lookup, origin request (with collapsing, revalidation, failover), TTL,
//! custom error responses, compression, CloudFront's response headers and the access log.
//!
//! [`handle`] is a plain async function over any request body, so tests drive it without a
//! socket; the server module only wires it to connections. It reads top to bottom here
//! (`process`); each step lives in the module named after it:
//!
//! - `admission`: the checks before anything is fetched: country, route to a behavior,
//!   viewer protocol policy and its redirect.
//! - `viewer`: the request as the cache key and the origin see it (CloudFront-* headers,
//!   signed-URL parameters, the key itself).
//! - `origin_request`: the origin request and sending it (origin groups fail over).
//! - `direct`: the non-cacheable path, straight to the origin and never stored.
//! - `fill`: lookup, fill with collapsing, revalidation, stale copies, ranged misses.
//! - `entry`: the entry built from an origin's answer (compression, TTL, stale directives).
//! - `error_page`: custom error responses and the edge's own error pages.
//! - `conditional`: serving an entry: conditionals, `If-Range`, ranges and HEAD.
//! - `respond`: the reply, CloudFront's response headers and the access log record.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Method, Request, Response, Version};

use crate::body::{FillBudget, Held, LiveBody};
use crate::cf_headers::{self, ViewerFacts};
use crate::clock::Clock;
use crate::dist::Dist;
use crate::error::EdgeError;
use crate::key::AcceptEncoding;
use crate::lock::Collapser;
use crate::log::Logger;
use crate::origin_message::{self, OriginBody};
use crate::outcome::ResultType;
use crate::store::{Entry, Store};

mod admission;
mod conditional;
mod direct;
mod entry;
mod error_page;
mod fill;
mod origin_request;
mod respond;
mod signed;
#[cfg(test)]
mod testing;
mod viewer;

/// What [`handle`] answers with: a held body, or one streamed from a file (spec §19-18).
pub use crate::body::ResponseBody;
pub use crate::conn::Conn;
pub(crate) use admission::{Protocol, route, viewer_country, viewer_host, viewer_protocol};
pub(crate) use viewer::{ViewerRequest, cache_key, viewer_request};

use admission::redirect;
use direct::direct;
use error_page::with_error_page;
use fill::cached;
use respond::{Reply, finish};

/// What every request shares: the distribution in force, the cache, the clock and the log.
pub struct Shared {
    dist: RwLock<Arc<Dist>>,
    pub store: Store,
    pub collapser: Collapser<Arc<Outcome>>,
    /// spec §19-19: what every body read into memory from an origin reserves.
    pub fill_budget: Arc<FillBudget>,
    pub clock: Arc<dyn Clock>,
    pub logger: Logger,
    pub pop: Arc<str>,
    /// the POP as a ready header value (cloned per response, no allocation).
    pop_header: HeaderValue,
    /// `--viewer-country`: the country when the request has no CloudFront-Viewer-Country.
    pub viewer_country: Option<String>,
    /// `host:port` of every listener (requests naming them are accepted).
    pub listener_hosts: RwLock<Vec<String>>,
    pub https_port: RwLock<Option<u16>>,
    ids: AtomicU64,
    id_seed: u64,
    /// Requests sent to origins (collapsing is visible here).
    pub origin_requests: AtomicU64,
}

impl Shared {
    pub fn new(
        dist: Dist,
        store: Store,
        clock: Arc<dyn Clock>,
        logger: Logger,
        pop: &str,
        viewer_country: Option<String>,
    ) -> Self {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Self {
            dist: RwLock::new(Arc::new(dist)),
            store,
            collapser: Collapser::default(),
            fill_budget: Arc::new(FillBudget::new(crate::body::FILL_BUDGET)),
            clock,
            logger,
            pop: Arc::from(pop),
            pop_header: HeaderValue::from_str(pop).unwrap_or(HeaderValue::from_static("LCL50-P1")),
            viewer_country,
            listener_hosts: RwLock::new(Vec::new()),
            https_port: RwLock::new(None),
            ids: AtomicU64::new(1),
            id_seed: seed | 1,
            origin_requests: AtomicU64::new(0),
        }
    }

    /// The distribution in force (a cheap `Arc` clone; a swap never waits for requests).
    pub fn dist(&self) -> Arc<Dist> {
        self.dist.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the distribution; requests in flight finish with the old one. Counters of
    /// behaviors whose path pattern is unchanged carry over (see [`Dist::carry_counters`]).
    pub fn swap(&self, mut dist: Dist) {
        let mut slot = self.dist.write().unwrap_or_else(|e| e.into_inner());
        dist.carry_counters(&slot);
        *slot = Arc::new(dist);
    }

    /// an opaque per-request id (56 URL-safe characters like CloudFront's), made once as
    /// the header value that `X-Amz-Cf-Id`, the origin request and the log all share.
    fn request_id(&self) -> HeaderValue {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let mut x = self.id_seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut out = [0u8; 56];
        for (i, c) in out.iter_mut().enumerate() {
            // xorshift64*: cheap, and distinct per request because `n` is mixed in.
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 58;
            *c = ALPHABET[(v as usize + i) % 64];
        }
        HeaderValue::from_maybe_shared(Bytes::copy_from_slice(&out))
            .expect("the id alphabet is visible ASCII")
    }
}

/// The result of one fill (origin fetch or revalidation), shared by collapsed requests (K-11).
#[derive(Debug)]
pub struct Outcome {
    pub entry: Arc<Entry>,
    pub result: ResultType,
    pub detail: &'static str,
    /// false when the object forbids sharing (K-11): waiters fetch on their own.
    pub shareable: bool,
    pub upstream_ms: Option<u128>,
    /// spec §19-18: the body of `entry` when it streams (the entry's own body is empty): taken
    /// once, by the request that led the fill (such an outcome is never shareable).
    pub stream: Mutex<Option<LiveBody>>,
    /// spec §19-19: the fill budget the body took, taken by the leader's response, which
    /// gives it back once the body is sent.
    pub held: Mutex<Option<Held>>,
}

impl Outcome {
    /// Gives the leader's response the fill budget `held` (nothing when it holds none).
    fn hand_over(&self, held: Held) {
        if held.is_some() {
            *self.held.lock().unwrap_or_else(|e| e.into_inner()) = Some(held);
        }
    }
}

/// Per-request facts the steps share. It owns what it holds (the connection is two addresses
/// and a shared handshake), so work that outlives the request, the background refresh of
/// T-10, takes a clone.
#[derive(Clone)]
struct Ctx {
    conn: Conn,
    method: Method,
    version: Version,
    /// Raw path after D-1.
    path: String,
    query: Option<String>,
    /// Viewer headers, hop-by-hop stripped, with generated CloudFront-* headers (H-9).
    headers: HeaderMap,
    body: OriginBody,
    /// the request id (shared, cloned without copying).
    rid: HeaderValue,
    now: SystemTime,
    accept_encoding: AcceptEncoding,
}

impl Ctx {
    /// The request id as text.
    fn rid(&self) -> &str {
        self.rid.to_str().unwrap_or_default()
    }
}

/// Handles one viewer request end to end, with what its connection knows about it (`facts`,
/// spec H-9). Never panics on request data: every failure is an edge-generated response.
pub async fn handle<B>(
    shared: Arc<Shared>,
    conn: Conn,
    facts: ViewerFacts,
    req: Request<B>,
) -> Response<ResponseBody>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<origin_message::BoxError>,
{
    let started = Instant::now();
    let now = shared.clock.now();
    let dist = shared.dist();
    let rid = shared.request_id();
    let (mut parts, body) = req.into_parts();
    // RFC 9112 §3.2/§3.2.2 (§19-14): one Host, which the target's authority replaces.
    let refused = viewer_host(&mut parts).err();
    // The request tester's key for the function runs it wants to see; never sent on.
    let trace = if dist.functions.is_some() || dist.trusted_keys.is_some() {
        parts.headers.remove(crate::functions::TRACE_HEADER)
    } else {
        None
    };
    // Borrowed from the request head: nothing is copied to read them.
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let header_bytes: usize = parts
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum::<usize>()
        + path_and_query.len()
        + parts.method.as_str().len()
        + 12;
    let head = RequestHead {
        conn: &conn,
        facts: &facts,
        parts: &parts,
        host,
        path_and_query,
        header_bytes,
        now,
        rid: &rid,
        refused,
        trace: trace.as_ref().and_then(|v| v.to_str().ok()),
    };
    let (reply, body_len) = process(&shared, &dist, head, body).await;
    finish(
        &shared,
        &dist,
        &conn,
        &parts,
        reply,
        host,
        header_bytes + body_len,
        started,
        now,
        rid,
        trace.as_ref().and_then(|v| v.to_str().ok()),
    )
}

/// The head of a viewer request, borrowed from it, with what its connection knows about it and
/// what the edge gave it on arrival: everything [`process`] reads before the body.
#[derive(Clone, Copy)]
struct RequestHead<'a> {
    conn: &'a Conn,
    facts: &'a ViewerFacts,
    parts: &'a hyper::http::request::Parts,
    /// The Host header, which the URI's authority replaced when there is one (empty when
    /// neither is there; the first of several, which are refused).
    host: &'a str,
    path_and_query: &'a str,
    /// The size of the head for H-12's limit (and the log's cs-bytes).
    header_bytes: usize,
    now: SystemTime,
    /// the request id.
    rid: &'a HeaderValue,
    /// Why the request's host cannot be judged ([`viewer_host`]): answered before anything.
    refused: Option<EdgeError>,
    /// The request tester's key for the function runs ([`crate::functions::TRACE_HEADER`]).
    trace: Option<&'a str>,
}

/// The steps of spec §1 for one request, top to bottom: the reply, and how many body bytes the
/// viewer sent (for cs-bytes).
async fn process<B>(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    head: RequestHead<'_>,
    body: B,
) -> (Reply, usize)
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<origin_message::BoxError>,
{
    let RequestHead {
        conn,
        facts,
        parts,
        host,
        path_and_query,
        header_bytes,
        now,
        rid: rid_value,
        refused,
        trace,
    } = head;
    let rid = rid_value.to_str().unwrap_or_default();
    if let Some(e) = refused {
        return (Reply::edge(e, rid), 0);
    }
    // spec §1.1: unknown Host → 403; the preview is not an open proxy.
    // Checked under the read lock (no clone on the hit path); written once at start.
    let allowed = !host.is_empty()
        && dist.host_allowed(
            host,
            &shared
                .listener_hosts
                .read()
                .unwrap_or_else(|e| e.into_inner()),
        );
    if !allowed {
        return (Reply::edge(EdgeError::UnknownHost, rid), 0);
    }
    // spec H-12: URL ≤ 8,192 bytes (413); whole request ≤ 20,480 bytes (494, the code
    // for oversized headers).
    if path_and_query.len() > 8_192 {
        return (Reply::edge(EdgeError::UrlTooLong, rid), 0);
    }
    if header_bytes > 20_480 {
        return (Reply::edge(EdgeError::HeadersTooLarge, rid), 0);
    }
    // spec S-11.
    if !dist.enabled {
        return (Reply::edge(EdgeError::Disabled, rid), 0);
    }
    // spec H-11: GET with a body → 403.
    let declares_body = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() != "0")
        || parts.headers.contains_key(header::TRANSFER_ENCODING);
    if parts.method == Method::GET && declares_body {
        return (Reply::edge(EdgeError::GetWithBody, rid), 0);
    }
    // spec S-9: the viewer's country (no GeoIP locally: header, else --viewer-country).
    let country = viewer_country(&parts.headers, shared.viewer_country.as_deref());
    if !dist.geo.allows(country.as_deref()) {
        // spec E-12: geo 403 may use a custom error page.
        let reply = with_error_page(
            shared,
            dist,
            Reply::edge(EdgeError::GeoBlocked, rid),
            now,
            conn.https,
        )
        .await;
        return (reply, 0);
    }
    // spec D-1/D-2/§19-4: exactly `/` becomes the default root object, before matching.
    let (path, bi) = route(dist, parts.uri.path());
    let behavior = &dist.behaviors[bi];
    let tag = |mut r: Reply| {
        r.behavior = Some(bi);
        r
    };
    // spec V-1/V-2: viewer protocol policy.
    match viewer_protocol(behavior, conn.https, parts.version, &parts.method) {
        Protocol::Serve => {}
        Protocol::Refuse => return (tag(Reply::edge(EdgeError::HttpsRequired, rid)), 0),
        Protocol::Redirect(status) => {
            return (tag(redirect(shared, status, host, path_and_query, rid)), 0);
        }
    }
    // spec M-4: disallowed (or unknown) method → 403 from the edge.
    if !behavior.allows(&parts.method) {
        return (tag(Reply::edge(EdgeError::MethodNotAllowed, rid)), 0);
    }
    // spec SU-9: a signature the behavior requires is checked on the request as the viewer
    // sent it, before the viewer-request function (which a refused request never runs).
    if let Some(required) = &behavior.signatures
        && let Err(refusal) = signed::check(dist, required, conn, parts, host, now)
    {
        if let (Some(key), Some(set)) = (trace, &dist.trusted_keys) {
            set.trace(key, refusal.clone());
        }
        // SU-11: CloudFront's 403, which a custom error page for 403 replaces (as E-12).
        let reply = Reply::signature_refused(refusal.code, rid);
        let reply = with_error_page(shared, dist, reply, now, conn.https).await;
        return (tag(reply), 0);
    }
    // spec CF-3: the viewer-request function, before the cache: what follows (cache key,
    // origin request) sees the request it returns; the behavior stays the one chosen.
    let mut path = path;
    let mut changed_headers = None;
    let mut changed_query = None;
    if let (Some(f), Some(set)) = (&behavior.viewer_request, &dist.functions) {
        use crate::functions::{self as fx, ViewerRequestOutcome};
        let request = fx::request_of(
            parts.method.as_str(),
            &path,
            parts.uri.query(),
            &parts.headers,
        );
        let facts = function_facts(dist, conn, rid);
        match fx::viewer_request(set, f, &facts, request, &parts.headers, trace) {
            ViewerRequestOutcome::Continue(c) => {
                path = c.path;
                changed_query = Some(c.query);
                changed_headers = Some(c.headers);
            }
            ViewerRequestOutcome::Respond(r) => {
                return (tag(Reply::generated(r, rid)), 0);
            }
            ViewerRequestOutcome::Fail(e) => {
                return (tag(Reply::function_failed(e, rid)), 0);
            }
        }
    }
    let received_headers = changed_headers.as_ref().unwrap_or(&parts.headers);
    let received_query = match &changed_query {
        Some(q) => q.as_deref(),
        None => parts.uri.query(),
    };
    // The body is read only now that the request goes to an origin: a request refused above
    // (§1.1, H-11/H-12, S-9, V-1/V-2, M-4) costs no more than its head, however large the body
    // it declares (hyper closes the connection after answering when a body is left unread), and
    // its logged request size (cs-bytes) is the head alone.
    let received = Arc::new(AtomicU64::new(0));
    let body = if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        // The methods a fill may collapse (K-11), refresh in the background (T-10) or send to
        // a secondary origin (F-3) need their body more than once: held whole, up to
        // MAX_VIEWER_BODY (GET bodies are refused above, H-11).
        match crate::body::read_limited(&parts.headers, body, MAX_VIEWER_BODY).await {
            Ok(b) if b.is_empty() => OriginBody::Empty,
            Ok(b) => {
                received.store(b.len() as u64, Ordering::Relaxed);
                OriginBody::Full(b)
            }
            Err(crate::body::LimitError::TooLarge) => {
                return (tag(Reply::edge(EdgeError::BodyTooLarge, rid)), 0);
            }
            // §19-15: a body that is not valid HTTP is the viewer's fault.
            Err(crate::body::LimitError::Unreadable) => {
                return (tag(Reply::edge(EdgeError::MalformedBody, rid)), 0);
            }
        }
    } else if body.is_end_stream() {
        OriginBody::Empty
    } else {
        // spec M-5: POST, PUT, PATCH and DELETE go straight to one origin (no cache, no
        // collapsing, no failover): their body streams through as the viewer sends it, with
        // memory bounded whatever its size, counted for cs-bytes as it passes.
        let counter = received.clone();
        OriginBody::stream(
            body.map_frame(move |f| {
                if let Some(d) = f.data_ref() {
                    counter.fetch_add(d.len() as u64, Ordering::Relaxed);
                }
                f
            })
            .map_err(Into::into)
            .boxed_unsync(),
        )
    };
    let ViewerRequest {
        headers,
        query,
        accept_encoding,
    } = viewer_request(
        behavior,
        &cf_headers::Viewer {
            conn,
            version: parts.version,
            country: country.as_deref(),
            received: received_headers,
            facts,
        },
        received_query,
    );
    let cx = Ctx {
        conn: conn.clone(),
        method: parts.method.clone(),
        version: parts.version,
        path,
        query,
        headers,
        body,
        rid: rid_value.clone(),
        now,
        accept_encoding,
    };
    let reply = if behavior.caches(&cx.method) && !behavior.all_headers {
        cached(shared, dist, bi, &cx).await
    } else {
        // spec M-5 / K-10 `*`: straight to the origin, never stored.
        direct(shared, dist, behavior, &cx).await
    };
    // A streamed body has been read as far as the origin took it by the time it answered
    // (an origin answering early may still be reading the rest).
    let body_len = received.load(Ordering::Relaxed) as usize;
    (tag(reply), body_len)
}

/// What a function's event says of the distribution and the viewer (spec CF-7).
fn function_facts<'a>(dist: &'a Dist, conn: &Conn, rid: &'a str) -> crate::functions::Facts<'a> {
    crate::functions::Facts {
        distribution_id: &dist.distribution_id,
        domain: &dist.domain,
        request_id: rid,
        viewer_ip: conn.peer.ip().to_string(),
    }
}

/// spec §19-18: the length above which a whole object from a folder origin is streamed rather
/// than read into memory: the cache's capacity (a larger body could never be kept), but never
/// below C-4's largest compressible object, so that streaming changes nothing the viewer sees
/// (an object CloudFront would compress is still read whole and compressed).
fn stream_over(shared: &Shared) -> u64 {
    shared
        .store
        .capacity()
        .max(crate::compress::MAX_SIZE as u64)
}

/// The largest viewer request body the preview holds in memory (32 MiB). A preview limit, not
/// CloudFront's, and only for the bodies that are still held: those of GET, HEAD and OPTIONS
/// requests, which a fill may collapse (K-11) or refresh in the background (T-10), and an
/// origin group may send to its secondary (F-3), so they must be replayable. Above this such a
/// viewer gets 413 ([`EdgeError::BodyTooLarge`]) instead of the preview's memory growing with
/// the body. POST, PUT, PATCH and DELETE bodies are streamed to the origin as they arrive
/// ([`OriginBody::Stream`]) and have no limit.
pub const MAX_VIEWER_BODY: usize = 32 * 1024 * 1024;
