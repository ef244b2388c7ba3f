//! Property tests for every parser of the model that takes untrusted input: path patterns (spec
//! P-1..P-9) against a reference matcher, invalidation paths (I-1..I-4) and their fix, and whole
//! configuration documents (parse, validation, every export, CLI JSON round trip).
//!
//! Case counts are kept modest so the suite stays fast on CI's two cores.

use std::path::PathBuf;

use cfconsole_model::invalidation::{InvalidationPath, MAX_PATH_LEN, fix_path, lint_path};
use cfconsole_model::pattern::{MAX_PATTERN_LEN, covers};
use cfconsole_model::{
    CacheBehavior, CompiledBehaviors, DistributionConfig, Document, ExportFormat, ExportOptions,
    List, PathPattern, PolicySet, export, select_behavior, validate, validate_with,
};
use cfconsole_testkit::fixtures_dir;
use proptest::prelude::*;
use serde_json::Value;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(cases)
}

// ---------------------------------------------------------------------------------------------
// Path patterns
// ---------------------------------------------------------------------------------------------

/// The reference reading of spec P-4..P-9: a plain recursive glob over characters. `*` takes
/// zero or more characters (`/` included), `?` exactly one, everything else is itself
/// (case-sensitive, `%2A` is three literal characters); a leading `/` is optional on both sides.
fn reference_matches(pattern: &str, path: &str) -> bool {
    fn glob(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
            Some(('?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
            Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
        }
    }
    let p: Vec<char> = pattern
        .strip_prefix('/')
        .unwrap_or(pattern)
        .chars()
        .collect();
    let s: Vec<char> = path.strip_prefix('/').unwrap_or(path).chars().collect();
    glob(&p, &s)
}

/// Characters of the accepted set (P-9), weighted toward the ones that make matching hard.
fn pattern_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => Just('*'),
        2 => Just('?'),
        3 => Just('/'),
        6 => prop::sample::select(vec!['a', 'b', '.']),
        1 => prop::sample::select(vec![
            'A', 'z', '0', '_', '-', '$', '~', '"', '\'', '@', ':', '+', '&'
        ]),
    ]
}

/// Path characters: the pattern alphabet plus what only a path (or a lenient compile) holds:
/// percent-encodings, non-ASCII, and the wildcard characters as literals.
fn path_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(vec!['a', 'b', '.', '/']),
        1 => prop::sample::select(vec!['A', '%', '2', '*', '?', 'é', '日', '😀', ' ']),
    ]
}

fn valid_pattern() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::collection::vec(pattern_char(), 0..12)).prop_map(|(slash, cs)| {
        let body: String = cs.into_iter().collect();
        let p = if slash { format!("/{body}") } else { body };
        if p.is_empty() { "*".to_string() } else { p }
    })
}

/// Any pattern text a configuration may carry (compiled leniently when invalid).
fn lenient_pattern() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![3 => pattern_char(), 1 => path_char()], 0..12)
        .prop_map(|cs| cs.into_iter().collect())
}

fn path() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::collection::vec(path_char(), 0..16)).prop_map(|(slash, cs)| {
        let body: String = cs.into_iter().collect();
        if slash { format!("/{body}") } else { body }
    })
}

/// A path that `pattern` matches, built by filling each wildcard.
fn instantiate(pattern: &str, fills: &[String]) -> String {
    let mut out = String::from("/");
    for (k, c) in pattern
        .strip_prefix('/')
        .unwrap_or(pattern)
        .chars()
        .enumerate()
    {
        let fill = &fills[k % fills.len()];
        match c {
            '*' => out.push_str(fill),
            '?' => out.push(fill.chars().next().unwrap_or('x')),
            c => out.push(c),
        }
    }
    out
}

proptest! {
    #![proptest_config(config(512))]

    /// spec P-4..P-9: a parsed pattern matches exactly the paths the reference glob matches.
    #[test]
    fn pattern_matches_like_reference(pattern in valid_pattern(), path in path()) {
        let compiled = PathPattern::parse(&pattern).expect("accepted characters only");
        prop_assert_eq!(
            compiled.matches(&path),
            reference_matches(&pattern, &path),
            "pattern {:?} path {:?}", pattern, path
        );
    }

    /// The lenient compile (invalid patterns of a draft, non-ASCII, `%2A`) matches like the
    /// reference too: non-ASCII is one character for `?`, `%2A` is never a wildcard.
    #[test]
    fn compiled_pattern_matches_like_reference(pattern in lenient_pattern(), path in path()) {
        let compiled = PathPattern::compile(&pattern);
        prop_assert_eq!(
            compiled.matches(&path),
            reference_matches(&pattern, &path),
            "pattern {:?} path {:?}", pattern, path
        );
        // The explanation agrees with the verdict.
        prop_assert_eq!(compiled.mismatch(&path).is_none(), compiled.matches(&path));
    }

    /// Every path built from a pattern by filling its wildcards matches it.
    #[test]
    fn instantiated_paths_match(
        pattern in valid_pattern(),
        fills in prop::collection::vec(prop::collection::vec(path_char(), 0..4)
            .prop_map(|c| c.into_iter().collect::<String>()), 1..4),
    ) {
        let p = instantiate(&pattern, &fills);
        prop_assert!(PathPattern::parse(&pattern).unwrap().matches(&p), "{pattern:?} {p:?}");
    }

    /// spec P-9: parse accepts exactly the non-empty patterns of at most 255 characters from
    /// the accepted set; it never panics on any text.
    #[test]
    fn pattern_parse_accepts_iff_p9(
        s in prop_oneof![
            any::<String>(),
            prop::collection::vec(pattern_char(), 0..300).prop_map(|c| c.into_iter().collect()),
        ]
    ) {
        let ok = !s.is_empty()
            && s.chars().count() <= MAX_PATTERN_LEN
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-.*$/~\"'@:+&?".contains(c));
        prop_assert_eq!(PathPattern::parse(&s).is_ok(), ok, "{:?}", s);
        // The lenient compile never panics either, whatever it is given.
        let c = PathPattern::compile(&s);
        let _ = c.matches(&s);
        let _ = c.mismatch(&s);
    }

    /// `covers` is sound: when it says `earlier` shadows `later`, every path `later` matches
    /// is matched by `earlier`.
    #[test]
    fn covers_is_sound(
        earlier in valid_pattern(),
        later in valid_pattern(),
        fills in prop::collection::vec(prop::collection::vec(path_char(), 1..4)
            .prop_map(|c| c.into_iter().collect::<String>()), 1..4),
        path in path(),
    ) {
        let (e, l) = (PathPattern::parse(&earlier).unwrap(), PathPattern::parse(&later).unwrap());
        if covers(&e, &l) {
            for p in [instantiate(&later, &fills), path] {
                if l.matches(&p) {
                    prop_assert!(e.matches(&p), "{earlier:?} covers {later:?} but not {p:?}");
                }
            }
        }
    }

    /// spec P-1: the first matching behavior wins, and the explanation agrees with the
    /// per-request selection.
    #[test]
    fn selection_is_first_match(
        patterns in prop::collection::vec(lenient_pattern(), 0..6),
        path in path(),
    ) {
        let mut cfg = DistributionConfig::default();
        cfg.default_cache_behavior.target_origin_id = "default".into();
        cfg.cache_behaviors = Some(List::new(
            patterns
                .iter()
                .enumerate()
                .map(|(i, p)| CacheBehavior {
                    path_pattern: p.clone(),
                    target_origin_id: format!("o{i}"),
                    ..Default::default()
                })
                .collect(),
        ));
        let path = format!("/{}", path.trim_start_matches('/'));
        // `?` and `#` end the path for the explanation (P-3): keep them out of this one.
        prop_assume!(!path.contains(['?', '#']) && path != "/");
        let expected = patterns.iter().position(|p| reference_matches(p, &path));
        prop_assert_eq!(CompiledBehaviors::new(&cfg).select(&path), expected);
        prop_assert_eq!(select_behavior(&cfg, &path).index, expected);
    }
}

/// Found by `covers_is_sound`: the pattern `/` has no token after its optional leading `/`
/// and was taken for a match-everything pattern, so it "shadowed" every later behavior and was
/// reported as making the default behavior unreachable. It matches only the root.
#[test]
fn slash_alone_is_not_match_everything() {
    let slash = PathPattern::parse("/").unwrap();
    assert!(!slash.matches_everything());
    assert!(slash.matches("/") && !slash.matches("/a"));
    assert!(!covers(&slash, &PathPattern::parse("*").unwrap()));
    let cfg = DistributionConfig {
        cache_behaviors: Some(List::new(vec![
            CacheBehavior {
                path_pattern: "/".into(),
                ..Default::default()
            },
            CacheBehavior {
                path_pattern: "/img/*".into(),
                ..Default::default()
            },
        ])),
        ..Default::default()
    };
    let findings = cfconsole_model::pattern::lint(&cfg);
    assert!(findings.is_empty(), "{findings:?}");
}

// ---------------------------------------------------------------------------------------------
// Invalidation paths
// ---------------------------------------------------------------------------------------------

/// Text that looks like a path: slashes, wildcards, percent signs, hex digits, unreserved and
/// reserved characters, controls, spaces and non-ASCII.
fn path_like() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        6 => prop::sample::select(vec!['/', 'a', 'b', '.', '*', '?', '%', '=', '&']),
        3 => prop::sample::select(vec!['0', '2', '4', '7', 'A', 'f', 'F', 'g', '+', '-', '~', '_']),
        2 => prop::sample::select(vec![
            ' ', '\t', '\n', '\u{7f}', '\u{85}', '"', '#', '<', '|', '\\'
        ]),
        1 => prop::sample::select(vec!['é', '日', '😀', '\u{feff}', '\u{2028}']),
    ];
    prop_oneof![
        8 => prop::collection::vec(c, 0..24).prop_map(|v| v.into_iter().collect()),
        1 => any::<String>(),
    ]
}

/// The reference reading of spec I-3 as [`InvalidationPath::matches`] documents it.
fn reference_invalidates(raw: &str, path: &str, query: Option<&str>) -> bool {
    if let Some(prefix) = raw.strip_suffix('*') {
        let full = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        return full.starts_with(prefix);
    }
    match raw.split_once('?') {
        Some((p, q)) => p == path && query == Some(q),
        None => raw == path,
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// spec I-1, I-2: parse accepts exactly the non-empty paths that begin with `/`, have at
    /// most 4000 characters, no control character, and `*` only as the last character.
    #[test]
    fn invalidation_parse_accepts_iff_rules(s in path_like()) {
        let chars: Vec<char> = s.chars().collect();
        let ok = s.starts_with('/')
            && chars.len() <= MAX_PATH_LEN
            && !chars.iter().any(|c| c.is_control())
            && chars.iter().enumerate().all(|(i, c)| *c != '*' || i + 1 == chars.len());
        let parsed = InvalidationPath::parse(&s);
        prop_assert_eq!(parsed.is_ok(), ok, "{:?}: {:?}", s, parsed);
        // A parse error is reported by the lint as an error, never only as a warning.
        let errors = lint_path("p", &s)
            .iter()
            .filter(|f| f.severity == cfconsole_model::Severity::Error)
            .count();
        prop_assert_eq!(errors > 0, !ok);
    }

    /// Nothing panics on any text; matching follows the documented I-3 decision.
    #[test]
    fn invalidation_matches_like_reference(
        raw in path_like(),
        path in path_like(),
        query in prop::option::of(path_like()),
    ) {
        let _ = lint_path("p", &raw);
        let _ = fix_path(&raw);
        if let Ok(p) = InvalidationPath::parse(&raw) {
            let _ = p.note();
            prop_assert_eq!(
                p.matches(&path, query.as_deref()),
                reference_invalidates(&raw, &path, query.as_deref()),
                "{:?} vs {:?}?{:?}", raw, path, query
            );
        }
    }

    /// A wildcard invalidates the request it is a prefix of: `/x*` removes `/x...` whatever
    /// follows, including the query string (I-3 decision).
    #[test]
    fn wildcard_invalidates_its_extensions(
        base in "/[a-z/.]{0,8}",
        tail in "[a-z/.?=&]{0,8}",
        query in prop::option::of("[a-z=&]{0,6}"),
    ) {
        let w = InvalidationPath::parse(&format!("{base}*")).unwrap();
        let path = format!("{base}{tail}");
        let (path, q) = match path.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (path, query),
        };
        let full = match &q {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        prop_assert_eq!(w.matches(&path, q.as_deref()), full.starts_with(&base));
    }

    /// The console's one-click fix gives a path that parses and lints clean, and fixing it
    /// again changes nothing. When there is no fix, the path is fine or beyond a mechanical fix.
    #[test]
    fn fix_path_output_parses_and_lints_clean(
        s in prop_oneof![
            4 => path_like(),
            1 => (path_like(), 3_990usize..4_010)
                .prop_map(|(p, n)| format!("{p}{}", "a".repeat(n))),
            1 => (1_000usize..1_400).prop_map(|n| "/é".repeat(n)),
        ]
    ) {
        match fix_path(&s) {
            Some(f) => {
                prop_assert!(InvalidationPath::parse(&f).is_ok(), "{:?} -> {:?}", s, f);
                let lint = lint_path("p", &f);
                prop_assert!(lint.is_empty(), "{:?} -> {:?}: {:?}", s, f, lint);
                prop_assert_eq!(fix_path(&f), None, "fix of {:?} is not stable", f);
                // Every `%` starts a real percent-encoding: `%` and two hex digits.
                let b = f.as_bytes();
                for (i, _) in f.match_indices('%') {
                    prop_assert!(
                        b.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
                        "{:?} -> {:?}", s, f
                    );
                }
            }
            None => {
                // Unfixable: blank, or a path that stays too long once encoded.
                let clean = lint_path("p", s.as_str()).is_empty();
                prop_assert!(
                    clean || s.trim().is_empty() || s.chars().count() > MAX_PATH_LEN / 3,
                    "{:?} has findings {:?} but no fix", s, lint_path("p", s.as_str())
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Documents, validation and exports
// ---------------------------------------------------------------------------------------------

/// The fixtures that parse and are meant to be valid.
fn valid_fixtures() -> Vec<Document> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("read fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("invalid-"))
        })
        .collect();
    paths.sort();
    let docs: Vec<Document> = paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read fixture");
            Document::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect();
    assert!(
        docs.len() >= 10,
        "expected the fixtures in {:?}",
        fixtures_dir()
    );
    docs
}

/// Every fixture, raw JSON (the invalid ones too: their shapes are the interesting ones).
fn fixture_values() -> Vec<Value> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("read fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok())
        .collect()
}

/// Arbitrary JSON, biased toward the CLI's shapes (objects, `Quantity`/`Items`, numbers at the
/// edges of i32/i64).
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            any::<i64>(),
            Just(i64::from(i32::MAX) + 1),
            Just(-1i64),
            Just(0i64),
            Just(i64::MIN),
        ]
        .prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "*",
            "/images/*",
            "GET",
            "HEAD",
            "allow-all",
            "https-only",
            ""
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "Quantity",
                        "Items",
                        "Id",
                        "DomainName",
                        "PathPattern",
                        "Origins",
                        "Enabled",
                        "Comment",
                        "x",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

/// Replaces the `n`-th node (pre-order) of `v` with `with`. Returns how many nodes were seen.
fn replace_nth(v: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| replace_nth(x, n, with)),
        Value::Object(o) => o.values_mut().any(|x| replace_nth(x, n, with)),
        _ => false,
    }
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Validation and every export of `doc`, which must not panic.
fn exercise(doc: &Document) {
    let _ = validate(&doc.config);
    let _ = validate_with(&doc.config, &PolicySet::default());
    for include_secrets in [false, true] {
        let opts = ExportOptions {
            include_secrets,
            ..ExportOptions::default()
        };
        for f in ExportFormat::ALL {
            // An export may refuse what its format cannot express (a multi-tenant distribution
            // in Terraform); what it writes ends with a newline.
            if let Ok(out) = export(doc, *f, &opts) {
                assert!(out.text.ends_with('\n'), "{f}: no final newline");
            }
        }
    }
}

/// A string from the kinds a config holds: text, unicode, quotes and escapes that exports must
/// carry (HCL `${`, `%{`, JSON escapes).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ -~]{0,20}",
        1 => any::<String>(),
        1 => prop::sample::select(vec![
            "${var.x}", "%{if}", "\"quoted\"", "back\\slash", "a\nb", "<!--", ""
        ])
            .prop_map(str::to_string),
    ]
}

fn ttl() -> impl Strategy<Value = Option<i64>> {
    prop::option::of(prop_oneof![
        Just(0i64),
        Just(86_400),
        Just(31_536_000),
        Just(3_153_600_000),
        Just(-1),
        any::<i64>(),
    ])
}

/// A behavior to add: pattern, target origin index, Compress, Min/Default/MaxTTL.
type NewBehavior = (String, usize, Option<bool>, [Option<i64>; 3]);

/// A mutation of a valid configuration: every field the console edits.
#[derive(Debug, Clone)]
struct Mutation {
    fixture: usize,
    comment: String,
    aliases: Option<Vec<String>>,
    enabled: bool,
    ipv6: Option<bool>,
    root_object: Option<String>,
    origin_ids: Vec<String>,
    origin_domains: Vec<String>,
    extra_origin: bool,
    behaviors: Vec<NewBehavior>,
    default_ttls: [Option<i64>; 3],
    default_compress: Option<bool>,
}

fn mutation(fixtures: usize) -> impl Strategy<Value = Mutation> {
    (
        (
            0..fixtures,
            text(),
            prop::option::of(prop::collection::vec(
                prop_oneof!["[a-z0-9.*-]{1,20}", text()],
                0..4,
            )),
            any::<bool>(),
            prop::option::of(any::<bool>()),
            prop::option::of(prop_oneof![
                Just(String::new()),
                Just("index.html".to_string()),
                text()
            ]),
        ),
        (
            prop::collection::vec(prop_oneof!["[a-zA-Z0-9_-]{1,12}", text()], 0..3),
            prop::collection::vec(prop_oneof!["[a-z0-9.-]{1,30}", text()], 0..3),
            any::<bool>(),
            prop::collection::vec(
                (
                    prop_oneof![valid_pattern(), lenient_pattern()],
                    0usize..4,
                    prop::option::of(any::<bool>()),
                    [ttl(), ttl(), ttl()],
                ),
                0..5,
            ),
            [ttl(), ttl(), ttl()],
            prop::option::of(any::<bool>()),
        ),
    )
        .prop_map(|(a, b)| Mutation {
            fixture: a.0,
            comment: a.1,
            aliases: a.2,
            enabled: a.3,
            ipv6: a.4,
            root_object: a.5,
            origin_ids: b.0,
            origin_domains: b.1,
            extra_origin: b.2,
            behaviors: b.3,
            default_ttls: b.4,
            default_compress: b.5,
        })
}

fn apply(base: &Document, m: &Mutation) -> Document {
    let mut doc = base.clone();
    let c = &mut doc.config;
    c.comment = m.comment.clone();
    c.aliases = m.aliases.clone().map(List::new);
    c.enabled = m.enabled;
    c.is_ipv6_enabled = m.ipv6;
    c.default_root_object = m.root_object.clone();
    if m.extra_origin && !c.origins.is_empty() {
        let mut o = c.origins.items()[0].clone();
        o.id = format!("{}-copy", o.id);
        c.origins.items_mut().push(o);
        c.origins.sync_quantity();
    }
    for (o, id) in c.origins.items_mut().iter_mut().zip(&m.origin_ids) {
        o.id = id.clone();
    }
    for (o, d) in c.origins.items_mut().iter_mut().zip(&m.origin_domains) {
        o.domain_name = d.clone();
    }
    let ids: Vec<String> = c.origins.iter().map(|o| o.id.clone()).collect();
    let template = c
        .cache_behaviors
        .as_ref()
        .and_then(|l| l.items().first().cloned());
    if !m.behaviors.is_empty() {
        let list = c.cache_behaviors.get_or_insert_with(List::default);
        for (pattern, target, compress, [min, default, max]) in &m.behaviors {
            let mut b = template.clone().unwrap_or_else(|| CacheBehavior {
                viewer_protocol_policy: c.default_cache_behavior.viewer_protocol_policy,
                cache_policy_id: c.default_cache_behavior.cache_policy_id.clone(),
                forwarded_values: c.default_cache_behavior.forwarded_values.clone(),
                ..Default::default()
            });
            b.path_pattern = pattern.clone();
            b.target_origin_id = ids
                .get(*target)
                .cloned()
                .unwrap_or_else(|| "no-such-origin".into());
            b.compress = *compress;
            if b.cache_policy_id.is_none() {
                (b.min_ttl, b.default_ttl, b.max_ttl) = (*min, *default, *max);
            }
            list.items_mut().push(b);
        }
        list.sync_quantity();
    }
    let d = &mut c.default_cache_behavior;
    if d.cache_policy_id.is_none() {
        [d.min_ttl, d.default_ttl, d.max_ttl] = m.default_ttls;
    }
    d.compress = m.default_compress;
    doc
}

proptest! {
    #![proptest_config(config(256))]

    /// Any text is read without a panic.
    #[test]
    fn document_from_arbitrary_text_never_panics(
        s in prop_oneof![any::<String>(), "[{}\\[\\]\":,0-9a-zA-Z ]{0,64}"]
    ) {
        if let Ok(doc) = Document::from_json(&s) {
            exercise(&doc);
        }
    }

    /// Any JSON value is read without a panic; whatever parses validates and exports.
    #[test]
    fn document_from_arbitrary_json_never_panics(v in json()) {
        if let Ok(doc) = Document::from_json(&v.to_string()) {
            exercise(&doc);
        }
    }

    /// A fixture with any one node replaced by arbitrary JSON: mostly shape errors, and what
    /// still parses (a changed string, number or list) validates and exports without a panic.
    #[test]
    fn mutated_fixture_json_never_panics(
        which in any::<prop::sample::Index>(),
        node in any::<prop::sample::Index>(),
        with in json(),
    ) {
        let values = fixture_values();
        let mut v = values[which.index(values.len())].clone();
        let mut n = node.index(count_nodes(&v));
        replace_nth(&mut v, &mut n, &with);
        if let Ok(doc) = Document::from_json(&v.to_string()) {
            exercise(&doc);
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Well-typed configurations (valid fixtures with comments, aliases, origins, behaviors,
    /// patterns, TTLs and flags changed): validation and every export run without a panic, and
    /// CLI JSON read back is the same document.
    #[test]
    fn well_typed_configs_export_and_round_trip(m in mutation(13)) {
        let fixtures = valid_fixtures();
        let doc = apply(&fixtures[m.fixture % fixtures.len()], &m);
        exercise(&doc);
        let opts = ExportOptions { include_secrets: true, ..ExportOptions::default() };
        let text = export(&doc, ExportFormat::CliJson, &opts)
            .expect("CLI JSON exports every distribution")
            .text;
        let back = Document::from_json(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back.config, &doc.config);
        prop_assert_eq!(back.form, doc.form);
        prop_assert_eq!(&back.etag, &doc.etag);
        prop_assert_eq!(back, doc);
    }
}

/// Found by `fix_path_output_parses_and_lints_clean`: a long path whose fix (a leading `/`,
/// percent-encoding) passed 4000 characters was offered as a fix that CloudFront rejects; and
/// `%+F` was taken for a percent-encoding (`u8::from_str_radix` accepts a sign).
#[test]
fn fix_path_regressions() {
    assert_eq!(fix_path(&"a".repeat(MAX_PATH_LEN)), None);
    assert_eq!(fix_path(&format!("/{}", "é".repeat(700))), None);
    assert_eq!(fix_path("/a%+Fb").as_deref(), Some("/a%25+Fb"));
    assert!(!lint_path("p", "/a%+Fb").is_empty());
}
