//! Taps on a viewer connection for the CloudFront-* headers built from bytes that rustls and
//! hyper do not expose (spec H-9): [`HelloTap`] reads the TLS ClientHello on its way to rustls
//! (`-JA3-Fingerprint`), [`HeadTap`] reads HTTP/1.x request heads on their way to hyper
//! (`-Header-Order` with the names' case and order as sent). A tap only watches bytes as they
//! are read; it never changes, holds back or reorders them, and gives up quietly on anything it
//! does not understand (the header is then absent, or falls back to hyper's view).

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hyper::{HeaderMap, Method};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::ja3::{HelloScanner, Scan};

/// Requests recorded but not yet handed over (pipelining); past this the tap stops recording.
const MAX_QUEUED: usize = 8;
/// The largest request head recorded: the server's read buffer (`max_buf_size`), past which
/// hyper refuses the request anyway.
const MAX_HEAD: usize = 96 * 1024;
/// Chunk-size lines and the trailer section of a chunked body.
const MAX_LINE: usize = 4 * 1024;
/// hyper's default limit of header lines per request.
const MAX_HEADERS: usize = 100;

/// Watches the bytes rustls reads until the ClientHello is whole, for its JA3 fingerprint.
pub struct HelloTap<S> {
    inner: S,
    scanner: Option<HelloScanner>,
    ja3: Option<String>,
}

impl<S> HelloTap<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            scanner: Some(HelloScanner::default()),
            ja3: None,
        }
    }

    /// The JA3 fingerprint, once a whole, valid ClientHello has been read.
    pub fn ja3(&self) -> Option<&str> {
        self.ja3.as_deref()
    }
}

/// Shows the scanner the next bytes; once it has a verdict it is dropped.
fn observe_hello(scanner: &mut Option<HelloScanner>, ja3: &mut Option<String>, bytes: &[u8]) {
    let Some(s) = scanner else {
        return;
    };
    match s.push(bytes) {
        Scan::Incomplete => {}
        Scan::Hello(h) => {
            *ja3 = Some(h.ja3_hash());
            *scanner = None;
        }
        Scan::Invalid => *scanner = None,
    }
}

/// One request head as the viewer sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Head {
    method: Box<str>,
    names: Vec<Box<str>>,
}

/// The request heads recorded on one connection, waiting for hyper to hand over their requests
/// (in the same order: HTTP/1.x answers requests one after the other).
#[derive(Debug, Clone, Default)]
pub struct Heads(Arc<Mutex<VecDeque<Head>>>);

impl Heads {
    /// The header names, as sent, of the request hyper parsed as `method` + `headers`. Heads
    /// are taken in order; one that does not describe this request (hyper answered a request
    /// itself, or the tap misread one) is dropped, and None leaves the request's own names.
    pub fn take(&self, method: &Method, headers: &HeaderMap) -> Option<Vec<Box<str>>> {
        let mut queue = self.0.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(head) = queue.pop_front() {
            if &*head.method == method.as_str() && same_names(&head.names, headers) {
                return Some(head.names);
            }
        }
        None
    }

    fn push(&self, head: Head) -> bool {
        let mut queue = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if queue.len() >= MAX_QUEUED {
            return false;
        }
        queue.push_back(head);
        true
    }
}

/// The same header lines, names compared case-insensitively, order aside.
fn same_names(names: &[Box<str>], headers: &HeaderMap) -> bool {
    if names.len() != headers.len() {
        return false;
    }
    let mut sent: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut parsed: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    sent.sort_unstable();
    parsed.sort_unstable();
    sent.iter().zip(&parsed).all(|(a, b)| a == b)
}

/// Where in the HTTP/1.x byte stream the recorder is (RFC 9112 §6 message framing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Head,
    Body(u64),
    ChunkSize,
    ChunkData(u64),
    /// The CRLF after a chunk's data.
    ChunkEnd,
    Trailers,
    /// Not (or no longer) understood: record nothing more on this connection.
    Off,
}

/// Follows an HTTP/1.x request stream and records each request head's header names.
#[derive(Debug)]
pub struct HeadRecorder {
    heads: Heads,
    state: State,
    /// The head, chunk-size line or trailer line so far.
    buf: Vec<u8>,
    trailer_bytes: usize,
}

impl HeadRecorder {
    pub fn new(heads: Heads) -> Self {
        Self {
            heads,
            state: State::Head,
            buf: Vec::new(),
            trailer_bytes: 0,
        }
    }

    /// Reads the next bytes of the stream, however it is cut.
    pub fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let used = self.step(data);
            data = &data[used..];
        }
    }

    /// Consumes at least one byte of `data`; returns how many.
    fn step(&mut self, data: &[u8]) -> usize {
        match self.state {
            State::Off => data.len(),
            State::Body(left) | State::ChunkData(left) => {
                let used = left.min(data.len() as u64);
                let left = left - used;
                self.state = match (self.state, left) {
                    (State::Body(_), 0) => State::Head,
                    (State::Body(_), n) => State::Body(n),
                    (_, 0) => State::ChunkEnd,
                    (_, n) => State::ChunkData(n),
                };
                used as usize
            }
            State::Head | State::ChunkSize | State::ChunkEnd | State::Trailers => {
                // One line at a time: up to and including the next LF.
                let (part, whole) = match data.iter().position(|b| *b == b'\n') {
                    Some(i) => (&data[..=i], true),
                    None => (data, false),
                };
                let limit = if self.state == State::Head {
                    MAX_HEAD
                } else {
                    MAX_LINE
                };
                if self.buf.len() + part.len() > limit {
                    self.off();
                    return data.len();
                }
                self.buf.extend_from_slice(part);
                if whole {
                    self.line_done();
                }
                part.len()
            }
        }
    }

    fn off(&mut self) {
        self.state = State::Off;
        self.buf = Vec::new();
    }

    /// `buf` ends with a LF.
    fn line_done(&mut self) {
        let line = trim_eol(&self.buf);
        match self.state {
            State::Head => {
                if line.is_empty() {
                    // RFC 9112 §2.2: empty lines before a request line are ignored.
                    self.buf.clear();
                    return;
                }
                if !(self.buf.ends_with(b"\n\r\n") || self.buf.ends_with(b"\n\n")) {
                    return;
                }
                let head = std::mem::take(&mut self.buf);
                self.state = self.on_head(&head);
                if self.state != State::Off {
                    // Keep the allocation for the next head, but not a large one.
                    self.buf = head;
                    self.buf.clear();
                    self.buf.shrink_to(4 * 1024);
                }
            }
            State::ChunkSize => {
                let size = line
                    .split(|b| *b == b';')
                    .next()
                    .unwrap_or(&[])
                    .trim_ascii();
                // RFC 9112 §7.1: chunk-size is 1*HEXDIG; `from_str_radix` alone would also take
                // a leading `+`, which hyper refuses.
                let hex = !size.is_empty() && size.iter().all(u8::is_ascii_hexdigit);
                self.state = match std::str::from_utf8(size)
                    .ok()
                    .filter(|_| hex)
                    .and_then(|s| u64::from_str_radix(s, 16).ok())
                {
                    Some(0) => State::Trailers,
                    Some(n) => State::ChunkData(n),
                    None => State::Off,
                };
                self.buf.clear();
            }
            State::ChunkEnd => {
                self.state = if line.is_empty() {
                    State::ChunkSize
                } else {
                    State::Off
                };
                self.buf.clear();
            }
            State::Trailers => {
                if line.is_empty() {
                    self.state = State::Head;
                    self.trailer_bytes = 0;
                } else {
                    self.trailer_bytes += self.buf.len();
                    if self.trailer_bytes > MAX_LINE {
                        self.state = State::Off;
                    }
                }
                self.buf.clear();
            }
            State::Body(_) | State::ChunkData(_) | State::Off => {}
        }
        if self.state == State::Off {
            self.off();
        }
    }

    /// Records a whole head and says how its body is framed (RFC 9112 §6.3).
    fn on_head(&mut self, bytes: &[u8]) -> State {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        let (Ok(httparse::Status::Complete(_)), Some(method), Some(minor)) =
            (req.parse(bytes), req.method, req.version)
        else {
            return State::Off;
        };
        let mut chunked = None;
        let mut length: Option<u64> = None;
        let mut upgrade = false;
        for h in req.headers.iter() {
            if h.name.eq_ignore_ascii_case("transfer-encoding") {
                let last = h.value.rsplit(|b| *b == b',').next().unwrap_or(&[]);
                chunked = Some(last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            } else if h.name.eq_ignore_ascii_case("content-length") {
                for v in h.value.split(|b| *b == b',') {
                    let n = std::str::from_utf8(v.trim_ascii())
                        .ok()
                        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(|s| s.parse::<u64>().ok());
                    match (n, length) {
                        (Some(n), None) => length = Some(n),
                        (Some(n), Some(l)) if n == l => {}
                        _ => return State::Off,
                    }
                }
            } else if h.name.eq_ignore_ascii_case("upgrade") {
                upgrade = true;
            }
        }
        let head = Head {
            method: method.into(),
            names: req.headers.iter().map(|h| h.name.into()).collect(),
        };
        if !self.heads.push(head) {
            return State::Off;
        }
        // After an upgrade or CONNECT the bytes are no longer HTTP/1.x.
        if upgrade || method == "CONNECT" {
            return State::Off;
        }
        match (chunked, length) {
            (Some(true), _) if minor == 1 => State::ChunkSize,
            (Some(_), _) => State::Off,
            (None, Some(n)) if n > 0 => State::Body(n),
            (None, _) => State::Head,
        }
    }
}

/// A line without its LF or CRLF.
fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Watches the plaintext bytes hyper reads, recording HTTP/1.x request heads into [`Heads`].
/// Without a recorder it only passes bytes through.
pub struct HeadTap<S> {
    inner: S,
    recorder: Option<HeadRecorder>,
}

impl<S> HeadTap<S> {
    pub fn new(inner: S, heads: Option<&Heads>) -> Self {
        Self {
            inner,
            recorder: heads.map(|h| HeadRecorder::new(h.clone())),
        }
    }
}

/// Reads through `inner`, then shows `observe` the bytes that arrived.
fn read_observed<S: AsyncRead + Unpin>(
    inner: &mut S,
    cx: &mut Context<'_>,
    buf: &mut ReadBuf<'_>,
    observe: impl FnOnce(&[u8]),
) -> Poll<io::Result<()>> {
    let before = buf.filled().len();
    let polled = Pin::new(inner).poll_read(cx, buf);
    if let Poll::Ready(Ok(())) = &polled {
        observe(&buf.filled()[before..]);
    }
    polled
}

impl<S: AsyncRead + Unpin> AsyncRead for HelloTap<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let HelloTap {
            inner,
            scanner,
            ja3,
        } = self.get_mut();
        if scanner.is_none() {
            return Pin::new(inner).poll_read(cx, buf);
        }
        read_observed(inner, cx, buf, |b| observe_hello(scanner, ja3, b))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadTap<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match &mut this.recorder {
            None => Pin::new(&mut this.inner).poll_read(cx, buf),
            Some(rec) => read_observed(&mut this.inner, cx, buf, |b| rec.feed(b)),
        }
    }
}

/// Writes go straight to the inner stream.
macro_rules! write_through {
    ($tap:ident) => {
        impl<S: AsyncWrite + Unpin> AsyncWrite for $tap<S> {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
            }
            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
            }
            fn is_write_vectored(&self) -> bool {
                self.inner.is_write_vectored()
            }
            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut self.get_mut().inner).poll_flush(cx)
            }
            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
            }
        }
    };
}
write_through!(HelloTap);
write_through!(HeadTap);

#[cfg(test)]
mod tests {
    use super::*;

    fn names(heads: &Heads) -> Vec<(String, Vec<String>)> {
        let q = heads.0.lock().unwrap();
        q.iter()
            .map(|h| {
                (
                    h.method.to_string(),
                    h.names.iter().map(|n| n.to_string()).collect(),
                )
            })
            .collect()
    }

    /// Feeds `stream` cut into pieces of `cut` bytes; returns the heads recorded and whether
    /// the recorder is still following the stream.
    fn record(stream: &[u8], cut: usize) -> (Vec<(String, Vec<String>)>, bool) {
        let heads = Heads::default();
        let mut rec = HeadRecorder::new(heads.clone());
        for piece in stream.chunks(cut) {
            rec.feed(piece);
        }
        (names(&heads), rec.state != State::Off)
    }

    #[test]
    fn heads_recorded_with_case_and_order_across_framings() {
        let h = |m: &str, n: &[&str]| (m.to_string(), n.iter().map(|s| s.to_string()).collect());
        type Row = (
            &'static str,
            &'static [u8],
            Vec<(String, Vec<String>)>,
            bool,
        );
        let rows: Vec<Row> = vec![
            (
                "one GET",
                b"GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\naccept: */*\r\n\r\n",
                vec![h("GET", &["Host", "User-Agent", "accept"])],
                true,
            ),
            (
                "repeated names keep their places",
                b"GET / HTTP/1.1\r\nX-A: 1\r\nHost: a\r\nx-a: 2\r\n\r\n",
                vec![h("GET", &["X-A", "Host", "x-a"])],
                true,
            ),
            (
                "bare LF lines and leading empty lines",
                b"\r\n\nGET / HTTP/1.0\nHost: a\n\n",
                vec![h("GET", &["Host"])],
                true,
            ),
            (
                "content-length body skipped (it looks like a head)",
                b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\nGET /x HTTP/1.1\r\n\r\n\
                  !GET /2 HTTP/1.1\r\nHost: b\r\n\r\n",
                vec![h("POST", &["Host", "Content-Length"]), h("GET", &["Host"])],
                true,
            ),
            (
                "chunked body with extensions and trailers skipped",
                b"PUT /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;x=y\r\n\
                  HEAD \r\nA\r\n/ HTTP/1.1\r\n0\r\nX-Trailer: t\r\n\r\nDELETE /d HTTP/1.1\r\n\
                  X-Last: 1\r\n\r\n",
                vec![
                    h("PUT", &["Host", "Transfer-Encoding"]),
                    h("DELETE", &["X-Last"]),
                ],
                true,
            ),
            (
                "HTTP/2 preface: nothing recorded",
                b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                vec![],
                false,
            ),
            (
                "TLS bytes on the plain port",
                &[22, 3, 1, 0, 5, 1, 0, 0, 1, 0, b'\n', b'\n'],
                vec![],
                false,
            ),
            (
                "transfer-encoding not ending in chunked",
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n\
                  GET / HTTP/1.1\r\n\r\n",
                vec![h("POST", &["Transfer-Encoding"])],
                false,
            ),
            (
                "conflicting content-lengths",
                b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
                vec![],
                false,
            ),
            (
                "bad chunk size",
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                vec![h("POST", &["Transfer-Encoding"])],
                false,
            ),
            (
                "a chunk size with a sign",
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nGET /\r\n0\r\n\r\n\
                  GET / HTTP/1.1\r\n\r\n",
                vec![h("POST", &["Transfer-Encoding"])],
                false,
            ),
            (
                "upgrade stops recording after its head",
                b"GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\
                  GET / HTTP/1.1\r\n\r\n",
                vec![h("GET", &["Connection", "Upgrade"])],
                false,
            ),
        ];
        for (name, stream, want, following) in rows {
            for cut in [stream.len().max(1), 7, 1] {
                let (got, on) = record(stream, cut);
                assert_eq!(got, want, "{name} (cut {cut})");
                assert_eq!(on, following, "{name} (cut {cut})");
            }
        }
    }

    #[test]
    fn limits_turn_the_recorder_off() {
        let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_HEAD));
        big.extend_from_slice(b"\r\n\r\n");
        assert_eq!(record(&big, 4096), (vec![], false), "head over the limit");
        let many: Vec<u8> = (0..=MAX_HEADERS)
            .flat_map(|i| format!("H{i}: v\r\n").into_bytes())
            .collect();
        let mut req = b"GET / HTTP/1.1\r\n".to_vec();
        req.extend(many);
        req.extend_from_slice(b"\r\n");
        assert_eq!(record(&req, 512), (vec![], false), "too many headers");
        let pipelined: Vec<u8> = (0..MAX_QUEUED + 2)
            .flat_map(|_| b"GET / HTTP/1.1\r\nHost: a\r\n\r\n".to_vec())
            .collect();
        let (got, on) = record(&pipelined, pipelined.len());
        assert_eq!(got.len(), MAX_QUEUED, "queue bounded");
        assert!(!on);
    }

    #[test]
    fn take_matches_the_request_hyper_parsed() {
        let heads = Heads::default();
        let mut rec = HeadRecorder::new(heads.clone());
        rec.feed(
            b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nX-Y: 1\r\n\
              Content-Length: 0\r\n\r\n",
        );
        let mut map = HeaderMap::new();
        map.insert("host", "a".parse().unwrap());
        map.insert("x-y", "1".parse().unwrap());
        map.insert("content-length", "0".parse().unwrap());
        // The GET head does not describe this POST: dropped, and the POST's names come back.
        let got = heads.take(&Method::POST, &map).unwrap();
        assert_eq!(
            got.iter().map(|n| &**n).collect::<Vec<_>>(),
            ["Host", "X-Y", "Content-Length"]
        );
        assert!(heads.take(&Method::POST, &map).is_none(), "taken once");
        rec.feed(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        let mut other = HeaderMap::new();
        other.insert("host", "a".parse().unwrap());
        other.insert("accept", "x".parse().unwrap());
        assert!(
            heads.take(&Method::GET, &other).is_none(),
            "different names: the request's own names stand"
        );
    }

    #[tokio::test]
    async fn taps_pass_bytes_through_unchanged() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (a, mut b) = tokio::io::duplex(64);
        let heads = Heads::default();
        let mut tap = HeadTap::new(HelloTap::new(a), Some(&heads));
        let sent = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        b.write_all(sent).await.unwrap();
        let mut got = vec![0u8; sent.len()];
        tap.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, sent);
        tap.write_all(b"reply").await.unwrap();
        let mut back = [0u8; 5];
        b.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"reply");
        assert_eq!(names(&heads).len(), 1);
        assert_eq!(tap.inner.ja3(), None, "not TLS: no fingerprint");
    }
}
