//! The edge cache: `moka`, weighted by bytes (`--cache-size`), with per-entry expiry. Freshness
//! is decided by the pipeline against the injected clock (spec §7); moka's own expiry only
//! bounds how long a stale entry is kept for revalidation (§8) and stale-if-error.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hyper::{HeaderMap, StatusCode};
use moka::Expiry;
use serde::Serialize;

use crate::key::CacheKey;

/// A stored response. Immutable once stored; a refresh stores a new `Arc<Entry>`.
#[derive(Debug)]
pub struct Entry {
    pub status: StatusCode,
    /// The origin's headers, hop-by-hop stripped (viewer-facing rewriting happens per request).
    pub headers: HeaderMap,
    pub body: Bytes,
    pub stored_at: SystemTime,
    pub ttl: Duration,
    /// spec §19-3 / T-6: every use revalidates first.
    pub revalidate: bool,
    /// spec T-10: seconds after expiry during which a stale copy may be served on error.
    pub stale_if_error: Option<u64>,
    /// spec T-10: seconds after expiry during which the stale copy is served at once while a
    /// background request revalidates it.
    pub stale_while_revalidate: Option<u64>,
    /// spec E-8: the entry is an error (or a custom error page stored under the failing URL):
    /// served with result type `Error`.
    pub error: bool,
    /// For invalidation (I-3) and `GET /cache`: raw path and query of the request.
    pub path: String,
    pub query: Option<String>,
    pub behavior: String,
    /// spec R-7: `Vary: *` — forward without conditionals.
    pub vary_star: bool,
}

impl Entry {
    pub fn fresh_until(&self) -> SystemTime {
        self.stored_at + self.ttl
    }

    pub fn is_fresh(&self, now: SystemTime) -> bool {
        !self.revalidate && now < self.fresh_until()
    }

    /// spec X-4: whole seconds since stored/refreshed.
    pub fn age(&self, now: SystemTime) -> u64 {
        now.duration_since(self.stored_at)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    pub fn has_validator(&self) -> bool {
        self.headers.contains_key(hyper::header::ETAG)
            || self.headers.contains_key(hyper::header::LAST_MODIFIED)
    }

    fn weight(&self) -> u32 {
        let headers: usize = self
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 32)
            .sum();
        let total = self.body.len() + headers + self.path.len() + 256;
        u32::try_from(total).unwrap_or(u32::MAX)
    }
}

/// How long moka keeps an entry after it stops being fresh: long enough to revalidate
/// and to serve stale on error (R-4/R-5/T-10). Bounded so that unvalidatable junk leaves.
pub const STALE_RETENTION: Duration = Duration::from_secs(24 * 3600);

struct Retention;

impl Expiry<CacheKey, Arc<Entry>> for Retention {
    fn expire_after_create(&self, _k: &CacheKey, e: &Arc<Entry>, _at: Instant) -> Option<Duration> {
        let stale = if e.has_validator() || e.stale_if_error.is_some() {
            STALE_RETENTION.max(Duration::from_secs(e.stale_if_error.unwrap_or(0)))
        } else {
            // Nothing to revalidate with: it is useless once expired, except for R-5, which
            // CloudFront also serves from any expired copy; keep a short grace period.
            Duration::from_secs(60)
        };
        Some(e.ttl.saturating_add(stale))
    }

    fn expire_after_update(
        &self,
        k: &CacheKey,
        e: &Arc<Entry>,
        at: Instant,
        _d: Option<Duration>,
    ) -> Option<Duration> {
        self.expire_after_create(k, e, at)
    }
}

/// A row of `GET /cache`.
#[derive(Debug, Clone, Serialize)]
pub struct EntryInfo {
    pub key: String,
    pub path: String,
    pub query: Option<String>,
    pub behavior: String,
    pub status: u16,
    pub bytes: usize,
    pub ttl: u64,
    pub age: u64,
    pub fresh: bool,
    pub error: bool,
    pub content_encoding: Option<String>,
}

/// The cache store.
#[derive(Clone)]
pub struct Store {
    cache: moka::future::Cache<CacheKey, Arc<Entry>>,
    /// Bytes inserted since the last maintenance run.
    pending: Arc<AtomicU64>,
}

/// Bytes inserted between two moka maintenance runs (see [`Store::insert`]).
const MAINTENANCE_EVERY: u64 = 1024 * 1024;

impl Store {
    /// A store holding at most `capacity` bytes (bodies + headers, approximately).
    pub fn new(capacity: u64) -> Self {
        let cache = moka::future::Cache::builder()
            .max_capacity(capacity)
            .weigher(|_k: &CacheKey, e: &Arc<Entry>| e.weight())
            .expire_after(Retention)
            .build();
        Self {
            cache,
            pending: Arc::new(AtomicU64::new(0)),
        }
    }

    pub async fn get(&self, key: &CacheKey) -> Option<Arc<Entry>> {
        self.cache.get(key).await
    }

    pub async fn insert(&self, key: CacheKey, entry: Arc<Entry>) {
        let weight = u64::from(entry.weight());
        self.cache.insert(key, entry).await;
        // moka evicts in batched maintenance; under a fast fill thousands of pending writes can
        // hold their bodies past `--cache-size` (measured: 128 MiB cache, 470 MiB RSS). Running
        // the maintenance after every few MiB inserted bounds that lag.
        let pending = self.pending.fetch_add(weight, Ordering::Relaxed) + weight;
        if pending >= MAINTENANCE_EVERY {
            self.pending.store(0, Ordering::Relaxed);
            self.cache.run_pending_tasks().await;
        }
    }

    pub async fn remove(&self, key: &CacheKey) {
        self.cache.invalidate(key).await;
    }

    /// spec §15 I-3/I-7: removes at once every entry whose path/query a matcher accepts.
    /// Returns how many were removed.
    pub async fn invalidate_where(&self, matches: impl Fn(&Entry) -> bool) -> usize {
        let doomed: Vec<Arc<CacheKey>> = self
            .cache
            .iter()
            .filter(|(_, e)| matches(e))
            .map(|(k, _)| k)
            .collect();
        for k in &doomed {
            self.cache.invalidate(k.as_ref()).await;
        }
        doomed.len()
    }

    pub fn entries(&self, now: SystemTime) -> Vec<EntryInfo> {
        let mut out: Vec<EntryInfo> = self
            .cache
            .iter()
            .map(|(k, e)| EntryInfo {
                key: k.as_str().replace('\u{1}', " | "),
                path: e.path.clone(),
                query: e.query.clone(),
                behavior: e.behavior.clone(),
                status: e.status.as_u16(),
                bytes: e.body.len(),
                ttl: e.ttl.as_secs(),
                age: e.age(now),
                fresh: e.is_fresh(now),
                error: e.error,
                content_encoding: e
                    .headers
                    .get(hyper::header::CONTENT_ENCODING)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    pub async fn clear(&self) {
        self.cache.invalidate_all();
        self.cache.run_pending_tasks().await;
    }

    /// Approximate bytes held.
    pub fn weighted_size(&self) -> u64 {
        self.cache.weighted_size()
    }

    pub fn entry_count(&self) -> u64 {
        self.cache.entry_count()
    }
}
