//! Unknown outcomes settled by reading.
//!
//! Sips has no idempotency key: after a change whose outcome is unknown
//! ([`Delivery::Unknown`](crate::Delivery::Unknown): the connection was lost or the time ran out
//! after sending), repeating it could apply it twice, so the one safe next step is to read and
//! look. Each change has its reading:
//!
//! | change | reading | applied when | not applied when |
//! |---|---|---|---|
//! | addCard | getWalletData | a mean has the card's masked PAN and expiry | the wallet is unknown or has no such mean |
//! | addDirectDebit | getWalletData | a mean has the mandate's id | the wallet is unknown or has no such mean |
//! | updatePaymentMean | getPaymentMeanData | the mean's alias is the one sent | the alias differs, or the mean is unknown |
//! | deletePaymentMean | getPaymentMeanData | the mean is unknown (25) | the mean is there |
//! | signOff | getWalletData | the wallet is unknown (25) | the wallet is there |
//!
//! Only a reading whose seal verified decides; anything else (a read that fails, an unsealed or
//! other answer) leaves the outcome unknown, with the reason. A reading never repeats the change.
//! The readings go through the operation table and field names only, so a vendor's WSDL that
//! names its operations and fields as the data dictionary does keeps them.

use crate::dynamic::{self, payment_means};
use crate::mask::mask_pan;
use crate::message::{Message, Operation};
use crate::seal::Value;
use crate::{Error, Reply, Verification, WalletClient};

/// What a reading says of a change whose outcome was unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Settled {
    /// The bank applied it: do not send it again.
    Applied,
    /// The bank did not apply it: it can be sent again.
    NotApplied,
    /// The reading could not tell (it failed, or its answer proves nothing): read again later.
    StillUnknown,
}

/// The outcome of [`WalletClient::reconcile`], with what it rests on.
#[derive(Debug)]
#[non_exhaustive]
pub struct Reconciliation {
    /// Applied, not applied, or still unknown.
    pub outcome: Settled,
    /// In words, what the reading found (`found by reading the wallet`), for a log or a person.
    pub evidence: String,
    /// The reading's reply, when one came (its exchange is the proof for a support ticket).
    pub reading: Option<Reply<Value>>,
    /// Why the outcome is still unknown, when the reading itself failed.
    pub error: Option<Error>,
}

impl WalletClient {
    /// After `request` of operation `O` failed with an unknown outcome, reads the wallet and says
    /// whether the bank applied it (see the [module](crate::reconcile) for each operation's
    /// reading). Never sends the change again.
    ///
    /// ```no_run
    /// # use sips_wallet::{contract::{operations, AddCardRequest}, Delivery, WalletClient};
    /// # use sips_wallet::reconcile::Settled;
    /// # async fn run(client: WalletClient, request: AddCardRequest) {
    /// if let Err(error) = client.add_card(request.clone()).await {
    ///     if error.delivery() == Delivery::Unknown {
    ///         let settled = client.reconcile::<operations::AddCard>(&request).await;
    ///         if settled.outcome == Settled::NotApplied { /* safe to send again */ }
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn reconcile<O: Operation>(&self, request: &O::Request) -> Reconciliation {
        let tree = request.to_value();
        let fields: Vec<(&str, &str)> = match &tree {
            Value::Object(fields) => fields
                .iter()
                .filter_map(|(name, value)| match value {
                    Value::Text(text) => Some((name.as_str(), text.as_str())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        reconcile_fields(self, O::INFO.name, &fields).await
    }
}

/// [`WalletClient::reconcile`] for a change given by its operation's WSDL name and its request's
/// fields (XML name, value): what the command line uses.
pub async fn reconcile_fields(
    client: &WalletClient,
    operation: &str,
    fields: &[(&str, &str)],
) -> Reconciliation {
    let wallet = [("merchantWalletId", field(fields, "merchantWalletId"))];
    let mean = [
        ("merchantWalletId", field(fields, "merchantWalletId")),
        ("paymentMeanId", field(fields, "paymentMeanId")),
    ];
    let reading_fields: &[(&str, &str)] = match reading_for(operation) {
        Some("getWalletData") => &wallet,
        Some(_) => &mean,
        None => {
            return unknown(format!(
                "{operation} is not a change this crate knows how to settle by reading"
            ))
        }
    };
    let reading = reading_for(operation).unwrap_or_default();
    let Some(read) = dynamic::operation(reading) else {
        return unknown(format!("the contract has no {reading} to read with"));
    };
    let reply = match dynamic::call(client, read, reading_fields).await {
        Ok(reply) => reply,
        Err(error) => {
            return Reconciliation {
                outcome: Settled::StillUnknown,
                evidence: format!("the reading ({reading}) failed"),
                reading: None,
                error: Some(error),
            }
        }
    };
    let (outcome, evidence) = judge(operation, &reply, fields);
    Reconciliation {
        outcome,
        evidence: evidence.into(),
        reading: Some(reply),
        error: None,
    }
}

/// Whether a reading can settle `operation` (a change of the wallet service, by WSDL name).
pub fn can_settle(operation: &str) -> bool {
    reading_for(operation).is_some()
}

/// The read that settles a change: the table at the top of this module.
fn reading_for(operation: &str) -> Option<&'static str> {
    match operation {
        "addCard" | "addDirectDebit" | "signOff" => Some("getWalletData"),
        "updatePaymentMean" | "deletePaymentMean" => Some("getPaymentMeanData"),
        _ => None,
    }
}

/// A request field's value, by XML name, or "".
fn field<'a>(fields: &[(&str, &'a str)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_default()
}

fn unknown(evidence: String) -> Reconciliation {
    Reconciliation {
        outcome: Settled::StillUnknown,
        evidence,
        reading: None,
        error: None,
    }
}

/// What the reading's reply says of the change.
fn judge(
    operation: &str,
    reply: &Reply<Value>,
    fields: &[(&str, &str)],
) -> (Settled, &'static str) {
    let field = |name: &str| field(fields, name);
    if reply.verification != Verification::Verified {
        return (
            Settled::StillUnknown,
            "the reading's answer carries no seal: it proves nothing",
        );
    }
    let gone = match reply.code.as_deref() {
        Some("00") => false,
        Some("25") => true,
        _ => {
            return (
                Settled::StillUnknown,
                "the reading was answered with a code that says nothing of the change",
            )
        }
    };
    let response = &reply.response;
    let settled = |applied: bool| {
        if applied {
            Settled::Applied
        } else {
            Settled::NotApplied
        }
    };
    match operation {
        "addCard" if !is_clear_pan(field("panType"), field("cardNumber")) => (
            Settled::StillUnknown,
            "a card given as a token or encrypted cannot be recognised in the wallet",
        ),
        "addCard" => {
            let masked = mask_pan(field("cardNumber"));
            let expiry = field("cardExpiryDate");
            let found = !gone
                && payment_means(response).iter().any(|mean| {
                    mean.text("maskedPan") == Some(masked.as_str())
                        && mean.text("panExpiryDate").unwrap_or_default() == expiry
                });
            (
                settled(found),
                if found {
                    "found by reading the wallet"
                } else {
                    "not in the wallet"
                },
            )
        }
        "addDirectDebit" => {
            let mandate = field("mandateId");
            let found = !gone
                && payment_means(response)
                    .iter()
                    .any(|mean| mean.text("mandateId") == Some(mandate));
            (
                settled(found),
                if found {
                    "found by reading the wallet"
                } else {
                    "not in the wallet"
                },
            )
        }
        "updatePaymentMean" => {
            let alias = response
                .get("walletPaymentMeanData")
                .and_then(|mean| mean.text("paymentMeanAlias"))
                .unwrap_or_default();
            let applied = !gone && alias == field("paymentMeanAlias");
            (
                settled(applied),
                if applied {
                    "the payment mean holds the new alias"
                } else {
                    "the payment mean does not hold the new alias"
                },
            )
        }
        "deletePaymentMean" => (
            settled(gone),
            if gone {
                "the payment mean is gone"
            } else {
                "the payment mean is still there"
            },
        ),
        "signOff" => (
            settled(gone),
            if gone {
                "the wallet is gone"
            } else {
                "the wallet is still there"
            },
        ),
        _ => (Settled::StillUnknown, "not a change"),
    }
}

/// Whether the card number is a clear PAN, which the wallet shows masked as [`mask_pan`] does.
fn is_clear_pan(pan_type: &str, card_number: &str) -> bool {
    matches!(pan_type, "" | "PAN") && card_number.bytes().all(|b| b.is_ascii_digit())
}
