//! `cfconsole sign URL ...`: a signed URL or signed cookies for testing in the preview and in a
//! browser (Developer Guide, "Create a signed URL using a canned policy" / "... a custom
//! policy", "Set signed cookies ..."), and the preview's `--public-key` / `--key-group` flags.
//!
//! The private key file is read for the signing only: never stored, printed or logged (its
//! text is zeroized once parsed, the key itself when dropped). With SHA-1, an RSA key and the
//! same URL and times, the URL is byte for byte what `aws cloudfront sign` prints.

use std::path::PathBuf;
use std::process::ExitCode;

use cfconsole_signing::policy::{RequestUrl, resource_matches};
use cfconsole_signing::{Hash, Policy, PrivateKey, PublicKey, TrustedKeys};
use clap::Args;

/// `cfconsole sign`
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The URL to sign: absolute http:// or https://, percent-encoded, without a fragment and
    /// without the signing parameters (Expires, Policy, Signature, Key-Pair-Id,
    /// Hash-Algorithm). With --cookies, the URL the cookies are for.
    pub url: String,
    /// The CloudFront public key's id (the Key-Pair-Id the edge looks the key up by).
    #[arg(long = "key-pair-id", value_name = "ID")]
    pub key_pair_id: String,
    /// The private key, PEM: PKCS#1 (BEGIN RSA PRIVATE KEY), PKCS#8 (BEGIN PRIVATE KEY) or
    /// SEC1 (BEGIN EC PRIVATE KEY); RSA 2048 or ECDSA P-256. Read for the signing only.
    #[arg(long = "private-key", value_name = "FILE")]
    pub private_key: PathBuf,
    /// When the signature expires: RFC 3339 (2026-01-01T18:00:00Z) or epoch seconds. A canned
    /// policy, unless --date-greater-than or --ip-address make it a custom one.
    #[arg(long, value_name = "TIME", required_unless_present = "policy")]
    pub expires: Option<String>,
    /// A custom policy statement (JSON) to sign instead of --expires; its Resource must match
    /// the URL.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["expires", "date_greater_than", "ip_address"]
    )]
    pub policy: Option<PathBuf>,
    /// With --expires: not valid before TIME (a custom policy, as `aws cloudfront sign`
    /// makes it).
    #[arg(long = "date-greater-than", value_name = "TIME")]
    pub date_greater_than: Option<String>,
    /// With --expires: only for viewers from this IPv4 address or CIDR range (a custom
    /// policy; a bare address gets /32, as `aws cloudfront sign` writes it).
    #[arg(long = "ip-address", value_name = "IP[/N]")]
    pub ip_address: Option<String>,
    /// The hash signed over: SHA1 (CloudFront's default) or SHA256 (adds Hash-Algorithm=SHA256).
    #[arg(
        long = "hash-algorithm",
        value_name = "SHA1|SHA256",
        default_value = "SHA1"
    )]
    pub hash_algorithm: String,
    /// Print the Set-Cookie lines of signed cookies instead of a signed URL.
    #[arg(long)]
    pub cookies: bool,
}

/// Reads TIME: RFC 3339 (any offset) or whole epoch seconds.
pub fn parse_time(flag: &str, text: &str) -> Result<i64, String> {
    if let Ok(epoch) = text.trim().parse::<i64>() {
        return Ok(epoch);
    }
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp())
        .map_err(|e| {
            format!(
                "{flag} {text:?}: {e}; expected RFC 3339 (2026-01-01T18:00:00Z) or epoch seconds"
            )
        })
}

/// The URL's four sections, for matching a policy's resource.
fn sections(url: &str) -> Option<RequestUrl<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let (host, path_query) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    Some(RequestUrl {
        scheme,
        host,
        path,
        query,
    })
}

/// The policy the arguments describe.
fn policy(args: &SignArgs) -> Result<Policy, String> {
    if let Some(path) = &args.policy {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--policy {}: cannot read: {e}", path.display()))?;
        let policy =
            Policy::parse_custom(&text).map_err(|e| format!("--policy {}: {e}", path.display()))?;
        let matches = sections(&args.url).is_some_and(|u| resource_matches(policy.resource(), &u));
        if !matches {
            return Err(format!(
                "--policy {}: its Resource {:?} does not match {}: CloudFront would refuse the \
                 signed URL (spec SU-8)",
                path.display(),
                policy.resource(),
                args.url
            ));
        }
        return Ok(policy);
    }
    let Some(expires) = &args.expires else {
        return Err("give --expires TIME or --policy FILE".to_string());
    };
    let expires = parse_time("--expires", expires)?;
    let date_greater_than = args
        .date_greater_than
        .as_deref()
        .map(|t| parse_time("--date-greater-than", t))
        .transpose()?;
    let ip_address = match &args.ip_address {
        Some(ip) => {
            cfconsole_signing::policy::Cidr::parse(ip).map_err(|e| format!("--ip-address {e}"))?;
            Some(if ip.contains('/') {
                ip.clone()
            } else {
                format!("{ip}/32")
            })
        }
        None => None,
    };
    if date_greater_than.is_some() || ip_address.is_some() {
        return Ok(Policy::Custom {
            resource: args.url.clone(),
            date_less_than: expires,
            date_greater_than,
            ip_address,
        });
    }
    Ok(Policy::Canned {
        resource: args.url.clone(),
        expires,
    })
}

/// What `cfconsole sign` prints: the signed URL, or one `Set-Cookie:` line per cookie (with
/// `Path=/`, `HttpOnly`, and `Secure` for an https:// URL; no Domain, so the cookie is for the
/// URL's host only).
pub fn output(args: &SignArgs) -> Result<String, String> {
    let hash = Hash::from_parameter(&args.hash_algorithm).ok_or_else(|| {
        format!(
            "--hash-algorithm {:?}: expected SHA1 or SHA256",
            args.hash_algorithm
        )
    })?;
    cfconsole_signing::sign::check_url(&args.url).map_err(|e| e.to_string())?;
    let policy = policy(args)?;
    let key =
        PrivateKey::from_pem_file(&args.private_key).map_err(|e| format!("--private-key {e}"))?;
    if args.cookies {
        let cookies = cfconsole_signing::sign_cookies(&args.key_pair_id, &key, &policy, hash)
            .map_err(|e| e.to_string())?;
        let secure = if args.url.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        let mut out = String::new();
        for (name, value) in cookies {
            out.push_str(&format!(
                "Set-Cookie: {name}={value}; Path=/{secure}; HttpOnly\n"
            ));
        }
        Ok(out)
    } else {
        let url = cfconsole_signing::sign_url(&args.url, &args.key_pair_id, &key, &policy, hash)
            .map_err(|e| e.to_string())?;
        Ok(format!("{url}\n"))
    }
}

pub fn run(args: SignArgs) -> ExitCode {
    match output(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The preview's `--public-key ID=FILE` and `--key-group ID=KEYID[,KEYID...]` flags as the
/// keys signatures are checked with (spec SU-1): a file that cannot be read or is not a key
/// CloudFront accepts, an id given twice, an empty group, or a group naming a key with no
/// `--public-key`, is an error naming the flag and what is wrong.
pub fn trusted_keys(public_keys: &[String], key_groups: &[String]) -> Result<TrustedKeys, String> {
    let mut keys = TrustedKeys::new();
    for flag in public_keys {
        let Some((id, file)) = flag
            .split_once('=')
            .filter(|(i, f)| !i.is_empty() && !f.is_empty())
        else {
            return Err(format!("--public-key {flag:?}: expected ID=FILE"));
        };
        if keys.key(id).is_some() {
            return Err(format!("--public-key {id}: given twice"));
        }
        let key = PublicKey::from_pem_file(std::path::Path::new(file))
            .map_err(|e| format!("--public-key {id}={e}"))?;
        keys.add_key(id, key);
    }
    for flag in key_groups {
        let Some((id, list)) = flag.split_once('=').filter(|(i, _)| !i.is_empty()) else {
            return Err(format!(
                "--key-group {flag:?}: expected ID=KEYID[,KEYID...]"
            ));
        };
        if keys.group(id).is_some() {
            return Err(format!("--key-group {id}: given twice"));
        }
        let members: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        if members.is_empty() {
            return Err(format!(
                "--key-group {id}: no key ids; expected {id}=KEYID[,KEYID...]"
            ));
        }
        for key in &members {
            if keys.key(key).is_none() {
                return Err(format!(
                    "--key-group {id}: key {key} has no --public-key {key}=FILE"
                ));
            }
        }
        keys.add_group(id, members);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_or_epoch_seconds() {
        assert_eq!(parse_time("--expires", "1767290400"), Ok(1_767_290_400));
        assert_eq!(
            parse_time("--expires", "2026-01-01T18:00:00Z"),
            Ok(1_767_290_400)
        );
        assert_eq!(
            parse_time("--expires", "2026-01-01T19:00:00+01:00"),
            Ok(1_767_290_400)
        );
        let e = parse_time("--expires", "tomorrow").unwrap_err();
        assert!(e.contains("RFC 3339") && e.contains("--expires"), "{e}");
    }

    #[test]
    fn flags_that_cannot_be_keys_say_why() {
        assert!(
            trusted_keys(&["K1".into()], &[])
                .unwrap_err()
                .contains("ID=FILE")
        );
        let e = trusted_keys(&["K1=/nonexistent.pem".into()], &[]).unwrap_err();
        assert!(
            e.starts_with("--public-key K1=/nonexistent.pem: cannot read"),
            "{e}"
        );
        let e = trusted_keys(&[], &["kg=K1".into()]).unwrap_err();
        assert_eq!(e, "--key-group kg: key K1 has no --public-key K1=FILE");
        let e = trusted_keys(&[], &["kg=".into()]).unwrap_err();
        assert!(e.contains("no key ids"), "{e}");
    }
}
