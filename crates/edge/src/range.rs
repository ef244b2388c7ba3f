//! Byte ranges (spec §9): parsing a viewer's `Range` against a cached object's length. The edge
//! serves ranges from the full cached object (G-1/G-2); invalid specs get the full 200 (G-3).

/// What to do with a `Range` header.
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

/// Parses `bytes=a-b`, `bytes=a-`, `bytes=-n` against `len`.
pub fn parse(header: &str, len: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Ignore;
    };
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    if parts.len() != 1 {
        // spec G-3: several ranges; a valid ascending non-overlapping set would be answered
        // with multipart by CloudFront. Decision: full 200 (the viewer still gets correct bytes).
        return Range::Ignore;
    }
    let Some((a, b)) = parts[0].split_once('-') else {
        return Range::Ignore;
    };
    let (a, b) = (a.trim(), b.trim());
    let parsed = match (a.is_empty(), b.is_empty()) {
        (true, true) => return Range::Ignore,
        (true, false) => match b.parse::<u64>() {
            Ok(0) => return Range::Unsatisfiable,
            Ok(n) => (len.saturating_sub(n), len.saturating_sub(1)),
            Err(_) => return Range::Ignore,
        },
        (false, true) => match a.parse::<u64>() {
            Ok(s) => (s, len.saturating_sub(1)),
            Err(_) => return Range::Ignore,
        },
        (false, false) => match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(s), Ok(e)) if s <= e => (s, e.min(len.saturating_sub(1))),
            _ => return Range::Ignore,
        },
    };
    if len == 0 || parsed.0 >= len {
        return Range::Unsatisfiable;
    }
    Range::Satisfiable(parsed.0, parsed.1)
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
            ("bytes=50-500", 100, Range::Satisfiable(50, 99)),
            ("bytes=100-", 100, Range::Unsatisfiable),
            ("bytes=300-400,100-200", 1000, Range::Ignore), // G-3 not ascending
            ("bytes=100-200,150-250", 1000, Range::Ignore), // G-3 overlapping
            ("bytes=-5-3", 100, Range::Ignore),             // G-3 negative
            ("bytes=9-3", 100, Range::Ignore),
            ("items=0-1", 100, Range::Ignore),
        ];
        for (h, len, want) in cases {
            assert_eq!(parse(h, len), want, "{h}");
        }
    }
}
