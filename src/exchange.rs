//! A call's request and response as they travelled: what an error or a reply carries for a
//! support ticket. Below `error` and `client`, so both can hold one.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::mask::{mask_message, Secrets};
use crate::protocol::SENSITIVE_FIELDS;

/// The request and response of a call as they travelled, for a support ticket. The bodies are
/// kept as they were and masked when asked for ([`request`](Exchange::request),
/// [`response`](Exchange::response), `Debug`), so a call nobody inspects pays nothing for them.
#[derive(Clone)]
#[non_exhaustive]
pub struct Exchange {
    /// The URI posted to.
    pub uri: String,
    /// The HTTP status.
    pub status: u16,
    /// From sending the request to having read the whole response.
    pub duration: Duration,
    request: Bytes,
    response: Bytes,
}

impl Exchange {
    pub(crate) fn new(
        uri: String,
        status: u16,
        duration: Duration,
        request: Bytes,
        response: Bytes,
    ) -> Exchange {
        Exchange {
            uri,
            status,
            duration,
            request,
            response,
        }
    }

    /// The request body, card numbers and IBANs masked.
    pub fn request(&self) -> String {
        let request = String::from_utf8_lossy(&self.request);
        mask_message(&request, SENSITIVE_FIELDS).into_owned()
    }

    /// The response body, card numbers and IBANs masked: by pattern, and the request's own by
    /// value, however the answer spells them.
    pub fn response(&self) -> String {
        let response = String::from_utf8_lossy(&self.response);
        self.secrets()
            .mask_message(&response, SENSITIVE_FIELDS)
            .into_owned()
    }

    /// The card numbers and IBANs the request carried.
    pub(crate) fn secrets(&self) -> Secrets {
        Secrets::of_message(&String::from_utf8_lossy(&self.request), SENSITIVE_FIELDS)
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("uri", &self.uri)
            .field("status", &self.status)
            .field("duration", &self.duration)
            .field("request", &self.request())
            .field("response", &self.response())
            .finish()
    }
}
