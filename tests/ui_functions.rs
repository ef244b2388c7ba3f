//! The Functions and Key value stores pages, driven by accessible label in egui_kittest on a
//! local workspace: create a function, see a syntax error at its line, fix it, test it, publish
//! it, associate it in the Behaviors tab and see the running preview serve its rewrite; edit a
//! store's items and see the function use them in the preview.

mod ui_support;

use eframe::egui;
use egui_kittest::kittest::Queryable;
use ui_support::{Console, SAMPLE};

fn response(c: &Console) -> Option<(u16, String)> {
    let t = c.app().preview.trial.as_ref()?;
    match t.response.as_ref()? {
        Ok(r) => Some((r.status, String::from_utf8_lossy(&r.body).into_owned())),
        Err(e) => Some((0, format!("error: {e}"))),
    }
}

/// Sends the Preview tab's request for `path`: its status and body.
fn send(c: &mut Console, path: &str) -> (u16, String) {
    c.app_mut().preview.trial = None;
    c.set_text("Request path", path);
    c.click("Send request");
    c.wait(|c| response(c).is_some());
    response(c).unwrap()
}

const CODE: &str = "import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  const r = event.request;
  if (r.uri === '/home') {
    r.uri = '/index.html';
    return r;
  }
  try {
    r.uri = await kvs.get(r.uri);
  } catch (e) {}
  return r;
}";

#[test]
fn a_function_is_written_tested_published_associated_and_run_by_the_preview() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);

    // A store first, with one redirect.
    c.click("Key value stores");
    c.set_text("Store name", "redirects");
    c.click("Create store");
    c.wait(|c| c.h.query_by_label("Add pair").is_some());
    c.set_text("New key", "/old");
    c.set_text("New value", "/index.html");
    c.click("Add pair");
    c.wait(|c| c.h.query_by_label("Edit /old").is_some());
    // No text field keeps the focus (its caret blinks).
    c.h.key_press(egui::Key::Escape);
    c.snapshot("key_value_stores");

    // A function: a syntax error shows at its line, and the fix passes.
    c.click("Functions");
    c.click("Create function");
    c.set_text("Function name", "rewrite");
    c.set_text(
        "Function code",
        "function handler(event) {\n  var x = ;\n  return x;\n}",
    );
    assert!(
        c.h.query_by_label_contains("line 2: syntax error")
            .is_some(),
        "the error at its line: {}",
        c.tree()
    );
    c.set_text("Function code", CODE);
    assert!(
        c.h.query_by_label("The code passes CloudFront's checks.")
            .is_some(),
        "{:?}",
        c.app().functions.editor.as_ref().map(|e| e.check.clone())
    );
    c.choose("Key value store", "redirects");
    c.click("Create");
    c.wait(|c| {
        c.app()
            .functions
            .editor
            .as_ref()
            .is_some_and(|e| !e.is_new && !e.is_edited())
    });

    // Test it with an event.
    c.set_text("URL path", "/home");
    c.click("Test");
    c.wait(|c| {
        c.app()
            .functions
            .editor
            .as_ref()
            .is_some_and(|e| e.result.is_some())
    });
    let out = c
        .app()
        .functions
        .editor
        .as_ref()
        .unwrap()
        .result
        .clone()
        .unwrap()
        .1;
    assert!(out.error.is_none(), "{out:?}");
    assert!(out.output.contains("\"/index.html\""), "{}", out.output);
    assert!(c.h.query_by_label_contains("Compute utilization").is_some());
    c.h.key_press(egui::Key::Escape);
    c.snapshot("functions");

    // Publish, after the diff.
    c.click("Publish");
    assert!(
        c.h.query_by_label_contains("+ async function handler(event) {")
            .is_some()
    );
    c.click("Publish to LIVE");
    c.wait(|c| c.app().functions.live.contains_key("rewrite"));

    // Associate it in the Behaviors tab, by name.
    c.click("Distributions");
    c.wait_for_draft(SAMPLE);
    c.tab("Behaviors");
    c.open_default_behavior();
    c.click("Add CloudFront Function");
    // The card is below the fold: the keyboard's way into the combo box.
    c.click("Function 1");
    c.click("rewrite");
    c.click("Open function rewrite");
    c.wait(|c| {
        c.app().state.page == cfconsole::ui::state::Page::Functions
            && c.app()
                .functions
                .editor
                .as_ref()
                .is_some_and(|e| e.name == "rewrite")
    });
    c.click("Distributions");
    let arn = c
        .draft()
        .config
        .default_cache_behavior
        .function_associations
        .clone();
    assert!(
        format!("{arn:?}").contains(":function/rewrite"),
        "the ARN is the function's: {arn:?}"
    );

    // The running preview serves the rewrite, and follows the store's edits.
    c.tab("Preview");
    let site = c.workspace().join("workspace").join("sample-site");
    c.dialogs.answer(&site);
    c.click("sample-site: a local folder");
    c.click("Choose folder for sample-site");
    c.wait(|c| c.app().functions.preview_set.is_some());
    c.click("Start preview");
    c.wait(|c| c.app().preview.running.is_some());
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let missing = std::fs::read_to_string(site.join("404.html")).unwrap();
    assert_eq!(send(&mut c, "/home"), (200, index.clone()), "the rewrite");
    // The tester says which function ran and what it changed.
    let runs = c.app().preview.trial.as_ref().unwrap().functions.clone();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        (runs[0].function.as_str(), runs[0].event_type),
        ("rewrite", "viewer-request")
    );
    assert!(
        c.h.query_by_label_contains("+   \"uri\": \"/index.html\"")
            .is_some(),
        "the diff: {}",
        c.tree()
    );
    assert_eq!(
        send(&mut c, "/old"),
        (200, index.clone()),
        "the store's redirect"
    );

    c.click("Key value stores");
    c.click("redirects");
    c.wait(|c| c.h.query_by_label("Edit /old").is_some());
    c.click("Edit /old");
    c.set_text("/old", "/404.html");
    let before = c.app().functions.preview_generation;
    c.click("Save /old");
    c.wait(|c| c.app().functions.preview_generation > before);
    c.click("Distributions");
    c.tab("Preview");
    assert_eq!(send(&mut c, "/old"), (200, missing), "the edited item");
}

#[test]
fn store_items_are_imported_and_exported_with_the_file_dialogs_and_a_bad_file_is_refused() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.click("Key value stores");
    c.set_text("Store name", "flags");
    c.click("Create store");
    c.wait(|c| c.h.query_by_label("Import pairs").is_some());

    // 120 pairs in CloudFront's import format: three UpdateKeys requests of at most 50.
    let dir = tempfile::tempdir().unwrap();
    let pairs: Vec<String> = (0..120)
        .map(|i| format!(r#"{{"key":"flag-{i:03}","value":"on"}}"#))
        .collect();
    let file = dir.path().join("flags.json");
    std::fs::write(&file, format!(r#"{{"data":[{}]}}"#, pairs.join(","))).unwrap();
    c.dialogs.answer(&file);
    c.click("Import pairs");
    c.wait(|c| {
        c.app()
            .functions
            .open_items()
            .is_some_and(|k| k.items.len() == 120)
    });
    c.set_text("Search keys", "flag-11");
    assert!(c.h.query_by_label("Edit flag-110").is_some());
    assert!(
        c.h.query_by_label("Edit flag-001").is_none(),
        "the search filters"
    );

    // A file that is not the import format changes nothing and says what is expected.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"data":[{"key":"x"}]}"#).unwrap();
    c.dialogs.answer(&bad);
    c.click("Import pairs");
    c.wait(|c| {
        c.app()
            .chrome
            .banners
            .iter()
            .any(|(err, m)| *err && m.contains("data[0]"))
    });
    assert_eq!(c.app().functions.open_items().unwrap().items.len(), 120);

    let out = dir.path().join("export.json");
    c.dialogs.answer(&out);
    c.click("Export pairs");
    c.wait(|c| {
        c.app()
            .chrome
            .banners
            .iter()
            .any(|(_, m)| m.contains("Exported to"))
    });
    let back =
        cfconsole_functions::kvs::Items::from_import(&std::fs::read_to_string(&out).unwrap())
            .unwrap();
    assert_eq!(back.len(), 120);
    assert_eq!(back.get("flag-042"), Some("on"));
}
