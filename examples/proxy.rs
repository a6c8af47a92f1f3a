//! Behind an outbound proxy. By default the client reads `HTTPS_PROXY`/`NO_PROXY` as curl does;
//! `.proxy(url)` names one whatever the environment says, credentials included (sent to the proxy
//! only, never logged). HTTPS goes through a CONNECT tunnel: TLS to the bank end to end.
//!
//! `PROXY=http://user:password@proxy.example:3128 cargo run --example proxy`

use sips_wallet::contract::SignOffRequest;
use sips_wallet::{Environment, SecretKey, WalletClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = WalletClient::builder()
        .environment(Environment::SogenactifTest)
        .merchant_id(std::env::var("SIPS_MERCHANT_ID").unwrap_or_else(|_| "002001000000001".into()))
        .key_version(std::env::var("SIPS_KEY_VERSION").unwrap_or_else(|_| "1".into()))
        .secret_key(SecretKey::new(
            std::env::var("SIPS_SECRET_KEY").unwrap_or_else(|_| "002001000000001_KEY1".into()),
        )?);
    if let Ok(proxy) = std::env::var("PROXY") {
        builder = builder.proxy(proxy);
    }
    let client = builder.build()?;
    match client
        .sign_off(SignOffRequest::new().merchant_wallet_id("no-such-wallet"))
        .await
    {
        Ok(reply) => println!("answered {:?}", reply.code),
        Err(error) => println!("{} ({:?})", error.chain(), error.delivery()),
    }
    Ok(())
}
