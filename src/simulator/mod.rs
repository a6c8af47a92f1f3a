//! A local stand-in for the Sips wallet service, for demos and tests: SOAP at
//! `POST /services/v2/wallet`, its WSDL at `GET /services/v2/wallet?wsdl`, and In-App
//! `paymentTokenInitialize` (JSON) at `POST /rs-services/v2/tokenInApp/paymentTokenInitialize`.
//!
//! It checks what the bank checks, in the bank's order: merchant (03), seal (34, `errorFieldName`
//! `seal`), required fields (12), fields newer than `interfaceVersion` (12), formats (30); then runs
//! the function on in-memory wallets (optionally kept in a state file) and seals its answer with the
//! merchant's key. Malformed XML gets a SOAP Fault (HTTP 500), a body over 1 MiB a 413.

pub mod wallets;

use std::any::Any;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::codec::{self, Limits, Ns};
use crate::contract::{self, NAMESPACE};
use crate::envelope::{self, Body, MessageReader};
use crate::inapp;
use crate::message::{Message, Operation, OperationVisitor};
use crate::seal::{self, Algorithm, SecretKey};
use crate::{validate, Error};
use wallets::{PaymentMean, Refusal, Wallets};

/// The built-in demo merchant's `merchantId`.
pub const DEMO_MERCHANT_ID: &str = "011223344550000";
/// The built-in demo merchant's `keyVersion`.
pub const DEMO_KEY_VERSION: &str = "1";
/// The built-in demo merchant's secret key: public, for the simulator only.
pub const DEMO_SECRET_KEY: &str = "sips-wallet-simulator-demo-key";

/// Largest request body accepted.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// A merchant the simulator knows.
#[derive(Debug, Clone)]
pub struct Merchant {
    /// `merchantId`.
    pub id: String,
    /// `keyVersion` of its key.
    pub key_version: String,
    /// Its secret key.
    pub key: SecretKey,
}

impl Merchant {
    /// The built-in demo merchant.
    pub fn demo() -> Merchant {
        Merchant {
            id: DEMO_MERCHANT_ID.into(),
            key_version: DEMO_KEY_VERSION.into(),
            key: SecretKey::new(DEMO_SECRET_KEY)
                .unwrap_or_else(|_| unreachable!("the demo key is not empty")),
        }
    }
}

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    merchants: Vec<Merchant>,
    state_file: Option<PathBuf>,
    latency: Duration,
    fail_rate: f64,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            merchants: vec![Merchant::demo()],
            state_file: None,
            latency: Duration::ZERO,
            fail_rate: 0.0,
        }
    }
}

impl SimulatorConfig {
    /// Knows one more merchant (the demo merchant is always there).
    pub fn merchant(mut self, merchant: Merchant) -> Self {
        self.merchants.push(merchant);
        self
    }

    /// Keeps the wallets in this file across restarts (written atomically before each `00` answer).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Waits this long before answering each request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Fails this share of requests (0 to 1): half answered 99, half with the connection dropped.
    pub fn fail_rate(mut self, rate: f64) -> Self {
        self.fail_rate = rate.clamp(0.0, 1.0);
        self
    }
}

struct Shared {
    config: SimulatorConfig,
    wallets: Mutex<Wallets>,
    base_url: String,
    /// The In-App key pair: the mobile SDK would encrypt card data with its public half.
    _in_app_keys: rcgen::KeyPair,
    /// Its public key, base64 DER (SubjectPublicKeyInfo), as `publicKeyValue` carries it.
    in_app_public_key: String,
}

impl Shared {
    fn new(config: SimulatorConfig, wallets: Wallets, base_url: String) -> std::io::Result<Shared> {
        let keys = rcgen::KeyPair::generate().map_err(std::io::Error::other)?;
        let in_app_public_key = {
            use base64::Engine;
            use rcgen::PublicKeyData;
            base64::engine::general_purpose::STANDARD.encode(keys.subject_public_key_info())
        };
        Ok(Shared {
            config,
            wallets: Mutex::new(wallets),
            base_url,
            _in_app_keys: keys,
            in_app_public_key,
        })
    }
}

/// A running simulator; it stops when dropped.
#[derive(Debug)]
pub struct Simulator {
    local_addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Simulator {
    /// Starts serving on `addr` (port 0 for any free port).
    pub async fn start(config: SimulatorConfig, addr: SocketAddr) -> std::io::Result<Simulator> {
        let wallets = match &config.state_file {
            Some(path) => Wallets::load(path)?,
            None => Wallets::default(),
        };
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(
            config,
            wallets,
            format!("http://{local_addr}"),
        )?);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // Out of file descriptors or the like: wait a little rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |request| handle(shared.clone(), request));
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Simulator { local_addr, task })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Its base URL, for [`WalletClientBuilder::base_url`](crate::WalletClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Serves until the task ends (it does not, unless aborted).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A failure injected by `fail_rate`: hyper drops the connection.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose (fail rate)")]
struct Dropped;

type Reply = Response<Full<Bytes>>;

async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Reply, Dropped> {
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let in_app = request.uri().path() == in_app_path();
    if request.uri().path() != crate::client::WALLET_PATH && !in_app {
        return Ok(plain(
            StatusCode::NOT_FOUND,
            "served here: /services/v2/wallet and the In-App path",
        ));
    }
    let query = request.uri().query().unwrap_or_default().to_string();
    if request.method() == hyper::Method::GET && !in_app {
        return Ok(match query.as_str() {
            "wsdl" => xml(StatusCode::OK, wsdl(&shared.base_url)),
            "xsd=wallet.xsd" => xml(
                StatusCode::OK,
                include_str!("../../wsdl/wallet.xsd").to_string(),
            ),
            _ => plain(StatusCode::NOT_FOUND, "try ?wsdl"),
        });
    }
    if request.method() != hyper::Method::POST {
        return Ok(plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "POST a SOAP envelope",
        ));
    }
    let body = match Limited::new(request.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return Ok(plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body over 1 MiB",
            ));
        }
        Err(_) => return Err(Dropped),
    };
    let failing = shared.config.fail_rate > 0.0 && fastrand::f64() < shared.config.fail_rate;
    if failing && fastrand::bool() {
        return Err(Dropped);
    }
    Ok(answer_post(&shared, in_app, &body, failing))
}

/// The answer to a POSTed body: everything the simulator does with a request once it is read.
fn answer_post(shared: &Shared, in_app: bool, body: &[u8], failing: bool) -> Reply {
    if in_app {
        return serve_json::<inapp::operations::PaymentTokenInitialize>(shared, body, failing);
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return fault("soapenv:Client", "the request is not UTF-8");
    };
    let message = match envelope::open(text, NAMESPACE, Limits::default()) {
        Ok(Body::Message(message)) => message,
        Ok(Body::Fault(_)) => return fault("soapenv:Client", "a request cannot be a Fault"),
        Err(e) => return fault("soapenv:Client", &format!("unreadable request: {e}")),
    };
    let element = message.element().clone();
    let known = if element.ns == Ns::Target {
        contract::with_request_element(
            element.local,
            Serve {
                shared,
                message: *message,
                failing,
            },
        )
    } else {
        None
    };
    known.unwrap_or_else(|| {
        fault(
            "soapenv:Client",
            &format!("unknown operation <{}>", element.describe(NAMESPACE)),
        )
    })
}

/// For `fuzz/` only: one simulator, answering raw request bodies as it answers POSTs. The first
/// byte picks the path (odd: In-App JSON); the answer's status code is returned.
pub(crate) fn answer_for_fuzzing(data: &[u8]) -> u16 {
    static SHARED: std::sync::OnceLock<Option<Shared>> = std::sync::OnceLock::new();
    let shared = SHARED.get_or_init(|| {
        Shared::new(
            SimulatorConfig::default(),
            Wallets::default(),
            "http://127.0.0.1:1".into(),
        )
        .ok()
    });
    let (Some(shared), Some((&selector, body))) = (shared, data.split_first()) else {
        return 0;
    };
    answer_post(shared, selector % 2 == 1, body, false)
        .status()
        .as_u16()
}

/// Reads, checks and answers one request of the operation the generated table picked.
struct Serve<'a, 'i> {
    shared: &'a Shared,
    message: MessageReader<'i>,
    failing: bool,
}

impl OperationVisitor for Serve<'_, '_> {
    type Output = Reply;

    fn visit<O: Operation>(self) -> Reply {
        let request: O::Request = match self
            .message
            .read(O::INFO.request_element, O::INFO.request_child)
        {
            Ok(request) => request,
            Err(e) => return fault("soapenv:Client", &format!("unreadable request: {e}")),
        };
        let response = answer::<O>(self.shared, &request, self.failing);
        match envelope::write_response::<O>(&response) {
            Ok(body) => xml(StatusCode::OK, body),
            Err(e) => fault("soapenv:Server", &e.to_string()),
        }
    }
}

/// What a wallet function produced.
#[derive(Default)]
struct Effects {
    fields: Vec<(&'static str, String)>,
    means: Vec<PaymentMean>,
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

/// Merchant (03), seal (34), required fields (12), interface version (12), formats (30).
fn check<'a, M: Message>(shared: &'a Shared, request: &M) -> Verdict<'a> {
    let merchant_id = request.text("merchantId").unwrap_or_default();
    let Some(merchant) = shared.config.merchants.iter().find(|m| m.id == merchant_id) else {
        return Verdict::Refuse {
            code: "03",
            field: String::new(),
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
    let seal_ok = request.text("keyVersion") == Some(merchant.key_version.as_str())
        && request
            .text("seal")
            .is_some_and(|s| seal::verify(algorithm, &merchant.key, &request.seal_data(), s));
    if !seal_ok {
        return refuse("34", "seal", algorithm);
    }
    if let Err(e) = validate::check_required(request) {
        return refuse("12", field_of(&e), algorithm);
    }
    match validate::check_interface_version(request) {
        Err(e @ Error::FieldTooNew { .. }) => return refuse("12", field_of(&e), algorithm),
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
    force_99: bool,
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
    if force_99 {
        set_code(response, "99");
        return seal_with;
    }
    let mut wallets = shared
        .wallets
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = shared.config.state_file.as_ref().map(|_| wallets.clone());
    match run(shared, operation, request, &mut wallets, &merchant.id) {
        Ok(effects) => {
            if let (Some(path), Some(before)) = (&shared.config.state_file, before) {
                // Persisted before the answer: a 00 is never lost by a crash.
                if *wallets != before && wallets.save(path).is_err() {
                    *wallets = before;
                    set_code(response, "99");
                    return seal_with;
                }
            }
            set_code(response, "00");
            for (field, value) in &effects.fields {
                set(response, field, value);
            }
            apply_means(response, effects);
        }
        Err(refusal) => set_code(response, refusal.code()),
    }
    seal_with
}

/// The sealed response to a request, read once: the seal is checked over the typed request.
fn answer<O: Operation>(shared: &Shared, request: &O::Request, force_99: bool) -> O::Response {
    let mut response = O::Response::default();
    let seal_with = respond(shared, O::INFO.name, request, force_99, &mut response);
    if let Some((algorithm, key)) = seal_with {
        let seal = seal::compute(algorithm, key, &response.seal_data());
        set(&mut response, "seal", &seal);
    }
    response
}

fn serve_json<O: Operation>(shared: &Shared, body: &[u8], force_99: bool) -> Reply {
    let request = match std::str::from_utf8(body)
        .map_err(|_| "the body is not UTF-8".to_string())
        .and_then(codec::read_json::<O::Request>)
    {
        Ok(request) => request,
        Err(_) => {
            return plain(
                StatusCode::BAD_REQUEST,
                "the body is not a JSON object of the request type",
            )
        }
    };
    let response = answer::<O>(shared, &request, force_99);
    let mut reply = Response::new(Full::new(Bytes::from(
        serde_json::to_vec(&response).unwrap_or_default(),
    )));
    reply.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    reply
}

fn in_app_path() -> &'static str {
    use crate::message::Operation as _;
    inapp::operations::PaymentTokenInitialize::INFO
        .http_location
        .unwrap_or("/rs-services/v2/tokenInApp/paymentTokenInitialize")
}

/// The wallet functions' semantics.
fn run<M: Message>(
    shared: &Shared,
    operation: &str,
    request: &M,
    wallets: &mut Wallets,
    merchant: &str,
) -> Result<Effects, Refusal> {
    let get = |name: &str| request.text(name);
    let wallet = get("merchantWalletId").unwrap_or_default();
    let mean_id = get("paymentMeanId").unwrap_or_default();
    let now = wallets::now();
    let mut effects = Effects::default();
    match operation {
        "addCard" => {
            let mean = wallets.add_card(
                merchant,
                wallet,
                get("cardNumber").unwrap_or_default(),
                get("cardExpiryDate").unwrap_or_default(),
                get("paymentMeanAlias"),
                get("paymentMeanBrand"),
            )?;
            effects.fields = vec![
                ("walletActionDateTime", now),
                ("paymentMeanId", mean.id.to_string()),
                ("maskedPan", mean.masked_pan),
            ];
        }
        "updatePaymentMean" => {
            wallets.update(merchant, wallet, mean_id, get("paymentMeanAlias"))?;
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "deletePaymentMean" => {
            wallets.delete(merchant, wallet, mean_id)?;
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "signOff" => {
            wallets.sign_off(merchant, wallet)?;
            effects.fields = vec![("walletActionDateTime", now)];
        }
        "getWalletData" => {
            let found = wallets.wallet(merchant, wallet)?;
            effects.fields = vec![
                ("walletCreationDateTime", found.created.clone()),
                ("walletLastActionDateTime", found.last_action.clone()),
            ];
            effects.means = found.means.values().cloned().collect();
        }
        "getPaymentMeanData" => {
            effects.one_mean = Some(wallets.payment_mean(merchant, wallet, mean_id)?.clone());
        }
        "paymentTokenInitialize" => {
            let token = format!("{:016x}", fastrand::u64(..));
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
            return Ok(Effects {
                fields: vec![("walletResponseCode", "99".into())],
                ..Effects::default()
            })
        }
    }
    Ok(effects)
}

fn apply_means<R: Message>(response: &mut R, effects: Effects) {
    let any: &mut dyn Any = response;
    if let Some(r) = any.downcast_mut::<contract::GetWalletDataResponse>() {
        r.wallet_payment_mean_data_list = effects.means.into_iter().map(mean_data).collect();
    } else if let Some(r) = any.downcast_mut::<contract::GetPaymentMeanDataResponse>() {
        r.wallet_payment_mean_data = effects.one_mean.map(mean_data);
    }
}

fn mean_data(mean: PaymentMean) -> contract::WalletPaymentMeanData {
    let mut data = contract::WalletPaymentMeanData::new()
        .payment_mean_id(mean.id.to_string())
        .masked_pan(mean.masked_pan)
        .pan_expiry_date(mean.expiry);
    data.payment_mean_alias = mean.alias;
    data.payment_mean_brand = mean.brand.map(Into::into);
    data
}

fn field_of(error: &Error) -> &str {
    match error {
        Error::InvalidField { field, .. } | Error::FieldTooNew { field, .. } => field,
        _ => "",
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

fn wsdl(base_url: &str) -> String {
    let own_address = format!("{base_url}{}", crate::client::WALLET_PATH);
    let text = include_str!("../../wsdl/wallet.wsdl");
    let text = match contract::SERVICE_ADDRESS {
        Some(published) => text.replace(published, &own_address),
        None => text.to_string(),
    };
    text.replace(
        "schemaLocation=\"wallet.xsd\"",
        "schemaLocation=\"wallet?xsd=wallet.xsd\"",
    )
}

fn xml(status: StatusCode, body: String) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}

fn plain(status: StatusCode, text: &'static str) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}

fn fault(code: &str, string: &str) -> Reply {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        envelope::write_fault(code, string),
    )
}
