//! Origin requests (spec §13): each origin id goes to its configured domain, or to an override
//! (a local URL or a local folder served like S3, see [`crate::folder`]). The request and what
//! comes back are [`crate::origin_message`]'s types. Connection attempts,
//! connection timeout and response timeout are applied as configured (O-3, O-4), and every
//! failure becomes a typed error that maps to 502 or 504 (O-5) — never a hang. HTTPS origins go
//! through [`crate::connect`] (SNI, certificate checks); the scheme follows the origin's
//! protocol policy and, for `match-viewer` and S3 origins, the viewer's protocol (O-2).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::capture_connection;
use hyper_util::rt::TokioExecutor;

use crate::body::{Held, LiveBody, OriginStream};
use crate::connect::{ConnectFailure, OriginConnector};
use crate::origin_message::{Fetched, OriginError, OriginRequest, SentBody};

/// Where an origin's requests really go in the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Plain HTTP to `authority` (`host:port`): the real domain on HTTPPort (`http-only`), or
    /// an `http://` override (whatever the policy: the override says how to reach it).
    Http { authority: String },
    /// HTTPS to `authority`: the real domain on HTTPSPort (`https-only`), or an `https://`
    /// override. SNI and the certificate name are the authority's host.
    Https { authority: String },
    /// spec O-2: `match-viewer` custom origins and S3 REST origins use the viewer's protocol:
    /// `http` (HTTPPort, 80 for S3) for HTTP viewers, `https` (HTTPSPort, 443 for S3) for HTTPS
    /// viewers. One cache entry still serves both (V-4: the protocol is not in the key).
    MatchViewer { http: String, https: String },
    /// A local folder served the way S3 serves objects.
    Folder(PathBuf),
}

/// One origin, prepared for requests.
#[derive(Clone)]
pub struct OriginSpec {
    pub id: String,
    pub domain_name: String,
    /// spec O-1: prepended to every path.
    pub origin_path: String,
    /// spec H-7.
    pub custom_headers: Vec<(HeaderName, HeaderValue)>,
    /// spec O-3: 1–3, default 3.
    pub attempts: u32,
    pub connect_timeout: Duration,
    /// spec O-4: time to first byte and maximum gap between body chunks.
    pub read_timeout: Duration,
    pub target: Target,
    /// spec O-5 / `OriginSslProtocols`: the list names only SSLv3, TLSv1 or TLSv1.1. rustls
    /// speaks TLS 1.2 and 1.3 only, so such an origin cannot be reached over HTTPS from the
    /// preview: every HTTPS attempt fails as a handshake failure would (502), with a message
    /// saying why. A list with TLSv1.2 allows 1.2 and 1.3 (CloudFront negotiates 1.3 too).
    pub legacy_tls_only: bool,
    /// spec OA-1: how origin access control signs this origin's requests; None: unsigned (no
    /// OAC, an OAC that never signs, or a folder override).
    pub signing: Option<std::sync::Arc<crate::oac::OriginSigner>>,
    client: Client<OriginConnector, SentBody>,
}

impl std::fmt::Debug for OriginSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OriginSpec")
            .field("id", &self.id)
            .field("target", &self.target)
            .finish()
    }
}

impl OriginSpec {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        domain_name: String,
        origin_path: String,
        custom_headers: Vec<(HeaderName, HeaderValue)>,
        attempts: u32,
        connect_timeout: Duration,
        read_timeout: Duration,
        keepalive: Duration,
        target: Target,
        legacy_tls_only: bool,
        tls: std::sync::Arc<rustls::ClientConfig>,
    ) -> Self {
        // spec O-3: ConnectionTimeout bounds the TCP connect and, for HTTPS, the handshake.
        let connector = OriginConnector::new(connect_timeout, tls);
        let client = Client::builder(TokioExecutor::new())
            // spec O-8: the connection is kept OriginKeepaliveTimeout seconds.
            .pool_idle_timeout(keepalive)
            .pool_max_idle_per_host(256)
            // A fixed 16 KiB read buffer per origin connection: bodies are copied out chunk by
            // chunk anyway, and adaptive buffers grew to hundreds of KiB per pooled connection
            // under load (resident memory beyond --cache-size).
            .http1_read_buf_exact_size(16 * 1024)
            .build(connector);
        Self {
            id,
            domain_name,
            origin_path,
            custom_headers,
            attempts,
            connect_timeout,
            read_timeout,
            target,
            legacy_tls_only,
            signing: None,
            client,
        }
    }
}

/// How one attempt failed: the error, and whether the request had reached a connected socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failed {
    error: OriginError,
    /// The request was on a connected socket (the response timeout, O-4, was running).
    sent: bool,
}

impl Failed {
    fn connecting(error: OriginError) -> Self {
        Self { error, sent: false }
    }
    fn responding(error: OriginError) -> Self {
        Self { error, sent: true }
    }
}

/// spec O-3/O-4: sends the request in at most `attempts` attempts. A connection that cannot be
/// made (refused, DNS, TLS, ConnectionTimeout) is retried for every method: nothing reached the
/// origin. A response timeout (no first byte, or too long a gap between body chunks, once the
/// request was sent) is retried for GET and HEAD only, each attempt with its own timeout;
/// DELETE, OPTIONS, PATCH, POST and PUT get the 504 after one. A streamed viewer body
/// ([`OriginBody::Stream`](crate::origin_message::OriginBody::Stream)) cannot be sent twice:
/// once an attempt started sending it, its failure is the answer (502/504), whatever the
/// attempts left.
pub async fn fetch(origin: &OriginSpec, req: &OriginRequest) -> Result<Fetched, OriginError> {
    let (scheme, authority) = match &origin.target {
        Target::Folder(root) => {
            return Ok(crate::folder::serve(root, &origin.origin_path, req).await);
        }
        Target::Http { authority } => ("http", authority),
        Target::Https { authority } => ("https", authority),
        // spec O-2: the viewer's protocol.
        Target::MatchViewer { https, .. } if req.viewer_https => ("https", https),
        Target::MatchViewer { http, .. } => ("http", http),
    };
    if scheme == "https" && origin.legacy_tls_only {
        // spec O-5: no protocol in common is a handshake failure; known before connecting.
        return Err(OriginError::TlsVersions);
    }
    let idempotent = matches!(req.method, Method::GET | Method::HEAD);
    let mut last = OriginError::Connect;
    for _ in 0..origin.attempts.max(1) {
        let result = once(origin, scheme, authority, req).await;
        if let Err(f) = result
            && req.body.started()
        {
            // spec O-3: the body is partly sent (and gone); there is nothing left to retry with.
            return Err(f.error);
        }
        match result {
            Ok(f) => return Ok(f),
            Err(Failed {
                error:
                    e @ (OriginError::Connect
                    | OriginError::Dns
                    | OriginError::Certificate
                    | OriginError::Tls),
                ..
            }) => last = e,
            Err(Failed {
                error: OriginError::Timeout,
                sent,
            }) if !sent || idempotent => last = OriginError::Timeout,
            Err(f) => return Err(f.error),
        }
    }
    Err(last)
}

async fn once(
    origin: &OriginSpec,
    scheme: &str,
    authority: &str,
    req: &OriginRequest,
) -> Result<Fetched, Failed> {
    let uri = format!(
        "{scheme}://{authority}{}{}",
        origin.origin_path, req.path_and_query
    );
    let mut builder = hyper::Request::builder()
        .method(req.method.clone())
        .uri(uri);
    if let Some(h) = builder.headers_mut() {
        *h = req.headers.clone();
    }
    let mut request = builder
        .body(req.body.for_attempt())
        .map_err(|_| Failed::connecting(OriginError::Protocol))?;
    // Tells when the client has a connected socket for this request (new or pooled); hyper
    // writes the request on it at once.
    let mut connection = capture_connection(&mut request);
    let started = Instant::now();
    let mut pending = std::pin::pin!(origin.client.request(request));
    // spec O-3: the connector holds the TCP connect and the TLS handshake to ConnectionTimeout
    // each and fails by itself; this bound is only a backstop for that phase.
    let connect_bound = origin.connect_timeout * 2 + Duration::from_secs(1);
    let early = tokio::select! {
        biased;
        r = &mut pending => Some(r),
        connected = async { connection.wait_for_connection_metadata().await.is_some() } => {
            if connected {
                None
            } else {
                // No connection was made: the request future is about to fail; let it say why.
                match tokio::time::timeout(connect_bound, &mut pending).await {
                    Err(_) => return Err(Failed::connecting(OriginError::Timeout)),
                    Ok(r) => Some(r),
                }
            }
        }
        _ = tokio::time::sleep(connect_bound) => {
            return Err(Failed::connecting(OriginError::Timeout));
        }
    };
    let response = match early {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            // Failed before the client reported a connection: a connect-phase failure.
            let kind = classify(&e);
            return Err(if e.is_connect() {
                Failed::connecting(kind)
            } else {
                Failed::responding(kind)
            });
        }
        // spec O-4: the response timeout starts once the request is on a connected socket, so
        // ConnectionTimeout is not added to it: the first byte must come within it. While a
        // streamed body is being sent it counts from the body's last chunk (a long upload is not
        // a silent origin).
        None => match wait_response(origin.read_timeout, req, &mut pending).await {
            Err(_) => return Err(Failed::responding(OriginError::Timeout)),
            Ok(Err(e)) => {
                let kind = classify(&e);
                return Err(if e.is_connect() {
                    Failed::connecting(kind)
                } else {
                    Failed::responding(kind)
                });
            }
            Ok(Ok(r)) => r,
        },
    };
    let ttfb = started.elapsed();
    let (parts, mut body) = response.into_parts();
    let expected = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // spec §19-18: a successful body too large for the cache to keep is streamed, never held
    // (an error's body is held: a custom error page may replace it, §6).
    let over = req
        .stream_over
        .filter(|_| parts.status.is_success() && req.method != Method::HEAD);
    let gap = origin.read_timeout;
    let streamed = |prefix, held, body: hyper::body::Incoming, len| {
        let body = BodyExt::boxed(BodyExt::map_err(body, Into::into));
        LiveBody::Origin(OriginStream::new(prefix, held, body, len, gap))
    };
    if let (Some(limit), Some(n)) = (over, expected)
        && n as u64 > limit
    {
        let stream = streamed(Vec::new(), Held::none(), body, Some(n as u64));
        return Ok(streaming(parts, ttfb, stream));
    }
    let budget = req.budget.as_deref().filter(|_| req.method != Method::HEAD);
    let collected = match (over, expected) {
        // spec §19-19: a chunked body takes the budget as it grows; past `over` or the
        // budget it streams on (what arrived first, then the rest).
        (Some(limit), None) => match crate::body::collect_within(&mut body, limit, budget, gap)
            .await
            .map_err(|_| Failed::responding(OriginError::Timeout))?
        {
            crate::body::Collecting::Held(c, held) => (c, held),
            crate::body::Collecting::Over(prefix, held) => {
                let stream = streamed(prefix, held, body, None);
                return Ok(streaming(parts, ttfb, stream));
            }
        },
        _ => {
            // spec §19-19: a known length is reserved before it is read.
            let held = match (budget, expected) {
                (Some(b), Some(n)) => b.reserve(n as u64).await,
                _ => Held::none(),
            };
            // spec O-4: the response timeout is also the maximum gap between packets; O-6: a
            // dropped connection returns what arrived, marked incomplete (not cached).
            let c = crate::body::collect(&mut body, expected, gap)
                .await
                .map_err(|_| Failed::responding(OriginError::Timeout))?;
            (c, held)
        }
    };
    let (collected, held) = collected;
    let mut complete = collected.complete;
    if expected.is_some_and(|n| n != collected.body.len()) && req.method != Method::HEAD {
        complete = false;
    }
    Ok(Fetched {
        status: parts.status,
        headers: parts.headers,
        body: collected.body,
        complete,
        ttfb,
        stream: None,
        held,
    })
}

/// spec §19-18: the response whose body `stream` passes on from the origin.
fn streaming(parts: hyper::http::response::Parts, ttfb: Duration, stream: LiveBody) -> Fetched {
    Fetched {
        status: parts.status,
        headers: parts.headers,
        body: Bytes::new(),
        complete: true,
        ttfb,
        stream: Some(stream),
        held: Held::none(),
    }
}

/// spec O-4: waits for the response head at most `limit` after the request was sent, or after
/// the streamed body last moved, whichever is later.
async fn wait_response<F: std::future::Future + Unpin>(
    limit: Duration,
    req: &OriginRequest,
    pending: &mut F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    let mut deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, &mut *pending).await {
            Ok(r) => return Ok(r),
            Err(elapsed) => match req.body.last_progress() {
                Some(t) if t + limit > deadline => deadline = t + limit,
                _ => return Err(elapsed),
            },
        }
    }
}

fn classify(e: &hyper_util::client::legacy::Error) -> OriginError {
    let mut text = format!("{e}");
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        // The connector already knows what failed (TLS: O-5 certificate or handshake).
        if let Some(f) = s.downcast_ref::<ConnectFailure>() {
            return f.kind;
        }
        text.push_str(&format!(": {s}"));
        src = s.source();
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service")
    {
        OriginError::Dns
    } else if lower.contains("timed out") || lower.contains("timeout") {
        OriginError::Timeout
    } else if e.is_connect() {
        OriginError::Connect
    } else {
        // A connection that closed before a complete response is a protocol failure (502).
        OriginError::Protocol
    }
}
