//! The fifth promise, case by case, through the library over SOAP and JSON: every change whose
//! answer is lost gets the verdict the simulator's truth allows (Applied, NotApplied, InEffect) or
//! StillUnknown, never a wrong one, whatever the bank does (masks in another style, ranks for
//! numbers, 01 for unknown, trimmed aliases, fields newer than the request left out, a commit
//! finished after the client gave up). The same cases through the command line are in
//! `tests/cli_settle.rs`; `tests/settle_property.rs` states the promise for random sequences.

mod common;

use std::time::{Duration, Instant, SystemTime};

use sips_wallet::contract::{
    operations, AddCardRequest, AddDirectDebitRequest, DeletePaymentMeanRequest, SignOffRequest,
    UpdatePaymentMeanRequest,
};
use sips_wallet::message::Operation;
use sips_wallet::reconcile::{Reconciliation, Settled, Settlement};
use sips_wallet::simulator::bank::{Bank, MaskStyle, MeanIds, UnknownCode};
use sips_wallet::simulator::{Scenario, Simulator, SimulatorConfig};
use sips_wallet::{Binding, CallOptions, WalletClient};

const CARD: &str = "4111111111111111";
/// Same first 4 and last 2 digits, same length: the same masked PAN.
const LOOKALIKE: &str = "4111222205333311";
const IBAN: &str = "FR7630006000011234567890189";
/// Another IBAN with the same first 4 and last 2 characters.
const OTHER_IBAN: &str = "FR7630004000010000000004889";

async fn simulator(bank: Bank) -> Simulator {
    common::simulator(SimulatorConfig::default().bank(bank)).await
}

/// A client whose calls time out after `timeout` and whose settle window is `window`.
fn client(simulator: &Simulator, binding: Binding, timeout: u64, window: u64) -> WalletClient {
    common::demo_builder(simulator)
        .binding(binding)
        .call_options(
            CallOptions::new()
                .timeout(Duration::from_millis(timeout))
                .settle_window(Duration::from_millis(window)),
        )
        .build()
        .unwrap()
}

/// The next call of `operation` on `wallet` meets `rule` (TOML keys), once.
fn once(simulator: &Simulator, operation: &str, wallet: &str, rule: &str) {
    let rules = format!(
        "[[rule]]\noperation = \"{operation}\"\nwallet = \"{wallet}\"\ntimes = 1\n{rule}\n"
    );
    simulator.add_rules(Scenario::from_toml(&rules).unwrap());
}

fn card(wallet: &str, number: &str) -> AddCardRequest {
    AddCardRequest::new()
        .merchant_wallet_id(wallet)
        .card_number(number)
        .card_expiry_date("203012")
}

fn mandate(wallet: &str, iban: &str, id: &str) -> AddDirectDebitRequest {
    AddDirectDebitRequest::new()
        .merchant_wallet_id(wallet)
        .iban(iban)
        .mandate_id(id)
}

async fn added(client: &WalletClient, request: AddCardRequest) {
    let reply = client.add_card(request).await.unwrap();
    assert!(reply.is_success(), "{reply:?}");
}

/// The verdict on a change whose answer the rules made sure was lost.
async fn settle<O: Operation>(
    client: &WalletClient,
    change: O,
    request: O::Request,
) -> Reconciliation {
    match client.call_and_settle(change, request).await.unwrap() {
        Settlement::Settled { reconciliation, .. } => *reconciliation,
        Settlement::Answered(reply) => panic!("the answer should have been lost: {reply:?}"),
        _ => unreachable!(),
    }
}

#[track_caller]
fn verdict(settled: &Reconciliation, expected: Settled, binding: Binding) {
    assert_eq!(
        settled.outcome, expected,
        "{binding:?}: {} ({} readings)",
        settled.evidence, settled.readings
    );
}

/// How many calls of `operation` on `wallet` reached the simulator: a change is sent once.
fn sent(simulator: &Simulator, operation: &str, wallet: &str) -> usize {
    simulator
        .calls()
        .iter()
        .filter(|c| c.operation == operation && c.wallet == wallet)
        .count()
}

const BINDINGS: [Binding; 2] = [Binding::Soap, Binding::Json];

/// The bank is still working when the client gives up: the card lands after the timeout, inside
/// the settle window, and a reading then proves it.
#[tokio::test]
async fn a_commit_finished_after_the_timeout_is_found_applied() {
    let simulator = simulator(Bank::default()).await;
    for binding in BINDINGS {
        let client = client(&simulator, binding, 500, 3_000);
        let wallet = format!("LATE-{binding:?}");
        once(&simulator, "addCard", &wallet, "commit_delay_ms = 1200");
        let started = Instant::now();
        let settled = settle(&client, operations::AddCard, card(&wallet, CARD)).await;
        verdict(&settled, Settled::Applied, binding);
        assert!(started.elapsed() >= Duration::from_millis(1200));
        assert!(settled.readings > 1, "read until the bank finished");
        assert_eq!(sent(&simulator, "addCard", &wallet), 1);
    }
}

/// A card with the same masked PAN and expiry was already there: the lost addCard, which never
/// reached the bank, is not taken for it. So with a mandate id already held with another IBAN.
#[tokio::test]
async fn a_lookalike_already_in_the_wallet_is_not_taken_for_the_lost_change() {
    let simulator = simulator(Bank::default()).await;
    for binding in BINDINGS {
        let client = client(&simulator, binding, 1_000, 600);
        let wallet = format!("ALIKE-{binding:?}");
        added(&client, card(&wallet, CARD)).await;
        once(&simulator, "addCard", &wallet, "drop = \"before\"");
        let settled = settle(&client, operations::AddCard, card(&wallet, LOOKALIKE)).await;
        verdict(&settled, Settled::NotApplied, binding);
        assert!(
            settled.evidence.contains("settle window"),
            "{}",
            settled.evidence
        );

        let debit = client
            .add_direct_debit(mandate(&wallet, IBAN, "M1"))
            .await
            .unwrap();
        assert!(debit.is_success());
        once(&simulator, "addDirectDebit", &wallet, "drop = \"before\"");
        let settled = settle(
            &client,
            operations::AddDirectDebit,
            mandate(&wallet, OTHER_IBAN, "M1"),
        )
        .await;
        verdict(&settled, Settled::NotApplied, binding);
    }
}

/// A bank that numbers payment means by rank: the delete of mean 2 was applied and mean 3 moved
/// up to number 2, which a reading by number would take for mean 2 still there.
#[tokio::test]
async fn a_delete_is_seen_although_ranks_renumber_the_means() {
    let simulator = simulator(Bank::default().mean_ids(MeanIds::Rank)).await;
    for binding in BINDINGS {
        let client = client(&simulator, binding, 1_000, 600);
        let wallet = format!("RANK-{binding:?}");
        for number in [CARD, "5555555555554444", "378282246310005"] {
            added(&client, card(&wallet, number)).await;
        }
        once(&simulator, "deletePaymentMean", &wallet, "drop = \"after\"");
        let delete = DeletePaymentMeanRequest::new()
            .merchant_wallet_id(wallet.as_str())
            .payment_mean_id("2");
        let settled = settle(&client, operations::DeletePaymentMean, delete.clone()).await;
        verdict(&settled, Settled::Applied, binding);
        assert!(settled.evidence.contains("rank"), "{}", settled.evidence);

        once(
            &simulator,
            "deletePaymentMean",
            &wallet,
            "drop = \"before\"",
        );
        let settled = settle(&client, operations::DeletePaymentMean, delete).await;
        verdict(&settled, Settled::NotApplied, binding);
    }
}

/// A bank that leaves out fields newer than the request's interfaceVersion: the readings go out
/// at the version the mandate's fields need (2.55, the sidecar's), never older than the change's.
#[tokio::test]
async fn readings_ask_for_the_version_their_fields_need() {
    let simulator = simulator(Bank::default().omit_newer_fields(true)).await;
    for binding in BINDINGS {
        let client = client(&simulator, binding, 1_000, 600);
        let wallet = format!("NEWER-{binding:?}");
        once(&simulator, "addDirectDebit", &wallet, "drop = \"after\"");
        let settled = settle(
            &client,
            operations::AddDirectDebit,
            mandate(&wallet, IBAN, "M-7"),
        )
        .await;
        verdict(&settled, Settled::Applied, binding);
        let reading = settled.reading.as_ref().unwrap();
        let request = reading.exchange.request();
        assert!(request.contains("WR_WS_2.55"), "{request}");
        assert!(reading.exchange.response().contains("M-7"));

        // The same reading at the operation's own recommended version shows no mandate id.
        let plain = client
            .get_wallet_data(
                sips_wallet::contract::GetWalletDataRequest::new()
                    .merchant_wallet_id(wallet.as_str()),
            )
            .await
            .unwrap();
        assert!(!plain.exchange.response().contains("M-7"));
    }
}

/// Masks in the Walletpage style and aliases trimmed on storage still show the change.
#[tokio::test]
async fn another_mask_style_and_a_trimmed_alias_still_show_the_change() {
    let bank = Bank::default().mask(MaskStyle::Walletpage).trim_alias(true);
    let simulator = simulator(bank).await;
    for binding in BINDINGS {
        let client = client(&simulator, binding, 1_000, 600);
        let wallet = format!("MASK-{binding:?}");
        once(&simulator, "addCard", &wallet, "drop = \"after\"");
        let settled = settle(
            &client,
            operations::AddCard,
            card(&wallet, CARD).payment_mean_alias("  main card "),
        )
        .await;
        verdict(&settled, Settled::Applied, binding);
        assert!(
            settled.evidence.contains("############1111"),
            "{}",
            settled.evidence
        );

        once(&simulator, "updatePaymentMean", &wallet, "drop = \"after\"");
        let update = UpdatePaymentMeanRequest::new()
            .merchant_wallet_id(wallet.as_str())
            .payment_mean_id("1")
            .payment_mean_alias(" work ");
        let settled = settle(&client, operations::UpdatePaymentMean, update).await;
        verdict(&settled, Settled::Applied, binding);
    }
}

/// A bank that answers 01 for an unknown wallet or mean (as two pages' prose says).
#[tokio::test]
async fn code_01_reads_as_an_unknown_wallet() {
    let simulator = simulator(Bank::default().unknown_code(UnknownCode::One)).await;
    for binding in BINDINGS {
        let client = client(&simulator, binding, 1_000, 600);
        let wallet = format!("ONE-{binding:?}");
        added(&client, card(&wallet, CARD)).await;
        once(&simulator, "signOff", &wallet, "drop = \"after\"");
        let sign_off = SignOffRequest::new().merchant_wallet_id(wallet.as_str());
        let settled = settle(&client, operations::SignOff, sign_off).await;
        verdict(&settled, Settled::Applied, binding);

        // A new wallet: the reading before says 01, the lost addCard never arrived.
        let fresh = format!("ONE-NEW-{binding:?}");
        once(&simulator, "addCard", &fresh, "drop = \"before\"");
        let settled = settle(&client, operations::AddCard, card(&fresh, CARD)).await;
        verdict(&settled, Settled::NotApplied, binding);
    }
}

/// Changes that could have no effect get a verdict saying what the wallet shows, never
/// "applied": a mean or wallet that was never there, an alias already held, a card already there.
#[tokio::test]
async fn no_op_changes_are_never_called_applied() {
    let simulator = simulator(Bank::default()).await;
    for binding in BINDINGS {
        let client = client(&simulator, binding, 1_000, 600);
        let wallet = format!("NOOP-{binding:?}");
        added(&client, card(&wallet, CARD).payment_mean_alias("mine")).await;
        for when in ["before", "after"] {
            once(
                &simulator,
                "deletePaymentMean",
                &wallet,
                &format!("drop = \"{when}\""),
            );
            let delete = DeletePaymentMeanRequest::new()
                .merchant_wallet_id(wallet.as_str())
                .payment_mean_id("7");
            let settled = settle(&client, operations::DeletePaymentMean, delete).await;
            verdict(&settled, Settled::NotApplied, binding);
            assert!(
                settled.evidence.contains("nothing was deleted"),
                "{}",
                settled.evidence
            );
            assert_eq!(
                settled.readings, 1,
                "proven at once: the bank answers 25 to it"
            );

            let never = format!("NEVER-{binding:?}-{when}");
            once(&simulator, "signOff", &never, &format!("drop = \"{when}\""));
            let sign_off = SignOffRequest::new().merchant_wallet_id(never.as_str());
            let settled = settle(&client, operations::SignOff, sign_off).await;
            verdict(&settled, Settled::NotApplied, binding);

            once(
                &simulator,
                "updatePaymentMean",
                &wallet,
                &format!("drop = \"{when}\""),
            );
            let same = UpdatePaymentMeanRequest::new()
                .merchant_wallet_id(wallet.as_str())
                .payment_mean_id("1")
                .payment_mean_alias("mine");
            let settled = settle(&client, operations::UpdatePaymentMean, same).await;
            verdict(&settled, Settled::InEffect, binding);

            // The bank answers 94 to the same card (after) or never sees it (before).
            once(
                &simulator,
                "addCard",
                &wallet,
                &format!("drop = \"{when}\""),
            );
            let settled = settle(&client, operations::AddCard, card(&wallet, CARD)).await;
            verdict(&settled, Settled::NotApplied, binding);
        }
    }
}

/// Every change, lost after its commit and lost before it: Applied and NotApplied.
#[tokio::test]
async fn every_change_lost_after_its_commit_is_applied_and_lost_before_is_not() {
    let simulator = simulator(Bank::default()).await;
    for binding in BINDINGS {
        let client = client(&simulator, binding, 1_000, 500);
        for (when, expected) in [("after", Settled::Applied), ("before", Settled::NotApplied)] {
            let wallet = format!("EVERY-{binding:?}-{when}");
            let drop = format!("drop = \"{when}\"");
            once(&simulator, "addCard", &wallet, &drop);
            let settled = settle(&client, operations::AddCard, card(&wallet, CARD)).await;
            verdict(&settled, expected, binding);
            if expected == Settled::NotApplied {
                added(&client, card(&wallet, CARD)).await;
            }
            once(&simulator, "addDirectDebit", &wallet, &drop);
            let settled = settle(
                &client,
                operations::AddDirectDebit,
                mandate(&wallet, IBAN, "M"),
            )
            .await;
            verdict(&settled, expected, binding);
            once(&simulator, "updatePaymentMean", &wallet, &drop);
            let update = UpdatePaymentMeanRequest::new()
                .merchant_wallet_id(wallet.as_str())
                .payment_mean_id("1")
                .payment_mean_alias("renamed");
            let settled = settle(&client, operations::UpdatePaymentMean, update).await;
            verdict(&settled, expected, binding);
            once(&simulator, "deletePaymentMean", &wallet, &drop);
            let delete = DeletePaymentMeanRequest::new()
                .merchant_wallet_id(wallet.as_str())
                .payment_mean_id("1");
            let settled = settle(&client, operations::DeletePaymentMean, delete).await;
            verdict(&settled, expected, binding);
            once(&simulator, "signOff", &wallet, &drop);
            let sign_off = SignOffRequest::new().merchant_wallet_id(wallet.as_str());
            let settled = settle(&client, operations::SignOff, sign_off).await;
            verdict(&settled, expected, binding);
            for operation in [
                "addCard",
                "updatePaymentMean",
                "deletePaymentMean",
                "signOff",
            ] {
                let expected_sends = if operation == "addCard" && when == "before" {
                    2
                } else {
                    1
                };
                assert_eq!(
                    sent(&simulator, operation, &wallet),
                    expected_sends,
                    "{operation}"
                );
            }
        }
    }
}

/// Without a reading from before the change, a state the wallet may already have held is never
/// called applied; a reading that fails leaves the outcome unknown, saying when to read again.
#[tokio::test]
async fn a_cold_reconcile_never_takes_an_old_state_for_the_change() {
    let simulator = simulator(Bank::default()).await;
    let client = client(&simulator, Binding::Soap, 1_000, 500);
    added(&client, card("COLD", CARD)).await;
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    let settled = client
        .reconcile::<operations::AddCard>(&card("COLD", CARD), long_ago)
        .await;
    verdict(&settled, Settled::StillUnknown, Binding::Soap);
    assert_eq!(settled.read_again_after, None, "no later reading can tell");
    let settled = client
        .reconcile::<operations::AddCard>(&card("COLD-EMPTY", CARD), long_ago)
        .await;
    verdict(&settled, Settled::NotApplied, Binding::Soap);

    let (_held, port) = common::closed_port();
    let nowhere = common::builder(&format!("http://127.0.0.1:{port}"))
        .call_options(CallOptions::new().settle_window(Duration::from_millis(300)))
        .build()
        .unwrap();
    let settled = nowhere
        .reconcile::<operations::SignOff>(
            &SignOffRequest::new().merchant_wallet_id("W"),
            SystemTime::now(),
        )
        .await;
    verdict(&settled, Settled::StillUnknown, Binding::Soap);
    assert!(settled.error.is_some());
    assert!(settled.read_again_after.is_some());
}

/// No timeout or settle window a caller gives overflows the clock (the longest there is: the
/// window three times it saturates), and what a reading proves at once is still settled at once.
#[tokio::test]
async fn the_longest_timeout_and_window_overflow_nothing() {
    let simulator = simulator(Bank::default()).await;
    let client = common::demo_builder(&simulator)
        .timeout(Duration::MAX)
        .build()
        .unwrap();
    once(&simulator, "addCard", "LONGEST", "drop = \"after\"");
    let settled = settle(&client, operations::AddCard, card("LONGEST", CARD)).await;
    verdict(&settled, Settled::Applied, Binding::Soap);

    let client = common::demo_builder(&simulator)
        .call_options(CallOptions::new().settle_window(Duration::MAX))
        .build()
        .unwrap();
    let settled = client
        .reconcile::<operations::AddCard>(&card("LONGEST", CARD), SystemTime::now())
        .await;
    verdict(&settled, Settled::StillUnknown, Binding::Soap);
    let absent = DeletePaymentMeanRequest::new()
        .merchant_wallet_id("LONGEST")
        .payment_mean_id("7");
    let settled = client
        .reconcile::<operations::DeletePaymentMean>(&absent, SystemTime::now())
        .await;
    verdict(&settled, Settled::InEffect, Binding::Soap);
}
