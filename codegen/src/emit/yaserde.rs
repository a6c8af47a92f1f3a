//! Render step: the optional yaserde attributes, every one behind `cfg_attr(feature = "yaserde")`
//! of the crate that includes the generated code, so a build without that feature compiles
//! neither yaserde nor xml-rs.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::*;

/// On a message type's struct: the derives and the element's name and namespace.
pub(super) fn struct_attributes(type_name: &str, prefix: &str, namespace: &str) -> TokenStream {
    quote!(#[cfg_attr(feature = "yaserde", derive(::yaserde::YaSerialize, ::yaserde::YaDeserialize), yaserde(rename = #type_name, prefix = #prefix, namespaces = { #prefix = #namespace }))])
}

/// On a field: its XML name; a required text field missing from a message decodes as empty, so
/// it is reported by its XML name rather than as a decoder error about a Rust field.
pub(super) fn field_attributes(field: &Field, prefix: &str) -> TokenStream {
    let xml_name = field.name.as_str();
    let default = match (field.occurs, &field.ty) {
        (Occurs::Required, FieldType::Text) => quote!(, default = "empty_text"),
        _ => quote!(),
    };
    quote!(#[cfg_attr(feature = "yaserde", yaserde(rename = #xml_name, prefix = #prefix #default))])
}

/// On `unknown_fields`: yaserde neither reads nor writes them.
pub(super) fn unknown_fields_attribute() -> TokenStream {
    quote!(#[cfg_attr(feature = "yaserde", yaserde(skip_serializing = true, default = "no_unknown_fields", rename = "__unknown_fields"))])
}

/// On a wrapper element's struct, and on the field holding its message.
pub(super) fn wrapper_attributes(
    element: &str,
    child: &str,
    prefix: &str,
    namespace: &str,
) -> (TokenStream, TokenStream) {
    (
        quote!(#[cfg_attr(feature = "yaserde", derive(::yaserde::YaSerialize, ::yaserde::YaDeserialize), yaserde(rename = #element, prefix = #prefix, namespaces = { #prefix = #namespace }))]),
        quote!(#[cfg_attr(feature = "yaserde", yaserde(rename = #child, prefix = #prefix))]),
    )
}

/// The functions the attributes above name as defaults.
pub(super) fn helpers() -> TokenStream {
    quote! {
        /// What a required text field decodes to when yaserde reads a message that leaves it out.
        #[cfg(feature = "yaserde")]
        fn empty_text() -> runtime::text::Text {
            runtime::text::Text::new()
        }

        /// What yaserde, which never reads unknown fields, leaves in `unknown_fields`.
        #[cfg(feature = "yaserde")]
        fn no_unknown_fields() -> runtime::message::UnknownFields {
            runtime::message::UnknownFields::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_is_behind_the_feature() {
        let field = Field {
            name: "merchantId".into(),
            ty: FieldType::Text,
            occurs: Occurs::Required,
            documentation: String::new(),
            since: None,
            builtin: None,
            facets: Vec::new(),
        };
        let (element, child) = wrapper_attributes("signOff", "input", "urn", "urn:x");
        for tokens in [
            struct_attributes("T", "urn", "urn:x"),
            field_attributes(&field, "urn"),
            unknown_fields_attribute(),
            element,
            child,
        ] {
            let text = tokens.to_string();
            assert!(
                text.starts_with("# [cfg_attr (feature = \"yaserde\""),
                "{text}"
            );
        }
        assert!(field_attributes(&field, "urn")
            .to_string()
            .contains("default = \"empty_text\""));
        let helpers = helpers().to_string();
        assert_eq!(
            helpers.matches("# [cfg (feature = \"yaserde\")]").count(),
            2
        );
    }
}
