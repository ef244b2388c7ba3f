//! The listeners: HTTP, HTTPS (rcgen/rustls) and the admin API, each on its own loopback port,
//! served with hyper-util's builder and graceful shutdown: HTTP/1.x on the plain listener,
//! HTTP/2 on the HTTPS listener only when ALPN agreed on it (§19-16), either on the admin
//! API. [`Edge`] is the running preview that the app and the CLI hold: it starts and stops the
//! listeners and hands out the live [`EdgeHandle`] (swap the config live, invalidate, read stats
//! and cache entries).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinHandle;

use cfconsole_model::{DistributionConfig, Finding, PolicySet};

use crate::admin;
use crate::cf_headers::{self, Handshake, ViewerFacts};
use crate::clock::{Clock, SystemClock};
use crate::dist::{Dist, Options, Override};
use crate::handle::EdgeHandle;
use crate::log::Logger;
use crate::pipeline::{self, Conn, Shared};
use crate::store::Store;
use crate::tap::{HeadTap, Heads, HelloTap};
use crate::tls::CertPem;

/// Everything needed to start a preview.
pub struct EdgeConfig {
    pub config: DistributionConfig,
    pub policies: PolicySet,
    /// The distribution's domain name (K-1, cs(Host)).
    pub domain: String,
    pub overrides: HashMap<String, Override>,
    pub viewer_country: Option<String>,
    pub access_log: Option<PathBuf>,
    /// Bytes (default 256 MiB).
    pub cache_size: u64,
    pub listen: Option<SocketAddr>,
    pub https_listen: Option<SocketAddr>,
    pub admin: Option<SocketAddr>,
    /// The operator's certificate; None generates one.
    pub certificate: Option<CertPem>,
    pub clock: Arc<dyn Clock>,
    /// x-edge-location / X-Amz-Cf-Pop.
    pub pop: String,
    /// `--origin-ca`: PEM texts of extra trust anchors for HTTPS origins (private CAs), on top
    /// of the public roots (spec O-5: anything else is a certificate error, 502).
    pub origin_ca: Vec<String>,
    /// How long a connection may sit with no request in progress and no bytes moving before
    /// the server closes it (default [`DEFAULT_IDLE_TIMEOUT`], 5 s).
    pub idle_timeout: Duration,
    /// Viewer connections (HTTP and HTTPS together) open at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`]); at the limit the listeners stop accepting until one closes.
    pub max_connections: usize,
    /// spec CF-1: the CloudFront Functions to run; None serves without them (each association
    /// a warning in [`EdgeHandle::function_warnings`](crate::EdgeHandle::function_warnings)).
    pub functions: Option<Arc<crate::functions::FunctionSet>>,
    /// spec OA-1: the origin access controls (by id) and the operator's credentials that sign
    /// origin requests; None signs nothing (each origin with an `OriginAccessControlId` a
    /// warning in [`EdgeHandle::origin_access_warnings`](crate::EdgeHandle)). With Some, an
    /// `OriginAccessControlId` missing from it refuses the config (OA-10).
    pub origin_access: Option<crate::oac::OriginAccess>,
    /// spec SU-1: the public keys and key groups signed URLs and cookies are checked with;
    /// None has none (a behavior with trusted key groups or signers refuses the start).
    pub trusted_keys: Option<Arc<cfconsole_signing::TrustedKeys>>,
}

/// Default [`EdgeConfig::idle_timeout`]: 5 s. CloudFront closes idle viewer connections, but
/// the spec has no rule giving the viewer-side value; 5 s mirrors the keep-alive timeout it
/// documents for the other side of the edge (O-8, `OriginKeepaliveTimeout`'s default in §13)
/// **\[inferred\]**.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// Default [`EdgeConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// Connections the admin listener holds open at once (its own budget, so that a flood of
/// viewer connections never locks the operator out).
const ADMIN_MAX_CONNECTIONS: usize = 64;

/// Default `--cache-size`: 256 MiB.
pub const DEFAULT_CACHE_SIZE: u64 = 256 * 1024 * 1024;

impl EdgeConfig {
    /// A configuration with the defaults: HTTP on 127.0.0.1:0, no HTTPS, no admin port.
    pub fn new(config: DistributionConfig, domain: impl Into<String>) -> Self {
        Self {
            config,
            policies: PolicySet::default(),
            domain: domain.into(),
            overrides: HashMap::new(),
            viewer_country: None,
            access_log: None,
            cache_size: DEFAULT_CACHE_SIZE,
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            https_listen: None,
            admin: None,
            certificate: None,
            clock: Arc::new(SystemClock),
            pop: "LCL50-P1".to_string(),
            origin_ca: Vec::new(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            functions: None,
            origin_access: None,
            trusted_keys: None,
        }
    }
}

/// Why the preview did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{}", crate::dist::render_findings(.0))]
    Invalid(Vec<Finding>),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the access log {path}: {source}")]
    Log {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("TLS: {0}")]
    Tls(String),
}

/// A running preview.
pub struct Edge {
    control: Arc<EdgeHandle>,
    pub http_addr: Option<SocketAddr>,
    pub https_addr: Option<SocketAddr>,
    pub admin_addr: Option<SocketAddr>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// The HTTPS listener's certificate (the operator's or the generated one).
    certificate: Option<CertPem>,
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

impl Edge {
    /// Validates the config, binds every listener and starts serving.
    pub async fn start(cfg: EdgeConfig) -> Result<Edge, StartError> {
        let origin_tls = crate::connect::client_config(&cfg.origin_ca).map_err(StartError::Tls)?;
        let options = Options {
            domain: cfg.domain.clone(),
            overrides: cfg.overrides.clone(),
            origin_tls: Some(origin_tls),
            functions: cfg.functions.clone(),
            trusted_keys: cfg
                .trusted_keys
                .clone()
                .map(|k| Arc::new(crate::signed::KeySet::new(k))),
            origin_access: cfg.origin_access.clone(),
        };
        let dist = Dist::prepare(cfg.config.clone(), &cfg.policies, &options)
            .map_err(|e| StartError::Invalid(e.0))?;
        let logger = match &cfg.access_log {
            Some(p) => Logger::start(Some(p.clone()))
                .await
                .map_err(|source| StartError::Log {
                    path: p.clone(),
                    source,
                })?,
            None => Logger::start(None)
                .await
                .map_err(|source| StartError::Log {
                    path: PathBuf::new(),
                    source,
                })?,
        };
        let aliases: Vec<String> = dist.aliases.clone();
        let shared = Arc::new(Shared::new(
            dist,
            Store::new(cfg.cache_size),
            cfg.clock.clone(),
            logger,
            &cfg.pop,
            cfg.viewer_country.clone(),
        ));
        let control = Arc::new(EdgeHandle::new(
            shared.clone(),
            cfg.policies.clone(),
            options,
        ));
        let (tx, rx) = watch::channel(false);
        // One budget for both viewer listeners: file descriptors are the process's.
        let viewer_limits = Limits {
            idle: cfg.idle_timeout,
            permits: Arc::new(Semaphore::new(cfg.max_connections.max(1))),
        };
        let mut tasks = Vec::new();
        let mut hosts = Vec::new();
        let mut http_addr = None;
        let mut https_addr = None;
        let mut admin_addr = None;
        let mut certificate = None;
        if let Some(addr) = cfg.listen {
            let l = bind(addr).await?;
            let a = l
                .local_addr()
                .map_err(|source| StartError::Bind { addr, source })?;
            hosts.push(a.to_string());
            http_addr = Some(a);
            let s = shared.clone();
            tasks.push(tokio::spawn(serve_edge(
                l,
                None,
                s,
                viewer_limits.clone(),
                rx.clone(),
            )));
        }
        if let Some(addr) = cfg.https_listen {
            let pem = match &cfg.certificate {
                Some(p) => p.clone(),
                None => {
                    let mut names = vec![
                        "localhost".to_string(),
                        "127.0.0.1".to_string(),
                        cfg.domain.clone(),
                    ];
                    names.extend(aliases.iter().cloned());
                    crate::tls::generate(&names).map_err(StartError::Tls)?
                }
            };
            let tls =
                crate::tls::server_config(&pem, crate::tls::ViewerTls::from_config(&cfg.config))
                    .map_err(StartError::Tls)?;
            let l = bind(addr).await?;
            let a = l
                .local_addr()
                .map_err(|source| StartError::Bind { addr, source })?;
            hosts.push(a.to_string());
            https_addr = Some(a);
            *shared.https_port.write().unwrap_or_else(|e| e.into_inner()) = Some(a.port());
            certificate = Some(pem);
            let s = shared.clone();
            tasks.push(tokio::spawn(serve_edge(
                l,
                Some(tokio_rustls::TlsAcceptor::from(tls)),
                s,
                viewer_limits.clone(),
                rx.clone(),
            )));
        }
        *shared
            .listener_hosts
            .write()
            .unwrap_or_else(|e| e.into_inner()) = hosts;
        if let Some(addr) = cfg.admin {
            let l = bind(addr).await?;
            admin_addr = Some(
                l.local_addr()
                    .map_err(|source| StartError::Bind { addr, source })?,
            );
            let limits = Limits {
                idle: cfg.idle_timeout,
                permits: Arc::new(Semaphore::new(ADMIN_MAX_CONNECTIONS)),
            };
            tasks.push(tokio::spawn(serve_admin(
                l,
                control.clone(),
                limits,
                rx.clone(),
            )));
        }
        Ok(Edge {
            control,
            http_addr,
            https_addr,
            admin_addr,
            shutdown: tx,
            tasks,
            certificate,
        })
    }

    /// The live handle, shared with the admin API.
    pub fn control(&self) -> &Arc<EdgeHandle> {
        &self.control
    }

    /// The certificate the HTTPS listener presents (given or generated at start); None
    /// without an HTTPS listener. A client that trusts exactly this can talk to the preview.
    pub fn certificate(&self) -> Option<&CertPem> {
        self.certificate.as_ref()
    }

    /// Stops accepting, lets requests in flight finish (up to 5 s), and returns.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

fn http_builder() -> auto::Builder<TokioExecutor> {
    let mut b = auto::Builder::new(TokioExecutor::new());
    // Headers up to 96 KiB reach the pipeline, which answers 494 above 20,480 bytes (H-12);
    // beyond that hyper itself refuses with 431 and closes the connection.
    b.http1()
        .max_buf_size(96 * 1024)
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    b
}

const GRACE: Duration = Duration::from_secs(5);

async fn serve_edge(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // §19-16: CloudFront offers HTTP/2 only over TLS, by ALPN (S-5): a plain connection, or a
    // TLS one that did not agree on h2, is served HTTP/1.x only (a cleartext HTTP/2 preface,
    // h2c, is refused as HTTP/1 refuses any request line it cannot read).
    let http1 = http_builder().http1_only();
    let http2 = http_builder().http2_only();
    let mut backoff = Backoff::default();
    while let Some((stream, peer, permit)) =
        next_connection(&listener, &limits, &mut backoff, &mut stop).await
    {
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().unwrap_or(peer);
        let shared = shared.clone();
        let (http1, http2) = (http1.clone(), http2.clone());
        let watcher = graceful.watcher();
        let tls = tls.clone();
        let idle = limits.idle;
        tokio::spawn(async move {
            let _permit = permit;
            // spec H-9: heads are recorded only while a behavior names -Header-Order,
            // decided per connection: after a live swap that starts naming it, requests
            // on connections opened before get the header from hyper's lower-case names.
            let heads = cf_headers::header_order_named(&shared.dist()).then(Heads::default);
            match tls {
                None => {
                    let conn = Conn {
                        peer,
                        local,
                        https: false,
                        handshake: None,
                    };
                    let io = HeadTap::new(stream, heads.as_ref());
                    serve_viewer(io, http1, watcher, shared, conn, heads, idle).await;
                }
                Some(acceptor) => {
                    let Ok(Ok(stream)) = tokio::time::timeout(
                        Duration::from_secs(10),
                        acceptor.accept(HelloTap::new(stream)),
                    )
                    .await
                    else {
                        return;
                    };
                    let (hello, session) = stream.get_ref();
                    let builder = if session.alpn_protocol() == Some(b"h2") {
                        http2
                    } else {
                        http1
                    };
                    let handshake =
                        Handshake::from_session(session, hello.ja3().map(str::to_string));
                    let conn = Conn {
                        peer,
                        local,
                        https: true,
                        handshake: Some(Arc::new(handshake)),
                    };
                    let io = HeadTap::new(stream, heads.as_ref());
                    serve_viewer(io, builder, watcher, shared, conn, heads, idle).await;
                }
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, graceful.shutdown()).await;
}

/// Serves one viewer connection. Each request reaches the pipeline with the per-request facts
/// of spec H-9: the header names as recorded by the tap, and how many requests came before it
/// on the connection.
async fn serve_viewer<I>(
    io: I,
    builder: auto::Builder<TokioExecutor>,
    watcher: hyper_util::server::graceful::Watcher,
    shared: Arc<Shared>,
    conn: Conn,
    heads: Option<Heads>,
    idle: Duration,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let served = Arc::new(AtomicU64::new(0));
    let activity = Activity::new();
    let io = Tracked::new(io, activity.clone());
    let busy = activity.clone();
    let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
        let (s, c) = (shared.clone(), conn.clone());
        let working = busy.start();
        let facts = ViewerFacts {
            names: heads
                .as_ref()
                .and_then(|h| h.take(req.method(), req.headers())),
            earlier_requests: served.fetch_add(1, Ordering::Relaxed),
        };
        async move {
            let _working = working;
            Ok::<Response<pipeline::ResponseBody>, Infallible>(with_reason(
                pipeline::handle(s, c, facts, req).await,
            ))
        }
    });
    let served = watcher.watch(builder.serve_connection(TokioIo::new(io), svc).into_owned());
    tokio::select! {
        _ = served => {}
        // Dropping the connection closes it: nothing is in progress on it.
        _ = activity.idle_past(idle) => {}
    }
}

/// The reason phrase of an HTTP/1.1 status line for a status hyper has no name for: hyper would
/// write `<none>`. CloudFront's 494 gets the phrase nginx gives that code.
fn with_reason<B>(mut res: Response<B>) -> Response<B> {
    if res.status().canonical_reason().is_none() {
        let phrase: &'static [u8] = match res.status().as_u16() {
            494 => b"Request Header Or Cookie Too Large",
            _ => b"Unknown",
        };
        res.extensions_mut()
            .insert(hyper::ext::ReasonPhrase::from_static(phrase));
    }
    res
}

async fn serve_admin(
    listener: TcpListener,
    control: Arc<EdgeHandle>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = http_builder();
    let mut backoff = Backoff::default();
    while let Some((stream, _, permit)) =
        next_connection(&listener, &limits, &mut backoff, &mut stop).await
    {
        let Ok(local) = stream.local_addr() else {
            continue;
        };
        let guard = Arc::new(admin::Guard::new(local));
        let control = control.clone();
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let idle = limits.idle;
        tokio::spawn(async move {
            let _permit = permit;
            let activity = Activity::new();
            let busy = activity.clone();
            let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                let (c, g) = (control.clone(), guard.clone());
                let working = busy.start();
                async move {
                    let _working = working;
                    Ok::<Response<Full<Bytes>>, Infallible>(admin::handle(c, &g, req).await)
                }
            });
            let io = TokioIo::new(Tracked::new(stream, activity.clone()));
            let served = watcher.watch(builder.serve_connection(io, svc).into_owned());
            tokio::select! {
                _ = served => {}
                _ = activity.idle_past(idle) => {}
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, graceful.shutdown()).await;
}

/// What bounds a listener's connections: how long one may idle, and the permits for opening one.
#[derive(Clone)]
struct Limits {
    idle: Duration,
    permits: Arc<Semaphore>,
}

/// The pause after a failed `accept` (out of file descriptors, EMFILE/ENFILE, or out of
/// memory): the error repeats at once until something closes, so retrying without a pause
/// spins a core.
#[derive(Debug, Default)]
struct Backoff {
    current: Option<Duration>,
}

const BACKOFF_FIRST: Duration = Duration::from_millis(10);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// The pause after the one before it: 10 ms, doubling up to 1 s.
fn next_backoff(previous: Option<Duration>) -> Duration {
    match previous {
        None => BACKOFF_FIRST,
        Some(d) => (d * 2).min(BACKOFF_MAX),
    }
}

impl Backoff {
    /// The pause after another failure; the first failure of a run is reported (once).
    fn fail(&mut self, e: &std::io::Error, addr: Option<SocketAddr>) -> Duration {
        if self.current.is_none() {
            let at = addr.map(|a| format!(" on {a}")).unwrap_or_default();
            eprintln!(
                "preview: cannot accept connections{at}: {e}; retrying every second at most until \
                 it works (raise the open-file limit with `ulimit -n` if this persists)"
            );
        }
        let d = next_backoff(self.current);
        self.current = Some(d);
        d
    }

    fn succeed(&mut self) {
        self.current = None;
    }
}

/// The next connection with its permit, or None once `stop` is signalled. At the connection
/// limit nothing is accepted (new connections wait in the kernel's backlog) until a permit is
/// released by a connection closing.
async fn next_connection(
    listener: &TcpListener,
    limits: &Limits,
    backoff: &mut Backoff,
    stop: &mut watch::Receiver<bool>,
) -> Option<(tokio::net::TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    loop {
        let permit = tokio::select! {
            _ = stop.changed() => return None,
            p = limits.permits.clone().acquire_owned() => p.ok()?,
        };
        let failed = tokio::select! {
            _ = stop.changed() => return None,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    backoff.succeed();
                    return Some((stream, peer, permit));
                }
                Err(e) => e,
            },
        };
        drop(permit);
        // A connection reset or aborted before it was accepted concerns that connection only.
        if matches!(
            failed.kind(),
            std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::Interrupted
        ) {
            continue;
        }
        let pause = backoff.fail(&failed, listener.local_addr().ok());
        tokio::select! {
            _ = stop.changed() => return None,
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

/// When a connection last moved a byte, and how many requests are in progress on it: the
/// server closes it once it has been idle (no request in progress, no byte moving) for the
/// idle timeout. hyper's `header_read_timeout` covers only a request head being read, not a
/// keep-alive connection waiting for its next request.
#[derive(Debug)]
struct Activity {
    base: tokio::time::Instant,
    /// Milliseconds after `base`.
    last: AtomicU64,
    in_flight: AtomicU64,
}

/// A request in progress on a connection ([`Activity::start`]); ends when dropped.
struct Working(Arc<Activity>);

impl Drop for Working {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Activity {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            base: tokio::time::Instant::now(),
            last: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
        })
    }

    fn touch(&self) {
        let ms = self.base.elapsed().as_millis() as u64;
        self.last.store(ms, Ordering::Relaxed);
    }

    fn start(self: &Arc<Self>) -> Working {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        Working(self.clone())
    }

    /// Resolves once the connection has been idle for `idle`.
    async fn idle_past(&self, idle: Duration) {
        loop {
            let last = self.base + Duration::from_millis(self.last.load(Ordering::Relaxed));
            if self.in_flight.load(Ordering::Relaxed) == 0
                && tokio::time::Instant::now() >= last + idle
            {
                return;
            }
            // A request in progress may take long (a slow origin): look again one period on.
            let next = if self.in_flight.load(Ordering::Relaxed) == 0 {
                last + idle
            } else {
                tokio::time::Instant::now() + idle
            };
            tokio::time::sleep_until(next).await;
        }
    }
}

/// A connection's stream, reporting each byte read or written to its [`Activity`].
struct Tracked<I> {
    inner: I,
    activity: Arc<Activity>,
}

impl<I> Tracked<I> {
    fn new(inner: I, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<I: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Tracked<I> {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = std::pin::Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.touch();
        }
        r
    }
}

impl<I: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Tracked<I> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(r, std::task::Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(r, std::task::Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_backoff_doubles_from_10_ms_to_1_s() {
        let mut seen = Vec::new();
        let mut d = None;
        for _ in 0..10 {
            let next = next_backoff(d);
            seen.push(next.as_millis());
            d = Some(next);
        }
        assert_eq!(seen, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
    }

    #[test]
    fn a_success_ends_the_run_of_failures() {
        let mut b = Backoff::default();
        let e = std::io::Error::from_raw_os_error(24); // EMFILE
        assert_eq!(b.fail(&e, None), Duration::from_millis(10));
        assert_eq!(b.fail(&e, None), Duration::from_millis(20));
        b.succeed();
        assert_eq!(
            b.fail(&e, None),
            Duration::from_millis(10),
            "a new run starts over"
        );
    }
}
