//! Signed URLs and signed cookies (Developer Guide, "Create a signed URL using a canned
//! policy" / "... custom policy", "Set signed cookies using a canned policy" / "... custom
//! policy").

use crate::encoding::encode;
use crate::keys::{Hash, KeyError, PrivateKey};
use crate::policy::Policy;

/// The query parameters CloudFront reads for a signed URL, and strips before the cache key and
/// the origin request (Developer Guide, "Cache content based on query string parameters":
/// `Expires`, `Key-Pair-Id`, `Policy`, `Signature`; `Hash-Algorithm` came later, with SHA-256).
pub const URL_PARAMETERS: [&str; 5] = [
    "Expires",
    "Key-Pair-Id",
    "Policy",
    "Signature",
    "Hash-Algorithm",
];

/// The cookies of signed cookies. `CloudFront-Hash-Algorithm` is the preview's cookie for
/// `Hash-Algorithm` (spec SU-2; the Guide names the URL parameter only).
pub const COOKIE_NAMES: [&str; 5] = [
    "CloudFront-Expires",
    "CloudFront-Policy",
    "CloudFront-Signature",
    "CloudFront-Key-Pair-Id",
    "CloudFront-Hash-Algorithm",
];

/// Why a URL or cookies could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The URL is not one CloudFront can serve signed.
    #[error("URL {url:?}: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A canned policy for another URL than the one signed.
    #[error(
        "a canned policy's resource ({resource:?}) must be the signed URL ({url:?}): CloudFront \
         rebuilds the canned policy from the URL it receives"
    )]
    CannedResource {
        /// The policy's resource.
        resource: String,
        /// The URL given.
        url: String,
    },
    /// A key pair id CloudFront would not read back.
    #[error("key pair id {0:?}: expected the public key's id, letters and digits (K2JCJMDEHXQW5F)")]
    KeyPairId(String),
    /// The key could not sign.
    #[error(transparent)]
    Key(#[from] KeyError),
}

fn check_key_pair_id(id: &str) -> Result<(), SignError> {
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(SignError::KeyPairId(id.to_string()));
    }
    Ok(())
}

/// Checks that `url` can be signed: absolute `http://` or `https://`, no fragment, no white
/// space, and none of the signing parameters already (the AWS CLI's `sign` asks the same).
pub fn check_url(url: &str) -> Result<(), SignError> {
    let bad = |reason: &str| SignError::Url {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("must be an absolute http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(bad("has no host"));
    }
    if url.contains('#') {
        return Err(bad("has a fragment (#...), which browsers never send"));
    }
    if url
        .bytes()
        .any(|b| b.is_ascii_whitespace() || !b.is_ascii())
    {
        return Err(bad(
            "has spaces or non-ASCII characters: percent-encode them first",
        ));
    }
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split('&') {
            let name = pair.split('=').next().unwrap_or_default();
            if URL_PARAMETERS.contains(&name) {
                return Err(bad(&format!(
                    "already has the signing parameter {name}; sign the URL without it"
                )));
            }
        }
    }
    Ok(())
}

/// The policy's signature, in CloudFront's base64.
fn signature(key: &PrivateKey, policy_json: &str, hash: Hash) -> Result<String, SignError> {
    Ok(encode(&key.sign(hash, policy_json.as_bytes())?))
}

/// Signs `url` for `key_pair_id` (the CloudFront public key's id). A canned policy adds
/// `Expires`, `Signature`, `Key-Pair-Id`; a custom one `Policy`, `Signature`, `Key-Pair-Id`;
/// SHA-256 adds `Hash-Algorithm=SHA256` last (the Guide's example). With SHA-1 and an RSA key
/// the URL is byte for byte what `aws cloudfront sign` prints for the same key, URL and times.
pub fn sign_url(
    url: &str,
    key_pair_id: &str,
    key: &PrivateKey,
    policy: &Policy,
    hash: Hash,
) -> Result<String, SignError> {
    check_url(url)?;
    check_key_pair_id(key_pair_id)?;
    let json = policy.to_json();
    let mut out = String::with_capacity(url.len() + 600);
    out.push_str(url);
    out.push(if url.contains('?') { '&' } else { '?' });
    match policy {
        Policy::Canned { resource, expires } => {
            if resource != url {
                return Err(SignError::CannedResource {
                    resource: resource.clone(),
                    url: url.to_string(),
                });
            }
            out.push_str(&format!("Expires={expires}"));
        }
        Policy::Custom { .. } => {
            out.push_str("Policy=");
            out.push_str(&encode(json.as_bytes()));
        }
    }
    out.push_str("&Signature=");
    out.push_str(&signature(key, &json, hash)?);
    out.push_str("&Key-Pair-Id=");
    out.push_str(key_pair_id);
    if hash == Hash::Sha256 {
        out.push_str("&Hash-Algorithm=SHA256");
    }
    Ok(out)
}

/// The signed cookies for `policy`, as (name, value) in the order to set them: canned
/// `CloudFront-Expires`, custom `CloudFront-Policy`; then `CloudFront-Signature`,
/// `CloudFront-Key-Pair-Id`, and for SHA-256 `CloudFront-Hash-Algorithm=SHA256`.
pub fn sign_cookies(
    key_pair_id: &str,
    key: &PrivateKey,
    policy: &Policy,
    hash: Hash,
) -> Result<Vec<(String, String)>, SignError> {
    check_key_pair_id(key_pair_id)?;
    let json = policy.to_json();
    let mut out = Vec::with_capacity(4);
    match policy {
        Policy::Canned { expires, .. } => {
            out.push(("CloudFront-Expires".to_string(), expires.to_string()));
        }
        Policy::Custom { .. } => {
            out.push(("CloudFront-Policy".to_string(), encode(json.as_bytes())));
        }
    }
    out.push((
        "CloudFront-Signature".to_string(),
        signature(key, &json, hash)?,
    ));
    out.push((
        "CloudFront-Key-Pair-Id".to_string(),
        key_pair_id.to_string(),
    ));
    if hash == Hash::Sha256 {
        out.push((
            "CloudFront-Hash-Algorithm".to_string(),
            "SHA256".to_string(),
        ));
    }
    Ok(out)
}

/// Removes the signing parameters ([`URL_PARAMETERS`]) from a query string, keeping the rest
/// in order; None when nothing is left. Names are case-sensitive (only CloudFront's exact
/// names go); empty pairs (`a&&b`) go too.
pub fn strip_url_parameters(query: Option<&str>) -> Option<String> {
    let query = query?;
    let mut out = String::with_capacity(query.len());
    for pair in query.split('&') {
        let name = pair.split('=').next().unwrap_or("");
        if pair.is_empty() || URL_PARAMETERS.contains(&name) {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(pair);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::test_keys::{ecdsa_pem, rsa_pem};

    #[test]
    fn a_canned_url_has_the_three_parameters_and_its_signature_verifies() {
        let key = PrivateKey::from_pem(rsa_pem()).unwrap();
        let url = "https://d111111abcdef8.cloudfront.net/image.jpg?color=red";
        let policy = Policy::Canned {
            resource: url.into(),
            expires: 1767290400,
        };
        let signed = sign_url(url, "K2JCJMDEHXQW5F", &key, &policy, Hash::Sha1).unwrap();
        let query = signed.strip_prefix(url).unwrap();
        let mut parts = query.trim_start_matches('&').split('&');
        assert_eq!(parts.next(), Some("Expires=1767290400"));
        let signature = parts.next().unwrap().strip_prefix("Signature=").unwrap();
        assert_eq!(parts.next(), Some("Key-Pair-Id=K2JCJMDEHXQW5F"));
        assert_eq!(parts.next(), None);
        assert!(!signature.contains(['+', '/', '=']));
        let bytes = crate::decode(signature).unwrap();
        assert!(
            key.public_key()
                .verify(Hash::Sha1, policy.to_json().as_bytes(), &bytes)
        );
        let again = sign_url(url, "K2JCJMDEHXQW5F", &key, &policy, Hash::Sha1).unwrap();
        assert_eq!(again, signed, "RSA PKCS#1 v1.5 is deterministic");
    }

    #[test]
    fn custom_and_sha256_and_ecdsa() {
        let key = PrivateKey::from_pem(ecdsa_pem()).unwrap();
        let policy = Policy::Custom {
            resource: "https://h/*".into(),
            date_less_than: 10,
            date_greater_than: None,
            ip_address: None,
        };
        let signed = sign_url("https://h/a", "K1", &key, &policy, Hash::Sha256).unwrap();
        assert!(signed.starts_with("https://h/a?Policy="), "{signed}");
        assert!(
            signed.ends_with("&Key-Pair-Id=K1&Hash-Algorithm=SHA256"),
            "{signed}"
        );
        let encoded = signed
            .split("Policy=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        assert_eq!(
            crate::decode(encoded).unwrap(),
            policy.to_json().into_bytes()
        );
    }

    #[test]
    fn cookies_canned_custom_and_sha256() {
        let key = PrivateKey::from_pem(rsa_pem()).unwrap();
        let canned = Policy::Canned {
            resource: "https://h/a".into(),
            expires: 7,
        };
        let names = |c: Vec<(String, String)>| c.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            names(sign_cookies("K1", &key, &canned, Hash::Sha1).unwrap()),
            [
                "CloudFront-Expires",
                "CloudFront-Signature",
                "CloudFront-Key-Pair-Id"
            ]
        );
        let custom = Policy::Custom {
            resource: "https://h/*".into(),
            date_less_than: 7,
            date_greater_than: Some(1),
            ip_address: Some("10.0.0.0/8".into()),
        };
        let cookies = sign_cookies("K1", &key, &custom, Hash::Sha256).unwrap();
        assert_eq!(
            names(cookies.clone()),
            [
                "CloudFront-Policy",
                "CloudFront-Signature",
                "CloudFront-Key-Pair-Id",
                "CloudFront-Hash-Algorithm"
            ]
        );
        assert_eq!(cookies[3].1, "SHA256");
    }

    #[test]
    fn urls_that_cannot_be_signed_say_why() {
        let key = PrivateKey::from_pem(ecdsa_pem()).unwrap();
        let p = |url: &str| Policy::Canned {
            resource: url.into(),
            expires: 1,
        };
        for (url, words) in [
            ("/relative", "absolute"),
            ("ftp://h/a", "absolute"),
            ("https:///a", "no host"),
            ("https://h/a#top", "fragment"),
            ("https://h/a b", "percent-encode"),
            ("https://h/a?Expires=1", "Expires"),
        ] {
            let e = sign_url(url, "K1", &key, &p(url), Hash::Sha1).unwrap_err();
            assert!(e.to_string().contains(words), "{url}: {e}");
        }
        let e = sign_url("https://h/a", "K1", &key, &p("https://h/b"), Hash::Sha1).unwrap_err();
        assert!(matches!(e, SignError::CannedResource { .. }), "{e}");
        let e = sign_url("https://h/a", "K 1", &key, &p("https://h/a"), Hash::Sha1).unwrap_err();
        assert!(matches!(e, SignError::KeyPairId(_)), "{e}");
    }

    #[test]
    fn signing_parameters_are_stripped_by_exact_name() {
        for (query, expected) in [
            (None, None),
            (Some("a=1&b=2"), Some("a=1&b=2")),
            (
                Some("a=1&Expires=2&Signature=x&Key-Pair-Id=k&Hash-Algorithm=SHA256&b=2"),
                Some("a=1&b=2"),
            ),
            (Some("Policy=p&Signature=s&Key-Pair-Id=k"), None),
            (Some("Expires&a"), Some("a")),
            (Some("a=1&&b"), Some("a=1&b")),
            (Some(""), None),
            (Some("expires=1&signature=2"), Some("expires=1&signature=2")),
            (Some("x=Signature"), Some("x=Signature")),
        ] {
            assert_eq!(
                strip_url_parameters(query).as_deref(),
                expected,
                "{query:?}"
            );
        }
    }
}
