//! The serde and yaserde implementations of a generated open enum (one that keeps unknown values),
//! expanded by the `open_enum_impls!` macro in the generated code, and the yaserde
//! implementations of a field's [`Text`](crate::text::Text), which reads and writes the same way.

/// What yaserde's `serialize_attributes` takes and gives back: a message's attributes and
/// namespaces, which the text types here pass through unchanged.
#[doc(hidden)]
#[cfg(feature = "yaserde")]
pub type YaserdeAttributes = (
    Vec<yaserde::__xml::attribute::OwnedAttribute>,
    yaserde::__xml::namespace::Namespace,
);

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

/// A field's [`Text`](crate::text::Text) read by yaserde as an open enum's text is.
#[cfg(feature = "yaserde")]
impl yaserde::YaDeserialize for crate::text::Text {
    fn deserialize<R: std::io::Read>(
        reader: &mut yaserde::de::Deserializer<R>,
    ) -> Result<Self, yaserde::Error> {
        deserialize_text(reader).map(crate::text::Text::from)
    }
}

/// A field's [`Text`](crate::text::Text) written by yaserde as an element named by its field.
#[cfg(feature = "yaserde")]
impl yaserde::YaSerialize for crate::text::Text {
    fn serialize<W: std::io::Write>(
        &self,
        writer: &mut yaserde::ser::Serializer<W>,
    ) -> Result<(), yaserde::Error> {
        serialize_text(writer, self.as_str())
    }

    fn serialize_attributes(
        &self,
        attributes: Vec<yaserde::__xml::attribute::OwnedAttribute>,
        namespace: yaserde::__xml::namespace::Namespace,
    ) -> Result<YaserdeAttributes, yaserde::Error> {
        Ok((attributes, namespace))
    }
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
            ) -> Result<$crate::message::YaserdeAttributes, ::yaserde::Error> {
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
