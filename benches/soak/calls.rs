//! One random call on a worker's wallets, checked against the model and applied to it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use sips_wallet::contract::{
    AddCardRequest, DeletePaymentMeanRequest, GetPaymentMeanDataRequest, GetWalletDataRequest,
    SignOffRequest, UpdatePaymentMeanRequest,
};
use sips_wallet::mask::mask_pan;
use sips_wallet::{Error, Reply, Verification, WalletClient};

use crate::model::{means_of, model_means, Mean, Model, Wallet};
use crate::CARDS;

/// How a call ended.
pub(crate) enum Ended {
    /// Answered with the model's code (the model is updated on 00).
    Predicted,
    /// The injected failure: 99, nothing changed.
    Injected99,
    /// No answer: the outcome is unknown to the client.
    NoAnswer,
}

/// Tallies of every call, and the first disagreement with the model.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) predicted: AtomicU64,
    pub(crate) injected_99: AtomicU64,
    pub(crate) no_answer: AtomicU64,
    pub(crate) wrong: Mutex<Vec<String>>,
}

impl Tally {
    pub(crate) fn count(&self, ended: &Ended) {
        let counter = match ended {
            Ended::Predicted => &self.predicted,
            Ended::Injected99 => &self.injected_99,
            Ended::NoAnswer => &self.no_answer,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn wrong(&self, what: String) {
        let mut wrong = self.wrong.lock().unwrap_or_else(|p| p.into_inner());
        if wrong.len() < 10 {
            wrong.push(what);
        }
    }
}

/// The code the reply carries, or how the call failed.
pub(crate) fn outcome<T>(result: &Result<Reply<T>, Error>) -> Result<&str, String> {
    match result {
        Ok(reply) if reply.verification != Verification::Verified => {
            Err(format!("unverified {:?}", reply.code))
        }
        Ok(reply) => Ok(reply.code.as_deref().unwrap_or("")),
        Err(Error::Transport { .. } | Error::Timeout(_)) => Err(String::new()),
        Err(other) => Err(format!("unexpected error: {other}")),
    }
}

/// One random call on one of `wallets`, checked against and applied to `model`.
pub(crate) async fn one_call(
    client: &WalletClient,
    model: &mut Model,
    wallet_id: &str,
    tally: &Tally,
) -> Ended {
    let wallet = model.get(wallet_id).cloned();
    let mean_id = wallet
        .as_ref()
        .and_then(|w| {
            let ids: Vec<u32> = w.means.keys().copied().collect();
            (!ids.is_empty()).then(|| ids[fastrand::usize(..ids.len())])
        })
        .unwrap_or_else(|| fastrand::u32(1..4));
    let mean_known = wallet
        .as_ref()
        .is_some_and(|w| w.means.contains_key(&mean_id));
    let found = |known: bool| if known { "00" } else { "25" };
    let check = |what: &str, result: Result<&str, String>, expected: &str| -> Option<Ended> {
        match result {
            Ok("99") => Some(Ended::Injected99),
            Ok(code) if code == expected => None,
            Ok(code) => {
                tally.wrong(format!(
                    "{what} on {wallet_id}: {code}, the model says {expected}"
                ));
                Some(Ended::Predicted)
            }
            Err(e) if e.is_empty() => Some(Ended::NoAnswer),
            Err(e) => {
                tally.wrong(format!("{what} on {wallet_id}: {e}"));
                Some(Ended::Predicted)
            }
        }
    };
    match fastrand::u32(0..100) {
        0..30 => {
            let card = CARDS[fastrand::usize(..CARDS.len())];
            let expiry = format!("20{}12", fastrand::u32(30..40));
            let duplicate = wallet
                .as_ref()
                .is_some_and(|w| w.means.values().any(|m| m.card == card));
            let result = client
                .add_card(
                    AddCardRequest::new()
                        .merchant_wallet_id(wallet_id)
                        .card_number(card)
                        .card_expiry_date(expiry.clone()),
                )
                .await;
            let expected = if duplicate { "94" } else { "00" };
            if let Some(ended) = check("addCard", outcome(&result), expected) {
                return ended;
            }
            if !duplicate {
                let entry = model.entry(wallet_id.to_string()).or_insert(Wallet {
                    next: 1,
                    means: BTreeMap::new(),
                });
                let id = entry.next;
                entry.next += 1;
                let given = result
                    .ok()
                    .and_then(|r| r.response.payment_mean_id)
                    .and_then(|i| i.parse::<u32>().ok());
                if given != Some(id) {
                    tally.wrong(format!(
                        "addCard on {wallet_id}: mean {given:?}, the model says {id}"
                    ));
                }
                entry.means.insert(
                    id,
                    Mean {
                        masked_pan: mask_pan(card),
                        card,
                        expiry,
                        alias: None,
                    },
                );
            }
        }
        30..55 => {
            let result = client
                .get_wallet_data(GetWalletDataRequest::new().merchant_wallet_id(wallet_id))
                .await;
            if let Some(ended) = check("getWalletData", outcome(&result), found(wallet.is_some())) {
                return ended;
            }
            if let (Ok(reply), Some(wallet)) = (&result, &wallet) {
                if means_of(&reply.response.wallet_payment_mean_data_list) != model_means(wallet) {
                    tally.wrong(format!(
                        "getWalletData on {wallet_id}: not the model's means"
                    ));
                }
            }
        }
        55..70 => {
            let alias = format!("alias {}", fastrand::u32(..1000));
            let result = client
                .update_payment_mean(
                    UpdatePaymentMeanRequest::new()
                        .merchant_wallet_id(wallet_id)
                        .payment_mean_id(mean_id.to_string())
                        .payment_mean_alias(alias.clone()),
                )
                .await;
            if let Some(ended) = check("updatePaymentMean", outcome(&result), found(mean_known)) {
                return ended;
            }
            if let Some(mean) = model
                .get_mut(wallet_id)
                .and_then(|w| w.means.get_mut(&mean_id))
            {
                mean.alias = Some(alias);
            }
        }
        70..80 => {
            let result = client
                .delete_payment_mean(
                    DeletePaymentMeanRequest::new()
                        .merchant_wallet_id(wallet_id)
                        .payment_mean_id(mean_id.to_string()),
                )
                .await;
            if let Some(ended) = check("deletePaymentMean", outcome(&result), found(mean_known)) {
                return ended;
            }
            if let Some(w) = model.get_mut(wallet_id) {
                w.means.remove(&mean_id);
            }
        }
        80..90 => {
            let result = client
                .get_payment_mean_data(
                    GetPaymentMeanDataRequest::new()
                        .merchant_wallet_id(wallet_id)
                        .payment_mean_id(mean_id.to_string()),
                )
                .await;
            if let Some(ended) = check("getPaymentMeanData", outcome(&result), found(mean_known)) {
                return ended;
            }
        }
        _ => {
            let result = client
                .sign_off(SignOffRequest::new().merchant_wallet_id(wallet_id))
                .await;
            if let Some(ended) = check("signOff", outcome(&result), found(wallet.is_some())) {
                return ended;
            }
            model.remove(wallet_id);
        }
    }
    Ended::Predicted
}
