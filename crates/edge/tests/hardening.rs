//! Resource bounds and the admin API's caller checks: request bodies are read only when they go
//! to an origin, a POST/PUT/PATCH/DELETE body streams through to it (never held whole), the few
//! bodies still held are never read past a limit, and the admin API refuses what a web page
//! could send it.

mod common;

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use cfconsole_edge::Override;
use cfconsole_edge::cf_headers::ViewerFacts;
use cfconsole_edge::pipeline::{self, Conn, MAX_VIEWER_BODY};
use common::*;
use hyper::body::Frame;
use hyper::{Method, Request};
use serde_json::json;

const CHUNK: usize = 64 * 1024;
static ZEROS: [u8; CHUNK] = [0; CHUNK];

/// A request body of `left` zero bytes made up as it is read, counting what was read: a large
/// body costs the test nothing unless the server pulls it.
struct Counting {
    left: u64,
    read: Arc<AtomicU64>,
}

impl Counting {
    fn new(len: u64) -> (Self, Arc<AtomicU64>) {
        let read = Arc::new(AtomicU64::new(0));
        (
            Self {
                left: len,
                read: read.clone(),
            },
            read,
        )
    }
}

impl hyper::body::Body for Counting {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.left == 0 {
            return Poll::Ready(None);
        }
        let n = (CHUNK as u64).min(this.left) as usize;
        this.left -= n as u64;
        this.read.fetch_add(n as u64, Ordering::Relaxed);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&ZEROS[..n])))))
    }
}

const ALL_METHODS: &str = r#"{"Quantity": 7,
    "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
    "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}"#;

/// Behaviors that refuse before the body matters, and one that forwards it.
async fn body_edge(origin: &Origin) -> TestEdge {
    let all: serde_json::Value = serde_json::from_str(ALL_METHODS).unwrap();
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED}),
        json!({"CacheBehaviors": {"Quantity": 3, "Items": [
            {"PathPattern": "/redirect/*", "TargetOriginId": "o1",
                "ViewerProtocolPolicy": "redirect-to-https", "CachePolicyId": CACHING_DISABLED,
                "AllowedMethods": all},
            {"PathPattern": "/secure/*", "TargetOriginId": "o1",
                "ViewerProtocolPolicy": "https-only", "CachePolicyId": CACHING_DISABLED,
                "AllowedMethods": all},
            {"PathPattern": "/api/*", "TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": CACHING_DISABLED, "AllowedMethods": all}]}}),
    );
    edge_with(
        cfg,
        &[("o1", Override::parse(&origin.url()).unwrap())],
        |c| c.https_listen = Some("127.0.0.1:0".parse().unwrap()),
    )
    .await
}

async fn post(
    e: &TestEdge,
    host: &str,
    path: &str,
    len: u64,
    declare: bool,
) -> (u16, Arc<AtomicU64>) {
    let (st, read, _) = send_body(e, Method::POST, host, path, len, declare).await;
    (st, read)
}

/// A request with a generated body of `len` bytes, straight into the pipeline: status, bytes
/// read of the body, response body.
async fn send_body(
    e: &TestEdge,
    method: Method,
    host: &str,
    path: &str,
    len: u64,
    declare: bool,
) -> (u16, Arc<AtomicU64>, String) {
    use http_body_util::BodyExt;
    let (body, read) = Counting::new(len);
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host);
    if declare {
        b = b.header("content-length", len.to_string());
    }
    let addr = e.edge.http_addr.unwrap();
    let conn = Conn {
        peer: "127.0.0.1:40000".parse().unwrap(),
        local: addr,
        https: false,
        handshake: None,
    };
    let r = pipeline::handle(
        e.edge.control().shared().clone(),
        conn,
        ViewerFacts::default(),
        b.body(body).unwrap(),
    )
    .await;
    let st = r.status().as_u16();
    let text = r.into_body().collect().await.unwrap().to_bytes();
    (st, read, String::from_utf8_lossy(&text).to_string())
}

#[tokio::test]
async fn a_64_mib_post_refused_before_its_body_matters_is_answered_without_reading_it() {
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let e = body_edge(&o).await;
    let big = 64 * 1024 * 1024;
    for (why, host, path, status) in [
        ("V-2 redirect (307 for POST)", DOMAIN, "/redirect/x", 307),
        ("V-1 https-only", DOMAIN, "/secure/x", 403),
        ("M-4 method not allowed", DOMAIN, "/other", 403),
        ("§1.1 unknown Host", "evil.example", "/api/x", 403),
    ] {
        for declare in [true, false] {
            let (st, read) = post(&e, host, path, big, declare).await;
            assert_eq!(st, status, "{why}, Content-Length declared: {declare}");
            assert_eq!(
                read.load(Ordering::Relaxed),
                0,
                "{why}: not a byte of the body is read (Content-Length declared: {declare})"
            );
        }
    }
    assert_eq!(o.hits(), 0, "all answered at the edge");
    e.edge.stop().await;
}

#[tokio::test]
async fn a_redirect_is_answered_over_a_socket_before_the_body_is_sent() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let e = body_edge(&o).await;
    let mut s = tokio::net::TcpStream::connect(e.edge.http_addr.unwrap())
        .await
        .unwrap();
    // The head of a 64 MiB POST, and none of its body.
    s.write_all(
        format!(
            "POST /redirect/upload HTTP/1.1\r\nHost: {DOMAIN}\r\nContent-Length: {}\r\n\r\n",
            64 * 1024 * 1024
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("the redirect comes without waiting for the body")
        .unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 307"), "V-2: {head}");
    e.edge.stop().await;
}

#[tokio::test]
async fn a_post_over_the_held_body_limit_streams_and_an_options_body_over_it_gets_413() {
    let o = Origin::start(|s| Scripted::ok(&format!("got {}", s.body.len()))).await;
    let e = body_edge(&o).await;
    let over = MAX_VIEWER_BODY as u64 + 1;
    // M-5: a POST body streams to the origin, whatever its size, declared (H-4: with its
    // Content-Length) or chunked.
    for declare in [true, false] {
        let (st, read, text) = send_body(&e, Method::POST, DOMAIN, "/api/x", over, declare).await;
        assert_eq!(
            (st, text.as_str(), read.load(Ordering::Relaxed)),
            (200, format!("got {over}").as_str(), over),
            "a POST body over MAX_VIEWER_BODY reaches the origin whole (declared: {declare})"
        );
        let seen = o.last();
        let framing = (
            seen.headers
                .get("content-length")
                .map(|v| v.to_str().unwrap().to_string()),
            seen.headers
                .get("transfer-encoding")
                .map(|v| v.to_str().unwrap().to_string()),
        );
        if declare {
            assert_eq!(framing, (Some(over.to_string()), None), "H-4");
        } else {
            assert_eq!(
                framing,
                (None, Some("chunked".into())),
                "chunked goes chunked"
            );
        }
    }
    assert_eq!(o.hits(), 2);
    // An OPTIONS body is still held (F-3: it may go to a secondary origin too): refused unread
    // above the limit when declared, cut off at the limit when chunked.
    let (st, read, _) = send_body(&e, Method::OPTIONS, DOMAIN, "/api/x", over, true).await;
    assert_eq!(
        (st, read.load(Ordering::Relaxed)),
        (413, 0),
        "a declared length over the limit is refused unread"
    );
    let (st, read, _) = send_body(
        &e,
        Method::OPTIONS,
        DOMAIN,
        "/api/x",
        over + CHUNK as u64,
        false,
    )
    .await;
    assert_eq!(
        st, 413,
        "an undeclared (chunked) body is cut off at the limit"
    );
    assert!(
        read.load(Ordering::Relaxed) <= (MAX_VIEWER_BODY + CHUNK) as u64,
        "read no further than the limit"
    );
    assert_eq!(o.hits(), 2);
    let r = e.req("POST", "/api/x", &[], "a=1").await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "got 3"),
        "a small body still reaches the origin"
    );
    e.edge.stop().await;
}

/// An origin on raw sockets that reads a request with a `Content-Length` body, counting the
/// bytes as they arrive (and holding none of them), and answers 200 with the count when the
/// body came whole.
#[derive(Clone, Default)]
struct Sink {
    /// The first body bytes arrived while the client was still sending.
    early: Arc<std::sync::atomic::AtomicBool>,
    /// Per request: its head (lower case), body bytes received, whether the body came whole.
    ended: Arc<std::sync::Mutex<Vec<(String, u64, bool)>>>,
    conns: Arc<std::sync::atomic::AtomicUsize>,
}

impl Sink {
    fn ended(&self) -> Vec<(String, u64, bool)> {
        self.ended.lock().unwrap().clone()
    }

    async fn serve<S>(self, mut s: S, client_done: Arc<std::sync::atomic::AtomicBool>)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut buf = Vec::new();
        let mut chunk = vec![0u8; CHUNK];
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let len: u64 = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut got = (buf.len() - head_end) as u64;
        drop(buf);
        let mut first = got > 0;
        if first && !client_done.load(Ordering::SeqCst) {
            self.early.store(true, Ordering::SeqCst);
        }
        while got < len {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got += n as u64;
                    if !first {
                        first = true;
                        if !client_done.load(Ordering::SeqCst) {
                            self.early.store(true, Ordering::SeqCst);
                        }
                    }
                }
            }
        }
        let whole = got == len;
        self.ended.lock().unwrap().push((head, got, whole));
        if whole {
            let body = got.to_string();
            let _ = s
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await;
            let _ = s.shutdown().await;
        }
    }

    /// Plain HTTP on 127.0.0.1:0.
    async fn start(client_done: Arc<std::sync::atomic::AtomicBool>) -> (Sink, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sink = Sink::default();
        let s2 = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                s2.conns.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(s2.clone().serve(stream, client_done.clone()));
            }
        });
        (sink, url)
    }
}

/// An edge whose `/api/*` behavior (allow-all, all methods, CachingDisabled) goes to `url`,
/// OriginReadTimeout 2 s.
async fn edge_to(
    url: &str,
    attempts: u32,
    tweak: impl FnOnce(&mut cfconsole_edge::EdgeConfig),
) -> TestEdge {
    let all: serde_json::Value = serde_json::from_str(ALL_METHODS).unwrap();
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED}),
        json!({"Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "origin.example",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                "OriginProtocolPolicy": "match-viewer",
                "OriginReadTimeout": 2, "OriginKeepaliveTimeout": 5},
            "ConnectionAttempts": attempts, "ConnectionTimeout": 2}]},
            "CacheBehaviors": {"Quantity": 1, "Items": [
            {"PathPattern": "/api/*", "TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": CACHING_DISABLED, "AllowedMethods": all}]}}),
    );
    edge_with(cfg, &[("o1", Override::parse(url).unwrap())], tweak).await
}

/// Sends a POST of `len` zero bytes with its Content-Length over a real socket, 64 KiB at a
/// time, and marks `done` once the last byte is written; then reads the response head.
async fn upload(
    addr: std::net::SocketAddr,
    len: u64,
    done: &std::sync::atomic::AtomicBool,
) -> String {
    use tokio::io::AsyncWriteExt;
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    c.write_all(
        format!("POST /api/upload HTTP/1.1\r\nHost: {DOMAIN}\r\nContent-Length: {len}\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut left = len;
    while left > 0 {
        let n = (CHUNK as u64).min(left) as usize;
        c.write_all(&ZEROS[..n]).await.unwrap();
        left -= n as u64;
    }
    done.store(true, Ordering::SeqCst);
    read_response(&mut c).await
}

#[tokio::test]
async fn a_256_mib_post_streams_to_the_origin_as_it_arrives() {
    const LEN: u64 = 256 * 1024 * 1024;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (sink, url) = Sink::start(done.clone()).await;
    let e = edge_to(&url, 1, |_| {}).await;
    let head = tokio::time::timeout(
        std::time::Duration::from_secs(180),
        upload(e.edge.http_addr.unwrap(), LEN, &done),
    )
    .await
    .expect("the upload is answered");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let ended = sink.ended();
    assert_eq!(ended.len(), 1, "one origin request");
    let (origin_head, got, whole) = &ended[0];
    assert_eq!(
        (*got, *whole),
        (LEN, true),
        "the origin received the whole body"
    );
    assert!(
        origin_head.contains(&format!("content-length: {LEN}\r\n")),
        "H-4: the viewer's Content-Length is kept: {origin_head}"
    );
    // The edge holds at most a few buffers of it: the origin was reading the body while the
    // client had most of it still to send (socket buffers hold a few MiB, not 256).
    assert!(
        sink.early.load(Ordering::SeqCst),
        "the body reached the origin before the client finished sending it"
    );
    // cs-bytes counts the streamed body as it passed.
    let logged = e.edge.control().recent_requests();
    let rec = logged
        .iter()
        .find(|r| r.method == "POST")
        .expect("the POST is logged");
    assert!(
        rec.cs_bytes > LEN && rec.cs_bytes < LEN + 1024,
        "cs-bytes: head plus the whole body, got {}",
        rec.cs_bytes
    );
    e.edge.stop().await;
}

#[tokio::test]
async fn a_post_body_survives_a_failed_connection_attempt() {
    // spec O-3: the first connection fails in its TLS handshake (a connection failure, retried
    // for every method: nothing was sent); the second attempt delivers the unread body whole.
    let ca = {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        (cert, key)
    };
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca.0, &ca.1)
        .unwrap();
    let tls = cfconsole_edge::tls::server_config(
        &cfconsole_edge::tls::CertPem {
            cert: leaf.pem(),
            key: leaf_key.serialize_pem(),
        },
        cfconsole_edge::tls::ViewerTls::default(),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sink = Sink::default();
    let s2 = sink.clone();
    let d2 = done.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            if s2.conns.fetch_add(1, Ordering::SeqCst) == 0 {
                drop(stream); // the first attempt's handshake fails
                continue;
            }
            let (s3, d3, acceptor) = (s2.clone(), d2.clone(), acceptor.clone());
            tokio::spawn(async move {
                if let Ok(t) = acceptor.accept(stream).await {
                    s3.serve(t, d3).await;
                }
            });
        }
    });
    let ca_pem = ca.0.pem();
    let e = edge_to(&format!("https://localhost:{port}"), 2, move |c| {
        c.origin_ca = vec![ca_pem];
    })
    .await;
    const LEN: u64 = 4 * 1024 * 1024 + 123;
    let head = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        upload(e.edge.http_addr.unwrap(), LEN, &done),
    )
    .await
    .expect("the upload is answered");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        sink.conns.load(Ordering::SeqCst) >= 2,
        "O-3: a second connection attempt"
    );
    let ended = sink.ended();
    assert_eq!(ended.len(), 1);
    assert_eq!(
        (ended[0].1, ended[0].2),
        (LEN, true),
        "the whole body, once"
    );
    e.edge.stop().await;
}

#[tokio::test]
async fn a_viewer_gone_mid_body_ends_the_origin_request_short() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (sink, url) = Sink::start(done.clone()).await;
    let e = edge_to(&url, 1, |_| {}).await;
    const LEN: usize = 1024 * 1024;
    let mut c = tokio::net::TcpStream::connect(e.edge.http_addr.unwrap())
        .await
        .unwrap();
    c.write_all(
        format!("POST /api/upload HTTP/1.1\r\nHost: {DOMAIN}\r\nContent-Length: {LEN}\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    for _ in 0..(LEN / 2 / CHUNK) {
        c.write_all(&ZEROS).await.unwrap();
    }
    c.shutdown().await.unwrap();
    // The edge answers or closes; it does not wait for the rest.
    let mut buf = vec![0u8; 4096];
    tokio::time::timeout(std::time::Duration::from_secs(5), c.read(&mut buf))
        .await
        .expect("the edge answers or closes within 5 s, it does not hang")
        .ok();
    let t0 = std::time::Instant::now();
    while sink.ended().is_empty() && t0.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let ended = sink.ended();
    assert_eq!(ended.len(), 1, "the origin's request body ended");
    assert!(
        ended[0].1 < LEN as u64 && !ended[0].2,
        "the origin saw its request body end short: {} of {LEN}",
        ended[0].1
    );
    drop(c);
    e.edge.stop().await;
}

/// One raw HTTP/1.1 request to the admin port: status and body.
async fn admin_raw(e: &TestEdge, head: &str, body: &str) -> (u16, serde_json::Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = tokio::net::TcpStream::connect(e.edge.admin_addr.unwrap())
        .await
        .unwrap();
    let (mut r, mut w) = s.into_split();
    let bytes = format!("{head}Connection: close\r\n\r\n{body}").into_bytes();
    // Written beside the read: the server may answer and close before the body is all sent.
    let writer = tokio::spawn(async move {
        let _ = w.write_all(&bytes).await;
        w
    });
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), r.read_to_end(&mut out)).await;
    drop(writer.await);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(serde_json::Value::Null);
    (status, json)
}

fn code(v: &serde_json::Value) -> &str {
    v["Error"]["Code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn the_admin_api_refuses_what_a_web_page_could_send() {
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    let port = e.edge.admin_addr.unwrap().port();
    let batch = r#"{"Paths": ["/a"]}"#;
    let post = |host: &str, extra: &str| {
        format!(
            "POST /invalidations HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: {}\r\n",
            batch.len()
        )
    };
    let json_ct = "Content-Type: application/json\r\n";

    let (st, v) = admin_raw(&e, &post(&format!("evil.example:{port}"), json_ct), batch).await;
    assert_eq!((st, code(&v)), (403, "ForbiddenHost"), "DNS rebinding: {v}");
    let msg = v["Error"]["Message"].as_str().unwrap_or("");
    assert!(
        msg.contains("evil.example") && msg.contains(&format!("localhost:{port}")),
        "names what is wrong and what is accepted: {msg}"
    );
    let (st, v) = admin_raw(&e, &post("localhost:1", json_ct), batch).await;
    assert_eq!((st, code(&v)), (403, "ForbiddenHost"), "another port: {v}");

    let (st, v) = admin_raw(
        &e,
        &post(
            &format!("127.0.0.1:{port}"),
            &format!("{json_ct}Origin: https://evil.example\r\n"),
        ),
        batch,
    )
    .await;
    assert_eq!((st, code(&v)), (403, "ForbiddenOrigin"), "{v}");
    let (st, v) = admin_raw(
        &e,
        &post(
            &format!("127.0.0.1:{port}"),
            &format!("{json_ct}Origin: null\r\n"),
        ),
        batch,
    )
    .await;
    assert_eq!(
        (st, code(&v)),
        (403, "ForbiddenOrigin"),
        "opaque origin: {v}"
    );

    let (st, v) = admin_raw(
        &e,
        &post(&format!("127.0.0.1:{port}"), "Content-Type: text/plain\r\n"),
        batch,
    )
    .await;
    assert_eq!(
        (st, code(&v)),
        (415, "UnsupportedMediaType"),
        "a cross-origin simple request: {v}"
    );
    let (st, v) = admin_raw(&e, &post(&format!("127.0.0.1:{port}"), ""), batch).await;
    assert_eq!(
        (st, code(&v)),
        (415, "UnsupportedMediaType"),
        "no type: {v}"
    );
    let (st, v) = admin_raw(
        &e,
        &format!(
            "PUT /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2\r\n"
        ),
        "{}",
    )
    .await;
    assert_eq!(
        (st, code(&v)),
        (415, "UnsupportedMediaType"),
        "PUT /config: {v}"
    );
    assert!(
        e.edge.control().invalidations().is_empty(),
        "nothing refused took effect"
    );

    // Accepted: the listener's own names, its own origin, JSON with parameters.
    let (st, v) = admin_raw(
        &e,
        &post(
            &format!("localhost:{port}"),
            &format!(
                "Content-Type: application/json; charset=utf-8\r\n\
                 Origin: http://localhost:{port}\r\n"
            ),
        ),
        batch,
    )
    .await;
    assert_eq!(st, 201, "{v}");
    for host in [
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("LOCALHOST:{port}"),
    ] {
        let (st, v) = admin_raw(
            &e,
            &format!("GET /stats HTTP/1.1\r\nHost: {host}\r\nOrigin: http://127.0.0.1:{port}\r\n"),
            "",
        )
        .await;
        assert_eq!(st, 200, "Host {host}: {v}");
    }
    e.edge.stop().await;
}

#[tokio::test]
async fn an_admin_body_over_1_mib_gets_413_unread() {
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    let port = e.edge.admin_addr.unwrap().port();
    // Only the head of a 512 MiB PUT is sent: the answer must not wait for the body.
    let (st, v) = admin_raw(
        &e,
        &format!(
            "PUT /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n",
            512 * 1024 * 1024
        ),
        "",
    )
    .await;
    assert_eq!((st, code(&v)), (413, "PayloadTooLarge"), "{v}");
    // Chunked, no length: cut off once past the limit.
    let chunk = "a".repeat(64 * 1024);
    let mut body = String::new();
    for _ in 0..17 {
        body.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    body.push_str("0\r\n\r\n");
    let (st, v) = admin_raw(
        &e,
        &format!(
            "PUT /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\n"
        ),
        &body,
    )
    .await;
    assert_eq!((st, code(&v)), (413, "PayloadTooLarge"), "{v}");
    e.edge.stop().await;
}

/// Reads one response with a `Content-Length` body off a kept-alive connection: its head.
async fn read_response(s: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut chunk))
            .await
            .expect("a response within 5 s")
            .unwrap();
        assert!(n > 0, "connection closed before a whole response");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if body.len() >= len {
                return head.to_string();
            }
        }
    }
}

fn get_request(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {DOMAIN}\r\n\r\n")
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let idle = std::time::Duration::from_millis(300);
    let e = edge_with(
        config(json!({}), json!({})),
        &[("o1", Override::parse(&o.url()).unwrap())],
        |c| c.idle_timeout = idle,
    )
    .await;
    let mut s = tokio::net::TcpStream::connect(e.edge.http_addr.unwrap())
        .await
        .unwrap();
    s.write_all(get_request("/a").as_bytes()).await.unwrap();
    assert!(read_response(&mut s).await.starts_with("HTTP/1.1 200"));
    // Used again within the timeout: still open (each request restarts the idle clock).
    tokio::time::sleep(idle / 3).await;
    s.write_all(get_request("/a").as_bytes()).await.unwrap();
    assert!(read_response(&mut s).await.starts_with("HTTP/1.1 200"));
    let idle_from = std::time::Instant::now();
    let mut rest = [0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut rest))
        .await
        .expect("the server closes the idle connection well before 5 s")
        .unwrap_or(0);
    assert_eq!(n, 0, "closed, nothing more sent");
    assert!(
        idle_from.elapsed() >= idle - std::time::Duration::from_millis(50),
        "not closed before the idle timeout ({:?})",
        idle_from.elapsed()
    );
    e.edge.stop().await;
}

#[tokio::test]
async fn at_the_connection_limit_the_next_connection_waits_for_one_to_close() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let e = edge_with(
        config(json!({}), json!({})),
        &[("o1", Override::parse(&o.url()).unwrap())],
        |c| c.max_connections = 1,
    )
    .await;
    let addr = e.edge.http_addr.unwrap();
    let mut first = tokio::net::TcpStream::connect(addr).await.unwrap();
    first.write_all(get_request("/a").as_bytes()).await.unwrap();
    assert!(read_response(&mut first).await.starts_with("HTTP/1.1 200"));
    // The kernel completes the handshake (backlog), but the server does not take it up.
    let mut second = tokio::net::TcpStream::connect(addr).await.unwrap();
    second
        .write_all(get_request("/a").as_bytes())
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(300), second.read(&mut buf))
            .await
            .is_err(),
        "no answer while the only permit is held"
    );
    drop(first);
    assert!(
        read_response(&mut second).await.starts_with("HTTP/1.1 200"),
        "served once the first connection closed"
    );
    e.edge.stop().await;
}
