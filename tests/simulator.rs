//! The bank's handling of a request (mirrors `simulator::requests`, `checks`, `respond`,
//! `functions`): envelopes in other SOAP clients' styles, the bank's checks and their codes, broken
//! requests, the published WSDL, every function over SOAP and JSON with the client.

mod common;

use sips_wallet::contract::{
    AddCardRequest, DeletePaymentMeanRequest, GetWalletDataRequest, SignOffRequest,
};
use sips_wallet::seal::{self, Algorithm, Value};
use sips_wallet::simulator::{
    Simulator, SimulatorConfig, DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY,
};
use sips_wallet::{envelope, Error, SecretKey, WalletClient};

use common::demo_client;

/// A raw HTTP/1.1 POST (no SOAPAction header, as some clients send), returning status and body.
async fn post(simulator: &Simulator, body: &str) -> (u16, String) {
    request(simulator, "POST", "/services/v2/wallet", body).await
}

async fn request(simulator: &Simulator, method: &str, path: &str, body: &str) -> (u16, String) {
    common::raw_request(simulator.local_addr(), method, path, "text/xml", body).await
}

/// Fields of a request, sealed with the demo key unless `seal` is given.
fn sealed(fields: &[(&str, &str)], seal_override: Option<&str>) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let value = Value::Object(
        all.iter()
            .map(|(k, v)| (k.clone(), Value::Text(v.clone())))
            .collect(),
    );
    let key = SecretKey::new(DEMO_SECRET_KEY).unwrap();
    let seal = seal_override
        .map(str::to_string)
        .unwrap_or_else(|| seal::compute(Algorithm::HmacSha256, &key, &value.seal_data()));
    all.push(("seal".into(), seal));
    all
}

/// The styles other SOAP stacks write: prefix on the body element, prefix on Envelope, default namespace.
fn envelope_in_style(style: &str, operation: &str, fields: &[(String, String)]) -> String {
    const NS: &str = "urn:sips:cn:contract:office:wallet:v2";
    let element = |p: &str| {
        let inner: String = fields
            .iter()
            .map(|(k, v)| {
                format!(
                    "<{p}{k}>{}</{p}{k}>\n  <!-- comment -->\n",
                    quick_xml::escape::escape(v.as_str())
                )
            })
            .collect();
        (
            format!("<{p}{operation}"),
            format!("<{p}input>{inner}</{p}input></{p}{operation}>"),
        )
    };
    match style {
        "ns0" => {
            let (open, rest) = element("ns0:");
            format!(
                r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>{open} xmlns:ns0="{NS}">{rest}</SOAP-ENV:Body></SOAP-ENV:Envelope>"#
            )
        }
        "soapenv-on-envelope" => {
            let (open, rest) = element("urn:");
            format!(
                r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="{NS}"><soapenv:Header/><soapenv:Body>{open}>{rest}</soapenv:Body></soapenv:Envelope>"#
            )
        }
        "default" => {
            let (open, rest) = element("");
            format!(
                r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{open} xmlns="{NS}">{rest}</s:Body></s:Envelope>"#
            )
        }
        _ => unreachable!(),
    }
}

fn code_and_field(body: &str) -> (String, String, bool) {
    let envelope::Content::Message(output) =
        sips_wallet::dynamic::read_wallet_message(body).unwrap()
    else {
        panic!("fault: {body}")
    };
    let key = SecretKey::new(DEMO_SECRET_KEY).unwrap();
    let sealed_ok = output
        .text("seal")
        .is_some_and(|s| seal::verify(Algorithm::HmacSha256, &key, &output.seal_data(), s));
    (
        output
            .text("walletResponseCode")
            .unwrap_or_default()
            .to_string(),
        output
            .text("errorFieldName")
            .unwrap_or_default()
            .to_string(),
        sealed_ok,
    )
}

const BASE: &[(&str, &str)] = &[
    ("merchantId", DEMO_MERCHANT_ID),
    ("interfaceVersion", "WR_WS_2.55"),
    ("keyVersion", DEMO_KEY_VERSION),
];

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    BASE.iter().copied().chain(extra.iter().copied()).collect()
}

#[tokio::test]
async fn every_style_of_envelope_is_understood_and_answered_sealed() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    for (i, style) in ["ns0", "soapenv-on-envelope", "default"].iter().enumerate() {
        let wallet: &'static str = Box::leak(format!("STYLE{i}").into_boxed_str());
        let fields = sealed(
            &with(&[
                ("merchantWalletId", wallet),
                ("cardNumber", "4111111111111111"),
                ("cardExpiryDate", "202812"),
                ("paymentMeanAlias", "a&b"),
            ]),
            None,
        );
        let (status, body) = post(&simulator, &envelope_in_style(style, "addCard", &fields)).await;
        assert_eq!(status, 200, "{style}: {body}");
        assert_eq!(
            code_and_field(&body),
            ("00".into(), String::new(), true),
            "{style}"
        );
    }
}

#[tokio::test]
async fn the_bank_checks_answer_their_codes() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let card = [
        ("merchantWalletId", "CHK"),
        ("cardNumber", "4111111111111111"),
        ("cardExpiryDate", "202812"),
    ];
    // (case, request fields, expected (code, errorFieldName))
    type Case<'a> = (&'a str, Vec<(String, String)>, (&'a str, &'a str));
    let cases: Vec<Case> = vec![
        (
            "wrong seal",
            sealed(&with(&card), Some("00ff")),
            ("34", "seal"),
        ),
        (
            "missing seal",
            with(&card)
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ("34", "seal"),
        ),
        (
            "missing required field",
            sealed(
                &with(&[("merchantWalletId", "CHK"), ("cardExpiryDate", "202812")]),
                None,
            ),
            ("12", "cardNumber"),
        ),
        (
            "bad format",
            sealed(
                &with(&[
                    ("merchantWalletId", "CHK"),
                    ("cardNumber", "4111111111111111"),
                    ("cardExpiryDate", "2028-12"),
                ]),
                None,
            ),
            ("30", "cardExpiryDate"),
        ),
        (
            "field newer than interfaceVersion",
            sealed(
                &[
                    ("merchantId", DEMO_MERCHANT_ID),
                    ("interfaceVersion", "WR_WS_2.30"),
                    ("keyVersion", "1"),
                    ("merchantWalletId", "CHK"),
                    ("cardNumber", "4111111111111111"),
                    ("cardExpiryDate", "202812"),
                    ("panType", "PAN"),
                ],
                None,
            ),
            ("12", "panType"),
        ),
    ];
    for (name, fields, (code, field)) in cases {
        let (status, body) = post(
            &simulator,
            &envelope_in_style("soapenv-on-envelope", "addCard", &fields),
        )
        .await;
        assert_eq!(status, 200, "{name}");
        let (got_code, got_field, sealed_ok) = code_and_field(&body);
        assert_eq!(
            (got_code.as_str(), got_field.as_str()),
            (code, field),
            "{name}"
        );
        assert!(
            sealed_ok,
            "{name}: the answer is sealed with the merchant's key"
        );
    }

    // Unknown merchant: 03, and no seal (the simulator has no key for it).
    let fields = sealed(
        &[
            ("merchantId", "999"),
            ("interfaceVersion", "WR_WS_2.51"),
            ("keyVersion", "1"),
            ("merchantWalletId", "X"),
        ],
        None,
    );
    let (_, body) = post(
        &simulator,
        &envelope_in_style("default", "signOff", &fields),
    )
    .await;
    assert_eq!(code_and_field(&body), ("03".into(), String::new(), false));
}

#[tokio::test]
async fn broken_requests_get_faults_or_413_never_a_hang() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let (status, body) = post(&simulator, "<soapenv:Envelope><unclosed>").await;
    assert_eq!(status, 500);
    assert!(matches!(
        sips_wallet::dynamic::read_wallet_message(&body).unwrap(),
        envelope::Content::Fault(_)
    ));
    let (status, _) = post(&simulator, &"x".repeat(2 << 20)).await;
    assert_eq!(status, 413);
    let doctype = r#"<!DOCTYPE x [<!ENTITY e "e">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>"#;
    assert_eq!(post(&simulator, doctype).await.0, 500);
}

/// A request with a duplicated XML attribute is not well-formed: a Fault, not a 200. The same
/// request without the duplicate is answered.
#[tokio::test]
async fn a_duplicated_attribute_is_refused_as_a_fault() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let client = common::demo_client(&simulator);
    let prepared = client
        .prepare::<sips_wallet::contract::operations::SignOff>(
            &mut SignOffRequest::new().merchant_wallet_id("W1"),
        )
        .unwrap();
    let post = |body: String| {
        let addr = simulator.local_addr();
        async move { common::raw_request(addr, "POST", "/services/v2/wallet", "text/xml", &body).await }
    };
    let (status, answer) = post(prepared.body.clone()).await;
    assert_eq!(status, 200, "{answer}");
    let duplicated =
        prepared
            .body
            .replacen("<soapenv:Envelope ", r#"<soapenv:Envelope a="1" a="2" "#, 1);
    assert_ne!(duplicated, prepared.body);
    let (status, answer) = post(duplicated).await;
    assert_eq!(status, 500, "{answer}");
    assert!(answer.contains("Fault"), "{answer}");
}

#[tokio::test]
async fn the_wsdl_points_at_the_simulator() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let (status, wsdl) = request(&simulator, "GET", "/services/v2/wallet?wsdl", "").await;
    assert_eq!(status, 200);
    assert!(
        wsdl.contains(&format!(
            "location=\"{}/services/v2/wallet\"",
            simulator.base_url()
        )),
        "{wsdl}"
    );
    let (status, xsd) = request(&simulator, "GET", "/services/v2/wallet?xsd=wallet.xsd", "").await;
    assert_eq!(status, 200);
    assert!(xsd.contains("WalletPaymentMeanData"));
}

#[tokio::test]
async fn client_and_simulator_agree_on_every_function_and_code() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let client = demo_client(&simulator);
    let card = |n: &str| {
        AddCardRequest::new()
            .merchant_wallet_id("E2E")
            .card_number(n)
            .card_expiry_date("202812")
    };
    assert_eq!(
        client
            .add_card(card("4111111111111111"))
            .await
            .unwrap()
            .response
            .payment_mean_id
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        client
            .add_card(card("4111111111111111"))
            .await
            .unwrap()
            .code
            .as_deref(),
        Some("94")
    );
    let unknown = client
        .delete_payment_mean(
            DeletePaymentMeanRequest::new()
                .merchant_wallet_id("E2E")
                .payment_mean_id("7"),
        )
        .await
        .unwrap();
    assert_eq!(unknown.code.as_deref(), Some("25"));
    let data = client
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("E2E"))
        .await
        .unwrap();
    assert_eq!(
        data.response.wallet_payment_mean_data_list[0]
            .masked_pan
            .as_deref(),
        Some("4111##########11")
    );
    client
        .sign_off(SignOffRequest::new().merchant_wallet_id("E2E"))
        .await
        .unwrap();
    assert_eq!(
        client
            .sign_off(SignOffRequest::new().merchant_wallet_id("E2E"))
            .await
            .unwrap()
            .code
            .as_deref(),
        Some("25")
    );

    // A keyVersion the merchant has no key for: 34 naming keyVersion, unsealed (no key to seal with).
    let wrong_version = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version("2")
        .secret_key(SecretKey::new(DEMO_SECRET_KEY).unwrap())
        .build()
        .unwrap();
    let reply = wrong_version
        .sign_off(SignOffRequest::new().merchant_wallet_id("E2E"))
        .await
        .unwrap();
    assert_eq!(
        (
            reply.code.as_deref(),
            reply.response.error_field_name.as_deref(),
            reply.verification
        ),
        (
            Some("34"),
            Some("keyVersion"),
            sips_wallet::Verification::Unsealed
        )
    );

    // A wrong key: the answer's seal cannot match ours, so the client refuses it.
    let wrong_key = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(SecretKey::new("not the key").unwrap())
        .build()
        .unwrap();
    let error = wrong_key
        .sign_off(SignOffRequest::new().merchant_wallet_id("E2E"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SealRefused { .. }), "{error}");
}

#[tokio::test]
async fn the_wallet_works_over_json_as_over_soap() {
    let simulator = common::simulator(SimulatorConfig::default()).await;
    let json = WalletClient::builder()
        .base_url(simulator.base_url())
        .merchant_id(DEMO_MERCHANT_ID)
        .key_version(DEMO_KEY_VERSION)
        .secret_key(SecretKey::new(DEMO_SECRET_KEY).unwrap())
        .binding(sips_wallet::Binding::Json)
        .build()
        .unwrap();
    let soap = demo_client(&simulator);
    let added = json
        .add_card(
            AddCardRequest::new()
                .merchant_wallet_id("JSON-1")
                .card_number("4111111111111111")
                .card_expiry_date("202812")
                .payment_mean_alias("a & <b>"),
        )
        .await
        .unwrap();
    assert_eq!(added.code.as_deref(), Some("00"));
    assert_eq!(added.verification, sips_wallet::Verification::Verified);
    assert!(
        added
            .exchange
            .uri
            .ends_with("/rs-services/v2/wallet/addCard"),
        "{}",
        added.exchange.uri
    );
    assert!(added.exchange.request().trim_start().starts_with('{'));
    assert!(!added.exchange.request().contains("4111111111111111"));

    // What JSON wrote, SOAP reads, and the other way round.
    let over_soap = soap
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("JSON-1"))
        .await
        .unwrap();
    let over_json = json
        .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("JSON-1"))
        .await
        .unwrap();
    assert_eq!(over_json.verification, sips_wallet::Verification::Verified);
    assert_eq!(
        over_json.response.wallet_payment_mean_data_list,
        over_soap.response.wallet_payment_mean_data_list
    );
    assert_eq!(
        over_json.response.wallet_payment_mean_data_list[0]
            .payment_mean_alias
            .as_deref(),
        Some("a & <b>")
    );
    let unknown = json
        .sign_off(SignOffRequest::new().merchant_wallet_id("NOBODY"))
        .await
        .unwrap();
    assert_eq!(unknown.code.as_deref(), Some("25"));

    let (status, _) = common::raw_request(
        simulator.local_addr(),
        "POST",
        "/rs-services/v2/wallet/noSuchFunction",
        "application/json",
        "{}",
    )
    .await;
    assert_eq!(status, 404);
}
