//! What `GET /_simulator/metrics` shows, in Prometheus' text format: the calls answered by
//! operation and code, and how long they took (a histogram in seconds, OpenTelemetry's buckets).
//! Labels are operation names and response codes only: bounded, and never data from a request.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use crate::protocol::response_code_label;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    seconds: f64,
    /// Calls at or under each bound of [`BUCKETS`] (not cumulative; summed when shown).
    buckets: [u64; BUCKETS.len()],
}

/// Calls by operation, then by code label (a code's label is allocated once, when first seen).
#[derive(Debug, Default)]
pub(super) struct Meter(Mutex<BTreeMap<&'static str, BTreeMap<String, Series>>>);

impl Meter {
    /// One call of `operation` (empty when the request named none this simulator serves: counted
    /// as `unknown`, a label a query can name) answered with `code`.
    pub(super) fn record(&self, operation: &'static str, code: &str, took: Duration) {
        let operation = if operation.is_empty() {
            "unknown"
        } else {
            operation
        };
        let seconds = took.as_secs_f64();
        let label = response_code_label(Some(code).filter(|c| !c.is_empty()));
        let mut series = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let by_code = series.entry(operation).or_default();
        let one = match by_code.get_mut(label) {
            Some(one) => one,
            None => by_code.entry(label.to_string()).or_default(),
        };
        one.count += 1;
        one.seconds += seconds;
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            one.buckets[bucket] += 1;
        }
    }

    pub(super) fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The Prometheus text exposition.
    pub(super) fn render(&self) -> String {
        let series: Vec<((&str, String), Series)> = {
            let by_operation = self.0.lock().unwrap_or_else(|p| p.into_inner());
            by_operation
                .iter()
                .flat_map(|(operation, by_code)| {
                    by_code
                        .iter()
                        .map(|(code, one)| ((*operation, code.clone()), one.clone()))
                })
                .collect()
        };
        let mut out = String::new();
        out.push_str(
            "# HELP sips_simulator_calls_total Calls answered, by operation and response code\n",
        );
        out.push_str("# TYPE sips_simulator_calls_total counter\n");
        for ((operation, code), one) in &series {
            let _ = writeln!(
                out,
                "sips_simulator_calls_total{{operation=\"{operation}\",code=\"{code}\"}} {}",
                one.count
            );
        }
        out.push_str("# HELP sips_simulator_call_duration_seconds Time to answer a call\n");
        out.push_str("# TYPE sips_simulator_call_duration_seconds histogram\n");
        for ((operation, code), one) in &series {
            let labels = format!("operation=\"{operation}\",code=\"{code}\"");
            let mut cumulative = 0;
            for (bound, in_bucket) in BUCKETS.iter().zip(one.buckets) {
                cumulative += in_bucket;
                let _ = writeln!(
                    out,
                    "sips_simulator_call_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "sips_simulator_call_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                one.count
            );
            let _ = writeln!(
                out,
                "sips_simulator_call_duration_seconds_sum{{{labels}}} {}",
                one.seconds
            );
            let _ = writeln!(
                out,
                "sips_simulator_call_duration_seconds_count{{{labels}}} {}",
                one.count
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_by_operation_and_code_with_cumulative_buckets() {
        let meter = Meter::default();
        meter.record("addCard", "00", Duration::from_millis(3));
        meter.record("addCard", "00", Duration::from_millis(60));
        meter.record("addCard", "4111111111111111", Duration::from_millis(1));
        meter.record("", "", Duration::from_millis(1));
        let text = meter.render();
        assert!(
            text.contains("sips_simulator_calls_total{operation=\"unknown\",code=\"none\"} 1"),
            "{text}"
        );
        assert!(!text.contains("operation=\"\""), "{text}");
        assert!(
            text.contains("sips_simulator_calls_total{operation=\"addCard\",code=\"00\"} 2"),
            "{text}"
        );
        assert!(text.contains("code=\"invalid\"} 1"), "{text}");
        assert!(!text.contains("4111"), "{text}");
        assert!(
            text.contains("sips_simulator_call_duration_seconds_bucket{operation=\"addCard\",code=\"00\",le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("sips_simulator_call_duration_seconds_bucket{operation=\"addCard\",code=\"00\",le=\"0.075\"} 2"),
            "{text}"
        );
    }
}
