//! Cache behaviors: an ordered list of cards with their precedence, moved up and down (the
//! default behavior is always last), each with its whole form; a behavior shadowed by an earlier
//! pattern carries the model's warning on its line; "Test a path" answers which behavior serves a
//! URL and why the earlier ones did not (the model's matcher, as `cfconsole match` prints it).

use std::collections::HashMap;

use cfconsole_control::{PolicyConfig, PolicyKind, PolicyRecord};
use cfconsole_model::policies::{managed_cache_policies, managed_policies};
use cfconsole_model::{
    ALLOWED_METHOD_SETS, AllowedMethods, CacheBehavior, CookiePreference, DistributionConfig,
    EventType, ForwardedValues, FunctionAssociation, ItemSelection, LambdaFunctionAssociation,
    List, Method, Severity, TrustedKeyGroups, TrustedSigners, ViewerProtocolPolicy,
    same_method_set, select_behavior,
};
use eframe::egui::{self, RichText, Ui};

use super::ViewState;
use crate::ui::command::Command;
use crate::ui::form::{self, FormCtx};
use crate::ui::remote::Remote;
use crate::ui::style::WARNING;
use crate::ui::widgets::{self, Flag};

/// Viewer protocol policies in words.
pub fn viewer_protocol_words(p: ViewerProtocolPolicy) -> String {
    match p {
        ViewerProtocolPolicy::AllowAll => "HTTP and HTTPS (allow-all)",
        ViewerProtocolPolicy::HttpsOnly => "HTTPS only (https-only)",
        ViewerProtocolPolicy::RedirectToHttps => "Redirect HTTP to HTTPS (redirect-to-https)",
    }
    .to_string()
}

fn method_set_words(i: usize) -> String {
    [
        "GET, HEAD",
        "GET, HEAD, OPTIONS",
        "GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE",
    ][i]
        .to_string()
}

/// The members both kinds of behavior share, borrowed for the form.
struct BehaviorMut<'a> {
    target_origin_id: &'a mut String,
    viewer_protocol_policy: &'a mut ViewerProtocolPolicy,
    allowed_methods: &'a mut Option<AllowedMethods>,
    compress: &'a mut Option<bool>,
    smooth_streaming: &'a mut Option<bool>,
    cache_policy_id: &'a mut Option<String>,
    origin_request_policy_id: &'a mut Option<String>,
    response_headers_policy_id: &'a mut Option<String>,
    forwarded_values: &'a mut Option<ForwardedValues>,
    min_ttl: &'a mut Option<i64>,
    default_ttl: &'a mut Option<i64>,
    max_ttl: &'a mut Option<i64>,
    function_associations: &'a mut Option<List<FunctionAssociation>>,
    lambda_function_associations: &'a mut Option<List<LambdaFunctionAssociation>>,
    trusted_key_groups: &'a mut Option<TrustedKeyGroups>,
    trusted_signers: &'a mut Option<TrustedSigners>,
    field_level_encryption_id: &'a mut Option<String>,
    realtime_log_config_arn: &'a mut Option<String>,
}

macro_rules! behavior_mut {
    ($b:expr) => {
        BehaviorMut {
            target_origin_id: &mut $b.target_origin_id,
            viewer_protocol_policy: &mut $b.viewer_protocol_policy,
            allowed_methods: &mut $b.allowed_methods,
            compress: &mut $b.compress,
            smooth_streaming: &mut $b.smooth_streaming,
            cache_policy_id: &mut $b.cache_policy_id,
            origin_request_policy_id: &mut $b.origin_request_policy_id,
            response_headers_policy_id: &mut $b.response_headers_policy_id,
            forwarded_values: &mut $b.forwarded_values,
            min_ttl: &mut $b.min_ttl,
            default_ttl: &mut $b.default_ttl,
            max_ttl: &mut $b.max_ttl,
            function_associations: &mut $b.function_associations,
            lambda_function_associations: &mut $b.lambda_function_associations,
            trusted_key_groups: &mut $b.trusted_key_groups,
            trusted_signers: &mut $b.trusted_signers,
            field_level_encryption_id: &mut $b.field_level_encryption_id,
            realtime_log_config_arn: &mut $b.realtime_log_config_arn,
        }
    };
}

/// Draws the tab.
pub fn show(
    ui: &mut Ui,
    c: &mut DistributionConfig,
    form: &mut FormCtx<'_>,
    view: &mut ViewState,
    policies: &HashMap<PolicyKind, Remote<Vec<PolicyRecord>>>,
) {
    tester(ui, c, view);
    ui.add_space(8.0);
    let targets: Vec<String> = c
        .origins
        .items()
        .iter()
        .map(|o| o.id.clone())
        .chain(
            c.origin_groups
                .iter()
                .flat_map(|g| g.items().iter().map(|g| g.id.clone())),
        )
        .collect();
    let had = c.cache_behaviors.is_some();
    let mut items: Vec<CacheBehavior> = c
        .cache_behaviors
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    let before = items.clone();
    let n = items.len();
    let mut action: Option<(usize, i32)> = None; // (index, -1 up / +1 down / 0 remove)
    let mut dragged: Option<(usize, usize)> = None; // (from, onto)
    for (i, b) in items.iter_mut().enumerate() {
        let base = format!("CacheBehaviors.Items[{i}]");
        let open = view.behavior == Some(i) || form.wants_focus_under(&base);
        let worst = form.checks.under(&base).map(|f| f.severity).max();
        let card = egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                // Drag a card by its handle and drop it on another to take that place.
                ui.dnd_drag_source(egui::Id::unique(("behavior-drag", i)), i, |ui| {
                    ui.label(RichText::new(format!("Drag behavior {}", i + 1)).weak())
                })
                .response
                .on_hover_text("Drag onto another behavior to take its place in the order");
                ui.label(RichText::new(format!("{}", i + 1)).strong())
                    .on_hover_text("Precedence: the first pattern that matches serves the request");
                let line = format!(
                    "{} -> {} · {} · {}",
                    b.path_pattern,
                    b.target_origin_id,
                    policy_name(b.cache_policy_id.as_deref(), policies),
                    short_vpp(b.viewer_protocol_policy)
                );
                let shadowed = form
                    .checks
                    .at(&format!("{base}.PathPattern"))
                    .find(|f| f.severity == Severity::Warning)
                    .map(|f| f.message.clone());
                let flags: Vec<Flag<'_>> = widgets::severity_flag(worst)
                    .into_iter()
                    .chain(shadowed.as_deref().map(|why| Flag {
                        color: WARNING,
                        word: "shadowed",
                        why: Some(why),
                    }))
                    .collect();
                let r = widgets::card_title(
                    ui,
                    open,
                    &line,
                    "Show or hide this behavior's settings",
                    &flags,
                );
                if r.clicked() {
                    view.behavior = if open { None } else { Some(i) };
                }
                if open && std::mem::take(&mut view.scroll_to_open) {
                    r.scroll_to_me(Some(egui::Align::TOP));
                }
            });
            if !open {
                return;
            }
            form::grid(ui, &base, |ui| {
                form::mono(
                    ui,
                    form,
                    "Path pattern",
                    "PathPattern: /images/*, *.jpg; * and ? are wildcards; case-sensitive",
                    &format!("{base}.PathPattern"),
                    &mut b.path_pattern,
                );
            });
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(i > 0, egui::Button::new("Move up"))
                    .on_hover_text("Give this behavior precedence over the one above")
                    .clicked()
                {
                    action = Some((i, -1));
                }
                if ui
                    .add_enabled(i + 1 < n, egui::Button::new("Move down"))
                    .clicked()
                {
                    action = Some((i, 1));
                }
                if ui
                    .button(format!("Remove behavior {}", b.path_pattern))
                    .clicked()
                {
                    action = Some((i, 0));
                }
            });
            behavior_form(ui, form, &base, behavior_mut!(b), &targets, policies);
        });
        let r = card.response;
        if r.dnd_hover_payload::<usize>()
            .is_some_and(|from| *from != i)
        {
            ui.painter().rect_stroke(
                r.rect,
                4.0,
                egui::Stroke::new(2.0, ui.visuals().selection.stroke.color),
                egui::StrokeKind::Outside,
            );
        }
        if let Some(from) = r.dnd_release_payload::<usize>()
            && *from != i
        {
            dragged = Some((*from, i));
        }
    }
    if let Some((from, onto)) = dragged {
        let b = items.remove(from);
        items.insert(onto, b);
        view.behavior = view.behavior.map(|v| {
            if v == from {
                onto
            } else if from < v && v <= onto {
                v - 1
            } else if onto <= v && v < from {
                v + 1
            } else {
                v
            }
        });
        form.mark("CacheBehaviors");
    }
    if let Some((i, d)) = action {
        match d {
            0 => {
                items.remove(i);
                view.behavior = None;
            }
            -1 => {
                items.swap(i, i - 1);
                view.behavior = view.behavior.map(|v| if v == i { i - 1 } else { v });
            }
            _ => {
                items.swap(i, i + 1);
                view.behavior = view.behavior.map(|v| if v == i { i + 1 } else { v });
            }
        }
        form.mark("CacheBehaviors");
    }
    if ui.button("Add behavior").clicked() {
        let d = &c.default_cache_behavior;
        items.push(CacheBehavior {
            path_pattern: format!("/path-{}/*", items.len() + 1),
            target_origin_id: d.target_origin_id.clone(),
            viewer_protocol_policy: d.viewer_protocol_policy,
            allowed_methods: d.allowed_methods.clone(),
            compress: Some(true),
            cache_policy_id: Some(CACHING_OPTIMIZED.into()),
            ..Default::default()
        });
        view.behavior = Some(items.len() - 1);
        view.scroll_to_open = true;
        form.mark("CacheBehaviors");
    }
    if items != before {
        c.cache_behaviors = if items.is_empty() && !had {
            None
        } else {
            Some(List::new(items))
        };
    }

    // The default behavior: always last, never moves.
    let base = "DefaultCacheBehavior";
    let open = view.behavior == Some(usize::MAX) || form.wants_focus_under(base);
    let worst = form.checks.under(base).map(|f| f.severity).max();
    let b = &mut c.default_cache_behavior;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Default").strong())
                .on_hover_text("Serves every request no pattern above matches");
            let line = format!(
                "* -> {} · {} · {}",
                b.target_origin_id,
                policy_name(b.cache_policy_id.as_deref(), policies),
                short_vpp(b.viewer_protocol_policy)
            );
            let flags: Vec<Flag<'_>> = widgets::severity_flag(worst).into_iter().collect();
            let hover = "Show or hide the default behavior's settings";
            if widgets::card_title(ui, open, &line, hover, &flags).clicked() {
                view.behavior = if open { None } else { Some(usize::MAX) };
            }
        });
        if open {
            behavior_form(ui, form, base, behavior_mut!(b), &targets, policies);
        }
    });
}

/// CachingOptimized, the managed policy new behaviors start with.
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

fn short_vpp(p: ViewerProtocolPolicy) -> &'static str {
    match p {
        ViewerProtocolPolicy::AllowAll => "HTTP and HTTPS",
        ViewerProtocolPolicy::HttpsOnly => "HTTPS only",
        ViewerProtocolPolicy::RedirectToHttps => "Redirect to HTTPS",
    }
}

fn policy_name(
    id: Option<&str>,
    policies: &HashMap<PolicyKind, Remote<Vec<PolicyRecord>>>,
) -> String {
    let Some(id) = id.filter(|s| !s.is_empty()) else {
        return "legacy cache settings".into();
    };
    if let Some(p) = managed_cache_policies().iter().find(|p| p.id == id) {
        return p.cache_policy_config.name.clone();
    }
    policies
        .get(&PolicyKind::Cache)
        .and_then(|r| r.value())
        .and_then(|l| l.iter().find(|p| p.id == id))
        .map(|p| p.config.name().to_string())
        .unwrap_or_else(|| format!("policy {id}"))
}

/// (id, name) of every policy of a kind: managed, then custom.
fn policy_options(
    kind: PolicyKind,
    policies: &HashMap<PolicyKind, Remote<Vec<PolicyRecord>>>,
) -> Vec<(String, String)> {
    let managed = managed_policies(kind)
        .into_iter()
        .map(|(id, name)| (id.to_string(), format!("{name} (managed)")));
    let custom = policies
        .get(&kind)
        .and_then(|r| r.value())
        .into_iter()
        .flatten()
        .filter(|p| p.config.kind() == kind)
        .map(|p| {
            let name = match &p.config {
                PolicyConfig::Cache(c) => c.name.clone(),
                PolicyConfig::OriginRequest(c) => c.name.clone(),
                PolicyConfig::ResponseHeaders(c) => c.name.clone(),
            };
            (p.id.clone(), format!("{name} (custom)"))
        });
    managed.chain(custom).collect()
}

#[allow(clippy::too_many_arguments)] // a form row: where, what, and how it reads
fn policy_combo(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    label: &str,
    help: &str,
    path: &str,
    value: &mut Option<String>,
    none_words: &str,
    options: &[(String, String)],
) {
    let mut all: Vec<(Option<String>, String)> = std::iter::once((None, none_words.to_string()))
        .chain(
            options
                .iter()
                .map(|(id, name)| (Some(id.clone()), name.clone())),
        )
        .collect();
    let cur = value.clone().filter(|s| !s.is_empty());
    if let Some(id) = &cur
        && !all.iter().any(|(i, _)| i.as_ref() == Some(id))
    {
        all.push((Some(id.clone()), format!("{id} (not listed)")));
    }
    let idx: Vec<usize> = (0..all.len()).collect();
    let mut sel = all.iter().position(|(i, _)| *i == cur).unwrap_or(0);
    let r = form::combo(ui, form, label, help, path, &mut sel, &idx, |k| {
        all[k].1.clone()
    });
    if r.changed() {
        *value = all[sel].0.clone();
    }
}

fn behavior_form(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    base: &str,
    b: BehaviorMut<'_>,
    targets: &[String],
    policies: &HashMap<PolicyKind, Remote<Vec<PolicyRecord>>>,
) {
    form::grid(ui, (base, "behavior"), |ui| {
        let mut options = targets.to_vec();
        if !options.contains(b.target_origin_id) {
            options.push(b.target_origin_id.clone());
        }
        let idx: Vec<usize> = (0..options.len()).collect();
        let mut sel = options
            .iter()
            .position(|o| o == b.target_origin_id)
            .unwrap_or(0);
        if form::combo(
            ui,
            form,
            "Origin or origin group",
            "TargetOriginId",
            &format!("{base}.TargetOriginId"),
            &mut sel,
            &idx,
            |k| options[k].clone(),
        )
        .changed()
        {
            *b.target_origin_id = options[sel].clone();
        }
        form::combo(
            ui,
            form,
            "Viewer protocol policy",
            "ViewerProtocolPolicy",
            &format!("{base}.ViewerProtocolPolicy"),
            b.viewer_protocol_policy,
            ViewerProtocolPolicy::VARIANTS,
            viewer_protocol_words,
        );
        let mut am = b.allowed_methods.clone().unwrap_or(AllowedMethods {
            quantity: 2,
            items: vec![Method::GET, Method::HEAD],
            cached_methods: None,
        });
        let mut set = ALLOWED_METHOD_SETS
            .iter()
            .position(|s| same_method_set(s, &am.items))
            .unwrap_or(0);
        let r = form::combo(
            ui,
            form,
            "Allowed HTTP methods",
            "AllowedMethods",
            &format!("{base}.AllowedMethods"),
            &mut set,
            &[0, 1, 2],
            method_set_words,
        );
        if r.changed() {
            am.items = ALLOWED_METHOD_SETS[set].to_vec();
            am.quantity = am.items.len() as i32;
            let cached_ok = am
                .cached_methods
                .as_ref()
                .is_none_or(|c| c.items().iter().all(|m| am.items.contains(m)));
            if !cached_ok {
                am.cached_methods = Some(List::new(vec![Method::GET, Method::HEAD]));
            }
            *b.allowed_methods = Some(am.clone());
        }
        if set > 0 {
            let mut cache_options = am
                .cached_methods
                .as_ref()
                .is_some_and(|c| c.items().contains(&Method::OPTIONS));
            if form::check(
                ui,
                form,
                "Cache OPTIONS responses",
                "AllowedMethods.CachedMethods: GET and HEAD are always cached",
                &format!("{base}.AllowedMethods.CachedMethods"),
                &mut cache_options,
            )
            .changed()
            {
                let mut cm = vec![Method::GET, Method::HEAD];
                if cache_options {
                    cm.push(Method::OPTIONS);
                }
                am.cached_methods = Some(List::new(cm));
                *b.allowed_methods = Some(am);
            }
        }
        form::opt_check(
            ui,
            form,
            "Compress objects automatically",
            "Compress: gzip and Brotli for viewers that accept them",
            &format!("{base}.Compress"),
            b.compress,
            false,
        );

        let legacy = b.cache_policy_id.as_deref().is_none_or(str::is_empty);
        let mut use_policy = !legacy;
        ui.label("Cache key and origin requests");
        let r = ui.horizontal(|ui| {
            let a = ui.radio_value(&mut use_policy, true, "Cache policy");
            let b2 = ui.radio_value(&mut use_policy, false, "Legacy cache settings");
            a.union(b2)
        });
        ui.end_row();
        if r.inner.changed() {
            if use_policy {
                *b.cache_policy_id = Some(CACHING_OPTIMIZED.into());
                *b.forwarded_values = None;
                *b.min_ttl = None;
                *b.default_ttl = None;
                *b.max_ttl = None;
            } else {
                *b.cache_policy_id = None;
                *b.origin_request_policy_id = None;
                *b.forwarded_values = Some(ForwardedValues {
                    query_string: false,
                    cookies: CookiePreference {
                        forward: ItemSelection::None,
                        whitelisted_names: None,
                    },
                    headers: Some(List::new(vec![])),
                    query_string_cache_keys: Some(List::new(vec![])),
                });
                *b.min_ttl = Some(0);
                *b.default_ttl = Some(86400);
                *b.max_ttl = Some(31_536_000);
            }
            form.mark(format!("{base}.CachePolicyId"));
        }
        if use_policy {
            policy_combo(
                ui,
                form,
                "Cache policy",
                "CachePolicyId: the cache key and TTLs",
                &format!("{base}.CachePolicyId"),
                b.cache_policy_id,
                "None",
                &policy_options(PolicyKind::Cache, policies),
            );
            policy_combo(
                ui,
                form,
                "Origin request policy",
                "OriginRequestPolicyId: what is forwarded to the origin beyond the cache key",
                &format!("{base}.OriginRequestPolicyId"),
                b.origin_request_policy_id,
                "None",
                &policy_options(PolicyKind::OriginRequest, policies),
            );
        } else if let Some(fv) = b.forwarded_values.as_mut() {
            legacy_form(ui, form, base, fv, b.min_ttl, b.default_ttl, b.max_ttl);
        }
        policy_combo(
            ui,
            form,
            "Response headers policy",
            "ResponseHeadersPolicyId: headers CloudFront adds to responses",
            &format!("{base}.ResponseHeadersPolicyId"),
            b.response_headers_policy_id,
            "None",
            &policy_options(PolicyKind::ResponseHeaders, policies),
        );
        form::opt_check(
            ui,
            form,
            "Smooth streaming",
            "SmoothStreaming: Microsoft Smooth Streaming",
            &format!("{base}.SmoothStreaming"),
            b.smooth_streaming,
            false,
        );
        let mut groups: Vec<String> = b
            .trusted_key_groups
            .as_ref()
            .and_then(|g| g.items.clone())
            .unwrap_or_default();
        let choices = form.key_groups;
        let path = format!("{base}.TrustedKeyGroups");
        let r = form::row(
            ui,
            form,
            "Trusted key groups",
            "TrustedKeyGroups: restrict viewer access with signed URLs or cookies",
            &path,
            |ui, l| {
                let mut r = form::chip_list(ui, l, &path, &mut groups, "key group id");
                // Picked by name from the account's key groups; the id stays typeable.
                if !choices.is_empty() {
                    let lp = ui.label("Add trusted key group");
                    let mut picked = None;
                    egui::ComboBox::from_id_salt(format!("{path}.pick"))
                        .selected_text("by name")
                        .show_ui(ui, |ui| {
                            for (n, id) in choices {
                                if !groups.contains(id)
                                    && ui.selectable_label(false, format!("{n} ({id})")).clicked()
                                {
                                    picked = Some(id.clone());
                                }
                            }
                        })
                        .response
                        .labelled_by(lp.id);
                    if let Some(id) = picked {
                        groups.push(id);
                        r.mark_changed();
                    }
                }
                let names: Vec<String> = groups
                    .iter()
                    .map(|g| match choices.iter().find(|(_, i)| i == g) {
                        Some((n, _)) => format!("{n} ({g})"),
                        None => format!("{g} (not a key group of this account)"),
                    })
                    .collect();
                if !names.is_empty() {
                    ui.label(
                        RichText::new(format!(
                            "Viewers need a URL or cookies signed with a key of: {}",
                            names.join(", ")
                        ))
                        .weak(),
                    );
                }
                r
            },
        );
        if r.changed() {
            *b.trusted_key_groups = Some(TrustedKeyGroups {
                enabled: !groups.is_empty(),
                quantity: groups.len() as i32,
                items: if groups.is_empty() {
                    None
                } else {
                    Some(groups)
                },
            });
        }
        if let Some(ts) = b.trusted_signers.as_ref().filter(|t| t.enabled) {
            let l = ui.label("Trusted signers (legacy)");
            ui.label(RichText::new(ts.items.clone().unwrap_or_default().join(", ")).monospace())
                .labelled_by(l.id);
            ui.end_row();
        }
        form::opt_text(
            ui,
            form,
            "Field-level encryption",
            "FieldLevelEncryptionId",
            &format!("{base}.FieldLevelEncryptionId"),
            b.field_level_encryption_id,
        );
        form::opt_text(
            ui,
            form,
            "Real-time log configuration",
            "RealtimeLogConfigArn",
            &format!("{base}.RealtimeLogConfigArn"),
            b.realtime_log_config_arn,
        );
    });
    associations(
        ui,
        form,
        base,
        b.function_associations,
        b.lambda_function_associations,
    );
}

fn legacy_form(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    base: &str,
    fv: &mut ForwardedValues,
    min: &mut Option<i64>,
    default: &mut Option<i64>,
    max: &mut Option<i64>,
) {
    let p = format!("{base}.ForwardedValues");
    form::check(
        ui,
        form,
        "Forward query strings",
        "ForwardedValues.QueryString",
        &format!("{p}.QueryString"),
        &mut fv.query_string,
    );
    let mut keys: Vec<String> = fv
        .query_string_cache_keys
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    if fv.query_string
        && form::chips(
            ui,
            form,
            "Query strings in the cache key",
            "ForwardedValues.QueryStringCacheKeys (empty: all)",
            &format!("{p}.QueryStringCacheKeys"),
            &mut keys,
            "parameter",
        )
        .changed()
    {
        fv.query_string_cache_keys = Some(List::new(keys));
    }
    let mut headers: Vec<String> = fv
        .headers
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    if form::chips(
        ui,
        form,
        "Forwarded headers",
        "ForwardedValues.Headers (* forwards all and disables caching)",
        &format!("{p}.Headers"),
        &mut headers,
        "header",
    )
    .changed()
    {
        fv.headers = Some(List::new(headers));
    }
    let sel_words = |s: ItemSelection| match s {
        ItemSelection::None => "None".to_string(),
        ItemSelection::Whitelist => "Only these (whitelist)".to_string(),
        ItemSelection::All => "All".to_string(),
    };
    form::combo(
        ui,
        form,
        "Forwarded cookies",
        "ForwardedValues.Cookies.Forward",
        &format!("{p}.Cookies.Forward"),
        &mut fv.cookies.forward,
        ItemSelection::VARIANTS,
        sel_words,
    );
    if fv.cookies.forward == ItemSelection::Whitelist {
        let mut names: Vec<String> = fv
            .cookies
            .whitelisted_names
            .as_ref()
            .map(|l| l.items().to_vec())
            .unwrap_or_default();
        if form::chips(
            ui,
            form,
            "Cookie names",
            "ForwardedValues.Cookies.WhitelistedNames",
            &format!("{p}.Cookies.WhitelistedNames"),
            &mut names,
            "cookie",
        )
        .changed()
        {
            fv.cookies.whitelisted_names = Some(List::new(names));
        }
    }
    form::opt_number(
        ui,
        form,
        "Minimum TTL (s)",
        "MinTTL",
        &format!("{base}.MinTTL"),
        min,
    );
    form::opt_number(
        ui,
        form,
        "Default TTL (s)",
        "DefaultTTL: used when the origin sends no Cache-Control or Expires",
        &format!("{base}.DefaultTTL"),
        default,
    );
    form::opt_number(
        ui,
        form,
        "Maximum TTL (s)",
        "MaxTTL",
        &format!("{base}.MaxTTL"),
        max,
    );
}

fn event_words(e: EventType) -> String {
    match e {
        EventType::ViewerRequest => "Viewer request",
        EventType::ViewerResponse => "Viewer response",
        EventType::OriginRequest => "Origin request",
        EventType::OriginResponse => "Origin response",
    }
    .to_string()
}

fn associations(
    ui: &mut Ui,
    form: &mut FormCtx<'_>,
    base: &str,
    functions: &mut Option<List<FunctionAssociation>>,
    lambdas: &mut Option<List<LambdaFunctionAssociation>>,
) {
    ui.add_space(4.0);
    ui.label(RichText::new("Function associations").strong());
    let had = functions.is_some();
    let mut fs: Vec<FunctionAssociation> = functions
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    let before = fs.clone();
    let mut remove = None;
    for (k, f) in fs.iter_mut().enumerate() {
        let p = format!("{base}.FunctionAssociations.Items[{k}]");
        ui.horizontal(|ui| {
            let l = ui.label(format!("CloudFront Function {}", k + 1));
            let r = form::choose(
                ui,
                l.id,
                &format!("{p}.EventType"),
                &mut f.event_type,
                &[EventType::ViewerRequest, EventType::ViewerResponse],
                &event_words,
            );
            form.track(&format!("{p}.EventType"), &r);
            // Picked by name from the account's functions; the ARN stays editable for a
            // function of another account or not created yet.
            let name = cfconsole_control::functions::function_name(&f.function_arn).to_string();
            let lf = ui.label(format!("Function {}", k + 1));
            let mut picked = None;
            egui::ComboBox::from_id_salt(format!("{p}.pick"))
                .selected_text(if name.is_empty() {
                    "choose"
                } else {
                    name.as_str()
                })
                .show_ui(ui, |ui| {
                    for (n, arn) in form.functions {
                        if ui.selectable_label(*arn == f.function_arn, n).clicked() {
                            picked = Some(arn.clone());
                        }
                    }
                })
                .response
                .labelled_by(lf.id);
            if let Some(arn) = picked {
                f.function_arn = arn;
                form.mark(format!("{p}.FunctionARN"));
            }
            let la = ui.label("ARN");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut f.function_arn)
                        .desired_width(300.0)
                        .font(egui::TextStyle::Monospace)
                        .id_salt(&p),
                )
                .labelled_by(la.id);
            form.track(&format!("{p}.FunctionARN"), &r);
            form.maybe_focus(&format!("{p}.FunctionARN"), &r);
            if form.functions.iter().any(|(n, _)| *n == name)
                && ui.button(format!("Open function {name}")).clicked()
            {
                form.commands.push(Command::OpenFunction(name.clone()));
            }
            if ui.button(format!("Remove function {}", k + 1)).clicked() {
                remove = Some(k);
            }
        });
        for f in form.checks.under(&p) {
            form::finding_text(ui, f);
        }
    }
    if let Some(k) = remove {
        fs.remove(k);
        form.mark(format!("{base}.FunctionAssociations"));
    }
    if ui.button("Add CloudFront Function").clicked() {
        fs.push(FunctionAssociation {
            function_arn: "arn:aws:cloudfront::123456789012:function/name".into(),
            event_type: EventType::ViewerRequest,
        });
        form.mark(format!("{base}.FunctionAssociations"));
    }
    if fs != before {
        *functions = if fs.is_empty() && !had {
            None
        } else {
            Some(List::new(fs))
        };
    }

    let had = lambdas.is_some();
    let mut ls: Vec<LambdaFunctionAssociation> = lambdas
        .as_ref()
        .map(|l| l.items().to_vec())
        .unwrap_or_default();
    let before = ls.clone();
    let mut remove = None;
    for (k, f) in ls.iter_mut().enumerate() {
        let p = format!("{base}.LambdaFunctionAssociations.Items[{k}]");
        ui.horizontal(|ui| {
            let l = ui.label(format!("Lambda@Edge {}", k + 1));
            let r = form::choose(
                ui,
                l.id,
                &format!("{p}.EventType"),
                &mut f.event_type,
                EventType::VARIANTS,
                &event_words,
            );
            form.track(&format!("{p}.EventType"), &r);
            let la = ui.label("versioned ARN");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut f.lambda_function_arn)
                        .desired_width(340.0)
                        .font(egui::TextStyle::Monospace)
                        .id_salt(&p),
                )
                .labelled_by(la.id);
            form.track(&format!("{p}.LambdaFunctionARN"), &r);
            form.maybe_focus(&format!("{p}.LambdaFunctionARN"), &r);
            let mut body = f.include_body.unwrap_or(false);
            if ui
                .checkbox(&mut body, format!("Include body {}", k + 1))
                .changed()
            {
                f.include_body = Some(body);
                form.mark(format!("{p}.IncludeBody"));
            }
            if ui.button(format!("Remove Lambda@Edge {}", k + 1)).clicked() {
                remove = Some(k);
            }
        });
        for f in form.checks.under(&p) {
            form::finding_text(ui, f);
        }
    }
    if let Some(k) = remove {
        ls.remove(k);
        form.mark(format!("{base}.LambdaFunctionAssociations"));
    }
    if ui.button("Add Lambda@Edge function").clicked() {
        ls.push(LambdaFunctionAssociation {
            lambda_function_arn: "arn:aws:lambda:us-east-1:123456789012:function:name:1".into(),
            event_type: EventType::OriginRequest,
            include_body: None,
        });
        form.mark(format!("{base}.LambdaFunctionAssociations"));
    }
    if ls != before {
        *lambdas = if ls.is_empty() && !had {
            None
        } else {
            Some(List::new(ls))
        };
    }
}

/// "Test a path": which behavior serves it, and why each earlier one did not.
fn tester(ui: &mut Ui, c: &DistributionConfig, view: &mut ViewState) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            let l = ui.label("Test a path");
            ui.add(
                egui::TextEdit::singleline(&mut view.test_path)
                    .hint_text("/images/logo.png?v=2")
                    .desired_width(320.0)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(l.id);
        });
        if !view.test_path.trim().is_empty() {
            let path = view.test_path.trim();
            let path = if path.starts_with('/') {
                path.to_string()
            } else {
                format!("/{path}")
            };
            let s = select_behavior(c, &path);
            ui.label(RichText::new(s.to_string().trim_end()).monospace().small());
        }
    });
}
