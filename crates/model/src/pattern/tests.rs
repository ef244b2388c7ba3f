//! Table tests for path patterns; each row cites the spec rule it checks.

use super::*;
use crate::document::parse_config;
use crate::finding::Severity;
use serde_json::{Value, json};

/// A small valid config: an S3 origin `s3`, a custom origin `app`, and the given
/// `(pattern, target)` behaviors.
fn config_with(behaviors: &[(&str, &str)]) -> DistributionConfig {
    let items: Vec<Value> = behaviors
        .iter()
        .map(|(p, t)| {
            json!({
                "PathPattern": p,
                "TargetOriginId": t,
                "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"
            })
        })
        .collect();
    let mut v = json!({
        "CallerReference": "ref",
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "s3", "DomainName": "b.s3.us-east-1.amazonaws.com",
             "S3OriginConfig": {"OriginAccessIdentity": ""}},
            {"Id": "app", "DomainName": "app.example.com",
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                    "OriginProtocolPolicy": "https-only"}}
        ]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "app",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"
        },
        "Comment": "",
        "Enabled": true
    });
    if !items.is_empty() {
        v["CacheBehaviors"] = json!({"Quantity": items.len(), "Items": items});
    }
    parse_config(v).expect("test config parses")
}

fn fixture(name: &str) -> DistributionConfig {
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    crate::Document::from_json(&text)
        .expect("fixture parses")
        .config
}

#[test]
fn matching_rules() {
    // (rule, pattern, path, expected)
    let rows: &[(&str, &str, &str, bool)] = &[
        ("P-5 literal", "robots.txt", "/robots.txt", true),
        ("P-5 anchored end", "robots.txt", "/robots.txt.bak", false),
        ("P-5 anchored start", "robots.txt", "/x/robots.txt", false),
        ("P-5 * zero chars", "images/*", "/images/", true),
        ("P-5 * many chars", "images/*", "/images/a/b/c.png", true),
        ("P-5 * middle", "a*z", "/abcz", true),
        ("P-5 * middle, zero", "a*z", "/az", true),
        ("P-5 * middle, no end", "a*z", "/abc", false),
        (
            "P-6 * crosses /",
            "images/*.jpg",
            "/images/product1/a.jpg",
            true,
        ),
        ("P-6 * crosses /", "a*.jpg", "/abra/cadabra/magic.jpg", true),
        ("P-6 starts with a", "a*.jpg", "/apple.jpg", true),
        ("P-6 starts with a", "a*.jpg", "/banana.jpg", false),
        ("P-7 ? one char", "a??.jpg", "/ant.jpg", true),
        ("P-7 ? too few", "a??.jpg", "/an.jpg", false),
        ("P-7 ? too many", "a??.jpg", "/ante.jpg", false),
        ("P-7 .doc? needs a char", "*.doc?", "/x.doc", false),
        ("P-7 .doc* is the fix", "*.doc*", "/x.doc", true),
        ("P-7 ? matches /", "a?b", "/a/b", true),
        ("P-7 ? is one UTF-8 char", "a?b", "/aéb", true),
        ("P-7 ? is one UTF-8 char", "a??b", "/aéb", false),
        ("P-7 * then ? counts chars", "*??", "/€", false),
        ("P-7 * then ? counts chars", "*?", "/€", true),
        ("P-8 case-sensitive", "*.jpg", "/LOGO.JPG", false),
        ("P-8 case-sensitive", "Images/*", "/images/a", false),
        (
            "P-4 leading / on pattern",
            "/images/*.jpg",
            "/images/a.jpg",
            true,
        ),
        (
            "P-4 no leading / on path",
            "images/*.jpg",
            "images/a.jpg",
            true,
        ),
        ("P-4 neither", "images/*.jpg", "images/a.jpg", true),
        ("P-4 both", "/images/*.jpg", "/images/a.jpg", true),
        ("P-9 raw path, %2A is literal", "a*", "/a%2A", true),
        (
            "P-9 raw path, not decoded",
            "images/A.jpg",
            "/images/%41.jpg",
            false,
        ),
        ("P-9 raw path, * spans %20", "my*file", "/my%20file", true),
        (
            "P-9 raw path, %20 is 3 chars",
            "my?file",
            "/my%20file",
            false,
        ),
        (
            "P-10 example 1",
            "images/*.jpg",
            "/images/sample.gif",
            false,
        ),
        ("P-10 example 2", "images/*", "/images/sample.gif", true),
        ("P-10 no trailing slash", "images/*", "/images", false),
        ("P-5 * alone", "*", "/", true),
        ("P-5 * alone", "*", "/anything/at/all", true),
        ("P-5 backtracking", "*a*b*c", "/xaxbxbxcxc", true),
        ("P-5 backtracking", "*ab", "/aab", true),
        ("P-5 backtracking", "*aab", "/aaab", true),
        ("P-5 backtracking fails", "*a*b*c", "/xaxcxb", false),
        ("P-5 many stars", "**", "/", true),
        ("P-5 ? at end after *", "*.?", "/a.b", true),
        ("P-5 ? at end after *", "*.?", "/a.", false),
        ("P-5 empty path", "a", "", false),
        ("P-4 `/` is the root only", "/", "/", true),
        ("P-4 `/` is the root only", "/", "/a", false),
    ];
    for (rule, pattern, path, expected) in rows {
        let p = PathPattern::parse(pattern).expect(pattern);
        assert_eq!(
            p.matches(path),
            *expected,
            "{rule}: pattern {pattern:?} vs path {path:?}"
        );
        // The explanation agrees with the matcher.
        assert_eq!(
            p.mismatch(path).is_none(),
            *expected,
            "{rule}: mismatch() disagrees for {pattern:?} vs {path:?}"
        );
    }
}

#[test]
fn matcher_agrees_with_a_reference_implementation() {
    // A slow recursive matcher written straight from P-4..P-7, over chars.
    fn reference(pattern: &[char], path: &[char]) -> bool {
        match pattern.split_first() {
            None => path.is_empty(),
            Some(('*', rest)) => (0..=path.len()).any(|k| reference(rest, &path[k..])),
            Some(('?', rest)) => !path.is_empty() && reference(rest, &path[1..]),
            Some((c, rest)) => path.first() == Some(c) && reference(rest, &path[1..]),
        }
    }
    let patterns = [
        "*",
        "a*",
        "*a",
        "a*b",
        "*a*",
        "a?b",
        "?*",
        "*?",
        "a*b*c",
        "*ab*ab",
        "a??",
        "??*?",
        "*.jpg",
        "img/*.jpg",
        "a*a*a",
        "*/*",
        "?/?",
        // Lenient compiles with non-ASCII literals (invalid per P-9, still matched sensibly).
        "é*é",
        "a*é",
        "é",
        "é?",
        "?é*",
    ];
    let alphabet = ['a', 'b', 'c', '/', '.', 'é'];
    // Every path of length 0..=5 over the alphabet.
    let mut paths: Vec<Vec<char>> = vec![vec![]];
    let mut frontier = paths.clone();
    for _ in 0..5 {
        let mut next = Vec::new();
        for p in &frontier {
            for c in alphabet {
                let mut q = p.clone();
                q.push(c);
                next.push(q);
            }
        }
        paths.extend(next.iter().cloned());
        frontier = next;
    }
    for pat in patterns {
        let compiled = PathPattern::compile(pat);
        let pc: Vec<char> = pat.chars().collect();
        for path in &paths {
            let s: String = path.iter().collect();
            // spec P-4: one leading `/` is optional on the path.
            let bare = path.strip_prefix(&['/']).unwrap_or(path);
            assert_eq!(
                compiled.matches(&s),
                reference(&pc, bare),
                "pattern {pat:?} vs path {s:?}"
            );
        }
    }
}

#[test]
fn parse_rejects_what_p9_does_not_allow() {
    // (rule, pattern, expected error)
    let long = format!("/{}", "a".repeat(255));
    let rows: Vec<(&str, &str, PatternError)> = vec![
        ("P-9 empty", "", PatternError::Empty),
        ("P-9 too long", &long, PatternError::TooLong { len: 256 }),
        (
            "P-9 percent",
            "/a%20b",
            PatternError::InvalidChar {
                ch: '%',
                position: 3,
            },
        ),
        (
            "P-9 space",
            "a b",
            PatternError::InvalidChar {
                ch: ' ',
                position: 2,
            },
        ),
        (
            "P-9 non-ASCII",
            "café/*",
            PatternError::InvalidChar {
                ch: 'é',
                position: 4,
            },
        ),
        (
            "P-9 hash",
            "a#b",
            PatternError::InvalidChar {
                ch: '#',
                position: 2,
            },
        ),
    ];
    for (rule, pattern, expected) in rows {
        assert_eq!(
            PathPattern::parse(pattern),
            Err(expected),
            "{rule}: {pattern:?}"
        );
    }
    // Accepted: every character of the P-9 list, plus `?` (P-5).
    for ok in [
        "/AZaz09_-.*$/~\"'@:+&?",
        "*",
        &format!("/{}", "a".repeat(254)),
    ] {
        assert!(PathPattern::parse(ok).is_ok(), "P-9 accepts {ok:?}");
    }
    let msg = PathPattern::parse("/a%b").unwrap_err().to_string();
    assert!(msg.contains("'%' at position 3"), "{msg}");
    assert!(msg.contains("A-Z a-z 0-9"), "names the accepted set: {msg}");
}

#[test]
fn covers_is_exact_on_common_cases_and_never_wrong() {
    // (earlier, later, covers)
    let rows = [
        ("*", "images/*.jpg", true),
        ("*", "*", true),
        ("images/*", "images/*.jpg", true),
        ("images/*", "/images/*.jpg", true), // P-4
        ("images/*.jpg", "images/*", false),
        ("images/*.jpg", "images/*.jpg", true),
        ("/images/*.jpg", "images/*.jpg", true),
        ("*.jpg", "images/*.jpg", true),
        ("*.jpg", "images/*.JPG", false), // P-8
        ("images/*", "robots.txt", false),
        ("*.txt", "robots.txt", true), // literal: decided by matching
        ("robots.txt", "/robots.txt", true),
        ("a?c", "abc", true),
        ("a?c", "a?c", true),
        ("a?c", "a*c", false), // * may be empty or long
        ("a*c", "a?c", true),
        ("a*", "a?", true),
        ("*a*", "*a*a*", true),
        ("*a*a*", "*a*", false),
        ("images/*", "images?*", false), // `?` may be a character other than `/`
        ("api/*", "api/v1/*", true),
        ("api/v1/*", "api/*", false),
        ("?*", "*?", false), // conservative: true in fact, but never claimed
        ("*.zip", "merlin/*.zip", true),
        ("merlin/*.zip", "*.zip", false),
    ];
    for (earlier, later, expected) in rows {
        let e = PathPattern::parse(earlier).expect(earlier);
        let l = PathPattern::parse(later).expect(later);
        assert_eq!(covers(&e, &l), expected, "covers({earlier:?}, {later:?})");
    }
}

#[test]
fn covers_true_implies_every_later_path_matches_earlier() {
    // Soundness check over sample paths: whenever covers() says yes, no path matched by the
    // later pattern escapes the earlier one.
    let patterns = [
        "*", "a*", "*a", "a*b", "*a*", "a?b", "?*", "*?", "a*b*c", "a??", "*.jpg", "i/*.jpg",
        "i/*", "a", "ab", "?", "??", "*/*", "a/*", "a*/b",
    ];
    let alphabet = ['a', 'b', 'c', '/', '.', 'j', 'p', 'g', 'i'];
    let mut paths: Vec<String> = vec![String::new()];
    let mut frontier = paths.clone();
    for _ in 0..4 {
        let mut next = Vec::new();
        for p in &frontier {
            for c in alphabet {
                next.push(format!("{p}{c}"));
            }
        }
        paths.extend(next.iter().cloned());
        frontier = next;
    }
    for e in patterns {
        for l in patterns {
            let (ep, lp) = (PathPattern::compile(e), PathPattern::compile(l));
            if covers(&ep, &lp) {
                for path in &paths {
                    assert!(
                        !lp.matches(path) || ep.matches(path),
                        "covers({e:?}, {l:?}) but {path:?} matches only the later one"
                    );
                }
            }
        }
    }
}

#[test]
fn selection_follows_p1_and_p10() {
    // spec P-10: behaviors `images/*.jpg`, `images/*`, `*.gif`.
    let cfg = config_with(&[("images/*.jpg", "s3"), ("images/*", "s3"), ("*.gif", "app")]);
    // (path, expected index)
    let rows: &[(&str, Option<usize>)] = &[
        ("/images/sample.jpg", Some(0)),
        ("/images/sample.gif", Some(1)), // P-10: first match wins, not the most specific
        ("/x/sample.gif", Some(2)),
        ("/images", None),                 // P-10: no slash → default
        ("/images/a.jpg?size=2", Some(0)), // P-3: the query is ignored
        ("/x.gif#frag", Some(2)),
    ];
    let compiled = CompiledBehaviors::new(&cfg);
    for (path, expected) in rows {
        let s = select_behavior(&cfg, path);
        assert_eq!(s.index, *expected, "P-1 select {path}");
        assert_eq!(s.passed_over.len(), expected.unwrap_or(3), "{path}");
        let bare = path.split(['?', '#']).next().unwrap_or(path);
        assert_eq!(compiled.select(bare), *expected, "compiled select {path}");
    }
    let s = select_behavior(&cfg, "/images");
    assert_eq!(s.behavior, "DefaultCacheBehavior");
    assert_eq!(s.pattern, "*"); // P-2
    assert_eq!(s.target_origin_id, "app"); // P-11
    assert!(
        s.passed_over[1].reason.contains("lacks the trailing `/`"),
        "{}",
        s.passed_over[1].reason
    );
}

#[test]
fn explanations_name_the_reason() {
    // (rule, pattern, path, expected text in the reason)
    let rows = [
        ("P-5", "images/*.jpg", "/images/a.png", "end with `.jpg`"),
        ("P-5", "images/*", "/img/a.png", "start with `/images/`"),
        ("P-8", "*.jpg", "/LOGO.JPG", "case differs"),
        (
            "P-7",
            "a??.jpg",
            "/an.jpg",
            "`?` needs exactly one character",
        ),
        ("P-7", "*.doc?", "/x.doc", "`?` needs exactly one character"),
        (
            "P-5",
            "robots.txt",
            "/robots.txt.bak",
            "only the exact path `/robots.txt`",
        ),
        ("P-5", "a*b*c", "/axc", "do not all occur"),
        ("P-7", "a??", "/abcd", "`?` needs exactly one character"),
        ("P-5", "a?c", "/abd", "exactly 3 characters"),
    ];
    for (rule, pattern, path, text) in rows {
        let m = PathPattern::parse(pattern)
            .expect(pattern)
            .mismatch(path)
            .expect("does not match");
        assert_eq!(m.rule, rule, "{pattern} vs {path}: {}", m.reason);
        assert!(m.reason.contains(text), "{pattern} vs {path}: {}", m.reason);
    }
}

#[test]
fn default_root_object_is_substituted_first() {
    // spec D-1, §19-4: `/` becomes `/<DefaultRootObject>` before behavior matching.
    let mut cfg = config_with(&[("*.html", "s3")]);
    cfg.default_root_object = Some("index.html".into());
    // (path, matched path, index)
    let rows = [
        ("/", "/index.html", Some(0)),
        ("/?a=1", "/index.html", Some(0)),
        ("/install/", "/install/", None), // D-2: root only
    ];
    for (path, matched, index) in rows {
        let s = select_behavior(&cfg, path);
        assert_eq!((s.path.as_str(), s.index), (matched, index), "D-1 {path}");
    }
    let s = select_behavior(&cfg, "/");
    assert_eq!(s.requested.as_deref(), Some("/"));
    assert!(s.to_string().contains("is served as /index.html"), "{s}");
    cfg.default_root_object = Some(String::new()); // D-4: empty = none
    assert_eq!(select_behavior(&cfg, "/").index, None);
}

#[test]
fn selection_serializes_and_displays() {
    let cfg = config_with(&[("images/*.jpg", "s3"), ("api/*", "app")]);
    let s = select_behavior(&cfg, "/api/users");
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["index"], json!(1));
    assert_eq!(v["behavior"], json!("CacheBehaviors.Items[1]"));
    assert_eq!(v["target_origin_id"], json!("app"));
    assert_eq!(v["passed_over"][0]["rule"], json!("P-5"));
    let text = s.to_string();
    assert!(
        text.starts_with("/api/users → CacheBehaviors.Items[1]"),
        "{text}"
    );
    assert!(
        text.contains("passed over CacheBehaviors.Items[0] `images/*.jpg`"),
        "{text}"
    );
    let d = select_behavior(&cfg, "/").to_string();
    assert!(d.contains("default behavior applies"), "{d}");
}

#[test]
fn many_behaviors_fixture_selects() {
    let cfg = fixture("many-behaviors.json");
    let compiled = CompiledBehaviors::new(&cfg);
    assert_eq!(compiled.patterns().len(), 25);
    // (path, expected pattern)
    let rows = [
        ("/favicon.ico", "/favicon.ico"),
        ("/merlin/archive/file.zip", "/merlin/*.zip"),
        ("/merlin/archive/file.pdf", "*"),
        ("/admin/login", "/admin/*"),
        ("/", "*"),
        ("/robots.txt", "/robots.txt"),
    ];
    for (path, pattern) in rows {
        assert_eq!(select_behavior(&cfg, path).pattern, pattern, "{path}");
    }
    assert!(
        lint(&cfg).is_empty(),
        "many-behaviors has no pattern problems: {:?}",
        lint(&cfg)
    );
}

fn codes(findings: &[Finding]) -> Vec<(String, Severity, Option<&'static str>)> {
    findings
        .iter()
        .map(|f| (f.path.clone(), f.severity, f.code))
        .collect()
}

#[test]
fn lint_patterns() {
    let cfg = config_with(&[
        ("images/*", "s3"),     // 0
        ("images/*.jpg", "s3"), // 1: shadowed by 0
        ("/images/*", "s3"),    // 2: duplicate of 0 (P-4)
        ("bad pattern", "s3"),  // 3: invalid
        ("api/*", "app"),       // 4: fine
        ("api/*", "app"),       // 5: duplicate of 4
        ("*", "app"),           // 6: matches everything
        ("late/*", "app"),      // 7: shadowed by 6
    ]);
    let findings = lint(&cfg);
    let got = codes(&findings);
    let p = |i: usize| format!("CacheBehaviors.Items[{i}].PathPattern");
    let expected = vec![
        (p(3), Severity::Error, Some("InvalidArgument")),
        (p(1), Severity::Warning, None),
        (p(2), Severity::Error, Some("InvalidArgument")),
        (p(5), Severity::Error, Some("InvalidArgument")),
        (p(7), Severity::Warning, None),
        (p(6), Severity::Warning, None),
    ];
    assert_eq!(got, expected, "{findings:#?}");
    assert!(
        findings[0].message.contains("' ' at position 4"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[1]
            .message
            .contains("CacheBehaviors.Items[0] (`images/*`)"),
        "names the earlier behavior: {}",
        findings[1].message
    );
    assert!(
        findings[2].message.contains("spec P-4"),
        "{}",
        findings[2].message
    );
    assert!(
        findings[5]
            .message
            .contains("DefaultCacheBehavior is never used")
    );
}

#[test]
fn lint_error_pages_and_default_root_object() {
    let mut cfg = config_with(&[("errors/*", "s3")]);
    cfg.custom_error_responses = Some(crate::List::new(vec![
        crate::CustomErrorResponse {
            error_code: 404,
            response_page_path: Some("errors/404.html".into()), // E-2: not a path
            response_code: Some("404".into()),
            ..Default::default()
        },
        crate::CustomErrorResponse {
            error_code: 503,
            response_page_path: Some("/errors/503.html".into()), // E-6: S3 behavior, fine
            response_code: Some("503".into()),
            ..Default::default()
        },
        crate::CustomErrorResponse {
            error_code: 502,
            response_page_path: Some("/502.html".into()), // E-7: default → custom origin
            response_code: Some("502".into()),
            ..Default::default()
        },
        crate::CustomErrorResponse {
            error_code: 403,
            response_page_path: Some("/errors/no access.html".into()), // not URL-encoded
            response_code: Some("403".into()),
            ..Default::default()
        },
        crate::CustomErrorResponse {
            error_code: 404,
            response_page_path: Some("/404.html".into()), // 4xx on custom origin: fine
            response_code: Some("404".into()),
            ..Default::default()
        },
    ]));
    // (rule, DefaultRootObject, expected error count)
    let rows = [
        ("D-4 fine", "index.html", 0),
        ("D-4 empty = none", "", 0),
        ("D-4 path allowed", "folder/index.html", 0),
        ("D-4 leading slash: a warning", "/index.html", 0),
        ("D-4 only a slash: a warning", "/", 0),
        ("D-4 charset", "index page.html", 1),
        ("D-4 length", &"a".repeat(256), 1),
    ];
    for (rule, root, errors) in rows {
        cfg.default_root_object = Some(root.to_string());
        let findings: Vec<_> = lint(&cfg)
            .into_iter()
            .filter(|f| f.path == "DefaultRootObject" && f.is_error())
            .collect();
        assert_eq!(findings.len(), errors, "{rule}: {findings:?}");
        assert!(
            findings
                .iter()
                .all(|f| f.code == Some("InvalidDefaultRootObject")),
            "{rule}"
        );
    }
    for (root, says) in [("/index.html", "write \"index.html\""), ("/", "remove it")] {
        cfg.default_root_object = Some(root.into());
        let f: Vec<Finding> = lint(&cfg)
            .into_iter()
            .filter(|f| f.path == "DefaultRootObject")
            .collect();
        assert_eq!(f.len(), 1, "{root}: {f:?}");
        assert_eq!(
            f[0].severity,
            Severity::Warning,
            "{root}: accepted by the API"
        );
        assert!(f[0].message.contains(says), "{}", f[0].message);
        assert!(
            f[0].message
                .contains(&format!("asks the origin for `/{root}`")),
            "says what it will do: {}",
            f[0].message
        );
    }

    cfg.default_root_object = None;
    let got = codes(&lint(&cfg));
    let e = |i: usize| format!("CustomErrorResponses.Items[{i}].ResponsePagePath");
    assert_eq!(
        got,
        vec![
            (e(0), Severity::Error, Some("InvalidRelativePath")),
            (e(2), Severity::Warning, None),
            (e(3), Severity::Error, Some("InvalidRelativePath")),
        ]
    );
}

#[test]
fn lint_error_page_without_get() {
    let mut v = crate::document::to_value(&config_with(&[("errors/*", "s3")]));
    v["CacheBehaviors"]["Items"][0]["AllowedMethods"] = json!({"Quantity": 1, "Items": ["HEAD"]});
    v["CustomErrorResponses"] = json!({"Quantity": 1, "Items": [
        {"ErrorCode": 404, "ResponsePagePath": "/errors/404.html", "ResponseCode": "404"}
    ]});
    let cfg = parse_config(v).unwrap();
    let f = lint(&cfg);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].message.contains("do not include GET"),
        "{}",
        f[0].message
    );
}

#[test]
fn fixtures_have_no_pattern_findings() {
    for name in [
        "spa-with-error-pages.json",
        "geo-restricted-with-logging.json",
        "lambda-edge-and-functions.json",
        "origin-group-failover.json",
        "s3-origin-minimal.json",
    ] {
        let f = lint(&fixture(name));
        assert!(f.is_empty(), "{name}: {f:?}");
    }
}

#[test]
fn lint_of_a_hostile_number_of_behaviors_is_bounded_and_says_so() {
    // Past the comparison budget the shadowing check stops, with one warning where it stopped;
    // duplicates are still found everywhere.
    let mut patterns: Vec<String> = (0..3_000).map(|i| format!("/p{i}/*")).collect();
    patterns.push("/p0/*".into()); // duplicate of the first
    patterns.push("/p1/x".into()); // shadowed by /p1/*, but past the budget
    let behaviors: Vec<(&str, &str)> = patterns.iter().map(|p| (p.as_str(), "s3")).collect();
    let f = lint(&config_with(&behaviors));
    let stop: Vec<&Finding> = f
        .iter()
        .filter(|f| f.message.contains("not checked for being shadowed"))
        .collect();
    assert_eq!(stop.len(), 1, "{f:#?}");
    assert_eq!(stop[0].severity, Severity::Warning);
    assert!(
        f.iter()
            .any(|f| f.path == "CacheBehaviors.Items[3000].PathPattern"
                && f.is_error()
                && f.message.contains("duplicates CacheBehaviors.Items[0]")),
        "{f:#?}"
    );
    assert!(!f.iter().any(|f| f.message.contains("never selected")));
    // Within the budget, shadowing is found as before.
    let f = lint(&config_with(&[("/p1/*", "s3"), ("/p1/x", "s3")]));
    assert!(
        f.iter().any(|f| f.message.contains("never selected")),
        "{f:#?}"
    );
}
