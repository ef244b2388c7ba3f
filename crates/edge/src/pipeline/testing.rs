//! Helpers for the pipeline's unit tests: entries and requests built in memory, no sockets.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode, Version};

use crate::key::AcceptEncoding;
use crate::origin_message::OriginBody;
use crate::store::Entry;

use super::{Conn, Ctx};

/// When the test entries are stored.
pub(super) fn stored_at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// Headers from `(name, value)` pairs.
pub(super) fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (n, v) in pairs {
        h.append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

/// A 200 entry with a ten-byte body `0123456789`, stored at [`stored_at`] for 60 s.
pub(super) fn entry(pairs: &[(&str, &str)]) -> Entry {
    Entry {
        status: StatusCode::OK,
        headers: headers(pairs),
        body: Bytes::from_static(b"0123456789"),
        stored_at: stored_at(),
        ttl: Duration::from_secs(60),
        revalidate: false,
        stale_if_error: None,
        stale_while_revalidate: None,
        error: false,
        path: "/a".to_string(),
        query: None,
        behavior: "*".to_string(),
        vary_star: false,
        range: None,
    }
}

/// A plain HTTP connection from 192.0.2.1.
fn conn() -> Conn {
    Conn {
        peer: SocketAddr::from(([192, 0, 2, 1], 50_000)),
        local: SocketAddr::from(([127, 0, 0, 1], 8080)),
        https: false,
        handshake: None,
    }
}

/// A viewer request for `/a` over [`conn`] with `pairs` as its headers.
pub(super) fn ctx(method: Method, pairs: &[(&str, &str)]) -> Ctx {
    Ctx {
        conn: conn(),
        method,
        version: Version::HTTP_11,
        path: "/a".to_string(),
        query: None,
        headers: headers(pairs),
        body: OriginBody::Empty,
        rid: HeaderValue::from_static("test-request-id"),
        now: stored_at(),
        accept_encoding: AcceptEncoding::Absent,
    }
}
