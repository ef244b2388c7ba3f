//! The operator's AWS credentials for the preview's origin access control (docs/edge-behavior.md
//! OA-8): `aws-config`'s default chain (environment variables, then the shared config and
//! credentials files with `AWS_PROFILE` or the given profile, SSO, `credential_process`, web
//! identity, the container and instance metadata endpoints), wrapped in the edge's
//! [`CredentialSource`], which resolves them off the request path and refreshes them before
//! they expire. The CLI and the window use the same one. Nothing here prints or keeps a secret.

use std::sync::Arc;

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use cfconsole_edge::oac::CredentialSource;

/// The default chain for `profile` (None: `AWS_PROFILE`, else `default`), built anew at each
/// resolution, so credentials added while the preview runs are found on the next try.
#[derive(Debug)]
struct DefaultChain {
    profile: Option<String>,
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let mut b = DefaultCredentialsChain::builder();
            if let Some(p) = &self.profile {
                b = b.profile_name(p);
            }
            b.build().await.provide_credentials().await
        })
    }
}

/// The credential source of the preview's origin access control: the default chain, with
/// `profile` when one is given (the window's AWS profile).
pub fn default_chain(profile: Option<String>) -> Arc<CredentialSource> {
    let described = match &profile {
        Some(p) => format!("the default AWS credential chain, profile {p}"),
        None => match std::env::var("AWS_PROFILE") {
            Ok(p) if !p.is_empty() => format!("the default AWS credential chain, profile {p}"),
            _ => "the default AWS credential chain".to_string(),
        },
    };
    CredentialSource::new(
        SharedCredentialsProvider::new(DefaultChain { profile }),
        described,
    )
}
