//! A blocking client (feature `blocking`), for back ends that are not async: the same builder,
//! the same methods (generated from the WSDL, one per operation), the same replies and errors.
//! Like `reqwest::blocking`, it carries a runtime of its own (one worker thread) and waits for
//! each call on it.
//!
//! ```no_run
//! use sips_wallet::blocking::WalletClient;
//! use sips_wallet::contract::GetWalletDataRequest;
//! use sips_wallet::{Environment, SecretKey};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let client = WalletClient::builder()
//!         .environment(Environment::SogenactifTest)
//!         .merchant_id("011223344550000")
//!         .key_version("1")
//!         .secret_key(SecretKey::from_file("secret.key".as_ref())?)
//!         .build_blocking()?;
//!     let reply = client.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1"))?;
//!     println!("{:?}", reply.code);
//!     Ok(())
//! }
//! ```
//!
//! Its methods must not be called from inside an async runtime (they would block one of its
//! threads): there, they return [`Error::Config`] saying to use the async client.

use std::fmt;
use std::sync::Arc;

use crate::message::Operation;
use crate::{CallResult, Error, WalletClientBuilder};

/// The blocking wallet client. Cheap to clone (its connections and runtime are shared); make one
/// per process and share it between threads.
#[derive(Clone)]
pub struct WalletClient {
    client: crate::WalletClient,
    runtime: Arc<Runtime>,
}

/// The runtime calls wait on; stopped in the background when the last client goes, so that
/// dropping a client never blocks (nor panics inside an async context).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl fmt::Debug for WalletClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::WalletClient")
            .field(&self.client)
            .finish()
    }
}

impl WalletClient {
    /// Starts a builder: the async client's, finished with
    /// [`build_blocking`](WalletClientBuilder::build_blocking).
    pub fn builder() -> WalletClientBuilder {
        crate::WalletClient::builder()
    }

    /// A blocking client over `client`'s connections and settings.
    pub fn from_async(client: crate::WalletClient) -> Result<WalletClient, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sips-wallet-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot start the blocking client's runtime: {e}"))
            })?;
        Ok(WalletClient {
            client,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    /// The async client underneath, for code that has a runtime after all.
    pub fn as_async(&self) -> &crate::WalletClient {
        &self.client
    }

    /// Calls an operation and waits for its reply: what the generated methods do.
    pub fn call<O: Operation>(&self, operation: O, request: O::Request) -> CallResult<O::Response> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "the blocking client was called inside an async runtime, where waiting would \
                 block one of its threads: use the async sips_wallet::WalletClient there"
                    .into(),
            ));
        }
        let runtime = self
            .runtime
            .0
            .as_ref()
            .ok_or_else(|| Error::Config("the blocking client's runtime is stopped".into()))?;
        runtime.block_on(self.client.call(operation, request))
    }
}

impl WalletClientBuilder {
    /// Builds a [`blocking::WalletClient`](WalletClient) (feature `blocking`).
    pub fn build_blocking(self) -> Result<WalletClient, Error> {
        WalletClient::from_async(self.build()?)
    }
}

// One blocking method per operation, generated at build time from the contracts.
include!(concat!(env!("OUT_DIR"), "/wallet_blocking.rs"));
include!(concat!(env!("OUT_DIR"), "/inapp_blocking.rs"));
