//! The cache key (spec §6), built in exactly one place: [`KeyRecipe::key`]. Getting the key wrong
//! poisons the cache, so the recipe is derived once per behavior from its cache policy or legacy
//! `ForwardedValues` (K-2) and applied per request by a pure function.

use std::fmt::Write as _;
use std::sync::Arc;

use hyper::HeaderMap;

/// Which names of a query string / cookie list a policy keeps (K-4, K-7, K-9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Select {
    None,
    Whitelist(Vec<String>),
    AllExcept(Vec<String>),
    All,
}

impl Select {
    /// Does this selection keep `name`? Names are case-sensitive (K-4, K-7); legacy cookie
    /// whitelists may use `*`/`?` wildcards (K-7), which [`glob`] handles.
    pub fn keeps(&self, name: &str) -> bool {
        match self {
            Select::None => false,
            Select::All => true,
            Select::Whitelist(names) => names.iter().any(|n| glob(n, name)),
            Select::AllExcept(names) => !names.iter().any(|n| glob(n, name)),
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Select::None)
    }
}

/// `*` = any run, `?` = one character; everything else literal and case-sensitive (K-7).
pub fn glob(pattern: &str, name: &str) -> bool {
    let p = pattern.as_bytes();
    let n = name.as_bytes();
    let (mut pi, mut ni, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

/// What a behavior puts in the cache key (K-1 … K-10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecipe {
    pub query: Select,
    /// Lower-case header names in the key (K-6: names case-insensitive).
    pub headers: Vec<String>,
    pub cookies: Select,
    /// K-8: normalised Accept-Encoding in the key.
    pub gzip: bool,
    pub br: bool,
    /// M-3: OPTIONS responses are cached, so the method is in the key for OPTIONS.
    pub options_cached: bool,
}

/// The cache key of one request. Cheap to clone (one `Arc<str>`); equality is byte equality of
/// the canonical text, so two requests share an entry exactly when every keyed part is equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(Arc<str>);

impl CacheKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as the cache browser prints it (`GET /cache`, `store::EntryInfo::key`):
    /// the parts separated by ` | ` instead of control characters.
    pub fn display(&self) -> String {
        self.0.replace(['\u{1}', '\u{2}'], " | ")
    }

    /// spec G-2: the key of one byte range of this object (a cached range entry, keyed by its
    /// span, or a ranged miss in flight, K-11, keyed by the requested range): the object's key,
    /// a separator no key part can contain, and the range.
    pub fn with_range(&self, range: impl std::fmt::Display) -> CacheKey {
        CacheKey(Arc::from(format!(
            "{}{RANGE_SEPARATOR}bytes={range}",
            self.0
        )))
    }

    /// The object's key of a range key (see [`CacheKey::with_range`]), None for an object's key.
    pub fn object(&self) -> Option<CacheKey> {
        self.0
            .split_once(RANGE_SEPARATOR)
            .map(|(object, _)| CacheKey(Arc::from(object)))
    }
}

/// Ends an object's key in a range key. Like the part separator `\u{1}` it cannot appear in a
/// request line or header value, so a range key never equals an object's key.
const RANGE_SEPARATOR: char = '\u{2}';

/// The normalised Accept-Encoding of K-8: the enabled codings the viewer accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptEncoding {
    /// No Accept-Encoding from the viewer (or both flags off): not in key, not forwarded.
    Absent,
    /// The viewer accepts none of the enabled codings: origin gets `identity`.
    Identity,
    Gzip,
    Br,
    BrGzip,
}

impl AcceptEncoding {
    /// spec K-8: normalise the viewer's header against the policy flags. HTTP/1.0 viewers get
    /// no compression (C-2), which the caller expresses by passing `http10 = true`.
    pub fn normalise(headers: &HeaderMap, gzip: bool, br: bool, http10: bool) -> Self {
        if !gzip && !br {
            return AcceptEncoding::Absent;
        }
        let mut any = false;
        let (mut g, mut b) = (false, false);
        for v in headers.get_all(hyper::header::ACCEPT_ENCODING) {
            any = true;
            let Ok(text) = v.to_str() else { continue };
            for part in text.split(',') {
                let mut it = part.split(';');
                let coding = it.next().unwrap_or("").trim().to_ascii_lowercase();
                // `q=0` means "not acceptable".
                let refused = it.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q == 0.0)
                });
                if refused {
                    continue;
                }
                match coding.as_str() {
                    "gzip" => g = true,
                    "br" => b = true,
                    _ => {}
                }
            }
        }
        if !any {
            return AcceptEncoding::Absent;
        }
        if http10 {
            return AcceptEncoding::Identity;
        }
        match (g && gzip, b && br) {
            (true, true) => AcceptEncoding::BrGzip,
            (true, false) => AcceptEncoding::Gzip,
            (false, true) => AcceptEncoding::Br,
            (false, false) => AcceptEncoding::Identity,
        }
    }

    /// The value sent to the origin (K-8), None when not forwarded.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            AcceptEncoding::Absent => None,
            AcceptEncoding::Identity => Some("identity"),
            AcceptEncoding::Gzip => Some("gzip"),
            AcceptEncoding::Br => Some("br"),
            AcceptEncoding::BrGzip => Some("br,gzip"),
        }
    }

    /// The value in the cache key (K-8), None when not keyed. A viewer that accepts none of the
    /// enabled codings (`deflate` only, say) and one that sends no Accept-Encoding both get the
    /// uncompressed object, so neither is keyed and they share one entry; only the origin
    /// request tells them apart (`identity` versus nothing).
    pub fn key_value(self) -> Option<&'static str> {
        match self {
            AcceptEncoding::Absent | AcceptEncoding::Identity => None,
            other => other.header_value(),
        }
    }

    /// The coding the edge would produce (C-2: Brotli preferred).
    pub fn preferred(self) -> Option<&'static str> {
        match self {
            AcceptEncoding::Br | AcceptEncoding::BrGzip => Some("br"),
            AcceptEncoding::Gzip => Some("gzip"),
            _ => None,
        }
    }
}

/// Splits a raw query string into `name=value` parameters on `&` only (K-4), keeping order.
pub fn query_params(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, _)) => (n, p),
            None => (p, p),
        })
}

/// The query string that a selection keeps, in the viewer's order (K-5, §19-6 decision).
pub fn select_query(query: Option<&str>, select: &Select) -> Option<String> {
    let query = query?;
    if matches!(select, Select::All) {
        return Some(query.to_string());
    }
    let kept: Vec<&str> = query_params(query)
        .filter(|(n, _)| select.keeps(n))
        .map(|(_, p)| p)
        .collect();
    (!kept.is_empty()).then(|| kept.join("&"))
}

/// Well-formed `name=value` cookies of the request (K-7: malformed pairs are dropped).
pub fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for v in headers.get_all(hyper::header::COOKIE) {
        let Ok(text) = v.to_str() else { continue };
        for pair in text.split(';') {
            if let Some((n, val)) = pair.trim().split_once('=') {
                let n = n.trim();
                if !n.is_empty() {
                    out.push((n.to_string(), val.trim().to_string()));
                }
            }
        }
    }
    out
}

/// The cookies a selection keeps, sorted by name (K-7), as a `Cookie` header value.
pub fn select_cookies(headers: &HeaderMap, select: &Select) -> Option<String> {
    if select.is_none() {
        return None;
    }
    let mut kept: Vec<(String, String)> = cookies(headers)
        .into_iter()
        .filter(|(n, _)| select.keeps(n))
        .collect();
    if kept.is_empty() {
        return None;
    }
    kept.sort();
    Some(
        kept.iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// What the key is built from for one request.
pub struct KeyInput<'a> {
    /// The distribution's domain name (K-1: not the viewer's alias).
    pub domain: &'a str,
    pub method: &'a hyper::Method,
    /// Raw path after default-root substitution (K-1, D-1).
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub accept_encoding: AcceptEncoding,
}

impl KeyRecipe {
    /// spec K-1 … K-8, M-3: the key. Parts are separated by a control character that cannot
    /// appear in a valid request line or header value, so no two different inputs collide.
    pub fn key(&self, input: &KeyInput<'_>) -> CacheKey {
        let mut k = String::with_capacity(input.domain.len() + input.path.len() + 32);
        k.push_str(input.domain);
        k.push('\u{1}');
        k.push_str(input.path);
        if let Some(q) = select_query(input.query, &self.query) {
            k.push('?');
            k.push_str(&q);
        }
        for name in &self.headers {
            // K-6: name case-insensitive (stored lower-case), values case-sensitive.
            k.push('\u{1}');
            k.push_str(name);
            k.push(':');
            for (i, v) in input.headers.get_all(name.as_str()).iter().enumerate() {
                if i > 0 {
                    k.push(',');
                }
                k.push_str(&String::from_utf8_lossy(v.as_bytes()));
            }
        }
        if let Some(c) = select_cookies(input.headers, &self.cookies) {
            k.push('\u{1}');
            k.push_str("cookie:");
            k.push_str(&c);
        }
        if let Some(ae) = input.accept_encoding.key_value() {
            // K-8: the normalised value is keyed; "identity" and no header are not.
            let _ = write!(k, "\u{1}ae:{ae}");
        }
        if self.options_cached && input.method == hyper::Method::OPTIONS {
            // M-3: OPTIONS never shares an entry with GET/HEAD.
            k.push_str("\u{1}OPTIONS");
        }
        CacheKey(Arc::from(k))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::type_complexity)] // table-driven cases are tuples by design

    use super::*;
    use hyper::header::HeaderValue;

    fn recipe() -> KeyRecipe {
        KeyRecipe {
            query: Select::None,
            headers: vec![],
            cookies: Select::None,
            gzip: false,
            br: false,
            options_cached: false,
        }
    }

    fn key(
        r: &KeyRecipe,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &[(&str, &str)],
    ) -> CacheKey {
        let mut h = HeaderMap::new();
        for (n, v) in headers {
            h.append(
                hyper::header::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        let m = hyper::Method::from_bytes(method.as_bytes()).unwrap();
        let ae = AcceptEncoding::normalise(&h, r.gzip, r.br, false);
        r.key(&KeyInput {
            domain: "d1.cloudfront.net",
            method: &m,
            path,
            query,
            headers: &h,
            accept_encoding: ae,
        })
    }

    #[test]
    fn key_table() {
        let base = recipe();
        let qs_white = KeyRecipe {
            query: Select::Whitelist(vec!["color".into()]),
            ..recipe()
        };
        let qs_all = KeyRecipe {
            query: Select::All,
            ..recipe()
        };
        let qs_except = KeyRecipe {
            query: Select::AllExcept(vec!["utm".into()]),
            ..recipe()
        };
        let hdr = KeyRecipe {
            headers: vec!["x-v".into()],
            ..recipe()
        };
        let ck = KeyRecipe {
            cookies: Select::Whitelist(vec!["userid_*".into()]),
            ..recipe()
        };
        let enc = KeyRecipe {
            gzip: true,
            br: true,
            ..recipe()
        };
        let opt = KeyRecipe {
            options_cached: true,
            ..recipe()
        };
        // (rule, recipe, a, b, same?)
        type Req<'a> = (&'a str, &'a str, Option<&'a str>, Vec<(&'a str, &'a str)>);
        let cases: Vec<(&str, &KeyRecipe, Req, Req, bool)> = vec![
            (
                "K-1 query ignored by default",
                &base,
                ("GET", "/a", Some("x=1"), vec![]),
                ("GET", "/a", None, vec![]),
                true,
            ),
            (
                "K-1 path keyed",
                &base,
                ("GET", "/a", None, vec![]),
                ("GET", "/b", None, vec![]),
                false,
            ),
            (
                "K-1 header ignored by default",
                &base,
                ("GET", "/a", None, vec![("x-v", "1")]),
                ("GET", "/a", None, vec![]),
                true,
            ),
            (
                "K-4 whitelist keeps listed",
                &qs_white,
                ("GET", "/a", Some("color=red&size=1"), vec![]),
                ("GET", "/a", Some("color=red"), vec![]),
                true,
            ),
            (
                "K-4 values case-sensitive",
                &qs_white,
                ("GET", "/a", Some("color=red"), vec![]),
                ("GET", "/a", Some("color=Red"), vec![]),
                false,
            ),
            (
                "K-4 names case-sensitive",
                &qs_white,
                ("GET", "/a", Some("Color=red"), vec![]),
                ("GET", "/a", None, vec![]),
                true,
            ),
            (
                "K-4 split on & only",
                &qs_white,
                ("GET", "/a", Some("color=red;size=large"), vec![]),
                ("GET", "/a", Some("color=red"), vec![]),
                false,
            ),
            (
                "K-5 order kept",
                &qs_all,
                ("GET", "/a", Some("a=1&b=2"), vec![]),
                ("GET", "/a", Some("b=2&a=1"), vec![]),
                false,
            ),
            (
                "K-4 allExcept",
                &qs_except,
                ("GET", "/a", Some("utm=1&p=2"), vec![]),
                ("GET", "/a", Some("p=2"), vec![]),
                true,
            ),
            (
                "K-6 header name case-insensitive",
                &hdr,
                ("GET", "/a", None, vec![("X-V", "1")]),
                ("GET", "/a", None, vec![("x-v", "1")]),
                true,
            ),
            (
                "K-6 header value case-sensitive",
                &hdr,
                ("GET", "/a", None, vec![("x-v", "A")]),
                ("GET", "/a", None, vec![("x-v", "a")]),
                false,
            ),
            (
                "K-7 wildcard cookie keyed",
                &ck,
                ("GET", "/a", None, vec![("cookie", "userid_1=a; other=b")]),
                ("GET", "/a", None, vec![("cookie", "userid_1=b")]),
                false,
            ),
            (
                "K-7 unlisted cookie ignored",
                &ck,
                ("GET", "/a", None, vec![("cookie", "other=b; userid_1=a")]),
                ("GET", "/a", None, vec![("cookie", "userid_1=a")]),
                true,
            ),
            (
                "K-8 codings normalised",
                &enc,
                (
                    "GET",
                    "/a",
                    None,
                    vec![("accept-encoding", "gzip, deflate, br")],
                ),
                ("GET", "/a", None, vec![("accept-encoding", "br;q=1, gzip")]),
                true,
            ),
            (
                "K-8 deflate only = identity",
                &enc,
                ("GET", "/a", None, vec![("accept-encoding", "deflate")]),
                ("GET", "/a", None, vec![("accept-encoding", "gzip")]),
                false,
            ),
            (
                "K-8 absent and identity share",
                &enc,
                ("GET", "/a", None, vec![]),
                ("GET", "/a", None, vec![("accept-encoding", "deflate")]),
                true,
            ),
            (
                "M-6 GET and HEAD share",
                &opt,
                ("GET", "/a", None, vec![]),
                ("HEAD", "/a", None, vec![]),
                true,
            ),
            (
                "M-3 OPTIONS apart",
                &opt,
                ("GET", "/a", None, vec![]),
                ("OPTIONS", "/a", None, vec![]),
                false,
            ),
        ];
        for (rule, r, a, b, same) in cases {
            let ka = key(r, a.0, a.1, a.2, &a.3);
            let kb = key(r, b.0, b.1, b.2, &b.3);
            assert_eq!(ka == kb, same, "{rule}: {ka:?} vs {kb:?}");
        }
    }

    #[test]
    fn k8_values_and_glob() {
        let mut h = HeaderMap::new();
        h.insert("accept-encoding", HeaderValue::from_static("gzip, br"));
        assert_eq!(
            AcceptEncoding::normalise(&h, true, false, false).header_value(),
            Some("gzip")
        );
        assert_eq!(
            AcceptEncoding::normalise(&h, true, true, false).preferred(),
            Some("br")
        );
        assert_eq!(
            AcceptEncoding::normalise(&h, true, true, true),
            AcceptEncoding::Identity
        );
        assert_eq!(
            AcceptEncoding::normalise(&h, false, false, false),
            AcceptEncoding::Absent
        );
        assert!(glob("a??.jpg", "ant.jpg") && !glob("a??.jpg", "an.jpg") && glob("*", ""));
        assert_eq!(
            select_cookies(
                &{
                    let mut m = HeaderMap::new();
                    m.insert("cookie", HeaderValue::from_static("b=2; a=1; bad"));
                    m
                },
                &Select::All
            )
            .as_deref(),
            Some("a=1; b=2")
        );
    }

    #[test]
    fn g2_range_keys_extend_the_object_key_and_lead_back_to_it() {
        let object = key(&recipe(), "GET", "/v.mp4", None, &[]);
        let a = object.with_range(crate::range::Wanted::FromTo(0, 99));
        let b = object.with_range(crate::range::Wanted::FromTo(100, 199));
        let other = key(&recipe(), "GET", "/w.mp4", None, &[]);
        assert_ne!(a, object, "a range never shares the object's entry");
        assert_ne!(a, b, "two spans are two entries");
        assert_ne!(a, other.with_range(crate::range::Wanted::FromTo(0, 99)));
        assert!(a.as_str().ends_with("bytes=0-99"), "{:?}", a.as_str());
        assert_eq!(a.object().as_ref(), Some(&object));
        assert_eq!(object.object(), None);
    }
}
