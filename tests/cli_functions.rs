//! CloudFront Functions through the real preview (spec CF-1…CF-10, docs/edge-behavior.md):
//! `cfconsole preview --function NAME=FILE [--kvs NAME=FILE]` on port 0, requests over real
//! sockets, and what the viewer and the access log get.

mod cli_support;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::{header, send};

struct Preview {
    child: Child,
    http: String,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ARN: &str = "arn:aws:cloudfront::123456789012:function";

/// A distribution over a folder origin whose default behavior runs `associations`
/// (`(event type, function name)`), with a /static/* behavior that runs none.
fn config(dir: &Path, associations: &[(&str, &str)]) -> PathBuf {
    let items: Vec<String> = associations
        .iter()
        .map(|(ev, name)| format!(r#"{{"FunctionARN": "{ARN}/{name}", "EventType": "{ev}"}}"#))
        .collect();
    let path = dir.join("dist.json");
    std::fs::write(
        &path,
        format!(
            r#"{{"CallerReference": "fn", "Comment": "", "Enabled": true,
            "Origins": {{"Quantity": 1, "Items": [{{"Id": "site",
                "DomainName": "bucket.s3.amazonaws.com",
                "S3OriginConfig": {{"OriginAccessIdentity": ""}}}}]}},
            "CacheBehaviors": {{"Quantity": 1, "Items": [{{"PathPattern": "/static/*",
                "TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}]}},
            "DefaultCacheBehavior": {{"TargetOriginId": "site",
                "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                "FunctionAssociations": {{"Quantity": {}, "Items": [{}]}}}}}}"#,
            items.len(),
            items.join(",")
        ),
    )
    .unwrap();
    path
}

fn site(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("about")).unwrap();
    std::fs::create_dir_all(site.join("static")).unwrap();
    std::fs::write(site.join("about/index.html"), "<h1>about</h1>").unwrap();
    std::fs::write(site.join("static/app.js"), "app()").unwrap();
    site
}

fn spawn(config: &Path, site: &Path, extra: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .arg("preview")
        .arg(config)
        .args(["--listen", "127.0.0.1:0", "--domain", "d123.cloudfront.net"])
        .arg("--origin")
        .arg(format!("site={}", site.display()))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cfconsole runs")
}

fn start(config: &Path, site: &Path, extra: &[String]) -> Preview {
    let mut child = spawn(config, site, extra);
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout).lines().next();
    let Some(Ok(line)) = line else {
        let mut err = String::new();
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        panic!("the preview did not start: {err}");
    };
    let http = line
        .strip_prefix("http listening on http://")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .to_string();
    Preview { child, http }
}

/// Runs a preview that must refuse to start: its exit code and stderr.
fn refused(config: &Path, site: &Path, extra: &[String]) -> (Option<i32>, String) {
    let mut child = spawn(config, site, extra);
    // A start that is not refused serves until killed: give up after 20 s and say so.
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the preview started instead of refusing {extra:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One GET from the distribution's domain, with `extra` header lines.
fn get(addr: &str, path: &str, extra: &str) -> (u16, Vec<(String, String)>, String) {
    send(addr, "GET", path, "d123.cloudfront.net", extra, "")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn flag(name: &str, path: &Path) -> String {
    format!("{name}={}", path.display())
}

const INDEX: &str = r#"function handler(event) {
    var request = event.request;
    if (request.uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!request.uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}"#;

#[test]
fn f3_a_viewer_request_rewrite_is_what_the_cache_key_and_the_origin_see() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path(), &[("viewer-request", "index")]);
    let code = write(dir.path(), "index.js", INDEX);
    let p = start(&cfg, &site, &["--function".into(), flag("index", &code)]);
    let (status, h, body) = get(&p.http, "/about", "");
    assert_eq!((status, body.as_str()), (200, "<h1>about</h1>"));
    assert_eq!(header(&h, "x-cache"), Some("Miss from cloudfront"));
    // The key is the rewritten URI: /about/ and /about/index.html are the same entry.
    let (_, h, _) = get(&p.http, "/about/", "");
    assert_eq!(header(&h, "x-cache"), Some("Hit from cloudfront"));
    let (_, h, _) = get(&p.http, "/about/index.html", "");
    assert_eq!(header(&h, "x-cache"), Some("Hit from cloudfront"));
    // The behavior stays the one chosen: /static/* has no function, so no rewrite there.
    let (status, _, _) = get(&p.http, "/static/app.js", "");
    assert_eq!(status, 200);
    let (status, _, _) = get(&p.http, "/static", "");
    assert_ne!(
        status, 200,
        "/static matches the default behavior, rewritten to a missing file"
    );
}

#[test]
fn f5_a_generated_response_skips_cache_and_origin_and_is_logged_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path(), &[("viewer-request", "go")]);
    let code = write(
        dir.path(),
        "go.js",
        r#"function handler(event) {
    return { statusCode: 302, statusDescription: 'Found',
             headers: { location: { value: 'https://example.com' + event.request.uri } },
             cookies: { seen: { value: '1', attributes: 'Path=/' } },
             body: 'moved' };
}"#,
    );
    let log = dir.path().join("access.log");
    let p = start(
        &cfg,
        &site,
        &[
            "--function".into(),
            flag("go", &code),
            "--access-log".into(),
            log.display().to_string(),
        ],
    );
    for _ in 0..2 {
        let (status, h, body) = get(&p.http, "/about", "");
        assert_eq!(status, 302);
        assert_eq!(header(&h, "location"), Some("https://example.com/about"));
        assert_eq!(header(&h, "set-cookie"), Some("seen=1; Path=/"));
        assert_eq!(
            header(&h, "x-cache"),
            Some("FunctionGeneratedResponse from cloudfront")
        );
        assert_eq!(header(&h, "server"), Some("CloudFront"));
        assert_eq!(body, "moved");
    }
    // CF-10: the log's result types.
    let deadline = Instant::now() + Duration::from_secs(5);
    let text = loop {
        let t = std::fs::read_to_string(&log).unwrap_or_default();
        if t.lines().filter(|l| !l.starts_with('#')).count() >= 2 || Instant::now() > deadline {
            break t;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let line = text
        .lines()
        .find(|l| !l.starts_with('#'))
        .expect("a record");
    assert!(line.contains("\tFunctionGeneratedResponse\t"), "{line}");
}

#[test]
fn f6_viewer_response_runs_on_misses_and_hits_but_not_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path(), &[("viewer-response", "secure")]);
    let code = write(
        dir.path(),
        "secure.js",
        r#"function handler(event) {
    var r = event.response;
    r.headers['x-frame-options'] = { value: 'DENY' };
    r.headers['x-saw-status'] = { value: String(r.statusCode) };
    return r;
}"#,
    );
    let p = start(&cfg, &site, &["--function".into(), flag("secure", &code)]);
    for want in ["Miss from cloudfront", "Hit from cloudfront"] {
        let (status, h, _) = get(&p.http, "/about/index.html", "");
        assert_eq!(status, 200);
        assert_eq!(header(&h, "x-cache"), Some(want));
        assert_eq!(header(&h, "x-frame-options"), Some("DENY"), "{want}");
        assert_eq!(header(&h, "x-saw-status"), Some("200"));
    }
    let (status, h, _) = get(&p.http, "/missing.html", "");
    assert!(status >= 400);
    assert_eq!(header(&h, "x-frame-options"), None, "not on 400 and above");
}

#[test]
fn f8_a_failing_function_gets_cloudfronts_503_and_the_preview_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path(), &[("viewer-request", "bad")]);
    let code = write(
        dir.path(),
        "bad.js",
        r#"function handler(event) {
    var uri = event.request.uri;
    if (uri === '/throw') { throw new Error('boom'); }
    if (uri === '/loop') { for (;;) {} }
    if (uri === '/hog') { var a = []; for (;;) { a.push(new Array(100).join('x') + a.length); } }
    if (uri === '/bad') { return 42; }
    if (uri === '/host') { event.request.headers.host = { value: 'evil.example' }; }
    return event.request;
}"#,
    );
    let p = start(&cfg, &site, &["--function".into(), flag("bad", &code)]);
    for path in ["/throw", "/loop", "/hog", "/bad"] {
        let (status, h, _) = get(&p.http, path, "");
        assert_eq!(status, 503, "{path}");
        assert_eq!(
            header(&h, "x-cache"),
            Some("FunctionExecutionError from cloudfront"),
            "{path}"
        );
    }
    // CF-9: a read-only header changed.
    let (status, _, _) = get(&p.http, "/host", "");
    assert_eq!(status, 502);
    let (status, _, body) = get(&p.http, "/about/index.html", "");
    assert_eq!((status, body.as_str()), (200, "<h1>about</h1>"));
}

#[test]
fn f1_redirects_from_a_key_value_store_follow_edits_to_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path(), &[("viewer-request", "redirects")]);
    let code = write(
        dir.path(),
        "redirects.js",
        r#"import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    const request = event.request;
    try {
        const to = await kvs.get(request.uri);
        return { statusCode: 301, headers: { location: { value: to } } };
    } catch (e) {
        return request;
    }
}"#,
    );
    let store = write(
        dir.path(),
        "redirects.json",
        r#"{"data":[{"key":"/old","value":"/about/"}]}"#,
    );
    let p = start(
        &cfg,
        &site,
        &[
            "--function".into(),
            flag("redirects", &code),
            "--kvs".into(),
            flag("redirects", &store),
        ],
    );
    let (status, h, _) = get(&p.http, "/old", "");
    assert_eq!((status, header(&h, "location")), (301, Some("/about/")));
    let (status, _, _) = get(&p.http, "/about/index.html", "");
    assert_eq!(status, 200);
    // An edit of the store's file reaches the running preview.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&store, r#"{"data":[{"key":"/old","value":"/new/"}]}"#).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, h, _) = get(&p.http, "/old", "");
        if header(&h, "location") == Some("/new/") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the edit never reached the preview"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn f2_an_association_without_code_refuses_the_start_unless_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path(), &[("viewer-request", "nocode")]);
    let (code, err) = refused(&cfg, &site, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!("{ARN}/nocode")), "{err}");
    assert!(err.contains("--function nocode=FILE"), "{err}");
    assert!(err.contains("--skip-functions"), "{err}");
    let p = start(&cfg, &site, &["--skip-functions".into()]);
    let (status, _, _) = get(&p.http, "/about/index.html", "");
    assert_eq!(status, 200, "served without the function");
}

#[test]
fn f2_code_cloudfront_would_refuse_is_refused_at_start_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path(), &[("viewer-request", "f")]);
    for (code, runtime, want) in [
        (
            "function handler(e) {\n  return e.request\n  var x = ;\n}",
            "cloudfront-js-2.0",
            ":3",
        ),
        (
            "function handler(e) {\n  const r = e.request;\n  return r;\n}",
            "cloudfront-js-1.0",
            ":2",
        ),
        (
            "function other(e) { return e.request; }",
            "cloudfront-js-2.0",
            "handler",
        ),
    ] {
        let file = write(dir.path(), "f.js", code);
        let (status, err) = refused(
            &cfg,
            &site,
            &[
                "--function".into(),
                flag("f", &file),
                "--function-runtime".into(),
                format!("f={runtime}"),
            ],
        );
        assert_eq!(status, Some(2), "{err}");
        assert!(err.contains(want), "{want}: {err}");
        assert!(err.contains("f.js"), "{err}");
    }
    let big = write(
        dir.path(),
        "big.js",
        &format!("{INDEX}\n//{}", "x".repeat(10 * 1024)),
    );
    let (_, err) = refused(&cfg, &site, &["--function".into(), flag("f", &big)]);
    assert!(err.contains("FunctionSizeLimitExceeded"), "{err}");
}

#[test]
fn f3_function_code_edits_reach_the_running_preview() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path(), &[("viewer-request", "tag")]);
    let js = |v: &str| {
        format!(
            "function handler(event) {{\n  event.request.uri = '/about/index.html';\n  \
             event.request.headers['x-v'] = {{ value: '{v}' }};\n  return event.request;\n}}"
        )
    };
    let code = write(dir.path(), "tag.js", &js("1"));
    let p = start(&cfg, &site, &["--function".into(), flag("tag", &code)]);
    let (status, _, _) = get(&p.http, "/x", "");
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(
        &code,
        "function handler(event) { return { statusCode: 204 }; }",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _, _) = get(&p.http, "/x", "");
        if status == 204 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the edit never reached the preview"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
