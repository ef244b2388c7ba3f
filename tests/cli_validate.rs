//! End-to-end tests of `cfconsole validate`: line format, file prefixes, JSON output, exit
//! codes, and `--policies`.

use std::process::{Command, Output};

use cfconsole_testkit::fixture;
use serde_json::Value;

fn validate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .arg("validate")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn one_file_one_line_per_finding() {
    let f = fixture("invalid-ttl-order.json");
    let out = validate(&[f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.lines()
            .any(|l| l.starts_with("error: DefaultCacheBehavior.MinTTL: ")
                && l.ends_with("(InvalidTTLOrder)")),
        "{t}"
    );
    assert!(
        t.lines().any(|l| l.starts_with("warning: Enabled: ")),
        "{t}"
    );
}

#[test]
fn several_files_are_prefixed_and_warnings_exit_zero() {
    let a = fixture("spa-with-error-pages.json");
    let b = fixture("many-behaviors.json");
    let out = validate(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.lines()
            .all(|l| l.starts_with(&format!("{}: warning: ", b.display()))),
        "{t}"
    );
    // 25 behaviors is well within the quota of 75 (2026); the fixture's warnings are its
    // declared-but-unused origins (P-11).
    assert!(t.contains("P-11"), "{t}");
    assert!(!t.contains("CacheBehaviors.Quantity"), "{t}");
}

#[test]
fn parse_failures_are_one_error() {
    let f = fixture("invalid-unknown-field.json");
    let out = validate(&[f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert_eq!(t.lines().count(), 1, "{t}");
    assert!(t.starts_with("error: IPV6Enabled: "), "{t}");
}

#[test]
fn every_parse_error_is_a_line() {
    let f = fixture("s3-origin-minimal.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    v["Enabled"] = "true".into();
    v["DefaultCacheBehavior"]["Compress"] = "false".into();
    v["Origins"]["Items"][0]["ConnectionAttempts"] = "3".into();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("strings.json");
    std::fs::write(&file, v.to_string()).unwrap();
    let out = validate(&[file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert_eq!(t.lines().count(), 3, "{t}");
    assert!(t.lines().all(|l| l.starts_with("error: ")), "{t}");
    for path in [
        "Enabled",
        "Origins.Items[0].ConnectionAttempts",
        "DefaultCacheBehavior.Compress",
    ] {
        assert!(
            t.contains(&format!("error: {path}: wrong type")),
            "{path}: {t}"
        );
    }
}

#[test]
fn json_output() {
    let f = fixture("invalid-quantity-mismatch.json");
    let out = validate(&["--format", "json", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = v.as_array().expect("an array");
    assert_eq!(rows.len(), 1, "{v}");
    assert_eq!(rows[0]["path"], "Aliases.Quantity");
    assert_eq!(rows[0]["severity"], "error");
    assert_eq!(rows[0]["code"], "InconsistentQuantities");
    assert_eq!(rows[0]["file"], f.display().to_string());
}

#[test]
fn policies_turn_unknown_ids_into_errors() {
    let f = fixture("multi-tenant-template.json");
    let out = validate(&[f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("warning: DefaultCacheBehavior.CachePolicyId"));

    let dir = tempfile::tempdir().unwrap();
    let mut policy = cfconsole_model::policies::managed_cache_policies()[0].clone();
    policy.id = "custom-1".into();
    let file = dir.path().join("policies.json");
    std::fs::write(
        &file,
        serde_json::json!({ "ETag": "E1", "CachePolicy": policy }).to_string(),
    )
    .unwrap();
    let out = validate(&[f.to_str().unwrap(), "--policies", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("error: DefaultCacheBehavior.CachePolicyId")
            && text(&out).contains("(NoSuchCachePolicy)"),
        "{}",
        text(&out)
    );
}
