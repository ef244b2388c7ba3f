//! Which dialog is open, drawn from what the app holds.

use eframe::egui;

use super::ConsoleApp;
use crate::ui::dialogs::{self, Dialog};

impl ConsoleApp {
    pub(super) fn dialogs(&mut self, ctx: &egui::Context) {
        let Some(dialog) = self.chrome.dialog.take() else {
            return;
        };
        let mut open = true;
        let commands = &mut self.work.commands;
        let keep = match dialog {
            Dialog::Review => {
                let Some(d) = self
                    .state
                    .selected
                    .as_ref()
                    .and_then(|id| self.edits.drafts.get(id))
                else {
                    return;
                };
                dialogs::review(ctx, d, &mut open, commands);
                Some(Dialog::Review)
            }
            Dialog::Conflict { id, server } => {
                let Some(d) = self.edits.drafts.get(&id) else {
                    return;
                };
                dialogs::conflict(ctx, &id, d, &server, &mut open, commands);
                Some(Dialog::Conflict { id, server })
            }
            Dialog::New(mut f) => {
                dialogs::new_dist::show(ctx, &mut f, &mut open, commands);
                Some(Dialog::New(f))
            }
            Dialog::Backend(mut f) => {
                dialogs::backend::show(ctx, &mut f, &mut open, &self.state, commands);
                Some(Dialog::Backend(f))
            }
            Dialog::ConfirmDelete(id) => {
                dialogs::confirm_delete(ctx, &id, &mut open, commands);
                Some(Dialog::ConfirmDelete(id))
            }
        };
        // A command run after this frame may open another dialog or close this one.
        if open && self.chrome.dialog.is_none() {
            self.chrome.dialog = keep;
        }
    }
}
