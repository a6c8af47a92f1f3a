//! What one wallet reading shows, as evidence: the wallet unknown to the bank, or its payment means
//! and dates. Only a sealed answer is evidence; a payment mean is known by everything its entry
//! shows but its number, since a bank that numbers means by rank renumbers them after a delete.

use crate::contracts::payment_means;
use crate::mask::mask_text;
use crate::protocol::UNKNOWN_WALLET_CODES;
use crate::seal::Value;
use crate::{Reply, Verification};

/// The data dictionary's name for a payment mean's number in a wallet.
pub(super) const MEAN_ID: &str = "paymentMeanId";

/// The wallet's own fields a change moves (compared between readings): when it was created and
/// when it last changed.
const WALLET_DATES: &[&str] = &["walletCreationDateTime", "walletLastActionDateTime"];

/// A wallet as one sealed reading shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum WalletState {
    /// The bank does not know it (answered 25, or 01).
    Unknown,
    /// It exists, with these means and dates.
    Known(Wallet),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Wallet {
    pub means: Vec<Mean>,
    dates: Vec<(String, String)>,
}

/// One payment mean: its number as the bank gave it, and every other field its entry shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Mean {
    pub id: Option<String>,
    /// Its other fields, sorted by name: what it is known by.
    shown: Value,
}

impl WalletState {
    /// The evidence in a reading's reply, or why it is none.
    pub fn of(reply: &Reply<Value>) -> Result<WalletState, String> {
        if reply.verification != Verification::Verified {
            return Err("the reading's answer carries no seal: it proves nothing".into());
        }
        match reply.code.as_deref() {
            Some("00") => Ok(WalletState::Known(Wallet::of(&reply.response))),
            Some(code) if UNKNOWN_WALLET_CODES.contains(&code) => Ok(WalletState::Unknown),
            code => Err(format!(
                "the reading was answered {} ({}), which says nothing of the wallet",
                code.map(mask_text).unwrap_or_default(),
                reply
                    .code_meaning
                    .unwrap_or("a code the contract does not list")
            )),
        }
    }

    /// Its means, none when the wallet is unknown.
    pub fn means(&self) -> &[Mean] {
        match self {
            WalletState::Unknown => &[],
            WalletState::Known(wallet) => &wallet.means,
        }
    }
}

impl Wallet {
    /// A wallet from a getWalletData answer's fields.
    pub(super) fn of(response: &Value) -> Wallet {
        Wallet {
            means: payment_means(response).iter().map(Mean::of).collect(),
            dates: WALLET_DATES
                .iter()
                .filter_map(|name| Some((name.to_string(), response.text(name)?.to_string())))
                .collect(),
        }
    }

    /// Whether its dates are the ones `other` shows.
    pub fn same_dates(&self, other: &Wallet) -> bool {
        self.dates == other.dates
    }
}

impl Mean {
    fn of(entry: &Value) -> Mean {
        let mut fields: Vec<(String, Value)> = match entry {
            Value::Object(fields) => fields
                .iter()
                .filter(|(name, _)| name != MEAN_ID)
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        Mean {
            id: entry.text(MEAN_ID).map(str::to_string),
            shown: Value::Object(fields),
        }
    }

    /// A field of its entry, empty when absent.
    pub fn text(&self, field: &str) -> &str {
        self.shown.text(field).unwrap_or_default()
    }

    /// Whether it is the same mean as `other` (everything shown but the number is equal).
    pub fn is(&self, other: &Mean) -> bool {
        self.shown == other.shown
    }

    /// Whether it shows the same as `other` in every field but `except`.
    pub fn same_but(&self, other: &Mean, except: &[&str]) -> bool {
        let kept = |mean: &Mean| match &mean.shown {
            Value::Object(fields) => fields
                .iter()
                .filter(|(name, _)| !except.contains(&name.as_str()))
                .cloned()
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        kept(self) == kept(other)
    }

    /// How evidence names it: its number and masked PAN (masked again: text from outside).
    pub fn describe(&self) -> String {
        let id = self.id.as_deref().map(mask_text).unwrap_or_default();
        match self.shown.text("maskedPan") {
            Some(masked) => format!("#{id} ({})", mask_text(masked)),
            None => format!("#{id}"),
        }
    }
}

/// The means of `before` no longer in `after`, and the means of `after` not in `before`, matched
/// by what they show (not by number), one for one.
pub(super) fn difference<'a>(
    before: &'a [Mean],
    after: &'a [Mean],
) -> (Vec<&'a Mean>, Vec<&'a Mean>) {
    let mut unmatched: Vec<&Mean> = after.iter().collect();
    let mut removed = Vec::new();
    for mean in before {
        match unmatched.iter().position(|m| m.is(mean)) {
            Some(at) => {
                unmatched.swap_remove(at);
            }
            None => removed.push(mean),
        }
    }
    // Back in the order the bank listed them.
    unmatched.sort_by_key(|m| after.iter().position(|a| std::ptr::eq(a, *m)));
    (removed, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(id: &str, pan: &str, alias: Option<&str>) -> Mean {
        let mut fields = vec![
            (MEAN_ID.to_string(), Value::Text(id.into())),
            ("maskedPan".to_string(), Value::Text(pan.into())),
        ];
        if let Some(alias) = alias {
            fields.push(("paymentMeanAlias".into(), Value::Text(alias.into())));
        }
        Mean::of(&Value::Object(fields))
    }

    #[test]
    fn means_are_matched_by_what_they_show_not_by_number() {
        let before = [
            mean("1", "4111##########11", None),
            mean("2", "5555##########44", None),
            mean("3", "3782#########05", None),
        ];
        // Mean 2 deleted by a bank that numbers by rank: the third is now #2.
        let after = [
            mean("1", "4111##########11", None),
            mean("2", "3782#########05", None),
        ];
        let (removed, added) = difference(&before, &after);
        assert_eq!(removed, vec![&before[1]]);
        assert!(added.is_empty());
    }

    #[test]
    fn identical_means_count_one_for_one() {
        let one = mean("1", "4111##########11", None);
        let before = [one.clone()];
        let after = [one.clone(), mean("2", "4111##########11", None)];
        let (removed, added) = difference(&before, &after);
        assert!(removed.is_empty());
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].id.as_deref(), Some("2"));
        let renamed = mean("1", "4111##########11", Some("mine"));
        assert!(renamed.same_but(&one, &["paymentMeanAlias"]));
        assert!(!renamed.is(&one));
    }
}
