//! Resource bounds and the admin API's caller checks: request bodies are read only when they go
//! to an origin and never past a limit, and the admin API refuses what a web page could send it.

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

const ALL_METHODS: &str = r#"{"Quantity": 7, "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"], "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}"#;

/// Behaviors that refuse before the body matters, and one that forwards it.
async fn body_edge(origin: &Origin) -> TestEdge {
    let all: serde_json::Value = serde_json::from_str(ALL_METHODS).unwrap();
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED}),
        json!({"CacheBehaviors": {"Quantity": 3, "Items": [
            {"PathPattern": "/redirect/*", "TargetOriginId": "o1", "ViewerProtocolPolicy": "redirect-to-https", "CachePolicyId": CACHING_DISABLED, "AllowedMethods": all},
            {"PathPattern": "/secure/*", "TargetOriginId": "o1", "ViewerProtocolPolicy": "https-only", "CachePolicyId": CACHING_DISABLED, "AllowedMethods": all},
            {"PathPattern": "/api/*", "TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED, "AllowedMethods": all}]}}),
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
    let (body, read) = Counting::new(len);
    let mut b = Request::builder()
        .method(Method::POST)
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
    (r.status().as_u16(), read)
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
async fn a_body_for_the_origin_over_the_preview_limit_gets_413() {
    let o = Origin::start(|s| Scripted::ok(&format!("got {}", s.body.len()))).await;
    let e = body_edge(&o).await;
    let over = MAX_VIEWER_BODY as u64 + 1;
    let (st, read) = post(&e, DOMAIN, "/api/x", over, true).await;
    assert_eq!(
        (st, read.load(Ordering::Relaxed)),
        (413, 0),
        "a declared length over the limit is refused unread"
    );
    let (st, read) = post(&e, DOMAIN, "/api/x", over + CHUNK as u64, false).await;
    assert_eq!(
        st, 413,
        "an undeclared (chunked) body is cut off at the limit"
    );
    assert!(
        read.load(Ordering::Relaxed) <= (MAX_VIEWER_BODY + CHUNK) as u64,
        "read no further than the limit"
    );
    assert_eq!(o.hits(), 0);
    let r = e.req("POST", "/api/x", &[], "a=1").await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "got 3"),
        "a small body still reaches the origin"
    );
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
        &format!("PUT /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2\r\n"),
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
                "Content-Type: application/json; charset=utf-8\r\nOrigin: http://localhost:{port}\r\n"
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
            "PUT /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
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
            "PUT /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
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
