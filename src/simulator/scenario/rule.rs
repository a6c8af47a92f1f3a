//! One rule of a scenario: its conditions, its effects, and the checks that refuse a rule that
//! says something impossible.

use serde::Deserialize;

use super::{Call, ScenarioError};
use crate::contracts;
use crate::simulator::faults::Fault;

/// One rule: when a call matches every condition given, the effects apply.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The operation, by its WSDL name (`addCard`, `getWalletData`, …).
    pub operation: Option<String>,
    /// `merchantId`.
    pub merchant: Option<String>,
    /// `merchantWalletId`, exactly.
    pub wallet: Option<String>,
    /// `merchantWalletId` starts with this.
    pub wallet_prefix: Option<String>,
    /// `cardNumber`, exactly.
    pub card: Option<CardNumber>,
    /// The call's rank among every request received, from 1.
    pub call: Option<u64>,
    /// Answer this response code, without running the function.
    pub answer: Option<String>,
    /// Answer this many milliseconds later.
    pub delay_ms: Option<u64>,
    /// Close the connection without answering, before or after the change is applied.
    #[serde(default, deserialize_with = "drop_setting")]
    pub drop: Drop,
    /// A wire fault instead of a clean answer (see [`Fault`]).
    pub fault: Option<Fault>,
    /// Run the function this many milliseconds after the request was read, whether or not the
    /// client is still there: the bank still working when the client gives up.
    pub commit_delay_ms: Option<u64>,
    /// Apply to this many matching calls only, then step aside.
    pub times: Option<u64>,
    /// How many calls it has applied to.
    #[serde(skip)]
    pub(super) used: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// When a rule closes the connection instead of answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Drop {
    /// It answers.
    #[default]
    Never,
    /// Closed before anything is applied (`drop = "before"`).
    Before,
    /// Closed after the change is committed (`drop = "after"`, or `drop = true`).
    After,
}

/// `drop = true | false | "before" | "after"`.
fn drop_setting<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Drop, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Flag(bool),
        When(String),
    }
    match Given::deserialize(deserializer)? {
        Given::Flag(true) => Ok(Drop::After),
        Given::Flag(false) => Ok(Drop::Never),
        Given::When(when) if when == "after" => Ok(Drop::After),
        Given::When(when) if when == "before" => Ok(Drop::Before),
        Given::When(other) => Err(serde::de::Error::custom(format!(
            "drop = \"{}\": expected \"before\", \"after\", true or false",
            crate::mask::from_outside(&other)
        ))),
    }
}

/// A card number in a rule: shown masked.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct CardNumber(pub(super) String);

impl std::fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::mask::mask_pan(&self.0))
    }
}

impl Rule {
    pub(super) fn check(&self, rule: usize) -> Result<(), ScenarioError> {
        let bad = |field, reason: String| {
            Err(ScenarioError::Rule {
                rule,
                field,
                reason,
            })
        };
        if self.answer.is_none()
            && self.delay_ms.is_none()
            && self.drop == Drop::Never
            && self.fault.is_none()
            && self.commit_delay_ms.is_none()
        {
            return bad(
                "answer",
                "missing: a rule needs an effect (answer, delay_ms, drop, fault or commit_delay_ms)"
                    .into(),
            );
        }
        if self.commit_delay_ms.is_some()
            && (self.answer.is_some() || self.fault.is_some() || self.drop == Drop::Before)
        {
            return bad(
                "commit_delay_ms",
                "contradicts `answer`, `fault` or `drop = \"before\"`: it delays a function that runs"
                    .into(),
            );
        }
        if self.times == Some(0) {
            return bad("times", "is 0: the rule would never apply".into());
        }
        if self.fault.is_some() && (self.answer.is_some() || self.drop != Drop::Never) {
            return bad(
                "fault",
                "contradicts `answer` or `drop`: a rule has one outcome".into(),
            );
        }
        if let Some(code) = &self.answer {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return bad(
                    "answer",
                    format!(
                        "is `{}`: a response code is two digits",
                        crate::mask::from_outside(code)
                    ),
                );
            }
        }
        if let Some(operation) = &self.operation {
            let known: Vec<&str> = contracts::operations().map(|o| o.info().name).collect();
            if !known.contains(&operation.as_str()) {
                return bad(
                    "operation",
                    format!(
                        "is `{}`, not one of: {}",
                        crate::mask::from_outside(operation),
                        known.join(", ")
                    ),
                );
            }
        }
        if self.call == Some(0) {
            return bad("call", "is 0: calls are counted from 1".into());
        }
        if self.answer.is_some() && self.drop != Drop::Never {
            return bad(
                "drop",
                "contradicts `answer`: a dropped connection answers nothing".into(),
            );
        }
        if let Some(CardNumber(card)) = &self.card {
            // Compared with what a client sends, which passed its checks: a card number that is
            // not digits, or fails Luhn, could never match.
            if !card.bytes().all(|b| b.is_ascii_digit()) || !crate::mask::luhn_valid(card) {
                return bad(
                    "card",
                    "can never match: a card number is digits only, no spaces, and passes the Luhn check"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// Counts one use, unless it is used up.
    pub(super) fn take(&self) -> bool {
        use std::sync::atomic::Ordering;
        match self.times {
            None => true,
            Some(times) => self
                .used
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                    (used < times).then_some(used + 1)
                })
                .is_ok(),
        }
    }

    pub(super) fn matches(&self, call: &Call<'_>) -> bool {
        fn holds<T>(condition: &Option<T>, test: impl FnOnce(&T) -> bool) -> bool {
            condition.as_ref().is_none_or(test)
        }
        holds(&self.operation, |o| o == call.operation)
            && holds(&self.merchant, |m| Some(m.as_str()) == call.merchant)
            && holds(&self.wallet, |w| Some(w.as_str()) == call.wallet)
            && holds(&self.wallet_prefix, |p| {
                call.wallet.is_some_and(|w| w.starts_with(p.as_str()))
            })
            && holds(&self.card, |c| Some(c.0.as_str()) == call.card)
            && holds(&self.call, |n| *n == call.number)
    }
}
