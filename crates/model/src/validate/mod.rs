//! Validation of a `DistributionConfig`: every finding has the exact field path, a severity and,
//! for errors, CloudFront's own error code (from the `CreateDistribution`/`UpdateDistribution`
//! error list of the 2020-05-31 API). Errors are what CloudFront would reject; warnings are legal
//! but probably wrong.
//!
//! The rules are split by area (origins, behaviors, distribution-level settings, custom policies)
//! and cite the rule ids of `shared/spec/edge-semantics.md`. Path-pattern checks live in
//! [`crate::pattern::lint`] and are included here, not repeated.

mod behaviors;
mod distribution;
mod origins;
mod policies;

use std::collections::HashMap;

use serde_json::Value;

use crate::document::to_value;
use crate::finding::Finding;
use crate::policies::PolicySet;
use crate::shapes::DistributionConfig;

pub use behaviors::{ALLOWED_SETS as ALLOWED_METHOD_SETS, same_set as same_method_set};
pub use policies::validate_policies;

/// Validates `config` with CloudFront's managed policies only: a policy id that is not managed
/// cannot be checked and gives a warning (see [`validate_with`]).
pub fn validate(config: &DistributionConfig) -> Vec<Finding> {
    validate_with(config, &PolicySet::default())
}

/// Validates `config`, resolving policy ids against `policies` (custom) and the managed ones.
/// With a non-empty `policies`, an id that names nothing is an error (`NoSuchCachePolicy`, …).
///
/// Findings come sorted by where their path appears in the document (stable: findings on one
/// field keep the order the rules produced them), errors and warnings together.
pub fn validate_with(config: &DistributionConfig, policies: &PolicySet) -> Vec<Finding> {
    let value = to_value(config);
    let mut out = Vec::new();
    quantities(&value, &mut String::new(), &mut out);
    distribution::check(config, &mut out);
    origins::check(config, &mut out);
    behaviors::check(config, policies, &mut out);
    out.extend(crate::pattern::lint(config));
    sort_by_document_order(&value, &mut out);
    out
}

/// spec I-12: every `{Quantity, Items}` pair must agree, wherever it is (the API answers
/// `InconsistentQuantities` for any of them). Walked generically over the JSON form so that no
/// list is forgotten: Aliases, AllowedMethods, CachedMethods, TrustedSigners, GeoRestriction, …
fn quantities(value: &Value, path: &mut String, out: &mut Vec<Finding>) {
    match value {
        Value::Object(map) => {
            if let Some(q) = map.get("Quantity").and_then(Value::as_i64) {
                let n = map
                    .get("Items")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                if usize::try_from(q).ok() != Some(n) {
                    let name = path
                        .rsplit('.')
                        .next()
                        .filter(|s| !s.is_empty())
                        .unwrap_or("the list");
                    out.push(Finding::error(
                        join(path, "Quantity"),
                        "InconsistentQuantities",
                        format!(
                            "The specified quantity of {name} ({q}) does not match the actual \
                             quantity supplied ({n}); set Quantity to {n}"
                        ),
                    ));
                }
            }
            for (k, v) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                quantities(v, path, out);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                quantities(v, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn join(base: &str, member: &str) -> String {
    if base.is_empty() {
        member.to_string()
    } else {
        format!("{base}.{member}")
    }
}

/// Orders findings by the position of their path in the serialized document (members in the
/// API's order: the workspace enables serde_json's `preserve_order`). A path that is not in the
/// document (a missing member such as `DefaultCacheBehavior.CachePolicyId`) takes the position
/// of its nearest present ancestor. The sort is stable: ties keep the order the rules gave.
fn sort_by_document_order(value: &Value, out: &mut [Finding]) {
    if out.len() < 2 {
        return;
    }
    let mut order = HashMap::new();
    number_paths(value, &mut String::new(), &mut order);
    let rank = |path: &str| -> usize {
        let mut p = path;
        loop {
            if let Some(&i) = order.get(p) {
                return i;
            }
            match p.rfind(['.', '[']) {
                Some(cut) => p = &p[..cut],
                None => return usize::MAX,
            }
        }
    };
    let mut keyed: Vec<(usize, usize)> = out
        .iter()
        .enumerate()
        .map(|(i, f)| (rank(&f.path), i))
        .collect();
    keyed.sort();
    let sorted: Vec<Finding> = keyed.iter().map(|&(_, i)| out[i].clone()).collect();
    out.clone_from_slice(&sorted);
}

fn number_paths(value: &Value, path: &mut String, order: &mut HashMap<String, usize>) {
    let next = order.len();
    order.entry(path.clone()).or_insert(next);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                number_paths(v, path, order);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                number_paths(v, path, order);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! A small valid configuration that each table test breaks in one place.

    use crate::finding::{Finding, Severity};
    use crate::shapes::DistributionConfig;

    pub fn valid() -> DistributionConfig {
        let text = r#"{
          "CallerReference": "ref-1",
          "Origins": {"Quantity": 2, "Items": [
            {"Id": "s3", "DomainName": "bucket.s3.amazonaws.com", "OriginPath": "",
             "S3OriginConfig": {"OriginAccessIdentity": ""}},
            {"Id": "api", "DomainName": "api.example.com",
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
               "OriginProtocolPolicy": "https-only",
               "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
               "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
             "CustomHeaders": {"Quantity": 1,
               "Items": [{"HeaderName": "X-Origin-Key", "HeaderValue": "k"}]},
             "ConnectionAttempts": 3, "ConnectionTimeout": 10}
          ]},
          "OriginGroups": {"Quantity": 1, "Items": [
            {"Id": "group",
             "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 502]}},
             "Members": {"Quantity": 2, "Items": [{"OriginId": "s3"}, {"OriginId": "api"}]}}
          ]},
          "DefaultCacheBehavior": {
            "TargetOriginId": "s3",
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"],
              "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}},
            "Compress": true,
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"
          },
          "CacheBehaviors": {"Quantity": 2, "Items": [
            {"PathPattern": "/api/*", "TargetOriginId": "api",
             "ViewerProtocolPolicy": "https-only",
             "AllowedMethods": {"Quantity": 7,
               "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
               "CachedMethods": {"Quantity": 3, "Items": ["GET","HEAD","OPTIONS"]}},
             "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "none"},
               "Headers": {"Quantity": 1, "Items": ["Origin"]}},
             "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 600,
             "LambdaFunctionAssociations": {"Quantity": 1, "Items": [
               {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:auth:3",
                "EventType": "origin-request", "IncludeBody": true}]},
             "FunctionAssociations": {"Quantity": 1, "Items": [
               {"FunctionARN": "arn:aws:cloudfront::123456789012:function/rewrite",
                "EventType": "viewer-request"}]}},
            {"PathPattern": "/ha/*", "TargetOriginId": "group",
             "ViewerProtocolPolicy": "redirect-to-https",
             "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
             "OriginRequestPolicyId": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"}
          ]},
          "CustomErrorResponses": {"Quantity": 1, "Items": [
            {"ErrorCode": 404, "ResponsePagePath": "/index.html", "ResponseCode": "200",
             "ErrorCachingMinTTL": 10}]},
          "Comment": "test",
          "Logging": {"Enabled": true, "IncludeCookies": false,
            "Bucket": "logs.s3.amazonaws.com", "Prefix": "cf/"},
          "Enabled": true,
          "Aliases": {"Quantity": 2, "Items": ["www.example.com", "*.example.org"]},
          "ViewerCertificate": {
            "ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
          "Restrictions": {"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 2,
            "Items": ["US", "CA"]}},
          "WebACLId":
  "arn:aws:wafv2:us-east-1:123456789012:global/webacl/acl/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
          "HttpVersion": "http2"
        }"#;
        crate::document::parse_config(serde_json::from_str(text).expect("test config is JSON"))
            .expect("test config parses")
    }

    /// Asserts that `findings` holds a finding at `path` with `severity` and `code`.
    pub fn assert_has(
        row: &str,
        findings: &[Finding],
        path: &str,
        severity: Severity,
        code: Option<&str>,
    ) {
        assert!(
            findings
                .iter()
                .any(|f| f.path == path && f.severity == severity && f.code == code),
            "{row}: expected {severity} {code:?} at {path}, got:\n{}",
            findings
                .iter()
                .map(|f| format!("  {f}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{assert_has, valid};
    use super::*;
    use crate::finding::Severity;

    #[test]
    fn the_valid_config_has_no_findings() {
        let f = validate(&valid());
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn quantity_mismatch_anywhere() {
        // spec I-12: each row breaks one Quantity.
        type Break = fn(&mut DistributionConfig);
        let rows: &[(&str, Break, &str)] = &[
            (
                "aliases",
                |c| c.aliases.as_mut().unwrap().quantity = 1,
                "Aliases.Quantity",
            ),
            (
                "allowed methods",
                |c| {
                    c.default_cache_behavior
                        .allowed_methods
                        .as_mut()
                        .unwrap()
                        .quantity = 3
                },
                "DefaultCacheBehavior.AllowedMethods.Quantity",
            ),
            (
                "geo",
                |c| c.restrictions.as_mut().unwrap().geo_restriction.quantity = 3,
                "Restrictions.GeoRestriction.Quantity",
            ),
            (
                "status codes",
                |c| {
                    c.origin_groups.as_mut().unwrap().items_mut()[0]
                        .failover_criteria
                        .status_codes
                        .quantity = 1
                },
                "OriginGroups.Items[0].FailoverCriteria.StatusCodes.Quantity",
            ),
        ];
        for (row, brk, path) in rows {
            let mut c = valid();
            brk(&mut c);
            let f = validate(&c);
            assert_has(
                row,
                &f,
                path,
                Severity::Error,
                Some("InconsistentQuantities"),
            );
        }
    }

    #[test]
    fn message_reads_like_cloudfront() {
        let mut c = valid();
        c.aliases.as_mut().unwrap().quantity = 1;
        let f = validate(&c);
        let m = &f
            .iter()
            .find(|f| f.path == "Aliases.Quantity")
            .expect("finding")
            .message;
        assert!(
            m.starts_with(
                "The specified quantity of Aliases (1) does not match the actual quantity \
                 supplied (2)"
            ),
            "{m}"
        );
    }

    #[test]
    fn findings_follow_document_order() {
        let mut c = valid();
        c.comment = "x".repeat(200); // late in the document
        c.caller_reference.clear(); // first member
        c.origins.items_mut()[1].connection_attempts = Some(9);
        let f = validate(&c);
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        let pos = |p: &str| paths.iter().position(|x| *x == p).expect(p);
        assert!(pos("CallerReference") < pos("Origins.Items[1].ConnectionAttempts"));
        assert!(pos("Origins.Items[1].ConnectionAttempts") < pos("Comment"));
    }
}
