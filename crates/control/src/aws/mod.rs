//! The AWS backend: `aws-config` loads credentials, profile, region and endpoint the standard way
//! (environment, `~/.aws/config` profiles, SSO, `AWS_ENDPOINT_URL`), `aws-sdk-cloudfront` makes
//! the calls, every listing follows its pages, answers become model types through [`convert`],
//! and errors become [`ControlError`] variants a person can act on.

pub mod convert;
mod functions;
mod private;

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::types::{
    CachePolicyType, OriginRequestPolicyType, ResponseHeadersPolicyType,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use cfconsole_functions::kvs::Items;
use cfconsole_functions::{Event, Runtime};
use cfconsole_model::{DistributionConfig, Invalidation, InvalidationBatch, InvalidationSummary};

use crate::error::{ControlError, Result};
use crate::functions::{FunctionRecord, FunctionTest, KvsItems, KvsRecord, Stage};
use crate::plane::{
    ControlPlane, DistributionList, DistributionListItem, DistributionRecord, Page, PolicyConfig,
    PolicyKind, PolicyRecord, Tag, check_tags,
};
use crate::private::{KeyGroupRecord, OacRecord, OaiRecord, PublicKeyRecord};
use cfconsole_model::private::{KeyGroupConfig, OriginAccessControlConfig, PublicKeyConfig};
use convert::*;

/// Where to connect; each `None` falls back to the standard chain (env, `~/.aws/config`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// A named profile (`--profile`).
    pub profile: Option<String>,
    /// A region (`--region`); CloudFront is global, `us-east-1` is used when none is configured.
    pub region: Option<String>,
    /// A CloudFront-compatible endpoint (`--endpoint-url`, e.g. a moto server).
    pub endpoint_url: Option<String>,
}

/// CloudFront through `aws-sdk-cloudfront`.
#[derive(Debug, Clone)]
pub struct Aws {
    client: Client,
    /// The key value stores' data plane (`cloudfront-keyvaluestore`), from the same config.
    kvs: aws_sdk_cloudfrontkeyvaluestore::Client,
    profile: String,
    region: String,
    endpoint: String,
}

/// Attempts per call for throttling and transient errors, with the SDK's exponential backoff.
const MAX_ATTEMPTS: u32 = 5;

impl Aws {
    /// Loads the configuration the standard way, with `options` taking precedence.
    pub async fn connect(options: AwsOptions) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
        if let Some(p) = &options.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &options.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        if let Some(e) = &options.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let mut shared = loader.load().await;
        if shared.region().is_none() {
            shared = shared
                .into_builder()
                .region(aws_config::Region::from_static("us-east-1"))
                .build();
        }
        let region = shared.region().map(|r| r.to_string()).unwrap_or_default();
        let endpoint = shared
            .endpoint_url()
            .map(str::to_string)
            .unwrap_or_else(|| "https://cloudfront.amazonaws.com".into());
        let profile = options
            .profile
            .or_else(|| std::env::var("AWS_PROFILE").ok())
            .unwrap_or_else(|| "default".into());
        Self {
            client: Client::new(&shared),
            kvs: aws_sdk_cloudfrontkeyvaluestore::Client::new(&shared),
            profile,
            region,
            endpoint,
        }
    }

    /// Wraps an existing client (tests: a moto server or `aws-smithy-mocks`). The data-plane
    /// client gets only the region (a client's config does not give its credentials back):
    /// give a configured one with [`Self::with_kvs_client`] to reach stores' items.
    pub fn from_client(client: Client) -> Self {
        let conf = client.config();
        let kvs = aws_sdk_cloudfrontkeyvaluestore::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(conf.region().cloned());
        Self {
            kvs: aws_sdk_cloudfrontkeyvaluestore::Client::from_conf(kvs.build()),
            region: conf.region().map(|r| r.to_string()).unwrap_or_default(),
            endpoint: "the configured endpoint".into(),
            profile: "(explicit configuration)".into(),
            client,
        }
    }

    /// Replaces the key value stores' data-plane client (tests: a mock).
    pub fn with_kvs_client(mut self, kvs: aws_sdk_cloudfrontkeyvaluestore::Client) -> Self {
        self.kvs = kvs;
        self
    }

    /// The SDK client, for what the trait does not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Maps an SDK error to what a person can act on. `what` names the object for messages.
    fn error<E>(
        &self,
        what: &str,
        sent_etag: Option<&str>,
        err: SdkError<E, HttpResponse>,
    ) -> ControlError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let detail = || DisplayErrorContext(&err).to_string();
        match &err {
            SdkError::ServiceError(se) => {
                let code = se.err().code().unwrap_or("");
                let message = se.err().message().unwrap_or("").to_string();
                let status = se.raw().status().as_u16();
                if code == "PreconditionFailed" || status == 412 {
                    return ControlError::PreconditionFailed {
                        what: what.into(),
                        sent: sent_etag.unwrap_or("").into(),
                    };
                }
                match code {
                    "DistributionNotDisabled" => ControlError::DistributionNotDisabled {
                        id: what.trim_start_matches("distribution ").into(),
                    },
                    "TooManyInvalidationsInProgress" => {
                        ControlError::TooManyInvalidationsInProgress {
                            id: what.trim_start_matches("distribution ").into(),
                            detail: message,
                        }
                    }
                    "CNAMEAlreadyExists" => ControlError::CnameAlreadyExists { detail: message },
                    "InvalidViewerCertificate" => {
                        ControlError::InvalidViewerCertificate { detail: message }
                    }
                    "AccessDenied"
                    | "AccessDeniedException"
                    | "InvalidClientTokenId"
                    | "SignatureDoesNotMatch"
                    | "ExpiredToken"
                    | "UnrecognizedClientException" => {
                        self.access_denied(format!("{code}: {message}"))
                    }
                    "Throttling"
                    | "ThrottlingException"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded" => ControlError::Throttling { detail: message },
                    c if c.starts_with("NoSuch") || status == 404 => {
                        ControlError::NotFound { what: what.into() }
                    }
                    "" => ControlError::Other(format!("HTTP {status}: {}", detail())),
                    c => ControlError::Rejected {
                        code: c.into(),
                        detail: message,
                    },
                }
            }
            SdkError::DispatchFailure(_)
            | SdkError::TimeoutError(_)
            | SdkError::ResponseError(_) => {
                let d = chain(&err);
                if looks_like_credentials(&d) {
                    self.no_credentials(d)
                } else {
                    ControlError::Network {
                        endpoint: self.endpoint.clone(),
                        detail: d,
                    }
                }
            }
            _ => {
                let d = chain(&err);
                if looks_like_credentials(&d) {
                    self.no_credentials(d)
                } else {
                    ControlError::Other(d)
                }
            }
        }
    }

    fn no_credentials(&self, detail: String) -> ControlError {
        ControlError::NoCredentials {
            profile: self.profile.clone(),
            region: self.region.clone(),
            detail,
        }
    }

    fn access_denied(&self, detail: String) -> ControlError {
        ControlError::AccessDenied {
            profile: self.profile.clone(),
            region: self.region.clone(),
            detail,
        }
    }

    async fn policy_etag_and_record(&self, kind: PolicyKind, id: &str) -> Result<PolicyRecord> {
        let what = format!("{} {id}", kind.as_str());
        match kind {
            PolicyKind::Cache => {
                let out = self
                    .client
                    .get_cache_policy()
                    .id(id)
                    .send()
                    .await
                    .map_err(|e| self.error(&what, None, e))?;
                let p = out
                    .cache_policy
                    .ok_or_else(|| missing("GetCachePolicy.CachePolicy"))?;
                let p = cache_policy_from_sdk(p)?;
                Ok(PolicyRecord {
                    id: p.id,
                    last_modified: p.last_modified_time,
                    etag: out.e_tag.unwrap_or_default(),
                    config: PolicyConfig::Cache(p.cache_policy_config),
                })
            }
            PolicyKind::OriginRequest => {
                let out = self
                    .client
                    .get_origin_request_policy()
                    .id(id)
                    .send()
                    .await
                    .map_err(|e| self.error(&what, None, e))?;
                let p = out
                    .origin_request_policy
                    .ok_or_else(|| missing("GetOriginRequestPolicy.OriginRequestPolicy"))?;
                let p = origin_request_policy_from_sdk(p)?;
                Ok(PolicyRecord {
                    id: p.id,
                    last_modified: p.last_modified_time,
                    etag: out.e_tag.unwrap_or_default(),
                    config: PolicyConfig::OriginRequest(p.origin_request_policy_config),
                })
            }
            PolicyKind::ResponseHeaders => {
                let out = self
                    .client
                    .get_response_headers_policy()
                    .id(id)
                    .send()
                    .await
                    .map_err(|e| self.error(&what, None, e))?;
                let p = out
                    .response_headers_policy
                    .ok_or_else(|| missing("GetResponseHeadersPolicy.ResponseHeadersPolicy"))?;
                let p = response_headers_policy_from_sdk(p)?;
                Ok(PolicyRecord {
                    id: p.id,
                    last_modified: p.last_modified_time,
                    etag: out.e_tag.unwrap_or_default(),
                    config: PolicyConfig::ResponseHeaders(p.response_headers_policy_config),
                })
            }
        }
    }

    /// The ids of the custom policies of one kind, following the pages.
    async fn custom_policy_ids(&self, kind: PolicyKind) -> Result<Vec<String>> {
        let what = format!("{} list", kind.as_str());
        let mut ids = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let (page_ids, next) = match kind {
                PolicyKind::Cache => {
                    let out = self
                        .client
                        .list_cache_policies()
                        .r#type(CachePolicyType::Custom)
                        .set_marker(marker.clone())
                        .send()
                        .await
                        .map_err(|e| self.error(&what, None, e))?;
                    let list = out.cache_policy_list.unwrap_or_default_list();
                    (
                        list.0
                            .into_iter()
                            .filter_map(|s| s.cache_policy.map(|p| p.id))
                            .collect::<Vec<_>>(),
                        list.1,
                    )
                }
                PolicyKind::OriginRequest => {
                    let out = self
                        .client
                        .list_origin_request_policies()
                        .r#type(OriginRequestPolicyType::Custom)
                        .set_marker(marker.clone())
                        .send()
                        .await
                        .map_err(|e| self.error(&what, None, e))?;
                    let list = out.origin_request_policy_list.unwrap_or_default_list();
                    (
                        list.0
                            .into_iter()
                            .filter_map(|s| s.origin_request_policy.map(|p| p.id))
                            .collect(),
                        list.1,
                    )
                }
                PolicyKind::ResponseHeaders => {
                    let out = self
                        .client
                        .list_response_headers_policies()
                        .r#type(ResponseHeadersPolicyType::Custom)
                        .set_marker(marker.clone())
                        .send()
                        .await
                        .map_err(|e| self.error(&what, None, e))?;
                    let list = out.response_headers_policy_list.unwrap_or_default_list();
                    (
                        list.0
                            .into_iter()
                            .filter_map(|s| s.response_headers_policy.map(|p| p.id))
                            .collect(),
                        list.1,
                    )
                }
            };
            ids.extend(page_ids);
            match next {
                Some(m) if !m.is_empty() && Some(&m) != marker.as_ref() => marker = Some(m),
                _ => return Ok(ids),
            }
        }
    }
}

/// Sends a create or update policy request and reads the policy and its ETag back: the six
/// calls differ only in their SDK builder, output member and conversion.
macro_rules! policy_call {
    ($self:ident, $what:expr, $if_match:expr, $request:expr, $member:ident, $from_sdk:ident,
     $missing:literal, $variant:ident, $config:ident) => {{
        let out = $request
            .send()
            .await
            .map_err(|e| $self.error(&$what, $if_match, e))?;
        let p = $from_sdk(out.$member.ok_or_else(|| missing($missing))?)?;
        Ok(PolicyRecord {
            id: p.id,
            last_modified: p.last_modified_time,
            etag: out.e_tag.unwrap_or_default(),
            config: PolicyConfig::$variant(p.$config),
        })
    }};
}

/// The three policy lists share a shape: items and a next marker.
trait PolicyList {
    type Item;
    fn unwrap_or_default_list(self) -> (Vec<Self::Item>, Option<String>);
}

macro_rules! policy_list {
    ($list:ty, $item:ty) => {
        impl PolicyList for Option<$list> {
            type Item = $item;
            fn unwrap_or_default_list(self) -> (Vec<$item>, Option<String>) {
                match self {
                    Some(l) => (l.items.unwrap_or_default(), l.next_marker),
                    None => (Vec::new(), None),
                }
            }
        }
    };
}
policy_list!(
    aws_sdk_cloudfront::types::CachePolicyList,
    aws_sdk_cloudfront::types::CachePolicySummary
);
policy_list!(
    aws_sdk_cloudfront::types::OriginRequestPolicyList,
    aws_sdk_cloudfront::types::OriginRequestPolicySummary
);
policy_list!(
    aws_sdk_cloudfront::types::ResponseHeadersPolicyList,
    aws_sdk_cloudfront::types::ResponseHeadersPolicySummary
);

/// An error and its sources, each once, without the SDK's Debug dump.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        source = e.source();
    }
    out
}

/// Credential problems arrive as dispatch or construction failures with these words.
fn looks_like_credentials(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    ["credential", "no token", "sso", "identity"]
        .iter()
        .any(|w| d.contains(w))
}

fn record(
    distribution: Option<aws_sdk_cloudfront::types::Distribution>,
    etag: Option<String>,
    op: &str,
) -> Result<DistributionRecord> {
    let d = distribution.ok_or_else(|| missing(&format!("{op}.Distribution")))?;
    Ok(DistributionRecord {
        distribution: distribution_from_sdk(d)?,
        etag: etag.ok_or_else(|| missing(&format!("{op}.ETag")))?,
    })
}

#[async_trait]
impl ControlPlane for Aws {
    fn describe(&self) -> String {
        format!(
            "AWS (profile {}, region {}, {})",
            self.profile, self.region, self.endpoint
        )
    }

    async fn list_distributions(&self) -> Result<DistributionList> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_distributions()
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| self.error("distribution list", None, e))?;
            let Some(list) = page.distribution_list else {
                return Ok(DistributionList {
                    items: out,
                    unreadable: Vec::new(),
                });
            };
            for s in list.items.unwrap_or_default() {
                out.push(DistributionListItem {
                    id: s.id,
                    domain_name: s.domain_name,
                    aliases: s.aliases.and_then(|a| a.items).unwrap_or_default(),
                    status: s.status,
                    enabled: s.enabled,
                    comment: s.comment,
                    last_modified: ts_from_sdk(&s.last_modified_time)?,
                });
            }
            match list.next_marker {
                Some(m) if list.is_truncated && !m.is_empty() => marker = Some(m),
                _ => {
                    return Ok(DistributionList {
                        items: out,
                        unreadable: Vec::new(),
                    });
                }
            }
        }
    }

    async fn get_distribution(&self, id: &str) -> Result<DistributionRecord> {
        let out = self
            .client
            .get_distribution()
            .id(id)
            .send()
            .await
            .map_err(|e| self.error(&format!("distribution {id}"), None, e))?;
        record(out.distribution, out.e_tag, "GetDistribution")
    }

    async fn create_distribution(&self, config: DistributionConfig) -> Result<DistributionRecord> {
        let out = self
            .client
            .create_distribution()
            .distribution_config(distribution_config_to_sdk(config)?)
            .send()
            .await
            .map_err(|e| self.error("new distribution", None, e))?;
        record(out.distribution, out.e_tag, "CreateDistribution")
    }

    async fn update_distribution(
        &self,
        id: &str,
        config: DistributionConfig,
        if_match: &str,
    ) -> Result<DistributionRecord> {
        let out = self
            .client
            .update_distribution()
            .id(id)
            .if_match(if_match)
            .distribution_config(distribution_config_to_sdk(config)?)
            .send()
            .await
            .map_err(|e| self.error(&format!("distribution {id}"), Some(if_match), e))?;
        record(out.distribution, out.e_tag, "UpdateDistribution")
    }

    async fn delete_distribution(&self, id: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_distribution()
            .id(id)
            .if_match(if_match)
            .send()
            .await
            .map_err(|e| self.error(&format!("distribution {id}"), Some(if_match), e))?;
        Ok(())
    }

    async fn create_invalidation(
        &self,
        distribution_id: &str,
        batch: InvalidationBatch,
    ) -> Result<Invalidation> {
        let caller_reference = batch.caller_reference.clone();
        let out = self
            .client
            .create_invalidation()
            .distribution_id(distribution_id)
            .invalidation_batch(invalidation_batch_to_sdk(batch)?)
            .send()
            .await
            .map_err(|e| {
                match self.error(&format!("distribution {distribution_id}"), None, e) {
                    // CloudFront's message does not carry the reference: name the one sent.
                    ControlError::Rejected { code, .. }
                        if code == "InvalidationBatchAlreadyExists" =>
                    {
                        ControlError::InvalidationBatchAlreadyExists {
                            caller_reference: caller_reference.clone(),
                        }
                    }
                    other => other,
                }
            })?;
        invalidation_from_sdk(
            out.invalidation
                .ok_or_else(|| missing("CreateInvalidation.Invalidation"))?,
        )
    }

    async fn list_invalidations(
        &self,
        distribution_id: &str,
        marker: Option<String>,
    ) -> Result<Page<InvalidationSummary>> {
        let out = self
            .client
            .list_invalidations()
            .distribution_id(distribution_id)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| self.error(&format!("distribution {distribution_id}"), None, e))?;
        let Some(list) = out.invalidation_list else {
            return Ok(Page {
                items: Vec::new(),
                next_marker: None,
            });
        };
        let items = list
            .items
            .unwrap_or_default()
            .into_iter()
            .map(invalidation_summary_from_sdk)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            next_marker: list
                .next_marker
                .filter(|m| list.is_truncated && !m.is_empty()),
        })
    }

    async fn get_invalidation(&self, distribution_id: &str, id: &str) -> Result<Invalidation> {
        let out = self
            .client
            .get_invalidation()
            .distribution_id(distribution_id)
            .id(id)
            .send()
            .await
            .map_err(|e| {
                self.error(
                    &format!("invalidation {id} of distribution {distribution_id}"),
                    None,
                    e,
                )
            })?;
        invalidation_from_sdk(
            out.invalidation
                .ok_or_else(|| missing("GetInvalidation.Invalidation"))?,
        )
    }

    async fn list_tags(&self, id: &str) -> Result<Vec<Tag>> {
        let arn = self.get_distribution(id).await?.distribution.arn;
        let out = self
            .client
            .list_tags_for_resource()
            .resource(&arn)
            .send()
            .await
            .map_err(|e| self.error(&format!("the tags of distribution {id}"), None, e))?;
        Ok(out
            .tags()
            .map(|t| t.items())
            .unwrap_or_default()
            .iter()
            .map(|t| Tag {
                key: t.key().to_string(),
                value: t.value().unwrap_or_default().to_string(),
            })
            .collect())
    }

    async fn set_tags(&self, id: &str, tags: Vec<Tag>) -> Result<()> {
        check_tags(&tags)?;
        let arn = self.get_distribution(id).await?.distribution.arn;
        let what = format!("the tags of distribution {id}");
        let current = self.list_tags(id).await?;
        let removed: Vec<String> = current
            .iter()
            .filter(|c| !tags.iter().any(|t| t.key == c.key))
            .map(|c| c.key.clone())
            .collect();
        if !removed.is_empty() {
            self.client
                .untag_resource()
                .resource(&arn)
                .tag_keys(
                    aws_sdk_cloudfront::types::TagKeys::builder()
                        .set_items(Some(removed))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| self.error(&what, None, e))?;
        }
        if !tags.is_empty() {
            let items = tags
                .into_iter()
                .map(|t| {
                    aws_sdk_cloudfront::types::Tag::builder()
                        .key(t.key)
                        .value(t.value)
                        .build()
                        .map_err(|e| ControlError::Other(format!("tag: {e}")))
                })
                .collect::<Result<Vec<_>>>()?;
            self.client
                .tag_resource()
                .resource(&arn)
                .tags(
                    aws_sdk_cloudfront::types::Tags::builder()
                        .set_items(Some(items))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| self.error(&what, None, e))?;
        }
        Ok(())
    }

    async fn list_policies(&self, kind: PolicyKind) -> Result<Vec<PolicyRecord>> {
        // The list answers carry no ETags; each policy is read once more to get its own.
        let mut out = Vec::new();
        for id in self.custom_policy_ids(kind).await? {
            out.push(self.policy_etag_and_record(kind, &id).await?);
        }
        Ok(out)
    }

    async fn get_policy(&self, kind: PolicyKind, id: &str) -> Result<PolicyRecord> {
        self.policy_etag_and_record(kind, id).await
    }

    async fn create_policy(&self, config: PolicyConfig) -> Result<PolicyRecord> {
        let what = format!("new {}", config.kind().as_str());
        match config {
            PolicyConfig::Cache(c) => policy_call!(
                self,
                what,
                None,
                self.client
                    .create_cache_policy()
                    .cache_policy_config(cache_policy_config_to_sdk(c)?),
                cache_policy,
                cache_policy_from_sdk,
                "CreateCachePolicy.CachePolicy",
                Cache,
                cache_policy_config
            ),
            PolicyConfig::OriginRequest(c) => policy_call!(
                self,
                what,
                None,
                self.client
                    .create_origin_request_policy()
                    .origin_request_policy_config(origin_request_policy_config_to_sdk(c)?),
                origin_request_policy,
                origin_request_policy_from_sdk,
                "CreateOriginRequestPolicy.OriginRequestPolicy",
                OriginRequest,
                origin_request_policy_config
            ),
            PolicyConfig::ResponseHeaders(c) => policy_call!(
                self,
                what,
                None,
                self.client
                    .create_response_headers_policy()
                    .response_headers_policy_config(response_headers_policy_config_to_sdk(c)?),
                response_headers_policy,
                response_headers_policy_from_sdk,
                "CreateResponseHeadersPolicy.ResponseHeadersPolicy",
                ResponseHeaders,
                response_headers_policy_config
            ),
        }
    }

    async fn update_policy(
        &self,
        id: &str,
        config: PolicyConfig,
        if_match: &str,
    ) -> Result<PolicyRecord> {
        let what = format!("{} {id}", config.kind().as_str());
        match config {
            PolicyConfig::Cache(c) => policy_call!(
                self,
                what,
                Some(if_match),
                self.client
                    .update_cache_policy()
                    .id(id)
                    .if_match(if_match)
                    .cache_policy_config(cache_policy_config_to_sdk(c)?),
                cache_policy,
                cache_policy_from_sdk,
                "UpdateCachePolicy.CachePolicy",
                Cache,
                cache_policy_config
            ),
            PolicyConfig::OriginRequest(c) => policy_call!(
                self,
                what,
                Some(if_match),
                self.client
                    .update_origin_request_policy()
                    .id(id)
                    .if_match(if_match)
                    .origin_request_policy_config(origin_request_policy_config_to_sdk(c)?),
                origin_request_policy,
                origin_request_policy_from_sdk,
                "UpdateOriginRequestPolicy.OriginRequestPolicy",
                OriginRequest,
                origin_request_policy_config
            ),
            PolicyConfig::ResponseHeaders(c) => policy_call!(
                self,
                what,
                Some(if_match),
                self.client
                    .update_response_headers_policy()
                    .id(id)
                    .if_match(if_match)
                    .response_headers_policy_config(response_headers_policy_config_to_sdk(c)?),
                response_headers_policy,
                response_headers_policy_from_sdk,
                "UpdateResponseHeadersPolicy.ResponseHeadersPolicy",
                ResponseHeaders,
                response_headers_policy_config
            ),
        }
    }

    async fn list_functions(&self, stage: Option<Stage>) -> Result<Vec<FunctionRecord>> {
        self.list_functions_aws(stage).await
    }

    async fn describe_function(&self, name: &str, stage: Stage) -> Result<FunctionRecord> {
        self.describe_function_aws(name, stage).await
    }

    async fn get_function_code(&self, name: &str, stage: Stage) -> Result<(String, String)> {
        self.function_code_aws(name, stage).await
    }

    async fn create_function(
        &self,
        name: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord> {
        self.create_function_aws(name, comment, runtime, kvs_arn, code)
            .await
    }

    async fn update_function(
        &self,
        name: &str,
        if_match: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord> {
        self.update_function_aws(name, if_match, comment, runtime, kvs_arn, code)
            .await
    }

    async fn publish_function(&self, name: &str, if_match: &str) -> Result<FunctionRecord> {
        self.publish_function_aws(name, if_match).await
    }

    async fn test_function(
        &self,
        name: &str,
        if_match: &str,
        stage: Stage,
        event: Event,
    ) -> Result<FunctionTest> {
        self.test_function_aws(name, if_match, stage, &event).await
    }

    async fn delete_function(&self, name: &str, if_match: &str) -> Result<()> {
        self.delete_function_aws(name, if_match).await
    }

    async fn list_kvs(&self) -> Result<Vec<KvsRecord>> {
        self.list_kvs_aws().await
    }

    async fn describe_kvs(&self, name: &str) -> Result<KvsRecord> {
        self.describe_kvs_aws(name).await
    }

    async fn create_kvs(
        &self,
        name: &str,
        comment: &str,
        import: Option<Items>,
    ) -> Result<KvsRecord> {
        self.create_kvs_aws(name, comment, import).await
    }

    async fn update_kvs(&self, name: &str, if_match: &str, comment: &str) -> Result<KvsRecord> {
        self.update_kvs_aws(name, if_match, comment).await
    }

    async fn delete_kvs(&self, name: &str, if_match: &str) -> Result<()> {
        self.delete_kvs_aws(name, if_match).await
    }

    async fn kvs_items(&self, arn: &str) -> Result<KvsItems> {
        self.kvs_items_aws(arn).await
    }

    async fn kvs_get(&self, arn: &str, key: &str) -> Result<Option<String>> {
        self.kvs_get_aws(arn, key).await
    }

    async fn kvs_put(&self, arn: &str, if_match: &str, key: &str, value: &str) -> Result<String> {
        self.kvs_put_aws(arn, if_match, key, value).await
    }

    async fn kvs_delete(&self, arn: &str, if_match: &str, key: &str) -> Result<String> {
        self.kvs_delete_aws(arn, if_match, key).await
    }

    async fn kvs_update(
        &self,
        arn: &str,
        if_match: &str,
        puts: Vec<(String, String)>,
        deletes: Vec<String>,
    ) -> Result<String> {
        self.kvs_update_aws(arn, if_match, puts, deletes).await
    }

    async fn list_public_keys(&self) -> Result<Vec<PublicKeyRecord>> {
        self.list_public_keys_aws().await
    }

    async fn get_public_key(&self, id: &str) -> Result<PublicKeyRecord> {
        self.get_public_key_aws(id).await
    }

    async fn create_public_key(&self, config: PublicKeyConfig) -> Result<PublicKeyRecord> {
        self.create_public_key_aws(config).await
    }

    async fn update_public_key(
        &self,
        id: &str,
        if_match: &str,
        config: PublicKeyConfig,
    ) -> Result<PublicKeyRecord> {
        self.update_public_key_aws(id, if_match, config).await
    }

    async fn delete_public_key(&self, id: &str, if_match: &str) -> Result<()> {
        self.delete_public_key_aws(id, if_match).await
    }

    async fn list_key_groups(&self) -> Result<Vec<KeyGroupRecord>> {
        self.list_key_groups_aws().await
    }

    async fn get_key_group(&self, id: &str) -> Result<KeyGroupRecord> {
        self.get_key_group_aws(id).await
    }

    async fn create_key_group(&self, config: KeyGroupConfig) -> Result<KeyGroupRecord> {
        self.create_key_group_aws(config).await
    }

    async fn update_key_group(
        &self,
        id: &str,
        if_match: &str,
        config: KeyGroupConfig,
    ) -> Result<KeyGroupRecord> {
        self.update_key_group_aws(id, if_match, config).await
    }

    async fn delete_key_group(&self, id: &str, if_match: &str) -> Result<()> {
        self.delete_key_group_aws(id, if_match).await
    }

    async fn list_origin_access_controls(&self) -> Result<Vec<OacRecord>> {
        self.list_oacs_aws().await
    }

    async fn get_origin_access_control(&self, id: &str) -> Result<OacRecord> {
        self.get_oac_aws(id).await
    }

    async fn create_origin_access_control(
        &self,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord> {
        self.create_oac_aws(config).await
    }

    async fn update_origin_access_control(
        &self,
        id: &str,
        if_match: &str,
        config: OriginAccessControlConfig,
    ) -> Result<OacRecord> {
        self.update_oac_aws(id, if_match, config).await
    }

    async fn delete_origin_access_control(&self, id: &str, if_match: &str) -> Result<()> {
        self.delete_oac_aws(id, if_match).await
    }

    async fn list_origin_access_identities(&self) -> Result<Vec<OaiRecord>> {
        self.list_oais_aws().await
    }
}
