//! A distribution prepared for serving: every behavior's cache-key recipe, forwarding rules, TTL
//! settings and response headers policy resolved once (managed or custom policies, spec §6), the
//! origins with their preview targets, origin groups, error rules and geo restriction. A config
//! swap builds a new [`Dist`] and replaces the old one atomically.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

use cfconsole_model::{
    BehaviorView, CachePolicyCookieBehavior, CachePolicyHeaderBehavior,
    CachePolicyQueryStringBehavior, CompiledBehaviors, DistributionConfig, EventType, Finding,
    GeoRestrictionType, ItemSelection, OriginProtocolPolicy, OriginRequestPolicyCookieBehavior,
    OriginRequestPolicyHeaderBehavior, OriginRequestPolicyQueryStringBehavior, PolicyKind,
    PolicySet, ResponseHeadersPolicyConfig, SslProtocol, ViewerProtocolPolicy,
};

use crate::error_rules::ErrorRules;
use crate::key::{KeyRecipe, Select};
use crate::origin::{OriginSpec, Target};
use crate::stats::Counters;
use crate::ttl::TtlSettings;

/// An origin override given with `--origin ID=URL|DIR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// `http://host:port`: requests go there over plain HTTP instead of the origin's domain,
    /// whatever its protocol policy.
    Url { authority: String },
    /// `https://host:port` (port 443 when omitted): requests go there over HTTPS, whatever the
    /// protocol policy. SNI and certificate verification use this URL's host, not the origin's
    /// DomainName (the rule is "the name you connect to is the name checked"; trust a private
    /// CA with `--origin-ca`).
    HttpsUrl { authority: String },
    /// A local folder served like S3.
    Folder(PathBuf),
}

/// `host[:port]` of an override URL, with `default_port` when none is given.
fn override_authority(value: &str, rest: &str, default_port: u16) -> Result<String, String> {
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains('/') {
        return Err(format!(
            "{value}: expected a URL with HOST[:PORT] and no path"
        ));
    }
    let has_port = match authority.rsplit_once(':') {
        // `[::1]` alone has colons but no port.
        Some((_, p)) => !p.ends_with(']') && !p.is_empty(),
        None => false,
    };
    Ok(if has_port {
        authority.to_string()
    } else {
        format!("{authority}:{default_port}")
    })
}

impl Override {
    /// Parses the value of `--origin ID=VALUE`: an `http://` or `https://` URL, or a folder.
    pub fn parse(value: &str) -> Result<Self, String> {
        if let Some(rest) = value.strip_prefix("http://") {
            return Ok(Override::Url {
                authority: override_authority(value, rest, 80)?,
            });
        }
        if let Some(rest) = value.strip_prefix("https://") {
            return Ok(Override::HttpsUrl {
                authority: override_authority(value, rest, 443)?,
            });
        }
        let path = PathBuf::from(value);
        if path.is_dir() {
            Ok(Override::Folder(path))
        } else {
            Err(format!(
                "{value}: neither an http:// or https:// URL nor an existing folder"
            ))
        }
    }
}

/// Which viewer headers reach the origin (K-3, K-9, K-10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderForward {
    /// Exactly these (lower-case), plus the always-forwarded ones.
    List(Vec<String>),
    /// All viewer headers except these (AllViewer = empty list; allExcept), plus listed
    /// CloudFront-* headers.
    AllViewer {
        except: Vec<String>,
        cloudfront: Vec<String>,
    },
}

impl HeaderForward {
    pub fn forwards(&self, name: &str) -> bool {
        match self {
            HeaderForward::List(l) => l.iter().any(|h| h == name),
            HeaderForward::AllViewer { except, cloudfront } => {
                if name.starts_with("cloudfront-") {
                    cloudfront.iter().any(|h| h == name)
                } else {
                    !except.iter().any(|h| h == name)
                }
            }
        }
    }
}

/// What is sent to the origin for one behavior.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    pub query: Select,
    pub headers: HeaderForward,
    pub cookies: Select,
    /// Legacy ForwardedValues: other custom headers are forwarded (§19-12 decision).
    pub legacy: bool,
}

/// One cache behavior (or the default one), prepared.
pub struct Behavior {
    /// `CacheBehaviors.Items[i]` index, None for the default.
    pub index: Option<usize>,
    /// The path pattern, `*` for the default.
    pub label: Arc<str>,
    pub target: String,
    pub viewer_protocol_policy: ViewerProtocolPolicy,
    pub allowed: Vec<Method>,
    pub cached: Vec<Method>,
    /// spec C-1/C-6/C-7: edge compression enabled for this behavior.
    pub compress: bool,
    pub key: KeyRecipe,
    pub forward: Forward,
    pub ttl: TtlSettings,
    /// spec K-10: legacy `Headers: ["*"]` → nothing cached.
    pub all_headers: bool,
    /// spec K-12: trusted signers / key groups are set, so signed-URL parameters are stripped.
    pub signed: bool,
    pub response_headers: Option<Arc<ResponseHeadersPolicyConfig>>,
    /// Shared with the behavior of the same path pattern in the next config (see
    /// [`Dist::carry_counters`]).
    pub counters: Arc<Counters>,
    /// See [`Behavior::names_cloudfront_header`].
    cloudfront_named: bool,
    /// spec CF-3: the viewer-request function associated with this behavior.
    pub viewer_request: Option<Arc<crate::functions::EdgeFunction>>,
    /// spec CF-6: the viewer-response function.
    pub viewer_response: Option<Arc<crate::functions::EdgeFunction>>,
    /// spec SU-1/SU-12: the signatures this behavior requires (trusted key groups or signers).
    pub signatures: Option<crate::signed::Required>,
}

impl Behavior {
    pub fn allows(&self, m: &Method) -> bool {
        self.allowed.contains(m)
    }

    /// spec M-2: GET/HEAD always cacheable, OPTIONS when listed, others never.
    pub fn caches(&self, m: &Method) -> bool {
        *m == Method::GET
            || *m == Method::HEAD
            || (*m == Method::OPTIONS && self.cached.contains(m))
    }

    /// spec K-11: collapsing disabled by CachingDisabled, by forwarding cookies, or by legacy
    /// all-headers forwarding.
    pub fn collapses(&self) -> bool {
        !self.ttl.caching_disabled() && self.forward.cookies.is_none() && !self.all_headers
    }

    /// spec K-3: does this behavior name the (lower-case) header `name`, in its cache key or
    /// among the headers it forwards to the origin?
    pub fn names_header(&self, name: &str) -> bool {
        self.forward.headers.forwards(name) || self.key.headers.iter().any(|h| h == name)
    }

    /// spec H-9: does it name any CloudFront-* header (so that the edge must generate some)?
    /// Decided once per config; asked on every request.
    pub fn names_cloudfront_header(&self) -> bool {
        self.cloudfront_named
    }
}

/// An origin group (F-1).
#[derive(Debug, Clone)]
pub struct Group {
    pub primary: String,
    pub secondary: String,
    pub codes: Vec<u16>,
}

/// Geo restriction (S-9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Geo {
    None,
    Allow(Vec<String>),
    Block(Vec<String>),
}

impl Geo {
    /// spec S-9: unknown location is served.
    pub fn allows(&self, country: Option<&str>) -> bool {
        match (self, country) {
            (_, None) | (Geo::None, _) => true,
            (Geo::Allow(l), Some(c)) => l.iter().any(|x| x.eq_ignore_ascii_case(c)),
            (Geo::Block(l), Some(c)) => !l.iter().any(|x| x.eq_ignore_ascii_case(c)),
        }
    }
}

/// A prepared distribution.
pub struct Dist {
    pub config: DistributionConfig,
    pub domain: String,
    pub aliases: Vec<String>,
    pub enabled: bool,
    pub default_root: Option<String>,
    pub compiled: CompiledBehaviors,
    /// `CacheBehaviors.Items` in order, then the default behavior last.
    pub behaviors: Vec<Behavior>,
    pub origins: HashMap<String, Arc<OriginSpec>>,
    pub groups: HashMap<String, Group>,
    pub error_rules: ErrorRules,
    pub geo: Geo,
    /// spec S-8 IncludeCookies: cookies are logged only then.
    pub log_cookies: bool,
    /// Via's `<hex>.cloudfront.net` (X-2, H-3).
    pub via: String,
    /// the viewer-facing Via for HTTP/1.0, 1.1 and 2, built once.
    via_headers: [HeaderValue; 3],
    /// The domain for log records (shared, no allocation per request).
    pub domain_arc: Arc<str>,
    /// spec CF-1: the functions the preview runs (and their limits).
    pub functions: Option<Arc<crate::functions::FunctionSet>>,
    /// Associations served without their function (`--skip-functions`), one line each.
    pub function_warnings: Vec<String>,
    /// spec SU-1: the public keys and key groups signatures are checked with.
    pub trusted_keys: Option<Arc<crate::signed::KeySet>>,
    /// spec OA-5/OA-10: what origin access control does not do as configured, one line each
    /// (the credentials' own warning is [`EdgeHandle::origin_access_warnings`]'s).
    ///
    /// [`EdgeHandle::origin_access_warnings`]: crate::EdgeHandle::origin_access_warnings
    pub origin_access_warnings: Vec<String>,
    /// An id for the events functions see (`context.distributionId`): the first label of the
    /// domain, upper-cased (`d111111abcdef8.cloudfront.net` → `D111111ABCDEF8`).
    pub distribution_id: String,
}

/// Options that are not part of the DistributionConfig.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub domain: String,
    pub overrides: HashMap<String, Override>,
    /// TLS to origins (public roots plus `--origin-ca`); None: the public roots only.
    pub origin_tls: Option<Arc<rustls::ClientConfig>>,
    /// spec CF-1: the functions the preview has code for; None serves without any (each
    /// association a warning).
    pub functions: Option<Arc<crate::functions::FunctionSet>>,
    /// spec SU-1: the public keys and key groups; None: none (a behavior that requires
    /// signatures is refused).
    pub trusted_keys: Option<Arc<crate::signed::KeySet>>,
    /// spec OA-1/OA-10: the origin access controls and the credentials that sign; None signs
    /// nothing (each origin with an OAC a warning).
    pub origin_access: Option<crate::oac::OriginAccess>,
}

/// Why a configuration cannot be served.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", render_findings(.0))]
pub struct Invalid(pub Vec<Finding>);

/// A refused config as text: a heading, then one line per finding exactly as
/// `cfconsole validate` prints it (`error: PATH: MESSAGE (CODE)`, the model's `Display`), so a
/// script can find the CloudFront error code (`(InvalidTTLOrder)`) that explains the refusal.
pub fn render_findings(findings: &[Finding]) -> String {
    let mut s = String::from("the configuration cannot be previewed:");
    for f in findings {
        s.push('\n');
        s.push_str(&f.to_string());
    }
    s
}

/// The one place that decides whether a config may be served: every error of the full
/// validator (what CloudFront itself would refuse), and every policy id that resolves to
/// nothing. Without custom policies the validator only warns about an unknown id (it cannot
/// tell a custom policy from a typo), but the preview cannot build a cache key it does not
/// know, so here it is an error naming the behavior and the id (issue item 2).
pub fn check_config(config: &DistributionConfig, policies: &PolicySet) -> Vec<Finding> {
    let mut out: Vec<Finding> = cfconsole_model::validate_with(config, policies)
        .into_iter()
        .filter(Finding::is_error)
        .collect();
    // A custom policy the config uses must be one CloudFront would accept (a cache policy keying
    // an origin-request-only header, say). Invalid policies the config does not use are left
    // alone: a `list-*-policies` file may hold many.
    let used: Vec<String> = cfconsole_model::policies::policy_refs(config)
        .into_iter()
        .map(|(_, kind, id)| {
            let shape = match kind {
                PolicyKind::Cache => "CachePolicy",
                PolicyKind::OriginRequest => "OriginRequestPolicy",
                PolicyKind::ResponseHeaders => "ResponseHeadersPolicy",
            };
            format!("{shape}[{id}].")
        })
        .collect();
    out.extend(
        cfconsole_model::validate_policies(policies)
            .into_iter()
            .filter(|f| f.is_error() && used.iter().any(|u| f.path.starts_with(u.as_str()))),
    );
    for u in policies.unresolved(config) {
        if !out.iter().any(|f| f.path == u.path) {
            out.push(Finding::error(
                u.path.clone(),
                u.kind.missing_code(),
                u.to_string(),
            ));
        }
    }
    out
}

fn lower(list: Option<&cfconsole_model::List<String>>) -> Vec<String> {
    list.map(|l| l.items().iter().map(|s| s.to_ascii_lowercase()).collect())
        .unwrap_or_default()
}

fn names(list: Option<&cfconsole_model::List<String>>) -> Vec<String> {
    list.map(|l| l.items().to_vec()).unwrap_or_default()
}

/// The four item behaviors of the policies' query string and cookie settings share one shape
/// (`none`, `whitelist`, `allExcept`, `all`): each is matched over all its variants here.
trait ItemBehavior {
    /// spec K-2 (a cache policy keys, and so forwards, K-3) and K-3 (an origin request policy
    /// forwards on top of the key): the selection the behavior and its list make.
    fn select(self, list: Option<&cfconsole_model::List<String>>) -> Select;
}

macro_rules! item_behavior {
    ($($t:ident),+) => {$(
        impl ItemBehavior for $t {
            fn select(self, list: Option<&cfconsole_model::List<String>>) -> Select {
                match self {
                    $t::None => Select::None,
                    $t::Whitelist => Select::Whitelist(names(list)),
                    $t::AllExcept => Select::AllExcept(names(list)),
                    $t::All => Select::All,
                }
            }
        }
    )+};
}

item_behavior!(
    CachePolicyQueryStringBehavior,
    CachePolicyCookieBehavior,
    OriginRequestPolicyQueryStringBehavior,
    OriginRequestPolicyCookieBehavior
);

/// K-3: what is in the key is forwarded too; union of two selections.
fn union(a: &Select, b: &Select) -> Select {
    match (a, b) {
        (Select::All, _) | (_, Select::All) => Select::All,
        (Select::None, x) | (x, Select::None) => x.clone(),
        (Select::Whitelist(x), Select::Whitelist(y)) => {
            Select::Whitelist(x.iter().chain(y).cloned().collect())
        }
        (Select::AllExcept(x), Select::Whitelist(y))
        | (Select::Whitelist(y), Select::AllExcept(x)) => {
            Select::AllExcept(x.iter().filter(|n| !y.contains(n)).cloned().collect())
        }
        (Select::AllExcept(x), Select::AllExcept(y)) => {
            Select::AllExcept(x.iter().filter(|n| y.contains(n)).cloned().collect())
        }
    }
}

/// The CloudFront-* headers of the AllViewerAndCloudFrontHeaders ORP (§6 table).
const ALL_CLOUDFRONT: &[&str] = &[
    "cloudfront-forwarded-proto",
    "cloudfront-is-android-viewer",
    "cloudfront-is-desktop-viewer",
    "cloudfront-is-ios-viewer",
    "cloudfront-is-mobile-viewer",
    "cloudfront-is-smarttv-viewer",
    "cloudfront-is-tablet-viewer",
    "cloudfront-viewer-address",
    "cloudfront-viewer-asn",
    "cloudfront-viewer-city",
    "cloudfront-viewer-country",
    "cloudfront-viewer-country-name",
    "cloudfront-viewer-country-region",
    "cloudfront-viewer-country-region-name",
    "cloudfront-viewer-http-version",
    "cloudfront-viewer-latitude",
    "cloudfront-viewer-longitude",
    "cloudfront-viewer-metro-code",
    "cloudfront-viewer-postal-code",
    "cloudfront-viewer-time-zone",
    "cloudfront-viewer-tls",
];

fn methods(list: &[cfconsole_model::Method]) -> Vec<Method> {
    list.iter()
        .map(|m| match m {
            cfconsole_model::Method::GET => Method::GET,
            cfconsole_model::Method::HEAD => Method::HEAD,
            cfconsole_model::Method::POST => Method::POST,
            cfconsole_model::Method::PUT => Method::PUT,
            cfconsole_model::Method::PATCH => Method::PATCH,
            cfconsole_model::Method::OPTIONS => Method::OPTIONS,
            cfconsole_model::Method::DELETE => Method::DELETE,
        })
        .collect()
}

fn prepare_behavior(v: &BehaviorView<'_>, policies: &PolicySet) -> Result<Behavior, Finding> {
    let field = &v.path;
    let label: Arc<str> = Arc::from(v.path_pattern.unwrap_or("*"));
    let (allowed, cached) = match v.allowed_methods {
        Some(a) => (
            methods(&a.items),
            a.cached_methods
                .as_ref()
                .map(|c| methods(c.items()))
                .unwrap_or_else(|| vec![Method::GET, Method::HEAD]),
        ),
        None => (
            vec![Method::GET, Method::HEAD],
            vec![Method::GET, Method::HEAD],
        ),
    };
    let options_cached = cached.contains(&Method::OPTIONS);
    let (key, forward, ttl, all_headers, gzip, br) = if let Some(id) = v.cache_policy() {
        // spec K-2: cache policy model.
        let policy = policies.cache_policy(id).ok_or_else(|| {
            Finding::error(
                format!("{field}.CachePolicyId"),
                "NoSuchCachePolicy",
                format!("cache policy {id:?} is neither managed nor given with --policies"),
            )
        })?;
        let c = &policy.cache_policy_config;
        // Without ParametersInCacheKeyAndForwardedToOrigin nothing but the path is keyed.
        let (q, ck, hk, gzip, br) = match &c.parameters_in_cache_key_and_forwarded_to_origin {
            Some(p) => (
                p.query_strings_config
                    .query_string_behavior
                    .select(p.query_strings_config.query_strings.as_ref()),
                p.cookies_config
                    .cookie_behavior
                    .select(p.cookies_config.cookies.as_ref()),
                match p.headers_config.header_behavior {
                    CachePolicyHeaderBehavior::None => vec![],
                    CachePolicyHeaderBehavior::Whitelist => {
                        lower(p.headers_config.headers.as_ref())
                    }
                },
                p.enable_accept_encoding_gzip,
                p.enable_accept_encoding_brotli.unwrap_or(false),
            ),
            None => (Select::None, Select::None, vec![], false, false),
        };
        let key = KeyRecipe {
            query: q.clone(),
            headers: hk.clone(),
            cookies: ck.clone(),
            gzip,
            br,
            options_cached,
        };
        let mut forward = Forward {
            query: q,
            headers: HeaderForward::List(hk),
            cookies: ck,
            legacy: false,
        };
        if let Some(orp_id) = v.origin_request_policy() {
            let orp = policies.origin_request_policy(orp_id).ok_or_else(|| {
                Finding::error(
                    format!("{field}.OriginRequestPolicyId"),
                    "NoSuchOriginRequestPolicy",
                    format!(
                        "origin request policy {orp_id:?} is neither managed nor given with \
                         --policies"
                    ),
                )
            })?;
            let o = &orp.origin_request_policy_config;
            // K-3: the ORP adds to what the key already forwards.
            forward.query = union(
                &forward.query,
                &o.query_strings_config
                    .query_string_behavior
                    .select(o.query_strings_config.query_strings.as_ref()),
            );
            forward.cookies = union(
                &forward.cookies,
                &o.cookies_config
                    .cookie_behavior
                    .select(o.cookies_config.cookies.as_ref()),
            );
            let listed = lower(o.headers_config.headers.as_ref());
            let key_headers = match &forward.headers {
                HeaderForward::List(l) => l.clone(),
                HeaderForward::AllViewer { .. } => vec![],
            };
            forward.headers = match o.headers_config.header_behavior {
                OriginRequestPolicyHeaderBehavior::None => HeaderForward::List(key_headers),
                OriginRequestPolicyHeaderBehavior::Whitelist => {
                    HeaderForward::List(key_headers.into_iter().chain(listed).collect())
                }
                OriginRequestPolicyHeaderBehavior::AllViewer => HeaderForward::AllViewer {
                    except: vec![],
                    cloudfront: key_headers
                        .into_iter()
                        .filter(|h| h.starts_with("cloudfront-"))
                        .collect(),
                },
                OriginRequestPolicyHeaderBehavior::AllViewerAndWhitelistCloudFront => {
                    HeaderForward::AllViewer {
                        except: vec![],
                        cloudfront: key_headers
                            .into_iter()
                            .chain(listed)
                            .filter(|h| h.starts_with("cloudfront-"))
                            .collect(),
                    }
                }
                OriginRequestPolicyHeaderBehavior::AllExcept => HeaderForward::AllViewer {
                    except: listed
                        .into_iter()
                        .filter(|h| !key_headers.contains(h))
                        .collect(),
                    cloudfront: key_headers
                        .into_iter()
                        .filter(|h| h.starts_with("cloudfront-"))
                        .collect(),
                },
            };
            if orp.id == "33f36d7e-f396-46d9-90e0-52428a34d9dc"
                && let HeaderForward::AllViewer { cloudfront, .. } = &mut forward.headers
            {
                cloudfront.extend(ALL_CLOUDFRONT.iter().map(|s| s.to_string()));
            }
        }
        let ttl = TtlSettings::with_defaults(Some(c.min_ttl), c.default_ttl, c.max_ttl);
        (key, forward, ttl, false, gzip, br)
    } else {
        // spec K-10: legacy ForwardedValues (+ MinTTL/DefaultTTL/MaxTTL on the behavior).
        let fv = v.forwarded_values.ok_or_else(|| {
            Finding::error(
                format!("{field}.ForwardedValues"),
                "InvalidArgument",
                "a behavior needs CachePolicyId or ForwardedValues (spec K-2)",
            )
        })?;
        let (kq, fq) = if fv.query_string {
            let keys = names(fv.query_string_cache_keys.as_ref());
            (
                if keys.is_empty() {
                    Select::All
                } else {
                    Select::Whitelist(keys)
                },
                Select::All,
            )
        } else {
            (Select::None, Select::None)
        };
        let cookies = match fv.cookies.forward {
            ItemSelection::None => Select::None,
            ItemSelection::Whitelist => {
                Select::Whitelist(names(fv.cookies.whitelisted_names.as_ref()))
            }
            ItemSelection::All => Select::All,
        };
        let headers = lower(fv.headers.as_ref());
        let all = headers.iter().any(|h| h == "*");
        // spec C-7: legacy gets gzip only, and only when Compress is on (the K-8 handling of
        // Accept-Encoding applies because CloudFront normalises it for compression).
        let gzip = v.compress.unwrap_or(false) && !headers.iter().any(|h| h == "accept-encoding");
        let key = KeyRecipe {
            query: kq,
            headers: if all { vec![] } else { headers.clone() },
            cookies: cookies.clone(),
            gzip,
            br: false,
            options_cached,
        };
        let forward = Forward {
            query: fq,
            headers: if all {
                HeaderForward::AllViewer {
                    except: vec![],
                    cloudfront: vec![],
                }
            } else {
                HeaderForward::List(headers)
            },
            cookies,
            legacy: true,
        };
        (
            key,
            forward,
            TtlSettings::with_defaults(v.min_ttl, v.default_ttl, v.max_ttl),
            all,
            gzip,
            false,
        )
    };
    // spec C-6: Accept-Encoding listed explicitly disables edge compression.
    let ae_listed = key.headers.iter().any(|h| h == "accept-encoding");
    // spec C-1: Compress flag, a coding enabled, TTLs not all zero.
    let compress =
        v.compress.unwrap_or(false) && (gzip || br) && !ttl.caching_disabled() && !ae_listed;
    let response_headers = match v.response_headers_policy() {
        Some(id) => Some(Arc::new(
            policies
                .response_headers_policy(id)
                .ok_or_else(|| {
                    Finding::error(
                        format!("{field}.ResponseHeadersPolicyId"),
                        "NoSuchResponseHeadersPolicy",
                        format!(
                            "response headers policy {id:?} is neither managed nor given with \
                             --policies"
                        ),
                    )
                })?
                .response_headers_policy_config
                .clone(),
        )),
        None => None,
    };
    // spec SU-10: signed cookies never make separate cache entries.
    let mut key = key;
    if v.signed() {
        key.cookies = crate::signed::without_signed_cookies(std::mem::replace(
            &mut key.cookies,
            Select::None,
        ));
    }
    let cloudfront_named = key.headers.iter().any(|h| h.starts_with("cloudfront-"))
        || match &forward.headers {
            HeaderForward::List(l) => l.iter().any(|h| h.starts_with("cloudfront-")),
            HeaderForward::AllViewer { cloudfront, .. } => !cloudfront.is_empty(),
        };
    Ok(Behavior {
        index: v.index,
        label,
        target: v.target_origin_id.to_string(),
        viewer_protocol_policy: v.viewer_protocol_policy,
        allowed,
        cached,
        compress,
        key,
        forward,
        ttl,
        all_headers,
        signed: v.signed(),
        response_headers,
        counters: Arc::default(),
        cloudfront_named,
        viewer_request: None,
        viewer_response: None,
        signatures: None,
    })
}

/// spec CF-1/CF-2: the functions a behavior's FunctionAssociations name, from `functions`. A
/// function without code is an error naming the ARN and the flag, or with `--skip-functions`
/// a warning, and the behavior runs without it. With no function set at all (`None`: a caller
/// that serves without functions) every association is a warning.
fn attach_functions(
    b: &mut Behavior,
    v: &BehaviorView<'_>,
    functions: Option<&crate::functions::FunctionSet>,
    errs: &mut Vec<Finding>,
    warnings: &mut Vec<String>,
) {
    let Some(list) = v.function_associations else {
        return;
    };
    for (i, a) in list.items().iter().enumerate() {
        let field = format!("{}.FunctionAssociations.Items[{i}].FunctionARN", v.path);
        let name = crate::functions::name_of(&a.function_arn);
        let found = functions.and_then(|s| s.by_name.get(name));
        let slot = match a.event_type {
            EventType::ViewerRequest => &mut b.viewer_request,
            EventType::ViewerResponse => &mut b.viewer_response,
            // CloudFront Functions run only on viewer events (the validator refuses others).
            _ => continue,
        };
        match (found, functions) {
            (Some(f), _) => *slot = Some(Arc::clone(f)),
            (None, Some(set)) if !set.skip_missing => errs.push(Finding::error(
                field,
                "NoSuchFunctionExists",
                format!(
                    "no code for function {name} ({}): give it with --function {name}=FILE, or \
                     serve without it with --skip-functions",
                    a.function_arn
                ),
            )),
            _ => warnings.push(format!(
                "{field}: function {name} is not run ({} without its code)",
                a.event_type.as_str()
            )),
        }
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Dist {
    /// Takes over the counters of `previous`'s behaviors that have the same path pattern, so a
    /// live config swap (an edited TTL, say) keeps the figures the operator is watching.
    /// Decision (no spec rule; CloudFront's own reports are per distribution and never reset on
    /// an update): a behavior whose pattern is new starts at zero; a removed one's counters go.
    pub fn carry_counters(&mut self, previous: &Dist) {
        for b in &mut self.behaviors {
            if let Some(old) = previous.behaviors.iter().find(|o| o.label == b.label) {
                b.counters = Arc::clone(&old.counters);
            }
        }
    }

    /// Prepares `config`. Errors are the findings of [`check_config`] plus anything that
    /// cannot be resolved here.
    pub fn prepare(
        config: DistributionConfig,
        policies: &PolicySet,
        options: &Options,
    ) -> Result<Self, Invalid> {
        let findings: Vec<Finding> = check_config(&config, policies)
            .into_iter()
            .filter(Finding::is_error)
            .collect();
        if !findings.is_empty() {
            return Err(Invalid(findings));
        }
        let mut errs = Vec::new();
        let mut function_warnings = Vec::new();
        let mut behaviors = Vec::new();
        let fset = options.functions.as_deref();
        let keys = options.trusted_keys.as_deref().map(|k| &*k.keys);
        let ordered = config.cache_behaviors.iter().flat_map(|l| l.iter());
        for (i, b) in ordered.enumerate() {
            let view = BehaviorView::ordered(i, b);
            match prepare_behavior(&view, policies) {
                Ok(mut b) => {
                    attach_functions(&mut b, &view, fset, &mut errs, &mut function_warnings);
                    b.signatures = crate::signed::required(&view, keys, &mut errs);
                    behaviors.push(b)
                }
                Err(f) => errs.push(f),
            }
        }
        // The default behavior last: behaviors are matched in this order (P-4/P-5).
        let view = BehaviorView::default_behavior(&config.default_cache_behavior);
        match prepare_behavior(&view, policies) {
            Ok(mut b) => {
                attach_functions(&mut b, &view, fset, &mut errs, &mut function_warnings);
                b.signatures = crate::signed::required(&view, keys, &mut errs);
                behaviors.push(b)
            }
            Err(f) => errs.push(f),
        }
        for id in options.overrides.keys() {
            if !config.origins.items().iter().any(|o| &o.id == id) {
                errs.push(Finding::error(
                    "Origins",
                    "NoSuchOrigin",
                    format!("--origin {id}=...: the distribution has no origin with Id {id:?}"),
                ));
            }
        }
        if !errs.is_empty() {
            return Err(Invalid(errs));
        }
        let origin_tls = match &options.origin_tls {
            Some(t) => t.clone(),
            None => crate::connect::client_config(&[])
                .map_err(|e| Invalid(vec![Finding::error("Origins", "InvalidArgument", e)]))?,
        };
        let mut origins = HashMap::new();
        let mut origin_access_warnings = Vec::new();
        for (index, o) in config.origins.items().iter().enumerate() {
            let custom = o.custom_origin_config.as_ref();
            let secs = |v: Option<i32>, d: u64| {
                Duration::from_secs(v.map(|x| x.max(1) as u64).unwrap_or(d))
            };
            let read = secs(
                custom.and_then(|c| c.origin_read_timeout).or(o
                    .s3_origin_config
                    .as_ref()
                    .and_then(|s| s.origin_read_timeout)),
                30,
            );
            let keepalive = secs(custom.and_then(|c| c.origin_keepalive_timeout), 5);
            let target = match options.overrides.get(&o.id) {
                Some(Override::Url { authority }) => Target::Http {
                    authority: authority.clone(),
                },
                Some(Override::HttpsUrl { authority }) => Target::Https {
                    authority: authority.clone(),
                },
                Some(Override::Folder(p)) => Target::Folder(p.clone()),
                // spec O-2: each origin id goes to its real domain, over the policy's protocol.
                // The preview forwards only to origins the distribution configures, so any
                // DomainName the validator accepts (localhost and IP literals included) is used.
                None => match custom {
                    Some(c) => {
                        let http = format!("{}:{}", o.domain_name, c.http_port);
                        let https = format!("{}:{}", o.domain_name, c.https_port);
                        match c.origin_protocol_policy {
                            OriginProtocolPolicy::HttpOnly => Target::Http { authority: http },
                            OriginProtocolPolicy::HttpsOnly => Target::Https { authority: https },
                            OriginProtocolPolicy::MatchViewer => {
                                Target::MatchViewer { http, https }
                            }
                        }
                    }
                    // spec O-2: S3 REST origins use the viewer's protocol on 80/443.
                    None => Target::MatchViewer {
                        http: format!("{}:80", o.domain_name),
                        https: format!("{}:443", o.domain_name),
                    },
                },
            };
            // spec O-5 / OriginSslProtocols: without TLSv1.2 in the list no protocol is shared
            // with rustls (1.2/1.3 only). S3 origins have no list and use TLSv1.2 (O-2).
            let legacy_tls_only = custom
                .and_then(|c| c.origin_ssl_protocols.as_ref())
                .is_some_and(|l| {
                    !l.items().is_empty() && !l.items().contains(&SslProtocol::TLSv1_2)
                });
            let custom_headers = o
                .custom_headers
                .as_ref()
                .map(|l| {
                    l.items()
                        .iter()
                        .filter_map(|h| {
                            Some((
                                HeaderName::from_bytes(h.header_name.as_bytes()).ok()?,
                                HeaderValue::from_str(&h.header_value).ok()?,
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut spec = OriginSpec::new(
                o.id.clone(),
                o.domain_name.clone(),
                o.origin_path.clone().unwrap_or_default(),
                custom_headers,
                o.connection_attempts
                    .map(|a| a.clamp(1, 3) as u32)
                    .unwrap_or(3),
                secs(o.connection_timeout, 10),
                read,
                keepalive,
                target,
                legacy_tls_only,
                origin_tls.clone(),
            );
            spec.signing = crate::oac::for_origin(
                index,
                &o.id,
                &o.domain_name,
                o.origin_access_control_id.as_deref(),
                matches!(spec.target, Target::Folder(_)),
                options.origin_access.as_ref(),
                &mut errs,
                &mut origin_access_warnings,
            );
            origins.insert(o.id.clone(), Arc::new(spec));
        }
        // spec OA-10: an OAC the preview was not given.
        if !errs.is_empty() {
            return Err(Invalid(errs));
        }
        let groups = config
            .origin_groups
            .as_ref()
            .map(|l| {
                l.items()
                    .iter()
                    .filter_map(|g| {
                        let m = g.members.items();
                        Some((
                            g.id.clone(),
                            Group {
                                primary: m.first()?.origin_id.clone(),
                                secondary: m.get(1)?.origin_id.clone(),
                                codes: g
                                    .failover_criteria
                                    .status_codes
                                    .items()
                                    .iter()
                                    .filter_map(|c| u16::try_from(*c).ok())
                                    .collect(),
                            },
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let geo = match config.restrictions.as_ref().map(|r| &r.geo_restriction) {
            Some(g) => match g.restriction_type {
                GeoRestrictionType::Whitelist => Geo::Allow(g.items.clone().unwrap_or_default()),
                GeoRestrictionType::Blacklist => Geo::Block(g.items.clone().unwrap_or_default()),
                GeoRestrictionType::None => Geo::None,
            },
            None => Geo::None,
        };
        let error_rules = ErrorRules::new(
            config
                .custom_error_responses
                .as_ref()
                .map(|l| l.items())
                .unwrap_or_default(),
        );
        let log_cookies = config
            .logging
            .as_ref()
            .is_some_and(|l| l.enabled == Some(true) && l.include_cookies == Some(true));
        Ok(Dist {
            domain: options.domain.clone(),
            aliases: config
                .aliases
                .as_ref()
                .map(|l| l.items().iter().map(|a| a.to_ascii_lowercase()).collect())
                .unwrap_or_default(),
            enabled: config.enabled,
            default_root: config.default_root_object.clone().filter(|s| !s.is_empty()),
            compiled: CompiledBehaviors::new(&config),
            behaviors,
            origins,
            groups,
            error_rules,
            geo,
            log_cookies,
            via_headers: ["1.0", "1.1", "2.0"].map(|v| {
                HeaderValue::from_str(&format!(
                    "{v} {:016x}.cloudfront.net (CloudFront)",
                    fnv(&options.domain)
                ))
                .unwrap_or(HeaderValue::from_static("1.1 cloudfront.net (CloudFront)"))
            }),
            via: format!("{:016x}.cloudfront.net", fnv(&options.domain)),
            domain_arc: Arc::from(options.domain.as_str()),
            functions: options.functions.clone(),
            function_warnings,
            trusted_keys: options.trusted_keys.clone(),
            origin_access_warnings,
            distribution_id: options
                .domain
                .split('.')
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase(),
            config,
        })
    }

    /// spec X-2: `Via: <viewer-http-version> <hex>.cloudfront.net (CloudFront)`.
    pub fn via_header(&self, version: hyper::Version) -> HeaderValue {
        match version {
            hyper::Version::HTTP_10 => self.via_headers[0].clone(),
            hyper::Version::HTTP_11 => self.via_headers[1].clone(),
            _ => self.via_headers[2].clone(),
        }
    }

    /// spec P-1: the behavior for a path (default last).
    pub fn behavior_for(&self, path: &str) -> &Behavior {
        let i = self
            .compiled
            .select(path)
            .unwrap_or(self.behaviors.len() - 1);
        &self.behaviors[i.min(self.behaviors.len() - 1)]
    }

    pub fn default_behavior(&self) -> &Behavior {
        &self.behaviors[self.behaviors.len() - 1]
    }

    /// spec §1.1 / issue: the preview answers only for the distribution's domain, its aliases
    /// (wildcard aliases `*.example.com` included), localhost and its own listener address.
    pub fn host_allowed(&self, host: &str, listener_hosts: &[String]) -> bool {
        // Lower-cased only when it has capitals (a copy per request otherwise).
        let lower;
        let host = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = host.to_ascii_lowercase();
            lower.as_str()
        } else {
            host
        };
        let name = strip_port(host);
        if name == self.domain
            || name == "localhost"
            || listener_hosts
                .iter()
                .any(|h| *h == host || strip_port(h) == name)
        {
            return true;
        }
        self.aliases.iter().any(|a| match a.strip_prefix("*.") {
            Some(suffix) => name
                .strip_suffix(suffix)
                .is_some_and(|p| p.ends_with('.') && p.len() > 1),
            None => a == name,
        })
    }
}

/// `host:port` → `host` (IPv6 literals in brackets kept whole).
pub fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split(']')
            .next()
            .map(|h| &host[..h.len() + 1])
            .unwrap_or(host);
    }
    host.rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(host)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A distribution with one S3 origin `o` and a default behavior on CachingOptimized; the
    /// top-level members of `extra` replace or add to it.
    pub(crate) fn dist(extra: serde_json::Value) -> Dist {
        let mut v = serde_json::json!({
            "CallerReference": "t", "Comment": "", "Enabled": true,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}
        });
        if let (Some(a), serde_json::Value::Object(b)) = (v.as_object_mut(), extra) {
            a.extend(b);
        }
        let config = cfconsole_model::Document::from_json(&v.to_string())
            .unwrap()
            .config;
        Dist::prepare(
            config,
            &PolicySet::default(),
            &Options {
                domain: "d1.cloudfront.net".into(),
                overrides: HashMap::new(),
                origin_tls: None,
                functions: None,
                origin_access: None,
                trusted_keys: None,
            },
        )
        .unwrap()
    }

    #[test]
    fn host_check_table() {
        let d = dist(
            // Aliases need a certificate that covers them (S-3, S-4).
            serde_json::json!({
                "Aliases": {"Quantity": 2, "Items": ["www.example.org", "*.cdn.example.org"]},
                "ViewerCertificate": {
                    "ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/\
                                          1b2c3d4e-0000-4000-8000-000000000000",
                    "SSLSupportMethod": "sni-only",
                    "MinimumProtocolVersion": "TLSv1.2_2021"
                }
            }),
        );
        let listeners = vec!["127.0.0.1:8080".to_string()];
        let cases = [
            ("d1.cloudfront.net", true),
            ("D1.CloudFront.net:8080", true),
            ("localhost:8080", true),
            ("127.0.0.1:8080", true),
            ("www.example.org", true),
            ("a.cdn.example.org", true),
            ("cdn.example.org", false),
            ("evil.example", false),
            ("127.0.0.2:8080", false),
        ];
        for (host, ok) in cases {
            assert_eq!(d.host_allowed(host, &listeners), ok, "{host}");
        }
    }

    #[test]
    fn k3_union_and_overrides() {
        let w = |l: &[&str]| Select::Whitelist(l.iter().map(|s| s.to_string()).collect());
        let x = |l: &[&str]| Select::AllExcept(l.iter().map(|s| s.to_string()).collect());
        assert_eq!(union(&Select::None, &w(&["a"])), w(&["a"]));
        assert_eq!(union(&w(&["a"]), &Select::All), Select::All);
        assert_eq!(union(&x(&["a", "b"]), &w(&["a"])), x(&["b"]));
        assert_eq!(union(&x(&["a", "b"]), &x(&["b", "c"])), x(&["b"]));
        assert_eq!(
            Override::parse("http://127.0.0.1:3000").unwrap(),
            Override::Url {
                authority: "127.0.0.1:3000".into()
            }
        );
        assert_eq!(
            Override::parse("http://localhost").unwrap(),
            Override::Url {
                authority: "localhost:80".into()
            }
        );
        assert_eq!(
            Override::parse("https://127.0.0.1:8443/").unwrap(),
            Override::HttpsUrl {
                authority: "127.0.0.1:8443".into()
            }
        );
        assert_eq!(
            Override::parse("https://origin.internal").unwrap(),
            Override::HttpsUrl {
                authority: "origin.internal:443".into()
            }
        );
        assert!(Override::parse("https://x/path").is_err());
        assert!(Override::parse("/definitely/not/a/dir").is_err());
        assert!(
            Geo::Block(vec!["FR".into()]).allows(None),
            "S-9: unknown is served"
        );
        assert!(!Geo::Allow(vec!["US".into()]).allows(Some("fr")));
    }

    #[test]
    fn c1_c7_compression_enablement() {
        let d = dist(
            serde_json::json!({"DefaultCacheBehavior": {"TargetOriginId": "o",
                "ViewerProtocolPolicy": "allow-all", "Compress": true,
            "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}}}),
        );
        let b = d.default_behavior();
        assert!(
            b.compress && b.key.gzip && !b.key.br,
            "C-7: legacy is gzip only"
        );
        let d = dist(
            serde_json::json!({"DefaultCacheBehavior": {"TargetOriginId": "o",
                "ViewerProtocolPolicy": "allow-all", "Compress": true,
            "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}}),
        );
        assert!(
            !d.default_behavior().compress,
            "C-1: CachingDisabled never compresses"
        );
    }
}
