//! Hostile sizes: `validate` and `diff` grow about linearly with list length (hundreds of
//! thousands of behaviors or aliases are far past CloudFront's quotas, but such files exist and
//! must not stall the app). Each check times a size and four times that size, taking the best of
//! three runs: linear work grows about 4 times, quadratic work 16 times.

use std::time::{Duration, Instant};

use cfconsole_model::{DistributionConfig, Document, diff::diff, validate};
use serde_json::{Value, json};

/// A valid configuration with `behaviors` distinct cache behaviors and `aliases` aliases.
fn big(behaviors: usize, aliases: usize) -> DistributionConfig {
    let text =
        std::fs::read_to_string(cfconsole_testkit::fixture("spa-with-error-pages.json")).unwrap();
    let mut c: Value = serde_json::from_str(&text).unwrap();
    let default = c["DefaultCacheBehavior"].clone();
    let items: Vec<Value> = (0..behaviors)
        .map(|i| {
            let mut b = default.clone();
            b["PathPattern"] = json!(format!("/p{i}/*"));
            b
        })
        .collect();
    c["CacheBehaviors"] = json!({"Quantity": items.len(), "Items": items});
    let names: Vec<String> = (0..aliases).map(|i| format!("a{i}.example.com")).collect();
    c["Aliases"] = json!({"Quantity": names.len(), "Items": names});
    Document::from_value(c).unwrap().config
}

fn best_of_5(mut f: impl FnMut()) -> Duration {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Asserts that `work(4n)` takes less than 8 times `work(n)`.
fn assert_near_linear(what: &str, n: usize, mut work: impl FnMut(usize) -> Box<dyn FnMut()>) {
    // One measurement at a time: the tests of this file would otherwise time each other.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let small = best_of_5(work(n));
    let large = best_of_5(work(4 * n));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    println!(
        "{what}: {n} in {small:?}, {} in {large:?} (x{ratio:.1})",
        4 * n
    );
    assert!(
        ratio < 8.0,
        "{what}: 4 times the items took {ratio:.1} times as long ({small:?} → {large:?})"
    );
}

#[test]
fn validate_is_near_linear_in_behaviors_and_aliases() {
    assert_near_linear("validate", 2_500, |n| {
        let c = big(n, 5 * n);
        Box::new(move || {
            std::hint::black_box(validate(&c));
        })
    });
}

#[test]
fn diff_is_near_linear_in_aliases() {
    assert_near_linear("diff of aliases", 5_000, |n| {
        let before = big(0, n);
        let mut after = before.clone();
        let a = after.aliases.as_mut().unwrap().items_mut();
        a.reverse();
        a[0] = "changed.example.com".into();
        Box::new(move || {
            let d = diff(&before, &after);
            assert_eq!(
                d.len(),
                2,
                "one alias removed, one added; order is no change"
            );
        })
    });
}

#[test]
fn diff_is_near_linear_in_behaviors() {
    assert_near_linear("diff of behaviors", 1_000, |n| {
        let before = big(n, 0);
        let mut after = before.clone();
        let b = after.cache_behaviors.as_mut().unwrap().items_mut();
        b.reverse();
        b[0].path_pattern = "/changed/*".into();
        Box::new(move || {
            let d = diff(&before, &after);
            // One removed, one added, and all but one of the others moved.
            assert_eq!(d.len(), 2 + (n - 2), "{:?}", &d[..3]);
        })
    });
}
