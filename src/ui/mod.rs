//! The console window (eframe/egui): a distribution list, one form per area of a
//! distribution's settings, drafts with undo and autosave, review and publish.
//!
//! Views never wait: every backend call and file write runs on the tokio runtime entered here,
//! and its result comes back as a message that `ConsoleApp::tick` applies (see `app.rs`).

pub mod app;
pub mod draft;
pub mod files;
pub mod form;
pub mod invalidations;
pub mod merge;
pub mod preview;
pub mod profiles;
pub mod tabs;
pub mod widgets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub use app::{ConsoleApp, Options};

/// Runs `fut` on `rt` and sends its result on `tx`, waking the window when it arrives: how the
/// tabs that own their tasks (Invalidations, Preview) hear back from them.
pub(crate) fn spawn_reply<E: Send + 'static>(
    rt: &tokio::runtime::Handle,
    tx: &std::sync::mpsc::Sender<E>,
    ctx: &Option<eframe::egui::Context>,
    fut: impl Future<Output = E> + Send + 'static,
) {
    let tx = tx.clone();
    let ctx = ctx.clone();
    rt.spawn(async move {
        let _ = tx.send(fut.await);
        if let Some(c) = ctx {
            c.request_repaint();
        }
    });
}

/// The window's title and the app id used for its persisted state.
pub const APP_ID: &str = "cfconsole";

/// Opens the window and runs until it is closed.
pub fn run(options: Options, persistence_dir: Option<PathBuf>) -> ExitCode {
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
                .and_then(|s| eframe::get_value::<app::State>(s, eframe::APP_KEY))
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
