//! `cfconsole public-keys ...`, `key-groups ...`, `oac ...` and `oai list`: the resources of
//! private content over the `ControlPlane` trait, on the local workspace or `--aws`, like the
//! distribution and function commands.
//!
//! Where CloudFront takes a configuration, a file gives it (`--config FILE`: the AWS CLI's
//! `PublicKeyConfig`, `KeyGroupConfig` or `OriginAccessControlConfig` JSON, bare or under that
//! name); the common cases also have flags (`public-keys create --name N --pem FILE`). `get`
//! prints the AWS CLI's `get-*` shape with the ETag that `update` and `delete` take
//! (`--if-match`). The configuration is checked as CloudFront checks it before anything is
//! sent, and each refusal names the field, what is wrong and what is accepted.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use cfconsole::backend::BackendArgs;
use cfconsole_control::file::read_text;
use cfconsole_control::{ControlError, KeyGroupRecord, OAI_HINT, OacRecord, PublicKeyRecord};
use cfconsole_model::Finding;
use cfconsole_model::private::{
    KeyGroupConfig, OacOriginType, OriginAccessControlConfig, PublicKeyConfig, SigningBehavior,
    SigningProtocol, check_key_group_config, check_oac_config, check_public_key_config,
};
use clap::{Args, Subcommand};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::control::{Failure, open, run};

/// `cfconsole public-keys`
#[derive(Debug, Args)]
pub struct PublicKeysArgs {
    #[command(subcommand)]
    command: PublicKeysCommand,
}

#[derive(Debug, Subcommand)]
enum PublicKeysCommand {
    /// List the public keys: id, name, kind, fingerprint.
    List {
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Print a public key with its ETag (the get-public-key shape).
    Get {
        id: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Upload a public key (RSA 2048 or ECDSA P-256, PEM) from --pem, or a PublicKeyConfig.
    Create {
        /// A name to identify the key (1 to 128 letters, digits, - and _).
        #[arg(long, required_unless_present = "config", conflicts_with = "config")]
        name: Option<String>,
        /// The public key, PEM (`openssl pkey -in private.pem -pubout` prints it).
        #[arg(long, value_name = "FILE", required_unless_present = "config")]
        pem: Option<PathBuf>,
        /// At most 128 characters.
        #[arg(long, conflicts_with = "config")]
        comment: Option<String>,
        /// [default: made from the time]
        #[arg(long, conflicts_with = "config")]
        caller_reference: Option<String>,
        /// A PublicKeyConfig (JSON) instead of the flags.
        #[arg(long, value_name = "FILE", conflicts_with = "pem")]
        config: Option<PathBuf>,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Change a public key's comment (the only thing CloudFront lets change).
    Update {
        id: String,
        /// The key's ETag, from `public-keys get ID`.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        /// The new comment ("" for none).
        #[arg(long, required_unless_present = "config", conflicts_with = "config")]
        comment: Option<String>,
        /// A PublicKeyConfig (JSON) instead of --comment.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Delete a public key no key group holds.
    Delete {
        id: String,
        /// The key's ETag.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
}

/// `cfconsole key-groups`
#[derive(Debug, Args)]
pub struct KeyGroupsArgs {
    #[command(subcommand)]
    command: KeyGroupsCommand,
}

/// What create and update of a key group set, by flags or by a file.
#[derive(Debug, Args)]
struct GroupConfigArgs {
    /// A name to identify the key group [update: unchanged].
    #[arg(long, conflicts_with = "config")]
    name: Option<String>,
    /// A public key id; repeat for each (1 to 5) [update: unchanged].
    #[arg(long = "key", value_name = "KEY_ID", conflicts_with = "config")]
    keys: Vec<String>,
    /// At most 128 characters [update: unchanged].
    #[arg(long, conflicts_with = "config")]
    comment: Option<String>,
    /// A KeyGroupConfig (JSON) instead of the flags.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum KeyGroupsCommand {
    /// List the key groups and their keys.
    List {
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Print a key group with its ETag (the get-key-group shape).
    Get {
        id: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Create a key group of existing public keys.
    Create {
        #[command(flatten)]
        config: GroupConfigArgs,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Replace a key group's name, keys or comment.
    Update {
        id: String,
        /// The group's ETag, from `key-groups get ID`.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        #[command(flatten)]
        config: GroupConfigArgs,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Delete a key group no cache behavior trusts.
    Delete {
        id: String,
        /// The group's ETag.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
}

/// `cfconsole oac`
#[derive(Debug, Args)]
pub struct OacArgs {
    #[command(subcommand)]
    command: OacCommand,
}

/// What create and update of an origin access control set, by flags or by a file.
#[derive(Debug, Args)]
struct OacConfigArgs {
    /// 1 to 64 characters [update: unchanged].
    #[arg(long, conflicts_with = "config")]
    name: Option<String>,
    /// s3, mediastore, lambda or mediapackagev2 [create: s3; update: unchanged].
    #[arg(long, value_parser = parse_enum::<OacOriginType>, conflicts_with = "config")]
    origin_type: Option<OacOriginType>,
    /// always, never, no-override or always-amz-auth [create: always; update: unchanged].
    #[arg(long, value_parser = parse_enum::<SigningBehavior>, conflicts_with = "config")]
    signing_behavior: Option<SigningBehavior>,
    /// sigv4 or sigv4a [create: sigv4; update: unchanged].
    #[arg(long, value_parser = parse_enum::<SigningProtocol>, conflicts_with = "config")]
    signing_protocol: Option<SigningProtocol>,
    /// [create: empty; update: unchanged]
    #[arg(long, conflicts_with = "config")]
    description: Option<String>,
    /// An OriginAccessControlConfig (JSON) instead of the flags.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum OacCommand {
    /// List the origin access controls.
    List {
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Print an origin access control with its ETag (the get-origin-access-control shape).
    Get {
        id: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Create an origin access control.
    Create {
        #[command(flatten)]
        config: OacConfigArgs,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Replace an origin access control's configuration.
    Update {
        id: String,
        /// Its ETag, from `oac get ID`.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        #[command(flatten)]
        config: OacConfigArgs,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Delete an origin access control no origin uses.
    Delete {
        id: String,
        /// Its ETag.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
}

/// `cfconsole oai`
#[derive(Debug, Args)]
pub struct OaiArgs {
    #[command(subcommand)]
    command: OaiCommand,
}

#[derive(Debug, Subcommand)]
enum OaiCommand {
    /// List the legacy origin access identities (read-only: move them to origin access control).
    List {
        #[command(flatten)]
        backend: BackendArgs,
    },
}

fn parse_enum<T: std::str::FromStr>(s: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| e.to_string())
}

fn refused(line: String) -> Failure {
    Failure::Refused(vec![format!("error: {line}")])
}

fn read(path: &Path) -> Result<String, Failure> {
    read_text(path).map_err(|e| Failure::Control(ControlError::io(path, e)))
}

/// A configuration file: the bare shape, or under its name (`{"PublicKeyConfig": {...}}`).
fn read_config<T: DeserializeOwned>(path: &Path, name: &str) -> Result<T, Failure> {
    let file = path.display();
    let value: Value = serde_json::from_str(&read(path)?)
        .map_err(|e| refused(format!("{file}: not JSON: {e}")))?;
    let value = match value {
        Value::Object(mut m) if m.len() == 1 && m.contains_key(name) => {
            m.remove(name).unwrap_or_default()
        }
        v => v,
    };
    serde_json::from_value(value).map_err(|e| refused(format!("{file}: not a {name}: {e}")))
}

/// Refuses before sending when the model's checks find errors, one line per finding.
fn checked(what: &str, findings: Vec<Finding>) -> Result<(), Failure> {
    if !findings.iter().any(Finding::is_error) {
        return Ok(());
    }
    let mut lines: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    lines.push(format!(
        "error: {what} not sent: fix the errors above first"
    ));
    Err(Failure::Refused(lines))
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}

fn key_json(r: &PublicKeyRecord) -> Value {
    json!({
        "ETag": r.etag,
        "PublicKey": {
            "Id": r.id,
            "CreatedTime": r.created_time,
            "PublicKeyConfig": to_json(&r.config),
        },
    })
}

fn group_json(r: &KeyGroupRecord) -> Value {
    json!({
        "ETag": r.etag,
        "KeyGroup": {
            "Id": r.id,
            "LastModifiedTime": r.last_modified,
            "KeyGroupConfig": to_json(&r.config),
        },
    })
}

fn oac_json(r: &OacRecord) -> Value {
    json!({
        "ETag": r.etag,
        "OriginAccessControl": {
            "Id": r.id,
            "OriginAccessControlConfig": to_json(&r.config),
        },
    })
}

/// `KIND  FINGERPRINT` of a PEM, or what is wrong with it.
fn describe_key(pem: &str) -> (String, String) {
    match cfconsole_model::private::key_fingerprint(pem) {
        Ok((kind, fingerprint)) => (kind.to_string(), fingerprint),
        Err(e) => ("unreadable".into(), e),
    }
}

fn caller_reference() -> String {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("cfconsole-{}-{:09}", t.as_secs(), t.subsec_nanos())
}

/// `cfconsole public-keys ...`
pub fn run_public_keys(args: PublicKeysArgs) -> ExitCode {
    match args.command {
        PublicKeysCommand::List { backend } => run(|_| async move {
            let plane = open(&backend).await?;
            println!(
                "{:<16} {:<32} {:<12} {:<26} {:<48} COMMENT",
                "ID", "NAME", "KIND", "CREATED", "FINGERPRINT"
            );
            for k in plane.list_public_keys().await? {
                let (kind, fingerprint) = describe_key(&k.config.encoded_key);
                println!(
                    "{:<16} {:<32} {:<12} {:<26} {:<48} {}",
                    k.id,
                    k.config.name,
                    kind,
                    k.created_time,
                    fingerprint,
                    k.config.comment.unwrap_or_default()
                );
            }
            Ok(())
        }),
        PublicKeysCommand::Get { id, backend } => run(|_| async move {
            let plane = open(&backend).await?;
            println!("{}", pretty(&key_json(&plane.get_public_key(&id).await?)));
            Ok(())
        }),
        PublicKeysCommand::Create {
            name,
            pem,
            comment,
            caller_reference: reference,
            config,
            backend,
        } => run(|_| async move {
            let config = match (config, name, pem) {
                (Some(file), _, _) => read_config::<PublicKeyConfig>(&file, "PublicKeyConfig")?,
                (None, Some(name), Some(pem)) => PublicKeyConfig {
                    caller_reference: reference.unwrap_or_else(caller_reference),
                    name,
                    encoded_key: read(&pem)?,
                    comment,
                },
                _ => return Err(refused("give --name and --pem, or --config FILE".into())),
            };
            checked("the public key was", check_public_key_config(&config))?;
            let plane = open(&backend).await?;
            let r = plane.create_public_key(config).await?;
            println!("{}", pretty(&key_json(&r)));
            let (kind, fingerprint) = describe_key(&r.config.encoded_key);
            eprintln!(
                "created public key {} ({}, {kind}, {fingerprint}): a signed URL's Key-Pair-Id",
                r.id, r.config.name
            );
            Ok(())
        }),
        PublicKeysCommand::Update {
            id,
            if_match,
            comment,
            config,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            let config = match config {
                Some(file) => read_config::<PublicKeyConfig>(&file, "PublicKeyConfig")?,
                None => {
                    let mut c = plane.get_public_key(&id).await?.config;
                    c.comment = comment.filter(|c| !c.is_empty());
                    c
                }
            };
            checked("the public key was", check_public_key_config(&config))?;
            let r = plane.update_public_key(&id, &if_match, config).await?;
            println!("{}", pretty(&key_json(&r)));
            eprintln!("updated public key {id}");
            Ok(())
        }),
        PublicKeysCommand::Delete {
            id,
            if_match,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            plane.delete_public_key(&id, &if_match).await?;
            eprintln!("deleted public key {id}");
            Ok(())
        }),
    }
}

/// The key group a create or update sends: the file's, or `base` with the flags applied.
fn group_config(args: GroupConfigArgs, base: KeyGroupConfig) -> Result<KeyGroupConfig, Failure> {
    if let Some(file) = &args.config {
        return read_config(file, "KeyGroupConfig");
    }
    let mut c = base;
    if let Some(n) = args.name {
        c.name = n;
    }
    if !args.keys.is_empty() {
        c.items = args.keys;
    }
    if let Some(comment) = args.comment {
        c.comment = Some(comment).filter(|c| !c.is_empty());
    }
    Ok(c)
}

/// `cfconsole key-groups ...`
pub fn run_key_groups(args: KeyGroupsArgs) -> ExitCode {
    match args.command {
        KeyGroupsCommand::List { backend } => run(|_| async move {
            let plane = open(&backend).await?;
            println!(
                "{:<38} {:<32} {:<26} {:<48} COMMENT",
                "ID", "NAME", "LAST MODIFIED", "KEYS"
            );
            for g in plane.list_key_groups().await? {
                println!(
                    "{:<38} {:<32} {:<26} {:<48} {}",
                    g.id,
                    g.config.name,
                    g.last_modified,
                    g.config.items.join(","),
                    g.config.comment.unwrap_or_default()
                );
            }
            Ok(())
        }),
        KeyGroupsCommand::Get { id, backend } => run(|_| async move {
            let plane = open(&backend).await?;
            println!("{}", pretty(&group_json(&plane.get_key_group(&id).await?)));
            Ok(())
        }),
        KeyGroupsCommand::Create { config, backend } => run(|_| async move {
            if config.config.is_none() && (config.name.is_none() || config.keys.is_empty()) {
                return Err(refused(
                    "give --name and at least one --key KEY_ID, or --config FILE".into(),
                ));
            }
            let config = group_config(config, KeyGroupConfig::default())?;
            checked("the key group was", check_key_group_config(&config))?;
            let plane = open(&backend).await?;
            let r = plane.create_key_group(config).await?;
            println!("{}", pretty(&group_json(&r)));
            eprintln!(
                "created key group {} ({}): a behavior's TrustedKeyGroups names it",
                r.id, r.config.name
            );
            Ok(())
        }),
        KeyGroupsCommand::Update {
            id,
            if_match,
            config,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            let base = if config.config.is_some() {
                KeyGroupConfig::default()
            } else {
                plane.get_key_group(&id).await?.config
            };
            let config = group_config(config, base)?;
            checked("the key group was", check_key_group_config(&config))?;
            let r = plane.update_key_group(&id, &if_match, config).await?;
            println!("{}", pretty(&group_json(&r)));
            eprintln!("updated key group {id}");
            Ok(())
        }),
        KeyGroupsCommand::Delete {
            id,
            if_match,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            plane.delete_key_group(&id, &if_match).await?;
            eprintln!("deleted key group {id}");
            Ok(())
        }),
    }
}

/// The OAC a create or update sends: the file's, or `base` with the flags applied.
fn oac_config(
    args: OacConfigArgs,
    base: OriginAccessControlConfig,
) -> Result<OriginAccessControlConfig, Failure> {
    if let Some(file) = &args.config {
        return read_config(file, "OriginAccessControlConfig");
    }
    let mut c = base;
    if let Some(n) = args.name {
        c.name = n;
    }
    if let Some(t) = args.origin_type {
        c.origin_type = t;
    }
    if let Some(b) = args.signing_behavior {
        c.signing_behavior = b;
    }
    if let Some(p) = args.signing_protocol {
        c.signing_protocol = p;
    }
    if let Some(d) = args.description {
        c.description = d;
    }
    Ok(c)
}

/// `cfconsole oac ...`
pub fn run_oac(args: OacArgs) -> ExitCode {
    match args.command {
        OacCommand::List { backend } => run(|_| async move {
            let plane = open(&backend).await?;
            println!(
                "{:<16} {:<32} {:<15} {:<16} {:<9} DESCRIPTION",
                "ID", "NAME", "ORIGIN TYPE", "SIGNING", "PROTOCOL"
            );
            for o in plane.list_origin_access_controls().await? {
                println!(
                    "{:<16} {:<32} {:<15} {:<16} {:<9} {}",
                    o.id,
                    o.config.name,
                    o.config.origin_type.as_str(),
                    o.config.signing_behavior.as_str(),
                    o.config.signing_protocol.as_str(),
                    o.config.description
                );
            }
            Ok(())
        }),
        OacCommand::Get { id, backend } => run(|_| async move {
            let plane = open(&backend).await?;
            let r = plane.get_origin_access_control(&id).await?;
            println!("{}", pretty(&oac_json(&r)));
            Ok(())
        }),
        OacCommand::Create { config, backend } => run(|_| async move {
            if config.config.is_none() && config.name.is_none() {
                return Err(refused("give --name NAME, or --config FILE".into()));
            }
            let config = oac_config(config, OriginAccessControlConfig::default())?;
            checked("the origin access control was", check_oac_config(&config))?;
            let plane = open(&backend).await?;
            let r = plane.create_origin_access_control(config).await?;
            println!("{}", pretty(&oac_json(&r)));
            eprintln!(
                "created origin access control {} ({}): an origin's OriginAccessControlId \
                 names it",
                r.id, r.config.name
            );
            Ok(())
        }),
        OacCommand::Update {
            id,
            if_match,
            config,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            let base = if config.config.is_some() {
                OriginAccessControlConfig::default()
            } else {
                plane.get_origin_access_control(&id).await?.config
            };
            let config = oac_config(config, base)?;
            checked("the origin access control was", check_oac_config(&config))?;
            let r = plane
                .update_origin_access_control(&id, &if_match, config)
                .await?;
            println!("{}", pretty(&oac_json(&r)));
            eprintln!("updated origin access control {id}");
            Ok(())
        }),
        OacCommand::Delete {
            id,
            if_match,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            plane.delete_origin_access_control(&id, &if_match).await?;
            eprintln!("deleted origin access control {id}");
            Ok(())
        }),
    }
}

/// `cfconsole oai ...`
pub fn run_oai(args: OaiArgs) -> ExitCode {
    match args.command {
        OaiCommand::List { backend } => run(|_| async move {
            let plane = open(&backend).await?;
            let list = plane.list_origin_access_identities().await?;
            println!("{:<16} {:<64} COMMENT", "ID", "S3 CANONICAL USER ID");
            for o in &list {
                println!("{:<16} {:<64} {}", o.id, o.s3_canonical_user_id, o.comment);
            }
            eprintln!("note: {OAI_HINT}");
            Ok(())
        }),
    }
}
