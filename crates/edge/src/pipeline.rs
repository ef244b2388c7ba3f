//! The request pipeline of spec §1, in order: host check, enabled flag, request limits, geo
//! restriction, default root object, behavior selection, viewer protocol policy, allowed
//! methods, cache key, lookup, origin request (with collapsing, revalidation, failover), TTL,
//! custom error responses, compression, CloudFront's response headers and the access log.
//!
//! [`handle`] is a plain async function over any request body, so tests drive it without a
//! socket; the server module only wires it to connections.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Request, Response, StatusCode, Version};

use crate::cf_headers::{self, Handshake, ViewerFacts};
use crate::clock::Clock;
use crate::compress;
use crate::dist::{Behavior, Dist, strip_port};
use crate::errors::EdgeError;
use crate::headers::{self as hdr, PolicyContext};
use crate::key::{AcceptEncoding, CacheKey, KeyInput, select_cookies, select_query};
use crate::lock::Collapser;
use crate::log::{Logger, Record};
use crate::origin::{self, Fetched, OriginBody, OriginError, OriginRequest};
use crate::outcome::ResultType;
use crate::range::{self, Range};
use crate::store::{Entry, Store};
use crate::ttl::{self, Storage};

/// The connection a request arrived on.
#[derive(Debug, Clone)]
pub struct Conn {
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub https: bool,
    /// The TLS handshake: ssl-protocol and ssl-cipher for the log, and spec H-9's
    /// CloudFront-Viewer-TLS and -JA3-Fingerprint.
    pub handshake: Option<Arc<Handshake>>,
}

/// What every request shares: the distribution in force, the cache, the clock and the log.
pub struct Shared {
    dist: RwLock<Arc<Dist>>,
    pub store: Store,
    pub collapser: Collapser<Arc<Outcome>>,
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

    /// an opaque per-request id (56 URL-safe characters like CloudFront's).
    fn request_id(&self) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let mut x = self.id_seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut out = String::with_capacity(56);
        for i in 0..56 {
            // xorshift64*: cheap, and distinct per request because `n` is mixed in.
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 58;
            out.push(ALPHABET[(v as usize + i) % 64] as char);
        }
        out
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
}

/// The response before CloudFront's headers are added.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    result: ResultType,
    /// x-edge-response-result-type (E-8: differs when an error page replaced the result).
    response_result: ResultType,
    detail: &'static str,
    /// generated by the edge.
    edge: bool,
    behavior: Option<usize>,
    age: Option<u64>,
    range: Option<(u64, u64)>,
    upstream_ms: Option<u128>,
}

impl Reply {
    fn edge(err: EdgeError, rid: &str) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        Reply {
            status: StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST),
            headers,
            body: Bytes::from(err.body(rid)),
            result: ResultType::Error,
            response_result: ResultType::Error,
            detail: err.detail(),
            edge: true,
            behavior: None,
            age: None,
            range: None,
            upstream_ms: None,
        }
    }

    fn from_entry(e: &Entry, result: ResultType, detail: &'static str) -> Self {
        Reply {
            status: e.status,
            headers: e.headers.clone(),
            body: e.body.clone(),
            result,
            response_result: result,
            detail,
            edge: false,
            behavior: None,
            age: None,
            range: None,
            upstream_ms: None,
        }
    }
}

/// Per-request facts the steps share.
struct Ctx<'a> {
    conn: &'a Conn,
    method: Method,
    version: Version,
    /// Raw path after D-1.
    path: String,
    query: Option<String>,
    /// Viewer headers, hop-by-hop stripped, with generated CloudFront-* headers (H-9).
    headers: HeaderMap,
    body: OriginBody,
    rid: String,
    now: SystemTime,
    accept_encoding: AcceptEncoding,
}

/// A [`Ctx`] without its connection borrow, for work that outlives the request (T-10).
struct OwnedCtx {
    method: Method,
    version: Version,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: OriginBody,
    rid: String,
    now: SystemTime,
    accept_encoding: AcceptEncoding,
}

impl OwnedCtx {
    fn from(cx: &Ctx<'_>) -> Self {
        Self {
            method: cx.method.clone(),
            version: cx.version,
            path: cx.path.clone(),
            query: cx.query.clone(),
            headers: cx.headers.clone(),
            body: cx.body.clone(),
            rid: cx.rid.clone(),
            now: cx.now,
            accept_encoding: cx.accept_encoding,
        }
    }

    fn borrow<'a>(&self, conn: &'a Conn) -> Ctx<'a> {
        Ctx {
            conn,
            method: self.method.clone(),
            version: self.version,
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            rid: self.rid.clone(),
            now: self.now,
            accept_encoding: self.accept_encoding,
        }
    }
}

pub(crate) fn version_str(v: Version) -> &'static str {
    match v {
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2.0",
        Version::HTTP_3 => "3.0",
        _ => "1.1",
    }
}

/// Handles one viewer request end to end, with what its connection knows about it (`facts`,
/// spec H-9). Never panics on request data: every failure is an edge-generated response.
pub async fn handle<B>(
    shared: Arc<Shared>,
    conn: Conn,
    facts: ViewerFacts,
    req: Request<B>,
) -> Response<Full<Bytes>>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<origin::BoxError>,
{
    let started = Instant::now();
    let now = shared.clock.now();
    let dist = shared.dist();
    let rid = shared.request_id();
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let header_bytes: usize = parts
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum::<usize>()
        + path_and_query.len()
        + parts.method.as_str().len()
        + 12;
    let (reply, body_len) = process(
        &shared,
        &dist,
        &conn,
        &facts,
        &parts,
        body,
        &host,
        &path_and_query,
        header_bytes,
        now,
        &rid,
    )
    .await;
    finish(
        &shared,
        &dist,
        &conn,
        &parts,
        reply,
        &host,
        header_bytes + body_len,
        started,
        now,
        rid,
    )
}

#[allow(clippy::too_many_arguments)]
async fn process<B>(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    conn: &Conn,
    facts: &ViewerFacts,
    parts: &hyper::http::request::Parts,
    body: B,
    host: &str,
    path_and_query: &str,
    header_bytes: usize,
    now: SystemTime,
    rid: &str,
) -> (Reply, usize)
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<origin::BoxError>,
{
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
            Err(crate::body::LimitError::Unreadable) => {
                return (tag(Reply::edge(EdgeError::BadRequest, rid)), 0);
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
            received: &parts.headers,
            facts,
        },
        parts.uri.query(),
    );
    let cx = Ctx {
        conn,
        method: parts.method.clone(),
        version: parts.version,
        path,
        query,
        headers,
        body,
        rid: rid.to_string(),
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

/// spec S-9: the viewer's country: its own `CloudFront-Viewer-Country` (no GeoIP locally), else
/// the `--viewer-country` stand-in.
pub(crate) fn viewer_country(received: &HeaderMap, fallback: Option<&str>) -> Option<String> {
    received
        .get("cloudfront-viewer-country")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_ascii_uppercase())
        .or_else(|| fallback.map(str::to_string))
}

/// spec D-1/D-2/§19-4 then P-1/P-3: the path after the default root object replaced exactly
/// `/`, and the index in [`Dist::behaviors`] of the first behavior matching it (the default,
/// last, when none does).
pub(crate) fn route(dist: &Dist, raw_path: &str) -> (String, usize) {
    let path = match (&dist.default_root, raw_path) {
        (Some(root), "/") => format!("/{root}"),
        _ => raw_path.to_string(),
    };
    let bi = dist
        .compiled
        .select(&path)
        .unwrap_or(dist.behaviors.len() - 1);
    (path, bi)
}

/// What the viewer protocol policy does with a request (spec V-1, V-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    Serve,
    /// 403 from the edge: `https-only` over HTTP (V-1), or an HTTP/1.0 request other than
    /// GET/HEAD under `redirect-to-https` (it cannot follow a 307).
    Refuse,
    /// `redirect-to-https` over HTTP: 301 for GET/HEAD, 307 for the other methods (V-2).
    Redirect(StatusCode),
}

/// spec V-1/V-2: the viewer protocol policy of behavior `b` for one request.
pub(crate) fn viewer_protocol(
    b: &Behavior,
    https: bool,
    version: Version,
    method: &Method,
) -> Protocol {
    if https {
        return Protocol::Serve;
    }
    match b.viewer_protocol_policy {
        "https-only" => Protocol::Refuse,
        "redirect-to-https" => {
            let get = matches!(*method, Method::GET | Method::HEAD);
            if version == Version::HTTP_10 && !get {
                Protocol::Refuse
            } else if get {
                Protocol::Redirect(StatusCode::MOVED_PERMANENTLY)
            } else {
                Protocol::Redirect(StatusCode::TEMPORARY_REDIRECT)
            }
        }
        _ => Protocol::Serve,
    }
}

/// The request as the cache key and the origin request see it, for behavior `b`.
pub(crate) struct ViewerRequest {
    /// The viewer's headers, hop-by-hop stripped, with the generated CloudFront-* headers
    /// (spec H-9).
    pub headers: HeaderMap,
    /// The query string, without signed-URL parameters (spec K-12).
    pub query: Option<String>,
    /// spec K-8: the normalised Accept-Encoding.
    pub accept_encoding: AcceptEncoding,
}

/// Builds the [`ViewerRequest`] of one request: the one place both the pipeline and the request
/// tester (`probe`) prepare what the key is computed from.
pub(crate) fn viewer_request(
    b: &Behavior,
    viewer: &cf_headers::Viewer<'_>,
    raw_query: Option<&str>,
) -> ViewerRequest {
    let mut headers = viewer.received.clone();
    hdr::strip_hop_by_hop(&mut headers);
    cf_headers::add(&mut headers, b, viewer);
    let accept_encoding = AcceptEncoding::normalise(
        &headers,
        b.key.gzip,
        b.key.br,
        viewer.version == Version::HTTP_10,
    );
    let query = if b.signed {
        strip_signed_url_params(raw_query)
    } else {
        raw_query.map(str::to_string)
    };
    ViewerRequest {
        headers,
        query,
        accept_encoding,
    }
}

/// spec K-1…K-8, M-3: the object's cache key under behavior `b` (see [`KeyRecipe::key`]).
///
/// [`KeyRecipe::key`]: crate::key::KeyRecipe::key
pub(crate) fn cache_key(
    dist: &Dist,
    b: &Behavior,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    accept_encoding: AcceptEncoding,
) -> CacheKey {
    b.key.key(&KeyInput {
        domain: &dist.domain,
        method,
        path,
        query,
        headers,
        accept_encoding,
    })
}

/// The largest viewer request body the preview holds in memory (32 MiB). A preview limit, not
/// CloudFront's, and only for the bodies that are still held: those of GET, HEAD and OPTIONS
/// requests, which a fill may collapse (K-11) or refresh in the background (T-10), and an
/// origin group may send to its secondary (F-3), so they must be replayable. Above this such a
/// viewer gets 413 ([`EdgeError::BodyTooLarge`]) instead of the preview's memory growing with
/// the body. POST, PUT, PATCH and DELETE bodies are streamed to the origin as they arrive
/// ([`OriginBody::Stream`]) and have no limit.
pub const MAX_VIEWER_BODY: usize = 32 * 1024 * 1024;

/// spec K-12/H-10: the signed-URL parameters never reach the key or the origin. (The signature
/// itself is not verified: signed URLs are out of scope locally, S-13.)
fn strip_signed_url_params(query: Option<&str>) -> Option<String> {
    let kept: Vec<&str> = query?
        .split('&')
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("");
            !p.is_empty() && !matches!(name, "Expires" | "Key-Pair-Id" | "Policy" | "Signature")
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("&"))
}

/// spec V-2: 301 for GET/HEAD, 307 for the other methods (HTTP/1.1+), to the HTTPS URL.
fn redirect(
    shared: &Shared,
    status: StatusCode,
    host: &str,
    path_and_query: &str,
    rid: &str,
) -> Reply {
    let name = strip_port(host);
    // §19-10 decision: same host and path; the port becomes the HTTPS listener's.
    let location = match *shared.https_port.read().unwrap_or_else(|e| e.into_inner()) {
        Some(443) | None => format!("https://{name}{path_and_query}"),
        Some(p) => format!("https://{name}:{p}{path_and_query}"),
    };
    let mut reply = Reply::edge(EdgeError::BadRequest, rid);
    reply.status = status;
    reply.body = Bytes::from(format!(
        "<html>\n<head><title>{status}</title></head>\n<body>\n<center><h1>{status}</h1></center>\n<hr><center>CloudFront</center>\n</body>\n</html>\n"
    ));
    if let Ok(v) = HeaderValue::from_str(&location) {
        reply.headers.insert(header::LOCATION, v);
    }
    // spec V-3: result type Redirect.
    reply.result = ResultType::Redirect;
    reply.response_result = ResultType::Redirect;
    reply.detail = "Redirect";
    reply
}

/// Headers that a cacheable request never forwards: the edge answers conditionals and ranges
/// itself from its entries (R-6 decision: viewer validators are evaluated against the cached
/// object). A ranged miss gets its one valid range back, in canonical form (G-2, see `fill`).
const EDGE_ANSWERED: &[&str] = &[
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-range",
    "if-unmodified-since",
    "range",
    "request-range",
];

/// spec §12 H-1…H-7, K-3…K-10: the origin request for this behavior.
fn origin_request(dist: &Dist, b: &Behavior, cx: &Ctx<'_>, cacheable: bool) -> OriginRequest {
    let mut out = HeaderMap::with_capacity(cx.headers.len() + 6);
    let options_cached = b.cached.contains(&Method::OPTIONS);
    for (name, value) in cx.headers.iter() {
        let n = name.as_str();
        if hdr::ALWAYS_REMOVED.contains(&n)
            || n.starts_with("x-edge-")
            || n.starts_with("x-amz-cf-")
        {
            continue;
        }
        let configured = b.names_header(n);
        let forward = match n {
            // H-1: Host only when forwarded; otherwise the origin's domain (set per origin).
            "host" => configured,
            // K-7 and K-8 are rebuilt below.
            "cookie" | "x-forwarded-for" | "via" => false,
            "accept-encoding" if b.key.gzip || b.key.br => false,
            // H-6: Authorization per method.
            "authorization" => match cx.method {
                Method::GET | Method::HEAD => configured,
                Method::OPTIONS if options_cached => configured,
                _ => true,
            },
            _ if cacheable && EDGE_ANSWERED.contains(&n) => false,
            // H-9: CloudFront-* only when named.
            _ if n.starts_with("cloudfront-") => configured,
            _ if configured => true,
            // §19-12 decision: legacy forwards the header table and other custom headers;
            // policies forward only what they list plus framing, validators and cache control.
            _ if b.forward.legacy => {
                hdr::ALWAYS_FORWARDED_LEGACY.contains(&n)
                    || !hdr::REMOVED_UNLESS_CONFIGURED.contains(&n)
            }
            _ => hdr::ALWAYS_FORWARDED_POLICY.contains(&n),
        };
        if forward {
            out.append(name.clone(), value.clone());
        }
    }
    if let Some(c) = select_cookies(&cx.headers, &b.forward.cookies)
        && let Ok(v) = HeaderValue::from_str(&c)
    {
        out.insert(header::COOKIE, v);
    }
    // spec K-8: the normalised Accept-Encoding (identity when the viewer accepts none).
    if (b.key.gzip || b.key.br)
        && let Some(ae) = cx.accept_encoding.header_value()
    {
        out.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(ae));
    }
    // spec H-3: X-Forwarded-For appended, Via, X-Amz-Cf-Id, User-Agent.
    let ip = cx.conn.peer.ip().to_string();
    let xff = match cx
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
    {
        Some(prev) => format!("{prev}, {ip}"),
        None => ip,
    };
    if let Ok(v) = HeaderValue::from_str(&xff) {
        out.insert("x-forwarded-for", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{} {} (CloudFront)",
        version_str(cx.version),
        dist.via
    )) {
        out.insert(header::VIA, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cx.rid) {
        out.insert("x-amz-cf-id", v);
    }
    if !out.contains_key(header::USER_AGENT) {
        out.insert(
            header::USER_AGENT,
            HeaderValue::from_static("Amazon CloudFront"),
        );
    }
    // spec H-2/K-4: path after D-1, query only as selected.
    let mut pq = cx.path.clone();
    if let Some(q) = select_query(cx.query.as_deref(), &b.forward.query) {
        pq.push('?');
        pq.push_str(&q);
    }
    // spec H-4: the length the viewer declared; a chunked viewer body goes chunked.
    if let Some(n) = cx.body.content_length() {
        out.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    OriginRequest {
        method: cx.method.clone(),
        path_and_query: pq,
        headers: out,
        body: cx.body.clone(),
        viewer_https: cx.conn.https,
    }
}

/// Sends to a behavior's target: an origin, or an origin group with failover (spec §14).
async fn send(
    shared: &Shared,
    dist: &Dist,
    target: &str,
    req: &OriginRequest,
) -> Result<Fetched, OriginError> {
    if let Some(group) = dist.groups.get(target) {
        let primary = send_one(shared, dist, &group.primary, req).await;
        // spec F-3: only GET, HEAD and OPTIONS fail over.
        if !matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return primary;
        }
        // spec F-2: a listed status, a connection failure or a timeout.
        let fail = match &primary {
            Ok(f) => group.codes.contains(&f.status.as_u16()),
            Err(_) => true,
        };
        if fail {
            return send_one(shared, dist, &group.secondary, req).await;
        }
        return primary;
    }
    send_one(shared, dist, target, req).await
}

async fn send_one(
    shared: &Shared,
    dist: &Dist,
    origin_id: &str,
    req: &OriginRequest,
) -> Result<Fetched, OriginError> {
    let Some(o) = dist.origins.get(origin_id) else {
        return Err(OriginError::Connect);
    };
    shared.origin_requests.fetch_add(1, Ordering::Relaxed);
    let mut req = req.clone();
    if !req.headers.contains_key(header::HOST) {
        // spec H-1: the origin's DomainName.
        if let Ok(v) = HeaderValue::from_str(&o.domain_name) {
            req.headers.insert(header::HOST, v);
        }
    }
    // spec H-7: custom headers overwrite the viewer's.
    for (n, v) in &o.custom_headers {
        req.headers.insert(n.clone(), v.clone());
    }
    origin::fetch(o, &req).await
}

/// Cacheable methods: lookup, then fill with collapsing (K-11) or serve.
async fn cached(shared: &Arc<Shared>, dist: &Arc<Dist>, bi: usize, cx: &Ctx<'_>) -> Reply {
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
        let (shared2, dist2, conn2, entry) =
            (shared.clone(), dist.clone(), cx.conn.clone(), e.clone());
        let owned = OwnedCtx::from(cx);
        let key2 = key.clone();
        tokio::spawn(async move {
            let cx = owned.borrow(&conn2);
            let b = &dist2.behaviors[bi];
            let _ = shared2
                .collapser
                .run(&key2, || {
                    fill(&shared2, &dist2, b, &cx, key2.clone(), Some(entry), None)
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
fn serve_outcome(o: &Outcome, cx: &Ctx<'_>, range: Option<&str>) -> Reply {
    let mut r = serve_entry_with(&o.entry, cx, o.result, o.detail, range);
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
async fn collapsed_fill(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx<'_>,
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
        })
    }
}

/// spec G-1/G-2: a GET for one valid range when no copy of the whole object is cached: served
/// from a fresh cached range that holds it, else forwarded with the range (collapsed per
/// object and range, K-11).
async fn ranged(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx<'_>,
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
fn stale_usable(e: &Entry, now: SystemTime) -> bool {
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
async fn fill(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx<'_>,
    key: CacheKey,
    stale: Option<Arc<Entry>>,
    mut range: Option<range::Wanted>,
) -> Arc<Outcome> {
    let mut req = origin_request(dist, b, cx, true);
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
        })
    };
    if let Some(want) = range
        && let Ok(f) = &res
        && f.status == StatusCode::PARTIAL_CONTENT
    {
        return partial(shared, dist, b, cx, &key, want, f, now, upstream_ms).await;
    }
    match res {
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
                    ..clone_entry(s)
                },
                Storage::DontStore(_) => Entry {
                    headers,
                    stored_at: now,
                    ttl: Duration::ZERO,
                    revalidate: true,
                    ..clone_entry(s)
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
                .map(clone_entry)
                .unwrap_or_else(|| unreachable_entry(&f));
            let min = dist.errors.min_ttl(f.status.as_u16());
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
                ttl::decide_error(status, &f.headers, dist.errors.min_ttl(status), b.ttl, now)
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
                    Arc::new(Entry {
                        stored_at: s.stored_at,
                        ..clone_entry(s)
                    }),
                    ResultType::RefreshHit,
                    "RefreshHit",
                    true,
                );
            }
            let err = e.edge_error();
            let status = err.status();
            let (st, headers, body) = origin_error_response(shared, dist, err, cx, now).await;
            // spec O-5/E-3: 502/504 are error-cached for ErrorCachingMinTTL.
            let min = dist.errors.min_ttl(status);
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
    }
}

/// spec G-2: the origin's 206 to a forwarded range: checked against the request, passed
/// through, and stored as a range entry of the object keyed `key` when it is complete and §7
/// lets it be cached (the same TTL decision as for the whole object).
#[allow(clippy::too_many_arguments)]
async fn partial(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx<'_>,
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
    })
}

/// The response for an origin failure the edge reports itself (O-5): the custom error page
/// for its status when one is configured (E-12), else the edge's own page.
async fn origin_error_response(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    err: EdgeError,
    cx: &Ctx<'_>,
    now: SystemTime,
) -> (StatusCode, HeaderMap, Bytes) {
    let status = err.status();
    match error_page(shared, dist, status, now, cx.conn.https).await {
        Some(p) => p,
        None => {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            // generated by the edge (kept when the error is replayed from cache).
            h.insert(header::SERVER, HeaderValue::from_static("CloudFront"));
            (
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                h,
                // Stored (error caching, E-3): exact size, like origin bodies.
                crate::body::exact_vec(err.body(&cx.rid).into_bytes()),
            )
        }
    }
}

fn unreachable_entry(f: &Fetched) -> Entry {
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

fn clone_entry(s: &Entry) -> Entry {
    Entry {
        status: s.status,
        headers: s.headers.clone(),
        body: s.body.clone(),
        stored_at: s.stored_at,
        ttl: s.ttl,
        revalidate: s.revalidate,
        stale_if_error: s.stale_if_error,
        stale_while_revalidate: s.stale_while_revalidate,
        error: s.error,
        path: s.path.clone(),
        query: s.query.clone(),
        behavior: s.behavior.clone(),
        vary_star: s.vary_star,
        range: s.range,
    }
}

/// Builds the entry to serve/store: hop-by-hop stripped, compressed when allowed (§11).
#[allow(clippy::too_many_arguments)]
fn make_entry(
    b: &Behavior,
    cx: &Ctx<'_>,
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
fn build_entry(
    b: &Behavior,
    cx: &Ctx<'_>,
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
        behavior: b.label.clone(),
        vary_star,
        range: None,
    }
}

/// spec E-6/E-7: the custom error page for `status`, fetched through the first behavior that
/// matches its path (and cached under its own key there). None when no page is configured.
async fn error_page(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    status: u16,
    now: SystemTime,
    viewer_https: bool,
) -> Option<(StatusCode, HeaderMap, Bytes)> {
    let (page, code) = dist.errors.page(status)?;
    let page = page.to_string();
    let pb = dist.behavior_for(&page);
    let empty = HeaderMap::new();
    let key = cache_key(
        dist,
        pb,
        &Method::GET,
        &page,
        None,
        &empty,
        AcceptEncoding::Absent,
    );
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    if let Some(e) = shared
        .store
        .get(&key)
        .await
        .filter(|e| e.is_fresh(now) && e.status.is_success())
    {
        return Some((code, e.headers.clone(), e.body.clone()));
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::USER_AGENT,
        HeaderValue::from_static("Amazon CloudFront"),
    );
    let req = OriginRequest {
        method: Method::GET,
        path_and_query: page.clone(),
        headers,
        body: OriginBody::Empty,
        // spec O-2: the error page comes over the protocol the viewer used.
        viewer_https,
    };
    match send(shared, dist, &pb.target, &req).await {
        Ok(f) if f.status.is_success() => {
            let mut h = hdr::detach(&f.headers);
            hdr::strip_hop_by_hop(&mut h);
            if let Storage::Store { ttl, revalidate } = ttl::decide(&h, pb.ttl, now) {
                let entry = Entry {
                    status: f.status,
                    headers: h.clone(),
                    body: f.body.clone(),
                    stored_at: now,
                    ttl,
                    revalidate,
                    stale_if_error: None,
                    stale_while_revalidate: None,
                    error: false,
                    path: page,
                    query: None,
                    behavior: pb.label.clone(),
                    vary_star: false,
                    range: None,
                };
                shared.store.insert(key, Arc::new(entry)).await;
            }
            Some((code, h, f.body))
        }
        // spec E-7: the page is unavailable → the status the error-page origin returned.
        Ok(f) => Some((f.status, f.headers, f.body)),
        Err(e) => {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            let err = e.edge_error();
            Some((
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_GATEWAY),
                h,
                crate::body::exact_vec(err.body("").into_bytes()),
            ))
        }
    }
}

/// Edge-generated errors may use custom error pages too (E-12, and O-5 502/504).
async fn with_error_page(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    mut reply: Reply,
    now: SystemTime,
    viewer_https: bool,
) -> Reply {
    if let Some((status, headers, body)) =
        error_page(shared, dist, reply.status.as_u16(), now, viewer_https).await
    {
        reply.status = status;
        reply.headers = headers;
        reply.body = body;
        reply.edge = false;
    }
    reply
}

/// Non-cacheable requests (M-5): forwarded with their body, never stored.
async fn direct(shared: &Arc<Shared>, dist: &Arc<Dist>, b: &Behavior, cx: &Ctx<'_>) -> Reply {
    let req = origin_request(dist, b, cx, false);
    let started = Instant::now();
    let res = send(shared, dist, &b.target, &req).await;
    let upstream_ms = Some(started.elapsed().as_millis());
    let mut reply = match res {
        Ok(f) if f.status.as_u16() >= 400 => {
            let status = f.status.as_u16();
            let mut headers = f.headers;
            hdr::strip_hop_by_hop(&mut headers);
            let mut r = Reply {
                status: f.status,
                headers,
                body: f.body,
                result: ResultType::Error,
                response_result: ResultType::Error,
                detail: "Error",
                edge: false,
                behavior: None,
                age: None,
                range: None,
                upstream_ms,
            };
            if let Some((s, h, body)) =
                error_page(shared, dist, status, cx.now, cx.conn.https).await
            {
                r.status = s;
                r.headers = h;
                r.body = body;
            }
            r
        }
        Ok(f) => {
            let mut headers = f.headers;
            hdr::strip_hop_by_hop(&mut headers);
            let mut r = Reply {
                status: f.status,
                headers,
                body: f.body,
                result: ResultType::Miss,
                response_result: ResultType::Miss,
                detail: "Miss",
                edge: false,
                behavior: None,
                age: None,
                range: None,
                upstream_ms,
            };
            if cx.method == Method::HEAD {
                r.body = Bytes::new();
            }
            r
        }
        Err(e) => {
            with_error_page(
                shared,
                dist,
                Reply::edge(e.edge_error(), &cx.rid),
                cx.now,
                cx.conn.https,
            )
            .await
        }
    };
    reply.upstream_ms = upstream_ms;
    reply
}

/// Serves a stored (or just fetched) object: viewer conditionals, ranges (G-1…G-5) and
/// HEAD (G-7).
fn serve_entry(e: &Entry, cx: &Ctx<'_>, result: ResultType, detail: &'static str) -> Reply {
    serve_entry_with(e, cx, result, detail, viewer_range(cx))
}

/// The viewer's `Range` header, when it is text.
fn viewer_range<'a>(cx: &'a Ctx<'_>) -> Option<&'a str> {
    cx.headers.get(header::RANGE).and_then(|v| v.to_str().ok())
}

/// [`serve_entry`] answering `range` rather than the viewer's `Range`: None serves the entry
/// whole (spec G-2: the viewer whose range the origin ignored gets the full 200).
fn serve_entry_with(
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
fn not_modified_reply(e: &Entry, mut r: Reply) -> Reply {
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
fn if_range_holds(viewer: &HeaderMap, e: &Entry) -> bool {
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
fn http_date(headers: &HeaderMap, name: HeaderName) -> Option<SystemTime> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
}

/// If-None-Match (weak comparison), else If-Modified-Since.
fn not_modified(viewer: &HeaderMap, e: &Entry) -> bool {
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

/// spec X-1…X-8 and Appendix A: CloudFront's response headers, the response headers policy,
/// the counters and the access log.
#[allow(clippy::too_many_arguments)]
fn finish(
    shared: &Shared,
    dist: &Dist,
    conn: &Conn,
    parts: &hyper::http::request::Parts,
    mut reply: Reply,
    host: &str,
    cs_bytes: usize,
    started: Instant,
    now: SystemTime,
    rid: String,
) -> Response<Full<Bytes>> {
    let behavior = reply.behavior.and_then(|i| dist.behaviors.get(i));
    let mut headers = std::mem::take(&mut reply.headers);
    if !reply.edge {
        if let Some(b) = behavior {
            // Set-Cookie removed when cookies are not forwarded.
            if b.forward.cookies.is_none() {
                headers.remove(header::SET_COOKIE);
            }
            // Vary keeps Accept-Encoding, Cookie, forwarded headers, and User-Agent when
            // the device-type headers are forwarded (they are derived from it).
            let vary: Vec<String> = headers
                .get_all(header::VARY)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|t| t.trim().to_string())
                .filter(|t| {
                    let l = t.to_ascii_lowercase();
                    l == "accept-encoding"
                        || l == "cookie"
                        || l == "*"
                        || b.names_header(&l)
                        || (l == "user-agent" && cf_headers::device_headers_named(b))
                })
                .collect();
            headers.remove(header::VARY);
            let mut seen: Vec<String> = Vec::new();
            for t in vary {
                if !seen.iter().any(|s| s.eq_ignore_ascii_case(&t)) {
                    seen.push(t);
                }
            }
            if !seen.is_empty()
                && let Ok(v) = HeaderValue::from_str(&seen.join(", "))
            {
                headers.insert(header::VARY, v);
            }
        }
    } else {
        //
        headers.insert(header::SERVER, HeaderValue::from_static("CloudFront"));
    }
    // Via replaces the origin's.
    headers.insert(header::VIA, dist.via_header(parts.version));
    if let Some(b) = behavior
        && let Some(p) = &b.response_headers
    {
        let preflight = parts.method == Method::OPTIONS
            && parts
                .headers
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let cx = PolicyContext {
            origin: parts
                .headers
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok()),
            preflight,
            cache_status: reply.result.server_timing(),
            pop: &shared.pop,
            request_id: &rid,
            upstream_ms: reply.upstream_ms,
        };
        hdr::apply_policy(p, &mut headers, &cx);
    }
    // X-1, X-3 (after the policy: X-8 says a policy cannot touch them).
    headers.insert("x-cache", HeaderValue::from_static(reply.result.x_cache()));
    headers.insert("x-amz-cf-pop", shared.pop_header.clone());
    if let Ok(v) = HeaderValue::from_str(&rid) {
        headers.insert("x-amz-cf-id", v);
    }
    // Age on hits, omitted when 0.
    headers.remove(header::AGE);
    if let Some(age) = reply.age.filter(|a| *a > 0) {
        headers.insert(header::AGE, HeaderValue::from(age));
    }
    // spec H-12: over the limits "the connection is closed".
    if matches!(reply.status.as_u16(), 413 | 494) {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let head = parts.method == Method::HEAD;
    let len = reply.body.len();
    if reply.status != StatusCode::NOT_MODIFIED {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    } else {
        headers.remove(header::CONTENT_LENGTH);
    }
    let body = if head || reply.status == StatusCode::NOT_MODIFIED {
        Bytes::new()
    } else {
        reply.body
    };
    let header_len: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum::<usize>()
        + 17;
    let sc_bytes = (header_len + body.len()) as u64;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let status = reply.status.as_u16();
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = reply.status;
    *response.headers_mut() = headers;

    let label = behavior
        .map(|b| b.label.clone())
        .unwrap_or_else(|| "-".to_string());
    if let Some(b) = behavior {
        b.counters.record(reply.result.as_str(), sc_bytes);
        if reply.upstream_ms.is_some() {
            b.counters.origin_requests.fetch_add(1, Ordering::Relaxed);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let h = |n: header::HeaderName| {
        parts
            .headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (date, time) = crate::log::utc_date_time(now);
    shared.logger.log(Record {
        seq: 0,
        at: now,
        time: format!("{date}T{time}Z"),
        pop: shared.pop.clone(),
        sc_bytes,
        client_ip: conn.peer.ip().to_string(),
        client_port: conn.peer.port(),
        method: parts.method.as_str().to_string(),
        host: dist.domain_arc.clone(),
        path: parts.uri.path().to_string(),
        status,
        referer: h(header::REFERER),
        user_agent: h(header::USER_AGENT),
        query: parts.uri.query().map(str::to_string),
        // S-8: cookies only with IncludeCookies; never Authorization.
        cookie: if dist.log_cookies {
            h(header::COOKIE)
        } else {
            None
        },
        result_type: reply.result.as_str(),
        request_id: rid,
        host_header: host.to_string(),
        protocol: if conn.https { "https" } else { "http" },
        cs_bytes: cs_bytes as u64,
        time_taken: elapsed,
        forwarded_for: h(HeaderName::from_static("x-forwarded-for")),
        ssl_protocol: conn.handshake.as_ref().map(|h| h.protocol),
        ssl_cipher: conn.handshake.as_ref().map(|h| h.cipher.to_string()),
        response_result_type: reply.response_result.as_str(),
        protocol_version: match parts.version {
            Version::HTTP_10 => "HTTP/1.0",
            Version::HTTP_2 => "HTTP/2.0",
            _ => "HTTP/1.1",
        },
        ttfb: elapsed,
        detailed_result_type: reply.detail,
        content_type,
        content_len: Some(len as u64),
        range: reply.range,
        behavior: label,
    });
    response
}
