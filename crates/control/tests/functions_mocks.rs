//! What moto does not serve of CloudFront Functions and key value stores, through the real SDKs
//! with `aws-smithy-mocks`: a stale data-plane ETag (a 409 `ConflictException` there, not a
//! 412), every page of a store's keys with the data-plane ETag, a missing key, and
//! TestFunction's result.

use aws_sdk_cloudfront::types as cf;
use aws_sdk_cloudfrontkeyvaluestore as kvs;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use cfconsole_control::{Aws, ControlError, ControlPlane, Stage};

const ARN: &str =
    "arn:aws:cloudfront::123456789012:key-value-store/8aa76c93-3198-462c-aaf6-000000000000";

fn aws(kvs_rules: &[&aws_smithy_mocks::Rule]) -> Aws {
    let empty: [&aws_smithy_mocks::Rule; 0] = [];
    let cf_client = mock_client!(aws_sdk_cloudfront, empty);
    let client = mock_client!(
        aws_sdk_cloudfrontkeyvaluestore,
        RuleMode::MatchAny,
        kvs_rules
    );
    Aws::from_client(cf_client).with_kvs_client(client)
}

fn describe_output() -> kvs::operation::describe_key_value_store::DescribeKeyValueStoreOutput {
    kvs::operation::describe_key_value_store::DescribeKeyValueStoreOutput::builder()
        .item_count(3)
        .total_size_in_bytes(30)
        .kvs_arn(ARN)
        .created(kvs::primitives::DateTime::from_secs(1_800_000_000))
        .e_tag("KV1F83G8C2ARO7P")
        .build()
        .unwrap()
}

fn item(k: &str, v: &str) -> kvs::types::ListKeysResponseListItem {
    kvs::types::ListKeysResponseListItem::builder()
        .key(k)
        .value(v)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_stale_data_plane_etag_is_a_precondition_failure() {
    let rule = mock!(kvs::Client::update_keys).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(409).unwrap(),
            aws_smithy_types::body::SdkBody::from(
                r#"{"__type":"ConflictException","Message":"Resource is not in expected state"}"#,
            ),
        )
    });
    let e = aws(&[&rule])
        .kvs_update(ARN, "KV-STALE", vec![("k".into(), "v".into())], vec![])
        .await
        .unwrap_err();
    match &e {
        ControlError::PreconditionFailed { sent, .. } => assert_eq!(sent, "KV-STALE"),
        other => panic!("expected PreconditionFailed, got {other:?}"),
    }
    // More than one request's worth is refused before any call.
    let many: Vec<(String, String)> = (0..51).map(|i| (format!("k{i}"), "v".into())).collect();
    let e = aws(&[])
        .kvs_update(ARN, "E", many, vec![])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at most 50"), "{e}");
}

#[tokio::test]
async fn every_page_of_keys_is_read_with_the_data_plane_etag() {
    let describe = mock!(kvs::Client::describe_key_value_store).then_output(describe_output);
    let first = mock!(kvs::Client::list_keys)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            kvs::operation::list_keys::ListKeysOutput::builder()
                .items(item("/a", "1"))
                .items(item("/b", "2"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(kvs::Client::list_keys)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            kvs::operation::list_keys::ListKeysOutput::builder()
                .items(item("/c", "3"))
                .build()
        });
    let got = aws(&[&describe, &first, &second])
        .kvs_items(ARN)
        .await
        .unwrap();
    assert_eq!(got.etag, "KV1F83G8C2ARO7P");
    assert_eq!(got.items.len(), 3);
    assert_eq!(got.items.get("/c"), Some("3"));
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_missing_key_is_none_when_the_store_answers() {
    let get = mock!(kvs::Client::get_key).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(404).unwrap(),
            aws_smithy_types::body::SdkBody::from(
                r#"{"__type":"ResourceNotFoundException","Message":"Key not found"}"#,
            ),
        )
    });
    let describe = mock!(kvs::Client::describe_key_value_store).then_output(describe_output);
    let got = aws(&[&get, &describe]).kvs_get(ARN, "/nope").await.unwrap();
    assert_eq!(got, None);
}

#[tokio::test]
async fn test_function_results_are_read() {
    let rule = mock!(aws_sdk_cloudfront::Client::test_function)
        .match_requests(|r| {
            r.if_match() == Some("ETVABC") && r.stage() == Some(&cf::FunctionStage::Live)
        })
        .then_output(|| {
            aws_sdk_cloudfront::operation::test_function::TestFunctionOutput::builder()
                .test_result(
                    cf::TestResult::builder()
                        .compute_utilization("21")
                        .function_execution_logs("hello")
                        .function_error_message("")
                        .function_output(r#"{"request":{"uri":"/"}}"#)
                        .build(),
                )
                .build()
        });
    let aws = Aws::from_client(mock_client!(aws_sdk_cloudfront, [&rule]));
    let ev = cfconsole_functions::Event::from_json(&serde_json::json!({})).unwrap();
    let t = aws
        .test_function("f", "ETVABC", Stage::Live, ev)
        .await
        .unwrap();
    assert_eq!(t.compute_utilization, 21);
    assert_eq!(t.logs, vec!["hello".to_string()]);
    assert_eq!(t.error, None, "an empty FunctionErrorMessage is no error");
    assert_eq!(t.output, r#"{"request":{"uri":"/"}}"#);
}

fn summary(name: &str, stage: cf::FunctionStage) -> cf::FunctionSummary {
    let assoc = cf::KeyValueStoreAssociation::builder()
        .key_value_store_arn(ARN)
        .build()
        .unwrap();
    cf::FunctionSummary::builder()
        .name(name)
        .status("UNPUBLISHED")
        .function_config(
            cf::FunctionConfig::builder()
                .comment("c")
                .runtime(cf::FunctionRuntime::CloudfrontJs20)
                .key_value_store_associations(
                    cf::KeyValueStoreAssociations::builder()
                        .quantity(1)
                        .items(assoc)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .function_metadata(
            cf::FunctionMetadata::builder()
                .function_arn(format!("arn:aws:cloudfront::123456789012:function/{name}"))
                .stage(stage)
                .last_modified_time(aws_sdk_cloudfront::primitives::DateTime::from_secs(1))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn create_sends_the_store_association_and_list_reads_every_page() {
    let create = mock!(aws_sdk_cloudfront::Client::create_function)
        .match_requests(|r| {
            let c = r.function_config().unwrap();
            let arns: Vec<&str> = c
                .key_value_store_associations()
                .map(|a| a.items().iter().map(|i| i.key_value_store_arn()).collect())
                .unwrap_or_default();
            c.runtime() == &cf::FunctionRuntime::CloudfrontJs20 && arns == [ARN]
        })
        .then_output(|| {
            aws_sdk_cloudfront::operation::create_function::CreateFunctionOutput::builder()
                .function_summary(summary("f", cf::FunctionStage::Development))
                .e_tag("ETVPDKIKX0DER")
                .build()
        });
    let page = |items: Vec<cf::FunctionSummary>, next: Option<&str>| {
        let mut l = cf::FunctionList::builder().max_items(1).quantity(1);
        for i in items {
            l = l.items(i);
        }
        aws_sdk_cloudfront::operation::list_functions::ListFunctionsOutput::builder()
            .function_list(l.set_next_marker(next.map(str::to_string)).build().unwrap())
            .build()
    };
    let first = mock!(aws_sdk_cloudfront::Client::list_functions)
        .match_requests(|r| r.marker().is_none())
        .then_output(move || {
            page(
                vec![summary("f", cf::FunctionStage::Development)],
                Some("m"),
            )
        });
    let second = mock!(aws_sdk_cloudfront::Client::list_functions)
        .match_requests(|r| r.marker() == Some("m"))
        .then_output(move || page(vec![summary("f", cf::FunctionStage::Live)], None));
    let client = mock_client!(
        aws_sdk_cloudfront,
        RuleMode::MatchAny,
        [&create, &first, &second]
    );
    let aws = Aws::from_client(client);
    let code = "function handler(e) { return e.request; }".to_string();
    let rt = cfconsole_functions::Runtime::Js2;
    let r = aws
        .create_function("f", "c", rt, Some(ARN.into()), code)
        .await
        .unwrap();
    assert_eq!(r.kvs_arn.as_deref(), Some(ARN));
    assert_eq!(
        (r.etag.as_str(), r.status.as_str()),
        ("ETVPDKIKX0DER", "UNPUBLISHED")
    );
    let all = aws.list_functions(None).await.unwrap();
    let stages: Vec<Stage> = all.iter().map(|f| f.stage).collect();
    assert_eq!(stages, vec![Stage::Development, Stage::Live]);
}
