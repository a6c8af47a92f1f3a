//! Render step: one open enum per list of values (values it does not know are kept).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::docs;
use crate::model::*;
use crate::names::{type_ident, variant_name};

pub(super) fn emit_enum(e: &EnumType) -> TokenStream {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::sample::{contract, pretty};

    #[test]
    fn an_open_enum_numbering_values_that_collide() {
        let rendered = pretty(emit_enum(&contract().enums[0]));
        assert!(rendered.contains("AB2"), "{rendered}");
        insta::assert_snapshot!(rendered);
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
