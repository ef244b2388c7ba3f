//! Issue #16: what the cache holds is what `--cache-size` counts. A property test drives an
//! edge in front of a folder origin with random mixes of whole-object and range requests
//! (spec §9: G-1 hits from a cached range or the whole object, G-2 ranged misses cached as range
//! entries, 416 for a range past the end, G-5) against a 1 MiB cache, and checks after every
//! request that:
//!
//! - the response is byte-exact against the file (200: all of it; 206: the bytes its
//!   `Content-Range` names, which are the bytes asked for);
//! - the cache's weighed bytes never exceed the cache size.
//!
//! Memory itself is measured on the real binary (`tests/cli_preview.rs`, whose preview holds
//! nothing but the server); here the edge shares its process with the test's client and its
//! copies of the files.

mod common;

use bytes::Bytes;
use cfconsole_edge::Override;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use proptest::prelude::*;
use serde_json::json;

const CACHE: u64 = 1 << 20;
/// The files served: small to larger than the cache, their bytes a per-file pattern.
const SIZES: [usize; 5] = [1_000, 37 * 1024, 300 * 1024, 1536 * 1024, 6 << 20];

fn contents(i: usize) -> Vec<u8> {
    (0..SIZES[i])
        .map(|n| (n.wrapping_mul(31).wrapping_add(i * 7) % 251) as u8)
        .collect()
}

/// One viewer request: a whole object, or a single range in one of RFC 9110's three forms.
#[derive(Debug, Clone, Copy)]
enum Ask {
    Whole,
    FromTo(u64, u64),
    From(u64),
    Suffix(u64),
}

impl Ask {
    fn header(self) -> Option<String> {
        match self {
            Ask::Whole => None,
            Ask::FromTo(s, e) => Some(format!("bytes={s}-{e}")),
            Ask::From(s) => Some(format!("bytes={s}-")),
            Ask::Suffix(n) => Some(format!("bytes=-{n}")),
        }
    }

    /// The bytes a satisfiable range selects in `len` bytes (RFC 9110 §14.1.2), None for 416;
    /// `Some(None)` for the whole object.
    fn expect(self, len: u64) -> Option<Option<(u64, u64)>> {
        let last = len - 1;
        match self {
            Ask::Whole => Some(None),
            Ask::FromTo(s, e) => (s <= last).then_some(Some((s, e.min(last)))),
            Ask::From(s) => (s <= last).then_some(Some((s, last))),
            Ask::Suffix(0) => None,
            Ask::Suffix(n) => Some(Some((len.saturating_sub(n), last))),
        }
    }
}

/// Requests for file `f`: starts on a grid of 16 per file (so that ranges repeat and hit),
/// lengths from one byte to 64 KiB, now and then past the end (416).
fn ask() -> impl Strategy<Value = (usize, Ask)> {
    (
        0..SIZES.len(),
        0u64..17,
        prop::sample::select(vec![1u64, 100, 1024, 65_536]),
        0..8u8,
    )
        .prop_map(|(f, slot, n, kind)| {
            let len = SIZES[f] as u64;
            let start = slot * (len / 16);
            let a = match kind {
                0 | 1 => Ask::Whole,
                2 => Ask::From(start),
                3 => Ask::Suffix(n),
                _ => Ask::FromTo(start, start + n - 1),
            };
            (f, a)
        })
}

#[test]
fn g1_g2_cache_holds_what_it_counts_for_any_mix_of_whole_and_range_requests() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<Vec<u8>> = (0..SIZES.len()).map(contents).collect();
    for (i, data) in files.iter().enumerate() {
        std::fs::write(dir.path().join(format!("f{i}.bin")), data).unwrap();
    }
    let e = rt.block_on(edge_with(
        config(json!({}), json!({})),
        &[("o1", Override::Folder(dir.path().to_path_buf()))],
        |cfg| cfg.cache_size = CACHE,
    ));
    let addr = e.edge.http_addr.unwrap();
    let handle = e.edge.control().clone();
    // A fixed seed: the same requests every run (which reach 200, 206 and 416 and hits).
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        ProptestConfig::with_cases(24),
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let seen = std::sync::Mutex::new(std::collections::BTreeSet::new());
    runner
        .run(&prop::collection::vec(ask(), 1..32), |asks| {
            for (f, a) in asks {
                let data = &files[f];
                let mut b = Request::builder()
                    .uri(format!("http://{addr}/f{f}.bin"))
                    .header("host", DOMAIN);
                if let Some(h) = a.header() {
                    b = b.header("range", h);
                }
                let (status, h, body) = rt.block_on(async {
                    let r = e
                        .client
                        .request(b.body(Full::new(Bytes::new())).unwrap())
                        .await
                        .expect("edge answers");
                    let (parts, body) = r.into_parts();
                    (
                        parts.status.as_u16(),
                        parts.headers,
                        body.collect().await.unwrap().to_bytes(),
                    )
                });
                let x_cache = h.get("x-cache").and_then(|v| v.to_str().ok()).unwrap_or("");
                seen.lock().unwrap().insert((status, x_cache.to_string()));
                let len = data.len() as u64;
                match a.expect(len) {
                    Some(None) => {
                        prop_assert_eq!(status, 200, "{:?} of f{}", a, f);
                        prop_assert!(body[..] == data[..], "f{} whole: bytes differ", f);
                    }
                    Some(Some((s, end))) => {
                        prop_assert_eq!(status, 206, "G-1/G-2: {:?} of f{}", a, f);
                        let cr = h.get("content-range").and_then(|v| v.to_str().ok());
                        let want = format!("bytes {s}-{end}/{len}");
                        prop_assert_eq!(cr, Some(want.as_str()));
                        prop_assert!(
                            body[..] == data[s as usize..=end as usize],
                            "{:?} of f{}: bytes differ",
                            a,
                            f
                        );
                    }
                    None => prop_assert_eq!(status, 416, "G-5: {:?} of f{}", a, f),
                }
                drop(body);
                rt.block_on(handle.settle());
                let held = handle.cache_bytes();
                prop_assert!(
                    held <= CACHE,
                    "the cache weighs {} bytes, over {}",
                    held,
                    CACHE
                );
            }
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner().unwrap();
    for (status, x_cache) in [
        (200, "Miss from cloudfront"),
        (206, "Miss from cloudfront"),
        (206, "Hit from cloudfront"),
    ] {
        assert!(
            seen.contains(&(status, x_cache.to_string())),
            "no {status} {x_cache} among {seen:?}"
        );
    }
    assert!(seen.iter().any(|(s, _)| *s == 416), "no 416 among {seen:?}");
    rt.block_on(e.edge.stop());
}

/// A sparse file of `len` bytes in `dir` with a 16-byte marker at each of `at`; returns the
/// markers.
fn sparse(dir: &std::path::Path, name: &str, len: u64, at: &[u64]) -> Vec<(u64, Vec<u8>)> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::create(dir.join(name)).unwrap();
    f.set_len(len).unwrap();
    at.iter()
        .map(|&a| {
            let m = format!("<m@{a:012}>").into_bytes();
            f.write_all_at(&m, a).unwrap();
            (a, m)
        })
        .collect()
}

/// spec §19-18: with a 1 MiB cache, a whole object of 12 MB (over both the cache and C-4's
/// 10,000,000 bytes) streams from the folder: two GETs are both a Miss of the file's length and
/// bytes, nothing is stored, and the log counts the bytes sent; a HEAD has its length and no
/// body; a range with a matching `If-Range` (which fetches the whole object, G-1) is cut from
/// the stream. A small file beside it is still cached (Miss, then Hit).
#[tokio::test]
async fn s19_18_an_object_the_cache_cannot_keep_streams_uncached_and_a_small_one_is_cached() {
    const LEN: u64 = 12_000_000;
    let dir = tempfile::tempdir().unwrap();
    let marks = sparse(
        dir.path(),
        "big.bin",
        LEN,
        &[0, 65_530, 6_000_000, LEN - 16],
    );
    std::fs::write(dir.path().join("small.txt"), vec![b's'; 2048]).unwrap();
    let e = edge_with(
        config(json!({}), json!({})),
        &[("o1", Override::Folder(dir.path().to_path_buf()))],
        |cfg| cfg.cache_size = CACHE,
    )
    .await;
    let check = |r: &Resp| {
        assert_eq!(r.body.len() as u64, LEN);
        for (at, m) in &marks {
            assert_eq!(
                &r.body[*at as usize..*at as usize + 16],
                &m[..],
                "byte {at}"
            );
        }
    };
    for n in 0..2 {
        let r = e.get("/big.bin").await;
        assert_eq!(r.status, 200, "GET {n}");
        assert_eq!(r.x_cache(), "Miss from cloudfront", "GET {n}: never cached");
        assert_eq!(r.h("content-length"), Some("12000000"));
        assert_eq!(r.h("content-encoding"), None);
        assert!(r.h("etag").is_some() && r.h("last-modified").is_some());
        check(&r);
    }
    let head = e.req("HEAD", "/big.bin", &[], "").await;
    assert_eq!(head.status, 200);
    assert_eq!(head.h("content-length"), Some("12000000"));
    assert!(head.body.is_empty());
    let etag = head.h("etag").unwrap().to_string();
    let part = e
        .req(
            "GET",
            "/big.bin",
            &[("range", "bytes=6000000-6000015"), ("if-range", &etag)],
            "",
        )
        .await;
    assert_eq!(part.status, 206);
    assert_eq!(
        part.h("content-range"),
        Some("bytes 6000000-6000015/12000000")
    );
    assert_eq!(&part.body[..], &marks[2].1[..]);
    let log = e.edge.control().recent_requests();
    let big: Vec<_> = log
        .iter()
        .filter(|r| r.method == hyper::Method::GET && r.content_len == Some(LEN))
        .collect();
    assert_eq!(big.len(), 2, "both whole GETs logged");
    for r in big {
        assert_eq!(r.status, 200);
        assert!(
            r.sc_bytes > LEN && r.sc_bytes < LEN + 1024,
            "sc-bytes counts the streamed body and the head: {}",
            r.sc_bytes
        );
    }
    let first = e.get("/small.txt").await;
    let second = e.get("/small.txt").await;
    assert_eq!(first.x_cache(), "Miss from cloudfront");
    assert_eq!(
        second.x_cache(),
        "Hit from cloudfront",
        "a small file is still cached"
    );
    assert_eq!(second.body.len(), 2048);
    let entries = e.cache_entries().await;
    let paths: Vec<&str> = entries.iter().filter_map(|x| x["path"].as_str()).collect();
    assert_eq!(
        paths,
        ["/small.txt"],
        "nothing of the streamed object is stored"
    );
    e.edge.stop().await;
}

/// spec §19-18, O-6: a streamed file that shrinks while it is sent ends the response early: the
/// viewer gets fewer bytes than the `Content-Length` and the connection closes (no hang, no
/// panic), and the edge goes on serving. 64 MB sparse, cut to 2 MiB once the head arrived.
/// Before the fix the whole file was in memory before the head was sent, so it all came.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s19_18_a_streamed_file_that_shrinks_ends_the_response_early() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const LEN: u64 = 64_000_000;
    let dir = tempfile::tempdir().unwrap();
    sparse(dir.path(), "big.bin", LEN, &[0]);
    let e = edge_with(
        config(json!({}), json!({})),
        &[("o1", Override::Folder(dir.path().to_path_buf()))],
        |cfg| cfg.cache_size = CACHE,
    )
    .await;
    let mut s = tokio::net::TcpStream::connect(e.edge.http_addr.unwrap())
        .await
        .unwrap();
    let req = format!("GET /big.bin HTTP/1.1\r\nHost: {DOMAIN}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = Vec::new();
    let split = loop {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "a response head");
        got.extend_from_slice(&buf[..n]);
        if let Some(p) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&got[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-length: 64000000"), "{head}");
    std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("big.bin"))
        .unwrap()
        .set_len(2 << 20)
        .unwrap();
    let mut body = (got.len() - split) as u64;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => body += n as u64,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the connection is closed, not left hanging");
    assert!(
        body < LEN,
        "the body ends early ({body} of {LEN} bytes): it streams from the file"
    );
    // The edge still answers: the file is now small enough to be read and cached.
    let r = e.get("/big.bin").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 2 << 20);
    e.edge.stop().await;
}
