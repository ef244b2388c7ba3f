//! End-to-end tests of `match`, `diff` and `export`: the built binary on the fixtures.

use std::process::{Command, Output};

use cfconsole_testkit::fixture;
use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn match_names_the_behavior_and_what_was_passed_over() {
    let f = fixture("many-behaviors.json");
    let o = run(&["match", f.to_str().unwrap(), "/robots.txt?x=1"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("/robots.txt → CacheBehaviors.Items[23] (pattern `/robots.txt`)"),
        "{out}"
    );
    assert_eq!(out.matches("passed over").count(), 23, "{out}");

    let o = run(&["match", f.to_str().unwrap(), "/nowhere", "--format", "json"]);
    let v: Vec<Value> = serde_json::from_slice(&o.stdout).expect("JSON array");
    assert_eq!(v[0]["behavior"], "DefaultCacheBehavior");
    assert_eq!(v[0]["index"], Value::Null);
    assert_eq!(v[0]["passed_over"].as_array().unwrap().len(), 25);
}

#[test]
fn match_applies_the_default_root_object_first() {
    // spec D-1, §19-4: `/` becomes `/<DefaultRootObject>` before behavior selection.
    let f = fixture("geo-restricted-with-logging.json");
    let o = run(&["match", f.to_str().unwrap(), "/", "--format", "json"]);
    let v: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["requested"], "/");
    assert_ne!(v[0]["path"], "/");
}

#[test]
fn diff_exits_one_on_changes_and_zero_when_equal() {
    let a = fixture("spa-with-error-pages.json");
    let b = fixture("invalid-quantity-mismatch.json");
    let o = run(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout).trim(), "Aliases › Quantity: 2 → 1");

    let o = run(&["diff", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());

    let o = run(&["diff", a.to_str().unwrap(), "/does/not/exist.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("/does/not/exist.json: cannot read"));
}

#[test]
fn diff_json_lists_changes() {
    let a = fixture("geo-restricted-with-logging.json");
    let b = fixture("invalid-error-code-418.json");
    let o = run(&[
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["kind"], "added");
    assert_eq!(v[0]["path"], "CustomErrorResponses");
}

#[test]
fn export_round_trips_cli_json_only_with_secrets() {
    let f = fixture("many-behaviors.json");
    let input: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    let o = run(&["export", f.to_str().unwrap(), "--include-secrets"]);
    assert!(o.status.success());
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out, input);

    // Without --include-secrets the header values are withheld and each one is named.
    let o = run(&["export", f.to_str().unwrap()]);
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_ne!(out, input);
    let withheld = text(&o.stderr).matches("value withheld").count();
    assert_eq!(withheld, 4, "{}", text(&o.stderr));
    let secret = input["Origins"]["Items"][0]["CustomHeaders"]["Items"][0]["HeaderValue"]
        .as_str()
        .unwrap();
    assert!(!text(&o.stdout).contains(secret));
}

#[test]
fn export_bare_drops_the_wrapper_and_iac_formats_write_files() {
    let f = fixture("get-distribution-output.json");
    let o = run(&["export", f.to_str().unwrap(), "--bare"]);
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(out.get("CallerReference").is_some() && out.get("ETag").is_none());

    let dir = tempfile::tempdir().unwrap();
    let cfn = dir.path().join("t.json");
    let o = run(&[
        "export",
        f.to_str().unwrap(),
        "--format",
        "cloudformation",
        "-o",
        cfn.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let t: Value = serde_json::from_str(&std::fs::read_to_string(&cfn).unwrap()).unwrap();
    assert_eq!(
        t["Resources"]["Distribution"]["Type"],
        "AWS::CloudFront::Distribution"
    );

    let o = run(&["export", f.to_str().unwrap(), "--format", "terraform"]);
    assert!(text(&o.stdout).contains("resource \"aws_cloudfront_distribution\" \"distribution\""));

    let o = run(&["export", f.to_str().unwrap(), "--format", "yaml"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("expected one of: cli-json, cloudformation, terraform"));
}

#[test]
fn a_multi_tenant_distribution_exports_to_terraform_as_the_multitenant_resource() {
    let f = fixture("multi-tenant-template.json");
    let o = run(&["export", f.to_str().unwrap(), "--format", "terraform"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("resource \"aws_cloudfront_multitenant_distribution\" \"distribution\""),
        "{out}"
    );
    assert!(out.contains("tenant_config {"), "{out}");
    assert!(out.contains("name = \"tenantName\""), "{out}");
    // The tenant's parameter stays a literal for CloudFront to fill in, not a Terraform template.
    assert!(out.contains("\"/{{tenantName}}\""), "{out}");

    let o = run(&["export", f.to_str().unwrap(), "--format", "cloudformation"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

/// `diff` withholds origin custom header values as `export` does, and says a value changed
/// (#16); `--include-secrets` shows them.
#[test]
fn diff_withholds_header_values_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, value: &str| {
        let mut v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("get-distribution-config-output.json")).unwrap(),
        )
        .unwrap();
        v["DistributionConfig"]["Origins"]["Items"][0]["CustomHeaders"] = serde_json::json!({
            "Quantity": 1, "Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": value}]});
        let p = dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    };
    let (a, b) = (write("a.json", "old-s3cr3t"), write("b.json", "new-s3cr3t"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    for format in ["text", "json"] {
        let o = run(&["diff", a, b, "--format", format]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        let out = text(&o.stdout);
        assert!(!out.contains("s3cr3t"), "{out}");
        assert!(
            out.contains("HeaderValue"),
            "the change is still said: {out}"
        );
        assert!(text(&o.stderr).contains("--include-secrets"));
    }
    let o = run(&["diff", a, b, "--include-secrets"]);
    let out = text(&o.stdout);
    assert!(out.contains("\"old-s3cr3t\" → \"new-s3cr3t\""), "{out}");
}
