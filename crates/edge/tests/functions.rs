//! CloudFront Functions in the pipeline, property-tested (spec CF-5, CF-8, CF-9): whatever a
//! viewer-request or viewer-response function returns, the viewer gets a well-formed HTTP
//! response (parsed by hyper's client), and a result CloudFront cannot use is its 503 (or 502
//! for a header functions may not set); the edge keeps serving.

mod common;

use std::sync::Arc;

use cfconsole_edge::functions::{EdgeFunction, FunctionSet};
use cfconsole_functions::{Runtime, compile};
use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};

fn set(name: &str, code: &str) -> Arc<FunctionSet> {
    let mut s = FunctionSet::default();
    s.insert(EdgeFunction {
        name: name.into(),
        function: compile(name, Runtime::Js2, code).expect("code checks"),
        kvs: None,
    });
    Arc::new(s)
}

fn with(event: &str) -> Value {
    config(
        json!({"FunctionAssociations": {"Quantity": 1, "Items": [{
            "FunctionARN": "arn:aws:cloudfront::123456789012:function/f",
            "EventType": event}]}}),
        json!({}),
    )
}

/// JSON a function might return: scalars, and objects biased toward the request and response
/// shapes (statusCode, headers, uri, cookies, body) with arbitrary members.
fn result() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        prop::sample::select(vec![100, 200, 204, 301, 302, 404, 503, 599, 600, 99])
            .prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        prop::sample::select(vec!["/", "/a", "a", "/x y", "/\u{1}", "https://e/"])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        let key = prop::sample::select(vec![
            "statusCode",
            "statusDescription",
            "headers",
            "cookies",
            "body",
            "uri",
            "querystring",
            "method",
            "value",
            "multiValue",
            "data",
            "encoding",
            "location",
            "x-amz-cf-id",
            "host",
            "set-cookie",
            "attributes",
            "bad name",
            "content-type",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.into(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn whatever_a_function_returns_the_viewer_gets_a_well_formed_response(
        value in result(),
        event in prop::sample::select(vec!["viewer-request", "viewer-response"]),
        merge_into_input in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let origin = Origin::start(|_| Scripted::ok("origin body")).await;
            let e = edge_with(
                with(event),
                &[("o1", cfconsole_edge::Override::parse(&origin.url()).unwrap())],
                |c| c.functions = Some(set("f", "function handler(e) { return e.request; }")),
            )
            .await;
            let literal = value.to_string();
            // Either the value itself, or the event's own object with the value's members on
            // top (closer to what real functions return).
            let code = if merge_into_input {
                let target = if event == "viewer-request" { "e.request" } else { "e.response" };
                format!("function handler(e) {{ return Object.assign({target}, {literal}); }}")
            } else {
                format!("function handler(e) {{ return {literal}; }}")
            };
            e.edge.control().set_functions(Some(set("f", &code))).expect("swaps");
            let r = e.get("/thing").await;
            match r.status {
                503 | 502 => assert_eq!(
                    r.x_cache(), "FunctionExecutionError from cloudfront", "{code}"
                ),
                s => assert!((100..=599).contains(&s), "{code}: {s}"),
            }
            // The edge still serves.
            e.edge.control().set_functions(None).expect("swaps");
            let after = e.get("/thing").await;
            assert_eq!(after.status, 200);
        });
    }
}
