//! The simulator's load: the bare loop at concurrency 256 against `serve` holding 100 and 100,000
//! wallets, in memory and in a state file.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use sips_wallet::contract::{operations, AddCardRequest, GetWalletDataRequest};

use crate::calls::{bare_call, bare_client, client};
use crate::common::Server;
use crate::measure::{load_average, run};
use crate::CARDS;

/// A simulator holding `wallets` wallets of one payment mean each (in memory, or in the file
/// `state`), filled through the simulator itself, and sealed getWalletData requests for 64 of them
/// spread over the whole range.
pub(crate) struct Loaded {
    /// Running while it is measured; stopped when dropped.
    _server: Server,
    uri: http::Uri,
    bodies: Arc<Vec<Bytes>>,
}

pub(crate) async fn loaded_simulator(state: Option<&std::path::Path>, wallets: usize) -> Loaded {
    let id = |i: usize| format!("LOAD-{i:06}");
    let server = match state {
        Some(path) => Server::start(&["--state", path.to_str().expect("UTF-8 path")]),
        None => Server::start(&[]),
    };
    let client = client(&server.url);
    let next = Arc::new(AtomicU64::new(0));
    let filler = client.clone();
    let filled = run(64, wallets, move || {
        let (client, i) = (
            filler.clone(),
            next.fetch_add(1, Ordering::Relaxed) as usize,
        );
        async move {
            let request = AddCardRequest::new()
                .merchant_wallet_id(id(i))
                .card_number(CARDS[0])
                .card_expiry_date("203001");
            client.add_card(request).await.is_ok_and(|r| r.is_success())
        }
    })
    .await;
    assert_eq!(filled.failed, 0, "every wallet stored");
    let mut bodies = Vec::new();
    let mut uri = None;
    for k in 0..64 {
        let mut request = GetWalletDataRequest::new().merchant_wallet_id(id(k * wallets / 64));
        let prepared = client
            .prepare::<operations::GetWalletData>(&mut request)
            .expect("prepare");
        uri = Some(prepared.uri.parse::<http::Uri>().expect("uri"));
        bodies.push(Bytes::from(prepared.body));
    }
    Loaded {
        _server: server,
        uri: uri.expect("64 bodies"),
        bodies: Arc::new(bodies),
    }
}

/// The bare loop's calls/s against a loaded simulator at concurrency 256, and the calls failed.
pub(crate) async fn load_round(loaded: &Loaded, calls: usize) -> (f64, usize) {
    let bare = bare_client();
    let (uri, bodies) = (loaded.uri.clone(), loaded.bodies.clone());
    let next = Arc::new(AtomicU64::new(0));
    let result = run(256, calls, move || {
        let k = next.fetch_add(1, Ordering::Relaxed) as usize % bodies.len();
        bare_call(bare.clone(), uri.clone(), bodies[k].clone())
    })
    .await;
    (result.calls_per_second, result.failed)
}

/// The simulator's load: calls/s with 100 and 100,000 wallets stored, in memory and in a file.
pub(crate) async fn load_table() {
    const LOAD_ROUNDS: usize = 3;
    const CALLS: usize = 40_000;
    let dir = std::env::temp_dir().join(format!("sips-bench-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // All four stocked first, then measured in alternating rounds (the order rotated).
    let mut servers = Vec::new();
    for (state, wallets) in [
        ("in memory", 100),
        ("in memory", 100_000),
        ("SQLite file (WAL)", 100),
        ("SQLite file (WAL)", 100_000),
    ] {
        let path = dir.join(format!("state-{wallets}.db"));
        let file = (state != "in memory").then_some(path.as_path());
        servers.push((state, wallets, loaded_simulator(file, wallets).await));
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); servers.len()];
    let mut failed = 0;
    for round in 0..LOAD_ROUNDS {
        for k in 0..servers.len() {
            let k = (k + round) % servers.len();
            let (rate, lost) = load_round(&servers[k].2, CALLS).await;
            rates[k].push(rate);
            failed += lost;
        }
    }
    let medians: Vec<f64> = rates
        .into_iter()
        .map(|mut r| {
            r.sort_by(f64::total_cmp);
            r[r.len() / 2]
        })
        .collect();
    println!(
        "\nThe simulator's load: bare loop, concurrency 256, {LOAD_ROUNDS} alternating rounds of {CALLS} getWalletData calls of stored wallets (one mean each), answered 00, medians (load average {}).\n",
        load_average()
    );
    println!("| state | wallets stored | calls/s | vs the same state, 100 wallets |");
    println!("|---|---|---|---|");
    for (k, (state, wallets, _)) in servers.iter().enumerate() {
        let same_state_100 = servers
            .iter()
            .position(|(s, w, _)| s == state && *w == 100)
            .unwrap_or(k);
        let baseline = medians[same_state_100];
        println!(
            "| {state} | {wallets} | {:.0} | {:.0} % |",
            medians[k],
            100.0 * medians[k] / baseline
        );
    }
    if failed > 0 {
        println!("({failed} calls failed)");
    }
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);
}
