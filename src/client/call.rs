//! One call's phases: prepare (fill the common fields, check, seal, frame as SOAP or JSON), send
//! (the call's timeout and, for reads, retries), read (decode once, verify the seal over the typed
//! message, check what the seal can vouch for).

use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use tracing::Instrument;

use super::builder::add_headers;
use super::environment::{endpoint, Binding, JSON_CONTENT_TYPE, SOAP_CONTENT_TYPE};
use super::observe::{CallEvent, Outcome};
use super::reply::{PreparedRequest, Reply, Verification};
use super::WalletClient;
use crate::envelope::{self, Content, EnvelopeError, Fault};
use crate::exchange::Exchange;
use crate::mask::mask_message;
use crate::message::{Message, Operation, OperationInfo};
use crate::protocol::{
    REFUSED_SEAL_CODE, RESPONSE_CODE_FIELDS, SENSITIVE_FIELDS, WALLET_JSON_PATH,
};
use crate::seal::{self, Algorithm};
use crate::transport::HttpResponse;
use crate::xml::{self, EncodeError, Limits};
use crate::{json, validate, Error};

impl WalletClient {
    /// Fills the common fields of a request, writes its IBANs in their electronic form (upper
    /// case, no spaces), checks it and seals it: everything but sending.
    ///
    /// `interfaceVersion` is the one chosen for the operation on the builder, else the operation's
    /// recommended one, unless the request sets another.
    pub fn prepare<O: Operation>(
        &self,
        request: &mut O::Request,
    ) -> Result<PreparedRequest, Error> {
        self.fill_common(request, self.default_interface_version(O::INFO))?;
        // IBANs as the bank writes them, before the check and the seal.
        validate::normalize_request(request);
        validate::check_request(request)?;
        let seal_data = request.seal_data();
        let seal = seal::compute(self.inner.algorithm, &self.inner.key, &seal_data);
        set_field(request, "seal", &seal)?;
        let json_path = match (O::INFO.http_location, self.inner.binding) {
            (Some(path), _) => Some(path.to_string()),
            (None, Binding::Json) => Some(format!("{WALLET_JSON_PATH}{}", O::INFO.name)),
            (None, Binding::Soap) => None,
        };
        let (target, uri, body, content_type) = match &json_path {
            None => (
                self.inner.wallet_uri.clone(),
                self.inner.wallet_uri_text.clone(),
                envelope::write_request::<O>(request).map_err(invalid_field)?,
                SOAP_CONTENT_TYPE,
            ),
            Some(path) => {
                let target = endpoint(&self.inner.base, path)?;
                let uri = target.to_string();
                (
                    target,
                    uri,
                    serde_json::to_string_pretty(request).map_err(|e| {
                        Error::Config(format!("cannot write the JSON request: {e}"))
                    })?,
                    JSON_CONTENT_TYPE,
                )
            }
        };
        Ok(PreparedRequest {
            operation: O::INFO,
            uri,
            body,
            content_type,
            seal_data,
            target,
            json: json_path.is_some(),
        })
    }

    fn fill_common<M: Message>(
        &self,
        request: &mut M,
        recommended: Option<&str>,
    ) -> Result<(), Error> {
        set_field(request, "merchantId", &self.inner.merchant_id)?;
        set_field(request, "keyVersion", &self.inner.key_version)?;
        if request.text("interfaceVersion").is_none() {
            let version = recommended.ok_or_else(|| Error::InvalidField {
                field: "interfaceVersion".into(),
                reason: "the WSDL recommends none for this operation: set it on the request".into(),
            })?;
            set_field(request, "interfaceVersion", version)?;
        }
        if self.inner.algorithm != Algorithm::HmacSha256 {
            set_field(request, "sealAlgorithm", self.inner.algorithm.as_str())?;
        }
        Ok(())
    }

    /// Calls an operation: what the generated methods ([`WalletClient::sign_off`], …) do.
    pub async fn call<O: Operation>(
        &self,
        _operation: O,
        mut request: O::Request,
    ) -> Result<Reply<O::Response>, Error> {
        let info = O::INFO;
        // A CLIENT span in OpenTelemetry's RPC terms (tracing-opentelemetry reads `otel.*`),
        // covering every attempt.
        let span = tracing::info_span!(
            "sips_wallet.call",
            otel.name = info.method,
            otel.kind = "client",
            rpc.system.name = "sips",
            rpc.method = info.method,
            rpc.status_code = tracing::field::Empty,
            "error.type" = tracing::field::Empty,
            server.address = %self.inner.server_address,
            server.port = self.inner.server_port,
            operation = info.name,
            merchant_id = %self.inner.merchant_id,
            wallet_id = %crate::mask::FreeText(request.text("merchantWalletId").unwrap_or_default()),
            duration_ms = tracing::field::Empty,
        );
        async move {
            let mut prepared = self.prepare::<O>(&mut request)?;
            let binding = if prepared.json {
                Binding::Json
            } else {
                Binding::Soap
            };
            if tracing::enabled!(tracing::Level::TRACE) {
                tracing::trace!(body = %mask_message(&prepared.body, SENSITIVE_FIELDS), "request");
            }
            let headers = self.headers::<O>(&prepared)?;
            // The body moves into the request (and the exchange kept with the reply): no copy.
            let body = Bytes::from(std::mem::take(&mut prepared.body));
            let started = Instant::now();
            let timeout = self.call_timeout();
            let retry = self
                .options
                .retry
                .filter(|_| info.effect.is_read());
            let mut retries = 0;
            let reply = loop {
                // Sending, receiving and decoding all spend the one budget.
                let attempt =
                    self.exchange::<O>(&prepared, headers.clone(), body.clone(), Instant::now());
                let attempt_started = Instant::now();
                let result = tokio::time::timeout(timeout, attempt)
                    .await
                    .unwrap_or(Err(Error::Timeout(timeout)));
                if !self.inner.observers.is_empty() {
                    self.inner.observers.attempt(&self.event(
                        info,
                        binding,
                        retries + 1,
                        attempt_started.elapsed(),
                        &result,
                    ));
                }
                let wait = match (&result, retry) {
                    (Err(error), Some(policy)) => policy.wait_before(retries, error),
                    _ => None,
                };
                let (Some(wait), Err(error)) = (wait, &result) else {
                    break result;
                };
                tracing::info!(retry = retries + 1, wait_ms = wait.as_millis() as u64, error = %error.chain(), "retrying a read");
                tokio::time::sleep(wait).await;
                retries += 1;
            };
            let reply = reply.map_err(|last| match retries {
                0 => last,
                _ => Error::Retried {
                    attempts: retries + 1,
                    last: Box::new(last),
                },
            });
            tracing::Span::current().record("duration_ms", started.elapsed().as_millis() as u64);
            if !self.inner.observers.is_empty() {
                self.inner.observers.call(&self.event(
                    info,
                    binding,
                    retries + 1,
                    started.elapsed(),
                    &reply,
                ));
            }
            match &reply {
                Ok(reply) => {
                    tracing::Span::current().record("rpc.status_code", reply.code.as_deref().unwrap_or(""));
                    tracing::info!(code = reply.code.as_deref().unwrap_or(""), verification = ?reply.verification, "answered");
                }
                // The caller gets the error; logging it louder would print it twice.
                Err(error) => {
                    tracing::Span::current().record("error.type", error.kind());
                    tracing::debug!(error = %error.chain(), "call failed")
                }
            }
            reply
        }
        .instrument(span)
        .await
    }

    /// What an observer hears of an attempt or a call that ended with `result`.
    fn event<'a, R>(
        &'a self,
        operation: &'static OperationInfo,
        binding: Binding,
        attempt: u32,
        duration: std::time::Duration,
        result: &'a Result<Reply<R>, Error>,
    ) -> CallEvent<'a> {
        CallEvent {
            operation,
            binding,
            server_address: &self.inner.server_address,
            server_port: self.inner.server_port,
            attempt,
            duration,
            outcome: match result {
                Ok(reply) => Outcome::Answered {
                    code: crate::protocol::response_code_label(reply.code.as_deref()),
                    verification: reply.verification,
                },
                Err(error) => Outcome::Failed { kind: error.kind() },
            },
        }
    }

    /// The HTTP headers of a call: the protocol's, then the client's (User-Agent included, checked
    /// when it was built) and the call's own. The protocol's cannot be replaced.
    fn headers<O: Operation>(&self, prepared: &PreparedRequest) -> Result<HeaderMap, Error> {
        // Built once per client for each binding; only a non-empty SOAP action is the call's own.
        let mut headers = if prepared.json {
            self.inner.json_headers.clone()
        } else {
            self.inner.soap_headers.clone()
        };
        if !prepared.json && !O::INFO.soap_action.is_empty() {
            let action = O::INFO.soap_action;
            let action = HeaderValue::try_from(format!("\"{action}\"")).map_err(|_| {
                Error::Config(format!(
                    "the WSDL's soapAction for {} cannot be sent as an HTTP header",
                    O::INFO.name
                ))
            })?;
            headers.insert("soapaction", action);
        }
        add_headers(&mut headers, &self.options.headers)?;
        Ok(headers)
    }

    async fn exchange<O: Operation>(
        &self,
        prepared: &PreparedRequest,
        headers: HeaderMap,
        request: Bytes,
        started: Instant,
    ) -> Result<Reply<O::Response>, Error> {
        let http = self
            .inner
            .transport
            .post(&prepared.target, headers, request.clone())
            .await?;
        let exchange = Exchange::new(
            prepared.uri.clone(),
            http.status,
            started.elapsed(),
            request,
            http.body.clone(),
        );
        if tracing::enabled!(tracing::Level::TRACE) {
            tracing::trace!(status = http.status, body = %exchange.response(), "response");
        }
        self.read_response::<O>(http, exchange, prepared.json)
    }

    /// What the client makes of a raw answer, as if `status` and `body` had just arrived for `O`.
    #[cfg(feature = "simulator")]
    pub(crate) fn read_raw<O: Operation>(
        &self,
        status: u16,
        body: Bytes,
    ) -> Result<Reply<O::Response>, Error> {
        let exchange = Exchange::new(
            self.inner.wallet_uri_text.clone(),
            status,
            std::time::Duration::ZERO,
            Bytes::new(),
            body.clone(),
        );
        let json = O::INFO.http_location.is_some();
        self.read_response::<O>(
            HttpResponse {
                status,
                content_type: None,
                body,
            },
            exchange,
            json,
        )
    }

    fn read_response<O: Operation>(
        &self,
        http: HttpResponse,
        exchange: Exchange,
        json: bool,
    ) -> Result<Reply<O::Response>, Error> {
        let info = O::INFO;
        let ok_status = (200..300).contains(&http.status);
        let response = match Self::typed_response::<O>(&http, ok_status, json) {
            Ok(response) => response,
            Err(failure) => return Err(failure.with(exchange, &http)),
        };
        // Every part must add to the seal, or the seal vouches for less than the caller would see.
        if let Err(error) = response.check_shape() {
            return Err(Error::Shape {
                operation: info.name,
                error,
                exchange: Box::new(exchange),
            });
        }
        // Code, seal and verification all come from the typed response: what the caller sees is
        // what the seal covers.
        let (code, code_field) = RESPONSE_CODE_FIELDS
            .iter()
            .find_map(|name| response.text(name).map(|c| (Some(c.to_string()), *name)))
            .unwrap_or((None, ""));
        let code_meaning = code
            .as_deref()
            .and_then(|c| <O::Response as Message>::field(code_field).and_then(|f| f.describe(c)));
        // An empty `seal` element proves nothing, like an absent one.
        let verification = match response.text("seal").filter(|s| !s.is_empty()) {
            Some(received) => {
                if verify_seal(self.inner.algorithm, &self.inner.key, &response, received) {
                    Verification::Verified
                } else if code.as_deref() == Some(REFUSED_SEAL_CODE) {
                    return Err(Error::SealRefused {
                        operation: info.name,
                        exchange: Box::new(exchange),
                    });
                } else {
                    return Err(Error::SealMismatch {
                        operation: info.name,
                        exchange: Box::new(exchange),
                    });
                }
            }
            None if code.as_deref() == Some("00") && !self.inner.accept_unsealed_success => {
                return Err(Error::MissingSeal {
                    operation: info.name,
                    exchange: Box::new(exchange),
                });
            }
            None => Verification::Unsealed,
        };
        Ok(Reply {
            response,
            code,
            code_meaning,
            verification,
            exchange,
        })
    }

    /// The typed response of an answer, read once (SOAP, or JSON when the request was JSON).
    fn typed_response<O: Operation>(
        http: &HttpResponse,
        ok_status: bool,
        json: bool,
    ) -> Result<O::Response, Unreadable> {
        if json {
            if !ok_status {
                return Err(Unreadable::Status);
            }
            // JSON is UTF-8 (RFC 8259).
            let text = std::str::from_utf8(&http.body)
                .map_err(|_| Unreadable::Json("the body is not UTF-8, as JSON must be".into()))?;
            return json::read_json::<O::Response>(text).map_err(Unreadable::Json);
        }
        // In the encoding the bank names (header, declaration): the fields, and so the seal, are
        // the characters the bank meant.
        let text = match xml::decode_document(&http.body, http.charset()) {
            Ok(text) => text,
            Err(_) if !ok_status => return Err(Unreadable::Status),
            Err(error) => return Err(Unreadable::Envelope(error)),
        };
        // A SOAP Fault comes with HTTP 500; any other non-2xx answer is reported with its status.
        match envelope::read_response::<O>(&text, Limits::default()) {
            Ok(Content::Fault(fault)) => Err(Unreadable::Fault(fault)),
            _ if !ok_status => Err(Unreadable::Status),
            Ok(Content::Message(response)) => Ok(response),
            Err(error) => Err(Unreadable::Envelope(error)),
        }
    }
}

/// Why an answer gave no typed response; made an [`Error`] with the exchange.
enum Unreadable {
    Envelope(EnvelopeError),
    Json(String),
    Fault(Fault),
    /// A non-2xx status without a SOAP Fault.
    Status,
}

impl Unreadable {
    /// The error, its text from outside masked by pattern (when it was read) and by the request's
    /// own card numbers and IBANs (here).
    fn with(self, exchange: Exchange, http: &HttpResponse) -> Error {
        let secrets = exchange.secrets();
        let exchange = Box::new(exchange);
        match self {
            Unreadable::Envelope(error) => Error::Envelope {
                error: error.masked_by(&secrets),
                exchange,
            },
            Unreadable::Json(message) => Error::Json {
                message: secrets.shown(&message),
                exchange,
            },
            Unreadable::Fault(mut fault) => {
                for text in [
                    Some(&mut fault.code),
                    Some(&mut fault.string),
                    fault.detail.as_mut(),
                ]
                .into_iter()
                .flatten()
                {
                    *text = secrets.mask(text).into_owned();
                }
                Error::Fault { fault, exchange }
            }
            Unreadable::Status => {
                let start = &http.body[..http.body.len().min(4096)];
                let text = String::from_utf8_lossy(start);
                Error::Http {
                    status: http.status,
                    body_start: secrets.shown_up_to(&text, 512),
                    exchange,
                }
            }
        }
    }
}

fn invalid_field(error: EncodeError) -> Error {
    Error::InvalidField {
        field: error.field,
        reason: error.reason,
    }
}

fn set_field<M: Message>(message: &mut M, field: &str, value: &str) -> Result<(), Error> {
    message
        .set_text(field, value)
        .map_err(|e| Error::Config(format!("the contract does not fit this client: {e}")))
}

/// Whether `received` is the seal of `message`. The sealed string is written into a buffer kept
/// per thread: an answer listing a wallet's means seals a few kilobytes, which a fresh string
/// would allocate and grow on every call.
fn verify_seal<M: Message>(
    algorithm: Algorithm,
    key: &seal::SecretKey,
    message: &M,
    received: &str,
) -> bool {
    thread_local! {
        static SEALED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    SEALED.with_borrow_mut(|sealed| {
        sealed.clear();
        message.write_seal_data(sealed);
        let verified = seal::verify(algorithm, key, sealed, received);
        // A buffer grown by an unusually large answer is not kept.
        if sealed.capacity() > 64 << 10 {
            *sealed = String::new();
        }
        verified
    })
}
