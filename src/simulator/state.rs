//! What every connection of one simulator shares: its configuration and merchants, the store, the
//! call counter, list and meter, the rules added at run time, the seeded generator, the In-App
//! keys.

use std::sync::atomic::{AtomicU64, Ordering};

use super::bank::Bank;
use super::config::{Merchant, SimulatorConfig};
use super::journal::{CallFilter, CallList};
use super::meter::Meter;
use super::scenario::{self, AddedRules, Scenario};
use super::store::Store;
use super::StartError;

/// What every connection of one simulator shares.
pub(super) struct Shared {
    pub(super) config: SimulatorConfig,
    /// Every key of every merchant it knows.
    pub(super) merchants: Vec<Merchant>,
    pub(super) store: Store,
    /// Requests received so far: scenario rules can name the n-th.
    pub(super) calls: AtomicU64,
    pub(super) base_url: String,
    /// The address it listens on.
    pub(super) local_addr: std::net::SocketAddr,
    /// Whether the admin API answers: asked for, and on a loopback address unless it has a token.
    pub(super) admin: bool,
    /// The In-App key pair: the mobile SDK would encrypt card data with its public half.
    pub(super) _in_app_keys: rcgen::KeyPair,
    /// Its public key, base64 DER (SubjectPublicKeyInfo), as `publicKeyValue` carries it.
    pub(super) in_app_public_key: String,
    /// The seed every random choice (the fail rate, In-App tokens) is drawn from, and the
    /// generator, shared in the order requests arrive: the same seed and the same sequence of
    /// requests give the same outcomes.
    pub(super) seed: u64,
    pub(super) random: std::sync::Mutex<fastrand::Rng>,
    /// The calls received, for the admin API.
    pub(super) calls_seen: CallList,
    /// Calls by operation and code, and their latency, for `GET /_simulator/metrics`.
    pub(super) meter: Meter,
    /// Rules added while it runs ([`Simulator::add_rules`]), oldest first, each set with its id;
    /// played newest first, before the scenario's.
    pub(super) added_rules: std::sync::RwLock<Vec<(AddedRules, Scenario)>>,
    /// The id the next set of added rules gets.
    pub(super) next_rules_id: AtomicU64,
}

impl Shared {
    pub(super) fn new(
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
            calls_seen: CallList::default(),
            meter: Meter::default(),
            added_rules: std::sync::RwLock::new(Vec::new()),
            next_rules_id: AtomicU64::new(1),
        })
    }

    /// What the rules make of a call: those added at run time, newest first, then the scenario's,
    /// then the magic values'.
    pub(super) fn decide(&self, call: &scenario::Call<'_>) -> scenario::Effect {
        let added = self.added_rules.read().unwrap_or_else(|p| p.into_inner());
        added
            .iter()
            .rev()
            .find_map(|(_, rules)| rules.decide(call))
            .or_else(|| self.config.scenario.decide(call))
            .or_else(|| {
                self.config
                    .magic
                    .then(|| scenario::magic().decide(call))
                    .flatten()
            })
            .unwrap_or_default()
    }

    /// Plays `rules` from now on, before every rule already there; `toml` is the text they came
    /// in (empty when given in-process). The set's id.
    pub(super) fn add_rules(&self, rules: Scenario, toml: String) -> u64 {
        let id = self.next_rules_id.fetch_add(1, Ordering::Relaxed);
        let info = AddedRules {
            id,
            added: super::store::now(),
            rules: rules.len(),
            toml: crate::mask::Secrets::new().shown_up_to(&toml, 4096),
        };
        self.added_rules
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push((info, rules));
        id
    }

    /// The sets of rules added while it runs, oldest first.
    pub(super) fn rules(&self) -> Vec<AddedRules> {
        let added = self.added_rules.read().unwrap_or_else(|p| p.into_inner());
        added.iter().map(|(info, _)| info.clone()).collect()
    }

    /// Removes the set `id` (every set when `None`): how many were removed.
    pub(super) fn remove_rules(&self, id: Option<u64>) -> usize {
        let mut added = self.added_rules.write().unwrap_or_else(|p| p.into_inner());
        let before = added.len();
        added.retain(|(info, _)| id.is_some_and(|id| info.id != id));
        before - added.len()
    }

    /// Removes the wallets of `merchant` (every merchant's when `None`), or only `wallet`, and
    /// their calls from the call list; a whole reset clears the metrics too. The wallets removed.
    pub(super) fn reset(
        &self,
        merchant: Option<&str>,
        wallet: Option<&str>,
    ) -> Result<usize, super::StoreError> {
        let removed = self.store.reset_where(merchant, wallet)?;
        let mut calls = CallFilter::new();
        calls.merchant = merchant.map(str::to_string);
        calls.wallet = wallet.map(str::to_string);
        self.calls_seen.forget(&calls);
        if merchant.is_none() && wallet.is_none() {
            self.meter.clear();
        }
        Ok(removed)
    }

    /// How its bank behaves.
    pub(super) fn bank(&self) -> &Bank {
        self.config.scenario.bank()
    }

    /// A draw from the seeded generator.
    pub(super) fn random<T>(&self, draw: impl FnOnce(&mut fastrand::Rng) -> T) -> T {
        // A panic while drawing leaves the generator as it was: still usable.
        let mut random = self.random.lock().unwrap_or_else(|p| p.into_inner());
        draw(&mut random)
    }
}
