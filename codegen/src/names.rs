//! Rust names must not collide: two schema names that become one Rust name (`maskedPan` and
//! `masked_pan`), or a name the generated code already uses, are refused here with a message
//! naming the WSDL element, never left to rustc inside the generated file. (Enum values are
//! renamed instead, predictably: `a-b` and `a_b` become `AB` and `AB2`.)

use std::collections::HashMap;

use proc_macro2::{Ident, Span};

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

/// `HMAC-SHA-256` → `HmacSha256`, `00` → `Code00`, `1EUROCOM` → `V1eurocom`, `` → `Empty`.
pub fn variant_name(value: &str) -> String {
    if value.is_empty() {
        return "Empty".into();
    }
    if value.chars().all(|c| c.is_ascii_digit()) {
        return format!("Code{value}");
    }
    let camel = upper_camel(value);
    match camel.chars().next() {
        // `Self` names the enum itself: no variant may take it.
        _ if camel == "Self" => "SelfValue".into(),
        Some(c) if c.is_ascii_alphabetic() => camel,
        _ => format!("V{camel}"),
    }
}

/// Splits on anything not alphanumeric, and on lower→upper case changes; capitalises each word.
pub fn upper_camel(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    out
}

/// `merchantWalletId` → `merchant_wallet_id`.
pub fn snake_case(name: &str) -> String {
    let out = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if out.is_empty() || is_keyword(&out) || out.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        format!("{out}_")
    } else {
        out
    }
}

fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous = None;
            continue;
        }
        if let Some(p) = previous {
            if p.is_ascii_lowercase() && c.is_ascii_uppercase() && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
        previous = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

/// Type names the generated code uses unqualified; a schema type with one of them gets a suffix.
const PRELUDE_NAMES: &[&str] = &[
    "Option", "Some", "None", "String", "Vec", "Result", "Ok", "Err", "Into", "From", "Default",
    "Self",
];

pub fn type_ident(name: &str) -> Ident {
    let camel = upper_camel(name);
    let camel = if !camel
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
    {
        format!("T{camel}")
    } else if PRELUDE_NAMES.contains(&camel.as_str()) {
        format!("{camel}Type")
    } else {
        camel
    };
    Ident::new(&camel, Span::call_site())
}

pub(crate) fn field_ident(name: &str) -> Ident {
    Ident::new(&snake_case(name), Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(upper_camel("HMAC-SHA-256"), "HmacSha256");
        assert_eq!(upper_camel("signOff"), "SignOff");
        assert_eq!(upper_camel("TOKEN_PAN"), "TokenPan");
        assert_eq!(variant_name("00"), "Code00");
        assert_eq!(variant_name("1EUROCOM"), "V1eurocom");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("self"), "SelfValue");
        assert_eq!(snake_case("merchantWalletId"), "merchant_wallet_id");
        assert_eq!(snake_case("type"), "type_");
        assert_eq!(
            snake_case("walletPaymentMeanDataList"),
            "wallet_payment_mean_data_list"
        );
        assert_eq!(type_ident("Self").to_string(), "SelfType");
    }
}
