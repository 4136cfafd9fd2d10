//! Publishing rejected messages to the DLQ topic as `events::DeadLetter`, with the reason
//! in the body and in headers, under the original key.

use events::dead_letter::headers;
use events::DeadLetter;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;

use crate::batch::Rejected;

/// Publishes one dead letter to its source topic's DLQ and waits for the broker's
/// acknowledgement.
pub async fn publish(producer: &FutureProducer, rejected: &Rejected) -> Result<(), KafkaError> {
    let message = &rejected.message;
    let payload = message.payload().unwrap_or_default();
    let letter = DeadLetter::new(
        payload,
        rejected.reason_code,
        rejected.reason.clone(),
        message.topic(),
        chrono::Utc::now(),
    );
    let body = serde_json::to_string(&letter).expect("dead letter is plain JSON");
    let partition = message.partition().to_string();
    let offset = message.offset().to_string();
    let dead_letter_headers = OwnedHeaders::new()
        .insert(header(headers::ERROR_REASON, &rejected.reason))
        .insert(header(headers::ERROR_CODE, rejected.reason_code))
        .insert(header(headers::SOURCE_TOPIC, message.topic()))
        .insert(header(headers::SOURCE_PARTITION, &partition))
        .insert(header(headers::SOURCE_OFFSET, &offset));
    producer
        .send(
            FutureRecord::to(&rejected.dlq_topic)
                .key(message.key().unwrap_or_default())
                .payload(&body)
                .headers(dead_letter_headers),
            Timeout::Never,
        )
        .await
        .map(|_| ())
        .map_err(|(err, _)| err)
}

fn header<'a>(key: &'a str, value: &'a str) -> Header<'a, &'a str> {
    Header {
        key,
        value: Some(value),
    }
}
