//! The CloudFormation exporter: a JSON template with one `AWS::CloudFront::Distribution`.
//!
//! CloudFormation spells the same configuration differently from the API: plain arrays instead
//! of `{"Quantity", "Items"}` (except in origin groups), `OriginCustomHeaders`, `IPV6Enabled`,
//! `AcmCertificateArn`/`SslSupportMethod`, numeric `ResponseCode`, and `Logging` without
//! `Enabled`. The names follow the resource schema that cfn-lint ships
//! (`aws-cloudfront-distribution.json`); members the schema lacks are reported as notes.

use serde_json::{Map, Value, json};

use super::{Export, ExportOptions, Secret, UniqueNames, response_code, secrets, words};
use crate::behavior::BehaviorView;
use crate::document::{Document, to_value};
use crate::shapes::{
    CustomErrorResponse, DistributionConfig, LoggingConfig, Origin, OriginGroup, ViewerCertificate,
};

const RESOURCE_TYPE: &str = "AWS::CloudFront::Distribution";

pub(super) fn export(doc: &Document, opts: &ExportOptions) -> Export {
    let mut cx = Cx::new(&doc.config, opts);
    let config = cx.distribution_config(&doc.config);

    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
    template.insert("Description".into(), description(doc).into());
    if !cx.parameters.is_empty() {
        template.insert(
            "Parameters".into(),
            Value::Object(std::mem::take(&mut cx.parameters)),
        );
    }
    let logical_id = logical_id(&opts.resource_name);
    template.insert(
        "Resources".into(),
        json!({ logical_id: {
            "Type": RESOURCE_TYPE,
            "Properties": { "DistributionConfig": config }
        } }),
    );
    let mut text = serde_json::to_string_pretty(&Value::Object(template))
        .expect("a JSON value always serializes");
    text.push('\n');
    Export {
        text,
        redacted: cx.redacted,
        notes: cx.notes,
    }
}

fn description(doc: &Document) -> String {
    let mut d = "CloudFront distribution exported by cfconsole".to_string();
    if let Some(id) = doc.id() {
        d.push_str(&format!(" from {id}"));
    }
    if !doc.config.comment.is_empty() {
        d.push_str(&format!(": {}", doc.config.comment));
    }
    // CloudFormation caps the description at 1024 bytes; cut on a character boundary.
    if d.len() > 1024 {
        let mut end = 1024;
        while !d.is_char_boundary(end) {
            end -= 1;
        }
        d.truncate(end);
    }
    d
}

/// A logical id is alphanumeric only; anything else in the requested name is dropped.
fn logical_id(name: &str) -> String {
    let id: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    if id.is_empty() {
        "Distribution".to_string()
    } else {
        id
    }
}

/// The state of one export: notes, withheld paths, and the parameters that stand in for them.
struct Cx {
    notes: Vec<String>,
    redacted: Vec<String>,
    parameters: Map<String, Value>,
    /// Parameter name per secret, by `(origin, header)`; empty when secrets are written out.
    refs: Vec<(usize, usize, String)>,
}

impl Cx {
    fn new(config: &DistributionConfig, opts: &ExportOptions) -> Self {
        let mut cx = Self {
            notes: Vec::new(),
            redacted: Vec::new(),
            parameters: Map::new(),
            refs: Vec::new(),
        };
        if !opts.include_secrets {
            let mut names = UniqueNames::default();
            // The logical id must not collide with a parameter name.
            names.claim(logical_id(&opts.resource_name), "");
            for secret in secrets(config) {
                let name = names.claim(parameter_name(&secret), "");
                cx.parameters.insert(
                    name.clone(),
                    json!({
                        "Type": "String",
                        "NoEcho": true,
                        "Description": format!(
                            "Value of the {} header that CloudFront sends to origin {} ({})",
                            secret.header_name, secret.origin_id, secret.path
                        ),
                    }),
                );
                cx.redacted.push(secret.path.clone());
                cx.refs.push((secret.origin, secret.header, name));
            }
        }
        cx
    }

    fn note(&mut self, path: impl std::fmt::Display, why: &str) {
        self.notes.push(format!("{path}: {why}"));
    }

    fn distribution_config(&mut self, c: &DistributionConfig) -> Value {
        let mut m = Map::new();
        self.note(
            "CallerReference",
            "not a CloudFormation property (CloudFormation generates its own); left out",
        );
        put(&mut m, "Comment", c.comment.as_str());
        put(&mut m, "Enabled", c.enabled);
        if let Some(aliases) = &c.aliases {
            put_array(&mut m, "Aliases", aliases.iter().map(|a| a.as_str().into()));
        }
        put_opt(
            &mut m,
            "DefaultRootObject",
            c.default_root_object.as_deref(),
        );
        let origins: Vec<Value> = c
            .origins
            .iter()
            .enumerate()
            .map(|(i, o)| self.origin(i, o))
            .collect();
        m.insert("Origins".into(), Value::Array(origins));
        if let Some(groups) = &c.origin_groups
            && !groups.is_empty()
        {
            let items: Vec<Value> = groups.iter().map(origin_group).collect();
            m.insert(
                "OriginGroups".into(),
                json!({ "Quantity": items.len(), "Items": items }),
            );
        }
        let behaviors = BehaviorView::all(c);
        let mut behaviors = behaviors.iter();
        if let Some(default) = behaviors.next() {
            let v = self.behavior(default);
            m.insert("DefaultCacheBehavior".into(), v);
        }
        let ordered: Vec<Value> = behaviors.map(|b| self.behavior(b)).collect();
        put_array(&mut m, "CacheBehaviors", ordered);
        if let Some(errors) = &c.custom_error_responses {
            let items: Vec<Value> = errors
                .iter()
                .enumerate()
                .map(|(i, e)| self.error_response(i, e))
                .collect();
            put_array(&mut m, "CustomErrorResponses", items);
        }
        if let Some(logging) = &c.logging
            && let Some(v) = self.logging(logging)
        {
            m.insert("Logging".into(), v);
        }
        put_opt(&mut m, "PriceClass", c.price_class.map(|p| p.as_str()));
        if let Some(vc) = &c.viewer_certificate {
            let v = self.viewer_certificate(vc);
            m.insert("ViewerCertificate".into(), v);
        }
        if let Some(r) = &c.restrictions {
            let g = &r.geo_restriction;
            let mut geo = Map::new();
            put(&mut geo, "RestrictionType", g.restriction_type.as_str());
            put_array(
                &mut geo,
                "Locations",
                g.items.iter().flatten().map(|l| l.as_str().into()),
            );
            m.insert("Restrictions".into(), json!({ "GeoRestriction": geo }));
        }
        put_opt(&mut m, "WebACLId", c.web_acl_id.as_deref());
        put_opt(&mut m, "HttpVersion", c.http_version.map(|h| h.as_str()));
        put_opt(&mut m, "IPV6Enabled", c.is_ipv6_enabled);
        put_opt(
            &mut m,
            "ContinuousDeploymentPolicyId",
            c.continuous_deployment_policy_id.as_deref(),
        );
        put_opt(&mut m, "Staging", c.staging);
        put_opt(&mut m, "AnycastIpListId", c.anycast_ip_list_id.as_deref());
        // These four have the API's shape member for member in the resource schema.
        if let Some(t) = &c.tenant_config {
            m.insert("TenantConfig".into(), to_value(t));
        }
        put_opt(
            &mut m,
            "ConnectionMode",
            c.connection_mode.map(|x| x.as_str()),
        );
        if let Some(v) = &c.viewer_mtls_config {
            m.insert("ViewerMtlsConfig".into(), to_value(v));
        }
        if let Some(v) = &c.connection_function_association {
            m.insert("ConnectionFunctionAssociation".into(), to_value(v));
        }
        if let Some(v) = &c.cache_tag_config {
            m.insert("CacheTagConfig".into(), to_value(v));
        }
        Value::Object(m)
    }

    fn origin(&mut self, i: usize, o: &Origin) -> Value {
        let mut m = Map::new();
        put(&mut m, "Id", o.id.as_str());
        put(&mut m, "DomainName", o.domain_name.as_str());
        put_opt(&mut m, "OriginPath", o.origin_path.as_deref());
        put_opt(&mut m, "ConnectionAttempts", o.connection_attempts);
        put_opt(&mut m, "ConnectionTimeout", o.connection_timeout);
        put_opt(
            &mut m,
            "ResponseCompletionTimeout",
            o.response_completion_timeout,
        );
        put_opt(
            &mut m,
            "OriginAccessControlId",
            o.origin_access_control_id.as_deref(),
        );
        if let Some(headers) = &o.custom_headers {
            let items: Vec<Value> = headers
                .iter()
                .enumerate()
                .map(|(j, h)| {
                    let value = match self.secret_ref(i, j) {
                        Some(name) => json!({ "Ref": name }),
                        None => Value::from(h.header_value.as_str()),
                    };
                    json!({ "HeaderName": h.header_name, "HeaderValue": value })
                })
                .collect();
            put_array(&mut m, "OriginCustomHeaders", items);
        }
        if let Some(s3) = &o.s3_origin_config {
            // Same members as the API (OriginAccessIdentity, OriginReadTimeout).
            m.insert("S3OriginConfig".into(), to_value(s3));
        }
        if let Some(c) = &o.custom_origin_config {
            let mut cm = Map::new();
            put(&mut cm, "HTTPPort", c.http_port);
            put(&mut cm, "HTTPSPort", c.https_port);
            put(
                &mut cm,
                "OriginProtocolPolicy",
                c.origin_protocol_policy.as_str(),
            );
            if let Some(p) = &c.origin_ssl_protocols {
                put_array(
                    &mut cm,
                    "OriginSSLProtocols",
                    p.iter().map(|x| x.as_str().into()),
                );
            }
            put_opt(&mut cm, "OriginReadTimeout", c.origin_read_timeout);
            put_opt(
                &mut cm,
                "OriginKeepaliveTimeout",
                c.origin_keepalive_timeout,
            );
            put_opt(
                &mut cm,
                "IpAddressType",
                c.ip_address_type.map(|x| x.as_str()),
            );
            if let Some(mtls) = &c.origin_mtls_config {
                cm.insert("OriginMtlsConfig".into(), to_value(mtls));
            }
            m.insert("CustomOriginConfig".into(), Value::Object(cm));
        }
        if let Some(v) = &o.vpc_origin_config {
            m.insert("VpcOriginConfig".into(), to_value(v));
        }
        if let Some(v) = &o.origin_shield {
            m.insert("OriginShield".into(), to_value(v));
        }
        Value::Object(m)
    }

    fn secret_ref(&self, origin: usize, header: usize) -> Option<&str> {
        self.refs
            .iter()
            .find(|(o, h, _)| *o == origin && *h == header)
            .map(|(_, _, name)| name.as_str())
    }

    fn behavior(&mut self, b: &BehaviorView<'_>) -> Value {
        let mut m = Map::new();
        put_opt(&mut m, "PathPattern", b.path_pattern);
        put(&mut m, "TargetOriginId", b.target_origin_id);
        put(
            &mut m,
            "ViewerProtocolPolicy",
            b.viewer_protocol_policy.as_str(),
        );
        if let Some(am) = b.allowed_methods {
            put_array(
                &mut m,
                "AllowedMethods",
                am.items.iter().map(|x| x.as_str().into()),
            );
            if let Some(cached) = &am.cached_methods {
                put_array(
                    &mut m,
                    "CachedMethods",
                    cached.iter().map(|x| x.as_str().into()),
                );
            }
        }
        put_opt(&mut m, "Compress", b.compress);
        put_opt(&mut m, "SmoothStreaming", b.smooth_streaming);
        put_opt(&mut m, "CachePolicyId", b.cache_policy_id);
        put_opt(&mut m, "OriginRequestPolicyId", b.origin_request_policy_id);
        put_opt(
            &mut m,
            "ResponseHeadersPolicyId",
            b.response_headers_policy_id,
        );
        put_opt(&mut m, "RealtimeLogConfigArn", b.realtime_log_config_arn);
        put_opt(
            &mut m,
            "FieldLevelEncryptionId",
            b.field_level_encryption_id,
        );
        let signers = b.trusted_signer_ids(&mut self.notes);
        put_array(
            &mut m,
            "TrustedSigners",
            signers.into_iter().map(Value::from),
        );
        let groups = b.trusted_key_group_ids(&mut self.notes);
        put_array(
            &mut m,
            "TrustedKeyGroups",
            groups.into_iter().map(Value::from),
        );
        if let Some(l) = b.lambda_function_associations {
            put_array(
                &mut m,
                "LambdaFunctionAssociations",
                l.iter().map(|a| {
                    let mut x = Map::new();
                    put(&mut x, "EventType", a.event_type.as_str());
                    put(&mut x, "LambdaFunctionARN", a.lambda_function_arn.as_str());
                    put_opt(&mut x, "IncludeBody", a.include_body);
                    Value::Object(x)
                }),
            );
        }
        if let Some(f) = b.function_associations {
            put_array(
                &mut m,
                "FunctionAssociations",
                f.iter().map(|a| {
                    json!({ "EventType": a.event_type.as_str(), "FunctionARN": a.function_arn })
                }),
            );
        }
        if let Some(g) = b.grpc_config {
            m.insert("GrpcConfig".into(), to_value(g));
        }
        if let Some(fv) = b.forwarded_values {
            let mut x = Map::new();
            put(&mut x, "QueryString", fv.query_string);
            let mut cookies = Map::new();
            put(&mut cookies, "Forward", fv.cookies.forward.as_str());
            if let Some(names) = &fv.cookies.whitelisted_names {
                put_array(
                    &mut cookies,
                    "WhitelistedNames",
                    names.iter().map(|n| n.as_str().into()),
                );
            }
            x.insert("Cookies".into(), Value::Object(cookies));
            if let Some(h) = &fv.headers {
                put_array(&mut x, "Headers", h.iter().map(|n| n.as_str().into()));
            }
            if let Some(q) = &fv.query_string_cache_keys {
                put_array(
                    &mut x,
                    "QueryStringCacheKeys",
                    q.iter().map(|n| n.as_str().into()),
                );
            }
            m.insert("ForwardedValues".into(), Value::Object(x));
        }
        put_opt(&mut m, "MinTTL", b.min_ttl);
        put_opt(&mut m, "DefaultTTL", b.default_ttl);
        put_opt(&mut m, "MaxTTL", b.max_ttl);
        Value::Object(m)
    }

    fn error_response(&mut self, i: usize, e: &CustomErrorResponse) -> Value {
        let path = format!("CustomErrorResponses.Items[{i}]");
        let mut m = Map::new();
        put(&mut m, "ErrorCode", e.error_code);
        put_opt(&mut m, "ResponsePagePath", e.response_page_path.as_deref());
        if let Some(code) = &e.response_code
            && let Some(n) = response_code(&path, code, &mut self.notes)
        {
            put(&mut m, "ResponseCode", n);
        }
        put_opt(&mut m, "ErrorCachingMinTTL", e.error_caching_min_ttl);
        Value::Object(m)
    }

    /// `Logging` when logging is on; CloudFormation has no `Enabled`: the property's presence
    /// turns logging on.
    fn logging(&mut self, l: &LoggingConfig) -> Option<Value> {
        if l.enabled == Some(false) {
            if l.bucket.as_deref().is_some_and(|b| !b.is_empty()) {
                self.note(
                    "Logging.Bucket",
                    "logging is disabled, and CloudFormation cannot keep a bucket for disabled \
                     logging; left out",
                );
            }
            return None;
        }
        let mut m = Map::new();
        put_opt(&mut m, "Bucket", l.bucket.as_deref());
        put_opt(&mut m, "IncludeCookies", l.include_cookies);
        put_opt(&mut m, "Prefix", l.prefix.as_deref());
        Some(Value::Object(m))
    }

    fn viewer_certificate(&mut self, vc: &ViewerCertificate) -> Value {
        let mut m = Map::new();
        let custom = vc.acm_certificate_arn.is_some() || vc.iam_certificate_id.is_some();
        // The schema wants exactly one of the three certificate members; `false` beside a custom
        // certificate says nothing more, so it is dropped rather than rejected.
        if !(custom && vc.cloud_front_default_certificate == Some(false)) {
            put_opt(
                &mut m,
                "CloudFrontDefaultCertificate",
                vc.cloud_front_default_certificate,
            );
        }
        put_opt(
            &mut m,
            "AcmCertificateArn",
            vc.acm_certificate_arn.as_deref(),
        );
        put_opt(&mut m, "IamCertificateId", vc.iam_certificate_id.as_deref());
        put_opt(
            &mut m,
            "SslSupportMethod",
            vc.ssl_support_method.map(|x| x.as_str()),
        );
        put_opt(
            &mut m,
            "MinimumProtocolVersion",
            vc.minimum_protocol_version.map(|x| x.as_str()),
        );
        if vc.certificate.is_some() {
            self.note(
                "ViewerCertificate.Certificate",
                "deprecated API member, not a CloudFormation property (the certificate members \
                 above carry it); left out",
            );
        }
        if vc.certificate_source.is_some() {
            self.note(
                "ViewerCertificate.CertificateSource",
                "deprecated API member, not a CloudFormation property (CloudFront derives it \
                 from the certificate members); left out",
            );
        }
        Value::Object(m)
    }
}

fn origin_group(g: &OriginGroup) -> Value {
    let codes: Vec<i32> = g.failover_criteria.status_codes.iter().copied().collect();
    let members: Vec<Value> = g
        .members
        .iter()
        .map(|m| json!({ "OriginId": m.origin_id }))
        .collect();
    let mut m = Map::new();
    put(&mut m, "Id", g.id.as_str());
    // Origin groups keep the API's Quantity/Items lists in CloudFormation.
    m.insert(
        "FailoverCriteria".into(),
        json!({ "StatusCodes": { "Quantity": codes.len(), "Items": codes } }),
    );
    m.insert(
        "Members".into(),
        json!({ "Quantity": members.len(), "Items": members }),
    );
    put_opt(
        &mut m,
        "SelectionCriteria",
        g.selection_criteria.map(|x| x.as_str()),
    );
    Value::Object(m)
}

/// `OriginHeader` + the origin id and header name in PascalCase: parameter names are
/// alphanumeric only.
fn parameter_name(s: &Secret) -> String {
    let mut name = "OriginHeader".to_string();
    for w in words(&s.origin_id).iter().chain(&words(&s.header_name)) {
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars);
        }
    }
    name
}

fn put(m: &mut Map<String, Value>, key: &str, v: impl Into<Value>) {
    m.insert(key.to_string(), v.into());
}

fn put_opt<T: Into<Value>>(m: &mut Map<String, Value>, key: &str, v: Option<T>) {
    if let Some(v) = v {
        m.insert(key.to_string(), v.into());
    }
}

/// An array property, left out when empty: an empty list and an absent one mean the same to
/// CloudFront, and the template reads better without `[]`s.
fn put_array(m: &mut Map<String, Value>, key: &str, items: impl IntoIterator<Item = Value>) {
    let items: Vec<Value> = items.into_iter().collect();
    if !items.is_empty() {
        m.insert(key.to_string(), Value::Array(items));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{sample, with_secrets};
    use super::super::{ExportFormat, ExportOptions, export};
    use serde_json::{Value, json};

    fn template(opts: &ExportOptions) -> (Value, super::Export) {
        let out = export(&sample(), ExportFormat::CloudFormation, opts).expect("exports");
        let v: Value = serde_json::from_str(&out.text).expect("template is JSON");
        (v, out)
    }

    fn config(v: &Value) -> &Value {
        &v["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    }

    #[test]
    fn template_skeleton() {
        let (v, _) = template(&ExportOptions::default());
        assert_eq!(v["AWSTemplateFormatVersion"], "2010-09-09");
        assert_eq!(
            v["Resources"]["Distribution"]["Type"],
            "AWS::CloudFront::Distribution"
        );
        assert!(v["Description"].as_str().unwrap().contains("Shop \"main\""));
    }

    #[test]
    fn lists_become_arrays_and_names_follow_the_schema() {
        let (v, out) = template(&with_secrets());
        let c = config(&v);
        assert_eq!(c["Aliases"], json!(["shop.example.com", "www.example.com"]));
        assert_eq!(c["IPV6Enabled"], true);
        assert!(c.get("IsIPV6Enabled").is_none());
        assert_eq!(c["HttpVersion"], "http2and3");
        assert_eq!(
            c["Origins"][1]["CustomOriginConfig"],
            json!({"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                   "OriginSSLProtocols": ["TLSv1.2"], "OriginReadTimeout": 30,
                   "OriginKeepaliveTimeout": 5})
        );
        assert_eq!(
            c["Origins"][1]["OriginCustomHeaders"],
            json!([{"HeaderName": "X-Origin-Verify", "HeaderValue": "s3cr3t"}])
        );
        assert_eq!(c["Origins"][0]["OriginAccessControlId"], "E2OAC");
        assert_eq!(
            c["DefaultCacheBehavior"]["AllowedMethods"],
            json!(["GET", "HEAD"])
        );
        assert_eq!(
            c["DefaultCacheBehavior"]["CachedMethods"],
            json!(["GET", "HEAD"])
        );
        let b = &c["CacheBehaviors"][0];
        assert_eq!(b["PathPattern"], "/api/*");
        assert_eq!(
            b["ForwardedValues"],
            json!({"QueryString": true,
                   "Cookies": {"Forward": "whitelist", "WhitelistedNames": ["sid"]},
                   "Headers": ["Origin"]})
        );
        assert_eq!(
            b["LambdaFunctionAssociations"],
            json!([{"EventType": "origin-request",
                    "LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:f:1",
                    "IncludeBody": true}])
        );
        assert!(b.get("TrustedSigners").is_none(), "empty list left out");
        assert_eq!(b["DefaultTTL"], 60, "numbers stay numbers");
        assert_eq!(
            c["CustomErrorResponses"],
            json!([{"ErrorCode": 404, "ResponsePagePath": "/index.html", "ResponseCode": 200,
                    "ErrorCachingMinTTL": 10}])
        );
        assert_eq!(
            c["Logging"],
            json!({"Bucket": "logs.s3.amazonaws.com", "IncludeCookies": false, "Prefix": "shop/"})
        );
        assert_eq!(
            c["ViewerCertificate"],
            json!({"AcmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                   "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"})
        );
        assert_eq!(
            c["Restrictions"],
            json!({"GeoRestriction": {"RestrictionType": "whitelist", "Locations": ["US", "CA"]}})
        );
        assert!(c.get("CallerReference").is_none());
        assert!(v.get("Parameters").is_none());
        assert!(out.redacted.is_empty());
        assert!(out.notes.iter().any(|n| n.starts_with("CallerReference:")));
        assert!(
            out.notes
                .iter()
                .any(|n| n.starts_with("ViewerCertificate.CertificateSource:"))
        );
    }

    #[test]
    fn secrets_become_noecho_parameters() {
        let (v, out) = template(&ExportOptions::default());
        assert!(!out.text.contains("s3cr3t"));
        let name = "OriginHeaderApiXOriginVerify";
        assert_eq!(v["Parameters"][name]["NoEcho"], true);
        assert_eq!(v["Parameters"][name]["Type"], "String");
        assert_eq!(
            config(&v)["Origins"][1]["OriginCustomHeaders"][0]["HeaderValue"],
            json!({"Ref": name})
        );
        assert_eq!(
            out.redacted,
            ["Origins.Items[1].CustomHeaders.Items[0].HeaderValue"]
        );
    }

    #[test]
    fn disabled_logging_and_origin_groups() {
        let text = super::super::tests::SAMPLE
            .replace(
                r#""Enabled": true, "IncludeCookies""#,
                r#""Enabled": false, "IncludeCookies""#,
            )
            .replace(
                r#""DefaultCacheBehavior""#,
                r#""OriginGroups": {"Quantity": 1, "Items": [{"Id": "g",
                    "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 502]}},
                    "Members": {"Quantity": 2,
                        "Items": [{"OriginId": "s3"}, {"OriginId": "api"}]}}]},
                   "DefaultCacheBehavior""#,
            );
        let doc = crate::Document::from_json(&text).unwrap();
        let out = export(
            &doc,
            ExportFormat::CloudFormation,
            &ExportOptions::default(),
        )
        .expect("exports");
        let v: Value = serde_json::from_str(&out.text).unwrap();
        let c = config(&v);
        assert!(c.get("Logging").is_none());
        assert!(out.notes.iter().any(|n| n.starts_with("Logging.Bucket:")));
        assert_eq!(
            c["OriginGroups"],
            json!({"Quantity": 1, "Items": [{"Id": "g",
                "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 502]}},
                "Members": {"Quantity": 2, "Items": [{"OriginId": "s3"}, {"OriginId": "api"}]}}]})
        );
    }

    #[test]
    fn resource_name_is_a_logical_id() {
        let opts = ExportOptions {
            resource_name: "shop-cdn_1".into(),
            ..ExportOptions::default()
        };
        let (v, _) = template(&opts);
        assert!(v["Resources"]["shopcdn1"].is_object(), "{v}");
    }
}
