//! Security: the viewer certificate (CloudFront's default, ACM, IAM), SNI or dedicated IP, the
//! minimum TLS policy with what it allows in words, and the geo restriction by country name.

use cfconsole_model::describe::{
    countries, country_name, describe_security_policy, security_policy_sentence,
};
use cfconsole_model::{
    DistributionConfig, GeoRestriction, GeoRestrictionType, MinimumProtocolVersion, Restrictions,
    SSLSupportMethod, ViewerCertificate,
};
use eframe::egui::{self, RichText, Ui};

use super::{ViewState, opt_words, with_none};
use crate::ui::form::{self, FormCtx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CertKind {
    Default,
    Acm,
    Iam,
}

fn cert_kind(v: &ViewerCertificate) -> CertKind {
    if v.acm_certificate_arn.is_some() {
        CertKind::Acm
    } else if v.iam_certificate_id.is_some() {
        CertKind::Iam
    } else {
        CertKind::Default
    }
}

fn ssl_words(m: SSLSupportMethod) -> String {
    match m {
        SSLSupportMethod::SniOnly => "SNI only (sni-only), recommended",
        SSLSupportMethod::Vip => "Dedicated IP addresses (vip), extra monthly charge",
        SSLSupportMethod::StaticIp => "Static IP (static-ip)",
    }
    .to_string()
}

fn geo_words(t: GeoRestrictionType) -> String {
    match t {
        GeoRestrictionType::None => "No restriction",
        GeoRestrictionType::Whitelist => "Allow only the countries listed",
        GeoRestrictionType::Blacklist => "Block the countries listed",
    }
    .to_string()
}

/// Draws the tab.
pub fn show(ui: &mut Ui, c: &mut DistributionConfig, form: &mut FormCtx<'_>, view: &mut ViewState) {
    form::section(ui, "Viewer certificate");
    let had = c.viewer_certificate.is_some();
    let mut v = c.viewer_certificate.clone().unwrap_or(ViewerCertificate {
        cloud_front_default_certificate: Some(true),
        ..Default::default()
    });
    let before = v.clone();
    form::grid(ui, "cert", |ui| {
        let mut kind = cert_kind(&v);
        let r = form::combo(
            ui,
            form,
            "Certificate",
            "ViewerCertificate: which certificate viewers see",
            "ViewerCertificate",
            &mut kind,
            &[CertKind::Default, CertKind::Acm, CertKind::Iam],
            |k| {
                match k {
                    CertKind::Default => "CloudFront's (*.cloudfront.net)",
                    CertKind::Acm => "ACM certificate (us-east-1)",
                    CertKind::Iam => "IAM server certificate",
                }
                .to_string()
            },
        );
        if r.changed() {
            match kind {
                CertKind::Default => {
                    v.cloud_front_default_certificate = Some(true);
                    v.acm_certificate_arn = None;
                    v.iam_certificate_id = None;
                    v.ssl_support_method = None;
                    v.certificate = None;
                    v.certificate_source = None;
                }
                CertKind::Acm => {
                    v.cloud_front_default_certificate = Some(false);
                    v.acm_certificate_arn =
                        Some("arn:aws:acm:us-east-1:123456789012:certificate/".into());
                    v.iam_certificate_id = None;
                    v.ssl_support_method = Some(SSLSupportMethod::SniOnly);
                    v.minimum_protocol_version = Some(MinimumProtocolVersion::TLSv1_2_2021);
                    v.certificate = None;
                    v.certificate_source = None;
                }
                CertKind::Iam => {
                    v.cloud_front_default_certificate = Some(false);
                    v.acm_certificate_arn = None;
                    v.iam_certificate_id = Some(String::new());
                    v.ssl_support_method = Some(SSLSupportMethod::SniOnly);
                    v.minimum_protocol_version = Some(MinimumProtocolVersion::TLSv1_2_2021);
                    v.certificate = None;
                    v.certificate_source = None;
                }
            }
        }
        match cert_kind(&v) {
            CertKind::Acm => {
                form::opt_text(
                    ui,
                    form,
                    "ACM certificate ARN",
                    "ACMCertificateArn: must be in us-east-1",
                    "ViewerCertificate.ACMCertificateArn",
                    &mut v.acm_certificate_arn,
                );
            }
            CertKind::Iam => {
                form::opt_text(
                    ui,
                    form,
                    "IAM certificate ID",
                    "IAMCertificateId",
                    "ViewerCertificate.IAMCertificateId",
                    &mut v.iam_certificate_id,
                );
            }
            CertKind::Default => {}
        }
        if cert_kind(&v) != CertKind::Default {
            form::combo(
                ui,
                form,
                "Client support",
                "SSLSupportMethod",
                "ViewerCertificate.SSLSupportMethod",
                &mut v.ssl_support_method,
                &with_none(SSLSupportMethod::VARIANTS),
                opt_words("Not set", ssl_words),
            );
        }
        form::combo(
            ui,
            form,
            "Security policy",
            "MinimumProtocolVersion: the oldest TLS a viewer may use",
            "ViewerCertificate.MinimumProtocolVersion",
            &mut v.minimum_protocol_version,
            &with_none(MinimumProtocolVersion::VARIANTS),
            opt_words("Not set (TLSv1)", |m: MinimumProtocolVersion| {
                m.as_str().to_string()
            }),
        );
        let policy = v
            .minimum_protocol_version
            .unwrap_or(MinimumProtocolVersion::TLSv1);
        let (protocols, ciphers) = describe_security_policy(policy);
        let l = ui.label("What it allows");
        ui.vertical(|ui| {
            let _ = l;
            ui.label(format!("Protocols: {}", protocols.join(", ")));
            ui.label(
                RichText::new(format!("Ciphers: {}", ciphers.join(", ")))
                    .small()
                    .monospace(),
            );
            ui.label(
                RichText::new(security_policy_sentence(policy))
                    .small()
                    .weak(),
            );
            if cert_kind(&v) == CertKind::Default {
                ui.label(
                    RichText::new(
                        "With CloudFront's certificate, CloudFront applies TLSv1 \
                    whatever is set here.",
                    )
                    .small()
                    .weak(),
                );
            }
        });
        ui.end_row();
    });
    if v != before {
        c.viewer_certificate = if !had && v == ViewerCertificate::default() {
            None
        } else {
            Some(v)
        };
    }

    form::section(ui, "Geographic restriction");
    let mut r = c.restrictions.clone().unwrap_or(Restrictions {
        geo_restriction: GeoRestriction {
            restriction_type: GeoRestrictionType::None,
            quantity: 0,
            items: None,
        },
    });
    let had = c.restrictions.is_some();
    let before = r.clone();
    let g = &mut r.geo_restriction;
    form::grid(ui, "geo", |ui| {
        form::combo(
            ui,
            form,
            "Restriction",
            "Restrictions.GeoRestriction.RestrictionType",
            "Restrictions.GeoRestriction.RestrictionType",
            &mut g.restriction_type,
            GeoRestrictionType::VARIANTS,
            geo_words,
        );
    });
    if g.restriction_type != GeoRestrictionType::None {
        let mut items = g.items.clone().unwrap_or_default();
        ui.horizontal_wrapped(|ui| {
            let mut remove = None;
            for (i, code) in items.iter().enumerate() {
                let name = country_name(code).unwrap_or("unknown code");
                if ui
                    .button(format!("{name} ({code})  ×"))
                    .on_hover_text(format!("Remove {name}"))
                    .clicked()
                {
                    remove = Some(i);
                }
            }
            if let Some(i) = remove {
                items.remove(i);
            }
        });
        for f in form.checks.under("Restrictions.GeoRestriction") {
            form::finding_text(ui, f);
        }
        ui.horizontal(|ui| {
            let l = ui.label("Find a country");
            ui.add(
                egui::TextEdit::singleline(&mut view.country_search)
                    .hint_text("name or code")
                    .desired_width(240.0),
            )
            .labelled_by(l.id);
        });
        let needle = view.country_search.trim().to_lowercase();
        if !needle.is_empty() {
            let mut shown = 0;
            ui.horizontal_wrapped(|ui| {
                for (code, name) in countries() {
                    if shown >= 12 {
                        break;
                    }
                    if items.iter().any(|i| i == code) {
                        continue;
                    }
                    if name.to_lowercase().contains(&needle) || code.to_lowercase() == needle {
                        shown += 1;
                        if ui.button(format!("Add {name} ({code})")).clicked() {
                            items.push(code.to_string());
                            view.country_search.clear();
                        }
                    }
                }
            });
            if shown == 0 {
                ui.label(RichText::new("No country matches.").weak());
            }
        }
        if items != g.items.clone().unwrap_or_default() {
            g.quantity = items.len() as i32;
            g.items = if items.is_empty() { None } else { Some(items) };
            form.mark("Restrictions.GeoRestriction.Items");
        }
    } else if g.items.is_some() || g.quantity != 0 {
        g.items = None;
        g.quantity = 0;
    }
    if r != before {
        c.restrictions = if !had && r.geo_restriction.restriction_type == GeoRestrictionType::None {
            None
        } else {
            Some(r)
        };
    }
}
