//! Native file dialogs (rfd, through the desktop portal), behind a small trait so that tests
//! can stand in for the person choosing a file.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

/// What the app asks of a file dialog. Each call resolves to `None` when cancelled.
#[async_trait]
pub trait FileDialogs: Send + Sync {
    /// A file to read.
    async fn open_file(&self, title: &str, filters: &[(&str, &[&str])]) -> Option<PathBuf>;
    /// A file to write, proposing `default_name`.
    async fn save_file(&self, title: &str, default_name: &str) -> Option<PathBuf>;
    /// A folder.
    async fn pick_folder(&self, title: &str) -> Option<PathBuf>;
}

/// The platform's own dialogs.
#[derive(Debug, Default)]
pub struct NativeDialogs;

#[async_trait]
impl FileDialogs for NativeDialogs {
    async fn open_file(&self, title: &str, filters: &[(&str, &[&str])]) -> Option<PathBuf> {
        let mut d = rfd::AsyncFileDialog::new().set_title(title);
        for (name, exts) in filters {
            d = d.add_filter(*name, exts);
        }
        d.pick_file().await.map(|h| h.path().to_path_buf())
    }

    async fn save_file(&self, title: &str, default_name: &str) -> Option<PathBuf> {
        rfd::AsyncFileDialog::new()
            .set_title(title)
            .set_file_name(default_name)
            .save_file()
            .await
            .map(|h| h.path().to_path_buf())
    }

    async fn pick_folder(&self, title: &str) -> Option<PathBuf> {
        rfd::AsyncFileDialog::new()
            .set_title(title)
            .pick_folder()
            .await
            .map(|h| h.path().to_path_buf())
    }
}

/// Answers from a queue (tests): each call takes the next answer; an empty queue cancels.
#[derive(Debug, Default, Clone)]
pub struct ScriptedDialogs {
    answers: Arc<Mutex<Vec<PathBuf>>>,
}

impl ScriptedDialogs {
    /// The next dialog answers `path`.
    pub fn answer(&self, path: impl Into<PathBuf>) {
        if let Ok(mut a) = self.answers.lock() {
            a.push(path.into());
        }
    }

    fn next(&self) -> Option<PathBuf> {
        let mut a = self.answers.lock().ok()?;
        (!a.is_empty()).then(|| a.remove(0))
    }
}

#[async_trait]
impl FileDialogs for ScriptedDialogs {
    async fn open_file(&self, _: &str, _: &[(&str, &[&str])]) -> Option<PathBuf> {
        self.next()
    }
    async fn save_file(&self, _: &str, _: &str) -> Option<PathBuf> {
        self.next()
    }
    async fn pick_folder(&self, _: &str) -> Option<PathBuf> {
        self.next()
    }
}
