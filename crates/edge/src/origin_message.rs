//! What passes between the pipeline and an origin: the request ([`OriginRequest`], with its body
//! [`OriginBody`], held whole or streamed from the viewer), the origin's complete response
//! ([`Fetched`]), or why there was none ([`OriginError`], O-5). `origin` sends these over the
//! network and `folder` answers them from a local folder; `connect` classifies its failures as
//! [`OriginError`]s.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Frame, SizeHint};
use hyper::{HeaderMap, Method, StatusCode};

use crate::body::{FillBudget, Held, LiveBody};
use crate::error::EdgeError;

/// Errors of a request body on its way to an origin.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A viewer's request body as it streams to an origin.
pub type StreamBody = UnsyncBoxBody<Bytes, BoxError>;

/// The body as the origin client sends it, whatever [`OriginBody`] it came from.
pub(crate) type SentBody = UnsyncBoxBody<Bytes, BoxError>;

/// The body of a request to an origin.
#[derive(Clone, Default)]
pub enum OriginBody {
    #[default]
    Empty,
    /// A body held whole (see `pipeline::MAX_VIEWER_BODY` for which ones still are).
    Full(Bytes),
    /// A viewer body streamed through as it arrives, never held whole. It can be sent once:
    /// it stays unread across connection attempts that fail before the request is written
    /// (O-3), and is taken when the first attempt that reaches the origin starts sending it.
    Stream(Arc<Streamed>),
}

impl std::fmt::Debug for OriginBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginBody::Empty => f.write_str("Empty"),
            OriginBody::Full(b) => write!(f, "Full({} bytes)", b.len()),
            OriginBody::Stream(s) => write!(f, "Stream({:?})", s.hint.exact()),
        }
    }
}

impl OriginBody {
    /// A viewer body to stream. Its size hint is what the viewer declared: exact with a
    /// `Content-Length` (sent on, H-4), unknown when chunked (sent chunked).
    pub fn stream(body: StreamBody) -> Self {
        let hint = hyper::body::Body::size_hint(&body);
        OriginBody::Stream(Arc::new(Streamed {
            slot: Mutex::new(Some(body)),
            hint,
            started: AtomicBool::new(false),
            viewer_fault: OnceLock::new(),
            base: tokio::time::Instant::now(),
            last: AtomicU64::new(0),
        }))
    }

    /// The length to send as `Content-Length` (spec H-4): a held body's length, a streamed
    /// body's declared length; None for no body or a chunked one.
    pub fn content_length(&self) -> Option<u64> {
        match self {
            OriginBody::Empty => None,
            OriginBody::Full(b) if b.is_empty() => None,
            OriginBody::Full(b) => Some(b.len() as u64),
            OriginBody::Stream(s) => s.hint.exact(),
        }
    }

    /// True when the body is known to be empty (none, an empty held one, or a streamed one
    /// that declared `Content-Length: 0`); a chunked body is not known to be empty.
    pub fn is_known_empty(&self) -> bool {
        match self {
            OriginBody::Empty => true,
            OriginBody::Full(b) => b.is_empty(),
            OriginBody::Stream(s) => s.hint.exact() == Some(0),
        }
    }

    /// A streamed body began to be sent: the request can no longer be retried (O-3).
    pub(crate) fn started(&self) -> bool {
        matches!(self, OriginBody::Stream(s) if s.started.load(Ordering::Acquire))
    }

    /// When the streamed body last moved (a chunk sent, or its end): spec O-4's response
    /// timeout counts from there while the body is being sent.
    pub(crate) fn last_progress(&self) -> Option<tokio::time::Instant> {
        match self {
            OriginBody::Stream(s) if s.started.load(Ordering::Acquire) => {
                Some(s.base + Duration::from_millis(s.last.load(Ordering::Acquire)))
            }
            _ => None,
        }
    }

    /// How the viewer's side of a streamed body failed, if it did (§19-15): an origin request
    /// that failed then failed by the viewer's fault, not the origin's.
    pub(crate) fn viewer_fault(&self) -> Option<EdgeError> {
        match self {
            OriginBody::Stream(s) => s.viewer_fault.get().copied(),
            _ => None,
        }
    }

    /// The body for one attempt.
    pub(crate) fn for_attempt(&self) -> SentBody {
        match self {
            OriginBody::Empty => Empty::new().map_err(|e| match e {}).boxed_unsync(),
            OriginBody::Full(b) => Full::new(b.clone()).map_err(|e| match e {}).boxed_unsync(),
            OriginBody::Stream(s) => Lazy {
                shared: s.clone(),
                body: None,
            }
            .boxed_unsync(),
        }
    }
}

/// The shared state of a streamed body across attempts.
pub struct Streamed {
    /// The unread body until an attempt starts sending it.
    slot: Mutex<Option<StreamBody>>,
    hint: SizeHint,
    started: AtomicBool,
    /// Set when reading the viewer's body failed (see [`OriginBody::viewer_fault`]).
    viewer_fault: OnceLock<EdgeError>,
    base: tokio::time::Instant,
    /// Milliseconds after `base` of the last chunk (or the end) sent.
    last: AtomicU64,
}

impl Streamed {
    fn moved(&self) {
        let ms = self.base.elapsed().as_millis() as u64;
        self.last.store(ms, Ordering::Release);
    }
}

/// One attempt's view of a streamed body: it takes the body out of the shared slot only when
/// the connection asks for the first chunk, i.e. once the request head is written on a
/// connected socket. An attempt whose connection fails never polls it, so the next attempt
/// still finds the body whole (spec O-3).
struct Lazy {
    shared: Arc<Streamed>,
    body: Option<StreamBody>,
}

impl hyper::body::Body for Lazy {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.body.is_none() {
            this.shared.started.store(true, Ordering::Release);
            this.shared.moved();
            let taken = this
                .shared
                .slot
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            match taken {
                Some(b) => this.body = Some(b),
                None => return Poll::Ready(Some(Err("the request body was already sent".into()))),
            }
        }
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(body).poll_frame(cx);
        if polled.is_ready() {
            this.shared.moved();
        }
        if let Poll::Ready(Some(Err(e))) = &polled {
            // Only the viewer's body is read here: its error is the viewer's (§19-15). A
            // viewer that closed the connection mid-body is told apart from a malformed body.
            let hung_up = ends_early(e.as_ref());
            let _ = this.shared.viewer_fault.set(if hung_up {
                EdgeError::ViewerHungUp
            } else {
                EdgeError::MalformedBody
            });
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> SizeHint {
        self.shared.hint
    }
}

/// True when `e` says the body ended before it was complete (the connection closed with bytes
/// of it still to come), rather than that it was not valid HTTP.
fn ends_early(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(e) = cur {
        if e.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
            || e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::UnexpectedEof)
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// A request to an origin, fully built by the pipeline.
#[derive(Debug, Clone)]
pub struct OriginRequest {
    pub method: Method,
    /// Viewer path (after D-1), without OriginPath, plus the forwarded query.
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: OriginBody,
    /// The viewer came over HTTPS: picks the scheme for `match-viewer` and S3 origins (O-2).
    pub viewer_https: bool,
    /// spec §19-18: a whole object (200 to a GET) longer than this many bytes is streamed to
    /// the viewer ([`Fetched::stream`]) instead of being read into memory; None holds every
    /// body (error pages, which are cached whatever their size).
    pub stream_over: Option<u64>,
    /// spec §19-19: the budget a body read to be held reserves from (None: not bounded, for
    /// error pages, which are small files of the operator's).
    pub budget: Option<Arc<FillBudget>>,
    /// spec OA-3/OA-6: what the viewer's request said that origin access control signing
    /// reads, whatever the behavior forwards.
    pub viewer_auth: ViewerAuth,
}

/// spec OA-3/OA-6: the parts of the viewer's request that decide how an origin request is
/// signed (see `oac`): whether it had an `Authorization` header, and its `x-amz-content-sha256`.
#[derive(Debug, Clone, Default)]
pub struct ViewerAuth {
    /// The viewer sent `Authorization` (forwarded or not).
    pub authorization: bool,
    /// The viewer's `x-amz-content-sha256`: the payload hash a signature uses (OA-6).
    pub content_sha256: Option<hyper::header::HeaderValue>,
}

/// An origin's response: complete, or with a body still to be streamed ([`Fetched::stream`]).
#[derive(Debug)]
pub struct Fetched {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// In an allocation of exactly its length, never a slice of a larger one: the pipeline
    /// stores it as it is, and the cache weighs it by its length (issue #16).
    pub body: Bytes,
    /// spec O-6: false when the body ended short of its Content-Length.
    pub complete: bool,
    pub ttfb: Duration,
    /// spec §19-18: the body, when it is too large to hold: sent from its source as the viewer
    /// takes it, never cached. `body` is then empty and `Content-Length` gives the length.
    pub stream: Option<LiveBody>,
    /// spec §19-19: the fill budget `body` took, given back when this is dropped (once the
    /// body is stored, or sent).
    pub held: Held,
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
    /// spec O-5: bad, self-signed or expired certificate, or a hostname mismatch.
    #[error("origin certificate rejected")]
    Certificate,
    /// spec O-5: the TLS handshake failed (no common version or cipher, an alert, a close).
    #[error("TLS handshake failed")]
    Tls,
    /// spec O-5: OriginSslProtocols allows only protocols older than TLS 1.2.
    #[error("OriginSslProtocols allows no protocol the preview speaks")]
    TlsVersions,
}

impl OriginError {
    pub fn edge_error(self) -> EdgeError {
        match self {
            OriginError::Connect => EdgeError::OriginConnect,
            OriginError::Dns => EdgeError::OriginDns,
            OriginError::Timeout => EdgeError::OriginTimeout,
            OriginError::Protocol => EdgeError::OriginProtocol,
            OriginError::Certificate => EdgeError::OriginCertificate,
            OriginError::Tls => EdgeError::OriginSsl,
            OriginError::TlsVersions => EdgeError::OriginSslProtocols,
        }
    }
}
