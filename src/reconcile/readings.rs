//! The readings after a lost change: one reading of the wallet at the right interface version,
//! repeated with backoff until the judge proves an outcome or the settle window has passed.

use std::time::{Duration, Instant};

use crate::mask::mask_text;
use crate::message::{DynOperation, OperationInfo, Version};
use crate::seal::Value;
use crate::{contracts, dynamic, Error, Reply, WalletClient};

use super::evidence::WalletState;
use super::judge::{self, Judgement};
use super::{Change, Progress, Reconciliation, Settled};

/// The first wait between readings, and the longest (a thirty-second of a long window, up to an
/// hour: a window of days ends in StillUnknown after the last reading rather than in waits of
/// hours).
const FIRST_WAIT: Duration = Duration::from_millis(100);
const LONGEST_WAIT: Duration = Duration::from_secs(2);
const LONGEST_WAIT_OF_ALL: Duration = Duration::from_secs(3600);
/// Readings at most, however long the window: a bound on the work.
const MAX_READINGS: u32 = 64;

/// When the settle window closes; never, when that lies beyond what the clock can hold (no
/// duration a caller gives can overflow it, nor end the window early).
#[derive(Debug, Clone, Copy)]
pub(super) struct WindowEnd(Option<Instant>);

impl WindowEnd {
    /// The end of a window of `window` opened at `start`.
    pub(super) fn after(start: Instant, window: Duration) -> WindowEnd {
        WindowEnd(start.checked_add(window))
    }

    fn passed_at(self, at: Instant) -> bool {
        self.0.is_some_and(|end| at >= end)
    }

    fn left(self) -> Duration {
        self.0.map_or(Duration::MAX, |end| {
            end.saturating_duration_since(Instant::now())
        })
    }
}

/// One change being settled: the reading to make, at which interface version, in which window.
pub(super) struct Settler<'c> {
    client: &'c WalletClient,
    change: Change,
    reading: &'static dyn DynOperation,
    version: Option<String>,
    pub(super) window: Duration,
}

impl<'c> Settler<'c> {
    pub(super) fn new(client: &'c WalletClient, change: Change) -> Option<Settler<'c>> {
        let reading = contracts::wallet_reading()?;
        if !change.effect.is_settled_by_reading() {
            return None;
        }
        let version = reading_version(client, reading.info(), &change);
        Some(Settler {
            client,
            change,
            reading,
            version,
            window: client.settle_window(),
        })
    }

    /// One reading of the wallet the change touches.
    pub(super) async fn read(&self) -> Result<Reply<Value>, Error> {
        let mut fields = vec![("merchantWalletId", self.change.field("merchantWalletId"))];
        if let Some(version) = &self.version {
            fields.push(("interfaceVersion", version.as_str()));
        }
        dynamic::call(self.client, self.reading, &fields).await
    }

    /// Reads until a reading proves the outcome, or one made after `deadline` finds nothing of the
    /// change (NotApplied), or one made after it proves nothing (still unknown).
    pub(super) async fn settle(
        &self,
        before: Option<Result<Reply<Value>, Error>>,
        deadline: WindowEnd,
        lost: &str,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Reconciliation {
        let (before, before_note) = match before {
            None => (None, None),
            Some(Ok(reply)) => match WalletState::of(&reply) {
                Ok(state) => (Some((reply, state)), None),
                Err(why) => (
                    None,
                    Some(format!(
                        "the reading before the call proved nothing ({why})"
                    )),
                ),
            },
            Some(Err(error)) => (
                None,
                Some(format!(
                    "the reading before the call failed ({})",
                    error.chain()
                )),
            ),
        };
        let before_state = before.as_ref().map(|(_, state)| state);
        let longest = LONGEST_WAIT.max(self.window / 32).min(LONGEST_WAIT_OF_ALL);
        let mut wait = FIRST_WAIT;
        let mut readings = 0;
        loop {
            let started = Instant::now();
            readings += 1;
            let last = deadline.passed_at(started) || readings >= MAX_READINGS;
            let result = self.read().await;
            let judged = match &result {
                Ok(reply) => WalletState::of(reply)
                    .map(|after| judge::judge(&self.change, before_state, &after)),
                Err(error) => Err(format!("the reading failed ({})", error.chain())),
            };
            let verdict = match judged {
                Ok(Judgement::Proven(outcome, evidence)) => Some((outcome, evidence, None)),
                Ok(Judgement::Unexplained(evidence)) => Some((Settled::StillUnknown, evidence, None)),
                Ok(Judgement::NothingYet(evidence)) if deadline.passed_at(started) => Some((
                    Settled::NotApplied,
                    format!(
                        "{evidence}, read after the settle window ({}) had passed since it was sent: \
                         the bank no longer acts on it",
                        seconds(self.window)
                    ),
                    None,
                )),
                Ok(Judgement::NothingYet(evidence)) | Err(evidence) if last => Some((
                    Settled::StillUnknown,
                    format!(
                        "{evidence}; {}: read again",
                        if deadline.passed_at(started) {
                            "no reading proved the outcome".to_string()
                        } else {
                            format!("{readings} readings proved nothing before the settle window ended")
                        }
                    ),
                    Some(wait),
                )),
                Ok(Judgement::NothingYet(seen)) | Err(seen) => {
                    let left = deadline.left();
                    progress(&Progress {
                        lost: lost.to_string(),
                        readings,
                        window: self.window,
                        left,
                        seen,
                    });
                    None
                }
            };
            if let Some((outcome, evidence, read_again_after)) = verdict {
                let (reading, error) = match result {
                    Ok(reply) => (Some(reply), None),
                    Err(error) => (None, Some(error)),
                };
                let evidence = match (&before_note, outcome) {
                    (Some(note), Settled::StillUnknown) => format!("{evidence} ({note})"),
                    _ => evidence,
                };
                return Reconciliation {
                    outcome,
                    evidence: mask_text(&evidence).into_owned(),
                    window: self.window,
                    readings,
                    read_again_after,
                    before: before.map(|(reply, _)| reply),
                    reading,
                    error,
                };
            }
            let left = deadline.left();
            let pause = if left.is_zero() { wait } else { wait.min(left) };
            tokio::time::sleep(pause).await;
            wait = (wait * 2).min(longest);
        }
    }
}

/// `6 s`, `1.5 s`.
fn seconds(duration: Duration) -> String {
    format!("{} s", (duration.as_millis() as f64 / 100.0).round() / 10.0)
}

/// The interface version of the readings: the reading's own (the builder's or the recommended
/// one), raised to the change's and to the version of every entry field the change is recognised
/// by, so that a bank leaving out fields newer than a request's version still shows them.
fn reading_version(
    client: &WalletClient,
    reading: &OperationInfo,
    change: &Change,
) -> Option<String> {
    let sent = Some(change.field("interfaceVersion"))
        .filter(|v| !v.is_empty())
        .or_else(|| client.default_interface_version(change.operation));
    let own = client.default_interface_version(reading);
    let prefix = own
        .or(sent)
        .and_then(|v| v.rsplit_once('_'))
        .map(|(prefix, _)| prefix)?;
    let relied = change
        .rules()
        .filter_map(|rule| contracts::field_since(rule.reading_field));
    let version = [own, sent]
        .into_iter()
        .flatten()
        .filter_map(Version::of_interface_version)
        .chain(relied)
        .max()?;
    Some(format!("{prefix}_{version}"))
}
