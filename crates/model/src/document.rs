//! Reading and writing a distribution document in every shape the AWS CLI prints or accepts.
//!
//! Three forms occur: a bare `DistributionConfig` (what `create-distribution
//! --distribution-config file://…` takes), `{"ETag", "DistributionConfig"}` (`get-distribution-config`)
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct ParseError {
    /// Where in the document (empty for the whole document).
    pub path: String,
    /// What is wrong and what would be accepted.
    pub message: String,
}

impl ParseError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
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
        if text.starts_with('\u{feff}') {
            return Err(ParseError::new(
                "",
                "the file starts with a UTF-8 byte-order mark (BOM, bytes EF BB BF), which JSON \
                 does not allow: save it as UTF-8 without BOM (in PowerShell, `Set-Content \
                 -Encoding utf8NoBOM`; or `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)",
            ));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            ParseError::new(
                "",
                format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
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
pub fn parse_shape<T: DeserializeOwned>(value: Value, base: &str) -> Result<T, ParseError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (base.is_empty(), inner == ".") {
            (_, true) => base.to_string(),
            (true, false) => inner,
            (false, false) => format!("{base}.{inner}"),
        };
        ParseError::new(path, explain(&e.into_inner().to_string()))
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
    msg.replace("invalid type: ", "wrong type: ")
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

    #[test]
    fn stray_wrapper_member_is_named() {
        let text = format!(r#"{{"ETag": "E1", "Etag2": 1, "DistributionConfig": {MINIMAL}}}"#);
        let e = Document::from_json(&text).unwrap_err();
        assert_eq!(e.path, "Etag2");
    }
}
