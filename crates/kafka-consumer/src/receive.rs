//! Waiting for the next message while watching for shutdown.

use std::time::Duration;

use rdkafka::consumer::{ConsumerContext, StreamConsumer};
use rdkafka::message::BorrowedMessage;
use tokio::sync::watch;

/// The pause after a failed receive, so a broken connection does not spin.
const RETRY_DELAY: Duration = Duration::from_millis(100);

/// The next message, waiting as long as it takes; `None` once `stop` turned true (checked
/// first, so a stop wins over a ready message). A failed receive is logged, counted in the
/// counter `errors_metric` and retried after a short pause.
pub async fn next_or_stop<'c, C: ConsumerContext + 'static>(
    consumer: &'c StreamConsumer<C>,
    stop: &mut watch::Receiver<bool>,
    errors_metric: &'static str,
) -> Option<BorrowedMessage<'c>> {
    loop {
        let received = tokio::select! {
            biased;
            _ = stop.wait_for(|stop| *stop) => return None,
            received = consumer.recv() => received,
        };
        match received {
            Ok(message) => return Some(message),
            Err(err) => {
                tracing::warn!(error = %err, "consume failed");
                metrics::counter!(errors_metric).increment(1);
                tokio::time::sleep(RETRY_DELAY).await;
            }
        }
    }
}
