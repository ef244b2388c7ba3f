//! What kind of origin a domain name is, recognized by its suffix, and the origin settings that
//! fit each kind: the console shows the kind as a badge beside the domain field and applies
//! [`apply_defaults`] when the kind changes; validation uses [`recognize`] to refuse an S3
//! website endpoint under `S3OriginConfig` (CloudFront answers `InvalidArgument`).
//!
//! Recognition is by the domain's DNS suffix only (no lookup): case-insensitive, a trailing dot
//! tolerated, and a pasted scheme (`https://`), port or path ignored.
//!
//! ```
//! use cfconsole_model::origin_kind::{OriginKind, recognize};
//! assert_eq!(recognize("bucket.s3.us-west-2.amazonaws.com"), OriginKind::S3Bucket);
//! assert_eq!(recognize("bucket.s3-website-us-west-2.amazonaws.com"), OriginKind::S3Website);
//! assert_eq!(recognize("www.example.com"), OriginKind::Custom);
//! ```
//!
//! Origin protocol policy defaults ([`OriginKind::default_protocol_policy`]): the CloudFront
//! console preselects *HTTPS only* (with minimum origin SSL protocol TLSv1.2) for a custom
//! origin, and that is kept for every kind that can answer HTTPS under its own name. Two kinds
//! differ because of what the endpoint can do: an S3 website endpoint has no TLS at all, and an
//! EC2 public DNS name (`ec2-…compute.amazonaws.com`) can never carry a certificate that matches
//! it, so CloudFront's certificate check would fail every HTTPS fetch (502): both get
//! *HTTP only*. MediaStore, MediaPackage, Lambda function URLs and API Gateway only serve HTTPS.

use crate::list::List;
use crate::shapes::{
    CustomOriginConfig, Origin, OriginProtocolPolicy, S3OriginConfig, SslProtocol,
};

/// CloudFront's default HTTP port towards a custom origin.
pub const DEFAULT_HTTP_PORT: i32 = 80;
/// CloudFront's default HTTPS port towards a custom origin.
pub const DEFAULT_HTTPS_PORT: i32 = 443;
/// CloudFront's default origin response (read) timeout, in seconds.
pub const DEFAULT_READ_TIMEOUT: i32 = 30;
/// CloudFront's default origin keep-alive timeout, in seconds.
pub const DEFAULT_KEEPALIVE_TIMEOUT: i32 = 5;

/// The kind of origin a domain name points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OriginKind {
    /// An S3 bucket's REST endpoint (`bucket.s3.amazonaws.com`, `bucket.s3.<region>.…`).
    S3Bucket,
    /// An S3 static website endpoint (`bucket.s3-website-<region>.amazonaws.com`): HTTP only.
    S3Website,
    /// An AWS Elemental MediaStore container (`*.data.mediastore.<region>.amazonaws.com`).
    MediaStore,
    /// An AWS Elemental MediaPackage endpoint (`*.mediapackage.<region>.amazonaws.com`,
    /// `*.egress.mediapackage-vod.<region>.amazonaws.com`).
    MediaPackage,
    /// An EC2 instance's public DNS name (`ec2-…compute.amazonaws.com`).
    Ec2,
    /// An Elastic Load Balancing load balancer (`*.elb.amazonaws.com`).
    LoadBalancer,
    /// A Lambda function URL (`*.lambda-url.<region>.on.aws`).
    LambdaUrl,
    /// An API Gateway endpoint (`*.execute-api.<region>.amazonaws.com`).
    ApiGateway,
    /// Any other HTTP server.
    Custom,
}

impl OriginKind {
    /// Every kind, in declaration order.
    pub const ALL: [OriginKind; 9] = [
        OriginKind::S3Bucket,
        OriginKind::S3Website,
        OriginKind::MediaStore,
        OriginKind::MediaPackage,
        OriginKind::Ec2,
        OriginKind::LoadBalancer,
        OriginKind::LambdaUrl,
        OriginKind::ApiGateway,
        OriginKind::Custom,
    ];

    /// A short name for a badge: "S3 bucket", "S3 website endpoint", ….
    pub const fn label(self) -> &'static str {
        match self {
            OriginKind::S3Bucket => "S3 bucket",
            OriginKind::S3Website => "S3 website endpoint",
            OriginKind::MediaStore => "MediaStore container",
            OriginKind::MediaPackage => "MediaPackage endpoint",
            OriginKind::Ec2 => "EC2 instance",
            OriginKind::LoadBalancer => "Elastic Load Balancing",
            OriginKind::LambdaUrl => "Lambda function URL",
            OriginKind::ApiGateway => "API Gateway",
            OriginKind::Custom => "Custom origin",
        }
    }

    /// True when the origin is configured with `S3OriginConfig` (only an S3 bucket's REST
    /// endpoint); every other kind, S3 website endpoints included, uses `CustomOriginConfig`.
    pub const fn uses_s3_origin_config(self) -> bool {
        matches!(self, OriginKind::S3Bucket)
    }

    /// The origin protocol policy that fits (see the module docs for why).
    pub const fn default_protocol_policy(self) -> OriginProtocolPolicy {
        match self {
            OriginKind::S3Website | OriginKind::Ec2 => OriginProtocolPolicy::HttpOnly,
            OriginKind::S3Bucket
            | OriginKind::MediaStore
            | OriginKind::MediaPackage
            | OriginKind::LoadBalancer
            | OriginKind::LambdaUrl
            | OriginKind::ApiGateway
            | OriginKind::Custom => OriginProtocolPolicy::HttpsOnly,
        }
    }

    /// True when CloudFront offers an origin access control for this kind (S3 buckets,
    /// MediaStore, MediaPackage v2 and Lambda function URLs). S3 website endpoints do not take
    /// one: they serve only public content.
    pub const fn offers_origin_access_control(self) -> bool {
        matches!(
            self,
            OriginKind::S3Bucket
                | OriginKind::MediaStore
                | OriginKind::MediaPackage
                | OriginKind::LambdaUrl
        )
    }
}

impl std::fmt::Display for OriginKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The host part of what was typed: lower-cased, without scheme, port, path or trailing dot.
fn host(domain: &str) -> String {
    let d = domain.trim();
    let d = d.split_once("://").map_or(
        d,
        |(scheme, rest)| if scheme.contains('.') { d } else { rest },
    );
    let d = d.split(['/', '?', '#']).next().unwrap_or("");
    let d = d.rsplit_once(':').map_or(d, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            d
        }
    });
    d.trim_end_matches('.').to_ascii_lowercase()
}

/// An AWS Region code such as `us-east-1` or `cn-north-1`.
fn is_region(label: &str) -> bool {
    label.contains('-')
        && label.bytes().last().is_some_and(|b| b.is_ascii_digit())
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Recognizes the kind of origin `domain` is by its suffix (case-insensitive; a trailing dot,
/// scheme, port or path ignored). Anything unrecognized is [`OriginKind::Custom`].
pub fn recognize(domain: &str) -> OriginKind {
    let h = host(domain);
    if let Some(rest) = h.strip_suffix(".on.aws") {
        let l: Vec<&str> = rest.split('.').collect();
        let n = l.len();
        if n >= 3 && l[n - 2] == "lambda-url" && is_region(l[n - 1]) && !l[0].is_empty() {
            return OriginKind::LambdaUrl;
        }
        return OriginKind::Custom;
    }
    let Some(rest) = h
        .strip_suffix(".amazonaws.com")
        .or_else(|| h.strip_suffix(".amazonaws.com.cn"))
    else {
        return OriginKind::Custom;
    };
    let l: Vec<&str> = rest.split('.').collect();
    let n = l.len();
    if n < 2 || l.iter().any(|s| s.is_empty()) {
        return OriginKind::Custom;
    }
    let last = l[n - 1];
    let second = l[n - 2];
    // S3 website: bucket.s3-website-<region> and bucket.s3-website.<region>.
    if last.strip_prefix("s3-website-").is_some_and(is_region)
        || (second == "s3-website" && is_region(last) && n >= 3)
    {
        return OriginKind::S3Website;
    }
    // S3 REST: bucket.s3, bucket.s3-<region>, bucket.s3-external-1, bucket.s3.<region>,
    // bucket.s3.dualstack.<region>, bucket.s3-accelerate.
    let s3_label = |s: &str| s == "s3" || (s.starts_with("s3-") && !s.starts_with("s3-website"));
    if s3_label(last)
        || (s3_label(second) && is_region(last) && n >= 3)
        || (n >= 4 && l[n - 3] == "s3" && second == "dualstack" && is_region(last))
    {
        return OriginKind::S3Bucket;
    }
    if n >= 4 && l[n - 3] == "data" && second == "mediastore" && is_region(last) {
        return OriginKind::MediaStore;
    }
    if n >= 3 && second.starts_with("mediapackage") && is_region(last) {
        return OriginKind::MediaPackage;
    }
    if (last == "compute" || last == "compute-1") && l[0].starts_with("ec2-") {
        return OriginKind::Ec2;
    }
    if last == "elb" || (second == "elb" && is_region(last) && n >= 3) {
        return OriginKind::LoadBalancer;
    }
    if n >= 3 && second == "execute-api" && is_region(last) {
        return OriginKind::ApiGateway;
    }
    OriginKind::Custom
}

/// Turns `origin` into the configuration its domain's kind needs, keeping everything that does
/// not depend on the kind (Id, OriginPath, custom headers, connection attempts and timeouts,
/// Origin Shield, and any port, SSL protocol or timeout already set).
///
/// - S3 bucket: an `S3OriginConfig` (an existing one is kept; a new one has an empty
///   `OriginAccessIdentity`, the form that goes with an origin access control), no
///   `CustomOriginConfig`; a custom config's read timeout moves over.
/// - Every other kind: a `CustomOriginConfig` with the kind's protocol policy, and CloudFront's
///   defaults where nothing was set: ports 80 and 443, origin SSL protocols TLSv1.2, read
///   timeout 30 s, keep-alive 5 s; no `S3OriginConfig`. An origin access control is removed from
///   kinds that cannot use one (an S3 website endpoint refuses it).
///
/// An origin with a `VpcOriginConfig` is left alone: a VPC origin is chosen explicitly, not
/// recognized from a domain. Call this when the recognized kind changes, so that a protocol
/// policy chosen by hand is not overwritten on every keystroke.
pub fn apply_defaults(origin: &mut Origin) {
    if origin.vpc_origin_config.is_some() {
        return;
    }
    let kind = recognize(&origin.domain_name);
    if kind.uses_s3_origin_config() {
        let read = origin
            .custom_origin_config
            .take()
            .and_then(|c| c.origin_read_timeout);
        let s3 = origin
            .s3_origin_config
            .get_or_insert_with(S3OriginConfig::default);
        if s3.origin_read_timeout.is_none() {
            s3.origin_read_timeout = read;
        }
    } else {
        let read = origin
            .s3_origin_config
            .take()
            .and_then(|s| s.origin_read_timeout);
        let c = origin
            .custom_origin_config
            .get_or_insert_with(|| CustomOriginConfig {
                http_port: DEFAULT_HTTP_PORT,
                https_port: DEFAULT_HTTPS_PORT,
                ..Default::default()
            });
        if c.http_port == 0 {
            c.http_port = DEFAULT_HTTP_PORT;
        }
        if c.https_port == 0 {
            c.https_port = DEFAULT_HTTPS_PORT;
        }
        c.origin_protocol_policy = kind.default_protocol_policy();
        if c.origin_ssl_protocols.as_ref().is_none_or(List::is_empty) {
            c.origin_ssl_protocols = Some(List::new(vec![SslProtocol::TLSv1_2]));
        }
        c.origin_read_timeout = c
            .origin_read_timeout
            .or(read)
            .or(Some(DEFAULT_READ_TIMEOUT));
        c.origin_keepalive_timeout = c
            .origin_keepalive_timeout
            .or(Some(DEFAULT_KEEPALIVE_TIMEOUT));
    }
    if !kind.offers_origin_access_control() {
        origin.origin_access_control_id = None;
    }
}

#[cfg(test)]
mod tests {
    use super::OriginKind::*;
    use super::*;
    use crate::shapes::{OriginCustomHeader, OriginShield};

    #[test]
    fn recognizes_by_suffix() {
        let rows: &[(&str, OriginKind)] = &[
            // S3 REST endpoints.
            ("bucket.s3.amazonaws.com", S3Bucket),
            ("my.dotted.bucket.s3.amazonaws.com", S3Bucket),
            ("bucket.s3.us-west-2.amazonaws.com", S3Bucket),
            ("bucket.s3-us-west-2.amazonaws.com", S3Bucket),
            ("bucket.s3-external-1.amazonaws.com", S3Bucket),
            ("bucket.s3.dualstack.eu-west-1.amazonaws.com", S3Bucket),
            ("bucket.s3-accelerate.amazonaws.com", S3Bucket),
            ("bucket.s3.cn-north-1.amazonaws.com.cn", S3Bucket),
            ("Bucket.S3.AmazonAWS.com.", S3Bucket),
            ("https://bucket.s3.amazonaws.com/", S3Bucket),
            ("s3.amazonaws.com", Custom),
            ("s3.us-west-2.amazonaws.com", Custom),
            // S3 website endpoints.
            ("bucket.s3-website-us-east-1.amazonaws.com", S3Website),
            ("bucket.s3-website.eu-central-1.amazonaws.com", S3Website),
            (
                "www.example.com.s3-website-us-west-2.amazonaws.com",
                S3Website,
            ),
            ("BUCKET.S3-WEBSITE-US-EAST-1.AMAZONAWS.COM.", S3Website),
            ("bucket.s3-website.cn-north-1.amazonaws.com.cn", S3Website),
            (
                "http://bucket.s3-website-us-east-1.amazonaws.com:80/index.html",
                S3Website,
            ),
            // MediaStore and MediaPackage.
            ("abc123.data.mediastore.us-west-2.amazonaws.com", MediaStore),
            ("abc123.mediapackage.us-west-2.amazonaws.com", MediaPackage),
            (
                "abc123.egress.mediapackage-vod.us-east-1.amazonaws.com",
                MediaPackage,
            ),
            (
                "abc.egress.mediapackagev2.us-east-1.amazonaws.com",
                MediaPackage,
            ),
            // EC2 and ELB.
            ("ec2-203-0-113-25.compute-1.amazonaws.com", Ec2),
            ("ec2-203-0-113-25.us-west-2.compute.amazonaws.com", Ec2),
            ("ec2-52-80-0-1.cn-north-1.compute.amazonaws.com.cn", Ec2),
            (
                "my-alb-1234567890.us-west-2.elb.amazonaws.com",
                LoadBalancer,
            ),
            (
                "my-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com",
                LoadBalancer,
            ),
            // Lambda function URLs and API Gateway.
            ("abcdefghijklmnop.lambda-url.us-east-1.on.aws", LambdaUrl),
            ("ABCDEFGHIJKLMNOP.LAMBDA-URL.EU-WEST-1.ON.AWS.", LambdaUrl),
            ("lambda-url.us-east-1.on.aws", Custom),
            ("a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", ApiGateway),
            // Anything else.
            ("www.example.com", Custom),
            ("example.on.aws", Custom),
            ("", Custom),
            ("amazonaws.com", Custom),
            ("bucket.s3.amazonaws.com.evil.example", Custom),
            ("d111111abcdef8.cloudfront.net", Custom),
        ];
        for (domain, kind) in rows {
            assert_eq!(recognize(domain), *kind, "{domain:?}");
        }
    }

    #[test]
    fn kind_properties() {
        use OriginProtocolPolicy::{HttpOnly, HttpsOnly};
        // (kind, label, S3OriginConfig, protocol policy, OAC offered)
        let rows: &[(OriginKind, &str, bool, OriginProtocolPolicy, bool)] = &[
            (S3Bucket, "S3 bucket", true, HttpsOnly, true),
            (S3Website, "S3 website endpoint", false, HttpOnly, false),
            (MediaStore, "MediaStore container", false, HttpsOnly, true),
            (
                MediaPackage,
                "MediaPackage endpoint",
                false,
                HttpsOnly,
                true,
            ),
            (Ec2, "EC2 instance", false, HttpOnly, false),
            (
                LoadBalancer,
                "Elastic Load Balancing",
                false,
                HttpsOnly,
                false,
            ),
            (LambdaUrl, "Lambda function URL", false, HttpsOnly, true),
            (ApiGateway, "API Gateway", false, HttpsOnly, false),
            (Custom, "Custom origin", false, HttpsOnly, false),
        ];
        assert_eq!(rows.len(), OriginKind::ALL.len());
        for (kind, label, s3, policy, oac) in rows {
            assert_eq!(kind.label(), *label);
            assert_eq!(kind.to_string(), *label);
            assert_eq!(kind.uses_s3_origin_config(), *s3, "{kind:?}");
            assert_eq!(kind.default_protocol_policy(), *policy, "{kind:?}");
            assert_eq!(kind.offers_origin_access_control(), *oac, "{kind:?}");
        }
    }

    fn origin(domain: &str) -> Origin {
        Origin {
            id: "o1".into(),
            domain_name: domain.into(),
            origin_path: Some("/prod".into()),
            custom_headers: Some(List::new(vec![OriginCustomHeader {
                header_name: "X-Key".into(),
                header_value: "secret".into(),
            }])),
            connection_attempts: Some(2),
            connection_timeout: Some(7),
            origin_shield: Some(OriginShield {
                enabled: true,
                origin_shield_region: Some("us-east-2".into()),
            }),
            ..Default::default()
        }
    }

    fn custom(policy: OriginProtocolPolicy) -> CustomOriginConfig {
        CustomOriginConfig {
            http_port: 80,
            https_port: 443,
            origin_protocol_policy: policy,
            origin_ssl_protocols: Some(List::new(vec![SslProtocol::TLSv1_2])),
            origin_read_timeout: Some(30),
            origin_keepalive_timeout: Some(5),
            ..Default::default()
        }
    }

    #[test]
    fn apply_defaults_per_kind() {
        use OriginProtocolPolicy::{HttpOnly, HttpsOnly};
        // (domain, expected S3OriginConfig, expected CustomOriginConfig)
        let rows: &[(&str, Option<S3OriginConfig>, Option<CustomOriginConfig>)] = &[
            ("b.s3.amazonaws.com", Some(S3OriginConfig::default()), None),
            (
                "b.s3-website-us-east-1.amazonaws.com",
                None,
                Some(custom(HttpOnly)),
            ),
            (
                "c.data.mediastore.us-west-2.amazonaws.com",
                None,
                Some(custom(HttpsOnly)),
            ),
            (
                "c.mediapackage.us-west-2.amazonaws.com",
                None,
                Some(custom(HttpsOnly)),
            ),
            (
                "ec2-1-2-3-4.compute-1.amazonaws.com",
                None,
                Some(custom(HttpOnly)),
            ),
            (
                "lb-1.us-east-1.elb.amazonaws.com",
                None,
                Some(custom(HttpsOnly)),
            ),
            (
                "u.lambda-url.us-east-1.on.aws",
                None,
                Some(custom(HttpsOnly)),
            ),
            (
                "a.execute-api.us-east-1.amazonaws.com",
                None,
                Some(custom(HttpsOnly)),
            ),
            ("www.example.com", None, Some(custom(HttpsOnly))),
        ];
        for (domain, s3, cust) in rows {
            let mut o = origin(domain);
            apply_defaults(&mut o);
            assert_eq!(&o.s3_origin_config, s3, "{domain}");
            assert_eq!(&o.custom_origin_config, cust, "{domain}");
            // Unrelated fields are untouched.
            let mut expected = origin(domain);
            expected.s3_origin_config = o.s3_origin_config.clone();
            expected.custom_origin_config = o.custom_origin_config.clone();
            assert_eq!(o, expected, "{domain}");
            // Applying twice changes nothing more.
            let once = o.clone();
            apply_defaults(&mut o);
            assert_eq!(o, once, "{domain}");
        }
    }

    #[test]
    fn apply_defaults_switches_kinds_and_keeps_what_was_set() {
        // A bucket origin retyped as its website endpoint: custom, HTTP only, OAC dropped.
        let mut o = origin("b.s3.amazonaws.com");
        o.s3_origin_config = Some(S3OriginConfig {
            origin_access_identity: String::new(),
            origin_read_timeout: Some(45),
        });
        o.origin_access_control_id = Some("E2OAC".into());
        o.domain_name = "b.s3-website-us-east-1.amazonaws.com".into();
        apply_defaults(&mut o);
        assert!(o.s3_origin_config.is_none());
        let c = o.custom_origin_config.as_ref().unwrap();
        assert_eq!(c.origin_protocol_policy, OriginProtocolPolicy::HttpOnly);
        assert_eq!(
            c.origin_read_timeout,
            Some(45),
            "the read timeout moves over"
        );
        assert_eq!(o.origin_access_control_id, None);

        // Custom ports and timeouts survive a change of protocol policy.
        let mut o = origin("www.example.com");
        o.custom_origin_config = Some(CustomOriginConfig {
            http_port: 8080,
            https_port: 8443,
            origin_protocol_policy: OriginProtocolPolicy::MatchViewer,
            origin_ssl_protocols: Some(List::new(vec![SslProtocol::TLSv1_1, SslProtocol::TLSv1_2])),
            origin_read_timeout: Some(60),
            origin_keepalive_timeout: Some(10),
            ..Default::default()
        });
        o.domain_name = "x.s3-website.eu-west-1.amazonaws.com".into();
        apply_defaults(&mut o);
        let c = o.custom_origin_config.as_ref().unwrap();
        assert_eq!((c.http_port, c.https_port), (8080, 8443));
        assert_eq!(c.origin_protocol_policy, OriginProtocolPolicy::HttpOnly);
        assert_eq!(c.origin_ssl_protocols.as_ref().unwrap().len(), 2);
        assert_eq!(
            (c.origin_read_timeout, c.origin_keepalive_timeout),
            (Some(60), Some(10))
        );

        // Back to a bucket: S3OriginConfig with the custom read timeout, OAC kept.
        o.domain_name = "x.s3.eu-west-1.amazonaws.com".into();
        o.origin_access_control_id = Some("E2OAC".into());
        apply_defaults(&mut o);
        assert!(o.custom_origin_config.is_none());
        assert_eq!(
            o.s3_origin_config,
            Some(S3OriginConfig {
                origin_access_identity: String::new(),
                origin_read_timeout: Some(60),
            })
        );
        assert_eq!(o.origin_access_control_id.as_deref(), Some("E2OAC"));

        // A VPC origin is left alone.
        let mut o = origin("internal-alb.us-east-1.elb.amazonaws.com");
        o.vpc_origin_config = Some(Default::default());
        let before = o.clone();
        apply_defaults(&mut o);
        assert_eq!(o, before);
    }

    #[test]
    fn applied_defaults_validate() {
        for domain in [
            "b.s3.amazonaws.com",
            "b.s3-website-us-east-1.amazonaws.com",
            "ec2-1-2-3-4.compute-1.amazonaws.com",
            "www.example.com",
        ] {
            let mut c = crate::validate::testutil::valid();
            let o = &mut c.origins.items_mut()[0];
            o.domain_name = domain.into();
            o.s3_origin_config = None;
            apply_defaults(o);
            // No error; an HTTP-only origin behind redirect-to-https may draw a warning.
            let f = crate::validate(&c);
            assert!(!f.iter().any(|f| f.is_error()), "{domain}: {f:#?}");
        }
    }
}
