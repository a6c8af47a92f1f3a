//! The simulator as a test double in your own tests: your key, a scenario that makes one wallet
//! fail, and assertions on what your code would see. Copy this into a `#[tokio::test]`.

use sips_wallet::contract::{AddCardRequest, GetWalletDataRequest};
use sips_wallet::simulator::{Merchant, Scenario, Simulator, SimulatorConfig};
use sips_wallet::{SecretKey, Verification, WalletClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let merchant = Merchant {
        id: "002001000000001".into(),
        key_version: "1".into(),
        key: SecretKey::new("my-test-key")?,
    };
    let scenario = Scenario::from_toml(
        r#"
        [[rule]]
        wallet_prefix = "BROKEN-"
        answer = "99"
        "#,
    )?;
    let simulator = Simulator::start(
        SimulatorConfig::default()
            .merchant(merchant)
            .scenario(scenario),
        ([127, 0, 0, 1], 0).into(),
    )
    .await?;
    let client = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id("002001000000001")
        .key_version("1")
        .secret_key(SecretKey::new("my-test-key")?)
        .build()?;

    let added = client
        .add_card(
            AddCardRequest::new()
                .merchant_wallet_id("customer-1")
                .card_number("4111111111111111")
                .card_expiry_date("203012"),
        )
        .await?;
    assert!(added.is_success() && added.verification == Verification::Verified);

    let broken = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("BROKEN-1"))
        .await?;
    assert_eq!(broken.code.as_deref(), Some("99"));
    println!(
        "addCard {:?}, the broken wallet {:?}",
        added.code, broken.code
    );
    simulator.shutdown(std::time::Duration::from_secs(5)).await;
    Ok(())
}
