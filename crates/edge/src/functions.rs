//! CloudFront Functions at the edge (spec CF-1…CF-10 in `docs/edge-behavior.md`): the functions
//! a preview has code for, their association with behaviors, and running them where
//! CloudFront does.
//!
//! - CF-3 viewer request: after the behavior is chosen and its checks pass (protocol, method),
//!   before the cache lookup; the cache key and the origin request follow the request the
//!   function returns. The behavior stays the one chosen (a new URI does not re-route).
//! - CF-5 a response a viewer-request function returns goes to the viewer as it is: no cache,
//!   no origin, no custom error page, no viewer-response function (the Guide is silent on the
//!   last; the preview runs none).
//! - CF-6 viewer response: on every response to the viewer, hits included, except when its
//!   status is 400 or more (the Guide: not when the origin returns 400 or higher; the preview
//!   applies that to the edge's own errors too).
//! - CF-7 what a function sees: the viewer's headers lower-cased without `Cookie` (cookies are
//!   their own field) and without the headers functions cannot see; query values as they came
//!   in the URL (not percent-decoded: the Guide does not say, and an unchanged value must reach
//!   the origin as it came).
//! - CF-8 a function that throws, runs over its budget or memory, or returns what CloudFront
//!   cannot use: 503 `FunctionExecutionError`. CF-9 a disallowed or read-only header: 502.
//! - CF-10 the access log's result type is `FunctionGeneratedResponse` or
//!   `FunctionExecutionError`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cfconsole_functions::event::{Fields, Request, Response, SetCookie};
use cfconsole_functions::{Event, EventType, Function, Invocation, KvsView, Limits, Output};
use hyper::HeaderMap;
use hyper::header::{self, HeaderName, HeaderValue};

/// A function the preview can run, with its associated store.
pub struct EdgeFunction {
    pub name: String,
    pub function: Function,
    pub kvs: Option<KvsView>,
}

/// The functions a preview serves with, by name.
#[derive(Default)]
pub struct FunctionSet {
    pub by_name: HashMap<String, Arc<EdgeFunction>>,
    /// `--skip-functions`: serve a behavior whose function has no code without it.
    pub skip_missing: bool,
    pub limits: Limits,
    /// The runs the request tester asked to see, by the key it sent in [`TRACE_HEADER`].
    pub trace: Mutex<HashMap<String, Vec<Run>>>,
}

impl std::fmt::Debug for FunctionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.by_name.keys().collect();
        names.sort();
        f.debug_struct("FunctionSet")
            .field("functions", &names)
            .field("skip_missing", &self.skip_missing)
            .finish()
    }
}

impl FunctionSet {
    pub fn insert(&mut self, f: EdgeFunction) {
        self.by_name.insert(f.name.clone(), Arc::new(f));
    }
}

/// The name in a FunctionARN (`arn:aws:cloudfront::123456789012:function/Name`).
pub fn name_of(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// One function's run on one request, as the request tester shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Run {
    pub function: String,
    pub event_type: &'static str,
    /// The request (viewer request) or response (viewer response) before, as event JSON.
    pub before: serde_json::Value,
    /// What the function returned, as event JSON (none when it failed).
    pub after: Option<serde_json::Value>,
    pub logs: Vec<String>,
    pub compute_utilization: u32,
    pub error: Option<String>,
    pub error_line: Option<u32>,
}

/// The request header the request tester sets to have a request's runs kept under its value.
pub const TRACE_HEADER: &str = "x-cfconsole-trace";

/// Headers functions neither see nor may add (Developer Guide, *Restrictions on all edge
/// functions*, "Disallowed headers"); `x-amz-cf-` and `x-edge-` prefixes too.
const DISALLOWED: &[&str] = &[
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "trailer",
    "upgrade",
    "x-accel-buffering",
    "x-accel-charset",
    "x-accel-limit-rate",
    "x-accel-redirect",
    "x-amzn-auth",
    "x-amzn-cf-billing",
    "x-amzn-cf-id",
    "x-amzn-cf-xff",
    "x-amzn-errortype",
    "x-amzn-fle-profile",
    "x-amzn-header-count",
    "x-amzn-header-order",
    "x-amzn-lambda-integration-tag",
    "x-amzn-requestid",
    "x-cache",
    "x-forwarded-proto",
    "x-real-ip",
    TRACE_HEADER,
];

fn disallowed(name: &str) -> bool {
    DISALLOWED.contains(&name) || name.starts_with("x-amz-cf-") || name.starts_with("x-edge-")
}

/// Read-only headers: viewer request (`CDN-Loop`, `Content-Length`, `Host`,
/// `Transfer-Encoding`, `Via`) and viewer response (`Warning`, `Via`).
fn read_only(event: EventType, name: &str) -> bool {
    match event {
        EventType::ViewerRequest => matches!(
            name,
            "cdn-loop" | "content-length" | "host" | "transfer-encoding" | "via"
        ),
        EventType::ViewerResponse => matches!(name, "warning" | "via"),
    }
}

/// Headers as a function sees them: lower-case names, several values in arrival order,
/// without `Cookie`/`Set-Cookie` and the disallowed ones.
fn fields_of(headers: &HeaderMap) -> Fields {
    let mut out: Fields = Vec::new();
    for (name, value) in headers {
        let n = name.as_str();
        if n == "cookie" || n == "set-cookie" || disallowed(n) {
            continue;
        }
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.iter_mut().find(|(k, _)| k == n) {
            Some((_, vs)) => vs.push(v),
            None => out.push((n.to_owned(), vec![v])),
        }
    }
    out
}

/// CF-7: `a=1&b=2&a=3` as fields, values as they are in the URL.
pub fn query_fields(query: Option<&str>) -> Fields {
    let mut out: Fields = Vec::new();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match out.iter_mut().find(|(n, _)| n == k) {
            Some((_, vs)) => vs.push(v.to_owned()),
            None => out.push((k.to_owned(), vec![v.to_owned()])),
        }
    }
    out
}

fn query_string(fields: &Fields) -> Option<String> {
    let parts: Vec<String> = fields
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}={v}")))
        .collect();
    (!parts.is_empty()).then(|| parts.join("&"))
}

fn cookie_fields(headers: &HeaderMap) -> Fields {
    let mut out: Fields = Vec::new();
    for v in headers.get_all(header::COOKIE) {
        for c in String::from_utf8_lossy(v.as_bytes()).split(';') {
            let c = c.trim();
            if c.is_empty() {
                continue;
            }
            let (k, v) = c.split_once('=').unwrap_or((c, ""));
            match out.iter_mut().find(|(n, _)| n == k) {
                Some((_, vs)) => vs.push(v.to_owned()),
                None => out.push((k.to_owned(), vec![v.to_owned()])),
            }
        }
    }
    out
}

fn set_cookie_fields(headers: &HeaderMap) -> Vec<(String, Vec<SetCookie>)> {
    let mut out: Vec<(String, Vec<SetCookie>)> = Vec::new();
    for v in headers.get_all(header::SET_COOKIE) {
        let text = String::from_utf8_lossy(v.as_bytes());
        let (pair, attributes) = match text.split_once(';') {
            Some((p, a)) => (p, Some(a.trim().to_owned())),
            None => (text.as_ref(), None),
        };
        let (k, val) = pair.split_once('=').unwrap_or((pair, ""));
        let c = SetCookie {
            value: val.trim().to_owned(),
            attributes,
        };
        match out.iter_mut().find(|(n, _)| n == k.trim()) {
            Some((_, cs)) => cs.push(c),
            None => out.push((k.trim().to_owned(), vec![c])),
        }
    }
    out
}

/// What a failed or refused run makes of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// CF-8: 503.
    Execution,
    /// CF-9: 502.
    InvalidHeader,
}

/// The facts an event is built from.
pub struct Facts<'a> {
    pub distribution_id: &'a str,
    pub domain: &'a str,
    pub request_id: &'a str,
    pub viewer_ip: String,
}

fn event(facts: &Facts<'_>, event_type: EventType, request: Request) -> Event {
    Event {
        event_type,
        distribution_id: facts.distribution_id.to_owned(),
        distribution_domain: facts.domain.to_owned(),
        request_id: facts.request_id.to_owned(),
        viewer_ip: facts.viewer_ip.clone(),
        request,
        response: None,
    }
}

/// The viewer request as an event's `request`.
pub fn request_of(method: &str, uri: &str, query: Option<&str>, headers: &HeaderMap) -> Request {
    Request {
        method: method.to_owned(),
        uri: uri.to_owned(),
        querystring: query_fields(query),
        headers: fields_of(headers),
        cookies: cookie_fields(headers),
    }
}

/// The request to go on with after a viewer-request function.
pub struct Changed {
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
}

/// A viewer-request function's outcome.
pub enum ViewerRequestOutcome {
    Continue(Changed),
    Respond(Response),
    Fail(Failure),
}

fn header_map(
    fields: &Fields,
    event_type: EventType,
    original: &HeaderMap,
) -> Result<HeaderMap, Failure> {
    let mut out = HeaderMap::with_capacity(fields.len() + 4);
    for (name, values) in fields {
        if disallowed(name) {
            return Err(Failure::InvalidHeader);
        }
        let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| Failure::Execution)?;
        if read_only(event_type, name) {
            let before: Vec<&[u8]> = original.get_all(&n).iter().map(|v| v.as_bytes()).collect();
            let after: Vec<&[u8]> = values.iter().map(|v| v.as_bytes()).collect();
            if before != after {
                return Err(Failure::InvalidHeader);
            }
        }
        for v in values {
            out.append(
                n.clone(),
                HeaderValue::from_str(v).map_err(|_| Failure::Execution)?,
            );
        }
    }
    // Read-only headers a function dropped stay as they were; disallowed ones it never saw pass.
    for (n, v) in original {
        let s = n.as_str();
        if (read_only(event_type, s) || (disallowed(s) && s != TRACE_HEADER))
            && !out.contains_key(n)
        {
            out.append(n.clone(), v.clone());
        }
    }
    Ok(out)
}

/// Keeps a run for the request tester under its key; only a request that asked is traced
/// (nothing is made for the others).
fn record(set: &FunctionSet, key: Option<&str>, run: impl FnOnce() -> Run) {
    if let Some(k) = key {
        let run = run();
        let mut t = set.trace.lock().unwrap_or_else(|e| e.into_inner());
        if t.len() > 64 {
            t.clear();
        }
        t.entry(k.to_owned()).or_default().push(run);
    }
}

fn run_of(f: &EdgeFunction, ev: &Event, before: serde_json::Value, inv: &Invocation) -> Run {
    let (after, error, error_line) = match &inv.output {
        Ok(Output::Request(r)) => (Some(r.to_json()), None, None),
        Ok(Output::Response(r)) => (Some(r.to_json()), None, None),
        Err(e) => (None, Some(e.message.clone()), e.line),
    };
    Run {
        function: f.name.clone(),
        event_type: ev.event_type.as_str(),
        before,
        after,
        logs: inv.logs.clone(),
        compute_utilization: inv.compute_utilization,
        error,
        error_line,
    }
}

/// CF-3: runs a viewer-request function on the request.
pub fn viewer_request(
    set: &FunctionSet,
    f: &EdgeFunction,
    facts: &Facts<'_>,
    request: Request,
    headers: &HeaderMap,
    trace: Option<&str>,
) -> ViewerRequestOutcome {
    let ev = event(facts, EventType::ViewerRequest, request);
    let before = trace.map(|_| ev.request.to_json());
    let inv = f.function.invoke(&ev, f.kvs.clone(), &set.limits);
    record(set, trace, || {
        run_of(f, &ev, before.unwrap_or_default(), &inv)
    });
    match inv.output {
        Err(_) => ViewerRequestOutcome::Fail(Failure::Execution),
        Ok(Output::Response(r)) => {
            if r.headers.iter().any(|(n, _)| disallowed(n)) {
                return ViewerRequestOutcome::Fail(Failure::InvalidHeader);
            }
            ViewerRequestOutcome::Respond(r)
        }
        Ok(Output::Request(r)) => {
            let mut map = match header_map(&r.headers, EventType::ViewerRequest, headers) {
                Ok(m) => m,
                Err(e) => return ViewerRequestOutcome::Fail(e),
            };
            let cookies: Vec<String> = r
                .cookies
                .iter()
                .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}={v}")))
                .collect();
            if !cookies.is_empty() {
                match HeaderValue::from_str(&cookies.join("; ")) {
                    Ok(v) => {
                        map.insert(header::COOKIE, v);
                    }
                    Err(_) => return ViewerRequestOutcome::Fail(Failure::Execution),
                }
            }
            let query = query_string(&r.querystring);
            if query.as_deref().is_some_and(|q| q.contains([' ', '#']))
                || r.uri.len() + query.as_ref().map_or(0, |q| q.len() + 1) > 8_192
            {
                return ViewerRequestOutcome::Fail(Failure::Execution);
            }
            ViewerRequestOutcome::Continue(Changed {
                path: r.uri,
                query,
                headers: map,
            })
        }
    }
}

/// CF-6: runs a viewer-response function on a response: its new status and headers.
pub fn viewer_response(
    set: &FunctionSet,
    f: &EdgeFunction,
    facts: &Facts<'_>,
    request: Request,
    status: u16,
    headers: &HeaderMap,
    trace: Option<&str>,
) -> Result<(u16, HeaderMap), Failure> {
    let mut ev = event(facts, EventType::ViewerResponse, request);
    ev.response = Some(Response {
        status,
        description: None,
        headers: fields_of(headers),
        cookies: set_cookie_fields(headers),
        body: None,
    });
    let before = trace.and(ev.response.as_ref()).map(Response::to_json);
    let inv = f.function.invoke(&ev, f.kvs.clone(), &set.limits);
    record(set, trace, || {
        run_of(f, &ev, before.unwrap_or_default(), &inv)
    });
    let r = match inv.output {
        Ok(Output::Response(r)) => r,
        _ => return Err(Failure::Execution),
    };
    let mut map = header_map(&r.headers, EventType::ViewerResponse, headers)?;
    append_set_cookies(&mut map, &r.cookies)?;
    Ok((r.status, map))
}

/// A response's `cookies` as `Set-Cookie` headers (`name=value; attributes`).
fn append_set_cookies(
    map: &mut HeaderMap,
    cookies: &[(String, Vec<SetCookie>)],
) -> Result<(), Failure> {
    for (name, cs) in cookies {
        for c in cs {
            let text = match &c.attributes {
                Some(a) => format!("{name}={}; {a}", c.value),
                None => format!("{name}={}", c.value),
            };
            let v = HeaderValue::from_str(&text).map_err(|_| Failure::Execution)?;
            map.append(header::SET_COOKIE, v);
        }
    }
    Ok(())
}

/// Headers of a generated response, checked (CF-9) and made a map.
pub fn generated_headers(r: &Response) -> Result<HeaderMap, Failure> {
    let mut map = HeaderMap::new();
    for (name, values) in &r.headers {
        if disallowed(name) {
            return Err(Failure::InvalidHeader);
        }
        let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| Failure::Execution)?;
        for v in values {
            map.append(
                n.clone(),
                HeaderValue::from_str(v).map_err(|_| Failure::Execution)?,
            );
        }
    }
    append_set_cookies(&mut map, &r.cookies)?;
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f7_query_values_stay_as_they_came_and_repeat_in_order() {
        let f = query_fields(Some("a=1&b=%20x&a=2&flag"));
        assert_eq!(
            f,
            vec![
                ("a".into(), vec!["1".into(), "2".into()]),
                ("b".into(), vec!["%20x".into()]),
                ("flag".into(), vec!["".into()]),
            ]
        );
        assert_eq!(query_string(&f).as_deref(), Some("a=1&a=2&b=%20x&flag="));
        assert_eq!(query_fields(None), vec![]);
    }

    #[test]
    fn f7_cookies_are_their_own_field_and_hidden_headers_are_not_seen() {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("example.com"));
        h.insert("cookie", HeaderValue::from_static("a=1; b=2"));
        h.insert("x-amz-cf-id", HeaderValue::from_static("x"));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let r = request_of("GET", "/", None, &h);
        assert_eq!(
            r.headers,
            vec![("host".to_string(), vec!["example.com".to_string()])]
        );
        assert_eq!(r.cookies.len(), 2);
    }

    #[test]
    fn f9_disallowed_and_changed_read_only_headers_are_refused() {
        let mut orig = HeaderMap::new();
        orig.insert("host", HeaderValue::from_static("example.com"));
        let ok: Fields = vec![("host".into(), vec!["example.com".into()])];
        assert!(header_map(&ok, EventType::ViewerRequest, &orig).is_ok());
        let host: Fields = vec![("host".into(), vec!["evil.com".into()])];
        assert_eq!(
            header_map(&host, EventType::ViewerRequest, &orig).unwrap_err(),
            Failure::InvalidHeader
        );
        let cf: Fields = vec![("x-amz-cf-pop".into(), vec!["x".into()])];
        assert_eq!(
            header_map(&cf, EventType::ViewerRequest, &orig).unwrap_err(),
            Failure::InvalidHeader
        );
        // A dropped read-only header stays.
        let none: Fields = vec![];
        let m = header_map(&none, EventType::ViewerRequest, &orig).unwrap();
        assert_eq!(m.get("host").unwrap(), "example.com");
    }

    #[test]
    fn names_come_from_the_arn() {
        assert_eq!(
            name_of("arn:aws:cloudfront::123456789012:function/Rewrite"),
            "Rewrite"
        );
        assert_eq!(name_of("Rewrite"), "Rewrite");
    }
}
