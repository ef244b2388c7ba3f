//! Test harness: a scripted origin on 127.0.0.1:0 that counts and records requests, an edge
//! started in-process with a manual clock, and a small HTTP client over real sockets; `ranges`
//! scripts an origin that honours `Range`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use cfconsole_edge::{Edge, EdgeConfig, ManualClock, Override};
use cfconsole_model::{Document, PolicySet};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{HeaderMap, Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{Value, json};

pub mod ranges;

pub const DOMAIN: &str = "d111111abcdef8.cloudfront.net";
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
pub const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
pub const USE_ORIGIN_CC: &str = "83da9c7e-98b4-4e11-a168-04f0df8e2c65";

/// What the origin saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What the origin answers.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

impl Scripted {
    pub fn ok(body: &str) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
            delay: None,
        }
    }
    pub fn status(status: u16, body: &str) -> Self {
        Self {
            status,
            ..Self::ok(body)
        }
    }
    pub fn header(mut self, n: &str, v: &str) -> Self {
        self.headers.push((n.into(), v.into()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
}

pub type Script = Arc<dyn Fn(&Seen) -> Scripted + Send + Sync>;

/// A scripted origin server.
#[derive(Clone)]
pub struct Origin {
    pub addr: SocketAddr,
    pub count: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub script: Arc<Mutex<Script>>,
    pub conns: Arc<AtomicUsize>,
    pub sni: Arc<Mutex<Vec<String>>>,
}

/// Serves one origin connection with the script.
async fn serve<I>(o: Origin, io: I)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
        let o = o.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let seen = Seen {
                method: parts.method.to_string(),
                uri: parts.uri.to_string(),
                headers: parts.headers,
                body,
            };
            o.count.fetch_add(1, Ordering::SeqCst);
            let script = o.script.lock().unwrap().clone();
            let s = script(&seen);
            o.seen.lock().unwrap().push(seen);
            if let Some(d) = s.delay {
                tokio::time::sleep(d).await;
            }
            let mut r = Response::new(Full::new(Bytes::from(s.body)));
            *r.status_mut() = StatusCode::from_u16(s.status).unwrap();
            for (n, v) in s.headers {
                r.headers_mut().append(
                    hyper::header::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            Ok::<_, Infallible>(r)
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, svc)
        .await;
}

impl Origin {
    pub async fn start(script: impl Fn(&Seen) -> Scripted + Send + Sync + 'static) -> Origin {
        Self::start_with(None, script).await
    }

    /// An HTTPS origin: TLS with `tls` on 127.0.0.1:0, then the same scripted HTTP/1.1 service.
    /// Records the SNI each handshake carried in `sni`.
    pub async fn start_tls(
        tls: Arc<rustls::ServerConfig>,
        script: impl Fn(&Seen) -> Scripted + Send + Sync + 'static,
    ) -> Origin {
        Self::start_with(Some(tokio_rustls::TlsAcceptor::from(tls)), script).await
    }

    async fn start_with(
        tls: Option<tokio_rustls::TlsAcceptor>,
        script: impl Fn(&Seen) -> Scripted + Send + Sync + 'static,
    ) -> Origin {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let origin = Origin {
            addr,
            count: Arc::new(AtomicUsize::new(0)),
            seen: Arc::new(Mutex::new(Vec::new())),
            script: Arc::new(Mutex::new(Arc::new(script))),
            conns: Arc::new(AtomicUsize::new(0)),
            sni: Arc::new(Mutex::new(Vec::new())),
        };
        let o = origin.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                o.conns.fetch_add(1, Ordering::SeqCst);
                let o = o.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => serve(o, TokioIo::new(stream)).await,
                        Some(acceptor) => {
                            // A failed handshake (the edge refused the certificate) just ends
                            // this connection; the listener keeps serving.
                            let Ok(s) = acceptor.accept(stream).await else {
                                return;
                            };
                            if let Some(name) = s.get_ref().1.server_name() {
                                o.sni.lock().unwrap().push(name.to_string());
                            }
                            serve(o, TokioIo::new(s)).await
                        }
                    }
                });
            }
        });
        origin
    }

    /// Accepted TCP connections (keep-alive shows here).
    pub fn connections(&self) -> usize {
        self.conns.load(Ordering::SeqCst)
    }

    pub fn hits(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    pub fn last(&self) -> Seen {
        self.seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("the origin saw a request")
    }

    pub fn set(&self, script: impl Fn(&Seen) -> Scripted + Send + Sync + 'static) {
        *self.script.lock().unwrap() = Arc::new(script);
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// A minimal config: origin `o1` (http-only custom origin), default behavior `default`
/// merged over the base, and `extra` merged at the top level.
pub fn config(default: Value, extra: Value) -> Value {
    let mut base = json!({
        "CallerReference": "test", "Comment": "", "Enabled": true,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "origin.example",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                "OriginProtocolPolicy": "http-only",
                "OriginReadTimeout": 2, "OriginKeepaliveTimeout": 5},
            "ConnectionAttempts": 1, "ConnectionTimeout": 1}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all",
            "CachePolicyId": CACHING_OPTIMIZED, "Compress": false}
    });
    merge(&mut base["DefaultCacheBehavior"], default);
    merge(&mut base, extra);
    base
}

pub fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(&k);
                } else {
                    merge(a.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (a, b) => *a = b,
    }
}

/// A running edge with its clock.
pub struct TestEdge {
    pub edge: Edge,
    pub clock: ManualClock,
    pub client: Client<HttpConnector, Full<Bytes>>,
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn h(&self, n: &str) -> Option<&str> {
        self.headers.get(n).and_then(|v| v.to_str().ok())
    }
    pub fn x_cache(&self) -> &str {
        self.h("x-cache").unwrap_or("")
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
}

pub fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

pub async fn edge_with(
    config: Value,
    overrides: &[(&str, Override)],
    tweak: impl FnOnce(&mut EdgeConfig),
) -> TestEdge {
    let doc = Document::from_json(&config.to_string()).expect("test config parses");
    let mut cfg = EdgeConfig::new(doc.config, DOMAIN);
    let clock = ManualClock::new(start_time());
    cfg.clock = Arc::new(clock.clone());
    cfg.admin = Some("127.0.0.1:0".parse().unwrap());
    cfg.overrides = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect::<HashMap<_, _>>();
    cfg.policies = PolicySet::default();
    tweak(&mut cfg);
    let edge = Edge::start(cfg)
        .await
        .unwrap_or_else(|e| panic!("edge starts: {e}"));
    let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    TestEdge {
        edge,
        clock,
        client,
    }
}

/// An edge for `config` whose origin `o1` is `origin`.
pub async fn edge(config: Value, origin: &Origin) -> TestEdge {
    edge_with(
        config,
        &[("o1", Override::parse(&origin.url()).unwrap())],
        |_| {},
    )
    .await
}

/// An edge for `config` whose origins `o1` and `o2` are `first` and `second`.
pub async fn edge2(config: Value, first: &Origin, second: &Origin) -> TestEdge {
    edge_with(
        config,
        &[
            ("o1", Override::parse(&first.url()).unwrap()),
            ("o2", Override::parse(&second.url()).unwrap()),
        ],
        |_| {},
    )
    .await
}

impl TestEdge {
    /// A GET for `path` over the edge's HTTPS listener (SNI `localhost`), trusting `roots`; the
    /// handshake must succeed.
    pub async fn https_get(&self, roots: rustls::RootCertStore, path: &str) -> Resp {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(self.edge.https_addr.unwrap())
            .await
            .unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(
                rustls::pki_types::ServerName::try_from("localhost").unwrap(),
                tcp,
            )
            .await
            .expect("TLS handshake with the edge");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .unwrap();
        tokio::spawn(conn);
        let req = Request::builder()
            .uri(path)
            .header("host", DOMAIN)
            .body(Full::new(Bytes::new()))
            .unwrap();
        let r = sender.send_request(req).await.expect("edge answers");
        let (parts, body) = r.into_parts();
        Resp {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    /// The cache's entries, as the admin API's `GET /cache` lists them.
    pub async fn cache_entries(&self) -> Vec<Value> {
        let (_, v) = self.admin("GET", "/cache", Value::Null).await;
        v["Entries"].as_array().cloned().unwrap_or_default()
    }

    pub async fn req(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Resp {
        let addr = self.edge.http_addr.unwrap();
        let mut b = Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path}"))
            .header("host", DOMAIN);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        let r = self
            .client
            .request(b.body(Full::new(Bytes::from(body.to_string()))).unwrap())
            .await
            .expect("edge answers");
        let (parts, body) = r.into_parts();
        Resp {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.req("GET", path, &[], "").await
    }

    pub async fn admin(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let addr = self.edge.admin_addr.unwrap();
        let b = Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path}"))
            .header("content-type", "application/json");
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let r = self
            .client
            .request(b.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .expect("admin answers");
        let status = r.status().as_u16();
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

/// Sends raw bytes on a fresh connection and returns what came back (until close or timeout).
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).to_string()
}

/// What a [`RawOrigin`] does once it has read a request head.
#[derive(Debug, Clone)]
pub enum RawReply {
    /// Writes nothing and keeps the connection open (a stalled or firewalled origin).
    Silent,
    /// Writes these bytes, then keeps the connection open without writing more.
    ThenStall(Vec<u8>),
    /// Writes these bytes and closes the connection.
    ThenClose(Vec<u8>),
}

/// An origin on 127.0.0.1:0 that speaks raw bytes, for what a scripted hyper origin cannot do:
/// never answer, stall halfway, answer chunked. Counts the request heads it read.
pub struct RawOrigin {
    pub addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl RawOrigin {
    pub async fn start(reply: RawReply) -> RawOrigin {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let count = requests.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let count = count.clone();
                let reply = reply.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    count.fetch_add(1, Ordering::SeqCst);
                    let bytes = match &reply {
                        RawReply::Silent => None,
                        RawReply::ThenStall(b) => Some((b, false)),
                        RawReply::ThenClose(b) => Some((b, true)),
                    };
                    if let Some((b, close)) = bytes {
                        let _ = stream.write_all(b).await;
                        let _ = stream.flush().await;
                        if close {
                            let _ = stream.shutdown().await;
                            return;
                        }
                    }
                    // Hold the connection until the edge gives up on it.
                    while let Ok(n) = stream.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                    }
                });
            }
        });
        RawOrigin { addr, requests }
    }

    /// Request heads read so far (one per attempt: each attempt is a new connection).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// An HTTP/1.1 response with a chunked body of `body` in chunks of `chunk` bytes.
pub fn chunked_response(headers: &[(&str, &str)], body: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n".to_vec();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    for c in body.chunks(chunk.max(1)) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}
