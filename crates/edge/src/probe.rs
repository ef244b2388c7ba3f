//! The request tester of the desktop app's Preview tab: [`EdgeHandle::explain`] says what the
//! preview will do with a request before it is sent (which behavior, what the viewer protocol
//! policy does, the cache key, the TTL settings, where the origin request goes), [`send`] sends
//! it to the running preview over a real socket, and [`ttl_decision`] then says what the cache
//! did with the response and why.
//!
//! Nothing here decides anything on its own: routing, the viewer protocol policy, the country,
//! the headers the key sees and the key itself come from the same functions the pipeline uses
//! (`pipeline::route`, `viewer_protocol`, `viewer_country`, `viewer_request`, `cache_key`), and
//! the TTL words from [`ttl::explain`], so the explanation cannot drift from what is served.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Request, Version};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};

use cfconsole_model::pattern::{Selection, select_behavior};
use cfconsole_model::{BehaviorView, PolicyKind};

use crate::cf_headers::{Viewer, ViewerFacts};
use crate::dist::{Behavior, Dist, Geo, Override};
use crate::handle::EdgeHandle;
use crate::origin::Target;
use crate::outcome::ResultType;
use crate::pipeline::{self, Conn, Protocol};
use crate::server::Edge;
use crate::ttl::{self, Storage, TtlSettings};

/// A request as the tester composes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeRequest {
    pub method: String,
    /// The URL path, starting with `/` (a `?query` here is used when `query` is None).
    pub path: String,
    /// The raw query string, without the `?`.
    pub query: Option<String>,
    /// Extra request headers, sent in this order after `Host` (a `Host` here replaces it).
    pub headers: Vec<(String, String)>,
    /// Send to the HTTPS listener.
    pub https: bool,
    /// Sent as `CloudFront-Viewer-Country` (the preview has no GeoIP, spec S-9).
    pub country: Option<String>,
}

impl ProbeRequest {
    /// `GET path` over HTTP, without extra headers.
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: "GET".into(),
            path: path.into(),
            query: None,
            headers: Vec::new(),
            https: false,
            country: None,
        }
    }

    /// The path and the query string, split as the edge splits them.
    fn path_and_query(&self) -> (&str, Option<&str>) {
        match self.path.split_once('?') {
            Some((p, q)) => (p, self.query.as_deref().or(Some(q))),
            None => (&self.path, self.query.as_deref()),
        }
    }
}

/// What the preview will do with a [`ProbeRequest`], in words the Preview tab shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The behavior chosen and the earlier patterns passed over, with why (spec P-1).
    pub selection: Selection,
    /// The behavior's pattern as `Record::behavior` and `EntryInfo::behavior` print it (`*` for
    /// the default behavior).
    pub behavior_label: String,
    /// spec M-1/M-4: the method is in the behavior's AllowedMethods (else 403 from the edge).
    pub method_allowed: bool,
    /// spec M-2/M-5, K-10: the response is looked up in and stored to the cache.
    pub method_cached: bool,
    /// What the viewer protocol policy does: "served", "redirected to HTTPS (301)", "refused
    /// (403)", with the rule.
    pub protocol: String,
    /// The cache key the pipeline computes, as the cache browser prints it
    /// ([`crate::store::EntryInfo::key`]); None when the method is not cached.
    pub cache_key: Option<String>,
    /// The behavior's TTL settings in words, with where they come from.
    pub ttl: String,
    /// spec C-1: edge compression is enabled for the behavior.
    pub compress: bool,
    /// The target origin or origin group, and where its requests go.
    pub origin: String,
    /// Some(reason) when the geo restriction refuses the viewer's country (spec S-9).
    pub geo: Option<String>,
}

/// The response the preview sent back to [`send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResponse {
    pub status: u16,
    /// The reason phrase of the status line.
    pub reason: String,
    /// The response headers, in the order received (values of one name together).
    pub headers: Vec<(String, String)>,
    /// The body, at most [`BODY_KEPT`] bytes of it.
    pub body: Bytes,
    /// The whole body's length as read.
    pub body_len: u64,
    /// The body was longer than [`BODY_KEPT`] and was cut.
    pub truncated: bool,
    /// From connecting to the end of the body.
    pub elapsed: Duration,
}

impl ProbeResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How much of a response body [`send`] keeps: 1 MiB.
pub const BODY_KEPT: usize = 1024 * 1024;

/// The request headers as [`send`] sends them: `Host` (the distribution's domain), the given
/// headers, and `CloudFront-Viewer-Country` when a country is set. Err names the bad field.
fn request_headers(req: &ProbeRequest, domain: &str) -> Result<HeaderMap, String> {
    let mut out = HeaderMap::new();
    let host = HeaderValue::from_str(domain)
        .map_err(|_| format!("the domain name {domain:?} cannot be a Host header"))?;
    out.insert(header::HOST, host);
    for (n, v) in &req.headers {
        let name = HeaderName::from_bytes(n.trim().as_bytes())
            .map_err(|_| format!("header name {n:?} is not a valid HTTP header name"))?;
        let value = HeaderValue::from_str(v.trim())
            .map_err(|_| format!("the value of header {n:?} is not valid: {v:?}"))?;
        if name == header::HOST {
            out.insert(name, value);
        } else {
            out.append(name, value);
        }
    }
    if let Some(c) = &req.country {
        let c = c.trim();
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!("country {c:?} is not a two-letter country code"));
        }
        out.insert(
            "cloudfront-viewer-country",
            HeaderValue::from_str(&c.to_ascii_uppercase())
                .map_err(|_| format!("country {c:?} is not a two-letter country code"))?,
        );
    }
    Ok(out)
}

/// Like [`request_headers`] but leaving out what is not valid (explain never fails; send says
/// which field is wrong).
fn lenient_headers(req: &ProbeRequest, domain: &str) -> HeaderMap {
    let mut out = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(domain) {
        out.insert(header::HOST, v);
    }
    for (n, v) in &req.headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(n.trim().as_bytes()),
            HeaderValue::from_str(v.trim()),
        ) else {
            continue;
        };
        if name == header::HOST {
            out.insert(name, value);
        } else {
            out.append(name, value);
        }
    }
    if let Some(c) = &req.country
        && let Ok(v) = HeaderValue::from_str(&c.trim().to_ascii_uppercase())
    {
        out.insert("cloudfront-viewer-country", v);
    }
    out
}

/// Seconds in words: `0 s`, `1 day`, `1 year`, `2 hours`, `90 s`.
fn duration_words(secs: u64) -> String {
    const UNITS: &[(u64, &str)] = &[
        (31_536_000, "year"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
    ];
    for (n, unit) in UNITS {
        if secs >= *n && secs.is_multiple_of(*n) {
            let k = secs / n;
            return format!("{k} {unit}{}", if k == 1 { "" } else { "s" });
        }
    }
    format!("{secs} s")
}

/// The behavior's settings in the config, for the cache policy's name.
fn view<'a>(dist: &'a Dist, b: &Behavior) -> BehaviorView<'a> {
    match b.index.and_then(|i| {
        dist.config
            .cache_behaviors
            .as_ref()?
            .items()
            .get(i)
            .map(|c| (i, c))
    }) {
        Some((i, c)) => BehaviorView::ordered(i, c),
        None => BehaviorView::default_behavior(&dist.config.default_cache_behavior),
    }
}

fn ttl_words(control: &EdgeHandle, dist: &Dist, b: &Behavior) -> String {
    let TtlSettings { min, default, max } = b.ttl;
    let values = format!(
        "MinTTL {}, DefaultTTL {}, MaxTTL {}",
        duration_words(min),
        duration_words(default),
        duration_words(max)
    );
    let source = match view(dist, b).cache_policy() {
        Some(id) => {
            let policies = control.policies();
            let name = policies
                .cache_policy(id)
                .map(|p| p.cache_policy_config.name.clone())
                .unwrap_or_else(|| id.to_string());
            let kind = if cfconsole_model::policies::is_managed(PolicyKind::Cache, id) {
                ""
            } else {
                "custom "
            };
            format!("{kind}cache policy {name}")
        }
        None => "legacy MinTTL/DefaultTTL/MaxTTL of the behavior, spec T-2 defaults".to_string(),
    };
    let mut out = format!("{values} ({source})");
    if b.all_headers {
        out.push_str("; nothing is cached: legacy ForwardedValues Headers [\"*\"] (spec K-10)");
    } else if b.ttl.caching_disabled() {
        out.push_str("; all three are 0: caching disabled (spec T-6)");
    }
    out
}

/// Where requests to origin `id` go, for an HTTPS viewer or not (spec O-2).
fn origin_words(control: &EdgeHandle, dist: &Dist, id: &str, https: bool) -> String {
    let path = dist
        .origins
        .get(id)
        .map(|o| o.origin_path.clone())
        .filter(|p| !p.is_empty())
        .map(|p| format!(", OriginPath {p} prepended (spec O-1)"))
        .unwrap_or_default();
    if let Some(o) = control.overrides().get(id) {
        return match o {
            Override::Folder(p) => format!("{id} → folder {} (override){path}", p.display()),
            Override::Url { authority } => format!("{id} → http://{authority} (override){path}"),
            Override::HttpsUrl { authority } => {
                format!("{id} → https://{authority} (override){path}")
            }
        };
    }
    let Some(o) = dist.origins.get(id) else {
        return format!("{id} → no such origin (502)");
    };
    let to = match &o.target {
        Target::Http { authority } => format!("http://{authority}"),
        Target::Https { authority } => format!("https://{authority}"),
        Target::MatchViewer { http, https: s } => {
            if https {
                format!("https://{s} (match-viewer, spec O-2)")
            } else {
                format!("http://{http} (match-viewer, spec O-2)")
            }
        }
        Target::Folder(p) => format!("folder {}", p.display()),
    };
    format!("{id} → {} at {to}{path}", o.domain_name)
}

fn target_words(control: &EdgeHandle, dist: &Dist, target: &str, https: bool) -> String {
    match dist.groups.get(target) {
        Some(g) => {
            let codes: Vec<String> = g.codes.iter().map(u16::to_string).collect();
            format!(
                "origin group {target}: primary {}, then secondary {} on a connection failure, \
                 a timeout or status {} (spec F-1, F-2)",
                origin_words(control, dist, &g.primary, https),
                origin_words(control, dist, &g.secondary, https),
                if codes.is_empty() {
                    "-".to_string()
                } else {
                    codes.join(", ")
                }
            )
        }
        None => origin_words(control, dist, target, https),
    }
}

fn geo_words(geo: &Geo, country: &str) -> String {
    let (kind, list) = match geo {
        Geo::Allow(l) => ("allow list", l),
        Geo::Block(l) => ("block list", l),
        Geo::None => ("none", &Vec::new()),
    };
    format!(
        "country {country} is refused by the geo restriction ({kind}: {}): 403 from the edge \
         (spec S-9, E-12)",
        list.join(", ")
    )
}

impl EdgeHandle {
    /// What the preview will do with `req`, without sending it. The cache key is computed by
    /// the pipeline's own functions on the headers [`send`] would send; CloudFront-* headers
    /// that depend on the connection (`CloudFront-Viewer-Address`, TLS facts) cannot be known
    /// before connecting, so a behavior that keys one of them gets a different key when sent.
    pub fn explain(&self, req: &ProbeRequest) -> Explanation {
        let dist = self.shared().dist();
        let (raw_path, raw_query) = req.path_and_query();
        let selection = select_behavior(&dist.config, raw_path);
        let (path, bi) = pipeline::route(&dist, raw_path);
        let b = &dist.behaviors[bi];
        let method = Method::from_bytes(req.method.trim().as_bytes()).ok();
        let method_allowed = method.as_ref().is_some_and(|m| b.allows(m));
        let method_cached = method
            .as_ref()
            .is_some_and(|m| method_allowed && b.caches(m) && !b.all_headers);
        let received = lenient_headers(req, &dist.domain);
        let country = pipeline::viewer_country(&received, self.shared().viewer_country.as_deref());
        let geo = country
            .as_deref()
            .filter(|c| !dist.geo.allows(Some(c)))
            .map(|c| geo_words(&dist.geo, c));
        let policy = b.viewer_protocol_policy.as_str();
        let protocol = match method
            .as_ref()
            .map(|m| pipeline::viewer_protocol(b, req.https, Version::HTTP_11, m))
        {
            _ if req.https => "served over HTTPS (spec V-1)".to_string(),
            Some(Protocol::Serve) | None => {
                format!("served (ViewerProtocolPolicy {policy}, spec V-1)")
            }
            Some(Protocol::Refuse) => {
                format!("refused (403): ViewerProtocolPolicy {policy} over HTTP (spec V-1)")
            }
            Some(Protocol::Redirect(s)) => format!(
                "redirected to HTTPS ({}): ViewerProtocolPolicy {policy} (spec V-2)",
                s.as_u16()
            ),
        };
        let cache_key = match &method {
            Some(m) if method_cached => {
                let addr = SocketAddr::from(([127, 0, 0, 1], 0));
                let conn = Conn {
                    peer: addr,
                    local: addr,
                    https: req.https,
                    handshake: None,
                };
                let facts = ViewerFacts::default();
                let v = pipeline::viewer_request(
                    b,
                    &Viewer {
                        conn: &conn,
                        version: Version::HTTP_11,
                        country: country.as_deref(),
                        received: &received,
                        facts: &facts,
                    },
                    raw_query,
                );
                Some(
                    pipeline::cache_key(
                        &dist,
                        b,
                        m,
                        &path,
                        v.query.as_deref(),
                        &v.headers,
                        v.accept_encoding,
                    )
                    .display(),
                )
            }
            _ => None,
        };
        Explanation {
            selection,
            behavior_label: b.label.to_string(),
            method_allowed,
            method_cached,
            protocol,
            cache_key,
            ttl: ttl_words(self, &dist, b),
            compress: b.compress,
            origin: target_words(self, &dist, &b.target, req.https),
            geo,
        }
    }
}

/// `cannot connect to 127.0.0.1:1234: connection refused`.
fn connect_error(addr: SocketAddr, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
        std::io::ErrorKind::TimedOut => "timed out".to_string(),
        _ => e.to_string(),
    };
    format!("cannot connect to {addr}: {why}")
}

/// A TLS client that trusts exactly the preview's certificate.
fn tls_client(edge: &Edge) -> Result<Arc<rustls::ClientConfig>, String> {
    let pem = edge
        .certificate()
        .ok_or("the preview has no HTTPS listener, so it has no certificate")?;
    let mut roots = rustls::RootCertStore::empty();
    for der in crate::tls::pem_blocks(&pem.cert, "CERTIFICATE") {
        roots
            .add(CertificateDer::from(der))
            .map_err(|e| format!("the preview's certificate cannot be trusted: {e}"))?;
    }
    if roots.is_empty() {
        return Err("the preview's certificate has no CERTIFICATE block".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Sends `req` to the running preview over a real socket (its HTTP listener, or its HTTPS
/// listener trusting exactly the preview's certificate, SNI = the distribution's domain name or
/// `localhost`), one HTTP/1.1 request with `Host` = the distribution's domain name, and reads
/// the response (the first [`BODY_KEPT`] bytes of the body are kept). Errors are one sentence
/// naming what went wrong: a bad method, header or path, a refused connection, a failed
/// handshake, a timeout.
pub async fn send(
    edge: &Edge,
    req: &ProbeRequest,
    timeout: Duration,
) -> Result<ProbeResponse, String> {
    prepare(edge, req)?.send(timeout).await
}

/// A request ready to go to a running preview: everything [`send`] takes from the [`Edge`],
/// owned, so that it can be sent from a task that does not hold the edge (the app's tester).
pub struct Prepared {
    addr: SocketAddr,
    tls: Option<Arc<rustls::ClientConfig>>,
    domain: String,
    request: Request<Full<Bytes>>,
}

/// Checks `req` and resolves where it goes (see [`send`]); the error names the bad field.
pub fn prepare(edge: &Edge, req: &ProbeRequest) -> Result<Prepared, String> {
    let domain = edge.control().shared().dist().domain.clone();
    let method = Method::from_bytes(req.method.trim().as_bytes())
        .map_err(|_| format!("method {:?} is not a valid HTTP method", req.method))?;
    let (path, query) = req.path_and_query();
    if !path.starts_with('/') {
        return Err(format!("path {path:?} must start with /"));
    }
    let target = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let uri: hyper::Uri = target
        .parse()
        .map_err(|_| format!("path {target:?} is not a valid request path"))?;
    let headers = request_headers(req, &domain)?;
    let mut request = Request::new(Full::new(Bytes::new()));
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    let (addr, tls) = if req.https {
        let addr = edge.https_addr.ok_or("the preview has no HTTPS listener")?;
        (addr, Some(tls_client(edge)?))
    } else {
        (
            edge.http_addr.ok_or("the preview has no HTTP listener")?,
            None,
        )
    };
    Ok(Prepared {
        addr,
        tls,
        domain,
        request,
    })
}

impl Prepared {
    /// Sends it and reads the response, within `timeout`.
    pub async fn send(self, timeout: Duration) -> Result<ProbeResponse, String> {
        let Prepared {
            addr,
            tls,
            domain,
            request,
        } = self;
        let started = Instant::now();
        match tokio::time::timeout(timeout, exchange(addr, tls, &domain, request, started)).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "no complete response from {addr} within {} ms",
                timeout.as_millis()
            )),
        }
    }
}

async fn exchange(
    addr: SocketAddr,
    tls: Option<Arc<rustls::ClientConfig>>,
    domain: &str,
    request: Request<Full<Bytes>>,
    started: Instant,
) -> Result<ProbeResponse, String> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| connect_error(addr, &e))?;
    let _ = tcp.set_nodelay(true);
    match tls {
        None => over(TokioIo::new(tcp), addr, request, started).await,
        Some(config) => {
            let name = ServerName::try_from(domain.to_string())
                .or_else(|_| ServerName::try_from("localhost".to_string()))
                .map_err(|e| format!("no usable TLS server name: {e}"))?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS handshake with {addr} failed: {e}"))?;
            over(TokioIo::new(stream), addr, request, started).await
        }
    }
}

async fn over<I>(
    io: I,
    addr: SocketAddr,
    request: Request<Full<Bytes>>,
    started: Instant,
) -> Result<ProbeResponse, String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("HTTP/1.1 with {addr} failed: {e}"))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let result = async {
        let res = sender
            .send_request(request)
            .await
            .map_err(|e| format!("{addr} did not answer the request: {e}"))?;
        let (parts, mut body) = res.into_parts();
        let reason = parts
            .extensions
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| String::from_utf8_lossy(r.as_bytes()).to_string())
            .or_else(|| parts.status.canonical_reason().map(str::to_string))
            .unwrap_or_default();
        let headers = parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).to_string(),
                )
            })
            .collect();
        let mut kept = BytesMut::new();
        let mut body_len = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| format!("reading the body from {addr} failed: {e}"))?;
            if let Ok(data) = frame.into_data() {
                body_len += data.len() as u64;
                let room = BODY_KEPT.saturating_sub(kept.len());
                kept.extend_from_slice(&data[..data.len().min(room)]);
            }
        }
        Ok(ProbeResponse {
            status: parts.status.as_u16(),
            reason,
            headers,
            body: kept.freeze(),
            body_len,
            truncated: body_len > BODY_KEPT as u64,
            elapsed: started.elapsed(),
        })
    }
    .await;
    drop(sender);
    driver.abort();
    result
}

/// After [`send`]: what the cache did with the response and why, with the rule ids. Looks up
/// the explained key among the cache entries (its TTL, age, freshness) and reasons over the
/// response's caching headers with [`ttl::explain`] (the origin's `Cache-Control`, `Expires`
/// and validators reach the viewer unchanged, spec T-7).
pub fn ttl_decision(
    control: &EdgeHandle,
    explanation: &Explanation,
    response: &ProbeResponse,
) -> String {
    let result = response
        .header("x-cache")
        .and_then(|x| x.split_whitespace().next())
        .and_then(ResultType::parse);
    let Some(key) = &explanation.cache_key else {
        return if !explanation.method_allowed {
            "not cached: the method is not in the behavior's AllowedMethods, refused with 403 \
             (spec M-4)"
                .to_string()
        } else if explanation.ttl.contains("spec K-10") {
            "not cached: legacy ForwardedValues Headers [\"*\"] forwards everything and caches \
             nothing (spec K-10)"
                .to_string()
        } else {
            "not cached: this method's responses are never cached and always go to the origin \
             (spec M-2, M-5)"
                .to_string()
        };
    };
    if result == Some(ResultType::Redirect) {
        return "not cached: the edge answered with a redirect to HTTPS itself, nothing was \
                fetched (spec V-2, V-3)"
            .to_string();
    }
    if let Some(g) = &explanation.geo {
        return format!("not cached: {g}");
    }
    if response.header("server") == Some("CloudFront") && result == Some(ResultType::Error) {
        return format!(
            "not cached: the edge refused the request itself with {} (spec X-5)",
            response.status
        );
    }
    let dist = control.shared().dist();
    let b = dist
        .behaviors
        .iter()
        .find(|b| *b.label == *explanation.behavior_label)
        .unwrap_or_else(|| dist.default_behavior());
    let now = control.shared().clock.now();
    let mut headers = HeaderMap::new();
    for (n, v) in &response.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.append(n, v);
        }
    }
    let entry = control.cache_entries().into_iter().find(|e| e.key == *key);
    let status = response.status;
    let why = if status >= 400 {
        let storage = ttl::decide_error(status, &headers, 0, b.ttl, now);
        if !ttl::error_cacheable(status, &headers) {
            format!("not stored: status {status} is not cached (spec E-3)")
        } else {
            match storage {
                Storage::Store { ttl, .. } => format!(
                    "status {status} cached for {} s: ErrorCachingMinTTL or the origin's \
                     max-age/Expires capped by MaxTTL (spec E-3, E-4)",
                    ttl.as_secs()
                ),
                Storage::DontStore(_) => format!(
                    "status {status} is cached for ErrorCachingMinTTL or the origin's \
                     max-age/Expires (spec E-3, E-4)"
                ),
            }
        }
    } else {
        ttl::explain(&headers, b.ttl, now).1
    };
    match entry {
        Some(e) => {
            let left = e.ttl.saturating_sub(e.age);
            let state = if e.fresh {
                format!("{} s old, {left} s left", e.age)
            } else {
                format!(
                    "{} s old, expired: the next request revalidates it (spec R-1)",
                    e.age
                )
            };
            match result {
                Some(ResultType::Hit) => {
                    format!("served from cache (Hit), {state}; when fetched: {why}")
                }
                Some(ResultType::RefreshHit) => format!(
                    "revalidated with the origin, which answered 304, so the cached copy was \
                     served (RefreshHit, spec R-2), {state}; {why}"
                ),
                Some(
                    ResultType::Miss
                    | ResultType::Error
                    | ResultType::Redirect
                    | ResultType::FunctionGeneratedResponse
                    | ResultType::FunctionExecutionError,
                )
                | None => {
                    if e.error {
                        format!("error response cached (TTL {} s, {state}): {why}", e.ttl)
                    } else {
                        format!("{why}; entry {state}")
                    }
                }
            }
        }
        None => {
            let stored = why.starts_with("stored") || why.contains("cached for");
            if stored {
                format!("not in the cache now (evicted, invalidated or not stored): {why}")
            } else {
                why
            }
        }
    }
}
