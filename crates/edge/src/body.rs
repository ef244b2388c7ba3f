//! Response bodies as the cache stores them: in allocations of exactly their length. A buffer
//! grown chunk by chunk (or a compressor's output `Vec`) can hold up to twice its length, and a
//! `Bytes` frozen from it keeps the whole allocation alive for as long as the cache entry lives —
//! memory that `--cache-size` would never see. Every stored body goes through [`exact`] or
//! [`exact_vec`]; the one copy they may make happens once per miss, never on a hit.
//!
//! A body too large for the cache to keep is never held at all: [`FileBody`] streams it from
//! its file and [`OriginStream`] from the origin's connection as the viewer takes it (spec
//! §19-18), and a response body is a [`ResponseBody`], held ([`Full`]) or [`LiveBody`]. The
//! bodies being read to be held are bounded together by a [`FillBudget`] (spec §19-19).

use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
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
pub type ResponseBody = Either<Full<Bytes>, LiveBody>;

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

/// A response body sent as it arrives rather than held (spec §19-18): from a folder origin's
/// file, or from an HTTP origin's connection.
#[derive(Debug)]
pub enum LiveBody {
    File(FileBody),
    Origin(OriginStream),
    /// A body read from an origin into memory, sent in one frame while it keeps the fill
    /// budget it was read under (spec §19-19): given back when the response is done.
    Held(Option<Bytes>, Held),
}

impl LiveBody {
    /// The bytes still to send, when known (a chunked origin body of unknown length: None).
    #[allow(clippy::len_without_is_empty)] // an unknown length is neither empty nor not
    pub fn len(&self) -> Option<u64> {
        match self {
            LiveBody::File(f) => Some(f.len()),
            LiveBody::Origin(o) => o.remaining,
            LiveBody::Held(b, _) => Some(b.as_ref().map_or(0, |b| b.len() as u64)),
        }
    }

    /// Bytes `start..=end` of what this body would send, for a range cut from a streamed
    /// object; None when its length is unknown, out of bounds, or after the first frame.
    pub fn slice(self, start: u64, end: u64) -> Option<Self> {
        match self {
            LiveBody::File(f) => f.slice(start, end).map(LiveBody::File),
            LiveBody::Origin(o) => o.slice(start, end).map(LiveBody::Origin),
            LiveBody::Held(Some(b), held) => {
                let (start, end) = (usize::try_from(start).ok()?, usize::try_from(end).ok()?);
                (start <= end && end < b.len())
                    .then(|| LiveBody::Held(Some(b.slice(start..=end)), held))
            }
            LiveBody::Held(None, _) => None,
        }
    }
}

impl hyper::body::Body for LiveBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            LiveBody::File(f) => Pin::new(f).poll_frame(cx),
            LiveBody::Origin(o) => Pin::new(o).poll_frame(cx),
            LiveBody::Held(b, _) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            LiveBody::File(f) => f.is_end_stream(),
            LiveBody::Origin(o) => o.is_end_stream(),
            LiveBody::Held(b, _) => b.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            LiveBody::File(f) => f.size_hint(),
            LiveBody::Origin(o) => o.size_hint(),
            LiveBody::Held(b, _) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
        }
    }
}

/// A boxed origin response body (hyper's `Incoming`, or a test's).
pub type BoxedBody =
    http_body_util::combinators::BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// An origin's response body passed to the viewer frame by frame, never held (spec §19-18):
/// what was already read (`prefix`, for a chunked body that outgrew what may be held), then
/// the rest of the connection's body. Each frame is passed on as hyper read it, the next one
/// read only when the viewer's connection took the last, so the origin is slowed to the
/// viewer's pace by TCP and the edge holds about one read buffer per stream. spec O-4: no
/// frame within the origin's response timeout ends the body with an error, as does an origin
/// that closes before its `Content-Length` (O-6): hyper then closes the viewer's connection,
/// as CloudFront does for a body cut short.
pub struct OriginStream {
    prefix: std::collections::VecDeque<Bytes>,
    body: BoxedBody,
    gap: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
    /// Bytes to drop before the first one sent (a range cut from the object).
    skip: u64,
    /// Bytes still to send, when known.
    remaining: Option<u64>,
    started: bool,
    ended: bool,
    /// The budget `prefix` took while it was read, given back once it has been sent.
    held: Held,
}

impl std::fmt::Debug for OriginStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OriginStream({:?} bytes)", self.remaining)
    }
}

impl OriginStream {
    /// `prefix` (already read, under `held`), then `body`; `len` is the whole body's length
    /// when known.
    pub fn new(
        prefix: Vec<Bytes>,
        held: Held,
        body: BoxedBody,
        len: Option<u64>,
        gap: Duration,
    ) -> Self {
        Self {
            held,
            prefix: prefix.into_iter().filter(|p| !p.is_empty()).collect(),
            body,
            gap,
            timer: Box::pin(tokio::time::sleep(gap)),
            skip: 0,
            remaining: len,
            started: false,
            ended: false,
        }
    }

    fn slice(mut self, start: u64, end: u64) -> Option<Self> {
        let len = self.remaining?;
        if self.started || start > end || end >= len {
            return None;
        }
        self.skip = start;
        self.remaining = Some(end - start + 1);
        Some(self)
    }
}

impl hyper::body::Body for OriginStream {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        loop {
            if this.ended || this.remaining == Some(0) {
                this.ended = true;
                return Poll::Ready(None);
            }
            let mut data = match this.prefix.pop_front() {
                Some(p) => p,
                None => {
                    // The prefix was taken by the connection: its budget is free again.
                    this.held = Held::none();
                    let polled = Pin::new(&mut this.body).poll_frame(cx);
                    match polled {
                        Poll::Pending => {
                            ready!(this.timer.as_mut().poll(cx));
                            this.ended = true;
                            return Poll::Ready(Some(Err(std::io::Error::new(
                                std::io::ErrorKind::TimedOut,
                                "the origin sent nothing within its response timeout",
                            ))));
                        }
                        Poll::Ready(None) => {
                            this.ended = true;
                            if this.remaining.is_some_and(|n| n > 0) {
                                return Poll::Ready(Some(Err(std::io::Error::new(
                                    std::io::ErrorKind::UnexpectedEof,
                                    "the origin closed before its Content-Length",
                                ))));
                            }
                            return Poll::Ready(None);
                        }
                        Poll::Ready(Some(Err(e))) => {
                            this.ended = true;
                            return Poll::Ready(Some(Err(std::io::Error::other(e))));
                        }
                        Poll::Ready(Some(Ok(frame))) => {
                            let next = tokio::time::Instant::now() + this.gap;
                            this.timer.as_mut().reset(next);
                            match frame.into_data() {
                                Ok(d) => d,
                                Err(_) => continue, // trailers
                            }
                        }
                    }
                }
            };
            this.started = true;
            if this.skip > 0 {
                let k = this.skip.min(data.len() as u64);
                bytes::Buf::advance(&mut data, k as usize);
                this.skip -= k;
            }
            if let Some(r) = this.remaining {
                if data.len() as u64 > r {
                    data.truncate(r as usize);
                }
                this.remaining = Some(r - data.len() as u64);
            }
            if data.is_empty() {
                continue;
            }
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.remaining == Some(0)
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

/// The bytes that fills may hold at once while they read bodies to store (spec §19-19).
pub const FILL_BUDGET: usize = 8 * 1024 * 1024;

/// spec §19-19: one budget for every body being read into memory to be cached: a fill reserves
/// its length before it reads, and waits while the budget is spent (the origin is then slowed
/// by TCP, a folder file not yet read), so concurrent misses hold at most [`FILL_BUDGET`]
/// bytes, or one body when a single body is larger (it waits until it is alone). Waiting is
/// first come, first served. A body of unknown length (chunked) takes the budget as it grows,
/// without waiting (two growing bodies waiting on each other would never finish): when the
/// budget is spent it streams on instead of being held.
#[derive(Debug)]
pub struct FillBudget {
    permits: Arc<tokio::sync::Semaphore>,
    limit: usize,
}

/// Budget held by one fill, given back when dropped (once the body is stored or sent).
#[derive(Debug)]
pub struct Held(#[allow(dead_code)] Option<tokio::sync::OwnedSemaphorePermit>);

impl FillBudget {
    pub fn new(limit: usize) -> Self {
        let limit = limit.clamp(
            1,
            tokio::sync::Semaphore::MAX_PERMITS.min(u32::MAX as usize),
        );
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new(limit)),
            limit,
        }
    }

    /// The bytes still free (tests read it).
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// Waits until `n` bytes (all of the budget, for a larger body) are free, and holds them.
    pub async fn reserve(&self, n: u64) -> Held {
        let want = n.min(self.limit as u64) as u32;
        if want == 0 {
            return Held(None);
        }
        Held(self.permits.clone().acquire_many_owned(want).await.ok())
    }

    /// Adds `n` bytes to `held` if they are free now; false when they are not.
    pub fn grow(&self, held: &mut Held, n: usize) -> bool {
        let Ok(n) = u32::try_from(n) else {
            return false;
        };
        if n == 0 {
            return true;
        }
        match self.permits.clone().try_acquire_many_owned(n) {
            Ok(p) => {
                match &mut held.0 {
                    Some(h) => h.merge(p),
                    None => held.0 = Some(p),
                }
                true
            }
            Err(_) => false,
        }
    }
}

impl Held {
    /// Nothing held.
    pub fn none() -> Self {
        Held(None)
    }

    /// True when this holds some of the budget.
    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }
}

/// How [`collect_within`] ended.
pub enum Collecting {
    /// The whole body, held under the budget it took.
    Held(Collected, Held),
    /// The body outgrew `over` or the budget: what was read (with the budget it took), the
    /// rest still to stream.
    Over(Vec<Bytes>, Held),
}

/// [`collect`] for a body of unknown length, taking `budget` as it grows and stopping (without
/// reading further) once it would pass `over` bytes or the budget is spent: the caller then
/// streams what was read and the rest ([`OriginStream`]).
pub async fn collect_within<B>(
    body: &mut B,
    over: u64,
    budget: Option<&FillBudget>,
    gap: Duration,
) -> Result<Collecting, GapTimeout>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    // Each frame copied into an allocation of its own (a frame is a view into the connection's
    // read buffer), joined once at the end: a grown buffer would cost up to twice the body
    // while it grows, and its reallocations scatter the heap.
    let mut parts: Vec<Bytes> = Vec::new();
    let mut len = 0usize;
    let mut held = Held::none();
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
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                let fits = (len + data.len()) as u64 <= over
                    && budget.is_none_or(|b| b.grow(&mut held, data.len()));
                len += data.len();
                parts.push(Bytes::copy_from_slice(&data));
                if !fits {
                    return Ok(Collecting::Over(parts, held));
                }
            }
        }
    }
    let body = match parts.len() {
        0 => Bytes::new(),
        1 => parts.pop().unwrap_or_default(),
        _ => {
            let mut joined = BytesMut::with_capacity(len);
            for p in parts.drain(..) {
                joined.extend_from_slice(&p);
            }
            joined.freeze()
        }
    };
    Ok(Collecting::Held(Collected { body, complete }, held))
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
    async fn frames<B>(mut body: B) -> (Vec<Bytes>, Option<std::io::Error>)
    where
        B: hyper::body::Body<Data = Bytes, Error = std::io::Error> + Unpin,
    {
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
    async fn s19_18_a_file_body_sends_its_span_in_chunks_and_nothing_past_it() {
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
    async fn s19_18_a_file_that_shrinks_while_sent_ends_the_body_with_an_error() {
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

    fn boxed(c: Chunks) -> BoxedBody {
        BodyExt::boxed(BodyExt::map_err(c, |e| match e {}))
    }

    /// spec §19-18: an origin body passed on frame by frame: the prefix read first, then the
    /// rest; a range cut from it drops and stops at its bounds; an origin that closes before
    /// its Content-Length ends it with an error (O-6), never a clean end.
    #[tokio::test]
    async fn s19_18_an_origin_stream_sends_its_prefix_then_the_rest() {
        let gap = Duration::from_secs(5);
        let body = OriginStream::new(
            vec![Bytes::from_static(b"abc")],
            Held::none(),
            boxed(Chunks(
                vec![Bytes::from_static(b"defg"), Bytes::from_static(b"hij")].into(),
            )),
            Some(10),
            gap,
        );
        assert_eq!(body.size_hint().exact(), Some(10));
        let (got, err) = frames(body).await;
        assert!(err.is_none());
        assert_eq!(got.concat(), b"abcdefghij");
        let chunks =
            || Chunks(vec![Bytes::from_static(b"defg"), Bytes::from_static(b"hij")].into());
        let part = OriginStream::new(
            vec![Bytes::from_static(b"abc")],
            Held::none(),
            boxed(chunks()),
            Some(10),
            gap,
        )
        .slice(2, 7)
        .unwrap();
        assert_eq!(part.size_hint().exact(), Some(6));
        assert_eq!(frames(part).await.0.concat(), b"cdefgh");
        let unknown = OriginStream::new(Vec::new(), Held::none(), boxed(chunks()), None, gap);
        assert!(
            unknown.slice(0, 1).is_none(),
            "no range of an unknown length"
        );
        let short = OriginStream::new(Vec::new(), Held::none(), boxed(chunks()), Some(20), gap);
        let (got, err) = frames(short).await;
        assert_eq!(got.concat(), b"defghij");
        assert_eq!(err.unwrap().kind(), std::io::ErrorKind::UnexpectedEof);
    }

    /// spec O-4 in §19-18: an origin that goes silent mid-body ends the stream with an error
    /// after its response timeout.
    #[tokio::test]
    async fn s19_18_a_silent_origin_ends_its_stream_after_the_timeout() {
        let silent = BodyExt::boxed(BodyExt::map_err(Silent, |e| match e {}));
        let body = OriginStream::new(
            vec![Bytes::from_static(b"x")],
            Held::none(),
            silent,
            Some(2),
            Duration::from_millis(100),
        );
        let (got, err) = frames(body).await;
        assert_eq!(got.concat(), b"x");
        assert_eq!(err.unwrap().kind(), std::io::ErrorKind::TimedOut);
    }

    /// A body that never sends a frame (an origin gone silent).
    struct Silent;

    impl hyper::body::Body for Silent {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Pending
        }
    }

    /// spec §19-19: a body of unknown length is held while it fits `over` and the budget, and
    /// given back to stream (what was read, plus the rest) once it does not.
    #[tokio::test]
    async fn s19_19_a_chunked_body_is_held_within_the_budget_or_streams_on() {
        let gap = Duration::from_secs(5);
        let budget = FillBudget::new(100);
        let mut small = chunks(&[40, 40]);
        match collect_within(&mut small, 1000, Some(&budget), gap)
            .await
            .unwrap()
        {
            Collecting::Held(c, held) => {
                assert_eq!(c.body.len(), 80);
                assert_eq!(budget.available(), 20, "its 80 bytes are held");
                drop(held);
                assert_eq!(budget.available(), 100);
            }
            Collecting::Over(..) => panic!("80 bytes fit"),
        }
        let mut big = chunks(&[40, 40, 40, 40]);
        match collect_within(&mut big, 1000, Some(&budget), gap)
            .await
            .unwrap()
        {
            Collecting::Over(prefix, held) => {
                assert_eq!(
                    prefix.iter().map(Bytes::len).sum::<usize>(),
                    120,
                    "stopped at the chunk the budget refused"
                );
                drop(held);
                assert_eq!(budget.available(), 100);
                assert_eq!(big.0.len(), 1, "the rest is left to stream");
            }
            Collecting::Held(..) => panic!("160 bytes are over a 100-byte budget"),
        }
        let mut long = chunks(&[40, 40]);
        assert!(matches!(
            collect_within(&mut long, 50, None, gap).await.unwrap(),
            Collecting::Over(p, _) if p.iter().map(Bytes::len).sum::<usize>() == 80
        ));
    }

    /// spec §19-19: reservations wait their turn; one larger than the budget waits until it
    /// is alone and then holds all of it.
    #[tokio::test]
    async fn s19_19_reservations_wait_for_the_budget() {
        let budget = Arc::new(FillBudget::new(100));
        let a = budget.reserve(60).await;
        let b2 = budget.clone();
        let big = tokio::spawn(async move { b2.reserve(500).await });
        tokio::task::yield_now().await;
        assert!(!big.is_finished());
        drop(a);
        let held = big.await.unwrap();
        assert_eq!(budget.available(), 0, "alone, it holds the whole budget");
        let mut none = Held::none();
        assert!(!budget.grow(&mut none, 1), "nothing free to grow into");
        drop(held);
        assert!(budget.grow(&mut none, 100));
        assert_eq!(budget.available(), 0);
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
