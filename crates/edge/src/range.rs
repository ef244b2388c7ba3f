//! Byte ranges (spec §9): a viewer's `Range`, an origin's `Content-Range`, and which cached span
//! answers which request. A ranged miss forwards the viewer's single valid range and caches the
//! origin's 206 as a range entry (G-2); hits are cut from the whole object or from a cached range
//! that covers them (G-1); invalid specs get the full 200 (G-3). Pure functions, table-tested.

use std::fmt;

/// What to do with a `Range` header against an object of known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// One satisfiable range, inclusive bounds.
    Satisfiable(u64, u64),
    /// Syntactically valid but entirely past the end: 416 (never cached, G-5).
    Unsatisfiable,
    /// Invalid, multiple, non-ascending or overlapping: serve 200 with the full object (G-3).
    /// Multiple valid ranges also land here (no multipart/byteranges in the preview).
    Ignore,
}

/// One byte range as the viewer asked for it, before the object's length is known
/// (RFC 9110 §14.1.2). Displayed as its range-spec (`0-99`, `100-`, `-50`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// `a-b`, a ≤ b.
    FromTo(u64, u64),
    /// `a-`: from a to the end.
    From(u64),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

impl Wanted {
    /// The single range of a `Range` header, or None when the header is invalid, names another
    /// unit, or asks for several ranges (spec G-3: no range is forwarded, the full object is
    /// answered with 200).
    pub fn parse(header: &str) -> Option<Wanted> {
        let spec = header.trim().strip_prefix("bytes=")?;
        let mut parts = spec.split(',').map(str::trim);
        let one = parts.next()?;
        if parts.next().is_some() {
            // spec G-3: several ranges; a valid ascending non-overlapping set would be answered
            // with multipart by CloudFront. Decision: full 200 (the viewer still gets correct
            // bytes).
            return None;
        }
        let (a, b) = one.split_once('-')?;
        let (a, b) = (a.trim(), b.trim());
        match (a.is_empty(), b.is_empty()) {
            (true, true) => None,
            (true, false) => Some(Wanted::Suffix(digits(b)?)),
            (false, true) => Some(Wanted::From(digits(a)?)),
            (false, false) => {
                let (s, e) = (digits(a)?, digits(b)?);
                (s <= e).then_some(Wanted::FromTo(s, e))
            }
        }
    }

    /// The inclusive bounds this range selects in an object of `len` bytes, None when it selects
    /// nothing (unsatisfiable: 416).
    pub fn resolve(self, len: u64) -> Option<(u64, u64)> {
        let last = len.checked_sub(1)?;
        let (s, e) = match self {
            Wanted::FromTo(s, e) => (s, e.min(last)),
            Wanted::From(s) => (s, last),
            Wanted::Suffix(0) => return None,
            Wanted::Suffix(n) => (len.saturating_sub(n), last),
        };
        (s <= last).then_some((s, e))
    }

    /// The `Range` header value sent to the origin (spec G-2), in canonical form.
    pub fn header_value(self) -> String {
        format!("bytes={self}")
    }
}

impl fmt::Display for Wanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wanted::FromTo(s, e) => write!(f, "{s}-{e}"),
            Wanted::From(s) => write!(f, "{s}-"),
            Wanted::Suffix(n) => write!(f, "-{n}"),
        }
    }
}

/// RFC 9110 range-specs are ASCII digits only (`u64::from_str` would also take a `+`).
fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `bytes=a-b`, `bytes=a-`, `bytes=-n` against `len`.
pub fn parse(header: &str, len: u64) -> Range {
    match Wanted::parse(header) {
        None => Range::Ignore,
        Some(w) => match w.resolve(len) {
            Some((s, e)) => Range::Satisfiable(s, e),
            None => Range::Unsatisfiable,
        },
    }
}

/// The bytes a range entry holds: inclusive bounds within an object of `total` bytes.
/// Displayed as `start-end`, the part of the entry's cache key that names it (spec G-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u64,
    pub end: u64,
    pub total: u64,
}

impl Span {
    /// spec G-1: the bounds of `want` when this span holds all of them. A range that is
    /// unsatisfiable against the object is not covered: it goes to the origin, which answers
    /// the 416 (G-5).
    pub fn covers(self, want: Wanted) -> Option<(u64, u64)> {
        let (s, e) = want.resolve(self.total)?;
        (self.start <= s && e <= self.end).then_some((s, e))
    }

    /// The `Content-Range` value for bytes `s..=e` of this object.
    pub fn content_range(self, s: u64, e: u64) -> String {
        format!("bytes {s}-{e}/{}", self.total)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// A 206's `Content-Range: bytes a-b/total` (RFC 9110 §14.4); `total` is None for `/*`
/// (complete length unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    pub start: u64,
    pub end: u64,
    pub total: Option<u64>,
}

impl ContentRange {
    /// None when malformed, when it is the unsatisfied form (`bytes */n`), or when its bounds
    /// are reversed or past the complete length.
    pub fn parse(value: &str) -> Option<ContentRange> {
        let rest = value.trim().strip_prefix("bytes ")?;
        let (bounds, total) = rest.trim_start().split_once('/')?;
        let (a, b) = bounds.split_once('-')?;
        let (start, end) = (digits(a)?, digits(b)?);
        let total = match total {
            "*" => None,
            t => Some(digits(t)?),
        };
        if start > end || total.is_some_and(|t| end >= t) {
            return None;
        }
        Some(ContentRange { start, end, total })
    }
}

/// An origin's 206 to a forwarded range, once checked (spec G-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partial {
    /// It holds the requested bytes: passed through and cached as a range entry.
    Cacheable(Span),
    /// `bytes a-b/*`: a well-formed answer for an object of unknown length. spec G-2
    /// (decision): passed through but not cached, since no later request can be checked
    /// against it.
    UnknownLength,
}

/// Why an origin's 206 cannot be passed on (spec G-5 decision: the viewer gets 502, nothing
/// is cached).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadPartial {
    #[error("the 206 has no Content-Range")]
    NoContentRange,
    #[error("the 206's Content-Range is malformed")]
    Malformed,
    #[error("the 206's Content-Range does not hold the requested range")]
    NotRequested,
    #[error("the 206's body length differs from its Content-Range")]
    Length,
}

/// spec G-2/G-5: checks a complete 206 body against the range that was forwarded. The span
/// must hold every requested byte (a wider span is accepted: the edge cuts the viewer's range
/// from it, as G-1 allows the edge to widen ranges) and the body must be exactly the span.
pub fn check_partial(
    want: Wanted,
    content_range: Option<&str>,
    body_len: u64,
) -> Result<Partial, BadPartial> {
    let cr = ContentRange::parse(content_range.ok_or(BadPartial::NoContentRange)?)
        .ok_or(BadPartial::Malformed)?;
    if body_len != cr.end - cr.start + 1 {
        return Err(BadPartial::Length);
    }
    let Some(total) = cr.total else {
        // Without the length only a plain `a-b` request can be checked: same start, and no
        // byte past what was asked for.
        return match want {
            Wanted::FromTo(s, e) if cr.start == s && cr.end <= e => Ok(Partial::UnknownLength),
            _ => Err(BadPartial::NotRequested),
        };
    };
    let span = Span {
        start: cr.start,
        end: cr.end,
        total,
    };
    span.covers(want)
        .map(|_| Partial::Cacheable(span))
        .ok_or(BadPartial::NotRequested)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_rules_table() {
        let cases = [
            ("bytes=0-9", 100, Range::Satisfiable(0, 9)),
            ("bytes=90-", 100, Range::Satisfiable(90, 99)),
            ("bytes=-10", 100, Range::Satisfiable(90, 99)),
            ("bytes=-500", 100, Range::Satisfiable(0, 99)),
            ("bytes=50-500", 100, Range::Satisfiable(50, 99)),
            ("bytes=100-", 100, Range::Unsatisfiable),
            ("bytes=-0", 100, Range::Unsatisfiable),
            ("bytes=0-", 0, Range::Unsatisfiable),
            ("bytes=300-400,100-200", 1000, Range::Ignore), // G-3 not ascending
            ("bytes=100-200,150-250", 1000, Range::Ignore), // G-3 overlapping
            ("bytes=0-9,20-29", 1000, Range::Ignore),       // G-3 decision: no multipart
            ("bytes=-5-3", 100, Range::Ignore),             // G-3 negative
            ("bytes=+5-9", 100, Range::Ignore),             // digits only
            ("bytes=9-3", 100, Range::Ignore),
            ("bytes=-", 100, Range::Ignore),
            ("bytes=a-b", 100, Range::Ignore),
            ("items=0-1", 100, Range::Ignore),
        ];
        for (h, len, want) in cases {
            assert_eq!(parse(h, len), want, "{h}");
        }
    }

    #[test]
    fn g2_wanted_forwarded_in_canonical_form() {
        let cases = [
            ("bytes=0-9", Some("bytes=0-9")),
            (" bytes= 5 - ", Some("bytes=5-")),
            ("bytes=-10", Some("bytes=-10")),
            ("bytes=0-1,3-4", None),
            ("bytes=3-1", None),
        ];
        for (h, forwarded) in cases {
            assert_eq!(
                Wanted::parse(h).map(Wanted::header_value).as_deref(),
                forwarded,
                "{h}"
            );
        }
    }

    #[test]
    fn content_range_table() {
        let cr = |start, end, total| Some(ContentRange { start, end, total });
        let cases = [
            ("bytes 0-9/100", cr(0, 9, Some(100))),
            ("bytes 99-99/100", cr(99, 99, Some(100))),
            ("  bytes 2-4/10 ", cr(2, 4, Some(10))),
            ("bytes 0-9/*", cr(0, 9, None)),
            ("bytes */100", None), // the 416 form
            ("bytes 0-100/100", None),
            ("bytes 9-0/100", None),
            ("bytes 0-9", None),
            ("bytes=0-9/100", None),
            ("bytes -9/100", None),
            ("bytes 0-+9/100", None),
            ("items 0-9/100", None),
            ("", None),
        ];
        for (v, want) in cases {
            assert_eq!(ContentRange::parse(v), want, "{v:?}");
        }
    }

    #[test]
    fn g1_span_coverage_table() {
        let span = Span {
            start: 100,
            end: 199,
            total: 1000,
        };
        let tail = Span {
            start: 900,
            end: 999,
            total: 1000,
        };
        let cases = [
            (span, Wanted::FromTo(100, 199), Some((100, 199))),
            (span, Wanted::FromTo(120, 150), Some((120, 150))), // sub-range
            (span, Wanted::FromTo(99, 150), None),              // starts before
            (span, Wanted::FromTo(150, 200), None),             // ends after
            (span, Wanted::FromTo(300, 400), None),             // elsewhere
            (span, Wanted::From(150), None),                    // to the end: not held
            (span, Wanted::Suffix(50), None),
            (tail, Wanted::From(950), Some((950, 999))),
            (tail, Wanted::Suffix(100), Some((900, 999))),
            (tail, Wanted::Suffix(101), None),
            (tail, Wanted::FromTo(950, 5000), Some((950, 999))), // clamped to the object
            (tail, Wanted::From(1000), None),                    // unsatisfiable: origin's 416
        ];
        for (span, want, covered) in cases {
            assert_eq!(span.covers(want), covered, "{span} / {want}");
        }
    }

    #[test]
    fn g2_g5_origin_partial_checks_table() {
        use BadPartial::*;
        let span = |start, end, total| Ok(Partial::Cacheable(Span { start, end, total }));
        let cases = [
            (
                Wanted::FromTo(0, 9),
                Some("bytes 0-9/100"),
                10,
                span(0, 9, 100),
            ),
            (
                Wanted::FromTo(90, 200),
                Some("bytes 90-99/100"),
                10,
                span(90, 99, 100),
            ),
            (
                Wanted::Suffix(10),
                Some("bytes 90-99/100"),
                10,
                span(90, 99, 100),
            ),
            (Wanted::From(5), Some("bytes 5-9/10"), 5, span(5, 9, 10)),
            // wider than asked: accepted, the edge cuts the viewer's bytes from it
            (
                Wanted::FromTo(2, 4),
                Some("bytes 0-9/10"),
                10,
                span(0, 9, 10),
            ),
            (
                Wanted::FromTo(0, 9),
                Some("bytes 0-9/*"),
                10,
                Ok(Partial::UnknownLength),
            ),
            (Wanted::From(0), Some("bytes 0-9/*"), 10, Err(NotRequested)),
            (Wanted::FromTo(0, 9), None, 10, Err(NoContentRange)),
            (Wanted::FromTo(0, 9), Some("0-9/100"), 10, Err(Malformed)),
            (Wanted::FromTo(0, 9), Some("bytes */100"), 0, Err(Malformed)),
            (Wanted::FromTo(0, 9), Some("bytes 0-9/100"), 9, Err(Length)),
            (
                Wanted::FromTo(0, 9),
                Some("bytes 10-19/100"),
                10,
                Err(NotRequested),
            ),
            (
                Wanted::FromTo(0, 9),
                Some("bytes 1-9/100"),
                9,
                Err(NotRequested),
            ),
            (Wanted::From(5), Some("bytes 5-8/10"), 4, Err(NotRequested)),
            (Wanted::From(50), Some("bytes 5-9/10"), 5, Err(NotRequested)),
        ];
        for (want, cr, len, expected) in cases {
            assert_eq!(
                check_partial(want, cr, len),
                expected,
                "{want} / {cr:?} / {len}"
            );
        }
    }
}
