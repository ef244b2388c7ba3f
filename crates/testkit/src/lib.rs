//! Test support shared by the workspace's integration tests: where the fixtures are, how
//! an external tool is found (and what its absence means under CI), and a moto server started on
//! a free loopback port and stopped when dropped.
//!
//! A dev-dependency only; nothing here ships in the app.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The fixtures folder: `$CFCONSOLE_FIXTURES`, else the repository's own `fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("CFCONSOLE_FIXTURES") {
        return PathBuf::from(dir);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    assert!(
        dir.is_dir(),
        "fixtures not found at {}; set CFCONSOLE_FIXTURES",
        dir.display()
    );
    dir
}

/// One fixture's path; panics when it is missing.
pub fn fixture(name: &str) -> PathBuf {
    let p = fixtures_dir().join(name);
    assert!(p.is_file(), "fixture {} not found", p.display());
    p
}

/// Every `*.json` fixture as (file name, text), sorted by name.
pub fn fixtures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixtures_dir())
        .expect("read the fixtures folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&p).expect("read a fixture");
            (name, text)
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 15,
        "expected the repository's fixtures, found {}",
        out.len()
    );
    out
}

/// True when the tests run under CI (`CI=true`), where a missing tool is a failure.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Finds an external tool: `$ENV_VAR` when set, else `name` on `PATH`. When it is missing the
/// test is skipped with a message (returns `None`), except under CI, where it panics: CI
/// installs every tool the tests use (`scripts/test`).
pub fn tool(env_var: &str, name: &str) -> Option<PathBuf> {
    let found = match std::env::var_os(env_var) {
        Some(p) => Some(PathBuf::from(p)).filter(|p| p.is_file()),
        None => std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        }),
    };
    if found.is_none() {
        if under_ci() {
            panic!("{name} not found (set {env_var} or put it on PATH); scripts/test installs it");
        }
        eprintln!("SKIPPED: {name} not found (set {env_var}, or run scripts/test once)");
    }
    found
}

/// A free TCP port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A moto server (CloudFront API emulator) on a free loopback port, killed when dropped, also
/// when a test panics.
pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Starts `$MOTO_SERVER` (else `moto_server` on PATH) and waits until it answers HTTP.
    /// `None` when moto is not installed (a skip, or a panic under CI: see [`tool`]).
    pub fn start() -> Option<Moto> {
        let bin = tool("MOTO_SERVER", "moto_server")?;
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut moto = Moto { child, port };
        moto.wait_ready();
        Some(moto)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`, for `--endpoint-url` and the SDK.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Forgets every resource (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let reply = self
            .request(
                b"POST /moto-api/reset HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
            )
            .expect("moto reset request");
        assert!(
            reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200"),
            "moto reset failed: {reply}"
        );
    }

    /// Polls until the server answers an HTTP request, for at most 60 s (a cold start imports
    /// all of moto, which takes seconds on a busy machine).
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("moto_server exited before answering: {status}");
            }
            if self
                .request(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                .is_some_and(|r| r.starts_with("HTTP/"))
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on port {} within 60 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn request(&self, raw: &[u8]) -> Option<String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        s.write_all(raw).ok()?;
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        Some(reply)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
