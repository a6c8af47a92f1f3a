//! The wallet client: fills and seals requests, posts them, verifies and decodes responses.
//!
//! One async method per operation is generated from the WSDL ([`WalletClient::sign_off`], …);
//! they all go through [`WalletClient::call`]. Its rooms:
//!
//! - [`environment`]: where the service is ([`Environment`]) and how functions travel ([`Binding`]);
//! - `builder`: [`WalletClientBuilder`], checked once when it builds;
//! - `call`: one call's phases: prepare (fill, check, seal, frame), send (with the call's
//!   timeout and retries), read (decode, verify the seal, check the shape);
//! - [`observe`]: hooks that hear of every call ([`CallObserver`]);
//! - `reply`: what a call gives back ([`Reply`], [`Verification`], [`PreparedRequest`]);
//! - `methods`: the generated methods, one per operation.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;

use crate::message::OperationInfo;
use crate::options::CallOptions;
use crate::seal::{Algorithm, SecretKey};
use crate::transport::Transport;

mod builder;
mod call;
pub mod environment;
mod methods;
pub mod observe;
mod reply;

pub use builder::WalletClientBuilder;
pub use environment::{Binding, Environment};
use observe::Observers;
pub use observe::{CallEvent, CallObserver, Outcome, SettleEvent};
pub use reply::{CallResult, PreparedRequest, Reply, Verification};

pub use crate::protocol::{WALLET_JSON_PATH, WALLET_PATH};

/// A client of the wallet service. Cheap to clone (one connection pool behind an `Arc`); make one per
/// process and share it.
///
/// ```no_run
/// use sips_wallet::contract::GetWalletDataRequest;
/// use sips_wallet::{Environment, SecretKey, WalletClient};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = WalletClient::builder()
///     .environment(Environment::SogenactifTest)
///     .merchant_id("011223344550000")
///     .key_version("1")
///     .secret_key(SecretKey::new(std::env::var("SIPS_SECRET_KEY")?)?)
///     .build()?;
/// let reply = client
///     .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("customer-42"))
///     .await?;
/// if reply.is_success() {
///     for mean in &reply.response.wallet_payment_mean_data_list {
///         println!("{:?} {:?}", mean.payment_mean_id, mean.masked_pan);
///     }
/// }
/// # Ok(()) }
/// ```
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
    /// The protocol's headers for a SOAP call (an empty SOAP action) and for a JSON one, then the
    /// User-Agent and the builder's extra headers: checked and built once.
    soap_headers: HeaderMap,
    json_headers: HeaderMap,
    /// `(operation, interfaceVersion)` chosen on the builder.
    interface_versions: Vec<(&'static OperationInfo, String)>,
    transport: Transport,
    /// Host and port of the service, as traces and observers name it.
    server_address: String,
    server_port: u16,
    observers: Observers,
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

impl WalletClient {
    /// Starts a builder.
    pub fn builder() -> WalletClientBuilder {
        WalletClientBuilder::new()
    }

    /// A client from the process's environment (see [`WalletClientBuilder::from_env`]), with the
    /// builder's defaults for the rest.
    pub fn from_env() -> Result<WalletClient, crate::Error> {
        WalletClientBuilder::from_env()?.build()
    }

    /// A view of this client whose calls use `options` (same connections, same credentials):
    /// `client.with_options(CallOptions::new().timeout(d)).get_wallet_data(request)`.
    pub fn with_options(&self, options: CallOptions) -> WalletClient {
        WalletClient {
            inner: self.inner.clone(),
            options: Arc::new(options),
        }
    }

    /// Tells the client's observers that an unknown outcome of `operation` was settled.
    pub(crate) fn observe_settled(
        &self,
        operation: &'static OperationInfo,
        verdict: &'static str,
        readings: u32,
    ) {
        self.inner.observers.settled(&SettleEvent {
            operation,
            verdict,
            readings,
        });
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
}
