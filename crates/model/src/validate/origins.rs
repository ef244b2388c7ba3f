//! Origins (spec §13, H-7) and origin groups (§14): ids, origin types, paths, timeouts, ports,
//! custom headers, S3 access identities and controls, origin groups' members and failover codes,
//! and origins that nothing uses (P-11).

use std::collections::{HashMap, HashSet};

use crate::finding::Finding;
use crate::origin_kind::{OriginKind, recognize};
use crate::shapes::{DistributionConfig, Origin};

/// spec §17: origins and origin groups per distribution.
const MAX_ORIGINS: usize = crate::quotas::ORIGINS_PER_DISTRIBUTION;
const MAX_ORIGIN_GROUPS: usize = crate::quotas::ORIGIN_GROUPS_PER_DISTRIBUTION;
/// spec H-7, §17.
const MAX_CUSTOM_HEADERS: usize = crate::quotas::ORIGIN_CUSTOM_HEADERS;
const MAX_HEADER_NAME: usize = 256;
const MAX_HEADER_VALUE: usize = 1_783;
const MAX_HEADERS_TOTAL: usize = 10_240;
/// spec H-7: names an origin custom header may not have (compared case-insensitively).
const FORBIDDEN_HEADERS: &[&str] = &[
    "cache-control",
    "connection",
    "content-length",
    "cookie",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "pragma",
    "proxy-authorization",
    "proxy-connection",
    "range",
    "request-range",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "x-real-ip",
];
/// spec F-1: the statuses an origin group may fail over on.
const FAILOVER_CODES: &[i32] = &[400, 403, 404, 416, 500, 502, 503, 504];

pub(super) fn check(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let origins = c.origins.items();
    // spec S-1.
    if origins.is_empty() {
        out.push(Finding::error(
            "Origins",
            "InvalidArgument",
            "the distribution has no origin; add at least one",
        ));
    }
    if origins.len() > MAX_ORIGINS {
        out.push(Finding::error(
            "Origins.Quantity",
            "TooManyOrigins",
            format!(
                "{} origins; a distribution accepts at most {MAX_ORIGINS} by default quota",
                origins.len()
            ),
        ));
    }
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, o) in origins.iter().enumerate() {
        let base = format!("Origins.Items[{i}]");
        if o.id.is_empty() {
            out.push(Finding::error(
                format!("{base}.Id"),
                "InvalidArgument",
                "the origin Id is empty; give each origin a unique Id",
            ));
        } else if let Some(first) = ids.insert(&o.id, i) {
            ids.insert(&o.id, first);
            out.push(Finding::error(
                format!("{base}.Id"),
                "InvalidArgument",
                format!(
                    "origin Id {:?} is already used by Origins.Items[{first}]; origin Ids must be \
                     unique",
                    o.id
                ),
            ));
        }
        origin(o, &base, out);
    }
    groups(c, &ids, out);
    unused(c, out);
}

fn origin(o: &Origin, base: &str, out: &mut Vec<Finding>) {
    if o.domain_name.trim().is_empty() {
        out.push(Finding::error(
            format!("{base}.DomainName"),
            "InvalidArgument",
            "the origin DomainName is empty; give the bucket or server's DNS name",
        ));
    }
    // Exactly one origin type (API `Origin`: S3OriginConfig, CustomOriginConfig or
    // VpcOriginConfig).
    let kinds = [
        o.s3_origin_config.is_some(),
        o.custom_origin_config.is_some(),
        o.vpc_origin_config.is_some(),
    ]
    .into_iter()
    .filter(|k| *k)
    .count();
    if kinds != 1 {
        out.push(Finding::error(
            base,
            "InvalidArgument",
            format!(
                "the origin has {kinds} of S3OriginConfig, CustomOriginConfig and \
                 VpcOriginConfig; give exactly one (CustomOriginConfig for S3 website endpoints \
                 and any HTTP server)"
            ),
        ));
    }
    // spec O-1, §13.
    if let Some(p) = o.origin_path.as_deref().filter(|p| !p.is_empty()) {
        if !p.starts_with('/') {
            out.push(Finding::error(
                format!("{base}.OriginPath"),
                "InvalidArgument",
                format!("the origin path {p:?} must start with `/`: write \"/{p}\""),
            ));
        } else if p.ends_with('/') {
            out.push(Finding::error(
                format!("{base}.OriginPath"),
                "InvalidArgument",
                format!(
                    "the origin path {p:?} must not end with `/`: write {:?}",
                    p.trim_end_matches('/')
                ),
            ));
        }
    }
    // spec §13, §17.
    range(
        o.connection_attempts,
        1,
        3,
        &format!("{base}.ConnectionAttempts"),
        "InvalidArgument",
        "",
        out,
    );
    range(
        o.connection_timeout,
        1,
        10,
        &format!("{base}.ConnectionTimeout"),
        "InvalidArgument",
        " seconds",
        out,
    );
    let (read, keepalive, at) = if let Some(c) = &o.custom_origin_config {
        (
            c.origin_read_timeout,
            c.origin_keepalive_timeout,
            format!("{base}.CustomOriginConfig"),
        )
    } else if let Some(v) = &o.vpc_origin_config {
        (
            v.origin_read_timeout,
            v.origin_keepalive_timeout,
            format!("{base}.VpcOriginConfig"),
        )
    } else if let Some(s) = &o.s3_origin_config {
        (
            s.origin_read_timeout,
            None,
            format!("{base}.S3OriginConfig"),
        )
    } else {
        (None, None, String::new())
    };
    timeout(
        read,
        &format!("{at}.OriginReadTimeout"),
        "InvalidOriginReadTimeout",
        out,
    );
    timeout(
        keepalive,
        &format!("{at}.OriginKeepaliveTimeout"),
        "InvalidOriginKeepaliveTimeout",
        out,
    );
    if let Some(c) = &o.custom_origin_config {
        for (port, name, default) in [
            (c.http_port, "HTTPPort", 80),
            (c.https_port, "HTTPSPort", 443),
        ] {
            if port != default && !(1024..=65535).contains(&port) {
                out.push(Finding::error(
                    format!("{base}.CustomOriginConfig.{name}"),
                    "InvalidArgument",
                    format!("port {port} is not accepted; use {default} or 1024-65535"),
                ));
            }
        }
        if let Some(p) = &c.origin_ssl_protocols
            && p.is_empty()
        {
            out.push(Finding::error(
                format!("{base}.CustomOriginConfig.OriginSslProtocols"),
                "InvalidArgument",
                "no SSL/TLS protocol is allowed towards the origin; list at least TLSv1.2",
            ));
        }
    }
    headers(o, base, out);
    // issue 11 item 7: a website endpoint is not a bucket's REST endpoint; CloudFront refuses it
    // under S3OriginConfig.
    if o.s3_origin_config.is_some() && recognize(&o.domain_name) == OriginKind::S3Website {
        out.push(Finding::error(
            format!("{base}.DomainName"),
            "InvalidArgument",
            format!(
                "{:?} is an S3 website endpoint, and under S3OriginConfig CloudFront answers \
                 that the domain does not refer to a valid S3 bucket; use a CustomOriginConfig \
                 with OriginProtocolPolicy http-only (website endpoints have no HTTPS), or the \
                 bucket's REST endpoint (bucket.s3.<region>.amazonaws.com) to keep S3OriginConfig",
                o.domain_name
            ),
        ));
    }
    if let Some(s3) = &o.s3_origin_config {
        let oai = s3.origin_access_identity.as_str();
        let ok = oai.is_empty()
            || oai
                .strip_prefix("origin-access-identity/cloudfront/")
                .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()));
        if !ok {
            out.push(Finding::error(
                format!("{base}.S3OriginConfig.OriginAccessIdentity"),
                "InvalidOriginAccessIdentity",
                format!(
                    "{oai:?} is not an origin access identity; write \
                     `origin-access-identity/cloudfront/ID`, or \"\" for none"
                ),
            ));
        }
        let oac = o.origin_access_control_id.as_deref().unwrap_or("");
        if !oac.is_empty() && !oai.is_empty() {
            out.push(Finding::error(
                format!("{base}.S3OriginConfig.OriginAccessIdentity"),
                "IllegalOriginAccessConfiguration",
                "an origin cannot use both an origin access control and an origin access \
                 identity; set OriginAccessIdentity to \"\" when OriginAccessControlId is set",
            ));
        }
    }
    if let Some(s) = &o.origin_shield
        && s.enabled
        && s.origin_shield_region
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        out.push(Finding::error(
            format!("{base}.OriginShield.OriginShieldRegion"),
            "InvalidArgument",
            "Origin Shield is enabled without a Region; give the AWS Region code closest \
                 to the origin (us-east-2)",
        ));
    }
}

fn range(
    v: Option<i32>,
    min: i32,
    max: i32,
    path: &str,
    code: &'static str,
    unit: &str,
    out: &mut Vec<Finding>,
) {
    if let Some(v) = v.filter(|v| !(min..=max).contains(v)) {
        out.push(Finding::error(
            path,
            code,
            format!("{v}{unit} is out of range; accepted: {min} to {max}{unit}"),
        ));
    }
}

/// spec §13, §19-7: 1-180 s accepted, above 60 s only with a raised quota.
/// The response and keep-alive timeouts: 1-120 seconds, CloudFront's quota since 2025
/// (`quotas::ORIGIN_RESPONSE_TIMEOUT_SECONDS`), with no warning inside it.
fn timeout(v: Option<i32>, path: &str, code: &'static str, out: &mut Vec<Finding>) {
    let r = crate::quotas::ORIGIN_RESPONSE_TIMEOUT_SECONDS;
    debug_assert_eq!(r, crate::quotas::ORIGIN_KEEPALIVE_TIMEOUT_SECONDS);
    range(v, *r.start(), *r.end(), path, code, " seconds", out);
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// spec H-7, §17.
fn headers(o: &Origin, base: &str, out: &mut Vec<Finding>) {
    let Some(list) = &o.custom_headers else {
        return;
    };
    let items = list.items();
    if items.len() > MAX_CUSTOM_HEADERS {
        out.push(Finding::error(
            format!("{base}.CustomHeaders.Quantity"),
            "TooManyOriginCustomHeaders",
            format!(
                "{} custom headers; an origin accepts at most {MAX_CUSTOM_HEADERS}",
                items.len()
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for (i, h) in items.iter().enumerate() {
        let p = format!("{base}.CustomHeaders.Items[{i}]");
        let name = h.header_name.as_str();
        let lower = name.to_ascii_lowercase();
        total += name.chars().count() + h.header_value.chars().count();
        if name.is_empty() {
            out.push(Finding::error(
                format!("{p}.HeaderName"),
                "InvalidArgument",
                "the header name is empty",
            ));
        } else if FORBIDDEN_HEADERS.contains(&lower.as_str())
            || lower.starts_with("x-amz-")
            || lower.starts_with("x-edge-")
        {
            out.push(Finding::error(
                format!("{p}.HeaderName"),
                "InvalidArgument",
                format!(
                    "{name:?} cannot be an origin custom header (spec H-7: CloudFront sets or \
                     strips it; X-Amz-* and X-Edge-* are reserved); choose another name"
                ),
            ));
        } else if !seen.insert(lower) {
            out.push(Finding::error(
                format!("{p}.HeaderName"),
                "InvalidArgument",
                format!("header {name:?} is given twice (names are case-insensitive); keep one"),
            ));
        }
        if name.chars().count() > MAX_HEADER_NAME {
            out.push(Finding::error(
                format!("{p}.HeaderName"),
                "InvalidArgument",
                format!("the header name is longer than {MAX_HEADER_NAME} characters"),
            ));
        }
        if !name.is_empty() && !name.bytes().all(is_token_byte) {
            out.push(Finding::error(
                format!("{p}.HeaderName"),
                "InvalidArgument",
                format!(
                    "{name:?} is not a header name: a name is letters, digits and \
                     !#$%&'*+-.^_`|~ only (RFC 9110 token), no spaces or separators"
                ),
            ));
        }
        // A control character cannot travel in an HTTP field (RFC 9110 §5.5): CloudFront
        // refuses it, and a server would drop or reject the header.
        if let Some((at, c)) = h
            .header_value
            .chars()
            .enumerate()
            .find(|(_, c)| c.is_control() && *c != '\t')
        {
            out.push(Finding::error(
                format!("{p}.HeaderValue"),
                "InvalidArgument",
                format!(
                    "the header value has the control character U+{:04X} at character {}; a \
                     value holds visible characters, spaces and tabs only",
                    u32::from(c),
                    at + 1
                ),
            ));
        }
        let vl = h.header_value.chars().count();
        if vl > MAX_HEADER_VALUE {
            out.push(Finding::error(
                format!("{p}.HeaderValue"),
                "InvalidArgument",
                format!(
                    "the header value has {vl} characters; at most {MAX_HEADER_VALUE} are accepted"
                ),
            ));
        }
    }
    if total > MAX_HEADERS_TOTAL {
        out.push(Finding::error(
            format!("{base}.CustomHeaders"),
            "InvalidArgument",
            format!(
                "the custom headers' names and values total {total} characters; at most \
                 {MAX_HEADERS_TOTAL} are accepted"
            ),
        ));
    }
}

/// spec §14, F-1.
fn groups(c: &DistributionConfig, origins: &HashMap<&str, usize>, out: &mut Vec<Finding>) {
    let Some(list) = &c.origin_groups else { return };
    let items = list.items();
    if items.len() > MAX_ORIGIN_GROUPS {
        out.push(Finding::error(
            "OriginGroups.Quantity",
            "TooManyOriginGroupsPerDistribution",
            format!(
                "{} origin groups; a distribution accepts at most {MAX_ORIGIN_GROUPS}",
                items.len()
            ),
        ));
    }
    let group_ids: HashSet<&str> = items.iter().map(|g| g.id.as_str()).collect();
    let mut seen = HashSet::new();
    for (i, g) in items.iter().enumerate() {
        let base = format!("OriginGroups.Items[{i}]");
        if g.id.is_empty() {
            out.push(Finding::error(
                format!("{base}.Id"),
                "InvalidArgument",
                "the origin group Id is empty",
            ));
        } else if origins.contains_key(g.id.as_str()) {
            out.push(Finding::error(
                format!("{base}.Id"),
                "InvalidArgument",
                format!(
                    "origin group Id {:?} is also an origin's Id; behaviors name either, so ids \
                     must differ",
                    g.id
                ),
            ));
        } else if !seen.insert(g.id.as_str()) {
            out.push(Finding::error(
                format!("{base}.Id"),
                "InvalidArgument",
                format!("origin group Id {:?} is used twice", g.id),
            ));
        }
        let members = g.members.items();
        if members.len() != 2 {
            out.push(Finding::error(
                format!("{base}.Members"),
                "InvalidArgument",
                format!(
                    "an origin group has exactly two members, primary then secondary (spec \
                     F-1); this one has {}",
                    members.len()
                ),
            ));
        }
        for (j, m) in members.iter().enumerate() {
            if !origins.contains_key(m.origin_id.as_str()) {
                let why = if group_ids.contains(m.origin_id.as_str()) {
                    "is an origin group; members must be origins"
                } else {
                    "names no origin"
                };
                out.push(Finding::error(
                    format!("{base}.Members.Items[{j}].OriginId"),
                    "NoSuchOrigin",
                    format!("member {:?} {why}", m.origin_id),
                ));
            }
        }
        if members.len() == 2 && members[0].origin_id == members[1].origin_id {
            out.push(Finding::error(
                format!("{base}.Members.Items[1].OriginId"),
                "InvalidArgument",
                "both members are the same origin; failover needs two different origins",
            ));
        }
        let codes = g.failover_criteria.status_codes.items();
        if codes.is_empty() {
            out.push(Finding::error(
                format!("{base}.FailoverCriteria.StatusCodes"),
                "InvalidArgument",
                "no failover status code; list at least one of 400, 403, 404, 416, 500, 502, \
                 503, 504",
            ));
        }
        for (j, code) in codes.iter().enumerate() {
            if !FAILOVER_CODES.contains(code) {
                out.push(Finding::error(
                    format!("{base}.FailoverCriteria.StatusCodes.Items[{j}]"),
                    "InvalidArgument",
                    format!(
                        "status {code} cannot trigger failover (spec F-1); accepted: 400, 403, \
                         404, 416, 500, 502, 503, 504"
                    ),
                ));
            }
        }
    }
}

/// spec P-11: an origin (or origin group) that no behavior targets is never used.
fn unused(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let mut targets: HashSet<&str> = HashSet::new();
    targets.insert(&c.default_cache_behavior.target_origin_id);
    if let Some(l) = &c.cache_behaviors {
        targets.extend(l.iter().map(|b| b.target_origin_id.as_str()));
    }
    let groups = c
        .origin_groups
        .as_ref()
        .map(|l| l.items())
        .unwrap_or_default();
    let mut used = targets.clone();
    for g in groups.iter().filter(|g| targets.contains(g.id.as_str())) {
        used.extend(g.members.iter().map(|m| m.origin_id.as_str()));
    }
    for (i, g) in groups.iter().enumerate() {
        if !g.id.is_empty() && !targets.contains(g.id.as_str()) {
            out.push(Finding::warning(
                format!("OriginGroups.Items[{i}].Id"),
                format!(
                    "no cache behavior targets origin group {:?}, so it is never used (spec \
                     P-11)",
                    g.id
                ),
            ));
        }
    }
    for (i, o) in c.origins.items().iter().enumerate() {
        if !o.id.is_empty() && !used.contains(o.id.as_str()) {
            out.push(Finding::warning(
                format!("Origins.Items[{i}].Id"),
                format!(
                    "no cache behavior (or targeted origin group) uses origin {:?}, so requests \
                     never reach it (spec P-11); point a behavior at it or remove it",
                    o.id
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_has, valid};
    use crate::List;
    use crate::finding::Severity::{Error, Warning};
    use crate::shapes::*;
    use crate::validate;

    type Break = fn(&mut DistributionConfig);

    fn api(c: &mut DistributionConfig) -> &mut Origin {
        &mut c.origins.items_mut()[1]
    }
    fn custom(c: &mut DistributionConfig) -> &mut CustomOriginConfig {
        api(c).custom_origin_config.as_mut().unwrap()
    }
    fn header(c: &mut DistributionConfig) -> &mut OriginCustomHeader {
        &mut api(c).custom_headers.as_mut().unwrap().items_mut()[0]
    }
    fn group(c: &mut DistributionConfig) -> &mut OriginGroup {
        &mut c.origin_groups.as_mut().unwrap().items_mut()[0]
    }

    #[test]
    fn table() {
        const O: &str = "Origins.Items[1]";
        let rows: &[(&str, Break, &str, crate::Severity, Option<&str>)] = &[
            (
                "S-1 no origin",
                |c| {
                    c.origins = List::default();
                    c.origin_groups = None;
                },
                "Origins",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§17 too many origins",
                |c| {
                    let o = c.origins.items()[0].clone();
                    for i in 0..99 {
                        let mut o = o.clone();
                        o.id = format!("o{i}");
                        c.origins.items_mut().push(o);
                    }
                    c.origins.sync_quantity();
                },
                "Origins.Quantity",
                Error,
                Some("TooManyOrigins"),
            ),
            (
                "§13 duplicate id",
                |c| api(c).id = "s3".into(),
                "Origins.Items[1].Id",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 empty id",
                |c| api(c).id.clear(),
                "Origins.Items[1].Id",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 empty domain",
                |c| api(c).domain_name.clear(),
                "Origins.Items[1].DomainName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 two origin types",
                |c| api(c).s3_origin_config = Some(S3OriginConfig::default()),
                O,
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 no origin type",
                |c| api(c).custom_origin_config = None,
                O,
                Error,
                Some("InvalidArgument"),
            ),
            (
                "O-1 path without slash",
                |c| api(c).origin_path = Some("prod".into()),
                "Origins.Items[1].OriginPath",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "O-1 path trailing slash",
                |c| api(c).origin_path = Some("/prod/".into()),
                "Origins.Items[1].OriginPath",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 attempts",
                |c| api(c).connection_attempts = Some(4),
                "Origins.Items[1].ConnectionAttempts",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 connection timeout",
                |c| api(c).connection_timeout = Some(11),
                "Origins.Items[1].ConnectionTimeout",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 read timeout",
                |c| custom(c).origin_read_timeout = Some(181),
                "Origins.Items[1].CustomOriginConfig.OriginReadTimeout",
                Error,
                Some("InvalidOriginReadTimeout"),
            ),
            (
                "§13 read timeout zero",
                |c| custom(c).origin_read_timeout = Some(0),
                "Origins.Items[1].CustomOriginConfig.OriginReadTimeout",
                Error,
                Some("InvalidOriginReadTimeout"),
            ),
            (
                "§17 read timeout above the 120 s quota",
                |c| custom(c).origin_read_timeout = Some(121),
                "Origins.Items[1].CustomOriginConfig.OriginReadTimeout",
                Error,
                Some("InvalidOriginReadTimeout"),
            ),
            (
                "§13 keepalive",
                |c| custom(c).origin_keepalive_timeout = Some(200),
                "Origins.Items[1].CustomOriginConfig.OriginKeepaliveTimeout",
                Error,
                Some("InvalidOriginKeepaliveTimeout"),
            ),
            (
                "§17 keepalive above the 120 s quota",
                |c| custom(c).origin_keepalive_timeout = Some(121),
                "Origins.Items[1].CustomOriginConfig.OriginKeepaliveTimeout",
                Error,
                Some("InvalidOriginKeepaliveTimeout"),
            ),
            (
                "§13 http port",
                |c| custom(c).http_port = 8,
                "Origins.Items[1].CustomOriginConfig.HTTPPort",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 https port",
                |c| custom(c).https_port = 70000,
                "Origins.Items[1].CustomOriginConfig.HTTPSPort",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 ssl protocols",
                |c| custom(c).origin_ssl_protocols = Some(List::default()),
                "Origins.Items[1].CustomOriginConfig.OriginSslProtocols",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 forbidden header",
                |c| header(c).header_name = "host".into(),
                "Origins.Items[1].CustomHeaders.Items[0].HeaderName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 X-Amz prefix",
                |c| header(c).header_name = "X-Amz-Date".into(),
                "Origins.Items[1].CustomHeaders.Items[0].HeaderName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 X-Edge prefix",
                |c| header(c).header_name = "x-edge-location".into(),
                "Origins.Items[1].CustomHeaders.Items[0].HeaderName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 name length",
                |c| header(c).header_name = "X".repeat(257),
                "Origins.Items[1].CustomHeaders.Items[0].HeaderName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 control character in a value",
                |c| header(c).header_value = "a\u{1}b".into(),
                "Origins.Items[1].CustomHeaders.Items[0].HeaderValue",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 newline in a value",
                |c| header(c).header_value = "a\r\nX-Injected: 1".into(),
                "Origins.Items[1].CustomHeaders.Items[0].HeaderValue",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 name not a token",
                |c| header(c).header_name = "X Origin: Key".into(),
                "Origins.Items[1].CustomHeaders.Items[0].HeaderName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 value length",
                |c| header(c).header_value = "v".repeat(1784),
                "Origins.Items[1].CustomHeaders.Items[0].HeaderValue",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 count",
                |c| {
                    let l = api(c).custom_headers.as_mut().unwrap();
                    for i in 0..10 {
                        l.items_mut().push(OriginCustomHeader {
                            header_name: format!("X-H{i}"),
                            header_value: "v".into(),
                        });
                    }
                    l.sync_quantity();
                },
                "Origins.Items[1].CustomHeaders.Quantity",
                Error,
                Some("TooManyOriginCustomHeaders"),
            ),
            (
                "H-7 total length",
                |c| {
                    let l = api(c).custom_headers.as_mut().unwrap();
                    for i in 0..6 {
                        l.items_mut().push(OriginCustomHeader {
                            header_name: format!("X-H{i}"),
                            header_value: "v".repeat(1783),
                        });
                    }
                    l.sync_quantity();
                },
                "Origins.Items[1].CustomHeaders",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "H-7 duplicate",
                |c| {
                    let l = api(c).custom_headers.as_mut().unwrap();
                    l.items_mut().push(OriginCustomHeader {
                        header_name: "x-origin-KEY".into(),
                        header_value: "v".into(),
                    });
                    l.sync_quantity();
                },
                "Origins.Items[1].CustomHeaders.Items[1].HeaderName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 OAI format",
                |c| {
                    c.origins.items_mut()[0]
                        .s3_origin_config
                        .as_mut()
                        .unwrap()
                        .origin_access_identity = "E2QWRUHAPOMQZL".into()
                },
                "Origins.Items[0].S3OriginConfig.OriginAccessIdentity",
                Error,
                Some("InvalidOriginAccessIdentity"),
            ),
            (
                "issue 11: S3 website endpoint under S3OriginConfig",
                |c| {
                    c.origins.items_mut()[0].domain_name =
                        "bucket.s3-website-us-east-1.amazonaws.com".into()
                },
                "Origins.Items[0].DomainName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "issue 11: S3 website endpoint (dot form) under S3OriginConfig",
                |c| {
                    c.origins.items_mut()[0].domain_name =
                        "Bucket.S3-Website.eu-west-1.amazonaws.com.".into()
                },
                "Origins.Items[0].DomainName",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 OAC with OAI",
                |c| {
                    let o = &mut c.origins.items_mut()[0];
                    o.origin_access_control_id = Some("E1OAC".into());
                    o.s3_origin_config.as_mut().unwrap().origin_access_identity =
                        "origin-access-identity/cloudfront/E2QWRUHAPOMQZL".into();
                },
                "Origins.Items[0].S3OriginConfig.OriginAccessIdentity",
                Error,
                Some("IllegalOriginAccessConfiguration"),
            ),
            (
                "§13 origin shield region",
                |c| {
                    api(c).origin_shield = Some(OriginShield {
                        enabled: true,
                        origin_shield_region: None,
                    })
                },
                "Origins.Items[1].OriginShield.OriginShieldRegion",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "F-1 one member",
                |c| {
                    group(c).members.items_mut().pop();
                    group(c).members.sync_quantity();
                },
                "OriginGroups.Items[0].Members",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "F-1 unknown member",
                |c| group(c).members.items_mut()[1].origin_id = "nope".into(),
                "OriginGroups.Items[0].Members.Items[1].OriginId",
                Error,
                Some("NoSuchOrigin"),
            ),
            (
                "F-1 group as member",
                |c| group(c).members.items_mut()[1].origin_id = "group".into(),
                "OriginGroups.Items[0].Members.Items[1].OriginId",
                Error,
                Some("NoSuchOrigin"),
            ),
            (
                "F-1 same member twice",
                |c| group(c).members.items_mut()[1].origin_id = "s3".into(),
                "OriginGroups.Items[0].Members.Items[1].OriginId",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "F-1 status code",
                |c| group(c).failover_criteria.status_codes.items_mut()[0] = 501,
                "OriginGroups.Items[0].FailoverCriteria.StatusCodes.Items[0]",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "F-1 no status code",
                |c| group(c).failover_criteria.status_codes = List::default(),
                "OriginGroups.Items[0].FailoverCriteria.StatusCodes",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "F-1 group id is an origin id",
                |c| {
                    group(c).id = "api".into();
                },
                "OriginGroups.Items[0].Id",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "F-1 duplicate group id",
                |c| {
                    let l = c.origin_groups.as_mut().unwrap();
                    let g = l.items()[0].clone();
                    l.items_mut().push(g);
                    l.sync_quantity();
                },
                "OriginGroups.Items[1].Id",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "§13 VPC origin read timeout",
                |c| {
                    let o = api(c);
                    o.custom_origin_config = None;
                    o.vpc_origin_config = Some(VpcOriginConfig {
                        vpc_origin_id: "vo_1".into(),
                        origin_read_timeout: Some(500),
                        ..Default::default()
                    });
                },
                "Origins.Items[1].VpcOriginConfig.OriginReadTimeout",
                Error,
                Some("InvalidOriginReadTimeout"),
            ),
            (
                "F-1 too many groups",
                |c| {
                    let l = c.origin_groups.as_mut().unwrap();
                    let g = l.items()[0].clone();
                    for i in 0..10 {
                        let mut g = g.clone();
                        g.id = format!("g{i}");
                        l.items_mut().push(g);
                    }
                    l.sync_quantity();
                },
                "OriginGroups.Quantity",
                Error,
                Some("TooManyOriginGroupsPerDistribution"),
            ),
            (
                "P-11 unused origin",
                |c| {
                    c.origin_groups = None;
                    for b in c.cache_behaviors.as_mut().unwrap().items_mut() {
                        b.target_origin_id = "s3".into();
                    }
                },
                "Origins.Items[1].Id",
                Warning,
                None,
            ),
            (
                "P-11 unused group",
                |c| {
                    c.cache_behaviors.as_mut().unwrap().items_mut()[1].target_origin_id =
                        "s3".into()
                },
                "OriginGroups.Items[0].Id",
                Warning,
                None,
            ),
        ];
        for (row, brk, path, sev, code) in rows {
            let mut c = valid();
            brk(&mut c);
            assert_has(row, &validate(&c), path, *sev, *code);
        }
    }

    #[test]
    fn accepted_values() {
        let mut c = valid();
        custom(&mut c).http_port = 8080;
        custom(&mut c).origin_read_timeout = Some(60);
        api(&mut c).origin_path = Some("/v2".into());
        header(&mut c).header_name = "X-Forwarded-Host-Key".into();
        c.origins.items_mut()[0]
            .s3_origin_config
            .as_mut()
            .unwrap()
            .origin_access_identity = "origin-access-identity/cloudfront/E2QWRUHAPOMQZL".into();
        let f = validate(&c);
        assert!(f.is_empty(), "{f:#?}");
        // The same website endpoint as a custom origin is accepted (an HTTP-only origin behind
        // an HTTPS-only behavior still draws its warning).
        let o = &mut c.origins.items_mut()[1];
        o.domain_name = "bucket.s3-website-us-east-1.amazonaws.com".into();
        o.custom_origin_config
            .as_mut()
            .unwrap()
            .origin_protocol_policy = OriginProtocolPolicy::HttpOnly;
        let f = validate(&c);
        assert!(!f.iter().any(|f| f.is_error()), "{f:#?}");
    }
}
