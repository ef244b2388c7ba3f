//! The invalidation queue and the cost meter.
//!
//! CloudFront refuses an invalidation that would put more than 3,000 individual or 15 wildcard
//! paths in progress on one distribution (spec I-8). The queue never passes that refusal on: it
//! splits a large set of paths into batches within the limits, submits what fits, and submits the
//! rest as earlier batches complete. The cost meter prices paths: 1,000 a month free, then
//! $0.005 a path, a wildcard counting as one (spec I-9).

use std::time::{Duration, SystemTime};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use cfconsole_model::invalidation::{
    self, FREE_PATHS_PER_MONTH, MAX_INDIVIDUAL_IN_PROGRESS, MAX_WILDCARD_IN_PROGRESS, PathCounts,
};
use cfconsole_model::{Invalidation, InvalidationBatch, InvalidationPath, List};

use crate::error::{ControlError, Result};
use crate::plane::{ControlPlane, is_completed};
use crate::poll::{CancelToken, Schedule};

/// Splits `paths` into batches that each fit the in-progress limits of spec I-8 on their own,
/// dropping exact duplicates (CloudFront would count each). The two limits are independent, so
/// the n-th individual path goes to batch n / 3,000 and the n-th wildcard to batch n / 15: the
/// fewest batches, each kind in the given order.
pub fn split(paths: &[String]) -> Vec<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    let mut batches: Vec<Vec<String>> = Vec::new();
    let (mut individual, mut wildcard) = (0, 0);
    for p in paths {
        if !seen.insert(p.as_str()) {
            continue;
        }
        // The CLI lints the paths before splitting; an unparsable one counts as individual.
        let index = if InvalidationPath::parse(p).is_ok_and(|p| p.is_wildcard()) {
            wildcard += 1;
            (wildcard - 1) / MAX_WILDCARD_IN_PROGRESS
        } else {
            individual += 1;
            (individual - 1) / MAX_INDIVIDUAL_IN_PROGRESS
        };
        if batches.len() <= index {
            batches.resize_with(index + 1, Vec::new);
        }
        batches[index].push(p.clone());
    }
    batches
}

/// What the queue reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum QueueEvent {
    /// Batch `index` (of `total`) was accepted.
    Submitted {
        /// 0-based batch number.
        index: usize,
        /// Number of batches.
        total: usize,
        /// The invalidation id.
        id: String,
        /// Paths in the batch.
        paths: usize,
    },
    /// CloudFront's limits are full; the next batch waits for earlier ones to complete.
    Waiting {
        /// The batch that waits.
        index: usize,
        /// Until the next try.
        retry_in: Duration,
    },
    /// An invalidation finished.
    Completed {
        /// The invalidation id.
        id: String,
    },
}

/// How the queue works through a submission.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QueueOptions {
    /// Also wait until every batch is `Completed`.
    pub wait_all: bool,
    /// How long to wait between tries and reads.
    pub schedule: Schedule,
}

/// Submits `paths` to `distribution_id` in batches within the limits, waiting for earlier
/// batches (ours or anyone's) to complete whenever CloudFront says too many are in progress.
/// With `options.wait_all`, also waits until every batch is `Completed`. Returns the invalidations
/// as
/// last read; `None` when cancelled.
pub async fn submit_all(
    plane: &dyn ControlPlane,
    distribution_id: &str,
    paths: &[String],
    caller_reference: &str,
    options: QueueOptions,
    cancel: &CancelToken,
    mut on_event: impl FnMut(QueueEvent),
) -> Result<Option<Vec<Invalidation>>> {
    let QueueOptions { wait_all, schedule } = options;
    let batches = split(paths);
    let total = batches.len();
    let mut submitted: Vec<Invalidation> = Vec::new();
    for (index, batch_paths) in batches.into_iter().enumerate() {
        // One reference per batch: a retry with the same paths is idempotent (spec I-11).
        let batch = InvalidationBatch {
            paths: List::new(batch_paths),
            caller_reference: format!("{caller_reference}-{index}"),
        };
        let mut delay = schedule.initial;
        loop {
            if cancel.is_cancelled() {
                return Ok(None);
            }
            match plane
                .create_invalidation(distribution_id, batch.clone())
                .await
            {
                Ok(inv) => {
                    on_event(QueueEvent::Submitted {
                        index,
                        total,
                        id: inv.id.clone(),
                        paths: inv.invalidation_batch.paths.len(),
                    });
                    submitted.push(inv);
                    break;
                }
                Err(ControlError::TooManyInvalidationsInProgress { .. }) => {}
                Err(e) if e.is_transient() => {}
                Err(e) => return Err(e),
            }
            on_event(QueueEvent::Waiting {
                index,
                retry_in: delay,
            });
            if !sleep_or_cancel(delay, cancel).await {
                return Ok(None);
            }
            refresh(plane, distribution_id, &mut submitted, &mut on_event).await?;
            delay = schedule.next(delay);
        }
    }
    if wait_all {
        let mut delay = schedule.initial;
        while submitted.iter().any(|i| !is_completed(&i.status)) {
            if !sleep_or_cancel(delay, cancel).await {
                return Ok(None);
            }
            refresh(plane, distribution_id, &mut submitted, &mut on_event).await?;
            delay = schedule.next(delay);
        }
    }
    Ok(Some(submitted))
}

/// Re-reads the invalidations not yet completed, reporting those that finished.
async fn refresh(
    plane: &dyn ControlPlane,
    distribution_id: &str,
    submitted: &mut [Invalidation],
    on_event: &mut impl FnMut(QueueEvent),
) -> Result<()> {
    for inv in submitted.iter_mut().filter(|i| !is_completed(&i.status)) {
        match plane.get_invalidation(distribution_id, &inv.id).await {
            Ok(now) => {
                if is_completed(&now.status) {
                    on_event(QueueEvent::Completed { id: now.id.clone() });
                }
                *inv = now;
            }
            Err(e) if e.is_transient() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn sleep_or_cancel(delay: Duration, cancel: &CancelToken) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(delay) => true,
        _ = cancel.cancelled() => false,
    }
}

/// spec I-8: how many individual and wildcard paths `paths` holds, as the model classifies them
/// (paths that do not parse are not counted: CloudFront refuses them before counting).
pub fn count<'a>(paths: impl IntoIterator<Item = &'a String>) -> PathCounts {
    let parsed: Vec<InvalidationPath> = paths
        .into_iter()
        .filter_map(|p| InvalidationPath::parse(p).ok())
        .collect();
    invalidation::count_paths(&parsed)
}

/// What a set of paths costs, given what was already submitted this month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Paths submitted this month before these.
    pub already: u64,
    /// The new paths (a wildcard counts as one).
    pub new: u64,
    /// How many of the new paths are free.
    pub free: u64,
    /// How many are billed.
    pub billed: u64,
    /// The price of the billed ones, in millionths of a dollar.
    pub microdollars: u64,
}

impl Cost {
    /// Prices `new` paths after `already` this month.
    pub fn of(already: u64, new: u64) -> Self {
        // spec I-9, priced by the model (in thousandths of a dollar, kept here in millionths).
        let c = invalidation::cost(already, new);
        Self {
            already,
            new,
            free: c.free_paths,
            billed: c.billed_paths,
            microdollars: c.millidollars.saturating_mul(1_000),
        }
    }

    /// The price as `$1.234`.
    pub fn dollars(&self) -> String {
        format!(
            "${}.{:03}",
            self.microdollars / 1_000_000,
            (self.microdollars % 1_000_000) / 1_000
        )
    }
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} paths: {} free ({} of {} used this month before), {} billed at $0.005: {}",
            self.new,
            self.free,
            self.already,
            FREE_PATHS_PER_MONTH,
            self.billed,
            self.dollars()
        )
    }
}

/// Paths submitted in the calendar month (UTC) of `now`, over every distribution of the
/// backend: the free tier is per account. Reads each invalidation of the month once. A
/// distribution that cannot be read (a damaged workspace file) is not counted.
pub async fn paths_this_month(plane: &dyn ControlPlane, now: SystemTime) -> Result<u64> {
    let month = DateTime::from(now)
        .fmt(Format::DateTime)
        .map(|s| s.chars().take(7).collect::<String>())
        .unwrap_or_default();
    let mut total = 0u64;
    for d in plane.list_distributions().await?.items {
        for s in plane.list_all_invalidations(&d.id).await? {
            if s.create_time.starts_with(&month) {
                let inv = plane.get_invalidation(&d.id, &s.id).await?;
                total += inv.invalidation_batch.paths.len() as u64;
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::{Clock, LocalWorkspace, Timings};
    use std::sync::Arc;
    use std::time::UNIX_EPOCH;

    struct TokioClock(tokio::time::Instant);
    impl Clock for TokioClock {
        fn now(&self) -> SystemTime {
            UNIX_EPOCH + Duration::from_secs(1_800_000_000) + self.0.elapsed()
        }
    }

    #[test]
    fn split_keeps_each_batch_within_the_limits() {
        let mut paths: Vec<String> = (0..4000).map(|i| format!("/f/{i}.html")).collect();
        paths.extend((0..20).map(|i| format!("/dir{i}/*")));
        paths.push("/f/1.html".into());
        let batches = split(&paths);
        for b in &batches {
            let PathCounts {
                individual: i,
                wildcard: w,
            } = count(b);
            assert!(
                i <= 3000 && w <= 15,
                "batch of {i} individual, {w} wildcard"
            );
        }
        let n: usize = batches.iter().map(Vec::len).sum();
        assert_eq!(n, 4020, "every distinct path once");
        assert_eq!(batches.len(), 2);
    }

    #[test]
    fn count_splits_wildcards_from_individual_paths() {
        let paths: Vec<String> = ["/a", "/b/*", "/c", "/*", "no-slash"]
            .map(String::from)
            .to_vec();
        let c = count(&paths);
        assert_eq!(
            (c.individual, c.wildcard),
            (2, 2),
            "the invalid path is not counted"
        );
    }

    #[test]
    fn cost_counts_the_free_thousand() {
        let c = Cost::of(900, 300);
        assert_eq!((c.free, c.billed), (100, 200));
        assert_eq!(c.dollars(), "$1.000");
        assert_eq!(Cost::of(0, 1000).dollars(), "$0.000");
        assert_eq!(Cost::of(5000, 1).dollars(), "$0.005");
        assert!(Cost::of(900, 300).to_string().contains("200 billed"));
    }

    #[tokio::test(start_paused = true)]
    async fn four_thousand_paths_are_split_submitted_and_completed() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(TokioClock(tokio::time::Instant::now()));
        let ws = LocalWorkspace::open_with(dir.path(), clock.clone(), Timings::default()).unwrap();
        let id = "E1SAMPLE000001";
        let mut paths: Vec<String> = (0..3980).map(|i| format!("/p/{i}")).collect();
        paths.extend((0..20).map(|i| format!("/w{i}/*")));
        let mut events = Vec::new();
        let out = submit_all(
            &ws,
            id,
            &paths,
            "bulk",
            QueueOptions {
                wait_all: true,
                schedule: Schedule {
                    initial: Duration::from_secs(1),
                    max: Duration::from_secs(2),
                    factor: 2.0,
                },
            },
            &CancelToken::new(),
            |e| events.push(e),
        )
        .await
        .unwrap()
        .expect("not cancelled");
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|i| is_completed(&i.status)), "{out:?}");
        let waited = events
            .iter()
            .any(|e| matches!(e, QueueEvent::Waiting { index: 1, .. }));
        assert!(waited, "the second batch waited for the first: {events:?}");
        let mut all: Vec<String> = out
            .iter()
            .flat_map(|i| i.invalidation_batch.paths.items().to_vec())
            .collect();
        all.sort();
        paths.sort();
        assert_eq!(all, paths);
        assert_eq!(paths_this_month(&ws, clock.now()).await.unwrap(), 4000);
    }
}
