//! The running edge's live handle, [`EdgeHandle`]: what the admin API and the desktop app act on
//! while the preview serves. They invalidate (spec §15, I-7, I-11), swap the config live, hand
//! over custom policies, and read the counters, the cache entries and the request log. Also the
//! edge's record of one invalidation as CreateInvalidation answers it ([`InvalidationRecord`],
//! I-10) and the API error a refused action gets ([`ApiError`]).
//!
//! The listeners that serve viewers and the admin API are `server`'s; the admin API's routes
//! are `admin`'s. Both use this handle.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{Value, json};

use cfconsole_model::{DistributionConfig, Document, Finding, InvalidationPath, PolicySet};

use crate::dist::{Dist, Options, Override};
use crate::log::{Feed, Record};
use crate::pipeline::Shared;
use crate::store::EntryInfo;

/// One invalidation, as CreateInvalidation answers it (I-10, I-11).
#[derive(Debug, Clone)]
pub struct InvalidationRecord {
    pub id: String,
    pub create_time: String,
    pub caller_reference: String,
    pub paths: Vec<String>,
    pub removed: usize,
}

impl InvalidationRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "Invalidation": {
                "Id": self.id,
                // I-10: entries are removed at once in the preview, so it is already Completed.
                "Status": "Completed",
                "CreateTime": self.create_time,
                "InvalidationBatch": {
                    "Paths": {"Quantity": self.paths.len(), "Items": self.paths},
                    "CallerReference": self.caller_reference
                }
            }
        })
    }
}

/// The invalidations created on this preview.
#[derive(Debug, Default)]
struct Registry {
    items: Mutex<Vec<InvalidationRecord>>,
}

/// Why an action was refused (an invalidation batch, I-11; or, in the admin API, a request it
/// does not take): the HTTP status, the API's error code and a message, which the admin API
/// answers as `{"Error": {"Code", "Message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

/// The running edge's live handle, shared by the admin API and the app (through `Edge::control`):
/// what they can do to it (invalidate, swap the config) and read from it (stats, cache entries,
/// the request log).
pub struct EdgeHandle {
    shared: Arc<Shared>,
    policies: RwLock<PolicySet>,
    options: RwLock<Options>,
    registry: Registry,
    /// The runtime the preview serves on: origin access control resolves credentials on it
    /// (OA-8), whichever thread swaps the config.
    runtime: Option<tokio::runtime::Handle>,
}

impl EdgeHandle {
    /// The handle of a preview serving `shared`, whose config was resolved with `policies` and
    /// `options` (a live swap resolves the next config with them too).
    pub(crate) fn new(shared: Arc<Shared>, policies: PolicySet, options: Options) -> Self {
        let handle = Self {
            shared,
            policies: RwLock::new(policies),
            options: RwLock::new(options),
            registry: Registry::default(),
            runtime: tokio::runtime::Handle::try_current().ok(),
        };
        handle.start_credentials(&handle.shared.dist());
        handle
    }

    /// spec OA-8: starts resolving the credentials of every origin of `dist` that signs, off
    /// the request path (a source already resolving is left alone).
    fn start_credentials(&self, dist: &Dist) {
        let Some(rt) = &self.runtime else {
            return;
        };
        for o in dist.origins.values() {
            if let Some(s) = &o.signing {
                s.credentials.start(rt);
            }
        }
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// spec §15: removes every matching entry at once (I-7) and records the invalidation.
    /// Same CallerReference + same paths → the existing one; other paths →
    /// InvalidationBatchAlreadyExists (I-11).
    pub async fn invalidate(
        &self,
        paths: Vec<String>,
        caller: Option<String>,
    ) -> Result<(InvalidationRecord, bool), ApiError> {
        let parsed: Vec<InvalidationPath> = paths
            .iter()
            .map(|p| {
                InvalidationPath::parse(p).map_err(|e| ApiError {
                    status: 400,
                    code: "InvalidArgument",
                    message: format!("{p}: {e}"),
                })
            })
            .collect::<Result<_, _>>()?;
        let now = self.shared.clock.now();
        let caller = caller.unwrap_or_else(|| {
            format!(
                "cfconsole-preview-{}",
                now.duration_since(std::time::SystemTime::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0)
            )
        });
        {
            let items = self
                .registry
                .items
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(existing) = items.iter().find(|i| i.caller_reference == caller) {
                let mut a = existing.paths.clone();
                let mut b = paths.clone();
                a.sort();
                b.sort();
                return if a == b {
                    Ok((existing.clone(), false))
                } else {
                    Err(ApiError {
                        status: 409,
                        code: "InvalidationBatchAlreadyExists",
                        message: format!("CallerReference {caller:?} was used with other paths"),
                    })
                };
            }
        }
        let removed = self
            .shared
            .store
            .invalidate_where(|e| {
                parsed
                    .iter()
                    .any(|p| p.matches(&e.path, e.query.as_deref()))
            })
            .await;
        let (date, time) = crate::log::utc_date_time(now);
        let mut items = self
            .registry
            .items
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let id = format!(
            "I{:0>13}",
            to_base36(
                items.len() as u64
                    + 1
                    + (now
                        .duration_since(std::time::SystemTime::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0)
                        << 8)
            )
        );
        let inv = InvalidationRecord {
            id,
            create_time: format!("{date}T{time}.000Z"),
            caller_reference: caller,
            paths,
            removed,
        };
        items.push(inv.clone());
        Ok((inv, true))
    }

    pub fn invalidations(&self) -> Vec<InvalidationRecord> {
        self.registry
            .items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Brings the cache's entry count and weighed size up to date (see
    /// [`Store::settle`](crate::store::Store::settle)).
    pub async fn settle(&self) {
        self.shared.store.settle().await;
    }

    pub fn cache_entries(&self) -> Vec<EntryInfo> {
        self.shared.store.entries(self.shared.clock.now())
    }

    pub fn cache_bytes(&self) -> u64 {
        self.shared.store.weighted_size()
    }

    /// The counters of every behavior, typed: `CacheBehaviors.Items` in config order, then the
    /// default behavior (`*`) last, the order in which paths are matched (spec P-1).
    pub fn behavior_stats(&self) -> Vec<crate::stats::Snapshot> {
        self.shared
            .dist()
            .behaviors
            .iter()
            .map(|b| b.counters.snapshot(&b.label))
            .collect()
    }

    /// Counters per behavior plus totals (`GET /stats`).
    pub fn stats_json(&self) -> Value {
        let behaviors = self.behavior_stats();
        json!({
            "Behaviors": behaviors,
            "OriginRequests":
                self.shared.origin_requests.load(std::sync::atomic::Ordering::Relaxed),
            "CacheEntries": self.shared.store.entry_count(),
            "CacheBytes": self.shared.store.weighted_size(),
            "LogRecordsDropped": self.shared.logger.dropped(),
        })
    }

    pub fn recent_requests(&self) -> Vec<Record> {
        self.shared.logger.recent()
    }

    /// The live request log, read incrementally: the records numbered after `after` (0 for
    /// the start), oldest first, at most `max` (see [`Logger::since`](crate::log::Logger::since)).
    pub fn requests_since(&self, after: u64, max: usize) -> Feed {
        self.shared.logger.since(after, max)
    }

    /// The origin overrides the preview was started with (`--origin ID=...`).
    pub fn overrides(&self) -> HashMap<String, Override> {
        self.options
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .overrides
            .clone()
    }

    /// The policies the config is resolved with (managed ones are always known).
    pub fn policies(&self) -> PolicySet {
        self.policies
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Validates and swaps in a config; connections and the cache are kept.
    pub fn swap(&self, config: DistributionConfig) -> Result<(), Vec<Finding>> {
        let policies = self
            .policies
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let options = self
            .options
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let dist = Dist::prepare(config, &policies, &options).map_err(|e| e.0)?;
        self.start_credentials(&dist);
        self.shared.swap(dist);
        Ok(())
    }

    /// `PUT /config`: any input form the model accepts.
    pub fn swap_json(&self, text: &str) -> Result<(), Vec<Finding>> {
        let doc = Document::from_json(text)
            .map_err(|e| vec![Finding::error_uncoded(e.path.clone(), e.message.clone())])?;
        self.swap(doc.config)
    }

    /// spec CF-1: replaces the functions (code or store items edited) and re-resolves the
    /// config in force with them, so an edit reaches the running preview at once. Refused
    /// (nothing changed) when the config cannot be served with them.
    pub fn set_functions(
        &self,
        functions: Option<Arc<crate::functions::FunctionSet>>,
    ) -> Result<(), Vec<Finding>> {
        let config = self.shared.dist().config.clone();
        let previous = {
            let mut o = self.options.write().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut o.functions, functions)
        };
        let result = self.swap(config);
        if result.is_err() {
            self.options
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .functions = previous;
        }
        result
    }

    /// spec OA-1/OA-10: replaces the origin access controls (an OAC created or edited in the
    /// window, other credentials) and re-resolves the config in force with them, like
    /// [`Self::set_functions`]. Refused (nothing changed) when the config names an
    /// `OriginAccessControlId` that `access` lacks; None signs nothing.
    pub fn set_origin_access(
        &self,
        access: Option<crate::oac::OriginAccess>,
    ) -> Result<(), Vec<Finding>> {
        let config = self.shared.dist().config.clone();
        let previous = {
            let mut o = self.options.write().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut o.origin_access, access)
        };
        let result = self.swap(config);
        if result.is_err() {
            self.options
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .origin_access = previous;
        }
        result
    }

    /// spec OA-5/OA-9/OA-10: what origin access control does not do as configured, one line
    /// each: origins left unsigned (no OAC given, no credentials found), origins signed for
    /// an assumed region. Say them once (the CLI prints them at start, the window shows them);
    /// the lines stay the same while the cause does. No secret is ever in them.
    pub fn origin_access_warnings(&self) -> Vec<String> {
        let dist = self.shared.dist();
        let mut out = dist.origin_access_warnings.clone();
        let mut signing: Vec<_> = dist
            .origins
            .values()
            .filter_map(|o| o.signing.as_ref().map(|s| (o.id.as_str(), s)))
            .collect();
        signing.sort_by_key(|(id, _)| *id);
        for (id, s) in signing {
            if let crate::oac::CredentialStatus::Missing(why) = s.credentials.status() {
                out.push(format!(
                    "origin access control {}: no AWS credentials found ({why}); requests to \
                     origin {id} go unsigned",
                    s.oac_id
                ));
            }
        }
        out
    }

    /// spec OA-8: waits until the credentials of every origin that signs have been looked for
    /// once (found or not; at most 30 s), so that [`Self::origin_access_warnings`] is complete.
    pub async fn origin_access_settled(&self) {
        let dist = self.shared.dist();
        for o in dist.origins.values() {
            if let Some(s) = &o.signing {
                s.credentials.settled().await;
            }
        }
    }

    /// The function associations served without their function (see [`Dist`]).
    pub fn function_warnings(&self) -> Vec<String> {
        self.shared.dist().function_warnings.clone()
    }

    /// spec CF-3/CF-6: the function runs of the request the tester sent with `x-cfconsole-trace:
    /// KEY` (taken: a second call answers nothing).
    pub fn take_function_runs(&self, key: &str) -> Vec<crate::functions::Run> {
        let dist = self.shared.dist();
        match &dist.functions {
            Some(f) => f
                .trace
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(key)
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// spec SU-1: replaces the public keys and key groups signatures are checked with (the
    /// window's are the backend's) and re-resolves the config in force with them; the set of
    /// verified signatures starts empty. Refused (nothing changed) when the config cannot be
    /// served with them: a trusted key group missing, or naming a key that is missing.
    pub fn set_trusted_keys(
        &self,
        keys: cfconsole_signing::TrustedKeys,
    ) -> Result<(), Vec<Finding>> {
        let config = self.shared.dist().config.clone();
        let set = Arc::new(crate::signed::KeySet::new(Arc::new(keys)));
        let previous = {
            let mut o = self.options.write().unwrap_or_else(|e| e.into_inner());
            o.trusted_keys.replace(set)
        };
        let result = self.swap(config);
        if result.is_err() {
            self.options
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .trusted_keys = previous;
        }
        result
    }

    /// The public keys and key groups in force (None: none given).
    pub fn trusted_keys(&self) -> Option<Arc<cfconsole_signing::TrustedKeys>> {
        self.shared
            .dist()
            .trusted_keys
            .as_ref()
            .map(|k| Arc::clone(&k.keys))
    }

    /// spec SU-3…SU-8: why the request the tester sent with `x-cfconsole-trace: KEY` was
    /// refused (rule id, CloudFront's code, the plain reason), when it was (taken: a second
    /// call answers None). A request that passed, or was never signed-checked, has none.
    pub fn take_refusal(&self, key: &str) -> Option<cfconsole_signing::Refusal> {
        let dist = self.shared.dist();
        dist.trusted_keys.as_ref().and_then(|k| {
            k.refusals
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(key)
        })
    }

    /// Custom policies handed over by the app (control plane); applies to the next swap.
    pub fn set_policies(&self, policies: PolicySet) {
        *self.policies.write().unwrap_or_else(|e| e.into_inner()) = policies;
    }
}

fn to_base36(mut n: u64) -> String {
    const D: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut s = Vec::new();
    loop {
        s.push(D[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}
