//! spec H-9 (CloudFront-* request headers) and X-7 (`Vary: User-Agent`) through real sockets:
//! raw HTTP/1.1 on the plain listener, rustls clients on the HTTPS listener, and the scripted
//! origin recording what reached it.

mod common;

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use cfconsole_edge::Override;
use cfconsole_model::PolicySet;
use common::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// An origin request policy `id` that forwards exactly `headers` (K-9 whitelist).
fn orp(id: &str, headers: &[&str]) -> Value {
    json!({"OriginRequestPolicy": {"Id": id, "LastModifiedTime": "2024-01-01T00:00:00Z",
        "OriginRequestPolicyConfig": {"Name": id,
            "HeadersConfig": {"HeaderBehavior": "whitelist",
                "Headers": {"Quantity": headers.len(), "Items": headers}},
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}}})
}

/// A cache policy `id` whose key holds `headers` (K-6).
fn cache_policy(id: &str, headers: &[&str]) -> Value {
    json!({"CachePolicy": {"Id": id, "LastModifiedTime": "2024-01-01T00:00:00Z",
        "CachePolicyConfig": {
        "Name": id, "MinTTL": 0, "DefaultTTL": 100, "MaxTTL": 1000,
        "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
            "HeadersConfig": {"HeaderBehavior": "whitelist",
                "Headers": {"Quantity": headers.len(), "Items": headers}},
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}})
}

fn policies(list: Vec<Value>) -> PolicySet {
    PolicySet::from_json(&Value::Array(list).to_string()).expect("test policies parse")
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn h9_orp_headers_reach_the_origin_with_order_count_and_geo_stand_ins() {
    let o = Origin::start(|_| Scripted::ok("x")).await;
    let named = [
        "CloudFront-Viewer-Header-Order",
        "CloudFront-Viewer-Header-Count",
        "CloudFront-Viewer-City",
        "CloudFront-Viewer-Country-Name",
        "CloudFront-Viewer-Postal-Code",
        "CloudFront-Viewer-TLS",
        "CloudFront-Viewer-JA3-Fingerprint",
    ];
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED, "OriginRequestPolicyId": "orp-h9"}),
        json!({}),
    );
    let e = edge_with(cfg, &[("o1", Override::parse(&o.url()).unwrap())], |c| {
        c.policies = policies(vec![orp("orp-h9", &named)]);
        c.viewer_country = Some("FR".into());
    })
    .await;
    // Two pipelined requests on one connection, header names in mixed case, a repeated name
    // split by another header.
    let req = format!(
        "GET /a HTTP/1.1\r\nHost: {DOMAIN}\r\nX-Dup: 1\r\nUser-Agent: t/1\r\naccept: */*\r\n\
         CloudFront-Viewer-City: Lyon\r\nCloudFront-Viewer-Time-Zone: Europe/Paris\r\n\
         x-dup: 2\r\n\r\n\
         GET /b HTTP/1.1\r\nX-First: 1\r\nHost: {DOMAIN}\r\nConnection: close\r\n\r\n"
    );
    let resp = raw(e.edge.http_addr.unwrap(), req.as_bytes()).await;
    assert_eq!(resp.matches("HTTP/1.1 200").count(), 2, "{resp}");
    let seen = o.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "CachingDisabled: both reach the origin");
    let (a, b) = (&seen[0], &seen[1]);
    assert_eq!(a.uri, "/a");
    assert_eq!(
        header(a, "cloudfront-viewer-header-order"),
        Some(
            "Host:X-Dup:User-Agent:accept:CloudFront-Viewer-City:CloudFront-Viewer-Time-Zone:x-dup"
        ),
        "H-9: names in the order and case the viewer sent them"
    );
    assert_eq!(header(a, "cloudfront-viewer-header-count"), Some("7"));
    assert_eq!(
        header(a, "cloudfront-viewer-city"),
        Some("Lyon"),
        "H-9 decision: the viewer's value stands in for GeoIP"
    );
    assert_eq!(
        header(a, "cloudfront-viewer-country-name"),
        Some("France"),
        "H-9: the name of the --viewer-country code"
    );
    for absent in [
        // Named, but nothing to tell: no stand-in sent; no TLS on the plain listener.
        "cloudfront-viewer-postal-code",
        "cloudfront-viewer-tls",
        "cloudfront-viewer-ja3-fingerprint",
        // Not named (the viewer's own value is dropped too).
        "cloudfront-viewer-time-zone",
        "cloudfront-viewer-country",
        "cloudfront-viewer-address",
        "cloudfront-viewer-http-version",
        "cloudfront-is-desktop-viewer",
        "cloudfront-forwarded-proto",
    ] {
        assert_eq!(header(a, absent), None, "H-9: {absent} absent");
    }
    assert_eq!(b.uri, "/b");
    assert_eq!(
        header(b, "cloudfront-viewer-header-order"),
        Some("X-First:Host:Connection"),
        "the second request of the connection gets its own head"
    );
    assert_eq!(header(b, "cloudfront-viewer-header-count"), Some("3"));
    assert_eq!(
        header(b, "cloudfront-viewer-city"),
        None,
        "no stand-in sent"
    );
    assert_eq!(header(b, "cloudfront-viewer-country-name"), Some("France"));
    e.edge.stop().await;
}

#[tokio::test]
async fn h9_viewer_country_header_beats_the_flag_and_unnamed_geo_is_not_keyed() {
    // Country and its name in the cache key (K-6), everything else about geo not named.
    let o = Origin::start(|s| {
        Scripted::ok(&format!(
            "{:?}",
            s.headers.get("cloudfront-viewer-country-name")
        ))
        .header("cache-control", "max-age=60")
    })
    .await;
    let cfg = config(json!({"CachePolicyId": "cp-geo"}), json!({}));
    let e = edge_with(cfg, &[("o1", Override::parse(&o.url()).unwrap())], |c| {
        c.policies = policies(vec![cache_policy(
            "cp-geo",
            &[
                "CloudFront-Viewer-Country",
                "CloudFront-Viewer-Country-Name",
            ],
        )]);
        c.viewer_country = Some("FR".into());
    })
    .await;
    let de = [("cloudfront-viewer-country", "de")];
    let r = e.req("GET", "/g", &de, "").await;
    assert_eq!(
        r.text(),
        "Some(\"Germany\")",
        "the viewer's country wins (S-9)"
    );
    assert_eq!(r.x_cache(), "Miss from cloudfront");
    let r = e
        .req("GET", "/g", &[("cloudfront-viewer-city", "Berlin")], "")
        .await;
    assert_eq!(r.text(), "Some(\"France\")", "--viewer-country otherwise");
    assert_eq!(
        r.x_cache(),
        "Miss from cloudfront",
        "K-6: another country, another key"
    );
    let r = e.req("GET", "/g", &de, "").await;
    assert_eq!(r.x_cache(), "Hit from cloudfront");
    assert_eq!(o.hits(), 2);
    assert_eq!(
        header(&o.last(), "cloudfront-viewer-city"),
        None,
        "H-9: a viewer-sent CloudFront header that is not named never reaches the origin"
    );
    e.edge.stop().await;
}

/// A TCP stream that keeps a copy of every byte the client writes (its ClientHello).
struct Recorded {
    inner: TcpStream,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl AsyncRead for Recorded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Recorded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &polled {
            this.sent.lock().unwrap().extend_from_slice(&buf[..*n]);
        }
        polled
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

fn client(
    cert_pem: &str,
    version: &'static rustls::SupportedProtocolVersion,
    suite: rustls::SupportedCipherSuite,
) -> Arc<rustls::ClientConfig> {
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites = vec![suite];
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap())
        .unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// One TLS connection to the edge, with the bytes the client sent on it.
struct Viewer {
    tls: tokio_rustls::client::TlsStream<Recorded>,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl Viewer {
    async fn connect(addr: std::net::SocketAddr, config: Arc<rustls::ClientConfig>) -> Viewer {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let tcp = Recorded {
            inner: TcpStream::connect(addr).await.unwrap(),
            sent: sent.clone(),
        };
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .expect("TLS handshake with the edge");
        Viewer { tls, sent }
    }

    /// The JA3 of this connection's ClientHello, from the bytes the client really sent.
    fn ja3(&self) -> String {
        cfconsole_edge::ja3::fingerprint(&self.sent.lock().unwrap()).expect("a whole ClientHello")
    }

    /// Sends a raw HTTP/1.1 request and reads its whole response (Content-Length framed).
    async fn exchange(&mut self, request: &str) -> String {
        self.tls.write_all(request.as_bytes()).await.unwrap();
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\r\n\r\n") {
            self.tls.read_exact(&mut byte).await.unwrap();
            got.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&got).to_string();
        let len: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        self.tls.read_exact(&mut body).await.unwrap();
        head
    }
}

#[tokio::test]
async fn h9_tls_and_ja3_over_the_https_listener() {
    let o = Origin::start(|_| Scripted::ok("secure")).await;
    let pem = cfconsole_edge::tls::generate(&["localhost".into(), DOMAIN.into()]).unwrap();
    let cert = pem.cert.clone();
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED, "OriginRequestPolicyId": "orp-tls"}),
        json!({}),
    );
    let e = edge_with(cfg, &[("o1", Override::parse(&o.url()).unwrap())], |c| {
        c.policies = policies(vec![orp(
            "orp-tls",
            &[
                "CloudFront-Viewer-TLS",
                "CloudFront-Viewer-JA3-Fingerprint",
                "CloudFront-Viewer-Header-Order",
                "CloudFront-Forwarded-Proto",
            ],
        )]);
        c.https_listen = Some("127.0.0.1:0".parse().unwrap());
        c.certificate = Some(pem);
    })
    .await;
    let addr = e.edge.https_addr.unwrap();
    let req = format!("GET /t HTTP/1.1\r\nHost: {DOMAIN}\r\nX-First: 1\r\nAccept: */*\r\n\r\n");
    let tls13 = client(
        &cert,
        &rustls::version::TLS13,
        rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256,
    );

    let mut v = Viewer::connect(addr, tls13.clone()).await;
    assert!(v.exchange(&req).await.starts_with("HTTP/1.1 200"));
    let first = o.last();
    assert_eq!(
        header(&first, "cloudfront-viewer-tls"),
        Some("TLSv1.3:TLS_AES_128_GCM_SHA256:fullHandshake"),
        "H-9: version:cipher:handshake, OpenSSL cipher names"
    );
    let ja3 = v.ja3();
    assert_eq!(
        header(&first, "cloudfront-viewer-ja3-fingerprint"),
        Some(ja3.as_str()),
        "H-9: MD5 of the JA3 of the ClientHello this client sent"
    );
    assert_eq!(header(&first, "cloudfront-forwarded-proto"), Some("https"));
    assert_eq!(
        header(&first, "cloudfront-viewer-header-order"),
        Some("Host:X-First:Accept"),
        "heads are read after TLS too"
    );
    // The same connection again: reused.
    assert!(v.exchange(&req).await.starts_with("HTTP/1.1 200"));
    assert_eq!(
        header(&o.last(), "cloudfront-viewer-tls"),
        Some("TLSv1.3:TLS_AES_128_GCM_SHA256:connectionReused")
    );
    assert_eq!(
        header(&o.last(), "cloudfront-viewer-ja3-fingerprint"),
        Some(ja3.as_str())
    );
    drop(v);

    // A new connection resumes the session this client was given.
    let mut v = Viewer::connect(addr, tls13).await;
    assert!(v.exchange(&req).await.starts_with("HTTP/1.1 200"));
    assert_eq!(
        header(&o.last(), "cloudfront-viewer-tls"),
        Some("TLSv1.3:TLS_AES_128_GCM_SHA256:sessionResumed")
    );
    let resumed_ja3 = v.ja3();
    assert_ne!(
        resumed_ja3, ja3,
        "a resuming ClientHello carries a PSK extension"
    );
    assert_eq!(
        header(&o.last(), "cloudfront-viewer-ja3-fingerprint"),
        Some(resumed_ja3.as_str())
    );

    // TLS 1.2 with an ECDSA certificate.
    let tls12 = client(
        &cert,
        &rustls::version::TLS12,
        rustls::crypto::ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    );
    let mut v = Viewer::connect(addr, tls12).await;
    assert!(v.exchange(&req).await.starts_with("HTTP/1.1 200"));
    assert_eq!(
        header(&o.last(), "cloudfront-viewer-tls"),
        Some("TLSv1.2:ECDHE-ECDSA-AES128-GCM-SHA256:fullHandshake")
    );
    let ja3_12 = v.ja3();
    assert_eq!(
        header(&o.last(), "cloudfront-viewer-ja3-fingerprint"),
        Some(ja3_12.as_str())
    );
    e.edge.stop().await;
}

#[tokio::test]
async fn x7_vary_user_agent_kept_only_with_device_headers() {
    let o = Origin::start(|_| {
        Scripted::ok("v")
            .header("vary", "User-Agent, Accept-Encoding, X-Other")
            .header("cache-control", "max-age=60")
    })
    .await;
    let behavior = |pattern: &str, extra: Value| {
        let mut b = json!({"PathPattern": pattern, "TargetOriginId": "o1",
            "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED});
        merge(&mut b, extra);
        b
    };
    let cfg = config(
        json!({"CachePolicyId": CACHING_DISABLED}),
        json!({"CacheBehaviors": {"Quantity": 2, "Items": [
            behavior("key/*", json!({"CachePolicyId": "cp-device"})),
            behavior("orp/*", json!({"OriginRequestPolicyId": "orp-device"})),
        ]}}),
    );
    let e = edge_with(cfg, &[("o1", Override::parse(&o.url()).unwrap())], |c| {
        c.policies = policies(vec![
            cache_policy("cp-device", &["CloudFront-Is-Mobile-Viewer"]),
            orp("orp-device", &["CloudFront-Is-Desktop-Viewer"]),
        ]);
    })
    .await;
    let ua = [("user-agent", "Mozilla/5.0 (iPhone) Mobile")];
    let r = e.req("GET", "/key/a", &ua, "").await;
    assert_eq!(
        r.h("vary"),
        Some("User-Agent, Accept-Encoding"),
        "X-7: device headers in the key keep Vary: User-Agent"
    );
    assert_eq!(
        header(&o.last(), "cloudfront-is-mobile-viewer"),
        Some("true"),
        "K-3: keyed headers reach the origin"
    );
    let r = e.req("GET", "/orp/a", &ua, "").await;
    assert_eq!(
        r.h("vary"),
        Some("User-Agent, Accept-Encoding"),
        "X-7: device headers forwarded by the ORP keep it too"
    );
    let r = e.req("GET", "/other", &ua, "").await;
    assert_eq!(
        r.h("vary"),
        Some("Accept-Encoding"),
        "X-7: without device headers User-Agent is dropped"
    );
    e.edge.stop().await;
}
