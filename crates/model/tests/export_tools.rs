//! The exports are accepted by the real tools: botocore's parameter validator and the AWS CLI
//! against a moto server (CLI JSON), cfn-lint (CloudFormation) and an HCL parser (Terraform).
//!
//! The Python tools come from `.ci/setup-python.sh`. Where a tool is missing the test says
//! "skipped" and passes, except under `CI=true`, where a missing tool is a failure: CI must
//! never pass by not checking.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use cfconsole_model::{ConnectionMode, Document, ExportFormat, ExportOptions, Form, export};
use cfconsole_testkit::{Moto, fixtures_dir, tool};
use serde_json::Value;

/// One fixture that parsed.
struct Fixture {
    name: String,
    doc: Document,
}

impl Fixture {
    fn is_valid(&self) -> bool {
        !self.name.starts_with("invalid-")
    }
}

/// Every fixture that parses, sorted by name. A fixture that does not parse must be an
/// `invalid-*` one (only `invalid-unknown-field.json` today: an unknown member is a shape
/// error, so no tool could accept it either).
fn fixtures() -> Vec<Fixture> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("read fixtures dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).expect("read fixture");
        match Document::from_json(&text) {
            Ok(doc) => out.push(Fixture { name, doc }),
            Err(e) => assert!(
                name.starts_with("invalid-"),
                "valid fixture {name} does not parse: {e}"
            ),
        }
    }
    assert!(
        out.iter().filter(|f| f.is_valid()).count() >= 10,
        "expected the fixtures in {:?}",
        fixtures_dir()
    );
    out
}

fn with_secrets() -> ExportOptions {
    ExportOptions {
        include_secrets: true,
        ..ExportOptions::default()
    }
}

/// The bare `DistributionConfig` that `create-distribution --distribution-config` takes: the
/// CLI JSON export (secrets included) unwrapped from whatever form the fixture had.
fn bare_config(doc: &Document) -> Value {
    let out = export(doc, ExportFormat::CliJson, &with_secrets()).expect("exports");
    let exported = Document::from_json(&out.text).expect("CLI JSON export reads back");
    exported.to_value_as(Form::Bare)
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Environment for AWS tools: dummy credentials, and config files that do not exist, so that
/// nothing of the user's own AWS setup is read or used.
fn aws_env(mut cmd: Command, scratch: &Path) -> Command {
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_SESSION_TOKEN", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        // PyPI's awscli is version 1, which has no pager and no `--no-cli-pager`; an empty
        // AWS_PAGER keeps a version 2 found on PATH from paging too.
        .env("AWS_PAGER", "")
        .env("AWS_CONFIG_FILE", scratch.join("no-such-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            scratch.join("no-such-credentials"),
        )
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL");
    cmd
}

/// Validates parameters with botocore's own `ParamValidator` against the `CreateDistribution`
/// input shape: the check the AWS CLI and every botocore-based SDK make before sending.
/// Reads `{"name": DistributionConfig, ...}` and prints `{"name": "report or empty"}`.
const BOTOCORE_VALIDATE: &str = r#"
import json, sys
import botocore, botocore.session
from botocore.validate import ParamValidator
shape = (botocore.session.get_session().get_service_model("cloudfront")
         .operation_model("CreateDistribution").input_shape)
cases = json.load(open(sys.argv[1]))
out = {}
for name, config in cases.items():
    report = ParamValidator().validate({"DistributionConfig": config}, shape)
    out[name] = report.generate_report() if report.has_errors() else ""
print(json.dumps({"botocore": botocore.__version__, "reports": out}))
"#;

#[test]
fn every_parsable_fixture_passes_botocore_validation() {
    let Some(python) = tool("CFCONSOLE_PYTHON", "python3") else {
        return;
    };
    let scratch = tempfile::tempdir().expect("temp dir");
    // Invalid fixtures that parse are exported too: their faults are semantic (TTL order, a
    // missing origin, a Quantity that disagrees, error code 418), which CloudFront rejects but
    // botocore's shape check does not, so botocore must accept the exported shape.
    let cases: serde_json::Map<String, Value> = fixtures()
        .iter()
        .map(|f| (f.name.clone(), bare_config(&f.doc)))
        .collect();
    // A control the validator must reject, so that a validator that checks nothing (or a
    // botocore without CloudFront's model) cannot pass this test: the raw unknown-member
    // fixture, which the model refuses to read.
    let control = "control:invalid-unknown-field.json";
    let raw = std::fs::read_to_string(fixtures_dir().join("invalid-unknown-field.json"))
        .expect("read control fixture");
    let mut cases = cases;
    cases.insert(
        control.to_string(),
        serde_json::from_str(&raw).expect("control fixture is JSON"),
    );
    let input = scratch.path().join("cases.json");
    std::fs::write(&input, serde_json::to_vec(&cases).expect("json")).expect("write cases");
    let out = run(aws_env(Command::new(&python), scratch.path())
        .arg("-c")
        .arg(BOTOCORE_VALIDATE)
        .arg(&input));
    assert!(
        out.status.success(),
        "botocore validator failed to run ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).expect("validator prints JSON");
    let invalid: Vec<&str> = cases
        .keys()
        .filter(|n| n.starts_with("invalid-"))
        .map(String::as_str)
        .collect();
    eprintln!(
        "botocore {} validated {} exports (including {}) and 1 control",
        result["botocore"],
        cases.len() - 1,
        invalid.join(", ")
    );
    let control_report = result["reports"][control].as_str().unwrap_or_default();
    assert!(
        control_report.contains("Unknown parameter in DistributionConfig: \"IPV6Enabled\""),
        "botocore accepted the control case: {control_report:?}"
    );
    let failures: Vec<String> = result["reports"]
        .as_object()
        .expect("reports")
        .iter()
        .filter(|(name, r)| name.as_str() != control && r.as_str() != Some(""))
        .map(|(name, r)| format!("{name}: {}", r.as_str().unwrap_or_default()))
        .collect();
    assert_eq!(
        result["reports"].as_object().map(|r| r.len()),
        Some(cases.len())
    );
    assert!(
        failures.is_empty(),
        "botocore rejected:\n{}",
        failures.join("\n")
    );
}

#[test]
fn valid_fixtures_create_distributions_through_the_aws_cli() {
    let Some(aws) = tool("AWS_CLI", "aws") else {
        return;
    };
    let Some(moto) = Moto::start() else {
        return;
    };
    let started = Instant::now();
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    let mut created = 0;
    let mut moto_gaps = 0;
    let valid: Vec<Fixture> = fixtures().into_iter().filter(Fixture::is_valid).collect();
    for f in &valid {
        moto.reset();
        let file = scratch.path().join(&f.name);
        let json = serde_json::to_string_pretty(&bare_config(&f.doc)).expect("json");
        std::fs::write(&file, json).expect("write export");
        let out = run(aws_env(Command::new(&aws), scratch.path()).args([
            "cloudfront",
            "create-distribution",
            "--distribution-config",
            &format!("file://{}", file.display()),
            "--endpoint-url",
            &moto.endpoint(),
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout).expect("CLI prints JSON");
            assert!(
                v["Distribution"]["Id"].is_string(),
                "{}: no distribution id in {v}",
                f.name
            );
            created += 1;
        } else if f.name == "origin-group-failover.json"
            && matches!(out.status.code(), Some(254 | 255))
            && stderr.contains("NoSuchOrigin")
        {
            // moto does not resolve origin-group ids as behavior targets (fixtures README).
            // The request got past the CLI's parameter validation to the server, and the
            // botocore test validates this export's shape on its own.
            eprintln!("{}: moto answered NoSuchOrigin (known moto gap)", f.name);
            moto_gaps += 1;
        } else {
            failures.push(format!("{} ({}): {stderr}", f.name, out.status));
        }
    }
    drop(moto);
    eprintln!(
        "aws cloudfront create-distribution: {created} created in {:.1?}",
        started.elapsed()
    );
    assert!(failures.is_empty(), "rejected:\n{}", failures.join("\n"));
    assert_eq!(
        created + moto_gaps,
        valid.len(),
        "every valid fixture is created (or hits the one known moto gap)"
    );
    assert!(moto_gaps <= 1);
}

#[test]
fn valid_fixtures_pass_cfn_lint() {
    let Some(cfn_lint) = tool("CFN_LINT", "cfn-lint") else {
        return;
    };
    let started = Instant::now();
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for f in fixtures().iter().filter(|f| f.is_valid()) {
        // Without secrets, so the NoEcho parameters are linted too.
        let out = export(
            &f.doc,
            ExportFormat::CloudFormation,
            &ExportOptions::default(),
        )
        .expect("exports");
        let file = scratch.path().join(&f.name);
        std::fs::write(&file, &out.text).expect("write template");
        files.push(file);
    }
    let out = run(Command::new(&cfn_lint)
        .arg("--format")
        .arg("parseable")
        .arg("--")
        .args(&files)
        .env("AWS_DEFAULT_REGION", "us-east-1"));
    let report = String::from_utf8_lossy(&out.stdout);
    let code = out.status.code().expect("cfn-lint exited normally");
    eprintln!(
        "cfn-lint on {} templates: exit {code} in {:.1?}\n{report}",
        files.len(),
        started.elapsed()
    );
    // cfn-lint's exit code is a bit set: 2 error, 4 warning, 8 informational (1 = crash).
    assert!(
        code & 0b11 == 0,
        "cfn-lint reported errors (exit {code}):\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Control: the API's spelling `IsIPV6Enabled` is not a CloudFormation property, and cfn-lint
    // must say so, or the run above proved nothing (say, a cfn-lint without the resource
    // schema).
    let first = files.first().expect("at least one template");
    let broken = std::fs::read_to_string(first)
        .expect("read template")
        .replacen(
            "\"Enabled\"",
            "\"IsIPV6Enabled\": true,\n        \"Enabled\"",
            1,
        );
    let control = scratch.path().join("control.json");
    std::fs::write(&control, broken).expect("write control");
    let out = run(Command::new(&cfn_lint)
        .arg("--")
        .arg(&control)
        .env("AWS_DEFAULT_REGION", "us-east-1"));
    assert_eq!(
        out.status.code().map(|c| c & 2),
        Some(2),
        "cfn-lint accepted IsIPV6Enabled: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Finds the single block `name` in a body.
fn block<'a>(body: &'a hcl::Body, name: &str) -> &'a hcl::Block {
    let mut found = body.blocks().filter(|b| b.identifier() == name);
    let b = found.next().unwrap_or_else(|| panic!("no {name} block"));
    assert!(found.next().is_none(), "more than one {name} block");
    b
}

fn attr<'a>(body: &'a hcl::Body, name: &str) -> Option<&'a hcl::Expression> {
    body.attributes()
        .find(|a| a.key() == name)
        .map(|a| a.expr())
}

#[test]
fn terraform_exports_parse_as_hcl() {
    for f in fixtures().iter().filter(|f| f.is_valid()) {
        let c = &f.doc.config;
        // A multi-tenant distribution is another Terraform resource type, with other names for
        // origins' ids and ordered behaviors.
        let tenant =
            c.connection_mode == Some(ConnectionMode::TenantOnly) || c.tenant_config.is_some();
        let (resource, origin_id, ordered_name) = if tenant {
            (
                "aws_cloudfront_multitenant_distribution",
                "id",
                "cache_behavior",
            )
        } else {
            (
                "aws_cloudfront_distribution",
                "origin_id",
                "ordered_cache_behavior",
            )
        };
        for opts in [ExportOptions::default(), with_secrets()] {
            let out = export(&f.doc, ExportFormat::Terraform, &opts).expect("exports");
            let body: hcl::Body = hcl::from_str(&out.text)
                .unwrap_or_else(|e| panic!("{}: not HCL: {e}\n{}", f.name, out.text));
            let res = block(&body, "resource");
            let labels: Vec<&str> = res.labels().iter().map(|l| l.as_str()).collect();
            assert_eq!(labels, [resource, "distribution"], "{}", f.name);
            let r = res.body();
            assert_eq!(
                attr(r, "enabled"),
                Some(&hcl::Expression::Bool(c.enabled)),
                "{}",
                f.name
            );
            assert_eq!(
                attr(r, "comment"),
                Some(&hcl::Expression::String(c.comment.clone())),
                "{}: comment survives escaping",
                f.name
            );
            let origins: Vec<&hcl::Block> =
                r.blocks().filter(|b| b.identifier() == "origin").collect();
            assert_eq!(origins.len(), c.origins.len(), "{}", f.name);
            for (o, want) in origins.iter().zip(c.origins.iter()) {
                assert_eq!(
                    attr(o.body(), origin_id),
                    Some(&hcl::Expression::String(want.id.clone())),
                    "{}",
                    f.name
                );
                if let Some(path) = want.origin_path.as_deref().filter(|p| !p.is_empty()) {
                    assert_eq!(
                        attr(o.body(), "origin_path"),
                        Some(&hcl::Expression::String(path.to_string())),
                        "{}: origin path survives escaping",
                        f.name
                    );
                }
            }
            let dcb = block(r, "default_cache_behavior");
            assert_eq!(
                attr(dcb.body(), "target_origin_id"),
                Some(&hcl::Expression::String(
                    c.default_cache_behavior.target_origin_id.clone()
                )),
                "{}",
                f.name
            );
            let ordered = r
                .blocks()
                .filter(|b| b.identifier() == ordered_name)
                .count();
            let want = c.cache_behaviors.as_ref().map_or(0, |b| b.len());
            assert_eq!(ordered, want, "{}", f.name);
            block(block(r, "restrictions").body(), "geo_restriction");
            if let Some(t) = &c.tenant_config {
                let defs = block(r, "tenant_config")
                    .body()
                    .blocks()
                    .filter(|b| b.identifier() == "parameter_definition")
                    .count();
                let want = t.parameter_definitions.as_ref().map_or(0, Vec::len);
                assert_eq!(defs, want, "{}", f.name);
            }
            block(r, "viewer_certificate");
            if c.viewer_mtls_config.is_some() {
                block(r, "viewer_mtls_config");
            }
            let groups = r
                .blocks()
                .filter(|b| b.identifier() == "origin_group")
                .count();
            assert_eq!(
                groups,
                c.origin_groups.as_ref().map_or(0, |g| g.len()),
                "{}",
                f.name
            );
            // Secrets: one sensitive variable per withheld value, and nothing of the value.
            let vars = body
                .blocks()
                .filter(|b| b.identifier() == "variable")
                .count();
            assert_eq!(vars, out.redacted.len(), "{}", f.name);
            if !opts.include_secrets {
                for o in c.origins.iter() {
                    for h in o.custom_headers.iter().flatten() {
                        assert!(
                            h.header_value.is_empty() || !out.text.contains(&h.header_value),
                            "{}: secret value in the export",
                            f.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn cli_json_exports_round_trip_every_parsable_fixture() {
    for f in fixtures() {
        let out = export(&f.doc, ExportFormat::CliJson, &with_secrets()).expect("exports");
        let back: Value = serde_json::from_str(&out.text).expect("JSON");
        assert_eq!(back, f.doc.to_value(), "{}", f.name);
        let text = std::fs::read_to_string(fixtures_dir().join(&f.name)).expect("read");
        let input: Value = serde_json::from_str(&text).expect("fixture JSON");
        assert_eq!(back, input, "{} does not export back to its input", f.name);
    }
}
