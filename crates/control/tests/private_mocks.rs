//! What moto does not serve of public keys, key groups and origin access identities, through
//! the real SDK with `aws-smithy-mocks`: UpdatePublicKey (the comment sent, the new ETag read),
//! UpdateKeyGroup, DeleteKeyGroup, ListCloudFrontOriginAccessIdentities over pages, every page
//! of ListKeyGroups, and CloudFront's refusals mapped to what a person can act on: a stale ETag
//! (412), `PublicKeyInUse`, `ResourceInUse`, `CannotChangeImmutablePublicKeyFields`, and an OAC
//! value this build does not know.

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::operation as op;
use aws_sdk_cloudfront::operation::list_cloud_front_origin_access_identities as list_oais;
use aws_sdk_cloudfront::primitives::DateTime;
use aws_sdk_cloudfront::types as cf;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use cfconsole_control::{Aws, ControlError, ControlPlane};
use cfconsole_model::private::{KeyGroupConfig, PublicKeyConfig};

const RSA: &str = include_str!("../../../fixtures/keys/rsa2048.pub.pem");

/// CloudFront's restXml error body.
fn error_body(code: &str, message: &str) -> Option<String> {
    Some(format!(
        concat!(
            r#"<?xml version="1.0"?>"#,
            r#"<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">"#,
            "<Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error>",
            "<RequestId>req-1</RequestId></ErrorResponse>"
        ),
        code, message
    ))
}

fn rejected_with(e: &ControlError, code: &str) -> bool {
    matches!(e, ControlError::Rejected { code: c, .. } if c == code)
}

fn sdk_key(comment: &str) -> cf::PublicKey {
    cf::PublicKey::builder()
        .id("K2JCJMDEHXQW5F")
        .created_time(DateTime::from_secs(1_800_000_000))
        .public_key_config(
            cf::PublicKeyConfig::builder()
                .caller_reference("ref-1")
                .name("signer")
                .encoded_key(RSA)
                .comment(comment)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn config(comment: &str) -> PublicKeyConfig {
    PublicKeyConfig {
        caller_reference: "ref-1".into(),
        name: "signer".into(),
        encoded_key: RSA.into(),
        comment: Some(comment.into()),
    }
}

fn sdk_group(id: &str, items: &[&str]) -> cf::KeyGroup {
    cf::KeyGroup::builder()
        .id(id)
        .last_modified_time(DateTime::from_secs(1_800_000_000))
        .key_group_config(
            cf::KeyGroupConfig::builder()
                .name(format!("group-{id}"))
                .set_items(Some(items.iter().map(|s| s.to_string()).collect()))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn update_public_key_sends_the_comment_with_if_match_and_reads_the_new_etag() {
    let rule = mock!(Client::update_public_key)
        .match_requests(|r| {
            r.id() == Some("K2JCJMDEHXQW5F")
                && r.if_match() == Some("E1OLD")
                && r.public_key_config().and_then(|c| c.comment()) == Some("rotated")
        })
        .then_output(|| {
            op::update_public_key::UpdatePublicKeyOutput::builder()
                .public_key(sdk_key("rotated"))
                .e_tag("E2NEW")
                .build()
        });
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&rule]));
    let r = aws
        .update_public_key("K2JCJMDEHXQW5F", "E1OLD", config("rotated"))
        .await
        .unwrap();
    assert_eq!(r.etag, "E2NEW");
    assert_eq!(r.config.comment.as_deref(), Some("rotated"));
    assert_eq!(r.created_time, "2027-01-15T08:00:00Z");
}

#[tokio::test]
async fn refusals_are_mapped_to_what_to_do() {
    let stale = mock!(Client::update_public_key)
        .sequence()
        .http_status(412, error_body("PreconditionFailed", "stale"))
        .build();
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&stale]));
    let e = aws
        .update_public_key("K1", "E-STALE", config("c"))
        .await
        .unwrap_err();
    match &e {
        ControlError::PreconditionFailed { sent, what } => {
            assert_eq!((sent.as_str(), what.as_str()), ("E-STALE", "public key K1"));
        }
        other => panic!("expected PreconditionFailed, got {other:?}"),
    }

    let immutable = mock!(Client::update_public_key)
        .sequence()
        .http_status(
            400,
            error_body(
                "CannotChangeImmutablePublicKeyFields",
                "You can't change the key.",
            ),
        )
        .build();
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&immutable]));
    let e = aws
        .update_public_key("K1", "E1", config("c"))
        .await
        .unwrap_err();
    assert!(
        rejected_with(&e, "CannotChangeImmutablePublicKeyFields"),
        "{e:?}"
    );

    let in_use = mock!(Client::delete_public_key)
        .sequence()
        .http_status(
            409,
            error_body("PublicKeyInUse", "The key is in a key group."),
        )
        .build();
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&in_use]));
    let e = aws.delete_public_key("K1", "E1").await.unwrap_err();
    assert!(rejected_with(&e, "PublicKeyInUse"), "{e:?}");
    assert!(e.to_string().contains("The key is in a key group"), "{e}");

    let group_in_use = mock!(Client::delete_key_group)
        .match_requests(|r| r.id() == Some("KG1") && r.if_match() == Some("E1"))
        .sequence()
        .http_status(
            409,
            error_body("ResourceInUse", "Cannot delete this resource."),
        )
        .build();
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&group_in_use]));
    let e = aws.delete_key_group("KG1", "E1").await.unwrap_err();
    assert!(rejected_with(&e, "ResourceInUse"), "{e:?}");

    let missing = mock!(Client::get_key_group)
        .sequence()
        .http_status(
            404,
            error_body("NoSuchResource", "A resource is not valid."),
        )
        .build();
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&missing]));
    let e = aws.get_key_group("KG9").await.unwrap_err();
    assert!(matches!(e, ControlError::NotFound { .. }), "{e:?}");
}

#[tokio::test]
async fn key_groups_are_updated_deleted_and_listed_over_every_page() {
    let update = mock!(Client::update_key_group)
        .match_requests(|r| {
            r.if_match() == Some("E1") && r.key_group_config().map(|c| c.items().len()) == Some(2)
        })
        .then_output(|| {
            op::update_key_group::UpdateKeyGroupOutput::builder()
                .key_group(sdk_group("KG1", &["K1", "K2"]))
                .e_tag("E2")
                .build()
        });
    let delete = mock!(Client::delete_key_group)
        .match_requests(|r| r.id() == Some("KG1") && r.if_match() == Some("E2"))
        .then_output(|| op::delete_key_group::DeleteKeyGroupOutput::builder().build());
    let page = |id: &'static str, next: Option<&'static str>| {
        move || {
            op::list_key_groups::ListKeyGroupsOutput::builder()
                .key_group_list(
                    cf::KeyGroupList::builder()
                        .max_items(1)
                        .quantity(1)
                        .items(
                            cf::KeyGroupSummary::builder()
                                .key_group(sdk_group(id, &["K1"]))
                                .build(),
                        )
                        .set_next_marker(next.map(str::to_string))
                        .build()
                        .unwrap(),
                )
                .build()
        }
    };
    let first = mock!(Client::list_key_groups)
        .match_requests(|r| r.marker().is_none())
        .then_output(page("KG1", Some("m2")));
    let second = mock!(Client::list_key_groups)
        .match_requests(|r| r.marker() == Some("m2"))
        .then_output(page("KG2", None));
    let client = mock_client!(
        aws_sdk_cloudfront,
        RuleMode::MatchAny,
        [&update, &delete, &first, &second]
    );
    let aws = Aws::from_client(client);
    let g = aws
        .update_key_group(
            "KG1",
            "E1",
            KeyGroupConfig {
                name: "group-KG1".into(),
                items: vec!["K1".into(), "K2".into()],
                comment: None,
            },
        )
        .await
        .unwrap();
    assert_eq!((g.etag.as_str(), g.config.items.len()), ("E2", 2));
    aws.delete_key_group("KG1", &g.etag).await.unwrap();
    assert_eq!(delete.num_calls(), 1);
    let all = aws.list_key_groups().await.unwrap();
    let ids: Vec<&str> = all.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["KG1", "KG2"]);
    assert!(
        all.iter().all(|g| g.etag.is_empty()),
        "a listing has no ETags"
    );
}

#[tokio::test]
async fn origin_access_identities_are_listed_over_every_page() {
    let oai = |id: &str| {
        cf::CloudFrontOriginAccessIdentitySummary::builder()
            .id(id)
            .s3_canonical_user_id(format!("canonical-{id}"))
            .comment(format!("bucket {id}"))
            .build()
            .unwrap()
    };
    let page = move |id: &'static str, next: Option<&'static str>| {
        let item = oai(id);
        move || {
            list_oais::ListCloudFrontOriginAccessIdentitiesOutput::builder()
                .cloud_front_origin_access_identity_list(
                    cf::CloudFrontOriginAccessIdentityList::builder()
                        .marker("")
                        .max_items(1)
                        .quantity(1)
                        .is_truncated(next.is_some())
                        .items(item.clone())
                        .set_next_marker(next.map(str::to_string))
                        .build()
                        .unwrap(),
                )
                .build()
        }
    };
    let first = mock!(Client::list_cloud_front_origin_access_identities)
        .match_requests(|r| r.marker().is_none())
        .then_output(page("E74FTE3AEXAMPLE", Some("m2")));
    let second = mock!(Client::list_cloud_front_origin_access_identities)
        .match_requests(|r| r.marker() == Some("m2"))
        .then_output(page("E2OTHEREXAMPLE", None));
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, [&first, &second]);
    let list = Aws::from_client(client)
        .list_origin_access_identities()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].s3_canonical_user_id, "canonical-E74FTE3AEXAMPLE");
    assert_eq!(list[1].comment, "bucket E2OTHEREXAMPLE");
}

#[tokio::test]
async fn an_oac_value_this_build_does_not_know_is_an_error_not_a_default() {
    let rule = mock!(Client::get_origin_access_control).then_output(|| {
        op::get_origin_access_control::GetOriginAccessControlOutput::builder()
            .origin_access_control(
                cf::OriginAccessControl::builder()
                    .id("E1OAC")
                    .origin_access_control_config(
                        cf::OriginAccessControlConfig::builder()
                            .name("future")
                            .signing_protocol(cf::OriginAccessControlSigningProtocols::from(
                                "sigv5",
                            ))
                            .signing_behavior(cf::OriginAccessControlSigningBehaviors::Always)
                            .origin_access_control_origin_type(
                                cf::OriginAccessControlOriginTypes::S3,
                            )
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .e_tag("E1")
            .build()
    });
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&rule]));
    let e = aws.get_origin_access_control("E1OAC").await.unwrap_err();
    assert!(
        matches!(&e, ControlError::Conversion { what, .. } if what == "SigningProtocol"),
        "{e:?}"
    );
    assert!(e.to_string().contains("sigv5"), "{e}");
}
