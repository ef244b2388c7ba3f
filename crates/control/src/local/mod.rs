//! `LocalWorkspace`: the embedded default backend. A folder of distributions, one JSON file each
//! in the AWS CLI's `get-distribution` shape (plus a `Workspace` member with its change time and
//! its invalidations), and custom policies beside them. It behaves like CloudFront where a
//! rehearsal needs it: new ETags and refused stale ones, `InProgress` then `Deployed`,
//! invalidations `InProgress` then `Completed`, the limits of spec §15, delete only when disabled
//! and deployed. Status is computed from timestamps on read, so no background thread is needed
//! and tests move time with a [`Clock`] instead of sleeping.
//!
//! Any number of processes may use one workspace at once (the console window, its pollers, a
//! CLI): every read-modify-write (create, update with its ETag check, delete, invalidate,
//! policies) runs under an exclusive lock on `WORKSPACE/.lock`, and every file is replaced
//! atomically, so a write lands whole or is refused for its real reason (a stale ETag).
//!
//! ```text
//! WORKSPACE/
//!   distributions/E1ABCDEF234567.json
//!   policies/cache-policy/<id>.json         (get-cache-policy shape)
//!   policies/origin-request-policy/<id>.json
//!   policies/response-headers-policy/<id>.json
//!   functions/<name>.json                    (both stages; see `functions`)
//!   key-value-stores/<name>.json             (the store and its items)
//!   public-keys/<id>.json, key-groups/<id>.json, origin-access-controls/<id>.json
//!                                            (get-* shapes; see `private`)
//!   origin-access-identities/<id>.json       (legacy, read-only)
//!   sample-site/                             (the seed's origin)
//! ```

mod functions;
mod private;
pub mod store;

use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use cfconsole_functions::kvs::Items;
use cfconsole_functions::{Event, Runtime};
use cfconsole_model::invalidation::{
    MAX_INDIVIDUAL_IN_PROGRESS, MAX_WILDCARD_IN_PROGRESS, PathCounts,
};
use cfconsole_model::quotas::DISTRIBUTIONS_PER_ACCOUNT;
use cfconsole_model::{
    CachePolicy, Distribution, DistributionConfig, Document, Form, Invalidation, InvalidationBatch,
    InvalidationPath, InvalidationSummary, OriginRequestPolicy, ResponseHeadersPolicy,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{ControlError, Result};
use crate::functions::{FunctionRecord, FunctionTest, KvsItems, KvsRecord, Stage};
use crate::plane::{
    ControlPlane, DistributionList, DistributionListItem, DistributionRecord, Page, PolicyConfig,
    PolicyKind, PolicyRecord, Tag, Unreadable, check_tags, is_deployed,
};
use crate::private::{KeyGroupRecord, OacRecord, OaiRecord, PublicKeyRecord};
use crate::queue;
use cfconsole_model::private::{KeyGroupConfig, OriginAccessControlConfig, PublicKeyConfig};

pub use cfconsole_model::clock::{Clock, ManualClock, SystemClock};

/// How long the workspace pretends things take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// From a create or update to `Deployed`.
    pub deployment: Duration,
    /// From submission to `Completed`.
    pub invalidation: Duration,
}

impl Default for Timings {
    /// A few seconds, enough to see the InProgress state in the GUI and the CLI.
    fn default() -> Self {
        Self {
            deployment: Duration::from_secs(5),
            invalidation: Duration::from_secs(3),
        }
    }
}

/// The sample distribution written into a new workspace.
const SAMPLE_DISTRIBUTION: &str =
    include_str!("../../../../assets/sample-workspace/sample-distribution.json");
/// The sample site the sample distribution's origin serves, written beside it.
const SAMPLE_SITE: &[(&str, &[u8])] = &[
    (
        "index.html",
        include_bytes!("../../../../assets/sample-site/index.html"),
    ),
    (
        "404.html",
        include_bytes!("../../../../assets/sample-site/404.html"),
    ),
    (
        "css/site.css",
        include_bytes!("../../../../assets/sample-site/css/site.css"),
    ),
    (
        "images/logo.svg",
        include_bytes!("../../../../assets/sample-site/images/logo.svg"),
    ),
];

/// Invalidations per page when listing (CloudFront's default MaxItems).
const PAGE_SIZE: usize = 100;

/// Age past which a temp file is taken for the leftover of a killed writer and removed. Every
/// write is made under the workspace lock, so the age only matters for a writer that could not
/// take the lock; a write takes milliseconds.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(10 * 60);

/// A local folder that stands in for CloudFront.
pub struct LocalWorkspace {
    root: PathBuf,
    clock: Arc<dyn Clock>,
    timings: Timings,
    /// Serializes read-modify-write cycles within this process.
    lock: Mutex<()>,
}

impl std::fmt::Debug for LocalWorkspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalWorkspace")
            .field("root", &self.root)
            .field("timings", &self.timings)
            .finish_non_exhaustive()
    }
}

/// Held while the workspace is read and written; dropping it releases both locks.
struct WorkspaceGuard<'a> {
    /// The cross-process lock (released when the file is closed).
    _file: Option<fs::File>,
    _mutex: MutexGuard<'a, ()>,
}

/// The workspace's own member in a distribution file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct WorkspaceState {
    /// When the configuration last changed (Unix ms): deployment runs from here.
    changed_at_ms: u64,
    /// The distribution's invalidations, oldest first.
    #[serde(default)]
    invalidations: Vec<StoredInvalidation>,
    /// The distribution's tags (tagging changes neither the configuration nor the ETag).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Tag>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredInvalidation {
    id: String,
    create_time: String,
    created_at_ms: u64,
    invalidation_batch: InvalidationBatch,
}

/// A distribution file as read.
struct Stored {
    distribution: Distribution,
    etag: String,
    state: WorkspaceState,
}

impl LocalWorkspace {
    /// Opens (and on first use creates and seeds) the workspace at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        Self::open_with(root, Arc::new(SystemClock), Timings::default())
    }

    /// [`open`](Self::open) with an injected clock and timings.
    pub fn open_with(
        root: impl Into<PathBuf>,
        clock: Arc<dyn Clock>,
        timings: Timings,
    ) -> Result<Self> {
        let ws = Self {
            root: root.into(),
            clock,
            timings,
            lock: Mutex::new(()),
        };
        fs::create_dir_all(&ws.root).map_err(|e| ControlError::io(&ws.root, e))?;
        let dists = ws.distributions_dir();
        match ws.write_guard() {
            // Under the lock: two processes opening a new workspace seed it once, and a temp
            // file seen here belongs to no write in progress (writes hold the lock too).
            Ok(_g) => {
                if !dists.exists() {
                    ws.seed()?;
                }
                store::remove_stale_temps(&dists, STALE_TEMP_AGE);
                store::remove_stale_temps(&ws.root.join("functions"), STALE_TEMP_AGE);
                store::remove_stale_temps(&ws.root.join("key-value-stores"), STALE_TEMP_AGE);
                for dir in ["public-keys", "key-groups", "origin-access-controls"] {
                    store::remove_stale_temps(&ws.root.join(dir), STALE_TEMP_AGE);
                }
                for kind in PolicyKind::ALL {
                    store::remove_stale_temps(&ws.policy_dir(kind), STALE_TEMP_AGE);
                }
            }
            // A read-only workspace is read as it is; its writes fail with the reason.
            Err(_) if dists.is_dir() => {}
            Err(e) => return Err(e),
        }
        Ok(ws)
    }

    /// The platform's default workspace folder (`~/.local/share/cfconsole/workspace` on Linux).
    pub fn default_root() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "cfconsole").map(|d| d.data_dir().join("workspace"))
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file holding distribution `id`.
    pub fn distribution_path(&self, id: &str) -> PathBuf {
        self.distributions_dir().join(format!("{id}.json"))
    }

    fn distributions_dir(&self) -> PathBuf {
        self.root.join("distributions")
    }

    fn policy_dir(&self, kind: PolicyKind) -> PathBuf {
        self.root.join("policies").join(kind.as_str())
    }

    /// Serializes read-modify-write cycles: a mutex within this process, and an exclusive
    /// advisory lock on `WORKSPACE/.lock` across processes (the GUI and a CLI on one workspace),
    /// so an ETag check and the write after it cannot interleave with another writer's. Fails
    /// when the lock cannot be taken: writing without it could lose another process's write.
    fn write_guard(&self) -> Result<WorkspaceGuard<'_>> {
        // A panic in another holder leaves no half-done state on disk (writes are atomic).
        let mutex = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let path = self.root.join(".lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| ControlError::io(&path, e))?;
        file.lock().map_err(|e| ControlError::io(&path, e))?;
        Ok(WorkspaceGuard {
            _file: Some(file),
            _mutex: mutex,
        })
    }

    /// [`write_guard`](Self::write_guard) for reads, best effort: a read-only workspace (where
    /// no `.lock` can be created) still reads, each file whole (files are replaced by rename).
    fn read_guard(&self) -> WorkspaceGuard<'_> {
        let mutex = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join(".lock"))
            .ok()
            .filter(|f| f.lock().is_ok());
        WorkspaceGuard {
            _file: file,
            _mutex: mutex,
        }
    }

    /// First use: the sample site and one distribution whose origin is that site.
    fn seed(&self) -> Result<()> {
        let site = self.root.join("sample-site");
        for (name, bytes) in SAMPLE_SITE {
            store::write_atomic(&site.join(name), bytes)?;
        }
        let doc =
            Document::from_json(SAMPLE_DISTRIBUTION).map_err(|e| ControlError::CorruptFile {
                path: PathBuf::from("assets/sample-workspace/sample-distribution.json"),
                detail: e.to_string(),
            })?;
        fs::create_dir_all(self.distributions_dir())
            .map_err(|e| ControlError::io(self.distributions_dir(), e))?;
        let now = self.clock.now();
        let id = doc.id().map(str::to_string).unwrap_or_else(|| new_id('E'));
        let distribution = Distribution {
            id: id.clone(),
            arn: arn(&id),
            status: "Deployed".into(),
            last_modified_time: iso(now),
            in_progress_invalidation_batches: 0,
            domain_name: domain(&id),
            distribution_config: doc.config,
            ..Default::default()
        };
        // Seeded as already deployed: the first thing a newcomer sees should be at rest.
        let state = WorkspaceState {
            changed_at_ms: unix_ms(now).saturating_sub(ms(self.timings.deployment)),
            invalidations: Vec::new(),
            tags: Vec::new(),
        };
        self.write(&Stored {
            distribution,
            etag: new_id('E'),
            state,
        })
    }

    fn read(&self, id: &str) -> Result<Stored> {
        let path = self.distribution_path(id);
        let text = match crate::file::read_text(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ControlError::NotFound {
                    what: format!("distribution {id}"),
                });
            }
            Err(e) => return Err(ControlError::io(path, e)),
        };
        let mut stored = parse_stored(&path, &text)?;
        if stored.distribution.id != id {
            return Err(ControlError::CorruptFile {
                path,
                detail: format!(
                    "it holds distribution {:?}, but its name says {id}",
                    stored.distribution.id
                ),
            });
        }
        self.refresh(&mut stored);
        Ok(stored)
    }

    /// Status is a function of time: recompute it on every read.
    fn refresh(&self, s: &mut Stored) {
        let now = unix_ms(self.clock.now());
        s.distribution.status = if now >= s.state.changed_at_ms + ms(self.timings.deployment) {
            "Deployed"
        } else {
            "InProgress"
        }
        .into();
        s.distribution.in_progress_invalidation_batches =
            i32::try_from(self.in_progress(s).count()).unwrap_or(i32::MAX);
    }

    fn invalidation_status(&self, inv: &StoredInvalidation) -> &'static str {
        let now = unix_ms(self.clock.now());
        if now >= inv.created_at_ms + ms(self.timings.invalidation) {
            "Completed"
        } else {
            "InProgress"
        }
    }

    fn in_progress<'a>(&'a self, s: &'a Stored) -> impl Iterator<Item = &'a StoredInvalidation> {
        s.state
            .invalidations
            .iter()
            .filter(|i| self.invalidation_status(i) == "InProgress")
    }

    fn write(&self, s: &Stored) -> Result<()> {
        let mut meta = s.distribution.clone();
        meta.distribution_config = DistributionConfig::default();
        let doc = Document {
            config: s.distribution.distribution_config.clone(),
            etag: Some(s.etag.clone()),
            distribution: Some(meta),
            location: None,
            form: Form::GetDistribution,
        };
        let mut value = doc.to_value();
        if let Value::Object(top) = &mut value {
            top.insert("Workspace".into(), to_json(&s.state)?);
        }
        let mut text =
            serde_json::to_string_pretty(&value).map_err(|e| ControlError::Other(e.to_string()))?;
        text.push('\n');
        store::write_atomic(&self.distribution_path(&s.distribution.id), text.as_bytes())
    }

    fn all_ids(&self) -> Result<Vec<String>> {
        let dir = self.distributions_dir();
        let entries = fs::read_dir(&dir).map_err(|e| ControlError::io(&dir, e))?;
        let mut ids: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    return None;
                }
                name.strip_suffix(".json").map(str::to_string)
            })
            .collect();
        ids.sort();
        Ok(ids)
    }

    fn record(s: Stored) -> DistributionRecord {
        DistributionRecord {
            distribution: s.distribution,
            etag: s.etag,
        }
    }

    /// CNAMEAlreadyExists: an alias may belong to one distribution only.
    fn check_aliases(&self, config: &DistributionConfig, except: Option<&str>) -> Result<()> {
        let Some(aliases) = &config.aliases else {
            return Ok(());
        };
        for other in self.all_ids()? {
            if Some(other.as_str()) == except {
                continue;
            }
            let o = self.read(&other)?;
            if let Some(theirs) = &o.distribution.distribution_config.aliases
                && let Some(a) = aliases
                    .iter()
                    .find(|a| theirs.iter().any(|t| t.eq_ignore_ascii_case(a)))
            {
                return Err(ControlError::CnameAlreadyExists {
                    detail: format!("{a} is an alias of distribution {other}"),
                });
            }
        }
        Ok(())
    }

    fn check_etag(what: String, current: &str, sent: &str) -> Result<()> {
        if current == sent {
            Ok(())
        } else {
            Err(ControlError::PreconditionFailed {
                what,
                sent: sent.to_string(),
            })
        }
    }

    /// Names of the `*.json` files of a folder (hidden ones left out), sorted; none when it
    /// does not exist. Policies, functions and stores are each a folder of such files.
    fn names_in(dir: &Path) -> Vec<String> {
        let Ok(entries) = fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (!name.starts_with('.'))
                    .then(|| name.strip_suffix(".json").map(str::to_string))
                    .flatten()
            })
            .collect();
        names.sort();
        names
    }

    fn read_policy(&self, kind: PolicyKind, id: &str) -> Result<PolicyRecord> {
        let path = self.policy_dir(kind).join(format!("{id}.json"));
        let text = match crate::file::read_text(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ControlError::NotFound {
                    what: format!("{} {id}", kind.as_str()),
                });
            }
            Err(e) => return Err(ControlError::io(path, e)),
        };
        parse_policy(kind, &path, &text)
    }

    fn write_policy(&self, rec: &PolicyRecord) -> Result<()> {
        let (key, body) = match &rec.config {
            PolicyConfig::Cache(c) => (
                "CachePolicy",
                to_json(&CachePolicy {
                    id: rec.id.clone(),
                    last_modified_time: rec.last_modified.clone(),
                    cache_policy_config: c.clone(),
                })?,
            ),
            PolicyConfig::OriginRequest(c) => (
                "OriginRequestPolicy",
                to_json(&OriginRequestPolicy {
                    id: rec.id.clone(),
                    last_modified_time: rec.last_modified.clone(),
                    origin_request_policy_config: c.clone(),
                })?,
            ),
            PolicyConfig::ResponseHeaders(c) => (
                "ResponseHeadersPolicy",
                to_json(&ResponseHeadersPolicy {
                    id: rec.id.clone(),
                    last_modified_time: rec.last_modified.clone(),
                    response_headers_policy_config: c.clone(),
                })?,
            ),
        };
        let mut top = Map::new();
        top.insert("ETag".into(), Value::String(rec.etag.clone()));
        top.insert(key.into(), body);
        let mut text = serde_json::to_string_pretty(&Value::Object(top))
            .map_err(|e| ControlError::Other(e.to_string()))?;
        text.push('\n');
        let path = self
            .policy_dir(rec.config.kind())
            .join(format!("{}.json", rec.id));
        store::write_atomic(&path, text.as_bytes())
    }
}

fn parse_stored(path: &Path, text: &str) -> Result<Stored> {
    let corrupt = |detail: String| ControlError::CorruptFile {
        path: path.to_path_buf(),
        detail,
    };
    let value = cfconsole_model::json::parse(text).map_err(|e| corrupt(e.to_string()))?;
    let Value::Object(mut top) = value else {
        return Err(corrupt("expected a JSON object".into()));
    };
    // A hand-written get-distribution file without our member is accepted: deployed, no history.
    let state = match top.remove("Workspace") {
        Some(v) => serde_json::from_value::<WorkspaceState>(v)
            .map_err(|e| corrupt(format!("Workspace: {e}")))?,
        None => WorkspaceState::default(),
    };
    let doc = Document::from_value(Value::Object(top)).map_err(|e| corrupt(e.to_string()))?;
    let (Some(mut distribution), Some(etag)) = (doc.distribution, doc.etag) else {
        return Err(corrupt(
            "expected the `aws cloudfront get-distribution` shape: {\"ETag\", \"Distribution\"}"
                .into(),
        ));
    };
    distribution.distribution_config = doc.config;
    Ok(Stored {
        distribution,
        etag,
        state,
    })
}

fn parse_policy(kind: PolicyKind, path: &Path, text: &str) -> Result<PolicyRecord> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase", deny_unknown_fields)]
    struct File {
        #[serde(rename = "ETag")]
        etag: String,
        cache_policy: Option<CachePolicy>,
        origin_request_policy: Option<OriginRequestPolicy>,
        response_headers_policy: Option<ResponseHeadersPolicy>,
    }
    let corrupt = |detail: String| ControlError::CorruptFile {
        path: path.to_path_buf(),
        detail,
    };
    let value = cfconsole_model::json::parse(text).map_err(|e| corrupt(e.to_string()))?;
    let f: File = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    let (id, last_modified, config) = match (
        kind,
        f.cache_policy,
        f.origin_request_policy,
        f.response_headers_policy,
    ) {
        (PolicyKind::Cache, Some(p), None, None) => (
            p.id,
            p.last_modified_time,
            PolicyConfig::Cache(p.cache_policy_config),
        ),
        (PolicyKind::OriginRequest, None, Some(p), None) => (
            p.id,
            p.last_modified_time,
            PolicyConfig::OriginRequest(p.origin_request_policy_config),
        ),
        (PolicyKind::ResponseHeaders, None, None, Some(p)) => (
            p.id,
            p.last_modified_time,
            PolicyConfig::ResponseHeaders(p.response_headers_policy_config),
        ),
        _ => {
            return Err(corrupt(format!(
                "expected exactly one policy of kind {} beside the ETag",
                kind.as_str()
            )));
        }
    };
    Ok(PolicyRecord {
        id,
        last_modified,
        etag: f.etag,
        config,
    })
}

fn to_json<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| ControlError::Other(e.to_string()))
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// ISO 8601 in UTC with milliseconds, as CloudFront writes times.
fn iso(t: SystemTime) -> String {
    DateTime::from(t)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// An id in CloudFront's style: a letter and 13 upper-case letters or digits.
fn new_id(prefix: char) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(unix_ms(SystemTime::now()));
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let mut x = h.finish();
    let mut id = String::with_capacity(14);
    id.push(prefix);
    for _ in 0..13 {
        id.push(char::from(ALPHABET[(x % 36) as usize]));
        x /= 36;
        if x == 0 {
            x = h.finish().rotate_left(17) | 1;
        }
    }
    id
}

fn arn(id: &str) -> String {
    format!("arn:aws:cloudfront::000000000000:distribution/{id}")
}

fn domain(id: &str) -> String {
    format!("{}.cloudfront.net", id.to_ascii_lowercase())
}

fn list_item(d: &Distribution) -> DistributionListItem {
    let c = &d.distribution_config;
    DistributionListItem {
        id: d.id.clone(),
        domain_name: d.domain_name.clone(),
        aliases: c
            .aliases
            .as_ref()
            .map(|a| a.items().to_vec())
            .unwrap_or_default(),
        status: d.status.clone(),
        enabled: c.enabled,
        comment: c.comment.clone(),
        last_modified: d.last_modified_time.clone(),
    }
}

fn rejected(code: &str, detail: impl Into<String>) -> ControlError {
    ControlError::Rejected {
        code: code.into(),
        detail: detail.into(),
    }
}

#[async_trait]
impl ControlPlane for LocalWorkspace {
    fn describe(&self) -> String {
        format!("local workspace {}", self.root.display())
    }

    async fn list_distributions(&self) -> Result<DistributionList> {
        let _g = self.read_guard();
        let mut list = DistributionList::default();
        for id in self.all_ids()? {
            match self.read(&id) {
                Ok(s) => list.items.push(list_item(&s.distribution)),
                // Removed by hand since the folder was listed: not there, not a problem.
                Err(ControlError::NotFound { .. }) => {}
                Err(e) => list.unreadable.push(Unreadable {
                    id,
                    problem: e.to_string(),
                }),
            }
        }
        Ok(list)
    }

    async fn get_distribution(&self, id: &str) -> Result<DistributionRecord> {
        let _g = self.read_guard();
        self.read(id).map(Self::record)
    }

    async fn create_distribution(&self, config: DistributionConfig) -> Result<DistributionRecord> {
        let _g = self.write_guard()?;
        let ids = self.all_ids()?;
        if ids.len() >= DISTRIBUTIONS_PER_ACCOUNT {
            return Err(rejected(
                "TooManyDistributions",
                format!(
                    "the workspace holds {} distributions, CloudFront's quota per account \
                     ({DISTRIBUTIONS_PER_ACCOUNT}); delete one first",
                    ids.len()
                ),
            ));
        }
        for other in ids {
            let o = self.read(&other)?;
            if o.distribution.distribution_config.caller_reference == config.caller_reference {
                return Err(rejected(
                    "DistributionAlreadyExists",
                    format!(
                        "distribution {other} was created with caller reference {:?}",
                        config.caller_reference
                    ),
                ));
            }
        }
        self.check_aliases(&config, None)?;
        self.check_references(&config)?;
        let now = self.clock.now();
        let id = new_id('E');
        let mut stored = Stored {
            distribution: Distribution {
                id: id.clone(),
                arn: arn(&id),
                status: "InProgress".into(),
                last_modified_time: iso(now),
                in_progress_invalidation_batches: 0,
                domain_name: domain(&id),
                distribution_config: config,
                ..Default::default()
            },
            etag: new_id('E'),
            state: WorkspaceState {
                changed_at_ms: unix_ms(now),
                invalidations: Vec::new(),
                tags: Vec::new(),
            },
        };
        self.write(&stored)?;
        self.refresh(&mut stored);
        Ok(Self::record(stored))
    }

    async fn update_distribution(
        &self,
        id: &str,
        config: DistributionConfig,
        if_match: &str,
    ) -> Result<DistributionRecord> {
        let _g = self.write_guard()?;
        let mut s = self.read(id)?;
        Self::check_etag(format!("distribution {id}"), &s.etag, if_match)?;
        if s.distribution.distribution_config.caller_reference != config.caller_reference {
            return Err(rejected(
                "IllegalUpdate",
                "CallerReference cannot change in an update; keep the one the distribution was \
                 created with",
            ));
        }
        self.check_aliases(&config, Some(id))?;
        self.check_references(&config)?;
        let now = self.clock.now();
        s.distribution.distribution_config = config;
        s.distribution.last_modified_time = iso(now);
        s.state.changed_at_ms = unix_ms(now);
        s.etag = new_id('E');
        self.write(&s)?;
        self.refresh(&mut s);
        Ok(Self::record(s))
    }

    async fn delete_distribution(&self, id: &str, if_match: &str) -> Result<()> {
        let _g = self.write_guard()?;
        let s = self.read(id)?;
        Self::check_etag(format!("distribution {id}"), &s.etag, if_match)?;
        if s.distribution.distribution_config.enabled || !is_deployed(&s.distribution.status) {
            return Err(ControlError::DistributionNotDisabled { id: id.into() });
        }
        let path = self.distribution_path(id);
        fs::remove_file(&path).map_err(|e| ControlError::io(path, e))
    }

    async fn list_tags(&self, id: &str) -> Result<Vec<Tag>> {
        let _g = self.read_guard();
        Ok(self.read(id)?.state.tags)
    }

    async fn set_tags(&self, id: &str, tags: Vec<Tag>) -> Result<()> {
        check_tags(&tags)?;
        let _g = self.write_guard()?;
        let mut s = self.read(id)?;
        s.state.tags = tags;
        self.write(&s)
    }

    async fn create_invalidation(
        &self,
        distribution_id: &str,
        batch: InvalidationBatch,
    ) -> Result<Invalidation> {
        let _g = self.write_guard()?;
        let mut s = self.read(distribution_id)?;
        // spec I-12: Quantity must equal the number of Items.
        if !batch.paths.is_consistent() {
            return Err(rejected(
                "InconsistentQuantities",
                format!(
                    "Paths.Quantity is {} but {} paths are listed",
                    batch.paths.quantity,
                    batch.paths.len()
                ),
            ));
        }
        if batch.paths.is_empty() {
            return Err(rejected(
                "InvalidArgument",
                "an invalidation needs at least one path",
            ));
        }
        if let Some(problem) = batch
            .paths
            .iter()
            .find_map(|p| InvalidationPath::parse(p).err().map(|e| e.to_string()))
        {
            return Err(rejected("InvalidArgument", problem));
        }
        // spec I-11: a reused CallerReference returns the existing invalidation when the paths
        // are the same, and is refused when they differ.
        if let Some(existing) = s
            .state
            .invalidations
            .iter()
            .find(|i| i.invalidation_batch.caller_reference == batch.caller_reference)
        {
            if existing.invalidation_batch.paths.items() == batch.paths.items() {
                return Ok(self.invalidation(existing));
            }
            return Err(ControlError::InvalidationBatchAlreadyExists {
                caller_reference: batch.caller_reference,
            });
        }
        // spec I-8: independent limits on individual and wildcard paths in progress.
        let PathCounts {
            individual: busy_i,
            wildcard: busy_w,
        } = queue::count(
            self.in_progress(&s)
                .flat_map(|i| i.invalidation_batch.paths.iter()),
        );
        let PathCounts {
            individual: new_i,
            wildcard: new_w,
        } = queue::count(batch.paths.iter());
        // A batch that could never fit, even with nothing in progress, is BatchTooLarge (413),
        // not a reason to wait.
        if new_i > MAX_INDIVIDUAL_IN_PROGRESS || new_w > MAX_WILDCARD_IN_PROGRESS {
            return Err(rejected(
                "BatchTooLarge",
                format!(
                    "{new_i} individual and {new_w} wildcard paths in one batch; at most {} and \
                     {} are accepted (spec I-8): split it (cfconsole invalidate does)",
                    MAX_INDIVIDUAL_IN_PROGRESS, MAX_WILDCARD_IN_PROGRESS
                ),
            ));
        }
        if busy_i + new_i > MAX_INDIVIDUAL_IN_PROGRESS {
            return Err(ControlError::TooManyInvalidationsInProgress {
                id: distribution_id.into(),
                detail: format!(
                    "{busy_i} individual paths in progress + {new_i} new > {}",
                    MAX_INDIVIDUAL_IN_PROGRESS
                ),
            });
        }
        if busy_w + new_w > MAX_WILDCARD_IN_PROGRESS {
            return Err(ControlError::TooManyInvalidationsInProgress {
                id: distribution_id.into(),
                detail: format!(
                    "{busy_w} wildcard paths in progress + {new_w} new > {}",
                    MAX_WILDCARD_IN_PROGRESS
                ),
            });
        }
        let now = self.clock.now();
        let inv = StoredInvalidation {
            id: new_id('I'),
            create_time: iso(now),
            created_at_ms: unix_ms(now),
            invalidation_batch: batch,
        };
        let out = self.invalidation(&inv);
        s.state.invalidations.push(inv);
        self.write(&s)?;
        Ok(out)
    }

    async fn list_invalidations(
        &self,
        distribution_id: &str,
        marker: Option<String>,
    ) -> Result<Page<InvalidationSummary>> {
        let _g = self.read_guard();
        let s = self.read(distribution_id)?;
        let newest_first: Vec<&StoredInvalidation> = s.state.invalidations.iter().rev().collect();
        let start = match marker.filter(|m| !m.is_empty()) {
            None => 0,
            Some(m) => newest_first
                .iter()
                .position(|i| i.id == m)
                .map(|p| p + 1)
                .ok_or_else(|| rejected("InvalidArgument", format!("unknown marker {m:?}")))?,
        };
        let items: Vec<InvalidationSummary> = newest_first
            .iter()
            .skip(start)
            .take(PAGE_SIZE)
            .map(|i| InvalidationSummary {
                id: i.id.clone(),
                create_time: i.create_time.clone(),
                status: self.invalidation_status(i).into(),
            })
            .collect();
        let next_marker = (start + items.len() < newest_first.len())
            .then(|| items.last().map(|i| i.id.clone()))
            .flatten();
        Ok(Page { items, next_marker })
    }

    async fn get_invalidation(&self, distribution_id: &str, id: &str) -> Result<Invalidation> {
        let _g = self.read_guard();
        let s = self.read(distribution_id)?;
        s.state
            .invalidations
            .iter()
            .find(|i| i.id == id)
            .map(|i| self.invalidation(i))
            .ok_or_else(|| ControlError::NotFound {
                what: format!("invalidation {id} of distribution {distribution_id}"),
            })
    }

    async fn list_policies(&self, kind: PolicyKind) -> Result<Vec<PolicyRecord>> {
        let _g = self.read_guard();
        Self::names_in(&self.policy_dir(kind))
            .iter()
            .map(|id| self.read_policy(kind, id))
            .collect()
    }

    async fn get_policy(&self, kind: PolicyKind, id: &str) -> Result<PolicyRecord> {
        let _g = self.read_guard();
        self.read_policy(kind, id)
    }

    async fn create_policy(&self, config: PolicyConfig) -> Result<PolicyRecord> {
        let _g = self.write_guard()?;
        let kind = config.kind();
        // CloudFront refuses a second policy of the same kind with the same name.
        if let Ok(entries) = fs::read_dir(self.policy_dir(kind)) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(id) = name
                    .strip_suffix(".json")
                    .filter(|_| !name.starts_with('.'))
                    && self.read_policy(kind, id)?.config.name() == config.name()
                {
                    return Err(rejected(
                        "PolicyAlreadyExists",
                        format!("a {} named {:?} exists: {id}", kind.as_str(), config.name()),
                    ));
                }
            }
        }
        let rec = PolicyRecord {
            id: new_id('P').to_ascii_lowercase(),
            last_modified: iso(self.clock.now()),
            etag: new_id('E'),
            config,
        };
        self.write_policy(&rec)?;
        Ok(rec)
    }

    async fn update_policy(
        &self,
        id: &str,
        config: PolicyConfig,
        if_match: &str,
    ) -> Result<PolicyRecord> {
        let _g = self.write_guard()?;
        let kind = config.kind();
        let current = self.read_policy(kind, id)?;
        Self::check_etag(format!("{} {id}", kind.as_str()), &current.etag, if_match)?;
        let rec = PolicyRecord {
            id: id.into(),
            last_modified: iso(self.clock.now()),
            etag: new_id('E'),
            config,
        };
        self.write_policy(&rec)?;
        Ok(rec)
    }

    async fn list_functions(&self, stage: Option<Stage>) -> Result<Vec<FunctionRecord>> {
        self.list_functions_local(stage)
    }

    async fn describe_function(&self, name: &str, stage: Stage) -> Result<FunctionRecord> {
        self.describe_function_local(name, stage)
    }

    async fn get_function_code(&self, name: &str, stage: Stage) -> Result<(String, String)> {
        self.function_code_local(name, stage)
    }

    async fn create_function(
        &self,
        name: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord> {
        self.create_function_local(name, comment, runtime, kvs_arn, code)
    }

    async fn update_function(
        &self,
        name: &str,
        if_match: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord> {
        self.update_function_local(name, if_match, comment, runtime, kvs_arn, code)
    }

    async fn publish_function(&self, name: &str, if_match: &str) -> Result<FunctionRecord> {
        self.publish_function_local(name, if_match)
    }

    async fn test_function(
        &self,
        name: &str,
        if_match: &str,
        stage: Stage,
        event: Event,
    ) -> Result<FunctionTest> {
        self.test_function_local(name, if_match, stage, &event)
    }

    async fn delete_function(&self, name: &str, if_match: &str) -> Result<()> {
        self.delete_function_local(name, if_match)
    }

    async fn list_kvs(&self) -> Result<Vec<KvsRecord>> {
        self.list_kvs_local()
    }

    async fn describe_kvs(&self, name: &str) -> Result<KvsRecord> {
        self.describe_kvs_local(name)
    }

    async fn create_kvs(
        &self,
        name: &str,
        comment: &str,
        import: Option<Items>,
    ) -> Result<KvsRecord> {
        self.create_kvs_local(name, comment, import)
    }

    async fn update_kvs(&self, name: &str, if_match: &str, comment: &str) -> Result<KvsRecord> {
        self.update_kvs_local(name, if_match, comment)
    }

    async fn delete_kvs(&self, name: &str, if_match: &str) -> Result<()> {
        self.delete_kvs_local(name, if_match)
    }

    async fn kvs_items(&self, arn: &str) -> Result<KvsItems> {
        self.kvs_items_local(arn)
    }

    async fn kvs_get(&self, arn: &str, key: &str) -> Result<Option<String>> {
        self.kvs_get_local(arn, key)
    }

    async fn kvs_put(&self, arn: &str, if_match: &str, key: &str, value: &str) -> Result<String> {
        self.kvs_update_local(arn, if_match, &[(key.into(), value.into())], &[])
    }

    async fn kvs_delete(&self, arn: &str, if_match: &str, key: &str) -> Result<String> {
        self.kvs_update_local(arn, if_match, &[], &[key.into()])
    }

    async fn kvs_update(
        &self,
        arn: &str,
        if_match: &str,
        puts: Vec<(String, String)>,
        deletes: Vec<String>,
    ) -> Result<String> {
        self.kvs_update_local(arn, if_match, &puts, &deletes)
    }

    async fn list_public_keys(&self) -> Result<Vec<PublicKeyRecord>> {
        self.list_public_keys_local()
    }

    async fn get_public_key(&self, id: &str) -> Result<PublicKeyRecord> {
        self.get_public_key_local(id)
    }

    async fn create_public_key(&self, config: PublicKeyConfig) -> Result<PublicKeyRecord> {
        self.create_public_key_local(config)
    }

    async fn update_public_key(
        &self,
        id: &str,
        if_match: &str,
        config: PublicKeyConfig,
    ) -> Result<PublicKeyRecord> {
        self.update_public_key_local(id, if_match, config)
    }

    async fn delete_public_key(&self, id: &str, if_match: &str) -> Result<()> {
        self.delete_public_key_local(id, if_match)
    }

    async fn list_key_groups(&self) -> Result<Vec<KeyGroupRecord>> {
        self.list_key_groups_local()
    }

    async fn get_key_group(&self, id: &str) -> Result<KeyGroupRecord> {
        self.get_key_group_local(id)
    }

    async fn create_key_group(&self, config: KeyGroupConfig) -> Result<KeyGroupRecord> {
        self.create_key_group_local(config)
    }

    async fn update_key_group(
        &self,
        id: &str,
        if_match: &str,
        config: KeyGroupConfig,
    ) -> Result<KeyGroupRecord> {
        self.update_key_group_local(id, if_match, config)
    }

    async fn delete_key_group(&self, id: &str, if_match: &str) -> Result<()> {
        self.delete_key_group_local(id, if_match)
    }

    async fn list_origin_access_controls(&self) -> Result<Vec<OacRecord>> {
        self.list_oacs_local()
    }

    async fn get_origin_access_control(&self, id: &str) -> Result<OacRecord> {
        self.get_oac_local(id)
    }

    async fn create_origin_access_control(
        &self,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord> {
        self.create_oac_local(config)
    }

    async fn update_origin_access_control(
        &self,
        id: &str,
        if_match: &str,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord> {
        self.update_oac_local(id, if_match, config)
    }

    async fn delete_origin_access_control(&self, id: &str, if_match: &str) -> Result<()> {
        self.delete_oac_local(id, if_match)
    }

    async fn list_origin_access_identities(&self) -> Result<Vec<OaiRecord>> {
        self.list_oais_local()
    }
}

impl LocalWorkspace {
    fn invalidation(&self, i: &StoredInvalidation) -> Invalidation {
        Invalidation {
            id: i.id.clone(),
            status: self.invalidation_status(i).into(),
            create_time: i.create_time.clone(),
            invalidation_batch: i.invalidation_batch.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
