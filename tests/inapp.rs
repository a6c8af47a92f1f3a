//! Sips In-App paymentTokenInitialize: JSON requests pinned, the client against the simulator and
//! against servers that answer badly.

mod common;

use common::{Action, TestServer, KEY, MERCHANT};
use sips_wallet::inapp::{
    operations, PaymentTokenInitializeRequest, PaymentTokenInitializeResponse, SdkOperationName,
};
use sips_wallet::message::Message;
use sips_wallet::seal::{self, Algorithm};
use sips_wallet::simulator::{Simulator, DEMO_MERCHANT_ID, DEMO_SECRET_KEY};
use sips_wallet::{Error, SecretKey, Verification, WalletClient};

fn request(operation: SdkOperationName) -> PaymentTokenInitializeRequest {
    PaymentTokenInitializeRequest::new()
        .sdk_operation_name(operation)
        .sdk_version("2.0.4")
}

fn client(url: &str, key: &str) -> WalletClient {
    WalletClient::builder()
        .base_url(url)
        .merchant_id(MERCHANT)
        .key_version("1")
        .secret_key(SecretKey::new(key).unwrap())
        .build()
        .unwrap()
}

#[test]
fn request_json_is_pinned_for_each_sdk_operation() {
    let client = client("http://127.0.0.1:1", KEY);
    for operation in SdkOperationName::KNOWN {
        let mut r = request(operation.clone());
        let prepared = client
            .prepare::<operations::PaymentTokenInitialize>(&mut r)
            .unwrap();
        assert_eq!(prepared.content_type, "application/json");
        assert!(prepared
            .uri
            .ends_with("/rs-services/v2/tokenInApp/paymentTokenInitialize"));
        insta::assert_snapshot!(
            format!("inapp_request_{}", operation.as_str()),
            prepared.body
        );
    }
}

#[tokio::test]
async fn against_the_simulator() {
    let (simulator, client) = common::demo_simulator().await;

    let reply = client
        .payment_token_initialize(request(SdkOperationName::Addcard))
        .await
        .unwrap();
    assert!(reply.is_success(), "{:?}", reply.code);
    assert_eq!(reply.verification, Verification::Verified);
    assert_eq!(reply.code_meaning, Some("Transaction initialized."));
    let response = reply.response;
    assert!(response
        .redirection_url
        .unwrap()
        .starts_with(&simulator.base_url()));
    // A real public key: base64 of a DER SubjectPublicKeyInfo (a SEQUENCE).
    let key = response.public_key_value.unwrap();
    let der = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(&key)
            .unwrap()
    };
    assert_eq!(der[0], 0x30, "DER SEQUENCE");
    assert!(der.len() > 64);

    // A field missing on the wire (the client would refuse to send it): hand-made JSON.
    let mut body = serde_json::json!({
        "merchantId": DEMO_MERCHANT_ID, "interfaceVersion": "IR_MB_2.55", "keyVersion": "1", "sdkVersion": "2.0.4"
    });
    let value = seal::Value::from_json(&body);
    let seal = seal::compute(
        Algorithm::HmacSha256,
        &SecretKey::new(DEMO_SECRET_KEY).unwrap(),
        &value.seal_data(),
    );
    body["seal"] = seal.into();
    let answer = post_json(&simulator, &body.to_string()).await;
    assert_eq!(answer["redirectionStatusCode"], "12");
    assert!(answer["redirectionStatusMessage"]
        .as_str()
        .unwrap()
        .contains("sdkOperationName"));

    body["sdkOperationName"] = "ADDCARD".into();
    let answer = post_json(&simulator, &body.to_string()).await;
    assert_eq!(
        answer["redirectionStatusCode"], "34",
        "the seal no longer covers the fields"
    );
}

async fn post_json(simulator: &Simulator, body: &str) -> serde_json::Value {
    let path = "/rs-services/v2/tokenInApp/paymentTokenInitialize";
    let (_, answer) = common::raw_request(
        simulator.local_addr(),
        "POST",
        path,
        "application/json",
        body,
    )
    .await;
    serde_json::from_str(&answer).unwrap()
}

fn sealed_json(code: &str, key: &str) -> String {
    let mut response = PaymentTokenInitializeResponse::default();
    response.set_text("redirectionStatusCode", code).unwrap();
    response
        .set_text("redirectionUrl", "https://x/next")
        .unwrap();
    response.seal = seal::compute(
        Algorithm::HmacSha256,
        &SecretKey::new(key).unwrap(),
        &response.seal_data(),
    )
    .into();
    serde_json::to_string(&response).unwrap()
}

#[tokio::test]
async fn an_unknown_status_code_is_kept_raw() {
    let body = sealed_json("42", KEY);
    let server = TestServer::start(move |_| Action::Respond(200, body.clone())).await;
    let reply = client(&server.url, KEY)
        .payment_token_initialize(request(SdkOperationName::Cardorder))
        .await
        .unwrap();
    assert_eq!(reply.code.as_deref(), Some("42"));
    assert_eq!(reply.code_meaning, None);
    let code = reply.response.redirection_status_code.unwrap();
    assert!(!code.is_known());
    assert_eq!(code.as_str(), "42");
}

#[tokio::test]
async fn a_wrong_seal_is_refused() {
    let body = sealed_json("00", "another key");
    let server = TestServer::start(move |_| Action::Respond(200, body.clone())).await;
    let error = client(&server.url, KEY)
        .payment_token_initialize(request(SdkOperationName::Addcard))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::SealMismatch {
                operation: "paymentTokenInitialize",
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_typed_error() {
    let server = TestServer::start(|_| Action::Respond(200, "<html>oops</html>".into())).await;
    let error = client(&server.url, KEY)
        .payment_token_initialize(request(SdkOperationName::Addcard))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Json { .. }), "{error}");
}

#[test]
fn a_missing_required_field_is_refused_before_sending() {
    let mut r = PaymentTokenInitializeRequest::new().sdk_version("2.0.4");
    let error = client("http://127.0.0.1:1", KEY)
        .prepare::<operations::PaymentTokenInitialize>(&mut r)
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidField { field, .. } if field == "sdkOperationName"),
        "{error}"
    );
}
