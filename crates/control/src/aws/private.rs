//! Public keys, key groups, origin access controls and the legacy origin access identities on
//! AWS, through `aws-sdk-cloudfront`. Listings follow every page; they carry no ETags
//! (CloudFront's list answers have none), the `get_*` calls do.

use aws_sdk_cloudfront::types as cf;
use aws_smithy_types::date_time::{DateTime, Format};
use cfconsole_model::private::{
    KeyGroupConfig, OacOriginType, OriginAccessControlConfig, PublicKeyConfig, SigningBehavior,
    SigningProtocol,
};

use super::Aws;
use crate::error::{ControlError, Result};
use crate::private::{KeyGroupRecord, OacRecord, OaiRecord, PublicKeyRecord};

fn time(t: &DateTime) -> String {
    t.fmt(Format::DateTime).unwrap_or_default()
}

fn missing(what: &str) -> ControlError {
    ControlError::Conversion {
        what: what.into(),
        detail: "missing from CloudFront's answer".into(),
    }
}

fn built<T>(what: &str, r: std::result::Result<T, impl std::fmt::Display>) -> Result<T> {
    r.map_err(|e| ControlError::Conversion {
        what: what.into(),
        detail: e.to_string(),
    })
}

/// An SDK enum value as the model's, or a conversion error naming the value (a newer
/// CloudFront value this build does not know is never silently changed).
fn enum_value<T: std::str::FromStr>(what: &str, value: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e: T::Err| ControlError::Conversion {
        what: what.into(),
        detail: format!("{e} (a newer CloudFront value this build does not know)"),
    })
}

/// Whether another page follows.
fn next(m: Option<&str>, current: &Option<String>) -> Option<String> {
    m.filter(|m| !m.is_empty() && Some(*m) != current.as_deref())
        .map(str::to_string)
}

fn sdk_key_config(c: &PublicKeyConfig) -> Result<cf::PublicKeyConfig> {
    built(
        "PublicKeyConfig",
        cf::PublicKeyConfig::builder()
            .caller_reference(&c.caller_reference)
            .name(&c.name)
            .encoded_key(&c.encoded_key)
            .set_comment(c.comment.clone())
            .build(),
    )
}

fn key_config(c: &cf::PublicKeyConfig) -> PublicKeyConfig {
    PublicKeyConfig {
        caller_reference: c.caller_reference().into(),
        name: c.name().into(),
        encoded_key: c.encoded_key().into(),
        comment: c.comment().map(str::to_string),
    }
}

fn key_record(k: &cf::PublicKey, etag: Option<&str>) -> Result<PublicKeyRecord> {
    let config = k
        .public_key_config()
        .ok_or_else(|| missing("PublicKey.PublicKeyConfig"))?;
    Ok(PublicKeyRecord {
        id: k.id().into(),
        etag: etag.unwrap_or_default().into(),
        created_time: time(k.created_time()),
        config: key_config(config),
    })
}

fn sdk_group_config(c: &KeyGroupConfig) -> Result<cf::KeyGroupConfig> {
    built(
        "KeyGroupConfig",
        cf::KeyGroupConfig::builder()
            .name(&c.name)
            .set_items(Some(c.items.clone()))
            .set_comment(c.comment.clone())
            .build(),
    )
}

fn group_record(g: &cf::KeyGroup, etag: Option<&str>) -> Result<KeyGroupRecord> {
    let c = g
        .key_group_config()
        .ok_or_else(|| missing("KeyGroup.KeyGroupConfig"))?;
    Ok(KeyGroupRecord {
        id: g.id().into(),
        etag: etag.unwrap_or_default().into(),
        last_modified: time(g.last_modified_time()),
        config: KeyGroupConfig {
            name: c.name().into(),
            items: c.items().to_vec(),
            comment: c.comment().map(str::to_string),
        },
    })
}

fn sdk_oac_config(c: &OriginAccessControlConfig) -> Result<cf::OriginAccessControlConfig> {
    built(
        "OriginAccessControlConfig",
        cf::OriginAccessControlConfig::builder()
            .name(&c.name)
            .set_description(Some(c.description.clone()).filter(|d| !d.is_empty()))
            .signing_protocol(cf::OriginAccessControlSigningProtocols::from(
                c.signing_protocol.as_str(),
            ))
            .signing_behavior(cf::OriginAccessControlSigningBehaviors::from(
                c.signing_behavior.as_str(),
            ))
            .origin_access_control_origin_type(cf::OriginAccessControlOriginTypes::from(
                c.origin_type.as_str(),
            ))
            .build(),
    )
}

fn oac_config(
    name: &str,
    description: Option<&str>,
    protocol: &cf::OriginAccessControlSigningProtocols,
    behavior: &cf::OriginAccessControlSigningBehaviors,
    origin_type: &cf::OriginAccessControlOriginTypes,
) -> Result<OriginAccessControlConfig> {
    Ok(OriginAccessControlConfig {
        name: name.into(),
        description: description.unwrap_or_default().into(),
        signing_protocol: enum_value::<SigningProtocol>("SigningProtocol", protocol.as_str())?,
        signing_behavior: enum_value::<SigningBehavior>("SigningBehavior", behavior.as_str())?,
        origin_type: enum_value::<OacOriginType>(
            "OriginAccessControlOriginType",
            origin_type.as_str(),
        )?,
    })
}

fn oac_record(o: &cf::OriginAccessControl, etag: Option<&str>) -> Result<OacRecord> {
    let c = o
        .origin_access_control_config()
        .ok_or_else(|| missing("OriginAccessControl.OriginAccessControlConfig"))?;
    Ok(OacRecord {
        id: o.id().into(),
        etag: etag.unwrap_or_default().into(),
        config: oac_config(
            c.name(),
            c.description(),
            c.signing_protocol(),
            c.signing_behavior(),
            c.origin_access_control_origin_type(),
        )?,
    })
}

impl Aws {
    pub(super) async fn list_public_keys_aws(&self) -> Result<Vec<PublicKeyRecord>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_public_keys()
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| self.error("the public key list", None, e))?;
            let list = page
                .public_key_list()
                .ok_or_else(|| missing("ListPublicKeys.PublicKeyList"))?;
            out.extend(list.items().iter().map(|s| PublicKeyRecord {
                id: s.id().into(),
                etag: String::new(),
                created_time: time(s.created_time()),
                config: PublicKeyConfig {
                    caller_reference: String::new(),
                    name: s.name().into(),
                    encoded_key: s.encoded_key().into(),
                    comment: s.comment().map(str::to_string),
                },
            }));
            match next(list.next_marker(), &marker) {
                Some(m) => marker = Some(m),
                None => return Ok(out),
            }
        }
    }

    pub(super) async fn get_public_key_aws(&self, id: &str) -> Result<PublicKeyRecord> {
        let out = self
            .client
            .get_public_key()
            .id(id)
            .send()
            .await
            .map_err(|e| self.error(&format!("public key {id}"), None, e))?;
        let k = out
            .public_key()
            .ok_or_else(|| missing("GetPublicKey.PublicKey"))?;
        key_record(k, out.e_tag())
    }

    pub(super) async fn create_public_key_aws(
        &self,
        config: PublicKeyConfig,
    ) -> Result<PublicKeyRecord> {
        let out = self
            .client
            .create_public_key()
            .public_key_config(sdk_key_config(&config)?)
            .send()
            .await
            .map_err(|e| self.error(&format!("public key {}", config.name), None, e))?;
        let k = out
            .public_key()
            .ok_or_else(|| missing("CreatePublicKey.PublicKey"))?;
        key_record(k, out.e_tag())
    }

    pub(super) async fn update_public_key_aws(
        &self,
        id: &str,
        if_match: &str,
        config: PublicKeyConfig,
    ) -> Result<PublicKeyRecord> {
        let out = self
            .client
            .update_public_key()
            .id(id)
            .if_match(if_match)
            .public_key_config(sdk_key_config(&config)?)
            .send()
            .await
            .map_err(|e| self.error(&format!("public key {id}"), Some(if_match), e))?;
        let k = out
            .public_key()
            .ok_or_else(|| missing("UpdatePublicKey.PublicKey"))?;
        key_record(k, out.e_tag())
    }

    pub(super) async fn delete_public_key_aws(&self, id: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_public_key()
            .id(id)
            .if_match(if_match)
            .send()
            .await
            .map_err(|e| self.error(&format!("public key {id}"), Some(if_match), e))?;
        Ok(())
    }

    pub(super) async fn list_key_groups_aws(&self) -> Result<Vec<KeyGroupRecord>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_key_groups()
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| self.error("the key group list", None, e))?;
            let list = page
                .key_group_list()
                .ok_or_else(|| missing("ListKeyGroups.KeyGroupList"))?;
            for s in list.items() {
                let g = s
                    .key_group()
                    .ok_or_else(|| missing("KeyGroupSummary.KeyGroup"))?;
                out.push(group_record(g, None)?);
            }
            match next(list.next_marker(), &marker) {
                Some(m) => marker = Some(m),
                None => return Ok(out),
            }
        }
    }

    pub(super) async fn get_key_group_aws(&self, id: &str) -> Result<KeyGroupRecord> {
        let out = self
            .client
            .get_key_group()
            .id(id)
            .send()
            .await
            .map_err(|e| self.error(&format!("key group {id}"), None, e))?;
        let g = out
            .key_group()
            .ok_or_else(|| missing("GetKeyGroup.KeyGroup"))?;
        group_record(g, out.e_tag())
    }

    pub(super) async fn create_key_group_aws(
        &self,
        config: KeyGroupConfig,
    ) -> Result<KeyGroupRecord> {
        let out = self
            .client
            .create_key_group()
            .key_group_config(sdk_group_config(&config)?)
            .send()
            .await
            .map_err(|e| self.error(&format!("key group {}", config.name), None, e))?;
        let g = out
            .key_group()
            .ok_or_else(|| missing("CreateKeyGroup.KeyGroup"))?;
        group_record(g, out.e_tag())
    }

    pub(super) async fn update_key_group_aws(
        &self,
        id: &str,
        if_match: &str,
        config: KeyGroupConfig,
    ) -> Result<KeyGroupRecord> {
        let out = self
            .client
            .update_key_group()
            .id(id)
            .if_match(if_match)
            .key_group_config(sdk_group_config(&config)?)
            .send()
            .await
            .map_err(|e| self.error(&format!("key group {id}"), Some(if_match), e))?;
        let g = out
            .key_group()
            .ok_or_else(|| missing("UpdateKeyGroup.KeyGroup"))?;
        group_record(g, out.e_tag())
    }

    pub(super) async fn delete_key_group_aws(&self, id: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_key_group()
            .id(id)
            .if_match(if_match)
            .send()
            .await
            .map_err(|e| self.error(&format!("key group {id}"), Some(if_match), e))?;
        Ok(())
    }

    pub(super) async fn list_oacs_aws(&self) -> Result<Vec<OacRecord>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_origin_access_controls()
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| self.error("the origin access control list", None, e))?;
            let list = page
                .origin_access_control_list()
                .ok_or_else(|| missing("ListOriginAccessControls.OriginAccessControlList"))?;
            for s in list.items() {
                out.push(OacRecord {
                    id: s.id().into(),
                    etag: String::new(),
                    config: oac_config(
                        s.name(),
                        Some(s.description()),
                        s.signing_protocol(),
                        s.signing_behavior(),
                        s.origin_access_control_origin_type(),
                    )?,
                });
            }
            let more = list.is_truncated() || list.next_marker().is_some();
            match next(list.next_marker(), &marker).filter(|_| more) {
                Some(m) => marker = Some(m),
                None => return Ok(out),
            }
        }
    }

    pub(super) async fn get_oac_aws(&self, id: &str) -> Result<OacRecord> {
        let out = self
            .client
            .get_origin_access_control()
            .id(id)
            .send()
            .await
            .map_err(|e| self.error(&format!("origin access control {id}"), None, e))?;
        let o = out
            .origin_access_control()
            .ok_or_else(|| missing("GetOriginAccessControl.OriginAccessControl"))?;
        oac_record(o, out.e_tag())
    }

    pub(super) async fn create_oac_aws(
        &self,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord> {
        let out = self
            .client
            .create_origin_access_control()
            .origin_access_control_config(sdk_oac_config(&config)?)
            .send()
            .await
            .map_err(|e| self.error(&format!("origin access control {}", config.name), None, e))?;
        let o = out
            .origin_access_control()
            .ok_or_else(|| missing("CreateOriginAccessControl.OriginAccessControl"))?;
        oac_record(o, out.e_tag())
    }

    pub(super) async fn update_oac_aws(
        &self,
        id: &str,
        if_match: &str,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord> {
        let out = self
            .client
            .update_origin_access_control()
            .id(id)
            .if_match(if_match)
            .origin_access_control_config(sdk_oac_config(&config)?)
            .send()
            .await
            .map_err(|e| self.error(&format!("origin access control {id}"), Some(if_match), e))?;
        let o = out
            .origin_access_control()
            .ok_or_else(|| missing("UpdateOriginAccessControl.OriginAccessControl"))?;
        oac_record(o, out.e_tag())
    }

    pub(super) async fn delete_oac_aws(&self, id: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_origin_access_control()
            .id(id)
            .if_match(if_match)
            .send()
            .await
            .map_err(|e| self.error(&format!("origin access control {id}"), Some(if_match), e))?;
        Ok(())
    }

    pub(super) async fn list_oais_aws(&self) -> Result<Vec<OaiRecord>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_cloud_front_origin_access_identities()
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| self.error("the origin access identity list", None, e))?;
            let list = page
                .cloud_front_origin_access_identity_list()
                .ok_or_else(|| {
                    missing(
                        "ListCloudFrontOriginAccessIdentities.CloudFrontOriginAccessIdentityList",
                    )
                })?;
            out.extend(list.items().iter().map(|s| OaiRecord {
                id: s.id().into(),
                comment: s.comment().into(),
                s3_canonical_user_id: s.s3_canonical_user_id().into(),
            }));
            let more = list.is_truncated() || list.next_marker().is_some();
            match next(list.next_marker(), &marker).filter(|_| more) {
                Some(m) => marker = Some(m),
                None => return Ok(out),
            }
        }
    }
}
