//! Counters per behavior (requests, hits, misses, errors, bytes) for the UI's charts and
//! `GET /stats`. Lock-free atomics: counting a hit never contends with other requests.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::outcome::ResultType;

/// The counters of one behavior.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub hits: AtomicU64,
    pub refresh_hits: AtomicU64,
    pub misses: AtomicU64,
    pub errors: AtomicU64,
    pub redirects: AtomicU64,
    pub bytes: AtomicU64,
    pub origin_requests: AtomicU64,
}

/// A snapshot, as `GET /stats` prints it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snapshot {
    pub behavior: String,
    pub requests: u64,
    pub hits: u64,
    pub refresh_hits: u64,
    pub misses: u64,
    pub errors: u64,
    pub redirects: u64,
    pub bytes: u64,
    pub origin_requests: u64,
}

impl Counters {
    /// Counts one response of `bytes` bytes under its result type (spec X-1).
    pub fn record(&self, result: ResultType, bytes: u64) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        let c = match result {
            ResultType::Hit => &self.hits,
            ResultType::RefreshHit => &self.refresh_hits,
            ResultType::Miss => &self.misses,
            // A function's own answer counts with the edge's other answers (redirects); its
            // failure with the errors.
            ResultType::Redirect | ResultType::FunctionGeneratedResponse => &self.redirects,
            ResultType::Error | ResultType::FunctionExecutionError => &self.errors,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self, behavior: &str) -> Snapshot {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Snapshot {
            behavior: behavior.to_string(),
            requests: l(&self.requests),
            hits: l(&self.hits),
            refresh_hits: l(&self.refresh_hits),
            misses: l(&self.misses),
            errors: l(&self.errors),
            redirects: l(&self.redirects),
            bytes: l(&self.bytes),
            origin_requests: l(&self.origin_requests),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_result_type_has_its_counter() {
        let c = Counters::default();
        for (i, r) in ResultType::ALL.into_iter().enumerate() {
            c.record(r, i as u64);
        }
        let s = c.snapshot("*");
        assert_eq!(
            (
                s.requests,
                s.hits,
                s.refresh_hits,
                s.misses,
                s.errors,
                s.redirects,
                s.bytes
            ),
            (7, 1, 1, 1, 2, 2, 21)
        );
    }
}
