//! The JSON admin API on its own loopback port, for the CLI and tests: invalidations in
//! CreateInvalidation's shape (spec §15), cache entries, stats, the request log and a live
//! config swap validated first.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use cfconsole_model::InvalidationPath;

use crate::server::Control;

/// One invalidation, as CreateInvalidation answers it (I-10, I-11).
#[derive(Debug, Clone)]
pub struct Invalidation {
    pub id: String,
    pub create_time: String,
    pub caller_reference: String,
    pub paths: Vec<String>,
    pub removed: usize,
}

impl Invalidation {
    pub fn to_json(&self) -> Value {
        json!({
            "Invalidation": {
                "Id": self.id,
                // I-10: entries are removed at once in the preview, so it is already Completed.
                "Status": "Completed",
                "CreateTime": self.create_time,
                "InvalidationBatch": {
                    "Paths": {"Quantity": self.paths.len(), "Items": self.paths},
                    "CallerReference": self.caller_reference
                }
            }
        })
    }
}

/// The invalidations created on this preview.
#[derive(Debug, Default)]
pub struct Registry {
    pub items: Mutex<Vec<Invalidation>>,
}

/// Why an invalidation batch was refused, with the API's code and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

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

/// Routes one admin request.
pub async fn handle<B>(control: Arc<Control>, req: Request<B>) -> Response<Full<Bytes>>
where
    B: hyper::body::Body<Data = Bytes>,
{
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
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
                &json!({"InvalidationList": {"Marker": "", "MaxItems": 100, "IsTruncated": false, "Quantity": list.len(), "Items": list}}),
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
