//! The connection a request arrived on and what its TLS handshake tells: facts that both the
//! CloudFront-* request headers (`cf_headers`, spec H-9) and the request pipeline use, kept
//! below both so neither depends on the other for them.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::Version;

/// The connection a request arrived on.
#[derive(Debug, Clone)]
pub struct Conn {
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub https: bool,
    /// The TLS handshake: ssl-protocol and ssl-cipher for the log, and spec H-9's
    /// CloudFront-Viewer-TLS and -JA3-Fingerprint.
    pub handshake: Option<Arc<Handshake>>,
}

/// What the TLS handshake of an HTTPS connection tells the log (`ssl-protocol`, `ssl-cipher`),
/// `-Viewer-TLS` and `-JA3-Fingerprint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// `TLSv1.3`, `TLSv1.2`.
    pub protocol: &'static str,
    /// `TLS_AES_128_GCM_SHA256`: the cipher suite as OpenSSL (and CloudFront) name it, see
    /// [`openssl_cipher_name`].
    pub cipher: Cow<'static, str>,
    /// An earlier TLS session was resumed (PSK or session ticket/id).
    pub resumed: bool,
    /// The JA3 fingerprint of the viewer's ClientHello, when it could be read.
    pub ja3: Option<String>,
}

impl Handshake {
    pub fn from_session(session: &rustls::ServerConnection, ja3: Option<String>) -> Self {
        let protocol = match session.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            Some(rustls::ProtocolVersion::TLSv1_1) => "TLSv1.1",
            _ => "TLSv1",
        };
        let cipher = session
            .negotiated_cipher_suite()
            .map(|s| openssl_cipher_name(s.suite()))
            .unwrap_or_default();
        Self {
            protocol,
            cipher,
            resumed: session.handshake_kind() == Some(rustls::HandshakeKind::Resumed),
            ja3,
        }
    }

    /// `-Viewer-TLS`: `version:cipher:handshake`, where the handshake is `connectionReused` for
    /// every request after the first on a connection.
    pub fn viewer_tls(&self, earlier_requests: u64) -> String {
        let how = if earlier_requests > 0 {
            "connectionReused"
        } else if self.resumed {
            "sessionResumed"
        } else {
            "fullHandshake"
        };
        let cipher = if self.cipher.is_empty() {
            "-"
        } else {
            &self.cipher
        };
        format!("{}:{cipher}:{how}", self.protocol)
    }
}

/// The OpenSSL name of a cipher suite, the form CloudFront's `-Viewer-TLS` values and its list
/// of supported ciphers use (`ECDHE-RSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`). Covers
/// every suite rustls offers; anything else keeps its IANA name.
pub fn openssl_cipher_name(suite: rustls::CipherSuite) -> Cow<'static, str> {
    use rustls::CipherSuite as C;
    Cow::Borrowed(match suite {
        C::TLS13_AES_128_GCM_SHA256 => "TLS_AES_128_GCM_SHA256",
        C::TLS13_AES_256_GCM_SHA384 => "TLS_AES_256_GCM_SHA384",
        C::TLS13_CHACHA20_POLY1305_SHA256 => "TLS_CHACHA20_POLY1305_SHA256",
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        other => return Cow::Owned(format!("{other:?}")),
    })
}

/// The protocol version as the origin request's `Via` (H-3) and
/// `CloudFront-Viewer-Http-Version` (H-9) write it: `1.0`, `1.1`, `2.0`, `3.0`.
pub(crate) fn version_str(v: Version) -> &'static str {
    match v {
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2.0",
        Version::HTTP_3 => "3.0",
        _ => "1.1",
    }
}
