//! The runtime's cost per invocation for five representative functions (and the floor, a
//! handler that returns the request as it came) (an index rewrite, a
//! redirect from a key value store, security headers on the response, query-string
//! normalisation and a JWT check with `crypto`), each on a warm instance.
//!
//!     cargo bench -p cfconsole-functions --bench invoke

use std::sync::Arc;

use cfconsole_functions::event::{Request, Response};
use cfconsole_functions::kvs::Items;
use cfconsole_functions::{CountingAlloc, Event, EventType, KvsView, Limits, Runtime, compile};
use criterion::{Criterion, criterion_group, criterion_main};

#[global_allocator]
static ALLOC: CountingAlloc<std::alloc::System> = CountingAlloc(std::alloc::System);

fn event(uri: &str, query: &[(&str, &str)]) -> Event {
    Event {
        event_type: EventType::ViewerRequest,
        distribution_id: "EDFDVBD6EXAMPLE".into(),
        distribution_domain: "d111111abcdef8.cloudfront.net".into(),
        request_id: "bench".into(),
        viewer_ip: "198.51.100.11".into(),
        request: Request {
            method: "GET".into(),
            uri: uri.into(),
            querystring: query
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect(),
            headers: vec![
                ("host".into(), vec!["www.example.com".into()]),
                ("user-agent".into(), vec!["curl/8.5.0".into()]),
                ("accept".into(), vec!["*/*".into()]),
            ],
            cookies: vec![],
        },
        response: None,
    }
}

const INDEX: &str = "function handler(event) {\n  var r = event.request;\n  \
    if (r.uri.endsWith('/')) { r.uri += 'index.html'; } \
    else if (!r.uri.includes('.')) { r.uri += '/index.html'; }\n  return r;\n}";

const KVS: &str = "import cf from 'cloudfront';\nconst kvs = cf.kvs();\n\
    async function handler(event) {\n  try {\n    \
    const to = await kvs.get(event.request.uri);\n    \
    return { statusCode: 301, headers: { location: { value: to } } };\n  } \
    catch (e) { return event.request; }\n}";

const SECURITY: &str = "function handler(event) {\n  var h = event.response.headers;\n  \
    h['strict-transport-security'] = { value: 'max-age=63072000' };\n  \
    h['x-content-type-options'] = { value: 'nosniff' };\n  \
    h['x-frame-options'] = { value: 'DENY' };\n  return event.response;\n}";

const QUERY: &str = "function handler(event) {\n  \
    const r = event.request, q = r.querystring, o = {};\n  \
    Object.keys(q).sort().forEach((k) => { if (!k.startsWith('utm_')) \
    o[k.toLowerCase()] = { value: q[k].value.toLowerCase() }; });\n  \
    r.querystring = o;\n  return r;\n}";

const JWT: &str = "const crypto = require('crypto');\n\
    function handler(event) {\n  const t = event.request.querystring.jwt.value.split('.');\n  \
    const sig = crypto.createHmac('sha256', 'secret')\n    \
    .update(t[0] + '.' + t[1]).digest('base64url');\n  \
    if (sig !== t[2]) { return { statusCode: 401 }; }\n  \
    const p = JSON.parse(Buffer.from(t[1], 'base64url').toString());\n  \
    event.request.headers['x-user'] = { value: p.sub };\n  return event.request;\n}";

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let store = KvsView {
        items: Arc::new(
            Items::from_pairs((0..1000).map(|i| (format!("/old/{i}"), format!("/new/{i}"))))
                .unwrap(),
        ),
        created: "2026-12-01T00:00:00Z".into(),
        modified: "2026-12-01T00:00:00Z".into(),
    };
    let mut response = event("/", &[]);
    response.event_type = EventType::ViewerResponse;
    response.response = Some(Response {
        status: 200,
        description: Some("OK".into()),
        headers: vec![("content-type".into(), vec!["text/html".into()])],
        ..Response::default()
    });
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.\
                 DvIpmFUtlYvpoVJr1MPCi8FqHJnfR_lG0dnRWXB4gUQ";
    let cases: Vec<(&str, &str, Event, Option<KvsView>)> = vec![
        // The floor of a call: the event built, the handler run, the result read, no work.
        (
            "floor: return the request",
            "function handler(event) { return event.request; }",
            event("/about", &[]),
            None,
        ),
        ("index rewrite", INDEX, event("/about", &[]), None),
        ("kvs redirect", KVS, event("/old/500", &[]), Some(store)),
        ("security headers", SECURITY, response, None),
        (
            "query normalisation",
            QUERY,
            event(
                "/s",
                &[("Q", "Shoes"), ("utm_source", "x"), ("Color", "Red")],
            ),
            None,
        ),
        ("jwt check", JWT, event("/p", &[("jwt", token)]), None),
    ];
    let mut g = c.benchmark_group("invoke");
    for (name, code, ev, kvs) in cases {
        let f = compile(name, Runtime::Js2, code).unwrap();
        let first = f.invoke(&ev, kvs.clone(), &limits);
        assert!(first.output.is_ok(), "{name}: {:?}", first.output);
        g.bench_function(name, |b| b.iter(|| f.invoke(&ev, kvs.clone(), &limits)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
