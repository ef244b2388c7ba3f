//! What a view asks the app to do. Views never call the backend or change what the app holds
//! beyond the draft they draw: they push a [`Command`] into the [`Commands`] sink their context
//! carries, and the app runs the commands after the frame is drawn.

use cfconsole_control::{PolicyConfig, PolicyKind, Tag};
use cfconsole_model::{DistributionConfig, ExportFormat};

use crate::backend::BackendChoice;

/// What views ask the app to do; applied after the frame is drawn.
#[derive(Debug, Clone)]
pub enum Command {
    /// Open a distribution.
    Select(String),
    /// Reload the list (and the open distribution).
    Refresh,
    /// Open the Review changes dialog.
    Review,
    /// Publish the open draft.
    Publish,
    /// Throw the open draft away.
    Discard,
    /// Undo / redo in the open draft.
    Undo,
    /// Redo.
    Redo,
    /// Write the open draft to disk now.
    SaveNow,
    /// Go to the field a finding names.
    Focus(String),
    /// Open the New distribution dialog.
    NewDialog,
    /// Create a distribution from a configuration.
    Create(Box<DistributionConfig>),
    /// Duplicate the open distribution.
    Duplicate,
    /// Disable, wait for Deployed, delete.
    Delete(String),
    /// Replace the draft with a file's configuration.
    Import,
    /// Write the draft in a format.
    Export(ExportFormat, bool),
    /// Use this backend.
    Connect(BackendChoice),
    /// Pick a workspace folder with a native dialog, then connect to it.
    ChooseWorkspace,
    /// Restore the saved draft offered for a distribution.
    RestoreDraft,
    /// Drop the saved draft offered.
    DropSavedDraft,
    /// Conflict dialog: re-apply the draft's edits on the server's configuration.
    Reapply,
    /// Read a distribution's tags.
    LoadTags(String),
    /// Replace a distribution's tags.
    SaveTags(String, Vec<Tag>),
    /// Load the custom policies of a kind.
    LoadPolicies(PolicyKind),
    /// Invalidations tab: submit the paths in its editor.
    SubmitInvalidation,
    /// Invalidations tab: read the open distribution's history again.
    RefreshInvalidations,
    /// Invalidations tab: read one invalidation's paths.
    InvalidationDetails(String),
    /// Preview tab: start (or restart) the preview of the open draft.
    PreviewStart,
    /// Preview tab: stop the preview.
    PreviewStop,
    /// Preview tab: choose the folder an origin is served from (a native dialog).
    PreviewChooseFolder(String),
    /// Preview tab: send the request tester's request.
    PreviewSend,
    /// Preview tab: invalidate the objects selected in its cache browser.
    PreviewInvalidateSelected,
    /// Open a CloudFront Function on the Functions page (the Behaviors tab's "Open function").
    OpenFunction(String),
    /// Open the Origin access page on a new OAC with this name and origin type.
    NewOriginAccessControl(String, cfconsole_model::private::OacOriginType),
    /// Create or update a custom policy.
    SavePolicy(Option<(String, String)>, Box<PolicyConfig>),
}

/// The one sink views push commands into, carried in every view's context.
#[derive(Debug, Default)]
pub struct Commands(Vec<Command>);

impl Commands {
    /// Asks the app to do `c` after this frame.
    pub fn push(&mut self, c: Command) {
        self.0.push(c);
    }

    /// The commands pushed so far, in order, leaving the sink empty.
    pub fn take(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.0)
    }

    /// True when nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
