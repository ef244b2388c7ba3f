//! One look for every form: a two-column grid of a label (with the CloudFront setting's name on
//! hover) and a field, the field's findings under it (red errors, amber warnings), and the
//! bookkeeping a tab needs to tell the app what it edited.
//!
//! Every input is `labelled_by` its label: that is its accessible name, what a screen reader
//! says and what the UI tests find it by.

use std::collections::HashSet;
use std::fmt::Display;
use std::str::FromStr;

use cfconsole_model::{Finding, Severity};
use eframe::egui::{self, Response, RichText, Ui};

use super::command::Commands;
use super::draft::Checks;
use super::style::{ERROR, WARNING};

/// What a tab draws with and reports back.
pub struct FormCtx<'a> {
    /// The draft's findings.
    pub checks: &'a Checks,
    /// A field path to focus (set by a click on a finding); taken by the field that has it.
    pub focus: &'a mut Option<String>,
    /// The field edited this frame, for the undo history.
    pub edited: Option<String>,
    /// Custom header values the operator chose to show (by field path).
    pub revealed: &'a mut HashSet<String>,
    /// The commands for the app (open a dialog, run a task).
    pub commands: &'a mut Commands,
    /// The account's CloudFront Functions, `(name, ARN)`, for the Behaviors tab's picker.
    pub functions: &'a [(String, String)],
    /// The account's key groups, `(name, id)`, for the Behaviors tab's picker.
    pub key_groups: &'a [(String, String)],
    /// The account's origin access controls, `(name, id, origin type)`, for the Origins tab.
    pub oacs: &'a [(String, String, cfconsole_model::private::OacOriginType)],
    /// The open distribution's ARN, once deployed (the bucket policy names it).
    pub distribution_arn: Option<&'a str>,
}

impl FormCtx<'_> {
    /// Records an edit of `path` when `r` changed.
    pub fn track(&mut self, path: &str, r: &Response) {
        if r.changed() {
            self.edited = Some(path.to_string());
        }
    }

    /// Records an edit of `path` (a button that changed the draft).
    pub fn mark(&mut self, path: impl Into<String>) {
        self.edited = Some(path.into());
    }

    /// Focuses `r` when a finding asked for `path`.
    pub fn maybe_focus(&mut self, path: &str, r: &Response) {
        if self.focus.as_deref() == Some(path) {
            r.request_focus();
            r.scroll_to_me(Some(egui::Align::Center));
            *self.focus = None;
        }
    }

    /// True when a finding asked to focus `path` or something under it (cards expand for it).
    pub fn wants_focus_under(&self, prefix: &str) -> bool {
        self.focus.as_deref().is_some_and(|f| {
            f == prefix
                || f.strip_prefix(prefix)
                    .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
        })
    }
}

/// A two-column form grid.
pub fn grid(ui: &mut Ui, id: impl egui::AsIdSalt, body: impl FnOnce(&mut Ui)) {
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([16.0, 8.0])
        .min_col_width(170.0)
        .striped(false)
        .show(ui, |ui| body(ui));
}

/// One row: label, field, findings. `field` gets the label's id to be `labelled_by`.
pub fn row(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    field: impl FnOnce(&mut Ui, egui::Id) -> Response,
) -> Response {
    let l = ui.label(label);
    if !help.is_empty() {
        l.clone().on_hover_text(help);
    }
    let inner = ui.vertical(|ui| {
        let r = field(ui, l.id);
        let worst = form.checks.at(path).map(|f| f.severity).max();
        if let Some(sev) = worst {
            let color = if sev == Severity::Error {
                ERROR
            } else {
                WARNING
            };
            ui.painter().rect_stroke(
                r.rect.expand(2.0),
                3.0,
                egui::Stroke::new(1.5, color),
                egui::StrokeKind::Outside,
            );
        }
        for f in form.checks.at(path) {
            finding_text(ui, f);
        }
        r
    });
    ui.end_row();
    let r = inner.inner;
    form.track(path, &r);
    form.maybe_focus(path, &r);
    r
}

/// A finding as a line of text in its colour.
pub fn finding_text(ui: &mut Ui, f: &Finding) {
    let (color, mark) = match f.severity {
        Severity::Error => (ERROR, "error"),
        Severity::Warning => (WARNING, "warning"),
    };
    let code = f.code.map(|c| format!(" ({c})")).unwrap_or_default();
    ui.add(
        egui::Label::new(
            RichText::new(format!("{mark}: {}{code}", f.message))
                .color(color)
                .small(),
        )
        .wrap(),
    );
}

/// A single-line text field.
pub fn text(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut String,
) -> Response {
    row(ui, form, label, help, path, |ui, l| {
        ui.add(
            egui::TextEdit::singleline(value)
                .desired_width(380.0)
                .id_salt(path),
        )
        .labelled_by(l)
    })
}

/// A monospace single-line text field (ids, ARNs, paths).
pub fn mono(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut String,
) -> Response {
    row(ui, form, label, help, path, |ui, l| {
        ui.add(
            egui::TextEdit::singleline(value)
                .desired_width(380.0)
                .font(egui::TextStyle::Monospace)
                .id_salt(path),
        )
        .labelled_by(l)
    })
}

/// A text field for an optional string member. Cleared, it becomes absent again unless the
/// document had it (CloudFront writes `""` for several unset members: keep the shape).
pub fn opt_text(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut Option<String>,
) -> Response {
    let had = value.is_some();
    let mut s = value.clone().unwrap_or_default();
    let r = mono(ui, form, label, help, path, &mut s);
    if r.changed() {
        *value = if s.is_empty() && !had { None } else { Some(s) };
    }
    r
}

/// A number typed as text; what does not parse is shown as an error at the field and not
/// applied.
pub fn number<T: FromStr + Display + Copy>(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut T,
) -> Response {
    row(ui, form, label, help, path, |ui, l| {
        number_field(ui, l, path, value)
    })
}

/// [`number`] for an optional member: empty means absent.
pub fn opt_number<T: FromStr + Display + Copy>(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut Option<T>,
) -> Response {
    row(ui, form, label, help, path, |ui, l| {
        let shown = value.map(|v| v.to_string()).unwrap_or_default();
        let parse = |t: &str| {
            if t.is_empty() {
                Some(None)
            } else {
                t.parse().ok().map(Some)
            }
        };
        number_text(
            ui,
            l,
            path,
            shown,
            parse,
            value,
            "Enter a whole number, or leave empty for the default",
        )
    })
}

fn number_field<T: FromStr + Display + Copy>(
    ui: &mut Ui,
    l: egui::Id,
    path: &str,
    value: &mut T,
) -> Response {
    number_text(
        ui,
        l,
        path,
        value.to_string(),
        |t| t.parse().ok(),
        value,
        "Enter a whole number",
    )
}

/// A number typed as text: while the text is focused, or does not parse, it is kept in egui's
/// memory (so a half-typed value survives frames) and the error is shown; a parsed value is
/// written to `value` and reported as a change.
fn number_text<V>(
    ui: &mut Ui,
    l: egui::Id,
    path: &str,
    shown: String,
    parse: impl Fn(&str) -> Option<V>,
    value: &mut V,
    error: &str,
) -> Response {
    let id = ui.make_persistent_id(("num", path));
    let mut text = ui.data_mut(|d| d.get_temp::<String>(id)).unwrap_or(shown);
    let mut r = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .desired_width(140.0)
                .id(id.with("edit")),
        )
        .labelled_by(l);
    let parsed = parse(text.trim());
    let ok = parsed.is_some();
    match parsed {
        Some(v) if r.changed() => *value = v,
        Some(_) => {}
        None => {
            r.flags.remove(egui::response::Flags::CHANGED);
            ui.colored_label(ERROR, error);
        }
    }
    if r.has_focus() || !ok {
        ui.data_mut(|d| d.insert_temp(id, text));
    } else {
        ui.data_mut(|d| d.remove::<String>(id));
    }
    r
}

/// [`check`] for an optional setting: ticked when `slot` holds one; ticking it fills `slot`
/// with `on()`, unticking it empties it.
pub fn toggle<T>(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    slot: &mut Option<T>,
    on: impl FnOnce() -> T,
) -> Response {
    let mut ticked = slot.is_some();
    let r = check(ui, form, label, help, path, &mut ticked);
    if r.changed() {
        *slot = ticked.then(on);
    }
    r
}

/// A checkbox row: the checkbox carries its own label (its accessible name).
pub fn check(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut bool,
) -> Response {
    ui.label("");
    let r = ui.checkbox(value, label);
    let r = if help.is_empty() {
        r
    } else {
        r.on_hover_text(help)
    };
    for f in form.checks.at(path) {
        finding_text(ui, f);
    }
    ui.end_row();
    form.track(path, &r);
    form.maybe_focus(path, &r);
    r
}

/// A checkbox for an optional boolean member (absent reads as `default`).
pub fn opt_check(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut Option<bool>,
    default: bool,
) -> Response {
    let mut v = value.unwrap_or(default);
    let r = check(ui, form, label, help, path, &mut v);
    if r.changed() {
        *value = Some(v);
    }
    r
}

/// A choice from a fixed set, shown in words; the combo's accessible name carries the current
/// value (AccessKit does not expose a combo box's selection).
#[allow(clippy::too_many_arguments)] // a form row: where, what, and how it reads
pub fn combo<E: Copy + PartialEq>(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut E,
    options: &[E],
    words: impl Fn(E) -> String,
) -> Response {
    row(ui, form, label, help, path, |ui, l| {
        choose(ui, l, path, value, options, &words)
    })
}

/// The combo box of [`combo`], without the row.
pub fn choose<E: Copy + PartialEq>(
    ui: &mut Ui,
    l: egui::Id,
    salt: &str,
    value: &mut E,
    options: &[E],
    words: &impl Fn(E) -> String,
) -> Response {
    let before = *value;
    let mut r = egui::ComboBox::from_id_salt(("combo", salt))
        .selected_text(words(*value))
        .width(320.0)
        .show_ui(ui, |ui| {
            for &o in options {
                ui.selectable_value(value, o, words(o));
            }
        })
        .response
        .labelled_by(l);
    if *value != before {
        r.mark_changed();
    }
    r
}

/// A list of strings as chips (click one to remove it) and an add box.
pub fn chips(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    items: &mut Vec<String>,
    placeholder: &str,
) -> Response {
    row(ui, form, label, help, path, |ui, l| {
        chip_list(ui, l, path, items, placeholder)
    })
}

/// The field of [`chips`].
pub fn chip_list(
    ui: &mut Ui,
    l: egui::Id,
    path: &str,
    items: &mut Vec<String>,
    placeholder: &str,
) -> Response {
    let mut changed = false;
    let mut remove = None;
    ui.horizontal_wrapped(|ui| {
        for (i, item) in items.iter().enumerate() {
            if ui
                .add(egui::Button::new(RichText::new(format!("{item}  ×")).monospace()).small())
                .on_hover_text(format!("Remove {item}"))
                .clicked()
            {
                remove = Some(i);
            }
        }
    });
    if let Some(i) = remove {
        items.remove(i);
        changed = true;
    }
    let id = ui.make_persistent_id(("add", path));
    let mut new = ui
        .data_mut(|d| d.get_temp::<String>(id))
        .unwrap_or_default();
    let mut r = ui
        .horizontal(|ui| {
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut new)
                        .hint_text(placeholder)
                        .desired_width(260.0)
                        .id_salt(("addbox", path)),
                )
                .labelled_by(l);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let add = ui
                .button(format!("Add {}", placeholder_noun(placeholder)))
                .clicked();
            if (enter || add) && !new.trim().is_empty() {
                for part in new
                    .split([',', '\n', ' '])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    if !items.iter().any(|i| i == part) {
                        items.push(part.to_string());
                        changed = true;
                    }
                }
                new.clear();
                if enter {
                    r.request_focus();
                }
            }
            r
        })
        .inner;
    ui.data_mut(|d| d.insert_temp(id, new));
    r.flags.set(egui::response::Flags::CHANGED, changed);
    r
}

fn placeholder_noun(p: &str) -> &str {
    p.split(" (").next().unwrap_or(p)
}

/// A small section heading inside a form.
pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(8.0);
    ui.label(RichText::new(title).strong().size(15.0));
    ui.add_space(2.0);
}
