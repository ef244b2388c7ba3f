//! CloudFront signed URLs and signed cookies.
//!
//! - [`keys`]: the public keys CloudFront accepts for signed URLs and cookies (RSA 2048 and
//!   ECDSA P-256, as SubjectPublicKeyInfo PEM) and the private keys that sign with them.
//! - [`policy`]: canned and custom policy statements, as JSON.
//! - [`sign`]: signed URLs and the three or four signed cookies.
//! - [`verify`]: what the preview edge checks on a request for a behavior with trusted key
//!   groups.
//! - [`encoding`]: CloudFront's URL-safe base64.
//!
//! References are to the Amazon CloudFront Developer Guide, "Serve private content with signed
//! URLs and signed cookies" and the pages under it.

pub mod encoding;
pub mod keys;
pub mod policy;
pub mod sign;
pub mod verify;

pub use encoding::{decode, encode};
pub use keys::{Hash, KeyError, KeyFileError, KeyKind, PrivateKey, PublicKey};
pub use policy::{Policy, PolicyError};
pub use sign::{SignError, sign_cookies, sign_url, strip_url_parameters};
pub use verify::{
    Accepted, Refusal, RefusalCode, SignedRequest, Source, Trust, TrustedKeys, rfc3339,
};
