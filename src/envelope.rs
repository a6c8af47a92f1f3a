//! SOAP 1.1 envelopes: writing one around a message, reading the message out of one.
//!
//! Reading is strict, because what is read is what the seal is checked over: one `Envelope`, an
//! optional `Header` (skipped), one `Body` holding exactly one element (the wrapper, or a `Fault`),
//! the wrapper holding exactly one `input`/`output`, and nothing after. Names are resolved by
//! namespace, never by prefix, wherever the declarations stand. A DOCTYPE is refused, so no entity
//! is ever declared, let alone expanded.

use crate::codec::{EncodeError, Limits, Ns, ReadXml, Start, WriteXml, XmlReader, XmlWriter};
use crate::message::{Message, Operation, OperationInfo, OperationVisitor};
use crate::seal::Value;

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Longest fault text kept: a fault is for people to read, not a channel for megabytes.
const FAULT_TEXT_LIMIT: usize = 1024;

/// A SOAP 1.1 Fault. Its text came from outside: card numbers are masked and long text cut when it is
/// read, so it can be shown and logged as it is.
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

/// Why an envelope could not be read.
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
    #[error("field `{field}` holds an element <{found}> where the contract expects text")]
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
}

/// The request envelope of an operation, as the client sends it.
pub fn write_request<O: Operation>(request: &O::Request) -> Result<String, EncodeError> {
    write(
        O::INFO,
        O::INFO.request_element,
        O::INFO.request_child,
        request,
    )
}

/// The response envelope of an operation, as the service sends it.
pub fn write_response<O: Operation>(response: &O::Response) -> Result<String, EncodeError> {
    write(
        O::INFO,
        O::INFO.response_element,
        O::INFO.response_child,
        response,
    )
}

fn write<T: WriteXml>(
    info: &OperationInfo,
    element: &str,
    child: &str,
    message: &T,
) -> Result<String, EncodeError> {
    let prefix = info.prefix;
    let mut writer = XmlWriter::new();
    writer.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    writer.open(
        "soapenv:Envelope",
        &format!(r#" xmlns:soapenv="{SOAP11_NS}""#),
    );
    writer.empty("soapenv:Header");
    writer.open("soapenv:Body", "");
    let element = format!("{prefix}:{element}");
    writer.open(
        &element,
        &format!(r#" xmlns:{prefix}="{}""#, info.namespace),
    );
    let child = format!("{prefix}:{child}");
    writer.open(&child, "");
    message.write_xml(&mut writer)?;
    writer.close(&child);
    writer.close(&element);
    writer.close("soapenv:Body");
    writer.close("soapenv:Envelope");
    Ok(writer.finish())
}

/// A SOAP 1.1 Fault envelope (what the simulator answers to a request it cannot read).
pub fn write_fault(code: &str, string: &str) -> String {
    let mut writer = XmlWriter::new();
    writer.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    writer.open(
        "soapenv:Envelope",
        &format!(r#" xmlns:soapenv="{SOAP11_NS}""#),
    );
    writer.open("soapenv:Body", "");
    writer.open("soapenv:Fault", "");
    // Our own fault text: a character XML cannot carry is dropped rather than failing the fault.
    let clean = |text: &str| -> String {
        text.chars()
            .filter(|c| crate::codec::is_xml_char(*c))
            .collect()
    };
    let _ = writer.text("faultcode", "faultcode", &clean(code));
    let _ = writer.text("faultstring", "faultstring", &clean(string));
    writer.close("soapenv:Fault");
    writer.close("soapenv:Body");
    writer.close("soapenv:Envelope");
    writer.finish()
}

/// What a SOAP Body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content<T> {
    /// The message.
    Message(T),
    /// A SOAP Fault.
    Fault(Fault),
}

/// Reads an operation's response envelope: its `output`, or a Fault.
pub fn read_response<O: Operation>(
    xml: &str,
    limits: Limits,
) -> Result<Content<O::Response>, EnvelopeError> {
    match open(xml, O::INFO.namespace, limits)? {
        Body::Fault(fault) => Ok(Content::Fault(fault)),
        Body::Message(message) => message
            .read(O::INFO.response_element, O::INFO.response_child)
            .map(Content::Message),
    }
}

/// Reads a request or a response of the bundled wallet contract, whichever its Body holds, with its
/// operation's codec, as a tree of values (for tools such as the `seal` command).
pub fn read_wallet_message(xml: &str) -> Result<Content<Value>, EnvelopeError> {
    use crate::contract;
    let message = match open(xml, contract::NAMESPACE, Limits::default())? {
        Body::Fault(fault) => return Ok(Content::Fault(fault)),
        Body::Message(message) => message,
    };
    let element = message.element().clone();
    let request = contract::OPERATIONS
        .iter()
        .any(|o| o.info().request_element == element.local);
    let visitor = ReadAsValue {
        message: *message,
        request,
    };
    let read = match element.ns {
        Ns::Target if request => contract::with_request_element(element.local, visitor),
        Ns::Target => contract::with_response_element(element.local, visitor),
        _ => None,
    };
    read.unwrap_or_else(|| {
        Err(EnvelopeError::UnexpectedElement {
            expected: "a request or response of the wallet contract".into(),
            found: element.describe(contract::NAMESPACE),
        })
    })
    .map(Content::Message)
}

struct ReadAsValue<'i> {
    message: MessageReader<'i>,
    request: bool,
}

impl OperationVisitor for ReadAsValue<'_> {
    type Output = Result<Value, EnvelopeError>;

    fn visit<O: Operation>(self) -> Self::Output {
        let info = O::INFO;
        Ok(if self.request {
            self.message
                .read::<O::Request>(info.request_element, info.request_child)?
                .to_value()
        } else {
            self.message
                .read::<O::Response>(info.response_element, info.response_child)?
                .to_value()
        })
    }
}

/// An envelope opened as far as its Body's element.
pub enum Body<'i> {
    /// The Body holds a Fault (read whole).
    Fault(Fault),
    /// The Body holds a message, not read yet.
    Message(Box<MessageReader<'i>>),
}

/// Reads an envelope up to the start of its Body's element.
pub fn open<'i>(
    xml: &'i str,
    namespace: &'static str,
    limits: Limits,
) -> Result<Body<'i>, EnvelopeError> {
    let mut reader = XmlReader::new(xml, namespace, limits);
    let envelope = reader.root()?;
    if envelope.ns != Ns::Soap || envelope.local != "Envelope" {
        let found = envelope.describe(namespace);
        let soap12 = matches!(&envelope.ns, Ns::Other(ns) if ns == SOAP12_NS);
        return Err(EnvelopeError::NotAnEnvelope {
            found: if soap12 {
                format!("{found} (SOAP 1.2; this service speaks SOAP 1.1)")
            } else {
                found
            },
        });
    }
    let body = loop {
        let Some(child) = reader.next_child(&envelope)? else {
            return Err(EnvelopeError::MissingBody);
        };
        match (&child.ns, child.local) {
            (Ns::Soap, "Header") => reader.skip(&child)?,
            (Ns::Soap, "Body") => break child,
            _ => {
                return Err(EnvelopeError::UnexpectedElement {
                    expected: format!("{{{SOAP11_NS}}}Body"),
                    found: child.describe(namespace),
                })
            }
        }
    };
    let Some(element) = reader.next_child(&body)? else {
        return Err(EnvelopeError::EmptyBody);
    };
    if element.ns == Ns::Soap && element.local == "Fault" {
        let fault = read_fault(&mut reader, &element)?;
        let rest = MessageReader {
            reader,
            envelope,
            body,
            element,
        };
        rest.end()?;
        return Ok(Body::Fault(fault));
    }
    Ok(Body::Message(Box::new(MessageReader {
        reader,
        envelope,
        body,
        element,
    })))
}

/// The rest of an envelope whose Body's element has been reached.
pub struct MessageReader<'i> {
    reader: XmlReader<'i>,
    envelope: Start<'i>,
    body: Start<'i>,
    element: Start<'i>,
}

impl<'i> MessageReader<'i> {
    /// The Body's element (the wrapper: `signOff`, `signOffResponse`…).
    pub fn element(&self) -> &Start<'i> {
        &self.element
    }

    /// `{namespace}name` of the Body's element, for messages.
    pub fn describe(&self) -> String {
        self.element.describe(self.reader.target())
    }

    /// Reads the message: the wrapper `element` in the contract's namespace holding exactly one
    /// `child`, then checks that nothing follows it in the envelope.
    pub fn read<T: ReadXml>(mut self, element: &str, child: &str) -> Result<T, EnvelopeError> {
        let namespace = self.reader.target();
        if self.element.ns != Ns::Target || self.element.local != element {
            return Err(EnvelopeError::UnexpectedElement {
                expected: format!("{{{namespace}}}{element}"),
                found: self.describe(),
            });
        }
        let wrapper = self.element.clone();
        let Some(inner) = self.reader.next_child(&wrapper)? else {
            return Err(EnvelopeError::UnexpectedElement {
                expected: format!("{{{namespace}}}{child}"),
                found: format!("the end of <{element}>"),
            });
        };
        if inner.ns != Ns::Target || inner.local != child {
            return Err(EnvelopeError::UnexpectedElement {
                expected: format!("{{{namespace}}}{child}"),
                found: inner.describe(namespace),
            });
        }
        let message = T::read_xml(&mut self.reader, &inner)?;
        if let Some(extra) = self.reader.next_child(&wrapper)? {
            return Err(EnvelopeError::SecondElement {
                parent: element.to_string(),
                found: extra.describe(namespace),
            });
        }
        self.end()?;
        Ok(message)
    }

    /// After the Body's element: nothing else in Body, nothing after Body, nothing after Envelope.
    fn end(mut self) -> Result<(), EnvelopeError> {
        let namespace = self.reader.target();
        for parent in [&self.body, &self.envelope] {
            if let Some(extra) = self.reader.next_child(parent)? {
                return Err(EnvelopeError::SecondElement {
                    parent: parent.local.to_string(),
                    found: extra.describe(namespace),
                });
            }
        }
        self.reader.finish()
    }
}

/// `faultcode`, `faultstring` and `detail` (children unqualified, as SOAP 1.1 has them).
fn read_fault<'i>(reader: &mut XmlReader<'i>, fault: &Start<'i>) -> Result<Fault, EnvelopeError> {
    let mut out = Fault {
        code: String::new(),
        string: String::new(),
        detail: None,
    };
    while let Some(child) = reader.next_child(fault)? {
        match child.local {
            "faultcode" => out.code = outside_text(&reader.text(&child)?),
            "faultstring" => out.string = outside_text(&reader.text(&child)?),
            "detail" => {
                let detail = outside_text(&reader.all_text(&child)?);
                out.detail = (!detail.is_empty()).then_some(detail);
            }
            _ => reader.skip(&child)?,
        }
    }
    Ok(out)
}

/// Text from outside, made fit to show: trimmed, cut to 1 KiB, card numbers masked.
fn outside_text(text: &str) -> String {
    let text = text.trim();
    let mut end = text.len().min(FAULT_TEXT_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = if end < text.len() {
        format!("{}…", &text[..end])
    } else {
        text.to_string()
    };
    crate::mask::mask_message(&cut, crate::contract::SENSITIVE_FIELDS).into_owned()
}
