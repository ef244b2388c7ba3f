//! Many cfconsole processes on one local workspace at once (the console window, its pollers and
//! a CLI in a terminal share one all day): every command either does its work or is refused
//! for the real reason (a stale ETag), never with a spurious error such as a temp file that
//! another process's start-up removed.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use cfconsole_model::Document;

const SAMPLE: &str = "E1SAMPLE000001";

fn command(ws: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cfconsole"));
    c.args(args)
        .arg("--workspace")
        .arg(ws)
        .args(["--local-delay-ms", "50", "--poll-ms", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn spawn(ws: &Path, args: &[&str]) -> Child {
    command(ws, args).spawn().expect("the binary starts")
}

fn finish(c: Child) -> Output {
    c.wait_with_output().expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn describe(what: &str, o: &Output) -> String {
    format!(
        "{what}: {}\nstdout: {}\nstderr: {}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    )
}

/// `get SAMPLE` written to `file`: a document carrying the current ETag, with a new comment.
fn current_document(ws: &Path, file: &Path, comment: &str) -> String {
    let out = command(ws, &["get", SAMPLE]).output().expect("get runs");
    assert!(out.status.success(), "{}", describe("get", &out));
    let mut doc = Document::from_json(&text(&out.stdout)).expect("get prints a document");
    let etag = doc.etag.clone().expect("with its ETag");
    doc.config.comment = comment.to_string();
    std::fs::write(file, doc.to_json_pretty()).unwrap();
    etag
}

#[test]
fn publish_alongside_listings_and_invalidations_never_fails_spuriously() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let file = dir.path().join("d.json");
    let mut failures = Vec::new();
    for round in 0..15 {
        current_document(&ws, &file, &format!("round {round}"));
        let path = format!("/round-{round}.html");
        let mut children = vec![(
            "publish",
            spawn(&ws, &["publish", file.to_str().unwrap(), "--id", SAMPLE]),
        )];
        for _ in 0..3 {
            children.push(("distributions", spawn(&ws, &["distributions"])));
        }
        children.push(("invalidate", spawn(&ws, &["invalidate", SAMPLE, &path])));
        for (what, child) in children {
            let out = finish(child);
            if !out.status.success() {
                failures.push(describe(&format!("round {round}: {what}"), &out));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn two_publishes_with_one_etag_give_one_success_and_one_stale_etag_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let file = dir.path().join("d.json");
    let mut failures = Vec::new();
    for round in 0..15 {
        let etag = current_document(&ws, &file, &format!("round {round}"));
        let publish = || spawn(&ws, &["publish", file.to_str().unwrap(), "--id", SAMPLE]);
        let children = [publish(), publish(), spawn(&ws, &["distributions"])];
        let outs: Vec<Output> = children.into_iter().map(finish).collect();
        let (publishes, listing) = outs.split_at(2);
        if !listing[0].status.success() {
            failures.push(describe(
                &format!("round {round}: distributions"),
                &listing[0],
            ));
        }
        let won: Vec<&Output> = publishes.iter().filter(|o| o.status.success()).collect();
        let refused: Vec<&Output> = publishes
            .iter()
            .filter(|o| !o.status.success() && text(&o.stderr).contains("changed elsewhere"))
            .collect();
        if won.len() != 1 || refused.len() != 1 {
            let all: Vec<String> = publishes
                .iter()
                .map(|o| describe(&format!("round {round}: publish with {etag}"), o))
                .collect();
            failures.push(format!(
                "round {round}: expected one success and one stale-ETag refusal:\n{}",
                all.join("\n")
            ));
        } else {
            // The winner's ETag is the one the workspace holds now.
            let new_etag = text(&won[0].stdout);
            let new_etag = new_etag.split_whitespace().nth(1).unwrap_or_default();
            let now = command(&ws, &["get", SAMPLE]).output().unwrap();
            let now = Document::from_json(&text(&now.stdout)).unwrap().etag;
            assert_eq!(now.as_deref(), Some(new_etag), "round {round}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_bad_file_does_not_hide_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let out = command(&ws, &["distributions"]).output().unwrap();
    assert!(out.status.success(), "{}", describe("distributions", &out));
    let dists = ws.join("distributions");
    std::fs::copy(
        dists.join(format!("{SAMPLE}.json")),
        dists.join("E2SAMPLE000002.json"),
    )
    .unwrap();
    std::fs::write(dists.join("E3BROKEN000003.json"), "{ not json").unwrap();
    let out = command(&ws, &["distributions"]).output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stdout.contains(SAMPLE),
        "{}",
        describe("distributions", &out)
    );
    assert!(
        stderr.contains("E3BROKEN000003.json") && stderr.contains("not valid JSON"),
        "names the bad file and what is wrong: {}",
        describe("distributions", &out)
    );
    // The copy holds E1SAMPLE000001 under another name: named too, not listed twice.
    assert!(
        stderr.contains("E2SAMPLE000002.json"),
        "{}",
        describe("distributions", &out)
    );
    assert_eq!(stdout.matches(SAMPLE).count(), 1, "{stdout}");
    assert!(!out.status.success(), "a bad file is a failure for scripts");
}
