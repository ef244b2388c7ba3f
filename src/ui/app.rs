//! The root of the window: the persisted [`State`], the runtime state (backend, remote values,
//! drafts), the command queue that views fill and [`ConsoleApp::tick`] applies, and the tokio
//! bridge: every backend call and file write runs as a task whose result comes back as a
//! [`Msg`] on a channel, and the task asks for a repaint when it is done.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant, SystemTime};

use cfconsole_control::poll::{self, CancelToken, Event, Followed, Schedule};
use cfconsole_control::{
    Aws, AwsOptions, ControlError, ControlPlane, DistributionListItem, DistributionRecord,
    LocalWorkspace, PolicyKind, PolicyRecord, SystemClock, Tag, Timings, is_deployed,
};
use cfconsole_model::{DistributionConfig, Document, ExportFormat, ExportOptions, Form};
use eframe::egui::{self, Key, KeyboardShortcut, Modifiers, RichText};
use serde::{Deserialize, Serialize};

use super::draft::{Draft, DraftFile, DraftStore};
use super::files::{FileDialogs, NativeDialogs};
use super::form::{ERROR, FormCtx, OK, WARNING};
use super::tabs::{self, Tab};
use super::widgets;

/// Which backend to use, as persisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendChoice {
    /// A local workspace; `None` is the platform's default folder.
    Local(Option<PathBuf>),
    /// AWS with a profile, a region and an optional endpoint.
    Aws {
        /// Profile from `~/.aws/config` (`None`: the default chain).
        profile: Option<String>,
        /// Region (`None`: the profile's).
        region: Option<String>,
        /// A CloudFront-compatible endpoint instead of AWS's.
        endpoint_url: Option<String>,
    },
}

impl Default for BackendChoice {
    fn default() -> Self {
        Self::Local(None)
    }
}

/// What survives a restart (eframe storage). Never credentials or custom header values.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// The backend last used.
    pub backend: BackendChoice,
    /// The distribution last open.
    pub selected: Option<String>,
    /// The tab last open.
    pub tab: Tab,
    /// Workspaces opened before, newest first.
    pub recent_workspaces: Vec<PathBuf>,
    /// AWS profiles used before, newest first.
    pub recent_profiles: Vec<String>,
}

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
        }
    }
}

/// A remote value: keeps the previous value while refreshing or after a failure, so lists
/// never flicker and nothing is lost.
#[derive(Debug, Clone)]
pub enum Remote<T> {
    /// Never asked for.
    Idle,
    /// Being fetched.
    Pending(Option<T>),
    /// Fetched.
    Ready(T),
    /// The last fetch failed.
    Failed {
        /// The error, as a person reads it.
        error: String,
        /// What was there before.
        previous: Option<T>,
    },
}

impl<T> Remote<T> {
    /// The value to show, whatever the state.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Idle => None,
            Self::Pending(p) => p.as_ref(),
            Self::Ready(v) => Some(v),
            Self::Failed { previous, .. } => previous.as_ref(),
        }
    }

    /// Mutable access to the value shown.
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Idle => None,
            Self::Pending(p) => p.as_mut(),
            Self::Ready(v) => Some(v),
            Self::Failed { previous, .. } => previous.as_mut(),
        }
    }

    /// Moves to Pending, keeping the value.
    pub fn start(&mut self) {
        let prev = std::mem::replace(self, Self::Idle);
        *self = Self::Pending(prev.into_value());
    }

    /// Applies a fetch's result.
    pub fn finish(&mut self, result: Result<T, String>) {
        let prev = std::mem::replace(self, Self::Idle);
        *self = match result {
            Ok(v) => Self::Ready(v),
            Err(error) => Self::Failed {
                error,
                previous: prev.into_value(),
            },
        };
    }

    fn into_value(self) -> Option<T> {
        match self {
            Self::Idle => None,
            Self::Pending(p) => p,
            Self::Ready(v) => Some(v),
            Self::Failed { previous, .. } => previous,
        }
    }

    /// True while fetching.
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Pending(_))
    }
}

/// The connected backend.
#[derive(Clone)]
pub struct Backend {
    /// The control plane.
    pub plane: Arc<dyn ControlPlane>,
    /// What it is, for the status bar.
    pub label: String,
    /// A stable key (drafts are kept per backend).
    pub key: String,
}

/// What views ask the app to do; applied after the frame is drawn.
#[derive(Debug, Clone)]
pub enum Command {
    /// Open a distribution.
    Select(String),
    /// Reload the list (and the open distribution).
    Refresh,
    /// Open the Review changes dialog.
    Review,
    /// Publish the open draft.
    Publish,
    /// Throw the open draft away.
    Discard,
    /// Undo / redo in the open draft.
    Undo,
    /// Redo.
    Redo,
    /// Write the open draft to disk now.
    SaveNow,
    /// Go to the field a finding names.
    Focus(String),
    /// Open the New distribution dialog.
    NewDialog,
    /// Create a distribution from a configuration.
    Create(Box<DistributionConfig>),
    /// Duplicate the open distribution.
    Duplicate,
    /// Disable, wait for Deployed, delete.
    Delete(String),
    /// Replace the draft with a file's configuration.
    Import,
    /// Write the draft in a format.
    Export(ExportFormat, bool),
    /// Use this backend.
    Connect(BackendChoice),
    /// Pick a workspace folder with a native dialog, then connect to it.
    ChooseWorkspace,
    /// Restore the saved draft offered for a distribution.
    RestoreDraft,
    /// Drop the saved draft offered.
    DropSavedDraft,
    /// Conflict dialog: re-apply the draft's edits on the server's configuration.
    Reapply,
    /// Read a distribution's tags.
    LoadTags(String),
    /// Replace a distribution's tags.
    SaveTags(String, Vec<Tag>),
    /// Load the custom policies of a kind.
    LoadPolicies(PolicyKind),
    /// Create or update a custom policy.
    SavePolicy(
        Option<(String, String)>,
        Box<cfconsole_control::PolicyConfig>,
    ),
}

/// Task results. Each is moved once from a task to the UI thread, so the size difference of
/// the variants costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
enum Msg {
    Connected(Result<Backend, String>),
    List(Result<(Vec<DistributionListItem>, Vec<String>), String>),
    Loaded(String, Result<DistributionRecord, String>),
    Published(String, Result<DistributionRecord, String>),
    Conflict(String, Result<DistributionRecord, String>),
    Status(String, String),
    Deployed(String, Result<DistributionRecord, String>),
    Created(Result<DistributionRecord, String>),
    DeleteStep(String, String),
    Deleted(String, Result<(), String>),
    Saved(String, Result<SystemTime, String>),
    Imported(Result<(PathBuf, Document), String>),
    Exported(Result<(PathBuf, Vec<String>), String>),
    Policies(PolicyKind, Result<Vec<PolicyRecord>, String>),
    PolicySaved(Result<PolicyRecord, String>),
    Tags(String, Result<Vec<Tag>, String>),
    TagsSaved(String, Result<Vec<Tag>, String>),
    WorkspacePicked(PathBuf),
    Cancelled,
}

/// A dialog over the window.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// The model's diff of the draft.
    Review,
    /// A stale ETag: what changed on the server, and the way forward.
    Conflict {
        /// The distribution.
        id: String,
        /// What the server has now.
        server: Box<DistributionRecord>,
    },
    /// New distribution from a template.
    New(tabs::new_dist::NewForm),
    /// Backend picker.
    Backend(tabs::backend::BackendForm),
    /// Confirm the guided delete.
    ConfirmDelete(String),
}

/// The whole app.
pub struct ConsoleApp {
    /// What is persisted.
    pub state: State,
    rt: tokio::runtime::Handle,
    options: Options,
    ctx: Option<egui::Context>,
    tx: Sender<(u64, Msg)>,
    rx: Receiver<(u64, Msg)>,
    jobs: BTreeMap<u64, (String, Instant)>,
    next_job: u64,
    /// The backend, once connected.
    pub backend: Option<Backend>,
    /// The distribution list.
    pub list: Remote<Vec<DistributionListItem>>,
    /// Loaded distributions.
    pub records: HashMap<String, Remote<DistributionRecord>>,
    /// Drafts by distribution id.
    pub drafts: HashMap<String, Draft>,
    store: Option<DraftStore>,
    /// A saved draft found on disk for the open distribution, offered back.
    pub offered: Option<DraftFile>,
    /// The open dialog.
    pub dialog: Option<Dialog>,
    /// Messages for the operator (errors from the backend, notices), newest last.
    pub banners: Vec<(bool, String)>,
    /// The distribution filter.
    pub filter: String,
    focus: Option<String>,
    revealed: HashSet<String>,
    commands: Vec<Command>,
    following: HashMap<String, CancelToken>,
    deleting: HashMap<String, String>,
    /// Custom policies by kind.
    pub policies: HashMap<PolicyKind, Remote<Vec<PolicyRecord>>>,
    /// Tags by distribution.
    pub tags: HashMap<String, Remote<Vec<Tag>>>,
    /// Per-tab view state (expanded cards, the path tester, ...).
    pub view: tabs::ViewState,
    /// The Invalidations tab.
    pub invalidations: super::invalidations::Invalidations,
    /// The Preview tab and its edge server.
    pub preview: super::preview::Preview,
    started: Option<Instant>,
    first_frame_reported: bool,
    /// Frames drawn (tests and the benchmark read it).
    pub frames: u64,
}

impl ConsoleApp {
    /// A new app on `rt`, connecting to the backend of `options` or `state`.
    pub fn new(rt: tokio::runtime::Handle, options: Options, mut state: State) -> Self {
        if let Some(b) = &options.backend {
            state.backend = b.clone();
        }
        let (tx, rx) = channel();
        let invalidations = super::invalidations::Invalidations::new(rt.clone(), options.schedule);
        let preview = super::preview::Preview::new(rt.clone(), options.dialogs.clone());
        let mut app = Self {
            state,
            rt,
            options,
            ctx: None,
            tx,
            rx,
            jobs: BTreeMap::new(),
            next_job: 0,
            backend: None,
            list: Remote::Idle,
            records: HashMap::new(),
            drafts: HashMap::new(),
            store: None,
            offered: None,
            dialog: None,
            banners: Vec::new(),
            filter: String::new(),
            focus: None,
            revealed: HashSet::new(),
            commands: Vec::new(),
            following: HashMap::new(),
            deleting: HashMap::new(),
            policies: HashMap::new(),
            tags: HashMap::new(),
            view: tabs::ViewState::default(),
            invalidations,
            preview,
            started: None,
            first_frame_reported: false,
            frames: 0,
        };
        match app.options.plane.take() {
            Some(b) => {
                app.list = Remote::Pending(None);
                app.spawn("connecting", async move { Msg::Connected(Ok(b)) });
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
        self.commands.push(c);
    }

    /// Work in flight, oldest first.
    pub fn jobs(&self) -> impl Iterator<Item = &(String, Instant)> {
        self.jobs.values()
    }

    /// The open distribution's draft.
    pub fn current_draft(&self) -> Option<&Draft> {
        self.state
            .selected
            .as_ref()
            .and_then(|id| self.drafts.get(id))
    }

    /// The open distribution's draft, mutably.
    pub fn current_draft_mut(&mut self) -> Option<&mut Draft> {
        let id = self.state.selected.clone()?;
        self.drafts.get_mut(&id)
    }

    fn spawn<F>(&mut self, what: impl Into<String>, fut: F)
    where
        F: Future<Output = Msg> + Send + 'static,
    {
        let id = self.next_job;
        self.next_job += 1;
        self.jobs.insert(id, (what.into(), Instant::now()));
        let tx = self.tx.clone();
        let ctx = self.ctx.clone();
        self.rt.spawn(async move {
            let msg = fut.await;
            let _ = tx.send((id, msg));
            if let Some(ctx) = ctx {
                ctx.request_repaint();
            }
        });
    }

    /// A sender for messages that are not the end of a job (progress), with a repaint.
    fn progress(&self) -> impl Fn(Msg) + Send + Sync + 'static + Clone {
        let tx = self.tx.clone();
        let ctx = self.ctx.clone();
        move |m| {
            let _ = tx.send((u64::MAX, m));
            if let Some(ctx) = &ctx {
                ctx.request_repaint();
            }
        }
    }

    fn plane(&self) -> Option<Arc<dyn ControlPlane>> {
        self.backend.as_ref().map(|b| b.plane.clone())
    }

    fn banner_error(&mut self, msg: impl Into<String>) {
        self.banners.push((true, msg.into()));
        if self.banners.len() > 5 {
            self.banners.remove(0);
        }
    }

    fn notice(&mut self, msg: impl Into<String>) {
        self.banners.push((false, msg.into()));
        if self.banners.len() > 5 {
            self.banners.remove(0);
        }
    }

    fn connect(&mut self, choice: BackendChoice) {
        for (_, c) in self.following.drain() {
            c.cancel();
        }
        self.backend = None;
        self.invalidations.set_plane(None);
        self.preview.stop();
        self.list = Remote::Pending(None);
        self.records.clear();
        self.tags.clear();
        self.policies.clear();
        self.view.tags = None;
        self.drafts.clear();
        self.offered = None;
        self.state.backend = choice.clone();
        let timings = self.options.local_timings;
        match &choice {
            BackendChoice::Local(Some(p)) => {
                self.state.recent_workspaces.retain(|r| r != p);
                self.state.recent_workspaces.insert(0, p.clone());
                self.state.recent_workspaces.truncate(8);
            }
            BackendChoice::Aws {
                profile: Some(p), ..
            } => {
                self.state.recent_profiles.retain(|r| r != p);
                self.state.recent_profiles.insert(0, p.clone());
                self.state.recent_profiles.truncate(8);
            }
            _ => {}
        }
        self.spawn("connecting", async move {
            Msg::Connected(open_backend(choice, timings).await)
        });
    }

    fn refresh_list(&mut self) {
        let Some(plane) = self.plane() else { return };
        self.list.start();
        self.spawn("loading distributions", async move {
            Msg::List(
                plane
                    .list_distributions()
                    .await
                    .map_err(|e| e.to_string())
                    .map(|l| {
                        let bad = l
                            .unreadable
                            .into_iter()
                            .map(|u| format!("{}: {}", u.id, u.problem))
                            .collect();
                        (l.items, bad)
                    }),
            )
        });
    }

    fn load(&mut self, id: &str) {
        let Some(plane) = self.plane() else { return };
        self.records
            .entry(id.to_string())
            .or_insert(Remote::Idle)
            .start();
        let id = id.to_string();
        self.spawn(format!("loading {id}"), async move {
            let r = plane.get_distribution(&id).await.map_err(|e| e.to_string());
            Msg::Loaded(id, r)
        });
    }

    fn select(&mut self, id: String) {
        if self.state.selected.as_deref() != Some(&id) {
            self.offered = None;
        }
        self.state.selected = Some(id.clone());
        if !self.drafts.contains_key(&id) {
            self.load(&id);
        }
    }

    fn follow(&mut self, id: String) {
        let Some(plane) = self.plane() else { return };
        if let Some(c) = self.following.remove(&id) {
            c.cancel();
        }
        let cancel = CancelToken::new();
        self.following.insert(id.clone(), cancel.clone());
        let schedule = self.options.schedule;
        let progress = self.progress();
        self.spawn(format!("deploying {id}"), async move {
            let pid = id.clone();
            let r = poll::wait_deployed(plane.as_ref(), &id, schedule, &cancel, move |e| {
                if let Event::Status(s) = e {
                    progress(Msg::Status(pid.clone(), s));
                }
            })
            .await;
            match r {
                Ok(Followed::Done(rec)) => Msg::Deployed(id, Ok(rec)),
                Ok(Followed::Cancelled) => Msg::Cancelled,
                Err(e) => Msg::Deployed(id, Err(e.to_string())),
            }
        });
    }

    fn publish(&mut self) {
        let Some(plane) = self.plane() else { return };
        let Some(draft) = self.current_draft() else {
            return;
        };
        let (errors, _) = draft.counts();
        if errors > 0 {
            self.banner_error(format!(
                "Not published: the draft has {errors} error{} (see the findings beside the fields); fix them first",
                plural(errors)
            ));
            return;
        }
        if !draft.is_edited() {
            self.notice("Nothing to publish: the draft is the same as what is deployed");
            return;
        }
        let (id, config, etag) = (draft.id.clone(), draft.config.clone(), draft.etag.clone());
        self.dialog = None;
        self.spawn(format!("publishing {id}"), async move {
            match plane.update_distribution(&id, config, &etag).await {
                Ok(rec) => Msg::Published(id, Ok(rec)),
                Err(ControlError::PreconditionFailed { .. }) => {
                    let server = plane.get_distribution(&id).await.map_err(|e| e.to_string());
                    Msg::Conflict(id, server)
                }
                Err(e) => Msg::Published(id, Err(e.to_string())),
            }
        });
    }

    fn save_draft(&mut self, id: &str) {
        let (Some(store), Some(draft)) = (self.store.clone(), self.drafts.get_mut(id)) else {
            return;
        };
        draft.save_due = None;
        let now = SystemTime::now();
        let edited = draft.is_edited();
        let file = draft.to_file(now);
        let id = id.to_string();
        self.spawn(format!("saving the draft of {id}"), async move {
            let r = tokio::task::spawn_blocking(move || {
                if edited {
                    store.save(&file)
                } else {
                    store.remove(&file.id)
                }
            })
            .await;
            let r = match r {
                Ok(Ok(())) => Ok(now),
                Ok(Err(e)) => Err(format!("the draft could not be saved: {e}")),
                Err(e) => Err(format!("the draft could not be saved: {e}")),
            };
            Msg::Saved(id, r)
        });
    }

    /// Applies finished tasks' results and due autosaves. Called before every frame.
    pub fn tick(&mut self, ctx: &egui::Context) {
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
            install_fonts(ctx);
        }
        while let Ok((job, msg)) = self.rx.try_recv() {
            self.jobs.remove(&job);
            self.apply(msg);
        }
        self.invalidations.tick(ctx);
        let draft = self
            .state
            .selected
            .as_ref()
            .and_then(|id| self.drafts.get(id))
            .map(|d| (d.id.as_str(), &d.config));
        self.preview.tick(ctx, draft);
        for n in std::mem::take(&mut self.invalidations.notices) {
            self.notice(n);
        }
        for e in std::mem::take(&mut self.invalidations.errors) {
            self.banner_error(e);
        }
        let now = Instant::now();
        let due: Vec<String> = self
            .drafts
            .values()
            .filter(|d| d.save_due.is_some_and(|t| t <= now))
            .map(|d| d.id.clone())
            .collect();
        for id in due {
            self.save_draft(&id);
        }
        if let Some(next) = self.drafts.values().filter_map(|d| d.save_due).min() {
            ctx.request_repaint_after(next.saturating_duration_since(now));
        }
    }

    fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Connected(Ok(b)) => {
                self.invalidations.set_plane(Some(b.plane.clone()));
                // A local workspace's folders named after an origin (the sample's `sample-site/`)
                // are that origin's default in the Preview tab.
                self.preview.workspace = b.key.strip_prefix("local:").map(PathBuf::from);
                self.store = Some(DraftStore::new(&self.options.data_dir, &b.key));
                self.backend = Some(b);
                self.refresh_list();
                if let Some(id) = self.state.selected.clone() {
                    self.load(&id);
                }
            }
            Msg::Connected(Err(e)) => {
                self.list.finish(Err(e.clone()));
                self.banner_error(e);
            }
            Msg::List(r) => {
                let first = self.list.value().is_none();
                if let Err(e) = &r {
                    self.banner_error(format!("The distribution list could not be loaded: {e}"));
                }
                let r = r.map(|(items, unreadable)| {
                    for u in unreadable {
                        self.banner_error(format!("A distribution in the workspace cannot be read: {u}"));
                    }
                    items
                });
                self.list.finish(r);
                if let Some(list) = self.list.value() {
                    // Follow whatever is deploying, so its status updates itself.
                    let deploying: Vec<String> = list
                        .iter()
                        .filter(|d| !is_deployed(&d.status))
                        .map(|d| d.id.clone())
                        .filter(|id| !self.following.contains_key(id))
                        .collect();
                    let known = self
                        .state
                        .selected
                        .as_ref()
                        .is_some_and(|s| list.iter().any(|d| &d.id == s));
                    let first_id = list.first().map(|d| d.id.clone());
                    for id in deploying {
                        self.follow(id);
                    }
                    if first && !known
                        && let Some(id) = first_id {
                            self.select(id);
                        }
                }
            }
            Msg::Loaded(id, r) => {
                if let Ok(rec) = &r {
                    self.on_record(rec.clone(), false);
                } else if let Err(e) = &r {
                    self.banner_error(format!("{id} could not be loaded: {e}"));
                }
                self.records.entry(id).or_insert(Remote::Idle).finish(r);
            }
            Msg::Published(id, Ok(rec)) => {
                self.notice(format!(
                    "Published {id}: deploying to the edge locations (status {})",
                    rec.distribution.status
                ));
                self.on_record(rec, true);
                self.follow(id);
            }
            Msg::Published(id, Err(e)) => self.banner_error(format!("{id} was not published: {e}")),
            Msg::Conflict(id, Ok(server)) => {
                self.dialog = Some(Dialog::Conflict {
                    id,
                    server: Box::new(server),
                });
            }
            Msg::Conflict(id, Err(e)) => self.banner_error(format!(
                "{id} was changed elsewhere since you opened it, and reading its new version failed: {e}"
            )),
            Msg::Status(id, status) => self.set_status(&id, &status),
            Msg::Deployed(id, r) => {
                self.following.remove(&id);
                match r {
                    Ok(rec) => {
                        let status = rec.distribution.status.clone();
                        self.set_status(&id, &status);
                        if let Some(slot) = self.records.get_mut(&id)
                            && let Some(v) = slot.value_mut() {
                                v.distribution.status = status;
                            }
                        if !self.deleting.contains_key(&id) {
                            self.notice(format!("{id} is deployed"));
                        }
                    }
                    Err(e) => self.banner_error(format!("following {id}'s deployment failed: {e}")),
                }
            }
            Msg::Created(Ok(rec)) => {
                let id = rec.distribution.id.clone();
                self.notice(format!("Created {id} ({})", rec.distribution.domain_name));
                self.on_record(rec, true);
                self.refresh_list();
                self.select(id.clone());
                self.follow(id);
            }
            Msg::Created(Err(e)) => self.banner_error(format!("The distribution was not created: {e}")),
            Msg::DeleteStep(id, step) => {
                self.deleting.insert(id, step);
            }
            Msg::Deleted(id, r) => {
                self.deleting.remove(&id);
                match r {
                    Ok(()) => {
                        self.notice(format!("Deleted {id}"));
                        self.drafts.remove(&id);
                        self.records.remove(&id);
                        if let Some(store) = &self.store {
                            let _ = store.remove(&id);
                        }
                        if self.state.selected.as_deref() == Some(&id) {
                            self.state.selected = None;
                        }
                        if let Some(list) = self.list.value_mut() {
                            list.retain(|d| d.id != id);
                        }
                        self.refresh_list();
                    }
                    Err(e) => self.banner_error(format!("{id} was not deleted: {e}")),
                }
            }
            Msg::Saved(id, r) => match r {
                Ok(at) => {
                    if let Some(d) = self.drafts.get_mut(&id) {
                        d.saved_at = Some(at);
                    }
                }
                Err(e) => self.banner_error(e),
            },
            Msg::Imported(Ok((path, doc))) => {
                let now = Instant::now();
                if let Some(d) = self.current_draft_mut() {
                    let mut config = doc.config;
                    // The distribution's identity stays; everything else comes from the file.
                    config.caller_reference = d.config.caller_reference.clone();
                    d.replace(config, now);
                    self.notice(format!("Imported {} into the draft (undo with Ctrl+Z)", path.display()));
                } else {
                    self.banner_error("Open a distribution first: an import replaces its draft");
                }
            }
            Msg::Imported(Err(e)) => self.banner_error(e),
            Msg::Exported(Ok((path, notes))) => {
                let mut m = format!("Exported to {}", path.display());
                for n in notes {
                    m.push_str(&format!("\n  note: {n}"));
                }
                self.notice(m);
            }
            Msg::Exported(Err(e)) => self.banner_error(e),
            Msg::Policies(kind, r) => {
                if let Err(e) = &r {
                    self.banner_error(format!("Custom {} policies could not be listed: {e}", kind_words(kind)));
                }
                self.policies.entry(kind).or_insert(Remote::Idle).finish(r);
                // The running preview resolves custom policies from what is listed now.
                if let Some(run) = &self.preview.running {
                    run.control()
                        .set_policies(super::preview::policy_set(&self.policies));
                    let _ = run.control().swap(run.config.clone());
                }
            }
            Msg::PolicySaved(Ok(p)) => {
                let kind = p.config.kind();
                self.notice(format!("Saved policy {} ({})", p.config.name(), p.id));
                self.view.policies.editing = None;
                self.command(Command::LoadPolicies(kind));
            }
            Msg::PolicySaved(Err(e)) => self.banner_error(format!("The policy was not saved: {e}")),
            Msg::Tags(id, r) => {
                if let Err(e) = &r {
                    self.banner_error(format!("The tags of {id} could not be read: {e}"));
                }
                self.tags.entry(id).or_insert(Remote::Idle).finish(r);
            }
            Msg::TagsSaved(id, r) => {
                match &r {
                    Ok(_) => self.notice(format!("Saved the tags of {id}")),
                    Err(e) => self.banner_error(format!("The tags of {id} were not saved: {e}")),
                }
                if r.is_ok() {
                    // The editor starts again from what the backend now has.
                    self.view.tags = None;
                }
                self.tags.entry(id).or_insert(Remote::Idle).finish(r);
            }
            Msg::WorkspacePicked(p) => {
                self.dialog = None;
                self.connect(BackendChoice::Local(Some(p)));
            }
            Msg::Cancelled => {}
        }
    }

    /// A record arrived: make or refresh its draft, and offer a saved draft back.
    fn on_record(&mut self, rec: DistributionRecord, published: bool) {
        let id = rec.distribution.id.clone();
        let status = rec.distribution.status.clone();
        let config = rec.distribution.distribution_config.clone();
        let now = Instant::now();
        match self.drafts.get_mut(&id) {
            Some(d) if published => {
                d.rebase(config, rec.etag.clone(), now);
            }
            Some(_) => {}
            None => {
                let d = Draft::new(id.clone(), config, rec.etag.clone());
                self.drafts.insert(id.clone(), d);
                if let Some(store) = &self.store {
                    match store.load(&id) {
                        Ok(Some(file)) if file.draft != rec.distribution.distribution_config => {
                            if self.state.selected.as_deref() == Some(&id) {
                                self.offered = Some(file);
                            }
                        }
                        Ok(_) => {}
                        Err(e) => self.banner_error(e),
                    }
                }
            }
        }
        self.set_status(&id, &status);
        if let Some(list) = self.list.value_mut()
            && let Some(row) = list.iter_mut().find(|d| d.id == id)
        {
            let c = &rec.distribution.distribution_config;
            row.enabled = c.enabled;
            row.comment = c.comment.clone();
            row.aliases = c
                .aliases
                .as_ref()
                .map(|a| a.items().to_vec())
                .unwrap_or_default();
        }
        self.records.insert(id, Remote::Ready(rec));
    }

    fn set_status(&mut self, id: &str, status: &str) {
        if let Some(list) = self.list.value_mut()
            && let Some(row) = list.iter_mut().find(|d| d.id == id)
        {
            row.status = status.to_string();
        }
    }

    fn run_commands(&mut self) {
        let commands = std::mem::take(&mut self.commands);
        for c in commands {
            self.run_command(c);
        }
    }

    fn run_command(&mut self, c: Command) {
        let now = Instant::now();
        match c {
            Command::Select(id) => self.select(id),
            Command::Refresh => {
                self.refresh_list();
                if let Some(id) = self.state.selected.clone() {
                    if !self.current_draft().is_some_and(Draft::is_edited) {
                        self.drafts.remove(&id);
                    }
                    self.load(&id);
                }
            }
            Command::Review => {
                if self.current_draft().is_some() {
                    self.dialog = Some(Dialog::Review);
                }
            }
            Command::Publish => self.publish(),
            Command::Discard => {
                if let Some(d) = self.current_draft_mut() {
                    let base = d.base.clone();
                    d.replace(base, now);
                }
            }
            Command::Undo => {
                if let Some(d) = self.current_draft_mut() {
                    d.undo(now);
                }
            }
            Command::Redo => {
                if let Some(d) = self.current_draft_mut() {
                    d.redo(now);
                }
            }
            Command::SaveNow => {
                if let Some(id) = self.state.selected.clone() {
                    self.save_draft(&id);
                }
            }
            Command::Focus(path) => {
                self.state.tab = Tab::of_path(&path);
                self.view.expand_for(&path);
                self.focus = Some(path);
            }
            Command::NewDialog => self.dialog = Some(Dialog::New(Default::default())),
            Command::Create(config) => {
                let Some(plane) = self.plane() else { return };
                self.dialog = None;
                self.spawn("creating a distribution", async move {
                    Msg::Created(
                        plane
                            .create_distribution(*config)
                            .await
                            .map_err(|e| e.to_string()),
                    )
                });
            }
            Command::Duplicate => {
                let Some(d) = self.current_draft() else {
                    return;
                };
                let mut config = d.config.clone();
                config.caller_reference = caller_reference();
                config.comment = format!("Copy of {}", d.id);
                // Alternate domain names belong to one distribution at a time (CNAMEAlreadyExists).
                if config.aliases.as_ref().is_some_and(|a| !a.is_empty()) {
                    config.aliases = Some(Default::default());
                    self.notice(
                        "The copy has no alternate domain names: each belongs to one distribution",
                    );
                }
                self.run_command(Command::Create(Box::new(config)));
            }
            Command::Delete(id) => self.delete(id),
            Command::Import => {
                let dialogs = self.options.dialogs.clone();
                self.spawn("importing", async move {
                    let Some(path) = dialogs
                        .open_file(
                            "Import a distribution configuration",
                            &[("JSON", &["json"])],
                        )
                        .await
                    else {
                        return Msg::Cancelled;
                    };
                    let r = tokio::fs::read_to_string(&path)
                        .await
                        .map_err(|e| format!("{} cannot be read: {e}", path.display()))
                        .and_then(|t| {
                            Document::from_json(&t).map_err(|e| format!("{}: {e}", path.display()))
                        })
                        .map(|d| (path, d));
                    Msg::Imported(r)
                });
            }
            Command::Export(format, include_secrets) => {
                let Some(d) = self.current_draft() else {
                    return;
                };
                let doc = Document {
                    config: d.config.clone(),
                    etag: Some(d.etag.clone()),
                    distribution: None,
                    location: None,
                    form: Form::GetDistributionConfig,
                };
                let name = format!(
                    "{}.{}",
                    d.id,
                    match format {
                        ExportFormat::CliJson => "json",
                        ExportFormat::CloudFormation => "cfn.json",
                        ExportFormat::Terraform => "tf",
                    }
                );
                let out = match cfconsole_model::export(
                    &doc,
                    format,
                    &ExportOptions {
                        include_secrets,
                        ..Default::default()
                    },
                ) {
                    Ok(out) => out,
                    Err(e) => return self.banner_error(e.to_string()),
                };
                let dialogs = self.options.dialogs.clone();
                self.spawn("exporting", async move {
                    let Some(path) = dialogs.save_file("Export the draft", &name).await else {
                        return Msg::Cancelled;
                    };
                    let mut notes = out.notes;
                    if !out.redacted.is_empty() {
                        notes.push(format!(
                            "{} custom header value(s) withheld (export with secrets to include them)",
                            out.redacted.len()
                        ));
                    }
                    let r = tokio::fs::write(&path, out.text)
                        .await
                        .map(|()| (path.clone(), notes))
                        .map_err(|e| format!("{} cannot be written: {e}", path.display()));
                    Msg::Exported(r)
                });
            }
            Command::Connect(choice) => {
                self.dialog = None;
                self.connect(choice);
            }
            Command::ChooseWorkspace => {
                let dialogs = self.options.dialogs.clone();
                self.spawn("choosing a workspace", async move {
                    match dialogs.pick_folder("Choose a workspace folder").await {
                        Some(p) => Msg::WorkspacePicked(p),
                        None => Msg::Cancelled,
                    }
                });
            }
            Command::RestoreDraft => {
                if let Some(file) = self.offered.take() {
                    let id = file.id.clone();
                    let mut d = Draft::restored(file);
                    if let Some(Remote::Ready(rec)) = self.records.get(&id) {
                        // Publishing must send the ETag the draft was started from: if the
                        // server moved on since, the conflict dialog explains it.
                        d.set_base(rec.distribution.distribution_config.clone());
                        if d.etag != rec.etag {
                            self.notice(format!(
                                "{id} changed on the server since this draft was saved: publishing will show what changed"
                            ));
                        }
                    }
                    d.save_due = Some(now);
                    self.drafts.insert(id, d);
                }
            }
            Command::DropSavedDraft => {
                if let (Some(file), Some(store)) = (self.offered.take(), &self.store) {
                    let _ = store.remove(&file.id);
                }
            }
            Command::Reapply => {
                let Some(Dialog::Conflict { id, server }) = self.dialog.take() else {
                    return;
                };
                let Some(d) = self.drafts.get_mut(&id) else {
                    return;
                };
                match super::merge::reapply(
                    &d.base,
                    &d.config,
                    &server.distribution.distribution_config,
                ) {
                    Ok(m) => {
                        d.rebase(
                            server.distribution.distribution_config.clone(),
                            server.etag.clone(),
                            now,
                        );
                        d.replace(m.config, now);
                        let msg = if m.conflicts.is_empty() {
                            format!(
                                "Your edits were re-applied on {id}'s new version: review and publish"
                            )
                        } else {
                            format!(
                                "Your edits were re-applied on {id}'s new version; where both changed the same setting your value was kept: {}",
                                m.conflicts.join(", ")
                            )
                        };
                        self.notice(msg);
                        self.dialog = Some(Dialog::Review);
                    }
                    Err(e) => self.banner_error(format!("Your edits could not be re-applied: {e}")),
                }
            }
            Command::LoadTags(id) => {
                let Some(plane) = self.plane() else { return };
                let slot = self.tags.entry(id.clone()).or_insert(Remote::Idle);
                if slot.is_pending() {
                    return;
                }
                slot.start();
                self.spawn(format!("reading the tags of {id}"), async move {
                    let r = plane.list_tags(&id).await.map_err(|e| e.to_string());
                    Msg::Tags(id, r)
                });
            }
            Command::SaveTags(id, tags) => {
                let Some(plane) = self.plane() else { return };
                self.tags.entry(id.clone()).or_insert(Remote::Idle).start();
                self.spawn(format!("saving the tags of {id}"), async move {
                    let r = match plane.set_tags(&id, tags).await {
                        Ok(()) => plane.list_tags(&id).await,
                        Err(e) => Err(e),
                    };
                    Msg::TagsSaved(id, r.map_err(|e| e.to_string()))
                });
            }
            Command::LoadPolicies(kind) => {
                let Some(plane) = self.plane() else { return };
                self.policies.entry(kind).or_insert(Remote::Idle).start();
                self.spawn(
                    format!("listing {} policies", kind_words(kind)),
                    async move {
                        Msg::Policies(
                            kind,
                            plane.list_policies(kind).await.map_err(|e| e.to_string()),
                        )
                    },
                );
            }
            Command::SavePolicy(existing, config) => {
                let Some(plane) = self.plane() else { return };
                self.spawn("saving a policy", async move {
                    let r = match existing {
                        Some((id, etag)) => plane.update_policy(&id, *config, &etag).await,
                        None => plane.create_policy(*config).await,
                    };
                    Msg::PolicySaved(r.map_err(|e| e.to_string()))
                });
            }
        }
    }

    fn delete(&mut self, id: String) {
        let Some(plane) = self.plane() else { return };
        self.dialog = None;
        let schedule = self.options.schedule;
        let progress = self.progress();
        self.deleting
            .insert(id.clone(), "step 1 of 3: disabling".into());
        let cancel = CancelToken::new();
        self.spawn(format!("deleting {id}"), async move {
            let r = async {
                let mut rec = plane.get_distribution(&id).await?;
                if rec.distribution.distribution_config.enabled {
                    let mut c = rec.distribution.distribution_config.clone();
                    c.enabled = false;
                    rec = plane.update_distribution(&id, c, &rec.etag).await?;
                    progress(Msg::Status(id.clone(), rec.distribution.status.clone()));
                }
                progress(Msg::DeleteStep(
                    id.clone(),
                    "step 2 of 3: waiting for Deployed".into(),
                ));
                let p2 = progress.clone();
                let pid = id.clone();
                let done = poll::wait_deployed(plane.as_ref(), &id, schedule, &cancel, move |e| {
                    if let Event::Status(s) = e {
                        p2(Msg::Status(pid.clone(), s));
                    }
                })
                .await?;
                if let Followed::Done(r) = done {
                    rec = r;
                }
                progress(Msg::Status(id.clone(), rec.distribution.status.clone()));
                progress(Msg::DeleteStep(id.clone(), "step 3 of 3: deleting".into()));
                plane.delete_distribution(&id, &rec.etag).await
            }
            .await;
            Msg::Deleted(id, r.map_err(|e| e.to_string()))
        });
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let cmd = Modifiers::COMMAND;
        let sc = |m: Modifiers, k: Key| KeyboardShortcut::new(m, k);
        let fire = |s: KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(&s));
        // Redo before undo: Ctrl+Shift+Z also matches Ctrl+Z's logical shortcut.
        if fire(sc(cmd | Modifiers::SHIFT, Key::Z)) || fire(sc(cmd, Key::Y)) {
            self.command(Command::Redo);
        }
        if fire(sc(cmd, Key::Z)) {
            self.command(Command::Undo);
        }
        if fire(sc(cmd, Key::S)) {
            self.command(Command::SaveNow);
        }
        if fire(sc(cmd, Key::Enter)) {
            self.command(Command::Review);
        }
        if fire(sc(Modifiers::NONE, Key::F5)) {
            self.command(Command::Refresh);
        }
        if fire(sc(cmd, Key::N)) {
            self.command(Command::NewDialog);
        }
        if fire(sc(cmd, Key::O)) {
            self.command(Command::Import);
        }
        if fire(sc(cmd, Key::F)) {
            self.view.focus_filter = true;
        }
        if fire(sc(cmd, Key::Q)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// Draws the whole window (what `eframe::App::ui` calls; tests call it directly).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.tick(&ctx);
        self.shortcuts(&ctx);
        self.frames += 1;

        egui::Panel::top("top").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        egui::Panel::left("list")
            .resizable(true)
            .default_size(300.0)
            .min_size(220.0)
            .show(ui, |ui| self.distribution_list(ui));
        egui::CentralPanel::default().show(ui, |ui| self.main(ui));
        self.dialogs(&ctx);

        // Edits made during this frame become one undo step each.
        self.run_commands();

        if !self.first_frame_reported {
            self.first_frame_reported = true;
            if self.options.report_first_frame
                && let Some(s) = self.started
            {
                eprintln!("first frame after {} ms", s.elapsed().as_millis());
            }
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("cfconsole");
            ui.separator();
            let label = match &self.state.backend {
                BackendChoice::Local(p) => format!(
                    "Backend: Local workspace ({})",
                    p.as_deref()
                        .map(folder_name)
                        .unwrap_or_else(|| "default".into())
                ),
                BackendChoice::Aws {
                    profile,
                    region,
                    endpoint_url,
                } => format!(
                    "Backend: AWS ({}{}{})",
                    profile.as_deref().unwrap_or("default profile"),
                    region
                        .as_ref()
                        .map(|r| format!(", {r}"))
                        .unwrap_or_default(),
                    endpoint_url
                        .as_ref()
                        .map(|u| format!(", {u}"))
                        .unwrap_or_default()
                ),
            };
            if ui
                .button(label)
                .on_hover_text("Choose the backend: a local workspace or AWS")
                .clicked()
            {
                self.dialog = Some(Dialog::Backend(tabs::backend::BackendForm::from_choice(
                    &self.state.backend,
                )));
            }
            if ui
                .button("Refresh")
                .on_hover_text("Reload the list and the open distribution (F5)")
                .clicked()
            {
                self.command(Command::Refresh);
            }
            ui.separator();
            if ui
                .button("New distribution…")
                .on_hover_text("From a template (Ctrl+N)")
                .clicked()
            {
                self.command(Command::NewDialog);
            }
            let open = self.current_draft().is_some();
            if ui
                .add_enabled(open, egui::Button::new("Duplicate"))
                .clicked()
            {
                self.command(Command::Duplicate);
            }
            if ui
                .add_enabled(open, egui::Button::new("Import…"))
                .on_hover_text("Replace the draft with a file's configuration (Ctrl+O)")
                .clicked()
            {
                self.command(Command::Import);
            }
            ui.add_enabled_ui(open, |ui| {
                ui.menu_button("Export", |ui| {
                    for (label, f) in [
                        ("AWS CLI JSON…", ExportFormat::CliJson),
                        ("CloudFormation…", ExportFormat::CloudFormation),
                        ("Terraform…", ExportFormat::Terraform),
                    ] {
                        if ui.button(label).clicked() {
                            self.command(Command::Export(f, false));
                        }
                    }
                    ui.separator();
                    if ui
                        .button("AWS CLI JSON with secrets…")
                        .on_hover_text("Includes origin custom header values")
                        .clicked()
                    {
                        self.command(Command::Export(ExportFormat::CliJson, true));
                    }
                });
            });
            let selected = self.state.selected.clone();
            if let Some(id) = selected
                && ui
                    .add_enabled(
                        !self.deleting.contains_key(&id),
                        egui::Button::new("Delete…"),
                    )
                    .clicked()
            {
                self.dialog = Some(Dialog::ConfirmDelete(id));
            }
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let backend = self
                .backend
                .as_ref()
                .map(|b| b.label.clone())
                .unwrap_or_else(|| "not connected".into());
            ui.label(backend);
            ui.separator();
            match self.current_draft() {
                Some(d) => {
                    let (e, w) = d.counts();
                    let state = if d.is_edited() {
                        format!(
                            "draft: edited ({} change{})",
                            d.changes().len(),
                            plural(d.changes().len())
                        )
                    } else {
                        "draft: clean".to_string()
                    };
                    ui.label(state);
                    ui.colored_label(
                        if e > 0 {
                            ERROR
                        } else {
                            ui.visuals().text_color()
                        },
                        format!("{e} error{}", plural(e)),
                    );
                    ui.colored_label(
                        if w > 0 {
                            WARNING
                        } else {
                            ui.visuals().text_color()
                        },
                        format!("{w} warning{}", plural(w)),
                    );
                    if let Some(at) = d.saved_at {
                        ui.label(format!("saved {}", widgets::clock_time(at)));
                    }
                }
                None => {
                    ui.label("no distribution open");
                }
            }
            for (id, step) in &self.deleting {
                ui.separator();
                ui.label(format!("deleting {id}: {step}"));
            }
            if let Some((what, since)) = self.jobs.values().last() {
                ui.separator();
                ui.spinner();
                let more = self.jobs.len() - 1;
                ui.label(format!(
                    "{what}… {}s{}",
                    since.elapsed().as_secs(),
                    if more > 0 {
                        format!(" (+{more} more)")
                    } else {
                        String::new()
                    }
                ));
            }
        });
    }

    fn distribution_list(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        let l = ui.label("Filter");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("id, domain, alias, comment")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        if std::mem::take(&mut self.view.focus_filter) {
            r.request_focus();
        }
        ui.add_space(4.0);
        if let Remote::Failed { error, .. } = &self.list {
            ui.colored_label(ERROR, format!("Error: {error}"));
            if ui.button("Retry").clicked() {
                self.command(Command::Refresh);
            }
        }
        if self.list.is_pending() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading distributions…");
            });
        }
        let Some(list) = self.list.value() else {
            return;
        };
        let needle = self.filter.to_lowercase();
        let mut clicked = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            for d in list.iter().filter(|d| matches_filter(d, &needle)) {
                let selected = self.state.selected.as_deref() == Some(&d.id);
                let edited = self.drafts.get(&d.id).is_some_and(Draft::is_edited);
                let r = ui
                    .scope(|ui| {
                        let r = ui.selectable_label(
                            selected,
                            RichText::new(format!(
                                "{}{}",
                                d.id,
                                if edited { "  (edited)" } else { "" }
                            ))
                            .monospace()
                            .strong(),
                        );
                        ui.indent(&d.id, |ui| {
                            ui.label(RichText::new(&d.domain_name).small());
                            if !d.aliases.is_empty() {
                                ui.label(RichText::new(d.aliases.join(", ")).small());
                            }
                            ui.horizontal(|ui| {
                                widgets::status_chip(ui, &d.status);
                                ui.label(if d.enabled { "enabled" } else { "disabled" });
                            });
                            if !d.comment.is_empty() {
                                ui.label(RichText::new(&d.comment).small().weak());
                            }
                        });
                        r
                    })
                    .inner;
                if r.clicked() {
                    clicked = Some(d.id.clone());
                }
                ui.separator();
            }
        });
        if let Some(id) = clicked {
            self.command(Command::Select(id));
        }
    }

    fn main(&mut self, ui: &mut egui::Ui) {
        let mut close = None;
        for (i, (err, msg)) in self.banners.iter().enumerate() {
            let color = if *err { ERROR } else { OK };
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(1.0, color))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.colored_label(color, if *err { "Error:" } else { "Note:" });
                        ui.add(egui::Label::new(msg).wrap());
                        if ui.small_button("Dismiss").clicked() {
                            close = Some(i);
                        }
                    });
                });
        }
        if let Some(i) = close {
            self.banners.remove(i);
        }
        let Some(id) = self.state.selected.clone() else {
            ui.centered_and_justified(|ui| {
                ui.label("Choose a distribution on the left, or create one (New distribution…)")
            });
            return;
        };
        if let Some(file) = &self.offered {
            let when = widgets::clock_time(
                std::time::UNIX_EPOCH + Duration::from_millis(file.saved_at_ms),
            );
            let n = cfconsole_model::diff::diff(&file.base, &file.draft).len();
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(1.0, WARNING))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(format!(
                            "A draft of {id} saved at {when} with {n} change{} was found.",
                            plural(n)
                        ));
                        if ui.button("Restore draft").clicked() {
                            self.command(Command::RestoreDraft);
                        }
                        if ui.button("Discard saved draft").clicked() {
                            self.command(Command::DropSavedDraft);
                        }
                    });
                });
        }
        let record = self.records.get(&id).and_then(|r| r.value()).cloned();
        let Some(draft) = self.drafts.get_mut(&id) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Loading {id}…"));
            });
            return;
        };
        // Header: identity and state of the open distribution.
        ui.horizontal(|ui| {
            ui.label(RichText::new(&id).monospace().strong().size(16.0));
            if let Some(rec) = &record {
                ui.label(RichText::new(&rec.distribution.domain_name).monospace());
                widgets::status_chip(ui, &rec.distribution.status);
            }
            ui.label(if draft.config.enabled {
                "(enabled)"
            } else {
                "(disabled)"
            });
            if draft.is_edited() {
                ui.colored_label(WARNING, "Draft differs from what is deployed");
            }
        });
        // Tabs with their finding counts.
        ui.horizontal_wrapped(|ui| {
            for tab in Tab::ALL {
                let (e, w) = super::draft::count(
                    draft
                        .findings()
                        .iter()
                        .filter(|f| Tab::of_path(&f.path) == tab),
                );
                let mut text = tab.to_string();
                if e > 0 {
                    text.push_str(&format!(" ({e} error{})", plural(e)));
                } else if w > 0 {
                    text.push_str(&format!(" ({w} warning{})", plural(w)));
                }
                let mut rt = RichText::new(text);
                if e > 0 {
                    rt = rt.color(ERROR);
                } else if w > 0 {
                    rt = rt.color(WARNING);
                }
                if ui.selectable_label(self.state.tab == tab, rt).clicked() {
                    self.state.tab = tab;
                }
            }
        });
        ui.separator();
        // Actions.
        let (errors, _) = draft.counts();
        let n = if draft.is_edited() {
            draft.changes().len()
        } else {
            0
        };
        let mut commands = Vec::new();
        egui::Panel::bottom("actions").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(draft.can_undo(), egui::Button::new("Undo"))
                    .on_hover_text("Ctrl+Z")
                    .clicked()
                {
                    commands.push(Command::Undo);
                }
                if ui
                    .add_enabled(draft.can_redo(), egui::Button::new("Redo"))
                    .on_hover_text("Ctrl+Shift+Z")
                    .clicked()
                {
                    commands.push(Command::Redo);
                }
                ui.separator();
                if ui
                    .add_enabled(n > 0, egui::Button::new("Discard draft"))
                    .clicked()
                {
                    commands.push(Command::Discard);
                }
                if ui
                    .add_enabled(n > 0, egui::Button::new(format!("Review changes ({n})")))
                    .on_hover_text("Ctrl+Enter")
                    .clicked()
                {
                    commands.push(Command::Review);
                }
                let publish = ui
                    .add_enabled(n > 0 && errors == 0, egui::Button::new("Publish"))
                    .on_disabled_hover_text(if errors > 0 {
                        format!("Fix the {errors} error{} first", plural(errors))
                    } else {
                        "Nothing changed".into()
                    });
                if publish.clicked() {
                    commands.push(Command::Publish);
                }
            });
            ui.add_space(4.0);
        });
        let mut form = FormCtx {
            checks: &draft.checks,
            focus: &mut self.focus,
            edited: None,
            revealed: &mut self.revealed,
            command: None,
        };
        let tab = self.state.tab;
        let policies = &self.policies;
        // Invalidations act on what is deployed, not on the draft: no draft findings beside them.
        // The Preview tab says itself when the draft's errors keep it on the last valid version.
        if tab != Tab::Invalidations && tab != Tab::Preview {
            egui::Panel::right("findings")
                .resizable(true)
                .default_size(260.0)
                .show(ui, |ui| {
                    if let Some(c) = widgets::findings_column(ui, draft.checks.all(), tab) {
                        commands.push(c);
                    }
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    if tab == Tab::Invalidations {
                        // The behavior check uses what is deployed, which is what is invalidated.
                        let config = record
                            .as_ref()
                            .map(|r| &r.distribution.distribution_config)
                            .unwrap_or(&draft.config);
                        let preview = self.preview.cache_for(&id);
                        self.invalidations.show(ui, &id, config, preview);
                    } else if tab == Tab::Preview {
                        let domain = record
                            .as_ref()
                            .map(|r| r.distribution.domain_name.clone())
                            .unwrap_or_else(|| format!("{}.cloudfront.net", id.to_lowercase()));
                        // Custom policies the draft may name: listed once, for the preview.
                        for kind in cfconsole_control::PolicyKind::ALL {
                            if policies
                                .get(&kind)
                                .is_none_or(|r| matches!(r, Remote::Idle))
                            {
                                commands.push(Command::LoadPolicies(kind));
                            }
                        }
                        self.preview.show(ui, &id, &domain, &draft.config, policies);
                    } else if tab == Tab::Tags {
                        tabs::tags::show(
                            ui,
                            &id,
                            self.tags.get(&id),
                            &mut self.view.tags,
                            &mut commands,
                        );
                    } else {
                        tabs::show(
                            tab,
                            ui,
                            &mut draft.config,
                            &mut form,
                            &mut self.view,
                            policies,
                        );
                    }
                });
        });
        let edited = form.edited.take();
        if let Some(c) = form.command.take() {
            commands.push(c);
        }
        if let Some(field) = edited {
            draft.commit(&field, Instant::now());
        }
        self.commands.extend(commands);
    }

    fn dialogs(&mut self, ctx: &egui::Context) {
        let Some(dialog) = self.dialog.clone() else {
            return;
        };
        let mut open = true;
        let mut commands = Vec::new();
        match dialog {
            Dialog::Review => {
                let Some(d) = self.current_draft() else {
                    self.dialog = None;
                    return;
                };
                let changes = d.changes();
                let (errors, _) = d.counts();
                egui::Window::new("Review changes")
                    .collapsible(false)
                    .resizable(true)
                    .default_size([640.0, 420.0])
                    .open(&mut open)
                    .show(ctx, |ui| {
                        ui.label(format!(
                            "{} change{} to {} against what the backend has (ETag {}):",
                            changes.len(),
                            plural(changes.len()),
                            d.id,
                            d.etag
                        ));
                        egui::ScrollArea::vertical()
                            .max_height(320.0)
                            .show(ui, |ui| {
                                if let Some(c) = widgets::change_list(ui, changes) {
                                    commands.push(c);
                                }
                            });
                        ui.separator();
                        ui.horizontal(|ui| {
                            if errors > 0 {
                                ui.colored_label(
                                    ERROR,
                                    format!(
                                        "{errors} error{} must be fixed before publishing",
                                        plural(errors)
                                    ),
                                );
                            }
                            if ui
                                .add_enabled(
                                    errors == 0 && !changes.is_empty(),
                                    egui::Button::new("Publish these changes"),
                                )
                                .clicked()
                            {
                                commands.push(Command::Publish);
                            }
                        });
                    });
            }
            Dialog::Conflict { id, server } => {
                let Some(d) = self.drafts.get(&id) else {
                    self.dialog = None;
                    return;
                };
                let theirs =
                    cfconsole_model::diff::diff(&d.base, &server.distribution.distribution_config);
                let ours = d.changes();
                let mut keep = false;
                egui::Window::new("Changed elsewhere")
                    .collapsible(false)
                    .default_size([680.0, 480.0])
                    .open(&mut open)
                    .show(ctx, |ui| {
                        ui.label(format!(
                            "{id} was changed elsewhere since you opened it (ETag {} -> {}). Nothing was overwritten.",
                            d.etag, server.etag
                        ));
                        ui.add_space(6.0);
                        ui.label(RichText::new("Their changes").strong());
                        egui::ScrollArea::vertical().id_salt("theirs").max_height(150.0).show(ui, |ui| {
                            widgets::change_list(ui, &theirs);
                        });
                        ui.label(RichText::new("Your draft").strong());
                        egui::ScrollArea::vertical().id_salt("ours").max_height(150.0).show(ui, |ui| {
                            widgets::change_list(ui, ours);
                        });
                        ui.separator();
                        ui.horizontal(|ui| {
                            if ui.button("Reload and re-apply my edits").clicked() {
                                commands.push(Command::Reapply);
                            }
                            if ui.button("Keep my draft").clicked() {
                                keep = true;
                            }
                        });
                    });
                if keep {
                    open = false;
                }
            }
            Dialog::New(mut f) => {
                let c = tabs::new_dist::show(ctx, &mut f, &mut open);
                if let Some(c) = c {
                    commands.push(c);
                } else if open {
                    self.dialog = Some(Dialog::New(f));
                }
            }
            Dialog::Backend(mut f) => {
                let c = tabs::backend::show(ctx, &mut f, &mut open, &self.state);
                if let Some(c) = c {
                    commands.push(c);
                } else if open {
                    self.dialog = Some(Dialog::Backend(f));
                }
            }
            Dialog::ConfirmDelete(id) => {
                egui::Window::new("Delete distribution")
                    .collapsible(false)
                    .open(&mut open)
                    .show(ctx, |ui| {
                        ui.label(format!(
                            "Deleting {id} takes three steps: disable it, wait until the change is deployed (minutes on AWS), then delete it. It cannot be undone."
                        ));
                        if ui.button(format!("Disable and delete {id}")).clicked() {
                            commands.push(Command::Delete(id.clone()));
                        }
                    });
            }
        }
        if !open {
            self.dialog = None;
        }
        self.commands.extend(commands);
    }
}

impl eframe::App for ConsoleApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
        // Drafts have their own files; write any that is due now rather than lose it.
        let ids: Vec<String> = self
            .drafts
            .values()
            .filter(|d| d.save_due.is_some())
            .map(|d| d.id.clone())
            .collect();
        for id in ids {
            if let (Some(store), Some(d)) = (&self.store, self.drafts.get_mut(&id)) {
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

/// egui's fonts, with Hack (already built in, for monospace) as a fallback for proportional
/// text too: it has the arrows and marks the model's messages use (`→`, `●`, `›`), which
/// Ubuntu-Light lacks.
fn install_fonts(ctx: &egui::Context) {
    let mut defs = egui::FontDefinitions::default();
    if let Some(p) = defs.families.get_mut(&egui::FontFamily::Proportional) {
        p.push("Hack".to_owned());
    }
    ctx.set_fonts(defs);
}

async fn open_backend(choice: BackendChoice, timings: Option<Timings>) -> Result<Backend, String> {
    match choice {
        BackendChoice::Local(path) => {
            let root = match path {
                Some(p) => p,
                None => LocalWorkspace::default_root()
                    .ok_or("there is no home folder for the default workspace: choose a folder")?,
            };
            let key = format!("local:{}", root.display());
            let label = format!("Local workspace {}", folder_name(&root));
            let ws = tokio::task::spawn_blocking(move || {
                LocalWorkspace::open_with(root, Arc::new(SystemClock), timings.unwrap_or_default())
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            Ok(Backend {
                plane: Arc::new(ws),
                label,
                key,
            })
        }
        BackendChoice::Aws {
            profile,
            region,
            endpoint_url,
        } => {
            let key = format!(
                "aws:{}:{}",
                profile.as_deref().unwrap_or("default"),
                endpoint_url.as_deref().unwrap_or("aws")
            );
            let aws = Aws::connect(AwsOptions {
                profile,
                region,
                endpoint_url,
            })
            .await;
            let label = aws.describe();
            Ok(Backend {
                plane: Arc::new(aws),
                label,
                key,
            })
        }
    }
}

/// A folder's last component, for labels (the whole path is in the backend dialog).
fn folder_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn matches_filter(d: &DistributionListItem, needle: &str) -> bool {
    needle.is_empty()
        || d.id.to_lowercase().contains(needle)
        || d.domain_name.to_lowercase().contains(needle)
        || d.comment.to_lowercase().contains(needle)
        || d.aliases.iter().any(|a| a.to_lowercase().contains(needle))
}

/// `s` for counts other than one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn kind_words(k: PolicyKind) -> &'static str {
    match k {
        PolicyKind::Cache => "cache",
        PolicyKind::OriginRequest => "origin request",
        PolicyKind::ResponseHeaders => "response headers",
    }
}

/// A fresh caller reference for a create.
pub fn caller_reference() -> String {
    let ms = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("cfconsole-{ms}")
}
