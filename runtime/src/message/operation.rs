//! An operation's metadata, and the traits that tie an operation's request and response together
//! (statically, and by name for tools).

use super::{FieldInfo, Message};
use crate::effect::Effect;

/// What the WSDL says of one operation.
///
/// Not `#[non_exhaustive]`, for the reason [`FieldInfo`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// `signOff`.
    pub name: &'static str,
    /// The CLI subcommand: `sign-off`.
    pub command: &'static str,
    /// The service's name in the WSDL (`WalletService`): the call is `service/name` in traces and
    /// metrics (OpenTelemetry's `rpc.method`).
    pub service: &'static str,
    /// `service/name` (`WalletService/addCard`): OpenTelemetry's `rpc.method`, written once.
    pub method: &'static str,
    /// The `SOAPAction` header value.
    pub soap_action: &'static str,
    /// The contract's target namespace.
    pub namespace: &'static str,
    /// The prefix its namespace is written with (`urn`).
    pub prefix: &'static str,
    /// For a JSON-only function (an HTTP binding in the WSDL): the path it is posted to.
    pub http_location: Option<&'static str>,
    /// The request's wrapper element (`signOff`).
    pub request_element: &'static str,
    /// The element inside it holding the request's fields (`input`).
    pub request_child: &'static str,
    /// The response's wrapper element (`signOffResponse`).
    pub response_element: &'static str,
    /// The element inside it holding the response's fields (`output`).
    pub response_child: &'static str,
    /// Whether the elements inside the wrapper (`input`, the fields) are namespace-qualified: the
    /// schema's `elementFormDefault`. The wrapper itself, a global element, always is.
    pub qualified: bool,
    /// The interfaceVersion the documentation recommends (`WR_WS_2.51`).
    pub recommended_interface_version: Option<&'static str>,
    /// What it does to the wallets (the sidecar's `[effects]`; [`Effect::Other`] when it says
    /// nothing).
    pub effect: Effect,
    /// The operation's documentation.
    pub documentation: &'static str,
}

/// An operation of the service: generated as a marker type (`sips_wallet::contract::operations`).
pub trait Operation: Copy + Default + Send + Sync + 'static {
    /// The `input` type.
    type Request: Message;
    /// The `output` type.
    type Response: Message;
    /// `<signOff>` holding the input.
    type RequestElement: Send;
    /// `<signOffResponse>` holding the output.
    type ResponseElement: Send;
    /// What the WSDL says of it.
    const INFO: &'static OperationInfo;

    /// Puts a request in its wrapper element.
    fn wrap_request(request: Self::Request) -> Self::RequestElement;
    /// Takes a request out of its wrapper element.
    fn unwrap_request(element: Self::RequestElement) -> Self::Request;
    /// Puts a response in its wrapper element.
    fn wrap_response(response: Self::Response) -> Self::ResponseElement;
    /// Takes a response out of its wrapper element.
    fn unwrap_response(element: Self::ResponseElement) -> Self::Response;
}

/// Something done with an operation chosen at run time by name, with its types known: what the
/// generated `with_request_element` calls.
pub trait OperationVisitor {
    /// What the visit gives.
    type Output;
    /// Does it with operation `O`.
    fn visit<O: Operation>(self) -> Self::Output;
}

/// An operation picked at run time (from a contract's generated `OPERATIONS` table): what the WSDL
/// says of it and of its messages' fields.
pub trait DynOperation: Send + Sync {
    /// What the WSDL says of it.
    fn info(&self) -> &'static OperationInfo;
    /// The request type's fields.
    fn request_fields(&self) -> &'static [FieldInfo];
    /// The response type's fields.
    fn response_fields(&self) -> &'static [FieldInfo];
}

impl<O: Operation> DynOperation for O {
    fn info(&self) -> &'static OperationInfo {
        O::INFO
    }

    fn request_fields(&self) -> &'static [FieldInfo] {
        <O::Request as Message>::FIELDS
    }

    fn response_fields(&self) -> &'static [FieldInfo] {
        <O::Response as Message>::FIELDS
    }
}
