//! The open distribution: its header, its tabs with their finding counts, the actions, the
//! findings column and the tab itself.

use std::time::Instant;

use eframe::egui::{self, RichText};

use super::ConsoleApp;
use crate::ui::command::Command;
use crate::ui::draft;
use crate::ui::form::FormCtx;
use crate::ui::remote::Remote;
use crate::ui::state::Tab;
use crate::ui::style::{ERROR, OK, WARNING, plural};
use crate::ui::tabs;
use crate::ui::widgets;

impl ConsoleApp {
    pub(super) fn editor(&mut self, ui: &mut egui::Ui) {
        let mut close = None;
        for (i, (err, msg)) in self.chrome.banners.iter().enumerate() {
            let color = if *err { ERROR } else { OK };
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(1.0, color))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.colored_label(color, if *err { "Error:" } else { "Note:" });
                        ui.add(egui::Label::new(msg).wrap());
                        if ui.small_button("Dismiss").clicked() {
                            close = Some(i);
                        }
                    });
                });
        }
        if let Some(i) = close {
            self.chrome.banners.remove(i);
        }
        let Some(id) = self.state.selected.clone() else {
            ui.centered_and_justified(|ui| {
                ui.label("Choose a distribution on the left, or create one (New distribution…)")
            });
            return;
        };
        if let Some(file) = &self.edits.offered {
            let when = widgets::clock_time(
                std::time::UNIX_EPOCH + std::time::Duration::from_millis(file.saved_at_ms),
            );
            let n = cfconsole_model::diff::diff(&file.base, &file.draft).len();
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(1.0, WARNING))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(format!(
                            "A draft of {id} saved at {when} with {n} change{} was found.",
                            plural(n)
                        ));
                        if ui.button("Restore draft").clicked() {
                            self.command(Command::RestoreDraft);
                        }
                        if ui.button("Discard saved draft").clicked() {
                            self.command(Command::DropSavedDraft);
                        }
                    });
                });
        }
        let record = self
            .server
            .records
            .get(&id)
            .and_then(|r| r.value())
            .cloned();
        let Some(draft) = self.edits.drafts.get_mut(&id) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Loading {id}…"));
            });
            return;
        };
        // Header: identity and state of the open distribution.
        ui.horizontal(|ui| {
            ui.label(RichText::new(&id).monospace().strong().size(16.0));
            if let Some(rec) = &record {
                ui.label(RichText::new(&rec.distribution.domain_name).monospace());
                widgets::status_chip(ui, &rec.distribution.status);
            }
            ui.label(if draft.config.enabled {
                "(enabled)"
            } else {
                "(disabled)"
            });
            if draft.is_edited() {
                ui.colored_label(WARNING, "Draft differs from what is deployed");
            }
        });
        // Tabs with their finding counts.
        ui.horizontal_wrapped(|ui| {
            for tab in Tab::ALL {
                let (e, w) = draft::count(
                    draft
                        .findings()
                        .iter()
                        .filter(|f| Tab::of_path(&f.path) == tab),
                );
                let mut text = tab.to_string();
                if e > 0 {
                    text.push_str(&format!(" ({e} error{})", plural(e)));
                } else if w > 0 {
                    text.push_str(&format!(" ({w} warning{})", plural(w)));
                }
                let mut rt = RichText::new(text);
                if e > 0 {
                    rt = rt.color(ERROR);
                } else if w > 0 {
                    rt = rt.color(WARNING);
                }
                if ui.selectable_label(self.state.tab == tab, rt).clicked() {
                    self.state.tab = tab;
                }
            }
        });
        ui.separator();
        // Actions.
        let (errors, _) = draft.counts();
        let n = if draft.is_edited() {
            draft.changes().len()
        } else {
            0
        };
        let mut form = FormCtx {
            checks: &draft.checks,
            focus: &mut self.chrome.focus,
            edited: None,
            revealed: &mut self.chrome.revealed,
            commands: &mut self.work.commands,
            functions: self.functions.choices(),
            key_groups: self.access.group_choices(),
            oacs: self.access.oac_choices(),
            distribution_arn: record.as_ref().map(|r| r.distribution.arn.as_str()),
        };
        egui::Panel::bottom("actions").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(draft.can_undo(), egui::Button::new("Undo"))
                    .on_hover_text("Ctrl+Z")
                    .clicked()
                {
                    form.commands.push(Command::Undo);
                }
                if ui
                    .add_enabled(draft.can_redo(), egui::Button::new("Redo"))
                    .on_hover_text("Ctrl+Shift+Z")
                    .clicked()
                {
                    form.commands.push(Command::Redo);
                }
                ui.separator();
                if ui
                    .add_enabled(n > 0, egui::Button::new("Discard draft"))
                    .clicked()
                {
                    form.commands.push(Command::Discard);
                }
                if ui
                    .add_enabled(n > 0, egui::Button::new(format!("Review changes ({n})")))
                    .on_hover_text("Ctrl+Enter")
                    .clicked()
                {
                    form.commands.push(Command::Review);
                }
                let publish = ui
                    .add_enabled(n > 0 && errors == 0, egui::Button::new("Publish"))
                    .on_disabled_hover_text(if errors > 0 {
                        format!("Fix the {errors} error{} first", plural(errors))
                    } else {
                        "Nothing changed".into()
                    });
                if publish.clicked() {
                    form.commands.push(Command::Publish);
                }
            });
            ui.add_space(4.0);
        });
        let tab = self.state.tab;
        let policies = &self.server.policies;
        // Invalidations act on what is deployed, not on the draft: no draft findings beside them.
        // The Preview tab says itself when the draft's errors keep it on the last valid version.
        if tab != Tab::Invalidations && tab != Tab::Preview {
            egui::Panel::right("findings")
                .resizable(true)
                .default_size(260.0)
                .show(ui, |ui| {
                    widgets::findings_column(ui, draft.checks.all(), tab, form.commands);
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    if tab == Tab::Invalidations {
                        // The behavior check uses what is deployed, which is what is invalidated.
                        let config = record
                            .as_ref()
                            .map(|r| &r.distribution.distribution_config)
                            .unwrap_or(&draft.config);
                        let preview = self.preview.cache_for(&id);
                        self.invalidations.show(ui, config, preview, form.commands);
                    } else if tab == Tab::Preview {
                        // Custom policies the draft may name: listed once, for the preview.
                        for kind in cfconsole_control::PolicyKind::ALL {
                            if policies
                                .get(&kind)
                                .is_none_or(|r| matches!(r, Remote::Idle))
                            {
                                form.commands.push(Command::LoadPolicies(kind));
                            }
                        }
                        self.preview.show(ui, &id, &draft.config, form.commands);
                    } else if tab == Tab::Tags {
                        tabs::tags::show(
                            ui,
                            &id,
                            self.server.tags.get(&id),
                            &mut self.chrome.view.tags,
                            form.commands,
                        );
                    } else {
                        tabs::show(
                            tab,
                            ui,
                            &mut draft.config,
                            &mut form,
                            &mut self.chrome.view,
                            policies,
                            record.as_ref(),
                        );
                    }
                });
        });
        if let Some(field) = form.edited.take() {
            draft.commit(&field, Instant::now());
        }
    }
}
