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

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use bytes::Bytes;
use common::{rss_kib, Server};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sips_wallet::contract::{operations, AddCardRequest, GetWalletDataRequest};
use sips_wallet::{Verification, WalletClient};

// With `--features bench-mimalloc`: the client measured in an application that allocates with
// mimalloc instead of the system's allocator.
#[cfg(feature = "bench-mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator this process uses, as the tables say.
const ALLOCATOR_NAME: &str = if cfg!(feature = "bench-mimalloc") {
    "mimalloc"
} else {
    "the system's"
};

const WALLET: &str = "BENCH-10-MEANS";
const CARDS: [&str; 10] = [
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

/// This process's CPU time (user + system), from /proc/self/stat.
fn cpu_time() -> Duration {
    cpu_time_of("self")
}

/// A process's CPU time (user + system), from /proc/PID/stat.
fn cpu_time_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Alternating rounds per row of the end-to-end table.
const ROUNDS: usize = 5;

struct Run {
    failed: usize,
    calls_per_second: f64,
    p50: Duration,
    p99: Duration,
    cpu_per_call: Duration,
}

impl Run {
    /// Each metric's median over the rounds.
    fn median(runs: &[Run]) -> Run {
        fn mid<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
            values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            values[values.len() / 2]
        }
        Run {
            failed: runs.iter().map(|r| r.failed).sum(),
            calls_per_second: mid(runs.iter().map(|r| r.calls_per_second).collect()),
            p50: mid(runs.iter().map(|r| r.p50).collect()),
            p99: mid(runs.iter().map(|r| r.p99).collect()),
            cpu_per_call: mid(runs.iter().map(|r| r.cpu_per_call).collect()),
        }
    }
}

/// `total` calls of `call`, `concurrency` at a time.
async fn run<F, Fut>(concurrency: usize, total: usize, call: F) -> Run
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let cpu = cpu_time();
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (call, next) = (call.clone(), next.clone());
            tokio::spawn(async move {
                let (mut latencies, mut failed) = (Vec::new(), 0usize);
                while (next.fetch_add(1, Ordering::Relaxed) as usize) < total {
                    let t = Instant::now();
                    if call().await {
                        latencies.push(t.elapsed());
                    } else {
                        failed += 1;
                    }
                }
                (latencies, failed)
            })
        })
        .collect();
    let (mut latencies, mut failed) = (Vec::with_capacity(total), 0);
    for task in tasks {
        let (done, failures) = task.await.expect("task");
        latencies.extend(done);
        failed += failures;
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu);
    latencies.sort();
    // Every call may have failed (a server that answers none): no latency to rank then.
    let at = |p: f64| {
        let last = latencies.len().saturating_sub(1);
        latencies
            .get((last as f64 * p) as usize)
            .copied()
            .unwrap_or_default()
    };
    Run {
        failed,
        calls_per_second: total as f64 / elapsed.as_secs_f64(),
        p50: at(0.5),
        p99: at(0.99),
        cpu_per_call: cpu / total as u32,
    }
}

fn client(url: &str) -> WalletClient {
    common::demo_client(url, Duration::from_secs(60))
}

type Bare = Client<HttpConnector, Full<Bytes>>;

/// The bare loop's client: hyper-util over plain TCP with the client's socket options
/// (`TCP_NODELAY`), so the two differ only in what the client does above hyper.
fn bare_client() -> Bare {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).build(connector)
}

async fn bare_call(bare: Bare, uri: http::Uri, body: Bytes) -> bool {
    let request = http::Request::post(uri)
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", "\"\"")
        .body(Full::new(body))
        .expect("request");
    match bare.request(request).await {
        Ok(response) => response.into_body().collect().await.is_ok(),
        Err(_) => false,
    }
}

async fn client_call(client: WalletClient) -> bool {
    client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(WALLET))
        .await
        .is_ok_and(|r| {
            r.is_success()
                && r.verification == Verification::Verified
                && r.response.wallet_payment_mean_data_list.len() == 10
        })
}

/// A simulator holding `wallets` wallets of one payment mean each (in memory, or in the file
/// `state`), filled through the simulator itself, and sealed getWalletData requests for 64 of them
/// spread over the whole range.
struct Loaded {
    /// Running while it is measured; stopped when dropped.
    _server: Server,
    uri: http::Uri,
    bodies: Arc<Vec<Bytes>>,
}

async fn loaded_simulator(state: Option<&std::path::Path>, wallets: usize) -> Loaded {
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
async fn load_round(loaded: &Loaded, calls: usize) -> (f64, usize) {
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
            one_thread.block_on(canned_server());
        } else {
            runtime.block_on(canned_server());
        }
    } else if std::env::args().any(|a| a == "--client") {
        // Only the client's own cost, against the canned server.
        runtime.block_on(client_table());
    } else if std::env::args().any(|a| a == "--load") {
        // Only the simulator's load with 100 and 100,000 wallets.
        runtime.block_on(load_table());
    } else if std::env::args().any(|a| a == "--settle") {
        // Only what settling costs a change answered normally.
        runtime.block_on(settle_table());
    } else if std::env::args().any(|a| a == "--servers") {
        // Only the servers' CPU table.
        runtime.block_on(servers_table());
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
    let (url, mut canned) = start_canned();
    let client = common::demo_client(&url, Duration::from_secs(60));
    let done = run(16, 200_000, move || client_call(client.clone())).await;
    println!(
        "{:.0} calls/s, {} failed",
        done.calls_per_second, done.failed
    );
    let _ = canned.kill();
    let _ = canned.wait();
}

/// The canned-answer server: every POST gets the same pre-built, sealed getWalletData answer (10
/// means), read nothing of the request beyond HTTP. Prints its URL, then serves until killed.
async fn canned_server() {
    use sips_wallet::contract::{GetWalletDataOutput, WalletPaymentMeanData};
    use sips_wallet::message::Message;
    use sips_wallet::seal;
    let mut answer = GetWalletDataOutput::new()
        .wallet_response_code("00")
        .wallet_creation_date_time("2026-12-01T10:00:00+01:00");
    for (i, card) in CARDS.iter().enumerate() {
        answer.wallet_payment_mean_data_list.push(
            WalletPaymentMeanData::new()
                .payment_mean_id((i + 1).to_string())
                .masked_pan(sips_wallet::mask::mask_pan(card))
                .pan_expiry_date("203001"),
        );
    }
    let key = sips_wallet::SecretKey::new(sips_wallet::simulator::DEMO_SECRET_KEY).expect("key");
    answer.seal = Some(seal::compute(
        seal::Algorithm::HmacSha256,
        &key,
        &answer.seal_data(),
    ));
    let body = Bytes::from(
        sips_wallet::envelope::write_response::<operations::GetWalletData>(&answer)
            .expect("answer"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!(
        "canned on http://{}/services/v2/wallet",
        listener.local_addr().expect("addr")
    );
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let body = body.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let body = body.clone();
                    async move {
                        // Read the request to its end, as any server must, and answer.
                        let _ = request.into_body().collect().await;
                        let mut response = hyper::Response::new(Full::new(body));
                        response.headers_mut().insert(
                            "content-type",
                            http::HeaderValue::from_static("text/xml; charset=utf-8"),
                        );
                        Ok::<_, std::convert::Infallible>(response)
                    }
                },
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The canned server in a process of its own (on one thread with `one_thread`, else on the
/// runtime's usual threads): its URL and its process.
fn start_canned_with(one_thread: bool) -> (String, std::process::Child) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(std::env::current_exe().expect("this binary"))
        .arg("--canned")
        .args(one_thread.then_some("--one-thread"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the canned server");
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("its URL");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .and_then(|u| u.strip_suffix("/services/v2/wallet"))
        .unwrap_or_else(|| panic!("no URL: {first}"))
        .to_string();
    (url, child)
}

/// The canned server on the runtime's usual threads, as the client's floor.
fn start_canned() -> (String, std::process::Child) {
    start_canned_with(false)
}

/// The end-to-end table of the client against the server at `url`: alternating rounds of the
/// client and of the bare loop posting `body` to `uri`, medians. Returns each row's concurrency
/// and median CPU per call, the client's and the loop's.
async fn table(
    client: &WalletClient,
    bare: &Bare,
    uri: &http::Uri,
    body: &Bytes,
    sizes: &[(usize, usize)],
) -> Vec<(usize, Duration, Duration)> {
    let mut cpu = Vec::new();
    println!("| concurrency | calls | client calls/s | floor calls/s | ratio | client p50 / p99 | floor p50 / p99 | client CPU/call | floor CPU/call | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &(concurrency, total) in sizes {
        // Alternating rounds, the order swapped each time; each figure is the median round's.
        let (mut subjects, mut floors) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let c = client.clone();
            let subject = || run(concurrency, total, move || client_call(c.clone()));
            let (b, u, body) = (bare.clone(), uri.clone(), body.clone());
            let floor = || {
                run(concurrency, total, move || {
                    bare_call(b.clone(), u.clone(), body.clone())
                })
            };
            if round % 2 == 0 {
                subjects.push(subject().await);
                floors.push(floor().await);
            } else {
                floors.push(floor().await);
                subjects.push(subject().await);
            }
        }
        let failed: (usize, usize) = (
            subjects.iter().map(|r| r.failed).sum(),
            floors.iter().map(|r| r.failed).sum(),
        );
        if failed.0 + failed.1 > 0 {
            println!(
                "(concurrency {concurrency}: {} client and {} floor calls failed)",
                failed.0, failed.1
            );
        }
        let (subject, floor) = (Run::median(&subjects), Run::median(&floors));
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "| {concurrency} | {ROUNDS} × {total} | {:.0} | {:.0} | {:.0} % | {:.0} / {:.0} µs | {:.0} / {:.0} µs | {:.0} µs | {:.0} µs | {:.2}× |",
            subject.calls_per_second,
            floor.calls_per_second,
            100.0 * subject.calls_per_second / floor.calls_per_second,
            us(subject.p50),
            us(subject.p99),
            us(floor.p50),
            us(floor.p99),
            us(subject.cpu_per_call),
            us(floor.cpu_per_call),
            subject.cpu_per_call.as_secs_f64() / floor.cpu_per_call.as_secs_f64().max(1e-9),
        );
        cpu.push((concurrency, subject.cpu_per_call, floor.cpu_per_call));
    }
    cpu
}

/// The time one call of `read` takes on this thread, in µs: the median of 15 rounds.
fn one_core_us(mut read: impl FnMut() -> usize) -> f64 {
    let iterations = 2_000;
    let mut rounds: Vec<f64> = (0..15)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                std::hint::black_box(read());
            }
            started.elapsed().as_secs_f64() * 1e6 / iterations as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

/// CPU per call of the server process `pid` while the bare loop makes `total` getWalletData calls
/// of `body` at concurrency 256.
async fn server_cpu_per_call(
    pid: u32,
    uri: &http::Uri,
    body: &Bytes,
    total: usize,
) -> (Duration, f64) {
    let bare = bare_client();
    let pid = pid.to_string();
    let before = cpu_time_of(&pid);
    let (u, b) = (uri.clone(), body.clone());
    let result = run(256, total, move || {
        bare_call(bare.clone(), u.clone(), b.clone())
    })
    .await;
    let spent = cpu_time_of(&pid).saturating_sub(before);
    assert_eq!(result.failed, 0, "every call answered");
    (spent / total as u32, result.calls_per_second)
}

/// `sips-wallet serve` with `args`, holding the wallet of 10 cards the getWalletData calls read.
async fn stocked_simulator(args: &[&str]) -> Server {
    let server = Server::start(args);
    let client = client(&server.url);
    for card in CARDS {
        let request = AddCardRequest::new()
            .merchant_wallet_id(WALLET)
            .card_number(card)
            .card_expiry_date("203001");
        let reply = client.add_card(request).await.expect("addCard");
        assert!(reply.is_success(), "addCard {card}");
    }
    assert!(client_call(client).await, "the wallet holds 10 means");
    server
}

/// The servers' CPU per call, each measured in its own process: the canned server, the simulator
/// in memory and with a state file, all three on one thread (`serve`'s default). Alternating
/// rounds (the order rotated), medians.
async fn servers_table() {
    const SERVER_ROUNDS: usize = 5;
    const CALLS: usize = 60_000;
    let (canned_url, mut canned) = start_canned_with(true);
    let memory = stocked_simulator(&[]).await;
    let dir = std::env::temp_dir().join(format!("sips-bench-cpu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let state = dir.join("state.db");
    let file = stocked_simulator(&["--state", state.to_str().expect("UTF-8 path")]).await;
    // The same sealed request for all three: the simulators share the demo merchant's key.
    let mut request = GetWalletDataRequest::new().merchant_wallet_id(WALLET);
    let prepared = client(&memory.url)
        .prepare::<operations::GetWalletData>(&mut request)
        .expect("prepare");
    let body = Bytes::from(prepared.body);
    let servers: [(&str, u32, String); 3] = [
        ("canned answer", canned.id(), canned_url),
        ("simulator, in memory", memory.pid(), memory.url.clone()),
        ("simulator, SQLite file", file.pid(), file.url.clone()),
    ];
    let mut measured: [Vec<(Duration, f64)>; 3] = Default::default();
    for round in 0..SERVER_ROUNDS {
        for k in 0..servers.len() {
            let k = (k + round) % servers.len();
            let (_, pid, url) = &servers[k];
            let uri: http::Uri = format!("{url}/services/v2/wallet").parse().expect("uri");
            measured[k].push(server_cpu_per_call(*pid, &uri, &body, CALLS).await);
        }
    }
    let _ = canned.kill();
    let _ = canned.wait();
    drop((memory, file));
    let _ = std::fs::remove_dir_all(&dir);
    let median = |mut values: Vec<(Duration, f64)>| {
        values.sort_by_key(|v| v.0);
        let cpu = values[values.len() / 2].0;
        let mut rates: Vec<f64> = values.iter().map(|v| v.1).collect();
        rates.sort_by(f64::total_cmp);
        (cpu, rates[rates.len() / 2])
    };
    let [canned, memory, file] = measured.map(median);
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "\nServers' CPU per call (bare loop, concurrency 256, {SERVER_ROUNDS} alternating rounds of {CALLS} getWalletData of a 10-mean wallet, medians, measured in each server's process, each on one thread; load average {}):\n",
        load_average()
    );
    println!("| server | calls/s | CPU per call | vs canned | target |");
    println!("|---|---|---|---|---|");
    for ((name, _, _), (cpu, rate), target) in servers
        .iter()
        .zip([canned, memory, file])
        .zip(["", "≤ 2×", "≤ 4×"])
        .map(|((s, m), t)| (s, m, t))
    {
        println!(
            "| {name} | {rate:.0} | {:.1} µs | {:.2}× | {target} |",
            us(cpu),
            cpu.as_secs_f64() / canned.0.as_secs_f64().max(1e-9)
        );
    }
}

/// The client's own cost: the client and the bare loop against the canned server, which is never
/// the bottleneck.
async fn client_table() {
    let (canned_url, mut canned) = start_canned();
    let canned_client = common::demo_client(&canned_url, Duration::from_secs(60));
    let canned_uri: http::Uri = format!("{canned_url}/services/v2/wallet")
        .parse()
        .expect("uri");
    assert!(
        client_call(canned_client.clone()).await,
        "the canned answer verifies"
    );
    // The bare loop posts what the client would: the same sealed request.
    let mut request = GetWalletDataRequest::new().merchant_wallet_id(WALLET);
    let body = Bytes::from(
        canned_client
            .prepare::<operations::GetWalletData>(&mut request)
            .expect("prepare")
            .body,
    );
    let bare = bare_client();
    let answer = {
        let request = http::Request::post(canned_uri.clone())
            .body(Full::new(body.clone()))
            .expect("request");
        let response = bare
            .request(request)
            .await
            .expect("the canned server answers");
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
    };
    println!(
        "\nThe same against a canned-answer server (one pre-built sealed answer, no parsing, in its own process): the client's own cost (allocator: {ALLOCATOR_NAME}; load average {}).\n",
        load_average()
    );
    // Rounds of about two seconds of the client each: one noisy second does not decide a row.
    let cpu = table(
        &canned_client,
        &bare,
        &canned_uri,
        &body,
        &[(1, 20_000), (16, 60_000), (256, 60_000)],
    )
    .await;
    // The loop never reads the answer; the client must. What reading it costs at the floor,
    // measured now, shows how much of the gap is the answer itself.
    let xml = std::str::from_utf8(&answer).expect("the canned answer is UTF-8");
    let read = one_core_us(|| common::bare_read(xml));
    println!(
        "\nThe loop reads no XML. Reading the canned answer ({} bytes) with bare quick-xml (namespaces resolved, every text decoded) takes {read:.1} µs on one core in this run; beside the loop's CPU plus that read:\n",
        xml.len()
    );
    println!("| concurrency | client CPU/call | floor CPU/call + bare read | ratio |");
    println!("|---|---|---|---|");
    for (concurrency, client, floor) in cpu {
        let (client, floor) = (client.as_secs_f64() * 1e6, floor.as_secs_f64() * 1e6 + read);
        println!(
            "| {concurrency} | {client:.0} µs | {floor:.0} µs | {:.2}× |",
            client / floor
        );
    }
    let _ = canned.kill();
    let _ = canned.wait();
}

/// `--settle`: what settling costs a change answered normally: updatePaymentMean of a mean of the
/// 10-mean wallet, sent plainly and with `call_and_settle` (which reads the wallet first), in
/// alternating rounds against the simulator in another process.
async fn settle_table() {
    use sips_wallet::contract::UpdatePaymentMeanRequest;
    use sips_wallet::reconcile::Settlement;
    let server = stocked_simulator(&[]).await;
    let client = client(&server.url);
    let update = || {
        UpdatePaymentMeanRequest::new()
            .merchant_wallet_id(WALLET)
            .payment_mean_id("3")
            .payment_mean_alias("settled")
    };
    let plain = {
        let (client, update) = (client.clone(), update);
        move || {
            let client = client.clone();
            async move {
                client
                    .update_payment_mean(update())
                    .await
                    .is_ok_and(|r| r.is_success())
            }
        }
    };
    let settled = {
        let (client, update) = (client.clone(), update);
        move || {
            let client = client.clone();
            async move {
                matches!(
                    client.call_and_settle(operations::UpdatePaymentMean, update()).await,
                    Ok(Settlement::Answered(reply)) if reply.is_success()
                )
            }
        }
    };
    println!(
        "\nSettling's cost on a change answered normally (load average {}): updatePaymentMean on the 10-mean wallet, sent plainly and with `call_and_settle` (one getWalletData before it). {ROUNDS} alternating rounds, medians.\n",
        load_average()
    );
    println!("| concurrency | calls | plain p50 | settling p50 | plain calls/s | settling calls/s | plain CPU/call | settling CPU/call | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (concurrency, calls) in [(1, 2_000), (16, 5_000)] {
        let (mut plains, mut settles) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            plains.push(run(concurrency, calls, plain.clone()).await);
            settles.push(run(concurrency, calls, settled.clone()).await);
        }
        let (p, s) = (Run::median(&plains), Run::median(&settles));
        assert_eq!(p.failed + s.failed, 0, "every update answered 00");
        println!(
            "| {concurrency} | {ROUNDS} × {calls} | {} µs | {} µs | {:.0} | {:.0} | {} µs | {} µs | {:.2}× |",
            p.p50.as_micros(),
            s.p50.as_micros(),
            p.calls_per_second,
            s.calls_per_second,
            p.cpu_per_call.as_micros(),
            s.cpu_per_call.as_micros(),
            s.cpu_per_call.as_secs_f64() / p.cpu_per_call.as_secs_f64().max(1e-9)
        );
    }
}

/// The first three fields of /proc/loadavg.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The simulator's load: calls/s with 100 and 100,000 wallets stored, in memory and in a file.
async fn load_table() {
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

async fn bench() {
    // Peak memory first, while the process is small: 1,000 calls in flight on one client.
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

    let server = stocked_simulator(&[]).await;
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
    table(
        &client,
        &bare,
        &uri,
        &body,
        &[(1, 2_000), (16, 5_000), (256, 5_000)],
    )
    .await;
    println!(
        "\nThe simulator's ceiling (the bare loop at concurrency 256) is the floor column of the last row."
    );

    drop(server);
    client_table().await;
    servers_table().await;

    load_table().await;
    settle_table().await;
    println!(
        "1,000 calls in flight on one client against `serve --latency 500`: {answered} answered; \
         this process's RSS {:.1} MiB before, {:.1} MiB at the peak.",
        before as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );
}
