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
//! # Getting started
//!
//! The client is async, on Tokio. In `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! sips-wallet = { version = "0.1", default-features = false, features = ["webpki-roots"] }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//!
//! [dev-dependencies]
//! # The simulator, for your tests only.
//! sips-wallet = { version = "0.1", features = ["simulator"] }
//! ```
//!
//! A first debug build on two cores takes about 30 s with the lean features above and 45 s with
//! the default ones (the generated code, rustls, ring and, by default, SQLite); later builds reuse
//! it. A build against the bank's own WSDL sets `SIPS_WALLET_WSDL_DIR` to its folder.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `webpki-roots` | yes | Mozilla's root certificates, compiled in ([`RootStore::WebPki`]) |
//! | `native-roots` | no | the system's root certificates ([`RootStore::System`]) |
//! | `simulator` | yes | [`simulator`]: an HTTP server, SQLite state, TOML scenarios |
//! | `cli` | yes | the `sips-wallet` binary (which allocates with mimalloc) |
//! | `yaserde` | no | yaserde derives on the generated types and wrapper elements |
//! | `chrono` | no | date-times with their offset in `typed::TypedFields::date_time` |
//! | `bench-mimalloc` | no | benchmarks only: the throughput bench allocates with mimalloc |
//!
//! A back end that only calls the bank needs `default-features = false, features =
//! ["webpki-roots"]`: no server, CLI, SQLite, TOML, yaserde or chrono code is then built.
//!
//! # Layers
//!
//! The floors below the client (protocol constants, masking, the seal, the XML codec, message
//! traits, SOAP and JSON framing, request checks) are the `sips-wallet-runtime` crate, re-exported
//! here as [`protocol`], [`mask`], [`seal`], [`xml`], [`message`], [`envelope`], [`json`] and
//! [`validate`]. The generated code depends on that runtime only. `ARCHITECTURE.md` draws the
//! floors and says where a new operation, check or setting goes.
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
//! [`Delivery::Answered`]. Errors after a readable answer carry the [`Exchange`] for a support
//! ticket ([`Error::exchange`]); [`Error::BodyTooLarge`] does not, since the body was not kept.
//! [`RetryPolicy`] retries the two reads only; changes are never repeated by the client.
//!
//! # What the crate promises
//!
//! Five promises, each held by one mechanism where data crosses a boundary, and each proven by a
//! test that states the promise itself, over many inputs:
//!
//! 1. **A card number never leaves the crate in clear, nor an IBAN.** One masker recognises
//!    values, not spellings ([`mask`]): by pattern, any text is read as meant (XML character
//!    references, JSON escapes, percent-encoding, CDATA markers and comments, digits of any
//!    script) and as written, and every 13 to 19 digits passing Luhn and every IBAN (any case,
//!    country format checked) is masked whatever short run of separators stands between its
//!    characters; by value
//!    ([`mask::Secrets`]), the card numbers and IBANs a call handles are masked wherever their
//!    characters appear in output about it. It stands behind every message's `Debug` (wallet ids,
//!    aliases and unknown fields included), every error text that came from outside
//!    ([`mask::from_outside`]: masked, then cut), [`Exchange`] bodies, the call span's wallet id,
//!    the simulator's call list and the binary's every output and log line. Tests:
//!    `tests/masking.rs` (generated spellings inside generated texts, through the masker, `Debug`,
//!    errors and exchanges over loopback and the simulator's call list, checked by an oracle
//!    written apart from the masker), `tests/logs.rs` (every log line at every level),
//!    `tests/cli.rs` (`card_numbers_in_free_text_fields_never_come_out_of_the_binary`), the
//!    `mask_text` fuzz target (the masker against the oracle, both ways). Secret keys are zeroed
//!    on drop and never shown.
//! 2. **`Verified` means the bank sealed exactly what the typed value holds.** A response is read
//!    once into its typed message (unknown fields kept and sealed, over SOAP and JSON, JSON numbers
//!    as the digits sent), and the seal is checked over that message. A list item or nested object
//!    that adds nothing to the sealed string, or a list longer than [`seal::MAX_LIST_ITEMS`], is
//!    refused ([`Error::Shape`]); a repeated, moved or re-namespaced element is refused
//!    ([`Error::Envelope`]). Tests: `tests/sealed_parts.rs`, `tests/properties.rs` (any edit of a
//!    sealed answer is never `Verified` with other values), `tests/hostile.rs`.
//! 3. **The simulator loses no acknowledged change.** Each call is one SQLite transaction,
//!    committed before the answer; one simulator per database whatever path reaches it (the
//!    database itself is locked); a state file removed or replaced under it is refused, answered 99
//!    with the reason logged, never acknowledged. Tests: `tests/simulator_double.rs`; the soak
//!    bench's `kill -9` rounds.
//! 4. **Nothing from outside makes it do unbounded work or go where it was not pointed.** The XML
//!    reader's [`xml::Limits`], the response size cap, the call's timeout (decoding included),
//!    the list bound; the generator's limits (`sips_wallet_codegen::limits`), at build time and in
//!    `contract check`, which fetches nothing outside the WSDL's own origin; a proxy setting that
//!    cannot be used is an error ([`Error::Config`] naming the variable), never skipped. Tests:
//!    `tests/hostile.rs`, `codegen/tests/generate.rs`, `tests/cli.rs`
//!    (`contract_check_never_fetches_outside_the_wsdls_origin`,
//!    `an_unusable_proxy_variable_is_refused_naming_it`), the fuzz targets.
//! 5. **A verdict on an unknown outcome is never wrong.** After a change whose answer was lost,
//!    [`WalletClient::call_and_settle`] says [`Applied`](reconcile::Settled::Applied),
//!    [`NotApplied`](reconcile::Settled::NotApplied) or [`InEffect`](reconcile::Settled::InEffect)
//!    only on proof, otherwise [`StillUnknown`](reconcile::Settled::StillUnknown) with what would
//!    settle it. One rule decides, comparing a sealed reading of the wallet made just before the
//!    change with readings after it: Applied only when the wallet differs in exactly the way the
//!    change does (payment means known by everything they show, not by their number: a bank may
//!    number them by rank), NotApplied only when the change could not have had an effect or the
//!    wallet is unchanged after the settle window ([`CallOptions::settle_window`], default three
//!    times the timeout) in which the bank may still act. The [`reconcile`] module has each
//!    change's reading and identity rule. Tests: `tests/settle_property.rs` (random sequences of
//!    changes, faults and bank behaviours; every verdict checked against the simulator's record),
//!    `tests/reconcile.rs` and `tests/cli_settle.rs` (each known case, SOAP and JSON).
//!
//! ## What the Sips seal cannot protect
//!
//! The seal is an HMAC over the fields' values concatenated with no separator (SIPS-FACTS §4). So
//! characters can move between two fields adjacent in seal order without changing it: `W1` +
//! `myalias` seals like `W1my` + `alias`; and a part whose values are all empty adds nothing to it.
//! The crate refuses the second kind (rule 2 above). The first it cannot detect: no client can,
//! since both messages carry the same valid seal. What stands against it is TLS to the bank, which
//! the client always uses (plain HTTP only to loopback), and the reader, which never re-splits a
//! value across fields: a shift needs a rewritten message, not a rearranged one.
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
#![cfg_attr(docsrs, feature(doc_cfg))]

// Every `rust` block of the README compiles (and runs, unless `no_run`) as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

// The runtime's floors (protocol constants, masking, the seal, the XML codec, message traits,
// SOAP and JSON framing, request checks), under the paths this crate has always had.
pub use sips_wallet_runtime::{
    effect, envelope, files, json, mask, message, protocol, seal, text, typed, validate, xml,
};

// This crate's floors, bottom up (rustfmt lists the modules alphabetically): exchange, error;
// retry, options, proxy, transport; the generated contract and inapp, contracts over both; then
// side by side the client (with its generated methods) and the simulator, which never imports the
// client; above the client dynamic, remote_contract and reconcile, then metrics and blocking (each
// behind its feature); fuzzing. ARCHITECTURE.md draws
// them and tests/layers.rs checks them.
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
pub mod client;
pub mod contract;
pub mod contracts;
#[cfg(test)]
mod cxf_fixture;
pub mod dynamic;
mod error;
mod exchange;
#[doc(hidden)]
#[cfg(feature = "simulator")]
pub mod fuzzing;
pub mod inapp;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
mod options;
mod proxy;
pub mod reconcile;
pub mod remote_contract;
mod retry;
#[cfg(feature = "simulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "simulator")))]
pub mod simulator;
mod transport;

pub use client::{
    Binding, CallEvent, CallObserver, CallResult, Environment, Outcome, PreparedRequest, Reply,
    SettleEvent, Verification, WalletClient, WalletClientBuilder,
};
pub use error::{BoxError, Delivery, Error};
pub use exchange::Exchange;
pub use options::CallOptions;
pub use retry::RetryPolicy;
pub use seal::{Algorithm, SecretKey};
pub use transport::RootStore;
