//! `cargo bench`: prints a table of what the client costs, measured on this machine.
//! Timings are measured here, never asserted in tests.

use std::time::{Duration, Instant};

use sips_wallet::contract::{operations, AddCardRequest, GetWalletDataRequest, PanType};
use sips_wallet::envelope::{self, Content};
use sips_wallet::message::Message;
use sips_wallet::seal::{self, Algorithm, SecretKey};
use sips_wallet::simulator::{
    Simulator, SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
};
use sips_wallet::WalletClient;

fn time<T>(iterations: u32, mut f: impl FnMut() -> T) -> Duration {
    for _ in 0..iterations / 10 {
        std::hint::black_box(f());
    }
    let start = Instant::now();
    for _ in 0..iterations {
        std::hint::black_box(f());
    }
    start.elapsed() / iterations
}

fn row(what: &str, per_op: Duration) {
    println!(
        "| {what} | {:.1} µs | {:.0} /s |",
        per_op.as_secs_f64() * 1e6,
        1.0 / per_op.as_secs_f64()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let simulator = Simulator::start(SimulatorConfig::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(SecretKey::new(DEMO_SECRET_KEY).expect("key"))
        .build()
        .expect("client");
    let card = || {
        AddCardRequest::new()
            .merchant_wallet_id("BENCH")
            .card_number("4111111111111111")
            .card_expiry_date("202812")
            .pan_type(PanType::Pan)
    };
    let key = SecretKey::new(DEMO_SECRET_KEY).expect("key");

    println!("| operation | time per call | rate |");
    println!("|---|---|---|");
    let request = card();
    row(
        "seal an addCard request (build-time field order, HMAC-SHA-256)",
        time(100_000, || {
            seal::compute(Algorithm::HmacSha256, &key, &request.seal_data())
        }),
    );
    row(
        "prepare addCard: fill, validate, seal, write the envelope",
        time(50_000, || {
            let mut r = card();
            client
                .prepare::<operations::AddCard>(&mut r)
                .map(|p| p.body.len())
        }),
    );

    // A getWalletData answer with 10 payment means, as the simulator writes it.
    for i in 0..10u32 {
        let number = [
            "4111111111111111",
            "5555555555554444",
            "4012888888881881",
            "378282246310005",
            "6011111111111117",
            "3530111333300000",
            "5105105105105100",
            "4222222222222",
            "6011000990139424",
            "30569309025904",
        ][i as usize];
        let _ = client
            .add_card(
                AddCardRequest::new()
                    .merchant_wallet_id("BIG")
                    .card_number(number)
                    .card_expiry_date("203001"),
            )
            .await;
    }
    let reply = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("BIG"))
        .await
        .expect("call");
    let body = reply.exchange.response.clone();
    row(
        "read + decode + re-seal a getWalletData response (10 means)",
        time(20_000, || {
            let Ok(Content::Message(response)) =
                envelope::read_response::<operations::GetWalletData>(&body, Default::default())
            else {
                return 0;
            };
            response.seal_data().len()
        }),
    );

    // Round trips over loopback HTTP against the simulator, one connection reused.
    let mut latencies = Vec::new();
    let rounds = 2_000;
    let started = Instant::now();
    for _ in 0..rounds {
        let t = Instant::now();
        let _ = client
            .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("BENCH"))
            .await;
        latencies.push(t.elapsed());
    }
    let total = started.elapsed();
    latencies.sort();
    row(
        "getWalletData round trip, sequential, loopback (mean)",
        total / rounds,
    );
    println!(
        "| … p50 / p99 | {:.0} µs / {:.0} µs | |",
        percentile(&latencies, 0.5).as_secs_f64() * 1e6,
        percentile(&latencies, 0.99).as_secs_f64() * 1e6
    );

    let concurrent = 64;
    let per_task = 100;
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrent)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    let _ = client
                        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("BENCH"))
                        .await;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed();
    row(
        &format!("getWalletData, {concurrent} concurrent tasks on one client (per call)"),
        elapsed / (concurrent * per_task),
    );
    if let Some(kib) = peak_rss_kib() {
        println!(
            "| peak memory of the whole bench (client + simulator) | {:.1} MiB | |",
            kib as f64 / 1024.0
        );
    }
}
