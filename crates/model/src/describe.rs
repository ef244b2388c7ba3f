//! Settings in words, for the console's read-only views: what a cache policy puts in the cache
//! key and how long it caches, what an origin request policy forwards, what a response headers
//! policy adds or removes, which protocols and ciphers a viewer security policy allows, how long
//! a number of seconds is, and the names of countries.
//!
//! ```
//! use cfconsole_model::describe::{country_name, human_seconds};
//! assert_eq!(human_seconds(31_536_000), "1 year");
//! assert_eq!(country_name("fr"), Some("France"));
//! ```

use std::sync::OnceLock;

use crate::list::List;
use crate::shapes::{
    CachePolicyConfig, CachePolicyCookieBehavior, CachePolicyHeaderBehavior,
    CachePolicyQueryStringBehavior, MinimumProtocolVersion, OriginRequestPolicyConfig,
    OriginRequestPolicyCookieBehavior, OriginRequestPolicyHeaderBehavior,
    OriginRequestPolicyQueryStringBehavior, ResponseHeadersPolicyConfig,
};

/// CloudFront's `DefaultTTL` when a cache policy leaves it out: one day.
const DEFAULT_TTL: i64 = 86_400;
/// CloudFront's `MaxTTL` when a cache policy leaves it out: one year.
const DEFAULT_MAX_TTL: i64 = 31_536_000;

/// A number of seconds in the largest unit that divides it exactly: `0 s`, `90 s`, `1 min`,
/// `2 h`, `1 day`, `7 days`, `1 year` (365 days), `100 years`.
pub fn human_seconds(seconds: i64) -> String {
    const UNITS: [(i64, &str, &str); 4] = [
        (31_536_000, "year", "years"),
        (86_400, "day", "days"),
        (3_600, "h", "h"),
        (60, "min", "min"),
    ];
    if seconds != 0 {
        for (size, one, many) in UNITS {
            if seconds % size == 0 {
                let n = seconds / size;
                let unit = if n == 1 { one } else { many };
                return format!("{n} {unit}");
            }
        }
    }
    format!("{seconds} s")
}

/// `` `a`, `b` `` for the names in a list (`none` when empty).
fn names(list: Option<&List<String>>) -> String {
    let items = list.map(List::items).unwrap_or_default();
    if items.is_empty() {
        return "none".into();
    }
    items
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cache policy in words: the cache key, the TTLs and the compressed encodings.
///
/// `["Cache key: path + query strings `v`, `lang`; headers none; cookies none",
///   "TTL 1 s to 1 year (default 1 day)", "Compression: gzip and br"]`
pub fn describe_cache_policy(policy: &CachePolicyConfig) -> Vec<String> {
    let mut out = Vec::new();
    let key = policy
        .parameters_in_cache_key_and_forwarded_to_origin
        .as_ref();
    match key {
        None => out.push("Cache key: path only; headers none; cookies none".into()),
        Some(k) => {
            let q = &k.query_strings_config;
            let qs = q.query_strings.as_ref();
            let path = match q.query_string_behavior {
                CachePolicyQueryStringBehavior::None => "path".to_string(),
                CachePolicyQueryStringBehavior::Whitelist => {
                    format!("path + query strings {}", names(qs))
                }
                CachePolicyQueryStringBehavior::AllExcept => {
                    format!("path + all query strings except {}", names(qs))
                }
                CachePolicyQueryStringBehavior::All => "path + all query strings".into(),
            };
            let h = &k.headers_config;
            let headers = match h.header_behavior {
                CachePolicyHeaderBehavior::None => "none".to_string(),
                CachePolicyHeaderBehavior::Whitelist => names(h.headers.as_ref()),
            };
            let c = &k.cookies_config;
            let cs = c.cookies.as_ref();
            let cookies = match c.cookie_behavior {
                CachePolicyCookieBehavior::None => "none".to_string(),
                CachePolicyCookieBehavior::Whitelist => names(cs),
                CachePolicyCookieBehavior::AllExcept => format!("all except {}", names(cs)),
                CachePolicyCookieBehavior::All => "all".into(),
            };
            out.push(format!(
                "Cache key: {path}; headers {headers}; cookies {cookies}"
            ));
        }
    }
    let min = policy.min_ttl;
    let max = policy.max_ttl.unwrap_or(DEFAULT_MAX_TTL);
    let default = policy.default_ttl.unwrap_or(DEFAULT_TTL);
    if max == 0 {
        out.push("Not cached (TTL 0): every request goes to the origin".into());
    } else {
        out.push(format!(
            "TTL {} to {} (default {})",
            human_seconds(min),
            human_seconds(max),
            human_seconds(default)
        ));
    }
    let gzip = key.is_some_and(|k| k.enable_accept_encoding_gzip);
    let br = key.is_some_and(|k| k.enable_accept_encoding_brotli == Some(true));
    out.push(
        match (gzip, br) {
            (true, true) => "Compression: gzip and br",
            (true, false) => "Compression: gzip",
            (false, true) => "Compression: br",
            (false, false) => "Compression: off (CloudFront does not compress)",
        }
        .into(),
    );
    out
}

/// An origin request policy in words: what it forwards to the origin besides the cache key.
///
/// `["Forwarded to origin: all viewer headers except `Host`; all cookies; all query strings"]`
pub fn describe_origin_request_policy(policy: &OriginRequestPolicyConfig) -> Vec<String> {
    let h = &policy.headers_config;
    let hs = h.headers.as_ref();
    let headers = match h.header_behavior {
        OriginRequestPolicyHeaderBehavior::None => "no headers".to_string(),
        OriginRequestPolicyHeaderBehavior::Whitelist => format!("headers {}", names(hs)),
        OriginRequestPolicyHeaderBehavior::AllViewer => "all viewer headers".into(),
        OriginRequestPolicyHeaderBehavior::AllViewerAndWhitelistCloudFront => {
            format!("all viewer headers and {}", names(hs))
        }
        OriginRequestPolicyHeaderBehavior::AllExcept => {
            format!("all viewer headers except {}", names(hs))
        }
    };
    let c = &policy.cookies_config;
    let cs = c.cookies.as_ref();
    let cookies = match c.cookie_behavior {
        OriginRequestPolicyCookieBehavior::None => "no cookies".to_string(),
        OriginRequestPolicyCookieBehavior::Whitelist => format!("cookies {}", names(cs)),
        OriginRequestPolicyCookieBehavior::All => "all cookies".into(),
        OriginRequestPolicyCookieBehavior::AllExcept => format!("all cookies except {}", names(cs)),
    };
    let q = &policy.query_strings_config;
    let qs = q.query_strings.as_ref();
    let queries = match q.query_string_behavior {
        OriginRequestPolicyQueryStringBehavior::None => "no query strings".to_string(),
        OriginRequestPolicyQueryStringBehavior::Whitelist => {
            format!("query strings {}", names(qs))
        }
        OriginRequestPolicyQueryStringBehavior::All => "all query strings".into(),
        OriginRequestPolicyQueryStringBehavior::AllExcept => {
            format!("all query strings except {}", names(qs))
        }
    };
    vec![format!(
        "Forwarded to origin: {headers}; {cookies}; {queries}"
    )]
}

/// ` (replaces the origin's)` when a header overrides the origin's, else nothing.
fn replaces(r#override: bool) -> &'static str {
    if r#override {
        " (replaces the origin's)"
    } else {
        ""
    }
}

/// A response headers policy in words: one line each for CORS, security headers, custom
/// headers, removed headers and Server-Timing, for those it sets.
pub fn describe_response_headers_policy(policy: &ResponseHeadersPolicyConfig) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = &policy.cors_config {
        let methods: Vec<&str> = c
            .access_control_allow_methods
            .iter()
            .map(|m| m.as_str())
            .collect();
        let mut line = format!(
            "CORS: origins {}; methods {}; headers {}; credentials {}",
            names(Some(&c.access_control_allow_origins)),
            if methods.is_empty() {
                "none".to_string()
            } else {
                methods.join(", ")
            },
            names(Some(&c.access_control_allow_headers)),
            if c.access_control_allow_credentials {
                "allowed"
            } else {
                "not allowed"
            },
        );
        if let Some(e) = c
            .access_control_expose_headers
            .as_ref()
            .filter(|l| !l.is_empty())
        {
            line.push_str(&format!("; exposes {}", names(Some(e))));
        }
        if let Some(age) = c.access_control_max_age_sec {
            line.push_str(&format!("; preflight cached {}", human_seconds(age.into())));
        }
        line.push_str(replaces(c.origin_override));
        out.push(line);
    }
    if let Some(s) = &policy.security_headers_config {
        let mut parts = Vec::new();
        if let Some(h) = &s.strict_transport_security {
            let mut v = format!("max-age={}", h.access_control_max_age_sec);
            if h.include_subdomains == Some(true) {
                v.push_str("; includeSubDomains");
            }
            if h.preload == Some(true) {
                v.push_str("; preload");
            }
            parts.push(format!(
                "Strict-Transport-Security `{v}` ({}){}",
                human_seconds(h.access_control_max_age_sec.into()),
                replaces(h.r#override)
            ));
        }
        if let Some(h) = &s.content_type_options {
            parts.push(format!(
                "X-Content-Type-Options `nosniff`{}",
                replaces(h.r#override)
            ));
        }
        if let Some(h) = &s.frame_options {
            parts.push(format!(
                "X-Frame-Options `{}`{}",
                h.frame_option,
                replaces(h.r#override)
            ));
        }
        if let Some(h) = &s.referrer_policy {
            parts.push(format!(
                "Referrer-Policy `{}`{}",
                h.referrer_policy,
                replaces(h.r#override)
            ));
        }
        if let Some(h) = &s.xss_protection {
            let mut v = if h.protection { "1" } else { "0" }.to_string();
            if h.protection && h.mode_block == Some(true) {
                v.push_str("; mode=block");
            } else if let Some(uri) = h.report_uri.as_deref().filter(|_| h.protection) {
                v.push_str(&format!("; report={uri}"));
            }
            parts.push(format!("X-XSS-Protection `{v}`{}", replaces(h.r#override)));
        }
        if let Some(h) = &s.content_security_policy {
            parts.push(format!(
                "Content-Security-Policy `{}`{}",
                h.content_security_policy,
                replaces(h.r#override)
            ));
        }
        if !parts.is_empty() {
            out.push(format!("Security headers: {}", parts.join("; ")));
        }
    }
    if let Some(l) = policy
        .custom_headers_config
        .as_ref()
        .filter(|l| !l.is_empty())
    {
        let parts: Vec<String> = l
            .iter()
            .map(|h| format!("`{}: {}`{}", h.header, h.value, replaces(h.r#override)))
            .collect();
        out.push(format!("Custom headers: {}", parts.join(", ")));
    }
    if let Some(l) = policy
        .remove_headers_config
        .as_ref()
        .filter(|l| !l.is_empty())
    {
        let parts: Vec<String> = l.iter().map(|h| format!("`{}`", h.header)).collect();
        out.push(format!("Removes headers: {}", parts.join(", ")));
    }
    if let Some(t) = policy
        .server_timing_headers_config
        .as_ref()
        .filter(|t| t.enabled)
    {
        let rate = t.sampling_rate.unwrap_or(0.0);
        out.push(format!("Server-Timing header on {rate}% of responses"));
    }
    if out.is_empty() {
        out.push("Adds and removes no headers".into());
    }
    out
}

/// The SSL/TLS protocols a viewer may use under each security policy, newest first (DG
/// *Supported protocols and ciphers between viewers and CloudFront*).
const PROTOCOLS_SSLV3: &[&str] = &["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"];
const PROTOCOLS_TLSV1: &[&str] = &["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"];
const PROTOCOLS_TLSV1_1: &[&str] = &["TLSv1.3", "TLSv1.2", "TLSv1.1"];
const PROTOCOLS_TLSV1_2: &[&str] = &["TLSv1.3", "TLSv1.2"];
const PROTOCOLS_TLSV1_3: &[&str] = &["TLSv1.3"];

/// The DG table's columns, most permissive first.
const POLICY_COLUMNS: [MinimumProtocolVersion; 9] = [
    MinimumProtocolVersion::SSLv3,
    MinimumProtocolVersion::TLSv1,
    MinimumProtocolVersion::TLSv1_2016,
    MinimumProtocolVersion::TLSv1_1_2016,
    MinimumProtocolVersion::TLSv1_2_2018,
    MinimumProtocolVersion::TLSv1_2_2019,
    MinimumProtocolVersion::TLSv1_2_2021,
    MinimumProtocolVersion::TLSv1_2_2025,
    MinimumProtocolVersion::TLSv1_3_2025,
];

/// The ciphers each column allows, in the table's order. Each array is checked against
/// the table of last columns in the tests.
const CIPHERS: [&[&str]; 9] = [
    // SSLv3
    &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
        "AES128-SHA256",
        "AES256-SHA",
        "AES128-SHA",
        "DES-CBC3-SHA",
        "RC4-MD5",
    ],
    // TLSv1
    &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
        "AES128-SHA256",
        "AES256-SHA",
        "AES128-SHA",
        "DES-CBC3-SHA",
    ],
    // TLSv1_2016
    TLSV1_2016_CIPHERS,
    // TLSv1.1_2016: the same ciphers, without TLSv1.
    TLSV1_2016_CIPHERS,
    // TLSv1.2_2018
    &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES256-SHA384",
        "AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
        "AES128-SHA256",
    ],
    // TLSv1.2_2019
    &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES256-SHA384",
    ],
    // TLSv1.2_2021
    &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ],
    // TLSv1.2_2025
    &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ],
    // TLSv1.3_2025
    &["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"],
];

const TLSV1_2016_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "AES128-SHA256",
    "AES256-SHA",
    "AES128-SHA",
];

fn column(policy: MinimumProtocolVersion) -> usize {
    POLICY_COLUMNS
        .iter()
        .position(|p| *p == policy)
        .unwrap_or(POLICY_COLUMNS.len() - 1)
}

/// The protocols (newest first) and ciphers (in CloudFront's order of preference, OpenSSL
/// names) that a viewer security policy allows, from the Developer Guide's table *Supported
/// protocols and ciphers between viewers and CloudFront*.
///
/// `TLSv1.2_2021` → `(["TLSv1.3", "TLSv1.2"], ["TLS_AES_128_GCM_SHA256", …,
/// "ECDHE-RSA-CHACHA20-POLY1305"])`.
pub fn describe_security_policy(
    policy: MinimumProtocolVersion,
) -> (&'static [&'static str], &'static [&'static str]) {
    use MinimumProtocolVersion as V;
    let protocols = match policy {
        V::SSLv3 => PROTOCOLS_SSLV3,
        V::TLSv1 | V::TLSv1_2016 => PROTOCOLS_TLSV1,
        V::TLSv1_1_2016 => PROTOCOLS_TLSV1_1,
        V::TLSv1_2_2018 | V::TLSv1_2_2019 | V::TLSv1_2_2021 | V::TLSv1_2_2025 => PROTOCOLS_TLSV1_2,
        V::TLSv1_3_2025 => PROTOCOLS_TLSV1_3,
    };
    (protocols, CIPHERS[column(policy)])
}

/// One sentence on who can connect under a viewer security policy and what it gives up.
pub fn security_policy_sentence(policy: MinimumProtocolVersion) -> &'static str {
    use MinimumProtocolVersion as V;
    match policy {
        V::SSLv3 => {
            "Allows SSLv3 and RC4 for the oldest clients; only for dedicated-IP certificates, and \
             broken by known attacks."
        }
        V::TLSv1 => {
            "Allows TLSv1 and 3DES for very old clients; what CloudFront uses with its default \
             certificate."
        }
        V::TLSv1_2016 => {
            "Allows TLSv1 for old clients, without the 3DES and RC4 ciphers of the older policies."
        }
        V::TLSv1_1_2016 => "Requires TLSv1.1 or later; still allows CBC-mode ciphers with SHA-1.",
        V::TLSv1_2_2018 => {
            "Requires TLSv1.2 or later; still allows non-forward-secret RSA ciphers."
        }
        V::TLSv1_2_2019 => {
            "Requires TLSv1.2 or later with forward-secret ECDHE ciphers; still allows CBC mode."
        }
        V::TLSv1_2_2021 => {
            "Requires TLSv1.2 or later with AEAD ciphers only (AES-GCM, ChaCha20-Poly1305); the \
             recommended policy for most sites."
        }
        V::TLSv1_2_2025 => {
            "Requires TLSv1.2 or later with AES-GCM ciphers only; drops ChaCha20 for TLSv1.2."
        }
        V::TLSv1_3_2025 => {
            "Requires TLSv1.3 with AES-GCM only; clients limited to TLSv1.2 cannot connect."
        }
    }
}

/// Every ISO 3166-1 alpha-2 code and its English short name, sorted by code (249 entries, from
/// the iso-codes package: `countries.tsv`). CloudFront's geo restriction takes these codes.
pub fn countries() -> &'static [(&'static str, &'static str)] {
    static COUNTRIES: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    COUNTRIES.get_or_init(|| {
        include_str!("countries.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .collect()
    })
}

/// The English short name of an ISO 3166-1 alpha-2 country code (case-insensitive, surrounding
/// spaces ignored): `FR` → `France`.
pub fn country_name(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_uppercase();
    let table = countries();
    table
        .binary_search_by(|(c, _)| (*c).cmp(code.as_str()))
        .ok()
        .map(|i| table[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policies::{
        managed_cache_policy, managed_origin_request_policy, managed_response_headers_policy,
    };
    use crate::shapes::*;

    /// Every cipher of the DG table, in its order (the order CloudFront prefers them), with the
    /// last column (index into [`POLICY_COLUMNS`]) whose policy still allows it: the table's
    /// columns run from the most to the least permissive, and each cipher is allowed by a prefix
    /// of them.
    const CIPHER_TABLE: &[(&str, usize)] = &[
        ("TLS_AES_128_GCM_SHA256", 8),
        ("TLS_AES_256_GCM_SHA384", 8),
        ("TLS_CHACHA20_POLY1305_SHA256", 7),
        ("ECDHE-ECDSA-AES128-GCM-SHA256", 7),
        ("ECDHE-ECDSA-AES128-SHA256", 5),
        ("ECDHE-ECDSA-AES128-SHA", 3),
        ("ECDHE-ECDSA-AES256-GCM-SHA384", 7),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", 6),
        ("ECDHE-ECDSA-AES256-SHA384", 5),
        ("ECDHE-ECDSA-AES256-SHA", 3),
        ("ECDHE-RSA-AES128-GCM-SHA256", 7),
        ("ECDHE-RSA-AES128-SHA256", 5),
        ("ECDHE-RSA-AES128-SHA", 3),
        ("ECDHE-RSA-AES256-GCM-SHA384", 7),
        ("ECDHE-RSA-CHACHA20-POLY1305", 6),
        ("ECDHE-RSA-AES256-SHA384", 5),
        ("ECDHE-RSA-AES256-SHA", 3),
        ("AES128-GCM-SHA256", 4),
        ("AES256-GCM-SHA384", 4),
        ("AES128-SHA256", 4),
        ("AES256-SHA", 3),
        ("AES128-SHA", 3),
        ("DES-CBC3-SHA", 1),
        ("RC4-MD5", 0),
    ];

    #[test]
    fn human_durations() {
        let rows: &[(i64, &str)] = &[
            (0, "0 s"),
            (1, "1 s"),
            (59, "59 s"),
            (60, "1 min"),
            (90, "90 s"),
            (120, "2 min"),
            (3_600, "1 h"),
            (5_400, "90 min"),
            (7_200, "2 h"),
            (86_400, "1 day"),
            (172_800, "2 days"),
            (604_800, "7 days"),
            (31_536_000, "1 year"),
            (63_072_000, "2 years"),
            (3_153_600_000, "100 years"),
            (31_536_001, "31536001 s"),
            (-60, "-1 min"),
        ];
        for (s, words) in rows {
            assert_eq!(human_seconds(*s), *words, "{s}");
        }
    }

    #[test]
    fn managed_cache_policies_in_words() {
        let rows: &[(&str, &[&str])] = &[
            (
                "CachingOptimized",
                &[
                    "Cache key: path; headers none; cookies none",
                    "TTL 1 s to 1 year (default 1 day)",
                    "Compression: gzip and br",
                ],
            ),
            (
                "CachingDisabled",
                &[
                    "Cache key: path; headers none; cookies none",
                    "Not cached (TTL 0): every request goes to the origin",
                    "Compression: off (CloudFront does not compress)",
                ],
            ),
            (
                "CachingOptimizedForUncompressedObjects",
                &[
                    "Cache key: path; headers none; cookies none",
                    "TTL 1 s to 1 year (default 1 day)",
                    "Compression: off (CloudFront does not compress)",
                ],
            ),
            (
                "UseOriginCacheControlHeaders-QueryStrings",
                &[
                    "Cache key: path + all query strings; headers `Host`, `Origin`, \
                     `X-HTTP-Method-Override`, `X-HTTP-Method`, `X-Method-Override`; cookies all",
                    "TTL 0 s to 1 year (default 0 s)",
                    "Compression: gzip and br",
                ],
            ),
        ];
        for (name, lines) in rows {
            let p = managed_cache_policy(name).unwrap();
            assert_eq!(
                describe_cache_policy(&p.cache_policy_config),
                *lines,
                "{name}"
            );
        }
    }

    #[test]
    fn custom_cache_policy_in_words() {
        let key = |q: CachePolicyQueryStringBehavior, c: CachePolicyCookieBehavior| {
            ParametersInCacheKeyAndForwardedToOrigin {
                enable_accept_encoding_gzip: true,
                enable_accept_encoding_brotli: None,
                headers_config: CachePolicyHeadersConfig {
                    header_behavior: CachePolicyHeaderBehavior::Whitelist,
                    headers: Some(List::new(vec!["Accept-Language".into()])),
                },
                cookies_config: CachePolicyCookiesConfig {
                    cookie_behavior: c,
                    cookies: Some(List::new(vec!["session".into()])),
                },
                query_strings_config: CachePolicyQueryStringsConfig {
                    query_string_behavior: q,
                    query_strings: Some(List::new(vec!["v".into(), "lang".into()])),
                },
            }
        };
        use CachePolicyCookieBehavior as C;
        use CachePolicyQueryStringBehavior as Q;
        type Row<'a> = (Q, C, i64, Option<i64>, Option<i64>, &'a [&'a str]);
        let rows: &[Row] = &[
            (
                Q::Whitelist,
                C::None,
                1,
                None,
                None,
                &[
                    "Cache key: path + query strings `v`, `lang`; headers `Accept-Language`; \
                     cookies none",
                    "TTL 1 s to 1 year (default 1 day)",
                    "Compression: gzip",
                ],
            ),
            (
                Q::AllExcept,
                C::AllExcept,
                0,
                Some(3_600),
                Some(86_400),
                &[
                    "Cache key: path + all query strings except `v`, `lang`; headers \
                     `Accept-Language`; cookies all except `session`",
                    "TTL 0 s to 1 day (default 1 h)",
                    "Compression: gzip",
                ],
            ),
            (
                Q::None,
                C::Whitelist,
                60,
                Some(60),
                Some(60),
                &[
                    "Cache key: path; headers `Accept-Language`; cookies `session`",
                    "TTL 1 min to 1 min (default 1 min)",
                    "Compression: gzip",
                ],
            ),
        ];
        for (q, c, min, default, max, lines) in rows {
            let p = CachePolicyConfig {
                name: "p".into(),
                min_ttl: *min,
                default_ttl: *default,
                max_ttl: *max,
                parameters_in_cache_key_and_forwarded_to_origin: Some(key(*q, *c)),
                ..Default::default()
            };
            assert_eq!(describe_cache_policy(&p), *lines, "{q:?} {c:?}");
        }
        let bare = CachePolicyConfig {
            name: "bare".into(),
            min_ttl: 0,
            max_ttl: Some(0),
            ..Default::default()
        };
        assert_eq!(
            describe_cache_policy(&bare)[0],
            "Cache key: path only; headers none; cookies none"
        );
    }

    #[test]
    fn origin_request_policies_in_words() {
        let rows: &[(&str, &str)] = &[
            (
                "AllViewerExceptHostHeader",
                "Forwarded to origin: all viewer headers except `Host`; all cookies; all query \
                 strings",
            ),
            (
                "AllViewer",
                "Forwarded to origin: all viewer headers; all cookies; all query strings",
            ),
            (
                "CORS-S3Origin",
                "Forwarded to origin: headers `Origin`, `Access-Control-Request-Headers`, \
                 `Access-Control-Request-Method`; no cookies; no query strings",
            ),
            (
                "UserAgentRefererHeaders",
                "Forwarded to origin: headers `User-Agent`, `Referer`; no cookies; no query \
                 strings",
            ),
        ];
        for (name, line) in rows {
            let p = managed_origin_request_policy(name).unwrap();
            assert_eq!(
                describe_origin_request_policy(&p.origin_request_policy_config),
                [*line],
                "{name}"
            );
        }
        let p = managed_origin_request_policy("AllViewerAndCloudFrontHeaders-2022-06").unwrap();
        let line = &describe_origin_request_policy(&p.origin_request_policy_config)[0];
        assert!(
            line.starts_with("Forwarded to origin: all viewer headers and `CloudFront-"),
            "{line}"
        );
        let custom = OriginRequestPolicyConfig {
            name: "c".into(),
            headers_config: OriginRequestPolicyHeadersConfig {
                header_behavior: OriginRequestPolicyHeaderBehavior::None,
                headers: None,
            },
            cookies_config: OriginRequestPolicyCookiesConfig {
                cookie_behavior: OriginRequestPolicyCookieBehavior::AllExcept,
                cookies: Some(List::new(vec!["tracking".into()])),
            },
            query_strings_config: OriginRequestPolicyQueryStringsConfig {
                query_string_behavior: OriginRequestPolicyQueryStringBehavior::Whitelist,
                query_strings: Some(List::new(vec!["page".into()])),
            },
            ..Default::default()
        };
        assert_eq!(
            describe_origin_request_policy(&custom),
            [
                "Forwarded to origin: no headers; all cookies except `tracking`; query strings \
              `page`"
            ]
        );
    }

    #[test]
    fn response_headers_policies_in_words() {
        let rows: &[(&str, &[&str])] = &[
            (
                "SimpleCORS",
                &["CORS: origins `*`; methods ALL; headers `*`; credentials not allowed"],
            ),
            (
                "CORS-With-Preflight",
                &[
                    "CORS: origins `*`; methods DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT; \
                   headers `*`; credentials not allowed; exposes `*`",
                ],
            ),
            (
                "SecurityHeadersPolicy",
                &[
                    "Security headers: Strict-Transport-Security `max-age=31536000` (1 year); \
                   X-Content-Type-Options `nosniff`; X-Frame-Options `SAMEORIGIN`; \
                   Referrer-Policy `strict-origin-when-cross-origin`; X-XSS-Protection \
                   `1; mode=block`",
                ],
            ),
        ];
        for (name, lines) in rows {
            let p = managed_response_headers_policy(name).unwrap();
            assert_eq!(
                describe_response_headers_policy(&p.response_headers_policy_config),
                *lines,
                "{name}"
            );
        }
        let custom = ResponseHeadersPolicyConfig {
            name: "c".into(),
            cors_config: Some(ResponseHeadersPolicyCorsConfig {
                access_control_allow_origins: List::new(vec!["https://example.com".into()]),
                access_control_allow_headers: List::new(vec!["Authorization".into()]),
                access_control_allow_methods: List::new(vec![
                    ResponseHeadersPolicyAccessControlAllowMethodsValues::GET,
                ]),
                access_control_allow_credentials: true,
                access_control_expose_headers: None,
                access_control_max_age_sec: Some(600),
                origin_override: true,
            }),
            security_headers_config: Some(ResponseHeadersPolicySecurityHeadersConfig {
                strict_transport_security: Some(ResponseHeadersPolicyStrictTransportSecurity {
                    r#override: true,
                    include_subdomains: Some(true),
                    preload: Some(true),
                    access_control_max_age_sec: 63_072_000,
                }),
                content_security_policy: Some(ResponseHeadersPolicyContentSecurityPolicy {
                    r#override: false,
                    content_security_policy: "default-src 'self'".into(),
                }),
                ..Default::default()
            }),
            server_timing_headers_config: Some(ResponseHeadersPolicyServerTimingHeadersConfig {
                enabled: true,
                sampling_rate: Some(12.5),
            }),
            custom_headers_config: Some(List::new(vec![ResponseHeadersPolicyCustomHeader {
                header: "X-Team".into(),
                value: "web".into(),
                r#override: false,
            }])),
            remove_headers_config: Some(List::new(vec![
                ResponseHeadersPolicyRemoveHeader {
                    header: "Server".into(),
                },
                ResponseHeadersPolicyRemoveHeader {
                    header: "X-Powered-By".into(),
                },
            ])),
            ..Default::default()
        };
        assert_eq!(
            describe_response_headers_policy(&custom),
            [
                "CORS: origins `https://example.com`; methods GET; headers `Authorization`; \
                 credentials allowed; preflight cached 10 min (replaces the origin's)",
                "Security headers: Strict-Transport-Security `max-age=63072000; \
                 includeSubDomains; preload` (2 years) (replaces the origin's); \
                 Content-Security-Policy `default-src 'self'`",
                "Custom headers: `X-Team: web`",
                "Removes headers: `Server`, `X-Powered-By`",
                "Server-Timing header on 12.5% of responses",
            ]
        );
        let empty = ResponseHeadersPolicyConfig {
            name: "e".into(),
            ..Default::default()
        };
        assert_eq!(
            describe_response_headers_policy(&empty),
            ["Adds and removes no headers"]
        );
    }

    #[test]
    fn security_policies_follow_the_developer_guide_table() {
        use MinimumProtocolVersion as V;
        // (policy, protocols, number of ciphers, a cipher it allows, one it does not)
        type Row<'a> = (V, &'a [&'a str], usize, &'a str, Option<&'a str>);
        let rows: &[Row] = &[
            (
                V::SSLv3,
                &["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"],
                24,
                "RC4-MD5",
                None,
            ),
            (
                V::TLSv1,
                &["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"],
                23,
                "DES-CBC3-SHA",
                Some("RC4-MD5"),
            ),
            (
                V::TLSv1_2016,
                &["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"],
                22,
                "AES128-SHA",
                Some("DES-CBC3-SHA"),
            ),
            (
                V::TLSv1_1_2016,
                &["TLSv1.3", "TLSv1.2", "TLSv1.1"],
                22,
                "ECDHE-RSA-AES256-SHA",
                Some("DES-CBC3-SHA"),
            ),
            (
                V::TLSv1_2_2018,
                &["TLSv1.3", "TLSv1.2"],
                16,
                "AES128-GCM-SHA256",
                Some("ECDHE-RSA-AES128-SHA"),
            ),
            (
                V::TLSv1_2_2019,
                &["TLSv1.3", "TLSv1.2"],
                13,
                "ECDHE-RSA-AES128-SHA256",
                Some("AES128-GCM-SHA256"),
            ),
            (
                V::TLSv1_2_2021,
                &["TLSv1.3", "TLSv1.2"],
                9,
                "ECDHE-RSA-AES128-GCM-SHA256",
                Some("ECDHE-RSA-AES128-SHA256"),
            ),
            (
                V::TLSv1_2_2025,
                &["TLSv1.3", "TLSv1.2"],
                7,
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                Some("ECDHE-RSA-CHACHA20-POLY1305"),
            ),
            (
                V::TLSv1_3_2025,
                &["TLSv1.3"],
                2,
                "TLS_AES_256_GCM_SHA384",
                Some("TLS_CHACHA20_POLY1305_SHA256"),
            ),
        ];
        assert_eq!(rows.len(), V::VARIANTS.len());
        for (policy, protocols, n, allowed, refused) in rows {
            let (p, c) = describe_security_policy(*policy);
            assert_eq!(p, *protocols, "{policy}");
            assert_eq!(c.len(), *n, "{policy}");
            assert!(c.contains(allowed), "{policy}: {allowed}");
            if let Some(r) = refused {
                assert!(!c.contains(r), "{policy}: {r}");
            }
            assert!(security_policy_sentence(*policy).ends_with('.'));
        }
        // Every column agrees with the table of last columns, in the table's order.
        for (col, policy) in POLICY_COLUMNS.iter().enumerate() {
            let expected: Vec<&str> = CIPHER_TABLE
                .iter()
                .filter(|(_, last)| col <= *last)
                .map(|(name, _)| *name)
                .collect();
            assert_eq!(describe_security_policy(*policy).1, expected, "{policy}");
        }
    }

    #[test]
    fn country_names_cover_iso_3166_1() {
        let table = countries();
        assert_eq!(table.len(), 249, "every ISO 3166-1 alpha-2 code");
        assert!(
            table.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted by code, no duplicates (binary search)"
        );
        assert!(table.iter().all(|(c, n)| c.len() == 2
            && c.bytes().all(|b| b.is_ascii_uppercase())
            && !n.is_empty()));
        let rows = [
            ("US", Some("United States")),
            ("fr", Some("France")),
            (" de ", Some("Germany")),
            ("GB", Some("United Kingdom")),
            ("AD", Some("Andorra")),
            ("ZW", Some("Zimbabwe")),
            ("CI", Some("Côte d'Ivoire")),
            ("XK", None),
            ("UK", None),
            ("", None),
            ("USA", None),
        ];
        for (code, name) in rows {
            assert_eq!(country_name(code), name, "{code:?}");
        }
    }
}
