//! Error pages: CloudFront's custom error responses (error code -> page path, response code,
//! error caching minimum TTL).

use cfconsole_model::{CustomErrorResponse, DistributionConfig, List};
use eframe::egui::{self, RichText, Ui};

use crate::ui::form::{self, FormCtx};

/// The codes CloudFront accepts for a custom error response.
pub const ERROR_CODES: [i32; 11] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
/// Response codes the console offers.
const RESPONSE_CODES: [&str; 13] = [
    "200", "400", "403", "404", "405", "414", "416", "500", "501", "502", "503", "504", "",
];

/// Draws the tab.
pub fn show(ui: &mut Ui, c: &mut DistributionConfig, form: &mut FormCtx<'_>) {
    ui.label(
        RichText::new(
            "When the origin answers with an error code, CloudFront can serve \
        another page with another status, and caches the error for the minimum TTL.",
        )
        .weak(),
    );
    ui.add_space(6.0);
    let had = c.custom_error_responses.is_some();
    let mut items: Vec<CustomErrorResponse> = c
        .custom_error_responses
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    let before = items.clone();
    let mut remove = None;
    for (i, e) in items.iter_mut().enumerate() {
        let base = format!("CustomErrorResponses.Items[{i}]");
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("Error page {}", i + 1)).strong());
                if ui.button(format!("Remove error page {}", i + 1)).clicked() {
                    remove = Some(i);
                }
            });
            form::grid(ui, &base, |ui| {
                let mut codes: Vec<i32> = ERROR_CODES.to_vec();
                if !codes.contains(&e.error_code) {
                    codes.push(e.error_code);
                }
                form::combo(
                    ui,
                    form,
                    "Error code",
                    "ErrorCode: the origin's status to replace",
                    &format!("{base}.ErrorCode"),
                    &mut e.error_code,
                    &codes,
                    |c| c.to_string(),
                );
                form::opt_text(
                    ui,
                    form,
                    "Response page path",
                    "ResponsePagePath: \
                    /errors/404.html; served through the behavior that matches it",
                    &format!("{base}.ResponsePagePath"),
                    &mut e.response_page_path,
                );
                let mut rc = e.response_code.clone().unwrap_or_default();
                let mut options: Vec<String> =
                    RESPONSE_CODES.iter().map(|s| s.to_string()).collect();
                if !options.contains(&rc) {
                    options.push(rc.clone());
                }
                let idx: Vec<usize> = (0..options.len()).collect();
                let mut sel = options.iter().position(|o| *o == rc).unwrap_or(0);
                let r = form::combo(
                    ui,
                    form,
                    "Response code",
                    "ResponseCode: the status sent to \
                    the viewer (empty: the origin's)",
                    &format!("{base}.ResponseCode"),
                    &mut sel,
                    &idx,
                    |k| {
                        if options[k].is_empty() {
                            "Same as the error code".to_string()
                        } else {
                            options[k].clone()
                        }
                    },
                );
                if r.changed() {
                    rc = options[sel].clone();
                    e.response_code = if rc.is_empty() { None } else { Some(rc) };
                }
                form::opt_number(
                    ui,
                    form,
                    "Error caching minimum TTL (s)",
                    "ErrorCachingMinTTL: \
                    how long the error is cached (default 10 s)",
                    &format!("{base}.ErrorCachingMinTTL"),
                    &mut e.error_caching_min_ttl,
                );
            });
        });
    }
    if let Some(i) = remove {
        items.remove(i);
        form.mark(format!("CustomErrorResponses.Items[{i}]"));
    }
    if ui.button("Add error page").clicked() {
        let code = ERROR_CODES
            .iter()
            .copied()
            .find(|c| !items.iter().any(|e| e.error_code == *c))
            .unwrap_or(404);
        items.push(CustomErrorResponse {
            error_code: code,
            response_page_path: Some("/index.html".into()),
            response_code: Some("200".into()),
            error_caching_min_ttl: Some(10),
        });
        form.mark("CustomErrorResponses");
    }
    if items != before {
        c.custom_error_responses = if items.is_empty() && !had {
            None
        } else {
            Some(List::new(items))
        };
    }
}
