//! Signed URLs and signed cookies through the real preview (spec SU-1…SU-13,
//! docs/edge-behavior.md): `cfconsole preview --public-key ID=FILE --key-group ID=KEYID` on
//! port 0, keys made here (RSA 2048 and ECDSA P-256), requests over real sockets, what the
//! viewer, the origin and the access log get; and `cfconsole sign`, whose output the preview
//! accepts and which is byte for byte `aws cloudfront sign`'s (the pinned AWS CLI, `AWS_CLI`:
//! skipped without it, except under `CI=true`, where it fails).

mod cli_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use cfconsole_signing::{Hash, KeyKind, Policy, PrivateKey, sign_cookies, sign_url};
use cli_support::{header, send, stderr, stdout};

const HOST: &str = "d123.cloudfront.net";
const OPEN_POLICY: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6"; // CachingOptimized
const DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"; // CachingDisabled
const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3"; // AllViewer

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

fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A distribution over a folder origin `site`: the default behavior open, `/private/*` and
/// `/fn/*` trusting key group `kg1` (`/fn/*` with a viewer-request function `answer`), and
/// `/echo/*` trusting `kg1` on origin `echo` with caching disabled and every viewer value
/// forwarded.
fn config(dir: &Path) -> PathBuf {
    let trusted = r#""TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["kg1"]}"#;
    let behavior = |pattern: &str, origin: &str, extra: &str| {
        format!(
            r#"{{"PathPattern": "{pattern}", "TargetOriginId": "{origin}",
                "ViewerProtocolPolicy": "allow-all", {trusted}, {extra}}}"#
        )
    };
    let items = [
        behavior(
            "/private/*",
            "site",
            &format!(r#""CachePolicyId": "{OPEN_POLICY}""#),
        ),
        behavior(
            "/fn/*",
            "site",
            &format!(
                r#""CachePolicyId": "{OPEN_POLICY}", "FunctionAssociations": {{"Quantity": 1,
                "Items": [{{"FunctionARN": "arn:aws:cloudfront::123456789012:function/answer",
                "EventType": "viewer-request"}}]}}"#
            ),
        ),
        behavior(
            "/echo/*",
            "echo",
            &format!(r#""CachePolicyId": "{DISABLED}", "OriginRequestPolicyId": "{ALL_VIEWER}""#),
        ),
    ];
    let path = dir.join("dist.json");
    std::fs::write(
        &path,
        format!(
            r#"{{"CallerReference": "su", "Comment": "", "Enabled": true,
            "Origins": {{"Quantity": 2, "Items": [
                {{"Id": "site", "DomainName": "bucket.s3.amazonaws.com",
                  "S3OriginConfig": {{"OriginAccessIdentity": ""}}}},
                {{"Id": "echo", "DomainName": "echo.example.com",
                  "CustomOriginConfig": {{"HTTPPort": 80, "HTTPSPort": 443,
                    "OriginProtocolPolicy": "http-only"}}}}]}},
            "CacheBehaviors": {{"Quantity": {}, "Items": [{}]}},
            "DefaultCacheBehavior": {{"TargetOriginId": "site",
                "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "{OPEN_POLICY}"}}}}"#,
            items.len(),
            items.join(",")
        ),
    )
    .unwrap();
    path
}

fn site(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    for d in ["private", "fn"] {
        std::fs::create_dir_all(site.join(d)).unwrap();
    }
    std::fs::write(site.join("open.txt"), "open").unwrap();
    std::fs::write(site.join("private/a.txt"), "secret a").unwrap();
    std::fs::write(site.join("private/b.txt"), "secret b").unwrap();
    std::fs::write(site.join("fn/x.txt"), "from the origin").unwrap();
    site
}

/// An origin on 127.0.0.1 that answers each request with its request line and its `Cookie`
/// header, and remembers the request lines.
struct Echo {
    addr: String,
    seen: Arc<Mutex<Vec<String>>>,
}

fn echo() -> Echo {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let mut cookie = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if h.to_ascii_lowercase().starts_with("cookie:") {
                    cookie = h[7..].trim().to_string();
                }
            }
            let target = line.split(' ').nth(1).unwrap_or_default().to_string();
            log.lock().unwrap().push(target.clone());
            let body = format!("{target}\ncookie: {cookie}");
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Echo { addr, seen }
}

struct Keys {
    rsa: PrivateKey,
    ecdsa: PrivateKey,
    flags: Vec<String>,
}

/// Keys RSA (`KRSA`) and ECDSA (`KEC`) in group `kg1`, and a third (`KOUT`) in `kg2`, which
/// no behavior trusts; the public keys written as PEM files in `dir`.
fn keys(dir: &Path) -> Keys {
    let rsa = PrivateKey::generate(KeyKind::Rsa { bits: 2048 }).unwrap();
    let ecdsa = PrivateKey::generate(KeyKind::EcdsaP256).unwrap();
    let out = PrivateKey::generate(KeyKind::EcdsaP256).unwrap();
    let mut flags = Vec::new();
    for (id, key) in [("KRSA", &rsa), ("KEC", &ecdsa), ("KOUT", &out)] {
        let path = dir.join(format!("{id}.pub.pem"));
        std::fs::write(&path, key.public_key().to_pem()).unwrap();
        flags.push("--public-key".into());
        flags.push(format!("{id}={}", path.display()));
    }
    flags.extend(["--key-group".into(), "kg1=KRSA,KEC".into()]);
    flags.extend(["--key-group".into(), "kg2=KOUT".into()]);
    Keys { rsa, ecdsa, flags }
}

fn spawn(config: &Path, site: &Path, extra: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .arg("preview")
        .arg(config)
        .args(["--listen", "127.0.0.1:0", "--domain", HOST])
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

/// A fixture: the dir, the site, the config, the keys and the echo origin, and a preview.
struct World {
    dir: tempfile::TempDir,
    keys: Keys,
    echo: Echo,
    preview: Preview,
}

fn world(extra: &[&str]) -> World {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path());
    let keys = keys(dir.path());
    let echo = echo();
    let answer = dir.path().join("answer.js");
    std::fs::write(
        &answer,
        "function handler(event) { return { statusCode: 200, statusDescription: 'OK', \
         body: 'from the function' }; }",
    )
    .unwrap();
    let mut flags = keys.flags.clone();
    flags.extend([
        "--origin".into(),
        format!("echo=http://{}", echo.addr),
        "--function".into(),
        format!("answer={}", answer.display()),
    ]);
    flags.extend(extra.iter().map(|s| s.to_string()));
    let preview = start(&cfg, &site, &flags);
    World {
        dir,
        keys,
        echo,
        preview,
    }
}

/// `http://HOST{path}` signed with a canned policy expiring at `expires`.
fn canned(key: &PrivateKey, id: &str, path: &str, expires: i64, hash: Hash) -> String {
    let url = format!("http://{HOST}{path}");
    let policy = Policy::Canned {
        resource: url.clone(),
        expires,
    };
    sign_url(&url, id, key, &policy, hash).unwrap()
}

/// The path and query of a signed `http://HOST...` URL.
fn target(url: &str) -> &str {
    url.strip_prefix(&format!("http://{HOST}")).unwrap()
}

fn get(w: &World, path: &str, extra: &str) -> (u16, Vec<(String, String)>, String) {
    send(&w.preview.http, "GET", path, HOST, extra, "")
}

fn refused_with(w: &World, path: &str, extra: &str, code: &str) {
    let (status, h, body) = get(w, path, extra);
    assert_eq!(status, 403, "{path}: {body}");
    assert_eq!(header(&h, "content-type"), Some("text/xml"), "{path}");
    assert!(
        body.contains(&format!("<Code>{code}</Code>")),
        "{path}: {body}"
    );
    assert_eq!(header(&h, "server"), Some("CloudFront"));
}

#[test]
fn su3_no_signature_is_403_missing_key_and_the_open_behavior_serves() {
    let w = world(&[]);
    refused_with(&w, "/private/a.txt", "", "MissingKey");
    let (_, _, body) = get(&w, "/private/a.txt", "");
    assert!(
        body.contains("Missing Key-Pair-Id query parameter or cookie value"),
        "{body}"
    );
    let (status, _, body) = get(&w, "/open.txt", "");
    assert_eq!((status, body.as_str()), (200, "open"));
    // Signing parameters without Key-Pair-Id, and one without its Signature.
    refused_with(
        &w,
        "/private/a.txt?Expires=99999999999&Signature=x",
        "",
        "MissingKey",
    );
    refused_with(
        &w,
        "/private/a.txt?Expires=99999999999&Key-Pair-Id=KRSA",
        "",
        "AccessDenied",
    );
}

#[test]
fn su6_a_canned_url_is_served_then_hit_and_refused_once_expired_tampered_or_unknown() {
    let w = world(&[]);
    let url = canned(
        &w.keys.rsa,
        "KRSA",
        "/private/a.txt",
        now() + 3600,
        Hash::Sha1,
    );
    let (status, h, body) = get(&w, target(&url), "");
    assert_eq!((status, body.as_str()), (200, "secret a"));
    assert_eq!(header(&h, "x-cache"), Some("Miss from cloudfront"));
    let (_, h, _) = get(&w, target(&url), "");
    assert_eq!(header(&h, "x-cache"), Some("Hit from cloudfront"));
    // SU-10: another signature for the same file is the same cache entry.
    let other = canned(
        &w.keys.ecdsa,
        "KEC",
        "/private/a.txt",
        now() + 600,
        Hash::Sha256,
    );
    let (status, h, _) = get(&w, target(&other), "");
    assert_eq!(status, 200);
    assert_eq!(header(&h, "x-cache"), Some("Hit from cloudfront"));
    // SU-6: expired (a second in the past).
    let expired = canned(&w.keys.rsa, "KRSA", "/private/a.txt", now() - 1, Hash::Sha1);
    refused_with(&w, target(&expired), "", "AccessDenied");
    // SU-5: tampered (another file with the same signature, a later Expires).
    refused_with(
        &w,
        &target(&url).replace("a.txt", "b.txt"),
        "",
        "AccessDenied",
    );
    let later = target(&url).replacen("Expires=", "Expires=1", 1);
    refused_with(&w, &later, "", "AccessDenied");
    // SU-4: a key no trusted group has (kg2's), and a key nobody has.
    let out_of_group = canned(
        &w.keys.ecdsa,
        "KOUT",
        "/private/a.txt",
        now() + 60,
        Hash::Sha1,
    );
    refused_with(&w, target(&out_of_group), "", "InvalidKey");
    let nobody = target(&url).replace("Key-Pair-Id=KRSA", "Key-Pair-Id=KNOBODY");
    refused_with(&w, &nobody, "", "InvalidKey");
    // The signature verified before does not let the tampered ones through: still served.
    let (status, _, _) = get(&w, target(&url), "");
    assert_eq!(status, 200);
}

#[test]
fn su7_custom_policies_ip_range_start_time_and_wildcard_resource() {
    let w = world(&[]);
    let custom = |ip: Option<&str>, start: Option<i64>| Policy::Custom {
        resource: format!("http://{HOST}/private/*"),
        date_less_than: now() + 3600,
        date_greater_than: start,
        ip_address: ip.map(str::to_string),
    };
    let sign = |p: &Policy, key: &PrivateKey, id: &str, hash: Hash, path: &str| {
        sign_url(&format!("http://{HOST}{path}"), id, key, p, hash).unwrap()
    };
    let here = custom(Some("127.0.0.0/8"), Some(now() - 60));
    let url = sign(&here, &w.keys.ecdsa, "KEC", Hash::Sha1, "/private/a.txt");
    let (status, _, body) = get(&w, target(&url), "");
    assert_eq!((status, body.as_str()), (200, "secret a"));
    // The wildcard covers b.txt with the same policy and signature.
    let (status, _, body) = get(&w, &target(&url).replace("a.txt", "b.txt"), "");
    assert_eq!((status, body.as_str()), (200, "secret b"));
    // SU-7: the viewer (127.0.0.1) is not in 10.0.0.0/8.
    let elsewhere = sign(
        &custom(Some("10.0.0.0/8"), None),
        &w.keys.rsa,
        "KRSA",
        Hash::Sha256,
        "/private/a.txt",
    );
    refused_with(&w, target(&elsewhere), "", "AccessDenied");
    // SU-7: DateGreaterThan in the future.
    let later = sign(
        &custom(None, Some(now() + 600)),
        &w.keys.rsa,
        "KRSA",
        Hash::Sha1,
        "/private/a.txt",
    );
    refused_with(&w, target(&later), "", "AccessDenied");
    // SU-8: a resource for another path.
    let fn_only = Policy::Custom {
        resource: format!("http://{HOST}/fn/*"),
        date_less_than: now() + 3600,
        date_greater_than: None,
        ip_address: None,
    };
    let wrong = sign(&fn_only, &w.keys.rsa, "KRSA", Hash::Sha1, "/private/a.txt");
    refused_with(&w, target(&wrong), "", "AccessDenied");
    // SU-7: a Policy that is not a policy.
    refused_with(
        &w,
        "/private/a.txt?Policy=e30_&Signature=AAAA&Key-Pair-Id=KEC",
        "",
        "MalformedPolicy",
    );
}

fn cookie_header(cookies: &[(String, String)]) -> String {
    let pairs: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
    format!("Cookie: session=1; {}\r\n", pairs.join("; "))
}

#[test]
fn su2_signed_cookies_canned_and_custom_rsa_and_ecdsa() {
    let w = world(&[]);
    let canned = Policy::Canned {
        resource: format!("http://{HOST}/private/a.txt"),
        expires: now() + 3600,
    };
    let cookies = sign_cookies("KRSA", &w.keys.rsa, &canned, Hash::Sha1).unwrap();
    let (status, _, body) = get(&w, "/private/a.txt", &cookie_header(&cookies));
    assert_eq!((status, body.as_str()), (200, "secret a"));
    // A canned cookie is for its one URL.
    refused_with(
        &w,
        "/private/b.txt",
        &cookie_header(&cookies),
        "AccessDenied",
    );
    let custom = Policy::Custom {
        resource: format!("http://{HOST}/private/*"),
        date_less_than: now() + 3600,
        date_greater_than: None,
        ip_address: Some("127.0.0.1/32".into()),
    };
    let cookies = sign_cookies("KEC", &w.keys.ecdsa, &custom, Hash::Sha256).unwrap();
    let (status, _, body) = get(&w, "/private/b.txt", &cookie_header(&cookies));
    assert_eq!((status, body.as_str()), (200, "secret b"));
    // Tampered cookie: the policy from another signature.
    let mut tampered = cookies.clone();
    tampered[1].1 = tampered[1].1.replacen('A', "B", 1);
    refused_with(
        &w,
        "/private/b.txt",
        &cookie_header(&tampered),
        "AccessDenied",
    );
    let expired = Policy::Canned {
        resource: format!("http://{HOST}/private/a.txt"),
        expires: now() - 5,
    };
    let cookies = sign_cookies("KRSA", &w.keys.rsa, &expired, Hash::Sha1).unwrap();
    refused_with(
        &w,
        "/private/a.txt",
        &cookie_header(&cookies),
        "AccessDenied",
    );
}

#[test]
fn su10_the_origin_gets_neither_the_signing_parameters_nor_a_cache_key_by_them() {
    let w = world(&[]);
    let url = canned(
        &w.keys.rsa,
        "KRSA",
        "/echo/x?a=1",
        now() + 3600,
        Hash::Sha256,
    );
    assert!(url.contains("Hash-Algorithm=SHA256"));
    let (status, _, body) = get(&w, target(&url), "");
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("/echo/x?a=1\n"), "{body}");
    let seen = w.echo.seen.lock().unwrap().clone();
    assert_eq!(seen, ["/echo/x?a=1"]);
    // Signed cookies are forwarded as the origin request policy says (AllViewer: all).
    let policy = Policy::Canned {
        resource: format!("http://{HOST}/echo/y"),
        expires: now() + 60,
    };
    let cookies = sign_cookies("KEC", &w.keys.ecdsa, &policy, Hash::Sha1).unwrap();
    let (status, _, body) = get(&w, "/echo/y", &cookie_header(&cookies));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("CloudFront-Key-Pair-Id=KEC"), "{body}");
}

#[test]
fn su9_the_signature_is_checked_before_the_viewer_request_function() {
    let w = world(&[]);
    // Unsigned: 403, though the function would answer 200 itself.
    refused_with(&w, "/fn/x.txt", "", "MissingKey");
    let url = canned(&w.keys.ecdsa, "KEC", "/fn/x.txt", now() + 60, Hash::Sha1);
    let (status, h, body) = get(&w, target(&url), "");
    assert_eq!((status, body.as_str()), (200, "from the function"));
    assert_eq!(
        header(&h, "x-cache"),
        Some("FunctionGeneratedResponse from cloudfront")
    );
}

#[test]
fn su11_refusals_are_logged_as_errors() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let w = world(&["--access-log", log.to_str().unwrap()]);
    refused_with(&w, "/private/a.txt", "", "MissingKey");
    let deadline = Instant::now() + Duration::from_secs(5);
    let text = loop {
        let t = std::fs::read_to_string(&log).unwrap_or_default();
        if t.lines().any(|l| !l.starts_with('#')) || Instant::now() > deadline {
            break t;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let line = text
        .lines()
        .find(|l| !l.starts_with('#'))
        .expect("a record");
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(fields[8], "403", "{line}");
    assert_eq!(fields[13], "Error", "x-edge-result-type: {line}");
    assert!(line.contains("\tError\t"), "{line}");
    drop(w);
}

#[test]
fn su1_start_refusals_name_the_id_the_flag_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let cfg = config(dir.path());
    let echo = [
        "--origin".to_string(),
        "echo=http://127.0.0.1:9".to_string(),
    ];
    let answer = dir.path().join("answer.js");
    std::fs::write(&answer, "function handler(event) { return event.request; }").unwrap();
    let function = [
        "--function".to_string(),
        format!("answer={}", answer.display()),
    ];
    let base: Vec<String> = echo.iter().chain(function.iter()).cloned().collect();
    // A trusted key group with no --key-group.
    let (code, err) = refused(&cfg, &site, &base);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("no key group kg1") && err.contains("--key-group kg1="),
        "{err}"
    );
    // A key group naming a key with no --public-key.
    let mut flags = base.clone();
    flags.extend(["--key-group".into(), "kg1=K9".into()]);
    let (code, err) = refused(&cfg, &site, &flags);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("key K9 has no --public-key K9=FILE"), "{err}");
    // A bad PEM: the file and the reason.
    let bad = dir.path().join("bad.pem");
    std::fs::write(
        &bad,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let mut flags = base.clone();
    flags.extend(["--public-key".into(), format!("K9={}", bad.display())]);
    flags.extend(["--key-group".into(), "kg1=K9".into()]);
    let (code, err) = refused(&cfg, &site, &flags);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&bad.display().to_string()) && err.contains("malformed"),
        "{err}"
    );
    // A key CloudFront does not accept (a private key given as the public one).
    let private = dir.path().join("private.pem");
    let key = PrivateKey::generate(KeyKind::EcdsaP256).unwrap();
    std::fs::write(&private, key.to_pem().unwrap().as_str()).unwrap();
    let mut flags = base.clone();
    flags.extend(["--public-key".into(), format!("K9={}", private.display())]);
    let (_, err) = refused(&cfg, &site, &flags);
    assert!(err.contains("this is a private key"), "{err}");
}

fn cfconsole(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .args(args)
        .output()
        .expect("cfconsole runs")
}

#[test]
fn sign_command_output_is_accepted_by_the_preview() {
    let w = world(&[]);
    let key_file = w.dir.path().join("ec.pem");
    std::fs::write(&key_file, w.keys.ecdsa.to_pem().unwrap().as_str()).unwrap();
    let expires = cfconsole_signing::rfc3339(now() + 600);
    let url = format!("http://{HOST}/private/a.txt");
    let key_path = key_file.to_str().unwrap();
    let out = cfconsole(&[
        "sign",
        &url,
        "--key-pair-id",
        "KEC",
        "--private-key",
        key_path,
        "--expires",
        &expires,
        "--hash-algorithm",
        "SHA256",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let signed = stdout(&out);
    let signed = signed.trim_end();
    assert!(
        !stdout(&out).contains("PRIVATE"),
        "the key is never printed"
    );
    let (status, _, body) = get(&w, target(signed), "");
    assert_eq!((status, body.as_str()), (200, "secret a"));
    // --cookies: the Set-Cookie lines, sent back as a Cookie header.
    let out = cfconsole(&[
        "sign",
        &url,
        "--key-pair-id",
        "KEC",
        "--private-key",
        key_path,
        "--expires",
        &expires,
        "--cookies",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pairs: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let cookie = l.strip_prefix("Set-Cookie: ").expect("Set-Cookie lines");
            assert!(cookie.ends_with("; Path=/; HttpOnly"), "{cookie}");
            cookie.split(';').next().unwrap().to_string()
        })
        .collect();
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    let (status, _, _) = get(
        &w,
        "/private/a.txt",
        &format!("Cookie: {}\r\n", pairs.join("; ")),
    );
    assert_eq!(status, 200);
    // A custom policy file whose Resource is elsewhere is refused before signing.
    let policy = w.dir.path().join("policy.json");
    std::fs::write(
        &policy,
        r#"{"Statement":[{"Resource":"http://other.example/*",
            "Condition":{"DateLessThan":{"AWS:EpochTime":4000000000}}}]}"#,
    )
    .unwrap();
    let out = cfconsole(&[
        "sign",
        &url,
        "--key-pair-id",
        "KEC",
        "--private-key",
        key_path,
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not match"), "{}", stderr(&out));
    // A missing key file names it.
    let out = cfconsole(&[
        "sign",
        &url,
        "--key-pair-id",
        "KEC",
        "--private-key",
        "/nonexistent/key.pem",
        "--expires",
        &expires,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/key.pem: cannot read"),
        "{}",
        stderr(&out)
    );
}

/// The pinned AWS CLI, or None outside CI when it is missing.
fn aws_cli() -> Option<PathBuf> {
    let path = std::env::var_os("AWS_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/aws")));
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the pinned AWS CLI is needed under CI=true (AWS_CLI, or {}): none at {}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/aws"),
        path.display()
    );
    eprintln!("SKIPPED: no AWS CLI at {} (set AWS_CLI)", path.display());
    None
}

#[test]
fn sign_command_is_byte_for_byte_aws_cloudfront_sign() {
    let Some(aws) = aws_cli() else { return };
    let w = world(&[]);
    let key_file = w.dir.path().join("rsa.pem");
    std::fs::write(&key_file, w.keys.rsa.to_pem().unwrap().as_str()).unwrap();
    let key_path = key_file.to_str().unwrap();
    let expires = (now() + 3600).to_string();
    let start = (now() - 60).to_string();
    for (path, custom) in [
        ("/private/a.txt", false),
        ("/private/b.txt?x=1", false),
        ("/private/a.txt", true),
    ] {
        let url = format!("http://{HOST}{path}");
        let mut theirs = Command::new(&aws);
        theirs.args(["cloudfront", "sign", "--url", &url, "--key-pair-id", "KRSA"]);
        theirs
            .arg("--private-key")
            .arg(format!("file://{key_path}"));
        theirs.args(["--date-less-than", &expires]);
        let mut ours = vec![
            "sign",
            &url,
            "--key-pair-id",
            "KRSA",
            "--private-key",
            key_path,
            "--expires",
            &expires,
        ];
        if custom {
            theirs.args(["--date-greater-than", &start, "--ip-address", "127.0.0.1"]);
            ours.extend(["--date-greater-than", &start, "--ip-address", "127.0.0.1"]);
        }
        let theirs = theirs
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .expect("aws runs");
        assert!(theirs.status.success(), "aws: {}", stderr(&theirs));
        let ours = cfconsole(&ours);
        assert!(ours.status.success(), "{}", stderr(&ours));
        let theirs = stdout(&theirs);
        assert_eq!(
            stdout(&ours).trim_end(),
            theirs.trim_end(),
            "{path} custom={custom}"
        );
        // And the preview serves it.
        let (status, _, body) = get(&w, target(theirs.trim_end()), "");
        assert_eq!(status, 200, "{path} custom={custom}: {body}");
    }
}
