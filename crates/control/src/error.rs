//! The control plane's one error type. Each variant is something a person can act on, and its
//! message says what happened and what to do; both backends map their failures onto it so the
//! GUI and the CLI explain a stale ETag or a missing credential the same way everywhere.

use std::path::PathBuf;

/// What went wrong talking to CloudFront or to the local workspace.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The ETag sent with an update or delete is not the current one (HTTP 412).
    #[error(
        "{what} was changed elsewhere since it was loaded (ETag {sent} is stale): reload it, \
         compare with your edits, and apply them again"
    )]
    PreconditionFailed {
        /// What was being changed (`distribution E123`).
        what: String,
        /// The ETag that was sent.
        sent: String,
    },
    /// No such distribution, invalidation or policy.
    #[error("{what} does not exist")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// Delete asked of a distribution that is enabled or still deploying.
    #[error(
        "distribution {id} must be disabled and deployed before it can be deleted: disable it, \
         wait until its status is Deployed, then delete it"
    )]
    DistributionNotDisabled {
        /// The distribution.
        id: String,
    },
    /// Spec I-8: too many paths (3,000) or wildcard paths (15) in progress.
    #[error(
        "too many invalidations in progress for distribution {id}: {detail}; wait for some to \
         complete (the invalidation queue submits the rest automatically)"
    )]
    TooManyInvalidationsInProgress {
        /// The distribution.
        id: String,
        /// Which limit was hit.
        detail: String,
    },
    /// Spec I-11: the CallerReference was used before with different paths.
    #[error(
        "an invalidation with caller reference {caller_reference:?} already exists with other \
         paths: use a new caller reference"
    )]
    InvalidationBatchAlreadyExists {
        /// The reused caller reference.
        caller_reference: String,
    },
    /// An alias is already used by another distribution.
    #[error("an alternate domain name (CNAME) is already used by another distribution: {detail}")]
    CnameAlreadyExists {
        /// CloudFront's message.
        detail: String,
    },
    /// The viewer certificate is rejected (wrong region, no matching name, ...).
    #[error("the viewer certificate is not valid for this distribution: {detail}")]
    InvalidViewerCertificate {
        /// CloudFront's message.
        detail: String,
    },
    /// CloudFront refused the request as malformed or invalid (`InvalidArgument`, ...).
    #[error("CloudFront rejected the request ({code}): {detail}")]
    Rejected {
        /// CloudFront's error code.
        code: String,
        /// CloudFront's message.
        detail: String,
    },
    /// Credentials missing, expired or not allowed to do this.
    #[error(
        "access denied ({detail}) with profile {profile} in region {region}: check the \
         credentials of that profile (`aws sts get-caller-identity --profile {profile}`), or \
         choose another with --profile/--region"
    )]
    AccessDenied {
        /// Which profile was tried (`default` when none was named).
        profile: String,
        /// Which region was tried.
        region: String,
        /// What the SDK or CloudFront said.
        detail: String,
    },
    /// No credentials could be found for the profile.
    #[error(
        "no AWS credentials found for profile {profile} (region {region}): run `aws configure \
         --profile {profile}` or `aws sso login --profile {profile}`, set AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY, or choose another profile with --profile. {detail}"
    )]
    NoCredentials {
        /// Which profile was tried (`default` when none was named).
        profile: String,
        /// Which region was tried.
        region: String,
        /// What the credential chain tried.
        detail: String,
    },
    /// Throttled even after the SDK's retries with backoff.
    #[error(
        "CloudFront is throttling requests ({detail}) even after retries: try again in a minute"
    )]
    Throttling {
        /// CloudFront's message.
        detail: String,
    },
    /// The endpoint could not be reached.
    #[error("cannot reach CloudFront at {endpoint}: {detail}; check the network or --endpoint-url")]
    Network {
        /// The endpoint tried.
        endpoint: String,
        /// What failed.
        detail: String,
    },
    /// A workspace file could not be read as what it should hold; the rest of the workspace is
    /// untouched.
    #[error(
        "{}: {detail}; fix or remove this file (the rest of the workspace is unaffected)",
        path.display()
    )]
    CorruptFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A local file operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A value could not be converted between the SDK and the model (an enum value this build
    /// does not know, a required member missing).
    #[error("cannot convert {what}: {detail}")]
    Conversion {
        /// Which shape or member.
        what: String,
        /// Why.
        detail: String,
    },
    /// Anything else CloudFront answered.
    #[error("CloudFront error: {0}")]
    Other(String),
}

impl ControlError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// True for errors worth trying again later unchanged (throttling, network).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Throttling { .. } | Self::Network { .. })
    }
}

/// Result with [`ControlError`].
pub type Result<T, E = ControlError> = std::result::Result<T, E>;
