//! Export of a distribution as a file another tool accepts: the AWS CLI's own JSON, a
//! CloudFormation template, or a Terraform resource.
//!
//! Each format is a pure function of the document. Origin custom header values are withheld
//! unless asked for (the API marks them sensitive: they usually carry the shared secret an origin
//! checks), and members a format cannot express are listed in [`Export::notes`] instead of being
//! dropped silently, so the caller can warn before anyone relies on the file. A distribution a
//! format could not hold at all would be an [`ExportError`]; each format holds every
//! distribution today (a multi-tenant one is Terraform's
//! `aws_cloudfront_multitenant_distribution`).

mod cloudformation;
mod terraform;

use crate::behavior::BehaviorView;
use crate::document::Document;
use crate::shapes::DistributionConfig;

/// What to export to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The AWS CLI's JSON, in the form the document was read in (bare, `get-distribution-config`
    /// or `get-distribution`).
    CliJson,
    /// A CloudFormation template (JSON) with one `AWS::CloudFront::Distribution` resource.
    CloudFormation,
    /// A Terraform (HCL) `aws_cloudfront_distribution` resource.
    Terraform,
}

impl ExportFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: &'static [ExportFormat] = &[
        ExportFormat::CliJson,
        ExportFormat::CloudFormation,
        ExportFormat::Terraform,
    ];

    /// The name used on the command line (`cli-json`, `cloudformation`, `terraform`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ExportFormat::CliJson => "cli-json",
            ExportFormat::CloudFormation => "cloudformation",
            ExportFormat::Terraform => "terraform",
        }
    }

    /// Parses a command-line name; `cfn` and `tf` are accepted as the usual short forms.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cli-json" | "json" => Some(ExportFormat::CliJson),
            "cloudformation" | "cfn" => Some(ExportFormat::CloudFormation),
            "terraform" | "tf" => Some(ExportFormat::Terraform),
            _ => None,
        }
    }

    /// The usual file extension (without the dot).
    pub const fn extension(self) -> &'static str {
        match self {
            ExportFormat::CliJson | ExportFormat::CloudFormation => "json",
            ExportFormat::Terraform => "tf",
        }
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// Write sensitive values (origin custom header values) verbatim. Off by default: the file
    /// then refers to a parameter or variable (CloudFormation, Terraform) or holds
    /// [`REDACTED_PLACEHOLDER`] (CLI JSON).
    pub include_secrets: bool,
    /// The resource's name: the CloudFormation logical id as given (non-alphanumerics dropped),
    /// the Terraform resource label in snake case (`Distribution` → `distribution`).
    pub resource_name: String,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            include_secrets: false,
            resource_name: "Distribution".to_string(),
        }
    }
}

/// An exported file and what the caller should tell the user about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Export {
    /// The file's text, ending with a newline.
    pub text: String,
    /// Field paths (`Origins.Items[0].CustomHeaders.Items[1].HeaderValue`) whose values were
    /// withheld. Empty when `include_secrets` was set or the configuration has no secrets.
    pub redacted: Vec<String>,
    /// Members the format cannot express, each as `path: why`. They are not in `text`: an
    /// operator who deploys the file loses them.
    pub notes: Vec<String>,
}

/// What CLI JSON holds in place of a withheld value. Publishing it unchanged would send this
/// string to the origin, so the text says what to do.
pub const REDACTED_PLACEHOLDER: &str = "REDACTED:set-before-publishing";

/// Why a document cannot be exported in a format at all: the file would create something other
/// than the distribution (a note would not do: deploying the file would do the wrong thing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot export to {format}: {path}: {message}")]
pub struct ExportError {
    /// The format asked for.
    pub format: ExportFormat,
    /// The member that makes the export impossible (`ConnectionMode`).
    pub path: String,
    /// What is wrong and what to do instead.
    pub message: String,
}

/// Exports `doc` in `format`. Members a format cannot express are notes on the [`Export`]; an
/// error means the format cannot hold this distribution at all.
pub fn export(
    doc: &Document,
    format: ExportFormat,
    opts: &ExportOptions,
) -> Result<Export, ExportError> {
    match format {
        ExportFormat::CliJson => Ok(cli_json(doc, opts)),
        ExportFormat::CloudFormation => Ok(cloudformation::export(doc, opts)),
        ExportFormat::Terraform => terraform::export(doc, opts),
    }
}

/// The document in its own form, with sensitive values replaced unless they were asked for.
fn cli_json(doc: &Document, opts: &ExportOptions) -> Export {
    let mut doc = doc.clone();
    let mut redacted = Vec::new();
    if !opts.include_secrets {
        for secret in secrets(&doc.config) {
            // Only reach into lists that have items: `items_mut` would turn an absent `Items`
            // into `[]` and change the file.
            if let Some(header) = doc
                .config
                .origins
                .items
                .as_mut()
                .and_then(|o| o.get_mut(secret.origin))
                .and_then(|o| o.custom_headers.as_mut())
                .and_then(|h| h.items.as_mut())
                .and_then(|h| h.get_mut(secret.header))
            {
                header.header_value = REDACTED_PLACEHOLDER.to_string();
                redacted.push(secret.path);
            }
        }
    }
    Export {
        text: doc.to_json_pretty(),
        redacted,
        notes: Vec::new(),
    }
}

/// A sensitive value in a configuration: where it is and what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Secret {
    /// Index of the origin in `Origins.Items`.
    pub origin: usize,
    /// Index of the header in the origin's `CustomHeaders.Items`.
    pub header: usize,
    /// `Origins.Items[i].CustomHeaders.Items[j].HeaderValue`.
    pub path: String,
    /// The origin's id, to name the parameter or variable after.
    pub origin_id: String,
    /// The header's name, to name the parameter or variable after.
    pub header_name: String,
}

/// Every value the CloudFront API marks sensitive. Today that is the value of each origin custom
/// header (`OriginCustomHeader.HeaderValue` is `sensitive` in botocore's model).
pub(crate) fn secrets(config: &DistributionConfig) -> Vec<Secret> {
    let mut out = Vec::new();
    for (i, origin) in config.origins.iter().enumerate() {
        let Some(headers) = &origin.custom_headers else {
            continue;
        };
        for (j, header) in headers.iter().enumerate() {
            out.push(Secret {
                origin: i,
                header: j,
                path: format!("Origins.Items[{i}].CustomHeaders.Items[{j}].HeaderValue"),
                origin_id: origin.id.clone(),
                header_name: header.header_name.clone(),
            });
        }
    }
    out
}

/// The words of a name, for building identifiers: runs of ASCII letters and digits.
pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Hands out identifiers that are unique within one file, suffixing `2`, `3`, … on a clash
/// (two origins whose ids differ only in punctuation would otherwise share a parameter).
#[derive(Debug, Default)]
pub(crate) struct UniqueNames {
    taken: std::collections::HashSet<String>,
}

impl UniqueNames {
    pub fn claim(&mut self, base: String, sep: &str) -> String {
        let mut name = base.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}{sep}{n}");
            n += 1;
        }
        name
    }
}

impl<'a> BehaviorView<'a> {
    /// The trusted signers' account ids; the API's `Enabled` flag is implied by the list being
    /// non-empty in both CloudFormation and Terraform.
    pub fn trusted_signer_ids(&self, notes: &mut Vec<String>) -> Vec<String> {
        let ts = self.trusted_signers.map(|t| (t.enabled, &t.items));
        self.enabled_list(ts, "TrustedSigners", "account ids", notes)
    }

    /// The trusted key group ids, with the same rule as [`Self::trusted_signer_ids`].
    pub fn trusted_key_group_ids(&self, notes: &mut Vec<String>) -> Vec<String> {
        let kg = self.trusted_key_groups.map(|k| (k.enabled, &k.items));
        self.enabled_list(kg, "TrustedKeyGroups", "key groups", notes)
    }

    /// The ids of an `{Enabled, Quantity, Items}` member, noting when `Enabled` disagrees with
    /// the list (the export keeps only the list).
    fn enabled_list(
        &self,
        member: Option<(bool, &Option<Vec<String>>)>,
        name: &str,
        noun: &str,
        notes: &mut Vec<String>,
    ) -> Vec<String> {
        let Some((enabled, items)) = member else {
            return Vec::new();
        };
        let ids = items.clone().unwrap_or_default();
        if enabled == ids.is_empty() {
            notes.push(format!(
                "{}.{name}.Enabled: {enabled} with {} {noun}; the export has only the list \
                 (enabled when not empty)",
                self.path,
                ids.len()
            ));
        }
        ids
    }
}

/// A custom error response's `ResponseCode`: a string in the API, a number in CloudFormation and
/// Terraform. `None` (with a note) when the string is not a status code.
pub(crate) fn response_code(path: &str, code: &str, notes: &mut Vec<String>) -> Option<u16> {
    match code.parse::<u16>() {
        Ok(n) => Some(n),
        Err(_) => {
            notes.push(format!(
                "{path}.ResponseCode: {code:?} is not an HTTP status code; left out"
            ));
            None
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small configuration with one S3 and one custom origin (with a secret header), an
    /// ordered behavior, an error page and logging: enough to reach every mapping branch that
    /// the exporters' tests check by exact snippet.
    pub const SAMPLE: &str = r#"{
        "CallerReference": "ref-1", "Comment": "Shop \"main\" ${env}", "Enabled": true,
        "Aliases": {"Quantity": 2, "Items": ["shop.example.com", "www.example.com"]},
        "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "s3", "DomainName": "b.s3.amazonaws.com", "OriginPath": "",
             "S3OriginConfig": {"OriginAccessIdentity": ""},
             "OriginAccessControlId": "E2OAC"},
            {"Id": "api", "DomainName": "api.example.com",
             "CustomHeaders": {"Quantity": 1, "Items": [
                {"HeaderName": "X-Origin-Verify", "HeaderValue": "s3cr3t"}]},
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                "OriginProtocolPolicy": "https-only",
                "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
             "ConnectionAttempts": 3, "ConnectionTimeout": 10}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3",
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"],
                "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}},
            "Compress": true, "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "CacheBehaviors": {"Quantity": 1, "Items": [
            {"PathPattern": "/api/*", "TargetOriginId": "api", "ViewerProtocolPolicy": "https-only",
             "TrustedSigners": {"Enabled": false, "Quantity": 0},
             "ForwardedValues": {"QueryString": true,
                "Cookies": {"Forward": "whitelist",
                    "WhitelistedNames": {"Quantity": 1, "Items": ["sid"]}},
                "Headers": {"Quantity": 1, "Items": ["Origin"]}},
             "LambdaFunctionAssociations": {"Quantity": 1, "Items": [
                {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:f:1",
                 "EventType": "origin-request", "IncludeBody": true}]},
             "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 3600}]},
        "CustomErrorResponses": {"Quantity": 1, "Items": [
            {"ErrorCode": 404, "ResponsePagePath": "/index.html", "ResponseCode": "200",
             "ErrorCachingMinTTL": 10}]},
        "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "logs.s3.amazonaws.com",
            "Prefix": "shop/"},
        "PriceClass": "PriceClass_100",
        "ViewerCertificate": {"CloudFrontDefaultCertificate": false,
            "ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021",
            "CertificateSource": "acm"},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 2,
            "Items": ["US", "CA"]}},
        "WebACLId": "", "HttpVersion": "http2and3", "IsIPV6Enabled": true
    }"#;

    pub fn sample() -> Document {
        Document::from_json(SAMPLE).expect("sample parses")
    }

    pub fn with_secrets() -> ExportOptions {
        ExportOptions {
            include_secrets: true,
            ..ExportOptions::default()
        }
    }

    #[test]
    fn enabled_flag_that_disagrees_with_its_list_is_noted() {
        let mut doc = sample();
        let b = &mut doc.config.default_cache_behavior;
        b.trusted_signers = Some(crate::TrustedSigners {
            enabled: true,
            quantity: 0,
            items: None,
        });
        b.trusted_key_groups = Some(crate::TrustedKeyGroups {
            enabled: false,
            quantity: 1,
            items: Some(vec!["kg1".into()]),
        });
        let view = BehaviorView::default_behavior(&doc.config.default_cache_behavior);
        let mut notes = Vec::new();
        assert!(view.trusted_signer_ids(&mut notes).is_empty());
        assert_eq!(
            view.trusted_key_group_ids(&mut notes),
            vec!["kg1".to_string()]
        );
        assert_eq!(
            notes,
            vec![
                "DefaultCacheBehavior.TrustedSigners.Enabled: true with 0 account ids; the export \
                 has only the list (enabled when not empty)"
                    .to_string(),
                "DefaultCacheBehavior.TrustedKeyGroups.Enabled: false with 1 key groups; the \
                 export has only the list (enabled when not empty)"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn cli_json_with_secrets_is_the_input() {
        let doc = sample();
        let out = export(&doc, ExportFormat::CliJson, &with_secrets()).expect("exports");
        let back: serde_json::Value = serde_json::from_str(&out.text).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(SAMPLE).unwrap()
        );
        assert!(out.redacted.is_empty());
        assert!(out.text.ends_with('\n'));
    }

    #[test]
    fn cli_json_withholds_header_values() {
        let out =
            export(&sample(), ExportFormat::CliJson, &ExportOptions::default()).expect("exports");
        assert!(!out.text.contains("s3cr3t"), "{}", out.text);
        assert!(out.text.contains(REDACTED_PLACEHOLDER));
        assert_eq!(
            out.redacted,
            ["Origins.Items[1].CustomHeaders.Items[0].HeaderValue"]
        );
        // Everything else is untouched.
        let mut back = Document::from_json(&out.text).unwrap();
        let header = &mut back.config.origins.items_mut()[1]
            .custom_headers
            .as_mut()
            .unwrap()
            .items_mut()[0];
        header.header_value = "s3cr3t".into();
        assert_eq!(back, sample());
    }

    #[test]
    fn cli_json_keeps_the_wrapper_form() {
        let text = format!(r#"{{"ETag": "E1", "DistributionConfig": {SAMPLE}}}"#);
        let doc = Document::from_json(&text).unwrap();
        let out = export(&doc, ExportFormat::CliJson, &ExportOptions::default()).expect("exports");
        let v: serde_json::Value = serde_json::from_str(&out.text).unwrap();
        assert_eq!(v["ETag"], "E1");
        let api = &v["DistributionConfig"]["Origins"]["Items"][1];
        assert_eq!(
            api["CustomHeaders"]["Items"][0]["HeaderValue"],
            REDACTED_PLACEHOLDER
        );
    }

    #[test]
    fn formats_parse_their_names() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.as_str()), Some(*f));
        }
        assert_eq!(ExportFormat::parse("tf"), Some(ExportFormat::Terraform));
        assert_eq!(ExportFormat::parse("yaml"), None);
    }

    #[test]
    fn unique_names_suffix_on_clash() {
        let mut n = UniqueNames::default();
        assert_eq!(n.claim("a_b".into(), "_"), "a_b");
        assert_eq!(n.claim("a_b".into(), "_"), "a_b_2");
        assert_eq!(n.claim("a_b".into(), "_"), "a_b_3");
        assert_eq!(words("X-Origin--Verify.1"), ["X", "Origin", "Verify", "1"]);
    }
}
