//! WSDL 1.1 + XML Schema text → [`Contract`].
//!
//! Supported: named simple types (enumerations become enums, other restrictions plain text),
//! named complex types with `sequence`/`all` and `complexContent/extension`, wrapper elements with
//! an anonymous type of one child, SOAP 1.1 document/literal bindings. Anything else is reported as a
//! [`Warning`] naming the file and element, never dropped silently.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::*;
use crate::xml::{self, Element, WSDL, WSDL_HTTP, WSDL_SOAP11, XSD};
use crate::{Error, Sources, Warning};

struct Located<'a> {
    file: &'a str,
    element: &'a Element,
    /// Its name: the `name=` of a named type, or one made up for an anonymous one.
    name: String,
}

#[derive(Default)]
struct Schemas<'a> {
    namespace: Option<String>,
    complex: Vec<Located<'a>>,
    enums: Vec<EnumType>,
    text_aliases: BTreeSet<String>,
    /// The built-in type each text alias restricts (`Amount` → `int`).
    alias_bases: BTreeMap<String, String>,
    /// `elementFormDefault` of the first schema with a target namespace.
    qualified: Option<bool>,
    wrappers: Vec<Wrapper>,
    /// Wrapper elements typed by a named complexType (`<element name="addCard" type="tns:addCard"/>`,
    /// as JAXB publishes them): (file, element, type), resolved once every type is known.
    typed_wrappers: Vec<(&'a str, String, String)>,
    /// Names given to anonymous complexTypes of fields, by the element that holds them.
    anonymous: Vec<(&'a Element, String)>,
}

impl Schemas<'_> {
    fn anonymous_name(&self, holder: &Element) -> Option<&str> {
        self.anonymous
            .iter()
            .find(|(e, _)| std::ptr::eq(*e, holder))
            .map(|(_, n)| n.as_str())
    }
}

pub fn parse_contract(sources: &Sources) -> Result<(Contract, Vec<Warning>), Error> {
    let (wsdl_file, wsdl_text) = sources.entry()?;
    // Every document is parsed once up front so the tree outlives the references into it.
    let mut trees: HashMap<&str, Element> = HashMap::new();
    trees.insert(wsdl_file, xml::parse(wsdl_file, wsdl_text)?);
    for (name, text) in sources.files() {
        if name != wsdl_file && (name.ends_with(".xsd") || name.ends_with(".wsdl")) {
            trees.insert(name, xml::parse(name, text)?);
        }
    }
    let root = &trees[wsdl_file];
    if !root.is(WSDL, "definitions") {
        return Err(Error::new(
            wsdl_file,
            &root.name,
            "the root element is not wsdl:definitions (WSDL 1.1)",
        ));
    }

    let mut warnings = Vec::new();
    let mut schemas = Schemas::default();
    let mut visited = BTreeSet::new();
    for types in root.children_named(WSDL, "types") {
        for schema in types.children_named(XSD, "schema") {
            read_schema(
                wsdl_file,
                schema,
                &trees,
                &mut visited,
                &mut schemas,
                &mut warnings,
            )?;
        }
    }

    // Counted before any type is read, so a huge contract costs one pass.
    let types = schemas.complex.len() + schemas.enums.len();
    if types > crate::limits::MAX_TYPES {
        return Err(Error::new(
            wsdl_file,
            "types",
            format!(
                "{types} types, more than the {} the generator takes",
                crate::limits::MAX_TYPES
            ),
        ));
    }
    resolve_typed_wrappers(&mut schemas, &mut warnings)?;
    name_anonymous_types(&mut schemas);

    let mut contract = Contract {
        namespace: schemas.namespace.clone().unwrap_or_default(),
        enums: schemas.enums.clone(),
        wrappers: schemas.wrappers.clone(),
        qualified: schemas.qualified.unwrap_or(true),
        ..Contract::default()
    };
    let known = Known::new(&schemas);
    for located in &schemas.complex {
        contract
            .types
            .push(read_complex_type(located, &schemas, &known, &mut warnings)?);
    }
    read_wsdl(wsdl_file, root, &mut contract, &mut warnings)?;
    Ok((contract, warnings))
}

fn read_schema<'a>(
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
                    if let Some(base) = child.child(XSD, "restriction").and_then(|r| r.attr("base"))
                    {
                        out.alias_bases
                            .insert(name.to_string(), local_name(base).to_string());
                    }
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

/// Names of the types the schemas define, to resolve a field's `type=`.
struct Known {
    text_aliases: BTreeSet<String>,
    alias_bases: BTreeMap<String, String>,
    enums: BTreeSet<String>,
    complex: BTreeSet<String>,
}

impl Known {
    fn new(schemas: &Schemas<'_>) -> Self {
        Known {
            text_aliases: schemas.text_aliases.clone(),
            alias_bases: schemas.alias_bases.clone(),
            enums: schemas.enums.iter().map(|e| e.name.clone()).collect(),
            complex: schemas.complex.iter().map(|c| c.name.clone()).collect(),
        }
    }
}

fn read_complex_type(
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
        let ty = match particle.attr("type") {
            Some(qname) => {
                let (namespace, local) = particle.resolve_qname(qname);
                if namespace.as_deref() == Some(XSD) {
                    builtin = Some(local);
                    FieldType::Text
                } else if known.text_aliases.contains(&local) {
                    builtin = known.alias_bases.get(&local).cloned();
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
                builtin = particle
                    .child(XSD, "simpleType")
                    .and_then(|t| t.child(XSD, "restriction"))
                    .and_then(|r| r.attr("base"))
                    .map(|base| local_name(base).to_string());
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
        });
    }
    Ok(())
}

/// `xs:int` → `int`.
fn local_name(qname: &str) -> &str {
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

/// Turns wrapper elements typed by a named complexType into wrappers; the types only used as such
/// are not generated as messages of their own.
fn resolve_typed_wrappers(
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
fn name_anonymous_types<'a>(schemas: &mut Schemas<'a>) {
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

fn read_wsdl(
    file: &str,
    root: &Element,
    contract: &mut Contract,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let messages: HashMap<&str, String> = root
        .children_named(WSDL, "message")
        .filter_map(|m| {
            let part = m.child(WSDL, "part")?;
            let element = part.attr("element")?;
            Some((m.attr("name")?, m.resolve_qname(element).1))
        })
        .collect();

    // A SOAP 1.1 binding, or an HTTP binding for a JSON-only service.
    let binding = root.children_named(WSDL, "binding").find(|b| {
        b.child(WSDL_SOAP11, "binding").is_some() || b.child(WSDL_HTTP, "binding").is_some()
    });
    let Some(binding) = binding else {
        return Err(Error::new(
            file,
            "binding",
            "no SOAP 1.1 (soap:binding) or HTTP (http:binding) binding in the WSDL",
        ));
    };
    let is_http = binding.child(WSDL_HTTP, "binding").is_some();
    if binding
        .child(WSDL_SOAP11, "binding")
        .and_then(|b| b.attr("style"))
        == Some("rpc")
    {
        return Err(Error::new(
            file,
            "binding",
            "rpc style is not supported; only document/literal",
        ));
    }
    let port_type_name = binding
        .attr("type")
        .map(|t| binding.resolve_qname(t).1)
        .unwrap_or_default();
    let port_type = root
        .children_named(WSDL, "portType")
        .find(|p| p.attr("name") == Some(port_type_name.as_str()))
        .ok_or_else(|| {
            Error::new(
                file,
                "binding",
                format!("portType {port_type_name} not found"),
            )
        })?;

    for operation in port_type.children_named(WSDL, "operation") {
        let name = operation.attr("name").unwrap_or_default();
        let message_of = |direction: &str| -> Result<String, Error> {
            let message = operation
                .child(WSDL, direction)
                .and_then(|i| i.attr("message"))
                .map(|m| operation.resolve_qname(m).1)
                .ok_or_else(|| {
                    Error::new(
                        file,
                        name,
                        format!("operation has no wsdl:{direction} message"),
                    )
                })?;
            messages.get(message.as_str()).cloned().ok_or_else(|| {
                Error::new(
                    file,
                    name,
                    format!("message {message} has no part with element="),
                )
            })
        };
        let input_element = message_of("input")?;
        let output_element = message_of("output")?;
        let missing = [&input_element, &output_element]
            .into_iter()
            .find(|e| contract.wrapper(e).is_none());
        if let Some(missing) = missing {
            warnings.push(Warning::new(
                file,
                name,
                format!("element {missing} is not a wrapper element; operation skipped"),
            ));
            continue;
        }
        let bound = binding
            .children_named(WSDL, "operation")
            .find(|o| o.attr("name") == Some(name));
        let soap_action = bound
            .and_then(|o| o.child(WSDL_SOAP11, "operation"))
            .and_then(|o| o.attr("soapAction"))
            .unwrap_or_default()
            .to_string();
        let http_location = if is_http {
            let location = bound
                .and_then(|o| o.child(WSDL_HTTP, "operation"))
                .and_then(|o| o.attr("location"))
                .ok_or_else(|| {
                    Error::new(
                        file,
                        name,
                        "an HTTP binding operation needs http:operation location=",
                    )
                })?;
            Some(location.to_string())
        } else {
            None
        };
        let documentation = operation.documentation();
        contract.operations.push(Operation {
            name: name.to_string(),
            recommended_interface_version: parse_recommended_version(&documentation),
            documentation,
            soap_action,
            http_location,
            input_element,
            output_element,
            effect: sips_wallet_runtime::effect::Effect::Other,
        });
    }

    contract.service_address = root
        .children_named(WSDL, "service")
        .flat_map(|s| s.children_named(WSDL, "port"))
        .find_map(|p| {
            p.child(WSDL_SOAP11, "address")?
                .attr("location")
                .map(str::to_string)
        });
    Ok(())
}
