//! The origin request (spec §12 H-1…H-7) and sending it to an origin or an origin group with
//! failover (§14 F-1…F-3).

use std::sync::atomic::Ordering;

use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Method};

use crate::conn::version_str;
use crate::dist::{Behavior, Dist};
use crate::headers as hdr;
use crate::key::{select_cookies, select_query};
use crate::origin;
use crate::origin_message::{Fetched, OriginError, OriginRequest, ViewerAuth};

use super::{Ctx, Shared};

/// Headers that a cacheable request never forwards: the edge answers conditionals and ranges
/// itself from its entries (R-6 decision: viewer validators are evaluated against the cached
/// object). A ranged miss gets its one valid range back, in canonical form (G-2, see `fill`).
pub(super) const EDGE_ANSWERED: &[&str] = &[
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-range",
    "if-unmodified-since",
    "range",
    "request-range",
];

/// spec §12 H-1…H-7, K-3…K-10: the origin request for this behavior.
pub(super) fn origin_request(
    dist: &Dist,
    b: &Behavior,
    cx: &Ctx,
    cacheable: bool,
) -> OriginRequest {
    let mut out = HeaderMap::with_capacity(cx.headers.len() + 6);
    let options_cached = b.cached.contains(&Method::OPTIONS);
    for (name, value) in cx.headers.iter() {
        let n = name.as_str();
        if hdr::ALWAYS_REMOVED.contains(&n)
            || n.starts_with("x-edge-")
            || n.starts_with("x-amz-cf-")
        {
            continue;
        }
        let configured = b.names_header(n);
        let forward = match n {
            // H-1: Host only when forwarded; otherwise the origin's domain (set per origin).
            "host" => configured,
            // K-7 and K-8 are rebuilt below.
            "cookie" | "x-forwarded-for" | "via" => false,
            "accept-encoding" if b.key.gzip || b.key.br => false,
            // H-6: Authorization per method.
            "authorization" => match cx.method {
                Method::GET | Method::HEAD => configured,
                Method::OPTIONS if options_cached => configured,
                _ => true,
            },
            _ if cacheable && EDGE_ANSWERED.contains(&n) => false,
            // H-9: CloudFront-* only when named.
            _ if n.starts_with("cloudfront-") => configured,
            _ if configured => true,
            // §19-12 decision: legacy forwards the header table and other custom headers;
            // policies forward only what they list plus framing, validators and cache control.
            _ if b.forward.legacy => {
                hdr::ALWAYS_FORWARDED_LEGACY.contains(&n)
                    || !hdr::REMOVED_UNLESS_CONFIGURED.contains(&n)
            }
            _ => hdr::ALWAYS_FORWARDED_POLICY.contains(&n),
        };
        if forward {
            out.append(name.clone(), value.clone());
        }
    }
    if let Some(c) = select_cookies(&cx.headers, &b.forward.cookies)
        && let Ok(v) = HeaderValue::from_str(&c)
    {
        out.insert(header::COOKIE, v);
    }
    // spec K-8: the normalised Accept-Encoding (identity when the viewer accepts none).
    if (b.key.gzip || b.key.br)
        && let Some(ae) = cx.accept_encoding.header_value()
    {
        out.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(ae));
    }
    // spec H-3: X-Forwarded-For appended, Via, X-Amz-Cf-Id, User-Agent.
    let ip = cx.conn.peer.ip().to_string();
    let xff = match cx
        .headers
        .get(hdr::X_FORWARDED_FOR)
        .and_then(|v| v.to_str().ok())
    {
        Some(prev) => format!("{prev}, {ip}"),
        None => ip,
    };
    if let Ok(v) = HeaderValue::from_str(&xff) {
        out.insert("x-forwarded-for", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{} {} (CloudFront)",
        version_str(cx.version),
        dist.via
    )) {
        out.insert(header::VIA, v);
    }
    out.insert(hdr::X_AMZ_CF_ID, cx.rid.clone());
    if !out.contains_key(header::USER_AGENT) {
        out.insert(
            header::USER_AGENT,
            HeaderValue::from_static("Amazon CloudFront"),
        );
    }
    // spec H-2/K-4: path after D-1, query only as selected.
    let mut pq = cx.path.clone();
    if let Some(q) = select_query(cx.query.as_deref(), &b.forward.query) {
        pq.push('?');
        pq.push_str(&q);
    }
    // spec H-4: the length the viewer declared; a chunked viewer body goes chunked.
    if let Some(n) = cx.body.content_length() {
        out.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    OriginRequest {
        method: cx.method.clone(),
        path_and_query: pq,
        headers: out,
        body: cx.body.clone(),
        viewer_https: cx.conn.https,
        // Set by the paths that can stream an answer (`fill`, `direct`).
        stream_over: None,
        budget: None,
        // spec OA-3/OA-6: read from the viewer's request, whatever the behavior forwards.
        viewer_auth: ViewerAuth {
            authorization: cx.headers.contains_key(header::AUTHORIZATION),
            content_sha256: cx.headers.get(crate::oac::X_AMZ_CONTENT_SHA256).cloned(),
        },
    }
}

/// Sends to a behavior's target: an origin, or an origin group with failover (spec §14).
pub(super) async fn send(
    shared: &Shared,
    dist: &Dist,
    target: &str,
    req: &OriginRequest,
) -> Result<Fetched, OriginError> {
    if let Some(group) = dist.groups.get(target) {
        let primary = send_one(shared, dist, &group.primary, req).await;
        // spec F-3: only GET, HEAD and OPTIONS fail over.
        if !matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return primary;
        }
        // spec F-2: a listed status, a connection failure or a timeout.
        let fail = match &primary {
            Ok(f) => group.codes.contains(&f.status.as_u16()),
            Err(_) => true,
        };
        if fail {
            return send_one(shared, dist, &group.secondary, req).await;
        }
        return primary;
    }
    send_one(shared, dist, target, req).await
}

pub(super) async fn send_one(
    shared: &Shared,
    dist: &Dist,
    origin_id: &str,
    req: &OriginRequest,
) -> Result<Fetched, OriginError> {
    let Some(o) = dist.origins.get(origin_id) else {
        return Err(OriginError::Connect);
    };
    shared.origin_requests.fetch_add(1, Ordering::Relaxed);
    let mut req = req.clone();
    if !req.headers.contains_key(header::HOST) {
        // spec H-1: the origin's DomainName.
        if let Ok(v) = HeaderValue::from_str(&o.domain_name) {
            req.headers.insert(header::HOST, v);
        }
    }
    // spec H-7: custom headers overwrite the viewer's.
    for (n, v) in &o.custom_headers {
        req.headers.insert(n.clone(), v.clone());
    }
    // spec OA-1: origin access control signs last, over the headers as they are sent (OA-7).
    if let Some(s) = &o.signing {
        s.sign(&mut req, &o.origin_path).await;
    }
    origin::fetch(o, &req).await
}
