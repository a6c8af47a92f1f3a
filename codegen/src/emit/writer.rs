//! Render step: each message type's XML writer (the runtime's `XmlWriter`).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::*;
use crate::names::field_ident;

/// The quick-xml writer of a type: its fields in schema order, each as `<prefix:name>`, or as
/// `<name>` when the schema's local elements are unqualified (`prefix` is then `None`).
pub(super) fn emit_writer(t: &ComplexType, name: &Ident, prefix: Option<&str>) -> TokenStream {
    let element = |local: &str| match prefix {
        Some(prefix) => format!("{prefix}:{local}"),
        None => local.to_string(),
    };
    let unknown_name = element("{field}");
    let steps = t.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let xml_name = f.name.as_str();
        let qualified = element(&f.name);
        let write_one = |v: TokenStream| match &f.ty {
            FieldType::Text => quote!(writer.text(#qualified, #xml_name, #v)?;),
            FieldType::Enum(_) => quote!(writer.text(#qualified, #xml_name, #v.as_str())?;),
            FieldType::Complex(_) => quote! {
                writer.open(#qualified, "");
                runtime::xml::WriteXml::write_xml(#v, writer)?;
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
        impl runtime::xml::WriteXml for #name {
            fn write_xml(&self, writer: &mut runtime::xml::XmlWriter) -> Result<(), runtime::xml::EncodeError> {
                #(#steps)*
                for (field, value) in self.unknown_fields.iter() {
                    writer.text(&format!(#unknown_name), field, value)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::emit::sample::{contract, pretty};
    use crate::names::type_ident;

    #[test]
    fn a_writer_in_schema_order() {
        let contract = contract();
        let t = &contract.types[0];
        insta::assert_snapshot!(pretty(super::emit_writer(
            t,
            &type_ident(&t.name),
            Some("urn")
        )));
        let unqualified = pretty(super::emit_writer(t, &type_ident(&t.name), None));
        assert!(
            unqualified.contains(r#"writer.text("merchantWalletId""#),
            "{unqualified}"
        );
        assert!(!unqualified.contains("urn:"), "{unqualified}");
    }
}
