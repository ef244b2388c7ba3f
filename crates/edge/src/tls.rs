//! The HTTPS listener's TLS configuration: a certificate generated at start with rcgen (for
//! localhost, 127.0.0.1, the distribution's domain and aliases), or the operator's PEM files.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use cfconsole_model::{HttpVersion, MinimumProtocolVersion};

/// A certificate chain and key in PEM.
#[derive(Debug, Clone)]
pub struct CertPem {
    pub cert: String,
    pub key: String,
}

/// Generates a self-signed certificate for `names` (IP literals become IP SANs).
pub fn generate(names: &[String]) -> Result<CertPem, String> {
    let certified = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|e| format!("cannot generate a certificate: {e}"))?;
    Ok(CertPem {
        cert: certified.cert.pem(),
        key: certified.key_pair.serialize_pem(),
    })
}

pub(crate) fn pem_blocks(pem: &str, label: &str) -> Vec<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start + begin.len()..];
        let Some(stop) = after.find(&end) else { break };
        let b64: String = after[..stop]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Some(der) = base64_decode(&b64) {
            out.push(der);
        }
        rest = &after[stop + end.len()..];
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c)? << (18 - 6 * i);
        }
        let n = chunk.len();
        out.push((acc >> 16) as u8);
        if n > 2 {
            out.push((acc >> 8) as u8);
        }
        if n > 3 {
            out.push(acc as u8);
        }
    }
    Some(out)
}

/// The viewer-facing TLS settings of a distribution that the preview can apply (S-4, S-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewerTls {
    /// `MinimumProtocolVersion` `TLSv1.3_2025`: TLS 1.3 only. Every other value is served as
    /// TLS 1.2+1.3: rustls implements neither SSLv3, TLS 1.0 nor 1.1, so older minimums cannot
    /// be reproduced locally (a viewer limited to them fails the handshake here).
    pub tls13_only: bool,
    /// `HttpVersion` `http1.1`: no HTTP/2 offered by ALPN (S-5). HTTP/3 is not served.
    pub http2: bool,
}

impl ViewerTls {
    pub fn from_config(config: &cfconsole_model::DistributionConfig) -> Self {
        let min = config
            .viewer_certificate
            .as_ref()
            .and_then(|v| v.minimum_protocol_version);
        // No HttpVersion is CloudFront's default, http2.
        let http2 = match config.http_version {
            Some(HttpVersion::Http1_1) => false,
            Some(HttpVersion::Http2 | HttpVersion::Http3 | HttpVersion::Http2and3) | None => true,
        };
        Self {
            tls13_only: min == Some(MinimumProtocolVersion::TLSv1_3_2025),
            http2,
        }
    }
}

impl Default for ViewerTls {
    fn default() -> Self {
        Self {
            tls13_only: false,
            http2: true,
        }
    }
}

/// A rustls server config for a PEM certificate and PKCS#8 key, with the distribution's
/// protocol floor and ALPN (h2 when HttpVersion allows it, and http/1.1).
pub fn server_config(
    pem: &CertPem,
    viewer: ViewerTls,
) -> Result<Arc<rustls::ServerConfig>, String> {
    let certs: Vec<CertificateDer<'static>> = pem_blocks(&pem.cert, "CERTIFICATE")
        .into_iter()
        .map(CertificateDer::from)
        .collect();
    if certs.is_empty() {
        return Err("no CERTIFICATE block in the certificate file".into());
    }
    let key = pem_blocks(&pem.key, "PRIVATE KEY")
        .into_iter()
        .next()
        .ok_or("no PKCS#8 PRIVATE KEY block in the key file")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&'static rustls::SupportedProtocolVersion] = if viewer.tls13_only {
        &[&rustls::version::TLS13]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)))
        .map_err(|e| format!("certificate and key do not form a usable pair: {e}"))?;
    config.alpn_protocols = if viewer.http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_certificate_loads() {
        let pem = generate(&["localhost".into(), "127.0.0.1".into()]).unwrap();
        server_config(&pem, ViewerTls::default()).unwrap();
        let only13 = server_config(
            &pem,
            ViewerTls {
                tls13_only: true,
                http2: false,
            },
        )
        .unwrap();
        assert_eq!(
            only13.alpn_protocols,
            vec![b"http/1.1".to_vec()],
            "S-5: http1.1 offers no h2"
        );
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
    }
}
