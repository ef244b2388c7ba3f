//! The window's look: the three signal colors, the fonts, and the words for counts.

use cfconsole_control::PolicyKind;
use eframe::egui::{self, Color32};

/// Red for errors.
pub const ERROR: Color32 = Color32::from_rgb(0xd0, 0x30, 0x30);
/// Amber for warnings.
pub const WARNING: Color32 = Color32::from_rgb(0xd0, 0x8a, 0x00);
/// Green, only for Deployed / Completed.
pub const OK: Color32 = Color32::from_rgb(0x2e, 0x9e, 0x4f);

/// egui's fonts, with Hack (already built in, for monospace) as a fallback for proportional
/// text too: it has the arrows and marks the model's messages use (`→`, `●`, `›`), which
/// Ubuntu-Light lacks.
pub fn install_fonts(ctx: &egui::Context) {
    let mut defs = egui::FontDefinitions::default();
    if let Some(p) = defs.families.get_mut(&egui::FontFamily::Proportional) {
        p.push("Hack".to_owned());
    }
    ctx.set_fonts(defs);
}

/// `s` for counts other than one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A policy kind in words (`origin request`).
pub fn policy_kind_words(k: PolicyKind) -> &'static str {
    match k {
        PolicyKind::Cache => "cache",
        PolicyKind::OriginRequest => "origin request",
        PolicyKind::ResponseHeaders => "response headers",
    }
}
