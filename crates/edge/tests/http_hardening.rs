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
    assert!(resp.contains("Server: CloudFront") || resp.contains("server: CloudFront"), "{resp}");
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
        ("a bad chunk size", "5\r\nhello\r\nzz\r\nhello\r\n0\r\n\r\n".to_string()),
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
        assert!(resp.contains("The request body is not valid HTTP"), "{what}: {resp}");
        assert!(resp.contains("Error from cloudfront"), "{what}: {resp}");
    }
    // A well-formed chunked body still goes through.
    let resp = raw(
        addr,
        format!("{head}5\r\nhello\r\n0\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(status_of(&resp), 200, "{resp}");
    assert_eq!(o.last().body.as_ref(), b"hello");

    // L-2 / §19-15: logged as the viewer's error, not the origin's.
    let lines = log_lines(&log, 4).await;
    assert_eq!(lines.len(), 4, "{lines:?}");
    for (l, (what, _)) in lines.iter().zip(&bodies) {
        assert_eq!(l.len(), 33, "{what}: {l:?}");
        assert_eq!(
            (l[8].as_str(), l[13].as_str(), l[22].as_str(), l[28].as_str()),
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
        (lines[0][8].as_str(), lines[0][13].as_str(), lines[0][28].as_str()),
        ("400", "Error", "ClientHungUpRequest")
    );
    e.edge.stop().await;
}
