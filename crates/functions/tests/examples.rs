//! Functions of our own writing that do what AWS's published example functions do, run by the
//! runtime with their expected results; and the bounds: what CloudFront forbids is absent, and
//! code that throws, loops or allocates without end fails its call, never the process.

use std::sync::Arc;

use cfconsole_functions::event::{Request, Response};
use cfconsole_functions::kvs::Items;
use cfconsole_functions::{
    CountingAlloc, ErrorKind, Event, EventType, Invocation, KvsView, Limits, Output, Runtime,
    compile,
};

#[global_allocator]
static ALLOC: CountingAlloc<std::alloc::System> = CountingAlloc(std::alloc::System);

fn request(uri: &str) -> Request {
    Request {
        method: "GET".into(),
        uri: uri.into(),
        headers: vec![("host".into(), vec!["www.example.com".into()])],
        ..Request::default()
    }
}

fn event(req: Request) -> Event {
    Event {
        event_type: EventType::ViewerRequest,
        distribution_id: "EDFDVBD6EXAMPLE".into(),
        distribution_domain: "d111111abcdef8.cloudfront.net".into(),
        request_id: "req-1".into(),
        viewer_ip: "198.51.100.11".into(),
        request: req,
        response: None,
    }
}

fn run(runtime: Runtime, code: &str, ev: &Event, kvs: Option<KvsView>) -> Invocation {
    let f = compile("test", runtime, code).unwrap_or_else(|e| panic!("{e}"));
    f.invoke(ev, kvs, &Limits::default())
}

fn req_out(inv: &Invocation) -> &Request {
    match &inv.output {
        Ok(Output::Request(r)) => r,
        other => panic!("expected a request, got {other:?}"),
    }
}

fn resp_out(inv: &Invocation) -> &Response {
    match &inv.output {
        Ok(Output::Response(r)) => r,
        other => panic!("expected a response, got {other:?}"),
    }
}

fn header<'a>(fields: &'a [(String, Vec<String>)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.first())
        .map(String::as_str)
}

const INDEX_REWRITE: &str = r#"
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}"#;

#[test]
fn index_rewrite_for_static_sites_in_both_runtimes() {
    for rt in Runtime::ALL {
        for (uri, want) in [
            ("/about", "/about/index.html"),
            ("/blog/", "/blog/index.html"),
            ("/style.css", "/style.css"),
        ] {
            let inv = run(rt, INDEX_REWRITE, &event(request(uri)), None);
            assert_eq!(req_out(&inv).uri, want, "{rt} {uri}");
            assert!(inv.compute_utilization >= 1 && inv.compute_utilization <= 100);
        }
    }
}

#[test]
fn single_page_app_routes_everything_without_an_extension_to_the_index() {
    let code = r#"
function handler(event) {
    const request = event.request;
    if (!/\.[a-z0-9]+$/i.test(request.uri)) {
        request.uri = '/index.html';
    }
    return request;
}"#;
    let inv = run(
        Runtime::Js2,
        code,
        &event(request("/app/settings/profile")),
        None,
    );
    assert_eq!(req_out(&inv).uri, "/index.html");
    let inv = run(Runtime::Js2, code, &event(request("/assets/app.js")), None);
    assert_eq!(req_out(&inv).uri, "/assets/app.js");
}

#[test]
fn redirect_by_country() {
    let code = r#"
function handler(event) {
    const request = event.request;
    const headers = request.headers;
    const country = headers['cloudfront-viewer-country'];
    if (country && country.value === 'DE') {
        return {
            statusCode: 302,
            statusDescription: 'Found',
            headers: { location: { value: `https://${headers.host.value}/de${request.uri}` } },
        };
    }
    return request;
}"#;
    let mut req = request("/shop");
    req.headers
        .push(("cloudfront-viewer-country".into(), vec!["DE".into()]));
    let inv = run(Runtime::Js2, code, &event(req), None);
    let r = resp_out(&inv);
    assert_eq!(r.status, 302);
    assert_eq!(
        header(&r.headers, "location"),
        Some("https://www.example.com/de/shop")
    );
    let inv = run(Runtime::Js2, code, &event(request("/shop")), None);
    assert_eq!(req_out(&inv).uri, "/shop");
}

fn store(pairs: &[(&str, &str)]) -> KvsView {
    KvsView {
        items: Arc::new(
            Items::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap(),
        ),
        created: "2026-12-01T00:00:00Z".into(),
        modified: "2026-12-02T00:00:00Z".into(),
    }
}

const KVS_REDIRECT: &str = r#"import cf from 'cloudfront';
const kvs = cf.kvs();

async function handler(event) {
    const request = event.request;
    let target;
    try {
        target = await kvs.get(request.uri);
    } catch (err) {
        return request;
    }
    const meta = await kvs.meta();
    console.log(`redirect ${request.uri} -> ${target} (${meta.keyCount} keys)`);
    return {
        statusCode: 301,
        statusDescription: 'Moved Permanently',
        headers: { location: { value: target } },
    };
}"#;

#[test]
fn redirects_from_a_key_value_store() {
    let kvs = store(&[("/old", "/new"), ("/a", "/b")]);
    let inv = run(
        Runtime::Js2,
        KVS_REDIRECT,
        &event(request("/old")),
        Some(kvs.clone()),
    );
    let r = resp_out(&inv);
    assert_eq!(
        (r.status, header(&r.headers, "location")),
        (301, Some("/new"))
    );
    assert_eq!(inv.logs, vec!["redirect /old -> /new (2 keys)"]);
    let inv = run(
        Runtime::Js2,
        KVS_REDIRECT,
        &event(request("/other")),
        Some(kvs),
    );
    assert_eq!(req_out(&inv).uri, "/other");
}

#[test]
fn key_value_store_formats_exists_and_missing_keys() {
    let code = r#"import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    const cfg = await kvs.get('config', { format: 'json' });
    const raw = await kvs.get('config', { format: 'bytes' });
    const has = await kvs.exists('config');
    const hasNot = await kvs.exists('nope');
    let missing = 'no error';
    try { await kvs.get('nope'); } catch (e) { missing = 'error'; }
    const v = `${cfg.mode}:${raw.length}:${has}:${hasNot}:${missing}`;
    event.request.headers['x-cfg'] = { value: v };
    return event.request;
}"#;
    let kvs = store(&[("config", r#"{"mode":"beta"}"#)]);
    let inv = run(Runtime::Js2, code, &event(request("/")), Some(kvs));
    assert_eq!(
        header(&req_out(&inv).headers, "x-cfg"),
        Some("beta:15:true:false:error")
    );
}

#[test]
fn security_headers_on_the_viewer_response() {
    let code = r#"
function handler(event) {
    var response = event.response;
    var headers = response.headers;
    headers['strict-transport-security'] = {
        value: 'max-age=63072000; includeSubdomains; preload' };
    headers['x-content-type-options'] = { value: 'nosniff' };
    headers['x-frame-options'] = { value: 'DENY' };
    headers['referrer-policy'] = { value: 'same-origin' };
    delete headers['server'];
    return response;
}"#;
    let mut ev = event(request("/"));
    ev.event_type = EventType::ViewerResponse;
    ev.response = Some(Response {
        status: 200,
        description: Some("OK".into()),
        headers: vec![
            ("content-type".into(), vec!["text/html".into()]),
            ("server".into(), vec!["origin".into()]),
        ],
        ..Response::default()
    });
    let inv = run(Runtime::Js1, code, &ev, None);
    let r = resp_out(&inv);
    assert_eq!(r.status, 200);
    assert_eq!(header(&r.headers, "x-frame-options"), Some("DENY"));
    assert_eq!(header(&r.headers, "content-type"), Some("text/html"));
    assert_eq!(header(&r.headers, "server"), None);
}

#[test]
fn query_string_normalisation_sorts_lowercases_and_drops_utm_parameters() {
    let code = r#"
function handler(event) {
    const request = event.request;
    const qs = request.querystring;
    const out = {};
    Object.keys(qs).sort().forEach((k) => {
        if (k.startsWith('utm_')) return;
        out[k.toLowerCase()] = { value: qs[k].value.toLowerCase() };
    });
    request.querystring = out;
    return request;
}"#;
    let mut req = request("/search");
    req.querystring = vec![
        ("Q".into(), vec!["Shoes".into()]),
        ("utm_source".into(), vec!["mail".into()]),
        ("color".into(), vec!["Red".into()]),
    ];
    let inv = run(Runtime::Js2, code, &event(req), None);
    assert_eq!(
        req_out(&inv).querystring,
        vec![
            ("q".to_string(), vec!["shoes".to_string()]),
            ("color".to_string(), vec!["red".to_string()]),
        ]
    );
}

const AB_SPLIT: &str = r#"
const crypto = require('crypto');
function handler(event) {
    const request = event.request;
    const cookies = request.cookies;
    let group = cookies.group ? cookies.group.value : null;
    if (group !== 'a' && group !== 'b') {
        // A stable split on the viewer's address.
        const h = crypto.createHash('md5').update(event.viewer.ip).digest('hex');
        group = parseInt(h.slice(0, 2), 16) % 2 === 0 ? 'a' : 'b';
        cookies.group = { value: group };
    }
    request.uri = '/experiment-' + group + request.uri;
    return request;
}"#;

#[test]
fn a_cookie_based_a_b_split() {
    let mut req = request("/home");
    req.cookies = vec![("group".into(), vec!["b".into()])];
    let inv = run(Runtime::Js2, AB_SPLIT, &event(req), None);
    assert_eq!(req_out(&inv).uri, "/experiment-b/home");
    // No cookie: the split follows md5(ip); 198.51.100.11 hashes to 0x4c.. → even → a.
    let inv = run(Runtime::Js2, AB_SPLIT, &event(request("/home")), None);
    let r = req_out(&inv);
    assert_eq!(r.uri, "/experiment-a/home");
    assert_eq!(
        r.cookies,
        vec![("group".to_string(), vec!["a".to_string()])]
    );
}

const JWT_CHECK: &str = r#"
const crypto = require('crypto');
const querystring = require('querystring');
const KEY = 'LzdWGpAToQ1DqYuzHxE6YOqi7G3X2yvNBot9mCXfx5k';

function deny(reason) {
    return { statusCode: 401, statusDescription: 'Unauthorized',
             headers: { 'x-reason': { value: reason } } };
}

function handler(event) {
    const request = event.request;
    const jwt = request.querystring.jwt;
    const params = querystring.parse(jwt ? 'jwt=' + jwt.value : '');
    const token = params.jwt;
    if (!token) return deny('no token');
    const parts = token.split('.');
    if (parts.length !== 3) return deny('malformed');
    const expected = crypto.createHmac('sha256', KEY)
        .update(parts[0] + '.' + parts[1]).digest('base64url');
    if (expected !== parts[2]) return deny('bad signature');
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (payload.exp && Date.now() / 1000 > payload.exp) return deny('expired');
    delete request.querystring.jwt;
    request.headers['x-user'] = { value: payload.sub };
    return request;
}"#;

fn jwt(payload: &str) -> String {
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let head = b64.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let body = b64.encode(payload);
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(b"LzdWGpAToQ1DqYuzHxE6YOqi7G3X2yvNBot9mCXfx5k")
            .unwrap();
    mac.update(format!("{head}.{body}").as_bytes());
    format!("{head}.{body}.{}", b64.encode(mac.finalize().into_bytes()))
}

#[test]
fn a_jwt_check_with_crypto() {
    let with = |token: &str| {
        let mut req = request("/private");
        req.querystring = vec![("jwt".into(), vec![token.into()])];
        run(Runtime::Js2, JWT_CHECK, &event(req), None)
    };
    let inv = with(&jwt(r#"{"sub":"alice","exp":4102444800}"#));
    let r = req_out(&inv);
    assert_eq!(header(&r.headers, "x-user"), Some("alice"));
    assert!(r.querystring.is_empty());
    let reason = |inv: &Invocation| header(&resp_out(inv).headers, "x-reason").map(str::to_owned);
    assert_eq!(
        reason(&with(&jwt(r#"{"sub":"bob","exp":1}"#))).as_deref(),
        Some("expired")
    );
    let mut forged = jwt(r#"{"sub":"alice"}"#);
    forged.push('x');
    assert_eq!(reason(&with(&forged)).as_deref(), Some("bad signature"));
    let inv = run(Runtime::Js2, JWT_CHECK, &event(request("/private")), None);
    assert_eq!(resp_out(&inv).status, 401);
}

#[test]
fn hashes_and_hmacs_match_known_values() {
    let code = r#"
const crypto = require('crypto');
function handler(event) {
    const h = event.request.headers;
    h['x-md5'] = { value: crypto.createHash('md5').update('abc').digest('hex') };
    h['x-sha1'] = { value: crypto.createHash('sha1').update('abc').digest('base64') };
    h['x-sha256'] = { value: crypto.createHash('sha256').update('a').update('bc').digest('hex') };
    const fox = 'The quick brown fox jumps over the lazy dog';
    h['x-hmac'] = { value: crypto.createHmac('sha256', 'key').update(fox).digest('hex') };
    h['x-buf'] = { value: String(crypto.createHash('sha256').update('abc').digest().length) };
    return event.request;
}"#;
    let inv = run(Runtime::Js2, code, &event(request("/")), None);
    let h = &req_out(&inv).headers;
    assert_eq!(header(h, "x-md5"), Some("900150983cd24fb0d6963f7d28e17f72"));
    assert_eq!(header(h, "x-sha1"), Some("qZk+NkcGgWq6PiVxeFDCbJzQ2J0="));
    assert_eq!(
        header(h, "x-sha256"),
        Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(
        header(h, "x-hmac"),
        Some("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    );
    assert_eq!(header(h, "x-buf"), Some("32"));
}

#[test]
fn querystring_parses_and_stringifies_as_node_does() {
    let code = r#"
const qs = require('querystring');
function handler(event) {
    const p = qs.parse('name=value&abc=xyz&abc=123&sp=a+b%20c&flag');
    event.request.headers['x-parsed'] = { value: JSON.stringify(p) };
    const s = qs.stringify({ name: 'v w', abc: ['xyz', '123'], anotherName: '' });
    event.request.headers['x-str'] = { value: s };
    return event.request;
}"#;
    let inv = run(Runtime::Js2, code, &event(request("/")), None);
    let h = &req_out(&inv).headers;
    assert_eq!(
        header(h, "x-parsed"),
        Some(r#"{"name":"value","abc":["xyz","123"],"sp":"a b c","flag":""}"#)
    );
    assert_eq!(
        header(h, "x-str"),
        Some("name=v%20w&abc=xyz&abc=123&anotherName=")
    );
}

#[test]
fn what_cloudfront_forbids_is_absent() {
    for (expr, why) in [
        ("eval('1+1')", "eval"),
        ("new Function('return 1')()", "Function constructor"),
        (
            "(function(){}).constructor('return 1')()",
            "Function constructor via a function",
        ),
        ("setTimeout(function(){}, 1)", "timers"),
        ("require('fs')", "file system"),
        ("require('http')", "network"),
        ("fetch('http://example.com')", "network"),
        ("process.env", "process"),
    ] {
        let code =
            format!("function handler(event) {{\n  var x = {expr};\n  return event.request;\n}}");
        let inv = run(Runtime::Js2, &code, &event(request("/")), None);
        let err = inv.output.expect_err(why);
        assert_eq!(err.kind, ErrorKind::Exception, "{why}: {err:?}");
        // The engine places a call at its line; a missing global, at its function's start.
        assert!(matches!(err.line, Some(1 | 2)), "{why}: {err:?}");
        assert!(!err.message.contains("unknown at"), "{why}: {err:?}");
    }
}

#[test]
fn a_throw_names_its_message_and_line() {
    let code = "function handler(event) {\n  var a = 1;\n  throw new Error('boom');\n}";
    let inv = run(Runtime::Js2, code, &event(request("/")), None);
    let err = inv.output.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Exception);
    assert_eq!(err.message, "Error: boom");
    assert_eq!(err.line, Some(3));
}

#[test]
fn an_endless_loop_runs_out_of_compute_and_the_next_call_works() {
    let code = "function handler(event) {\n  if (event.request.uri === '/loop') { for (;;) {} }\n  \
                return event.request;\n}";
    let f = compile("loop", Runtime::Js2, code).unwrap();
    let inv = f.invoke(&event(request("/loop")), None, &Limits::default());
    assert_eq!(inv.output.unwrap_err().kind, ErrorKind::ComputeExceeded);
    assert!(inv.compute_utilization > 100);
    let inv = f.invoke(&event(request("/ok")), None, &Limits::default());
    assert_eq!(req_out(&inv).uri, "/ok");
}

#[test]
fn endless_recursion_is_cut_too() {
    let code = "function f(n) { return f(n + 1) + 1; }\nfunction handler(event) { f(0); }";
    let inv = run(Runtime::Js2, code, &event(request("/")), None);
    let err = inv.output.unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::ComputeExceeded | ErrorKind::Exception),
        "{err:?}"
    );
}

#[test]
fn endless_allocation_hits_the_memory_bound() {
    let code = "function handler(event) {\n  var keep = [];\n  for (var i = 0; ; i++) { \
                keep.push('x' + i + new Array(64).join('y')); }\n}";
    let limits = Limits {
        compute: 50_000_000,
        memory: 8 * 1024 * 1024,
    };
    let f = compile("hog", Runtime::Js2, code).unwrap();
    let inv = f.invoke(&event(request("/")), None, &limits);
    assert_eq!(inv.output.unwrap_err().kind, ErrorKind::MemoryExceeded);
}

#[test]
fn a_huge_buffer_is_refused() {
    let code = concat!(
        "function handler(event) {\n",
        "  var b = new ArrayBuffer(1 << 30);\n",
        "  return event.request;\n}"
    );
    let inv = run(Runtime::Js2, code, &event(request("/")), None);
    assert_eq!(inv.output.unwrap_err().kind, ErrorKind::Exception);
}

#[test]
fn runtime_1_0_byte_string_methods_and_digests() {
    let code = r#"
var crypto = require('crypto');
function handler(event) {
    var h = event.request.headers;
    h['x-b'] = { value: String.bytesFrom('68656c6c6f', 'hex') };
    h['x-u'] = { value: String(('é').toUTF8().length) };
    h['x-d'] = { value: String(crypto.createHash('sha256').update('abc').digest().length) };
    h['x-buffer'] = { value: typeof Buffer };
    return event.request;
}"#;
    let inv = run(Runtime::Js1, code, &event(request("/")), None);
    let h = &req_out(&inv).headers;
    assert_eq!(header(h, "x-b"), Some("hello"));
    assert_eq!(header(h, "x-u"), Some("2"));
    assert_eq!(header(h, "x-d"), Some("32"));
    assert_eq!(header(h, "x-buffer"), Some("undefined"));
}

#[test]
fn compute_is_deterministic() {
    let f = compile("idx", Runtime::Js2, INDEX_REWRITE).unwrap();
    let a = f.invoke(&event(request("/about")), None, &Limits::default());
    let b = f.invoke(&event(request("/about")), None, &Limits::default());
    assert_eq!(a.cost, b.cost);
    assert_eq!(a.compute_utilization, b.compute_utilization);
}
