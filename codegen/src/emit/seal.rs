//! Render step: the seal walk. The order is fixed here, at build time, by the runtime's rule
//! (`protocol::UNSEALED_FIELDS` left out, names sorted in byte order), and `to_value`, the tree the
//! runtime's generic rule walks: `tests/seal_walk.rs` checks the two agree on every message.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, UNSEALED_FIELDS};
use crate::model::*;
use crate::names::field_ident;

/// `fn write_seal_data`, documented with the seal order.
pub(super) fn seal_walk(t: &ComplexType) -> TokenStream {
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

    let seal_order_doc = docs(&format!(
        "Sealed fields, in seal order: {}.",
        if seal_order.is_empty() {
            "none".to_string()
        } else {
            seal_order.join(", ")
        }
    ));

    quote! {
            #seal_order_doc
            fn write_seal_data(&self, out: &mut String) {
                if !self.unknown_fields.is_empty() {
                    // Unknown fields take their sorted place among the known ones: the general walk.
                    out.push_str(&runtime::message::Message::to_value(self).seal_data());
                    return;
                }
                #(#seal_steps)*
            }

    }
}

/// `fn check_parts`: the shape rule (`runtime::message::check_part`, `check_list`,
/// `check_text_list`) applied to each list and message-typed field, in schema order, as `to_value`
/// lists them.
pub(super) fn check_parts(t: &ComplexType) -> TokenStream {
    let steps = t.fields.iter().filter_map(|f| {
        let ident = field_ident(&f.name);
        let name = f.name.as_str();
        Some(match (&f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Complex(_)) => {
                quote!(runtime::message::check_part(&self.#ident, #name, None, scratch)?;)
            }
            (Occurs::Optional, FieldType::Complex(_)) => quote! {
                if let Some(v) = &self.#ident {
                    runtime::message::check_part(v, #name, None, scratch)?;
                }
            },
            (Occurs::Repeated, FieldType::Complex(_)) => {
                quote!(runtime::message::check_list(&self.#ident, #name, scratch)?;)
            }
            (Occurs::Repeated, FieldType::Text) => quote! {
                runtime::message::check_text_list(self.#ident.iter().map(|v| v.as_str()), #name)?;
            },
            (Occurs::Repeated, FieldType::Enum(_)) => quote! {
                runtime::message::check_text_list(self.#ident.iter().map(|v| v.as_str()), #name)?;
            },
            // A single text field may be empty (the bank answers `<errorFieldName/>`).
            (_, FieldType::Text | FieldType::Enum(_)) => return None,
        })
    });
    let scratch = if t
        .fields
        .iter()
        .any(|f| matches!(f.ty, FieldType::Complex(_)))
    {
        quote!(scratch)
    } else {
        quote!(_scratch)
    };
    quote! {
            fn check_parts(&self, #scratch: &mut String) -> Result<(), runtime::seal::ShapeError> {
                #(#steps)*
                Ok(())
            }

    }
}

/// `fn to_value`: the fields that are set, as the runtime's `Value` tree, in schema order.
pub(super) fn to_value(t: &ComplexType) -> TokenStream {
    let value_steps = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let name = f.name.as_str();
        let push = |v: TokenStream| quote!(fields.push((#name.to_string(), #v)););
        match (&f.occurs, &f.ty) {
            (Occurs::Required, FieldType::Text) => {
                let p = push(quote!(runtime::seal::Value::Text(self.#ident.to_string())));
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
                let p = push(quote!(runtime::seal::Value::Text(v.to_string())));
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
                    FieldType::Text => quote!(runtime::seal::Value::Text(v.to_string())),
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

    quote! {
            fn to_value(&self) -> runtime::seal::Value {
                let mut fields: Vec<(String, runtime::seal::Value)> = Vec::new();
                #(#value_steps)*
                for (name, value) in self.unknown_fields.iter() {
                    fields.push((name.to_string(), runtime::seal::Value::Text(value.to_string())));
                }
                runtime::seal::Value::Object(fields)
            }

    }
}

#[cfg(test)]
mod tests {
    use crate::emit::sample::{contract, pretty};

    #[test]
    fn the_shape_check_walks_the_nested_fields() {
        insta::assert_snapshot!(pretty(super::check_parts(&contract().types[0])));
    }

    #[test]
    fn the_walk_is_sorted_by_name_without_the_seal() {
        let rendered = pretty(super::seal_walk(&contract().types[0]));
        assert!(
            rendered.contains(
                "Sealed fields, in seal order: brand, cardNumber, item, merchantWalletId."
            ),
            "{rendered}"
        );
        insta::assert_snapshot!(rendered);
        insta::assert_snapshot!(pretty(super::to_value(&contract().types[0])));
    }
}
