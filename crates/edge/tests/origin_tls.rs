//! HTTPS to origins (spec §13 O-2, O-5, O-8; V-4): a CA and certificates made with rcgen in the
//! test, HTTPS origins on 127.0.0.1:0 (tokio-rustls + hyper), the edge trusting the CA the way
//! `--origin-ca` makes it, and real sockets throughout.

mod common;

use std::sync::Arc;

use cfconsole_edge::Override;
use cfconsole_edge::tls::{CertPem, ViewerTls};
use common::*;
use serde_json::{Value, json};

/// A test CA and certificates it signs.
struct Ca {
    cert: rcgen::Certificate,
    key: rcgen::KeyPair,
}

impl Ca {
    fn new() -> Ca {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "cfconsole test origin CA");
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A server certificate for `names`; `expired` puts its validity in 2000.
    fn issue(&self, names: &[&str], expired: bool) -> CertPem {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2000, 12, 31);
        }
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        CertPem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }
}

fn server_tls(pem: &CertPem) -> Arc<rustls::ServerConfig> {
    cfconsole_edge::tls::server_config(pem, ViewerTls::default()).unwrap()
}

/// Origin `o1` at DomainName `localhost` with the given policy and ports, one attempt.
fn tls_config(policy: &str, http_port: u16, https_port: u16, protocols: &[&str]) -> Value {
    config(
        json!({}),
        json!({"Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "localhost",
            "CustomOriginConfig": {"HTTPPort": http_port, "HTTPSPort": https_port,
                "OriginProtocolPolicy": policy,
                "OriginSslProtocols": {"Quantity": protocols.len(), "Items": protocols},
                "OriginReadTimeout": 5, "OriginKeepaliveTimeout": 5},
            "ConnectionAttempts": 1, "ConnectionTimeout": 2}]}}),
    )
}

async fn edge_trusting(
    cfg: Value,
    ca: &Ca,
    tweak: impl FnOnce(&mut cfconsole_edge::EdgeConfig),
) -> TestEdge {
    let pem = ca.pem();
    edge_with(cfg, &[], move |c| {
        c.origin_ca = vec![pem];
        tweak(c);
    })
    .await
}

/// A GET over HTTPS to the edge's HTTPS listener, trusting `ca` (which signed the listener's
/// certificate).
async fn https_get(e: &TestEdge, ca: &Ca, path: &str) -> Resp {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.cert.der().clone()).unwrap();
    e.https_get(roots, path).await
}

#[tokio::test]
async fn https_only_origin_with_origin_ca_is_miss_then_hit_over_one_connection() {
    let ca = Ca::new();
    let o = Origin::start_tls(
        server_tls(&ca.issue(&["localhost", "127.0.0.1"], false)),
        |_| Scripted::ok("over tls").header("cache-control", "max-age=60"),
    )
    .await;
    let e = edge_trusting(
        tls_config("https-only", 80, o.addr.port(), &["TLSv1.2"]),
        &ca,
        |_| {},
    )
    .await;
    let r = e.get("/a").await;
    assert_eq!(r.status, 200, "O-2 https-only over TLS: {}", r.text());
    assert_eq!(r.x_cache(), "Miss from cloudfront");
    assert_eq!(r.text(), "over tls");
    let r = e.get("/a").await;
    assert_eq!(r.x_cache(), "Hit from cloudfront");
    assert_eq!(o.hits(), 1);
    assert_eq!(
        o.sni.lock().unwrap().as_slice(),
        ["localhost"],
        "SNI is the origin's DomainName"
    );
    assert_eq!(o.last().headers["host"], "localhost", "H-1");
    // spec O-8: a second miss reuses the kept-alive TLS connection.
    e.get("/b").await;
    assert_eq!(o.hits(), 2);
    assert_eq!(o.connections(), 1, "O-8: one pooled TLS connection");
    e.edge.stop().await;
}

#[tokio::test]
async fn untrusted_self_signed_origin_is_502_and_the_edge_keeps_serving() {
    let ca = Ca::new();
    // Self-signed, not issued by the trusted CA.
    let self_signed = cfconsole_edge::tls::generate(&["localhost".into()]).unwrap();
    let bad = Origin::start_tls(server_tls(&self_signed), |_| Scripted::ok("never")).await;
    let plain = Origin::start(|_| Scripted::ok("plain")).await;
    let cfg = tls_config("https-only", 80, bad.addr.port(), &["TLSv1.2"]);
    let cfg = {
        let mut c = cfg;
        merge(
            &mut c,
            json!({"CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/ok/*",
                "TargetOriginId": "o2", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": CACHING_OPTIMIZED}]}}),
        );
        let mut items = c["Origins"]["Items"].as_array().unwrap().clone();
        items.push(json!({"Id": "o2", "DomainName": "origin2.example",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                "OriginProtocolPolicy": "http-only"},
            "ConnectionAttempts": 1, "ConnectionTimeout": 1}));
        c["Origins"] = json!({"Quantity": 2, "Items": items});
        c
    };
    let pem = ca.pem();
    let e = edge_with(
        cfg,
        &[("o2", Override::parse(&plain.url()).unwrap())],
        move |c| c.origin_ca = vec![pem],
    )
    .await;
    let r = e.get("/x").await;
    assert_eq!(r.status, 502, "O-5: self-signed origin certificate");
    assert_eq!(r.x_cache(), "Error from cloudfront");
    assert!(
        r.text().contains("certificate is not trusted"),
        "{}",
        r.text()
    );
    assert_eq!(
        bad.hits(),
        0,
        "no HTTP request crossed the refused handshake"
    );
    assert!(bad.connections() >= 1, "the edge did try to connect");
    let r = e.get("/ok/y").await;
    assert_eq!(r.status, 200, "the edge keeps serving other origins");
    assert_eq!(r.text(), "plain");
    e.edge.stop().await;
}

#[tokio::test]
async fn hostname_mismatch_and_expired_certificate_are_502() {
    let ca = Ca::new();
    for (names, expired, why) in [
        (&["other.example"][..], false, "hostname mismatch"),
        (&["localhost"][..], true, "expired certificate"),
    ] {
        let o = Origin::start_tls(server_tls(&ca.issue(names, expired)), |_| {
            Scripted::ok("never")
        })
        .await;
        let e = edge_trusting(
            tls_config("https-only", 80, o.addr.port(), &["TLSv1.2"]),
            &ca,
            |_| {},
        )
        .await;
        let r = e.get("/x").await;
        assert_eq!(r.status, 502, "O-5: {why}");
        assert_eq!(r.x_cache(), "Error from cloudfront", "{why}");
        assert!(r.text().contains("certificate is not trusted"), "{why}");
        assert_eq!(o.hits(), 0, "{why}");
        e.edge.stop().await;
    }
}

#[tokio::test]
async fn origin_ssl_protocols_without_tls12_is_502_with_the_reason() {
    let ca = Ca::new();
    let o = Origin::start_tls(server_tls(&ca.issue(&["localhost"], false)), |_| {
        Scripted::ok("never")
    })
    .await;
    let e = edge_trusting(
        tls_config("https-only", 80, o.addr.port(), &["TLSv1"]),
        &ca,
        |_| {},
    )
    .await;
    let r = e.get("/x").await;
    assert_eq!(r.status, 502, "O-5: no protocol in common");
    assert_eq!(r.x_cache(), "Error from cloudfront");
    assert!(
        r.text().contains("OriginSslProtocols") && r.text().contains("TLSv1.2"),
        "the page says why: {}",
        r.text()
    );
    assert_eq!(o.connections(), 0, "decided before connecting");
    e.edge.stop().await;
}

#[tokio::test]
async fn match_viewer_uses_the_viewer_protocol_and_one_entry_serves_both() {
    let ca = Ca::new();
    let plain =
        Origin::start(|_| Scripted::ok("plain").header("cache-control", "max-age=60")).await;
    let tls = Origin::start_tls(server_tls(&ca.issue(&["localhost"], false)), |_| {
        Scripted::ok("tls").header("cache-control", "max-age=60")
    })
    .await;
    let listener = ca.issue(&["localhost", DOMAIN], false);
    let e = edge_trusting(
        tls_config(
            "match-viewer",
            plain.addr.port(),
            tls.addr.port(),
            &["TLSv1.2"],
        ),
        &ca,
        move |c| {
            c.https_listen = Some("127.0.0.1:0".parse().unwrap());
            c.certificate = Some(listener);
        },
    )
    .await;
    let r = e.get("/a").await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "plain"),
        "O-2: HTTP viewer → HTTP"
    );
    assert_eq!(r.x_cache(), "Miss from cloudfront");
    let r = https_get(&e, &ca, "/b").await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "tls"),
        "O-2: HTTPS viewer → HTTPS"
    );
    assert_eq!(r.x_cache(), "Miss from cloudfront");
    assert_eq!((plain.hits(), tls.hits()), (1, 1));
    // V-4: the protocol is not in the key; the entry filled over HTTP serves an HTTPS viewer.
    let r = https_get(&e, &ca, "/a").await;
    assert_eq!(r.x_cache(), "Hit from cloudfront");
    assert_eq!(r.text(), "plain");
    let r = e.get("/b").await;
    assert_eq!(r.x_cache(), "Hit from cloudfront", "V-4 the other way");
    assert_eq!(r.text(), "tls");
    assert_eq!(
        (plain.hits(), tls.hits()),
        (1, 1),
        "hits never reach an origin"
    );
    e.edge.stop().await;
}

#[tokio::test]
async fn https_override_checks_the_certificate_against_the_override_host() {
    let ca = Ca::new();
    let o = Origin::start_tls(server_tls(&ca.issue(&["127.0.0.1"], false)), |_| {
        Scripted::ok("override").header("cache-control", "max-age=60")
    })
    .await;
    // The configured origin is an http-only one elsewhere; the override sends it to HTTPS.
    let cfg = config(json!({}), json!({}));
    let pem = ca.pem();
    let url = format!("https://{}", o.addr);
    let e = edge_with(cfg, &[("o1", Override::parse(&url).unwrap())], move |c| {
        c.origin_ca = vec![pem]
    })
    .await;
    let r = e.get("/x").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "override");
    assert_eq!(
        o.last().headers["host"],
        "origin.example",
        "H-1 keeps the DomainName"
    );
    assert!(
        o.sni.lock().unwrap().is_empty(),
        "an IP literal is verified against the IP SAN and sent no SNI"
    );
    e.edge.stop().await;
}
