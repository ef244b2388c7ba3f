//! Headers toward the origin and toward the viewer (spec H-1 to H-3, H-6, H-7, O-1;
//! response headers policies): the origin request's Host, path, `X-Forwarded-For`, `Via`,
//! `User-Agent` and custom headers with hop-by-hop and unforwarded viewer headers removed, and a
//! managed response headers policy adding security and CORS headers. The `CloudFront-*` request
//! headers (H-9) and `Vary` are in `cloudfront_headers.rs`. Real sockets, a scripted
//! origin on 127.0.0.1:0, the manual clock.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn h1_h3_h7_o1_origin_request_headers_and_path() {
    let o = Origin::start(|_| {
        Scripted::ok("x")
            .header("set-cookie", "a=b")
            .header("connection", "x-hop")
            .header("x-hop", "1")
    })
    .await;
    let cfg = config(
        json!({}),
        json!({"Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "origin.example",
            "OriginPath": "/prod",
            "CustomHeaders": {"Quantity": 1,
                "Items": [{"HeaderName": "X-Secret", "HeaderValue": "s3cr3t"}]},
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                "OriginProtocolPolicy": "http-only"}}]}}),
    );
    let e = edge(cfg, &o).await;
    let r = e
        .req(
            "GET",
            "/a/b?q=1",
            &[
                ("x-forwarded-for", "10.0.0.1"),
                ("x-secret", "viewer"),
                ("cookie", "c=d"),
                ("authorization", "Basic x"),
                ("te", "trailers"),
            ],
            "",
        )
        .await;
    let seen = o.last();
    assert_eq!(
        seen.uri, "/prod/a/b",
        "O-1/H-2: OriginPath prepended, query not forwarded (K-4 none)"
    );
    assert_eq!(seen.headers.get("host").unwrap(), "origin.example", "H-1");
    assert_eq!(
        seen.headers.get("x-forwarded-for").unwrap(),
        "10.0.0.1, 127.0.0.1",
        "H-3"
    );
    assert!(
        seen.headers
            .get("via")
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with(".cloudfront.net (CloudFront)"),
        "H-3 Via"
    );
    assert_eq!(
        seen.headers.get("user-agent").unwrap(),
        "Amazon CloudFront",
        "H-3"
    );
    assert_eq!(
        seen.headers.get("x-secret").unwrap(),
        "s3cr3t",
        "H-7 overwrites"
    );
    assert!(seen.headers.get("cookie").is_none(), "K-7 none");
    assert!(seen.headers.get("authorization").is_none(), "H-6 GET");
    assert!(seen.headers.get("te").is_none(), "RFC 9110 §7.6.1");
    assert!(seen.headers.get("x-amz-cf-id").is_some(), "H-3");
    assert!(r.h("set-cookie").is_none(), "X-6");
    assert!(
        r.h("x-hop").is_none(),
        "hop-by-hop from the origin stripped"
    );
    assert_eq!(r.h("x-amz-cf-pop"), Some("LCL50-P1"), "X-3");
    assert_eq!(r.h("x-amz-cf-id").map(str::len), Some(56), "X-3");
    e.edge.stop().await;
}

#[tokio::test]
async fn response_headers_policy_managed_security_headers_and_cors() {
    let o = Origin::start(|_| Scripted::ok("x").header("cache-control", "max-age=60")).await;
    // Managed "CORS-with-preflight-and-SecurityHeadersPolicy".
    let e = edge(
        config(
            json!({"ResponseHeadersPolicyId": "eaab4381-ed33-4a86-88ca-d9558dc6cd63"}),
            json!({}),
        ),
        &o,
    )
    .await;
    let r = e
        .req("GET", "/x", &[("origin", "https://site.example")], "")
        .await;
    assert_eq!(r.h("access-control-allow-origin"), Some("*"));
    assert_eq!(r.h("x-content-type-options"), Some("nosniff"));
    assert!(r.h("strict-transport-security").is_some());
    e.edge.stop().await;
}
