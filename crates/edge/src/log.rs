//! The access log in CloudFront's standard format (spec Appendix A, L-1/L-2) and the bounded
//! in-memory request log for the UI. The in-memory log is written on the request's task; the
//! access log's lines are formatted and written by one background thread, fed through a bounded
//! channel, a batch at a time, so a slow disk never slows a hit; when the channel is full the
//! record is dropped from the file and counted rather than blocking, and so is every line the
//! disk would not take (§19-17).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use hyper::header::HeaderValue;
use hyper::{Method, Uri};
use serde::Serialize;

use crate::outcome::ResultType;
use tokio::sync::mpsc;

/// spec L-1: the two header lines.
pub const HEADER: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip \
                          cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) \
                          cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id \
                          x-host-header cs-protocol cs-bytes time-taken x-forwarded-for \
                          ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version \
                          fle-status fle-encrypted-fields c-port time-to-first-byte \
                          x-edge-detailed-result-type sc-content-type sc-content-len \
                          sc-range-start sc-range-end\n";

/// One request, as the log and the UI see it. Built on every request, so it shares what it can
/// (the behavior's label, the POP, the request id) and copies what came off a connection (what
/// the viewer sent, the response's Content-Type): a value sliced from a connection's read
/// buffer would keep that whole buffer alive for as long as the in-memory log holds the record.
/// `GET /requests` prints it as JSON with the field names below (`time` from `at`; `path` and
/// `query` from `target`).
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Position in the in-memory log (the first record is 1), given as the record enters it;
    /// 0 before that. The UI reads the log incrementally with [`Logger::since`].
    pub seq: u64,
    /// When it was answered (`time` in JSON: RFC 3339 UTC, to the second).
    #[serde(rename = "time", serialize_with = "rfc3339")]
    pub at: SystemTime,
    #[serde(serialize_with = "arc_str")]
    pub pop: Arc<str>,
    pub sc_bytes: u64,
    pub client_ip: IpAddr,
    pub client_port: u16,
    #[serde(serialize_with = "method_str")]
    pub method: Method,
    /// cs(Host): the distribution's domain name (L-2).
    #[serde(serialize_with = "arc_str")]
    pub host: Arc<str>,
    /// The request's path and query (`path` and `query` in JSON).
    #[serde(flatten, serialize_with = "path_and_query")]
    pub target: Target,
    pub status: u16,
    #[serde(serialize_with = "opt_value")]
    pub referer: Option<HeaderValue>,
    #[serde(serialize_with = "opt_value")]
    pub user_agent: Option<HeaderValue>,
    /// Only with Logging.IncludeCookies (S-8); otherwise never logged.
    #[serde(serialize_with = "opt_value")]
    pub cookie: Option<HeaderValue>,
    /// x-edge-result-type.
    pub result_type: ResultType,
    #[serde(serialize_with = "value")]
    pub request_id: HeaderValue,
    /// The viewer's Host header as it was sent.
    #[serde(serialize_with = "opt_value")]
    pub host_header: Option<HeaderValue>,
    pub protocol: &'static str,
    pub cs_bytes: u64,
    pub time_taken: f64,
    #[serde(serialize_with = "opt_value")]
    pub forwarded_for: Option<HeaderValue>,
    pub ssl_protocol: Option<&'static str>,
    pub ssl_cipher: Option<Cow<'static, str>>,
    /// x-edge-response-result-type (E-8: differs when an error page replaced the result).
    pub response_result_type: ResultType,
    pub protocol_version: &'static str,
    pub ttfb: f64,
    pub detailed_result_type: &'static str,
    #[serde(serialize_with = "opt_value")]
    pub content_type: Option<HeaderValue>,
    pub content_len: Option<u64>,
    pub range: Option<(u64, u64)>,
    /// Which behavior served it ("*" for the default, "-" when none was chosen), for the UI.
    #[serde(serialize_with = "arc_str")]
    pub behavior: Arc<str>,
}

impl Record {
    /// The request's path (cs-uri-stem).
    pub fn path(&self) -> &str {
        self.target.path()
    }

    /// The request's query string, without `?` (cs-uri-query).
    pub fn query(&self) -> Option<&str> {
        self.target.query()
    }
}

/// A request's path and query, copied into one allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `path` or `path?query`.
    text: Box<str>,
    path_len: usize,
}

impl Target {
    /// The path and query of `uri` (`/` for a target without a path, such as an authority form).
    pub fn of(uri: &Uri) -> Self {
        let text: Box<str> = uri.path_and_query().map_or("/", |p| p.as_str()).into();
        let path_len = text.find('?').unwrap_or(text.len());
        Self { text, path_len }
    }

    pub fn path(&self) -> &str {
        &self.text[..self.path_len]
    }

    pub fn query(&self) -> Option<&str> {
        self.text.get(self.path_len + 1..)
    }
}

/// A copy of a header value the viewer sent (see [`Record`] on why it is not shared).
pub fn copied(v: &HeaderValue) -> HeaderValue {
    let mut c = HeaderValue::from_maybe_shared(Bytes::copy_from_slice(v.as_bytes()))
        .unwrap_or_else(|_| HeaderValue::from_static(""));
    c.set_sensitive(v.is_sensitive());
    c
}

fn arc_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

fn method_str<S: serde::Serializer>(v: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.as_str())
}

/// A header value as text: bytes that are not visible ASCII come out as U+FFFD where they are
/// not UTF-8 (the log line percent-encodes them instead).
pub fn text(v: &HeaderValue) -> Cow<'_, str> {
    match v.to_str() {
        Ok(t) => Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(v.as_bytes()),
    }
}

fn value<S: serde::Serializer>(v: &HeaderValue, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&text(v))
}

fn opt_value<S: serde::Serializer>(v: &Option<HeaderValue>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&text(v)),
        None => s.serialize_none(),
    }
}

fn rfc3339<S: serde::Serializer>(at: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    let (date, time) = utc_date_time(*at);
    s.serialize_str(&format!("{date}T{time}Z"))
}

fn path_and_query<S: serde::Serializer>(t: &Target, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry("path", t.path())?;
    m.serialize_entry("query", &t.query())?;
    m.end()
}

/// `-` for absent and empty values, and no TAB/newline/space can break the columns: such bytes
/// are percent-encoded as CloudFront does for the User-Agent (L-2).
fn field(out: &mut String, value: Option<&[u8]>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    match value {
        None | Some(b"") => out.push('-'),
        Some(v) => {
            for &b in v {
                if b <= b' ' || b >= 0x7f {
                    out.push('%');
                    out.push(HEX[usize::from(b >> 4)] as char);
                    out.push(HEX[usize::from(b & 15)] as char);
                } else {
                    out.push(b as char);
                }
            }
        }
    }
}

impl Record {
    /// spec L-2: the 33 tab-separated fields.
    pub fn line(&self) -> String {
        use std::fmt::Write;
        let mut o = String::with_capacity(320);
        let (date, time) = utc_date_time(self.at);
        o.push_str(&date);
        o.push('\t');
        o.push_str(&time);
        let col = |o: &mut String, v: Option<&[u8]>| {
            o.push('\t');
            field(o, v);
        };
        let text = |o: &mut String, v: &str| col(o, Some(v.as_bytes()));
        let header =
            |o: &mut String, v: &Option<HeaderValue>| col(o, v.as_ref().map(HeaderValue::as_bytes));
        // Numbers never need escaping; `write!` to a String cannot fail.
        let num = |o: &mut String, v: Option<u64>| match v {
            Some(v) => {
                let _ = write!(o, "\t{v}");
            }
            None => o.push_str("\t-"),
        };
        let secs = |o: &mut String, v: f64| {
            let _ = write!(o, "\t{v:.3}");
        };
        text(&mut o, &self.pop);
        num(&mut o, Some(self.sc_bytes));
        let _ = write!(o, "\t{}", self.client_ip);
        text(&mut o, self.method.as_str());
        text(&mut o, &self.host);
        text(&mut o, self.path());
        num(&mut o, Some(u64::from(self.status)));
        header(&mut o, &self.referer);
        header(&mut o, &self.user_agent);
        col(&mut o, self.query().map(str::as_bytes));
        header(&mut o, &self.cookie);
        text(&mut o, self.result_type.as_str());
        col(&mut o, Some(self.request_id.as_bytes()));
        header(&mut o, &self.host_header);
        text(&mut o, self.protocol);
        num(&mut o, Some(self.cs_bytes));
        secs(&mut o, self.time_taken);
        header(&mut o, &self.forwarded_for);
        col(&mut o, self.ssl_protocol.map(str::as_bytes));
        col(&mut o, self.ssl_cipher.as_deref().map(str::as_bytes));
        text(&mut o, self.response_result_type.as_str());
        text(&mut o, self.protocol_version);
        col(&mut o, None); // fle-status
        col(&mut o, None); // fle-encrypted-fields
        num(&mut o, Some(u64::from(self.client_port)));
        secs(&mut o, self.ttfb);
        text(&mut o, self.detailed_result_type);
        header(&mut o, &self.content_type);
        num(&mut o, self.content_len);
        num(&mut o, self.range.map(|r| r.0));
        num(&mut o, self.range.map(|r| r.1));
        o.push('\n');
        o
    }
}

/// `YYYY-MM-DD` and `HH:MM:SS` in UTC (L-2), without a date crate: civil-from-days.
pub fn utc_date_time(t: SystemTime) -> (String, String) {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}", sod / 3600, sod % 3600 / 60, sod % 60),
    )
}

/// The sink the pipeline sends records to. The in-memory log is written on the request's own
/// task (a short, uncontended lock: a record is a few reference counts, no allocation); only
/// the access-log file goes through the background writer, so without `--access-log` logging
/// wakes no other task.
#[derive(Clone)]
pub struct Logger {
    file: Option<mpsc::Sender<Record>>,
    recent: Arc<Mutex<Ring>>,
    dropped: Arc<AtomicU64>,
}

/// How many requests the in-memory log keeps for the UI.
pub const RECENT_CAPACITY: usize = 4_096;

/// The bounded in-memory log: the latest records, each numbered as it enters.
#[derive(Debug)]
struct Ring {
    items: VecDeque<Record>,
    /// The sequence number of the last record that entered (0: none yet).
    last: u64,
    capacity: usize,
}

impl Ring {
    fn new(capacity: usize) -> Self {
        Self {
            items: VecDeque::with_capacity(capacity.min(RECENT_CAPACITY)),
            last: 0,
            capacity: capacity.max(1),
        }
    }

    /// Numbers `r` and keeps it; returns the record it pushed out, if any, for the caller to
    /// drop after the lock is released.
    fn push(&mut self, mut r: Record) -> Option<Record> {
        self.last += 1;
        r.seq = self.last;
        let out = if self.items.len() == self.capacity {
            self.items.pop_front()
        } else {
            None
        };
        self.items.push_back(r);
        out
    }

    fn since(&self, after: u64, max: usize) -> Feed {
        // Records enter in sequence order, so the oldest kept one bounds what left the ring.
        let oldest = self.items.front().map_or(self.last + 1, |r| r.seq);
        let missed = if after >= self.last {
            0
        } else {
            oldest.saturating_sub(after + 1)
        };
        let skip = self.items.partition_point(|r| r.seq <= after);
        let records: Vec<Record> = self.items.iter().skip(skip).take(max).cloned().collect();
        let next = records.last().map_or(after, |r| r.seq);
        Feed {
            records,
            next,
            missed,
        }
    }
}

/// A page of the in-memory log after a given sequence number (see [`Logger::since`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Feed {
    /// Oldest first: every kept record with `seq > after`, at most `max` of them.
    pub records: Vec<Record>,
    /// The `seq` of the last record returned, or `after` when none: pass it as the next `after`.
    pub next: u64,
    /// Records with `seq > after` that had already left the ring (overwritten by newer ones)
    /// before they were read.
    pub missed: u64,
}

impl Logger {
    /// Starts the logger. `file`: the access log (header written when it is new or empty),
    /// written by a background task; None for the in-memory log only.
    pub async fn start(file: Option<std::path::PathBuf>) -> std::io::Result<Self> {
        Self::start_with_capacity(file, RECENT_CAPACITY).await
    }

    /// [`Logger::start`] with an in-memory log of `capacity` records.
    pub async fn start_with_capacity(
        file: Option<std::path::PathBuf>,
        capacity: usize,
    ) -> std::io::Result<Self> {
        let recent = Arc::new(Mutex::new(Ring::new(capacity)));
        let dropped = Arc::new(AtomicU64::new(0));
        let file = match file {
            Some(path) => Some(Self::writer(path, dropped.clone()).await?),
            None => None,
        };
        Ok(Self {
            file,
            recent,
            dropped,
        })
    }

    /// The access-log writer: a bounded channel drained in batches by one thread, each batch
    /// written whole with one write, so a slow disk never slows a request. A batch that cannot
    /// be written (a full disk, an I/O error: §19-17) counts every line it loses in `dropped`,
    /// the file is cut back to its last whole line, and one warning goes to stderr per run of
    /// failures (not per line); the header is written with the first batch that reaches an
    /// empty file.
    async fn writer(
        path: std::path::PathBuf,
        dropped: Arc<AtomicU64>,
    ) -> std::io::Result<mpsc::Sender<Record>> {
        let f = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await?
            .into_std()
            .await;
        let len = f.metadata()?.len();
        let (tx, mut rx) = mpsc::channel::<Record>(8_192);
        let mut file = LogFile {
            path,
            f,
            len,
            dropped,
            failing: None,
        };
        std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || {
                let mut batch = Vec::with_capacity(256);
                while let Some(r) = rx.blocking_recv() {
                    batch.push(r);
                    while batch.len() < 256
                        && let Ok(r) = rx.try_recv()
                    {
                        batch.push(r);
                    }
                    file.write(&batch);
                    batch.clear();
                }
            })?;
        Ok(tx)
    }

    pub fn log(&self, r: Record) {
        // The file gets a copy (reference counts only); a full channel drops it and counts it.
        if let Some(tx) = &self.file
            && tx.try_send(r.clone()).is_err()
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        let out = self
            .recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(r);
        drop(out);
    }

    /// The latest requests, oldest first.
    pub fn recent(&self) -> Vec<Record> {
        self.recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .items
            .iter()
            .cloned()
            .collect()
    }

    /// The records that entered the in-memory log after `after` (a `seq`; 0 for the start),
    /// oldest first, at most `max`. The UI polls with the `next` of the previous page.
    pub fn since(&self, after: u64, max: usize) -> Feed {
        self.recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .since(after, max)
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The access-log file as its writer thread holds it.
struct LogFile {
    path: std::path::PathBuf,
    f: std::fs::File,
    /// The file's length as far as this writer knows: where its last whole line ends.
    len: u64,
    dropped: Arc<AtomicU64>,
    /// Lines lost since the current run of failures began (None: the last write worked).
    failing: Option<u64>,
}

impl LogFile {
    /// Writes one batch of records (with the header first when the file is empty).
    fn write(&mut self, batch: &[Record]) {
        let mut out = Vec::with_capacity(batch.len() * 256 + HEADER.len());
        if self.len == 0 {
            out.extend_from_slice(HEADER.as_bytes());
        }
        let header = out.len();
        // Where each line ends in `out`.
        let mut ends = Vec::with_capacity(batch.len());
        for r in batch {
            out.extend_from_slice(r.line().as_bytes());
            ends.push(out.len());
        }
        match write_prefix(&mut self.f, &out) {
            Ok(()) => {
                self.len += out.len() as u64;
                if let Some(lost) = self.failing.take() {
                    eprintln!(
                        "preview: the access log {} is written again; {lost} line(s) were lost \
                         (counted in LogRecordsDropped)",
                        self.path.display()
                    );
                }
            }
            Err((written, e)) => {
                let lost = ends.iter().filter(|&&end| end > written).count() as u64;
                self.dropped.fetch_add(lost, Ordering::Relaxed);
                // Whole lines only: a line (or header) cut short is cut back off the file.
                let keep = if written < header {
                    0
                } else {
                    ends.iter()
                        .rev()
                        .copied()
                        .find(|&end| end <= written)
                        .unwrap_or(header)
                };
                if keep < written {
                    let _ = self.f.set_len(self.len + keep as u64);
                }
                self.len += keep as u64;
                match &mut self.failing {
                    Some(n) => *n += lost,
                    None => {
                        eprintln!(
                            "preview: cannot write the access log {}: {e}; its lines are dropped \
                             and counted in LogRecordsDropped (admin API /stats) until writing \
                             works again",
                            self.path.display()
                        );
                        self.failing = Some(lost);
                    }
                }
            }
        }
    }
}

/// Writes all of `bytes`; on failure, how many of them were written and why the rest were not.
fn write_prefix(w: &mut impl std::io::Write, bytes: &[u8]) -> Result<(), (usize, std::io::Error)> {
    let mut written = 0;
    while written < bytes.len() {
        match w.write(&bytes[written..]) {
            Ok(0) => return Err((written, std::io::ErrorKind::WriteZero.into())),
            Ok(n) => written += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err((written, e)),
        }
    }
    w.flush().map_err(|e| (written, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sample() -> Record {
        Record {
            seq: 0,
            at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            pop: "LCL50-P1".into(),
            sc_bytes: 123,
            client_ip: [127, 0, 0, 1].into(),
            client_port: 5000,
            method: Method::GET,
            host: "d1.cloudfront.net".into(),
            target: Target::of(&Uri::from_static("/a%20b")),
            status: 200,
            referer: None,
            user_agent: Some(HeaderValue::from_static("curl/8 (x\ty)")),
            cookie: None,
            result_type: ResultType::Hit,
            request_id: HeaderValue::from_static("abc"),
            host_header: Some(HeaderValue::from_static("localhost")),
            protocol: "http",
            cs_bytes: 80,
            time_taken: 0.0012,
            forwarded_for: None,
            ssl_protocol: None,
            ssl_cipher: None,
            response_result_type: ResultType::Hit,
            protocol_version: "HTTP/1.1",
            ttfb: 0.001,
            detailed_result_type: "Hit",
            content_type: Some(HeaderValue::from_static("text/plain")),
            content_len: Some(5),
            range: None,
            behavior: "*".into(),
        }
    }

    fn numbered(path: &str) -> Record {
        Record {
            target: Target::of(&path.parse().unwrap()),
            ..sample()
        }
    }

    #[test]
    fn target_splits_path_and_query_once() {
        for (uri, path, query) in [
            ("/p", "/p", None),
            ("/p?", "/p", Some("")),
            ("/a/b?x=1&y=%20", "/a/b", Some("x=1&y=%20")),
            ("http://h.example/q?z", "/q", Some("z")),
        ] {
            let t = Target::of(&uri.parse().unwrap());
            assert_eq!((t.path(), t.query()), (path, query), "{uri}");
        }
    }

    #[test]
    fn copied_values_do_not_share_the_read_buffer() {
        let buffer = Bytes::from_static(b"xx curl/8 yy").slice(3..9);
        let v = HeaderValue::from_maybe_shared(buffer.clone()).unwrap();
        let c = copied(&v);
        assert_eq!(c, v);
        assert_ne!(c.as_bytes().as_ptr(), buffer.as_ptr());
    }

    #[test]
    fn json_keeps_the_field_names_the_ui_and_scripts_read() {
        let mut r = sample();
        r.target = Target::of(&Uri::from_static("/p?a=1"));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["time"], "2023-11-14T22:13:20Z");
        assert_eq!(v["path"], "/p");
        assert_eq!(v["query"], "a=1");
        assert_eq!(v["method"], "GET");
        assert_eq!(v["client_ip"], "127.0.0.1");
        assert_eq!(v["user_agent"], "curl/8 (x\ty)");
        assert_eq!(v["referer"], serde_json::Value::Null);
        assert_eq!(v["request_id"], "abc");
        assert_eq!(v["host_header"], "localhost");
        assert_eq!(v["behavior"], "*");
        assert_eq!(v["result_type"], "Hit");
        assert!(v.get("at").is_none() && v.get("target").is_none(), "{v}");
        assert_eq!(
            serde_json::to_value(sample()).unwrap()["query"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn since_returns_records_in_order_and_respects_max() {
        let mut ring = Ring::new(10);
        let empty = ring.since(0, 10);
        assert_eq!((empty.records.len(), empty.next, empty.missed), (0, 0, 0));
        for i in 1..=5 {
            ring.push(numbered(&format!("/{i}")));
        }
        let all = ring.since(0, 100);
        let seqs: Vec<u64> = all.records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
        assert_eq!(all.records[0].path(), "/1");
        assert_eq!((all.next, all.missed), (5, 0));
        let page = ring.since(1, 2);
        let seqs: Vec<u64> = page.records.iter().map(|r| r.seq).collect();
        assert_eq!((seqs, page.next, page.missed), (vec![2, 3], 3, 0));
        let rest = ring.since(page.next, 2);
        assert_eq!(
            rest.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![4, 5]
        );
        let none = ring.since(5, 10);
        assert_eq!((none.records.len(), none.next, none.missed), (0, 5, 0));
        // A reader ahead of the log (say after a restart) gets nothing and no missed count.
        let ahead = ring.since(99, 10);
        assert_eq!((ahead.records.len(), ahead.next, ahead.missed), (0, 99, 0));
        assert_eq!(ring.since(0, 0).next, 0, "max 0 returns nothing");
    }

    #[test]
    fn since_reports_records_that_left_the_ring() {
        let mut ring = Ring::new(3);
        for i in 1..=8 {
            ring.push(numbered(&format!("/{i}")));
        }
        // 6, 7 and 8 are kept; 1..=5 left.
        let feed = ring.since(0, 10);
        assert_eq!(
            feed.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![6, 7, 8]
        );
        assert_eq!((feed.next, feed.missed), (8, 5));
        let feed = ring.since(4, 1);
        assert_eq!(
            feed.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![6]
        );
        assert_eq!((feed.next, feed.missed), (6, 1));
        assert_eq!(ring.since(5, 10).missed, 0);
        assert_eq!(ring.items.len(), 3, "the ring stays bounded");
    }

    #[tokio::test]
    async fn logger_numbers_records_as_they_enter() {
        let logger = Logger::start_with_capacity(None, 2).await.unwrap();
        for i in 1..=3 {
            logger.log(numbered(&format!("/{i}")));
        }
        let mut feed = Feed::default();
        for _ in 0..200 {
            feed = logger.since(0, 10);
            if feed.next == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            feed.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert_eq!(feed.missed, 1);
        assert_eq!(logger.recent().len(), 2);
    }

    #[test]
    fn l2_line_has_33_fields() {
        let r = sample();
        let line = r.line();
        let fields: Vec<&str> = line.trim_end().split('\t').collect();
        assert_eq!(fields.len(), 33, "{line}");
        assert_eq!(fields[0], "2023-11-14");
        assert_eq!(fields[1], "22:13:20");
        assert_eq!(fields[7], "/a%20b");
        assert_eq!(fields[10], "curl/8%20(x%09y)");
        assert_eq!(fields[18], "0.001");
        assert_eq!(HEADER.lines().nth(1).unwrap().split(' ').count(), 34);
    }
}
