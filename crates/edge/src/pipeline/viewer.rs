//! The request as the cache key and the origin request see it (spec H-9, K-1…K-8, K-12).

use hyper::{HeaderMap, Method, Version};

use crate::cf_headers;
use crate::dist::{Behavior, Dist};
use crate::headers as hdr;
use crate::key::{AcceptEncoding, CacheKey, KeyInput};

/// The request as the cache key and the origin request see it, for behavior `b`.
pub(crate) struct ViewerRequest {
    /// The viewer's headers, hop-by-hop stripped, with the generated CloudFront-* headers
    /// (spec H-9).
    pub headers: HeaderMap,
    /// The query string, without signed-URL parameters (spec K-12).
    pub query: Option<String>,
    /// spec K-8: the normalised Accept-Encoding.
    pub accept_encoding: AcceptEncoding,
}

/// Builds the [`ViewerRequest`] of one request: the one place both the pipeline and the request
/// tester (`probe`) prepare what the key is computed from.
pub(crate) fn viewer_request(
    b: &Behavior,
    viewer: &cf_headers::Viewer<'_>,
    raw_query: Option<&str>,
) -> ViewerRequest {
    let mut headers = viewer.received.clone();
    hdr::strip_hop_by_hop(&mut headers);
    cf_headers::add(&mut headers, b, viewer);
    let accept_encoding = AcceptEncoding::normalise(
        &headers,
        b.key.gzip,
        b.key.br,
        viewer.version == Version::HTTP_10,
    );
    let query = if b.signed {
        strip_signed_url_params(raw_query)
    } else {
        raw_query.map(str::to_string)
    };
    ViewerRequest {
        headers,
        query,
        accept_encoding,
    }
}

/// spec K-1…K-8, M-3: the object's cache key under behavior `b` (see [`KeyRecipe::key`]).
///
/// [`KeyRecipe::key`]: crate::key::KeyRecipe::key
pub(crate) fn cache_key(
    dist: &Dist,
    b: &Behavior,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    accept_encoding: AcceptEncoding,
) -> CacheKey {
    b.key.key(&KeyInput {
        domain: &dist.domain,
        method,
        path,
        query,
        headers,
        accept_encoding,
    })
}

/// spec K-12/H-10/SU-10: the signing parameters (`Expires`, `Key-Pair-Id`, `Policy`,
/// `Signature`, `Hash-Algorithm`) never reach the key or the origin; the signature itself is
/// checked before (SU-9).
pub(super) fn strip_signed_url_params(query: Option<&str>) -> Option<String> {
    cfconsole_signing::strip_url_parameters(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k12_h10_signed_url_parameters_are_stripped() {
        for (query, expected) in [
            (None, None),
            (Some("a=1&b=2"), Some("a=1&b=2")),
            (
                Some("a=1&Expires=2&Signature=x&Key-Pair-Id=k&Hash-Algorithm=SHA256&b=2"),
                Some("a=1&b=2"),
            ),
            (Some("Policy=p&Signature=s&Key-Pair-Id=k"), None),
            (Some("Expires&a"), Some("a")),
            (Some("a=1&&b"), Some("a=1&b")),
            (Some(""), None),
            // Parameter names are case-sensitive: only CloudFront's exact names go.
            (Some("expires=1&signature=2"), Some("expires=1&signature=2")),
            // Only the names: a value that looks like one is kept.
            (Some("x=Signature"), Some("x=Signature")),
        ] {
            assert_eq!(
                strip_signed_url_params(query).as_deref(),
                expected,
                "{query:?}"
            );
        }
    }
}
