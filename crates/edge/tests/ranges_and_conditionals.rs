//! Range requests, HEAD and conditional requests (spec G-1 to G-5, G-7; If-Range under G-1;
//! R-6): ranges cut from a cached object or a cached range, an origin's 206 passed on and
//! cached, chunked and invalid 206s, 416 never cached, concurrent ranged misses collapsed per
//! range (K-11), and viewer conditionals sent to the origin only when the request cannot be
//! cached. Real sockets, a scripted origin on 127.0.0.1:0, the manual clock.

mod common;

use std::time::Duration;

use common::ranges::{honour_ranges, object};
use common::*;
use serde_json::json;

#[tokio::test]
async fn g1_g3_g7_ranges_from_cache_and_head() {
    let o =
        Origin::start(|_| Scripted::ok("0123456789").header("cache-control", "max-age=60")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    // G-2: this origin ignores ranges, so the first ranged request gets the full 200 ...
    let r = e.req("GET", "/r", &[("range", "bytes=2-4")], "").await;
    assert_eq!(
        (r.status, r.text().as_str(), r.x_cache()),
        (200, "0123456789", "Miss from cloudfront"),
        "G-2: origin ignored the range"
    );
    assert_eq!(
        o.last().headers["range"],
        "bytes=2-4",
        "G-2: range forwarded"
    );
    // ... and later ranges are cut from the cached whole object (G-1).
    let r = e.req("GET", "/r", &[("range", "bytes=2-4")], "").await;
    assert_eq!((r.status, r.text().as_str()), (206, "234"), "G-1/G-2");
    assert_eq!(r.h("content-range"), Some("bytes 2-4/10"));
    let r = e.req("GET", "/r", &[("range", "bytes=5-")], "").await;
    assert_eq!(
        (r.status, r.text().as_str(), r.x_cache()),
        (206, "56789", "Hit from cloudfront"),
        "G-2 from cache"
    );
    let r = e
        .req("GET", "/r", &[("range", "bytes=300-400,100-200")], "")
        .await;
    assert_eq!((r.status, r.text().len()), (200, 10), "G-3");
    let r = e.req("GET", "/r", &[("range", "bytes=50-")], "").await;
    assert_eq!(r.status, 416, "G-5");
    let r = e.req("HEAD", "/r", &[], "").await;
    assert_eq!(
        (r.status, r.body.len(), r.h("content-length")),
        (200, 0, Some("10")),
        "G-7"
    );
    assert_eq!(
        r.x_cache(),
        "Hit from cloudfront",
        "G-7: HEAD served from the GET entry"
    );
    assert_eq!(o.hits(), 1);
    e.edge.stop().await;
}

#[tokio::test]
async fn g1_g2_origin_206_passed_through_cached_and_covering_ranges_hit() {
    let o = Origin::start(|s| honour_ranges(s, &object(), "max-age=60")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    let obj = object();
    // G-2: a miss forwards the range; the origin's 206 goes to the viewer as is.
    let r = e.req("GET", "/v", &[("range", "bytes=20-59")], "").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (206, obj[20..60].to_string(), "Miss from cloudfront"),
        "G-2: 206 passed through"
    );
    assert_eq!(r.h("content-range"), Some("bytes 20-59/200"));
    assert_eq!(r.h("content-length"), Some("40"));
    assert_eq!(
        o.last().headers["range"],
        "bytes=20-59",
        "G-2: the range reaches the origin"
    );
    // G-2: the range was cached: the same range again is a hit, no origin request.
    e.advance(5);
    let r = e.req("GET", "/v", &[("range", "bytes=20-59")], "").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (206, obj[20..60].to_string(), "Hit from cloudfront"),
        "G-1: the cached range answers"
    );
    assert_eq!(r.h("content-range"), Some("bytes 20-59/200"));
    assert_eq!(r.h("age"), Some("5"), "X-4 on a range hit");
    // G-1: a range inside the cached one is cut from it.
    let r = e.req("GET", "/v", &[("range", "bytes=30-39")], "").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (206, obj[30..40].to_string(), "Hit from cloudfront"),
        "G-1: sub-range of a cached range"
    );
    assert_eq!(r.h("content-range"), Some("bytes 30-39/200"));
    assert_eq!(o.hits(), 1, "G-1: hits never reach the origin");
    // G-1: ranges the cached one does not hold are forwarded: elsewhere, or only partly held.
    for (spec, s, end) in [("bytes=100-109", 100, 110), ("bytes=50-69", 50, 70)] {
        let r = e.req("GET", "/v", &[("range", spec)], "").await;
        assert_eq!(
            (r.status, r.text(), r.x_cache()),
            (206, obj[s..end].to_string(), "Miss from cloudfront"),
            "G-1: {spec} is not covered"
        );
        assert_eq!(o.last().headers["range"], spec);
    }
    assert_eq!(o.hits(), 3);
    // G-2: a range entry lives as long as the §7 decision says (max-age=60).
    e.advance(56);
    let r = e.req("GET", "/v", &[("range", "bytes=20-59")], "").await;
    assert_eq!(
        r.x_cache(),
        "Miss from cloudfront",
        "G-2: the range expired"
    );
    assert_eq!(o.hits(), 4);
    e.edge.stop().await;
}

#[tokio::test]
async fn g1_full_get_after_only_a_range_is_cached_is_a_miss_for_the_whole_object() {
    let o = Origin::start(|s| honour_ranges(s, &object(), "max-age=60")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    let obj = object();
    e.req("GET", "/w", &[("range", "bytes=0-9")], "").await;
    let r = e.get("/w").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (200, obj.clone(), "Miss from cloudfront"),
        "G-1: a cached range does not answer the whole object"
    );
    assert!(
        o.last().headers.get("range").is_none(),
        "the whole object is fetched without Range"
    );
    // From now on every range comes from the whole object (G-1), none from the origin.
    let r = e.req("GET", "/w", &[("range", "bytes=-10")], "").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (206, obj[190..].to_string(), "Hit from cloudfront")
    );
    assert_eq!(o.hits(), 2);
    e.edge.stop().await;
}

#[tokio::test]
async fn g1_if_range_evaluated_against_the_cached_object() {
    let o = Origin::start(|_| {
        Scripted::ok("0123456789")
            .header("cache-control", "max-age=60")
            .header("etag", "\"v1\"")
            .header("last-modified", "Tue, 01 Oct 2024 10:00:00 GMT")
    })
    .await;
    let e = edge(config(json!({}), json!({})), &o).await;
    // No copy yet: with If-Range the edge fetches the whole object (no Range to the origin)
    // and cuts the range from it when the validator matches.
    let r = e
        .req(
            "GET",
            "/i",
            &[("range", "bytes=2-4"), ("if-range", "\"v1\"")],
            "",
        )
        .await;
    assert_eq!((r.status, r.text().as_str()), (206, "234"));
    assert!(
        !o.last().headers.contains_key("range"),
        "G-1 decision: widened to the whole object"
    );
    let cases = [
        ("\"v1\"", 206, "strong tag that matches"),
        ("\"v0\"", 200, "another tag: the whole object"),
        ("W/\"v1\"", 200, "a weak tag never matches"),
        (
            "Tue, 01 Oct 2024 10:00:00 GMT",
            206,
            "Last-Modified exactly",
        ),
        ("Wed, 02 Oct 2024 10:00:00 GMT", 200, "another date"),
        ("garbage", 200, "unparsable"),
    ];
    for (cond, status, why) in cases {
        let r = e
            .req(
                "GET",
                "/i",
                &[("range", "bytes=2-4"), ("if-range", cond)],
                "",
            )
            .await;
        assert_eq!(r.status, status, "{why}");
        assert_eq!(r.x_cache(), "Hit from cloudfront", "{why}");
        let body = if status == 206 { "234" } else { "0123456789" };
        assert_eq!(r.text(), body, "{why}");
    }
    assert_eq!(o.hits(), 1);
    e.edge.stop().await;
}

#[tokio::test]
async fn g4_chunked_answers_to_a_range_give_the_full_object() {
    // An origin that ignores ranges and streams chunked (no Content-Length).
    let o = Origin::start(|_| {
        Scripted::ok(&object())
            .header("cache-control", "max-age=60")
            .header("transfer-encoding", "chunked")
    })
    .await;
    let framing = raw(
        o.addr,
        b"GET /c HTTP/1.1\r\nHost: o\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n",
    )
    .await
    .to_ascii_lowercase();
    assert!(
        framing.contains("transfer-encoding: chunked") && !framing.contains("content-length"),
        "the test origin must answer chunked: {framing}"
    );
    let count = o.hits();
    let e = edge(config(json!({}), json!({})), &o).await;
    let r = e.req("GET", "/c", &[("range", "bytes=0-9")], "").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (200, object(), "Miss from cloudfront"),
        "G-4: the full object"
    );
    let r = e.req("GET", "/c", &[("range", "bytes=0-9")], "").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (206, object()[..10].to_string(), "Hit from cloudfront"),
        "G-2: the full object was cached"
    );
    assert_eq!(o.hits() - count, 1);

    // An origin that honours ranges but sends its 206s chunked: the edge drops the 206 and
    // fetches the whole object (G-4 decision), which it caches.
    o.set(|s| {
        let r = honour_ranges(s, &object(), "max-age=60");
        if r.status == 206 {
            r.header("transfer-encoding", "chunked")
        } else {
            r
        }
    });
    let before = o.hits();
    let r = e.req("GET", "/d", &[("range", "bytes=10-19")], "").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (200, object(), "Miss from cloudfront"),
        "G-4: a chunked 206 gives the viewer the full object"
    );
    assert!(r.h("content-range").is_none());
    let seen = o.seen.lock().unwrap()[before..].to_vec();
    assert_eq!(seen.len(), 2, "the range, then the whole object");
    assert_eq!(seen[0].headers["range"], "bytes=10-19");
    assert!(
        seen[1].headers.get("range").is_none(),
        "G-4: refetched whole"
    );
    let r = e.req("GET", "/d", &[("range", "bytes=10-19")], "").await;
    assert_eq!(
        (r.status, r.text(), r.x_cache()),
        (206, object()[10..20].to_string(), "Hit from cloudfront")
    );
    assert_eq!(o.hits() - before, 2);
    e.edge.stop().await;
}

#[tokio::test]
async fn g5_origin_416_and_bad_206s_are_never_cached() {
    let o = Origin::start(|s| honour_ranges(s, &object(), "max-age=60")).await;
    let e = edge(config(json!({}), json!({})), &o).await;
    // G-5: the origin's 416 is passed on and not cached.
    for n in 1..=2 {
        let r = e.req("GET", "/x", &[("range", "bytes=500-")], "").await;
        assert_eq!(
            (r.status, r.h("content-range"), r.x_cache()),
            (416, Some("bytes */200"), "Error from cloudfront"),
            "G-5"
        );
        assert_eq!(o.hits(), n, "G-5: 416 never cached");
    }
    // G-5 decision: a 206 that does not hold the requested range, or whose Content-Range is
    // missing or malformed, is an invalid origin answer: 502, never cached.
    let bad: [(&str, Option<&str>); 3] = [
        ("wrong span", Some("bytes 0-39/200")),
        ("malformed", Some("bytes 20-59")),
        ("missing", None),
    ];
    for (what, content_range) in bad {
        o.set(move |_| {
            let r = Scripted {
                status: 206,
                ..Scripted::ok(&object()[..40]).header("cache-control", "max-age=60")
            };
            match content_range {
                Some(v) => r.header("content-range", v),
                None => r,
            }
        });
        for _ in 0..2 {
            let before = o.hits();
            let r = e.req("GET", "/y", &[("range", "bytes=20-59")], "").await;
            assert_eq!(
                (r.status, r.x_cache()),
                (502, "Error from cloudfront"),
                "G-5 decision: {what}"
            );
            assert_eq!(o.hits(), before + 1, "G-5 decision: {what} is not cached");
        }
    }
    // The 502s were not cached under the object either: a good answer goes through.
    o.set(|s| honour_ranges(s, &object(), "max-age=60"));
    let r = e.req("GET", "/y", &[("range", "bytes=20-59")], "").await;
    assert_eq!((r.status, r.text()), (206, object()[20..60].to_string()));
    e.edge.stop().await;
}

#[tokio::test]
async fn k11_concurrent_ranged_misses_collapse_per_range_only() {
    let o = Origin::start(|s| {
        honour_ranges(s, &object(), "max-age=60").delay(Duration::from_millis(400))
    })
    .await;
    let e = std::sync::Arc::new(edge(config(json!({}), json!({})), &o).await);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let e = e.clone();
        let spec = if i % 2 == 0 {
            "bytes=0-9"
        } else {
            "bytes=10-19"
        };
        tasks.push(tokio::spawn(async move {
            (spec, e.req("GET", "/k", &[("range", spec)], "").await)
        }));
    }
    let mut misses = 0;
    for t in tasks {
        let (spec, r) = t.await.unwrap();
        let want = if spec == "bytes=0-9" { 0..10 } else { 10..20 };
        assert_eq!(
            (r.status, r.text()),
            (206, object()[want].to_string()),
            "K-11: each viewer gets its own range ({spec})"
        );
        misses += usize::from(r.x_cache() == "Miss from cloudfront");
    }
    assert_eq!(o.hits(), 2, "K-11: one origin fetch per distinct range");
    assert_eq!(misses, 2, "K-11: one Miss per range, the waiters are Hits");
}

#[tokio::test]
async fn r6_viewer_conditionals_reach_the_origin_only_for_requests_that_cannot_be_cached() {
    let o = Origin::start(|_| Scripted::ok("r6").header("cache-control", "max-age=60")).await;
    let e = edge(
        config(
            json!({"AllowedMethods": {"Quantity": 7,
                "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
                "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}}),
            json!({}),
        ),
        &o,
    )
    .await;
    let conditionals = [
        ("if-none-match", "\"v1\""),
        ("if-modified-since", "Sat, 01 Jan 2000 00:00:00 GMT"),
    ];
    // A cacheable miss fetches the whole object; the edge answers validators from the entry.
    e.req("GET", "/c", &conditionals, "").await;
    let seen = o.last();
    assert!(
        seen.headers.get("if-none-match").is_none()
            && seen.headers.get("if-modified-since").is_none(),
        "R-6: cacheable miss fetches the full object: {:?}",
        seen.headers
    );
    // A method that is never cached (M-5) passes the viewer's conditionals through.
    e.req("PUT", "/c", &conditionals, "x").await;
    let seen = o.last();
    assert_eq!(seen.method, "PUT");
    assert_eq!(
        seen.headers["if-none-match"], "\"v1\"",
        "R-6 on a non-cacheable request"
    );
    assert_eq!(
        seen.headers["if-modified-since"],
        "Sat, 01 Jan 2000 00:00:00 GMT"
    );
    e.edge.stop().await;
}
