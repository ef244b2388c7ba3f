//! `cfconsole functions ...` and `cfconsole kvs ...`: CloudFront Functions and key value
//! stores over the `ControlPlane` trait, on the local workspace or `--aws`, like the
//! distribution commands.
//!
//! ETags: `update`, `publish` and `delete` change what someone else may have changed since it
//! was read, so they take the ETag that `functions get NAME --describe` printed (`--if-match`),
//! as `publish` takes the one `get` printed. `test` changes nothing: without `--if-match` it
//! uses the stage's current ETag. The data-plane writes (`kvs put`, `delete`, `import`) are
//! per key, and the data plane's own ETag is fetched first unless `--if-match` gives it;
//! `import` chains the ETag each batch answers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfconsole::backend::BackendArgs;
use cfconsole_control::file::read_text;
use cfconsole_control::functions::update_batches;
use cfconsole_control::{ControlError, ControlPlane, FunctionRecord, Stage};
use cfconsole_functions::kvs::Items;
use cfconsole_functions::{Event, Runtime};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::control::{Failure, open, run};

/// `cfconsole functions`
#[derive(Debug, Args)]
pub struct FunctionsArgs {
    #[command(subcommand)]
    command: FunctionsCommand,
}

#[derive(Debug, Subcommand)]
enum FunctionsCommand {
    /// List the functions, both stages unless --stage names one.
    List {
        #[arg(long, value_parser = parse_stage)]
        stage: Option<Stage>,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Print a function's code (or, with --describe, its metadata and ETag as JSON).
    Get {
        name: String,
        #[arg(long, value_parser = parse_stage, default_value = "DEVELOPMENT")]
        stage: Stage,
        /// Print the describe-function shape with the ETag instead of the code.
        #[arg(long)]
        describe: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Create a function in DEVELOPMENT from a file of JavaScript.
    Create {
        name: String,
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Replace DEVELOPMENT's code (and, when given, its runtime, comment or store).
    Update {
        name: String,
        /// DEVELOPMENT's ETag, from `functions get NAME --describe`.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        /// Remove the key value store association.
        #[arg(long, conflicts_with = "kvs")]
        no_kvs: bool,
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Copy DEVELOPMENT to LIVE.
    Publish {
        name: String,
        /// DEVELOPMENT's ETag.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Run a function on an event object (exit 1 when the function fails).
    Test {
        name: String,
        /// A TestFunction event object (JSON: version, context, viewer, request, response).
        #[arg(long, value_name = "FILE")]
        event: PathBuf,
        #[arg(long, value_parser = parse_stage, default_value = "DEVELOPMENT")]
        stage: Stage,
        /// The stage's ETag [default: its current one].
        #[arg(long, value_name = "ETAG")]
        if_match: Option<String>,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Delete a function no cache behavior uses.
    Delete {
        name: String,
        /// DEVELOPMENT's ETag.
        #[arg(long, value_name = "ETAG")]
        if_match: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
}

/// What create and update set.
#[derive(Debug, Args)]
struct ConfigArgs {
    /// The function's JavaScript (at most 10 KB).
    #[arg(long, value_name = "FILE")]
    code: PathBuf,
    /// cloudfront-js-1.0 or cloudfront-js-2.0 [create: cloudfront-js-2.0; update: unchanged].
    #[arg(long, value_parser = Runtime::parse)]
    runtime: Option<Runtime>,
    /// [create: empty; update: unchanged]
    #[arg(long)]
    comment: Option<String>,
    /// Associate this key value store (a name or an ARN) [update: unchanged].
    #[arg(long, value_name = "STORE")]
    kvs: Option<String>,
}

/// `cfconsole kvs`
#[derive(Debug, Args)]
pub struct KvsArgs {
    #[command(subcommand)]
    command: KvsCommand,
}

#[derive(Debug, Subcommand)]
enum KvsCommand {
    /// List the key value stores.
    List {
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Create a store, with the items of an import file when given.
    Create {
        name: String,
        /// At most 128 characters.
        #[arg(long, default_value = "")]
        comment: String,
        /// CloudFront's import format: {"data":[{"key":"k","value":"v"}, ...]}.
        #[arg(long, value_name = "FILE")]
        import: Option<PathBuf>,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Print one key's value (exit 1 when the store has no such key).
    Get {
        /// A store name or ARN.
        store: String,
        key: String,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Put one item.
    Put {
        store: String,
        key: String,
        value: String,
        /// The data-plane ETag [default: the current one].
        #[arg(long, value_name = "ETAG")]
        if_match: Option<String>,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Delete one key.
    Delete {
        store: String,
        key: String,
        /// The data-plane ETag [default: the current one].
        #[arg(long, value_name = "ETAG")]
        if_match: Option<String>,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Put every item of an import file, 50 keys per request.
    Import {
        store: String,
        file: PathBuf,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Write every item in the import format, to FILE or standard output.
    Export {
        store: String,
        file: Option<PathBuf>,
        #[command(flatten)]
        backend: BackendArgs,
    },
}

fn parse_stage(s: &str) -> Result<Stage, String> {
    Stage::parse(s)
}

fn refused(line: String) -> Failure {
    Failure::Refused(vec![format!("error: {line}")])
}

fn read(path: &Path) -> Result<String, Failure> {
    read_text(path).map_err(|e| Failure::Control(ControlError::io(path, e)))
}

fn read_import(path: &Path) -> Result<Items, Failure> {
    Items::from_import(&read(path)?).map_err(|e| refused(format!("{}: {e}", path.display())))
}

/// A store's ARN from its name or ARN.
async fn store_arn(plane: &dyn ControlPlane, store: &str) -> Result<String, Failure> {
    if store.starts_with("arn:") {
        return Ok(store.to_string());
    }
    Ok(plane.describe_kvs(store).await?.arn)
}

/// The `describe-function` shape: `{"ETag", "FunctionSummary"}`.
fn summary_json(r: &FunctionRecord) -> Value {
    let mut config = json!({ "Comment": r.comment, "Runtime": r.runtime.as_str() });
    if let Some(arn) = &r.kvs_arn {
        config["KeyValueStoreAssociations"] =
            json!({ "Quantity": 1, "Items": [{ "KeyValueStoreARN": arn }] });
    }
    json!({
        "ETag": r.etag,
        "FunctionSummary": {
            "Name": r.name,
            "Status": r.status,
            "FunctionConfig": config,
            "FunctionMetadata": {
                "FunctionARN": r.arn,
                "Stage": r.stage.as_str(),
                "CreatedTime": r.created,
                "LastModifiedTime": r.modified,
            },
        },
    })
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// `cfconsole functions ...`
pub fn run_functions(args: FunctionsArgs) -> ExitCode {
    match args.command {
        FunctionsCommand::List { stage, backend } => run(|_| async move {
            let plane = open(&backend).await?;
            let list = plane.list_functions(stage).await?;
            println!(
                "{:<32} {:<12} {:<13} {:<18} {:<28} COMMENT",
                "NAME", "STAGE", "STATUS", "RUNTIME", "LAST MODIFIED"
            );
            for f in list {
                println!(
                    "{:<32} {:<12} {:<13} {:<18} {:<28} {}",
                    f.name,
                    f.stage.as_str(),
                    f.status,
                    f.runtime.as_str(),
                    f.modified,
                    f.comment
                );
            }
            Ok(())
        }),
        FunctionsCommand::Get {
            name,
            stage,
            describe,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            if describe {
                let r = plane.describe_function(&name, stage).await?;
                println!("{}", pretty(&summary_json(&r)));
            } else {
                let (code, _) = plane.get_function_code(&name, stage).await?;
                print!("{code}");
                if !code.ends_with('\n') {
                    println!();
                }
            }
            Ok(())
        }),
        FunctionsCommand::Create {
            name,
            config,
            backend,
        } => run(|_| async move {
            let code = read(&config.code)?;
            let plane = open(&backend).await?;
            let kvs = match &config.kvs {
                Some(s) => Some(store_arn(plane.as_ref(), s).await?),
                None => None,
            };
            let runtime = config.runtime.unwrap_or_default();
            let comment = config.comment.unwrap_or_default();
            let r = plane
                .create_function(&name, &comment, runtime, kvs, code)
                .await?;
            println!("{}", pretty(&summary_json(&r)));
            eprintln!("created {name} in DEVELOPMENT ({})", r.status);
            Ok(())
        }),
        FunctionsCommand::Update {
            name,
            if_match,
            no_kvs,
            config,
            backend,
        } => run(|_| async move {
            let code = read(&config.code)?;
            let plane = open(&backend).await?;
            let current = plane.describe_function(&name, Stage::Development).await?;
            let kvs = match (&config.kvs, no_kvs) {
                (Some(s), _) => Some(store_arn(plane.as_ref(), s).await?),
                (None, true) => None,
                (None, false) => current.kvs_arn,
            };
            let runtime = config.runtime.unwrap_or(current.runtime);
            let comment = config.comment.unwrap_or(current.comment);
            let r = plane
                .update_function(&name, &if_match, &comment, runtime, kvs, code)
                .await?;
            println!("{}", pretty(&summary_json(&r)));
            eprintln!("updated DEVELOPMENT of {name}; LIVE is unchanged until `functions publish`");
            Ok(())
        }),
        FunctionsCommand::Publish {
            name,
            if_match,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            let r = plane.publish_function(&name, &if_match).await?;
            println!("{}", pretty(&summary_json(&r)));
            eprintln!("published {name} to LIVE ({})", r.status);
            Ok(())
        }),
        FunctionsCommand::Test {
            name,
            event,
            stage,
            if_match,
            backend,
        } => run(|_| async move {
            let file = event.display().to_string();
            let text = read(&event)?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| refused(format!("{file}: not JSON: {e}")))?;
            let ev = Event::from_json(&value).map_err(|e| {
                refused(format!(
                    "{file}: not a TestFunction event object: {}",
                    e.to_string()
                        .trim_start_matches("the function's result is not valid: ")
                ))
            })?;
            let plane = open(&backend).await?;
            let etag = match if_match {
                Some(e) => e,
                None => plane.describe_function(&name, stage).await?.etag,
            };
            let t = plane.test_function(&name, &etag, stage, ev).await?;
            for l in &t.logs {
                eprintln!("log: {l}");
            }
            eprintln!("compute utilization: {}", t.compute_utilization);
            if let Some(err) = t.error {
                return Err(refused(format!("function {name} ({stage}) failed: {err}")));
            }
            match serde_json::from_str::<Value>(&t.output) {
                Ok(v) => println!("{}", pretty(&v)),
                Err(_) => println!("{}", t.output),
            }
            Ok(())
        }),
        FunctionsCommand::Delete {
            name,
            if_match,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            plane.delete_function(&name, &if_match).await?;
            eprintln!("deleted {name}");
            Ok(())
        }),
    }
}

/// The data-plane ETag to write with: the one given, else the current one.
async fn data_etag(
    plane: &dyn ControlPlane,
    arn: &str,
    given: Option<String>,
) -> Result<String, Failure> {
    match given {
        Some(e) => Ok(e),
        None => Ok(plane.kvs_items(arn).await?.etag),
    }
}

/// `cfconsole kvs ...`
pub fn run_kvs(args: KvsArgs) -> ExitCode {
    match args.command {
        KvsCommand::List { backend } => run(|_| async move {
            let plane = open(&backend).await?;
            println!(
                "{:<32} {:<13} {:<28} {:<36} COMMENT",
                "NAME", "STATUS", "LAST MODIFIED", "ID"
            );
            for s in plane.list_kvs().await? {
                println!(
                    "{:<32} {:<13} {:<28} {:<36} {}",
                    s.name, s.status, s.modified, s.id, s.comment
                );
            }
            Ok(())
        }),
        KvsCommand::Create {
            name,
            comment,
            import,
            backend,
        } => run(|_| async move {
            let items = match &import {
                Some(p) => Some(read_import(p)?),
                None => None,
            };
            let n = items.as_ref().map_or(0, Items::len);
            let plane = open(&backend).await?;
            let s = plane.create_kvs(&name, &comment, items).await?;
            println!(
                "{}",
                pretty(&json!({
                    "ETag": s.etag,
                    "KeyValueStore": {
                        "Name": s.name, "Id": s.id, "Comment": s.comment, "ARN": s.arn,
                        "Status": s.status, "LastModifiedTime": s.modified,
                    },
                }))
            );
            eprintln!("created key value store {name} with {n} item(s)");
            Ok(())
        }),
        KvsCommand::Get {
            store,
            key,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            let arn = store_arn(plane.as_ref(), &store).await?;
            match plane.kvs_get(&arn, &key).await? {
                Some(v) => {
                    println!("{v}");
                    Ok(())
                }
                None => Err(refused(format!(
                    "key {key:?} is not in key value store {store}"
                ))),
            }
        }),
        KvsCommand::Put {
            store,
            key,
            value,
            if_match,
            backend,
        } => run(|_| async move {
            cfconsole_functions::kvs::check_item(&key, &value)
                .map_err(|e| refused(e.to_string()))?;
            let plane = open(&backend).await?;
            let arn = store_arn(plane.as_ref(), &store).await?;
            let etag = data_etag(plane.as_ref(), &arn, if_match).await?;
            let new = plane.kvs_put(&arn, &etag, &key, &value).await?;
            eprintln!("put {key:?} (data-plane ETag {new})");
            Ok(())
        }),
        KvsCommand::Delete {
            store,
            key,
            if_match,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            let arn = store_arn(plane.as_ref(), &store).await?;
            let etag = data_etag(plane.as_ref(), &arn, if_match).await?;
            let new = plane.kvs_delete(&arn, &etag, &key).await?;
            eprintln!("deleted {key:?} (data-plane ETag {new})");
            Ok(())
        }),
        KvsCommand::Import {
            store,
            file,
            backend,
        } => run(|_| async move {
            let items = read_import(&file)?;
            let plane = open(&backend).await?;
            let arn = store_arn(plane.as_ref(), &store).await?;
            let mut etag = data_etag(plane.as_ref(), &arn, None).await?;
            let puts: Vec<(String, String)> =
                items.iter().map(|(k, v)| (k.into(), v.into())).collect();
            let batches = update_batches(&puts, &[]);
            let n = batches.len();
            for (i, (p, d)) in batches.into_iter().enumerate() {
                let count = p.len();
                etag = plane.kvs_update(&arn, &etag, p, d).await.map_err(|e| {
                    Failure::Refused(vec![
                        format!("error: {e}"),
                        format!(
                            "error: batch {} of {n} ({count} keys) was refused; the {i} before \
                             it were written",
                            i + 1
                        ),
                    ])
                })?;
            }
            eprintln!(
                "imported {} item(s) into {store} in {n} request(s)",
                items.len()
            );
            Ok(())
        }),
        KvsCommand::Export {
            store,
            file,
            backend,
        } => run(|_| async move {
            let plane = open(&backend).await?;
            let arn = store_arn(plane.as_ref(), &store).await?;
            let items = plane.kvs_items(&arn).await?;
            let mut text = items.items.to_import();
            text.push('\n');
            match &file {
                Some(p) => {
                    std::fs::write(p, text).map_err(|e| ControlError::io(p, e))?;
                    eprintln!("exported {} item(s) to {}", items.items.len(), p.display());
                }
                None => print!("{text}"),
            }
            Ok(())
        }),
    }
}
