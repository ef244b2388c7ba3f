//! Shared pieces with one look everywhere: the status chip, the findings column, the list of
//! changes, times of day.

use std::time::SystemTime;

use cfconsole_model::{Change, ChangeKind, Finding, Severity};
use eframe::egui::{self, RichText, Ui};

use super::command::{Command, Commands};
use super::form::finding_text;
use super::state::Tab;
use super::style::{ERROR, OK, WARNING};

/// A distribution or invalidation status in words, with a spinner while it is in progress.
pub fn status_chip(ui: &mut Ui, status: &str) {
    if status.eq_ignore_ascii_case("Deployed") || status.eq_ignore_ascii_case("Completed") {
        ui.colored_label(OK, status);
    } else if status.eq_ignore_ascii_case("InProgress") {
        ui.spinner();
        ui.label("Deploying…")
            .on_hover_text("InProgress: the change is reaching the edge locations");
    } else {
        ui.label(status);
    }
}

/// The findings of one tab, each a link to its field: a click pushes the focus command.
pub fn findings_column(ui: &mut Ui, findings: &[Finding], tab: Tab, commands: &mut Commands) {
    ui.label(RichText::new(format!("Findings on {tab}")).strong());
    ui.add_space(4.0);
    let mine: Vec<&Finding> = findings
        .iter()
        .filter(|f| Tab::of_path(&f.path) == tab)
        .collect();
    if mine.is_empty() {
        ui.label(RichText::new("No findings on this tab.").weak());
    }
    egui::ScrollArea::vertical()
        .id_salt("findings")
        .show(ui, |ui| {
            for f in mine {
                let color = if f.severity == Severity::Error {
                    ERROR
                } else {
                    WARNING
                };
                if ui
                    .link(
                        RichText::new(f.path.clone())
                            .color(color)
                            .monospace()
                            .small(),
                    )
                    .on_hover_text("Go to the field")
                    .clicked()
                {
                    commands.push(Command::Focus(f.path.clone()));
                }
                finding_text(ui, f);
                ui.add_space(4.0);
            }
            let others = findings
                .iter()
                .filter(|f| Tab::of_path(&f.path) != tab)
                .count();
            if others > 0 {
                ui.separator();
                ui.label(RichText::new(format!("{others} more on other tabs")).weak());
                for f in findings.iter().filter(|f| Tab::of_path(&f.path) != tab) {
                    if ui
                        .link(
                            RichText::new(format!("{} › {}", Tab::of_path(&f.path), f.path))
                                .small(),
                        )
                        .clicked()
                    {
                        commands.push(Command::Focus(f.path.clone()));
                    }
                }
            }
        });
}

/// The model's changes as lines (`Origins › media › OriginPath: "" -> "/v2"`).
/// The list of changes; origin custom header values are withheld unless `show_header_values`
/// (the change is still listed: "changed (value withheld)").
pub fn change_list(ui: &mut Ui, changes: &[Change], show_header_values: bool) {
    if changes.is_empty() {
        ui.label(RichText::new("No changes.").weak());
    }
    for c in changes {
        let mut c = c.clone();
        if !show_header_values {
            c.withhold_secrets();
        }
        let (mark, color) = match c.kind {
            ChangeKind::Added => ("added", OK),
            ChangeKind::Removed => ("removed", ERROR),
            ChangeKind::Changed => ("changed", WARNING),
            ChangeKind::Moved => ("moved", WARNING),
        };
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(color, mark);
            ui.label(RichText::new(c.to_string()).monospace().small());
        });
    }
}

/// `HH:MM:SS` in UTC.
pub fn clock_time(t: SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "{:02}:{:02}:{:02} UTC",
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60
    )
}

/// A flag before a card's title: its color, its word, and what it means (on hover).
pub struct Flag<'a> {
    /// Red or amber.
    pub color: egui::Color32,
    /// `error`, `warning`, `shadowed`.
    pub word: &'a str,
    /// What it means, on hover.
    pub why: Option<&'a str>,
}

/// The flags for the worst finding under a card (none when there is none).
pub fn severity_flag(worst: Option<Severity>) -> Option<Flag<'static>> {
    worst.map(|s| match s {
        Severity::Error => Flag {
            color: ERROR,
            word: "error",
            why: None,
        },
        Severity::Warning => Flag {
            color: WARNING,
            word: "warning",
            why: None,
        },
    })
}

/// A card's title row: its flags first, so they are seen whatever the width, then the title
/// as a selectable label cut to the room left (the whole title on hover; its accessible name is
/// the whole title). Returns the title's response (a click opens or closes the card).
pub fn card_title(
    ui: &mut Ui,
    open: bool,
    title: &str,
    hover: &str,
    flags: &[Flag<'_>],
) -> egui::Response {
    for f in flags {
        let r = ui.colored_label(f.color, f.word);
        if let Some(why) = f.why {
            r.on_hover_text(why);
        }
    }
    ui.add(egui::Button::selectable(open, RichText::new(title).monospace()).truncate())
        .on_hover_text(format!("{title}\n{hover}"))
}
