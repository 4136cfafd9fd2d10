//! Publishing a message that failed validation to a DLQ topic as `events::DeadLetter`, with
//! the reason in the body and in headers, under the original key (the shape the projector
//! uses for `orders.dlq`).

use chrono::{DateTime, Utc};
use events::DeadLetter;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;

/// Header names of a dead letter (owned by `events::dead_letter::headers`); the body
/// repeats code and reason.
pub use events::dead_letter::headers::{
    ERROR_CODE as HEADER_CODE, ERROR_REASON as HEADER_REASON,
    SOURCE_OFFSET as HEADER_SOURCE_OFFSET, SOURCE_PARTITION as HEADER_SOURCE_PARTITION,
    SOURCE_TOPIC as HEADER_SOURCE_TOPIC,
};

/// The JSON body of the dead letter of `message` (an `events::DeadLetter`).
pub fn body(message: &impl Message, reason_code: &str, reason: &str, at: DateTime<Utc>) -> String {
    let letter = DeadLetter::new(
        message.payload().unwrap_or_default(),
        reason_code,
        reason.to_owned(),
        message.topic(),
        at,
    );
    serde_json::to_string(&letter).expect("dead letter is plain JSON")
}

/// The headers of the dead letter of `message`: reason, code and where it came from.
pub fn headers(message: &impl Message, reason_code: &str, reason: &str) -> OwnedHeaders {
    let partition = message.partition().to_string();
    let offset = message.offset().to_string();
    OwnedHeaders::new()
        .insert(header(HEADER_REASON, reason))
        .insert(header(HEADER_CODE, reason_code))
        .insert(header(HEADER_SOURCE_TOPIC, message.topic()))
        .insert(header(HEADER_SOURCE_PARTITION, &partition))
        .insert(header(HEADER_SOURCE_OFFSET, &offset))
}

/// Publishes the dead letter of `message` to `dlq_topic` and waits for the broker's
/// acknowledgement (one attempt: the caller retries, see [`crate::retry`]).
pub async fn publish(
    producer: &FutureProducer,
    dlq_topic: &str,
    message: &impl Message,
    reason_code: &str,
    reason: &str,
) -> Result<(), KafkaError> {
    let body = body(message, reason_code, reason, Utc::now());
    producer
        .send(
            FutureRecord::to(dlq_topic)
                .key(message.key().unwrap_or_default())
                .payload(&body)
                .headers(headers(message, reason_code, reason)),
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use rdkafka::message::{Headers, OwnedMessage, Timestamp};

    use super::*;

    fn message(payload: &[u8]) -> OwnedMessage {
        OwnedMessage::new(
            Some(payload.to_vec()),
            Some(b"order-1".to_vec()),
            "orders.events".to_owned(),
            Timestamp::NotAvailable,
            3,
            42,
            None,
        )
    }

    #[test]
    fn the_body_is_a_dead_letter_with_the_original_payload() {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        let body = body(&message(br#"{"a":1}"#), "malformed_json", "bad", at);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let expected = DeadLetter::new(
            br#"{"a":1}"#,
            "malformed_json",
            "bad".to_owned(),
            "orders.events",
            at,
        );
        assert_eq!(json, serde_json::to_value(expected).unwrap());
        assert_eq!(json["error_code"], "malformed_json");
        assert_eq!(json["error_reason"], "bad");
        assert_eq!(json["source"], "orders.events");
    }

    #[test]
    fn the_headers_carry_reason_code_and_origin() {
        let headers = headers(&message(b"x"), "malformed_json", "empty payload");
        let pairs: Vec<(String, String)> = headers
            .iter()
            .map(|h| {
                let value = String::from_utf8(h.value.unwrap().to_vec()).unwrap();
                (h.key.to_owned(), value)
            })
            .collect();
        let expected = [
            ("error_reason", "empty payload"),
            ("error_code", "malformed_json"),
            ("source_topic", "orders.events"),
            ("source_partition", "3"),
            ("source_offset", "42"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(pairs, expected);
    }
}
