//! The window's chrome: shortcuts, the top bar, the status bar, the distribution list.

use cfconsole_control::DistributionListItem;
use cfconsole_model::ExportFormat;
use eframe::egui::{self, Key, KeyboardShortcut, Modifiers, RichText};

use super::ConsoleApp;
use crate::ui::command::Command;
use crate::ui::dialogs::{self, Dialog};
use crate::ui::draft::Draft;
use crate::ui::remote::Remote;
use crate::ui::style::{ERROR, WARNING, plural};
use crate::ui::widgets;

impl ConsoleApp {
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        let cmd = Modifiers::COMMAND;
        let sc = |m: Modifiers, k: Key| KeyboardShortcut::new(m, k);
        let fire = |s: KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(&s));
        // Redo before undo: Ctrl+Shift+Z also matches Ctrl+Z's logical shortcut.
        if fire(sc(cmd | Modifiers::SHIFT, Key::Z)) || fire(sc(cmd, Key::Y)) {
            self.command(Command::Redo);
        }
        if fire(sc(cmd, Key::Z)) {
            self.command(Command::Undo);
        }
        if fire(sc(cmd, Key::S)) {
            self.command(Command::SaveNow);
        }
        if fire(sc(cmd, Key::Enter)) {
            self.command(Command::Review);
        }
        if fire(sc(Modifiers::NONE, Key::F5)) {
            self.command(Command::Refresh);
        }
        if fire(sc(cmd, Key::N)) {
            self.command(Command::NewDialog);
        }
        if fire(sc(cmd, Key::O)) {
            self.command(Command::Import);
        }
        if fire(sc(cmd, Key::F)) {
            self.chrome.view.focus_filter = true;
        }
        if fire(sc(cmd, Key::Q)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("cfconsole");
            ui.separator();
            let label = format!("Backend: {}", self.state.backend.describe());
            if ui
                .button(label)
                .on_hover_text("Choose the backend: a local workspace or AWS")
                .clicked()
            {
                self.chrome.dialog = Some(Dialog::Backend(
                    dialogs::backend::BackendForm::from_choice(&self.state.backend),
                ));
            }
            if ui
                .button("Refresh")
                .on_hover_text("Reload the list and the open distribution (F5)")
                .clicked()
            {
                self.command(Command::Refresh);
            }
            ui.separator();
            if ui
                .button("New distribution…")
                .on_hover_text("From a template (Ctrl+N)")
                .clicked()
            {
                self.command(Command::NewDialog);
            }
            let open = self.current_draft().is_some();
            if ui
                .add_enabled(open, egui::Button::new("Duplicate"))
                .clicked()
            {
                self.command(Command::Duplicate);
            }
            if ui
                .add_enabled(open, egui::Button::new("Import…"))
                .on_hover_text("Replace the draft with a file's configuration (Ctrl+O)")
                .clicked()
            {
                self.command(Command::Import);
            }
            ui.add_enabled_ui(open, |ui| {
                ui.menu_button("Export", |ui| {
                    for (label, f) in [
                        ("AWS CLI JSON…", ExportFormat::CliJson),
                        ("CloudFormation…", ExportFormat::CloudFormation),
                        ("Terraform…", ExportFormat::Terraform),
                    ] {
                        if ui.button(label).clicked() {
                            self.command(Command::Export(f, false));
                        }
                    }
                    ui.separator();
                    if ui
                        .button("AWS CLI JSON with secrets…")
                        .on_hover_text("Includes origin custom header values")
                        .clicked()
                    {
                        self.command(Command::Export(ExportFormat::CliJson, true));
                    }
                });
            });
            let selected = self.state.selected.clone();
            if let Some(id) = selected
                && ui
                    .add_enabled(
                        !self.work.deleting.contains_key(&id),
                        egui::Button::new("Delete…"),
                    )
                    .clicked()
            {
                self.chrome.dialog = Some(Dialog::ConfirmDelete(id));
            }
        });
    }

    pub(super) fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let backend = self
                .server
                .backend
                .as_ref()
                .map(|b| b.label.clone())
                .unwrap_or_else(|| "not connected".into());
            ui.label(backend);
            ui.separator();
            match self.current_draft() {
                Some(d) => {
                    let (e, w) = d.counts();
                    let state = if d.is_edited() {
                        format!(
                            "draft: edited ({} change{})",
                            d.changes().len(),
                            plural(d.changes().len())
                        )
                    } else {
                        "draft: clean".to_string()
                    };
                    ui.label(state);
                    ui.colored_label(
                        if e > 0 {
                            ERROR
                        } else {
                            ui.visuals().text_color()
                        },
                        format!("{e} error{}", plural(e)),
                    );
                    ui.colored_label(
                        if w > 0 {
                            WARNING
                        } else {
                            ui.visuals().text_color()
                        },
                        format!("{w} warning{}", plural(w)),
                    );
                    if let Some(at) = d.saved_at {
                        ui.label(format!("saved {}", widgets::clock_time(at)));
                    }
                }
                None => {
                    ui.label("no distribution open");
                }
            }
            for (id, step) in &self.work.deleting {
                ui.separator();
                ui.label(format!("deleting {id}: {step}"));
            }
            let jobs = self.work.jobs.list();
            if let Some((what, since)) = jobs.last() {
                ui.separator();
                ui.spinner();
                let more = jobs.len() - 1;
                ui.label(format!(
                    "{what}… {}s{}",
                    since.elapsed().as_secs(),
                    if more > 0 {
                        format!(" (+{more} more)")
                    } else {
                        String::new()
                    }
                ));
            }
        });
    }

    pub(super) fn distribution_list(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        let l = ui.label("Filter");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut self.chrome.filter)
                    .hint_text("id, domain, alias, comment")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        if std::mem::take(&mut self.chrome.view.focus_filter) {
            r.request_focus();
        }
        ui.add_space(4.0);
        if let Remote::Failed { error, .. } = &self.server.list {
            ui.colored_label(ERROR, format!("Error: {error}"));
            if ui.button("Retry").clicked() {
                self.command(Command::Refresh);
            }
        }
        if self.server.list.is_pending() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading distributions…");
            });
        }
        let Some(list) = self.server.list.value() else {
            return;
        };
        let needle = self.chrome.filter.to_lowercase();
        let rows: Vec<&DistributionListItem> =
            list.iter().filter(|d| matches_filter(d, &needle)).collect();
        if rows.is_empty() && !list.is_empty() {
            ui.label(
                RichText::new(format!(
                    "No distribution matches \"{}\".",
                    self.chrome.filter
                ))
                .weak(),
            );
        }
        // Every row has the same height, so only the rows in view are laid out: the list costs
        // the same at CloudFront's 500 distributions as at 5.
        let row_height = list_row_height(ui);
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show_rows(ui, row_height, rows.len(), |ui, range| {
                for d in &rows[range] {
                    let selected = self.state.selected.as_deref() == Some(&d.id);
                    let edited = self.edits.drafts.get(&d.id).is_some_and(Draft::is_edited);
                    if list_row(ui, d, selected, edited, row_height).clicked() {
                        clicked = Some(d.id.clone());
                    }
                }
            });
        if let Some(id) = clicked {
            self.command(Command::Select(id));
        }
    }
}

/// The height of one row of the distribution list: the id, the domain and aliases, the status
/// and comment, and the rule under them.
fn list_row_height(ui: &egui::Ui) -> f32 {
    let s = ui.spacing();
    let line = s.interact_size.y;
    let id = line.max(ui.text_style_height(&egui::TextStyle::Monospace) + 2.0 * s.button_padding.y);
    let small = ui.text_style_height(&egui::TextStyle::Small);
    id + small + line + 3.0 * s.item_spacing.y + 1.0
}

/// One distribution in the list, laid out in exactly `height`; long names are cut short with
/// their whole text on hover. Returns the id's response (a click selects).
fn list_row(
    ui: &mut egui::Ui,
    d: &DistributionListItem,
    selected: bool,
    edited: bool,
    height: f32,
) -> egui::Response {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::hover(),
    );
    let mut row = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    row.shrink_clip_rect(rect);
    let title = RichText::new(format!(
        "{}{}",
        d.id,
        if edited { "  (edited)" } else { "" }
    ))
    .monospace()
    .strong();
    let r = row.selectable_label(selected, title);
    row.indent(&d.id, |ui| {
        let mut place = d.domain_name.clone();
        if !d.aliases.is_empty() {
            place.push_str(" · ");
            place.push_str(&d.aliases.join(", "));
        }
        ui.add(egui::Label::new(RichText::new(place).small()).truncate());
        ui.horizontal(|ui| {
            widgets::status_chip(ui, &d.status);
            ui.label(if d.enabled { "enabled" } else { "disabled" });
            if !d.comment.is_empty() {
                ui.add(egui::Label::new(RichText::new(&d.comment).small().weak()).truncate());
            }
        });
    });
    let y = rect.bottom() - 0.5;
    ui.painter().hline(
        rect.x_range(),
        y,
        ui.visuals().widgets.noninteractive.bg_stroke,
    );
    r
}

fn matches_filter(d: &DistributionListItem, needle: &str) -> bool {
    needle.is_empty()
        || d.id.to_lowercase().contains(needle)
        || d.domain_name.to_lowercase().contains(needle)
        || d.comment.to_lowercase().contains(needle)
        || d.aliases.iter().any(|a| a.to_lowercase().contains(needle))
}
