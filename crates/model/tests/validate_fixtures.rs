//! Every configuration under `fixtures/` validates to what the fixtures README says:
//! `valid` (no errors; warnings only where justified below), `valid with warnings` (no errors,
//! the named warning present), `invalid: PATH CODE` (that error at that path).

use cfconsole_model::{Document, Finding, Severity, validate};
use cfconsole_testkit::fixtures_dir;

fn load(name: &str) -> Vec<Finding> {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let doc = Document::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    validate(&doc.config)
}

fn show(f: &[Finding]) -> String {
    f.iter().map(|f| format!("  {f}\n")).collect()
}

fn errors(f: &[Finding]) -> Vec<&Finding> {
    f.iter().filter(|f| f.severity == Severity::Error).collect()
}

/// `valid`: no errors, and no warnings other than the `allowed` (path, reason) ones.
fn assert_valid(name: &str, allowed: &[&str]) {
    let f = load(name);
    let unexpected: Vec<&Finding> = f
        .iter()
        .filter(|f| f.is_error() || !allowed.contains(&f.path.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{name}: expected valid, got:\n{}",
        show(&f)
    );
}

fn assert_invalid(name: &str, path: &str, code: &str) {
    let f = load(name);
    assert!(
        f.iter()
            .any(|f| f.is_error() && f.path == path && f.code == Some(code)),
        "{name}: expected error {code} at {path}, got:\n{}",
        show(&f)
    );
}

fn assert_warning(name: &str, path: &str, contains: &str) -> Vec<Finding> {
    let f = load(name);
    assert!(
        errors(&f).is_empty(),
        "{name}: expected no errors, got:\n{}",
        show(&f)
    );
    assert!(
        f.iter().any(|f| f.severity == Severity::Warning
            && f.path == path
            && f.message.contains(contains)),
        "{name}: expected a warning at {path} containing {contains:?}, got:\n{}",
        show(&f)
    );
    f
}

#[test]
fn plain_valid_fixtures() {
    for name in [
        "get-distribution-config-output.json",
        "get-distribution-output.json",
        "spa-with-error-pages.json",
        "origin-group-failover.json",
        "geo-restricted-with-logging.json",
        "custom-cert-aliases-mtls.json",
        "lambda-edge-and-functions.json",
    ] {
        assert_valid(name, &[]);
    }
    // Disabled on purpose (`Enabled: false`, the moto scaffolding): the informational S-11
    // warning is the only finding.
    assert_valid("s3-origin-minimal.json", &["Enabled"]);
}

#[test]
fn many_behaviors_is_well_within_the_2026_quota() {
    // 25 behaviors was CloudFront's quota until 2025; it is 75 now (quotas.rs), so the fixture
    // is no longer at it and gets no quota warning.
    let f = assert_warning("many-behaviors.json", "Origins.Items[3].Id", "P-11");
    assert!(
        !f.iter().any(|f| f.path == "CacheBehaviors.Quantity"),
        "no quota finding at 25 of 75: {f:?}"
    );
    // Besides the quota: two of the five origins are only declared (the source's Terraform
    // keeps them for later, P-11), and the custom cache-policy ids are placeholders that cannot
    // be checked without `--policies`.
    for f in f.iter().filter(|f| f.path != "CacheBehaviors.Quantity") {
        assert!(
            (f.path.starts_with("Origins.Items[") && f.message.contains("P-11"))
                || (f.path.ends_with(".CachePolicyId")
                    && f.message.contains("not a CloudFront managed policy")),
            "unexpected finding: {f}"
        );
    }
}

#[test]
fn multi_tenant_template_warns_about_its_policy_id() {
    assert_warning(
        "multi-tenant-template.json",
        "DefaultCacheBehavior.CachePolicyId",
        "not a CloudFront managed policy",
    );
}

#[test]
fn static_ips_fixture_has_no_errors() {
    let f = load("static-ips-mtls-cache-tags.json");
    assert!(errors(&f).is_empty(), "{}", show(&f));
}

#[test]
fn invalid_fixtures() {
    assert_invalid(
        "invalid-ttl-order.json",
        "DefaultCacheBehavior.MinTTL",
        "InvalidTTLOrder",
    );
    assert_invalid(
        "invalid-missing-origin.json",
        "DefaultCacheBehavior.TargetOriginId",
        "NoSuchOrigin",
    );
    assert_invalid(
        "invalid-quantity-mismatch.json",
        "Aliases.Quantity",
        "InconsistentQuantities",
    );
    assert_invalid(
        "invalid-error-code-418.json",
        "CustomErrorResponses.Items[0].ErrorCode",
        "InvalidErrorCode",
    );
}

#[test]
fn unknown_member_is_a_parse_error() {
    let text = std::fs::read_to_string(fixtures_dir().join("invalid-unknown-field.json"))
        .expect("read fixture");
    let e = Document::from_json(&text).expect_err("IPV6Enabled must be rejected");
    assert!(e.to_string().contains("IPV6Enabled"), "{e}");
    // The rest of the file is sound: one error (`cfconsole validate` prints one line).
    assert_eq!(e.count(), 1, "{e}");
}

#[test]
fn print_all_findings() {
    // Not an assertion: `cargo test -- --nocapture print_all_findings` lists what each gives.
    let mut names: Vec<_> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "invalid-unknown-field.json")
        .collect();
    names.sort();
    for n in names {
        println!("{n}:\n{}", show(&load(&n)));
    }
}
