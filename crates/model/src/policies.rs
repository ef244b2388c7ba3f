//! The policies a cache behavior refers to by id: cache policies, origin request policies and
//! response headers policies. CloudFront's managed policies are data here (spec §6, by id and by
//! name); custom ones are read from any JSON the AWS CLI prints for them.
//!
//! Accepted inputs, each as `aws cloudfront …` prints it: `get-cache-policy`
//! (`{"ETag", "CachePolicy"}`), `list-cache-policies` (`{"CachePolicyList"}`), the same for
//! origin request and response headers policies, a bare `{"CachePolicy": …}`, and a JSON array or
//! object holding several of these.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::document::{ParseError, parse_shape};
use crate::shapes::{
    CachePolicy, CachePolicyList, CachePolicyType, DistributionConfig, OriginRequestPolicy,
    OriginRequestPolicyList, OriginRequestPolicyType, ResponseHeadersPolicy,
    ResponseHeadersPolicyList, ResponseHeadersPolicyType,
};

/// Which kind of policy a behavior refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// `CachePolicyId`.
    Cache,
    /// `OriginRequestPolicyId`.
    OriginRequest,
    /// `ResponseHeadersPolicyId`.
    ResponseHeaders,
}

impl PolicyKind {
    /// Every kind, in the order the console lists them.
    pub const ALL: [PolicyKind; 3] = [Self::Cache, Self::OriginRequest, Self::ResponseHeaders];

    /// Stable name, used in file names (the local workspace's `policies/<kind>/`) and messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cache => "cache-policy",
            Self::OriginRequest => "origin-request-policy",
            Self::ResponseHeaders => "response-headers-policy",
        }
    }

    /// The behavior member that holds an id of this kind.
    pub const fn member(self) -> &'static str {
        match self {
            PolicyKind::Cache => "CachePolicyId",
            PolicyKind::OriginRequest => "OriginRequestPolicyId",
            PolicyKind::ResponseHeaders => "ResponseHeadersPolicyId",
        }
    }

    /// CloudFront's error code when the id names no policy.
    pub const fn missing_code(self) -> &'static str {
        match self {
            PolicyKind::Cache => "NoSuchCachePolicy",
            PolicyKind::OriginRequest => "NoSuchOriginRequestPolicy",
            PolicyKind::ResponseHeaders => "NoSuchResponseHeadersPolicy",
        }
    }
}

/// A set of custom policies (with their ETags when known), looked up together with the managed
/// ones. Custom policies shadow nothing: managed ids are fixed by AWS and never collide.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySet {
    /// Custom cache policies by id.
    pub cache: BTreeMap<String, CachePolicy>,
    /// Custom origin request policies by id.
    pub origin_request: BTreeMap<String, OriginRequestPolicy>,
    /// Custom response headers policies by id.
    pub response_headers: BTreeMap<String, ResponseHeadersPolicy>,
    /// ETags by policy id, from `get-*-policy` output.
    pub etags: BTreeMap<String, String>,
}

struct Managed {
    cache: Vec<CachePolicy>,
    origin_request: Vec<OriginRequestPolicy>,
    response_headers: Vec<ResponseHeadersPolicy>,
}

fn managed() -> &'static Managed {
    static MANAGED: OnceLock<Managed> = OnceLock::new();
    MANAGED.get_or_init(|| {
        let mut set = PolicySet::default();
        let value = serde_json::from_str(include_str!("managed_policies.json"))
            .expect("managed_policies.json is valid JSON (tested)");
        set.add_value(value, "", true)
            .expect("managed_policies.json has the list-*-policies shape (tested)");
        // Listed by name, as the CloudFront console lists them (the JSON is keyed by id).
        let mut cache: Vec<CachePolicy> = set.cache.into_values().collect();
        cache.sort_by_cached_key(|p| list_key(&p.cache_policy_config.name));
        let mut origin_request: Vec<OriginRequestPolicy> =
            set.origin_request.into_values().collect();
        origin_request.sort_by_cached_key(|p| list_key(&p.origin_request_policy_config.name));
        let mut response_headers: Vec<ResponseHeadersPolicy> =
            set.response_headers.into_values().collect();
        response_headers.sort_by_cached_key(|p| list_key(&p.response_headers_policy_config.name));
        Managed {
            cache,
            origin_request,
            response_headers,
        }
    })
}

/// The order of a managed policy in a list: its name without `Managed-`, ignoring case.
fn list_key(name: &str) -> String {
    name.strip_prefix("Managed-").unwrap_or(name).to_lowercase()
}

/// CloudFront's managed policies of one kind as (id, name), by name: what a picker lists.
pub fn managed_policies(kind: PolicyKind) -> Vec<(&'static str, &'static str)> {
    let m = managed();
    match kind {
        PolicyKind::Cache => m
            .cache
            .iter()
            .map(|p| (p.id.as_str(), p.cache_policy_config.name.as_str()))
            .collect(),
        PolicyKind::OriginRequest => m
            .origin_request
            .iter()
            .map(|p| (p.id.as_str(), p.origin_request_policy_config.name.as_str()))
            .collect(),
        PolicyKind::ResponseHeaders => m
            .response_headers
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.response_headers_policy_config.name.as_str(),
                )
            })
            .collect(),
    }
}

/// Accepts `CachingOptimized` for `Managed-CachingOptimized` (the console shows names without
/// the prefix; the API's list output has it).
fn name_matches(name: &str, wanted: &str) -> bool {
    name == wanted || name.strip_prefix("Managed-") == Some(wanted)
}

/// CloudFront's managed cache policies (spec §6).
pub fn managed_cache_policies() -> &'static [CachePolicy] {
    &managed().cache
}

/// CloudFront's managed origin request policies (spec §6).
pub fn managed_origin_request_policies() -> &'static [OriginRequestPolicy] {
    &managed().origin_request
}

/// CloudFront's managed response headers policies.
pub fn managed_response_headers_policies() -> &'static [ResponseHeadersPolicy] {
    &managed().response_headers
}

/// A managed cache policy by id or name (`CachingOptimized` or `Managed-CachingOptimized`).
pub fn managed_cache_policy(id_or_name: &str) -> Option<&'static CachePolicy> {
    managed_cache_policies()
        .iter()
        .find(|p| p.id == id_or_name || name_matches(&p.cache_policy_config.name, id_or_name))
}

/// A managed origin request policy by id or name.
pub fn managed_origin_request_policy(id_or_name: &str) -> Option<&'static OriginRequestPolicy> {
    managed_origin_request_policies().iter().find(|p| {
        p.id == id_or_name || name_matches(&p.origin_request_policy_config.name, id_or_name)
    })
}

/// A managed response headers policy by id or name.
pub fn managed_response_headers_policy(id_or_name: &str) -> Option<&'static ResponseHeadersPolicy> {
    managed_response_headers_policies().iter().find(|p| {
        p.id == id_or_name || name_matches(&p.response_headers_policy_config.name, id_or_name)
    })
}

/// True when `id` is one of CloudFront's managed policies of `kind`.
pub fn is_managed(kind: PolicyKind, id: &str) -> bool {
    managed_policies(kind).iter().any(|(i, _)| *i == id)
}

/// A policy id used by a behavior that resolves to nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnresolvedPolicy {
    /// Field path of the id: `CacheBehaviors.Items[2].CachePolicyId`.
    pub path: String,
    /// Which kind of policy.
    pub kind: PolicyKind,
    /// The id that names no known policy.
    pub id: String,
}

impl std::fmt::Display for UnresolvedPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} {:?} is neither a CloudFront managed policy nor one of the custom policies \
             given ({})",
            self.path,
            self.kind.member(),
            self.id,
            self.kind.missing_code()
        )
    }
}

impl PolicySet {
    /// Reads custom policies from AWS CLI JSON (see the module docs for the accepted shapes).
    pub fn from_json(text: &str) -> Result<Self, ParseError> {
        let value: Value = crate::json::parse(text).map_err(|e| ParseError {
            path: e.duplicate.clone().unwrap_or_default(),
            message: e.to_string(),
            further: Vec::new(),
        })?;
        let mut set = PolicySet::default();
        set.add_value(value, "", false)?;
        Ok(set)
    }

    /// Adds every policy of `other` (later ones replace earlier ones with the same id).
    pub fn merge(&mut self, other: PolicySet) {
        self.cache.extend(other.cache);
        self.origin_request.extend(other.origin_request);
        self.response_headers.extend(other.response_headers);
        self.etags.extend(other.etags);
    }

    /// True when no custom policy is held.
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty() && self.origin_request.is_empty() && self.response_headers.is_empty()
    }

    /// Adds the policies in `value`. From `list-*-policies` output only `"Type": "custom"`
    /// entries are kept, unless `managed` is set (reading CloudFront's managed set itself).
    fn add_value(&mut self, value: Value, at: &str, managed: bool) -> Result<(), ParseError> {
        let obj = match value {
            Value::Array(items) => {
                for (i, v) in items.into_iter().enumerate() {
                    self.add_value(v, &format!("{at}[{i}]"), managed)?;
                }
                return Ok(());
            }
            Value::Object(obj) => obj,
            _ => {
                return Err(ParseError {
                    path: at.to_string(),
                    message: "expected the JSON that `aws cloudfront get-cache-policy`, \
                              `get-origin-request-policy`, `get-response-headers-policy` or a \
                              `list-*-policies` command prints"
                        .into(),
                    further: Vec::new(),
                });
            }
        };
        let etag = obj.get("ETag").and_then(Value::as_str).map(str::to_string);
        let mut recognised = false;
        for (key, v) in obj {
            let path = join(at, &key);
            match key.as_str() {
                "ETag" => {}
                "CachePolicy" => {
                    let p: CachePolicy = parse_shape(v, &path)?;
                    if let Some(e) = &etag {
                        self.etags.insert(p.id.clone(), e.clone());
                    }
                    self.cache.insert(p.id.clone(), p);
                    recognised = true;
                }
                "OriginRequestPolicy" => {
                    let p: OriginRequestPolicy = parse_shape(v, &path)?;
                    if let Some(e) = &etag {
                        self.etags.insert(p.id.clone(), e.clone());
                    }
                    self.origin_request.insert(p.id.clone(), p);
                    recognised = true;
                }
                "ResponseHeadersPolicy" => {
                    let p: ResponseHeadersPolicy = parse_shape(v, &path)?;
                    if let Some(e) = &etag {
                        self.etags.insert(p.id.clone(), e.clone());
                    }
                    self.response_headers.insert(p.id.clone(), p);
                    recognised = true;
                }
                "CachePolicyList" => {
                    let l: CachePolicyList = parse_shape(v, &path)?;
                    for s in l.items.into_iter().flatten() {
                        if managed || s.r#type == CachePolicyType::Custom {
                            self.cache.insert(s.cache_policy.id.clone(), s.cache_policy);
                        }
                    }
                    recognised = true;
                }
                "OriginRequestPolicyList" => {
                    let l: OriginRequestPolicyList = parse_shape(v, &path)?;
                    for s in l.items.into_iter().flatten() {
                        let p = s.origin_request_policy;
                        if managed || s.r#type == OriginRequestPolicyType::Custom {
                            self.origin_request.insert(p.id.clone(), p);
                        }
                    }
                    recognised = true;
                }
                "ResponseHeadersPolicyList" => {
                    let l: ResponseHeadersPolicyList = parse_shape(v, &path)?;
                    for s in l.items.into_iter().flatten() {
                        let p = s.response_headers_policy;
                        if managed || s.r#type == ResponseHeadersPolicyType::Custom {
                            self.response_headers.insert(p.id.clone(), p);
                        }
                    }
                    recognised = true;
                }
                "CachePolicyConfig"
                | "OriginRequestPolicyConfig"
                | "ResponseHeadersPolicyConfig" => {
                    return Err(ParseError {
                        path,
                        message: format!(
                            "a bare {key} has no Id, so no behavior can refer to it: use the \
                             output of `aws cloudfront get-{}` (which includes the Id)",
                            kebab_get(&key)
                        ),
                        further: Vec::new(),
                    });
                }
                _ => {
                    return Err(ParseError {
                        path,
                        message: format!(
                            "unknown member `{key}`; expected CachePolicy, OriginRequestPolicy, \
                             ResponseHeadersPolicy, their *List forms, or ETag"
                        ),
                        further: Vec::new(),
                    });
                }
            }
        }
        if !recognised {
            return Err(ParseError {
                path: at.to_string(),
                message: "no policy found: expected CachePolicy, OriginRequestPolicy, \
                          ResponseHeadersPolicy or a *PolicyList member"
                    .into(),
                further: Vec::new(),
            });
        }
        Ok(())
    }

    /// A cache policy by id: custom ones first, then CloudFront's managed ones.
    pub fn cache_policy(&self, id: &str) -> Option<&CachePolicy> {
        self.cache
            .get(id)
            .or_else(|| managed_cache_policies().iter().find(|p| p.id == id))
    }

    /// An origin request policy by id: custom ones first, then the managed ones.
    pub fn origin_request_policy(&self, id: &str) -> Option<&OriginRequestPolicy> {
        self.origin_request.get(id).or_else(|| {
            managed_origin_request_policies()
                .iter()
                .find(|p| p.id == id)
        })
    }

    /// A response headers policy by id: custom ones first, then the managed ones.
    pub fn response_headers_policy(&self, id: &str) -> Option<&ResponseHeadersPolicy> {
        self.response_headers.get(id).or_else(|| {
            managed_response_headers_policies()
                .iter()
                .find(|p| p.id == id)
        })
    }

    /// True when a policy of `kind` with `id` is known (custom or managed).
    pub fn contains(&self, kind: PolicyKind, id: &str) -> bool {
        match kind {
            PolicyKind::Cache => self.cache_policy(id).is_some(),
            PolicyKind::OriginRequest => self.origin_request_policy(id).is_some(),
            PolicyKind::ResponseHeaders => self.response_headers_policy(id).is_some(),
        }
    }

    /// Every policy id used by `config`'s behaviors that resolves to nothing here.
    pub fn unresolved(&self, config: &DistributionConfig) -> Vec<UnresolvedPolicy> {
        policy_refs(config)
            .into_iter()
            .filter(|(_, kind, id)| !self.contains(*kind, id))
            .map(|(path, kind, id)| UnresolvedPolicy {
                path,
                kind,
                id: id.to_string(),
            })
            .collect()
    }
}

/// Every non-empty policy id a config's behaviors use: (field path, kind, id), default behavior
/// first, then `CacheBehaviors` in order.
pub fn policy_refs(config: &DistributionConfig) -> Vec<(String, PolicyKind, &str)> {
    fn push<'a>(
        out: &mut Vec<(String, PolicyKind, &'a str)>,
        base: &str,
        ids: [&'a Option<String>; 3],
    ) {
        let kinds = [
            PolicyKind::Cache,
            PolicyKind::OriginRequest,
            PolicyKind::ResponseHeaders,
        ];
        for (kind, id) in kinds.into_iter().zip(ids) {
            if let Some(id) = id.as_deref().filter(|s| !s.is_empty()) {
                out.push((format!("{base}.{}", kind.member()), kind, id));
            }
        }
    }
    let mut out = Vec::new();
    let d = &config.default_cache_behavior;
    push(
        &mut out,
        "DefaultCacheBehavior",
        [
            &d.cache_policy_id,
            &d.origin_request_policy_id,
            &d.response_headers_policy_id,
        ],
    );
    if let Some(list) = &config.cache_behaviors {
        for (i, b) in list.iter().enumerate() {
            push(
                &mut out,
                &format!("CacheBehaviors.Items[{i}]"),
                [
                    &b.cache_policy_id,
                    &b.origin_request_policy_id,
                    &b.response_headers_policy_id,
                ],
            );
        }
    }
    out
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn kebab_get(key: &str) -> &'static str {
    match key {
        "CachePolicyConfig" => "cache-policy",
        "OriginRequestPolicyConfig" => "origin-request-policy",
        _ => "response-headers-policy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::{CachePolicyCookieBehavior, CachePolicyHeaderBehavior};

    #[test]
    fn managed_policies_are_listed_by_name_for_every_kind() {
        for kind in PolicyKind::ALL {
            let listed = managed_policies(kind);
            assert!(!listed.is_empty(), "{kind:?}");
            let keys: Vec<String> = listed.iter().map(|(_, n)| list_key(n)).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "{kind:?}");
            assert!(listed.iter().all(|(id, _)| is_managed(kind, id)));
        }
        let cache: Vec<&str> = managed_policies(PolicyKind::Cache)
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(cache.first(), Some(&"Managed-Amplify"));
        assert_eq!(
            managed_cache_policies()[0].cache_policy_config.name,
            "Managed-Amplify"
        );
    }

    #[test]
    fn managed_policies_parse_and_match_spec_table() {
        // spec §6: managed cache policies, TTLs and key contents.
        assert_eq!(managed_cache_policies().len(), 7);
        let opt = managed_cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6").unwrap();
        let c = &opt.cache_policy_config;
        assert_eq!(
            (c.min_ttl, c.default_ttl, c.max_ttl),
            (1, Some(86400), Some(31536000))
        );
        let k = c
            .parameters_in_cache_key_and_forwarded_to_origin
            .as_ref()
            .unwrap();
        assert!(k.enable_accept_encoding_gzip && k.enable_accept_encoding_brotli == Some(true));
        let disabled = managed_cache_policy("CachingDisabled").unwrap();
        assert_eq!(disabled.id, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
        assert_eq!(disabled.cache_policy_config.max_ttl, Some(0));
        let origin = managed_cache_policy("Managed-UseOriginCacheControlHeaders").unwrap();
        let k = origin
            .cache_policy_config
            .parameters_in_cache_key_and_forwarded_to_origin
            .as_ref()
            .unwrap();
        assert_eq!(
            k.headers_config.header_behavior,
            CachePolicyHeaderBehavior::Whitelist
        );
        assert_eq!(k.headers_config.headers.as_ref().unwrap().len(), 5);
        assert_eq!(
            k.cookies_config.cookie_behavior,
            CachePolicyCookieBehavior::All
        );
        let media = managed_cache_policy("Elemental-MediaPackage").unwrap();
        let k = media
            .cache_policy_config
            .parameters_in_cache_key_and_forwarded_to_origin
            .as_ref()
            .unwrap();
        assert_eq!(
            k.enable_accept_encoding_brotli,
            Some(false),
            "spec §6: MediaPackage has no Brotli"
        );
        assert_eq!(managed_origin_request_policies().len(), 7);
        assert!(managed_origin_request_policy("AllViewerExceptHostHeader").is_some());
        assert_eq!(managed_response_headers_policies().len(), 5);
        assert!(managed_response_headers_policy("SecurityHeadersPolicy").is_some());
        assert!(is_managed(
            PolicyKind::OriginRequest,
            "216adef6-5c7f-47e4-b989-5492eafa07d3"
        ));
        assert!(!is_managed(
            PolicyKind::Cache,
            "216adef6-5c7f-47e4-b989-5492eafa07d3"
        ));
    }

    const GET_CACHE_POLICY: &str = r#"{
        "ETag": "E2QWRUHEXAMPLE",
        "CachePolicy": {
            "Id": "2766f7b2-75c5-41c6-8f06-bf4303a2f2f5",
            "LastModifiedTime": "2020-05-27T18:59:22.561000+00:00",
            "CachePolicyConfig": {
                "Comment": "", "Name": "ExampleCachePolicy",
                "DefaultTTL": 86400, "MaxTTL": 31536000, "MinTTL": 1,
                "ParametersInCacheKeyAndForwardedToOrigin": {
                    "EnableAcceptEncodingGzip": true, "EnableAcceptEncodingBrotli": true,
                    "HeadersConfig": {"HeaderBehavior": "whitelist",
                        "Headers": {"Quantity": 2, "Items": ["Authorization", "Accept-Language"]}},
                    "CookiesConfig": {"CookieBehavior": "none"},
                    "QueryStringsConfig": {"QueryStringBehavior": "whitelist",
                        "QueryStrings": {"Quantity": 1, "Items": ["lang"]}}
                }
            }
        }
    }"#;

    #[test]
    fn reads_get_and_list_outputs() {
        let set = PolicySet::from_json(GET_CACHE_POLICY).unwrap();
        let p = set
            .cache_policy("2766f7b2-75c5-41c6-8f06-bf4303a2f2f5")
            .unwrap();
        assert_eq!(p.cache_policy_config.name, "ExampleCachePolicy");
        assert_eq!(
            set.etags["2766f7b2-75c5-41c6-8f06-bf4303a2f2f5"],
            "E2QWRUHEXAMPLE"
        );
        // A list with managed and custom entries keeps only the custom ones as custom.
        let list = format!(
            r#"{{"CachePolicyList": {{"MaxItems": 100, "Quantity": 1, "Items": [
                {{"Type": "custom", "CachePolicy": {}}}]}}}}"#,
            serde_json::to_string(
                &serde_json::from_str::<Value>(GET_CACHE_POLICY).unwrap()["CachePolicy"]
            )
            .unwrap()
        );
        let set2 = PolicySet::from_json(&list).unwrap();
        assert_eq!(set2.cache.len(), 1);
        let both = format!("[{GET_CACHE_POLICY}, {list}]");
        assert_eq!(PolicySet::from_json(&both).unwrap().cache.len(), 1);
        // The managed file is list output with only managed entries: none of them is custom.
        let m = PolicySet::from_json(include_str!("managed_policies.json")).unwrap();
        assert!(m.is_empty());
    }

    #[test]
    fn errors_name_the_member() {
        let e = PolicySet::from_json(r#"{"CachePolicyConfig": {}}"#).unwrap_err();
        assert!(e.message.contains("get-cache-policy"), "{e}");
        let e = PolicySet::from_json(r#"{"Foo": 1}"#).unwrap_err();
        assert_eq!(e.path, "Foo");
        let bad = GET_CACHE_POLICY.replace("\"MinTTL\": 1", "\"MinTTL\": 1, \"MinTtl\": 2");
        let e = PolicySet::from_json(&bad).unwrap_err();
        assert_eq!(e.path, "CachePolicy.CachePolicyConfig.MinTtl");
        // The same wording as for distribution documents: the member and the closest name.
        assert!(e.message.contains("did you mean `MinTTL`"), "{e}");
    }

    #[test]
    fn unresolved_ids_are_reported_with_paths() {
        let cfg: DistributionConfig = serde_json::from_value(serde_json::json!({
            "CallerReference": "r", "Comment": "", "Enabled": true,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
            "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/api/*",
                "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "2766f7b2-75c5-41c6-8f06-bf4303a2f2f5",
                "OriginRequestPolicyId": "nope"}]}
        }))
        .unwrap();
        let none = PolicySet::default().unresolved(&cfg);
        assert_eq!(none.len(), 2);
        assert_eq!(none[0].path, "CacheBehaviors.Items[0].CachePolicyId");
        assert_eq!(none[1].kind, PolicyKind::OriginRequest);
        let set = PolicySet::from_json(GET_CACHE_POLICY).unwrap();
        let left = set.unresolved(&cfg);
        assert_eq!(left.len(), 1);
        assert!(left[0].to_string().contains("NoSuchOriginRequestPolicy"));
    }
}
