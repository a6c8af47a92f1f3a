//! A wallet's life with the blocking client (feature `blocking`): no async in sight.
//!
//! ```sh
//! sips-wallet serve --listen 127.0.0.1:7070 &
//! cargo run --example blocking --features blocking -- http://127.0.0.1:7070
//! ```
//!
//! As the simulator's demo merchant, unless `SIPS_MERCHANT_ID`, `SIPS_KEY_VERSION` and
//! `SIPS_SECRET_KEY` say otherwise.

use sips_wallet::blocking::WalletClient;
use sips_wallet::contract::{AddCardRequest, DeletePaymentMeanRequest, GetWalletDataRequest};
use sips_wallet::SecretKey;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: blocking URL (a simulator's, e.g. http://127.0.0.1:7070)")?;
    let var = |name: &str, demo: &str| std::env::var(name).unwrap_or_else(|_| demo.to_string());
    let client = WalletClient::builder()
        .base_url(url)
        .merchant_id(var("SIPS_MERCHANT_ID", "011223344550000"))
        .key_version(var("SIPS_KEY_VERSION", "1"))
        .secret_key(SecretKey::new(var(
            "SIPS_SECRET_KEY",
            "sips-wallet-simulator-demo-key",
        ))?)
        .build_blocking()?;
    let wallet = format!("BLOCKING-{}", std::process::id());

    let added = client.add_card(
        AddCardRequest::new()
            .merchant_wallet_id(wallet.as_str())
            .card_number("4111111111111111")
            .card_expiry_date("203012"),
    )?;
    println!("addCard: {:?} ({:?})", added.code, added.verification);
    let mean = added
        .response
        .payment_mean_id
        .clone()
        .ok_or("no paymentMeanId")?;

    let held =
        client.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet.as_str()))?;
    println!(
        "getWalletData: {:?}, {} payment mean(s)",
        held.code,
        held.response.wallet_payment_mean_data_list.len()
    );

    let deleted = client.delete_payment_mean(
        DeletePaymentMeanRequest::new()
            .merchant_wallet_id(wallet.as_str())
            .payment_mean_id(mean),
    )?;
    println!("deletePaymentMean: {:?}", deleted.code);

    // Every step answered 00 with a verified seal, or this example fails.
    for (step, code) in [
        ("addCard", &added.code),
        ("getWalletData", &held.code),
        ("deletePaymentMean", &deleted.code),
    ] {
        if code.as_deref() != Some("00") {
            return Err(format!("{step} answered {code:?}").into());
        }
    }
    Ok(())
}
