//! [`Contract`] → Rust source.
//!
//! The emitted code leans on the `sips-wallet-runtime` crate (its message traits, codec, seal and
//! masking), named once at the top of the file by the path [`Options::runtime`] gives
//! (`use ::sips_wallet_runtime as runtime;`), so what it writes per type stays short and readable
//! and it compiles wherever that path reaches the runtime.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::*;
use crate::Options;

pub use sips_wallet_runtime::protocol::{SENSITIVE_FIELDS, UNSEALED_FIELDS};

pub fn emit(contract: &Contract, options: &Options) -> String {
    let prefix = options.prefix.as_str();
    let namespace = contract.namespace.as_str();
    let enums = contract.enums.iter().map(emit_enum);
    let types = contract
        .types
        .iter()
        .map(|t| emit_struct(t, contract, prefix, namespace));
    let wrappers = contract
        .wrappers
        .iter()
        .map(|w| emit_wrapper(w, prefix, namespace));
    let operations = contract
        .operations
        .iter()
        .map(|o| emit_operation(o, contract));
    let op_idents: Vec<Ident> = contract
        .operations
        .iter()
        .map(|o| type_ident(&o.name))
        .collect();
    let visit_arms = contract.operations.iter().map(|o| {
        let marker = type_ident(&o.name);
        let element = o.input_element.as_str();
        quote!(#element => Some(visitor.visit::<operations::#marker>()),)
    });
    let visit_response_arms = contract.operations.iter().map(|o| {
        let marker = type_ident(&o.name);
        let element = o.output_element.as_str();
        quote!(#element => Some(visitor.visit::<operations::#marker>()),)
    });
    let sensitive: Vec<&str> = SENSITIVE_FIELDS
        .iter()
        .copied()
        .filter(|s| {
            contract
                .types
                .iter()
                .any(|t| t.fields.iter().any(|f| f.name == *s))
        })
        .collect();
    let address = match &contract.service_address {
        Some(a) => quote!(Some(#a)),
        None => quote!(None),
    };
    let client_methods = options
        .client
        .as_ref()
        .map(|client| emit_client_methods(contract, client));
    let runtime: syn::Path = match syn::parse_str(&options.runtime) {
        Ok(path) => path,
        Err(e) => panic!("Options::runtime is not a Rust path: {e}"),
    };

    let file = quote! {
        use #runtime as runtime;

        /// Target namespace of every element in a message body.
        pub const NAMESPACE: &str = #namespace;

        /// The prefix the contract's namespace is written with.
        pub const PREFIX: &str = #prefix;

        /// The service address the WSDL publishes (`soap:address`).
        pub const SERVICE_ADDRESS: Option<&str> = #address;

        /// Fields that hold card data: masked in `Debug` output and in logged messages.
        pub const SENSITIVE_FIELDS: &[&str] = &[#(#sensitive),*];

        /// Every operation of the service, in WSDL order.
        pub static OPERATIONS: &[&dyn runtime::message::DynOperation] = &[#(&operations::#op_idents),*];

        /// What a required text field decodes to when yaserde reads a message that leaves it out.
        #[cfg(feature = "yaserde")]
        fn empty_text() -> String {
            String::new()
        }

        /// What yaserde, which never reads unknown fields, leaves in `unknown_fields`.
        #[cfg(feature = "yaserde")]
        fn no_unknown_fields() -> runtime::message::UnknownFields {
            runtime::message::UnknownFields::default()
        }

        #(#enums)*
        #(#types)*

        /// The wrapper elements of document/literal wrapped messages (`<signOff><input>…`).
        pub mod elements {
            #[allow(unused_imports)]
            use super::runtime;
            #(#wrappers)*
        }

        /// Calls `visitor` with the operation whose request wrapper element is `element`.
        pub fn with_request_element<V: runtime::message::OperationVisitor>(element: &str, visitor: V) -> Option<V::Output> {
            match element {
                #(#visit_arms)*
                _ => None,
            }
        }

        /// Calls `visitor` with the operation whose response wrapper element is `element`.
        pub fn with_response_element<V: runtime::message::OperationVisitor>(element: &str, visitor: V) -> Option<V::Output> {
            match element {
                #(#visit_response_arms)*
                _ => None,
            }
        }

        /// One marker type per operation, tying its request and response types together.
        pub mod operations {
            use super::runtime;
            #(#operations)*
        }

        #client_methods
    };
    let syntax: syn::File = match syn::parse2(file) {
        Ok(f) => f,
        // The tokens come from this module only: a parse failure is a generator bug, not an input error.
        Err(e) => panic!("the generator produced invalid Rust: {e}"),
    };
    let header = "// @generated by sips-wallet-codegen from the bundled WSDL. Do not edit: change wsdl/ and rebuild.\n\n";
    format!("{header}{}", prettyplease::unparse(&syntax))
}

fn docs(text: &str) -> TokenStream {
    if text.is_empty() {
        return quote!();
    }
    let line = format!(" {text}");
    quote!(#[doc = #line])
}

fn emit_enum(e: &EnumType) -> TokenStream {
    let name = type_ident(&e.name);
    let doc = if e.documentation.is_empty() {
        docs(&format!(
            "The values of `{}` (not documented in the WSDL).",
            e.name
        ))
    } else {
        docs(&e.documentation)
    };
    let variants = enum_variants(e);
    let other = other_variant(&variants);
    let variant_defs = variants.iter().zip(&e.values).map(|(v, value)| {
        let doc = if value.documentation.is_empty() {
            docs(&format!("`{}`", value.value))
        } else {
            docs(&format!("`{}`: {}", value.value, value.documentation))
        };
        quote!(#doc #v,)
    });
    let values: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
    let descriptions: Vec<&str> = e.values.iter().map(|v| v.documentation.as_str()).collect();
    let type_name = e.name.as_str();
    quote! {
        #doc
        ///
        /// Values this crate does not know are kept in the last variant rather than failing to decode.
        #[derive(Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_defs)*
            /// A value the bundled contract does not list, kept as received.
            #other(String),
        }

        impl #name {
            /// The values the contract lists.
            pub const KNOWN: &'static [#name] = &[#(#name::#variants),*];

            /// The value as it travels.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#name::#variants => #values,)*
                    #name::#other(value) => value,
                }
            }

            /// The meaning the contract documents for this value.
            pub fn description(&self) -> Option<&'static str> {
                match self {
                    #(#name::#variants => Some(#descriptions),)*
                    #name::#other(_) => None,
                }
            }

            /// Whether the contract lists this value.
            pub fn is_known(&self) -> bool {
                !matches!(self, #name::#other(_))
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => #name::#variants,)*
                    other => #name::#other(other.to_string()),
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                #name::from(value.as_str())
            }
        }

        impl Default for #name {
            fn default() -> Self {
                #name::#other(String::new())
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                runtime::mask::debug_open_enum(f, #type_name, self.as_str())
            }
        }

        runtime::message::open_enum_impls!(#name);
    }
}

fn enum_variants(e: &EnumType) -> Vec<Ident> {
    let mut used = std::collections::HashSet::new();
    e.values
        .iter()
        .map(|v| {
            let mut name = variant_name(&v.value);
            let base = name.clone();
            let mut n = 2;
            while used.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            used.insert(name.clone());
            Ident::new(&name, Span::call_site())
        })
        .collect()
}

/// The catch-all variant: `Other`, unless a listed value already took that name.
fn other_variant(variants: &[Ident]) -> Ident {
    ["Other", "Unlisted", "OtherValue"]
        .iter()
        .map(|n| Ident::new(n, Span::call_site()))
        .find(|candidate| !variants.contains(candidate))
        .unwrap_or_else(|| Ident::new("OtherValueKept", Span::call_site()))
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

fn field_ident(name: &str) -> Ident {
    Ident::new(&snake_case(name), Span::call_site())
}

fn version_tokens(since: Option<(u16, u16)>) -> TokenStream {
    match since {
        Some((major, minor)) => {
            quote!(Some(runtime::message::Version::new(#major, #minor)))
        }
        None => quote!(None),
    }
}

fn field_rust_type(field: &Field) -> TokenStream {
    let inner = match &field.ty {
        FieldType::Text => quote!(String),
        FieldType::Enum(name) | FieldType::Complex(name) => {
            let ident = type_ident(name);
            quote!(#ident)
        }
    };
    match field.occurs {
        Occurs::Required => inner,
        Occurs::Optional => quote!(Option<#inner>),
        Occurs::Repeated => quote!(Vec<#inner>),
    }
}

fn emit_struct(t: &ComplexType, contract: &Contract, prefix: &str, namespace: &str) -> TokenStream {
    let name = type_ident(&t.name);
    let type_name = t.name.as_str();
    let mut doc = t.documentation.clone();
    if t.is_abstract {
        doc.push_str(
            " (An abstract base type: its fields are repeated in each type that extends it.)",
        );
    }
    let doc = if doc.trim().is_empty() {
        docs(&format!(
            "The schema type `{type_name}` (not documented in the WSDL)."
        ))
    } else {
        docs(doc.trim())
    };

    let field_defs = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let ty = field_rust_type(f);
        let xml_name = f.name.as_str();
        // A vendor WSDL has no documentation: say at least which field it is.
        let doc = if f.documentation.is_empty() {
            docs(&format!("`{}` (not documented in the WSDL).", f.name))
        } else {
            docs(&f.documentation)
        };
        let serde_skip = match f.occurs {
            Occurs::Required => match f.ty {
                FieldType::Text => quote!(skip_serializing_if = "String::is_empty"),
                _ => quote!(),
            },
            Occurs::Optional => quote!(skip_serializing_if = "Option::is_none"),
            Occurs::Repeated => quote!(skip_serializing_if = "Vec::is_empty"),
        };
        // A required field missing from a message decodes as empty: the client and the simulator
        // report it by its XML name, which is clearer than a decoder error about a Rust field.
        let yaserde_default = match (f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Text) => quote!(, default = "empty_text"),
            _ => quote!(),
        };
        quote! {
            #doc
            #[cfg_attr(feature = "yaserde", yaserde(rename = #xml_name, prefix = #prefix #yaserde_default))]
            #[serde(rename = #xml_name, default, #serde_skip)]
            pub #ident: #ty,
        }
    });

    let setters = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let doc = docs(&format!("Sets `{}`.", f.name));
        match (&f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Complex(n)) | (Occurs::Required, FieldType::Enum(n)) => {
                let ty = type_ident(n);
                quote!(#doc pub fn #ident(mut self, value: impl Into<#ty>) -> Self { self.#ident = value.into(); self })
            }
            (Occurs::Required, FieldType::Text) => {
                quote!(#doc pub fn #ident(mut self, value: impl Into<String>) -> Self { self.#ident = value.into(); self })
            }
            (Occurs::Optional, ty) => {
                let inner = match ty {
                    FieldType::Text => quote!(String),
                    FieldType::Enum(n) | FieldType::Complex(n) => {
                        let i = type_ident(n);
                        quote!(#i)
                    }
                };
                quote!(#doc pub fn #ident(mut self, value: impl Into<#inner>) -> Self { self.#ident = Some(value.into()); self })
            }
            (Occurs::Repeated, ty) => {
                let inner = match ty {
                    FieldType::Text => quote!(String),
                    FieldType::Enum(n) | FieldType::Complex(n) => {
                        let i = type_ident(n);
                        quote!(#i)
                    }
                };
                let doc = docs(&format!("Appends one `{}`.", f.name));
                quote!(#doc pub fn #ident(mut self, value: impl Into<#inner>) -> Self { self.#ident.push(value.into()); self })
            }
        }
    });

    let debug_fields = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let label = ident.to_string();
        if SENSITIVE_FIELDS.contains(&f.name.as_str()) {
            match f.occurs {
                Occurs::Required => quote!(.field(#label, &runtime::mask::Masked(&self.#ident))),
                Occurs::Optional => quote!(.field(#label, &self.#ident.as_deref().map(runtime::mask::Masked))),
                Occurs::Repeated => quote!(.field(#label, &self.#ident.iter().map(|v| runtime::mask::Masked(v)).collect::<Vec<_>>())),
            }
        } else {
            quote!(.field(#label, &self.#ident))
        }
    });

    let field_infos = t.fields.iter().map(|f| {
        let xml_name = f.name.as_str();
        let rust_name = snake_case(&f.name);
        let documentation = f.documentation.as_str();
        let since = version_tokens(f.since);
        let sensitive = SENSITIVE_FIELDS.contains(&xml_name);
        let occurs = match f.occurs {
            Occurs::Required => quote!(runtime::message::Occurs::Required),
            Occurs::Optional => quote!(runtime::message::Occurs::Optional),
            Occurs::Repeated => quote!(runtime::message::Occurs::Repeated),
        };
        let kind = match &f.ty {
            FieldType::Text => quote!(runtime::message::FieldKind::Text),
            FieldType::Enum(n) => {
                let listed: &[EnumValue] = contract
                    .enums
                    .iter()
                    .find(|e| &e.name == n)
                    .map(|e| e.values.as_slice())
                    .unwrap_or_default();
                let values = listed.iter().map(|v| v.value.as_str());
                let descriptions = listed.iter().map(|v| v.documentation.as_str());
                quote!(runtime::message::FieldKind::Enum { values: &[#(#values),*], descriptions: &[#(#descriptions),*] })
            }
            FieldType::Complex(n) => {
                let type_name = n.as_str();
                quote!(runtime::message::FieldKind::Object { type_name: #type_name })
            }
        };
        quote! {
            runtime::message::FieldInfo {
                name: #xml_name,
                rust_name: #rust_name,
                kind: #kind,
                occurs: #occurs,
                since: #since,
                sensitive: #sensitive,
                documentation: #documentation,
            },
        }
    });

    // Seal order is fixed here, at build time: fields sorted by name, byte order, minus the unsealed ones.
    let mut sealed: Vec<&Field> = t
        .fields
        .iter()
        .filter(|f| !UNSEALED_FIELDS.contains(&f.name.as_str()))
        .collect();
    sealed.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let seal_steps = sealed.iter().map(|f| {
        let ident = field_ident(&f.name);
        match (&f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Text) => quote!(out.push_str(&self.#ident);),
            (Occurs::Required, FieldType::Enum(_)) => quote!(out.push_str(self.#ident.as_str());),
            (Occurs::Required, FieldType::Complex(_)) => quote!(runtime::message::Message::write_seal_data(&self.#ident, out);),
            (Occurs::Optional, FieldType::Text) => quote!(if let Some(v) = &self.#ident { out.push_str(v); }),
            (Occurs::Optional, FieldType::Enum(_)) => quote!(if let Some(v) = &self.#ident { out.push_str(v.as_str()); }),
            (Occurs::Optional, FieldType::Complex(_)) => quote!(if let Some(v) = &self.#ident { runtime::message::Message::write_seal_data(v, out); }),
            (Occurs::Repeated, FieldType::Text) => quote!(for v in &self.#ident { out.push_str(v); }),
            (Occurs::Repeated, FieldType::Enum(_)) => quote!(for v in &self.#ident { out.push_str(v.as_str()); }),
            (Occurs::Repeated, FieldType::Complex(_)) => quote!(for v in &self.#ident { runtime::message::Message::write_seal_data(v, out); }),
        }
    });
    let seal_order: Vec<&str> = sealed.iter().map(|f| f.name.as_str()).collect();

    let value_steps = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let name = f.name.as_str();
        let push = |v: TokenStream| quote!(fields.push((#name.to_string(), #v)););
        match (&f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Text) => {
                let p = push(quote!(runtime::seal::Value::Text(self.#ident.clone())));
                quote!(if !self.#ident.is_empty() { #p })
            }
            (Occurs::Required, FieldType::Enum(_)) => {
                let p = push(quote!(runtime::seal::Value::Text(self.#ident.as_str().to_string())));
                quote!(if !self.#ident.as_str().is_empty() { #p })
            }
            (Occurs::Required, FieldType::Complex(_)) => {
                push(quote!(runtime::message::Message::to_value(&self.#ident)))
            }
            (Occurs::Optional, FieldType::Text) => {
                let p = push(quote!(runtime::seal::Value::Text(v.clone())));
                quote!(if let Some(v) = &self.#ident { #p })
            }
            (Occurs::Optional, FieldType::Enum(_)) => {
                let p = push(quote!(runtime::seal::Value::Text(v.as_str().to_string())));
                quote!(if let Some(v) = &self.#ident { #p })
            }
            (Occurs::Optional, FieldType::Complex(_)) => {
                let p = push(quote!(runtime::message::Message::to_value(v)));
                quote!(if let Some(v) = &self.#ident { #p })
            }
            (Occurs::Repeated, ty) => {
                let item = match ty {
                    FieldType::Text => quote!(runtime::seal::Value::Text(v.clone())),
                    FieldType::Enum(_) => {
                        quote!(runtime::seal::Value::Text(v.as_str().to_string()))
                    }
                    FieldType::Complex(_) => quote!(runtime::message::Message::to_value(v)),
                };
                let p = push(
                    quote!(runtime::seal::Value::List(self.#ident.iter().map(|v| #item).collect())),
                );
                quote!(if !self.#ident.is_empty() { #p })
            }
        }
    });

    let text_arms = t.fields.iter().filter_map(|f| {
        let ident = field_ident(&f.name);
        let name = f.name.as_str();
        Some(match (&f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Text) => {
                quote!(#name => Some(self.#ident.as_str()).filter(|v| !v.is_empty()),)
            }
            (Occurs::Required, FieldType::Enum(_)) => {
                quote!(#name => Some(self.#ident.as_str()).filter(|v| !v.is_empty()),)
            }
            (Occurs::Optional, FieldType::Text) => quote!(#name => self.#ident.as_deref(),),
            (Occurs::Optional, FieldType::Enum(_)) => {
                quote!(#name => self.#ident.as_ref().map(|v| v.as_str()),)
            }
            _ => return None,
        })
    });
    let set_arms = t.fields.iter().filter_map(|f| {
        let ident = field_ident(&f.name);
        let name = f.name.as_str();
        Some(match (&f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Text) => {
                quote!(#name => self.#ident = value.to_string(),)
            }
            (Occurs::Required, FieldType::Enum(_)) => quote!(#name => self.#ident = value.into(),),
            (Occurs::Optional, FieldType::Text) => {
                quote!(#name => self.#ident = Some(value.to_string()),)
            }
            (Occurs::Optional, FieldType::Enum(_)) => {
                quote!(#name => self.#ident = Some(value.into()),)
            }
            _ => return None,
        })
    });
    let set_arms: Vec<TokenStream> = set_arms.collect();
    let set_text = if set_arms.is_empty() {
        quote! {
            fn set_text(&mut self, field: &str, _value: &str) -> Result<(), runtime::message::UnknownField> {
                Err(runtime::message::UnknownField::new(#type_name, field))
            }
        }
    } else {
        quote! {
            fn set_text(&mut self, field: &str, value: &str) -> Result<(), runtime::message::UnknownField> {
                match field {
                    #(#set_arms)*
                    _ => return Err(runtime::message::UnknownField::new(#type_name, field)),
                }
                Ok(())
            }
        }
    };
    let record_arms = t.fields.iter().filter_map(|f| {
        let ident = field_ident(&f.name);
        let name = f.name.as_str();
        let FieldType::Complex(nested) = &f.ty else {
            return None;
        };
        // A wrapped list (a type holding only a list of messages): the record is one more item of
        // that inner list, as for an unwrapped list.
        let wrapped = contract
            .complex_type(nested)
            .and_then(|w| match w.fields.as_slice() {
                [only] if only.occurs == Occurs::Repeated => match &only.ty {
                    FieldType::Complex(item) => Some((field_ident(&only.name), item.clone())),
                    _ => None,
                },
                _ => None,
            });
        let (ty, store) = match (&wrapped, f.occurs) {
            (Some((inner, item)), Occurs::Optional) => (
                type_ident(item),
                quote!(self.#ident.get_or_insert_with(Default::default).#inner.push(item)),
            ),
            (Some((inner, item)), Occurs::Required) => {
                (type_ident(item), quote!(self.#ident.#inner.push(item)))
            }
            (_, Occurs::Required) => (type_ident(nested), quote!(self.#ident = item)),
            (_, Occurs::Optional) => (type_ident(nested), quote!(self.#ident = Some(item))),
            (_, Occurs::Repeated) => (type_ident(nested), quote!(self.#ident.push(item))),
        };
        Some(quote!(#name => {
            let mut item = #ty::default();
            for (field, value) in record {
                runtime::message::Message::set_text(&mut item, field, value)?;
            }
            #store;
            Ok(())
        }))
    });
    let record_arms: Vec<TokenStream> = record_arms.collect();
    let record_param = if record_arms.is_empty() {
        quote!(_record)
    } else {
        quote!(record)
    };
    let is_set_arms = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let name = f.name.as_str();
        match (&f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Text) => quote!(#name => !self.#ident.is_empty(),),
            (Occurs::Required, FieldType::Enum(_)) => {
                quote!(#name => !self.#ident.as_str().is_empty(),)
            }
            (Occurs::Required, FieldType::Complex(_)) => quote!(#name => true,),
            (Occurs::Optional, _) => quote!(#name => self.#ident.is_some(),),
            (Occurs::Repeated, _) => quote!(#name => !self.#ident.is_empty(),),
        }
    });
    let seal_order_doc = docs(&format!(
        "Sealed fields, in seal order: {}.",
        if seal_order.is_empty() {
            "none".to_string()
        } else {
            seal_order.join(", ")
        }
    ));

    let reader = emit_reader(t, &name);
    let writer = emit_writer(t, &name, prefix);

    quote! {
        #doc
        #[derive(Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "yaserde", derive(::yaserde::YaSerialize, ::yaserde::YaDeserialize), yaserde(rename = #type_name, prefix = #prefix, namespaces = { #prefix = #namespace }))]
        #[non_exhaustive]
        pub struct #name {
            #(#field_defs)*
            /// Fields the bundled contract does not describe, kept as received (name, text): a field the
            /// bank added after this contract is still covered by the seal, and visible here.
            #[cfg_attr(feature = "yaserde", yaserde(skip_serializing = true, default = "no_unknown_fields", rename = "__unknown_fields"))]
            #[serde(flatten)]
            pub unknown_fields: runtime::message::UnknownFields,
        }

        impl #name {
            /// An empty message, to fill with the setters below.
            pub fn new() -> Self {
                Self::default()
            }
            #(#setters)*
        }

        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // Card fields masked whole; a card number in any other field masked as free text.
                runtime::mask::debug_masked(f, |f| {
                    let mut out = f.debug_struct(#type_name);
                    out #(#debug_fields)*;
                    if !self.unknown_fields.is_empty() {
                        out.field("unknown_fields", &self.unknown_fields);
                    }
                    out.finish()
                })
            }
        }

        impl runtime::message::Message for #name {
            const TYPE_NAME: &'static str = #type_name;
            const FIELDS: &'static [runtime::message::FieldInfo] = &[#(#field_infos)*];

            #seal_order_doc
            fn write_seal_data(&self, out: &mut String) {
                if !self.unknown_fields.is_empty() {
                    // Unknown fields take their sorted place among the known ones: the general walk.
                    out.push_str(&runtime::message::Message::to_value(self).seal_data());
                    return;
                }
                #(#seal_steps)*
            }

            fn to_value(&self) -> runtime::seal::Value {
                let mut fields: Vec<(String, runtime::seal::Value)> = Vec::new();
                #(#value_steps)*
                for (name, value) in self.unknown_fields.iter() {
                    fields.push((name.to_string(), runtime::seal::Value::Text(value.to_string())));
                }
                runtime::seal::Value::Object(fields)
            }

            fn text(&self, field: &str) -> Option<&str> {
                match field {
                    #(#text_arms)*
                    _ => None,
                }
            }

            #set_text

            fn is_set(&self, field: &str) -> bool {
                match field {
                    #(#is_set_arms)*
                    _ => false,
                }
            }

            fn push_record(&mut self, field: &str, #record_param: &[(&str, &str)]) -> Result<(), runtime::message::UnknownField> {
                match field {
                    #(#record_arms)*
                    _ => Err(runtime::message::UnknownField::new(#type_name, field)),
                }
            }

            fn unknown_fields(&self) -> &runtime::message::UnknownFields {
                &self.unknown_fields
            }

            fn unknown_fields_mut(&mut self) -> &mut runtime::message::UnknownFields {
                &mut self.unknown_fields
            }
        }

        #reader
        #writer
    }
}

/// The quick-xml reader of a type: each child element, by name in the contract's namespace, into its
/// field; a field that may appear once appearing twice, or an element in another namespace, is
/// refused; a text element the contract does not describe is kept in `unknown_fields`.
fn emit_reader(t: &ComplexType, name: &Ident) -> TokenStream {
    let once_count = t
        .fields
        .iter()
        .filter(|f| f.occurs != Occurs::Repeated)
        .count();
    let seen = (once_count > 0).then(|| {
        let count = proc_macro2::Literal::usize_unsuffixed(once_count);
        quote!(let mut seen = [false; #count];)
    });
    let mut once_index = 0usize;
    let arms = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let xml_name = f.name.as_str();
        let value = match &f.ty {
            FieldType::Text => quote!(reader.text(&child)?),
            FieldType::Enum(_) => quote!(reader.text(&child)?.into()),
            FieldType::Complex(n) => {
                let ty = type_ident(n);
                quote!(<#ty as runtime::codec::ReadXml>::read_xml(reader, &child)?)
            }
        };
        match f.occurs {
            Occurs::Repeated => quote!(#xml_name => message.#ident.push(#value),),
            occurs => {
                let index = proc_macro2::Literal::usize_unsuffixed(once_index);
                once_index += 1;
                let assign = if occurs == Occurs::Optional {
                    quote!(message.#ident = Some(#value);)
                } else {
                    quote!(message.#ident = #value;)
                };
                quote!(#xml_name => {
                    reader.once(&mut seen[#index], &child)?;
                    #assign
                })
            }
        }
    });
    // A type that only wraps a list (one repeated message field) holds nothing else: anything else is
    // a list in another shape (its items unwrapped), refused rather than read as an empty list.
    let list_only = matches!(
        t.fields.as_slice(),
        [only] if only.occurs == Occurs::Repeated && matches!(only.ty, FieldType::Complex(_))
    );
    let other_arm = if list_only {
        let expected = format!("<{}> items", t.fields[0].name);
        quote!(_ => {
            return Err(runtime::codec::DecodeError::UnexpectedElement {
                expected: #expected.to_string(),
                found: child.describe(reader.namespace()),
            });
        })
    } else {
        quote!(other => {
            let value = reader.text(&child)?;
            message.unknown_fields.push(other, value);
        })
    };
    quote! {
        impl runtime::codec::ReadXml for #name {
            #[allow(unused_mut)]
            fn read_xml<'i>(
                reader: &mut runtime::codec::XmlReader<'i>,
                element: &runtime::codec::Start<'i>,
            ) -> Result<Self, runtime::codec::DecodeError> {
                let mut message = Self::default();
                #seen
                while let Some(child) = reader.next_child(element)? {
                    match reader.field_name(element, &child)? {
                        #(#arms)*
                        #other_arm
                    }
                }
                Ok(message)
            }
        }
    }
}

/// The quick-xml writer of a type: its fields in schema order, each as `<prefix:name>`.
fn emit_writer(t: &ComplexType, name: &Ident, prefix: &str) -> TokenStream {
    let unknown_name = format!("{prefix}:{{field}}");
    let steps = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let xml_name = f.name.as_str();
        let qualified = format!("{prefix}:{}", f.name);
        let write_one = |v: TokenStream| match &f.ty {
            FieldType::Text => quote!(writer.text(#qualified, #xml_name, #v)?;),
            FieldType::Enum(_) => quote!(writer.text(#qualified, #xml_name, #v.as_str())?;),
            FieldType::Complex(_) => quote! {
                writer.open(#qualified, "");
                runtime::codec::WriteXml::write_xml(#v, writer)?;
                writer.close(#qualified);
            },
        };
        match f.occurs {
            Occurs::Required => write_one(quote!(&self.#ident)),
            Occurs::Optional => {
                let step = write_one(quote!(value));
                quote!(if let Some(value) = &self.#ident { #step })
            }
            Occurs::Repeated => {
                let step = write_one(quote!(value));
                quote!(for value in &self.#ident { #step })
            }
        }
    });
    quote! {
        impl runtime::codec::WriteXml for #name {
            fn write_xml(&self, writer: &mut runtime::codec::XmlWriter) -> Result<(), runtime::codec::EncodeError> {
                #(#steps)*
                for (field, value) in self.unknown_fields.iter() {
                    writer.text(&format!(#unknown_name), field, value)?;
                }
                Ok(())
            }
        }
    }
}

fn emit_wrapper(w: &Wrapper, prefix: &str, namespace: &str) -> TokenStream {
    let name = type_ident(&w.element);
    let element = w.element.as_str();
    let child = w.child.as_str();
    let child_ident = field_ident(&w.child);
    let child_type = type_ident(&w.child_type);
    let doc = docs(&format!(
        "`<{element}>`, holding one `<{child}>` of type [`{child_type}`](super::{child_type})."
    ));
    quote! {
        #doc
        #[derive(Clone, Default, Debug, PartialEq)]
        #[cfg_attr(feature = "yaserde", derive(::yaserde::YaSerialize, ::yaserde::YaDeserialize), yaserde(rename = #element, prefix = #prefix, namespaces = { #prefix = #namespace }))]
        pub struct #name {
            #[allow(missing_docs)]
            #[cfg_attr(feature = "yaserde", yaserde(rename = #child, prefix = #prefix))]
            pub #child_ident: super::#child_type,
        }
    }
}

fn emit_operation(o: &Operation, contract: &Contract) -> TokenStream {
    let name = type_ident(&o.name);
    let op_name = o.name.as_str();
    let doc = if o.documentation.is_empty() {
        docs(&format!(
            "The operation `{}` (not documented in the WSDL).",
            o.name
        ))
    } else {
        docs(&o.documentation)
    };
    // parse_contract keeps only operations whose elements are wrappers.
    let input = contract
        .wrapper(&o.input_element)
        .cloned()
        .unwrap_or_else(|| Wrapper {
            element: o.input_element.clone(),
            child: "input".into(),
            child_type: String::new(),
        });
    let output = contract
        .wrapper(&o.output_element)
        .cloned()
        .unwrap_or_else(|| Wrapper {
            element: o.output_element.clone(),
            child: "output".into(),
            child_type: String::new(),
        });
    let request_ty = type_ident(&input.child_type);
    let response_ty = type_ident(&output.child_type);
    let request_el = type_ident(&input.element);
    let response_el = type_ident(&output.element);
    let in_child = field_ident(&input.child);
    let out_child = field_ident(&output.child);
    let in_element = input.element.as_str();
    let in_child_name = input.child.as_str();
    let out_child_name = output.child.as_str();
    let out_element = output.element.as_str();
    let soap_action = o.soap_action.as_str();
    let documentation = o.documentation.as_str();
    let recommended = match &o.recommended_interface_version {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let cli_name = snake_case(&o.name).replace('_', "-");
    let http_location = match &o.http_location {
        Some(l) => quote!(Some(#l)),
        None => quote!(None),
    };
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, Default)]
        pub struct #name;

        impl runtime::message::Operation for #name {
            type Request = super::#request_ty;
            type Response = super::#response_ty;
            type RequestElement = super::elements::#request_el;
            type ResponseElement = super::elements::#response_el;

            const INFO: &'static runtime::message::OperationInfo = &runtime::message::OperationInfo {
                name: #op_name,
                command: #cli_name,
                soap_action: #soap_action,
                http_location: #http_location,
                namespace: super::NAMESPACE,
                prefix: super::PREFIX,
                request_element: #in_element,
                request_child: #in_child_name,
                response_element: #out_element,
                response_child: #out_child_name,
                recommended_interface_version: #recommended,
                documentation: #documentation,
            };

            fn wrap_request(request: Self::Request) -> Self::RequestElement {
                super::elements::#request_el { #in_child: request }
            }

            fn unwrap_request(element: Self::RequestElement) -> Self::Request {
                element.#in_child
            }

            fn wrap_response(response: Self::Response) -> Self::ResponseElement {
                super::elements::#response_el { #out_child: response }
            }

            fn unwrap_response(element: Self::ResponseElement) -> Self::Response {
                element.#out_child
            }
        }
    }
}

fn emit_client_methods(contract: &Contract, client: &crate::ClientMethods) -> TokenStream {
    let path = |what: &str, text: &str| -> syn::Path {
        match syn::parse_str(text) {
            Ok(p) => p,
            Err(e) => panic!("ClientMethods::{what} is not a Rust path: {e}"),
        }
    };
    let client_type = path("client_type", &client.client_type);
    let result_type = path("result_type", &client.result_type);
    let methods = contract.operations.iter().filter_map(|o| {
        let input = contract.wrapper(&o.input_element)?;
        let output = contract.wrapper(&o.output_element)?;
        let method = format_ident!("{}", snake_case(&o.name));
        let marker = type_ident(&o.name);
        let request_ty = type_ident(&input.child_type);
        let response_ty = type_ident(&output.child_type);
        let doc = docs(&o.documentation);
        let binding = if o.http_location.is_some() {
            "as JSON (the service has no SOAP binding for it)"
        } else {
            "over the client's binding (SOAP unless the client was built for JSON)"
        };
        let detail = docs(&format!(
            "Sends `{}` {binding}: fills `merchantId`, `keyVersion`, `interfaceVersion` and `seal`, then verifies the response seal.",
            o.name,
        ));
        Some(quote! {
            #doc
            ///
            #detail
            pub async fn #method(&self, request: #request_ty) -> #result_type<#response_ty> {
                self.call(operations::#marker, request).await
            }
        })
    });
    quote! {
        impl #client_type {
            #(#methods)*
        }
    }
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
        assert_eq!(snake_case("merchantWalletId"), "merchant_wallet_id");
        assert_eq!(snake_case("type"), "type_");
        assert_eq!(
            snake_case("walletPaymentMeanDataList"),
            "wallet_payment_mean_data_list"
        );
    }

    #[test]
    fn catch_all_variant_avoids_listed_values() {
        let e = EnumType {
            name: "X".into(),
            documentation: String::new(),
            values: vec![EnumValue {
                value: "OTHER".into(),
                documentation: String::new(),
            }],
        };
        let variants = enum_variants(&e);
        assert_eq!(other_variant(&variants).to_string(), "Unlisted");
    }
}
