//! How long objects stay cached and what happens once they expire (spec T-3 to T-5, T-7, T-8,
//! T-10; R-1 to R-5, R-7; O-5 without a copy): `s-maxage` and `no-store` against MinTTL,
//! viewer cache directives that cannot force a fetch, `stale-if-error` and
//! `stale-while-revalidate`, revalidation answered with 304 or with a new object, the expired
//! copy served when the origin fails, and `Vary: *`. Real sockets, a scripted origin on
//! 127.0.0.1:0, the manual clock.

mod common;

use std::time::Duration;

use cfconsole_edge::Override;
use common::*;
use serde_json::json;

#[tokio::test]
async fn t3_t4_s_maxage_wins_and_entry_expires_with_the_clock() {
    let o = Origin::start(|_| Scripted::ok("v").header("cache-control", "max-age=5, s-maxage=60"))
        .await;
    let e = edge(config(json!({}), json!({})), &o).await;
    assert_eq!(e.get("/t").await.x_cache(), "Miss from cloudfront");
    e.advance(59);
    let r = e.get("/t").await;
    assert_eq!(
        r.x_cache(),
        "Hit from cloudfront",
        "T-3: s-maxage=60 wins over max-age=5"
    );
    assert_eq!(r.h("age"), Some("59"), "X-4");
    assert_eq!(
        r.h("cache-control"),
        Some("max-age=5, s-maxage=60"),
        "T-7: unchanged"
    );
    e.advance(2);
    assert_eq!(
        e.get("/t").await.x_cache(),
        "Miss from cloudfront",
        "expired after 60 s"
    );
    assert_eq!(o.hits(), 2);
    e.edge.stop().await;
}

#[tokio::test]
async fn t4_no_store_not_cached_with_min_ttl_0_but_cached_for_min_ttl() {
    let o = Origin::start(|_| Scripted::ok("v").header("cache-control", "no-store")).await;
    // UseOriginCacheControlHeaders: MinTTL 0.
    let e = origin_cc_edge(&o).await;
    e.get("/n").await;
    assert_eq!(
        e.get("/n").await.x_cache(),
        "Miss from cloudfront",
        "T-4: not cached with MinTTL 0"
    );
    e.edge.stop().await;
    // CachingOptimized: MinTTL 1 → cached for 1 s despite no-store.
    let o = Origin::start(|_| Scripted::ok("v").header("cache-control", "no-store")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    e.get("/n").await;
    assert_eq!(
        e.get("/n").await.x_cache(),
        "Hit from cloudfront",
        "T-4: MinTTL > 0 caches"
    );
    e.advance(1);
    assert_eq!(e.get("/n").await.x_cache(), "Miss from cloudfront");
    e.edge.stop().await;
}

#[tokio::test]
async fn t8_viewer_cache_directives_cannot_force_an_origin_fetch() {
    let o = Origin::start(|_| Scripted::ok("v").header("cache-control", "max-age=60")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    let r = e
        .req(
            "GET",
            "/t",
            &[("cache-control", "no-cache"), ("pragma", "no-cache")],
            "",
        )
        .await;
    assert_eq!(r.x_cache(), "Miss from cloudfront");
    assert_eq!(
        o.last().headers.get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-cache"[..]),
        "T-8/H-4: still forwarded on a miss"
    );
    for directive in ["no-cache", "no-store", "max-age=0"] {
        let r = e
            .req(
                "GET",
                "/t",
                &[("cache-control", directive), ("pragma", "no-cache")],
                "",
            )
            .await;
        assert_eq!(r.x_cache(), "Hit from cloudfront", "T-8: {directive}");
    }
    assert_eq!(o.hits(), 1);
    e.edge.stop().await;
}

/// An object cached with `cache_control`, the clock moved on `secs`, then its origin failing
/// with `status`: what the viewer gets for the object next.
async fn after_origin_fails(
    cache_control: &'static str,
    path: &str,
    secs: u64,
    status: u16,
) -> Resp {
    let o =
        Origin::start(move |_| Scripted::ok("good").header("cache-control", cache_control)).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    e.get(path).await;
    e.advance(secs);
    o.set(move |_| Scripted::status(status, "down"));
    let r = e.get(path).await;
    e.edge.stop().await;
    r
}

/// An edge whose default behavior uses the managed UseOriginCacheControlHeaders policy, so the
/// origin's `Cache-Control` decides (spec T-3…T-5, R-7).
async fn origin_cc_edge(o: &Origin) -> TestEdge {
    edge(
        config(json!({"CachePolicyId": USE_ORIGIN_CC}), json!({})),
        o,
    )
    .await
}

#[tokio::test]
async fn t10_stale_if_error_window_bounds_the_stale_copy() {
    let cc = "max-age=10, stale-if-error=20";
    assert_eq!(
        after_origin_fails(cc, "/w", 25, 500).await.text(),
        "good",
        "T-10: within stale-if-error after expiry"
    );
    assert_eq!(
        after_origin_fails(cc, "/w", 31, 500).await.status,
        500,
        "T-10: past the window the error is returned"
    );
}

#[tokio::test]
async fn t10_stale_while_revalidate_serves_stale_and_refreshes_in_background() {
    let o = Origin::start(|_| {
        Scripted::ok("v1").header("cache-control", "max-age=10, stale-while-revalidate=30")
    })
    .await;
    let e = edge(config(json!({}), json!({})), &o).await;
    e.get("/w").await;
    o.set(|_| Scripted::ok("v2").header("cache-control", "max-age=10, stale-while-revalidate=30"));
    e.advance(15);
    let r = e.get("/w").await;
    assert_eq!(
        (r.text().as_str(), r.x_cache()),
        ("v1", "Hit from cloudfront"),
        "T-10: the stale copy at once"
    );
    // Bounded poll: the background revalidation reaches the origin and refills the entry.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = e.get("/w").await;
        if r.text() == "v2" {
            assert_eq!(r.x_cache(), "Hit from cloudfront");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the background refresh never landed"
        );
        tokio::task::yield_now().await;
    }
    e.edge.stop().await;
}

#[tokio::test]
async fn r1_r2_expired_entry_revalidates_with_304_to_refreshhit() {
    let o = Origin::start(|s| {
        if s.headers
            .get("if-none-match")
            .is_some_and(|v| v == "\"e1\"")
        {
            Scripted::status(304, "").header("cache-control", "max-age=10")
        } else {
            Scripted::ok("body")
                .header("etag", "\"e1\"")
                .header("cache-control", "max-age=10")
        }
    })
    .await;
    let e = edge(config(json!({}), json!({})), &o).await;
    e.get("/r").await;
    e.advance(11);
    let r = e.get("/r").await;
    assert_eq!(r.x_cache(), "RefreshHit from cloudfront", "R-2");
    assert_eq!(r.text(), "body", "R-2: cached body reused");
    assert_eq!(
        o.last().headers.get("if-none-match").unwrap(),
        "\"e1\"",
        "R-1"
    );
    assert_eq!(
        e.get("/r").await.x_cache(),
        "Hit from cloudfront",
        "R-2: freshness restarted"
    );
    // R-6: viewer conditional answered by the edge.
    let r = e.req("GET", "/r", &[("if-none-match", "\"e1\"")], "").await;
    assert_eq!(r.status, 304);
    assert_eq!(o.hits(), 2);
    e.edge.stop().await;
}

#[tokio::test]
async fn r3_a_200_on_revalidation_replaces_the_entry_as_a_miss() {
    let o = Origin::start(|s| {
        if s.headers.contains_key("if-none-match") {
            Scripted::ok("v2")
                .header("etag", "\"2\"")
                .header("cache-control", "max-age=60")
        } else {
            Scripted::ok("v1")
                .header("etag", "\"1\"")
                .header("cache-control", "max-age=60")
        }
    })
    .await;
    let e = origin_cc_edge(&o).await;
    assert_eq!(e.get("/r").await.text(), "v1");
    e.advance(61);
    let r = e.get("/r").await;
    assert_eq!(
        (r.text().as_str(), r.x_cache()),
        ("v2", "Miss from cloudfront"),
        "R-3"
    );
    assert_eq!(
        o.last().headers.get("if-none-match").map(|v| v.as_bytes()),
        Some(&b"\"1\""[..]),
        "R-1: revalidated with the stored validator"
    );
    let r = e.get("/r").await;
    assert_eq!(
        (r.text().as_str(), r.x_cache()),
        ("v2", "Hit from cloudfront"),
        "R-3: the new object replaced the old"
    );
    assert_eq!(o.hits(), 2);
    e.edge.stop().await;
}

#[tokio::test]
async fn r4_r5_stale_copy_served_on_5xx_and_on_dead_origin_but_not_with_stale_if_error_0() {
    let r = after_origin_fails("max-age=10", "/s", 11, 503).await;
    assert_eq!(
        (r.status, r.text().as_str(), r.x_cache()),
        (200, "good", "RefreshHit from cloudfront"),
        "R-4"
    );

    assert_eq!(
        after_origin_fails("max-age=10, stale-if-error=0", "/s", 11, 503)
            .await
            .status,
        503,
        "T-5: stale-if-error=0 returns the error"
    );

    // R-5: the origin stops answering in time (OriginReadTimeout 2 s in `config()`) while an
    // expired copy exists → the copy; without a copy → 504 (O-5).
    let o = Origin::start(|_| Scripted::ok("good").header("cache-control", "max-age=10")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    e.get("/u").await;
    e.advance(11);
    o.set(|_| Scripted::ok("late").delay(Duration::from_secs(4)));
    let r = e.get("/u").await;
    assert_eq!(
        (r.status, r.text().as_str(), r.x_cache()),
        (200, "good", "RefreshHit from cloudfront"),
        "R-5"
    );
    assert_eq!(
        e.get("/never-cached").await.status,
        504,
        "O-5: no copy to fall back on"
    );
    e.edge.stop().await;
    // O-5: connection refused → 502.
    let dead = dead_port().await;
    let e2 = edge_with(
        config(json!({}), json!({})),
        &[(
            "o1",
            Override::parse(&format!("http://127.0.0.1:{dead}")).unwrap(),
        )],
        |_| {},
    )
    .await;
    assert_eq!(e2.get("/u").await.status, 502, "O-5: refused → 502");
    e2.edge.stop().await;
}

/// A port with nothing listening.
pub async fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let p = l.local_addr().unwrap().port();
    drop(l);
    p
}

#[tokio::test]
async fn r7_vary_star_with_min_ttl_0_always_forwards_without_conditionals() {
    let o = Origin::start(|_| {
        Scripted::ok("v")
            .header("vary", "*")
            .header("etag", "\"v1\"")
            .header("cache-control", "max-age=60")
    })
    .await;
    let e = origin_cc_edge(&o).await;
    e.get("/v").await;
    let r = e.get("/v").await;
    assert_eq!(r.x_cache(), "Miss from cloudfront", "R-7");
    assert_eq!(o.hits(), 2);
    assert!(
        o.last().headers.get("if-none-match").is_none(),
        "R-7: no conditional headers"
    );
    e.edge.stop().await;
}
