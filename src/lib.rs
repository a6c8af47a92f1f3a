//! A client for the Worldline Sips 2.0 Office Server **wallet** web service (Sogenactif, Mercanet,
//! Sherlock's…), over SOAP 1.1.
//!
//! - The message types, the operations and the client's methods are generated at build time from
//!   the bundled WSDL (`wsdl/`): see [`contract`].
//! - Every request is sealed with the merchant's secret key and every response seal verified
//!   ([`seal`]).
//! - [`simulator`] is a local stand-in for the bank's service, for demos and tests.
//!
//! ```no_run
//! use sips_wallet::{contract::SignOffRequest, SecretKey, WalletClient, Environment};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = WalletClient::builder()
//!     .environment(Environment::SogenactifTest)
//!     .merchant_id("011223344550000")
//!     .key_version("1")
//!     .secret_key(SecretKey::new(std::env::var("SIPS_SECRET_KEY")?)?)
//!     .build()?;
//! let reply = client.sign_off(SignOffRequest::new().merchant_wallet_id("wallet-42")).await?;
//! println!("{:?}: {:?}", reply.code, reply.code_meaning);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod client;
pub mod codec;
pub mod contract;
pub mod envelope;
mod error;
#[doc(hidden)]
#[cfg(feature = "simulator")]
pub mod fuzzing;
pub mod inapp;
pub mod mask;
pub mod message;
mod options;
mod proxy;
mod retry;
pub mod seal;
#[cfg(feature = "simulator")]
pub mod simulator;
#[cfg(feature = "simulator")]
pub mod tour;
mod transport;
mod validate;

pub use client::{
    Binding, Environment, Exchange, PreparedRequest, Reply, Verification, WalletClient,
    WalletClientBuilder,
};
pub use error::{BoxError, Delivery, Error};
pub use options::CallOptions;
pub use retry::{RetryPolicy, RETRYABLE_OPERATIONS};
pub use seal::{Algorithm, SecretKey};
pub use transport::RootStore;
