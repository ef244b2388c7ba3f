//! The one bridge between the window and the tokio runtime: [`Tasks::spawn`] runs a future
//! as a named job, wakes the window when it ends, and [`Tasks::drain`] hands its result back to
//! the owner on the UI thread. Every owner (the app, the Invalidations tab, the Preview tab)
//! has a `Tasks` of its own message type, and all of them list their jobs in one shared
//! [`Jobs`], which the status bar shows: every piece of work in flight is seen.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use eframe::egui;

/// Work in flight over the whole window, oldest first.
#[derive(Clone, Default)]
pub struct Jobs {
    inner: Arc<JobsInner>,
}

#[derive(Default)]
struct JobsInner {
    running: Mutex<BTreeMap<u64, (String, Instant)>>,
    next: AtomicU64,
    /// The window to wake; set by the first frame, seen by tasks spawned before it.
    ctx: OnceLock<egui::Context>,
}

impl Jobs {
    /// The window's context, to wake it when a task ends. The first call wins.
    pub fn set_context(&self, ctx: &egui::Context) {
        let _ = self.inner.ctx.set(ctx.clone());
    }

    /// What is running, oldest first: (what, since).
    pub fn list(&self) -> Vec<(String, Instant)> {
        self.lock().values().cloned().collect()
    }

    /// How many jobs are running.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing runs.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, (String, Instant)>> {
        self.inner.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn start(&self, what: String) -> u64 {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, (what, Instant::now()));
        id
    }

    fn end(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Wakes the window (a repaint), from any thread.
    pub fn wake(&self) {
        if let Some(ctx) = self.inner.ctx.get() {
            ctx.request_repaint();
        }
    }
}

/// Ends the job when the task's future is dropped unfinished (a runtime shut down, a panic in
/// the future): a job never stays listed after its task is gone. A finished job stays listed
/// until its owner drains the result, so "nothing in flight" means every result is applied.
struct JobGuard {
    jobs: Jobs,
    id: u64,
    finished: bool,
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.jobs.end(self.id);
        }
    }
}

/// One owner's tasks, whose results are messages `M`.
pub struct Tasks<M> {
    rt: tokio::runtime::Handle,
    jobs: Jobs,
    tx: Sender<(Option<u64>, M)>,
    rx: Receiver<(Option<u64>, M)>,
}

impl<M: Send + 'static> Tasks<M> {
    /// Tasks on `rt`, listed in `jobs`.
    pub fn new(rt: tokio::runtime::Handle, jobs: Jobs) -> Self {
        let (tx, rx) = channel();
        Self { rt, jobs, tx, rx }
    }

    /// Runs `fut` as the job `what`; its result comes back through [`Tasks::drain`].
    pub fn spawn<F>(&self, what: impl Into<String>, fut: F)
    where
        F: Future<Output = M> + Send + 'static,
    {
        let mut guard = JobGuard {
            jobs: self.jobs.clone(),
            id: self.jobs.start(what.into()),
            finished: false,
        };
        let tx = self.tx.clone();
        self.rt.spawn(async move {
            let msg = fut.await;
            if tx.send((Some(guard.id), msg)).is_ok() {
                guard.finished = true;
            }
            guard.jobs.wake();
        });
    }

    /// Runs `fut` in the background without listing it as a job (a fire-and-forget stop).
    pub fn detach<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.rt.spawn(fut);
    }

    /// A sender for messages that are not the end of a job (progress), waking the window.
    pub fn progress(&self) -> impl Fn(M) + Send + Sync + Clone + 'static {
        let tx = self.tx.clone();
        let jobs = self.jobs.clone();
        move |m| {
            let _ = tx.send((None, m));
            jobs.wake();
        }
    }

    /// The results and progress messages that have arrived, in order; the jobs whose results
    /// these are end now.
    pub fn drain(&mut self) -> Vec<M> {
        self.rx
            .try_iter()
            .map(|(job, m)| {
                if let Some(id) = job {
                    self.jobs.end(id);
                }
                m
            })
            .collect()
    }

    /// The runtime, for the rare call that must wait on it (tests, shutdown).
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        &self.rt
    }

    /// The shared job list.
    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_listed_while_it_runs_and_its_result_is_drained_once() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let jobs = Jobs::default();
        let mut tasks: Tasks<u32> = Tasks::new(rt.handle().clone(), jobs.clone());
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        tasks.spawn("waiting", async move {
            let _ = wait.await;
            7
        });
        assert_eq!(jobs.list()[0].0, "waiting");
        go.send(()).unwrap();
        let mut got = Vec::new();
        for _ in 0..1000 {
            rt.block_on(tokio::task::yield_now());
            got.extend(tasks.drain());
            if !got.is_empty() {
                break;
            }
        }
        assert_eq!(got, [7]);
        assert!(jobs.is_empty(), "the job ends when its result is drained");
        assert!(tasks.drain().is_empty());
    }

    #[test]
    fn a_dropped_task_leaves_no_job_behind() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let jobs = Jobs::default();
        let tasks: Tasks<()> = Tasks::new(rt.handle().clone(), jobs.clone());
        tasks.spawn("forever", std::future::pending());
        assert_eq!(jobs.len(), 1);
        drop(rt);
        assert_eq!(jobs.len(), 0, "shutting the runtime down drops the task");
    }
}
