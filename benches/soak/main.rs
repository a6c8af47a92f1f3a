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
//!
//! One file per part: `model` (what each wallet should hold), `calls` (one random call checked
//! against the model), `runs` (the mixed run and the kill rounds).

use std::path::PathBuf;
use std::time::Duration;

mod calls;
#[path = "../common/mod.rs"]
mod common;
mod model;
mod runs;

use common::rss_kib;
use sips_wallet::WalletClient;

pub(crate) const WORKERS: usize = 32;

pub(crate) const WALLETS_PER_WORKER: usize = 16;

pub(crate) const CARDS: [&str; 6] = [
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "4012888888881881",
    "5105105105105100",
];

pub(crate) fn client(url: &str) -> WalletClient {
    common::demo_client(url, Duration::from_secs(10))
}

pub(crate) fn rss_mib() -> f64 {
    rss_kib() as f64 / 1024.0
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
    let mixed = runtime.block_on(runs::mixed_run(calls, &dir));
    let kept = runtime.block_on(runs::kill_rounds(kills, &dir));
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "\nsoak: {}",
        if mixed && kept { "PASSED" } else { "FAILED" }
    );
    if !(mixed && kept) {
        std::process::exit(1);
    }
}
