//! cfconsole-edge: the preview edge server. A caching reverse proxy on hyper that behaves like one
//! CloudFront edge location for one DistributionConfig (spec/edge-semantics.md), so an operator
//! can see what will hit, miss, redirect, fail over or be compressed — and why — before
//! publishing. Depends on `cfconsole-model` only.
//!
//! # Layering
//!
//! A module uses only modules on the lines above its own (the submodules of `pipeline` count as
//! `pipeline`), so no two modules use each other, directly or around a loop. Read from the top
//! for the parts, from the bottom for the whole: `server` runs the listeners, `pipeline` answers
//! one viewer request, `dist` is the prepared configuration it reads.
//!
//! ```text
//! body clock conn error error_rules headers ja3 log outcome range tls ttl   (use no other)
//! origin_message → body error          key → range               stats → outcome
//! compress → body                      tap → ja3
//! connect → origin_message tls         folder → body origin_message range
//! oac → origin_message
//! origin → body connect folder oac origin_message
//! lock → key                           store → body headers key range
//! signed → key
//! dist → connect error_rules key oac origin stats ttl
//! cf_headers → conn dist
//! pipeline → body cf_headers clock compress conn dist error headers key lock log oac origin
//!            origin_message outcome range store ttl
//! handle → dist log oac pipeline stats store
//! admin → body handle
//! server → admin cf_headers clock connect dist handle log pipeline store tap tls
//! probe → cf_headers dist handle origin outcome pipeline server tls ttl
//! ```

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
pub mod functions;
pub mod handle;
pub mod headers;
pub mod ja3;
pub mod key;
pub mod lock;
pub mod log;
pub mod oac;
pub mod origin;
pub mod origin_message;
pub mod outcome;
pub mod pipeline;
pub mod probe;
pub mod range;
pub mod server;
pub mod signed;
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
