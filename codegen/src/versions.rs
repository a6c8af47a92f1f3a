//! The sidecar of a contract: what a bare WSDL does not say, in a small TOML file beside it
//! (`wallet.versions.toml` for `wallet.wsdl`). The vendor's WSDL (Apache CXF) carries no
//! documentation, so the interface version that introduced each field and the interfaceVersion
//! to send by default for each operation live here; the generator merges them into the model, over
//! anything read from documentation.
//!
//! ```toml
//! [operations]                       # the interfaceVersion sent unless the request sets one
//! addCard = "WR_WS_2.55"
//!
//! [fields]                           # a field's version wherever it appears…
//! paymentMeanBrand = "2.20"
//!
//! [fields.PaymentTokenInitializeResponse]
//! seal = "1.0"                       # …or in one type only (wins over the line above)
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::Contract;
use crate::{Error, Warning};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sidecar {
    #[serde(default)]
    operations: BTreeMap<String, String>,
    #[serde(default)]
    fields: BTreeMap<String, Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Entry {
    Everywhere(String),
    InType(BTreeMap<String, String>),
}

fn version(file: &str, key: &str, text: &str) -> Result<(u16, u16), Error> {
    let mut parts = text.splitn(2, '.');
    let number = |p: Option<&str>| p.and_then(|p| p.parse::<u16>().ok());
    match (number(parts.next()), number(parts.next())) {
        (Some(major), Some(minor)) => Ok((major, minor)),
        _ => Err(Error::new(
            file,
            key,
            format!("`{text}` is not a version like 2.31"),
        )),
    }
}

/// Merges the sidecar `text` (named `file`) into `contract`; names what it could not place.
pub fn merge(contract: &mut Contract, file: &str, text: &str) -> Result<Vec<Warning>, Error> {
    let sidecar: Sidecar = toml::from_str(text).map_err(|e| Error::new(file, "", e.to_string()))?;
    let mut warnings = Vec::new();
    for (operation, recommended) in &sidecar.operations {
        match contract
            .operations
            .iter_mut()
            .find(|o| &o.name == operation)
        {
            Some(o) => o.recommended_interface_version = Some(recommended.clone()),
            None => warnings.push(Warning::new(
                file,
                &format!("operations.{operation}"),
                "no operation of that name in the contract",
            )),
        }
    }
    // Everywhere first, so that a type's own line wins.
    let (everywhere, in_type): (Vec<_>, Vec<_>) = sidecar
        .fields
        .iter()
        .partition(|(_, entry)| matches!(entry, Entry::Everywhere(_)));
    for (key, entry) in everywhere.into_iter().chain(in_type) {
        match entry {
            Entry::Everywhere(text) => {
                let since = version(file, key, text)?;
                let mut found = false;
                for field in contract.types.iter_mut().flat_map(|t| t.fields.iter_mut()) {
                    if &field.name == key {
                        field.since = Some(since);
                        found = true;
                    }
                }
                if !found {
                    warnings.push(Warning::new(
                        file,
                        &format!("fields.{key}"),
                        "no field of that name in the contract",
                    ));
                }
            }
            Entry::InType(fields) => {
                let Some(ty) = contract.types.iter_mut().find(|t| &t.name == key) else {
                    warnings.push(Warning::new(
                        file,
                        &format!("fields.{key}"),
                        "no type of that name in the contract",
                    ));
                    continue;
                };
                for (name, text) in fields {
                    let since = version(file, &format!("fields.{key}.{name}"), text)?;
                    match ty.fields.iter_mut().find(|f| &f.name == name) {
                        Some(field) => field.since = Some(since),
                        None => warnings.push(Warning::new(
                            file,
                            &format!("fields.{key}.{name}"),
                            "no field of that name in this type",
                        )),
                    }
                }
            }
        }
    }
    Ok(warnings)
}
