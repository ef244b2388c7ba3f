//! How long an origin response stays fresh in the edge cache (spec §7, errors §10 E-3/E-4):
//! pure functions over the response's status and headers with `now` passed in, so the whole
//! table of T-4 is tested without a clock or a socket.

use std::time::{Duration, SystemTime};

use hyper::HeaderMap;
use hyper::header::{CACHE_CONTROL, EXPIRES};

/// Seconds in 100 years: the upper bound of `max-age` (spec T-3) and of legacy MaxTTL (T-9).
pub const HUNDRED_YEARS: u64 = 3_153_600_000;

/// A behavior's TTL settings (cache policy or legacy fields), spec T-1/T-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TtlSettings {
    pub min: u64,
    pub default: u64,
    pub max: u64,
}

impl TtlSettings {
    /// Applies the defaults of spec T-2 to what the configuration gave.
    pub fn with_defaults(min: Option<i64>, default: Option<i64>, max: Option<i64>) -> Self {
        let min = min.unwrap_or(0).max(0) as u64;
        // spec T-2: DefaultTTL 86400, or MinTTL if MinTTL is larger.
        let default = default.map(|d| d.max(0) as u64).unwrap_or(86_400.max(min));
        // spec T-2: MaxTTL 31536000, or DefaultTTL if Min/Default are larger.
        let max = max
            .map(|m| m.max(0) as u64)
            .unwrap_or(31_536_000.max(default));
        Self { min, default, max }
    }

    /// spec T-6/C-1: all three TTLs zero means caching is disabled.
    pub fn caching_disabled(&self) -> bool {
        self.min == 0 && self.default == 0 && self.max == 0
    }
}

/// The `Cache-Control` directives the edge acts on (spec T-1, T-10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheControl {
    pub max_age: Option<u64>,
    pub s_maxage: Option<u64>,
    pub no_cache: bool,
    pub no_store: bool,
    pub private: bool,
    pub stale_while_revalidate: Option<u64>,
    pub stale_if_error: Option<u64>,
}

impl CacheControl {
    /// Parses every `Cache-Control` header of a response. Unknown directives are ignored; a
    /// malformed number makes the directive absent (never a panic on origin data).
    pub fn parse(headers: &HeaderMap) -> Self {
        let mut cc = CacheControl::default();
        for value in headers.get_all(CACHE_CONTROL) {
            let Ok(text) = value.to_str() else { continue };
            for directive in text.split(',') {
                let directive = directive.trim();
                let (name, arg) = match directive.split_once('=') {
                    Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                    None => (directive, None),
                };
                let secs = || {
                    arg.and_then(|a| a.parse::<u64>().ok())
                        .map(|s| s.min(HUNDRED_YEARS))
                };
                match name.to_ascii_lowercase().as_str() {
                    "max-age" => cc.max_age = secs(),
                    "s-maxage" => cc.s_maxage = secs(),
                    // `no-cache="Set-Cookie"` names fields; only the bare form forbids reuse.
                    "no-cache" => cc.no_cache |= arg.is_none(),
                    "no-store" => cc.no_store = true,
                    "private" => cc.private |= arg.is_none(),
                    "stale-while-revalidate" => cc.stale_while_revalidate = secs(),
                    "stale-if-error" => cc.stale_if_error = secs(),
                    _ => {}
                }
            }
        }
        cc
    }

    /// The origin's lifetime per spec T-3: s-maxage > max-age (> Expires, handled by the caller).
    fn lifetime(&self) -> Option<u64> {
        self.s_maxage.or(self.max_age)
    }
}

/// Why a response was not stored. Stable strings for headers, logs and the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoCacheReason {
    /// spec T-4: no-cache/no-store/private with MinTTL 0 (no-store/private, §19-3).
    OriginDirective,
    /// spec T-6: the computed TTL is zero and there is nothing to revalidate with.
    ZeroTtl,
    /// spec M-2/M-5: the method's responses are never cached.
    Method,
    /// spec E-3: an error status that is not cached (or not without max-age).
    ErrorStatus,
    /// spec K-10: legacy `Headers: ["*"]` forwards everything and caches nothing.
    AllHeadersForwarded,
    /// spec O-6: the body arrived incomplete.
    Incomplete,
    /// spec §19-18: larger than the cache could keep; streamed through instead.
    TooLarge,
}

impl NoCacheReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            NoCacheReason::OriginDirective => "origin-directive",
            NoCacheReason::ZeroTtl => "zero-ttl",
            NoCacheReason::Method => "method",
            NoCacheReason::ErrorStatus => "error-status",
            NoCacheReason::AllHeadersForwarded => "all-headers-forwarded",
            NoCacheReason::Incomplete => "incomplete",
            NoCacheReason::TooLarge => "too-large",
        }
    }
}

/// The decision for one origin response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Keep it; fresh for `ttl`. `revalidate` means every use must ask the origin first
    /// (spec §19-3: `no-cache` with MinTTL 0 is "store, always revalidate"; T-6 TTL 0 with a
    /// validator).
    Store { ttl: Duration, revalidate: bool },
    /// Do not keep it.
    DontStore(NoCacheReason),
}

/// spec T-4: the TTL of a successful (2xx/3xx) response.
pub fn decide(headers: &HeaderMap, settings: TtlSettings, now: SystemTime) -> Storage {
    let cc = CacheControl::parse(headers);
    let has_validator = headers.contains_key(hyper::header::ETAG)
        || headers.contains_key(hyper::header::LAST_MODIFIED);
    if cc.no_store || cc.private || cc.no_cache {
        if settings.min > 0 {
            // spec T-4 right column: cached for MinTTL despite the directive (§19-3).
            return Storage::Store {
                ttl: Duration::from_secs(settings.min),
                revalidate: false,
            };
        }
        if cc.no_cache && !cc.no_store && !cc.private && has_validator {
            // spec §19-3 decision: `no-cache` alone with MinTTL 0 is stored and revalidated on
            // every request, which is what lets a 304 become a RefreshHit.
            return Storage::Store {
                ttl: Duration::ZERO,
                revalidate: true,
            };
        }
        return Storage::DontStore(NoCacheReason::OriginDirective);
    }
    let origin = cc.lifetime().or_else(|| expires_in(headers, now));
    let ttl = match origin {
        // spec T-4 rows 1, 3, 4: clamp the origin's value into [MinTTL, MaxTTL].
        Some(n) => n.max(settings.min).min(settings.max.max(settings.min)),
        // spec T-4 row 2: no origin value → DefaultTTL (at least MinTTL).
        None => settings.default.max(settings.min),
    };
    if ttl == 0 {
        // spec T-6: every request goes to the origin, conditional when validators exist.
        return if has_validator {
            Storage::Store {
                ttl: Duration::ZERO,
                revalidate: true,
            }
        } else {
            Storage::DontStore(NoCacheReason::ZeroTtl)
        };
    }
    Storage::Store {
        ttl: Duration::from_secs(ttl),
        revalidate: false,
    }
}

/// [`decide`] with the reason in words and the rule ids, for the request tester: which row of
/// spec T-4 (or T-6, §19-3) applied and with which values, e.g. "stored for 60 s: origin
/// Cache-Control max-age=60, within MinTTL 0 and MaxTTL 31536000 (spec T-4)". The storage
/// returned is always exactly what [`decide`] returns.
pub fn explain(headers: &HeaderMap, settings: TtlSettings, now: SystemTime) -> (Storage, String) {
    let storage = decide(headers, settings, now);
    let cc = CacheControl::parse(headers);
    let TtlSettings { min, default, max } = settings;
    let text = if cc.no_store || cc.private || cc.no_cache {
        let directive = if cc.no_store {
            "no-store"
        } else if cc.private {
            "private"
        } else {
            "no-cache"
        };
        match storage {
            Storage::Store {
                revalidate: false, ..
            } => format!(
                "stored for {min} s: origin sent {directive}, but MinTTL {min} > 0 applies \
                 (spec T-4, §19-3)"
            ),
            Storage::Store { .. } => "stored, revalidated on every request: origin sent \
                                      no-cache with a validator and MinTTL is 0 (spec T-4, §19-3)"
                .to_string(),
            Storage::DontStore(_) if directive == "no-cache" => {
                "not stored: origin sent no-cache without ETag or Last-Modified and MinTTL is \
                 0 (spec T-4, §19-3)"
                    .to_string()
            }
            Storage::DontStore(_) => {
                format!("not stored: origin sent {directive} and MinTTL is 0 (spec T-4, §19-3)")
            }
        }
    } else {
        let source = match (cc.s_maxage, cc.max_age) {
            (Some(s), Some(m)) => Some((
                s,
                format!("Cache-Control s-maxage={s} (over max-age={m}, spec T-3)"),
            )),
            (Some(s), None) => Some((s, format!("Cache-Control s-maxage={s}"))),
            (None, Some(m)) => Some((m, format!("Cache-Control max-age={m}"))),
            (None, None) => expires_in(headers, now).map(|n| {
                if n == 0 {
                    (
                        0,
                        "Expires in the past or not a date (spec §19-2)".to_string(),
                    )
                } else {
                    (n, format!("Expires in {n} s"))
                }
            }),
        };
        match (storage, source) {
            (Storage::DontStore(_), _) if settings.caching_disabled() => {
                "not stored: MinTTL, DefaultTTL and MaxTTL are all 0, caching is disabled \
                 (spec T-6)"
                    .to_string()
            }
            (Storage::Store { .. }, _) if settings.caching_disabled() => {
                "stored, revalidated on every request: MinTTL, DefaultTTL and MaxTTL are all \
                 0 and the response has a validator (spec T-6)"
                    .to_string()
            }
            (Storage::DontStore(_), Some((_, src))) => format!(
                "not stored: origin {src} gives TTL 0 and the response has no ETag or \
                 Last-Modified to revalidate with (spec T-6)"
            ),
            (Storage::DontStore(_), None) => {
                "not stored: DefaultTTL 0 applies and the response has no ETag or \
                 Last-Modified to revalidate with (spec T-4, T-6)"
                    .to_string()
            }
            (
                Storage::Store {
                    revalidate: true, ..
                },
                Some((_, src)),
            ) => format!(
                "stored, revalidated on every request: origin {src} gives TTL 0 and the \
                 response has a validator (spec T-6)"
            ),
            (
                Storage::Store {
                    revalidate: true, ..
                },
                None,
            ) => "stored, revalidated on every request: DefaultTTL 0 applies and \
                  the response has a validator (spec T-4, T-6)"
                .to_string(),
            (Storage::Store { ttl, .. }, Some((n, src))) => {
                let t = ttl.as_secs();
                if n < min {
                    format!(
                        "stored for {t} s: origin {src} is below MinTTL {min}, so MinTTL \
                         applies (spec T-4)"
                    )
                } else if n > max.max(min) {
                    format!(
                        "stored for {t} s: origin {src} is above MaxTTL {max}, so MaxTTL \
                         applies (spec T-4)"
                    )
                } else {
                    format!(
                        "stored for {t} s: origin {src}, within MinTTL {min} and MaxTTL {max} \
                         (spec T-4)"
                    )
                }
            }
            (Storage::Store { ttl, .. }, None) => {
                let t = ttl.as_secs();
                if min > default {
                    format!(
                        "stored for {t} s: origin sent no max-age, s-maxage or Expires, and \
                         MinTTL {min} is above DefaultTTL {default}, so MinTTL applies (spec T-4)"
                    )
                } else {
                    format!(
                        "stored for {t} s: origin sent no max-age, s-maxage or Expires, so \
                         DefaultTTL {default} applies (spec T-4)"
                    )
                }
            }
        }
    };
    (storage, text)
}

/// spec T-3/§19-2: seconds until `Expires`; in the past or unparsable → 0.
fn expires_in(headers: &HeaderMap, now: SystemTime) -> Option<u64> {
    let value = headers.get(EXPIRES)?;
    let Some(when) = value
        .to_str()
        .ok()
        .and_then(|v| httpdate::parse_http_date(v).ok())
    else {
        return Some(0);
    };
    Some(when.duration_since(now).map(|d| d.as_secs()).unwrap_or(0))
}

/// spec E-3: is an error status cacheable at all, given the origin's Cache-Control?
pub fn error_cacheable(status: u16, headers: &HeaderMap) -> bool {
    match status {
        404 | 414 | 500 | 501 | 502 | 503 | 504 => true,
        // spec E-3 / §19-8: only with max-age or s-maxage from the origin.
        400 | 403 | 405 | 412 | 415 => {
            let cc = CacheControl::parse(headers);
            cc.lifetime().is_some()
        }
        // spec E-3/G-5: 416 never; other codes not cached [inferred].
        _ => false,
    }
}

/// spec E-4: error TTL = max(ErrorCachingMinTTL, origin max-age/s-maxage/Expires capped by
/// MaxTTL). `error_min_ttl` defaults to 10 s (the caller passes the configured value).
pub fn decide_error(
    status: u16,
    headers: &HeaderMap,
    error_min_ttl: u64,
    settings: TtlSettings,
    now: SystemTime,
) -> Storage {
    if !error_cacheable(status, headers) {
        return Storage::DontStore(NoCacheReason::ErrorStatus);
    }
    let cc = CacheControl::parse(headers);
    let origin = cc
        .lifetime()
        .or_else(|| {
            headers
                .contains_key(EXPIRES)
                .then(|| expires_in(headers, now))
                .flatten()
        })
        .map(|n| n.min(settings.max))
        .unwrap_or(0);
    let ttl = error_min_ttl.max(origin);
    if ttl == 0 {
        Storage::DontStore(NoCacheReason::ZeroTtl)
    } else {
        Storage::Store {
            ttl: Duration::from_secs(ttl),
            revalidate: false,
        }
    }
}

/// spec E-10: 307/308 are cached only when the origin sent `Cache-Control`.
pub fn redirect_cacheable(status: u16, headers: &HeaderMap) -> bool {
    !matches!(status, 307 | 308) || headers.contains_key(CACHE_CONTROL)
}

/// spec K-11: a response that disables collapsing for its object (MinTTL 0 and a directive
/// that forbids sharing).
pub fn forbids_collapsing(headers: &HeaderMap, settings: TtlSettings) -> bool {
    let cc = CacheControl::parse(headers);
    settings.min == 0
        && (cc.private
            || cc.no_store
            || cc.no_cache
            || cc.max_age == Some(0)
            || cc.s_maxage == Some(0))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::type_complexity)] // table-driven cases are tuples by design

    use super::*;
    use hyper::header::{ETAG, HeaderValue};

    fn h(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        m
    }

    fn s(min: u64, default: u64, max: u64) -> TtlSettings {
        TtlSettings { min, default, max }
    }

    fn store(secs: u64) -> Storage {
        Storage::Store {
            ttl: Duration::from_secs(secs),
            revalidate: false,
        }
    }

    #[test]
    fn t4_table() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let in_100 = httpdate::fmt_http_date(now + Duration::from_secs(100));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(100));
        let cases: Vec<(&str, Vec<(&str, &str)>, TtlSettings, Storage)> = vec![
            (
                "T-4 max-age, Min 0",
                vec![("cache-control", "max-age=60")],
                s(0, 86400, 31536000),
                store(60),
            ),
            (
                "T-4 max-age > Max",
                vec![("cache-control", "max-age=999")],
                s(0, 10, 100),
                store(100),
            ),
            (
                "T-4 max-age < Min",
                vec![("cache-control", "max-age=5")],
                s(30, 60, 100),
                store(30),
            ),
            (
                "T-4 within",
                vec![("cache-control", "max-age=50")],
                s(30, 60, 100),
                store(50),
            ),
            (
                "T-4 none → Default",
                vec![],
                s(0, 86400, 31536000),
                store(86400),
            ),
            ("T-4 none Min>Default", vec![], s(100, 50, 200), store(100)),
            (
                "T-3 s-maxage wins",
                vec![("cache-control", "max-age=10, s-maxage=70")],
                s(0, 5, 1000),
                store(70),
            ),
            (
                "T-4 s-maxage clamped",
                vec![("cache-control", "s-maxage=7000")],
                s(0, 5, 1000),
                store(1000),
            ),
            (
                "T-3 max-age beats Expires",
                vec![("cache-control", "max-age=20"), ("expires", &in_100)],
                s(0, 5, 1000),
                store(20),
            ),
            (
                "T-4 Expires",
                vec![("expires", &in_100)],
                s(0, 5, 1000),
                store(100),
            ),
            (
                "T-4 Expires > Max",
                vec![("expires", &in_100)],
                s(0, 5, 50),
                store(50),
            ),
            (
                "§19-2 past Expires",
                vec![("expires", &past)],
                s(0, 5, 50),
                Storage::DontStore(NoCacheReason::ZeroTtl),
            ),
            (
                "§19-2 past Expires MinTTL",
                vec![("expires", &past)],
                s(3, 5, 50),
                store(3),
            ),
            (
                "§19-2 bad Expires",
                vec![("expires", "soon")],
                s(0, 5, 50),
                Storage::DontStore(NoCacheReason::ZeroTtl),
            ),
            (
                "T-4 no-store Min0",
                vec![("cache-control", "no-store")],
                s(0, 5, 50),
                Storage::DontStore(NoCacheReason::OriginDirective),
            ),
            (
                "T-4 private Min0",
                vec![("cache-control", "private, max-age=60")],
                s(0, 5, 50),
                Storage::DontStore(NoCacheReason::OriginDirective),
            ),
            (
                "T-4 no-cache Min0 no validator",
                vec![("cache-control", "no-cache")],
                s(0, 5, 50),
                Storage::DontStore(NoCacheReason::OriginDirective),
            ),
            (
                "§19-3 no-cache Min0 validator",
                vec![("cache-control", "no-cache"), ("etag", "\"a\"")],
                s(0, 5, 50),
                Storage::Store {
                    ttl: Duration::ZERO,
                    revalidate: true,
                },
            ),
            (
                "T-4 no-store MinTTL>0",
                vec![("cache-control", "no-store")],
                s(20, 50, 100),
                store(20),
            ),
            (
                "T-6 max-age=0 no validator",
                vec![("cache-control", "max-age=0")],
                s(0, 5, 50),
                Storage::DontStore(NoCacheReason::ZeroTtl),
            ),
            (
                "T-6 max-age=0 validator",
                vec![("cache-control", "max-age=0"), ("etag", "\"x\"")],
                s(0, 5, 50),
                Storage::Store {
                    ttl: Duration::ZERO,
                    revalidate: true,
                },
            ),
            (
                "T-6 CachingDisabled",
                vec![("cache-control", "max-age=600")],
                s(0, 0, 0),
                Storage::DontStore(NoCacheReason::ZeroTtl),
            ),
            (
                "T-3 malformed max-age ignored",
                vec![("cache-control", "max-age=abc")],
                s(0, 42, 50),
                store(42),
            ),
        ];
        for (name, headers, settings, want) in cases {
            assert_eq!(decide(&h(&headers), settings, now), want, "{name}");
            // explain() gives the same decision, in words with a rule id.
            let (storage, text) = explain(&h(&headers), settings, now);
            assert_eq!(storage, want, "explain: {name}");
            assert!(text.contains("(spec "), "{name}: {text}");
            let stored = matches!(want, Storage::Store { .. });
            assert_eq!(text.starts_with("stored"), stored, "{name}: {text}");
            if let Storage::Store {
                ttl,
                revalidate: false,
            } = want
            {
                assert!(
                    text.starts_with(&format!("stored for {} s:", ttl.as_secs())),
                    "{name}: {text}"
                );
            }
        }
    }

    #[test]
    fn explain_names_the_row_and_the_values() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let in_100 = httpdate::fmt_http_date(now + Duration::from_secs(100));
        let cases: Vec<(Vec<(&str, &str)>, TtlSettings, &str)> = vec![
            (
                vec![("cache-control", "max-age=60")],
                s(0, 86400, 31536000),
                "stored for 60 s: origin Cache-Control max-age=60, within MinTTL 0 and MaxTTL \
                 31536000 (spec T-4)",
            ),
            (
                vec![("cache-control", "max-age=999")],
                s(0, 10, 100),
                "stored for 100 s: origin Cache-Control max-age=999 is above MaxTTL 100, so MaxTTL \
                 applies (spec T-4)",
            ),
            (
                vec![("cache-control", "max-age=5")],
                s(30, 60, 100),
                "stored for 30 s: origin Cache-Control max-age=5 is below MinTTL 30, so MinTTL \
                 applies (spec T-4)",
            ),
            (
                vec![],
                s(0, 86400, 31536000),
                "stored for 86400 s: origin sent no max-age, s-maxage or Expires, so DefaultTTL \
                 86400 applies (spec T-4)",
            ),
            (
                vec![],
                s(100, 50, 200),
                "stored for 100 s: origin sent no max-age, s-maxage or Expires, and MinTTL 100 is \
                 above DefaultTTL 50, so MinTTL applies (spec T-4)",
            ),
            (
                vec![("cache-control", "max-age=10, s-maxage=70")],
                s(0, 5, 1000),
                "stored for 70 s: origin Cache-Control s-maxage=70 (over max-age=10, spec T-3), \
                 within MinTTL 0 and MaxTTL 1000 (spec T-4)",
            ),
            (
                vec![("expires", &in_100)],
                s(0, 5, 1000),
                "stored for 100 s: origin Expires in 100 s, within MinTTL 0 and MaxTTL 1000 (spec \
                 T-4)",
            ),
            (
                vec![("cache-control", "no-store")],
                s(0, 5, 50),
                "not stored: origin sent no-store and MinTTL is 0 (spec T-4, §19-3)",
            ),
            (
                vec![("cache-control", "private, max-age=60")],
                s(0, 5, 50),
                "not stored: origin sent private and MinTTL is 0 (spec T-4, §19-3)",
            ),
            (
                vec![("cache-control", "no-cache")],
                s(0, 5, 50),
                "not stored: origin sent no-cache without ETag or Last-Modified and MinTTL is 0 \
                 (spec T-4, §19-3)",
            ),
            (
                vec![("cache-control", "no-cache"), ("etag", "\"a\"")],
                s(0, 5, 50),
                "stored, revalidated on every request: origin sent no-cache with a validator and \
                 MinTTL is 0 (spec T-4, §19-3)",
            ),
            (
                vec![("cache-control", "no-store")],
                s(20, 50, 100),
                "stored for 20 s: origin sent no-store, but MinTTL 20 > 0 applies (spec T-4, \
                 §19-3)",
            ),
            (
                vec![("cache-control", "private")],
                s(20, 50, 100),
                "stored for 20 s: origin sent private, but MinTTL 20 > 0 applies (spec T-4, \
                 §19-3)",
            ),
            (
                vec![("cache-control", "max-age=0")],
                s(0, 5, 50),
                "not stored: origin Cache-Control max-age=0 gives TTL 0 and the response has no \
                 ETag or Last-Modified to revalidate with (spec T-6)",
            ),
            (
                vec![("cache-control", "max-age=0"), ("etag", "\"x\"")],
                s(0, 5, 50),
                "stored, revalidated on every request: origin Cache-Control max-age=0 gives TTL 0 \
                 and the response has a validator (spec T-6)",
            ),
            (
                vec![("cache-control", "max-age=600")],
                s(0, 0, 0),
                "not stored: MinTTL, DefaultTTL and MaxTTL are all 0, caching is disabled (spec \
                 T-6)",
            ),
            (
                vec![("expires", "soon")],
                s(0, 5, 50),
                "not stored: origin Expires in the past or not a date (spec §19-2) gives TTL 0 \
                 and the response has no ETag or Last-Modified to revalidate with (spec T-6)",
            ),
        ];
        for (headers, settings, want) in cases {
            let (storage, text) = explain(&h(&headers), settings, now);
            assert_eq!(storage, decide(&h(&headers), settings, now));
            assert_eq!(text, want, "{headers:?} {settings:?}");
        }
    }

    #[test]
    fn e3_e4_error_caching() {
        let now = SystemTime::UNIX_EPOCH;
        let st = s(0, 86400, 31536000);
        let cases: Vec<(u16, Vec<(&str, &str)>, u64, Storage)> = vec![
            (404, vec![], 10, store(10)),
            (503, vec![("cache-control", "max-age=60")], 10, store(60)),
            (500, vec![("cache-control", "max-age=5")], 30, store(30)),
            (
                403,
                vec![],
                10,
                Storage::DontStore(NoCacheReason::ErrorStatus),
            ),
            (403, vec![("cache-control", "max-age=7")], 5, store(7)),
            (
                416,
                vec![("cache-control", "max-age=7")],
                5,
                Storage::DontStore(NoCacheReason::ErrorStatus),
            ),
            (
                418,
                vec![],
                10,
                Storage::DontStore(NoCacheReason::ErrorStatus),
            ),
            (404, vec![], 0, Storage::DontStore(NoCacheReason::ZeroTtl)),
        ];
        for (status, headers, min, want) in cases {
            assert_eq!(
                decide_error(status, &h(&headers), min, st, now),
                want,
                "{status} {headers:?}"
            );
        }
        // E-4: the origin value is capped by MaxTTL.
        assert_eq!(
            decide_error(
                404,
                &h(&[("cache-control", "max-age=999")]),
                10,
                s(0, 5, 100),
                now
            ),
            store(100)
        );
    }

    #[test]
    fn t2_defaults_and_k11() {
        assert_eq!(
            TtlSettings::with_defaults(None, None, None),
            s(0, 86400, 31536000)
        );
        assert_eq!(
            TtlSettings::with_defaults(Some(100000), None, None),
            s(100000, 100000, 31536000)
        );
        assert!(forbids_collapsing(
            &h(&[("cache-control", "private")]),
            s(0, 1, 2)
        ));
        assert!(!forbids_collapsing(
            &h(&[("cache-control", "private")]),
            s(5, 5, 5)
        ));
        assert!(!redirect_cacheable(307, &HeaderMap::new()));
        assert!(redirect_cacheable(301, &HeaderMap::new()));
        let cc = CacheControl::parse(&h(&[
            ("cache-control", "max-age=5, stale-if-error=30"),
            ("etag", "\"a\""),
        ]));
        assert_eq!(cc.stale_if_error, Some(30));
        let _ = ETAG;
    }
}
