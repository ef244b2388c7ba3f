//! Which backend, and opening it: one flag set, one way to open, one kind of caller reference,
//! shared by the headless commands and the window.
//!
//! The flags are [`BackendArgs`] (`--workspace DIR`, or `--aws [--profile P] [--region R]
//! [--endpoint-url URL]`, and the hidden test timings); they say a [`BackendChoice`], which the
//! window persists by name and [`open`] turns into a control plane.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cfconsole_control::poll::Schedule;
use cfconsole_control::{Aws, AwsOptions, ControlPlane, LocalWorkspace, SystemClock, Timings};
use serde::{Deserialize, Serialize};

/// Which backend to use: what the flags say, and what the window persists (names only, never
/// credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendChoice {
    /// A local workspace; `None` is the platform's default folder.
    Local(Option<PathBuf>),
    /// AWS with a profile, a region and an optional endpoint.
    Aws {
        /// Profile from `~/.aws/config` (`None`: the default chain).
        profile: Option<String>,
        /// Region (`None`: the profile's).
        region: Option<String>,
        /// A CloudFront-compatible endpoint instead of AWS's.
        endpoint_url: Option<String>,
    },
}

impl Default for BackendChoice {
    fn default() -> Self {
        Self::Local(None)
    }
}

impl BackendChoice {
    /// What it is, in a few words (the window's backend button).
    pub fn describe(&self) -> String {
        match self {
            Self::Local(p) => format!(
                "Local workspace ({})",
                p.as_deref()
                    .map(folder_name)
                    .unwrap_or_else(|| "default".into())
            ),
            Self::Aws {
                profile,
                region,
                endpoint_url,
            } => format!(
                "AWS ({}{}{})",
                profile.as_deref().unwrap_or("default profile"),
                region
                    .as_ref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default(),
                endpoint_url
                    .as_ref()
                    .map(|u| format!(", {u}"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// The backend flags, the same for every command and the window.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BackendArgs {
    /// Local workspace folder [default: the platform's data folder; the window: the last
    /// backend used].
    #[arg(long, value_name = "DIR", conflicts_with = "aws")]
    pub workspace: Option<PathBuf>,
    /// Use AWS CloudFront (credentials, profile and region from the standard AWS chain).
    #[arg(long)]
    pub aws: bool,
    /// AWS profile (from ~/.aws/config; with --aws).
    #[arg(long, value_name = "P")]
    pub profile: Option<String>,
    /// AWS region (CloudFront is global; used for signing and credentials; with --aws).
    #[arg(long, value_name = "R")]
    pub region: Option<String>,
    /// A CloudFront-compatible endpoint instead of AWS's (with --aws).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Local workspace: how long deployments and invalidations take, in milliseconds.
    #[arg(long, hide = true, value_name = "MS")]
    pub local_delay_ms: Option<u64>,
    /// How often to check on work in progress, in milliseconds [default: 5 s growing to 60 s].
    #[arg(long, hide = true, value_name = "MS")]
    pub poll_ms: Option<u64>,
}

impl BackendArgs {
    /// The backend the flags name, or `None` when they name none (`--workspace` and `--aws`
    /// both absent). `--profile`, `--region` and `--endpoint-url` without `--aws` are refused
    /// here rather than with clap's `requires`, which a flag's implicit `false` satisfies.
    pub fn choice(&self) -> Result<Option<BackendChoice>, String> {
        if !self.aws
            && (self.profile.is_some() || self.region.is_some() || self.endpoint_url.is_some())
        {
            return Err(
                "--profile, --region and --endpoint-url choose how to reach AWS: add --aws".into(),
            );
        }
        Ok(if self.aws {
            Some(BackendChoice::Aws {
                profile: self.profile.clone(),
                region: self.region.clone(),
                endpoint_url: self.endpoint_url.clone(),
            })
        } else {
            self.workspace
                .clone()
                .map(|p| BackendChoice::Local(Some(p)))
        })
    }

    /// The local workspace's timings (`--local-delay-ms`), if given.
    pub fn timings(&self) -> Option<Timings> {
        self.local_delay_ms.map(|ms| Timings {
            deployment: Duration::from_millis(ms),
            invalidation: Duration::from_millis(ms),
        })
    }

    /// How often work in progress is checked (`--poll-ms`, else the default).
    pub fn schedule(&self) -> Schedule {
        match self.poll_ms {
            Some(ms) => Schedule {
                initial: Duration::from_millis(ms),
                max: Duration::from_millis(ms),
                factor: 1.0,
            },
            None => Schedule::default(),
        }
    }
}

/// A connected backend.
#[derive(Clone)]
pub struct Backend {
    /// The control plane.
    pub plane: Arc<dyn ControlPlane>,
    /// What it is, for the status bar.
    pub label: String,
    /// A stable key (the window keeps drafts per backend).
    pub key: String,
}

impl Backend {
    /// The local workspace folder, when that is what this is.
    pub fn workspace(&self) -> Option<PathBuf> {
        self.key.strip_prefix("local:").map(PathBuf::from)
    }
}

/// Opens a backend. A local workspace is opened (and seeded on first use) on a blocking
/// thread; AWS reads the standard credential chain, which is never logged or kept.
pub async fn open(choice: BackendChoice, timings: Option<Timings>) -> Result<Backend, String> {
    match choice {
        BackendChoice::Local(path) => {
            let root = match path {
                Some(p) => p,
                None => LocalWorkspace::default_root().ok_or(
                    "there is no home folder for the default workspace: choose a folder \
                     (--workspace DIR)",
                )?,
            };
            let key = format!("local:{}", root.display());
            let label = format!("Local workspace: {}", folder_name(&root));
            let ws = tokio::task::spawn_blocking(move || {
                LocalWorkspace::open_with(root, Arc::new(SystemClock), timings.unwrap_or_default())
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            Ok(Backend {
                plane: Arc::new(ws),
                label,
                key,
            })
        }
        BackendChoice::Aws {
            profile,
            region,
            endpoint_url,
        } => {
            let key = format!(
                "aws:{}:{}",
                profile.as_deref().unwrap_or("default"),
                endpoint_url.as_deref().unwrap_or("aws")
            );
            let aws = Aws::connect(AwsOptions {
                profile,
                region,
                endpoint_url,
            })
            .await;
            let label = aws.describe();
            Ok(Backend {
                plane: Arc::new(aws),
                label,
                key,
            })
        }
    }
}

/// A fresh caller reference for a create or an invalidation (the time in nanoseconds), the
/// same from the window and the CLI. CloudFront refuses a reused one with a different request.
pub fn caller_reference() -> String {
    let ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("cfconsole-{ns}")
}

/// A folder's last component, for labels (the whole path is in the backend dialog).
pub fn folder_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_details_without_aws_are_refused_and_no_flag_names_no_backend() {
        let args = BackendArgs {
            profile: Some("prod".into()),
            ..Default::default()
        };
        assert!(args.choice().unwrap_err().contains("add --aws"));
        assert_eq!(BackendArgs::default().choice(), Ok(None));
        let args = BackendArgs {
            aws: true,
            region: Some("eu-west-1".into()),
            ..Default::default()
        };
        assert_eq!(
            args.choice(),
            Ok(Some(BackendChoice::Aws {
                profile: None,
                region: Some("eu-west-1".into()),
                endpoint_url: None
            }))
        );
    }

    #[test]
    fn caller_references_are_the_consoles() {
        assert!(caller_reference().starts_with("cfconsole-"));
    }
}
