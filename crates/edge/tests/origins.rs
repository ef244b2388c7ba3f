//! Origins (spec O-4, O-5; folder origins): the response timeout counted from the sent request,
//! a GET retried until ConnectionAttempts are spent and a POST sent once, a stalled body taken as
//! a timeout, 504 for a slow origin while the server keeps serving, and a local folder served
//! like an S3 origin, nothing outside it. HTTPS to origins is in `origin_tls.rs`. Real sockets,
//! a scripted origin on 127.0.0.1:0, the manual clock.

mod common;

use std::time::Duration;

use cfconsole_edge::Override;
use common::*;
use serde_json::json;

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
            "AllowedMethods": {"Quantity": 7,
                "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
                "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}}),
        json!({"Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "origin.example",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                "OriginProtocolPolicy": "http-only",
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
