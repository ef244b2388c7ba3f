//! cfconsole-model: CloudFront's `DistributionConfig` and the policies a behavior refers to, in
//! the AWS CLI's JSON shape, with everything that reasons about them without I/O: validation,
//! path-pattern matching, invalidation paths, diff and export.
//!
//! The model is pure: no I/O, no UI, no AWS SDK, no async runtime. Every other crate of the
//! workspace stands on it.

#[macro_use]
mod enums;
mod behavior;
pub mod clock;
pub mod describe;
pub mod diff;
pub mod document;
pub mod export;
pub mod finding;
pub mod functions;
pub mod invalidation;
pub mod json;
pub mod list;
pub mod origin_kind;
pub mod pattern;
pub mod policies;
pub mod private;
pub mod quotas;
pub mod shapes;
pub mod templates;
pub mod validate;

pub use behavior::BehaviorView;
pub use clock::{Clock, ManualClock, SystemClock};
pub use describe::{
    countries, country_name, describe_cache_policy, describe_origin_request_policy,
    describe_response_headers_policy, describe_security_policy, human_seconds,
    security_policy_sentence,
};
pub use diff::{Change, ChangeKind};
pub use document::{Document, Form, ParseError};
pub use enums::UnknownValue;
pub use export::{Export, ExportError, ExportFormat, ExportOptions, export};
pub use finding::{Finding, Severity};
pub use functions::{KnownFunction, check_function_associations};
pub use invalidation::InvalidationPath;
pub use list::List;
pub use origin_kind::{OriginKind, apply_defaults, recognize};
pub use pattern::{CompiledBehaviors, PathPattern, PatternError, Selection, select_behavior};
pub use policies::{PolicyKind, PolicySet};
pub use private::{
    KeyGroupConfig, KnownKeyGroup, KnownOac, OacOriginType, OriginAccessControlConfig,
    PublicKeyConfig, SigningBehavior, SigningProtocol, check_private_content_refs,
};
pub use shapes::*;
pub use templates::Template;
pub use validate::{
    ALLOWED_METHOD_SETS, same_method_set, validate, validate_policies, validate_with,
};
