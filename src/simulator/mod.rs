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

mod admin;
mod answer;
pub mod bank;
pub mod config;
mod connections;
pub mod faults;
pub mod scenario;
mod server;
mod tls;
mod wallets;

use std::sync::atomic::AtomicU64;

pub use admin::CallRecord;
pub use bank::Bank;
pub use config::{
    Merchant, SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
    MAX_REQUEST_BYTES,
};
pub use faults::Fault;
pub use scenario::{Drop, Scenario, ScenarioError, MAGIC_VALUES};
pub use server::Simulator;
pub use tls::Tls;
use wallets::Store;
pub use wallets::StoreError;

pub(crate) use answer::answer_for_fuzzing;

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

/// What every connection of one simulator shares.
struct Shared {
    config: SimulatorConfig,
    /// Every key of every merchant it knows.
    merchants: Vec<Merchant>,
    store: Store,
    /// Requests received so far: scenario rules can name the n-th.
    calls: AtomicU64,
    base_url: String,
    /// The address it listens on.
    local_addr: std::net::SocketAddr,
    /// Whether the admin API answers: asked for, and on a loopback address unless it has a token.
    admin: bool,
    /// The In-App key pair: the mobile SDK would encrypt card data with its public half.
    _in_app_keys: rcgen::KeyPair,
    /// Its public key, base64 DER (SubjectPublicKeyInfo), as `publicKeyValue` carries it.
    in_app_public_key: String,
    /// The seed every random choice (the fail rate, In-App tokens) is drawn from, and the
    /// generator, shared in the order requests arrive: the same seed and the same sequence of
    /// requests give the same outcomes.
    seed: u64,
    random: std::sync::Mutex<fastrand::Rng>,
    /// The calls received, for the admin API.
    calls_seen: admin::CallList,
    /// Rules added while it runs ([`Simulator::add_rules`]), played before the scenario's.
    added_rules: std::sync::RwLock<Scenario>,
}

impl Shared {
    fn new(
        config: SimulatorConfig,
        local_addr: std::net::SocketAddr,
        scheme: &str,
    ) -> Result<Shared, StartError> {
        let store = match &config.state_file {
            Some(path) => Store::open(path)?,
            None => Store::in_memory()?,
        }
        .number_by_rank(config.scenario.bank().numbers_by_rank());
        let keys = rcgen::KeyPair::generate().map_err(|e| StartError::Keys(e.to_string()))?;
        let in_app_public_key = {
            use base64::Engine;
            use rcgen::PublicKeyData;
            base64::engine::general_purpose::STANDARD.encode(keys.subject_public_key_info())
        };
        let seed = config.seed.unwrap_or_else(|| fastrand::u64(..));
        let admin = config.admin && (local_addr.ip().is_loopback() || config.admin_token.is_some());
        Ok(Shared {
            base_url: format!("{scheme}://{local_addr}"),
            local_addr,
            admin,
            merchants: config.merchants(),
            config,
            store,
            calls: AtomicU64::new(0),
            _in_app_keys: keys,
            in_app_public_key,
            seed,
            random: std::sync::Mutex::new(fastrand::Rng::with_seed(seed)),
            calls_seen: admin::CallList::default(),
            added_rules: std::sync::RwLock::new(Scenario::default()),
        })
    }

    /// What the rules make of a call: those added at run time, newest first, then the scenario's,
    /// then the magic values'.
    fn decide(&self, call: &scenario::Call<'_>) -> scenario::Effect {
        let added = self.added_rules.read().unwrap_or_else(|p| p.into_inner());
        added
            .decide(call)
            .or_else(|| self.config.scenario.decide(call))
            .or_else(|| {
                self.config
                    .magic
                    .then(|| scenario::magic().decide(call))
                    .flatten()
            })
            .unwrap_or_default()
    }

    /// How its bank behaves.
    fn bank(&self) -> &Bank {
        self.config.scenario.bank()
    }

    /// A draw from the seeded generator.
    fn random<T>(&self, draw: impl FnOnce(&mut fastrand::Rng) -> T) -> T {
        // A panic while drawing leaves the generator as it was: still usable.
        let mut random = self.random.lock().unwrap_or_else(|p| p.into_inner());
        draw(&mut random)
    }
}
