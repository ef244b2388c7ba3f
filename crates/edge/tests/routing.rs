//! Which behavior and origin a request goes to, and the distribution-level gates in front of
//! them (spec P-1, P-4, P-5, P-8, P-11; D-1 to D-3, D-5; S-9, S-11 and the unknown Host of
//! §1.1): the first matching path pattern wins, `/stats` counts per path pattern across a live
//! swap, the default root object stands in for `/` for every method, and geo restriction,
//! unknown hosts and a disabled distribution are refused with 403. Real sockets, a scripted
//! origin on 127.0.0.1:0, the manual clock.

mod common;

use cfconsole_edge::Override;
use common::*;
use serde_json::{Value, json};

const ALL_METHODS: &str = r#"{"Quantity": 7,
    "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
    "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}"#;

fn all_methods() -> Value {
    serde_json::from_str(ALL_METHODS).unwrap()
}

#[tokio::test]
async fn p1_p11_first_matching_behavior_routes_to_its_origin() {
    let a = Origin::start(|_| Scripted::ok("from a").header("cache-control", "max-age=60")).await;
    let b = Origin::start(|_| Scripted::ok("from b").header("cache-control", "max-age=60")).await;
    let cfg = config(
        json!({}),
        json!({
            "Origins": {"Quantity": 2, "Items": [
                {"Id": "o1", "DomainName": "a.example", "CustomOriginConfig": {"HTTPPort": 80,
                    "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
                {"Id": "o2", "DomainName": "b.example", "CustomOriginConfig": {"HTTPPort": 80,
                    "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
            "CacheBehaviors": {"Quantity": 2, "Items": [
                {"PathPattern": "images/*", "TargetOriginId": "o2",
                    "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED},
                {"PathPattern": "images/*.jpg", "TargetOriginId": "o1",
                    "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED}]}
        }),
    );
    let e = edge2(cfg, &a, &b).await;
    // P-1: `images/*` comes first and wins over the more specific `images/*.jpg`.
    assert_eq!(e.get("/images/x.jpg?q=1").await.text(), "from b");
    // P-4/P-5: the default behavior takes the rest.
    assert_eq!(e.get("/images").await.text(), "from a");
    // P-8: case-sensitive.
    assert_eq!(e.get("/IMAGES/x.jpg").await.text(), "from a");
    let (_, stats) = e.admin("GET", "/stats", serde_json::Value::Null).await;
    assert_eq!(stats["Behaviors"][0]["behavior"], "images/*");
    assert_eq!(stats["Behaviors"][0]["requests"], 1);
    e.edge.stop().await;
}

/// Not a spec rule: `/stats` counts every entry stored so far (moka counts lazily), and a live
/// swap keeps the counters of behaviors whose path pattern is unchanged.
#[tokio::test]
async fn stats_count_entries_at_once_and_survive_a_swap_by_path_pattern() {
    let o = Origin::start(|_| Scripted::ok("x").header("cache-control", "max-age=60")).await;
    let behaviors = |patterns: &[&str]| {
        let items: Vec<_> = patterns
            .iter()
            .map(|p| {
                json!({"PathPattern": p, "TargetOriginId": "o1",
                    "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED})
            })
            .collect();
        config(
            json!({}),
            json!({"CacheBehaviors": {"Quantity": items.len(), "Items": items}}),
        )
    };
    let e = edge(behaviors(&["images/*", "css/*"]), &o).await;
    e.get("/images/a.png").await;
    e.get("/images/b.png").await;
    e.get("/css/site.css").await;
    let (_, stats) = e.admin("GET", "/stats", serde_json::Value::Null).await;
    assert_eq!(stats["CacheEntries"], 3, "{stats}");
    assert_eq!(stats["CacheBytes"].as_u64().map(|b| b > 0), Some(true));
    let (st, _) = e
        .admin("PUT", "/config", behaviors(&["js/*", "images/*"]))
        .await;
    assert_eq!(st, 200);
    e.get("/images/a.png").await;
    let (_, stats) = e.admin("GET", "/stats", serde_json::Value::Null).await;
    let b = &stats["Behaviors"];
    assert_eq!(b[0]["behavior"], "js/*");
    assert_eq!(b[0]["requests"], 0);
    assert_eq!(b[1]["behavior"], "images/*");
    assert_eq!(
        b[1]["requests"], 3,
        "carried over, plus the hit after the swap"
    );
    assert_eq!(b[1]["hits"], 1);
    e.edge.stop().await;
}

#[tokio::test]
async fn d1_d2_default_root_object_only_for_slash() {
    let o = Origin::start(|s| Scripted::ok(&s.uri)).await;
    let e = edge(
        config(json!({}), json!({"DefaultRootObject": "index.html"})),
        &o,
    )
    .await;
    assert_eq!(e.get("/").await.text(), "/index.html", "D-1");
    assert_eq!(e.get("/install/").await.text(), "/install/", "D-2");
    e.edge.stop().await;
}

#[tokio::test]
async fn d3_post_to_slash_goes_to_the_default_root_object() {
    let o = Origin::start(|s| Scripted::ok(&format!("{} {}", s.method, s.uri))).await;
    let e = edge(
        config(
            json!({"CachePolicyId": CACHING_DISABLED, "AllowedMethods": all_methods()}),
            json!({"DefaultRootObject": "index.php"}),
        ),
        &o,
    )
    .await;
    let r = e.req("POST", "/", &[], "a=1").await;
    assert_eq!(r.text(), "POST /index.php", "D-3");
    e.edge.stop().await;
}

#[tokio::test]
async fn d5_without_a_default_root_object_slash_is_forwarded_as_slash() {
    let o = Origin::start(|s| Scripted::ok(&s.uri)).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    assert_eq!(e.get("/").await.text(), "/", "D-5");
    e.edge.stop().await;
}

#[tokio::test]
async fn s9_geo_s11_disabled_and_unknown_host() {
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let cfg = config(
        json!({}),
        json!({"Restrictions": {"GeoRestriction": {"RestrictionType": "blacklist", "Quantity": 1,
            "Items": ["FR"]}},
        "Aliases": {"Quantity": 1, "Items": ["*.example.com"]},
        // An alias needs a certificate that covers it (S-3, S-4).
        "ViewerCertificate": {
            "ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/\
                                  1b2c3d4e-0000-4000-8000-000000000000",
            "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}}),
    );
    let e = edge_with(
        cfg.clone(),
        &[("o1", Override::parse(&o.url()).unwrap())],
        |c| c.viewer_country = Some("DE".into()),
    )
    .await;
    assert_eq!(e.get("/g").await.status, 200, "S-9: DE allowed");
    assert_eq!(
        e.req("GET", "/g", &[("cloudfront-viewer-country", "FR")], "")
            .await
            .status,
        403,
        "S-9"
    );
    // §1.1: unknown Host → 403; wildcard alias accepted.
    let addr = e.edge.http_addr.unwrap();
    let resp = raw(
        addr,
        b"GET /g HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 403"), "{resp}");
    let resp = raw(
        addr,
        b"GET /g HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    // S-11 through a live swap (PUT /config), and a refused invalid swap.
    let mut off = cfg.clone();
    off["Enabled"] = json!(false);
    let (st, _) = e.admin("PUT", "/config", off).await;
    assert_eq!(st, 200);
    assert_eq!(e.get("/g").await.status, 403, "S-11");
    let mut bad = cfg;
    bad["DefaultCacheBehavior"]["CachePolicyId"] = json!("nope");
    let (st, v) = e.admin("PUT", "/config", bad).await;
    assert_eq!(st, 400);
    assert!(
        v["Findings"][0]["path"]
            .as_str()
            .unwrap()
            .contains("CachePolicyId"),
        "{v}"
    );
    e.edge.stop().await;
}
