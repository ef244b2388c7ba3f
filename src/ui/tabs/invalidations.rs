//! The Invalidations tab: paths linted as they are typed, with the fix one click away; counts,
//! cost and CloudFront's in-progress limits in view; a dry run against the running preview;
//! submission through the control plane's queue; and the distribution's history, whose
//! statuses move from InProgress to Completed by themselves through the control plane's poller.
//!
//! The panel owns its tasks and their channel, so the app only calls [`Invalidations::tick`]
//! before a frame and [`Invalidations::show`] inside the tab.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use cfconsole_control::poll::{self, CancelToken, Event as PollEvent, Followed, Schedule};
use cfconsole_control::queue::{self, QueueEvent, QueueOptions};
use cfconsole_control::{ControlPlane, is_completed};
use cfconsole_model::invalidation::{
    self, FREE_PATHS_PER_MONTH, InvalidationPath, MAX_INDIVIDUAL_IN_PROGRESS,
    MAX_WILDCARD_IN_PROGRESS, PathCounts,
};
use cfconsole_model::{DistributionConfig, Finding, Invalidation, Severity};
use eframe::egui::{self, RichText, Ui};

use crate::backend::caller_reference;
use crate::ui::command::{Command, Commands};
use crate::ui::remote::Remote;
use crate::ui::style::{ERROR, OK, WARNING, plural};
use crate::ui::task::{Jobs, Tasks};

/// History rows per page.
pub const PAGE: usize = 20;
/// Newest invalidations whose path lists are read with the history (the rest when opened).
const DETAILS_WITH_HISTORY: usize = 200;

/// One invalidation of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `I2J0I21PCUYOIK`.
    pub id: String,
    /// `InProgress` or `Completed`.
    pub status: String,
    /// ISO 8601, as CloudFront writes it.
    pub create_time: String,
    /// The paths, once read.
    pub paths: Option<Vec<String>>,
    /// The caller reference, once read.
    pub caller_reference: Option<String>,
}

impl Row {
    fn from_invalidation(i: &Invalidation) -> Self {
        Self {
            id: i.id.clone(),
            status: i.status.clone(),
            create_time: i.create_time.clone(),
            paths: Some(i.invalidation_batch.paths.items.clone().unwrap_or_default()),
            caller_reference: Some(i.invalidation_batch.caller_reference.clone()),
        }
    }
}

/// A batch of the last submission, as the queue reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchState {
    /// Not sent yet.
    Queued,
    /// CloudFront's in-progress limits are full; the queue tries again.
    Waiting(Duration),
    /// Accepted: the invalidation id.
    Submitted(String),
    /// The invalidation completed.
    Completed(String),
}

/// A batch of the last submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Paths in it.
    pub paths: usize,
    /// Where it is.
    pub state: BatchState,
}

enum Msg {
    History(String, Result<Vec<Row>, String>),
    Details(String, Result<Invalidation, String>),
    Month(Result<u64, String>),
    Queue(String, QueueEvent),
    QueueDone(String, Result<(), String>),
    Status(String, String, String),
    Completed(String, Invalidation),
    PollFailed(String, String),
    Preview(Result<usize, String>),
    /// A poller stopped because it was told to.
    Stopped,
}

/// What a running preview offers this tab: its cache, to dry-run and clear.
pub trait PreviewCache {
    /// The distribution the preview serves.
    fn distribution(&self) -> &str;
    /// Cached objects as (path, query).
    fn cached(&self) -> Vec<(String, Option<String>)>;
    /// Removes what `paths` match, as CloudFront would (spec I-3, I-7); the count removed.
    fn invalidate(
        &self,
        paths: Vec<String>,
        caller: String,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<usize, String>> + Send>>;
}

/// The tab's state.
pub struct Invalidations {
    tasks: Tasks<Msg>,
    schedule: Schedule,
    plane: Option<Arc<dyn ControlPlane>>,
    dist: Option<String>,
    /// The path editor: one path per line.
    pub text: String,
    /// The history of the open distribution, newest first.
    pub history: Remote<Vec<Row>>,
    /// Paths submitted this month over the account (the free tier is per account).
    pub month: Remote<u64>,
    /// The batches of the last submission.
    pub queue: Vec<Batch>,
    submitting: Option<CancelToken>,
    pollers: HashMap<String, CancelToken>,
    /// The history search (by path).
    pub search: String,
    /// The history page shown (0-based).
    pub page: usize,
    /// The invalidation whose details are open.
    pub open: Option<String>,
    /// Notices for the window's banner (completions), taken by the app.
    pub notices: Vec<String>,
    /// Errors for the window's banner, taken by the app.
    pub errors: Vec<String>,
    dry_run: Option<(String, Instant, Vec<Vec<String>>)>,
    /// The open distribution's follower: a background task that reads its history on the poll
    /// schedule's longest interval and reports only a change, so invalidations made elsewhere
    /// (the CLI, CI, a colleague) appear by themselves and an idle window stays idle. It stops
    /// when this moves on (another distribution, another backend).
    followed: Arc<std::sync::atomic::AtomicU64>,
}

impl Invalidations {
    /// A panel whose tasks run on `rt` and poll with `schedule`.
    pub fn new(rt: tokio::runtime::Handle, jobs: Jobs, schedule: Schedule) -> Self {
        Self {
            tasks: Tasks::new(rt, jobs),
            schedule,
            plane: None,
            dist: None,
            text: String::new(),
            history: Remote::Idle,
            month: Remote::Idle,
            queue: Vec::new(),
            submitting: None,
            pollers: HashMap::new(),
            search: String::new(),
            page: 0,
            open: None,
            notices: Vec::new(),
            errors: Vec::new(),
            dry_run: None,
            followed: Arc::default(),
        }
    }

    /// Uses `plane` from now on (None: disconnected). Everything of the previous backend is
    /// dropped and its pollers stop.
    pub fn set_plane(&mut self, plane: Option<Arc<dyn ControlPlane>>) {
        self.stop();
        self.plane = plane;
        self.dist = None;
        self.history = Remote::Idle;
        self.month = Remote::Idle;
        self.queue.clear();
    }

    fn stop(&mut self) {
        self.followed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for (_, c) in self.pollers.drain() {
            c.cancel();
        }
        if let Some(c) = self.submitting.take() {
            c.cancel();
        }
    }

    /// Opens `dist`'s history (a no-op when it is already open).
    pub fn open_distribution(&mut self, dist: &str) {
        if self.dist.as_deref() == Some(dist) {
            return;
        }
        self.stop();
        self.dist = Some(dist.to_string());
        self.history = Remote::Idle;
        self.queue.clear();
        self.page = 0;
        self.open = None;
        self.dry_run = None;
        self.refresh();
        self.follow_account();
    }

    /// Starts the open distribution's follower (see `followed`).
    fn follow_account(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        let (Some(plane), Some(dist)) = (self.plane.clone(), self.dist.clone()) else {
            return;
        };
        let generation = self.followed.fetch_add(1, Relaxed) + 1;
        let current = self.followed.clone();
        let every = self.schedule.max;
        let send = self.tasks.progress();
        self.tasks.detach(async move {
            let seen_of = |rows: &[Row]| -> Vec<(String, String)> {
                rows.iter()
                    .map(|r| (r.id.clone(), r.status.clone()))
                    .collect()
            };
            let mut seen = read_history(plane.as_ref(), &dist)
                .await
                .ok()
                .map(|rows| seen_of(&rows));
            loop {
                tokio::time::sleep(every).await;
                if current.load(Relaxed) != generation {
                    return;
                }
                let Ok(rows) = read_history(plane.as_ref(), &dist).await else {
                    continue;
                };
                let now = seen_of(&rows);
                if seen.as_ref() != Some(&now) && current.load(Relaxed) == generation {
                    seen = Some(now);
                    send(Msg::History(dist.clone(), Ok(rows)));
                }
            }
        });
    }

    /// Reads the history and this month's count again.
    pub fn refresh(&mut self) {
        let (Some(plane), Some(dist)) = (self.plane.clone(), self.dist.clone()) else {
            return;
        };
        self.history.start();
        let p = plane.clone();
        self.tasks
            .spawn(format!("reading the invalidations of {dist}"), async move {
                let r = read_history(p.as_ref(), &dist).await;
                Msg::History(dist, r)
            });
        self.month.start();
        self.tasks
            .spawn("counting this month's invalidation paths", async move {
                Msg::Month(
                    queue::paths_this_month(plane.as_ref(), SystemTime::now())
                        .await
                        .map_err(|e| e.to_string()),
                )
            });
    }

    /// Applies what the tasks reported. Called before every frame.
    pub fn tick(&mut self, ctx: &egui::Context) {
        for m in self.tasks.drain() {
            self.apply(m);
        }
        // The elapsed timers of invalidations in progress tick once a second.
        let in_progress = self
            .history
            .value()
            .is_some_and(|rows| rows.iter().any(|r| !is_completed(&r.status)));
        if in_progress || self.submitting.is_some() {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    fn apply(&mut self, e: Msg) {
        match e {
            Msg::History(dist, r) => {
                if self.dist.as_deref() != Some(dist.as_str()) {
                    return;
                }
                match r {
                    Ok(mut rows) => {
                        // What was read of each before (its paths) stays, and so does the
                        // status of one being followed: its poller reports its completion.
                        if let Some(old) = self.history.value() {
                            for r in &mut rows {
                                if let Some(o) = old.iter().find(|o| o.id == r.id) {
                                    if self.pollers.contains_key(&r.id) {
                                        r.status = o.status.clone();
                                    }
                                    r.paths = r.paths.take().or_else(|| o.paths.clone());
                                    r.caller_reference = r
                                        .caller_reference
                                        .take()
                                        .or_else(|| o.caller_reference.clone());
                                }
                            }
                        }
                        let follow: Vec<String> = rows
                            .iter()
                            .filter(|r| !is_completed(&r.status))
                            .map(|r| r.id.clone())
                            .collect();
                        self.history.finish(Ok(rows));
                        for id in follow {
                            self.follow(&id);
                        }
                    }
                    Err(e) => self.history.finish(Err(e)),
                }
            }
            Msg::Details(dist, r) => {
                if self.dist.as_deref() != Some(dist.as_str()) {
                    return;
                }
                match r {
                    Ok(inv) => self.upsert(Row::from_invalidation(&inv)),
                    Err(e) => self
                        .errors
                        .push(format!("The invalidation could not be read: {e}")),
                }
            }
            Msg::Month(r) => self.month.finish(r),
            Msg::Queue(dist, q) => {
                if self.dist.as_deref() != Some(dist.as_str()) {
                    return;
                }
                match q {
                    QueueEvent::Submitted { index, id, .. } => {
                        if let Some(b) = self.queue.get_mut(index) {
                            b.state = BatchState::Submitted(id.clone());
                        }
                        self.follow(&id);
                        // Its row (with paths) arrives with the details.
                        self.details(&id);
                    }
                    QueueEvent::Waiting { index, retry_in } => {
                        if let Some(b) = self.queue.get_mut(index) {
                            b.state = BatchState::Waiting(retry_in);
                        }
                    }
                    QueueEvent::Completed { id } => self.mark_completed(&id),
                }
            }
            Msg::QueueDone(dist, r) => {
                self.submitting = None;
                if let Err(e) = r {
                    self.errors
                        .push(format!("Invalidation of {dist} not submitted: {e}"));
                }
                if self.dist.as_deref() == Some(dist.as_str()) {
                    self.refresh_month();
                }
            }
            Msg::Status(dist, id, status) => {
                if self.dist.as_deref() != Some(dist.as_str()) {
                    return;
                }
                if let Some(rows) = self.history.value_mut()
                    && let Some(r) = rows.iter_mut().find(|r| r.id == id)
                {
                    r.status = status;
                }
            }
            Msg::Completed(dist, inv) => {
                self.pollers.remove(&inv.id);
                let took = age(&inv.create_time, SystemTime::now())
                    .map(|d| format!(" after {}", short_duration(d)))
                    .unwrap_or_default();
                self.notices.push(format!(
                    "Invalidation {} of {dist} completed ({} path{}){took}",
                    inv.id,
                    inv.invalidation_batch.paths.len(),
                    plural(inv.invalidation_batch.paths.len())
                ));
                if self.dist.as_deref() == Some(dist.as_str()) {
                    self.upsert(Row::from_invalidation(&inv));
                    self.mark_completed(&inv.id);
                }
            }
            Msg::PollFailed(id, e) => {
                self.pollers.remove(&id);
                self.errors.push(format!(
                    "Following invalidation {id} stopped: {e}; use Refresh history to read it again"
                ));
            }
            Msg::Stopped => {}
            Msg::Preview(r) => match r {
                Ok(n) => self.notices.push(format!(
                    "The running preview removed {n} cached object{} at once",
                    plural(n)
                )),
                Err(e) => self
                    .errors
                    .push(format!("The preview's cache was not cleared: {e}")),
            },
        }
    }

    fn refresh_month(&mut self) {
        let Some(plane) = self.plane.clone() else {
            return;
        };
        self.month.start();
        self.tasks
            .spawn("counting this month's invalidation paths", async move {
                Msg::Month(
                    queue::paths_this_month(plane.as_ref(), SystemTime::now())
                        .await
                        .map_err(|e| e.to_string()),
                )
            });
    }

    fn mark_completed(&mut self, id: &str) {
        for b in &mut self.queue {
            if b.state == BatchState::Submitted(id.to_string()) {
                b.state = BatchState::Completed(id.to_string());
            }
        }
    }

    fn upsert(&mut self, row: Row) {
        let rows = match self.history.value_mut() {
            Some(rows) => rows,
            None => {
                self.history = Remote::Ready(Vec::new());
                self.history.value_mut().expect("just set")
            }
        };
        match rows.iter_mut().find(|r| r.id == row.id) {
            Some(r) => *r = row,
            None => {
                rows.push(row);
                rows.sort_by(|a, b| b.create_time.cmp(&a.create_time));
            }
        }
    }

    /// Reads one invalidation's paths.
    pub fn details(&mut self, id: &str) {
        let (Some(plane), Some(dist)) = (self.plane.clone(), self.dist.clone()) else {
            return;
        };
        let id = id.to_string();
        self.tasks
            .spawn(format!("reading invalidation {id}"), async move {
                let r = plane
                    .get_invalidation(&dist, &id)
                    .await
                    .map_err(|e| e.to_string());
                Msg::Details(dist, r)
            });
    }

    /// Follows `id` until it completes (the control plane's poller).
    fn follow(&mut self, id: &str) {
        let (Some(plane), Some(dist)) = (self.plane.clone(), self.dist.clone()) else {
            return;
        };
        if self.pollers.contains_key(id) {
            return;
        }
        let cancel = CancelToken::new();
        self.pollers.insert(id.to_string(), cancel.clone());
        let schedule = self.schedule;
        let id = id.to_string();
        let send = self.tasks.progress();
        self.tasks
            .spawn(format!("following invalidation {id}"), async move {
                let (d, i, s) = (dist.clone(), id.clone(), send.clone());
                let r =
                    poll::wait_completed(plane.as_ref(), &dist, &id, schedule, &cancel, move |e| {
                        if let PollEvent::Status(st) = e {
                            s(Msg::Status(d.clone(), i.clone(), st));
                        }
                    })
                    .await;
                match r {
                    Ok(Followed::Done(inv)) => Msg::Completed(dist, inv),
                    Ok(Followed::Cancelled) => Msg::Stopped,
                    Err(e) => Msg::PollFailed(id, e.to_string()),
                }
            });
    }

    /// The paths of the editor: trimmed, blank lines left out.
    pub fn paths(&self) -> Vec<String> {
        lines(&self.text).into_iter().map(|(_, p)| p).collect()
    }

    /// Sends the editor's paths through the queue (and clears them from the running preview).
    pub fn submit(&mut self, preview: Option<&dyn PreviewCache>) {
        let (Some(plane), Some(dist)) = (self.plane.clone(), self.dist.clone()) else {
            return;
        };
        let paths = self.paths();
        if paths.is_empty() || self.submitting.is_some() {
            return;
        }
        let caller = caller_reference();
        self.queue = queue::split(&paths)
            .iter()
            .map(|b| Batch {
                paths: b.len(),
                state: BatchState::Queued,
            })
            .collect();
        if let Some(p) = preview.filter(|p| p.distribution() == dist) {
            let fut = p.invalidate(paths.clone(), format!("{caller}-preview"));
            self.tasks
                .spawn("invalidating the preview's cache", async move {
                    Msg::Preview(fut.await)
                });
        }
        let cancel = CancelToken::new();
        self.submitting = Some(cancel.clone());
        let schedule = self.schedule;
        let send = self.tasks.progress();
        self.text.clear();
        self.dry_run = None;
        let what = format!("invalidating {} paths in {dist}", paths.len());
        self.tasks.spawn(what, async move {
            let (d, s) = (dist.clone(), send.clone());
            let options = QueueOptions {
                wait_all: false,
                schedule,
            };
            let r = queue::submit_all(
                plane.as_ref(),
                &dist,
                &paths,
                &caller,
                options,
                &cancel,
                move |e| s(Msg::Queue(d.clone(), e)),
            )
            .await;
            Msg::QueueDone(dist, r.map(|_| ()).map_err(|e| e.to_string()))
        });
    }

    /// Puts `paths` in the editor for review; nothing is sent.
    pub fn copy_to_new(&mut self, paths: &[String]) {
        self.text = paths.join("\n");
        self.dry_run = None;
    }

    /// Draws the tab for distribution `dist` with configuration `config`.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        config: &DistributionConfig,
        preview: Option<&dyn PreviewCache>,
        commands: &mut Commands,
    ) {
        ui.label(
            RichText::new(
                "An invalidation removes objects from every edge cache before they expire; the \
                 next request for them goes to the origin. Paths are case-sensitive.",
            )
            .weak(),
        );
        ui.add_space(4.0);
        crate::ui::form::section(ui, "New invalidation");
        self.editor(ui, config, preview, commands);
        ui.add_space(8.0);
        crate::ui::form::section(ui, "History");
        self.history_view(ui, commands);
    }

    fn editor(
        &mut self,
        ui: &mut Ui,
        config: &DistributionConfig,
        preview: Option<&dyn PreviewCache>,
        commands: &mut Commands,
    ) {
        let l = ui.label("Paths to invalidate (one per line)");
        ui.add(
            egui::TextEdit::multiline(&mut self.text)
                .font(egui::TextStyle::Monospace)
                .desired_rows(5)
                .desired_width(f32::INFINITY)
                .hint_text("/index.html\n/images/*"),
        )
        .labelled_by(l.id);
        let lines = lines(&self.text);
        let paths: Vec<String> = lines.iter().map(|(_, p)| p.clone()).collect();
        let lint = Lint::of(&lines, config);
        // Each line with something to say, and its fix.
        let mut replace: Option<(usize, String)> = None;
        for l in &lint.lines {
            let color = if l.findings.iter().any(|f| f.severity == Severity::Error) {
                ERROR
            } else if l.findings.is_empty() {
                ui.visuals().weak_text_color()
            } else {
                WARNING
            };
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("Line {}: {}", l.line + 1, l.path))
                        .monospace()
                        .color(color),
                );
                for n in &l.notes {
                    ui.label(RichText::new(n).weak());
                }
                if let Some(fix) = &l.fix
                    && ui
                        .button(format!("Fix line {}", l.line + 1))
                        .on_hover_text(format!("Replace with {fix}"))
                        .clicked()
                {
                    replace = Some((l.line, fix.clone()));
                }
            });
            if l.findings.is_empty() && l.fix.is_none() {
                continue;
            }
            ui.indent(("lint", l.line), |ui| {
                for f in &l.findings {
                    let c = if f.severity == Severity::Error {
                        ERROR
                    } else {
                        WARNING
                    };
                    ui.colored_label(c, &f.message);
                }
                if let Some(fix) = &l.fix {
                    ui.label(RichText::new(format!("Fix: {fix}")).monospace().weak());
                }
            });
        }
        if let Some((line, fix)) = replace {
            self.text = replace_line(&self.text, line, &fix);
        }
        let fixable = lint.lines.iter().filter(|l| l.fix.is_some()).count();
        if fixable > 1 && ui.button(format!("Fix all {fixable} lines")).clicked() {
            let mut text = self.text.clone();
            for l in &lint.lines {
                if let Some(f) = &l.fix {
                    text = replace_line(&text, l.line, f);
                }
            }
            self.text = text;
        }
        // Counts, cost and limits.
        let counts = queue::count(&paths);
        ui.add_space(4.0);
        let not_valid = paths
            .len()
            .saturating_sub(counts.individual + counts.wildcard);
        ui.label(format!(
            "{} path{}: {} individual, {} wildcard{}",
            paths.len(),
            plural(paths.len()),
            counts.individual,
            counts.wildcard,
            if not_valid > 0 {
                format!(", {not_valid} not valid")
            } else {
                String::new()
            }
        ));
        match self.month.value() {
            Some(&already) => {
                let cost = queue::Cost::of(already, paths.len() as u64);
                let left = FREE_PATHS_PER_MONTH.saturating_sub(already);
                let text = format!(
                    "This month: {already} of {FREE_PATHS_PER_MONTH} free paths used ({left} \
                        left). {}",
                    if paths.is_empty() {
                        String::new()
                    } else if cost.billed == 0 {
                        match paths.len() {
                            1 => "This one is free.".to_string(),
                            n => format!("These {n} are free."),
                        }
                    } else {
                        format!(
                            "{} of these are billed at $0.005: {}.",
                            cost.billed,
                            cost.dollars()
                        )
                    }
                );
                if cost.billed > 0 {
                    ui.colored_label(WARNING, text);
                } else {
                    ui.label(text);
                }
            }
            None if self.month.is_pending() => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Counting this month's paths…");
                });
            }
            None => {}
        }
        if let Remote::Failed { error, .. } = &self.month {
            ui.colored_label(
                WARNING,
                format!("This month's paths could not be counted: {error}"),
            );
        }
        // Cheaper wildcards.
        let mut use_wildcard: Option<invalidation::CheaperWildcard> = None;
        for w in invalidation::cheaper_wildcards(&paths) {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(
                    WARNING,
                    format!(
                        "{} paths under {} would be billed as one with {} (which also removes the \
                         other objects there)",
                        w.replaces.len(),
                        w.wildcard.trim_end_matches('*'),
                        w.wildcard
                    ),
                );
                if ui.button(format!("Use {}", w.wildcard)).clicked() {
                    use_wildcard = Some(w.clone());
                }
            });
        }
        if let Some(w) = use_wildcard {
            let mut kept: Vec<String> = paths
                .iter()
                .enumerate()
                .filter(|(i, _)| !w.replaces.contains(i))
                .map(|(_, p)| p.clone())
                .collect();
            kept.insert(w.replaces[0].min(kept.len()), w.wildcard.clone());
            self.text = kept.join("\n");
        }
        // In-progress limits (spec I-8): the queue splits and waits.
        let in_progress = self.in_progress_counts();
        let batches = queue::split(&paths).len();
        if !paths.is_empty() && (batches > 1 || in_progress.admits(counts).is_err()) {
            ui.colored_label(
                WARNING,
                format!(
                    "CloudFront allows {MAX_INDIVIDUAL_IN_PROGRESS} individual and \
                     {MAX_WILDCARD_IN_PROGRESS} wildcard paths in progress per distribution \
                     ({} and {} are in progress now). These paths will be sent as {batches} \
                     batch{}, each when the earlier ones have completed.",
                    in_progress.individual,
                    in_progress.wildcard,
                    if batches == 1 { "" } else { "es" }
                ),
            );
        }
        // Dry run against the running preview.
        if let Some(p) = preview.filter(|p| Some(p.distribution()) == self.dist.as_deref()) {
            self.dry_run_view(ui, &paths, p);
        }
        let errors = lint
            .lines
            .iter()
            .flat_map(|l| &l.findings)
            .filter(|f| f.severity == Severity::Error)
            .count();
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let label = format!("Invalidate {} path{}", paths.len(), plural(paths.len()));
            let r = ui
                .add_enabled(
                    !paths.is_empty() && errors == 0 && self.submitting.is_none(),
                    egui::Button::new(label),
                )
                .on_disabled_hover_text(if errors > 0 {
                    format!("Fix the {errors} error{} first", plural(errors))
                } else if self.submitting.is_some() {
                    "The previous submission is still being queued".to_string()
                } else {
                    "Enter at least one path".to_string()
                });
            if r.clicked() {
                commands.push(Command::SubmitInvalidation);
            }
            if ui
                .add_enabled(!self.text.is_empty(), egui::Button::new("Clear paths"))
                .clicked()
            {
                self.text.clear();
            }
        });
        self.queue_view(ui);
    }

    fn in_progress_counts(&self) -> PathCounts {
        let Some(rows) = self.history.value() else {
            return PathCounts::default();
        };
        let paths: Vec<String> = rows
            .iter()
            .filter(|r| !is_completed(&r.status))
            .filter_map(|r| r.paths.clone())
            .flatten()
            .collect();
        queue::count(&paths)
    }

    fn dry_run_view(&mut self, ui: &mut Ui, paths: &[String], preview: &dyn PreviewCache) {
        // Worked out again when the paths change, and every two seconds while the preview runs.
        let key = paths.join("\n");
        let stale = self
            .dry_run
            .as_ref()
            .is_none_or(|(k, at, _)| *k != key || at.elapsed() > Duration::from_secs(2));
        if stale {
            let cached = preview.cached();
            let hits = paths
                .iter()
                .map(|p| match InvalidationPath::parse(p) {
                    Ok(ip) => cached
                        .iter()
                        .filter(|(path, q)| ip.matches(path, q.as_deref()))
                        .map(|(path, q)| match q {
                            Some(q) => format!("{path}?{q}"),
                            None => path.clone(),
                        })
                        .collect(),
                    Err(_) => Vec::new(),
                })
                .collect();
            self.dry_run = Some((key, Instant::now(), hits));
            ui.ctx().request_repaint_after(Duration::from_secs(2));
        }
        let Some((_, _, hits)) = &self.dry_run else {
            return;
        };
        if paths.is_empty() {
            return;
        }
        let total: usize = hits.iter().map(Vec::len).sum();
        egui::CollapsingHeader::new(format!(
            "Dry run on the running preview: {total} cached object{} would be removed",
            plural(total)
        ))
        .id_salt("dry-run")
        .default_open(true)
        .show(ui, |ui| {
            for (p, h) in paths.iter().zip(hits) {
                if h.is_empty() {
                    ui.label(format!("{p}: nothing cached matches"));
                } else {
                    ui.label(format!("{p}: {} ({})", h.len(), preview_list(h)));
                }
            }
        });
    }

    fn queue_view(&self, ui: &mut Ui) {
        if self.queue.is_empty() {
            return;
        }
        let total = self.queue.len();
        ui.label(RichText::new("Queue of the last submission").strong());
        for (i, b) in self.queue.iter().enumerate() {
            let state = match &b.state {
                BatchState::Queued => "queued".to_string(),
                BatchState::Waiting(d) => format!(
                    "waiting: CloudFront's in-progress limits are full; next try in {}",
                    short_duration(*d)
                ),
                BatchState::Submitted(id) => format!("submitted as {id}, in progress"),
                BatchState::Completed(id) => format!("{id} completed"),
            };
            ui.label(format!(
                "Batch {} of {total} ({} path{}): {state}",
                i + 1,
                b.paths,
                plural(b.paths)
            ));
        }
    }

    fn history_view(&mut self, ui: &mut Ui, commands: &mut Commands) {
        ui.horizontal(|ui| {
            let l = ui.label("Search history by path");
            if ui
                .add(egui::TextEdit::singleline(&mut self.search).desired_width(220.0))
                .labelled_by(l.id)
                .changed()
            {
                self.page = 0;
            }
            if ui.button("Refresh history").clicked() {
                commands.push(Command::RefreshInvalidations);
            }
            if self.history.is_pending() {
                ui.spinner();
            }
        });
        if let Remote::Failed { error, .. } = &self.history {
            ui.colored_label(ERROR, format!("The history could not be read: {error}"));
        }
        let Some(rows) = self.history.value() else {
            return;
        };
        let needle = self.search.trim();
        let shown: Vec<&Row> = rows
            .iter()
            .filter(|r| {
                needle.is_empty()
                    || r.id.contains(needle)
                    || r.paths
                        .as_ref()
                        .is_some_and(|ps| ps.iter().any(|p| p.contains(needle)))
            })
            .collect();
        if rows.is_empty() {
            ui.label(RichText::new("No invalidations yet.").weak());
            return;
        }
        let pages = shown.len().div_ceil(PAGE).max(1);
        let page = self.page.min(pages - 1);
        let now = SystemTime::now();
        let mut copy: Option<Vec<String>> = None;
        let mut toggle: Option<String> = None;
        let mut read: Option<String> = None;
        egui::Grid::new("invalidation-history")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                ui.label(RichText::new("Status").strong());
                ui.label(RichText::new("Invalidation").strong());
                ui.label(RichText::new("Created").strong());
                ui.label(RichText::new("Paths").strong());
                ui.label("");
                ui.end_row();
                for r in shown.iter().skip(page * PAGE).take(PAGE) {
                    ui.horizontal(|ui| status_chip(ui, &r.status, &r.create_time, now));
                    ui.label(RichText::new(&r.id).monospace());
                    ui.label(created(&r.create_time, now));
                    ui.label(match &r.paths {
                        Some(p) if p.len() == 1 => p[0].clone(),
                        Some(p) => format!("{} paths ({} …)", p.len(), p[0]),
                        None => "…".to_string(),
                    });
                    ui.horizontal(|ui| {
                        let open = self.open.as_deref() == Some(r.id.as_str());
                        if ui
                            .button(if open {
                                format!("Hide {}", r.id)
                            } else {
                                format!("Details of {}", r.id)
                            })
                            .clicked()
                        {
                            toggle = Some(r.id.clone());
                            if r.paths.is_none() {
                                read = Some(r.id.clone());
                            }
                        }
                        if let Some(p) = &r.paths
                            && ui
                                .button(format!("Copy {} to new", r.id))
                                .on_hover_text("Put these paths in the editor; nothing is sent")
                                .clicked()
                        {
                            copy = Some(p.clone());
                        }
                    });
                    ui.end_row();
                }
            });
        if let Some(open) = &self.open
            && let Some(r) = rows.iter().find(|r| &r.id == open)
        {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(RichText::new(format!("Invalidation {}", r.id)).strong());
                ui.label(format!("Status: {}", r.status));
                ui.label(format!("Created: {}", created(&r.create_time, now)));
                if let Some(c) = &r.caller_reference {
                    ui.label(format!("Caller reference: {c}"));
                }
                match &r.paths {
                    Some(p) => {
                        ui.label(format!("{} path{}:", p.len(), plural(p.len())));
                        egui::ScrollArea::vertical()
                            .id_salt("details-paths")
                            .max_height(160.0)
                            .show(ui, |ui| {
                                for path in p {
                                    ui.label(RichText::new(path).monospace());
                                }
                            });
                    }
                    None => {
                        ui.spinner();
                    }
                }
            });
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(page > 0, egui::Button::new("Previous page"))
                .clicked()
            {
                self.page = page - 1;
            }
            ui.label(format!(
                "Page {} of {pages} ({} invalidation{})",
                page + 1,
                shown.len(),
                plural(shown.len())
            ));
            if ui
                .add_enabled(page + 1 < pages, egui::Button::new("Next page"))
                .clicked()
            {
                self.page = page + 1;
            }
        });
        if let Some(p) = copy {
            self.copy_to_new(&p);
        }
        if let Some(id) = toggle {
            self.open = if self.open.as_deref() == Some(id.as_str()) {
                None
            } else {
                Some(id)
            };
        }
        if let Some(id) = read {
            commands.push(Command::InvalidationDetails(id));
        }
    }
}

/// Reads the history: every summary, and the paths of the newest [`DETAILS_WITH_HISTORY`].
async fn read_history(plane: &dyn ControlPlane, dist: &str) -> Result<Vec<Row>, String> {
    let summaries = plane
        .list_all_invalidations(dist)
        .await
        .map_err(|e| e.to_string())?;
    let mut rows: Vec<Row> = summaries
        .into_iter()
        .map(|s| Row {
            id: s.id,
            status: s.status,
            create_time: s.create_time,
            paths: None,
            caller_reference: None,
        })
        .collect();
    rows.sort_by(|a, b| b.create_time.cmp(&a.create_time));
    for r in rows.iter_mut().take(DETAILS_WITH_HISTORY) {
        if let Ok(inv) = plane.get_invalidation(dist, &r.id).await {
            *r = Row::from_invalidation(&inv);
        }
    }
    Ok(rows)
}

/// The editor's non-blank lines: (line number, trimmed path).
pub fn lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i, l.trim().to_string()))
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

fn replace_line(text: &str, line: usize, with: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| if i == line { with } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the editor says about each line.
#[derive(Debug, Default)]
pub struct Lint {
    /// One per non-blank line.
    pub lines: Vec<LineLint>,
}

/// What is said about one line.
#[derive(Debug)]
pub struct LineLint {
    /// 0-based line number in the editor.
    pub line: usize,
    /// The path as entered (trimmed).
    pub path: String,
    /// Errors and warnings: the model's (spec I-1..I-12) and the behavior check.
    pub findings: Vec<Finding>,
    /// Hints that are not problems (spec I-5, which behavior caches it).
    pub notes: Vec<String>,
    /// The corrected path, one click away.
    pub fix: Option<String>,
}

impl Lint {
    /// Lints `lines` (from [`lines`]) as one batch for a distribution with `config`.
    pub fn of(lines: &[(usize, String)], config: &DistributionConfig) -> Self {
        let paths: Vec<String> = lines.iter().map(|(_, p)| p.clone()).collect();
        let batch = if paths.is_empty() {
            Vec::new()
        } else {
            invalidation::lint_batch(&paths)
        };
        let mut out = Lint::default();
        for (i, (line, path)) in lines.iter().enumerate() {
            let field = format!("Paths.Items[{i}]");
            let findings: Vec<Finding> =
                batch.iter().filter(|f| f.path == field).cloned().collect();
            let mut notes = Vec::new();
            let mut extra = Vec::new();
            if let Ok(p) = InvalidationPath::parse(path) {
                if let Some(n) = p.note() {
                    notes.push(n);
                }
                // Which behavior caches what this path names (the part before `*` or `?`).
                let probe = path
                    .split(['*', '?'])
                    .next()
                    .unwrap_or(path.as_str())
                    .to_string();
                let sel = cfconsole_model::pattern::select_behavior(config, &probe);
                if sel.index.is_none()
                    && let Some(p) = sel.passed_over.iter().find(|p| p.rule == "P-8")
                {
                    extra.push(Finding::warning(
                        field.clone(),
                        format!(
                            "matches no behavior but the default: behavior `{}` would cache it \
                             if case were ignored, and paths are case-sensitive (spec I-1, P-8); \
                             check the case",
                            p.pattern
                        ),
                    ));
                } else if config
                    .cache_behaviors
                    .as_ref()
                    .is_some_and(|b| !b.is_empty())
                {
                    notes.push(format!("(cached by behavior {})", sel.pattern));
                }
            }
            let mut findings = findings;
            findings.extend(extra);
            out.lines.push(LineLint {
                line: *line,
                path: path.clone(),
                findings,
                notes,
                fix: invalidation::fix_path(path),
            });
        }
        out
    }
}

fn status_chip(ui: &mut Ui, status: &str, create_time: &str, now: SystemTime) {
    if is_completed(status) {
        ui.colored_label(OK, "Completed");
    } else {
        ui.spinner();
        let elapsed = age(create_time, now)
            .map(|d| format!(" for {}", short_duration(d)))
            .unwrap_or_default();
        ui.label(format!("{status}{elapsed}"));
    }
}

/// How long ago `iso` was, when it parses.
pub fn age(iso: &str, now: SystemTime) -> Option<Duration> {
    let t = chrono::DateTime::parse_from_rfc3339(iso).ok()?;
    let now: chrono::DateTime<chrono::Utc> = now.into();
    (now - t.with_timezone(&chrono::Utc)).to_std().ok()
}

/// `2026-11-29 18:04:05 (3 min ago)` in local time.
fn created(iso: &str, now: SystemTime) -> String {
    match chrono::DateTime::parse_from_rfc3339(iso) {
        Ok(t) => {
            let local = t.with_timezone(&chrono::Local);
            let ago = age(iso, now)
                .map(|d| format!(" ({} ago)", short_duration(d)))
                .unwrap_or_default();
            format!("{}{ago}", local.format("%Y-%m-%d %H:%M:%S"))
        }
        Err(_) => iso.to_string(),
    }
}

/// `42 s`, `3 min 5 s`, `2 h 10 min`, `4 days`.
pub fn short_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        3600..86_400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} days", s / 86_400),
    }
}

fn preview_list(items: &[String]) -> String {
    let mut s = items.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 3 {
        s.push_str(&format!(", and {} more", items.len() - 3));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> DistributionConfig {
        cfconsole_model::templates::Template::ALL[0].build("test")
    }

    #[test]
    fn lines_skip_blanks_and_keep_numbers() {
        assert_eq!(
            lines("/a\n\n  /b  \n"),
            vec![(0, "/a".to_string()), (2, "/b".to_string())]
        );
        assert_eq!(replace_line("/a\nx\n/c", 1, "/x"), "/a\n/x\n/c");
    }

    #[test]
    fn each_line_is_linted_with_its_fix() {
        let cfg = config();
        let ls = lines("index.html\n/img/*.png\n/ok.html\n/ok.html");
        let lint = Lint::of(&ls, &cfg);
        assert_eq!(lint.lines.len(), 4);
        assert_eq!(lint.lines[0].fix.as_deref(), Some("/index.html"));
        assert!(
            lint.lines[0]
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error)
        );
        assert_eq!(lint.lines[1].fix.as_deref(), Some("/img/*"));
        assert!(lint.lines[2].findings.is_empty());
        // The duplicate is a warning on the second listing.
        assert!(
            lint.lines[3]
                .findings
                .iter()
                .any(|f| f.message.contains("listed twice"))
        );
    }

    #[test]
    fn ages_and_durations_read_well() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_100);
        assert_eq!(
            age("2027-01-15T08:00:00.000Z", now),
            Some(Duration::from_secs(100))
        );
        assert_eq!(age("not a time", now), None);
        assert_eq!(short_duration(Duration::from_secs(65)), "1 min 5 s");
        assert_eq!(short_duration(Duration::from_secs(7300)), "2 h 1 min");
    }
}
