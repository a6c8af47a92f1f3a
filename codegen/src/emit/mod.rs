//! [`Contract`] → Rust source.
//!
//! The emitted code leans on the `sips-wallet-runtime` crate (its message traits, XML reader and writer, seal and
//! masking), named once at the top of the file by the path [`Options::runtime`] gives
//! (`use ::sips_wallet_runtime as runtime;`), so what it writes per type stays short and readable
//! and it compiles wherever that path reaches the runtime.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::limits::Budget;
use crate::model::*;
use crate::Options;

mod client;
mod debug;
mod enums;
mod metadata;
mod operations;
mod reader;
mod seal;
mod types;
mod writer;
mod yaserde;

use crate::names::type_ident;

pub use sips_wallet_runtime::protocol::{SENSITIVE_FIELDS, UNSEALED_FIELDS};

pub fn emit(
    contract: &Contract,
    options: &Options,
    budget: &mut Budget,
) -> Result<String, crate::Error> {
    let prefix = options.prefix.as_str();
    let namespace = contract.namespace.as_str();
    let enums = contract.enums.iter().map(enums::emit_enum);
    // Type by type, each counted against the budget: a contract whose code would be too large
    // stops at the type that makes it so.
    let mut types = Vec::with_capacity(contract.types.len());
    for t in &contract.types {
        let tokens = emit_struct(t, contract, prefix, namespace);
        budget.spend(&tokens, &t.name)?;
        types.push(tokens);
    }
    let wrappers = contract
        .wrappers
        .iter()
        .map(|w| operations::emit_wrapper(w, prefix, namespace));
    let operations = contract
        .operations
        .iter()
        .map(|o| operations::emit_operation(o, contract));
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
    let service_name = contract.service_name.as_str();
    let runtime: syn::Path = match syn::parse_str(&options.runtime) {
        Ok(path) => path,
        Err(e) => panic!("Options::runtime is not a Rust path: {e}"),
    };

    let shown_as = contract.shown_as.iter().map(|line| {
        let (request, reading) = (&line.request_field, &line.reading_field);
        let shown = quote::format_ident!("{}", format!("{:?}", line.shown));
        quote! {
            runtime::effect::ShownAs {
                request_field: #request,
                reading_field: #reading,
                shown: runtime::effect::Shown::#shown,
            }
        }
    });
    let type_entries = contract.types.iter().map(|t| {
        let name = t.name.as_str();
        let ident = type_ident(&t.name);
        quote!((#name, <#ident as runtime::message::Message>::FIELDS))
    });
    let yaserde_helpers = yaserde::helpers();
    let file = quote! {
        use #runtime as runtime;

        /// Target namespace of every element in a message body.
        pub const NAMESPACE: &str = #namespace;

        /// The prefix the contract's namespace is written with.
        pub const PREFIX: &str = #prefix;

        /// The service's name in the WSDL (`wsdl:service`): calls are named `SERVICE/operation` in
        /// traces and metrics.
        pub const SERVICE: &str = #service_name;

        /// The service address the WSDL publishes (`soap:address`).
        pub const SERVICE_ADDRESS: Option<&str> = #address;

        /// Fields that hold card data: masked in `Debug` output and in logged messages.
        pub const SENSITIVE_FIELDS: &[&str] = &[#(#sensitive),*];

        /// Every operation of the service, in WSDL order.
        pub static OPERATIONS: &[&dyn runtime::message::DynOperation] = &[#(&operations::#op_idents),*];

        /// How a wallet reading's payment-mean entry shows a change's request fields (the
        /// sidecar's `[shown-as]`).
        pub const SHOWN_AS: &[runtime::effect::ShownAs] = &[#(#shown_as),*];

        /// Every message type (its schema name) with its fields, in schema order.
        pub static TYPES: &[(&str, &[runtime::message::FieldInfo])] = &[#(#type_entries),*];

        #yaserde_helpers

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
    };
    let syntax: syn::File = match syn::parse2(file) {
        Ok(f) => f,
        // The tokens come from this module only: a parse failure is a generator bug, not an input error.
        Err(e) => panic!("the generator produced invalid Rust: {e}"),
    };
    let header = "// @generated by sips-wallet-codegen from the bundled WSDL. Do not edit: change wsdl/ and rebuild.\n\n";
    budget.check_time("formatting the generated code")?;
    Ok(format!("{header}{}", prettyplease::unparse(&syntax)))
}

/// The client methods' file: one async method per operation, on the client type `client` names.
pub fn emit_client_file(contract: &Contract, client: &crate::ClientMethods) -> String {
    let tokens = client::emit_client_methods(contract, client);
    let syntax: syn::File = match syn::parse2(tokens) {
        Ok(f) => f,
        // The tokens come from this module only: a parse failure is a generator bug, not an input error.
        Err(e) => panic!("the generator produced invalid Rust: {e}"),
    };
    let header = "// @generated by sips-wallet-codegen: one client method per operation of the contract. Do not edit.\n\n";
    format!("{header}{}", prettyplease::unparse(&syntax))
}

pub(super) fn docs(text: &str) -> TokenStream {
    if text.is_empty() {
        return quote!();
    }
    let line = format!(" {text}");
    quote!(#[doc = #line])
}

pub(super) fn version_tokens(since: Option<(u16, u16)>) -> TokenStream {
    match since {
        Some((major, minor)) => {
            quote!(Some(runtime::message::Version::new(#major, #minor)))
        }
        None => quote!(None),
    }
}

pub(super) fn field_rust_type(field: &Field) -> TokenStream {
    let inner = match &field.ty {
        FieldType::Text => quote!(runtime::text::Text),
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

/// A message type: its definition, `Debug`, the `Message` implementation (metadata, seal walk,
/// tree, accessors), and its XML reader and writer, each from its render step.
fn emit_struct(t: &ComplexType, contract: &Contract, prefix: &str, namespace: &str) -> TokenStream {
    let name = type_ident(&t.name);
    let type_name = t.name.as_str();
    let definition = types::definition(t, prefix, namespace);
    let debug = debug::debug_impl(t);
    let field_infos = metadata::field_infos(t, contract);
    let seal_walk = seal::seal_walk(t);
    let to_value = seal::to_value(t);
    let check_parts = seal::check_parts(t);
    let accessors = metadata::accessors(t, contract);
    let reader = reader::emit_reader(t, &name);
    let writer = writer::emit_writer(t, &name, contract.qualified.then_some(prefix));
    quote! {
        #definition
        #debug

        impl runtime::message::Message for #name {
            const TYPE_NAME: &'static str = #type_name;
            #field_infos
            #seal_walk
            #to_value
            #check_parts
            #accessors
        }

        #reader
        #writer
    }
}

/// A small contract for the render steps' tests: one type with a required text field, an
/// optional enum, a card number, the seal, a repeated nested type; one operation around it.
#[cfg(test)]
pub(crate) mod sample {
    use proc_macro2::TokenStream;
    use quote::quote;

    use crate::model::*;

    fn field(name: &str, ty: FieldType, occurs: Occurs) -> Field {
        Field {
            name: name.into(),
            ty,
            occurs,
            documentation: format!("The {name}."),
            since: Some((2, 0)),
            builtin: None,
            facets: Vec::new(),
        }
    }

    pub(crate) fn contract() -> Contract {
        let request = ComplexType {
            name: "PayRequest".into(),
            documentation: "A request.".into(),
            is_abstract: false,
            fields: vec![
                field("merchantWalletId", FieldType::Text, Occurs::Required),
                field("brand", FieldType::Enum("Brand".into()), Occurs::Optional),
                field("cardNumber", FieldType::Text, Occurs::Optional),
                field("seal", FieldType::Text, Occurs::Optional),
                field("item", FieldType::Complex("Item".into()), Occurs::Repeated),
            ],
        };
        let item = ComplexType {
            name: "Item".into(),
            documentation: String::new(),
            is_abstract: false,
            fields: vec![field("id", FieldType::Text, Occurs::Required)],
        };
        let brand = EnumType {
            name: "Brand".into(),
            documentation: "A brand.".into(),
            values: ["VISA", "a-b", "a_b"]
                .iter()
                .map(|v| EnumValue {
                    value: v.to_string(),
                    documentation: String::new(),
                })
                .collect(),
        };
        Contract {
            namespace: "urn:example".into(),
            types: vec![request, item],
            enums: vec![brand],
            wrappers: vec![
                Wrapper {
                    element: "pay".into(),
                    child: "input".into(),
                    child_type: "PayRequest".into(),
                },
                Wrapper {
                    element: "payResponse".into(),
                    child: "output".into(),
                    child_type: "Item".into(),
                },
            ],
            operations: vec![Operation {
                name: "pay".into(),
                documentation: "Pays.".into(),
                soap_action: String::new(),
                http_location: None,
                input_element: "pay".into(),
                output_element: "payResponse".into(),
                recommended_interface_version: Some("WR_WS_2.55".into()),
                effect: sips_wallet_runtime::effect::Effect::AddsMean,
            }],
            service_address: None,
            service_name: "WalletService".into(),
            qualified: true,
            shown_as: vec![ShownAs {
                request_field: "cardNumber".into(),
                reading_field: "id".into(),
                shown: sips_wallet_runtime::effect::Shown::MaskedPan,
            }],
        }
    }

    /// Rust source for a snapshot: items as they are, `impl` members inside an `impl`.
    pub(crate) fn pretty(tokens: TokenStream) -> String {
        let file = syn::parse2::<syn::File>(tokens.clone())
            .or_else(|_| syn::parse2::<syn::File>(quote!(impl Sample { #tokens })));
        match file {
            Ok(file) => prettyplease::unparse(&file),
            Err(e) => panic!("a render step wrote invalid Rust: {e}\n{tokens}"),
        }
    }
}
