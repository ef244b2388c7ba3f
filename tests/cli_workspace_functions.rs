//! End-to-end tests of `cfconsole functions` and `cfconsole kvs` (the preview running functions
//! is `cli_functions.rs`): the built binary against a temporary local workspace, from creating a
//! function to exporting its store.

mod cli_support;

use std::path::Path;
use std::process::{Command, Output};

use cli_support::{ok, stderr, stdout};
use serde_json::Value;

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

fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

const REDIRECT: &str = r#"import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    const request = event.request;
    try {
        const target = await kvs.get(request.uri);
        return {
            statusCode: 301,
            statusDescription: 'Moved Permanently',
            headers: { location: { value: target } },
        };
    } catch (e) {
        console.log(`no redirect for ${request.uri}`);
        return request;
    }
}
"#;

const EVENT: &str = r#"{"version": "1.0", "context": {"eventType": "viewer-request"},
  "viewer": {"ip": "198.51.100.11"},
  "request": {"method": "GET", "uri": "/old", "headers": {"host": {"value": "example.com"}}}}"#;

#[test]
fn create_test_publish_and_a_store_imported_read_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let code = w("redirect.js", REDIRECT);
    let event = w("event.json", EVENT);
    let mut items: Vec<String> = (0..120)
        .map(|i| format!(r#"{{"key":"/p{i}","value":"/q{i}"}}"#))
        .collect();
    items.push(r#"{"key":"/old","value":"/new"}"#.into());
    let import = w(
        "import.json",
        &format!(r#"{{"data":[{}]}}"#, items.join(",")),
    );

    ok(cfconsole(
        &ws,
        &["kvs", "create", "redirects", "--comment", "old paths"],
    ));
    let created = ok(cfconsole(
        &ws,
        &[
            "functions",
            "create",
            "redirect",
            "--code",
            &code,
            "--kvs",
            "redirects",
        ],
    ));
    let summary = json(&created);
    assert_eq!(summary["FunctionSummary"]["Status"], "UNPUBLISHED");
    assert_eq!(
        summary["FunctionSummary"]["FunctionMetadata"]["Stage"],
        "DEVELOPMENT"
    );

    // Imported in three UpdateKeys requests of at most 50 keys.
    let imported = ok(cfconsole(&ws, &["kvs", "import", "redirects", &import]));
    assert!(
        stderr(&imported).contains("imported 121 item(s) into redirects in 3 request(s)"),
        "{}",
        stderr(&imported)
    );
    let got = ok(cfconsole(&ws, &["kvs", "get", "redirects", "/old"]));
    assert_eq!(stdout(&got).trim(), "/new");
    let e = failed(cfconsole(&ws, &["kvs", "get", "redirects", "/none"]));
    assert!(
        e.contains("\"/none\" is not in key value store redirects"),
        "{e}"
    );

    // The test reads the store.
    let t = ok(cfconsole(
        &ws,
        &["functions", "test", "redirect", "--event", &event],
    ));
    let out = json(&t);
    assert_eq!(out["response"]["statusCode"], 301, "{out}");
    assert_eq!(out["response"]["headers"]["location"]["value"], "/new");
    assert!(
        stderr(&t).contains("compute utilization: "),
        "{}",
        stderr(&t)
    );

    // Publish with DEVELOPMENT's ETag; a stale one is refused.
    let d = json(&ok(cfconsole(
        &ws,
        &["functions", "get", "redirect", "--describe"],
    )));
    let etag = d["ETag"].as_str().unwrap().to_string();
    let p = ok(cfconsole(
        &ws,
        &["functions", "publish", "redirect", "--if-match", &etag],
    ));
    assert_eq!(json(&p)["FunctionSummary"]["Status"], "UNASSOCIATED");
    let e = failed(cfconsole(
        &ws,
        &["functions", "publish", "redirect", "--if-match", &etag],
    ));
    assert!(e.contains("is stale"), "{e}");
    let live = ok(cfconsole(
        &ws,
        &["functions", "get", "redirect", "--stage", "LIVE"],
    ));
    assert_eq!(stdout(&live), REDIRECT);
    let list = stdout(&ok(cfconsole(&ws, &["functions", "list"])));
    assert!(
        list.contains("LIVE") && list.contains("DEVELOPMENT"),
        "{list}"
    );

    // Export writes the import format back.
    let export = dir.path().join("export.json");
    ok(cfconsole(
        &ws,
        &["kvs", "export", "redirects", &export.display().to_string()],
    ));
    let back =
        cfconsole_functions::kvs::Items::from_import(&std::fs::read_to_string(&export).unwrap())
            .unwrap();
    assert_eq!(back.len(), 121);
    assert_eq!(back.get("/p7"), Some("/q7"));

    // The store is listed, ready.
    let kvs = stdout(&ok(cfconsole(&ws, &["kvs", "list"])));
    assert!(kvs.contains("redirects") && kvs.contains("READY"), "{kvs}");
}

#[test]
fn bad_input_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let bad = dir.path().join("bad.js");
    std::fs::write(
        &bad,
        "function handler(event) {\n  return event.request;\n}}\n",
    )
    .unwrap();
    let bad = bad.display().to_string();
    let e = failed(cfconsole(
        &ws,
        &["functions", "create", "f", "--code", &bad],
    ));
    assert!(e.contains("InvalidArgument") && e.contains("line 3"), "{e}");
    let e = failed(cfconsole(
        &ws,
        &[
            "functions",
            "create",
            "f",
            "--code",
            &bad,
            "--runtime",
            "node",
        ],
    ));
    assert!(e.contains("cloudfront-js-1.0 or cloudfront-js-2.0"), "{e}");
    let e = failed(cfconsole(&ws, &["functions", "get", "nope"]));
    assert!(e.contains("function nope does not exist"), "{e}");
    let e = failed(cfconsole(&ws, &["kvs", "create", "has space"]));
    assert!(e.contains("' ' is not allowed"), "{e}");
    let imp = dir.path().join("imp.json");
    std::fs::write(&imp, r#"{"data":[{"key":"k"}]}"#).unwrap();
    let e = failed(cfconsole(
        &ws,
        &["kvs", "create", "s", "--import", &imp.display().to_string()],
    ));
    assert!(e.contains("data[0]"), "{e}");
    let ev = dir.path().join("ev.json");
    std::fs::write(&ev, r#"{"context": {"eventType": "origin-request"}}"#).unwrap();
    let good = dir.path().join("good.js");
    std::fs::write(
        &good,
        "function handler(event) { throw new Error('boom'); }\n",
    )
    .unwrap();
    ok(cfconsole(
        &ws,
        &[
            "functions",
            "create",
            "f",
            "--code",
            &good.display().to_string(),
        ],
    ));
    let e = failed(cfconsole(
        &ws,
        &[
            "functions",
            "test",
            "f",
            "--event",
            &ev.display().to_string(),
        ],
    ));
    assert!(e.contains("context.eventType"), "{e}");
    std::fs::write(&ev, r#"{"request": {"method": "GET", "uri": "/"}}"#).unwrap();
    let e = failed(cfconsole(
        &ws,
        &[
            "functions",
            "test",
            "f",
            "--event",
            &ev.display().to_string(),
        ],
    ));
    assert!(
        e.contains("function f (DEVELOPMENT) failed") && e.contains("boom"),
        "{e}"
    );
}

#[test]
fn publish_refuses_a_distribution_whose_function_is_missing_or_unpublished() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let got = ok(cfconsole(&ws, &["get", "E1SAMPLE000001"]));
    let mut doc: Value = json(&got);
    doc["DistributionConfig"]["DefaultCacheBehavior"]["FunctionAssociations"] = serde_json::json!({
        "Quantity": 1,
        "Items": [{"FunctionARN": "arn:aws:cloudfront::000000000000:function/rewrite",
                   "EventType": "viewer-request"}]
    });
    let file = dir.path().join("dist.json");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let file = file.display().to_string();
    let publish = || cfconsole(&ws, &["publish", &file, "--id", "E1SAMPLE000001"]);
    let e = failed(publish());
    assert!(
        e.contains("no function named \"rewrite\"") && e.contains("NoSuchFunctionExists"),
        "{e}"
    );
    let code = dir.path().join("f.js");
    std::fs::write(&code, "function handler(event) { return event.request; }\n").unwrap();
    let created = ok(cfconsole(
        &ws,
        &[
            "functions",
            "create",
            "rewrite",
            "--code",
            &code.display().to_string(),
        ],
    ));
    let e = failed(publish());
    assert!(
        e.contains("rewrite has never been published to LIVE"),
        "{e}"
    );
    let etag = json(&created)["ETag"].as_str().unwrap().to_string();
    ok(cfconsole(
        &ws,
        &["functions", "publish", "rewrite", "--if-match", &etag],
    ));
    ok(publish());
    let live = json(&ok(cfconsole(
        &ws,
        &[
            "functions",
            "get",
            "rewrite",
            "--describe",
            "--stage",
            "LIVE",
        ],
    )));
    assert_eq!(live["FunctionSummary"]["Status"], "DEPLOYED");
    let dev = json(&ok(cfconsole(
        &ws,
        &["functions", "get", "rewrite", "--describe"],
    )));
    let dev_etag = dev["ETag"].as_str().unwrap();
    let e = failed(cfconsole(
        &ws,
        &["functions", "delete", "rewrite", "--if-match", dev_etag],
    ));
    assert!(
        e.contains("FunctionInUse") && e.contains("E1SAMPLE000001"),
        "{e}"
    );
}
