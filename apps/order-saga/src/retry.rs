//! Backoff for operations that must not be skipped (PostgreSQL down, the broker not
//! acknowledging a dead letter): retried until they succeed or the process stops.

use std::time::Duration;

use tokio::sync::watch;

const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(5);

/// Retries `operation` with exponential backoff until it succeeds (`Some`) or `stop`
/// turns true (`None`).
pub async fn until_ok<T, E, F, Fut>(
    what: &'static str,
    stop: &mut watch::Receiver<bool>,
    mut operation: F,
) -> Option<T>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut delay = FIRST_DELAY;
    loop {
        if *stop.borrow() {
            return None;
        }
        match operation().await {
            Ok(value) => return Some(value),
            Err(err) => {
                tracing::warn!(operation = what, error = %err, retry_in_ms = delay.as_millis() as u64, "retrying");
                metrics::counter!("order_saga_retries_total", "operation" => what).increment(1);
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    _ = stop.wait_for(|stop| *stop) => return None,
                }
                delay = (delay * 2).min(MAX_DELAY);
            }
        }
    }
}
