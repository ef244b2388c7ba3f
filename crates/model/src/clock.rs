//! "Now", injected: one trait for every part of the workspace that reads the time (the edge's
//! freshness, spec §7; the local workspace's deployments and invalidations), so tests move time
//! instead of sleeping. Production uses [`SystemClock`], tests a [`ManualClock`] they advance by
//! hand or a clock of their own (one following tokio's paused time, say).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Where the time is read from.
pub trait Clock: Send + Sync + 'static {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to. Clones share one time: a test keeps a clone and
/// advances it while the code under test reads another.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<SystemTime>>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_its_clones_move_with_it() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let clock = ManualClock::new(start);
        let other = clock.clone();
        assert_eq!(clock.now(), start);
        other.advance(Duration::from_millis(1500));
        assert_eq!(clock.now(), start + Duration::from_millis(1500));
        assert_eq!(other.now(), clock.now());
    }

    #[test]
    fn the_system_clock_reads_the_system_time() {
        let before = SystemTime::now();
        let now = SystemClock.now();
        assert!(now >= before && now <= SystemTime::now());
    }
}
