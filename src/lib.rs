//! cfconsole: a native desktop console for Amazon CloudFront. The library holds the window
//! (`ui`), so that the UI tests under `tests/` drive the real app, and the backend choice both
//! the window and the headless CLI open (`backend`); `main.rs` is the binary with the CLI.

pub mod backend;
pub mod credentials;
pub mod ui;
