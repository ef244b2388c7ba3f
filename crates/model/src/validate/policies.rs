//! Custom policies given by the user (`--policies`): cache policy TTL order (T-9), name quotas
//! (§17), CloudFront headers a cache key cannot hold (K-6), `Authorization` in an origin request
//! policy (K-9), and response headers policies (CORS, X-8). Paths start at the policy:
//! `CachePolicy[ID].CachePolicyConfig.MinTTL`.

use crate::finding::Finding;
use crate::list::List;
use crate::policies::PolicySet;
use crate::shapes::ResponseHeadersPolicyConfig;

/// spec §17: names per list, and the combined length of all names of a policy.
const MAX_NAMES: usize = 10;
const MAX_COMBINED: usize = 1_024;
/// spec K-6: CloudFront headers allowed in an origin request policy but not in a cache key.
const NOT_IN_CACHE_KEY: &[&str] = &[
    "cloudfront-viewer-address",
    "cloudfront-viewer-asn",
    "cloudfront-viewer-ja3-fingerprint",
    "cloudfront-viewer-tls",
];
/// spec X-8: response headers a policy can never remove.
const NOT_REMOVABLE: &[&str] = &[
    "via",
    "x-cache",
    "content-length",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "date",
    "server",
    "upgrade",
    "trailer",
    "warning",
    "proxy-authenticate",
    "proxy-connection",
];

/// Validates the custom policies of `set` (managed ones are AWS's and not checked).
pub fn validate_policies(set: &PolicySet) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, p) in &set.cache {
        let base = format!("CachePolicy[{id}].CachePolicyConfig");
        let c = &p.cache_policy_config;
        if let Some((member, msg)) =
            super::behaviors::ttl_order(Some(c.min_ttl), c.default_ttl, c.max_ttl)
        {
            out.push(Finding::error(
                format!("{base}.{member}"),
                "InvalidTTLOrder",
                msg,
            ));
        }
        let Some(k) = &c.parameters_in_cache_key_and_forwarded_to_origin else {
            continue;
        };
        let k_base = format!("{base}.ParametersInCacheKeyAndForwardedToOrigin");
        let headers = k.headers_config.headers.as_ref();
        let cookies = k.cookies_config.cookies.as_ref();
        let queries = k.query_strings_config.query_strings.as_ref();
        names(
            &format!("{k_base}.HeadersConfig.Headers"),
            headers,
            "TooManyHeadersInCachePolicy",
            "headers",
            &mut out,
        );
        names(
            &format!("{k_base}.CookiesConfig.Cookies"),
            cookies,
            "TooManyCookiesInCachePolicy",
            "cookies",
            &mut out,
        );
        names(
            &format!("{k_base}.QueryStringsConfig.QueryStrings"),
            queries,
            "TooManyQueryStringsInCachePolicy",
            "query strings",
            &mut out,
        );
        combined(&k_base, [headers, cookies, queries], &mut out);
        for (i, h) in headers
            .map(List::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if NOT_IN_CACHE_KEY.contains(&h.to_ascii_lowercase().as_str()) {
                out.push(Finding::error(
                    format!("{k_base}.HeadersConfig.Headers.Items[{i}]"),
                    "InvalidArgument",
                    format!(
                        "{h} cannot be part of a cache key (spec K-6); forward it with an origin \
                         request policy instead"
                    ),
                ));
            }
        }
    }
    for (id, p) in &set.origin_request {
        let base = format!("OriginRequestPolicy[{id}].OriginRequestPolicyConfig");
        let c = &p.origin_request_policy_config;
        let headers = c.headers_config.headers.as_ref();
        let cookies = c.cookies_config.cookies.as_ref();
        let queries = c.query_strings_config.query_strings.as_ref();
        names(
            &format!("{base}.HeadersConfig.Headers"),
            headers,
            "TooManyHeadersInOriginRequestPolicy",
            "headers",
            &mut out,
        );
        names(
            &format!("{base}.CookiesConfig.Cookies"),
            cookies,
            "TooManyCookiesInOriginRequestPolicy",
            "cookies",
            &mut out,
        );
        names(
            &format!("{base}.QueryStringsConfig.QueryStrings"),
            queries,
            "TooManyQueryStringsInOriginRequestPolicy",
            "query strings",
            &mut out,
        );
        combined(&base, [headers, cookies, queries], &mut out);
        for (i, h) in headers
            .map(List::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if h.eq_ignore_ascii_case("authorization") {
                out.push(Finding::error(
                    format!("{base}.HeadersConfig.Headers.Items[{i}]"),
                    "InvalidArgument",
                    "Authorization cannot be listed in an origin request policy (spec K-9); put \
                     it in the cache policy's key, or forward all viewer headers",
                ));
            }
        }
    }
    for (id, p) in &set.response_headers {
        response_headers(
            &format!("ResponseHeadersPolicy[{id}].ResponseHeadersPolicyConfig"),
            &p.response_headers_policy_config,
            &mut out,
        );
    }
    out
}

fn names(
    path: &str,
    list: Option<&List<String>>,
    code: &'static str,
    what: &str,
    out: &mut Vec<Finding>,
) {
    let n = list.map_or(0, List::len);
    if n > MAX_NAMES {
        out.push(Finding::error(
            format!("{path}.Quantity"),
            code,
            format!("{n} {what}; a policy accepts at most {MAX_NAMES} by default quota"),
        ));
    }
}

fn combined(base: &str, lists: [Option<&List<String>>; 3], out: &mut Vec<Finding>) {
    let total: usize = lists
        .iter()
        .flatten()
        .flat_map(|l| l.iter())
        .map(|s| s.chars().count())
        .sum();
    if total > MAX_COMBINED {
        out.push(Finding::error(
            base,
            "InvalidArgument",
            format!(
                "the header, cookie and query string names total {total} characters; at most \
                 {MAX_COMBINED} are accepted (spec §17)"
            ),
        ));
    }
}

fn response_headers(base: &str, c: &ResponseHeadersPolicyConfig, out: &mut Vec<Finding>) {
    if let Some(cors) = &c.cors_config {
        let any_origin = cors.access_control_allow_origins.iter().any(|o| o == "*");
        if cors.access_control_allow_credentials && any_origin {
            out.push(Finding::error(
                format!("{base}.CorsConfig.AccessControlAllowCredentials"),
                "InvalidArgument",
                "Access-Control-Allow-Credentials cannot be true when any origin (`*`) is \
                 allowed; list the allowed origins explicitly",
            ));
        }
        if cors.access_control_allow_origins.is_empty() {
            out.push(Finding::error(
                format!("{base}.CorsConfig.AccessControlAllowOrigins"),
                "InvalidArgument",
                "no allowed origin is listed; list origins or `*`",
            ));
        }
    }
    if let Some(remove) = &c.remove_headers_config {
        for (i, h) in remove.items().iter().enumerate() {
            let lower = h.header.to_ascii_lowercase();
            if NOT_REMOVABLE.contains(&lower.as_str()) || lower.starts_with("x-amz-cf-") {
                out.push(Finding::error(
                    format!("{base}.RemoveHeadersConfig.Items[{i}].Header"),
                    "InvalidArgument",
                    format!(
                        "{} cannot be removed by a response headers policy (spec X-8)",
                        h.header
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::validate_policies;
    use crate::List;
    use crate::finding::Severity::Error;
    use crate::policies::{
        PolicySet, managed_cache_policies, managed_origin_request_policies,
        managed_response_headers_policies,
    };
    use crate::shapes::*;
    use crate::validate::testutil::assert_has;

    fn set() -> PolicySet {
        let mut s = PolicySet::default();
        let mut c = managed_cache_policies()[0].clone();
        c.id = "cp".into();
        s.cache.insert("cp".into(), c);
        let mut o = managed_origin_request_policies()[0].clone();
        o.id = "orp".into();
        s.origin_request.insert("orp".into(), o);
        let mut r = managed_response_headers_policies()[0].clone();
        r.id = "rhp".into();
        s.response_headers.insert("rhp".into(), r);
        s
    }

    type Break = fn(&mut PolicySet);

    fn key(s: &mut PolicySet) -> &mut ParametersInCacheKeyAndForwardedToOrigin {
        s.cache
            .get_mut("cp")
            .unwrap()
            .cache_policy_config
            .parameters_in_cache_key_and_forwarded_to_origin
            .as_mut()
            .unwrap()
    }
    fn orp(s: &mut PolicySet) -> &mut OriginRequestPolicyConfig {
        &mut s
            .origin_request
            .get_mut("orp")
            .unwrap()
            .origin_request_policy_config
    }
    fn names(n: usize, len: usize) -> Option<List<String>> {
        Some((0..n).map(|i| format!("{i:0len$}")).collect())
    }
    fn listed(names: &[&str]) -> Option<List<String>> {
        Some(names.iter().map(|n| n.to_string()).collect())
    }
    fn key_headers(s: &mut PolicySet, headers: Option<List<String>>) {
        let h = &mut key(s).headers_config;
        h.header_behavior = CachePolicyHeaderBehavior::Whitelist;
        h.headers = headers;
    }
    fn orp_headers(s: &mut PolicySet, headers: Option<List<String>>) {
        let h = &mut orp(s).headers_config;
        h.header_behavior = OriginRequestPolicyHeaderBehavior::Whitelist;
        h.headers = headers;
    }
    fn rhp(s: &mut PolicySet) -> &mut ResponseHeadersPolicyConfig {
        &mut s
            .response_headers
            .get_mut("rhp")
            .unwrap()
            .response_headers_policy_config
    }

    #[test]
    fn managed_copies_are_valid() {
        let f = validate_policies(&set());
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn table() {
        const K: &str =
            "CachePolicy[cp].CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin";
        const O: &str = "OriginRequestPolicy[orp].OriginRequestPolicyConfig";
        const R: &str = "ResponseHeadersPolicy[rhp].ResponseHeadersPolicyConfig";
        let rows: &[(&str, Break, String, &str)] = &[
            (
                "T-9 policy TTL order",
                |s| s.cache.get_mut("cp").unwrap().cache_policy_config.min_ttl = 999_999_999,
                "CachePolicy[cp].CachePolicyConfig.MinTTL".into(),
                "InvalidTTLOrder",
            ),
            (
                "§17 headers",
                |s| key_headers(s, names(11, 3)),
                format!("{K}.HeadersConfig.Headers.Quantity"),
                "TooManyHeadersInCachePolicy",
            ),
            (
                "§17 cookies",
                |s| {
                    let h = &mut key(s).cookies_config;
                    h.cookie_behavior = CachePolicyCookieBehavior::Whitelist;
                    h.cookies = names(11, 3);
                },
                format!("{K}.CookiesConfig.Cookies.Quantity"),
                "TooManyCookiesInCachePolicy",
            ),
            (
                "§17 query strings",
                |s| {
                    let h = &mut key(s).query_strings_config;
                    h.query_string_behavior = CachePolicyQueryStringBehavior::Whitelist;
                    h.query_strings = names(11, 3);
                },
                format!("{K}.QueryStringsConfig.QueryStrings.Quantity"),
                "TooManyQueryStringsInCachePolicy",
            ),
            (
                "§17 combined length",
                |s| {
                    key(s).cookies_config.cookies = names(10, 60);
                    key(s).query_strings_config.query_strings = names(10, 60);
                },
                K.into(),
                "InvalidArgument",
            ),
            (
                "K-6 viewer address in key",
                |s| key_headers(s, listed(&["CloudFront-Viewer-Address"])),
                format!("{K}.HeadersConfig.Headers.Items[0]"),
                "InvalidArgument",
            ),
            (
                "K-6 viewer ASN in key",
                |s| key_headers(s, listed(&["cloudfront-viewer-asn"])),
                format!("{K}.HeadersConfig.Headers.Items[0]"),
                "InvalidArgument",
            ),
            (
                "K-6 JA3 fingerprint in key",
                |s| {
                    let h = [
                        "CloudFront-Viewer-Country",
                        "CloudFront-Viewer-JA3-Fingerprint",
                    ];
                    key_headers(s, listed(&h));
                },
                format!("{K}.HeadersConfig.Headers.Items[1]"),
                "InvalidArgument",
            ),
            (
                "K-6 viewer TLS in key",
                |s| key_headers(s, listed(&["CLOUDFRONT-VIEWER-TLS"])),
                format!("{K}.HeadersConfig.Headers.Items[0]"),
                "InvalidArgument",
            ),
            (
                "K-9 Authorization in ORP",
                |s| orp_headers(s, listed(&["authorization"])),
                format!("{O}.HeadersConfig.Headers.Items[0]"),
                "InvalidArgument",
            ),
            (
                "§17 ORP headers",
                |s| orp_headers(s, names(11, 3)),
                format!("{O}.HeadersConfig.Headers.Quantity"),
                "TooManyHeadersInOriginRequestPolicy",
            ),
            (
                "CORS credentials with *",
                |s| {
                    rhp(s).cors_config = Some(ResponseHeadersPolicyCorsConfig {
                        access_control_allow_origins: List::new(vec!["*".into()]),
                        access_control_allow_credentials: true,
                        ..Default::default()
                    });
                },
                format!("{R}.CorsConfig.AccessControlAllowCredentials"),
                "InvalidArgument",
            ),
            (
                "CORS without origins",
                |s| rhp(s).cors_config = Some(ResponseHeadersPolicyCorsConfig::default()),
                format!("{R}.CorsConfig.AccessControlAllowOrigins"),
                "InvalidArgument",
            ),
            (
                "X-8 remove Via",
                |s| {
                    let via = ResponseHeadersPolicyRemoveHeader {
                        header: "Via".into(),
                    };
                    rhp(s).remove_headers_config = Some(List::new(vec![via]));
                },
                format!("{R}.RemoveHeadersConfig.Items[0].Header"),
                "InvalidArgument",
            ),
        ];
        for (row, brk, path, code) in rows {
            let mut s = set();
            brk(&mut s);
            assert_has(row, &validate_policies(&s), path, Error, Some(code));
        }
    }
}
