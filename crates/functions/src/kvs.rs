//! A key value store's items as functions read them, and CloudFront's import format.
//!
//! Limits are the Developer Guide's (*Quotas*, `cloudfront-limits.html`, "Key value stores"):
//! a key is 1-512 bytes, a value at most 1 KB, a store at most 5 MB (keys and values).

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// The longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// The longest value, in bytes.
pub const MAX_VALUE_BYTES: usize = 1024;
/// The largest store: the bytes of its keys and values.
pub const MAX_STORE_BYTES: usize = 5 * 1024 * 1024;

/// What is wrong with an item or a store: CloudFront's error code and a sentence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct KvsError {
    /// `ValidationException` or `ServiceQuotaExceededException`, as the data plane says.
    pub code: &'static str,
    pub message: String,
}

fn validation(message: String) -> KvsError {
    KvsError {
        code: "ValidationException",
        message,
    }
}

/// Checks one item against the key and value limits.
pub fn check_item(key: &str, value: &str) -> Result<(), KvsError> {
    if key.is_empty() {
        return Err(validation("a key must not be empty".into()));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(validation(format!(
            "key {:?}… is {} bytes; a key is at most {MAX_KEY_BYTES} bytes",
            key.chars().take(20).collect::<String>(),
            key.len()
        )));
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(validation(format!(
            "the value of {key:?} is {} bytes; a value is at most {MAX_VALUE_BYTES} bytes (1 KB)",
            value.len()
        )));
    }
    Ok(())
}

/// The items of a store: keys in order, with the size CloudFront counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Items(BTreeMap<String, String>);

impl Items {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds from pairs, checking each item and the store's size; a key given twice keeps
    /// its last value.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Self, KvsError> {
        let mut items = Items::new();
        for (k, v) in pairs {
            check_item(&k, &v)?;
            items.0.insert(k, v);
        }
        items.check_size()?;
        Ok(items)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The bytes of every key and value.
    pub fn size(&self) -> usize {
        self.0.iter().map(|(k, v)| k.len() + v.len()).sum()
    }

    fn check_size(&self) -> Result<(), KvsError> {
        let size = self.size();
        if size > MAX_STORE_BYTES {
            return Err(KvsError {
                code: "ServiceQuotaExceededException",
                message: format!(
                    "the store would hold {size} bytes of keys and values; a store holds at \
                     most {MAX_STORE_BYTES} (5 MB)"
                ),
            });
        }
        Ok(())
    }

    /// Puts every item of `puts` and removes every key of `deletes`, all or nothing (the data
    /// plane's UpdateKeys).
    pub fn update(
        &mut self,
        puts: &[(String, String)],
        deletes: &[String],
    ) -> Result<(), KvsError> {
        let mut next = self.clone();
        for k in deletes {
            next.0.remove(k);
        }
        for (k, v) in puts {
            check_item(k, v)?;
            next.0.insert(k.clone(), v.clone());
        }
        next.check_size()?;
        *self = next;
        Ok(())
    }

    /// Reads CloudFront's import format, `{"data":[{"key":"k","value":"v"}]}`.
    pub fn from_import(text: &str) -> Result<Self, KvsError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| validation(format!("the file is not JSON: {e}")))?;
        let data = v.get("data").and_then(Value::as_array).ok_or_else(|| {
            validation(r#"expected {"data":[{"key":"k","value":"v"}, ...]}"#.into())
        })?;
        let mut pairs = Vec::with_capacity(data.len());
        for (i, item) in data.iter().enumerate() {
            let k = item.get("key").and_then(Value::as_str);
            let val = item.get("value").and_then(Value::as_str);
            match (k, val) {
                (Some(k), Some(val)) => pairs.push((k.to_owned(), val.to_owned())),
                _ => {
                    return Err(validation(format!(
                        "data[{i}] needs a string \"key\" and a string \"value\""
                    )));
                }
            }
        }
        Items::from_pairs(pairs)
    }

    /// Writes the import format.
    pub fn to_import(&self) -> String {
        let data: Vec<Value> = self
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect();
        serde_json::to_string_pretty(&json!({ "data": data })).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_format_round_trips_and_bad_files_say_what_is_expected() {
        let items = Items::from_import(r#"{"data":[{"key":"/old","value":"/new"}]}"#).unwrap();
        assert_eq!(items.get("/old"), Some("/new"));
        assert_eq!(Items::from_import(&items.to_import()).unwrap(), items);
        let e = Items::from_import(r#"{"data":[{"key":"k"}]}"#).unwrap_err();
        assert!(e.message.contains("data[0]"), "{e}");
        assert!(
            Items::from_import("[]")
                .unwrap_err()
                .message
                .contains("expected")
        );
    }

    #[test]
    fn keys_values_and_the_store_are_held_to_the_quotas() {
        assert!(check_item(&"k".repeat(512), "v").is_ok());
        assert!(check_item(&"k".repeat(513), "v").is_err());
        assert!(check_item("k", &"v".repeat(1024)).is_ok());
        assert!(check_item("k", &"v".repeat(1025)).is_err());
        assert!(check_item("", "v").is_err());
        let many = (0..5300).map(|i| (format!("{i:08}"), "v".repeat(1000)));
        let code = Items::from_pairs(many).map(|_| ()).map_err(|e| e.code);
        assert_eq!(code, Err("ServiceQuotaExceededException"));
    }

    #[test]
    fn an_update_is_all_or_nothing() {
        let mut items = Items::from_pairs([("a".into(), "1".into())]).unwrap();
        let bad = [("b".into(), "2".into()), ("c".into(), "x".repeat(2000))];
        assert!(items.update(&bad, &["a".into()]).is_err());
        assert_eq!(items.get("a"), Some("1"));
        assert_eq!(items.get("b"), None);
        items
            .update(&[("b".into(), "2".into())], &["a".into()])
            .unwrap();
        assert_eq!(items.iter().collect::<Vec<_>>(), vec![("b", "2")]);
    }
}
