//! CloudFront Functions and key value stores as a distribution sees them: the name rules the
//! API enforces (`FunctionName`, `KeyValueStore` `Name` and `Comment`), and the check that each
//! `FunctionAssociation` names a function the account has published, which only someone who
//! knows the account's functions can make (the control plane lists them; this stays pure).

use std::collections::HashSet;

use crate::behavior::BehaviorView;
use crate::finding::Finding;
use crate::shapes::DistributionConfig;

/// The longest function or store name.
pub const MAX_NAME_CHARS: usize = 64;
/// The longest key value store comment (`KeyValueStoreComment`).
pub const MAX_STORE_COMMENT_CHARS: usize = 128;

/// Checks a name against `[a-zA-Z0-9-_]{1,64}`, the pattern of `FunctionName` and of a key
/// value store's `Name`; `what` is `function` or `key value store`, for the message.
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS {
        return Err(format!(
            "a {what} name has 1 to {MAX_NAME_CHARS} characters ({n} given)"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "{what} name {name:?}: {c:?} is not allowed; use letters, digits, - and _"
        ));
    }
    Ok(())
}

/// Checks a key value store comment: at most 128 characters.
pub fn check_store_comment(comment: &str) -> Result<(), String> {
    let n = comment.chars().count();
    if n > MAX_STORE_COMMENT_CHARS {
        return Err(format!(
            "a key value store comment has at most {MAX_STORE_COMMENT_CHARS} characters ({n} \
             given)"
        ));
    }
    Ok(())
}

/// A function of the account, as far as associations care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFunction {
    /// `FunctionName`.
    pub name: String,
    /// `arn:aws:cloudfront::ACCOUNT:function/NAME`.
    pub arn: String,
    /// Whether it has a LIVE stage: only published functions can be associated.
    pub live: bool,
}

/// Checks every `FunctionAssociation` of the default and ordered cache behaviors against the
/// account's functions: the ARN must name a function that exists (`NoSuchFunctionExists`) and
/// has been published (`InvalidFunctionAssociation`), and a behavior takes one function per
/// event type. Matching is by ARN, then by the name after `function/` (a workspace and an
/// account may differ in the account id of an ARN copied between them).
pub fn check_function_associations(
    config: &DistributionConfig,
    functions: &[KnownFunction],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in BehaviorView::all(config) {
        let Some(list) = b.function_associations else {
            continue;
        };
        let mut seen = HashSet::new();
        for (i, a) in list.items().iter().enumerate() {
            let p = b.at(&format!("FunctionAssociations.Items[{i}]"));
            if !seen.insert(a.event_type) {
                out.push(Finding::error(
                    format!("{p}.EventType"),
                    "InvalidFunctionAssociation",
                    format!(
                        "a second function for `{}` in this behavior; a behavior takes one \
                         function per event type",
                        a.event_type
                    ),
                ));
            }
            let name = function_name(&a.function_arn);
            let found = functions
                .iter()
                .find(|f| f.arn == a.function_arn)
                .or_else(|| functions.iter().find(|f| Some(f.name.as_str()) == name));
            match found {
                None => out.push(Finding::error(
                    format!("{p}.FunctionARN"),
                    "NoSuchFunctionExists",
                    format!(
                        "no function named {:?} exists in the account: create it (cfconsole \
                         functions create) and publish it, or fix the ARN",
                        name.unwrap_or(&a.function_arn)
                    ),
                )),
                Some(f) if !f.live => out.push(Finding::error(
                    format!("{p}.FunctionARN"),
                    "InvalidFunctionAssociation",
                    format!(
                        "{} has never been published to LIVE; only a published function can be \
                         associated: publish it first (cfconsole functions publish {})",
                        f.name, f.name
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    out
}

/// The name in `arn:aws:cloudfront::ACCOUNT:function/NAME`.
pub fn function_name(arn: &str) -> Option<&str> {
    arn.rsplit_once(":function/")
        .map(|(_, n)| n)
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::List;
    use crate::shapes::{EventType, FunctionAssociation};
    use crate::validate::testutil::valid;

    const ARN: &str = "arn:aws:cloudfront::123456789012:function/rewrite";

    fn known(name: &str, live: bool) -> KnownFunction {
        KnownFunction {
            name: name.into(),
            arn: format!("arn:aws:cloudfront::123456789012:function/{name}"),
            live,
        }
    }

    fn assoc(arn: &str, event_type: EventType) -> FunctionAssociation {
        FunctionAssociation {
            function_arn: arn.into(),
            event_type,
        }
    }

    #[test]
    fn names_follow_the_api_pattern() {
        for ok in ["a", "rewrite-urls_2", &"x".repeat(64)] {
            assert_eq!(check_name("function", ok), Ok(()), "{ok}");
        }
        let cases = [
            ("", "1 to 64 characters (0 given)"),
            (&"x".repeat(65), "(65 given)"),
            ("with space", "' ' is not allowed"),
            ("dot.name", "'.' is not allowed"),
            ("é", "'é' is not allowed"),
        ];
        for (name, want) in cases {
            let e = check_name("key value store", name).unwrap_err();
            assert!(e.contains(want), "{name:?}: {e}");
        }
        assert!(check_store_comment(&"c".repeat(128)).is_ok());
        let e = check_store_comment(&"c".repeat(129)).unwrap_err();
        assert!(e.contains("at most 128") && e.contains("129"), "{e}");
    }

    #[test]
    fn associations_are_checked_against_the_account() {
        type Edit = fn(&mut DistributionConfig);
        let default_two: Edit = |c| {
            c.default_cache_behavior.function_associations = Some(List::new(vec![
                assoc(ARN, EventType::ViewerRequest),
                assoc(ARN, EventType::ViewerRequest),
            ]))
        };
        let none: Edit = |_| {};
        // (edit, functions, expected (path, code) findings)
        type Case = (Edit, Vec<KnownFunction>, Vec<(&'static str, &'static str)>);
        let table: Vec<Case> = vec![
            (none, vec![known("rewrite", true)], vec![]),
            (
                none,
                vec![],
                vec![(
                    "CacheBehaviors.Items[0].FunctionAssociations.Items[0].FunctionARN",
                    "NoSuchFunctionExists",
                )],
            ),
            (
                none,
                vec![known("rewrite", false)],
                vec![(
                    "CacheBehaviors.Items[0].FunctionAssociations.Items[0].FunctionARN",
                    "InvalidFunctionAssociation",
                )],
            ),
            (
                default_two,
                vec![known("rewrite", true)],
                vec![(
                    "DefaultCacheBehavior.FunctionAssociations.Items[1].EventType",
                    "InvalidFunctionAssociation",
                )],
            ),
        ];
        for (i, (edit, functions, want)) in table.into_iter().enumerate() {
            let mut c = valid();
            edit(&mut c);
            let got: Vec<(String, &str)> = check_function_associations(&c, &functions)
                .into_iter()
                .map(|f| (f.path, f.code.unwrap_or("")))
                .collect();
            let want: Vec<(String, &str)> =
                want.into_iter().map(|(p, c)| (p.to_string(), c)).collect();
            assert_eq!(got, want, "case {i}");
        }
    }

    #[test]
    fn messages_name_the_function_and_what_to_do() {
        let c = valid();
        let f = &check_function_associations(&c, &[])[0];
        assert!(f.message.contains("no function named \"rewrite\""), "{f}");
        let f = &check_function_associations(&c, &[known("rewrite", false)])[0];
        assert!(
            f.message
                .contains("rewrite has never been published to LIVE"),
            "{f}"
        );
        // Another account id in the ARN still finds the function by name.
        let mut other = known("rewrite", true);
        other.arn = "arn:aws:cloudfront::000000000000:function/rewrite".into();
        assert!(check_function_associations(&c, &[other]).is_empty());
        assert_eq!(function_name(ARN), Some("rewrite"));
        assert_eq!(function_name("arn:aws:cloudfront::1:distribution/E1"), None);
    }
}
