//! Origin groups and failover (spec F-2 to F-6, E-11): a listed status from the primary sends a
//! GET (not a POST) to the secondary, hits skip both origins and every miss starts at the
//! primary, unlisted errors and redirects from the primary are returned, and custom error pages
//! apply to the primary's unlisted errors and to the secondary's errors. Real sockets, scripted
//! origins on 127.0.0.1:0, the manual clock.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn f2_f3_failover_to_secondary_for_get_only() {
    let primary = Origin::start(|_| Scripted::status(503, "primary down")).await;
    let secondary = Origin::start(|_| Scripted::ok("secondary")).await;
    let cfg = config(
        json!({"TargetOriginId": "g", "CachePolicyId": CACHING_DISABLED,
        "AllowedMethods": {"Quantity": 7,
            "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
            "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}}),
        json!({
            "Origins": {"Quantity": 2, "Items": [
                {"Id": "o1", "DomainName": "a.example", "CustomOriginConfig": {"HTTPPort": 80,
                    "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
                {"Id": "o2", "DomainName": "b.example", "CustomOriginConfig": {"HTTPPort": 80,
                    "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
            "OriginGroups": {"Quantity": 1, "Items": [{"Id": "g",
                "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 503]}},
                "Members": {"Quantity": 2, "Items": [{"OriginId": "o1"}, {"OriginId": "o2"}]}}]}
        }),
    );
    let e = edge2(cfg, &primary, &secondary).await;
    assert_eq!(e.get("/f").await.text(), "secondary", "F-2");
    let r = e.req("POST", "/f", &[], "x").await;
    assert_eq!(r.status, 503, "F-3: POST returns the primary's result");
    assert_eq!(secondary.hits(), 1);
    e.edge.stop().await;
}

/// Origin group `g` = primary `o1`, secondary `o2`, failing over on `codes`.
fn group_config(default: Value, codes: &[u16], extra: Value) -> Value {
    let mut cfg = config(
        default,
        json!({
            "Origins": {"Quantity": 2, "Items": [
                {"Id": "o1", "DomainName": "a.example", "CustomOriginConfig": {"HTTPPort": 80,
                    "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
                {"Id": "o2", "DomainName": "b.example", "CustomOriginConfig": {"HTTPPort": 80,
                    "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
            "OriginGroups": {"Quantity": 1, "Items": [{"Id": "g",
                "FailoverCriteria": {"StatusCodes": {"Quantity": codes.len(), "Items": codes}},
                "Members": {"Quantity": 2, "Items": [{"OriginId": "o1"}, {"OriginId": "o2"}]}}]}
        }),
    );
    merge(
        &mut cfg["DefaultCacheBehavior"],
        json!({"TargetOriginId": "g"}),
    );
    merge(&mut cfg, extra);
    cfg
}

#[tokio::test]
async fn f4_hits_skip_origins_and_every_miss_starts_at_the_primary() {
    let primary = Origin::start(|s| {
        if s.uri.starts_with("/down") {
            Scripted::status(503, "primary down")
        } else {
            Scripted::ok("primary").header("cache-control", "max-age=60")
        }
    })
    .await;
    let secondary =
        Origin::start(|_| Scripted::ok("secondary").header("cache-control", "max-age=60")).await;
    let e = edge2(
        group_config(json!({}), &[503], json!({})),
        &primary,
        &secondary,
    )
    .await;
    assert_eq!(e.get("/down").await.text(), "secondary");
    let hit = e.get("/down").await;
    assert_eq!(
        (hit.text().as_str(), hit.x_cache()),
        ("secondary", "Hit from cloudfront"),
        "F-4: the secondary's object is cached and served without any origin"
    );
    assert_eq!((primary.hits(), secondary.hits()), (1, 1));
    assert_eq!(
        e.get("/up").await.text(),
        "primary",
        "F-4: no stickiness, the next miss starts at the primary"
    );
    assert_eq!((primary.hits(), secondary.hits()), (2, 1));
    e.edge.stop().await;
}

#[tokio::test]
async fn f5_unlisted_errors_and_redirects_from_the_primary_are_returned() {
    let primary = Origin::start(|s| {
        if s.uri == "/moved" {
            Scripted::status(302, "").header("location", "/elsewhere")
        } else {
            Scripted::status(404, "no such key")
        }
    })
    .await;
    let secondary = Origin::start(|_| Scripted::ok("secondary")).await;
    let e = edge2(
        group_config(json!({}), &[500, 502, 503, 504], json!({})),
        &primary,
        &secondary,
    )
    .await;
    let r = e.get("/missing").await;
    assert_eq!(
        (r.status, r.x_cache()),
        (404, "Error from cloudfront"),
        "F-5: 404 is not a failover status"
    );
    let r = e.get("/moved").await;
    assert_eq!(r.status, 302, "F-5: 3xx returned");
    assert_eq!(r.h("location"), Some("/elsewhere"));
    assert_eq!(secondary.hits(), 0, "F-5: the secondary is never asked");
    e.edge.stop().await;
}

#[tokio::test]
async fn f6_e11_custom_pages_for_unlisted_primary_errors_and_secondary_errors() {
    let primary = Origin::start(|s| {
        if s.uri.starts_with("/errors/") {
            Scripted::ok(&format!("page {}", s.uri)).header("content-type", "text/html")
        } else if s.uri == "/missing" {
            Scripted::status(404, "no such key")
        } else {
            Scripted::status(503, "primary down")
        }
    })
    .await;
    let secondary = Origin::start(|_| Scripted::status(500, "secondary broken")).await;
    let cfg = group_config(
        json!({}),
        &[503],
        json!({
            "CacheBehaviors": {"Quantity": 1, "Items": [
                {"PathPattern": "/errors/*", "TargetOriginId": "o1",
                    "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED}]},
            "CustomErrorResponses": {"Quantity": 2, "Items": [
                {"ErrorCode": 404, "ResponsePagePath": "/errors/404.html", "ResponseCode": "404",
                    "ErrorCachingMinTTL": 5},
                {"ErrorCode": 500, "ResponsePagePath": "/errors/500.html", "ResponseCode": "500",
                    "ErrorCachingMinTTL": 5}]}
        }),
    );
    let e = edge2(cfg, &primary, &secondary).await;
    let r = e.get("/missing").await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (404, "page /errors/404.html"),
        "F-6: the primary's unlisted 404 gets its custom page"
    );
    assert_eq!(secondary.hits(), 0);
    let r = e.get("/data").await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (500, "page /errors/500.html"),
        "F-6/E-11: after failover, the secondary's 500 gets its custom page"
    );
    assert_eq!(secondary.hits(), 1);
    e.edge.stop().await;
}
