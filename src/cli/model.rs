//! Subcommands over the model alone: validate, match, diff, export.

use cfconsole_control::file::read_text;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfconsole_model::{Document, Finding, PolicySet, Severity, validate_policies, validate_with};
use clap::{Args, ValueEnum};
use serde::Serialize;

/// How `validate` prints its findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per finding: `error: PATH: MESSAGE (CODE)`.
    #[default]
    Text,
    /// One JSON array of `{"file", "path", "severity", "code", "message"}`.
    Json,
}

/// `cfconsole validate FILE... [--format text|json] [--policies FILE]...`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// DistributionConfig files (bare, get-distribution-config or get-distribution output).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Custom cache / origin request / response headers policies, as `aws cloudfront
    /// get-*-policy` or `list-*-policies` prints them. With them, an unknown policy id is an
    /// error; without them it is a warning.
    #[arg(long, value_name = "FILE")]
    pub policies: Vec<PathBuf>,
}

/// One finding of one file, as `--format json` writes it.
#[derive(Debug, Serialize)]
struct Row<'a> {
    file: String,
    path: &'a str,
    severity: Severity,
    code: Option<&'static str>,
    message: &'a str,
}

/// Reads each file and validates it; prints one line per finding; exit 1 when any file has an
/// error (warnings alone exit 0).
pub fn validate(args: ValidateArgs) -> ExitCode {
    // (file name, findings) per input; the policies files come first.
    let mut results: Vec<(String, Vec<Finding>)> = Vec::new();
    let mut policies = PolicySet::default();
    for file in &args.policies {
        let name = file.display().to_string();
        let read = read_text(Path::new(file))
            .map_err(|e| vec![Finding::error_uncoded("", format!("cannot read: {e}"))])
            .and_then(|text| PolicySet::from_json(&text).map_err(|e| e.into_findings()));
        match read {
            Ok(set) => {
                let findings = validate_policies(&set);
                if !findings.is_empty() {
                    results.push((name, findings));
                }
                policies.merge(set);
            }
            Err(f) => results.push((name, f)),
        }
    }
    for file in &args.files {
        let name = file.display().to_string();
        let findings = match read_text(Path::new(file)) {
            Err(e) => vec![Finding::error_uncoded("", format!("cannot read: {e}"))],
            Ok(text) => match Document::from_json(&text) {
                // Every parse error, one line each (ten string booleans are ten lines).
                Err(e) => e.into_findings(),
                Ok(doc) => validate_with(&doc.config, &policies),
            },
        };
        results.push((name, findings));
    }
    let failed = results.iter().any(|(_, f)| f.iter().any(Finding::is_error));
    match args.format {
        Format::Text => {
            let prefix = args.files.len() + args.policies.len() > 1;
            for (file, findings) in &results {
                for f in findings {
                    let line = line(f);
                    if prefix {
                        println!("{file}: {line}");
                    } else {
                        println!("{line}");
                    }
                }
            }
        }
        Format::Json => {
            let rows: Vec<Row<'_>> = results
                .iter()
                .flat_map(|(file, findings)| {
                    findings.iter().map(move |f| Row {
                        file: file.clone(),
                        path: &f.path,
                        severity: f.severity,
                        code: f.code,
                        message: &f.message,
                    })
                })
                .collect();
            match serde_json::to_string_pretty(&rows) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("error: cannot write JSON: {e}");
                    return ExitCode::FAILURE;
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

/// `error: PATH: MESSAGE (CODE)` / `warning: PATH: MESSAGE`; a finding about the whole file
/// (empty path, such as invalid JSON) drops the path. The model's `Display` for [`Finding`], so
/// `cfconsole preview` prints a refused config's findings exactly as this does.
fn line(f: &Finding) -> String {
    f.to_string()
}
