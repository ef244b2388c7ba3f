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
