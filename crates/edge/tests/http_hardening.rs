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
