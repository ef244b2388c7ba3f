//! Subcommands over the model alone: validate, match, diff, export.

use std::path::PathBuf;
use std::process::ExitCode;

use cfconsole_model::Document;
use clap::Args;

/// `cfconsole validate FILE...`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// DistributionConfig files (bare, get-distribution-config or get-distribution output).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Reads each file; prints a line per problem; exit 1 on any error.
pub fn validate(args: ValidateArgs) -> ExitCode {
    let mut failed = false;
    for file in &args.files {
        match std::fs::read_to_string(file) {
            Err(e) => {
                eprintln!("error: {}: cannot read: {e}", file.display());
                failed = true;
            }
            Ok(text) => {
                if let Err(e) = Document::from_json(&text) {
                    println!("{}: error: {e}", file.display());
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
