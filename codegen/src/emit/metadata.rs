//! Render step: what a message says of itself at run time: its fields' metadata (`FIELDS`) and
//! the accessors by XML name (`text`, `set_text`, `is_set`, `push_record`, unknown fields), so
//! hand-written code goes through field names, never generated types.

use proc_macro2::TokenStream;
use quote::quote;

use super::{version_tokens, SENSITIVE_FIELDS};
use crate::model::*;
use crate::names::{field_ident, snake_case, type_ident};

/// `const FIELDS`.
pub(super) fn field_infos(t: &ComplexType, contract: &Contract) -> TokenStream {
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

    quote!(const FIELDS: &'static [runtime::message::FieldInfo] = &[#(#field_infos)*];)
}

/// The `Message` methods that read and write fields by XML name.
pub(super) fn accessors(t: &ComplexType, contract: &Contract) -> TokenStream {
    let type_name = t.name.as_str();
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
                quote!(#name => self.#ident = value.into(),)
            }
            (Occurs::Required, FieldType::Enum(_)) => quote!(#name => self.#ident = value.into(),),
            (Occurs::Optional, FieldType::Text) => {
                quote!(#name => self.#ident = Some(value.into()),)
            }
            (Occurs::Optional, FieldType::Enum(_)) => {
                quote!(#name => self.#ident = Some(value.into()),)
            }
            // A list of values: each call appends one.
            (Occurs::Repeated, FieldType::Text) => {
                quote!(#name => self.#ident.push(value.into()),)
            }
            (Occurs::Repeated, FieldType::Enum(_)) => {
                quote!(#name => self.#ident.push(value.into()),)
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
    quote! {
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
}

#[cfg(test)]
mod tests {
    use crate::emit::sample::{contract, pretty};

    #[test]
    fn fields_and_accessors_by_xml_name() {
        let contract = contract();
        let t = &contract.types[0];
        insta::assert_snapshot!(pretty(super::field_infos(t, &contract)));
        insta::assert_snapshot!(pretty(super::accessors(t, &contract)));
    }
}
