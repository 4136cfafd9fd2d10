//! Invalid messages go to `inventory.dlq` as `events::DeadLetter`, with the reason in the
//! body and in headers, under the original key (as the projector does for `orders.dlq`).

use events::DeadLetter;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;

/// Publishes one dead letter and waits for the broker's acknowledgement.
pub async fn publish(
    producer: &FutureProducer,
    dlq_topic: &str,
    message: &OwnedMessage,
    reason_code: &str,
    reason: &str,
) -> Result<(), KafkaError> {
    let payload = message.payload().unwrap_or_default();
    let letter = DeadLetter::new(
        payload,
        reason_code,
        reason.to_owned(),
        message.topic(),
        chrono::Utc::now(),
    );
    let body = serde_json::to_string(&letter).expect("dead letter is plain JSON");
    let partition = message.partition().to_string();
    let offset = message.offset().to_string();
    let headers = OwnedHeaders::new()
        .insert(header("error_reason", reason))
        .insert(header("error_code", reason_code))
        .insert(header("source_topic", message.topic()))
        .insert(header("source_partition", &partition))
        .insert(header("source_offset", &offset));
    producer
        .send(
            FutureRecord::to(dlq_topic)
                .key(message.key().unwrap_or_default())
                .payload(&body)
                .headers(headers),
            Timeout::Never,
        )
        .await
        .map(drop)
        .map_err(|(err, _)| err)
}

fn header<'a>(key: &'a str, value: &'a str) -> Header<'a, &'a str> {
    Header {
        key,
        value: Some(value),
    }
}
