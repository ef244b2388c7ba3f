//! A validation finding: where (a field path), how bad (error or warning), which CloudFront error
//! code it corresponds to, and a message a person can act on.

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Legal, but probably not what was meant.
    Warning,
    /// CloudFront (or the AWS CLI) would reject the configuration.
    Error,
}

impl Severity {
    /// `error` or `warning`, as the CLI prints it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    /// Field path from the `DistributionConfig` root: `CacheBehaviors.Items[2].PathPattern`.
    pub path: String,
    /// Error or warning.
    pub severity: Severity,
    /// CloudFront's error code (`InvalidTTLOrder`, `NoSuchOrigin`, …) when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// What is wrong, and what would be accepted.
    pub message: String,
}

impl Finding {
    /// An error with CloudFront's error code.
    pub fn error(path: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            severity: Severity::Error,
            code: Some(code),
            message: message.into(),
        }
    }

    /// An error CloudFront has no code for (rejected client-side by the SDK/CLI).
    pub fn error_uncoded(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            severity: Severity::Error,
            code: None,
            message: message.into(),
        }
    }

    /// A warning: legal but probably wrong.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            severity: Severity::Warning,
            code: None,
            message: message.into(),
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Finding {
    /// `error: PATH: MESSAGE (CODE)` / `warning: PATH: MESSAGE`, the line `cfconsole validate`
    /// prints and `cfconsole preview` repeats when it refuses a config. A finding about the
    /// whole document (empty path, such as invalid JSON) drops the path.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.severity)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(code) = self.code {
            write!(f, " ({code})")?;
        }
        Ok(())
    }
}

/// The first error only (saying how many more there are); [`crate::ParseError::into_findings`]
/// gives one finding per error.
impl From<crate::ParseError> for Finding {
    fn from(e: crate::ParseError) -> Self {
        let more = e.further.len();
        let mut f = Finding::error_uncoded(e.path, e.message);
        if more > 0 {
            f.message
                .push_str(&format!(" (and {more} more error(s) in the document)"));
        }
        f
    }
}

impl crate::ParseError {
    /// One error finding per parse error, the first one first.
    pub fn into_findings(self) -> Vec<Finding> {
        std::iter::once((self.path, self.message))
            .chain(self.further.into_iter().map(|e| (e.path, e.message)))
            .map(|(path, message)| Finding::error_uncoded(path, message))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Finding;

    #[test]
    fn display_is_the_validate_line() {
        let f = Finding::error("DefaultCacheBehavior.MinTTL", "InvalidTTLOrder", "too big");
        assert_eq!(
            f.to_string(),
            "error: DefaultCacheBehavior.MinTTL: too big (InvalidTTLOrder)"
        );
        let w = Finding::warning("Comment", "empty");
        assert_eq!(w.to_string(), "warning: Comment: empty");
        let whole = Finding::error_uncoded("", "expected value at line 1 column 1");
        assert_eq!(
            whole.to_string(),
            "error: expected value at line 1 column 1"
        );
    }
}
