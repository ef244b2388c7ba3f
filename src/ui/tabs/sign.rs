//! "Sign a URL": makes a signed URL or signed cookies from a private key file the operator
//! picks, for the Preview tab's request tester and for a browser. The private key is read from
//! its file when Sign is pressed, used, and dropped: the form keeps only the file's path, which
//! is never persisted.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use cfconsole_signing::{Hash, Policy, PrivateKey};
use eframe::egui::{self, RichText, Ui};

use crate::ui::style::ERROR;

/// What the panel asks of its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignAction {
    ChooseKey,
    Sign,
    UseInTester,
}

/// The panel's fields.
#[derive(Debug, Clone)]
pub struct SignForm {
    /// The public key's id CloudFront knows it by (`Key-Pair-Id`).
    pub key_pair_id: String,
    /// The private key's file, read at each signing.
    pub private_key: Option<PathBuf>,
    /// The path (and query) to sign, on the preview.
    pub path: String,
    /// Seconds from now until the URL expires.
    pub expires_in: String,
    /// A custom policy (else canned).
    pub custom: bool,
    /// Custom: the viewer IP range (`192.0.2.0/24`), or empty.
    pub ip: String,
    /// Custom: valid only after this many seconds from now, or empty.
    pub starts_in: String,
    /// Custom: the resource, `*` allowed (empty: the URL itself).
    pub resource: String,
    pub sha256: bool,
    /// Signed cookies instead of a signed URL.
    pub cookies: bool,
    /// The last signing's result.
    pub result: Option<Result<Signed, String>>,
}

impl Default for SignForm {
    fn default() -> Self {
        Self {
            key_pair_id: String::new(),
            private_key: None,
            path: "/".into(),
            expires_in: "3600".into(),
            custom: false,
            ip: String::new(),
            starts_in: String::new(),
            resource: String::new(),
            sha256: false,
            cookies: false,
            result: None,
        }
    }
}

/// A signing's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The signed URL (with cookies: the URL itself, unsigned).
    pub url: String,
    /// With cookies: the `Cookie` header value to send.
    pub cookie: Option<String>,
}

fn seconds(field: &str, s: &str) -> Result<i64, String> {
    s.trim().parse::<i64>().map_err(|_| {
        format!(
            "{field}: `{}` is not a number of seconds (like 3600)",
            s.trim()
        )
    })
}

impl SignForm {
    /// The policy the form describes, for `url`, at `now` (seconds since the epoch).
    pub fn policy(&self, url: &str, now: i64) -> Result<Policy, String> {
        let expires = now + seconds("Expires in", &self.expires_in)?;
        if !self.custom {
            return Ok(Policy::Canned {
                resource: url.to_string(),
                expires,
            });
        }
        let resource = if self.resource.trim().is_empty() {
            url.to_string()
        } else {
            self.resource.trim().to_string()
        };
        let date_greater_than = match self.starts_in.trim() {
            "" => None,
            s => Some(now + seconds("Valid after", s)?),
        };
        let ip_address = match self.ip.trim() {
            "" => None,
            s => Some(s.to_string()),
        };
        Ok(Policy::Custom {
            resource,
            date_less_than: expires,
            date_greater_than,
            ip_address,
        })
    }

    /// Signs `base` + the form's path with the private key in `pem`.
    pub fn sign_with(&self, base: &str, pem: &str) -> Result<Signed, String> {
        let id = self.key_pair_id.trim();
        if id.is_empty() {
            return Err("Key pair ID: choose the public key CloudFront checks with".into());
        }
        let path = self.path.trim();
        if !path.starts_with('/') {
            return Err(format!("URL path: `{path}` must begin with `/`"));
        }
        let key = PrivateKey::from_pem(pem).map_err(|e| format!("Private key: {e}"))?;
        let url = format!("{}{path}", base.trim_end_matches('/'));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let policy = self.policy(&url, now)?;
        let hash = if self.sha256 {
            Hash::Sha256
        } else {
            Hash::Sha1
        };
        if self.cookies {
            let pairs = cfconsole_signing::sign_cookies(id, &key, &policy, hash)
                .map_err(|e| e.to_string())?;
            let cookie = pairs
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            Ok(Signed {
                url,
                cookie: Some(cookie),
            })
        } else {
            let url = cfconsole_signing::sign_url(&url, id, &key, &policy, hash)
                .map_err(|e| e.to_string())?;
            Ok(Signed { url, cookie: None })
        }
    }
}

/// The panel; `keys` are the account's public keys as `(name, id)`.
pub fn sign_view(ui: &mut Ui, f: &mut SignForm, keys: &[(String, String)]) -> Option<SignAction> {
    let mut action = None;
    egui::Grid::new("sign form").num_columns(2).show(ui, |ui| {
        let l = ui.label("Key pair ID");
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut f.key_pair_id)
                    .desired_width(200.0)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(l.id);
            let shown = keys
                .iter()
                .find(|(_, id)| *id == f.key_pair_id)
                .map(|(n, _)| format!("Key {n}"))
                .unwrap_or_else(|| "Pick a public key".into());
            let lp = ui.label("Public key");
            egui::ComboBox::from_id_salt("sign key")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for (n, id) in keys {
                        ui.selectable_value(&mut f.key_pair_id, id.clone(), format!("{n} ({id})"));
                    }
                })
                .response
                .labelled_by(lp.id);
        });
        ui.end_row();
        let l = ui.label("Private key file");
        ui.horizontal(|ui| {
            let shown = f
                .private_key
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "none chosen".into());
            ui.label(RichText::new(shown).monospace()).labelled_by(l.id);
            if ui.button("Choose private key…").clicked() {
                action = Some(SignAction::ChooseKey);
            }
        });
        ui.end_row();
        let l = ui.label("URL path");
        ui.add(egui::TextEdit::singleline(&mut f.path).desired_width(320.0))
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Expires in (s)");
        ui.add(egui::TextEdit::singleline(&mut f.expires_in).desired_width(80.0))
            .labelled_by(l.id);
        ui.end_row();
        ui.label("Policy");
        ui.horizontal(|ui| {
            ui.radio_value(&mut f.custom, false, "Canned policy");
            ui.radio_value(&mut f.custom, true, "Custom policy");
        });
        ui.end_row();
        if f.custom {
            let l = ui.label("Resource (* allowed)");
            ui.add(
                egui::TextEdit::singleline(&mut f.resource)
                    .desired_width(320.0)
                    .hint_text("the URL itself"),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Viewer IP range");
            ui.add(
                egui::TextEdit::singleline(&mut f.ip)
                    .desired_width(160.0)
                    .hint_text("192.0.2.0/24"),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Valid after (s from now)");
            ui.add(egui::TextEdit::singleline(&mut f.starts_in).desired_width(80.0))
                .labelled_by(l.id);
            ui.end_row();
        }
        ui.label("Options");
        ui.horizontal(|ui| {
            ui.checkbox(&mut f.sha256, "SHA-256 (Hash-Algorithm=SHA256)");
            ui.checkbox(&mut f.cookies, "Signed cookies");
        });
        ui.end_row();
    });
    ui.horizontal(|ui| {
        let ready = f.private_key.is_some() && !f.key_pair_id.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new("Sign")).clicked() {
            action = Some(SignAction::Sign);
        }
        if matches!(f.result, Some(Ok(_))) && ui.button("Use in tester").clicked() {
            action = Some(SignAction::UseInTester);
        }
    });
    match &f.result {
        Some(Ok(s)) => {
            let l = ui.label("Signed URL");
            let mut url = s.url.clone();
            ui.add(
                egui::TextEdit::multiline(&mut url)
                    .font(egui::TextStyle::Monospace)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .interactive(true),
            )
            .labelled_by(l.id);
            if let Some(c) = &s.cookie {
                let l = ui.label("Cookie header");
                let mut c = c.clone();
                ui.add(
                    egui::TextEdit::multiline(&mut c)
                        .font(egui::TextStyle::Monospace)
                        .desired_rows(2)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(l.id);
            }
            if ui.button("Copy signed URL").clicked() {
                ui.ctx().copy_text(s.url.clone());
            }
        }
        Some(Err(e)) => {
            ui.colored_label(ERROR, format!("Not signed: {e}"));
        }
        None => {}
    }
    action
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_names_the_field_that_is_wrong() {
        let mut f = SignForm {
            expires_in: "soon".into(),
            ..SignForm::default()
        };
        assert!(
            f.policy("http://x/a", 0)
                .unwrap_err()
                .starts_with("Expires in")
        );
        f.expires_in = "60".into();
        assert_eq!(
            f.policy("http://x/a", 100).unwrap(),
            Policy::Canned {
                resource: "http://x/a".into(),
                expires: 160
            }
        );
        f.custom = true;
        f.ip = "10.0.0.0/8".into();
        f.starts_in = "later".into();
        assert!(
            f.policy("http://x/a", 0)
                .unwrap_err()
                .starts_with("Valid after")
        );
        f.starts_in = "10".into();
        match f.policy("http://x/a", 100).unwrap() {
            Policy::Custom {
                resource,
                date_less_than,
                date_greater_than,
                ip_address,
            } => {
                assert_eq!(resource, "http://x/a");
                assert_eq!(date_less_than, 160);
                assert_eq!(date_greater_than, Some(110));
                assert_eq!(ip_address.as_deref(), Some("10.0.0.0/8"));
            }
            other => panic!("{other:?}"),
        }
    }
}
