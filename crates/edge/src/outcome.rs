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
}

impl ResultType {
    pub const fn as_str(self) -> &'static str {
        match self {
            ResultType::Hit => "Hit",
            ResultType::RefreshHit => "RefreshHit",
            ResultType::Miss => "Miss",
            ResultType::Error => "Error",
            ResultType::Redirect => "Redirect",
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
        }
    }

    /// Server-Timing's cache status token (response headers policies).
    pub const fn server_timing(self) -> &'static str {
        match self {
            ResultType::Hit => "cdn-cache-hit",
            ResultType::RefreshHit => "cdn-cache-refresh",
            ResultType::Miss => "cdn-cache-miss",
            ResultType::Error | ResultType::Redirect => "cdn-cache-miss",
        }
    }
}
