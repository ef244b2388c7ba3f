//! What an edge checks on a request for a behavior with trusted key groups (spec SU-2…SU-8 in
//! `docs/edge-behavior.md`; Developer Guide, "How signed URLs work", "How signed cookies
//! work"): the signing parameters from the URL, else the signed cookies; the key among the
//! behavior's trusted keys; the signature over the policy (the canned one rebuilt from the
//! request URL and `Expires`); then the policy's conditions.
//!
//! A signature check costs far more than a cached hit (about 20 µs for RSA 2048), so
//! [`TrustedKeys`] keeps a bounded set of the signatures it verified, keyed by the key id, the
//! hash, the signed policy's text (for a canned policy, the resource and `Expires`) and the
//! signature's text: a repeated signed URL is verified once. The conditions (times, IP range,
//! resource) are checked on every request. The set belongs to one `TrustedKeys`: new keys or
//! groups are a new value, with an empty set.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, RwLock};

use crate::encoding::decode;
use crate::keys::{Hash, PublicKey};
use crate::policy::{Cidr, Policy, RequestUrl, resource_matches};

/// How many verified signatures a [`TrustedKeys`] keeps (then it starts over).
pub const VERIFIED_CAPACITY: usize = 4096;

/// The public keys and key groups an edge trusts. Built once per set of keys; cheap to share
/// behind an `Arc`.
pub struct TrustedKeys {
    keys: HashMap<String, PublicKey>,
    groups: HashMap<String, Vec<String>>,
    verified: RwLock<HashMap<Box<str>, Arc<Verified>>>,
    capacity: usize,
}

impl Default for TrustedKeys {
    fn default() -> TrustedKeys {
        TrustedKeys {
            keys: HashMap::new(),
            groups: HashMap::new(),
            verified: RwLock::default(),
            capacity: VERIFIED_CAPACITY,
        }
    }
}

/// A policy whose signature was verified, with what each request checks again.
struct Verified {
    policy: Policy,
    ip: Option<Cidr>,
}

impl fmt::Debug for TrustedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<(&String, String)> = self
            .keys
            .iter()
            .map(|(id, k)| (id, k.kind().to_string()))
            .collect();
        keys.sort();
        let mut groups: Vec<(&String, &Vec<String>)> = self.groups.iter().collect();
        groups.sort();
        f.debug_struct("TrustedKeys")
            .field("keys", &keys)
            .field("groups", &groups)
            .finish()
    }
}

/// A key group naming a key the set does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key group {group} names key {key}, which has no public key")]
pub struct MissingKey {
    /// The key group's id.
    pub group: String,
    /// The key id it names.
    pub key: String,
}

impl TrustedKeys {
    /// An empty set.
    pub fn new() -> TrustedKeys {
        TrustedKeys::default()
    }

    /// Adds (or replaces) public key `id`.
    pub fn add_key(&mut self, id: impl Into<String>, key: PublicKey) {
        self.keys.insert(id.into(), key);
        self.forget();
    }

    /// Adds (or replaces) key group `id` with its key ids.
    pub fn add_group(&mut self, id: impl Into<String>, key_ids: Vec<String>) {
        self.groups.insert(id.into(), key_ids);
        self.forget();
    }

    fn forget(&mut self) {
        self.verified
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Public key `id`.
    pub fn key(&self, id: &str) -> Option<&PublicKey> {
        self.keys.get(id)
    }

    /// Key group `id`'s key ids.
    pub fn group(&self, id: &str) -> Option<&[String]> {
        self.groups.get(id).map(Vec::as_slice)
    }

    /// The key ids, sorted.
    pub fn key_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.keys.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// The key group ids, sorted.
    pub fn group_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.groups.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// Every key a group names is here (first missing one, groups and keys in sorted order).
    pub fn check(&self) -> Result<(), MissingKey> {
        for group in self.group_ids() {
            for key in &self.groups[group] {
                if !self.keys.contains_key(key) {
                    return Err(MissingKey {
                        group: group.to_string(),
                        key: key.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// How many verified signatures are remembered.
    pub fn verified_len(&self) -> usize {
        self.verified
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    fn trusts(&self, trust: Trust<'_>, key_id: &str) -> bool {
        match trust {
            Trust::KeyGroups(groups) => {
                groups.iter().any(|g| {
                    self.groups
                        .get(g)
                        .is_some_and(|keys| keys.iter().any(|k| k == key_id))
                }) && self.keys.contains_key(key_id)
            }
            Trust::AnyKey => self.keys.contains_key(key_id),
        }
    }

    /// Checks the signed URL or signed cookies of `request` for a behavior that trusts `trust`.
    pub fn verify(
        &self,
        trust: Trust<'_>,
        request: &SignedRequest<'_>,
    ) -> Result<Accepted, Refusal> {
        let params = Params::find(request)?;
        let hash = match params.hash {
            None => Hash::Sha1,
            Some(value) => Hash::from_parameter(value).ok_or_else(|| {
                Refusal::denied(
                    rule::SIGNATURE,
                    format!("{} {value:?} is not SHA1 or SHA256", params.names.hash),
                )
            })?,
        };
        let Some(signature) = params.signature else {
            return Err(Refusal::denied(
                rule::PARAMETERS,
                format!(
                    "no {} beside {}",
                    params.names.signature, params.names.key_pair_id
                ),
            ));
        };
        let canned_resource;
        let policy_text = match (params.expires, params.policy) {
            (Some(_), Some(_)) => {
                return Err(Refusal::denied(
                    rule::PARAMETERS,
                    format!(
                        "both {} and {}: a signature has a canned or a custom policy, not both",
                        params.names.expires, params.names.policy
                    ),
                ));
            }
            (None, None) => {
                return Err(Refusal::denied(
                    rule::PARAMETERS,
                    format!(
                        "neither {} (canned policy) nor {} (custom policy)",
                        params.names.expires, params.names.policy
                    ),
                ));
            }
            (Some(expires), None) => {
                let expires: i64 = expires.parse().map_err(|_| {
                    Refusal::denied(
                        rule::PARAMETERS,
                        format!("{} {expires:?} is not epoch seconds", params.names.expires),
                    )
                })?;
                canned_resource = request.resource_url();
                PolicyText::Canned {
                    resource: &canned_resource,
                    expires,
                }
            }
            (None, Some(policy)) => PolicyText::Custom(policy),
        };
        if !self.trusts(trust, params.key_pair_id) {
            return Err(Refusal {
                rule: rule::KEY,
                code: RefusalCode::InvalidKey,
                reason: format!(
                    "unknown key id {}: not a public key in {}",
                    params.key_pair_id,
                    trust.describe()
                ),
            });
        }
        let mut cache_key = String::with_capacity(64 + signature.len() + policy_text.len());
        cache_key.push_str(hash.parameter());
        cache_key.push('\n');
        cache_key.push_str(params.key_pair_id);
        cache_key.push('\n');
        policy_text.write_key(&mut cache_key);
        cache_key.push('\n');
        cache_key.push_str(signature);
        let found = self
            .verified
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(cache_key.as_str())
            .cloned();
        let (verified, from_cache) = match found {
            Some(v) => (v, true),
            None => {
                let v = Arc::new(self.check_signature(
                    params.key_pair_id,
                    hash,
                    &policy_text,
                    signature,
                    &params.names,
                )?);
                let mut set = self.verified.write().unwrap_or_else(|e| e.into_inner());
                if set.len() >= self.capacity {
                    set.clear();
                }
                set.insert(cache_key.into_boxed_str(), Arc::clone(&v));
                (v, false)
            }
        };
        check_conditions(&verified, request)?;
        Ok(Accepted {
            source: params.source,
            canned: matches!(policy_text, PolicyText::Canned { .. }),
            hash,
            from_cache,
        })
    }

    fn check_signature(
        &self,
        key_id: &str,
        hash: Hash,
        text: &PolicyText<'_>,
        signature: &str,
        names: &Names,
    ) -> Result<Verified, Refusal> {
        let key = self.keys.get(key_id).ok_or_else(|| Refusal {
            rule: rule::KEY,
            code: RefusalCode::InvalidKey,
            reason: format!("unknown key id {key_id}"),
        })?;
        let signature = decode(signature).map_err(|_| {
            Refusal::denied(
                rule::SIGNATURE,
                format!("{} is not CloudFront's base64", names.signature),
            )
        })?;
        let (policy, json) = match *text {
            PolicyText::Canned { resource, expires } => {
                let policy = Policy::Canned {
                    resource: resource.to_string(),
                    expires,
                };
                let json = policy.to_json().into_bytes();
                (policy, json)
            }
            PolicyText::Custom(encoded) => {
                let json = decode(encoded).map_err(|_| Refusal {
                    rule: rule::POLICY,
                    code: RefusalCode::MalformedPolicy,
                    reason: format!("{} is not CloudFront's base64", names.policy),
                })?;
                let text = std::str::from_utf8(&json).map_err(|_| Refusal {
                    rule: rule::POLICY,
                    code: RefusalCode::MalformedPolicy,
                    reason: format!("{} is not UTF-8 JSON", names.policy),
                })?;
                let policy = Policy::parse_custom(text).map_err(|e| Refusal {
                    rule: rule::POLICY,
                    code: RefusalCode::MalformedPolicy,
                    reason: format!("{}: {e}", names.policy),
                })?;
                (policy, json)
            }
        };
        if !key.verify(hash, &json, &signature) {
            return Err(Refusal::denied(
                rule::SIGNATURE,
                format!(
                    "signature does not verify with key {key_id} ({}, {hash}){}",
                    key.kind(),
                    match text {
                        PolicyText::Canned { .. } => {
                            " over the canned policy for this URL: the URL, Expires or the \
                             signature was changed, or it was signed for another URL"
                        }
                        PolicyText::Custom(_) => "",
                    }
                ),
            ));
        }
        let ip = match &policy {
            Policy::Custom {
                ip_address: Some(ip),
                ..
            } => Cidr::parse(ip).ok(),
            _ => None,
        };
        Ok(Verified { policy, ip })
    }
}

/// The rule ids of `docs/edge-behavior.md` a refusal cites.
pub mod rule {
    /// No signing parameter at all.
    pub const MISSING: &str = "SU-3";
    /// A signing parameter without the ones it needs, or a bad value.
    pub const PARAMETERS: &str = "SU-3";
    /// The key id is not in the behavior's trusted key groups.
    pub const KEY: &str = "SU-4";
    /// The signature does not verify.
    pub const SIGNATURE: &str = "SU-5";
    /// Expired (canned `Expires`, custom `DateLessThan`).
    pub const EXPIRED: &str = "SU-6";
    /// A custom policy that is malformed, not yet valid, or for other IP addresses.
    pub const POLICY: &str = "SU-7";
    /// A custom policy's resource does not match the request.
    pub const RESOURCE: &str = "SU-8";
}

/// Which keys a behavior trusts.
#[derive(Clone, Copy, Debug)]
pub enum Trust<'a> {
    /// `TrustedKeyGroups`: the keys of these groups.
    KeyGroups(&'a [String]),
    /// Legacy `TrustedSigners`: every key of the set (spec SU-12).
    AnyKey,
}

impl Trust<'_> {
    fn describe(&self) -> String {
        match self {
            Trust::KeyGroups(groups) => format!("the trusted key groups ({})", groups.join(", ")),
            Trust::AnyKey => "the preview's public keys (trusted signers)".to_string(),
        }
    }
}

/// What a request shows the verifier.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// Whether the viewer came over HTTPS (the canned policy's resource starts `https://`).
    pub https: bool,
    /// The Host the viewer sent.
    pub host: &'a str,
    /// The path as received.
    pub path: &'a str,
    /// The query string as received, signing parameters included.
    pub query: Option<&'a str>,
    /// The values of the request's `Cookie` headers.
    pub cookies: &'a [&'a str],
    /// The viewer's address (for `IpAddress`).
    pub viewer_ip: IpAddr,
    /// Now, in epoch seconds.
    pub now: i64,
}

impl SignedRequest<'_> {
    /// The URL a canned policy names: `scheme://host/path?query` without the signing
    /// parameters (no `?` when nothing is left).
    pub fn resource_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let mut out = format!("{scheme}://{}{}", self.host, self.path);
        if let Some(q) = crate::sign::strip_url_parameters(self.query) {
            out.push('?');
            out.push_str(&q);
        }
        out
    }
}

/// Where the signature came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The query string (signed URL).
    Url,
    /// `CloudFront-*` cookies (signed cookies).
    Cookies,
}

/// A request that may be served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// Signed URL or signed cookies.
    pub source: Source,
    /// A canned policy (else a custom one).
    pub canned: bool,
    /// The hash of the signature.
    pub hash: Hash,
    /// The signature was verified before (only the conditions were checked now).
    pub from_cache: bool,
}

/// CloudFront's error code in the 403 body. The Guide lists none of these; they are the codes
/// and messages CloudFront's 403 bodies carry (spec SU-3…SU-7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalCode {
    /// No Key-Pair-Id in the URL or the cookies.
    MissingKey,
    /// A key id the behavior does not trust.
    InvalidKey,
    /// A policy that cannot be read.
    MalformedPolicy,
    /// Everything else: expired, not yet valid, wrong IP, wrong resource, bad signature.
    AccessDenied,
}

impl RefusalCode {
    /// The `<Code>` of the body.
    pub fn code(self) -> &'static str {
        match self {
            RefusalCode::MissingKey => "MissingKey",
            RefusalCode::InvalidKey => "InvalidKey",
            RefusalCode::MalformedPolicy => "MalformedPolicy",
            RefusalCode::AccessDenied => "AccessDenied",
        }
    }

    /// The `<Message>` of the body.
    pub fn message(self) -> &'static str {
        match self {
            RefusalCode::MissingKey => "Missing Key-Pair-Id query parameter or cookie value",
            RefusalCode::InvalidKey => "Unknown Key",
            RefusalCode::MalformedPolicy => "Malformed Policy",
            RefusalCode::AccessDenied => "Access denied",
        }
    }
}

/// Why a request was refused: the rule, CloudFront's code, and a plain reason for the operator
/// (never sent to the viewer: CloudFront's body has only the code and its message).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    /// `SU-3` … `SU-8`.
    pub rule: &'static str,
    /// CloudFront's code.
    #[serde(serialize_with = "code_text")]
    pub code: RefusalCode,
    /// E.g. "expired at 2026-01-01T18:00:00Z (1767290400)".
    pub reason: String,
}

fn code_text<S: serde::Serializer>(code: &RefusalCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.code())
}

impl Refusal {
    fn denied(rule: &'static str, reason: String) -> Refusal {
        Refusal {
            rule,
            code: RefusalCode::AccessDenied,
            reason,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code.code(), self.rule, self.reason)
    }
}

/// The policy a signature is over, as the request carries it.
enum PolicyText<'a> {
    Canned { resource: &'a str, expires: i64 },
    Custom(&'a str),
}

impl PolicyText<'_> {
    fn len(&self) -> usize {
        match self {
            PolicyText::Canned { resource, .. } => resource.len() + 24,
            PolicyText::Custom(text) => text.len(),
        }
    }

    fn write_key(&self, out: &mut String) {
        match self {
            PolicyText::Canned { resource, expires } => {
                out.push('E');
                out.push_str(&expires.to_string());
                out.push(' ');
                out.push_str(resource);
            }
            PolicyText::Custom(text) => {
                out.push('P');
                out.push_str(text);
            }
        }
    }
}

/// The parameter names of one source, for messages.
struct Names {
    expires: &'static str,
    policy: &'static str,
    signature: &'static str,
    key_pair_id: &'static str,
    hash: &'static str,
}

const URL_NAMES: Names = Names {
    expires: "Expires",
    policy: "Policy",
    signature: "Signature",
    key_pair_id: "Key-Pair-Id",
    hash: "Hash-Algorithm",
};

const COOKIE_NAMES: Names = Names {
    expires: "CloudFront-Expires",
    policy: "CloudFront-Policy",
    signature: "CloudFront-Signature",
    key_pair_id: "CloudFront-Key-Pair-Id",
    hash: "CloudFront-Hash-Algorithm",
};

/// The signing values of a request, from one source.
struct Params<'a> {
    source: Source,
    names: Names,
    key_pair_id: &'a str,
    expires: Option<&'a str>,
    policy: Option<&'a str>,
    signature: Option<&'a str>,
    hash: Option<&'a str>,
}

impl<'a> Params<'a> {
    /// spec SU-2: the URL's parameters when it has any of them, else the cookies.
    fn find(request: &SignedRequest<'a>) -> Result<Params<'a>, Refusal> {
        let mut url = Params::empty(Source::Url, URL_NAMES);
        let mut any = false;
        for pair in request.query.unwrap_or_default().split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            any |= url.take(name, value);
        }
        if any {
            return url.with_key();
        }
        let mut cookies = Params::empty(Source::Cookies, COOKIE_NAMES);
        let mut any = false;
        for header in request.cookies {
            for pair in header.split(';') {
                let pair = pair.trim();
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let value = value.trim().trim_matches('"');
                any |= match name.trim().strip_prefix("CloudFront-") {
                    Some(short) => cookies.take(short, value),
                    None => false,
                };
            }
        }
        if any {
            return cookies.with_key();
        }
        Err(Refusal {
            rule: rule::MISSING,
            code: RefusalCode::MissingKey,
            reason: "no signature: neither a signed URL (Key-Pair-Id) nor signed cookies \
                     (CloudFront-Key-Pair-Id)"
                .to_string(),
        })
    }

    fn empty(source: Source, names: Names) -> Params<'a> {
        Params {
            source,
            names,
            key_pair_id: "",
            expires: None,
            policy: None,
            signature: None,
            hash: None,
        }
    }

    /// Records `name=value` when it is a signing parameter (the first of each counts).
    fn take(&mut self, name: &str, value: &'a str) -> bool {
        let slot = match name {
            "Key-Pair-Id" => {
                if self.key_pair_id.is_empty() {
                    self.key_pair_id = value;
                }
                return true;
            }
            "Expires" => &mut self.expires,
            "Policy" => &mut self.policy,
            "Signature" => &mut self.signature,
            "Hash-Algorithm" => &mut self.hash,
            _ => return false,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
        true
    }

    fn with_key(self) -> Result<Params<'a>, Refusal> {
        if self.key_pair_id.is_empty() {
            return Err(Refusal {
                rule: rule::MISSING,
                code: RefusalCode::MissingKey,
                reason: format!(
                    "{} without {}",
                    match self.source {
                        Source::Url => "signing parameters",
                        Source::Cookies => "signed cookies",
                    },
                    self.names.key_pair_id
                ),
            });
        }
        Ok(self)
    }
}

fn check_conditions(v: &Verified, request: &SignedRequest<'_>) -> Result<(), Refusal> {
    let less_than = v.policy.date_less_than();
    if request.now >= less_than {
        return Err(Refusal::denied(
            rule::EXPIRED,
            format!("expired at {} ({less_than})", rfc3339(less_than)),
        ));
    }
    if let Policy::Custom {
        resource,
        date_greater_than,
        ip_address,
        ..
    } = &v.policy
    {
        if let Some(start) = date_greater_than
            && request.now <= *start
        {
            return Err(Refusal::denied(
                rule::POLICY,
                format!("not valid before {} ({start})", rfc3339(*start)),
            ));
        }
        if let Some(text) = ip_address {
            let inside = v.ip.is_some_and(|c| c.contains(request.viewer_ip));
            if !inside {
                return Err(Refusal::denied(
                    rule::POLICY,
                    format!("IP {} not in {text}", request.viewer_ip),
                ));
            }
        }
        let stripped = crate::sign::strip_url_parameters(request.query);
        let url = RequestUrl {
            scheme: if request.https { "https" } else { "http" },
            host: request.host,
            path: request.path,
            query: stripped.as_deref().unwrap_or_default(),
        };
        if !resource_matches(resource, &url) {
            return Err(Refusal::denied(
                rule::RESOURCE,
                format!(
                    "resource does not match: the policy's {resource:?}, the request's {:?}",
                    request.resource_url()
                ),
            ));
        }
    }
    Ok(())
}

/// Epoch seconds as RFC 3339 UTC (`2026-01-01T18:00:00Z`).
pub fn rfc3339(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;
    use crate::keys::test_keys::{ecdsa_pem, rsa_pem};
    use crate::sign::{sign_cookies, sign_url};

    const NOW: i64 = 1_767_290_000;

    struct Fixture {
        keys: TrustedKeys,
        rsa: PrivateKey,
        ecdsa: PrivateKey,
        groups: Vec<String>,
    }

    fn fixture() -> Fixture {
        let rsa = PrivateKey::from_pem(rsa_pem()).unwrap();
        let ecdsa = PrivateKey::from_pem(ecdsa_pem()).unwrap();
        let mut keys = TrustedKeys::new();
        keys.add_key("KRSA", rsa.public_key());
        keys.add_key("KEC", ecdsa.public_key());
        keys.add_key("KOTHER", ecdsa.public_key());
        keys.add_group("kg1", vec!["KRSA".into(), "KEC".into()]);
        keys.add_group("kg2", vec!["KOTHER".into()]);
        Fixture {
            keys,
            rsa,
            ecdsa,
            groups: vec!["kg1".into()],
        }
    }

    /// A request for `url` (`http://host/path?query`) from `ip`, with `cookies`.
    fn check(
        f: &Fixture,
        url: &str,
        cookies: &[&str],
        ip: &str,
        now: i64,
    ) -> Result<Accepted, Refusal> {
        let (https, rest) = match url.strip_prefix("https://") {
            Some(rest) => (true, rest),
            None => (false, url.strip_prefix("http://").unwrap()),
        };
        let (host, path_query) = rest.split_at(rest.find('/').unwrap());
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_query, None),
        };
        f.keys.verify(
            Trust::KeyGroups(&f.groups),
            &SignedRequest {
                https,
                host,
                path,
                query,
                cookies,
                viewer_ip: ip.parse().unwrap(),
                now,
            },
        )
    }

    fn canned(url: &str, expires: i64) -> Policy {
        Policy::Canned {
            resource: url.into(),
            expires,
        }
    }

    #[test]
    fn a_canned_signed_url_is_accepted_then_verified_from_the_set() {
        let f = fixture();
        let url = "http://127.0.0.1:8080/a.jpg?size=1";
        for (key, id) in [(&f.rsa, "KRSA"), (&f.ecdsa, "KEC")] {
            for hash in [Hash::Sha1, Hash::Sha256] {
                let signed = sign_url(url, id, key, &canned(url, NOW + 60), hash).unwrap();
                let first = check(&f, &signed, &[], "127.0.0.1", NOW).unwrap();
                assert_eq!(
                    (first.source, first.canned, first.hash),
                    (Source::Url, true, hash)
                );
                assert!(!first.from_cache);
                let again = check(&f, &signed, &[], "127.0.0.1", NOW).unwrap();
                assert!(again.from_cache, "{id} {hash}");
            }
        }
        assert_eq!(f.keys.verified_len(), 4);
    }

    #[test]
    fn no_signature_is_missing_key() {
        let f = fixture();
        let e = check(&f, "http://h/a", &["a=1"], "1.2.3.4", NOW).unwrap_err();
        assert_eq!((e.rule, e.code), ("SU-3", RefusalCode::MissingKey));
        assert_eq!(
            e.code.message(),
            "Missing Key-Pair-Id query parameter or cookie value"
        );
        let e = check(&f, "http://h/a?Expires=5&Signature=x", &[], "1.2.3.4", NOW).unwrap_err();
        assert_eq!(e.code, RefusalCode::MissingKey, "{e}");
        let e = check(
            &f,
            "http://h/a?Key-Pair-Id=KRSA&Expires=5",
            &[],
            "1.2.3.4",
            NOW,
        );
        assert!(e.unwrap_err().reason.contains("no Signature"));
    }

    #[test]
    fn expired_tampered_unknown_key_and_wrong_hash_are_refused() {
        let f = fixture();
        let url = "http://h/a.jpg";
        let signed = sign_url(url, "KRSA", &f.rsa, &canned(url, NOW + 60), Hash::Sha1).unwrap();
        let e = check(&f, &signed, &[], "1.2.3.4", NOW + 60).unwrap_err();
        assert_eq!((e.rule, e.code), ("SU-6", RefusalCode::AccessDenied));
        assert_eq!(
            e.reason,
            format!("expired at 2026-01-01T17:54:20Z ({})", NOW + 60)
        );
        // Tampered: another path, a later Expires, an extra query parameter.
        for tampered in [
            signed.replace("/a.jpg", "/b.jpg"),
            signed.replace(
                &format!("Expires={}", NOW + 60),
                &format!("Expires={}", NOW + 999),
            ),
            signed.replace("a.jpg?", "a.jpg?x=1&"),
        ] {
            let e = check(&f, &tampered, &[], "1.2.3.4", NOW).unwrap_err();
            assert_eq!(
                (e.rule, e.code),
                ("SU-5", RefusalCode::AccessDenied),
                "{tampered}"
            );
            assert!(e.reason.contains("does not verify"), "{e}");
        }
        // Key from another group than the behavior's, and a key nobody has.
        let other = sign_url(url, "KOTHER", &f.ecdsa, &canned(url, NOW + 60), Hash::Sha1).unwrap();
        let e = check(&f, &other, &[], "1.2.3.4", NOW).unwrap_err();
        assert_eq!((e.rule, e.code), ("SU-4", RefusalCode::InvalidKey));
        assert!(e.reason.contains("unknown key id KOTHER"), "{e}");
        let nobody = signed.replace("Key-Pair-Id=KRSA", "Key-Pair-Id=KNOPE");
        assert_eq!(
            check(&f, &nobody, &[], "1.2.3.4", NOW).unwrap_err().rule,
            "SU-4"
        );
        // Signed with SHA-256 but sent without Hash-Algorithm.
        let sha256 = sign_url(url, "KRSA", &f.rsa, &canned(url, NOW + 60), Hash::Sha256).unwrap();
        let stripped = sha256.replace("&Hash-Algorithm=SHA256", "");
        assert_eq!(
            check(&f, &stripped, &[], "1.2.3.4", NOW).unwrap_err().rule,
            "SU-5"
        );
        let bogus = sha256.replace("SHA256", "MD5");
        assert!(
            check(&f, &bogus, &[], "1.2.3.4", NOW)
                .unwrap_err()
                .reason
                .contains("MD5")
        );
        // A verified signature does not make a tampered one pass.
        assert!(check(&f, &signed, &[], "1.2.3.4", NOW).is_ok());
        assert!(check(&f, &signed.replace("/a.jpg", "/b.jpg"), &[], "1.2.3.4", NOW).is_err());
    }

    #[test]
    fn custom_policies_check_times_ip_and_the_resource_on_every_request() {
        let f = fixture();
        let policy = Policy::Custom {
            resource: "http://h/videos/*".into(),
            date_less_than: NOW + 100,
            date_greater_than: Some(NOW - 10),
            ip_address: Some("10.0.0.0/8".into()),
        };
        let signed = sign_url(
            "http://h/videos/a.mp4",
            "KEC",
            &f.ecdsa,
            &policy,
            Hash::Sha1,
        );
        let signed = signed.unwrap();
        assert!(check(&f, &signed, &[], "10.1.2.3", NOW).is_ok());
        // Same signature, other file under the wildcard: from the set, still checked.
        let other = signed.replace("/a.mp4", "/b.mp4");
        assert!(check(&f, &other, &[], "10.1.2.3", NOW).unwrap().from_cache);
        let e = check(&f, &signed, &[], "192.168.1.1", NOW).unwrap_err();
        assert_eq!(e.rule, "SU-7");
        assert_eq!(e.reason, "IP 192.168.1.1 not in 10.0.0.0/8");
        let e = check(&f, &signed, &[], "10.1.2.3", NOW - 20).unwrap_err();
        assert_eq!(e.rule, "SU-7");
        assert!(e.reason.starts_with("not valid before"), "{e}");
        assert_eq!(
            check(&f, &signed, &[], "10.1.2.3", NOW + 100)
                .unwrap_err()
                .rule,
            "SU-6"
        );
        let e = check(
            &f,
            &signed.replace("/videos/a.mp4", "/audio/a.mp3"),
            &[],
            "10.0.0.1",
            NOW,
        );
        let e = e.unwrap_err();
        assert_eq!(e.rule, "SU-8");
        assert!(e.reason.starts_with("resource does not match"), "{e}");
        // A policy that is not base64 JSON.
        let bad = "http://h/videos/a.mp4?Policy=e30_&Signature=AAAA&Key-Pair-Id=KEC";
        let e = check(&f, bad, &[], "10.0.0.1", NOW).unwrap_err();
        assert_eq!((e.rule, e.code), ("SU-7", RefusalCode::MalformedPolicy));
    }

    #[test]
    fn signed_cookies_canned_and_custom() {
        let f = fixture();
        let url = "https://h/a.jpg";
        let cookies = sign_cookies("KRSA", &f.rsa, &canned(url, NOW + 5), Hash::Sha1).unwrap();
        let header = cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let with_other = format!("session=1; {header}");
        let ok = check(&f, url, &[with_other.as_str()], "1.1.1.1", NOW).unwrap();
        assert_eq!((ok.source, ok.canned), (Source::Cookies, true));
        // Canned cookies are for one URL.
        let e = check(
            &f,
            "https://h/b.jpg",
            &[with_other.as_str()],
            "1.1.1.1",
            NOW,
        );
        assert_eq!(e.unwrap_err().rule, "SU-5");
        // Cookies split over two Cookie headers (HTTP/2) are read together.
        let (first, second) = cookies.split_at(1);
        let one = format!("{}={}", first[0].0, first[0].1);
        let two = second
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        assert!(check(&f, url, &[one.as_str(), two.as_str()], "1.1.1.1", NOW).is_ok());
        let custom = Policy::Custom {
            resource: "https://h/*".into(),
            date_less_than: NOW + 5,
            date_greater_than: None,
            ip_address: None,
        };
        let cookies = sign_cookies("KEC", &f.ecdsa, &custom, Hash::Sha256).unwrap();
        let header = cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let ok = check(
            &f,
            "https://h/any/file?x=1",
            &[header.as_str()],
            "1.1.1.1",
            NOW,
        )
        .unwrap();
        assert_eq!((ok.canned, ok.hash), (false, Hash::Sha256));
        // URL parameters come first: a URL with a Key-Pair-Id is judged by it alone.
        let e = check(
            &f,
            "https://h/any?Key-Pair-Id=KEC",
            &[header.as_str()],
            "1.1.1.1",
            NOW,
        );
        assert_eq!(e.unwrap_err().rule, "SU-3");
    }

    #[test]
    fn trusted_signers_trust_every_key_and_groups_are_checked() {
        let f = fixture();
        let url = "http://h/a";
        let signed = sign_url(url, "KOTHER", &f.ecdsa, &canned(url, NOW + 5), Hash::Sha1).unwrap();
        let (path, query) = ("/a", signed.split_once('?').map(|(_, q)| q));
        let request = SignedRequest {
            https: false,
            host: "h",
            path,
            query,
            cookies: &[],
            viewer_ip: "1.1.1.1".parse().unwrap(),
            now: NOW,
        };
        assert!(f.keys.verify(Trust::AnyKey, &request).is_ok());
        assert!(f.keys.check().is_ok());
        let mut keys = TrustedKeys::new();
        keys.add_group("kg", vec!["K1".into()]);
        assert_eq!(
            keys.check().unwrap_err().to_string(),
            "key group kg names key K1, which has no public key"
        );
        assert!(format!("{:?}", f.keys).contains("ECDSA P-256"));
    }

    #[test]
    fn the_verified_set_is_bounded() {
        let mut f = fixture();
        f.keys.capacity = 8;
        for i in 0..11 {
            let url = "http://h/a";
            let policy = canned(url, NOW + 10 + i);
            let signed = sign_url(url, "KEC", &f.ecdsa, &policy, Hash::Sha256).unwrap();
            assert!(check(&f, &signed, &[], "1.1.1.1", NOW).is_ok());
            assert!(f.keys.verified_len() <= 8);
        }
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_675_159_200), "2023-01-31T10:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }
}
