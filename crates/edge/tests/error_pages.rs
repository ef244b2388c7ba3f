//! Errors and custom error responses (spec E-3, E-4, E-6, E-8): an origin's 404 cached for
//! `ErrorCachingMinTTL`, and a custom error page fetched through the behavior matching its path
//! (with that origin's OriginPath), returned with the configured status and `X-Cache: Error from
//! cloudfront`. Custom pages with origin groups (F-6 = E-11) are in `origin_groups.rs`. Real
//! sockets, a scripted origin on 127.0.0.1:0, the manual clock.

mod common;

use cfconsole_edge::Override;
use common::*;
use serde_json::json;

#[tokio::test]
async fn e3_e4_404_is_error_cached_for_error_caching_min_ttl() {
    let o = Origin::start(|_| Scripted::status(404, "missing")).await;
    let e = edge(
        config(
            json!({}),
            json!({"CustomErrorResponses": {"Quantity": 1,
                "Items": [{"ErrorCode": 404, "ErrorCachingMinTTL": 30}]}}),
        ),
        &o,
    )
    .await;
    let r = e.get("/gone").await;
    assert_eq!((r.status, r.x_cache()), (404, "Error from cloudfront"));
    e.advance(29);
    assert_eq!(e.get("/gone").await.status, 404);
    assert_eq!(o.hits(), 1, "E-3/E-4: cached for 30 s");
    e.advance(2);
    e.get("/gone").await;
    assert_eq!(o.hits(), 2);
    e.edge.stop().await;
}

#[tokio::test]
async fn e6_e8_custom_error_page_fetched_through_its_own_behavior() {
    let content = Origin::start(|_| Scripted::status(500, "boom")).await;
    let pages = Origin::start(|s| {
        Scripted::ok(&format!("page {}", s.uri)).header("content-type", "text/html")
    })
    .await;
    let cfg = config(
        json!({}),
        json!({
            "Origins": {"Quantity": 2, "Items": [
                {"Id": "o1", "DomainName": "a.example", "CustomOriginConfig": {"HTTPPort": 80,
                    "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
                {"Id": "pages", "DomainName": "p.example", "OriginPath": "/static",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                        "OriginProtocolPolicy": "http-only"}}]},
            "CacheBehaviors": {"Quantity": 1, "Items": [
                {"PathPattern": "/errors/*", "TargetOriginId": "pages",
                    "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED}]},
            "CustomErrorResponses": {"Quantity": 1, "Items": [{"ErrorCode": 500,
                "ResponsePagePath": "/errors/500.html", "ResponseCode": "200",
                "ErrorCachingMinTTL": 5}]}
        }),
    );
    let e = edge_with(
        cfg,
        &[
            ("o1", Override::parse(&content.url()).unwrap()),
            ("pages", Override::parse(&pages.url()).unwrap()),
        ],
        |_| {},
    )
    .await;
    let r = e.get("/x").await;
    assert_eq!(r.status, 200, "E-6: ResponseCode");
    assert_eq!(
        r.text(),
        "page /static/errors/500.html",
        "E-6: the page's behavior and OriginPath"
    );
    assert_eq!(r.x_cache(), "Error from cloudfront", "E-8");
    e.edge.stop().await;
}
