//! The second stage: wrapper elements typed by a named complexType become wrappers, and each
//! anonymous complexType of a field gets a name of its own.

use std::collections::BTreeSet;

use crate::model::Wrapper;
use crate::xml::{Element, XSD};
use crate::{Error, Warning};

use super::schemas::{Located, Schemas};

/// Turns wrapper elements typed by a named complexType into wrappers; the types only used as such
/// are not generated as messages of their own.
pub(super) fn resolve_typed_wrappers(
    schemas: &mut Schemas<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let typed = std::mem::take(&mut schemas.typed_wrappers);
    let mut used_as_wrapper = BTreeSet::new();
    for (file, element, ty) in typed {
        let Some(located) = schemas.complex.iter().find(|c| c.name == ty) else {
            warnings.push(Warning::new(
                file,
                &element,
                format!("top-level element of type {ty}, which is not a complexType of the schemas; skipped"),
            ));
            continue;
        };
        let sequence = located
            .element
            .child(XSD, "sequence")
            .or_else(|| located.element.child(XSD, "all"));
        let children: Vec<&Element> = sequence
            .map(|s| s.children_named(XSD, "element").collect())
            .unwrap_or_default();
        match children.as_slice() {
            [only] => {
                let child = only.attr("name").ok_or_else(|| {
                    Error::new(located.file, &ty, "the wrapped element has no name")
                })?;
                let child_type = only.attr("type").ok_or_else(|| {
                    Error::new(
                        located.file,
                        child,
                        "the wrapped element has no type= attribute",
                    )
                })?;
                schemas.wrappers.push(Wrapper {
                    element: element.clone(),
                    child: child.to_string(),
                    child_type: only.resolve_qname(child_type).1,
                });
                used_as_wrapper.insert(ty);
            }
            _ => warnings.push(Warning::new(
                file,
                &element,
                format!(
                    "its type {ty} does not hold exactly one child element: not a wrapper; skipped"
                ),
            )),
        }
    }
    schemas
        .complex
        .retain(|c| !used_as_wrapper.contains(&c.name));
    Ok(())
}

/// Gives each anonymous complexType of a field a name, so that it becomes a type of its own: the
/// field's name in UpperCamelCase (`walletPaymentMeanDataList` → `WalletPaymentMeanDataList`), or,
/// when that is taken, prefixed with the enclosing type's name. Nested ones are named in turn.
pub(super) fn name_anonymous_types<'a>(schemas: &mut Schemas<'a>) {
    // Compared as the Rust names they become: `walletPaymentMeanData` and `WalletPaymentMeanData`
    // would be one type.
    let rust = |name: &str| crate::names::upper_camel(name);
    let mut taken: BTreeSet<String> = schemas
        .complex
        .iter()
        .map(|c| rust(&c.name))
        .chain(schemas.enums.iter().map(|e| rust(&e.name)))
        .chain(schemas.text_aliases.iter().map(|a| rust(a)))
        .collect();
    let mut pending: Vec<(&'a str, &'a Element, String)> = schemas
        .complex
        .iter()
        .map(|c| (c.file, c.element, c.name.clone()))
        .collect();
    while let Some((file, element, owner)) = pending.pop() {
        for holder in anonymous_holders(element) {
            let Some(anonymous) = holder.child(XSD, "complexType") else {
                continue;
            };
            let field = holder.attr("name").unwrap_or("Anonymous");
            let mut name = upper_first(field);
            if taken.contains(&rust(&name)) {
                name = format!("{}{name}", upper_first(&owner));
            }
            while taken.contains(&rust(&name)) {
                name.push('X');
            }
            taken.insert(rust(&name));
            schemas.anonymous.push((holder, name.clone()));
            schemas.complex.push(Located {
                file,
                element: anonymous,
                name: name.clone(),
            });
            pending.push((file, anonymous, name));
        }
    }
}

/// The elements of a complexType's content (through extension, sequence, all, choice) that hold an
/// anonymous complexType and no `type=`.
fn anonymous_holders(complex_type: &Element) -> Vec<&Element> {
    let mut out = Vec::new();
    let mut stack = vec![complex_type];
    while let Some(node) = stack.pop() {
        for child in &node.children {
            if child.namespace.as_deref() != Some(XSD) {
                continue;
            }
            match child.name.as_str() {
                "complexContent" | "extension" | "sequence" | "all" | "choice" => stack.push(child),
                "element"
                    if child.attr("type").is_none()
                        && child.child(XSD, "complexType").is_some() =>
                {
                    out.push(child)
                }
                _ => {}
            }
        }
    }
    out
}

fn upper_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
