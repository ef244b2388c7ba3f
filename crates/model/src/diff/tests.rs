//! Diff tests: small inline configurations and fixture pairs.

use super::*;
use crate::Document;
use serde_json::json;

fn fixture_value(name: &str) -> Value {
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    to_value(&Document::from_json(&text).expect("fixture parses").config)
}

fn lines(changes: &[Change]) -> Vec<String> {
    changes.iter().map(ToString::to_string).collect()
}

fn base() -> Value {
    json!({
        "CallerReference": "ref",
        "Aliases": {"Quantity": 2, "Items": ["www.example.com", "old.example.com"]},
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "media-origin", "DomainName": "media.example.com", "OriginPath": "",
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                    "OriginProtocolPolicy": "https-only"}},
            {"Id": "s3", "DomainName": "b.s3.amazonaws.com",
             "S3OriginConfig": {"OriginAccessIdentity": ""}}
        ]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "s3",
            "ViewerProtocolPolicy": "allow-all",
            "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"],
                               "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}},
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"
        },
        "CacheBehaviors": {"Quantity": 3, "Items": [
            {"PathPattern": "/img/*", "TargetOriginId": "media-origin",
             "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "a"},
            {"PathPattern": "/css/*", "TargetOriginId": "s3",
             "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "a"},
            {"PathPattern": "/js/*", "TargetOriginId": "s3",
             "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "a"}
        ]},
        "CustomErrorResponses": {"Quantity": 1, "Items": [
            {"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "404"}
        ]},
        "Comment": "",
        "Enabled": true
    })
}

#[test]
fn identical_configs_have_no_changes() {
    assert!(diff_values(&base(), &base()).is_empty());
    let v = fixture_value("many-behaviors.json");
    assert!(diff_values(&v, &v).is_empty());
}

#[test]
fn scalar_change_in_a_keyed_item() {
    let mut after = base();
    after["Origins"]["Items"][0]["OriginPath"] = json!("/v2");
    let c = diff_values(&base(), &after);
    assert_eq!(
        lines(&c),
        vec![r#"Origins › media-origin › OriginPath: "" → "/v2""#]
    );
    assert_eq!(c[0].kind, ChangeKind::Changed);
}

#[test]
fn origins_matched_by_id_not_position() {
    let mut after = base();
    let items = after["Origins"]["Items"].as_array_mut().unwrap();
    items.reverse(); // origins' order carries no meaning
    assert!(
        diff_values(&base(), &after).is_empty(),
        "reordered origins are not a change"
    );
}

#[test]
fn behaviors_added_removed_and_moved() {
    let mut after = base();
    let items = after["CacheBehaviors"]["Items"].as_array_mut().unwrap();
    let css = items.remove(1);
    items.push(css); // /css/* moves from 2 to 3 (spec P-1: order matters)
    items.insert(
        2,
        json!({"PathPattern": "/api/*", "TargetOriginId": "media-origin",
               "ViewerProtocolPolicy": "https-only", "CachePolicyId": "b"}),
    );
    items.remove(0); // /img/* removed
    after["CacheBehaviors"]["Quantity"] = json!(3);
    let c = diff_values(&base(), &after);
    assert_eq!(
        lines(&c),
        vec![
            "- CacheBehaviors › /img/* (removed from position 1)",
            "+ CacheBehaviors › /api/* (added at position 2)",
            "~ CacheBehaviors › /css/* moved from position 2 to 3",
        ]
    );
    assert_eq!(c[2].kind, ChangeKind::Moved);
}

#[test]
fn sets_ignore_order_and_name_the_element() {
    let mut after = base();
    after["Aliases"] = json!({"Quantity": 2, "Items": ["new.example.com", "www.example.com"]});
    after["DefaultCacheBehavior"]["AllowedMethods"]["Items"] = json!(["HEAD", "GET", "OPTIONS"]);
    after["DefaultCacheBehavior"]["AllowedMethods"]["Quantity"] = json!(3);
    let c = diff_values(&base(), &after);
    assert_eq!(
        lines(&c),
        vec![
            "- Aliases › old.example.com",
            "+ Aliases › new.example.com",
            "+ DefaultCacheBehavior › AllowedMethods › OPTIONS",
        ]
    );
}

#[test]
fn absent_and_default_differ() {
    let mut after = base();
    after["DefaultCacheBehavior"]["Compress"] = json!(false);
    after["CustomErrorResponses"]["Items"][0]["ErrorCachingMinTTL"] = json!(10);
    let c = diff_values(&base(), &after);
    assert_eq!(
        lines(&c),
        vec![
            "+ DefaultCacheBehavior › Compress: false",
            "+ CustomErrorResponses › 404 › ErrorCachingMinTTL: 10",
        ]
    );
    // `{"Quantity": 0}` and `{"Quantity": 0, "Items": []}` are different documents.
    let mut b = base();
    b["Aliases"] = json!({"Quantity": 0});
    let mut a = base();
    a["Aliases"] = json!({"Quantity": 0, "Items": []});
    assert_eq!(lines(&diff_values(&b, &a)), vec!["+ Aliases › Items: []"]);
}

#[test]
fn quantity_only_when_it_does_not_follow_items() {
    // Fixture pair: the same config with `Aliases.Quantity` 1 for 2 items (I-12).
    let before = fixture_value("spa-with-error-pages.json");
    let after = fixture_value("invalid-quantity-mismatch.json");
    assert_eq!(
        lines(&diff_values(&before, &after)),
        vec!["Aliases › Quantity: 2 → 1"]
    );
    // Items changed and Quantity follows: no Quantity line.
    let mut a = before.clone();
    a["Aliases"]["Items"].as_array_mut().unwrap().pop();
    a["Aliases"]["Quantity"] = json!(1);
    let c = diff_values(&before, &a);
    assert_eq!(c.len(), 1, "{:?}", lines(&c));
    assert_eq!(c[0].kind, ChangeKind::Removed);
}

#[test]
fn origin_group_members_are_ordered() {
    let before = fixture_value("origin-group-failover.json");
    let mut after = before.clone();
    let members = after["OriginGroups"]["Items"][0]["Members"]["Items"]
        .as_array_mut()
        .unwrap();
    members.reverse(); // the failover becomes the primary
    let c = diff_values(&before, &after);
    assert_eq!(c.len(), 1, "{:?}", lines(&c));
    assert_eq!(c[0].kind, ChangeKind::Moved);
    assert!(c[0].path.starts_with("OriginGroups › "), "{}", c[0].path);
    assert!(c[0].path.contains(" › Members › "), "{}", c[0].path);
}

#[test]
fn error_responses_keyed_by_code() {
    let mut after = base();
    after["CustomErrorResponses"] = json!({"Quantity": 2, "Items": [
        {"ErrorCode": 403, "ResponsePagePath": "/403.html", "ResponseCode": "403"},
        {"ErrorCode": 404, "ResponsePagePath": "/index.html", "ResponseCode": "200"}
    ]});
    assert_eq!(
        lines(&diff_values(&base(), &after)),
        vec![
            "+ CustomErrorResponses › 403 (added at position 1)",
            r#"CustomErrorResponses › 404 › ResponsePagePath: "/404.html" → "/index.html""#,
            r#"CustomErrorResponses › 404 › ResponseCode: "404" → "200""#,
        ]
    );
}

#[test]
fn whole_member_added_or_removed() {
    let mut after = base();
    after
        .as_object_mut()
        .unwrap()
        .remove("CustomErrorResponses");
    after["DefaultRootObject"] = json!("index.html");
    let c = diff_values(&base(), &after);
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].kind, ChangeKind::Removed);
    assert_eq!(c[0].path, "CustomErrorResponses");
    assert_eq!(lines(&c)[1], r#"+ DefaultRootObject: "index.html""#);
}

#[test]
fn duplicate_keys_fall_back_to_index() {
    let mut b = base();
    b["CacheBehaviors"]["Items"][1]["PathPattern"] = json!("/img/*");
    let mut a = b.clone();
    a["CacheBehaviors"]["Items"][1]["TargetOriginId"] = json!("media-origin");
    assert_eq!(
        lines(&diff_values(&b, &a)),
        vec![r#"CacheBehaviors › #2 › TargetOriginId: "s3" → "media-origin""#]
    );
}

#[test]
fn typed_configs_and_json_output() {
    let before = Document::from_json(&base().to_string()).unwrap().config;
    let mut v = base();
    v["Origins"]["Items"][0]["OriginPath"] = json!("/v2");
    let after = Document::from_json(&v.to_string()).unwrap().config;
    let c = diff(&before, &after);
    assert_eq!(c.len(), 1);
    let j = serde_json::to_value(&c).unwrap();
    assert_eq!(
        j,
        json!([{"path": "Origins › media-origin › OriginPath", "kind": "changed",
                "before": "", "after": "/v2"}])
    );
    let mut moved = base();
    moved["CacheBehaviors"]["Items"]
        .as_array_mut()
        .unwrap()
        .swap(0, 2);
    let j = serde_json::to_value(diff_values(&base(), &moved)).unwrap();
    assert_eq!(j[0]["kind"], json!("moved"));
    assert!(
        j[0]["before"].is_number() && j[0]["after"].is_number(),
        "{j}"
    );
}

#[test]
fn long_values_are_cut_in_display() {
    let mut after = base();
    after["Comment"] = json!("x".repeat(300));
    let line = lines(&diff_values(&base(), &after)).remove(0);
    assert!(line.ends_with('…'), "{line}");
    assert!(line.chars().count() < 160, "{line}");
}

#[test]
fn moves_are_the_fewest_that_explain_the_new_order() {
    // Against a longest-common-subsequence table: the number of `Moved` is the number of kept
    // items outside a longest common subsequence.
    fn lcs_len(x: &[usize], y: &[usize]) -> usize {
        let mut t = vec![vec![0usize; y.len() + 1]; x.len() + 1];
        for i in (0..x.len()).rev() {
            for j in (0..y.len()).rev() {
                t[i][j] = if x[i] == y[j] {
                    t[i + 1][j + 1] + 1
                } else {
                    t[i + 1][j].max(t[i][j + 1])
                };
            }
        }
        t[0][0]
    }
    let orders: [&[usize]; 6] = [
        &[0, 1, 2, 3, 4, 5],
        &[5, 4, 3, 2, 1, 0],
        &[1, 0, 3, 2, 5, 4],
        &[2, 3, 4, 5, 0, 1],
        &[0, 5, 1, 4, 2, 3],
        &[3, 1, 4, 0, 5, 2],
    ];
    let behaviors = |order: &[usize]| -> Value {
        let items: Vec<Value> = order
            .iter()
            .map(|i| json!({"PathPattern": format!("/p{i}/*"), "TargetOriginId": "s3"}))
            .collect();
        json!({"CacheBehaviors": {"Quantity": items.len(), "Items": items}})
    };
    let before: Vec<usize> = (0..6).collect();
    for after in orders {
        let c = diff_values(&behaviors(&before), &behaviors(after));
        assert!(
            c.iter().all(|c| c.kind == ChangeKind::Moved),
            "{:?}",
            lines(&c)
        );
        assert_eq!(
            c.len(),
            6 - lcs_len(&before, after),
            "{after:?}: {:?}",
            lines(&c)
        );
    }
}

/// Origin custom header values are withheld from a diff unless asked for (#16), whether the
/// value changed or the header or its origin came or went whole.
#[test]
fn header_values_are_withheld_but_their_change_is_said() {
    let before = base();
    let mut after = base();
    let headers = |v: &str| {
        json!({"Quantity": 1, "Items": [{"HeaderName": "X-Origin-Verify",
        "HeaderValue": v}]})
    };
    let mut with_old = before.clone();
    with_old["Origins"]["Items"][0]["CustomHeaders"] = headers("old-s3cr3t");
    after["Origins"]["Items"][0]["CustomHeaders"] = headers("new-s3cr3t");
    let mut changes = diff_values(&with_old, &after);
    assert_eq!(changes.len(), 1, "{:?}", lines(&changes));
    assert!(
        lines(&changes)[0].contains("new-s3cr3t"),
        "shown when not withheld"
    );
    assert!(changes[0].withhold_secrets());
    let text = lines(&changes).join("\n");
    assert!(
        text.ends_with("HeaderValue: changed (value withheld)"),
        "{text}"
    );
    assert!(!text.contains("s3cr3t"), "{text}");
    let json = serde_json::to_string(&changes).unwrap();
    assert!(
        !json.contains("s3cr3t") && json.contains("\"withheld\":true"),
        "{json}"
    );

    // A header added whole, and an origin removed whole with its header.
    let mut changes = diff_values(&before, &after);
    changes.extend(diff_values(&after, &{
        let mut v = after.clone();
        v["Origins"]["Items"].as_array_mut().unwrap().remove(0);
        v["Origins"]["Quantity"] = json!(1);
        v
    }));
    assert!(lines(&changes).join("\n").contains("new-s3cr3t"));
    for c in &mut changes {
        c.withhold_secrets();
    }
    let text = lines(&changes).join("\n");
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(text.contains(WITHHELD), "{text}");
    // Nothing else is touched.
    let mut other = diff_values(&before, &{
        let mut v = before.clone();
        v["Comment"] = json!("HeaderValue");
        v
    });
    assert!(!other[0].withhold_secrets());
}
