//! The calls the simulator received, as the admin API lists them (and `Simulator::calls`
//! in-process): the latest ones, bounded in count and in bytes.

use std::collections::VecDeque;

use serde::Serialize;

/// The calls kept for `GET /_simulator/calls`: the latest ones, so a load test's memory stays flat.
pub(super) const KEPT_CALLS: usize = 10_000;
/// And at most this many bytes of them (each field quoting the request is cut already).
pub(super) const KEPT_BYTES: usize = 4 << 20;

/// One call the simulator received, as the admin API lists it ([`Simulator::calls`](super::Simulator::calls)
/// in-process): recorded once its function has run (or was skipped).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CallRecord {
    /// Its rank among every request received, from 1.
    pub number: u64,
    /// When it was recorded, the simulator's local time with offset.
    pub time: String,
    /// The operation's WSDL name.
    pub operation: &'static str,
    /// `merchantId` (masked as free text).
    pub merchant: String,
    /// `merchantWalletId` (masked as free text).
    pub wallet: String,
    /// The response code the function gave (empty when it did not run).
    pub code: String,
    /// `answered`, `dropped before`, `dropped after`.
    pub outcome: &'static str,
}

impl CallRecord {
    /// About what it holds in memory.
    fn size(&self) -> usize {
        std::mem::size_of::<CallRecord>()
            + self.time.len()
            + self.merchant.len()
            + self.wallet.len()
            + self.code.len()
    }
}

/// The calls received, the latest [`KEPT_CALLS`] within [`KEPT_BYTES`].
#[derive(Debug, Default)]
pub(super) struct CallList(std::sync::Mutex<(VecDeque<CallRecord>, usize)>);

impl CallList {
    pub(super) fn push(&self, record: CallRecord) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (calls, bytes) = &mut *kept;
        *bytes += record.size();
        calls.push_back(record);
        while calls.len() > KEPT_CALLS || *bytes > KEPT_BYTES {
            match calls.pop_front() {
                Some(oldest) => *bytes -= oldest.size(),
                None => break,
            }
        }
    }

    pub(super) fn snapshot(&self) -> Vec<CallRecord> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.0.iter().cloned().collect()
    }

    pub(super) fn clear(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Default::default();
    }
}
