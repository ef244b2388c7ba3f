//! What moto does not model, tested through the real SDK with `aws-smithy-mocks`: a 412 on a
//! stale ETag, an invalidation moving from InProgress to Completed, throttling retried, error
//! codes mapped to what a person can act on, and the policy calls (moto does not serve policies).

use std::time::Duration;

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::operation::create_cache_policy::CreateCachePolicyOutput;
use aws_sdk_cloudfront::operation::get_cache_policy::GetCachePolicyOutput;
use aws_sdk_cloudfront::operation::get_invalidation::GetInvalidationOutput;
use aws_sdk_cloudfront::operation::list_cache_policies::ListCachePoliciesOutput;
use aws_sdk_cloudfront::operation::update_cache_policy::UpdateCachePolicyOutput;
use aws_sdk_cloudfront::primitives::DateTime;
use aws_sdk_cloudfront::types as s;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use cfconsole_control::poll::{self, CancelToken, Event, Followed, Schedule};
use cfconsole_control::{Aws, ControlError, ControlPlane, PolicyConfig, PolicyKind};
use cfconsole_model::{CachePolicyConfig, DistributionConfig, Document};

/// Whether an error is the expected variant.
type Check = fn(&ControlError) -> bool;

/// A refusal with CloudFront's `code`.
fn rejected_with(e: &ControlError, code: &str) -> bool {
    matches!(e, ControlError::Rejected { code: c, .. } if c == code)
}

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

fn sample() -> DistributionConfig {
    Document::from_json(include_str!(
        "../../../assets/sample-workspace/sample-distribution.json"
    ))
    .expect("sample parses")
    .config
}

fn invalidation(status: &str) -> s::Invalidation {
    s::Invalidation::builder()
        .id("I2J0I21PCUYOIK")
        .status(status)
        .create_time(DateTime::from_secs(1_800_000_000))
        .invalidation_batch(
            s::InvalidationBatch::builder()
                .paths(
                    s::Paths::builder()
                        .quantity(1)
                        .items("/index.html")
                        .build()
                        .unwrap(),
                )
                .caller_reference("ref-1")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn cache_policy(id: &str, name: &str, min_ttl: i64) -> s::CachePolicy {
    s::CachePolicy::builder()
        .id(id)
        .last_modified_time(DateTime::from_secs(1_800_000_000))
        .cache_policy_config(
            s::CachePolicyConfig::builder()
                .name(name)
                .min_ttl(min_ttl)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn stale_etag_412_is_precondition_failed() {
    let rule = mock!(Client::update_distribution)
        .match_requests(|r| r.if_match() == Some("E-STALE"))
        .sequence()
        .http_status(
            412,
            error_body(
                "PreconditionFailed",
                "The precondition given in one or more of the request-header fields evaluated to \
                    false.",
            ),
        )
        .build();
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&rule]));
    let err = aws
        .update_distribution("E123", sample(), "E-STALE")
        .await
        .unwrap_err();
    match &err {
        ControlError::PreconditionFailed { what, sent } => {
            assert_eq!(what, "distribution E123");
            assert_eq!(sent, "E-STALE");
        }
        other => panic!("expected PreconditionFailed, got {other:?}"),
    }
    assert!(err.to_string().contains("reload"), "{err}");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn invalidation_is_followed_from_in_progress_to_completed() {
    let rule = mock!(Client::get_invalidation)
        .sequence()
        .output(|| {
            GetInvalidationOutput::builder()
                .invalidation(invalidation("InProgress"))
                .build()
        })
        .times(3)
        .output(|| {
            GetInvalidationOutput::builder()
                .invalidation(invalidation("Completed"))
                .build()
        })
        .build();
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&rule]));
    let mut events = Vec::new();
    let out = poll::wait_completed(
        &aws,
        "E123",
        "I2J0I21PCUYOIK",
        Schedule::default(),
        &CancelToken::new(),
        |e| events.push(e),
    )
    .await
    .unwrap();
    let Followed::Done(inv) = out else {
        panic!("not cancelled")
    };
    assert_eq!(inv.status, "Completed");
    assert_eq!(inv.invalidation_batch.paths.items(), ["/index.html"]);
    assert_eq!(
        events,
        vec![
            Event::Status("InProgress".into()),
            Event::Status("Completed".into())
        ]
    );
    assert_eq!(rule.num_calls(), 4, "polled until Completed, then stopped");
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_then_succeeds() {
    let rule = mock!(Client::get_invalidation)
        .sequence()
        .http_status(400, error_body("Throttling", "Rate exceeded"))
        .times(2)
        .output(|| {
            GetInvalidationOutput::builder()
                .invalidation(invalidation("Completed"))
                .build()
        })
        .build();
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, [&rule], |c| c
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(1))
        ));
    let aws = Aws::from_client(client);
    let inv = aws
        .get_invalidation("E123", "I2J0I21PCUYOIK")
        .await
        .unwrap();
    assert_eq!(inv.status, "Completed");
    assert_eq!(rule.num_calls(), 3, "two throttled attempts, then success");
}

#[tokio::test]
async fn throttling_that_persists_is_reported_as_throttling() {
    let rule = mock!(Client::get_invalidation)
        .sequence()
        .http_status(400, error_body("Throttling", "Rate exceeded"))
        .repeatedly()
        .build();
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, [&rule], |c| c
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
        ));
    let err = Aws::from_client(client)
        .get_invalidation("E123", "I1")
        .await
        .unwrap_err();
    assert!(matches!(err, ControlError::Throttling { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn error_codes_become_actionable_variants() {
    let cases: Vec<(&str, u16, Check)> = vec![
        (
            "DistributionNotDisabled",
            409,
            |e| matches!(e, ControlError::DistributionNotDisabled { id } if id == "E123"),
        ),
        (
            "AccessDenied",
            403,
            |e| matches!(e, ControlError::AccessDenied { region, .. } if region == "us-east-1"),
        ),
        ("NoSuchDistribution", 404, |e| {
            matches!(e, ControlError::NotFound { .. })
        }),
    ];
    for (code, status, check) in cases {
        let rule = mock!(Client::delete_distribution)
            .sequence()
            .http_status(status, error_body(code, "message from CloudFront"))
            .build();
        let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&rule]));
        let err = aws.delete_distribution("E123", "E1").await.unwrap_err();
        assert!(check(&err), "{code} became {err:?}");
    }
    let cases: Vec<(&str, Check)> = vec![
        ("TooManyInvalidationsInProgress", |e| {
            matches!(e, ControlError::TooManyInvalidationsInProgress { .. })
        }),
        ("InvalidationBatchAlreadyExists", |e| {
            matches!(e, ControlError::InvalidationBatchAlreadyExists { caller_reference }
                if caller_reference == "r")
        }),
    ];
    for (code, check) in cases {
        let rule = mock!(Client::create_invalidation)
            .sequence()
            .http_status(400, error_body(code, "message from CloudFront"))
            .build();
        let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&rule]));
        let batch = cfconsole_model::InvalidationBatch {
            paths: cfconsole_model::List::new(vec!["/a".into()]),
            caller_reference: "r".into(),
        };
        let err = aws.create_invalidation("E123", batch).await.unwrap_err();
        assert!(check(&err), "{code} became {err:?}");
    }
    let cases: Vec<(&str, Check)> = vec![
        ("CNAMEAlreadyExists", |e| {
            matches!(e, ControlError::CnameAlreadyExists { .. })
        }),
        ("InvalidViewerCertificate", |e| {
            matches!(e, ControlError::InvalidViewerCertificate { .. })
        }),
        ("InvalidOriginReadTimeout", |e| {
            rejected_with(e, "InvalidOriginReadTimeout")
        }),
    ];
    for (code, check) in cases {
        let rule = mock!(Client::create_distribution)
            .sequence()
            .http_status(400, error_body(code, "message from CloudFront"))
            .build();
        let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&rule]));
        let err = aws.create_distribution(sample()).await.unwrap_err();
        assert!(check(&err), "{code} became {err:?}");
    }
}

#[tokio::test]
async fn policies_list_with_paging_get_create_and_update() {
    let list = mock!(Client::list_cache_policies)
        .match_requests(|r| r.r#type() == Some(&s::CachePolicyType::Custom))
        .sequence()
        .output(|| {
            ListCachePoliciesOutput::builder()
                .cache_policy_list(
                    s::CachePolicyList::builder()
                        .max_items(1)
                        .quantity(1)
                        .next_marker("page-2")
                        .items(
                            s::CachePolicySummary::builder()
                                .r#type(s::CachePolicyType::Custom)
                                .cache_policy(cache_policy("p1", "one", 1))
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        })
        .output(|| {
            ListCachePoliciesOutput::builder()
                .cache_policy_list(
                    s::CachePolicyList::builder()
                        .max_items(1)
                        .quantity(1)
                        .items(
                            s::CachePolicySummary::builder()
                                .r#type(s::CachePolicyType::Custom)
                                .cache_policy(cache_policy("p2", "two", 2))
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        })
        .build();
    let get = mock!(Client::get_cache_policy).then_compute_output(|r| {
        let id = r.id().unwrap_or_default().to_string();
        GetCachePolicyOutput::builder()
            .e_tag(format!("ETAG-{id}"))
            .cache_policy(cache_policy(&id, if id == "p1" { "one" } else { "two" }, 1))
            .build()
    });
    let create = mock!(Client::create_cache_policy)
        .match_requests(|r| r.cache_policy_config().is_some_and(|c| c.name() == "three"))
        .then_output(|| {
            CreateCachePolicyOutput::builder()
                .e_tag("ETAG-p3")
                .cache_policy(cache_policy("p3", "three", 3))
                .build()
        });
    let update = mock!(Client::update_cache_policy)
        .match_requests(|r| r.if_match() == Some("ETAG-p3") && r.id() == Some("p3"))
        .then_output(|| {
            UpdateCachePolicyOutput::builder()
                .e_tag("ETAG-p3-v2")
                .cache_policy(cache_policy("p3", "three", 30))
                .build()
        });
    let aws = Aws::from_client(mock_client!(
        aws_sdk_cloudfront,
        RuleMode::MatchAny,
        [&list, &get, &create, &update]
    ));

    let all = aws.list_policies(PolicyKind::Cache).await.unwrap();
    let ids: Vec<(&str, &str)> = all
        .iter()
        .map(|p| (p.id.as_str(), p.etag.as_str()))
        .collect();
    assert_eq!(
        ids,
        [("p1", "ETAG-p1"), ("p2", "ETAG-p2")],
        "both pages, each with its ETag"
    );
    assert_eq!(list.num_calls(), 2);

    let one = aws.get_policy(PolicyKind::Cache, "p1").await.unwrap();
    assert_eq!(one.config.name(), "one");

    let created = aws
        .create_policy(PolicyConfig::Cache(CachePolicyConfig {
            name: "three".into(),
            min_ttl: 3,
            ..Default::default()
        }))
        .await
        .unwrap();
    assert_eq!(
        (created.id.as_str(), created.etag.as_str()),
        ("p3", "ETAG-p3")
    );

    let PolicyConfig::Cache(mut cfg) = created.config else {
        panic!("a cache policy")
    };
    cfg.min_ttl = 30;
    let updated = aws
        .update_policy("p3", PolicyConfig::Cache(cfg), &created.etag)
        .await
        .unwrap();
    assert_eq!(updated.etag, "ETAG-p3-v2");
    assert_eq!(update.num_calls(), 1);
}
