//! Reading and writing a distribution document in every shape the AWS CLI prints or accepts.
//!
//! Three forms occur: a bare `DistributionConfig` (what `create-distribution
//! --distribution-config file://…` takes), `{"ETag", "DistributionConfig"}`
//! (`get-distribution-config`)
//! and `{"ETag", "Distribution": {…, "DistributionConfig"}}` (`get-distribution`, and with
//! `Location` `create-distribution`). A document remembers its form, ETag and distribution
//! metadata, so writing it back gives the input again.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::shapes::{Distribution, DistributionConfig};

/// Which of the CLI's shapes a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A bare `DistributionConfig` object.
    Bare,
    /// `{"ETag", "DistributionConfig"}`, as `aws cloudfront get-distribution-config` prints it.
    GetDistributionConfig,
    /// `{"ETag", "Distribution"}` (`get-distribution`) or with `Location` (`create-distribution`).
    GetDistribution,
}

/// A distribution configuration with what came around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The configuration itself.
    pub config: DistributionConfig,
    /// The ETag (the value `update-distribution --if-match` needs), when the input had one.
    pub etag: Option<String>,
    /// The distribution's metadata (Id, ARN, Status, DomainName, …) from a `get-distribution`
    /// document. Its `distribution_config` is left default: `config` is the one in force.
    pub distribution: Option<Distribution>,
    /// `Location` from `create-distribution` output.
    pub location: Option<String>,
    /// The form the document was read in, and is written back in.
    pub form: Form,
}

/// Why a document could not be read. `path` is relative to the `DistributionConfig`
/// (`Origins.Items[0].OriginPath`), or names the wrapper member for wrapper errors.
///
/// `path` and `message` are the first error in the document; a document with several wrong
/// members (ten booleans written as strings) has the others in `further`, in the order they were
/// found, so one read reports them all. Display writes one line per error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// Where in the document (empty for the whole document).
    pub path: String,
    /// What is wrong and what would be accepted.
    pub message: String,
    /// The errors found after the first (each with an empty `further`); empty for one error.
    pub further: Vec<ParseError>,
}

/// At most this many errors are reported for one document.
pub const MAX_PARSE_ERRORS: usize = 100;

impl ParseError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            further: Vec::new(),
        }
    }

    /// How many errors: 1 plus the further ones.
    pub fn count(&self) -> usize {
        1 + self.further.len()
    }

    /// Every error as `(path, message)`, the first one first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        std::iter::once((self.path.as_str(), self.message.as_str())).chain(
            self.further
                .iter()
                .map(|e| (e.path.as_str(), e.message.as_str())),
        )
    }
}

impl std::fmt::Display for ParseError {
    /// `PATH: MESSAGE` (just `MESSAGE` for the whole document), one line per error.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (path, message)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            if !path.is_empty() {
                write!(f, "{path}: ")?;
            }
            f.write_str(message)?;
        }
        if self.count() >= MAX_PARSE_ERRORS {
            write!(f, "\n(stopped after {MAX_PARSE_ERRORS} errors)")?;
        }
        Ok(())
    }
}

impl Document {
    /// A bare document around `config`.
    pub fn new(config: DistributionConfig) -> Self {
        Self {
            config,
            etag: None,
            distribution: None,
            location: None,
            form: Form::Bare,
        }
    }

    /// Reads a document from JSON text in any of the three forms.
    pub fn from_json(text: &str) -> Result<Self, ParseError> {
        if let Some(bom) = crate::json::bom(text) {
            return Err(ParseError::new("", bom));
        }
        let value = crate::json::parse(text)
            .map_err(|e| ParseError::new(e.duplicate.clone().unwrap_or_default(), e.to_string()))?;
        Self::from_value(value)
    }

    /// Reads a document from a parsed JSON value in any of the three forms.
    pub fn from_value(value: Value) -> Result<Self, ParseError> {
        let Value::Object(mut top) = value else {
            return Err(ParseError::new(
                "",
                "expected a JSON object: a DistributionConfig, or the output of \
                 `aws cloudfront get-distribution-config` or `get-distribution`",
            ));
        };
        if top.contains_key("Distribution") {
            check_wrapper_keys(&top, &["ETag", "Distribution", "Location"])?;
            let etag = take_string(&mut top, "ETag")?;
            let location = take_string(&mut top, "Location")?;
            let Some(Value::Object(mut dist)) = top.remove("Distribution") else {
                return Err(ParseError::new("Distribution", "expected an object"));
            };
            let Some(cfg) = dist.remove("DistributionConfig") else {
                return Err(ParseError::new(
                    "Distribution.DistributionConfig",
                    "missing: a Distribution must contain its DistributionConfig",
                ));
            };
            let config = parse_config(cfg)?;
            // Put a placeholder config back so the metadata parses with the generated type.
            dist.insert(
                "DistributionConfig".into(),
                serde_json::to_value(DistributionConfig::default()).expect("serializable"),
            );
            let distribution: Distribution = parse_shape(Value::Object(dist), "Distribution")?;
            Ok(Self {
                config,
                etag,
                distribution: Some(distribution),
                location,
                form: Form::GetDistribution,
            })
        } else if top.contains_key("DistributionConfig") {
            check_wrapper_keys(&top, &["ETag", "DistributionConfig"])?;
            let etag = take_string(&mut top, "ETag")?;
            let config = parse_config(top.remove("DistributionConfig").expect("checked"))?;
            Ok(Self {
                config,
                etag,
                distribution: None,
                location: None,
                form: Form::GetDistributionConfig,
            })
        } else {
            Ok(Self::new(parse_config(Value::Object(top))?))
        }
    }

    /// The document as a JSON value in the form it was read in.
    pub fn to_value(&self) -> Value {
        self.to_value_as(self.form)
    }

    /// The document as a JSON value in the given form.
    pub fn to_value_as(&self, form: Form) -> Value {
        let config = to_value(&self.config);
        let mut top = Map::new();
        match form {
            Form::Bare => return config,
            Form::GetDistributionConfig => {
                if let Some(etag) = &self.etag {
                    top.insert("ETag".into(), Value::String(etag.clone()));
                }
                top.insert("DistributionConfig".into(), config);
            }
            Form::GetDistribution => {
                if let Some(location) = &self.location {
                    top.insert("Location".into(), Value::String(location.clone()));
                }
                if let Some(etag) = &self.etag {
                    top.insert("ETag".into(), Value::String(etag.clone()));
                }
                let mut dist = match self.distribution.as_ref().map(to_value) {
                    Some(Value::Object(d)) => d,
                    _ => Map::new(),
                };
                dist.insert("DistributionConfig".into(), config);
                top.insert("Distribution".into(), Value::Object(dist));
            }
        }
        Value::Object(top)
    }

    /// Pretty JSON in the form the document was read in (two-space indent, like the AWS CLI).
    pub fn to_json_pretty(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_value()).expect("serializable");
        s.push('\n');
        s
    }

    /// The distribution's id, when the document carries one.
    pub fn id(&self) -> Option<&str> {
        self.distribution.as_ref().map(|d| d.id.as_str())
    }

    /// The distribution's domain name (`d111111abcdef8.cloudfront.net`), when known.
    pub fn domain_name(&self) -> Option<&str> {
        self.distribution.as_ref().map(|d| d.domain_name.as_str())
    }

    /// The deployment status (`InProgress`, `Deployed`), when known.
    pub fn status(&self) -> Option<&str> {
        self.distribution.as_ref().map(|d| d.status.as_str())
    }
}

/// Parses a bare `DistributionConfig` value, with the failing member's path in the error.
pub fn parse_config(value: Value) -> Result<DistributionConfig, ParseError> {
    parse_shape(value, "")
}

/// Parses any model shape found at `base` (a field path, empty for the root). The error's path
/// is `base` joined with the failing member's path, and its message is the operator's wording
/// (unknown member with a suggestion, missing member, accepted enum values).
///
/// Every error is reported, not only the first (up to [`MAX_PARSE_ERRORS`]): after an error the
/// value is repaired where it was found (an unknown member removed, a wrong value replaced by
/// one of the expected type, a missing member filled in) and parsed again, until it parses or
/// an error cannot be repaired. What the repairs put in is never reported itself.
pub fn parse_shape<T: DeserializeOwned>(mut value: Value, base: &str) -> Result<T, ParseError> {
    let mut errors: Vec<ParseError> = Vec::new();
    // Where a placeholder was put: errors there come from the repair, not the document.
    let mut filled: Vec<Vec<Seg>> = Vec::new();
    // Each repair changes the value, and placeholders can nest; bound the work all the same.
    for _ in 0..MAX_PARSE_ERRORS * 4 {
        let e = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(v) if errors.is_empty() => return Ok(v),
            Ok(_) => break,
            Err(e) => e,
        };
        let segs = segments(e.path());
        let msg = e.inner().to_string();
        let from_repair = segs
            .as_ref()
            .is_some_and(|s| filled.iter().any(|f| s.starts_with(f)));
        if !from_repair {
            let inner = e.path().to_string();
            let path = match (base.is_empty(), inner == ".") {
                (_, true) => base.to_string(),
                (true, false) => inner,
                (false, false) => format!("{base}.{inner}"),
            };
            errors.push(ParseError::new(path, explain(&msg)));
            if errors.len() >= MAX_PARSE_ERRORS {
                break;
            }
        }
        let Some(segs) = segs else { break };
        match repair(&mut value, &segs, &msg) {
            Some(Some(at)) => filled.push(at),
            Some(None) => {}
            None => break,
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        Some(mut first) => {
            first.further = errors.collect();
            Err(first)
        }
        // Only reached when the repairs never converge, which they do by construction.
        None => Err(ParseError::new(base, "the document could not be read")),
    }
}

/// One step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// The error's path as steps into the value; `None` when it has a step that is not one.
fn segments(path: &serde_path_to_error::Path) -> Option<Vec<Seg>> {
    path.iter()
        .map(|s| match s {
            serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
            serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
            _ => None,
        })
        .collect()
}

fn get_mut<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, seg| match (seg, v) {
        (Seg::Key(k), Value::Object(m)) => m.get_mut(k),
        (Seg::Index(i), Value::Array(a)) => a.get_mut(*i),
        _ => None,
    })
}

/// Changes `value` so the error `msg` at `path` does not occur again. `None` when it cannot;
/// `Some(Some(p))` when a placeholder was put at `p`; `Some(None)` when a member was removed.
fn repair(value: &mut Value, path: &[Seg], msg: &str) -> Option<Option<Vec<Seg>>> {
    if msg.starts_with("unknown field `") {
        let (Seg::Key(key), parent) = path.split_last()? else {
            return None;
        };
        let Value::Object(m) = get_mut(value, parent)? else {
            return None;
        };
        return m.shift_remove(key).map(|_| None);
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let key = rest.split('`').next()?;
        let Value::Object(m) = get_mut(value, path)? else {
            return None;
        };
        if m.contains_key(key) {
            return None;
        }
        // A string first; if the member is of another type, the next error says which, and
        // that error (inside a placeholder) is repaired without being reported.
        m.insert(key.to_string(), Value::String(String::new()));
        let mut at = path.to_vec();
        at.push(Seg::Key(key.to_string()));
        return Some(Some(at));
    }
    let placeholder = if let Some((_, accepted)) = msg.rsplit_once("; expected one of: ") {
        // An enumeration: its first accepted value.
        Value::String(accepted.split(", ").next()?.to_string())
    } else if let Some((_, expected)) = msg.rsplit_once(", expected ") {
        placeholder(expected)?
    } else {
        return None;
    };
    let slot = get_mut(value, path)?;
    if *slot == placeholder {
        return None;
    }
    *slot = placeholder;
    Some(Some(path.to_vec()))
}

/// A value of the type serde's "expected …" words name.
fn placeholder(expected: &str) -> Option<Value> {
    let e = expected.trim();
    let integer = |s: &str| {
        s.strip_prefix(['u', 'i'])
            .is_some_and(|n| matches!(n, "8" | "16" | "32" | "64" | "128" | "size"))
    };
    Some(match e {
        "a boolean" => Value::Bool(false),
        "a string" | "a borrowed string" | "a character" => Value::String(String::new()),
        "a sequence" => Value::Array(Vec::new()),
        "a map" => Value::Object(Map::new()),
        "f32" | "f64" | "a number" | "an integer" => Value::from(0),
        _ if integer(e) => Value::from(0),
        _ if e.starts_with("struct ") => Value::Object(Map::new()),
        _ => return None,
    })
}

/// Any serializable shape as a JSON value.
pub fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("model shapes always serialize")
}

fn check_wrapper_keys(top: &Map<String, Value>, allowed: &[&str]) -> Result<(), ParseError> {
    for key in top.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(ParseError::new(
                key.clone(),
                format!(
                    "unknown member `{key}` beside the distribution; expected only {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn take_string(top: &mut Map<String, Value>, key: &str) -> Result<Option<String>, ParseError> {
    match top.remove(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ParseError::new(key, "expected a string")),
    }
}

/// Rewrites serde's messages into the words an operator reads: an unknown field becomes an
/// unknown member with the closest accepted name suggested.
fn explain(msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let expected: Vec<&str> = tail
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        let mut out = format!(
            "unknown member `{name}`: CloudFront has no such member here, and publishing would \
             drop it (the AWS CLI rejects it as \"Unknown parameter\")"
        );
        if let Some(best) = closest(name, &expected) {
            out.push_str(&format!("; did you mean `{best}`?"));
        }
        if !expected.is_empty() {
            out.push_str(&format!(" Accepted members: {}", expected.join(", ")));
        }
        return out;
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return format!("required member `{name}` is missing");
    }
    let Some((found, expected)) = msg.rsplit_once(", expected ") else {
        return msg.replace("invalid type: ", "wrong type: ");
    };
    let struct_name = expected
        .strip_prefix("struct ")
        .map(|n| n.split(' ').next().unwrap_or(n));
    // serde reads a JSON list given for an object as a struct's fields in order.
    let found = if struct_name.is_some() && found.starts_with("invalid length ") {
        "wrong type: a list".to_string()
    } else {
        found.replace("invalid type: ", "wrong type: ")
    };
    let words = match (expected, struct_name) {
        (_, Some(name)) => format!("an object ({name})"),
        ("u8" | "u16" | "u32" | "u64" | "usize", _) => {
            format!("a whole number, 0 or more ({expected})")
        }
        ("i8" | "i16" | "i32" | "i64" | "isize", _) => format!("a whole number ({expected})"),
        ("f32" | "f64", _) => "a number".to_string(),
        _ => expected.to_string(),
    };
    let numeric = matches!(
        expected,
        "u8" | "u16"
            | "u32"
            | "u64"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "isize"
            | "f32"
            | "f64"
            | "a number"
    );
    let mut out = format!("{found}, expected {words}");
    // A boolean or number written as a string (`"Enabled": "true"`, `"MinTTL": "0"`): say what
    // to write, which is the same text without the quotes.
    if let Some(text) = found
        .strip_prefix("wrong type: string \"")
        .and_then(|t| t.strip_suffix('"'))
    {
        let unquoted = match expected {
            "a boolean" => ["true", "false"]
                .into_iter()
                .find(|b| text.eq_ignore_ascii_case(b))
                .map(str::to_string),
            _ if numeric => text
                .trim()
                .parse::<f64>()
                .is_ok()
                .then(|| text.trim().to_string()),
            _ => None,
        };
        if let Some(u) = unquoted {
            out.push_str(&format!("; write `{u}`, without quotes"));
        }
    }
    out
}

/// The accepted name closest to `name` (case-insensitive edit distance).
fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
        "CallerReference": "ref", "Comment": "", "Enabled": false,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}
    }"#;

    #[test]
    fn a_byte_order_mark_is_named_with_how_to_remove_it() {
        let e = Document::from_json(&format!("\u{feff}{MINIMAL}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("byte-order mark"), "{e}");
        assert!(e.contains("without BOM"), "says how to remove it: {e}");
        assert!(!e.contains("expected value"), "{e}");
    }

    #[test]
    fn reads_all_three_forms() {
        let bare = Document::from_json(MINIMAL).unwrap();
        assert_eq!(bare.form, Form::Bare);
        let wrapped = format!(r#"{{"ETag": "E1", "DistributionConfig": {MINIMAL}}}"#);
        let d = Document::from_json(&wrapped).unwrap();
        assert_eq!(d.form, Form::GetDistributionConfig);
        assert_eq!(d.etag.as_deref(), Some("E1"));
        assert_eq!(d.config, bare.config);
        let dist = format!(
            r#"{{"ETag": "E2", "Distribution": {{"Id": "EDFDVBD6EXAMPLE", "ARN": "arn",
            "Status": "Deployed", "LastModifiedTime": "2019-12-04T23:35:41.433Z",
            "InProgressInvalidationBatches": 0, "DomainName": "d111111abcdef8.cloudfront.net",
            "DistributionConfig": {MINIMAL}}}}}"#
        );
        let d = Document::from_json(&dist).unwrap();
        assert_eq!(d.form, Form::GetDistribution);
        assert_eq!(d.id(), Some("EDFDVBD6EXAMPLE"));
        assert_eq!(d.status(), Some("Deployed"));
        assert_eq!(d.config, bare.config);
        let back: Value = serde_json::from_str(&d.to_json_pretty()).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(&dist).unwrap());
    }

    #[test]
    fn unknown_member_names_path_and_suggests() {
        let text = MINIMAL.replace(
            r#""Enabled": false"#,
            r#""Enabled": false, "IPV6Enabled": true"#,
        );
        let e = Document::from_json(&text).unwrap_err();
        assert_eq!(e.path, "IPV6Enabled");
        assert!(
            e.message.contains("did you mean `IsIPV6Enabled`"),
            "{}",
            e.message
        );
        let text = MINIMAL.replace(r#""Id": "o","#, r#""Id": "o", "OriginPth": "/x","#);
        let e = Document::from_json(&text).unwrap_err();
        assert_eq!(e.path, "Origins.Items[0].OriginPth");
        assert!(e.message.contains("`OriginPath`"), "{}", e.message);
    }

    #[test]
    fn bad_enum_and_missing_member_are_explained() {
        let text = MINIMAL.replace("allow-all", "https");
        let e = Document::from_json(&text).unwrap_err();
        assert_eq!(e.path, "DefaultCacheBehavior.ViewerProtocolPolicy");
        assert!(e.message.contains("redirect-to-https"), "{}", e.message);
        let text = MINIMAL.replace(r#""CallerReference": "ref","#, "");
        let e = Document::from_json(&text).unwrap_err();
        assert!(e.message.contains("`CallerReference` is missing"), "{e}");
    }

    #[test]
    fn not_json_says_where() {
        let e = Document::from_json("{\n  \"a\": }").unwrap_err();
        assert!(e.message.contains("line 2"), "{e}");
        let e = Document::from_json("[1]").unwrap_err();
        assert!(e.message.contains("expected a JSON object"), "{e}");
    }

    /// A config as older tools write it: booleans as strings, ten of them, at every depth.
    const STRING_BOOLEANS: &str = r#"{
        "CallerReference": "ref", "Comment": "", "Enabled": "true",
        "IsIPV6Enabled": "True",
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com",
            "ConnectionAttempts": "3",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
            "Compress": "false", "SmoothStreaming": "false",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            "TrustedSigners": {"Enabled": "false", "Quantity": 0}},
        "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/a/*",
            "TargetOriginId": "o", "ViewerProtocolPolicy": "https",
            "Compress": "true", "FieldLevelEncryptionId": "",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}]},
        "Logging": {"Enabled": "false", "IncludeCookies": "false", "Bucket": "", "Prefix": ""},
        "Staging": "false"
    }"#;

    #[test]
    fn every_type_error_is_reported_with_its_path() {
        let e = Document::from_json(STRING_BOOLEANS).unwrap_err();
        let paths: Vec<&str> = e.iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "Enabled",
                "IsIPV6Enabled",
                "Origins.Items[0].ConnectionAttempts",
                "DefaultCacheBehavior.Compress",
                "DefaultCacheBehavior.SmoothStreaming",
                "DefaultCacheBehavior.TrustedSigners.Enabled",
                "CacheBehaviors.Items[0].ViewerProtocolPolicy",
                "CacheBehaviors.Items[0].Compress",
                "Logging.Enabled",
                "Logging.IncludeCookies",
                "Staging",
            ],
            "{e}"
        );
        assert_eq!(e.count(), 11);
        let messages: Vec<&str> = e.iter().map(|(_, m)| m).collect();
        assert_eq!(
            messages[0],
            "wrong type: string \"true\", expected a boolean; write `true`, without quotes"
        );
        assert!(
            messages[1].ends_with("write `true`, without quotes"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].contains("string \"3\", expected a whole number")
                && messages[2].ends_with("write `3`, without quotes"),
            "{}",
            messages[2]
        );
        assert!(messages[6].contains("redirect-to-https"), "{}", messages[6]);
        // Display lists them all, one line each; the first line is what it always was.
        let text = e.to_string();
        assert_eq!(text.lines().count(), 11, "{text}");
        assert_eq!(
            text.lines().next(),
            Some(&*format!("Enabled: {}", messages[0]))
        );
        assert!(
            text.contains("\nOrigins.Items[0].ConnectionAttempts: wrong type"),
            "{text}"
        );
        // As findings: one error each.
        let findings = e.clone().into_findings();
        assert_eq!(findings.len(), 11);
        assert!(findings.iter().all(crate::Finding::is_error));
        assert_eq!(findings[9].path, "Logging.IncludeCookies");
        assert!(
            crate::Finding::from(e)
                .message
                .ends_with("(and 10 more error(s) in the document)")
        );
    }

    #[test]
    fn ten_string_booleans_give_ten_errors() {
        let mut v: Value = serde_json::from_str(MINIMAL).unwrap();
        v["Enabled"] = "true".into();
        v["IsIPV6Enabled"] = "false".into();
        v["Staging"] = "false".into();
        v["DefaultCacheBehavior"]["Compress"] = "true".into();
        v["DefaultCacheBehavior"]["SmoothStreaming"] = "false".into();
        v["DefaultCacheBehavior"]["TrustedKeyGroups"] =
            serde_json::json!({"Enabled": "false", "Quantity": 0});
        v["Logging"] = serde_json::json!({"Enabled": "true", "IncludeCookies": "true",
            "Bucket": "logs.s3.amazonaws.com", "Prefix": ""});
        v["Restrictions"] = serde_json::json!({"GeoRestriction":
            {"RestrictionType": "none", "Quantity": 0}});
        v["Origins"]["Items"][0]["OriginShield"] = serde_json::json!({"Enabled": "false"});
        v["ViewerCertificate"] = serde_json::json!({"CloudFrontDefaultCertificate": "true"});
        let e = Document::from_value(v).unwrap_err();
        assert_eq!(e.count(), 10, "{e}");
        assert!(
            e.iter().all(|(_, m)| m.contains("expected a boolean")),
            "{e}"
        );
    }

    #[test]
    fn unknown_and_missing_members_are_reported_with_the_others() {
        let text = MINIMAL
            .replace(r#""CallerReference": "ref","#, "")
            .replace(
                r#""Enabled": false"#,
                r#""Enabled": "no", "IPV6Enabled": true"#,
            )
            .replace("allow-all", "https");
        let e = Document::from_json(&text).unwrap_err();
        let paths: Vec<&str> = e.iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "Enabled",
                "IPV6Enabled",
                "DefaultCacheBehavior.ViewerProtocolPolicy",
                ""
            ],
            "{e}"
        );
        assert!(
            e.further[2]
                .message
                .contains("`CallerReference` is missing"),
            "{e}"
        );
        // A list where an object belongs is named in the operator's words, and the members
        // the repair fills in are not reported.
        let mut v: Value = serde_json::from_str(MINIMAL).unwrap();
        v["Enabled"] = Value::String("false".into());
        v["DefaultCacheBehavior"] = Value::Array(Vec::new());
        let text = v.to_string();
        let e = Document::from_json(&text).unwrap_err();
        assert_eq!(e.count(), 2, "{e}");
        assert_eq!(e.further[0].path, "DefaultCacheBehavior");
        assert_eq!(
            e.further[0].message,
            "wrong type: a list, expected an object (DefaultCacheBehavior)"
        );
        // One error stays one error, with nothing further.
        let e = Document::from_json(&MINIMAL.replace("allow-all", "https")).unwrap_err();
        assert_eq!(e.count(), 1);
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn errors_stop_at_the_limit() {
        let mut v: Value = serde_json::from_str(MINIMAL).unwrap();
        let behavior = serde_json::json!({"PathPattern": "/a", "TargetOriginId": "o",
            "ViewerProtocolPolicy": "allow-all", "Compress": "true"});
        v["CacheBehaviors"] = serde_json::json!({"Quantity": 150,
            "Items": vec![behavior; 150]});
        let e = Document::from_value(v).unwrap_err();
        assert_eq!(e.count(), MAX_PARSE_ERRORS);
        assert_eq!(e.further[98].path, "CacheBehaviors.Items[99].Compress");
        assert!(e.to_string().ends_with("(stopped after 100 errors)"));
    }

    #[test]
    fn stray_wrapper_member_is_named() {
        let text = format!(r#"{{"ETag": "E1", "Etag2": 1, "DistributionConfig": {MINIMAL}}}"#);
        let e = Document::from_json(&text).unwrap_err();
        assert_eq!(e.path, "Etag2");
    }
}
