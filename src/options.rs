//! Per-call settings: [`CallOptions`], applied with [`WalletClient::with_options`](crate::WalletClient::with_options).

use std::time::Duration;

use crate::retry::RetryPolicy;

/// Settings for the calls of one [`WalletClient`](crate::WalletClient) view: a time budget other than
/// the client's, extra HTTP headers, a retry policy for reads.
///
/// ```
/// # use std::time::Duration;
/// # use sips_wallet::{CallOptions, WalletClient};
/// # fn view(client: &WalletClient) -> WalletClient {
/// client.with_options(
///     CallOptions::new()
///         .timeout(Duration::from_secs(5))
///         .header("x-correlation-id", "order-4711"),
/// )
/// # }
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) settle_window: Option<Duration>,
}

impl CallOptions {
    /// No change from the client's settings.
    pub fn new() -> CallOptions {
        CallOptions::default()
    }

    /// Each attempt's time budget (connecting, sending, receiving, decoding). With a retry policy,
    /// every attempt has this budget of its own, and the waits between attempts come on top.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// One more HTTP header on each request (after the client's own). `content-type`, `soapaction`,
    /// `content-length` and `host` are the client's: a call that sets them fails with
    /// [`Error::Config`](crate::Error::Config) before sending.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Retries getWalletData and getPaymentMeanData as `policy` says (never a change: addCard,
    /// updatePaymentMean, deletePaymentMean and signOff are sent once).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// How long after a change was sent the bank may still act on it, when its outcome is unknown
    /// (default: three times the call's timeout). Settling an unknown outcome
    /// ([`WalletClient::call_and_settle`](crate::WalletClient::call_and_settle),
    /// [`reconcile`](crate::WalletClient::reconcile)) says
    /// [`NotApplied`](crate::reconcile::Settled::NotApplied) only from a reading made after it has
    /// passed; it says [`Applied`](crate::reconcile::Settled::Applied) as soon as a reading shows
    /// the change. A bank that may take longer than this to finish a request needs a longer window.
    pub fn settle_window(mut self, window: Duration) -> Self {
        self.settle_window = Some(window);
        self
    }
}
