//! Following work to completion: a poller that watches a deployment (InProgress → Deployed) or an
//! invalidation (InProgress → Completed), backing off from 5 s to 60 s between reads.
//!
//! Unlike the SDK's waiters it never gives up after a fixed number of attempts (a CloudFront
//! deployment can take a long while), it keeps going through throttling and network errors, it
//! can be cancelled, and it reports every change so the GUI can redraw and the CLI can print.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cfconsole_model::Invalidation;
use tokio::sync::Notify;

use crate::error::Result;
use crate::plane::{ControlPlane, DistributionRecord, is_completed, is_deployed};

/// How long to wait between reads: `initial`, growing by `factor` up to `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// The first wait.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Growth per read.
    pub factor: f64,
}

impl Default for Schedule {
    /// 5 s, ×1.5 per read, up to 60 s.
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(5),
            max: Duration::from_secs(60),
            factor: 1.5,
        }
    }
}

impl Schedule {
    /// The wait after `delay`.
    pub fn next(&self, delay: Duration) -> Duration {
        delay.mul_f64(self.factor.max(1.0)).min(self.max)
    }
}

/// Cancels a poll from elsewhere (the GUI's Cancel button, Ctrl-C).
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<(AtomicBool, Notify)>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every poll holding this token.
    pub fn cancel(&self) {
        self.0.0.store(true, Ordering::SeqCst);
        self.0.1.notify_waiters();
    }

    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.0.load(Ordering::SeqCst)
    }

    /// Resolves once cancelled.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.1.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// What the poller reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The status read differs from the previous one (the first read always reports).
    Status(String),
    /// A read failed with a transient error; polling goes on after `retry_in`.
    Retrying {
        /// The error, as a person reads it.
        error: String,
        /// The wait before the next read.
        retry_in: Duration,
    },
}

/// How a poll ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Followed<T> {
    /// The work finished; the last value read.
    Done(T),
    /// The poll was cancelled (the work itself goes on at CloudFront).
    Cancelled,
}

/// Reads with `fetch` until `done(status_of(value))`, sleeping per `schedule` in between.
/// Transient errors are reported and retried; any other error ends the poll.
pub async fn follow<T, F, Fut>(
    mut fetch: F,
    status_of: impl Fn(&T) -> String,
    done: impl Fn(&str) -> bool,
    schedule: Schedule,
    cancel: &CancelToken,
    mut on_event: impl FnMut(Event),
) -> Result<Followed<T>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut delay = schedule.initial;
    let mut last: Option<String> = None;
    loop {
        if cancel.is_cancelled() {
            return Ok(Followed::Cancelled);
        }
        match fetch().await {
            Ok(value) => {
                let status = status_of(&value);
                if last.as_deref() != Some(status.as_str()) {
                    on_event(Event::Status(status.clone()));
                    last = Some(status.clone());
                }
                if done(&status) {
                    return Ok(Followed::Done(value));
                }
            }
            Err(e) if e.is_transient() => on_event(Event::Retrying {
                error: e.to_string(),
                retry_in: delay,
            }),
            Err(e) => return Err(e),
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = cancel.cancelled() => return Ok(Followed::Cancelled),
        }
        delay = schedule.next(delay);
    }
}

/// Follows a distribution's deployment until it is `Deployed`.
pub async fn wait_deployed(
    plane: &dyn ControlPlane,
    id: &str,
    schedule: Schedule,
    cancel: &CancelToken,
    on_event: impl FnMut(Event),
) -> Result<Followed<DistributionRecord>> {
    follow(
        || plane.get_distribution(id),
        |r: &DistributionRecord| r.distribution.status.clone(),
        is_deployed,
        schedule,
        cancel,
        on_event,
    )
    .await
}

/// Follows an invalidation until it is `Completed`.
pub async fn wait_completed(
    plane: &dyn ControlPlane,
    distribution_id: &str,
    invalidation_id: &str,
    schedule: Schedule,
    cancel: &CancelToken,
    on_event: impl FnMut(Event),
) -> Result<Followed<Invalidation>> {
    follow(
        || plane.get_invalidation(distribution_id, invalidation_id),
        |i: &Invalidation| i.status.clone(),
        is_completed,
        schedule,
        cancel,
        on_event,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ControlError;
    use crate::local::{Clock, LocalWorkspace, Timings};
    use std::sync::Mutex;
    use std::time::{SystemTime, UNIX_EPOCH};

    /// A clock that follows tokio's (paused) time, so sleeps in the poller move the workspace.
    struct TokioClock {
        base: tokio::time::Instant,
    }

    impl Clock for TokioClock {
        fn now(&self) -> SystemTime {
            UNIX_EPOCH + Duration::from_secs(1_800_000_000) + self.base.elapsed()
        }
    }

    fn fast() -> Schedule {
        Schedule {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(4),
            factor: 2.0,
        }
    }

    #[test]
    fn schedule_grows_to_its_max() {
        let s = Schedule::default();
        let mut d = s.initial;
        let mut seen = vec![d];
        for _ in 0..8 {
            d = s.next(d);
            seen.push(d);
        }
        assert_eq!(seen[0], Duration::from_secs(5));
        assert_eq!(seen[1], Duration::from_millis(7500));
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert_eq!(*seen.last().unwrap(), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn follows_a_deployment_to_deployed() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(TokioClock {
            base: tokio::time::Instant::now(),
        });
        let ws = LocalWorkspace::open_with(dir.path(), clock, Timings::default()).unwrap();
        let rec = ws.get_distribution("E1SAMPLE000001").await.unwrap();
        let mut c = rec.distribution.distribution_config.clone();
        c.comment = "changed".into();
        ws.update_distribution("E1SAMPLE000001", c, &rec.etag)
            .await
            .unwrap();
        let started = tokio::time::Instant::now();
        let mut events = Vec::new();
        let out = wait_deployed(&ws, "E1SAMPLE000001", fast(), &CancelToken::new(), |e| {
            events.push(e)
        })
        .await
        .unwrap();
        let Followed::Done(rec) = out else {
            panic!("not cancelled")
        };
        assert_eq!(rec.distribution.status, "Deployed");
        assert_eq!(
            events,
            vec![
                Event::Status("InProgress".into()),
                Event::Status("Deployed".into())
            ],
            "each change reported once"
        );
        // Reads at 0, 1, 3, 7 s: deployed (5 s) is seen at the 7 s read.
        assert_eq!(started.elapsed(), Duration::from_secs(7));
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_and_others_end_the_poll() {
        let calls = Mutex::new(0);
        let mut events = Vec::new();
        let out = follow(
            || {
                let n = {
                    let mut c = calls.lock().unwrap();
                    *c += 1;
                    *c
                };
                async move {
                    if n < 3 {
                        Err(ControlError::Throttling {
                            detail: "slow down".into(),
                        })
                    } else {
                        Ok("COMPLETED".to_string())
                    }
                }
            },
            |s: &String| s.clone(),
            crate::plane::is_completed,
            fast(),
            &CancelToken::new(),
            |e| events.push(e),
        )
        .await
        .unwrap();
        assert_eq!(
            out,
            Followed::Done("COMPLETED".into()),
            "moto's upper case counts"
        );
        assert_eq!(events.len(), 3, "{events:?}");
        assert!(matches!(events[0], Event::Retrying { .. }));
        let err = follow(
            || async {
                Err::<String, _>(ControlError::NotFound {
                    what: "distribution X".into(),
                })
            },
            |s: &String| s.clone(),
            crate::plane::is_completed,
            fast(),
            &CancelToken::new(),
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, ControlError::NotFound { .. }));
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_can_be_cancelled() {
        let cancel = CancelToken::new();
        let c2 = cancel.clone();
        let task = tokio::spawn(async move {
            follow(
                || async { Ok::<_, ControlError>("InProgress".to_string()) },
                |s: &String| s.clone(),
                crate::plane::is_completed,
                fast(),
                &c2,
                |_| {},
            )
            .await
        });
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(!task.is_finished(), "never gives up on its own");
        cancel.cancel();
        assert_eq!(task.await.unwrap().unwrap(), Followed::Cancelled);
    }
}
