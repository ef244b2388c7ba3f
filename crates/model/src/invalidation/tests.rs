//! Table tests for invalidation paths; each row cites the spec rule it checks.

use super::*;
use crate::finding::Severity;

#[test]
fn parse_rules() {
    let long_ok = format!("/{}", "a".repeat(3_999));
    let long_bad = format!("/{}", "a".repeat(4_000));
    // (rule, path, expected)
    let rows: Vec<(&str, &str, Result<(), InvalidationPathError>)> = vec![
        ("I-1 plain", "/index.html", Ok(())),
        ("I-1 root", "/", Ok(())),
        ("I-1 empty", "", Err(InvalidationPathError::Empty)),
        (
            "I-1 no leading /",
            "images/a.jpg",
            Err(InvalidationPathError::NoLeadingSlash {
                path: "images/a.jpg".into(),
            }),
        ),
        ("I-1 4000 chars", &long_ok, Ok(())),
        (
            "I-1 4001 chars",
            &long_bad,
            Err(InvalidationPathError::TooLong { len: 4_001 }),
        ),
        ("I-2 /images/*", "/images/*", Ok(())),
        ("I-2 /images*", "/images*", Ok(())),
        ("I-2 /images/logo.*", "/images/logo.*", Ok(())),
        ("I-2 /*", "/*", Ok(())),
        (
            "I-2 * in the middle",
            "/images/*.jpg",
            Err(InvalidationPathError::StrayWildcard { position: 9 }),
        ),
        (
            "I-2 two stars",
            "/a/**",
            Err(InvalidationPathError::StrayWildcard { position: 4 }),
        ),
        (
            "I-2 position counts characters",
            "/é*/x",
            Err(InvalidationPathError::StrayWildcard { position: 3 }),
        ),
        ("I-2 %2A is a literal star", "/a%2A.jpg", Ok(())),
        ("I-3 with query", "/img.jpg?p=a", Ok(())),
        (
            "I-4 NUL",
            "/a\0b",
            Err(InvalidationPathError::ControlCharacter {
                position: 3,
                code: 0,
            }),
        ),
        (
            "I-4 CR LF",
            "/a\r\nX-Injected: 1",
            Err(InvalidationPathError::ControlCharacter {
                position: 3,
                code: 13,
            }),
        ),
        (
            "I-4 LF",
            "/é\n",
            Err(InvalidationPathError::ControlCharacter {
                position: 3,
                code: 10,
            }),
        ),
        ("I-4 encoded CR LF", "/a%0D%0A", Ok(())),
    ];
    for (rule, path, expected) in rows {
        assert_eq!(
            InvalidationPath::parse(path).map(|_| ()),
            expected,
            "{rule}: {path:?}"
        );
    }
    let msg = InvalidationPath::parse("images/a.jpg")
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("write \"/images/a.jpg\""),
        "suggests the fix: {msg}"
    );
    let msg = InvalidationPath::parse("/a*b").unwrap_err().to_string();
    assert!(msg.contains("position 3"), "says where: {msg}");
}

#[test]
fn matching_rules() {
    // (rule, invalidation path, request path, request query, expected)
    let rows: &[(&str, &str, &str, Option<&str>, bool)] = &[
        ("I-1 exact", "/a.jpg", "/a.jpg", None, true),
        ("I-1 case-sensitive", "/a.jpg", "/A.jpg", None, false),
        (
            "I-3 no ? → every query variant",
            "/a.jpg",
            "/a.jpg",
            Some("w=1"),
            true,
        ),
        (
            "I-3 no ? → exact path only",
            "/a.jpg",
            "/a.jpg.bak",
            None,
            false,
        ),
        (
            "I-3 ? → exact query",
            "/img.jpg?p=a",
            "/img.jpg",
            Some("p=a"),
            true,
        ),
        (
            "I-3 ? → other query",
            "/img.jpg?p=a",
            "/img.jpg",
            Some("p=b"),
            false,
        ),
        ("I-3 ? → no query", "/img.jpg?p=a", "/img.jpg", None, false),
        (
            "I-3 ? → longer query",
            "/img.jpg?p=a",
            "/img.jpg",
            Some("p=ab"),
            false,
        ),
        (
            "I-3 * prefix on query",
            "/img.jpg*",
            "/img.jpg",
            Some("p=a"),
            true,
        ),
        (
            "I-3 * prefix on path",
            "/img.jpg*",
            "/img.jpg.bak",
            None,
            true,
        ),
        (
            "I-3 * inside query",
            "/img.jpg?p=*",
            "/img.jpg",
            Some("p=zz"),
            true,
        ),
        (
            "I-3 * inside query, other",
            "/img.jpg?p=*",
            "/img.jpg",
            Some("q=1"),
            false,
        ),
        (
            "I-3 * inside query, none",
            "/img.jpg?p=*",
            "/img.jpg",
            None,
            false,
        ),
        ("I-3 * ? only", "/img.jpg?*", "/img.jpg", Some(""), true),
        ("I-2 /images/*", "/images/*", "/images/a/b.png", None, true),
        (
            "I-2 /images/* not dir itself",
            "/images/*",
            "/images",
            None,
            false,
        ),
        (
            "I-2 /images* siblings",
            "/images*",
            "/images-old/x",
            None,
            true,
        ),
        (
            "I-2 /images/logo.*",
            "/images/logo.*",
            "/images/logo.png",
            None,
            true,
        ),
        ("I-2 /* everything", "/*", "/", Some("x"), true),
        ("I-2 /* everything", "/*", "/deep/er/path", None, true),
        (
            "I-4 encoded stays encoded",
            "/my%20file",
            "/my%20file",
            None,
            true,
        ),
        ("I-4 no decoding", "/my%20file", "/my file", None, false),
        (
            "I-4 over-encoded never matches",
            "/%61.jpg",
            "/a.jpg",
            None,
            false,
        ),
        (
            "I-5 directory vs object",
            "/images",
            "/images/",
            None,
            false,
        ),
        (
            "I-5 directory vs object",
            "/images/",
            "/images",
            None,
            false,
        ),
        (
            "I-6 root object by path",
            "/index.html",
            "/index.html",
            None,
            true,
        ),
    ];
    for (rule, inv, path, query, expected) in rows {
        let p = InvalidationPath::parse(inv).expect(inv);
        assert_eq!(
            p.matches(path, *query),
            *expected,
            "{rule}: {inv:?} vs {path:?} ? {query:?}"
        );
    }
}

#[test]
fn lint_path_rules() {
    // (rule, path, expected (severity, text) findings)
    type Row<'a> = (&'a str, &'a str, &'a [(Severity, &'a str)]);
    let rows: &[Row] = &[
        ("I-1 fine", "/images/a.jpg", &[]),
        (
            "I-1 leading slash",
            "images/a.jpg",
            &[(Severity::Error, "must begin with `/`")],
        ),
        (
            "I-2 stray *",
            "/images/*.jpg",
            &[(Severity::Error, "position 9")],
        ),
        (
            "I-4 space",
            "/my file.pdf",
            &[(Severity::Warning, "percent-encoded as `%20`")],
        ),
        (
            "I-4 non-ASCII",
            "/café.html",
            &[(Severity::Warning, "`%C3%A9`")],
        ),
        ("I-4 encoded space is right", "/my%20file.pdf", &[]),
        ("I-4 encoded reserved is fine", "/a%2Fb", &[]),
        ("I-4 encoded * is fine", "/a%2A", &[]),
        (
            "I-4 over-encoded letter",
            "/%61.jpg",
            &[(
                Severity::Warning,
                "`%61` encodes `a`, which needs no encoding",
            )],
        ),
        (
            "I-4 over-encoded tilde",
            "/%7Euser/",
            &[(Severity::Warning, "encodes `~`")],
        ),
        (
            "I-4 stray percent",
            "/100%.html",
            &[(Severity::Warning, "`%25`")],
        ),
        (
            "I-4 percent at end",
            "/a%",
            &[(Severity::Warning, "does not start a percent-encoding")],
        ),
    ];
    for (rule, path, expected) in rows {
        let got = lint_path("Paths.Items[0]", path);
        assert_eq!(got.len(), expected.len(), "{rule}: {path:?} → {got:?}");
        for (f, (sev, text)) in got.iter().zip(expected.iter()) {
            assert_eq!(f.severity, *sev, "{rule}: {f}");
            assert!(f.message.contains(text), "{rule}: {f}");
            assert_eq!(f.path, "Paths.Items[0]");
            if f.is_error() {
                assert_eq!(f.code, Some("InvalidArgument"), "{rule}");
            }
        }
    }
}

#[test]
fn notes_on_directories() {
    // (rule, path, note expected)
    let rows = [
        ("I-5 bare directory", "/images", true),
        ("I-5 directory object", "/images/", true),
        ("I-5 file", "/images/a.jpg", false),
        ("I-5 wildcard", "/images/*", false),
        ("I-5 root", "/", false),
        ("I-5 query", "/api?x=1", false),
    ];
    for (rule, path, expected) in rows {
        let p = InvalidationPath::parse(path).expect(path);
        assert_eq!(
            p.note().is_some(),
            expected,
            "{rule}: {path} → {:?}",
            p.note()
        );
    }
    let n = InvalidationPath::parse("/images").unwrap().note().unwrap();
    assert!(n.contains("`/images/`"), "{n}");
}

#[test]
fn lint_batch_rules() {
    let batch: Vec<String> = [
        "/index.html",     // 0
        "/images/*",       // 1
        "/images/a.jpg",   // 2: covered by 1
        "/index.html",     // 3: duplicate of 0
        "css/site.css",    // 4: no leading slash
        "/images/thumbs*", // 5: covered by 1
        "/img.jpg?v=2",    // 6
        "/img.jpg",        // 7
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let got: Vec<(String, Severity)> = lint_batch(&batch)
        .into_iter()
        .map(|f| (f.path, f.severity))
        .collect();
    let at = |i: usize| format!("Paths.Items[{i}]");
    assert_eq!(
        got,
        vec![
            (at(2), Severity::Warning),
            (at(3), Severity::Warning),
            (at(4), Severity::Error),
            (at(5), Severity::Warning),
        ]
    );
    let f = lint_batch(&batch);
    assert!(
        f[0].message.contains("`/images/*` (Paths.Items[1])"),
        "{}",
        f[0]
    );
    assert!(f[1].message.contains("first at Paths.Items[0]"), "{}", f[1]);

    // I-8 limits within one batch.
    let wild: Vec<String> = (0..16).map(|i| format!("/d{i}/*")).collect();
    let f = lint_batch(&wild);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].code, Some("TooManyInvalidationsInProgress"));
    let many: Vec<String> = (0..3_001).map(|i| format!("/f{i}.html")).collect();
    let f = lint_batch(&many);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, Some("TooManyInvalidationsInProgress"));
    let ok: Vec<String> = (0..3_000).map(|i| format!("/f{i}.html")).collect();
    assert!(lint_batch(&ok).is_empty());
    assert_eq!(lint_batch(&[])[0].code, Some("InvalidArgument"));
}

#[test]
fn counts_and_quotas() {
    let paths: Vec<InvalidationPath> = ["/a", "/b/*", "/c*", "/d.html", "/*"]
        .iter()
        .map(|p| InvalidationPath::parse(p).unwrap())
        .collect();
    let c = count_paths(&paths);
    assert_eq!(
        c,
        PathCounts {
            individual: 2,
            wildcard: 3
        }
    );
    assert_eq!(c.total(), 5);
    // (rule, in progress, new, ok)
    let rows = [
        ("I-8 room", (2_990, 10), (10, 5), true),
        ("I-8 individual over", (2_990, 0), (11, 0), false),
        ("I-8 wildcard over", (0, 15), (0, 1), false),
        ("I-8 limits independent", (3_000, 0), (0, 15), true),
    ];
    for (rule, (pi, pw), (ni, nw), ok) in rows {
        let r = PathCounts {
            individual: pi,
            wildcard: pw,
        }
        .admits(PathCounts {
            individual: ni,
            wildcard: nw,
        });
        assert_eq!(r.is_ok(), ok, "{rule}: {r:?}");
    }
    let e = PathCounts {
        individual: 0,
        wildcard: 15,
    }
    .admits(PathCounts {
        individual: 0,
        wildcard: 1,
    })
    .unwrap_err();
    assert!(
        e.to_string().contains("15 wildcard paths are in progress"),
        "{e}"
    );
}

#[test]
fn cost_rules() {
    // (rule, already this month, new, free, billed, millidollars)
    let rows = [
        ("I-9 all free", 0, 10, 10, 0, 0),
        ("I-9 exactly the free tier", 990, 10, 10, 0, 0),
        ("I-9 crossing the free tier", 995, 10, 5, 5, 25),
        ("I-9 beyond", 5_000, 200, 0, 200, 1_000),
        ("I-9 nothing new", 5_000, 0, 0, 0, 0),
    ];
    for (rule, already, new, free, billed, milli) in rows {
        let c = cost(already, new);
        assert_eq!(
            (c.free_paths, c.billed_paths, c.millidollars),
            (free, billed, milli),
            "{rule}"
        );
    }
    assert_eq!(cost(995, 10).to_string(), "$0.025 (5 paths billed, 5 free)");
    assert_eq!(
        cost(1_000, 1_000).to_string(),
        "$5.000 (1000 paths billed, 0 free)"
    );
    // I-9: a wildcard counts as one path.
    let paths = [InvalidationPath::parse("/*").unwrap()];
    assert_eq!(
        cost(1_000, count_paths(&paths).total() as u64).millidollars,
        5
    );
}

#[test]
fn fixes_make_paths_that_lint_clean() {
    for (path, fixed) in [
        ("index.html", Some("/index.html")),
        ("/images/*.jpg", Some("/images/*")),
        ("/my file.html", Some("/my%20file.html")),
        ("/caf\u{e9}.html", Some("/caf%C3%A9.html")),
        ("/100%.html", Some("/100%25.html")),
        ("/%41bc.html", Some("/Abc.html")),
        ("/a%2fb", Some("/a%2Fb")),
        ("  /padded  ", Some("/padded")),
        ("/fine.html", None),
        ("/img/*", None),
        ("", None),
    ] {
        let got = fix_path(path);
        assert_eq!(got.as_deref(), fixed, "{path:?}");
        if let Some(f) = got {
            assert!(
                lint_path("p", &f).is_empty(),
                "{f:?}: {:?}",
                lint_path("p", &f)
            );
        }
    }
}

#[test]
fn cheaper_wildcards_group_folders_of_two_or_more() {
    let paths: Vec<String> = [
        "/img/a.png",
        "/css/site.css",
        "/img/b.png",
        "/img/a.png",
        "/img/*",
        "/index.html",
        "/about.html",
        "/img/c.png?v=2",
        "/docs/x/1.html",
        "/docs/x/2.html",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let got = cheaper_wildcards(&paths);
    assert_eq!(
        got,
        vec![
            CheaperWildcard {
                wildcard: "/img/*".into(),
                replaces: vec![0, 2],
            },
            CheaperWildcard {
                wildcard: "/docs/x/*".into(),
                replaces: vec![8, 9],
            },
        ]
    );
}
