//! One view of a cache behavior, default or ordered.

use crate::list::List;
use crate::shapes::{
    AllowedMethods, CacheBehavior, DefaultCacheBehavior, DistributionConfig, ForwardedValues,
    FunctionAssociation, GrpcConfig, LambdaFunctionAssociation, TrustedKeyGroups, TrustedSigners,
    ViewerProtocolPolicy,
};

/// A cache behavior seen the same way whether it is the default one or an ordered one: the two
/// API shapes have the same members except `PathPattern`. Validation, the exporters and the
/// preview edge all read behaviors through it. Values are as written (an empty policy id stays
/// empty, so exports round-trip); [`Self::cache_policy`] and its siblings read a set id.
#[derive(Debug, Clone)]
pub struct BehaviorView<'a> {
    /// `DefaultCacheBehavior` or `CacheBehaviors.Items[i]`: where findings and notes point.
    pub path: String,
    /// The position in `CacheBehaviors.Items`, none for the default behavior.
    pub index: Option<usize>,
    pub path_pattern: Option<&'a str>,
    pub target_origin_id: &'a str,
    pub trusted_signers: Option<&'a TrustedSigners>,
    pub trusted_key_groups: Option<&'a TrustedKeyGroups>,
    pub viewer_protocol_policy: ViewerProtocolPolicy,
    pub allowed_methods: Option<&'a AllowedMethods>,
    pub smooth_streaming: Option<bool>,
    pub compress: Option<bool>,
    pub lambda_function_associations: Option<&'a List<LambdaFunctionAssociation>>,
    pub function_associations: Option<&'a List<FunctionAssociation>>,
    pub field_level_encryption_id: Option<&'a str>,
    pub realtime_log_config_arn: Option<&'a str>,
    pub cache_policy_id: Option<&'a str>,
    pub origin_request_policy_id: Option<&'a str>,
    pub response_headers_policy_id: Option<&'a str>,
    pub grpc_config: Option<&'a GrpcConfig>,
    pub forwarded_values: Option<&'a ForwardedValues>,
    pub min_ttl: Option<i64>,
    pub default_ttl: Option<i64>,
    pub max_ttl: Option<i64>,
}

/// The shared members of `DefaultCacheBehavior` and `CacheBehavior` (two API shapes with the
/// same field names), listed once.
macro_rules! view {
    ($b:expr, $path:expr, $index:expr, $pattern:expr) => {
        BehaviorView {
            path: $path,
            index: $index,
            path_pattern: $pattern,
            target_origin_id: &$b.target_origin_id,
            trusted_signers: $b.trusted_signers.as_ref(),
            trusted_key_groups: $b.trusted_key_groups.as_ref(),
            viewer_protocol_policy: $b.viewer_protocol_policy,
            allowed_methods: $b.allowed_methods.as_ref(),
            smooth_streaming: $b.smooth_streaming,
            compress: $b.compress,
            lambda_function_associations: $b.lambda_function_associations.as_ref(),
            function_associations: $b.function_associations.as_ref(),
            field_level_encryption_id: $b.field_level_encryption_id.as_deref(),
            realtime_log_config_arn: $b.realtime_log_config_arn.as_deref(),
            cache_policy_id: $b.cache_policy_id.as_deref(),
            origin_request_policy_id: $b.origin_request_policy_id.as_deref(),
            response_headers_policy_id: $b.response_headers_policy_id.as_deref(),
            grpc_config: $b.grpc_config.as_ref(),
            forwarded_values: $b.forwarded_values.as_ref(),
            min_ttl: $b.min_ttl,
            default_ttl: $b.default_ttl,
            max_ttl: $b.max_ttl,
        }
    };
}

impl<'a> BehaviorView<'a> {
    pub fn default_behavior(b: &'a DefaultCacheBehavior) -> Self {
        view!(b, "DefaultCacheBehavior".to_string(), None, None)
    }

    pub fn ordered(i: usize, b: &'a CacheBehavior) -> Self {
        view!(
            b,
            format!("CacheBehaviors.Items[{i}]"),
            Some(i),
            Some(&b.path_pattern)
        )
    }

    /// Every behavior of a configuration, the default one first, then the ordered ones in order.
    pub fn all(config: &'a DistributionConfig) -> Vec<Self> {
        let mut out = vec![Self::default_behavior(&config.default_cache_behavior)];
        if let Some(list) = &config.cache_behaviors {
            out.extend(list.iter().enumerate().map(|(i, b)| Self::ordered(i, b)));
        }
        out
    }

    /// `{path}.{member}`: where a finding or note about `member` points.
    pub fn at(&self, member: &str) -> String {
        format!("{}.{member}", self.path)
    }

    /// The cache policy id, when one is set (an empty string is none).
    pub fn cache_policy(&self) -> Option<&'a str> {
        self.cache_policy_id.filter(|s| !s.is_empty())
    }

    /// The origin request policy id, when one is set.
    pub fn origin_request_policy(&self) -> Option<&'a str> {
        self.origin_request_policy_id.filter(|s| !s.is_empty())
    }

    /// The response headers policy id, when one is set.
    pub fn response_headers_policy(&self) -> Option<&'a str> {
        self.response_headers_policy_id.filter(|s| !s.is_empty())
    }

    /// The legacy TTLs, `[MinTTL, DefaultTTL, MaxTTL]`.
    pub fn ttls(&self) -> [Option<i64>; 3] {
        [self.min_ttl, self.default_ttl, self.max_ttl]
    }

    /// Signed URLs or cookies are required (trusted signers or key groups enabled).
    pub fn signed(&self) -> bool {
        self.trusted_signers.is_some_and(|t| t.enabled)
            || self.trusted_key_groups.is_some_and(|t| t.enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    #[test]
    fn default_first_then_ordered_with_paths_and_set_policy_ids() {
        let doc = Document::from_json(
            r#"{"CallerReference": "t", "Comment": "", "Enabled": true,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "", "ForwardedValues": {"QueryString": false,
                "Cookies": {"Forward": "none"}}, "MinTTL": 0, "TrustedSigners": {"Enabled": true,
                "Quantity": 1, "Items": ["self"]}},
            "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "api/*",
                "TargetOriginId": "o", "ViewerProtocolPolicy": "https-only",
                "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}]}}"#,
        )
        .unwrap();
        let all = BehaviorView::all(&doc.config);
        assert_eq!(all.len(), 2);
        let (d, o) = (&all[0], &all[1]);
        assert_eq!(
            (d.path.as_str(), d.index, d.path_pattern),
            ("DefaultCacheBehavior", None, None)
        );
        assert_eq!(d.cache_policy_id, Some(""), "kept as written");
        assert_eq!(d.cache_policy(), None, "an empty id is none");
        assert_eq!(d.ttls(), [Some(0), None, None]);
        assert!(d.signed());
        assert_eq!(d.at("MinTTL"), "DefaultCacheBehavior.MinTTL");
        assert_eq!(
            (o.path.as_str(), o.index, o.path_pattern),
            ("CacheBehaviors.Items[0]", Some(0), Some("api/*"))
        );
        assert_eq!(
            o.cache_policy(),
            Some("4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
        );
        assert!(!o.signed());
    }
}
