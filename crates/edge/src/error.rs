//! The responses the edge generates itself (spec X-5: `Server: CloudFront`), as one error type,
//! [`EdgeError`]: the status of each (§1.1, S-9, S-11, H-11, H-12, V-1/V-2, M-4, O-5, G-5), its
//! x-edge-detailed-result-type (L-2) and its HTML body. The custom error pages a distribution
//! configures are `error_rules`'s.

use hyper::StatusCode;

/// Responses the edge generates itself (X-5: `Server: CloudFront`). The wording follows
/// CloudFront's HTML error pages closely enough for a person to recognise them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeError {
    /// spec §1.1: the Host is neither the distribution, an alias nor the listener.
    UnknownHost,
    /// spec S-11.
    Disabled,
    /// spec H-11.
    GetWithBody,
    /// spec H-12: URL over 8,192 bytes.
    UrlTooLong,
    /// spec H-12 / issue: the request headers exceed 20,480 bytes (CloudFront answers 494).
    HeadersTooLarge,
    /// A HEAD or OPTIONS request body over the preview's buffer limit
    /// (`pipeline::MAX_VIEWER_BODY`): a preview limit, not CloudFront's, for the bodies the
    /// preview still holds whole (see the constant). Streamed bodies have no limit.
    BodyTooLarge,
    /// spec S-9.
    GeoBlocked,
    /// spec V-2 (HTTP/1.0 non-GET) and V-1 `https-only`.
    HttpsRequired,
    /// spec M-4.
    MethodNotAllowed,
    /// spec O-5.
    OriginConnect,
    OriginDns,
    OriginTimeout,
    OriginProtocol,
    /// spec O-5: bad/self-signed/expired origin certificate or hostname mismatch (502).
    OriginCertificate,
    /// spec O-5: TLS handshake failure (502).
    OriginSsl,
    /// spec O-5: the origin's OriginSslProtocols lists only SSLv3/TLSv1/TLSv1.1, which the
    /// preview cannot speak: a handshake failure decided before connecting (502).
    OriginSslProtocols,
    /// A request the edge cannot parse (bad path/authority).
    BadRequest,
    /// More than one `Host` header: RFC 9112 §3.2 makes it a 400 (§19-14).
    DuplicateHost,
    /// The viewer's request body is not valid HTTP (a bad or oversized chunk size, a chunk
    /// extension over hyper's limit): the viewer's fault, not the origin's (§19-15).
    MalformedBody,
    /// The viewer closed the connection before its request body was complete (§19-15).
    ViewerHungUp,
    /// spec G-5: unsatisfiable range.
    RangeNotSatisfiable,
    /// spec CF-8: a CloudFront Function threw, ran over its compute budget or memory, or
    /// returned what CloudFront cannot use (503).
    FunctionFailed,
    /// spec CF-9: a function added a header functions may not set, or changed a read-only one
    /// (502, "fails validation").
    FunctionInvalidHeader,
}

impl EdgeError {
    /// The status of the generated response. 494 is CloudFront's own code for oversized
    /// request headers (spec H-12) and has no name of its own in `http`.
    pub fn status(self) -> StatusCode {
        match self {
            EdgeError::UnknownHost
            | EdgeError::Disabled
            | EdgeError::GetWithBody
            | EdgeError::GeoBlocked
            | EdgeError::HttpsRequired
            | EdgeError::MethodNotAllowed => StatusCode::FORBIDDEN,
            EdgeError::UrlTooLong | EdgeError::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            EdgeError::HeadersTooLarge => {
                StatusCode::from_u16(494).unwrap_or(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
            }
            EdgeError::OriginConnect
            | EdgeError::OriginDns
            | EdgeError::OriginProtocol
            | EdgeError::OriginCertificate
            | EdgeError::OriginSsl
            | EdgeError::OriginSslProtocols => StatusCode::BAD_GATEWAY,
            EdgeError::OriginTimeout => StatusCode::GATEWAY_TIMEOUT,
            EdgeError::BadRequest
            | EdgeError::DuplicateHost
            | EdgeError::MalformedBody
            | EdgeError::ViewerHungUp => StatusCode::BAD_REQUEST,
            EdgeError::RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
            EdgeError::FunctionFailed => StatusCode::SERVICE_UNAVAILABLE,
            EdgeError::FunctionInvalidHeader => StatusCode::BAD_GATEWAY,
        }
    }

    /// x-edge-detailed-result-type (L-2). The TLS failures have no documented value of their
    /// own; they are named in the style of `OriginConnectError`: `OriginCertificateError` for
    /// certificate problems, `OriginSslError` for every other handshake failure.
    pub const fn detail(self) -> &'static str {
        match self {
            EdgeError::UnknownHost => "Error",
            EdgeError::Disabled => "Error",
            EdgeError::GetWithBody => "Error",
            EdgeError::UrlTooLong => "Error",
            EdgeError::BodyTooLarge => "Error",
            EdgeError::HeadersTooLarge => "Error",
            EdgeError::GeoBlocked => "ClientGeoBlocked",
            EdgeError::HttpsRequired => "Error",
            EdgeError::MethodNotAllowed => "InvalidRequestMethod",
            EdgeError::OriginConnect => "OriginConnectError",
            EdgeError::OriginDns => "OriginDnsError",
            EdgeError::OriginTimeout => "OriginReadTimeout",
            EdgeError::OriginProtocol => "OriginError",
            EdgeError::OriginCertificate => "OriginCertificateError",
            EdgeError::OriginSsl | EdgeError::OriginSslProtocols => "OriginSslError",
            EdgeError::BadRequest => "Error",
            // L-2 / §19-14, §19-15: the Guide's detailed result types for a viewer's fault.
            EdgeError::DuplicateHost => "InvalidRequestHeader",
            EdgeError::MalformedBody => "InvalidRequest",
            EdgeError::ViewerHungUp => "ClientHungUpRequest",
            EdgeError::RangeNotSatisfiable => "Error",
            EdgeError::FunctionFailed => "FunctionExecutionError",
            EdgeError::FunctionInvalidHeader => "FunctionValidationError",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            EdgeError::UnknownHost => {
                "The request could not be satisfied. This preview serves only the distribution's \
                 domain name, its aliases, localhost and its own listener address."
            }
            EdgeError::Disabled => {
                "The distribution is disabled (Enabled: false) and accepts no requests."
            }
            EdgeError::GetWithBody => "Bad request. A GET request with a body is not allowed.",
            EdgeError::UrlTooLong => "Bad request. The URL is longer than 8,192 bytes.",
            EdgeError::BodyTooLarge => {
                "The request body is larger than 32 MiB. This is a limit of the local preview, \
                 which holds the body of a HEAD or OPTIONS request in memory before sending it to \
                 the origin; CloudFront itself accepts larger bodies."
            }
            EdgeError::HeadersTooLarge => {
                "Bad request. The request headers are larger than 20,480 bytes."
            }
            EdgeError::GeoBlocked => {
                "The Amazon CloudFront distribution is configured to block access from your \
                 country."
            }
            EdgeError::HttpsRequired => {
                "Bad request. This distribution requires HTTPS for this path."
            }
            EdgeError::MethodNotAllowed => {
                "This distribution is not configured to allow the HTTP request method that was \
                 used for this request. The distribution supports only cachable requests."
            }
            EdgeError::OriginConnect => "CloudFront wasn't able to connect to the origin.",
            EdgeError::OriginDns => "CloudFront wasn't able to resolve the origin domain name.",
            EdgeError::OriginTimeout => {
                "CloudFront attempted to establish a connection with the origin, but either the \
                 attempt failed or the origin closed the connection."
            }
            EdgeError::OriginProtocol => "CloudFront received an invalid response from the origin.",
            EdgeError::OriginCertificate => {
                "CloudFront wasn't able to connect to the origin: the origin's certificate is not \
                 trusted (unknown or self-signed issuer, expired, or not valid for the origin's \
                 domain name)."
            }
            EdgeError::OriginSsl => {
                "CloudFront wasn't able to connect to the origin: the SSL/TLS handshake failed."
            }
            EdgeError::OriginSslProtocols => {
                "CloudFront wasn't able to connect to the origin: its OriginSslProtocols lists \
                 only SSLv3, TLSv1 or TLSv1.1, and this preview speaks TLSv1.2 and TLSv1.3 only. \
                 Add TLSv1.2 to OriginSslProtocols."
            }
            EdgeError::BadRequest => "Bad request.",
            EdgeError::DuplicateHost => "Bad request. The request has more than one Host header.",
            EdgeError::MalformedBody => "Bad request. The request body is not valid HTTP.",
            EdgeError::ViewerHungUp => {
                "Bad request. The connection closed before the request body was complete."
            }
            EdgeError::RangeNotSatisfiable => "The requested range is not satisfiable.",
            EdgeError::FunctionFailed => {
                "The CloudFront function associated with the CloudFront distribution failed \
                 (it threw, ran over its compute budget or memory, or returned a result that is \
                 not valid)."
            }
            EdgeError::FunctionInvalidHeader => {
                "The CloudFront function returned a header that functions may not add or change."
            }
        }
    }

    /// The HTML body of the generated response.
    pub fn body(self, request_id: &str) -> String {
        let status = self.status().as_u16();
        format!(
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \
             \"http://www.w3.org/TR/html4/loose.dtd\">\n<HTML><HEAD><META \
             HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">\n\
             <TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>\n\
             <H1>{status} ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n\
             <HR noshade size=\"1px\">\n{}\n<BR clear=\"all\">\n<HR noshade size=\"1px\">\n<PRE>\n\
             Generated by cloudfront (CloudFront) [cfconsole preview]\nRequest ID: {request_id}\n\
             </PRE>\n</BODY></HTML>\n",
            self.message()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_details_and_bodies() {
        assert_eq!(EdgeError::HeadersTooLarge.status().as_u16(), 494);
        assert_eq!(
            EdgeError::OriginTimeout.status(),
            StatusCode::GATEWAY_TIMEOUT
        );
        // spec O-5: every TLS failure is a 502 with its own detailed result type.
        for (e, detail) in [
            (EdgeError::OriginCertificate, "OriginCertificateError"),
            (EdgeError::OriginSsl, "OriginSslError"),
            (EdgeError::OriginSslProtocols, "OriginSslError"),
        ] {
            assert_eq!(
                (e.status(), e.detail()),
                (StatusCode::BAD_GATEWAY, detail),
                "{e:?}"
            );
        }
        assert!(
            EdgeError::MethodNotAllowed
                .body("id")
                .contains("cachable requests")
        );
    }
}
