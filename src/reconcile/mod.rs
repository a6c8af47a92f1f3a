//! Unknown outcomes settled by reading, without a wrong verdict: the crate's fifth promise.
//!
//! Sips has no idempotency key: after a change whose outcome is unknown
//! ([`Delivery::Unknown`]: the connection was lost or the time ran out after sending), repeating
//! it could apply it twice, so the one safe next step is to read and look.
//! [`WalletClient::call_and_settle`] does it all: it reads the wallet the change touches just
//! before sending it (the evidence before), sends the change once, and if the answer is lost, reads
//! the wallet again until a reading proves what happened or the bank can no longer act on the
//! request.
//!
//! **The promise: a verdict is never wrong.** [`Settled::Applied`], [`Settled::NotApplied`] and
//! [`Settled::InEffect`] are given only on proof; anything else is [`Settled::StillUnknown`], with
//! what would settle it. One rule decides (the `judge` module), given these facts from the
//! contract's sidecar ([`Effect`], [`ShownAs`]):
//!
//! | change | effect | Applied when the reading after shows | NotApplied when |
//! |---|---|---|---|
//! | addCard, addDirectDebit | `adds-mean` | exactly one mean more, showing what was sent (masked PAN in any style, expiry, alias; IBAN masked, mandate id) | no mean added, nothing changed, after the settle window |
//! | updatePaymentMean | `updates-mean` | the mean it names (known by everything it showed before, not by its number) changed in the fields it sets, and only there | the mean was not there before; or nothing changed, after the window |
//! | deletePaymentMean | `removes-mean` | that mean gone and nothing else (the others may be renumbered: ranks) | the mean was not there before; or it is still there, after the window |
//! | signOff | `removes-wallet` | the wallet gone (25, or 01) | the wallet was not there before; or it is still there, after the window |
//!
//! [`Settled::InEffect`]: the wallet already showed what the change asks for (an alias it
//! already held), so whether the bank ran it or not, the wallet is as it leaves it.
//!
//! - **The premise**: nothing but this change writes to the wallet between the reading before and
//!   the last reading after; a difference the change does not explain (another mean added, a
//!   mean gone) leaves the outcome unknown.
//! - **The settle window** ([`CallOptions::settle_window`](crate::CallOptions::settle_window),
//!   default three times the call's timeout, counted from when the change was sent) is how long
//!   the bank may still be working on the request: readings go on with backoff (100 ms, doubling,
//!   at most 2 s or a thirty-second of the window); Applied as soon as a reading shows it,
//!   NotApplied only from a reading made after the window.
//! - **Readings** are the contract's `reads-wallet` operation (getWalletData) at an interface
//!   version no older than the change's own, nor than the fields the identity relies on (the
//!   sidecar dates `mandateId` to 2.55): a bank that leaves newer fields out still shows them.
//! - Only a sealed answer is evidence: `00`, or a code saying the wallet is unknown
//!   ([`UNKNOWN_WALLET_CODES`](crate::protocol::UNKNOWN_WALLET_CODES): 25, and 01 as the prose
//!   documents it). Any other code, an unsealed answer or a failed reading proves nothing.
//! - [`WalletClient::reconcile`], called cold (no reading before the change), never says Applied
//!   for a state the wallet may have held before.
//!
//! The readings go through the operation table and field names only, so a vendor's WSDL with the
//! same sidecar keeps them.

mod evidence;
mod judge;
mod readings;

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use crate::dynamic;
use crate::effect::{Effect, ShownAs};
use crate::mask::mask_text;
use crate::message::{DynOperation, FieldInfo, Message, Operation, OperationInfo};
use crate::seal::Value;
use crate::{contract, contracts, Delivery, Error, Reply, WalletClient};

use evidence::Mean;
use readings::{Settler, WindowEnd};

/// What reading the wallet proves of a change whose outcome was unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Settled {
    /// The bank applied it: do not send it again.
    Applied,
    /// The bank did not apply it and can no longer act on it: it can be sent again.
    NotApplied,
    /// The wallet already shows what the change asks for (it did before the call, or the reading
    /// cannot tell whether this request did it): nothing to send again.
    InEffect,
    /// No reading proves what happened: the evidence says why and what would settle it; do not
    /// send the change again before it is settled.
    StillUnknown,
}

impl Settled {
    /// `applied`, `not_applied`, `in_effect` or `unknown`: for JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Settled::Applied => "applied",
            Settled::NotApplied => "not_applied",
            Settled::InEffect => "in_effect",
            Settled::StillUnknown => "unknown",
        }
    }
}

/// The verdict on an unknown outcome, with what it rests on.
#[derive(Debug)]
#[non_exhaustive]
pub struct Reconciliation {
    /// Applied, not applied, in effect, or still unknown.
    pub outcome: Settled,
    /// In words, what the readings showed and, when still unknown, what would settle it (card
    /// numbers masked).
    pub evidence: String,
    /// The settle window the verdict was reached in.
    pub window: Duration,
    /// How many readings were made after the change.
    pub readings: u32,
    /// For [`Settled::StillUnknown`], when a later reading could settle it: how long to wait
    /// before reading again. `None` when no reading will (the wallet shows something this change
    /// does not explain).
    pub read_again_after: Option<Duration>,
    /// The reading made just before the change was sent, when one was.
    pub before: Option<Reply<Value>>,
    /// The last reading's reply (its exchange is the proof for a support ticket).
    pub reading: Option<Reply<Value>>,
    /// The last reading's error, when it failed.
    pub error: Option<Error>,
}

/// What [`WalletClient::call_and_settle`] gives: the bank's answer, or, when it was lost, the
/// verdict reading the wallet reached.
#[derive(Debug)]
#[non_exhaustive]
pub enum Settlement<R> {
    /// The answer arrived (whatever its code).
    Answered(Reply<R>),
    /// The answer was lost (`lost` says how); the readings settled what the bank did.
    Settled {
        /// Why the outcome was unknown (a timeout, a connection lost).
        lost: Error,
        /// The verdict.
        reconciliation: Box<Reconciliation>,
    },
}

/// Where settling stands after a reading that proved nothing yet: for a progress line.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Progress {
    /// Why the outcome is unknown (the lost answer's error, card numbers masked).
    pub lost: String,
    /// Readings made so far.
    pub readings: u32,
    /// The settle window.
    pub window: Duration,
    /// How much of it is left.
    pub left: Duration,
    /// What the last reading showed.
    pub seen: String,
}

impl WalletClient {
    /// Sends a change once and, if its answer is lost, settles what the bank did by reading the
    /// wallet (see the [module](crate::reconcile)): one reading before sending, readings after only
    /// when the outcome is unknown. Never sends the change again. An operation that is not a
    /// change a reading shows is simply called.
    ///
    /// ```no_run
    /// # use sips_wallet::{contract::{operations, AddCardRequest}, WalletClient};
    /// # use sips_wallet::reconcile::{Settled, Settlement};
    /// # async fn run(client: WalletClient, request: AddCardRequest) -> Result<(), sips_wallet::Error> {
    /// match client.call_and_settle(operations::AddCard, request).await? {
    ///     Settlement::Answered(reply) => println!("answered {:?}", reply.code),
    ///     Settlement::Settled { reconciliation, .. } => match reconciliation.outcome {
    ///         Settled::Applied | Settled::InEffect => println!("done"),
    ///         Settled::NotApplied => println!("safe to send again"),
    ///         _ => println!("still unknown: {}", reconciliation.evidence),
    ///     },
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn call_and_settle<O: Operation>(
        &self,
        operation: O,
        request: O::Request,
    ) -> Result<Settlement<O::Response>, Error> {
        let change = Change::of(&operation, &text_fields(&request.to_value()));
        call_and_settle_with(self, change, self.call(operation, request), &|_| {}).await
    }

    /// After `request` of operation `O`, sent at `sent_at`, failed with an unknown outcome, reads
    /// the wallet and says what the bank did, with no reading from before the change: a state the
    /// wallet may have held before never counts as [`Settled::Applied`], so prefer
    /// [`call_and_settle`](Self::call_and_settle). Readings go on until the settle window
    /// (counted from `sent_at`) has passed. Never sends the change again.
    pub async fn reconcile<O: Operation>(
        &self,
        request: &O::Request,
        sent_at: SystemTime,
    ) -> Reconciliation {
        let change = Change::of(&O::default(), &text_fields(&request.to_value()));
        reconcile_change(self, change, sent_at).await
    }
}

/// [`WalletClient::call_and_settle`] for an operation and request given by name (XML names and
/// values): what the command line uses. `progress` hears of every reading that proved nothing yet.
pub async fn call_and_settle_fields(
    client: &WalletClient,
    operation: &'static dyn DynOperation,
    fields: &[(&str, &str)],
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<Settlement<Value>, Error> {
    let change = Change::of(operation, fields);
    call_and_settle_with(
        client,
        change,
        dynamic::call(client, operation, fields),
        progress,
    )
    .await
}

/// [`WalletClient::reconcile`] for an operation and request given by name.
pub async fn reconcile_fields(
    client: &WalletClient,
    operation: &'static dyn DynOperation,
    fields: &[(&str, &str)],
    sent_at: SystemTime,
) -> Reconciliation {
    reconcile_change(client, Change::of(operation, fields), sent_at).await
}

/// Whether a reading can settle `operation`: a change whose effect a wallet reading shows, in a
/// contract that has such a reading.
pub fn can_settle(operation: &dyn DynOperation) -> bool {
    operation.info().effect.is_settled_by_reading() && contracts::wallet_reading().is_some()
}

async fn call_and_settle_with<R>(
    client: &WalletClient,
    change: Change,
    send: impl Future<Output = Result<Reply<R>, Error>>,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<Settlement<R>, Error> {
    let operation = change.operation;
    let Some(settler) = Settler::new(client, change) else {
        return send.await.map(Settlement::Answered);
    };
    let before = settler.read().await;
    let sent_at = Instant::now();
    match send.await {
        Ok(reply) => Ok(Settlement::Answered(reply)),
        Err(lost) if lost.delivery() == Delivery::Unknown => {
            let deadline = WindowEnd::after(sent_at, settler.window);
            let lost_text = mask_text(&lost.chain()).into_owned();
            let reconciliation = settler
                .settle(Some(before), deadline, &lost_text, progress)
                .await;
            client.observe_settled(
                operation,
                reconciliation.outcome.as_str(),
                reconciliation.readings,
            );
            Ok(Settlement::Settled {
                lost,
                reconciliation: Box::new(reconciliation),
            })
        }
        Err(error) => Err(error),
    }
}

async fn reconcile_change(
    client: &WalletClient,
    change: Change,
    sent_at: SystemTime,
) -> Reconciliation {
    let (name, operation) = (change.operation.name, change.operation);
    let Some(settler) = Settler::new(client, change) else {
        return Reconciliation {
            outcome: Settled::StillUnknown,
            evidence: format!("{name} is not a change a wallet reading shows"),
            window: Duration::ZERO,
            readings: 0,
            read_again_after: None,
            before: None,
            reading: None,
            error: None,
        };
    };
    let elapsed = SystemTime::now()
        .duration_since(sent_at)
        .unwrap_or(Duration::ZERO);
    let deadline = WindowEnd::after(Instant::now(), settler.window.saturating_sub(elapsed));
    let reconciliation = settler
        .settle(None, deadline, "sent before this reconciliation", &|_| {})
        .await;
    client.observe_settled(
        operation,
        reconciliation.outcome.as_str(),
        reconciliation.readings,
    );
    reconciliation
}

/// A change's request fields that hold text, by XML name.
fn text_fields(value: &Value) -> Vec<(&str, &str)> {
    match value {
        Value::Object(fields) => fields
            .iter()
            .filter_map(|(name, value)| match value {
                Value::Text(text) => Some((name.as_str(), text.as_str())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A change as settling sees it: its operation, what it does, and its request's fields.
pub(crate) struct Change {
    operation: &'static OperationInfo,
    effect: Effect,
    request_fields: &'static [FieldInfo],
    fields: Vec<(String, String)>,
}

impl Change {
    fn of(operation: &dyn DynOperation, fields: &[(&str, &str)]) -> Change {
        Change {
            operation: operation.info(),
            effect: operation.info().effect,
            request_fields: operation.request_fields(),
            fields: fields
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// A request field's value, by XML name, or "".
    fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// The `[shown-as]` lines for the fields this change's request type has.
    fn rules(&self) -> impl Iterator<Item = &'static ShownAs> + '_ {
        contract::SHOWN_AS.iter().filter(|rule| {
            self.request_fields
                .iter()
                .any(|f| f.name == rule.request_field)
        })
    }

    /// Whether `mean` can be what this change made: nothing it shows contradicts a value sent.
    fn could_be(&self, mean: &Mean) -> bool {
        self.rules().all(|rule| {
            let shown = mean.text(rule.reading_field);
            shown.is_empty() || rule.shown.matches(self.field(rule.request_field), shown)
        })
    }

    /// The entry fields an update sets.
    fn updated_fields(&self) -> Vec<&'static str> {
        self.rules().map(|rule| rule.reading_field).collect()
    }

    /// Whether `mean` shows every value this change sets (`None` when it sets none a reading
    /// shows).
    fn already_shown_by(&self, mean: &Mean) -> Option<bool> {
        let sent: Vec<&ShownAs> = self
            .rules()
            .filter(|rule| !self.field(rule.request_field).trim().is_empty())
            .collect();
        (!sent.is_empty()).then(|| {
            sent.iter().all(|rule| {
                let shown = mean.text(rule.reading_field);
                !shown.is_empty() && rule.shown.matches(self.field(rule.request_field), shown)
            })
        })
    }
}
