//! The simulator's merchants (mirrors `simulator::config`): their own keys and algorithms, the demo
//! merchant replaced, a key rotation.

mod common;

use sips_wallet::contract::{AddCardRequest, GetWalletDataRequest, SignOffRequest};
use sips_wallet::seal::Algorithm;
use sips_wallet::simulator::{Merchant, SimulatorConfig, DEMO_MERCHANT_ID, DEMO_SECRET_KEY};
use sips_wallet::{Error, SecretKey, Verification, WalletClient};

use common::{add_card, code_of, merchant_client};

fn merchant(id: &str, version: &str, key: &str) -> Merchant {
    Merchant {
        id: id.into(),
        key_version: version.into(),
        key: SecretKey::new(key).unwrap(),
    }
}

#[tokio::test]
async fn another_merchant_with_its_own_key_and_sha512() {
    let simulator = common::simulator(SimulatorConfig::default().merchant(Merchant {
        id: "022".into(),
        key_version: "3".into(),
        key: SecretKey::new("other-key").unwrap(),
    }))
    .await;
    let client = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id("022")
        .key_version("3")
        .secret_key(SecretKey::new("other-key").unwrap())
        .seal_algorithm(Algorithm::HmacSha512)
        .build()
        .unwrap();
    let reply = client
        .add_card(
            AddCardRequest::new()
                .merchant_wallet_id("M2")
                .card_number("5555555555554444")
                .card_expiry_date("203001"),
        )
        .await
        .unwrap();
    assert!(reply.is_success());
    assert_eq!(reply.verification, sips_wallet::Verification::Verified);
}

#[tokio::test]
async fn a_merchant_with_the_demo_id_replaces_the_demo_key() {
    let simulator = common::simulator(SimulatorConfig::default().merchant(merchant(
        DEMO_MERCHANT_ID,
        "1",
        "my-own-key",
    )))
    .await;
    let own = merchant_client(&simulator, DEMO_MERCHANT_ID, "1", "my-own-key");
    let demo = merchant_client(&simulator, DEMO_MERCHANT_ID, "1", DEMO_SECRET_KEY);
    let wallet = GetWalletDataRequest::new().merchant_wallet_id("W");
    assert_eq!(
        code_of(own.get_wallet_data(wallet.clone()).await).await,
        ("25".into(), Verification::Verified)
    );
    // The demo key no longer seals for this merchant: 34, sealed with the merchant's own key,
    // which the demo client cannot verify: the bank refused its seal.
    assert!(matches!(
        demo.get_wallet_data(wallet).await,
        Err(Error::SealRefused { .. })
    ));
}

#[tokio::test]
async fn several_key_versions_of_one_merchant_simulate_a_rotation() {
    let simulator = common::simulator(
        SimulatorConfig::default()
            .merchant(merchant("002001000000001", "1", "old-key"))
            .merchant(merchant("002001000000001", "2", "new-key")),
    )
    .await;
    let old = merchant_client(&simulator, "002001000000001", "1", "old-key");
    let new = merchant_client(&simulator, "002001000000001", "2", "new-key");
    assert_eq!(
        code_of(old.add_card(add_card("ROT", "4111111111111111")).await).await,
        ("00".into(), Verification::Verified)
    );
    // Both versions see the same wallets.
    let data = new
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("ROT"))
        .await
        .unwrap();
    assert_eq!(
        (data.code.as_deref(), data.verification),
        (Some("00"), Verification::Verified)
    );
    assert_eq!(data.response.wallet_payment_mean_data_list.len(), 1);
    // A version the merchant has no key for.
    let unknown = merchant_client(&simulator, "002001000000001", "3", "new-key");
    let reply = unknown
        .sign_off(SignOffRequest::new().merchant_wallet_id("ROT"))
        .await
        .unwrap();
    assert_eq!(
        (
            reply.code.as_deref(),
            reply.response.error_field_name.as_deref(),
            reply.verification
        ),
        (Some("34"), Some("keyVersion"), Verification::Unsealed)
    );
}
