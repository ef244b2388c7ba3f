//! Origin access control in the preview (docs/edge-behavior.md OA-1…OA-11): an origin whose
//! `OriginAccessControlId` names an OAC that signs (`always`, or `no-override` when the viewer
//! sent no `Authorization`) gets each of its requests signed with SigV4 (`aws-sigv4`), as
//! CloudFront signs them, so that a private S3 bucket, Lambda function URL, MediaStore container
//! or MediaPackage v2 endpoint answers the preview as it would answer CloudFront.
//!
//! The OACs come from the caller ([`OriginAccess`]: the window gives the account's, the CLI its
//! `--oac` flags); the credentials from a [`CredentialSource`] that resolves them off the
//! request path (when the preview starts, then before they expire), so a request only reads
//! the credentials in force. Nothing here logs, prints or keeps a secret anywhere but in
//! memory; every `Debug` is redacted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use hyper::header::{self, HeaderName, HeaderValue};
use tokio::sync::watch;

use cfconsole_model::Finding;
use cfconsole_model::origin_kind::{OriginKind, recognize};

use crate::origin_message::OriginRequest;

/// `x-amz-content-sha256`: the payload hash S3 needs on every SigV4 request (OA-6).
pub const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";

/// SHA-256 of no bytes: the payload hash of a request without a body (OA-6).
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The payload hash of a body that is not hashed (OA-6; S3 accepts it).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The region assumed when an origin's domain name does not say one (OA-5).
pub const DEFAULT_REGION: &str = "us-east-1";

/// How long one credential resolution may take before it counts as "none found" (OA-8).
const RESOLVE_LIMIT: Duration = Duration::from_secs(30);

/// Credentials are refreshed this long before they expire (OA-8).
const REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);

/// After a failed resolution, the next try comes this much later (OA-9).
const RETRY: Duration = Duration::from_secs(60);

/// An OAC's `SigningBehavior` (OA-1…OA-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningBehavior {
    /// Sign every origin request, replacing a viewer's `Authorization` (OA-2).
    Always,
    /// Sign only when the viewer sent no `Authorization` (OA-3).
    NoOverride,
    /// Never sign: origin access control is off (OA-1).
    Never,
}

impl SigningBehavior {
    /// Every behavior, in the API's order of mention.
    pub const ALL: [SigningBehavior; 3] = [
        SigningBehavior::Always,
        SigningBehavior::NoOverride,
        SigningBehavior::Never,
    ];

    /// The API's value: `always`, `no-override`, `never`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SigningBehavior::Always => "always",
            SigningBehavior::NoOverride => "no-override",
            SigningBehavior::Never => "never",
        }
    }

    /// Parses the API's value (exactly, as CloudFront takes it).
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| {
                format!("unknown signing behavior {s:?}: expected always, no-override or never")
            })
    }
}

/// An OAC's `OriginAccessControlOriginType` (OA-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OacOriginType {
    S3,
    Lambda,
    Mediastore,
    Mediapackagev2,
}

impl OacOriginType {
    /// Every type, in the API's order of mention.
    pub const ALL: [OacOriginType; 4] = [
        OacOriginType::S3,
        OacOriginType::Mediastore,
        OacOriginType::Mediapackagev2,
        OacOriginType::Lambda,
    ];

    /// The API's value: `s3`, `mediastore`, `mediapackagev2`, `lambda`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OacOriginType::S3 => "s3",
            OacOriginType::Lambda => "lambda",
            OacOriginType::Mediastore => "mediastore",
            OacOriginType::Mediapackagev2 => "mediapackagev2",
        }
    }

    /// Parses the API's value (exactly, as CloudFront takes it).
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown origin type {s:?}: expected s3, lambda, mediastore or mediapackagev2"
                )
            })
    }

    /// spec OA-4: the type an origin's domain name says (a Lambda function URL, a MediaStore
    /// container, a MediaPackage endpoint), S3 otherwise.
    pub fn from_domain(domain: &str) -> Self {
        match recognize(domain) {
            OriginKind::LambdaUrl => OacOriginType::Lambda,
            OriginKind::MediaStore => OacOriginType::Mediastore,
            OriginKind::MediaPackage => OacOriginType::Mediapackagev2,
            _ => OacOriginType::S3,
        }
    }

    /// spec OA-4: the SigV4 service name for this type and domain: `s3` (`s3-object-lambda`
    /// for an S3 Object Lambda access point), `lambda`, `mediastore`, `mediapackagev2`.
    pub fn service(self, domain: &str) -> &'static str {
        match self {
            OacOriginType::S3 if labels(domain).any(|l| l == "s3-object-lambda") => {
                "s3-object-lambda"
            }
            OacOriginType::S3 => "s3",
            OacOriginType::Lambda => "lambda",
            OacOriginType::Mediastore => "mediastore",
            OacOriginType::Mediapackagev2 => "mediapackagev2",
        }
    }
}

/// One OAC as the preview needs it: its signing behavior and origin type (None: the type the
/// origin's domain name says, OA-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OacSigning {
    pub behavior: SigningBehavior,
    pub origin_type: Option<OacOriginType>,
}

impl OacSigning {
    /// Parses the value of `--oac ID=VALUE`: `always|no-override|never[:TYPE]`.
    pub fn parse(value: &str) -> Result<Self, String> {
        let (behavior, origin_type) = match value.split_once(':') {
            Some((b, t)) => (b, Some(OacOriginType::parse(t)?)),
            None => (value, None),
        };
        Ok(Self {
            behavior: SigningBehavior::parse(behavior)?,
            origin_type,
        })
    }
}

/// What the preview knows of origin access control: the OACs by id, and where the credentials
/// that sign come from. Given to [`EdgeConfig::origin_access`](crate::EdgeConfig) and
/// [`EdgeHandle::set_origin_access`](crate::EdgeHandle::set_origin_access).
#[derive(Debug, Clone)]
pub struct OriginAccess {
    /// OAC id → how it signs.
    pub controls: HashMap<String, OacSigning>,
    /// The operator's credentials (shared by every OAC).
    pub credentials: Arc<CredentialSource>,
}

impl OriginAccess {
    pub fn new(controls: HashMap<String, OacSigning>, credentials: Arc<CredentialSource>) -> Self {
        Self {
            controls,
            credentials,
        }
    }
}

/// What a [`CredentialSource`] has found, without the secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialStatus {
    /// Not resolved yet (the first resolution is under way, or has not started).
    Pending,
    /// Credentials are in force.
    Found,
    /// None found: why, in a few words, with where they were looked for.
    Missing(String),
}

/// The credentials in force: an [`Identity`] (cheap to clone) or why there is none.
#[derive(Clone)]
enum Resolved {
    Pending,
    Ready(Identity),
    Missing(Arc<str>),
}

/// The operator's AWS credentials for signing, resolved off the request path (OA-8): a
/// background task asks the provider when the preview starts and again before the credentials
/// expire (a failed try is retried every minute); requests read the credentials in force, and
/// only the first ones wait for the first answer (at most 30 s).
pub struct CredentialSource {
    provider: SharedCredentialsProvider,
    /// Where the credentials are looked for, for messages (never a secret).
    described: String,
    state: watch::Sender<Resolved>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialSource")
            .field("from", &self.described)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl CredentialSource {
    /// Credentials from `provider` (the default chain of `aws-config`, say), described as
    /// `described` in messages ("the default chain, profile dev").
    pub fn new(provider: SharedCredentialsProvider, described: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            provider,
            described: described.into(),
            state: watch::channel(Resolved::Pending).0,
            task: Mutex::new(None),
        })
    }

    /// Fixed credentials (tests, or keys the caller already holds).
    pub fn fixed(credentials: Credentials) -> Arc<Self> {
        Self::new(
            SharedCredentialsProvider::new(credentials),
            "fixed credentials",
        )
    }

    /// Where the credentials are looked for.
    pub fn described(&self) -> &str {
        &self.described
    }

    /// What has been found so far (no secret in it).
    pub fn status(&self) -> CredentialStatus {
        match &*self.state.borrow() {
            Resolved::Pending => CredentialStatus::Pending,
            Resolved::Ready(_) => CredentialStatus::Found,
            Resolved::Missing(why) => CredentialStatus::Missing(why.to_string()),
        }
    }

    /// Starts resolving on `runtime`, unless a resolution task is already alive (one that
    /// ended with its runtime is started again).
    pub fn start(self: &Arc<Self>, runtime: &tokio::runtime::Handle) {
        let mut task = self.task.lock().unwrap_or_else(|e| e.into_inner());
        if task.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        if task.is_some() && matches!(&*self.state.borrow(), Resolved::Ready(_)) {
            // Static credentials: resolved once, nothing to refresh.
            return;
        }
        *task = Some(runtime.spawn(refresh(Arc::downgrade(self))));
    }

    /// Waits until the first resolution has answered (found or not), at most 30 s.
    pub async fn settled(&self) {
        let mut rx = self.state.subscribe();
        let _ = tokio::time::timeout(
            RESOLVE_LIMIT,
            rx.wait_for(|s| !matches!(s, Resolved::Pending)),
        )
        .await;
    }

    /// The identity to sign with, or None (OA-9). Waits only while the first resolution runs.
    async fn current(self: &Arc<Self>) -> Option<Identity> {
        match &*self.state.borrow() {
            Resolved::Ready(i) => return Some(i.clone()),
            Resolved::Missing(_) => return None,
            Resolved::Pending => {}
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            self.start(&rt);
        }
        self.settled().await;
        match &*self.state.borrow() {
            Resolved::Ready(i) => Some(i.clone()),
            _ => None,
        }
    }
}

/// The error and its sources, on one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        let t = x.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = x.source();
    }
    // One line (some providers' messages span several).
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// spec OA-8/OA-9: resolves, then sleeps until the credentials are about to expire (or a
/// minute after a failure) and resolves again; ends when the source is dropped, or after
/// credentials that never expire.
async fn refresh(source: Weak<CredentialSource>) {
    loop {
        let Some(provider) = source.upgrade().map(|s| s.provider.clone()) else {
            return;
        };
        let got = tokio::time::timeout(RESOLVE_LIMIT, provider.provide_credentials()).await;
        let Some(src) = source.upgrade() else {
            return;
        };
        let now = SystemTime::now();
        let failed = |why: String| {
            // A failed refresh keeps credentials that are still valid (OA-8).
            let keep = match &*src.state.borrow() {
                Resolved::Ready(i) => i.expiration().is_some_and(|t| t > now + RETRY),
                _ => false,
            };
            if !keep {
                src.state.send_replace(Resolved::Missing(
                    format!("{}: {why}", src.described).into(),
                ));
            }
            Some(RETRY)
        };
        let wait = match got {
            Ok(Ok(c)) => match c.expiry() {
                Some(t) if t <= now + Duration::from_secs(10) => {
                    failed("the credentials found have expired".into())
                }
                Some(t) => {
                    let left = t.duration_since(now).unwrap_or_default();
                    src.state.send_replace(Resolved::Ready(Identity::from(c)));
                    Some(
                        left.saturating_sub(REFRESH_AHEAD)
                            .max(Duration::from_secs(10)),
                    )
                }
                None => {
                    src.state.send_replace(Resolved::Ready(Identity::from(c)));
                    None
                }
            },
            Ok(Err(e)) => failed(chain(&e)),
            Err(_) => failed(format!("no answer within {} s", RESOLVE_LIMIT.as_secs())),
        };
        drop(src);
        match wait {
            Some(w) => tokio::time::sleep(w).await,
            None => return,
        }
    }
}

/// The labels of a domain name, lower-cased, without a trailing dot.
fn labels(domain: &str) -> impl Iterator<Item = String> + '_ {
    domain
        .trim()
        .trim_end_matches('.')
        .split('.')
        .map(|l| l.to_ascii_lowercase())
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`…: two letters,
/// one or more words, a number.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// spec OA-5: the region an AWS origin's domain name says, or None for a name that says none
/// (not under `amazonaws.com`, `amazonaws.com.cn` or `on.aws`, or a global endpoint other than
/// S3's legacy one). Read from the right, so that a bucket named like a region
/// (`eu-west-1.s3.amazonaws.com`) is not taken for one:
///
/// - `bucket.s3.eu-west-1.amazonaws.com`, `bucket.s3.dualstack.eu-west-1.amazonaws.com`,
///   `ap-123456789012.s3-accesspoint.eu-west-1.amazonaws.com` → `eu-west-1`;
/// - `bucket.s3-eu-west-1.amazonaws.com` (legacy dash form) → `eu-west-1`;
/// - `bucket.s3.amazonaws.com`, `bucket.s3-external-1.amazonaws.com` → `us-east-1`;
/// - `id.lambda-url.eu-west-1.on.aws`, `c.data.mediastore.eu-west-1.amazonaws.com`,
///   `x.egress.y.mediapackagev2.eu-west-1.amazonaws.com` → `eu-west-1`.
pub fn region_of(domain: &str) -> Option<String> {
    let all: Vec<String> = labels(domain).collect();
    let tail = [
        &["amazonaws", "com", "cn"][..],
        &["amazonaws", "com"][..],
        &["on", "aws"][..],
    ]
    .into_iter()
    .find(|t| {
        all.len() > t.len() && all.ends_with(&t.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    })?;
    let names = &all[..all.len() - tail.len()];
    for l in names.iter().rev() {
        if is_region(l) {
            return Some(l.clone());
        }
        if l == "s3" || l == "s3-external-1" {
            // The legacy global endpoint: us-east-1; what is left of it is the bucket.
            return Some(DEFAULT_REGION.into());
        }
        if let Some(rest) = l.strip_prefix("s3-") {
            let rest = rest
                .strip_prefix("website-")
                .or_else(|| rest.strip_prefix("fips-"))
                .unwrap_or(rest);
            return is_region(rest).then(|| rest.to_string());
        }
        if matches!(
            l.as_str(),
            "lambda-url" | "mediastore" | "mediapackagev2" | "mediapackage" | "s3-global"
        ) {
            // A service label with no region to its right.
            return None;
        }
    }
    None
}

/// How one origin's requests are signed (OA-1), prepared with the distribution.
pub struct OriginSigner {
    /// The origin's `OriginAccessControlId`.
    pub oac_id: String,
    /// `Always` or `NoOverride` (an OAC that never signs has no signer).
    pub behavior: SigningBehavior,
    pub origin_type: OacOriginType,
    /// SigV4 service name (OA-4).
    pub service: &'static str,
    /// SigV4 region (OA-5).
    pub region: String,
    pub credentials: Arc<CredentialSource>,
}

impl std::fmt::Debug for OriginSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OriginSigner")
            .field("oac_id", &self.oac_id)
            .field("behavior", &self.behavior)
            .field("service", &self.service)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// How an origin request left [`OriginSigner::sign`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// Signed with the operator's credentials.
    Yes,
    /// spec OA-1: the OAC never signs.
    Off,
    /// spec OA-3: `no-override` and the viewer sent `Authorization`: left as the behavior built
    /// it.
    ViewerAuthorization,
    /// spec OA-9: no credentials: sent unsigned.
    NoCredentials,
    /// The request could not be signed (no Host, a header SigV4 cannot take): sent unsigned.
    Failed,
}

impl OriginSigner {
    /// spec OA-2…OA-7: signs `req` (whose path goes after `origin_path`) in place.
    pub async fn sign(&self, req: &mut OriginRequest, origin_path: &str) -> Signed {
        if self.behavior == SigningBehavior::Never {
            return Signed::Off;
        }
        if self.behavior == SigningBehavior::NoOverride && req.viewer_auth.authorization {
            return Signed::ViewerAuthorization;
        }
        let Some(identity) = self.credentials.current().await else {
            return Signed::NoCredentials;
        };
        self.sign_with(&identity, req, origin_path, SystemTime::now())
    }

    fn sign_with(
        &self,
        identity: &Identity,
        req: &mut OriginRequest,
        origin_path: &str,
        time: SystemTime,
    ) -> Signed {
        let h = &mut req.headers;
        // spec OA-2: a viewer's Authorization is replaced; the signing headers are the signer's.
        for n in [
            header::AUTHORIZATION.as_str(),
            "x-amz-date",
            "x-amz-security-token",
            X_AMZ_CONTENT_SHA256,
        ] {
            h.remove(n);
        }
        if !h.contains_key(header::HOST) {
            return Signed::Failed;
        }
        // spec OA-6: the viewer's payload hash, else that of no body, else an unsigned payload.
        let payload = match req
            .viewer_auth
            .content_sha256
            .as_ref()
            .and_then(|v| v.to_str().ok())
        {
            Some(v) => v.to_string(),
            None if req.body.is_known_empty() => EMPTY_SHA256.to_string(),
            None => UNSIGNED_PAYLOAD.to_string(),
        };
        // spec OA-7: Host and every x-amz-* header are signed.
        let mut signed: Vec<(&str, &str)> = Vec::new();
        for (n, v) in h.iter() {
            if *n == header::HOST || n.as_str().starts_with("x-amz-") {
                let Ok(v) = v.to_str() else {
                    return Signed::Failed;
                };
                signed.push((n.as_str(), v));
            }
        }
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        if self.service.starts_with("s3") {
            // S3 takes the path as sent: encoded once, never normalized.
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        }
        let Ok(params) = v4::SigningParams::builder()
            .identity(identity)
            .region(&self.region)
            .name(self.service)
            .time(time)
            .settings(settings)
            .build()
        else {
            return Signed::Failed;
        };
        let params = params.into();
        let uri = format!("{origin_path}{}", req.path_and_query);
        let method = req.method.as_str().to_string();
        let out = SignableRequest::new(
            &method,
            uri.as_str(),
            signed.into_iter(),
            SignableBody::Precomputed(payload),
        )
        .and_then(|r| sign(r, &params));
        let Ok(out) = out else {
            return Signed::Failed;
        };
        let (instructions, _) = out.into_parts();
        let (headers, _) = instructions.into_parts();
        let mut add = Vec::with_capacity(headers.len());
        for x in &headers {
            let Ok(mut v) = HeaderValue::from_str(x.value()) else {
                return Signed::Failed;
            };
            v.set_sensitive(x.sensitive() || x.name() == "authorization");
            add.push((HeaderName::from_static(x.name()), v));
        }
        let h = &mut req.headers;
        for (n, v) in add {
            h.insert(n, v);
        }
        Signed::Yes
    }
}

/// spec OA-1/OA-10: the signer of one origin, if it has one; an OAC the preview was not given
/// is an error naming the id and the flag, an origin whose region is not in its domain name
/// a warning (OA-5).
#[allow(clippy::too_many_arguments)]
pub(crate) fn for_origin(
    index: usize,
    origin_id: &str,
    domain: &str,
    oac_id: Option<&str>,
    folder: bool,
    access: Option<&OriginAccess>,
    errs: &mut Vec<Finding>,
    warnings: &mut Vec<String>,
) -> Option<Arc<OriginSigner>> {
    let oac_id = oac_id.filter(|s| !s.is_empty())?;
    if folder {
        // A folder origin is local files: nothing to sign (OA-1).
        return None;
    }
    let Some(access) = access else {
        warnings.push(format!(
            "origin {origin_id}: origin access control {oac_id} is not applied (the preview \
             was given no origin access controls); its requests go unsigned"
        ));
        return None;
    };
    let Some(oac) = access.controls.get(oac_id) else {
        errs.push(Finding::error(
            format!("Origins.Items[{index}].OriginAccessControlId"),
            "NoSuchOriginAccessControl",
            format!(
                "origin {origin_id}: no origin access control {oac_id}: give its signing \
                 behavior with --oac {oac_id}=always|no-override|never[:s3|lambda|mediastore|\
                 mediapackagev2]"
            ),
        ));
        return None;
    };
    if oac.behavior == SigningBehavior::Never {
        return None;
    }
    let origin_type = oac
        .origin_type
        .unwrap_or_else(|| OacOriginType::from_domain(domain));
    let region = region_of(domain).unwrap_or_else(|| {
        warnings.push(format!(
            "origin {origin_id}: the region of {domain} is not in its name; origin access \
             control {oac_id} signs for {DEFAULT_REGION}"
        ));
        DEFAULT_REGION.into()
    });
    Some(Arc::new(OriginSigner {
        oac_id: oac_id.to_string(),
        behavior: oac.behavior,
        origin_type,
        service: origin_type.service(domain),
        region,
        credentials: Arc::clone(&access.credentials),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin_message::{OriginBody, ViewerAuth};
    use hyper::{HeaderMap, Method};

    #[test]
    fn oa5_region_from_the_domain_name() {
        let cases = [
            ("bucket.s3.eu-west-1.amazonaws.com", Some("eu-west-1")),
            ("bucket.s3.amazonaws.com", Some("us-east-1")),
            ("Bucket.S3.AmazonAWS.com.", Some("us-east-1")),
            ("eu-west-1.s3.amazonaws.com", Some("us-east-1")),
            (
                "my.bucket.eu-west-2.s3.ap-south-1.amazonaws.com",
                Some("ap-south-1"),
            ),
            ("bucket.s3-eu-west-1.amazonaws.com", Some("eu-west-1")),
            ("bucket.s3-external-1.amazonaws.com", Some("us-east-1")),
            (
                "bucket.s3.dualstack.us-west-2.amazonaws.com",
                Some("us-west-2"),
            ),
            ("bucket.s3.cn-north-1.amazonaws.com.cn", Some("cn-north-1")),
            (
                "bucket.s3.us-gov-west-1.amazonaws.com",
                Some("us-gov-west-1"),
            ),
            (
                "ap-123456789012.s3-accesspoint.eu-central-1.amazonaws.com",
                Some("eu-central-1"),
            ),
            (
                "x--ol-s3.s3-object-lambda.us-west-2.amazonaws.com",
                Some("us-west-2"),
            ),
            ("abcdefg.lambda-url.eu-west-3.on.aws", Some("eu-west-3")),
            (
                "c1.data.mediastore.ap-northeast-1.amazonaws.com",
                Some("ap-northeast-1"),
            ),
            (
                "a.egress.b.mediapackagev2.sa-east-1.amazonaws.com",
                Some("sa-east-1"),
            ),
            ("mrap.accesspoint.s3-global.amazonaws.com", None),
            ("cdn.example.com", None),
            ("amazonaws.com", None),
            ("localhost", None),
        ];
        for (domain, want) in cases {
            assert_eq!(region_of(domain).as_deref(), want, "{domain}");
        }
    }

    #[test]
    fn oa4_service_and_type_from_the_domain_name() {
        let cases = [
            ("bucket.s3.eu-west-1.amazonaws.com", OacOriginType::S3, "s3"),
            (
                "abcdefg.lambda-url.eu-west-3.on.aws",
                OacOriginType::Lambda,
                "lambda",
            ),
            (
                "c1.data.mediastore.ap-northeast-1.amazonaws.com",
                OacOriginType::Mediastore,
                "mediastore",
            ),
            (
                "a.egress.b.mediapackagev2.sa-east-1.amazonaws.com",
                OacOriginType::Mediapackagev2,
                "mediapackagev2",
            ),
            (
                "x--ol-s3.s3-object-lambda.us-west-2.amazonaws.com",
                OacOriginType::S3,
                "s3-object-lambda",
            ),
        ];
        for (domain, t, service) in cases {
            assert_eq!(OacOriginType::from_domain(domain), t, "{domain}");
            assert_eq!(t.service(domain), service, "{domain}");
        }
        // The OAC's type decides the service, whatever the domain.
        assert_eq!(
            OacOriginType::Lambda.service("b.s3.amazonaws.com"),
            "lambda"
        );
    }

    #[test]
    fn oac_flag_values_parse_or_say_what_is_accepted() {
        assert_eq!(
            OacSigning::parse("always").unwrap(),
            OacSigning {
                behavior: SigningBehavior::Always,
                origin_type: None
            }
        );
        assert_eq!(
            OacSigning::parse("no-override:lambda").unwrap(),
            OacSigning {
                behavior: SigningBehavior::NoOverride,
                origin_type: Some(OacOriginType::Lambda)
            }
        );
        let e = OacSigning::parse("sometimes").unwrap_err();
        assert!(e.contains("always, no-override or never"), "{e}");
        let e = OacSigning::parse("always:ec2").unwrap_err();
        assert!(
            e.contains("s3, lambda, mediastore or mediapackagev2"),
            "{e}"
        );
        assert!(
            OacSigning::parse("Always").is_err(),
            "values are exact, as the API's"
        );
    }

    fn signer(behavior: SigningBehavior) -> OriginSigner {
        OriginSigner {
            oac_id: "E2OAC".into(),
            behavior,
            origin_type: OacOriginType::S3,
            service: "s3",
            region: "eu-west-1".into(),
            credentials: CredentialSource::fixed(Credentials::new(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                None,
                None,
                "test",
            )),
        }
    }

    fn request(viewer_authorization: bool, body: OriginBody) -> OriginRequest {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::HOST,
            HeaderValue::from_static("b.s3.eu-west-1.amazonaws.com"),
        );
        headers.insert("x-amz-cf-id", HeaderValue::from_static("abc"));
        if viewer_authorization {
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_static("Basic dXNlcg=="),
            );
        }
        OriginRequest {
            method: Method::GET,
            path_and_query: "/a%20b.txt?x=1".into(),
            headers,
            body,
            viewer_https: false,
            stream_over: None,
            budget: None,
            viewer_auth: ViewerAuth {
                authorization: viewer_authorization,
                content_sha256: None,
            },
        }
    }

    fn auth(req: &OriginRequest) -> &str {
        req.headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[tokio::test]
    async fn oa2_oa3_who_signs_and_what_is_sent() {
        // always: the viewer's Authorization is replaced.
        let mut r = request(true, OriginBody::Empty);
        assert_eq!(
            signer(SigningBehavior::Always).sign(&mut r, "").await,
            Signed::Yes
        );
        let a = auth(&r);
        assert!(
            a.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                && a.contains("/eu-west-1/s3/aws4_request")
                && a.contains("SignedHeaders=host;x-amz-cf-id;x-amz-content-sha256;x-amz-date"),
            "{a}"
        );
        assert!(!a.contains("wJalrX"), "the secret never leaves");
        assert_eq!(r.headers[X_AMZ_CONTENT_SHA256], EMPTY_SHA256);
        assert!(r.headers.contains_key("x-amz-date"));
        // no-override: the viewer's request is left as it is.
        let mut r = request(true, OriginBody::Empty);
        let s = signer(SigningBehavior::NoOverride).sign(&mut r, "").await;
        assert_eq!(s, Signed::ViewerAuthorization);
        assert_eq!(auth(&r), "Basic dXNlcg==");
        assert!(!r.headers.contains_key("x-amz-date"));
        // no-override without one: signed.
        let mut r = request(false, OriginBody::Empty);
        let s = signer(SigningBehavior::NoOverride).sign(&mut r, "").await;
        assert_eq!(s, Signed::Yes);
        assert!(auth(&r).starts_with("AWS4-HMAC-SHA256 "));
    }

    #[tokio::test]
    async fn oa6_the_payload_hash() {
        let mut r = request(false, OriginBody::Full(bytes::Bytes::from_static(b"data")));
        signer(SigningBehavior::Always).sign(&mut r, "").await;
        assert_eq!(r.headers[X_AMZ_CONTENT_SHA256], UNSIGNED_PAYLOAD);
        let mut r = request(false, OriginBody::Full(bytes::Bytes::from_static(b"data")));
        let given = "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7";
        r.viewer_auth.content_sha256 = Some(HeaderValue::from_static(given));
        signer(SigningBehavior::Always).sign(&mut r, "").await;
        assert_eq!(r.headers[X_AMZ_CONTENT_SHA256], given);
    }

    #[tokio::test]
    async fn oa9_no_credentials_sends_unsigned_and_says_why() {
        #[derive(Debug)]
        struct None_;
        impl ProvideCredentials for None_ {
            fn provide_credentials<'a>(
                &'a self,
            ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
            where
                Self: 'a,
            {
                aws_credential_types::provider::future::ProvideCredentials::ready(Err(
                    aws_credential_types::provider::error::CredentialsError::not_loaded(
                        "nothing configured",
                    ),
                ))
            }
        }
        let mut s = signer(SigningBehavior::Always);
        s.credentials = CredentialSource::new(SharedCredentialsProvider::new(None_), "tests");
        let mut r = request(true, OriginBody::Empty);
        assert_eq!(s.sign(&mut r, "").await, Signed::NoCredentials);
        match s.credentials.status() {
            CredentialStatus::Missing(why) => assert!(why.starts_with("tests: "), "{why}"),
            other => panic!("{other:?}"),
        }
        let shown = format!("{:?}", s.credentials);
        assert!(shown.contains("Missing"), "{shown}");
    }

    #[test]
    fn oa1_oa5_oa10_which_origins_sign() {
        let creds = CredentialSource::fixed(Credentials::new("AK", "SK", None, None, "test"));
        let access = |b: SigningBehavior| {
            OriginAccess::new(
                HashMap::from([(
                    "E1".to_string(),
                    OacSigning {
                        behavior: b,
                        origin_type: None,
                    },
                )]),
                creds.clone(),
            )
        };
        let run = |oac: Option<&str>, folder: bool, a: Option<&OriginAccess>, domain: &str| {
            let (mut errs, mut warnings) = (Vec::new(), Vec::new());
            let s = for_origin(0, "o", domain, oac, folder, a, &mut errs, &mut warnings);
            (s, errs, warnings)
        };
        let bucket = "b.s3.ap-south-1.amazonaws.com";
        let always = access(SigningBehavior::Always);
        let (s, e, w) = run(Some("E1"), false, Some(&always), bucket);
        let s = s.expect("signs");
        assert_eq!((s.service, s.region.as_str()), ("s3", "ap-south-1"));
        assert!(e.is_empty() && w.is_empty(), "{e:?} {w:?}");
        // No OAC, an empty id, a folder, a never OAC: no signer, nothing said.
        for (oac, folder, b) in [
            (None, false, SigningBehavior::Always),
            (Some(""), false, SigningBehavior::Always),
            (Some("E1"), true, SigningBehavior::Always),
            (Some("E1"), false, SigningBehavior::Never),
        ] {
            let (s, e, w) = run(oac, folder, Some(&access(b)), bucket);
            assert!(
                s.is_none() && e.is_empty() && w.is_empty(),
                "{oac:?} {folder} {b:?}"
            );
        }
        // OA-10: an OAC the preview was not given refuses, naming the field, id and flag.
        let (s, e, _) = run(Some("E9"), false, Some(&always), bucket);
        assert!(s.is_none());
        assert_eq!(e[0].path, "Origins.Items[0].OriginAccessControlId");
        assert!(
            e[0].to_string()
                .contains("--oac E9=always|no-override|never"),
            "{e:?}"
        );
        // No origin access given at all: unsigned, a warning.
        let (s, e, w) = run(Some("E1"), false, None, bucket);
        assert!(
            s.is_none() && e.is_empty() && w[0].contains("go unsigned"),
            "{w:?}"
        );
        // OA-5: a domain that says no region: us-east-1, a warning.
        let (s, _, w) = run(Some("E1"), false, Some(&always), "cdn.example.com");
        assert_eq!(s.expect("signs").region, DEFAULT_REGION);
        assert!(
            w[0].contains("cdn.example.com") && w[0].contains("us-east-1"),
            "{w:?}"
        );
    }

    #[test]
    fn debug_output_has_no_secret() {
        let s = signer(SigningBehavior::Always);
        let shown = format!("{s:?} {:?}", s.credentials);
        assert!(
            !shown.contains("wJalrX") && !shown.contains("AKIDEXAMPLE"),
            "{shown}"
        );
    }
}
