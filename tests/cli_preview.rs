//! `cfconsole preview` end to end: spawn the binary on port 0, read the listening lines, send
//! requests over real sockets (a minimal HTTP/1.1 client on std), invalidate through the admin
//! API, and kill it.

mod cli_support;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cli_support::{header, send};

struct Preview {
    child: Child,
    http: String,
    admin: String,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(config: &std::path::Path, extra: &[&str]) -> Preview {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .arg("preview")
        .arg(config)
        .args(["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cfconsole runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    // Exactly one line per listener, in order: http, admin.
    let http = lines.next().expect("http line").expect("utf-8");
    let admin = lines.next().expect("admin line").expect("utf-8");
    let http = http
        .strip_prefix("http listening on http://")
        .unwrap_or_else(|| panic!("unexpected line {http:?}"))
        .to_string();
    let admin = admin
        .strip_prefix("admin listening on http://")
        .unwrap_or_else(|| panic!("unexpected line {admin:?}"))
        .to_string();
    Preview { child, http, admin }
}

/// Sends one request with a JSON body: (status, headers lower-cased, body).
fn request(
    addr: &str,
    method: &str,
    path: &str,
    host: &str,
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    send(
        addr,
        method,
        path,
        host,
        "Content-Type: application/json\r\n",
        body,
    )
}

#[test]
fn preview_serves_a_folder_caches_and_invalidates() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("index.html"), "<h1>home</h1>").unwrap();
    let config = dir.path().join("dist.json");
    std::fs::write(
        &config,
        r#"{"ETag": "E1", "DistributionConfig": {
            "CallerReference": "cli", "Comment": "", "Enabled": true,
                "DefaultRootObject": "index.html",
            "Origins": {"Quantity": 1, "Items": [{"Id": "site",
                "DomainName": "bucket.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}}"#,
    )
    .unwrap();
    let log = dir.path().join("access.log");
    let p = start(
        &config,
        &[
            "--origin",
            &format!("site={}", site.display()),
            "--domain",
            "d123.cloudfront.net",
            "--access-log",
            log.to_str().unwrap(),
        ],
    );

    let (status, h, body) = request(&p.http, "GET", "/", "d123.cloudfront.net", "");
    assert_eq!(
        (status, body.as_str()),
        (200, "<h1>home</h1>"),
        "D-1 through a folder origin"
    );
    assert_eq!(header(&h, "x-cache"), Some("Miss from cloudfront"));
    let (_, h, _) = request(&p.http, "GET", "/", "localhost", "");
    assert_eq!(
        header(&h, "x-cache"),
        Some("Hit from cloudfront"),
        "K-1: localhost shares the entry"
    );
    let (status, _, _) = request(&p.http, "GET", "/", "evil.example", "");
    assert_eq!(status, 403, "unknown Host");

    let (status, _, body) = request(
        &p.admin,
        "POST",
        "/invalidations",
        &p.admin, // the admin API accepts only its own address as Host
        r#"{"Paths": {"Quantity": 1, "Items": ["/index.html"]}, "CallerReference": "c1"}"#,
    );
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("\"Status\": \"Completed\""), "{body}");
    let (_, h, _) = request(&p.http, "GET", "/", "d123.cloudfront.net", "");
    assert_eq!(
        header(&h, "x-cache"),
        Some("Miss from cloudfront"),
        "I-6/I-7"
    );
    let (status, _, body) = request(&p.admin, "GET", "/stats", &p.admin, "");
    assert_eq!(status, 200);
    assert!(body.contains("\"hits\": 1"), "{body}");
}

/// Runs `cfconsole preview` to its end on `config` (written to `dir/dist.json`), listening on
/// 127.0.0.1:0 with `extra` arguments: for starts that must be refused. Returns the config's path.
fn refused_start(
    dir: &tempfile::TempDir,
    config: &str,
    extra: &[&OsStr],
) -> (std::path::PathBuf, std::process::Output) {
    let path = dir.path().join("dist.json");
    std::fs::write(&path, config).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .arg("preview")
        .arg(&path)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .output()
        .unwrap();
    (path, out)
}

#[test]
fn preview_refuses_an_invalid_config_with_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = refused_start(
        &dir,
        r#"{"CallerReference": "cli", "Comment": "", "Enabled": true,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o",
                "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "not-a-policy"}}"#,
        &[],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DefaultCacheBehavior.CachePolicyId") && err.contains("not-a-policy"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "no listening line for a refused config"
    );
}

/// A refused config: each finding on its own line exactly as `cfconsole validate` prints it,
/// CloudFront's error code included, so a script can tell why the start was refused.
#[test]
fn preview_refuses_min_ttl_above_max_ttl_with_the_validate_line_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let (config, out) = refused_start(
        &dir,
        r#"{"CallerReference": "cli", "Comment": "", "Enabled": true,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
                "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"},
                    "Headers": {"Quantity": 0}, "QueryStringCacheKeys": {"Quantity": 0}},
                "MinTTL": 100, "DefaultTTL": 100, "MaxTTL": 10}}"#,
        &[],
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no listening line");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with("error: DefaultCacheBehavior.MinTTL: ")
                && l.ends_with("(InvalidTTLOrder)")),
        "{err}"
    );
    let validate = Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .arg("validate")
        .arg(&config)
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&validate.stdout).into_owned();
    let errors: Vec<&str> = lines.lines().filter(|l| l.starts_with("error: ")).collect();
    assert!(!errors.is_empty(), "{lines}");
    for l in errors {
        assert!(err.lines().any(|e| e == l), "{l:?} not in:\n{err}");
    }
}

#[test]
fn preview_refuses_an_origin_ca_file_without_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "not a certificate\n").unwrap();
    let (_, out) = refused_start(
        &dir,
        r#"{"CallerReference": "cli", "Comment": "", "Enabled": true,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o",
                "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}"#,
        &[OsStr::new("--origin-ca"), ca.as_os_str()],
    );
    assert!(!out.status.success(), "a bad --origin-ca stops the start");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no CERTIFICATE block"), "{err}");
    assert!(out.stdout.is_empty(), "no listening line");
}

/// A CA made in the test, and an HTTPS origin on 127.0.0.1:0 whose certificate (for
/// `localhost`) it signed: rustls over std sockets, one thread, `Connection: close`.
struct TlsOrigin {
    port: u16,
    ca_pem: String,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn tls_origin(body: &'static str) -> TlsOrigin {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let server = Arc::new(server);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let Ok(conn) = rustls::ServerConnection::new(server.clone()) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(conn, stream);
            // Read the request head; a refused handshake just ends this connection.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match tls.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            if !head.ends_with(b"\r\n\r\n") {
                continue;
            }
            seen.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: \
                    max-age=60\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(reply.as_bytes());
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    TlsOrigin {
        port,
        ca_pem: ca.pem(),
        requests,
    }
}

/// spec O-2/O-5 through the binary: an `https-only` origin is reached over TLS when
/// `--origin-ca` names its CA, and gives 502 (certificate not trusted) without it.
#[test]
fn preview_reaches_an_https_origin_trusted_with_origin_ca() {
    use std::sync::atomic::Ordering;

    let origin = tls_origin("over tls");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dist.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"CallerReference": "cli", "Comment": "", "Enabled": true,
            "Origins": {{"Quantity": 1, "Items": [{{"Id": "api", "DomainName": "localhost",
                "CustomOriginConfig": {{"HTTPPort": 80, "HTTPSPort": {},
                    "OriginProtocolPolicy": "https-only",
                    "OriginSslProtocols": {{"Quantity": 1, "Items": ["TLSv1.2"]}},
                    "OriginReadTimeout": 5, "OriginKeepaliveTimeout": 5}},
                "ConnectionAttempts": 1, "ConnectionTimeout": 2}}]}},
            "DefaultCacheBehavior": {{"TargetOriginId": "api", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}}}"#,
            origin.port
        ),
    )
    .unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &origin.ca_pem).unwrap();

    let untrusting = start(&config, &["--domain", "d1.cloudfront.net"]);
    let (status, h, _) = request(&untrusting.http, "GET", "/a", "d1.cloudfront.net", "");
    assert_eq!(status, 502, "O-5: an untrusted origin certificate");
    assert_eq!(header(&h, "x-cache"), Some("Error from cloudfront"));
    assert_eq!(
        origin.requests.load(Ordering::SeqCst),
        0,
        "no request over a refused handshake"
    );
    drop(untrusting);

    let p = start(
        &config,
        &[
            "--domain",
            "d1.cloudfront.net",
            "--origin-ca",
            ca.to_str().unwrap(),
        ],
    );
    let (status, h, body) = request(&p.http, "GET", "/a", "d1.cloudfront.net", "");
    assert_eq!((status, body.as_str()), (200, "over tls"), "O-2 over HTTPS");
    assert_eq!(header(&h, "x-cache"), Some("Miss from cloudfront"));
    let (_, h, _) = request(&p.http, "GET", "/a", "d1.cloudfront.net", "");
    assert_eq!(header(&h, "x-cache"), Some("Hit from cloudfront"));
    assert_eq!(origin.requests.load(Ordering::SeqCst), 1);
}

/// Sends one GET with `extra` header lines and returns (status, headers lower-cased, body bytes).
fn get_bytes(
    addr: &str,
    path: &str,
    host: &str,
    extra: &str,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    let body = out[split + 4..].to_vec();
    let mut head_lines = head.lines();
    let status = head_lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = head_lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body)
}

/// The preview of a distribution whose one origin, `site`, is the folder `site`, with
/// `--cache-size cache`.
fn folder_preview(dir: &std::path::Path, site: &std::path::Path, cache: &str) -> Preview {
    let config = dir.join("dist.json");
    std::fs::write(
        &config,
        r#"{"CallerReference": "cli", "Comment": "", "Enabled": true,
            "Origins": {"Quantity": 1, "Items": [{"Id": "site",
                "DomainName": "bucket.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}"#,
    )
    .unwrap();
    let origin = format!("site={}", site.display());
    start(
        &config,
        &[
            "--origin",
            &origin,
            "--domain",
            "d123.cloudfront.net",
            "--cache-size",
            cache,
        ],
    )
}

/// The memory process `pid` holds, in bytes: its anonymous resident set (`RssAnon` of
/// `/proc/<pid>/status`), what the cache, the buffers and the allocator hold. The binary's own
/// resident code (file-backed, shared with the page cache) is left out: it grows with the code
/// linked in (a debug build with the JavaScript engine starts at 42 MiB of `VmRSS`, 34 MiB of
/// it file pages), not with what the preview serves.
#[cfg(target_os = "linux")]
fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("an RssAnon line");
    kib * 1024
}

/// A preview's resident set, checked against `bound` whenever asked, its start and peak kept.
#[cfg(target_os = "linux")]
struct RssWatch {
    pid: u32,
    bound: u64,
    start: u64,
    peak: u64,
}

#[cfg(target_os = "linux")]
impl RssWatch {
    fn new(pid: u32, bound: u64) -> Self {
        let start = rss_bytes(pid);
        Self {
            pid,
            bound,
            start,
            peak: start,
        }
    }

    /// Fails, naming `when`, once the RSS is at or over the bound.
    fn check(&mut self, when: &str) {
        let rss = rss_bytes(self.pid);
        self.peak = self.peak.max(rss);
        assert!(
            rss < self.bound,
            "{when}: RSS {} MiB (start {} MiB) over the cache size + 64 MiB ({} MiB)",
            rss >> 20,
            self.start >> 20,
            self.bound >> 20
        );
    }

    /// Says the start, peak and present RSS on stderr (seen with --nocapture).
    fn report(&self, what: &str) {
        eprintln!(
            "{what}RSS start {} KiB, peak {} KiB, end {} KiB (bound {} KiB)",
            self.start >> 10,
            self.peak >> 10,
            rss_bytes(self.pid) >> 10,
            self.bound >> 10
        );
    }
}

/// Issue #16: a cached range of a folder origin's file holds its range, not the file. 300 ranges
/// of 1 KiB at different offsets of a 300 MB (sparse) file, each cached (spec G-2: the folder
/// honours ranges, so each 206 is a range entry) and then served again as a hit (G-1), with
/// `--cache-size 16MiB`: the preview's RSS stays under the cache size + 64 MiB throughout.
/// Before the fix, every range read the whole file and its cached 206 was a slice that kept the
/// whole 300 MB read alive.
#[cfg(target_os = "linux")]
#[test]
fn cached_ranges_of_a_large_folder_file_stay_within_the_cache_size() {
    use std::os::unix::fs::FileExt;
    const FILE_LEN: u64 = 300 * 1000 * 1000;
    const CACHE: u64 = 16 << 20;
    const BOUND: u64 = CACHE + (64 << 20);
    const RANGES: u64 = 300;
    const STEP: u64 = FILE_LEN / RANGES;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    let big = std::fs::File::create(site.join("big.bin")).unwrap();
    big.set_len(FILE_LEN).unwrap();
    // A marker at every requested offset, so that each 206 can be checked byte for byte.
    let marker = |i: u64| format!("<range {i:04}>").into_bytes();
    for i in 0..RANGES {
        big.write_all_at(&marker(i), i * STEP + 7).unwrap();
    }
    drop(big);
    let expected = |i: u64| {
        let mut v = vec![0u8; 1024];
        let m = marker(i);
        v[7..7 + m.len()].copy_from_slice(&m);
        v
    };
    let p = folder_preview(dir.path(), &site, "16MiB");
    let mut rss = RssWatch::new(p.child.id(), BOUND);
    for pass in ["Miss from cloudfront", "Hit from cloudfront"] {
        for i in 0..RANGES {
            let start = i * STEP;
            let range = format!("Range: bytes={start}-{}\r\n", start + 1023);
            let (status, h, body) = get_bytes(&p.http, "/big.bin", "d123.cloudfront.net", &range);
            assert_eq!(status, 206, "G-2: range {i}");
            assert_eq!(
                header(&h, "content-range"),
                Some(format!("bytes {start}-{}/{FILE_LEN}", start + 1023).as_str())
            );
            assert_eq!(header(&h, "x-cache"), Some(pass), "range {i}");
            assert!(
                body == expected(i),
                "range {i}: the 206 holds the file's bytes"
            );
            // Checked after every request: the unfixed preview fails here on the first range,
            // before it can pin hundreds of file copies.
            rss.check(&format!("{pass}, range {i}"));
        }
    }
    rss.report("");
    let (status, _, stats) = request(&p.admin, "GET", "/stats", &p.admin, "");
    assert_eq!(status, 200);
    assert!(stats.contains(&format!("\"hits\": {RANGES}")), "{stats}");
}

/// §19-17: an access log on a full disk (`/dev/full`, where every write fails with ENOSPC)
/// drops its lines, counts each in `LogRecordsDropped`, and says so once on stderr for the run
/// of failures, not once per line; requests are served all along.
#[test]
fn preview_counts_access_log_lines_a_full_disk_drops_and_warns_once() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("a.html"), "a").unwrap();
    let config = dir.path().join("dist.json");
    std::fs::write(
        &config,
        r#"{"CallerReference": "cli", "Comment": "", "Enabled": true,
            "Origins": {"Quantity": 1, "Items": [{"Id": "site",
                "DomainName": "bucket.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}"#,
    )
    .unwrap();
    let mut p = start(
        &config,
        &[
            "--origin",
            &format!("site={}", site.display()),
            "--domain",
            "d123.cloudfront.net",
            "--access-log",
            "/dev/full",
        ],
    );
    for _ in 0..4 {
        let (status, _, _) = request(&p.http, "GET", "/a.html", "d123.cloudfront.net", "");
        assert_eq!(
            status, 200,
            "requests are served while the log cannot be written"
        );
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let dropped = loop {
        let (status, _, body) = request(&p.admin, "GET", "/stats", &p.admin, "");
        assert_eq!(status, 200);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let n = v["LogRecordsDropped"].as_u64().unwrap_or(0);
        if n >= 4 || std::time::Instant::now() > deadline {
            break n;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(dropped, 4, "every line lost is counted");
    let mut stderr = p.child.stderr.take().unwrap();
    let _ = p.child.kill();
    let _ = p.child.wait();
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    let warnings = err
        .lines()
        .filter(|l| l.contains("cannot write the access log /dev/full"))
        .count();
    assert_eq!(warnings, 1, "one warning for the run of failures: {err}");
    assert!(err.contains("No space left on device"), "{err}");
}

/// Issue #16, spec §19-18: a whole object the cache could never keep streams from the folder
/// origin's file. A 300 MB (sparse) file fetched whole five times with `--cache-size 16MiB`,
/// each body read as it arrives (counted and checked at its markers, never held by the test):
/// every GET is a Miss of the file's length, byte-exact at the markers, and the preview's RSS,
/// sampled every few MiB received and after each GET, stays under the cache size + 64 MiB.
/// Before the fix each GET read the whole file into memory first (RSS + 300 MB).
#[cfg(target_os = "linux")]
#[test]
fn whole_gets_of_a_large_folder_file_stream_within_the_cache_size() {
    use std::os::unix::fs::FileExt;
    const FILE_LEN: u64 = 300 * 1000 * 1000;
    const CACHE: u64 = 16 << 20;
    const BOUND: u64 = CACHE + (64 << 20);
    const GETS: usize = 5;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    let big = std::fs::File::create(site.join("big.bin")).unwrap();
    big.set_len(FILE_LEN).unwrap();
    // Markers at a few offsets (the first bytes, chunk boundaries, mid-file, the last bytes);
    // every other byte is a hole, read as 0.
    let markers: Vec<(u64, Vec<u8>)> = [0, 65_535, 1 << 20, FILE_LEN / 2 + 3, FILE_LEN - 16]
        .iter()
        .map(|&at| (at, format!("<m@{at:012}>").into_bytes()[..16].to_vec()))
        .collect();
    for (at, m) in &markers {
        big.write_all_at(m, *at).unwrap();
    }
    drop(big);
    let p = folder_preview(dir.path(), &site, "16MiB");
    let mut rss = RssWatch::new(p.child.id(), BOUND);
    for n in 0..GETS {
        let mut s = TcpStream::connect(&p.http).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let req = "GET /big.bin HTTP/1.1\r\nHost: d123.cloudfront.net\r\nConnection: close\r\n\r\n";
        s.write_all(req.as_bytes()).unwrap();
        let mut r = BufReader::with_capacity(64 * 1024, s);
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut line = Vec::new();
            assert!(
                r.read_until(b'\n', &mut line).unwrap() > 0,
                "a response head"
            );
            head.extend_from_slice(&line);
        }
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200"), "GET {n}: {head}");
        assert!(
            head.contains(&format!("\r\ncontent-length: {FILE_LEN}\r\n")),
            "GET {n}: the file's length: {head}"
        );
        assert!(
            head.contains("\r\nx-cache: miss from cloudfront\r\n"),
            "GET {n}: never cached (it could not be): {head}"
        );
        // The body as it arrives: counted, and compared at each marker that falls in a chunk.
        let mut got: u64 = 0;
        let mut next_sample = 0;
        let mut buf = vec![0u8; 256 * 1024];
        let mut seen = 0;
        loop {
            let k = r.read(&mut buf).unwrap();
            if k == 0 {
                break;
            }
            let chunk = &buf[..k];
            for (at, m) in &markers {
                let (lo, hi) = (got, got + k as u64);
                // A marker straddling two chunks is compared byte by byte.
                for (i, &b) in m.iter().enumerate() {
                    let pos = at + i as u64;
                    if (lo..hi).contains(&pos) {
                        assert_eq!(chunk[(pos - lo) as usize], b, "GET {n}: byte {pos}");
                        seen += 1;
                    }
                }
            }
            got += k as u64;
            if got >= next_sample {
                rss.check(&format!("GET {n}, {} MiB received", got >> 20));
                next_sample += 8 << 20;
            }
        }
        assert_eq!(got, FILE_LEN, "GET {n}: the whole file");
        assert_eq!(
            seen,
            16 * markers.len(),
            "GET {n}: every marker byte checked"
        );
        rss.check(&format!("after GET {n}"));
    }
    std::thread::sleep(Duration::from_millis(200));
    rss.check("at the end");
    rss.report("");
    let (status, _, stats) = request(&p.admin, "GET", "/stats", &p.admin, "");
    assert_eq!(status, 200);
    assert!(stats.contains("\"hits\": 0"), "{stats}");
}

/// Byte `i` of the bodies [`big_origin`] sends.
fn pattern_byte(i: u64) -> u8 {
    (i % 251) as u8
}

/// A plain-HTTP origin on 127.0.0.1 that answers every request with `len` bytes of
/// [`pattern_byte`], with a `Content-Length` or chunked, written 1 MiB at a time as the socket
/// takes them (so it never holds the body either), pausing `pace` after each. Returns its port.
fn big_origin(len: u64, chunked: bool, pace: Duration) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut r = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let mut w = stream;
                let framing = if chunked {
                    "Transfer-Encoding: chunked".to_string()
                } else {
                    format!("Content-Length: {len}")
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
                     Cache-Control: max-age=60\r\n{framing}\r\nConnection: close\r\n\r\n"
                );
                if w.write_all(head.as_bytes()).is_err() {
                    return;
                }
                const PIECE: u64 = 1 << 20;
                let rep: Vec<u8> = (0..PIECE + 251).map(pattern_byte).collect();
                let mut sent = 0;
                while sent < len {
                    let n = PIECE.min(len - sent);
                    let at = (sent % 251) as usize;
                    let data = &rep[at..at + n as usize];
                    let ok = if chunked {
                        w.write_all(format!("{n:x}\r\n").as_bytes()).is_ok()
                            && w.write_all(data).is_ok()
                            && w.write_all(b"\r\n").is_ok()
                    } else {
                        w.write_all(data).is_ok()
                    };
                    if !ok {
                        return;
                    }
                    sent += n;
                    std::thread::sleep(pace);
                }
                if chunked {
                    let _ = w.write_all(b"0\r\n\r\n");
                }
            });
        }
    });
    port
}

/// Sends one GET and reads its response as it arrives, never holding the body: returns the
/// head (lower-cased) and the body's length, after checking every 4099th byte (and the last)
/// with `expect(position)` and calling `check` every 8 MiB received. Decodes a chunked body.
fn streamed_get(
    addr: &str,
    path: &str,
    extra: &str,
    expect: &dyn Fn(u64) -> u8,
    check: &mut dyn FnMut(&str),
) -> (String, u64) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: d123.cloudfront.net\r\nConnection: close\r\n{extra}\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut r = BufReader::with_capacity(64 * 1024, s);
    let mut head = String::new();
    while !head.ends_with("\r\n\r\n") {
        assert!(r.read_line(&mut head).unwrap() > 0, "a response head");
    }
    let head = head.to_ascii_lowercase();
    let chunked = head.contains("\r\ntransfer-encoding: chunked\r\n");
    let mut got: u64 = 0;
    let mut next_sample = 0;
    let mut buf = vec![0u8; 256 * 1024];
    let cap = buf.len() as u64;
    let take = |data: &[u8], got: &mut u64| {
        for (j, &b) in data.iter().enumerate() {
            let pos = *got + j as u64;
            if pos.is_multiple_of(4099) {
                assert_eq!(
                    b,
                    expect(pos),
                    "{path}: byte {pos} of the body after {head}"
                );
            }
        }
        *got += data.len() as u64;
    };
    loop {
        let want = if chunked {
            let mut size = String::new();
            r.read_line(&mut size).unwrap();
            let n = u64::from_str_radix(size.trim().split(';').next().unwrap(), 16).unwrap();
            if n == 0 {
                break;
            }
            n
        } else {
            u64::MAX
        };
        let mut left = want;
        while left > 0 {
            let k = r.read(&mut buf[..left.min(cap) as usize]).unwrap();
            if k == 0 {
                assert!(!chunked, "a chunk cut short");
                left = 0;
                continue;
            }
            take(&buf[..k], &mut got);
            left = left.saturating_sub(k as u64);
            if got >= next_sample {
                check(&format!("{path}, {} MiB received", got >> 20));
                next_sample += 8 << 20;
            }
        }
        if want == u64::MAX {
            break;
        }
        let mut crlf = String::new();
        r.read_line(&mut crlf).unwrap();
    }
    (head, got)
}

/// A distribution whose one origin is the plain-HTTP origin on 127.0.0.1:`port`.
fn http_origin_config(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    let config = dir.join("dist.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"CallerReference": "cli", "Comment": "", "Enabled": true,
            "Origins": {{"Quantity": 1, "Items": [{{"Id": "api", "DomainName": "localhost",
                "CustomOriginConfig": {{"HTTPPort": {port}, "HTTPSPort": 443,
                    "OriginProtocolPolicy": "http-only",
                    "OriginSslProtocols": {{"Quantity": 1, "Items": ["TLSv1.2"]}},
                    "OriginReadTimeout": 10, "OriginKeepaliveTimeout": 5}},
                "ConnectionAttempts": 1, "ConnectionTimeout": 2}}]}},
            "DefaultCacheBehavior": {{"TargetOriginId": "api",
                "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}}}"#
        ),
    )
    .unwrap();
    config
}

/// Issue #16, spec §19-18: a whole object from an HTTP origin that the cache could never keep
/// streams through, with its `Content-Length` or chunked (past the cache's size it is passed
/// on as it comes): 200 MB fetched three times each way with `--cache-size 16MiB`, each a Miss
/// of the full length whose bytes match the origin's, while the preview's RSS stays under the
/// cache size + 64 MiB. Before the fix every body was read whole first (RSS + 200 MB).
#[cfg(target_os = "linux")]
#[test]
fn whole_gets_from_an_http_origin_stream_within_the_cache_size() {
    const LEN: u64 = 200 * 1000 * 1000;
    const CACHE: u64 = 16 << 20;
    const BOUND: u64 = CACHE + (64 << 20);
    for chunked in [false, true] {
        let port = big_origin(LEN, chunked, Duration::ZERO);
        let dir = tempfile::tempdir().unwrap();
        let config = http_origin_config(dir.path(), port);
        let p = start(
            &config,
            &["--domain", "d123.cloudfront.net", "--cache-size", "16MiB"],
        );
        let mut rss = RssWatch::new(p.child.id(), BOUND);
        for n in 0..3 {
            let path = format!("/big-{n}.bin");
            let mut check = |when: &str| rss.check(&format!("chunked {chunked}, {when}"));
            let (head, got) = streamed_get(&p.http, &path, "", &pattern_byte, &mut check);
            assert!(head.starts_with("http/1.1 200"), "{head}");
            assert!(
                head.contains("\r\nx-cache: miss from cloudfront\r\n"),
                "never cached (it could not be): {head}"
            );
            if !chunked {
                assert!(
                    head.contains(&format!("\r\ncontent-length: {LEN}\r\n")),
                    "{head}"
                );
            }
            assert_eq!(got, LEN, "chunked {chunked}: the whole body");
            rss.check(&format!("chunked {chunked}, after GET {n}"));
        }
        rss.report(&format!("chunked {chunked}: "));
    }
}

/// Issue #16, spec §19-18: a range longer than the cache could keep (`bytes=0-`, `bytes=N-`)
/// of a large folder file streams its span from the file like a whole object: a 206 with the
/// right `Content-Range`, byte-exact at the file's markers, and the preview's RSS under the
/// cache size + 64 MiB. Before the fix the range was read into memory whole.
#[cfg(target_os = "linux")]
#[test]
fn long_ranges_of_a_large_folder_file_stream_within_the_cache_size() {
    use std::os::unix::fs::FileExt;
    const FILE_LEN: u64 = 300 * 1000 * 1000;
    const CACHE: u64 = 16 << 20;
    const BOUND: u64 = CACHE + (64 << 20);
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    let big = std::fs::File::create(site.join("big.bin")).unwrap();
    big.set_len(FILE_LEN).unwrap();
    // Every 4099th byte of the file is a marker (the rest are holes, read as 0), so each
    // sampled byte of a range names its position in the file.
    let at = |pos: u64| {
        if pos.is_multiple_of(4099) {
            1 + (pos / 4099 % 255) as u8
        } else {
            0
        }
    };
    let mut pos = 0;
    while pos < FILE_LEN {
        big.write_all_at(&[at(pos)], pos).unwrap();
        pos += 4099 * 97;
    }
    drop(big);
    let p = folder_preview(dir.path(), &site, "16MiB");
    let mut rss = RssWatch::new(p.child.id(), BOUND);
    // Only the positions written are markers: the rest of the samples are holes.
    let written = |pos: u64| {
        if pos.is_multiple_of(4099 * 97) {
            at(pos)
        } else {
            0
        }
    };
    for start_at in [0u64, 4099 * 97 * 300] {
        let expect = move |i: u64| written(start_at + i);
        let range = format!("Range: bytes={start_at}-\r\n");
        let mut check = |when: &str| rss.check(when);
        let (head, got) = streamed_get(&p.http, "/big.bin", &range, &expect, &mut check);
        assert!(head.starts_with("http/1.1 206"), "{head}");
        assert!(
            head.contains(&format!(
                "\r\ncontent-range: bytes {start_at}-{}/{FILE_LEN}\r\n",
                FILE_LEN - 1
            )),
            "{head}"
        );
        assert_eq!(got, FILE_LEN - start_at, "the whole span");
        rss.check(&format!("after bytes={start_at}-"));
    }
}

/// Issue #16, spec §19-19: concurrent misses share one fill budget. Twelve viewers at once ask
/// for twelve different 8 MB objects (each small enough to cache) from an origin that sends
/// each in 1 MiB pieces 20 ms apart, so every fill overlaps every other; with `--cache-size
/// 16MiB` the preview's RSS, sampled every 5 ms, stays under the cache size + 64 MiB, and
/// every viewer gets its whole object. Without the budget the twelve bodies (96 MB) are read
/// into memory side by side.
#[cfg(target_os = "linux")]
#[test]
fn concurrent_misses_share_the_fill_budget_within_the_cache_size() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    const LEN: u64 = 8 * 1000 * 1000;
    const CACHE: u64 = 16 << 20;
    const BOUND: u64 = CACHE + (64 << 20);
    let port = big_origin(LEN, false, Duration::from_millis(20));
    let dir = tempfile::tempdir().unwrap();
    let config = http_origin_config(dir.path(), port);
    let p = start(
        &config,
        &["--domain", "d123.cloudfront.net", "--cache-size", "16MiB"],
    );
    let pid = p.child.id();
    let before = rss_bytes(pid);
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                peak.fetch_max(rss_bytes(pid), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let viewers: Vec<_> = (0..12)
        .map(|n| {
            let addr = p.http.clone();
            std::thread::spawn(move || {
                get_bytes(&addr, &format!("/obj-{n}.bin"), "d123.cloudfront.net", "")
            })
        })
        .collect();
    for (n, v) in viewers.into_iter().enumerate() {
        let (status, h, body) = v.join().unwrap();
        assert_eq!(status, 200, "viewer {n}");
        assert_eq!(header(&h, "x-cache"), Some("Miss from cloudfront"));
        assert_eq!(body.len() as u64, LEN, "viewer {n}: the whole object");
        assert!(
            body.iter()
                .enumerate()
                .step_by(4099)
                .all(|(i, &b)| b == pattern_byte(i as u64)),
            "viewer {n}: the origin's bytes"
        );
    }
    done.store(true, Ordering::SeqCst);
    sampler.join().unwrap();
    let peak = peak.load(Ordering::SeqCst);
    eprintln!(
        "RSS start {} KiB, peak {} KiB (bound {} KiB)",
        before >> 10,
        peak >> 10,
        BOUND >> 10
    );
    assert!(
        peak < BOUND,
        "RSS peaked at {} MiB (start {} MiB), over the 16 MiB cache + 64 MiB",
        peak >> 20,
        before >> 20
    );
}
