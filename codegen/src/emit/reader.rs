//! Render step: each message type's XML reader (the runtime's bounded `XmlReader`).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::*;
use crate::names::{field_ident, type_ident};

/// The quick-xml reader of a type: each child element, by name in the contract's namespace, into its
/// field; a field that may appear once appearing twice, or an element in another namespace, is
/// refused; a text element the contract does not describe is kept in `unknown_fields`.
pub(super) fn emit_reader(t: &ComplexType, name: &Ident) -> TokenStream {
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
            FieldType::Enum(_) => quote!(reader.text(&child)?.as_str().into()),
            FieldType::Complex(n) => {
                let ty = type_ident(n);
                quote!(<#ty as runtime::xml::ReadXml>::read_xml(reader, &child)?)
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
            return Err(runtime::xml::DecodeError::UnexpectedElement {
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
        impl runtime::xml::ReadXml for #name {
            #[allow(unused_mut)]
            fn read_xml<'i>(
                reader: &mut runtime::xml::XmlReader<'i>,
                element: &runtime::xml::Start<'i>,
            ) -> Result<Self, runtime::xml::DecodeError> {
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

#[cfg(test)]
mod tests {
    use crate::emit::sample::{contract, pretty};
    use crate::names::type_ident;

    #[test]
    fn a_reader_refusing_repeats_and_keeping_unknown_text() {
        let contract = contract();
        let t = &contract.types[0];
        insta::assert_snapshot!(pretty(super::emit_reader(t, &type_ident(&t.name))));
    }
}
