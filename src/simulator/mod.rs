//! A local stand-in for the Sips wallet service, for demos and merchants' tests: SOAP at
//! `POST /services/v2/wallet`, its WSDL at `GET /services/v2/wallet?wsdl`, and In-App
//! `paymentTokenInitialize` (JSON) at `POST /rs-services/v2/tokenInApp/paymentTokenInitialize`.
//!
//! It checks what the bank checks, in the bank's order: merchant (03), key version and seal (34,
//! `errorFieldName` `seal`), required fields (12), fields newer than `interfaceVersion` (12), formats
//! (30); then runs the function on its wallets (SQLite, in memory or in a file) and seals its answer
//! with the merchant's key. Malformed XML gets a SOAP Fault (HTTP 500), a body over 1 MiB a 413.
//!
//! - [`config`]: merchants (several key versions each), state file, limits;
//! - [`scenario`]: deterministic answers, delays and dropped connections for tests;
//! - `wallets`: the wallets in SQLite;
//! - `server`: connections, timeouts, the connection cap, graceful shutdown;
//! - `answer`: what the bank does with one request.

pub mod bank;
mod checks;
pub mod config;
pub mod faults;
mod functions;
mod http;
mod journal;
mod reply;
mod requests;
mod respond;
pub mod scenario;
mod state;
mod store;

pub use bank::Bank;
pub use config::Tls;
pub use config::{
    Merchant, SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
    MAX_REQUEST_BYTES,
};
pub use faults::Fault;
pub use http::server::Simulator;
pub use journal::CallRecord;
pub use scenario::{Drop, Scenario, ScenarioError, MAGIC_VALUES};
pub use store::StoreError;

pub(crate) use requests::answer_for_fuzzing;

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The state file could not be opened (in use, not a state database, unreadable).
    #[error("cannot open the state: {0}")]
    State(#[from] StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The In-App key pair could not be made.
    #[error("cannot make the In-App key pair: {0}")]
    Keys(String),
    /// HTTPS could not be set up (the certificate or key).
    #[error("HTTPS: {0}")]
    Tls(String),
}
