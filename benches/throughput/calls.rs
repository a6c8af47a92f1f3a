//! One call of each side: the client (filling, sealing, writing, reading, verifying) and the bare
//! hyper-util loop posting a pre-built envelope.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sips_wallet::contract::GetWalletDataRequest;
use sips_wallet::{Verification, WalletClient};

use crate::common;
use crate::WALLET;

pub(crate) fn client(url: &str) -> WalletClient {
    common::demo_client(url, Duration::from_secs(60))
}

pub(crate) type Bare = Client<HttpConnector, Full<Bytes>>;

/// The bare loop's client: hyper-util over plain TCP with the client's socket options
/// (`TCP_NODELAY`), so the two differ only in what the client does above hyper.
pub(crate) fn bare_client() -> Bare {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).build(connector)
}

pub(crate) async fn bare_call(bare: Bare, uri: http::Uri, body: Bytes) -> bool {
    let request = http::Request::post(uri)
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", "\"\"")
        .body(Full::new(body))
        .expect("request");
    match bare.request(request).await {
        Ok(response) => response.into_body().collect().await.is_ok(),
        Err(_) => false,
    }
}

pub(crate) async fn client_call(client: WalletClient) -> bool {
    client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(WALLET))
        .await
        .is_ok_and(|r| {
            r.is_success()
                && r.verification == Verification::Verified
                && r.response.wallet_payment_mean_data_list.len() == 10
        })
}
