//! No card number or secret key in any log line, at any level, whatever field it hides in: the
//! call span's wallet id, the bodies logged at TRACE, a fault's text, the simulator's request log.
//!
//! One test in its own binary with a process-wide subscriber: it sees every thread (the
//! simulator's tasks included), and no other test's thread can make tracing cache a callsite as
//! disabled before the subscriber is installed.

mod common;

use std::sync::{Arc, Mutex};

use common::{Action, TestServer};
use sips_wallet::contract::{AddCardRequest, GetWalletDataRequest, SignOffRequest};
use sips_wallet::simulator::DEMO_SECRET_KEY;

/// A buffer that collects what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const CARD: &str = "4111111111111111";

#[test]
fn no_card_number_in_any_log_line_at_any_level() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();
    common::two_thread_runtime().block_on(async {
        let (_simulator, client) = common::demo_simulator().await;
        // The card number in the wallet id and the alias as well as in its own field, after a
        // group of digits that must not hide it.
        let wallet = format!("order 1234 {CARD}");
        let added = client
            .add_card(
                AddCardRequest::new()
                    .merchant_wallet_id(wallet.clone())
                    .card_number(CARD)
                    .card_expiry_date("202812")
                    .payment_mean_alias(format!("on 2026-12-01 {CARD}")),
            )
            .await
            .unwrap();
        assert!(added.is_success(), "{added:?}");
        let error = client
            .add_card(
                AddCardRequest::new()
                    .merchant_wallet_id("LOGS")
                    .card_number("4111111111111112")
                    .card_expiry_date("202812"),
            )
            .await
            .unwrap_err();
        assert!(!error.to_string().contains("411111111111111"));
        client
            .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet))
            .await
            .unwrap();

        // A server whose fault text holds a card number after digits.
        let fault = format!(
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>order 99 {CARD}</faultstring></soap:Fault></soap:Body></soap:Envelope>"#
        );
        let server = TestServer::start(move |_| Action::Respond(500, fault.clone())).await;
        let faulty = common::builder(&server.url).build().unwrap();
        faulty
            .sign_off(SignOffRequest::new().merchant_wallet_id(format!("at 10:00 {CARD}")))
            .await
            .unwrap_err();
    });

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("sips_wallet.call"),
        "the calls were logged: {logs}"
    );
    assert!(
        logs.contains("4111##########11"),
        "bodies are logged at trace level, masked: {logs}"
    );
    assert!(
        logs.contains("simulator"),
        "the simulator's request log is captured too: {logs}"
    );
    assert!(
        !logs.contains(CARD),
        "a card number reached the logs: {logs}"
    );
    assert!(
        !logs.contains(DEMO_SECRET_KEY),
        "the secret key reached the logs"
    );
}
