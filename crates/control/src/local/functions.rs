//! CloudFront Functions and key value stores in the local workspace, one JSON file each beside
//! the distributions, written atomically under the workspace lock like everything else:
//!
//! ```text
//! WORKSPACE/functions/<name>.json          both stages: code, config, ETag, times
//! WORKSPACE/key-value-stores/<name>.json   the store and its items, with both ETags
//! ```
//!
//! Statuses are computed on read, as distribution status is: a function's DEVELOPMENT stage
//! is `UNPUBLISHED` until it is published and after every update; once published, both stages
//! say `DEPLOYED` while a cache behavior of some distribution in the workspace names the
//! function (by the name in its ARN, so an ARN copied from an account with another account id
//! still counts) and `UNASSOCIATED` otherwise. An update gives DEVELOPMENT a new ETag; a
//! publish gives both stages new ones (DEVELOPMENT's status changes too). A store is `READY`
//! at once: there is nothing to provision.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cfconsole_functions::kvs::Items;
use cfconsole_functions::{Event, KvsView, Limits, Runtime};
use cfconsole_model::BehaviorView;
use cfconsole_model::functions::{check_name, check_store_comment};
use serde::{Deserialize, Serialize};

use super::{LocalWorkspace, iso, new_id, rejected, store};
use crate::error::{ControlError, Result};
use crate::functions::{
    FUNCTIONS_PER_ACCOUNT, FUNCTIONS_PER_STORE, FunctionRecord, FunctionTest, KvsItems, KvsRecord,
    STORES_PER_ACCOUNT, Stage, check_update, function_name,
};

/// The account id of the workspace's ARNs (distributions use it too).
const ACCOUNT: &str = "000000000000";

/// A function file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredFunction {
    name: String,
    created: String,
    /// DEVELOPMENT changed since the last publish (or was never published).
    unpublished: bool,
    development: StoredStage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    live: Option<StoredStage>,
}

/// One stage of a function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredStage {
    #[serde(rename = "ETag")]
    etag: String,
    comment: String,
    runtime: String,
    #[serde(
        rename = "KeyValueStoreARN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    kvs_arn: Option<String>,
    last_modified: String,
    code: String,
}

/// A key value store file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredStore {
    name: String,
    id: String,
    #[serde(rename = "ARN")]
    arn: String,
    comment: String,
    created: String,
    last_modified: String,
    /// The control-plane ETag.
    #[serde(rename = "ETag")]
    etag: String,
    /// The data-plane ETag.
    #[serde(rename = "DataETag")]
    data_etag: String,
    #[serde(default)]
    items: Vec<StoredItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredItem {
    key: String,
    value: String,
}

fn invalid(detail: impl Into<String>) -> ControlError {
    rejected("InvalidArgument", detail)
}

/// The name rule, checked before a name becomes a file name.
fn valid_name(what: &str, name: &str) -> Result<()> {
    check_name(what, name).map_err(invalid)
}

fn function_arn(name: &str) -> String {
    format!("arn:aws:cloudfront::{ACCOUNT}:function/{name}")
}

/// A UUID-shaped id (version 4 layout) from the workspace's id source.
pub(super) fn new_uuid() -> String {
    let hex: String = (0..3)
        .flat_map(|_| new_id('X').into_bytes().into_iter().skip(1))
        .map(|b| char::from(b"0123456789abcdef"[usize::from(b % 16)]))
        .collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..15],
        &hex[15..18],
        &hex[18..30]
    )
}

/// A data-plane ETag, shaped like CloudFront's (`KV1F83G8C2ARO7P`).
fn new_data_etag() -> String {
    format!("K{}", new_id('V'))
}

fn items_of(s: &StoredStore) -> Items {
    // Checked when the file was read.
    Items::from_pairs(s.items.iter().map(|i| (i.key.clone(), i.value.clone()))).unwrap_or_default()
}

fn kvs_error(e: cfconsole_functions::kvs::KvsError) -> ControlError {
    rejected(e.code, e.message)
}

impl LocalWorkspace {
    fn functions_dir(&self) -> PathBuf {
        self.root.join("functions")
    }

    fn stores_dir(&self) -> PathBuf {
        self.root.join("key-value-stores")
    }

    pub(super) fn read_json<T: serde::de::DeserializeOwned>(
        path: &Path,
        what: impl FnOnce() -> String,
    ) -> Result<T> {
        let text = match crate::file::read_text(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ControlError::NotFound { what: what() });
            }
            Err(e) => return Err(ControlError::io(path, e)),
        };
        let corrupt = |detail: String| ControlError::CorruptFile {
            path: path.to_path_buf(),
            detail,
        };
        let value = cfconsole_model::json::parse(&text).map_err(|e| corrupt(e.to_string()))?;
        serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))
    }

    pub(super) fn write_json<T: Serialize>(path: &Path, v: &T) -> Result<()> {
        let mut text =
            serde_json::to_string_pretty(v).map_err(|e| ControlError::Other(e.to_string()))?;
        text.push('\n');
        store::write_atomic(path, text.as_bytes())
    }

    fn read_function(&self, name: &str) -> Result<StoredFunction> {
        valid_name("function", name)?;
        let path = self.functions_dir().join(format!("{name}.json"));
        let f: StoredFunction = Self::read_json(&path, || format!("function {name}"))?;
        let corrupt = |detail: String| ControlError::CorruptFile {
            path: path.clone(),
            detail,
        };
        if f.name != name {
            return Err(corrupt(format!(
                "it holds function {:?}, but its name says {name}",
                f.name
            )));
        }
        for s in std::iter::once(&f.development).chain(&f.live) {
            Runtime::parse(&s.runtime).map_err(|e| corrupt(format!("Runtime: {e}")))?;
        }
        Ok(f)
    }

    fn write_function(&self, f: &StoredFunction) -> Result<()> {
        Self::write_json(&self.functions_dir().join(format!("{}.json", f.name)), f)
    }

    fn read_store(&self, name: &str) -> Result<StoredStore> {
        valid_name("key value store", name)?;
        let path = self.stores_dir().join(format!("{name}.json"));
        let s: StoredStore = Self::read_json(&path, || format!("key value store {name}"))?;
        let corrupt = |detail: String| ControlError::CorruptFile {
            path: path.clone(),
            detail,
        };
        if s.name != name {
            return Err(corrupt(format!(
                "it holds key value store {:?}, but its name says {name}",
                s.name
            )));
        }
        Items::from_pairs(s.items.iter().map(|i| (i.key.clone(), i.value.clone())))
            .map_err(|e| corrupt(format!("Items: {e}")))?;
        Ok(s)
    }

    fn write_store(&self, s: &StoredStore) -> Result<()> {
        Self::write_json(&self.stores_dir().join(format!("{}.json", s.name)), s)
    }

    fn store_by_arn(&self, arn: &str) -> Result<StoredStore> {
        for name in Self::names_in(&self.stores_dir()) {
            let s = self.read_store(&name)?;
            if s.arn == arn {
                return Ok(s);
            }
        }
        Err(ControlError::NotFound {
            what: format!("key value store {arn}"),
        })
    }

    /// The distributions whose cache behaviors name function `name` (unreadable ones are
    /// skipped when `strict` is false, and fail the call when it is true).
    fn distributions_using(&self, name: &str, strict: bool) -> Result<Vec<String>> {
        let mut users = Vec::new();
        for id in self.all_ids()? {
            let d = match self.read(&id) {
                Ok(d) => d,
                Err(e) if strict => return Err(e),
                Err(_) => continue,
            };
            let uses = BehaviorView::all(&d.distribution.distribution_config)
                .iter()
                .filter_map(|b| b.function_associations)
                .flat_map(|l| l.iter())
                .any(|a| function_name(&a.function_arn) == name);
            if uses {
                users.push(id);
            }
        }
        Ok(users)
    }

    fn function_record(&self, f: &StoredFunction, stage: Stage) -> Result<FunctionRecord> {
        let used = || Ok(!self.distributions_using(&f.name, false)?.is_empty());
        Self::record_with(f, stage, used)
    }

    /// The record of `f` at `stage`; `used` says whether a distribution associates it, asked
    /// only when the status depends on it.
    fn record_with(
        f: &StoredFunction,
        stage: Stage,
        used: impl FnOnce() -> Result<bool>,
    ) -> Result<FunctionRecord> {
        let s = stage_of(f, stage)?;
        let status = if f.live.is_none() || (stage == Stage::Development && f.unpublished) {
            "UNPUBLISHED"
        } else if used()? {
            "DEPLOYED"
        } else {
            "UNASSOCIATED"
        };
        Ok(FunctionRecord {
            name: f.name.clone(),
            comment: s.comment.clone(),
            runtime: Runtime::parse(&s.runtime).unwrap_or_default(),
            kvs_arn: s.kvs_arn.clone(),
            stage,
            status: status.into(),
            arn: function_arn(&f.name),
            etag: s.etag.clone(),
            created: f.created.clone(),
            modified: s.last_modified.clone(),
        })
    }

    /// Checks code, runtime and store before a create or update.
    fn check_function(
        &self,
        name: &str,
        runtime: Runtime,
        kvs_arn: Option<&str>,
        code: &str,
    ) -> Result<()> {
        cfconsole_functions::check(code, runtime).map_err(|e| {
            let at = e.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            rejected(e.code, format!("{}{at}", e.message))
        })?;
        let Some(arn) = kvs_arn else {
            return Ok(());
        };
        if runtime != Runtime::Js2 {
            return Err(invalid(format!(
                "a key value store can be associated only with a {} function, not {runtime}",
                Runtime::Js2
            )));
        }
        self.store_by_arn(arn).map_err(|e| match e {
            ControlError::NotFound { .. } => invalid(format!(
                "no key value store has ARN {arn}: create it first (cfconsole kvs create), or \
                 name one that `cfconsole kvs list` shows"
            )),
            e => e,
        })?;
        let others = Self::names_in(&self.functions_dir())
            .into_iter()
            .filter(|n| n != name)
            .filter_map(|n| self.read_function(&n).ok())
            .filter(|f| {
                std::iter::once(&f.development)
                    .chain(&f.live)
                    .any(|s| s.kvs_arn.as_deref() == Some(arn))
            })
            .count();
        if others >= FUNCTIONS_PER_STORE {
            return Err(rejected(
                "EntityLimitExceeded",
                format!(
                    "key value store {arn} is associated with {others} functions, the most one \
                     store takes ({FUNCTIONS_PER_STORE})"
                ),
            ));
        }
        Ok(())
    }

    /// The workspace's functions as associations see them (published or not), without taking
    /// the lock: for checks made under a guard already held.
    pub(super) fn known_functions(&self) -> Result<Vec<cfconsole_model::KnownFunction>> {
        Self::names_in(&self.functions_dir())
            .iter()
            .map(|n| {
                let f = self.read_function(n)?;
                Ok(cfconsole_model::KnownFunction {
                    arn: function_arn(&f.name),
                    live: f.live.is_some(),
                    name: f.name,
                })
            })
            .collect()
    }

    /// The names every readable distribution's cache behaviors associate, read once.
    fn used_function_names(&self) -> Result<HashSet<String>> {
        let mut used = HashSet::new();
        for id in self.all_ids()? {
            let Ok(d) = self.read(&id) else { continue };
            for b in BehaviorView::all(&d.distribution.distribution_config) {
                for a in b.function_associations.iter().flat_map(|l| l.iter()) {
                    used.insert(function_name(&a.function_arn).to_string());
                }
            }
        }
        Ok(used)
    }

    pub(super) fn list_functions_local(&self, stage: Option<Stage>) -> Result<Vec<FunctionRecord>> {
        let _g = self.read_guard();
        let used = self.used_function_names()?;
        let mut out = Vec::new();
        for name in Self::names_in(&self.functions_dir()) {
            let f = self.read_function(&name)?;
            for st in [Stage::Development, Stage::Live] {
                let wanted = stage.is_none_or(|s| s == st);
                if wanted && (st == Stage::Development || f.live.is_some()) {
                    out.push(Self::record_with(&f, st, || Ok(used.contains(&f.name)))?);
                }
            }
        }
        Ok(out)
    }

    pub(super) fn describe_function_local(
        &self,
        name: &str,
        stage: Stage,
    ) -> Result<FunctionRecord> {
        let _g = self.read_guard();
        self.function_record(&self.read_function(name)?, stage)
    }

    pub(super) fn function_code_local(&self, name: &str, stage: Stage) -> Result<(String, String)> {
        let _g = self.read_guard();
        let f = self.read_function(name)?;
        let s = stage_of(&f, stage)?;
        Ok((s.code.clone(), s.etag.clone()))
    }

    pub(super) fn create_function_local(
        &self,
        name: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord> {
        valid_name("function", name)?;
        let _g = self.write_guard()?;
        let names = Self::names_in(&self.functions_dir());
        if names.iter().any(|n| n == name) {
            return Err(rejected(
                "FunctionAlreadyExists",
                format!(
                    "a function named {name} already exists in the workspace: choose another \
                     name, or update it (cfconsole functions update)"
                ),
            ));
        }
        if names.len() >= FUNCTIONS_PER_ACCOUNT {
            return Err(rejected(
                "TooManyFunctions",
                format!(
                    "the workspace holds {} functions, CloudFront's quota per account \
                     ({FUNCTIONS_PER_ACCOUNT}); delete one first",
                    names.len()
                ),
            ));
        }
        self.check_function(name, runtime, kvs_arn.as_deref(), &code)?;
        let now = iso(self.clock.now());
        let f = StoredFunction {
            name: name.into(),
            created: now.clone(),
            unpublished: true,
            development: StoredStage {
                etag: new_id('E'),
                comment: comment.into(),
                runtime: runtime.as_str().into(),
                kvs_arn,
                last_modified: now,
                code,
            },
            live: None,
        };
        self.write_function(&f)?;
        self.function_record(&f, Stage::Development)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn update_function_local(
        &self,
        name: &str,
        if_match: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord> {
        let _g = self.write_guard()?;
        let mut f = self.read_function(name)?;
        Self::check_etag(format!("function {name}"), &f.development.etag, if_match)?;
        self.check_function(name, runtime, kvs_arn.as_deref(), &code)?;
        f.development = StoredStage {
            etag: new_id('E'),
            comment: comment.into(),
            runtime: runtime.as_str().into(),
            kvs_arn,
            last_modified: iso(self.clock.now()),
            code,
        };
        f.unpublished = true;
        self.write_function(&f)?;
        self.function_record(&f, Stage::Development)
    }

    pub(super) fn publish_function_local(
        &self,
        name: &str,
        if_match: &str,
    ) -> Result<FunctionRecord> {
        let _g = self.write_guard()?;
        let mut f = self.read_function(name)?;
        Self::check_etag(format!("function {name}"), &f.development.etag, if_match)?;
        let now = iso(self.clock.now());
        f.development.etag = new_id('E');
        let mut live = f.development.clone();
        live.etag = new_id('E');
        live.last_modified = now;
        f.live = Some(live);
        f.unpublished = false;
        self.write_function(&f)?;
        self.function_record(&f, Stage::Live)
    }

    pub(super) fn test_function_local(
        &self,
        name: &str,
        if_match: &str,
        stage: Stage,
        event: &Event,
    ) -> Result<FunctionTest> {
        let (s, kvs) = {
            let _g = self.read_guard();
            let f = self.read_function(name)?;
            let rec = self.function_record(&f, stage)?;
            Self::check_etag(format!("function {name} ({stage})"), &rec.etag, if_match)?;
            let s = stage_of(&f, stage)?.clone();
            let kvs = match &s.kvs_arn {
                Some(arn) => {
                    let store = self.store_by_arn(arn)?;
                    Some(KvsView {
                        items: Arc::new(items_of(&store)),
                        created: store.created,
                        modified: store.last_modified,
                    })
                }
                None => None,
            };
            (s, kvs)
        };
        // The lock is not held while the code runs: it reads nothing of the workspace.
        let runtime = Runtime::parse(&s.runtime).unwrap_or_default();
        let function = cfconsole_functions::compile(name, runtime, &s.code).map_err(|e| {
            let at = e.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            rejected(e.code, format!("{}{at}", e.message))
        })?;
        let inv = function.invoke(event, kvs, &Limits::default());
        Ok(FunctionTest {
            compute_utilization: inv.compute_utilization,
            logs: inv.logs.clone(),
            error: inv.output.as_ref().err().map(|e| match e.line {
                Some(l) => format!("{} (line {l})", e.message),
                None => e.message.clone(),
            }),
            output: cfconsole_functions::function_output(&inv),
        })
    }

    pub(super) fn delete_function_local(&self, name: &str, if_match: &str) -> Result<()> {
        let _g = self.write_guard()?;
        let f = self.read_function(name)?;
        Self::check_etag(format!("function {name}"), &f.development.etag, if_match)?;
        let users = self.distributions_using(name, true)?;
        if !users.is_empty() {
            return Err(rejected(
                "FunctionInUse",
                format!(
                    "function {name} is associated with cache behaviors of distribution(s) {}: \
                     remove those FunctionAssociations first",
                    users.join(", ")
                ),
            ));
        }
        let path = self.functions_dir().join(format!("{name}.json"));
        fs::remove_file(&path).map_err(|e| ControlError::io(path, e))
    }

    fn kvs_record(s: &StoredStore) -> KvsRecord {
        KvsRecord {
            name: s.name.clone(),
            id: s.id.clone(),
            arn: s.arn.clone(),
            comment: s.comment.clone(),
            status: "READY".into(),
            modified: s.last_modified.clone(),
            etag: s.etag.clone(),
        }
    }

    pub(super) fn list_kvs_local(&self) -> Result<Vec<KvsRecord>> {
        let _g = self.read_guard();
        Self::names_in(&self.stores_dir())
            .iter()
            .map(|n| self.read_store(n).map(|s| Self::kvs_record(&s)))
            .collect()
    }

    pub(super) fn describe_kvs_local(&self, name: &str) -> Result<KvsRecord> {
        let _g = self.read_guard();
        self.read_store(name).map(|s| Self::kvs_record(&s))
    }

    pub(super) fn create_kvs_local(
        &self,
        name: &str,
        comment: &str,
        import: Option<Items>,
    ) -> Result<KvsRecord> {
        valid_name("key value store", name)?;
        check_store_comment(comment).map_err(invalid)?;
        let _g = self.write_guard()?;
        let names = Self::names_in(&self.stores_dir());
        if names.iter().any(|n| n == name) {
            return Err(rejected(
                "EntityAlreadyExists",
                format!("a key value store named {name} already exists: choose another name"),
            ));
        }
        if names.len() >= STORES_PER_ACCOUNT {
            return Err(rejected(
                "EntityLimitExceeded",
                format!(
                    "the workspace holds {} key value stores, CloudFront's default quota \
                     ({STORES_PER_ACCOUNT}); delete one first",
                    names.len()
                ),
            ));
        }
        let now = iso(self.clock.now());
        let id = new_uuid();
        let s = StoredStore {
            name: name.into(),
            arn: format!("arn:aws:cloudfront::{ACCOUNT}:key-value-store/{id}"),
            id,
            comment: comment.into(),
            created: now.clone(),
            last_modified: now,
            etag: new_id('E'),
            data_etag: new_data_etag(),
            items: import
                .unwrap_or_default()
                .iter()
                .map(|(k, v)| StoredItem {
                    key: k.into(),
                    value: v.into(),
                })
                .collect(),
        };
        self.write_store(&s)?;
        Ok(Self::kvs_record(&s))
    }

    pub(super) fn update_kvs_local(
        &self,
        name: &str,
        if_match: &str,
        comment: &str,
    ) -> Result<KvsRecord> {
        check_store_comment(comment).map_err(invalid)?;
        let _g = self.write_guard()?;
        let mut s = self.read_store(name)?;
        Self::check_etag(format!("key value store {name}"), &s.etag, if_match)?;
        s.comment = comment.into();
        s.etag = new_id('E');
        s.last_modified = iso(self.clock.now());
        self.write_store(&s)?;
        Ok(Self::kvs_record(&s))
    }

    pub(super) fn delete_kvs_local(&self, name: &str, if_match: &str) -> Result<()> {
        let _g = self.write_guard()?;
        let s = self.read_store(name)?;
        Self::check_etag(format!("key value store {name}"), &s.etag, if_match)?;
        let mut users = Vec::new();
        for n in Self::names_in(&self.functions_dir()) {
            let f = self.read_function(&n)?;
            if std::iter::once(&f.development)
                .chain(&f.live)
                .any(|st| st.kvs_arn.as_deref() == Some(s.arn.as_str()))
            {
                users.push(n);
            }
        }
        if !users.is_empty() {
            return Err(rejected(
                "CannotDeleteEntityWhileInUse",
                format!(
                    "key value store {name} is associated with function(s) {}: update them \
                     without it (and publish) first",
                    users.join(", ")
                ),
            ));
        }
        let path = self.stores_dir().join(format!("{name}.json"));
        fs::remove_file(&path).map_err(|e| ControlError::io(path, e))
    }

    pub(super) fn kvs_items_local(&self, arn: &str) -> Result<KvsItems> {
        let _g = self.read_guard();
        let s = self.store_by_arn(arn)?;
        Ok(KvsItems {
            items: items_of(&s),
            etag: s.data_etag,
        })
    }

    pub(super) fn kvs_get_local(&self, arn: &str, key: &str) -> Result<Option<String>> {
        let _g = self.read_guard();
        let s = self.store_by_arn(arn)?;
        Ok(s.items.into_iter().find(|i| i.key == key).map(|i| i.value))
    }

    /// One all-or-nothing data-plane write: PutKey, DeleteKey and UpdateKeys.
    pub(super) fn kvs_update_local(
        &self,
        arn: &str,
        if_match: &str,
        puts: &[(String, String)],
        deletes: &[String],
    ) -> Result<String> {
        check_update(puts, deletes)?;
        let _g = self.write_guard()?;
        let mut s = self.store_by_arn(arn)?;
        if s.data_etag != if_match {
            return Err(ControlError::PreconditionFailed {
                what: format!("the items of key value store {}", s.name),
                sent: if_match.into(),
            });
        }
        let mut items = items_of(&s);
        items.update(puts, deletes).map_err(kvs_error)?;
        s.items = items
            .iter()
            .map(|(k, v)| StoredItem {
                key: k.into(),
                value: v.into(),
            })
            .collect();
        s.data_etag = new_data_etag();
        s.last_modified = iso(self.clock.now());
        self.write_store(&s)?;
        Ok(s.data_etag)
    }
}

/// A function's stage; LIVE is missing until the first publish.
fn stage_of(f: &StoredFunction, stage: Stage) -> Result<&StoredStage> {
    match stage {
        Stage::Development => Ok(&f.development),
        Stage::Live => f.live.as_ref().ok_or_else(|| ControlError::NotFound {
            what: format!(
                "the LIVE stage of function {} (it was never published: publish it first)",
                f.name
            ),
        }),
    }
}
