//! Cache outcomes (spec X-1, L-2): one enum with stable strings used in `X-Cache`, the access
//! log's result-type fields, stats and the request log.

/// x-edge-result-type / X-Cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ResultType {
    Hit,
    RefreshHit,
    Miss,
    Error,
    Redirect,
    /// spec CF-5: a viewer-request function answered the viewer itself.
    FunctionGeneratedResponse,
    /// spec CF-8/CF-9: a function failed the request.
    FunctionExecutionError,
}

impl ResultType {
    /// Every result type.
    pub const ALL: [ResultType; 7] = [
        ResultType::Hit,
        ResultType::RefreshHit,
        ResultType::Miss,
        ResultType::Error,
        ResultType::Redirect,
        ResultType::FunctionGeneratedResponse,
        ResultType::FunctionExecutionError,
    ];

    /// The result type whose [`ResultType::as_str`] is `s` (the first word of an `X-Cache`
    /// value); None for any other text.
    pub fn parse(s: &str) -> Option<ResultType> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ResultType::Hit => "Hit",
            ResultType::RefreshHit => "RefreshHit",
            ResultType::Miss => "Miss",
            ResultType::Error => "Error",
            ResultType::Redirect => "Redirect",
            ResultType::FunctionGeneratedResponse => "FunctionGeneratedResponse",
            ResultType::FunctionExecutionError => "FunctionExecutionError",
        }
    }

    /// spec X-1: the `X-Cache` header value.
    pub const fn x_cache(self) -> &'static str {
        match self {
            ResultType::Hit => "Hit from cloudfront",
            ResultType::RefreshHit => "RefreshHit from cloudfront",
            ResultType::Miss => "Miss from cloudfront",
            ResultType::Error => "Error from cloudfront",
            ResultType::Redirect => "Redirect from cloudfront",
            ResultType::FunctionGeneratedResponse => "FunctionGeneratedResponse from cloudfront",
            ResultType::FunctionExecutionError => "FunctionExecutionError from cloudfront",
        }
    }

    /// Server-Timing's cache status token (response headers policies).
    pub const fn server_timing(self) -> &'static str {
        match self {
            ResultType::Hit => "cdn-cache-hit",
            ResultType::RefreshHit => "cdn-cache-refresh",
            ResultType::Miss => "cdn-cache-miss",
            ResultType::Error
            | ResultType::Redirect
            | ResultType::FunctionGeneratedResponse
            | ResultType::FunctionExecutionError => "cdn-cache-miss",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x1_parse_reads_back_every_result_type() {
        for r in ResultType::ALL {
            assert_eq!(ResultType::parse(r.as_str()), Some(r));
            assert!(r.x_cache().starts_with(r.as_str()));
        }
        assert_eq!(ResultType::parse("hit"), None);
        assert_eq!(ResultType::parse(""), None);
    }
}
