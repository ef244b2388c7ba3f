//! Compression at the edge (spec C-1, C-2, C-4, C-8, C-9; K-8; G-7): Brotli preferred over
//! gzip with the ETag weakened, one cached variant per normalised `Accept-Encoding`, and no
//! compression for an answer without Content-Length or for a 206 (whose HEAD misses still fetch
//! whole objects). Real sockets, a scripted origin on 127.0.0.1:0, the manual clock.

mod common;

use cfconsole_edge::Override;
use common::ranges::honour_ranges;
use common::*;
use serde_json::json;

#[tokio::test]
async fn c1_c2_c9_brotli_preferred_gzip_otherwise_and_etag_weakened() {
    let body = "compress me please ".repeat(100);
    let b2 = body.clone();
    let o = Origin::start(move |_| Scripted {
        status: 200,
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("etag".into(), "\"abc\"".into()),
            ("cache-control".into(), "max-age=60".into()),
        ],
        body: b2.as_bytes().to_vec(),
        delay: None,
    })
    .await;
    let e = edge(config(json!({"Compress": true}), json!({})), &o).await;
    let r = e
        .req("GET", "/c", &[("accept-encoding", "gzip, br")], "")
        .await;
    assert_eq!(r.h("content-encoding"), Some("br"), "C-2: Brotli preferred");
    assert_eq!(r.h("etag"), Some("W/\"abc\""), "C-9");
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &r.body[..], &mut out).unwrap();
    assert_eq!(out, body.as_bytes());
    assert_eq!(
        o.last().headers.get("accept-encoding").unwrap(),
        "br,gzip",
        "K-8: normalised"
    );
    let r = e.req("GET", "/c", &[("accept-encoding", "gzip")], "").await;
    assert_eq!(r.h("content-encoding"), Some("gzip"));
    let r = e.req("GET", "/c", &[], "").await;
    assert_eq!(
        (r.h("content-encoding"), r.body.len()),
        (None, body.len()),
        "no Accept-Encoding → identity"
    );
    assert_eq!(
        e.req(
            "GET",
            "/c",
            &[("accept-encoding", "br;q=1, deflate, gzip")],
            ""
        )
        .await
        .x_cache(),
        "Hit from cloudfront",
        "C-8/K-8: the br,gzip variant is cached"
    );
    assert_eq!(
        o.hits(),
        3,
        "K-8: one origin fetch per normalised variant (br,gzip / gzip / none)"
    );
    e.edge.stop().await;
}

/// spec C-4: CloudFront compresses only a response whose Content-Length it can read; a chunked
/// origin response of a compressible type and size is served and cached as the origin sent it.
#[tokio::test]
async fn c4_a_chunked_response_without_content_length_is_not_compressed() {
    let body = "compress me please ".repeat(200);
    let o = RawOrigin::start(RawReply::ThenClose(chunked_response(
        &[
            ("content-type", "text/html"),
            ("cache-control", "max-age=60"),
            ("etag", "\"abc\""),
            ("connection", "close"),
        ],
        body.as_bytes(),
        700,
    )))
    .await;
    let e = edge_with(
        config(json!({"Compress": true}), json!({})),
        &[("o1", Override::parse(&o.url()).unwrap())],
        |_| {},
    )
    .await;
    let gzip = [("accept-encoding", "gzip, br")];
    let r = e.req("GET", "/chunked", &gzip, "").await;
    assert_eq!((r.status, r.x_cache()), (200, "Miss from cloudfront"));
    assert_eq!(r.h("content-encoding"), None, "C-4: no Content-Length");
    assert_eq!(r.text(), body, "the origin's bytes, whole");
    assert_eq!(
        r.h("etag"),
        Some("\"abc\""),
        "C-9 applies only when compressing"
    );
    let r = e.req("GET", "/chunked", &gzip, "").await;
    assert_eq!(
        (r.x_cache(), r.h("content-encoding"), r.body.len()),
        ("Hit from cloudfront", None, body.len()),
        "C-8: the uncompressed copy is cached and served"
    );
    assert_eq!(o.requests(), 1);
    e.edge.stop().await;
}

#[tokio::test]
async fn c4_the_edge_never_compresses_a_206_and_g7_head_misses_stay_whole() {
    let body = "compressible text ".repeat(200);
    let b2 = body.clone();
    let o = Origin::start(move |s| honour_ranges(s, &b2, "max-age=60")).await;
    let e = edge(config(json!({"Compress": true}), json!({})), &o).await;
    let gzip = [("range", "bytes=0-1999"), ("accept-encoding", "gzip")];
    for hit in ["Miss from cloudfront", "Hit from cloudfront"] {
        let r = e.req("GET", "/z.txt", &gzip, "").await;
        assert_eq!(
            (r.status, r.h("content-encoding"), r.x_cache()),
            (206, None, hit),
            "C-4: a 206 is never compressed"
        );
        assert_eq!(r.text(), body[..2000], "the origin's bytes, as sent");
    }
    assert_eq!(o.hits(), 1);
    // G-7 unchanged: a HEAD miss with a range fetches the whole object (as GET, no Range).
    let r = e.req("HEAD", "/h.txt", &[("range", "bytes=0-9")], "").await;
    assert_eq!(
        (r.status, r.body.len()),
        (206, 0),
        "G-7: HEAD from the whole object"
    );
    let seen = o.last();
    assert_eq!(seen.method, "GET");
    assert!(
        seen.headers.get("range").is_none(),
        "G-7: HEAD misses fetch whole objects"
    );
    e.edge.stop().await;
}
