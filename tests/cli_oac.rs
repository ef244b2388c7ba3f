//! Origin access control through the real preview (docs/edge-behavior.md OA-1…OA-10): the
//! binary runs with `--origin bucket=http://127.0.0.1:PORT` to a test origin that recomputes
//! the SigV4 signature of every request it gets, from the test's own credentials (given to the
//! preview in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, with `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE` pointed at empty files so that the machine's configuration is
//! never read), and answers 200 when it verifies, 403 (saying why) when it does not.

mod cli_support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use cli_support::send;

const ACCESS_KEY: &str = "AKIDCFCONSOLETEST01";
const SECRET_KEY: &str = "cfconsole/test/oac/Secret+Key0123456789ab";
const BUCKET_HOST: &str = "bucket.s3.eu-west-1.amazonaws.com";

/// What the test origin saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    authorization: Option<String>,
    /// Ok: the signature verified; Err: why not.
    verdict: Result<(), String>,
}

/// A test origin on 127.0.0.1 that checks SigV4 signatures (S3's rules) with the test keys.
struct SigOrigin {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl SigOrigin {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let record = record.clone();
                std::thread::spawn(move || serve_one(stream, &record));
            }
        });
        Self { port, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads requests on one connection, answering each; stops when the peer closes.
fn serve_one(stream: std::net::TcpStream, record: &Mutex<Vec<Seen>>) {
    let mut r = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.trim_end().splitn(3, ' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end_matches(['\r', '\n']);
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.to_string()));
            }
        }
        let len: usize = value(&headers, "content-length")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let verdict = verify(&method, &target, &headers, &body);
        let (code, text) = match &verdict {
            Ok(()) => (200, "verified".to_string()),
            Err(why) => (403, why.clone()),
        };
        record.lock().unwrap().push(Seen {
            method,
            target,
            authorization: value(&headers, "authorization").map(|v| v.trim().to_string()),
            verdict,
        });
        let reason = if code == 200 { "OK" } else { "Forbidden" };
        let answer = format!(
            "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\
             Content-Length: {}\r\n\r\n{text}",
            text.len()
        );
        if w.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// Every value of header `name`, joined as SigV4 joins repeated headers.
fn value(headers: &[(String, String)], name: &str) -> Option<String> {
    let all: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    (!all.is_empty()).then(|| all.join(","))
}

/// `YYYYMMDDTHHMMSSZ` → seconds since the epoch.
fn unix_seconds(t: &str) -> Option<i64> {
    if t.len() != 16 || &t[8..9] != "T" || !t.ends_with('Z') {
        return None;
    }
    let n = |a: usize, b: usize| t.get(a..b)?.parse::<i64>().ok();
    let (y, m, d) = (n(0, 4)?, n(4, 6)?, n(6, 8)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + n(9, 11)? * 3600 + n(11, 13)? * 60 + n(13, 15)?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, data).as_ref())
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::sign(&k, data.as_bytes()).as_ref().to_vec()
}

/// AWS's URI encoding of one query name or value (unreserved characters kept).
fn aws_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Recomputes the request's SigV4 signature as S3 does (region eu-west-1, service s3, the
/// path as sent, the payload hash of `x-amz-content-sha256` checked against the body) and
/// says why it does not verify.
fn verify(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), String> {
    let auth = value(headers, "authorization").ok_or("unsigned: no Authorization")?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| format!("unsigned: Authorization is not SigV4: {auth}"))?;
    let mut fields = HashMap::new();
    for f in rest.split(',') {
        let (k, v) = f.trim().split_once('=').ok_or("malformed Authorization")?;
        fields.insert(k.to_string(), v.to_string());
    }
    let credential = fields.get("Credential").ok_or("no Credential")?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[0] != ACCESS_KEY || scope[4] != "aws4_request" {
        return Err(format!("unexpected credential {credential}"));
    }
    if scope[2] != "eu-west-1" || scope[3] != "s3" {
        return Err(format!(
            "signed for {}/{}, not eu-west-1/s3",
            scope[2], scope[3]
        ));
    }
    let amz_date = value(headers, "x-amz-date").ok_or("no x-amz-date")?;
    if !amz_date.starts_with(scope[1]) {
        return Err("the credential's date is not x-amz-date's".into());
    }
    // S3 refuses a request signed more than 15 minutes away from its own clock.
    let signed_at = unix_seconds(&amz_date).ok_or_else(|| format!("bad x-amz-date {amz_date}"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if (now - signed_at).abs() > 15 * 60 {
        return Err(format!("RequestTimeTooSkewed: {amz_date}"));
    }
    let signed_names: Vec<&str> = fields
        .get("SignedHeaders")
        .ok_or("no SignedHeaders")?
        .split(';')
        .collect();
    for (k, _) in headers {
        if (k == "host" || k.starts_with("x-amz-")) && !signed_names.contains(&k.as_str()) {
            return Err(format!("{k} is sent but not signed"));
        }
    }
    let payload = value(headers, "x-amz-content-sha256").ok_or("no x-amz-content-sha256")?;
    if payload != "UNSIGNED-PAYLOAD" && payload != sha256_hex(body) {
        return Err(format!(
            "x-amz-content-sha256 {payload} is not the body's hash"
        ));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                aws_encode(&percent_decode(k)),
                aws_encode(&percent_decode(v)),
            )
        })
        .collect();
    params.sort();
    let query = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for n in &signed_names {
        let v = value(headers, n).ok_or_else(|| format!("signed header {n} is not sent"))?;
        canonical_headers.push_str(&format!("{n}:{}\n", v.trim()));
    }
    let signed = signed_names.join(";");
    let creq = format!("{method}\n{path}\n{query}\n{canonical_headers}\n{signed}\n{payload}");
    let sts = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{}/{}/{}/aws4_request\n{}",
        scope[1],
        scope[2],
        scope[3],
        sha256_hex(creq.as_bytes())
    );
    let k = hmac(format!("AWS4{SECRET_KEY}").as_bytes(), scope[1]);
    let k = hmac(&k, scope[2]);
    let k = hmac(&k, scope[3]);
    let k = hmac(&k, "aws4_request");
    let want = hex(&hmac(&k, &sts));
    if fields.get("Signature") != Some(&want) {
        return Err("SignatureDoesNotMatch".into());
    }
    Ok(())
}

/// The running preview and its standard error, read as it comes.
struct Preview {
    child: Child,
    http: String,
    stderr: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Preview {
    /// Stops the preview and returns everything it wrote to standard error.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The environment: no AWS configuration of the machine's, and `keys` (or no credentials).
fn preview_command(dir: &Path, keys: bool) -> Command {
    let empty = dir.join("empty-aws-file");
    std::fs::write(&empty, "").unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_cfconsole"));
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ] {
        c.env_remove(v);
    }
    c.env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", dir);
    if keys {
        c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    }
    c
}

/// A distribution with two S3 origins behind OACs: `bucket` (E2OAC, the default behavior,
/// nothing cached, `Authorization` forwarded) and `site` (E3OAC, `/site/*`).
fn config(dir: &Path) -> PathBuf {
    let config = dir.join("dist.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"CallerReference": "oac", "Comment": "", "Enabled": true,
            "Origins": {{"Quantity": 2, "Items": [
                {{"Id": "bucket", "DomainName": "{BUCKET_HOST}",
                  "S3OriginConfig": {{"OriginAccessIdentity": ""}},
                  "OriginAccessControlId": "E2OAC",
                  "ConnectionAttempts": 1, "ConnectionTimeout": 2}},
                {{"Id": "site", "DomainName": "site.s3.amazonaws.com",
                  "S3OriginConfig": {{"OriginAccessIdentity": ""}},
                  "OriginAccessControlId": "E3OAC"}}]}},
            "DefaultCacheBehavior": {{"TargetOriginId": "bucket",
                "ViewerProtocolPolicy": "allow-all",
                "AllowedMethods": {{"Quantity": 7,
                    "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                    "CachedMethods": {{"Quantity": 2, "Items": ["GET", "HEAD"]}}}},
                "ForwardedValues": {{"QueryString": true, "Cookies": {{"Forward": "none"}},
                    "Headers": {{"Quantity": 1, "Items": ["Authorization"]}}}},
                "MinTTL": 0, "DefaultTTL": 0, "MaxTTL": 0}},
            "CacheBehaviors": {{"Quantity": 1, "Items": [{{"PathPattern": "/site/*",
                "TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}]}}}}"#
        ),
    )
    .unwrap();
    let site = dir.join("site-files");
    std::fs::create_dir_all(site.join("site")).unwrap();
    std::fs::write(site.join("site/index.html"), "from the folder").unwrap();
    config
}

/// Starts `cfconsole preview` on the config of [`config`] with `bucket` sent to `origin` and
/// `site` served from a folder, plus `extra` flags.
fn start(dir: &Path, origin: &SigOrigin, keys: bool, extra: &[&str]) -> Preview {
    let config = config(dir);
    let mut child = preview_command(dir, keys)
        .arg("preview")
        .arg(&config)
        .args(["--listen", "127.0.0.1:0"])
        .arg("--origin")
        .arg(format!("bucket=http://127.0.0.1:{}", origin.port))
        .arg("--origin")
        .arg(format!("site={}", dir.join("site-files").display()))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cfconsole runs");
    let stderr = Arc::new(Mutex::new(String::new()));
    let err = child.stderr.take().unwrap();
    let sink = stderr.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .next()
        .and_then(Result::ok)
        .unwrap_or_default();
    let Some(http) = line.strip_prefix("http listening on http://") else {
        let _ = child.kill();
        let _ = reader.join();
        panic!(
            "no listening line ({line:?}); stderr: {}",
            stderr.lock().unwrap()
        );
    };
    Preview {
        http: http.to_string(),
        child,
        stderr,
        reader: Some(reader),
    }
}

fn get(p: &Preview, path: &str, extra: &str) -> (u16, String) {
    let (status, _, body) = send(&p.http, "GET", path, "localhost", extra, "");
    (status, body)
}

/// spec OA-1/OA-2/OA-6/OA-7: `always` signs every request with the operator's credentials,
/// for the region and service of the bucket's domain name and the Host actually sent,
/// replacing a viewer's Authorization; a PUT with the viewer's payload hash verifies too.
#[test]
fn unix_seconds_reads_amz_dates() {
    assert_eq!(unix_seconds("19700101T000000Z"), Some(0));
    assert_eq!(unix_seconds("20150830T123600Z"), Some(1_440_938_160));
    assert_eq!(unix_seconds("2015-08-30"), None);
}

#[test]
fn always_signs_every_request_and_replaces_the_viewers_authorization() {
    let dir = tempfile::tempdir().unwrap();
    let origin = SigOrigin::start();
    let p = start(dir.path(), &origin, true, &["--oac", "E2OAC=always"]);
    let (status, body) = get(&p, "/a%20b/key.txt?x=1&a=%2F", "");
    assert_eq!(
        (status, body.as_str()),
        (200, "verified"),
        "{:?}",
        origin.seen()
    );
    let (status, body) = get(&p, "/private.txt", "Authorization: Basic dXNlcjpwdw==\r\n");
    assert_eq!(
        (status, body.as_str()),
        (200, "verified"),
        "{:?}",
        origin.seen()
    );
    let payload = "uploaded bytes";
    let hash = sha256_hex(payload.as_bytes());
    let (status, _, body) = send(
        &p.http,
        "PUT",
        "/upload.txt",
        "localhost",
        &format!("x-amz-content-sha256: {hash}\r\n"),
        payload,
    );
    assert_eq!(
        (status, body.as_str()),
        (200, "verified"),
        "{:?}",
        origin.seen()
    );
    let seen = origin.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        seen[1]
            .authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 ")),
        "the viewer's Authorization was replaced: {seen:?}"
    );
    assert_eq!(seen[2].method, "PUT");
    let stderr = p.stop();
    assert!(
        !stderr.contains(SECRET_KEY),
        "the secret is never printed: {stderr}"
    );
    assert!(!stderr.contains("no AWS credentials"), "{stderr}");
}

/// spec OA-3: `no-override` signs a request without a viewer Authorization, and forwards the
/// viewer's one untouched (the test origin then refuses it: it is not SigV4).
#[test]
fn no_override_signs_only_without_a_viewer_authorization() {
    let dir = tempfile::tempdir().unwrap();
    let origin = SigOrigin::start();
    let p = start(
        dir.path(),
        &origin,
        true,
        &["--oac", "E2OAC=no-override:s3"],
    );
    let (status, body) = get(&p, "/signed.txt", "");
    assert_eq!(
        (status, body.as_str()),
        (200, "verified"),
        "{:?}",
        origin.seen()
    );
    let (status, _) = get(&p, "/viewer.txt", "Authorization: Basic dXNlcjpwdw==\r\n");
    assert_eq!(
        status, 403,
        "the viewer's Authorization reaches the origin as it is"
    );
    let seen = origin.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[1].target, "/viewer.txt");
    assert_eq!(
        seen[1].authorization.as_deref(),
        Some("Basic dXNlcjpwdw=="),
        "{seen:?}"
    );
    assert!(
        seen[1]
            .verdict
            .as_ref()
            .is_err_and(|e| e.starts_with("unsigned"))
    );
    drop(p);
}

/// spec OA-1: `never` signs nothing, credentials or not.
#[test]
fn never_sends_unsigned_requests() {
    let dir = tempfile::tempdir().unwrap();
    let origin = SigOrigin::start();
    let p = start(dir.path(), &origin, true, &["--oac", "E2OAC=never"]);
    let (status, body) = get(&p, "/file.txt", "");
    assert_eq!(status, 403, "{body}");
    let seen = origin.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].authorization, None, "{seen:?}");
    drop(p);
}

/// spec OA-9: without credentials the preview says so once, naming the OAC, the origin and
/// where it looked, and forwards unsigned; the warning is not repeated per request.
#[test]
fn no_credentials_warns_once_and_forwards_unsigned() {
    let dir = tempfile::tempdir().unwrap();
    let origin = SigOrigin::start();
    let p = start(dir.path(), &origin, false, &["--oac", "E2OAC=always"]);
    for i in 0..3 {
        let (status, _) = get(&p, &format!("/file{i}.txt"), "");
        assert_eq!(status, 403);
    }
    let seen = origin.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.iter().all(|s| s.authorization.is_none()), "{seen:?}");
    let stderr = p.stop();
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("no AWS credentials found"))
        .collect();
    assert_eq!(warnings.len(), 1, "said once: {stderr}");
    let w = warnings[0];
    assert!(
        w.starts_with("warning: origin access control E2OAC: no AWS credentials found (")
            && w.ends_with("); requests to origin bucket go unsigned")
            && w.contains("the default AWS credential chain"),
        "{stderr}"
    );
}

/// spec OA-1: a folder origin is never signed and needs no `--oac` for its OAC (E3OAC here),
/// while an origin that is reached over the network does: without its flag the preview
/// refuses to start, naming the id and the flag (OA-10).
#[test]
fn a_folder_origin_is_untouched_and_a_missing_oac_refuses_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let origin = SigOrigin::start();
    let p = start(dir.path(), &origin, true, &["--oac", "E2OAC=always"]);
    let (status, body) = get(&p, "/site/index.html", "");
    assert_eq!((status, body.as_str()), (200, "from the folder"));
    assert!(
        origin.seen().is_empty(),
        "the folder is not the test origin"
    );
    drop(p);

    let config = config(dir.path());
    let out = preview_command(dir.path(), true)
        .arg("preview")
        .arg(&config)
        .args(["--listen", "127.0.0.1:0"])
        .arg("--origin")
        .arg(format!("bucket=http://127.0.0.1:{}", origin.port))
        .arg("--origin")
        .arg(format!("site={}", dir.path().join("site-files").display()))
        .output()
        .unwrap();
    let stderr = cli_support::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "no listening line");
    assert!(
        stderr.contains("Origins.Items[0].OriginAccessControlId")
            && stderr.contains("no origin access control E2OAC")
            && stderr.contains("--oac E2OAC=always|no-override|never")
            && stderr.contains("(NoSuchOriginAccessControl)")
            && !stderr.contains("E3OAC"),
        "{stderr}"
    );
}

/// Bad `--oac` values are refused with what is accepted.
#[test]
fn bad_oac_flags_say_what_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    for (flag, says) in [
        ("E2OAC=sometimes", "always, no-override or never"),
        (
            "E2OAC=always:ec2",
            "s3, lambda, mediastore or mediapackagev2",
        ),
        (
            "E9NONE=always",
            "no origin of the distribution has OriginAccessControlId E9NONE",
        ),
        ("E2OAC", "expected NAME=always|no-override|never[:TYPE]"),
    ] {
        let out = preview_command(dir.path(), false)
            .arg("preview")
            .arg(&config)
            .args(["--listen", "127.0.0.1:0", "--oac", flag])
            .output()
            .unwrap();
        let stderr = cli_support::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(stderr.contains(says), "{flag}: {stderr}");
    }
}
