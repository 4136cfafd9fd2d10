//! What happens to a row after a failed publish: pure arithmetic, unit-tested.

use std::time::Duration;

/// The retry delay after `attempts` failed attempts: `min(2^attempts × unit, max)`.
pub fn backoff(attempts: i32, unit: Duration, max: Duration) -> Duration {
    let exponent = attempts.clamp(0, 31) as u32;
    unit.checked_mul(1u32 << exponent)
        .map_or(max, |delay| delay.min(max))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Failed attempts after which a row is dead-lettered.
    pub max_attempts: i32,
    pub backoff_unit: Duration,
    pub backoff_max: Duration,
}

impl RetryPolicy {
    /// The attempt count after one more failure of a row that failed `previous` times.
    pub fn attempts_after_failure(&self, previous: i32) -> i32 {
        previous.saturating_add(1)
    }

    /// Whether a row that has now failed `attempts` times goes to the dead-letter topic.
    pub fn exhausted(&self, attempts: i32) -> bool {
        attempts >= self.max_attempts
    }

    /// How long a row that has failed `attempts` times waits before its next attempt.
    pub fn delay(&self, attempts: i32) -> Duration {
        backoff(attempts, self.backoff_unit, self.backoff_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let unit = Duration::from_secs(1);
        let max = Duration::from_secs(300);
        let delays: Vec<u64> = (1..=10)
            .map(|attempts| backoff(attempts, unit, max).as_secs())
            .collect();
        assert_eq!(delays, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff(1_000, unit, max), max);
        assert_eq!(backoff(-3, unit, max), unit);
        assert_eq!(backoff(31, Duration::from_secs(u64::MAX / 2), max), max);
    }

    #[test]
    fn a_row_is_exhausted_at_the_maximum_not_before() {
        let policy = RetryPolicy {
            max_attempts: 10,
            backoff_unit: Duration::from_millis(10),
            backoff_max: Duration::from_millis(50),
        };
        assert_eq!(policy.attempts_after_failure(8), 9);
        assert!(!policy.exhausted(9));
        assert!(policy.exhausted(10));
        assert!(policy.exhausted(11));
        assert_eq!(policy.attempts_after_failure(i32::MAX), i32::MAX);
        assert_eq!(policy.delay(1), Duration::from_millis(20));
        assert_eq!(policy.delay(3), Duration::from_millis(50));
    }
}
