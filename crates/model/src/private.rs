//! Private content as a distribution sees it: public keys, key groups and origin access
//! controls (OAC), in the AWS CLI's JSON shapes (`PublicKeyConfig`, `KeyGroupConfig`,
//! `OriginAccessControlConfig`), the checks CloudFront makes of each with its error codes, and
//! the check that a distribution's `TrustedKeyGroups` and `OriginAccessControlId` name what the
//! account has, which only someone who knows the account can make (the control plane lists
//! them; this stays pure, like [`crate::functions`]).
//!
//! Limits come from the API reference where it states one (`Comment`: at most 128 characters
//! for a public key and a key group; an OAC `Name`: at most 64) and from
//! [`crate::quotas`] for counts. The API reference gives no pattern for a public key's or a key
//! group's `Name`; the rule here is the CloudFront console's (1 to 128 letters, digits, `-` and
//! `_`), so what the console would refuse is refused before it is sent.

use std::collections::HashSet;

use crate::behavior::BehaviorView;
use crate::finding::Finding;
use crate::origin_kind::{OriginKind, recognize};
use crate::quotas::{KEY_GROUPS_PER_CACHE_BEHAVIOR, PUBLIC_KEYS_PER_KEY_GROUP};
use crate::shapes::DistributionConfig;

pub use cfconsole_signing::KeyKind;

/// The longest public key or key group name (the CloudFront console's rule).
pub const MAX_KEY_NAME_CHARS: usize = 128;
/// The longest public key or key group comment (API reference, `PublicKeyConfig.Comment` and
/// `KeyGroupConfig.Comment`: "cannot be longer than 128 characters").
pub const MAX_KEY_COMMENT_CHARS: usize = 128;
/// The longest origin access control name (API reference, `OriginAccessControlConfig.Name`:
/// "up to 64 characters").
pub const MAX_OAC_NAME_CHARS: usize = 64;

/// A public key for signed URLs and signed cookies (`PublicKeyConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PublicKeyConfig {
    /// Makes a create idempotent: a second create with the same reference is refused.
    pub caller_reference: String,
    /// A name to identify the key.
    pub name: String,
    /// The public key, PEM (`-----BEGIN PUBLIC KEY-----`): RSA 2048 or ECDSA P-256. Immutable
    /// once created (`CannotChangeImmutablePublicKeyFields`).
    pub encoded_key: String,
    /// At most 128 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A key group: the public keys a cache behavior trusts (`KeyGroupConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KeyGroupConfig {
    /// A name to identify the key group.
    pub name: String,
    /// The ids of its public keys: 1 to [`PUBLIC_KEYS_PER_KEY_GROUP`].
    pub items: Vec<String>,
    /// At most 128 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

string_enum! {
    /// Which origin requests an origin access control signs (`SigningBehavior`).
    /// `always-amz-auth` (sign, and forward the viewer's `Authorization` too) is valid only for
    /// Lambda origins (API reference, `OriginAccessControlConfig`).
    SigningBehavior {
        Always => "always",
        Never => "never",
        NoOverride => "no-override",
        AlwaysAmzAuth => "always-amz-auth",
    }
}

string_enum! {
    /// How an origin access control signs (`SigningProtocol`): "The only valid values are
    /// sigv4 and sigv4a" (API reference, `OriginAccessControlConfig`).
    SigningProtocol {
        Sigv4 => "sigv4",
        Sigv4a => "sigv4a",
    }
}

string_enum! {
    /// The kind of origin an origin access control is for (`OriginAccessControlOriginType`).
    OacOriginType {
        S3 => "s3",
        Mediastore => "mediastore",
        Lambda => "lambda",
        Mediapackagev2 => "mediapackagev2",
    }
}

impl OacOriginType {
    /// The origin type an origin of `kind` takes, when it takes an origin access control.
    pub fn for_kind(kind: OriginKind) -> Option<Self> {
        match kind {
            OriginKind::S3Bucket => Some(Self::S3),
            OriginKind::MediaStore => Some(Self::Mediastore),
            OriginKind::MediaPackage => Some(Self::Mediapackagev2),
            OriginKind::LambdaUrl => Some(Self::Lambda),
            _ => None,
        }
    }

    /// A label for messages and pickers: "S3", "MediaStore", ….
    pub const fn label(self) -> &'static str {
        match self {
            Self::S3 => "S3",
            Self::Mediastore => "MediaStore",
            Self::Lambda => "Lambda function URL",
            Self::Mediapackagev2 => "MediaPackage v2",
        }
    }
}

/// An origin access control (`OriginAccessControlConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OriginAccessControlConfig {
    /// 1 to 64 characters; unique in the account.
    pub name: String,
    /// Free text; empty for none.
    #[serde(default)]
    pub description: String,
    /// `sigv4`.
    pub signing_protocol: SigningProtocol,
    /// `always`, `never` or `no-override`.
    pub signing_behavior: SigningBehavior,
    /// `s3`, `mediastore`, `lambda` or `mediapackagev2`.
    #[serde(rename = "OriginAccessControlOriginType")]
    pub origin_type: OacOriginType,
}

fn count(s: &str) -> usize {
    s.chars().count()
}

/// The name rule of public keys and key groups: 1 to 128 letters, digits, `-` and `_`.
fn key_name(what: &str, path: &str, name: &str, out: &mut Vec<Finding>) {
    let n = count(name);
    if n == 0 || n > MAX_KEY_NAME_CHARS {
        out.push(Finding::error(
            path,
            "InvalidArgument",
            format!("a {what} name has 1 to {MAX_KEY_NAME_CHARS} characters ({n} given)"),
        ));
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        out.push(Finding::error(
            path,
            "InvalidArgument",
            format!("{what} name {name:?}: {c:?} is not allowed; use letters, digits, - and _"),
        ));
    }
}

fn key_comment(what: &str, path: &str, comment: Option<&str>, out: &mut Vec<Finding>) {
    let n = comment.map_or(0, count);
    if n > MAX_KEY_COMMENT_CHARS {
        out.push(Finding::error(
            path,
            "InvalidArgument",
            format!("a {what} comment has at most {MAX_KEY_COMMENT_CHARS} characters ({n} given)"),
        ));
    }
}

/// Checks a public key as CreatePublicKey does: a caller reference, the name and comment rules,
/// and an `EncodedKey` that is a PEM public key CloudFront takes for signed URLs (RSA 2048 or
/// ECDSA P-256, read by `cfconsole-signing`), all `InvalidArgument`. Paths start at
/// `PublicKeyConfig`.
pub fn check_public_key_config(config: &PublicKeyConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    if config.caller_reference.trim().is_empty() {
        out.push(Finding::error(
            "PublicKeyConfig.CallerReference",
            "InvalidArgument",
            "the caller reference is empty; give any unique text (the time will do)",
        ));
    }
    key_name("public key", "PublicKeyConfig.Name", &config.name, &mut out);
    if let Err(e) = check_encoded_key(&config.encoded_key) {
        out.push(Finding::error(
            "PublicKeyConfig.EncodedKey",
            "InvalidArgument",
            e,
        ));
    }
    key_comment(
        "public key",
        "PublicKeyConfig.Comment",
        config.comment.as_deref(),
        &mut out,
    );
    out
}

/// Checks a PEM public key as CloudFront takes it for signed URLs and cookies: a
/// `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo) block holding an RSA key of 2048 bits or
/// an ECDSA P-256 key, read by `cfconsole-signing`. Answers the key's kind; the message of a
/// refusal says what was found and what is accepted.
pub fn check_encoded_key(pem: &str) -> Result<KeyKind, String> {
    if pem.trim().is_empty() {
        return Err(concat!(
            "the encoded key is empty; CloudFront takes an RSA 2048 or ECDSA P-256 public key ",
            "in PEM, from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----"
        )
        .into());
    }
    cfconsole_signing::PublicKey::from_pem(pem)
        .map(|k| k.kind())
        .map_err(|e| e.to_string())
}

/// The kind and fingerprint of a PEM public key (what the console shows beside a key), or
/// why CloudFront would not take it, as [`check_encoded_key`] says.
pub fn key_fingerprint(pem: &str) -> Result<(KeyKind, String), String> {
    check_encoded_key(pem)?;
    cfconsole_signing::PublicKey::from_pem(pem)
        .map(|k| (k.kind(), k.fingerprint()))
        .map_err(|e| e.to_string())
}

/// Checks a key group as CreateKeyGroup and UpdateKeyGroup do: the name and comment rules, at
/// least one key (`InvalidArgument`), at most [`PUBLIC_KEYS_PER_KEY_GROUP`]
/// (`TooManyPublicKeysInKeyGroup`), no key twice. Whether each key exists is the control
/// plane's to check. Paths start at `KeyGroupConfig`.
pub fn check_key_group_config(config: &KeyGroupConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    key_name("key group", "KeyGroupConfig.Name", &config.name, &mut out);
    let n = config.items.len();
    if n == 0 {
        out.push(Finding::error(
            "KeyGroupConfig.Items",
            "InvalidArgument",
            "a key group holds at least one public key; add the id of one (cfconsole \
             public-keys list shows them)",
        ));
    }
    if n > PUBLIC_KEYS_PER_KEY_GROUP {
        out.push(Finding::error(
            "KeyGroupConfig.Items",
            "TooManyPublicKeysInKeyGroup",
            format!(
                "{n} public keys; a key group holds at most {PUBLIC_KEYS_PER_KEY_GROUP} \
                 (CloudFront's quota \"Public keys in a single key group\")"
            ),
        ));
    }
    let mut seen = HashSet::new();
    for (i, id) in config.items.iter().enumerate() {
        if id.trim().is_empty() {
            out.push(Finding::error(
                format!("KeyGroupConfig.Items[{i}]"),
                "InvalidArgument",
                "an empty public key id; give the id of a public key (K…)",
            ));
        } else if !seen.insert(id.as_str()) {
            out.push(Finding::error(
                format!("KeyGroupConfig.Items[{i}]"),
                "InvalidArgument",
                format!("public key {id} is listed twice; list each key once"),
            ));
        }
    }
    key_comment(
        "key group",
        "KeyGroupConfig.Comment",
        config.comment.as_deref(),
        &mut out,
    );
    out
}

/// Checks an origin access control as CreateOriginAccessControl does: a name of 1 to 64
/// characters, and `always-amz-auth` only for a `lambda` origin type (both `InvalidArgument`).
/// The enumerations are checked when the JSON is read. Paths start at
/// `OriginAccessControlConfig`.
pub fn check_oac_config(config: &OriginAccessControlConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let n = count(&config.name);
    if n == 0 || n > MAX_OAC_NAME_CHARS || config.name.trim().is_empty() {
        out.push(Finding::error(
            "OriginAccessControlConfig.Name",
            "InvalidArgument",
            format!(
                "an origin access control name has 1 to {MAX_OAC_NAME_CHARS} characters, not \
                 all spaces ({n} given)"
            ),
        ));
    }
    if config.signing_behavior == SigningBehavior::AlwaysAmzAuth
        && config.origin_type != OacOriginType::Lambda
    {
        out.push(Finding::error(
            "OriginAccessControlConfig.SigningBehavior",
            "InvalidArgument",
            format!(
                "always-amz-auth is valid only for lambda origins, not {}; use always, never \
                 or no-override",
                config.origin_type
            ),
        ));
    }
    out
}

/// A key group of the account, as a distribution's behaviors care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownKeyGroup {
    /// The key group id.
    pub id: String,
    /// Its name, for messages.
    pub name: String,
    /// How many public keys it holds.
    pub keys: usize,
}

/// An origin access control of the account, as a distribution's origins care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownOac {
    /// The OAC id.
    pub id: String,
    /// Its name, for messages.
    pub name: String,
    /// The origin type it signs for.
    pub origin_type: OacOriginType,
}

/// Checks a distribution's references to private-content resources against the account:
/// each cache behavior's `TrustedKeyGroups` items name a key group the account has
/// (`TrustedKeyGroupDoesNotExist`: "no key group X") that holds a key (`InvalidArgument`: "key
/// group X is empty"), at most [`KEY_GROUPS_PER_CACHE_BEHAVIOR`] of them
/// (`TooManyKeyGroupsAssociatedToDistribution`); each origin's `OriginAccessControlId` names an
/// OAC the account has (`NoSuchOriginAccessControl`) of the origin's type
/// (`InvalidOriginAccessControl`; a warning when the domain's type is not recognized).
pub fn check_private_content_refs(
    config: &DistributionConfig,
    key_groups: &[KnownKeyGroup],
    oacs: &[KnownOac],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in BehaviorView::all(config) {
        let Some(items) = b.trusted_key_groups.and_then(|t| t.items.as_deref()) else {
            continue;
        };
        if items.len() > KEY_GROUPS_PER_CACHE_BEHAVIOR {
            out.push(Finding::error(
                b.at("TrustedKeyGroups.Items"),
                "TooManyKeyGroupsAssociatedToDistribution",
                format!(
                    "{} key groups; a cache behavior trusts at most \
                     {KEY_GROUPS_PER_CACHE_BEHAVIOR} (CloudFront's quota \"Key groups \
                     associated with a single cache behavior\")",
                    items.len()
                ),
            ));
        }
        let behavior = match b.path_pattern {
            Some(p) => format!("the behavior for {p}"),
            None => "the default behavior".to_string(),
        };
        for (i, id) in items.iter().enumerate() {
            let path = b.at(&format!("TrustedKeyGroups.Items[{i}]"));
            match key_groups.iter().find(|g| &g.id == id) {
                None => out.push(Finding::error(
                    path,
                    "TrustedKeyGroupDoesNotExist",
                    format!(
                        "no key group {id} in the account ({behavior} trusts it): create it \
                         (cfconsole key-groups create) or pick one that `cfconsole key-groups \
                         list` shows"
                    ),
                )),
                Some(g) if g.keys == 0 => out.push(Finding::error(
                    path,
                    "InvalidArgument",
                    format!(
                        "key group {id} ({}) is empty: no signature could verify for \
                         {behavior}; add a public key to it first",
                        g.name
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    for (i, o) in config.origins.iter().enumerate() {
        let Some(id) = o
            .origin_access_control_id
            .as_deref()
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let path = format!("Origins.Items[{i}].OriginAccessControlId");
        let Some(oac) = oacs.iter().find(|c| c.id == id) else {
            out.push(Finding::error(
                path,
                "NoSuchOriginAccessControl",
                format!(
                    "no origin access control {id} in the account (origin {}): create it \
                     (cfconsole oac create) or pick one that `cfconsole oac list` shows",
                    o.id
                ),
            ));
            continue;
        };
        let kind = recognize(&o.domain_name);
        match OacOriginType::for_kind(kind) {
            Some(t) if t == oac.origin_type => {}
            Some(t) => out.push(Finding::error(
                path,
                "InvalidOriginAccessControl",
                format!(
                    "origin access control {id} ({}) is for {} origins, but origin {} is a {}; \
                     use an origin access control of type {}",
                    oac.name,
                    oac.origin_type.label(),
                    o.id,
                    kind.label(),
                    t.as_str()
                ),
            )),
            None => out.push(Finding::warning(
                path,
                format!(
                    "origin access control {id} ({}) signs for {} origins, but {} does not look \
                     like one ({}): check the origin's domain",
                    oac.name,
                    oac.origin_type.label(),
                    o.domain_name,
                    kind.label()
                ),
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::TrustedKeyGroups;
    use crate::validate::testutil::valid;

    const PEM: &str = include_str!("../../../fixtures/keys/rsa2048.pub.pem");
    const EC: &str = include_str!("../../../fixtures/keys/ecdsa-p256.pub.pem");
    const RSA1024: &str = include_str!("../../../fixtures/keys/rsa1024.pub.pem");

    fn codes(f: &[Finding]) -> Vec<(String, &'static str)> {
        f.iter()
            .map(|f| (f.path.clone(), f.code.unwrap_or("")))
            .collect()
    }

    fn key(name: &str) -> PublicKeyConfig {
        PublicKeyConfig {
            caller_reference: "ref-1".into(),
            name: name.into(),
            encoded_key: PEM.into(),
            comment: None,
        }
    }

    #[test]
    fn public_keys_are_checked_with_the_field_and_what_is_accepted() {
        assert!(check_public_key_config(&key("signing-key_1")).is_empty());
        assert!(check_public_key_config(&key(&"k".repeat(128))).is_empty());
        let f = check_public_key_config(&key(&"k".repeat(129)));
        assert_eq!(f[0].path, "PublicKeyConfig.Name");
        assert!(
            f[0].message.contains("1 to 128 characters (129 given)"),
            "{}",
            f[0]
        );
        let f = check_public_key_config(&key("my key"));
        assert!(f[0].message.contains("' ' is not allowed"), "{}", f[0]);
        let mut k = key("k");
        k.comment = Some("c".repeat(129));
        k.caller_reference = " ".into();
        k.encoded_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".into();
        let f = check_public_key_config(&k);
        assert_eq!(
            codes(&f),
            [
                ("PublicKeyConfig.CallerReference".into(), "InvalidArgument"),
                ("PublicKeyConfig.EncodedKey".into(), "InvalidArgument"),
                ("PublicKeyConfig.Comment".into(), "InvalidArgument"),
            ]
        );
        assert!(f[1].message.contains("private key"), "{}", f[1]);
        assert!(f[2].message.contains("at most 128"), "{}", f[2]);
        assert_eq!(
            check_encoded_key(PEM),
            Ok(cfconsole_signing::KeyKind::Rsa { bits: 2048 })
        );
        assert_eq!(
            check_encoded_key(EC),
            Ok(cfconsole_signing::KeyKind::EcdsaP256)
        );
        let e = check_encoded_key(RSA1024).unwrap_err();
        assert!(e.contains("RSA 1024"), "{e}");
        assert!(check_encoded_key("ssh-rsa AAAA").is_err());
        assert!(
            check_encoded_key("")
                .unwrap_err()
                .contains("RSA 2048 or ECDSA P-256")
        );
    }

    #[test]
    fn key_groups_hold_one_to_five_distinct_keys() {
        let group = |items: &[&str]| KeyGroupConfig {
            name: "signers".into(),
            items: items.iter().map(|s| s.to_string()).collect(),
            comment: None,
        };
        assert!(check_key_group_config(&group(&["K1"])).is_empty());
        assert!(check_key_group_config(&group(&["K1", "K2", "K3", "K4", "K5"])).is_empty());
        let f = check_key_group_config(&group(&[]));
        assert_eq!(
            codes(&f),
            [("KeyGroupConfig.Items".into(), "InvalidArgument")]
        );
        let f = check_key_group_config(&group(&["K1", "K2", "K3", "K4", "K5", "K6"]));
        assert_eq!(
            codes(&f),
            [("KeyGroupConfig.Items".into(), "TooManyPublicKeysInKeyGroup")]
        );
        assert!(f[0].message.contains("at most 5"), "{}", f[0]);
        let f = check_key_group_config(&group(&["K1", "K1"]));
        assert_eq!(
            codes(&f),
            [("KeyGroupConfig.Items[1]".into(), "InvalidArgument")]
        );
        assert!(f[0].message.contains("K1 is listed twice"), "{}", f[0]);
    }

    #[test]
    fn oac_names_have_1_to_64_characters_and_enums_use_the_wire_names() {
        let mut c = OriginAccessControlConfig {
            name: "bucket-oac".into(),
            ..Default::default()
        };
        assert!(check_oac_config(&c).is_empty());
        c.name = "n".repeat(65);
        let f = check_oac_config(&c);
        assert_eq!(
            codes(&f),
            [("OriginAccessControlConfig.Name".into(), "InvalidArgument")]
        );
        let json = serde_json::to_value(OriginAccessControlConfig {
            name: "x".into(),
            description: String::new(),
            signing_protocol: SigningProtocol::Sigv4,
            signing_behavior: SigningBehavior::NoOverride,
            origin_type: OacOriginType::Mediapackagev2,
        })
        .unwrap();
        assert_eq!(json["SigningBehavior"], "no-override");
        assert_eq!(json["SigningProtocol"], "sigv4");
        assert_eq!(json["OriginAccessControlOriginType"], "mediapackagev2");
        let e = serde_json::from_value::<OriginAccessControlConfig>(serde_json::json!({
            "Name": "x", "SigningProtocol": "sigv4", "SigningBehavior": "sometimes",
            "OriginAccessControlOriginType": "s3"
        }))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("always, never, no-override, always-amz-auth"),
            "{e}"
        );
        c.name = "x".into();
        c.signing_behavior = SigningBehavior::AlwaysAmzAuth;
        let f = check_oac_config(&c);
        assert_eq!(
            codes(&f),
            [(
                "OriginAccessControlConfig.SigningBehavior".into(),
                "InvalidArgument"
            )]
        );
        c.origin_type = OacOriginType::Lambda;
        assert!(check_oac_config(&c).is_empty());
    }

    fn groups() -> Vec<KnownKeyGroup> {
        vec![
            KnownKeyGroup {
                id: "KG1".into(),
                name: "signers".into(),
                keys: 1,
            },
            KnownKeyGroup {
                id: "KG0".into(),
                name: "hollow".into(),
                keys: 0,
            },
        ]
    }

    #[test]
    fn trusted_key_groups_are_checked_against_the_account() {
        let mut c = valid();
        c.default_cache_behavior.trusted_key_groups = Some(TrustedKeyGroups {
            enabled: true,
            quantity: 3,
            items: Some(vec!["KG1".into(), "KGX".into(), "KG0".into()]),
        });
        let f = check_private_content_refs(&c, &groups(), &[]);
        assert_eq!(
            codes(&f),
            [
                (
                    "DefaultCacheBehavior.TrustedKeyGroups.Items[1]".into(),
                    "TrustedKeyGroupDoesNotExist"
                ),
                (
                    "DefaultCacheBehavior.TrustedKeyGroups.Items[2]".into(),
                    "InvalidArgument"
                ),
            ]
        );
        assert!(f[0].message.contains("no key group KGX"), "{}", f[0]);
        assert!(
            f[1].message.contains("key group KG0 (hollow) is empty"),
            "{}",
            f[1]
        );
        c.default_cache_behavior.trusted_key_groups = Some(TrustedKeyGroups {
            enabled: true,
            quantity: 5,
            items: Some(vec!["KG1".into(); 5]),
        });
        let f = check_private_content_refs(&c, &groups(), &[]);
        assert_eq!(f[0].code, Some("TooManyKeyGroupsAssociatedToDistribution"));
    }

    #[test]
    fn origin_access_controls_are_checked_against_the_account_and_the_origin_type() {
        let mut c = valid();
        let oac = |id: &str, t: OacOriginType| KnownOac {
            id: id.into(),
            name: format!("{id}-name"),
            origin_type: t,
        };
        let o = &mut c.origins.items_mut()[0];
        o.domain_name = "bucket.s3.us-east-1.amazonaws.com".into();
        o.origin_access_control_id = Some("E1OAC".into());
        assert!(check_private_content_refs(&c, &[], &[oac("E1OAC", OacOriginType::S3)]).is_empty());
        let f = check_private_content_refs(&c, &[], &[]);
        assert_eq!(
            codes(&f),
            [(
                "Origins.Items[0].OriginAccessControlId".into(),
                "NoSuchOriginAccessControl"
            )]
        );
        assert!(
            f[0].message.contains("no origin access control E1OAC"),
            "{}",
            f[0]
        );
        let f = check_private_content_refs(&c, &[], &[oac("E1OAC", OacOriginType::Lambda)]);
        assert_eq!(f[0].code, Some("InvalidOriginAccessControl"));
        assert!(
            f[0].message
                .contains("use an origin access control of type s3"),
            "{}",
            f[0]
        );
        c.origins.items_mut()[0].domain_name = "www.example.com".into();
        let f = check_private_content_refs(&c, &[], &[oac("E1OAC", OacOriginType::S3)]);
        assert!(!f[0].is_error(), "{}", f[0]);
    }
}
