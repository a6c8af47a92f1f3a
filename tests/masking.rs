//! The masking promise: for any text holding a card number or an IBAN, in any spelling people and
//! systems use (separators of every kind, digits of any script, XML character references, escaped
//! again as an XML writer writes a reference typed as text, JSON escapes, percent-encoding, split by
//! CDATA markers or comments; IBANs in any case, grouped or not), nothing the crate shows holds
//! one, by the oracle written apart from the masker (`sips_wallet::fuzzing`): the masker's output,
//! messages' `Debug`, errors and exchanges from a server, the simulator's call list. Text holding
//! neither is left as it is. The card numbers and IBANs a call handles are masked by value,
//! whatever stands between their characters. Log lines: `tests/logs.rs`; the CLI: `tests/cli.rs`.

mod common;

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use common::{builder, Action, TestServer};
use sips_wallet::contract::{AddCardRequest, SignOffRequest, UpdatePaymentMeanRequest};
use sips_wallet::fuzzing::{card_number_in, holds_by_value, iban_in};
use sips_wallet::mask::{iban_valid, luhn_valid, mask_text, Secrets};

/// Any Luhn-valid number of 13 to 19 digits.
fn card_number() -> impl Strategy<Value = String> {
    "[0-9]{12,18}".prop_map(|body| {
        (b'0'..=b'9')
            .map(|check| format!("{body}{}", char::from(check)))
            .find(|card| luhn_valid(card))
            .unwrap_or_default()
    })
}

/// What may stand between the groups of a card number.
const SEPARATORS: &[&str] = &[
    "",
    " ",
    "-",
    ".",
    "  ",
    "\t",
    "\n",
    "\u{a0}",
    "\u{202f}",
    "\u{2009}",
    "\u{200b}",
    "/",
    "_",
    ",",
    "+",
    ":",
    " - ",
    "–",
    "<![CDATA[",
    "]]><![CDATA[",
    "<!-- -->",
];

/// The zero of each script digits are written in: ASCII, full-width, Arabic-Indic, Devanagari,
/// mathematical bold.
const ZEROS: &[u32] = &[0x30, 0xff10, 0x660, 0x966, 0x1d7ce];

/// How each character is written.
#[derive(Debug, Clone, Copy)]
enum Encoding {
    Plain,
    XmlReference,
    XmlHexReference,
    /// A reference typed as text, as an XML writer writes it (`&amp;#52;`).
    XmlReferenceEscapedAgain,
    JsonEscape,
    Percent,
}

#[derive(Debug, Clone)]
struct Spelling {
    separator: &'static str,
    group: usize,
    zero: u32,
    encoding: Encoding,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        prop::sample::select(SEPARATORS),
        prop_oneof![Just(4usize), Just(1), 2usize..7],
        prop::sample::select(ZEROS),
        prop_oneof![
            Just(Encoding::Plain),
            Just(Encoding::XmlReference),
            Just(Encoding::XmlHexReference),
            Just(Encoding::XmlReferenceEscapedAgain),
            Just(Encoding::JsonEscape),
            Just(Encoding::Percent),
        ],
    )
        .prop_map(|(separator, group, zero, encoding)| Spelling {
            separator,
            group,
            zero,
            encoding,
        })
}

/// One character as `encoding` writes it.
fn encoded(c: char, encoding: Encoding) -> String {
    match encoding {
        Encoding::Plain => c.to_string(),
        Encoding::XmlReference => format!("&#{};", c as u32),
        Encoding::XmlHexReference => format!("&#x{:x};", c as u32),
        Encoding::XmlReferenceEscapedAgain => format!("&amp;#{};", c as u32),
        // JSON spells characters outside the BMP as surrogate pairs, which read as no digit.
        Encoding::JsonEscape if (c as u32) <= 0xffff => format!("\\u{:04x}", c as u32),
        Encoding::JsonEscape => c.to_string(),
        Encoding::Percent => c.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
    }
}

/// `value` (digits and capital letters) as `spelling` writes it.
fn spelled(value: &str, spelling: &Spelling) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i > 0 && i % spelling.group == 0 {
            out.push_str(spelling.separator);
        }
        let c = match c.to_digit(10) {
            Some(d) => char::from_u32(spelling.zero + d).unwrap_or(c),
            None => c,
        };
        out.push_str(&encoded(c, spelling.encoding));
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
        "[a-z ]{0,12}",
        any::<String>(),
    ]
}

/// A text holding a card number in some spelling: (text, the card number).
fn card_case() -> impl Strategy<Value = (String, String)> {
    (neighbours(), card_number(), spelling(), neighbours()).prop_map(
        |(before, card, spelling, after)| {
            (
                format!("{before}{}{after}", spelled(&card, &spelling)),
                card,
            )
        },
    )
}

/// The promise for one piece of shown text: no card number nor IBAN by the oracle, and not the
/// card number's digits in clear.
fn holds_none(shown: &str, card: &str) -> Result<(), TestCaseError> {
    prop_assert!(!shown.contains(card), "{card} shown in clear: {shown}");
    if let Some(found) = card_number_in(shown) {
        return Err(TestCaseError::fail(format!(
            "a card number ({found}) survived: {shown}"
        )));
    }
    if let Some(found) = iban_in(shown) {
        return Err(TestCaseError::fail(format!(
            "an IBAN ({found}) survived: {shown}"
        )));
    }
    Ok(())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        ..Config::default()
    })
}

#[test]
fn the_masker_leaves_no_card_number_in_any_spelling() {
    runner(4096)
        .run(&card_case(), |(text, card)| {
            // A neighbour may change what the spelling means (a `\\` before `\\u0034`, a `%` before
            // digits): then there is no card number to look for.
            prop_assume!(card_number_in(&text).is_some());
            holds_none(&mask_text(&text), &card)
        })
        .unwrap();
}

/// An IBAN of a country `iban_validate` knows, its BBAN in that country's format.
fn iban() -> impl Strategy<Value = String> {
    let with_check = |country: &'static str| {
        move |bban: String| {
            (2..99)
                .map(|check| format!("{country}{check:02}{bban}"))
                .find(|candidate| iban_valid(candidate))
                .unwrap_or_default()
        }
    };
    prop_oneof![
        "[0-9]{10}[A-Z0-9]{11}[0-9]{2}".prop_map(with_check("FR")),
        "[0-9]{18}".prop_map(with_check("DE")),
        "[A-Z]{4}[0-9]{10}".prop_map(with_check("NL")),
        "[A-Z]{4}[0-9]{14}".prop_map(with_check("GB")),
        "[0-9]{12}".prop_map(with_check("BE")),
    ]
}

#[test]
fn the_masker_leaves_no_iban_in_any_case_or_grouping() {
    let cases = (
        prop_oneof![neighbours(), "(IBAN |mandate [A-Z0-9]{2,6} )"],
        iban(),
        prop_oneof![Just(0u8), Just(1), Just(2)],
        prop::sample::select(&["", " ", "-", "  ", "\u{a0}"][..]),
        prop_oneof![neighbours(), "[ ,.;]{0,3}"],
    );
    runner(2048)
        .run(&cases, |(before, iban, case, separator, after)| {
            let cased = match case {
                0 => iban.clone(),
                1 => iban.to_lowercase(),
                _ => iban
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if i % 2 == 0 {
                            c.to_ascii_lowercase()
                        } else {
                            c
                        }
                    })
                    .collect(),
            };
            let grouped = cased
                .as_bytes()
                .chunks(4)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect::<Vec<_>>()
                .join(separator);
            let text = format!("{before} {grouped} {after}");
            prop_assume!(iban_in(&text).is_some());
            let masked = mask_text(&text);
            prop_assert!(!masked.to_uppercase().contains(&iban), "{iban} in {masked}");
            holds_none(&masked, &iban)
        })
        .unwrap();
}

#[test]
fn text_without_a_card_number_or_iban_is_left_as_it_is() {
    let texts = prop_oneof![
        neighbours(),
        "[0-9a-f]{64}",
        "seal [0-9a-f]{64} at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\+01:00",
        any::<String>(),
    ];
    runner(2048)
        .run(&texts, |text| {
            if card_number_in(&text).is_none() && iban_in(&text).is_none() {
                prop_assert_eq!(mask_text(&text), text.as_str());
            }
            Ok(())
        })
        .unwrap();
}

fn is_decimal_digit(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.general_category() == GeneralCategory::DecimalNumber
}

/// Text that interleaves a card number's digits with anything but digits of any script (letters
/// included).
fn interleaved() -> impl Strategy<Value = (String, String)> {
    (card_number(), prop::collection::vec("[^\\p{Nd}]{0,8}", 19)).prop_map(|(card, fills)| {
        // Digits of any script the masker knows are left out of the fills (the regex's Unicode
        // tables may be older than the masker's).
        let fills: Vec<String> = fills
            .iter()
            .map(|fill| fill.chars().filter(|c| !is_decimal_digit(*c)).collect())
            .collect();
        let text: String = card
            .chars()
            .zip(&fills)
            .map(|(digit, fill)| format!("{digit}{fill}"))
            .collect();
        (text, card)
    })
}

#[test]
fn known_values_are_masked_whatever_stands_between_their_characters() {
    runner(2048)
        .run(&interleaved(), |(text, card)| {
            let mut secrets = Secrets::new();
            secrets.know(&card);
            let masked = secrets.mask(&text);
            prop_assert!(holds_by_value(&text, &card));
            prop_assert!(!holds_by_value(&masked, &card), "{card} in {masked}");
            holds_none(&masked, &card)
        })
        .unwrap();
}

#[test]
fn requests_debug_never_shows_a_card_number_in_any_field() {
    runner(512)
        .run(&card_case(), |(text, card)| {
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
                holds_none(&shown, &card)?;
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

/// Everything a caller may print of an error.
fn shown_of(error: &sips_wallet::Error) -> Vec<String> {
    let mut shown = vec![
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
        error.chain(),
    ];
    if let Some(exchange) = error.exchange() {
        shown.push(exchange.response());
        shown.push(exchange.request());
        shown.push(format!("{exchange:?}"));
    }
    shown
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
    runner(48)
        .run(&card_case(), |(text, card)| {
            for (status, body) in answers(&text) {
                *answer.lock().unwrap() = (status, body);
                let error = rt
                    .block_on(client.sign_off(SignOffRequest::new().merchant_wallet_id("W1")))
                    .expect_err("every answer here is refused");
                for shown in shown_of(&error) {
                    holds_none(&shown, &card)?;
                }
            }
            Ok(())
        })
        .unwrap();
    // The request's own card number, echoed by the server in a spelling no pattern knows (letters
    // between its digits): masked by value in what the error and the exchange show.
    runner(32)
        .run(&interleaved(), |(echo, card)| {
            let escaped = echo
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('\r', "");
            for (status, body) in answers(&escaped) {
                *answer.lock().unwrap() = (status, body);
                let request = AddCardRequest::new()
                    .merchant_wallet_id("W1")
                    .card_number(card.clone())
                    .card_expiry_date("203012");
                let Err(error) = rt.block_on(client.add_card(request)) else {
                    continue;
                };
                for shown in shown_of(&error) {
                    prop_assert!(!holds_by_value(&shown, &card), "{card} in {shown}");
                }
            }
            Ok(())
        })
        .unwrap();
}

/// The simulator's call list (`GET /_simulator/calls`, `Simulator::calls`): wallet ids holding a
/// card number in any spelling, or the request's own card number in any spelling at all.
#[test]
fn the_simulators_call_list_never_shows_a_card_number() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (simulator, client) = rt.block_on(common::demo_simulator());
    let cases = (card_case(), interleaved());
    runner(64)
        .run(&cases, |((text, card), (echo, own))| {
            simulator.reset().unwrap();
            let pattern = AddCardRequest::new()
                .merchant_wallet_id(text.clone())
                .card_number("4000000000000077")
                .card_expiry_date("203012");
            let value = AddCardRequest::new()
                .merchant_wallet_id(echo.clone())
                .card_number(own.clone())
                .card_expiry_date("203012");
            let _ = rt.block_on(client.add_card(pattern));
            let _ = rt.block_on(client.add_card(value));
            let calls = format!("{:?}", simulator.calls());
            holds_none(&calls, &card)?;
            prop_assert!(!holds_by_value(&calls, &own), "{own} in {calls}");
            Ok(())
        })
        .unwrap();
}

/// The simulator's state file: a card number or IBAN typed into an alias is stored masked (a wallet
/// id, the key the merchant finds the wallet by, is stored as sent: README, State).
#[tokio::test]
async fn the_simulators_state_keeps_no_card_number_typed_into_an_alias() {
    use sips_wallet::simulator::SimulatorConfig;
    let dir = common::scratch_dir("masking-state");
    let file = dir.join("wallets.db");
    let simulator = common::simulator(SimulatorConfig::default().state_file(&file)).await;
    let client = common::demo_client(&simulator);
    let alias = "card 4111 1111 1111 1111 / nl91 abna 0417 1643 00";
    let added = client
        .add_card(
            AddCardRequest::new()
                .merchant_wallet_id("STATE")
                .card_number("5555555555554444")
                .card_expiry_date("203012")
                .payment_mean_alias(alias),
        )
        .await
        .unwrap();
    assert!(added.is_success());
    simulator.shutdown(std::time::Duration::from_secs(5)).await;
    // The database and its write-ahead log, whichever holds the row now.
    let mut stored = String::new();
    for name in ["wallets.db", "wallets.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            stored.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    for secret in ["4111 1111 1111 1111", "0417 1643", "5555555555554444"] {
        assert!(!stored.contains(secret), "{secret} in the state file");
    }
    assert!(
        stored.contains("card 4111 #### #### ##11"),
        "the alias is kept, masked"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
