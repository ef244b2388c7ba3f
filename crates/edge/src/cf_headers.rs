//! The CloudFront-* request headers of spec H-9 (DG *Adding CloudFront request headers*): made
//! only when a cache policy, an origin request policy or legacy `ForwardedValues` names them, and
//! then part of the cache key and of the origin request like any named header (K-3, K-6).
//!
//! There is no GeoIP database locally. A viewer-sent value of a location header stands in for it
//! (so `curl -H 'CloudFront-Viewer-City: Lyon'` tests a geo-dependent origin), the country also
//! comes from `--viewer-country`, and `-Country-Name` is looked up from the country code. A
//! location header with no stand-in is left out, as CloudFront leaves out what it cannot
//! determine.

use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Version};

use crate::conn::{Conn, version_str};
use crate::dist::{Behavior, Dist};

pub use crate::conn::{Handshake, openssl_cipher_name};

/// DG: "Headers beyond the character limit of 7,680 are truncated" (`-Header-Order`).
pub const HEADER_ORDER_LIMIT: usize = 7_680;

/// The device-type headers, set from User-Agent (and the reason X-7 keeps `Vary: User-Agent`).
pub const DEVICE: &[&str] = &[
    "cloudfront-is-android-viewer",
    "cloudfront-is-desktop-viewer",
    "cloudfront-is-ios-viewer",
    "cloudfront-is-mobile-viewer",
    "cloudfront-is-smarttv-viewer",
    "cloudfront-is-tablet-viewer",
];

/// Location headers whose viewer-sent value stands in for GeoIP (the country is handled apart:
/// it also drives geo restriction, S-9, and has `--viewer-country`).
const GEO_STAND_INS: &[&str] = &[
    "cloudfront-viewer-asn",
    "cloudfront-viewer-city",
    "cloudfront-viewer-country-region",
    "cloudfront-viewer-country-region-name",
    "cloudfront-viewer-latitude",
    "cloudfront-viewer-longitude",
    "cloudfront-viewer-metro-code",
    "cloudfront-viewer-postal-code",
    "cloudfront-viewer-time-zone",
];

/// Per-request facts that the connection knows and hyper's request does not carry; the server
/// hands them to `pipeline::handle` beside the request.
#[derive(Debug, Clone, Default)]
pub struct ViewerFacts {
    /// Header names as the viewer sent them, in order and case (HTTP/1.x, recorded by
    /// [`crate::tap::HeadTap`]). None: the request's own (lower-case) names stand in.
    pub names: Option<Vec<Box<str>>>,
    /// Requests served on this connection before this one.
    pub earlier_requests: u64,
}

/// What [`add`] reads about the viewer and its request.
pub struct Viewer<'a> {
    pub conn: &'a Conn,
    pub version: Version,
    /// S-9: the viewer's country (its own `CloudFront-Viewer-Country`, else `--viewer-country`).
    pub country: Option<&'a str>,
    /// The request's headers as received (before hop-by-hop stripping).
    pub received: &'a HeaderMap,
    pub facts: &'a ViewerFacts,
}

/// `Vary: User-Agent` is kept when a device-type header is keyed or forwarded.
pub fn device_headers_named(b: &Behavior) -> bool {
    DEVICE.iter().any(|n| b.names_header(n))
}

/// Does any behavior name `-Header-Order`? Only then does the server record request heads.
pub fn header_order_named(dist: &Dist) -> bool {
    dist.behaviors
        .iter()
        .any(|b| b.names_header("cloudfront-viewer-header-order"))
}

/// spec H-9: adds the CloudFront-* headers `b` names to `headers` (the viewer's, hop-by-hop
/// already stripped). Viewer-sent CloudFront-* headers are dropped first; the location ones
/// are read from `v.received` as GeoIP stand-ins.
pub fn add(headers: &mut HeaderMap, b: &Behavior, v: &Viewer<'_>) {
    let viewer_sent: Vec<HeaderName> = headers
        .keys()
        .filter(|k| k.as_str().starts_with("cloudfront-"))
        .cloned()
        .collect();
    for k in viewer_sent {
        headers.remove(k);
    }
    if !b.names_cloudfront_header() {
        return;
    }
    let wanted = |n: &str| b.names_header(n);
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mobile = ua.contains("mobile") || ua.contains("android") || ua.contains("iphone");
    let tablet = ua.contains("ipad") || ua.contains("tablet");
    let smarttv = ua.contains("smart-tv") || ua.contains("smarttv");
    let flags = [
        ("cloudfront-is-android-viewer", ua.contains("android")),
        (
            "cloudfront-is-ios-viewer",
            ua.contains("iphone") || ua.contains("ipad"),
        ),
        ("cloudfront-is-mobile-viewer", mobile),
        ("cloudfront-is-tablet-viewer", tablet),
        ("cloudfront-is-smarttv-viewer", smarttv),
        (
            "cloudfront-is-desktop-viewer",
            !mobile && !tablet && !smarttv,
        ),
    ];
    for (n, on) in flags {
        if wanted(n) {
            headers.insert(
                HeaderName::from_static(n),
                HeaderValue::from_static(if on { "true" } else { "false" }),
            );
        }
    }
    if wanted("cloudfront-forwarded-proto") {
        headers.insert(
            "cloudfront-forwarded-proto",
            HeaderValue::from_static(if v.conn.https { "https" } else { "http" }),
        );
    }
    if let (true, Some(c)) = (wanted("cloudfront-viewer-country"), v.country)
        && let Ok(val) = HeaderValue::from_str(c)
    {
        headers.insert("cloudfront-viewer-country", val);
    }
    // The viewer's own country name wins; else the name of the country code.
    if wanted("cloudfront-viewer-country-name")
        && let Some(name) = stand_in(v.received, "cloudfront-viewer-country-name")
            .or_else(|| v.country.and_then(country_name).and_then(geo_value))
    {
        headers.insert("cloudfront-viewer-country-name", name);
    }
    for n in GEO_STAND_INS {
        if wanted(n)
            && let Some(val) = stand_in(v.received, n)
        {
            headers.insert(HeaderName::from_static(n), val);
        }
    }
    if wanted("cloudfront-viewer-address")
        && let Ok(val) =
            HeaderValue::from_str(&format!("{}:{}", v.conn.peer.ip(), v.conn.peer.port()))
    {
        headers.insert("cloudfront-viewer-address", val);
    }
    if wanted("cloudfront-viewer-http-version") {
        headers.insert(
            "cloudfront-viewer-http-version",
            HeaderValue::from_static(version_str(v.version)),
        );
    }
    if wanted("cloudfront-viewer-header-order") {
        let order = match v.facts.names.as_deref() {
            Some(names) => header_order(names.iter().map(|n| &**n)),
            None => header_order(v.received.keys().flat_map(|k| {
                // One name per header line: a repeated header counts each time.
                std::iter::repeat_n(k.as_str(), v.received.get_all(k).iter().count())
            })),
        };
        if let Ok(val) = HeaderValue::from_str(&order) {
            headers.insert("cloudfront-viewer-header-order", val);
        }
    }
    if wanted("cloudfront-viewer-header-count") {
        headers.insert(
            "cloudfront-viewer-header-count",
            HeaderValue::from(v.received.len()),
        );
    }
    // -TLS and -JA3-Fingerprint exist only for HTTPS viewers (DG).
    if let Some(hs) = &v.conn.handshake {
        if wanted("cloudfront-viewer-tls")
            && let Ok(val) = HeaderValue::from_str(&hs.viewer_tls(v.facts.earlier_requests))
        {
            headers.insert("cloudfront-viewer-tls", val);
        }
        if wanted("cloudfront-viewer-ja3-fingerprint")
            && let Some(ja3) = &hs.ja3
            && let Ok(val) = HeaderValue::from_str(ja3)
        {
            headers.insert("cloudfront-viewer-ja3-fingerprint", val);
        }
    }
}

/// `-Header-Order`: names joined with `:`, whole names only up to [`HEADER_ORDER_LIMIT`].
pub fn header_order<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for n in names {
        let extra = n.len() + usize::from(!out.is_empty());
        if out.len() + extra > HEADER_ORDER_LIMIT {
            break;
        }
        if !out.is_empty() {
            out.push(':');
        }
        out.push_str(n);
    }
    out
}

/// A viewer-sent location header as a stand-in value: trimmed, non-empty, non-ASCII bytes
/// percent-encoded (DG: CloudFront percent-encodes non-ASCII characters in these values).
fn stand_in(received: &HeaderMap, name: &str) -> Option<HeaderValue> {
    let raw = received.get(name)?.as_bytes().trim_ascii();
    if raw.is_empty() {
        return None;
    }
    let text = percent_encoding::percent_encode(raw, percent_encoding::CONTROLS).to_string();
    HeaderValue::from_str(&text).ok()
}

/// A looked-up location value as a header value (non-ASCII percent-encoded, as [`stand_in`]).
fn geo_value(text: &str) -> Option<HeaderValue> {
    let encoded =
        percent_encoding::utf8_percent_encode(text, percent_encoding::CONTROLS).to_string();
    HeaderValue::from_str(&encoded).ok()
}

/// The English short name of an ISO 3166-1 alpha-2 country code (case-insensitive): the
/// model's table, shared with the console's geo restriction list.
pub use cfconsole_model::country_name;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn country_names_are_the_models() {
        // The table and its checks live in the model (`describe::countries`); the edge serves
        // `CloudFront-Viewer-Country-Name` from it.
        assert_eq!(country_name("fr"), Some("France"));
        assert_eq!(country_name("XK"), None);
    }

    #[test]
    fn header_order_joins_and_truncates_whole_names() {
        let long = "X".repeat(HEADER_ORDER_LIMIT - 5);
        let rows: &[(&[&str], &str)] = &[
            (&[], ""),
            (&["Host"], "Host"),
            (
                &["Host", "User-Agent", "Accept", "Accept-Encoding"],
                "Host:User-Agent:Accept:Accept-Encoding",
            ),
            (&["a", "A", "a"], "a:A:a"),
            // 7,675 + ":Host" = 7,680 fits; one more name does not.
            (&[&long, "Host", "b"], &format!("{long}:Host")),
        ];
        for (names, want) in rows {
            let got = header_order(names.iter().copied());
            assert_eq!(&got, want, "{names:?}");
            assert!(got.len() <= HEADER_ORDER_LIMIT);
        }
    }

    #[test]
    fn viewer_tls_values_and_cipher_names() {
        use rustls::CipherSuite as C;
        for (suite, name) in [
            (C::TLS13_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256"),
            (C::TLS13_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384"),
            (
                C::TLS13_CHACHA20_POLY1305_SHA256,
                "TLS_CHACHA20_POLY1305_SHA256",
            ),
            (
                C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                "ECDHE-ECDSA-AES128-GCM-SHA256",
            ),
            (
                C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                "ECDHE-RSA-AES256-GCM-SHA384",
            ),
            (
                C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                "ECDHE-RSA-CHACHA20-POLY1305",
            ),
        ] {
            assert_eq!(openssl_cipher_name(suite), name);
        }
        // Every suite the preview can negotiate has an OpenSSL name.
        for s in rustls::crypto::ring::default_provider().cipher_suites {
            assert!(
                !openssl_cipher_name(s.suite()).starts_with("TLS13_"),
                "{:?}",
                s.suite()
            );
        }
        let hs = |resumed| Handshake {
            protocol: "TLSv1.3",
            cipher: "TLS_AES_128_GCM_SHA256".into(),
            resumed,
            ja3: None,
        };
        let rows = [
            (false, 0, "TLSv1.3:TLS_AES_128_GCM_SHA256:fullHandshake"),
            (true, 0, "TLSv1.3:TLS_AES_128_GCM_SHA256:sessionResumed"),
            (false, 1, "TLSv1.3:TLS_AES_128_GCM_SHA256:connectionReused"),
            (true, 5, "TLSv1.3:TLS_AES_128_GCM_SHA256:connectionReused"),
        ];
        for (resumed, earlier, want) in rows {
            assert_eq!(hs(resumed).viewer_tls(earlier), want);
        }
    }

    /// A distribution whose default behavior keys and forwards `headers` (legacy, K-10).
    fn dist(headers: &[&str]) -> Dist {
        crate::dist::tests::dist(serde_json::json!({
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
                "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"},
                    "Headers": {"Quantity": headers.len(), "Items": headers}}}
        }))
    }

    fn conn(handshake: Option<Handshake>) -> Conn {
        Conn {
            peer: "192.0.2.7:50123".parse().unwrap(),
            local: "127.0.0.1:443".parse().unwrap(),
            https: handshake.is_some(),
            handshake: handshake.map(Arc::new),
        }
    }

    fn run(
        names: &[&str],
        received: &[(&str, &str)],
        c: &Conn,
        facts: Option<&ViewerFacts>,
    ) -> HeaderMap {
        let d = dist(names);
        let mut map = HeaderMap::new();
        for (n, v) in received {
            map.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }
        let country = map
            .get("cloudfront-viewer-country")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut out = map.clone();
        let unrecorded = ViewerFacts::default();
        add(
            &mut out,
            d.default_behavior(),
            &Viewer {
                conn: c,
                version: Version::HTTP_11,
                country: country.as_deref(),
                received: &map,
                facts: facts.unwrap_or(&unrecorded),
            },
        );
        out
    }

    #[test]
    fn h9_generated_values_table() {
        let plain = conn(None);
        let tls = conn(Some(Handshake {
            protocol: "TLSv1.2",
            cipher: "ECDHE-ECDSA-AES128-GCM-SHA256".into(),
            resumed: false,
            ja3: Some("0123456789abcdef0123456789abcdef".into()),
        }));
        let recorded = ViewerFacts {
            names: Some(vec![
                "Host".into(),
                "User-Agent".into(),
                "X-A".into(),
                "x-a".into(),
            ]),
            earlier_requests: 2,
        };
        type Row<'a> = (
            &'a str,
            &'a [&'a str],
            &'a [(&'a str, &'a str)],
            &'a Conn,
            Option<&'a ViewerFacts>,
            &'a [(&'a str, Option<&'a str>)],
        );
        let rows: &[Row<'_>] = &[
            (
                "geo stand-ins pass through, others absent",
                &[
                    "CloudFront-Viewer-City",
                    "CloudFront-Viewer-Postal-Code",
                    "CloudFront-Viewer-Time-Zone",
                ],
                &[
                    ("cloudfront-viewer-city", " Lyon "),
                    ("cloudfront-viewer-time-zone", "Europe/Paris"),
                    ("cloudfront-viewer-latitude", "45.75"),
                ],
                &plain,
                None,
                &[
                    ("cloudfront-viewer-city", Some("Lyon")),
                    ("cloudfront-viewer-time-zone", Some("Europe/Paris")),
                    ("cloudfront-viewer-postal-code", None),
                    ("cloudfront-viewer-latitude", None),
                ],
            ),
            (
                "non-ASCII stand-in percent-encoded",
                &["CloudFront-Viewer-City"],
                &[("cloudfront-viewer-city", "Zürich")],
                &plain,
                None,
                &[("cloudfront-viewer-city", Some("Z%C3%BCrich"))],
            ),
            (
                "country name from the code",
                &[
                    "CloudFront-Viewer-Country-Name",
                    "CloudFront-Viewer-Country",
                ],
                &[("cloudfront-viewer-country", "CI")],
                &plain,
                None,
                &[
                    ("cloudfront-viewer-country-name", Some("C%C3%B4te d'Ivoire")),
                    ("cloudfront-viewer-country", Some("CI")),
                ],
            ),
            (
                "viewer's country name wins",
                &["CloudFront-Viewer-Country-Name"],
                &[
                    ("cloudfront-viewer-country", "US"),
                    ("cloudfront-viewer-country-name", "USA"),
                ],
                &plain,
                None,
                &[
                    ("cloudfront-viewer-country-name", Some("USA")),
                    ("cloudfront-viewer-country", None),
                ],
            ),
            (
                "unknown code: no name",
                &["CloudFront-Viewer-Country-Name"],
                &[("cloudfront-viewer-country", "ZZ")],
                &plain,
                None,
                &[("cloudfront-viewer-country-name", None)],
            ),
            (
                "header order and count from the request map",
                &[
                    "CloudFront-Viewer-Header-Order",
                    "CloudFront-Viewer-Header-Count",
                ],
                &[("host", "h"), ("accept", "*/*"), ("x-a", "1"), ("x-a", "2")],
                &plain,
                None,
                &[
                    (
                        "cloudfront-viewer-header-order",
                        Some("host:accept:x-a:x-a"),
                    ),
                    ("cloudfront-viewer-header-count", Some("4")),
                ],
            ),
            (
                "header order as recorded",
                &["CloudFront-Viewer-Header-Order"],
                &[
                    ("host", "h"),
                    ("user-agent", "u"),
                    ("x-a", "1"),
                    ("x-a", "2"),
                ],
                &plain,
                Some(&recorded),
                &[(
                    "cloudfront-viewer-header-order",
                    Some("Host:User-Agent:X-A:x-a"),
                )],
            ),
            (
                "TLS and JA3 over HTTPS",
                &["CloudFront-Viewer-TLS", "CloudFront-Viewer-JA3-Fingerprint"],
                &[],
                &tls,
                None,
                &[
                    (
                        "cloudfront-viewer-tls",
                        Some("TLSv1.2:ECDHE-ECDSA-AES128-GCM-SHA256:fullHandshake"),
                    ),
                    (
                        "cloudfront-viewer-ja3-fingerprint",
                        Some("0123456789abcdef0123456789abcdef"),
                    ),
                ],
            ),
            (
                "TLS on a reused connection",
                &["CloudFront-Viewer-TLS"],
                &[],
                &tls,
                Some(&recorded),
                &[(
                    "cloudfront-viewer-tls",
                    Some("TLSv1.2:ECDHE-ECDSA-AES128-GCM-SHA256:connectionReused"),
                )],
            ),
            (
                "no TLS headers over HTTP",
                &[
                    "CloudFront-Viewer-TLS",
                    "CloudFront-Viewer-JA3-Fingerprint",
                    "CloudFront-Forwarded-Proto",
                ],
                &[],
                &plain,
                None,
                &[
                    ("cloudfront-viewer-tls", None),
                    ("cloudfront-viewer-ja3-fingerprint", None),
                    ("cloudfront-forwarded-proto", Some("http")),
                ],
            ),
            (
                "viewer-sent headers not named are dropped",
                &["CloudFront-Viewer-Address"],
                &[
                    ("cloudfront-viewer-city", "Lyon"),
                    ("cloudfront-viewer-tls", "forged"),
                ],
                &plain,
                None,
                &[
                    ("cloudfront-viewer-city", None),
                    ("cloudfront-viewer-tls", None),
                    ("cloudfront-viewer-address", Some("192.0.2.7:50123")),
                ],
            ),
        ];
        for (name, names, received, c, facts, want) in rows {
            let out = run(names, received, c, *facts);
            for (h, v) in *want {
                assert_eq!(out.get(*h).map(|x| x.to_str().unwrap()), *v, "{name}: {h}");
            }
        }
    }

    #[test]
    fn x7_device_headers_named() {
        assert!(device_headers_named(
            dist(&["CloudFront-Is-Mobile-Viewer"]).default_behavior()
        ));
        assert!(!device_headers_named(
            dist(&["CloudFront-Viewer-Country"]).default_behavior()
        ));
        assert!(header_order_named(&dist(&[
            "CloudFront-Viewer-Header-Order"
        ])));
        assert!(!header_order_named(&dist(&[
            "CloudFront-Viewer-Header-Count"
        ])));
    }
}
