//! End-to-end tests of `cfconsole public-keys`, `key-groups`, `oac` and `oai`, and of
//! `publish` refusing key groups and origin access controls the account lacks: the built
//! binary against a temporary local workspace, and against moto for the AWS path.

mod cli_support;

use std::path::Path;
use std::process::{Command, Output};

use cfconsole_testkit::Moto;
use cli_support::{ok, stderr, stdout};
use serde_json::{Value, json};

const RSA: &str = "fixtures/keys/rsa2048.pub.pem";
const EC: &str = "fixtures/keys/ecdsa-p256.pub.pem";
const RSA1024: &str = "fixtures/keys/rsa1024.pub.pem";

fn key_file(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(name)
        .display()
        .to_string()
}

fn cfconsole(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfconsole"))
        .args(args)
        .arg("--workspace")
        .arg(ws)
        .output()
        .expect("the binary runs")
}

fn failed(o: Output) -> String {
    assert!(!o.status.success(), "expected a failure: {}", stdout(&o));
    stderr(&o)
}

fn json_of(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

#[test]
fn keys_groups_and_oacs_are_made_listed_changed_and_kept_while_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let rsa = key_file(RSA);

    let out = ok(cfconsole(
        &ws,
        &[
            "public-keys",
            "create",
            "--name",
            "signer",
            "--pem",
            &rsa,
            "--comment",
            "v1",
        ],
    ));
    let key = json_of(&out);
    let key_id = text(&key["PublicKey"]["Id"]);
    let key_etag = text(&key["ETag"]);
    assert!(stderr(&out).contains("RSA 2048"), "{}", stderr(&out));
    let cfg = dir.path().join("ec.json");
    let pem = std::fs::read_to_string(key_file(EC)).unwrap();
    std::fs::write(
        &cfg,
        json!({"PublicKeyConfig": {"CallerReference": "ec-1", "Name": "ec", "EncodedKey": pem}})
            .to_string(),
    )
    .unwrap();
    ok(cfconsole(
        &ws,
        &["public-keys", "create", "--config", cfg.to_str().unwrap()],
    ));
    let list = stdout(&ok(cfconsole(&ws, &["public-keys", "list"])));
    assert!(
        list.contains(&key_id) && list.contains("RSA 2048") && list.contains("ECDSA P-256"),
        "{list}"
    );

    // Refused before anything is sent: the field, what is wrong, what is accepted.
    let e = failed(cfconsole(
        &ws,
        &[
            "public-keys",
            "create",
            "--name",
            "small",
            "--pem",
            &key_file(RSA1024),
        ],
    ));
    assert!(
        e.contains("PublicKeyConfig.EncodedKey")
            && e.contains("RSA 1024")
            && e.contains("RSA 2048")
            && e.contains("not sent"),
        "{e}"
    );

    let up = json_of(&ok(cfconsole(
        &ws,
        &[
            "public-keys",
            "update",
            &key_id,
            "--if-match",
            &key_etag,
            "--comment",
            "v2",
        ],
    )));
    assert_eq!(up["PublicKey"]["PublicKeyConfig"]["Comment"], "v2");
    assert_ne!(text(&up["ETag"]), key_etag, "a new ETag");
    let e = failed(cfconsole(
        &ws,
        &[
            "public-keys",
            "update",
            &key_id,
            "--if-match",
            &key_etag,
            "--comment",
            "v3",
        ],
    ));
    assert!(
        e.contains("changed elsewhere") && e.contains(&key_etag),
        "{e}"
    );

    let group = json_of(&ok(cfconsole(
        &ws,
        &[
            "key-groups",
            "create",
            "--name",
            "signers",
            "--key",
            &key_id,
        ],
    )));
    let group_id = text(&group["KeyGroup"]["Id"]);
    let group_etag = text(&group["ETag"]);
    let e = failed(cfconsole(
        &ws,
        &[
            "key-groups",
            "create",
            "--name",
            "other",
            "--key",
            "KNOSUCHKEY0000",
        ],
    ));
    assert!(e.contains("no public key KNOSUCHKEY0000"), "{e}");
    let groups = stdout(&ok(cfconsole(&ws, &["key-groups", "list"])));
    assert!(
        groups.contains(&group_id) && groups.contains(&key_id),
        "{groups}"
    );

    let oac = json_of(&ok(cfconsole(
        &ws,
        &["oac", "create", "--name", "bucket", "--origin-type", "s3"],
    )));
    let oac_id = text(&oac["OriginAccessControl"]["Id"]);
    assert_eq!(
        oac["OriginAccessControl"]["OriginAccessControlConfig"]["SigningBehavior"],
        "always"
    );
    let e = failed(cfconsole(
        &ws,
        &[
            "oac",
            "create",
            "--name",
            "x",
            "--signing-behavior",
            "sometimes",
        ],
    ));
    assert!(e.contains("always, never, no-override"), "{e}");
    let oacs = stdout(&ok(cfconsole(&ws, &["oac", "list"])));
    assert!(oacs.contains(&oac_id) && oacs.contains("s3"), "{oacs}");

    // A distribution that trusts the group and uses the OAC keeps both from deletion.
    let mut doc = json_of(&ok(cfconsole(&ws, &["get", "E1SAMPLE000001"])));
    doc["DistributionConfig"]["DefaultCacheBehavior"]["TrustedKeyGroups"] =
        json!({"Enabled": true, "Quantity": 1, "Items": [group_id]});
    doc["DistributionConfig"]["Origins"]["Items"][0]["OriginAccessControlId"] = json!(oac_id);
    let file = dir.path().join("dist.json");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    ok(cfconsole(
        &ws,
        &["publish", file.to_str().unwrap(), "--id", "E1SAMPLE000001"],
    ));
    let e = failed(cfconsole(
        &ws,
        &["key-groups", "delete", &group_id, "--if-match", &group_etag],
    ));
    assert!(
        e.contains("ResourceInUse") && e.contains("E1SAMPLE000001"),
        "{e}"
    );
    let e = failed(cfconsole(
        &ws,
        &[
            "public-keys",
            "delete",
            &key_id,
            "--if-match",
            &text(&up["ETag"]),
        ],
    ));
    assert!(e.contains("PublicKeyInUse") && e.contains(&group_id), "{e}");
    let oac_etag = text(&oac["ETag"]);
    let e = failed(cfconsole(
        &ws,
        &["oac", "delete", &oac_id, "--if-match", &oac_etag],
    ));
    assert!(e.contains("OriginAccessControlInUse"), "{e}");

    let oai = ok(cfconsole(&ws, &["oai", "list"]));
    assert!(stderr(&oai).contains("legacy"), "{}", stderr(&oai));
}

/// `cfconsole publish` refuses, naming the behavior or origin and the id, before sending.
fn assert_refused_before_sending(e: &str, file: &str, wants: &[&str]) {
    assert!(
        e.contains(&format!("{file}: error:")) && e.contains("not published"),
        "the CLI's own refusal, not the backend's: {e}"
    );
    for w in wants {
        assert!(e.contains(w), "{w:?} in {e}");
    }
}

#[test]
fn publish_refuses_key_groups_and_oacs_the_workspace_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let mut doc = json_of(&ok(cfconsole(&ws, &["get", "E1SAMPLE000001"])));
    let plain = doc.clone();
    doc["DistributionConfig"]["DefaultCacheBehavior"]["TrustedKeyGroups"] = json!({
        "Enabled": true, "Quantity": 1, "Items": ["00000000-0000-4000-a000-000000000000"]
    });
    let file = dir.path().join("dist.json");
    let path = file.display().to_string();
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let e = failed(cfconsole(
        &ws,
        &["publish", &path, "--id", "E1SAMPLE000001"],
    ));
    assert_refused_before_sending(
        &e,
        &path,
        &[
            "DefaultCacheBehavior.TrustedKeyGroups.Items[0]",
            "no key group 00000000-0000-4000-a000-000000000000",
            "the default behavior",
            "TrustedKeyGroupDoesNotExist",
        ],
    );

    let mut doc = plain;
    doc["DistributionConfig"]["Origins"]["Items"][0]["OriginAccessControlId"] =
        json!("E2NOSUCHOAC000");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let e = failed(cfconsole(
        &ws,
        &["publish", &path, "--id", "E1SAMPLE000001"],
    ));
    assert_refused_before_sending(
        &e,
        &path,
        &[
            "Origins.Items[0].OriginAccessControlId",
            "no origin access control E2NOSUCHOAC000",
            "origin sample-site",
        ],
    );
}

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
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("the binary runs")
}

#[test]
fn on_aws_keys_and_oacs_are_made_and_publish_refuses_what_the_account_lacks() {
    let Some(moto) = Moto::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = ok(cfconsole_aws(
        &moto,
        &[
            "public-keys",
            "create",
            "--name",
            "signer",
            "--pem",
            &key_file(EC),
        ],
    ));
    let key_id = text(&json_of(&out)["PublicKey"]["Id"]);
    let list = stdout(&ok(cfconsole_aws(&moto, &["public-keys", "list"])));
    assert!(
        list.contains(&key_id) && list.contains("ECDSA P-256"),
        "{list}"
    );
    ok(cfconsole_aws(
        &moto,
        &[
            "key-groups",
            "create",
            "--name",
            "signers",
            "--key",
            &key_id,
        ],
    ));
    ok(cfconsole_aws(&moto, &["oac", "create", "--name", "bucket"]));
    assert!(stdout(&ok(cfconsole_aws(&moto, &["oac", "list"]))).contains("bucket"));

    // moto would take a distribution naming a key group that does not exist; the CLI does not
    // send it.
    let mut doc = serde_json::from_str::<Value>(include_str!(
        "../assets/sample-workspace/sample-distribution.json"
    ))
    .unwrap();
    let mut config = doc["Distribution"]["DistributionConfig"].take();
    config["DefaultCacheBehavior"]["TrustedKeyGroups"] =
        json!({"Enabled": true, "Quantity": 1, "Items": ["00000000-0000-4000-a000-00000000dead"]});
    let file = dir.path().join("new.json");
    let path = file.display().to_string();
    std::fs::write(&file, json!({"DistributionConfig": config}).to_string()).unwrap();
    let e = failed(cfconsole_aws(&moto, &["publish", &path]));
    assert_refused_before_sending(
        &e,
        &path,
        &["no key group 00000000-0000-4000-a000-00000000dead"],
    );
    let dists = stdout(&ok(cfconsole_aws(&moto, &["distributions"])));
    assert_eq!(dists.lines().count(), 1, "nothing was created: {dists}");
}
