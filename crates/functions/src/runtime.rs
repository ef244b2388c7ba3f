//! The two runtimes of CloudFront Functions and what CloudFront checks of a function's code.

use std::fmt;

/// `FunctionConfig.Runtime`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Runtime {
    /// `cloudfront-js-1.0`: ES 5.1 with some later features (no `const`/`let`).
    Js1,
    /// `cloudfront-js-2.0`: ES 5.1 and much of ES 6-12, `async`/`await`, the `cloudfront`
    /// module, `buffer`.
    #[default]
    Js2,
}

impl Runtime {
    pub const ALL: [Runtime; 2] = [Runtime::Js1, Runtime::Js2];

    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Js1 => "cloudfront-js-1.0",
            Runtime::Js2 => "cloudfront-js-2.0",
        }
    }

    /// Parses CloudFront's name of the runtime, or says what is accepted.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "cloudfront-js-1.0" => Ok(Runtime::Js1),
            "cloudfront-js-2.0" => Ok(Runtime::Js2),
            other => Err(format!(
                "unknown runtime {other:?}: use cloudfront-js-1.0 or cloudfront-js-2.0"
            )),
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
