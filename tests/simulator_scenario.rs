//! Scenarios (mirrors `simulator::scenario`): injected failures, rules by operation, wallet and
//! call number, a seed that replays the same chaos, magic values, and an operator's slips refused
//! at start.

mod common;

use std::time::{Duration, Instant};

use sips_wallet::contract::{GetWalletDataRequest, SignOffRequest};
use sips_wallet::simulator::{
    Scenario, Simulator, SimulatorConfig, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
};
use sips_wallet::{Error, SecretKey, Verification, WalletClient};

use common::{add_card, code_of, demo_client};

#[tokio::test]
async fn fault_injection_answers_99_or_drops_the_connection() {
    let simulator = common::simulator(
        SimulatorConfig::default()
            .fail_rate(1.0)
            .latency(Duration::from_millis(5)),
    )
    .await;
    let client = demo_client(&simulator);
    let (mut answered_99, mut dropped) = (0, 0);
    for _ in 0..20 {
        match client
            .sign_off(SignOffRequest::new().merchant_wallet_id("F"))
            .await
        {
            Ok(reply) => {
                assert_eq!(reply.code.as_deref(), Some("99"));
                answered_99 += 1;
            }
            Err(error) => {
                assert_eq!(error.delivery(), sips_wallet::Delivery::Unknown, "{error}");
                dropped += 1;
            }
        }
    }
    assert_eq!(answered_99 + dropped, 20);
    assert!(
        answered_99 > 0 && dropped > 0,
        "{answered_99} answered 99, {dropped} dropped"
    );
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
    let simulator = common::simulator(SimulatorConfig::default().scenario(scenario)).await;
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
    let simulator = common::simulator(SimulatorConfig::default().scenario(scenario)).await;
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

/// `--fail-rate` with a seed is reproducible: the same seed and the same sequence of requests give
/// the same outcomes, call by call; another seed gives others.
#[tokio::test]
async fn the_same_seed_replays_the_same_chaos() {
    async fn outcomes(seed: u64) -> Vec<String> {
        let simulator =
            common::simulator(SimulatorConfig::default().fail_rate(0.5).seed(seed)).await;
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
    let simulator = common::simulator(SimulatorConfig::default()).await;
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

    let plain = common::simulator(SimulatorConfig::default().magic(false)).await;
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

/// Operator slips caught at start, each named: an empty state file, a folder, a database whose
/// tables were altered; a scenario that is not a regular file, too large, or with a rule that can
/// never match or contradicts itself.
#[cfg(unix)]
#[tokio::test]
async fn operator_slips_are_refused_at_start_naming_the_file_or_rule() {
    let dir = common::scratch_dir("double-slips");
    let refused = |config: SimulatorConfig| async move {
        Simulator::start(config, ([127, 0, 0, 1], 0).into())
            .await
            .unwrap_err()
            .to_string()
    };
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let message = refused(SimulatorConfig::default().state_file(&empty)).await;
    assert!(
        message.contains("empty.db") && message.contains("empty file"),
        "{message}"
    );
    let message = refused(SimulatorConfig::default().state_file(&dir)).await;
    assert!(message.contains("not a regular file"), "{message}");

    let altered = dir.join("altered.db");
    {
        let simulator = common::simulator(SimulatorConfig::default().state_file(&altered)).await;
        assert!(simulator.shutdown(Duration::from_secs(5)).await);
    }
    {
        let db = rusqlite::Connection::open(&altered).unwrap();
        db.execute_batch("ALTER TABLE payment_means DROP COLUMN alias;")
            .unwrap();
    }
    let message = refused(SimulatorConfig::default().state_file(&altered)).await;
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
