//! Bad input (malformed request 400, oversized headers 494, URL over 8,192 bytes 413, GET with a
//! body 403, dead origin 502 with its custom error page, unknown Host 403) with the server still
//! serving after each (spec H-11, H-12, O-5, E-6). Real sockets, a scripted origin on
//! 127.0.0.1:0.

mod common;

use cfconsole_edge::Override;
use common::*;
use serde_json::json;

async fn good(e: &TestEdge) {
    let r = e.get("/good").await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "fine"),
        "the server keeps serving"
    );
}

#[tokio::test]
async fn bad_requests_get_400_494_403_502_and_the_server_keeps_serving() {
    let o = Origin::start(|_| Scripted::ok("fine")).await;
    let pages = tempfile::tempdir().unwrap();
    std::fs::create_dir(pages.path().join("errors")).unwrap();
    std::fs::write(
        pages.path().join("errors/502.html"),
        "origin is down, sorry",
    )
    .unwrap();
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED}),
        json!({
            "Origins": {"Quantity": 3, "Items": [
                {"Id": "o1", "DomainName": "a.example", "CustomOriginConfig": {"HTTPPort": 80,
                    "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
                {"Id": "dead", "DomainName": "dead.example", "ConnectionAttempts": 2,
                    "ConnectionTimeout": 1,
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                        "OriginProtocolPolicy": "http-only"}},
                {"Id": "pages", "DomainName": "bucket.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "CacheBehaviors": {"Quantity": 2, "Items": [
                {"PathPattern": "/errors/*", "TargetOriginId": "pages",
                    "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED},
                {"PathPattern": "/api/*", "TargetOriginId": "dead",
                    "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED}]},
            "CustomErrorResponses": {"Quantity": 1, "Items": [{"ErrorCode": 502,
                "ResponsePagePath": "/errors/502.html", "ResponseCode": "502",
                "ErrorCachingMinTTL": 0}]}
        }),
    );
    let e = edge_with(
        cfg,
        &[
            ("o1", Override::parse(&o.url()).unwrap()),
            (
                "dead",
                Override::parse(&format!("http://127.0.0.1:{dead}")).unwrap(),
            ),
            ("pages", Override::Folder(pages.path().to_path_buf())),
        ],
        |_| {},
    )
    .await;
    let addr = e.edge.http_addr.unwrap();
    good(&e).await;

    // Malformed request line → 400 (hyper's parser answers it).
    let resp = raw(addr, b"THIS IS NOT HTTP\r\n\r\n").await;
    assert!(resp.starts_with("HTTP/1.1 400"), "malformed: {resp:?}");
    good(&e).await;

    // Oversized headers → 494 (H-12 / the code).
    let big = "a".repeat(25_000);
    let r = e.req("GET", "/good", &[("x-big", big.as_str())], "").await;
    assert_eq!(
        (r.status, r.h("server")),
        (494, Some("CloudFront")),
        "oversized headers"
    );
    // hyper has no name for 494 and would write `<none>` as the reason phrase.
    let resp = raw(
        addr,
        format!(
            "GET /good HTTP/1.1\r\nHost: {DOMAIN}\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    let status_line = resp.lines().next().unwrap_or_default();
    assert_eq!(
        status_line, "HTTP/1.1 494 Request Header Or Cookie Too Large",
        "494 status line"
    );
    good(&e).await;

    // URL over 8,192 bytes → 413 (H-12).
    let long = format!("/{}", "u".repeat(9_000));
    assert_eq!(e.get(&long).await.status, 413);
    good(&e).await;

    // GET with a body → 403 (H-11).
    let r = e.req("GET", "/good", &[], "body!").await;
    assert_eq!(r.status, 403, "H-11");
    good(&e).await;

    // Dead origin → 502 with the custom error page (O-5, E-6).
    let r = e.get("/api/x").await;
    assert_eq!(r.status, 502, "O-5: connection refused");
    assert_eq!(r.text(), "origin is down, sorry", "E-6: the custom page");
    assert_eq!(r.x_cache(), "Error from cloudfront");
    good(&e).await;

    // Unknown Host → 403 (not an open proxy), and nothing is forwarded anywhere.
    let before = o.hits();
    let resp = raw(
        addr,
        b"GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 403"), "{resp}");
    assert_eq!(o.hits(), before);
    good(&e).await;
    e.edge.stop().await;
}
