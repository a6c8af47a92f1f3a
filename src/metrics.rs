//! Call metrics through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`): an
//! [observer](crate::client::CallObserver) that records every call, attempt and settled outcome
//! under the names of OpenTelemetry's RPC conventions. The application installs the recorder it
//! likes (Prometheus, OpenTelemetry, StatsD…) and gives the histograms [`DURATION_BUCKETS`].
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `rpc.client.call.duration` | histogram, seconds, a whole call (retries included) | `rpc.system.name`, `rpc.method`, `rpc.response.status_code`, `error.type`, `server.address`, `server.port`, `sips.binding` |
//! | `rpc.client.attempt.duration` | histogram, seconds, one attempt | the same |
//! | `sips_wallet.client.calls` | counter | `rpc.method`, `sips.binding`, `sips.outcome` (the Sips code, or the error's kind) |
//! | `sips_wallet.client.seal_failures` | counter | `rpc.method`, `error.type` (`seal_mismatch`, `seal_refused`, `missing_seal`, `unvouched_part`) |
//! | `sips_wallet.client.retries` | counter | `rpc.method` |
//! | `sips_wallet.client.settle_verdicts` | counter | `rpc.method`, `sips.verdict` (`applied`, `not_applied`, `in_effect`, `unknown`) |
//!
//! Labels hold names, codes and kinds only ([`CallEvent`] holds nothing else): never card data,
//! seals, wallet ids or references, which would leak and would multiply the series without bound.
//!
//! ```
//! let client = sips_wallet::WalletClient::builder()
//!     .observer(sips_wallet::metrics::Metrics::new());
//! ```

use metrics::{counter, describe_counter, describe_histogram, histogram, Label, Unit};

use crate::client::{Binding, CallEvent, CallObserver, Outcome, SettleEvent};

/// The buckets OpenTelemetry recommends for RPC durations, in seconds: give them to the exporter
/// for the two duration histograms (`PrometheusBuilder::set_buckets_for_metric`).
pub const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The duration of a whole call, retries included.
pub const CALL_DURATION: &str = "rpc.client.call.duration";
/// The duration of one attempt.
pub const ATTEMPT_DURATION: &str = "rpc.client.attempt.duration";
/// Calls, by method, binding and outcome.
pub const CALLS: &str = "sips_wallet.client.calls";
/// Answers whose seal failed, by kind.
pub const SEAL_FAILURES: &str = "sips_wallet.client.seal_failures";
/// Attempts after the first.
pub const RETRIES: &str = "sips_wallet.client.retries";
/// Unknown outcomes settled, by verdict.
pub const SETTLE_VERDICTS: &str = "sips_wallet.client.settle_verdicts";

/// Error kinds that are a seal failing.
const SEAL_KINDS: [&str; 4] = [
    "seal_mismatch",
    "seal_refused",
    "missing_seal",
    "unvouched_part",
];

/// Records every call of the clients it is given to in the installed `metrics` recorder.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Metrics;

impl Metrics {
    /// The observer; describes the metrics to the installed recorder.
    pub fn new() -> Metrics {
        describe_histogram!(
            CALL_DURATION,
            Unit::Seconds,
            "Duration of a wallet call, retries included"
        );
        describe_histogram!(
            ATTEMPT_DURATION,
            Unit::Seconds,
            "Duration of one attempt of a wallet call"
        );
        describe_counter!(CALLS, "Wallet calls by method, binding and outcome");
        describe_counter!(SEAL_FAILURES, "Answers whose seal failed, by kind");
        describe_counter!(RETRIES, "Attempts after the first (reads only)");
        describe_counter!(
            SETTLE_VERDICTS,
            "Unknown outcomes settled by reading, by verdict"
        );
        Metrics
    }
}

fn binding(binding: Binding) -> &'static str {
    match binding {
        Binding::Json => "json",
        Binding::Soap => "soap",
    }
}

/// The labels OpenTelemetry gives an RPC duration. The static ones are borrowed, not copied: only
/// the server's address and port and the response code are written per call.
fn duration_labels(event: &CallEvent<'_>) -> Vec<Label> {
    let last = match event.outcome {
        Outcome::Answered { code, .. } => Label::new("rpc.response.status_code", code.to_string()),
        Outcome::Failed { kind } => Label::from_static_parts("error.type", kind),
    };
    vec![
        Label::from_static_parts("rpc.system.name", "sips"),
        Label::from_static_parts("rpc.method", event.method()),
        Label::new("server.address", event.server_address.to_string()),
        Label::new("server.port", event.server_port.to_string()),
        Label::from_static_parts("sips.binding", binding(event.binding)),
        last,
    ]
}

impl CallObserver for Metrics {
    fn on_attempt(&self, event: &CallEvent<'_>) {
        histogram!(ATTEMPT_DURATION, duration_labels(event)).record(event.duration.as_secs_f64());
        if event.attempt > 1 {
            counter!(RETRIES, "rpc.method" => event.method()).increment(1);
        }
    }

    fn on_call(&self, event: &CallEvent<'_>) {
        histogram!(CALL_DURATION, duration_labels(event)).record(event.duration.as_secs_f64());
        counter!(
            CALLS,
            "rpc.method" => event.method(),
            "sips.binding" => binding(event.binding),
            "sips.outcome" => event.outcome.label().to_string()
        )
        .increment(1);
        if let Outcome::Failed { kind } = event.outcome {
            if SEAL_KINDS.contains(&kind) {
                counter!(SEAL_FAILURES, "rpc.method" => event.method(), "error.type" => kind)
                    .increment(1);
            }
        }
    }

    fn on_settled(&self, event: &SettleEvent) {
        counter!(SETTLE_VERDICTS, "rpc.method" => event.operation.method, "sips.verdict" => event.verdict)
            .increment(1);
    }
}
