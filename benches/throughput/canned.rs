//! The canned-answer server: this bench binary run as `--canned` in a process of its own.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use sips_wallet::contract::operations;

use crate::CARDS;

/// The canned-answer server: every POST gets the same pre-built, sealed getWalletData answer (10
/// means), read nothing of the request beyond HTTP. Prints its URL, then serves until killed.
pub(crate) async fn canned_server() {
    use sips_wallet::contract::{GetWalletDataOutput, WalletPaymentMeanData};
    use sips_wallet::message::Message;
    use sips_wallet::seal;
    let mut answer = GetWalletDataOutput::new()
        .wallet_response_code("00")
        .wallet_creation_date_time("2026-12-01T10:00:00+01:00");
    for (i, card) in CARDS.iter().enumerate() {
        answer.wallet_payment_mean_data_list.push(
            WalletPaymentMeanData::new()
                .payment_mean_id((i + 1).to_string())
                .masked_pan(sips_wallet::mask::mask_pan(card))
                .pan_expiry_date("203001"),
        );
    }
    let key = sips_wallet::SecretKey::new(sips_wallet::simulator::DEMO_SECRET_KEY).expect("key");
    answer.seal =
        Some(seal::compute(seal::Algorithm::HmacSha256, &key, &answer.seal_data()).into());
    let body = Bytes::from(
        sips_wallet::envelope::write_response::<operations::GetWalletData>(&answer)
            .expect("answer"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!(
        "canned on http://{}/services/v2/wallet",
        listener.local_addr().expect("addr")
    );
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let body = body.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let body = body.clone();
                    async move {
                        // Read the request to its end, as any server must, and answer.
                        let _ = request.into_body().collect().await;
                        let mut response = hyper::Response::new(Full::new(body));
                        response.headers_mut().insert(
                            "content-type",
                            http::HeaderValue::from_static("text/xml; charset=utf-8"),
                        );
                        Ok::<_, std::convert::Infallible>(response)
                    }
                },
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The canned server in a process of its own (on one thread with `one_thread`, else on the
/// runtime's usual threads): its URL and its process.
pub(crate) fn start_canned_with(one_thread: bool) -> (String, std::process::Child) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(std::env::current_exe().expect("this binary"))
        .arg("--canned")
        .args(one_thread.then_some("--one-thread"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the canned server");
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("its URL");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .and_then(|u| u.strip_suffix("/services/v2/wallet"))
        .unwrap_or_else(|| panic!("no URL: {first}"))
        .to_string();
    (url, child)
}

/// The canned server on the runtime's usual threads, as the client's floor.
pub(crate) fn start_canned() -> (String, std::process::Child) {
    start_canned_with(false)
}
