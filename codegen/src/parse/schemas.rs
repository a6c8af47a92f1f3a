//! The first stage: every schema reachable from the WSDL (through import and include), read for its
//! named simple and complex types and its wrapper elements.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{EnumType, EnumValue, Facet, Wrapper};
use crate::xml::{Element, XSD};
use crate::{Error, Warning};

pub(super) struct Located<'a> {
    pub(super) file: &'a str,
    pub(super) element: &'a Element,
    /// Its name: the `name=` of a named type, or one made up for an anonymous one.
    pub(super) name: String,
}

#[derive(Default)]
pub(super) struct Schemas<'a> {
    pub(super) namespace: Option<String>,
    pub(super) complex: Vec<Located<'a>>,
    pub(super) enums: Vec<EnumType>,
    pub(super) text_aliases: BTreeSet<String>,
    /// The built-in type each text alias restricts (`Amount` → `int`).
    pub(super) alias_bases: BTreeMap<String, String>,
    /// The facets of each text alias's restriction.
    pub(super) alias_facets: BTreeMap<String, Vec<Facet>>,
    /// `elementFormDefault` of the first schema with a target namespace.
    pub(super) qualified: Option<bool>,
    pub(super) wrappers: Vec<Wrapper>,
    /// Wrapper elements typed by a named complexType (`<element name="addCard" type="tns:addCard"/>`,
    /// as JAXB publishes them): (file, element, type), resolved once every type is known.
    pub(super) typed_wrappers: Vec<(&'a str, String, String)>,
    /// Names given to anonymous complexTypes of fields, by the element that holds them.
    pub(super) anonymous: Vec<(&'a Element, String)>,
}

impl Schemas<'_> {
    pub(super) fn anonymous_name(&self, holder: &Element) -> Option<&str> {
        self.anonymous
            .iter()
            .find(|(e, _)| std::ptr::eq(*e, holder))
            .map(|(_, n)| n.as_str())
    }
}

pub(super) fn read_schema<'a>(
    file: &'a str,
    schema: &'a Element,
    trees: &'a HashMap<&'a str, Element>,
    visited: &mut BTreeSet<String>,
    out: &mut Schemas<'a>,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    if let Some(ns) = schema.attr("targetNamespace") {
        if out.namespace.is_none() {
            out.namespace = Some(ns.to_string());
        }
        if out.qualified.is_none() {
            out.qualified = Some(schema.attr("elementFormDefault") == Some("qualified"));
        }
    }
    for child in &schema.children {
        if child.namespace.as_deref() != Some(XSD) {
            continue;
        }
        match child.name.as_str() {
            "import" | "include" => {
                let Some(location) = child.attr("schemaLocation") else {
                    continue; // a namespace import with no location: nothing to read
                };
                if !visited.insert(location.to_string()) {
                    continue;
                }
                let (name, tree) = local_file(location)
                    .iter()
                    .find_map(|candidate| trees.get_key_value(candidate.as_str()))
                    .ok_or_else(|| {
                        Error::new(
                            file,
                            &child.name,
                            format!(
                                "schemaLocation \"{location}\" is not among the files (looked for {})",
                                local_file(location).join(" or ")
                            ),
                        )
                    })?;
                if !tree.is(XSD, "schema") {
                    return Err(Error::new(
                        name,
                        &tree.name,
                        "an imported file's root is not xs:schema",
                    ));
                }
                read_schema(name, tree, trees, visited, out, warnings)?;
            }
            "simpleType" => {
                let Some(name) = child.attr("name") else {
                    continue;
                };
                let values = enum_values(child);
                if values.is_empty() {
                    out.text_aliases.insert(name.to_string());
                    let restriction = child.child(XSD, "restriction");
                    if let Some(base) = restriction.and_then(|r| r.attr("base")) {
                        out.alias_bases
                            .insert(name.to_string(), local_name(base).to_string());
                    }
                    out.alias_facets
                        .insert(name.to_string(), facets_of(restriction));
                } else {
                    out.enums.push(EnumType {
                        name: name.to_string(),
                        documentation: child.documentation(),
                        values,
                    });
                }
            }
            "complexType" => {
                if child.attr("name").is_none() {
                    warnings.push(Warning::new(
                        file,
                        "complexType",
                        "a top-level complexType has no name; skipped",
                    ));
                    continue;
                }
                out.complex.push(Located {
                    file,
                    element: child,
                    name: child.attr("name").unwrap_or_default().to_string(),
                });
            }
            "element" => read_wrapper(file, child, out, warnings)?,
            "annotation" => {}
            other => warnings.push(Warning::new(
                file,
                other,
                "unsupported top-level schema construct; skipped",
            )),
        }
    }
    Ok(())
}

fn enum_values(simple_type: &Element) -> Vec<EnumValue> {
    simple_type
        .child(XSD, "restriction")
        .map(|r| {
            r.children_named(XSD, "enumeration")
                .map(|e| EnumValue {
                    value: e.attr("value").unwrap_or_default().to_string(),
                    documentation: e.documentation(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn read_wrapper<'a>(
    file: &'a str,
    element: &Element,
    out: &mut Schemas<'a>,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let name = element.attr("name").unwrap_or_default();
    if let Some(ty) = element.attr("type") {
        out.typed_wrappers
            .push((file, name.to_string(), element.resolve_qname(ty).1));
        return Ok(());
    }
    let sequence = element
        .child(XSD, "complexType")
        .and_then(|t| t.child(XSD, "sequence").or_else(|| t.child(XSD, "all")));
    let Some(sequence) = sequence else {
        warnings.push(Warning::new(
            file,
            name,
            "top-level element is not a document/literal wrapper (an anonymous complexType with a sequence); skipped",
        ));
        return Ok(());
    };
    let children: Vec<&Element> = sequence.children_named(XSD, "element").collect();
    match children.as_slice() {
        [only] => {
            let child = only
                .attr("name")
                .ok_or_else(|| Error::new(file, name, "the wrapped element has no name"))?;
            let ty = only.attr("type").ok_or_else(|| {
                Error::new(file, child, "the wrapped element has no type= attribute")
            })?;
            out.wrappers.push(Wrapper {
                element: name.to_string(),
                child: child.to_string(),
                child_type: only.resolve_qname(ty).1,
            });
        }
        _ => warnings.push(Warning::new(
            file,
            name,
            "wrapper element does not hold exactly one child element; skipped",
        )),
    }
    Ok(())
}

/// `xs:int` → `int`.
pub(super) fn local_name(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

/// The local files an import's `schemaLocation` may stand for: the name itself, or, for an
/// absolute URL as CXF publishes (`https://host/services/v2/wallet?xsd=wallet.xsd`), the name after
/// its last `/` or `=`, with `.xsd` added when it has none.
fn local_file(location: &str) -> Vec<String> {
    let mut candidates = vec![location.to_string()];
    if location.contains("://") || location.contains('?') {
        let last = location.rsplit(['/', '=']).next().unwrap_or(location);
        candidates.push(last.to_string());
        if !last.ends_with(".xsd") {
            candidates.push(format!("{last}.xsd"));
        }
    }
    candidates
}

/// The facets of a `restriction` element (enumerations aside), sorted by name.
pub(super) fn facets_of(restriction: Option<&Element>) -> Vec<Facet> {
    const FACETS: [&str; 11] = [
        "length",
        "minLength",
        "maxLength",
        "pattern",
        "totalDigits",
        "fractionDigits",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "whiteSpace",
    ];
    let mut facets: Vec<Facet> = restriction
        .map(|r| {
            r.children
                .iter()
                .filter(|c| c.namespace.as_deref() == Some(XSD))
                .filter(|c| FACETS.contains(&c.name.as_str()))
                .map(|c| Facet {
                    name: c.name.clone(),
                    value: c.attr("value").unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    facets.sort();
    facets
}
