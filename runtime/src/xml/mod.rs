//! The XML reader and writer the generated message codecs are written against: bytes to text in
//! `encoding`, reading in `reader`, writing and escaping in `writer`, what can go wrong in `error`.
//!
//! Every message is read once, by [`XmlReader`]: a pull reader over quick-xml that resolves
//! namespaces, never recurses on the input's depth, and refuses work beyond [`Limits`]. The generated
//! [`ReadXml`] implementations build the typed message from it field by field, and the seal is then
//! computed over that typed message: what the caller sees is exactly what the seal covered.
//!
//! Text is kept exactly as a conformant XML 1.0 parser reads it: no trimming, line ends normalised,
//! references resolved. [`XmlWriter`] writes it so that such a parser reads the same value back
//! (a CR travels as `&#13;`), and refuses characters XML cannot carry, naming the field.
//!
//! JSON messages are read once too, by [`crate::json::read_json`].

mod encoding;
mod error;
mod reader;
mod writer;

pub use encoding::{charset_of, decode_document};
pub use error::DecodeError;
pub use reader::XmlReader;
pub(crate) use writer::is_xml_char;
pub use writer::{escape_text, EncodeError, XmlWriter};

/// Bounds on the work a message may ask of the reader. The defaults leave a wide margin over the
/// largest real message (a wallet with a hundred payment means is about 700 elements, 4 deep).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest nesting of elements, the Envelope counting as 1.
    pub max_depth: usize,
    /// Elements in the whole document.
    pub max_elements: usize,
    /// Namespace declarations in scope at any point.
    pub max_namespaces: usize,
    /// Attributes (declarations included) on one element.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 32,
            max_elements: 20_000,
            max_namespaces: 64,
            max_attributes: 32,
        }
    }
}

/// The namespace of an element, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ns {
    /// The contract's target namespace.
    Target,
    /// The SOAP 1.1 envelope namespace.
    Soap,
    /// No namespace.
    None,
    /// Any other namespace.
    Other(String),
}

/// A start tag, as read.
#[derive(Debug, Clone)]
pub struct Start<'i> {
    /// Its resolved namespace.
    pub ns: Ns,
    /// Its local name.
    pub local: &'i str,
    /// `<x/>`: no content, no end tag to read.
    pub empty: bool,
}

impl Start<'_> {
    /// `{namespace}local`, for messages; names from outside are cut and card-like digits masked.
    pub fn describe(&self, target: &str) -> String {
        let namespace = match &self.ns {
            Ns::Target => target,
            Ns::Soap => crate::protocol::SOAP11_NS,
            Ns::None => "",
            Ns::Other(ns) => ns,
        };
        crate::mask::from_outside(&if namespace.is_empty() {
            self.local.to_string()
        } else {
            format!("{{{namespace}}}{}", self.local)
        })
    }
}

/// A message type the generated code can read from its element.
pub trait ReadXml: Sized {
    /// Reads the content of `element` (whose start tag was just read) up to its end tag.
    fn read_xml<'i>(reader: &mut XmlReader<'i>, element: &Start<'i>) -> Result<Self, DecodeError>;
}

/// A message type the generated code can write as the content of its element.
pub trait WriteXml {
    /// Writes the fields, in schema order, as child elements.
    fn write_xml(&self, writer: &mut XmlWriter) -> Result<(), EncodeError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn nested(levels: usize, per_level: usize) -> String {
        let open: String = (0..levels)
            .map(|l| {
                let declarations: String = (0..per_level)
                    .map(|d| format!(r#" xmlns:p{l}x{d}="urn:x""#))
                    .collect();
                format!("<e{declarations}>")
            })
            .collect();
        format!("{open}{}", "</e>".repeat(levels))
    }

    fn walk(xml: &str) -> Result<(), DecodeError> {
        let mut reader = XmlReader::new(xml, "urn:t", Limits::default());
        let root = reader.root()?;
        reader.skip(&root)?;
        reader.finish()
    }

    #[test]
    fn the_namespace_limit_counts_each_declaration_once() {
        // 64 declarations in scope are allowed, the 65th is not.
        assert_eq!(walk(&nested(16, 4)), Ok(()));
        assert_eq!(
            walk(&nested(13, 5)),
            Err(DecodeError::TooManyNamespaces { limit: 64 })
        );
        // Declarations go out of scope with their element.
        let siblings = format!("<r>{}</r>", nested(1, 30).repeat(100));
        assert_eq!(walk(&siblings), Ok(()));
    }

    #[test]
    fn depth_is_counted_from_the_root() {
        let at_limit = format!("{}{}", "<a>".repeat(32), "</a>".repeat(32));
        assert_eq!(walk(&at_limit), Ok(()));
        let over = format!("{}{}", "<a>".repeat(33), "</a>".repeat(33));
        assert_eq!(walk(&over), Err(DecodeError::TooDeep { limit: 32 }));
    }

    #[test]
    fn text_is_read_as_a_conformant_parser_reads_it() {
        let xml = "\u{feff}<f> a\r\nb&#13;&amp;<![CDATA[<c>]]> </f>";
        let mut reader = XmlReader::new(xml, "urn:t", Limits::default());
        let root = reader.root().unwrap();
        assert_eq!(reader.text(&root).unwrap(), " a\nb\r&<c> ");
    }

    #[test]
    fn escaping_round_trips_and_refuses_what_xml_cannot_carry() {
        assert_eq!(
            escape_text("a\r\nb & <c>").unwrap(),
            "a&#13;\nb &amp; &lt;c&gt;"
        );
        assert!(escape_text("bell \u{7}").is_err());
        assert!(escape_text("\u{fffe}").is_err());
        assert_eq!(escape_text("tab\tok").unwrap(), "tab\tok");
        // Characters whose first byte is 0xEF: kept as they are, but U+FFFE/U+FFFF refused.
        assert!(matches!(
            escape_text("\u{f8ff}\u{fffd}"),
            Ok(Cow::Borrowed("\u{f8ff}\u{fffd}"))
        ));
        assert_eq!(escape_text("\u{fffd}<").unwrap(), "\u{fffd}&lt;");
        assert!(escape_text("ok \u{fffd}\u{ffff}").is_err());
    }
}
