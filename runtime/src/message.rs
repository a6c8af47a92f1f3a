//! What every generated message and operation provides, and the metadata the generator fills in.
//!
//! The types themselves are generated from a WSDL at build time, in the crate that includes them
//! (`sips_wallet::contract`, `sips_wallet::inapp`).

use std::fmt;
use std::str::FromStr;

pub use crate::effect::Effect;
use crate::seal::{check_list_length, ShapeError, Value};

/// A message type generated from a schema complex type.
pub trait Message:
    Clone
    + Default
    + fmt::Debug
    + serde::Serialize
    + serde::de::DeserializeOwned
    + crate::xml::ReadXml
    + crate::xml::WriteXml
    + Send
    + Sync
    + 'static
{
    /// The schema type's name (`SignOffRequest`).
    const TYPE_NAME: &'static str;
    /// Its fields in schema order, base type's first.
    const FIELDS: &'static [FieldInfo];

    /// Appends the values the seal covers, in seal order (sorted by name at build time).
    fn write_seal_data(&self, out: &mut String);

    /// The fields that are set, as a tree, in schema order.
    fn to_value(&self) -> Value;

    /// A text or enum field's value, by its XML name; `None` when unset or empty.
    fn text(&self, field: &str) -> Option<&str>;

    /// Sets a text or enum field by its XML name; appends one value to a repeated one.
    fn set_text(&mut self, field: &str, value: &str) -> Result<(), UnknownField>;

    /// Whether a field (by XML name) holds a value.
    fn is_set(&self, field: &str) -> bool;

    /// Sets a field whose type is another message from that message's (XML name, value) pairs:
    /// appended to a repeated field, in place of a single one. Lets code that must not depend on
    /// generated type names (the simulator) fill nested data through the contract's field names.
    fn push_record(&mut self, field: &str, record: &[(&str, &str)]) -> Result<(), UnknownField>;

    /// Fields received that the contract does not describe.
    fn unknown_fields(&self) -> &UnknownFields;

    /// The same, to change.
    fn unknown_fields_mut(&mut self) -> &mut UnknownFields;

    /// Checks its list items and nested messages against the shape rule (see
    /// [`Value::check_shape`]), with `scratch` as room for their sealed strings. Generated: the
    /// walk over its lists and message fields, each through [`check_part`], [`check_list`] or
    /// [`check_text_list`].
    fn check_parts(&self, scratch: &mut String) -> Result<(), ShapeError>;

    /// [`Value::check_shape`] over the message itself, without building its tree:
    /// `tests/seal_walk.rs` checks the two agree on every message.
    fn check_shape(&self) -> Result<(), ShapeError> {
        self.check_parts(&mut String::new())
    }

    /// The seal data as one string.
    fn seal_data(&self) -> String {
        // Room for a typical request's or answer's sealed values, grown if need be.
        let mut out = String::with_capacity(256);
        self.write_seal_data(&mut out);
        out
    }

    /// The metadata of one field, by XML name.
    fn field(name: &str) -> Option<&'static FieldInfo> {
        Self::FIELDS.iter().find(|f| f.name == name)
    }
}

/// The shape rule for one nested message, field `name` (item `index` of a list): its sealed
/// string is not empty, and the same holds for its own parts. A part whose values are all empty
/// leaves the seal unchanged, so the seal cannot vouch for it.
pub fn check_part<M: Message>(
    part: &M,
    name: &str,
    index: Option<usize>,
    scratch: &mut String,
) -> Result<(), ShapeError> {
    let path = || match index {
        Some(i) => format!("{name}[{i}]"),
        None => name.to_string(),
    };
    scratch.clear();
    part.write_seal_data(scratch);
    if scratch.is_empty() {
        return Err(ShapeError::EmptyPart { field: path() });
    }
    part.check_parts(scratch)
        .map_err(|inner| inner.under(&path()))
}

/// The shape rule for a repeated nested field: no more items than
/// [`check_list_length`] allows, each checked by [`check_part`].
pub fn check_list<M: Message>(
    items: &[M],
    name: &str,
    scratch: &mut String,
) -> Result<(), ShapeError> {
    check_list_length(items.len(), name)?;
    items
        .iter()
        .enumerate()
        .try_for_each(|(i, item)| check_part(item, name, Some(i), scratch))
}

/// The shape rule for a repeated text field: no more items than [`check_list_length`] allows,
/// none of them empty (an empty item adds nothing to the sealed string).
pub fn check_text_list<'a>(
    items: impl ExactSizeIterator<Item = &'a str>,
    name: &str,
) -> Result<(), ShapeError> {
    check_list_length(items.len(), name)?;
    match items.enumerate().find(|(_, item)| item.is_empty()) {
        Some((i, _)) => Err(ShapeError::EmptyPart {
            field: format!("{name}[{i}]"),
        }),
        None => Ok(()),
    }
}

impl FieldInfo {
    /// The documented meaning of one of this field's values (`"00"` → `"Successful operation."`).
    pub fn describe(&self, value: &str) -> Option<&'static str> {
        match self.kind {
            FieldKind::Enum {
                values,
                descriptions,
            } => values
                .iter()
                .position(|v| *v == value)
                .and_then(|i| descriptions.get(i).copied()),
            _ => None,
        }
    }
}

/// One field of a message type, as the schema describes it.
///
/// Not `#[non_exhaustive]`: generated code in another crate builds it field by field, which keeps
/// that code readable; the generator and this crate change together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    /// XML (and JSON) name: `merchantWalletId`.
    pub name: &'static str,
    /// Rust field name: `merchant_wallet_id`.
    pub rust_name: &'static str,
    /// What the field holds.
    pub kind: FieldKind,
    /// How many times it may appear.
    pub occurs: Occurs,
    /// The interface version that introduced the field.
    pub since: Option<Version>,
    /// Card data: masked in `Debug` output and logs.
    pub sensitive: bool,
    /// The schema's documentation.
    pub documentation: &'static str,
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Text, kept as it travels.
    Text,
    /// One of a list of values (other values are kept, not rejected).
    Enum {
        /// The values the contract lists.
        values: &'static [&'static str],
        /// Their meanings, in the same order.
        descriptions: &'static [&'static str],
    },
    /// A nested message.
    Object {
        /// The schema type's name.
        type_name: &'static str,
    },
}

/// `minOccurs`/`maxOccurs` of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurs {
    /// Exactly once.
    Required,
    /// At most once.
    Optional,
    /// Any number of times, order kept.
    Repeated,
}

/// An interface version number: the `2.55` of `WR_WS_2.55`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// `2` in `2.55`.
    pub major: u16,
    /// `55` in `2.55`.
    pub minor: u16,
}

impl Version {
    /// `Version::new(2, 55)` is `2.55`.
    pub const fn new(major: u16, minor: u16) -> Self {
        Version { major, minor }
    }

    /// Reads the number at the end of an `interfaceVersion` (`WR_WS_2.55` → `2.55`).
    pub fn of_interface_version(interface_version: &str) -> Option<Version> {
        let number = interface_version.rsplit('_').next()?;
        number.parse().ok()
    }
}

impl FromStr for Version {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (major, minor) = s.split_once('.').unwrap_or((s, "0"));
        Ok(Version::new(
            major.parse().map_err(|_| ())?,
            minor.parse().map_err(|_| ())?,
        ))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// What the WSDL says of one operation.
///
/// Not `#[non_exhaustive]`, for the reason [`FieldInfo`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// `signOff`.
    pub name: &'static str,
    /// The CLI subcommand: `sign-off`.
    pub command: &'static str,
    /// The `SOAPAction` header value.
    pub soap_action: &'static str,
    /// The contract's target namespace.
    pub namespace: &'static str,
    /// The prefix its namespace is written with (`urn`).
    pub prefix: &'static str,
    /// For a JSON-only function (an HTTP binding in the WSDL): the path it is posted to.
    pub http_location: Option<&'static str>,
    /// The request's wrapper element (`signOff`).
    pub request_element: &'static str,
    /// The element inside it holding the request's fields (`input`).
    pub request_child: &'static str,
    /// The response's wrapper element (`signOffResponse`).
    pub response_element: &'static str,
    /// The element inside it holding the response's fields (`output`).
    pub response_child: &'static str,
    /// Whether the elements inside the wrapper (`input`, the fields) are namespace-qualified: the
    /// schema's `elementFormDefault`. The wrapper itself, a global element, always is.
    pub qualified: bool,
    /// The interfaceVersion the documentation recommends (`WR_WS_2.51`).
    pub recommended_interface_version: Option<&'static str>,
    /// What it does to the wallets (the sidecar's `[effects]`; [`Effect::Other`] when it says
    /// nothing).
    pub effect: Effect,
    /// The operation's documentation.
    pub documentation: &'static str,
}

/// An operation of the service: generated as a marker type (`sips_wallet::contract::operations`).
pub trait Operation: Copy + Default + Send + Sync + 'static {
    /// The `input` type.
    type Request: Message;
    /// The `output` type.
    type Response: Message;
    /// `<signOff>` holding the input.
    type RequestElement: Send;
    /// `<signOffResponse>` holding the output.
    type ResponseElement: Send;
    /// What the WSDL says of it.
    const INFO: &'static OperationInfo;

    /// Puts a request in its wrapper element.
    fn wrap_request(request: Self::Request) -> Self::RequestElement;
    /// Takes a request out of its wrapper element.
    fn unwrap_request(element: Self::RequestElement) -> Self::Request;
    /// Puts a response in its wrapper element.
    fn wrap_response(response: Self::Response) -> Self::ResponseElement;
    /// Takes a response out of its wrapper element.
    fn unwrap_response(element: Self::ResponseElement) -> Self::Response;
}

/// Something done with an operation chosen at run time by name, with its types known: what the
/// generated `with_request_element` calls.
pub trait OperationVisitor {
    /// What the visit gives.
    type Output;
    /// Does it with operation `O`.
    fn visit<O: Operation>(self) -> Self::Output;
}

/// An operation picked at run time (from a contract's generated `OPERATIONS` table): what the WSDL
/// says of it and of its messages' fields.
pub trait DynOperation: Send + Sync {
    /// What the WSDL says of it.
    fn info(&self) -> &'static OperationInfo;
    /// The request type's fields.
    fn request_fields(&self) -> &'static [FieldInfo];
    /// The response type's fields.
    fn response_fields(&self) -> &'static [FieldInfo];
}

impl<O: Operation> DynOperation for O {
    fn info(&self) -> &'static OperationInfo {
        O::INFO
    }

    fn request_fields(&self) -> &'static [FieldInfo] {
        <O::Request as Message>::FIELDS
    }

    fn response_fields(&self) -> &'static [FieldInfo] {
        <O::Response as Message>::FIELDS
    }
}

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
    ) -> Result<
        (
            Vec<yaserde::__xml::attribute::OwnedAttribute>,
            yaserde::__xml::namespace::Namespace,
        ),
        yaserde::Error,
    > {
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

/// Reads an open enum's text from an element, empty element included (yaserde would otherwise
/// turn an unknown value into the default variant, silently).
///
/// Like yaserde's own custom types, it consumes only the start tag: the text and the end tag are
/// left to the enclosing struct's loop, which tracks depth by them.
#[doc(hidden)]
#[cfg(feature = "yaserde")]
pub fn deserialize_text<R: std::io::Read>(
    reader: &mut yaserde::de::Deserializer<R>,
) -> Result<String, yaserde::Error> {
    use yaserde::__xml::reader::XmlEvent;
    match reader.next_event()? {
        XmlEvent::StartElement { .. } => {}
        other => {
            return Err(yaserde::Error::custom(format!(
                "expected a start tag, found {other:?}"
            )))
        }
    }
    match reader.peek()? {
        XmlEvent::Characters(text) | XmlEvent::CData(text) => Ok(text.clone()),
        XmlEvent::StartElement { name, .. } => Err(yaserde::Error::custom(format!(
            "expected a value, found an element <{}>",
            name.local_name
        ))),
        _ => Ok(String::new()),
    }
}

/// Writes an open enum's text as an element named by the field being serialized.
#[doc(hidden)]
#[cfg(feature = "yaserde")]
pub fn serialize_text<W: std::io::Write>(
    writer: &mut yaserde::ser::Serializer<W>,
    text: &str,
) -> Result<(), yaserde::Error> {
    use yaserde::__xml::writer::XmlEvent;
    let Some(name) = writer.get_start_event_name() else {
        return Err(yaserde::Error::custom(
            "an enum value can only be written as a field",
        ));
    };
    writer.write(XmlEvent::start_element(name.as_str()))?;
    if !text.is_empty() {
        writer.write(XmlEvent::characters(text))?;
    }
    writer.write(XmlEvent::end_element())?;
    Ok(())
}

/// serde (and, with the `yaserde` feature of the crate expanding it, yaserde) implementations for a
/// generated open enum (one with an `as_str` and a `From<String>` that keeps unknown values).
#[doc(hidden)]
#[macro_export]
macro_rules! __open_enum_impls {
    ($name:ident) => {
        #[cfg(feature = "yaserde")]
        impl ::yaserde::YaDeserialize for $name {
            fn deserialize<R: ::std::io::Read>(
                reader: &mut ::yaserde::de::Deserializer<R>,
            ) -> Result<Self, ::yaserde::Error> {
                $crate::message::deserialize_text(reader).map($name::from)
            }
        }

        #[cfg(feature = "yaserde")]
        impl ::yaserde::YaSerialize for $name {
            fn serialize<W: ::std::io::Write>(
                &self,
                writer: &mut ::yaserde::ser::Serializer<W>,
            ) -> Result<(), ::yaserde::Error> {
                $crate::message::serialize_text(writer, self.as_str())
            }

            fn serialize_attributes(
                &self,
                attributes: Vec<::yaserde::__xml::attribute::OwnedAttribute>,
                namespace: ::yaserde::__xml::namespace::Namespace,
            ) -> Result<
                (
                    Vec<::yaserde::__xml::attribute::OwnedAttribute>,
                    ::yaserde::__xml::namespace::Namespace,
                ),
                ::yaserde::Error,
            > {
                Ok((attributes, namespace))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                <String as ::serde::Deserialize>::deserialize(deserializer).map($name::from)
            }
        }
    };
}
#[doc(hidden)]
pub use crate::__open_enum_impls as open_enum_impls;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(
            Version::of_interface_version("WR_WS_2.55"),
            Some(Version::new(2, 55))
        );
        assert_eq!(
            Version::of_interface_version("IR_MB_2.5"),
            Some(Version::new(2, 5))
        );
        assert!(Version::new(2, 9) < Version::new(2, 12));
        assert_eq!(Version::of_interface_version("garbage"), None);
    }
}
