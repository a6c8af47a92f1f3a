//! The guided tour: `sips-wallet` with no arguments. Starts the simulator on a loopback port and walks
//! a wallet through its life with the real client over real HTTP, checking each response code.

use std::fmt::Write as _;
use std::future::Future;

use sips_wallet::message::DynOperation;
use sips_wallet::reconcile::{self, Settled, Settlement};
use sips_wallet::seal::Value;
use sips_wallet::simulator::{
    Scenario, Simulator, SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
};
use sips_wallet::{Binding, Error, Reply, SecretKey, Verification, WalletClient};

/// What the tour printed, and whether every step gave the code it expected.
#[derive(Debug, Clone)]
pub struct TourReport {
    /// The text shown to the user.
    pub text: String,
    /// Steps that gave the expected code.
    pub passed: usize,
    /// Steps in all.
    pub steps: usize,
}

impl TourReport {
    /// Whether every step gave its expected code.
    pub fn all_passed(&self) -> bool {
        self.passed == self.steps
    }
}

struct Tour {
    text: String,
    passed: usize,
    steps: usize,
    shown_exchange: bool,
}

impl Tour {
    async fn step<T: std::fmt::Debug>(
        &mut self,
        label: &str,
        expected: &str,
        call: impl Future<Output = Result<Reply<T>, Error>>,
    ) -> Option<Reply<T>> {
        self.steps += 1;
        match call.await {
            Ok(reply) => {
                let code = reply.code.clone().unwrap_or_else(|| "--".into());
                let ok = code == expected;
                self.passed += usize::from(ok);
                let _ = writeln!(
                    self.text,
                    "{} {label:<38} {code} {:<46} seal {:<10} {:>4} ms",
                    if ok { "ok  " } else { "FAIL" },
                    reply.code_meaning.unwrap_or("(code not in the contract)"),
                    if reply.verification == Verification::Verified {
                        "verified"
                    } else {
                        "absent"
                    },
                    reply.exchange.duration.as_millis(),
                );
                if !ok {
                    let _ = writeln!(self.text, "     expected {expected}");
                }
                if !self.shown_exchange {
                    self.shown_exchange = true;
                    let _ = writeln!(
                        self.text,
                        "\n     The exchange above, as sent and received (card number masked):\n{}\n{}",
                        indent(&reply.exchange.request()),
                        indent(&reply.exchange.response())
                    );
                }
                Some(reply)
            }
            Err(error) => {
                let _ = writeln!(self.text, "FAIL {label:<38} error: {}", error.chain());
                None
            }
        }
    }
}

impl Tour {
    /// A change whose connection is lost after the bank applied it: the error says the outcome is
    /// unknown, and a reading settles it without sending the change again.
    async fn settled(
        &mut self,
        client: &WalletClient,
        label: &str,
        operation: &str,
        fields: &[(&str, &str)],
    ) {
        self.steps += 1;
        let Some(change) = sips_wallet::contracts::operation(operation) else {
            let _ = writeln!(
                self.text,
                "FAIL {label:<38} {operation} is not in the contract"
            );
            return;
        };
        let outcome = match reconcile::call_and_settle_fields(client, change, fields, &|_| {}).await
        {
            Ok(Settlement::Settled { reconciliation, .. })
                if reconciliation.outcome == Settled::Applied =>
            {
                self.passed += 1;
                format!(
                    "ok   {label:<38} outcome unknown, then applied ({})",
                    reconciliation.evidence
                )
            }
            Ok(Settlement::Settled { reconciliation, .. }) => format!(
                "FAIL {label:<38} expected applied, the readings say {} ({})",
                reconciliation.outcome.as_str(),
                reconciliation.evidence
            ),
            Err(error) => format!("FAIL {label:<38} error: {}", error.chain()),
            Ok(Settlement::Answered(reply)) => format!(
                "FAIL {label:<38} answered {:?}: the connection should have been lost",
                reply.code
            ),
            Ok(_) => format!("FAIL {label:<38} an outcome this tour does not know"),
        };
        let _ = writeln!(self.text, "{outcome}");
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("       {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The operation of this name in the bundled contracts' tables.
fn operation(name: &str) -> Result<&'static dyn DynOperation, Error> {
    sips_wallet::contracts::operation(name)
        .ok_or_else(|| Error::Config(format!("the contract has no operation {name}")))
}

/// Calls an operation by its WSDL name with fields by their XML names: the tour knows the data
/// dictionary's names, never the generated types, so a vendor's WSDL can replace ours.
async fn call(
    client: &WalletClient,
    name: &str,
    fields: &[(&str, &str)],
) -> Result<Reply<Value>, Error> {
    sips_wallet::dynamic::call(client, operation(name)?, fields).await
}

/// The text of `field` in `value`, or "".
fn text<'v>(value: &'v Value, field: &str) -> &'v str {
    value.text(field).unwrap_or_default()
}

/// Runs the tour against a simulator it starts on 127.0.0.1.
pub async fn run() -> Result<TourReport, Error> {
    let wallet = format!("TOUR-{}", std::process::id());
    let wallet = wallet.as_str();
    let lost_wallet = format!("{wallet}-LOST");
    // One rule: this wallet's addCard loses its connection once the change is committed.
    let scenario = Scenario::from_toml(&format!(
        "[[rule]]\noperation = \"addCard\"\nwallet = \"{lost_wallet}\"\ndrop = \"after\"\n"
    ))
    .map_err(|e| Error::Config(format!("the tour's scenario: {e}")))?;
    let simulator = Simulator::start(
        SimulatorConfig::default().scenario(scenario),
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .map_err(|e| Error::Config(format!("cannot start the simulator: {e}")))?;
    let builder = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(SecretKey::new(DEMO_SECRET_KEY).map_err(|e| Error::Config(e.to_string()))?);
    let client = builder.clone().build()?;
    let json_client = builder.binding(Binding::Json).build()?;
    let mut tour = Tour {
        text: String::new(),
        passed: 0,
        steps: 0,
        shown_exchange: false,
    };
    let _ = writeln!(
        tour.text,
        "Simulator listening on {} (merchant {DEMO_MERCHANT_ID}); wallet {wallet}.\n",
        client.wallet_endpoint()
    );

    let visa = [
        ("merchantWalletId", wallet),
        ("cardNumber", "4111111111111111"),
        ("cardExpiryDate", "202812"),
        ("panType", "PAN"),
        ("paymentMeanAlias", "personal"),
    ];
    tour.step(
        "addCard VISA (creates the wallet)",
        "00",
        call(&client, "addCard", &visa),
    )
    .await;
    let mastercard = [
        ("merchantWalletId", wallet),
        ("cardNumber", "5555555555554444"),
        ("cardExpiryDate", "202903"),
    ];
    let second = tour
        .step(
            "addCard Mastercard",
            "00",
            call(&client, "addCard", &mastercard),
        )
        .await;
    let second_id = second
        .map(|r| text(&r.response, "paymentMeanId").to_string())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| "2".into());
    let second_id = second_id.as_str();
    tour.step("addCard VISA again", "94", call(&client, "addCard", &visa))
        .await;
    // A vendor WSDL may lack addDirectDebit: the tour then says so and goes on without it.
    if operation("addDirectDebit").is_ok() {
        let mandate = [
            ("merchantWalletId", wallet),
            ("iban", "FR7630006000011234567890189"),
            ("mandateId", "TOUR-MANDATE-1"),
            ("paymentMeanAlias", "rent"),
        ];
        if let Some(reply) = tour
            .step(
                "addDirectDebit SEPA mandate",
                "00",
                call(&client, "addDirectDebit", &mandate),
            )
            .await
        {
            let _ = writeln!(
                tour.text,
                "       #{} IBAN {}",
                text(&reply.response, "paymentMeanId"),
                text(&reply.response, "maskedPan"),
            );
        }
    } else {
        let _ = writeln!(
            tour.text,
            "skip addDirectDebit: not in the contract this build was made from"
        );
    }
    let lost = [
        ("merchantWalletId", lost_wallet.as_str()),
        ("cardNumber", "4000000000000002"),
        ("cardExpiryDate", "203012"),
    ];
    tour.settled(
        &client,
        "addCard, connection lost after it",
        "addCard",
        &lost,
    )
    .await;
    let the_wallet = [("merchantWalletId", wallet)];
    if let Some(reply) = tour
        .step(
            "getWalletData",
            "00",
            call(&client, "getWalletData", &the_wallet),
        )
        .await
    {
        for mean in sips_wallet::contracts::payment_means(&reply.response) {
            let _ = writeln!(
                tour.text,
                "       #{} {} {} {} {}",
                text(mean, "paymentMeanId"),
                text(mean, "maskedPan"),
                text(mean, "paymentMeanBrand"),
                text(mean, "paymentMeanAlias"),
                text(mean, "mandateId"),
            );
        }
    }
    let second_mean = [("merchantWalletId", wallet), ("paymentMeanId", second_id)];
    let renamed = [
        ("merchantWalletId", wallet),
        ("paymentMeanId", second_id),
        ("paymentMeanAlias", "work"),
    ];
    tour.step(
        &format!("updatePaymentMean #{second_id} alias \"work\""),
        "00",
        call(&client, "updatePaymentMean", &renamed),
    )
    .await;
    if let Some(reply) = tour
        .step(
            &format!("getPaymentMeanData #{second_id}"),
            "00",
            call(&client, "getPaymentMeanData", &second_mean),
        )
        .await
    {
        let alias = reply
            .response
            .get("walletPaymentMeanData")
            .map(|m| text(m, "paymentMeanAlias"))
            .unwrap_or_default();
        let _ = writeln!(tour.text, "       alias is now {alias:?}");
    }
    if let Some(reply) = tour
        .step(
            "getWalletData over JSON (/rs-services)",
            "00",
            call(&json_client, "getWalletData", &the_wallet),
        )
        .await
    {
        let count = sips_wallet::contracts::payment_means(&reply.response).len();
        let _ = writeln!(
            tour.text,
            "       the same {count} payment means, sealed and verified as JSON"
        );
    }
    tour.step(
        "deletePaymentMean #1",
        "00",
        call(
            &client,
            "deletePaymentMean",
            &[("merchantWalletId", wallet), ("paymentMeanId", "1")],
        ),
    )
    .await;
    tour.step("signOff", "00", call(&client, "signOff", &the_wallet))
        .await;
    tour.step(
        "getWalletData after signOff",
        "25",
        call(&client, "getWalletData", &the_wallet),
    )
    .await;

    let in_app = [("sdkOperationName", "ADDCARD"), ("sdkVersion", "2.0.4")];
    if let Some(reply) = tour
        .step(
            "paymentTokenInitialize (In-App, JSON)",
            "00",
            call(&client, "paymentTokenInitialize", &in_app),
        )
        .await
    {
        let key = text(&reply.response, "publicKeyValue");
        let _ = writeln!(
            tour.text,
            "       redirectionUrl {}; publicKeyValue {}… ({} bytes of base64 DER)",
            text(&reply.response, "redirectionUrl"),
            key.chars().take(24).collect::<String>(),
            key.len()
        );
    }

    let _ = writeln!(
        tour.text,
        "\n{} of {} steps gave the expected response code.",
        tour.passed, tour.steps
    );
    drop(simulator);
    Ok(TourReport {
        text: tour.text,
        passed: tour.passed,
        steps: tour.steps,
    })
}
