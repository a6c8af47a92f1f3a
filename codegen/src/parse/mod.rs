//! WSDL 1.1 + XML Schema text → [`Contract`].
//!
//! Supported: named simple types (enumerations become enums, other restrictions plain text),
//! named complex types with `sequence`/`all` and `complexContent/extension`, wrapper elements with
//! an anonymous type of one child, SOAP 1.1 document/literal bindings. Anything else is reported as a
//! [`Warning`] naming the file and element, never dropped silently.
//!
//! One stage per file, in the order they run: `schemas` gathers the schemas' named types and
//! wrapper elements, `anonymous` turns typed wrappers into wrappers and names anonymous types,
//! `types` reads each complex type's fields, `wsdl` reads the operations and the address.

mod anonymous;
mod schemas;
mod types;
mod wsdl;

use std::collections::{BTreeSet, HashMap};

use crate::model::Contract;
use crate::xml::{self, Element, WSDL, XSD};
use crate::{Error, Sources, Warning};

use schemas::Schemas;

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
            schemas::read_schema(
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
    anonymous::resolve_typed_wrappers(&mut schemas, &mut warnings)?;
    anonymous::name_anonymous_types(&mut schemas);

    let mut contract = Contract {
        namespace: schemas.namespace.clone().unwrap_or_default(),
        enums: schemas.enums.clone(),
        wrappers: schemas.wrappers.clone(),
        qualified: schemas.qualified.unwrap_or(true),
        ..Contract::default()
    };
    let known = types::Known::new(&schemas);
    for located in &schemas.complex {
        contract.types.push(types::read_complex_type(
            located,
            &schemas,
            &known,
            &mut warnings,
        )?);
    }
    wsdl::read_wsdl(wsdl_file, root, &mut contract, &mut warnings)?;
    Ok((contract, warnings))
}
