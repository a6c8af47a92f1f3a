//! Unknown outcomes settled by reading, against the simulator's scenario rules: `drop = "after"`
//! closes the connection once the change is committed (the reading finds it applied),
//! `drop = "before"` before anything is applied (the reading finds it not applied). For every
//! change operation, through the library; the command line's exit codes are in `tests/cli.rs`.

mod common;

use sips_wallet::contract::{
    operations, AddCardRequest, AddDirectDebitRequest, DeletePaymentMeanRequest, SignOffRequest,
    UpdatePaymentMeanRequest,
};
use sips_wallet::reconcile::Settled;
use sips_wallet::simulator::{Scenario, Simulator, SimulatorConfig};
use sips_wallet::{Delivery, Error, WalletClient};

/// One simulator whose rules drop each change on wallets named `<when>-<operation>`.
async fn simulator() -> Simulator {
    let mut rules = String::new();
    for operation in [
        "addCard",
        "addDirectDebit",
        "updatePaymentMean",
        "deletePaymentMean",
        "signOff",
    ] {
        for when in ["before", "after"] {
            rules.push_str(&format!(
                "[[rule]]\noperation = \"{operation}\"\nwallet = \"{when}-{operation}\"\ndrop = \"{when}\"\n"
            ));
        }
    }
    let scenario = Scenario::from_toml(&rules).unwrap();
    Simulator::start(
        SimulatorConfig::default().scenario(scenario),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

fn card(wallet: &str) -> AddCardRequest {
    AddCardRequest::new()
        .merchant_wallet_id(wallet)
        .card_number("4111111111111111")
        .card_expiry_date("203012")
}

/// A wallet holding one card (mean 1), added without any rule in the way.
async fn wallet_with_a_card(client: &WalletClient, wallet: &str) {
    let added = client.add_card(card(wallet)).await.unwrap();
    assert!(added.is_success(), "{added:?}");
}

fn unknown<T: std::fmt::Debug>(outcome: Result<T, Error>) {
    match outcome {
        Err(error) => assert_eq!(error.delivery(), Delivery::Unknown, "{error}"),
        Ok(reply) => panic!("the rule should have dropped the call: {reply:?}"),
    }
}

#[tokio::test]
async fn every_change_lost_after_commit_is_found_applied_and_lost_before_not_applied() {
    let simulator = simulator().await;
    let client = common::demo_client(&simulator);
    for (when, expected) in [("after", Settled::Applied), ("before", Settled::NotApplied)] {
        let wallet = format!("{when}-addCard");
        unknown(client.add_card(card(&wallet)).await);
        let settled = client
            .reconcile::<operations::AddCard>(&card(&wallet))
            .await;
        assert_eq!(
            settled.outcome, expected,
            "addCard {when}: {}",
            settled.evidence
        );
        assert!(settled.reading.is_some() && settled.error.is_none());

        let wallet = format!("{when}-addDirectDebit");
        let mandate = AddDirectDebitRequest::new()
            .merchant_wallet_id(wallet.as_str())
            .iban("FR7630006000011234567890189")
            .mandate_id("M-1");
        unknown(client.add_direct_debit(mandate.clone()).await);
        let settled = client
            .reconcile::<operations::AddDirectDebit>(&mandate)
            .await;
        assert_eq!(
            settled.outcome, expected,
            "addDirectDebit {when}: {}",
            settled.evidence
        );

        let wallet = format!("{when}-updatePaymentMean");
        wallet_with_a_card(&client, &wallet).await;
        let update = UpdatePaymentMeanRequest::new()
            .merchant_wallet_id(wallet.as_str())
            .payment_mean_id("1")
            .payment_mean_alias("renamed");
        unknown(client.update_payment_mean(update.clone()).await);
        let settled = client
            .reconcile::<operations::UpdatePaymentMean>(&update)
            .await;
        assert_eq!(
            settled.outcome, expected,
            "updatePaymentMean {when}: {}",
            settled.evidence
        );

        let wallet = format!("{when}-deletePaymentMean");
        wallet_with_a_card(&client, &wallet).await;
        let delete = DeletePaymentMeanRequest::new()
            .merchant_wallet_id(wallet.as_str())
            .payment_mean_id("1");
        unknown(client.delete_payment_mean(delete.clone()).await);
        let settled = client
            .reconcile::<operations::DeletePaymentMean>(&delete)
            .await;
        assert_eq!(
            settled.outcome, expected,
            "deletePaymentMean {when}: {}",
            settled.evidence
        );

        let wallet = format!("{when}-signOff");
        wallet_with_a_card(&client, &wallet).await;
        let sign_off = SignOffRequest::new().merchant_wallet_id(wallet.as_str());
        unknown(client.sign_off(sign_off.clone()).await);
        let settled = client.reconcile::<operations::SignOff>(&sign_off).await;
        assert_eq!(
            settled.outcome, expected,
            "signOff {when}: {}",
            settled.evidence
        );
    }
}

#[tokio::test]
async fn a_reading_that_fails_or_proves_nothing_leaves_the_outcome_unknown() {
    // Nothing listens: the reading itself fails.
    let (_held, port) = common::closed_port();
    let client = common::builder(&format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let settled = client
        .reconcile::<operations::SignOff>(&SignOffRequest::new().merchant_wallet_id("W"))
        .await;
    assert_eq!(settled.outcome, Settled::StillUnknown);
    assert!(settled.error.is_some());

    // A card given as a token cannot be recognised in the wallet.
    let simulator = simulator().await;
    let demo = common::demo_client(&simulator);
    let token = AddCardRequest::new()
        .merchant_wallet_id("TOKEN")
        .card_number("tok_abc")
        .card_expiry_date("203012")
        .pan_type("TOKEN_PAN");
    let settled = demo.reconcile::<operations::AddCard>(&token).await;
    assert_eq!(
        settled.outcome,
        Settled::StillUnknown,
        "{}",
        settled.evidence
    );
}
