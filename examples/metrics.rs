//! Call metrics (feature `metrics`): a short wallet life against a simulator, then what a
//! Prometheus scrape would read, from `metrics-exporter-prometheus`.
//!
//! ```sh
//! sips-wallet serve --listen 127.0.0.1:7070 &
//! cargo run --example metrics --features metrics -- http://127.0.0.1:7070
//! ```

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use sips_wallet::contract::{AddCardRequest, GetWalletDataRequest};
use sips_wallet::metrics::{Metrics, ATTEMPT_DURATION, CALL_DURATION, DURATION_BUCKETS};
use sips_wallet::{SecretKey, WalletClient};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: metrics URL (a simulator's, e.g. http://127.0.0.1:7070)")?;
    // The exporter, with OpenTelemetry's buckets for the two duration histograms.
    let prometheus = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(CALL_DURATION.into()), DURATION_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(ATTEMPT_DURATION.into()), DURATION_BUCKETS)?
        .install_recorder()?;

    let client = WalletClient::builder()
        .base_url(url)
        .merchant_id("011223344550000")
        .key_version("1")
        .secret_key(SecretKey::new("sips-wallet-simulator-demo-key")?)
        .observer(Metrics::new())
        .build()?;
    let wallet = format!("METRICS-{}", std::process::id());
    let added = client
        .add_card(
            AddCardRequest::new()
                .merchant_wallet_id(wallet.as_str())
                .card_number("4111111111111111")
                .card_expiry_date("203012"),
        )
        .await?;
    let held = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet.as_str()))
        .await?;
    // A wallet that does not exist: answered 25.
    let unknown = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("NO-SUCH-WALLET"))
        .await?;
    eprintln!(
        "addCard {:?}, getWalletData {:?}, getWalletData of an unknown wallet {:?}",
        added.code, held.code, unknown.code
    );

    let scraped = prometheus.render();
    print!("{scraped}");
    // What a dashboard needs is there: calls by method and outcome, and a latency histogram.
    let needed = [
        r#"sips_wallet_client_calls{rpc_method="WalletService/addCard",sips_binding="soap",sips_outcome="00"} 1"#,
        r#"sips_outcome="25""#,
        r#"rpc_client_call_duration_bucket{rpc_system_name="sips",rpc_method="WalletService/getWalletData","#,
        r#"sips_binding="soap",rpc_response_status_code="25",le="#,
        r#"rpc_client_attempt_duration_count{rpc_system_name="sips",rpc_method="WalletService/addCard","#,
    ];
    for line in needed {
        if !scraped.contains(line) {
            return Err(format!("the scrape lacks {line}").into());
        }
    }
    Ok(())
}
