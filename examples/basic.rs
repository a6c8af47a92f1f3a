//! One call, as a merchant's back end makes it.
//!
//! With `SIPS_MERCHANT_ID`, `SIPS_KEY_VERSION` and `SIPS_SECRET_KEY` set, it calls the Sogenactif
//! test platform; without them, a simulator started here, so `cargo run --example basic` works
//! anywhere.

use sips_wallet::contract::GetWalletDataRequest;
use sips_wallet::simulator::{Simulator, SimulatorConfig};
use sips_wallet::{Environment, SecretKey, WalletClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut local = None;
    let builder = match (
        std::env::var("SIPS_MERCHANT_ID"),
        std::env::var("SIPS_KEY_VERSION"),
        std::env::var("SIPS_SECRET_KEY"),
    ) {
        (Ok(merchant), Ok(version), Ok(key)) => WalletClient::builder()
            .environment(Environment::SogenactifTest)
            .merchant_id(merchant)
            .key_version(version)
            .secret_key(SecretKey::new(key)?),
        _ => {
            let simulator =
                Simulator::start(SimulatorConfig::default(), ([127, 0, 0, 1], 0).into()).await?;
            let builder = WalletClient::builder()
                .base_url(simulator.base_url())
                .merchant_id(sips_wallet::simulator::DEMO_MERCHANT_ID)
                .key_version(sips_wallet::simulator::DEMO_KEY_VERSION)
                .secret_key(SecretKey::new(sips_wallet::simulator::DEMO_SECRET_KEY)?);
            local = Some(simulator);
            builder
        }
    };
    let client = builder.build()?;
    let reply = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("wallet-42"))
        .await?;
    println!(
        "{} {} (seal {:?})",
        reply.code.as_deref().unwrap_or("?"),
        reply.code_meaning.unwrap_or(""),
        reply.verification
    );
    for mean in &reply.response.wallet_payment_mean_data_list {
        println!("  {:?}", mean);
    }
    drop(local);
    Ok(())
}
