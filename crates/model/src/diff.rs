//! Structural diff of two `DistributionConfig`s, for review before publishing and for
//! `cfconsole diff`: list items are matched by what identifies them (origins by `Id`, behaviors
//! by `PathPattern`, error responses by `ErrorCode`, …), not by position.
//!
//! Both configs are serialized to the AWS CLI's JSON and walked generically; a small table says
//! which lists are keyed by which member and whether their order matters. A member that is
//! absent on one side and present with its default value on the other is reported, because
//! publishing sends what is present.
//!
//! ```
//! use cfconsole_model::diff::diff_values;
//! use serde_json::json;
//! let before = json!({"Aliases": {"Quantity": 1, "Items": ["old.example.com"]}});
//! let after = json!({"Aliases": {"Quantity": 1, "Items": ["new.example.com"]}});
//! let lines: Vec<String> = diff_values(&before, &after).iter().map(|c| c.to_string()).collect();
//! assert_eq!(lines, ["- Aliases › old.example.com", "+ Aliases › new.example.com"]);
//! ```

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::document::to_value;
use crate::shapes::DistributionConfig;

/// Separator of the human path segments.
pub const SEPARATOR: &str = " › ";

/// What happened to a member or a list item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Present only after.
    Added,
    /// Present only before.
    Removed,
    /// Present on both sides with different values.
    Changed,
    /// A list item whose position changed where order matters (cache behaviors, spec P-1;
    /// origin group members: the first is the primary).
    Moved,
}

/// One difference between two configurations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Human path: `Origins › media-origin › OriginPath`, `CacheBehaviors › /api/*`.
    pub path: String,
    /// What happened.
    pub kind: ChangeKind,
    /// The value before (absent for `Added`); for `Moved`, the 1-based position before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The value after (absent for `Removed`); for `Moved`, the 1-based position after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// For an item of a keyed list that was added or removed: its 1-based position in the list
    /// it is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// True for an element of a set-like list (`Aliases › old.example.com`): the path already
    /// names the value.
    #[serde(skip)]
    element: bool,
    /// True when origin custom header values in this change are withheld
    /// ([`Change::withhold_secrets`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
}

/// What a withheld origin custom header value reads as.
pub const WITHHELD: &str = "(withheld)";

impl Change {
    /// Withholds the origin custom header values this change shows (the secrets an origin
    /// checks, which the API marks sensitive and `export` withholds too): a changed value reads
    /// as changed without its old or new text, and a header or origin added or removed whole
    /// shows `(withheld)` for each value. True when something was withheld.
    pub fn withhold_secrets(&mut self) -> bool {
        let header_value = self.path.ends_with(&format!("{SEPARATOR}HeaderValue"))
            && self
                .path
                .contains(&format!("{SEPARATOR}CustomHeaders{SEPARATOR}"));
        let mut hit = false;
        for v in [&mut self.before, &mut self.after].into_iter().flatten() {
            if header_value {
                *v = Value::String(WITHHELD.into());
                hit = true;
            } else {
                hit |= withhold_in(v);
            }
        }
        self.withheld |= hit;
        hit
    }
}

/// Replaces every `HeaderValue` of a `CustomHeaders` item inside `v`.
fn withhold_in(v: &mut Value) -> bool {
    match v {
        Value::Object(m) => {
            let mut hit = false;
            let header = m.contains_key("HeaderName");
            if header && let Some(Value::String(s)) = m.get_mut("HeaderValue") {
                *s = WITHHELD.into();
                hit = true;
            }
            for (_, x) in m.iter_mut() {
                hit |= withhold_in(x);
            }
            hit
        }
        Value::Array(a) => a.iter_mut().fold(false, |hit, x| withhold_in(x) | hit),
        _ => false,
    }
}

impl Change {
    fn new(
        path: &[String],
        kind: ChangeKind,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> Self {
        Self {
            path: path.join(SEPARATOR),
            kind,
            before: before.cloned(),
            after: after.cloned(),
            position: None,
            element: false,
            withheld: false,
        }
    }
}

/// Longest value printed by `Display` before it is cut.
const SHOWN_VALUE_MAX: usize = 120;

fn show(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "(absent)".to_string();
    };
    let s = v.to_string();
    if s.chars().count() <= SHOWN_VALUE_MAX {
        s
    } else {
        let cut: String = s.chars().take(SHOWN_VALUE_MAX).collect();
        format!("{cut}…")
    }
}

impl std::fmt::Display for Change {
    /// One line: `Origins › o1 › OriginPath: "" → "/v2"`, `+ CacheBehaviors › /api/* (added
    /// at position 3)`, `- Aliases › old.example.com`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            ChangeKind::Changed if self.withheld => {
                write!(f, "{}: changed (value withheld)", self.path)
            }
            ChangeKind::Changed => write!(
                f,
                "{}: {} → {}",
                self.path,
                show(self.before.as_ref()),
                show(self.after.as_ref())
            ),
            ChangeKind::Added | ChangeKind::Removed => {
                let (sign, value, verb) = if self.kind == ChangeKind::Added {
                    ("+", self.after.as_ref(), "added at")
                } else {
                    ("-", self.before.as_ref(), "removed from")
                };
                write!(f, "{sign} {}", self.path)?;
                if let Some(p) = self.position {
                    write!(f, " ({verb} position {p})")
                } else if self.element {
                    Ok(())
                } else {
                    write!(f, ": {}", show(value))
                }
            }
            ChangeKind::Moved => write!(
                f,
                "~ {} moved from position {} to {}",
                self.path,
                show(self.before.as_ref()),
                show(self.after.as_ref())
            ),
        }
    }
}

/// How the items of a list are identified.
struct Keyed {
    /// The member naming the list (`Origins`, `Members`, …).
    list: &'static str,
    /// The member of each item that identifies it.
    key: &'static str,
    /// Whether a change of order is a change of behavior.
    ordered: bool,
}

/// Lists of objects and the member identifying their items. Lists of scalars (aliases, methods,
/// header, cookie and query-string names, countries, status codes, SSL protocols, signers) are
/// sets: CloudFront gives their order no meaning. Other lists of objects are compared by index.
const KEYED: &[Keyed] = &[
    Keyed {
        list: "Origins",
        key: "Id",
        ordered: false,
    },
    Keyed {
        list: "CustomHeaders",
        key: "HeaderName",
        ordered: false,
    },
    Keyed {
        list: "OriginGroups",
        key: "Id",
        ordered: false,
    },
    // The first member is the primary origin, the second the failover.
    Keyed {
        list: "Members",
        key: "OriginId",
        ordered: true,
    },
    // spec P-1: the first matching pattern wins, so order is behavior.
    Keyed {
        list: "CacheBehaviors",
        key: "PathPattern",
        ordered: true,
    },
    Keyed {
        list: "LambdaFunctionAssociations",
        key: "EventType",
        ordered: false,
    },
    Keyed {
        list: "FunctionAssociations",
        key: "EventType",
        ordered: false,
    },
    Keyed {
        list: "CustomErrorResponses",
        key: "ErrorCode",
        ordered: false,
    },
    Keyed {
        list: "ParameterDefinitions",
        key: "Name",
        ordered: false,
    },
];

/// The differences between two configurations, in document order.
pub fn diff(before: &DistributionConfig, after: &DistributionConfig) -> Vec<Change> {
    diff_values(&to_value(before), &to_value(after))
}

/// The differences between two configurations already in their JSON form (any JSON works; the
/// keyed lists are recognised by member name).
pub fn diff_values(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(&mut out, &mut path, "", Some(before), Some(after));
    out
}

fn walk(
    out: &mut Vec<Change>,
    path: &mut Vec<String>,
    field: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) {
    match (before, after) {
        (None, None) => {}
        (Some(b), Some(a)) if b == a => {}
        (Some(b), None) => out.push(Change::new(path, ChangeKind::Removed, Some(b), None)),
        (None, Some(a)) => out.push(Change::new(path, ChangeKind::Added, None, Some(a))),
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            if is_list(b) && is_list(a) {
                walk_list(out, path, field, b, a);
            } else {
                walk_object(out, path, b, a, &[]);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) => walk_array(out, path, field, b, a),
        (Some(b), Some(a)) => out.push(Change::new(path, ChangeKind::Changed, Some(b), Some(a))),
    }
}

/// Every member of either side, in the order before's members come, then after's new ones.
fn walk_object(
    out: &mut Vec<Change>,
    path: &mut Vec<String>,
    b: &Map<String, Value>,
    a: &Map<String, Value>,
    skip: &[&str],
) {
    let keys = b
        .keys()
        .chain(a.keys().filter(|k| !b.contains_key(*k)))
        .filter(|k| !skip.contains(&k.as_str()));
    for k in keys {
        path.push(k.clone());
        walk(out, path, k, b.get(k), a.get(k));
        path.pop();
    }
}

/// CloudFront's `{"Quantity", "Items", …}` wrapper (some add members: `CachedMethods`,
/// `Enabled`).
fn is_list(m: &Map<String, Value>) -> bool {
    m.get("Quantity").is_some_and(Value::is_number) && m.get("Items").is_none_or(Value::is_array)
}

fn walk_list(
    out: &mut Vec<Change>,
    path: &mut Vec<String>,
    field: &str,
    b: &Map<String, Value>,
    a: &Map<String, Value>,
) {
    const EMPTY: &[Value] = &[];
    let items = |m: &Map<String, Value>| m.get("Items").and_then(Value::as_array).cloned();
    let (bi, ai) = (items(b), items(a));
    match (&bi, &ai) {
        // `{"Quantity": 0}` against `{"Quantity": 0, "Items": []}`: a different document.
        (None, Some(v)) | (Some(v), None) if v.is_empty() => {
            path.push("Items".to_string());
            walk(out, path, "Items", b.get("Items"), a.get("Items"));
            path.pop();
        }
        _ => walk_array(
            out,
            path,
            field,
            bi.as_deref().unwrap_or(EMPTY),
            ai.as_deref().unwrap_or(EMPTY),
        ),
    }
    // `Quantity` only matters when it does not follow the items (spec I-12:
    // `InconsistentQuantities`).
    let consistent = |m: &Map<String, Value>, items: &Option<Vec<Value>>| {
        m.get("Quantity").and_then(Value::as_u64)
            == Some(items.as_ref().map_or(0, |v| v.len() as u64))
    };
    if !(consistent(b, &bi) && consistent(a, &ai)) {
        path.push("Quantity".to_string());
        walk(out, path, "Quantity", b.get("Quantity"), a.get("Quantity"));
        path.pop();
    }
    walk_object(out, path, b, a, &["Quantity", "Items"]);
}

fn walk_array(
    out: &mut Vec<Change>,
    path: &mut Vec<String>,
    field: &str,
    b: &[Value],
    a: &[Value],
) {
    if let Some(k) = KEYED.iter().find(|k| k.list == field)
        && let (Some(bk), Some(ak)) = (keys_of(b, k.key), keys_of(a, k.key))
    {
        return walk_keyed(out, path, field, k.ordered, (b, &bk), (a, &ak));
    }
    let scalar = |v: &Value| !v.is_object() && !v.is_array();
    if b.iter().chain(a).all(scalar)
        && let (Some(b_set), Some(a_set)) = (set_of(b), set_of(a))
    {
        // A set: order carries no meaning.
        for (kind, from, other) in [
            (ChangeKind::Removed, b, &a_set),
            (ChangeKind::Added, a, &b_set),
        ] {
            for v in from.iter().filter(|v| !other.contains(&ScalarKey::of(v))) {
                path.push(segment(v));
                let mut c = Change::new(path, kind, None, None);
                if kind == ChangeKind::Added {
                    c.after = Some(v.clone());
                } else {
                    c.before = Some(v.clone());
                }
                c.element = true;
                out.push(c);
                path.pop();
            }
        }
        return;
    }
    for i in 0..b.len().max(a.len()) {
        path.push(format!("#{}", i + 1));
        walk(out, path, field, b.get(i), a.get(i));
        path.pop();
    }
}

/// The identifying member of every item, when every item has one and they are unique (a list
/// with duplicates, which CloudFront rejects, is compared by index instead).
fn keys_of(items: &[Value], key: &str) -> Option<Vec<String>> {
    let keys: Vec<String> = items
        .iter()
        .map(|v| v.get(key).map(segment))
        .collect::<Option<_>>()?;
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    sorted.dedup();
    (sorted.len() == keys.len()).then_some(keys)
}

/// A scalar JSON value as a hash key: its JSON text, which differs exactly when the values do
/// (`1` and `"1"`, `1` and `1.0` included).
#[derive(PartialEq, Eq, Hash)]
struct ScalarKey(String);

impl ScalarKey {
    fn of(v: &Value) -> Self {
        Self(v.to_string())
    }
}

/// The items of a list of scalars as a set, or None when an item repeats (such a list is
/// compared by index).
fn set_of(items: &[Value]) -> Option<HashSet<ScalarKey>> {
    let set: HashSet<ScalarKey> = items.iter().map(ScalarKey::of).collect();
    (set.len() == items.len()).then_some(set)
}

/// A value as a path segment: strings bare, anything else as JSON.
fn segment(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn walk_keyed(
    out: &mut Vec<Change>,
    path: &mut Vec<String>,
    field: &str,
    ordered: bool,
    (b, bk): (&[Value], &[String]),
    (a, ak): (&[Value], &[String]),
) {
    let (b_at, a_at) = (positions(bk), positions(ak));
    for (i, k) in bk.iter().enumerate() {
        if !a_at.contains_key(k) {
            path.push(k.clone());
            let mut c = Change::new(path, ChangeKind::Removed, Some(&b[i]), None);
            c.position = Some(i + 1);
            out.push(c);
            path.pop();
        }
    }
    // Items kept in both, in their before and after order; those outside a longest common
    // subsequence are the ones that moved (the fewest moves that explain the new order).
    let common_a: Vec<&String> = ak.iter().filter(|k| b_at.contains_key(k)).collect();
    let stayed: HashSet<&String> = if ordered {
        lcs(&common_a, &b_at)
    } else {
        HashSet::new()
    };
    for (j, k) in ak.iter().enumerate() {
        path.push(k.clone());
        match b_at.get(k).copied() {
            None => {
                let mut c = Change::new(path, ChangeKind::Added, None, Some(&a[j]));
                c.position = Some(j + 1);
                out.push(c);
            }
            Some(i) => {
                if ordered && !stayed.contains(k) {
                    out.push(Change::new(
                        path,
                        ChangeKind::Moved,
                        Some(&Value::from(i + 1)),
                        Some(&Value::from(j + 1)),
                    ));
                }
                walk(out, path, field, Some(&b[i]), Some(&a[j]));
            }
        }
        path.pop();
    }
}

/// Each key's position.
fn positions(keys: &[String]) -> HashMap<&String, usize> {
    keys.iter().enumerate().map(|(i, k)| (k, i)).collect()
}

/// A longest common subsequence of the keys both sides have, given after's in its order and
/// before's positions. The keys are distinct, so it is a longest increasing subsequence of
/// their positions before, found in O(n log n) (patience sorting, from the right so that among
/// equally long ones the items earliest in after's order are kept: what was moved is what
/// came to stand after them).
fn lcs<'a>(common_a: &[&'a String], b_at: &HashMap<&String, usize>) -> HashSet<&'a String> {
    let seq: Vec<usize> = common_a.iter().map(|k| b_at[*k]).collect();
    // heads[l]: the index in `seq` where the increasing run of length l + 1 with the largest
    // first value starts; next: the element after each one in its run.
    let mut heads: Vec<usize> = Vec::new();
    let mut next: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, &v) in seq.iter().enumerate().rev() {
        let l = heads.partition_point(|&h| seq[h] > v);
        next[i] = l.checked_sub(1).map(|p| heads[p]);
        if l == heads.len() {
            heads.push(i);
        } else {
            heads[l] = i;
        }
    }
    let mut out = HashSet::with_capacity(heads.len());
    let mut at = heads.last().copied();
    while let Some(i) = at {
        out.insert(common_a[i]);
        at = next[i];
    }
    out
}

#[cfg(test)]
mod tests;
