//! The AWS profiles the backend picker offers: the section names of `~/.aws/config` and
//! `~/.aws/credentials` (only the names: nothing else of either file is read or kept).

use cfconsole_control::file::read_text;
use std::path::{Path, PathBuf};

/// The profile names in a config or credentials file's text, in order, without duplicates.
/// `[default]` and `[profile NAME]` (config) or `[NAME]` (credentials) are sections;
/// `[sso-session ...]` and `[services ...]` are not profiles.
pub fn parse(text: &str, out: &mut Vec<String>) {
    for line in text.lines() {
        let line = line.trim();
        let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
            continue;
        };
        let inner = inner.trim();
        let name = match inner.split_once(char::is_whitespace) {
            Some(("profile", name)) => name.trim(),
            Some(_) => continue,
            None => inner,
        };
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
}

/// The files the AWS SDK reads profiles from (honouring `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE`).
pub fn files(home: Option<&Path>) -> Vec<PathBuf> {
    let env = |k: &str| std::env::var_os(k).map(PathBuf::from);
    let aws = home.map(|h| h.join(".aws"));
    [
        env("AWS_CONFIG_FILE").or_else(|| aws.as_ref().map(|a| a.join("config"))),
        env("AWS_SHARED_CREDENTIALS_FILE").or_else(|| aws.as_ref().map(|a| a.join("credentials"))),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every profile name found in `files` (missing files are skipped).
pub fn list(files: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        if let Ok(text) = read_text(Path::new(f)) {
            parse(&text, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_that_are_profiles() {
        let mut out = Vec::new();
        parse(
            "[default]\nregion = us-east-1\n[profile prod]\nsso_session = x\n\
             [sso-session x]\nsso_region=us-east-1\n[services s]\n  [ profile  dev ]\n",
            &mut out,
        );
        parse("[default]\naws_access_key_id = AKIA...\n[ci]\n", &mut out);
        assert_eq!(out, ["default", "prod", "dev", "ci"]);
    }
}
