//! What the simulator sends back at the HTTP level: the body type every reply carries, and the
//! plain, XML, JSON and SOAP Fault replies; a connection dropped on purpose.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::{Response, StatusCode};

use crate::envelope;

/// A connection closed on purpose (fail rate, a scenario's `drop`, the request timeout): hyper
/// drops the connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose ({0})")]
pub(super) struct Dropped(pub &'static str);

/// An HTTP reply of the simulator.
pub(super) type HttpReply = Response<ReplyBody>;

/// What the simulator's replies carry: a whole body, or one paced or cut by a fault.
pub(super) type ReplyBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// A whole body.
pub(super) fn whole(bytes: impl Into<Bytes>) -> ReplyBody {
    http_body_util::Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A JSON body of the admin API (what serde writes of `value`, masked once more when it escaped a
/// control character).
pub(super) fn json_reply<T: serde::Serialize + ?Sized>(status: StatusCode, value: &T) -> HttpReply {
    let json = serde_json::to_string(value).unwrap_or_default();
    // The values are masked already, but serde_json writes a control character as `\u0001`,
    // whose digits, read as written, could join digits beside it into a card number (as `Debug`'s
    // escapes could): then the reply is masked once more as a whole.
    let json = if json.contains("\\u00") {
        crate::mask::mask_text(&json).into_owned()
    } else {
        json
    };
    let mut response = Response::new(whole(json));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

pub(super) fn xml(status: StatusCode, body: String) -> HttpReply {
    let mut response = Response::new(whole(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}

/// The answer to a body over [`MAX_REQUEST_BYTES`](super::MAX_REQUEST_BYTES).
pub(super) fn too_large() -> HttpReply {
    plain(StatusCode::PAYLOAD_TOO_LARGE, "request body over 1 MiB")
}

pub(super) fn plain(status: StatusCode, text: &'static str) -> HttpReply {
    let mut response = Response::new(whole(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}

pub(super) fn fault_reply(code: &str, string: &str) -> HttpReply {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        envelope::write_fault(code, string),
    )
}
