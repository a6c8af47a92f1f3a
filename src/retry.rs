//! Opt-in retries for the read functions: capped exponential backoff with full jitter.

use std::time::Duration;

use crate::{Delivery, Error};

/// When and how often to try a read again (an operation whose [effect](crate::message::Effect)
/// is a read: every other one is sent once, whatever the policy, since repeating a change after
/// an unknown outcome could apply it twice): after a connection that could not be made, a
/// connection lost before the answer, or a timeout (each attempt has the whole call timeout).
/// Waits between attempts grow exponentially from `base_delay` up to `max_delay`, each drawn at
/// random below that bound ("full jitter"), so that many clients do not retry in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, waits below 100 ms, then 200 ms, capped at 2 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// The default policy: 3 attempts, 100 ms base, 2 s cap.
    pub fn new() -> RetryPolicy {
        RetryPolicy::default()
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The bound of the first wait, doubled at each retry up to `max_delay`.
    pub fn backoff(mut self, base_delay: Duration, max_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self.max_delay = max_delay.max(base_delay);
        self
    }

    /// The wait before retry number `retry` (0 for the first retry), or `None` when `error` after
    /// that many retries is final.
    pub(crate) fn wait_before(&self, retry: u32, error: &Error) -> Option<Duration> {
        // A refused certificate stays refused: only trusting its root changes that.
        let worth_it =
            matches!(error, Error::Connect { .. }) || error.delivery() == Delivery::Unknown;
        if !worth_it || retry + 1 >= self.max_attempts {
            return None;
        }
        let bound = self
            .base_delay
            .saturating_mul(1u32 << retry.min(16))
            .min(self.max_delay);
        Some(bound.mul_f64(fastrand::f64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_stay_under_the_cap_and_stop_after_the_last_attempt() {
        let policy = RetryPolicy::new()
            .max_attempts(4)
            .backoff(Duration::from_millis(100), Duration::from_millis(250));
        let timeout = Error::Timeout(Duration::from_secs(1));
        for _ in 0..100 {
            assert!(policy.wait_before(0, &timeout).unwrap() <= Duration::from_millis(100));
            assert!(policy.wait_before(1, &timeout).unwrap() <= Duration::from_millis(200));
            assert!(policy.wait_before(2, &timeout).unwrap() <= Duration::from_millis(250));
        }
        assert_eq!(policy.wait_before(3, &timeout), None);
        let refused = Error::Config("x".into());
        assert_eq!(policy.wait_before(0, &refused), None);
    }
}
