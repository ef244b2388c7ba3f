//! cfconsole: a native desktop console for Amazon CloudFront, and its headless CLI.
//!
//! Every subcommand is the headless form of something the GUI does; they share the same model,
//! control plane and preview edge code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// A console for Amazon CloudFront: edit, validate, preview and publish distributions.
#[derive(Debug, Parser)]
#[command(name = "cfconsole", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check configurations the way CloudFront would, before anything is sent.
    Validate(cli::model::ValidateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate(args)) => cli::model::validate(args),
        None => {
            use clap::CommandFactory;
            // The GUI arrives with its own issue; until then, no subcommand prints help.
            let _ = Cli::command().print_help();
            ExitCode::SUCCESS
        }
    }
}
