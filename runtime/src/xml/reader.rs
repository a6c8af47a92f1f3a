//! [`XmlReader`]: a pull reader over quick-xml that resolves namespaces, never recurses on the
//! input's depth, refuses work beyond [`Limits`], and reads text exactly as a conformant parser
//! does.

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::{DecodeError, Limits, Ns, Start};
use crate::mask::from_outside as shown;
use crate::text::Text;

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

/// A pull reader over one document, bounded by [`Limits`].
pub struct XmlReader<'i> {
    input: &'i str,
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
            input: text,
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
    /// hands out parts of that slice, so names need no copy, and the input being text already,
    /// no second UTF-8 check (`get` checks the bounds fall between characters). `None` if `part`
    /// is not in the input.
    fn in_input(&self, part: &[u8]) -> Option<&'i str> {
        let at = (part.as_ptr() as usize).checked_sub(self.input.as_ptr() as usize)?;
        self.input.get(at..at + part.len())
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
    pub fn text(&mut self, field: &Start<'i>) -> Result<Text, DecodeError> {
        let mut value = Text::new();
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
