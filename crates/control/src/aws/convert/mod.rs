//! Conversions between `aws-sdk-cloudfront` types and the model, both directions, in one place.
//!
//! The per-shape functions are generated (`generated.rs`, by `tools/gen_convert.py`) because
//! the model mirrors the API one-to-one: a member the conversion forgot would be a member that
//! publishing deletes. This module holds the few rules that are not mechanical: enum values,
//! timestamps, and the errors for what cannot be converted. The round-trip tests below build a
//! DistributionConfig with every member set and require SDK → model → SDK (and the reverse) to be
//! equal.

use aws_sdk_cloudfront::primitives::{DateTime, DateTimeFormat};
use aws_smithy_types::error::operation::BuildError;

use crate::error::{ControlError, Result};

mod generated;

pub(crate) use generated::*;

/// A builder refused a value: a required member is missing.
pub(crate) fn build_err(shape: &str, e: BuildError) -> ControlError {
    ControlError::Conversion {
        what: shape.into(),
        detail: e.to_string(),
    }
}

/// A required member the SDK left empty.
pub(crate) fn missing(member: &str) -> ControlError {
    ControlError::Conversion {
        what: member.into(),
        detail: "required member missing in CloudFront's answer".into(),
    }
}

/// Parses an enum value the SDK carries as text. A value this build does not know (the SDK's
/// `Unknown` variant) is an error rather than a silent default, so it is never published back
/// changed.
pub(crate) fn enum_from_sdk<T: std::str::FromStr>(value: &str, shape: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e: T::Err| ControlError::Conversion {
        what: shape.into(),
        detail: format!("{e} (a newer CloudFront value this build does not know)"),
    })
}

/// ISO 8601 text (the model's form) to the SDK's timestamp.
pub(crate) fn ts_to_sdk(v: &str) -> Result<DateTime> {
    DateTime::from_str(v, DateTimeFormat::DateTimeWithOffset).map_err(|e| {
        ControlError::Conversion {
            what: format!("timestamp {v:?}"),
            detail: e.to_string(),
        }
    })
}

/// The SDK's timestamp to ISO 8601 text, as the AWS CLI prints it.
pub(crate) fn ts_from_sdk(v: &DateTime) -> Result<String> {
    v.fmt(DateTimeFormat::DateTime)
        .map_err(|e| ControlError::Conversion {
            what: "timestamp".into(),
            detail: e.to_string(),
        })
}

#[cfg(test)]
mod tests;
