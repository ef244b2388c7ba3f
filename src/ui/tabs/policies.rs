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
use eframe::egui::{self, RichText, Ui};

use super::ViewState;
use crate::ui::app::{Command, Remote};
use crate::ui::draft::Checks;
use crate::ui::form::{self, ERROR, FormCtx};

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
        editor(ui, form, editing);
        ui.horizontal(|ui| {
            let name_ok = !editing.1.name().trim().is_empty();
            if ui
                .add_enabled(name_ok, egui::Button::new("Save policy"))
                .clicked()
            {
                form.command = Some(Command::SavePolicy(
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
                if form.command.is_none() {
                    form.command = Some(Command::LoadPolicies(kind));
                }
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
                    form.command = Some(Command::LoadPolicies(kind));
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
                if !matches!(p.config, PolicyConfig::ResponseHeaders(_))
                    && ui.button(format!("Edit {}", p.config.name())).clicked()
                {
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
    form: &mut FormCtx<'_>,
    editing: &mut (Option<(String, String)>, PolicyConfig),
) {
    // The policy is not part of the distribution: its fields have no findings of the draft.
    let empty = Checks::default();
    let mut focus = None;
    let mut revealed = Default::default();
    let mut f = FormCtx {
        checks: &empty,
        focus: &mut focus,
        edited: None,
        revealed: &mut revealed,
        command: None,
    };
    let title = match (&editing.0, &editing.1) {
        (Some(_), p) => format!("Edit {}", p.name()),
        (None, PolicyConfig::Cache(_)) => "New cache policy".to_string(),
        (None, _) => "New origin request policy".to_string(),
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
        PolicyConfig::ResponseHeaders(p) => {
            ui.label(format!(
                "{}: response headers policies are shown read-only here.",
                p.name
            ));
        }
    }
    let _ = form;
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
