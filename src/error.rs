//! The one error type of the crate. Each variant says what to do about it; [`Error::delivery`] says
//! whether the bank may have acted on the request, and [`Error::exchange`] gives the request and
//! response as they travelled (card numbers masked when shown) for a support ticket, for the
//! errors that have a whole answer to show (not [`Error::BodyTooLarge`]: its body was never read
//! whole).

use crate::envelope::{EnvelopeError, Fault};
use crate::exchange::Exchange;
use crate::validate::FieldError;

/// A lower-level error kept as a [`source`](std::error::Error::source).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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
    /// The client is configured in a way that cannot work; nothing was sent.
    #[error("configuration: {0}")]
    Config(String),
    /// No connection could be made (DNS, TCP, TLS handshake, proxy): nothing was sent, so the call
    /// can be tried again safely.
    #[error("cannot connect to {uri}: check the URL, the network and any proxy")]
    Connect {
        /// Where the client tried to connect.
        uri: String,
        /// Why (hyper's, rustls' or the system's error).
        #[source]
        source: BoxError,
    },
    /// The TLS handshake failed on the server's certificate (not trusted, expired, another name):
    /// nothing was sent. Trying again changes nothing; trusting the right root does.
    #[error("the server at {uri} presented a certificate this client does not trust: if the bank's root is a private one (a test platform, the simulator's --tls), trust it with WalletClientBuilder::root_certificate (CLI: --root-certificate)")]
    Certificate {
        /// Where the client tried to connect.
        uri: String,
        /// rustls' verdict on the certificate.
        #[source]
        source: BoxError,
    },
    /// The request may have been sent but no complete answer came (the connection was closed or
    /// reset): the bank may have acted on it. Check with a read before repeating a change.
    #[error("the connection failed before a complete answer: the outcome is unknown")]
    Transport {
        /// The lower-level error.
        #[source]
        source: BoxError,
    },
    /// No complete answer within the call's time budget: the bank may have acted on the request.
    #[error("no complete response within {0:?}: the server may be slow or unreachable; the outcome is unknown")]
    Timeout(std::time::Duration),
    /// The response is not a readable SOAP message of the expected kind.
    #[error("unreadable response: {error}")]
    Envelope {
        /// What is wrong with it.
        #[source]
        error: EnvelopeError,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// A JSON response is not JSON, or not of the expected shape.
    #[error("unreadable JSON response: {message}")]
    Json {
        /// What is wrong with it (card numbers masked).
        message: String,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// The server answered with a SOAP Fault.
    #[error("SOAP fault {}: {}", .fault.code, .fault.string)]
    Fault {
        /// The fault (masked, cut to 1 KiB).
        fault: Fault,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// The response's seal is not the seal of its content under our key: it may have been tampered
    /// with, or the key or keyVersion differs from the server's. Never treat such a response as valid.
    #[error("the seal of the {operation} response does not match its content: check the secret key and keyVersion")]
    SealMismatch {
        /// The operation called.
        operation: &'static str,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// The answer says `34`, the bank refusing the request's seal, and its own seal does not verify
    /// under this key either: the secret key or its version (`keyVersion`) is not the one the bank
    /// holds for this merchant. (The code is read from an answer nothing vouches for: it says what
    /// to check, and is never taken as a result.)
    #[error("the bank refused the seal of the {operation} request (34): check the secret key and its version")]
    SealRefused {
        /// The operation called.
        operation: &'static str,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// The response holds a part its seal cannot vouch for (an empty list item or nested object,
    /// which adds nothing to the sealed string), or a list longer than the crate reads: refused
    /// whole, never `Verified`. A bank does not send such parts; something on the way added them.
    #[error("the {operation} response is refused: {error}")]
    Shape {
        /// The operation called.
        operation: &'static str,
        /// Which part, and what is wrong with it.
        #[source]
        error: crate::seal::ShapeError,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// A successful (`00`) response came without a seal, so nothing proves it came from the bank.
    /// [`WalletClientBuilder::accept_unsealed_success`](crate::client::WalletClientBuilder::accept_unsealed_success) allows it.
    #[error("the {operation} response says 00 but carries no seal")]
    MissingSeal {
        /// The operation called.
        operation: &'static str,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// The server answered with an HTTP status other than 2xx and no SOAP Fault.
    #[error("HTTP {status} from the server: {body_start}")]
    Http {
        /// The status code.
        status: u16,
        /// The first bytes of the body, card numbers masked.
        body_start: String,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// A read was retried ([`RetryPolicy`](crate::RetryPolicy)) and every attempt failed: the last
    /// attempt's error, and how many were made. [`delivery`](Error::delivery), `status`,
    /// `is_timeout` and the others answer for the last attempt.
    #[error("{last} (gave up after {attempts} attempts)")]
    Retried {
        /// Attempts made, the first included.
        attempts: u32,
        /// The last attempt's error.
        last: Box<Error>,
    },
    /// The response body is larger than the configured cap (the server did answer).
    #[error("the response body exceeds {limit} bytes: raise the limit with WalletClientBuilder::max_response_bytes if this is expected")]
    BodyTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
}

impl From<FieldError> for Error {
    fn from(error: FieldError) -> Error {
        match error {
            FieldError::Invalid { field, reason } => Error::InvalidField { field, reason },
            FieldError::TooNew {
                field,
                since,
                interface_version,
            } => Error::FieldTooNew {
                field,
                since,
                interface_version,
            },
        }
    }
}

/// Whether the bank may have acted on a request that ended in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// Nothing reached the bank: the call can be repeated as is.
    NotSent,
    /// The request may have reached the bank, and no answer says what it did: read before
    /// repeating a change.
    Unknown,
    /// The bank answered (with something this client refuses).
    Answered,
}

impl Error {
    /// Whether the bank may have acted on the request.
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Retried { last, .. } => last.delivery(),
            Error::InvalidField { .. }
            | Error::FieldTooNew { .. }
            | Error::Config(_)
            | Error::Connect { .. }
            | Error::Certificate { .. } => Delivery::NotSent,
            Error::Transport { .. } | Error::Timeout(_) => Delivery::Unknown,
            Error::Envelope { .. }
            | Error::Json { .. }
            | Error::Fault { .. }
            | Error::SealMismatch { .. }
            | Error::SealRefused { .. }
            | Error::Shape { .. }
            | Error::MissingSeal { .. }
            | Error::Http { .. }
            | Error::BodyTooLarge { .. } => Delivery::Answered,
        }
    }

    /// The exchange, for errors that happened after an answer arrived.
    pub fn exchange(&self) -> Option<&Exchange> {
        match self {
            Error::Retried { last, .. } => last.exchange(),
            Error::Envelope { exchange, .. }
            | Error::Json { exchange, .. }
            | Error::Fault { exchange, .. }
            | Error::SealMismatch { exchange, .. }
            | Error::SealRefused { exchange, .. }
            | Error::Shape { exchange, .. }
            | Error::MissingSeal { exchange, .. }
            | Error::Http { exchange, .. } => Some(exchange),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when one arrived.
    pub fn status(&self) -> Option<u16> {
        self.exchange().map(|e| e.status)
    }

    /// Whether the call ran out of time.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Retried { last, .. } => last.is_timeout(),
            other => matches!(other, Error::Timeout(_)),
        }
    }

    /// Whether no connection could be made (a refused certificate included).
    pub fn is_connect(&self) -> bool {
        match self {
            Error::Retried { last, .. } => last.is_connect(),
            other => matches!(other, Error::Connect { .. } | Error::Certificate { .. }),
        }
    }

    /// A stable name for the kind of error (of the last attempt, when retried): what `--output
    /// json`, logs and metrics label it with. Never holds data from the call.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Retried { last, .. } => last.kind(),
            Error::InvalidField { .. } => "invalid_field",
            Error::FieldTooNew { .. } => "field_too_new",
            Error::Config(_) => "configuration",
            Error::Connect { .. } => "connect",
            Error::Certificate { .. } => "tls",
            Error::Transport { .. } => "transport",
            Error::Timeout(_) => "timeout",
            Error::Envelope { .. } => "decode",
            Error::Json { .. } => "decode",
            Error::Fault { .. } => "soap_fault",
            Error::SealMismatch { .. } => "seal_mismatch",
            Error::SealRefused { .. } => "seal_refused",
            Error::Shape { .. } => "unvouched_part",
            Error::MissingSeal { .. } => "missing_seal",
            Error::Http { .. } => "http_status",
            Error::BodyTooLarge { .. } => "body_too_large",
        }
    }

    /// The error and its sources on one line: what the CLI prints and what a log line should hold.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            // thiserror's `#[source]` on a field also shown in the message: do not repeat it.
            if !text.ends_with(&cause_text) {
                text.push_str(": ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        text
    }
}
