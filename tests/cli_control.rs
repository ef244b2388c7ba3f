//! End-to-end tests of the control-plane subcommands: the built binary against a temporary local
//! workspace. Deployments and invalidations take 200 ms here (`--local-delay-ms`) and the CLI
//! checks every 20 ms (`--poll-ms`), so the waits are real but short.

mod cli_support;

use std::path::Path;
use std::process::{Command, Output};

use cfconsole_model::{Document, Form};
use cfconsole_testkit::Moto;
use cli_support::{ok, stderr, stdout};

fn cfconsole(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .args(args)
        .arg("--workspace")
        .arg(ws)
        .args(["--local-delay-ms", "200", "--poll-ms", "20"])
        .output()
        .expect("the binary runs")
}

const SAMPLE: &str = "E1SAMPLE000001";

#[test]
fn distributions_lists_the_seeded_sample() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(cfconsole(dir.path(), &["distributions"]));
    let text = stdout(&out);
    assert!(text.contains(SAMPLE), "{text}");
    assert!(text.contains("Deployed"), "{text}");
}

#[test]
fn get_round_trips_through_publish_and_a_stale_etag_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(cfconsole(dir.path(), &["get", SAMPLE]));
    let doc = Document::from_json(&stdout(&out)).expect("get prints a readable document");
    assert_eq!(doc.form, Form::GetDistributionConfig);
    let etag = doc.etag.clone().expect("with its ETag");
    let file = dir.path().join("sample.json");
    let edited = stdout(&out).replace("\"Comment\": \"Sample", "\"Comment\": \"Edited sample");
    std::fs::write(&file, &edited).unwrap();
    let out = ok(cfconsole(
        dir.path(),
        &["publish", file.to_str().unwrap(), "--id", SAMPLE],
    ));
    let line = stdout(&out);
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[0], SAMPLE);
    assert_ne!(fields[1], etag, "a new ETag");
    assert_eq!(fields[2], "InProgress");
    // A get-distribution-config file (an ETag, no id) without --id: refused before anything is
    // sent, with the way to update it.
    let out = cfconsole(dir.path(), &["publish", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("pass --id ID"), "{}", stderr(&out));
    // The same file again carries the old ETag: refused, with what to do.
    let out = cfconsole(
        dir.path(),
        &["publish", file.to_str().unwrap(), "--id", SAMPLE],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("changed elsewhere"),
        "{}",
        stderr(&out)
    );
    let now = ok(cfconsole(dir.path(), &["get", SAMPLE]));
    assert!(stdout(&now).contains("Edited sample"));
}

#[test]
fn publish_creates_and_refuses_invalid_files_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(cfconsole(dir.path(), &["get", SAMPLE]));
    let doc = Document::from_json(&stdout(&out)).unwrap();
    let mut config = doc.config;
    config.caller_reference = "second".into();
    let bare = Document::new(config.clone());
    let file = dir.path().join("new.json");
    std::fs::write(&file, bare.to_json_pretty()).unwrap();
    let out = ok(cfconsole(dir.path(), &["publish", file.to_str().unwrap()]));
    assert!(stderr(&out).contains("created"), "{}", stderr(&out));

    let mut broken = config.clone();
    broken.caller_reference = "third".into();
    broken.default_cache_behavior.target_origin_id = "nowhere".into();
    broken.origins.quantity = 5;
    std::fs::write(&file, Document::new(broken).to_json_pretty()).unwrap();
    let out = cfconsole(dir.path(), &["publish", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("DefaultCacheBehavior.TargetOriginId"), "{err}");
    assert!(err.contains("NoSuchOrigin"), "{err}");
    assert!(err.contains("InconsistentQuantities"), "{err}");
    assert!(err.contains("not published"), "{err}");

    std::fs::write(&file, "{ \"CallerReference\": ").unwrap();
    let out = cfconsole(dir.path(), &["publish", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("new.json"), "{}", stderr(&out));

    let list = stdout(&ok(cfconsole(dir.path(), &["distributions"])));
    assert_eq!(
        list.lines().count(),
        3,
        "header + 2: nothing else created\n{list}"
    );
}

#[test]
fn delete_disables_waits_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(cfconsole(dir.path(), &["delete", SAMPLE]));
    let err = stderr(&out);
    assert!(err.contains("1/3 disabling"), "{err}");
    assert!(err.contains("2/3 waiting"), "{err}");
    assert!(err.contains("InProgress"), "the wait is shown: {err}");
    assert!(err.contains("Deployed"), "{err}");
    assert!(err.contains("3/3 deleting"), "{err}");
    assert!(stdout(&out).contains("deleted"));
    let list = stdout(&ok(cfconsole(dir.path(), &["distributions"])));
    assert!(!list.contains(SAMPLE), "{list}");
}

#[test]
fn invalidate_lints_submits_and_waits() {
    let dir = tempfile::tempdir().unwrap();
    let out = cfconsole(dir.path(), &["invalidate", SAMPLE, "/ok", "/bad*/x"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("I-2"), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing was submitted"));

    let out = ok(cfconsole(
        dir.path(),
        &["invalidate", SAMPLE, "/index.html", "/css/*", "--wait"],
    ));
    let text = stdout(&out);
    assert!(text.contains("Completed"), "{text}");
    assert!(
        stderr(&out).contains("cost: 2 paths: 2 free"),
        "{}",
        stderr(&out)
    );
    let list = stdout(&ok(cfconsole(dir.path(), &["invalidations", SAMPLE])));
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.contains("Completed"), "{list}");
}

#[test]
fn aws_options_need_aws() {
    let dir = tempfile::tempdir().unwrap();
    let out = cfconsole(dir.path(), &["distributions", "--profile", "x"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--aws"), "{}", stderr(&out));
}

/// The binary on the Aws backend, pointed at moto with dummy credentials from the environment
/// and none of the user's AWS files.
fn cfconsole_aws(moto: &Moto, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfconsole"));
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .args(["--aws", "--region", "us-east-1", "--endpoint-url"])
        .arg(format!("http://127.0.0.1:{}", moto.port()))
        .args(["--poll-ms", "20"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("the binary runs")
}

#[test]
fn the_same_commands_work_on_aws_against_moto() {
    let Some(moto) = Moto::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sample.json");
    std::fs::write(
        &file,
        include_str!("../assets/sample-workspace/sample-distribution.json"),
    )
    .unwrap();
    // The sample is a get-distribution document with the workspace's id: publish it as new.
    let doc = Document::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
    std::fs::write(&file, Document::new(doc.config).to_json_pretty()).unwrap();
    let out = ok(cfconsole_aws(&moto, &["publish", file.to_str().unwrap()]));
    let id = stdout(&out)
        .split_whitespace()
        .next()
        .expect("the new id")
        .to_string();

    let list = stdout(&ok(cfconsole_aws(&moto, &["distributions"])));
    assert!(list.contains(&id), "{list}");

    let got = ok(cfconsole_aws(&moto, &["get", &id]));
    let doc = Document::from_json(&stdout(&got)).unwrap();
    assert!(doc.etag.is_some());
    // moto's GetDistributionConfig fills in legacy ForwardedValues and zero TTLs next to the
    // cache policy; CloudFront rejects both models on one behavior (spec K-2) and `publish`
    // validates first, so drop moto's additions as a real round trip would not have them.
    let mut doc = doc;
    let strip = |fv: &mut Option<cfconsole_model::ForwardedValues>, ttls: [&mut Option<i64>; 3]| {
        *fv = None;
        for t in ttls {
            *t = None;
        }
    };
    let d = &mut doc.config.default_cache_behavior;
    if d.cache_policy_id.is_some() {
        strip(
            &mut d.forwarded_values,
            [&mut d.min_ttl, &mut d.default_ttl, &mut d.max_ttl],
        );
    }
    for b in doc
        .config
        .cache_behaviors
        .iter_mut()
        .flat_map(|l| l.items_mut())
    {
        if b.cache_policy_id.is_some() {
            strip(
                &mut b.forwarded_values,
                [&mut b.min_ttl, &mut b.default_ttl, &mut b.max_ttl],
            );
        }
    }
    std::fs::write(&file, doc.to_json_pretty()).unwrap();
    ok(cfconsole_aws(
        &moto,
        &["publish", file.to_str().unwrap(), "--id", &id],
    ));

    let out = ok(cfconsole_aws(
        &moto,
        &["invalidate", &id, "/index.html", "--wait"],
    ));
    assert!(
        stdout(&out).to_ascii_lowercase().contains("completed"),
        "{}",
        stdout(&out)
    );
    let list = stdout(&ok(cfconsole_aws(&moto, &["invalidations", &id])));
    assert_eq!(list.lines().count(), 2, "{list}");

    let out = ok(cfconsole_aws(&moto, &["delete", &id]));
    assert!(stderr(&out).contains("3/3 deleting"), "{}", stderr(&out));
    let list = stdout(&ok(cfconsole_aws(&moto, &["distributions"])));
    assert!(!list.contains(&id), "{list}");
}

/// A workspace file saved with a byte-order mark (a Windows editor) is named for what it is, as
/// `validate` names it (#16), not reported as vaguely invalid JSON.
#[test]
fn a_workspace_file_with_a_bom_is_named_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let o = cfconsole(&ws, &["distributions"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f = ws.join("distributions").join("E1SAMPLE000001.json");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, format!("\u{feff}{text}")).unwrap();
    let o = cfconsole(&ws, &["get", "E1SAMPLE000001"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("byte-order mark"), "{err}");
    assert!(err.contains("E1SAMPLE000001.json"), "{err}");
}
