//! The magic values, as payment test modes have them: what a wallet id or card number makes the
//! simulator do with no rules file.

use super::{Bank, CardNumber, Drop, Rule, Scenario};
use crate::contract;

/// Magic values, as payment test modes have them: what a wallet id or card number makes the
/// simulator do without any rules file (after a scenario's own rules; off with `--no-magic`).
///
/// | value | effect |
/// |---|---|
/// | wallet id starting `SIM-99-` | answered 99 |
/// | wallet id starting `SIM-TIMEOUT-` | never answered (the connection stays open until the server's request timeout) |
/// | wallet id starting `SIM-DROP-AFTER-` | a change is committed, then the connection is closed (reads are served) |
/// | wallet id starting `SIM-DROP-BEFORE-` | a change's connection is closed before anything is applied (reads are served) |
/// | card number `4000000000000002` | addCard answered 94 |
/// | card number `4000000000000028` | addCard answered 12 |
pub const MAGIC_VALUES: &[(&str, &str)] = &[
    ("SIM-99-", "answered 99"),
    ("SIM-TIMEOUT-", "never answered"),
    ("SIM-DROP-AFTER-", "committed, then the connection closed"),
    (
        "SIM-DROP-BEFORE-",
        "the connection closed before anything is applied",
    ),
    ("4000000000000002", "addCard answered 94"),
    ("4000000000000028", "addCard answered 12"),
];

/// The wallet service's changes (every operation that is not a read), which the drop magic values
/// apply to.
fn changes() -> impl Iterator<Item = &'static str> {
    contract::OPERATIONS
        .iter()
        .map(|o| o.info())
        .filter(|info| !info.effect.is_read())
        .map(|info| info.name)
}

/// The rules behind [`MAGIC_VALUES`].
pub(in crate::simulator) fn magic() -> &'static Scenario {
    static MAGIC: std::sync::OnceLock<Scenario> = std::sync::OnceLock::new();
    MAGIC.get_or_init(|| {
        let prefix = |prefix: &str| Rule {
            wallet_prefix: Some(prefix.into()),
            ..Rule::default()
        };
        let card = |card: &str, code: &str| Rule {
            operation: Some("addCard".into()),
            card: Some(CardNumber(card.into())),
            answer: Some(code.into()),
            ..Rule::default()
        };
        Scenario {
            rules: vec![
                Rule {
                    answer: Some("99".into()),
                    ..prefix("SIM-99-")
                },
                Rule {
                    // Longer than any request timeout: the server closes the connection first.
                    delay_ms: Some(24 * 3600 * 1000),
                    ..prefix("SIM-TIMEOUT-")
                },
                card("4000000000000002", "94"),
                card("4000000000000028", "12"),
            ]
            .into_iter()
            // Only changes are dropped: the reads that settle them are served.
            .chain(changes().flat_map(|operation| {
                [
                    ("SIM-DROP-AFTER-", Drop::After),
                    ("SIM-DROP-BEFORE-", Drop::Before),
                ]
                .map(|(wallets, drop)| Rule {
                    operation: Some(operation.to_string()),
                    drop,
                    ..prefix(wallets)
                })
            }))
            .collect(),
            bank: Bank::default(),
        }
    })
}
