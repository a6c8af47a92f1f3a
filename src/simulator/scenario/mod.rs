//! Deterministic scenarios for merchants' tests: rules, read from a small TOML file, that make
//! given calls answer a given code, take longer, or lose their connection.
//!
//! ```toml
//! # The first rule that matches a call decides it; a call no rule matches is served normally.
//! [[rule]]
//! wallet_prefix = "FAIL99-"     # every call on a wallet whose id starts with this…
//! answer = "99"                 # …is answered 99 (sealed; the wallets are left unchanged)
//!
//! [[rule]]
//! operation = "addCard"
//! card = "4000000000000002"     # compared in memory, never stored or logged
//! answer = "94"
//!
//! [[rule]]
//! operation = "getWalletData"
//! wallet = "SLOW"
//! delay_ms = 3000               # served normally, answered 3 s later
//!
//! [[rule]]
//! call = 3                      # the 3rd request the simulator receives (counting from 1)…
//! drop = "after"                # …has its connection closed with no answer, the change made
//!
//! [[rule]]
//! wallet = "LOST"
//! drop = "before"               # closed before anything is applied
//! ```
//!
//! Conditions: `operation`, `merchant`, `wallet`, `wallet_prefix`, `card`, `call` (all that are given
//! must hold); `times = N` makes a rule apply to the first N calls it matches only. Effects:
//! `answer`, `delay_ms`, `drop`, `fault`, `commit_delay_ms` (at least one; see [`Fault`] for the
//! wire faults). `commit_delay_ms` runs the function that long after the request was read, whether
//! the client is still there or not: the bank still working when the client gives up. A `[bank]`
//! table switches behaviours of real banks on (see [`Bank`]). `drop = "after"` (or `true`)
//! closes the connection once the change is committed, `drop = "before"` before anything is
//! applied: the two sides of an unknown outcome, for a client's reconciliation to tell apart. A
//! delayed call that changes a wallet has changed it before the delay: a client that times out
//! meanwhile sees the real "sent, outcome unknown" case.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

pub use super::bank::Bank;
use super::faults::Fault;

mod magic;
mod rule;

pub(in crate::simulator) use magic::magic;
pub use magic::MAGIC_VALUES;
pub use rule::{CardNumber, Drop, Rule};

/// The largest scenario file read: rules fit in a few kilobytes.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// The rules a simulator plays, in order, and how its bank behaves.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    rules: Vec<Rule>,
    bank: Bank,
}

/// What a rule makes of a call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effect {
    /// Answer this code instead of running the function.
    pub answer: Option<String>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Close the connection without answering, before or after applying the change.
    pub drop: Drop,
    /// A wire fault instead of a clean answer.
    pub fault: Option<Fault>,
    /// Run the function this much later than the request was read.
    pub commit_delay: Duration,
}

/// A set of rules added while the simulator runs ([`Simulator::add_rules`](crate::simulator::Simulator::add_rules),
/// `POST /_simulator/rules`), as `GET /_simulator/rules` lists it.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct AddedRules {
    /// Its id, for `DELETE /_simulator/rules/{id}`.
    pub id: u64,
    /// When it was added, the simulator's local time with offset.
    pub added: String,
    /// How many rules it holds.
    pub rules: usize,
    /// The TOML it was given (card numbers masked), when it came as text.
    pub toml: String,
}

/// A call, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The operation's WSDL name.
    pub operation: &'a str,
    /// `merchantId`, if given.
    pub merchant: Option<&'a str>,
    /// `merchantWalletId`, if given.
    pub wallet: Option<&'a str>,
    /// `cardNumber`, if given.
    pub card: Option<&'a str>,
    /// Rank among every request received, from 1.
    pub number: u64,
}

/// A scenario file that cannot be played.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, or a key no rule has.
    #[error("scenario: {0}")]
    Syntax(String),
    /// A rule that says something impossible.
    #[error("scenario rule {rule}: `{field}` {reason}")]
    Rule {
        /// Its rank in the file, from 1.
        rule: usize,
        /// The key at fault.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rule: Vec<Rule>,
    #[serde(default)]
    bank: Bank,
}

impl Scenario {
    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        use std::io::Read;
        let read = |source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        };
        // A FIFO would block the start, /dev/zero would read until memory runs out: only a regular
        // file, and only so much of it.
        let metadata = std::fs::metadata(path).map_err(read)?;
        if !metadata.is_file() {
            return Err(read(std::io::Error::other(
                "not a regular file (a scenario is a TOML file)",
            )));
        }
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(read)?
            .take(MAX_SCENARIO_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read)?;
        if text.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(read(std::io::Error::other(format!(
                "larger than {MAX_SCENARIO_BYTES} bytes"
            ))));
        }
        Scenario::from_toml(&text)
    }

    /// Reads a scenario from TOML text, checking every rule.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let file: File = toml::from_str(text).map_err(|e| {
            // toml's message quotes the offending line, which may hold a card number.
            ScenarioError::Syntax(crate::mask::mask_message(&e.to_string(), &["card"]).into_owned())
        })?;
        for (index, rule) in file.rule.iter().enumerate() {
            rule.check(index + 1)?;
        }
        Ok(Scenario {
            rules: file.rule,
            bank: file.bank,
        })
    }

    /// How its bank behaves (the `[bank]` table).
    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    pub(super) fn set_bank(&mut self, bank: Bank) {
        self.bank = bank;
    }

    /// How many rules it has.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether it has no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The effect of the first rule matching `call` (and not used up), if any.
    pub fn decide(&self, call: &Call<'_>) -> Option<Effect> {
        self.rules
            .iter()
            .find(|r| r.matches(call) && r.take())
            .map(|r| Effect {
                answer: r.answer.clone(),
                delay: Duration::from_millis(r.delay_ms.unwrap_or(0)),
                drop: r.drop,
                fault: r.fault,
                commit_delay: Duration::from_millis(r.commit_delay_ms.unwrap_or(0)),
            })
    }

    /// These rules, then `later`'s; `later`'s bank only if this one sets none.
    pub fn then(mut self, later: Scenario) -> Scenario {
        self.rules.extend(later.rules);
        if self.bank == Bank::default() {
            self.bank = later.bank;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(operation: &'static str, wallet: &'static str, number: u64) -> Call<'static> {
        Call {
            operation,
            merchant: Some("m"),
            wallet: Some(wallet),
            card: Some("4000000000000002"),
            number,
        }
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let scenario = Scenario::from_toml(
            r#"
            [[rule]]
            wallet_prefix = "FAIL99-"
            answer = "99"
            [[rule]]
            operation = "addCard"
            card = "4000000000000002"
            answer = "94"
            [[rule]]
            call = 3
            drop = true
            delay_ms = 20
            "#,
        )
        .unwrap();
        assert_eq!(
            scenario
                .decide(&call("signOff", "FAIL99-x", 1))
                .unwrap()
                .answer
                .as_deref(),
            Some("99")
        );
        assert_eq!(
            scenario
                .decide(&call("addCard", "W", 1))
                .unwrap()
                .answer
                .as_deref(),
            Some("94")
        );
        assert_eq!(
            scenario.decide(&call("signOff", "W", 3)),
            Some(Effect {
                answer: None,
                delay: Duration::from_millis(20),
                drop: Drop::After,
                fault: None,
                commit_delay: Duration::ZERO,
            })
        );
        assert_eq!(scenario.decide(&call("signOff", "W", 2)), None);
    }

    #[test]
    fn drop_says_before_or_after_the_change() {
        let when = |text: &str| {
            Scenario::from_toml(&format!("[[rule]]\ndrop = {text}\n"))
                .map(|s| s.decide(&call("signOff", "W", 1)).map(|e| e.drop))
                .map_err(|e| e.to_string())
        };
        assert_eq!(when("\"before\""), Ok(Some(Drop::Before)));
        assert_eq!(when("\"after\""), Ok(Some(Drop::After)));
        assert_eq!(when("true"), Ok(Some(Drop::After)));
        let error = when("\"sometimes\"").unwrap_err();
        assert!(error.contains("expected \"before\", \"after\""), "{error}");
    }

    #[test]
    fn bad_rules_are_refused_naming_rule_and_key() {
        let error = |text: &str| Scenario::from_toml(text).unwrap_err().to_string();
        assert_eq!(
            error("[[rule]]\nwallet = \"W\"\n"),
            "scenario rule 1: `answer` missing: a rule needs an effect (answer, delay_ms, drop, fault or commit_delay_ms)"
        );
        assert_eq!(
            error("[[rule]]\nanswer = \"9\"\n"),
            "scenario rule 1: `answer` is `9`: a response code is two digits"
        );
        assert!(error(
            "[[rule]]\nanswer = \"99\"\n[[rule]]\noperation = \"addcard\"\ndrop = true\n"
        )
        .starts_with("scenario rule 2: `operation` is `addcard`, not one of: addCard,"));
        assert!(error("[[rule]]\nanwser = \"99\"\n").contains("anwser"));
    }

    #[test]
    fn card_numbers_never_show() {
        let text = "[[rule]]\ncard = \"4000000000000002\"\nanswer = \"9\"\n";
        let scenario = Scenario::from_toml("[[rule]]\ncard = \"4000000000000002\"\ndrop = true\n");
        assert!(!format!("{scenario:?}").contains("4000000000000002"));
        let bad = "[[rule]]\ncard = \"4000000000000002\"\ndrop = tru\n";
        let message = Scenario::from_toml(bad).unwrap_err().to_string();
        assert!(!message.contains("4000000000000002"), "{message}");
        let _ = text;
    }
}
