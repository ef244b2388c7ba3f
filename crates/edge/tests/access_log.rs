//! The access log (spec L-1, L-2, S-8): the two header lines and 33 tab-separated fields per
//! request, cookies left out without IncludeCookies, and every line read by `goaccess
//! --log-format=CLOUDFRONT` with no invalid one (under `CI=true` a missing goaccess fails the
//! test). The TLS fields of an HTTPS request are checked in `viewer_protocol_and_methods.rs`.

mod common;

use std::time::Duration;

use cfconsole_edge::Override;
use common::*;
use serde_json::json;

#[tokio::test]
async fn access_log_is_cloudfront_format_and_goaccess_reads_every_line() {
    let o = Origin::start(|s| {
        if s.uri.contains("missing") {
            Scripted::status(404, "no")
        } else {
            Scripted::ok("x").header("cache-control", "max-age=60")
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let cfg = config(
        json!({}),
        json!({"Logging": {"Enabled": true, "IncludeCookies": false,
            "Bucket": "logs.s3.amazonaws.com", "Prefix": ""}}),
    );
    let l2 = log.clone();
    let e = edge_with(
        cfg,
        &[("o1", Override::parse(&o.url()).unwrap())],
        move |c| c.access_log = Some(l2),
    )
    .await;
    let requests = [
        ("/a", vec![]),
        ("/a", vec![]),
        (
            "/b?x=1&y=2",
            vec![
                ("user-agent", "Mozilla/5.0 (X11; Linux) test agent"),
                ("referer", "https://ref.example/p"),
            ],
        ),
        ("/missing", vec![("cookie", "session=secret")]),
    ];
    for (p, h) in &requests {
        e.req("GET", p, h, "").await;
    }
    e.req("HEAD", "/a", &[], "").await;
    // Bounded poll: the background writer flushes per batch.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let text = loop {
        let t = std::fs::read_to_string(&log).unwrap_or_default();
        if t.lines().filter(|l| !l.starts_with('#')).count() >= 5
            || std::time::Instant::now() > deadline
        {
            break t;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    e.edge.stop().await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "#Version: 1.0", "L-1");
    assert!(
        lines[1].starts_with("#Fields: date time x-edge-location sc-bytes c-ip"),
        "L-1"
    );
    let rows: Vec<Vec<&str>> = lines[2..].iter().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 5);
    for r in &rows {
        assert_eq!(r.len(), 33, "L-2: {r:?}");
        assert_eq!(r[6], DOMAIN, "cs(Host)");
    }
    assert_eq!(
        (rows[0][13], rows[1][13]),
        ("Miss", "Hit"),
        "x-edge-result-type"
    );
    assert_eq!(rows[2][11], "x=1&y=2", "cs-uri-query");
    assert_eq!(rows[3][8], "404");
    assert_eq!(
        rows[3][12], "-",
        "S-8: cookies are not logged without IncludeCookies"
    );
    assert!(!text.contains("secret"), "no credentials in the log");

    match std::process::Command::new("goaccess")
        .arg("--version")
        .output()
    {
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "goaccess is required under CI=true (.ci/run installs it)"
            );
            eprintln!("skipped: goaccess is not installed (apt-get install goaccess)");
        }
        Ok(_) => {
            let report = dir.path().join("report.json");
            let out = std::process::Command::new("goaccess")
                .arg(&log)
                .args(["--log-format=CLOUDFRONT", "--no-global-config", "-o"])
                .arg(&report)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "goaccess failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
            let general = &v["general"];
            assert_eq!(general["total_requests"], 5, "{general}");
            assert_eq!(general["valid_requests"], 5, "{general}");
            assert_eq!(
                general["failed_requests"], 0,
                "goaccess found invalid lines: {general}"
            );
        }
    }
}
