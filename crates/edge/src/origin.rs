//! Origin requests (spec §13): each origin id goes to its configured domain, or to an override
//! (a local URL or a local folder served like S3, see [`crate::folder`]). Connection attempts,
//! connection timeout and response timeout are applied as configured (O-3, O-4), and every
//! failure becomes a typed error that maps to 502 or 504 (O-5) — never a hang.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::errors::EdgeError;

/// Where an origin's requests really go in the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Plain HTTP to `authority` (`host:port`): the real domain on HTTPPort, or a local URL.
    Http { authority: String },
    /// A local folder served the way S3 serves objects.
    Folder(PathBuf),
    /// Cannot be reached from the preview (HTTPS to a real origin), with why.
    Unreachable(String),
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
    client: Client<HttpConnector, Full<Bytes>>,
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
    ) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(connect_timeout));
        connector.set_nodelay(true);
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
            client,
        }
    }
}

/// A request to an origin, fully built by the pipeline.
#[derive(Debug, Clone)]
pub struct OriginRequest {
    pub method: Method,
    /// Viewer path (after D-1), without OriginPath, plus the forwarded query.
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An origin's complete response.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// spec O-6: false when the body ended short of its Content-Length.
    pub complete: bool,
    pub ttfb: Duration,
}

/// Why an origin gave no response. Maps onto O-5's statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    #[error("connection refused or reset")]
    Connect,
    #[error("DNS lookup failed")]
    Dns,
    #[error("timed out")]
    Timeout,
    #[error("invalid response")]
    Protocol,
}

impl OriginError {
    pub fn edge_error(self) -> EdgeError {
        match self {
            OriginError::Connect => EdgeError::OriginConnect,
            OriginError::Dns => EdgeError::OriginDns,
            OriginError::Timeout => EdgeError::OriginTimeout,
            OriginError::Protocol => EdgeError::OriginProtocol,
        }
    }
}

/// spec O-3/O-4: sends the request, retrying connection failures up to `attempts` times, and
/// timeouts too for GET/HEAD only.
pub async fn fetch(origin: &OriginSpec, req: &OriginRequest) -> Result<Fetched, OriginError> {
    match &origin.target {
        Target::Folder(root) => Ok(crate::folder::serve(root, &origin.origin_path, req).await),
        Target::Unreachable(_) => Err(OriginError::Connect),
        Target::Http { authority } => {
            let idempotent = matches!(req.method, Method::GET | Method::HEAD);
            let mut last = OriginError::Connect;
            for _ in 0..origin.attempts.max(1) {
                match once(origin, authority, req).await {
                    Ok(f) => return Ok(f),
                    Err(e @ (OriginError::Connect | OriginError::Dns)) => last = e,
                    Err(OriginError::Timeout) if idempotent => last = OriginError::Timeout,
                    Err(e) => return Err(e),
                }
            }
            Err(last)
        }
    }
}

async fn once(
    origin: &OriginSpec,
    authority: &str,
    req: &OriginRequest,
) -> Result<Fetched, OriginError> {
    let uri = format!(
        "http://{authority}{}{}",
        origin.origin_path, req.path_and_query
    );
    let mut builder = hyper::Request::builder()
        .method(req.method.clone())
        .uri(uri);
    if let Some(h) = builder.headers_mut() {
        *h = req.headers.clone();
    }
    let request = builder
        .body(Full::new(req.body.clone()))
        .map_err(|_| OriginError::Protocol)?;
    let started = Instant::now();
    // The connector enforces ConnectionTimeout; the response must start within read_timeout
    // after that (O-4).
    let limit = origin.connect_timeout + origin.read_timeout;
    let response = match tokio::time::timeout(limit, origin.client.request(request)).await {
        Err(_) => return Err(OriginError::Timeout),
        Ok(Err(e)) => return Err(classify(&e)),
        Ok(Ok(r)) => r,
    };
    let ttfb = started.elapsed();
    let (parts, mut body) = response.into_parts();
    let expected = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // spec O-4: the response timeout is also the maximum gap between packets; O-6: a dropped
    // connection returns what arrived, marked incomplete (not cached).
    let collected = crate::body::collect(&mut body, expected, origin.read_timeout)
        .await
        .map_err(|_| OriginError::Timeout)?;
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
    })
}

fn classify(e: &hyper_util::client::legacy::Error) -> OriginError {
    let mut text = format!("{e}");
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
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
