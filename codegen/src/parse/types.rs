//! The third stage: each complex type's fields, through `xs:extension` to its bases, each field's
//! type resolved among the schemas' names.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{parse_since, ComplexType, Facet, Field, FieldType, Occurs};
use crate::xml::{Element, XSD};
use crate::{Error, Warning};

use super::schemas::{facets_of, local_name, Located, Schemas};

/// Names of the types the schemas define, to resolve a field's `type=`.
pub(super) struct Known {
    text_aliases: BTreeSet<String>,
    alias_bases: BTreeMap<String, String>,
    alias_facets: BTreeMap<String, Vec<Facet>>,
    enums: BTreeSet<String>,
    complex: BTreeSet<String>,
}

impl Known {
    pub(super) fn new(schemas: &Schemas<'_>) -> Self {
        Known {
            text_aliases: schemas.text_aliases.clone(),
            alias_bases: schemas.alias_bases.clone(),
            alias_facets: schemas.alias_facets.clone(),
            enums: schemas.enums.iter().map(|e| e.name.clone()).collect(),
            complex: schemas.complex.iter().map(|c| c.name.clone()).collect(),
        }
    }
}

pub(super) fn read_complex_type(
    located: &Located<'_>,
    schemas: &Schemas<'_>,
    known: &Known,
    warnings: &mut Vec<Warning>,
) -> Result<ComplexType, Error> {
    let element = located.element;
    let name = located.name.clone();
    let mut fields = Vec::new();
    collect_fields(
        located,
        schemas,
        known,
        warnings,
        &mut fields,
        &mut vec![name.clone()],
    )?;
    Ok(ComplexType {
        documentation: element.documentation(),
        is_abstract: element.attr("abstract") == Some("true"),
        name,
        fields,
    })
}

fn collect_fields(
    located: &Located<'_>,
    schemas: &Schemas<'_>,
    known: &Known,
    warnings: &mut Vec<Warning>,
    fields: &mut Vec<Field>,
    chain: &mut Vec<String>,
) -> Result<(), Error> {
    let (file, element) = (located.file, located.element);
    let type_name = located.name.as_str();
    let mut content = element;
    if let Some(complex_content) = element.child(XSD, "complexContent") {
        let Some(extension) = complex_content.child(XSD, "extension") else {
            warnings.push(Warning::new(file, type_name, "complexContent without extension (restriction) is not supported; no fields generated"));
            return Ok(());
        };
        let base = extension
            .attr("base")
            .map(|b| extension.resolve_qname(b).1)
            .ok_or_else(|| Error::new(file, type_name, "xs:extension has no base="))?;
        if chain.len() > crate::limits::MAX_EXTENSION_DEPTH {
            return Err(Error::new(
                file,
                type_name,
                format!(
                    "more than {} levels of xs:extension above {}",
                    crate::limits::MAX_EXTENSION_DEPTH,
                    chain[0]
                ),
            ));
        }
        if chain.contains(&base) {
            return Err(Error::new(
                file,
                type_name,
                format!("circular extension through {base}"),
            ));
        }
        let base_located = schemas
            .complex
            .iter()
            .find(|c| c.name == base)
            .ok_or_else(|| {
                Error::new(
                    file,
                    type_name,
                    format!("extension base {base} is not a known complexType"),
                )
            })?;
        chain.push(base);
        collect_fields(base_located, schemas, known, warnings, fields, chain)?;
        content = extension;
    }
    if element.child(XSD, "simpleContent").is_some() {
        warnings.push(Warning::new(
            file,
            type_name,
            "simpleContent is not supported; no fields generated",
        ));
    }
    for child in &content.children {
        if child.namespace.as_deref() != Some(XSD) {
            continue;
        }
        match child.name.as_str() {
            "sequence" | "all" => read_particles(
                file, type_name, child, schemas, known, warnings, fields, false,
            )?,
            "choice" => {
                warnings.push(Warning::new(
                    file,
                    type_name,
                    "xs:choice is generated as optional fields; the exclusivity is not checked",
                ));
                read_particles(
                    file, type_name, child, schemas, known, warnings, fields, true,
                )?;
            }
            "attribute" | "attributeGroup" | "anyAttribute" => warnings.push(Warning::new(
                file,
                &format!("{type_name}/@{}", child.attr("name").unwrap_or("?")),
                "attributes are not supported; skipped",
            )),
            "annotation" | "complexContent" | "simpleContent" => {}
            other => warnings.push(Warning::new(
                file,
                &format!("{type_name}/{other}"),
                "unsupported construct; skipped",
            )),
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn read_particles(
    file: &str,
    type_name: &str,
    group: &Element,
    schemas: &Schemas<'_>,
    known: &Known,
    warnings: &mut Vec<Warning>,
    fields: &mut Vec<Field>,
    force_optional: bool,
) -> Result<(), Error> {
    for particle in &group.children {
        if particle.namespace.as_deref() != Some(XSD) || particle.name == "annotation" {
            continue;
        }
        if particle.name != "element" {
            warnings.push(Warning::new(
                file,
                &format!("{type_name}/{}", particle.name),
                "only xs:element particles are supported; skipped",
            ));
            continue;
        }
        let Some(name) = particle.attr("name") else {
            warnings.push(Warning::new(
                file,
                &format!("{type_name}/element"),
                "element ref= is not supported; skipped",
            ));
            continue;
        };
        let path = format!("{type_name}/{name}");
        let mut builtin = None;
        let mut facets = Vec::new();
        let ty = match particle.attr("type") {
            Some(qname) => {
                let (namespace, local) = particle.resolve_qname(qname);
                if namespace.as_deref() == Some(XSD) {
                    builtin = Some(local);
                    FieldType::Text
                } else if known.text_aliases.contains(&local) {
                    builtin = known.alias_bases.get(&local).cloned();
                    facets = known.alias_facets.get(&local).cloned().unwrap_or_default();
                    FieldType::Text
                } else if known.enums.contains(&local) {
                    FieldType::Enum(local)
                } else if known.complex.contains(&local) {
                    FieldType::Complex(local)
                } else {
                    return Err(Error::new(
                        file,
                        &path,
                        format!("type {qname} is not defined in the bundled schemas"),
                    ));
                }
            }
            None if particle.child(XSD, "simpleType").is_some() => {
                let restriction = particle
                    .child(XSD, "simpleType")
                    .and_then(|t| t.child(XSD, "restriction"));
                builtin = restriction
                    .and_then(|r| r.attr("base"))
                    .map(|base| local_name(base).to_string());
                facets = facets_of(restriction);
                warnings.push(Warning::new(
                    file,
                    &path,
                    "anonymous simpleType is generated as text; its facets are not checked",
                ));
                FieldType::Text
            }
            None if particle.child(XSD, "complexType").is_some() => {
                match schemas.anonymous_name(particle) {
                    Some(named) => FieldType::Complex(named.to_string()),
                    None => {
                        warnings.push(Warning::new(
                            file,
                            &path,
                            "anonymous complexType could not be named; field skipped",
                        ));
                        continue;
                    }
                }
            }
            None => FieldType::Text,
        };
        let max = particle.attr("maxOccurs").unwrap_or("1");
        let occurs = if max == "unbounded" || max.parse::<u32>().map(|m| m > 1).unwrap_or(false) {
            Occurs::Repeated
        } else if force_optional
            || particle.attr("minOccurs") == Some("0")
            || particle.attr("nillable") == Some("true")
        {
            Occurs::Optional
        } else {
            Occurs::Required
        };
        let documentation = particle.documentation();
        if let Some(existing) = fields.iter().position(|f| f.name == name) {
            warnings.push(Warning::new(
                file,
                &path,
                "field defined twice (base and extension); the extension's definition wins",
            ));
            fields.remove(existing);
        }
        fields.push(Field {
            name: name.to_string(),
            since: parse_since(&documentation),
            ty,
            occurs,
            documentation,
            builtin,
            facets,
        });
    }
    Ok(())
}
