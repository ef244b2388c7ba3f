//! General: comment, enabled, price class, alternate domain names, default root object, HTTP
//! versions, IPv6, WAF web ACL; continuous-deployment and identity fields read-only.

use cfconsole_control::DistributionRecord;
use cfconsole_model::{DistributionConfig, HttpVersion, List, PriceClass};
use eframe::egui::{RichText, Ui};

use super::{opt_words, with_none};
use crate::ui::form::{self, FormCtx};

/// Price classes in words.
pub fn price_class_words(p: PriceClass) -> String {
    match p {
        PriceClass::PriceClass100 => "North America and Europe (PriceClass_100)",
        PriceClass::PriceClass200 => "+ Asia, Middle East, Africa (PriceClass_200)",
        PriceClass::PriceClassAll => "All edge locations (PriceClass_All)",
        PriceClass::None => "None",
    }
    .to_string()
}

/// HTTP versions in words.
pub fn http_version_words(v: HttpVersion) -> String {
    match v {
        HttpVersion::Http1_1 => "HTTP/1.1 only (http1.1)",
        HttpVersion::Http2 => "HTTP/2 and HTTP/1.1 (http2)",
        HttpVersion::Http3 => "HTTP/3, HTTP/2 and HTTP/1.1 (http3)",
        HttpVersion::Http2and3 => "HTTP/2 and HTTP/3 (http2and3)",
    }
    .to_string()
}

/// Draws the tab.
pub fn show(
    ui: &mut Ui,
    c: &mut DistributionConfig,
    form: &mut FormCtx<'_>,
    deployed: Option<&DistributionRecord>,
) {
    form::grid(ui, "general", |ui| {
        form::text(
            ui,
            form,
            "Comment",
            "Comment: a description of the distribution (at most 128 characters)",
            "Comment",
            &mut c.comment,
        );
        form::check(
            ui,
            form,
            "Enabled",
            "Enabled: whether the distribution serves requests",
            "Enabled",
            &mut c.enabled,
        );
        form::combo(
            ui,
            form,
            "Price class",
            "PriceClass: which edge locations serve the distribution",
            "PriceClass",
            &mut c.price_class,
            &with_none(PriceClass::VARIANTS),
            opt_words("Not set (all edge locations)", price_class_words),
        );
        let mut aliases: Vec<String> = c
            .aliases
            .as_ref()
            .map(|a| a.items().to_vec())
            .unwrap_or_default();
        let r = form::chips(
            ui,
            form,
            "Alternate domain names",
            "Aliases: the CNAMEs viewers use; each needs a certificate that covers it (Security \
                tab)",
            "Aliases",
            &mut aliases,
            "alias (www.example.com)",
        );
        if r.changed() {
            c.aliases = if aliases.is_empty() && c.aliases.is_none() {
                None
            } else {
                Some(List::new(aliases))
            };
        }
        form::opt_text(
            ui,
            form,
            "Default root object",
            "DefaultRootObject: the object served for a request of the root URL (index.html); no \
                leading slash",
            "DefaultRootObject",
            &mut c.default_root_object,
        );
        form::combo(
            ui,
            form,
            "HTTP versions",
            "HttpVersion: what viewers may speak to CloudFront",
            "HttpVersion",
            &mut c.http_version,
            &with_none(HttpVersion::VARIANTS),
            opt_words("Not set (HTTP/2 and HTTP/1.1)", http_version_words),
        );
        form::opt_check(
            ui,
            form,
            "IPv6",
            "IsIPV6Enabled: answer DNS queries for IPv6 addresses",
            "IsIPV6Enabled",
            &mut c.is_ipv6_enabled,
            false,
        );
        form::opt_text(
            ui,
            form,
            "AWS WAF web ACL",
            "WebACLId: a WAFv2 web ACL ARN (global scope), or a WAF Classic id",
            "WebACLId",
            &mut c.web_acl_id,
        );
    });
    form::section(ui, "Read-only");
    form::grid(ui, "general-ro", |ui| {
        if let Some(rec) = deployed {
            read_only(ui, "ARN", &rec.distribution.arn);
            read_only(
                ui,
                "Last modified",
                &readable_time(&rec.distribution.last_modified_time),
            );
        }
        read_only(ui, "Caller reference", &c.caller_reference);
        read_only(
            ui,
            "Continuous deployment policy",
            c.continuous_deployment_policy_id
                .as_deref()
                .filter(|s| !s.is_empty())
                .unwrap_or("none"),
        );
        read_only(
            ui,
            "Staging distribution",
            if c.staging == Some(true) { "yes" } else { "no" },
        );
        if let Some(a) = &c.anycast_ip_list_id {
            read_only(ui, "Anycast static IP list", a);
        }
        if let Some(m) = c.connection_mode {
            read_only(ui, "Connection mode", m.as_str());
        }
    });
    ui.label(
        RichText::new(
            "Continuous deployment is set up from the primary distribution's \
        staging policy; cfconsole keeps these fields as they are when publishing.",
        )
        .weak()
        .small(),
    );
}

/// CloudFront's ISO 8601 time as a person reads it (`2026-12-07 02:02:46 UTC`); the text as
/// it came when it does not parse.
pub fn readable_time(iso: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(iso)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string()
        })
        .unwrap_or_else(|_| iso.to_string())
}

fn read_only(ui: &mut Ui, label: &str, value: &str) {
    let l = ui.label(label);
    ui.label(RichText::new(value).monospace()).labelled_by(l.id);
    ui.end_row();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_utc_and_bad_ones_stay_as_they_came() {
        assert_eq!(
            readable_time("2026-12-07T02:02:46.987016Z"),
            "2026-12-07 02:02:46 UTC"
        );
        assert_eq!(
            readable_time("2026-12-07T03:02:46+01:00"),
            "2026-12-07 02:02:46 UTC"
        );
        assert_eq!(readable_time("yesterday"), "yesterday");
    }
}
