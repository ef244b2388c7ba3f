//! The `{"Quantity": n, "Items": [...]}` wrapper that CloudFront uses for every list.
//!
//! `Quantity` is kept as written, not derived from `Items`: a file whose count disagrees with its
//! items must reach validation (CloudFront answers `InconsistentQuantities`), and a list written
//! as `Quantity: 0` without `Items` must export back without an `Items` member.

use serde::{Deserialize, Serialize};

/// A CloudFront list: a count and (optionally) the items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct List<T> {
    /// The number of items, as the document states it.
    #[serde(rename = "Quantity")]
    pub quantity: i32,
    /// The items; absent when the document omitted them (allowed when `Quantity` is 0).
    #[serde(rename = "Items", default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<T>>,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self {
            quantity: 0,
            items: None,
        }
    }
}

impl<T> List<T> {
    /// A consistent list of `items` (an empty one is written `{"Quantity": 0}`).
    pub fn new(items: Vec<T>) -> Self {
        Self {
            quantity: i32::try_from(items.len()).unwrap_or(i32::MAX),
            items: if items.is_empty() { None } else { Some(items) },
        }
    }

    /// The items, or an empty slice when absent.
    pub fn items(&self) -> &[T] {
        self.items.as_deref().unwrap_or(&[])
    }

    /// Mutable access to the items, creating the vector when absent.
    pub fn items_mut(&mut self) -> &mut Vec<T> {
        self.items.get_or_insert_with(Vec::new)
    }

    /// Number of items actually present.
    pub fn len(&self) -> usize {
        self.items().len()
    }

    /// True when no items are present.
    pub fn is_empty(&self) -> bool {
        self.items().is_empty()
    }

    /// Iterate over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items().iter()
    }

    /// Set `Quantity` to the number of items (what an editor does after a change).
    pub fn sync_quantity(&mut self) {
        self.quantity = i32::try_from(self.len()).unwrap_or(i32::MAX);
    }

    /// True when `Quantity` equals the number of items.
    pub fn is_consistent(&self) -> bool {
        usize::try_from(self.quantity).is_ok_and(|q| q == self.len())
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::new(iter.into_iter().collect())
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_items_stay_absent() {
        let l: List<String> = serde_json::from_str(r#"{"Quantity":0}"#).unwrap();
        assert_eq!(serde_json::to_string(&l).unwrap(), r#"{"Quantity":0}"#);
        let l: List<String> = serde_json::from_str(r#"{"Quantity":0,"Items":[]}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"Quantity":0,"Items":[]}"#
        );
    }

    #[test]
    fn quantity_is_kept_as_written() {
        let l: List<String> = serde_json::from_str(r#"{"Quantity":1,"Items":["a","b"]}"#).unwrap();
        assert_eq!(l.quantity, 1);
        assert!(!l.is_consistent());
        let mut l = l;
        l.sync_quantity();
        assert!(l.is_consistent());
    }

    #[test]
    fn unknown_member_is_rejected() {
        let e = serde_json::from_str::<List<String>>(r#"{"Quantity":0,"Item":[]}"#).unwrap_err();
        assert!(e.to_string().contains("Item"), "{e}");
    }

    #[test]
    fn new_builds_consistent_lists() {
        let l = List::new(vec![1, 2, 3]);
        assert_eq!(l.quantity, 3);
        assert!(l.is_consistent());
        assert_eq!(List::<i32>::new(vec![]), List::default());
    }
}
