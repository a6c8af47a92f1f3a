//! A client for the Worldline Sips 2.0 Office Server **wallet** web service (Sogenactif, Mercanet,
//! Sherlock's…), over SOAP 1.1 or JSON, and In-App `paymentTokenInitialize`.
//!
//! - The message types, the operations and the client's methods are generated at build time from
//!   the bundled WSDL (`wsdl/`): see [`contract`] and [`inapp`].
//! - Every request is sealed with the merchant's secret key and every response seal verified
//!   ([`seal`]); what a [`Reply`] holds is exactly what the seal covered.
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
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `webpki-roots` | yes | Mozilla's root certificates, compiled in ([`RootStore::WebPki`]) |
//! | `native-roots` | no | the system's root certificates ([`RootStore::System`]) |
//! | `simulator` | yes | [`simulator`]: an HTTP server, SQLite state, TOML scenarios |
//! | `cli` | yes | the `sips-wallet` binary |
//!
//! A back end that only calls the bank needs `default-features = false, features =
//! ["webpki-roots"]`: no server, CLI, SQLite or TOML code is then built.
//!
//! # Testing with the simulator
//!
//! Start a [`simulator::Simulator`] on port 0 in your test, point the client's
//! [`base_url`](WalletClientBuilder::base_url) at it, and give it your merchant
//! ([`simulator::Merchant`]) and, for the unhappy paths, a [`simulator::Scenario`] (a wallet that
//! answers 99, a call that takes 3 s, a dropped connection). `examples/simulator_in_tests.rs` is a
//! whole test. Outside Rust, `sips-wallet serve` runs the same simulator.
//!
//! # Errors
//!
//! A response code other than `00` is data ([`Reply::code`]), not an error. An [`Error`] says what
//! went wrong and, through [`Error::delivery`], whether the bank may have acted: [`Delivery::NotSent`]
//! (safe to repeat), [`Delivery::Unknown`] (read before repeating a change) or
//! [`Delivery::Answered`]. Errors after an answer carry the [`Exchange`] for a support ticket.
//! [`RetryPolicy`] retries the two reads only; changes are never repeated by the client.
//!
//! # Card data
//!
//! Card numbers never appear in `Debug` output, errors or logs: fields named as card data are
//! masked (first 4 and last 2 digits), and so is any card-like digit run (Luhn-valid, 13 to 19
//! digits, spaces or dashes allowed) in text that came from outside (faults, HTTP bodies). An
//! [`Exchange`] keeps the bodies as they travelled and masks them when shown. Secret keys are
//! zeroed on drop and never shown.
//!
//! # What is not API
//!
//! The command line and the guided tour belong to the `sips-wallet` binary, and the simulator's
//! storage is private to it:
//!
//! ```compile_fail
//! use sips_wallet::cli;
//! ```
//! ```compile_fail
//! use sips_wallet::tour;
//! ```
//! ```compile_fail
//! use sips_wallet::simulator::wallets;
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod codec;
pub mod contract;
#[cfg(test)]
mod cxf_fixture;
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
pub mod published;
mod retry;
pub mod seal;
#[cfg(feature = "simulator")]
pub mod simulator;
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
