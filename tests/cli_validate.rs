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

/// An endless or huge input is refused before it is read whole (#16): `/dev/zero` once grew
/// the process to 22 GB.
#[cfg(unix)]
#[test]
fn an_endless_or_huge_input_is_refused_with_the_bound() {
    // validate's convention: an unreadable file is an error line of its own, exit 1.
    let out = validate(&["/dev/zero"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("error: cannot read: 32 MiB or more: larger than the 32 MiB"),
        "{}",
        text(&out)
    );
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(5 << 30)
        .unwrap();
    let out = validate(&[big.to_str().unwrap(), "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(
        t.contains(&format!(
            "{}: error: cannot read: 5120 MiB or more",
            big.display()
        )),
        "{t}"
    );
}

/// A member given twice is refused with its path, as CloudFront's parsers refuse it (#16).
#[test]
fn a_member_given_twice_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("dup.json");
    let original = std::fs::read_to_string(fixture("get-distribution-config-output.json")).unwrap();
    let dup = original.replacen("\"Comment\":", "\"Comment\": \"first\", \"Comment\":", 1);
    assert_ne!(dup, original);
    std::fs::write(&f, dup).unwrap();
    let out = validate(&[f.to_str().unwrap()]);
    let all = format!("{}{}", text(&out), String::from_utf8_lossy(&out.stderr));
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("DistributionConfig.Comment"), "{all}");
    assert!(all.contains("given twice"), "{all}");
}

/// A header value with a control character is refused at its field (#16): the preview would
/// otherwise drop the header silently when forwarding.
#[test]
fn a_control_character_in_a_header_value_is_refused_at_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ctl.json");
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("get-distribution-config-output.json")).unwrap(),
    )
    .unwrap();
    v["DistributionConfig"]["Origins"]["Items"][0]["CustomHeaders"] = serde_json::json!({
        "Quantity": 1, "Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": "a\u{1}b"}]});
    std::fs::write(&f, v.to_string()).unwrap();
    let out = validate(&[f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(
            "error: Origins.Items[0].CustomHeaders.Items[0].HeaderValue: the header value has the \
             control character U+0001"
        ),
        "{}",
        text(&out)
    );
}
