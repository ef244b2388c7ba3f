//! The distribution's custom error responses (spec §10, E-1 to E-6, E-10), prepared: for an error
//! status, the page to fetch and the status to answer with, and the ErrorCachingMinTTL. Choosing
//! and serving the page is `pipeline::error_page`'s; the responses the edge generates itself are
//! `error::EdgeError`. Pure functions, table-tested.

use std::collections::HashMap;

/// One `CustomErrorResponses` item, prepared (E-1, E-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRule {
    pub page_path: Option<String>,
    pub response_code: Option<u16>,
    /// E-4: ErrorCachingMinTTL, default 10 s.
    pub min_ttl: u64,
}

/// The custom error responses of a distribution by error code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorRules {
    rules: HashMap<u16, ErrorRule>,
}

/// spec E-4: default ErrorCachingMinTTL.
pub const DEFAULT_ERROR_MIN_TTL: u64 = 10;

impl ErrorRules {
    pub fn new(items: &[cfconsole_model::CustomErrorResponse]) -> Self {
        let rules = items
            .iter()
            .filter_map(|i| {
                let code = u16::try_from(i.error_code).ok()?;
                Some((
                    code,
                    ErrorRule {
                        page_path: i.response_page_path.clone().filter(|p| !p.is_empty()),
                        response_code: i.response_code.as_deref().and_then(|c| c.parse().ok()),
                        min_ttl: i
                            .error_caching_min_ttl
                            .map(|t| t.max(0) as u64)
                            .unwrap_or(DEFAULT_ERROR_MIN_TTL),
                    },
                ))
            })
            .collect();
        Self { rules }
    }

    /// spec E-1: only configurable codes can have a rule; E-10: never for 3xx.
    pub fn rule(&self, status: u16) -> Option<&ErrorRule> {
        if status < 400 {
            return None;
        }
        self.rules.get(&status)
    }

    /// spec E-6: the page to fetch for `status`, with the status to answer with.
    pub fn page(&self, status: u16) -> Option<(&str, u16)> {
        let rule = self.rule(status)?;
        let path = rule.page_path.as_deref()?;
        Some((path, rule.response_code.unwrap_or(status)))
    }

    /// spec E-4: ErrorCachingMinTTL for `status`.
    pub fn min_ttl(&self, status: u16) -> u64 {
        self.rule(status)
            .map(|r| r.min_ttl)
            .unwrap_or(DEFAULT_ERROR_MIN_TTL)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::type_complexity)] // table-driven cases are tuples by design

    use super::*;
    use cfconsole_model::CustomErrorResponse;

    fn item(
        code: i32,
        page: Option<&str>,
        resp: Option<&str>,
        ttl: Option<i64>,
    ) -> CustomErrorResponse {
        let mut v = serde_json::json!({"ErrorCode": code});
        if let Some(p) = page {
            v["ResponsePagePath"] = p.into();
        }
        if let Some(r) = resp {
            v["ResponseCode"] = r.into();
        }
        if let Some(t) = ttl {
            v["ErrorCachingMinTTL"] = t.into();
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn error_choice_table() {
        let rules = ErrorRules::new(&[
            item(404, Some("/errors/404.html"), Some("200"), Some(30)),
            item(503, None, None, Some(0)),
            item(500, Some("/e.html"), None, None),
        ]);
        let cases: Vec<(&str, u16, Option<(&str, u16)>, u64)> = vec![
            (
                "E-6 page with ResponseCode",
                404,
                Some(("/errors/404.html", 200)),
                30,
            ),
            ("E-2 TTL only, no page", 503, None, 0),
            ("E-2 page, status kept", 500, Some(("/e.html", 500)), 10),
            ("E-5 unconfigured", 502, None, DEFAULT_ERROR_MIN_TTL),
            ("E-10 never 3xx", 301, None, DEFAULT_ERROR_MIN_TTL),
        ];
        for (rule, status, page, ttl) in cases {
            assert_eq!(rules.page(status), page, "{rule}");
            assert_eq!(rules.min_ttl(status), ttl, "{rule}");
        }
    }
}
