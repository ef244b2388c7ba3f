//! The console window (eframe/egui): a distribution list, one form per area of a
//! distribution's settings, drafts with undo and autosave, review and publish.
//!
//! The modules, from the bottom up: the vocabulary every view shares (`command`, `remote`,
//! `state`, `style`, `task`, `draft`, `files`, `profiles`, `merge`), the building blocks of views
//! (`form`, `widgets`), the views (`tabs/`, one per tab, and `dialogs/`), and on top the `app`,
//! which alone runs commands and tasks and applies their results. No module imports `app`
//! (`scripts/check-module-cycles` keeps it so).
//!
//! Views never wait: every backend call and file write runs on the tokio runtime entered here
//! through the task bridge (`task.rs`), and its result comes back as a message that the app's
//! tick applies before the next frame.

pub mod app;
pub mod command;
pub mod dialogs;
pub mod draft;
pub mod files;
pub mod form;
pub mod merge;
pub mod profiles;
pub mod remote;
pub mod saved_state;
pub mod secrets;
pub mod state;
pub mod style;
pub mod tabs;
pub mod task;
pub mod widgets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub use app::{ConsoleApp, Options};

/// The window's title and the app id used for its persisted state.
pub const APP_ID: &str = "cfconsole";

/// Opens the window and runs until it is closed.
pub fn run(mut options: Options, persistence_dir: Option<PathBuf>) -> ExitCode {
    options.find_secret_store = true;
    if let Some(d) = &persistence_dir
        && let Some(said) = saved_state::set_aside_if_unreadable(&d.join("app.ron"))
    {
        eprintln!("warning: {said}");
        options.notices.push(said);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("cfconsole-worker")
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _guard = rt.enter();
    let started = Instant::now();
    let mut viewport = eframe::egui::ViewportBuilder::default()
        .with_title("cfconsole")
        .with_app_id("io.github.cfconsole.cfconsole")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([900.0, 560.0]);
    if let Ok(icon) =
        eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon/cfconsole-256.png"))
    {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport,
        persistence_path: persistence_dir.map(|d| d.join("app.ron")),
        ..Default::default()
    };
    let handle = rt.handle().clone();
    let result = eframe::run_native(
        APP_ID,
        native,
        Box::new(move |cc| {
            egui_extras::install_image_loaders(&cc.egui_ctx);
            let state = cc
                .storage
                .and_then(|s| eframe::get_value::<state::State>(s, eframe::APP_KEY))
                .unwrap_or_default();
            let mut app = ConsoleApp::new(handle, options, state);
            app.set_started(started);
            Ok(Box::new(app))
        }),
    );
    // Give in-flight writes (the last draft autosave) a moment to land.
    rt.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the window could not be opened: {e}");
            ExitCode::FAILURE
        }
    }
}
