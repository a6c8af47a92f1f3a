//! What every generated message and operation provides, and the metadata the generator fills in.
//!
//! The types themselves are generated from a WSDL at build time, in the crate that includes them
//! (`sips_wallet::contract`, `sips_wallet::inapp`).
//!
//! One file per kind of fact: `fields` (a field's metadata, interface versions), `operation` (an
//! operation's metadata and the traits that tie its messages together), `unknown` (fields the
//! contract does not describe), `open_enum` (the serde and yaserde glue of generated open enums).

mod fields;
#[doc(hidden)]
pub mod open_enum;
mod operation;
mod unknown;

use std::fmt;

pub use crate::effect::Effect;
use crate::seal::{check_list_length, ShapeError, Value};
pub use fields::{FieldInfo, FieldKind, Occurs, Version};
#[doc(hidden)]
#[cfg(feature = "yaserde")]
pub use open_enum::{deserialize_text, serialize_text, YaserdeAttributes};
pub use operation::{DynOperation, Operation, OperationInfo, OperationVisitor};
pub use unknown::{UnknownField, UnknownFields};

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

#[doc(hidden)]
pub use crate::__open_enum_impls as open_enum_impls;
