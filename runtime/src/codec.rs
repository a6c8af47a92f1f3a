//! The XML reader and writer the generated message codecs are written against.
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

use std::borrow::Cow;

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

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
        shown(&if namespace.is_empty() {
            self.local.to_string()
        } else {
            format!("{{{namespace}}}{}", self.local)
        })
    }
}

/// A name or short text from outside, made safe to show: at most 128 characters, card numbers masked.
pub fn shown(text: &str) -> String {
    crate::mask::from_outside(text)
}

/// Why a message could not be read: the reader's limits, XML that is not well-formed, or a
/// document that is not the shape a SOAP message of the contract has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not well-formed XML.
    #[error("malformed XML near byte {position}: {message}")]
    Malformed {
        /// Byte offset where reading stopped.
        position: u64,
        /// The parser's message.
        message: String,
    },
    /// The document declares a DOCTYPE, which could declare entities: refused.
    #[error("the document has a DOCTYPE declaration, which is not accepted (entities are never expanded)")]
    Doctype,
    /// The root element is not a SOAP 1.1 `Envelope`.
    #[error("expected a SOAP 1.1 Envelope, found <{found}>")]
    NotAnEnvelope {
        /// `{namespace}name` of the root element.
        found: String,
    },
    /// The envelope has no `Body`.
    #[error("the SOAP envelope has no Body")]
    MissingBody,
    /// `Body` holds no element.
    #[error("the SOAP Body is empty")]
    EmptyBody,
    /// An element is not the one expected there.
    #[error("expected <{expected}>, found <{found}>")]
    UnexpectedElement {
        /// `{namespace}name` expected.
        expected: String,
        /// `{namespace}name` found.
        found: String,
    },
    /// A second element where the message has room for one (a second element in Body, a second
    /// `output`, anything after Body).
    #[error("<{parent}> holds a second element <{found}> where there is room for one")]
    SecondElement {
        /// The element holding it.
        parent: String,
        /// `{namespace}name` of the extra element.
        found: String,
    },
    /// A field that may appear once appears again.
    #[error("field `{field}` appears more than once")]
    RepeatedField {
        /// The field's name.
        field: String,
    },
    /// An element inside a message is not in the contract's namespace.
    #[error("<{found}> inside <{parent}> is not in the contract's namespace")]
    ForeignElement {
        /// The element holding it.
        parent: String,
        /// `{namespace}name` of the element.
        found: String,
    },
    /// An element holding child elements also holds text.
    #[error("<{element}> mixes text with elements")]
    MixedContent {
        /// The element.
        element: String,
    },
    /// A text field holds an element: a shape the contract does not describe.
    #[error("field `{field}` holds an element <{found}> where the contract expects text: the service's WSDL is not the one this client was built from (a list wrapped in an element of its own?); compare them with `sips-wallet contract check`, and build with the service's WSDL by setting SIPS_WALLET_WSDL_DIR to its folder")]
    ElementInText {
        /// The field.
        field: String,
        /// The element found in it.
        found: String,
    },
    /// Elements nest deeper than the limit.
    #[error("elements nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// More elements than the limit.
    #[error("the document has more than {limit} elements")]
    TooManyElements {
        /// The limit.
        limit: usize,
    },
    /// More namespace declarations in scope than the limit.
    #[error("more than {limit} namespace declarations in scope")]
    TooManyNamespaces {
        /// The limit.
        limit: usize,
    },
    /// An element with more attributes than the limit.
    #[error("an element has more than {limit} attributes")]
    TooManyAttributes {
        /// The limit.
        limit: usize,
    },
    /// The document declares an encoding this crate does not read.
    #[error("the document is encoded in {encoding}, which is not read here (UTF-8 or ISO-8859-1)")]
    Encoding {
        /// The declared encoding (cut, masked).
        encoding: String,
    },
}

impl DecodeError {
    /// The same error, every text it quotes from the document masked by `secrets` too (the card
    /// numbers and IBANs of the call it answers, by value): each was masked by pattern when read.
    pub fn masked_by(self, secrets: &crate::mask::Secrets) -> DecodeError {
        let m = |text: String| secrets.mask(&text).into_owned();
        match self {
            DecodeError::Malformed { position, message } => DecodeError::Malformed {
                position,
                message: m(message),
            },
            DecodeError::NotAnEnvelope { found } => DecodeError::NotAnEnvelope { found: m(found) },
            DecodeError::UnexpectedElement { expected, found } => DecodeError::UnexpectedElement {
                expected,
                found: m(found),
            },
            DecodeError::SecondElement { parent, found } => DecodeError::SecondElement {
                parent: m(parent),
                found: m(found),
            },
            DecodeError::RepeatedField { field } => DecodeError::RepeatedField { field: m(field) },
            DecodeError::ForeignElement { parent, found } => DecodeError::ForeignElement {
                parent: m(parent),
                found: m(found),
            },
            DecodeError::MixedContent { element } => DecodeError::MixedContent {
                element: m(element),
            },
            DecodeError::ElementInText { field, found } => DecodeError::ElementInText {
                field: m(field),
                found: m(found),
            },
            DecodeError::Encoding { encoding } => DecodeError::Encoding {
                encoding: m(encoding),
            },
            other @ (DecodeError::Doctype
            | DecodeError::MissingBody
            | DecodeError::EmptyBody
            | DecodeError::TooDeep { .. }
            | DecodeError::TooManyElements { .. }
            | DecodeError::TooManyNamespaces { .. }
            | DecodeError::TooManyAttributes { .. }) => other,
        }
    }
}

/// The character a reference stands for: a character reference, or one of XML's five
/// predefined entities (no other entity exists here: DOCTYPEs are refused).
fn resolve(reference: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        Ok(None) => reference.decode().ok().and_then(|name| {
            quick_xml::escape::resolve_predefined_entity(&name).and_then(|s| s.chars().next())
        }),
        Err(_) => None,
    }
}

/// The text of a document as its XML declaration says it is encoded: UTF-8 (the default) or
/// ISO-8859-1 (Latin-1: each byte is the character of that number), read into text once so that
/// the fields, and the seal over them, are the characters the sender meant. Any other declared
/// encoding is refused, naming it.
pub fn decode_document(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    const UTF8: [&str; 4] = ["utf-8", "utf8", "us-ascii", "ascii"];
    const LATIN1: [&str; 6] = [
        "iso-8859-1",
        "iso8859-1",
        "latin1",
        "latin-1",
        "l1",
        "iso_8859-1",
    ];
    let named = |names: &[&str], encoding: &str| {
        names.iter().any(|name| name.eq_ignore_ascii_case(encoding))
    };
    match declared_encoding(bytes) {
        Some(encoding) if named(&LATIN1, encoding) => {
            Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()))
        }
        Some(encoding) if !named(&UTF8, encoding) => Err(DecodeError::Encoding {
            encoding: shown(encoding),
        }),
        _ => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| DecodeError::Malformed {
                position: 0,
                message: "the body is not UTF-8".into(),
            }),
    }
}

/// The `encoding` of a leading XML declaration (`<?xml version="1.0" encoding="…"?>`), if any.
fn declared_encoding(bytes: &[u8]) -> Option<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = bytes.strip_prefix(b"<?xml")?;
    let end = head.windows(2).take(256).position(|w| w == b"?>")?;
    let declaration = std::str::from_utf8(&head[..end]).ok()?;
    let value = declaration.split("encoding").nth(1)?.trim_start();
    let value = value.strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    Some(&value[..value.find(quote)?])
}

/// A pull reader over one document, bounded by [`Limits`].
pub struct XmlReader<'i> {
    input: &'i [u8],
    reader: NsReader<&'i [u8]>,
    target: &'static str,
    limits: Limits,
    depth: usize,
    elements: usize,
    /// Namespace declarations made by each open element, and their sum.
    declared: Vec<usize>,
    declared_total: usize,
    /// Whether local elements (fields) are in the contract's namespace or in none.
    qualified_locals: bool,
}

impl<'i> XmlReader<'i> {
    /// The contract's namespace, against which names are shown.
    pub fn namespace(&self) -> &'static str {
        self.target
    }

    /// A reader of `text`, whose contract elements are in `target`. A UTF-8 byte order mark is skipped.
    pub fn new(text: &'i str, target: &'static str, limits: Limits) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = NsReader::from_reader(text.as_bytes());
        reader.config_mut().check_end_names = true;
        XmlReader {
            input: text.as_bytes(),
            reader,
            target,
            limits,
            depth: 0,
            elements: 0,
            declared: Vec::with_capacity(16),
            declared_total: 0,
            qualified_locals: true,
        }
    }

    /// Whether the contract's local elements (its fields) are namespace-qualified (its schema's
    /// `elementFormDefault`; qualified unless set otherwise).
    pub fn set_qualified_locals(&mut self, qualified: bool) {
        self.qualified_locals = qualified;
    }

    /// The namespace the contract's local elements are in.
    pub fn local_ns(&self) -> Ns {
        if self.qualified_locals {
            Ns::Target
        } else {
            Ns::None
        }
    }

    /// The contract's namespace.
    pub fn target(&self) -> &'static str {
        self.target
    }

    fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn malformed(&self, message: impl std::fmt::Display) -> DecodeError {
        DecodeError::Malformed {
            position: self.position(),
            message: shown(&message.to_string()),
        }
    }

    /// The next event, with the limits applied and open elements tracked.
    fn next(&mut self) -> Result<Event<'i>, DecodeError> {
        let event = match self.reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(self.malformed(e)),
        };
        match &event {
            Event::Start(start) | Event::Empty(start) => {
                self.elements += 1;
                if self.elements > self.limits.max_elements {
                    return Err(DecodeError::TooManyElements {
                        limit: self.limits.max_elements,
                    });
                }
                let declarations = self.count_attributes(start)?;
                if self.declared_total + declarations > self.limits.max_namespaces {
                    return Err(DecodeError::TooManyNamespaces {
                        limit: self.limits.max_namespaces,
                    });
                }
                if matches!(event, Event::Start(_)) {
                    self.depth += 1;
                    if self.depth > self.limits.max_depth {
                        return Err(DecodeError::TooDeep {
                            limit: self.limits.max_depth,
                        });
                    }
                    self.declared.push(declarations);
                    self.declared_total += declarations;
                }
            }
            Event::End(_) => {
                self.depth = self.depth.saturating_sub(1);
                self.declared_total -= self.declared.pop().unwrap_or(0);
            }
            Event::DocType(_) => return Err(DecodeError::Doctype),
            _ => {}
        }
        Ok(event)
    }

    /// Counts an element's attributes against the limits; returns its namespace declarations.
    fn count_attributes(&self, start: &BytesStart<'_>) -> Result<usize, DecodeError> {
        // Most elements (every field) have none: nothing to parse or count.
        if start
            .attributes_raw()
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            return Ok(0);
        }
        let (mut attributes, mut declarations) = (0, 0);
        // With checks: a duplicated attribute is not well-formed XML (and the limit keeps the
        // pairwise check small).
        for attribute in start.attributes().with_checks(true) {
            let attribute = attribute.map_err(|e| self.malformed(e))?;
            attributes += 1;
            if attributes > self.limits.max_attributes {
                return Err(DecodeError::TooManyAttributes {
                    limit: self.limits.max_attributes,
                });
            }
            if attribute.key.as_namespace_binding().is_some() {
                declarations += 1;
            }
        }
        Ok(declarations)
    }

    fn start(&self, start: &BytesStart<'_>, empty: bool) -> Result<Start<'i>, DecodeError> {
        let (resolved, local) = self.reader.resolve_element(start.name());
        let local = self
            .in_input(local.into_inner())
            .ok_or_else(|| self.malformed("an element name is not UTF-8"))?;
        Ok(Start {
            ns: ns_of(&resolved, self.target),
            local,
            empty,
        })
    }

    /// The same bytes, borrowed from the input rather than from the event: a reader over a slice
    /// hands out parts of that slice, so names need no copy. `None` if `part` is not in the input.
    fn in_input(&self, part: &[u8]) -> Option<&'i str> {
        let at = (part.as_ptr() as usize).checked_sub(self.input.as_ptr() as usize)?;
        std::str::from_utf8(self.input.get(at..at + part.len())?).ok()
    }

    /// The document's root element (after the XML declaration, comments and whitespace).
    pub fn root(&mut self) -> Result<Start<'i>, DecodeError> {
        loop {
            match self.next()? {
                Event::Start(start) => return self.start(&start, false),
                Event::Empty(start) => return self.start(&start, true),
                Event::Text(text) if is_blank(&text) => {}
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => return Err(self.malformed("no root element")),
                _ => return Err(self.malformed("text before the root element")),
            }
        }
    }

    /// The next child element of `parent` (whose start was the last thing read at this level), or
    /// `None` at its end tag. Text other than whitespace between elements is refused.
    pub fn next_child(&mut self, parent: &Start<'i>) -> Result<Option<Start<'i>>, DecodeError> {
        if parent.empty {
            return Ok(None);
        }
        loop {
            match self.next()? {
                Event::Start(start) => return self.start(&start, false).map(Some),
                Event::Empty(start) => return self.start(&start, true).map(Some),
                Event::End(_) => return Ok(None),
                Event::Text(text) if is_blank(&text) => {}
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return Err(self.malformed("the document ends inside an element")),
                _ => {
                    return Err(DecodeError::MixedContent {
                        element: shown(parent.local),
                    })
                }
            }
        }
    }

    fn unknown_reference(&self, reference: &[u8]) -> DecodeError {
        self.malformed(format!(
            "unknown or invalid reference &{};",
            String::from_utf8_lossy(reference)
        ))
    }

    /// The text of a field, exactly as a conformant parser reads it. An element inside is refused.
    pub fn text(&mut self, field: &Start<'i>) -> Result<String, DecodeError> {
        let mut value = String::new();
        if field.empty {
            return Ok(value);
        }
        loop {
            match self.next()? {
                Event::Text(text) => {
                    value.push_str(&text.xml10_content().map_err(|e| self.malformed(e))?)
                }
                Event::CData(data) => {
                    value.push_str(&data.xml10_content().map_err(|e| self.malformed(e))?)
                }
                Event::GeneralRef(reference) => match resolve(&reference) {
                    Some(c) => value.push(c),
                    None => return Err(self.unknown_reference(&reference)),
                },
                Event::End(_) => return Ok(value),
                Event::Start(start) | Event::Empty(start) => {
                    let found = String::from_utf8_lossy(start.local_name().as_ref()).to_string();
                    return Err(DecodeError::ElementInText {
                        field: shown(field.local),
                        found: shown(&found),
                    });
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return Err(self.malformed("the document ends inside a field")),
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(self.malformed("a declaration inside a field"))
                }
            }
        }
    }

    /// All the text inside an element and its descendants (references resolved), one space
    /// between the texts of different elements (a fault's `detail`, whose shape no contract gives).
    pub fn all_text(&mut self, element: &Start<'i>) -> Result<String, DecodeError> {
        let mut out = String::new();
        if element.empty {
            return Ok(out);
        }
        let depth = self.depth;
        let mut piece = String::new();
        let flush = |piece: &mut String, out: &mut String| {
            let text = piece.trim();
            if !text.is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(text);
            }
            piece.clear();
        };
        loop {
            match self.next()? {
                Event::End(_) if self.depth < depth => {
                    flush(&mut piece, &mut out);
                    return Ok(out);
                }
                Event::Text(text) => {
                    piece.push_str(&text.xml10_content().map_err(|e| self.malformed(e))?)
                }
                Event::CData(data) => {
                    piece.push_str(&data.xml10_content().map_err(|e| self.malformed(e))?)
                }
                Event::GeneralRef(reference) => match resolve(&reference) {
                    Some(c) => piece.push(c),
                    None => return Err(self.unknown_reference(&reference)),
                },
                Event::Start(_) | Event::Empty(_) | Event::End(_) => flush(&mut piece, &mut out),
                Event::Eof => return Err(self.malformed("the document ends inside an element")),
                _ => {}
            }
        }
    }

    /// Reads past an element and everything in it, within the limits.
    pub fn skip(&mut self, element: &Start<'i>) -> Result<(), DecodeError> {
        if element.empty {
            return Ok(());
        }
        let depth = self.depth;
        loop {
            match self.next()? {
                Event::End(_) if self.depth < depth => return Ok(()),
                Event::Eof => return Err(self.malformed("the document ends inside an element")),
                _ => {}
            }
        }
    }

    /// The name of a contract field: `element` must be in the contract's namespace (or in none,
    /// for a schema whose local elements are unqualified).
    pub fn field_name(
        &self,
        parent: &Start<'i>,
        element: &Start<'i>,
    ) -> Result<&'i str, DecodeError> {
        if element.ns == self.local_ns() {
            Ok(element.local)
        } else {
            Err(DecodeError::ForeignElement {
                parent: shown(parent.local),
                found: element.describe(self.target),
            })
        }
    }

    /// Refuses the second occurrence of a field that may appear once.
    pub fn once(&self, seen: &mut bool, field: &Start<'i>) -> Result<(), DecodeError> {
        if std::mem::replace(seen, true) {
            return Err(DecodeError::RepeatedField {
                field: shown(field.local),
            });
        }
        Ok(())
    }

    /// After the root element: only comments, processing instructions and whitespace may follow.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        loop {
            match self.next()? {
                Event::Eof => return Ok(()),
                Event::Text(text) if is_blank(&text) => {}
                Event::Comment(_) | Event::PI(_) => {}
                _ => return Err(self.malformed("content after the root element")),
            }
        }
    }
}

fn ns_of(resolved: &ResolveResult<'_>, target: &str) -> Ns {
    match resolved {
        ResolveResult::Bound(ns) => {
            let ns = ns.as_ref();
            if ns == target.as_bytes() {
                Ns::Target
            } else if ns == crate::protocol::SOAP11_NS.as_bytes() {
                Ns::Soap
            } else {
                Ns::Other(String::from_utf8_lossy(ns).into_owned())
            }
        }
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Unknown(prefix) => Ns::Other(format!(
            "undeclared prefix {}",
            String::from_utf8_lossy(prefix)
        )),
    }
}

/// XML whitespace only (space, tab, CR, LF).
fn is_blank(text: &BytesText<'_>) -> bool {
    text.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
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

/// A request or response field holds a character XML cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {reason}")]
pub struct EncodeError {
    /// The field's XML name.
    pub field: String,
    /// What is wrong (never the value).
    pub reason: String,
}

/// Writes a message's elements, indented, with the contract's prefix.
pub struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// An empty document, with room for a request or a short answer: a block this small comes
    /// from glibc's per-thread cache, where a larger one takes the lock other threads contend for.
    pub fn new() -> Self {
        Self::with_capacity(1024)
    }

    /// An empty document with room for `bytes` before it grows.
    pub fn with_capacity(bytes: usize) -> Self {
        XmlWriter {
            out: String::with_capacity(bytes),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// Writes raw markup (the XML declaration).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// `<name attributes>`: `attributes` is written as is (namespace declarations).
    pub fn open(&mut self, name: &str, attributes: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(attributes);
        self.out.push('>');
        self.depth += 1;
    }

    /// `<prefix:name xmlns:declared="namespace">`, from its parts (nothing built to join them).
    pub fn open_qualified(
        &mut self,
        prefix: Option<&str>,
        name: &str,
        declares: Option<(&str, &str)>,
    ) {
        self.indent();
        self.out.push('<');
        self.push_qualified(prefix, name);
        if let Some((declared, namespace)) = declares {
            self.out.push_str(" xmlns:");
            self.out.push_str(declared);
            self.out.push_str("=\"");
            self.out.push_str(namespace);
            self.out.push('"');
        }
        self.out.push('>');
        self.depth += 1;
    }

    /// `</prefix:name>`.
    pub fn close_qualified(&mut self, prefix: Option<&str>, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.push_qualified(prefix, name);
        self.out.push('>');
    }

    fn push_qualified(&mut self, prefix: Option<&str>, name: &str) {
        if let Some(prefix) = prefix {
            self.out.push_str(prefix);
            self.out.push(':');
        }
        self.out.push_str(name);
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name/>`.
    pub fn empty(&mut self, name: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str("/>");
    }

    /// `<name>value</name>`, `value` escaped; `field` names the field if the value cannot be written.
    pub fn text(&mut self, name: &str, field: &str, value: &str) -> Result<(), EncodeError> {
        let escaped = escape_text(value).map_err(|reason| EncodeError {
            field: field.to_string(),
            reason: reason.into(),
        })?;
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.push_str(&escaped);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        Ok(())
    }

    /// The document written so far.
    pub fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// Escapes text for element content so that an XML 1.0 parser reads back exactly `value`:
/// `&`, `<`, `>` as entities and CR as `&#13;` (a raw CR would be read as a line feed). Refuses the
/// characters XML 1.0 cannot carry at all.
pub fn escape_text(value: &str) -> Result<Cow<'_, str>, &'static str> {
    // One pass over the bytes finds the first place that may need work: a character to escape,
    // a control character, or 0xEF, the first byte of U+F000 to U+FFFF (where U+FFFE and U+FFFF
    // lie). Each is the first byte of a character, so the text splits there.
    let suspect = |b: u8| {
        matches!(b, b'&' | b'<' | b'>' | b'\r' | 0xEF) || (b < 0x20 && b != b'\t' && b != b'\n')
    };
    let Some(first) = value.bytes().position(suspect) else {
        return Ok(Cow::Borrowed(value));
    };
    let mut out = String::with_capacity(value.len() + 16);
    out.push_str(&value[..first]);
    for c in value[first..].chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => {
                return Err("holds a control character that XML cannot carry (U+0000 to U+001F other than tab, CR and LF, or U+FFFE/U+FFFF)")
            }
            c => out.push(c),
        }
    }
    Ok(match out.len() == value.len() {
        // Only characters that needed nothing (0xEF-led ones): the text as it was.
        true => Cow::Borrowed(value),
        false => Cow::Owned(out),
    })
}

/// XML 1.0 `Char` (Rust strings hold no surrogates).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_document_is_decoded_as_its_declaration_says() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Caf\xe9</a>";
        assert_eq!(
            decode_document(latin1).unwrap(),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Caf\u{e9}</a>"
        );
        let utf8 = "<?xml version='1.0' encoding='utf-8'?><a>Caf\u{e9}</a>";
        assert_eq!(decode_document(utf8.as_bytes()).unwrap(), utf8);
        assert_eq!(decode_document(b"<a/>").unwrap(), "<a/>");
        assert!(matches!(
            decode_document(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"),
            Err(DecodeError::Encoding { encoding }) if encoding == "UTF-16"
        ));
        assert!(
            decode_document(b"<a>\xe9</a>").is_err(),
            "undeclared, so UTF-8"
        );
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
