//! The Aws backend against a moto server through the real SDK: create, list, get, update,
//! invalidate, list invalidations, delete. The test starts moto itself (`MOTO_SERVER`, else
//! `moto_server` on PATH) on a free loopback port and stops it when done. Without moto it is
//! skipped with a message, except under `CI=true`, where a missing moto is a failure.

use aws_sdk_cloudfront::config::{BehaviorVersion, Credentials, Region};
use cfconsole_control::{Aws, ControlError, ControlPlane, is_completed, is_deployed};
use cfconsole_model::{Document, InvalidationBatch, List};
use cfconsole_testkit::Moto;

fn backend(moto: &Moto) -> Aws {
    // Explicit configuration: static dummy credentials, no reading of the user's AWS files.
    let conf = aws_sdk_cloudfront::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(format!("http://127.0.0.1:{}", moto.port()))
        .build();
    Aws::from_client(aws_sdk_cloudfront::Client::from_conf(conf))
}

fn sample_config(reference: &str) -> cfconsole_model::DistributionConfig {
    let text = include_str!("../../../assets/sample-workspace/sample-distribution.json");
    let mut c = Document::from_json(text).expect("sample parses").config;
    c.caller_reference = reference.into();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distribution_lifecycle_against_moto() {
    let Some(moto) = Moto::start() else { return };
    let aws = backend(&moto);

    let created = aws
        .create_distribution(sample_config("moto-1"))
        .await
        .expect("create");
    let id = created.distribution.id.clone();
    assert!(!created.etag.is_empty());
    assert_eq!(
        created
            .distribution
            .distribution_config
            .default_root_object
            .as_deref(),
        Some("index.html")
    );

    let list = aws.list_distributions().await.expect("list").items;
    let item = list.iter().find(|d| d.id == id).expect("listed");
    // moto's list summary is canned (no Enabled, Comment or real times): only the id and domain
    // are its own.
    assert_eq!(item.domain_name, created.distribution.domain_name);

    let got = aws.get_distribution(&id).await.expect("get");
    assert_eq!(
        got.distribution.distribution_config.origins,
        created.distribution.distribution_config.origins
    );

    let mut config = got.distribution.distribution_config.clone();
    config.comment = "updated through the SDK".into();
    let updated = aws
        .update_distribution(&id, config, &got.etag)
        .await
        .expect("update");
    assert_eq!(
        updated.distribution.distribution_config.comment,
        "updated through the SDK"
    );

    let batch = InvalidationBatch {
        paths: List::new(vec!["/index.html".into(), "/css/*".into()]),
        caller_reference: "moto-inv-1".into(),
    };
    let inv = aws
        .create_invalidation(&id, batch)
        .await
        .expect("invalidate");
    let invs = aws
        .list_all_invalidations(&id)
        .await
        .expect("list invalidations");
    assert!(invs.iter().any(|i| i.id == inv.id), "{invs:?}");
    let read = aws
        .get_invalidation(&id, &inv.id)
        .await
        .expect("get invalidation");
    assert_eq!(read.invalidation_batch.paths.len(), 2);
    // moto says COMPLETED at once; compared case-insensitively.
    assert!(is_completed(&read.status), "{}", read.status);

    // Delete: disable, then (moto deploys on the next read) delete with the latest ETag.
    let current = aws.get_distribution(&id).await.expect("get");
    let mut config = current.distribution.distribution_config.clone();
    config.enabled = false;
    let disabled = aws
        .update_distribution(&id, config, &current.etag)
        .await
        .expect("disable");
    let deployed = aws.get_distribution(&id).await.expect("get");
    assert!(is_deployed(&deployed.distribution.status));
    aws.delete_distribution(&id, &disabled.etag)
        .await
        .expect("delete");
    let err = aws.get_distribution(&id).await.unwrap_err();
    assert!(matches!(err, ControlError::NotFound { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_are_set_listed_and_removed_against_moto() {
    let Some(moto) = Moto::start() else { return };
    let aws = backend(&moto);
    let id = aws
        .create_distribution(sample_config("moto-tags"))
        .await
        .expect("create")
        .distribution
        .id;
    let tag = |k: &str, v: &str| cfconsole_control::Tag {
        key: k.into(),
        value: v.into(),
    };
    aws.set_tags(&id, vec![tag("team", "web"), tag("env", "prod")])
        .await
        .expect("tag");
    let mut got = aws.list_tags(&id).await.expect("list tags");
    got.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(got, vec![tag("env", "prod"), tag("team", "web")]);
    aws.set_tags(&id, vec![tag("env", "staging")])
        .await
        .expect("retag");
    assert_eq!(
        aws.list_tags(&id).await.expect("list"),
        vec![tag("env", "staging")],
        "team was untagged"
    );
    let err = aws.set_tags(&id, vec![tag("aws:x", "")]).await.unwrap_err();
    assert!(err.to_string().contains("InvalidTagging"), "{err}");
}

/// An account at CloudFront's quota of 500 distributions (crates/model/src/quotas.rs): the list
/// reads every one of AWS's pages of 100 (moto pages as CloudFront does, `IsTruncated` and
/// `NextMarker`), each distribution once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_reads_every_page_of_an_account_at_the_distribution_quota() {
    let Some(moto) = Moto::start() else { return };
    let aws = backend(&moto);
    let quota = cfconsole_model::quotas::DISTRIBUTIONS_PER_ACCOUNT;
    let mut created = std::collections::BTreeSet::new();
    for i in 0..quota {
        let d = aws
            .create_distribution(sample_config(&format!("moto-quota-{i}")))
            .await
            .expect("create");
        created.insert(d.distribution.id);
    }
    let listed: Vec<String> = aws
        .list_distributions()
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(listed.len(), quota, "one entry per distribution");
    let unique: std::collections::BTreeSet<String> = listed.into_iter().collect();
    assert_eq!(unique, created);
}
