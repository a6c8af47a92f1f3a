//! Render step: each message type's `Debug`, through the runtime's masker (card fields masked
//! whole, any card number in another field masked as free text).

use proc_macro2::TokenStream;
use quote::quote;

use super::SENSITIVE_FIELDS;
use crate::model::*;
use crate::names::{field_ident, type_ident};

/// `impl Debug`.
pub(super) fn debug_impl(t: &ComplexType) -> TokenStream {
    let name = type_ident(&t.name);
    let type_name = t.name.as_str();
    let debug_fields = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let label = ident.to_string();
        if SENSITIVE_FIELDS.contains(&f.name.as_str()) {
            match f.occurs {
                Occurs::Required => quote!(out.field(#label, &runtime::mask::Masked(&self.#ident));),
                Occurs::Optional => quote!(out.field(#label, &self.#ident.as_deref().map(runtime::mask::Masked));),
                Occurs::Repeated => quote!(out.field(#label, &self.#ident.iter().map(|v| runtime::mask::Masked(v)).collect::<Vec<_>>());),
            }
        } else {
            quote!(out.field(#label, &self.#ident);)
        }
    });

    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // Card fields masked whole; a card number in any other field masked as free text.
                runtime::mask::debug_masked(f, |f| {
                    // One statement per field, not one chained expression: a type with thousands
                    // of fields must not nest the generated code (or the formatter) that deep.
                    let mut out = f.debug_struct(#type_name);
                    #(#debug_fields)*
                    if !self.unknown_fields.is_empty() {
                        out.field("unknown_fields", &self.unknown_fields);
                    }
                    out.finish()
                })
            }
        }

    }
}

#[cfg(test)]
mod tests {
    use crate::emit::sample::{contract, pretty};

    #[test]
    fn debug_masks_the_card_field_and_the_rest_as_free_text() {
        let rendered = pretty(super::debug_impl(&contract().types[0]));
        assert!(rendered.contains("runtime::mask::Masked"), "{rendered}");
        assert!(
            rendered.contains("runtime::mask::debug_masked"),
            "{rendered}"
        );
        insta::assert_snapshot!(rendered);
    }
}
