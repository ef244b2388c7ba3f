//! cfconsole: a native desktop console for Amazon CloudFront. The library holds the window
//! (`ui`), so that the UI tests under `tests/` drive the real app; `main.rs` is the binary with
//! the headless CLI.

pub mod ui;
