//! Round trips with every member set (fixtures from `tools/gen_full_fixtures.py`): model → SDK →
//! model and SDK → model → SDK must both be the identity.

use super::*;
use cfconsole_model as m;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture<T: DeserializeOwned + serde::Serialize>(text: &str) -> T {
    let v: T = serde_json::from_str(text).expect("fixture parses as the model");
    // The model kept every member of the fixture: nothing was dropped on the way in.
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        serde_json::from_str::<Value>(text).unwrap()
    );
    v
}

/// The SDK value has no member left unset (its Debug output shows every `None`).
fn assert_fully_populated<T: std::fmt::Debug>(v: &T) {
    let dbg = format!("{v:?}");
    assert!(
        !dbg.contains("None"),
        "a member is unset in the SDK value: {dbg}"
    );
}

macro_rules! round_trip {
    ($name:ident, $file:literal, $model:ty, $to:ident, $from:ident) => {
        #[test]
        fn $name() {
            let full: $model = fixture(include_str!(concat!("../../../testdata/", $file)));
            let sdk = $to(full.clone()).unwrap();
            assert_fully_populated(&sdk);
            assert_eq!($from(sdk.clone()).unwrap(), full, "model → SDK → model");
            let again = $to($from(sdk.clone()).unwrap()).unwrap();
            assert_eq!(again, sdk, "SDK → model → SDK");
        }
    };
}

round_trip!(
    distribution_config_round_trips_with_every_member,
    "full-DistributionConfig.json",
    m::DistributionConfig,
    distribution_config_to_sdk,
    distribution_config_from_sdk
);
round_trip!(
    distribution_round_trips_with_every_member,
    "full-Distribution.json",
    m::Distribution,
    distribution_to_sdk,
    distribution_from_sdk
);
round_trip!(
    cache_policy_config_round_trips,
    "full-CachePolicyConfig.json",
    m::CachePolicyConfig,
    cache_policy_config_to_sdk,
    cache_policy_config_from_sdk
);
round_trip!(
    cache_policy_round_trips,
    "full-CachePolicy.json",
    m::CachePolicy,
    cache_policy_to_sdk,
    cache_policy_from_sdk
);
round_trip!(
    origin_request_policy_config_round_trips,
    "full-OriginRequestPolicyConfig.json",
    m::OriginRequestPolicyConfig,
    origin_request_policy_config_to_sdk,
    origin_request_policy_config_from_sdk
);
round_trip!(
    response_headers_policy_config_round_trips,
    "full-ResponseHeadersPolicyConfig.json",
    m::ResponseHeadersPolicyConfig,
    response_headers_policy_config_to_sdk,
    response_headers_policy_config_from_sdk
);
round_trip!(
    invalidation_round_trips,
    "full-Invalidation.json",
    m::Invalidation,
    invalidation_to_sdk,
    invalidation_from_sdk
);

#[test]
fn unknown_enum_value_is_an_error_not_a_default() {
    let full: m::DistributionConfig = fixture(include_str!(
        "../../../testdata/full-DistributionConfig.json"
    ));
    let mut sdk = distribution_config_to_sdk(full).unwrap();
    sdk.price_class = Some(aws_sdk_cloudfront::types::PriceClass::from(
        "PriceClass_Future",
    ));
    let err = distribution_config_from_sdk(sdk).unwrap_err();
    assert!(err.to_string().contains("PriceClass_Future"), "{err}");
}

#[test]
fn missing_required_member_is_reported() {
    let mut c = m::DistributionConfig::default();
    c.default_cache_behavior.target_origin_id = "o".into();
    // A config the SDK cannot build is refused by name, not sent half-empty.
    let sdk = distribution_config_to_sdk(c).unwrap();
    let mut broken = sdk.clone();
    broken.default_cache_behavior = None;
    let err = distribution_config_from_sdk(broken).unwrap_err();
    assert!(err.to_string().contains("DefaultCacheBehavior"), "{err}");
}
