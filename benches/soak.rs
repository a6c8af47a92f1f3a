//! `cargo bench --bench soak`: the simulator and one client for a long mixed run (not part of CI).
//!
//! 1. `SOAK_CALLS` (default 100,000) mixed wallet calls through one client against
//!    `sips-wallet serve --state FILE --fail-rate 0.05` in another process. Each of 32 workers owns
//!    16 wallets and calls them one at a time, so a model predicts every answer: each call must end
//!    in a typed result with the predicted code (or the injected 99 / dropped connection), every read
//!    must show the model's payment means, the client's RSS must stay flat, and after a graceful
//!    stop the SQLite file must hold exactly the model's wallets.
//! 2. `SOAK_KILLS` (default 5) rounds of `kill -9` at a random moment under load, then a restart on
//!    the same file: no wallet whose last call was answered 00 may have lost anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use common::{rss_kib, Server};
use sips_wallet::contract::{
    AddCardRequest, DeletePaymentMeanRequest, GetPaymentMeanDataRequest, GetWalletDataRequest,
    SignOffRequest, UpdatePaymentMeanRequest, WalletPaymentMeanData,
};
use sips_wallet::mask::mask_pan;
use sips_wallet::{Error, Reply, Verification, WalletClient};

const WORKERS: usize = 32;
const WALLETS_PER_WORKER: usize = 16;
const CARDS: [&str; 6] = [
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "4012888888881881",
    "5105105105105100",
];

/// What the model says a payment mean is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mean {
    masked_pan: String,
    card: &'static str,
    expiry: String,
    alias: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Wallet {
    next: u32,
    means: BTreeMap<u32, Mean>,
}

type Model = BTreeMap<String, Wallet>;

fn client(url: &str) -> WalletClient {
    common::demo_client(url, Duration::from_secs(10))
}

fn rss_mib() -> f64 {
    rss_kib() as f64 / 1024.0
}

/// How a call ended.
enum Ended {
    /// Answered with the model's code (the model is updated on 00).
    Predicted,
    /// The injected failure: 99, nothing changed.
    Injected99,
    /// No answer: the outcome is unknown to the client.
    NoAnswer,
}

/// Tallies of every call, and the first disagreement with the model.
#[derive(Default)]
struct Tally {
    predicted: AtomicU64,
    injected_99: AtomicU64,
    no_answer: AtomicU64,
    wrong: Mutex<Vec<String>>,
}

impl Tally {
    fn count(&self, ended: &Ended) {
        let counter = match ended {
            Ended::Predicted => &self.predicted,
            Ended::Injected99 => &self.injected_99,
            Ended::NoAnswer => &self.no_answer,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn wrong(&self, what: String) {
        let mut wrong = self.wrong.lock().unwrap_or_else(|p| p.into_inner());
        if wrong.len() < 10 {
            wrong.push(what);
        }
    }
}

/// The code the reply carries, or how the call failed.
fn outcome<T>(result: &Result<Reply<T>, Error>) -> Result<&str, String> {
    match result {
        Ok(reply) if reply.verification != Verification::Verified => {
            Err(format!("unverified {:?}", reply.code))
        }
        Ok(reply) => Ok(reply.code.as_deref().unwrap_or("")),
        Err(Error::Transport { .. } | Error::Timeout(_)) => Err(String::new()),
        Err(other) => Err(format!("unexpected error: {other}")),
    }
}

/// Payment means by rank: masked PAN, expiry, alias.
type Means = BTreeMap<u32, (String, String, Option<String>)>;

fn means_of(list: &[WalletPaymentMeanData]) -> Means {
    list.iter()
        .map(|m| {
            (
                m.payment_mean_id
                    .as_deref()
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0),
                (
                    m.masked_pan.clone().unwrap_or_default(),
                    m.pan_expiry_date.clone().unwrap_or_default(),
                    m.payment_mean_alias.clone(),
                ),
            )
        })
        .collect()
}

fn model_means(wallet: &Wallet) -> Means {
    wallet
        .means
        .iter()
        .map(|(id, m)| {
            (
                *id,
                (m.masked_pan.clone(), m.expiry.clone(), m.alias.clone()),
            )
        })
        .collect()
}

/// One random call on one of `wallets`, checked against and applied to `model`.
async fn one_call(
    client: &WalletClient,
    model: &mut Model,
    wallet_id: &str,
    tally: &Tally,
) -> Ended {
    let wallet = model.get(wallet_id).cloned();
    let mean_id = wallet
        .as_ref()
        .and_then(|w| {
            let ids: Vec<u32> = w.means.keys().copied().collect();
            (!ids.is_empty()).then(|| ids[fastrand::usize(..ids.len())])
        })
        .unwrap_or_else(|| fastrand::u32(1..4));
    let mean_known = wallet
        .as_ref()
        .is_some_and(|w| w.means.contains_key(&mean_id));
    let found = |known: bool| if known { "00" } else { "25" };
    let check = |what: &str, result: Result<&str, String>, expected: &str| -> Option<Ended> {
        match result {
            Ok("99") => Some(Ended::Injected99),
            Ok(code) if code == expected => None,
            Ok(code) => {
                tally.wrong(format!(
                    "{what} on {wallet_id}: {code}, the model says {expected}"
                ));
                Some(Ended::Predicted)
            }
            Err(e) if e.is_empty() => Some(Ended::NoAnswer),
            Err(e) => {
                tally.wrong(format!("{what} on {wallet_id}: {e}"));
                Some(Ended::Predicted)
            }
        }
    };
    match fastrand::u32(0..100) {
        0..30 => {
            let card = CARDS[fastrand::usize(..CARDS.len())];
            let expiry = format!("20{}12", fastrand::u32(30..40));
            let duplicate = wallet
                .as_ref()
                .is_some_and(|w| w.means.values().any(|m| m.card == card));
            let result = client
                .add_card(
                    AddCardRequest::new()
                        .merchant_wallet_id(wallet_id)
                        .card_number(card)
                        .card_expiry_date(expiry.clone()),
                )
                .await;
            let expected = if duplicate { "94" } else { "00" };
            if let Some(ended) = check("addCard", outcome(&result), expected) {
                return ended;
            }
            if !duplicate {
                let entry = model.entry(wallet_id.to_string()).or_insert(Wallet {
                    next: 1,
                    means: BTreeMap::new(),
                });
                let id = entry.next;
                entry.next += 1;
                let given = result
                    .ok()
                    .and_then(|r| r.response.payment_mean_id)
                    .and_then(|i| i.parse::<u32>().ok());
                if given != Some(id) {
                    tally.wrong(format!(
                        "addCard on {wallet_id}: mean {given:?}, the model says {id}"
                    ));
                }
                entry.means.insert(
                    id,
                    Mean {
                        masked_pan: mask_pan(card),
                        card,
                        expiry,
                        alias: None,
                    },
                );
            }
        }
        30..55 => {
            let result = client
                .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet_id))
                .await;
            if let Some(ended) = check("getWalletData", outcome(&result), found(wallet.is_some())) {
                return ended;
            }
            if let (Ok(reply), Some(wallet)) = (&result, &wallet) {
                if means_of(&reply.response.wallet_payment_mean_data_list) != model_means(wallet) {
                    tally.wrong(format!(
                        "getWalletData on {wallet_id}: not the model's means"
                    ));
                }
            }
        }
        55..70 => {
            let alias = format!("alias {}", fastrand::u32(..1000));
            let result = client
                .update_payment_mean(
                    UpdatePaymentMeanRequest::new()
                        .merchant_wallet_id(wallet_id)
                        .payment_mean_id(mean_id.to_string())
                        .payment_mean_alias(alias.clone()),
                )
                .await;
            if let Some(ended) = check("updatePaymentMean", outcome(&result), found(mean_known)) {
                return ended;
            }
            if let Some(mean) = model
                .get_mut(wallet_id)
                .and_then(|w| w.means.get_mut(&mean_id))
            {
                mean.alias = Some(alias);
            }
        }
        70..80 => {
            let result = client
                .delete_payment_mean(
                    DeletePaymentMeanRequest::new()
                        .merchant_wallet_id(wallet_id)
                        .payment_mean_id(mean_id.to_string()),
                )
                .await;
            if let Some(ended) = check("deletePaymentMean", outcome(&result), found(mean_known)) {
                return ended;
            }
            if let Some(w) = model.get_mut(wallet_id) {
                w.means.remove(&mean_id);
            }
        }
        80..90 => {
            let result = client
                .get_payment_mean_data(
                    GetPaymentMeanDataRequest::new()
                        .merchant_wallet_id(wallet_id)
                        .payment_mean_id(mean_id.to_string()),
                )
                .await;
            if let Some(ended) = check("getPaymentMeanData", outcome(&result), found(mean_known)) {
                return ended;
            }
        }
        _ => {
            let result = client
                .sign_off(SignOffRequest::new().merchant_wallet_id(wallet_id))
                .await;
            if let Some(ended) = check("signOff", outcome(&result), found(wallet.is_some())) {
                return ended;
            }
            model.remove(wallet_id);
        }
    }
    Ended::Predicted
}

fn wallet_ids(worker: usize) -> Vec<String> {
    (0..WALLETS_PER_WORKER)
        .map(|i| format!("SOAK-{worker:02}-{i:02}"))
        .collect()
}

/// The wallets in a state file, read with SQLite directly: next rank and payment means.
fn wallets_in(path: &Path) -> BTreeMap<String, (u32, Means)> {
    let db = rusqlite::Connection::open(path).expect("open the state");
    let mut out: BTreeMap<String, (u32, Means)> = BTreeMap::new();
    let mut wallets = db
        .prepare("SELECT wallet_id, next_mean FROM wallets")
        .expect("query");
    let rows = wallets
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))
        .expect("wallets");
    for row in rows {
        let (id, next) = row.expect("row");
        out.insert(id, (next, Means::new()));
    }
    let mut means = db
        .prepare("SELECT wallet_id, mean_id, masked_pan, expiry, alias FROM payment_means")
        .expect("query");
    let rows = means
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                (r.get(2)?, r.get(3)?, r.get(4)?),
            ))
        })
        .expect("means");
    for row in rows {
        let (wallet, id, mean) = row.expect("row");
        out.entry(wallet).or_default().1.insert(id, mean);
    }
    out
}

/// Wallets as the model sees them, and as the database holds them, for comparing.
fn model_view(model: &Model) -> BTreeMap<String, (u32, Means)> {
    model
        .iter()
        .map(|(id, w)| (id.clone(), (w.next, model_means(w))))
        .collect()
}

async fn mixed_run(calls: u64, dir: &Path) -> bool {
    let path = dir.join("soak.db");
    let server = Server::start(&[
        "--state",
        path.to_str().expect("path"),
        "--fail-rate",
        "0.05",
    ]);
    let client = client(&server.url);
    let tally = Arc::new(Tally::default());
    let next = Arc::new(AtomicU64::new(0));
    let rss = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let (client, tally, next, rss) =
                (client.clone(), tally.clone(), next.clone(), rss.clone());
            tokio::spawn(async move {
                let ids = wallet_ids(worker);
                let mut model = Model::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= calls {
                        return model;
                    }
                    if n % (calls / 20).max(1) == 0 {
                        rss.lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(rss_mib());
                    }
                    let id = &ids[fastrand::usize(..ids.len())];
                    let ended = one_call(&client, &mut model, id, &tally).await;
                    tally.count(&ended);
                }
            })
        })
        .collect();
    let mut model = Model::new();
    for worker in workers {
        model.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    drop(client);
    let stopped = server.terminate();
    let stored = wallets_in(&path);
    let expected = model_view(&model);
    let rss = rss.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let half = rss.len() / 2;
    let early = rss[..half.max(1)].iter().cloned().fold(0.0, f64::max);
    let late = rss[half..].iter().cloned().fold(0.0, f64::max);
    let flat = late <= early * 1.1 + 2.0;
    let wrong = tally
        .wrong
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    println!("## Mixed run: {calls} calls, 32 workers, --fail-rate 0.05, SQLite state\n");
    println!(
        "- {:.0} s, {:.0} calls/s; answered as the model predicted: {}; injected 99: {}; no answer (dropped): {}",
        elapsed.as_secs_f64(),
        calls as f64 / elapsed.as_secs_f64(),
        tally.predicted.load(Ordering::Relaxed),
        tally.injected_99.load(Ordering::Relaxed),
        tally.no_answer.load(Ordering::Relaxed)
    );
    println!(
        "- client RSS (MiB) over the run: {}; {}",
        rss.iter()
            .map(|r| format!("{r:.1}"))
            .collect::<Vec<_>>()
            .join(" "),
        if flat { "flat" } else { "GROWING" }
    );
    println!(
        "- graceful stop: {}; final database: {} wallets, {} the model built from the calls answered 00",
        if stopped { "exit 0" } else { "FAILED" },
        stored.len(),
        if stored == expected { "equal to" } else { "DIFFERENT FROM" }
    );
    for w in &wrong {
        println!("- disagreement: {w}");
    }
    stopped && flat && stored == expected && wrong.is_empty()
}

async fn kill_rounds(rounds: usize, dir: &Path) -> bool {
    let path = dir.join("kill.db");
    let path_text = path.to_str().expect("path").to_string();
    let mut model = Model::new();
    let mut all_kept = true;
    println!("\n## kill -9 under load, then restart on the same file ({rounds} rounds)\n");
    for round in 1..=rounds {
        let server = Server::start(&["--state", &path_text]);
        let client = client(&server.url);
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Tally::default());
        let shared_model = Arc::new(Mutex::new(std::mem::take(&mut model)));
        let workers: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let (client, stop, tally, shared_model) = (
                    client.clone(),
                    stop.clone(),
                    tally.clone(),
                    shared_model.clone(),
                );
                tokio::spawn(async move {
                    let ids = wallet_ids(worker);
                    let mut mine: Model = {
                        let all = shared_model.lock().unwrap_or_else(|p| p.into_inner());
                        all.iter()
                            .filter(|(id, _)| ids.contains(id))
                            .map(|(id, w)| (id.clone(), w.clone()))
                            .collect()
                    };
                    let mut uncertain = None;
                    while !stop.load(Ordering::Relaxed) {
                        let id = &ids[fastrand::usize(..ids.len())];
                        let ended = one_call(&client, &mut mine, id, &tally).await;
                        tally.count(&ended);
                        if let Ended::NoAnswer = ended {
                            uncertain = Some(id.clone());
                            break;
                        }
                    }
                    (mine, uncertain)
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200 + fastrand::u64(..600))).await;
        server.kill_9();
        stop.store(true, Ordering::Relaxed);
        let mut uncertain = BTreeSet::new();
        for worker in workers {
            let (mine, wallet) = worker.await.expect("worker");
            model.extend(mine);
            uncertain.extend(wallet);
        }
        drop(client);
        // After the restart: every wallet whose calls were all answered must be as the model says;
        // a wallet with a call in flight at the kill may hold either state: the model takes it.
        let stored = wallets_in(&path);
        let expected = model_view(&model);
        let mut lost = 0;
        for worker in 0..WORKERS {
            for id in wallet_ids(worker) {
                if uncertain.contains(&id) {
                    continue;
                }
                if stored.get(&id) != expected.get(&id) {
                    lost += 1;
                }
            }
        }
        for id in &uncertain {
            adopt(&mut model, id, stored.get(id));
        }
        let wrong = tally.wrong.lock().unwrap_or_else(|p| p.into_inner()).len();
        println!(
            "- round {round}: {} calls answered before the kill, {} in flight; wallets with an acknowledged change lost: {lost}; disagreements: {wrong}",
            tally.predicted.load(Ordering::Relaxed),
            uncertain.len()
        );
        all_kept &= lost == 0 && wrong == 0;
        // The restart itself must open the file the killed simulator left.
        let check = Server::start(&["--state", &path_text]);
        all_kept &= check.terminate();
    }
    all_kept
}

/// Takes the stored state of a wallet whose last call's outcome is unknown.
fn adopt(model: &mut Model, id: &str, stored: Option<&(u32, Means)>) {
    let Some((next, stored)) = stored else {
        model.remove(id);
        return;
    };
    let means = stored
        .iter()
        .map(|(mean_id, (masked_pan, expiry, alias))| {
            let card = CARDS
                .iter()
                .find(|c| mask_pan(c) == *masked_pan)
                .copied()
                .unwrap_or("");
            let mean = Mean {
                masked_pan: masked_pan.clone(),
                card,
                expiry: expiry.clone(),
                alias: alias.clone(),
            };
            (*mean_id, mean)
        })
        .collect();
    model.insert(id.to_string(), Wallet { next: *next, means });
}

fn main() {
    let calls = std::env::var("SOAK_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let kills = std::env::var("SOAK_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let dir: PathBuf = std::env::temp_dir().join(format!("sips-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mixed = runtime.block_on(mixed_run(calls, &dir));
    let kept = runtime.block_on(kill_rounds(kills, &dir));
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "\nsoak: {}",
        if mixed && kept { "PASSED" } else { "FAILED" }
    );
    if !(mixed && kept) {
        std::process::exit(1);
    }
}
