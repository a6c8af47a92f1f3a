//! SOAP 1.1 envelopes: writing one around a message, reading the message out of one.
//!
//! Reading resolves namespaces instead of matching prefixes: the payload may use the default
//! namespace or any prefix, declared on the payload, on `Body` or on `Envelope` (as Apache CXF does).
//! The payload is cut out of the envelope with the declarations it relies on copied onto its root,
//! and handed to the generated yaserde decoder as a document of its own. A DOCTYPE anywhere is refused,
//! so no entity is ever declared, let alone expanded.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::seal::Value;

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// A SOAP 1.1 Fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fault {
    /// `faultcode`, such as `soap:Client` or `soap:Server`.
    pub code: String,
    /// `faultstring`: what the server says went wrong.
    pub string: String,
    /// The text of `detail`, if any.
    pub detail: Option<String>,
}

/// Why an envelope could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
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
    /// The payload is not the element that was expected.
    #[error("expected <{expected}> in the SOAP Body, found <{found}>")]
    UnexpectedElement {
        /// `{namespace}name` expected.
        expected: String,
        /// `{namespace}name` found.
        found: String,
    },
    /// The payload does not match its schema type.
    #[error("cannot decode <{element}>: {message}")]
    Decode {
        /// The payload element.
        element: String,
        /// What the decoder said (card numbers masked).
        message: String,
    },
    /// A message could not be written.
    #[error("cannot write the message: {0}")]
    Encode(String),
}

/// Writes a SOAP 1.1 envelope around a message (a generated wrapper element).
pub fn write<T: yaserde::YaSerialize>(payload: &T) -> Result<String, EnvelopeError> {
    let config = yaserde::ser::Config {
        perform_indent: true,
        write_document_declaration: false,
        indent_string: Some("  ".into()),
    };
    let body = yaserde::ser::to_string_with_config(payload, &config)
        .map_err(|e| EnvelopeError::Encode(e.to_string()))?;
    let mut out = String::with_capacity(body.len() + 256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<soapenv:Envelope xmlns:soapenv=\"{SOAP11_NS}\">\n"
    ));
    out.push_str("<soapenv:Header/>\n<soapenv:Body>\n");
    out.push_str(&body);
    out.push_str("\n</soapenv:Body>\n</soapenv:Envelope>\n");
    Ok(out)
}

/// Writes a SOAP 1.1 Fault envelope.
pub fn write_fault(code: &str, string: &str) -> String {
    use quick_xml::escape::escape;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"{SOAP11_NS}\">\n<soapenv:Body>\n<soapenv:Fault>\n<faultcode>{}</faultcode>\n<faultstring>{}</faultstring>\n</soapenv:Fault>\n</soapenv:Body>\n</soapenv:Envelope>\n",
        escape(code),
        escape(string)
    )
}

/// What an envelope carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A message: the Body's element.
    Message(Payload),
    /// A SOAP Fault.
    Fault(Fault),
}

/// The element in a SOAP Body, as a document of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// Its namespace.
    pub namespace: Option<String>,
    /// Its local name.
    pub name: String,
    /// Its XML, with the namespace declarations it relies on copied onto its root.
    pub xml: String,
}

impl Payload {
    /// `{namespace}name`, for messages.
    pub fn qualified_name(&self) -> String {
        qualified(self.namespace.as_deref(), &self.name)
    }

    /// Checks the element is the one expected.
    pub fn expect(&self, namespace: &str, name: &str) -> Result<(), EnvelopeError> {
        if self.name == name && self.namespace.as_deref() == Some(namespace) {
            Ok(())
        } else {
            Err(EnvelopeError::UnexpectedElement {
                expected: qualified(Some(namespace), name),
                found: self.qualified_name(),
            })
        }
    }

    /// Decodes it with a generated type.
    pub fn decode<T: yaserde::YaDeserialize>(
        &self,
        sensitive_fields: &[&str],
    ) -> Result<T, EnvelopeError> {
        yaserde::de::from_str(&self.xml).map_err(|e| EnvelopeError::Decode {
            element: self.name.clone(),
            message: crate::mask::mask_message(&e.to_string(), sensitive_fields).into_owned(),
        })
    }

    /// Reads it as a tree of named values, whatever its schema (used by the `seal` command and the
    /// simulator's checks). Repeated elements stay as repeated entries, in order.
    pub fn to_value(&self) -> Result<Value, EnvelopeError> {
        let mut reader = Reader::from_str(&self.xml);
        // Open elements: name, children read so far, text read so far.
        let mut stack: Vec<OpenElement> = Vec::new();
        loop {
            let position = reader.buffer_position();
            match reader.read_event().map_err(|e| malformed(position, e))? {
                Event::Start(start) => stack.push((local_name(&start), Vec::new(), String::new())),
                Event::Empty(start) => {
                    if let Some((_, children, _)) = stack.last_mut() {
                        children.push((local_name(&start), Value::Text(String::new())));
                    }
                }
                Event::Text(text) => {
                    if let Some((_, _, t)) = stack.last_mut() {
                        t.push_str(&text.decode().map_err(|e| malformed(position, e))?);
                    }
                }
                Event::CData(data) => {
                    if let Some((_, _, t)) = stack.last_mut() {
                        t.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                Event::GeneralRef(reference) => {
                    let resolved =
                        resolve_reference(&reference).ok_or_else(|| EnvelopeError::Malformed {
                            position,
                            message: format!(
                                "unknown entity &{};",
                                String::from_utf8_lossy(&reference)
                            ),
                        })?;
                    if let Some((_, _, t)) = stack.last_mut() {
                        t.push_str(&resolved);
                    }
                }
                Event::End(_) => {
                    let Some((name, children, text)) = stack.pop() else {
                        return Err(EnvelopeError::Malformed {
                            position,
                            message: "unbalanced end tag".into(),
                        });
                    };
                    let value = if children.is_empty() {
                        Value::Text(text)
                    } else {
                        Value::Object(children)
                    };
                    match stack.last_mut() {
                        Some((_, siblings, _)) => siblings.push((name, value)),
                        None => return Ok(value),
                    }
                }
                Event::Eof => {
                    return Err(EnvelopeError::Malformed {
                        position,
                        message: "unexpected end".into(),
                    })
                }
                Event::DocType(_) => return Err(EnvelopeError::Doctype),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
    }
}

/// Reads an envelope: its Body's element, or its Fault.
pub fn read(xml: &str) -> Result<Content, EnvelopeError> {
    let mut reader = Reader::from_str(xml);
    // Prefix bindings declared on Envelope and Body: the payload may rely on them.
    let mut inherited: Vec<(String, String)> = Vec::new();
    let mut state = State::Prolog;
    let mut content: Option<Content> = None;
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| malformed(position, e))?;
        match event {
            Event::DocType(_) => return Err(EnvelopeError::Doctype),
            Event::Eof => {
                return match (state, content) {
                    (State::Done, Some(content)) => Ok(content),
                    (State::Prolog, _) => Err(EnvelopeError::Malformed {
                        position,
                        message: "no root element".into(),
                    }),
                    (State::Done, None) => Err(EnvelopeError::MissingBody),
                    _ => Err(EnvelopeError::Malformed {
                        position,
                        message: "the document ends inside the envelope".into(),
                    }),
                };
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                let declared = declarations(start).map_err(|m| EnvelopeError::Malformed {
                    position,
                    message: m,
                })?;
                let scope: Vec<(String, String)> = inherited
                    .iter()
                    .cloned()
                    .chain(declared.iter().cloned())
                    .collect();
                let (namespace, name) = resolve(start, &scope);
                match state {
                    State::Prolog => {
                        if namespace.as_deref() != Some(SOAP11_NS) || name != "Envelope" {
                            let found = qualified(namespace.as_deref(), &name);
                            return Err(if namespace.as_deref() == Some(SOAP12_NS) {
                                EnvelopeError::NotAnEnvelope {
                                    found: format!(
                                        "{found} (SOAP 1.2; this service speaks SOAP 1.1)"
                                    ),
                                }
                            } else {
                                EnvelopeError::NotAnEnvelope { found }
                            });
                        }
                        inherited = scope;
                        state = if is_empty {
                            State::Done
                        } else {
                            State::Envelope
                        };
                    }
                    State::Envelope
                        if namespace.as_deref() == Some(SOAP11_NS) && name == "Body" =>
                    {
                        if is_empty {
                            return Err(EnvelopeError::EmptyBody);
                        }
                        inherited = scope;
                        state = State::Body;
                    }
                    State::Envelope => {
                        // Header or anything else beside Body: skipped whole.
                        if !is_empty {
                            reader
                                .read_to_end(start.name())
                                .map_err(|e| malformed(position, e))?;
                        }
                    }
                    State::Body if content.is_none() => {
                        let start_offset = position as usize;
                        if !is_empty {
                            reader
                                .read_to_end(start.name())
                                .map_err(|e| malformed(position, e))?;
                        }
                        let end_offset = reader.buffer_position() as usize;
                        let fragment = xml.get(start_offset..end_offset).unwrap_or_default();
                        content = Some(
                            if namespace.as_deref() == Some(SOAP11_NS) && name == "Fault" {
                                Content::Fault(read_fault(fragment)?)
                            } else {
                                Content::Message(Payload {
                                    xml: with_declarations(fragment, &inherited, &declared),
                                    namespace,
                                    name,
                                })
                            },
                        );
                    }
                    State::Body => {
                        // A second element in Body: not a wrapped message; ignore it as CXF would.
                        if !is_empty {
                            reader
                                .read_to_end(start.name())
                                .map_err(|e| malformed(position, e))?;
                        }
                    }
                    State::AfterBody | State::Done => {
                        if !is_empty {
                            reader
                                .read_to_end(start.name())
                                .map_err(|e| malformed(position, e))?;
                        }
                    }
                }
            }
            Event::End(_) => {
                state = match state {
                    State::Body => {
                        if content.is_none() {
                            return Err(EnvelopeError::EmptyBody);
                        }
                        State::AfterBody
                    }
                    State::AfterBody | State::Envelope => State::Done,
                    other => other,
                };
            }
            Event::Text(_)
            | Event::CData(_)
            | Event::GeneralRef(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::Comment(_) => {}
        }
    }
}

type OpenElement = (String, Vec<(String, Value)>, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Prolog,
    Envelope,
    Body,
    AfterBody,
    Done,
}

fn read_fault(fragment: &str) -> Result<Fault, EnvelopeError> {
    let payload = Payload {
        namespace: None,
        name: "Fault".into(),
        xml: fragment.to_string(),
    };
    // Fault children are unqualified; their names are read by local name.
    let value = payload.to_value()?;
    let text_of = |name: &str| -> Option<String> {
        match value.get(name) {
            Some(Value::Text(t)) => Some(t.trim().to_string()),
            Some(other @ Value::Object(_)) => Some(
                other
                    .sealed_fields()
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        }
    };
    Ok(Fault {
        code: text_of("faultcode").unwrap_or_default(),
        string: text_of("faultstring").unwrap_or_default(),
        detail: text_of("detail").filter(|d| !d.is_empty()),
    })
}

fn declarations(start: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = attribute.key.as_ref();
        let prefix = if key == b"xmlns" {
            String::new()
        } else if let Some(p) = key.strip_prefix(b"xmlns:") {
            String::from_utf8_lossy(p).to_string()
        } else {
            continue;
        };
        let value = attribute
            .unescape_value()
            .map_err(|e| e.to_string())?
            .to_string();
        out.push((prefix, value));
    }
    Ok(out)
}

fn resolve(start: &BytesStart<'_>, scope: &[(String, String)]) -> (Option<String>, String) {
    let qname = String::from_utf8_lossy(start.name().as_ref()).to_string();
    let (prefix, local) = qname.split_once(':').unwrap_or(("", &qname));
    let namespace = scope
        .iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map(|(_, ns)| ns.clone());
    (namespace.filter(|ns| !ns.is_empty()), local.to_string())
}

fn local_name(start: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).to_string()
}

/// Copies onto the fragment's root tag the inherited declarations it does not make itself.
fn with_declarations(
    fragment: &str,
    inherited: &[(String, String)],
    own: &[(String, String)],
) -> String {
    let mut seen: Vec<&str> = own.iter().map(|(p, _)| p.as_str()).collect();
    let mut extra = String::new();
    for (prefix, namespace) in inherited.iter().rev() {
        if seen.contains(&prefix.as_str()) {
            continue;
        }
        seen.push(prefix);
        let namespace = quick_xml::escape::escape(namespace.as_str());
        if prefix.is_empty() {
            extra.push_str(&format!(" xmlns=\"{namespace}\""));
        } else {
            extra.push_str(&format!(" xmlns:{prefix}=\"{namespace}\""));
        }
    }
    let name_end = fragment
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_whitespace() || *c == '>' || *c == '/')
        .map_or(fragment.len(), |(i, _)| i);
    format!(
        "{}{}{}",
        &fragment[..name_end],
        extra,
        &fragment[name_end..]
    )
}

fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Some(c.to_string());
    }
    let name = String::from_utf8_lossy(reference).to_string();
    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_string)
}

fn qualified(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{{{ns}}}{name}"),
        None => name.to_string(),
    }
}

fn malformed(position: u64, error: impl std::fmt::Display) -> EnvelopeError {
    EnvelopeError::Malformed {
        position,
        message: error.to_string(),
    }
}
