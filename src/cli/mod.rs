//! The headless subcommands, one module per area.

pub mod model;
