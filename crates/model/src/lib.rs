//! cfconsole-model: CloudFront's `DistributionConfig` and the policies a behavior refers to, in
//! the AWS CLI's JSON shape, with everything that reasons about them without I/O: validation,
//! path-pattern matching, invalidation paths, diff and export.
//!
//! The model is pure: no I/O, no UI, no AWS SDK, no async runtime. Every other crate of the
//! workspace stands on it.

#[macro_use]
mod enums;
pub mod document;
pub mod export;
pub mod finding;
pub mod list;
pub mod shapes;

pub use document::{Document, Form, ParseError};
pub use enums::UnknownValue;
pub use export::{Export, ExportFormat, ExportOptions, export};
pub use finding::{Finding, Severity};
pub use list::List;
pub use shapes::*;
