//! The New distribution dialog: a template (static site on S3, SPA with error pages, API plus
//! static assets, media downloads), the origin's domain and a comment. The origin's type and
//! defaults follow the domain, as on the Origins tab.

use cfconsole_model::origin_kind::{self, recognize};
use cfconsole_model::templates::Template;
use eframe::egui::{self, RichText};

use crate::backend::caller_reference;
use crate::ui::command::{Command, Commands};
use crate::ui::style::ERROR;

/// What the dialog holds.
#[derive(Debug, Clone)]
pub struct NewForm {
    /// The template.
    pub template: Template,
    /// The main origin's domain (empty: the template's).
    pub origin_domain: String,
    /// The comment.
    pub comment: String,
}

impl Default for NewForm {
    fn default() -> Self {
        Self {
            template: Template::StaticSiteS3,
            origin_domain: String::new(),
            comment: String::new(),
        }
    }
}

/// Draws the dialog; pushes the Create command when the operator confirms.
pub fn show(ctx: &egui::Context, f: &mut NewForm, open: &mut bool, commands: &mut Commands) {
    let mut out = None;
    egui::Window::new("New distribution")
        .collapsible(false)
        .default_width(520.0)
        .open(open)
        .show(ctx, |ui| {
            let l = ui.label("Template");
            egui::ComboBox::from_id_salt("template")
                .selected_text(f.template.label())
                .width(360.0)
                .show_ui(ui, |ui| {
                    for t in Template::ALL {
                        ui.selectable_value(&mut f.template, t, t.label());
                    }
                })
                .response
                .labelled_by(l.id);
            ui.label(RichText::new(f.template.description()).weak());
            ui.add_space(6.0);
            let l = ui.label("Origin domain of the new distribution");
            ui.add(
                egui::TextEdit::singleline(&mut f.origin_domain)
                    .hint_text("my-bucket.s3.us-east-1.amazonaws.com")
                    .desired_width(420.0),
            )
            .labelled_by(l.id);
            if !f.origin_domain.trim().is_empty() {
                ui.label(format!(
                    "Type: {}",
                    recognize(f.origin_domain.trim()).label()
                ));
            }
            let l = ui.label("Comment of the new distribution");
            ui.add(egui::TextEdit::singleline(&mut f.comment).desired_width(420.0))
                .labelled_by(l.id);
            ui.add_space(6.0);
            let config = build(f);
            let errors: Vec<_> = cfconsole_model::validate(&config)
                .into_iter()
                .filter(|x| x.is_error())
                .collect();
            for e in &errors {
                ui.colored_label(ERROR, e.to_string());
            }
            if ui
                .add_enabled(errors.is_empty(), egui::Button::new("Create distribution"))
                .clicked()
            {
                out = Some(Command::Create(Box::new(config)));
            }
        });
    if let Some(c) = out {
        commands.push(c);
    }
}

/// The configuration the dialog would create.
pub fn build(f: &NewForm) -> cfconsole_model::DistributionConfig {
    let mut c = f.template.build(&caller_reference());
    let domain = f.origin_domain.trim();
    if !domain.is_empty()
        && let Some(o) = c.origins.items_mut().first_mut()
    {
        o.domain_name = domain.to_string();
        origin_kind::apply_defaults(o);
    }
    if !f.comment.trim().is_empty() {
        c.comment = f.comment.trim().to_string();
    }
    c
}
