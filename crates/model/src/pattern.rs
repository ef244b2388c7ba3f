//! CloudFront path patterns (spec §2, rules P-1..P-12): parsing, matching, behavior selection
//! with an explanation, shadowing analysis and the pattern-related lint.
//!
//! A pattern is compiled once into a [`PathPattern`]; matching a request path is allocation-free
//! (a literal prefix/suffix pre-check, then an iterative glob matcher that backtracks only to the
//! last `*`), because the preview edge server selects a behavior for every request.
//!
//! ```
//! use cfconsole_model::pattern::{PathPattern, covers};
//! let jpg = PathPattern::parse("images/*.jpg").unwrap();
//! assert!(jpg.matches("/images/2024/a.jpg")); // spec P-6: `*` crosses `/`
//! assert!(!jpg.matches("/images/a.JPG")); // spec P-8: case-sensitive
//! let all = PathPattern::parse("/images/*").unwrap();
//! assert!(covers(&all, &jpg)); // placed first, `/images/*` would shadow `images/*.jpg`
//! ```

use std::collections::HashMap;

use serde::Serialize;

use crate::finding::Finding;
use crate::shapes::{DistributionConfig, Method};

/// Longest accepted pattern, in characters (spec P-9).
pub const MAX_PATTERN_LEN: usize = 255;

/// What a pattern may contain besides ASCII letters and digits (spec P-9, plus the `?` wildcard
/// of P-5 that the documented list forgets).
const PATTERN_PUNCTUATION: &str = "_-.*$/~\"'@:+&?";

/// The accepted set, as error messages print it.
const PATTERN_CHARSET_TEXT: &str = "A-Z a-z 0-9 _ - . * $ / ~ \" ' @ : + & and the wildcard ?";

/// Why a path pattern is rejected (CloudFront answers `InvalidArgument`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// The pattern is empty.
    #[error("a path pattern cannot be empty; use `*` to match every path")]
    Empty,
    /// Longer than [`MAX_PATTERN_LEN`] characters.
    #[error("the path pattern is {len} characters long; at most 255 are accepted (spec P-9)")]
    TooLong {
        /// Length in characters.
        len: usize,
    },
    /// A character outside the accepted set.
    #[error(
        "character {ch:?} at position {position} is not allowed in a path pattern; \
         accepted: {PATTERN_CHARSET_TEXT} (spec P-9)"
    )]
    InvalidChar {
        /// The offending character.
        ch: char,
        /// 1-based character position in the pattern as written.
        position: usize,
    },
}

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Token {
    /// A literal byte (patterns are ASCII once validated; a lenient compile keeps UTF-8 bytes).
    Lit(u8),
    /// `?`: exactly one character (spec P-5, P-7).
    One,
    /// `*`: zero or more characters, `/` included (spec P-5, P-6).
    Any,
}

/// A compiled CloudFront path pattern.
///
/// Matching follows spec P-4..P-9: `*` is zero or more characters and crosses `/`, `?` is exactly
/// one character, everything else is literal and case-sensitive, the match is anchored at both
/// ends, and a leading `/` is optional on both the pattern and the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    /// The pattern as written.
    source: String,
    /// The pattern without its leading `/` (spec P-4), as tokens.
    tokens: Box<[Token]>,
    /// Literal bytes before the first wildcard: every match starts with them.
    prefix: Box<[u8]>,
    /// Literal bytes after the last wildcard when that wildcard is a `*` (empty otherwise):
    /// every match ends with them.
    suffix: Box<[u8]>,
    /// Fewest bytes a matching (normalised) path can have: the literal bytes plus one per `?`.
    min_len: usize,
    /// True when the pattern has no `*`: the path has a fixed number of characters.
    fixed_len: bool,
    /// The pattern's form, for the shortcuts of [`Self::matches`].
    kind: Kind,
}

/// Forms that need no glob: most real patterns are `prefix*`, `*suffix`, `prefix*suffix` or a
/// literal path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No wildcard: the path equals the prefix.
    Literal,
    /// One `*` and no `?`: prefix and suffix checks (and the length) decide.
    OneStar,
    /// Anything else: the glob matcher.
    General,
}

impl PathPattern {
    /// Parses and validates a pattern (spec P-9: at most 255 characters from the accepted set).
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        validate(pattern)?;
        Ok(Self::compile(pattern))
    }

    /// Compiles a pattern without validating its characters or length. Used to explain and
    /// preview configurations that CloudFront would reject: the selection still shows what such
    /// a pattern would match, while [`lint`] reports it as an error.
    pub fn compile(pattern: &str) -> Self {
        // spec P-4: the leading `/` is optional; compare without it.
        let body = pattern.strip_prefix('/').unwrap_or(pattern);
        let tokens: Box<[Token]> = body
            .bytes()
            .map(|b| match b {
                b'*' => Token::Any,
                b'?' => Token::One,
                b => Token::Lit(b),
            })
            .collect();
        let prefix: Box<[u8]> = tokens
            .iter()
            .map_while(|t| match t {
                Token::Lit(b) => Some(*b),
                _ => None,
            })
            .collect();
        let fixed_len = !tokens.contains(&Token::Any);
        let suffix: Box<[u8]> = if fixed_len {
            Box::default()
        } else {
            let mut tail: Vec<u8> = tokens
                .iter()
                .rev()
                .map_while(|t| match t {
                    Token::Lit(b) => Some(*b),
                    _ => None,
                })
                .collect();
            // A `?` right before the tail stops it; only a `*` makes the tail a true suffix.
            let before_tail = tokens.len() - tail.len();
            if before_tail == 0 || tokens[before_tail - 1] != Token::Any {
                tail.clear();
            }
            tail.reverse();
            tail.into_boxed_slice()
        };
        let min_len = tokens.iter().filter(|t| **t != Token::Any).count();
        let stars = tokens.iter().filter(|t| **t == Token::Any).count();
        let kind = match (stars, tokens.contains(&Token::One)) {
            (0, false) => Kind::Literal,
            (1, false) => Kind::OneStar,
            _ => Kind::General,
        };
        Self {
            kind,
            source: pattern.to_string(),
            tokens,
            prefix,
            suffix,
            min_len,
            fixed_len,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the pattern has no wildcard: it matches exactly one path (P-4 aside).
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Lit(_)))
    }

    /// True when the pattern matches every path (`*`, `/*`, `**`, …). `/` alone has no token
    /// left after its optional leading `/` (P-4) and matches only the root.
    pub fn matches_everything(&self) -> bool {
        !self.tokens.is_empty() && self.tokens.iter().all(|t| *t == Token::Any)
    }

    /// Does `path` match? `path` is the raw URL path without the query string (spec P-3).
    ///
    /// spec P-9 / §19-5 (ambiguous): percent-encoded paths are matched raw, as received; `%2A`
    /// is three literal characters, never a wildcard, and `%41` does not match a pattern's `A`.
    pub fn matches(&self, path: &str) -> bool {
        // spec P-4: the leading `/` is optional on the path as well.
        let p = path.strip_prefix('/').unwrap_or(path).as_bytes();
        // Cheap rejections first: most patterns of a distribution differ in their prefix, most
        // often in its first byte (checked inline, before any slice comparison).
        if let Some(first) = self.prefix.first()
            && p.first() != Some(first)
        {
            return false;
        }
        // Empty prefixes and suffixes are skipped rather than compared: an empty boxed slice has
        // a dangling pointer, and glibc's AVX-512 memcmp does a masked load from it even for
        // length 0, which costs a fault-suppression assist (~90 ns measured) on every call.
        if p.len() < self.min_len
            || (!self.prefix.is_empty() && !p.starts_with(&self.prefix))
            || (!self.suffix.is_empty() && !p.ends_with(&self.suffix))
        {
            return false;
        }
        match self.kind {
            // The prefix is the whole pattern and the path starts with it.
            Kind::Literal => p.len() == self.prefix.len(),
            // Prefix and suffix cannot overlap: the length check above (min_len is their
            // combined length here) leaves room for both.
            Kind::OneStar => true,
            Kind::General => {
                if self.fixed_len && p.is_ascii() && p.len() != self.tokens.len() {
                    return false;
                }
                glob(&self.tokens, p)
            }
        }
    }

    /// Why `path` does not match, for people (None when it matches). Rules are tried from the
    /// most to the least telling: case (P-8), `?` (P-7), prefix, suffix, then the rest.
    pub fn mismatch(&self, path: &str) -> Option<Mismatch> {
        if self.matches(path) {
            return None;
        }
        let p = path.strip_prefix('/').unwrap_or(path);
        let shown = display_pattern(&self.source);
        if glob_ci(&self.tokens, p.as_bytes()) {
            return Some(Mismatch {
                rule: "P-8",
                reason: format!(
                    "case differs: {shown} matches this path only when upper and lower case \
                     are treated alike, and CloudFront compares them exactly"
                ),
            });
        }
        if self.tokens.contains(&Token::One) {
            let relaxed: Box<[Token]> = self
                .tokens
                .iter()
                .map(|t| if *t == Token::One { Token::Any } else { *t })
                .collect();
            if glob(&relaxed, p.as_bytes()) {
                return Some(Mismatch {
                    rule: "P-7",
                    reason: format!(
                        "`?` needs exactly one character: {shown} would match if each `?` \
                         could take zero or several characters (use `*` for that)"
                    ),
                });
            }
        }
        if self.is_literal() {
            return Some(Mismatch {
                rule: "P-5",
                reason: format!(
                    "{shown} has no wildcard and matches only the exact path `/{}`",
                    String::from_utf8_lossy(&self.prefix)
                ),
            });
        }
        if !p.as_bytes().starts_with(&self.prefix) {
            let prefix = String::from_utf8_lossy(&self.prefix);
            let mut reason = format!("{shown} requires the path to start with `/{prefix}`");
            if let Some(dir) = prefix.strip_suffix('/')
                && p == dir
            {
                reason.push_str(&format!(
                    "; the path `/{dir}` lacks the trailing `/` (add a behavior for `/{dir}` too \
                     if it should be routed the same way)"
                ));
            }
            return Some(Mismatch {
                rule: "P-5",
                reason,
            });
        }
        if !p.as_bytes().ends_with(&self.suffix) {
            return Some(Mismatch {
                rule: "P-5",
                reason: format!(
                    "{shown} requires the path to end with `{}`",
                    String::from_utf8_lossy(&self.suffix)
                ),
            });
        }
        if self.fixed_len {
            return Some(Mismatch {
                rule: "P-5",
                reason: format!(
                    "{shown} has no `*`, so it matches only paths of exactly {} characters \
                     (after the optional leading `/`) with its literal characters in place",
                    self.tokens.len()
                ),
            });
        }
        Some(Mismatch {
            rule: "P-5",
            reason: format!(
                "{shown} does not match: its literal parts do not all occur in the path in this \
                 order"
            ),
        })
    }
}

impl std::fmt::Display for PathPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl std::str::FromStr for PathPattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Why a path does not match a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The spec rule that decides it (`P-7`, `P-8`, …).
    pub rule: &'static str,
    /// The explanation, naming the pattern.
    pub reason: String,
}

fn display_pattern(source: &str) -> String {
    format!("pattern `{source}`")
}

/// Checks spec P-9: non-empty, at most 255 characters, accepted characters only.
fn validate(pattern: &str) -> Result<(), PatternError> {
    if pattern.is_empty() {
        return Err(PatternError::Empty);
    }
    let len = pattern.chars().count();
    if len > MAX_PATTERN_LEN {
        return Err(PatternError::TooLong { len });
    }
    for (i, ch) in pattern.chars().enumerate() {
        if !(ch.is_ascii_alphanumeric() || PATTERN_PUNCTUATION.contains(ch)) {
            return Err(PatternError::InvalidChar {
                ch,
                position: i + 1,
            });
        }
    }
    Ok(())
}

/// Width in bytes of the UTF-8 character starting with `b` (1 for ASCII and stray bytes).
#[inline]
fn char_width(b: u8) -> usize {
    match b {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Iterative glob match of `tokens` against all of `s`, remembering only the last `*`
/// (a later `*` subsumes every choice of an earlier one, so one backtrack point suffices).
/// `?` and `*` advance by whole UTF-8 characters so `?` is one character, not one byte.
#[inline]
fn glob(tokens: &[Token], s: &[u8]) -> bool {
    glob_by(tokens, s, |a, b| a == b)
}

/// [`glob`] with ASCII case folded, for the P-8 explanation.
fn glob_ci(tokens: &[Token], s: &[u8]) -> bool {
    glob_by(tokens, s, |a, b| a.eq_ignore_ascii_case(&b))
}

#[inline]
fn glob_by(tokens: &[Token], s: &[u8], eq: impl Fn(u8, u8) -> bool) -> bool {
    let (mut t, mut i) = (0usize, 0usize);
    // (token index after the last `*`, path index that `*` currently extends to)
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match tokens.get(t) {
            Some(Token::Lit(b)) if eq(*b, s[i]) => {
                t += 1;
                i += 1;
                continue;
            }
            Some(Token::One) => {
                t += 1;
                i += char_width(s[i]);
                continue;
            }
            Some(Token::Any) => {
                t += 1;
                star = Some((t, i));
                continue;
            }
            _ => {}
        }
        // Mismatch: let the last `*` take one more character, or fail.
        match star {
            Some((st, si)) if si < s.len() => {
                let next = si + char_width(s[si]);
                star = Some((st, next));
                t = st;
                i = next;
            }
            _ => return false,
        }
    }
    // `?` may have stepped past the end on a truncated UTF-8 sequence.
    if i > s.len() {
        return false;
    }
    tokens[t.min(tokens.len())..]
        .iter()
        .all(|tok| *tok == Token::Any)
}

/// True when every path matched by `later` is also matched by `earlier`, so that a behavior with
/// `later` placed after one with `earlier` can never be selected (spec P-1: first match wins).
///
/// Algorithm: `later` is read as a string of symbols (literal characters, `?`, `*`) and matched
/// against `earlier` with the ordinary glob rules, except that an `earlier` literal only matches
/// the same literal, an `earlier` `?` matches a literal or a `?` (one character either way), and
/// only an `earlier` `*` can absorb a `later` `*`. If that symbolic match succeeds, substituting
/// any concrete characters for `later`'s wildcards gives a concrete match of `earlier`, so the
/// answer `true` is always right. The converse does not always hold (`?*` covers `*?`, but the
/// symbolic match fails), so `false` can mean "not sure": conservative, as the lint wants.
/// Literal `later` patterns are decided exactly by matching them as paths.
pub fn covers(earlier: &PathPattern, later: &PathPattern) -> bool {
    if later.is_literal() {
        // A literal pattern matches one path: itself (spec P-4 normalises the leading `/`).
        return earlier.matches(later.as_str());
    }
    if earlier.matches_everything() {
        return true;
    }
    covers_symbolic(&earlier.tokens, &later.tokens)
}

fn covers_symbolic(e: &[Token], l: &[Token]) -> bool {
    let (mut t, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < l.len() {
        let step = match (e.get(t), l[i]) {
            (Some(Token::Any), _) => {
                star = Some((t + 1, i));
                t += 1;
                continue;
            }
            (Some(Token::Lit(a)), Token::Lit(b)) => *a == b,
            (Some(Token::One), Token::Lit(_) | Token::One) => true,
            _ => false,
        };
        if step {
            t += 1;
            i += 1;
            continue;
        }
        match star {
            Some((st, si)) if si < l.len() => {
                star = Some((st, si + 1));
                t = st;
                i = si + 1;
            }
            _ => return false,
        }
    }
    e[t.min(e.len())..].iter().all(|tok| *tok == Token::Any)
}

/// The patterns of a configuration's cache behaviors, compiled once, for per-request selection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompiledBehaviors {
    patterns: Vec<PathPattern>,
}

impl CompiledBehaviors {
    /// Compiles `CacheBehaviors.Items[*].PathPattern` in order. Invalid patterns are compiled
    /// leniently (see [`PathPattern::compile`]); [`lint`] reports them.
    pub fn new(config: &DistributionConfig) -> Self {
        let patterns = config
            .cache_behaviors
            .as_ref()
            .map(|l| {
                l.items()
                    .iter()
                    .map(|b| PathPattern::compile(&b.path_pattern))
                    .collect()
            })
            .unwrap_or_default();
        Self { patterns }
    }

    /// The index in `CacheBehaviors.Items` of the first behavior whose pattern matches `path`,
    /// or None for the `DefaultCacheBehavior` (spec P-1). `path` excludes the query (P-3).
    #[inline]
    pub fn select(&self, path: &str) -> Option<usize> {
        self.patterns.iter().position(|p| p.matches(path))
    }

    /// The compiled patterns, in behavior order.
    pub fn patterns(&self) -> &[PathPattern] {
        &self.patterns
    }
}

/// Which behavior serves a path, and why the earlier ones did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// The path that was matched (query string and fragment removed, spec P-3; `/` replaced by
    /// the default root object, spec D-1).
    pub path: String,
    /// The requested path when the default root object replaced it (spec D-1: `/` is served as
    /// `/<DefaultRootObject>`; §19-4: before behavior matching).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<String>,
    /// Index in `CacheBehaviors.Items`, or None for the `DefaultCacheBehavior`.
    pub index: Option<usize>,
    /// Field path of the selected behavior: `CacheBehaviors.Items[3]` or `DefaultCacheBehavior`.
    pub behavior: String,
    /// The selected behavior's pattern (`*` for the default, spec P-2).
    pub pattern: String,
    /// Where the origin request goes (an origin or origin-group Id, spec P-11).
    pub target_origin_id: String,
    /// Every earlier behavior, in order, with the reason it did not match.
    pub passed_over: Vec<PassedOver>,
}

/// An earlier behavior that did not match the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassedOver {
    /// Index in `CacheBehaviors.Items`.
    pub index: usize,
    /// Its pattern as written.
    pub pattern: String,
    /// The spec rule behind the reason.
    pub rule: &'static str,
    /// Why it did not match.
    pub reason: String,
}

impl std::fmt::Display for Selection {
    /// What `cfconsole match` prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} → {} (pattern `{}`) → origin `{}`",
            self.path, self.behavior, self.pattern, self.target_origin_id
        )?;
        if let Some(r) = &self.requested {
            writeln!(
                f,
                "  {r:?} is served as {} (DefaultRootObject, spec D-1)",
                self.path
            )?;
        }
        if self.index.is_none() {
            writeln!(
                f,
                "  no cache behavior matches, so the default behavior applies (spec P-1)"
            )?;
        }
        for p in &self.passed_over {
            writeln!(
                f,
                "  passed over CacheBehaviors.Items[{}] `{}`: {} (spec {})",
                p.index, p.pattern, p.reason, p.rule
            )?;
        }
        Ok(())
    }
}

/// Which behavior of `config` serves `path`, with the reason for each earlier behavior passed
/// over (spec P-1). A query string or fragment in `path` is ignored (spec P-3).
pub fn select_behavior(config: &DistributionConfig, path: &str) -> Selection {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    // spec D-1, §19-4: the root is replaced by the default root object before matching.
    let root_object = config
        .default_root_object
        .as_deref()
        .filter(|o| !o.is_empty() && (path == "/" || path.is_empty()));
    let (requested, rewritten) = match root_object {
        Some(o) => (Some(path.to_string()), format!("/{o}")),
        None => (None, path.to_string()),
    };
    let path = rewritten.as_str();
    let behaviors = config
        .cache_behaviors
        .as_ref()
        .map(|l| l.items())
        .unwrap_or_default();
    let mut passed_over = Vec::new();
    for (index, b) in behaviors.iter().enumerate() {
        let pattern = PathPattern::compile(&b.path_pattern);
        match pattern.mismatch(path) {
            None => {
                return Selection {
                    path: path.to_string(),
                    requested,
                    index: Some(index),
                    behavior: format!("CacheBehaviors.Items[{index}]"),
                    pattern: b.path_pattern.clone(),
                    target_origin_id: b.target_origin_id.clone(),
                    passed_over,
                };
            }
            Some(m) => passed_over.push(PassedOver {
                index,
                pattern: b.path_pattern.clone(),
                rule: m.rule,
                reason: m.reason,
            }),
        }
    }
    Selection {
        path: path.to_string(),
        requested,
        index: None,
        behavior: "DefaultCacheBehavior".to_string(),
        pattern: "*".to_string(),
        target_origin_id: config.default_cache_behavior.target_origin_id.clone(),
        passed_over,
    }
}

/// Pattern comparisons the shadowing check may make (about 2,800 behaviors compared in full;
/// CloudFront's default quota is 25).
const SHADOW_COMPARISONS: usize = 4_000_000;

/// Longest accepted default root object, in characters (spec D-4).
pub const MAX_DEFAULT_ROOT_OBJECT_LEN: usize = 255;

/// The pattern-related findings of a configuration: invalid and duplicate patterns (errors),
/// behaviors that can never be selected (warnings), error pages that are not valid paths or are
/// routed badly (P-12/E-6), and the default root object (D-4).
pub fn lint(config: &DistributionConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let behaviors = config
        .cache_behaviors
        .as_ref()
        .map(|l| l.items())
        .unwrap_or_default();

    // Valid patterns, by index; invalid ones are reported and left out of the comparisons.
    let mut compiled: Vec<Option<PathPattern>> = Vec::with_capacity(behaviors.len());
    for (i, b) in behaviors.iter().enumerate() {
        let field = format!("CacheBehaviors.Items[{i}].PathPattern");
        match PathPattern::parse(&b.path_pattern) {
            Ok(p) => compiled.push(Some(p)),
            Err(e) => {
                out.push(Finding::error(field, "InvalidArgument", e.to_string()));
                compiled.push(None);
            }
        }
    }

    // The first behavior of each distinct pattern, by tokens: duplicates are found in one pass.
    let mut first: HashMap<&[Token], usize> = HashMap::with_capacity(compiled.len());
    // Comparisons left for the shadowing check, which compares each pattern with every earlier
    // one: bounded so that a hostile file (far past CloudFront's quota) cannot stall validation.
    let mut budget = SHADOW_COMPARISONS;
    let mut unchecked = false;
    for (j, later) in compiled.iter().enumerate() {
        let Some(later) = later else { continue };
        let field = format!("CacheBehaviors.Items[{j}].PathPattern");
        // spec P-4: `/a/*` and `a/*` are the same pattern.
        let i = *first.entry(&later.tokens[..]).or_insert(j);
        let duplicate = (i != j)
            .then(|| compiled[i].as_ref())
            .flatten()
            .map(|e| (i, e));
        if let Some((i, earlier)) = duplicate {
            let same = if earlier.as_str() == later.as_str() {
                String::new()
            } else {
                " (a leading `/` makes no difference, spec P-4)".to_string()
            };
            out.push(Finding::error(
                field,
                "InvalidArgument",
                format!(
                    "pattern `{}` duplicates CacheBehaviors.Items[{i}] (`{}`){same}; each cache \
                     behavior needs its own path pattern: remove one or change it",
                    later.as_str(),
                    earlier.as_str()
                ),
            ));
            continue;
        }
        if unchecked {
            continue;
        }
        if budget < j {
            out.push(Finding::warning(
                field,
                format!(
                    "{} cache behaviors are too many to check each against every earlier one; \
                     this one and those after it were not checked for being shadowed \
                     (CloudFront accepts 25 by default)",
                    behaviors.len()
                ),
            ));
            unchecked = true;
            continue;
        }
        budget -= j;
        // Every match of a pattern starts with its literal prefix, so an earlier pattern can
        // only cover this one when its prefix starts this one's (a cheap filter before `covers`).
        let shadow = compiled[..j].iter().enumerate().find_map(|(i, e)| {
            e.as_ref()
                .filter(|e| later.prefix.starts_with(&e.prefix) && covers(e, later))
                .map(|e| (i, e))
        });
        if let Some((i, earlier)) = shadow {
            out.push(Finding::warning(
                field,
                format!(
                    "this behavior is never selected: CacheBehaviors.Items[{i}] (`{}`) comes \
                     first and matches every path that `{}` matches (spec P-1: the first match \
                     wins); move this behavior above it, or remove it",
                    earlier.as_str(),
                    later.as_str()
                ),
            ));
        }
    }
    if let Some((i, p)) = compiled.iter().enumerate().find_map(|(i, p)| {
        p.as_ref()
            .filter(|p| p.matches_everything())
            .map(|p| (i, p))
    }) {
        out.push(Finding::warning(
            format!("CacheBehaviors.Items[{i}].PathPattern"),
            format!(
                "pattern `{}` matches every path, so the DefaultCacheBehavior is never used \
                 (spec P-1); edit the DefaultCacheBehavior instead",
                p.as_str()
            ),
        ));
    }

    lint_error_pages(config, &mut out);
    lint_default_root_object(config, &mut out);
    out
}

/// spec E-2, E-6, P-12: error page paths are paths, and are fetched through a behavior.
fn lint_error_pages(config: &DistributionConfig, out: &mut Vec<Finding>) {
    let Some(responses) = &config.custom_error_responses else {
        return;
    };
    let compiled = CompiledBehaviors::new(config);
    let behaviors = config
        .cache_behaviors
        .as_ref()
        .map(|l| l.items())
        .unwrap_or_default();
    for (i, r) in responses.items().iter().enumerate() {
        let Some(page) = r.response_page_path.as_deref() else {
            continue;
        };
        let field = format!("CustomErrorResponses.Items[{i}].ResponsePagePath");
        if page.is_empty() {
            continue;
        }
        if !page.starts_with('/') {
            out.push(Finding::error(
                field,
                "InvalidRelativePath",
                format!("the error page path {page:?} must begin with `/`; write \"/{page}\""),
            ));
            continue;
        }
        if let Some((pos, ch)) = page
            .chars()
            .enumerate()
            .find(|(_, c)| crate::invalidation::needs_encoding(*c))
        {
            out.push(Finding::error(
                field.clone(),
                "InvalidRelativePath",
                format!(
                    "character {ch:?} at position {} of the error page path must be \
                     percent-encoded (CloudFront requires a URL-encoded path)",
                    pos + 1
                ),
            ));
        }
        // spec E-6: the page is fetched with GET through the first behavior matching it.
        let (behavior, allowed, target) = match compiled.select(page) {
            Some(b) => {
                let cb = &behaviors[b];
                (
                    format!("CacheBehaviors.Items[{b}] (`{}`)", cb.path_pattern),
                    cb.allowed_methods.as_ref(),
                    cb.target_origin_id.as_str(),
                )
            }
            None => (
                "the DefaultCacheBehavior".to_string(),
                config.default_cache_behavior.allowed_methods.as_ref(),
                config.default_cache_behavior.target_origin_id.as_str(),
            ),
        };
        if let Some(m) = allowed
            && !m.items.contains(&Method::GET)
        {
            out.push(Finding::warning(
                field.clone(),
                format!(
                    "the error page {page} is fetched with GET through {behavior} (spec E-6), \
                     whose AllowedMethods do not include GET; the page cannot be served"
                ),
            ));
        }
        // spec E-7: a page on a custom origin fails along with that origin for 5xx errors.
        let custom_origin = config
            .origins
            .items()
            .iter()
            .find(|o| o.id == target)
            .filter(|o| o.custom_origin_config.is_some());
        if (500..600).contains(&r.error_code)
            && let Some(o) = custom_origin
        {
            out.push(Finding::warning(
                field,
                format!(
                    "the page for {} is fetched through {behavior} from the custom origin `{}` \
                     (spec E-6); when that origin is failing the page cannot be fetched either \
                     and viewers get the origin's error (E-7); serve error pages from an S3 \
                     origin with a behavior such as `/errors/*`",
                    r.error_code, o.id
                ),
            ));
        }
    }
}

/// spec D-4: length, characters, no leading `/`.
fn lint_default_root_object(config: &DistributionConfig, out: &mut Vec<Finding>) {
    let Some(obj) = config.default_root_object.as_deref() else {
        return;
    };
    if obj.is_empty() {
        return; // spec D-4: empty = no default root object
    }
    let field = "DefaultRootObject";
    let len = obj.chars().count();
    if len > MAX_DEFAULT_ROOT_OBJECT_LEN {
        out.push(Finding::error(
            field,
            "InvalidDefaultRootObject",
            format!("the default root object is {len} characters long; at most 255 are accepted"),
        ));
    }
    // spec D-4: the Developer Guide says not to begin with `/`, but the API accepts it and real
    // configurations carry `/` and `/index.html`.
    if let Some(rest) = obj.strip_prefix('/') {
        let instead = if rest.is_empty() {
            "remove it, or name the object (\"index.html\")".to_string()
        } else {
            format!("write {rest:?}")
        };
        out.push(Finding::warning(
            field,
            format!(
                "the default root object begins with `/`: CloudFront accepts it, and a request \
                 for `/` then asks the origin for `/{obj}`, which most origins do not have (for \
                 S3, the key {obj:?}, not {rest:?}; `/` alone can loop); {instead} (spec D-4)"
            ),
        ));
    }
    if let Some((i, ch)) = obj
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || "_-.*$/~\"'&".contains(*c)))
    {
        out.push(Finding::error(
            field,
            "InvalidDefaultRootObject",
            format!(
                "character {ch:?} at position {} is not allowed in the default root object; \
                 accepted: A-Z a-z 0-9 _ - . * $ / ~ \" ' & (spec D-4)",
                i + 1
            ),
        ));
    }
}

#[cfg(test)]
mod tests;
