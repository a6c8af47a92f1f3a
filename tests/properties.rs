//! Properties over many generated inputs, through the real path (a client, an HTTP server on
//! loopback): text survives the round trip exactly, and no edit of a sealed response makes the
//! client report `Verified` with values the seal did not cover.

mod common;

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use quick_xml::events::Event;

use common::{Action, TestServer, KEY};
use sips_wallet::contract::{
    operations, AddCardRequest, GetWalletDataOutput, GetWalletDataRequest, WalletPaymentMeanData,
};
use sips_wallet::message::Message;
use sips_wallet::{envelope, seal, Error, SecretKey, Verification};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Text a user might send: any Unicode, with XML's special characters, line ends and edge spaces
/// made frequent.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        1 => Just("&".to_string()),
        1 => Just("<".to_string()),
        1 => Just("]]>".to_string()),
        1 => Just("\r".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("\r\n".to_string()),
        1 => Just("\t".to_string()),
        1 => Just(" ".to_string()),
        1 => Just("&amp;".to_string()),
        1 => "[a-zA-Z0-9é€😀]{1,4}",
        // U+F000 to U+FFFF, where U+FFFE and U+FFFF (not XML) lie.
        1 => "[\u{F000}-\u{FFFF}]",
    ];
    proptest::collection::vec(piece, 1..12).prop_map(|pieces| pieces.concat())
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

const CARD: &str = "4111111111111111";

#[test]
fn any_text_round_trips_through_the_simulator_exactly_or_is_refused_naming_its_field() {
    let rt = runtime();
    let mut runner = TestRunner::new(Config {
        cases: 96,
        ..Config::default()
    });
    runner
        .run(&(text(), text()), |(wallet, alias)| {
            rt.block_on(async {
                // A fresh simulator per case: every wallet id is new to it.
                let (_simulator, client) = common::demo_simulator().await;
                let added = client
                    .add_card(
                        AddCardRequest::new()
                            .merchant_wallet_id(wallet.clone())
                            .card_number(CARD)
                            .card_expiry_date("203012")
                            .payment_mean_alias(alias.clone()),
                    )
                    .await;
                let refused = if !wallet.chars().all(is_xml_char) {
                    Some("merchantWalletId")
                } else if !alias.chars().all(is_xml_char) {
                    Some("paymentMeanAlias")
                } else {
                    None
                };
                if let Some(field) = refused {
                    match added {
                        Err(Error::InvalidField { field: named, .. }) if named == field => {
                            return Ok(())
                        }
                        other => {
                            return Err(TestCaseError::fail(format!(
                                "expected {field} refused, got {other:?}"
                            )))
                        }
                    }
                }
                let added = added.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(added.code.as_deref(), Some("00"));
                prop_assert_eq!(added.verification, Verification::Verified);

                let data = client
                    .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet.clone()))
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(data.code.as_deref(), Some("00"));
                prop_assert_eq!(data.verification, Verification::Verified);
                let means = &data.response.wallet_payment_mean_data_list;
                prop_assert_eq!(means.len(), 1);
                prop_assert_eq!(means[0].payment_mean_alias.as_deref(), Some(alias.as_str()));
                Ok(())
            })
        })
        .unwrap();
}

/// A sealed getWalletData answer holding three payment means.
fn sealed_wallet() -> (GetWalletDataOutput, String) {
    let mean = |id: &str, alias: &str| {
        WalletPaymentMeanData::new()
            .payment_mean_id(id)
            .masked_pan("4111##########11")
            .payment_mean_alias(alias)
            .pan_expiry_date("203012")
    };
    let mut response = GetWalletDataOutput::new()
        .wallet_response_code("00")
        .wallet_creation_date_time("2026-11-23T10:00:00+01:00")
        .wallet_payment_mean_data_list(mean("1", "first"))
        .wallet_payment_mean_data_list(mean("2", "second"))
        .wallet_payment_mean_data_list(mean("3", "third"));
    let key = SecretKey::new(KEY).unwrap();
    response.seal =
        Some(seal::compute(seal::Algorithm::HmacSha256, &key, &response.seal_data()).into());
    let body = envelope::write_response::<operations::GetWalletData>(&response).unwrap();
    (response, body)
}

/// Byte ranges of every element inside the response's `output`, in document order.
fn elements_in_output(xml: &str) -> Vec<(usize, usize)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut open = Vec::new();
    let mut ranges = Vec::new();
    let mut inside = false;
    loop {
        let before = reader.buffer_position() as usize;
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                if inside {
                    open.push(before);
                }
                inside |= e.local_name().as_ref() == b"output";
            }
            Event::Empty(_) if inside => ranges.push((before, reader.buffer_position() as usize)),
            Event::End(e) => {
                if e.local_name().as_ref() == b"output" {
                    inside = false;
                } else if let Some(start) = open.pop() {
                    ranges.push((start, reader.buffer_position() as usize));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    ranges.sort();
    ranges
}

#[derive(Debug, Clone)]
enum Edit {
    /// The element again, right after itself.
    Duplicate(usize),
    /// The element moved after the next element that does not overlap it.
    MoveLater(usize),
    /// The element's name put in another namespace.
    Renamespace(usize),
}

fn apply(xml: &str, edit: &Edit) -> String {
    let ranges = elements_in_output(xml);
    let pick = |i: usize| ranges[i % ranges.len()];
    match *edit {
        Edit::Duplicate(i) => {
            let (start, end) = pick(i);
            format!("{}{}{}", &xml[..end], &xml[start..end], &xml[end..])
        }
        Edit::MoveLater(i) => {
            let (start, end) = pick(i);
            let Some(&(_, after)) = ranges.iter().find(|(s, _)| *s >= end) else {
                return xml.to_string();
            };
            // Only a sibling or a later element outside this one: never inside itself.
            format!(
                "{}{}{}{}",
                &xml[..start],
                &xml[end..after],
                &xml[start..end],
                &xml[after..]
            )
        }
        Edit::Renamespace(i) => {
            let (start, end) = pick(i);
            let element = &xml[start..end];
            // `<urn:name…>…</urn:name>` becomes `<o:name xmlns:o="…"…>…</o:name>`.
            let Some(rest) = element.strip_prefix("<urn:") else {
                return xml.to_string();
            };
            let name_end = rest.find(['>', '/', ' ']).unwrap_or(rest.len());
            let (name, rest) = rest.split_at(name_end);
            let closing = format!("</urn:{name}>");
            let rest = match rest.strip_suffix(closing.as_str()) {
                Some(inner) => format!("{inner}</o:{name}>"),
                None => rest.to_string(),
            };
            format!(
                "{}<o:{name} xmlns:o=\"urn:somebody:else\"{rest}{}",
                &xml[..start],
                &xml[end..]
            )
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..64usize).prop_map(Edit::Duplicate),
        (0..64usize).prop_map(Edit::MoveLater),
        (0..64usize).prop_map(Edit::Renamespace),
    ]
}

#[test]
fn no_edit_of_a_sealed_answer_is_verified_with_other_values() {
    let rt = runtime();
    let (original, sealed) = sealed_wallet();
    let body = Arc::new(Mutex::new(sealed.clone()));
    let (server, client) = rt.block_on(async {
        let served = body.clone();
        let server =
            TestServer::start(move |_| Action::Respond(200, served.lock().unwrap().clone())).await;
        let client = common::builder(&server.url).build().unwrap();
        (server, client)
    });
    let mut runner = TestRunner::new(Config {
        cases: 256,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(edit(), 1..4), |edits| {
            let mut edited = sealed.clone();
            for edit in &edits {
                edited = apply(&edited, edit);
            }
            *body.lock().unwrap() = edited.clone();
            let reply = rt.block_on(
                client.get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id("W1")),
            );
            if let Ok(reply) = reply {
                if reply.verification == Verification::Verified {
                    prop_assert_eq!(
                        serde_json::to_value(&reply.response).unwrap(),
                        serde_json::to_value(&original).unwrap(),
                        "edited answer verified with other values:\n{}",
                        edited
                    );
                }
            }
            Ok(())
        })
        .unwrap();
    drop(server);
}
