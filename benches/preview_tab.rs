//! The Preview tab under load, on the real `ConsoleApp` in egui_kittest (frames built, not
//! rendered), with the preview edge running in-process on the app's runtime:
//!
//! 1. frame-build time of the Preview tab with the request log full (100,000 requests), with
//!    and without a filter, and the process's resident memory before and after another 100,000
//!    (the log is a bounded ring: it must not grow);
//! 2. throughput of the in-process preview under `wrk` (1 KiB hits) while the window ticks at
//!    its own pace, and the frame-build time meanwhile, against `cfconsole preview` (the CLI,
//!    its own process) on the same configuration, folder and load, in alternating rounds.
//!
//! `cargo bench --bench preview_tab` (needs `wrk`: `apt-get install wrk`). Settings:
//! `ROUNDS` (default 3), `DUR` (wrk duration, default 10s), `CONNS` (default 50).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use cfconsole::backend::BackendChoice;
use cfconsole::ui::state::State;
use cfconsole::ui::state::Tab;
use cfconsole::ui::tabs::preview::{LOG_CAPACITY, LogRow};
use cfconsole::ui::{ConsoleApp, Options};
use cfconsole_control::poll::Schedule;
use cfconsole_control::{LocalWorkspace, SystemClock, Timings};
use cfconsole_model::{PolicySet, ViewerProtocolPolicy};
use egui_kittest::Harness;

const SAMPLE: &str = "E1SAMPLE000001";
const FRAMES: usize = 200;

fn main() {
    // `cargo test --all-targets` runs bench targets too, without `--bench`: minutes of load do
    // not belong there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("preview_tab: a load benchmark; run it with `cargo bench --bench preview_tab`");
        return;
    }
    let rounds: usize = env("ROUNDS", 3);
    let dur = std::env::var("DUR").unwrap_or_else(|_| "10s".into());
    let conns: usize = env("CONNS", 50);
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("preview_tab: wrk is required (apt-get install wrk)");
        std::process::exit(2);
    }
    // The app's runtime, as `ui::run` builds it.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let ws = tempfile::tempdir().expect("temp");
    let data = tempfile::tempdir().expect("temp");
    let fast = Timings {
        deployment: Duration::from_millis(50),
        invalidation: Duration::from_millis(50),
    };
    LocalWorkspace::open_with(ws.path(), Arc::new(SystemClock), fast).expect("workspace");
    let site = ws.path().join("sample-site");
    // A 1 KiB object, as bench/run.sh serves.
    std::fs::write(site.join("1k.bin"), vec![b'x'; 1024]).expect("object");

    let mut options = Options::new(data.path().to_path_buf());
    options.backend = Some(BackendChoice::Local(Some(ws.path().to_path_buf())));
    options.local_timings = Some(fast);
    options.schedule = Schedule {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(20),
        factor: 1.0,
    };
    let state = State {
        selected: Some(SAMPLE.into()),
        tab: Tab::Preview,
        ..Default::default()
    };
    let app = ConsoleApp::new(rt.handle().clone(), options, state);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut ConsoleApp| app.frame(ui), app);
    wait(
        &mut h,
        |app| app.current_draft().is_some(),
        "the sample to load",
    );

    // Plain HTTP for wrk: the sample redirects HTTP to HTTPS.
    let mut config = h.state().current_draft().expect("draft").config.clone();
    config.default_cache_behavior.viewer_protocol_policy = ViewerProtocolPolicy::AllowAll;
    {
        let app = h.state_mut();
        let d = app.current_draft_mut().expect("draft");
        d.config = config.clone();
        d.commit("DefaultCacheBehavior.ViewerProtocolPolicy", Instant::now());
    }
    for _ in 0..5 {
        h.step();
    }
    let domain = "e1sample000001.cloudfront.net";
    h.state_mut()
        .preview
        .start(SAMPLE, domain, config.clone(), PolicySet::default());
    wait(
        &mut h,
        |app| app.preview.running.is_some(),
        "the preview to start",
    );
    let addr = h
        .state()
        .preview
        .running
        .as_ref()
        .unwrap()
        .http
        .expect("http");
    println!(
        "preview in-process on http://{addr}/ serving the draft; folder {}",
        site.display()
    );

    // 1. The log full.
    let rss0 = rss_kib();
    fill(&mut h, LOG_CAPACITY);
    let rss1 = rss_kib();
    let t = frames(&mut h, FRAMES);
    println!(
        "log full ({} requests kept): frame median {:.3} ms, p90 {:.3} ms",
        h.state().preview.log.rows.len(),
        t.0,
        t.1
    );
    h.state_mut().preview.log.filter = "Miss".into();
    let t = frames(&mut h, FRAMES);
    println!(
        "log full, filter `Miss`: frame median {:.3} ms, p90 {:.3} ms",
        t.0, t.1
    );
    h.state_mut().preview.log.filter.clear();
    fill(&mut h, LOG_CAPACITY);
    let rss2 = rss_kib();
    println!(
        "resident memory: {} MiB before, {} MiB with 100,000 logged, {} MiB after 100,000 more \
            (bounded: {} kept)",
        rss0 / 1024,
        rss1 / 1024,
        rss2 / 1024,
        h.state().preview.log.rows.len()
    );

    // 2. Throughput in-process vs `cfconsole preview`, alternating.
    let cfg_file = ws.path().join("bench-config.json");
    std::fs::write(&cfg_file, serde_json::to_string(&config).expect("json")).expect("config");
    let url_in = format!("http://{addr}/1k.bin");
    let mut inproc = Vec::new();
    let mut cli = Vec::new();
    let mut frame_medians = Vec::new();
    for round in 0..rounds {
        // In-process: the window ticks at its pace (the tab asks for a frame every 250 ms).
        let mut child = wrk(&url_in, &dur, conns);
        let mut times = Vec::new();
        while child.try_wait().expect("wrk").is_none() {
            let t0 = Instant::now();
            h.step();
            times.push(t0.elapsed());
            std::thread::sleep(Duration::from_millis(250).saturating_sub(t0.elapsed()));
        }
        let rps = requests_per_sec(child);
        times.sort();
        let med = ms(times[times.len() / 2]);
        frame_medians.push(med);
        inproc.push(rps);
        println!(
            "round {}: in-process {rps:.0} req/s (frame median under load {med:.3} ms over {} \
                frames)",
            round + 1,
            times.len()
        );
        // The CLI on the same config and folder.
        let mut p = Command::new(env!("CARGO_BIN_EXE_cfconsole"))
            .arg("preview")
            .arg(&cfg_file)
            .args(["--listen", "127.0.0.1:0", "--domain", domain])
            .arg("--origin")
            .arg(format!("sample-site={}", site.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cfconsole preview");
        let out = p.stdout.take().expect("stdout");
        let mut url = String::new();
        for line in BufReader::new(out).lines() {
            let line = line.expect("line");
            if let Some(u) = line.strip_prefix("http listening on ") {
                url = format!("{}1k.bin", u.trim_end_matches('/').to_string() + "/");
                break;
            }
        }
        let rps = requests_per_sec(wrk(&url, &dur, conns));
        let _ = p.kill();
        let _ = p.wait();
        cli.push(rps);
        println!("round {}: cfconsole preview {rps:.0} req/s", round + 1);
    }
    let (a, b) = (median(&mut inproc), median(&mut cli));
    println!(
        "median of {rounds} rounds: in-process {a:.0} req/s, cfconsole preview {b:.0} req/s: \
            ratio {:.3}; frame median under load {:.3} ms",
        a / b,
        median(&mut frame_medians)
    );
    let run = h.state_mut().preview.running.take();
    drop(run);
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn wait(h: &mut Harness<'static, ConsoleApp>, cond: impl Fn(&ConsoleApp) -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond(h.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Pushes `n` requests into the tab's log, as the edge's feed would.
fn fill(h: &mut Harness<'static, ConsoleApp>, n: usize) {
    let behaviors: [Arc<str>; 2] = ["*".into(), "/css/*".into()];
    let log = &mut h.state_mut().preview.log;
    for i in 0..n {
        log.push(LogRow {
            at: SystemTime::now(),
            method: "GET".into(),
            url: format!("/assets/{}/file-{i}.js?v={}", i % 97, i % 13).into(),
            behavior: behaviors[i % 2].clone(),
            result: if i % 5 == 0 { "Miss" } else { "Hit" },
            status: 200,
            bytes: 1024 + (i % 4096) as u64,
            time_taken: 0.001,
        });
    }
}

fn frames(h: &mut Harness<'static, ConsoleApp>, n: usize) -> (f64, f64) {
    for _ in 0..10 {
        h.step();
    }
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            h.step();
            t.elapsed()
        })
        .collect();
    times.sort();
    (ms(times[n / 2]), ms(times[n * 9 / 10]))
}

fn wrk(url: &str, dur: &str, conns: usize) -> std::process::Child {
    Command::new("wrk")
        .args(["-t2", &format!("-c{conns}"), &format!("-d{dur}"), url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wrk")
}

fn requests_per_sec(child: std::process::Child) -> f64 {
    let out = child.wait_with_output().expect("wrk output");
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("Non-2xx") {
        eprintln!("wrk saw non-2xx answers:\n{text}");
    }
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}"))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
