//! The backend picker: a local workspace folder (chosen with a native dialog, or a recent one)
//! or AWS with a profile from `~/.aws/config`, a region and an optional endpoint URL. Only names
//! are read from the AWS files; credentials stay with the AWS SDK.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use crate::backend::BackendChoice;
use crate::ui::command::{Command, Commands};
use crate::ui::profiles;
use crate::ui::state::State;

/// What the picker holds.
#[derive(Debug, Clone, Default)]
pub struct BackendForm {
    /// AWS rather than a local workspace.
    pub aws: bool,
    /// A workspace folder typed or chosen.
    pub folder: String,
    /// The profile.
    pub profile: String,
    /// The region.
    pub region: String,
    /// The endpoint URL.
    pub endpoint: String,
    /// Profiles found in the AWS files.
    pub profiles: Vec<String>,
}

impl BackendForm {
    /// The picker, filled from the current choice.
    pub fn from_choice(c: &BackendChoice) -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let profiles = profiles::list(&profiles::files(home.as_deref()));
        match c {
            BackendChoice::Local(p) => Self {
                aws: false,
                folder: p
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                profiles,
                ..Default::default()
            },
            BackendChoice::Aws {
                profile,
                region,
                endpoint_url,
            } => Self {
                aws: true,
                profile: profile.clone().unwrap_or_default(),
                region: region.clone().unwrap_or_default(),
                endpoint: endpoint_url.clone().unwrap_or_default(),
                profiles,
                ..Default::default()
            },
        }
    }

    fn choice(&self) -> BackendChoice {
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        if self.aws {
            BackendChoice::Aws {
                profile: opt(&self.profile),
                region: opt(&self.region),
                endpoint_url: opt(&self.endpoint),
            }
        } else {
            BackendChoice::Local(opt(&self.folder).map(PathBuf::from))
        }
    }
}

/// Draws the picker; pushes the command to run.
pub fn show(
    ctx: &egui::Context,
    f: &mut BackendForm,
    open: &mut bool,
    state: &State,
    commands: &mut Commands,
) {
    let mut out = None;
    egui::Window::new("Backend")
        .collapsible(false)
        .default_width(520.0)
        .open(open)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.radio_value(&mut f.aws, false, "Local workspace");
                ui.radio_value(&mut f.aws, true, "AWS");
            });
            ui.separator();
            if !f.aws {
                ui.label(
                    RichText::new(
                        "A folder of distributions that behaves like CloudFront: \
                    no AWS account needed.",
                    )
                    .weak(),
                );
                let l = ui.label("Workspace folder");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut f.folder)
                            .hint_text(
                                "empty: \
                        the default workspace",
                            )
                            .desired_width(360.0),
                    )
                    .labelled_by(l.id);
                    if ui.button("Choose folder…").clicked() {
                        out = Some(Command::ChooseWorkspace);
                    }
                });
                if !state.recent_workspaces.is_empty() {
                    ui.label("Recent workspaces");
                    for p in &state.recent_workspaces {
                        if ui.link(p.display().to_string()).clicked() {
                            f.folder = p.display().to_string();
                        }
                    }
                }
            } else {
                ui.label(
                    RichText::new(
                        "Credentials come from the AWS SDK's chain (environment, \
                    profile, SSO); cfconsole never stores them.",
                    )
                    .weak(),
                );
                let l = ui.label("Profile");
                let mut options: Vec<String> = std::iter::once(String::new())
                    .chain(f.profiles.iter().cloned())
                    .collect();
                for p in &state.recent_profiles {
                    if !options.contains(p) {
                        options.push(p.clone());
                    }
                }
                let shown = if f.profile.is_empty() {
                    "default chain".to_string()
                } else {
                    f.profile.clone()
                };
                egui::ComboBox::from_id_salt("profile")
                    .selected_text(format!("Profile: {shown}"))
                    .width(300.0)
                    .show_ui(ui, |ui| {
                        for p in &options {
                            let words = if p.is_empty() {
                                "default chain".to_string()
                            } else {
                                p.clone()
                            };
                            ui.selectable_value(&mut f.profile, p.clone(), words);
                        }
                    })
                    .response
                    .labelled_by(l.id);
                let l = ui.label("Region");
                ui.add(egui::TextEdit::singleline(&mut f.region).hint_text(
                    "us-east-1 (empty: the \
                    profile's)",
                ))
                .labelled_by(l.id);
                let l = ui.label("Endpoint URL");
                ui.add(egui::TextEdit::singleline(&mut f.endpoint).hint_text(
                    "empty: AWS (or \
                    http://127.0.0.1:5000 for an emulator)",
                ))
                .labelled_by(l.id);
            }
            ui.separator();
            if ui.button("Connect").clicked() {
                out = Some(Command::Connect(f.choice()));
            }
        });
    if let Some(c) = out {
        commands.push(c);
    }
}
