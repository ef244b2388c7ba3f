//! Every configuration under `shared/fixtures/` reads and writes back equal to its input
//! (compared as JSON values, so key order and whitespace do not matter).

use std::path::PathBuf;

use cfconsole_model::Document;
use serde_json::Value;

/// The shared fixtures folder: `$CFCONSOLE_FIXTURES`, else `../shared/fixtures` beside the repo.
pub fn fixtures_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("CFCONSOLE_FIXTURES") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [
        root.join("../shared/fixtures"),
        root.join("shared/fixtures"),
    ];
    candidates
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .unwrap_or_else(|| {
            panic!("fixtures not found; tried {candidates:?}; set CFCONSOLE_FIXTURES")
        })
}

fn fixtures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixtures_dir())
        .expect("read fixtures dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read fixture"))
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 15,
        "expected the shared fixtures, found {}",
        out.len()
    );
    out
}

#[test]
fn every_parsable_fixture_round_trips() {
    for (name, text) in fixtures() {
        if name == "invalid-unknown-field.json" {
            continue;
        }
        let doc = Document::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back: Value = serde_json::from_str(&doc.to_json_pretty()).unwrap();
        let input: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, input, "{name} did not round-trip");
    }
}

#[test]
fn unknown_field_fixture_names_the_member() {
    let (_, text) = fixtures()
        .into_iter()
        .find(|(n, _)| n == "invalid-unknown-field.json")
        .unwrap();
    let e = Document::from_json(&text).unwrap_err();
    assert_eq!(e.path, "IPV6Enabled");
    assert!(e.message.contains("unknown member"), "{e}");
}

#[test]
fn wrappers_keep_etag_and_identity() {
    let all = fixtures();
    let get = |n: &str| Document::from_json(&all.iter().find(|(f, _)| f == n).unwrap().1).unwrap();
    let d = get("get-distribution-config-output.json");
    assert!(d.etag.is_some());
    let d = get("get-distribution-output.json");
    assert!(d.etag.is_some() && d.id().is_some() && d.status().is_some());
}
