//! [`WalletClientBuilder`]: everything a client is told, checked once when it builds.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};

use super::environment::{endpoint, Binding, Environment, JSON_CONTENT_TYPE, SOAP_CONTENT_TYPE};
use super::observe::{CallObserver, Observers};
use super::{Inner, WalletClient};
use crate::message::{Operation, OperationInfo};
use crate::options::CallOptions;
use crate::protocol::WALLET_PATH;
use crate::proxy::ProxySetting;
use crate::seal::{Algorithm, SecretKey};
use crate::transport::{RootStore, Transport, TransportConfig};
use crate::Error;

/// Headers only the client sets.
const RESERVED_HEADERS: &[&str] = &["content-type", "soapaction", "content-length", "host"];

/// Adds extra headers (the builder's or a call's) to `headers`: a `User-Agent` replaces the one
/// there, any other is added. A header the client sets itself, or one HTTP cannot carry, is
/// refused, named (its value never shown: it may be a credential).
pub(super) fn add_headers(
    headers: &mut HeaderMap,
    extra: &[(String, String)],
) -> Result<(), Error> {
    for (name, value) in extra {
        // The name is the caller's text too: shown through the masker, like any text from outside.
        let shown = crate::mask::from_outside(name);
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

/// Builds a [`WalletClient`]: where the service is, the merchant's credentials, then what differs
/// from the defaults; [`build`](Self::build) checks it all once.
///
/// ```
/// use std::time::Duration;
/// use sips_wallet::{Binding, CallOptions, RetryPolicy, SecretKey, WalletClient};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = WalletClient::builder()
///     .base_url("http://127.0.0.1:7070")       // a simulator; or .environment(…)
///     .merchant_id("011223344550000")
///     .key_version("1")
///     .secret_key(SecretKey::new("sips-wallet-simulator-demo-key")?)
///     .binding(Binding::Json)                  // SOAP by default
///     .timeout(Duration::from_secs(10))        // each attempt's budget, decoding included
///     .call_options(CallOptions::new().retry(RetryPolicy::new().max_attempts(3))) // reads only
///     .build()?;
/// # drop(client);
/// # Ok(()) }
/// ```
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
    observers: Observers,
}

impl WalletClientBuilder {
    /// The defaults: Sogenactif test, HMAC-SHA-256, SOAP, timeouts 10 s to connect and 30 s in
    /// all, responses up to 1 MiB, webpki roots, proxies from the environment.
    pub(super) fn new() -> WalletClientBuilder {
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
            observers: Observers::default(),
        }
    }

    /// A builder from the process's environment, read as the command line reads it:
    /// `SIPS_MERCHANT_ID`, `SIPS_KEY_VERSION`, `SIPS_SECRET_KEY` (or `SIPS_SECRET_KEY_FILE`, a file
    /// holding it), and where the service is: `SIPS_URL` (a base URL) or `SIPS_ENV` (a platform's
    /// name, `sogenactif-test` when neither is set). An error names the variable missing or wrong.
    ///
    /// ```no_run
    /// let client = sips_wallet::WalletClientBuilder::from_env()?
    ///     .timeout(std::time::Duration::from_secs(10))
    ///     .build()?;
    /// # Ok::<(), sips_wallet::Error>(())
    /// ```
    pub fn from_env() -> Result<WalletClientBuilder, Error> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with the variables looked up by `var` (a map in a test, a
    /// secrets manager), not in the process's environment.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<WalletClientBuilder, Error> {
        let set = |name: &str| var(name).filter(|value| !value.is_empty());
        let needed = |name: &str, what: &str| {
            set(name)
                .ok_or_else(|| Error::Config(format!("{name} is not set (or not UTF-8): {what}")))
        };
        let merchant_id = needed("SIPS_MERCHANT_ID", "the shop's merchantId")?;
        let key_version = needed("SIPS_KEY_VERSION", "the version of its secret key")?;
        let key = match (set("SIPS_SECRET_KEY"), set("SIPS_SECRET_KEY_FILE")) {
            (Some(key), _) => {
                SecretKey::new(key).map_err(|e| Error::Config(format!("SIPS_SECRET_KEY: {e}")))?
            }
            (None, Some(path)) => SecretKey::from_file(std::path::Path::new(&path))
                .map_err(|e| Error::Config(format!("SIPS_SECRET_KEY_FILE ({path}): {e}")))?,
            (None, None) => {
                return Err(Error::Config(
                    "SIPS_SECRET_KEY is not set (or not UTF-8), nor SIPS_SECRET_KEY_FILE: the \
                 merchant's secret key"
                        .into(),
                ))
            }
        };
        let environment = match (set("SIPS_URL"), set("SIPS_ENV")) {
            (Some(_), Some(_)) => {
                return Err(Error::Config(
                    "SIPS_URL and SIPS_ENV are both set: keep one".into(),
                ))
            }
            (Some(url), None) => Environment::Custom(url),
            (None, Some(name)) => Environment::from_name(&name).ok_or_else(|| {
                let names: Vec<&str> = Environment::NAMED.iter().map(|(n, _)| *n).collect();
                Error::Config(format!(
                    "SIPS_ENV `{}` is not a platform: one of {}",
                    crate::mask::from_outside(&name),
                    names.join(", ")
                ))
            })?,
            (None, None) => Environment::SogenactifTest,
        };
        Ok(WalletClientBuilder::new()
            .environment(environment)
            .merchant_id(merchant_id)
            .key_version(key_version)
            .secret_key(key))
    }

    /// Adds an observer that hears of every call, attempt and settled outcome of the client
    /// (see [`CallObserver`]); several may be added. Share one between clients by giving each an
    /// `Arc` of it.
    pub fn observer(mut self, observer: impl CallObserver) -> Self {
        self.observers.0.push(std::sync::Arc::new(observer));
        self
    }

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

    /// Accepts a `00` response that carries no seal (marked [`Verification::Unsealed`](crate::Verification::Unsealed)) instead of
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
        let (mut soap_headers, mut json_headers) = (headers.clone(), headers);
        soap_headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(SOAP_CONTENT_TYPE),
        );
        soap_headers.insert("soapaction", HeaderValue::from_static("\"\""));
        json_headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        );
        json_headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        for (operation, version) in &self.interface_versions {
            let prefix = |v: &str| v.rsplit_once('_').map(|(p, _)| p.to_string());
            let expected = operation.recommended_interface_version.and_then(prefix);
            let form_ok = crate::message::Version::of_interface_version(version).is_some()
                && expected.is_none_or(|p| prefix(version) == Some(p));
            if !form_ok {
                return Err(Error::Config(format!(
                    "interface_version for {}: `{}` is not of the form {}_2.NN",
                    operation.name,
                    crate::mask::from_outside(version),
                    operation
                        .recommended_interface_version
                        .and_then(prefix)
                        .unwrap_or_else(|| "PREFIX".into())
                )));
            }
        }
        let server_address = wallet_uri.host().unwrap_or_default().to_string();
        let server_port = wallet_uri
            .port_u16()
            .unwrap_or(match wallet_uri.scheme_str() {
                Some("http") => 80,
                _ => 443,
            });
        Ok(WalletClient {
            inner: Arc::new(Inner {
                server_address,
                server_port,
                observers: self.observers,
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
                soap_headers,
                json_headers,
                interface_versions: self.interface_versions,
                transport,
            }),
            options: Arc::new(self.options),
        })
    }
}
