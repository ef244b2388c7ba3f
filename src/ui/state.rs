//! Where the operator is: the persisted [`State`] (backend, open distribution, tab, recent
//! places) and the [`Tab`]s of an open distribution. Names only, never credentials or custom
//! header values.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::backend::BackendChoice;

/// What survives a restart (eframe storage). Never credentials or custom header values.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// The backend last used.
    pub backend: BackendChoice,
    /// The distribution last open.
    pub selected: Option<String>,
    /// The tab last open.
    pub tab: Tab,
    /// Workspaces opened before, newest first.
    pub recent_workspaces: Vec<PathBuf>,
    /// AWS profiles used before, newest first.
    pub recent_profiles: Vec<String>,
    /// The page of the left-hand navigation last open.
    pub page: Page,
}

/// The pages of the left-hand navigation, as in the CloudFront console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Page {
    /// The distributions and the open one's tabs (policies are a tab of it).
    #[default]
    Distributions,
    /// CloudFront Functions.
    Functions,
    /// Key value stores.
    KeyValueStores,
    /// Public keys (signed URLs and cookies).
    PublicKeys,
    /// Key groups.
    KeyGroups,
    /// Origin access controls (and the legacy identities).
    OriginAccess,
}

impl Page {
    /// Every page, in the navigation's order.
    pub const ALL: [Page; 6] = [
        Page::Distributions,
        Page::Functions,
        Page::KeyValueStores,
        Page::PublicKeys,
        Page::KeyGroups,
        Page::OriginAccess,
    ];

    /// The page's name in the navigation.
    pub fn label(self) -> &'static str {
        match self {
            Page::Distributions => "Distributions",
            Page::Functions => "Functions",
            Page::KeyValueStores => "Key value stores",
            Page::PublicKeys => "Public keys",
            Page::KeyGroups => "Key groups",
            Page::OriginAccess => "Origin access",
        }
    }
}

/// The tabs of an open distribution, in the console's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Tab {
    /// Comment, enabled, price class, aliases, root object, HTTP versions, IPv6, WAF.
    #[default]
    General,
    /// Origins and origin groups.
    Origins,
    /// Cache behaviors, in order.
    Behaviors,
    /// Custom error responses.
    ErrorPages,
    /// Viewer certificate, TLS policy, geo restriction.
    Security,
    /// Standard logging.
    Logging,
    /// Resource tags (saved at once, not part of the configuration).
    Tags,
    /// Cache, origin request and response headers policies.
    Policies,
    /// Invalidations of the deployed distribution (not part of the draft).
    Invalidations,
    /// The preview edge server on the draft.
    Preview,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 10] = [
        Tab::General,
        Tab::Origins,
        Tab::Behaviors,
        Tab::ErrorPages,
        Tab::Security,
        Tab::Logging,
        Tab::Tags,
        Tab::Policies,
        Tab::Invalidations,
        Tab::Preview,
    ];

    /// The tab that edits the field at `path` (`CacheBehaviors.Items[2].PathPattern`).
    pub fn of_path(path: &str) -> Tab {
        let head = path.split(['.', '[']).next().unwrap_or(path);
        match head {
            "Origins" | "OriginGroups" => Tab::Origins,
            "DefaultCacheBehavior" | "CacheBehaviors" => Tab::Behaviors,
            "CustomErrorResponses" => Tab::ErrorPages,
            "ViewerCertificate" | "Restrictions" | "ViewerMtlsConfig" => Tab::Security,
            "Logging" => Tab::Logging,
            _ => Tab::General,
        }
    }
}

impl std::fmt::Display for Tab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tab::General => "General",
            Tab::Origins => "Origins",
            Tab::Behaviors => "Behaviors",
            Tab::ErrorPages => "Error pages",
            Tab::Security => "Security",
            Tab::Logging => "Logging",
            Tab::Tags => "Tags",
            Tab::Policies => "Policies",
            Tab::Invalidations => "Invalidations",
            Tab::Preview => "Preview",
        })
    }
}
