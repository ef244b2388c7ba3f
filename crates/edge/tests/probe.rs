//! The request tester (`probe`): explain a request, send it over a real socket to a running
//! preview (HTTP and HTTPS), read the live request log and the cache decision. Each test starts
//! and stops its own edge on 127.0.0.1:0, with origin `o1` served from a temporary folder.

mod common;

use std::time::Duration;

use cfconsole_edge::Override;
use cfconsole_edge::probe::{self, ProbeRequest};
use common::*;
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(10);

/// A folder origin with `/images/logo.txt` and `/api/v1.json`.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("images")).unwrap();
    std::fs::create_dir_all(dir.path().join("api")).unwrap();
    std::fs::write(dir.path().join("images/logo.txt"), "a logo, in words").unwrap();
    std::fs::write(dir.path().join("api/v1.json"), "{}").unwrap();
    dir
}

/// Two behaviors before the default: `/api/*` (CachingDisabled, redirect-to-https) and
/// `/images/*` (CachingOptimized); origin `o1` is an S3 origin overridden to `dir`; viewers from
/// FR are refused.
async fn start(dir: &tempfile::TempDir, https: bool) -> TestEdge {
    let cfg = config(
        json!({}),
        json!({
            "Origins": {"Quantity": 1, "Items": [{"Id": "o1",
                "DomainName": "bucket.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "CacheBehaviors": {"Quantity": 2, "Items": [
                {"PathPattern": "/api/*", "TargetOriginId": "o1",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": CACHING_DISABLED},
                {"PathPattern": "/images/*", "TargetOriginId": "o1",
                    "ViewerProtocolPolicy": "allow-all",
                    "CachePolicyId": CACHING_OPTIMIZED, "Compress": true}]},
            "Restrictions": {"GeoRestriction": {"RestrictionType": "blacklist", "Quantity": 1,
                "Items": ["FR"]}}
        }),
    );
    edge_with(
        cfg,
        &[("o1", Override::Folder(dir.path().to_path_buf()))],
        |c| {
            if https {
                c.https_listen = Some("127.0.0.1:0".parse().unwrap());
            }
        },
    )
    .await
}

#[tokio::test]
async fn explain_picks_the_behavior_and_says_why_earlier_patterns_were_passed_over() {
    let dir = folder();
    let e = start(&dir, false).await;
    let control = e.edge.control();

    let x = control.explain(&ProbeRequest::get("/images/logo.txt"));
    assert_eq!(x.selection.index, Some(1), "{}", x.selection);
    assert_eq!(x.selection.pattern, "/images/*");
    assert_eq!(x.behavior_label, "/images/*");
    assert_eq!(x.selection.passed_over.len(), 1);
    let passed = &x.selection.passed_over[0];
    assert_eq!((passed.index, passed.pattern.as_str()), (0, "/api/*"));
    assert!(passed.rule.starts_with("P-"), "{passed:?}");
    assert!(!passed.reason.is_empty());
    assert!(x.method_allowed && x.method_cached);
    assert!(x.protocol.starts_with("served"), "{}", x.protocol);
    assert!(x.protocol.contains("spec V-1"), "{}", x.protocol);
    let key = x.cache_key.as_deref().expect("GET is cached");
    assert!(
        key.contains(DOMAIN) && key.contains("/images/logo.txt"),
        "{key}"
    );
    assert_eq!(
        x.ttl,
        "MinTTL 1 s, DefaultTTL 1 day, MaxTTL 1 year (cache policy Managed-CachingOptimized)"
    );
    assert!(x.compress, "C-1: Compress with CachingOptimized");
    assert!(
        x.origin.contains("o1") && x.origin.contains("folder"),
        "{}",
        x.origin
    );
    assert!(x.origin.contains(&dir.path().display().to_string()));
    assert_eq!(x.geo, None);

    // K-8: the tester's Accept-Encoding is normalised into the key.
    let mut gz = ProbeRequest::get("/images/logo.txt");
    gz.headers
        .push(("Accept-Encoding".into(), "gzip, deflate".into()));
    let gz_key = control.explain(&gz).cache_key.unwrap();
    assert_ne!(gz_key, key);
    assert!(gz_key.contains("gzip"), "{gz_key}");

    // V-2 over HTTP, and CachingDisabled in words.
    let api = control.explain(&ProbeRequest::get("/api/v1.json"));
    assert_eq!(api.behavior_label, "/api/*");
    assert!(api.selection.passed_over.is_empty());
    assert!(
        api.protocol.starts_with("redirected to HTTPS (301)"),
        "{}",
        api.protocol
    );
    assert!(
        api.ttl.contains("caching disabled (spec T-6)"),
        "{}",
        api.ttl
    );
    let mut post = ProbeRequest::get("/api/v1.json");
    post.method = "POST".into();
    let post = control.explain(&post);
    assert!(!post.method_allowed && !post.method_cached);
    assert_eq!(post.cache_key, None);

    // The default behavior: both patterns passed over.
    let other = control.explain(&ProbeRequest::get("/index.html"));
    assert_eq!(other.behavior_label, "*");
    assert_eq!(other.selection.index, None);
    assert_eq!(other.selection.passed_over.len(), 2);

    // S-9.
    let mut fr = ProbeRequest::get("/images/logo.txt");
    fr.country = Some("fr".into());
    let geo = control.explain(&fr).geo.expect("FR is refused");
    assert!(geo.contains("FR") && geo.contains("S-9"), "{geo}");
    e.edge.stop().await;
}

#[tokio::test]
async fn send_twice_is_miss_then_hit_with_the_key_the_cache_browser_shows() {
    let dir = folder();
    let e = start(&dir, false).await;
    let control = e.edge.control().clone();
    let req = ProbeRequest::get("/images/logo.txt");
    let x = control.explain(&req);

    let first = probe::send(&e.edge, &req, TIMEOUT).await.unwrap();
    assert_eq!((first.status, first.reason.as_str()), (200, "OK"));
    assert_eq!(first.header("x-cache"), Some("Miss from cloudfront"));
    assert_eq!(&first.body[..], b"a logo, in words");
    assert_eq!((first.body_len, first.truncated), (16, false));
    let keys: Vec<String> = control.cache_entries().into_iter().map(|e| e.key).collect();
    assert_eq!(keys, vec![x.cache_key.clone().unwrap()], "K-1: same key");
    let stored = probe::ttl_decision(&control, &x, &first);
    assert!(
        stored.starts_with("stored for 86400 s")
            && stored.contains("DefaultTTL 86400")
            && stored.contains("spec T-4"),
        "{stored}"
    );

    e.advance(12);
    let second = probe::send(&e.edge, &req, TIMEOUT).await.unwrap();
    assert_eq!(second.header("x-cache"), Some("Hit from cloudfront"));
    assert_eq!(second.header("age"), Some("12"));
    let hit = probe::ttl_decision(&control, &x, &second);
    assert!(
        hit.starts_with("served from cache (Hit), 12 s old, 86388 s left"),
        "{hit}"
    );

    // The live log: both requests, in order, numbered upwards.
    let mut feed = control.requests_since(0, 10);
    for _ in 0..200 {
        if feed.records.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        feed = control.requests_since(0, 10);
    }
    let results: Vec<(&str, &str)> = feed
        .records
        .iter()
        .map(|r| (r.result_type.as_str(), &*r.behavior))
        .collect();
    assert_eq!(results, vec![("Miss", "/images/*"), ("Hit", "/images/*")]);
    assert!(feed.records[0].seq < feed.records[1].seq);
    assert_eq!((feed.next, feed.missed), (feed.records[1].seq, 0));
    assert!(control.requests_since(feed.next, 10).records.is_empty());
    let one = control.requests_since(0, 1);
    assert_eq!(one.records.len(), 1);
    assert_eq!(
        control.requests_since(one.next, 10).records[0].seq,
        feed.next
    );

    // Typed counters: config order, default last.
    let stats = control.behavior_stats();
    let labels: Vec<&str> = stats.iter().map(|s| s.behavior.as_str()).collect();
    assert_eq!(labels, vec!["/api/*", "/images/*", "*"]);
    assert_eq!(
        (stats[1].requests, stats[1].hits, stats[1].misses),
        (2, 1, 1)
    );
    assert_eq!(control.stats_json()["Behaviors"][1]["hits"], 1);

    // V-2: the redirect is explained and nothing is cached.
    let api = ProbeRequest::get("/api/v1.json");
    let r = probe::send(&e.edge, &api, TIMEOUT).await.unwrap();
    assert_eq!(r.status, 301);
    let why = probe::ttl_decision(&control, &control.explain(&api), &r);
    assert!(why.contains("redirect") && why.contains("V-2"), "{why}");
    e.edge.stop().await;
}

#[tokio::test]
async fn https_works_with_the_previews_certificate() {
    let dir = folder();
    let e = start(&dir, true).await;
    let pem = e
        .edge
        .certificate()
        .expect("an HTTPS listener has a certificate");
    assert!(pem.cert.contains("BEGIN CERTIFICATE"));
    let control = e.edge.control().clone();

    let mut req = ProbeRequest::get("/api/v1.json");
    req.https = true;
    let x = control.explain(&req);
    assert!(
        x.protocol.starts_with("served over HTTPS"),
        "{}",
        x.protocol
    );
    let r = probe::send(&e.edge, &req, TIMEOUT).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-cache"), Some("Miss from cloudfront"));
    assert_eq!(&r.body[..], b"{}");
    let why = probe::ttl_decision(&control, &x, &r);
    // CachingDisabled: the folder's ETag makes it "store, revalidate every time" (T-6).
    assert!(
        why.contains("MinTTL, DefaultTTL and MaxTTL are all 0") && why.contains("spec T-6"),
        "{why}"
    );

    // The same object over HTTPS with a gzip viewer: its own key (K-8), compressed (C-2).
    let mut gz = ProbeRequest::get("/images/logo.txt");
    gz.https = true;
    gz.headers.push(("accept-encoding".into(), "gzip".into()));
    let x = control.explain(&gz);
    let r = probe::send(&e.edge, &gz, TIMEOUT).await.unwrap();
    assert_eq!(r.status, 200);
    let keys: Vec<String> = control.cache_entries().into_iter().map(|e| e.key).collect();
    assert!(keys.contains(x.cache_key.as_ref().unwrap()), "{keys:?}");

    let mut feed = control.requests_since(0, 10);
    for _ in 0..200 {
        if feed.records.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        feed = control.requests_since(0, 10);
    }
    assert_eq!(feed.records.len(), 2);
    assert!(feed.records.iter().all(|r| r.protocol == "https"));
    e.edge.stop().await;
}

#[tokio::test]
async fn send_names_the_bad_field_and_the_unreachable_address() {
    let dir = folder();
    let mut e = start(&dir, false).await;

    let mut bad = ProbeRequest::get("/images/logo.txt");
    bad.method = "GE T".into();
    let err = probe::send(&e.edge, &bad, TIMEOUT).await.unwrap_err();
    assert!(err.contains("method") && err.contains("GE T"), "{err}");

    let mut bad = ProbeRequest::get("/images/logo.txt");
    bad.headers.push(("bad header".into(), "x".into()));
    let err = probe::send(&e.edge, &bad, TIMEOUT).await.unwrap_err();
    assert!(
        err.contains("header name") && err.contains("bad header"),
        "{err}"
    );

    let mut bad = ProbeRequest::get("/images/logo.txt");
    bad.headers.push(("x-ok".into(), "line\nbreak".into()));
    let err = probe::send(&e.edge, &bad, TIMEOUT).await.unwrap_err();
    assert!(
        err.contains("value of header") && err.contains("x-ok"),
        "{err}"
    );

    let err = probe::send(&e.edge, &ProbeRequest::get("no-slash"), TIMEOUT)
        .await
        .unwrap_err();
    assert!(err.contains("path"), "{err}");

    let mut https = ProbeRequest::get("/images/logo.txt");
    https.https = true;
    let err = probe::send(&e.edge, &https, TIMEOUT).await.unwrap_err();
    assert!(err.contains("no HTTPS listener"), "{err}");

    // A port nobody listens on.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let live = e.edge.http_addr.replace(dead);
    let err = probe::send(&e.edge, &ProbeRequest::get("/images/logo.txt"), TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(err, format!("cannot connect to {dead}: connection refused"));
    e.edge.http_addr = live;

    // An explanation never fails, even for a bad method.
    let mut odd = ProbeRequest::get("/images/logo.txt");
    odd.method = "GE T".into();
    let x = e.edge.control().explain(&odd);
    assert!(!x.method_allowed && x.cache_key.is_none());
    e.edge.stop().await;
}
