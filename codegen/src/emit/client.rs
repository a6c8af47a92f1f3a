//! Render step: one method per operation (async, or blocking) on the client type `ClientMethods`
//! names.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use crate::model::*;
use crate::names::{snake_case, type_ident};

pub(super) fn emit_client_methods(
    contract: &Contract,
    client: &crate::ClientMethods,
) -> TokenStream {
    let path = |what: &str, text: &str| -> syn::Path {
        match syn::parse_str(text) {
            Ok(p) => p,
            Err(e) => panic!("ClientMethods::{what} is not a Rust path: {e}"),
        }
    };
    let client_type = path("client_type", &client.client_type);
    let result_type = path("result_type", &client.result_type);
    let module = path("contract", &client.contract);
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
        Some(if client.blocking {
            quote! {
                #doc
                ///
                #detail
                pub fn #method(&self, request: #module::#request_ty) -> #result_type<#module::#response_ty> {
                    self.call(#module::operations::#marker, request)
                }
            }
        } else {
            quote! {
                #doc
                ///
                #detail
                pub async fn #method(&self, request: #module::#request_ty) -> #result_type<#module::#response_ty> {
                    self.call(#module::operations::#marker, request).await
                }
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
    use crate::emit::sample::{contract, pretty};
    use crate::ClientMethods;

    #[test]
    fn one_method_per_operation_on_the_named_client() {
        let client = ClientMethods {
            client_type: "crate::WalletClient".into(),
            result_type: "crate::CallResult".into(),
            contract: "crate::contract".into(),
            blocking: false,
        };
        let rendered = pretty(super::emit_client_methods(&contract(), &client));
        assert!(rendered.contains("impl crate::WalletClient"), "{rendered}");
        assert!(!rendered.contains("(SOAP)"), "{rendered}");
        insta::assert_snapshot!(rendered);
    }

    #[test]
    fn blocking_methods_return_at_once() {
        let client = ClientMethods {
            client_type: "crate::blocking::WalletClient".into(),
            result_type: "crate::CallResult".into(),
            contract: "crate::contract".into(),
            blocking: true,
        };
        let rendered = pretty(super::emit_client_methods(&contract(), &client));
        assert!(
            rendered.contains("impl crate::blocking::WalletClient"),
            "{rendered}"
        );
        assert!(
            !rendered.contains("async") && !rendered.contains(".await"),
            "{rendered}"
        );
        insta::assert_snapshot!(rendered);
    }
}
