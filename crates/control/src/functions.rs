//! CloudFront Functions and key value stores on the control plane: the records both backends
//! answer with, and the limits they hold requests to. The trait methods are on
//! [`ControlPlane`](crate::ControlPlane); the data plane of a store (its items) is addressed by
//! the store's ARN, as `cloudfront-keyvaluestore` is, and has its own ETag.

use std::fmt;

use cfconsole_functions::Runtime;
use cfconsole_functions::kvs::Items;

use crate::error::{ControlError, Result};

/// Functions per account (Developer Guide, *Quotas*).
pub const FUNCTIONS_PER_ACCOUNT: usize = 100;
/// Key value stores per account (adjustable on AWS; the default).
pub const STORES_PER_ACCOUNT: usize = 50;
/// Functions one store can be associated with.
pub const FUNCTIONS_PER_STORE: usize = 10;
/// Keys one data-plane UpdateKeys request may put or delete.
pub const MAX_KEYS_PER_UPDATE: usize = 50;
/// Bytes of keys and values one UpdateKeys request may carry (3 MB).
pub const MAX_UPDATE_BYTES: usize = 3 * 1024 * 1024;

/// A function's stage: the code being edited, or the published code distributions run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Stage {
    /// Where create and update write; only tests run it.
    #[default]
    Development,
    /// What PublishFunction copied from DEVELOPMENT; what cache behaviors run.
    Live,
}

impl Stage {
    /// CloudFront's name: `DEVELOPMENT` or `LIVE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Development => "DEVELOPMENT",
            Stage::Live => "LIVE",
        }
    }

    /// Parses CloudFront's name (case-insensitively), or says what is accepted.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_uppercase().as_str() {
            "DEVELOPMENT" => Ok(Stage::Development),
            "LIVE" => Ok(Stage::Live),
            _ => Err(format!("unknown stage {s:?}: use DEVELOPMENT or LIVE")),
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A function at one stage (CloudFront's `FunctionSummary`) with that stage's ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRecord {
    pub name: String,
    pub comment: String,
    pub runtime: Runtime,
    /// The associated key value store (at most one per function).
    pub kvs_arn: Option<String>,
    pub stage: Stage,
    /// `UNPUBLISHED` (DEVELOPMENT differs from LIVE, or was never published), `UNASSOCIATED`
    /// (published, used by no cache behavior) or `DEPLOYED` (published and associated).
    pub status: String,
    /// `arn:aws:cloudfront::ACCOUNT:function/NAME`.
    pub arn: String,
    /// The ETag of this stage: what update, publish, test and delete send back as If-Match.
    pub etag: String,
    /// ISO 8601.
    pub created: String,
    /// ISO 8601.
    pub modified: String,
}

/// What TestFunction answered (`TestResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionTest {
    /// 0-100: the run time as a share of the maximum allowed.
    pub compute_utilization: u32,
    /// `console.log` lines.
    pub logs: Vec<String>,
    /// The function's error, with its line when known; `None` when it ran.
    pub error: Option<String>,
    /// `FunctionOutput`: `{"request": ...}` or `{"response": ...}` as JSON text; empty on error.
    pub output: String,
}

/// A key value store (the control plane's `KeyValueStore`) with its control-plane ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvsRecord {
    pub name: String,
    /// A UUID.
    pub id: String,
    /// `arn:aws:cloudfront::ACCOUNT:key-value-store/ID`: what the data plane and function
    /// associations name it by.
    pub arn: String,
    pub comment: String,
    /// `PROVISIONING`, `READY` or `IMPORT_FAILED`.
    pub status: String,
    /// ISO 8601.
    pub modified: String,
    /// For update and delete (If-Match); not the data-plane ETag.
    pub etag: String,
}

/// A store's items with the data-plane ETag that writes must send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvsItems {
    pub items: Items,
    /// The data-plane ETag (not interchangeable with [`KvsRecord::etag`]).
    pub etag: String,
}

/// One UpdateKeys request: the items to put and the keys to delete.
pub type UpdateBatch = (Vec<(String, String)>, Vec<String>);

/// Splits puts and deletes into UpdateKeys requests within [`MAX_KEYS_PER_UPDATE`] keys and
/// [`MAX_UPDATE_BYTES`] bytes each, deletes first, in order.
pub fn update_batches(puts: &[(String, String)], deletes: &[String]) -> Vec<UpdateBatch> {
    let mut out = Vec::new();
    let mut cur: UpdateBatch = (Vec::new(), Vec::new());
    let mut bytes = 0;
    let full = |cur: &UpdateBatch, bytes: usize, more: usize| {
        let n = cur.0.len() + cur.1.len();
        n > 0 && (n >= MAX_KEYS_PER_UPDATE || bytes + more > MAX_UPDATE_BYTES)
    };
    for k in deletes {
        if full(&cur, bytes, k.len()) {
            out.push(std::mem::take(&mut cur));
            bytes = 0;
        }
        bytes += k.len();
        cur.1.push(k.clone());
    }
    for (k, v) in puts {
        let more = k.len() + v.len();
        if full(&cur, bytes, more) {
            out.push(std::mem::take(&mut cur));
            bytes = 0;
        }
        bytes += more;
        cur.0.push((k.clone(), v.clone()));
    }
    if !cur.0.is_empty() || !cur.1.is_empty() {
        out.push(cur);
    }
    out
}

/// Refuses one UpdateKeys request over the limits (`ValidationException`), saying how to split.
pub fn check_update(puts: &[(String, String)], deletes: &[String]) -> Result<()> {
    let n = puts.len() + deletes.len();
    let bytes: usize = puts.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
        + deletes.iter().map(String::len).sum::<usize>();
    if n > MAX_KEYS_PER_UPDATE || bytes > MAX_UPDATE_BYTES {
        return Err(ControlError::Rejected {
            code: "ValidationException".into(),
            detail: format!(
                "{n} keys and {bytes} bytes in one update; a request takes at most \
                 {MAX_KEYS_PER_UPDATE} keys and {MAX_UPDATE_BYTES} bytes (3 MB): split it \
                 (cfconsole kvs import does)"
            ),
        });
    }
    Ok(())
}

/// The name in an ARN `arn:aws:cloudfront::ACCOUNT:function/NAME`; the name itself when it is
/// not an ARN.
pub fn function_name(name_or_arn: &str) -> &str {
    cfconsole_model::functions::function_name(name_or_arn).unwrap_or(name_or_arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_parse_and_print_as_cloudfront_names_them() {
        assert_eq!(Stage::parse("live"), Ok(Stage::Live));
        assert_eq!(Stage::parse("DEVELOPMENT"), Ok(Stage::Development));
        assert!(
            Stage::parse("prod")
                .unwrap_err()
                .contains("DEVELOPMENT or LIVE")
        );
        assert_eq!(Stage::Live.to_string(), "LIVE");
    }

    #[test]
    fn updates_are_split_into_requests_within_the_limits() {
        let puts: Vec<(String, String)> = (0..120).map(|i| (format!("k{i}"), "v".into())).collect();
        let dels = vec!["gone".to_string()];
        let batches = update_batches(&puts, &dels);
        assert_eq!(batches.len(), 3);
        assert_eq!(batches[0].1, dels);
        assert_eq!(batches[0].0.len(), 49);
        assert!(batches.iter().all(|(p, d)| p.len() + d.len() <= 50));
        assert_eq!(batches.iter().map(|b| b.0.len()).sum::<usize>(), 120);
        for (p, d) in &batches {
            check_update(p, d).unwrap();
        }
        let big: Vec<(String, String)> = (0..8)
            .map(|i| (format!("k{i}"), "v".repeat(1_000_000)))
            .collect();
        assert_eq!(update_batches(&big, &[]).len(), 3, "3 MB per request");
        let e = check_update(&puts, &[]).unwrap_err().to_string();
        assert!(e.contains("120 keys") && e.contains("at most 50"), "{e}");
        assert!(update_batches(&[], &[]).is_empty());
    }
}
