//! `cfconsole preview CONFIG`: the preview edge server, headless. Prints exactly one line per
//! listener to stdout when ready (`http listening on http://127.0.0.1:PORT`, likewise `https`
//! and `admin`) and serves until SIGINT/SIGTERM.

use cfconsole_control::file::read_text;
use std::collections::HashMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfconsole_edge::{Edge, EdgeConfig, Override};
use cfconsole_model::{Document, PolicySet};
use clap::Args;

/// `cfconsole preview CONFIG [options]`
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The DistributionConfig (bare, get-distribution-config or get-distribution output).
    pub config: PathBuf,
    /// HTTP listener address (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// HTTPS listener address, with a certificate generated at start unless --tls-cert is given.
    #[arg(long)]
    pub https_listen: Option<SocketAddr>,
    /// Admin API address (JSON: invalidations, cache, stats, config). Loopback only unless
    /// --admin-non-loopback is given: the API has no authentication.
    #[arg(long)]
    pub admin: Option<SocketAddr>,
    /// Allow --admin on an address other than loopback. Anyone who can reach it can invalidate
    /// the cache and swap the config; it answers requests whose Host is the address it was
    /// reached at (or a loopback name) with its port.
    #[arg(long, requires = "admin")]
    pub admin_non_loopback: bool,
    /// Origin override: ID=http://HOST:PORT, ID=https://HOST:PORT (certificate checked against
    /// HOST) or ID=FOLDER (served like S3). Repeatable.
    #[arg(long = "origin", value_name = "ID=URL|DIR")]
    pub origins: Vec<String>,
    /// Custom policies (get-*-policy or list-*-policies --type custom output). Repeatable.
    #[arg(long = "policies", value_name = "FILE")]
    pub policies: Vec<PathBuf>,
    /// The distribution's domain name (default: the input's DomainName, else a made-up one).
    #[arg(long)]
    pub domain: Option<String>,
    /// Viewer country (ISO 3166-1 alpha-2) when a request has no CloudFront-Viewer-Country.
    #[arg(long)]
    pub viewer_country: Option<String>,
    /// Access log in CloudFront's standard log format.
    #[arg(long)]
    pub access_log: Option<PathBuf>,
    /// Cache capacity in bytes (suffixes K, M, G, KiB, MiB, GiB accepted).
    #[arg(long, default_value = "256MiB", value_parser = parse_size)]
    pub cache_size: u64,
    /// PEM certificate chain for the HTTPS listener (with --tls-key).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM PKCS#8 private key for the HTTPS listener.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA certificate(s) trusted for HTTPS origins in addition to the public roots (for
    /// origins behind a private CA). Repeatable.
    #[arg(long = "origin-ca", value_name = "FILE")]
    pub origin_ca: Vec<PathBuf>,
    /// The code of the CloudFront Function NAME (the last part of a FunctionARN). Repeatable.
    /// Edits to the file reach the running preview.
    #[arg(long = "function", value_name = "NAME=FILE")]
    pub functions: Vec<String>,
    /// The runtime of function NAME (default cloudfront-js-2.0). Repeatable.
    #[arg(long = "function-runtime", value_name = "NAME=RUNTIME")]
    pub function_runtimes: Vec<String>,
    /// The key value store associated with function NAME, in CloudFront's import format
    /// {"data":[{"key":"k","value":"v"}]}. Repeatable; edits reach the running preview.
    #[arg(long = "kvs", value_name = "NAME=FILE")]
    pub kvs: Vec<String>,
    /// Serve behaviors whose functions have no --function without them (a warning each),
    /// instead of refusing to start.
    #[arg(long)]
    pub skip_functions: bool,
    /// A public key for signed URLs and cookies: ID (the Key-Pair-Id signatures name) and its
    /// PEM file (BEGIN PUBLIC KEY; RSA 2048 or ECDSA P-256). Repeatable.
    #[arg(long = "public-key", value_name = "ID=FILE")]
    pub public_keys: Vec<String>,
    /// A key group, as a behavior's TrustedKeyGroups names it, and its keys' ids (each given
    /// with --public-key). Repeatable. A trusted key group with no --key-group refuses the start.
    #[arg(long = "key-group", value_name = "ID=KEYID[,KEYID...]")]
    pub key_groups: Vec<String>,
    /// How origin access control ID (an origin's OriginAccessControlId) signs: its
    /// SigningBehavior, and its origin type (default: the one the origin's domain name says).
    /// Repeatable. An origin whose OriginAccessControlId has no --oac refuses the start, unless
    /// --origin serves it from a folder (never signed). Requests are signed with SigV4 with the
    /// default AWS credentials (environment, AWS_PROFILE, ~/.aws/config); without any they go
    /// unsigned, said once at start.
    #[arg(
        long = "oac",
        value_name = "ID=always|no-override|never[:s3|lambda|mediastore|mediapackagev2]"
    )]
    pub oacs: Vec<String>,
}

/// spec OA-10: the `--oac` flags, checked against the distribution's origins.
fn origin_access_controls(
    args: &PreviewArgs,
    config: &cfconsole_model::DistributionConfig,
) -> Result<HashMap<String, cfconsole_edge::oac::OacSigning>, String> {
    let mut out = HashMap::new();
    for v in &args.oacs {
        let (id, value) = split_flag("--oac", v, "always|no-override|never[:TYPE]")?;
        let signing = cfconsole_edge::oac::OacSigning::parse(value)
            .map_err(|e| format!("--oac {id}: {e}"))?;
        if !config
            .origins
            .items()
            .iter()
            .any(|o| o.origin_access_control_id.as_deref() == Some(id))
        {
            return Err(format!(
                "--oac {id}: no origin of the distribution has OriginAccessControlId {id}"
            ));
        }
        if out.insert(id.to_owned(), signing).is_some() {
            return Err(format!("--oac {id}: given twice"));
        }
    }
    Ok(out)
}

/// Where a preview's functions come from: the `--function`, `--function-runtime` and `--kvs`
/// flags, read again when a file changes.
struct FunctionSources {
    code: Vec<(String, PathBuf)>,
    runtimes: HashMap<String, cfconsole_functions::Runtime>,
    kvs: HashMap<String, PathBuf>,
    skip: bool,
}

fn split_flag<'a>(flag: &str, v: &'a str, what: &str) -> Result<(&'a str, &'a str), String> {
    match v.split_once('=') {
        Some((n, f)) if !n.is_empty() && !f.is_empty() => Ok((n, f)),
        _ => Err(format!("{flag} {v}: expected NAME={what}")),
    }
}

impl FunctionSources {
    fn from_args(args: &PreviewArgs) -> Result<Self, String> {
        let mut code = Vec::new();
        for v in &args.functions {
            let (n, f) = split_flag("--function", v, "FILE")?;
            code.push((n.to_owned(), PathBuf::from(f)));
        }
        let mut runtimes = HashMap::new();
        for v in &args.function_runtimes {
            let (n, r) = split_flag("--function-runtime", v, "RUNTIME")?;
            let rt = cfconsole_functions::Runtime::parse(r)
                .map_err(|e| format!("--function-runtime {n}: {e}"))?;
            runtimes.insert(n.to_owned(), rt);
        }
        let mut kvs = HashMap::new();
        for v in &args.kvs {
            let (n, f) = split_flag("--kvs", v, "FILE")?;
            kvs.insert(n.to_owned(), PathBuf::from(f));
        }
        for n in runtimes.keys().chain(kvs.keys()) {
            if !code.iter().any(|(c, _)| c == n) {
                return Err(format!(
                    "{n}: a runtime or store is given, but no --function {n}=FILE"
                ));
            }
        }
        Ok(Self {
            code,
            runtimes,
            kvs,
            skip: args.skip_functions,
        })
    }

    /// The files, and when each last changed (to see an edit).
    fn stamps(&self) -> Vec<Option<std::time::SystemTime>> {
        self.code
            .iter()
            .map(|(_, p)| p)
            .chain(self.kvs.values())
            .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .collect()
    }

    /// Reads and checks every function as CloudFront would on CreateFunction (size, syntax of
    /// its runtime, `handler`): an error names the flag, the file and the line.
    fn load(&self) -> Result<cfconsole_edge::functions::FunctionSet, String> {
        use cfconsole_functions::KvsView;
        use cfconsole_functions::kvs::Items;
        let mut set = cfconsole_edge::functions::FunctionSet {
            skip_missing: self.skip,
            ..Default::default()
        };
        for (name, path) in &self.code {
            let code = read_text(path)
                .map_err(|e| format!("--function {name}={}: cannot read: {e}", path.display()))?;
            let runtime = self.runtimes.get(name).copied().unwrap_or_default();
            let function = cfconsole_functions::compile(name, runtime, &code).map_err(|e| {
                let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
                format!(
                    "--function {name}={}{at}: CloudFront would refuse this code ({}): {}",
                    path.display(),
                    e.code,
                    e.message
                )
            })?;
            let kvs = match self.kvs.get(name) {
                Some(p) => {
                    let text = read_text(p)
                        .map_err(|e| format!("--kvs {name}={}: cannot read: {e}", p.display()))?;
                    let items = Items::from_import(&text)
                        .map_err(|e| format!("--kvs {name}={}: {e}", p.display()))?;
                    let when =
                        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    Some(KvsView::new(items, &when))
                }
                None => None,
            };
            set.insert(cfconsole_edge::functions::EdgeFunction {
                name: name.clone(),
                function,
                kvs,
            });
        }
        Ok(set)
    }
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{s}: expected a number of bytes, e.g. 268435456 or 256MiB"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => return Err(format!("{other}: unknown size unit")),
    };
    Ok(n.saturating_mul(mult))
}

/// A made-up `dXXXXXXXXXXXXX.cloudfront.net` derived from the CallerReference, stable per config.
fn made_up_domain(seed: &str) -> String {
    const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut s = String::from("d");
    for _ in 0..13 {
        s.push(D[(h % 36) as usize] as char);
        h = (h / 36) ^ h.rotate_left(17);
    }
    format!("{s}.cloudfront.net")
}

pub fn run(args: PreviewArgs) -> ExitCode {
    if let Some(a) = args.admin
        && !a.ip().is_loopback()
    {
        if !args.admin_non_loopback {
            eprintln!(
                "error: --admin {a} is not a loopback address. The admin API has no \
                    authentication: anyone who can reach it can invalidate the cache and swap the \
                    config. Use 127.0.0.1:PORT, or add --admin-non-loopback to listen on {a} \
                    anyway."
            );
            return ExitCode::from(2);
        }
        eprintln!(
            "warning: the admin API listens on {a}, which is not loopback; it has no \
                authentication, so anyone who can reach it can invalidate the cache and swap the \
                config"
        );
    }
    let text = match read_text(Path::new(&args.config)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: cannot read: {e}", args.config.display());
            return ExitCode::from(2);
        }
    };
    let doc = match Document::from_json(&text) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {}: {e}", args.config.display());
            return ExitCode::from(2);
        }
    };
    let mut policies = PolicySet::default();
    for file in &args.policies {
        let parsed = read_text(Path::new(file))
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|t| PolicySet::from_json(&t).map_err(|e| e.to_string()));
        match parsed {
            Ok(p) => policies.merge(p),
            Err(e) => {
                eprintln!("error: {}: {e}", file.display());
                return ExitCode::from(2);
            }
        }
    }
    let mut overrides = HashMap::new();
    for o in &args.origins {
        let Some((id, value)) = o.split_once('=') else {
            eprintln!("error: --origin {o}: expected ID=URL or ID=DIR");
            return ExitCode::from(2);
        };
        match Override::parse(value) {
            Ok(v) => {
                overrides.insert(id.to_string(), v);
            }
            Err(e) => {
                eprintln!("error: --origin {id}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let domain = match args
        .domain
        .clone()
        .or_else(|| doc.domain_name().map(str::to_string))
    {
        Some(d) => d,
        None => {
            let d = made_up_domain(&doc.config.caller_reference);
            eprintln!("domain: {d} (made up; give --domain to choose)");
            d
        }
    };
    let certificate = match (&args.tls_cert, &args.tls_key) {
        (Some(c), Some(k)) => match (read_text(Path::new(c)), read_text(Path::new(k))) {
            (Ok(cert), Ok(key)) => Some(cfconsole_edge::tls::CertPem { cert, key }),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("error: cannot read the TLS certificate or key: {e}");
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let mut origin_ca = Vec::new();
    for file in &args.origin_ca {
        match read_text(Path::new(file)) {
            Ok(pem) => origin_ca.push(pem),
            Err(e) => {
                eprintln!("error: --origin-ca {}: cannot read: {e}", file.display());
                return ExitCode::from(2);
            }
        }
    }
    let sources = match FunctionSources::from_args(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let functions = match sources.load() {
        Ok(f) => std::sync::Arc::new(f),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let controls = match origin_access_controls(&args, &doc.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // spec SU-1: the keys signed URLs and cookies are checked with.
    let trusted_keys = match super::sign::trusted_keys(&args.public_keys, &args.key_groups) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut cfg = EdgeConfig::new(doc.config, domain);
    cfg.functions = Some(functions);
    cfg.trusted_keys = Some(std::sync::Arc::new(trusted_keys));
    // spec OA-8: credentials are looked for only when an origin signs.
    cfg.origin_access = Some(cfconsole_edge::oac::OriginAccess::new(
        controls,
        cfconsole::credentials::default_chain(None),
    ));
    cfg.origin_ca = origin_ca;
    cfg.policies = policies;
    cfg.overrides = overrides;
    cfg.viewer_country = args.viewer_country.map(|c| c.to_ascii_uppercase());
    cfg.access_log = args.access_log;
    cfg.cache_size = args.cache_size;
    cfg.listen = Some(args.listen);
    cfg.https_listen = args.https_listen;
    cfg.admin = args.admin;
    cfg.certificate = certificate;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let edge = match Edge::start(cfg).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let mut out = std::io::stdout().lock();
        for (scheme, addr) in [
            ("http", edge.http_addr),
            ("https", edge.https_addr),
            ("admin", edge.admin_addr),
        ] {
            if let Some(a) = addr {
                let url_scheme = if scheme == "https" { "https" } else { "http" };
                let _ = writeln!(out, "{scheme} listening on {url_scheme}://{a}");
            }
        }
        let _ = out.flush();
        drop(out);
        for w in edge.control().function_warnings() {
            eprintln!("warning: {w}");
        }
        let control = edge.control().clone();
        // spec OA-9: what origin access control does not do, said once; a later change (the
        // credentials found, or lost at a refresh) is said when it happens.
        control.origin_access_settled().await;
        let mut access_said = control.origin_access_warnings();
        for w in &access_said {
            eprintln!("warning: {w}");
        }
        // Edits to a function's code or store reach the running preview: the files are looked
        // at twice a second, and a change that loads is swapped in (one that does not is
        // reported, and the functions in force keep serving).
        let watcher = tokio::spawn(async move {
            let mut seen = sources.stamps();
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
            loop {
                tick.tick().await;
                let access = control.origin_access_warnings();
                if access != access_said {
                    for w in access.iter().filter(|w| !access_said.contains(w)) {
                        eprintln!("warning: {w}");
                    }
                    for w in access_said.iter().filter(|w| !access.contains(w)) {
                        eprintln!("resolved: {w}");
                    }
                    access_said = access;
                }
                let now = sources.stamps();
                if now == seen {
                    continue;
                }
                seen = now;
                match sources.load() {
                    Ok(set) => match control.set_functions(Some(std::sync::Arc::new(set))) {
                        Ok(()) => eprintln!("functions: reloaded"),
                        Err(f) => eprintln!(
                            "error: functions not reloaded: {}",
                            cfconsole_edge::dist::render_findings(&f)
                        ),
                    },
                    Err(e) => eprintln!("error: functions not reloaded: {e}"),
                }
            }
        });
        wait_for_signal().await;
        watcher.abort();
        eprintln!("stopping: finishing requests in flight");
        edge.stop().await;
        ExitCode::SUCCESS
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_domains() {
        assert_eq!(parse_size("256MiB").unwrap(), 256 << 20);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("12xb").is_err());
        let d = made_up_domain("ref");
        assert!(
            d.starts_with('d')
                && d.ends_with(".cloudfront.net")
                && d.len() == "d1a2b3c4d5e6f7.cloudfront.net".len(),
            "{d}"
        );
    }
}
