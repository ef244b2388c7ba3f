//! What a viewer may send: the scheme and the method (spec V-1 to V-3; M-2, M-4, M-5): HTTP
//! redirected to HTTPS (301 for GET, 307 for POST) or refused with 403 under `https-only`, the
//! HTTPS listener serving with a generated certificate (its TLS fields in the access log, L-1),
//! a method the behavior does not allow refused with 403, and methods that are not cached always
//! sent to the origin. Real sockets, a scripted origin on 127.0.0.1:0, the manual clock.

mod common;

use std::time::Duration;

use cfconsole_edge::Override;
use common::*;
use serde_json::json;

#[tokio::test]
async fn v2_redirect_301_for_get_307_for_post_and_v1_https_only_403() {
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let cfg = config(
        json!({"ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": {"Quantity": 7,
            "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
            "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}}),
        json!({"CacheBehaviors": {"Quantity": 1, "Items": [
            {"PathPattern": "/secure/*", "TargetOriginId": "o1",
                "ViewerProtocolPolicy": "https-only", "CachePolicyId": CACHING_OPTIMIZED}]}}),
    );
    let e = edge_with(cfg, &[("o1", Override::parse(&o.url()).unwrap())], |c| {
        c.https_listen = Some("127.0.0.1:0".parse().unwrap())
    })
    .await;
    let r = e.get("/a/b?x=1").await;
    assert_eq!(r.status, 301, "V-2 GET");
    let port = e.edge.https_addr.unwrap().port();
    assert_eq!(
        r.h("location"),
        Some(format!("https://{DOMAIN}:{port}/a/b?x=1").as_str())
    );
    assert_eq!(r.x_cache(), "Redirect from cloudfront", "V-3");
    assert_eq!(r.h("server"), Some("CloudFront"), "X-5");
    let r = e.req("POST", "/form", &[], "a=1").await;
    assert_eq!(r.status, 307, "V-2 POST");
    let r = e.get("/secure/x").await;
    assert_eq!(r.status, 403, "V-1 https-only");
    assert_eq!(o.hits(), 0, "V-3: generated at the edge");
    e.edge.stop().await;
}

#[tokio::test]
async fn https_listener_serves_with_a_generated_certificate() {
    let o = Origin::start(|_| Scripted::ok("secure")).await;
    let pem = cfconsole_edge::tls::generate(&["localhost".into(), DOMAIN.into()]).unwrap();
    let cert_pem = pem.cert.clone();
    let cfg = config(json!({"ViewerProtocolPolicy": "https-only"}), json!({}));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let l2 = log.clone();
    let e = edge_with(cfg, &[("o1", Override::parse(&o.url()).unwrap())], |c| {
        c.https_listen = Some("127.0.0.1:0".parse().unwrap());
        c.certificate = Some(pem);
        c.access_log = Some(l2);
    })
    .await;
    // The root store trusts exactly the certificate the edge serves.
    let der = {
        let b64: String = cert_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        base64_std(&b64)
    };
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(der))
        .unwrap();
    let r = e.https_get(roots, "/s").await;
    assert_eq!(r.status, 200, "V-1: https-only is served over HTTPS");
    assert_eq!(r.text(), "secure");
    // Over plain HTTP the same path is refused (V-1).
    assert_eq!(e.get("/s").await.status, 403);
    // L-1: ssl-protocol and ssl-cipher (fields 21, 22) as CloudFront writes them, with OpenSSL's
    // cipher names (TLS_AES_128_GCM_SHA256, not rustls' TLS13_AES_128_GCM_SHA256).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let line = loop {
        let t = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(l) = t
            .lines()
            .find(|l| l.contains("\tHTTPS\t") || l.contains("\thttps\t"))
        {
            break l.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "no HTTPS line in {t}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(fields[20], "TLSv1.3", "{line}");
    assert!(
        [
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256"
        ]
        .contains(&fields[21]),
        "{line}"
    );
    e.edge.stop().await;
}

fn base64_std(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    } as u32;
    let bytes: Vec<u8> = s.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c) << (18 - 6 * i);
        }
        out.push((acc >> 16) as u8);
        if chunk.len() > 2 {
            out.push((acc >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(acc as u8);
        }
    }
    out
}

#[tokio::test]
async fn m4_disallowed_method_403_m5_post_always_forwarded() {
    let o = Origin::start(|s| {
        Scripted::ok(&format!(
            "{} {}",
            s.method,
            String::from_utf8_lossy(&s.body)
        ))
        .header("cache-control", "max-age=60")
    })
    .await;
    let cfg = config(
        json!({}),
        json!({"CacheBehaviors": {"Quantity": 1, "Items": [
        {"PathPattern": "/api/*", "TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all",
            "CachePolicyId": CACHING_DISABLED,
            "AllowedMethods": {"Quantity": 7,
                "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
                "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}}}]}}),
    );
    let e = edge(cfg, &o).await;
    let r = e.req("POST", "/page", &[], "x").await;
    assert_eq!(r.status, 403, "M-4");
    assert!(
        r.text()
            .contains("not configured to allow the HTTP request method")
    );
    assert_eq!(r.x_cache(), "Error from cloudfront");
    let r = e.req("DELETE", "/anything", &[], "").await;
    assert_eq!(r.status, 403, "M-4");
    assert_eq!(o.hits(), 0);
    for _ in 0..2 {
        let r = e.req("POST", "/api/x", &[], "body").await;
        assert_eq!(r.text(), "POST body");
        assert_eq!(r.x_cache(), "Miss from cloudfront", "M-5");
    }
    assert_eq!(o.hits(), 2, "M-2: POST never cached");
    e.edge.stop().await;
}
