//! cfconsole: a native desktop console for Amazon CloudFront, and its headless CLI.
//!
//! Every subcommand is the headless form of something the GUI does; they share the same model,
//! control plane and preview edge code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// The process allocator. The preview's cache frees and allocates whole response bodies under
/// load; glibc's malloc keeps much of that freed memory resident, which put a 256 MiB cache
/// 9 MiB over its `--cache-size` + 64 MiB goal (bench/README.md). mimalloc returns freed pages
/// to the kernel after a short delay (`MADV_DONTNEED`), so resident memory follows live data.
/// Built without transparent huge pages (`no_thp`): a 2 MiB huge page stays resident while any
/// of it is in use, which cost ~20 MiB of RSS in the 60 s fill (bench/README.md).
///
/// Wrapped in [`cfconsole_functions::CountingAlloc`], which counts each thread's bytes in use:
/// how a CloudFront function run here (the preview, `functions test`) is held to its memory
/// bound.
#[global_allocator]
static GLOBAL: cfconsole_functions::CountingAlloc<mimalloc::MiMalloc> =
    cfconsole_functions::CountingAlloc(mimalloc::MiMalloc);

/// A console for Amazon CloudFront: edit, validate, preview and publish distributions.
#[derive(Debug, Parser)]
#[command(
    name = "cfconsole",
    version,
    about,
    long_about = None,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    window: WindowArgs,
}

/// With no subcommand, cfconsole opens its window.
#[derive(Debug, clap::Args)]
struct WindowArgs {
    /// The backend to open [default: the last backend used, else the platform's data folder].
    #[command(flatten)]
    backend: cfconsole::backend::BackendArgs,
    /// Where drafts and window settings are kept [default: the platform's data folder].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// Print the time to the first frame on stderr (the start-up benchmark).
    #[arg(long, hide = true)]
    report_first_frame: bool,
}

fn open_window(w: WindowArgs) -> ExitCode {
    use cfconsole::ui;
    let choice = match w.backend.choice() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let data_dir = w.data_dir.clone().or_else(|| {
        directories::ProjectDirs::from("", "", "cfconsole").map(|d| d.data_dir().to_path_buf())
    });
    let Some(data_dir) = data_dir else {
        eprintln!("error: no home folder to keep drafts in: pass --data-dir DIR");
        return ExitCode::FAILURE;
    };
    let mut options = ui::Options::new(data_dir);
    options.report_first_frame = w.report_first_frame;
    options.backend = choice;
    options.local_timings = w.backend.timings();
    options.schedule = w.backend.schedule();
    ui::run(options, w.data_dir)
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check configurations the way CloudFront would, before anything is sent.
    Validate(cli::model::ValidateArgs),
    /// Show which cache behavior serves a path, and why earlier ones do not.
    Match(cli::inspect::MatchArgs),
    /// Show what changed between two configurations (exit 1 when they differ).
    Diff(cli::inspect::DiffArgs),
    /// Export a configuration as AWS CLI JSON, CloudFormation or Terraform.
    Export(cli::inspect::ExportArgs),
    /// List the distributions (local workspace, or --aws).
    Distributions(cli::control::DistributionsArgs),
    /// Print a distribution's config with its ETag (the get-distribution-config shape).
    Get(cli::control::GetArgs),
    /// Create a distribution from a file, or update one with the file's ETag.
    Publish(cli::control::PublishArgs),
    /// Disable a distribution, wait until it is deployed, and delete it.
    Delete(cli::control::DeleteArgs),
    /// Invalidate paths, in batches within CloudFront's limits.
    Invalidate(cli::control::InvalidateArgs),
    /// List a distribution's invalidations.
    Invalidations(cli::control::InvalidationsArgs),
    /// CloudFront Functions: list, get, create, update, publish, test, delete.
    Functions(cli::functions::FunctionsArgs),
    /// Key value stores and their items: list, create, get, put, delete, import, export.
    Kvs(cli::functions::KvsArgs),
    /// Public keys for signed URLs and cookies: list, get, create, update, delete.
    PublicKeys(cli::private::PublicKeysArgs),
    /// Key groups (the public keys a behavior trusts): list, get, create, update, delete.
    KeyGroups(cli::private::KeyGroupsArgs),
    /// Origin access controls: list, get, create, update, delete.
    Oac(cli::private::OacArgs),
    /// Legacy origin access identities: list (move them to origin access control).
    Oai(cli::private::OaiArgs),
    /// Sign a URL, or make signed cookies, with a private key file (read for the signing only).
    Sign(cli::sign::SignArgs),
    /// Serve a distribution's caching behavior on this machine (the preview edge server).
    Preview(Box<cli::preview::PreviewArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate(args)) => cli::model::validate(args),
        Some(Command::Match(args)) => cli::inspect::run_match(args),
        Some(Command::Diff(args)) => cli::inspect::run_diff(args),
        Some(Command::Export(args)) => cli::inspect::run_export(args),
        Some(Command::Distributions(args)) => cli::control::run_distributions(args),
        Some(Command::Get(args)) => cli::control::run_get(args),
        Some(Command::Publish(args)) => cli::control::run_publish(args),
        Some(Command::Delete(args)) => cli::control::run_delete(args),
        Some(Command::Invalidate(args)) => cli::control::run_invalidate(args),
        Some(Command::Invalidations(args)) => cli::control::run_invalidations(args),
        Some(Command::Functions(args)) => cli::functions::run_functions(args),
        Some(Command::Kvs(args)) => cli::functions::run_kvs(args),
        Some(Command::PublicKeys(args)) => cli::private::run_public_keys(args),
        Some(Command::KeyGroups(args)) => cli::private::run_key_groups(args),
        Some(Command::Oac(args)) => cli::private::run_oac(args),
        Some(Command::Oai(args)) => cli::private::run_oai(args),
        Some(Command::Sign(args)) => cli::sign::run(args),
        Some(Command::Preview(args)) => cli::preview::run(*args),
        None => open_window(cli.window),
    }
}
