//! The one error type of the crate. Each variant says what to do about it.

use crate::envelope::{EnvelopeError, Fault};

/// Everything that can go wrong with a call. A response code other than `00` is not an error: it is
/// data in the [`Reply`](crate::client::Reply).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request field is missing or badly formatted; nothing was sent.
    #[error("field `{field}`: {reason}")]
    InvalidField {
        /// The field's XML name.
        field: String,
        /// What is wrong with it (never its value when it is card data).
        reason: String,
    },
    /// A request field is newer than the request's interfaceVersion; nothing was sent.
    #[error("field `{field}` needs interface version {since} or later, but the request declares {interface_version}: raise interfaceVersion or leave the field out")]
    FieldTooNew {
        /// The field's XML name.
        field: String,
        /// The version that introduced it.
        since: crate::message::Version,
        /// The interfaceVersion of the request.
        interface_version: String,
    },
    /// The client is configured in a way that cannot work.
    #[error("configuration: {0}")]
    Config(String),
    /// The response is not a readable SOAP message of the expected kind.
    #[error("unreadable response: {0}")]
    Envelope(#[from] EnvelopeError),
    /// A JSON response (In-App) is not JSON, or not of the expected shape.
    #[error("unreadable JSON response: {0}")]
    Json(String),
    /// The server answered with a SOAP Fault.
    #[error("SOAP fault {}: {}", .0.code, .0.string)]
    Fault(Fault),
    /// The response's seal is not the seal of its content under our key: it may have been tampered
    /// with, or the key or keyVersion differs from the server's. Never treat such a response as valid.
    #[error("the seal of the {operation} response does not match its content: check the secret key and keyVersion")]
    SealMismatch {
        /// The operation called.
        operation: &'static str,
    },
    /// A successful (`00`) response came without a seal, so nothing proves it came from the bank.
    /// [`WalletClientBuilder::accept_unsealed_success`](crate::client::WalletClientBuilder::accept_unsealed_success) allows it.
    #[error("the {operation} response says 00 but carries no seal")]
    MissingSeal {
        /// The operation called.
        operation: &'static str,
    },
    /// The server answered with an HTTP status other than 2xx and no SOAP Fault.
    #[error("HTTP {status} from the server: {body_start}")]
    Http {
        /// The status code.
        status: u16,
        /// The first bytes of the body, card numbers masked.
        body_start: String,
    },
    /// The response body is larger than the configured cap.
    #[error("the response body exceeds {limit} bytes: raise the limit with WalletClientBuilder::max_response_bytes if this is expected")]
    BodyTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// No complete answer within the configured time.
    #[error("no complete response within {0:?}: the server may be slow or unreachable")]
    Timeout(std::time::Duration),
    /// The connection failed (DNS, TCP, TLS, or closed mid-response).
    #[error("transport: {0}")]
    Transport(String),
}

impl Error {
    /// Whether the call may be tried again as is (the server may not have acted on it).
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport(_) | Error::Timeout(_))
    }
}
