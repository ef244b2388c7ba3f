//! JA3 fingerprints of a viewer's TLS ClientHello, for `CloudFront-Viewer-JA3-Fingerprint`
//! (spec H-9). rustls does not expose the raw ClientHello, so the bytes the viewer sent first are
//! parsed here: pure functions over untrusted bytes that never panic (bad input → no header).
//!
//! JA3 (github.com/salesforce/ja3): `SSLVersion,Ciphers,Extensions,EllipticCurves,ECPointFormats`
//! in decimal, list items joined with `-`, GREASE values (RFC 8701) left out, then the MD5 of that
//! text in lower-case hex.

use std::fmt::Write as _;

use md5::{Digest, Md5};

/// The largest ClientHello read (handshake body); real ones are well under 4 KiB.
pub const MAX_HELLO: usize = 64 * 1024;
/// TLS record content type `handshake`.
const HANDSHAKE: u8 = 22;
/// Handshake message type `client_hello`.
const CLIENT_HELLO: u8 = 1;
/// RFC 8446 §5.1: a plaintext record fragment is at most 2^14 bytes.
const MAX_FRAGMENT: usize = 1 << 14;
const EXT_SUPPORTED_GROUPS: u16 = 10;
const EXT_EC_POINT_FORMATS: u16 = 11;

/// The ClientHello fields JA3 is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// `legacy_version` (0x0303 even for TLS 1.3 hellos; JA3 uses this field).
    pub version: u16,
    pub ciphers: Vec<u16>,
    /// Extension types in the order sent.
    pub extensions: Vec<u16>,
    /// `supported_groups` (formerly `elliptic_curves`).
    pub groups: Vec<u16>,
    pub point_formats: Vec<u8>,
}

/// What the first bytes of a TLS connection say so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// Every byte read so far is a valid prefix of a ClientHello: read more.
    Incomplete,
    Hello(ClientHello),
    /// Not a (supported) TLS ClientHello: no fingerprint for this connection.
    Invalid,
}

/// RFC 8701: GREASE values are `0x?a?a` with equal bytes.
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

/// Reads the ClientHello from the bytes a viewer sent first on a TLS connection: handshake
/// records, whose fragments are joined (a ClientHello may span records).
pub fn scan(stream: &[u8]) -> Scan {
    HelloScanner::default().push(stream)
}

/// [`scan`] over bytes as they arrive: each byte is looked at once, however the stream is cut,
/// and at most one record plus the handshake message (≤ [`MAX_HELLO`]) is held.
#[derive(Debug, Default)]
pub struct HelloScanner {
    /// Bytes of a record not yet whole.
    pending: Vec<u8>,
    /// The handshake message so far (record fragments joined).
    handshake: Vec<u8>,
    /// The verdict, once there is one.
    done: Option<Scan>,
}

impl HelloScanner {
    /// Adds the next bytes of the stream and says what is known so far.
    pub fn push(&mut self, bytes: &[u8]) -> Scan {
        if let Some(done) = &self.done {
            return done.clone();
        }
        self.pending.extend_from_slice(bytes);
        let verdict = self.advance();
        if verdict != Scan::Incomplete {
            self.pending = Vec::new();
            self.handshake = Vec::new();
            self.done = Some(verdict.clone());
        }
        verdict
    }

    fn advance(&mut self) -> Scan {
        let mut pos = 0;
        let verdict = loop {
            // The handshake message is whole once its 4-byte header and body are in.
            if let Some(header) = self.handshake.get(..4) {
                if header[0] != CLIENT_HELLO {
                    break Scan::Invalid;
                }
                let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
                if len > MAX_HELLO {
                    break Scan::Invalid;
                }
                if let Some(body) = self.handshake.get(4..4 + len) {
                    break match parse_hello(body) {
                        Some(h) => Scan::Hello(h),
                        None => Scan::Invalid,
                    };
                }
            }
            let rest = &self.pending[pos..];
            let Some(header) = rest.get(..5) else {
                break if rest.first().is_some_and(|t| *t != HANDSHAKE) {
                    Scan::Invalid
                } else {
                    Scan::Incomplete
                };
            };
            // Content type, legacy record version 3.x, fragment length.
            let len = u16::from_be_bytes([header[3], header[4]]) as usize;
            if header[0] != HANDSHAKE || header[1] != 3 || len == 0 || len > MAX_FRAGMENT {
                break Scan::Invalid;
            }
            let Some(fragment) = rest.get(5..5 + len) else {
                break Scan::Incomplete;
            };
            if self.handshake.len() + fragment.len() > MAX_HELLO + 4 {
                break Scan::Invalid;
            }
            self.handshake.extend_from_slice(fragment);
            pos += 5 + len;
        };
        self.pending.drain(..pos);
        verdict
    }
}

/// A cursor that never reads past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let head = self.0.get(..n)?;
        self.0 = &self.0[n..];
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    /// A vector with a 1- or 2-byte length prefix.
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()? as usize;
        self.take(n)
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()? as usize;
        self.take(n)
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A list of u16 (cipher suites, groups): an even, non-truncated byte run.
fn u16_list(bytes: &[u8]) -> Option<Vec<u16>> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect(),
    )
}

/// RFC 8446 §4.1.2 (and RFC 5246 §7.4.1.2): the ClientHello body after the handshake header.
pub fn parse_hello(body: &[u8]) -> Option<ClientHello> {
    let mut r = Reader(body);
    let version = r.u16()?;
    r.take(32)?; // random
    let session_id = r.vec8()?;
    if session_id.len() > 32 {
        return None;
    }
    let ciphers = u16_list(r.vec16()?)?;
    if ciphers.is_empty() {
        return None;
    }
    if r.vec8()?.is_empty() {
        return None; // at least one compression method
    }
    let mut hello = ClientHello {
        version,
        ciphers,
        extensions: Vec::new(),
        groups: Vec::new(),
        point_formats: Vec::new(),
    };
    // Extensions are optional before TLS 1.3; when present they fill the rest exactly.
    if r.is_empty() {
        return Some(hello);
    }
    let mut exts = Reader(r.vec16()?);
    if !r.is_empty() {
        return None;
    }
    while !exts.is_empty() {
        let kind = exts.u16()?;
        let data = exts.vec16()?;
        hello.extensions.push(kind);
        match kind {
            EXT_SUPPORTED_GROUPS => {
                let mut d = Reader(data);
                hello.groups = u16_list(d.vec16()?)?;
                if !d.is_empty() {
                    return None;
                }
            }
            EXT_EC_POINT_FORMATS => {
                let mut d = Reader(data);
                hello.point_formats = d.vec8()?.to_vec();
                if !d.is_empty() {
                    return None;
                }
            }
            _ => {}
        }
    }
    Some(hello)
}

impl ClientHello {
    /// The JA3 text, e.g. `771,4865-4866,0-10-11,29-23,0`.
    pub fn ja3_string(&self) -> String {
        fn join<T: Copy + Into<u16>>(out: &mut String, items: &[T]) {
            let mut first = true;
            for v in items.iter().map(|v| (*v).into()).filter(|v| !is_grease(*v)) {
                if !first {
                    out.push('-');
                }
                first = false;
                let _ = write!(out, "{v}");
            }
        }
        let mut s = format!("{},", self.version);
        join(&mut s, &self.ciphers);
        s.push(',');
        join(&mut s, &self.extensions);
        s.push(',');
        join(&mut s, &self.groups);
        s.push(',');
        join(&mut s, &self.point_formats);
        s
    }

    /// The JA3 fingerprint: MD5 of [`Self::ja3_string`] in lower-case hex.
    pub fn ja3_hash(&self) -> String {
        let digest = Md5::digest(self.ja3_string().as_bytes());
        let mut hex = String::with_capacity(32);
        for b in digest.iter() {
            let _ = write!(hex, "{b:02x}");
        }
        hex
    }
}

/// The JA3 fingerprint of the ClientHello at the start of `stream`, if there is a whole one.
pub fn fingerprint(stream: &[u8]) -> Option<String> {
    match scan(stream) {
        Scan::Hello(h) => Some(h.ja3_hash()),
        Scan::Incomplete | Scan::Invalid => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(kind: u16, data: &[u8]) -> (u16, Vec<u8>) {
        (kind, data.to_vec())
    }
    fn groups(g: &[u16]) -> (u16, Vec<u8>) {
        let mut d = ((g.len() * 2) as u16).to_be_bytes().to_vec();
        for v in g {
            d.extend_from_slice(&v.to_be_bytes());
        }
        (EXT_SUPPORTED_GROUPS, d)
    }
    fn points(p: &[u8]) -> (u16, Vec<u8>) {
        let mut d = vec![p.len() as u8];
        d.extend_from_slice(p);
        (EXT_EC_POINT_FORMATS, d)
    }
    fn sni(name: &str) -> (u16, Vec<u8>) {
        let n = name.as_bytes();
        let mut d = ((n.len() + 3) as u16).to_be_bytes().to_vec();
        d.push(0);
        d.extend_from_slice(&(n.len() as u16).to_be_bytes());
        d.extend_from_slice(n);
        (0, d)
    }

    /// A ClientHello handshake body; `exts: None` leaves the extensions block out entirely.
    fn body(version: u16, ciphers: &[u16], exts: Option<&[(u16, Vec<u8>)]>) -> Vec<u8> {
        let mut b = version.to_be_bytes().to_vec();
        b.extend_from_slice(&[7u8; 32]);
        b.push(0);
        b.extend_from_slice(&((ciphers.len() * 2) as u16).to_be_bytes());
        for c in ciphers {
            b.extend_from_slice(&c.to_be_bytes());
        }
        b.extend_from_slice(&[1, 0]);
        if let Some(exts) = exts {
            let mut e = Vec::new();
            for (k, d) in exts {
                e.extend_from_slice(&k.to_be_bytes());
                e.extend_from_slice(&(d.len() as u16).to_be_bytes());
                e.extend_from_slice(d);
            }
            b.extend_from_slice(&(e.len() as u16).to_be_bytes());
            b.extend_from_slice(&e);
        }
        b
    }

    /// Handshake message in records of at most `split` bytes of fragment each.
    fn records(body: &[u8], split: usize) -> Vec<u8> {
        let mut hs = vec![CLIENT_HELLO];
        hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(body);
        let mut out = Vec::new();
        for chunk in hs.chunks(split) {
            out.extend_from_slice(&[HANDSHAKE, 3, 1]);
            out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
            out.extend_from_slice(chunk);
        }
        out
    }

    fn readme_example() -> Vec<u8> {
        body(
            769,
            &[47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
            Some(&[sni("example.com"), groups(&[23, 24, 25]), points(&[0])]),
        )
    }

    #[test]
    fn known_client_hellos_give_the_published_ja3() {
        // The two examples of the JA3 reference README, rebuilt as ClientHello records.
        let rows: &[(&str, Vec<u8>, &str, &str)] = &[
            (
                "README example",
                readme_example(),
                "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0",
                "ada70206e40642a3e4461f35503241d5",
            ),
            (
                "no extensions block",
                body(769, &[4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99], None),
                "769,4-5-10-9-100-98-3-6-19-18-99,,,",
                "de350869b8c85de67a350c8d186f11e6",
            ),
            (
                "GREASE everywhere is left out",
                body(
                    769,
                    &[
                        0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4,
                    ],
                    Some(&[
                        ext(0x1a1a, &[]),
                        sni("example.com"),
                        groups(&[0x2a2a, 23, 24, 25]),
                        points(&[0]),
                        ext(0xfafa, &[0]),
                    ]),
                ),
                "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0",
                "ada70206e40642a3e4461f35503241d5",
            ),
            (
                "empty extensions block",
                body(771, &[4865], Some(&[])),
                "771,4865,,,",
                "",
            ),
        ];
        for (name, body, text, hash) in rows {
            for split in [usize::MAX, 40, 1] {
                let Scan::Hello(h) = scan(&records(body, split.min(1 << 14))) else {
                    panic!("{name}: not parsed with split {split}");
                };
                assert_eq!(h.ja3_string(), *text, "{name}");
                if !hash.is_empty() {
                    assert_eq!(h.ja3_hash(), *hash, "{name}");
                }
            }
        }
    }

    #[test]
    fn grease_values() {
        for (v, grease) in [
            (0x0a0a, true),
            (0xfafa, true),
            (0x3a3a, true),
            (0x0a1a, false),
            (0x000a, false),
            (0x1301, false),
            (0xaaaa, true),
            (0x0b0b, false),
        ] {
            assert_eq!(is_grease(v), grease, "{v:#06x}");
        }
    }

    #[test]
    fn malformed_input_gives_no_fingerprint() {
        let good = records(&readme_example(), usize::MAX);
        let mut rows: Vec<(&str, Vec<u8>, Scan)> = vec![
            ("empty", vec![], Scan::Incomplete),
            (
                "plain HTTP",
                b"GET / HTTP/1.1\r\n\r\n".to_vec(),
                Scan::Invalid,
            ),
            ("one byte of HTTP", b"G".to_vec(), Scan::Invalid),
            ("SSLv2 hello", vec![0x80, 0x2e, 1, 3, 1], Scan::Invalid),
            ("alert record", vec![21, 3, 3, 0, 2, 2, 40], Scan::Invalid),
            ("record version 2.0", vec![22, 2, 0, 0, 1, 1], Scan::Invalid),
            ("empty record", vec![22, 3, 1, 0, 0], Scan::Invalid),
            ("oversized record", vec![22, 3, 1, 0x40, 1], Scan::Invalid),
            ("record header only", good[..5].to_vec(), Scan::Incomplete),
            (
                "huge hello",
                vec![22, 3, 1, 0, 4, 1, 0x10, 0, 0],
                Scan::Invalid,
            ),
        ];
        let mut server_hello = good.clone();
        server_hello[5] = 2;
        rows.push(("server hello type", server_hello, Scan::Invalid));
        let no_ciphers = body(771, &[], Some(&[]));
        rows.push((
            "no cipher suites",
            records(&no_ciphers, usize::MAX),
            Scan::Invalid,
        ));
        let mut odd = readme_example();
        odd[35] = 0; // cipher list length 0x0019: odd
        odd[36] = 25;
        rows.push(("odd cipher list", records(&odd, usize::MAX), Scan::Invalid));
        let mut trailing = readme_example();
        trailing.push(0);
        rows.push((
            "bytes after the extensions",
            records(&trailing, usize::MAX),
            Scan::Invalid,
        ));
        let bad_groups = body(771, &[4865], Some(&[ext(10, &[0, 3, 0, 23, 0])]));
        rows.push((
            "odd group list",
            records(&bad_groups, usize::MAX),
            Scan::Invalid,
        ));
        let short_points = body(771, &[4865], Some(&[ext(11, &[4, 0])]));
        rows.push((
            "truncated point formats",
            records(&short_points, usize::MAX),
            Scan::Invalid,
        ));
        let long_sid = {
            let mut b = readme_example();
            b[34] = 33;
            b
        };
        rows.push((
            "session id over 32",
            records(&long_sid, usize::MAX),
            Scan::Invalid,
        ));
        for (name, bytes, want) in rows {
            assert_eq!(scan(&bytes), want, "{name}");
        }
        // Fed a byte at a time, the scanner reaches the same verdict.
        let mut scanner = HelloScanner::default();
        let verdicts: Vec<Scan> = good.iter().map(|b| scanner.push(&[*b])).collect();
        assert!(
            verdicts[..good.len() - 1]
                .iter()
                .all(|v| *v == Scan::Incomplete)
        );
        assert_eq!(verdicts.last(), Some(&scan(&good)));
        assert_eq!(scanner.push(b"more"), scan(&good), "the verdict stays");
        // Every strict prefix of a good hello asks for more; none panics.
        for n in 0..good.len() {
            assert_eq!(scan(&good[..n]), Scan::Incomplete, "prefix {n}");
        }
        // Any single corrupted byte or cut length: no panic, whatever the verdict.
        for i in 0..good.len() {
            for v in [0u8, 1, 0x7f, 0xff] {
                let mut b = good.clone();
                b[i] = v;
                let _ = scan(&b);
                let _ = parse_hello(&b[9..]);
            }
        }
    }

    /// A ClientHello written by rustls' own client: the fields come back as configured.
    #[test]
    fn rustls_client_hello_fields() {
        use std::sync::Arc;
        let provider = rustls::crypto::ring::default_provider();
        let suites: Vec<u16> = provider
            .cipher_suites
            .iter()
            .map(|s| u16::from(s.suite()))
            .collect();
        let groups: Vec<u16> = provider
            .kx_groups
            .iter()
            .map(|g| u16::from(g.name()))
            .collect();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let mut conn = rustls::ClientConnection::new(
            Arc::new(config),
            rustls::pki_types::ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let mut bytes = Vec::new();
        while conn.wants_write() {
            conn.write_tls(&mut bytes).unwrap();
        }
        let Scan::Hello(h) = scan(&bytes) else {
            panic!("rustls' ClientHello parses");
        };
        assert_eq!(h.version, 0x0303, "legacy_version of a TLS 1.3 hello");
        // rustls signals secure renegotiation with the SCSV after its suites (RFC 5746).
        let mut with_scsv = suites.clone();
        with_scsv.push(0x00ff);
        assert_eq!(
            h.ciphers, with_scsv,
            "cipher suites in the provider's order"
        );
        assert_eq!(
            h.groups, groups,
            "supported_groups = the provider's kx groups"
        );
        assert_eq!(h.point_formats, vec![0], "uncompressed points only");
        for e in [0u16, 10, 11, 13, 43, 51] {
            assert!(
                h.extensions.contains(&e),
                "extension {e} in {:?}",
                h.extensions
            );
        }
        let text = h.ja3_string();
        assert!(text.starts_with("771,"), "{text}");
        let hash = fingerprint(&bytes).unwrap();
        assert_eq!(hash.len(), 32);
        assert!(
            hash.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }
}
