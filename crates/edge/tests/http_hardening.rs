//! Hardening of the preview's HTTP handling (issue #16, second pass), through the real
//! listeners on 127.0.0.1: one `Host` per request and the authority of an absolute-form target
//! replacing it (§19-14), a malformed request body answered as the viewer's fault (§19-15),
//! no cleartext HTTP/2 on the plain listener (§19-16), and access-log lines that cannot be
//! written counted and reported (§19-17).

mod common;

use common::*;
use serde_json::json;

/// The status code of a raw HTTP/1.1 answer (0 when there is none).
fn status_of(resp: &str) -> u16 {
    resp.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn two_host_headers_get_400_on_the_viewer_listener_and_the_admin_api() {
    let o = Origin::start(|_| Scripted::ok("fine")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    let addr = e.edge.http_addr.unwrap();
    // RFC 9112 §3.2 (§19-14): 400 in CloudFront's error-page style, nothing forwarded.
    let resp = raw(
        addr,
        format!(
            "GET /a HTTP/1.1\r\nHost: {DOMAIN}\r\nHost: other.example\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 400, "{resp}");
    assert!(
        resp.contains("Server: CloudFront") || resp.contains("server: CloudFront"),
        "{resp}"
    );
    assert!(resp.contains("more than one Host header"), "{resp}");
    assert!(resp.contains("Error from cloudfront"), "{resp}");
    assert_eq!(o.hits(), 0, "nothing reaches the origin");
    // Two copies of the same name are two Host headers all the same.
    let resp = raw(
        addr,
        format!("GET /a HTTP/1.1\r\nHost: {DOMAIN}\r\nHost: {DOMAIN}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 400, "{resp}");
    assert_eq!(e.get("/a").await.status, 200, "the server keeps serving");

    let admin = e.edge.admin_addr.unwrap();
    let own = format!("127.0.0.1:{}", admin.port());
    let resp = raw(
        admin,
        format!("GET /stats HTTP/1.1\r\nHost: {own}\r\nHost: {own}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 400, "{resp}");
    assert!(resp.contains("more than one Host header"), "{resp}");
    let resp = raw(
        admin,
        format!("GET /stats HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 200, "one Host is served: {resp}");
    e.edge.stop().await;
}

#[tokio::test]
async fn an_absolute_form_target_is_judged_by_its_authority_not_its_host_header() {
    let o = Origin::start(|_| Scripted::ok("fine")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    let addr = e.edge.http_addr.unwrap();
    // RFC 9112 §3.2.2 (§19-14): the target's authority replaces Host; a foreign one gets the
    // 403 of spec §1.1, as `Host: foreign.example` would.
    let resp = raw(
        addr,
        format!(
            "GET http://foreign.example/a HTTP/1.1\r\nHost: {DOMAIN}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 403, "{resp}");
    assert_eq!(o.hits(), 0, "the preview is not an open proxy");
    // The distribution's own name in the target is served, whatever Host says.
    let resp = raw(
        addr,
        format!(
            "GET http://{DOMAIN}/a HTTP/1.1\r\nHost: foreign.example\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 200, "{resp}");
    assert_eq!(o.hits(), 1);
    // Userinfo in the authority is refused (RFC 9110 §4.2.4).
    let resp = raw(
        addr,
        format!(
            "GET http://user:pw@{DOMAIN}/a HTTP/1.1\r\nHost: {DOMAIN}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 400, "{resp}");

    // The admin API: a foreign authority is refused even with the listener's own Host.
    let admin = e.edge.admin_addr.unwrap();
    let own = format!("127.0.0.1:{}", admin.port());
    let resp = raw(
        admin,
        format!(
            "GET http://evil.example/stats HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 403, "{resp}");
    assert!(resp.contains("ForbiddenHost"), "{resp}");
    let resp = raw(
        admin,
        format!(
            "GET http://{own}/stats HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 200, "{resp}");
    e.edge.stop().await;
}

/// A config whose default behavior allows every method and caches nothing, logging to `log`.
async fn post_edge(o: &Origin, log: std::path::PathBuf) -> TestEdge {
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED,
            "AllowedMethods": {"Quantity": 7,
                "Items": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}}}),
        json!({}),
    );
    edge_with(
        cfg,
        &[("o1", cfconsole_edge::Override::parse(&o.url()).unwrap())],
        move |c| c.access_log = Some(log),
    )
    .await
}

/// The access log's request lines, once there are `n` of them (5 s at most).
async fn log_lines(log: &std::path::Path, n: usize) -> Vec<Vec<String>> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<Vec<String>> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect();
        if lines.len() >= n || std::time::Instant::now() > deadline {
            return lines;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_malformed_chunked_body_is_the_viewers_fault_400_not_a_502() {
    let o = Origin::start(|_| Scripted::ok("stored")).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let e = post_edge(&o, log.clone()).await;
    let addr = e.edge.http_addr.unwrap();
    let head = format!(
        "POST /upload HTTP/1.1\r\nHost: {DOMAIN}\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    );
    let bodies: [(&str, String); 3] = [
        (
            "a bad chunk size",
            "5\r\nhello\r\nzz\r\nhello\r\n0\r\n\r\n".to_string(),
        ),
        (
            "an oversized chunk size",
            "ffffffffffffffffffffff\r\nhello\r\n0\r\n\r\n".to_string(),
        ),
        (
            "a huge chunk extension",
            format!("5;ext={}\r\nhello\r\n0\r\n\r\n", "x".repeat(100_000)),
        ),
    ];
    for (what, body) in &bodies {
        let resp = raw(addr, format!("{head}{body}").as_bytes()).await;
        assert_eq!(status_of(&resp), 400, "{what}: {resp}");
        assert!(
            resp.contains("The request body is not valid HTTP"),
            "{what}: {resp}"
        );
        assert!(resp.contains("Error from cloudfront"), "{what}: {resp}");
    }
    // A well-formed chunked body still goes through.
    let resp = raw(addr, format!("{head}5\r\nhello\r\n0\r\n\r\n").as_bytes()).await;
    assert_eq!(status_of(&resp), 200, "{resp}");
    assert_eq!(o.last().body.as_ref(), b"hello");

    // L-2 / §19-15: logged as the viewer's error, not the origin's.
    let lines = log_lines(&log, 4).await;
    assert_eq!(lines.len(), 4, "{lines:?}");
    for (l, (what, _)) in lines.iter().zip(&bodies) {
        assert_eq!(l.len(), 33, "{what}: {l:?}");
        assert_eq!(
            (
                l[8].as_str(),
                l[13].as_str(),
                l[22].as_str(),
                l[28].as_str()
            ),
            ("400", "Error", "Error", "InvalidRequest"),
            "{what}: sc-status, x-edge-result-type, x-edge-response-result-type and \
             x-edge-detailed-result-type"
        );
    }
    assert_eq!(lines[3][8], "200");
    e.edge.stop().await;
}

#[tokio::test]
async fn a_viewer_gone_mid_body_is_logged_as_its_own_hang_up() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let o = Origin::start(|_| Scripted::ok("stored")).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let e = post_edge(&o, log.clone()).await;
    let mut c = tokio::net::TcpStream::connect(e.edge.http_addr.unwrap())
        .await
        .unwrap();
    c.write_all(
        format!("POST /upload HTTP/1.1\r\nHost: {DOMAIN}\r\nContent-Length: 100\r\n\r\nshort")
            .as_bytes(),
    )
    .await
    .unwrap();
    // The viewer stops sending: its half of the connection ends with 95 bytes missing.
    c.shutdown().await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), c.read_to_end(&mut out)).await;
    let resp = String::from_utf8_lossy(&out);
    assert_eq!(status_of(&resp), 400, "{resp}");
    // L-2 / §19-15: not an origin error.
    let lines = log_lines(&log, 1).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (
            lines[0][8].as_str(),
            lines[0][13].as_str(),
            lines[0][28].as_str()
        ),
        ("400", "Error", "ClientHungUpRequest")
    );
    e.edge.stop().await;
}

/// The client preface of HTTP/2 (RFC 9113 §3.4) and an empty SETTINGS frame: how a cleartext
/// HTTP/2 client with prior knowledge (h2c) opens a connection.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// Sends one HTTP/2 GET over `io` (prior knowledge): the status, or why there was none.
async fn h2_get<I>(io: I) -> Result<(u16, hyper::Version), String>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use http_body_util::{BodyExt, Empty};
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(io),
    )
    .await
    .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    let req = hyper::Request::get(format!("https://{DOMAIN}/a"))
        .body(Empty::<bytes::Bytes>::new())
        .unwrap();
    let fut = sender.send_request(req);
    let r = tokio::time::timeout(std::time::Duration::from_secs(5), fut)
        .await
        .map_err(|_| "no answer in 5 s".to_string())?
        .map_err(|e| format!("request: {e}"))?;
    let (status, version) = (r.status().as_u16(), r.version());
    let _ = r.into_body().collect().await;
    Ok((status, version))
}

/// A TLS connection to the edge's HTTPS listener offering `alpn`, trusting its certificate.
async fn tls_to(
    e: &TestEdge,
    alpn: &[&[u8]],
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    use rustls::pki_types::pem::PemObject;
    let pem = e.edge.certificate().unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(pem.cert.as_bytes()).unwrap())
        .unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = tokio::net::TcpStream::connect(e.edge.https_addr.unwrap())
        .await
        .unwrap();
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(
            rustls::pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .expect("TLS handshake with the edge")
}

async fn https_edge(o: &Origin, http_version: &str) -> TestEdge {
    edge_with(
        config(json!({}), json!({"HttpVersion": http_version})),
        &[("o1", cfconsole_edge::Override::parse(&o.url()).unwrap())],
        |c| c.https_listen = Some("127.0.0.1:0".parse().unwrap()),
    )
    .await
}

#[tokio::test]
async fn the_plain_listener_refuses_cleartext_http2() {
    let o = Origin::start(|_| Scripted::ok("fine")).await;
    let e = https_edge(&o, "http2").await;
    let addr = e.edge.http_addr.unwrap();
    // §19-16: the preface is no HTTP/1 request: HTTP/1's refusal, never an HTTP/2 SETTINGS frame.
    let resp = raw(addr, H2_PREFACE).await;
    assert!(
        resp.is_empty() || resp.starts_with("HTTP/1.1 "),
        "an HTTP/1 answer or a close, not HTTP/2 frames: {resp:?}"
    );
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let got = h2_get(tcp).await;
    assert!(got.is_err(), "h2c prior knowledge is not served: {got:?}");
    assert_eq!(o.hits(), 0);
    assert_eq!(e.get("/a").await.status, 200, "HTTP/1.1 still is");
    e.edge.stop().await;
}

#[tokio::test]
async fn the_https_listener_speaks_http2_only_when_alpn_agreed_on_it() {
    let o = Origin::start(|_| Scripted::ok("fine")).await;
    let e = https_edge(&o, "http2").await;
    // S-5: HttpVersion http2 offers h2 by ALPN, and it is served.
    let tls = tls_to(&e, &[b"h2", b"http/1.1"]).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    assert_eq!(h2_get(tls).await, Ok((200, hyper::Version::HTTP_2)));
    // §19-16: a TLS connection that agreed on http/1.1 is HTTP/1.x, whatever the client sends.
    let tls = tls_to(&e, &[b"http/1.1"]).await;
    let got = h2_get(tls).await;
    assert!(got.is_err(), "HTTP/2 without ALPN's h2: {got:?}");
    e.edge.stop().await;

    // S-5: HttpVersion http1.1 offers no h2, and HTTP/2 with prior knowledge is refused too.
    let e = https_edge(&o, "http1.1").await;
    let tls = tls_to(&e, &[b"h2", b"http/1.1"]).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let got = h2_get(tls).await;
    assert!(got.is_err(), "HTTP/2 under HttpVersion http1.1: {got:?}");
    let tls = tls_to(&e, &[]).await;
    let got = h2_get(tls).await;
    assert!(got.is_err(), "HTTP/2 with no ALPN at all: {got:?}");
    e.edge.stop().await;
}

#[tokio::test]
async fn access_log_lines_a_full_disk_refuses_are_counted_in_log_records_dropped() {
    let o = Origin::start(|_| Scripted::ok("fine")).await;
    // /dev/full: a real device on which every write fails with ENOSPC, as on a full disk.
    let full = std::path::PathBuf::from("/dev/full");
    let e = edge_with(
        config(json!({}), json!({})),
        &[("o1", cfconsole_edge::Override::parse(&o.url()).unwrap())],
        move |c| c.access_log = Some(full),
    )
    .await;
    for i in 0..5 {
        assert_eq!(
            e.get(&format!("/a{i}")).await.status,
            200,
            "requests are served"
        );
    }
    // §19-17: every line that could not be written is counted, and /stats says so.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let dropped = loop {
        let (status, v) = e.admin("GET", "/stats", serde_json::Value::Null).await;
        assert_eq!(status, 200);
        let n = v["LogRecordsDropped"]
            .as_u64()
            .expect("LogRecordsDropped in /stats");
        if n >= 5 || std::time::Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(dropped, 5, "one per line lost");
    e.edge.stop().await;
}

/// Item 5 of #16, the preview's side: `PUT /config` runs the model's checks and refuses a
/// custom origin header value with a control character (which no HTTP request may carry) with
/// 400 and the field's path, instead of swapping in a config whose header would be dropped.
#[tokio::test]
async fn put_config_refuses_a_custom_header_value_with_a_control_character() {
    let o = Origin::start(|_| Scripted::ok("fine")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    let mut bad = config(json!({}), json!({}));
    bad["Origins"]["Items"][0]["CustomHeaders"] = json!({"Quantity": 1,
        "Items": [{"HeaderName": "X-Secret-Origin", "HeaderValue": "a\u{1}b"}]});
    let (status, v) = e.admin("PUT", "/config", bad).await;
    assert_eq!(status, 400, "{v}");
    let paths: Vec<&str> = v["Findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["path"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        paths.contains(&"Origins.Items[0].CustomHeaders.Items[0].HeaderValue"),
        "{v}"
    );
    e.edge.stop().await;
}
