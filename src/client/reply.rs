//! What a call gives back: the checked reply, or the request it would send.

use crate::exchange::Exchange;
use crate::message::OperationInfo;
use crate::Error;

/// What a call returns: the checked reply, or why there is none.
pub type CallResult<T> = Result<Reply<T>, Error>;

/// Whether a response's seal was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// The seal matches the content under our key.
    Verified,
    /// The response carried no seal (an error response, or a `00` with
    /// [`accept_unsealed_success`](crate::WalletClientBuilder::accept_unsealed_success)): nothing proves
    /// where it came from.
    Unsealed,
}

/// A decoded, checked response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reply<T> {
    /// The response message.
    pub response: T,
    /// The response code (`walletResponseCode`), raw: codes the contract does not list are kept.
    pub code: Option<String>,
    /// The documented meaning of the code, when the contract lists it.
    pub code_meaning: Option<&'static str>,
    /// Whether the seal was checked.
    pub verification: Verification,
    /// The raw exchange.
    pub exchange: Exchange,
}

impl<T> Reply<T> {
    /// Whether the response code is `00`.
    pub fn is_success(&self) -> bool {
        self.code.as_deref() == Some("00")
    }

    /// The same reply around another view of the response.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            response: f(self.response),
            code: self.code,
            code_meaning: self.code_meaning,
            verification: self.verification,
            exchange: self.exchange,
        }
    }
}

/// A request ready to send: what `--dry-run` prints.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PreparedRequest {
    /// The operation.
    pub operation: &'static OperationInfo,
    /// Where it goes.
    pub uri: String,
    /// The sealed SOAP envelope (or JSON body), exactly as it would be sent (card number in clear:
    /// do not log it).
    pub body: String,
    /// `text/xml; charset=utf-8` or `application/json`.
    pub content_type: &'static str,
    /// The string that was sealed (card number in clear: do not log it).
    pub seal_data: String,
    pub(super) target: http::Uri,
    pub(super) json: bool,
}
