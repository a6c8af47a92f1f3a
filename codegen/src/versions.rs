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
//!
//! [values.walletResponseCode]        # a field's values and their meanings
//! "00" = "Successful operation."
//!
//! [effects]                          # what each operation does to the wallets
//! addCard = "adds-mean"              # (reads-wallet, reads, adds-mean, updates-mean,
//! getWalletData = "reads-wallet"     #  removes-mean, removes-wallet, other)
//!
//! [shown-as]                         # how a wallet reading shows a change's request field:
//! paymentMeanAlias = "paymentMeanAlias"                   # the entry's field, as sent…
//! cardNumber = { field = "maskedPan", as = "masked-pan" } # …or shown another way
//! ```
//!
//! A field with `values` becomes an open enum of them even where the WSDL declares it as plain
//! text (the vendor's does), so a response code keeps its meaning (`00 Successful operation.`)
//! and the generated type is the same as with the bundled contract.

use std::collections::BTreeMap;

use serde::Deserialize;

use sips_wallet_runtime::effect::{Effect, Shown};

use crate::model::{Contract, EnumType, EnumValue, FieldType, ShownAs};
use crate::{Error, Warning};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sidecar {
    #[serde(default)]
    operations: BTreeMap<String, String>,
    #[serde(default)]
    fields: BTreeMap<String, Entry>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    effects: BTreeMap<String, String>,
    #[serde(default, rename = "shown-as")]
    shown_as: BTreeMap<String, ShownEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ShownEntry {
    /// The entry's field shows the value as sent.
    Same(String),
    /// The entry's field shows it another way.
    Other {
        field: String,
        #[serde(rename = "as")]
        shown: String,
    },
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
    for (field_name, meanings) in &sidecar.values {
        merge_values(contract, file, field_name, meanings, &mut warnings);
    }
    merge_effects(contract, file, &sidecar, &mut warnings)?;
    Ok(warnings)
}

/// `[effects]` onto the operations, `[shown-as]` onto the contract. An unknown effect or way of
/// showing is an error (a typo would silently turn settling off); a name the contract lacks is a
/// warning, as elsewhere in the sidecar.
fn merge_effects(
    contract: &mut Contract,
    file: &str,
    sidecar: &Sidecar,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    for (operation, name) in &sidecar.effects {
        let key = format!("effects.{operation}");
        let effect = Effect::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Effect::ALL.iter().map(|e| e.name()).collect();
            Error::new(
                file,
                &key,
                format!("`{name}` is not an effect ({})", known.join(", ")),
            )
        })?;
        match contract
            .operations
            .iter_mut()
            .find(|o| &o.name == operation)
        {
            Some(o) => o.effect = effect,
            None => warnings.push(Warning::new(
                file,
                &key,
                "no operation of that name in the contract",
            )),
        }
    }
    let has_field = |name: &str| {
        contract
            .types
            .iter()
            .any(|t| t.fields.iter().any(|f| f.name == name))
    };
    let mut shown_as = Vec::new();
    for (request_field, entry) in &sidecar.shown_as {
        let key = format!("shown-as.{request_field}");
        let (reading_field, shown) = match entry {
            ShownEntry::Same(field) => (field.clone(), Shown::Same),
            ShownEntry::Other { field, shown } => {
                let way = Shown::from_name(shown).ok_or_else(|| {
                    Error::new(
                        file,
                        &key,
                        format!(
                            "`{shown}` is not a way of showing (same, masked-pan, masked-iban, year-month)"
                        ),
                    )
                })?;
                (field.clone(), way)
            }
        };
        let missing = [request_field.as_str(), reading_field.as_str()]
            .into_iter()
            .find(|name| !has_field(name));
        match missing {
            Some(name) => warnings.push(Warning::new(
                file,
                &key,
                format!("no field `{name}` in the contract"),
            )),
            None => shown_as.push(ShownAs {
                request_field: request_field.clone(),
                reading_field,
                shown,
            }),
        }
    }
    contract.shown_as = shown_as;
    Ok(())
}

/// The fields named `field_name` take `meanings` as their list of values: an enum the WSDL
/// declared has its values documented, a plain text field becomes an open enum of them.
fn merge_values(
    contract: &mut Contract,
    file: &str,
    field_name: &str,
    meanings: &BTreeMap<String, String>,
    warnings: &mut Vec<Warning>,
) {
    let enum_names: Vec<String> = contract
        .types
        .iter()
        .flat_map(|t| &t.fields)
        .filter(|f| f.name == field_name)
        .filter_map(|f| match &f.ty {
            FieldType::Enum(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let texts = contract
        .types
        .iter()
        .flat_map(|t| &t.fields)
        .any(|f| f.name == field_name && f.ty == FieldType::Text);
    if enum_names.is_empty() && !texts {
        warnings.push(Warning::new(
            file,
            &format!("values.{field_name}"),
            "no text or enumerated field of that name in the contract",
        ));
        return;
    }
    let values = || {
        meanings
            .iter()
            .map(|(value, meaning)| EnumValue {
                value: value.clone(),
                documentation: meaning.clone(),
            })
            .collect::<Vec<_>>()
    };
    for e in contract
        .enums
        .iter_mut()
        .filter(|e| enum_names.contains(&e.name))
    {
        for value in values() {
            match e.values.iter_mut().find(|v| v.value == value.value) {
                Some(listed) => listed.documentation = value.documentation,
                None => e.values.push(value),
            }
        }
    }
    if texts {
        let name = crate::names::upper_camel(field_name);
        if contract.complex_type(&name).is_some() || contract.enums.iter().any(|e| e.name == name) {
            warnings.push(Warning::new(
                file,
                &format!("values.{field_name}"),
                format!("a type named {name} exists already: the field stays text"),
            ));
            return;
        }
        contract.enums.push(EnumType {
            name: name.clone(),
            documentation: format!("The values of `{field_name}` (from the sidecar)."),
            values: values(),
        });
        for field in contract
            .types
            .iter_mut()
            .flat_map(|t| t.fields.iter_mut())
            .filter(|f| f.name == field_name && f.ty == FieldType::Text)
        {
            field.ty = FieldType::Enum(name.clone());
        }
    }
}
