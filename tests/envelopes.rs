//! Every request envelope the client writes, and every kind of response it reads, pinned by snapshots.

mod common;

use sips_wallet::contract::{self, operations, AddCardRequest, PanType, PaymentMeanBrand};
use sips_wallet::envelope::{self, Content, EnvelopeError};
use sips_wallet::message::{Message, Operation};
use sips_wallet::xml::Limits;
use sips_wallet::{Error, SecretKey, WalletClient};

const MERCHANT: &str = "011223344550000";

fn client() -> WalletClient {
    WalletClient::builder()
        .base_url("http://127.0.0.1:1")
        .merchant_id(MERCHANT)
        .key_version("1")
        .secret_key(SecretKey::new("test-only-secret-key").unwrap())
        .build()
        .unwrap()
}

fn prepare<O: Operation>(mut request: O::Request) -> String {
    client().prepare::<O>(&mut request).unwrap().body
}

fn all_requests() -> Vec<(&'static str, String)> {
    vec![
        (
            "addCard",
            prepare::<operations::AddCard>(
                AddCardRequest::new()
                    .merchant_wallet_id("WALLET-1")
                    .card_number("4111111111111111")
                    .card_expiry_date("202812")
                    .pan_type(PanType::Pan)
                    .payment_mean_brand(PaymentMeanBrand::Visa)
                    .payment_mean_alias("Travel & leisure <card>"),
            ),
        ),
        (
            "updatePaymentMean",
            prepare::<operations::UpdatePaymentMean>(
                contract::UpdatePaymentMeanRequest::new()
                    .merchant_wallet_id("walId011")
                    .payment_mean_id("2")
                    .payment_mean_alias("myAlias"),
            ),
        ),
        (
            "deletePaymentMean",
            prepare::<operations::DeletePaymentMean>(
                contract::DeletePaymentMeanRequest::new()
                    .merchant_wallet_id("walId011")
                    .payment_mean_id("2"),
            ),
        ),
        (
            "signOff",
            prepare::<operations::SignOff>(
                contract::SignOffRequest::new().merchant_wallet_id("SIM01"),
            ),
        ),
        (
            "getWalletData",
            prepare::<operations::GetWalletData>(
                contract::GetWalletDataRequest::new().merchant_wallet_id("SIM01"),
            ),
        ),
        (
            "getPaymentMeanData",
            prepare::<operations::GetPaymentMeanData>(
                contract::GetPaymentMeanDataRequest::new()
                    .merchant_wallet_id("SIM01")
                    .payment_mean_id("1"),
            ),
        ),
    ]
}

#[test]
fn request_envelopes_are_pinned() {
    for (name, body) in all_requests() {
        insta::assert_snapshot!(format!("request_{name}"), body);
    }
}

#[test]
fn request_envelopes_reread_by_namespace_and_seal_matches() {
    let key = SecretKey::new("test-only-secret-key").unwrap();
    for (name, body) in all_requests() {
        let Content::Message(input) = sips_wallet::dynamic::read_wallet_message(&body).unwrap()
        else {
            panic!("{name}: not a message")
        };
        // The seal written with the build-time field order is the seal of the fields as re-read.
        let seal = input.text("seal").unwrap();
        assert!(
            sips_wallet::seal::verify(
                sips_wallet::Algorithm::HmacSha256,
                &key,
                &input.seal_data(),
                seal
            ),
            "{name}"
        );
    }
}

/// The body of each request validates against the bundled schema (xmllint, from libxml2-utils).
#[test]
fn request_bodies_validate_against_the_bundled_xsd() {
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl/wallet.xsd");
    let dir = common::scratch_dir("wallet-xsd");
    for (name, body) in all_requests() {
        let payload = body
            .split_once("<soapenv:Body>")
            .and_then(|(_, rest)| rest.split_once("</soapenv:Body>"))
            .map(|(payload, _)| payload.trim())
            .unwrap();
        let file = dir.join(format!("{name}.xml"));
        std::fs::write(&file, payload).unwrap();
        let output = common::xmllint::schema_check(xsd)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_field_newer_than_the_interface_version_is_refused_before_sending() {
    let mut request = AddCardRequest::new()
        .merchant_wallet_id("W")
        .card_number("4111111111111111")
        .card_expiry_date("202812")
        .pan_type(PanType::Pan)
        .interface_version("WR_WS_2.30");
    let error = client()
        .prepare::<operations::AddCard>(&mut request)
        .unwrap_err();
    assert!(
        matches!(&error, Error::FieldTooNew { field, since, .. } if field == "panType" && since.to_string() == "2.31"),
        "{error}"
    );
}

#[test]
fn bad_input_is_refused_with_the_field_name_and_no_card_number() {
    let cases: Vec<(AddCardRequest, &str)> = vec![
        (
            AddCardRequest::new()
                .card_number("4111111111111111")
                .card_expiry_date("202812"),
            "merchantWalletId",
        ),
        (
            AddCardRequest::new()
                .merchant_wallet_id("W")
                .card_number("4111111111111112")
                .card_expiry_date("202812"),
            "cardNumber",
        ),
        (
            AddCardRequest::new()
                .merchant_wallet_id("W")
                .card_number("4111111111111111")
                .card_expiry_date("202813"),
            "cardExpiryDate",
        ),
        (
            AddCardRequest::new()
                .merchant_wallet_id("W")
                .card_number("4111111111111111")
                .card_expiry_date("202812")
                .pan_type("NOPE"),
            "panType",
        ),
    ];
    for (mut request, field) in cases {
        let error = client()
            .prepare::<operations::AddCard>(&mut request)
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidField { field: f, .. } if f == field),
            "{error}"
        );
        assert!(!error.to_string().contains("411111111111111"), "{error}");
    }
    // A token is not a clear PAN: no Luhn check.
    let mut token = AddCardRequest::new()
        .merchant_wallet_id("W")
        .card_number("tok_abc")
        .card_expiry_date("202812")
        .pan_type(PanType::TokenPan);
    client().prepare::<operations::AddCard>(&mut token).unwrap();
}

#[test]
fn debug_output_masks_the_card_number() {
    let request = AddCardRequest::new().card_number("4111111111111111");
    let debug = format!("{request:?}");
    assert!(debug.contains("4111##########11"), "{debug}");
    assert!(!debug.contains("4111111111111111"));
    assert!(!format!("{:?}", client()).contains("test-only-secret-key"));
}

fn decode<O: Operation>(xml: &str) -> O::Response {
    match envelope::read_response::<O>(xml, Limits::default()).unwrap() {
        Content::Message(response) => response,
        Content::Fault(f) => panic!("{f:?}"),
    }
}

fn soap(body: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

#[test]
fn seed_response_samples_decode() {
    // The seeds' samples, as printed on the pages (default namespace on the wrapper, empty errorFieldName).
    let sign_off = soap(
        r#"<signOffResponse xmlns="urn:sips:cn:contract:office:wallet:v2">
<output>
<walletActionDateTime>2012-10-17T23:50:44-12:00</walletActionDateTime>
<walletResponseCode>00</walletResponseCode>
<errorFieldName />
</output>
</signOffResponse>"#,
    );
    insta::assert_debug_snapshot!(
        "response_signOff_seed",
        decode::<operations::SignOff>(&sign_off)
    );
    for (op, element) in [
        ("deletePaymentMean", "deletePaymentMeanResponse"),
        ("updatePaymentMean", "updatePaymentMeanResponse"),
    ] {
        let xml = soap(&format!(
            r#"<{element} xmlns="urn:sips:cn:contract:office:wallet:v2"><output><walletActionDateTime>2012-10-17T23:50:44-12:00</walletActionDateTime><walletResponseCode>00</walletResponseCode><errorFieldName /></output></{element}>"#
        ));
        let decoded = match op {
            "deletePaymentMean" => format!("{:#?}", decode::<operations::DeletePaymentMean>(&xml)),
            _ => format!("{:#?}", decode::<operations::UpdatePaymentMean>(&xml)),
        };
        insta::assert_snapshot!(format!("response_{op}_seed"), decoded);
    }
}

#[test]
fn cxf_style_responses_decode_whatever_the_prefixes() {
    // Prefix declared on Envelope, as CXF does; a code the contract does not list (01) is kept raw.
    let add_card = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns2="urn:sips:cn:contract:office:wallet:v2">
  <soap:Body>
    <!-- a comment -->
    <ns2:addCardResponse>
      <ns2:output>
        <ns2:walletResponseCode>00</ns2:walletResponseCode>
        <ns2:errorFieldName/>
        <ns2:seal>abc</ns2:seal>
        <ns2:walletActionDateTime>2026-11-23T10:00:00+01:00</ns2:walletActionDateTime>
        <ns2:paymentMeanId>3</ns2:paymentMeanId>
        <ns2:maskedPan>4975##########07</ns2:maskedPan>
      </ns2:output>
    </ns2:addCardResponse>
  </soap:Body>
</soap:Envelope>"#;
    insta::assert_debug_snapshot!(
        "response_addCard_cxf",
        decode::<operations::AddCard>(add_card)
    );

    let unknown_code = soap(
        r#"<x:deletePaymentMeanResponse xmlns:x="urn:sips:cn:contract:office:wallet:v2"><x:output><x:walletResponseCode>01</x:walletResponseCode></x:output></x:deletePaymentMeanResponse>"#,
    );
    let decoded = decode::<operations::DeletePaymentMean>(&unknown_code);
    let code = decoded.wallet_response_code.unwrap();
    assert!(!code.is_known());
    assert_eq!(code.as_str(), "01");
}

#[test]
fn wallet_data_with_several_payment_means_decodes_in_order() {
    let xml = soap(
        r#"<getWalletDataResponse xmlns="urn:sips:cn:contract:office:wallet:v2"><output>
<walletResponseCode>00</walletResponseCode>
<seal>s</seal>
<walletCreationDateTime>2026-01-02T03:04:05+01:00</walletCreationDateTime>
<walletLastActionDateTime>2026-11-23T10:00:00+01:00</walletLastActionDateTime>
<walletPaymentMeanDataList><paymentMeanId>1</paymentMeanId><maskedPan>4975##########07</maskedPan><panExpiryDate>202812</panExpiryDate><paymentMeanBrand>VISA</paymentMeanBrand></walletPaymentMeanDataList>
<walletPaymentMeanDataList><paymentMeanId>2</paymentMeanId><maskedPan>5017##########01</maskedPan><paymentMeanAlias>pro</paymentMeanAlias><paymentMeanBrand>NEWBRAND</paymentMeanBrand></walletPaymentMeanDataList>
</output></getWalletDataResponse>"#,
    );
    let decoded = decode::<operations::GetWalletData>(&xml);
    assert_eq!(decoded.wallet_payment_mean_data_list.len(), 2);
    // Short text is read in place: no allocation per field.
    for mean in &decoded.wallet_payment_mean_data_list {
        let texts = [
            &mean.payment_mean_id,
            &mean.masked_pan,
            &mean.pan_expiry_date,
        ];
        for text in texts.into_iter().flatten() {
            assert!(text.is_inline(), "{text} was allocated");
        }
    }
    insta::assert_debug_snapshot!("response_getWalletData_two_means", decoded);
    // Seal data: walletCreationDateTime < walletLastActionDateTime < walletPaymentMeanDataList <
    // walletResponseCode; in each item maskedPan < panExpiryDate < paymentMeanAlias < paymentMeanBrand < paymentMeanId.
    assert_eq!(
        decoded.seal_data(),
        "2026-01-02T03:04:05+01:002026-11-23T10:00:00+01:004975##########07202812VISA15017##########01proNEWBRAND200"
    );
}

#[test]
fn an_unknown_payment_mean_answer_decodes() {
    let xml = soap(
        r#"<a:getPaymentMeanDataResponse xmlns:a="urn:sips:cn:contract:office:wallet:v2"><a:output><a:walletResponseCode>25</a:walletResponseCode><a:seal>s</a:seal></a:output></a:getPaymentMeanDataResponse>"#,
    );
    insta::assert_debug_snapshot!(
        "response_getPaymentMeanData_unknown",
        decode::<operations::GetPaymentMeanData>(&xml)
    );
}

#[test]
fn a_fault_is_read_as_a_fault() {
    let xml = envelope::write_fault(
        "soapenv:Client",
        "Unmarshalling Error: unexpected element <x>",
    );
    let Content::Fault(fault) = sips_wallet::dynamic::read_wallet_message(&xml).unwrap() else {
        panic!()
    };
    insta::assert_debug_snapshot!("fault", fault);
}

#[test]
fn hostile_or_broken_documents_are_typed_errors() {
    let cases: Vec<(&str, &str)> = vec![
        (
            "doctype",
            r#"<!DOCTYPE e [<!ENTITY x "boom">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><a>&x;</a></soap:Body></soap:Envelope>"#,
        ),
        ("not xml", "<html><body>503 Service Unavailable"),
        (
            "no body",
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/></soap:Envelope>"#,
        ),
        (
            "empty body",
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>"#,
        ),
        (
            "soap 1.2",
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>"#,
        ),
        ("wrong root", "<Envelope><Body/></Envelope>"),
        (
            "truncated",
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><a>"#,
        ),
    ];
    let mut seen = Vec::new();
    for (name, xml) in cases {
        let error = sips_wallet::dynamic::read_wallet_message(xml).unwrap_err();
        seen.push(format!("{name}: {error}"));
    }
    insta::assert_snapshot!("hostile_documents", seen.join("\n"));

    // The wrong element, and an element that does not fit its type.
    let xml = soap(r#"<x:signOffResponse xmlns:x="urn:other"><x:output/></x:signOffResponse>"#);
    assert!(matches!(
        envelope::read_response::<operations::SignOff>(&xml, Limits::default()),
        Err(EnvelopeError::UnexpectedElement { .. })
    ));
    let xml = soap(
        r#"<signOffResponse xmlns="urn:sips:cn:contract:office:wallet:v2"><output><walletResponseCode><b>1</b></walletResponseCode></output></signOffResponse>"#,
    );
    let result = envelope::read_response::<operations::SignOff>(&xml, Limits::default());
    assert!(
        matches!(result, Err(EnvelopeError::ElementInText { .. })),
        "{result:?}"
    );
}

/// With the `yaserde` feature (`cargo test --features yaserde`), the derives on the generated types
/// agree with the generated codecs.
#[cfg(feature = "yaserde")]
mod yaserde_agreement {
    use super::*;
    use sips_wallet::seal::Value;

    /// The yaserde derives stay on the generated types for users who want them: they read what the
    /// generated writer writes, and the generated reader reads what they write, to the same value.
    fn agree<T, E>(
        label: &str,
        message: &T,
        wrap: impl Fn(T) -> E,
        unwrap: impl Fn(E) -> T,
        write: &str,
    ) where
        T: Message,
        E: yaserde::YaSerialize + yaserde::YaDeserialize,
    {
        let fragment = write
            .split_once("<soapenv:Body>")
            .and_then(|(_, rest)| rest.split_once("</soapenv:Body>"))
            .map(|(payload, _)| payload.trim())
            .unwrap();
        let by_yaserde = unwrap(yaserde::de::from_str::<E>(fragment).unwrap());
        assert_eq!(
            by_yaserde.to_value(),
            message.to_value(),
            "{label}: yaserde reads the generated writer"
        );

        let written = yaserde::ser::to_string(&wrap(message.clone())).unwrap();
        let written = match written.strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>").map_or(rest, |(_, body)| body),
            None => &written,
        };
        let xml = soap(written);
        let read_back = sips_wallet::dynamic::read_wallet_message(&xml).unwrap();
        assert_eq!(
            read_back,
            Content::Message(message.to_value()),
            "{label}: the generated reader reads yaserde"
        );
    }

    /// Rebuilds a request from its envelope's fields and checks both codecs agree on it.
    fn agree_on_request<O: Operation>(body: &str)
    where
        O::RequestElement: yaserde::YaSerialize + yaserde::YaDeserialize,
    {
        let Content::Message(Value::Object(fields)) =
            sips_wallet::dynamic::read_wallet_message(body).unwrap()
        else {
            panic!("not a message")
        };
        let mut request = O::Request::default();
        for (name, value) in &fields {
            if let Value::Text(text) = value {
                request.set_text(name, text).unwrap();
            }
        }
        agree(
            O::INFO.name,
            &request,
            O::wrap_request,
            O::unwrap_request,
            body,
        );
    }

    #[test]
    fn yaserde_and_the_generated_codec_agree_on_every_message() {
        for (name, body) in all_requests() {
            match name {
                "addCard" => agree_on_request::<operations::AddCard>(&body),
                "deletePaymentMean" => agree_on_request::<operations::DeletePaymentMean>(&body),
                "getPaymentMeanData" => agree_on_request::<operations::GetPaymentMeanData>(&body),
                "getWalletData" => agree_on_request::<operations::GetWalletData>(&body),
                "signOff" => agree_on_request::<operations::SignOff>(&body),
                "updatePaymentMean" => agree_on_request::<operations::UpdatePaymentMean>(&body),
                other => panic!("no yaserde agreement check for {other}"),
            }
        }

        let mut wallet = contract::GetWalletDataOutput::new()
            .wallet_response_code("00")
            .wallet_creation_date_time("2026-01-02T03:04:05+01:00")
            .wallet_last_action_date_time("2026-11-23T10:00:00+01:00");
        for (id, pan, brand) in [
            ("1", "4111##########11", "VISA"),
            ("2", "5555##########44", "NEWBRAND"),
        ] {
            wallet.wallet_payment_mean_data_list.push(
                contract::WalletPaymentMeanData::new()
                    .payment_mean_id(id)
                    .masked_pan(pan)
                    .pan_expiry_date("202812")
                    .payment_mean_alias("a & <b>")
                    .payment_mean_brand(brand),
            );
        }
        wallet.seal = Some("abc".into());
        let body = envelope::write_response::<operations::GetWalletData>(&wallet).unwrap();
        agree(
            "getWalletData response",
            &wallet,
            operations::GetWalletData::wrap_response,
            operations::GetWalletData::unwrap_response,
            &body,
        );

        let mut sign_off = contract::SignOffOutput::new()
            .wallet_response_code("94")
            .error_field_name("cardNumber")
            .wallet_action_date_time("2026-11-23T10:00:00+01:00");
        sign_off.seal = Some("def".into());
        let body = envelope::write_response::<operations::SignOff>(&sign_off).unwrap();
        agree(
            "signOff response",
            &sign_off,
            operations::SignOff::wrap_response,
            operations::SignOff::unwrap_response,
            &body,
        );
    }
}

/// The tests install xmllint only when apt would upgrade nothing already installed: its dry run's
/// `Inst name [old] (new …)` lines are upgrades, `Inst name (new …)` lines are new packages.
#[test]
fn the_xmllint_install_refuses_to_upgrade_anything() {
    let simulation = "NOTE: This is only a simulation!\n\
        Inst libxml2 [2.9.14+dfsg-1.3] (2.9.14+dfsg-1.3+deb12u4 Debian-Security:12/stable-security [amd64])\n\
        Inst libxml2-utils (2.9.14+dfsg-1.3+deb12u4 Debian-Security:12/stable-security [amd64])\n\
        Conf libxml2 (2.9.14+dfsg-1.3+deb12u4 Debian-Security:12/stable-security [amd64])\n";
    assert_eq!(common::xmllint::upgrades_in(simulation), ["libxml2"]);
    let fresh = "Inst libxml2-utils (2.9.14+dfsg-1.3+deb12u4 Debian:12 [amd64])\n";
    assert!(common::xmllint::upgrades_in(fresh).is_empty());
}
