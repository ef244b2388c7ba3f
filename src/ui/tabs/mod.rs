//! One module per tab of an open distribution. A tab draws from the draft's configuration and
//! reports edits and commands through [`FormCtx`]; it never touches the backend.

pub mod access;
pub mod access_views;
pub mod behaviors;
pub mod error_pages;
pub mod functions;
pub mod general;
pub mod invalidations;
pub mod logging;
pub mod origins;
pub mod policies;
pub mod preview;
pub mod security;
pub mod sign;
pub mod stores;
pub mod tags;

use std::collections::HashMap;

use cfconsole_control::{DistributionRecord, PolicyKind, PolicyRecord};
use cfconsole_model::DistributionConfig;
use eframe::egui::Ui;

use super::form::FormCtx;
use super::remote::Remote;
use super::state::Tab;

/// What the tabs remember between frames (not persisted).
#[derive(Debug, Default)]
pub struct ViewState {
    /// The expanded origin card.
    pub origin: Option<usize>,
    /// The expanded origin group card.
    pub group: Option<usize>,
    /// The expanded behavior card (`usize::MAX`: the default behavior).
    pub behavior: Option<usize>,
    /// The path in the behaviors tab's tester.
    pub test_path: String,
    /// The country search of the geo restriction.
    pub country_search: String,
    /// The policies tab.
    pub policies: policies::PolicyView,
    /// Unsaved tag edits: (distribution id, tags).
    pub tags: Option<(String, Vec<cfconsole_control::Tag>)>,
    /// Ctrl+F asked for the distribution filter.
    pub focus_filter: bool,
    /// A card was just opened by Add: scroll it into view once.
    pub scroll_to_open: bool,
}

impl ViewState {
    /// Expands the card that holds the field at `path`.
    pub fn expand_for(&mut self, path: &str) {
        let index = |prefix: &str| {
            path.strip_prefix(prefix)
                .and_then(|r| r.split(']').next())
                .and_then(|n| n.parse::<usize>().ok())
        };
        if let Some(i) = index("Origins.Items[") {
            self.origin = Some(i);
        } else if let Some(i) = index("OriginGroups.Items[") {
            self.group = Some(i);
        } else if let Some(i) = index("CacheBehaviors.Items[") {
            self.behavior = Some(i);
        } else if path.starts_with("DefaultCacheBehavior") {
            self.behavior = Some(usize::MAX);
        }
    }
}

/// Draws `tab` for `config`.
pub fn show(
    tab: Tab,
    ui: &mut Ui,
    config: &mut DistributionConfig,
    form: &mut FormCtx<'_>,
    view: &mut ViewState,
    policies: &HashMap<PolicyKind, Remote<Vec<PolicyRecord>>>,
    deployed: Option<&DistributionRecord>,
) {
    match tab {
        Tab::General => general::show(ui, config, form, deployed),
        Tab::Origins => origins::show(ui, config, form, view),
        Tab::Behaviors => behaviors::show(ui, config, form, view, policies),
        Tab::ErrorPages => error_pages::show(ui, config, form),
        Tab::Security => security::show(ui, config, form, view),
        Tab::Logging => logging::show(ui, config, form),
        // Drawn by the app: tags and invalidations are remote values, not part of the draft.
        Tab::Tags | Tab::Invalidations | Tab::Preview => {}
        Tab::Policies => policies::show(ui, config, form, view, policies),
    }
}

/// A combo over an optional enum member: `None` is shown as `unset`.
pub fn opt_words<E: Copy>(
    unset: &'static str,
    words: impl Fn(E) -> String,
) -> impl Fn(Option<E>) -> String {
    move |v| match v {
        Some(e) => words(e),
        None => unset.to_string(),
    }
}

/// `[None, Some(a), Some(b), ...]`.
pub fn with_none<E: Copy>(values: &[E]) -> Vec<Option<E>> {
    std::iter::once(None)
        .chain(values.iter().copied().map(Some))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_path_has_its_tab() {
        for (path, tab) in [
            ("Comment", Tab::General),
            ("Aliases.Items[0]", Tab::General),
            ("WebACLId", Tab::General),
            ("Origins.Items[1].DomainName", Tab::Origins),
            ("OriginGroups.Items[0].Members", Tab::Origins),
            ("DefaultCacheBehavior.MinTTL", Tab::Behaviors),
            ("CacheBehaviors.Items[2].PathPattern", Tab::Behaviors),
            ("CustomErrorResponses.Items[0].ErrorCode", Tab::ErrorPages),
            ("ViewerCertificate.ACMCertificateArn", Tab::Security),
            ("Restrictions.GeoRestriction.Items[0]", Tab::Security),
            ("Logging.Bucket", Tab::Logging),
        ] {
            assert_eq!(Tab::of_path(path), tab, "{path}");
        }
    }

    #[test]
    fn a_finding_expands_its_card() {
        let mut v = ViewState::default();
        v.expand_for("CacheBehaviors.Items[3].PathPattern");
        assert_eq!(v.behavior, Some(3));
        v.expand_for("Origins.Items[12].DomainName");
        assert_eq!(v.origin, Some(12));
        v.expand_for("DefaultCacheBehavior.TargetOriginId");
        assert_eq!(v.behavior, Some(usize::MAX));
    }
}
