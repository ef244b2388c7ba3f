//! The Terraform exporter: one `aws_cloudfront_distribution` resource in HCL, following the
//! terraform-provider-aws schema (`origin`, `default_cache_behavior`, `ordered_cache_behavior`,
//! `restrictions`, `viewer_certificate`, …) as of provider 6.51, the first with
//! `origin_mtls_config`; `viewer_mtls_config`, `connection_function_association`,
//! `cache_tag_config`, `grpc_config` and `vpc_origin_config` need a recent 6.x too.
//!
//! A multi-tenant distribution (`ConnectionMode: tenant-only`, or a `TenantConfig`) is the
//! provider's other resource, `aws_cloudfront_multitenant_distribution` (provider 6.31 and
//! later, the schema as of its `origin_group.id` rename): `tenant_config`, `cache_behavior`
//! blocks, `id` for origins and groups, `allowed_methods { items, cached_methods }`,
//! `trusted_key_groups { items }`, `header_name`/`header_value`, geo `items`, and a string
//! `response_code`. What that resource has no argument for (aliases, price class, IPv6, logging:
//! a connection group's or the tenant's settings) is noted, as for the ordinary resource.
//!
//! The HCL is written by a small builder that escapes strings (including Terraform's `${` and
//! `%{` template sequences) and aligns `=` the way `terraform fmt` does. Members the provider's
//! resource lacks are reported as notes.

use super::{
    Export, ExportError, ExportOptions, Secret, UniqueNames, response_code, secrets, words,
};
use crate::behavior::BehaviorView;
use crate::document::Document;
use crate::shapes::{
    ConnectionMode, CustomErrorResponse, CustomOriginConfig, DistributionConfig, LoggingConfig,
    Method, Origin, OriginGroup, ViewerCertificate,
};

const RESOURCE_TYPE: &str = "aws_cloudfront_distribution";

pub(super) fn export(doc: &Document, opts: &ExportOptions) -> Result<Export, ExportError> {
    let config = &doc.config;
    let tenant = is_multi_tenant(config);
    let mut cx = Cx {
        resource: if tenant {
            MULTI_TENANT_RESOURCE_TYPE
        } else {
            RESOURCE_TYPE
        },
        tenant,
        notes: Vec::new(),
        redacted: Vec::new(),
        vars: Vec::new(),
    };
    let mut file = Body::default();
    if !opts.include_secrets {
        let mut names = UniqueNames::default();
        for secret in secrets(config) {
            let name = names.claim(variable_name(&secret), "_");
            file.block("variable", &[&name], |v| {
                v.attr(
                    "description",
                    format!(
                        "Value of the {} header that CloudFront sends to origin {} ({})",
                        secret.header_name, secret.origin_id, secret.path
                    ),
                );
                v.attr("type", Expr::Raw("string".into()));
                v.attr("sensitive", true);
            });
            cx.redacted.push(secret.path.clone());
            cx.vars.push((secret.origin, secret.header, name));
        }
    }
    let label = resource_label(&opts.resource_name);
    let mut resource = Body::default();
    cx.distribution(config, &mut resource);
    file.push_block(Block {
        name: "resource".into(),
        labels: vec![cx.resource.into(), label],
        body: resource,
    });
    let mut text = String::new();
    file.render(0, &mut text);
    Ok(Export {
        text,
        redacted: cx.redacted,
        notes: cx.notes,
    })
}

/// The Terraform AWS provider's resource for a multi-tenant distribution.
const MULTI_TENANT_RESOURCE_TYPE: &str = "aws_cloudfront_multitenant_distribution";

/// A multi-tenant distribution (`ConnectionMode: tenant-only`, or a `TenantConfig`) is another
/// resource type in Terraform, with other arguments: as `aws_cloudfront_distribution` it would
/// create an ordinary distribution.
fn is_multi_tenant(c: &DistributionConfig) -> bool {
    c.connection_mode == Some(ConnectionMode::TenantOnly) || c.tenant_config.is_some()
}

/// The resource label: the requested name in snake case (`MyDistribution` → `my_distribution`),
/// which is a valid Terraform identifier.
fn resource_label(name: &str) -> String {
    let mut out = String::new();
    for w in words(name) {
        let mut prev_lower = false;
        if !out.is_empty() {
            out.push('_');
        }
        for c in w.chars() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "distribution");
    }
    out
}

/// `origin_header_<origin id>_<header name>` in snake case.
fn variable_name(s: &Secret) -> String {
    let mut name = "origin_header".to_string();
    for w in words(&s.origin_id).iter().chain(&words(&s.header_name)) {
        name.push('_');
        name.push_str(&w.to_ascii_lowercase());
    }
    name
}

struct Cx {
    /// The resource type written.
    resource: &'static str,
    /// `aws_cloudfront_multitenant_distribution`: other names for several arguments.
    tenant: bool,
    notes: Vec<String>,
    redacted: Vec<String>,
    /// Variable per secret, by `(origin, header)`; empty when secrets are written out.
    vars: Vec<(usize, usize, String)>,
}

impl Cx {
    fn note(&mut self, path: impl std::fmt::Display, why: &str) {
        self.notes.push(format!("{path}: {why}"));
    }

    fn unsupported(&mut self, path: &str) {
        let why = format!(
            "not an argument of the {} resource; left out",
            self.resource
        );
        self.note(path, &why);
    }

    /// For a multi-tenant distribution, notes a member its resource has no argument for (when
    /// set) and says whether to write it.
    fn ordinary_only(&mut self, path: &str, set: bool) -> bool {
        if self.tenant && set {
            self.unsupported(path);
        }
        !self.tenant
    }

    fn distribution(&mut self, c: &DistributionConfig, r: &mut Body) {
        self.note(
            "CallerReference",
            "computed by the Terraform provider, not an argument; left out",
        );
        r.attr("comment", c.comment.as_str());
        r.attr("enabled", c.enabled);
        if self.ordinary_only("IsIPV6Enabled", c.is_ipv6_enabled.is_some()) {
            r.opt("is_ipv6_enabled", c.is_ipv6_enabled);
        }
        r.opt("http_version", c.http_version.map(|h| h.as_str()));
        if self.ordinary_only("PriceClass", c.price_class.is_some()) {
            r.opt("price_class", c.price_class.map(|p| p.as_str()));
        }
        let aliases = c.aliases.as_ref().is_some_and(|a| !a.is_empty());
        if self.ordinary_only("Aliases", aliases)
            && let Some(a) = &c.aliases
        {
            r.list("aliases", a.iter().map(|s| Expr::from(s.as_str())));
        }
        r.opt("default_root_object", c.default_root_object.as_deref());
        r.opt("web_acl_id", non_empty(c.web_acl_id.as_deref()));
        let cd = non_empty(c.continuous_deployment_policy_id.as_deref());
        if self.ordinary_only("ContinuousDeploymentPolicyId", cd.is_some()) {
            r.opt("continuous_deployment_policy_id", cd);
        }
        if self.ordinary_only("Staging", c.staging == Some(true)) {
            r.opt("staging", c.staging);
        }
        let anycast = non_empty(c.anycast_ip_list_id.as_deref());
        if self.ordinary_only("AnycastIpListId", anycast.is_some()) {
            r.opt("anycast_ip_list_id", anycast);
        }

        for (i, o) in c.origins.iter().enumerate() {
            r.block("origin", &[], |b| self.origin(i, o, b));
        }
        if let Some(groups) = &c.origin_groups {
            for (i, g) in groups.iter().enumerate() {
                r.block("origin_group", &[], |b| self.origin_group(i, g, b));
            }
        }
        for beh in BehaviorView::all(c) {
            let name = match (beh.path_pattern.is_some(), self.tenant) {
                (false, _) => "default_cache_behavior",
                (true, false) => "ordered_cache_behavior",
                (true, true) => "cache_behavior",
            };
            r.block(name, &[], |b| self.behavior(&beh, b));
        }
        if let Some(errors) = &c.custom_error_responses {
            for (i, e) in errors.iter().enumerate() {
                r.block("custom_error_response", &[], |b| {
                    self.error_response(i, e, b)
                });
            }
        }
        if let Some(l) = &c.logging {
            let on = l.enabled != Some(false);
            if self.ordinary_only("Logging", on) {
                self.logging(l, r);
            }
        }
        // `restrictions` and `viewer_certificate` are required blocks in Terraform; when the
        // document leaves them out, write CloudFront's defaults (no geo restriction, the
        // *.cloudfront.net certificate) so the resource means the same.
        r.block("restrictions", &[], |b| {
            b.block("geo_restriction", &[], |g| match &c.restrictions {
                Some(rs) => {
                    let geo = &rs.geo_restriction;
                    g.attr("restriction_type", geo.restriction_type.as_str());
                    g.list(
                        if self.tenant { "items" } else { "locations" },
                        geo.items.iter().flatten().map(|l| Expr::from(l.as_str())),
                    );
                }
                None => g.attr("restriction_type", "none"),
            })
        });
        r.block("viewer_certificate", &[], |b| match &c.viewer_certificate {
            Some(vc) => self.viewer_certificate(vc, b),
            None => b.attr("cloudfront_default_certificate", true),
        });
        if let Some(t) = &c.tenant_config {
            r.block("tenant_config", &[], |b| tenant_config(t, b));
        }
        if self.tenant {
            for (member, set) in [
                ("ViewerMtlsConfig", c.viewer_mtls_config.is_some()),
                (
                    "ConnectionFunctionAssociation",
                    c.connection_function_association.is_some(),
                ),
                ("CacheTagConfig", c.cache_tag_config.is_some()),
            ] {
                self.ordinary_only(member, set);
            }
            return;
        }
        if let Some(m) = &c.viewer_mtls_config {
            r.block("viewer_mtls_config", &[], |b| {
                b.opt("mode", m.mode.map(|x| x.as_str()));
                if let Some(t) = &m.trust_store_config {
                    b.block("trust_store_config", &[], |tb| {
                        tb.attr("trust_store_id", t.trust_store_id.as_str());
                        tb.opt(
                            "advertise_trust_store_ca_names",
                            t.advertise_trust_store_ca_names,
                        );
                        tb.opt("ignore_certificate_expiry", t.ignore_certificate_expiry);
                    });
                }
            });
        }
        if let Some(f) = &c.connection_function_association {
            r.block("connection_function_association", &[], |b| {
                b.attr("id", f.id.as_str())
            });
        }
        if let Some(t) = &c.cache_tag_config {
            r.block("cache_tag_config", &[], |b| {
                b.attr("header_name", t.header_name.as_str())
            });
        }
    }

    fn origin(&mut self, i: usize, o: &Origin, b: &mut Body) {
        let path = format!("Origins.Items[{i}]");
        b.attr("domain_name", o.domain_name.as_str());
        b.attr(if self.tenant { "id" } else { "origin_id" }, o.id.as_str());
        b.opt("origin_path", non_empty(o.origin_path.as_deref()));
        b.opt("connection_attempts", o.connection_attempts);
        b.opt("connection_timeout", o.connection_timeout);
        b.opt("response_completion_timeout", o.response_completion_timeout);
        b.opt(
            "origin_access_control_id",
            non_empty(o.origin_access_control_id.as_deref()),
        );
        if let Some(headers) = &o.custom_headers {
            for (j, h) in headers.iter().enumerate() {
                let value = match self.var(i, j) {
                    Some(var) => Expr::Raw(format!("var.{var}")),
                    None => Expr::from(h.header_value.as_str()),
                };
                let (name, value_name) = if self.tenant {
                    ("header_name", "header_value")
                } else {
                    ("name", "value")
                };
                b.block("custom_header", &[], |hb| {
                    hb.attr(name, h.header_name.as_str());
                    hb.attr(value_name, value);
                });
            }
        }
        if let Some(s3) = &o.s3_origin_config {
            // The multi-tenant resource has no `s3_origin_config`: an origin with neither a
            // custom nor a VPC config gets an empty one from the provider, which is all it can
            // hold (no origin access identity: origin access control is how it reads S3).
            let oai = !s3.origin_access_identity.is_empty();
            if self.ordinary_only(&format!("{path}.S3OriginConfig.OriginAccessIdentity"), oai) {
                b.block("s3_origin_config", &[], |sb| {
                    sb.attr("origin_access_identity", s3.origin_access_identity.as_str());
                });
            }
            if s3.origin_read_timeout.is_some() {
                self.unsupported(&format!("{path}.S3OriginConfig.OriginReadTimeout"));
            }
        }
        if let Some(c) = &o.custom_origin_config {
            b.block("custom_origin_config", &[], |cb| {
                self.custom_origin(&path, c, cb)
            });
        }
        if let Some(v) = &o.vpc_origin_config {
            b.block("vpc_origin_config", &[], |vb| {
                vb.attr("vpc_origin_id", v.vpc_origin_id.as_str());
                vb.opt("owner_account_id", v.owner_account_id.as_deref());
                vb.opt("origin_read_timeout", v.origin_read_timeout);
                vb.opt("origin_keepalive_timeout", v.origin_keepalive_timeout);
            });
        }
        if let Some(s) = &o.origin_shield {
            b.block("origin_shield", &[], |sb| {
                sb.attr("enabled", s.enabled);
                sb.opt("origin_shield_region", s.origin_shield_region.as_deref());
            });
        }
    }

    fn custom_origin(&mut self, path: &str, c: &CustomOriginConfig, b: &mut Body) {
        b.attr("http_port", c.http_port);
        b.attr("https_port", c.https_port);
        b.attr("origin_protocol_policy", c.origin_protocol_policy.as_str());
        match &c.origin_ssl_protocols {
            Some(p) => b.list(
                "origin_ssl_protocols",
                p.iter().map(|x| Expr::from(x.as_str())),
            ),
            None => self.note(
                format!("{path}.CustomOriginConfig.OriginSslProtocols"),
                "absent, but required by Terraform; add origin_ssl_protocols before applying",
            ),
        }
        b.opt("origin_read_timeout", c.origin_read_timeout);
        b.opt("origin_keepalive_timeout", c.origin_keepalive_timeout);
        b.opt("ip_address_type", c.ip_address_type.map(|x| x.as_str()));
        if let Some(m) = &c.origin_mtls_config {
            b.block("origin_mtls_config", &[], |mb| {
                mb.attr("client_certificate_arn", m.client_certificate_arn.as_str())
            });
        }
    }

    fn var(&self, origin: usize, header: usize) -> Option<&str> {
        self.vars
            .iter()
            .find(|(o, h, _)| *o == origin && *h == header)
            .map(|(_, _, name)| name.as_str())
    }

    fn origin_group(&mut self, i: usize, g: &OriginGroup, b: &mut Body) {
        b.attr(if self.tenant { "id" } else { "origin_id" }, g.id.as_str());
        b.block("failover_criteria", &[], |f| {
            f.list(
                "status_codes",
                g.failover_criteria
                    .status_codes
                    .iter()
                    .map(|c| Expr::Num(i64::from(*c))),
            );
        });
        for m in &g.members {
            b.block("member", &[], |mb| {
                mb.attr("origin_id", m.origin_id.as_str())
            });
        }
        if g.selection_criteria.is_some() {
            self.unsupported(&format!("OriginGroups.Items[{i}].SelectionCriteria"));
        }
    }

    fn behavior(&mut self, beh: &BehaviorView<'_>, b: &mut Body) {
        b.opt("path_pattern", beh.path_pattern);
        b.attr("target_origin_id", beh.target_origin_id);
        b.attr(
            "viewer_protocol_policy",
            beh.viewer_protocol_policy.as_str(),
        );
        // Both method sets are required in Terraform; CloudFront's default for each is GET and
        // HEAD, which is what an absent member means in the API.
        let default_methods = [Method::GET, Method::HEAD];
        let allowed = beh.allowed_methods.map(|a| a.items.as_slice());
        let cached = beh
            .allowed_methods
            .and_then(|a| a.cached_methods.as_ref())
            .map(|c| c.items());
        let allowed = allowed
            .unwrap_or(&default_methods[..])
            .iter()
            .map(|m| Expr::from(m.as_str()));
        let cached = cached
            .unwrap_or(&default_methods[..])
            .iter()
            .map(|m| Expr::from(m.as_str()));
        // One block holds both sets in the multi-tenant resource, written after the attributes.
        let mut methods = Body::default();
        if self.tenant {
            methods.list("items", allowed);
            methods.list("cached_methods", cached);
        } else {
            b.list("allowed_methods", allowed);
            b.list("cached_methods", cached);
        }
        b.opt("compress", beh.compress);
        let path = beh.path.to_string();
        if self.ordinary_only(
            &format!("{path}.SmoothStreaming"),
            beh.smooth_streaming == Some(true),
        ) {
            b.opt("smooth_streaming", beh.smooth_streaming);
        }
        b.opt("cache_policy_id", non_empty(beh.cache_policy_id));
        b.opt(
            "origin_request_policy_id",
            non_empty(beh.origin_request_policy_id),
        );
        b.opt(
            "response_headers_policy_id",
            non_empty(beh.response_headers_policy_id),
        );
        b.opt(
            "realtime_log_config_arn",
            non_empty(beh.realtime_log_config_arn),
        );
        b.opt(
            "field_level_encryption_id",
            non_empty(beh.field_level_encryption_id),
        );
        let signers = beh.trusted_signer_ids(&mut self.notes);
        if self.ordinary_only(&format!("{path}.TrustedSigners"), !signers.is_empty()) {
            b.list("trusted_signers", signers.into_iter().map(Expr::Str));
        }
        let groups = beh.trusted_key_group_ids(&mut self.notes);
        let mut key_groups = None;
        if self.tenant {
            if !groups.is_empty() {
                let mut kb = Body::default();
                kb.attr("enabled", true);
                kb.list("items", groups.into_iter().map(Expr::Str));
                key_groups = Some(kb);
            }
        } else {
            b.list("trusted_key_groups", groups.into_iter().map(Expr::Str));
        }
        // Multi-tenant distributions take their TTLs and cache key from a cache policy only.
        let legacy = beh.min_ttl.is_some() || beh.default_ttl.is_some() || beh.max_ttl.is_some();
        if self.ordinary_only(&format!("{path}.MinTTL, DefaultTTL, MaxTTL"), legacy) {
            b.opt("min_ttl", beh.min_ttl);
            b.opt("default_ttl", beh.default_ttl);
            b.opt("max_ttl", beh.max_ttl);
        }
        if let Some(fv) = beh.forwarded_values
            && self.ordinary_only(&format!("{path}.ForwardedValues"), true)
        {
            b.block("forwarded_values", &[], |f| {
                f.attr("query_string", fv.query_string);
                if let Some(q) = &fv.query_string_cache_keys {
                    f.list(
                        "query_string_cache_keys",
                        q.iter().map(|s| Expr::from(s.as_str())),
                    );
                }
                if let Some(h) = &fv.headers {
                    f.list("headers", h.iter().map(|s| Expr::from(s.as_str())));
                }
                f.block("cookies", &[], |ck| {
                    ck.attr("forward", fv.cookies.forward.as_str());
                    if let Some(n) = &fv.cookies.whitelisted_names {
                        ck.list(
                            "whitelisted_names",
                            n.iter().map(|s| Expr::from(s.as_str())),
                        );
                    }
                });
            });
        }
        if self.tenant {
            b.push_block(Block {
                name: "allowed_methods".into(),
                labels: Vec::new(),
                body: methods,
            });
        }
        if let Some(body) = key_groups {
            b.push_block(Block {
                name: "trusted_key_groups".into(),
                labels: Vec::new(),
                body,
            });
        }
        if let Some(l) = beh.lambda_function_associations {
            for a in l {
                let arn = if self.tenant {
                    "lambda_function_arn"
                } else {
                    "lambda_arn"
                };
                b.block("lambda_function_association", &[], |lb| {
                    lb.attr("event_type", a.event_type.as_str());
                    lb.attr(arn, a.lambda_function_arn.as_str());
                    lb.opt("include_body", a.include_body);
                });
            }
        }
        if let Some(f) = beh.function_associations {
            for a in f {
                b.block("function_association", &[], |fb| {
                    fb.attr("event_type", a.event_type.as_str());
                    fb.attr("function_arn", a.function_arn.as_str());
                });
            }
        }
        if let Some(g) = beh.grpc_config
            && self.ordinary_only(&format!("{path}.GrpcConfig"), true)
        {
            b.block("grpc_config", &[], |gb| gb.attr("enabled", g.enabled));
        }
    }

    fn error_response(&mut self, i: usize, e: &CustomErrorResponse, b: &mut Body) {
        let path = format!("CustomErrorResponses.Items[{i}]");
        b.attr("error_code", e.error_code);
        if let Some(code) = &e.response_code
            && let Some(n) = response_code(&path, code, &mut self.notes)
        {
            // A string in the multi-tenant resource, a number in the ordinary one.
            if self.tenant {
                b.attr("response_code", n.to_string());
            } else {
                b.attr("response_code", i64::from(n));
            }
        }
        b.opt("response_page_path", e.response_page_path.as_deref());
        b.opt("error_caching_min_ttl", e.error_caching_min_ttl);
    }

    /// `logging_config` when logging is on; Terraform has no `enabled`: the block's presence
    /// turns logging on.
    fn logging(&mut self, l: &LoggingConfig, r: &mut Body) {
        let bucket = l.bucket.as_deref().filter(|b| !b.is_empty());
        if l.enabled == Some(false) {
            if bucket.is_some() {
                self.note(
                    "Logging.Bucket",
                    "logging is disabled, and Terraform cannot keep a bucket for disabled \
                     logging; left out",
                );
            }
            return;
        }
        let Some(bucket) = bucket else {
            self.note(
                "Logging",
                "enabled without a bucket, which Terraform requires; left out",
            );
            return;
        };
        r.block("logging_config", &[], |b| {
            b.attr("bucket", bucket);
            b.opt("include_cookies", l.include_cookies);
            b.opt("prefix", l.prefix.as_deref());
        });
    }

    fn viewer_certificate(&mut self, vc: &ViewerCertificate, b: &mut Body) {
        let custom = vc.acm_certificate_arn.is_some() || vc.iam_certificate_id.is_some();
        // `false` beside a custom certificate says nothing more; the provider wants one of the
        // three certificate arguments.
        if !(custom && vc.cloud_front_default_certificate == Some(false)) {
            b.opt(
                "cloudfront_default_certificate",
                vc.cloud_front_default_certificate,
            );
        }
        b.opt("acm_certificate_arn", vc.acm_certificate_arn.as_deref());
        if self.ordinary_only(
            "ViewerCertificate.IAMCertificateId",
            vc.iam_certificate_id.is_some(),
        ) {
            b.opt("iam_certificate_id", vc.iam_certificate_id.as_deref());
        }
        b.opt(
            "ssl_support_method",
            vc.ssl_support_method.map(|x| x.as_str()),
        );
        b.opt(
            "minimum_protocol_version",
            vc.minimum_protocol_version.map(|x| x.as_str()),
        );
        if vc.certificate.is_some() {
            self.note(
                "ViewerCertificate.Certificate",
                "deprecated API member, not a Terraform argument (the certificate arguments \
                 carry it); left out",
            );
        }
        if vc.certificate_source.is_some() {
            self.note(
                "ViewerCertificate.CertificateSource",
                "deprecated API member, not a Terraform argument (CloudFront derives it from \
                 the certificate arguments); left out",
            );
        }
    }
}

/// `tenant_config`: each parameter a distribution tenant fills in, with its string schema.
fn tenant_config(t: &crate::shapes::TenantConfig, b: &mut Body) {
    for p in t.parameter_definitions.iter().flatten() {
        b.block("parameter_definition", &[], |pb| {
            pb.attr("name", p.name.as_str());
            pb.block("definition", &[], |db| {
                if let Some(s) = &p.definition.string_schema {
                    db.block("string_schema", &[], |sb| {
                        sb.attr("required", s.required);
                        sb.opt("comment", s.comment.as_deref());
                        sb.opt("default_value", s.default_value.as_deref());
                    });
                }
            });
        });
    }
}

/// Optional ids and ARNs written as `""` in the API mean "none"; the provider validates ARNs,
/// so an empty one is left out rather than written.
fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// An HCL expression, as far as this exporter needs them.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Str(String),
    Num(i64),
    Bool(bool),
    List(Vec<Expr>),
    /// Written as is: a reference (`var.x`) or a type keyword (`string`).
    Raw(String),
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::Str(s.to_string())
    }
}
impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::Str(s)
    }
}
impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Bool(b)
    }
}
impl From<i32> for Expr {
    fn from(n: i32) -> Self {
        Expr::Num(i64::from(n))
    }
}
impl From<i64> for Expr {
    fn from(n: i64) -> Self {
        Expr::Num(n)
    }
}

impl Expr {
    fn render(&self, out: &mut String) {
        match self {
            Expr::Str(s) => quote(s, out),
            Expr::Num(n) => out.push_str(&n.to_string()),
            Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Expr::Raw(s) => out.push_str(s),
            Expr::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.render(out);
                }
                out.push(']');
            }
        }
    }
}

/// Writes `s` as an HCL quoted string. Besides the JSON-like escapes, Terraform reads `${` and
/// `%{` as the start of an interpolation or directive; doubling the sigil (`$${`, `%%{`) writes
/// them literally.
fn quote(s: &str, out: &mut String) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An HCL body: attributes and blocks in order.
#[derive(Debug, Default)]
struct Body {
    items: Vec<Item>,
}

#[derive(Debug)]
enum Item {
    Attr(String, Expr),
    Block(Block),
}

#[derive(Debug)]
struct Block {
    name: String,
    labels: Vec<String>,
    body: Body,
}

impl Body {
    fn attr(&mut self, name: &str, value: impl Into<Expr>) {
        self.items.push(Item::Attr(name.to_string(), value.into()));
    }

    fn opt<T: Into<Expr>>(&mut self, name: &str, value: Option<T>) {
        if let Some(v) = value {
            self.attr(name, v);
        }
    }

    /// A list attribute, left out when empty (an empty list and an absent one mean the same to
    /// the provider for every list written here).
    fn list(&mut self, name: &str, items: impl IntoIterator<Item = Expr>) {
        let items: Vec<Expr> = items.into_iter().collect();
        if !items.is_empty() {
            self.attr(name, Expr::List(items));
        }
    }

    fn block(&mut self, name: &str, labels: &[&str], fill: impl FnOnce(&mut Body)) {
        let mut body = Body::default();
        fill(&mut body);
        self.push_block(Block {
            name: name.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            body,
        });
    }

    fn push_block(&mut self, block: Block) {
        self.items.push(Item::Block(block));
    }

    /// Renders the body at `depth` (two spaces per level). Consecutive attributes have their `=`
    /// aligned and blocks are set off by a blank line, as `terraform fmt` leaves them.
    fn render(&self, depth: usize, out: &mut String) {
        let indent = "  ".repeat(depth);
        let mut i = 0;
        while i < self.items.len() {
            match &self.items[i] {
                Item::Attr(..) => {
                    let run_end = self.items[i..]
                        .iter()
                        .position(|it| matches!(it, Item::Block(_)))
                        .map_or(self.items.len(), |p| i + p);
                    let width = self.items[i..run_end]
                        .iter()
                        .map(|it| match it {
                            Item::Attr(name, _) => name.len(),
                            Item::Block(_) => 0,
                        })
                        .max()
                        .unwrap_or(0);
                    for it in &self.items[i..run_end] {
                        if let Item::Attr(name, value) = it {
                            out.push_str(&indent);
                            out.push_str(&format!("{name:<width$} = "));
                            value.render(out);
                            out.push('\n');
                        }
                    }
                    i = run_end;
                }
                Item::Block(b) => {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&indent);
                    out.push_str(&b.name);
                    for label in &b.labels {
                        out.push(' ');
                        quote(label, out);
                    }
                    out.push_str(" {\n");
                    b.body.render(depth + 1, out);
                    out.push_str(&indent);
                    out.push_str("}\n");
                    i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{sample, with_secrets};
    use super::super::{ExportFormat, ExportOptions, export};
    use super::*;

    fn tf(opts: &ExportOptions) -> Export {
        export(&sample(), ExportFormat::Terraform, opts).expect("exports")
    }

    #[test]
    fn escapes_strings_and_template_sequences() {
        let cases = [
            ("plain", r#""plain""#),
            (r#"say "hi""#, r#""say \"hi\"""#),
            (r"C:\dir", r#""C:\\dir""#),
            ("a\nb\tc", r#""a\nb\tc""#),
            ("${var.x} and %{ if }", r#""$${var.x} and %%{ if }""#),
            ("$5 and 100%", r#""$5 and 100%""#),
            ("{{tenantName}}", r#""{{tenantName}}""#),
            ("bell\u{7}", r#""bell\u0007""#),
        ];
        for (input, want) in cases {
            let mut out = String::new();
            quote(input, &mut out);
            assert_eq!(out, want, "quoting {input:?}");
        }
    }

    #[test]
    fn writes_the_resource_with_aligned_attributes() {
        let out = tf(&with_secrets());
        let t = &out.text;
        assert!(
            t.starts_with("resource \"aws_cloudfront_distribution\" \"distribution\" {\n"),
            "{t}"
        );
        assert!(
            t.contains("  comment             = \"Shop \\\"main\\\" $${env}\"\n"),
            "{t}"
        );
        assert!(t.contains("  is_ipv6_enabled     = true\n"), "{t}");
        assert!(
            t.contains("  aliases             = [\"shop.example.com\", \"www.example.com\"]\n"),
            "{t}"
        );
        assert!(
            t.contains(
                "    custom_origin_config {\n      http_port                = 80\n      \
                 https_port               = 443\n      \
                 origin_protocol_policy   = \"https-only\"\n      \
                 origin_ssl_protocols     = [\"TLSv1.2\"]\n"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "    custom_header \
                    {\n      name  = \"X-Origin-Verify\"\n      value = \"s3cr3t\"\n    }\n"
            ),
            "{t}"
        );
        assert!(t.contains("origin_access_control_id = \"E2OAC\""), "{t}");
        assert!(!t.contains("web_acl_id"), "empty WebACLId left out: {t}");
    }

    #[test]
    fn maps_behaviors_errors_logging_and_certificates() {
        let t = tf(&with_secrets()).text;
        let ordered = t
            .split("ordered_cache_behavior {")
            .nth(1)
            .expect("ordered behavior");
        assert!(
            ordered.contains("path_pattern           = \"/api/*\""),
            "{ordered}"
        );
        // Absent methods get CloudFront's default, which Terraform needs written out.
        assert!(
            ordered.contains("allowed_methods        = [\"GET\", \"HEAD\"]"),
            "{ordered}"
        );
        assert!(
            ordered.contains(
                "cookies \
                    {\n        forward           = \"whitelist\"\n        whitelisted_names = \
                        [\"sid\"]\n"
            ),
            "{ordered}"
        );
        assert!(
            ordered.contains(
                "lambda_function_association {\n      event_type   = \"origin-request\"\n      \
                 lambda_arn   = \"arn:aws:lambda:us-east-1:123456789012:function:f:1\"\n      \
                 include_body = true\n"
            ),
            "{ordered}"
        );
        assert!(
            t.contains(
                "  custom_error_response {\n    error_code            = 404\n    \
                 response_code         = 200\n"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "  logging_config {\n    bucket          = \"logs.s3.amazonaws.com\"\n    \
                 include_cookies = false\n    prefix          = \"shop/\"\n  }\n"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "  restrictions {\n    geo_restriction {\n      \
                 restriction_type = \"whitelist\"\n      locations        = [\"US\", \"CA\"]\n"
            ),
            "{t}"
        );
        let cert = t.split("viewer_certificate {").nth(1).unwrap();
        assert!(!cert.contains("cloudfront_default_certificate"), "{cert}");
        assert!(
            cert.contains("ssl_support_method       = \"sni-only\""),
            "{cert}"
        );
    }

    #[test]
    fn secrets_become_sensitive_variables() {
        let out = tf(&ExportOptions::default());
        assert!(!out.text.contains("s3cr3t"), "{}", out.text);
        assert!(
            out.text
                .starts_with("variable \"origin_header_api_x_origin_verify\" {\n  description = "),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains("  type        = string\n  sensitive   = true\n")
        );
        assert!(
            out.text
                .contains("value = var.origin_header_api_x_origin_verify\n")
        );
        assert_eq!(
            out.redacted,
            ["Origins.Items[1].CustomHeaders.Items[0].HeaderValue"]
        );
    }

    #[test]
    fn defaults_for_required_blocks_and_notes_for_unsupported_members() {
        let text = r#"{"CallerReference": "r", "Comment": "", "Enabled": false,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
                "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                    "OriginProtocolPolicy": "http-only"}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
            "OriginGroups": {"Quantity": 1, "Items": [{"Id": "g",
                "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [503]}},
                "Members": {"Quantity": 2, "Items": [{"OriginId": "o"}, {"OriginId": "o"}]},
                "SelectionCriteria": "media-quality-based"}]},
            "CacheTagConfig": {"HeaderName": "x-tag"}}"#;
        let doc = Document::from_json(text).unwrap();
        let out =
            export(&doc, ExportFormat::Terraform, &ExportOptions::default()).expect("exports");
        assert!(
            out.text.contains("restriction_type = \"none\""),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("cloudfront_default_certificate = true"),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains("  cache_tag_config {\n    header_name = \"x-tag\"\n  }\n"),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains("failover_criteria {\n      status_codes = [503]\n    }"),
            "{}",
            out.text
        );
        for path in [
            "CallerReference:",
            "OriginGroups.Items[0].SelectionCriteria:",
            "Origins.Items[0].CustomOriginConfig.OriginSslProtocols:",
        ] {
            assert!(
                out.notes.iter().any(|n| n.starts_with(path)),
                "no note for {path}: {:?}",
                out.notes
            );
        }
    }

    #[test]
    fn maps_mtls_and_connection_functions() {
        let text = super::super::tests::SAMPLE
            .replace(
                r#""OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5}"#,
                r#""OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5,
                   "OriginMtlsConfig": {
                       "ClientCertificateArn": "arn:aws:acm:us-east-1:1:certificate/c"}}"#,
            )
            .replace(
                r#""IsIPV6Enabled": true"#,
                r#""IsIPV6Enabled": true,
                   "ViewerMtlsConfig": {"Mode": "required", "TrustStoreConfig": {
                       "TrustStoreId": "ts-1", "AdvertiseTrustStoreCaNames": true}},
                   "ConnectionFunctionAssociation": {"Id": "cf-1"}"#,
            );
        let doc = Document::from_json(&text).unwrap();
        let out =
            export(&doc, ExportFormat::Terraform, &ExportOptions::default()).expect("exports");
        let t = &out.text;
        assert!(
            t.contains(
                "      origin_mtls_config {\n        \
                 client_certificate_arn = \"arn:aws:acm:us-east-1:1:certificate/c\"\n      }\n"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "  viewer_mtls_config {\n    mode = \"required\"\n\n    \
                 trust_store_config {\n      trust_store_id                 = \"ts-1\"\n      \
                 advertise_trust_store_ca_names = true\n"
            ),
            "{t}"
        );
        assert!(
            t.contains("  connection_function_association {\n    id = \"cf-1\"\n  }\n"),
            "{t}"
        );
        assert!(
            !out.notes
                .iter()
                .any(|n| n.contains("Mtls") || n.contains("Connection")),
            "{:?}",
            out.notes
        );
    }

    /// A multi-tenant distribution is the provider's `aws_cloudfront_multitenant_distribution`,
    /// with that resource's names; written as `aws_cloudfront_distribution` it would create an
    /// ordinary distribution.
    #[test]
    fn a_multi_tenant_distribution_is_the_multitenant_resource() {
        let base = super::super::tests::SAMPLE;
        for member in [
            r#""ConnectionMode": "tenant-only""#,
            r#""ConnectionMode": "tenant-only", "TenantConfig": {"ParameterDefinitions": [
                {"Name": "tenantName", "Definition": {"StringSchema": {"Required": true,
                 "Comment": "the tenant", "DefaultValue": "root"}}}]}"#,
            r#""TenantConfig": {}"#,
        ] {
            let text = base.replacen(
                r#""IsIPV6Enabled": true"#,
                &format!(r#""IsIPV6Enabled": true, {member}"#),
                1,
            );
            assert_ne!(text, base);
            let doc = Document::from_json(&text).unwrap();
            let out =
                export(&doc, ExportFormat::Terraform, &ExportOptions::default()).expect(member);
            let t = &out.text;
            assert!(
                t.contains("resource \"aws_cloudfront_multitenant_distribution\" \"distribution\""),
                "{t}"
            );
            assert!(!t.contains("aws_cloudfront_distribution\""), "{t}");
            // The multi-tenant resource's own names.
            let lines = |start: &str| {
                t.lines()
                    .filter(|l| l.trim_start().starts_with(start))
                    .count()
            };
            assert_eq!(
                lines("origin_id "),
                lines("member {"),
                "only a group's members name an origin by `origin_id`: {t}"
            );
            assert!(t.contains("    id "), "origins are named by `id`: {t}");
            assert!(!t.contains("ordered_cache_behavior"), "{t}");
            assert!(t.contains("cache_behavior {"), "{t}");
            assert!(
                t.contains("allowed_methods {\n"),
                "one block with both sets: {t}"
            );
            assert!(!t.contains("is_ipv6_enabled"), "{t}");
            assert!(
                out.notes.iter().any(|n| n.starts_with(
                    "IsIPV6Enabled: not an argument of the \
                                           aws_cloudfront_multitenant_distribution"
                )),
                "{:?}",
                out.notes
            );
            assert!(
                !t.contains("connection_mode"),
                "computed by the provider: {t}"
            );
            if member.contains("tenantName") {
                assert!(
                    t.contains(
                        "  tenant_config {\n    parameter_definition {\n      name = \
                         \"tenantName\"\n\n      definition {\n        string_schema {\n          \
                         required      = true\n          comment       = \"the tenant\"\n          \
                         default_value = \"root\"\n"
                    ),
                    "{t}"
                );
            }
        }
        // A direct distribution exports as before.
        let doc = Document::from_json(&base.replacen(
            r#""IsIPV6Enabled": true"#,
            r#""IsIPV6Enabled": true, "ConnectionMode": "direct""#,
            1,
        ))
        .unwrap();
        assert_eq!(doc.config.connection_mode, Some(ConnectionMode::Direct));
        let out =
            export(&doc, ExportFormat::Terraform, &ExportOptions::default()).expect("exports");
        assert!(
            out.text
                .contains("resource \"aws_cloudfront_distribution\"")
        );
        assert!(out.text.contains("ordered_cache_behavior {"));
    }

    #[test]
    fn resource_labels_are_snake_case_identifiers() {
        assert_eq!(resource_label("Distribution"), "distribution");
        assert_eq!(resource_label("MyShopCdn"), "my_shop_cdn");
        assert_eq!(resource_label("shop-cdn 2"), "shop_cdn_2");
        assert_eq!(resource_label("1st"), "distribution1st");
        assert_eq!(resource_label("--"), "distribution");
    }
}
