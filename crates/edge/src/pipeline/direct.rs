//! The non-cacheable path (spec M-5, K-10 `*`): a request sent straight to the origin, never
//! stored, its error statuses answered with custom error pages (E-6/E-7, O-5). A module of its
//! own because it uses both the origin request and the error pages, which `error_page` itself
//! needs the origin request for.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use hyper::Method;

use crate::dist::{Behavior, Dist};
use crate::headers as hdr;
use crate::outcome::ResultType;

use super::error_page::{error_page, with_error_page};
use super::origin_request::{origin_request, send};
use super::{Ctx, Reply, Shared};

/// Non-cacheable requests (M-5): forwarded with their body, never stored.
pub(super) async fn direct(
    shared: &Arc<Shared>,
    dist: &Arc<Dist>,
    b: &Behavior,
    cx: &Ctx,
) -> Reply {
    let mut req = origin_request(dist, b, cx, false);
    req.stream_over = Some(super::stream_over(shared));
    req.budget = Some(shared.fill_budget.clone());
    let started = Instant::now();
    let res = send(shared, dist, &b.target, &req).await;
    let upstream_ms = Some(started.elapsed().as_millis());
    let mut reply = match res {
        Ok(f) => {
            let status = f.status.as_u16();
            let result = if status >= 400 {
                ResultType::Error
            } else {
                ResultType::Miss
            };
            let mut headers = f.headers;
            hdr::strip_hop_by_hop(&mut headers);
            let mut r = Reply {
                status: f.status,
                headers,
                body: f.body,
                // spec §19-18: a whole object too large to hold streams through.
                stream: f.stream,
                result,
                response_result: result,
                detail: result.as_str(),
                edge: false,
                behavior: None,
                age: None,
                range: None,
                upstream_ms,
            };
            if status >= 400 {
                if let Some((s, h, body)) =
                    error_page(shared, dist, status, cx.now, cx.conn.https).await
                {
                    r.status = s;
                    r.headers = h;
                    r.body = body;
                    r.stream = None;
                }
            } else if cx.method == Method::HEAD {
                r.body = Bytes::new();
                r.stream = None;
            }
            // spec §19-19: the budget the body was read under is kept until it is sent.
            r.hold(f.held);
            r
        }
        // §19-15: the origin request failed because the viewer's body did (a malformed chunk,
        // a viewer gone mid-body): the viewer's fault, 400, no custom error page.
        Err(_) if let Some(fault) = cx.body.viewer_fault() => Reply::edge(fault, cx.rid()),
        Err(e) => {
            with_error_page(
                shared,
                dist,
                Reply::edge(e.edge_error(), cx.rid()),
                cx.now,
                cx.conn.https,
            )
            .await
        }
    };
    reply.upstream_ms = upstream_ms;
    reply
}
