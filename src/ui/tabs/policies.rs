//! Policies: CloudFront's managed cache, origin request and response headers policies,
//! read-only and explained in words; the account's custom ones listed, created and edited with
//! forms through the control plane.

use std::collections::HashMap;

use cfconsole_control::{PolicyConfig, PolicyKind, PolicyRecord};
use cfconsole_model::describe::{
    describe_cache_policy, describe_origin_request_policy, describe_response_headers_policy,
};
use cfconsole_model::policies::{
    managed_cache_policies, managed_origin_request_policies, managed_response_headers_policies,
};
use cfconsole_model::{
    CachePolicyConfig, CachePolicyCookieBehavior, CachePolicyCookiesConfig,
    CachePolicyHeaderBehavior, CachePolicyHeadersConfig, CachePolicyQueryStringBehavior,
    CachePolicyQueryStringsConfig, DistributionConfig, List, OriginRequestPolicyConfig,
    OriginRequestPolicyCookieBehavior, OriginRequestPolicyHeaderBehavior,
    OriginRequestPolicyQueryStringBehavior, ParametersInCacheKeyAndForwardedToOrigin,
};
use cfconsole_model::{
    FrameOptionsList, ReferrerPolicyList, ResponseHeadersPolicyAccessControlAllowMethodsValues,
    ResponseHeadersPolicyConfig, ResponseHeadersPolicyContentSecurityPolicy,
    ResponseHeadersPolicyContentTypeOptions, ResponseHeadersPolicyCorsConfig,
    ResponseHeadersPolicyCustomHeader, ResponseHeadersPolicyFrameOptions,
    ResponseHeadersPolicyReferrerPolicy, ResponseHeadersPolicyRemoveHeader,
    ResponseHeadersPolicyServerTimingHeadersConfig, ResponseHeadersPolicyStrictTransportSecurity,
};
use eframe::egui::{self, RichText, Ui};

use super::ViewState;
use crate::ui::command::{Command, Commands};
use crate::ui::draft::Checks;
use crate::ui::form::{self, FormCtx};
use crate::ui::remote::Remote;
use crate::ui::style::ERROR;

/// The policies tab's own state.
#[derive(Debug, Default)]
pub struct PolicyView {
    /// The policy being created or edited: (id, ETag) of an existing one, and its config.
    pub editing: Option<(Option<(String, String)>, PolicyConfig)>,
}

/// Draws the tab.
pub fn show(
    ui: &mut Ui,
    c: &DistributionConfig,
    form: &mut FormCtx<'_>,
    view: &mut ViewState,
    policies: &HashMap<PolicyKind, Remote<Vec<PolicyRecord>>>,
) {
    let used: Vec<&str> = cfconsole_model::BehaviorView::all(c)
        .iter()
        .flat_map(|b| {
            [
                b.cache_policy(),
                b.origin_request_policy(),
                b.response_headers_policy(),
            ]
        })
        .flatten()
        .collect();
    if let Some(editing) = &mut view.policies.editing {
        // The model's checks of the policy, shown at its fields and listed above Save.
        let findings = policy_findings(&editing.1);
        let checks = Checks::of(findings.clone());
        editor(ui, &checks, editing, form.commands);
        let errors = findings.iter().filter(|f| f.is_error()).count();
        for f in &findings {
            form::finding_text(ui, f);
        }
        ui.horizontal(|ui| {
            let name_ok = !editing.1.name().trim().is_empty();
            if ui
                .add_enabled(name_ok && errors == 0, egui::Button::new("Save policy"))
                .on_disabled_hover_text("Fix the findings above first")
                .clicked()
            {
                form.commands.push(Command::SavePolicy(
                    editing.0.clone(),
                    Box::new(editing.1.clone()),
                ));
            }
            if !name_ok {
                ui.colored_label(ERROR, "A policy needs a name");
            }
        });
        if ui.button("Close the policy editor").clicked() {
            view.policies.editing = None;
        }
        ui.separator();
    }
    for kind in PolicyKind::ALL {
        let title = match kind {
            PolicyKind::Cache => "Cache policies",
            PolicyKind::OriginRequest => "Origin request policies",
            PolicyKind::ResponseHeaders => "Response headers policies",
        };
        form::section(ui, title);
        match policies.get(&kind) {
            None | Some(Remote::Idle) => {
                form.commands.push(Command::LoadPolicies(kind));
            }
            Some(Remote::Pending(_)) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Listing custom policies…");
                });
            }
            Some(Remote::Failed { error, .. }) => {
                ui.colored_label(
                    ERROR,
                    format!("Custom policies could not be listed: {error}"),
                );
                if ui.button(format!("Retry {title}")).clicked() {
                    form.commands.push(Command::LoadPolicies(kind));
                }
            }
            Some(Remote::Ready(_)) => {}
        }
        let custom: Vec<&PolicyRecord> = policies
            .get(&kind)
            .and_then(|r| r.value())
            .into_iter()
            .flatten()
            .collect();
        for p in &custom {
            egui::CollapsingHeader::new(
                RichText::new(format!(
                    "{} (custom){}",
                    p.config.name(),
                    if used.contains(&p.id.as_str()) {
                        " · used here"
                    } else {
                        ""
                    }
                ))
                .strong(),
            )
            .id_salt(("custom", &p.id))
            .show(ui, |ui| {
                ui.label(RichText::new(&p.id).monospace().small());
                for line in describe(&p.config) {
                    ui.label(line);
                }
                if ui.button(format!("Edit {}", p.config.name())).clicked() {
                    view.policies.editing =
                        Some((Some((p.id.clone(), p.etag.clone())), p.config.clone()));
                }
            });
        }
        match kind {
            PolicyKind::Cache => {
                if ui.button("New cache policy").clicked() {
                    view.policies.editing = Some((None, PolicyConfig::Cache(new_cache_policy())));
                }
                for p in managed_cache_policies() {
                    managed(
                        ui,
                        &p.id,
                        &p.cache_policy_config.name,
                        describe_cache_policy(&p.cache_policy_config),
                        &used,
                    );
                }
            }
            PolicyKind::OriginRequest => {
                if ui.button("New origin request policy").clicked() {
                    view.policies.editing = Some((
                        None,
                        PolicyConfig::OriginRequest(new_origin_request_policy()),
                    ));
                }
                for p in managed_origin_request_policies() {
                    managed(
                        ui,
                        &p.id,
                        &p.origin_request_policy_config.name,
                        describe_origin_request_policy(&p.origin_request_policy_config),
                        &used,
                    );
                }
            }
            PolicyKind::ResponseHeaders => {
                if ui.button("New response headers policy").clicked() {
                    view.policies.editing = Some((
                        None,
                        PolicyConfig::ResponseHeaders(new_response_headers_policy()),
                    ));
                }
                for p in managed_response_headers_policies() {
                    managed(
                        ui,
                        &p.id,
                        &p.response_headers_policy_config.name,
                        describe_response_headers_policy(&p.response_headers_policy_config),
                        &used,
                    );
                }
            }
        }
    }
}

fn describe(p: &PolicyConfig) -> Vec<String> {
    match p {
        PolicyConfig::Cache(c) => describe_cache_policy(c),
        PolicyConfig::OriginRequest(c) => describe_origin_request_policy(c),
        PolicyConfig::ResponseHeaders(c) => describe_response_headers_policy(c),
    }
}

fn managed(ui: &mut Ui, id: &str, name: &str, lines: Vec<String>, used: &[&str]) {
    egui::CollapsingHeader::new(format!(
        "{name} (managed){}",
        if used.contains(&id) {
            " · used here"
        } else {
            ""
        }
    ))
    .id_salt(("managed", id))
    .show(ui, |ui| {
        ui.label(RichText::new(id).monospace().small());
        for line in lines {
            ui.label(line);
        }
    });
}

fn new_cache_policy() -> CachePolicyConfig {
    CachePolicyConfig {
        comment: None,
        name: String::new(),
        default_ttl: Some(86400),
        max_ttl: Some(31_536_000),
        min_ttl: 1,
        parameters_in_cache_key_and_forwarded_to_origin: Some(
            ParametersInCacheKeyAndForwardedToOrigin {
                enable_accept_encoding_gzip: true,
                enable_accept_encoding_brotli: Some(true),
                headers_config: CachePolicyHeadersConfig {
                    header_behavior: CachePolicyHeaderBehavior::None,
                    headers: None,
                },
                cookies_config: CachePolicyCookiesConfig {
                    cookie_behavior: CachePolicyCookieBehavior::None,
                    cookies: None,
                },
                query_strings_config: CachePolicyQueryStringsConfig {
                    query_string_behavior: CachePolicyQueryStringBehavior::None,
                    query_strings: None,
                },
            },
        ),
    }
}

fn new_origin_request_policy() -> OriginRequestPolicyConfig {
    OriginRequestPolicyConfig {
        comment: None,
        name: String::new(),
        headers_config: Default::default(),
        cookies_config: Default::default(),
        query_strings_config: Default::default(),
    }
}

fn editor(
    ui: &mut Ui,
    checks: &Checks,
    editing: &mut (Option<(String, String)>, PolicyConfig),
    commands: &mut Commands,
) {
    // The policy is not part of the distribution: its fields carry the policy's own findings.
    let mut focus = None;
    let mut revealed = Default::default();
    let mut f = FormCtx {
        checks,
        focus: &mut focus,
        edited: None,
        revealed: &mut revealed,
        commands,
        functions: &[],
        key_groups: &[],
        oacs: &[],
        distribution_arn: None,
    };
    let title = match (&editing.0, &editing.1) {
        (Some(_), p) => format!("Edit {}", p.name()),
        (None, PolicyConfig::Cache(_)) => "New cache policy".to_string(),
        (None, PolicyConfig::OriginRequest(_)) => "New origin request policy".to_string(),
        (None, PolicyConfig::ResponseHeaders(_)) => "New response headers policy".to_string(),
    };
    form::section(ui, &title);
    match &mut editing.1 {
        PolicyConfig::Cache(p) => {
            form::grid(ui, "cache-policy", |ui| {
                form::text(
                    ui,
                    &mut f,
                    "Policy name",
                    "Name: unique in the account",
                    "Policy.Name",
                    &mut p.name,
                );
                form::opt_text(
                    ui,
                    &mut f,
                    "Policy comment",
                    "Comment",
                    "Policy.Comment",
                    &mut p.comment,
                );
                form::number(
                    ui,
                    &mut f,
                    "Policy minimum TTL (s)",
                    "MinTTL",
                    "Policy.MinTTL",
                    &mut p.min_ttl,
                );
                form::opt_number(
                    ui,
                    &mut f,
                    "Policy default TTL (s)",
                    "DefaultTTL",
                    "Policy.DefaultTTL",
                    &mut p.default_ttl,
                );
                form::opt_number(
                    ui,
                    &mut f,
                    "Policy maximum TTL (s)",
                    "MaxTTL",
                    "Policy.MaxTTL",
                    &mut p.max_ttl,
                );
                let k = p
                    .parameters_in_cache_key_and_forwarded_to_origin
                    .get_or_insert_with(|| {
                        new_cache_policy()
                            .parameters_in_cache_key_and_forwarded_to_origin
                            .unwrap_or_default()
                    });
                form::check(
                    ui,
                    &mut f,
                    "Gzip",
                    "EnableAcceptEncodingGzip",
                    "Policy.Gzip",
                    &mut k.enable_accept_encoding_gzip,
                );
                form::opt_check(
                    ui,
                    &mut f,
                    "Brotli",
                    "EnableAcceptEncodingBrotli",
                    "Policy.Brotli",
                    &mut k.enable_accept_encoding_brotli,
                    false,
                );
                form::combo(
                    ui,
                    &mut f,
                    "Headers in the cache key",
                    "HeadersConfig.HeaderBehavior",
                    "Policy.Headers",
                    &mut k.headers_config.header_behavior,
                    CachePolicyHeaderBehavior::VARIANTS,
                    |b| b.as_str().to_string(),
                );
                names(ui, &mut f, "Header names", &mut k.headers_config.headers);
                form::combo(
                    ui,
                    &mut f,
                    "Cookies in the cache key",
                    "CookiesConfig.CookieBehavior",
                    "Policy.Cookies",
                    &mut k.cookies_config.cookie_behavior,
                    CachePolicyCookieBehavior::VARIANTS,
                    |b| b.as_str().to_string(),
                );
                names(ui, &mut f, "Cookie names", &mut k.cookies_config.cookies);
                form::combo(
                    ui,
                    &mut f,
                    "Query strings in the cache key",
                    "QueryStringsConfig.QueryStringBehavior",
                    "Policy.QueryStrings",
                    &mut k.query_strings_config.query_string_behavior,
                    CachePolicyQueryStringBehavior::VARIANTS,
                    |b| b.as_str().to_string(),
                );
                names(
                    ui,
                    &mut f,
                    "Query string names",
                    &mut k.query_strings_config.query_strings,
                );
            });
        }
        PolicyConfig::OriginRequest(p) => {
            form::grid(ui, "orp", |ui| {
                form::text(
                    ui,
                    &mut f,
                    "Policy name",
                    "Name: unique in the account",
                    "Policy.Name",
                    &mut p.name,
                );
                form::opt_text(
                    ui,
                    &mut f,
                    "Policy comment",
                    "Comment",
                    "Policy.Comment",
                    &mut p.comment,
                );
                form::combo(
                    ui,
                    &mut f,
                    "Headers forwarded",
                    "HeadersConfig.HeaderBehavior",
                    "Policy.Headers",
                    &mut p.headers_config.header_behavior,
                    OriginRequestPolicyHeaderBehavior::VARIANTS,
                    |b| b.as_str().to_string(),
                );
                names(ui, &mut f, "Header names", &mut p.headers_config.headers);
                form::combo(
                    ui,
                    &mut f,
                    "Cookies forwarded",
                    "CookiesConfig.CookieBehavior",
                    "Policy.Cookies",
                    &mut p.cookies_config.cookie_behavior,
                    OriginRequestPolicyCookieBehavior::VARIANTS,
                    |b| b.as_str().to_string(),
                );
                names(ui, &mut f, "Cookie names", &mut p.cookies_config.cookies);
                form::combo(
                    ui,
                    &mut f,
                    "Query strings forwarded",
                    "QueryStringsConfig.QueryStringBehavior",
                    "Policy.QueryStrings",
                    &mut p.query_strings_config.query_string_behavior,
                    OriginRequestPolicyQueryStringBehavior::VARIANTS,
                    |b| b.as_str().to_string(),
                );
                names(
                    ui,
                    &mut f,
                    "Query string names",
                    &mut p.query_strings_config.query_strings,
                );
            });
        }
        PolicyConfig::ResponseHeaders(p) => response_headers_form(ui, &mut f, p),
    }
}

/// The model's findings for a policy being edited, with paths as the editor's fields name them
/// (`Policy.MinTTL`, `Policy.Headers`, `Policy.CorsConfig.AccessControlAllowOrigins`).
pub fn policy_findings(config: &PolicyConfig) -> Vec<cfconsole_model::Finding> {
    let mut set = cfconsole_model::PolicySet::default();
    PolicyRecord {
        id: "edited".into(),
        last_modified: String::new(),
        etag: String::new(),
        config: config.clone(),
    }
    .add_to(&mut set);
    cfconsole_model::validate_policies(&set)
        .into_iter()
        .map(|mut f| {
            f.path = editor_path(&f.path);
            f
        })
        .collect()
}

/// `CachePolicy[edited].CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin`
/// `.HeadersConfig.Headers.Items[0]` → `Policy.Headers`; response headers policy members keep
/// their names under `Policy.`.
fn editor_path(model: &str) -> String {
    let member = model.split_once("Config.").map_or(model, |(_, m)| m);
    let member = member
        .strip_prefix("ParametersInCacheKeyAndForwardedToOrigin.")
        .unwrap_or(member);
    for (prefix, field) in [
        ("HeadersConfig", "Headers"),
        ("CookiesConfig", "Cookies"),
        ("QueryStringsConfig", "QueryStrings"),
        ("EnableAcceptEncodingGzip", "Gzip"),
        ("EnableAcceptEncodingBrotli", "Brotli"),
    ] {
        if member.starts_with(prefix) {
            return format!("Policy.{field}");
        }
    }
    // `CorsConfig.AccessControlAllowOrigins.Items[2]` → the list's field.
    let member = member.split(".Items[").next().unwrap_or(member);
    format!("Policy.{member}")
}

fn new_response_headers_policy() -> ResponseHeadersPolicyConfig {
    ResponseHeadersPolicyConfig {
        name: String::new(),
        ..Default::default()
    }
}

/// A list of strings as chips, `None` when empty.
fn string_list(
    ui: &mut Ui,
    f: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    list: &mut Option<List<String>>,
) {
    let mut items: Vec<String> = list
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    if form::chips(ui, f, label, help, path, &mut items, "value").changed() {
        *list = (!items.is_empty()).then(|| List::new(items));
    }
}

fn response_headers_form(ui: &mut Ui, f: &mut FormCtx<'_>, p: &mut ResponseHeadersPolicyConfig) {
    form::grid(ui, "rhp", |ui| {
        form::text(
            ui,
            f,
            "Policy name",
            "Name: unique in the account",
            "Policy.Name",
            &mut p.name,
        );
        form::opt_text(
            ui,
            f,
            "Policy comment",
            "Comment",
            "Policy.Comment",
            &mut p.comment,
        );
        // CORS.
        form::toggle(
            ui,
            f,
            "CORS headers",
            "CorsConfig: Access-Control-* headers on responses",
            "Policy.CorsConfig",
            &mut p.cors_config,
            || ResponseHeadersPolicyCorsConfig {
                access_control_allow_origins: List::new(vec!["*".into()]),
                access_control_allow_headers: List::new(vec!["*".into()]),
                access_control_allow_methods: List::new(vec![
                    ResponseHeadersPolicyAccessControlAllowMethodsValues::GET,
                    ResponseHeadersPolicyAccessControlAllowMethodsValues::HEAD,
                    ResponseHeadersPolicyAccessControlAllowMethodsValues::OPTIONS,
                ]),
                access_control_allow_credentials: false,
                access_control_expose_headers: None,
                access_control_max_age_sec: Some(600),
                origin_override: true,
            },
        );
        if let Some(c) = p.cors_config.as_mut() {
            let mut origins = c.access_control_allow_origins.items().to_vec();
            if form::chips(
                ui,
                f,
                "Allowed origins",
                "AccessControlAllowOrigins: `*` or https://example.com",
                "Policy.CorsConfig.AccessControlAllowOrigins",
                &mut origins,
                "origin",
            )
            .changed()
            {
                c.access_control_allow_origins = List::new(origins);
            }
            let mut headers = c.access_control_allow_headers.items().to_vec();
            if form::chips(
                ui,
                f,
                "Allowed headers",
                "AccessControlAllowHeaders",
                "Policy.CorsConfig.AccessControlAllowHeaders",
                &mut headers,
                "header",
            )
            .changed()
            {
                c.access_control_allow_headers = List::new(headers);
            }
            let mut methods: Vec<String> = c
                .access_control_allow_methods
                .items()
                .iter()
                .map(|m| m.as_str().to_string())
                .collect();
            if form::chips(
                ui,
                f,
                "Allowed methods",
                "AccessControlAllowMethods: GET, POST, OPTIONS, PUT, DELETE, PATCH, HEAD or ALL",
                "Policy.CorsConfig.AccessControlAllowMethods",
                &mut methods,
                "method",
            )
            .changed()
            {
                let parsed: Vec<_> = methods
                    .iter()
                    .filter_map(|m| {
                        ResponseHeadersPolicyAccessControlAllowMethodsValues::VARIANTS
                            .iter()
                            .copied()
                            .find(|v| v.as_str().eq_ignore_ascii_case(m.trim()))
                    })
                    .collect();
                c.access_control_allow_methods = List::new(parsed);
            }
            form::check(
                ui,
                f,
                "Allow credentials",
                "AccessControlAllowCredentials",
                "Policy.CorsConfig.AccessControlAllowCredentials",
                &mut c.access_control_allow_credentials,
            );
            string_list(
                ui,
                f,
                "Exposed headers",
                "AccessControlExposeHeaders",
                "Policy.CorsConfig.AccessControlExposeHeaders",
                &mut c.access_control_expose_headers,
            );
            form::opt_number(
                ui,
                f,
                "CORS max age (s)",
                "AccessControlMaxAgeSec",
                "Policy.CorsConfig.AccessControlMaxAgeSec",
                &mut c.access_control_max_age_sec,
            );
            form::check(
                ui,
                f,
                "CORS overrides the origin's",
                "OriginOverride",
                "Policy.CorsConfig.OriginOverride",
                &mut c.origin_override,
            );
        }
        // Security headers.
        let sec = p
            .security_headers_config
            .get_or_insert_with(Default::default);
        form::toggle(
            ui,
            f,
            "Strict-Transport-Security",
            "StrictTransportSecurity (HSTS)",
            "Policy.SecurityHeadersConfig.StrictTransportSecurity",
            &mut sec.strict_transport_security,
            || ResponseHeadersPolicyStrictTransportSecurity {
                r#override: true,
                include_subdomains: Some(true),
                preload: None,
                access_control_max_age_sec: 31_536_000,
            },
        );
        if let Some(h) = sec.strict_transport_security.as_mut() {
            form::number(
                ui,
                f,
                "HSTS max age (s)",
                "AccessControlMaxAgeSec",
                "Policy.SecurityHeadersConfig.StrictTransportSecurity.AccessControlMaxAgeSec",
                &mut h.access_control_max_age_sec,
            );
            form::opt_check(
                ui,
                f,
                "HSTS includeSubDomains",
                "IncludeSubdomains",
                "Policy.SecurityHeadersConfig.StrictTransportSecurity.IncludeSubdomains",
                &mut h.include_subdomains,
                false,
            );
            form::opt_check(
                ui,
                f,
                "HSTS preload",
                "Preload",
                "Policy.SecurityHeadersConfig.StrictTransportSecurity.Preload",
                &mut h.preload,
                false,
            );
        }
        form::toggle(
            ui,
            f,
            "X-Content-Type-Options: nosniff",
            "ContentTypeOptions",
            "Policy.SecurityHeadersConfig.ContentTypeOptions",
            &mut sec.content_type_options,
            || ResponseHeadersPolicyContentTypeOptions { r#override: true },
        );
        form::toggle(
            ui,
            f,
            "X-Frame-Options",
            "FrameOptions",
            "Policy.SecurityHeadersConfig.FrameOptions",
            &mut sec.frame_options,
            || ResponseHeadersPolicyFrameOptions {
                r#override: true,
                frame_option: FrameOptionsList::SAMEORIGIN,
            },
        );
        if let Some(fo) = sec.frame_options.as_mut() {
            form::combo(
                ui,
                f,
                "Frame option",
                "FrameOption",
                "Policy.SecurityHeadersConfig.FrameOptions.FrameOption",
                &mut fo.frame_option,
                FrameOptionsList::VARIANTS,
                |v| v.as_str().to_string(),
            );
        }
        form::toggle(
            ui,
            f,
            "Referrer-Policy",
            "ReferrerPolicy",
            "Policy.SecurityHeadersConfig.ReferrerPolicy",
            &mut sec.referrer_policy,
            || ResponseHeadersPolicyReferrerPolicy {
                r#override: true,
                referrer_policy: ReferrerPolicyList::StrictOriginWhenCrossOrigin,
            },
        );
        if let Some(r) = sec.referrer_policy.as_mut() {
            form::combo(
                ui,
                f,
                "Referrer policy",
                "ReferrerPolicy",
                "Policy.SecurityHeadersConfig.ReferrerPolicy.ReferrerPolicy",
                &mut r.referrer_policy,
                ReferrerPolicyList::VARIANTS,
                |v| v.as_str().to_string(),
            );
        }
        let mut csp = sec
            .content_security_policy
            .as_ref()
            .map(|c| c.content_security_policy.clone());
        if form::opt_text(
            ui,
            f,
            "Content-Security-Policy",
            "ContentSecurityPolicy: the header's value",
            "Policy.SecurityHeadersConfig.ContentSecurityPolicy",
            &mut csp,
        )
        .changed()
        {
            sec.content_security_policy = csp.map(|v| ResponseHeadersPolicyContentSecurityPolicy {
                r#override: true,
                content_security_policy: v,
            });
        }
        if *sec == Default::default() {
            p.security_headers_config = None;
        }
        // Server-Timing.
        let mut timing = p
            .server_timing_headers_config
            .as_ref()
            .is_some_and(|t| t.enabled);
        if form::check(
            ui,
            f,
            "Server-Timing header",
            "ServerTimingHeadersConfig",
            "Policy.ServerTimingHeadersConfig",
            &mut timing,
        )
        .changed()
        {
            p.server_timing_headers_config =
                timing.then_some(ResponseHeadersPolicyServerTimingHeadersConfig {
                    enabled: true,
                    sampling_rate: Some(100.0),
                });
        }
        // Headers removed.
        let mut removed: Vec<String> = p
            .remove_headers_config
            .as_ref()
            .map(|l| l.items().iter().map(|h| h.header.clone()).collect())
            .unwrap_or_default();
        if form::chips(
            ui,
            f,
            "Headers removed",
            "RemoveHeadersConfig: headers taken out of responses",
            "Policy.RemoveHeadersConfig",
            &mut removed,
            "header",
        )
        .changed()
        {
            p.remove_headers_config = (!removed.is_empty()).then(|| {
                List::new(
                    removed
                        .into_iter()
                        .map(|header| ResponseHeadersPolicyRemoveHeader { header })
                        .collect(),
                )
            });
        }
    });
    // Custom headers: name, value, override.
    ui.label(RichText::new("Custom headers").strong());
    let mut rows: Vec<ResponseHeadersPolicyCustomHeader> = p
        .custom_headers_config
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    let before = rows.clone();
    let mut remove = None;
    for (i, h) in rows.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let l = ui.label(format!("Custom header {} name", i + 1));
            ui.add(egui::TextEdit::singleline(&mut h.header).desired_width(180.0))
                .labelled_by(l.id);
            let l = ui.label(format!("Custom header {} value", i + 1));
            ui.add(egui::TextEdit::singleline(&mut h.value).desired_width(220.0))
                .labelled_by(l.id);
            ui.checkbox(
                &mut h.r#override,
                format!("Custom header {} overrides the origin's", i + 1),
            );
            if ui
                .button(format!("Remove custom header {}", i + 1))
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        rows.remove(i);
    }
    if ui.button("Add custom header").clicked() {
        rows.push(ResponseHeadersPolicyCustomHeader {
            header: String::new(),
            value: String::new(),
            r#override: true,
        });
    }
    if rows != before {
        p.custom_headers_config = (!rows.is_empty()).then(|| List::new(rows));
    }
}

fn names(ui: &mut Ui, f: &mut FormCtx<'_>, label: &str, list: &mut Option<List<String>>) {
    let mut items: Vec<String> = list
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    if form::chips(
        ui,
        f,
        label,
        "",
        &format!("Policy.{label}"),
        &mut items,
        "name",
    )
    .changed()
    {
        *list = if items.is_empty() {
            None
        } else {
            Some(List::new(items))
        };
    }
}
