//! The app: it alone runs commands and tasks and applies their results; views only draw what
//! they are given and push [`Command`]s. One frame is [`ConsoleApp::tick`] (what eframe's
//! `logic` calls: drain finished tasks, autosave due drafts) then [`ConsoleApp::ui`] (draw,
//! then run the commands pushed while drawing).
//!
//! The parts, by job: `tasks.rs` starts backend calls and file writes (each a `Msg` when it
//! ends), `results.rs` applies them, `commands.rs` runs commands, `chrome.rs` draws the bars
//! and the distribution list, `editor.rs` the open distribution, `dialogs.rs` the dialogs.

mod chrome;
mod commands;
mod dialogs;
mod editor;
mod results;
mod tasks;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use cfconsole_control::poll::{CancelToken, Schedule};
use cfconsole_control::{
    ControlPlane, DistributionListItem, DistributionRecord, PolicyKind, PolicyRecord, Tag, Timings,
};
use eframe::egui;

use super::command::{Command, Commands};
use super::dialogs::Dialog;
use super::draft::{Draft, DraftFile, DraftStore};
use super::files::{FileDialogs, NativeDialogs};
use super::remote::Remote;
use super::secrets::Vault;
use super::state::Page;
use super::state::State;
use super::tabs::ViewState;
use super::tabs::access::Access;
use super::tabs::functions::Functions;
use super::tabs::invalidations::Invalidations;
use super::tabs::preview::Preview;
use super::task::{Jobs, Tasks};
use crate::backend::{Backend, BackendChoice};

/// How the app is started.
pub struct Options {
    /// A backend that overrides the persisted one (`--workspace`, `--aws`).
    pub backend: Option<BackendChoice>,
    /// Where drafts are kept.
    pub data_dir: PathBuf,
    /// Local workspace timings (tests make them short).
    pub local_timings: Option<Timings>,
    /// How often work in progress is checked.
    pub schedule: Schedule,
    /// The file dialogs.
    pub dialogs: Arc<dyn FileDialogs>,
    /// Print the time to the first frame on stderr (the start-up benchmark).
    pub report_first_frame: bool,
    /// A control plane built by the caller (tests: the AWS backend with explicit test
    /// credentials against an emulator), used instead of connecting to `backend`.
    pub plane: Option<Backend>,
    /// Said once in a banner when the window opens (a saved state that was set aside).
    pub notices: Vec<String>,
    /// Where drafts keep their origin header values instead of their files (tests: a vault in
    /// memory); None looks for the platform's when `find_secret_store` is set.
    pub secret_store: Option<Arc<dyn Vault>>,
    /// Look for the platform's secret store (the Secret Service) when connecting: the window
    /// does; tests do not, so that they never write to a developer's keyring.
    pub find_secret_store: bool,
}

impl Options {
    /// The defaults of an interactive start.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            backend: None,
            data_dir,
            local_timings: None,
            schedule: Schedule::default(),
            dialogs: Arc::new(NativeDialogs),
            report_first_frame: false,
            plane: None,
            notices: Vec::new(),
            secret_store: None,
            find_secret_store: false,
        }
    }
}

/// What the backend has, as last read.
#[derive(Default)]
pub struct Server {
    /// The backend, once connected.
    pub backend: Option<Backend>,
    /// The distribution list.
    pub list: Remote<Vec<DistributionListItem>>,
    /// Loaded distributions.
    pub records: HashMap<String, Remote<DistributionRecord>>,
    /// Custom policies by kind.
    pub policies: HashMap<PolicyKind, Remote<Vec<PolicyRecord>>>,
    /// Tags by distribution.
    pub tags: HashMap<String, Remote<Vec<Tag>>>,
}

/// The operator's drafts.
#[derive(Default)]
pub struct Edits {
    /// Drafts by distribution id.
    pub drafts: HashMap<String, Draft>,
    /// Where drafts are written (per backend).
    store: Option<DraftStore>,
    /// A saved draft found on disk for the open distribution, offered back.
    pub offered: Option<DraftFile>,
}

/// What the window shows around the forms.
#[derive(Default)]
pub struct Chrome {
    /// The open dialog.
    pub dialog: Option<Dialog>,
    /// Messages for the operator (errors from the backend, notices), newest last.
    pub banners: Vec<(bool, String)>,
    /// The distribution filter.
    pub filter: String,
    /// A field to focus, asked for by a click on a finding.
    focus: Option<String>,
    /// Custom header values the operator chose to show.
    revealed: HashSet<String>,
    /// Per-tab view state (expanded cards, the path tester, ...).
    pub view: ViewState,
}

/// Work asked for and in flight.
pub struct Work {
    /// The app's tasks.
    tasks: Tasks<Msg>,
    /// Every job in flight over the window (the app's and the tabs'), for the status bar.
    jobs: Jobs,
    /// Commands pushed this frame.
    commands: Commands,
    /// Deployments followed, by distribution.
    following: HashMap<String, CancelToken>,
    /// Guided deletes, by distribution: the step they are at.
    deleting: HashMap<String, String>,
}

use tasks::Msg;

/// The whole app.
pub struct ConsoleApp {
    /// What is persisted.
    pub state: State,
    options: Options,
    /// What the backend has.
    pub server: Server,
    /// The drafts.
    pub edits: Edits,
    /// Dialogs, banners, the filter, the view state.
    pub chrome: Chrome,
    work: Work,
    /// The Invalidations tab.
    pub invalidations: Invalidations,
    /// The Preview tab and its edge server.
    pub preview: Preview,
    /// The Functions and Key value stores pages.
    pub functions: Functions,
    /// The Public keys, Key groups and Origin access pages.
    pub access: Access,
    started: Option<Instant>,
    first_frame_reported: bool,
    fonts_installed: bool,
    /// Frames drawn (tests and the benchmark read it).
    pub frames: u64,
}

impl ConsoleApp {
    /// A new app on `rt`, connecting to the backend of `options` or `state`.
    pub fn new(rt: tokio::runtime::Handle, options: Options, mut state: State) -> Self {
        if let Some(b) = &options.backend {
            state.backend = b.clone();
        }
        let jobs = Jobs::default();
        let invalidations = Invalidations::new(rt.clone(), jobs.clone(), options.schedule);
        let preview = Preview::new(rt.clone(), jobs.clone(), options.dialogs.clone());
        let functions = Functions::new(rt.clone(), jobs.clone(), options.dialogs.clone());
        let access = Access::new(rt.clone(), jobs.clone(), options.dialogs.clone());
        let mut app = Self {
            state,
            options,
            server: Server::default(),
            edits: Edits::default(),
            chrome: Chrome::default(),
            work: Work {
                tasks: Tasks::new(rt, jobs.clone()),
                jobs,
                commands: Commands::default(),
                following: HashMap::new(),
                deleting: HashMap::new(),
            },
            invalidations,
            preview,
            functions,
            access,
            started: None,
            first_frame_reported: false,
            fonts_installed: false,
            frames: 0,
        };
        for n in std::mem::take(&mut app.options.notices) {
            app.notice(n);
        }
        match app.options.plane.take() {
            Some(b) => {
                app.server.list = Remote::Pending(None);
                let vault = app.options.secret_store.clone();
                app.spawn("connecting", async move { Msg::Connected(Ok(b), vault) });
            }
            None => {
                let choice = app.state.backend.clone();
                app.connect(choice);
            }
        }
        app
    }

    /// When the process started (for the time-to-first-frame report).
    pub fn set_started(&mut self, at: Instant) {
        self.started = Some(at);
    }

    /// Queues a command, as a view would.
    pub fn command(&mut self, c: Command) {
        self.work.commands.push(c);
    }

    /// Work in flight over the window, oldest first: (what, since).
    pub fn jobs(&self) -> impl Iterator<Item = (String, Instant)> {
        self.work.jobs.list().into_iter()
    }

    /// The open distribution's draft.
    pub fn current_draft(&self) -> Option<&Draft> {
        self.state
            .selected
            .as_ref()
            .and_then(|id| self.edits.drafts.get(id))
    }

    /// The open distribution's draft, mutably.
    pub fn current_draft_mut(&mut self) -> Option<&mut Draft> {
        let id = self.state.selected.clone()?;
        self.edits.drafts.get_mut(&id)
    }

    /// The left-hand navigation: Distributions, Functions, Key value stores, Public keys, Key
    /// groups, Origin access.
    fn navigation(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            for p in Page::ALL {
                if ui
                    .selectable_label(self.state.page == p, p.label())
                    .clicked()
                {
                    self.state.page = p;
                }
            }
        });
        ui.separator();
    }

    fn plane(&self) -> Option<Arc<dyn ControlPlane>> {
        self.server.backend.as_ref().map(|b| b.plane.clone())
    }

    fn banner_error(&mut self, msg: impl Into<String>) {
        self.chrome.banners.push((true, msg.into()));
        if self.chrome.banners.len() > 5 {
            self.chrome.banners.remove(0);
        }
    }

    fn notice(&mut self, msg: impl Into<String>) {
        self.chrome.banners.push((false, msg.into()));
        if self.chrome.banners.len() > 5 {
            self.chrome.banners.remove(0);
        }
    }

    /// One frame as eframe runs it: [`Self::tick`] (its `logic`), then [`Self::ui`]. The UI
    /// tests and the frame benchmark drive the app through this.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        self.tick(ui.ctx());
        self.ui(ui);
    }

    /// Draws the whole window, then runs the commands pushed while drawing (what
    /// `eframe::App::ui` calls, after `logic` has ticked).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.shortcuts(&ctx);
        self.frames += 1;

        egui::Panel::top("top").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        egui::Panel::left("list")
            .resizable(true)
            .default_size(300.0)
            .min_size(220.0)
            .show(ui, |ui| {
                self.navigation(ui);
                match self.state.page {
                    Page::Distributions => self.distribution_list(ui),
                    Page::Functions => self.functions.list_ui(ui),
                    Page::KeyValueStores => self.functions.stores_ui(ui),
                    Page::PublicKeys => self.access.keys_list_ui(ui),
                    Page::KeyGroups => self.access.groups_list_ui(ui),
                    Page::OriginAccess => self.access.oac_list_ui(ui),
                }
            });
        egui::CentralPanel::default().show(ui, |ui| match self.state.page {
            Page::Distributions => self.editor(ui),
            Page::Functions => {
                let configs = loaded_configs(&self.edits, &self.server);
                self.functions.editor_ui(ui, &configs);
            }
            Page::KeyValueStores => self.functions.store_ui(ui),
            Page::PublicKeys => {
                let configs = loaded_configs(&self.edits, &self.server);
                self.access.key_ui(ui, &configs);
            }
            Page::KeyGroups => {
                let configs = loaded_configs(&self.edits, &self.server);
                self.access.group_ui(ui, &configs);
            }
            Page::OriginAccess => {
                let configs = loaded_configs(&self.edits, &self.server);
                self.access.oac_ui(ui, &configs);
            }
        });
        self.dialogs(&ctx);

        // Edits made during this frame become one undo step each.
        self.run_commands();
        self.functions.run();
        self.access.run();

        if !self.first_frame_reported {
            self.first_frame_reported = true;
            if self.options.report_first_frame
                && let Some(s) = self.started
            {
                eprintln!("first frame after {} ms", s.elapsed().as_millis());
            }
        }
    }
}

/// The configurations the window has, by distribution (the draft where there is one, else as
/// loaded), borrowed: what the Functions page reads to say which behaviors use a function.
fn loaded_configs<'a>(
    edits: &'a Edits,
    server: &'a Server,
) -> Vec<(String, &'a cfconsole_model::DistributionConfig)> {
    let mut out: Vec<(String, &cfconsole_model::DistributionConfig)> = edits
        .drafts
        .values()
        .map(|d| (d.id.clone(), &d.config))
        .collect();
    for (id, r) in &server.records {
        if !edits.drafts.contains_key(id)
            && let Some(r) = r.value()
        {
            out.push((id.clone(), &r.distribution.distribution_config));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

impl eframe::App for ConsoleApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        ConsoleApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
        // Drafts have their own files; write any that is due now rather than lose it.
        let ids: Vec<String> = self
            .edits
            .drafts
            .values()
            .filter(|d| d.save_due.is_some())
            .map(|d| d.id.clone())
            .collect();
        for id in ids {
            if let (Some(store), Some(d)) = (&self.edits.store, self.edits.drafts.get_mut(&id)) {
                d.save_due = None;
                let r = if d.is_edited() {
                    store.save(&d.to_file(SystemTime::now()))
                } else {
                    store.remove(&id)
                };
                if let Err(e) = r {
                    eprintln!("error: the draft of {id} could not be saved: {e}");
                }
            }
        }
    }
}
