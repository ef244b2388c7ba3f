//! Tags: the distribution's resource tags. They are not part of its configuration (CloudFront
//! keeps them beside it and tagging deploys nothing), so they are edited here and saved at once
//! through the control plane rather than through the draft and Publish.

use cfconsole_control::{Tag, check_tags};
use eframe::egui::{self, RichText, Ui};

use crate::ui::command::{Command, Commands};
use crate::ui::remote::Remote;
use crate::ui::style::ERROR;

/// Draws the tab for distribution `id`; `edit` holds unsaved tag edits (by distribution).
pub fn show(
    ui: &mut Ui,
    id: &str,
    remote: Option<&Remote<Vec<Tag>>>,
    edit: &mut Option<(String, Vec<Tag>)>,
    commands: &mut Commands,
) {
    ui.label(
        RichText::new(
            "Tags label the distribution for cost allocation and access control. They are saved \
             at once (not with Publish) and deploy nothing.",
        )
        .weak(),
    );
    ui.add_space(6.0);
    let loaded = match remote {
        None | Some(Remote::Idle) => {
            commands.push(Command::LoadTags(id.to_string()));
            return;
        }
        Some(Remote::Failed { error, .. }) => {
            ui.colored_label(
                ERROR,
                format!("The tags could not be read or saved: {error}"),
            );
            if ui.button("Retry reading the tags").clicked() {
                commands.push(Command::LoadTags(id.to_string()));
            }
            remote.and_then(|r| r.value())
        }
        Some(r) => {
            if r.is_pending() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Reading or saving the tags…");
                });
            }
            r.value()
        }
    };
    let Some(loaded) = loaded else { return };
    if edit.as_ref().is_none_or(|(i, _)| i != id) {
        *edit = Some((id.to_string(), loaded.clone()));
    }
    let Some((_, tags)) = edit.as_mut() else {
        return;
    };
    let mut remove = None;
    for (i, t) in tags.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let l = ui.label(format!("Tag key {}", i + 1));
            ui.add_sized(
                [180.0, 20.0],
                egui::TextEdit::singleline(&mut t.key).id_salt(("tag-key", i)),
            )
            .labelled_by(l.id);
            let l = ui.label(format!("Tag value {}", i + 1));
            ui.add_sized(
                [220.0, 20.0],
                egui::TextEdit::singleline(&mut t.value).id_salt(("tag-value", i)),
            )
            .labelled_by(l.id);
            if ui.button(format!("Remove tag {}", i + 1)).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        tags.remove(i);
    }
    if ui.button("Add tag").clicked() {
        tags.push(Tag {
            key: String::new(),
            value: String::new(),
        });
    }
    ui.add_space(6.0);
    let problem = check_tags(tags).err().map(|e| e.to_string());
    if let Some(p) = &problem {
        ui.colored_label(ERROR, p);
    }
    let changed = tags != loaded;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(changed && problem.is_none(), egui::Button::new("Save tags"))
            .clicked()
        {
            commands.push(Command::SaveTags(id.to_string(), tags.clone()));
        }
        if ui
            .add_enabled(changed, egui::Button::new("Discard tag edits"))
            .clicked()
        {
            *tags = loaded.clone();
        }
    });
}
