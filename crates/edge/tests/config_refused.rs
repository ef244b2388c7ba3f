//! Configurations the preview refuses to start (spec K-2, K-6, T-9): a cache policy id that
//! resolves to no policy, a used custom cache policy CloudFront would not accept (an unused one
//! is no reason to refuse), and the refusal listing each finding as `cfconsole validate` prints
//! it, error code included. No origin: each test only starts the edge, in-process.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn k2_unresolved_policy_refuses_start_naming_behavior_and_id() {
    let cfg = config(json!({"CachePolicyId": "no-such-policy"}), json!({}));
    let doc = cfconsole_model::Document::from_json(&cfg.to_string()).unwrap();
    let err = cfconsole_edge::Edge::start(cfconsole_edge::EdgeConfig::new(doc.config, DOMAIN))
        .await
        .err()
        .expect("refused");
    let text = err.to_string();
    assert!(
        text.contains("DefaultCacheBehavior.CachePolicyId") && text.contains("no-such-policy"),
        "{text}"
    );
}

/// spec K-6/§6: a custom cache policy the distribution uses must be one CloudFront accepts; an
/// invalid policy it does not use is no reason to refuse.
#[tokio::test]
async fn k6_a_used_custom_cache_policy_keying_an_orp_only_header_refuses_start() {
    let policy = |id: &str, header: &str| {
        json!({"CachePolicy": {"Id": id, "LastModifiedTime": "2024-01-01T00:00:00Z",
            "CachePolicyConfig": {
            "Name": id, "MinTTL": 0, "DefaultTTL": 100, "MaxTTL": 1000,
            "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
                "HeadersConfig": {"HeaderBehavior": "whitelist",
                    "Headers": {"Quantity": 1, "Items": [header]}},
                "CookiesConfig": {"CookieBehavior": "none"},
                "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}})
        .to_string()
    };
    let mut policies =
        cfconsole_model::PolicySet::from_json(&policy("tls-keyed", "CloudFront-Viewer-TLS"))
            .unwrap();
    policies.merge(
        cfconsole_model::PolicySet::from_json(&policy(
            "country-keyed",
            "CloudFront-Viewer-Country",
        ))
        .unwrap(),
    );
    let start = |id: &str| {
        let cfg = config(json!({"CachePolicyId": id}), json!({}));
        let doc = cfconsole_model::Document::from_json(&cfg.to_string()).unwrap();
        let mut c = cfconsole_edge::EdgeConfig::new(doc.config, DOMAIN);
        c.policies = policies.clone();
        cfconsole_edge::Edge::start(c)
    };
    let err = start("tls-keyed").await.err().expect("refused").to_string();
    assert!(
        err.contains("CachePolicy[tls-keyed]") && err.contains("CloudFront-Viewer-TLS"),
        "{err}"
    );
    let edge = start("country-keyed")
        .await
        .expect("the invalid policy is not used");
    edge.stop().await;
}

/// spec T-9: a refused config is reported with each finding exactly as `cfconsole validate`
/// prints it, CloudFront's error code included, so a script can tell why the start failed.
#[tokio::test]
async fn t9_a_refused_config_prints_each_finding_as_validate_does_with_its_code() {
    let cfg = config(
        json!({"CachePolicyId": null, "MinTTL": 100, "DefaultTTL": 100, "MaxTTL": 10,
            "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"},
                "Headers": {"Quantity": 0}, "QueryStringCacheKeys": {"Quantity": 0}}}),
        json!({}),
    );
    let doc = cfconsole_model::Document::from_json(&cfg.to_string()).unwrap();
    let expected: Vec<String> = cfconsole_model::validate(&doc.config)
        .iter()
        .filter(|f| f.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(!expected.is_empty());
    let err = cfconsole_edge::Edge::start(cfconsole_edge::EdgeConfig::new(doc.config, DOMAIN))
        .await
        .err()
        .expect("refused");
    assert!(matches!(err, cfconsole_edge::StartError::Invalid(_)));
    let text = err.to_string();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("the configuration cannot be previewed:"));
    let rest: Vec<&str> = lines.collect();
    assert_eq!(rest, expected, "one validate line per finding");
    assert!(
        rest.iter()
            .any(|l| l.starts_with("error: DefaultCacheBehavior.MinTTL: ")
                && l.contains("MaxTTL 10")
                && l.ends_with("(InvalidTTLOrder)")),
        "{text}"
    );
}
