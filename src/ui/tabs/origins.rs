//! Origins and origin groups, as cards: one line collapsed (`id -> domain · type · protocol`),
//! the whole form expanded. The domain field recognizes the origin's type by its suffix (the
//! model's `origin_kind`) and offers the defaults that fit it.

use cfconsole_model::origin_kind::{self, OriginKind};
use cfconsole_model::{
    CustomOriginConfig, DistributionConfig, List, Origin, OriginCustomHeader, OriginGroup,
    OriginGroupFailoverCriteria, OriginGroupMember, OriginProtocolPolicy, OriginShield,
    S3OriginConfig, SslProtocol,
};
use eframe::egui::{self, RichText, Ui};

use super::ViewState;
use crate::ui::command::Command;
use crate::ui::form::{self, FormCtx};
use crate::ui::widgets;

/// Origin protocol policies in words.
pub fn protocol_words(p: OriginProtocolPolicy) -> String {
    match p {
        OriginProtocolPolicy::HttpOnly => "HTTP only (http-only)",
        OriginProtocolPolicy::MatchViewer => "Match viewer (match-viewer)",
        OriginProtocolPolicy::HttpsOnly => "HTTPS only (https-only)",
    }
    .to_string()
}

/// Status codes an origin group can fail over on.
pub const FAILOVER_CODES: [i32; 8] = [400, 403, 404, 416, 500, 502, 503, 504];

/// Draws the tab.
pub fn show(ui: &mut Ui, c: &mut DistributionConfig, form: &mut FormCtx<'_>, view: &mut ViewState) {
    form::section(ui, "Origins");
    let mut origins = c.origins.items().to_vec();
    let before = origins.clone();
    let mut remove = None;
    let mut renamed = None;
    for (i, o) in origins.iter_mut().enumerate() {
        let base = format!("Origins.Items[{i}]");
        let open = view.origin == Some(i) || form.wants_focus_under(&base);
        let kind = origin_kind::recognize(&o.domain_name);
        let worst = form.checks.under(&base).map(|f| f.severity).max();
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                let line = format!(
                    "{} -> {} · {} · {}",
                    o.id,
                    o.domain_name,
                    kind.label(),
                    protocol_summary(o)
                );
                let flags: Vec<_> = widgets::severity_flag(worst).into_iter().collect();
                let hover = "Show or hide this origin's settings";
                let r = widgets::card_title(ui, open, &line, hover, &flags);
                if r.clicked() {
                    view.origin = if open { None } else { Some(i) };
                }
                if open && std::mem::take(&mut view.scroll_to_open) {
                    r.scroll_to_me(Some(egui::Align::TOP));
                }
            });
            if !open {
                return;
            }
            let old_id = o.id.clone();
            origin_form(ui, form, &base, o, kind);
            if o.id != old_id {
                renamed = Some((old_id, o.id.clone()));
            }
            if ui.button(format!("Remove origin {}", o.id)).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        origins.remove(i);
        view.origin = None;
        form.mark("Origins");
    }
    if ui.button("Add origin").clicked() {
        let n = origins.len() + 1;
        let mut o = Origin {
            id: format!("origin-{n}"),
            domain_name: "example.com".into(),
            origin_path: Some(String::new()),
            connection_attempts: Some(3),
            connection_timeout: Some(10),
            ..Default::default()
        };
        origin_kind::apply_defaults(&mut o);
        origins.push(o);
        view.origin = Some(origins.len() - 1);
        view.scroll_to_open = true;
        form.mark("Origins");
    }
    if origins != before {
        c.origins = List::new(origins);
        if let Some((old, new)) = renamed {
            rename_references(c, &old, &new);
        }
    }

    ui.add_space(12.0);
    form::section(ui, "Origin groups");
    ui.label(
        RichText::new(
            "A group sends requests to its primary origin and fails over to the \
        secondary on the status codes chosen.",
        )
        .weak(),
    );
    let ids: Vec<String> = c.origins.items().iter().map(|o| o.id.clone()).collect();
    let had = c.origin_groups.is_some();
    let mut groups: Vec<OriginGroup> = c
        .origin_groups
        .as_ref()
        .map(|g| g.items().to_vec())
        .unwrap_or_default();
    let before = groups.clone();
    let mut remove = None;
    for (i, g) in groups.iter_mut().enumerate() {
        let base = format!("OriginGroups.Items[{i}]");
        let open = view.group == Some(i) || form.wants_focus_under(&base);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            let members: Vec<&str> = g
                .members
                .items()
                .iter()
                .map(|m| m.origin_id.as_str())
                .collect();
            let line = format!("{} -> {}", g.id, members.join(" then "));
            let worst = form.checks.under(&base).map(|f| f.severity).max();
            let flags: Vec<_> = widgets::severity_flag(worst).into_iter().collect();
            let hover = "Show or hide this origin group's settings";
            if ui
                .horizontal(|ui| widgets::card_title(ui, open, &line, hover, &flags))
                .inner
                .clicked()
            {
                view.group = if open { None } else { Some(i) };
            }
            if !open {
                return;
            }
            form::grid(ui, &base, |ui| {
                form::mono(
                    ui,
                    form,
                    "Origin group ID",
                    "Id: what behaviors target",
                    &format!("{base}.Id"),
                    &mut g.id,
                );
                let mut m: Vec<String> = g
                    .members
                    .items()
                    .iter()
                    .map(|m| m.origin_id.clone())
                    .collect();
                m.resize(2, String::new());
                for (k, label) in ["Primary origin", "Secondary origin"]
                    .into_iter()
                    .enumerate()
                {
                    let mut options = ids.clone();
                    if !options.contains(&m[k]) {
                        options.push(m[k].clone());
                    }
                    let idx: Vec<usize> = (0..options.len()).collect();
                    let mut sel = options.iter().position(|o| *o == m[k]).unwrap_or(0);
                    let r = form::combo(
                        ui,
                        form,
                        label,
                        "Members: the first is the primary",
                        &format!("{base}.Members.Items[{k}]"),
                        &mut sel,
                        &idx,
                        |j| options[j].clone(),
                    );
                    if r.changed() {
                        m[k] = options[sel].clone();
                        g.members = List::new(
                            m.iter()
                                .map(|id| OriginGroupMember {
                                    origin_id: id.clone(),
                                })
                                .collect(),
                        );
                    }
                }
                ui.label("Failover status codes");
                ui.horizontal_wrapped(|ui| {
                    let mut codes = g.failover_criteria.status_codes.items().to_vec();
                    let mut changed = false;
                    // Codes CloudFront accepts, and any other the configuration holds (an
                    // imported 418, say), so that it can be unticked.
                    let mut shown: Vec<_> = FAILOVER_CODES.to_vec();
                    for c in &codes {
                        if !shown.contains(c) {
                            shown.push(*c);
                        }
                    }
                    for code in shown {
                        let mut on = codes.contains(&code);
                        // Each code is its own checkbox, named by its number (the row's
                        // label names the set).
                        if ui
                            .checkbox(&mut on, code.to_string())
                            .on_hover_text(format!("Fail over to the next member on {code}"))
                            .changed()
                        {
                            if on {
                                codes.push(code)
                            } else {
                                codes.retain(|c| *c != code)
                            }
                            codes.sort_unstable();
                            changed = true;
                        }
                    }
                    if changed {
                        g.failover_criteria.status_codes = List::new(codes);
                        form.mark(format!("{base}.FailoverCriteria"));
                    }
                });
                ui.end_row();
                // The failover codes' findings at the codes.
                let codes_path = format!("{base}.FailoverCriteria");
                if form.checks.under(&codes_path).next().is_some() {
                    ui.label("");
                    ui.vertical(|ui| {
                        for f in form.checks.under(&codes_path) {
                            form::finding_text(ui, f);
                        }
                    });
                    ui.end_row();
                }
            });
            let codes_path = format!("{base}.FailoverCriteria");
            for f in form
                .checks
                .under(&base)
                .filter(|f| !f.path.starts_with(&codes_path))
            {
                form::finding_text(ui, f);
            }
            if ui.button(format!("Remove origin group {}", g.id)).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        groups.remove(i);
        view.group = None;
        form.mark("OriginGroups");
    }
    if ui
        .add_enabled(ids.len() >= 2, egui::Button::new("Add origin group"))
        .on_disabled_hover_text("A group needs two origins")
        .clicked()
    {
        groups.push(OriginGroup {
            id: format!("group-{}", groups.len() + 1),
            failover_criteria: OriginGroupFailoverCriteria {
                status_codes: List::new(vec![500, 502, 503, 504]),
            },
            members: List::new(
                ids.iter()
                    .take(2)
                    .map(|id| OriginGroupMember {
                        origin_id: id.clone(),
                    })
                    .collect(),
            ),
            selection_criteria: None,
        });
        view.group = Some(groups.len() - 1);
        form.mark("OriginGroups");
    }
    if groups != before {
        c.origin_groups = if groups.is_empty() && !had {
            None
        } else {
            Some(List::new(groups))
        };
    }
}

fn protocol_summary(o: &Origin) -> String {
    match (
        &o.s3_origin_config,
        &o.custom_origin_config,
        &o.vpc_origin_config,
    ) {
        (Some(_), _, _) => {
            if o.origin_access_control_id
                .as_deref()
                .is_some_and(|s| !s.is_empty())
            {
                "S3 with OAC".into()
            } else {
                "S3".into()
            }
        }
        (_, Some(c), _) => c.origin_protocol_policy.as_str().to_string(),
        (_, _, Some(_)) => "VPC origin".into(),
        _ => "no origin type".into(),
    }
}

fn origin_form(ui: &mut Ui, form: &mut FormCtx<'_>, base: &str, o: &mut Origin, kind: OriginKind) {
    form::grid(ui, base, |ui| {
        form::mono(
            ui,
            form,
            "Origin ID",
            "Id: what behaviors and groups refer to (renaming updates them)",
            &format!("{base}.Id"),
            &mut o.id,
        );
        let r = form::mono(
            ui,
            form,
            "Origin domain",
            "DomainName: a bucket endpoint, a load balancer, or any host name",
            &format!("{base}.DomainName"),
            &mut o.domain_name,
        );
        let new_kind = origin_kind::recognize(&o.domain_name);
        ui.label("");
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("Type: {}", new_kind.label())).strong());
            let fits = matches!(
                (
                    new_kind.uses_s3_origin_config(),
                    o.s3_origin_config.is_some()
                ),
                (true, true) | (false, false)
            );
            if (!fits || (r.changed() && new_kind != kind))
                && ui
                    .button(format!("Apply {} defaults", new_kind.label()))
                    .clicked()
            {
                origin_kind::apply_defaults(o);
                form.mark(format!("{base}.DomainName"));
            }
        });
        ui.end_row();
        if r.changed() && new_kind != kind {
            // The type changed with this edit: apply its defaults now (undo takes them back).
            origin_kind::apply_defaults(o);
        }
        form::opt_text(
            ui,
            form,
            "Origin path",
            "OriginPath: a folder prepended to every request (/v2); no trailing slash",
            &format!("{base}.OriginPath"),
            &mut o.origin_path,
        );
        if let Some(s3) = &mut o.s3_origin_config {
            s3_fields(
                ui,
                form,
                base,
                s3,
                &mut o.origin_access_control_id,
                new_kind,
            );
            oac_fields(
                ui,
                form,
                base,
                &o.domain_name,
                &mut o.origin_access_control_id,
            );
        }
        if let Some(custom) = &mut o.custom_origin_config {
            custom_fields(ui, form, base, custom);
        }
        form::opt_number(
            ui,
            form,
            "Connection attempts",
            "ConnectionAttempts: 1 to 3 (default 3)",
            &format!("{base}.ConnectionAttempts"),
            &mut o.connection_attempts,
        );
        form::opt_number(
            ui,
            form,
            "Connection timeout (s)",
            "ConnectionTimeout: 1 to 10 seconds (default 10)",
            &format!("{base}.ConnectionTimeout"),
            &mut o.connection_timeout,
        );
        form::opt_number(
            ui,
            form,
            "Response completion timeout (s)",
            "ResponseCompletionTimeout: the whole response, in seconds (empty: none)",
            &format!("{base}.ResponseCompletionTimeout"),
            &mut o.response_completion_timeout,
        );
        let mut shield = o.origin_shield.clone().unwrap_or(OriginShield {
            enabled: false,
            origin_shield_region: None,
        });
        let had = o.origin_shield.is_some();
        let before = shield.clone();
        form::check(
            ui,
            form,
            "Origin Shield",
            "OriginShield.Enabled: an extra caching layer in one region",
            &format!("{base}.OriginShield.Enabled"),
            &mut shield.enabled,
        );
        if shield.enabled {
            form::opt_text(
                ui,
                form,
                "Origin Shield region",
                "OriginShield.OriginShieldRegion: the region closest to the origin (us-east-1)",
                &format!("{base}.OriginShield.OriginShieldRegion"),
                &mut shield.origin_shield_region,
            );
        }
        if shield != before || (had && o.origin_shield.as_ref() != Some(&shield)) {
            o.origin_shield = Some(shield);
        }
    });
    headers(ui, form, base, o);
}

fn s3_fields(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    base: &str,
    s3: &mut S3OriginConfig,
    oac: &mut Option<String>,
    kind: OriginKind,
) {
    form::mono(
        ui,
        form,
        "Origin access identity",
        "S3OriginConfig.OriginAccessIdentity: legacy (origin-access-identity/cloudfront/ID); \
            leave empty with OAC",
        &format!("{base}.S3OriginConfig.OriginAccessIdentity"),
        &mut s3.origin_access_identity,
    );
    if kind.offers_origin_access_control() || oac.is_some() {
        form::opt_text(
            ui,
            form,
            "Origin access control",
            "OriginAccessControlId: the OAC that signs requests to the bucket (recommended over \
                OAI)",
            &format!("{base}.OriginAccessControlId"),
            oac,
        );
    }
    form::opt_number(
        ui,
        form,
        "Read timeout (s)",
        "S3OriginConfig.OriginReadTimeout",
        &format!("{base}.S3OriginConfig.OriginReadTimeout"),
        &mut s3.origin_read_timeout,
    );
}

/// An S3 origin's origin access control picked by name (or created), and, with one, the bucket
/// policy statement the bucket needs, as the CloudFront console shows it.
fn oac_fields(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    base: &str,
    domain: &str,
    oac: &mut Option<String>,
) {
    use cfconsole_model::private::OacOriginType;
    let choices: Vec<_> = form
        .oacs
        .iter()
        .filter(|(_, _, t)| *t == OacOriginType::S3)
        .collect();
    let l = ui.label("Choose origin access control");
    ui.horizontal(|ui| {
        let current = oac.as_deref().unwrap_or_default();
        let shown = choices
            .iter()
            .find(|(_, id, _)| id == current)
            .map(|(n, id, _)| format!("{n} ({id})"))
            .unwrap_or_else(|| "none".to_string());
        let mut picked = None;
        egui::ComboBox::from_id_salt(("oac pick", domain))
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for (n, id, _) in &choices {
                    if ui
                        .selectable_label(id == current, format!("{n} ({id})"))
                        .clicked()
                    {
                        picked = Some(id.clone());
                    }
                }
            })
            .response
            .labelled_by(l.id);
        if let Some(id) = picked {
            *oac = Some(id);
            form.mark(format!("{base}.OriginAccessControlId"));
        }
        if ui.button("Create origin access control").clicked() {
            let name = domain.split('.').next().unwrap_or(domain).to_string();
            form.commands
                .push(Command::NewOriginAccessControl(name, OacOriginType::S3));
        }
    });
    ui.end_row();
    let Some(id) = oac.as_deref().filter(|s| !s.is_empty()) else {
        return;
    };
    let Some(bucket) = crate::ui::tabs::access::bucket_of(domain) else {
        return;
    };
    let arn = form
        .distribution_arn
        .map(str::to_string)
        .unwrap_or_else(|| "arn:aws:cloudfront::ACCOUNT_ID:distribution/DISTRIBUTION_ID".into());
    let policy = crate::ui::tabs::access::bucket_policy(bucket, &arn);
    let l = ui.label("Bucket policy");
    ui.vertical(|ui| {
        ui.label(
            RichText::new(format!(
                "Add this statement to the policy of bucket {bucket}: origin access control \
                 {id} then reads it for this distribution only."
            ))
            .weak(),
        );
        let mut text = policy.clone();
        ui.add(
            egui::TextEdit::multiline(&mut text)
                .font(egui::TextStyle::Monospace)
                .desired_rows(8)
                .desired_width(460.0),
        )
        .labelled_by(l.id);
        if ui.button("Copy policy").clicked() {
            ui.ctx().copy_text(policy);
        }
    });
    ui.end_row();
}

fn custom_fields(ui: &mut Ui, form: &mut FormCtx<'_>, base: &str, c: &mut CustomOriginConfig) {
    let p = format!("{base}.CustomOriginConfig");
    form::combo(
        ui,
        form,
        "Protocol",
        "OriginProtocolPolicy: how CloudFront connects to the origin",
        &format!("{p}.OriginProtocolPolicy"),
        &mut c.origin_protocol_policy,
        OriginProtocolPolicy::VARIANTS,
        protocol_words,
    );
    form::number(
        ui,
        form,
        "HTTP port",
        "HTTPPort: 80, 443, or 1024-65535",
        &format!("{p}.HTTPPort"),
        &mut c.http_port,
    );
    form::number(
        ui,
        form,
        "HTTPS port",
        "HTTPSPort: 443, or 1024-65535",
        &format!("{p}.HTTPSPort"),
        &mut c.https_port,
    );
    ui.label("Origin SSL protocols").on_hover_text(
        "OriginSslProtocols: what CloudFront may use to reach the origin over HTTPS",
    );
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            let mut list = c
                .origin_ssl_protocols
                .as_ref()
                .map(|l| l.items().to_vec())
                .unwrap_or_default();
            let mut changed = false;
            for proto in SslProtocol::VARIANTS.iter().rev() {
                let mut on = list.contains(proto);
                // Each box is named by its protocol (what a screen reader says), the row by the
                // label before it.
                if ui
                    .checkbox(&mut on, proto.as_str())
                    .on_hover_text(format!("Origin SSL protocol {}", proto.as_str()))
                    .changed()
                {
                    if on {
                        list.push(*proto)
                    } else {
                        list.retain(|x| x != proto)
                    }
                    changed = true;
                }
            }
            if changed {
                c.origin_ssl_protocols = Some(List::new(list));
                form.mark(format!("{p}.OriginSslProtocols"));
            }
        });
        for f in form.checks.under(&format!("{p}.OriginSslProtocols")) {
            form::finding_text(ui, f);
        }
    });
    ui.end_row();
    form::opt_number(
        ui,
        form,
        "Response timeout (s)",
        "OriginReadTimeout: 1 to 60 seconds (default 30; more on request)",
        &format!("{p}.OriginReadTimeout"),
        &mut c.origin_read_timeout,
    );
    form::opt_number(
        ui,
        form,
        "Keep-alive timeout (s)",
        "OriginKeepaliveTimeout: 1 to 60 seconds (default 5)",
        &format!("{p}.OriginKeepaliveTimeout"),
        &mut c.origin_keepalive_timeout,
    );
}

fn headers(ui: &mut Ui, form: &mut FormCtx<'_>, base: &str, o: &mut Origin) {
    ui.add_space(4.0);
    ui.label(RichText::new("Custom headers sent to the origin").strong());
    let had = o.custom_headers.is_some();
    let mut hs: Vec<OriginCustomHeader> = o
        .custom_headers
        .as_ref()
        .map(|h| h.items().to_vec())
        .unwrap_or_default();
    let before = hs.clone();
    let mut remove = None;
    for (k, h) in hs.iter_mut().enumerate() {
        let p = format!("{base}.CustomHeaders.Items[{k}]");
        ui.horizontal(|ui| {
            let l = ui.label(format!("Header {}", k + 1));
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut h.header_name)
                        .hint_text("X-Origin-Verify")
                        .desired_width(180.0)
                        .id_salt((&p, "name")),
                )
                .labelled_by(l.id);
            form.track(&format!("{p}.HeaderName"), &r);
            form.maybe_focus(&format!("{p}.HeaderName"), &r);
            let shown = form.revealed.contains(&p);
            let lv = ui.label(format!("Header {} value", k + 1));
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut h.header_value)
                        .password(!shown)
                        .desired_width(220.0)
                        .id_salt((&p, "value")),
                )
                .labelled_by(lv.id);
            form.track(&format!("{p}.HeaderValue"), &r);
            if ui
                .button(if shown {
                    format!("Hide value {}", k + 1)
                } else {
                    format!("Show value {}", k + 1)
                })
                .on_hover_text(
                    "Header \
                values are secrets: hidden unless asked, never saved in the app's settings",
                )
                .clicked()
            {
                if shown {
                    form.revealed.remove(&p);
                } else {
                    form.revealed.insert(p.clone());
                }
            }
            if ui.button(format!("Remove header {}", k + 1)).clicked() {
                remove = Some(k);
            }
        });
        for f in form.checks.under(&p) {
            form::finding_text(ui, f);
        }
    }
    if let Some(k) = remove {
        hs.remove(k);
        form.mark(format!("{base}.CustomHeaders"));
    }
    if ui.button("Add header").clicked() {
        hs.push(OriginCustomHeader {
            header_name: String::new(),
            header_value: String::new(),
        });
        form.mark(format!("{base}.CustomHeaders"));
    }
    if hs != before {
        o.custom_headers = if hs.is_empty() && !had {
            None
        } else {
            Some(List::new(hs))
        };
    }
}

/// Renaming an origin renames what refers to it: behaviors' targets and group members.
pub fn rename_references(c: &mut DistributionConfig, old: &str, new: &str) {
    if old.is_empty() || old == new {
        return;
    }
    if c.default_cache_behavior.target_origin_id == old {
        c.default_cache_behavior.target_origin_id = new.to_string();
    }
    if let Some(bs) = &mut c.cache_behaviors {
        for b in bs.items_mut() {
            if b.target_origin_id == old {
                b.target_origin_id = new.to_string();
            }
        }
        if bs.is_empty() {
            bs.items = None;
        }
    }
    if let Some(gs) = &mut c.origin_groups {
        for g in gs.items_mut() {
            for m in g.members.items_mut() {
                if m.origin_id == old {
                    m.origin_id = new.to_string();
                }
            }
        }
        if gs.is_empty() {
            gs.items = None;
        }
    }
}
