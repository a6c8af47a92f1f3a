//! The tables: the client end to end beside the bare loop, the client's own cost against the
//! canned server, the servers' CPU per call, and what settling costs a change answered normally.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use sips_wallet::contract::{operations, AddCardRequest, GetWalletDataRequest};
use sips_wallet::WalletClient;

use crate::calls::{bare_call, bare_client, client, client_call, Bare};
use crate::canned::{start_canned, start_canned_with};
use crate::common::{self, Server};
use crate::floor::{self, Floor};
use crate::measure::{cpu_time_of, load_average, one_core_us, run, Run, ROUNDS};
use crate::{ALLOCATOR_NAME, CARDS, WALLET};

/// The bare loop's call: `body` posted to `uri`, the answer collected and not read.
pub(crate) fn bare_floor(
    bare: &Bare,
    uri: &http::Uri,
    body: &Bytes,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>
       + Clone
       + Send
       + 'static {
    let (b, u, body) = (bare.clone(), uri.clone(), body.clone());
    move || Box::pin(bare_call(b.clone(), u.clone(), body.clone()))
}

/// The table of the client against a floor, both calling the same server: alternating rounds of
/// the client and of `floor`, medians. Returns each row's concurrency and median CPU per call, the
/// client's and the floor's.
pub(crate) async fn table<F, Fut>(
    client: &WalletClient,
    floor_call: F,
    sizes: &[(usize, usize)],
) -> Vec<(usize, Duration, Duration)>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let mut cpu = Vec::new();
    println!("| concurrency | calls | client calls/s | floor calls/s | ratio | client p50 / p99 | floor p50 / p99 | client CPU/call | floor CPU/call | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &(concurrency, total) in sizes {
        // Alternating rounds, the order swapped each time; each figure is the median round's.
        let (mut subjects, mut floors) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let c = client.clone();
            let subject = || run(concurrency, total, move || client_call(c.clone()));
            let floor = || run(concurrency, total, floor_call.clone());
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

/// CPU per call of the server process `pid` while the bare loop makes `total` getWalletData calls
/// of `body` at concurrency 256.
pub(crate) async fn server_cpu_per_call(
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
pub(crate) async fn stocked_simulator(args: &[&str]) -> Server {
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
pub(crate) async fn servers_table() {
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
pub(crate) async fn client_table() {
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
        bare_floor(&bare, &canned_uri, &body),
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

    // The fair floor (issue 29): a hand-written client on the same crates that reads the answer
    // and verifies its seal. Checked first to send the very bytes the client sends and to verify
    // what the client verifies (and refuse an answer tampered with).
    assert_eq!(
        Floor::request_body().as_bytes(),
        &body[..],
        "the hand-written request is the client's, byte for byte"
    );
    assert_eq!(
        floor::verified_means(&answer),
        Some(10),
        "the floor verifies the answer"
    );
    let tampered = String::from_utf8_lossy(&answer).replacen("##########", "#########0", 1);
    assert_eq!(
        floor::verified_means(tampered.as_bytes()),
        None,
        "and refuses a tampered one"
    );
    println!(
        "\nBeside a hand-written client on the same crates (request written and sealed by hand, pooled hyper-util, bare quick-xml read borrowing from the body, seal verified; load average {}):\n",
        load_average()
    );
    let hand_written = Floor::new(bare.clone(), canned_uri.clone());
    table(
        &canned_client,
        move || hand_written.clone().call(),
        &[(1, 20_000), (16, 60_000), (256, 60_000)],
    )
    .await;
    let _ = canned.kill();
    let _ = canned.wait();
}

/// `--settle`: what settling costs a change answered normally: updatePaymentMean of a mean of the
/// 10-mean wallet, sent plainly and with `call_and_settle` (which reads the wallet first), in
/// alternating rounds against the simulator in another process.
pub(crate) async fn settle_table() {
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
