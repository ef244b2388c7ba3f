//! The origin connector (spec §13): plain TCP for `http://` origin URIs and TLS over TCP for
//! `https://` ones. The TLS side sends SNI = the URI's host (the origin's `DomainName`, or the
//! host of an `--origin ID=https://…` override), verifies the certificate chain and name against
//! Mozilla's roots (webpki-roots) plus any `--origin-ca` anchors, and holds the handshake to
//! `ConnectionTimeout` like the TCP connect (O-3). Failures carry an [`OriginError`] kind so the
//! statuses and log result types of O-5 come out right.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::origin_message::OriginError;

/// The rustls client configuration for every origin of a preview: TLS 1.2 and 1.3 (all rustls
/// speaks; see `origin::OriginSpec::legacy_tls_only` for OriginSslProtocols), ALPN
/// `http/1.1` only (H-3: HTTP/1.1 to custom origins), no client certificate (O-7: an origin
/// that demands one fails the handshake, so the request is dropped with a 502).
///
/// `extra_ca` holds PEM texts (`--origin-ca`), each with one or more `CERTIFICATE` blocks,
/// trusted in addition to the public roots — for origins behind a private CA.
pub fn client_config(extra_ca: &[String]) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for (i, pem) in extra_ca.iter().enumerate() {
        let blocks = crate::tls::pem_blocks(pem, "CERTIFICATE");
        if blocks.is_empty() {
            return Err(format!(
                "origin CA #{}: no CERTIFICATE block in the PEM text",
                i + 1
            ));
        }
        for der in blocks {
            roots
                .add(CertificateDer::from(der))
                .map_err(|e| format!("origin CA #{}: not a usable certificate: {e}", i + 1))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Why a connection could not be made, with the O-5 class of the failure. It travels inside
/// hyper-util's error chain and is read back by `origin`'s classifier.
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct ConnectFailure {
    pub kind: OriginError,
    pub detail: String,
}

/// Connects to `http://` and `https://` origin URIs. Cloned per origin client; the pool of
/// hyper-util keys connections by scheme and authority, so keep-alive (O-8) works the same for
/// both.
#[derive(Clone)]
pub struct OriginConnector {
    tcp: HttpConnector,
    tls: TlsConnector,
    /// spec O-3: ConnectionTimeout, for the TLS handshake (the TCP connector has its own).
    handshake_timeout: Duration,
}

impl OriginConnector {
    pub fn new(connect_timeout: Duration, tls: Arc<rustls::ClientConfig>) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.set_connect_timeout(Some(connect_timeout));
        tcp.set_nodelay(true);
        // The scheme is ours to handle: https:// URIs get TLS on top of this TCP stream.
        tcp.enforce_http(false);
        Self {
            tcp,
            tls: TlsConnector::from(tls),
            handshake_timeout: connect_timeout,
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<Uri> for OriginConnector {
    type Response = OriginStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<OriginStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        tower_service::Service::<Uri>::poll_ready(&mut self.tcp, cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let https = uri.scheme_str() == Some("https");
        let mut tcp = self.tcp.clone();
        let tls = self.tls.clone();
        let limit = self.handshake_timeout;
        Box::pin(async move {
            // The server name is the URI's host: the DomainName CloudFront would send as SNI,
            // or an override's host (IP literals are verified against IP SANs, without SNI).
            let name = if https {
                let host = uri.host().unwrap_or_default();
                let host = host.trim_start_matches('[').trim_end_matches(']');
                Some(
                    ServerName::try_from(host.to_string()).map_err(|e| ConnectFailure {
                        kind: OriginError::Tls,
                        detail: format!("{host:?} is not a valid TLS server name: {e}"),
                    })?,
                )
            } else {
                None
            };
            let stream = tower_service::Service::call(&mut tcp, uri).await?;
            let Some(name) = name else {
                return Ok(OriginStream::Plain(stream));
            };
            match tokio::time::timeout(limit, tls.connect(name, stream.into_inner())).await {
                // spec O-3/O-5: a handshake that does not finish is a connect timeout (504).
                Err(_) => Err(ConnectFailure {
                    kind: OriginError::Timeout,
                    detail: "TLS handshake timed out".into(),
                }
                .into()),
                Ok(Err(e)) => Err(handshake_failure(&e).into()),
                Ok(Ok(s)) => Ok(OriginStream::Tls(Box::new(TokioIo::new(s)))),
            }
        })
    }
}

/// spec O-5: a certificate the roots or the name do not vouch for (unknown issuer, self-signed,
/// expired, hostname mismatch) is a certificate error; anything else in the handshake (no
/// common protocol version or cipher, an alert, a closed connection) is an SSL error. Both 502.
fn handshake_failure(e: &io::Error) -> ConnectFailure {
    let rustls_error = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::InvalidCertificate(c)) => ConnectFailure {
            kind: OriginError::Certificate,
            detail: format!("origin certificate rejected: {c:?}"),
        },
        Some(other) => ConnectFailure {
            kind: OriginError::Tls,
            detail: format!("TLS handshake failed: {other}"),
        },
        None => ConnectFailure {
            kind: OriginError::Tls,
            detail: format!("TLS handshake failed: {e}"),
        },
    }
}

/// A connection to an origin: plain or TLS.
pub enum OriginStream {
    Plain(TokioIo<TcpStream>),
    Tls(Box<TokioIo<TlsStream<TcpStream>>>),
}

impl Connection for OriginStream {
    fn connected(&self) -> Connected {
        match self {
            OriginStream::Plain(s) => s.connected(),
            OriginStream::Tls(_) => Connected::new(),
        }
    }
}

impl Read for OriginStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            OriginStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            OriginStream::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
        }
    }
}

impl Write for OriginStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            OriginStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            OriginStream::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            OriginStream::Plain(s) => Pin::new(s).poll_flush(cx),
            OriginStream::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            OriginStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            OriginStream::Tls(s) => Pin::new(&mut **s).poll_shutdown(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            OriginStream::Plain(s) => s.is_write_vectored(),
            OriginStream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            OriginStream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            OriginStream::Tls(s) => Pin::new(&mut **s).poll_write_vectored(cx, bufs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_ca_must_hold_a_certificate() {
        assert!(client_config(&[]).is_ok(), "public roots alone load");
        let err = client_config(&["not pem".into()]).unwrap_err();
        assert!(err.contains("no CERTIFICATE block"), "{err}");
        let ca = crate::tls::generate(&["localhost".into()]).unwrap();
        let config = client_config(&[ca.cert]).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()], "H-3");
    }

    #[test]
    fn o5_handshake_failures_are_classified() {
        let wrap = |e: rustls::Error| io::Error::new(io::ErrorKind::InvalidData, e);
        let cases = [
            (
                "unknown issuer (self-signed)",
                wrap(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::UnknownIssuer,
                )),
                OriginError::Certificate,
            ),
            (
                "expired",
                wrap(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::Expired,
                )),
                OriginError::Certificate,
            ),
            (
                "hostname mismatch",
                wrap(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForName,
                )),
                OriginError::Certificate,
            ),
            (
                "protocol version alert",
                wrap(rustls::Error::AlertReceived(
                    rustls::AlertDescription::ProtocolVersion,
                )),
                OriginError::Tls,
            ),
            (
                "closed mid-handshake",
                io::Error::from(io::ErrorKind::UnexpectedEof),
                OriginError::Tls,
            ),
        ];
        for (why, err, kind) in cases {
            assert_eq!(handshake_failure(&err).kind, kind, "{why}");
        }
    }
}
