//! The simulator's state (mirrors `simulator::store` and `state`): consistent under concurrent
//! calls, kept across restarts, one instance per file however it is reached, a file replaced or not
//! a database refused loudly.

mod common;

use std::time::Duration;

use sips_wallet::contract::{AddCardRequest, DeletePaymentMeanRequest, GetWalletDataRequest};
use sips_wallet::simulator::{Simulator, SimulatorConfig, StartError, StoreError};
use sips_wallet::Verification;

use common::{add_card, code_of, demo_client};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_tasks_add_and_delete_consistently() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let client = demo_client(&simulator);
    let cards = ["4111111111111111", "5555555555554444", "4012888888881881"];
    let tasks = (0..32).map(|task| {
        let client = client.clone();
        tokio::spawn(async move {
            let wallet = format!("T{task}");
            for card in cards {
                let r = client
                    .add_card(
                        AddCardRequest::new()
                            .merchant_wallet_id(&wallet)
                            .card_number(card)
                            .card_expiry_date("202812"),
                    )
                    .await
                    .unwrap();
                assert_eq!(r.code.as_deref(), Some("00"));
            }
            let r = client
                .delete_payment_mean(
                    DeletePaymentMeanRequest::new()
                        .merchant_wallet_id(&wallet)
                        .payment_mean_id("2"),
                )
                .await
                .unwrap();
            assert_eq!(r.code.as_deref(), Some("00"));
        })
    });
    for task in tasks {
        task.await.unwrap();
    }
    for task in 0..32 {
        let data = client
            .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(format!("T{task}")))
            .await
            .unwrap();
        let ids: Vec<&str> = data
            .response
            .wallet_payment_mean_data_list
            .iter()
            .filter_map(|m| m.payment_mean_id.as_deref())
            .collect();
        assert_eq!(ids, ["1", "3"], "wallet T{task}");
    }
}

#[tokio::test]
async fn state_file_keeps_wallets_across_restarts() {
    let dir = common::scratch_dir("sim-state");
    let path = dir.join("wallets.db");
    let _ = std::fs::remove_file(&path);
    {
        let simulator = common::simulator(SimulatorConfig::default().state_file(&path)).await;
        let r = demo_client(&simulator)
            .add_card(
                AddCardRequest::new()
                    .merchant_wallet_id("KEEP")
                    .card_number("4111111111111111")
                    .card_expiry_date("202812"),
            )
            .await
            .unwrap();
        assert!(r.is_success());
        assert!(simulator.shutdown(Duration::from_secs(5)).await);
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(16).any(|w| w == b"4111111111111111"),
            "no card number at rest"
        );
    }
    let simulator = common::simulator(SimulatorConfig::default().state_file(&path)).await;
    let data = demo_client(&simulator)
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("KEEP"))
        .await
        .unwrap();
    assert_eq!(data.response.wallet_payment_mean_data_list.len(), 1);
}

#[tokio::test]
async fn a_second_simulator_on_one_state_file_is_refused_and_state_survives_a_restart() {
    let dir = common::scratch_dir("double-two");
    let path = dir.join("state.db");
    let first = common::simulator(SimulatorConfig::default().state_file(&path)).await;
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
    let again = common::simulator(SimulatorConfig::default().state_file(&path)).await;
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
    let first = common::simulator(SimulatorConfig::default().state_file(&path)).await;
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
        let simulator = common::simulator(SimulatorConfig::default().state_file(&path)).await;
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
