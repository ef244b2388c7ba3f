//! LocalWorkspace behaviour, with a manual clock: no test sleeps.

use super::*;
use cfconsole_model::List;

const MINUTE: Duration = Duration::from_secs(60);

fn workspace() -> (tempfile::TempDir, Arc<ManualClock>, LocalWorkspace) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ));
    let ws = LocalWorkspace::open_with(dir.path().join("ws"), clock.clone(), Timings::default())
        .unwrap();
    (dir, clock, ws)
}

fn config(caller_reference: &str) -> DistributionConfig {
    let doc = Document::from_json(SAMPLE_DISTRIBUTION).unwrap();
    let mut c = doc.config;
    c.caller_reference = caller_reference.into();
    c
}

fn batch(reference: &str, paths: &[String]) -> InvalidationBatch {
    InvalidationBatch {
        paths: List::new(paths.to_vec()),
        caller_reference: reference.into(),
    }
}

#[tokio::test]
async fn first_use_seeds_the_sample_distribution_and_site() {
    let (_d, _c, ws) = workspace();
    let list = ws.list_distributions().await.unwrap().items;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].id, "E1SAMPLE000001");
    assert_eq!(list[0].status, "Deployed", "the seed starts at rest");
    assert!(ws.root().join("sample-site/index.html").is_file());
    assert!(ws.root().join("sample-site/404.html").is_file());
    // Reopening does not seed again or lose anything.
    let again = LocalWorkspace::open(ws.root()).unwrap();
    assert_eq!(again.list_distributions().await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn create_deploys_after_the_delay() {
    let (_d, clock, ws) = workspace();
    let rec = ws.create_distribution(config("c1")).await.unwrap();
    assert_eq!(rec.distribution.status, "InProgress");
    assert!(rec.distribution.id.starts_with('E') && rec.distribution.id.len() == 14);
    clock.advance(Duration::from_secs(4));
    let id = &rec.distribution.id;
    assert_eq!(
        ws.get_distribution(id).await.unwrap().distribution.status,
        "InProgress"
    );
    clock.advance(Duration::from_secs(1));
    let got = ws.get_distribution(id).await.unwrap();
    assert_eq!(got.distribution.status, "Deployed");
    assert_eq!(got.etag, rec.etag, "reading does not change the ETag");
    assert_eq!(got.distribution.distribution_config, config("c1"));
}

#[tokio::test]
async fn stale_etag_is_refused_and_update_gives_a_new_one() {
    let (_d, clock, ws) = workspace();
    let rec = ws.create_distribution(config("c1")).await.unwrap();
    let id = rec.distribution.id.clone();
    clock.advance(MINUTE);
    let mut c = config("c1");
    c.comment = "first edit".into();
    let updated = ws
        .update_distribution(&id, c.clone(), &rec.etag)
        .await
        .unwrap();
    assert_ne!(updated.etag, rec.etag, "every update gives a new ETag");
    assert_eq!(
        updated.distribution.status, "InProgress",
        "an update redeploys"
    );
    c.comment = "second edit from a stale copy".into();
    let err = ws.update_distribution(&id, c, &rec.etag).await.unwrap_err();
    assert!(
        matches!(err, ControlError::PreconditionFailed { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("reload"), "{err}");
    let now = ws.get_distribution(&id).await.unwrap();
    assert_eq!(now.distribution.distribution_config.comment, "first edit");
}

#[tokio::test]
async fn caller_reference_and_alias_rules() {
    let (_d, _c, ws) = workspace();
    let mut c = config("dup");
    c.aliases = Some(List::new(vec!["www.example.com".into()]));
    let rec = ws.create_distribution(c.clone()).await.unwrap();
    let err = ws.create_distribution(c.clone()).await.unwrap_err();
    assert!(
        err.to_string().contains("DistributionAlreadyExists"),
        "{err}"
    );
    c.caller_reference = "other".into();
    let err = ws.create_distribution(c.clone()).await.unwrap_err();
    assert!(
        matches!(err, ControlError::CnameAlreadyExists { .. }),
        "{err}"
    );
    let err = ws
        .update_distribution(&rec.distribution.id, c, &rec.etag)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("IllegalUpdate"), "{err}");
}

#[tokio::test]
async fn delete_only_when_disabled_and_deployed() {
    let (_d, clock, ws) = workspace();
    let rec = ws.create_distribution(config("c1")).await.unwrap();
    let id = rec.distribution.id.clone();
    clock.advance(MINUTE);
    let err = ws.delete_distribution(&id, &rec.etag).await.unwrap_err();
    assert!(
        matches!(err, ControlError::DistributionNotDisabled { .. }),
        "enabled: {err}"
    );
    let mut c = config("c1");
    c.enabled = false;
    let disabled = ws.update_distribution(&id, c, &rec.etag).await.unwrap();
    let err = ws
        .delete_distribution(&id, &disabled.etag)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ControlError::DistributionNotDisabled { .. }),
        "deploying: {err}"
    );
    clock.advance(MINUTE);
    let err = ws.delete_distribution(&id, &rec.etag).await.unwrap_err();
    assert!(
        matches!(err, ControlError::PreconditionFailed { .. }),
        "stale: {err}"
    );
    ws.delete_distribution(&id, &disabled.etag).await.unwrap();
    assert!(matches!(
        ws.get_distribution(&id).await.unwrap_err(),
        ControlError::NotFound { .. }
    ));
}

#[tokio::test]
async fn invalidations_complete_and_caller_reference_is_idempotent() {
    let (_d, clock, ws) = workspace();
    let id = "E1SAMPLE000001";
    let paths = vec!["/index.html".to_string(), "/css/*".to_string()];
    let inv = ws
        .create_invalidation(id, batch("r1", &paths))
        .await
        .unwrap();
    assert_eq!(inv.status, "InProgress");
    assert_eq!(
        ws.get_distribution(id)
            .await
            .unwrap()
            .distribution
            .in_progress_invalidation_batches,
        1
    );
    // spec I-11: same reference, same paths: the same invalidation; other paths: refused.
    let again = ws
        .create_invalidation(id, batch("r1", &paths))
        .await
        .unwrap();
    assert_eq!(again.id, inv.id);
    let err = ws
        .create_invalidation(id, batch("r1", &["/other".into()]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ControlError::InvalidationBatchAlreadyExists { .. }),
        "{err}"
    );
    clock.advance(Duration::from_secs(3));
    let done = ws.get_invalidation(id, &inv.id).await.unwrap();
    assert_eq!(done.status, "Completed");
    assert_eq!(done.invalidation_batch.paths.items(), &paths[..]);
}

#[tokio::test]
async fn invalidation_paths_and_quantities_are_checked() {
    let (_d, _c, ws) = workspace();
    let id = "E1SAMPLE000001";
    let err = ws
        .create_invalidation(id, batch("r", &["/a*/b".into()]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("I-2"), "{err}");
    let mut b = batch("r", &["/a".into()]);
    b.paths.quantity = 2;
    let err = ws.create_invalidation(id, b).await.unwrap_err();
    assert!(err.to_string().contains("InconsistentQuantities"), "{err}");
}

#[tokio::test]
async fn in_progress_limits_of_i8() {
    let (_d, clock, ws) = workspace();
    let id = "E1SAMPLE000001";
    let wild: Vec<String> = (0..15).map(|i| format!("/w{i}/*")).collect();
    ws.create_invalidation(id, batch("w", &wild)).await.unwrap();
    let err = ws
        .create_invalidation(id, batch("w2", &["/more/*".into()]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ControlError::TooManyInvalidationsInProgress { .. }),
        "{err}"
    );
    // The wildcard limit is independent of the individual one.
    let files: Vec<String> = (0..3000).map(|i| format!("/f{i}")).collect();
    ws.create_invalidation(id, batch("f", &files))
        .await
        .unwrap();
    let err = ws
        .create_invalidation(id, batch("f2", &["/one-more".into()]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("3000"), "{err}");
    clock.advance(MINUTE);
    ws.create_invalidation(id, batch("f2", &["/one-more".into()]))
        .await
        .expect("accepted once the earlier ones completed");
}

#[tokio::test]
async fn invalidations_are_paged_newest_first() {
    let (_d, clock, ws) = workspace();
    let id = "E1SAMPLE000001";
    for i in 0..(PAGE_SIZE + 5) {
        ws.create_invalidation(id, batch(&format!("r{i}"), &[format!("/p{i}")]))
            .await
            .unwrap();
        clock.advance(MINUTE);
    }
    let first = ws.list_invalidations(id, None).await.unwrap();
    assert_eq!(first.items.len(), PAGE_SIZE);
    let second = ws
        .list_invalidations(id, first.next_marker.clone())
        .await
        .unwrap();
    assert_eq!(second.items.len(), 5);
    assert_eq!(second.next_marker, None);
    let all = ws.list_all_invalidations(id).await.unwrap();
    assert_eq!(all.len(), PAGE_SIZE + 5);
    let newest = ws.get_invalidation(id, &all[0].id).await.unwrap();
    assert_eq!(
        newest.invalidation_batch.caller_reference,
        format!("r{}", PAGE_SIZE + 4)
    );
}

#[tokio::test]
async fn corrupt_file_is_named_and_nothing_else_is_lost() {
    let (_d, _c, ws) = workspace();
    let rec = ws.create_distribution(config("c1")).await.unwrap();
    let sample = ws.distribution_path("E1SAMPLE000001");
    let good = fs::read_to_string(&sample).unwrap();
    fs::write(
        &sample,
        good.replace("\"Enabled\": true", "\"Enabld\": true"),
    )
    .unwrap();
    // The bad file hides nothing: the others are listed, and it is named with what is wrong.
    let list = ws.list_distributions().await.unwrap();
    let ids: Vec<&str> = list.items.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, [rec.distribution.id.as_str()]);
    assert_eq!(list.unreadable.len(), 1, "{list:?}");
    assert_eq!(list.unreadable[0].id, "E1SAMPLE000001");
    let msg = &list.unreadable[0].problem;
    assert!(msg.contains("E1SAMPLE000001.json"), "names the file: {msg}");
    assert!(msg.contains("Enabld"), "says what is wrong: {msg}");
    // The other distribution is untouched and usable.
    let other = ws.get_distribution(&rec.distribution.id).await.unwrap();
    assert_eq!(other.etag, rec.etag);
    fs::write(&sample, "{ not json").unwrap();
    let err = ws.get_distribution("E1SAMPLE000001").await.unwrap_err();
    assert!(err.to_string().contains("not valid JSON"), "{err}");
    assert_eq!(
        fs::read_to_string(&sample).unwrap(),
        "{ not json",
        "never overwritten"
    );
    fs::write(&sample, good).unwrap();
    let list = ws.list_distributions().await.unwrap();
    assert_eq!((list.items.len(), list.unreadable.len()), (2, 0));
}

#[tokio::test]
async fn interrupted_write_leaves_the_previous_distribution_readable() {
    let (_d, _c, ws) = workspace();
    let path = ws.distribution_path("E1SAMPLE000001");
    let before = ws.get_distribution("E1SAMPLE000001").await.unwrap();
    let err = store::write_atomic_with(&path, b"{\"ETag\": \"half", |stage| {
        if stage == store::Stage::HalfWritten {
            Err(std::io::Error::other("killed"))
        } else {
            Ok(())
        }
    });
    assert!(err.is_err());
    assert_eq!(ws.get_distribution("E1SAMPLE000001").await.unwrap(), before);
    // The stray temp file is not taken for a distribution. A recent one is kept on the next
    // open (its writer may be alive, in another process); one older than STALE_TEMP_AGE is
    // the leftover of a killed writer and is removed.
    let list = ws.list_distributions().await.unwrap();
    assert_eq!((list.items.len(), list.unreadable.len()), (1, 0));
    let temps = || -> Vec<PathBuf> {
        fs::read_dir(ws.root().join("distributions"))
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(store::TEMP_PREFIX)
            })
            .map(|e| e.path())
            .collect()
    };
    LocalWorkspace::open(ws.root()).unwrap();
    let left = temps();
    assert_eq!(left.len(), 1);
    let old = SystemTime::now() - STALE_TEMP_AGE - MINUTE;
    fs::File::options()
        .write(true)
        .open(&left[0])
        .unwrap()
        .set_modified(old)
        .unwrap();
    LocalWorkspace::open(ws.root()).unwrap();
    assert_eq!(temps(), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn policies_are_stored_with_etags() {
    let (_d, _c, ws) = workspace();
    let cfg = cfconsole_model::CachePolicyConfig {
        name: "short".into(),
        min_ttl: 1,
        ..Default::default()
    };
    let rec = ws
        .create_policy(PolicyConfig::Cache(cfg.clone()))
        .await
        .unwrap();
    let err = ws
        .create_policy(PolicyConfig::Cache(cfg.clone()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("PolicyAlreadyExists"), "{err}");
    let got = ws.get_policy(PolicyKind::Cache, &rec.id).await.unwrap();
    assert_eq!(got, rec);
    let mut cfg2 = cfg.clone();
    cfg2.min_ttl = 5;
    let up = ws
        .update_policy(&rec.id, PolicyConfig::Cache(cfg2.clone()), &rec.etag)
        .await
        .unwrap();
    assert_ne!(up.etag, rec.etag);
    let err = ws
        .update_policy(&rec.id, PolicyConfig::Cache(cfg2), &rec.etag)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ControlError::PreconditionFailed { .. }),
        "{err}"
    );
    assert_eq!(ws.list_policies(PolicyKind::Cache).await.unwrap(), vec![up]);
    assert!(
        ws.list_policies(PolicyKind::ResponseHeaders)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_batch_that_can_never_fit_is_batch_too_large() {
    let (_d, _c, ws) = workspace();
    let wild: Vec<String> = (0..16).map(|i| format!("/w{i}/*")).collect();
    let err = ws
        .create_invalidation("E1SAMPLE000001", batch("big", &wild))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("BatchTooLarge"), "{err}");
    assert!(!err.is_transient(), "waiting would not help");
}

#[tokio::test]
async fn corrupt_policy_and_misnamed_distribution_files_are_named() {
    let (_d, _c, ws) = workspace();
    let rec = ws
        .create_policy(PolicyConfig::Cache(cfconsole_model::CachePolicyConfig {
            name: "p".into(),
            ..Default::default()
        }))
        .await
        .unwrap();
    let path = ws
        .root()
        .join("policies/cache-policy")
        .join(format!("{}.json", rec.id));
    fs::write(&path, "{\"ETag\": 5}").unwrap();
    let err = ws.list_policies(PolicyKind::Cache).await.unwrap_err();
    assert!(
        err.to_string().contains(&format!("{}.json", rec.id)),
        "{err}"
    );

    let sample = ws.distribution_path("E1SAMPLE000001");
    fs::copy(&sample, ws.distribution_path("E2COPY")).unwrap();
    let err = ws.get_distribution("E2COPY").await.unwrap_err();
    assert!(err.to_string().contains("E2COPY.json"), "{err}");
    assert!(err.to_string().contains("E1SAMPLE000001"), "{err}");
}

#[tokio::test]
async fn tags_are_kept_beside_the_distribution_without_changing_its_etag() {
    let (_d, _c, ws) = workspace();
    let id = "E1SAMPLE000001";
    let before = ws.get_distribution(id).await.unwrap();
    assert!(ws.list_tags(id).await.unwrap().is_empty());
    let tags = vec![
        crate::Tag {
            key: "team".into(),
            value: "web".into(),
        },
        crate::Tag {
            key: "cost-centre".into(),
            value: "42".into(),
        },
    ];
    ws.set_tags(id, tags.clone()).await.unwrap();
    assert_eq!(ws.list_tags(id).await.unwrap(), tags);
    assert_eq!(
        ws.get_distribution(id).await.unwrap().etag,
        before.etag,
        "tagging is not an update"
    );
    ws.set_tags(id, tags[1..].to_vec()).await.unwrap();
    assert_eq!(ws.list_tags(id).await.unwrap(), tags[1..]);
    let err = ws
        .set_tags(
            id,
            vec![crate::Tag {
                key: "aws:owner".into(),
                value: String::new(),
            }],
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reserved"), "{err}");
    assert_eq!(
        ws.list_tags(id).await.unwrap(),
        tags[1..],
        "a refused change changes nothing"
    );
    assert!(matches!(
        ws.list_tags("ENOSUCH").await,
        Err(ControlError::NotFound { .. })
    ));
}

/// CloudFront's quota of 500 distributions per account (crates/model/src/quotas.rs): the
/// workspace lists all of them and refuses the 501st with CloudFront's code.
#[tokio::test]
async fn the_workspace_holds_the_distribution_quota_and_refuses_one_more() {
    let (_d, _c, ws) = workspace();
    for i in 1..DISTRIBUTIONS_PER_ACCOUNT {
        let mut s = ws.read("E1SAMPLE000001").unwrap();
        s.distribution.id = format!("E{i:013}");
        s.distribution.distribution_config.caller_reference = format!("quota-{i}");
        s.distribution.distribution_config.aliases = None;
        ws.write(&s).unwrap();
    }
    let list = ws.list_distributions().await.unwrap().items;
    assert_eq!(list.len(), DISTRIBUTIONS_PER_ACCOUNT);
    let err = ws
        .create_distribution(config("one-more"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ControlError::Rejected { code, .. } if code == "TooManyDistributions"),
        "{err:?}"
    );
    assert!(err.to_string().contains("500"), "{err}");
}

// --- CloudFront Functions and key value stores ---

const ADD_HEADER: &str = r#"function handler(event) {
    var request = event.request;
    request.headers['x-test'] = { value: 'yes' };
    return request;
}"#;

const KVS_REDIRECT: &str = r#"import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    const request = event.request;
    let target;
    try {
        target = await kvs.get(request.uri);
    } catch (err) {
        console.log(`no redirect for ${request.uri}`);
        return request;
    }
    return {
        statusCode: 301,
        statusDescription: 'Moved Permanently',
        headers: { location: { value: target } },
    };
}"#;

fn fn_event(uri: &str) -> cfconsole_functions::Event {
    cfconsole_functions::Event::from_json(&serde_json::json!({
        "request": {"method": "GET", "uri": uri, "headers": {"host": {"value": "example.com"}}}
    }))
    .unwrap()
}

fn code(e: ControlError) -> String {
    match e {
        ControlError::Rejected { code, .. } => code,
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn a_function_is_created_tested_published_and_deleted() {
    let (_d, _c, ws) = workspace();
    let js1 = cfconsole_functions::Runtime::Js1;
    let f = ws
        .create_function("add-header", "adds x-test", js1, None, ADD_HEADER.into())
        .await
        .unwrap();
    assert_eq!(
        (f.stage, f.status.as_str()),
        (Stage::Development, "UNPUBLISHED")
    );
    assert_eq!(
        f.arn,
        "arn:aws:cloudfront::000000000000:function/add-header"
    );
    // LIVE does not exist before the first publish.
    let e = ws.describe_function("add-header", Stage::Live).await;
    assert!(matches!(e, Err(ControlError::NotFound { .. })), "{e:?}");

    let t = ws
        .test_function("add-header", &f.etag, Stage::Development, fn_event("/"))
        .await
        .unwrap();
    assert_eq!(t.error, None);
    let out: serde_json::Value = serde_json::from_str(&t.output).unwrap();
    assert_eq!(out["request"]["headers"]["x-test"]["value"], "yes", "{out}");
    assert!(t.compute_utilization <= 100);

    let live = ws.publish_function("add-header", &f.etag).await.unwrap();
    assert_eq!(
        (live.stage, live.status.as_str()),
        (Stage::Live, "UNASSOCIATED")
    );
    let dev = ws
        .describe_function("add-header", Stage::Development)
        .await
        .unwrap();
    assert_eq!(dev.status, "UNASSOCIATED", "DEVELOPMENT equals LIVE now");
    assert_ne!(dev.etag, f.etag, "publishing changes DEVELOPMENT's ETag");
    let e = ws
        .publish_function("add-header", &f.etag)
        .await
        .unwrap_err();
    assert!(matches!(e, ControlError::PreconditionFailed { .. }), "{e}");

    // An update changes DEVELOPMENT only.
    let changed = ADD_HEADER.replace("'yes'", "'no'");
    let upd = ws
        .update_function("add-header", &dev.etag, "v2", js1, None, changed.clone())
        .await
        .unwrap();
    assert_eq!(upd.status, "UNPUBLISHED");
    let (live_code, live_etag) = ws
        .get_function_code("add-header", Stage::Live)
        .await
        .unwrap();
    assert_eq!(live_code, ADD_HEADER);
    assert_eq!(live_etag, live.etag);
    let (dev_code, _) = ws
        .get_function_code("add-header", Stage::Development)
        .await
        .unwrap();
    assert_eq!(dev_code, changed);
    let t = ws
        .test_function("add-header", &live.etag, Stage::Live, fn_event("/"))
        .await
        .unwrap();
    assert!(
        t.output.contains(r#""value":"yes""#),
        "LIVE runs the published code"
    );
    let stale = ws
        .update_function("add-header", &dev.etag, "v3", js1, None, changed)
        .await
        .unwrap_err();
    assert!(
        matches!(stale, ControlError::PreconditionFailed { .. }),
        "{stale}"
    );

    // A second workspace on the same folder sees it all.
    let again = LocalWorkspace::open(ws.root()).unwrap();
    let all = again.list_functions(None).await.unwrap();
    assert_eq!(all.len(), 2, "both stages are listed: {all:?}");
    assert_eq!(
        again.list_functions(Some(Stage::Live)).await.unwrap().len(),
        1
    );

    let e = ws
        .delete_function("add-header", &dev.etag)
        .await
        .unwrap_err();
    assert!(matches!(e, ControlError::PreconditionFailed { .. }), "{e}");
    ws.delete_function("add-header", &upd.etag).await.unwrap();
    assert!(ws.list_functions(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn create_checks_names_code_duplicates_and_the_store() {
    let (_d, _c, ws) = workspace();
    let js2 = cfconsole_functions::Runtime::Js2;
    async fn mk(ws: &LocalWorkspace, name: &str, code: &str) -> Result<FunctionRecord> {
        let js2 = cfconsole_functions::Runtime::Js2;
        ws.create_function(name, "", js2, None, code.into()).await
    }
    assert_eq!(
        code(mk(&ws, "bad name", ADD_HEADER).await.unwrap_err()),
        "InvalidArgument"
    );
    assert_eq!(
        code(mk(&ws, "../x", ADD_HEADER).await.unwrap_err()),
        "InvalidArgument"
    );
    let e = mk(
        &ws,
        "syntax",
        "function handler(event) {\n  return event.request\n}}",
    )
    .await
    .unwrap_err();
    assert_eq!(code(e), "InvalidArgument");
    let e = mk(
        &ws,
        "syntax",
        "function handler(e) {\n  return e.request;\n}}",
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string().contains("line 3"),
        "the error names the line: {e}"
    );
    let big = format!("{ADD_HEADER}\n//{}", "x".repeat(11_000));
    assert_eq!(
        code(mk(&ws, "big", &big).await.unwrap_err()),
        "FunctionSizeLimitExceeded"
    );
    mk(&ws, "one", ADD_HEADER).await.unwrap();
    assert_eq!(
        code(mk(&ws, "one", ADD_HEADER).await.unwrap_err()),
        "FunctionAlreadyExists"
    );
    let e = ws
        .create_function("kv", "", js2, Some("arn:nope".into()), KVS_REDIRECT.into())
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("no key value store has ARN arn:nope"),
        "{e}"
    );
    let store = ws.create_kvs("redirects", "", None).await.unwrap();
    let e = ws
        .create_function(
            "kv1",
            "",
            cfconsole_functions::Runtime::Js1,
            Some(store.arn.clone()),
            ADD_HEADER.into(),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cloudfront-js-2.0"), "{e}");
    for i in 1..100 {
        mk(&ws, &format!("f{i}"), ADD_HEADER).await.unwrap();
    }
    assert_eq!(
        code(mk(&ws, "f100", ADD_HEADER).await.unwrap_err()),
        "TooManyFunctions"
    );
}

#[tokio::test]
async fn a_function_in_use_is_deployed_and_cannot_be_deleted() {
    let (_d, _c, ws) = workspace();
    let js2 = cfconsole_functions::Runtime::Js2;
    let f = ws
        .create_function("rewrite", "", js2, None, ADD_HEADER.into())
        .await
        .unwrap();
    let live = ws.publish_function("rewrite", &f.etag).await.unwrap();
    let mut c = config("uses-fn");
    c.default_cache_behavior.function_associations =
        Some(List::new(vec![cfconsole_model::FunctionAssociation {
            function_arn: live.arn.clone(),
            event_type: cfconsole_model::EventType::ViewerRequest,
        }]));
    let d = ws.create_distribution(c).await.unwrap();
    let now = ws.describe_function("rewrite", Stage::Live).await.unwrap();
    assert_eq!(now.status, "DEPLOYED");
    let listed = ws.list_functions(None).await.unwrap();
    let statuses: Vec<&str> = listed.iter().map(|f| f.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["DEPLOYED", "DEPLOYED"],
        "both stages, the list as describe"
    );
    let dev = ws
        .describe_function("rewrite", Stage::Development)
        .await
        .unwrap();
    let e = ws.delete_function("rewrite", &dev.etag).await.unwrap_err();
    assert_eq!(code(e), "FunctionInUse");
    let e = ws.delete_function("rewrite", &dev.etag).await.unwrap_err();
    assert!(
        e.to_string().contains(&d.distribution.id),
        "names the user: {e}"
    );
}

#[tokio::test]
async fn stores_are_created_updated_and_refused_delete_while_in_use() {
    let (_d, _c, ws) = workspace();
    let import = cfconsole_functions::kvs::Items::from_import(
        r#"{"data":[{"key":"/old","value":"/new"},{"key":"/a","value":"/b"}]}"#,
    )
    .unwrap();
    let s = ws
        .create_kvs("redirects", "old paths", Some(import))
        .await
        .unwrap();
    assert_eq!(s.status, "READY");
    let id = s.arn.rsplit('/').next().unwrap();
    assert_eq!(id, s.id);
    assert_eq!(id.len(), 36, "{id}");
    assert!(
        s.arn
            .starts_with("arn:aws:cloudfront::000000000000:key-value-store/")
    );
    let e = ws.create_kvs("redirects", "", None).await.unwrap_err();
    assert_eq!(code(e), "EntityAlreadyExists");
    let e = ws
        .create_kvs("long", &"c".repeat(129), None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at most 128"), "{e}");

    let u = ws
        .update_kvs("redirects", &s.etag, "renamed")
        .await
        .unwrap();
    assert_ne!(u.etag, s.etag);
    let e = ws
        .update_kvs("redirects", &s.etag, "again")
        .await
        .unwrap_err();
    assert!(matches!(e, ControlError::PreconditionFailed { .. }), "{e}");
    let again = LocalWorkspace::open(ws.root()).unwrap();
    assert_eq!(again.list_kvs().await.unwrap()[0].comment, "renamed");

    // A function reads its store in a test.
    let js2 = cfconsole_functions::Runtime::Js2;
    let f = ws
        .create_function("redir", "", js2, Some(s.arn.clone()), KVS_REDIRECT.into())
        .await
        .unwrap();
    assert_eq!(f.kvs_arn.as_deref(), Some(s.arn.as_str()));
    let t = ws
        .test_function("redir", &f.etag, Stage::Development, fn_event("/old"))
        .await
        .unwrap();
    assert!(t.output.contains(r#""statusCode":301"#), "{t:?}");
    assert!(t.output.contains("/new"), "{t:?}");
    let t = ws
        .test_function("redir", &f.etag, Stage::Development, fn_event("/other"))
        .await
        .unwrap();
    assert_eq!(t.logs, vec!["no redirect for /other".to_string()]);

    let e = ws.delete_kvs("redirects", &u.etag).await.unwrap_err();
    assert_eq!(code(e), "CannotDeleteEntityWhileInUse");
    ws.delete_function("redir", &f.etag).await.unwrap();
    ws.delete_kvs("redirects", &u.etag).await.unwrap();
    assert!(ws.list_kvs().await.unwrap().is_empty());
}

#[tokio::test]
async fn items_are_written_with_the_data_plane_etag_all_or_nothing() {
    let (_d, _c, ws) = workspace();
    let s = ws.create_kvs("kv", "", None).await.unwrap();
    let first = ws.kvs_items(&s.arn).await.unwrap();
    assert!(first.items.is_empty());
    assert_ne!(first.etag, s.etag, "the data plane has its own ETag");
    let e = ws.kvs_put(&s.arn, &s.etag, "k", "v").await.unwrap_err();
    assert!(matches!(e, ControlError::PreconditionFailed { .. }), "{e}");
    let e1 = ws.kvs_put(&s.arn, &first.etag, "k", "v").await.unwrap();
    assert_eq!(ws.kvs_get(&s.arn, "k").await.unwrap().as_deref(), Some("v"));
    assert_eq!(ws.kvs_get(&s.arn, "nope").await.unwrap(), None);
    let stale = ws.kvs_put(&s.arn, &first.etag, "k", "w").await.unwrap_err();
    assert!(
        matches!(stale, ControlError::PreconditionFailed { .. }),
        "{stale}"
    );

    // All or nothing: one bad value refuses the whole request.
    let bad = vec![
        ("a".to_string(), "1".to_string()),
        ("b".into(), "x".repeat(2000)),
    ];
    let e = ws
        .kvs_update(&s.arn, &e1, bad, vec!["k".into()])
        .await
        .unwrap_err();
    assert_eq!(code(e), "ValidationException");
    assert_eq!(ws.kvs_get(&s.arn, "k").await.unwrap().as_deref(), Some("v"));
    assert_eq!(ws.kvs_get(&s.arn, "a").await.unwrap(), None);
    let too_many: Vec<(String, String)> = (0..51).map(|i| (format!("k{i}"), "v".into())).collect();
    let e = ws
        .kvs_update(&s.arn, &e1, too_many, vec![])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at most 50"), "{e}");

    let e2 = ws
        .kvs_update(
            &s.arn,
            &e1,
            vec![("a".into(), "1".into())],
            vec!["k".into()],
        )
        .await
        .unwrap();
    let e3 = ws.kvs_delete(&s.arn, &e2, "a").await.unwrap();
    let now = ws.kvs_items(&s.arn).await.unwrap();
    assert!(now.items.is_empty());
    assert_eq!(now.etag, e3);
    let e = ws
        .kvs_items("arn:aws:cloudfront::000000000000:key-value-store/x")
        .await;
    assert!(matches!(e, Err(ControlError::NotFound { .. })), "{e:?}");
}

#[tokio::test]
async fn a_damaged_function_file_is_named() {
    let (_d, _c, ws) = workspace();
    let js2 = cfconsole_functions::Runtime::Js2;
    ws.create_function("f", "", js2, None, ADD_HEADER.into())
        .await
        .unwrap();
    fs::write(ws.root().join("functions/f.json"), "{\"Name\": \"f\"").unwrap();
    let e = ws
        .describe_function("f", Stage::Development)
        .await
        .unwrap_err();
    assert!(matches!(e, ControlError::CorruptFile { .. }), "{e}");
    assert!(e.to_string().contains("functions/f.json"), "{e}");
}
