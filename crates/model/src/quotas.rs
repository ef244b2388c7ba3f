//! CloudFront's quotas, in one table. Each is cited from the Amazon CloudFront Developer Guide,
//! "Quotas" page (2026: CloudFront raised several in 2025-26), under the heading and with the
//! name it has there. Validation, the local workspace and the benchmarks use these, never a
//! number of their own.

/// "Cache behaviors per distribution" (General quotas on distributions): 75. The default
/// cache behavior is not counted.
pub const CACHE_BEHAVIORS_PER_DISTRIBUTION: usize = 75;

/// "Origins per distribution" (General quotas on distributions): 100.
pub const ORIGINS_PER_DISTRIBUTION: usize = 100;

/// "Origin groups per distribution" (General quotas on distributions): 10.
pub const ORIGIN_GROUPS_PER_DISTRIBUTION: usize = 10;

/// "Distributions per AWS account" (General quotas on distributions): 500.
pub const DISTRIBUTIONS_PER_ACCOUNT: usize = 500;

/// "Alternate domain names (CNAMEs) per distribution" (General quotas on distributions): 100.
pub const ALTERNATE_DOMAIN_NAMES_PER_DISTRIBUTION: usize = 100;

/// "Response timeout per origin" (General quotas on distributions): 1-120 seconds.
pub const ORIGIN_RESPONSE_TIMEOUT_SECONDS: std::ops::RangeInclusive<i32> = 1..=120;

/// "Keep-alive timeout per origin" (General quotas on distributions): 1-120 seconds.
pub const ORIGIN_KEEPALIVE_TIMEOUT_SECONDS: std::ops::RangeInclusive<i32> = 1..=120;

/// "Custom headers that you can configure CloudFront to add to origin requests" (Quotas on
/// headers): 10.
pub const ORIGIN_CUSTOM_HEADERS: usize = 10;

/// "Public keys in a single key group" (Quotas on key groups): 5.
pub const PUBLIC_KEYS_PER_KEY_GROUP: usize = 5;

/// "Key groups associated with a single cache behavior" (Quotas on key groups): 4.
pub const KEY_GROUPS_PER_CACHE_BEHAVIOR: usize = 4;

/// "Key groups per AWS account" (Quotas on key groups): 10.
pub const KEY_GROUPS_PER_ACCOUNT: usize = 10;

/// "Distributions associated with a single key group" (Quotas on key groups): 100.
pub const DISTRIBUTIONS_PER_KEY_GROUP: usize = 100;

/// "Maximum number of public keys that can be added to one AWS account" (Quotas on
/// field-level encryption; public keys are one list for signed URLs and field-level
/// encryption, `TooManyPublicKeys`): 10.
pub const PUBLIC_KEYS_PER_ACCOUNT: usize = 10;

/// "Origin access controls per AWS account" (General quotas on distributions): 100.
pub const ORIGIN_ACCESS_CONTROLS_PER_ACCOUNT: usize = 100;

/// "Distributions per origin access control" (General quotas on distributions): 100.
pub const DISTRIBUTIONS_PER_ORIGIN_ACCESS_CONTROL: usize = 100;

/// "Origin access identities per AWS account" (General quotas on distributions): 100.
pub const ORIGIN_ACCESS_IDENTITIES_PER_ACCOUNT: usize = 100;
