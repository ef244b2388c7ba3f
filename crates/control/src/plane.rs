//! The `ControlPlane` trait: everything the GUI and the CLI ask of CloudFront, with one
//! implementation per backend (the local workspace, AWS). Callers hold `Arc<dyn ControlPlane>`
//! and never learn which backend answers.

use async_trait::async_trait;
use cfconsole_model::{
    CachePolicy, CachePolicyConfig, Distribution, DistributionConfig, Invalidation,
    InvalidationBatch, InvalidationSummary, OriginRequestPolicy, OriginRequestPolicyConfig,
    PolicySet, ResponseHeadersPolicy, ResponseHeadersPolicyConfig,
};

use cfconsole_functions::kvs::Items;
use cfconsole_functions::{Event, Runtime};

use crate::error::Result;
use crate::functions::{FunctionRecord, FunctionTest, KvsItems, KvsRecord, Stage};
use crate::private::{KeyGroupRecord, OacRecord, OaiRecord, PublicKeyRecord};
use cfconsole_model::private::{KeyGroupConfig, OriginAccessControlConfig, PublicKeyConfig};

/// One line of the distribution list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionListItem {
    /// `E2QWRUHEXAMPLE`.
    pub id: String,
    /// `d111111abcdef8.cloudfront.net`.
    pub domain_name: String,
    /// Alternate domain names (CNAMEs).
    pub aliases: Vec<String>,
    /// `InProgress` or `Deployed`.
    pub status: String,
    /// Whether the distribution serves requests.
    pub enabled: bool,
    /// The operator's comment.
    pub comment: String,
    /// ISO 8601 time of the last change.
    pub last_modified: String,
}

/// The distribution list: every distribution that could be read, and each that could not (in
/// the local workspace, a damaged or hand-edited file), so one bad entry hides none of the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistributionList {
    /// The distributions, by id.
    pub items: Vec<DistributionListItem>,
    /// What could not be read, by id; always empty from AWS.
    pub unreadable: Vec<Unreadable>,
}

/// A distribution that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The id its file name gives.
    pub id: String,
    /// What is wrong, naming the file and what to do.
    pub problem: String,
}

/// A resource tag (CloudFront's `Tag`): a key and a value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Tag {
    /// 1 to 128 characters; `aws:` is reserved.
    pub key: String,
    /// 0 to 256 characters.
    pub value: String,
}

/// Checks tags as CloudFront does (`InvalidTagging`): at most 50, keys of 1 to 128 characters,
/// unique, not starting with `aws:`, values of at most 256 characters, and only letters,
/// digits, spaces and `_ . : / = + - @`.
pub fn check_tags(tags: &[Tag]) -> Result<()> {
    let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c);
    let bad = |m: String| {
        Err(crate::ControlError::Rejected {
            code: "InvalidTagging".into(),
            detail: m,
        })
    };
    if tags.len() > 50 {
        return bad(format!(
            "{} tags: a distribution takes at most 50",
            tags.len()
        ));
    }
    for (i, t) in tags.iter().enumerate() {
        let n = t.key.chars().count();
        if n == 0 || n > 128 {
            return bad(format!(
                "tag {}: a key has 1 to 128 characters ({n} given)",
                i + 1
            ));
        }
        if t.key.to_ascii_lowercase().starts_with("aws:") {
            return bad(format!(
                "tag key {:?}: keys starting with aws: are reserved for AWS",
                t.key
            ));
        }
        if t.value.chars().count() > 256 {
            return bad(format!(
                "tag {:?}: a value has at most 256 characters",
                t.key
            ));
        }
        if let Some(c) = t.key.chars().chain(t.value.chars()).find(|c| !allowed(*c)) {
            return bad(format!(
                "tag {:?}: {c:?} is not allowed; use letters, digits, spaces and _ . : / = + - @",
                t.key
            ));
        }
        if tags[..i].iter().any(|o| o.key == t.key) {
            return bad(format!("tag key {:?} appears twice", t.key));
        }
    }
    Ok(())
}

/// A distribution with the ETag that an update or delete must send back (If-Match).
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionRecord {
    /// Metadata and the configuration in force.
    pub distribution: Distribution,
    /// The current ETag.
    pub etag: String,
}

/// One page of a paged listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The marker for the next page, if there is one.
    pub next_marker: Option<String>,
}

pub use cfconsole_model::PolicyKind;

/// A policy's configuration, of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyConfig {
    /// A cache policy.
    Cache(CachePolicyConfig),
    /// An origin request policy.
    OriginRequest(OriginRequestPolicyConfig),
    /// A response headers policy.
    ResponseHeaders(ResponseHeadersPolicyConfig),
}

impl PolicyConfig {
    /// Its kind.
    pub fn kind(&self) -> PolicyKind {
        match self {
            Self::Cache(_) => PolicyKind::Cache,
            Self::OriginRequest(_) => PolicyKind::OriginRequest,
            Self::ResponseHeaders(_) => PolicyKind::ResponseHeaders,
        }
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Cache(c) => &c.name,
            Self::OriginRequest(c) => &c.name,
            Self::ResponseHeaders(c) => &c.name,
        }
    }
}

/// A custom policy with its ETag.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyRecord {
    /// The policy id.
    pub id: String,
    /// ISO 8601 time of the last change.
    pub last_modified: String,
    /// The current ETag (for update with If-Match).
    pub etag: String,
    /// The configuration.
    pub config: PolicyConfig,
}

impl PolicyRecord {
    /// Adds the policy to `set` under its id, with its ETag when it has one: how the preview
    /// and the validator look policies up.
    pub fn add_to(&self, set: &mut PolicySet) {
        let (id, last_modified_time) = (self.id.clone(), self.last_modified.clone());
        match &self.config {
            PolicyConfig::Cache(c) => {
                set.cache.insert(
                    self.id.clone(),
                    CachePolicy {
                        id,
                        last_modified_time,
                        cache_policy_config: c.clone(),
                    },
                );
            }
            PolicyConfig::OriginRequest(c) => {
                set.origin_request.insert(
                    self.id.clone(),
                    OriginRequestPolicy {
                        id,
                        last_modified_time,
                        origin_request_policy_config: c.clone(),
                    },
                );
            }
            PolicyConfig::ResponseHeaders(c) => {
                set.response_headers.insert(
                    self.id.clone(),
                    ResponseHeadersPolicy {
                        id,
                        last_modified_time,
                        response_headers_policy_config: c.clone(),
                    },
                );
            }
        }
        if !self.etag.is_empty() {
            set.etags.insert(self.id.clone(), self.etag.clone());
        }
    }
}

/// The control plane. Both backends implement it; the GUI holds `Arc<dyn ControlPlane>`.
#[async_trait]
pub trait ControlPlane: Send + Sync {
    /// A line for status bars and errors: which backend, where.
    fn describe(&self) -> String;

    /// Every distribution (all pages), and any that could not be read.
    async fn list_distributions(&self) -> Result<DistributionList>;
    /// One distribution: metadata, configuration, ETag and status.
    async fn get_distribution(&self, id: &str) -> Result<DistributionRecord>;
    /// Creates a distribution; it starts `InProgress`.
    async fn create_distribution(&self, config: DistributionConfig) -> Result<DistributionRecord>;
    /// Replaces a distribution's configuration; `if_match` must be the current ETag.
    async fn update_distribution(
        &self,
        id: &str,
        config: DistributionConfig,
        if_match: &str,
    ) -> Result<DistributionRecord>;
    /// Deletes a disabled, deployed distribution; `if_match` must be the current ETag.
    async fn delete_distribution(&self, id: &str, if_match: &str) -> Result<()>;

    /// Submits an invalidation batch; it starts `InProgress` (spec I-10).
    async fn create_invalidation(
        &self,
        distribution_id: &str,
        batch: InvalidationBatch,
    ) -> Result<Invalidation>;
    /// One page of a distribution's invalidations, newest first.
    async fn list_invalidations(
        &self,
        distribution_id: &str,
        marker: Option<String>,
    ) -> Result<Page<InvalidationSummary>>;
    /// One invalidation: paths, status, creation time.
    async fn get_invalidation(&self, distribution_id: &str, id: &str) -> Result<Invalidation>;

    /// A distribution's tags.
    async fn list_tags(&self, id: &str) -> Result<Vec<Tag>>;
    /// Replaces a distribution's tags with `tags` (checked with [`check_tags`] first).
    async fn set_tags(&self, id: &str, tags: Vec<Tag>) -> Result<()>;

    /// The custom policies of one kind (all pages), so the preview can resolve every policy a
    /// distribution uses.
    async fn list_policies(&self, kind: PolicyKind) -> Result<Vec<PolicyRecord>>;
    /// One policy with its ETag.
    async fn get_policy(&self, kind: PolicyKind, id: &str) -> Result<PolicyRecord>;
    /// Creates a custom policy.
    async fn create_policy(&self, config: PolicyConfig) -> Result<PolicyRecord>;
    /// Replaces a custom policy's configuration; `if_match` must be the current ETag.
    async fn update_policy(
        &self,
        id: &str,
        config: PolicyConfig,
        if_match: &str,
    ) -> Result<PolicyRecord>;

    /// Every function (all pages) at `stage`, or at DEVELOPMENT and LIVE both when `None`.
    /// ListFunctions carries no ETags: from AWS, `etag` is empty (describe gives it).
    async fn list_functions(&self, stage: Option<Stage>) -> Result<Vec<FunctionRecord>>;
    /// One function at one stage, with that stage's ETag.
    async fn describe_function(&self, name: &str, stage: Stage) -> Result<FunctionRecord>;
    /// A function's code at one stage, and that stage's ETag.
    async fn get_function_code(&self, name: &str, stage: Stage) -> Result<(String, String)>;
    /// Creates a function in DEVELOPMENT (`UNPUBLISHED`); the code is checked as CloudFront
    /// checks it (size, syntax under `runtime`, a `handler`).
    async fn create_function(
        &self,
        name: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord>;
    /// Replaces DEVELOPMENT's code and configuration; `if_match` is its ETag. LIVE is
    /// untouched until the next publish.
    async fn update_function(
        &self,
        name: &str,
        if_match: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord>;
    /// Copies DEVELOPMENT to LIVE; `if_match` is DEVELOPMENT's ETag. Answers the LIVE record.
    async fn publish_function(&self, name: &str, if_match: &str) -> Result<FunctionRecord>;
    /// Runs the function's code at `stage` on `event` (TestFunction); `if_match` is that
    /// stage's ETag.
    async fn test_function(
        &self,
        name: &str,
        if_match: &str,
        stage: Stage,
        event: Event,
    ) -> Result<FunctionTest>;
    /// Deletes a function no cache behavior uses (`FunctionInUse` otherwise); `if_match` is
    /// DEVELOPMENT's ETag.
    async fn delete_function(&self, name: &str, if_match: &str) -> Result<()>;

    /// Every key value store (all pages).
    async fn list_kvs(&self) -> Result<Vec<KvsRecord>>;
    /// One store by name, with its control-plane ETag.
    async fn describe_kvs(&self, name: &str) -> Result<KvsRecord>;
    /// Creates a store, holding `import` when given (CloudFront's import at creation).
    async fn create_kvs(
        &self,
        name: &str,
        comment: &str,
        import: Option<Items>,
    ) -> Result<KvsRecord>;
    /// Changes a store's comment (the only thing UpdateKeyValueStore changes).
    async fn update_kvs(&self, name: &str, if_match: &str, comment: &str) -> Result<KvsRecord>;
    /// Deletes a store no function is associated with (`CannotDeleteEntityWhileInUse`).
    async fn delete_kvs(&self, name: &str, if_match: &str) -> Result<()>;

    /// Every item of the store `arn` (all pages), with the data-plane ETag.
    async fn kvs_items(&self, arn: &str) -> Result<KvsItems>;
    /// One key's value, `None` when the store has no such key.
    async fn kvs_get(&self, arn: &str, key: &str) -> Result<Option<String>>;
    /// Puts one item; `if_match` is the data-plane ETag. Answers the new data-plane ETag.
    async fn kvs_put(&self, arn: &str, if_match: &str, key: &str, value: &str) -> Result<String>;
    /// Deletes one key; `if_match` is the data-plane ETag. Answers the new one.
    async fn kvs_delete(&self, arn: &str, if_match: &str, key: &str) -> Result<String>;
    /// One UpdateKeys request (at most 50 keys, 3 MB; see
    /// [`update_batches`](crate::functions::update_batches)): all of it or nothing. Answers
    /// the new data-plane ETag.
    async fn kvs_update(
        &self,
        arn: &str,
        if_match: &str,
        puts: Vec<(String, String)>,
        deletes: Vec<String>,
    ) -> Result<String>;

    /// Every public key (all pages). From AWS the records carry no ETag or caller reference
    /// (ListPublicKeys gives neither): [`get_public_key`](Self::get_public_key) does.
    async fn list_public_keys(&self) -> Result<Vec<PublicKeyRecord>>;
    /// One public key with its ETag.
    async fn get_public_key(&self, id: &str) -> Result<PublicKeyRecord>;
    /// Uploads a public key (RSA 2048 or ECDSA P-256, PEM): `PublicKeyAlreadyExists` for a
    /// name or caller reference in use.
    async fn create_public_key(&self, config: PublicKeyConfig) -> Result<PublicKeyRecord>;
    /// Changes a public key's comment, the only thing UpdatePublicKey changes (a new
    /// `EncodedKey` is `CannotChangeImmutablePublicKeyFields`); `if_match` is its ETag.
    async fn update_public_key(
        &self,
        id: &str,
        if_match: &str,
        config: PublicKeyConfig,
    ) -> Result<PublicKeyRecord>;
    /// Deletes a public key no key group holds (`PublicKeyInUse`); `if_match` is its ETag.
    async fn delete_public_key(&self, id: &str, if_match: &str) -> Result<()>;

    /// Every key group (all pages); from AWS without ETags.
    async fn list_key_groups(&self) -> Result<Vec<KeyGroupRecord>>;
    /// One key group with its ETag.
    async fn get_key_group(&self, id: &str) -> Result<KeyGroupRecord>;
    /// Creates a key group of existing public keys (`KeyGroupAlreadyExists` for a name in use).
    async fn create_key_group(&self, config: KeyGroupConfig) -> Result<KeyGroupRecord>;
    /// Replaces a key group's configuration; `if_match` is its ETag.
    async fn update_key_group(
        &self,
        id: &str,
        if_match: &str,
        config: KeyGroupConfig,
    ) -> Result<KeyGroupRecord>;
    /// Deletes a key group no cache behavior trusts (`ResourceInUse`); `if_match` is its ETag.
    async fn delete_key_group(&self, id: &str, if_match: &str) -> Result<()>;

    /// Every origin access control (all pages); from AWS without ETags.
    async fn list_origin_access_controls(&self) -> Result<Vec<OacRecord>>;
    /// One origin access control with its ETag.
    async fn get_origin_access_control(&self, id: &str) -> Result<OacRecord>;
    /// Creates an origin access control (`OriginAccessControlAlreadyExists` for a name in use).
    async fn create_origin_access_control(
        &self,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord>;
    /// Replaces an origin access control's configuration; `if_match` is its ETag.
    async fn update_origin_access_control(
        &self,
        id: &str,
        if_match: &str,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord>;
    /// Deletes an origin access control no origin uses (`OriginAccessControlInUse`);
    /// `if_match` is its ETag.
    async fn delete_origin_access_control(&self, id: &str, if_match: &str) -> Result<()>;

    /// Every legacy origin access identity (all pages), read-only: see
    /// [`OAI_HINT`](crate::private::OAI_HINT).
    async fn list_origin_access_identities(&self) -> Result<Vec<OaiRecord>>;

    /// Every invalidation of a distribution, following the pages.
    async fn list_all_invalidations(
        &self,
        distribution_id: &str,
    ) -> Result<Vec<InvalidationSummary>> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self.list_invalidations(distribution_id, marker).await?;
            out.extend(page.items);
            match page.next_marker {
                Some(m) if !m.is_empty() => marker = Some(m),
                _ => return Ok(out),
            }
        }
    }
}

/// True when a distribution status means deployed. CloudFront says `Deployed`; compared
/// case-insensitively because emulators differ.
pub fn is_deployed(status: &str) -> bool {
    status.eq_ignore_ascii_case("Deployed")
}

/// True when an invalidation status means completed (CloudFront `Completed`, moto `COMPLETED`).
pub fn is_completed(status: &str) -> bool {
    status.eq_ignore_ascii_case("Completed")
}

/// [`check_private_content_refs`](cfconsole_model::check_private_content_refs) against what
/// `plane` has: the key groups and origin access controls are listed only when the
/// configuration names some, so a backend that serves none is never asked for a plain
/// configuration. CLI `publish` and the window's publish refuse what this finds (errors).
pub async fn check_private_content(
    plane: &dyn ControlPlane,
    config: &DistributionConfig,
) -> Result<Vec<cfconsole_model::Finding>> {
    let (groups, oacs) = crate::private::uses_private_content(config);
    if !groups && !oacs {
        return Ok(Vec::new());
    }
    let key_groups: Vec<cfconsole_model::KnownKeyGroup> = if groups {
        plane
            .list_key_groups()
            .await?
            .iter()
            .map(cfconsole_model::KnownKeyGroup::from)
            .collect()
    } else {
        Vec::new()
    };
    let controls: Vec<cfconsole_model::KnownOac> = if oacs {
        plane
            .list_origin_access_controls()
            .await?
            .iter()
            .map(cfconsole_model::KnownOac::from)
            .collect()
    } else {
        Vec::new()
    };
    Ok(cfconsole_model::check_private_content_refs(
        config,
        &key_groups,
        &controls,
    ))
}
