//! Re-applying a draft's edits on top of a configuration that changed elsewhere (the answer to
//! a stale ETag): a three-way merge of the JSON documents. What only the draft changed is taken
//! from the draft, what only the server changed from the server; where both changed the same
//! member differently the draft wins and the member is reported, so the operator can look.
//!
//! Objects merge member by member. Arrays (CloudFront's `Items`) are merged item by item when
//! all three have the same length; otherwise they are one value.

use cfconsole_model::{DistributionConfig, document};
use serde_json::{Map, Value};

/// The outcome of re-applying a draft.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The server's configuration with the draft's edits applied.
    pub config: DistributionConfig,
    /// Members both sides changed differently (the draft's value was kept), as JSON paths.
    pub conflicts: Vec<String>,
}

/// Applies the edits `base -> ours` to `theirs`.
pub fn reapply(
    base: &DistributionConfig,
    ours: &DistributionConfig,
    theirs: &DistributionConfig,
) -> Result<Merged, String> {
    let (b, o, t) = (
        document::to_value(base),
        document::to_value(ours),
        document::to_value(theirs),
    );
    let mut conflicts = Vec::new();
    let merged = merge(&b, &o, &t, "", &mut conflicts);
    let config = document::parse_config(merged).map_err(|e| e.to_string())?;
    Ok(Merged { config, conflicts })
}

fn merge(
    base: &Value,
    ours: &Value,
    theirs: &Value,
    at: &str,
    conflicts: &mut Vec<String>,
) -> Value {
    if ours == base {
        return theirs.clone();
    }
    if theirs == base || theirs == ours {
        return ours.clone();
    }
    match (base, ours, theirs) {
        (Value::Object(b), Value::Object(o), Value::Object(t)) => {
            let mut out = Map::new();
            let empty = Value::Null;
            // Keep the draft's member order, then members only the server has.
            let keys = o.keys().chain(t.keys().filter(|k| !o.contains_key(*k)));
            for k in keys {
                let (bv, ov, tv) = (
                    b.get(k).unwrap_or(&empty),
                    o.get(k).unwrap_or(&empty),
                    t.get(k).unwrap_or(&empty),
                );
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                let v = merge(bv, ov, tv, &path, conflicts);
                if !v.is_null() {
                    out.insert(k.clone(), v);
                }
            }
            Value::Object(out)
        }
        (Value::Array(b), Value::Array(o), Value::Array(t))
            if b.len() == o.len() && o.len() == t.len() =>
        {
            Value::Array(
                b.iter()
                    .zip(o)
                    .zip(t)
                    .enumerate()
                    .map(|(i, ((bv, ov), tv))| merge(bv, ov, tv, &format!("{at}[{i}]"), conflicts))
                    .collect(),
            )
        }
        _ => {
            conflicts.push(at.to_string());
            ours.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfconsole_model::Document;

    fn sample() -> DistributionConfig {
        let text = include_str!("../../assets/sample-workspace/sample-distribution.json");
        Document::from_json(text).unwrap().config
    }

    #[test]
    fn edits_on_both_sides_of_different_members_are_both_kept() {
        let base = sample();
        let mut ours = base.clone();
        ours.comment = "ours".into();
        let mut theirs = base.clone();
        theirs.enabled = false;
        theirs.origins.items_mut()[0].origin_path = Some("/v2".into());
        let m = reapply(&base, &ours, &theirs).unwrap();
        assert_eq!(m.config.comment, "ours");
        assert!(!m.config.enabled);
        assert_eq!(
            m.config.origins.items()[0].origin_path.as_deref(),
            Some("/v2")
        );
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn the_same_member_changed_twice_keeps_ours_and_is_reported() {
        let base = sample();
        let mut ours = base.clone();
        ours.comment = "ours".into();
        let mut theirs = base.clone();
        theirs.comment = "theirs".into();
        let m = reapply(&base, &ours, &theirs).unwrap();
        assert_eq!(m.config.comment, "ours");
        assert_eq!(m.conflicts, vec!["Comment".to_string()]);
    }

    #[test]
    fn a_member_only_the_server_added_survives() {
        let base = sample();
        let ours = base.clone();
        let mut theirs = base.clone();
        theirs.web_acl_id = Some("arn:aws:wafv2:us-east-1:1:global/webacl/x/1".into());
        let m = reapply(&base, &ours, &theirs).unwrap();
        assert_eq!(m.config, theirs);
    }
}
