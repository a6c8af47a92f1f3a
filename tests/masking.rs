//! The masking promise: for any text holding a card number (13 to 19 digits passing the Luhn
//! check, plain or grouped by spaces, dashes or dots) at any position with any neighbours, nothing
//! the crate shows holds it: the masker's output, errors (`Display`, `Debug`, `chain`), exchanges,
//! and messages' `Debug`. Log lines: `tests/logs.rs`; the CLI's output: `tests/cli.rs`.

mod common;

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use common::{builder, Action, TestServer};
use sips_wallet::contract::{AddCardRequest, SignOffRequest, UpdatePaymentMeanRequest};
use sips_wallet::mask::mask_text;

fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            match (i % 2 == 1, d * 2 > 9) {
                (true, true) => d * 2 - 9,
                (true, false) => d * 2,
                _ => d,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Any Luhn-valid number of 13 to 19 digits.
fn card_number() -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, 12..=18).prop_map(|mut body| {
        let check = (0..10)
            .find(|c| {
                body.push(*c);
                let valid = luhn_valid(&body);
                body.pop();
                valid
            })
            .unwrap_or(0);
        body.push(check);
        body.iter().map(|d| char::from(b'0' + d)).collect()
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

/// An oracle written apart from the masker: the first card number the text holds, if any.
fn card_number_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    for start in 0..bytes.len() {
        let mut digits = Vec::new();
        let mut at = start;
        while at < bytes.len() && digits.len() < 19 {
            let b = bytes[at];
            if b.is_ascii_digit() {
                digits.push(b - b'0');
                if digits.len() >= 13 && luhn_valid(&digits) {
                    return Some(digits.iter().map(|d| char::from(b'0' + d)).collect());
                }
            } else if digits.is_empty()
                || !matches!(b, b' ' | b'-' | b'.')
                || !bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
            {
                break;
            }
            at += 1;
        }
    }
    None
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
fn text_without_a_card_number_is_left_as_it_is() {
    let mut runner = TestRunner::new(Config {
        cases: 1024,
        ..Config::default()
    });
    runner
        .run(&neighbours(), |text| {
            if card_number_in(&text).is_none() {
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
