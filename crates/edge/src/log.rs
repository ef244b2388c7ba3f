//! The access log in CloudFront's standard format (spec Appendix A, L-1/L-2) and the bounded
//! in-memory request log for the UI. Lines are formatted on the request task but written by one
//! background task through a bounded channel with a buffered writer, so a slow disk never slows
//! a hit; when the channel is full the record is dropped and counted rather than blocking.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

/// spec L-1: the two header lines.
pub const HEADER: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n";

/// One request, as the log and the UI see it.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Position in the in-memory log (the first record is 1), given as the record enters it;
    /// 0 before that. The UI reads the log incrementally with [`Logger::since`].
    pub seq: u64,
    #[serde(skip)]
    pub at: SystemTime,
    /// RFC 3339-ish UTC time for the UI.
    pub time: String,
    #[serde(serialize_with = "arc_str")]
    pub pop: Arc<str>,
    pub sc_bytes: u64,
    pub client_ip: String,
    pub client_port: u16,
    pub method: String,
    /// cs(Host): the distribution's domain name (L-2).
    #[serde(serialize_with = "arc_str")]
    pub host: Arc<str>,
    pub path: String,
    pub status: u16,
    pub referer: Option<String>,
    pub user_agent: Option<String>,
    pub query: Option<String>,
    /// Only with Logging.IncludeCookies (S-8); otherwise never logged.
    pub cookie: Option<String>,
    pub result_type: &'static str,
    pub request_id: String,
    pub host_header: String,
    pub protocol: &'static str,
    pub cs_bytes: u64,
    pub time_taken: f64,
    pub forwarded_for: Option<String>,
    pub ssl_protocol: Option<&'static str>,
    pub ssl_cipher: Option<String>,
    pub response_result_type: &'static str,
    pub protocol_version: &'static str,
    pub ttfb: f64,
    pub detailed_result_type: &'static str,
    pub content_type: Option<String>,
    pub content_len: Option<u64>,
    pub range: Option<(u64, u64)>,
    /// Which behavior served it ("*" for the default), for the UI.
    pub behavior: String,
}

fn arc_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

/// `-` for absent and empty values, and no TAB/newline/space can break the columns: such bytes
/// are percent-encoded as CloudFront does for the User-Agent (L-2).
fn field(out: &mut String, value: Option<&str>) {
    match value {
        None | Some("") => out.push('-'),
        Some(v) => {
            for b in v.bytes() {
                if b <= b' ' || b >= 0x7f {
                    out.push_str(&format!("%{b:02X}"));
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
        let mut o = String::with_capacity(320);
        let (date, time) = utc_date_time(self.at);
        o.push_str(&date);
        o.push('\t');
        o.push_str(&time);
        let col = |o: &mut String, v: Option<&str>| {
            o.push('\t');
            field(o, v);
        };
        col(&mut o, Some(&self.pop));
        col(&mut o, Some(&self.sc_bytes.to_string()));
        col(&mut o, Some(&self.client_ip));
        col(&mut o, Some(&self.method));
        col(&mut o, Some(&self.host));
        col(&mut o, Some(&self.path));
        col(&mut o, Some(&self.status.to_string()));
        col(&mut o, self.referer.as_deref());
        col(&mut o, self.user_agent.as_deref());
        col(&mut o, self.query.as_deref());
        col(&mut o, self.cookie.as_deref());
        col(&mut o, Some(self.result_type));
        col(&mut o, Some(&self.request_id));
        col(&mut o, Some(&self.host_header));
        col(&mut o, Some(self.protocol));
        col(&mut o, Some(&self.cs_bytes.to_string()));
        col(&mut o, Some(&format!("{:.3}", self.time_taken)));
        col(&mut o, self.forwarded_for.as_deref());
        col(&mut o, self.ssl_protocol);
        col(&mut o, self.ssl_cipher.as_deref());
        col(&mut o, Some(self.response_result_type));
        col(&mut o, Some(self.protocol_version));
        col(&mut o, None); // fle-status
        col(&mut o, None); // fle-encrypted-fields
        col(&mut o, Some(&self.client_port.to_string()));
        col(&mut o, Some(&format!("{:.3}", self.ttfb)));
        col(&mut o, Some(self.detailed_result_type));
        col(&mut o, self.content_type.as_deref());
        col(&mut o, self.content_len.map(|l| l.to_string()).as_deref());
        col(&mut o, self.range.map(|r| r.0.to_string()).as_deref());
        col(&mut o, self.range.map(|r| r.1.to_string()).as_deref());
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

/// The sink the pipeline sends records to.
#[derive(Clone)]
pub struct Logger {
    tx: mpsc::Sender<Record>,
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

    fn push(&mut self, mut r: Record) {
        self.last += 1;
        r.seq = self.last;
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(r);
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
    /// Starts the background writer. `file`: the access log (header written when it is new or
    /// empty), or None for the in-memory log only.
    pub async fn start(file: Option<std::path::PathBuf>) -> std::io::Result<Self> {
        Self::start_with_capacity(file, RECENT_CAPACITY).await
    }

    /// [`Logger::start`] with an in-memory log of `capacity` records.
    pub async fn start_with_capacity(
        file: Option<std::path::PathBuf>,
        capacity: usize,
    ) -> std::io::Result<Self> {
        let (tx, mut rx) = mpsc::channel::<Record>(8_192);
        let recent = Arc::new(Mutex::new(Ring::new(capacity)));
        let mut out = match file {
            Some(path) => {
                let f = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .await?;
                let empty = f.metadata().await?.len() == 0;
                let mut w = tokio::io::BufWriter::with_capacity(64 * 1024, f);
                if empty {
                    w.write_all(HEADER.as_bytes()).await?;
                    w.flush().await?;
                }
                Some(w)
            }
            None => None,
        };
        let ring = recent.clone();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 256 {
                    match rx.try_recv() {
                        Ok(r) => batch.push(r),
                        Err(_) => break,
                    }
                }
                if let Some(w) = out.as_mut() {
                    for r in &batch {
                        if w.write_all(r.line().as_bytes()).await.is_err() {
                            break;
                        }
                    }
                    // Flushed per batch: the file is readable as soon as the burst is over.
                    let _ = w.flush().await;
                }
                let mut ring = ring.lock().unwrap_or_else(|e| e.into_inner());
                for r in batch {
                    ring.push(r);
                }
            }
            if let Some(w) = out.as_mut() {
                let _ = w.flush().await;
            }
        });
        Ok(Self {
            tx,
            recent,
            dropped: Arc::new(AtomicU64::new(0)),
        })
    }

    pub fn log(&self, r: Record) {
        if self.tx.try_send(r).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sample() -> Record {
        Record {
            seq: 0,
            at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            time: String::new(),
            pop: "LCL50-P1".into(),
            sc_bytes: 123,
            client_ip: "127.0.0.1".into(),
            client_port: 5000,
            method: "GET".into(),
            host: "d1.cloudfront.net".into(),
            path: "/a b".into(),
            status: 200,
            referer: None,
            user_agent: Some("curl/8 (x\ty)".into()),
            query: None,
            cookie: None,
            result_type: "Hit",
            request_id: "abc".into(),
            host_header: "localhost".into(),
            protocol: "http",
            cs_bytes: 80,
            time_taken: 0.0012,
            forwarded_for: None,
            ssl_protocol: None,
            ssl_cipher: None,
            response_result_type: "Hit",
            protocol_version: "HTTP/1.1",
            ttfb: 0.001,
            detailed_result_type: "Hit",
            content_type: Some("text/plain".into()),
            content_len: Some(5),
            range: None,
            behavior: "*".into(),
        }
    }

    fn numbered(path: &str) -> Record {
        Record {
            path: path.to_string(),
            ..sample()
        }
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
        assert_eq!(all.records[0].path, "/1");
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
