//! What is `Verified` is exactly what the bank sealed, and nothing more: a list item or nested
//! object that adds nothing to the sealed string is refused over SOAP and JSON, lists are
//! bounded, and over JSON every field (nested unknown ones, numbers as written) is sealed as sent.

mod common;

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use common::{builder, Action, TestServer, KEY};
use sips_wallet::contract::{GetWalletDataOutput, GetWalletDataRequest, WalletPaymentMeanData};
use sips_wallet::message::Message;
use sips_wallet::seal::{self, ShapeError, MAX_LIST_ITEMS};
use sips_wallet::{Binding, Error, SecretKey, Verification, WalletClient};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn sealed(mut response: GetWalletDataOutput) -> GetWalletDataOutput {
    let key = SecretKey::new(KEY).unwrap();
    response.seal =
        Some(seal::compute(seal::Algorithm::HmacSha256, &key, &response.seal_data()).into());
    response
}

/// A sealed answer holding one payment mean.
fn one_mean() -> GetWalletDataOutput {
    sealed(
        GetWalletDataOutput::new()
            .wallet_response_code("00")
            .wallet_payment_mean_data_list(
                WalletPaymentMeanData::new()
                    .payment_mean_id("1")
                    .masked_pan("4111##########11")
                    .pan_expiry_date("203012"),
            ),
    )
}

/// A loopback server answering whatever the test puts in `body`, and a client of it.
struct Bank {
    body: Arc<Mutex<String>>,
    _server: TestServer,
    soap: WalletClient,
    json: WalletClient,
}

impl Bank {
    fn start(rt: &tokio::runtime::Runtime) -> Bank {
        let body: Arc<Mutex<String>> = Arc::default();
        let served = body.clone();
        let server = rt.block_on(TestServer::start(move |_| {
            Action::Respond(200, served.lock().unwrap().clone())
        }));
        Bank {
            body,
            soap: builder(&server.url).build().unwrap(),
            json: builder(&server.url).binding(Binding::Json).build().unwrap(),
            _server: server,
        }
    }

    fn answer(
        &self,
        rt: &tokio::runtime::Runtime,
        client: &WalletClient,
        body: String,
    ) -> Result<sips_wallet::Reply<GetWalletDataOutput>, Error> {
        *self.body.lock().unwrap() = body;
        rt.block_on(client.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1")))
    }
}

fn soap_body(response: &GetWalletDataOutput) -> String {
    common::sealed_answer::<sips_wallet::contract::operations::GetWalletData>(
        response.clone(),
        None,
    )
}

/// Items that add nothing to the seal, as a hostile hop may write them.
fn empty_soap_item() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<urn:walletPaymentMeanDataList/>".to_string()),
        Just("<urn:walletPaymentMeanDataList></urn:walletPaymentMeanDataList>".to_string()),
        Just("<urn:walletPaymentMeanDataList>\n  </urn:walletPaymentMeanDataList>".to_string()),
        Just("<urn:walletPaymentMeanDataList><urn:paymentMeanId/><urn:maskedPan></urn:maskedPan></urn:walletPaymentMeanDataList>".to_string()),
        Just("<urn:walletPaymentMeanDataList><urn:paymentMeanAlias></urn:paymentMeanAlias><urn:seal/></urn:walletPaymentMeanDataList>".to_string()),
    ]
}

fn empty_json_item() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::json!({})),
        Just(serde_json::json!({"paymentMeanId": null, "maskedPan": null})),
        Just(serde_json::json!({"paymentMeanId": "", "paymentMeanAlias": ""})),
        Just(serde_json::json!({"someNewField": null})),
    ]
}

#[test]
fn an_item_that_adds_nothing_to_the_seal_is_never_verified_over_soap_or_json() {
    let rt = runtime();
    let bank = Bank::start(&rt);
    let response = one_mean();
    let soap = soap_body(&response);
    let json = serde_json::to_value(&response).unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 128,
        ..Config::default()
    });
    let cases = (
        proptest::collection::vec(empty_soap_item(), 1..4),
        proptest::collection::vec(empty_json_item(), 1..4),
        0usize..2,
    );
    runner
        .run(&cases, |(soap_items, json_items, at)| {
            // SOAP: the empty items before or after the sealed one.
            let anchor = "<urn:walletPaymentMeanDataList>";
            let position = if at == 0 {
                soap.find(anchor).unwrap()
            } else {
                soap.rfind("</urn:walletPaymentMeanDataList>").unwrap()
                    + "</urn:walletPaymentMeanDataList>".len()
            };
            let mut body = soap.clone();
            body.insert_str(position, &soap_items.concat());
            refused(bank.answer(&rt, &bank.soap, body))?;

            let mut body = json.clone();
            let list = body["walletPaymentMeanDataList"].as_array_mut().unwrap();
            for item in json_items {
                list.insert(at.min(list.len()), item);
            }
            refused(bank.answer(&rt, &bank.json, body.to_string()))
        })
        .unwrap();
}

fn refused(
    outcome: Result<sips_wallet::Reply<GetWalletDataOutput>, Error>,
) -> Result<(), TestCaseError> {
    match outcome {
        Err(Error::Shape {
            error: ShapeError::EmptyPart { field },
            ..
        }) => {
            prop_assert!(field.starts_with("walletPaymentMeanDataList["), "{field}");
            Ok(())
        }
        other => Err(TestCaseError::fail(format!(
            "expected the empty item refused, got {other:?}"
        ))),
    }
}

#[test]
fn the_sealed_answer_itself_is_verified_over_both_bindings() {
    let rt = runtime();
    let bank = Bank::start(&rt);
    let response = one_mean();
    for (client, body) in [
        (&bank.soap, soap_body(&response)),
        (&bank.json, serde_json::to_string(&response).unwrap()),
        // A byte order mark before JSON is read as before XML.
        (
            &bank.json,
            format!("\u{feff}{}", serde_json::to_string(&response).unwrap()),
        ),
    ] {
        let reply = bank.answer(&rt, client, body).unwrap();
        assert_eq!(reply.verification, Verification::Verified);
        assert_eq!(reply.response.wallet_payment_mean_data_list.len(), 1);
    }
}

#[test]
fn an_empty_simple_field_is_read_as_empty_not_refused() {
    let rt = runtime();
    let bank = Bank::start(&rt);
    let response = sealed(
        GetWalletDataOutput::new()
            .wallet_response_code("00")
            .error_field_name(""),
    );
    let body = soap_body(&response);
    assert!(body.contains("errorFieldName"), "{body}");
    let reply = bank.answer(&rt, &bank.soap, body).unwrap();
    assert_eq!(reply.verification, Verification::Verified);
    assert_eq!(reply.response.error_field_name.as_deref(), Some(""));
}

#[test]
fn a_list_longer_than_the_bound_is_refused_over_json() {
    let rt = runtime();
    let bank = Bank::start(&rt);
    let mut response = GetWalletDataOutput::new().wallet_response_code("00");
    for i in 0..=MAX_LIST_ITEMS {
        response = response.wallet_payment_mean_data_list(
            WalletPaymentMeanData::new().payment_mean_id(i.to_string()),
        );
    }
    let response = sealed(response);
    let outcome = bank.answer(&rt, &bank.json, serde_json::to_string(&response).unwrap());
    assert!(
        matches!(
            outcome,
            Err(Error::Shape {
                error: ShapeError::TooManyItems {
                    limit: MAX_LIST_ITEMS,
                    ..
                },
                ..
            })
        ),
        "{outcome:?}"
    );
    // 200,001 empty means in about a megabyte: refused, never Verified.
    let mut body = serde_json::to_value(one_mean()).unwrap();
    let list = body["walletPaymentMeanDataList"].as_array_mut().unwrap();
    list.extend(std::iter::repeat_n(serde_json::json!({}), 200_000));
    let outcome = bank.answer(&rt, &bank.json, body.to_string());
    assert!(matches!(outcome, Err(Error::Shape { .. })), "{outcome:?}");
}

#[test]
fn over_json_unknown_nested_fields_and_numbers_are_sealed_as_sent() {
    let rt = runtime();
    let bank = Bank::start(&rt);
    let big = "123456789012345678901234567890";
    // The bank's JSON: a field this contract does not know inside a payment mean, and unknown
    // numbers (one beyond any machine integer, one with a fraction written its own way).
    let mut json = serde_json::to_value(
        GetWalletDataOutput::new()
            .wallet_response_code("00")
            .wallet_payment_mean_data_list(
                WalletPaymentMeanData::new()
                    .payment_mean_id("1")
                    .masked_pan("4111##########11"),
            ),
    )
    .unwrap();
    let text = json.to_string().replace(
        r#""paymentMeanId":"1""#,
        &format!(r#""paymentMeanId":"1","cardLevel":"GOLD","rank":{big}"#),
    );
    let text = text.replacen('{', r#"{"walletScore":1.50,"#, 1);
    json = serde_json::from_str(&text).unwrap();
    // Sealed by the rules over the values as written: 1.50, not 1.5.
    let data = seal::Value::from_json(&json).seal_data();
    assert!(data.contains(big) && data.contains("1.50"), "{data}");
    let key = SecretKey::new(KEY).unwrap();
    let seal_value = seal::compute(seal::Algorithm::HmacSha256, &key, &data);
    let body = text.replacen('{', &format!(r#"{{"seal":"{seal_value}","#), 1);

    let reply = bank.answer(&rt, &bank.json, body.clone()).unwrap();
    assert_eq!(reply.verification, Verification::Verified);
    let mean = &reply.response.wallet_payment_mean_data_list[0];
    assert_eq!(mean.unknown_fields.get("cardLevel"), Some("GOLD"));
    assert_eq!(mean.unknown_fields.get("rank"), Some(big));
    assert_eq!(
        reply.response.unknown_fields.get("walletScore"),
        Some("1.50")
    );

    // The nested unknown field is covered: changing it breaks the seal.
    let tampered = body.replace("GOLD", "PLATINUM");
    let outcome = bank.answer(&rt, &bank.json, tampered);
    assert!(
        matches!(outcome, Err(Error::SealMismatch { .. })),
        "{outcome:?}"
    );
}

/// A bank answering in ISO-8859-1 (its XML declaration says so): the text is decoded as such, and
/// the seal, computed by the bank over the characters it meant, verifies.
#[test]
fn an_iso_8859_1_answer_is_decoded_and_its_seal_verified() {
    let rt = runtime();
    let alias = "Café à l'été";
    let response = sealed(
        GetWalletDataOutput::new()
            .wallet_response_code("00")
            .wallet_payment_mean_data_list(
                WalletPaymentMeanData::new()
                    .payment_mean_id("1")
                    .masked_pan("4111##########11")
                    .payment_mean_alias(alias),
            ),
    );
    let utf8 = soap_body(&response);
    let latin1_text = utf8.replacen(r#"encoding="UTF-8""#, r#"encoding="ISO-8859-1""#, 1);
    assert!(latin1_text.contains("ISO-8859-1"), "{latin1_text}");
    let latin1: Vec<u8> = latin1_text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 text"))
        .collect();
    let server = rt.block_on(TestServer::start(move |_| {
        Action::RespondBytes(200, latin1.clone())
    }));
    let client = builder(&server.url).build().unwrap();
    let reply = rt
        .block_on(client.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1")))
        .unwrap();
    assert_eq!(reply.verification, Verification::Verified);
    assert_eq!(
        reply.response.wallet_payment_mean_data_list[0]
            .payment_mean_alias
            .as_deref(),
        Some(alias)
    );
}

/// A bank whose WSDL wraps the list (as CXF-shaped ones do) against the bundled build: refused, and
/// the error says what to do about it.
#[test]
fn a_wrapped_list_against_the_bundled_contract_says_to_build_with_the_banks_wsdl() {
    let rt = runtime();
    let bank = Bank::start(&rt);
    let wrapped = soap_body(&one_mean())
        .replace(
            "<urn:walletPaymentMeanDataList>",
            "<urn:walletPaymentMeanDataList><urn:walletPaymentMeanData>",
        )
        .replace(
            "</urn:walletPaymentMeanDataList>",
            "</urn:walletPaymentMeanData></urn:walletPaymentMeanDataList>",
        );
    let error = bank.answer(&rt, &bank.soap, wrapped).unwrap_err();
    let message = error.chain();
    assert!(matches!(error, Error::Envelope { .. }), "{error:?}");
    assert!(message.contains("SIPS_WALLET_WSDL_DIR"), "{message}");
    assert!(message.contains("contract check"), "{message}");
}

/// A bank whose schema leaves its elements unqualified (`elementFormDefault="unqualified"`),
/// against the bundled build: refused, and the error says the bank's WSDL is another one and
/// what to do about it.
#[test]
fn an_unqualified_answer_against_the_bundled_contract_says_to_build_with_the_banks_wsdl() {
    let rt = runtime();
    let bank = Bank::start(&rt);
    let qualified = soap_body(&one_mean());
    let wrapper = "urn:getWalletDataResponse";
    assert!(qualified.contains(wrapper), "{qualified}");
    // Every element below the wrapper in no namespace, as such a bank writes them.
    let unqualified = qualified
        .replace("<urn:", "<")
        .replace("</urn:", "</")
        .replace("<getWalletDataResponse", &format!("<{wrapper}"))
        .replace("</getWalletDataResponse", &format!("</{wrapper}"));
    let error = bank.answer(&rt, &bank.soap, unqualified).unwrap_err();
    let message = error.chain();
    assert!(matches!(error, Error::Envelope { .. }), "{error:?}");
    assert!(message.contains("in no namespace"), "{message}");
    assert!(message.contains("SIPS_WALLET_WSDL_DIR"), "{message}");
    assert!(message.contains("contract check"), "{message}");
}
