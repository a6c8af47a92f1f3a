//! The wallet client: fills and seals requests, posts them, verifies and decodes responses.
//!
//! One async method per operation is generated from the WSDL ([`WalletClient::sign_off`], …); they all
//! go through [`WalletClient::call`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};

use tracing::Instrument;

use crate::codec::{self, EncodeError, Limits};
use crate::envelope::{self, Content, EnvelopeError, Fault};
use crate::exchange::Exchange;
use crate::mask::mask_message;
use crate::message::{Message, Operation, OperationInfo};
use crate::options::CallOptions;
use crate::protocol::{RESPONSE_CODE_FIELDS, SENSITIVE_FIELDS};
use crate::proxy::ProxySetting;
use crate::seal::{self, Algorithm, SecretKey};
use crate::transport::{HttpResponse, RootStore, Transport, TransportConfig};
use crate::{json, validate, Error};

/// Headers only the client sets.
const RESERVED_HEADERS: &[&str] = &["content-type", "soapaction", "content-length", "host"];

/// Adds extra headers (the builder's or a call's) to `headers`: a `User-Agent` replaces the one
/// there, any other is added. A header the client sets itself, or one HTTP cannot carry, is
/// refused, named (its value never shown: it may be a credential).
fn add_headers(headers: &mut HeaderMap, extra: &[(String, String)]) -> Result<(), Error> {
    for (name, value) in extra {
        // The name is the caller's text too: shown through the masker, like any text from outside.
        let shown = crate::codec::shown(name);
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(Error::Config(format!(
                "header `{shown}` is set by the client itself"
            )));
        }
        let header_name = http::HeaderName::from_bytes(lower.as_bytes()).map_err(|_| {
            Error::Config(format!("header `{shown}` is not a valid HTTP header name"))
        })?;
        let header_value = HeaderValue::from_str(value).map_err(|_| {
            Error::Config(format!(
                "header `{shown}`: its value cannot be sent in HTTP (a line break or control character?)"
            ))
        })?;
        if header_name == http::header::USER_AGENT {
            headers.insert(header_name, header_value);
        } else {
            headers.append(header_name, header_value);
        }
    }
    Ok(())
}

pub use crate::protocol::{WALLET_JSON_PATH, WALLET_PATH};

/// What a call returns: the checked reply, or why there is none.
pub type CallResult<T> = Result<Reply<T>, Error>;

/// How wallet functions travel. In-App `paymentTokenInitialize` is JSON whatever the binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Binding {
    /// SOAP 1.1 envelopes to `/services/v2/wallet` (the default).
    #[default]
    Soap,
    /// JSON objects to `/rs-services/v2/wallet/<function>`: the same fields, seals and checks.
    Json,
}

/// Where the service is. Hosts from SIPS-FACTS §1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// Sogenactif (Société Générale), production.
    SogenactifProd,
    /// Sogenactif, test.
    SogenactifTest,
    /// Worldline Sips, production.
    SipsProd,
    /// Worldline Sips, test.
    SipsTest,
    /// Mercanet (BNP Paribas), production.
    MercanetProd,
    /// Mercanet, test.
    MercanetTest,
    /// Sherlock's (LCL), production.
    SherlocksProd,
    /// Any base URL (`https://host[:port]`); plain `http` only to a loopback address.
    Custom(String),
}

impl Environment {
    /// Every named environment with its CLI name.
    pub const NAMED: &'static [(&'static str, Environment)] = &[
        ("sogenactif-prod", Environment::SogenactifProd),
        ("sogenactif-test", Environment::SogenactifTest),
        ("sips-prod", Environment::SipsProd),
        ("sips-test", Environment::SipsTest),
        ("mercanet-prod", Environment::MercanetProd),
        ("mercanet-test", Environment::MercanetTest),
        ("sherlocks-prod", Environment::SherlocksProd),
    ];

    /// Looks an environment up by its CLI name (`sogenactif-test`).
    pub fn from_name(name: &str) -> Option<Environment> {
        Self::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e.clone())
    }

    /// `scheme://host[:port]`.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::SogenactifProd => "https://office-server.sogenactif.com",
            Environment::SogenactifTest => {
                "https://office-server-sogenactif.test.sips-services.com"
            }
            Environment::SipsProd => "https://office-server.sips-services.com",
            Environment::SipsTest => "https://office-server.test.sips-services.com",
            Environment::MercanetProd => "https://office-server.mercanet.com",
            Environment::MercanetTest => "https://office-server-mercanet.test.sips-services.com",
            Environment::SherlocksProd => "https://sherlocks-office-server.secure.lcl.fr",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }
}

/// Builds a [`WalletClient`].
#[derive(Debug, Clone)]
pub struct WalletClientBuilder {
    environment: Environment,
    merchant_id: Option<String>,
    key_version: Option<String>,
    secret_key: Option<SecretKey>,
    algorithm: Algorithm,
    accept_unsealed_success: bool,
    binding: Binding,
    transport: TransportConfig,
    user_agent: String,
    headers: Vec<(String, String)>,
    options: CallOptions,
    interface_versions: Vec<(&'static OperationInfo, String)>,
}

impl WalletClientBuilder {
    /// The `interfaceVersion` the client sends for operation `O` when a request sets none, instead
    /// of the one the contract recommends (the Sogenactif pages'): other brands' pages recommend
    /// newer ones for the same functions (Mercanet and Sherlock's 2.55, Worldline 2.58 for
    /// updatePaymentMean and getPaymentMeanData). A version not of the operation's form (its
    /// prefix, then `2.NN`) fails [`build`](Self::build).
    ///
    /// ```
    /// # use sips_wallet::{contract::operations, WalletClient};
    /// let builder = WalletClient::builder()
    ///     .interface_version::<operations::UpdatePaymentMean>("WR_WS_2.58");
    /// ```
    pub fn interface_version<O: Operation>(mut self, version: impl Into<String>) -> Self {
        self.interface_versions.push((O::INFO, version.into()));
        self
    }

    /// The environment (default: Sogenactif test).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// A base URL instead of a named environment (`https://host`, or `http://127.0.0.1:port`).
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
    }

    /// The shop's `merchantId` (required).
    pub fn merchant_id(mut self, merchant_id: impl Into<String>) -> Self {
        self.merchant_id = Some(merchant_id.into());
        self
    }

    /// The `keyVersion` of the secret key (required).
    pub fn key_version(mut self, key_version: impl Into<String>) -> Self {
        self.key_version = Some(key_version.into());
        self
    }

    /// The merchant's secret key (required).
    pub fn secret_key(mut self, key: SecretKey) -> Self {
        self.secret_key = Some(key);
        self
    }

    /// The seal algorithm (default HMAC-SHA-256). Another one is announced in `sealAlgorithm`.
    pub fn seal_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Time to establish a TCP connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = timeout;
        self
    }

    /// Time for a whole call, connection and body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.transport.timeout = timeout;
        self
    }

    /// Largest response body accepted (default 1 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.transport.max_response_bytes = limit;
        self
    }

    /// Which certificate authorities to trust (default: the compiled-in webpki roots).
    pub fn root_store(mut self, store: RootStore) -> Self {
        self.transport.root_store = store;
        self
    }

    /// Trusts one more certificate authority, for a test server or a TLS-inspecting proxy: DER, or
    /// PEM (every certificate in it). A certificate that cannot be read fails [`build`](Self::build).
    pub fn add_root_certificate(mut self, der_or_pem: impl Into<Vec<u8>>) -> Self {
        self.transport.extra_roots.push(der_or_pem.into());
        self
    }

    /// Every request through this HTTP proxy (`http://[user:password@]host:port`), whatever the
    /// environment says. HTTPS goes through a CONNECT tunnel, TLS end to end; the credentials are
    /// sent to the proxy only and never logged. By default the client reads `HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (or their lower-case forms).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.transport.proxy = ProxySetting::Fixed(url.into());
        self
    }

    /// Never a proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.transport.proxy = ProxySetting::None;
        self
    }

    /// SOAP (default) or JSON for the wallet functions.
    pub fn binding(mut self, binding: Binding) -> Self {
        self.binding = binding;
        self
    }

    /// The `User-Agent` header (default `sips-wallet/VERSION`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// One more HTTP header on every request (see [`CallOptions::header`] for the names refused).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The options of every call (timeout, headers, retries), unless a view made with
    /// [`WalletClient::with_options`] replaces them.
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Accepts a `00` response that carries no seal (marked [`Verification::Unsealed`]) instead of
    /// failing with [`Error::MissingSeal`]. Off by default: only a seal proves the bank answered.
    pub fn accept_unsealed_success(mut self, accept: bool) -> Self {
        self.accept_unsealed_success = accept;
        self
    }

    /// Checks the configuration and builds the client (within a Tokio runtime or not).
    pub fn build(self) -> Result<WalletClient, Error> {
        let missing = |what: &str| Error::Config(format!("{what} is required"));
        let merchant_id = self
            .merchant_id
            .filter(|m| !m.is_empty())
            .ok_or_else(|| missing("merchant_id"))?;
        let key_version = self
            .key_version
            .filter(|k| !k.is_empty())
            .ok_or_else(|| missing("key_version"))?;
        let key = self.secret_key.ok_or_else(|| missing("secret_key"))?;
        let base = self.environment.base_url().to_string();
        let wallet_uri = endpoint(&base, WALLET_PATH)?;
        let transport = Transport::new(&self.transport)?;
        let mut headers = HeaderMap::new();
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::Config(
                "user_agent cannot be sent in HTTP (a line break or control character?)".into(),
            )
        })?;
        headers.insert(http::header::USER_AGENT, user_agent);
        add_headers(&mut headers, &self.headers)?;
        for (operation, version) in &self.interface_versions {
            let prefix = |v: &str| v.rsplit_once('_').map(|(p, _)| p.to_string());
            let expected = operation.recommended_interface_version.and_then(prefix);
            let form_ok = crate::message::Version::of_interface_version(version).is_some()
                && expected.is_none_or(|p| prefix(version) == Some(p));
            if !form_ok {
                return Err(Error::Config(format!(
                    "interface_version for {}: `{}` is not of the form {}_2.NN",
                    operation.name,
                    crate::codec::shown(version),
                    operation
                        .recommended_interface_version
                        .and_then(prefix)
                        .unwrap_or_else(|| "PREFIX".into())
                )));
            }
        }
        Ok(WalletClient {
            inner: Arc::new(Inner {
                base,
                wallet_uri_text: wallet_uri.to_string(),
                wallet_uri,
                merchant_id,
                key_version,
                key,
                algorithm: self.algorithm,
                accept_unsealed_success: self.accept_unsealed_success,
                binding: self.binding,
                timeout: self.transport.timeout,
                headers,
                interface_versions: self.interface_versions,
                transport,
            }),
            options: Arc::new(self.options),
        })
    }
}

/// Checks the scheme rule and joins a path to a base URL.
pub(crate) fn endpoint(base: &str, path: &str) -> Result<http::Uri, Error> {
    let uri: http::Uri = format!("{}{path}", base.trim_end_matches('/'))
        .parse()
        .map_err(|e| Error::Config(format!("`{base}` is not a valid base URL: {e}")))?;
    let host = uri
        .host()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false);
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if loopback => Ok(uri),
        Some("http") => Err(Error::Config(format!(
            "`{base}`: plain HTTP is only allowed to a loopback address; use https"
        ))),
        _ => Err(Error::Config(format!(
            "`{base}`: the URL must start with https://"
        ))),
    }
}

/// A client of the wallet service. Cheap to clone (one connection pool behind an `Arc`); make one per
/// process and share it.
#[derive(Clone)]
pub struct WalletClient {
    inner: Arc<Inner>,
    options: Arc<CallOptions>,
}

struct Inner {
    base: String,
    wallet_uri: http::Uri,
    /// The same, as text: written once, not on every call.
    wallet_uri_text: String,
    merchant_id: String,
    key_version: String,
    key: SecretKey,
    algorithm: Algorithm,
    accept_unsealed_success: bool,
    binding: Binding,
    timeout: Duration,
    /// The User-Agent and the builder's extra headers, checked once.
    headers: HeaderMap,
    /// `(operation, interfaceVersion)` chosen on the builder.
    interface_versions: Vec<(&'static OperationInfo, String)>,
    transport: Transport,
}

impl fmt::Debug for WalletClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WalletClient")
            .field("base_url", &self.inner.base)
            .field("merchant_id", &self.inner.merchant_id)
            .field("key_version", &self.inner.key_version)
            .field("seal_algorithm", &self.inner.algorithm)
            .finish_non_exhaustive()
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
    target: http::Uri,
    json: bool,
}

/// Whether a response's seal was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// The seal matches the content under our key.
    Verified,
    /// The response carried no seal (an error response, or a `00` with
    /// [`accept_unsealed_success`](WalletClientBuilder::accept_unsealed_success)): nothing proves
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

impl WalletClient {
    /// Starts a builder.
    pub fn builder() -> WalletClientBuilder {
        WalletClientBuilder {
            environment: Environment::SogenactifTest,
            merchant_id: None,
            key_version: None,
            secret_key: None,
            algorithm: Algorithm::default(),
            accept_unsealed_success: false,
            binding: Binding::Soap,
            transport: TransportConfig {
                connect_timeout: Duration::from_secs(10),
                timeout: Duration::from_secs(30),
                max_response_bytes: 1 << 20,
                root_store: RootStore::WebPki,
                extra_roots: Vec::new(),
                proxy: ProxySetting::FromEnv,
            },
            user_agent: format!("sips-wallet/{}", env!("CARGO_PKG_VERSION")),
            headers: Vec::new(),
            options: CallOptions::default(),
            interface_versions: Vec::new(),
        }
    }

    /// A view of this client whose calls use `options` (same connections, same credentials):
    /// `client.with_options(CallOptions::new().timeout(d)).get_wallet_data(request)`.
    pub fn with_options(&self, options: CallOptions) -> WalletClient {
        WalletClient {
            inner: self.inner.clone(),
            options: Arc::new(options),
        }
    }

    /// The wallet endpoint this client posts to.
    pub fn wallet_endpoint(&self) -> String {
        self.inner.wallet_uri_text.clone()
    }

    /// Each attempt's time budget: the call options', else the client's.
    pub(crate) fn call_timeout(&self) -> Duration {
        self.options.timeout.unwrap_or(self.inner.timeout)
    }

    /// How long after a change was sent the bank may still act on it (see
    /// [`CallOptions::settle_window`]).
    pub(crate) fn settle_window(&self) -> Duration {
        self.options
            .settle_window
            .unwrap_or_else(|| self.call_timeout().saturating_mul(3))
    }

    /// The `interfaceVersion` a request of `operation` carries when it sets none: the one chosen
    /// on the builder, else the one the contract recommends.
    pub(crate) fn default_interface_version(&self, operation: &OperationInfo) -> Option<&str> {
        self.inner
            .interface_versions
            .iter()
            .rev()
            .find(|(chosen, _)| chosen.name == operation.name)
            .map(|(_, version)| version.as_str())
            .or(operation.recommended_interface_version)
    }

    /// Fills the common fields of a request, checks it and seals it: everything but sending.
    ///
    /// `interfaceVersion` is the one chosen for the operation on the builder, else the operation's
    /// recommended one, unless the request sets another.
    pub fn prepare<O: Operation>(
        &self,
        request: &mut O::Request,
    ) -> Result<PreparedRequest, Error> {
        self.fill_common(request, self.default_interface_version(O::INFO))?;
        validate::check_request(request)?;
        let seal_data = request.seal_data();
        let seal = seal::compute(self.inner.algorithm, &self.inner.key, &seal_data);
        set(request, "seal", &seal)?;
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
                "text/xml; charset=utf-8",
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
                    "application/json",
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
        set(request, "merchantId", &self.inner.merchant_id)?;
        set(request, "keyVersion", &self.inner.key_version)?;
        if request.text("interfaceVersion").is_none() {
            let version = recommended.ok_or_else(|| Error::InvalidField {
                field: "interfaceVersion".into(),
                reason: "the WSDL recommends none for this operation: set it on the request".into(),
            })?;
            set(request, "interfaceVersion", version)?;
        }
        if self.inner.algorithm != Algorithm::HmacSha256 {
            set(request, "sealAlgorithm", self.inner.algorithm.as_str())?;
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
        let span = tracing::info_span!(
            "sips_wallet.call",
            operation = info.name,
            merchant_id = %self.inner.merchant_id,
            wallet_id = %crate::mask::FreeText(request.text("merchantWalletId").unwrap_or_default()),
            response_code = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        async move {
            let mut prepared = self.prepare::<O>(&mut request)?;
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
                let result = tokio::time::timeout(timeout, attempt)
                    .await
                    .unwrap_or(Err(Error::Timeout(timeout)));
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
            match &reply {
                Ok(reply) => {
                    tracing::Span::current().record("response_code", reply.code.as_deref().unwrap_or(""));
                    tracing::info!(code = reply.code.as_deref().unwrap_or(""), verification = ?reply.verification, "answered");
                }
                // The caller gets the error; logging it louder would print it twice.
                Err(error) => tracing::debug!(error = %error.chain(), "call failed"),
            }
            reply
        }
        .instrument(span)
        .await
    }

    /// The HTTP headers of a call: the protocol's, then the client's (User-Agent included, checked
    /// when it was built) and the call's own. The protocol's cannot be replaced.
    fn headers<O: Operation>(&self, prepared: &PreparedRequest) -> Result<HeaderMap, Error> {
        let mut headers = self.inner.headers.clone();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(prepared.content_type),
        );
        if prepared.json {
            headers.insert(
                http::header::ACCEPT,
                HeaderValue::from_static("application/json"),
            );
        } else {
            let action = match O::INFO.soap_action {
                "" => HeaderValue::from_static("\"\""),
                action => HeaderValue::try_from(format!("\"{action}\"")).map_err(|_| {
                    Error::Config(format!(
                        "the WSDL's soapAction for {} cannot be sent as an HTTP header",
                        O::INFO.name
                    ))
                })?,
            };
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
            Duration::ZERO,
            Bytes::new(),
            body.clone(),
        );
        let json = O::INFO.http_location.is_some();
        self.read_response::<O>(HttpResponse { status, body }, exchange, json)
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
                if seal::verify(
                    self.inner.algorithm,
                    &self.inner.key,
                    &response.seal_data(),
                    received,
                ) {
                    Verification::Verified
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
        // In the encoding the XML declaration names: the fields, and so the seal, are the
        // characters the bank meant.
        let text = match codec::decode_document(&http.body) {
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

fn set<M: Message>(message: &mut M, field: &str, value: &str) -> Result<(), Error> {
    message
        .set_text(field, value)
        .map_err(|e| Error::Config(format!("the contract does not fit this client: {e}")))
}
