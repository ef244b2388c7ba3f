//! Response bodies as the cache stores them: in allocations of exactly their length. A buffer
//! grown chunk by chunk (or a compressor's output `Vec`) can hold up to twice its length, and a
//! `Bytes` frozen from it keeps the whole allocation alive for as long as the cache entry lives —
//! memory that `--cache-size` would never see. Every stored body goes through [`exact`] or
//! [`exact_vec`]; the one copy they may make happens once per miss, never on a hit.
//!
//! A body too large for the cache to keep is never held at all: [`FileBody`] streams it from
//! its file as the viewer takes it (spec §19-18), and a response body is a [`ResponseBody`],
//! held ([`Full`]) or streamed.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::{Frame, SizeHint};

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

/// The body of a response to a viewer: held whole, or streamed from a file (spec §19-18).
pub type ResponseBody = Either<Full<Bytes>, FileBody>;

/// A held body as a [`ResponseBody`].
pub fn full(body: Bytes) -> ResponseBody {
    Either::Left(Full::new(body))
}

/// Bytes read from the file per frame of a [`FileBody`].
pub const FILE_CHUNK: usize = 64 * 1024;

/// `len` bytes of an open file from `offset`, sent as they are read: one [`FILE_CHUNK`] at a
/// time, read on the blocking pool into a buffer allocated on the runtime's thread, and the
/// next one only when hyper asks for it (when the connection took the last one), so a body of
/// any length costs about one chunk plus what the connection buffers. A file that ends before
/// `len` bytes (it shrank while being sent) ends the body with an error: hyper then closes the
/// connection, as CloudFront does for a body cut short, and the viewer sees fewer bytes than
/// the `Content-Length` it was promised. Bytes past `len` (a file that grew) are not sent.
pub struct FileBody {
    state: FileState,
    offset: u64,
    remaining: u64,
}

type ReadChunk = tokio::task::JoinHandle<std::io::Result<(std::fs::File, BytesMut)>>;

enum FileState {
    Idle(Option<std::fs::File>),
    Reading(ReadChunk),
}

impl std::fmt::Debug for FileBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileBody({} bytes from {})", self.remaining, self.offset)
    }
}

impl FileBody {
    /// The `len` bytes of `file` from `offset`.
    pub fn new(file: std::fs::File, offset: u64, len: u64) -> Self {
        Self {
            state: FileState::Idle(Some(file)),
            offset,
            remaining: len,
        }
    }

    /// The bytes still to send (all of them before the first frame).
    pub fn len(&self) -> u64 {
        self.remaining
    }

    pub fn is_empty(&self) -> bool {
        self.remaining == 0
    }

    /// Bytes `start..=end` of what this body would send (inclusive bounds within its length),
    /// for a range cut from a streamed object; None when out of bounds or after the first read.
    pub fn slice(self, start: u64, end: u64) -> Option<Self> {
        let FileState::Idle(file) = self.state else {
            return None;
        };
        (start <= end && end < self.remaining).then(|| Self {
            state: FileState::Idle(file),
            offset: self.offset + start,
            remaining: end - start + 1,
        })
    }
}

impl hyper::body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                FileState::Idle(file) => {
                    if this.remaining == 0 {
                        return Poll::Ready(None);
                    }
                    let Some(file) = file.take() else {
                        // A read failed earlier: the error was the last frame.
                        return Poll::Ready(None);
                    };
                    let want = this.remaining.min(FILE_CHUNK as u64) as usize;
                    // Allocated here, on the runtime's thread, and filled on the blocking pool
                    // (as `folder` reads its held bodies: see there for why).
                    let buf = BytesMut::zeroed(want);
                    let offset = this.offset;
                    this.state = FileState::Reading(tokio::task::spawn_blocking(move || {
                        read_chunk(file, offset, buf)
                    }));
                }
                FileState::Reading(task) => {
                    let done = ready!(Pin::new(task).poll(cx));
                    let (file, buf) = match done.map_err(std::io::Error::other).and_then(|r| r) {
                        Ok(read) => read,
                        Err(e) => {
                            this.state = FileState::Idle(None);
                            return Poll::Ready(Some(Err(e)));
                        }
                    };
                    if buf.is_empty() {
                        this.state = FileState::Idle(None);
                        return Poll::Ready(Some(Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the file ended before the length announced (it shrank)",
                        ))));
                    }
                    this.state = FileState::Idle(Some(file));
                    this.offset += buf.len() as u64;
                    this.remaining -= buf.len() as u64;
                    return Poll::Ready(Some(Ok(Frame::data(buf.freeze()))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Fills `buf` from `file` at `offset`, as far as the file goes; truncated to what was read.
fn read_chunk(
    mut file: std::fs::File,
    offset: u64,
    mut buf: BytesMut,
) -> std::io::Result<(std::fs::File, BytesMut)> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok((file, buf))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use hyper::body::{Body as _, Frame};

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

    fn file_of(data: &[u8]) -> (tempfile::NamedTempFile, std::fs::File) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, data).unwrap();
        let opened = std::fs::File::open(f.path()).unwrap();
        (f, opened)
    }

    /// Every frame of `body`, and the error that ended it if one did.
    async fn frames(mut body: FileBody) -> (Vec<Bytes>, Option<std::io::Error>) {
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(f) => out.push(f.into_data().unwrap()),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    }

    #[tokio::test]
    async fn s19_14_a_file_body_sends_its_span_in_chunks_and_nothing_past_it() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let (_keep, file) = file_of(&data);
        let body = FileBody::new(file, 0, data.len() as u64);
        assert_eq!(body.size_hint().exact(), Some(300_000));
        let (chunks, err) = frames(body).await;
        assert!(err.is_none());
        assert!(
            chunks.iter().all(|c| c.len() <= FILE_CHUNK),
            "one chunk at a time"
        );
        assert_eq!(chunks.concat(), data);
        // A range of it (cut before the first read), and a file longer than the span.
        let (_keep, file) = file_of(&data);
        let part = FileBody::new(file, 0, 200_000)
            .slice(70_000, 140_000)
            .unwrap();
        assert_eq!(part.len(), 70_001);
        assert_eq!(frames(part).await.0.concat(), &data[70_000..=140_000]);
        let (_keep, file) = file_of(&data);
        assert!(
            FileBody::new(file, 0, 10).slice(5, 10).is_none(),
            "out of bounds"
        );
    }

    #[tokio::test]
    async fn s19_14_a_file_that_shrinks_while_sent_ends_the_body_with_an_error() {
        let data = vec![7u8; 200_000];
        let (keep, file) = file_of(&data);
        let mut body = FileBody::new(file, 0, data.len() as u64);
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(first.len(), FILE_CHUNK);
        // Cut to less than what was sent plus one chunk.
        std::fs::OpenOptions::new()
            .write(true)
            .open(keep.path())
            .unwrap()
            .set_len(100_000)
            .unwrap();
        let (rest, err) = frames(body).await;
        let sent = FILE_CHUNK + rest.iter().map(Bytes::len).sum::<usize>();
        assert_eq!(sent, 100_000, "what the file still had");
        let err = err.expect("a short file is an error, never a clean end");
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
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
