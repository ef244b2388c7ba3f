//! Subcommands over the control plane, on either backend: `distributions`, `get`, `publish`,
//! `delete`, `invalidate`, `invalidations`. They use only the `ControlPlane` trait, like the GUI;
//! long waits show a spinner on a terminal and one line per change otherwise.

use cfconsole_control::file::read_text;
use std::future::Future;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cfconsole::backend::{self, BackendArgs};
use cfconsole_control::poll::{self, CancelToken, Event, Followed};
use cfconsole_control::queue::{self, Cost, QueueEvent, QueueOptions};
use cfconsole_control::{ControlError, ControlPlane};
use cfconsole_model::{Document, Finding, Form, invalidation};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

/// Opens the backend the flags name (the local workspace when they name none), as the window
/// does: the same flags, the same opening.
pub(crate) async fn open(args: &BackendArgs) -> Result<Arc<dyn ControlPlane>, ControlError> {
    let choice = args
        .choice()
        .map_err(ControlError::Other)?
        .unwrap_or_default();
    let backend = backend::open(choice, args.timings())
        .await
        .map_err(ControlError::Other)?;
    Ok(backend.plane)
}

/// `cfconsole distributions`
#[derive(Debug, Args)]
pub struct DistributionsArgs {
    #[command(flatten)]
    backend: BackendArgs,
}

/// `cfconsole get ID`
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The distribution id.
    id: String,
    #[command(flatten)]
    backend: BackendArgs,
}

/// `cfconsole publish FILE [--id ID]`
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// A DistributionConfig file (bare, get-distribution-config or get-distribution output).
    file: PathBuf,
    /// Update this distribution (with the file's ETag) instead of creating one.
    #[arg(long)]
    id: Option<String>,
    #[command(flatten)]
    backend: BackendArgs,
}

/// `cfconsole delete ID`
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The distribution id.
    id: String,
    #[command(flatten)]
    backend: BackendArgs,
}

/// `cfconsole invalidate ID PATH... [--wait]`
#[derive(Debug, Args)]
pub struct InvalidateArgs {
    /// The distribution id.
    id: String,
    /// Paths to invalidate (`/index.html`, `/images/*`).
    #[arg(required = true)]
    paths: Vec<String>,
    /// Wait until every invalidation is Completed.
    #[arg(long)]
    wait: bool,
    #[command(flatten)]
    backend: BackendArgs,
}

/// `cfconsole invalidations ID`
#[derive(Debug, Args)]
pub struct InvalidationsArgs {
    /// The distribution id.
    id: String,
    #[command(flatten)]
    backend: BackendArgs,
}

/// Why a command failed: a control-plane error, or findings that refused it before any call.
pub(crate) enum Failure {
    Control(ControlError),
    Refused(Vec<String>),
}

impl From<ControlError> for Failure {
    fn from(e: ControlError) -> Self {
        Failure::Control(e)
    }
}

/// Runs a command on a current-thread runtime; Ctrl-C cancels waits through `cancel`.
pub(crate) fn run<F, Fut>(f: F) -> ExitCode
where
    F: FnOnce(CancelToken) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cancel = CancelToken::new();
    let result = rt.block_on(async {
        let c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                c.cancel();
            }
        });
        f(cancel).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Control(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Err(Failure::Refused(lines)) => {
            for l in lines {
                eprintln!("{l}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Progress on stderr: a spinner on a terminal, plain lines otherwise (logs, tests).
struct Steps {
    bar: ProgressBar,
    tty: bool,
}

impl Steps {
    fn new() -> Self {
        let tty = std::io::stderr().is_terminal();
        let bar = if tty {
            let b = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                b.set_style(style);
            }
            b
        } else {
            ProgressBar::hidden()
        };
        Self { bar, tty }
    }

    fn line(&self, msg: impl AsRef<str>) {
        if self.tty {
            self.bar.println(msg.as_ref());
        } else {
            eprintln!("{}", msg.as_ref());
        }
    }

    fn spin(&self, msg: impl Into<String>) {
        if self.tty {
            self.bar.set_message(msg.into());
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `cfconsole distributions`: one line per distribution.
pub fn run_distributions(args: DistributionsArgs) -> ExitCode {
    run(|_| async move {
        let plane = open(&args.backend).await?;
        let list = plane.list_distributions().await?;
        println!(
            "{:<16} {:<11} {:<8} {:<32} {:<24} COMMENT",
            "ID", "STATUS", "ENABLED", "DOMAIN", "LAST MODIFIED"
        );
        for d in list.items {
            let aliases = if d.aliases.is_empty() {
                String::new()
            } else {
                format!(" [{}]", d.aliases.join(", "))
            };
            println!(
                "{:<16} {:<11} {:<8} {:<32} {:<24} {}{}",
                d.id, d.status, d.enabled, d.domain_name, d.last_modified, d.comment, aliases
            );
        }
        // The others are listed above; each that could not be read is named, and the command
        // fails so that scripts notice.
        if list.unreadable.is_empty() {
            return Ok(());
        }
        let mut lines: Vec<String> = list
            .unreadable
            .iter()
            .map(|u| format!("error: {}", u.problem))
            .collect();
        lines.push(format!(
            "{} distribution(s) could not be read; the others are listed",
            list.unreadable.len()
        ));
        Err(Failure::Refused(lines))
    })
}

/// `cfconsole get ID`: the `get-distribution-config` shape with the ETag, so the output can be
/// edited and published back (here or with the AWS CLI).
pub fn run_get(args: GetArgs) -> ExitCode {
    run(|_| async move {
        let plane = open(&args.backend).await?;
        let rec = plane.get_distribution(&args.id).await?;
        let doc = Document {
            config: rec.distribution.distribution_config,
            etag: Some(rec.etag),
            distribution: None,
            location: None,
            form: Form::GetDistributionConfig,
        };
        print!("{}", doc.to_json_pretty());
        Ok(())
    })
}

/// Checks a document before any call with the model's full validation (managed policies only:
/// custom policy ids cannot be resolved here and only warn). `Ok` carries the warnings, to be
/// printed; `Err` carries every finding when there is an error, and nothing is sent.
pub fn preflight(doc: &Document) -> Result<Vec<Finding>, Vec<Finding>> {
    let findings = cfconsole_model::validate(&doc.config);
    if findings.iter().any(Finding::is_error) {
        Err(findings)
    } else {
        Ok(findings)
    }
}

/// `cfconsole publish FILE [--id ID]`: create, or update with the file's ETag.
pub fn run_publish(args: PublishArgs) -> ExitCode {
    run(|_| async move {
        let file = args.file.display().to_string();
        let text = read_text(Path::new(&args.file)).map_err(|e| ControlError::io(&args.file, e))?;
        let doc = Document::from_json(&text)
            .map_err(|e| Failure::Refused(vec![format!("{file}: error: {e}")]))?;
        let warnings = preflight(&doc).map_err(|findings| {
            let mut lines: Vec<String> = findings.iter().map(|f| format!("{file}: {f}")).collect();
            lines.push(format!("{file}: not published: fix the errors above first"));
            Failure::Refused(lines)
        })?;
        for w in &warnings {
            eprintln!("{file}: {w}");
        }
        let id = args.id.clone().or_else(|| doc.id().map(str::to_string));
        // An ETag without a distribution id: the file was read from an existing distribution
        // (`get-distribution-config` prints no id). Creating from it would reuse its caller
        // reference and fail; what was meant is an update.
        if id.is_none() && doc.etag.is_some() {
            return Err(Failure::Refused(vec![format!(
                "{file}: error: the file has an ETag, so it was read from an existing \
                 distribution, but it names none: pass --id ID to update that distribution, or \
                 remove the ETag and give it a new CallerReference to create a copy"
            )]));
        }
        let plane = open(&args.backend).await?;
        check_functions(plane.as_ref(), &file, &doc.config).await?;
        check_private_content(plane.as_ref(), &file, &doc.config).await?;
        let rec = match id {
            Some(id) => {
                let etag = doc.etag.clone().ok_or_else(|| {
                    Failure::Refused(vec![format!(
                        "{file}: error: no ETag to update {id} with: start from \
                         `cfconsole get {id}`, whose output carries it"
                    )])
                })?;
                let rec = plane.update_distribution(&id, doc.config, &etag).await?;
                eprintln!("updated {id}");
                rec
            }
            None => {
                let rec = plane.create_distribution(doc.config).await?;
                eprintln!(
                    "created {} ({})",
                    rec.distribution.id, rec.distribution.domain_name
                );
                rec
            }
        };
        println!(
            "{} {} {}",
            rec.distribution.id, rec.etag, rec.distribution.status
        );
        Ok(())
    })
}

/// Refuses a configuration whose FunctionAssociations name a function the account does not
/// have, or has never published (CloudFront's `NoSuchFunctionExists` and
/// `InvalidFunctionAssociation`), before it is sent. Only asked when the configuration has
/// associations, so a backend that serves no functions is never asked.
async fn check_functions(
    plane: &dyn ControlPlane,
    file: &str,
    config: &cfconsole_model::DistributionConfig,
) -> Result<(), Failure> {
    let uses = cfconsole_model::BehaviorView::all(config).iter().any(|b| {
        b.function_associations
            .is_some_and(|l| !l.items().is_empty())
    });
    if !uses {
        return Ok(());
    }
    let mut known: Vec<cfconsole_model::KnownFunction> = Vec::new();
    for f in plane.list_functions(None).await? {
        let live = f.stage == cfconsole_control::Stage::Live;
        match known.iter_mut().find(|k| k.name == f.name) {
            Some(k) => k.live |= live,
            None => known.push(cfconsole_model::KnownFunction {
                name: f.name,
                arn: f.arn,
                live,
            }),
        }
    }
    let findings = cfconsole_model::check_function_associations(config, &known);
    if findings.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = findings.iter().map(|f| format!("{file}: {f}")).collect();
    lines.push(format!("{file}: not published: fix the errors above first"));
    Err(Failure::Refused(lines))
}

/// Refuses a configuration whose `TrustedKeyGroups` or `OriginAccessControlId` name what the
/// account lacks (`TrustedKeyGroupDoesNotExist`, `NoSuchOriginAccessControl`, an empty key
/// group, an OAC of another origin type), before it is sent; warnings are printed. Only asked
/// when the configuration names some, so a backend is never asked for a plain one.
async fn check_private_content(
    plane: &dyn ControlPlane,
    file: &str,
    config: &cfconsole_model::DistributionConfig,
) -> Result<(), Failure> {
    let findings = cfconsole_control::check_private_content(plane, config).await?;
    let (errors, warnings): (Vec<cfconsole_model::Finding>, Vec<cfconsole_model::Finding>) =
        findings
            .into_iter()
            .partition(cfconsole_model::Finding::is_error);
    for w in &warnings {
        eprintln!("{file}: {w}");
    }
    if errors.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = errors.iter().map(|f| format!("{file}: {f}")).collect();
    lines.push(format!("{file}: not published: fix the errors above first"));
    Err(Failure::Refused(lines))
}

/// `cfconsole delete ID`: disable, wait for Deployed, delete; each step shown.
pub fn run_delete(args: DeleteArgs) -> ExitCode {
    run(|cancel| async move {
        let plane = open(&args.backend).await?;
        let id = args.id.as_str();
        let steps = Steps::new();
        let mut rec = plane.get_distribution(id).await?;
        if rec.distribution.distribution_config.enabled {
            steps.line(format!("1/3 disabling {id}"));
            let mut config = rec.distribution.distribution_config.clone();
            config.enabled = false;
            rec = plane.update_distribution(id, config, &rec.etag).await?;
        } else {
            steps.line(format!("1/3 {id} is already disabled"));
        }
        steps.line("2/3 waiting until the change is Deployed");
        steps.spin(format!("{id}: {}", rec.distribution.status));
        let followed =
            poll::wait_deployed(plane.as_ref(), id, args.backend.schedule(), &cancel, |e| {
                report(&steps, id, e)
            })
            .await;
        steps.finish();
        match followed? {
            Followed::Done(r) => rec = r,
            Followed::Cancelled => {
                return Err(Failure::Refused(vec![format!(
                    "cancelled: {id} is disabled but not deleted; run `cfconsole delete {id}` again"
                )]));
            }
        }
        steps.line(format!("3/3 deleting {id}"));
        plane.delete_distribution(id, &rec.etag).await?;
        println!("deleted {id}");
        Ok(())
    })
}

fn report(steps: &Steps, what: &str, e: Event) {
    match e {
        Event::Status(s) => {
            steps.line(format!("    {what}: {s}"));
            steps.spin(format!("{what}: {s}"));
        }
        Event::Retrying { error, retry_in } => steps.line(format!(
            "    {error}; trying again in {}s",
            retry_in.as_secs()
        )),
    }
}

/// `cfconsole invalidate ID PATH... [--wait]`: paths checked first, then submitted in batches
/// within CloudFront's in-progress limits (spec I-8).
pub fn run_invalidate(args: InvalidateArgs) -> ExitCode {
    run(|cancel| async move {
        // The model's batch lint (spec I-1, I-2, I-4, I-9). Its in-progress limit errors (I-8)
        // are left out: the queue splits the paths into batches that fit.
        let findings: Vec<Finding> = invalidation::lint_batch(&args.paths)
            .into_iter()
            .filter(|f| f.code != Some("TooManyInvalidationsInProgress"))
            .collect();
        if findings.iter().any(Finding::is_error) {
            let mut lines: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
            lines.push("nothing was submitted".into());
            return Err(Failure::Refused(lines));
        }
        for w in &findings {
            eprintln!("{w}");
        }
        let plane = open(&args.backend).await?;
        let steps = Steps::new();
        match queue::paths_this_month(plane.as_ref(), SystemTime::now()).await {
            Ok(already) => steps.line(format!(
                "cost: {}",
                Cost::of(already, args.paths.len() as u64)
            )),
            Err(e) => steps.line(format!("cost: unknown ({e})")),
        }
        let reference = backend::caller_reference();
        steps.spin(format!("invalidating {} paths", args.paths.len()));
        let result = queue::submit_all(
            plane.as_ref(),
            &args.id,
            &args.paths,
            &reference,
            QueueOptions {
                wait_all: args.wait,
                schedule: args.backend.schedule(),
            },
            &cancel,
            |e| match e {
                QueueEvent::Submitted {
                    index,
                    total,
                    id,
                    paths,
                } => steps.line(format!(
                    "submitted {id}: {paths} paths (batch {} of {total})",
                    index + 1
                )),
                QueueEvent::Waiting { index, retry_in } => steps.line(format!(
                    "batch {} waits for earlier invalidations to complete (CloudFront's limits); \
                     next try in {}s",
                    index + 1,
                    retry_in.as_secs()
                )),
                QueueEvent::Completed { id } => steps.line(format!("completed {id}")),
            },
        )
        .await;
        steps.finish();
        match result? {
            Some(invs) => {
                for i in invs {
                    println!("{} {}", i.id, i.status);
                }
                Ok(())
            }
            None => Err(Failure::Refused(vec![
                "cancelled: batches already submitted go on; see `cfconsole invalidations`".into(),
            ])),
        }
    })
}

/// `cfconsole invalidations ID`: every invalidation, newest first.
pub fn run_invalidations(args: InvalidationsArgs) -> ExitCode {
    run(|_| async move {
        let plane = open(&args.backend).await?;
        let list = plane.list_all_invalidations(&args.id).await?;
        println!("{:<16} {:<11} CREATED", "ID", "STATUS");
        for i in list {
            println!("{:<16} {:<11} {}", i.id, i.status, i.create_time);
        }
        Ok(())
    })
}
