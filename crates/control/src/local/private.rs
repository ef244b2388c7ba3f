//! Public keys, key groups and origin access controls in the local workspace, one JSON file each
//! in the AWS CLI's `get-*` shape, written atomically under the workspace lock like everything
//! else; legacy origin access identities are read from their folder (never written: CloudFront
//! recommends origin access control for anything new).
//!
//! ```text
//! WORKSPACE/public-keys/<id>.json               {"ETag", "PublicKey": {...}}
//! WORKSPACE/key-groups/<id>.json                {"ETag", "KeyGroup": {...}}
//! WORKSPACE/origin-access-controls/<id>.json    {"ETag", "OriginAccessControl": {...}}
//! WORKSPACE/origin-access-identities/<id>.json  {"CloudFrontOriginAccessIdentity": {...}}
//! ```
//!
//! Every update gives a new ETag and a stale If-Match is refused, as CloudFront does. The
//! refusals are CloudFront's (API reference, each operation's Errors): a key a key group holds
//! cannot be deleted (`PublicKeyInUse`), nor a key group a cache behavior trusts
//! (`ResourceInUse`), nor an OAC an origin uses (`OriginAccessControlInUse`); a key group naming
//! a key the workspace lacks is `InvalidArgument`; names are unique (`PublicKeyAlreadyExists`,
//! `KeyGroupAlreadyExists`, `OriginAccessControlAlreadyExists`); a public key's `EncodedKey`
//! cannot change (`CannotChangeImmutablePublicKeyFields`), nor its name or caller reference
//! (`IllegalUpdate`): UpdatePublicKey changes only the comment. Creating and updating a
//! distribution checks its key groups, OACs and function associations against the workspace.

use std::fs;
use std::path::PathBuf;

use cfconsole_model::private::{
    KeyGroupConfig, KnownKeyGroup, KnownOac, OriginAccessControlConfig, PublicKeyConfig,
    check_key_group_config, check_oac_config, check_private_content_refs, check_public_key_config,
};
use cfconsole_model::quotas::{
    KEY_GROUPS_PER_ACCOUNT, ORIGIN_ACCESS_CONTROLS_PER_ACCOUNT, PUBLIC_KEYS_PER_ACCOUNT,
};
use cfconsole_model::{BehaviorView, DistributionConfig, Finding, check_function_associations};
use serde::{Deserialize, Serialize};

use super::functions::new_uuid;
use super::{LocalWorkspace, iso, new_id, rejected};
use crate::error::{ControlError, Result};
use crate::private::{KeyGroupRecord, OacRecord, OaiRecord, PublicKeyRecord};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct KeyFile {
    #[serde(rename = "ETag")]
    etag: String,
    public_key: StoredKey,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredKey {
    id: String,
    created_time: String,
    public_key_config: PublicKeyConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct GroupFile {
    #[serde(rename = "ETag")]
    etag: String,
    key_group: StoredGroup,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredGroup {
    id: String,
    last_modified_time: String,
    key_group_config: KeyGroupConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct OacFile {
    #[serde(rename = "ETag")]
    etag: String,
    origin_access_control: StoredOac,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredOac {
    id: String,
    origin_access_control_config: OriginAccessControlConfig,
}

/// `get-cloud-front-origin-access-identity`'s shape (the ETag is optional: nothing here
/// updates one).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct OaiFile {
    #[serde(rename = "ETag", default)]
    _etag: Option<String>,
    cloud_front_origin_access_identity: StoredOai,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StoredOai {
    id: String,
    s3_canonical_user_id: String,
    cloud_front_origin_access_identity_config: OaiConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct OaiConfig {
    #[serde(rename = "CallerReference")]
    _caller_reference: String,
    comment: String,
}

/// The three kinds of file, for paths and messages.
#[derive(Clone, Copy)]
enum Kind {
    Key,
    Group,
    Oac,
}

impl Kind {
    fn dir(self) -> &'static str {
        match self {
            Kind::Key => "public-keys",
            Kind::Group => "key-groups",
            Kind::Oac => "origin-access-controls",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Kind::Key => "public key",
            Kind::Group => "key group",
            Kind::Oac => "origin access control",
        }
    }
}

/// Refuses a configuration with the first error's code, naming every error with its field.
fn refuse(findings: Vec<Finding>) -> Result<()> {
    let errors: Vec<&Finding> = findings.iter().filter(|f| f.is_error()).collect();
    let Some(first) = errors.first() else {
        return Ok(());
    };
    Err(rejected(
        first.code.unwrap_or("InvalidArgument"),
        errors
            .iter()
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect::<Vec<_>>()
            .join("; "),
    ))
}

impl LocalWorkspace {
    fn private_dir(&self, kind: Kind) -> PathBuf {
        self.root.join(kind.dir())
    }

    /// The file of `id`; an id that could not be a file name (a path, a dot) names nothing.
    fn private_path(&self, kind: Kind, id: &str) -> Result<PathBuf> {
        let plain = !id.is_empty()
            && id.len() <= 64
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !plain {
            return Err(ControlError::NotFound {
                what: format!("{} {id:?}", kind.what()),
            });
        }
        Ok(self.private_dir(kind).join(format!("{id}.json")))
    }

    fn corrupt_if(path: &std::path::Path, id: &str, inside: &str) -> Result<()> {
        if inside == id {
            return Ok(());
        }
        Err(ControlError::CorruptFile {
            path: path.to_path_buf(),
            detail: format!("it holds {inside:?}, but its name says {id}"),
        })
    }

    fn read_key(&self, id: &str) -> Result<KeyFile> {
        let path = self.private_path(Kind::Key, id)?;
        let f: KeyFile = Self::read_json(&path, || format!("public key {id}"))?;
        Self::corrupt_if(&path, id, &f.public_key.id)?;
        Ok(f)
    }

    fn read_group(&self, id: &str) -> Result<GroupFile> {
        let path = self.private_path(Kind::Group, id)?;
        let f: GroupFile = Self::read_json(&path, || format!("key group {id}"))?;
        Self::corrupt_if(&path, id, &f.key_group.id)?;
        Ok(f)
    }

    fn read_oac(&self, id: &str) -> Result<OacFile> {
        let path = self.private_path(Kind::Oac, id)?;
        let f: OacFile = Self::read_json(&path, || format!("origin access control {id}"))?;
        Self::corrupt_if(&path, id, &f.origin_access_control.id)?;
        Ok(f)
    }

    fn all_keys(&self) -> Result<Vec<KeyFile>> {
        Self::names_in(&self.private_dir(Kind::Key))
            .iter()
            .map(|id| self.read_key(id))
            .collect()
    }

    fn all_groups(&self) -> Result<Vec<GroupFile>> {
        Self::names_in(&self.private_dir(Kind::Group))
            .iter()
            .map(|id| self.read_group(id))
            .collect()
    }

    fn all_oacs(&self) -> Result<Vec<OacFile>> {
        Self::names_in(&self.private_dir(Kind::Oac))
            .iter()
            .map(|id| self.read_oac(id))
            .collect()
    }

    fn remove_private(&self, kind: Kind, id: &str) -> Result<()> {
        let path = self.private_path(kind, id)?;
        fs::remove_file(&path).map_err(|e| ControlError::io(path, e))
    }

    /// The distributions (by id) whose configuration `uses` says yes to; every distribution
    /// must be readable, or the answer could hide a user.
    fn distributions_where(
        &self,
        uses: impl Fn(&DistributionConfig) -> bool,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for id in self.all_ids()? {
            if uses(&self.read(&id)?.distribution.distribution_config) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The checks CloudFront makes of a distribution's references before CreateDistribution or
    /// UpdateDistribution: key groups, origin access controls and function associations must
    /// name what the workspace has. Called under the write guard.
    pub(super) fn check_references(&self, config: &DistributionConfig) -> Result<()> {
        let (groups, oacs) = crate::private::uses_private_content(config);
        let known_groups: Vec<KnownKeyGroup> = if groups {
            self.all_groups()?
                .iter()
                .map(|g| KnownKeyGroup::from(&group_record(g)))
                .collect()
        } else {
            Vec::new()
        };
        let known_oacs: Vec<KnownOac> = if oacs {
            self.all_oacs()?
                .iter()
                .map(|o| KnownOac::from(&oac_record(o)))
                .collect()
        } else {
            Vec::new()
        };
        let mut findings = check_private_content_refs(config, &known_groups, &known_oacs);
        let associates = BehaviorView::all(config).iter().any(|b| {
            b.function_associations
                .is_some_and(|l| !l.items().is_empty())
        });
        if associates {
            findings.extend(check_function_associations(
                config,
                &self.known_functions()?,
            ));
        }
        refuse(findings)
    }

    pub(super) fn list_public_keys_local(&self) -> Result<Vec<PublicKeyRecord>> {
        let _g = self.read_guard();
        Ok(self.all_keys()?.iter().map(key_record).collect())
    }

    pub(super) fn get_public_key_local(&self, id: &str) -> Result<PublicKeyRecord> {
        let _g = self.read_guard();
        Ok(key_record(&self.read_key(id)?))
    }

    pub(super) fn create_public_key_local(
        &self,
        config: PublicKeyConfig,
    ) -> Result<PublicKeyRecord> {
        refuse(check_public_key_config(&config))?;
        let _g = self.write_guard()?;
        let keys = self.all_keys()?;
        if let Some(k) = keys.iter().find(|k| {
            let c = &k.public_key.public_key_config;
            c.name == config.name || c.caller_reference == config.caller_reference
        }) {
            let c = &k.public_key.public_key_config;
            let why = if c.name == config.name {
                format!("the name {:?}", config.name)
            } else {
                format!("the caller reference {:?}", config.caller_reference)
            };
            return Err(rejected(
                "PublicKeyAlreadyExists",
                format!(
                    "public key {} already has {why}: choose another name (and caller \
                     reference), or use that key",
                    k.public_key.id
                ),
            ));
        }
        if keys.len() >= PUBLIC_KEYS_PER_ACCOUNT {
            return Err(rejected(
                "TooManyPublicKeys",
                format!(
                    "the workspace holds {} public keys, CloudFront's quota per account \
                     ({PUBLIC_KEYS_PER_ACCOUNT}); delete one no key group holds first",
                    keys.len()
                ),
            ));
        }
        let f = KeyFile {
            etag: new_id('E'),
            public_key: StoredKey {
                id: new_id('K'),
                created_time: iso(self.clock.now()),
                public_key_config: config,
            },
        };
        self.write_private(Kind::Key, &f.public_key.id, &f)?;
        Ok(key_record(&f))
    }

    pub(super) fn update_public_key_local(
        &self,
        id: &str,
        if_match: &str,
        config: PublicKeyConfig,
    ) -> Result<PublicKeyRecord> {
        refuse(check_public_key_config(&config))?;
        let _g = self.write_guard()?;
        let mut f = self.read_key(id)?;
        Self::check_etag(format!("public key {id}"), &f.etag, if_match)?;
        let old = &f.public_key.public_key_config;
        if old.encoded_key.trim() != config.encoded_key.trim() {
            return Err(rejected(
                "CannotChangeImmutablePublicKeyFields",
                format!(
                    "the EncodedKey of public key {id} cannot change: upload the new key as \
                     another public key (cfconsole public-keys create), add it to the key \
                     group, and retire this one"
                ),
            ));
        }
        if old.name != config.name || old.caller_reference != config.caller_reference {
            return Err(rejected(
                "IllegalUpdate",
                format!(
                    "only the Comment of public key {id} can change; keep Name {:?} and \
                     CallerReference {:?}",
                    old.name, old.caller_reference
                ),
            ));
        }
        f.public_key.public_key_config.comment = config.comment;
        f.etag = new_id('E');
        self.write_private(Kind::Key, id, &f)?;
        Ok(key_record(&f))
    }

    pub(super) fn delete_public_key_local(&self, id: &str, if_match: &str) -> Result<()> {
        let _g = self.write_guard()?;
        let f = self.read_key(id)?;
        Self::check_etag(format!("public key {id}"), &f.etag, if_match)?;
        let holders: Vec<String> = self
            .all_groups()?
            .into_iter()
            .filter(|g| g.key_group.key_group_config.items.iter().any(|k| k == id))
            .map(|g| format!("{} ({})", g.key_group.id, g.key_group.key_group_config.name))
            .collect();
        if !holders.is_empty() {
            return Err(rejected(
                "PublicKeyInUse",
                format!(
                    "public key {id} is in key group(s) {}: remove it from them first",
                    holders.join(", ")
                ),
            ));
        }
        self.remove_private(Kind::Key, id)
    }

    /// Key group checks that need the workspace: every key exists, the name is free.
    fn check_group_in_workspace(
        &self,
        config: &KeyGroupConfig,
        except: Option<&str>,
    ) -> Result<()> {
        refuse(check_key_group_config(config))?;
        let keys = self.all_keys()?;
        let missing: Vec<&str> = config
            .items
            .iter()
            .filter(|id| !keys.iter().any(|k| &k.public_key.id == *id))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(rejected(
                "InvalidArgument",
                format!(
                    "KeyGroupConfig.Items: no public key {} in the workspace: upload it first \
                     (cfconsole public-keys create) or use an id that `cfconsole public-keys \
                     list` shows",
                    missing.join(", ")
                ),
            ));
        }
        if let Some(g) = self.all_groups()?.iter().find(|g| {
            Some(g.key_group.id.as_str()) != except
                && g.key_group.key_group_config.name == config.name
        }) {
            return Err(rejected(
                "KeyGroupAlreadyExists",
                format!(
                    "key group {} is already named {:?}: choose another name",
                    g.key_group.id, config.name
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn list_key_groups_local(&self) -> Result<Vec<KeyGroupRecord>> {
        let _g = self.read_guard();
        Ok(self.all_groups()?.iter().map(group_record).collect())
    }

    pub(super) fn get_key_group_local(&self, id: &str) -> Result<KeyGroupRecord> {
        let _g = self.read_guard();
        Ok(group_record(&self.read_group(id)?))
    }

    pub(super) fn create_key_group_local(&self, config: KeyGroupConfig) -> Result<KeyGroupRecord> {
        let _g = self.write_guard()?;
        self.check_group_in_workspace(&config, None)?;
        let n = Self::names_in(&self.private_dir(Kind::Group)).len();
        if n >= KEY_GROUPS_PER_ACCOUNT {
            return Err(rejected(
                "TooManyKeyGroups",
                format!(
                    "the workspace holds {n} key groups, CloudFront's quota per account \
                     ({KEY_GROUPS_PER_ACCOUNT}); delete one no behavior trusts first"
                ),
            ));
        }
        let f = GroupFile {
            etag: new_id('E'),
            key_group: StoredGroup {
                id: new_uuid(),
                last_modified_time: iso(self.clock.now()),
                key_group_config: config,
            },
        };
        self.write_private(Kind::Group, &f.key_group.id, &f)?;
        Ok(group_record(&f))
    }

    pub(super) fn update_key_group_local(
        &self,
        id: &str,
        if_match: &str,
        config: KeyGroupConfig,
    ) -> Result<KeyGroupRecord> {
        let _g = self.write_guard()?;
        let mut f = self.read_group(id)?;
        Self::check_etag(format!("key group {id}"), &f.etag, if_match)?;
        self.check_group_in_workspace(&config, Some(id))?;
        f.key_group.key_group_config = config;
        f.key_group.last_modified_time = iso(self.clock.now());
        f.etag = new_id('E');
        self.write_private(Kind::Group, id, &f)?;
        Ok(group_record(&f))
    }

    pub(super) fn delete_key_group_local(&self, id: &str, if_match: &str) -> Result<()> {
        let _g = self.write_guard()?;
        let f = self.read_group(id)?;
        Self::check_etag(format!("key group {id}"), &f.etag, if_match)?;
        let users = self.distributions_where(|c| {
            BehaviorView::all(c).iter().any(|b| {
                b.trusted_key_groups
                    .and_then(|t| t.items.as_deref())
                    .is_some_and(|i| i.iter().any(|k| k == id))
            })
        })?;
        if !users.is_empty() {
            return Err(rejected(
                "ResourceInUse",
                format!(
                    "key group {id} is trusted by cache behaviors of distribution(s) {}: remove \
                     it from their TrustedKeyGroups first",
                    users.join(", ")
                ),
            ));
        }
        self.remove_private(Kind::Group, id)
    }

    fn check_oac_in_workspace(
        &self,
        config: &OriginAccessControlConfig,
        except: Option<&str>,
    ) -> Result<()> {
        refuse(check_oac_config(config))?;
        if let Some(o) = self.all_oacs()?.iter().find(|o| {
            Some(o.origin_access_control.id.as_str()) != except
                && o.origin_access_control.origin_access_control_config.name == config.name
        }) {
            return Err(rejected(
                "OriginAccessControlAlreadyExists",
                format!(
                    "origin access control {} is already named {:?}: choose another name",
                    o.origin_access_control.id, config.name
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn list_oacs_local(&self) -> Result<Vec<OacRecord>> {
        let _g = self.read_guard();
        Ok(self.all_oacs()?.iter().map(oac_record).collect())
    }

    pub(super) fn get_oac_local(&self, id: &str) -> Result<OacRecord> {
        let _g = self.read_guard();
        Ok(oac_record(&self.read_oac(id)?))
    }

    pub(super) fn create_oac_local(&self, config: OriginAccessControlConfig) -> Result<OacRecord> {
        let _g = self.write_guard()?;
        self.check_oac_in_workspace(&config, None)?;
        let n = Self::names_in(&self.private_dir(Kind::Oac)).len();
        if n >= ORIGIN_ACCESS_CONTROLS_PER_ACCOUNT {
            return Err(rejected(
                "TooManyOriginAccessControls",
                format!(
                    "the workspace holds {n} origin access controls, CloudFront's quota per \
                     account ({ORIGIN_ACCESS_CONTROLS_PER_ACCOUNT}); delete one no origin uses \
                     first"
                ),
            ));
        }
        let f = OacFile {
            etag: new_id('E'),
            origin_access_control: StoredOac {
                id: new_id('E'),
                origin_access_control_config: config,
            },
        };
        self.write_private(Kind::Oac, &f.origin_access_control.id, &f)?;
        Ok(oac_record(&f))
    }

    pub(super) fn update_oac_local(
        &self,
        id: &str,
        if_match: &str,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord> {
        let _g = self.write_guard()?;
        let mut f = self.read_oac(id)?;
        Self::check_etag(format!("origin access control {id}"), &f.etag, if_match)?;
        self.check_oac_in_workspace(&config, Some(id))?;
        f.origin_access_control.origin_access_control_config = config;
        f.etag = new_id('E');
        self.write_private(Kind::Oac, id, &f)?;
        Ok(oac_record(&f))
    }

    pub(super) fn delete_oac_local(&self, id: &str, if_match: &str) -> Result<()> {
        let _g = self.write_guard()?;
        let f = self.read_oac(id)?;
        Self::check_etag(format!("origin access control {id}"), &f.etag, if_match)?;
        let users = self.distributions_where(|c| {
            c.origins
                .iter()
                .any(|o| o.origin_access_control_id.as_deref() == Some(id))
        })?;
        if !users.is_empty() {
            return Err(rejected(
                "OriginAccessControlInUse",
                format!(
                    "origin access control {id} is used by origins of distribution(s) {}: \
                     clear their OriginAccessControlId first",
                    users.join(", ")
                ),
            ));
        }
        self.remove_private(Kind::Oac, id)
    }

    pub(super) fn list_oais_local(&self) -> Result<Vec<OaiRecord>> {
        let _g = self.read_guard();
        let dir = self.root.join("origin-access-identities");
        Self::names_in(&dir)
            .iter()
            .map(|id| {
                let path = dir.join(format!("{id}.json"));
                let f: OaiFile = Self::read_json(&path, || format!("origin access identity {id}"))?;
                let o = f.cloud_front_origin_access_identity;
                Self::corrupt_if(&path, id, &o.id)?;
                Ok(OaiRecord {
                    id: o.id,
                    comment: o.cloud_front_origin_access_identity_config.comment,
                    s3_canonical_user_id: o.s3_canonical_user_id,
                })
            })
            .collect()
    }

    fn write_private<T: Serialize>(&self, kind: Kind, id: &str, v: &T) -> Result<()> {
        Self::write_json(&self.private_path(kind, id)?, v)
    }
}

fn key_record(f: &KeyFile) -> PublicKeyRecord {
    PublicKeyRecord {
        id: f.public_key.id.clone(),
        etag: f.etag.clone(),
        created_time: f.public_key.created_time.clone(),
        config: f.public_key.public_key_config.clone(),
    }
}

fn group_record(f: &GroupFile) -> KeyGroupRecord {
    KeyGroupRecord {
        id: f.key_group.id.clone(),
        etag: f.etag.clone(),
        last_modified: f.key_group.last_modified_time.clone(),
        config: f.key_group.key_group_config.clone(),
    }
}

fn oac_record(f: &OacFile) -> OacRecord {
    OacRecord {
        id: f.origin_access_control.id.clone(),
        etag: f.etag.clone(),
        config: f.origin_access_control.origin_access_control_config.clone(),
    }
}

#[cfg(test)]
mod tests;
