//! Hooks on every call, for metrics, traces and audits: a [`CallObserver`] given to the builder
//! hears of each attempt, each call and each settled unknown outcome.
//!
//! What it hears holds names, numbers, codes and kinds only, by construction: the operation, the
//! binding, the server's host and port, the attempt, the duration, the response code (when it has
//! the form of one), the verification, the error's [kind](crate::Error::kind) and the settle
//! verdict. Never a field of a request or an answer, a seal, a wallet id or a reference.

use std::time::Duration;

use crate::message::OperationInfo;

use super::environment::Binding;
use super::reply::Verification;

/// Hears of every call of the clients it is given to ([`WalletClientBuilder::observer`](super::WalletClientBuilder::observer)).
/// Its methods run on the caller's task, after each step: keep them quick (count, record, send
/// to a channel). Each has a default that does nothing.
pub trait CallObserver: Send + Sync + 'static {
    /// One attempt ended (a read retried makes several).
    fn on_attempt(&self, event: &CallEvent<'_>) {
        let _ = event;
    }

    /// The call ended, retries included: what the caller gets.
    fn on_call(&self, event: &CallEvent<'_>) {
        let _ = event;
    }

    /// An unknown outcome was settled by reading the wallet (or could not be).
    fn on_settled(&self, event: &SettleEvent) {
        let _ = event;
    }
}

/// One attempt, or one whole call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallEvent<'a> {
    /// The operation: its name, its service, whether it reads or changes.
    pub operation: &'static OperationInfo,
    /// How it travelled.
    pub binding: Binding,
    /// The server's host name or address.
    pub server_address: &'a str,
    /// The server's port.
    pub server_port: u16,
    /// For an attempt, its number from 1; for a call, the attempts it made.
    pub attempt: u32,
    /// How long the attempt, or the whole call (waits between retries included), took.
    pub duration: Duration,
    /// How it ended.
    pub outcome: Outcome<'a>,
}

impl CallEvent<'_> {
    /// `WalletService/addCard`: the call's name in traces and metrics (OpenTelemetry's
    /// `rpc.method`).
    pub fn method(&self) -> &'static str {
        self.operation.method
    }
}

/// How an attempt or a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome<'a> {
    /// An answer was read: its response code and whether its seal verified.
    Answered {
        /// The response code, when it has the form of one (up to 4 letters or digits), else
        /// `"invalid"`: a label, never text from outside.
        code: &'a str,
        /// Whether the seal verified.
        verification: Verification,
    },
    /// No usable answer: the error's [kind](crate::Error::kind) (`timeout`, `connect`, `tls`,
    /// `soap_fault`, `decode`, `seal_mismatch`…).
    Failed {
        /// The kind.
        kind: &'static str,
    },
}

impl Outcome<'_> {
    /// The code, or the error's kind: one label for both.
    pub fn label(&self) -> &str {
        match self {
            Outcome::Answered { code, .. } => code,
            Outcome::Failed { kind } => kind,
        }
    }
}

/// An unknown outcome settled by reading.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SettleEvent {
    /// The change whose answer was lost.
    pub operation: &'static OperationInfo,
    /// `applied`, `not_applied`, `in_effect` or `unknown`.
    pub verdict: &'static str,
    /// The readings made.
    pub readings: u32,
}

impl<T: CallObserver + ?Sized> CallObserver for std::sync::Arc<T> {
    fn on_attempt(&self, event: &CallEvent<'_>) {
        (**self).on_attempt(event)
    }

    fn on_call(&self, event: &CallEvent<'_>) {
        (**self).on_call(event)
    }

    fn on_settled(&self, event: &SettleEvent) {
        (**self).on_settled(event)
    }
}

/// The observers a client was built with.
#[derive(Clone, Default)]
pub(crate) struct Observers(pub(crate) Vec<std::sync::Arc<dyn CallObserver>>);

impl std::fmt::Debug for Observers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} observer(s)", self.0.len())
    }
}

impl Observers {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn attempt(&self, event: &CallEvent<'_>) {
        self.0.iter().for_each(|o| o.on_attempt(event));
    }

    pub(crate) fn call(&self, event: &CallEvent<'_>) {
        self.0.iter().for_each(|o| o.on_call(event));
    }

    pub(crate) fn settled(&self, event: &SettleEvent) {
        self.0.iter().for_each(|o| o.on_settled(event));
    }
}
