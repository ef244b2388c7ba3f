//! Public keys, key groups and origin access controls on the Aws backend against a moto server
//! (the pinned 5.2.6): public keys create, get, list and delete; key groups create, get and
//! list; origin access controls create, get, list, update and delete. What moto lacks
//! (UpdatePublicKey, UpdateKeyGroup, DeleteKeyGroup, ListCloudFrontOriginAccessIdentities,
//! CloudFront's refusals and stale ETags) is covered with aws-smithy-mocks in
//! `private_mocks.rs`.
//!
//! Skipped without moto (except under `CI=true`, where a missing moto fails).

use aws_sdk_cloudfront::config::{BehaviorVersion, Credentials, Region};
use cfconsole_control::{Aws, ControlError, ControlPlane};
use cfconsole_model::private::{
    KeyGroupConfig, OacOriginType, OriginAccessControlConfig, PublicKeyConfig, SigningBehavior,
    SigningProtocol,
};
use cfconsole_testkit::Moto;

const RSA: &str = include_str!("../../../fixtures/keys/rsa2048.pub.pem");

fn backend(moto: &Moto) -> Aws {
    let conf = aws_sdk_cloudfront::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(format!("http://127.0.0.1:{}", moto.port()))
        .build();
    Aws::from_client(aws_sdk_cloudfront::Client::from_conf(conf))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_keys_and_key_groups_are_created_read_listed_and_deleted_against_moto() {
    let Some(moto) = Moto::start() else { return };
    let aws = backend(&moto);
    let k = aws
        .create_public_key(PublicKeyConfig {
            caller_reference: "ref-1".into(),
            name: "signer".into(),
            encoded_key: RSA.into(),
            comment: None,
        })
        .await
        .expect("create public key");
    assert!(!k.id.is_empty());
    assert!(!k.etag.is_empty());
    assert_eq!(k.config.name, "signer");
    assert_eq!(k.config.encoded_key.trim(), RSA.trim());
    let got = aws.get_public_key(&k.id).await.expect("get public key");
    assert_eq!(
        (got.id.as_str(), got.config.name.as_str()),
        (k.id.as_str(), "signer")
    );
    assert!(!got.etag.is_empty());
    let list = aws.list_public_keys().await.expect("list public keys");
    assert!(
        list.iter().any(|l| l.id == k.id && l.etag.is_empty()),
        "{list:?}"
    );

    let g = aws
        .create_key_group(KeyGroupConfig {
            name: "signers".into(),
            items: vec![k.id.clone()],
            comment: None,
        })
        .await
        .expect("create key group");
    assert_eq!(g.config.items, std::slice::from_ref(&k.id));
    assert!(!g.etag.is_empty());
    let got = aws.get_key_group(&g.id).await.expect("get key group");
    assert_eq!(got.config.name, "signers");
    let groups = aws.list_key_groups().await.expect("list key groups");
    assert!(groups.iter().any(|l| l.id == g.id), "{groups:?}");

    let other = aws
        .create_public_key(PublicKeyConfig {
            caller_reference: "ref-2".into(),
            name: "spare".into(),
            encoded_key: RSA.into(),
            comment: Some("c".into()),
        })
        .await
        .expect("second key");
    aws.delete_public_key(&other.id, &other.etag)
        .await
        .expect("delete public key");
    // moto 5.2.6 answers GetPublicKey of a deleted key with a 500, not CloudFront's 404
    // NoSuchPublicKey: the list says it is gone.
    let list = aws.list_public_keys().await.expect("list again");
    assert!(!list.iter().any(|l| l.id == other.id), "{list:?}");
    assert!(list.iter().any(|l| l.id == k.id), "{list:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_access_controls_are_created_read_listed_updated_and_deleted_against_moto() {
    let Some(moto) = Moto::start() else { return };
    let aws = backend(&moto);
    let config = OriginAccessControlConfig {
        name: "bucket".into(),
        description: "the site's bucket".into(),
        signing_protocol: SigningProtocol::Sigv4,
        signing_behavior: SigningBehavior::Always,
        origin_type: OacOriginType::S3,
    };
    let o = aws
        .create_origin_access_control(config.clone())
        .await
        .expect("create");
    assert_eq!(o.config, config);
    assert!(!o.etag.is_empty());
    let got = aws.get_origin_access_control(&o.id).await.expect("get");
    assert_eq!(got.config, config);
    let list = aws.list_origin_access_controls().await.expect("list");
    assert!(
        list.iter().any(|l| l.id == o.id && l.config == config),
        "{list:?}"
    );
    let mut changed = config.clone();
    changed.signing_behavior = SigningBehavior::NoOverride;
    let up = aws
        .update_origin_access_control(&o.id, &got.etag, changed.clone())
        .await
        .expect("update");
    assert_eq!(up.config.signing_behavior, SigningBehavior::NoOverride);
    aws.delete_origin_access_control(&o.id, &up.etag)
        .await
        .expect("delete");
    let e = aws.get_origin_access_control(&o.id).await.unwrap_err();
    assert!(matches!(e, ControlError::NotFound { .. }), "{e:?}");
}
