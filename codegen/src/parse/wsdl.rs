//! The last stage: the WSDL's operations (their messages' wrapper elements, SOAP action or HTTP
//! location, documentation) and the service's address.

use std::collections::HashMap;

use crate::model::{parse_recommended_version, Contract, Operation};
use crate::xml::{Element, WSDL, WSDL_HTTP, WSDL_SOAP11};
use crate::{Error, Warning};

pub(super) fn read_wsdl(
    file: &str,
    root: &Element,
    contract: &mut Contract,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let messages: HashMap<&str, String> = root
        .children_named(WSDL, "message")
        .filter_map(|m| {
            let part = m.child(WSDL, "part")?;
            let element = part.attr("element")?;
            Some((m.attr("name")?, m.resolve_qname(element).1))
        })
        .collect();

    // A SOAP 1.1 binding, or an HTTP binding for a JSON-only service.
    let binding = root.children_named(WSDL, "binding").find(|b| {
        b.child(WSDL_SOAP11, "binding").is_some() || b.child(WSDL_HTTP, "binding").is_some()
    });
    let Some(binding) = binding else {
        return Err(Error::new(
            file,
            "binding",
            "no SOAP 1.1 (soap:binding) or HTTP (http:binding) binding in the WSDL",
        ));
    };
    let is_http = binding.child(WSDL_HTTP, "binding").is_some();
    if binding
        .child(WSDL_SOAP11, "binding")
        .and_then(|b| b.attr("style"))
        == Some("rpc")
    {
        return Err(Error::new(
            file,
            "binding",
            "rpc style is not supported; only document/literal",
        ));
    }
    let port_type_name = binding
        .attr("type")
        .map(|t| binding.resolve_qname(t).1)
        .unwrap_or_default();
    let port_type = root
        .children_named(WSDL, "portType")
        .find(|p| p.attr("name") == Some(port_type_name.as_str()))
        .ok_or_else(|| {
            Error::new(
                file,
                "binding",
                format!("portType {port_type_name} not found"),
            )
        })?;

    for operation in port_type.children_named(WSDL, "operation") {
        let name = operation.attr("name").unwrap_or_default();
        let message_of = |direction: &str| -> Result<String, Error> {
            let message = operation
                .child(WSDL, direction)
                .and_then(|i| i.attr("message"))
                .map(|m| operation.resolve_qname(m).1)
                .ok_or_else(|| {
                    Error::new(
                        file,
                        name,
                        format!("operation has no wsdl:{direction} message"),
                    )
                })?;
            messages.get(message.as_str()).cloned().ok_or_else(|| {
                Error::new(
                    file,
                    name,
                    format!("message {message} has no part with element="),
                )
            })
        };
        let input_element = message_of("input")?;
        let output_element = message_of("output")?;
        let missing = [&input_element, &output_element]
            .into_iter()
            .find(|e| contract.wrapper(e).is_none());
        if let Some(missing) = missing {
            warnings.push(Warning::new(
                file,
                name,
                format!("element {missing} is not a wrapper element; operation skipped"),
            ));
            continue;
        }
        let bound = binding
            .children_named(WSDL, "operation")
            .find(|o| o.attr("name") == Some(name));
        let soap_action = bound
            .and_then(|o| o.child(WSDL_SOAP11, "operation"))
            .and_then(|o| o.attr("soapAction"))
            .unwrap_or_default()
            .to_string();
        let http_location = if is_http {
            let location = bound
                .and_then(|o| o.child(WSDL_HTTP, "operation"))
                .and_then(|o| o.attr("location"))
                .ok_or_else(|| {
                    Error::new(
                        file,
                        name,
                        "an HTTP binding operation needs http:operation location=",
                    )
                })?;
            Some(location.to_string())
        } else {
            None
        };
        let documentation = operation.documentation();
        contract.operations.push(Operation {
            name: name.to_string(),
            recommended_interface_version: parse_recommended_version(&documentation),
            documentation,
            soap_action,
            http_location,
            input_element,
            output_element,
            effect: sips_wallet_runtime::effect::Effect::Other,
        });
    }

    contract.service_name = root
        .children_named(WSDL, "service")
        .chain(root.children_named(WSDL, "portType"))
        .find_map(|s| s.attr("name"))
        .unwrap_or("Service")
        .to_string();
    contract.service_address = root
        .children_named(WSDL, "service")
        .flat_map(|s| s.children_named(WSDL, "port"))
        .find_map(|p| {
            p.child(WSDL_SOAP11, "address")?
                .attr("location")
                .map(str::to_string)
        });
    Ok(())
}
