//! The Key value stores page: the account's stores; the open store's item table (search, add,
//! edit, delete), import and export in CloudFront's format through native file dialogs, and
//! its size against the 5 MB quota. Writes send the data-plane ETag; a stale one is refused
//! by the backend and the table is read again.

use cfconsole_functions::kvs::MAX_STORE_BYTES;
use eframe::egui::{self, RichText, Ui};

use super::functions::{Action, Functions};
use crate::ui::remote::Remote;
use crate::ui::style::ERROR;

impl Functions {
    /// The stores list (left panel).
    pub fn stores_ui(&mut self, ui: &mut Ui) {
        let mut actions = Vec::new();
        ui.label(RichText::new("Create key value store").strong());
        let v = &mut self.store_view;
        let l = ui.label("Store name");
        ui.text_edit_singleline(&mut v.new_store).labelled_by(l.id);
        let l = ui.label("Store description");
        ui.text_edit_singleline(&mut v.new_comment)
            .labelled_by(l.id);
        let name_error = (!v.new_store.is_empty())
            .then(|| {
                cfconsole_model::functions::check_name("key value store", v.new_store.trim()).err()
            })
            .flatten();
        if let Some(m) = &name_error {
            ui.colored_label(ERROR, m);
        }
        if ui
            .add_enabled(
                !v.new_store.trim().is_empty() && name_error.is_none(),
                egui::Button::new("Create store"),
            )
            .clicked()
        {
            actions.push(Action::CreateStore);
        }
        ui.separator();
        if let Remote::Failed { error, .. } = &self.stores {
            ui.colored_label(ERROR, format!("Error: {error}"));
        }
        if let Some(list) = self.stores.value() {
            if list.is_empty() {
                ui.label(RichText::new("No key value stores yet.").weak());
            }
            for s in list {
                let open = self.store_view.open.as_deref() == Some(&s.name);
                if ui
                    .selectable_label(open, &s.name)
                    .on_hover_text(format!("{} · last modified {}", s.status, s.modified))
                    .clicked()
                {
                    actions.push(Action::OpenStore(s.name.clone()));
                }
            }
        }
        for a in actions {
            self.act(a);
        }
    }

    /// The open store (central panel).
    pub fn store_ui(&mut self, ui: &mut Ui) {
        let mut actions = Vec::new();
        let Some(name) = self.store_view.open.clone() else {
            ui.heading("Key value stores");
            ui.label(
                "A key value store holds data a CloudFront Function reads at the edge (redirect \
                 maps, feature flags). Pick a store on the left, or create one.",
            );
            return;
        };
        // Borrowed, not copied: a store's items are drawn on every frame.
        let record = self
            .stores
            .value()
            .and_then(|l| l.iter().find(|s| s.name == name));
        ui.heading(format!("Key value store {name}"));
        if let Some(r) = record {
            ui.label(RichText::new(&r.arn).monospace());
            if !r.comment.is_empty() {
                ui.label(&r.comment);
            }
        }
        let items = record
            .and_then(|r| self.items.get(&r.arn))
            .and_then(Remote::value);
        let Some(items) = items else {
            ui.spinner();
            return;
        };
        let size = items.items.size();
        ui.add(
            egui::ProgressBar::new(size as f32 / MAX_STORE_BYTES as f32).text(format!(
                "{} keys, {size} of {MAX_STORE_BYTES} bytes (5 MB)",
                items.items.len()
            )),
        );
        ui.horizontal(|ui| {
            if ui.button("Import pairs").clicked() {
                actions.push(Action::ImportItems);
            }
            if ui.button("Export pairs").clicked() {
                actions.push(Action::ExportItems);
            }
            if ui.button("Delete store").clicked() {
                actions.push(Action::DeleteStore(name.clone()));
            }
        });
        ui.separator();
        let v = &mut self.store_view;
        ui.horizontal(|ui| {
            let l = ui.label("New key");
            ui.text_edit_singleline(&mut v.new_key).labelled_by(l.id);
            let l = ui.label("New value");
            ui.text_edit_singleline(&mut v.new_value).labelled_by(l.id);
            if ui
                .add_enabled(!v.new_key.is_empty(), egui::Button::new("Add pair"))
                .clicked()
            {
                actions.push(Action::PutItem(v.new_key.clone(), v.new_value.clone()));
            }
        });
        let l = ui.label("Search keys");
        ui.text_edit_singleline(&mut v.filter).labelled_by(l.id);
        let needle = v.filter.to_lowercase();
        // Every row has the same height, so only the rows in view are laid out: a store at its
        // 5 MB quota costs the same frame as one with ten items.
        let rows: Vec<(&str, &str)> = items
            .items
            .iter()
            .filter(|(k, _)| needle.is_empty() || k.to_lowercase().contains(&needle))
            .collect();
        ui.horizontal(|ui| {
            ui.add_sized(
                [240.0, 18.0],
                egui::Label::new(RichText::new("Key").strong()),
            );
            ui.add_sized(
                [300.0, 18.0],
                egui::Label::new(RichText::new("Value").strong()),
            );
        });
        let row_height = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
        egui::ScrollArea::vertical()
            .id_salt("store items")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, rows.len(), |ui, range| {
                for (k, val) in &rows[range] {
                    let (k, val) = (*k, *val);
                    ui.horizontal(|ui| {
                        let kl = ui.add_sized(
                            [240.0, 18.0],
                            egui::Label::new(RichText::new(k).monospace()).truncate(),
                        );
                        let editing_this = v.editing.as_ref().is_some_and(|(ek, _)| ek == k);
                        match &mut v.editing {
                            Some((_, text)) if editing_this => {
                                ui.add_sized([300.0, 18.0], egui::TextEdit::singleline(text))
                                    .labelled_by(kl.id);
                                let text = text.clone();
                                if ui.button(format!("Save {k}")).clicked() {
                                    actions.push(Action::PutItem(k.to_string(), text));
                                }
                                if ui.button("Cancel").clicked() {
                                    v.editing = None;
                                }
                            }
                            _ => {
                                ui.add_sized(
                                    [300.0, 18.0],
                                    egui::Label::new(RichText::new(val).monospace()).truncate(),
                                )
                                .labelled_by(kl.id);
                                if ui.button(format!("Edit {k}")).clicked() {
                                    v.editing = Some((k.to_string(), val.to_string()));
                                }
                                if ui.button(format!("Delete {k}")).clicked() {
                                    actions.push(Action::DeleteItem(k.to_string()));
                                }
                            }
                        }
                    });
                }
            });
        for a in actions {
            self.act(a);
        }
    }
}
