//! Distribution-level rules (spec §16, S-1 to S-11) and custom error responses (§10): required
//! members, comment, aliases, the viewer certificate, logging, geo restriction, WAF, staging and
//! multi-tenant members.

use std::collections::HashSet;

use crate::finding::Finding;
use crate::shapes::{
    ConnectionMode, DistributionConfig, GeoRestrictionType, MinimumProtocolVersion,
    SSLSupportMethod,
};

/// spec S-2.
const MAX_COMMENT: usize = 128;
/// spec S-3, §17.
const MAX_ALIASES: usize = crate::quotas::ALTERNATE_DOMAIN_NAMES_PER_DISTRIBUTION;
/// spec E-1: the error codes a custom error response may name.
const ERROR_CODES: &[i32] = &[400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
/// spec E-2: the response codes a custom error response may return.
const RESPONSE_CODES: &[&str] = &[
    "200", "400", "403", "404", "405", "414", "416", "500", "501", "502", "503", "504",
];

/// ISO 3166-1 alpha-2 codes (spec S-9), the set CloudFront's geo restriction accepts.
const COUNTRY_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH \
BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR \
GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR \
KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV \
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE \
RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL \
TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

pub(super) fn is_country_code(code: &str) -> bool {
    code.len() == 2 && COUNTRY_CODES.split(' ').any(|c| c == code)
}

pub(super) fn check(c: &DistributionConfig, out: &mut Vec<Finding>) {
    // spec S-1.
    if c.caller_reference.trim().is_empty() {
        out.push(Finding::error(
            "CallerReference",
            "InvalidArgument",
            "CallerReference is empty; give a unique value (a timestamp or UUID) so that \
             CloudFront can recognise a retried create",
        ));
    }
    aliases(c, out);
    error_responses(c, out);
    // spec S-2.
    let n = c.comment.chars().count();
    if n > MAX_COMMENT {
        out.push(Finding::error(
            "Comment",
            "InvalidArgument",
            format!("the comment has {n} characters; CloudFront accepts at most {MAX_COMMENT}"),
        ));
    }
    logging(c, out);
    // spec S-11.
    if !c.enabled {
        out.push(Finding::warning(
            "Enabled",
            "the distribution is disabled: it serves nothing until Enabled is true",
        ));
    }
    certificate(c, out);
    geo(c, out);
    web_acl(c, out);
    staging_and_tenants(c, out);
}

/// spec S-3: at most 100, lowercase DNS names, wildcard only as a leading `*.` label, unique;
/// and a custom certificate must be attached to serve them (S-4).
fn aliases(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let Some(list) = &c.aliases else { return };
    let items = list.items();
    if items.len() > MAX_ALIASES {
        out.push(Finding::error(
            "Aliases.Quantity",
            "TooManyDistributionCNAMEs",
            format!(
                "{} alternate domain names; a distribution accepts at most {MAX_ALIASES} by \
                 default quota",
                items.len()
            ),
        ));
    }
    let mut seen = HashSet::new();
    for (i, a) in items.iter().enumerate() {
        let path = format!("Aliases.Items[{i}]");
        if let Some(why) = alias_problem(a) {
            out.push(Finding::error(
                path,
                "InvalidArgument",
                format!("alternate domain name {a:?} {why}"),
            ));
        } else if !seen.insert(a.as_str()) {
            out.push(Finding::error(
                path,
                "InvalidArgument",
                format!("alternate domain name {a:?} is listed twice; remove the duplicate"),
            ));
        }
    }
    let default_cert = c.viewer_certificate.as_ref().is_none_or(|v| {
        v.acm_certificate_arn.as_deref().unwrap_or("").is_empty()
            && v.iam_certificate_id.as_deref().unwrap_or("").is_empty()
    });
    if !items.is_empty() && default_cert {
        out.push(Finding::error(
            "ViewerCertificate",
            "InvalidViewerCertificate",
            "the distribution has alternate domain names but uses the default *.cloudfront.net \
             certificate; attach an ACM certificate (in us-east-1) that covers every alias",
        ));
    }
}

/// Why `a` is not an acceptable alias, or `None` (spec S-3).
fn alias_problem(a: &str) -> Option<String> {
    if a.is_empty() {
        return Some("is empty".into());
    }
    if a.len() > 253 {
        return Some(format!(
            "is {} characters long; a DNS name has at most 253",
            a.len()
        ));
    }
    if a.chars().any(|ch| ch.is_ascii_uppercase()) {
        return Some(format!(
            "has uppercase letters; CloudFront accepts lowercase names: write {:?}",
            a.to_ascii_lowercase()
        ));
    }
    let host = a.strip_suffix('.').unwrap_or(a);
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Some("is not a fully qualified domain name (example.com)".into());
    }
    for (i, l) in labels.iter().enumerate() {
        if *l == "*" && i == 0 {
            continue;
        }
        if l.contains('*') {
            return Some(
                "has a wildcard that is not the whole first label; only a leading `*.` is \
                 accepted (`*.example.com`)"
                    .into(),
            );
        }
        let ok = !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
        if !ok {
            return Some(format!(
                "has an invalid label {l:?}; labels are 1-63 letters, digits or hyphens, \
                 not starting or ending with a hyphen"
            ));
        }
    }
    None
}

/// spec §10, E-1, E-2.
fn error_responses(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let Some(list) = &c.custom_error_responses else {
        return;
    };
    let mut seen = HashSet::new();
    for (i, r) in list.items().iter().enumerate() {
        let base = format!("CustomErrorResponses.Items[{i}]");
        if !ERROR_CODES.contains(&r.error_code) {
            out.push(Finding::error(
                format!("{base}.ErrorCode"),
                "InvalidErrorCode",
                format!(
                    "error code {} cannot have a custom error response (spec E-1); accepted: \
                     400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504",
                    r.error_code
                ),
            ));
        } else if !seen.insert(r.error_code) {
            out.push(Finding::error(
                format!("{base}.ErrorCode"),
                "InvalidArgument",
                format!(
                    "error code {} has more than one custom error response; keep one",
                    r.error_code
                ),
            ));
        }
        let page = r.response_page_path.as_deref().unwrap_or("");
        let code = r.response_code.as_deref().unwrap_or("");
        if !code.is_empty() && !RESPONSE_CODES.contains(&code) {
            out.push(Finding::error(
                format!("{base}.ResponseCode"),
                "InvalidResponseCode",
                format!(
                    "response code {code:?} is not accepted (spec E-2); use one of 200, 400, \
                     403, 404, 405, 414, 416, 500, 501, 502, 503, 504"
                ),
            ));
        }
        // spec E-2: the page and the code go together.
        if !page.is_empty() && code.is_empty() {
            out.push(Finding::error(
                format!("{base}.ResponseCode"),
                "InvalidArgument",
                format!(
                    "ResponsePagePath {page:?} is set without a ResponseCode; give both or neither"
                ),
            ));
        } else if page.is_empty() && !code.is_empty() {
            out.push(Finding::error(
                format!("{base}.ResponsePagePath"),
                "InvalidArgument",
                format!(
                    "ResponseCode {code:?} is set without a ResponsePagePath; give both or neither"
                ),
            ));
        }
        match r.error_caching_min_ttl {
            Some(t) if t < 0 => out.push(Finding::error(
                format!("{base}.ErrorCachingMinTTL"),
                "InvalidArgument",
                format!("ErrorCachingMinTTL is {t}; it must be 0 or more seconds"),
            )),
            // spec E-3/E-4: a 5xx with error caching off sends every request to a failing origin.
            Some(0) if (500..600).contains(&r.error_code) => out.push(Finding::warning(
                format!("{base}.ErrorCachingMinTTL"),
                format!(
                    "{} responses are not cached (ErrorCachingMinTTL 0): while the origin fails, \
                     every request for the URL goes to it; the default of 10 seconds shields it",
                    r.error_code
                ),
            )),
            _ => {}
        }
    }
}

/// spec S-8.
fn logging(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let Some(l) = &c.logging else { return };
    if l.enabled != Some(true) {
        return;
    }
    let bucket = l.bucket.as_deref().unwrap_or("");
    // The bucket is given by its S3 domain name: global (`b.s3.amazonaws.com`) or regional
    // (`b.s3.us-west-2.amazonaws.com`).
    let s3_domain = bucket.ends_with(".amazonaws.com")
        && (bucket.contains(".s3.") || bucket.contains(".s3-"))
        && !bucket.starts_with(".s3");
    if !s3_domain {
        out.push(Finding::error(
            "Logging.Bucket",
            "InvalidArgument",
            format!(
                "logging is enabled but the bucket {bucket:?} is not an S3 bucket domain name; \
                 write it as `BUCKET.s3.amazonaws.com`"
            ),
        ));
    }
    if let Some(p) = l.prefix.as_deref().filter(|p| p.starts_with('/')) {
        out.push(Finding::error(
            "Logging.Prefix",
            "InvalidArgument",
            format!(
                "the log prefix {p:?} must not start with `/`; write {:?}",
                p.trim_start_matches('/')
            ),
        ));
    }
}

/// spec S-4, S-5.
fn certificate(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let Some(v) = &c.viewer_certificate else {
        return;
    };
    let acm = v.acm_certificate_arn.as_deref().filter(|s| !s.is_empty());
    let iam = v.iam_certificate_id.as_deref().filter(|s| !s.is_empty());
    let default = v.cloud_front_default_certificate == Some(true);
    const P: &str = "ViewerCertificate";
    if acm.is_some() && iam.is_some() {
        out.push(Finding::error(
            format!("{P}.IAMCertificateId"),
            "InvalidViewerCertificate",
            "both ACMCertificateArn and IAMCertificateId are set; a distribution has one \
             certificate: keep one",
        ));
    }
    if default && (acm.is_some() || iam.is_some()) {
        out.push(Finding::error(
            format!("{P}.CloudFrontDefaultCertificate"),
            "InvalidViewerCertificate",
            "CloudFrontDefaultCertificate is true together with a custom certificate; set it to \
             false (or remove it) to use the custom certificate",
        ));
    }
    if !default && acm.is_none() && iam.is_none() {
        out.push(Finding::error(
            P,
            "InvalidViewerCertificate",
            "no certificate is given: set CloudFrontDefaultCertificate to true, or give \
             ACMCertificateArn or IAMCertificateId",
        ));
    }
    if let Some(arn) = acm {
        let parts: Vec<&str> = arn.split(':').collect();
        let well_formed = parts.len() == 6
            && parts[0] == "arn"
            && parts[1].starts_with("aws")
            && parts[2] == "acm"
            && parts[5].starts_with("certificate/");
        if !well_formed {
            out.push(Finding::error(
                format!("{P}.ACMCertificateArn"),
                "InvalidViewerCertificate",
                format!(
                    "{arn:?} is not an ACM certificate ARN \
                     (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID)"
                ),
            ));
        } else if parts[3] != "us-east-1" {
            out.push(Finding::error(
                format!("{P}.ACMCertificateArn"),
                "InvalidViewerCertificate",
                format!(
                    "the certificate is in {}; CloudFront only uses ACM certificates from \
                     us-east-1 (N. Virginia): request or import it there",
                    parts[3]
                ),
            ));
        }
    }
    let custom = acm.is_some() || iam.is_some();
    if custom && v.ssl_support_method.is_none() {
        out.push(Finding::error(
            format!("{P}.SSLSupportMethod"),
            "InvalidViewerCertificate",
            "SSLSupportMethod is required with a custom certificate; use `sni-only`",
        ));
    }
    // With the default certificate AWS itself writes `"SSLSupportMethod": "vip"` (beside
    // `MinimumProtocolVersion: TLSv1` and `CertificateSource: cloudfront`) in every
    // `get-distribution-config`, and sending it back costs nothing: no finding for `vip` there,
    // or every unedited AWS output would carry one. Another method was written by someone and
    // has no effect: warn.
    if default
        && !custom
        && let Some(m) = v.ssl_support_method.filter(|m| *m != SSLSupportMethod::Vip)
    {
        out.push(Finding::warning(
            format!("{P}.SSLSupportMethod"),
            format!(
                "SSLSupportMethod `{m}` has no effect with the default CloudFront certificate; \
                 remove it (it applies to custom certificates)"
            ),
        ));
    }
    // With a custom certificate `vip` is the dedicated-IP option, which AWS bills per month.
    if custom && v.ssl_support_method == Some(SSLSupportMethod::Vip) {
        out.push(Finding::warning(
            format!("{P}.SSLSupportMethod"),
            "`vip` serves the custom certificate from dedicated IP addresses at every edge \
             location, billed $600 a month (prorated); use `sni-only` unless viewers without \
             SNI support must be served",
        ));
    }
    let min = v.minimum_protocol_version;
    match (v.ssl_support_method, min) {
        (Some(SSLSupportMethod::SniOnly), Some(MinimumProtocolVersion::SSLv3)) if custom => {
            out.push(Finding::error(
                format!("{P}.MinimumProtocolVersion"),
                "InvalidProtocolSettings",
                "SSLv3 cannot be the minimum protocol with sni-only; choose TLSv1 or higher \
                 (TLSv1.2_2021 is recommended)",
            ));
        }
        (Some(SSLSupportMethod::Vip), Some(m))
            if custom
                && !matches!(
                    m,
                    MinimumProtocolVersion::SSLv3 | MinimumProtocolVersion::TLSv1
                ) =>
        {
            out.push(Finding::warning(
                format!("{P}.MinimumProtocolVersion"),
                format!(
                    "with `vip`, a minimum protocol other than SSLv3 or TLSv1 ({m}) needs a \
                     support case (spec S-4)"
                ),
            ));
        }
        _ => {}
    }
    if default
        && !custom
        && let Some(m) = min.filter(|m| *m != MinimumProtocolVersion::TLSv1)
    {
        out.push(Finding::warning(
            format!("{P}.MinimumProtocolVersion"),
            format!(
                "with the default CloudFront certificate the security policy is always \
                     TLSv1; {m} has no effect (attach a custom certificate to choose one)"
            ),
        ));
    }
}

/// spec S-9.
fn geo(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let Some(r) = &c.restrictions else { return };
    let g = &r.geo_restriction;
    const P: &str = "Restrictions.GeoRestriction";
    let items = g.items.as_deref().unwrap_or(&[]);
    match g.restriction_type {
        GeoRestrictionType::None if !items.is_empty() => out.push(Finding::error(
            format!("{P}.Items"),
            "InvalidGeoRestrictionParameter",
            "RestrictionType is `none` but countries are listed; remove them or choose \
             `whitelist` (allow list) or `blacklist` (block list)",
        )),
        GeoRestrictionType::Whitelist | GeoRestrictionType::Blacklist if items.is_empty() => out
            .push(Finding::error(
                format!("{P}.Items"),
                "InvalidGeoRestrictionParameter",
                format!(
                    "RestrictionType is `{}` but no country is listed; list at least one \
                     ISO 3166-1 alpha-2 code, or use `none`",
                    g.restriction_type
                ),
            )),
        _ => {}
    }
    let mut seen = HashSet::new();
    for (i, code) in items.iter().enumerate() {
        let path = format!("{P}.Items[{i}]");
        if !is_country_code(code) {
            let hint = if is_country_code(&code.to_ascii_uppercase()) {
                format!(
                    " (write {:?}: codes are uppercase)",
                    code.to_ascii_uppercase()
                )
            } else {
                String::new()
            };
            out.push(Finding::error(
                path,
                "InvalidLocationCode",
                format!("{code:?} is not an ISO 3166-1 alpha-2 country code{hint}"),
            ));
        } else if !seen.insert(code.as_str()) {
            out.push(Finding::error(
                path,
                "InvalidGeoRestrictionParameter",
                format!("country {code} is listed twice; remove the duplicate"),
            ));
        }
    }
}

/// spec S-10: a WAFv2 web ACL ARN (global scope, us-east-1) or a WAF Classic id (a UUID).
fn web_acl(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let Some(id) = c.web_acl_id.as_deref().filter(|s| !s.is_empty()) else {
        return;
    };
    let ok = if id.starts_with("arn:") {
        let parts: Vec<&str> = id.splitn(6, ':').collect();
        parts.len() == 6
            && parts[1].starts_with("aws")
            && parts[2] == "wafv2"
            && parts[3] == "us-east-1"
            && parts[5].starts_with("global/webacl/")
            && parts[5].split('/').count() == 4
    } else {
        is_uuid(id)
    };
    if !ok {
        let hint = if id.contains(":wafv2:") && !id.contains(":us-east-1:") {
            "; CloudFront uses web ACLs of scope CLOUDFRONT, created in us-east-1"
        } else {
            ""
        };
        out.push(Finding::error(
            "WebACLId",
            "InvalidWebACLId",
            format!(
                "{id:?} is neither a WAFv2 web ACL ARN \
                 (arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID) nor a WAF Classic web \
                 ACL id (a UUID){hint}"
            ),
        ));
    }
}

pub(super) fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Continuous deployment and multi-tenant members (light checks from the API text).
fn staging_and_tenants(c: &DistributionConfig, out: &mut Vec<Finding>) {
    let cdp = c
        .continuous_deployment_policy_id
        .as_deref()
        .unwrap_or("")
        .trim();
    if c.staging == Some(true) && !cdp.is_empty() {
        out.push(Finding::error(
            "ContinuousDeploymentPolicyId",
            "InvalidArgument",
            "a staging distribution cannot carry a continuous deployment policy; the policy \
             belongs on the primary distribution",
        ));
    }
    let tenant_only = c.connection_mode == Some(ConnectionMode::TenantOnly);
    if c.tenant_config.is_some() && !tenant_only {
        out.push(Finding::error(
            "TenantConfig",
            "InvalidArgument",
            "TenantConfig is only supported by multi-tenant distributions; set ConnectionMode \
             to `tenant-only` or remove TenantConfig",
        ));
    }
    if tenant_only {
        let classic = c.web_acl_id.as_deref().is_some_and(is_uuid);
        if classic {
            out.push(Finding::error(
                "WebACLId",
                "InvalidWebACLId",
                "multi-tenant distributions only support WAFv2 web ACLs (an ARN), not WAF \
                 Classic ids",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_has, valid};
    use crate::finding::Severity::{Error, Warning};
    use crate::shapes::*;
    use crate::validate;

    type Break = fn(&mut DistributionConfig);

    #[test]
    fn table() {
        let rows: &[(&str, Break, &str, crate::Severity, Option<&str>)] = &[
            (
                "S-1 caller reference",
                |c| c.caller_reference.clear(),
                "CallerReference",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-2 comment",
                |c| c.comment = "x".repeat(129),
                "Comment",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-3 alias count",
                |c| {
                    *c.aliases.as_mut().unwrap() =
                        (0..101).map(|i| format!("a{i}.example.com")).collect()
                },
                "Aliases.Quantity",
                Error,
                Some("TooManyDistributionCNAMEs"),
            ),
            (
                "S-3 uppercase",
                |c| c.aliases.as_mut().unwrap().items_mut()[0] = "WWW.example.com".into(),
                "Aliases.Items[0]",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-3 inner wildcard",
                |c| c.aliases.as_mut().unwrap().items_mut()[1] = "sub.*.example.org".into(),
                "Aliases.Items[1]",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-3 partial wildcard",
                |c| c.aliases.as_mut().unwrap().items_mut()[1] = "*dom.example.org".into(),
                "Aliases.Items[1]",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-3 duplicate",
                |c| c.aliases.as_mut().unwrap().items_mut()[1] = "www.example.com".into(),
                "Aliases.Items[1]",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-3/S-4 aliases need a certificate",
                |c| {
                    c.viewer_certificate = Some(ViewerCertificate {
                        cloud_front_default_certificate: Some(true),
                        ..Default::default()
                    })
                },
                "ViewerCertificate",
                Error,
                Some("InvalidViewerCertificate"),
            ),
            (
                "S-4 ACM outside us-east-1",
                |c| {
                    c.viewer_certificate.as_mut().unwrap().acm_certificate_arn =
                        Some("arn:aws:acm:eu-west-1:123456789012:certificate/abc".into())
                },
                "ViewerCertificate.ACMCertificateArn",
                Error,
                Some("InvalidViewerCertificate"),
            ),
            (
                "S-4 ACM and IAM",
                |c| {
                    c.viewer_certificate.as_mut().unwrap().iam_certificate_id =
                        Some("ASCAEXAMPLE".into())
                },
                "ViewerCertificate.IAMCertificateId",
                Error,
                Some("InvalidViewerCertificate"),
            ),
            (
                "S-4 default and ACM",
                |c| {
                    c.viewer_certificate
                        .as_mut()
                        .unwrap()
                        .cloud_front_default_certificate = Some(true)
                },
                "ViewerCertificate.CloudFrontDefaultCertificate",
                Error,
                Some("InvalidViewerCertificate"),
            ),
            (
                "S-4 support method required",
                |c| c.viewer_certificate.as_mut().unwrap().ssl_support_method = None,
                "ViewerCertificate.SSLSupportMethod",
                Error,
                Some("InvalidViewerCertificate"),
            ),
            (
                "S-4 sni-only SSLv3",
                |c| {
                    c.viewer_certificate
                        .as_mut()
                        .unwrap()
                        .minimum_protocol_version = Some(MinimumProtocolVersion::SSLv3)
                },
                "ViewerCertificate.MinimumProtocolVersion",
                Error,
                Some("InvalidProtocolSettings"),
            ),
            (
                "S-4 vip modern policy",
                |c| {
                    c.viewer_certificate.as_mut().unwrap().ssl_support_method =
                        Some(SSLSupportMethod::Vip)
                },
                "ViewerCertificate.MinimumProtocolVersion",
                Warning,
                None,
            ),
            (
                "S-4 support method with the default certificate",
                |c| {
                    c.aliases = None;
                    c.viewer_certificate = Some(ViewerCertificate {
                        cloud_front_default_certificate: Some(true),
                        ssl_support_method: Some(SSLSupportMethod::SniOnly),
                        ..Default::default()
                    })
                },
                "ViewerCertificate.SSLSupportMethod",
                Warning,
                None,
            ),
            (
                "S-4 vip with a custom certificate costs a dedicated IP",
                |c| {
                    let v = c.viewer_certificate.as_mut().unwrap();
                    v.ssl_support_method = Some(SSLSupportMethod::Vip);
                    v.minimum_protocol_version = Some(MinimumProtocolVersion::TLSv1);
                },
                "ViewerCertificate.SSLSupportMethod",
                Warning,
                None,
            ),
            (
                "S-4 no certificate",
                |c| {
                    c.aliases = None;
                    c.viewer_certificate = Some(ViewerCertificate::default())
                },
                "ViewerCertificate",
                Error,
                Some("InvalidViewerCertificate"),
            ),
            (
                "S-8 bucket",
                |c| c.logging.as_mut().unwrap().bucket = Some("my-logs".into()),
                "Logging.Bucket",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-8 prefix",
                |c| c.logging.as_mut().unwrap().prefix = Some("/cf".into()),
                "Logging.Prefix",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "S-9 code",
                |c| {
                    c.restrictions
                        .as_mut()
                        .unwrap()
                        .geo_restriction
                        .items
                        .as_mut()
                        .unwrap()[1] = "XX".into()
                },
                "Restrictions.GeoRestriction.Items[1]",
                Error,
                Some("InvalidLocationCode"),
            ),
            (
                "S-9 lowercase code",
                |c| {
                    c.restrictions
                        .as_mut()
                        .unwrap()
                        .geo_restriction
                        .items
                        .as_mut()
                        .unwrap()[0] = "us".into()
                },
                "Restrictions.GeoRestriction.Items[0]",
                Error,
                Some("InvalidLocationCode"),
            ),
            (
                "S-9 none with items",
                |c| {
                    c.restrictions
                        .as_mut()
                        .unwrap()
                        .geo_restriction
                        .restriction_type = GeoRestrictionType::None
                },
                "Restrictions.GeoRestriction.Items",
                Error,
                Some("InvalidGeoRestrictionParameter"),
            ),
            (
                "S-9 list without items",
                |c| {
                    let g = &mut c.restrictions.as_mut().unwrap().geo_restriction;
                    g.items = None;
                    g.quantity = 0;
                },
                "Restrictions.GeoRestriction.Items",
                Error,
                Some("InvalidGeoRestrictionParameter"),
            ),
            (
                "S-10 web ACL",
                |c| c.web_acl_id = Some("my-acl".into()),
                "WebACLId",
                Error,
                Some("InvalidWebACLId"),
            ),
            (
                "S-10 regional web ACL",
                |c| {
                    c.web_acl_id =
                        Some("arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/1a2b".into())
                },
                "WebACLId",
                Error,
                Some("InvalidWebACLId"),
            ),
            (
                "S-11 disabled",
                |c| c.enabled = false,
                "Enabled",
                Warning,
                None,
            ),
            (
                "staging with policy",
                |c| {
                    c.staging = Some(true);
                    c.continuous_deployment_policy_id = Some("cdp-1".into())
                },
                "ContinuousDeploymentPolicyId",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "multi-tenant with a WAF Classic id",
                |c| {
                    c.connection_mode = Some(ConnectionMode::TenantOnly);
                    c.web_acl_id = Some("a1b2c3d4-5678-90ab-cdef-000000000000".into());
                },
                "WebACLId",
                Error,
                Some("InvalidWebACLId"),
            ),
            (
                "S-3 not a domain name",
                |c| c.aliases.as_mut().unwrap().items_mut()[0] = "localhost".into(),
                "Aliases.Items[0]",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "tenant config on a standard distribution",
                |c| c.tenant_config = Some(TenantConfig::default()),
                "TenantConfig",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "E-1 error code",
                |c| c.custom_error_responses.as_mut().unwrap().items_mut()[0].error_code = 418,
                "CustomErrorResponses.Items[0].ErrorCode",
                Error,
                Some("InvalidErrorCode"),
            ),
            (
                "E-2 response code",
                |c| {
                    c.custom_error_responses.as_mut().unwrap().items_mut()[0].response_code =
                        Some("302".into())
                },
                "CustomErrorResponses.Items[0].ResponseCode",
                Error,
                Some("InvalidResponseCode"),
            ),
            (
                "E-2 page without code",
                |c| c.custom_error_responses.as_mut().unwrap().items_mut()[0].response_code = None,
                "CustomErrorResponses.Items[0].ResponseCode",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "E-2 code without page",
                |c| {
                    c.custom_error_responses.as_mut().unwrap().items_mut()[0].response_page_path =
                        None
                },
                "CustomErrorResponses.Items[0].ResponsePagePath",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "E-1 duplicate",
                |c| {
                    let l = c.custom_error_responses.as_mut().unwrap();
                    let r = l.items()[0].clone();
                    l.items_mut().push(r);
                    l.sync_quantity();
                },
                "CustomErrorResponses.Items[1].ErrorCode",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "E-4 negative TTL",
                |c| {
                    c.custom_error_responses.as_mut().unwrap().items_mut()[0]
                        .error_caching_min_ttl = Some(-1)
                },
                "CustomErrorResponses.Items[0].ErrorCachingMinTTL",
                Error,
                Some("InvalidArgument"),
            ),
            (
                "E-3 5xx not cached",
                |c| {
                    let r = &mut c.custom_error_responses.as_mut().unwrap().items_mut()[0];
                    r.error_code = 503;
                    r.error_caching_min_ttl = Some(0);
                },
                "CustomErrorResponses.Items[0].ErrorCachingMinTTL",
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

    /// What `get-distribution-config` prints for a distribution on the default certificate,
    /// `vip` included, is AWS's own filler and gives no finding.
    #[test]
    fn the_default_certificate_as_aws_writes_it_gives_no_finding() {
        let mut c = valid();
        c.aliases = None;
        c.viewer_certificate = Some(ViewerCertificate {
            cloud_front_default_certificate: Some(true),
            ssl_support_method: Some(SSLSupportMethod::Vip),
            minimum_protocol_version: Some(MinimumProtocolVersion::TLSv1),
            certificate_source: Some(CertificateSource::Cloudfront),
            ..Default::default()
        });
        let findings = validate(&c);
        let at_cert: Vec<_> = findings
            .iter()
            .filter(|f| f.path.starts_with("ViewerCertificate"))
            .collect();
        assert!(at_cert.is_empty(), "{at_cert:?}");

        // The same `vip` with an ACM certificate is the dedicated-IP option: a warning naming
        // the cost.
        let mut c = valid();
        let v = c.viewer_certificate.as_mut().unwrap();
        v.ssl_support_method = Some(SSLSupportMethod::Vip);
        v.minimum_protocol_version = Some(MinimumProtocolVersion::TLSv1);
        let findings = validate(&c);
        let f = findings
            .iter()
            .find(|f| f.path == "ViewerCertificate.SSLSupportMethod")
            .unwrap_or_else(|| panic!("{findings:?}"));
        assert_eq!(f.severity, Warning);
        assert!(f.message.contains("$600"), "{f}");
    }

    #[test]
    fn country_list_is_complete() {
        assert_eq!(super::COUNTRY_CODES.split(' ').count(), 249);
        assert!(super::is_country_code("GB") && !super::is_country_code("UK"));
    }

    #[test]
    fn accepted_values() {
        for a in [
            "*.example.com",
            "a-b.example.co.uk",
            "xn--bcher-kva.example",
        ] {
            assert_eq!(super::alias_problem(a), None, "{a}");
        }
        let mut c = valid();
        c.logging.as_mut().unwrap().bucket = Some("b.s3.us-west-2.amazonaws.com".into());
        c.web_acl_id = Some("a1b2c3d4-5678-90ab-cdef-000000000000".into());
        let f = validate(&c);
        assert!(f.is_empty(), "{f:#?}");
    }
}
