//! The guided tour: `sips-wallet` with no arguments. Starts the simulator on a loopback port and walks
//! a wallet through its life with the real client over real HTTP, checking each response code.

use std::fmt::Write as _;
use std::future::Future;

use sips_wallet::contract::{
    AddCardRequest, DeletePaymentMeanRequest, GetPaymentMeanDataRequest, GetWalletDataRequest,
    PanType, SignOffRequest, UpdatePaymentMeanRequest,
};
use sips_wallet::simulator::{
    Simulator, SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
};
use sips_wallet::{Error, Reply, SecretKey, Verification, WalletClient};

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

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("       {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the tour against a simulator it starts on 127.0.0.1.
pub async fn run() -> Result<TourReport, Error> {
    let simulator = Simulator::start(SimulatorConfig::default(), ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| Error::Config(format!("cannot start the simulator: {e}")))?;
    let builder = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(SecretKey::new(DEMO_SECRET_KEY).map_err(|e| Error::Config(e.to_string()))?);
    let client = builder.clone().build()?;
    let json_client = builder.binding(sips_wallet::Binding::Json).build()?;
    let wallet = format!("TOUR-{}", std::process::id());
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

    let visa = AddCardRequest::new()
        .merchant_wallet_id(&wallet)
        .card_number("4111111111111111")
        .card_expiry_date("202812")
        .pan_type(PanType::Pan)
        .payment_mean_alias("personal");
    tour.step(
        "addCard VISA (creates the wallet)",
        "00",
        client.add_card(visa.clone()),
    )
    .await;
    let mastercard = AddCardRequest::new()
        .merchant_wallet_id(&wallet)
        .card_number("5555555555554444")
        .card_expiry_date("202903");
    let second = tour
        .step("addCard Mastercard", "00", client.add_card(mastercard))
        .await;
    let second_id = second
        .and_then(|r| r.response.payment_mean_id)
        .unwrap_or_else(|| "2".into());
    tour.step("addCard VISA again", "94", client.add_card(visa))
        .await;
    if let Some(reply) = tour
        .step(
            "getWalletData",
            "00",
            client.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(&wallet)),
        )
        .await
    {
        for mean in &reply.response.wallet_payment_mean_data_list {
            let _ = writeln!(
                tour.text,
                "       #{} {} {} {}",
                mean.payment_mean_id.as_deref().unwrap_or("?"),
                mean.masked_pan.as_deref().unwrap_or("?"),
                mean.payment_mean_brand
                    .as_ref()
                    .map(|b| b.as_str())
                    .unwrap_or("-"),
                mean.payment_mean_alias.as_deref().unwrap_or("")
            );
        }
    }
    tour.step(
        &format!("updatePaymentMean #{second_id} alias \"work\""),
        "00",
        client.update_payment_mean(
            UpdatePaymentMeanRequest::new()
                .merchant_wallet_id(&wallet)
                .payment_mean_id(&second_id)
                .payment_mean_alias("work"),
        ),
    )
    .await;
    if let Some(reply) = tour
        .step(
            &format!("getPaymentMeanData #{second_id}"),
            "00",
            client.get_payment_mean_data(
                GetPaymentMeanDataRequest::new()
                    .merchant_wallet_id(&wallet)
                    .payment_mean_id(&second_id),
            ),
        )
        .await
    {
        let alias = reply
            .response
            .wallet_payment_mean_data
            .and_then(|m| m.payment_mean_alias);
        let _ = writeln!(
            tour.text,
            "       alias is now {:?}",
            alias.unwrap_or_default()
        );
    }
    if let Some(reply) = tour
        .step(
            "getWalletData over JSON (/rs-services)",
            "00",
            json_client.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(&wallet)),
        )
        .await
    {
        let _ = writeln!(
            tour.text,
            "       the same {} payment means, sealed and verified as JSON",
            reply.response.wallet_payment_mean_data_list.len()
        );
    }
    tour.step(
        "deletePaymentMean #1",
        "00",
        client.delete_payment_mean(
            DeletePaymentMeanRequest::new()
                .merchant_wallet_id(&wallet)
                .payment_mean_id("1"),
        ),
    )
    .await;
    tour.step(
        "signOff",
        "00",
        client.sign_off(SignOffRequest::new().merchant_wallet_id(&wallet)),
    )
    .await;
    tour.step(
        "getWalletData after signOff",
        "25",
        client.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(&wallet)),
    )
    .await;

    let in_app = sips_wallet::inapp::PaymentTokenInitializeRequest::new()
        .sdk_operation_name(sips_wallet::inapp::SdkOperationName::Addcard)
        .sdk_version("2.0.4");
    if let Some(reply) = tour
        .step(
            "paymentTokenInitialize (In-App, JSON)",
            "00",
            client.payment_token_initialize(in_app),
        )
        .await
    {
        let key = reply.response.public_key_value.unwrap_or_default();
        let _ = writeln!(
            tour.text,
            "       redirectionUrl {}; publicKeyValue {}… ({} bytes of base64 DER)",
            reply.response.redirection_url.unwrap_or_default(),
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
