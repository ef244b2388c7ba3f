//! Cost of a full `validate` on a configuration at the default quotas: 25 cache behaviors,
//! 25 origins with 10 custom headers each, 100 aliases. The UI validates the draft on every
//! edit, so the goal is well under 1 ms, with or without findings to sort.

use std::hint::black_box;

use cfconsole_model::shapes::*;
use cfconsole_model::{List, validate};
use criterion::{Criterion, criterion_group, criterion_main};

fn at_quotas() -> DistributionConfig {
    let origins: List<Origin> = (0..QUOTA_ORIGINS)
        .map(|i| Origin {
            id: format!("origin-{i}"),
            domain_name: format!("origin-{i}.example.com"),
            origin_path: Some(format!("/v{i}")),
            custom_headers: Some(
                (0..10)
                    .map(|h| OriginCustomHeader {
                        header_name: format!("X-Origin-Header-{h}"),
                        header_value: format!("value-{i}-{h}"),
                    })
                    .collect(),
            ),
            custom_origin_config: Some(CustomOriginConfig {
                http_port: 80,
                https_port: 443,
                origin_protocol_policy: OriginProtocolPolicy::HttpsOnly,
                origin_ssl_protocols: Some(List::new(vec![SslProtocol::TLSv1_2])),
                origin_read_timeout: Some(30),
                origin_keepalive_timeout: Some(5),
                ..Default::default()
            }),
            connection_attempts: Some(3),
            connection_timeout: Some(10),
            ..Default::default()
        })
        .collect();
    let behaviors: List<CacheBehavior> = (0..QUOTA_BEHAVIORS)
        .map(|i| CacheBehavior {
            path_pattern: format!("/section-{i}/*"),
            target_origin_id: format!("origin-{i}"),
            viewer_protocol_policy: ViewerProtocolPolicy::RedirectToHttps,
            allowed_methods: Some(AllowedMethods {
                quantity: 3,
                items: vec![Method::GET, Method::HEAD, Method::OPTIONS],
                cached_methods: Some(List::new(vec![Method::GET, Method::HEAD])),
            }),
            compress: Some(true),
            cache_policy_id: Some("658327ea-f89d-4fab-a63d-7e88639e58f6".into()),
            ..Default::default()
        })
        .collect();
    DistributionConfig {
        caller_reference: "bench".into(),
        aliases: Some((0..100).map(|i| format!("host-{i}.example.com")).collect()),
        origins,
        default_cache_behavior: DefaultCacheBehavior {
            target_origin_id: "origin-0".into(),
            viewer_protocol_policy: ViewerProtocolPolicy::RedirectToHttps,
            cache_policy_id: Some("658327ea-f89d-4fab-a63d-7e88639e58f6".into()),
            ..Default::default()
        },
        cache_behaviors: Some(behaviors),
        comment: "at the quotas".into(),
        enabled: true,
        viewer_certificate: Some(ViewerCertificate {
            acm_certificate_arn: Some("arn:aws:acm:us-east-1:123456789012:certificate/abc".into()),
            ssl_support_method: Some(SSLSupportMethod::SniOnly),
            minimum_protocol_version: Some(MinimumProtocolVersion::TLSv1_2_2021),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// CloudFront's quotas (crates/model/src/quotas.rs).
const QUOTA_ORIGINS: usize = cfconsole_model::quotas::ORIGINS_PER_DISTRIBUTION;
const QUOTA_BEHAVIORS: usize = cfconsole_model::quotas::CACHE_BEHAVIORS_PER_DISTRIBUTION;

fn bench(c: &mut Criterion) {
    let config = at_quotas();
    let findings = validate(&config);
    // At the quotas: no error; the warnings are the quota's and the origins no behavior uses.
    assert!(
        findings.iter().all(|f| !f.is_error())
            && findings.iter().any(|f| f.path == "CacheBehaviors.Quantity"),
        "{findings:#?}"
    );
    c.bench_function("validate at the quotas", |b| {
        b.iter(|| validate(black_box(&config)))
    });
    // The same with findings to sort (P-11: 99 origins no behavior uses, and the quota's
    // warning): the ordering pass numbers every path of the document.
    let mut unused = config.clone();
    if let Some(l) = unused.cache_behaviors.as_mut() {
        for b in l.items_mut() {
            b.target_origin_id = "origin-0".into();
        }
    }
    assert_eq!(validate(&unused).len(), QUOTA_ORIGINS);
    c.bench_function("validate at the quotas, 100 findings", |b| {
        b.iter(|| validate(black_box(&unused)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
