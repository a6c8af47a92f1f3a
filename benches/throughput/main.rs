//! `cargo bench --bench throughput`: the client end to end over loopback, against the simulator
//! running in another process (`sips-wallet serve`), beside a bare hyper-util loop posting the same
//! pre-built sealed envelope to the same simulator (the floor: no filling, sealing, writing,
//! reading or verifying). Every call is getWalletData of a wallet holding 10 payment means,
//! answered 00 and sealed. Bounded counts; timings are measured here, never asserted in tests.
//!
//! Then the same two loops against a **canned-answer server** (this binary run as `--canned` in a
//! process of its own: one pre-built sealed answer for every POST, no parsing), which is never the
//! bottleneck: the client's own cost beside the bare loop's.
//!
//! Then the simulator's CPU per call beside the canned server's (both on one thread), measured in
//! each server's process, and its load: the bare loop at concurrency 256 against `serve` in memory
//! and with its SQLite state file holding 100 and 100,000 wallets.
//!
//! With `--features bench-mimalloc` this process (client, loop and canned server) allocates with
//! mimalloc rather than the system's allocator, as an application may choose.
//!
//! Last, what settling an unknown outcome costs a change that is answered: the reading made before
//! it (`call_and_settle` against a plain call).
//!
//! `--client`, `--servers`, `--load` and `--settle` run one of those tables alone; `--client-only` makes the
//! client's calls for a profiler (against `SIPS_BENCH_URL` if set).
//!
//! One file per part: `measure` (timed runs, CPU time), `calls` (one call of the client and of the
//! bare loop), `canned` (the canned-answer server), `tables` (the client's and the servers' tables,
//! settling's cost), `load` (the simulator with many wallets stored).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod calls;
mod canned;
#[path = "../common/mod.rs"]
mod common;
mod floor;
mod load;
mod measure;
mod tables;

use bytes::Bytes;
use common::{rss_kib, Server};
use sips_wallet::contract::{operations, GetWalletDataRequest};

use calls::{bare_client, client, client_call};
use measure::run;

// With `--features bench-mimalloc`: the client measured in an application that allocates with
// mimalloc instead of the system's allocator.
#[cfg(feature = "bench-mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator this process uses, as the tables say.
pub(crate) const ALLOCATOR_NAME: &str = if cfg!(feature = "bench-mimalloc") {
    "mimalloc"
} else {
    "the system's"
};

pub(crate) const WALLET: &str = "BENCH-10-MEANS";

pub(crate) const CARDS: [&str; 10] = [
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "3530111333300000",
    "5105105105105100",
    "4222222222222",
    "6011000990139424",
    "30569309025904",
    "4012888888881881",
];

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if std::env::args().any(|a| a == "--canned") {
        if std::env::args().any(|a| a == "--one-thread") {
            // As `serve` runs by default: the servers' CPU per call compared like for like.
            let one_thread = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            one_thread.block_on(canned::canned_server());
        } else {
            runtime.block_on(canned::canned_server());
        }
    } else if std::env::args().any(|a| a == "--client") {
        // Only the client's own cost, against the canned server.
        runtime.block_on(tables::client_table());
    } else if std::env::args().any(|a| a == "--load") {
        // Only the simulator's load with 100 and 100,000 wallets.
        runtime.block_on(load::load_table());
    } else if std::env::args().any(|a| a == "--settle") {
        // Only what settling costs a change answered normally.
        runtime.block_on(tables::settle_table());
    } else if std::env::args().any(|a| a == "--servers") {
        // Only the servers' CPU table.
        runtime.block_on(tables::servers_table());
    } else if std::env::args().any(|a| a == "--memory") {
        // Only the peak memory of 1,000 calls in flight.
        let (answered, before, peak) = runtime.block_on(peak_memory());
        println!(
            "1,000 calls in flight: {answered} answered; RSS {:.1} MiB before, {:.1} MiB at the peak",
            before as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    } else if std::env::args().any(|a| a == "--client-only") {
        // For a profiler: only the client against the canned server.
        runtime.block_on(client_only());
    } else {
        runtime.block_on(bench());
    }
}

/// `--client-only`: the client's calls against the canned server (or the server at
/// `SIPS_BENCH_URL`, to profile that one), 200,000 of them at concurrency 16.
async fn client_only() {
    if let Ok(url) = std::env::var("SIPS_BENCH_URL") {
        let client = common::demo_client(&url, Duration::from_secs(60));
        let done = run(16, 200_000, move || client_call(client.clone())).await;
        println!(
            "{:.0} calls/s, {} failed",
            done.calls_per_second, done.failed
        );
        return;
    }
    let (url, mut canned) = canned::start_canned();
    let client = common::demo_client(&url, Duration::from_secs(60));
    let done = run(16, 200_000, move || client_call(client.clone())).await;
    println!(
        "{:.0} calls/s, {} failed",
        done.calls_per_second, done.failed
    );
    let _ = canned.kill();
    let _ = canned.wait();
}

/// 1,000 calls in flight on one client against `serve --latency 500`: how many were answered, and
/// this process's RSS before and at the peak, in KiB.
async fn peak_memory() -> (usize, u64, u64) {
    let slow = Server::start(&["--latency", "500"]);
    let before = rss_kib();
    let slow_client = client(&slow.url);
    let peak = Arc::new(AtomicU64::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let in_flight: Vec<_> = (0..1000)
        .map(|_| {
            let c = slow_client.clone();
            tokio::spawn(async move {
                c.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("NONE"))
                    .await
                    .is_ok()
            })
        })
        .collect();
    let mut answered = 0;
    for call in in_flight {
        answered += usize::from(call.await.unwrap_or(false));
    }
    sampler.abort();
    drop(slow);

    (answered, before, peak.load(Ordering::Relaxed))
}

async fn bench() {
    // Peak memory first, while the process is small.
    let (answered, before, peak) = peak_memory().await;

    let server = tables::stocked_simulator(&[]).await;
    let client = client(&server.url);
    let mut request = GetWalletDataRequest::new().merchant_wallet_id(WALLET);
    let prepared = client
        .prepare::<operations::GetWalletData>(&mut request)
        .expect("prepare");
    let uri: http::Uri = prepared.uri.parse().expect("uri");
    let body = Bytes::from(prepared.body);
    let bare = bare_client();

    println!(
        "End to end over loopback: getWalletData of a wallet with 10 payment means, answered 00,"
    );
    println!(
        "sealed and verified; simulator in another process; floor = bare hyper-util loop posting"
    );
    println!("the same pre-built envelope to the same simulator. Five alternating rounds per row; medians.\n");
    tables::table(
        &client,
        tables::bare_floor(&bare, &uri, &body),
        &[(1, 2_000), (16, 5_000), (256, 5_000)],
    )
    .await;
    println!(
        "\nThe simulator's ceiling (the bare loop at concurrency 256) is the floor column of the last row."
    );

    drop(server);
    tables::client_table().await;
    tables::servers_table().await;

    load::load_table().await;
    tables::settle_table().await;
    println!(
        "1,000 calls in flight on one client against `serve --latency 500`: {answered} answered; \
         this process's RSS {:.1} MiB before, {:.1} MiB at the peak.",
        before as f64 / 1024.0,
        peak as f64 / 1024.0
    );
}
