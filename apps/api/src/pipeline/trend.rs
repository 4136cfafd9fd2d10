//! The lag trend of each consumer group, kept in this api instance's memory: the last
//! [`TREND_LENGTH`] samples, at most one per second, whoever asked (a page refresh or the
//! live stream's sampler). Lost on restart: it shows a direction, not history.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

use super::domain::LagSample;

pub const TREND_LENGTH: usize = 60;
const MIN_SPACING: Duration = Duration::seconds(1);

#[derive(Debug, Default)]
pub struct LagTrends {
    groups: HashMap<String, VecDeque<LagSample>>,
}

impl LagTrends {
    /// Adds a sample of `group` unless its previous one is less than a second old.
    pub fn record(&mut self, group: &str, at: DateTime<Utc>, total_lag: i64) {
        let samples = self.groups.entry(group.to_owned()).or_default();
        if samples
            .back()
            .is_some_and(|last| at - last.at < MIN_SPACING)
        {
            return;
        }
        if samples.len() == TREND_LENGTH {
            samples.pop_front();
        }
        samples.push_back(LagSample { at, total_lag });
    }

    /// The samples of `group`, oldest first.
    pub fn of(&self, group: &str) -> Vec<LagSample> {
        self.groups
            .get(group)
            .map(|samples| samples.iter().copied().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn keeps_the_last_sixty_samples_oldest_first() {
        let mut trends = LagTrends::default();
        for second in 0..100 {
            trends.record("g", at(second), second);
        }
        let samples = trends.of("g");
        assert_eq!(samples.len(), TREND_LENGTH);
        assert_eq!(samples.first().unwrap().total_lag, 40);
        assert_eq!(samples.last().unwrap().total_lag, 99);
        assert!(samples.windows(2).all(|pair| pair[0].at < pair[1].at));
    }

    #[test]
    fn at_most_one_sample_per_second_and_per_group() {
        let mut trends = LagTrends::default();
        trends.record("g", at(0), 5);
        trends.record("g", at(0) + Duration::milliseconds(400), 6);
        trends.record("h", at(0) + Duration::milliseconds(400), 7);
        trends.record("g", at(1), 8);
        let lags = |group| -> Vec<i64> { trends.of(group).iter().map(|s| s.total_lag).collect() };
        assert_eq!(lags("g"), [5, 8]);
        assert_eq!(lags("h"), [7]);
        assert!(trends.of("unknown").is_empty());
    }
}
