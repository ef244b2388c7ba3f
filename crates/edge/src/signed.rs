//! Signed URLs and signed cookies at the edge (spec SU-1…SU-13 in `docs/edge-behavior.md`):
//! the keys and key groups a preview trusts, which behaviors require a signature, and the
//! refusals the request tester asked to see. The checking itself is `cfconsole-signing`'s
//! [`TrustedKeys::verify`]; the pipeline calls it in `pipeline::signed`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cfconsole_signing::{Refusal, TrustedKeys};

/// The keys a preview trusts, with the refusals kept for the request tester.
#[derive(Debug, Default)]
pub struct KeySet {
    pub keys: Arc<TrustedKeys>,
    /// The refusals of the requests the tester sent with `x-cfconsole-trace: KEY`, by key
    /// (taken by [`EdgeHandle::take_refusal`](crate::EdgeHandle::take_refusal)).
    pub refusals: Mutex<HashMap<String, Refusal>>,
}

/// The most refusals kept for the tester at once: a tester that never takes them cannot grow
/// the preview's memory (the oldest are dropped all together).
pub const MAX_TRACED: usize = 256;

impl KeySet {
    pub fn new(keys: Arc<TrustedKeys>) -> KeySet {
        KeySet {
            keys,
            refusals: Mutex::default(),
        }
    }

    /// Keeps `refusal` under the tester's `key`.
    pub fn trace(&self, key: &str, refusal: Refusal) {
        let mut map = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_TRACED {
            map.clear();
        }
        map.insert(key.to_string(), refusal);
    }
}

/// Which signatures a behavior requires (spec SU-1, SU-12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    /// `TrustedKeyGroups` enabled: a signature by a key of one of these groups.
    KeyGroups(Vec<String>),
    /// Legacy `TrustedSigners` enabled (and no key groups): a signature by any key the
    /// preview was given.
    Signers,
}

/// spec SU-1/SU-12: the signatures behavior `v` requires, checked against the keys the preview
/// has (`keys`; None: none given). A key group the preview lacks, or one naming a key it
/// lacks, is an error naming the behavior, the id and the flags; so is a behavior with trusted
/// signers when the preview has no public key at all.
pub fn required(
    v: &cfconsole_model::BehaviorView<'_>,
    keys: Option<&TrustedKeys>,
    errs: &mut Vec<cfconsole_model::Finding>,
) -> Option<Required> {
    use cfconsole_model::Finding;
    if let Some(groups) = v.trusted_key_groups.filter(|g| g.enabled) {
        let ids = groups.items.clone().unwrap_or_default();
        for (i, id) in ids.iter().enumerate() {
            let field = v.at(&format!("TrustedKeyGroups.Items[{i}]"));
            match keys.and_then(|k| k.group(id)) {
                None => errs.push(Finding::error(
                    field,
                    "TrustedKeyGroupDoesNotExist",
                    format!(
                        "no key group {id}: give it with --key-group {id}=KEYID[,KEYID...] and \
                         each of its keys with --public-key KEYID=FILE (in the window, the \
                         account's key groups)"
                    ),
                )),
                Some(members) => {
                    for key in members {
                        if keys.and_then(|k| k.key(key)).is_none() {
                            errs.push(Finding::error(
                                field.clone(),
                                "NoSuchPublicKey",
                                format!(
                                    "key group {id} names public key {key}, which the preview \
                                     does not have: give it with --public-key {key}=FILE"
                                ),
                            ));
                        }
                    }
                }
            }
        }
        return Some(Required::KeyGroups(ids));
    }
    if v.trusted_signers.is_some_and(|s| s.enabled) {
        if keys.is_none_or(|k| k.key_ids().is_empty()) {
            errs.push(Finding::error(
                v.at("TrustedSigners"),
                "TrustedSignerDoesNotExist",
                "trusted signers (legacy key pairs): the preview checks their signatures against \
                 the public keys it is given; give each key pair's public key with --public-key \
                 KEYPAIRID=FILE (or move the behavior to TrustedKeyGroups)",
            ));
        }
        return Some(Required::Signers);
    }
    None
}

/// The signed cookies' names, which CloudFront does not cache separate objects by (Developer
/// Guide, "Use signed cookies": "If you configure your distribution to cache files based on
/// cookies, CloudFront doesn't cache separate files based on the attributes in signed
/// cookies"). spec SU-10.
pub const SIGNED_COOKIES: [&str; 5] = cfconsole_signing::sign::COOKIE_NAMES;

/// spec SU-10: a cache key's cookie selection without the signed cookies. A whitelist loses
/// their names (a wildcard in it that matches one keeps matching it: the preview cannot
/// subtract from a pattern).
pub fn without_signed_cookies(select: crate::key::Select) -> crate::key::Select {
    use crate::key::Select;
    let signed = || SIGNED_COOKIES.iter().map(|s| s.to_string());
    match select {
        Select::None => Select::None,
        Select::All => Select::AllExcept(signed().collect()),
        Select::AllExcept(mut names) => {
            names.extend(signed());
            Select::AllExcept(names)
        }
        Select::Whitelist(names) => Select::Whitelist(
            names
                .into_iter()
                .filter(|n| !SIGNED_COOKIES.contains(&n.as_str()))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Select;

    #[test]
    fn su10_signed_cookies_leave_the_key() {
        let all = without_signed_cookies(Select::All);
        assert!(!all.keeps("CloudFront-Signature") && all.keeps("session"));
        let except = without_signed_cookies(Select::AllExcept(vec!["x".into()]));
        assert!(!except.keeps("x") && !except.keeps("CloudFront-Policy") && except.keeps("y"));
        let list = without_signed_cookies(Select::Whitelist(vec![
            "CloudFront-Key-Pair-Id".into(),
            "session".into(),
        ]));
        assert!(!list.keeps("CloudFront-Key-Pair-Id") && list.keeps("session"));
        assert_eq!(without_signed_cookies(Select::None), Select::None);
    }

    #[test]
    fn traced_refusals_are_bounded() {
        let set = KeySet::default();
        for i in 0..(MAX_TRACED + 5) {
            set.trace(
                &i.to_string(),
                Refusal {
                    rule: "SU-3",
                    code: cfconsole_signing::RefusalCode::MissingKey,
                    reason: String::new(),
                },
            );
        }
        assert!(set.refusals.lock().unwrap().len() <= MAX_TRACED);
    }
}
