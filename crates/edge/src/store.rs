//! The edge cache: `moka`, weighted by bytes (`--cache-size`), with per-entry expiry. Freshness
//! is decided by the pipeline against the injected clock (spec §7); moka's own expiry only
//! bounds how long a stale entry is kept for revalidation (§8) and stale-if-error.
//! Cached byte ranges of an object (spec G-2) are entries of their own, found through a small
//! index of spans per object.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hyper::{HeaderMap, StatusCode};
use moka::Expiry;
use moka::notification::RemovalCause;
use serde::Serialize;

use crate::key::CacheKey;
use crate::range::Span;

/// A stored response. Immutable once stored; a refresh stores a new `Arc<Entry>`.
#[derive(Debug, Clone)]
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
    /// spec G-2: a cached range (a 206 from the origin) holds these bytes of the object; None
    /// for a whole object.
    pub range: Option<Span>,
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

    /// What this entry costs the store, in bytes: the figure `--cache-size` budgets. Counts
    /// everything the entry owns on the heap, not just its body:
    /// - the body, stored in an allocation of exactly its length ([`crate::body`]), plus the
    ///   control block `Bytes` allocates when the body is first shared with a response;
    /// - the headers: every bucket the map has room for (name and value handles, hash and
    ///   extra-value links, index slot; see [`HEADER_BUCKET`]) and each name's and value's text;
    /// - `path`, `query`, `behavior` by capacity, the key's text, the `Entry` struct itself;
    /// - [`MOKA_PER_ENTRY`] for moka's bookkeeping, and [`ALLOC_OVERHEAD`] per allocation;
    /// - for a range entry (spec G-2), its span's copy in the store's range index.
    ///
    /// An entry holds one body: a compressed variant (spec C-8) is its own entry under its own
    /// K-8 key, so each variant is weighed where it is stored.
    pub fn weight(&self, key: &CacheKey) -> u32 {
        let body = self.body.len() + ALLOC_OVERHEAD + BYTES_SHARED;
        let header_text: usize = self
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 2 * ALLOC_OVERHEAD)
            .sum();
        // `capacity()` is the bucket vector's capacity; the index table is 4/3 of it and is
        // folded into HEADER_BUCKET. Two allocations: buckets and indices.
        let header_table = self.headers.capacity() * HEADER_BUCKET + 2 * ALLOC_OVERHEAD;
        let text = |cap: usize| if cap == 0 { 0 } else { cap + ALLOC_OVERHEAD };
        let strings = text(self.path.capacity())
            + self.query.as_ref().map_or(0, |q| text(q.capacity()))
            + text(self.behavior.capacity())
            + text(key.as_str().len() + ARC_COUNTS);
        let own = size_of::<Entry>() + ARC_COUNTS + ALLOC_OVERHEAD;
        let index = if self.range.is_some() {
            size_of::<Span>()
        } else {
            0
        };
        let total = body + header_text + header_table + strings + own + index + MOKA_PER_ENTRY;
        u32::try_from(total).unwrap_or(u32::MAX)
    }
}

/// Allocator bookkeeping per heap allocation: glibc malloc's 8-byte size header rounded up to its
/// 16-byte alignment (jemalloc's size classes waste about as much on small allocations).
pub const ALLOC_OVERHEAD: usize = 16;

/// The strong and weak counters in front of every `Arc` allocation.
const ARC_COUNTS: usize = 2 * size_of::<usize>();

/// `Bytes` built from a `Vec` allocates a shared control block (buffer pointer, capacity,
/// reference count) the first time it is cloned — which every served hit does.
const BYTES_SHARED: usize = 3 * size_of::<usize>() + ALLOC_OVERHEAD;

/// One `HeaderMap` bucket: the name and value handles, the 16-bit hash and the optional
/// extra-value links (two indices and a tag), and the 4-byte index slot of which the map keeps
/// 4/3 per bucket; the last three rounded up to four words.
pub const HEADER_BUCKET: usize = size_of::<hyper::header::HeaderName>()
    + size_of::<hyper::header::HeaderValue>()
    + 4 * size_of::<usize>();

/// moka 0.12's bookkeeping per entry, which its private types keep from being measured with
/// `size_of`: the hash-table bucket, the `Arc` around the key, the value entry, its `EntryInfo`
/// (hash, generations, three timestamps, weight), the lock holding its queue-node pointers, and
/// the access-order, write-order and timer-wheel (per-entry expiry) nodes: eight allocations
/// of three to eight words, about 450 bytes with allocator overhead; rounded up.
pub const MOKA_PER_ENTRY: usize = 512;

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
    /// spec G-1: the spans cached per object key, so a range request finds the entries that
    /// may cover it without scanning the cache. Spans leave with their entries (moka's removal
    /// listener); one whose entry is already gone is dropped when a lookup meets it.
    ranges: RangeIndex,
}

type RangeIndex = Arc<Mutex<HashMap<CacheKey, Vec<Span>>>>;

/// Drops `span` (matched by its bounds: the key names bounds only) from `object`'s spans.
fn unindex(index: &RangeIndex, object: &CacheKey, span: Span) {
    let mut map = index.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(spans) = map.get_mut(object) {
        spans.retain(|s| (s.start, s.end) != (span.start, span.end));
        if spans.is_empty() {
            map.remove(object);
        }
    }
}

/// Bytes inserted between two moka maintenance runs (see [`Store::insert`]).
const MAINTENANCE_EVERY: u64 = 1024 * 1024;

impl Store {
    /// A store whose entries weigh at most `capacity` bytes in all, as [`Entry::weight`] counts
    /// them (`--cache-size`): moka evicts down to it at each maintenance run.
    pub fn new(capacity: u64) -> Self {
        let ranges = RangeIndex::default();
        let index = ranges.clone();
        let cache = moka::future::Cache::builder()
            .max_capacity(capacity)
            .weigher(|k: &CacheKey, e: &Arc<Entry>| e.weight(k))
            .expire_after(Retention)
            .eviction_listener(move |k: Arc<CacheKey>, e: Arc<Entry>, cause| {
                // A replaced range entry keeps its key, so its span stays indexed.
                if cause != RemovalCause::Replaced
                    && let (Some(span), Some(object)) = (e.range, k.object())
                {
                    unindex(&index, &object, span);
                }
            })
            .build();
        Self {
            cache,
            pending: Arc::new(AtomicU64::new(0)),
            ranges,
        }
    }

    /// The most the entries may weigh in all (`--cache-size`): a body longer than this can
    /// never be kept.
    pub fn capacity(&self) -> u64 {
        self.cache.policy().max_capacity().unwrap_or(u64::MAX)
    }

    pub async fn get(&self, key: &CacheKey) -> Option<Arc<Entry>> {
        self.cache.get(key).await
    }

    pub async fn insert(&self, key: CacheKey, entry: Arc<Entry>) {
        let weight = u64::from(entry.weight(&key));
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

    /// spec G-2: stores a range entry (`entry.range` set) of the object keyed `object`, under the
    /// object's key plus the span. Indexed before it is inserted, so that an eviction racing
    /// the insert cannot leave an entry the index does not know.
    pub async fn insert_range(&self, object: &CacheKey, entry: Arc<Entry>) {
        let Some(span) = entry.range else {
            return;
        };
        {
            let mut map = self.ranges.lock().unwrap_or_else(|e| e.into_inner());
            let spans = map.entry(object.clone()).or_default();
            spans.retain(|s| (s.start, s.end) != (span.start, span.end));
            spans.push(span);
        }
        self.insert(object.with_range(span), entry).await;
    }

    /// spec G-1: the cached range entries of the object keyed `object` (fresh or not: the
    /// pipeline decides). Spans whose entries are gone are dropped from the index.
    pub async fn ranges(&self, object: &CacheKey) -> Vec<Arc<Entry>> {
        let spans = self
            .ranges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(object)
            .cloned()
            .unwrap_or_default();
        let mut out = Vec::with_capacity(spans.len());
        for span in spans {
            match self.cache.get(&object.with_range(span)).await {
                Some(e) => out.push(e),
                None => unindex(&self.ranges, object, span),
            }
        }
        out
    }

    /// Spans in the range index, over all objects.
    #[cfg(test)]
    fn indexed_spans(&self) -> usize {
        let map = self.ranges.lock().unwrap_or_else(|e| e.into_inner());
        map.values().map(Vec::len).sum()
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
                key: k.display(),
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
        self.ranges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Runs the cache's pending maintenance, so that [`Self::entry_count`] and
    /// [`Self::weighted_size`] count every insert and removal made so far (moka updates them
    /// lazily). For `GET /stats` and `GET /cache`, not for the request path.
    pub async fn settle(&self) {
        self.cache.run_pending_tasks().await;
    }

    /// Bytes held, as [`Entry::weight`] counts them (up to the last maintenance run).
    pub fn weighted_size(&self) -> u64 {
        self.cache.weighted_size()
    }

    pub fn entry_count(&self) -> u64 {
        self.cache.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    use hyper::header::{HeaderName, HeaderValue};

    use crate::body;
    use crate::key::{AcceptEncoding, KeyInput, KeyRecipe, Select};

    /// An origin body without Content-Length, in 7 KiB frames: the collected buffer grows by
    /// doubling, the case where a stored body could keep twice its length.
    use crate::body::tests::Chunks as Chunked;

    fn key(path: &str) -> CacheKey {
        KeyRecipe {
            query: Select::All,
            headers: vec![],
            cookies: Select::None,
            gzip: false,
            br: false,
            options_cached: false,
        }
        .key(&KeyInput {
            domain: "d111111abcdef8.cloudfront.net",
            method: &hyper::Method::GET,
            path,
            query: None,
            headers: &HeaderMap::new(),
            accept_encoding: AcceptEncoding::Absent,
        })
    }

    fn headers(n: usize) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            hyper::header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=3600"),
        );
        for i in 0..n {
            h.insert(
                HeaderName::from_bytes(format!("x-origin-{i}").as_bytes()).unwrap(),
                HeaderValue::from_str(&"v".repeat(40)).unwrap(),
            );
        }
        // As the pipeline stores them: values copied out of the connection buffer.
        crate::headers::detach(&h)
    }

    /// An entry as a miss builds it: body collected from the origin stream, headers detached.
    async fn entry(path: &str, body_len: usize, extra_headers: usize) -> Entry {
        let frames: VecDeque<Bytes> = (0..body_len.div_ceil(7 * 1024))
            .map(|i| Bytes::from(vec![b'x'; (body_len - i * 7 * 1024).min(7 * 1024)]))
            .collect();
        let collected = body::collect(&mut Chunked(frames), None, Duration::from_secs(5))
            .await
            .expect("no gap");
        let body = collected.body;
        Entry {
            status: StatusCode::OK,
            headers: headers(extra_headers),
            body,
            stored_at: SystemTime::UNIX_EPOCH,
            ttl: Duration::from_secs(3600),
            revalidate: false,
            stale_if_error: None,
            stale_while_revalidate: None,
            error: false,
            path: path.to_string(),
            query: None,
            behavior: "*".to_string(),
            vary_star: false,
            range: None,
        }
    }

    #[tokio::test]
    async fn fill_stays_within_budget_and_bodies_are_exact() {
        const BUDGET: u64 = 4 * 1024 * 1024;
        let store = Store::new(BUDGET);
        let body_len = 63 * 1024 + 17; // not a power of two: a doubled buffer would be 128 KiB
        for i in 0..200 {
            let path = format!("/fill/{i}");
            let e = entry(&path, body_len, 6).await;
            // The allocation behind the body is exactly its length before it is shared.
            let body = e.body.clone();
            drop(e.body);
            let owned = body.try_into_mut().expect("the collected body is unique");
            assert_eq!(
                owned.capacity(),
                body_len,
                "a stored body must not keep spare capacity"
            );
            let e = Entry {
                body: owned.freeze(),
                ..entry(&path, 0, 6).await
            };
            store.insert(key(&path), Arc::new(e)).await;
        }
        store.cache.run_pending_tasks().await;
        let held = store.weighted_size();
        assert!(
            held <= BUDGET,
            "the store holds {held} weighed bytes, over its {BUDGET}-byte budget"
        );
        let counted: u64 = store
            .cache
            .iter()
            .map(|(k, e)| u64::from(e.weight(&k)))
            .sum();
        assert_eq!(counted, held, "the budget is what the weigher counts");
        let n = store.entry_count();
        assert!(n > 0, "a 64 KiB entry fits a 4 MiB store");
        // 4 MiB of 63 KiB bodies alone would be 65 entries; the per-entry costs must lower that.
        assert!(
            n * (body_len as u64) < BUDGET,
            "{n} entries of {body_len} bytes cannot all fit once their overhead is counted"
        );
    }

    #[tokio::test]
    async fn weight_counts_headers_key_texts_and_bookkeeping() {
        let k = key("/a");
        let bare = entry("/a", 1000, 0).await;
        let w = bare.weight(&k) as usize;
        let floor = 1000
            + "cache-control".len()
            + "max-age=3600".len()
            + "/a".len()
            + k.as_str().len()
            + size_of::<Entry>()
            + MOKA_PER_ENTRY;
        assert!(
            w >= floor,
            "weight {w} below what the entry holds ({floor})"
        );
        // Every header costs its text and its bucket, not just its text.
        let rich = entry("/a", 1000, 30).await;
        let extra = rich.weight(&k) as usize - w;
        assert!(
            extra >= 30 * (HEADER_BUCKET + "x-origin-00".len() + 40),
            "30 headers added only {extra} bytes"
        );
    }

    /// A range entry of `path`: bytes `start..=end` of a `total`-byte object.
    async fn range_entry(path: &str, start: u64, end: u64, total: u64) -> Arc<Entry> {
        let e = entry(path, (end - start + 1) as usize, 0).await;
        Arc::new(Entry {
            status: StatusCode::PARTIAL_CONTENT,
            range: Some(Span { start, end, total }),
            ..e
        })
    }

    #[tokio::test]
    async fn g2_range_entries_are_found_by_their_object_and_weigh_their_bytes() {
        let store = Store::new(64 * 1024 * 1024);
        let (a, b) = (key("/a"), key("/b"));
        store
            .insert_range(&a, range_entry("/a", 0, 999, 10_000).await)
            .await;
        store
            .insert_range(&a, range_entry("/a", 5000, 5999, 10_000).await)
            .await;
        store
            .insert_range(&b, range_entry("/b", 0, 99, 100).await)
            .await;
        // The same span again replaces the entry and keeps one index slot.
        store
            .insert_range(&a, range_entry("/a", 0, 999, 10_000).await)
            .await;
        let mut spans: Vec<(u64, u64)> = store
            .ranges(&a)
            .await
            .iter()
            .filter_map(|e| e.range.map(|s| (s.start, s.end)))
            .collect();
        spans.sort();
        assert_eq!(spans, [(0, 999), (5000, 5999)], "G-1: both ranges of /a");
        assert_eq!(store.ranges(&b).await.len(), 1);
        assert!(
            store.get(&a).await.is_none(),
            "a range is never stored under the object's own key"
        );
        assert_eq!(store.indexed_spans(), 3);
        store.cache.run_pending_tasks().await;
        let held = store.weighted_size();
        let counted: u64 = store
            .cache
            .iter()
            .map(|(k, e)| u64::from(e.weight(&k)))
            .sum();
        assert_eq!(held, counted, "range entries are weighed like any entry");
        let one = range_entry("/a", 0, 999, 10_000).await;
        let w = one.weight(&a.with_range(Span {
            start: 0,
            end: 999,
            total: 10_000,
        })) as usize;
        assert!(
            w >= 1000 + size_of::<Span>() + MOKA_PER_ENTRY,
            "a range entry weighs its bytes, its index slot and the bookkeeping: {w}"
        );
    }

    #[tokio::test]
    async fn i7_invalidation_and_eviction_drop_ranges_from_the_index() {
        let store = Store::new(64 * 1024 * 1024);
        let (a, b) = (key("/a"), key("/b"));
        store
            .insert_range(&a, range_entry("/a", 0, 9, 100).await)
            .await;
        store
            .insert_range(&a, range_entry("/a", 10, 19, 100).await)
            .await;
        store
            .insert_range(&b, range_entry("/b", 0, 9, 100).await)
            .await;
        let removed = store.invalidate_where(|e| e.path == "/a").await;
        assert_eq!(removed, 2, "I-3: every range of the path");
        // Before any lookup (which would also drop dead spans): the removal itself did it.
        assert_eq!(
            store.indexed_spans(),
            1,
            "invalidated spans leave the index"
        );
        assert!(store.ranges(&a).await.is_empty());
        assert_eq!(store.ranges(&b).await.len(), 1);

        // Size eviction: a budget far below what is inserted; afterwards every indexed span
        // has its entry and every range entry is indexed.
        let small = Store::new(256 * 1024);
        for i in 0..64u64 {
            let k = key(&format!("/fill/{}", i % 8));
            let start = i * 16 * 1024;
            let e = range_entry("/fill", start, start + 16 * 1024 - 1, 1 << 30).await;
            small.insert_range(&k, e).await;
        }
        small.cache.run_pending_tasks().await;
        let held = small.entry_count();
        assert!(held < 64, "the budget evicted ranges ({held} left)");
        assert_eq!(
            small.indexed_spans() as u64,
            held,
            "evicted ranges leave the index"
        );
        small.clear().await;
        assert_eq!(small.indexed_spans(), 0);
    }
}
