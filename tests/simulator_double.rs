//! The simulator as merchants run it in their own pipelines: their keys, a state file that survives
//! restarts and refuses a second instance, deterministic scenarios, and limits that keep it up.

mod common;

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use sips_wallet::contract::{AddCardRequest, GetWalletDataRequest, SignOffRequest};
use sips_wallet::simulator::{
    Merchant, Scenario, Simulator, SimulatorConfig, StartError, StoreError, DEMO_MERCHANT_ID,
    DEMO_SECRET_KEY,
};
use sips_wallet::{Error, SecretKey, Verification, WalletClient};

async fn start(config: SimulatorConfig) -> Simulator {
    Simulator::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

fn client(simulator: &Simulator, merchant: &str, version: &str, key: &str) -> WalletClient {
    WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(merchant)
        .key_version(version)
        .secret_key(SecretKey::new(key).unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn merchant(id: &str, version: &str, key: &str) -> Merchant {
    Merchant {
        id: id.into(),
        key_version: version.into(),
        key: SecretKey::new(key).unwrap(),
    }
}

fn add_card(wallet: &str, card: &str) -> AddCardRequest {
    AddCardRequest::new()
        .merchant_wallet_id(wallet)
        .card_number(card)
        .card_expiry_date("203012")
}

async fn code_of(
    result: Result<sips_wallet::Reply<impl std::fmt::Debug>, Error>,
) -> (String, Verification) {
    let reply = result.unwrap();
    (reply.code.unwrap_or_default(), reply.verification)
}

#[tokio::test]
async fn a_merchant_with_the_demo_id_replaces_the_demo_key() {
    let simulator =
        start(SimulatorConfig::default().merchant(merchant(DEMO_MERCHANT_ID, "1", "my-own-key")))
            .await;
    let own = client(&simulator, DEMO_MERCHANT_ID, "1", "my-own-key");
    let demo = client(&simulator, DEMO_MERCHANT_ID, "1", DEMO_SECRET_KEY);
    let wallet = GetWalletDataRequest::new().merchant_wallet_id("W");
    assert_eq!(
        code_of(own.get_wallet_data(wallet.clone()).await).await,
        ("25".into(), Verification::Verified)
    );
    // The demo key no longer seals for this merchant: 34, sealed with the merchant's own key,
    // which the demo client cannot verify.
    assert!(matches!(
        demo.get_wallet_data(wallet).await,
        Err(Error::SealMismatch { .. })
    ));
}

#[tokio::test]
async fn several_key_versions_of_one_merchant_simulate_a_rotation() {
    let simulator = start(
        SimulatorConfig::default()
            .merchant(merchant("002001000000001", "1", "old-key"))
            .merchant(merchant("002001000000001", "2", "new-key")),
    )
    .await;
    let old = client(&simulator, "002001000000001", "1", "old-key");
    let new = client(&simulator, "002001000000001", "2", "new-key");
    assert_eq!(
        code_of(old.add_card(add_card("ROT", "4111111111111111")).await).await,
        ("00".into(), Verification::Verified)
    );
    // Both versions see the same wallets.
    let data = new
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("ROT"))
        .await
        .unwrap();
    assert_eq!(
        (data.code.as_deref(), data.verification),
        (Some("00"), Verification::Verified)
    );
    assert_eq!(data.response.wallet_payment_mean_data_list.len(), 1);
    // A version the merchant has no key for.
    let unknown = client(&simulator, "002001000000001", "3", "new-key");
    let reply = unknown
        .sign_off(SignOffRequest::new().merchant_wallet_id("ROT"))
        .await
        .unwrap();
    assert_eq!(
        (
            reply.code.as_deref(),
            reply.response.error_field_name.as_deref(),
            reply.verification
        ),
        (Some("34"), Some("keyVersion"), Verification::Unsealed)
    );
}

#[tokio::test]
async fn a_second_simulator_on_one_state_file_is_refused_and_state_survives_a_restart() {
    let dir = common::scratch_dir("double-two");
    let path = dir.join("state.db");
    let first = start(SimulatorConfig::default().state_file(&path)).await;
    let demo = common::demo_client(&first);
    assert!(demo
        .add_card(add_card("KEPT", "4111111111111111"))
        .await
        .unwrap()
        .is_success());

    let second = Simulator::start(
        SimulatorConfig::default().state_file(&path),
        ([127, 0, 0, 1], 0).into(),
    )
    .await;
    match second {
        Err(StartError::State(StoreError::InUse { path: named })) => assert_eq!(named, path),
        other => panic!("expected the state to be in use, got {other:?}"),
    }
    let message = Simulator::start(
        SimulatorConfig::default().state_file(&path),
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(message.contains("in use by another simulator"), "{message}");

    drop(demo);
    assert!(first.shutdown(Duration::from_secs(5)).await);
    let again = start(SimulatorConfig::default().state_file(&path)).await;
    let data = common::demo_client(&again)
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("KEPT"))
        .await
        .unwrap();
    assert_eq!(data.response.wallet_payment_mean_data_list.len(), 1);
    // The card already in the wallet is recognised after the restart (keyed digest kept).
    assert_eq!(
        code_of(
            common::demo_client(&again)
                .add_card(add_card("KEPT", "4111111111111111"))
                .await
        )
        .await
        .0,
        "94"
    );
}

/// The database itself is locked: no other path to the same file gets a second simulator.
#[cfg(unix)]
#[tokio::test]
async fn a_second_simulator_through_a_hard_link_or_a_symlink_is_refused() {
    let dir = common::scratch_dir("double-links");
    let path = dir.join("state.db");
    let first = start(SimulatorConfig::default().state_file(&path)).await;
    let hard = dir.join("hard.db");
    std::fs::hard_link(&path, &hard).unwrap();
    let soft = dir.join("soft.db");
    std::os::unix::fs::symlink(&path, &soft).unwrap();
    let relative = dir.join(".").join("state.db");
    for other in [hard, soft, relative] {
        let second = Simulator::start(
            SimulatorConfig::default().state_file(&other),
            ([127, 0, 0, 1], 0).into(),
        )
        .await;
        match second {
            Err(StartError::State(StoreError::InUse { path: named })) => {
                assert_eq!(named, other);
                let message = StartError::State(StoreError::InUse { path: named }).to_string();
                assert!(message.contains("in use by another simulator"), "{message}");
            }
            other => panic!("expected the state to be in use, got {other:?}"),
        }
    }
    // The first still serves.
    let demo = common::demo_client(&first);
    assert!(demo
        .add_card(add_card("STILL", "4111111111111111"))
        .await
        .unwrap()
        .is_success());
}

/// A state file removed or replaced under a running simulator: nothing more is acknowledged.
#[tokio::test]
async fn a_state_file_removed_or_replaced_while_serving_is_refused_loudly() {
    for replace in [false, true] {
        let dir = common::scratch_dir(if replace {
            "double-replaced"
        } else {
            "double-removed"
        });
        let path = dir.join("state.db");
        let simulator = start(SimulatorConfig::default().state_file(&path)).await;
        let demo = common::demo_client(&simulator);
        assert_eq!(
            code_of(demo.add_card(add_card("BEFORE", "4111111111111111")).await)
                .await
                .0,
            "00"
        );
        std::fs::remove_file(&path).unwrap();
        if replace {
            std::fs::write(&path, b"").unwrap();
        }
        for wallet in ["AFTER-1", "AFTER-2"] {
            let (code, verification) =
                code_of(demo.add_card(add_card(wallet, "5555555555554444")).await).await;
            assert_eq!(code, "99", "never acknowledged into a removed file");
            assert_eq!(verification, Verification::Verified);
        }
    }
}

#[tokio::test]
async fn a_state_file_that_is_not_a_database_is_reported_at_start() {
    let dir = common::scratch_dir("double-corrupt");
    let path = dir.join("state.db");
    std::fs::write(&path, b"{\"merchants\": {}} this is an old JSON state").unwrap();
    let error = Simulator::start(
        SimulatorConfig::default().state_file(&path),
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, StartError::State(StoreError::NotAState { .. })),
        "{error:?}"
    );
    assert!(error.to_string().contains("state.db"), "{error}");
}

#[tokio::test]
async fn scenario_rules_answer_codes_delay_and_drop_deterministically() {
    let scenario = Scenario::from_toml(
        r#"
        [[rule]]
        wallet_prefix = "FAIL99-"
        answer = "99"

        [[rule]]
        operation = "addCard"
        card = "4000000000000002"
        answer = "94"

        [[rule]]
        operation = "getWalletData"
        wallet = "SLOW"
        delay_ms = 1500

        [[rule]]
        wallet = "GONE"
        drop = true
        "#,
    )
    .unwrap();
    let simulator = start(SimulatorConfig::default().scenario(scenario)).await;
    let demo = common::demo_client(&simulator);

    assert_eq!(
        code_of(
            demo.add_card(add_card("FAIL99-1", "4111111111111111"))
                .await
        )
        .await,
        ("99".into(), Verification::Verified)
    );
    // The rule's answer does not run the function: the wallet was not created.
    assert_eq!(
        code_of(
            demo.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("FAIL99-1"))
                .await
        )
        .await
        .0,
        "99"
    );
    assert_eq!(
        code_of(demo.add_card(add_card("W", "4000000000000002")).await)
            .await
            .0,
        "94"
    );
    assert_eq!(
        code_of(demo.add_card(add_card("W", "4111111111111111")).await)
            .await
            .0,
        "00"
    );

    let impatient = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version("1")
        .secret_key(SecretKey::new(DEMO_SECRET_KEY).unwrap())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let started = Instant::now();
    let slow = impatient
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("SLOW"))
        .await;
    assert!(matches!(slow, Err(Error::Timeout(_))), "{slow:?}");
    assert!(started.elapsed() < Duration::from_millis(1400));
    let patient = demo
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("SLOW"))
        .await
        .unwrap();
    assert_eq!(patient.code.as_deref(), Some("25"));

    let dropped = demo
        .sign_off(SignOffRequest::new().merchant_wallet_id("GONE"))
        .await;
    assert!(
        matches!(dropped, Err(Error::Transport { .. })),
        "{dropped:?}"
    );
}

#[tokio::test]
async fn the_nth_call_rule_counts_every_request() {
    let scenario = Scenario::from_toml("[[rule]]\ncall = 3\nanswer = \"40\"\n").unwrap();
    let simulator = start(SimulatorConfig::default().scenario(scenario)).await;
    let demo = common::demo_client(&simulator);
    let mut codes = Vec::new();
    for _ in 0..4 {
        let reply = demo
            .sign_off(SignOffRequest::new().merchant_wallet_id("N"))
            .await
            .unwrap();
        codes.push(reply.code.unwrap_or_default());
    }
    assert_eq!(codes, ["25", "25", "40", "25"]);
}

/// Reads until the peer closes; how long that took.
async fn time_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn silent_and_idle_connections_are_closed_after_the_header_timeout() {
    let simulator =
        start(SimulatorConfig::default().header_read_timeout(Duration::from_millis(500))).await;
    // Connects and never sends a byte.
    let mut silent = TcpStream::connect(simulator.local_addr()).await.unwrap();
    let closed = time_until_closed(&mut silent, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "a silent connection stayed open");

    // One request on a keep-alive connection, then idle.
    let mut idle = TcpStream::connect(simulator.local_addr()).await.unwrap();
    idle.write_all(b"GET /services/v2/wallet?wsdl HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let closed = time_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "an idle keep-alive connection stayed open"
    );
}

/// Idle sockets cannot lock clients out: 64 connections that send nothing, against a cap of 64,
/// leave a new client served within a second (the oldest idle one is closed for it).
#[tokio::test]
async fn idle_connections_at_the_cap_do_not_lock_a_new_client_out() {
    let simulator = start(SimulatorConfig::default().max_connections(64)).await;
    let mut idle = Vec::new();
    for _ in 0..64 {
        idle.push(TcpStream::connect(simulator.local_addr()).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let client = common::demo_client(&simulator);
    let reply = tokio::time::timeout(
        Duration::from_secs(1),
        client.sign_off(SignOffRequest::new().merchant_wallet_id("NEW")),
    )
    .await
    .expect("served within a second")
    .unwrap();
    assert_eq!(reply.code.as_deref(), Some("25"));
}

/// When every place serves a request, a new connection gets a clear 503; and a client holding its
/// per-address limit of busy connections gets one too.
#[tokio::test]
async fn beyond_the_cap_of_busy_connections_a_clear_503() {
    for config in [
        SimulatorConfig::default().max_connections(2),
        SimulatorConfig::default().max_connections_per_client(2),
    ] {
        let simulator = start(config.latency(Duration::from_millis(1500))).await;
        let client = common::demo_client(&simulator);
        let busy: Vec<_> = (0..2)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    client
                        .sign_off(SignOffRequest::new().merchant_wallet_id(format!("BUSY-{i}")))
                        .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut third = TcpStream::connect(simulator.local_addr()).await.unwrap();
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(5), third.read_to_string(&mut answer))
            .await
            .unwrap()
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("at most 2 connections"), "{answer}");
        for call in busy {
            assert_eq!(call.await.unwrap().unwrap().code.as_deref(), Some("25"));
        }
    }
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_calls_in_flight_then_refuses_new_ones() {
    let simulator = start(SimulatorConfig::default().latency(Duration::from_millis(400))).await;
    let addr = simulator.local_addr();
    let demo = common::demo_client(&simulator);
    let in_flight =
        tokio::spawn(async move { demo.add_card(add_card("LATE", "4111111111111111")).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(simulator.shutdown(Duration::from_secs(5)).await);
    let reply = in_flight.await.unwrap().unwrap();
    assert_eq!(reply.code.as_deref(), Some("00"));
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
}

/// Operator slips caught at start, each named: an empty state file, a folder, a database whose
/// tables were altered; a scenario that is not a regular file, too large, or with a rule that can
/// never match or contradicts itself.
#[cfg(unix)]
#[tokio::test]
async fn operator_slips_are_refused_at_start_naming_the_file_or_rule() {
    let dir = common::scratch_dir("double-slips");
    let start = |config: SimulatorConfig| async move {
        Simulator::start(config, ([127, 0, 0, 1], 0).into())
            .await
            .unwrap_err()
            .to_string()
    };
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let message = start(SimulatorConfig::default().state_file(&empty)).await;
    assert!(
        message.contains("empty.db") && message.contains("empty file"),
        "{message}"
    );
    let message = start(SimulatorConfig::default().state_file(&dir)).await;
    assert!(message.contains("not a regular file"), "{message}");

    let altered = dir.join("altered.db");
    {
        let simulator = start_ok(SimulatorConfig::default().state_file(&altered)).await;
        assert!(simulator.shutdown(Duration::from_secs(5)).await);
    }
    {
        let db = rusqlite::Connection::open(&altered).unwrap();
        db.execute_batch("ALTER TABLE payment_means DROP COLUMN alias;")
            .unwrap();
    }
    let message = start(SimulatorConfig::default().state_file(&altered)).await;
    assert!(
        message.contains("altered.db") && message.contains("no column alias"),
        "{message}"
    );

    for (path, reason) in [
        (std::path::PathBuf::from("/dev/zero"), "not a regular file"),
        (dir.clone(), "not a regular file"),
    ] {
        let error = Scenario::load(&path).unwrap_err().to_string();
        assert!(error.contains(reason), "{error}");
    }
    let big = dir.join("big.toml");
    std::fs::write(&big, "# padding\n".repeat(200_000)).unwrap();
    let error = Scenario::load(&big).unwrap_err().to_string();
    assert!(
        error.contains("big.toml") && error.contains("larger than"),
        "{error}"
    );
    for (rules, named) in [
        (
            "[[rule]]\ncard = \"4111 1111 1111 1111\"\nanswer = \"94\"\n",
            "`card`",
        ),
        (
            "[[rule]]\ncard = \"4111111111111112\"\nanswer = \"94\"\n",
            "`card`",
        ),
        (
            "[[rule]]\nwallet = \"W\"\nanswer = \"99\"\ndrop = \"after\"\n",
            "`drop`",
        ),
    ] {
        let error = Scenario::from_toml(rules).unwrap_err().to_string();
        assert!(error.contains("rule 1") && error.contains(named), "{error}");
        assert!(!error.contains("4111111111111112"), "{error}");
    }
}

async fn start_ok(config: SimulatorConfig) -> Simulator {
    Simulator::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

/// A request with a duplicated XML attribute is not well-formed: a Fault, not a 200. The same
/// request without the duplicate is answered.
#[tokio::test]
async fn a_duplicated_attribute_is_refused_as_a_fault() {
    let simulator = start_ok(SimulatorConfig::default()).await;
    let client = common::demo_client(&simulator);
    let prepared = client
        .prepare::<sips_wallet::contract::operations::SignOff>(
            &mut SignOffRequest::new().merchant_wallet_id("W1"),
        )
        .unwrap();
    let post = |body: String| {
        let addr = simulator.local_addr();
        async move { common::raw_request(addr, "POST", "/services/v2/wallet", "text/xml", &body).await }
    };
    let (status, answer) = post(prepared.body.clone()).await;
    assert_eq!(status, 200, "{answer}");
    let duplicated =
        prepared
            .body
            .replacen("<soapenv:Envelope ", r#"<soapenv:Envelope a="1" a="2" "#, 1);
    assert_ne!(duplicated, prepared.body);
    let (status, answer) = post(duplicated).await;
    assert_eq!(status, 500, "{answer}");
    assert!(answer.contains("Fault"), "{answer}");
}

/// `--fail-rate` with a seed is reproducible: the same seed and the same sequence of requests give
/// the same outcomes, call by call; another seed gives others.
#[tokio::test]
async fn the_same_seed_replays_the_same_chaos() {
    async fn outcomes(seed: u64) -> Vec<String> {
        let simulator = start_ok(SimulatorConfig::default().fail_rate(0.5).seed(seed)).await;
        assert_eq!(simulator.seed(), seed);
        let client = common::demo_client(&simulator);
        let mut seen = Vec::new();
        for i in 0..40 {
            let outcome = client
                .sign_off(SignOffRequest::new().merchant_wallet_id(format!("SEED-{i}")))
                .await;
            seen.push(match outcome {
                Ok(reply) => reply.code.unwrap_or_default(),
                Err(error) => format!("{:?}", error.delivery()),
            });
        }
        seen
    }
    let first = outcomes(42).await;
    assert_eq!(
        first,
        outcomes(42).await,
        "the same seed, the same outcomes"
    );
    assert!(first.iter().any(|o| o == "99"), "{first:?}");
    assert!(first.iter().any(|o| o == "25"), "{first:?}");
    assert_ne!(first, outcomes(43).await, "another seed, other outcomes");
}

/// Magic values make calls fail on demand with no rules file, as payment test modes do; off with
/// `magic(false)` (`--no-magic`).
#[tokio::test]
async fn magic_values_fail_calls_on_demand_and_can_be_turned_off() {
    use sips_wallet::contract::operations;
    use sips_wallet::reconcile::{Settled, Settlement};
    use sips_wallet::{CallOptions, Delivery};
    let simulator = start_ok(SimulatorConfig::default()).await;
    let client = common::demo_client(&simulator);
    let code = |reply: Result<sips_wallet::Reply<_>, Error>| {
        reply.map(
            |r: sips_wallet::Reply<sips_wallet::contract::SignOffOutput>| {
                r.code.unwrap_or_default()
            },
        )
    };
    assert_eq!(
        code(
            client
                .sign_off(SignOffRequest::new().merchant_wallet_id("SIM-99-a"))
                .await
        )
        .unwrap(),
        "99"
    );
    for (card, expected) in [("4000000000000002", "94"), ("4000000000000028", "12")] {
        let reply = client
            .add_card(add_card("MAGIC-CARDS", card))
            .await
            .unwrap();
        assert_eq!(reply.code.as_deref(), Some(expected), "{card}");
    }
    for (wallet, expected) in [
        ("SIM-DROP-AFTER-a", Settled::Applied),
        ("SIM-DROP-BEFORE-a", Settled::NotApplied),
    ] {
        let request = add_card(wallet, "4111111111111111");
        let quick =
            client.with_options(CallOptions::new().settle_window(Duration::from_millis(300)));
        match quick
            .call_and_settle(operations::AddCard, request)
            .await
            .unwrap()
        {
            Settlement::Settled {
                lost,
                reconciliation,
            } => {
                assert_eq!(lost.delivery(), Delivery::Unknown, "{wallet}: {lost}");
                assert_eq!(
                    reconciliation.outcome, expected,
                    "{wallet}: {}",
                    reconciliation.evidence
                );
            }
            other => panic!("{wallet}: the answer should have been lost: {other:?}"),
        }
    }
    let impatient = client.with_options(CallOptions::new().timeout(Duration::from_millis(300)));
    let error = impatient
        .sign_off(SignOffRequest::new().merchant_wallet_id("SIM-TIMEOUT-a"))
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");

    let plain = start_ok(SimulatorConfig::default().magic(false)).await;
    let client = common::demo_client(&plain);
    assert_eq!(
        code(
            client
                .sign_off(SignOffRequest::new().merchant_wallet_id("SIM-99-a"))
                .await
        )
        .unwrap(),
        "25",
        "without magic, an unknown wallet"
    );
}

/// The admin API a test talks to: the calls received (masked), the clock fixed, a reset, health;
/// and none of it with `admin(false)`.
#[tokio::test]
async fn the_admin_api_lists_calls_fixes_the_clock_and_resets() {
    let simulator = start_ok(SimulatorConfig::default()).await;
    let addr = simulator.local_addr();
    let client = common::demo_client(&simulator);
    let admin = |method: &'static str, path: &'static str, body: &'static str| async move {
        let (status, text) =
            common::raw_request(addr, method, path, "application/json", body).await;
        (
            status,
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default(),
        )
    };
    let wallet = "W-4111111111111111";
    assert!(client
        .add_card(add_card(wallet, "5555555555554444"))
        .await
        .unwrap()
        .is_success());

    let (status, calls) = admin("GET", "/_simulator/calls", "").await;
    assert_eq!(status, 200);
    let listed = calls.to_string();
    assert_eq!(calls[0]["operation"], "addCard", "{calls}");
    assert_eq!(calls[0]["code"], "00");
    assert_eq!(calls[0]["outcome"], "answered");
    assert_eq!(calls[0]["number"], 1);
    assert!(
        !listed.contains("4111111111111111") && !listed.contains("5555555555554444"),
        "{listed}"
    );
    assert!(listed.contains("W-4111##########11"), "{listed}");

    let (status, _) = admin(
        "POST",
        "/_simulator/clock",
        r#"{"now": "2030-01-02T09:00:00+01:00"}"#,
    )
    .await;
    assert_eq!(status, 200);
    let at = client
        .add_card(add_card("CLOCK", "4111111111111111"))
        .await
        .unwrap();
    assert_eq!(
        at.response.wallet_action_date_time.as_deref(),
        Some("2030-01-02T09:00:00+01:00")
    );
    let (status, _) = admin("POST", "/_simulator/clock", r#"{"now": "tomorrow"}"#).await;
    assert_eq!(status, 400);
    admin("POST", "/_simulator/clock", r#"{"now": null}"#).await;

    let (status, _) = admin("POST", "/_simulator/reset", "").await;
    assert_eq!(status, 200);
    let (_, calls) = admin("GET", "/_simulator/calls", "").await;
    assert_eq!(
        calls,
        serde_json::json!([]),
        "the call list is empty after a reset"
    );
    let gone = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet))
        .await
        .unwrap();
    assert_eq!(
        gone.code.as_deref(),
        Some("25"),
        "the wallets are gone after a reset"
    );
    let (status, health) = admin("GET", "/_simulator/health", "").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    let closed = start_ok(SimulatorConfig::default().admin(false)).await;
    let (status, _) = common::raw_request(
        closed.local_addr(),
        "GET",
        "/_simulator/health",
        "text/plain",
        "",
    )
    .await;
    assert_eq!(status, 404, "no admin API when it is off");
}

/// Every wire fault a rule can ask for, against the client: the error it reports, and whether the
/// bank acted (html-504 ran signOff, html-502 did not).
#[tokio::test]
async fn every_wire_fault_reaches_the_client_as_the_error_it_is() {
    use sips_wallet::CallOptions;
    let faults = [
        "truncated-body",
        "trickle",
        "slow-headers",
        "html-502",
        "html-504",
        "soap-fault",
        "unsealed-00",
        "wrong-seal",
        "invalid-xml",
    ];
    let rules: String = faults
        .iter()
        .map(|f| {
            format!("[[rule]]\noperation = \"signOff\"\nwallet = \"F-{f}\"\nfault = \"{f}\"\n")
        })
        .collect();
    let simulator =
        start_ok(SimulatorConfig::default().scenario(Scenario::from_toml(&rules).unwrap())).await;
    let client = common::demo_client(&simulator);
    let quick = client.with_options(CallOptions::new().timeout(Duration::from_secs(1)));
    for fault in faults {
        let wallet = format!("F-{fault}");
        assert!(client
            .add_card(add_card(&wallet, "4111111111111111"))
            .await
            .unwrap()
            .is_success());
        let caller = if fault == "slow-headers" {
            &quick
        } else {
            &client
        };
        let outcome = caller
            .sign_off(SignOffRequest::new().merchant_wallet_id(wallet.as_str()))
            .await;
        let still_there = client
            .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet.as_str()))
            .await
            .unwrap()
            .is_success();
        match (fault, &outcome) {
            ("truncated-body", Err(Error::Transport { .. })) => assert!(!still_there),
            ("trickle", Ok(reply)) => {
                assert_eq!(reply.verification, Verification::Verified);
                assert!(!still_there);
            }
            ("slow-headers", Err(error)) if error.is_timeout() => {}
            ("html-502", Err(Error::Http { status: 502, .. })) => assert!(still_there),
            ("html-504", Err(Error::Http { status: 504, .. })) => assert!(!still_there),
            ("soap-fault", Err(Error::Fault { .. })) => assert!(still_there),
            ("unsealed-00", Err(Error::MissingSeal { .. })) => assert!(still_there),
            ("wrong-seal", Err(Error::SealMismatch { .. })) => assert!(!still_there),
            ("invalid-xml", Err(Error::Envelope { .. })) => assert!(still_there),
            _ => panic!("{fault}: unexpected outcome {outcome:?}"),
        }
    }
    let contradictory =
        Scenario::from_toml("[[rule]]\nwallet = \"W\"\nfault = \"trickle\"\nanswer = \"00\"\n");
    assert!(contradictory.unwrap_err().to_string().contains("`fault`"));
    let unknown = Scenario::from_toml("[[rule]]\nwallet = \"W\"\nfault = \"gremlins\"\n");
    assert!(unknown.is_err());
}

/// `tls(Tls::SelfSigned)`: HTTPS with a certificate made at start; a client trusting it calls
/// through, one that does not is refused at the handshake; HTTP/2 and HTTP/1.1 are both offered by
/// ALPN and served.
#[tokio::test]
async fn the_simulator_serves_https_over_http2_and_http11() {
    use sips_wallet::simulator::Tls;
    use std::sync::Arc;
    let simulator = start_ok(SimulatorConfig::default().tls(Tls::SelfSigned)).await;
    assert!(simulator.base_url().starts_with("https://127.0.0.1:"));
    let pem = simulator.certificate_pem().unwrap().to_string();
    let trusted = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(sips_wallet::simulator::DEMO_MERCHANT_ID)
        .key_version(sips_wallet::simulator::DEMO_KEY_VERSION)
        .secret_key(SecretKey::new(sips_wallet::simulator::DEMO_SECRET_KEY).unwrap())
        .add_root_certificate(pem.as_bytes())
        .build()
        .unwrap();
    let added = trusted
        .add_card(add_card("TLS", "4111111111111111"))
        .await
        .unwrap();
    assert_eq!(added.verification, Verification::Verified);
    let untrusted = common::demo_client(&simulator);
    let error = untrusted
        .sign_off(SignOffRequest::new().merchant_wallet_id("TLS"))
        .await
        .unwrap_err();
    assert!(error.is_connect(), "an unknown certificate: {error}");

    // Each protocol by ALPN, as a client offering only it would get it.
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    use rustls_pki_types::pem::PemObject;
    for certificate in rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(certificate.unwrap()).unwrap();
    }
    for (alpn, expected) in [(&b"h2"[..], &b"h2"[..]), (b"http/1.1", b"http/1.1")] {
        let mut config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots.clone())
        .with_no_client_auth();
        config.alpn_protocols = vec![alpn.to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = TcpStream::connect(simulator.local_addr()).await.unwrap();
        let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut stream = connector.connect(name, tcp).await.unwrap();
        assert_eq!(stream.get_ref().1.alpn_protocol(), Some(expected));
        if expected == b"http/1.1" {
            let request = format!(
                "GET /_simulator/health HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n",
                simulator.local_addr()
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).await.unwrap_or_default();
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
    }
}
