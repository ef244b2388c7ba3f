//! Response bodies as the cache stores them: in allocations of exactly their length. A buffer
//! grown chunk by chunk (or a compressor's output `Vec`) can hold up to twice its length, and a
//! `Bytes` frozen from it keeps the whole allocation alive for as long as the cache entry lives —
//! memory that `--cache-size` would never see. Every stored body goes through [`exact`] or
//! [`exact_vec`]; the one copy they may make happens once per miss, never on a hit.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;

/// Largest up-front allocation trusted from a `Content-Length` header: a lying origin must not
/// make the edge reserve gigabytes before a single byte arrived.
const MAX_PREALLOC: usize = 64 * 1024 * 1024;

/// Capacity reserved when the length is unknown (chunked or close-delimited bodies).
const UNKNOWN_LENGTH_START: usize = 8 * 1024;

/// A body read to its end (or to the point where the connection dropped).
#[derive(Debug)]
pub struct Collected {
    /// Exactly sized: the allocation behind it holds `body.len()` bytes (see [`exact`]).
    pub body: Bytes,
    /// spec O-6: false when the stream failed before its end (what arrived is kept, not cached).
    pub complete: bool,
}

/// No frame arrived within the allowed gap (spec O-4: the response timeout is also the maximum
/// gap between packets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no body data within the response timeout")]
pub struct GapTimeout;

/// Why a request body was not read whole by [`read_limited`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The body (or its declared `Content-Length`) is larger than the limit.
    #[error("the body is larger than the limit")]
    TooLarge,
    /// The stream failed (the client went away, bad chunked framing).
    #[error("the body could not be read")]
    Unreadable,
}

/// Reads a request body to its end, refusing it as soon as it passes `limit` bytes: a declared
/// `Content-Length` above the limit is refused before a byte is read, so a client cannot make
/// the server buffer more than `limit` per request.
pub async fn read_limited<B>(
    headers: &hyper::HeaderMap,
    body: B,
    limit: usize,
) -> Result<Bytes, LimitError>
where
    B: hyper::body::Body<Data = Bytes>,
{
    let declared = headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(LimitError::TooLarge);
    }
    let mut body = std::pin::pin!(body);
    let mut buf = BytesMut::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|_| LimitError::Unreadable)?.into_data() else {
            continue; // trailers
        };
        if buf.len() + data.len() > limit {
            return Err(LimitError::TooLarge);
        }
        buf.extend_from_slice(&data);
    }
    Ok(buf.freeze())
}

/// Reads `body` to its end, at most `gap` between frames. `expected` is the response's
/// `Content-Length`: when known the buffer is reserved once at that size, so a correct origin
/// costs no copy; otherwise the grown buffer is copied once into an exact allocation.
pub async fn collect<B>(
    body: &mut B,
    expected: Option<usize>,
    gap: Duration,
) -> Result<Collected, GapTimeout>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    let mut buf =
        BytesMut::with_capacity(expected.map_or(UNKNOWN_LENGTH_START, |n| n.min(MAX_PREALLOC)));
    let mut complete = true;
    loop {
        match tokio::time::timeout(gap, body.frame()).await {
            Err(_) => return Err(GapTimeout),
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                complete = false;
                break;
            }
            Ok(Some(Ok(frame))) => {
                // Copied out, never kept as a slice: a frame is a view into the connection's
                // read buffer, which it would pin for the lifetime of the cache entry.
                if let Ok(data) = frame.into_data() {
                    buf.extend_from_slice(&data);
                }
            }
        }
    }
    Ok(Collected {
        body: exact(buf),
        complete,
    })
}

/// `buf` as `Bytes` over an allocation of exactly its length: the buffer itself when it is full,
/// otherwise one copy (the spare capacity would otherwise live as long as the cache entry).
pub fn exact(buf: BytesMut) -> Bytes {
    if buf.capacity() == buf.len() {
        buf.freeze()
    } else {
        Bytes::copy_from_slice(&buf)
    }
}

/// [`exact`] for a `Vec` (compressor output, generated pages).
pub fn exact_vec(v: Vec<u8>) -> Bytes {
    if v.capacity() == v.len() {
        Bytes::from(v)
    } else {
        Bytes::copy_from_slice(&v)
    }
}

/// The capacity of the allocation behind a uniquely owned `body`, or None when it is shared
/// (then its size cannot be observed). For tests and assertions only: it consumes the handle.
pub fn allocated(body: Bytes) -> Option<usize> {
    body.try_into_mut().ok().map(|m| m.capacity())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use hyper::body::Frame;

    /// A body delivering fixed chunks, like a chunked origin response (no Content-Length).
    pub(crate) struct Chunks(pub(crate) VecDeque<Bytes>);

    impl hyper::body::Body for Chunks {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.pop_front().map(|c| Ok(Frame::data(c))))
        }
    }

    fn chunks(sizes: &[usize]) -> Chunks {
        Chunks(sizes.iter().map(|&n| Bytes::from(vec![b'x'; n])).collect())
    }

    #[tokio::test]
    async fn unknown_length_is_stored_exact() {
        // 9 × 7 KiB without Content-Length: the buffer doubles past 63 KiB (to 64 KiB or more).
        let mut b = chunks(&[7 * 1024; 9]);
        let c = collect(&mut b, None, Duration::from_secs(5)).await.unwrap();
        assert!(c.complete);
        assert_eq!(c.body.len(), 63 * 1024);
        assert_eq!(
            allocated(c.body),
            Some(63 * 1024),
            "a grown buffer must be copied to an exact allocation before it is stored"
        );
    }

    #[tokio::test]
    async fn known_length_is_stored_exact() {
        let mut b = chunks(&[16 * 1024, 16 * 1024, 1000]);
        let c = collect(&mut b, Some(32 * 1024 + 1000), Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(allocated(c.body), Some(32 * 1024 + 1000));
    }

    #[tokio::test]
    async fn short_or_lying_length_is_stored_exact() {
        // Content-Length larger than what came (the pipeline then refuses to cache it, O-6, but
        // the body is still served and must not drag the reserved capacity along).
        let mut b = chunks(&[1000]);
        let c = collect(&mut b, Some(1 << 20), Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(allocated(c.body), Some(1000));
    }

    #[test]
    fn exact_vec_drops_spare_capacity() {
        let mut v = Vec::with_capacity(4096);
        v.extend_from_slice(&[1u8; 100]);
        assert_eq!(allocated(exact_vec(v)), Some(100));
        let full = vec![2u8; 64];
        assert_eq!(allocated(exact_vec(full)), Some(64));
    }
}
