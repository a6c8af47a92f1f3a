//! The fifth promise through the command line, over SOAP and JSON: a change whose answer is lost
//! is settled by the binary itself (a reading before sending, readings after), with exit 0 for
//! applied or nothing to send again, 4 for not applied, 1 for still unknown; never a wrong
//! verdict, whatever the simulated bank does. The library's side is `tests/reconcile.rs`.

mod common;

use std::process::{Command, Output};

use common::binary::BIN;

use sips_wallet::simulator::bank::{Bank, MaskStyle, MeanIds, UnknownCode};
use sips_wallet::simulator::{
    Scenario, Simulator, SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
};

const CARD: &str = "4111111111111111";
const LOOKALIKE: &str = "4111222205333311";
const IBAN: &str = "FR7630006000011234567890189";
const OTHER_IBAN: &str = "FR7630004000010000000004889";
const BINDINGS: [&str; 2] = ["soap", "json"];

async fn simulator(bank: Bank) -> Simulator {
    common::simulator(SimulatorConfig::default().bank(bank)).await
}

/// The next call of `operation` on `wallet` meets `rule`, once.
fn once(simulator: &Simulator, operation: &str, wallet: &str, rule: &str) {
    let rules = format!(
        "[[rule]]\noperation = \"{operation}\"\nwallet = \"{wallet}\"\ntimes = 1\n{rule}\n"
    );
    simulator.add_rules(Scenario::from_toml(&rules).unwrap());
}

/// The binary against `simulator` over `binding`, as its demo merchant: `--timeout 1
/// --settle-window 1` unless `args` give a timeout (the window is then the default).
async fn run(simulator: &Simulator, binding: &str, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(["--url", &simulator.base_url(), "--binding", binding])
        .args(args)
        .env("SIPS_MERCHANT_ID", DEMO_MERCHANT_ID)
        .env("SIPS_KEY_VERSION", DEMO_KEY_VERSION)
        .env("SIPS_SECRET_KEY", DEMO_SECRET_KEY)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG");
    if !args.contains(&"--timeout") {
        command.args(["--timeout", "1", "--settle-window", "1"]);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn add_card(wallet: &str, card: &str) -> Vec<String> {
    [
        "add-card",
        "--merchant-wallet-id",
        wallet,
        "--card-number",
        card,
        "--card-expiry-date",
        "203012",
    ]
    .map(String::from)
    .to_vec()
}

fn add_mandate(wallet: &str, iban: &str, mandate: &str) -> Vec<String> {
    [
        "add-direct-debit",
        "--merchant-wallet-id",
        wallet,
        "--iban",
        iban,
        "--mandate-id",
        mandate,
    ]
    .map(String::from)
    .to_vec()
}

fn mean(command: &str, wallet: &str, id: &str) -> Vec<String> {
    [
        command,
        "--merchant-wallet-id",
        wallet,
        "--payment-mean-id",
        id,
    ]
    .map(String::from)
    .to_vec()
}

async fn call(simulator: &Simulator, binding: &str, args: Vec<String>) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(simulator, binding, &args).await
}

/// Exit code `code`, and `needle` on standard output; never a card number or IBAN in clear.
#[track_caller]
fn settled(output: &Output, code: i32, needle: &str) {
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{out}\nstderr:\n{err}"
    );
    assert!(
        out.contains(needle),
        "expected {needle:?} in:\n{out}\nstderr:\n{err}"
    );
    for secret in [CARD, LOOKALIKE, IBAN, OTHER_IBAN] {
        assert!(!out.contains(secret) && !err.contains(secret), "{out}{err}");
    }
    assert!(
        !err.contains("error:"),
        "a settled outcome is no error:\n{err}"
    );
}

/// `--timeout 2` while the bank takes 4 s: the card lands 2 s after the call gave up, inside the
/// default settle window (3 × 2 s), and the command waits for it, saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_finished_after_the_timeout_is_found_applied() {
    let simulator = simulator(Bank::default()).await;
    for binding in BINDINGS {
        let wallet = format!("LATE-{binding}");
        once(&simulator, "addCard", &wallet, "commit_delay_ms = 4000");
        let mut args = vec!["--timeout".to_string(), "2".into()];
        args.extend(add_card(&wallet, CARD));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&simulator, binding, &args).await;
        settled(&output, 0, "addCard: applied");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(
            err.contains("reading the wallet until"),
            "a progress line: {err}"
        );
        assert!(err.contains("of the 6 s settle window"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookalike_or_a_mandate_id_already_held_is_not_taken_for_the_lost_change() {
    let simulator = simulator(Bank::default()).await;
    for binding in BINDINGS {
        let wallet = format!("ALIKE-{binding}");
        settled(
            &call(&simulator, binding, add_card(&wallet, CARD)).await,
            0,
            "00",
        );
        once(&simulator, "addCard", &wallet, "drop = \"before\"");
        let output = call(&simulator, binding, add_card(&wallet, LOOKALIKE)).await;
        settled(&output, 4, "addCard: not applied");
        settled(&output, 4, "settle window");

        settled(
            &call(&simulator, binding, add_mandate(&wallet, IBAN, "M1")).await,
            0,
            "00",
        );
        once(&simulator, "addDirectDebit", &wallet, "drop = \"before\"");
        let output = call(&simulator, binding, add_mandate(&wallet, OTHER_IBAN, "M1")).await;
        settled(&output, 4, "addDirectDebit: not applied");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_is_seen_although_ranks_renumber_the_means() {
    let simulator = simulator(Bank::default().mean_ids(MeanIds::Rank)).await;
    for binding in BINDINGS {
        let wallet = format!("RANK-{binding}");
        for card in [CARD, "5555555555554444", "378282246310005"] {
            settled(
                &call(&simulator, binding, add_card(&wallet, card)).await,
                0,
                "00",
            );
        }
        once(&simulator, "deletePaymentMean", &wallet, "drop = \"after\"");
        let output = call(
            &simulator,
            binding,
            mean("delete-payment-mean", &wallet, "2"),
        )
        .await;
        settled(&output, 0, "deletePaymentMean: applied");
        settled(&output, 0, "rank");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_leaving_out_newer_fields_still_shows_the_mandate() {
    let simulator = simulator(Bank::default().omit_newer_fields(true)).await;
    for binding in BINDINGS {
        let wallet = format!("NEWER-{binding}");
        once(&simulator, "addDirectDebit", &wallet, "drop = \"after\"");
        let output = call(&simulator, binding, add_mandate(&wallet, IBAN, "M-7")).await;
        settled(&output, 0, "addDirectDebit: applied");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_mask_style_and_a_trimmed_alias_still_show_the_change() {
    let bank = Bank::default().mask(MaskStyle::Walletpage).trim_alias(true);
    let simulator = simulator(bank).await;
    for binding in BINDINGS {
        let wallet = format!("MASK-{binding}");
        once(&simulator, "addCard", &wallet, "drop = \"after\"");
        let mut args = add_card(&wallet, CARD);
        args.extend(["--payment-mean-alias".into(), " main ".into()]);
        settled(
            &call(&simulator, binding, args).await,
            0,
            "addCard: applied",
        );
        once(&simulator, "updatePaymentMean", &wallet, "drop = \"after\"");
        let mut args = mean("update-payment-mean", &wallet, "1");
        args.extend(["--payment-mean-alias".into(), "  work".into()]);
        settled(
            &call(&simulator, binding, args).await,
            0,
            "updatePaymentMean: applied",
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_01_reads_as_an_unknown_wallet() {
    let simulator = simulator(Bank::default().unknown_code(UnknownCode::One)).await;
    for binding in BINDINGS {
        let wallet = format!("ONE-{binding}");
        settled(
            &call(&simulator, binding, add_card(&wallet, CARD)).await,
            0,
            "00",
        );
        once(&simulator, "signOff", &wallet, "drop = \"after\"");
        let sign_off = ["sign-off", "--merchant-wallet-id", &wallet]
            .map(String::from)
            .to_vec();
        settled(
            &call(&simulator, binding, sign_off).await,
            0,
            "signOff: applied",
        );
    }
}

/// No-op changes: never "applied"; JSON output names the outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_op_changes_say_what_the_wallet_shows() {
    let simulator = simulator(Bank::default()).await;
    for binding in BINDINGS {
        let wallet = format!("NOOP-{binding}");
        let mut args = add_card(&wallet, CARD);
        args.extend(["--payment-mean-alias".into(), "mine".into()]);
        settled(&call(&simulator, binding, args).await, 0, "00");

        once(&simulator, "deletePaymentMean", &wallet, "drop = \"after\"");
        let output = call(
            &simulator,
            binding,
            mean("delete-payment-mean", &wallet, "7"),
        )
        .await;
        settled(&output, 4, "nothing was deleted");

        let never = format!("NEVER-{binding}");
        once(&simulator, "signOff", &never, "drop = \"after\"");
        let sign_off = ["sign-off", "--merchant-wallet-id", &never]
            .map(String::from)
            .to_vec();
        settled(
            &call(&simulator, binding, sign_off).await,
            4,
            "nothing was signed off",
        );

        once(&simulator, "updatePaymentMean", &wallet, "drop = \"after\"");
        let mut args = mean("update-payment-mean", &wallet, "1");
        args.extend(["--payment-mean-alias".into(), "mine".into()]);
        let output = call(&simulator, binding, args).await;
        settled(&output, 0, "updatePaymentMean: nothing to send again");

        once(&simulator, "addCard", &wallet, "drop = \"after\"");
        let mut args = vec!["--output".to_string(), "json".into()];
        args.extend(add_card(&wallet, CARD));
        let output = call(&simulator, binding, args).await;
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["outcome"], "not_applied", "{json}");
        assert_eq!(output.status.code(), Some(4));
    }
    // Each change was sent once: the readings are getWalletData, never the change again.
    let calls = simulator.calls();
    let changes = calls
        .iter()
        .filter(|c| c.operation != "getWalletData")
        .count();
    assert_eq!(changes, 2 * 5, "{calls:#?}");
}
