//! What to attach to a support ticket when a call fails after the bank answered: the exchange as it
//! travelled, card numbers masked. Here the client holds another key than the simulator, so every
//! answer's seal fails to verify.

use sips_wallet::contract::AddCardRequest;
use sips_wallet::simulator::{Simulator, SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID};
use sips_wallet::{SecretKey, WalletClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let simulator =
        Simulator::start(SimulatorConfig::default(), ([127, 0, 0, 1], 0).into()).await?;
    let client = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(SecretKey::new("not-the-simulators-key")?)
        .build()?;
    let error = client
        .add_card(
            AddCardRequest::new()
                .merchant_wallet_id("ticket-1")
                .card_number("4111111111111111")
                .card_expiry_date("203012"),
        )
        .await
        .expect_err("the seals cannot match");
    println!(
        "error: {}\nbank acted: {:?}",
        error.chain(),
        error.delivery()
    );
    if let Some(exchange) = error.exchange() {
        println!(
            "POST {} -> HTTP {} in {:?}",
            exchange.uri, exchange.status, exchange.duration
        );
        println!("--- request (masked)\n{}", exchange.request());
        println!("--- response (masked)\n{}", exchange.response());
    }
    Ok(())
}
