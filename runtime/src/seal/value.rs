//! A message as a tree of named values, its sealed string (the seal walk for messages read at run
//! time), and the parts of a message a seal cannot vouch for.

use crate::protocol::UNSEALED_FIELDS;

/// Most items one list of a message may hold (a wallet's payment means): a longer list is refused
/// ([`ShapeError::TooManyItems`]). Real wallets hold a handful.
pub const MAX_LIST_ITEMS: usize = 1_000;

/// A part of a message that the seal cannot vouch for, or more of it than the crate reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    /// A list item or nested object adds nothing to the sealed string (it is empty, or all its
    /// fields are): the seal is the same with or without it, so anyone could have added it.
    #[error("`{field}` adds nothing to the sealed string (an empty item or object), so the seal cannot vouch for it")]
    EmptyPart {
        /// Its path (`walletPaymentMeanDataList[1]`).
        field: String,
    },
    /// A list longer than [`MAX_LIST_ITEMS`].
    #[error("`{field}` holds more than {limit} items")]
    TooManyItems {
        /// The list's name.
        field: String,
        /// The bound.
        limit: usize,
    },
}

impl ShapeError {
    /// The same error, its path under `parent` (`walletPaymentMeanDataList[1]` + `x` →
    /// `walletPaymentMeanDataList[1].x`).
    pub fn under(self, parent: &str) -> ShapeError {
        match self {
            ShapeError::EmptyPart { field } => ShapeError::EmptyPart {
                field: child_path(parent, &field),
            },
            ShapeError::TooManyItems { field, limit } => ShapeError::TooManyItems {
                field: child_path(parent, &field),
                limit,
            },
        }
    }
}

/// A message as a tree of named values: what a seal is computed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A field's text, as sent (unescaped).
    Text(String),
    /// Named fields, in the order they were read.
    Object(Vec<(String, Value)>),
    /// A repeated field's items, in order.
    List(Vec<Value>),
}

impl Value {
    /// A field of an object, by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a field of an object.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The string a seal is computed over, fields sorted at run time.
    pub fn seal_data(&self) -> String {
        self.sealed_fields().into_iter().map(|(_, v)| v).collect()
    }

    /// The sealed values in seal order, each with its path (`walletPaymentMeanDataList[1].maskedPan`):
    /// what the `seal` command shows to explain a seal.
    pub fn sealed_fields(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        collect(self, "", &mut out);
        out
    }

    /// Checks that every part of a message is vouched for by its seal: each list item and nested
    /// object adds something to the sealed string, and no list is longer than
    /// [`MAX_LIST_ITEMS`]. An empty simple field is fine (the bank answers `<errorFieldName/>`).
    ///
    /// Sips seals the concatenation of the values, so a part whose values are all empty is
    /// invisible to it: accepting one would show the caller data the bank never sealed.
    pub fn check_shape(&self) -> Result<(), ShapeError> {
        check_parts(self, "")
    }

    /// Reads a JSON document (strings, numbers and booleans are taken as their text).
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::String(s) => Value::Text(s.clone()),
            serde_json::Value::Null => Value::Text(String::new()),
            other => Value::Text(other.to_string()),
        }
    }

    /// The value as JSON (text stays text).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(t) => serde_json::Value::String(t.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Object(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn check_parts(value: &Value, path: &str) -> Result<(), ShapeError> {
    match value {
        Value::Text(_) => Ok(()),
        Value::Object(fields) => fields.iter().try_for_each(|(name, field)| match field {
            Value::Text(_) => Ok(()),
            Value::Object(_) => check_part(field, &child_path(path, name)),
            Value::List(_) => check_parts(field, &child_path(path, name)),
        }),
        Value::List(items) => {
            check_list_length(items.len(), path)?;
            items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| check_part(item, &format!("{path}[{i}]")))
        }
    }
}

/// A list may hold at most [`MAX_LIST_ITEMS`] items; `field` names it in the error.
pub fn check_list_length(length: usize, field: &str) -> Result<(), ShapeError> {
    if length > MAX_LIST_ITEMS {
        return Err(ShapeError::TooManyItems {
            field: field.into(),
            limit: MAX_LIST_ITEMS,
        });
    }
    Ok(())
}

/// A list item or nested object: it must add to the seal, and so must its own parts.
fn check_part(part: &Value, path: &str) -> Result<(), ShapeError> {
    if part.adds_to_seal() {
        check_parts(part, path)
    } else {
        Err(ShapeError::EmptyPart { field: path.into() })
    }
}

impl Value {
    /// Whether any value under it is sealed (not empty, not an unsealed field).
    fn adds_to_seal(&self) -> bool {
        match self {
            Value::Text(text) => !text.is_empty(),
            Value::List(items) => items.iter().any(Value::adds_to_seal),
            Value::Object(fields) => fields.iter().any(|(name, field)| {
                !UNSEALED_FIELDS.contains(&name.as_str()) && field.adds_to_seal()
            }),
        }
    }
}

fn child_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn collect(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Text(text) => {
            if !text.is_empty() {
                out.push((path.to_string(), text.clone()));
            }
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(fields) => {
            let mut sorted: Vec<&(String, Value)> = fields
                .iter()
                .filter(|(name, _)| !UNSEALED_FIELDS.contains(&name.as_str()))
                .collect();
            // Stable: a name repeated in XML keeps its document order.
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            for (name, field) in sorted {
                collect(field, &child_path(path, name), out);
            }
        }
    }
}
