//! A local stand-in for the Sips wallet service, for demos and merchants' tests: SOAP at
//! `POST /services/v2/wallet`, its WSDL at `GET /services/v2/wallet?wsdl`, and In-App
//! `paymentTokenInitialize` (JSON) at `POST /rs-services/v2/tokenInApp/paymentTokenInitialize`.
//!
//! It checks what the bank checks, in the bank's order: merchant (03), key version and seal (34,
//! `errorFieldName` `seal`), required fields (12), fields newer than `interfaceVersion` (12), formats
//! (30); then runs the function on its wallets (SQLite, in memory or in a file) and seals its answer
//! with the merchant's key. Malformed XML gets a SOAP Fault (HTTP 500), a body over 1 MiB a 413.
//!
//! Along one request's path, top to bottom (no module imports one above it; tests/layers.rs checks):
//!
//! - `http`: the listener and its limits (`server`: accept loop, timeouts, graceful stop;
//!   `connections`: the connection caps; `tls`; `admin`: the `/_simulator/` API; `wsdl`: the
//!   published contract);
//! - `requests`: a body read as the bank reads it (SOAP or JSON, routed by path), then `respond`:
//!   the scenario's rule decided, `checks` run in the bank's order, the function run, the answer
//!   sealed; [`faults`]: wire faults on demand;
//! - `functions`: one place per wallet function; [`bank`]: behaviours of real banks to survive;
//! - `store`: the wallets in SQLite (`wallets`: the rows each function reads and writes);
//! - [`scenario`]: rules, magic values; [`config`]: merchants, state file, limits;
//! - at the bottom, `state` (what every connection shares), `journal` (the calls received),
//!   `meter` (their counts and latency) and `reply` (what goes back at the HTTP level).

pub mod bank;
mod checks;
pub mod config;
pub mod faults;
mod functions;
mod http;
mod journal;
mod meter;
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
pub use journal::{CallFilter, CallRecord};
pub use scenario::{AddedRules, Drop, Scenario, ScenarioError, MAGIC_VALUES};
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
