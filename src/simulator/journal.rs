//! The calls the simulator received, as the admin API lists them (and `Simulator::calls`
//! in-process): the latest ones, bounded in count and in bytes, each with its request masked, for
//! a test to check what reached the bank; filtered and counted by operation, merchant, wallet and
//! code.

use std::collections::VecDeque;

use bytes::Bytes;
use serde::Serialize;

use crate::mask::Secrets;

/// The calls kept for `GET /_simulator/calls`: the latest ones, so a load test's memory stays flat.
pub(super) const KEPT_CALLS: usize = 10_000;
/// And at most this many bytes of them, the requests kept included.
pub(super) const KEPT_BYTES: usize = 32 << 20;
/// The characters of a request a call record shows (masked), and the bytes of it kept for that
/// (more than shown, so that a card number written across the cut is masked whole).
pub(super) const SHOWN_REQUEST_CHARS: usize = 4096;
const KEPT_REQUEST_BYTES: usize = 4 * (SHOWN_REQUEST_CHARS + 1024);

/// One call the simulator received, as the admin API lists it ([`Simulator::calls`](super::Simulator::calls)
/// in-process): recorded once its function has run (or was skipped).
#[derive(Clone, Serialize)]
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
    /// The request as it came (its first 4,096 characters), card numbers and IBANs masked.
    pub request: String,
}

/// Masked once more as a whole, as generated messages' `Debug` is: its fields are masked already,
/// but `Debug` writes some characters as escapes (`\u{2009}`), whose digits could spell a card
/// number with a masked value's clear ends.
impl std::fmt::Debug for CallRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::mask::debug_masked(f, |f| {
            f.debug_struct("CallRecord")
                .field("number", &self.number)
                .field("time", &self.time)
                .field("operation", &self.operation)
                .field("merchant", &self.merchant)
                .field("wallet", &self.wallet)
                .field("code", &self.code)
                .field("outcome", &self.outcome)
                .field("request", &self.request)
                .finish()
        })
    }
}

/// Which calls to list or count: each criterion given must hold (`None` matches all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallFilter {
    /// The operation's WSDL name (`addCard`).
    pub operation: Option<String>,
    /// `merchantId`.
    pub merchant: Option<String>,
    /// `merchantWalletId`.
    pub wallet: Option<String>,
    /// The response code given.
    pub code: Option<String>,
}

impl CallFilter {
    /// Every call.
    pub fn new() -> CallFilter {
        CallFilter::default()
    }

    /// Calls of this operation.
    pub fn operation(mut self, operation: impl Into<String>) -> Self {
        self.operation = Some(operation.into());
        self
    }

    /// Calls of this merchant.
    pub fn merchant(mut self, merchant: impl Into<String>) -> Self {
        self.merchant = Some(merchant.into());
        self
    }

    /// Calls on this wallet.
    pub fn wallet(mut self, wallet: impl Into<String>) -> Self {
        self.wallet = Some(wallet.into());
        self
    }

    /// Calls answered with this code.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    fn matches(&self, call: &Kept) -> bool {
        let holds =
            |wanted: &Option<String>, value: &str| wanted.as_deref().is_none_or(|w| w == value);
        holds(&self.operation, call.record.operation)
            && holds(&self.merchant, &call.record.merchant)
            && holds(&self.wallet, &call.record.wallet)
            && holds(&self.code, &call.record.code)
    }
}

/// A call as kept: its record, and the start of its request, masked the first time it is shown
/// (the serving path copies a few kilobytes and masks nothing; listing again masks nothing new).
#[derive(Debug)]
struct Kept {
    record: CallRecord,
    request: Bytes,
    shown: std::sync::OnceLock<String>,
}

impl Kept {
    /// About what it holds in memory.
    fn size(&self) -> usize {
        std::mem::size_of::<Kept>()
            + self.record.time.len()
            + self.record.merchant.len()
            + self.record.wallet.len()
            + self.record.code.len()
            // The bytes kept, and room for the masked text made of them (a byte that is not
            // UTF-8 becomes a 3-byte replacement character).
            + 4 * self.request.len()
    }

    fn shown(&self) -> CallRecord {
        let request = self.shown.get_or_init(|| {
            let mut text = String::from_utf8_lossy(&self.request).into_owned();
            // A field holding a reference (`&#52;`) travels escaped again (`&amp;#52;`): shown with
            // those escapes undone, so that the masker reads the digits it spells, as it does in
            // the record's own fields.
            for _ in 0..4 {
                if !text.contains("&amp;") {
                    break;
                }
                text = text.replace("&amp;", "&");
            }
            Secrets::new().shown_up_to(&text, SHOWN_REQUEST_CHARS)
        });
        CallRecord {
            request: request.clone(),
            ..self.record.clone()
        }
    }
}

/// The calls received, the latest [`KEPT_CALLS`] within [`KEPT_BYTES`].
#[derive(Debug, Default)]
pub(super) struct CallList(std::sync::Mutex<(VecDeque<Kept>, usize)>);

impl CallList {
    /// Keeps `record` (its `request` is filled from `request` when shown).
    pub(super) fn push(&self, record: CallRecord, request: &[u8]) {
        let kept = Kept {
            record,
            request: Bytes::copy_from_slice(&request[..request.len().min(KEPT_REQUEST_BYTES)]),
            shown: std::sync::OnceLock::new(),
        };
        let mut list = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (calls, bytes) = &mut *list;
        *bytes += kept.size();
        calls.push_back(kept);
        while calls.len() > KEPT_CALLS || *bytes > KEPT_BYTES {
            match calls.pop_front() {
                Some(oldest) => *bytes -= oldest.size(),
                None => break,
            }
        }
    }

    /// The calls `filter` matches, oldest first.
    pub(super) fn matching(&self, filter: &CallFilter) -> Vec<CallRecord> {
        let list = self.0.lock().unwrap_or_else(|p| p.into_inner());
        list.0
            .iter()
            .filter(|call| filter.matches(call))
            .map(Kept::shown)
            .collect()
    }

    /// How many calls `filter` matches.
    pub(super) fn count(&self, filter: &CallFilter) -> usize {
        let list = self.0.lock().unwrap_or_else(|p| p.into_inner());
        list.0.iter().filter(|call| filter.matches(call)).count()
    }

    /// Forgets the calls `filter` matches.
    pub(super) fn forget(&self, filter: &CallFilter) {
        let mut list = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (calls, bytes) = &mut *list;
        calls.retain(|call| !filter.matches(call));
        *bytes = calls.iter().map(Kept::size).sum();
    }
}
