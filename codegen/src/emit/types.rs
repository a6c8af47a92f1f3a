//! Render step: each message type's struct (serde attributes, the yaserde ones through
//! [`super::yaserde`]), its constructor and its fluent setters.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, field_rust_type, yaserde};
use crate::model::*;
use crate::names::{field_ident, type_ident};

/// The struct, `new()` and one setter per field.
pub(super) fn definition(t: &ComplexType, prefix: &str, namespace: &str) -> TokenStream {
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
                FieldType::Text => quote!(skip_serializing_if = "runtime::text::Text::is_empty"),
                _ => quote!(),
            },
            Occurs::Optional => quote!(skip_serializing_if = "Option::is_none"),
            Occurs::Repeated => quote!(skip_serializing_if = "Vec::is_empty"),
        };
        let yaserde = yaserde::field_attributes(f, prefix);
        quote! {
            #doc
            #yaserde
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
                quote!(#doc pub fn #ident(mut self, value: impl Into<runtime::text::Text>) -> Self { self.#ident = value.into(); self })
            }
            (Occurs::Optional, ty) => {
                let inner = match ty {
                    FieldType::Text => quote!(runtime::text::Text),
                    FieldType::Enum(n) | FieldType::Complex(n) => {
                        let i = type_ident(n);
                        quote!(#i)
                    }
                };
                quote!(#doc pub fn #ident(mut self, value: impl Into<#inner>) -> Self { self.#ident = Some(value.into()); self })
            }
            (Occurs::Repeated, ty) => {
                let inner = match ty {
                    FieldType::Text => quote!(runtime::text::Text),
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

    let yaserde_struct = yaserde::struct_attributes(type_name, prefix, namespace);
    let yaserde_unknown = yaserde::unknown_fields_attribute();
    quote! {
        #doc
        #[derive(Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #yaserde_struct
        #[non_exhaustive]
        pub struct #name {
            #(#field_defs)*
            /// Fields the bundled contract does not describe, kept as received (name, text): a field the
            /// bank added after this contract is still covered by the seal, and visible here.
            #yaserde_unknown
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

    }
}

#[cfg(test)]
mod tests {
    use crate::emit::sample::{contract, pretty};

    #[test]
    fn a_struct_with_its_setters() {
        let contract = contract();
        insta::assert_snapshot!(pretty(super::definition(
            &contract.types[0],
            "urn",
            "urn:example"
        )));
    }
}
