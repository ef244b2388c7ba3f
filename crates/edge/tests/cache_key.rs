//! The cache key (spec K-1, K-3, K-4, K-8, K-11, K-12): a custom cache policy keys and forwards
//! only its whitelisted query parameters, viewers that accept none of the enabled codings share
//! the uncompressed entry, concurrent misses for one key make one origin request, and signed-URL
//! parameters are stripped before forwarding. Real sockets, a scripted origin on 127.0.0.1:0,
//! the manual clock.

mod common;

use std::time::Duration;

use cfconsole_edge::Override;
use common::*;
use serde_json::json;

#[tokio::test]
async fn k1_k4_custom_cache_policy_keys_whitelisted_query_only() {
    let o = Origin::start(|s| Scripted::ok(&s.uri).header("cache-control", "max-age=60")).await;
    let policies = cfconsole_model::PolicySet::from_json(
        &json!({"CachePolicy": {"Id": "custom-1", "LastModifiedTime": "2024-01-01T00:00:00Z",
            "CachePolicyConfig": {
            "Name": "q", "MinTTL": 0, "DefaultTTL": 100, "MaxTTL": 1000,
            "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
                "HeadersConfig": {"HeaderBehavior": "none"},
                "CookiesConfig": {"CookieBehavior": "none"},
                "QueryStringsConfig": {"QueryStringBehavior": "whitelist",
                    "QueryStrings": {"Quantity": 1, "Items": ["color"]}}}}}})
        .to_string(),
    )
    .unwrap();
    let cfg = config(json!({"CachePolicyId": "custom-1"}), json!({}));
    let e = edge_with(cfg, &[("o1", Override::parse(&o.url()).unwrap())], |c| {
        c.policies = policies
    })
    .await;
    let r = e.get("/p?color=red&size=1").await;
    assert_eq!(
        r.text(),
        "/p?color=red",
        "K-3/K-4: only the keyed parameter is forwarded"
    );
    assert_eq!(r.x_cache(), "Miss from cloudfront");
    let r = e.get("/p?size=2&color=red").await;
    assert_eq!(
        r.x_cache(),
        "Hit from cloudfront",
        "K-4: size is not in the key"
    );
    let r = e.get("/p?color=Red").await;
    assert_eq!(
        r.x_cache(),
        "Miss from cloudfront",
        "K-4: values case-sensitive"
    );
    assert_eq!(o.hits(), 2);
    e.edge.stop().await;
}

/// spec K-8: a viewer that accepts none of the enabled codings and one that sends no
/// Accept-Encoding both get the uncompressed object: neither is in the key, so they share one
/// entry. The origin still hears `identity` from the first.
#[tokio::test]
async fn k8_accepting_none_of_the_codings_and_sending_no_accept_encoding_share_an_entry() {
    let body = "compress me please ".repeat(100);
    let b2 = body.clone();
    let o = Origin::start(move |_| Scripted::ok(&b2).header("cache-control", "max-age=60")).await;
    let e = edge(config(json!({"Compress": true}), json!({})), &o).await;
    let r = e
        .req("GET", "/k8", &[("accept-encoding", "deflate")], "")
        .await;
    assert_eq!(r.x_cache(), "Miss from cloudfront");
    assert_eq!((r.h("content-encoding"), r.body.len()), (None, body.len()));
    assert_eq!(
        o.last().headers.get("accept-encoding").unwrap(),
        "identity",
        "K-8: the origin gets identity"
    );
    let r = e.req("GET", "/k8", &[], "").await;
    assert_eq!(
        r.x_cache(),
        "Hit from cloudfront",
        "K-8: no Accept-Encoding shares the entry of `deflate` only"
    );
    assert_eq!((r.h("content-encoding"), r.body.len()), (None, body.len()));
    let r = e
        .req(
            "GET",
            "/k8",
            &[("accept-encoding", "deflate, identity")],
            "",
        )
        .await;
    assert_eq!(r.x_cache(), "Hit from cloudfront");
    assert_eq!(o.hits(), 1, "K-8: one origin fetch for both");
    e.edge.stop().await;
}

#[tokio::test]
async fn k11_200_concurrent_misses_make_one_origin_request() {
    let o = Origin::start(|_| {
        Scripted::ok("shared")
            .header("cache-control", "max-age=60")
            .delay(Duration::from_millis(400))
    })
    .await;
    let e = std::sync::Arc::new(edge(config(json!({}), json!({})), &o).await);
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let e = e.clone();
        tasks.push(tokio::spawn(async move { e.get("/one").await }));
    }
    let mut misses = 0;
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.text(), "shared");
        misses += usize::from(r.x_cache() == "Miss from cloudfront");
    }
    assert_eq!(o.hits(), 1, "K-11: exactly one origin request");
    assert_eq!(misses, 1, "K-11: the first is logged Miss, the rest Hit");
}

#[tokio::test]
async fn k12_signed_url_parameters_are_stripped_before_forwarding() {
    use cfconsole_signing::{Hash, KeyKind, Policy, PrivateKey, TrustedKeys};
    let o = Origin::start(|s| Scripted::ok(&s.uri)).await;
    let key = PrivateKey::generate(KeyKind::EcdsaP256).unwrap();
    let mut keys = TrustedKeys::new();
    keys.add_key("K1", key.public_key());
    keys.add_group("kg1", vec!["K1".into()]);
    let keys = std::sync::Arc::new(keys);
    let e = edge_with(
        config(
            json!({"CachePolicyId": "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
                "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["kg1"]}}),
            json!({}),
        ),
        &[("o1", Override::parse(&o.url()).unwrap())],
        |c| c.trusted_keys = Some(keys),
    )
    .await;
    // SU-3: without a signature the behavior refuses.
    let r = e.get("/s.mp4?a=1").await;
    assert_eq!(r.status, 403, "SU-3");
    let policy = Policy::Custom {
        resource: "http*://*/s.mp4*".into(),
        date_less_than: 1_750_000_000 + 3600,
        date_greater_than: None,
        ip_address: None,
    };
    let signed =
        cfconsole_signing::sign_url("http://h/s.mp4?a=1", "K1", &key, &policy, Hash::Sha256)
            .unwrap();
    let r = e.get(signed.strip_prefix("http://h").unwrap()).await;
    assert_eq!(r.text(), "/s.mp4?a=1", "K-12, SU-10 (Hash-Algorithm too)");
    e.edge.stop().await;
}
