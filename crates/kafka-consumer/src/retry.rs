//! Retrying operations that must not be skipped (PostgreSQL down, the broker not
//! acknowledging a dead letter): with doubling backoff, until they succeed or the process
//! stops.

use std::time::Duration;

use tokio::sync::watch;

/// The first wait after a failure.
pub const FIRST_DELAY: Duration = Duration::from_millis(100);
/// The longest wait between two attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(5);

/// The waits between attempts: 100 ms, doubling, capped at 5 s; endless.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { next: FIRST_DELAY }
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let delay = self.next;
        self.next = (delay * 2).min(MAX_DELAY);
        Some(delay)
    }
}

/// Retries `operation` with [`Backoff`] until it succeeds (`Some`) or `stop` turns true
/// (`None`, also while waiting). Each failure is logged and counted in the counter
/// `metric` (labelled `operation` = `what`), so each service keeps its own metric name.
pub async fn until_ok<T, E, F, Fut>(
    metric: &'static str,
    what: &'static str,
    stop: &mut watch::Receiver<bool>,
    mut operation: F,
) -> Option<T>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut delays = Backoff::default();
    loop {
        if *stop.borrow() {
            return None;
        }
        match operation().await {
            Ok(value) => return Some(value),
            Err(err) => {
                let delay = delays.next().expect("backoff is endless");
                tracing::warn!(operation = what, error = %err, retry_in_ms = delay.as_millis() as u64, "retrying");
                metrics::counter!(metric, "operation" => what).increment(1);
                if !pause(delay, stop).await {
                    return None;
                }
            }
        }
    }
}

/// Waits `delay`; `false` as soon as `stop` turns true instead (the caller gives up).
pub async fn pause(delay: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(delay) => true,
        _ = stop.wait_for(|stop| *stop) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn backoff_doubles_from_100_ms_up_to_5_s() {
        let delays: Vec<u64> = Backoff::default()
            .take(9)
            .map(|d| d.as_millis() as u64)
            .collect();
        assert_eq!(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    }

    #[tokio::test]
    async fn retries_until_the_operation_succeeds() {
        let (_tx, mut stop) = watch::channel(false);
        let attempts = Cell::new(0);
        let result = until_ok("test_retries_total", "flaky", &mut stop, || {
            attempts.set(attempts.get() + 1);
            let attempt = attempts.get();
            async move {
                if attempt < 3 {
                    Err("down")
                } else {
                    Ok(attempt)
                }
            }
        })
        .await;
        assert_eq!(result, Some(3));
    }

    #[tokio::test]
    async fn a_stop_already_requested_runs_nothing() {
        let (_tx, mut stop) = watch::channel(true);
        let attempts = Cell::new(0);
        let result: Option<()> = until_ok("test_retries_total", "never", &mut stop, || {
            attempts.set(attempts.get() + 1);
            async { Ok::<_, &str>(()) }
        })
        .await;
        assert_eq!(result, None);
        assert_eq!(attempts.get(), 0);
    }

    #[tokio::test]
    async fn a_stop_during_the_wait_ends_the_retry_promptly() {
        let (tx, mut stop) = watch::channel(false);
        let stopper = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            tx.send(true).unwrap();
        });
        let attempts = Cell::new(0);
        let result: Option<()> = until_ok("test_retries_total", "down", &mut stop, || {
            attempts.set(attempts.get() + 1);
            async { Err::<(), _>("down") }
        })
        .await;
        assert_eq!(result, None);
        // Stopped during the first 100 ms wait: no second attempt.
        assert_eq!(attempts.get(), 1);
        stopper.await.unwrap();
    }
}
