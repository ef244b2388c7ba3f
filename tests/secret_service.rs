//! Issue #16, item 3, against a real Secret Service: a saved draft keeps its origin custom
//! header values in the keyring, and its file none of them. `scripts/test` runs this test a
//! second time inside a D-Bus session of its own with GNOME Keyring unlocked in scratch XDG
//! folders (`scripts/secret-service-session`), with `CFCONSOLE_SECRET_SERVICE=required`, so
//! that a missing service fails it; a plain `cargo test` without a session bus skips it.
use std::time::{Instant, SystemTime};

use cfconsole::ui::draft::{Draft, DraftStore};
use cfconsole_model::{Document, List, OriginCustomHeader};

#[cfg(target_os = "linux")]
#[test]
fn a_saved_draft_keeps_its_header_values_in_the_secret_service() {
    let required = std::env::var("CFCONSOLE_SECRET_SERVICE").as_deref() == Ok("required");
    let Some(vault) = cfconsole::ui::secrets::platform() else {
        assert!(
            !required,
            "no Secret Service answers on the session bus {:?}",
            std::env::var("DBUS_SESSION_BUS_ADDRESS")
        );
        eprintln!("skipped: no Secret Service on a session bus (scripts/test runs it with one)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A backend key of this run's own, so that its items never meet another run's.
    let key = format!("local:{}", dir.path().display());
    let store = DraftStore::new(dir.path(), &key).with_vault(Some(vault));
    let text = include_str!("../assets/sample-workspace/sample-distribution.json");
    let mut base = Document::from_json(text).unwrap().config;
    base.origins.items_mut()[0].custom_headers = Some(List::new(vec![OriginCustomHeader {
        header_name: "X-Origin-Verify".into(),
        header_value: "kept-old-value".into(),
    }]));
    let mut d = Draft::new("E1SAMPLE000001", base, "ETAG1");
    d.config.origins.items_mut()[0]
        .custom_headers
        .as_mut()
        .unwrap()
        .items_mut()[0]
        .header_value = "kept-in-the-keyring".into();
    d.commit("HeaderValue", Instant::now());
    store.save(&d.to_file(SystemTime::now())).unwrap();

    let path = store.dir().join("E1SAMPLE000001.json");
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(
        !on_disk.contains("kept-"),
        "no header value in the file: {on_disk}"
    );
    assert!(
        on_disk.contains("\"HeaderValuesIn\": \"the Secret Service\""),
        "{on_disk}"
    );
    let back = Draft::restored(store.load("E1SAMPLE000001").unwrap().unwrap());
    assert_eq!(
        back.config, d.config,
        "the value comes back from the keyring"
    );

    // Discarded: the keyring forgets it, so the same file no longer restores.
    store.remove("E1SAMPLE000001").unwrap();
    std::fs::write(&path, &on_disk).unwrap();
    let err = store.load("E1SAMPLE000001").unwrap_err();
    assert!(err.contains("no longer has them"), "{err}");
    store.remove("E1SAMPLE000001").unwrap();
}
