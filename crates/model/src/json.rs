//! JSON as CloudFront's parsers read it: a member given twice in one object is refused (with
//! its path) instead of the last one silently winning, as `serde_json::Value` would have it.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A JSON text that could not be read: where (line and column, and the member's path when a
/// member is given twice) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// 1-based line of the error.
    pub line: usize,
    /// 1-based column of the error.
    pub column: usize,
    /// The duplicated member's path (`Origins.Items[0].Id`), when that is the error.
    pub duplicate: Option<String>,
    /// serde_json's words, or the duplicate's.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not valid JSON (line {}, column {}): {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for JsonError {}

/// What to say of a text that starts with a UTF-8 byte-order mark, which JSON does not allow
/// (editors on Windows write one): `None` when it has none.
pub fn bom(text: &str) -> Option<&'static str> {
    text.starts_with('\u{feff}').then_some(
        "the file starts with a UTF-8 byte-order mark (BOM, bytes EF BB BF), which JSON does not \
         allow: save it as UTF-8 without BOM (in PowerShell, `Set-Content -Encoding utf8NoBOM`; \
         or `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)",
    )
}

/// Parses `text` into a value, refusing a byte-order mark and duplicate members.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    if let Some(message) = bom(text) {
        return Err(JsonError {
            line: 1,
            column: 1,
            duplicate: None,
            message: message.to_string(),
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict {
        path: String::new(),
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v))
    .map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the position is kept apart.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        let duplicate = message
            .strip_prefix(DUPLICATE)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string);
        JsonError {
            line: e.line(),
            column: e.column(),
            duplicate,
            message,
        }
    })?;
    Ok(value)
}

const DUPLICATE: &str = "the member is given twice: `";

struct Strict {
    path: String,
}

impl Strict {
    fn member(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict {
            path: format!("{}[{}]", self.path, out.len()),
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.member(&key);
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "{DUPLICATE}{path}` (CloudFront refuses a member given twice; keep one)"
                )));
            }
            let v = map.next_value_seed(Strict { path })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"a": [1, -2, 3.5, "x", true, null, {"b": {}}], "c": "é\u00e9"}"#;
        assert_eq!(
            parse(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn a_member_given_twice_is_refused_with_its_path() {
        let e = parse(r#"{"Origins": {"Items": [{"Id": "a", "Id": "b"}]}}"#).unwrap_err();
        assert_eq!(e.duplicate.as_deref(), Some("Origins.Items[0].Id"));
        assert!(e.to_string().contains("given twice"), "{e}");
        assert_eq!(e.line, 1);
        let e = parse("{\"Comment\": \"a\",\n \"Comment\": \"b\"}").unwrap_err();
        assert_eq!(e.duplicate.as_deref(), Some("Comment"));
        assert_eq!(e.line, 2);
        // The same name in two objects is two members.
        parse(r#"{"A": {"Id": 1}, "B": {"Id": 2}}"#).unwrap();
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let e = parse("{\n  \"a\": ,\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8));
        assert!(e.duplicate.is_none());
        assert!(parse("{} trailing").is_err());
    }
}
