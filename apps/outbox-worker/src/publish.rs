//! The Kafka side: producers tuned for throughput (acks=all; per-key order comes from the
//! claim, not from the producer), one message per claimed row, dead letters in
//! `events::DeadLetter`'s wire shape.

use std::time::Duration;

use events::dead_letter;
use futures::future::join_all;
use outbox::Claimed;
use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::util::Timeout;

/// `error_code` of a dead letter written by the worker.
pub const EXHAUSTED_CODE: &str = "publish_attempts_exhausted";
const MAX_ERROR_CHARS: usize = 1_000;

/// The events producers and the dead-letter producer, shared by every outbox's loop
/// (`FutureProducer` is a handle; clones share one librdkafka client).
#[derive(Clone)]
pub struct Producers {
    /// For partial batches (little is pending): a short `linger.ms`, latency counts.
    pub events: FutureProducer,
    /// For full batches (a backlog): a longer `linger.ms` gathers several batches into
    /// fewer, larger produce requests, which the broker handles with less CPU per message.
    pub backlog_events: FutureProducer,
    pub dead_letters: FutureProducer,
}

impl Producers {
    pub fn new(
        brokers: &str,
        dlq_brokers: &str,
        message_timeout: Duration,
        linger: Duration,
        backlog_linger: Duration,
    ) -> Result<Self, KafkaError> {
        Ok(Self {
            events: new_producer(brokers, message_timeout, linger)?,
            backlog_events: new_producer(brokers, message_timeout, backlog_linger)?,
            dead_letters: new_producer(dlq_brokers, message_timeout, linger)?,
        })
    }

    /// librdkafka's verdict that a producer can never deliver again, if it gave one.
    pub fn fatal_error(&self) -> Option<String> {
        [&self.events, &self.backlog_events, &self.dead_letters]
            .into_iter()
            .find_map(|p| p.client().fatal_error())
            .map(|(code, reason)| format!("{code:?}: {reason}"))
    }

    /// Flushes anything still queued (nothing normally: every batch awaits its deliveries).
    pub fn flush(&self, timeout: Duration) {
        let _ = self.events.flush(Timeout::After(timeout));
        let _ = self.backlog_events.flush(Timeout::After(timeout));
        let _ = self.dead_letters.flush(Timeout::After(timeout));
    }

    /// Publishes every row to `topic` (key = the row's key) and waits for each
    /// acknowledgement; the results are in the rows' order. `backlog`: the batch was full,
    /// so more is pending and throughput counts more than latency. Per-key order does not
    /// depend on which producer sends: a key has at most one row in flight.
    pub async fn publish(
        &self,
        topic: &str,
        rows: &[Claimed],
        backlog: bool,
    ) -> Vec<Result<(), KafkaError>> {
        let producer = if backlog {
            &self.backlog_events
        } else {
            &self.events
        };
        join_all(rows.iter().map(|row| {
            let headers = OwnedHeaders::new_with_capacity(2)
                .insert(header("event_id", &row.id.to_string()))
                .insert(header("event_type", &row.event_type));
            send(producer, topic, &row.key, &row.payload, headers)
        }))
        .await
    }

    /// Publishes a dead letter for a row that exhausted its attempts.
    pub async fn dead_letter(
        &self,
        dlq_topic: &str,
        source_topic: &str,
        row: &Claimed,
        attempts: i32,
        error: &str,
    ) -> Result<(), KafkaError> {
        let reason = format!("publish failed {attempts} times, last error: {error}");
        let letter = events::DeadLetter::new(
            row.payload.as_bytes(),
            EXHAUSTED_CODE,
            reason.clone(),
            source_topic,
            chrono::Utc::now(),
        );
        let payload = serde_json::to_string(&letter).expect("a dead letter is plain JSON");
        let headers = OwnedHeaders::new_with_capacity(4)
            .insert(header("event_id", &row.id.to_string()))
            .insert(header(dead_letter::headers::ERROR_CODE, EXHAUSTED_CODE))
            .insert(header(
                dead_letter::headers::ERROR_REASON,
                &truncate(&reason),
            ))
            .insert(header(dead_letter::headers::SOURCE_TOPIC, source_topic));
        send(&self.dead_letters, dlq_topic, &row.key, &payload, headers).await
    }
}

fn new_producer(
    brokers: &str,
    message_timeout: Duration,
    linger: Duration,
) -> Result<FutureProducer, KafkaError> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("client.id", "orderflow-outbox-worker")
        // Every message is acknowledged by all in-sync replicas. Per-key order does not
        // depend on the producer: a key has at most one row in flight, in any worker (only
        // the head of a key is claimable, see crates/outbox), so retries cannot reorder it.
        // Without idempotence a retried request may duplicate a message; consumers drop
        // duplicates by `event_id` (at-least-once). Idempotence in librdkafka 2.12 allowed
        // one produce request per partition at a time and busy-polled while waiting
        // (docs/decisions.md, "Outbox producer without idempotence").
        .set("enable.idempotence", "false")
        .set("acks", "all")
        .set(
            "message.timeout.ms",
            message_timeout.as_millis().to_string(),
        )
        // Throughput: a batch of rows becomes a few produce requests per partition.
        .set("linger.ms", linger.as_millis().to_string())
        .set("batch.num.messages", "10000")
        .set("batch.size", "1048576")
        .set("socket.nagle.disable", "true")
        .set("log_level", "3")
        .create()
}

fn header<'a>(key: &'a str, value: &'a str) -> Header<'a, &'a str> {
    Header {
        key,
        value: Some(value),
    }
}

async fn send(
    producer: &FutureProducer,
    topic: &str,
    key: &str,
    payload: &str,
    headers: OwnedHeaders,
) -> Result<(), KafkaError> {
    let record = FutureRecord::to(topic)
        .key(key)
        .payload(payload)
        .headers(headers);
    producer
        .send(record, Timeout::Never)
        .await
        .map(drop)
        .map_err(|(err, _message)| err)
}

pub fn truncate(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_truncated_on_character_boundaries() {
        let long = "é".repeat(MAX_ERROR_CHARS + 10);
        assert_eq!(truncate(&long).chars().count(), MAX_ERROR_CHARS);
        assert_eq!(truncate("short"), "short");
    }
}
