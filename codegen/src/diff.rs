//! What differs between two contracts, operation by operation: fields added or removed, a field's
//! type, occurrence or list of values changed. Type names are not compared (a vendor's
//! `addCardOutput` and our `AddCardOutput` hold the same fields), their contents are.

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{Contract, FieldType, Occurs};

/// One difference, from `ours` to `theirs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The operation.
    pub operation: String,
    /// Where in it: `request.cardNumber`, `response.walletPaymentMeanDataList.maskedPan`, or "".
    pub path: String,
    /// What changed.
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.operation, self.what)
        } else {
            write!(f, "{}: {}: {}", self.operation, self.path, self.what)
        }
    }
}

/// Every difference between `ours` and `theirs`.
pub fn diff(ours: &Contract, theirs: &Contract) -> Vec<Change> {
    let mut changes = Vec::new();
    for op in &ours.operations {
        let Some(other) = theirs.operations.iter().find(|o| o.name == op.name) else {
            changes.push(Change {
                operation: op.name.clone(),
                path: String::new(),
                what: "removed: the service no longer has this operation".into(),
            });
            continue;
        };
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
        self.changes.push(Change {
            operation: self.operation.to_string(),
            path: path.to_string(),
            what,
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
                self.change(
                    &here,
                    format!(
                        "occurrence {} → {}",
                        occurs(field.occurs),
                        occurs(other.occurs)
                    ),
                );
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
