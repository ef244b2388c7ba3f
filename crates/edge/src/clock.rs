//! The edge's notion of "now" is the model's [`Clock`] (one trait for the workspace): freshness
//! (spec §7) is tested without sleeping, production uses the system clock, tests a
//! [`ManualClock`] they advance by hand.

pub use cfconsole_model::clock::{Clock, ManualClock, SystemClock};
