//! Integration tests per spec section, through real sockets: a scripted origin on 127.0.0.1:0,
//! the edge started in-process with a manual clock (no sleeps to wait for expiry).

mod common;

use std::time::Duration;

use cfconsole_edge::Override;
use common::ranges::{honour_ranges, object};
use common::*;
use serde_json::json;

// ---- §9 ranges and HEAD ----

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
    let (_, v) = e.admin("GET", "/cache", serde_json::Value::Null).await;
    assert!(
        v["Entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["path"] == "/inv/a.bin" && x["status"] == 206 && x["bytes"] == 50),
        "the range entry is listed: {v}"
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
    let (_, v) = e.admin("GET", "/cache", serde_json::Value::Null).await;
    assert!(
        !v["Entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["bytes"] == 50),
        "I-7: the old range entry left the cache: {v}"
    );
    e.edge.stop().await;
}

// ---- §12 headers ----

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
        json!({"Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "origin.example", "OriginPath": "/prod",
        "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Secret", "HeaderValue": "s3cr3t"}]},
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]}}),
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

// ---- §13 origins ----

#[tokio::test]
async fn o4_o5_slow_origin_504_and_server_keeps_serving() {
    let o = Origin::start(|s| {
        if s.uri.starts_with("/slow") {
            Scripted::ok("late").delay(Duration::from_secs(4))
        } else {
            Scripted::ok("fast")
        }
    })
    .await;
    // OriginReadTimeout 2 s, one attempt (config()).
    let e = edge(
        config(json!({"CachePolicyId": CACHING_DISABLED}), json!({})),
        &o,
    )
    .await;
    let r = e.get("/slow").await;
    assert_eq!(
        (r.status, r.x_cache()),
        (504, "Error from cloudfront"),
        "O-5 timeout"
    );
    assert_eq!(r.h("server"), Some("CloudFront"));
    assert_eq!(e.get("/ok").await.text(), "fast");
    e.edge.stop().await;
}

/// An edge whose origin `o1` is `url` with OriginReadTimeout 1 s, ConnectionAttempts 2 and
/// ConnectionTimeout 10 s, every method allowed, nothing cached.
async fn slow_origin_edge(url: &str) -> TestEdge {
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED,
            "AllowedMethods": {"Quantity": 7, "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
                "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}}),
        json!({"Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "origin.example",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                "OriginReadTimeout": 1, "OriginKeepaliveTimeout": 5},
            "ConnectionAttempts": 2, "ConnectionTimeout": 10}]}}),
    );
    edge_with(cfg, &[("o1", Override::parse(url).unwrap())], |_| {}).await
}

/// spec O-4: the response timeout runs from the moment the request is on a connected socket
/// (ConnectionTimeout is not added to it); a GET that times out is retried until
/// ConnectionAttempts are spent, each attempt with its own timeout, then 504. A POST is not
/// retried. Bounds are loose for a loaded machine; the attempt counts are exact.
#[tokio::test]
async fn o4_response_timeout_counts_from_the_sent_request_get_retried_post_not() {
    let o = RawOrigin::start(RawReply::Silent).await;
    let e = slow_origin_edge(&o.url()).await;
    let t = std::time::Instant::now();
    let r = e.get("/never").await;
    let took = t.elapsed();
    assert_eq!((r.status, r.x_cache()), (504, "Error from cloudfront"));
    assert_eq!(
        o.requests(),
        2,
        "O-4: a GET is retried (ConnectionAttempts 2)"
    );
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(5),
        "O-4: two attempts of 1 s each, not ConnectionTimeout + OriginReadTimeout: {took:?}"
    );
    let t = std::time::Instant::now();
    let r = e.req("POST", "/never-post", &[], "payload").await;
    let took = t.elapsed();
    assert_eq!(r.status, 504);
    assert_eq!(o.requests(), 3, "O-4: a POST is sent once");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "O-4: one attempt of 1 s: {took:?}"
    );
    e.edge.stop().await;
}

/// spec O-4: the response timeout is also the longest gap between packets: headers and part of
/// the body, then silence, is a timeout (retried for GET) and a 504, not a hang.
#[tokio::test]
async fn o4_a_stalled_body_is_a_response_timeout() {
    let mut reply =
        b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\n".to_vec();
    reply.extend_from_slice(b"only ten b");
    let o = RawOrigin::start(RawReply::ThenStall(reply)).await;
    let e = slow_origin_edge(&o.url()).await;
    let t = std::time::Instant::now();
    let r = e.get("/stalls").await;
    let took = t.elapsed();
    assert_eq!(r.status, 504, "O-4/O-5");
    assert_eq!(o.requests(), 2, "O-4: retried once (ConnectionAttempts 2)");
    assert!(took < Duration::from_secs(5), "{took:?}");
    e.edge.stop().await;
}

#[tokio::test]
async fn folder_origin_serves_like_s3() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<h1>hi</h1>").unwrap();
    std::fs::create_dir(dir.path().join("css")).unwrap();
    std::fs::write(dir.path().join("css/site.css"), "body{}").unwrap();
    let cfg = config(json!({}), json!({"DefaultRootObject": "index.html"}));
    let e = edge_with(
        cfg,
        &[("o1", Override::Folder(dir.path().to_path_buf()))],
        |_| {},
    )
    .await;
    let r = e.get("/").await;
    assert_eq!(
        (r.status, r.h("content-type"), r.text().as_str()),
        (200, Some("text/html"), "<h1>hi</h1>")
    );
    assert!(r.h("etag").is_some_and(|t| t.starts_with('"')) && r.h("last-modified").is_some());
    assert_eq!(
        e.get("/css/site.css").await.h("content-type"),
        Some("text/css")
    );
    assert_eq!(e.get("/nope.txt").await.status, 404);
    assert_eq!(e.get("/css/").await.status, 403);
    assert_eq!(e.get("/../etc/passwd").await.status / 100, 4);
    e.edge.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn folder_origin_serves_nothing_outside_its_folder() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").unwrap();
    std::fs::write(site.join("index.html"), "<h1>hi</h1>").unwrap();
    symlink("/etc/passwd", site.join("passwd")).unwrap();
    symlink("../secret.txt", site.join("secret.txt")).unwrap();
    symlink(dir.path(), site.join("up")).unwrap();
    // A link that stays inside the folder is followed, as are links on the way to the folder.
    symlink("index.html", site.join("alias.html")).unwrap();
    let served = dir.path().join("served");
    symlink(&site, &served).unwrap();
    let e = edge_with(
        config(json!({}), json!({})),
        &[("o1", Override::Folder(served))],
        |_| {},
    )
    .await;
    for path in ["/passwd", "/secret.txt", "/up/secret.txt"] {
        let r = e.get(path).await;
        assert_eq!(r.status, 404, "{path}: refused like a missing S3 key");
        let body = r.text();
        assert!(
            !body.contains("TOP SECRET") && !body.contains("root:"),
            "{path}: {body}"
        );
    }
    assert_eq!(e.get("/index.html").await.text(), "<h1>hi</h1>");
    assert_eq!(e.get("/alias.html").await.text(), "<h1>hi</h1>");
    e.edge.stop().await;
}

// ---- §14 origin groups ----

#[tokio::test]
async fn f2_f3_failover_to_secondary_for_get_only() {
    let primary = Origin::start(|_| Scripted::status(503, "primary down")).await;
    let secondary = Origin::start(|_| Scripted::ok("secondary")).await;
    let cfg = config(
        json!({"TargetOriginId": "g", "CachePolicyId": CACHING_DISABLED,
        "AllowedMethods": {"Quantity": 7, "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"], "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}}),
        json!({
            "Origins": {"Quantity": 2, "Items": [
                {"Id": "o1", "DomainName": "a.example", "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
                {"Id": "o2", "DomainName": "b.example", "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
            "OriginGroups": {"Quantity": 1, "Items": [{"Id": "g", "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 503]}},
                "Members": {"Quantity": 2, "Items": [{"OriginId": "o1"}, {"OriginId": "o2"}]}}]}
        }),
    );
    let e = edge_with(
        cfg,
        &[
            ("o1", Override::parse(&primary.url()).unwrap()),
            ("o2", Override::parse(&secondary.url()).unwrap()),
        ],
        |_| {},
    )
    .await;
    assert_eq!(e.get("/f").await.text(), "secondary", "F-2");
    let r = e.req("POST", "/f", &[], "x").await;
    assert_eq!(r.status, 503, "F-3: POST returns the primary's result");
    assert_eq!(secondary.hits(), 1);
    e.edge.stop().await;
}

// ---- §15 invalidation ----

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
    let (_, v) = e.admin("GET", "/cache", serde_json::Value::Null).await;
    assert!(
        v["Entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["path"] == "/other")
    );
    e.edge.stop().await;
}
