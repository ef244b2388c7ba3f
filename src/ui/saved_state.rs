//! The window's saved state (`app.ron`, eframe's storage: the selected distribution and tab, the
//! backend). eframe starts afresh from a file it cannot read and overwrites it on exit, without a
//! word; the window checks it first, sets an unreadable one aside and says so once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// If `path` exists and is not eframe's RON map, renames it to `app.ron.unreadable` (replacing
/// an older one) and returns what to tell the operator; `None` when the file is fine or absent.
pub fn set_aside_if_unreadable(path: &Path) -> Option<String> {
    let text = match cfconsole_control::file::read_text(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(set_aside(path, &e.to_string())),
    };
    match ron::from_str::<HashMap<String, String>>(&text) {
        Ok(_) => None,
        Err(e) => Some(set_aside(path, &e.to_string())),
    }
}

fn aside(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".unreadable");
    path.with_file_name(name)
}

fn set_aside(path: &Path, why: &str) -> String {
    let to = aside(path);
    match std::fs::rename(path, &to) {
        Ok(()) => format!(
            "the saved window state {} could not be read ({why}); it was kept as {} and the \
             window starts with its defaults",
            path.display(),
            to.display()
        ),
        Err(e) => format!(
            "the saved window state {} could not be read ({why}) nor set aside ({e}); the window \
             starts with its defaults and replaces it on exit",
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readable_or_absent_state_says_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("app.ron");
        assert_eq!(set_aside_if_unreadable(&p), None);
        std::fs::write(&p, r#"{"app": "(selected: None)"}"#).unwrap();
        assert_eq!(set_aside_if_unreadable(&p), None);
        assert!(p.exists());
    }

    #[test]
    fn an_unreadable_state_is_set_aside_and_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("app.ron");
        std::fs::write(&p, "{\"app\": (not ron").unwrap();
        let said = set_aside_if_unreadable(&p).expect("said");
        assert!(said.contains("could not be read"), "{said}");
        assert!(said.contains("app.ron.unreadable"), "{said}");
        assert!(!p.exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("app.ron.unreadable")).unwrap(),
            "{\"app\": (not ron"
        );
        // Said once: the next start finds no file.
        assert_eq!(set_aside_if_unreadable(&p), None);
    }
}
