//! What a simulator is told: the merchants it knows, where its state lives, the scenario it plays,
//! and the limits that keep it up under load.

use std::path::PathBuf;
use std::time::Duration;

use super::scenario::Scenario;
use crate::seal::SecretKey;

/// The built-in demo merchant's `merchantId`.
pub const DEMO_MERCHANT_ID: &str = "011223344550000";
/// The built-in demo merchant's `keyVersion`.
pub const DEMO_KEY_VERSION: &str = "1";
/// The built-in demo merchant's secret key: public, for the simulator only.
pub const DEMO_SECRET_KEY: &str = "sips-wallet-simulator-demo-key";

/// Largest request body accepted.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// One key of a merchant the simulator knows: several entries with one `id` are several key
/// versions of that merchant.
#[derive(Debug, Clone)]
pub struct Merchant {
    /// `merchantId`.
    pub id: String,
    /// `keyVersion` of this key.
    pub key_version: String,
    /// The secret key.
    pub key: SecretKey,
}

impl Merchant {
    /// The built-in demo merchant.
    pub fn demo() -> Merchant {
        Merchant {
            id: DEMO_MERCHANT_ID.into(),
            key_version: DEMO_KEY_VERSION.into(),
            key: SecretKey::new(DEMO_SECRET_KEY)
                .unwrap_or_else(|_| unreachable!("the demo key is not empty")),
        }
    }
}

/// The admin API's token: never shown.
#[derive(Clone)]
pub(super) struct AdminToken(pub(super) String);

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    pub(super) given_merchants: Vec<Merchant>,
    pub(super) state_file: Option<PathBuf>,
    pub(super) latency: Duration,
    pub(super) fail_rate: f64,
    pub(super) scenario: Scenario,
    pub(super) header_read_timeout: Duration,
    pub(super) request_timeout: Duration,
    pub(super) max_connections: usize,
    pub(super) max_connections_per_client: Option<usize>,
    pub(super) published: Option<Vec<(String, String)>>,
    pub(super) seed: Option<u64>,
    pub(super) magic: bool,
    pub(super) admin: bool,
    pub(super) admin_token: Option<AdminToken>,
    pub(super) allow_state_reset: bool,
    pub(super) tls: Option<Tls>,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            given_merchants: Vec::new(),
            state_file: None,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            scenario: Scenario::default(),
            header_read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            max_connections: 512,
            max_connections_per_client: None,
            published: None,
            seed: None,
            magic: true,
            admin: true,
            admin_token: None,
            allow_state_reset: false,
            tls: None,
        }
    }
}

impl SimulatorConfig {
    /// Knows this key of a merchant. A merchant given here with the demo merchant's id replaces the
    /// demo merchant; giving the same id with several key versions simulates a key rotation.
    pub fn merchant(mut self, merchant: Merchant) -> Self {
        self.given_merchants
            .retain(|m| !(m.id == merchant.id && m.key_version == merchant.key_version));
        self.given_merchants.push(merchant);
        self
    }

    /// Every key it knows: the merchants given, then the demo merchant unless one replaced it.
    pub fn merchants(&self) -> Vec<Merchant> {
        let mut all = self.given_merchants.clone();
        if self.has_demo_merchant() {
            all.push(Merchant::demo());
        }
        all
    }

    /// Whether the built-in demo merchant is among them (no merchant given replaced it).
    pub fn has_demo_merchant(&self) -> bool {
        !self
            .given_merchants
            .iter()
            .any(|m| m.id == DEMO_MERCHANT_ID)
    }

    /// Keeps the wallets in this SQLite file across restarts (each call one transaction, committed
    /// before the answer). One simulator at a time may hold a file.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Draws every random choice (the fail rate's, In-App tokens) from this seed, so that a run
    /// can be replayed: the same seed and the same sequence of requests give the same outcomes.
    /// Without it a seed is drawn at start ([`Simulator::seed`](super::Simulator::seed) says which).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Whether the magic values ([`MAGIC_VALUES`](super::scenario::MAGIC_VALUES): wallet ids
    /// `SIM-99-…`, `SIM-TIMEOUT-…`, `SIM-DROP-AFTER-…`, `SIM-DROP-BEFORE-…`, two card numbers) act,
    /// after the scenario's own rules. On by default.
    pub fn magic(mut self, on: bool) -> Self {
        self.magic = on;
        self
    }

    /// Whether the admin API under `/_simulator/` answers (the calls received, a reset, the
    /// clock, health; see the `admin` section of the README). On by default.
    pub fn admin(mut self, on: bool) -> Self {
        self.admin = on;
        self
    }

    /// Every admin request must carry `Authorization: Bearer TOKEN`. Needed for the admin API on a
    /// non-loopback address: without a token it is off there.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(AdminToken(token.into()));
        self
    }

    /// Whether `POST /_simulator/reset` may wipe a state file (off by default: a reset of an
    /// in-memory simulator is always allowed).
    pub fn allow_state_reset(mut self, allow: bool) -> Self {
        self.allow_state_reset = allow;
        self
    }

    /// Serves HTTPS (HTTP/1.1 and HTTP/2 by ALPN) instead of plain HTTP.
    pub fn tls(mut self, tls: Tls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Waits this long before answering each request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Fails this share of requests, at random: half answered 99, half with the connection dropped.
    /// Values outside 0 to 1 are brought to the nearest bound; the CLI refuses them.
    pub fn fail_rate(mut self, rate: f64) -> Self {
        self.fail_rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self
    }

    /// Plays these rules (see [`Scenario`]): deterministic answers, delays and dropped connections,
    /// and its bank's behaviour (its `[bank]` table).
    pub fn scenario(mut self, scenario: Scenario) -> Self {
        self.scenario = scenario;
        self
    }

    /// Behaves as this bank does (see [`Bank`](super::Bank)), whatever the scenario's `[bank]`
    /// table says.
    pub fn bank(mut self, bank: super::Bank) -> Self {
        self.scenario.set_bank(bank);
        self
    }

    /// Closes a connection whose client takes longer than this to send a request's headers,
    /// including the wait for the next request on an idle keep-alive connection (default 30 s).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Closes a connection whose request (body, processing and any delay) is not answered within
    /// this (default 60 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Publishes these documents at `?wsdl` (the `.wsdl` among them) and `?xsd=NAME` instead of the
    /// contract the simulator implements: to test a client, or `contract check`, against another
    /// contract. `(file name, text)` pairs, as the service's `?wsdl` and its schemas were saved.
    pub fn published_contract(mut self, files: Vec<(String, String)>) -> Self {
        self.published = Some(files);
        self
    }

    /// Open connections at once (default 512). At the cap, the oldest connection not serving a
    /// request (idle, or still sending its headers) is closed to admit a new one; only when every
    /// one is serving a request does a new one get a 503.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Open connections one client address may hold at once, with the same rule (default: the
    /// whole cap, so that a load test from one host is not cut short).
    pub fn max_connections_per_client(mut self, max: usize) -> Self {
        self.max_connections_per_client = Some(max.max(1));
        self
    }
}

/// How the simulator serves HTTPS.
#[derive(Clone)]
#[non_exhaustive]
pub enum Tls {
    /// A self-signed certificate for 127.0.0.1, ::1 and localhost, made at start: trust it with
    /// [`Simulator::certificate_pem`](super::Simulator::certificate_pem) (`--tls-cert-out FILE`).
    SelfSigned,
    /// This certificate chain and private key, PEM.
    Given {
        /// The certificate chain, leaf first.
        certificate_pem: String,
        /// The private key.
        key_pem: String,
    },
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tls::SelfSigned => f.write_str("SelfSigned"),
            // The key is a secret.
            Tls::Given { .. } => f.write_str("Given { .. }"),
        }
    }
}
