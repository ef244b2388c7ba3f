//! The Public keys, Key groups and Origin access pages, driven by accessible label in
//! egui_kittest on a local workspace: add a public key from a PEM file, make a key group,
//! restrict a behavior with it, see the request tester get 403, sign a URL in the panel and see
//! the tester get 200 with it; create an OAC on an S3 origin and read the bucket policy to copy.

mod ui_support;

use base64::Engine as _;
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

/// Sends the Preview tab's request as the tester's fields stand: its status and body.
fn send(c: &mut Console) -> (u16, String) {
    c.app_mut().preview.trial = None;
    c.click("Send request");
    c.wait(|c| response(c).is_some());
    response(c).unwrap()
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A fresh ECDSA P-256 key pair as PEM files in `dir`: (private, public).
fn key_pair(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &rng,
    )
    .unwrap();
    let private = pem("PRIVATE KEY", pkcs8.as_ref());
    let public = cfconsole_signing::PrivateKey::from_pem(&private)
        .unwrap()
        .public_key()
        .to_pem();
    let (a, b) = (dir.join("signer.pem"), dir.join("signer.pub.pem"));
    std::fs::write(&a, private).unwrap();
    std::fs::write(&b, public).unwrap();
    (a, b)
}

#[test]
fn a_key_group_restricts_a_behavior_and_a_signed_url_opens_it() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    let keys = tempfile::tempdir().unwrap();
    let (private, public) = key_pair(keys.path());

    // A public key from its PEM file, through the (scripted) native dialog.
    c.click("Public keys");
    c.click("Add public key");
    c.dialogs.answer(&public);
    c.click("Choose PEM file…");
    c.wait(|c| {
        c.app()
            .access
            .key
            .as_ref()
            .is_some_and(|k| matches!(k.parsed, Some(Ok(_))))
    });
    assert!(
        c.h.query_by_label("ECDSA P-256 public key").is_some(),
        "{}",
        c.tree()
    );
    assert!(
        c.h.query_by_label_contains("Fingerprint (SHA-256)")
            .is_some()
    );
    c.set_text("Key name", "signer");
    c.click("Add key");
    c.wait(|c| {
        c.app()
            .access
            .lists
            .value()
            .is_some_and(|l| l.keys.len() == 1)
    });
    let key_id = c.app().access.lists.value().unwrap().keys[0].id.clone();
    c.h.key_press(egui::Key::Escape);
    c.snapshot("public_keys");

    // A key group holding it.
    c.click("Key groups");
    c.click("Create key group");
    c.set_text("Key group name", "signers");
    c.click(&format!("Key signer ({key_id})"));
    c.click("Create group");
    c.wait(|c| {
        c.app()
            .access
            .lists
            .value()
            .is_some_and(|l| l.groups.len() == 1)
    });
    let group_id = c.app().access.lists.value().unwrap().groups[0].id.clone();
    c.h.key_press(egui::Key::Escape);
    c.snapshot("key_groups");

    // The default behavior trusts it, picked by name.
    c.click("Distributions");
    c.wait_for_draft(SAMPLE);
    c.tab("Behaviors");
    c.open_default_behavior();
    c.choose("Add trusted key group", &format!("signers ({group_id})"));
    let trusted = c
        .draft()
        .config
        .default_cache_behavior
        .trusted_key_groups
        .clone()
        .unwrap();
    assert!(trusted.enabled);
    assert_eq!(trusted.items, Some(vec![group_id.clone()]));

    // The preview refuses an unsigned request, and says why.
    c.tab("Preview");
    let site = c.workspace().join("workspace").join("sample-site");
    c.dialogs.answer(&site);
    c.click("sample-site: a local folder");
    c.click("Choose folder for sample-site");
    c.wait(|c| c.app().preview.trusted.is_some());
    c.click("Start preview");
    c.wait(|c| c.app().preview.running.is_some());
    c.set_text("Request path", "/index.html");
    let (status, _) = send(&mut c);
    assert_eq!(status, 403, "no signature");
    assert!(
        c.h.query_by_label_contains("SU-").is_some(),
        "the refusal's rule: {}",
        c.tree()
    );

    // A URL signed in the panel opens it.
    // Below the fold: the keyboard's way into the combo box.
    c.click("Public key");
    c.click(&format!("signer ({key_id})"));
    c.dialogs.answer(&private);
    c.click("Choose private key…");
    c.wait(|c| c.app().preview.sign.private_key.is_some());
    c.set_text("URL path", "/index.html");
    c.click("Sign");
    c.wait(|c| c.app().preview.sign.result.is_some());
    let signed = c.app().preview.sign.result.clone().unwrap();
    let signed = signed.expect("signed");
    assert!(signed.url.contains("Signature="), "{}", signed.url);
    assert!(signed.url.contains(&format!("Key-Pair-Id={key_id}")));
    c.click("Use in tester");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert_eq!(send(&mut c), (200, index), "the signed URL");
}

#[test]
fn an_oac_is_created_on_an_s3_origin_with_the_bucket_policy_to_copy() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Origins");
    c.click("Add origin");
    c.set_text("Origin domain", "my-bucket.s3.us-east-1.amazonaws.com");
    c.click("Create origin access control");
    c.wait(|c| c.app().state.page == cfconsole::ui::state::Page::OriginAccess);
    c.click("Create control");
    c.wait(|c| {
        c.app()
            .access
            .lists
            .value()
            .is_some_and(|l| l.oacs.len() == 1)
    });
    let oac = c.app().access.lists.value().unwrap().oacs[0].clone();
    assert_eq!(oac.config.name, "my-bucket");
    c.h.key_press(egui::Key::Escape);
    c.snapshot("origin_access");

    c.click("Distributions");
    c.tab("Origins");
    c.choose(
        "Choose origin access control",
        &format!("my-bucket ({})", oac.id),
    );
    let origin = c
        .draft()
        .config
        .origins
        .items()
        .iter()
        .find(|o| o.domain_name.starts_with("my-bucket."))
        .cloned()
        .unwrap();
    assert_eq!(origin.origin_access_control_id, Some(oac.id.clone()));
    // The preview signs with the account's OACs (spec OA-1), as they are now.
    assert!(
        c.app()
            .preview
            .origin_access
            .as_ref()
            .is_some_and(|a| a.controls.contains_key(&oac.id)),
        "the preview has the OAC"
    );
    assert!(
        c.h.query_by_label_contains("Add this statement to the policy of bucket my-bucket")
            .is_some(),
        "{}",
        c.tree()
    );
    assert!(c.h.query_by_label("Copy policy").is_some());
    c.click("Copy policy");
}
