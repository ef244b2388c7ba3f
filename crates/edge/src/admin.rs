//! The JSON admin API on its own loopback port, for the CLI and tests: invalidations in
//! CreateInvalidation's shape (spec §15), cache entries, stats, the request log and a live
//! config swap validated first.
//!
//! The API trusts whoever can reach it, so it refuses what a web page in the operator's browser
//! could send it ([`Guard`]): a `Host` other than the listener's own address (DNS rebinding), an
//! `Origin` other than its own, and a body that is not `application/json` (a cross-origin
//! "simple" request). Bodies are capped at [`MAX_ADMIN_BODY`].

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use cfconsole_model::InvalidationPath;

use crate::handle::{ApiError, EdgeHandle};

/// Reads `{"Paths": {"Quantity", "Items"}, "CallerReference"}` (optionally wrapped in
/// `InvalidationBatch`) or the short `{"Paths": [...]}`.
pub fn parse_batch(v: &Value) -> Result<(Vec<String>, Option<String>), ApiError> {
    let bad = |m: &str| ApiError {
        status: 400,
        code: "InvalidArgument",
        message: m.to_string(),
    };
    let v = v.get("InvalidationBatch").unwrap_or(v);
    let paths = match v.get("Paths") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|p| {
                p.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad("Paths must be strings"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(Value::Object(o)) => {
            let items: Vec<String> = match o.get("Items") {
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|p| {
                        p.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| bad("Paths.Items must be strings"))
                    })
                    .collect::<Result<_, _>>()?,
                None => vec![],
                _ => return Err(bad("Paths.Items must be a list")),
            };
            let quantity = o
                .get("Quantity")
                .and_then(Value::as_u64)
                .ok_or_else(|| bad("Paths.Quantity is required"))?;
            // spec I-12.
            if quantity as usize != items.len() {
                return Err(ApiError {
                    status: 400,
                    code: "InconsistentQuantities",
                    message: format!("Paths.Quantity is {quantity} but Items has {}", items.len()),
                });
            }
            items
        }
        _ => {
            return Err(bad(
                "Paths is required: {\"Paths\": {\"Quantity\": n, \"Items\": [...]}}",
            ));
        }
    };
    if paths.is_empty() {
        return Err(bad("at least one path is required"));
    }
    if paths.len() > 3000 {
        return Err(ApiError {
            status: 413,
            code: "BatchTooLarge",
            message: "more than 3,000 paths in one batch (spec I-8)".into(),
        });
    }
    for p in &paths {
        InvalidationPath::parse(p).map_err(|e| ApiError {
            status: 400,
            code: "InvalidArgument",
            message: format!("{p}: {e}"),
        })?;
    }
    let caller = v
        .get("CallerReference")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((paths, caller))
}

fn json_response(status: StatusCode, v: &Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(
        serde_json::to_vec_pretty(v).unwrap_or_default(),
    )));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

fn api_error(e: &ApiError) -> Response<Full<Bytes>> {
    json_response(
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        &json!({"Error": {"Code": e.code, "Message": e.message}}),
    )
}

/// The largest admin request body (1 MiB): a `PUT /config` of CloudFront's largest
/// distribution config or a 3,000-path invalidation batch (I-8) fits many times over.
pub const MAX_ADMIN_BODY: usize = 1024 * 1024;

/// The names an admin request may carry in `Host` and `Origin`: the admin listener's own
/// address, as the connection reached it, and the loopback names with its port.
#[derive(Debug, Clone)]
pub struct Guard {
    hosts: Vec<String>,
    origins: Vec<String>,
}

impl Guard {
    /// For a connection that reached the admin listener at `local`.
    pub fn new(local: SocketAddr) -> Self {
        let port = local.port();
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        // A non-loopback listener (`--admin-non-loopback`) is also called by its address.
        let own = local.to_string();
        if !hosts.contains(&own) {
            hosts.push(own);
        }
        let origins = hosts.iter().map(|h| format!("http://{h}")).collect();
        Self { hosts, origins }
    }

    /// Refuses a request a web page could have made: the reason as the API's JSON error.
    fn check(&self, parts: &hyper::http::request::Parts) -> Result<(), ApiError> {
        // RFC 9112 §3.2: a request with more than one Host is a 400.
        if parts
            .headers
            .get_all(hyper::header::HOST)
            .iter()
            .nth(1)
            .is_some()
        {
            return Err(ApiError {
                status: 400,
                code: "InvalidArgument",
                message: "the request has more than one Host header".into(),
            });
        }
        // RFC 9112 §3.2.2: the authority of an absolute-form target (and HTTP/2's :authority)
        // replaces Host, so it is what must name this listener.
        let host = parts
            .uri
            .authority()
            .map(|a| a.to_string())
            .or_else(|| {
                parts
                    .headers
                    .get(hyper::header::HOST)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        if !self.hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
            return Err(ApiError {
                status: 403,
                code: "ForbiddenHost",
                message: format!(
                    "Host {host:?} is not this admin listener (a page served from another name may \
                     be reaching it through DNS rebinding); accepted: {}",
                    self.hosts.join(", ")
                ),
            });
        }
        if let Some(origin) = parts.headers.get(hyper::header::ORIGIN) {
            let origin = String::from_utf8_lossy(origin.as_bytes());
            if !self.origins.iter().any(|o| o.eq_ignore_ascii_case(&origin)) {
                return Err(ApiError {
                    status: 403,
                    code: "ForbiddenOrigin",
                    message: format!(
                        "Origin {origin:?} is not allowed: the admin API answers no web page; \
                         accepted: no Origin header, or {}",
                        self.origins.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}

/// True when the request carries a body or a method that needs one: such a request must be
/// `Content-Type: application/json`, which no cross-origin form or "simple" request can send.
fn needs_json(parts: &hyper::http::request::Parts) -> bool {
    let declares_body = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() != "0")
        || parts.headers.contains_key(hyper::header::TRANSFER_ENCODING);
    declares_body || matches!(parts.method, Method::POST | Method::PUT | Method::PATCH)
}

fn is_json(parts: &hyper::http::request::Parts) -> bool {
    parts
        .headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Routes one admin request that reached the listener as `guard` describes. Refusals come
/// before the body is read.
pub async fn handle<B>(
    control: Arc<EdgeHandle>,
    guard: &Guard,
    req: Request<B>,
) -> Response<Full<Bytes>>
where
    B: hyper::body::Body<Data = Bytes>,
{
    let (parts, body) = req.into_parts();
    if let Err(e) = guard.check(&parts) {
        return api_error(&e);
    }
    if needs_json(&parts) && !is_json(&parts) {
        return api_error(&ApiError {
            status: 415,
            code: "UnsupportedMediaType",
            message: format!(
                "{} {} needs Content-Type: application/json (got {:?})",
                parts.method,
                parts.uri.path(),
                parts
                    .headers
                    .get(hyper::header::CONTENT_TYPE)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).to_string())
                    .unwrap_or_else(|| "none".into())
            ),
        });
    }
    let body = match crate::body::read_limited(&parts.headers, body, MAX_ADMIN_BODY).await {
        Ok(b) => b,
        Err(crate::body::LimitError::TooLarge) => {
            return api_error(&ApiError {
                status: 413,
                code: "PayloadTooLarge",
                message: format!(
                    "the body is larger than the admin API's limit of {MAX_ADMIN_BODY} bytes"
                ),
            });
        }
        Err(crate::body::LimitError::Unreadable) => {
            return api_error(&ApiError {
                status: 400,
                code: "InvalidArgument",
                message: "unreadable body".into(),
            });
        }
    };
    let path = parts.uri.path().trim_end_matches('/');
    match (&parts.method, path) {
        (&Method::POST, "/invalidations") => {
            let v: Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => {
                    return api_error(&ApiError {
                        status: 400,
                        code: "MalformedInput",
                        message: format!("not JSON: {e}"),
                    });
                }
            };
            match parse_batch(&v) {
                Err(e) => api_error(&e),
                Ok((paths, caller)) => match control.invalidate(paths, caller).await {
                    Ok((inv, created)) => {
                        let mut r = json_response(
                            if created {
                                StatusCode::CREATED
                            } else {
                                StatusCode::OK
                            },
                            &inv.to_json(),
                        );
                        if let Ok(v) = hyper::header::HeaderValue::from_str(&format!(
                            "/invalidations/{}",
                            inv.id
                        )) {
                            r.headers_mut().insert(hyper::header::LOCATION, v);
                        }
                        r
                    }
                    Err(e) => api_error(&e),
                },
            }
        }
        (&Method::GET, "/invalidations") => {
            let items = control.invalidations();
            let list: Vec<Value> = items
                .iter()
                .rev()
                .map(|i| json!({"Id": i.id, "CreateTime": i.create_time, "Status": "Completed"}))
                .collect();
            json_response(
                StatusCode::OK,
                &json!({"InvalidationList": {"Marker": "", "MaxItems": 100, "IsTruncated": false,
                    "Quantity": list.len(), "Items": list}}),
            )
        }
        (&Method::GET, p) if p.starts_with("/invalidations/") => {
            let id = &p["/invalidations/".len()..];
            match control.invalidations().into_iter().find(|i| i.id == id) {
                Some(i) => json_response(StatusCode::OK, &i.to_json()),
                None => api_error(&ApiError {
                    status: 404,
                    code: "NoSuchInvalidation",
                    message: format!("no invalidation {id}"),
                }),
            }
        }
        (&Method::GET, "/cache") => {
            control.settle().await;
            json_response(
                StatusCode::OK,
                &json!({"Entries": control.cache_entries(), "Bytes": control.cache_bytes()}),
            )
        }
        (&Method::GET, "/stats") => {
            control.settle().await;
            json_response(StatusCode::OK, &control.stats_json())
        }
        (&Method::GET, "/requests") => json_response(
            StatusCode::OK,
            &json!({"Requests": control.recent_requests()}),
        ),
        (&Method::PUT, "/config") => {
            let text = String::from_utf8_lossy(&body);
            match control.swap_json(&text) {
                Ok(()) => json_response(StatusCode::OK, &json!({"Status": "swapped"})),
                Err(findings) => {
                    json_response(StatusCode::BAD_REQUEST, &json!({"Findings": findings}))
                }
            }
        }
        _ => api_error(&ApiError {
            status: 404,
            code: "NotFound",
            message: format!(
                "{} {} is not an admin route",
                parts.method,
                parts.uri.path()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_forms() {
        let (p, c) = parse_batch(
            &json!({"Paths": {"Quantity": 2, "Items": ["/a", "/b*"]}, "CallerReference": "x"}),
        )
        .unwrap();
        assert_eq!((p.len(), c.as_deref()), (2, Some("x")));
        let (p, c) = parse_batch(&json!({"Paths": ["/a"]})).unwrap();
        assert_eq!((p.len(), c), (1, None));
        assert_eq!(
            parse_batch(&json!({"Paths": {"Quantity": 3, "Items": ["/a"]}}))
                .unwrap_err()
                .code,
            "InconsistentQuantities"
        );
        assert_eq!(
            parse_batch(&json!({"Paths": ["/a*b"]})).unwrap_err().code,
            "InvalidArgument",
            "I-2"
        );
        assert_eq!(
            parse_batch(&json!({"Paths": ["a"]})).unwrap_err().code,
            "InvalidArgument",
            "I-1"
        );
    }
}
