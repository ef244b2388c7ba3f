//! Invalidation (spec I-2, I-3, I-7, I-11; D-6, which is I-6): every query variant removed at
//! once, a trailing wildcard, a repeated CallerReference, control characters refused, cached
//! ranges removed with their object, and the default root object invalidated by its own path,
//! not by `/`. Real sockets, a scripted origin on 127.0.0.1:0, the manual clock.

mod common;

use common::ranges::{honour_ranges, object};
use common::*;
use serde_json::json;

#[tokio::test]
async fn i2_i3_i11_invalidation_removes_all_variants_at_once() {
    let o = Origin::start(|s| Scripted::ok(&s.uri).header("cache-control", "max-age=600")).await;
    let e = edge(
        config(
            json!({"CachePolicyId": "4cc15a8a-d715-48a4-82b8-cc0b614638fe"}),
            json!({}),
        ),
        &o,
    )
    .await;
    for p in ["/img/a.jpg?v=1", "/img/a.jpg?v=2", "/img/b.jpg", "/other"] {
        e.get(p).await;
    }
    assert_eq!(
        e.get("/img/a.jpg?v=1").await.x_cache(),
        "Hit from cloudfront"
    );
    let batch =
        json!({"Paths": {"Quantity": 1, "Items": ["/img/a.jpg"]}, "CallerReference": "ref-1"});
    let (st, v) = e.admin("POST", "/invalidations", batch.clone()).await;
    assert_eq!(st, 201);
    let id = v["Invalidation"]["Id"].as_str().unwrap().to_string();
    assert_eq!(
        v["Invalidation"]["InvalidationBatch"]["Paths"]["Items"][0],
        "/img/a.jpg"
    );
    assert_eq!(
        e.get("/img/a.jpg?v=1").await.x_cache(),
        "Miss from cloudfront",
        "I-3: every query variant"
    );
    assert_eq!(e.get("/img/b.jpg").await.x_cache(), "Hit from cloudfront");
    // I-11: same reference, same paths → the same invalidation; other paths → error.
    let (st, v) = e.admin("POST", "/invalidations", batch).await;
    assert_eq!(
        (st, v["Invalidation"]["Id"].as_str()),
        (200, Some(id.as_str()))
    );
    let (st, v) = e
        .admin(
            "POST",
            "/invalidations",
            json!({"Paths": {"Quantity": 1, "Items": ["/x"]}, "CallerReference": "ref-1"}),
        )
        .await;
    assert_eq!(
        (st, v["Error"]["Code"].as_str()),
        (409, Some("InvalidationBatchAlreadyExists"))
    );
    // Control characters (NUL, CR/LF) are refused, in either form of the batch.
    for bad in ["/img/a.jpg\0", "/img/a.jpg\r\nX-Injected: 1", "/img/\n"] {
        for body in [
            json!({"Paths": [bad]}),
            json!({"Paths": {"Quantity": 1, "Items": [bad]}, "CallerReference": "ref-ctl"}),
        ] {
            let (st, v) = e.admin("POST", "/invalidations", body).await;
            assert_eq!(
                (st, v["Error"]["Code"].as_str()),
                (400, Some("InvalidArgument")),
                "{bad:?}: {v}"
            );
        }
    }
    // I-2: trailing wildcard, short form.
    let (st, _) = e
        .admin("POST", "/invalidations", json!({"Paths": ["/img/*"]}))
        .await;
    assert_eq!(st, 201);
    assert_eq!(e.get("/img/b.jpg").await.x_cache(), "Miss from cloudfront");
    assert_eq!(e.get("/other").await.x_cache(), "Hit from cloudfront");
    let (st, v) = e
        .admin(
            "GET",
            &format!("/invalidations/{id}"),
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(
        (st, v["Invalidation"]["Status"].as_str()),
        (200, Some("Completed"))
    );
    let (_, v) = e
        .admin("GET", "/invalidations", serde_json::Value::Null)
        .await;
    assert_eq!(v["InvalidationList"]["Quantity"], 2);
    let (st, v) = e
        .admin("POST", "/invalidations", json!({"Paths": ["/a*b"]}))
        .await;
    assert_eq!(
        (st, v["Error"]["Code"].as_str()),
        (400, Some("InvalidArgument"))
    );
    let entries = e.cache_entries().await;
    assert!(entries.iter().any(|x| x["path"] == "/other"),);
    e.edge.stop().await;
}

#[tokio::test]
async fn i3_i7_invalidation_removes_cached_ranges() {
    let o = Origin::start(|s| honour_ranges(s, &object(), "max-age=600")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    e.req("GET", "/inv/a.bin", &[("range", "bytes=0-49")], "")
        .await;
    let r = e
        .req("GET", "/inv/a.bin", &[("range", "bytes=10-19")], "")
        .await;
    assert_eq!(r.x_cache(), "Hit from cloudfront");
    let entries = e.cache_entries().await;
    assert!(
        entries
            .iter()
            .any(|x| x["path"] == "/inv/a.bin" && x["status"] == 206 && x["bytes"] == 50),
        "the range entry is listed: {entries:?}"
    );
    let (st, v) = e
        .admin("POST", "/invalidations", json!({"Paths": ["/inv/a.bin"]}))
        .await;
    assert_eq!(st, 201, "{v}");
    assert!(
        v["Invalidation"].to_string().contains("a.bin"),
        "the invalidation names the path: {v}"
    );
    let r = e
        .req("GET", "/inv/a.bin", &[("range", "bytes=10-19")], "")
        .await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (206, object()[10..20].to_string(), "Miss from cloudfront"),
        "I-7: the cached range is gone"
    );
    assert_eq!(o.hits(), 2);
    let entries = e.cache_entries().await;
    assert!(
        !entries.iter().any(|x| x["bytes"] == 50),
        "I-7: the old range entry left the cache: {entries:?}"
    );
    e.edge.stop().await;
}

#[tokio::test]
async fn d6_the_default_root_object_is_invalidated_by_its_object_path() {
    let o = Origin::start(|_| Scripted::ok("home").header("cache-control", "max-age=3600")).await;
    let e = edge(
        config(json!({}), json!({"DefaultRootObject": "index.html"})),
        &o,
    )
    .await;
    e.get("/").await;
    assert_eq!(e.get("/").await.x_cache(), "Hit from cloudfront");
    let batch =
        |p: &str, r: &str| json!({"Paths": {"Quantity": 1, "Items": [p]}, "CallerReference": r});
    let (st, _) = e.admin("POST", "/invalidations", batch("/", "r1")).await;
    assert_eq!(st, 201);
    assert_eq!(
        e.get("/").await.x_cache(),
        "Hit from cloudfront",
        "D-6: `/` does not name the cached object"
    );
    let (st, _) = e
        .admin("POST", "/invalidations", batch("/index.html", "r2"))
        .await;
    assert_eq!(st, 201);
    assert_eq!(
        e.get("/").await.x_cache(),
        "Miss from cloudfront",
        "D-6: its object path does"
    );
    assert_eq!(o.hits(), 2);
    e.edge.stop().await;
}
