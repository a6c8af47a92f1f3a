//! What a reading proves of a change, given what a reading before it showed: the one rule behind
//! every verdict on an unknown outcome. Pure: no network, no clock.
//!
//! The premise, documented with the promise: nothing but this change writes to the wallet between
//! the reading before it and the last reading after it. Under it:
//!
//! - **Applied** only when the wallet differs from the reading before in exactly the way this
//!   change does (one mean added that shows what was sent; the mean it names changed in the fields
//!   it sets and nowhere else; that mean gone and nothing else; the wallet gone);
//! - **NotApplied** when the change could not have had an effect (what it names was not there), or
//!   when the wallet is as it was and the caller says the bank can no longer act on the request
//!   (its settle window has passed);
//! - **InEffect** when the wallet already shows what the change asks for, so that whether the bank
//!   ran it or not, it is as the change would leave it;
//! - anything else is unexplained: the outcome stays unknown.
//!
//! Without a reading before (a cold [`reconcile`](crate::WalletClient::reconcile)), a state the
//! wallet may have held before never counts as Applied.

use crate::message::Effect;

use super::evidence::{difference, Mean, WalletState};
use super::Change;

/// What one reading says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Judgement {
    /// Applied, NotApplied or InEffect, proven whatever happens later.
    Proven(super::Settled, String),
    /// Nothing of the change is there yet: NotApplied once the bank can no longer act on it.
    NothingYet(String),
    /// The wallet shows something this change does not explain: no later reading will settle it.
    Unexplained(String),
}

use super::Settled::{Applied, InEffect, NotApplied};
use Judgement::{NothingYet, Proven, Unexplained};

/// The judgement of `after`, read after the change, against `before`, read just before sending it
/// (`None`: no reading before).
pub(super) fn judge(
    change: &Change,
    before: Option<&WalletState>,
    after: &WalletState,
) -> Judgement {
    match (change.effect, before) {
        (Effect::AddsMean, Some(before)) => adds_mean(change, before, after),
        (Effect::AddsMean, None) => adds_mean_cold(change, after),
        (Effect::UpdatesMean, Some(before)) => updates_mean(change, before, after),
        (Effect::UpdatesMean, None) => updates_mean_cold(change, after),
        (Effect::RemovesMean, Some(before)) => removes_mean(change, before, after),
        (Effect::RemovesMean, None) => removes_mean_cold(change, after),
        (Effect::RemovesWallet, Some(before)) => removes_wallet(before, after),
        (Effect::RemovesWallet, None) => removes_wallet_cold(after),
        _ => Unexplained(format!(
            "{} is not a change a wallet reading shows",
            change.operation.name
        )),
    }
}

/// The wallet is as it was: no mean added, removed or changed, the same dates.
fn unchanged(before: &WalletState, after: &WalletState) -> bool {
    match (before, after) {
        (WalletState::Unknown, WalletState::Unknown) => true,
        (WalletState::Known(b), WalletState::Known(a)) => {
            let (removed, added) = difference(&b.means, &a.means);
            removed.is_empty() && added.is_empty() && b.same_dates(a)
        }
        _ => false,
    }
}

fn adds_mean(change: &Change, before: &WalletState, after: &WalletState) -> Judgement {
    let WalletState::Known(wallet) = after else {
        return match before {
            WalletState::Unknown => NothingYet("the wallet is still unknown to the bank".into()),
            WalletState::Known(_) => Unexplained(
                "the wallet is gone, which adding a payment mean does not explain".into(),
            ),
        };
    };
    let (removed, added) = difference(before.means(), &wallet.means);
    match (removed.as_slice(), added.as_slice()) {
        ([], []) if unchanged(before, after) => {
            let alike = before.means().iter().filter(|m| change.could_be(m)).count();
            NothingYet(if alike == 0 {
                "no payment mean was added".into()
            } else {
                format!(
                    "no payment mean was added; the wallet held {alike} like it before the call \
                     (the bank answers 94 to one already there)"
                )
            })
        }
        ([], [new]) if change.could_be(new) => Proven(
            Applied,
            format!(
                "payment mean {} was added, showing what this change sent",
                new.describe()
            ),
        ),
        ([], [new]) => Unexplained(format!(
            "payment mean {} was added, but it does not show what this change sent",
            new.describe()
        )),
        _ => Unexplained(format!(
            "the wallet changed in a way adding one payment mean does not explain ({} removed, {} \
             added): another change reached it",
            removed.len(),
            added.len()
        )),
    }
}

fn adds_mean_cold(change: &Change, after: &WalletState) -> Judgement {
    match after.means().iter().find(|m| change.could_be(m)) {
        Some(mean) => Unexplained(format!(
            "the wallet holds payment mean {}, which shows what this change sent but may have been \
             there before it: only a reading made before sending tells",
            mean.describe()
        )),
        None if *after == WalletState::Unknown => {
            NothingYet("the wallet is unknown to the bank".into())
        }
        None => NothingYet("no payment mean in the wallet shows what this change sent".into()),
    }
}

/// The mean a change names, by its number as a reading before the change showed it.
fn named<'a>(change: &Change, state: &'a WalletState) -> Option<&'a Mean> {
    let id = change.field(super::evidence::MEAN_ID);
    state.means().iter().find(|m| m.id.as_deref() == Some(id))
}

/// For a change that could not have had an effect (what it names was not there): NotApplied, as
/// long as the wallet is still as it was.
fn could_not_apply(before: &WalletState, after: &WalletState, what: &str) -> Judgement {
    if unchanged(before, after) {
        Proven(
            NotApplied,
            format!("{what} before the call: the bank answers 25 to it"),
        )
    } else {
        Unexplained(format!(
            "{what} before the call, yet the wallet changed since"
        ))
    }
}

fn updates_mean(change: &Change, before: &WalletState, after: &WalletState) -> Judgement {
    let id = change.field(super::evidence::MEAN_ID);
    let Some(target) = named(change, before) else {
        let what = match before {
            WalletState::Unknown => "the wallet was not there: nothing was updated".to_string(),
            WalletState::Known(_) => format!(
                "payment mean #{} was not in the wallet: nothing was updated",
                crate::mask::mask_text(id)
            ),
        };
        return could_not_apply(before, after, &what);
    };
    let WalletState::Known(wallet) = after else {
        return Unexplained(
            "the wallet is gone, which updating a payment mean does not explain".into(),
        );
    };
    let (removed, added) = difference(before.means(), &wallet.means);
    match (removed.as_slice(), added.as_slice()) {
        ([], []) => match change.already_shown_by(target) {
            Some(true) => Proven(
                InEffect,
                format!(
                    "payment mean {} already showed what this change sets before the call: the \
                     wallet is as it leaves it, whether or not the bank ran it",
                    target.describe()
                ),
            ),
            Some(false) if unchanged(before, after) => NothingYet(format!(
                "payment mean {} still shows what it showed before",
                target.describe()
            )),
            Some(false) => Unexplained("the wallet's dates moved, but no payment mean changed".into()),
            None => Unexplained(
                "the change sets no value a reading shows: no reading can tell whether the bank ran it"
                    .into(),
            ),
        },
        ([old], [new])
            if old.is(target)
                && new.same_but(target, &change.updated_fields())
                && change.could_be(new) =>
        {
            Proven(
                Applied,
                format!("payment mean {} now shows what this change sets", new.describe()),
            )
        }
        _ => Unexplained(format!(
            "the wallet changed in a way updating payment mean {} does not explain: another \
             change reached it",
            target.describe()
        )),
    }
}

fn updates_mean_cold(change: &Change, after: &WalletState) -> Judgement {
    // An update removes nothing: a mean or wallet missing now was missing before.
    let Some(target) = named(change, after) else {
        return Proven(
            NotApplied,
            "the payment mean it names is not in the wallet: there is nothing to update".into(),
        );
    };
    match change.already_shown_by(target) {
        Some(true) => Proven(
            InEffect,
            format!(
                "payment mean {} shows what this change sets: the wallet is as it leaves it, \
                 whether or not the bank ran it",
                target.describe()
            ),
        ),
        Some(false) => NothingYet(format!(
            "payment mean {} does not show what this change sets",
            target.describe()
        )),
        None => Unexplained(
            "the change sets no value a reading shows: no reading can tell whether the bank ran it"
                .into(),
        ),
    }
}

fn removes_mean(change: &Change, before: &WalletState, after: &WalletState) -> Judgement {
    let id = change.field(super::evidence::MEAN_ID);
    let Some(target) = named(change, before) else {
        let what = match before {
            WalletState::Unknown => "the wallet was not there: nothing was deleted".to_string(),
            WalletState::Known(_) => format!(
                "payment mean #{} was not in the wallet: nothing was deleted",
                crate::mask::mask_text(id)
            ),
        };
        return could_not_apply(before, after, &what);
    };
    let WalletState::Known(wallet) = after else {
        return Unexplained(
            "the wallet itself is gone, which deleting one payment mean does not explain".into(),
        );
    };
    let (removed, added) = difference(before.means(), &wallet.means);
    match (removed.as_slice(), added.as_slice()) {
        ([gone], []) if gone.is(target) => {
            let renumbered = wallet
                .means
                .iter()
                .any(|m| m.id.is_some() && m.id == target.id);
            Proven(
                Applied,
                format!(
                    "payment mean {} is gone{}",
                    target.describe(),
                    if renumbered {
                        " (the bank numbers means by rank: the next one now has its number)"
                    } else {
                        ""
                    }
                ),
            )
        }
        ([], []) if unchanged(before, after) => {
            NothingYet(format!("payment mean {} is still there", target.describe()))
        }
        _ => Unexplained(format!(
            "the wallet changed in a way deleting payment mean {} does not explain: another change \
             reached it",
            target.describe()
        )),
    }
}

fn removes_mean_cold(change: &Change, after: &WalletState) -> Judgement {
    match named(change, after) {
        None => Proven(
            InEffect,
            "the payment mean it names is not in the wallet: whether or not this change removed \
             it, there is nothing to delete"
                .into(),
        ),
        Some(mean) => Unexplained(format!(
            "the wallet shows a payment mean numbered {}, but a bank that numbers means by rank \
             shows the next one under the number of a deleted one: only a reading made before \
             sending tells",
            mean.describe()
        )),
    }
}

fn removes_wallet(before: &WalletState, after: &WalletState) -> Judgement {
    match (before, after) {
        (WalletState::Unknown, _) => could_not_apply(
            before,
            after,
            "the wallet was not there: nothing was signed off",
        ),
        (WalletState::Known(_), WalletState::Unknown) => {
            Proven(Applied, "the wallet is gone".into())
        }
        _ if unchanged(before, after) => NothingYet("the wallet is still there".into()),
        _ => Unexplained(
            "the wallet changed, which signing it off does not explain: another change reached it"
                .into(),
        ),
    }
}

fn removes_wallet_cold(after: &WalletState) -> Judgement {
    match after {
        WalletState::Unknown => Proven(
            InEffect,
            "the wallet is not there: whether or not this change removed it, there is nothing to \
             sign off"
                .into(),
        ),
        WalletState::Known(_) => NothingYet("the wallet is still there".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::operations;
    use crate::reconcile::evidence::Wallet;
    use crate::reconcile::Settled;
    use crate::seal::Value;

    /// A wallet holding means given as (number, masked PAN, alias).
    fn wallet(means: &[(&str, &str, &str)]) -> WalletState {
        let entries = means
            .iter()
            .map(|(id, pan, alias)| {
                let mut fields = vec![
                    ("paymentMeanId".to_string(), Value::Text(id.to_string())),
                    ("maskedPan".to_string(), Value::Text(pan.to_string())),
                ];
                if !alias.is_empty() {
                    fields.push(("paymentMeanAlias".into(), Value::Text(alias.to_string())));
                }
                Value::Object(fields)
            })
            .collect();
        let response = Value::Object(vec![(
            "walletPaymentMeanDataList".into(),
            Value::List(entries),
        )]);
        WalletState::Known(Wallet::of(&response))
    }

    fn change(operation: &dyn crate::message::DynOperation, fields: &[(&str, &str)]) -> Change {
        Change::of(operation, fields)
    }

    fn outcome(judgement: Judgement) -> Option<Settled> {
        match judgement {
            Proven(settled, _) => Some(settled),
            _ => None,
        }
    }

    #[test]
    fn cold_readings_never_take_an_old_state_for_the_change() {
        let add = change(&operations::AddCard, &[("cardNumber", "4111111111111111")]);
        let holding = wallet(&[("1", "4111##########11", "")]);
        assert!(matches!(judge(&add, None, &holding), Unexplained(_)));
        assert!(matches!(judge(&add, None, &wallet(&[])), NothingYet(_)));

        let delete = change(&operations::DeletePaymentMean, &[("paymentMeanId", "2")]);
        assert!(
            matches!(judge(&delete, None, &holding), Proven(InEffect, _)),
            "mean 2 is not there, whether or not it was deleted"
        );
        let two = wallet(&[("1", "4111##########11", ""), ("2", "5555##########44", "")]);
        assert!(
            matches!(judge(&delete, None, &two), Unexplained(_)),
            "under ranks, number 2 may be the next mean"
        );

        let rename = change(
            &operations::UpdatePaymentMean,
            &[("paymentMeanId", "1"), ("paymentMeanAlias", "work")],
        );
        let named = wallet(&[("1", "4111##########11", "Work ")]);
        assert_eq!(outcome(judge(&rename, None, &named)), Some(InEffect));
        assert!(matches!(judge(&rename, None, &holding), NothingYet(_)));
        assert_eq!(
            outcome(judge(&rename, None, &WalletState::Unknown)),
            Some(NotApplied)
        );

        let sign_off = change(&operations::SignOff, &[]);
        assert_eq!(
            outcome(judge(&sign_off, None, &WalletState::Unknown)),
            Some(InEffect)
        );
        assert!(matches!(judge(&sign_off, None, &holding), NothingYet(_)));
    }

    #[test]
    fn a_difference_the_change_does_not_explain_settles_nothing() {
        let add = change(&operations::AddCard, &[("cardNumber", "4111111111111111")]);
        let before = wallet(&[("1", "5555##########44", "")]);
        let two_added = wallet(&[
            ("1", "5555##########44", ""),
            ("2", "4111##########11", ""),
            ("3", "4111##########11", ""),
        ]);
        assert!(matches!(
            judge(&add, Some(&before), &two_added),
            Unexplained(_)
        ));
        let other_card = wallet(&[("1", "5555##########44", ""), ("2", "3782#########05", "")]);
        assert!(matches!(
            judge(&add, Some(&before), &other_card),
            Unexplained(_)
        ));
        let one_gone = wallet(&[("2", "4111##########11", "")]);
        assert!(matches!(
            judge(&add, Some(&before), &one_gone),
            Unexplained(_)
        ));

        let delete = change(&operations::DeletePaymentMean, &[("paymentMeanId", "1")]);
        let emptied = wallet(&[]);
        assert_eq!(
            outcome(judge(&delete, Some(&before), &emptied)),
            Some(Applied)
        );
        assert!(matches!(
            judge(&delete, Some(&before), &WalletState::Unknown),
            Unexplained(_)
        ));
    }
}
