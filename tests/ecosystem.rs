//! What a Rust back end plugs the client into: observers (the hook metrics and audits hang on),
//! a builder from the environment, and the blocking client (feature `blocking`).

mod common;

use std::sync::{Arc, Mutex};

use sips_wallet::contract::{GetWalletDataRequest, SignOffRequest};
use sips_wallet::simulator::SimulatorConfig;
use sips_wallet::{CallEvent, CallObserver, Outcome, SettleEvent, WalletClientBuilder};

/// Every event an observer heard, as text.
#[derive(Default)]
struct Heard(Mutex<Vec<String>>);

impl CallObserver for Heard {
    fn on_attempt(&self, event: &CallEvent<'_>) {
        self.push(format!("attempt {} {:?}", event.attempt, event));
    }
    fn on_call(&self, event: &CallEvent<'_>) {
        self.push(format!(
            "call {} {} {:?}",
            event.method(),
            event.outcome.label(),
            event
        ));
    }
    fn on_settled(&self, event: &SettleEvent) {
        self.push(format!("settled {:?}", event));
    }
}

impl Heard {
    fn push(&self, line: String) {
        self.0.lock().unwrap().push(line);
    }
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// An observer hears each attempt and each call, named `WalletService/operation` with its code or
/// error kind, and nothing of the messages: not the wallet id, the card number, the seal; a code
/// that is not code-shaped (a server writing a card number there) is heard as `invalid`.
#[tokio::test]
async fn an_observer_hears_every_call_and_nothing_secret() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let heard = Arc::new(Heard::default());
    let client = common::demo_builder(&simulator)
        .observer(heard.clone())
        .build()
        .unwrap();
    let card = "4111111111111111";
    let added = client
        .add_card(common::add_card("WALLET-SECRET-ID", card))
        .await
        .unwrap();
    let seal = added.response.seal.clone().unwrap_or_default();
    client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("NOBODY"))
        .await
        .unwrap();
    let lines = heard.lines();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(
        lines[1].starts_with("call WalletService/addCard 00"),
        "{lines:#?}"
    );
    assert!(
        lines[3].starts_with("call WalletService/getWalletData 25"),
        "{lines:#?}"
    );
    for line in &lines {
        for secret in [
            card,
            "4111##########11",
            "WALLET-SECRET-ID",
            "NOBODY",
            seal.as_str(),
        ] {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
    }

    // A server whose code field holds a card number: the label is `invalid`, never the digits.
    let odd = common::sealed_answer::<sips_wallet::contract::operations::SignOff>(
        sips_wallet::contract::SignOffOutput::new().wallet_response_code(card),
        Some(common::KEY),
    );
    let server =
        common::TestServer::start(move |_| common::Action::Respond(200, odd.clone())).await;
    let heard = Arc::new(Heard::default());
    let client = common::builder(&server.url)
        .observer(heard.clone())
        .build()
        .unwrap();
    let _ = client
        .sign_off(SignOffRequest::new().merchant_wallet_id("W1"))
        .await;
    let lines = heard.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("call WalletService/signOff invalid")),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| !l.contains(card)), "{lines:#?}");
}

/// An error is heard as its kind, each attempt of a retried read apart.
#[tokio::test]
async fn an_observer_hears_each_attempt_of_a_retried_read_and_the_error_kind() {
    let (_socket, port) = common::closed_port();
    let heard = Arc::new(Heard::default());
    let client = common::builder(&format!("http://127.0.0.1:{port}"))
        .observer(heard.clone())
        .call_options(common::quick_retries())
        .build()
        .unwrap();
    let error = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), "connect");
    let lines = heard.lines();
    let attempts = lines.iter().filter(|l| l.starts_with("attempt")).count();
    assert_eq!(attempts, 3, "{lines:#?}");
    assert!(lines
        .last()
        .unwrap()
        .starts_with("call WalletService/getWalletData connect"));
    assert!(matches!(
        Outcome::Failed { kind: "connect" }.label(),
        "connect"
    ));
}

/// The builder from the environment reads the CLI's variables; each error names the variable.
#[test]
fn a_builder_from_the_environment_names_what_is_missing() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let error = |pairs| {
        WalletClientBuilder::from_vars(vars(pairs))
            .unwrap_err()
            .to_string()
    };
    assert!(error(&[]).contains("SIPS_MERCHANT_ID"));
    assert!(error(&[("SIPS_MERCHANT_ID", "M")]).contains("SIPS_KEY_VERSION"));
    assert!(
        error(&[("SIPS_MERCHANT_ID", "M"), ("SIPS_KEY_VERSION", "1")]).contains("SIPS_SECRET_KEY")
    );
    let full: &[(&str, &str)] = &[
        ("SIPS_MERCHANT_ID", "011223344550000"),
        ("SIPS_KEY_VERSION", "1"),
        ("SIPS_SECRET_KEY", "sips-wallet-simulator-demo-key"),
        ("SIPS_ENV", "sips-tst"),
    ];
    assert!(error(full).contains("SIPS_ENV `sips-tst` is not a platform"));
    let client = WalletClientBuilder::from_vars(vars(&[
        ("SIPS_MERCHANT_ID", "011223344550000"),
        ("SIPS_KEY_VERSION", "1"),
        ("SIPS_SECRET_KEY", "sips-wallet-simulator-demo-key"),
        ("SIPS_URL", "http://127.0.0.1:7070"),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(
        client.wallet_endpoint(),
        "http://127.0.0.1:7070/services/v2/wallet"
    );
}

/// The blocking client runs a wallet's life from plain threads, and refuses, by a clear error,
/// to block inside an async runtime.
#[cfg(feature = "blocking")]
#[test]
fn the_blocking_client_runs_from_plain_threads() {
    use sips_wallet::Error;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let simulator = runtime.block_on(common::simulator(SimulatorConfig::default()));
    let client = common::demo_builder(&simulator).build_blocking().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || {
                let wallet = format!("BLOCKING-{i}");
                let added = client
                    .add_card(common::add_card(&wallet, "4111111111111111"))
                    .unwrap();
                assert_eq!(added.code.as_deref(), Some("00"));
                let held = client
                    .get_wallet_data(
                        GetWalletDataRequest::new().merchant_wallet_id(wallet.as_str()),
                    )
                    .unwrap();
                assert_eq!(held.verification, sips_wallet::Verification::Verified);
                assert_eq!(held.response.wallet_payment_mean_data_list.len(), 1);
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let inside =
        runtime.block_on(async { client.sign_off(SignOffRequest::new().merchant_wallet_id("W1")) });
    assert!(
        matches!(inside, Err(Error::Config(ref m)) if m.contains("async runtime")),
        "{inside:?}"
    );
    drop(client);
}
