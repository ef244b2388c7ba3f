//! spec SU-9: the signature check of a behavior that requires signed URLs or signed cookies,
//! after its protocol and method checks and before its viewer-request function.

use std::time::SystemTime;

use hyper::header;

use cfconsole_signing::{Refusal, RefusalCode, SignedRequest, Trust};

use crate::dist::Dist;
use crate::signed::Required;

use super::Conn;

/// Checks the request against `required`: Ok to serve it, or why not.
pub(super) fn check(
    dist: &Dist,
    required: &Required,
    conn: &Conn,
    parts: &hyper::http::request::Parts,
    host: &str,
    now: SystemTime,
) -> Result<(), Refusal> {
    let Some(set) = &dist.trusted_keys else {
        // Not reached: a config whose behavior requires signatures is refused without keys.
        return Err(Refusal {
            rule: cfconsole_signing::verify::rule::KEY,
            code: RefusalCode::InvalidKey,
            reason: "the preview has no public keys".to_string(),
        });
    };
    let cookies: Vec<&str> = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let request = SignedRequest {
        https: conn.https,
        host,
        path: parts.uri.path(),
        query: parts.uri.query(),
        cookies: &cookies,
        viewer_ip: conn.peer.ip(),
        now,
    };
    let trust = match required {
        Required::KeyGroups(groups) => Trust::KeyGroups(groups),
        Required::Signers => Trust::AnyKey,
    };
    set.keys.verify(trust, &request).map(|_| ())
}
