//! A small namespace-resolved element tree: enough to read a WSDL and its schemas.
//!
//! WSDL and XSD put qualified names inside attribute values (`type="tns:SignOffRequest"`), so each
//! element keeps the prefix bindings in scope where it stands, to resolve those names later.

use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::Error;

pub const XSD: &str = "http://www.w3.org/2001/XMLSchema";
pub const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
pub const WSDL_SOAP11: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
pub const WSDL_HTTP: &str = "http://schemas.xmlsoap.org/wsdl/http/";

/// Prefix bindings in scope: `(prefix, namespace)`, the empty prefix for the default namespace.
type Scope = Rc<Vec<(String, String)>>;

#[derive(Debug, Clone)]
pub struct Element {
    pub namespace: Option<String>,
    pub name: String,
    attributes: Vec<(String, String)>,
    scope: Scope,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn is(&self, namespace: &str, name: &str) -> bool {
        self.name == name && self.namespace.as_deref() == Some(namespace)
    }

    /// An unqualified attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn children_named<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(namespace, name))
    }

    pub fn child(&self, namespace: &str, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name == name && c.namespace.as_deref() == Some(namespace))
    }

    /// Resolves a QName found in an attribute value (`tns:Foo`) to `(namespace, local name)`.
    pub fn resolve_qname(&self, qname: &str) -> (Option<String>, String) {
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", qname),
        };
        let namespace = self
            .scope
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, ns)| ns.clone());
        (namespace, local.to_string())
    }

    /// The text of `xs:annotation/xs:documentation` (or `wsdl:documentation`) children, whitespace folded.
    pub fn documentation(&self) -> String {
        let mut parts = Vec::new();
        for child in &self.children {
            if child.is(XSD, "annotation") {
                for doc in child.children_named(XSD, "documentation") {
                    parts.push(doc.text.clone());
                }
            } else if child.is(WSDL, "documentation") {
                parts.push(child.text.clone());
            }
        }
        fold_whitespace(&parts.join(" "))
    }
}

pub fn fold_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses a whole document into its root element, within [`crate::limits`]: its size, nesting,
/// element count and namespace declarations are bounded, so neither the parse nor the tree's
/// later walks and drops can be made to run away.
pub fn parse(file: &str, text: &str) -> Result<Element, Error> {
    use crate::limits::{MAX_DECLARATIONS, MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_ELEMENTS};
    let over = |element: &str, message: String| Error {
        file: file.to_string(),
        element: element.to_string(),
        message,
        warnings: Vec::new(),
    };
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(over(
            "",
            format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes"),
        ));
    }
    let mut elements = 0usize;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let root_scope: Scope = Rc::new(vec![(
        "xml".to_string(),
        "http://www.w3.org/XML/1998/namespace".to_string(),
    )]);
    let fail = |stack: &[Element], message: String| Error {
        file: file.to_string(),
        element: stack.last().map(|e| e.name.clone()).unwrap_or_default(),
        message,
        warnings: Vec::new(),
    };
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| fail(&stack, format!("malformed XML at byte {position}: {e}")))?;
        if let Event::Start(_) | Event::Empty(_) = event {
            elements += 1;
            let scope = stack.last().map_or(0, |e| e.scope.len());
            let limit = if elements > MAX_ELEMENTS {
                Some(format!("more than {MAX_ELEMENTS} elements"))
            } else if stack.len() >= MAX_DEPTH {
                Some(format!("elements nested deeper than {MAX_DEPTH}"))
            } else if scope > MAX_DECLARATIONS {
                Some(format!(
                    "more than {MAX_DECLARATIONS} namespace declarations in scope"
                ))
            } else {
                None
            };
            if let Some(message) = limit {
                let element = stack.last().map(|e| e.name.as_str()).unwrap_or_default();
                return Err(over(element, message));
            }
        }
        match event {
            Event::Start(start) => {
                let scope = stack.last().map_or(root_scope.clone(), |p| p.scope.clone());
                let element = open(&start, scope).map_err(|m| fail(&stack, m))?;
                stack.push(element);
            }
            Event::Empty(start) => {
                let scope = stack.last().map_or(root_scope.clone(), |p| p.scope.clone());
                let element = open(&start, scope).map_err(|m| fail(&stack, m))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else {
                    return Err(fail(&stack, "unbalanced end tag".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Event::Text(t) => {
                let text = t
                    .decode()
                    .map_err(|e| fail(&stack, format!("bad text: {e}")))?;
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&text);
                }
            }
            Event::CData(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = String::from_utf8_lossy(&r).to_string();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .map(str::to_string)
                            .ok_or_else(|| fail(&stack, format!("unknown entity &{name};")))?
                    }
                };
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&resolved);
                }
            }
            Event::DocType(_) => {
                return Err(fail(&stack, "a DOCTYPE is not accepted".into()));
            }
            Event::Eof => return Err(fail(&stack, "unexpected end of document".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
}

fn open(start: &BytesStart<'_>, parent_scope: Scope) -> Result<Element, String> {
    let mut declared = Vec::new();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("bad attribute: {e}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).to_string();
        let value = attribute
            .unescape_value()
            .map_err(|e| format!("bad attribute value: {e}"))?
            .to_string();
        if key == "xmlns" {
            declared.push((String::new(), value));
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            declared.push((prefix.to_string(), value));
        } else if !key.contains(':') {
            attributes.push((key, value));
        }
    }
    let scope = if declared.is_empty() {
        parent_scope
    } else {
        let mut all = (*parent_scope).clone();
        all.extend(declared);
        Rc::new(all)
    };
    let qname = String::from_utf8_lossy(start.name().as_ref()).to_string();
    let mut element = Element {
        namespace: None,
        name: String::new(),
        attributes,
        scope,
        children: Vec::new(),
        text: String::new(),
    };
    let (namespace, local) = element.resolve_qname(&qname);
    element.namespace = namespace;
    element.name = local;
    Ok(element)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_by_namespace_not_prefix() {
        let doc =
            r#"<a:root xmlns:a="urn:x" xmlns="urn:d"><child type="a:T">t&amp;u</child></a:root>"#;
        let root = parse("t.xml", doc).unwrap();
        assert!(root.is("urn:x", "root"));
        let child = root.child("urn:d", "child").unwrap();
        assert_eq!(child.text, "t&u");
        assert_eq!(
            child.resolve_qname(child.attr("type").unwrap()),
            (Some("urn:x".into()), "T".into())
        );
    }

    #[test]
    fn doctype_is_rejected() {
        let err = parse("t.xml", r#"<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>"#).unwrap_err();
        assert!(err.message.contains("DOCTYPE"), "{err}");
    }

    #[test]
    fn malformed_xml_names_file_and_element() {
        let err = parse("broken.wsdl", "<a><b></a>").unwrap_err();
        assert_eq!(err.file, "broken.wsdl");
        assert_eq!(err.element, "b");
    }
}
