//! A distribution's draft: the configuration the backend has (with its ETag), the edited one,
//! the undo history between them, the findings of the edited one, and its autosave file.
//!
//! Pure apart from [`DraftFile`]'s read and write, so it is tested without egui. Every edit
//! goes through [`Draft::commit`], which records one undo step (typing into one field within
//! [`COALESCE`] is one step), revalidates, and marks the draft for saving.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cfconsole_model::{DistributionConfig, Finding, Severity, diff};
use serde::{Deserialize, Serialize};

use crate::ui::secrets::Vault;

/// Edits of one field closer together than this are one undo step.
pub const COALESCE: Duration = Duration::from_millis(1000);
/// How long after an edit the draft is written to disk (the goal: within a second).
pub const SAVE_DELAY: Duration = Duration::from_millis(300);
/// Undo steps kept per draft.
const UNDO_LIMIT: usize = 500;

/// One distribution's draft.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The distribution id.
    pub id: String,
    /// What the backend has, as last loaded.
    pub base: DistributionConfig,
    /// The ETag of `base`: what Publish sends as If-Match.
    pub etag: String,
    /// The edited configuration. Views edit it in place, then call [`Draft::commit`].
    pub config: DistributionConfig,
    /// The configuration as of the last commit (top of the undo history).
    committed: DistributionConfig,
    undo: Vec<DistributionConfig>,
    redo: Vec<DistributionConfig>,
    last_edit: Option<(String, Instant)>,
    /// The findings of `config`.
    pub checks: Checks,
    /// The diff `base → config`, and whether they differ: worked out on each change rather than
    /// on each frame (the status bar, the header and the action bar all show them).
    changes: Vec<cfconsole_model::Change>,
    edited: bool,
    /// When the draft must next be written to disk.
    pub save_due: Option<Instant>,
    /// When it was last written.
    pub saved_at: Option<SystemTime>,
    /// Bumped on every change of `config`, so views can cache what they derive from it.
    pub revision: u64,
}

impl Draft {
    /// A clean draft of what the backend has.
    pub fn new(id: impl Into<String>, base: DistributionConfig, etag: impl Into<String>) -> Self {
        let mut d = Self {
            id: id.into(),
            config: base.clone(),
            committed: base.clone(),
            base,
            etag: etag.into(),
            undo: Vec::new(),
            redo: Vec::new(),
            last_edit: None,
            checks: Checks::default(),
            changes: Vec::new(),
            edited: false,
            save_due: None,
            saved_at: None,
            revision: 0,
        };
        d.revalidate();
        d
    }

    /// A draft restored from its autosave file.
    pub fn restored(file: DraftFile) -> Self {
        let mut d = Self::new(file.id, file.base, file.etag);
        d.config = file.draft.clone();
        d.committed = file.draft;
        d.saved_at = Some(UNIX_EPOCH + Duration::from_millis(file.saved_at_ms));
        d.revalidate();
        d
    }

    /// Records the edits made to `config` since the last commit as one undo step (or merges
    /// them into the previous step when the same `field` was edited within [`COALESCE`]).
    /// Returns false when nothing changed.
    pub fn commit(&mut self, field: &str, now: Instant) -> bool {
        if self.config == self.committed {
            return false;
        }
        let coalesce = self
            .last_edit
            .as_ref()
            .is_some_and(|(f, at)| f == field && now.duration_since(*at) < COALESCE)
            && !self.undo.is_empty();
        if !coalesce {
            self.undo.push(self.committed.clone());
            if self.undo.len() > UNDO_LIMIT {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.committed = self.config.clone();
        self.last_edit = Some((field.to_string(), now));
        self.changed(now);
        true
    }

    /// Goes back one step; false when there is nothing to undo.
    pub fn undo(&mut self, now: Instant) -> bool {
        // An edit not yet committed is committed first, so undo never loses it for redo.
        self.commit("", now);
        let Some(prev) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(&mut self.config, prev));
        self.committed = self.config.clone();
        self.last_edit = None;
        self.changed(now);
        true
    }

    /// Goes forward one step; false when there is nothing to redo.
    pub fn redo(&mut self, now: Instant) -> bool {
        let Some(next) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(&mut self.config, next));
        self.committed = self.config.clone();
        self.last_edit = None;
        self.changed(now);
        true
    }

    /// Replaces the whole draft (an import, a re-applied merge) as one undo step.
    pub fn replace(&mut self, config: DistributionConfig, now: Instant) {
        self.config = config;
        self.last_edit = None;
        self.commit("(replace)", now);
    }

    /// The draft now matches `base` again (after a publish or a discard).
    pub fn rebase(&mut self, base: DistributionConfig, etag: impl Into<String>, now: Instant) {
        self.base = base;
        self.etag = etag.into();
        self.changed(now);
    }

    /// Steps available.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty() || self.config != self.committed
    }

    /// Steps available.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    fn changed(&mut self, now: Instant) {
        self.revision += 1;
        self.save_due = Some(now + SAVE_DELAY);
        self.revalidate();
    }

    /// Works out what follows from `config` and `base`: findings, changes.
    fn revalidate(&mut self) {
        self.checks = Checks::of(cfconsole_model::validate(&self.config));
        self.edited = self.config != self.base;
        self.changes = if self.edited {
            diff::diff(&self.base, &self.config)
        } else {
            Vec::new()
        };
    }

    /// Replaces what the backend has, keeping the ETag the draft was started from (a restored
    /// draft must send that one, so a change made meanwhile is caught as a conflict).
    pub fn set_base(&mut self, base: DistributionConfig) {
        self.base = base;
        self.revalidate();
    }

    /// True when the draft differs from what the backend has.
    pub fn is_edited(&self) -> bool {
        self.edited
    }

    /// The model's diff of the draft against the backend's configuration.
    pub fn changes(&self) -> &[cfconsole_model::Change] {
        &self.changes
    }

    /// Every finding of the draft.
    pub fn findings(&self) -> &[Finding] {
        &self.checks.findings
    }

    /// The findings whose path is exactly `path`.
    pub fn findings_at<'a>(&'a self, path: &str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.checks.at(path)
    }

    /// (errors, warnings).
    pub fn counts(&self) -> (usize, usize) {
        count(self.checks.findings.iter())
    }

    /// The autosave record of this draft.
    pub fn to_file(&self, now: SystemTime) -> DraftFile {
        DraftFile {
            id: self.id.clone(),
            etag: self.etag.clone(),
            saved_at_ms: now
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            base: self.base.clone(),
            draft: self.config.clone(),
            header_values_in: None,
        }
    }
}

/// A configuration's findings, indexed by the field path they name.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    findings: Vec<Finding>,
    by_path: HashMap<String, Vec<usize>>,
}

impl Checks {
    /// Indexes `findings`.
    pub fn of(findings: Vec<Finding>) -> Self {
        let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            by_path.entry(f.path.clone()).or_default().push(i);
        }
        Self { findings, by_path }
    }

    /// Every finding.
    pub fn all(&self) -> &[Finding] {
        &self.findings
    }

    /// The findings whose path is exactly `path`.
    pub fn at<'a>(&'a self, path: &str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.by_path
            .get(path)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.findings[i])
    }

    /// The findings at `prefix` or below it (`Origins.Items[2]` covers its members).
    pub fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| {
            f.path == prefix
                || f.path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    }
}

/// (errors, warnings) among `findings`.
pub fn count<'a>(findings: impl Iterator<Item = &'a Finding>) -> (usize, usize) {
    findings.fold((0, 0), |(e, w), f| match f.severity {
        Severity::Error => (e + 1, w),
        Severity::Warning => (e, w + 1),
    })
}

/// A draft as written to disk: enough to restore it after a crash and to show what it changes
/// even when the backend has moved on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DraftFile {
    /// The distribution id.
    pub id: String,
    /// The ETag the draft was started from.
    pub etag: String,
    /// When it was written (Unix ms).
    pub saved_at_ms: u64,
    /// The backend's configuration the draft was started from.
    pub base: DistributionConfig,
    /// The edited configuration.
    pub draft: DistributionConfig,
    /// Where the draft's origin custom header values are kept when not in this file (the
    /// platform's secret store, by name); None when they are in `draft`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_values_in: Option<String>,
}

/// One origin custom header value of a draft, as the secret store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct HeaderSecret {
    origin: String,
    index: usize,
    name: String,
    value: String,
}

/// The draft's origin custom header values, each with where it belongs.
fn header_secrets(config: &DistributionConfig) -> Vec<HeaderSecret> {
    let mut out = Vec::new();
    for o in config.origins.items() {
        for (index, h) in o.custom_headers.iter().flat_map(|l| l.items()).enumerate() {
            if !h.header_value.is_empty() {
                out.push(HeaderSecret {
                    origin: o.id.clone(),
                    index,
                    name: h.header_name.clone(),
                    value: h.header_value.clone(),
                });
            }
        }
    }
    out
}

/// Clears every origin custom header value of `config`.
fn clear_header_values(config: &mut DistributionConfig) {
    for o in config.origins.items_mut() {
        for h in o.custom_headers.iter_mut().flat_map(|l| l.items_mut()) {
            h.header_value.clear();
        }
    }
}

/// Puts `secrets` back where they belong in `config`; false when one no longer fits (its origin
/// or header is gone or renamed: the file was changed by hand).
fn restore_header_values(config: &mut DistributionConfig, secrets: &[HeaderSecret]) -> bool {
    let mut all = true;
    for s in secrets {
        let slot = config
            .origins
            .items_mut()
            .iter_mut()
            .find(|o| o.id == s.origin)
            .and_then(|o| o.custom_headers.as_mut())
            .and_then(|l| l.items_mut().get_mut(s.index))
            .filter(|h| h.header_name == s.name);
        match slot {
            Some(h) => h.header_value = s.value.clone(),
            None => all = false,
        }
    }
    all
}

impl DraftFile {
    /// What is written to disk: the origin custom header values (the secrets an origin checks)
    /// once, in the draft; the base's are withheld (empty), since a restored draft is rebased on
    /// the backend's configuration, which has them.
    fn for_disk(&self) -> DraftFile {
        let mut out = self.clone();
        clear_header_values(&mut out.base);
        out
    }
}

/// Where one backend's drafts live: `DATA/drafts/<backend key>/<id>.json`, owner-only (the file
/// 0600, its folders 0700): a draft holds the origin custom header values it edits.
#[derive(Debug, Clone)]
pub struct DraftStore {
    dir: PathBuf,
    /// The platform's secret store, when there is one: the drafts' origin header values are
    /// kept there rather than in their files (see [`crate::ui::secrets`]).
    vault: Option<Arc<dyn Vault>>,
    /// What each draft last left in `vault` (its values as JSON, empty for none), so that an
    /// autosave whose header values did not change does not call the store again.
    kept: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    /// The backend's key, part of each secret's attributes.
    key: String,
}

impl DraftStore {
    /// The drafts of the backend named `key` under `data_dir`.
    pub fn new(data_dir: &Path, key: &str) -> Self {
        let safe: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Self {
            dir: data_dir.join("drafts").join(safe),
            vault: None,
            kept: Arc::default(),
            key: key.to_string(),
        }
    }

    /// The same store keeping origin header values in `vault` (the platform's secret store).
    pub fn with_vault(mut self, vault: Option<Arc<dyn Vault>>) -> Self {
        self.vault = vault;
        self
    }

    fn attributes<'a>(&'a self, id: &'a str) -> [(&'a str, &'a str); 4] {
        [
            ("application", "cfconsole"),
            ("kind", "draft-origin-header-values"),
            ("backend", self.key.as_str()),
            ("distribution", id),
        ]
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> Option<PathBuf> {
        // Ids are CloudFront's (`E2QWRUHEXAMPLE`): anything else never names a file.
        (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .then(|| self.dir.join(format!("{id}.json")))
    }

    /// Writes `file` atomically (the workspace's own temp-file, fsync and rename write), so a
    /// crash or `kill -9` leaves either the old draft or the new one, never half of one.
    pub fn save(&self, file: &DraftFile) -> Result<(), String> {
        let Some(path) = self.path(&file.id) else {
            return Err(format!("{:?} is not a distribution id", file.id));
        };
        let mut disk = file.for_disk();
        if let Some(vault) = &self.vault {
            let secrets = header_secrets(&disk.draft);
            let attributes = self.attributes(&file.id);
            let json = match secrets.is_empty() {
                true => Vec::new(),
                false => serde_json::to_vec(&secrets).map_err(|e| e.to_string())?,
            };
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            let unchanged = kept.get(&file.id) == Some(&json);
            if secrets.is_empty() {
                if !unchanged {
                    let _ = vault.delete(&attributes);
                    kept.insert(file.id.clone(), json);
                }
            } else {
                let label = format!("cfconsole draft of {}: origin header values", file.id);
                // A store that refuses (a locked keyring) leaves the values in the owner-only
                // file, as where there is no store; the next save tries the store again.
                if unchanged || vault.put(&attributes, &label, &json).is_ok() {
                    kept.insert(file.id.clone(), json);
                    clear_header_values(&mut disk.draft);
                    disk.header_values_in = Some(vault.name().to_string());
                }
            }
        }
        let text = serde_json::to_vec_pretty(&disk).map_err(|e| e.to_string())?;
        let root = self.dir.parent().unwrap_or(&self.dir);
        cfconsole_control::local::store::write_private_atomic(root, &path, &text)
            .map_err(|e| e.to_string())
    }

    /// The saved draft of `id`, if there is a readable one. A file that does not parse is
    /// reported, not deleted: the operator may want it back.
    pub fn load(&self, id: &str) -> Result<Option<DraftFile>, String> {
        let Some(path) = self.path(id) else {
            return Ok(None);
        };
        match cfconsole_control::file::read_bytes(&path) {
            Ok(bytes) => {
                let mut file: DraftFile = serde_json::from_slice(&bytes).map_err(|e| {
                    format!("the saved draft {} cannot be read: {e}", path.display())
                })?;
                if let Some(place) = file.header_values_in.take() {
                    self.restore_secrets(&path, &place, &mut file)?;
                }
                Ok(Some(file))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!(
                "the saved draft {} cannot be read: {e}",
                path.display()
            )),
        }
    }

    /// Fills `file`'s origin header values from the secret store they were saved in; an error
    /// (the draft file is kept) when that store cannot give them now.
    fn restore_secrets(
        &self,
        path: &Path,
        place: &str,
        file: &mut DraftFile,
    ) -> Result<(), String> {
        let kept = |why: String| {
            format!(
                "the saved draft {} keeps its origin header values in {place}, which {why}; the \
                 draft is kept, to be restored when {place} answers",
                path.display()
            )
        };
        let Some(vault) = &self.vault else {
            return Err(kept("is not available here".to_string()));
        };
        let json = vault
            .get(&self.attributes(&file.id))
            .map_err(|e| kept(format!("refused: {e}")))?
            .ok_or_else(|| kept("no longer has them".to_string()))?;
        let secrets: Vec<HeaderSecret> = serde_json::from_slice(&json)
            .map_err(|e| kept(format!("gave back what is not a draft's values ({e})")))?;
        if !restore_header_values(&mut file.draft, &secrets) {
            return Err(kept(
                "has values for origin headers the file no longer has".to_string(),
            ));
        }
        Ok(())
    }

    /// Removes the saved draft of `id` (after a publish or a discard), and its header values
    /// from the secret store.
    pub fn remove(&self, id: &str) -> Result<(), String> {
        // Best effort: a value left behind stays in the secret store, never in clear.
        if let Some(vault) = &self.vault
            && self.path(id).is_some()
        {
            let _ = vault.delete(&self.attributes(id));
            self.kept
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(id);
        }
        match self.path(id).map(std::fs::remove_file) {
            Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("the saved draft of {id} cannot be removed: {e}"))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfconsole_model::Document;

    fn sample() -> DistributionConfig {
        let text = include_str!("../../assets/sample-workspace/sample-distribution.json");
        Document::from_json(text).unwrap().config
    }

    #[test]
    fn typing_in_one_field_is_one_undo_step() {
        let t0 = Instant::now();
        let mut d = Draft::new("E1", sample(), "ETAG");
        for (i, s) in ["a", "ab", "abc"].into_iter().enumerate() {
            d.config.comment = s.to_string();
            assert!(d.commit("Comment", t0 + Duration::from_millis(100 * i as u64)));
        }
        d.config.enabled = false;
        d.commit("Enabled", t0 + Duration::from_millis(400));
        assert!(d.undo(t0 + Duration::from_secs(5)));
        assert!(d.config.enabled, "the checkbox step is undone first");
        assert_eq!(d.config.comment, "abc");
        assert!(d.undo(t0 + Duration::from_secs(5)));
        assert_eq!(d.config, d.base, "the three keystrokes were one step");
        assert!(!d.undo(t0 + Duration::from_secs(5)));
        assert!(d.redo(t0 + Duration::from_secs(6)));
        assert_eq!(d.config.comment, "abc");
        assert!(d.redo(t0 + Duration::from_secs(6)));
        assert!(!d.config.enabled);
        assert!(!d.redo(t0 + Duration::from_secs(6)));
    }

    #[test]
    fn the_same_field_after_a_pause_is_a_new_step() {
        let t0 = Instant::now();
        let mut d = Draft::new("E1", sample(), "ETAG");
        d.config.comment = "a".into();
        d.commit("Comment", t0);
        d.config.comment = "ab".into();
        d.commit("Comment", t0 + COALESCE + Duration::from_millis(1));
        d.undo(t0 + Duration::from_secs(9));
        assert_eq!(d.config.comment, "a");
    }

    #[test]
    fn an_edit_clears_redo_and_findings_follow_the_draft() {
        let t0 = Instant::now();
        let mut d = Draft::new("E1", sample(), "ETAG");
        assert_eq!(d.counts().0, 0, "{:?}", d.findings());
        d.config.default_cache_behavior.target_origin_id = "nowhere".into();
        d.commit("DefaultCacheBehavior.TargetOriginId", t0);
        assert!(d.counts().0 > 0);
        assert!(
            d.findings_at("DefaultCacheBehavior.TargetOriginId")
                .any(|f| f.code == Some("NoSuchOrigin")),
            "{:?}",
            d.findings()
        );
        d.undo(t0);
        assert_eq!(d.counts().0, 0);
        d.config.comment = "x".into();
        d.commit("Comment", t0);
        assert!(!d.can_redo());
        assert!(d.is_edited());
        assert_eq!(d.changes().len(), 1);
    }

    #[test]
    fn drafts_are_saved_atomically_and_restored() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path(), "local:/tmp/ws");
        let mut d = Draft::new("E1SAMPLE000001", sample(), "ETAG1");
        d.config.comment = "edited".into();
        d.commit("Comment", Instant::now());
        store.save(&d.to_file(SystemTime::now())).unwrap();
        let back = Draft::restored(store.load("E1SAMPLE000001").unwrap().unwrap());
        assert_eq!(back.config.comment, "edited");
        assert_eq!(back.etag, "ETAG1");
        assert!(back.is_edited());
        let leftovers: Vec<_> = std::fs::read_dir(store.dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
        store.remove("E1SAMPLE000001").unwrap();
        assert!(store.load("E1SAMPLE000001").unwrap().is_none());
        assert!(store.load("../../etc/passwd").unwrap().is_none());
    }

    /// A draft holds the origin header values it edits once, owner-only (#16).
    #[test]
    fn a_saved_draft_holds_each_header_value_once_and_only_its_owner_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path(), "local:/tmp/ws");
        let d = edited_header("s3cr3t-new");
        store.save(&d.to_file(SystemTime::now())).unwrap();
        let path = store.dir().join("E1SAMPLE000001.json");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("s3cr3t-new").count(), 1, "{text}");
        assert_eq!(text.matches("s3cr3t-old").count(), 0, "{text}");
        let back = Draft::restored(store.load("E1SAMPLE000001").unwrap().unwrap());
        assert_eq!(back.config, d.config, "the draft comes back whole");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(store.dir()), 0o700);
            assert_eq!(mode(store.dir().parent().unwrap()), 0o700);
        }
    }

    /// A draft of the sample whose first origin's header value was edited to `value`.
    fn edited_header(value: &str) -> Draft {
        let mut base = sample();
        base.origins.items_mut()[0].custom_headers = Some(cfconsole_model::List::new(vec![
            cfconsole_model::OriginCustomHeader {
                header_name: "X-Origin-Verify".into(),
                header_value: "s3cr3t-old".into(),
            },
        ]));
        let mut d = Draft::new("E1SAMPLE000001", base, "ETAG1");
        d.config.origins.items_mut()[0]
            .custom_headers
            .as_mut()
            .unwrap()
            .items_mut()[0]
            .header_value = value.into();
        d.commit("HeaderValue", Instant::now());
        d
    }

    /// Issue #16, item 3: with a secret store, a saved draft's file holds no origin header
    /// value at all (it says where they are), the store holds them, and the draft comes back
    /// whole; a discard forgets them in the store too.
    #[test]
    fn with_a_secret_store_a_draft_file_holds_no_header_value() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Arc::new(crate::ui::secrets::MemoryVault::default());
        let store = DraftStore::new(dir.path(), "local:/tmp/ws").with_vault(Some(vault.clone()));
        let d = edited_header("s3cr3t-new");
        store.save(&d.to_file(SystemTime::now())).unwrap();
        let text = std::fs::read_to_string(store.dir().join("E1SAMPLE000001.json")).unwrap();
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(
            text.contains("\"HeaderValuesIn\": \"the test vault\""),
            "{text}"
        );
        store.save(&d.to_file(SystemTime::now())).unwrap();
        assert_eq!(
            vault.puts.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "an autosave with the same values does not write the store again"
        );
        let kept = vault.items.lock().unwrap();
        assert_eq!(kept.len(), 1);
        let secret = String::from_utf8(kept.values().next().unwrap().clone()).unwrap();
        assert!(secret.contains("s3cr3t-new") && secret.contains("X-Origin-Verify"));
        drop(kept);
        let back = store.load("E1SAMPLE000001").unwrap().unwrap();
        assert_eq!(back.header_values_in, None);
        assert_eq!(
            Draft::restored(back).config,
            d.config,
            "the draft comes back whole"
        );
        store.remove("E1SAMPLE000001").unwrap();
        assert!(
            vault.items.lock().unwrap().is_empty(),
            "forgotten on discard"
        );
    }

    /// Item 3, where the store fails: a store that refuses when saving (a locked keyring)
    /// leaves the values in the owner-only file; a draft whose values are in a store that
    /// cannot give them back now is reported by name and kept, never loaded without them.
    #[test]
    fn a_refusing_or_missing_secret_store_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Arc::new(crate::ui::secrets::MemoryVault::default());
        *vault.refuse.lock().unwrap() = Some("the keyring is locked".into());
        let store = DraftStore::new(dir.path(), "k").with_vault(Some(vault.clone()));
        let d = edited_header("s3cr3t-new");
        store.save(&d.to_file(SystemTime::now())).unwrap();
        let path = store.dir().join("E1SAMPLE000001.json");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("s3cr3t-new")
        );
        assert_eq!(
            Draft::restored(store.load("E1SAMPLE000001").unwrap().unwrap()).config,
            d.config
        );
        *vault.refuse.lock().unwrap() = None;
        store.save(&d.to_file(SystemTime::now())).unwrap();
        *vault.refuse.lock().unwrap() = Some("the keyring is locked".into());
        let err = store.load("E1SAMPLE000001").unwrap_err();
        assert!(
            err.contains("E1SAMPLE000001.json") && err.contains("the keyring is locked"),
            "{err}"
        );
        let elsewhere = DraftStore::new(dir.path(), "k");
        let err = elsewhere.load("E1SAMPLE000001").unwrap_err();
        assert!(
            err.contains("the test vault, which is not available here"),
            "{err}"
        );
        assert!(path.exists(), "the draft is kept");
    }

    #[test]
    fn an_unreadable_draft_is_reported_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path(), "k");
        std::fs::create_dir_all(store.dir()).unwrap();
        std::fs::write(store.dir().join("E1.json"), b"{not json").unwrap();
        let err = store.load("E1").unwrap_err();
        assert!(err.contains("cannot be read"), "{err}");
        assert!(store.dir().join("E1.json").exists());
    }
}
