//! Logging: standard access logs to an S3 bucket.

use cfconsole_model::{DistributionConfig, LoggingConfig};
use eframe::egui::{RichText, Ui};

use crate::ui::form::{self, FormCtx};

/// Draws the tab.
pub fn show(ui: &mut Ui, c: &mut DistributionConfig, form: &mut FormCtx<'_>) {
    ui.label(
        RichText::new(
            "Standard logging writes one line per request, in CloudFront's log \
        format, to an S3 bucket (bucket.s3.amazonaws.com).",
        )
        .weak(),
    );
    ui.add_space(6.0);
    let had = c.logging.is_some();
    let mut l = c.logging.clone().unwrap_or_default();
    let before = l.clone();
    form::grid(ui, "logging", |ui| {
        let mut enabled = l.enabled.unwrap_or(false);
        if form::check(
            ui,
            form,
            "Standard logging",
            "Logging.Enabled",
            "Logging.Enabled",
            &mut enabled,
        )
        .changed()
        {
            l.enabled = Some(enabled);
        }
        form::opt_text(
            ui,
            form,
            "Log bucket",
            "Logging.Bucket: the bucket's domain, bucket.s3.amazonaws.com",
            "Logging.Bucket",
            &mut l.bucket,
        );
        form::opt_text(
            ui,
            form,
            "Log prefix",
            "Logging.Prefix: a folder for the files, such as cf-logs/",
            "Logging.Prefix",
            &mut l.prefix,
        );
        form::opt_check(
            ui,
            form,
            "Include cookies",
            "Logging.IncludeCookies",
            "Logging.IncludeCookies",
            &mut l.include_cookies,
            false,
        );
    });
    if l != before {
        c.logging = if !had && l == LoggingConfig::default() {
            None
        } else {
            Some(l)
        };
    }
}
