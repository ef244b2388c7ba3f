//! cfconsole-control: CloudFront's control plane behind one trait, [`ControlPlane`], with two
//! backends: [`LocalWorkspace`] (a folder on disk that behaves like CloudFront, the embedded
//! default) and [`Aws`] (`aws-sdk-cloudfront`). The GUI and the CLI use only the trait; the
//! poller and the invalidation queue follow work to completion on either backend.

pub mod aws;
pub mod error;
pub mod file;
pub mod functions;
pub mod local;
pub mod plane;
pub mod poll;
pub mod private;
pub mod queue;

pub use aws::{Aws, AwsOptions};
pub use error::{ControlError, Result};
pub use functions::{FunctionRecord, FunctionTest, KvsItems, KvsRecord, Stage};
pub use local::{Clock, LocalWorkspace, ManualClock, SystemClock, Timings};
pub use plane::{
    ControlPlane, DistributionList, DistributionListItem, DistributionRecord, Page, PolicyConfig,
    PolicyKind, PolicyRecord, Tag, Unreadable, check_private_content, check_tags, is_completed,
    is_deployed,
};
pub use private::{
    KeyGroupRecord, OAI_HINT, OacRecord, OaiRecord, PublicKeyRecord, uses_private_content,
};
