//! What the bank does with one request: route it, read it once, check it in the bank's order, run
//! the wallet function in one transaction, seal the answer; and what a scenario rule changes.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::{Request, Response, StatusCode};

use super::bank::Bank;
use super::faults::{self, whole, Fault, ReplyBody};
use super::scenario::{Call, Drop, Effect};
use super::wallets::{MeanView, Outcome, PaymentMean, Refusal, Wallets};
use super::{Merchant, Shared, SimulatorConfig};
use crate::codec::{Limits, Ns};
use crate::contract::{self, NAMESPACE};
use crate::envelope::{self, Body, MessageReader};
use crate::inapp;
use crate::json;
use crate::mask::Secrets;
use crate::message::{Message, Operation, OperationInfo, OperationVisitor, Version};
use crate::seal::{self, Algorithm, SecretKey};
use crate::validate::{self, FieldError};

/// A connection closed on purpose (fail rate, a scenario's `drop`, the request timeout): hyper
/// drops the connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose ({0})")]
pub(super) struct Dropped(pub &'static str);

pub(super) type Reply = Response<ReplyBody>;

/// One line of the request log: never a card number.
#[derive(Debug, Default)]
struct CallLog {
    operation: &'static str,
    merchant: String,
    wallet: String,
    code: String,
}

/// A POST's answer, and what the scenario adds to it.
struct Answered {
    reply: Reply,
    effect: Effect,
    log: CallLog,
}

impl Answered {
    fn plain(reply: Reply) -> Answered {
        Answered {
            reply,
            effect: Effect::default(),
            log: CallLog::default(),
        }
    }
}

pub(super) async fn handle(shared: Arc<Shared>, request: Request<Bytes>) -> Result<Reply, Dropped> {
    if shared.admin && request.uri().path().starts_with(super::admin::PREFIX) {
        return Ok(super::admin::handle(&shared, request).await);
    }
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let Some(route) = Route::of(request.uri().path()) else {
        return Ok(plain(
            StatusCode::NOT_FOUND,
            "served here: /services/v2/wallet (SOAP), /rs-services/v2/wallet/<function> (JSON) and the In-App path",
        ));
    };
    let query = request.uri().query().unwrap_or_default().to_string();
    if request.method() == hyper::Method::GET && route == Route::Soap {
        return Ok(match published(&shared, &query) {
            Some(text) => xml(StatusCode::OK, text),
            None => plain(StatusCode::NOT_FOUND, "try ?wsdl"),
        });
    }
    if request.method() != hyper::Method::POST {
        return Ok(plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "POST a SOAP envelope",
        ));
    }
    let body = request.into_body();
    let started = Instant::now();
    let number = shared.calls.fetch_add(1, Ordering::Relaxed) + 1;
    let rate = shared.config.fail_rate;
    let (failing, dropped) = if rate > 0.0 {
        shared.random(|random| {
            let failing = random.f64() < rate;
            (failing, failing && random.bool())
        })
    } else {
        (false, false)
    };
    if dropped {
        tracing::info!(call = number, "dropped the connection (fail rate)");
        return Err(Dropped("fail rate"));
    }
    // Answered where the connection is served, a file's calls too: the store has one connection,
    // so its calls run one at a time wherever they run, and a hop to another thread cost more
    // than the call itself (measured). A disk stall (a WAL checkpoint's fsync) holds every call
    // either way.
    let mut answered = answer_post(&shared, route, &body, failing, number, None);
    if !answered.effect.commit_delay.is_zero() {
        // The function runs later, in a task of its own: it commits (and the call is recorded)
        // even when the client has given up and the connection is gone.
        let (later, effect) = (shared.clone(), answered.effect.clone());
        let running = tokio::spawn(async move {
            tokio::time::sleep(effect.commit_delay).await;
            let answered = answer_post(&later, route, &body, failing, number, Some(&effect));
            record(&later, number, &answered);
            answered
        });
        answered = running
            .await
            .map_err(|_| Dropped("the delayed function did not finish"))?;
    } else {
        record(&shared, number, &answered);
    }
    let Answered { reply, effect, log } = answered;
    let delay = effect.delay + effect.fault.map_or(std::time::Duration::ZERO, Fault::delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let reply = match effect.fault {
        Some(fault) => with_fault(fault, reply).await,
        None => reply,
    };
    tracing::info!(
        call = number,
        operation = log.operation,
        merchant = %log.merchant,
        wallet = %log.wallet,
        code = %log.code,
        status = reply.status().as_u16(),
        dropped = ?effect.drop,
        duration_ms = started.elapsed().as_millis() as u64,
        "answered"
    );
    if effect.drop != Drop::Never {
        return Err(Dropped("scenario rule"));
    }
    Ok(reply)
}

/// Puts a call in the list the admin API shows, once its function has run (or was skipped).
fn record(shared: &Shared, number: u64, answered: &Answered) {
    let log = &answered.log;
    shared.calls_seen.push(super::admin::CallRecord {
        number,
        time: super::wallets::now(),
        operation: log.operation,
        merchant: log.merchant.clone(),
        wallet: log.wallet.clone(),
        code: log.code.clone(),
        outcome: match answered.effect.drop {
            Drop::Before => "dropped before",
            Drop::After => "dropped after",
            _ => "answered",
        },
    });
}

/// The answer as a fault makes it (the faults that change the message itself were applied when
/// it was made).
async fn with_fault(fault: Fault, reply: Reply) -> Reply {
    let (parts, body) = reply.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let rebuilt = |body| Response::from_parts(parts.clone(), body);
    match fault {
        Fault::TruncatedBody => {
            let half = bytes.len() / 2;
            rebuilt(faults::paced(
                bytes,
                half.max(1),
                std::time::Duration::ZERO,
                Some(half),
            ))
        }
        Fault::Trickle => rebuilt(faults::paced(
            bytes,
            16,
            std::time::Duration::from_millis(50),
            None,
        )),
        Fault::Html502 | Fault::Html504 => {
            let status = if fault == Fault::Html502 { 502 } else { 504 };
            let mut page = Response::new(whole(faults::html_page(status)));
            *page.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            page.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/html"),
            );
            page
        }
        Fault::SoapFault => fault_reply(
            "soapenv:Server",
            "the service is temporarily unavailable (a scenario fault)",
        ),
        Fault::InvalidXml => xml(
            StatusCode::OK,
            "<soapenv:Envelope><soapenv:Body><broken".into(),
        ),
        _ => rebuilt(whole(bytes)),
    }
}

/// Where a request goes, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// SOAP envelopes of the wallet functions.
    Soap,
    /// A wallet function in JSON, found in the operation table by its name.
    WalletJson(&'static OperationInfo),
    /// An In-App function (JSON), found in its operation table by its HTTP location.
    InApp(&'static OperationInfo),
}

impl Route {
    fn of(path: &str) -> Option<Route> {
        if path == crate::protocol::WALLET_PATH {
            return Some(Route::Soap);
        }
        if let Some(info) = inapp::OPERATIONS
            .iter()
            .map(|o| o.info())
            .find(|info| info.http_location == Some(path))
        {
            return Some(Route::InApp(info));
        }
        let name = path.strip_prefix(crate::protocol::WALLET_JSON_PATH)?;
        contract::OPERATIONS
            .iter()
            .map(|o| o.info())
            .find(|info| info.name == name)
            .map(Route::WalletJson)
    }
}

/// The answer to a POSTed body: everything the simulator does with a request once it is read.
/// `decided`: the scenario's effect, when a first pass decided it and deferred the function.
fn answer_post(
    shared: &Shared,
    route: Route,
    body: &[u8],
    failing: bool,
    number: u64,
    decided: Option<&Effect>,
) -> Answered {
    match route {
        Route::Soap => answer_soap(shared, body, failing, number, decided),
        Route::InApp(info) | Route::WalletJson(info) => {
            let serve = ServeJson {
                shared,
                body,
                failing,
                number,
                decided,
            };
            contract::with_request_element(info.request_element, serve)
                .or_else(|| inapp::with_request_element(info.request_element, serve))
                .unwrap_or_else(|| {
                    Answered::plain(plain(StatusCode::NOT_FOUND, "no such function"))
                })
        }
    }
}

/// Answers one JSON request of the operation the generated table picked.
#[derive(Clone, Copy)]
struct ServeJson<'a> {
    shared: &'a Shared,
    body: &'a [u8],
    failing: bool,
    number: u64,
    decided: Option<&'a Effect>,
}

impl OperationVisitor for ServeJson<'_> {
    type Output = Answered;

    fn visit<O: Operation>(self) -> Answered {
        serve_json::<O>(
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
    failing: bool,
    number: u64,
    decided: Option<&Effect>,
) -> Answered {
    let Ok(text) = std::str::from_utf8(body) else {
        return Answered::plain(fault_reply("soapenv:Client", "the request is not UTF-8"));
    };
    let message = match envelope::open(text, NAMESPACE, Limits::default()) {
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
        contract::with_request_element(
            element.local,
            Serve {
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

/// For `fuzz/` only: one simulator, answering raw request bodies as it answers POSTs. The first
/// byte picks the path (SOAP, In-App, or a wallet function in JSON); the answer's status code is
/// returned.
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
    let route = match selector % 3 {
        0 => Route::Soap,
        1 => inapp::OPERATIONS
            .first()
            .map_or(Route::Soap, |o| Route::InApp(o.info())),
        _ => contract::OPERATIONS
            .get(usize::from(selector / 3) % contract::OPERATIONS.len())
            .map_or(Route::Soap, |o| Route::WalletJson(o.info())),
    };
    answer_post(shared, route, body, false, 1, None)
        .reply
        .status()
        .as_u16()
}

/// Reads, checks and answers one request of the operation the generated table picked.
struct Serve<'a, 'i> {
    shared: &'a Shared,
    message: MessageReader<'i>,
    failing: bool,
    number: u64,
    decided: Option<&'a Effect>,
}

impl OperationVisitor for Serve<'_, '_> {
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
        let (response, effect, log) = answer::<O>(
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

/// What a wallet function produced.
#[derive(Default)]
struct Effects {
    fields: Vec<(&'static str, String)>,
    one_mean: Option<PaymentMean>,
}

/// The outcome of the checks the bank makes before running a function.
enum Verdict<'a> {
    /// Run it; answer sealed with this key.
    Pass(&'a Merchant, Algorithm),
    /// Answer this code now (sealed when the merchant is known).
    Refuse {
        code: &'static str,
        field: String,
        seal_with: Option<(Algorithm, &'a SecretKey)>,
    },
}

/// Merchant (03), key version and seal (34), required fields (12), interface version (12), formats (30).
fn check<'a, M: Message>(shared: &'a Shared, request: &M) -> Verdict<'a> {
    let merchant_id = request.text("merchantId").unwrap_or_default();
    let mut keys = shared
        .merchants
        .iter()
        .filter(|m| m.id == merchant_id)
        .peekable();
    if keys.peek().is_none() {
        return Verdict::Refuse {
            code: "03",
            field: String::new(),
            seal_with: None,
        };
    }
    let key_version = request.text("keyVersion").unwrap_or_default();
    let Some(merchant) = keys.find(|m| m.key_version == key_version) else {
        // No key of that version: the seal cannot be checked, nor the answer sealed. *inferred*:
        // the bank's exact answer here is not documented; 34 is its answer to a seal it rejects.
        return Verdict::Refuse {
            code: "34",
            field: "keyVersion".into(),
            seal_with: None,
        };
    };
    let refuse = |code, field: &str, algorithm| Verdict::Refuse {
        code,
        field: field.to_string(),
        seal_with: Some((algorithm, &merchant.key)),
    };
    let algorithm = match request.text("sealAlgorithm") {
        None => Algorithm::HmacSha256,
        Some(name) => match Algorithm::from_name(name) {
            Some(a) => a,
            None => return refuse("30", "sealAlgorithm", Algorithm::HmacSha256),
        },
    };
    let seal_ok = request
        .text("seal")
        .is_some_and(|s| seal::verify(algorithm, &merchant.key, &request.seal_data(), s));
    if !seal_ok {
        return refuse("34", "seal", algorithm);
    }
    if let Err(e) = validate::check_required(request) {
        return refuse("12", field_of(&e), algorithm);
    }
    match validate::check_interface_version(request) {
        Err(e @ FieldError::TooNew { .. }) => return refuse("12", field_of(&e), algorithm),
        Err(e) => return refuse("30", field_of(&e), algorithm),
        Ok(()) => {}
    }
    if let Err(e) = validate::check_formats(request) {
        return refuse("30", field_of(&e), algorithm);
    }
    Verdict::Pass(merchant, algorithm)
}

/// Checks, runs and fills in the response; the key to seal it with.
fn respond<'a, M: Message, R: Message>(
    shared: &'a Shared,
    operation: &str,
    request: &M,
    forced: Option<&str>,
    response: &mut R,
) -> Option<(Algorithm, &'a SecretKey)> {
    let (merchant, algorithm) = match check(shared, request) {
        Verdict::Pass(merchant, algorithm) => (merchant, algorithm),
        Verdict::Refuse {
            code,
            field,
            seal_with,
        } => {
            set_code(response, code);
            if !field.is_empty() {
                set(response, "errorFieldName", &field);
                set(
                    response,
                    "redirectionStatusMessage",
                    &format!("invalid field: {field}"),
                );
            }
            return seal_with;
        }
    };
    let seal_with = Some((algorithm, &merchant.key));
    if let Some(code) = forced {
        // A scenario's answer or the fail rate's 99: the function is not run.
        set_code(response, code);
        return seal_with;
    }
    // Committed before the answer is written: a 00 is never lost by a crash. (A wallet's means
    // go into the response as they are read.)
    let outcome = shared
        .store
        .transaction(|wallets| run(shared, operation, request, wallets, &merchant.id, response));
    let bank = shared.bank();
    match outcome {
        Ok(Ok(effects)) => {
            set_code(response, "00");
            let shows = shown_at(bank, request);
            for (field, value) in &effects.fields {
                if shows(field) {
                    set(response, field, value);
                }
            }
            if let Some(mean) = &effects.one_mean {
                put_mean(response, ONE_MEAN_FIELD, mean.view(), &shows);
            }
        }
        Ok(Err(Refusal::Unknown)) => set_code(response, bank.code_for_unknown()),
        Ok(Err(refusal)) => set_code(response, refusal.code()),
        Err(error) => {
            tracing::error!(%error, operation, "the state could not be read or written: answered 99");
            // Nothing read before the failure is shown.
            *response = R::default();
            set_code(response, "99");
        }
    }
    seal_with
}

/// The sealed response to a request, read once: the seal is checked over the typed request. The
/// scenario's rule for the call, if any, says what else happens.
fn answer<O: Operation>(
    shared: &Shared,
    request: &O::Request,
    failing: bool,
    number: u64,
    decided: Option<&Effect>,
) -> (O::Response, Effect, CallLog) {
    let call = Call {
        operation: O::INFO.name,
        merchant: request.text("merchantId"),
        wallet: request.text("merchantWalletId"),
        card: request.text("cardNumber"),
        number,
    };
    let effect = match decided {
        Some(effect) => effect.clone(),
        None => shared.decide(&call),
    };
    let forced = match &effect.answer {
        Some(code) => Some(code.as_str()),
        None if failing => Some("99"),
        None if effect.fault == Some(Fault::Unsealed00) => Some("00"),
        None => None,
    };
    let mut response = O::Response::default();
    // Closed before anything is applied, or a fault the function does not run for, or a function
    // deferred to a second pass (`decided`): nothing runs now.
    let deferred = decided.is_none() && !effect.commit_delay.is_zero();
    let skipped = deferred
        || effect.drop == Drop::Before
        || effect
            .fault
            .is_some_and(|f| !f.runs_the_function() && f != Fault::Unsealed00);
    let seal_with = if skipped {
        None
    } else {
        respond(shared, O::INFO.name, request, forced, &mut response)
    };
    match (seal_with, effect.fault) {
        (_, Some(Fault::Unsealed00)) => {}
        (Some((algorithm, key)), fault) => {
            let mut seal = seal::compute(algorithm, key, &response.seal_data());
            if fault == Some(Fault::WrongSeal) {
                // The seal of other content: one hex digit changed.
                let last = if seal.ends_with('0') { "1" } else { "0" };
                seal.replace_range(seal.len() - 1.., last);
            }
            set(&mut response, "seal", &seal);
        }
        (None, _) => {}
    }
    let secrets = Secrets::of_fields(contract::SENSITIVE_FIELDS, |field| request.text(field));
    let log = CallLog {
        operation: O::INFO.name,
        // Both came from the request: free text a client may fill with anything, the request's own
        // card number or IBAN included; cut, so that the call list stays small.
        merchant: secrets.shown(call.merchant.unwrap_or_default()),
        wallet: secrets.shown(call.wallet.unwrap_or_default()),
        code: response
            .text("walletResponseCode")
            .or_else(|| response.text("redirectionStatusCode"))
            .unwrap_or_default()
            .to_string(),
    };
    (response, effect, log)
}

fn serve_json<O: Operation>(
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
    let (response, effect, log) = answer::<O>(shared, &request, failing, number, decided);
    let reply = json_reply(StatusCode::OK, &response);
    Answered { reply, effect, log }
}

/// The wallet functions' semantics.
fn run<M: Message, R: Message>(
    shared: &Shared,
    operation: &str,
    request: &M,
    wallets: &Wallets,
    merchant: &str,
    response: &mut R,
) -> Result<Outcome<Effects>, rusqlite::Error> {
    let get = |name: &str| request.text(name);
    let bank = shared.bank();
    let shows = shown_at(bank, request);
    let wallet = get("merchantWalletId").unwrap_or_default();
    let mean_id = get("paymentMeanId").unwrap_or_default();
    let now = wallets.now().to_string();
    let mut effects = Effects::default();
    match operation {
        "addCard" | "addDirectDebit" => {
            let alias = stored_alias(bank, request);
            let alias = alias.as_deref();
            let added = if operation == "addCard" {
                let card = get("cardNumber").unwrap_or_default();
                wallets.add_card(
                    merchant,
                    wallet,
                    card,
                    bank.mask_pan(card),
                    get("cardExpiryDate").unwrap_or_default(),
                    alias,
                    get("paymentMeanBrand"),
                )?
            } else {
                wallets.add_mandate(
                    merchant,
                    wallet,
                    get("iban").unwrap_or_default(),
                    get("mandateId").unwrap_or_default(),
                    alias,
                    get("paymentMeanBrand"),
                )?
            };
            let mean = match added {
                Ok(mean) => mean,
                Err(refusal) => return Ok(Err(refusal)),
            };
            effects.fields = vec![
                ("walletActionDateTime", now),
                ("paymentMeanId", mean.id.to_string()),
                ("maskedPan", mean.masked_pan),
            ];
        }
        "updatePaymentMean" => {
            let alias = stored_alias(bank, request);
            if let Err(refusal) = wallets.update(merchant, wallet, mean_id, alias.as_deref())? {
                return Ok(Err(refusal));
            }
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "deletePaymentMean" => {
            if let Err(refusal) = wallets.delete(merchant, wallet, mean_id)? {
                return Ok(Err(refusal));
            }
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "signOff" => {
            if let Err(refusal) = wallets.sign_off(merchant, wallet)? {
                return Ok(Err(refusal));
            }
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "getWalletData" => {
            let read = wallets.wallet(merchant, wallet, |mean| {
                put_mean(response, MEAN_LIST_FIELD, mean, &shows)
            })?;
            let dates = match read {
                Ok(dates) => dates,
                Err(refusal) => return Ok(Err(refusal)),
            };
            effects.fields = vec![
                ("walletCreationDateTime", dates.created),
                ("walletLastActionDateTime", dates.last_action),
            ];
        }
        "getPaymentMeanData" => match wallets.payment_mean(merchant, wallet, mean_id)? {
            Ok(mean) => effects.one_mean = Some(mean),
            Err(refusal) => return Ok(Err(refusal)),
        },
        "paymentTokenInitialize" => {
            let token = format!("{:016x}", shared.random(|random| random.u64(..)));
            effects.fields = vec![
                (
                    "redirectionUrl",
                    format!("{}/inapp/{token}", shared.base_url),
                ),
                ("redirectionVersion", "1.0".into()),
                ("redirectionStatusMessage", "Token initialized".into()),
                ("publicKeyValue", shared.in_app_public_key.clone()),
            ];
        }
        // An operation added to the WSDL but not simulated: 99, the platform's "temporary problem".
        _ => {
            return Ok(Ok(Effects {
                fields: vec![("walletResponseCode", "99".into())],
                ..Effects::default()
            }))
        }
    }
    Ok(Ok(effects))
}

/// The alias a request gives, as the bank stores it: trimmed if it trims, and the request's own
/// card number or IBAN masked by value wherever the buyer spelled it there (the store masks the
/// rest by pattern).
fn stored_alias<M: Message>(bank: &Bank, request: &M) -> Option<String> {
    let alias = bank.stored_alias(request.text("paymentMeanAlias"))?;
    let secrets = Secrets::of_fields(contract::SENSITIVE_FIELDS, |field| request.text(field));
    Some(secrets.mask(alias).into_owned())
}

/// The contract's names for payment-mean data in responses: a list in getWalletData, one in
/// getPaymentMeanData (the data dictionary's names; a WSDL without them gets no means, and says so).
const MEAN_LIST_FIELD: &str = "walletPaymentMeanDataList";
const ONE_MEAN_FIELD: &str = "walletPaymentMeanData";

/// Which fields an answer to `request` shows: all, unless the bank leaves out those newer than the
/// request's interfaceVersion.
fn shown_at<'b, M: Message>(bank: &'b Bank, request: &M) -> impl Fn(&str) -> bool + 'b {
    let version = request
        .text("interfaceVersion")
        .and_then(Version::of_interface_version);
    move |field: &str| bank.shows(field, version)
}

/// One payment mean into a response field, through the contract's field names (those `shows`
/// allows).
fn put_mean<R: Message>(
    response: &mut R,
    field: &str,
    mean: MeanView<'_>,
    shows: &impl Fn(&str) -> bool,
) {
    let id = mean.id.to_string();
    let mut record = vec![
        ("paymentMeanId", id.as_str()),
        ("maskedPan", mean.masked_pan),
    ];
    if !mean.expiry.is_empty() {
        record.push(("panExpiryDate", mean.expiry));
    }
    if let Some(mandate) = mean.mandate_id {
        record.push(("mandateId", mandate));
    }
    if let Some(alias) = mean.alias {
        record.push(("paymentMeanAlias", alias));
    }
    if let Some(brand) = mean.brand {
        record.push(("paymentMeanBrand", brand));
    }
    record.retain(|(name, _)| shows(name));
    if let Err(error) = response.push_record(field, &record) {
        tracing::warn!(%error, "the contract cannot carry a payment mean here: left out");
    }
}

fn field_of(error: &FieldError) -> &str {
    match error {
        FieldError::Invalid { field, .. } | FieldError::TooNew { field, .. } => field,
    }
}

fn set<M: Message>(message: &mut M, field: &str, value: &str) {
    // A field the response type lacks (a WSDL without it) is simply not sent.
    let _ = message.set_text(field, value);
}

/// The response code field is `walletResponseCode` (wallet) or `redirectionStatusCode` (In-App).
fn set_code<M: Message>(message: &mut M, code: &str) {
    set(message, "walletResponseCode", code);
    set(message, "redirectionStatusCode", code);
}

/// A document of the published contract for `?wsdl` or `?xsd=NAME`: the WSDL with its address
/// pointing here, every `schemaLocation` pointing at `wallet?xsd=NAME` here.
fn published(shared: &Shared, query: &str) -> Option<String> {
    let built_in: Vec<(&str, &str)>;
    let files: Vec<(&str, &str)> = match &shared.config.published {
        Some(files) => files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect(),
        None => {
            built_in = contract::WALLET_CONTRACT_FILES.to_vec();
            built_in
        }
    };
    let text = match query {
        "wsdl" => {
            let (_, wsdl) = files
                .iter()
                .find(|(n, _)| *n == "wallet.wsdl")
                .or_else(|| files.iter().find(|(n, _)| n.ends_with(".wsdl")))?;
            let own_address = format!("{}{}", shared.base_url, crate::protocol::WALLET_PATH);
            match contract::SERVICE_ADDRESS {
                Some(address) => wsdl.replace(address, &own_address),
                None => wsdl.to_string(),
            }
        }
        _ => {
            let name = query.strip_prefix("xsd=")?;
            let with_suffix = format!("{name}.xsd");
            files
                .iter()
                .find(|(n, _)| n.ends_with(".xsd") && (*n == name || *n == with_suffix))?
                .1
                .to_string()
        }
    };
    Some(point_schema_locations_here(&text))
}

/// `schemaLocation="…/x.xsd"` (relative, or absolute as CXF writes it) → `schemaLocation="wallet?xsd=x.xsd"`.
fn point_schema_locations_here(text: &str) -> String {
    const ATTRIBUTE: &str = "schemaLocation=\"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(ATTRIBUTE) {
        let value_start = at + ATTRIBUTE.len();
        let Some(length) = rest[value_start..].find('"') else {
            break;
        };
        let location = &rest[value_start..value_start + length];
        let name = location.rsplit(['/', '=']).next().unwrap_or(location);
        out.push_str(&rest[..value_start]);
        out.push_str("wallet?xsd=");
        out.push_str(name);
        rest = &rest[value_start + length..];
    }
    out.push_str(rest);
    out
}

/// A JSON body (what serde writes of `value`).
pub(super) fn json_reply<T: serde::Serialize + ?Sized>(status: StatusCode, value: &T) -> Reply {
    let mut response = Response::new(whole(serde_json::to_vec(value).unwrap_or_default()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

fn xml(status: StatusCode, body: String) -> Reply {
    let mut response = Response::new(whole(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}

/// The answer to a body over [`MAX_REQUEST_BYTES`].
pub(super) fn too_large() -> Reply {
    plain(StatusCode::PAYLOAD_TOO_LARGE, "request body over 1 MiB")
}

fn plain(status: StatusCode, text: &'static str) -> Reply {
    let mut response = Response::new(whole(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}

fn fault_reply(code: &str, string: &str) -> Reply {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        envelope::write_fault(code, string),
    )
}
