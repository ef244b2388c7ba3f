//! Drives the real `ConsoleApp` in egui_kittest: a temp workspace and data folder, a tokio
//! runtime for the app's tasks, short local timings, and helpers that act by accessible label.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cfconsole::backend::{Backend, BackendChoice};
use cfconsole::ui::draft::Draft;
use cfconsole::ui::files::ScriptedDialogs;
use cfconsole::ui::state::State;
use cfconsole::ui::{ConsoleApp, Options};
use cfconsole_control::poll::Schedule;
use cfconsole_control::{ControlPlane, LocalWorkspace, SystemClock, Timings};
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The sample distribution every new workspace starts with.
pub const SAMPLE: &str = "E1SAMPLE000001";

/// Local deployments and invalidations take this long in the tests.
pub const DELAY: Duration = Duration::from_millis(400);

/// A console on a backend, with its folders.
pub struct Console {
    /// The harness; its state is the app.
    pub h: Harness<'static, ConsoleApp>,
    rt: Arc<tokio::runtime::Runtime>,
    ws: Arc<tempfile::TempDir>,
    data: Arc<tempfile::TempDir>,
    backend: BackendChoice,
    /// The file dialogs' answers.
    pub dialogs: ScriptedDialogs,
}

impl Console {
    /// A console on a fresh local workspace.
    pub fn local() -> Self {
        Self::local_at_scale(1.0)
    }

    /// A console on a fresh local workspace, drawn at `scale` pixels per point (2.0: a HiDPI
    /// display showing the same 1280x800 points on 2560x1600 pixels).
    pub fn local_at_scale(scale: f32) -> Self {
        let ws = Arc::new(tempfile::tempdir().expect("temp workspace"));
        // A fixed folder name inside the temp folder: labels (and snapshots) show only the name.
        let backend = BackendChoice::Local(Some(ws.path().join("workspace")));
        Self::start(
            backend,
            ws,
            Arc::new(tempfile::tempdir().expect("temp data")),
            None,
            None,
            scale,
        )
    }

    /// A console on the AWS backend (the real SDK) at `endpoint`, a moto server, with test
    /// credentials given explicitly (nothing of the user's AWS files is read).
    pub fn aws(endpoint: &str) -> Self {
        let backend = BackendChoice::Aws {
            profile: None,
            region: Some("us-east-1".into()),
            endpoint_url: Some(endpoint.to_string()),
        };
        let ws = Arc::new(tempfile::tempdir().expect("temp workspace"));
        let plane = Backend {
            plane: Arc::new(aws_client(endpoint)),
            label: "AWS (emulator)".into(),
            key: "aws:moto".into(),
        };
        let data = Arc::new(tempfile::tempdir().expect("temp data"));
        Self::start(backend, ws, data, None, Some(plane), 1.0)
    }

    fn start(
        backend: BackendChoice,
        ws: Arc<tempfile::TempDir>,
        data: Arc<tempfile::TempDir>,
        rt: Option<Arc<tokio::runtime::Runtime>>,
        plane: Option<Backend>,
        scale: f32,
    ) -> Self {
        let rt = rt.unwrap_or_else(|| {
            Arc::new(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("runtime"),
            )
        });
        let dialogs = ScriptedDialogs::default();
        let mut options = Options::new(data.path().to_path_buf());
        options.backend = Some(backend.clone());
        options.local_timings = Some(Timings {
            deployment: DELAY,
            invalidation: DELAY,
        });
        options.schedule = Schedule {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(50),
            factor: 1.0,
        };
        options.dialogs = Arc::new(dialogs.clone());
        options.plane = plane;
        let app = ConsoleApp::new(rt.handle().clone(), options, State::default());
        let h = Harness::builder()
            .with_size([1280.0, 800.0])
            .with_pixels_per_point(scale)
            .build_ui_state(|ui, app: &mut ConsoleApp| app.frame(ui), app);
        Self {
            h,
            rt,
            ws,
            data,
            backend,
            dialogs,
        }
    }

    /// The same folders in a new app, as after a crash and a restart.
    pub fn restart(&self) -> Console {
        Self::start(
            self.backend.clone(),
            self.ws.clone(),
            self.data.clone(),
            Some(self.rt.clone()),
            None,
            1.0,
        )
    }

    /// The workspace folder.
    pub fn workspace(&self) -> &Path {
        self.ws.path()
    }

    /// The data folder (drafts).
    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_path_buf()
    }

    /// The app.
    pub fn app(&self) -> &ConsoleApp {
        self.h.state()
    }

    /// The app, to change what a test cannot reach by label (a result to wait for again).
    pub fn app_mut(&mut self) -> &mut ConsoleApp {
        self.h.state_mut()
    }

    /// The open distribution's draft.
    pub fn draft(&self) -> &Draft {
        self.app().current_draft().expect("a distribution is open")
    }

    /// One frame.
    pub fn step(&mut self) {
        self.h.step();
    }

    /// `n` frames.
    pub fn steps(&mut self, n: usize) {
        for _ in 0..n {
            self.h.step();
        }
    }

    /// Steps until `cond` holds (the app's tasks run meanwhile); fails after 20 s.
    #[track_caller]
    pub fn wait(&mut self, cond: impl Fn(&Console) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.h.step();
            if cond(self) {
                self.h.step();
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out; banners: {:?}; jobs: {:?}; changes: {:?}; list: {:?}; policies: {:?}",
                self.app().chrome.banners,
                self.app()
                    .jobs()
                    .map(|(w, _)| w.clone())
                    .collect::<Vec<_>>(),
                self.app().current_draft().map(|d| d.changes()),
                self.app().server.list.value(),
                self.app().server.policies
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until distribution `id` is open with its draft.
    #[track_caller]
    pub fn wait_for_draft(&mut self, id: &str) {
        let id = id.to_string();
        self.wait(move |c| {
            c.app().state.selected.as_deref() == Some(id.as_str())
                && c.app().current_draft().is_some()
        });
    }

    /// Replaces the text of the field labelled `label`, as typing would.
    #[track_caller]
    pub fn set_text(&mut self, label: &str, text: &str) {
        self.h.get_by_label(label).focus();
        self.h.step();
        self.h.key_press_modifiers(Modifiers::COMMAND, Key::A);
        self.h.step();
        self.h.get_by_label(label).type_text(text);
        self.h.step();
        self.h.step();
    }

    /// Clicks what is labelled `label`, then lets the app settle (a card opening, a window
    /// appearing, a scroll) for a few frames.
    #[track_caller]
    pub fn click(&mut self, label: &str) {
        // The click a screen reader or keyboard user gives (AccessKit's Click action): it reaches
        // the widget wherever it is scrolled, as a pointer click at its drawn place would not.
        self.h.get_by_label(label).click_accesskit();
        self.steps(3);
    }

    /// Opens the combo box labelled `label` and picks `option`.
    #[track_caller]
    pub fn choose(&mut self, label: &str, option: &str) {
        self.h.get_by_label(label).click();
        self.steps(2);
        self.h.get_by_label(option).click();
        self.steps(2);
    }

    /// Opens the sample's default behavior's card in the Behaviors tab (the card whose title
    /// starts with `* -> `).
    pub fn open_default_behavior(&mut self) {
        self.h
            .get_all_by_label_contains("* -> sample-site")
            .find(|n| {
                n.accesskit_node()
                    .label()
                    .is_some_and(|l| l.starts_with("* -> "))
            })
            .expect("the default behavior's card")
            .click();
        self.steps(3);
    }

    /// Opens a tab.
    #[track_caller]
    pub fn tab(&mut self, name: &str) {
        match self.h.query_by_label(name) {
            Some(n) => n.click(),
            None => self.h.get_by_label_contains(&format!("{name} (")).click(),
        }
        self.steps(2);
    }

    /// The accessibility tree, for a failing test's message.
    pub fn tree(&self) -> String {
        format!("{:#?}", self.h.root())
    }

    /// Ctrl (Cmd) + key, with Shift when asked.
    pub fn key_cmd(&mut self, key: Key, shift: bool) {
        let m = if shift {
            Modifiers::COMMAND | Modifiers::SHIFT
        } else {
            Modifiers::COMMAND
        };
        self.h.key_press_modifiers(m, key);
        self.steps(2);
    }

    /// Runs a future on the app's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The app's backend.
    pub fn plane(&self) -> Arc<dyn ControlPlane> {
        self.app()
            .server
            .backend
            .as_ref()
            .expect("connected")
            .plane
            .clone()
    }

    /// The same workspace opened by someone else (another process would do the same).
    pub fn other_workspace(&self) -> LocalWorkspace {
        LocalWorkspace::open_with(
            self.ws.path().join("workspace"),
            Arc::new(SystemClock),
            Timings {
                deployment: DELAY,
                invalidation: DELAY,
            },
        )
        .expect("workspace")
    }

    /// An image snapshot of the window, with what changes from run to run (temp paths, times)
    /// masked.
    pub fn snapshot(&mut self, name: &str) {
        self.steps(2);
        // A frame drawn with nothing in flight, so the status bar's job indicator (background
        // reads come and go) is not in the picture. A job ends only when its result is applied
        // at the start of a frame, so none left after a frame means none was drawn in it.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.h.step();
            if self.app().jobs().next().is_none() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "never idle for the snapshot {name}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let ws = self.ws.path().display().to_string();
        let rects: Vec<egui::Rect> = self
            .h
            .query_all_by(|n| {
                let label = format!(
                    "{} {}",
                    n.label().unwrap_or_default(),
                    n.value().unwrap_or_default()
                );
                label.contains(&ws)
                    || label.contains("saved ") && label.contains("UTC")
                    || label.ends_with(" UTC") && label.starts_with("20")
                    || label.starts_with("Last modified")
                    || label.ends_with('s') && label.contains("… ")
                    // Made anew each run: ETags, store ids in ARNs, modification times.
                    || label.contains("ETag ")
                    || label.contains(" · 20")
                    || label.contains("arn:aws:cloudfront::")
                    // Made anew each run: resource ids, key material and its fingerprint.
                    || has_generated_id(&label)
                    || label.contains("-----BEGIN ")
                    || label.contains("Fingerprint (SHA-256)")
                    || label.starts_with("From /")
            })
            .map(|n| n.rect())
            .collect();
        for r in rects {
            self.h.mask(r);
        }
        self.h.snapshot(name);
    }
}

/// True when `label` holds an id the backend made this run: a CloudFront-style id (`E…` or
/// `K…`, 12 or more upper-case letters and digits; the sample's fixed id aside) or a UUID.
fn has_generated_id(label: &str) -> bool {
    label
        .split(|c: char| c.is_whitespace() || "()[],·".contains(c))
        .any(|w| {
            let cf = w.len() >= 12
                && (w.starts_with('E') || w.starts_with('K'))
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && !w.contains("SAMPLE");
            let uuid = w.len() == 36
                && w.split('-').map(str::len).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
                && w.chars().all(|c| c == '-' || c.is_ascii_hexdigit());
            cf || uuid
        })
}

/// The AWS backend on the real SDK, at `endpoint`, with dummy credentials.
pub fn aws_client(endpoint: &str) -> cfconsole_control::Aws {
    use aws_sdk_cloudfront::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_cloudfront::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    cfconsole_control::Aws::from_client(aws_sdk_cloudfront::Client::from_conf(conf))
}
