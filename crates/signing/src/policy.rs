//! Policy statements of signed URLs and signed cookies (Developer Guide, "Create a signed URL
//! using a canned policy", "Create a signed URL using a custom policy", "Set signed cookies
//! using a canned policy", "Set signed cookies using a custom policy").
//!
//! A canned policy is never sent: CloudFront rebuilds it from the request's URL and `Expires`
//! and checks the signature over it, so its JSON must be byte for byte what the signer signed.
//! [`Policy::to_json`] writes what the AWS CLI's `aws cloudfront sign` (botocore's
//! `CloudFrontSigner.build_policy`) writes: no white space, members in the Guide's order for
//! the canned policy, and for a custom one `DateLessThan`, `IpAddress`, `DateGreaterThan`
//! (the Guide: the order in `Condition` does not matter), non-ASCII characters as `\uXXXX`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use serde_json::Value;

/// A policy statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Canned: one URL (with its own query string, if any) until `expires`.
    Canned {
        /// The URL as the viewer requests it, without the signing parameters.
        resource: String,
        /// Epoch seconds (UTC) after which the URL is refused (`DateLessThan`).
        expires: i64,
    },
    /// Custom: a resource that may hold wildcards, and optional start time and IPv4 range.
    Custom {
        /// The URL pattern (`*` any run of characters, `?` one; `\?` before the query string).
        /// A policy without `Resource` reads as `*` (the Guide: "anyone with the signed URL
        /// can access all of the files").
        resource: String,
        /// Epoch seconds: refused from then on.
        date_less_than: i64,
        /// Epoch seconds: refused before then.
        date_greater_than: Option<i64>,
        /// An IPv4 address or CIDR range (`192.0.2.0/24`; `/32` for one address).
        ip_address: Option<String>,
    },
}

/// Why a custom policy was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PolicyError {
    /// Where in the policy, e.g. `Statement[0].Condition.DateLessThan`.
    pub path: String,
    /// What is wrong and what is accepted.
    pub message: String,
}

fn err(path: &str, message: impl Into<String>) -> PolicyError {
    PolicyError {
        path: path.to_string(),
        message: message.into(),
    }
}

/// Writes `s` as a JSON string the way Python's `json.dumps` does by default
/// (`ensure_ascii`): `"` and `\` escaped, control characters as `\n`-style or `\u00XX`,
/// anything outside printable ASCII as `\uXXXX` (surrogate pairs above U+FFFF).
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Policy {
    /// The policy statement as JSON, exactly as it is signed (see the module's notes).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(160);
        out.push_str("{\"Statement\":[{\"Resource\":");
        match self {
            Policy::Canned { resource, expires } => {
                push_json_string(&mut out, resource);
                out.push_str(",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":");
                out.push_str(&expires.to_string());
                out.push_str("}}}]}");
            }
            Policy::Custom {
                resource,
                date_less_than,
                date_greater_than,
                ip_address,
            } => {
                push_json_string(&mut out, resource);
                out.push_str(",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":");
                out.push_str(&date_less_than.to_string());
                out.push('}');
                if let Some(ip) = ip_address {
                    out.push_str(",\"IpAddress\":{\"AWS:SourceIp\":");
                    push_json_string(&mut out, ip);
                    out.push('}');
                }
                if let Some(start) = date_greater_than {
                    out.push_str(",\"DateGreaterThan\":{\"AWS:EpochTime\":");
                    out.push_str(&start.to_string());
                    out.push('}');
                }
                out.push_str("}}]}");
            }
        }
        out
    }

    /// The resource (URL or pattern).
    pub fn resource(&self) -> &str {
        match self {
            Policy::Canned { resource, .. } | Policy::Custom { resource, .. } => resource,
        }
    }

    /// The time from which the policy refuses (`DateLessThan`, or a canned `Expires`).
    pub fn date_less_than(&self) -> i64 {
        match self {
            Policy::Canned { expires, .. } => *expires,
            Policy::Custom { date_less_than, .. } => *date_less_than,
        }
    }

    /// Reads a custom policy statement (the JSON a `Policy` parameter or `CloudFront-Policy`
    /// cookie carries, base64 decoded). `Statement` is one statement, as an object or as a list
    /// of one; `Condition` must have `DateLessThan` and may have `DateGreaterThan` and
    /// `IpAddress`, nothing else (the Guide: "Abbreviations for parameter names are not
    /// accepted"); times are whole epoch seconds, not quoted; `AWS:SourceIp` is IPv4 (IPv6 is
    /// not supported).
    pub fn parse_custom(json: &str) -> Result<Policy, PolicyError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| err("policy", format!("not JSON: {e}")))?;
        let Value::Object(root) = value else {
            return Err(err("policy", "not a JSON object with a \"Statement\""));
        };
        if let Some(other) = root.keys().find(|k| *k != "Statement") {
            return Err(err(
                other,
                "unknown member; a policy has only \"Statement\"",
            ));
        }
        let statement = match root.get("Statement") {
            Some(Value::Array(list)) if list.len() == 1 => &list[0],
            Some(Value::Array(list)) => {
                return Err(err(
                    "Statement",
                    format!("{} statements; a policy holds exactly one", list.len()),
                ));
            }
            Some(object @ Value::Object(_)) => object,
            Some(_) => return Err(err("Statement", "not an object or a list of one object")),
            None => return Err(err("Statement", "missing")),
        };
        let Value::Object(statement) = statement else {
            return Err(err("Statement[0]", "not an object"));
        };
        if let Some(other) = statement
            .keys()
            .find(|k| *k != "Resource" && *k != "Condition")
        {
            return Err(err(
                &format!("Statement[0].{other}"),
                "unknown member; a statement has \"Resource\" and \"Condition\"",
            ));
        }
        let resource = match statement.get("Resource") {
            None => "*".to_string(),
            Some(Value::String(s)) => {
                check_resource(s)?;
                s.clone()
            }
            Some(_) => return Err(err("Statement[0].Resource", "not a string (one URL)")),
        };
        let Some(Value::Object(condition)) = statement.get("Condition") else {
            return Err(err(
                "Statement[0].Condition",
                "missing or not an object; DateLessThan is required",
            ));
        };
        let mut date_less_than = None;
        let mut date_greater_than = None;
        let mut ip_address = None;
        for (name, value) in condition {
            let path = format!("Statement[0].Condition.{name}");
            match name.as_str() {
                "DateLessThan" => date_less_than = Some(epoch(&path, value)?),
                "DateGreaterThan" => date_greater_than = Some(epoch(&path, value)?),
                "IpAddress" => {
                    let ip = match value {
                        Value::Object(o) if o.len() == 1 => o.get("AWS:SourceIp"),
                        _ => None,
                    };
                    let Some(Value::String(ip)) = ip else {
                        return Err(err(&path, "expected {\"AWS:SourceIp\": \"192.0.2.0/24\"}"));
                    };
                    Cidr::parse(ip).map_err(|m| err(&format!("{path}.AWS:SourceIp"), m))?;
                    ip_address = Some(ip.clone());
                }
                _ => {
                    return Err(err(
                        &path,
                        "unknown condition; accepted: DateLessThan, DateGreaterThan, IpAddress",
                    ));
                }
            }
        }
        let Some(date_less_than) = date_less_than else {
            return Err(err(
                "Statement[0].Condition.DateLessThan",
                "missing; CloudFront requires an end time",
            ));
        };
        Ok(Policy::Custom {
            resource,
            date_less_than,
            date_greater_than,
            ip_address,
        })
    }
}

fn check_resource(resource: &str) -> Result<(), PolicyError> {
    let path = "Statement[0].Resource";
    if resource.is_empty() {
        return Err(err(path, "empty; give a URL, a pattern, or omit it"));
    }
    if let Some((scheme, _)) = resource.split_once("://") {
        let ok = scheme.bytes().all(|b| matches!(b, b'*' | b'?'))
            || scheme.eq_ignore_ascii_case("http")
            || scheme.eq_ignore_ascii_case("https")
            || glob(scheme.as_bytes(), b"http")
            || glob(scheme.as_bytes(), b"https");
        if !ok {
            return Err(err(
                path,
                format!("{resource:?} must begin with http://, https:// or *://"),
            ));
        }
    } else if !resource.starts_with('*') {
        return Err(err(
            path,
            format!("{resource:?} must begin with http://, https://, *:// or *"),
        ));
    }
    Ok(())
}

fn epoch(path: &str, value: &Value) -> Result<i64, PolicyError> {
    let time = match value {
        Value::Object(o) if o.len() == 1 => o.get("AWS:EpochTime"),
        _ => None,
    };
    match time {
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| {
            err(
                &format!("{path}.AWS:EpochTime"),
                format!("{n} is not whole epoch seconds"),
            )
        }),
        Some(Value::String(s)) => Err(err(
            &format!("{path}.AWS:EpochTime"),
            format!("{s:?} is quoted; write the epoch seconds as a number"),
        )),
        _ => Err(err(path, "expected {\"AWS:EpochTime\": 1767290400}")),
    }
}

/// An IPv4 range from a policy's `AWS:SourceIp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The network address (host bits cleared).
    pub network: Ipv4Addr,
    /// The prefix length, 0 to 32.
    pub prefix: u8,
}

impl Cidr {
    /// Reads `a.b.c.d/n`, or `a.b.c.d` as `/32` (botocore adds the `/32` when it is missing).
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => {
                let prefix: u8 = p
                    .parse()
                    .ok()
                    .filter(|p| *p <= 32)
                    .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to 32"))?;
                (a, prefix)
            }
            None => (text, 32),
        };
        match address.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => {
                let mask = mask(prefix);
                Ok(Cidr {
                    network: Ipv4Addr::from(u32::from(v4) & mask),
                    prefix,
                })
            }
            Ok(IpAddr::V6(_)) => Err(format!(
                "{text:?} is IPv6, which CloudFront does not support in policies (IPv4 CIDR only)"
            )),
            Err(_) => Err(format!(
                "{text:?} is not an IPv4 address or range (192.0.2.0/24, or 192.0.2.1/32)"
            )),
        }
    }

    /// Whether `ip` is in the range (an IPv6 viewer never is; an IPv4-mapped one is compared
    /// as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let v4 = match ip {
            IpAddr::V4(v4) => v4,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4,
                None => return false,
            },
        };
        u32::from(v4) & mask(self.prefix) == u32::from(self.network)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

/// `*` matches any run of bytes, `?` exactly one; anything else itself.
pub(crate) fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// The request URL a resource pattern is matched against, in the four sections the Guide
/// divides it into.
#[derive(Clone, Copy, Debug)]
pub struct RequestUrl<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// The Host the viewer sent (with its port, if any).
    pub host: &'a str,
    /// The path as received (starting with `/`).
    pub path: &'a str,
    /// The query string without the signing parameters; empty when there is none.
    pub query: &'a str,
}

/// Whether a custom policy's `Resource` matches the request (Developer Guide, "Create a signed
/// URL using a custom policy", "Values that you specify ... Resource"): the pattern is cut into
/// `[protocol]://[domain]/[path]\?[query string]`, and wildcards match within their section;
/// a trailing `*` in the path implies `\?*`, a trailing `*` in the domain implies `/*\?*`, a
/// pattern without a protocol that starts with `*` has protocol `*`, and `*` alone matches any
/// URL. A pattern with no `\?` and no trailing `*` matches only a request without a query
/// string, with one leniency (spec SU-8): botocore writes a query string into a custom
/// policy's resource with a plain `?` (which, as a wildcard, matches the `?` of the request),
/// so such a pattern is also tried against `path?query` whole.
pub fn resource_matches(pattern: &str, url: &RequestUrl<'_>) -> bool {
    if pattern == "*" {
        return true;
    }
    let (scheme, rest) = match pattern.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None if pattern.starts_with('*') => ("*", pattern),
        None => return false,
    };
    if !glob(
        scheme.to_ascii_lowercase().as_bytes(),
        url.scheme.as_bytes(),
    ) {
        return false;
    }
    let (domain, path_and_query) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    if !glob(
        domain.to_ascii_lowercase().as_bytes(),
        url.host.to_ascii_lowercase().as_bytes(),
    ) {
        return false;
    }
    let (path, query) = match path_and_query {
        None if domain.ends_with('*') => ("/*", Some("*")),
        None => ("/", None),
        Some(pq) => match pq.split_once("\\?") {
            Some((path, query)) => (path, Some(query)),
            None if pq.ends_with('*') => (pq, Some("*")),
            None => (pq, None),
        },
    };
    let path_ok = glob(path.as_bytes(), url.path.as_bytes());
    match query {
        Some(query) => path_ok && glob(query.as_bytes(), url.query.as_bytes()),
        None if url.query.is_empty() => path_ok,
        None => {
            let whole = format!("{}?{}", url.path, url.query);
            glob(path.as_bytes(), whole.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_json_is_what_the_guide_and_botocore_write() {
        let p = Policy::Canned {
            resource: "https://d111111abcdef8.cloudfront.net/image.jpg?color=red".into(),
            expires: 1767290400,
        };
        assert_eq!(
            p.to_json(),
            concat!(
                r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/image.jpg"#,
                r#"?color=red","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}"#
            )
        );
    }

    #[test]
    fn custom_json_orders_conditions_as_botocore_does_and_escapes_like_python() {
        let p = Policy::Custom {
            resource: "https://example.com/caf\u{e9}/\"x\"*".into(),
            date_less_than: 2,
            date_greater_than: Some(1),
            ip_address: Some("192.0.2.0/24".into()),
        };
        assert_eq!(
            p.to_json(),
            concat!(
                r#"{"Statement":[{"Resource":"https://example.com/caf\u00e9/\"x\"*","#,
                r#""Condition":{"DateLessThan":{"AWS:EpochTime":2},"#,
                r#""IpAddress":{"AWS:SourceIp":"192.0.2.0/24"},"#,
                r#""DateGreaterThan":{"AWS:EpochTime":1}}}]}"#
            )
        );
        assert_eq!(Policy::parse_custom(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn the_guides_form_with_an_object_statement_and_white_space_parses() {
        let text = r#"{
          "Statement": {
            "Resource": "https://d111111abcdef8.cloudfront.net/game_download.zip",
            "Condition": {
              "IpAddress": {"AWS:SourceIp": "192.0.2.0/24"},
              "DateLessThan": {"AWS:EpochTime": 1675159200}
            }
          }
        }"#;
        assert_eq!(
            Policy::parse_custom(text).unwrap(),
            Policy::Custom {
                resource: "https://d111111abcdef8.cloudfront.net/game_download.zip".into(),
                date_less_than: 1675159200,
                date_greater_than: None,
                ip_address: Some("192.0.2.0/24".into()),
            }
        );
        let no_resource = r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}"#;
        assert_eq!(Policy::parse_custom(no_resource).unwrap().resource(), "*");
    }

    #[test]
    fn bad_policies_say_where_and_what_is_accepted() {
        for (text, path, words) in [
            ("nope", "policy", "not JSON"),
            (r#"{"Statement":[]}"#, "Statement", "0 statements"),
            (
                r#"{"Statement":[{"Resource":"https://a/b","Condition":{}}]}"#,
                "Statement[0].Condition.DateLessThan",
                "requires an end time",
            ),
            (
                r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"5"}}}]}"#,
                "Statement[0].Condition.DateLessThan.AWS:EpochTime",
                "quoted",
            ),
            (
                r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":5},
                  "IpAddress":{"AWS:SourceIp":"2001:db8::/32"}}}]}"#,
                "Statement[0].Condition.IpAddress.AWS:SourceIp",
                "IPv6",
            ),
            (
                r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":5},
                  "DateLess":{"AWS:EpochTime":5}}}]}"#,
                "Statement[0].Condition.DateLess",
                "accepted: DateLessThan",
            ),
            (
                r#"{"Statement":[{"Resource":"ftp://a/b",
                  "Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}"#,
                "Statement[0].Resource",
                "http://",
            ),
        ] {
            let e = Policy::parse_custom(text).unwrap_err();
            assert_eq!(e.path, path, "{text}: {e}");
            assert!(e.message.contains(words), "{text}: {e}");
        }
    }

    #[test]
    fn cidr_ranges() {
        let c = Cidr::parse("10.1.2.3/8").unwrap();
        assert_eq!(c.to_string(), "10.0.0.0/8");
        assert!(c.contains("10.200.0.1".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        assert!(c.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!c.contains("2001:db8::1".parse().unwrap()));
        assert_eq!(Cidr::parse("192.0.2.1").unwrap().prefix, 32);
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("1.2.3.4".parse().unwrap())
        );
        assert!(Cidr::parse("1.2.3.4/33").is_err());
        assert!(Cidr::parse("host").is_err());
    }

    fn url<'a>(scheme: &'a str, host: &'a str, path: &'a str, query: &'a str) -> RequestUrl<'a> {
        RequestUrl {
            scheme,
            host,
            path,
            query,
        }
    }

    #[test]
    fn wildcards_match_within_their_section_as_the_guide_says() {
        let hello = "https://www.example.com/hello*world";
        assert!(resource_matches(
            hello,
            &url("https", "www.example.com", "/helloworld", "")
        ));
        assert!(resource_matches(
            hello,
            &url("https", "www.example.com", "/hello-world", "")
        ));
        assert!(!resource_matches(
            hello,
            &url("https", "www.example.net", "/hello", "world")
        ));
        let zip = "https://d111111abcdef8.cloudfront.net/*game_download.zip*";
        let host = "d111111abcdef8.cloudfront.net";
        assert!(resource_matches(
            zip,
            &url("https", host, "/game_download.zip", "")
        ));
        assert!(resource_matches(
            zip,
            &url("https", host, "/example_game_download.zip", "license=yes")
        ));
        assert!(!resource_matches(
            zip,
            &url("http", host, "/game_download.zip", "")
        ));
        // A trailing * in the domain implies /*\?*.
        assert!(resource_matches(
            "http://example.com*",
            &url("http", "example.com:8080", "/a/b", "c=1")
        ));
        // No protocol, a leading * in the domain: protocol *, path /.
        assert!(resource_matches(
            "*example.com",
            &url("https", "www.example.com", "/", "")
        ));
        assert!(!resource_matches(
            "*example.com",
            &url("https", "www.example.com", "/x", "")
        ));
        assert!(resource_matches("*", &url("http", "h", "/x", "y")));
        // ? matches one character; the query needs \? or a trailing *.
        assert!(resource_matches(
            "http*://h/a?.jpg",
            &url("https", "h", "/ab.jpg", "")
        ));
        assert!(!resource_matches(
            "http://h/a.jpg",
            &url("http", "h", "/a.jpg", "x=1")
        ));
        assert!(resource_matches(
            "http://h/a.jpg\\?x=*",
            &url("http", "h", "/a.jpg", "x=1")
        ));
        assert!(!resource_matches(
            "http://h/a.jpg\\?x=*",
            &url("http", "h", "/a.jpg", "y=1")
        ));
        // SU-8: botocore's plain ? before the query string.
        assert!(resource_matches(
            "http://h/a.jpg?x=1",
            &url("http", "h", "/a.jpg", "x=1")
        ));
        assert!(!resource_matches(
            "http://h/a.jpg?x=1",
            &url("http", "h", "/a.jpg", "x=2")
        ));
        // Hosts compare without case.
        assert!(resource_matches(
            "https://H.example/*",
            &url("https", "h.EXAMPLE", "/x", "")
        ));
    }

    #[test]
    fn glob_basics() {
        assert!(glob(b"", b""));
        assert!(glob(b"*", b""));
        assert!(glob(b"a*c", b"abbbc"));
        assert!(!glob(b"a*c", b"abbb"));
        assert!(glob(b"a?c", b"abc"));
        assert!(!glob(b"a?c", b"ac"));
        assert!(glob(b"*a*b*", b"xxaxxbxx"));
    }
}
