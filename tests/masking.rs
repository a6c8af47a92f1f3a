//! The masking promise: for any text holding a card number (13 to 19 digits passing the Luhn
//! check, plain or grouped by spaces, dashes or dots) or an IBAN (ISO 13616, plain or in groups of
//! four) at any position with any neighbours, nothing the crate shows holds it: the masker's output, errors (`Display`, `Debug`, `chain`), exchanges,
//! and messages' `Debug`. Log lines: `tests/logs.rs`; the CLI's output: `tests/cli.rs`.

mod common;

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use common::{builder, Action, TestServer};
use sips_wallet::contract::{AddCardRequest, SignOffRequest, UpdatePaymentMeanRequest};
use sips_wallet::fuzzing::{card_number_in, iban_in};
use sips_wallet::mask::{iban_valid, luhn_valid, mask_text};

/// Any Luhn-valid number of 13 to 19 digits.
fn card_number() -> impl Strategy<Value = String> {
    "[0-9]{12,18}".prop_map(|body| {
        (b'0'..=b'9')
            .map(|check| format!("{body}{}", char::from(check)))
            .find(|card| luhn_valid(card))
            .unwrap_or_default()
    })
}

/// The card number as a person or a system may write it: plain, or in groups of 4 separated by a
/// space, a dash or a dot.
fn written(card: &str, separator: Option<char>) -> String {
    let Some(separator) = separator else {
        return card.to_string();
    };
    let mut out = String::new();
    for (i, c) in card.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// What may stand before or after it: digits, dates, times, separators, any Unicode.
fn neighbours() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,20}",
        "[0-9 .:/-]{0,24}",
        "(order |ref |on |at )?[0-9]{1,6}[ .:-]?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2} ",
        any::<String>(),
    ]
}

fn case() -> impl Strategy<Value = (String, String, String, String)> {
    (
        neighbours(),
        card_number(),
        prop::option::of(prop_oneof![Just(' '), Just('-'), Just('.')]),
        neighbours(),
    )
        .prop_map(|(before, card, separator, after)| {
            let written = written(&card, separator);
            let text = format!("{before}{written}{after}");
            (text, card, written, before + &after)
        })
}

/// The promise for one piece of shown text.
fn holds_no_card_number(shown: &str, card: &str, written: &str) -> Result<(), TestCaseError> {
    prop_assert!(!shown.contains(card), "{card} shown in clear: {shown}");
    prop_assert!(
        !shown.contains(written),
        "{written} shown in clear: {shown}"
    );
    if let Some(found) = card_number_in(shown) {
        return Err(TestCaseError::fail(format!(
            "a card number ({found}) survived: {shown}"
        )));
    }
    Ok(())
}

#[test]
fn the_masker_leaves_no_card_number_whatever_stands_around_it() {
    let mut runner = TestRunner::new(Config {
        cases: 4096,
        ..Config::default()
    });
    runner
        .run(&case(), |(text, card, written, _)| {
            let masked = mask_text(&text);
            prop_assert_eq!(masked.chars().count(), text.chars().count());
            holds_no_card_number(&masked, &card, &written)
        })
        .unwrap();
}

#[test]
fn text_without_a_card_number_or_iban_is_left_as_it_is() {
    let mut runner = TestRunner::new(Config {
        cases: 1024,
        ..Config::default()
    });
    runner
        .run(&neighbours(), |text| {
            if card_number_in(&text).is_none() && iban_in(&text).is_none() {
                prop_assert_eq!(mask_text(&text), text.as_str());
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn requests_debug_never_shows_a_card_number_in_any_field() {
    let mut runner = TestRunner::new(Config {
        cases: 512,
        ..Config::default()
    });
    runner
        .run(&case(), |(text, card, written, _)| {
            let add = AddCardRequest::new()
                .merchant_wallet_id(text.clone())
                .card_number(card.clone())
                .payment_mean_alias(text.clone());
            let update = UpdatePaymentMeanRequest::new()
                .merchant_wallet_id(text.clone())
                .payment_mean_id(text.clone())
                .payment_mean_alias(text.clone());
            for shown in [
                format!("{add:?}"),
                format!("{add:#?}"),
                format!("{update:?}"),
                format!("{update:#?}"),
            ] {
                holds_no_card_number(&shown, &card, &written)?;
            }
            Ok(())
        })
        .unwrap();
}

/// Bodies a server may answer with, the hostile text inside: a plain HTTP error page, a SOAP
/// Fault, an envelope that does not parse, an element name, an unknown field of a sealed answer.
fn answers(text: &str) -> Vec<(u16, String)> {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace(['\r', '\u{0}'], "");
    let name: String = text.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let envelope = |body: &str| {
        format!(
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{body}</soap:Body></soap:Envelope>"#
        )
    };
    vec![
        (502, text.to_string()),
        (
            500,
            envelope(&format!(
                "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>{escaped}</faultstring><detail>{escaped}</detail></soap:Fault>"
            )),
        ),
        (200, envelope(&format!("<broken>{escaped}"))),
        (200, envelope(&format!("<w{name}/>"))),
        (
            200,
            envelope(&format!(
                r#"<signOffResponse xmlns="urn:sips:cn:contract:office:wallet:v2"><output><walletResponseCode>00</walletResponseCode><note>{escaped}</note><seal>00</seal></output></signOffResponse>"#
            )),
        ),
    ]
}

#[test]
fn errors_and_exchanges_never_show_a_card_number_from_the_server() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answer: Arc<Mutex<(u16, String)>> = Arc::default();
    let served = answer.clone();
    let server = rt.block_on(TestServer::start(move |_| {
        let (status, body) = served.lock().unwrap().clone();
        Action::Respond(status, body)
    }));
    let client = builder(&server.url).build().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    runner
        .run(&case(), |(text, card, written, _)| {
            for (status, body) in answers(&text) {
                *answer.lock().unwrap() = (status, body);
                let error = rt
                    .block_on(client.sign_off(SignOffRequest::new().merchant_wallet_id("W1")))
                    .expect_err("every answer here is refused");
                let mut shown = vec![
                    error.to_string(),
                    format!("{error:?}"),
                    format!("{error:#?}"),
                    error.chain(),
                ];
                if let Some(exchange) = error.exchange() {
                    shown.push(exchange.response());
                    shown.push(format!("{exchange:?}"));
                }
                for shown in shown {
                    holds_no_card_number(&shown, &card, &written)?;
                }
            }
            Ok(())
        })
        .unwrap();
}

/// Any valid IBAN: a country, its check digits computed, 11 to 30 capital letters and digits.
fn iban() -> impl Strategy<Value = String> {
    ("[A-Z]{2}", "[A-Z0-9]{11,30}").prop_map(|(country, bban)| {
        (0..100)
            .map(|check| format!("{country}{check:02}{bban}"))
            .find(|candidate| iban_valid(candidate))
            .unwrap_or_default()
    })
}

#[test]
fn the_masker_leaves_no_iban_whatever_stands_around_it() {
    let mut runner = TestRunner::new(Config {
        cases: 2048,
        ..Config::default()
    });
    let cases = (
        prop_oneof![
            neighbours(),
            "[A-Z0-9 ]{0,12}",
            "(IBAN |mandate [A-Z0-9]{2,6} )"
        ],
        iban(),
        any::<bool>(),
        prop_oneof![neighbours(), "[A-Z0-9 ]{0,12}"],
    );
    runner
        .run(&cases, |(before, iban, grouped, after)| {
            let written = if grouped {
                iban.as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                iban.clone()
            };
            let text = format!("{before}{written}{after}");
            let masked = mask_text(&text);
            prop_assert!(!masked.contains(&iban), "{iban} in {masked}");
            prop_assert!(!masked.contains(&written), "{written} in {masked}");
            if let Some(found) = iban_in(&masked) {
                return Err(TestCaseError::fail(format!(
                    "an IBAN ({found}) survived: {masked}"
                )));
            }
            Ok(())
        })
        .unwrap();
}
