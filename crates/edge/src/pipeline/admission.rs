//! The checks a request passes before anything is fetched (spec §1.1, S-9, D-1/D-2, P-1/P-3,
//! V-1/V-2): the viewer's country, the route to a behavior, the viewer protocol policy and its
//! redirect.

use bytes::Bytes;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode, Version};

use cfconsole_model::ViewerProtocolPolicy;

use crate::dist::{Behavior, Dist, strip_port};
use crate::error::EdgeError;
use crate::outcome::ResultType;

use super::{Reply, Shared};

/// The host a request names, as RFC 9112 §3.2 and §3.2.2 say (spec §1.1 then picks the
/// distribution by it, §19-14): a request with more than one `Host` header is refused (400); in
/// an absolute-form request (`GET http://name/ HTTP/1.1`) or an HTTP/2 one the request
/// target's authority replaces `Host`, which is rewritten to it so that every later step (the
/// host check, the HTTPS redirect, a forwarded `Host`, the log's x-host-header) sees the
/// request exactly as one with that `Host` would be seen. An authority with userinfo
/// (`user:password@name`) is refused (RFC 9110 §4.2.4) and never copied anywhere.
pub(crate) fn viewer_host(parts: &mut hyper::http::request::Parts) -> Result<(), EdgeError> {
    if parts.headers.get_all(header::HOST).iter().nth(1).is_some() {
        return Err(EdgeError::DuplicateHost);
    }
    if let Some(authority) = parts.uri.authority() {
        if authority.as_str().contains('@') {
            return Err(EdgeError::BadRequest);
        }
        let v = HeaderValue::from_str(authority.as_str()).map_err(|_| EdgeError::BadRequest)?;
        parts.headers.insert(header::HOST, v);
    }
    Ok(())
}

/// spec S-9: the viewer's country: its own `CloudFront-Viewer-Country` (no GeoIP locally), else
/// the `--viewer-country` stand-in.
pub(crate) fn viewer_country(received: &HeaderMap, fallback: Option<&str>) -> Option<String> {
    const VIEWER_COUNTRY: HeaderName = HeaderName::from_static("cloudfront-viewer-country");
    received
        .get(VIEWER_COUNTRY)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_ascii_uppercase())
        .or_else(|| fallback.map(str::to_string))
}

/// spec D-1/D-2/§19-4 then P-1/P-3: the path after the default root object replaced exactly
/// `/`, and the index in [`Dist::behaviors`] of the first behavior matching it (the default,
/// last, when none does).
pub(crate) fn route(dist: &Dist, raw_path: &str) -> (String, usize) {
    let path = match (&dist.default_root, raw_path) {
        (Some(root), "/") => format!("/{root}"),
        _ => raw_path.to_string(),
    };
    let bi = dist
        .compiled
        .select(&path)
        .unwrap_or(dist.behaviors.len() - 1);
    (path, bi)
}

/// What the viewer protocol policy does with a request (spec V-1, V-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    Serve,
    /// 403 from the edge: `https-only` over HTTP (V-1), or an HTTP/1.0 request other than
    /// GET/HEAD under `redirect-to-https` (it cannot follow a 307).
    Refuse,
    /// `redirect-to-https` over HTTP: 301 for GET/HEAD, 307 for the other methods (V-2).
    Redirect(StatusCode),
}

/// spec V-1/V-2: the viewer protocol policy of behavior `b` for one request.
pub(crate) fn viewer_protocol(
    b: &Behavior,
    https: bool,
    version: Version,
    method: &Method,
) -> Protocol {
    if https {
        return Protocol::Serve;
    }
    match b.viewer_protocol_policy {
        ViewerProtocolPolicy::AllowAll => Protocol::Serve,
        ViewerProtocolPolicy::HttpsOnly => Protocol::Refuse,
        ViewerProtocolPolicy::RedirectToHttps => {
            let get = matches!(*method, Method::GET | Method::HEAD);
            if version == Version::HTTP_10 && !get {
                Protocol::Refuse
            } else if get {
                Protocol::Redirect(StatusCode::MOVED_PERMANENTLY)
            } else {
                Protocol::Redirect(StatusCode::TEMPORARY_REDIRECT)
            }
        }
    }
}

/// spec V-2: 301 for GET/HEAD, 307 for the other methods (HTTP/1.1+), to the HTTPS URL.
pub(super) fn redirect(
    shared: &Shared,
    status: StatusCode,
    host: &str,
    path_and_query: &str,
    rid: &str,
) -> Reply {
    let name = strip_port(host);
    // §19-10 decision: same host and path; the port becomes the HTTPS listener's.
    let location = match *shared.https_port.read().unwrap_or_else(|e| e.into_inner()) {
        Some(443) | None => format!("https://{name}{path_and_query}"),
        Some(p) => format!("https://{name}:{p}{path_and_query}"),
    };
    let mut reply = Reply::edge(EdgeError::BadRequest, rid);
    reply.status = status;
    reply.body = Bytes::from(format!(
        "<html>\n<head><title>{status}</title></head>\n<body>\n<center><h1>{status}</h1></center>\n\
         <hr><center>CloudFront</center>\n</body>\n</html>\n"
    ));
    if let Ok(v) = HeaderValue::from_str(&location) {
        reply.headers.insert(header::LOCATION, v);
    }
    // spec V-3: result type Redirect.
    reply.result = ResultType::Redirect;
    reply.response_result = ResultType::Redirect;
    reply.detail = "Redirect";
    reply
}

#[cfg(test)]
mod tests {
    use super::super::testing::headers;
    use super::*;

    fn parts(req: hyper::Request<()>) -> hyper::http::request::Parts {
        req.into_parts().0
    }

    #[test]
    fn the_authority_of_an_absolute_form_target_replaces_host() {
        let mut p = parts(
            hyper::Request::get("http://foreign.example/a")
                .header("host", "d123.cloudfront.net")
                .body(())
                .unwrap(),
        );
        assert_eq!(viewer_host(&mut p), Ok(()));
        assert_eq!(p.headers.get_all(header::HOST).iter().count(), 1);
        assert_eq!(p.headers[header::HOST], "foreign.example");
        let mut p = parts(
            hyper::Request::get("/a")
                .header("host", "a.example")
                .header("host", "b.example")
                .body(())
                .unwrap(),
        );
        assert_eq!(viewer_host(&mut p), Err(EdgeError::DuplicateHost));
        let mut p = parts(
            hyper::Request::get("http://u:p@a.example/")
                .body(())
                .unwrap(),
        );
        assert_eq!(viewer_host(&mut p), Err(EdgeError::BadRequest));
        let mut p = parts(
            hyper::Request::get("/a")
                .header("host", "a.example")
                .body(())
                .unwrap(),
        );
        assert_eq!(viewer_host(&mut p), Ok(()));
        assert_eq!(p.headers[header::HOST], "a.example");
    }

    #[test]
    fn s9_viewer_country_header_else_the_stand_in() {
        let own = headers(&[("cloudfront-viewer-country", " de ")]);
        assert_eq!(viewer_country(&own, Some("US")).as_deref(), Some("DE"));
        let none = HeaderMap::new();
        assert_eq!(viewer_country(&none, Some("US")).as_deref(), Some("US"));
        assert_eq!(viewer_country(&none, None), None);
    }
}
