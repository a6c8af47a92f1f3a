//! Operations and messages picked at run time, by the WSDL's operation names and the data
//! dictionary's field names: what the command line, the tour and tools use. Everything here goes
//! through the contracts' operation tables and field metadata, never through generated type names,
//! so a vendor's WSDL can replace the bundled one and this still builds.

use std::future::Future;
use std::pin::Pin;

use crate::envelope::{self, Body, Content, EnvelopeError, MessageReader};
use crate::message::{DynOperation, Message, Operation, OperationVisitor, UnknownField};
use crate::seal::Value;
use crate::xml::Limits;
use crate::{contract, contracts, Error, PreparedRequest, Reply, WalletClient};

/// Sends `operation` with `fields` (XML name, value) and returns the response as a tree.
pub async fn call(
    client: &WalletClient,
    operation: &'static dyn DynOperation,
    fields: &[(&str, &str)],
) -> Result<Reply<Value>, Error> {
    match visit(operation, Call { client, fields }) {
        Some(call) => call.await,
        None => Err(not_in_the_contracts(operation)),
    }
}

/// Fills, checks and seals `operation`'s request from `fields`, without sending it (what
/// `--dry-run` prints). See [`WalletClient::prepare`].
pub fn prepare(
    client: &WalletClient,
    operation: &'static dyn DynOperation,
    fields: &[(&str, &str)],
) -> Result<PreparedRequest, Error> {
    visit(operation, Prepare { client, fields })
        .unwrap_or_else(|| Err(not_in_the_contracts(operation)))
}

/// Runs `visitor` with the typed operation behind `operation`, from whichever contract has it.
fn visit<V: OperationVisitor>(operation: &dyn DynOperation, visitor: V) -> Option<V::Output> {
    contracts::visit(operation.info(), visitor)
}

fn not_in_the_contracts(operation: &dyn DynOperation) -> Error {
    Error::Config(format!(
        "{} is in neither contract this crate was built with",
        operation.info().name
    ))
}

/// A request of `O` with `fields` set by their XML names.
fn request<O: Operation>(fields: &[(&str, &str)]) -> Result<O::Request, Error> {
    let mut request = O::Request::default();
    for (name, value) in fields {
        request
            .set_text(name, value)
            .map_err(|e: UnknownField| Error::Config(e.to_string()))?;
    }
    Ok(request)
}

struct Call<'a> {
    client: &'a WalletClient,
    fields: &'a [(&'a str, &'a str)],
}

impl<'a> OperationVisitor for Call<'a> {
    type Output = Pin<Box<dyn Future<Output = Result<Reply<Value>, Error>> + Send + 'a>>;

    fn visit<O: Operation>(self) -> Self::Output {
        Box::pin(async move {
            let request = request::<O>(self.fields)?;
            let reply = self.client.call(O::default(), request).await?;
            Ok(reply.map(|response| response.to_value()))
        })
    }
}

struct Prepare<'a> {
    client: &'a WalletClient,
    fields: &'a [(&'a str, &'a str)],
}

impl OperationVisitor for Prepare<'_> {
    type Output = Result<PreparedRequest, Error>;

    fn visit<O: Operation>(self) -> Self::Output {
        let mut request = request::<O>(self.fields)?;
        self.client.prepare::<O>(&mut request)
    }
}

/// Reads a request or a response of the wallet contract, whichever its Body holds, with its
/// operation's generated reader, as a tree of values (for tools such as the `seal` command).
pub fn read_wallet_message(xml: &str) -> Result<Content<Value>, EnvelopeError> {
    let message = match envelope::open(xml, contract::NAMESPACE, Limits::default())? {
        Body::Fault(fault) => return Ok(Content::Fault(fault)),
        Body::Message(message) => message,
    };
    let element = message.element().clone();
    let request = contract::OPERATIONS
        .iter()
        .any(|o| o.info().request_element == element.local);
    let visitor = ReadAsValue {
        message: *message,
        request,
    };
    let read = match element.ns {
        crate::xml::Ns::Target if request => contract::with_request_element(element.local, visitor),
        crate::xml::Ns::Target => contract::with_response_element(element.local, visitor),
        _ => None,
    };
    read.unwrap_or_else(|| {
        Err(EnvelopeError::UnexpectedElement {
            expected: "a request or response of the wallet contract".into(),
            found: element.describe(contract::NAMESPACE),
        })
    })
    .map(Content::Message)
}

struct ReadAsValue<'i> {
    message: MessageReader<'i>,
    request: bool,
}

impl OperationVisitor for ReadAsValue<'_> {
    type Output = Result<Value, EnvelopeError>;

    fn visit<O: Operation>(self) -> Self::Output {
        let info = O::INFO;
        Ok(if self.request {
            self.message
                .read::<O::Request>(info.request_element, info.request_child, info.qualified)?
                .to_value()
        } else {
            self.message
                .read::<O::Response>(info.response_element, info.response_child, info.qualified)?
                .to_value()
        })
    }
}

/// Why a message given as text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadMessageError {
    /// It starts like JSON but is not.
    #[error("the input is not valid JSON: {0}")]
    Json(String),
    /// It is a SOAP Fault, which carries no seal.
    #[error("the input is a SOAP Fault ({code}: {string}), which carries no seal")]
    Fault {
        /// `faultcode` (masked).
        code: String,
        /// `faultstring` (masked, cut).
        string: String,
    },
    /// It is neither JSON nor an envelope of the wallet contract.
    #[error("the input is neither JSON nor a readable envelope: {0}")]
    Envelope(EnvelopeError),
}

/// A message's fields from its JSON, or from a SOAP envelope of the wallet contract: what the
/// `seal` command explains. A SOAP Fault, which has no seal, is refused.
pub fn read_message(input: &str) -> Result<Value, ReadMessageError> {
    let trimmed = input.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(trimmed)
            .map_err(|e| ReadMessageError::Json(crate::mask::from_outside(&e.to_string())))?;
        return Ok(Value::from_json(&json));
    }
    match read_wallet_message(input) {
        Ok(Content::Message(value)) => Ok(value),
        Ok(Content::Fault(fault)) => Err(ReadMessageError::Fault {
            code: fault.code,
            string: fault.string,
        }),
        Err(e) => Err(ReadMessageError::Envelope(e)),
    }
}
