//! A request's body read as the bank reads it: routed by its path (SOAP, or JSON by function), read
//! once by the operation the generated table picks (a SOAP Fault when it cannot be read), answered
//! and framed back the same way.

use hyper::StatusCode;

use super::reply::{fault_reply, json_reply, plain, xml, HttpReply};
use super::respond::{respond, CallLog};
use super::scenario::Effect;
use super::state::Shared;
use super::SimulatorConfig;
use crate::contract::NAMESPACE;
use crate::contracts;
use crate::envelope::{self, Body, MessageReader};
use crate::json;
use crate::message::{Operation, OperationInfo, OperationVisitor};
use crate::xml::{decode_document, Limits, Ns};

/// A POST's answer, and what the scenario adds to it.
pub(super) struct Answered {
    pub(super) reply: HttpReply,
    pub(super) effect: Effect,
    pub(super) log: CallLog,
}

impl Answered {
    fn plain(reply: HttpReply) -> Answered {
        Answered {
            reply,
            effect: Effect::default(),
            log: CallLog::default(),
        }
    }
}

/// Where a request goes, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// SOAP envelopes of the wallet functions.
    Soap,
    /// A function in JSON: a wallet function by its name under the JSON path, an In-App one at its
    /// own HTTP location.
    Json(&'static OperationInfo),
}

impl Route {
    pub(super) fn of(path: &str) -> Option<Route> {
        if path == crate::protocol::WALLET_PATH {
            return Some(Route::Soap);
        }
        let by_name = path.strip_prefix(crate::protocol::WALLET_JSON_PATH);
        contracts::operations()
            .map(|o| o.info())
            .find(|info| match info.http_location {
                Some(location) => location == path,
                None => by_name == Some(info.name),
            })
            .map(Route::Json)
    }
}

/// The answer to a POSTed body: everything the simulator does with a request once it is read.
/// `decided`: the scenario's effect, when a first pass decided it and deferred the function.
pub(super) fn answer_body(
    shared: &Shared,
    route: Route,
    body: &[u8],
    charset: Option<&str>,
    failing: bool,
    number: u64,
    decided: Option<&Effect>,
) -> Answered {
    match route {
        Route::Soap => answer_soap(shared, body, charset, failing, number, decided),
        Route::Json(info) => {
            let read = ReadJson {
                shared,
                body,
                failing,
                number,
                decided,
            };
            contracts::visit(info, read).unwrap_or_else(|| {
                Answered::plain(plain(StatusCode::NOT_FOUND, "no such function"))
            })
        }
    }
}

/// Answers one JSON request of the operation the generated table picked.
#[derive(Clone, Copy)]
struct ReadJson<'a> {
    shared: &'a Shared,
    body: &'a [u8],
    failing: bool,
    number: u64,
    decided: Option<&'a Effect>,
}

impl OperationVisitor for ReadJson<'_> {
    type Output = Answered;

    fn visit<O: Operation>(self) -> Answered {
        read_json::<O>(
            self.shared,
            self.body,
            self.failing,
            self.number,
            self.decided,
        )
    }
}

fn answer_soap(
    shared: &Shared,
    body: &[u8],
    charset: Option<&str>,
    failing: bool,
    number: u64,
    decided: Option<&Effect>,
) -> Answered {
    // In the encoding the client names (header, declaration); answered in UTF-8 whatever it was.
    let text = match decode_document(body, charset) {
        Ok(text) => text,
        Err(e) => {
            return Answered::plain(fault_reply(
                "soapenv:Client",
                &format!("the request cannot be read as text: {e}"),
            ))
        }
    };
    let message = match envelope::open(&text, NAMESPACE, Limits::default()) {
        Ok(Body::Message(message)) => message,
        Ok(Body::Fault(_)) => {
            return Answered::plain(fault_reply("soapenv:Client", "a request cannot be a Fault"))
        }
        Err(e) => {
            return Answered::plain(fault_reply(
                "soapenv:Client",
                &format!("unreadable request: {e}"),
            ))
        }
    };
    let element = message.element().clone();
    let known = if element.ns == Ns::Target {
        crate::contract::with_request_element(
            element.local,
            ReadSoap {
                shared,
                message: *message,
                failing,
                number,
                decided,
            },
        )
    } else {
        None
    };
    known.unwrap_or_else(|| {
        Answered::plain(fault_reply(
            "soapenv:Client",
            &format!("unknown operation <{}>", element.describe(NAMESPACE)),
        ))
    })
}

/// Reads, checks and answers one request of the operation the generated table picked.
struct ReadSoap<'a, 'i> {
    shared: &'a Shared,
    message: MessageReader<'i>,
    failing: bool,
    number: u64,
    decided: Option<&'a Effect>,
}

impl OperationVisitor for ReadSoap<'_, '_> {
    type Output = Answered;

    fn visit<O: Operation>(self) -> Answered {
        let request: O::Request = match self.message.read(
            O::INFO.request_element,
            O::INFO.request_child,
            O::INFO.qualified,
        ) {
            Ok(request) => request,
            Err(e) => {
                return Answered::plain(fault_reply(
                    "soapenv:Client",
                    &format!("unreadable request: {e}"),
                ))
            }
        };
        let (response, effect, log) = respond::<O>(
            self.shared,
            &request,
            self.failing,
            self.number,
            self.decided,
        );
        let reply = match envelope::write_response::<O>(&response) {
            Ok(body) => xml(StatusCode::OK, body),
            Err(e) => fault_reply("soapenv:Server", &e.to_string()),
        };
        Answered { reply, effect, log }
    }
}

fn read_json<O: Operation>(
    shared: &Shared,
    body: &[u8],
    failing: bool,
    number: u64,
    decided: Option<&Effect>,
) -> Answered {
    let request = match std::str::from_utf8(body)
        .map_err(|_| "the body is not UTF-8".to_string())
        .and_then(json::read_json::<O::Request>)
    {
        Ok(request) => request,
        Err(_) => {
            return Answered::plain(plain(
                StatusCode::BAD_REQUEST,
                "the body is not a JSON object of the request type",
            ))
        }
    };
    let (response, effect, log) = respond::<O>(shared, &request, failing, number, decided);
    let reply = json_reply(StatusCode::OK, &response);
    Answered { reply, effect, log }
}

/// For `fuzz/` only: one simulator, answering raw request bodies as it answers POSTs. The first
/// byte picks the path (SOAP, or a function, wallet or In-App, in JSON) and, for SOAP, the charset
/// the request's Content-Type names; the answer's status code is returned.
pub(crate) fn answer_for_fuzzing(data: &[u8]) -> u16 {
    static SHARED: std::sync::OnceLock<Option<Shared>> = std::sync::OnceLock::new();
    let shared = SHARED.get_or_init(|| {
        Shared::new(
            SimulatorConfig::default(),
            ([127, 0, 0, 1], 1).into(),
            "http",
        )
        .ok()
    });
    let (Some(shared), Some((&selector, body))) = (shared, data.split_first()) else {
        return 0;
    };
    // SOAP, or one of the functions (wallet or In-App) in JSON.
    let functions: Vec<_> = contracts::operations().map(|o| o.info()).collect();
    let route = match selector % 2 {
        0 => Route::Soap,
        _ => functions
            .get(usize::from(selector / 2) % functions.len().max(1))
            .map_or(Route::Soap, |info| Route::Json(info)),
    };
    const CHARSETS: [Option<&str>; 4] = [
        None,
        Some("utf-8"),
        Some("ISO-8859-1"),
        Some("windows-1252"),
    ];
    let charset = CHARSETS[usize::from(selector >> 1) % CHARSETS.len()];
    answer_body(shared, route, body, charset, false, 1, None)
        .reply
        .status()
        .as_u16()
}
