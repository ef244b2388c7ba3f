//! Every configuration under `fixtures/` reads and writes back equal to its input
//! (compared as JSON values, so key order and whitespace do not matter).

use cfconsole_model::Document;
use cfconsole_testkit::fixtures;
use serde_json::Value;

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
