//! Request collapsing (spec K-11): concurrent misses for one cache key wait for a single origin
//! fetch and share its result. The first caller runs the fetch; the others await the same cell.
//! If the leader is cancelled (its viewer hung up), the next waiter takes over the fetch.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::key::CacheKey;

/// The in-flight fetches, by key. Only misses touch the map: hits never take its mutex.
pub struct Collapser<T> {
    inflight: Mutex<HashMap<CacheKey, Arc<OnceCell<T>>>>,
}

impl<T> Default for Collapser<T> {
    fn default() -> Self {
        Self {
            inflight: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> Collapser<T> {
    /// Runs `fetch` unless a fetch for `key` is already in flight, in which case its result is
    /// shared. Returns the value and whether this caller ran the fetch (K-11: the leader logs
    /// `Miss`, the others `Hit`).
    pub async fn run<F, Fut>(&self, key: &CacheKey, fetch: F) -> (T, bool)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = {
            let mut map = self.inflight.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(key.clone()).or_default().clone()
        };
        let mut led = false;
        let value = cell
            .get_or_init(|| {
                led = true;
                fetch()
            })
            .await
            .clone();
        if led {
            let mut map = self.inflight.lock().unwrap_or_else(|e| e.into_inner());
            if map.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                map.remove(key);
            }
        }
        (value, led)
    }

    pub fn in_flight(&self) -> usize {
        self.inflight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn k11_one_fetch_for_many() {
        let c = Arc::new(Collapser::<u32>::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let key = crate::key::KeyRecipe {
            query: crate::key::Select::None,
            headers: vec![],
            cookies: crate::key::Select::None,
            gzip: false,
            br: false,
            options_cached: false,
        }
        .key(&crate::key::KeyInput {
            domain: "d",
            method: &hyper::Method::GET,
            path: "/x",
            query: None,
            headers: &hyper::HeaderMap::new(),
            accept_encoding: crate::key::AcceptEncoding::Absent,
        });
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (c, calls, gate, key) = (c.clone(), calls.clone(), gate.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                c.run(&key, || async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    gate.notified().await;
                    7
                })
                .await
            }));
        }
        // Wait (bounded) until the leader is inside the fetch, then release it.
        for _ in 0..1000 {
            if calls.load(Ordering::SeqCst) == 1 {
                break;
            }
            tokio::task::yield_now().await;
        }
        gate.notify_one();
        let mut leaders = 0;
        for t in tasks {
            let (v, led) = t.await.unwrap();
            assert_eq!(v, 7);
            leaders += usize::from(led);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1, "K-11: one origin fetch");
        assert_eq!(leaders, 1);
        assert_eq!(c.in_flight(), 0);
    }
}
