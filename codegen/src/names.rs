//! Rust names must not collide: two schema names that become one Rust name (`maskedPan` and
//! `masked_pan`), or a name the generated code already uses, are refused here with a message
//! naming the WSDL element, never left to rustc inside the generated file. (Enum values are
//! renamed instead, predictably: `a-b` and `a_b` become `AB` and `AB2`.)

use std::collections::HashMap;

use crate::emit::{snake_case, type_ident};
use crate::model::Contract;
use crate::Error;

/// Methods the client type has by hand (`crate::client::WalletClient`): no operation may take one.
const CLIENT_METHODS: &[&str] = &[
    "builder",
    "call",
    "prepare",
    "with_options",
    "wallet_endpoint",
];

/// Checks every scope of generated names: module-level types, each type's fields, the wrapper
/// elements, the operations' marker types and client methods.
pub(crate) fn check(contract: &Contract, file: &str) -> Result<(), Error> {
    unique(
        file,
        "types",
        contract
            .types
            .iter()
            .map(|t| (t.name.as_str(), type_ident(&t.name).to_string()))
            .chain(
                contract
                    .enums
                    .iter()
                    .map(|e| (e.name.as_str(), type_ident(&e.name).to_string())),
            ),
    )?;
    for t in &contract.types {
        let reserved = std::iter::once(("(unknown fields)", "unknown_fields".to_string()));
        let fields = t
            .fields
            .iter()
            .map(|f| (f.name.as_str(), snake_case(&f.name)));
        unique(
            file,
            &format!("fields of {}", t.name),
            reserved.chain(fields),
        )?;
    }
    unique(
        file,
        "wrapper elements",
        contract
            .wrappers
            .iter()
            .map(|w| (w.element.as_str(), type_ident(&w.element).to_string())),
    )?;
    unique(
        file,
        "operations",
        contract
            .operations
            .iter()
            .map(|o| (o.name.as_str(), type_ident(&o.name).to_string())),
    )?;
    let reserved = CLIENT_METHODS
        .iter()
        .map(|m| ("(a method of the client)", m.to_string()));
    let methods = contract
        .operations
        .iter()
        .map(|o| (o.name.as_str(), snake_case(&o.name)));
    unique(file, "client methods", reserved.chain(methods))
}

/// The first two schema names of `scope` that become one Rust name.
fn unique<'a>(
    file: &str,
    scope: &str,
    names: impl Iterator<Item = (&'a str, String)>,
) -> Result<(), Error> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (schema_name, rust_name) in names {
        if let Some(first) = seen.insert(rust_name.clone(), schema_name) {
            return Err(Error::new(
                file,
                schema_name,
                format!("`{schema_name}` and `{first}` ({scope}) both become `{rust_name}` in Rust: rename one in the WSDL"),
            ));
        }
    }
    Ok(())
}
