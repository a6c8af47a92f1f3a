//! SOAP 1.1 envelopes: writing one around a message, reading the message out of one.
//!
//! Reading is strict, because what is read is what the seal is checked over: one `Envelope`, an
//! optional `Header` (skipped), one `Body` holding exactly one element (the wrapper, or a `Fault`),
//! the wrapper holding exactly one `input`/`output`, and nothing after. Names are resolved by
//! namespace, never by prefix, wherever the declarations stand. A DOCTYPE is refused, so no entity
//! is ever declared, let alone expanded.

use crate::message::{Operation, OperationInfo};
use crate::protocol::SOAP12_NS;
use crate::xml::{EncodeError, Limits, Ns, ReadXml, Start, WriteXml, XmlReader, XmlWriter};

pub use crate::protocol::SOAP11_NS;
/// Why an envelope could not be read: the XML reader's error, under the name this module has always
/// given it.
pub use crate::xml::DecodeError as EnvelopeError;

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

/// The request envelope of an operation, as the client sends it.
pub fn write_request<O: Operation>(request: &O::Request) -> Result<String, EncodeError> {
    write(
        XmlWriter::new(),
        O::INFO,
        O::INFO.request_element,
        O::INFO.request_child,
        request,
    )
}

/// The response envelope of an operation, as the service sends it.
pub fn write_response<O: Operation>(response: &O::Response) -> Result<String, EncodeError> {
    // An answer may list a wallet's means, about 330 bytes each: room for twenty without regrowing.
    write(
        XmlWriter::with_capacity(8192),
        O::INFO,
        O::INFO.response_element,
        O::INFO.response_child,
        response,
    )
}

fn write<T: WriteXml>(
    mut writer: XmlWriter,
    info: &OperationInfo,
    element: &str,
    child: &str,
    message: &T,
) -> Result<String, EncodeError> {
    let prefix = info.prefix;
    writer.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    writer.open_qualified(Some("soapenv"), "Envelope", Some(("soapenv", SOAP11_NS)));
    writer.empty("soapenv:Header");
    writer.open("soapenv:Body", "");
    writer.open_qualified(Some(prefix), element, Some((prefix, info.namespace)));
    // Local elements carry the prefix only when the schema qualifies them.
    let child_prefix = info.qualified.then_some(prefix);
    writer.open_qualified(child_prefix, child, None);
    message.write_xml(&mut writer)?;
    writer.close_qualified(child_prefix, child);
    writer.close_qualified(Some(prefix), element);
    writer.close("soapenv:Body");
    writer.close("soapenv:Envelope");
    Ok(writer.finish())
}

/// A SOAP 1.1 Fault envelope (what the simulator answers to a request it cannot read).
pub fn write_fault(code: &str, string: &str) -> String {
    let mut writer = XmlWriter::new();
    writer.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    writer.open_qualified(Some("soapenv"), "Envelope", Some(("soapenv", SOAP11_NS)));
    writer.open("soapenv:Body", "");
    writer.open("soapenv:Fault", "");
    // Our own fault text: a character XML cannot carry is dropped rather than failing the fault.
    let clean = |text: &str| -> String {
        text.chars()
            .filter(|c| crate::xml::is_xml_char(*c))
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
            .read(
                O::INFO.response_element,
                O::INFO.response_child,
                O::INFO.qualified,
            )
            .map(Content::Message),
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
    /// `child` (in that namespace too, or in none when the schema's local elements are not
    /// `qualified`), then checks that nothing follows it in the envelope.
    pub fn read<T: ReadXml>(
        mut self,
        element: &str,
        child: &str,
        qualified: bool,
    ) -> Result<T, EnvelopeError> {
        self.reader.set_qualified_locals(qualified);
        let namespace = self.reader.target();
        let child_namespace = if qualified { namespace } else { "" };
        if self.element.ns != Ns::Target || self.element.local != element {
            return Err(EnvelopeError::UnexpectedElement {
                expected: format!("{{{namespace}}}{element}"),
                found: self.describe(),
            });
        }
        let wrapper = self.element.clone();
        let Some(inner) = self.reader.next_child(&wrapper)? else {
            return Err(EnvelopeError::UnexpectedElement {
                expected: format!("{{{child_namespace}}}{child}"),
                found: format!("the end of <{element}>"),
            });
        };
        if inner.ns != self.reader.local_ns() || inner.local != child {
            return Err(EnvelopeError::UnexpectedElement {
                expected: format!("{{{child_namespace}}}{child}"),
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

/// Text from outside, made fit to show: trimmed, card numbers and IBANs masked, cut to
/// [`FAULT_TEXT_LIMIT`] characters.
fn outside_text(text: &str) -> String {
    crate::mask::Secrets::default().shown_up_to(text.trim(), FAULT_TEXT_LIMIT)
}
