//! Frame-build time of each tab for a distribution at CloudFront's quotas (100 origins, 75
//! behaviors, 100 aliases, 10 origin groups) in an account at its quota of 500 distributions
//! (the list on the left holds them all), and whether the window asks for a repaint while
//! nothing is in flight. Drives the real `ConsoleApp` in egui_kittest without rendering (what
//! is timed is the frame the app builds: layout, widgets, findings), after a warm-up.
//!
//! `cargo bench --bench frames` prints one line per tab: median and p90 over 200 frames.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cfconsole::backend::BackendChoice;
use cfconsole::ui::state::{Page, State, Tab};
use cfconsole::ui::tabs::functions::Action;
use cfconsole::ui::{ConsoleApp, Options};
use cfconsole_control::poll::Schedule;
use cfconsole_control::{ControlPlane, LocalWorkspace, SystemClock, Timings};
use cfconsole_model::{
    CacheBehavior, Document, List, MinimumProtocolVersion, OriginGroup,
    OriginGroupFailoverCriteria, OriginGroupMember, SSLSupportMethod, ViewerCertificate,
};
use eframe::egui;
use egui_kittest::Harness;

const FRAMES: usize = 200;
/// CloudFront's quotas (the Developer Guide's quotas page, 2026).
const ORIGINS: usize = 100;
const BEHAVIORS: usize = 75;
const DISTRIBUTIONS: usize = 500;

fn at_quotas() -> cfconsole_model::DistributionConfig {
    let text = include_str!("../assets/sample-workspace/sample-distribution.json");
    let mut c = Document::from_json(text).expect("sample").config;
    c.caller_reference = "bench-quotas".into();
    let first = c.origins.items()[0].clone();
    let origins: Vec<_> = (0..ORIGINS)
        .map(|i| {
            let mut o = first.clone();
            o.id = format!("origin-{i}");
            o.domain_name = format!("origin-{i}.example.com");
            o
        })
        .collect();
    c.origins = List::new(origins);
    c.default_cache_behavior.target_origin_id = "origin-0".into();
    let template = c
        .cache_behaviors
        .as_ref()
        .expect("sample behaviors")
        .items()[0]
        .clone();
    let behaviors: Vec<CacheBehavior> = (0..BEHAVIORS)
        .map(|i| CacheBehavior {
            path_pattern: format!("/section-{i}/*"),
            target_origin_id: if i < 10 {
                format!("group-{i}")
            } else {
                format!("origin-{i}")
            },
            ..template.clone()
        })
        .collect();
    c.cache_behaviors = Some(List::new(behaviors));
    c.aliases = Some(List::new(
        (0..100).map(|i| format!("www{i}.example.com")).collect(),
    ));
    // Aliases need a certificate that covers them.
    c.viewer_certificate = Some(ViewerCertificate {
        cloud_front_default_certificate: Some(false),
        acm_certificate_arn: Some(
            "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-111122223333"
                .into(),
        ),
        ssl_support_method: Some(SSLSupportMethod::SniOnly),
        minimum_protocol_version: Some(MinimumProtocolVersion::TLSv1_2_2021),
        ..Default::default()
    });
    c.origin_groups = Some(List::new(
        (0..10)
            .map(|i| OriginGroup {
                id: format!("group-{i}"),
                failover_criteria: OriginGroupFailoverCriteria {
                    status_codes: List::new(vec![500, 502, 503, 504]),
                },
                members: List::new(vec![
                    OriginGroupMember {
                        origin_id: format!("origin-{}", 2 * i),
                    },
                    OriginGroupMember {
                        origin_id: format!("origin-{}", 2 * i + 1),
                    },
                ]),
                selection_criteria: None,
            })
            .collect(),
    ));
    c
}

fn main() {
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
    let plane =
        LocalWorkspace::open_with(ws.path(), Arc::new(SystemClock), fast).expect("workspace");
    let id = rt
        .block_on(plane.create_distribution(at_quotas()))
        .expect("create")
        .distribution
        .id;
    // The rest of the account: the sample and small distributions up to the quota.
    let small = Document::from_json(include_str!(
        "../assets/sample-workspace/sample-distribution.json"
    ))
    .expect("sample")
    .config;
    let have = rt
        .block_on(plane.list_distributions())
        .expect("list")
        .items
        .len();
    for i in have..DISTRIBUTIONS {
        let mut c = small.clone();
        c.caller_reference = format!("bench-list-{i}");
        c.comment = format!("distribution {i} of the account");
        rt.block_on(plane.create_distribution(c)).expect("create");
    }

    let mut options = Options::new(data.path().to_path_buf());
    options.backend = Some(BackendChoice::Local(Some(ws.path().to_path_buf())));
    options.local_timings = Some(fast);
    options.schedule = Schedule {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(20),
        factor: 1.0,
    };
    let state = State {
        selected: Some(id.clone()),
        ..Default::default()
    };
    let app = ConsoleApp::new(rt.handle().clone(), options, state);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut ConsoleApp| app.frame(ui), app);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(h.state().current_draft().is_some() && h.state().jobs().next().is_none()) {
        assert!(
            Instant::now() < deadline,
            "the distribution did not load and deploy"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let (errors, warnings) = h.state().current_draft().expect("draft").counts();
    println!(
        "distribution {id}: {ORIGINS} origins, {BEHAVIORS} behaviors, 100 aliases, 10 origin \
         groups ({errors} errors, {warnings} warnings), in a list of {} distributions",
        h.state().server.list.value().map_or(0, Vec::len)
    );
    for f in h.state().current_draft().expect("draft").findings() {
        if f.is_error() {
            println!("  {f}");
        }
    }

    for tab in Tab::ALL {
        {
            let app = h.state_mut();
            app.state.tab = tab;
            app.chrome.view.origin = Some(0);
            app.chrome.view.group = Some(0);
            app.chrome.view.behavior = Some(0);
        }
        measure(&mut h, &tab.to_string());
    }

    // The Functions page at the account's quota of 100 functions, one open with code near the
    // 10 KB quota; the Key value stores page with a store of 2,000 items open.
    let code = {
        let mut c = String::from("function handler(event) {\n  var r = event.request;\n");
        while c.len() < 9_500 {
            c.push_str("  if (r.uri === '/a/b/c/d') { r.uri = '/index.html'; } // a rule\n");
        }
        c.push_str("  return r;\n}\n");
        c
    };
    let items = cfconsole_functions::kvs::Items::from_pairs(
        (0..2000).map(|i| (format!("/old/path/{i}"), format!("/new/path/{i}"))),
    )
    .expect("items");
    let store = rt
        .block_on(plane.create_kvs("redirects", "", Some(items)))
        .expect("store");
    for i in 0..100 {
        rt.block_on(plane.create_function(
            &format!("function-{i:03}"),
            "",
            cfconsole_functions::Runtime::Js2,
            (i == 0).then(|| store.arn.clone()),
            code.clone(),
        ))
        .expect("function");
    }
    {
        let app = h.state_mut();
        app.functions.refresh();
        app.functions.act(Action::Open("function-000".into()));
        app.functions.act(Action::OpenStore("redirects".into()));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(h.state().functions.editor.is_some()
        && h.state().functions.open_items().is_some()
        && h.state().jobs().next().is_none())
    {
        assert!(Instant::now() < deadline, "the functions did not load");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    for page in [Page::Functions, Page::KeyValueStores] {
        h.state_mut().state.page = page;
        measure(&mut h, page.label());
    }
    h.state_mut().state.page = Page::Distributions;

    // Idle: nothing in flight, nothing animating: egui must not be asked for another frame.
    while h.state().jobs().next().is_some() {
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.state_mut().state.tab = Tab::General;
    for _ in 0..10 {
        h.step();
    }
    let delay = h
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|v| v.repaint_delay);
    println!("idle: repaint requested after {delay:?} (Duration::MAX: none)");
}

/// Twenty frames to settle, then [`FRAMES`] timed ones: prints the median and the 90th
/// percentile under `name`.
fn measure(h: &mut Harness<'_, ConsoleApp>, name: &str) {
    for _ in 0..20 {
        h.step();
    }
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let t = Instant::now();
            h.step();
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<12} median {:>7.3} ms   p90 {:>7.3} ms",
        ms(times[FRAMES / 2]),
        ms(times[FRAMES * 9 / 10])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
