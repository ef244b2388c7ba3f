//! The event as JavaScript objects, built straight from [`Event`] (no JSON text or
//! `serde_json::Value` in between: building the event is most of a small function's cost).
//! The shape is [`Event::to_json`]'s, which the tests compare it with.

use boa_engine::object::builtins::JsArray;
use boa_engine::{Context, JsObject, JsResult, JsString, JsValue, js_string};

use crate::event::{Event, Fields, Request, Response, SetCookie};

fn object(ctx: &Context) -> JsObject {
    JsObject::with_object_proto(ctx.intrinsics())
}

fn put(o: &JsObject, key: JsString, v: impl Into<JsValue>, ctx: &mut Context) -> JsResult<()> {
    o.create_data_property_or_throw(key, v, ctx).map(drop)
}

fn text(s: &str) -> JsValue {
    JsValue::from(JsString::from(s))
}

fn value_entry(v: &str, ctx: &mut Context) -> JsResult<JsObject> {
    let e = object(ctx);
    put(&e, js_string!("value"), text(v), ctx)?;
    Ok(e)
}

fn fields(f: &Fields, ctx: &mut Context) -> JsResult<JsObject> {
    let o = object(ctx);
    for (name, values) in f {
        let Some(first) = values.first() else {
            continue;
        };
        let entry = value_entry(first, ctx)?;
        if values.len() > 1 {
            let mut multi = Vec::with_capacity(values.len());
            for v in values {
                multi.push(JsValue::from(value_entry(v, ctx)?));
            }
            let arr = JsArray::from_iter(multi, ctx);
            put(&entry, js_string!("multiValue"), arr, ctx)?;
        }
        put(&o, JsString::from(name.as_str()), entry, ctx)?;
    }
    Ok(o)
}

fn set_cookies(c: &[(String, Vec<SetCookie>)], ctx: &mut Context) -> JsResult<JsObject> {
    let o = object(ctx);
    for (name, values) in c {
        let one = |c: &SetCookie, ctx: &mut Context| -> JsResult<JsObject> {
            let e = value_entry(&c.value, ctx)?;
            if let Some(a) = &c.attributes {
                put(&e, js_string!("attributes"), text(a), ctx)?;
            }
            Ok(e)
        };
        let Some(first) = values.first() else {
            continue;
        };
        let entry = one(first, ctx)?;
        if values.len() > 1 {
            let mut multi = Vec::with_capacity(values.len());
            for v in values {
                multi.push(JsValue::from(one(v, ctx)?));
            }
            let arr = JsArray::from_iter(multi, ctx);
            put(&entry, js_string!("multiValue"), arr, ctx)?;
        }
        put(&o, JsString::from(name.as_str()), entry, ctx)?;
    }
    Ok(o)
}

fn request(r: &Request, ctx: &mut Context) -> JsResult<JsObject> {
    let o = object(ctx);
    put(&o, js_string!("method"), text(&r.method), ctx)?;
    put(&o, js_string!("uri"), text(&r.uri), ctx)?;
    let q = fields(&r.querystring, ctx)?;
    put(&o, js_string!("querystring"), q, ctx)?;
    let h = fields(&r.headers, ctx)?;
    put(&o, js_string!("headers"), h, ctx)?;
    let c = fields(&r.cookies, ctx)?;
    put(&o, js_string!("cookies"), c, ctx)?;
    Ok(o)
}

fn response(r: &Response, ctx: &mut Context) -> JsResult<JsObject> {
    let o = object(ctx);
    put(&o, js_string!("statusCode"), i32::from(r.status), ctx)?;
    if let Some(d) = &r.description {
        put(&o, js_string!("statusDescription"), text(d), ctx)?;
    }
    let h = fields(&r.headers, ctx)?;
    put(&o, js_string!("headers"), h, ctx)?;
    let c = set_cookies(&r.cookies, ctx)?;
    put(&o, js_string!("cookies"), c, ctx)?;
    if let Some(b) = &r.body {
        let body = object(ctx);
        put(
            &body,
            js_string!("data"),
            text(&String::from_utf8_lossy(&b.0)),
            ctx,
        )?;
        put(&body, js_string!("encoding"), text("text"), ctx)?;
        put(&o, js_string!("body"), body, ctx)?;
    }
    Ok(o)
}

/// The event object a handler is called with.
pub(crate) fn event(e: &Event, ctx: &mut Context) -> JsResult<JsValue> {
    let o = object(ctx);
    put(&o, js_string!("version"), text("1.0"), ctx)?;
    let c = object(ctx);
    put(
        &c,
        js_string!("distributionDomainName"),
        text(&e.distribution_domain),
        ctx,
    )?;
    put(
        &c,
        js_string!("distributionId"),
        text(&e.distribution_id),
        ctx,
    )?;
    put(
        &c,
        js_string!("eventType"),
        text(e.event_type.as_str()),
        ctx,
    )?;
    put(&c, js_string!("requestId"), text(&e.request_id), ctx)?;
    put(&o, js_string!("context"), c, ctx)?;
    let v = object(ctx);
    put(&v, js_string!("ip"), text(&e.viewer_ip), ctx)?;
    put(&o, js_string!("viewer"), v, ctx)?;
    let r = request(&e.request, ctx)?;
    put(&o, js_string!("request"), r, ctx)?;
    if let Some(resp) = &e.response {
        let r = response(resp, ctx)?;
        put(&o, js_string!("response"), r, ctx)?;
    }
    Ok(o.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Body, EventType};

    #[test]
    fn the_built_event_is_the_json_event() {
        let e = Event {
            event_type: EventType::ViewerResponse,
            distribution_id: "E1".into(),
            distribution_domain: "d1.cloudfront.net".into(),
            request_id: "r".into(),
            viewer_ip: "127.0.0.1".into(),
            request: Request {
                method: "GET".into(),
                uri: "/a".into(),
                querystring: vec![("q".into(), vec!["1".into(), "2".into()])],
                headers: vec![("host".into(), vec!["example.com".into()])],
                cookies: vec![("id".into(), vec!["x".into()])],
            },
            response: Some(Response {
                status: 302,
                description: Some("Found".into()),
                headers: vec![("location".into(), vec!["/b".into()])],
                cookies: vec![(
                    "s".into(),
                    vec![SetCookie {
                        value: "1".into(),
                        attributes: Some("Path=/".into()),
                    }],
                )],
                body: Some(Body(b"hi".to_vec())),
            }),
        };
        let mut ctx = Context::default();
        let built = event(&e, &mut ctx)
            .unwrap()
            .to_json(&mut ctx)
            .unwrap()
            .unwrap();
        assert_eq!(built, e.to_json());
    }
}
