//! The seal rule exists once, in the runtime (`seal::Value::seal_data`: sorted by name, unsealed
//! fields left out, nested objects in place). Each generated message also walks its own fields in
//! an order fixed at build time (`Message::write_seal_data`): for any values, on every request and
//! response of both contracts, the two agree. So does the shape rule (`seal::Value::check_shape`:
//! no list item or nested object that adds nothing to the seal) with each message's generated
//! `check_parts`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use sips_wallet::contract;
use sips_wallet::inapp;
use sips_wallet::message::{FieldInfo, FieldKind, Message, Operation, OperationVisitor};

/// The nested message types of the contracts, by schema name: `FieldKind::Object` names its type,
/// and the test fills it through these fields.
fn nested_fields(type_name: &str) -> &'static [FieldInfo] {
    match type_name {
        "WalletPaymentMeanData" => contract::WalletPaymentMeanData::FIELDS,
        other => panic!("no fields known for nested type {other}: add it here"),
    }
}

/// A value per field: empty sometimes (left out of the seal), or text with characters that sort
/// and escape in interesting ways.
fn values() -> impl Strategy<Value = Vec<String>> {
    // Mostly empty in some cases, so that whole items add nothing to the seal.
    (1u32..16).prop_flat_map(|empty_weight| {
        proptest::collection::vec(
            prop_oneof![
                empty_weight => Just(String::new()),
                1 => "[a-zA-Z0-9 &<é_.:-]{1,8}",
            ],
            64,
        )
    })
}

/// Fills every field of `M` from `values` (nested ones with two records) and checks the walks agree.
fn agree<M: Message>(values: &[String]) -> Result<(), TestCaseError> {
    let mut message = M::default();
    let mut next = values.iter().cycle();
    for field in M::FIELDS {
        match field.kind {
            FieldKind::Object { type_name } => {
                for _ in 0..2 {
                    let record: Vec<(&str, &str)> = nested_fields(type_name)
                        .iter()
                        .filter(|f| !matches!(f.kind, FieldKind::Object { .. }))
                        .map(|f| (f.name, next.next().map_or("", String::as_str)))
                        .collect();
                    message
                        .push_record(field.name, &record)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
            _ => {
                let value = next.next().map_or("", String::as_str);
                message
                    .set_text(field.name, value)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
        }
    }
    prop_assert_eq!(
        message.seal_data(),
        message.to_value().seal_data(),
        "{}: the generated walk and the runtime's rule differ",
        M::TYPE_NAME
    );
    prop_assert_eq!(
        message.check_shape(),
        message.to_value().check_shape(),
        "{}: the generated shape check and the runtime's rule differ",
        M::TYPE_NAME
    );
    Ok(())
}

struct Agree<'a>(&'a [String]);

impl OperationVisitor for Agree<'_> {
    type Output = Result<(), TestCaseError>;

    fn visit<O: Operation>(self) -> Self::Output {
        agree::<O::Request>(self.0)?;
        agree::<O::Response>(self.0)
    }
}

#[test]
fn the_generated_seal_walk_agrees_with_the_runtime_rule_on_every_message() {
    let mut runner = TestRunner::new(Config {
        cases: 128,
        ..Config::default()
    });
    let elements: Vec<(&str, bool)> = contract::OPERATIONS
        .iter()
        .map(|o| (o.info().request_element, false))
        .chain(
            inapp::OPERATIONS
                .iter()
                .map(|o| (o.info().request_element, true)),
        )
        .collect();
    assert!(
        elements.len() >= 7,
        "both contracts' operations: {elements:?}"
    );
    runner
        .run(&values(), |values| {
            for (element, in_app) in &elements {
                let checked = if *in_app {
                    inapp::with_request_element(element, Agree(&values))
                } else {
                    contract::with_request_element(element, Agree(&values))
                };
                checked.unwrap_or_else(|| panic!("{element} is in the table"))?;
            }
            Ok(())
        })
        .unwrap();
}
