//! The headless subcommands, one module per area.

pub mod control;
pub mod functions;
pub mod inspect;
pub mod model;
pub mod preview;
pub mod private;
pub mod sign;
