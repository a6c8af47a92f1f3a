//! Fields a message carried that its contract does not describe, and the error for a field name a
//! message type does not have.

use std::fmt;

/// Fields a message carried that its contract does not describe, in the order received: `(name, text)`.
///
/// Only text fields are kept this way; an unknown element holding elements is a shape the contract
/// does not describe, and is refused. Card-like numbers are masked in `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UnknownFields(Vec<(String, String)>);

impl UnknownFields {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `(name, text)` pairs, in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The first value of a field, by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Adds a field.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }
}

impl fmt::Debug for UnknownFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(n, v)| {
                (
                    n.as_str(),
                    crate::mask::mask_message(v, crate::protocol::SENSITIVE_FIELDS),
                )
            }))
            .finish()
    }
}

/// Over JSON (serde, flattened into each message): every field the type does not name lands
/// here as `(name, exact text)`: strings as they are, numbers as the digits the sender wrote,
/// booleans as `true`/`false`; `null` is absent. An object or a list is a shape the contract does
/// not describe: refused, naming the field.
impl<'de> serde::Deserialize<'de> for UnknownFields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = UnknownFields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("fields")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<UnknownFields, A::Error> {
                let mut fields = UnknownFields::default();
                while let Some((name, value)) = map.next_entry::<String, serde_json::Value>()? {
                    match value {
                        serde_json::Value::String(text) => fields.push(name, text),
                        serde_json::Value::Number(n) => fields.push(name, n.to_string()),
                        serde_json::Value::Bool(b) => fields.push(name, b.to_string()),
                        serde_json::Value::Null => {}
                        _ => {
                            return Err(serde::de::Error::custom(format!(
                            "field `{}` holds an object or a list the contract does not describe",
                            crate::mask::from_outside(&name)
                        )))
                        }
                    }
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// Written back as string fields beside the known ones (flattened).
impl serde::Serialize for UnknownFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

// yaserde users see the contract's fields only: unknown fields are neither read nor written by it.
#[cfg(feature = "yaserde")]
impl yaserde::YaSerialize for UnknownFields {
    fn serialize<W: std::io::Write>(
        &self,
        _writer: &mut yaserde::ser::Serializer<W>,
    ) -> Result<(), yaserde::Error> {
        Ok(())
    }

    fn serialize_attributes(
        &self,
        attributes: Vec<yaserde::__xml::attribute::OwnedAttribute>,
        namespace: yaserde::__xml::namespace::Namespace,
    ) -> Result<super::YaserdeAttributes, yaserde::Error> {
        Ok((attributes, namespace))
    }
}

#[cfg(feature = "yaserde")]
impl yaserde::YaDeserialize for UnknownFields {
    fn deserialize<R: std::io::Read>(
        _reader: &mut yaserde::de::Deserializer<R>,
    ) -> Result<Self, yaserde::Error> {
        Err(yaserde::Error::custom(
            "unknown fields are not read by yaserde",
        ))
    }
}

/// A field name the message type does not have (or that is not a text field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{type_name} has no text field named `{field}`")]
pub struct UnknownField {
    /// The message type.
    pub type_name: &'static str,
    /// The name that was asked for.
    pub field: String,
}

impl UnknownField {
    #[doc(hidden)]
    pub fn new(type_name: &'static str, field: &str) -> Self {
        UnknownField {
            type_name,
            field: field.to_string(),
        }
    }
}
