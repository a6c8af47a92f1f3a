//! What differs between two contracts in what the client feels on the wire, operation by
//! operation: the target namespace every element travels in, the wrapper elements, the SOAP action
//! (or HTTP location), operations and fields added or removed, a field's built-in type (`string`,
//! `int`, `date`…), its facets (`maxLength`, `pattern`…), occurrence, list of values or shape, and
//! the schema's `elementFormDefault`. Type names are not compared (a vendor's `addCardOutput` and
//! our `AddCardOutput` hold the same fields), their contents are.
//!
//! What a publishing tool drops without changing the service is a [`Severity::Note`], not a
//! change: JAX-WS publishes a list of values as plain `xs:string`, CXF publishes fields
//! `minOccurs="0"`, and facets a published copy leaves out are notes too. The reverse (a text field
//! now restricted to values, an optional field now required, a facet added or changed) is a change.

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{Contract, Facet, FieldType, Occurs};

/// One difference, from `ours` to `theirs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The operation ("" for the whole contract).
    pub operation: String,
    /// Where in it: `request.cardNumber`, `response.walletPaymentMeanDataList.maskedPan`, or "".
    pub path: String,
    /// What changed.
    pub what: String,
    /// A change the client must follow, or a note on what a publishing tool drops.
    pub severity: Severity,
}

/// How much a difference matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The client may no longer speak the service as it does.
    Change,
    /// A restriction the published WSDL does not repeat (publishing tools drop them): the service
    /// is the same.
    Note,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operation.is_empty() {
            write!(f, "{}", self.what)
        } else if self.path.is_empty() {
            write!(f, "{}: {}", self.operation, self.what)
        } else {
            write!(f, "{}: {}: {}", self.operation, self.path, self.what)
        }
    }
}

/// Every difference between `ours` and `theirs`.
pub fn diff(ours: &Contract, theirs: &Contract) -> Vec<Change> {
    let mut changes = Vec::new();
    if ours.qualified != theirs.qualified {
        let form = |qualified: bool| {
            if qualified {
                "qualified"
            } else {
                "unqualified"
            }
        };
        changes.push(Change {
            operation: String::new(),
            path: String::new(),
            what: format!(
                "elementFormDefault {} → {}: fields travel {} namespace",
                form(ours.qualified),
                form(theirs.qualified),
                if theirs.qualified {
                    "in the contract's"
                } else {
                    "without a"
                }
            ),
            severity: Severity::Change,
        });
    }
    let moved = ours.namespace != theirs.namespace;
    if moved {
        changes.push(Change {
            operation: String::new(),
            path: String::new(),
            what: format!(
                "target namespace {} → {}: {} in another namespace on the wire",
                shown_namespace(&ours.namespace),
                shown_namespace(&theirs.namespace),
                if theirs.qualified {
                    "every element, fields included, travels"
                } else {
                    "every operation's wrapper element travels"
                }
            ),
            severity: Severity::Change,
        });
    }
    for op in &ours.operations {
        let Some(other) = theirs.operations.iter().find(|o| o.name == op.name) else {
            changes.push(Change {
                operation: op.name.clone(),
                path: String::new(),
                what: "removed: the service no longer has this operation".into(),
                severity: Severity::Change,
            });
            continue;
        };
        let mut on_operation = |what: String| {
            changes.push(Change {
                operation: op.name.clone(),
                path: String::new(),
                what,
                severity: Severity::Change,
            })
        };
        for (side, mine, their) in [
            ("request", &op.input_element, &other.input_element),
            ("response", &op.output_element, &other.output_element),
        ] {
            if mine != their || moved {
                on_operation(format!(
                    "{side} element {{{}}}{mine} → {{{}}}{their}",
                    ours.namespace, theirs.namespace
                ));
            }
        }
        if op.soap_action != other.soap_action {
            on_operation(format!(
                "soapAction \"{}\" → \"{}\"",
                op.soap_action, other.soap_action
            ));
        }
        if op.http_location != other.http_location {
            let shown = |l: &Option<String>| l.as_deref().unwrap_or("none").to_string();
            on_operation(format!(
                "HTTP location {} → {}",
                shown(&op.http_location),
                shown(&other.http_location)
            ));
        }
        for (side, mine, their) in [
            ("request", &op.input_element, &other.input_element),
            ("response", &op.output_element, &other.output_element),
        ] {
            let types = (
                ours.wrapper(mine).map(|w| w.child_type.as_str()),
                theirs.wrapper(their).map(|w| w.child_type.as_str()),
            );
            if let (Some(a), Some(b)) = types {
                let mut walk = Walk {
                    ours,
                    theirs,
                    operation: &op.name,
                    changes: &mut changes,
                };
                walk.compare(side, a, b, 0);
            }
        }
    }
    for op in &theirs.operations {
        if !ours.operations.iter().any(|o| o.name == op.name) {
            changes.push(Change {
                operation: op.name.clone(),
                path: String::new(),
                what: "added: an operation this client does not know".into(),
                severity: Severity::Change,
            });
        }
    }
    changes
}

struct Walk<'a> {
    ours: &'a Contract,
    theirs: &'a Contract,
    operation: &'a str,
    changes: &'a mut Vec<Change>,
}

impl Walk<'_> {
    fn change(&mut self, path: &str, what: String) {
        self.push(path, what, Severity::Change);
    }

    fn note(&mut self, path: &str, what: String) {
        self.push(path, what, Severity::Note);
    }

    fn push(&mut self, path: &str, what: String, severity: Severity) {
        self.changes.push(Change {
            operation: self.operation.to_string(),
            path: path.to_string(),
            what,
            severity,
        });
    }

    fn compare(&mut self, path: &str, ours: &str, theirs: &str, depth: usize) {
        // Contracts nest a few levels; a cycle through types must not loop.
        if depth > 8 {
            return;
        }
        let (Some(a), Some(b)) = (
            self.ours.complex_type(ours),
            self.theirs.complex_type(theirs),
        ) else {
            return;
        };
        for field in &a.fields {
            let here = format!("{path}.{}", field.name);
            let Some(other) = b.fields.iter().find(|f| f.name == field.name) else {
                self.change(&here, "removed".into());
                continue;
            };
            if field.occurs != other.occurs {
                let what = format!(
                    "occurrence {} → {}",
                    occurs(field.occurs),
                    occurs(other.occurs)
                );
                if (field.occurs, other.occurs) == (Occurs::Required, Occurs::Optional) {
                    self.note(&here, format!("{what} (as publishing tools write it)"));
                } else {
                    self.change(&here, what);
                }
            }
            match (&field.ty, &other.ty) {
                (FieldType::Complex(x), FieldType::Complex(y)) => {
                    self.compare(&here, x, y, depth + 1)
                }
                (FieldType::Enum(x), FieldType::Enum(y)) => {
                    let values = |c: &Contract, name: &str| -> BTreeSet<String> {
                        c.enums
                            .iter()
                            .find(|e| e.name == name)
                            .map(|e| e.values.iter().map(|v| v.value.clone()).collect())
                            .unwrap_or_default()
                    };
                    let (mine, their) = (values(self.ours, x), values(self.theirs, y));
                    let added: Vec<&str> = their.difference(&mine).map(String::as_str).collect();
                    let removed: Vec<&str> = mine.difference(&their).map(String::as_str).collect();
                    if !added.is_empty() {
                        self.change(&here, format!("values added: {}", added.join(", ")));
                    }
                    if !removed.is_empty() {
                        self.change(&here, format!("values removed: {}", removed.join(", ")));
                    }
                }
                (FieldType::Enum(_), FieldType::Text) => self.note(
                    &here,
                    "list of values → text (as publishing tools write it)".into(),
                ),
                (FieldType::Text, FieldType::Text) => {
                    if let (Some(x), Some(y)) = (&field.builtin, &other.builtin) {
                        if x != y {
                            self.change(&here, format!("type {x} → {y}"));
                        }
                    }
                    self.compare_facets(&here, &field.facets, &other.facets);
                }
                (x, y) if kind(x) != kind(y) => {
                    self.change(&here, format!("type {} → {}", kind(x), kind(y)))
                }
                _ => {}
            }
        }
        for field in &b.fields {
            if !a.fields.iter().any(|f| f.name == field.name) {
                self.change(
                    &format!("{path}.{}", field.name),
                    format!("added ({}, {})", kind(&field.ty), occurs(field.occurs)),
                );
            }
        }
    }
}

impl Walk<'_> {
    /// Facets by name: one added or changed is a change (the service now refuses what it took);
    /// one the other side leaves out is a note (publishing tools drop restrictions).
    fn compare_facets(&mut self, path: &str, ours: &[Facet], theirs: &[Facet]) {
        let names: std::collections::BTreeSet<&str> =
            ours.iter().chain(theirs).map(|f| f.name.as_str()).collect();
        let values = |facets: &[Facet], name: &str| -> Vec<String> {
            facets
                .iter()
                .filter(|f| f.name == name)
                .map(|f| f.value.clone())
                .collect()
        };
        for name in names {
            let (mine, their) = (values(ours, name), values(theirs, name));
            if mine == their {
                continue;
            }
            let shown = |v: &[String]| v.join(" | ");
            if their.is_empty() {
                self.note(
                    path,
                    format!(
                        "facet {name} {} not published (as publishing tools write it)",
                        shown(&mine)
                    ),
                );
            } else if mine.is_empty() {
                self.change(path, format!("facet {name} added: {}", shown(&their)));
            } else {
                self.change(
                    path,
                    format!("facet {name} {} → {}", shown(&mine), shown(&their)),
                );
            }
        }
    }
}

fn shown_namespace(namespace: &str) -> &str {
    if namespace.is_empty() {
        "(none)"
    } else {
        namespace
    }
}

fn kind(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Text => "text",
        FieldType::Enum(_) => "list of values",
        FieldType::Complex(_) => "nested fields",
    }
}

fn occurs(occurs: Occurs) -> &'static str {
    match occurs {
        Occurs::Required => "required",
        Occurs::Optional => "optional",
        Occurs::Repeated => "repeated",
    }
}
