//! The Preview tab: the preview edge server (`cfconsole-edge`, in-process) serving the current
//! draft, with each origin sent to its real domain, a local URL or a local folder; a request
//! tester that explains before it sends; a live request log, a chart of hits and misses and the
//! hit ratio per behavior; and a cache browser with "invalidate selected".
//!
//! The edge runs on the app's tokio runtime. Draft edits reach it through the edge's config swap
//! (connections and cache kept); an edit that makes the draft invalid leaves the last valid
//! configuration running, and the tab says so.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use cfconsole_edge::log::Record;
use cfconsole_edge::probe::{self, Explanation, ProbeRequest, ProbeResponse};
use cfconsole_edge::stats::Snapshot;
use cfconsole_edge::store::EntryInfo;
use cfconsole_edge::{Edge, EdgeConfig, EdgeHandle, Override};
use cfconsole_model::{DistributionConfig, Finding, PolicySet};
use eframe::egui::{self, RichText, Ui};

use super::invalidations::PreviewCache;
use crate::ui::command::{Command, Commands};
use crate::ui::files::FileDialogs;
use crate::ui::style::{ERROR, OK, WARNING, plural};
use crate::ui::task::{Jobs, Tasks};

/// Requests the log keeps (the oldest leave first): bounded memory however long it runs.
pub const LOG_CAPACITY: usize = 100_000;
/// How often the traffic watcher reads the edge's counters.
const TRAFFIC_CHECK: Duration = Duration::from_millis(250);

/// Seconds of history in the chart.
pub const CHART_SECONDS: usize = 300;
/// Records read from the edge per frame at most (the rest next frame).
const FEED_BATCH: usize = 20_000;

/// Where one origin's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The origin's real domain (network access).
    Real,
    /// A local `http://` or `https://` URL.
    Url(String),
    /// A local folder, served like S3.
    Folder(PathBuf),
}

impl Target {
    fn to_override(&self) -> Result<Option<Override>, String> {
        match self {
            Target::Real => Ok(None),
            Target::Url(u) => Override::parse(u.trim()).map(Some),
            Target::Folder(p) => Override::parse(&p.to_string_lossy()).map(Some),
        }
    }
}

/// One request of the log, as the tab keeps it (a few dozen bytes plus the path).
#[derive(Debug, Clone)]
pub struct LogRow {
    /// When it was answered.
    pub at: SystemTime,
    /// `GET`.
    pub method: Box<str>,
    /// Path and query.
    pub url: Box<str>,
    /// The behavior's pattern.
    pub behavior: Arc<str>,
    /// `Hit`, `Miss`, `RefreshHit`, `Error`, `Redirect`, ...
    pub result: &'static str,
    /// Status code.
    pub status: u16,
    /// Bytes sent.
    pub bytes: u64,
    /// Seconds taken.
    pub time_taken: f32,
}

impl LogRow {
    fn from_record(r: &Record) -> Self {
        let url = match r.query() {
            Some(q) => format!("{}?{q}", r.path()),
            None => r.path().to_string(),
        };
        Self {
            at: r.at,
            method: r.method.as_str().into(),
            url: url.into(),
            // The edge's label is shared: rows of one behavior point at one string.
            behavior: r.behavior.clone(),
            result: r.result_type.as_str(),
            status: r.status,
            bytes: r.sc_bytes,
            time_taken: r.time_taken as f32,
        }
    }

    fn matches(&self, needle: &str) -> bool {
        self.url.contains(needle)
            || self.behavior.contains(needle)
            || self.result.eq_ignore_ascii_case(needle)
            || self.method.eq_ignore_ascii_case(needle)
            || needle.parse::<u16>().is_ok_and(|s| s == self.status)
    }
}

/// The request log: a ring of [`LOG_CAPACITY`] rows and the filtered view of it.
#[derive(Default)]
pub struct Log {
    /// Oldest first.
    pub rows: VecDeque<LogRow>,
    /// Requests that left the edge's ring before the tab read them (under heavy load).
    pub missed: u64,
    /// Every request read since the start.
    pub total: u64,
    /// The filter text.
    pub filter: String,
    /// Indexes (from the oldest kept, offset by `dropped`) of the rows the filter keeps.
    filtered: Vec<u64>,
    /// Rows dropped from the front of the ring since the start.
    dropped: u64,
    filtered_for: String,
    filtered_upto: u64,
}

impl Log {
    /// Adds records, dropping the oldest rows past [`LOG_CAPACITY`].
    pub fn extend(&mut self, records: &[Record]) {
        for r in records {
            if self.rows.len() == LOG_CAPACITY {
                self.rows.pop_front();
                self.dropped += 1;
            }
            self.rows.push_back(LogRow::from_record(r));
            self.total += 1;
        }
    }

    /// Adds a row as is (tests and the benchmark fill the log this way).
    pub fn push(&mut self, row: LogRow) {
        if self.rows.len() == LOG_CAPACITY {
            self.rows.pop_front();
            self.dropped += 1;
        }
        self.rows.push_back(row);
        self.total += 1;
    }

    /// The rows the filter keeps, by absolute index, brought up to date incrementally: only rows
    /// added since the last call are tested, unless the filter changed.
    fn view(&mut self) -> &[u64] {
        let needle = self.filter.trim().to_string();
        let end = self.dropped + self.rows.len() as u64;
        if needle != self.filtered_for {
            self.filtered.clear();
            self.filtered_for = needle.clone();
            self.filtered_upto = self.dropped;
        }
        let from = self.filtered_upto.max(self.dropped);
        for abs in from..end {
            let row = &self.rows[(abs - self.dropped) as usize];
            if needle.is_empty() || row.matches(&needle) {
                self.filtered.push(abs);
            }
        }
        self.filtered_upto = end;
        // Drop indexes that left the ring.
        let first_kept = self.filtered.partition_point(|&i| i < self.dropped);
        if first_kept > 0 {
            self.filtered.drain(..first_kept);
        }
        &self.filtered
    }

    fn row(&self, abs: u64) -> Option<&LogRow> {
        abs.checked_sub(self.dropped)
            .and_then(|i| self.rows.get(i as usize))
    }
}

/// Hits and misses per second for the chart, from the edge's counters (exact under any load:
/// the log may skip records under heavy load, the counters never do).
#[derive(Default)]
pub struct Chart {
    /// (seconds since start, hits, misses, errors) per second, oldest first.
    pub points: VecDeque<(f64, u64, u64, u64)>,
    last: Option<(Instant, u64, u64, u64)>,
    started: Option<Instant>,
}

impl Chart {
    fn sample(&mut self, stats: &[Snapshot], now: Instant) {
        let hits: u64 = stats.iter().map(|s| s.hits + s.refresh_hits).sum();
        let misses: u64 = stats.iter().map(|s| s.misses).sum();
        let errors: u64 = stats.iter().map(|s| s.errors).sum();
        let started = *self.started.get_or_insert(now);
        match self.last {
            Some((at, _, _, _)) if now.duration_since(at) < Duration::from_secs(1) => {}
            Some((_, h, m, e)) => {
                let t = now.duration_since(started).as_secs_f64();
                self.points.push_back((
                    t,
                    hits.saturating_sub(h),
                    misses.saturating_sub(m),
                    errors.saturating_sub(e),
                ));
                if self.points.len() > CHART_SECONDS {
                    self.points.pop_front();
                }
                self.last = Some((now, hits, misses, errors));
            }
            None => self.last = Some((now, hits, misses, errors)),
        }
    }
}

/// The request tester's form.
#[derive(Debug, Clone)]
pub struct Tester {
    /// `GET`.
    pub method: String,
    /// `/index.html`.
    pub path: String,
    /// Without `?`.
    pub query: String,
    /// `Name: value` per line.
    pub headers: String,
    /// Two letters, or empty.
    pub country: String,
    /// Send over HTTPS.
    pub https: bool,
}

impl Default for Tester {
    fn default() -> Self {
        Self {
            method: "GET".into(),
            path: "/".into(),
            query: String::new(),
            headers: String::new(),
            country: String::new(),
            // Most viewers come over HTTPS, and redirect-to-https answers HTTP with a 301.
            https: true,
        }
    }
}

impl Tester {
    /// The form as a request, or which field is wrong.
    pub fn request(&self) -> Result<ProbeRequest, String> {
        let path = self.path.trim();
        if !path.starts_with('/') {
            return Err(format!("Path: `{path}` must begin with `/`"));
        }
        let mut headers = Vec::new();
        for (i, line) in self.headers.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Some((n, v)) = line.split_once(':') else {
                return Err(format!(
                    "Headers, line {}: `{line}` is not `Name: value`",
                    i + 1
                ));
            };
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
        let country = self.country.trim().to_ascii_uppercase();
        if !country.is_empty()
            && (country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Err(format!(
                "Viewer country: `{country}` is not a two-letter country code (ISO 3166-1, like \
                    US or DE)"
            ));
        }
        let query = self.query.trim().trim_start_matches('?');
        Ok(ProbeRequest {
            method: self.method.trim().to_ascii_uppercase(),
            path: path.to_string(),
            query: (!query.is_empty()).then(|| query.to_string()),
            headers,
            https: self.https,
            country: (!country.is_empty()).then_some(country),
        })
    }
}

/// What the tester last did.
pub struct Trial {
    /// Before sending.
    pub explanation: Explanation,
    /// The answer, or why there is none.
    pub response: Option<Result<ProbeResponse, String>>,
    /// What the cache did with it, and why.
    pub ttl: Option<String>,
    /// spec CF-3/CF-6: the CloudFront Functions that ran on it, in order.
    pub functions: Vec<cfconsole_edge::functions::Run>,
    /// spec SU-3…SU-8: why the signed URL check refused it, when it did.
    pub refusal: Option<cfconsole_signing::Refusal>,
}

/// A running preview.
pub struct Running {
    /// The distribution it serves.
    pub dist: String,
    /// Its domain name (the Host the tester sends).
    pub domain: String,
    edge: Option<Edge>,
    control: Arc<EdgeHandle>,
    /// `http://127.0.0.1:PORT`.
    pub http: Option<SocketAddr>,
    /// `https://127.0.0.1:PORT`.
    pub https: Option<SocketAddr>,
    /// The configuration running (the last valid draft).
    pub config: DistributionConfig,
    /// Why the current draft is not the one running.
    pub refused: Option<Vec<Finding>>,
    started: Instant,
}

impl Running {
    /// The edge's live handle (swap, invalidate, cache, stats).
    pub fn control(&self) -> &Arc<EdgeHandle> {
        &self.control
    }
}

impl PreviewCache for Running {
    fn distribution(&self) -> &str {
        &self.dist
    }
    fn cached(&self) -> Vec<(String, Option<String>)> {
        self.control
            .cache_entries()
            .into_iter()
            .map(|e| (e.path, e.query))
            .collect()
    }
    fn invalidate(
        &self,
        paths: Vec<String>,
        caller: String,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<usize, String>> + Send>> {
        let c = self.control.clone();
        Box::pin(async move {
            c.invalidate(paths, Some(caller))
                .await
                .map(|(inv, _)| inv.removed)
                .map_err(|e| e.message)
        })
    }
}

enum Msg {
    Started(String, u64, Result<Box<Running>, String>),
    Stopped,
    Folder(String, PathBuf),
    Explained(u64, Result<ProbeResponse, String>),
    Invalidated(Result<usize, String>),
    SignKey(PathBuf),
    Signed(Result<super::sign::Signed, String>),
}

/// The tab's state.
pub struct Preview {
    tasks: Tasks<Msg>,
    dialogs: Arc<dyn FileDialogs>,
    /// Where each origin goes, by origin id.
    pub targets: HashMap<String, Target>,
    /// The local workspace's folder, when the backend is one: a folder in it named after an
    /// origin whose domain ends in `.localhost` is that origin's default target.
    pub workspace: Option<PathBuf>,
    /// The running preview.
    pub running: Option<Running>,
    starting: bool,
    /// Why the last start failed.
    pub error: Option<String>,
    /// The request tester.
    pub tester: Tester,
    /// Its last result.
    pub trial: Option<Trial>,
    trial_id: u64,
    /// The request log.
    pub log: Log,
    after: u64,
    /// The chart.
    pub chart: Chart,
    /// Counters per behavior, as last read.
    pub stats: Vec<Snapshot>,
    /// The cache browser's rows, as last read.
    pub cache: Vec<EntryInfo>,
    cache_read: Option<Instant>,
    /// Cache keys selected in the browser.
    pub selected: BTreeSet<String>,
    /// The account's CloudFront Functions the preview runs (spec CF-1), as the Functions page
    /// made them last, and that version's number.
    pub functions: Option<Arc<cfconsole_edge::functions::FunctionSet>>,
    pub functions_generation: u64,
    /// The account's key groups and keys the preview checks signed URLs with (spec SU rules),
    /// as the key pages made them last, and that version's number.
    pub trusted: Option<Arc<super::access::KeyMaterial>>,
    pub access_generation: u64,
    /// The account's OACs the preview signs origin requests with (spec OA rules).
    pub origin_access: Option<cfconsole_edge::oac::OriginAccess>,
    /// What origin access control does not do as configured (no credentials, an assumed
    /// region), as the edge said it last.
    pub origin_warnings: Vec<String>,
    /// The account's public keys `(name, id)`, for the signing panel.
    pub key_choices: Vec<(String, String)>,
    /// The signing panel.
    pub sign: super::sign::SignForm,
    /// A notice for the tab (last invalidation).
    pub notice: Option<String>,
    generation: u64,
    /// The generation whose traffic the watcher task follows; it stops when this moves on.
    watched: Arc<std::sync::atomic::AtomicU64>,
}

impl Preview {
    /// A stopped preview whose tasks run on `rt`.
    pub fn new(rt: tokio::runtime::Handle, jobs: Jobs, dialogs: Arc<dyn FileDialogs>) -> Self {
        Self {
            tasks: Tasks::new(rt, jobs),
            dialogs,
            targets: HashMap::new(),
            workspace: None,
            running: None,
            starting: false,
            error: None,
            tester: Tester::default(),
            trial: None,
            trial_id: 0,
            log: Log::default(),
            after: 0,
            chart: Chart::default(),
            stats: Vec::new(),
            cache: Vec::new(),
            cache_read: None,
            selected: BTreeSet::new(),
            functions: None,
            functions_generation: 0,
            trusted: None,
            access_generation: 0,
            origin_access: None,
            origin_warnings: Vec::new(),
            key_choices: Vec::new(),
            sign: super::sign::SignForm::default(),
            notice: None,
            generation: 0,
            watched: Arc::default(),
        }
    }

    /// True while the preview serves `dist`.
    pub fn serves(&self, dist: &str) -> bool {
        self.running.as_ref().is_some_and(|r| r.dist == dist)
    }

    /// Starts the preview of `dist` on `config` (the draft), with `policies` for custom
    /// policies. A running preview is stopped first.
    pub fn start(
        &mut self,
        dist: &str,
        domain: &str,
        config: DistributionConfig,
        policies: PolicySet,
    ) {
        self.stop();
        let mut overrides = HashMap::new();
        for (id, t) in &self.targets {
            match t.to_override() {
                Ok(Some(o)) => {
                    overrides.insert(id.clone(), o);
                }
                Ok(None) => {}
                Err(e) => {
                    self.error = Some(format!("Origin {id}: {e}"));
                    return;
                }
            }
        }
        self.error = None;
        self.starting = true;
        self.generation += 1;
        let generation = self.generation;
        let mut cfg = EdgeConfig::new(config.clone(), domain.to_string());
        cfg.policies = policies;
        cfg.functions = self.functions.clone();
        cfg.trusted_keys = self.trusted.as_ref().map(|k| Arc::new(k.trusted()));
        cfg.origin_access = self.origin_access.clone();
        cfg.overrides = overrides;
        // Loopback only (secure by default), HTTP and HTTPS with a generated certificate.
        cfg.listen = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
        cfg.https_listen = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
        let dist = dist.to_string();
        let domain = domain.to_string();
        self.tasks
            .spawn(format!("starting the preview of {dist}"), async move {
                let r = match Edge::start(cfg).await {
                    Ok(edge) => Ok(Box::new(Running {
                        dist: dist.clone(),
                        domain,
                        control: edge.control().clone(),
                        http: edge.http_addr,
                        https: edge.https_addr,
                        edge: Some(edge),
                        config,
                        refused: None,
                        started: Instant::now(),
                    })),
                    Err(e) => Err(e.to_string()),
                };
                Msg::Started(dist, generation, r)
            });
    }

    /// The account's functions changed (code saved or published, a store's items edited):
    /// the running preview swaps them in at once (spec CF-1). When the draft cannot be served
    /// with them (an association naming a function the account lacks) the tab says why and the
    /// functions in force keep serving.
    pub fn set_functions(
        &mut self,
        functions: Option<Arc<cfconsole_edge::functions::FunctionSet>>,
        generation: u64,
    ) {
        self.functions = functions.clone();
        self.functions_generation = generation;
        if let Some(run) = &self.running {
            match run.control.set_functions(functions) {
                Ok(()) => self.error = None,
                Err(f) => {
                    self.error = Some(format!(
                        "The functions could not be swapped in: {}",
                        cfconsole_edge::dist::render_findings(&f)
                    ))
                }
            }
        }
    }

    /// The account's key groups, keys or OACs changed: the running preview checks signed URLs
    /// with them at once (spec SU rules). When the draft cannot be served with them (a behavior
    /// trusting a key group the account lacks) the tab says why and the keys in force keep
    /// serving.
    pub fn set_access(
        &mut self,
        trusted: Option<Arc<super::access::KeyMaterial>>,
        origin_access: Option<cfconsole_edge::oac::OriginAccess>,
        keys: &[(String, String)],
        generation: u64,
    ) {
        self.trusted = trusted.clone();
        self.origin_access = origin_access.clone();
        if let Some(run) = &self.running {
            match run.control.set_origin_access(origin_access) {
                Ok(()) => self.origin_warnings = run.control.origin_access_warnings(),
                Err(f) => {
                    self.error = Some(format!(
                        "The origin access controls could not be swapped in: {}",
                        cfconsole_edge::dist::render_findings(&f)
                    ))
                }
            }
        }
        self.key_choices = keys.to_vec();
        self.access_generation = generation;
        if let Some(run) = &self.running
            && let Some(t) = &trusted
        {
            match run.control.set_trusted_keys(t.trusted()) {
                Ok(()) => self.error = None,
                Err(f) => {
                    self.error = Some(format!(
                        "The key groups could not be swapped in: {}",
                        cfconsole_edge::dist::render_findings(&f)
                    ))
                }
            }
        }
    }

    /// The signing panel asked for something.
    pub fn sign_action(&mut self, a: super::sign::SignAction) {
        use super::sign::SignAction;
        match a {
            SignAction::ChooseKey => {
                let dialogs = self.dialogs.clone();
                self.tasks.spawn("choosing a private key file", async move {
                    let filters: &[(&str, &[&str])] = &[("PEM", &["pem", "key"])];
                    match dialogs.open_file("Private key (PEM)", filters).await {
                        Some(p) => Msg::SignKey(p),
                        None => Msg::Stopped,
                    }
                });
            }
            SignAction::Sign => {
                let (Some(run), Some(path)) = (&self.running, self.sign.private_key.clone()) else {
                    return;
                };
                // The URL as the tester sends it: its scheme and the distribution's domain as
                // Host (the resource a canned policy names).
                let scheme = if self.tester.https { "https" } else { "http" };
                let base = format!("{scheme}://{}", run.domain);
                let form = self.sign.clone();
                self.tasks.spawn("signing a URL", async move {
                    // The private key is read for this signing only and dropped with `pem`.
                    let r = match std::fs::read_to_string(&path) {
                        Ok(pem) => form.sign_with(&base, &pem),
                        Err(e) => Err(format!("Private key file {}: {e}", path.display())),
                    };
                    Msg::Signed(r)
                });
            }
            SignAction::UseInTester => {
                let Some(Ok(s)) = &self.sign.result else {
                    return;
                };
                let rest = s
                    .url
                    .split_once("://")
                    .and_then(|(_, r)| r.find('/').map(|i| &r[i..]))
                    .unwrap_or("/");
                let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
                self.tester.path = path.to_string();
                self.tester.query = query.to_string();
                let mut headers: Vec<String> = self
                    .tester
                    .headers
                    .lines()
                    .filter(|l| !l.trim_start().to_ascii_lowercase().starts_with("cookie:"))
                    .map(str::to_string)
                    .collect();
                if let Some(c) = &s.cookie {
                    headers.push(format!("Cookie: {c}"));
                }
                self.tester.headers = headers.join("\n");
            }
        }
    }

    /// Stops the preview (requests in flight finish).
    pub fn stop(&mut self) {
        self.generation += 1;
        self.watched
            .store(self.generation, std::sync::atomic::Ordering::Relaxed);
        if let Some(mut r) = self.running.take()
            && let Some(edge) = r.edge.take()
        {
            self.tasks.spawn("stopping the preview", async move {
                edge.stop().await;
                Msg::Stopped
            });
        }
        self.trial = None;
        self.cache.clear();
        self.selected.clear();
        self.stats.clear();
        self.after = 0;
        self.chart = Chart::default();
    }

    /// Applies task results, reads the log and counters, and swaps in the draft when it
    /// changed. Called before every frame with the open distribution's draft.
    pub fn tick(
        &mut self,
        ctx: &egui::Context,
        draft: Option<(&str, &DistributionConfig)>,
        visible: bool,
    ) {
        for m in self.tasks.drain() {
            match m {
                Msg::Started(dist, generation, r) => {
                    self.starting = false;
                    match r {
                        Ok(run) if generation == self.generation => {
                            self.log = Log {
                                filter: std::mem::take(&mut self.log.filter),
                                ..Log::default()
                            };
                            self.watch(&run.control, generation);
                            self.origin_warnings = run.control.origin_access_warnings();
                            self.running = Some(*run);
                        }
                        Ok(mut run) => {
                            // Stopped or restarted meanwhile: this one is not wanted.
                            if let Some(edge) = run.edge.take() {
                                self.tasks.detach(edge.stop());
                            }
                        }
                        Err(e) => {
                            self.error = Some(format!("The preview of {dist} did not start: {e}"))
                        }
                    }
                }
                Msg::Stopped => {}
                Msg::Folder(origin, path) => {
                    self.targets.insert(origin, Target::Folder(path));
                }
                Msg::Explained(id, r) => {
                    if id == self.trial_id
                        && let Some(t) = self.trial.as_mut()
                    {
                        if let (Ok(resp), Some(run)) = (&r, &self.running) {
                            t.ttl = Some(probe::ttl_decision(&run.control, &t.explanation, resp));
                            t.functions = run.control.take_function_runs(&format!("trial-{id}"));
                            t.refusal = run.control.take_refusal(&format!("trial-{id}"));
                        }
                        t.response = Some(r);
                        self.cache_read = None;
                    }
                }
                Msg::SignKey(p) => {
                    self.sign.private_key = Some(p);
                    self.sign.result = None;
                }
                Msg::Signed(r) => self.sign.result = Some(r),
                Msg::Invalidated(r) => {
                    self.cache_read = None;
                    self.notice = Some(match r {
                        Ok(n) => format!(
                            "Invalidated: {n} cached object{} removed",
                            if n == 1 { "" } else { "s" }
                        ),
                        Err(e) => format!("The invalidation failed: {e}"),
                    });
                }
            }
        }
        let Some(run) = self.running.as_mut() else {
            return;
        };
        // Live edits: swap in the draft when it differs from what runs.
        if let Some((id, config)) = draft
            && id == run.dist
            && *config != run.config
        {
            let refused_same = run.refused.is_some();
            match run.control.swap(config.clone()) {
                Ok(()) => {
                    run.config = config.clone();
                    run.refused = None;
                }
                Err(findings) => {
                    // The last valid configuration keeps running.
                    if !refused_same || run.refused.as_ref() != Some(&findings) {
                        run.refused = Some(findings);
                    }
                }
            }
        }
        let feed = run.control.requests_since(self.after, FEED_BATCH);
        self.after = feed.next;
        self.log.missed += feed.missed;
        self.log.extend(&feed.records);
        self.stats = run.control.behavior_stats();
        self.chart.sample(&self.stats, Instant::now());
        // New traffic wakes the window (`watch`); with none, the chart's time axis and the
        // uptime move once a second, and only while the tab is shown.
        if visible {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    /// Wakes the window when the preview has new traffic, and only then: a task reads the
    /// edge's request counter (an atomic per behavior, off the UI thread) four times a second
    /// and asks for a repaint when it moved. It ends with the preview (a newer generation).
    fn watch(&self, control: &Arc<EdgeHandle>, generation: u64) {
        let control = control.clone();
        let jobs = self.tasks.jobs().clone();
        let current = self.watched.clone();
        current.store(generation, std::sync::atomic::Ordering::Relaxed);
        self.tasks.detach(async move {
            let total =
                |c: &EdgeHandle| -> u64 { c.behavior_stats().iter().map(|s| s.requests).sum() };
            let mut seen = total(&control);
            while current.load(std::sync::atomic::Ordering::Relaxed) == generation {
                tokio::time::sleep(TRAFFIC_CHECK).await;
                let now = total(&control);
                if now != seen {
                    seen = now;
                    jobs.wake();
                }
            }
        });
    }

    /// The running preview of `dist`, for the Invalidations tab.
    pub fn cache_for(&self, dist: &str) -> Option<&dyn PreviewCache> {
        self.running
            .as_ref()
            .filter(|r| r.dist == dist)
            .map(|r| r as &dyn PreviewCache)
    }

    /// Draws the tab for distribution `dist` (domain `domain`) whose draft is `config`.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        dist: &str,
        config: &DistributionConfig,
        commands: &mut Commands,
    ) {
        ui.label(
            RichText::new(
                "The preview serves this draft the way a CloudFront edge location would, on your \
                 machine only (127.0.0.1). Edits to the draft apply to the running preview at \
                 once.",
            )
            .weak(),
        );
        self.controls(ui, dist, config, commands);
        let Some(run) = self.running.as_ref() else {
            return;
        };
        if run.dist != dist {
            return;
        }
        // spec OA-5/OA-9: said once, plainly, and kept in view while the cause lasts.
        for w in &self.origin_warnings {
            ui.colored_label(WARNING, format!("Origin access control: {w}"));
        }
        ui.add_space(6.0);
        crate::ui::form::section(ui, "Request tester");
        self.tester_view(ui, commands);
        crate::ui::form::section(ui, "Sign a URL");
        if let Some(a) = super::sign::sign_view(ui, &mut self.sign, &self.key_choices) {
            self.sign_action(a);
        }
        crate::ui::form::section(ui, "Traffic");
        self.chart_view(ui);
        crate::ui::form::section(ui, "Request log");
        self.log_view(ui);
        crate::ui::form::section(ui, "Cache");
        self.cache_view(ui, commands);
    }

    fn controls(
        &mut self,
        ui: &mut Ui,
        dist: &str,
        config: &DistributionConfig,
        commands: &mut Commands,
    ) {
        let running_here = self.serves(dist);
        // Origins and where they go.
        let origins: Vec<(String, String)> = config
            .origins
            .items
            .iter()
            .flatten()
            .map(|o| (o.id.clone(), o.domain_name.clone()))
            .collect();
        for (id, domain_name) in &origins {
            // The default is worked out once, when the origin is first shown: the folder check
            // touches the disk, which a frame should not.
            let workspace = &self.workspace;
            let target = self.targets.entry(id.clone()).or_insert_with(|| {
                workspace
                    .as_ref()
                    .map(|w| w.join(id))
                    .filter(|d| domain_name.ends_with(".localhost") && d.is_dir())
                    .map_or(Target::Real, Target::Folder)
            });
            let kind = match target {
                Target::Real => 0,
                Target::Url(_) => 1,
                Target::Folder(_) => 2,
            };
            let mut chosen = kind;
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("Origin {id} goes to")).strong());
                ui.radio_value(&mut chosen, 0, format!("{id}: its domain {domain_name}"));
                ui.radio_value(&mut chosen, 1, format!("{id}: a local URL"));
                ui.radio_value(&mut chosen, 2, format!("{id}: a local folder"));
            });
            if chosen != kind {
                *target = match chosen {
                    1 => Target::Url("http://127.0.0.1:8080".into()),
                    2 => Target::Folder(PathBuf::new()),
                    _ => Target::Real,
                };
            }
            ui.indent(("origin-target", id), |ui| match target {
                Target::Real => {
                    ui.label(
                        RichText::new(format!("Requests go to {domain_name} over the network"))
                            .weak(),
                    );
                }
                Target::Url(u) => {
                    ui.horizontal(|ui| {
                        let l = ui.label(format!("Local URL for {id}"));
                        ui.add(egui::TextEdit::singleline(u).desired_width(260.0))
                            .labelled_by(l.id);
                    });
                }
                Target::Folder(p) => {
                    ui.horizontal_wrapped(|ui| {
                        if ui.button(format!("Choose folder for {id}")).clicked() {
                            commands.push(Command::PreviewChooseFolder(id.clone()));
                        }
                        if p.as_os_str().is_empty() {
                            ui.label("no folder chosen");
                        } else {
                            // The folder's name; its whole path on hover.
                            let name = p
                                .file_name()
                                .map(|n| n.to_string_lossy().to_string())
                                .unwrap_or_else(|| p.display().to_string());
                            ui.label(format!("served like S3 from the folder {name}"))
                                .on_hover_text(p.display().to_string());
                        }
                    });
                }
            });
        }
        ui.horizontal(|ui| {
            if running_here {
                if ui.button("Stop preview").clicked() {
                    commands.push(Command::PreviewStop);
                }
                if ui
                    .button("Restart preview")
                    .on_hover_text(
                        "Start again with the origins chosen above; the cache is emptied",
                    )
                    .clicked()
                {
                    commands.push(Command::PreviewStart);
                }
            } else if self.starting {
                ui.spinner();
                ui.label("Starting the preview…");
            } else {
                let other = self.running.as_ref().map(|r| r.dist.clone());
                let label = match &other {
                    Some(o) => format!("Start preview (stops the preview of {o})"),
                    None => "Start preview".to_string(),
                };
                if ui.button(label).clicked() {
                    commands.push(Command::PreviewStart);
                }
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(ERROR, e);
        }
        let Some(run) = self.running.as_ref().filter(|r| r.dist == dist) else {
            return;
        };
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(OK, "Running:");
            for (scheme, addr) in [("http", run.http), ("https", run.https)] {
                if let Some(a) = addr {
                    let url = format!("{scheme}://{a}/");
                    ui.hyperlink_to(&url, &url).on_hover_text(
                        "Opens in the browser; HTTPS uses a certificate generated for this preview",
                    );
                }
            }
            ui.label(format!(
                "up {}",
                super::invalidations::short_duration(run.started.elapsed())
            ));
        });
        if let Some(findings) = &run.refused {
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(1.0, WARNING))
                .show(ui, |ui| {
                    ui.colored_label(
                        WARNING,
                        "The draft has errors, so the preview keeps serving the last valid version \
                         of it:",
                    );
                    for f in findings.iter().take(8) {
                        ui.label(format!("{}: {}", f.path, f.message));
                    }
                });
        } else {
            ui.label(RichText::new("Serving the current draft.").weak());
        }
    }

    fn tester_view(&mut self, ui: &mut Ui, commands: &mut Commands) {
        let t = &mut self.tester;
        egui::Grid::new("tester").num_columns(2).show(ui, |ui| {
            let l = ui.label("Method");
            egui::ComboBox::from_id_salt("tester-method")
                .selected_text(t.method.clone())
                .show_ui(ui, |ui| {
                    for m in ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] {
                        ui.selectable_value(&mut t.method, m.to_string(), m);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Request path");
            ui.add(egui::TextEdit::singleline(&mut t.path).desired_width(320.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Query string");
            ui.add(egui::TextEdit::singleline(&mut t.query).desired_width(320.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Request headers (Name: value per line)");
            ui.add(
                egui::TextEdit::multiline(&mut t.headers)
                    .desired_rows(2)
                    .desired_width(320.0),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Viewer country");
            ui.add(
                egui::TextEdit::singleline(&mut t.country)
                    .desired_width(40.0)
                    .hint_text("US"),
            )
            .labelled_by(l.id);
            ui.end_row();
            ui.label("Protocol");
            ui.horizontal(|ui| {
                ui.radio_value(&mut t.https, false, "HTTP");
                ui.radio_value(&mut t.https, true, "HTTPS");
            });
            ui.end_row();
        });
        let request = self.tester.request();
        if let Err(e) = &request {
            ui.colored_label(ERROR, e);
        }
        if ui
            .add_enabled(request.is_ok(), egui::Button::new("Send request"))
            .clicked()
        {
            commands.push(Command::PreviewSend);
        }
        self.trial_view(ui);
    }

    /// Picks the folder origin `origin` is served from, with the native dialog.
    pub fn choose_folder(&mut self, origin: String) {
        let dialogs = self.dialogs.clone();
        let what = format!("choosing the folder of origin {origin}");
        self.tasks.spawn(what, async move {
            let title = format!("Folder served as origin {origin}");
            match dialogs.pick_folder(&title).await {
                Some(p) => Msg::Folder(origin, p),
                None => Msg::Stopped,
            }
        });
    }

    /// Sends the request tester's request to the running preview over a real socket.
    pub fn send_test(&mut self) {
        if let (Ok(mut req), Some(run)) = (self.tester.request(), self.running.as_ref())
            && let Some(edge) = run.edge.as_ref()
        {
            let explanation = run.control.explain(&req);
            self.trial_id += 1;
            self.trial = Some(Trial {
                explanation,
                response: None,
                ttl: None,
                functions: Vec::new(),
                refusal: None,
            });
            let id = self.trial_id;
            // The functions' runs on this request are kept under this key for the tester.
            req.headers.push((
                cfconsole_edge::functions::TRACE_HEADER.to_string(),
                format!("trial-{id}"),
            ));
            let fut = probe::prepare(edge, &req).map(|p| p.send(Duration::from_secs(30)));
            let fut = async move {
                match fut {
                    Ok(f) => f.await,
                    Err(e) => Err(e),
                }
            };
            self.tasks.spawn("sending the test request", async move {
                Msg::Explained(id, fut.await)
            });
        }
    }

    fn trial_view(&mut self, ui: &mut Ui) {
        if let Some(t) = &self.trial
            && t.functions.is_empty()
            && self.running.as_ref().is_some_and(|r| {
                r.config
                    .default_cache_behavior
                    .function_associations
                    .is_some()
            })
        {
            ui.label(
                RichText::new(
                    "The cache key and TTL below are the request's before its viewer-request \
                     function (which runs before the cache).",
                )
                .weak(),
            );
        }
        let Some(trial) = &self.trial else {
            return;
        };
        let e = &trial.explanation;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(
                RichText::new(format!(
                    "Behavior {} ({})",
                    e.selection.pattern, e.selection.behavior
                ))
                .strong(),
            );
            for p in &e.selection.passed_over {
                ui.label(format!(
                    "Not {} (behavior {}): {} [{}]",
                    p.pattern, p.index, p.reason, p.rule
                ));
            }
            ui.label(format!("Viewer protocol: {}", e.protocol));
            if !e.method_allowed {
                ui.colored_label(
                    ERROR,
                    "Method not allowed by this behavior: 403 from the edge",
                );
            }
            if let Some(g) = &e.geo {
                ui.colored_label(ERROR, format!("Geo restriction: {g}"));
            }
            ui.label(format!(
                "Cache key: {}",
                e.cache_key
                    .as_deref()
                    .unwrap_or("none (this method is not cached)")
            ));
            ui.label(format!("TTL settings: {}", e.ttl));
            ui.label(format!("Origin: {}", e.origin));
            ui.label(format!(
                "Compression: {}",
                if e.compress { "on" } else { "off" }
            ));
            match &trial.response {
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Sending…");
                    });
                }
                Some(Err(err)) => {
                    ui.colored_label(ERROR, format!("No response: {err}"));
                }
                Some(Ok(r)) => {
                    ui.separator();
                    let x_cache = r.header("x-cache").unwrap_or("-");
                    ui.label(
                        RichText::new(format!(
                            "Response: {} {}, {x_cache}, {} bytes in {} ms",
                            r.status,
                            r.reason,
                            r.body_len,
                            r.elapsed.as_millis()
                        ))
                        .strong(),
                    );
                    if let Some(refusal) = &trial.refusal {
                        ui.colored_label(
                            ERROR,
                            format!("Refused by the signed URL check: {refusal}"),
                        );
                    }
                    if let Some(ttl) = &trial.ttl {
                        ui.label(format!("Cache decision: {ttl}"));
                    }
                    function_runs(ui, &trial.functions);
                    egui::CollapsingHeader::new("Response headers")
                        .id_salt("tester-headers")
                        .show(ui, |ui| {
                            for (n, v) in &r.headers {
                                ui.label(RichText::new(format!("{n}: {v}")).monospace());
                            }
                        });
                    let ctype = r.header("content-type").unwrap_or("");
                    let text = ctype.starts_with("text/")
                        || ctype.contains("json")
                        || ctype.contains("xml")
                        || ctype.contains("javascript");
                    if text && r.header("content-encoding").is_none() {
                        egui::CollapsingHeader::new("Response body")
                            .id_salt("tester-body")
                            .show(ui, |ui| {
                                let body = String::from_utf8_lossy(&r.body);
                                let shown: String = body.chars().take(4_000).collect();
                                ui.label(RichText::new(shown).monospace());
                            });
                    } else {
                        ui.label(format!(
                            "Body: {} bytes of {}{}",
                            r.body_len,
                            if ctype.is_empty() {
                                "unknown type"
                            } else {
                                ctype
                            },
                            r.header("content-encoding")
                                .map(|c| format!(", {c}-encoded"))
                                .unwrap_or_default()
                        ));
                    }
                }
            }
        });
    }

    fn chart_view(&mut self, ui: &mut Ui) {
        use egui_plot::{Legend, Line, Plot, PlotPoints};
        let hits: PlotPoints = self
            .chart
            .points
            .iter()
            .map(|&(t, h, _, _)| [t, h as f64])
            .collect();
        let misses: PlotPoints = self
            .chart
            .points
            .iter()
            .map(|&(t, _, m, _)| [t, m as f64])
            .collect();
        let errors: PlotPoints = self
            .chart
            .points
            .iter()
            .map(|&(t, _, _, e)| [t, e as f64])
            .collect();
        // The axes start at zero (no negative seconds or requests); the plot is labelled and
        // summed up in words for screen readers.
        let x_max = self.chart.points.back().map_or(1.0, |p| p.0).max(1.0);
        let x_min = self
            .chart
            .points
            .front()
            .map_or(0.0, |p| p.0)
            .min(x_max - 1.0);
        let y_max = self
            .chart
            .points
            .iter()
            .map(|&(_, h, m, e)| h.max(m).max(e))
            .max()
            .unwrap_or(0)
            .max(1) as f64
            * 1.1;
        let (h, m, e) = self
            .chart
            .points
            .back()
            .map_or((0, 0, 0), |p| (p.1, p.2, p.3));
        let summary = format!(
            "Traffic chart: in the last second {h} hit{}, {m} miss{}, {e} error{}",
            plural(h as usize),
            if m == 1 { "" } else { "es" },
            plural(e as usize)
        );
        let summary_label = ui.label(RichText::new(&summary).small().weak());
        Plot::new("traffic")
            .height(140.0)
            .legend(Legend::default())
            .allow_scroll(false)
            .allow_drag(false)
            .allow_zoom(false)
            .x_axis_label("seconds since start")
            .y_axis_label("requests per second")
            .show(ui, |p| {
                p.set_plot_bounds(egui_plot::PlotBounds::from_min_max(
                    [x_min, 0.0],
                    [x_max, y_max],
                ));
                p.line(Line::new("Hits", hits).color(OK));
                p.line(Line::new("Misses", misses).color(WARNING));
                p.line(Line::new("Errors", errors).color(ERROR));
            })
            .response
            .labelled_by(summary_label.id);
        egui::Grid::new("hit-ratio").striped(true).show(ui, |ui| {
            for h in [
                "Behavior",
                "Requests",
                "Hits",
                "Misses",
                "Errors",
                "Hit ratio",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for s in &self.stats {
                let hits = s.hits + s.refresh_hits;
                let cacheable = hits + s.misses;
                ui.label(&s.behavior);
                ui.label(s.requests.to_string());
                ui.label(hits.to_string());
                ui.label(s.misses.to_string());
                ui.label(s.errors.to_string());
                ui.label(if cacheable == 0 {
                    "-".to_string()
                } else {
                    format!("{:.1} %", 100.0 * hits as f64 / cacheable as f64)
                });
                ui.end_row();
            }
        });
    }

    fn log_view(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let l = ui.label("Filter the log");
            ui.add(
                egui::TextEdit::singleline(&mut self.log.filter)
                    .desired_width(220.0)
                    .hint_text("path, behavior, Hit, 404…"),
            )
            .labelled_by(l.id);
            if ui.button("Clear log").clicked() {
                let filter = std::mem::take(&mut self.log.filter);
                self.log = Log {
                    filter,
                    ..Log::default()
                };
            }
        });
        let total = self.log.total;
        let missed = self.log.missed;
        let shown = self.log.view().len();
        ui.label(format!(
            "{shown} of {} kept requests shown ({total} since the start{}; the log keeps the last \
                {LOG_CAPACITY})",
            self.log.rows.len(),
            if missed > 0 {
                format!(", {missed} passed too fast to list: the chart counts them")
            } else {
                String::new()
            }
        ));
        let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
        let log = &mut self.log;
        let view: Vec<u64> = log.view().to_vec();
        egui::ScrollArea::vertical()
            .id_salt("request-log")
            .max_height(220.0)
            .stick_to_bottom(true)
            .auto_shrink([false, true])
            .show_rows(ui, row_h, view.len(), |ui, range| {
                for &abs in &view[range] {
                    if let Some(r) = log.row(abs) {
                        let color = match r.result {
                            "Hit" | "RefreshHit" => OK,
                            "Miss" => ui.visuals().text_color(),
                            "Redirect" => ui.visuals().weak_text_color(),
                            _ => ERROR,
                        };
                        let when: chrono::DateTime<chrono::Local> = r.at.into();
                        ui.label(
                            RichText::new(format!(
                                "{} {:<7} {:<40} {:<12} {:<10} {} {:>8} B {:>7.3} s",
                                when.format("%H:%M:%S%.3f"),
                                r.method,
                                r.url,
                                r.behavior,
                                r.result,
                                r.status,
                                r.bytes,
                                r.time_taken
                            ))
                            .monospace()
                            .color(color),
                        );
                    }
                }
            });
    }

    /// Invalidates the objects selected in the cache browser, in the preview only.
    pub fn invalidate_selected(&mut self) {
        let Some(control) = self.running.as_ref().map(|r| r.control.clone()) else {
            return;
        };
        let paths: Vec<String> = self
            .cache
            .iter()
            .filter(|e| self.selected.contains(&e.key))
            .map(|e| match &e.query {
                // spec I-3: with `?`, exactly that path and query.
                Some(q) => format!("{}?{q}", e.path),
                None => e.path.clone(),
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let c = control.clone();
        self.selected.clear();
        self.tasks
            .spawn("invalidating the preview's cache", async move {
                Msg::Invalidated(
                    c.invalidate(paths, None)
                        .await
                        .map(|(inv, _)| inv.removed)
                        .map_err(|e| e.message),
                )
            });
    }

    fn cache_view(&mut self, ui: &mut Ui, commands: &mut Commands) {
        let Some(control) = self.running.as_ref().map(|r| r.control.clone()) else {
            return;
        };
        if self
            .cache_read
            .is_none_or(|t| t.elapsed() > Duration::from_secs(1))
        {
            let mut entries = control.cache_entries();
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            self.cache = entries;
            self.cache_read = Some(Instant::now());
            let keys: BTreeSet<&String> = self.cache.iter().map(|e| &e.key).collect();
            self.selected.retain(|k| keys.contains(k));
        }
        let bytes: usize = self.cache.iter().map(|e| e.bytes).sum();
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} object{} cached, {bytes} bytes",
                self.cache.len(),
                if self.cache.len() == 1 { "" } else { "s" }
            ));
            let n = self.selected.len();
            if ui
                .add_enabled(
                    n > 0,
                    egui::Button::new(format!("Invalidate selected ({n})")),
                )
                .clicked()
            {
                commands.push(Command::PreviewInvalidateSelected);
            }
        });
        if let Some(n) = &self.notice {
            ui.label(n);
        }
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let cache = &self.cache;
        let selected = &mut self.selected;
        egui::ScrollArea::vertical()
            .id_salt("cache-browser")
            .max_height(200.0)
            .auto_shrink([false, true])
            .show_rows(ui, row_h, cache.len(), |ui, range| {
                for e in &cache[range] {
                    ui.horizontal(|ui| {
                        let mut on = selected.contains(&e.key);
                        let url = match &e.query {
                            Some(q) => format!("{}?{q}", e.path),
                            None => e.path.clone(),
                        };
                        if ui.checkbox(&mut on, format!("Select {url}")).changed() {
                            if on {
                                selected.insert(e.key.clone());
                            } else {
                                selected.remove(&e.key);
                            }
                        }
                        let left = e.ttl.saturating_sub(e.age);
                        ui.label(
                            RichText::new(format!(
                                "{} B, age {} s, {} ({}), {}",
                                e.bytes,
                                e.age,
                                if e.fresh {
                                    format!("{left} s left")
                                } else {
                                    "stale".to_string()
                                },
                                e.behavior,
                                e.status
                            ))
                            .weak(),
                        )
                        .on_hover_text(format!("Cache key: {}", e.key));
                    });
                }
            });
    }
}

/// The custom policies the app has loaded, by kind.
pub type Policies = HashMap<
    cfconsole_control::PolicyKind,
    crate::ui::remote::Remote<Vec<cfconsole_control::PolicyRecord>>,
>;

/// The custom policies the app has loaded, as the edge wants them (built when the preview
/// starts or the list changes, not per frame).
pub fn policy_set(records: &Policies) -> PolicySet {
    let mut set = PolicySet::default();
    for r in records.values().filter_map(|r| r.value()).flatten() {
        r.add_to(&mut set);
    }
    set
}

/// The functions that ran on the tester's request: what each changed (a diff of the event's
/// request or response), its console output, compute utilization and error at its line.
fn function_runs(ui: &mut Ui, runs: &[cfconsole_edge::functions::Run]) {
    for r in runs {
        ui.separator();
        ui.label(
            RichText::new(format!(
                "Function {} ({}): compute utilization {}",
                r.function, r.event_type, r.compute_utilization
            ))
            .strong(),
        );
        if let Some(e) = &r.error {
            let at = r
                .error_line
                .map(|l| format!(" at line {l}"))
                .unwrap_or_default();
            ui.colored_label(ERROR, format!("Error{at}: {e}"));
        }
        for l in &r.logs {
            ui.label(RichText::new(format!("console: {l}")).monospace());
        }
        if let Some(after) = &r.after {
            let pretty =
                |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
            let diff = super::functions::line_diff(&pretty(&r.before), &pretty(after));
            let changed: Vec<_> = diff.iter().filter(|(s, _)| *s != ' ').collect();
            if changed.is_empty() {
                ui.label("It changed nothing.");
            }
            for (sign, line) in changed {
                let text = RichText::new(format!("{sign} {line}")).monospace();
                if *sign == '+' {
                    ui.colored_label(OK, text);
                } else {
                    ui.colored_label(ERROR, text);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(url: &str, result: &'static str, status: u16) -> LogRow {
        LogRow {
            at: SystemTime::UNIX_EPOCH,
            method: "GET".into(),
            url: url.into(),
            behavior: "*".into(),
            result,
            status,
            bytes: 10,
            time_taken: 0.001,
        }
    }

    #[test]
    fn the_log_is_bounded_and_its_filter_follows_new_rows() {
        let mut log = Log::default();
        for i in 0..(LOG_CAPACITY + 10) {
            log.push(row(
                &format!("/p/{i}"),
                if i % 2 == 0 { "Hit" } else { "Miss" },
                200,
            ));
        }
        assert_eq!(log.rows.len(), LOG_CAPACITY);
        assert_eq!(log.total as usize, LOG_CAPACITY + 10);
        assert_eq!(log.view().len(), LOG_CAPACITY);
        log.filter = "Miss".into();
        assert_eq!(log.view().len(), LOG_CAPACITY / 2);
        // New rows are filtered as they come, old ones leave the view with the ring: the row
        // pushed out is `/p/10`, a Hit, so the Misses grow by the new one.
        log.push(row("/new", "Miss", 404));
        let v = log.view().to_vec();
        assert_eq!(v.len(), LOG_CAPACITY / 2 + 1);
        // One more pushes out `/p/11`, a Miss: it leaves the view.
        log.push(row("/hit", "Hit", 200));
        assert_eq!(log.view().len(), LOG_CAPACITY / 2);
        assert_eq!(&*log.row(*v.last().unwrap()).unwrap().url, "/new");
        let v = log.view().to_vec();
        assert!(v.iter().all(|&i| log.row(i).is_some()));
        log.filter = "/new".into();
        assert_eq!(log.view().len(), 1);
        // A status matches its rows (and paths that contain the number).
        log.filter = "404".into();
        let v = log.view().to_vec();
        assert!(
            v.iter()
                .any(|&i| log.row(i).is_some_and(|r| r.status == 404))
        );
    }

    #[test]
    fn the_tester_names_the_field_that_is_wrong() {
        let mut t = Tester {
            path: "index.html".into(),
            ..Default::default()
        };
        assert!(t.request().unwrap_err().starts_with("Path:"));
        t.path = "/index.html".into();
        t.headers = "Accept: text/html\nbroken".into();
        assert!(t.request().unwrap_err().starts_with("Headers, line 2"));
        t.headers = "Accept: text/html".into();
        t.country = "USA".into();
        assert!(t.request().unwrap_err().starts_with("Viewer country"));
        t.country = "de".into();
        t.query = "?v=1".into();
        let r = t.request().unwrap();
        assert_eq!(r.country.as_deref(), Some("DE"));
        assert_eq!(r.query.as_deref(), Some("v=1"));
        assert_eq!(
            r.headers,
            vec![("Accept".to_string(), "text/html".to_string())]
        );
    }

    #[test]
    fn the_chart_counts_per_second_from_the_counters() {
        let mut c = Chart::default();
        let t0 = Instant::now();
        let snap = |hits, misses| Snapshot {
            behavior: "*".into(),
            requests: hits + misses,
            hits,
            refresh_hits: 0,
            misses,
            errors: 0,
            redirects: 0,
            bytes: 0,
            origin_requests: misses,
        };
        c.sample(&[snap(0, 0)], t0);
        c.sample(&[snap(5, 1)], t0 + Duration::from_millis(500));
        assert!(c.points.is_empty());
        c.sample(&[snap(10, 2)], t0 + Duration::from_millis(1000));
        assert_eq!(c.points.back().map(|p| (p.1, p.2)), Some((10, 2)));
    }
}
