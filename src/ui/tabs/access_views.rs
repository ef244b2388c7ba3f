//! The Public keys, Key groups and Origin access pages: lists on the left, the open item's
//! form in the centre. They draw from [`Access`] and record [`Action`]s.

use cfconsole_model::DistributionConfig;
use cfconsole_model::private::{OacOriginType, SigningBehavior};
use eframe::egui::{self, RichText, Ui};

use super::access::{Access, Action, group_uses, oac_uses};
use crate::ui::remote::Remote;
use crate::ui::style::{ERROR, OK, WARNING};

/// CloudFront's words for an OAC's origin type.
pub fn origin_type_words(t: OacOriginType) -> &'static str {
    match t {
        OacOriginType::S3 => "s3",
        OacOriginType::Mediastore => "mediastore",
        OacOriginType::Lambda => "lambda",
        OacOriginType::Mediapackagev2 => "mediapackagev2",
    }
}

/// CloudFront's words for a signing behavior, with what it does.
pub fn behavior_words(b: SigningBehavior) -> &'static str {
    match b {
        SigningBehavior::Always => "always (sign every origin request)",
        SigningBehavior::NoOverride => "no-override (sign unless the viewer sent Authorization)",
        SigningBehavior::Never => "never (do not sign)",
        SigningBehavior::AlwaysAmzAuth => {
            "always-amz-auth (sign, and forward the viewer's Authorization; Lambda only)"
        }
    }
}

/// A list entry as wide as the list (its width does not follow the id's, so snapshots can
/// mask the id).
fn full_width_item(ui: &mut Ui, selected: bool, text: String) -> egui::Response {
    let w = ui.available_width();
    ui.add(egui::Button::selectable(selected, text).min_size(egui::vec2(w, 0.0)))
}

fn list_state<T>(ui: &mut Ui, r: &Remote<T>) {
    if let Remote::Failed { error, .. } = r {
        ui.colored_label(ERROR, format!("Error: {error}"));
    }
    if r.value().is_none() && r.is_pending() {
        ui.spinner();
    }
}

impl Access {
    /// The public keys (left panel).
    pub fn keys_list_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if ui.button("Add public key").clicked() {
                self.act(Action::NewKey);
            }
            if ui.button("Refresh public keys").clicked() {
                self.act(Action::Refresh);
            }
        });
        list_state(ui, &self.lists);
        let open = self.key.as_ref().and_then(|k| k.id.clone());
        let mut clicked = None;
        if let Some(l) = self.lists.value() {
            if l.keys.is_empty() {
                ui.label(RichText::new("No public keys yet.").weak());
            }
            for k in &l.keys {
                let text = format!("{}\n{}", k.config.name, k.id);
                if full_width_item(ui, open.as_deref() == Some(&k.id), text).clicked() {
                    clicked = Some(k.id.clone());
                }
            }
        }
        if let Some(id) = clicked {
            self.act(Action::OpenKey(id));
        }
    }

    /// The open or new public key (central panel).
    pub fn key_ui(&mut self, ui: &mut Ui, configs: &[(String, &DistributionConfig)]) {
        let mut actions = Vec::new();
        let lists = self.lists.value().cloned().unwrap_or_default();
        let Some(k) = self.key.as_mut() else {
            ui.heading("Keys for signed URLs and cookies");
            ui.label(
                "Public keys verify the signed URLs and signed cookies of behaviors that trust a \
                 key group. Add the public half of a key pair (RSA 2048 or ECDSA P-256, PEM); \
                 the private key stays with you.",
            );
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("key form")
            .show(ui, |ui| {
                match &k.id {
                    Some(id) => {
                        ui.heading(format!("Public key {}", k.name));
                        ui.label(RichText::new(format!("ID {id}")).monospace());
                    }
                    None => {
                        ui.heading("New public key");
                    }
                }
                egui::Grid::new("key fields").num_columns(2).show(ui, |ui| {
                    let l = ui.label("Key name");
                    ui.add_enabled(
                        k.id.is_none(),
                        egui::TextEdit::singleline(&mut k.name).desired_width(320.0),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Key comment");
                    ui.add(egui::TextEdit::singleline(&mut k.comment).desired_width(320.0))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Key (PEM)");
                    ui.vertical(|ui| {
                        ui.add_enabled(
                            k.id.is_none(),
                            egui::TextEdit::multiline(&mut k.pem)
                                .font(egui::TextStyle::Monospace)
                                .desired_rows(6)
                                .desired_width(460.0)
                                .hint_text("-----BEGIN PUBLIC KEY-----"),
                        )
                        .labelled_by(l.id);
                        if k.id.is_none() && ui.button("Choose PEM file…").clicked() {
                            actions.push(Action::ChoosePem);
                        }
                        if let Some(f) = &k.file {
                            ui.label(RichText::new(format!("From {}", f.display())).weak());
                        }
                    });
                    ui.end_row();
                });
                match &k.parsed {
                    Some(Ok((kind, fp))) => {
                        ui.colored_label(OK, format!("{kind} public key"));
                        ui.label(RichText::new(format!("Fingerprint (SHA-256) {fp}")).monospace());
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ERROR, format!("Key (PEM): {e}"));
                    }
                    None => {}
                }
                ui.horizontal(|ui| match &k.id {
                    None => {
                        let ok = matches!(k.parsed, Some(Ok(_))) && !k.name.trim().is_empty();
                        if ui.add_enabled(ok, egui::Button::new("Add key")).clicked() {
                            actions.push(Action::CreateKey);
                        }
                    }
                    Some(id) => {
                        if ui.button("Save comment").clicked() {
                            actions.push(Action::SaveKeyComment);
                        }
                        if ui.button("Delete public key").clicked() {
                            actions.push(Action::DeleteKey(id.clone()));
                        }
                    }
                });
                if let Some(id) = &k.id {
                    ui.separator();
                    ui.label(RichText::new("Used by").strong());
                    let groups: Vec<_> = lists
                        .groups
                        .iter()
                        .filter(|g| g.config.items.iter().any(|i| i == id))
                        .collect();
                    if groups.is_empty() {
                        ui.label(RichText::new("No key group has this key.").weak());
                    }
                    for g in groups {
                        ui.label(format!("Key group {} ({})", g.config.name, g.id));
                        for (d, path) in group_uses(&g.id, configs) {
                            ui.label(format!("    distribution {d}, behavior {path}"));
                        }
                    }
                }
            });
        for a in actions {
            self.act(a);
        }
    }

    /// The key groups (left panel).
    pub fn groups_list_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if ui.button("Create key group").clicked() {
                self.act(Action::NewGroup);
            }
            if ui.button("Refresh key groups").clicked() {
                self.act(Action::Refresh);
            }
        });
        list_state(ui, &self.lists);
        let open = self.group.as_ref().and_then(|g| g.id.clone());
        let mut clicked = None;
        if let Some(l) = self.lists.value() {
            if l.groups.is_empty() {
                ui.label(RichText::new("No key groups yet.").weak());
            }
            for g in &l.groups {
                let n = g.config.items.len();
                let text = format!(
                    "{}\n{} · {n} key{}",
                    g.config.name,
                    g.id,
                    if n == 1 { "" } else { "s" }
                );
                if full_width_item(ui, open.as_deref() == Some(&g.id), text).clicked() {
                    clicked = Some(g.id.clone());
                }
            }
        }
        if let Some(id) = clicked {
            self.act(Action::OpenGroup(id));
        }
    }

    /// The open or new key group (central panel).
    pub fn group_ui(&mut self, ui: &mut Ui, configs: &[(String, &DistributionConfig)]) {
        let mut actions = Vec::new();
        let lists = self.lists.value().cloned().unwrap_or_default();
        let Some(g) = self.group.as_mut() else {
            ui.heading("Key groups for signed URLs and cookies");
            ui.label(
                "A behavior that trusts a key group serves only signed URLs and signed cookies \
                 made with one of the group's keys. Pick a group on the left, or create one.",
            );
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("group form")
            .show(ui, |ui| {
                match &g.id {
                    Some(id) => {
                        ui.heading(format!("Key group {}", g.name));
                        ui.label(RichText::new(format!("ID {id}")).monospace());
                    }
                    None => {
                        ui.heading("New key group");
                    }
                }
                egui::Grid::new("group fields")
                    .num_columns(2)
                    .show(ui, |ui| {
                        let l = ui.label("Key group name");
                        ui.add(egui::TextEdit::singleline(&mut g.name).desired_width(320.0))
                            .labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label("Key group comment");
                        ui.add(egui::TextEdit::singleline(&mut g.comment).desired_width(320.0))
                            .labelled_by(l.id);
                        ui.end_row();
                    });
                ui.label(RichText::new("Keys in the group").strong());
                if lists.keys.is_empty() {
                    ui.colored_label(WARNING, "Add a public key first (Public keys page).");
                }
                for k in &lists.keys {
                    let mut on = g.keys.contains(&k.id);
                    if ui
                        .checkbox(
                            &mut on,
                            RichText::new(format!("Key {} ({})", k.config.name, k.id)).monospace(),
                        )
                        .changed()
                    {
                        if on {
                            g.keys.insert(k.id.clone());
                        } else {
                            g.keys.remove(&k.id);
                        }
                    }
                }
                for missing in g
                    .keys
                    .iter()
                    .filter(|i| !lists.keys.iter().any(|k| &k.id == *i))
                {
                    ui.colored_label(ERROR, format!("No public key {missing} in the account"));
                }
                ui.horizontal(|ui| {
                    let ok = !g.name.trim().is_empty() && !g.keys.is_empty();
                    let label = if g.id.is_some() {
                        "Save key group"
                    } else {
                        "Create group"
                    };
                    if ui.add_enabled(ok, egui::Button::new(label)).clicked() {
                        actions.push(Action::SaveGroup);
                    }
                    if let Some(id) = &g.id
                        && ui.button("Delete key group").clicked()
                    {
                        actions.push(Action::DeleteGroup(id.clone()));
                    }
                });
                if let Some(id) = &g.id {
                    ui.separator();
                    ui.label(RichText::new("Trusted by").strong());
                    let uses = group_uses(id, configs);
                    if uses.is_empty() {
                        ui.label(RichText::new("No loaded behavior trusts this group.").weak());
                    }
                    for (d, path) in uses {
                        ui.label(format!("Distribution {d}, behavior {path}"));
                    }
                }
            });
        for a in actions {
            self.act(a);
        }
    }

    /// The origin access controls and identities (left panel).
    pub fn oac_list_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if ui.button("Create origin access control").clicked() {
                self.act(Action::NewOac(None));
            }
            if ui.button("Refresh origin access").clicked() {
                self.act(Action::Refresh);
            }
        });
        list_state(ui, &self.lists);
        let open = self.oac.as_ref().and_then(|o| o.id.clone());
        let mut clicked = None;
        if let Some(l) = self.lists.value() {
            if l.oacs.is_empty() {
                ui.label(RichText::new("No origin access controls yet.").weak());
            }
            for o in &l.oacs {
                let text = format!(
                    "{}\n{} · {} · {}",
                    o.config.name,
                    o.id,
                    origin_type_words(o.config.origin_type),
                    o.config.signing_behavior.as_str()
                );
                if full_width_item(ui, open.as_deref() == Some(&o.id), text).clicked() {
                    clicked = Some(o.id.clone());
                }
            }
            if !l.oais.is_empty() {
                ui.separator();
                ui.label(RichText::new("Origin access identities (legacy)").strong());
                ui.label(
                    RichText::new(
                        "Read-only here: move their buckets to an origin access control, which \
                         signs every request and works in every Region.",
                    )
                    .weak(),
                );
                for i in &l.oais {
                    ui.label(format!("{} · {}", i.id, i.comment));
                }
            }
        }
        if let Some(id) = clicked {
            self.act(Action::OpenOac(id));
        }
    }

    /// The open or new origin access control (central panel).
    pub fn oac_ui(&mut self, ui: &mut Ui, configs: &[(String, &DistributionConfig)]) {
        let mut actions = Vec::new();
        let Some(o) = self.oac.as_mut() else {
            ui.heading("Origin access controls");
            ui.label(
                "An origin access control signs CloudFront's requests to an origin (an S3 \
                 bucket, a Lambda function URL, MediaStore, MediaPackage v2), so the origin can \
                 refuse everyone else. Pick one on the left, or create one.",
            );
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("oac form")
            .show(ui, |ui| {
                match &o.id {
                    Some(id) => {
                        ui.heading(format!("Origin access control {}", o.name));
                        ui.label(RichText::new(format!("ID {id}")).monospace());
                    }
                    None => {
                        ui.heading("New origin access control");
                    }
                }
                egui::Grid::new("oac fields").num_columns(2).show(ui, |ui| {
                    let l = ui.label("Control name");
                    ui.add(egui::TextEdit::singleline(&mut o.name).desired_width(320.0))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Control description");
                    ui.add(egui::TextEdit::singleline(&mut o.description).desired_width(320.0))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Origin type");
                    egui::ComboBox::from_id_salt("oac origin type")
                        .selected_text(format!("Origin type {}", origin_type_words(o.origin_type)))
                        .show_ui(ui, |ui| {
                            for t in [
                                OacOriginType::S3,
                                OacOriginType::Lambda,
                                OacOriginType::Mediastore,
                                OacOriginType::Mediapackagev2,
                            ] {
                                ui.selectable_value(&mut o.origin_type, t, origin_type_words(t));
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Signing behavior");
                    egui::ComboBox::from_id_salt("oac behavior")
                        .selected_text(format!("Signing {}", behavior_words(o.behavior)))
                        .show_ui(ui, |ui| {
                            for b in [
                                SigningBehavior::Always,
                                SigningBehavior::NoOverride,
                                SigningBehavior::Never,
                            ] {
                                ui.selectable_value(&mut o.behavior, b, behavior_words(b));
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    ui.label("Signing protocol");
                    ui.label("sigv4");
                    ui.end_row();
                });
                ui.horizontal(|ui| {
                    let label = if o.id.is_some() {
                        "Save origin access control"
                    } else {
                        "Create control"
                    };
                    if ui
                        .add_enabled(!o.name.trim().is_empty(), egui::Button::new(label))
                        .clicked()
                    {
                        actions.push(Action::SaveOac);
                    }
                    if let Some(id) = &o.id
                        && ui.button("Delete origin access control").clicked()
                    {
                        actions.push(Action::DeleteOac(id.clone()));
                    }
                });
                if let Some(id) = &o.id {
                    ui.separator();
                    ui.label(RichText::new("Used by").strong());
                    let uses = oac_uses(id, configs);
                    if uses.is_empty() {
                        ui.label(RichText::new("No loaded origin uses this control.").weak());
                    }
                    for (d, origin) in uses {
                        ui.label(format!("Distribution {d}, origin {origin}"));
                    }
                }
            });
        for a in actions {
            self.act(a);
        }
    }
}
