//! Invalidation paths (spec §15, rules I-1..I-12): parsing, linting, matching against cached
//! requests, and the quota and price arithmetic the control plane and the UI show.
//!
//! The preview edge server uses [`InvalidationPath::matches`] to purge its cache the way
//! CloudFront would; the lint catches paths that would be rejected or would silently match nothing.
//!
//! ```
//! use cfconsole_model::invalidation::{InvalidationPath, cost};
//! let p = InvalidationPath::parse("/img.jpg").unwrap();
//! assert!(p.matches("/img.jpg", Some("w=200"))); // spec I-3: every query variant
//! assert!(InvalidationPath::parse("/images/*.jpg").is_err()); // spec I-2
//! assert_eq!(cost(990, 20).to_string(), "$0.050 (10 paths billed, 10 free)"); // spec I-9
//! ```

use serde::Serialize;

use crate::finding::Finding;

/// Longest accepted invalidation path, in characters (spec I-1).
pub const MAX_PATH_LEN: usize = 4_000;
/// Individual (non-wildcard) paths that may be in progress per distribution (spec I-8).
pub const MAX_INDIVIDUAL_IN_PROGRESS: usize = 3_000;
/// Wildcard paths that may be in progress per distribution (spec I-8).
pub const MAX_WILDCARD_IN_PROGRESS: usize = 15;
/// Paths per account per month that cost nothing (spec I-9).
pub const FREE_PATHS_PER_MONTH: u64 = 1_000;
/// Price of each further path, in thousandths of a US dollar: $0.005 (spec I-9).
pub const PRICE_PER_PATH_MILLIDOLLARS: u64 = 5;

/// Why an invalidation path is rejected (CloudFront answers `InvalidArgument`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidationPathError {
    /// The path is empty.
    #[error("an invalidation path cannot be empty; use `/*` to invalidate everything")]
    Empty,
    /// The path does not begin with `/`.
    #[error("an invalidation path must begin with `/`; write \"/{path}\" (spec I-1)")]
    NoLeadingSlash {
        /// The path as given.
        path: String,
    },
    /// Longer than [`MAX_PATH_LEN`] characters.
    #[error("the path is {len} characters long; at most 4000 are accepted (spec I-1)")]
    TooLong {
        /// Length in characters.
        len: usize,
    },
    /// A `*` that is not the last character.
    #[error(
        "`*` at position {position} is not the last character; a wildcard is allowed only at \
         the end (`/images/*`, `/images*`); percent-encode a literal asterisk as `%2A` (spec I-2)"
    )]
    StrayWildcard {
        /// 1-based character position of the first stray `*`.
        position: usize,
    },
    /// A control character (NUL, CR, LF, tab, DEL, ...): no request path can contain one
    /// unencoded, and CR/LF could split a header or a log line where the path is written.
    #[error(
        "control character U+{code:04X} at position {position}; percent-encode it \
            (`%{code:02X}`)          to name a path that contains it (spec I-4)"
    )]
    ControlCharacter {
        /// 1-based character position of the first control character.
        position: usize,
        /// Its code point.
        code: u32,
    },
}

/// A valid invalidation path: begins with `/`, at most 4,000 characters, `*` only at the end.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct InvalidationPath {
    raw: String,
}

impl InvalidationPath {
    /// Parses a path with the rules CloudFront enforces (I-1, I-2). What is legal but will
    /// probably not do what was meant (I-4, I-5) is left to [`lint_path`] and [`Self::note`].
    pub fn parse(path: &str) -> Result<Self, InvalidationPathError> {
        if path.is_empty() {
            return Err(InvalidationPathError::Empty);
        }
        if !path.starts_with('/') {
            return Err(InvalidationPathError::NoLeadingSlash {
                path: path.to_string(),
            });
        }
        let len = path.chars().count();
        if len > MAX_PATH_LEN {
            return Err(InvalidationPathError::TooLong { len });
        }
        if let Some((i, c)) = path.chars().enumerate().find(|(_, c)| c.is_control()) {
            return Err(InvalidationPathError::ControlCharacter {
                position: i + 1,
                code: u32::from(c),
            });
        }
        // spec I-2: `*` only as the last character.
        if let Some((i, _)) = path
            .char_indices()
            .enumerate()
            .find(|(_, (at, c))| *c == '*' && at + 1 != path.len())
        {
            return Err(InvalidationPathError::StrayWildcard { position: i + 1 });
        }
        Ok(Self {
            raw: path.to_string(),
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// True for a wildcard path (ends with `*`, spec I-2): one of the 15 in progress (I-8).
    pub fn is_wildcard(&self) -> bool {
        self.raw.ends_with('*')
    }

    /// Does this invalidation remove the cached object for request `path` (raw, still
    /// percent-encoded, spec I-4) with query string `query` (without the `?`; `None` when the
    /// request had no `?`)?
    ///
    /// spec I-3 is ambiguous (§19-6); the decision implemented here:
    /// - a path without `?` or `*` removes every query variant of exactly that path;
    /// - a path with `?` (and no trailing `*`) removes only that exact path and query;
    /// - a trailing `*` is a prefix match on the path followed by `?query` when there is one,
    ///   so `/img.jpg*` removes `/img.jpg?p=a` and `/img.jpg.bak`.
    ///
    /// Comparison is case-sensitive (I-1) and on the encoded form (I-4).
    pub fn matches(&self, path: &str, query: Option<&str>) -> bool {
        if let Some(prefix) = self.raw.strip_suffix('*') {
            // spec I-3: prefix on path+query.
            return match prefix.len().checked_sub(path.len()) {
                // The prefix lies within the path.
                None | Some(0) => path.starts_with(prefix),
                // The prefix reaches into the query: `?` then the query must continue it.
                Some(_) => match (prefix.strip_prefix(path), query) {
                    (Some(rest), Some(q)) => rest
                        .strip_prefix('?')
                        .is_some_and(|rest_q| q.starts_with(rest_q)),
                    _ => false,
                },
            };
        }
        match self.raw.split_once('?') {
            // spec I-3: with `?`, the exact path and query.
            Some((p, q)) => p == path && query == Some(q),
            // spec I-3: without `?`, every query variant of the exact path.
            None => self.raw == path,
        }
    }

    /// A hint worth showing beside the path, when there is one (spec I-5: `/images` and
    /// `/images/` are different objects). Not a finding: such a path is often exactly right.
    pub fn note(&self) -> Option<String> {
        if self.is_wildcard() || self.raw.contains('?') || self.raw == "/" {
            return None;
        }
        if let Some(dir) = self.raw.strip_suffix('/') {
            return Some(format!(
                "`{}` invalidates only the directory object `{}`, not the files in it and not \
                 `{dir}`; use `{}*` for everything below it (spec I-5)",
                self.raw, self.raw, self.raw
            ));
        }
        let last = self.raw.rsplit('/').next().unwrap_or_default();
        if !last.contains('.') {
            return Some(format!(
                "`{0}` and `{0}/` are different objects; invalidate `{0}/` as well if both are \
                 cached, or `{0}/*` for the files below it (spec I-5)",
                self.raw
            ));
        }
        None
    }
}

impl std::fmt::Display for InvalidationPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

impl std::str::FromStr for InvalidationPath {
    type Err = InvalidationPathError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Characters that must be percent-encoded in a path (spec I-4: "non-ASCII or unsafe"): controls,
/// space and the characters RFC 3986 never allows unencoded in a path. `?` and `*` are syntax
/// here (I-3, I-2); `%` is checked separately.
pub(crate) fn needs_encoding(c: char) -> bool {
    !c.is_ascii() || c.is_ascii_control() || " \"#<>\\^`{|}".contains(c)
}

/// The byte a percent-encoding's two hex digits stand for. Exactly two ASCII hex digits:
/// `u8::from_str_radix` alone would also take `+F`, which is no percent-encoding.
fn hex_byte(h: &[u8]) -> Option<u8> {
    let digit = |b: u8| (b as char).to_digit(16);
    match h {
        [a, b] => Some((digit(*a)? * 16 + digit(*b)?) as u8),
        _ => None,
    }
}

/// Unreserved characters (RFC 3986 §2.3): encoding them changes nothing for a browser, but
/// CloudFront compares the encoded form, so an encoded one never matches (spec I-4).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// Findings for one path written at field `field` (`Paths.Items[3]`): the parse errors (I-1,
/// I-2) with the API's code, and warnings for encoding that will not match (I-4).
pub fn lint_path(field: &str, path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Err(e) = InvalidationPath::parse(path) {
        out.push(Finding::error(field, "InvalidArgument", e.to_string()));
    }
    let bytes = path.as_bytes();
    for (i, c) in path.chars().enumerate() {
        if needs_encoding(c) {
            let mut buf = [0u8; 4];
            let encoded: String = c
                .encode_utf8(&mut buf)
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect();
            out.push(Finding::warning(
                field,
                format!(
                    "character {c:?} at position {} should be percent-encoded as `{encoded}`; \
                     cached objects are stored under the encoded path (spec I-4)",
                    i + 1
                ),
            ));
        }
    }
    let mut at = 0;
    while let Some(off) = bytes
        .get(at..)
        .and_then(|r| r.iter().position(|b| *b == b'%'))
    {
        let pos = at + off;
        at = pos + 1;
        let hex = bytes.get(pos + 1..pos + 3);
        let decoded = hex.and_then(hex_byte);
        let text = hex.map(String::from_utf8_lossy).unwrap_or_default();
        match decoded {
            None => out.push(Finding::warning(
                field,
                format!(
                    "`%` at byte {} does not start a percent-encoding (`%` and two hex digits); \
                     write `%25` for a literal percent sign (spec I-4)",
                    pos + 1
                ),
            )),
            Some(b) if is_unreserved(b) => out.push(Finding::warning(
                field,
                format!(
                    "`%{text}` encodes `{}`, which needs no encoding; CloudFront compares paths \
                     as encoded, so this path will not match requests for `{}`: write it \
                     unencoded (spec I-4)",
                    b as char, b as char
                ),
            )),
            Some(_) => {}
        }
    }
    out
}

/// Findings for the paths of one invalidation batch (`Paths.Items[i]`): each path's own
/// findings, duplicates, paths already covered by a wildcard of the same batch, and a batch
/// larger than the in-progress quotas (I-8). `Paths.Quantity` is checked elsewhere (I-12).
pub fn lint_batch(paths: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    if paths.is_empty() {
        out.push(Finding::error(
            "Paths.Items",
            "InvalidArgument",
            "an invalidation needs at least one path; use `/*` to invalidate everything",
        ));
        return out;
    }
    let parsed: Vec<Option<InvalidationPath>> = paths
        .iter()
        .map(|p| InvalidationPath::parse(p).ok())
        .collect();
    for (i, p) in paths.iter().enumerate() {
        let field = format!("Paths.Items[{i}]");
        out.extend(lint_path(&field, p));
        if let Some(first) = paths[..i].iter().position(|q| q == p) {
            out.push(Finding::warning(
                field,
                format!(
                    "`{p}` is listed twice (first at Paths.Items[{first}]); it is billed for \
                     each listing (spec I-9): remove the duplicate"
                ),
            ));
            continue;
        }
        let Some(this) = &parsed[i] else { continue };
        let covering = parsed.iter().enumerate().find(|(j, w)| {
            *j != i
                && w.as_ref()
                    .is_some_and(|w| w.is_wildcard() && w != this && wildcard_covers(w, this))
        });
        if let Some((j, Some(w))) = covering {
            out.push(Finding::warning(
                field,
                format!(
                    "`{p}` is already invalidated by `{w}` (Paths.Items[{j}]) and still counts \
                     toward the bill (spec I-9): remove it"
                ),
            ));
        }
    }
    let counts = count_paths(parsed.iter().flatten());
    if counts.individual > MAX_INDIVIDUAL_IN_PROGRESS {
        out.push(Finding::error(
            "Paths.Items",
            "TooManyInvalidationsInProgress",
            format!(
                "{} individual paths in one invalidation; at most {MAX_INDIVIDUAL_IN_PROGRESS} \
                 may be in progress per distribution (spec I-8): split the batch, or use \
                 wildcard paths",
                counts.individual
            ),
        ));
    }
    if counts.wildcard > MAX_WILDCARD_IN_PROGRESS {
        out.push(Finding::error(
            "Paths.Items",
            "TooManyInvalidationsInProgress",
            format!(
                "{} wildcard paths in one invalidation; at most {MAX_WILDCARD_IN_PROGRESS} may \
                 be in progress per distribution (spec I-8): merge them into fewer wildcards",
                counts.wildcard
            ),
        ));
    }
    out
}

/// True when wildcard `w` invalidates everything `p` does. Whatever `p` is, everything it
/// invalidates begins with `p` minus its trailing `*` (an individual path without `?` takes its
/// query variants, I-3, which begin with the path too), and `w` takes everything that begins
/// with its prefix: so `w` covers `p` exactly when `p`'s fixed part begins with `w`'s prefix.
fn wildcard_covers(w: &InvalidationPath, p: &InvalidationPath) -> bool {
    let prefix = w.raw.trim_end_matches('*');
    p.raw.trim_end_matches('*').starts_with(prefix)
}

/// How many paths of each kind (spec I-8 counts them separately).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PathCounts {
    /// Paths without a trailing `*`.
    pub individual: usize,
    /// Paths ending with `*`.
    pub wildcard: usize,
}

impl PathCounts {
    /// All paths (each is billed as one, spec I-9).
    pub fn total(&self) -> usize {
        self.individual + self.wildcard
    }

    /// Whether `new` may start while `self` is in progress (spec I-8: 3,000 individual and 15
    /// wildcard paths in progress, independent limits). The error names the limit that is hit.
    pub fn admits(&self, new: PathCounts) -> Result<(), QuotaExceeded> {
        let individual = self.individual + new.individual;
        let wildcard = self.wildcard + new.wildcard;
        if individual > MAX_INDIVIDUAL_IN_PROGRESS {
            return Err(QuotaExceeded::Individual {
                in_progress: self.individual,
                requested: new.individual,
            });
        }
        if wildcard > MAX_WILDCARD_IN_PROGRESS {
            return Err(QuotaExceeded::Wildcard {
                in_progress: self.wildcard,
                requested: new.wildcard,
            });
        }
        Ok(())
    }
}

/// Counts individual and wildcard paths.
pub fn count_paths<'a>(paths: impl IntoIterator<Item = &'a InvalidationPath>) -> PathCounts {
    paths.into_iter().fold(PathCounts::default(), |mut c, p| {
        if p.is_wildcard() {
            c.wildcard += 1;
        } else {
            c.individual += 1;
        }
        c
    })
}

/// An in-progress quota of spec I-8 would be exceeded (CloudFront:
/// `TooManyInvalidationsInProgress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuotaExceeded {
    /// More than 3,000 individual paths in progress.
    #[error(
        "{in_progress} individual paths are in progress and {requested} more were requested; at \
         most 3000 may be in progress per distribution: wait for some to complete, or use \
         wildcard paths"
    )]
    Individual {
        /// Already in progress.
        in_progress: usize,
        /// In the new invalidation.
        requested: usize,
    },
    /// More than 15 wildcard paths in progress.
    #[error(
        "{in_progress} wildcard paths are in progress and {requested} more were requested; at \
         most 15 may be in progress per distribution: wait for some to complete"
    )]
    Wildcard {
        /// Already in progress.
        in_progress: usize,
        /// In the new invalidation.
        requested: usize,
    },
}

/// What invalidating more paths this month costs (spec I-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// Paths of the new request that fall within the free 1,000.
    pub free_paths: u64,
    /// Paths of the new request that are billed.
    pub billed_paths: u64,
    /// The price in thousandths of a US dollar (exact: $0.005 = 5).
    pub millidollars: u64,
}

impl std::fmt::Display for Cost {
    /// `$0.035 (7 paths billed, 993 free)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "${}.{:03} ({} paths billed, {} free)",
            self.millidollars / 1000,
            self.millidollars % 1000,
            self.billed_paths,
            self.free_paths
        )
    }
}

/// The cost of invalidating `new_paths` paths when `already_this_month` paths were invalidated
/// this month by the account (spec I-9: first 1,000 free, then $0.005 each; a wildcard path
/// counts as one, like any path).
pub fn cost(already_this_month: u64, new_paths: u64) -> Cost {
    let free_left = FREE_PATHS_PER_MONTH.saturating_sub(already_this_month);
    let free_paths = new_paths.min(free_left);
    let billed_paths = new_paths - free_paths;
    Cost {
        free_paths,
        billed_paths,
        millidollars: billed_paths.saturating_mul(PRICE_PER_PATH_MILLIDOLLARS),
    }
}

/// The corrected form of `path`, when it can be worked out (the "fix" the console offers one
/// click away), or None when the path is fine or cannot be fixed mechanically:
/// - a missing leading `/` is added (spec I-1);
/// - everything after the first `*` is dropped, so `/images/*.jpg` becomes `/images/*`: a wildcard
///   is allowed only at the end (I-2), and a prefix is what such a path usually means;
/// - spaces, controls, non-ASCII and the other characters of `needs_encoding` are
///   percent-encoded, a `%` that starts no encoding becomes `%25`, and an encoded unreserved
///   character is decoded (I-4: CloudFront compares the encoded form).
///
/// The result always parses and lints without warnings (a property test checks it); a path
/// that would be longer than [`MAX_PATH_LEN`] once fixed has no fix.
pub fn fix_path(path: &str) -> Option<String> {
    let trimmed = path.trim();
    if trimmed.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(trimmed.len() + 1);
    if !trimmed.starts_with('/') {
        out.push('/');
    }
    let bytes = trimmed.as_bytes();
    let mut i = 0;
    while i < trimmed.len() {
        let c = trimmed[i..].chars().next().unwrap_or_default();
        let len = c.len_utf8();
        if c == '*' {
            // spec I-2: the first `*` ends the path.
            out.push('*');
            break;
        }
        if c == '%' {
            let hex = bytes.get(i + 1..i + 3).and_then(hex_byte);
            match hex {
                Some(b) if is_unreserved(b) => {
                    out.push(b as char);
                    i += 3;
                    continue;
                }
                Some(_) => {
                    // A valid encoding: kept, with upper-case hex as browsers send it.
                    out.push('%');
                    out.push_str(&trimmed[i + 1..i + 3].to_ascii_uppercase());
                    i += 3;
                    continue;
                }
                None => out.push_str("%25"),
            }
        } else if needs_encoding(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
        i += len;
    }
    // spec I-1: encoding can lengthen a path past the limit; that is no fix.
    if out.chars().count() > MAX_PATH_LEN {
        return None;
    }
    (out != path).then_some(out)
}

/// A wildcard that would be billed as one path instead of the several individual paths of a
/// batch that it covers (spec I-9: each path is billed, a wildcard counts as one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheaperWildcard {
    /// The wildcard path, `/img/*`.
    pub wildcard: String,
    /// The indexes in the batch of the individual paths it replaces (at least two).
    pub replaces: Vec<usize>,
}

/// Groups of two or more individual paths in the same folder, each of which one wildcard
/// (`/folder/*`) would cover for the price of one path. The wildcard also removes the other
/// objects of the folder, which the console says beside the offer. Folders are given in the
/// order their first path appears; the root folder is not offered (`/*` removes everything).
pub fn cheaper_wildcards(paths: &[String]) -> Vec<CheaperWildcard> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, p) in paths.iter().enumerate() {
        let Ok(parsed) = InvalidationPath::parse(p) else {
            continue;
        };
        if parsed.is_wildcard() || p.contains('?') {
            continue;
        }
        let Some(slash) = p.rfind('/') else { continue };
        if slash == 0 {
            continue;
        }
        let folder = &p[..=slash];
        let at = *index.entry(folder.to_string()).or_insert_with(|| {
            groups.push((folder.to_string(), Vec::new()));
            groups.len() - 1
        });
        if !groups[at].1.iter().any(|&j| paths[j] == *p) {
            groups[at].1.push(i);
        }
    }
    groups
        .into_iter()
        .filter(|(_, v)| v.len() >= 2)
        .map(|(folder, replaces)| CheaperWildcard {
            wildcard: format!("{folder}*"),
            replaces,
        })
        .collect()
}

#[cfg(test)]
mod tests;
