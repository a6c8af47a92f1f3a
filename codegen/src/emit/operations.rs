//! Render step: the document/literal wrapper elements and one marker type per operation, with what
//! the WSDL says of it (`OperationInfo`).

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, yaserde};
use crate::model::*;
use crate::names::{field_ident, snake_case, type_ident};

pub(super) fn emit_wrapper(w: &Wrapper, prefix: &str, namespace: &str) -> TokenStream {
    let name = type_ident(&w.element);
    let element = w.element.as_str();
    let child = w.child.as_str();
    let child_ident = field_ident(&w.child);
    let child_type = type_ident(&w.child_type);
    let (yaserde_element, yaserde_child) =
        yaserde::wrapper_attributes(element, child, prefix, namespace);
    let doc = docs(&format!(
        "`<{element}>`, holding one `<{child}>` of type [`{child_type}`](super::{child_type})."
    ));
    quote! {
        #doc
        #[derive(Clone, Default, Debug, PartialEq)]
        #yaserde_element
        pub struct #name {
            #[allow(missing_docs)]
            #yaserde_child
            pub #child_ident: super::#child_type,
        }
    }
}

pub(super) fn emit_operation(o: &Operation, contract: &Contract) -> TokenStream {
    let name = type_ident(&o.name);
    let op_name = o.name.as_str();
    let method = format!("{}/{}", contract.service_name, o.name);
    let doc = if o.documentation.is_empty() {
        docs(&format!(
            "The operation `{}` (not documented in the WSDL).",
            o.name
        ))
    } else {
        docs(&o.documentation)
    };
    // parse_contract keeps only operations whose elements are wrappers.
    let input = contract
        .wrapper(&o.input_element)
        .cloned()
        .unwrap_or_else(|| Wrapper {
            element: o.input_element.clone(),
            child: "input".into(),
            child_type: String::new(),
        });
    let output = contract
        .wrapper(&o.output_element)
        .cloned()
        .unwrap_or_else(|| Wrapper {
            element: o.output_element.clone(),
            child: "output".into(),
            child_type: String::new(),
        });
    let request_ty = type_ident(&input.child_type);
    let response_ty = type_ident(&output.child_type);
    let request_el = type_ident(&input.element);
    let response_el = type_ident(&output.element);
    let in_child = field_ident(&input.child);
    let out_child = field_ident(&output.child);
    let in_element = input.element.as_str();
    let in_child_name = input.child.as_str();
    let out_child_name = output.child.as_str();
    let out_element = output.element.as_str();
    let soap_action = o.soap_action.as_str();
    let documentation = o.documentation.as_str();
    let recommended = match &o.recommended_interface_version {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let cli_name = snake_case(&o.name).replace('_', "-");
    // A fieldless enum's `Debug` is its variant's name.
    let effect = quote::format_ident!("{}", format!("{:?}", o.effect));
    let qualified = contract.qualified;
    let http_location = match &o.http_location {
        Some(l) => quote!(Some(#l)),
        None => quote!(None),
    };
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, Default)]
        pub struct #name;

        impl runtime::message::Operation for #name {
            type Request = super::#request_ty;
            type Response = super::#response_ty;
            type RequestElement = super::elements::#request_el;
            type ResponseElement = super::elements::#response_el;

            const INFO: &'static runtime::message::OperationInfo = &runtime::message::OperationInfo {
                name: #op_name,
                command: #cli_name,
                soap_action: #soap_action,
                http_location: #http_location,
                service: super::SERVICE,
                method: #method,
                namespace: super::NAMESPACE,
                prefix: super::PREFIX,
                request_element: #in_element,
                request_child: #in_child_name,
                response_element: #out_element,
                response_child: #out_child_name,
                qualified: #qualified,
                recommended_interface_version: #recommended,
                effect: runtime::effect::Effect::#effect,
                documentation: #documentation,
            };

            fn wrap_request(request: Self::Request) -> Self::RequestElement {
                super::elements::#request_el { #in_child: request }
            }

            fn unwrap_request(element: Self::RequestElement) -> Self::Request {
                element.#in_child
            }

            fn wrap_response(response: Self::Response) -> Self::ResponseElement {
                super::elements::#response_el { #out_child: response }
            }

            fn unwrap_response(element: Self::ResponseElement) -> Self::Response {
                element.#out_child
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::emit::sample::{contract, pretty};

    #[test]
    fn a_wrapper_and_an_operation_marker() {
        let contract = contract();
        insta::assert_snapshot!(pretty(super::emit_wrapper(
            &contract.wrappers[0],
            "urn",
            "urn:example"
        )));
        insta::assert_snapshot!(pretty(super::emit_operation(
            &contract.operations[0],
            &contract
        )));
    }
}
