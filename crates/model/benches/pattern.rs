//! Behavior selection cost on the preview edge server's hot path: one request path against the
//! 25 patterns of `many-behaviors.json`, for paths that hit late or fall to the default (the
//! worst case: every pattern is tried). Goal: well under 1 µs per selection.

use std::hint::black_box;

use cfconsole_model::{CompiledBehaviors, Document, select_behavior};
use criterion::{Criterion, criterion_group, criterion_main};

fn many_behaviors() -> cfconsole_model::DistributionConfig {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/many-behaviors.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture many-behaviors.json readable");
    Document::from_json(&text).expect("fixture parses").config
}

fn bench(c: &mut Criterion) {
    let config = many_behaviors();
    let compiled = CompiledBehaviors::new(&config);
    assert_eq!(compiled.patterns().len(), 25);
    // (name, path, expected behavior index)
    let cases = [
        (
            "default (no match, 25 tried)",
            "/merlin/archive/records/2024/file.pdf",
            None,
        ),
        ("last behavior (25th)", "/favicon.ico", Some(24)),
        (
            "deep path to default",
            "/explore-the-collection/details/r/C123456?x=1",
            None,
        ),
    ];
    let mut group = c.benchmark_group("select 1 path of 25 patterns");
    for (name, path, expected) in cases {
        let bare = path.split('?').next().unwrap_or(path);
        assert_eq!(compiled.select(bare), expected, "{name}");
        group.bench_function(name, |b| b.iter(|| compiled.select(black_box(bare))));
    }
    group.finish();
    c.bench_function("select_behavior with explanation (default)", |b| {
        b.iter(|| select_behavior(&config, black_box("/merlin/archive/records/2024/file.pdf")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
