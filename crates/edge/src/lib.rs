//! cfconsole-edge: the preview edge server. A caching reverse proxy on hyper that behaves like one
//! CloudFront edge location for one DistributionConfig (spec/edge-semantics.md), so an operator
//! can see what will hit, miss, redirect, fail over or be compressed — and why — before
//! publishing. Depends on `cfconsole-model` only.

pub mod admin;
pub mod body;
pub mod cf_headers;
pub mod clock;
pub mod compress;
pub mod conn;
pub mod connect;
pub mod dist;
pub mod error;
pub mod error_rules;
pub mod folder;
pub mod handle;
pub mod headers;
pub mod ja3;
pub mod key;
pub mod lock;
pub mod log;
pub mod origin;
pub mod origin_message;
pub mod outcome;
pub mod pipeline;
pub mod probe;
pub mod range;
pub mod server;
pub mod stats;
pub mod store;
pub mod tap;
pub mod tls;
pub mod ttl;

pub use clock::{Clock, ManualClock, SystemClock};
pub use dist::{Override, check_config};
pub use handle::EdgeHandle;
pub use outcome::ResultType;
pub use server::{DEFAULT_CACHE_SIZE, Edge, EdgeConfig, StartError};
