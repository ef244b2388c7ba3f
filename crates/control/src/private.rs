//! Private content on the control plane: public keys, key groups and origin access controls,
//! each with its ETag, and the legacy origin access identities (listed, read-only). The records
//! both backends answer with; the trait methods are on [`ControlPlane`](crate::ControlPlane).
//!
//! Listings carry no ETags from AWS (ListPublicKeys, ListKeyGroups and
//! ListOriginAccessControls answer none): `etag` is empty there, and `get_*` gives it. The local
//! workspace fills it in everywhere.

use cfconsole_model::private::{
    KeyGroupConfig, KnownKeyGroup, KnownOac, OriginAccessControlConfig, PublicKeyConfig,
};
use cfconsole_model::{BehaviorView, DistributionConfig};

/// A public key (CloudFront's `PublicKey`) with its ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyRecord {
    /// `K2JCJMDEHXQW5F`: what a signed URL's `Key-Pair-Id` names.
    pub id: String,
    /// For update and delete (If-Match); empty in an AWS listing.
    pub etag: String,
    /// ISO 8601.
    pub created_time: String,
    /// Name, PEM, comment; the caller reference is empty in an AWS listing.
    pub config: PublicKeyConfig,
}

/// A key group (CloudFront's `KeyGroup`) with its ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGroupRecord {
    /// What a behavior's `TrustedKeyGroups` names.
    pub id: String,
    /// For update and delete (If-Match); empty in an AWS listing.
    pub etag: String,
    /// ISO 8601.
    pub last_modified: String,
    /// Name, the ids of its public keys, comment.
    pub config: KeyGroupConfig,
}

/// An origin access control (CloudFront's `OriginAccessControl`) with its ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OacRecord {
    /// What an origin's `OriginAccessControlId` names.
    pub id: String,
    /// For update and delete (If-Match); empty in an AWS listing.
    pub etag: String,
    /// Name, description, signing protocol and behavior, origin type.
    pub config: OriginAccessControlConfig,
}

/// A legacy origin access identity (`CloudFrontOriginAccessIdentitySummary`): listed only, so
/// an operator can see what still uses one and move it to an origin access control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiRecord {
    /// `E74FTE3AEXAMPLE`: an origin names it `origin-access-identity/cloudfront/ID`.
    pub id: String,
    /// The operator's comment.
    pub comment: String,
    /// The canonical user id a bucket policy grants.
    pub s3_canonical_user_id: String,
}

/// What to say beside origin access identities: they are legacy.
pub const OAI_HINT: &str = concat!(
    "origin access identities are legacy: CloudFront recommends origin access control ",
    "(cfconsole oac create, then set the origin's OriginAccessControlId and clear its ",
    "OriginAccessIdentity)"
);

impl From<&KeyGroupRecord> for KnownKeyGroup {
    fn from(r: &KeyGroupRecord) -> Self {
        KnownKeyGroup {
            id: r.id.clone(),
            name: r.config.name.clone(),
            keys: r.config.items.len(),
        }
    }
}

impl From<&OacRecord> for KnownOac {
    fn from(r: &OacRecord) -> Self {
        KnownOac {
            id: r.id.clone(),
            name: r.config.name.clone(),
            origin_type: r.config.origin_type,
        }
    }
}

/// Whether a configuration names any key group (`TrustedKeyGroups` items) and any origin
/// access control (`OriginAccessControlId`): `(key groups, OACs)`.
pub fn uses_private_content(config: &DistributionConfig) -> (bool, bool) {
    let groups = BehaviorView::all(config).iter().any(|b| {
        b.trusted_key_groups
            .and_then(|t| t.items.as_deref())
            .is_some_and(|i| !i.is_empty())
    });
    let oacs = config.origins.iter().any(|o| {
        o.origin_access_control_id
            .as_deref()
            .is_some_and(|s| !s.is_empty())
    });
    (groups, oacs)
}
