//! Cache behaviors: targets (P-11), quotas (§17), methods (M-1, M-2), the cache-key model (K-2),
//! TTLs (T-9), legacy forwarded values (K-10, §17), Lambda@Edge and CloudFront Functions, signed
//! URLs, gRPC, policy references, and the warnings about caching and compression (T-6, C-1,
//! C-7) and protocols.

use std::collections::HashSet;

use crate::behavior::BehaviorView;
use crate::finding::Finding;
use crate::policies::{PolicyKind, PolicySet};
use crate::shapes::{
    ConnectionMode, DistributionConfig, EventType, ForwardedValues, HttpVersion, ItemSelection,
    Method, OriginProtocolPolicy, ViewerProtocolPolicy,
};

/// spec §17 / §19-13: cache behaviors per distribution, not counting the default one (the
/// default behavior is a separate member and CloudFront's quota counts `CacheBehaviors`).
pub const MAX_CACHE_BEHAVIORS: usize = crate::quotas::CACHE_BEHAVIORS_PER_DISTRIBUTION;
/// spec §17: legacy whitelists per behavior.
const MAX_LEGACY_NAMES: usize = 10;
/// spec T-9: 100 years.
const MAX_TTL: i64 = 3_153_600_000;

pub(super) fn check(c: &DistributionConfig, policies: &PolicySet, out: &mut Vec<Finding>) {
    let ordered = c
        .cache_behaviors
        .as_ref()
        .map(|l| l.items())
        .unwrap_or_default();
    // spec §17, §19-13.
    if ordered.len() > MAX_CACHE_BEHAVIORS {
        out.push(Finding::error(
            "CacheBehaviors.Quantity",
            "TooManyCacheBehaviors",
            format!(
                "{} cache behaviors; a distribution accepts at most {MAX_CACHE_BEHAVIORS} besides \
                 the default one by default quota: merge patterns or request a quota increase",
                ordered.len()
            ),
        ));
    } else if ordered.len() == MAX_CACHE_BEHAVIORS {
        out.push(Finding::warning(
            "CacheBehaviors.Quantity",
            format!(
                "{MAX_CACHE_BEHAVIORS} cache behaviors, the default quota: one more is rejected \
                 (TooManyCacheBehaviors) unless the quota was raised"
            ),
        ));
    }
    let ctx = Ctx::new(c, policies);
    for b in BehaviorView::all(c) {
        behavior(&ctx, b, out);
    }
}

struct Ctx<'a> {
    config: &'a DistributionConfig,
    policies: &'a PolicySet,
    targets: HashSet<&'a str>,
}

impl<'a> Ctx<'a> {
    fn new(config: &'a DistributionConfig, policies: &'a PolicySet) -> Self {
        let mut targets: HashSet<&str> = config.origins.iter().map(|o| o.id.as_str()).collect();
        if let Some(g) = &config.origin_groups {
            targets.extend(g.iter().map(|g| g.id.as_str()));
        }
        Self {
            config,
            policies,
            targets,
        }
    }
}

fn behavior(ctx: &Ctx<'_>, b: BehaviorView<'_>, out: &mut Vec<Finding>) {
    // spec P-11.
    if !ctx.targets.contains(b.target_origin_id) {
        out.push(Finding::error(
            b.at("TargetOriginId"),
            "NoSuchOrigin",
            format!(
                "TargetOriginId {:?} names no origin or origin group; use one of the Ids under \
                 Origins or OriginGroups",
                b.target_origin_id
            ),
        ));
    }
    methods(&b, out);
    cache_key(ctx, &b, out);
    ttls(&b, out);
    if let Some(fv) = b.forwarded_values {
        legacy(&b, fv, out);
    }
    lambdas(&b, out);
    functions(&b, out);
    signers(&b, out);
    grpc(ctx, &b, out);
    protocol(ctx, &b, out);
    compression(&b, out);
}

/// The three AllowedMethods sets CloudFront accepts (spec M-1), smallest first; the first two
/// are also the CachedMethods sets (spec M-2).
pub const ALLOWED_SETS: [&[Method]; 3] = [
    &[Method::GET, Method::HEAD],
    &[Method::GET, Method::HEAD, Method::OPTIONS],
    &[
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::PUT,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
    ],
];

/// True when `a` and `b` hold the same methods, in any order.
pub fn same_set(a: &[Method], b: &[Method]) -> bool {
    a.len() == b.len() && a.iter().all(|m| b.contains(m))
}

/// spec M-1, M-2.
fn methods(b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    let Some(a) = b.allowed_methods else { return };
    if !ALLOWED_SETS.iter().any(|s| same_set(&a.items, s)) {
        out.push(Finding::error(
            b.at("AllowedMethods.Items"),
            "InvalidArgument",
            format!(
                "allowed methods [{}] are not one of CloudFront's sets (spec M-1): [GET, HEAD], \
                 [GET, HEAD, OPTIONS] or all seven [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE]",
                names(&a.items)
            ),
        ));
    }
    let Some(cached) = &a.cached_methods else {
        return;
    };
    let items = cached.items();
    if !ALLOWED_SETS[..2].iter().any(|s| same_set(items, s)) {
        out.push(Finding::error(
            b.at("AllowedMethods.CachedMethods.Items"),
            "InvalidArgument",
            format!(
                "cached methods [{}] are not one of CloudFront's sets (spec M-2): [GET, HEAD] \
                 or [GET, HEAD, OPTIONS]",
                names(items)
            ),
        ));
    } else if !items.iter().all(|m| a.items.contains(m)) {
        out.push(Finding::error(
            b.at("AllowedMethods.CachedMethods.Items"),
            "InvalidArgument",
            format!(
                "cached methods [{}] include a method that is not allowed ([{}]); cache only \
                 allowed methods",
                names(items),
                names(&a.items)
            ),
        ));
    }
}

fn names(m: &[Method]) -> String {
    m.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
}

/// spec K-2, K-3, S-1: a cache policy or legacy forwarded values, never both; policy ids resolve.
fn cache_key(ctx: &Ctx<'_>, b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    let legacy_ttls = b.ttls().iter().any(Option::is_some);
    match (b.cache_policy(), b.forwarded_values) {
        (Some(_), Some(_)) => out.push(Finding::error(
            b.at("ForwardedValues"),
            "InvalidArgument",
            "the behavior has both a CachePolicyId and legacy ForwardedValues (spec K-2); \
             remove ForwardedValues (and MinTTL/DefaultTTL/MaxTTL) to use the cache policy",
        )),
        (None, None) => out.push(Finding::error(
            b.at("CachePolicyId"),
            "InvalidArgument",
            "the behavior has neither a CachePolicyId nor ForwardedValues (spec S-1, K-2); \
             attach a cache policy (CachingOptimized is 658327ea-f89d-4fab-a63d-7e88639e58f6)",
        )),
        (Some(_), None) if legacy_ttls => {
            let member = ["MinTTL", "DefaultTTL", "MaxTTL"]
                .iter()
                .zip(b.ttls())
                .find(|(_, t)| t.is_some())
                .map_or("MinTTL", |(m, _)| *m);
            out.push(Finding::error(
                b.at(member),
                "InvalidArgument",
                "legacy TTL fields (MinTTL, DefaultTTL, MaxTTL) cannot be sent with a cache \
                 policy (spec K-2): the TTLs come from the policy; remove them",
            ));
        }
        _ => {}
    }
    // An origin request policy only adds to what the cache policy forwards (K-3).
    if b.origin_request_policy().is_some() && b.cache_policy().is_none() {
        out.push(Finding::error(
            b.at("OriginRequestPolicyId"),
            "InvalidArgument",
            "an origin request policy needs a cache policy on the same behavior (spec K-3); \
             attach a CachePolicyId or remove OriginRequestPolicyId",
        ));
    }
    if ctx.config.connection_mode == Some(ConnectionMode::TenantOnly)
        && b.forwarded_values.is_some()
    {
        out.push(Finding::error(
            b.at("ForwardedValues"),
            "InvalidArgument",
            "multi-tenant distributions do not support legacy ForwardedValues and TTLs; use a \
             cache policy",
        ));
    }
    // Policy references: an unknown id is an error when the custom policies were given, and
    // cannot be checked otherwise.
    let refs = [
        (PolicyKind::Cache, b.cache_policy()),
        (PolicyKind::OriginRequest, b.origin_request_policy()),
        (PolicyKind::ResponseHeaders, b.response_headers_policy()),
    ];
    for (kind, id) in refs {
        let Some(id) = id else { continue };
        if ctx.policies.contains(kind, id) {
            continue;
        }
        unresolved(ctx, b.at(kind.member()), kind, id, out);
    }
}

fn unresolved(ctx: &Ctx<'_>, path: String, kind: PolicyKind, id: &str, out: &mut Vec<Finding>) {
    if ctx.policies.is_empty() {
        out.push(Finding::warning(
            path,
            format!(
                "{} {id:?} is not a CloudFront managed policy, so it cannot be checked without \
                 the custom policies (--policies FILE from `aws cloudfront get-{}`); CloudFront \
                 answers {} if it does not exist",
                kind.member(),
                match kind {
                    PolicyKind::Cache => "cache-policy",
                    PolicyKind::OriginRequest => "origin-request-policy",
                    PolicyKind::ResponseHeaders => "response-headers-policy",
                },
                kind.missing_code()
            ),
        ));
    } else {
        out.push(Finding::error(
            path,
            kind.missing_code(),
            format!(
                "{} {id:?} is neither a CloudFront managed policy nor one of the custom policies \
                 given",
                kind.member()
            ),
        ));
    }
}

/// spec T-9 (legacy TTLs; policy TTLs are checked with the policies).
fn ttls(b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    if b.cache_policy().is_some() {
        return;
    }
    let [min, default, max] = b.ttls();
    for (member, t) in [("MinTTL", min), ("DefaultTTL", default), ("MaxTTL", max)] {
        if let Some(t) = t.filter(|t| !(0..=MAX_TTL).contains(t)) {
            out.push(Finding::error(
                b.at(member),
                "InvalidArgument",
                format!("{member} {t} is out of range; accepted: 0 to {MAX_TTL} seconds"),
            ));
        }
    }
    let order = ttl_order(min, default, max);
    if let Some((member, msg)) = order {
        out.push(Finding::error(b.at(member), "InvalidTTLOrder", msg));
    }
}

/// spec T-9: MinTTL ≤ DefaultTTL ≤ MaxTTL. The finding sits on the first member out of order.
pub(super) fn ttl_order(
    min: Option<i64>,
    default: Option<i64>,
    max: Option<i64>,
) -> Option<(&'static str, String)> {
    let min_v = min.unwrap_or(0);
    if let Some(d) = default.filter(|d| min_v > *d) {
        return Some((
            "MinTTL",
            format!(
                "MinTTL {min_v} is greater than DefaultTTL {d}; CloudFront needs MinTTL ≤ \
                    DefaultTTL ≤ MaxTTL"
            ),
        ));
    }
    if let Some(m) = max.filter(|m| min_v > *m) {
        return Some((
            "MinTTL",
            format!(
                "MinTTL {min_v} is greater than MaxTTL {m}; CloudFront needs MinTTL ≤ DefaultTTL \
                    ≤ MaxTTL"
            ),
        ));
    }
    match (default, max) {
        (Some(d), Some(m)) if d > m => Some((
            "DefaultTTL",
            format!(
                "DefaultTTL {d} is greater than MaxTTL {m}; CloudFront needs MinTTL ≤ DefaultTTL \
                    ≤ MaxTTL"
            ),
        )),
        _ => None,
    }
}

/// spec K-10, §17: legacy forwarded values.
fn legacy(b: &BehaviorView<'_>, fv: &ForwardedValues, out: &mut Vec<Finding>) {
    let headers = fv.headers.as_ref().map(|l| l.items()).unwrap_or_default();
    if headers.len() > MAX_LEGACY_NAMES {
        out.push(Finding::error(
            b.at("ForwardedValues.Headers.Quantity"),
            "TooManyHeadersInForwardedValues",
            format!(
                "{} forwarded headers; at most {MAX_LEGACY_NAMES} per behavior",
                headers.len()
            ),
        ));
    }
    if headers.iter().any(|h| h == "*") && b.ttls()[0].unwrap_or(0) > 0 {
        out.push(Finding::error(
            b.at("MinTTL"),
            "InvalidArgument",
            "forwarding all headers (`*`) disables caching, so MinTTL must be 0 (spec K-10)",
        ));
    }
    let cookies = &fv.cookies;
    let names = cookies
        .whitelisted_names
        .as_ref()
        .map(|l| l.items())
        .unwrap_or_default();
    if cookies.forward == ItemSelection::Whitelist && names.is_empty() {
        out.push(Finding::error(
            b.at("ForwardedValues.Cookies.WhitelistedNames"),
            "InvalidForwardCookies",
            "cookies are forwarded by whitelist but no cookie name is listed; list the names \
             or forward `none`",
        ));
    }
    if cookies.forward != ItemSelection::Whitelist && !names.is_empty() {
        out.push(Finding::error(
            b.at("ForwardedValues.Cookies.WhitelistedNames"),
            "InvalidForwardCookies",
            format!(
                "cookie names are listed but Forward is `{}`; set Forward to `whitelist` or \
                 remove the names",
                cookies.forward
            ),
        ));
    }
    if names.len() > MAX_LEGACY_NAMES {
        out.push(Finding::error(
            b.at("ForwardedValues.Cookies.WhitelistedNames.Quantity"),
            "TooManyCookieNamesInWhiteList",
            format!(
                "{} whitelisted cookies; at most {MAX_LEGACY_NAMES} per behavior",
                names.len()
            ),
        ));
    }
    let keys = fv
        .query_string_cache_keys
        .as_ref()
        .map(|l| l.items())
        .unwrap_or_default();
    if keys.len() > MAX_LEGACY_NAMES {
        out.push(Finding::error(
            b.at("ForwardedValues.QueryStringCacheKeys.Quantity"),
            "TooManyQueryStringParameters",
            format!(
                "{} query string cache keys; at most {MAX_LEGACY_NAMES} per behavior",
                keys.len()
            ),
        ));
    }
    // spec T-6: all three legacy TTLs 0 means caching is off.
    if b.ttls() == [Some(0), Some(0), Some(0)] {
        out.push(Finding::warning(
            b.at("MaxTTL"),
            "caching disabled: MinTTL, DefaultTTL and MaxTTL are all 0, so every request goes \
             to the origin (spec T-6); if that is intended, the managed CachingDisabled policy \
             says so explicitly",
        ));
    }
}

/// Lambda@Edge: versioned ARNs in us-east-1, one per event type, `IncludeBody` on request events.
fn lambdas(b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    let Some(list) = b.lambda_function_associations else {
        return;
    };
    let mut seen = HashSet::new();
    for (i, l) in list.items().iter().enumerate() {
        let p = b.at(&format!("LambdaFunctionAssociations.Items[{i}]"));
        if let Some(why) = lambda_arn_problem(&l.lambda_function_arn) {
            out.push(Finding::error(
                format!("{p}.LambdaFunctionARN"),
                "InvalidLambdaFunctionAssociation",
                format!("{:?} {why}", l.lambda_function_arn),
            ));
        }
        if !seen.insert(l.event_type) {
            out.push(Finding::error(
                format!("{p}.EventType"),
                "InvalidLambdaFunctionAssociation",
                format!(
                    "a second Lambda@Edge function for `{}`; one function per event type",
                    l.event_type
                ),
            ));
        }
        if l.include_body == Some(true)
            && !matches!(
                l.event_type,
                EventType::ViewerRequest | EventType::OriginRequest
            )
        {
            out.push(Finding::error(
                format!("{p}.IncludeBody"),
                "InvalidLambdaFunctionAssociation",
                format!(
                    "IncludeBody applies to request events only, not `{}`; remove it",
                    l.event_type
                ),
            ));
        }
    }
}

/// `arn:aws:lambda:us-east-1:ACCOUNT:function:NAME:VERSION`, a numbered version.
fn lambda_arn_problem(arn: &str) -> Option<&'static str> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 7
        || parts[0] != "arn"
        || !parts[1].starts_with("aws")
        || parts[2] != "lambda"
        || parts[5] != "function"
        || parts[6].is_empty()
    {
        return Some(
            "is not a Lambda function ARN \
             (arn:aws:lambda:us-east-1:ACCOUNT:function:NAME:VERSION)",
        );
    }
    if parts[3] != "us-east-1" {
        return Some("is not in us-east-1; Lambda@Edge functions are created in us-east-1");
    }
    match parts.get(7) {
        None => Some("has no version; Lambda@Edge needs a numbered version (append `:1`)"),
        Some(&"$LATEST") => Some("uses $LATEST; Lambda@Edge needs a numbered version"),
        Some(v) if parts.len() > 8 || v.is_empty() || !v.chars().all(|c| c.is_ascii_digit()) => {
            Some("does not end in a numbered version; Lambda@Edge needs one (`:1`)")
        }
        Some(_) => None,
    }
}

/// CloudFront Functions: viewer events only, one per event type.
fn functions(b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    let Some(list) = b.function_associations else {
        return;
    };
    let mut seen = HashSet::new();
    for (i, f) in list.items().iter().enumerate() {
        let p = b.at(&format!("FunctionAssociations.Items[{i}]"));
        if !matches!(
            f.event_type,
            EventType::ViewerRequest | EventType::ViewerResponse
        ) {
            out.push(Finding::error(
                format!("{p}.EventType"),
                "InvalidFunctionAssociation",
                format!(
                    "CloudFront Functions run on viewer-request or viewer-response, not `{}`; use \
                     Lambda@Edge for origin events",
                    f.event_type
                ),
            ));
        } else if !seen.insert(f.event_type) {
            out.push(Finding::error(
                format!("{p}.EventType"),
                "InvalidFunctionAssociation",
                format!(
                    "a second function for `{}`; one per event type",
                    f.event_type
                ),
            ));
        }
        if !f.function_arn.starts_with("arn:aws") || !f.function_arn.contains(":function/") {
            out.push(Finding::error(
                format!("{p}.FunctionARN"),
                "InvalidFunctionAssociation",
                format!(
                    "{:?} is not a CloudFront function ARN \
                     (arn:aws:cloudfront::ACCOUNT:function/NAME)",
                    f.function_arn
                ),
            ));
        }
    }
}

/// Signed URLs: `Enabled` must agree with the list being non-empty.
fn signers(b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    let lists = [
        (
            "TrustedSigners",
            b.trusted_signers
                .map(|s| (s.enabled, s.items.as_deref().map_or(0, <[_]>::len))),
        ),
        (
            "TrustedKeyGroups",
            b.trusted_key_groups
                .map(|s| (s.enabled, s.items.as_deref().map_or(0, <[_]>::len))),
        ),
    ];
    for (member, state) in lists {
        match state {
            Some((true, 0)) => out.push(Finding::error(
                b.at(&format!("{member}.Enabled")),
                "InvalidArgument",
                format!("{member} is enabled but lists nobody; list at least one or disable it"),
            )),
            Some((false, n)) if n > 0 => out.push(Finding::error(
                b.at(&format!("{member}.Enabled")),
                "InvalidArgument",
                format!(
                    "{member} lists {n} but is not enabled; set Enabled to true or empty the list"
                ),
            )),
            _ => {}
        }
    }
}

/// gRPC needs HTTP/2 and all seven methods (API `GrpcConfig`).
fn grpc(ctx: &Ctx<'_>, b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    if !b.grpc_config.is_some_and(|g| g.enabled) {
        return;
    }
    let http2 = matches!(
        ctx.config.http_version,
        None | Some(HttpVersion::Http2) | Some(HttpVersion::Http2and3)
    );
    if !http2 {
        out.push(Finding::error(
            b.at("GrpcConfig.Enabled"),
            "InvalidArgument",
            "gRPC needs HTTP/2: set HttpVersion to http2 or http2and3",
        ));
    }
    let all = b
        .allowed_methods
        .is_some_and(|a| same_set(&a.items, ALLOWED_SETS[2]));
    if !all {
        out.push(Finding::error(
            b.at("GrpcConfig.Enabled"),
            "InvalidArgument",
            "gRPC needs POST: allow all seven methods (GET, HEAD, OPTIONS, PUT, POST, PATCH, \
             DELETE)",
        ));
    }
}

/// HTTPS to the viewer but plain HTTP to the origin: the traffic travels unencrypted.
fn protocol(ctx: &Ctx<'_>, b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    if b.viewer_protocol_policy == ViewerProtocolPolicy::AllowAll {
        return;
    }
    let http_only = ctx.config.origins.iter().any(|o| {
        o.id == b.target_origin_id
            && o.custom_origin_config
                .as_ref()
                .is_some_and(|c| c.origin_protocol_policy == OriginProtocolPolicy::HttpOnly)
    });
    if http_only {
        out.push(Finding::warning(
            b.at("ViewerProtocolPolicy"),
            format!(
                "viewers must use HTTPS (`{}`) but origin {:?} is `http-only`: requests travel \
                 unencrypted between CloudFront and the origin; use `https-only` on the origin \
                 if it supports TLS",
                b.viewer_protocol_policy, b.target_origin_id
            ),
        ));
    }
}

/// spec C-1, C-7: `Compress: true` where CloudFront cannot compress.
fn compression(b: &BehaviorView<'_>, out: &mut Vec<Finding>) {
    if b.compress != Some(true) {
        return;
    }
    // Only the clear case: legacy TTLs all 0. A cache policy with TTLs 0 (CachingDisabled) next
    // to `Compress: true` is what tools write by default, and warning there is noise.
    let no_cache = b.forwarded_values.is_some() && b.ttls() == [Some(0), Some(0), Some(0)];
    if no_cache {
        out.push(Finding::warning(
            b.at("Compress"),
            "Compress is true but caching is disabled (all TTLs 0): CloudFront compresses \
             only cacheable responses (spec C-1), so nothing is compressed at the edge",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_has, valid};
    use crate::List;
    use crate::finding::Severity::{Error, Warning};
    use crate::shapes::*;
    use crate::{PolicySet, validate, validate_with};

    type Break = fn(&mut DistributionConfig);

    fn d(c: &mut DistributionConfig) -> &mut DefaultCacheBehavior {
        &mut c.default_cache_behavior
    }
    fn api(c: &mut DistributionConfig) -> &mut CacheBehavior {
        &mut c.cache_behaviors.as_mut().unwrap().items_mut()[0]
    }
    fn fv(c: &mut DistributionConfig) -> &mut ForwardedValues {
        api(c).forwarded_values.as_mut().unwrap()
    }
    fn names(n: usize) -> List<String> {
        (0..n).map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn table() {
        const A: &str = "CacheBehaviors.Items[0]";
        let rows: &[(&str, Break, &str, crate::Severity, Option<&str>)] = &[
            (
                "P-11 missing origin",
                |c| d(c).target_origin_id = "asdf".into(),
                "DefaultCacheBehavior.TargetOriginId",
                Error,
                Some("NoSuchOrigin"),
            ),
            (
                "§17 76 behaviors",
                |c| {
                    let l = c.cache_behaviors.as_mut().unwrap();
                    let b = l.items()[1].clone();
                    for i in 0..74 {
                        let mut b = b.clone();
                        b.path_pattern = format!("/p{i}/*");
                        l.items_mut().push(b);
                    }
                    l.sync_quantity();
                },
                "CacheBehaviors.Quantity",
                Error,
                Some("TooManyCacheBehaviors"),
            ),
            (
                "§17 75 behaviors",
                |c| {
                    let l = c.cache_behaviors.as_mut().unwrap();
                    let b = l.items()[1].clone();
                    for i in 0..73 {
                        let mut b = b.clone();
                        b.path_pattern = format!("/p{i}/*");
                        l.items_mut().push(b);
                    }
                    l.sync_quantity();
                },
                "CacheBehaviors.Quantity",
                Warning,
                None,
            ),
            (
                "M-1 allowed set",
                |c| {
                    let a = d(c).allowed_methods.as_mut().unwrap();
                    a.items = vec![Method::GET, Method::POST];
                },
                "DefaultCacheBehavior.AllowedMethods.Items",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "M-2 cached set",
                |c| {
                    let a = api(c).allowed_methods.as_mut().unwrap();
                    *a.cached_methods.as_mut().unwrap() =
                        List::new(vec![Method::GET, Method::POST]);
                },
                "CacheBehaviors.Items[0].AllowedMethods.CachedMethods.Items",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "M-2 cached not allowed",
                |c| {
                    let a = d(c).allowed_methods.as_mut().unwrap();
                    *a.cached_methods.as_mut().unwrap() =
                        List::new(vec![Method::GET, Method::HEAD, Method::OPTIONS]);
                },
                "DefaultCacheBehavior.AllowedMethods.CachedMethods.Items",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "K-2 both models",
                |c| d(c).forwarded_values = Some(ForwardedValues::default()),
                "DefaultCacheBehavior.ForwardedValues",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-1 neither model",
                |c| d(c).cache_policy_id = None,
                "DefaultCacheBehavior.CachePolicyId",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "K-2 legacy TTL with policy",
                |c| d(c).default_ttl = Some(0),
                "DefaultCacheBehavior.DefaultTTL",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "K-3 ORP without cache policy",
                |c| {
                    api(c).origin_request_policy_id =
                        Some("216adef6-5c7f-47e4-b989-5492eafa07d3".into())
                },
                "CacheBehaviors.Items[0].OriginRequestPolicyId",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "T-9 min > default",
                |c| api(c).min_ttl = Some(100),
                "CacheBehaviors.Items[0].MinTTL",
                Error,
                Some("InvalidTTLOrder"),
            ),
            (
                "T-9 default > max",
                |c| api(c).default_ttl = Some(6000),
                "CacheBehaviors.Items[0].DefaultTTL",
                Error,
                Some("InvalidTTLOrder"),
            ),
            (
                "T-9 range",
                |c| api(c).max_ttl = Some(3_153_600_001),
                "CacheBehaviors.Items[0].MaxTTL",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "K-10 all headers with MinTTL",
                |c| {
                    fv(c).headers = Some(List::new(vec!["*".into()]));
                    api(c).min_ttl = Some(1);
                },
                "CacheBehaviors.Items[0].MinTTL",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§17 legacy headers",
                |c| fv(c).headers = Some(names(11)),
                "CacheBehaviors.Items[0].ForwardedValues.Headers.Quantity",
                Error,
                Some("TooManyHeadersInForwardedValues"),
            ),
            (
                "§17 legacy cookies",
                |c| {
                    fv(c).cookies = CookiePreference {
                        forward: ItemSelection::Whitelist,
                        whitelisted_names: Some(names(11)),
                    }
                },
                "CacheBehaviors.Items[0].ForwardedValues.Cookies.WhitelistedNames.Quantity",
                Error,
                Some("TooManyCookieNamesInWhiteList"),
            ),
            (
                "K-10 whitelist without names",
                |c| fv(c).cookies.forward = ItemSelection::Whitelist,
                "CacheBehaviors.Items[0].ForwardedValues.Cookies.WhitelistedNames",
                Error,
                Some("InvalidForwardCookies"),
            ),
            (
                "K-10 names without whitelist",
                |c| fv(c).cookies.whitelisted_names = Some(names(1)),
                "CacheBehaviors.Items[0].ForwardedValues.Cookies.WhitelistedNames",
                Error,
                Some("InvalidForwardCookies"),
            ),
            (
                "§17 legacy query strings",
                |c| fv(c).query_string_cache_keys = Some(names(11)),
                "CacheBehaviors.Items[0].ForwardedValues.QueryStringCacheKeys.Quantity",
                Error,
                Some("TooManyQueryStringParameters"),
            ),
            (
                "T-6 legacy caching disabled",
                |c| {
                    api(c).default_ttl = Some(0);
                    api(c).max_ttl = Some(0);
                },
                "CacheBehaviors.Items[0].MaxTTL",
                Warning,
                None,
            ),
            (
                "C-1 compress without caching",
                |c| {
                    api(c).default_ttl = Some(0);
                    api(c).max_ttl = Some(0);
                    api(c).compress = Some(true);
                },
                "CacheBehaviors.Items[0].Compress",
                Warning,
                None,
            ),
            (
                "Lambda unversioned",
                |c| {
                    api(c)
                        .lambda_function_associations
                        .as_mut()
                        .unwrap()
                        .items_mut()[0]
                        .lambda_function_arn =
                        "arn:aws:lambda:us-east-1:123456789012:function:auth".into()
                },
                "CacheBehaviors.Items[0].LambdaFunctionAssociations.Items[0].LambdaFunctionARN",
                Error,
                Some("InvalidLambdaFunctionAssociation"),
            ),
            (
                "Lambda $LATEST",
                |c| {
                    api(c)
                        .lambda_function_associations
                        .as_mut()
                        .unwrap()
                        .items_mut()[0]
                        .lambda_function_arn =
                        "arn:aws:lambda:us-east-1:123456789012:function:auth:$LATEST".into()
                },
                "CacheBehaviors.Items[0].LambdaFunctionAssociations.Items[0].LambdaFunctionARN",
                Error,
                Some("InvalidLambdaFunctionAssociation"),
            ),
            (
                "Lambda region",
                |c| {
                    api(c)
                        .lambda_function_associations
                        .as_mut()
                        .unwrap()
                        .items_mut()[0]
                        .lambda_function_arn =
                        "arn:aws:lambda:eu-west-1:123456789012:function:auth:3".into()
                },
                "CacheBehaviors.Items[0].LambdaFunctionAssociations.Items[0].LambdaFunctionARN",
                Error,
                Some("InvalidLambdaFunctionAssociation"),
            ),
            (
                "Lambda IncludeBody on response",
                |c| {
                    api(c)
                        .lambda_function_associations
                        .as_mut()
                        .unwrap()
                        .items_mut()[0]
                        .event_type = EventType::OriginResponse
                },
                "CacheBehaviors.Items[0].LambdaFunctionAssociations.Items[0].IncludeBody",
                Error,
                Some("InvalidLambdaFunctionAssociation"),
            ),
            (
                "Lambda twice per event",
                |c| {
                    let l = api(c).lambda_function_associations.as_mut().unwrap();
                    let x = l.items()[0].clone();
                    l.items_mut().push(x);
                    l.sync_quantity();
                },
                "CacheBehaviors.Items[0].LambdaFunctionAssociations.Items[1].EventType",
                Error,
                Some("InvalidLambdaFunctionAssociation"),
            ),
            (
                "Function on origin event",
                |c| {
                    api(c).function_associations.as_mut().unwrap().items_mut()[0].event_type =
                        EventType::OriginRequest
                },
                "CacheBehaviors.Items[0].FunctionAssociations.Items[0].EventType",
                Error,
                Some("InvalidFunctionAssociation"),
            ),
            (
                "Function twice per event",
                |c| {
                    let l = api(c).function_associations.as_mut().unwrap();
                    let x = l.items()[0].clone();
                    l.items_mut().push(x);
                    l.sync_quantity();
                },
                "CacheBehaviors.Items[0].FunctionAssociations.Items[1].EventType",
                Error,
                Some("InvalidFunctionAssociation"),
            ),
            (
                "Function ARN",
                |c| {
                    api(c).function_associations.as_mut().unwrap().items_mut()[0].function_arn =
                        "rewrite".into()
                },
                "CacheBehaviors.Items[0].FunctionAssociations.Items[0].FunctionARN",
                Error,
                Some("InvalidFunctionAssociation"),
            ),
            (
                "signers enabled empty",
                |c| {
                    d(c).trusted_signers = Some(TrustedSigners {
                        enabled: true,
                        quantity: 0,
                        items: None,
                    })
                },
                "DefaultCacheBehavior.TrustedSigners.Enabled",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "key groups disabled with items",
                |c| {
                    d(c).trusted_key_groups = Some(TrustedKeyGroups {
                        enabled: false,
                        quantity: 1,
                        items: Some(vec!["kg".into()]),
                    })
                },
                "DefaultCacheBehavior.TrustedKeyGroups.Enabled",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "gRPC needs all methods",
                |c| d(c).grpc_config = Some(GrpcConfig { enabled: true }),
                "DefaultCacheBehavior.GrpcConfig.Enabled",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "gRPC needs HTTP/2",
                |c| {
                    c.http_version = Some(HttpVersion::Http1_1);
                    api(c).grpc_config = Some(GrpcConfig { enabled: true });
                },
                "CacheBehaviors.Items[0].GrpcConfig.Enabled",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "HTTPS viewer, http-only origin",
                |c| {
                    c.origins.items_mut()[1]
                        .custom_origin_config
                        .as_mut()
                        .unwrap()
                        .origin_protocol_policy = OriginProtocolPolicy::HttpOnly
                },
                "CacheBehaviors.Items[0].ViewerProtocolPolicy",
                Warning,
                None,
            ),
            (
                "multi-tenant without legacy settings",
                |c| c.connection_mode = Some(ConnectionMode::TenantOnly),
                "CacheBehaviors.Items[0].ForwardedValues",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "unknown response headers policy without --policies",
                |c| d(c).response_headers_policy_id = Some("rhp-custom".into()),
                "DefaultCacheBehavior.ResponseHeadersPolicyId",
                Warning,
                None,
            ),
            (
                "unknown policy without --policies",
                |c| d(c).cache_policy_id = Some("658327ea-f89d-4fab-a63d-7e88639e5abc".into()),
                "DefaultCacheBehavior.CachePolicyId",
                Warning,
                None,
            ),
        ];
        let _ = A;
        for (row, brk, path, sev, code) in rows {
            let mut c = valid();
            brk(&mut c);
            assert_has(row, &validate(&c), path, *sev, *code);
        }
    }

    #[test]
    fn unknown_policy_with_custom_policies_is_an_error() {
        let mut c = valid();
        c.default_cache_behavior.cache_policy_id = Some("custom-missing".into());
        c.cache_behaviors.as_mut().unwrap().items_mut()[1].origin_request_policy_id =
            Some("orp-missing".into());
        let mut set = PolicySet::default();
        let mut p = crate::policies::managed_cache_policies()[0].clone();
        p.id = "custom-1".into();
        set.cache.insert(p.id.clone(), p);
        let f = validate_with(&c, &set);
        assert_has(
            "cache",
            &f,
            "DefaultCacheBehavior.CachePolicyId",
            Error,
            Some("NoSuchCachePolicy"),
        );
        assert_has(
            "orp",
            &f,
            "CacheBehaviors.Items[1].OriginRequestPolicyId",
            Error,
            Some("NoSuchOriginRequestPolicy"),
        );
        c.default_cache_behavior.cache_policy_id = Some("custom-1".into());
        let f = validate_with(&c, &set);
        assert!(
            !f.iter()
                .any(|f| f.path == "DefaultCacheBehavior.CachePolicyId"),
            "{f:#?}"
        );
    }

    #[test]
    fn lambda_arns() {
        assert_eq!(
            super::lambda_arn_problem("arn:aws:lambda:us-east-1:123:function:f:1"),
            None
        );
        assert!(super::lambda_arn_problem("arn:aws:lambda:us-east-1:123:function:f:v1").is_some());
    }
}
