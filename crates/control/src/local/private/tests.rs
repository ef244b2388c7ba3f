//! Public keys, key groups, origin access controls and origin access identities in the local
//! workspace: files, ETags, and CloudFront's refusals.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use cfconsole_model::private::{
    KeyGroupConfig, OacOriginType, OriginAccessControlConfig, PublicKeyConfig, SigningBehavior,
    SigningProtocol,
};
use cfconsole_model::{Document, List, TrustedKeyGroups};

use super::super::{LocalWorkspace, ManualClock, SAMPLE_DISTRIBUTION, Timings};
use crate::error::ControlError;
use crate::plane::ControlPlane;

const RSA: &str = include_str!("../../../../../fixtures/keys/rsa2048.pub.pem");
const EC: &str = include_str!("../../../../../fixtures/keys/ecdsa-p256.pub.pem");
const RSA1024: &str = include_str!("../../../../../fixtures/keys/rsa1024.pub.pem");

fn workspace() -> (tempfile::TempDir, LocalWorkspace) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ));
    let ws = LocalWorkspace::open_with(dir.path().join("ws"), clock, Timings::default()).unwrap();
    (dir, ws)
}

fn code(e: ControlError) -> String {
    match e {
        ControlError::Rejected { code, .. } => code,
        other => format!("{other:?}"),
    }
}

fn key(name: &str, pem: &str) -> PublicKeyConfig {
    PublicKeyConfig {
        caller_reference: format!("ref-{name}"),
        name: name.into(),
        encoded_key: pem.into(),
        comment: Some("for tests".into()),
    }
}

fn group(name: &str, keys: &[&str]) -> KeyGroupConfig {
    KeyGroupConfig {
        name: name.into(),
        items: keys.iter().map(|k| k.to_string()).collect(),
        comment: None,
    }
}

fn oac(name: &str) -> OriginAccessControlConfig {
    OriginAccessControlConfig {
        name: name.into(),
        description: "bucket access".into(),
        signing_protocol: SigningProtocol::Sigv4,
        signing_behavior: SigningBehavior::Always,
        origin_type: OacOriginType::S3,
    }
}

fn config(caller_reference: &str) -> cfconsole_model::DistributionConfig {
    let mut c = Document::from_json(SAMPLE_DISTRIBUTION).unwrap().config;
    c.caller_reference = caller_reference.into();
    c
}

fn trusting(c: &mut cfconsole_model::DistributionConfig, group_id: &str) {
    c.default_cache_behavior.trusted_key_groups = Some(TrustedKeyGroups {
        enabled: true,
        quantity: 1,
        items: Some(vec![group_id.into()]),
    });
}

#[tokio::test]
async fn public_keys_are_files_with_etags_and_only_their_comment_changes() {
    let (_d, ws) = workspace();
    let rsa = ws.create_public_key(key("rsa", RSA)).await.unwrap();
    let ec = ws.create_public_key(key("ec", EC)).await.unwrap();
    assert!(rsa.id.starts_with('K') && rsa.id.len() == 14, "{}", rsa.id);
    assert!(
        ws.root()
            .join(format!("public-keys/{}.json", rsa.id))
            .is_file()
    );
    assert_eq!(ws.get_public_key(&ec.id).await.unwrap(), ec);
    let names: Vec<String> = ws
        .list_public_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.config.name)
        .collect();
    assert_eq!(names.len(), 2);

    let mut c = rsa.config.clone();
    c.comment = Some("rotated in 2027".into());
    let up = ws
        .update_public_key(&rsa.id, &rsa.etag, c.clone())
        .await
        .unwrap();
    assert_ne!(up.etag, rsa.etag, "a new ETag on every update");
    assert_eq!(up.config.comment.as_deref(), Some("rotated in 2027"));
    let e = ws
        .update_public_key(&rsa.id, &rsa.etag, c.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(e, ControlError::PreconditionFailed { .. }),
        "{e:?}"
    );

    let mut other = c.clone();
    other.encoded_key = EC.into();
    let e = ws
        .update_public_key(&rsa.id, &up.etag, other)
        .await
        .unwrap_err();
    assert_eq!(code(e), "CannotChangeImmutablePublicKeyFields");
    let mut renamed = c.clone();
    renamed.name = "renamed".into();
    let e = ws
        .update_public_key(&rsa.id, &up.etag, renamed)
        .await
        .unwrap_err();
    assert_eq!(code(e), "IllegalUpdate");

    let e = ws.create_public_key(key("rsa", EC)).await.unwrap_err();
    assert_eq!(code(e), "PublicKeyAlreadyExists");
    let e = ws
        .create_public_key(key("small", RSA1024))
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert_eq!(code(e), "InvalidArgument");
    assert!(
        msg.contains("PublicKeyConfig.EncodedKey") && msg.contains("RSA 1024"),
        "{msg}"
    );

    let e = ws.delete_public_key(&ec.id, "stale").await.unwrap_err();
    assert!(
        matches!(e, ControlError::PreconditionFailed { .. }),
        "{e:?}"
    );
    ws.delete_public_key(&ec.id, &ec.etag).await.unwrap();
    assert!(matches!(
        ws.get_public_key(&ec.id).await.unwrap_err(),
        ControlError::NotFound { .. }
    ));
    assert!(matches!(
        ws.get_public_key("../distributions/E1SAMPLE000001")
            .await
            .unwrap_err(),
        ControlError::NotFound { .. }
    ));
}

#[tokio::test]
async fn public_keys_stop_at_the_account_quota() {
    let (_d, ws) = workspace();
    for i in 0..10 {
        ws.create_public_key(key(&format!("k{i}"), EC))
            .await
            .unwrap();
    }
    let e = ws.create_public_key(key("k10", EC)).await.unwrap_err();
    assert_eq!(code(e), "TooManyPublicKeys");
}

#[tokio::test]
async fn key_groups_hold_existing_keys_and_keep_them_and_themselves_from_deletion() {
    let (_d, ws) = workspace();
    let k = ws.create_public_key(key("rsa", RSA)).await.unwrap();
    let e = ws
        .create_key_group(group("signers", &["KNOSUCHKEY0000"]))
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert_eq!(code(e), "InvalidArgument");
    assert!(msg.contains("no public key KNOSUCHKEY0000"), "{msg}");
    let e = ws
        .create_key_group(group("signers", &[]))
        .await
        .unwrap_err();
    assert_eq!(code(e), "InvalidArgument");
    let six = [k.id.as_str(); 6];
    let e = ws
        .create_key_group(group("signers", &six))
        .await
        .unwrap_err();
    assert_eq!(code(e), "TooManyPublicKeysInKeyGroup");

    let g = ws
        .create_key_group(group("signers", &[&k.id]))
        .await
        .unwrap();
    assert!(
        ws.root()
            .join(format!("key-groups/{}.json", g.id))
            .is_file()
    );
    assert_eq!(
        ws.list_key_groups().await.unwrap(),
        std::slice::from_ref(&g)
    );
    let e = ws
        .create_key_group(group("signers", &[&k.id]))
        .await
        .unwrap_err();
    assert_eq!(code(e), "KeyGroupAlreadyExists");

    let e = ws.delete_public_key(&k.id, &k.etag).await.unwrap_err();
    let msg = e.to_string();
    assert_eq!(code(e), "PublicKeyInUse");
    assert!(msg.contains(&g.id), "names the key group: {msg}");

    let ec = ws.create_public_key(key("ec", EC)).await.unwrap();
    let up = ws
        .update_key_group(&g.id, &g.etag, group("signers", &[&k.id, &ec.id]))
        .await
        .unwrap();
    assert_ne!(up.etag, g.etag);
    assert_eq!(up.config.items.len(), 2);
    let e = ws
        .update_key_group(&g.id, &g.etag, group("signers", &[&k.id]))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ControlError::PreconditionFailed { .. }),
        "{e:?}"
    );

    let mut c = config("trusts");
    trusting(&mut c, &g.id);
    let d = ws.create_distribution(c).await.unwrap();
    let e = ws.delete_key_group(&g.id, &up.etag).await.unwrap_err();
    let msg = e.to_string();
    assert_eq!(code(e), "ResourceInUse");
    assert!(
        msg.contains(&d.distribution.id),
        "names the distribution: {msg}"
    );

    let mut c = d.distribution.distribution_config.clone();
    c.default_cache_behavior.trusted_key_groups = None;
    ws.update_distribution(&d.distribution.id, c, &d.etag)
        .await
        .unwrap();
    ws.delete_key_group(&g.id, &up.etag).await.unwrap();
    ws.delete_public_key(&k.id, &k.etag).await.unwrap();
}

#[tokio::test]
async fn origin_access_controls_have_unique_names_and_stay_while_an_origin_uses_them() {
    let (_d, ws) = workspace();
    let o = ws
        .create_origin_access_control(oac("bucket"))
        .await
        .unwrap();
    assert!(
        ws.root()
            .join(format!("origin-access-controls/{}.json", o.id))
            .is_file()
    );
    let e = ws
        .create_origin_access_control(oac("bucket"))
        .await
        .unwrap_err();
    assert_eq!(code(e), "OriginAccessControlAlreadyExists");
    let e = ws
        .create_origin_access_control(oac(&"n".repeat(65)))
        .await
        .unwrap_err();
    assert_eq!(code(e), "InvalidArgument");

    let mut c = oac("bucket");
    c.signing_behavior = SigningBehavior::NoOverride;
    let up = ws
        .update_origin_access_control(&o.id, &o.etag, c.clone())
        .await
        .unwrap();
    assert_ne!(up.etag, o.etag);
    assert_eq!(ws.get_origin_access_control(&o.id).await.unwrap(), up);
    let e = ws
        .update_origin_access_control(&o.id, &o.etag, c)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ControlError::PreconditionFailed { .. }),
        "{e:?}"
    );

    let mut d = config("with-oac");
    d.origins.items_mut()[0].origin_access_control_id = Some(o.id.clone());
    let d = ws.create_distribution(d).await.unwrap();
    let e = ws
        .delete_origin_access_control(&o.id, &up.etag)
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert_eq!(code(e), "OriginAccessControlInUse");
    assert!(msg.contains(&d.distribution.id), "{msg}");
    assert_eq!(ws.list_origin_access_controls().await.unwrap().len(), 1);
}

#[tokio::test]
async fn distributions_naming_what_the_workspace_lacks_are_refused() {
    let (_d, ws) = workspace();
    let mut c = config("no-group");
    trusting(&mut c, "00000000-0000-4000-a000-000000000000");
    let e = ws.create_distribution(c).await.unwrap_err();
    let msg = e.to_string();
    assert_eq!(code(e), "TrustedKeyGroupDoesNotExist");
    assert!(
        msg.contains("DefaultCacheBehavior.TrustedKeyGroups.Items[0]")
            && msg.contains("no key group 00000000-0000-4000-a000-000000000000"),
        "{msg}"
    );

    let mut c = config("no-oac");
    c.origins.items_mut()[0].origin_access_control_id = Some("E2NOSUCHOAC000".into());
    let e = ws.create_distribution(c).await.unwrap_err();
    assert_eq!(code(e), "NoSuchOriginAccessControl");

    // The seeded distribution, updated to associate a function the workspace lacks.
    let rec = ws.get_distribution("E1SAMPLE000001").await.unwrap();
    let mut c = rec.distribution.distribution_config.clone();
    c.default_cache_behavior.function_associations =
        Some(List::new(vec![cfconsole_model::FunctionAssociation {
            function_arn: "arn:aws:cloudfront::000000000000:function/nope".into(),
            event_type: cfconsole_model::EventType::ViewerRequest,
        }]));
    let e = ws
        .update_distribution("E1SAMPLE000001", c, &rec.etag)
        .await
        .unwrap_err();
    assert_eq!(code(e), "NoSuchFunctionExists");
    // Nothing was written.
    assert_eq!(
        ws.get_distribution("E1SAMPLE000001").await.unwrap().etag,
        rec.etag
    );
}

#[tokio::test]
async fn origin_access_identities_are_listed_from_their_folder() {
    let (_d, ws) = workspace();
    assert!(ws.list_origin_access_identities().await.unwrap().is_empty());
    let dir = ws.root().join("origin-access-identities");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("E74FTE3AEXAMPLE.json"),
        r#"{"ETag": "E2QWRUHEXAMPLE", "CloudFrontOriginAccessIdentity": {
            "Id": "E74FTE3AEXAMPLE", "S3CanonicalUserId": "cd13868f797c227fbea2830611a26fe0",
            "CloudFrontOriginAccessIdentityConfig": {"CallerReference": "r", "Comment": "old"}}}"#,
    )
    .unwrap();
    let list = ws.list_origin_access_identities().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, "E74FTE3AEXAMPLE");
    assert_eq!(list[0].comment, "old");
    assert_eq!(
        list[0].s3_canonical_user_id,
        "cd13868f797c227fbea2830611a26fe0"
    );
}
