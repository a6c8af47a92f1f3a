//! Attacks on the one reading of a message, over loopback: a server in the middle replaying and
//! editing sealed answers, a client sending edited requests to the simulator, and inputs built to
//! exhaust the reader. None may give a typed value the seal did not cover, abort, or stall.

mod common;

use common::{raw_request, sign_off_response, Action, TestServer, KEY};
use sips_wallet::contract::{
    self, operations, AddCardRequest, GetWalletDataRequest, SignOffRequest,
    UpdatePaymentMeanRequest, WalletPaymentMeanData,
};
use sips_wallet::envelope::{self, EnvelopeError};
use sips_wallet::message::Message;
use sips_wallet::simulator::SimulatorConfig;
use sips_wallet::{seal, Error, SecretKey, Verification, WalletClient};

fn client(url: &str) -> WalletClient {
    common::builder(url).build().unwrap()
}

fn sign_off() -> SignOffRequest {
    SignOffRequest::new().merchant_wallet_id("W1")
}

/// Serves `body` to one signOff call and returns what the client made of it.
async fn sign_off_against(
    body: String,
) -> Result<sips_wallet::Reply<contract::SignOffOutput>, Error> {
    let server = TestServer::start(move |_| Action::Respond(200, body.clone())).await;
    client(&server.url).sign_off(sign_off()).await
}

/// A sealed answer saying 25 (wallet unknown), edited by inserting `insert` after `anchor`.
fn edited(anchor: &str, insert: &str) -> String {
    let sealed = sign_off_response("25", Some(KEY));
    let at = sealed.find(anchor).unwrap() + anchor.len();
    format!("{}{insert}{}", &sealed[..at], &sealed[at..])
}

/// The sealed answer with `content` in its SOAP Header (declaring the contract's prefix).
fn in_header(content: &str) -> String {
    let header = format!(
        r#"<soapenv:Header><h xmlns:urn="urn:sips:cn:contract:office:wallet:v2">{content}</h></soapenv:Header>"#
    );
    sign_off_response("25", Some(KEY)).replace("<soapenv:Header/>", &header)
}

fn envelope_error(result: Result<impl std::fmt::Debug, Error>) -> EnvelopeError {
    match result {
        Err(Error::Envelope { error, .. }) => error,
        other => panic!("expected an envelope error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_untouched_sealed_answer_is_verified() {
    let reply = sign_off_against(sign_off_response("25", Some(KEY)))
        .await
        .unwrap();
    assert_eq!(reply.code.as_deref(), Some("25"));
    assert_eq!(reply.verification, Verification::Verified);
}

#[tokio::test]
async fn a_forged_second_output_is_refused() {
    let forged = edited(
        "</urn:output>",
        "<urn:output><urn:walletResponseCode>00</urn:walletResponseCode></urn:output>",
    );
    let error = envelope_error(sign_off_against(forged).await);
    assert!(
        matches!(error, EnvelopeError::SecondElement { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_second_response_code_in_the_output_is_refused() {
    let forged = edited(
        "<urn:output>",
        "<urn:walletResponseCode>00</urn:walletResponseCode>",
    );
    let error = envelope_error(sign_off_against(forged).await);
    assert!(
        matches!(&error, EnvelopeError::RepeatedField { field } if field == "walletResponseCode"),
        "{error}"
    );
}

#[tokio::test]
async fn a_decoy_element_in_body_is_refused() {
    let decoy = r#"<urn:signOffResponse xmlns:urn="urn:sips:cn:contract:office:wallet:v2"><urn:output><urn:walletResponseCode>00</urn:walletResponseCode></urn:output></urn:signOffResponse>"#;
    let forged = edited("<soapenv:Body>", decoy);
    let error = envelope_error(sign_off_against(forged).await);
    assert!(
        matches!(error, EnvelopeError::SecondElement { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_contract_field_in_another_namespace_is_refused() {
    let forged = edited(
        "<urn:output>",
        r#"<x:walletActionDateTime xmlns:x="urn:evil">2030-01-01T00:00:00Z</x:walletActionDateTime>"#,
    );
    let error = envelope_error(sign_off_against(forged).await);
    assert!(
        matches!(error, EnvelopeError::ForeignElement { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn text_mixed_with_fields_is_refused() {
    let forged = edited("<urn:output>", "00");
    let error = envelope_error(sign_off_against(forged).await);
    assert!(
        matches!(error, EnvelopeError::MixedContent { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn an_unknown_field_is_sealed_and_visible() {
    let key = SecretKey::new(KEY).unwrap();
    let mut response = contract::SignOffOutput::new().wallet_response_code("00");
    response.unknown_fields.push("walletNewField", "v2");
    response.seal =
        Some(seal::compute(seal::Algorithm::HmacSha256, &key, &response.seal_data()).into());
    let body = envelope::write_response::<operations::SignOff>(&response).unwrap();
    assert!(body.contains("<urn:walletNewField>v2</urn:walletNewField>"));

    let reply = sign_off_against(body.clone()).await.unwrap();
    assert_eq!(reply.verification, Verification::Verified);
    assert_eq!(
        reply.response.unknown_fields.get("walletNewField"),
        Some("v2")
    );

    // The same answer with the unknown field changed no longer matches its seal.
    let tampered = body.replace(">v2<", ">v3<");
    assert!(matches!(
        sign_off_against(tampered).await,
        Err(Error::SealMismatch { .. })
    ));
}

#[tokio::test]
async fn extra_payment_means_in_a_sealed_wallet_break_the_seal() {
    let key = SecretKey::new(KEY).unwrap();
    let mut response = contract::GetWalletDataOutput::new().wallet_response_code("00");
    response.wallet_payment_mean_data_list.push(
        WalletPaymentMeanData::new()
            .payment_mean_id("1")
            .masked_pan("4111##########11"),
    );
    response.seal =
        Some(seal::compute(seal::Algorithm::HmacSha256, &key, &response.seal_data()).into());
    let sealed = envelope::write_response::<operations::GetWalletData>(&response).unwrap();
    let extra = "<urn:walletPaymentMeanDataList><urn:paymentMeanId>9</urn:paymentMeanId><urn:maskedPan>5555##########44</urn:maskedPan></urn:walletPaymentMeanDataList>";
    let forged = sealed.replace(
        "</urn:walletPaymentMeanDataList>",
        &format!("</urn:walletPaymentMeanDataList>{extra}{extra}"),
    );

    let server = TestServer::start(move |_| Action::Respond(200, forged.clone())).await;
    let result = client(&server.url)
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1"))
        .await;
    assert!(
        matches!(result, Err(Error::SealMismatch { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_list_in_a_shape_the_contract_does_not_describe_is_refused() {
    // Items wrapped one level deeper than the schema says: an error, never an empty list.
    let body = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><getWalletDataResponse xmlns="urn:sips:cn:contract:office:wallet:v2"><output><walletResponseCode>00</walletResponseCode><walletPaymentMeanDataList><walletPaymentMeanData><paymentMeanId>1</paymentMeanId></walletPaymentMeanData></walletPaymentMeanDataList><seal>00</seal></output></getWalletDataResponse></soap:Body></soap:Envelope>"#;
    let server = TestServer::start(move |_| Action::Respond(200, body.into())).await;
    let result = client(&server.url)
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1"))
        .await;
    assert!(
        matches!(
            result,
            Err(Error::Envelope {
                error: EnvelopeError::ElementInText { .. },
                ..
            })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn deep_nesting_is_a_typed_error_for_the_client_and_the_simulator() {
    let depth = 100_000;
    let deep = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    // In the Header, which the reader walks to skip it; inside a field it would be refused sooner.
    let response = in_header(&deep);
    let error = envelope_error(sign_off_against(response).await);
    assert!(
        matches!(error, EnvelopeError::TooDeep { limit: 32 }),
        "{error}"
    );

    let simulator = common::simulator(SimulatorConfig::default()).await;
    let request = format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>{deep}</s:Header><s:Body/></s:Envelope>"#
    );
    let (status, body) = raw_request(
        simulator.local_addr(),
        "POST",
        "/services/v2/wallet",
        "text/xml",
        &request,
    )
    .await;
    assert_eq!(status, 500);
    assert!(body.contains("deeper than 32"), "{body}");
    // Still serving.
    let demo = common::demo_client(&simulator);
    assert!(demo.sign_off(sign_off()).await.is_ok());
}

#[tokio::test]
async fn a_namespace_declaration_blow_up_is_refused() {
    let declarations: String = (0..4_000)
        .map(|i| format!(r#" xmlns:n{i}="urn:n{i}""#))
        .collect();
    let siblings = "<urn:x/>".repeat(40_000);
    let response = in_header(&format!("<urn:blob{declarations}>{siblings}</urn:blob>"));
    let error = envelope_error(sign_off_against(response).await);
    assert!(
        matches!(
            error,
            EnvelopeError::TooManyAttributes { .. } | EnvelopeError::TooManyNamespaces { .. }
        ),
        "{error}"
    );
    // Declarations spread over nested elements, a few each, hit the in-scope limit.
    let nested: String = (0..30)
        .map(|i| format!(r#"<urn:n{i} xmlns:a{i}="urn:a" xmlns:b{i}="urn:b" xmlns:c{i}="urn:c">"#))
        .collect();
    let closing: String = (0..30).rev().map(|i| format!("</urn:n{i}>")).collect();
    let response = in_header(&format!("{nested}{closing}"));
    let error = envelope_error(sign_off_against(response).await);
    assert!(
        matches!(error, EnvelopeError::TooManyNamespaces { limit: 64 }),
        "{error}"
    );
}

#[tokio::test]
async fn too_many_elements_are_refused() {
    let siblings = "<urn:x/>".repeat(30_000);
    let response = in_header(&format!("<urn:blob>{siblings}</urn:blob>"));
    let error = envelope_error(sign_off_against(response).await);
    assert!(
        matches!(error, EnvelopeError::TooManyElements { limit: 20_000 }),
        "{error}"
    );
}

#[tokio::test]
async fn a_byte_order_mark_is_accepted() {
    let with_bom = format!("\u{feff}{}", sign_off_response("00", Some(KEY)));
    let reply = sign_off_against(with_bom).await.unwrap();
    assert_eq!(reply.verification, Verification::Verified);
}

#[tokio::test]
async fn a_spaced_card_number_in_a_fault_or_an_http_body_is_masked() {
    let fault = envelope::write_fault(
        "soapenv:Client",
        "card 4111 1111 1111 1111 refused; detail 4111-1111-1111-1111",
    );
    let error = sign_off_against_status(500, fault).await;
    let shown = format!("{error} {error:?}");
    assert!(matches!(error, Error::Fault { .. }), "{shown}");
    assert!(!shown.contains("1111 1111 1111"), "{shown}");
    assert!(!shown.contains("1111-1111-1111"), "{shown}");
    assert!(shown.contains("4111 #### #### ##11"), "{shown}");

    let html = "<html>503 for 4111-1111-1111-1111 and 4111 1111 1111 1111</html>".to_string();
    let error = sign_off_against_status(503, html).await;
    let shown = format!("{error} {error:?}");
    assert!(matches!(error, Error::Http { status: 503, .. }), "{shown}");
    assert!(
        !shown.contains("1111-1111-1111") && !shown.contains("1111 1111 1111"),
        "{shown}"
    );
}

async fn sign_off_against_status(status: u16, body: String) -> Error {
    let server = TestServer::start(move |_| Action::Respond(status, body.clone())).await;
    client(&server.url).sign_off(sign_off()).await.unwrap_err()
}

#[tokio::test]
async fn a_long_fault_string_is_cut() {
    let fault = envelope::write_fault("soapenv:Server", &"x".repeat(100_000));
    let Error::Fault { fault, .. } = sign_off_against_status(500, fault).await else {
        panic!()
    };
    assert!(fault.string.len() < 1100, "{}", fault.string.len());
}

#[tokio::test]
async fn a_control_character_is_refused_before_sending() {
    let server = TestServer::start(|_| Action::Respond(200, String::new())).await;
    let error = client(&server.url)
        .sign_off(SignOffRequest::new().merchant_wallet_id("W\u{1}1"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidField { field, .. } if field == "merchantWalletId"),
        "{error}"
    );
    assert_eq!(server.requests.load(std::sync::atomic::Ordering::SeqCst), 0);
}

fn add_card(wallet: &str, alias: &str) -> AddCardRequest {
    AddCardRequest::new()
        .merchant_wallet_id(wallet)
        .card_number("4111111111111111")
        .card_expiry_date("202812")
        .payment_mean_alias(alias)
}

#[tokio::test]
async fn text_travels_exactly_spaces_and_line_ends_included() {
    let (_simulator, client) = common::demo_simulator().await;
    let alias = "  pad \r\n & <b> ]]> \t end  ";
    let reply = client.add_card(add_card(" WS1", alias)).await.unwrap();
    assert_eq!(reply.code.as_deref(), Some("00"));
    // " WS1" and "WS1" are two wallets.
    let other = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("WS1"))
        .await
        .unwrap();
    assert_eq!(other.code.as_deref(), Some("25"));
    let wallet = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(" WS1"))
        .await
        .unwrap();
    assert_eq!(wallet.verification, Verification::Verified);
    let means = &wallet.response.wallet_payment_mean_data_list;
    assert_eq!(means[0].payment_mean_alias.as_deref(), Some(alias));
    // The CR travelled as a reference, not raw (a conformant parser would read it as LF).
    assert!(wallet.exchange.response().contains("&#13;"));
}

#[tokio::test]
async fn a_replayed_request_with_a_second_input_changes_nothing() {
    let (simulator, client) = common::demo_simulator().await;
    for wallet in ["VICTIM", "MINE"] {
        client.add_card(add_card(wallet, "a")).await.unwrap();
    }
    // A sealed signOff for MINE, captured, with a second unsealed input naming VICTIM.
    let mut request = SignOffRequest::new().merchant_wallet_id("MINE");
    let captured = client
        .prepare::<operations::SignOff>(&mut request)
        .unwrap()
        .body;
    let second = "<urn:input><urn:merchantWalletId>VICTIM</urn:merchantWalletId></urn:input>";
    let replayed = captured.replacen("</urn:input>", &format!("</urn:input>{second}"), 1);
    let (status, body) = raw_request(
        simulator.local_addr(),
        "POST",
        "/services/v2/wallet",
        "text/xml",
        &replayed,
    )
    .await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("second element"), "{body}");
    for wallet in ["VICTIM", "MINE"] {
        let reply = client
            .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet))
            .await
            .unwrap();
        assert_eq!(reply.code.as_deref(), Some("00"), "{wallet} was touched");
    }
    // A repeated field in the request is refused the same way.
    let repeated = captured.replacen(
        "<urn:merchantWalletId>MINE</urn:merchantWalletId>",
        "<urn:merchantWalletId>MINE</urn:merchantWalletId><urn:merchantWalletId>VICTIM</urn:merchantWalletId>",
        1,
    );
    let (status, body) = raw_request(
        simulator.local_addr(),
        "POST",
        "/services/v2/wallet",
        "text/xml",
        &repeated,
    )
    .await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("more than once"), "{body}");
}

#[tokio::test]
async fn an_alias_update_keeps_its_spaces() {
    let (_simulator, client) = common::demo_simulator().await;
    client.add_card(add_card("W", "x")).await.unwrap();
    let reply = client
        .update_payment_mean(
            UpdatePaymentMeanRequest::new()
                .merchant_wallet_id("W")
                .payment_mean_id("1")
                .payment_mean_alias("  pad  "),
        )
        .await
        .unwrap();
    assert_eq!(reply.code.as_deref(), Some("00"));
    let wallet = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W"))
        .await
        .unwrap();
    assert_eq!(
        wallet.response.wallet_payment_mean_data_list[0]
            .payment_mean_alias
            .as_deref(),
        Some("  pad  ")
    );
}
