//! Subcommands that read configuration files and need no backend: `match` (which behavior
//! serves a path, and why), `diff` (what changed between two configs) and `export` (CLI JSON,
//! CloudFormation, Terraform).

use cfconsole_control::file::read_text;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfconsole_model::{Document, ExportFormat, ExportOptions, diff, export, select_behavior};
use clap::{Args, ValueEnum};

/// Output format of the inspecting subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// Lines for a person.
    #[default]
    Text,
    /// JSON for scripts.
    Json,
}

/// `cfconsole match FILE PATH...`
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The distribution config (any form the AWS CLI prints).
    pub file: PathBuf,
    /// Request paths, e.g. `/images/logo.png` (a query string is ignored, spec P-3).
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// `cfconsole diff A B`
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The configuration before (e.g. what is deployed).
    pub before: PathBuf,
    /// The configuration after (e.g. the draft).
    pub after: PathBuf,
    /// Show origin custom header values (by default a changed value is said to have changed,
    /// without its text, as `export` withholds them).
    #[arg(long)]
    pub include_secrets: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// `cfconsole export FILE --format F`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The distribution config (any form the AWS CLI prints).
    pub file: PathBuf,
    /// What to write: `cli-json` (the AWS CLI's shape, in the input's form), `cloudformation`
    /// (an AWS::CloudFront::Distribution template) or `terraform` (aws_cloudfront_distribution).
    #[arg(long, value_parser = parse_export_format, default_value = "cli-json")]
    pub format: ExportFormat,
    /// Write origin custom header values verbatim (by default they are withheld: a CloudFormation
    /// parameter, a Terraform variable, or a placeholder in CLI JSON).
    #[arg(long)]
    pub include_secrets: bool,
    /// Write only the bare DistributionConfig (what `create-distribution --distribution-config`
    /// takes), dropping the ETag/Distribution wrapper (cli-json only).
    #[arg(long)]
    pub bare: bool,
    /// The CloudFormation logical id / Terraform resource name.
    #[arg(long, default_value = "Distribution")]
    pub resource_name: String,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn parse_export_format(s: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(s).ok_or_else(|| {
        let names: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.as_str()).collect();
        format!(
            "unknown format {s:?}; expected one of: {}",
            names.join(", ")
        )
    })
}

/// Reads and parses a document; the error names the file and what is wrong in it.
pub fn read_document(path: &Path) -> Result<Document, String> {
    let text =
        read_text(Path::new(path)).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Document::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Prints which behavior serves each path. Exit 0, or 2 when the file cannot be read.
pub fn run_match(args: MatchArgs) -> ExitCode {
    let doc = match read_document(&args.file) {
        Ok(d) => d,
        Err(e) => return fail(&e),
    };
    let selections: Vec<_> = args
        .paths
        .iter()
        .map(|p| select_behavior(&doc.config, p))
        .collect();
    match args.format {
        OutputFormat::Text => {
            for s in &selections {
                print!("{s}");
            }
        }
        OutputFormat::Json => print_json(&selections),
    }
    ExitCode::SUCCESS
}

/// Prints the changes from `before` to `after`. Exit 0 when equal, 1 when they differ, 2 when a
/// file cannot be read (the convention of diff(1)).
pub fn run_diff(args: DiffArgs) -> ExitCode {
    let (before, after) = match (read_document(&args.before), read_document(&args.after)) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => return fail(&e),
    };
    let mut changes = diff::diff(&before.config, &after.config);
    if !args.include_secrets {
        let mut withheld = 0;
        for c in &mut changes {
            withheld += usize::from(c.withhold_secrets());
        }
        if withheld > 0 {
            eprintln!(
                "note: origin custom header values withheld in {withheld} change(s) (pass \
                 --include-secrets to show them)"
            );
        }
    }
    match args.format {
        OutputFormat::Text => {
            for c in &changes {
                println!("{c}");
            }
        }
        OutputFormat::Json => print_json(&changes),
    }
    if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes the export; tells on stderr what was withheld and what the format cannot express.
/// Exit 2, writing nothing, when the file cannot be read or the format cannot hold the
/// distribution at all (a multi-tenant one in Terraform).
pub fn run_export(args: ExportArgs) -> ExitCode {
    let mut doc = match read_document(&args.file) {
        Ok(d) => d,
        Err(e) => return fail(&e),
    };
    if args.bare {
        if args.format != ExportFormat::CliJson {
            return fail("--bare applies to --format cli-json only");
        }
        doc.form = cfconsole_model::Form::Bare;
    }
    let opts = ExportOptions {
        include_secrets: args.include_secrets,
        resource_name: args.resource_name,
    };
    let out = match export(&doc, args.format, &opts) {
        Ok(out) => out,
        Err(e) => return fail(&format!("{}: {e}", args.file.display())),
    };
    if let Some(path) = &args.output {
        if let Err(e) = std::fs::write(path, &out.text) {
            return fail(&format!("{}: cannot write: {e}", path.display()));
        }
    } else {
        print!("{}", out.text);
    }
    for path in &out.redacted {
        eprintln!("note: {path}: value withheld (pass --include-secrets to write it)");
    }
    for note in &out.notes {
        eprintln!("note: not exported to {}: {note}", args.format);
    }
    ExitCode::SUCCESS
}

fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: cannot write JSON: {e}"),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
