//! The dialogs over the window. Each draws what it is given and pushes the operator's choice
//! as a [`Command`]; the app keeps which one is open ([`Dialog`]).

pub mod backend;
pub mod new_dist;

use cfconsole_control::DistributionRecord;
use eframe::egui::{self, RichText};

use super::command::{Command, Commands};
use super::draft::Draft;
use super::style::{ERROR, plural};
use super::widgets;

/// A dialog over the window.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// The model's diff of the draft.
    Review,
    /// A stale ETag: what changed on the server, and the way forward.
    Conflict {
        /// The distribution.
        id: String,
        /// What the server has now.
        server: Box<DistributionRecord>,
    },
    /// New distribution from a template.
    New(new_dist::NewForm),
    /// Backend picker.
    Backend(backend::BackendForm),
    /// Confirm the guided delete.
    ConfirmDelete(String),
}

/// Review changes: the model's diff of `d` against what the backend has, and Publish.
pub fn review(ctx: &egui::Context, d: &Draft, open: &mut bool, commands: &mut Commands) {
    let changes = d.changes();
    let (errors, _) = d.counts();
    egui::Window::new("Review changes")
        .collapsible(false)
        .resizable(true)
        .default_size([640.0, 420.0])
        .open(open)
        .show(ctx, |ui| {
            ui.label(format!(
                "{} change{} to {} against what the backend has (ETag {}):",
                changes.len(),
                plural(changes.len()),
                d.id,
                d.etag
            ));
            // Origin custom header values are said to change, not shown, until asked (#16).
            let shown = egui::Id::unique(("review-show-header-values", &d.id));
            let mut show = ui.data(|m| m.get_temp::<bool>(shown).unwrap_or(false));
            if changes.iter().any(|c| c.clone().withhold_secrets()) {
                ui.checkbox(&mut show, "Show origin header values");
                ui.data_mut(|m| m.insert_temp(shown, show));
            }
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| widgets::change_list(ui, changes, show));
            ui.separator();
            ui.horizontal(|ui| {
                if errors > 0 {
                    ui.colored_label(
                        ERROR,
                        format!(
                            "{errors} error{} must be fixed before publishing",
                            plural(errors)
                        ),
                    );
                }
                if ui
                    .add_enabled(
                        errors == 0 && !changes.is_empty(),
                        egui::Button::new("Publish these changes"),
                    )
                    .clicked()
                {
                    commands.push(Command::Publish);
                }
            });
        });
}

/// Changed elsewhere: the server's changes since the draft began, the draft's, and the way on.
/// Returns false when the operator chose to keep the draft (the dialog closes).
pub fn conflict(
    ctx: &egui::Context,
    id: &str,
    d: &Draft,
    server: &DistributionRecord,
    open: &mut bool,
    commands: &mut Commands,
) {
    let theirs = cfconsole_model::diff::diff(&d.base, &server.distribution.distribution_config);
    let ours = d.changes();
    let mut keep = false;
    egui::Window::new("Changed elsewhere")
        .collapsible(false)
        .default_size([680.0, 480.0])
        .open(open)
        .show(ctx, |ui| {
            ui.label(format!(
                "{id} was changed elsewhere since you opened it (ETag {} -> {}). \
                 Nothing was overwritten.",
                d.etag, server.etag
            ));
            ui.add_space(6.0);
            ui.label(RichText::new("Their changes").strong());
            egui::ScrollArea::vertical()
                .id_salt("theirs")
                .max_height(150.0)
                .show(ui, |ui| widgets::change_list(ui, &theirs, false));
            ui.label(RichText::new("Your draft").strong());
            egui::ScrollArea::vertical()
                .id_salt("ours")
                .max_height(150.0)
                .show(ui, |ui| widgets::change_list(ui, ours, false));
            ui.separator();
            ui.horizontal(|ui| {
                if ui.button("Reload and re-apply my edits").clicked() {
                    commands.push(Command::Reapply);
                }
                if ui.button("Keep my draft").clicked() {
                    keep = true;
                }
            });
        });
    if keep {
        *open = false;
    }
}

/// Confirm the guided delete of `id`.
pub fn confirm_delete(ctx: &egui::Context, id: &str, open: &mut bool, commands: &mut Commands) {
    egui::Window::new("Delete distribution")
        .collapsible(false)
        .open(open)
        .show(ctx, |ui| {
            ui.label(format!(
                "Deleting {id} takes three steps: disable it, wait until the change is deployed \
                 (minutes on AWS), then delete it. It cannot be undone."
            ));
            if ui.button(format!("Disable and delete {id}")).clicked() {
                commands.push(Command::Delete(id.to_string()));
            }
        });
}
