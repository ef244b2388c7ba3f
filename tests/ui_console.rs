//! The console window driven as an operator would, by accessible label (egui_kittest), against
//! a real local workspace in a temp folder: each test starts the real `ConsoleApp` on a tokio
//! runtime, clicks and types, and waits for the backend's answers without sleeping blindly.

mod ui_support;

use std::time::Duration;

use cfconsole::ui::remote::Remote;
use cfconsole_control::{ControlPlane, PolicyKind};
use cfconsole_model::OriginProtocolPolicy;
use eframe::egui;
use egui_kittest::kittest::{NodeT, Queryable};
use ui_support::{Console, SAMPLE};

#[test]
fn opens_on_the_sample_and_undo_redo_cover_every_edit() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.set_text("Comment", "Edited in the console");
    assert_eq!(c.draft().config.comment, "Edited in the console");
    c.click("Enabled");
    assert!(!c.draft().config.enabled);
    assert!(
        c.h.query_by_label_contains("Review changes (2)").is_some(),
        "two changes counted: {:?}",
        c.draft().changes()
    );

    c.key_cmd(egui::Key::Z, false);
    assert!(c.draft().config.enabled, "undo takes back the checkbox");
    c.key_cmd(egui::Key::Z, false);
    assert_ne!(
        c.draft().config.comment,
        "Edited in the console",
        "then the comment"
    );
    c.key_cmd(egui::Key::Z, true);
    assert_eq!(c.draft().config.comment, "Edited in the console", "redo");
    c.click("Redo");
    assert!(!c.draft().config.enabled);
}

#[test]
fn a_validation_error_is_shown_at_the_field_counted_and_blocks_publish() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Origins");
    c.h.get_by_label_contains("sample-site -> ").click();
    c.steps(2);
    assert!(
        c.h.query_by_label("Connection attempts").is_some(),
        "{}",
        c.tree()
    );
    c.set_text("Connection attempts", "7");
    let (e, _) = c.draft().counts();
    assert_eq!(e, 1, "{:?}", c.draft().findings());
    assert!(
        c.h.query_by_label("1 error").is_some(),
        "status bar counts it"
    );
    assert!(
        c.h.query_by_label_contains("Origins (1 error)").is_some(),
        "the tab counts it"
    );
    assert!(
        c.h.get_by_label("Publish").accesskit_node().is_disabled(),
        "publish refused"
    );
    // Clicking the finding focuses its field.
    c.h.get_by_label_contains("Origins.Items[0].ConnectionAttempts")
        .click();
    c.steps(3);
    assert!(c.h.get_by_label("Connection attempts").is_focused());
    c.set_text("Connection attempts", "2");
    assert_eq!(c.draft().counts().0, 0);
    assert!(!c.h.get_by_label("Publish").accesskit_node().is_disabled());
}

#[test]
fn an_s3_website_origin_gets_its_type_and_defaults() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Origins");
    c.click("Add origin");
    c.set_text(
        "Origin domain",
        "my-site.s3-website-us-east-1.amazonaws.com",
    );
    assert!(c.h.query_by_label("Type: S3 website endpoint").is_some());
    let o = c.draft().config.origins.items()[1].clone();
    let custom = o
        .custom_origin_config
        .expect("a website endpoint is a custom origin");
    assert_eq!(
        custom.origin_protocol_policy,
        OriginProtocolPolicy::HttpOnly,
        "website endpoints have no TLS"
    );
    assert!(o.s3_origin_config.is_none());
    c.snapshot("origins");
}

#[test]
fn behaviors_reorder_and_a_shadowed_pattern_is_flagged() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Behaviors");
    c.click("Add behavior");
    c.set_text("Path pattern", "/css/site.css");
    assert!(
        c.h.query_by_label("shadowed").is_some(),
        "/css/* comes first and covers it"
    );
    // At 1280x800 the flag is on screen, left of the findings column, not cut off under it.
    let flag = c.h.get_by_label("shadowed").rect();
    let findings = c.h.get_by_label("Findings on Behaviors").rect();
    assert!(
        flag.max.x <= findings.min.x,
        "the shadowed flag {flag:?} is left of the findings column {findings:?}"
    );
    c.click("Move up");
    let patterns: Vec<String> = c
        .draft()
        .config
        .cache_behaviors
        .as_ref()
        .unwrap()
        .items()
        .iter()
        .map(|b| b.path_pattern.clone())
        .collect();
    assert_eq!(patterns, ["/css/site.css", "/css/*"]);
    assert!(c.h.query_by_label("shadowed").is_none());
    c.set_text("Test a path", "/css/site.css");
    assert!(
        c.h.query_by_label_contains("CacheBehaviors.Items[0] (pattern `/css/site.css`)")
            .is_some()
    );
    c.snapshot("behaviors");
}

#[test]
fn error_pages_security_and_logging_forms_edit_the_draft() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Error pages");
    c.click("Add error page");
    let pages = c.draft().config.custom_error_responses.clone().unwrap();
    assert_eq!(pages.quantity, 2);
    assert_eq!(
        pages.items()[1].response_page_path.as_deref(),
        Some("/index.html")
    );
    c.snapshot("error_pages");

    c.tab("Security");
    c.choose("Certificate", "ACM certificate (us-east-1)");
    c.set_text(
        "ACM certificate ARN",
        "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-111122223333",
    );
    let v = c.draft().config.viewer_certificate.clone().unwrap();
    assert_eq!(v.cloud_front_default_certificate, Some(false));
    assert!(v.acm_certificate_arn.unwrap().ends_with("111122223333"));
    assert!(
        c.h.query_by_label_contains("Protocols: TLSv1.3, TLSv1.2")
            .is_some(),
        "the policy in words: {}",
        c.tree()
    );
    c.snapshot("security");

    c.tab("Logging");
    c.click("Standard logging");
    c.set_text("Log bucket", "logs.s3.amazonaws.com");
    let l = c.draft().config.logging.clone().unwrap();
    assert_eq!(l.enabled, Some(true));
    assert_eq!(l.bucket.as_deref(), Some("logs.s3.amazonaws.com"));
    c.snapshot("logging");
    c.tab("General");
    c.snapshot("general");
    c.tab("Policies");
    c.wait(|c| {
        c.h.query_by_label_contains("CachingOptimized (managed)")
            .is_some()
    });
    c.snapshot("policies");
}

#[test]
fn review_then_publish_follows_the_deployment_to_deployed() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.set_text("Comment", "Published from the console");
    c.key_cmd(egui::Key::Enter, false);
    assert!(
        c.h.query_by_label_contains("Comment: ").is_some(),
        "the review lists the change"
    );
    c.h.get_by_label("Publish these changes").click();
    c.wait(|c| c.h.query_all_by_label("Deploying…").next().is_some());
    c.wait(|c| !c.app().jobs().any(|(w, _)| w.starts_with("deploying")) && !c.draft().is_edited());
    assert!(c.h.query_all_by_label("Deployed").count() >= 1);
    let rec = c.block_on(c.plane().get_distribution(SAMPLE)).unwrap();
    assert_eq!(
        rec.distribution.distribution_config.comment,
        "Published from the console"
    );
    assert_eq!(rec.distribution.status, "Deployed");
}

#[test]
fn a_stale_etag_shows_the_conflict_and_reapplies_the_edits() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.set_text("Comment", "Mine");
    // Someone else publishes meanwhile (another process on the same workspace).
    let other = c.other_workspace();
    let rec = c.block_on(other.get_distribution(SAMPLE)).unwrap();
    let mut theirs = rec.distribution.distribution_config.clone();
    theirs.default_root_object = Some("home.html".into());
    c.block_on(other.update_distribution(SAMPLE, theirs, &rec.etag))
        .unwrap();

    c.h.get_by_label("Publish").click();
    c.wait(|c| c.h.query_by_label("Reload and re-apply my edits").is_some());
    assert!(
        c.h.query_by_label_contains("was changed elsewhere since you opened it")
            .is_some()
    );
    assert!(
        c.h.query_by_label_contains("DefaultRootObject").is_some(),
        "their change is shown"
    );
    c.click("Reload and re-apply my edits");
    assert_eq!(c.draft().config.comment, "Mine");
    assert_eq!(
        c.draft().config.default_root_object.as_deref(),
        Some("home.html")
    );
    c.h.get_by_label("Publish").click();
    c.wait(|c| !c.draft().is_edited());
    let rec = c.block_on(c.plane().get_distribution(SAMPLE)).unwrap();
    let cfg = rec.distribution.distribution_config;
    assert_eq!(
        (cfg.comment.as_str(), cfg.default_root_object.as_deref()),
        ("Mine", Some("home.html"))
    );
}

#[test]
fn a_template_creates_a_distribution_that_deploys() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.click("New distribution…");
    c.choose("Template", "Single-page app with error pages");
    c.set_text(
        "Origin domain of the new distribution",
        "my-app.s3.us-east-1.amazonaws.com",
    );
    c.set_text("Comment of the new distribution", "SPA from a template");
    c.h.get_by_label("Create distribution").click();
    c.wait(|c| {
        c.app().server.list.value().is_some_and(|l| l.len() == 2)
            && c.app().state.selected.as_deref() != Some(SAMPLE)
    });
    c.wait(|c| c.app().current_draft().is_some());
    assert_eq!(c.draft().config.comment, "SPA from a template");
    assert!(
        c.draft()
            .config
            .custom_error_responses
            .as_ref()
            .is_some_and(|e| !e.is_empty())
    );
}

#[test]
fn an_edit_is_saved_within_a_second_and_offered_back_after_a_restart() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.set_text("Comment", "Not lost");
    let started = std::time::Instant::now();
    c.wait(|c| c.draft().saved_at.is_some());
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "saved after {:?}",
        started.elapsed()
    );
    let mut again = c.restart();
    again.wait(|c| c.h.query_by_label("Restore draft").is_some());
    again.h.get_by_label("Restore draft").click();
    again.step();
    assert_eq!(again.draft().config.comment, "Not lost");
    assert!(again.draft().is_edited());
}

/// The AWS path of the console, through the real SDK against a moto server: list, open, edit,
/// publish, follow to Deployed; the Policies tab explains what the emulator cannot answer.
#[test]
fn the_aws_backend_lists_opens_edits_publishes_and_follows_to_deployed() {
    let Some(moto) = cfconsole_testkit::Moto::start() else {
        return;
    };
    let endpoint = moto.endpoint();
    let mut c = Console::aws(&endpoint);
    let aws = ui_support::aws_client(&endpoint);
    // moto fills in legacy ForwardedValues beside a cache policy (CloudFront refuses that), so
    // the distribution uses legacy cache settings, as the AWS CLI's own example does.
    let text = include_str!("../fixtures/s3-origin-minimal.json");
    let mut config = cfconsole_model::Document::from_json(text).unwrap().config;
    config.caller_reference = "ui-moto-1".into();
    let created = c
        .block_on(aws.create_distribution(config))
        .expect("create on moto");
    let id = created.distribution.id.clone();

    c.click("Refresh");
    c.wait(|c| {
        c.app()
            .server
            .list
            .value()
            .is_some_and(|l| l.iter().any(|d| d.id == id))
    });
    c.h.get_all_by_label(&id).next().expect("listed").click();
    c.wait_for_draft(&id);
    c.set_text("Comment", "Edited through the AWS backend");
    // What an emulator hands back need not be what was sent: moto has added `DefaultTTL 0`
    // below the sent `MinTTL 10` in every version, and dropped `S3OriginConfig` in some. The
    // console refuses to publish whatever errors the config it was handed has, and the operator
    // fixes each in the forms.
    let errors = |c: &Console| -> Vec<cfconsole_model::Finding> {
        c.draft()
            .findings()
            .iter()
            .filter(|f| f.severity == cfconsole_model::Severity::Error)
            .cloned()
            .collect()
    };
    let found = errors(&c);
    assert!(
        !found.is_empty(),
        "DefaultTTL 0 below MinTTL 10 is an error: {found:?}"
    );
    assert!(c.h.get_by_label("Publish").accesskit_node().is_disabled());
    for f in &found {
        if f.path.starts_with("Origins") {
            c.tab("Origins");
            if c.h.query_by_label("Apply S3 bucket defaults").is_none() {
                c.h.get_by_label_contains("origin1 -> ").click();
                c.steps(3);
            }
            c.click("Apply S3 bucket defaults");
        } else if f.path.starts_with("DefaultCacheBehavior") && f.path.contains("TTL") {
            c.tab("Behaviors");
            if c.h.query_by_label("Minimum TTL (s)").is_none() {
                c.h.get_by_label_contains("* -> origin1").click();
                c.steps(3);
            }
            c.set_text("Minimum TTL (s)", "0");
        } else {
            panic!("an error this test does not know how to fix in the forms: {f:?}");
        }
    }
    assert_eq!(c.draft().counts().0, 0, "{:?}", c.draft().findings());
    c.click("Publish");
    c.wait(|c| {
        c.app()
            .chrome
            .banners
            .iter()
            .any(|(_, m)| m.ends_with("is deployed"))
            && c.app().jobs().next().is_none()
    });
    let rec = c.block_on(aws.get_distribution(&id)).unwrap();
    assert_eq!(
        rec.distribution.distribution_config.comment,
        "Edited through the AWS backend"
    );
    assert!(cfconsole_control::is_deployed(&rec.distribution.status));
    // Whatever the server did not keep of what was published, the draft keeps and lists as
    // its changes: nothing the operator set is lost to an emulator's (or a service's) rewrite.
    let left: Vec<String> = c
        .draft()
        .changes()
        .iter()
        .map(|ch| ch.path.clone())
        .collect();
    let dropped: Vec<String> =
        cfconsole_model::diff::diff(&rec.distribution.distribution_config, &c.draft().config)
            .iter()
            .map(|ch| ch.path.clone())
            .collect();
    assert_eq!(
        left, dropped,
        "the draft lists what the server did not keep"
    );
    assert_eq!(c.draft().config.comment, "Edited through the AWS backend");
    let row = c
        .app()
        .server
        .list
        .value()
        .unwrap()
        .iter()
        .find(|d| d.id == id)
        .unwrap()
        .clone();
    assert!(
        cfconsole_control::is_deployed(&row.status),
        "the list follows the deployment: {row:?}"
    );

    // Invalidations go through the same queue and poller on AWS.
    c.tab("Invalidations");
    c.set_text("Paths to invalidate (one per line)", "/index.html");
    c.click("Invalidate 1 path");
    c.wait(|c| {
        c.app().invalidations.history.value().is_some_and(|rows| {
            rows.iter()
                .any(|r| cfconsole_control::is_completed(&r.status))
        })
    });
    let on_aws = c.block_on(aws.list_all_invalidations(&id)).unwrap();
    assert_eq!(on_aws.len(), 1, "one invalidation reached the emulator");

    // Whatever the emulator answers for custom policies (a list, or an error of its own), the
    // tab settles on it: an error is said on the tab and in a banner, a list is shown.
    c.tab("Policies");
    c.wait(|c| {
        PolicyKind::ALL.iter().all(|k| {
            c.app()
                .server
                .policies
                .get(k)
                .is_some_and(|r| matches!(r, Remote::Ready(_) | Remote::Failed { .. }))
        })
    });
    let failed = |c: &Console, k: PolicyKind| match &c.app().server.policies[&k] {
        Remote::Failed { error, .. } => Some(error.clone()),
        _ => None,
    };
    for k in PolicyKind::ALL {
        if let Some(e) = failed(&c, k) {
            assert!(
                c.app()
                    .chrome
                    .banners
                    .iter()
                    .any(|(err, m)| *err && m.contains(&e)),
                "{k:?}: the error is said: {:?}",
                c.app().chrome.banners
            );
        }
    }
    if PolicyKind::ALL.iter().any(|k| failed(&c, *k).is_some()) {
        assert!(
            c.h.query_all_by_label_contains("Custom policies could not be listed")
                .next()
                .is_some(),
            "the tab says so"
        );
    }
    assert!(
        c.h.query_by_label_contains("CachingOptimized (managed)")
            .is_some(),
        "managed policies are built in"
    );
}

#[test]
fn tags_are_edited_checked_and_saved_at_once() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Tags");
    c.wait(|c| c.h.query_by_label("Add tag").is_some());
    c.click("Add tag");
    c.set_text("Tag key 1", "aws:team");
    assert!(
        c.h.query_by_label_contains("reserved for AWS").is_some(),
        "checked as typed"
    );
    assert!(c.h.get_by_label("Save tags").accesskit_node().is_disabled());
    c.set_text("Tag key 1", "team");
    c.set_text("Tag value 1", "web");
    c.click("Save tags");
    c.wait(|c| {
        c.app()
            .chrome
            .banners
            .iter()
            .any(|(_, m)| m.contains("Saved the tags"))
    });
    let tags = c.block_on(c.plane().list_tags(SAMPLE)).unwrap();
    assert_eq!(
        tags,
        vec![cfconsole_control::Tag {
            key: "team".into(),
            value: "web".into()
        }]
    );
    assert!(!c.draft().is_edited(), "tags are not part of the draft");
    c.snapshot("tags");
}

#[test]
fn invalidation_paths_are_linted_fixed_submitted_and_followed_to_completed() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Invalidations");
    c.wait(|c| c.app().invalidations.month.value().is_some());
    c.set_text(
        "Paths to invalidate (one per line)",
        "index.html\n/images/*.svg\n/my file.html",
    );
    for line in 1..=3 {
        assert!(
            c.h.query_by_label(&format!("Fix line {line}")).is_some(),
            "line {line} has a fix: {}",
            c.tree()
        );
    }
    assert!(
        c.h.get_by_label("Invalidate 3 paths")
            .accesskit_node()
            .is_disabled(),
        "errors block the submission"
    );
    c.click("Fix line 2");
    assert_eq!(
        c.app().invalidations.text,
        "index.html\n/images/*\n/my file.html"
    );
    c.click("Fix all 2 lines");
    assert_eq!(
        c.app().invalidations.text,
        "/index.html\n/images/*\n/my%20file.html"
    );
    assert!(
        c.h.query_by_label("3 paths: 2 individual, 1 wildcard")
            .is_some()
    );
    assert!(
        c.h.query_by_label_contains("These 3 are free").is_some(),
        "cost against the free tier: {}",
        c.tree()
    );
    c.snapshot("invalidations");

    c.click("Invalidate 3 paths");
    // The row appears InProgress and turns Completed by itself (the control plane's poller).
    c.wait(|c| {
        c.app()
            .invalidations
            .history
            .value()
            .is_some_and(|rows| rows.iter().any(|r| r.status == "InProgress"))
    });
    c.wait(|c| {
        c.app()
            .invalidations
            .history
            .value()
            .is_some_and(|rows| rows.len() == 1 && rows[0].status == "Completed")
    });
    assert!(
        c.app()
            .chrome
            .banners
            .iter()
            .any(|(err, m)| !err && m.contains("completed (3 paths)")),
        "a notice says it completed: {:?}",
        c.app().chrome.banners
    );
    assert!(c.app().invalidations.text.is_empty());

    // Copy to new puts the paths back in the editor and sends nothing.
    let id = c.app().invalidations.history.value().unwrap()[0].id.clone();
    c.click(&format!("Copy {id} to new"));
    assert_eq!(
        c.app().invalidations.text,
        "/index.html\n/images/*\n/my%20file.html"
    );
    c.steps(10);
    let all = c
        .block_on(c.plane().list_all_invalidations(SAMPLE))
        .unwrap();
    assert_eq!(all.len(), 1, "copying submits nothing");

    // Searching the history by path.
    c.set_text("Search history by path", "/nothing-like-this");
    assert!(
        c.h.query_by_label_contains("Page 1 of 1 (0 invalidations)")
            .is_some()
    );
    c.set_text("Search history by path", "my%20file");
    assert!(
        c.h.query_by_label_contains("Page 1 of 1 (1 invalidation)")
            .is_some()
    );
}

/// The tester's last response's `X-Cache`, once it has arrived.
fn x_cache(c: &Console) -> Option<String> {
    let t = c.app().preview.trial.as_ref()?;
    match t.response.as_ref()? {
        Ok(r) => Some(r.header("x-cache").unwrap_or("-").to_string()),
        Err(e) => Some(format!("error: {e}")),
    }
}

/// Sends the tester's request and waits for the answer's `X-Cache`.
fn send(c: &mut Console, path: &str) -> String {
    c.set_text("Request path", path);
    c.click("Send request");
    c.wait(|c| x_cache(c).is_some());
    x_cache(c).unwrap()
}

#[test]
fn the_preview_serves_the_draft_misses_then_hits_follows_edits_and_invalidates() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Preview");
    // The sample's origin defaults to the workspace's sample-site folder; another folder is
    // chosen with the (scripted) native dialog.
    let site = c.workspace().join("workspace").join("sample-site");
    c.dialogs.answer(&site);
    c.click("sample-site: a local folder");
    c.click("Choose folder for sample-site");
    c.wait(|c| {
        c.app().preview.targets.get("sample-site")
            == Some(&cfconsole::ui::tabs::preview::Target::Folder(site.clone()))
    });
    c.snapshot("preview_stopped");
    c.click("Start preview");
    c.wait(|c| c.app().preview.running.is_some());
    assert!(c.h.query_by_label_contains("https://127.0.0.1:").is_some());

    assert_eq!(send(&mut c, "/index.html"), "Miss from cloudfront");
    assert_eq!(send(&mut c, "/index.html"), "Hit from cloudfront");
    assert!(
        c.h.query_by_label_contains("Cache key: ").is_some(),
        "the explanation shows the key: {}",
        c.tree()
    );
    c.wait(|c| c.app().preview.log.rows.len() >= 2);
    let results: Vec<&str> = c.app().preview.log.rows.iter().map(|r| r.result).collect();
    assert_eq!(results, ["Miss", "Hit"]);

    // A TTL edit in the draft reaches the running preview.
    c.tab("Behaviors");
    c.open_default_behavior();
    c.click("Legacy cache settings");
    c.set_text("Default TTL (s)", "7");
    c.tab("Preview");
    c.wait(|c| {
        c.app()
            .preview
            .running
            .as_ref()
            .is_some_and(|r| r.config.default_cache_behavior.default_ttl == Some(7))
    });
    assert_eq!(send(&mut c, "/404.html"), "Miss from cloudfront");
    let ttl = c.app().preview.trial.as_ref().unwrap().ttl.clone().unwrap();
    assert!(ttl.contains("7 s"), "the new DefaultTTL decides: {ttl}");

    // An invalid draft keeps the last valid configuration running, and says so.
    c.tab("Behaviors");
    c.set_text("Default TTL (s)", "99999999999");
    c.tab("Preview");
    c.wait(|c| {
        c.app()
            .preview
            .running
            .as_ref()
            .is_some_and(|r| r.refused.is_some())
    });
    assert!(
        c.h.query_by_label_contains("keeps serving the last valid")
            .is_some()
    );
    c.tab("Behaviors");
    c.set_text("Default TTL (s)", "7");
    c.tab("Preview");

    // Invalidate from the cache browser: the next request misses.
    c.wait(|c| c.h.query_by_label("Select /index.html").is_some());
    c.click("Select /index.html");
    assert_eq!(
        c.app().preview.selected.len(),
        1,
        "{:?} {}",
        c.app()
            .preview
            .cache
            .iter()
            .map(|e| e.key.clone())
            .collect::<Vec<_>>(),
        c.tree()
    );
    c.h.get_by_label("Invalidate selected (1)")
        .click_accesskit();
    c.steps(3);
    c.wait(|c| {
        c.app()
            .preview
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Invalidated: 1"))
    });
    assert_eq!(send(&mut c, "/index.html"), "Miss from cloudfront");
    c.click("Stop preview");
    assert!(c.app().preview.running.is_none());
}

#[test]
fn a_behavior_is_dragged_to_a_new_place() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Behaviors");
    c.click("Add behavior");
    c.set_text("Path pattern", "/api/*");
    c.click("Add behavior");
    c.set_text("Path pattern", "/img/*");
    let order = |c: &Console| -> Vec<String> {
        c.draft()
            .config
            .cache_behaviors
            .as_ref()
            .unwrap()
            .items()
            .iter()
            .map(|b| b.path_pattern.clone())
            .collect()
    };
    assert_eq!(order(&c), ["/css/*", "/api/*", "/img/*"]);
    // Close the open card so that all three are in view.
    c.h.get_all_by_label_contains("/img/* -> ")
        .next()
        .expect("the third card")
        .click();
    c.steps(5);
    // Press on the third card's handle, move onto the first card, release.
    let from = c.h.get_by_label("Drag behavior 3").rect().center();
    let onto = c.h.get_by_label("Drag behavior 1").rect().center() + egui::vec2(200.0, 0.0);
    let press = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::default(),
    };
    c.h.event(egui::Event::PointerMoved(from));
    c.step();
    c.h.event(press(from, true));
    c.step();
    for k in 1..=10 {
        let t = k as f32 / 10.0;
        c.h.event(egui::Event::PointerMoved(from + (onto - from) * t));
        c.step();
    }
    c.h.event(press(onto, false));
    c.steps(3);
    assert_eq!(order(&c), ["/img/*", "/css/*", "/api/*"]);
    assert!(c.draft().can_undo(), "the move is one undoable edit");
}

#[test]
fn custom_policies_of_every_kind_are_checked_at_the_field_and_saved() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Policies");
    c.wait(|c| c.h.query_by_label("New response headers policy").is_some());
    // A cache policy whose TTLs are out of order: the finding is at the field, Save refuses.
    c.click("New cache policy");
    c.set_text("Policy name", "ttl-order");
    c.set_text("Policy minimum TTL (s)", "100");
    c.set_text("Policy maximum TTL (s)", "10");
    // At the field and in the list above Save.
    assert!(
        c.h.get_all_by_label_contains("InvalidTTLOrder").count() >= 2,
        "the TTL order finding is shown: {}",
        c.tree()
    );
    assert!(
        c.h.get_by_label("Save policy")
            .accesskit_node()
            .is_disabled()
    );
    c.click("Close the policy editor");
    // A response headers policy with CORS and HSTS, created through the control plane.
    c.click("New response headers policy");
    c.set_text("Policy name", "site-security");
    c.click("CORS headers");
    c.click("Strict-Transport-Security");
    assert!(
        !c.h.get_by_label("Save policy")
            .accesskit_node()
            .is_disabled(),
        "nothing to fix: {:?}",
        cfconsole::ui::tabs::policies::policy_findings(
            &c.app().chrome.view.policies.editing.as_ref().unwrap().1
        )
    );
    c.click("Save policy");
    c.wait(|c| {
        c.app()
            .chrome
            .banners
            .iter()
            .any(|(_, m)| m.starts_with("Saved policy site-security"))
    });
    let saved = c
        .block_on(
            c.plane()
                .list_policies(cfconsole_control::PolicyKind::ResponseHeaders),
        )
        .unwrap();
    let p = saved
        .iter()
        .find(|p| p.config.name() == "site-security")
        .expect("saved");
    let cfconsole_control::PolicyConfig::ResponseHeaders(rhp) = &p.config else {
        panic!("a response headers policy");
    };
    assert!(rhp.cors_config.is_some());
    assert_eq!(
        rhp.security_headers_config
            .as_ref()
            .and_then(|s| s.strict_transport_security.as_ref())
            .map(|h| h.access_control_max_age_sec),
        Some(31_536_000)
    );
}

#[test]
fn the_general_form_is_reachable_by_keyboard_and_reads_in_light_theme() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    // From the first field, Tab alone reaches a later one, and typing edits it.
    c.h.get_by_label("Comment").focus();
    c.step();
    let mut presses = 0;
    while !c
        .h
        .get_by_label("Default root object")
        .accesskit_node()
        .is_focused()
    {
        presses += 1;
        assert!(
            presses < 40,
            "Tab never reached Default root object: {}",
            c.tree()
        );
        c.h.key_press(egui::Key::Tab);
        c.step();
    }
    c.h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    c.step();
    c.h.event(egui::Event::Text("home.html".into()));
    c.steps(2);
    assert_eq!(
        c.draft().config.default_root_object.as_deref(),
        Some("home.html")
    );
    // The system's light theme (once the edit is saved, so the status bar holds still).
    c.wait(|c| c.draft().save_due.is_none() && c.app().jobs().next().is_none());
    c.h.ctx.set_theme(egui::Theme::Light);
    c.snapshot("general_light");
}

#[test]
fn the_window_reads_at_2x_scale() {
    // A 2x display: the same 1280x800 points on 2560x1600 pixels.
    let mut c = Console::local_at_scale(2.0);
    c.wait_for_draft(SAMPLE);
    c.snapshot("general_2x");
}

#[test]
fn an_origin_group_shows_a_failover_code_cloudfront_refuses_and_lets_it_go() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.tab("Origins");
    c.click("Add origin");
    c.set_text("Origin domain", "backup.example.com");
    c.click("Add origin group");
    // An imported group with a code CloudFront does not fail over on.
    {
        let app = c.h.state_mut();
        let d = app.current_draft_mut().unwrap();
        let g = &mut d.config.origin_groups.as_mut().unwrap().items_mut()[0];
        g.failover_criteria.status_codes = cfconsole_model::List::new(vec![418, 500]);
        d.commit("OriginGroups", std::time::Instant::now());
    }
    c.steps(3);
    let finding = |c: &Console| {
        c.draft()
            .findings()
            .iter()
            .any(|f| f.path.contains("FailoverCriteria") && f.is_error())
    };
    assert!(finding(&c), "418 is refused: {:?}", c.draft().findings());
    assert!(c.h.query_by_label("418").is_some(), "418 is shown, ticked");
    c.click("418");
    assert!(!finding(&c), "unticking 418 clears the finding");
    assert_eq!(
        c.draft().config.origin_groups.as_ref().unwrap().items()[0]
            .failover_criteria
            .status_codes
            .items(),
        [500]
    );
}

#[test]
fn an_invalidation_made_elsewhere_appears_without_a_click_and_is_followed() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    c.wait(|c| c.app().invalidations.history.value().is_some());
    // Someone else (the CLI, CI, a colleague) invalidates the same distribution.
    let other = c.other_workspace();
    let batch = cfconsole_model::InvalidationBatch {
        paths: cfconsole_model::List::new(vec!["/made-elsewhere.html".to_string()]),
        caller_reference: "made-elsewhere-1".into(),
    };
    let made = c
        .block_on(other.create_invalidation(SAMPLE, batch))
        .unwrap();
    // No Refresh: the open distribution's invalidations are followed, on any tab.
    c.tab("General");
    c.wait(|c| {
        c.app()
            .invalidations
            .history
            .value()
            .is_some_and(|rows| rows.iter().any(|r| r.id == made.id))
    });
    c.wait(|c| {
        c.app().invalidations.history.value().is_some_and(|rows| {
            rows.iter()
                .any(|r| r.id == made.id && cfconsole_control::is_completed(&r.status))
        })
    });
    assert!(
        c.app()
            .chrome
            .banners
            .iter()
            .any(|(err, m)| !err && m.contains(&made.id) && m.contains("completed")),
        "its completion is told: {:?}",
        c.app().chrome.banners
    );
}

#[test]
fn a_first_look_at_the_sample_finds_it_clean_named_and_worded() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    // The first screen a new user sees is exemplary: no finding at all.
    assert_eq!(c.draft().counts(), (0, 0), "{:?}", c.draft().findings());
    assert!(c.h.query_by_label("0 warnings").is_some());
    let tree = c.tree();
    assert!(!tree.contains("workspace workspace"), "{tree}");
    assert!(c.h.query_by_label("Local workspace: workspace").is_some());
    // General shows what the CloudFront console shows of the distribution.
    assert!(
        tree.contains("arn:aws:cloudfront::000000000000:distribution/E1SAMPLE000001"),
        "{tree}"
    );
    assert!(c.h.query_by_label("Last modified").is_some());

    // Each origin SSL protocol box has a name of its own.
    c.tab("Origins");
    c.h.get_by_label_contains("sample-site -> ").click();
    c.steps(3);
    for proto in ["TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"] {
        assert!(
            c.h.query_by_label(proto).is_some(),
            "a box named {proto}: {}",
            c.tree()
        );
    }
    assert!(
        c.h.query_all_by_label("Origin SSL protocols").count() <= 1,
        "only the row's label carries the row's name"
    );

    // Counts read as words do.
    c.tab("Invalidations");
    c.set_text("Paths to invalidate (one per line)", "/index.html");
    c.wait(|c| c.h.query_by_label_contains("This one is free").is_some());
    c.set_text(
        "Paths to invalidate (one per line)",
        "/a.html\nno slash *here",
    );
    assert!(
        c.h.query_by_label_contains("1 not valid").is_some(),
        "an invalid line is not counted as a path of either kind: {}",
        c.tree()
    );

    // The traffic chart is named by its summary.
    c.tab("Preview");
    c.click("Start preview");
    c.wait(|c| c.app().preview.running.is_some());
    c.steps(3);
    assert!(
        c.h.query_by_label_contains("Traffic chart: in the last second")
            .is_some(),
        "{}",
        c.tree()
    );
}

/// An account at CloudFront's quota of 500 distributions: the list draws only the rows in view
/// (a row far down is not laid out until scrolled to or filtered for) and filters as you type.
#[test]
fn at_the_distribution_quota_the_list_draws_what_is_in_view_and_filters_as_you_type() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    let dir = c.workspace().join("workspace").join("distributions");
    let sample = std::fs::read_to_string(dir.join(format!("{SAMPLE}.json"))).unwrap();
    let quota = cfconsole_model::quotas::DISTRIBUTIONS_PER_ACCOUNT;
    for i in 1..quota {
        let id = format!("E{i:013}");
        let text = sample
            .replace(SAMPLE, &id)
            .replace("\"Comment\": \"", &format!("\"Comment\": \"number {i}: "));
        std::fs::write(dir.join(format!("{id}.json")), text).unwrap();
    }
    c.click("Refresh");
    c.wait(|c| {
        c.app()
            .server
            .list
            .value()
            .is_some_and(|l| l.len() == quota)
    });
    let first = format!("E{:013}", 1);
    let last = format!("E{:013}", quota - 1);
    assert!(c.h.query_by_label(&first).is_some(), "{}", c.tree());
    assert!(
        c.h.query_by_label(&last).is_none(),
        "a row out of view is not laid out"
    );
    c.set_text("Filter", "number 499:");
    assert!(c.h.query_by_label(&last).is_some(), "{}", c.tree());
    assert!(c.h.query_by_label(&first).is_none(), "filtered out");
    c.set_text("Filter", "no such distribution");
    assert!(
        c.h.query_by_label("No distribution matches \"no such distribution\".")
            .is_some()
    );
}

/// Review changes says an origin header value changed without showing it until asked (#16).
#[test]
fn review_changes_withholds_header_values_until_asked() {
    let mut c = Console::local();
    c.wait_for_draft(SAMPLE);
    // The deployed config has the header; the draft changes its value.
    let rec = c.block_on(c.plane().get_distribution(SAMPLE)).unwrap();
    let mut config = rec.distribution.distribution_config.clone();
    config.origins.items_mut()[0].custom_headers = Some(cfconsole_model::List::new(vec![
        cfconsole_model::OriginCustomHeader {
            header_name: "X-Origin-Verify".into(),
            header_value: "old-s3cr3t".into(),
        },
    ]));
    c.block_on(c.plane().update_distribution(SAMPLE, config, &rec.etag))
        .unwrap();
    c.click("Refresh");
    c.wait(|c| {
        c.draft().config.origins.items()[0]
            .custom_headers
            .as_ref()
            .is_some_and(|h| !h.is_empty())
    });
    c.tab("Origins");
    c.h.get_by_label_contains("sample-site -> ").click();
    c.steps(2);
    c.set_text("Header 1 value", "new-s3cr3t");
    c.key_cmd(egui::Key::Enter, false);
    assert!(
        c.h.query_by_label_contains("HeaderValue: changed (value withheld)")
            .is_some(),
        "{}",
        c.tree()
    );
    assert!(
        c.h.query_by_label_contains("s3cr3t").is_none(),
        "{}",
        c.tree()
    );
    c.click("Show origin header values");
    assert!(
        c.h.query_by_label_contains("\"old-s3cr3t\" → \"new-s3cr3t\"")
            .is_some(),
        "{}",
        c.tree()
    );
}
