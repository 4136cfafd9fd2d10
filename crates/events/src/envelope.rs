use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::timestamp::serde_millis;

/// The only envelope version this code reads and writes.
pub const ENVELOPE_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    OrderCreated,
    OrderPaid,
    OrderCanceled,
}

impl EventType {
    pub const ALL: [EventType; 3] = [Self::OrderCreated, Self::OrderPaid, Self::OrderCanceled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderCreated => "OrderCreated",
            Self::OrderPaid => "OrderPaid",
            Self::OrderCanceled => "OrderCanceled",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|t| t.as_str() == text).ok_or(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderItem {
    pub sku: String,
    pub qty: i32,
    pub unit_price: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    pub order_id: Uuid,
    pub user_id: Uuid,
    pub currency: String,
    pub total_amount: i64,
    pub items: Vec<OrderItem>,
}

/// Data of `OrderPaid` and `OrderCanceled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStatusChanged {
    pub order_id: Uuid,
    pub user_id: Uuid,
    pub total_amount: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventPayload {
    OrderCreated(OrderCreated),
    OrderPaid(OrderStatusChanged),
    OrderCanceled(OrderStatusChanged),
}

impl EventPayload {
    pub fn event_type(&self) -> EventType {
        match self {
            Self::OrderCreated(_) => EventType::OrderCreated,
            Self::OrderPaid(_) => EventType::OrderPaid,
            Self::OrderCanceled(_) => EventType::OrderCanceled,
        }
    }

    pub fn order_id(&self) -> Uuid {
        match self {
            Self::OrderCreated(data) => data.order_id,
            Self::OrderPaid(data) | Self::OrderCanceled(data) => data.order_id,
        }
    }

    fn data_json(&self) -> Value {
        let value = match self {
            Self::OrderCreated(data) => serde_json::to_value(data),
            Self::OrderPaid(data) | Self::OrderCanceled(data) => serde_json::to_value(data),
        };
        value.expect("event data is plain JSON")
    }
}

/// One domain event as it travels through the outbox, Kafka and MongoDB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Equal to the outbox row id, so consumers can de-duplicate.
    pub event_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub producer: String,
    /// The request id of the API call that caused the event.
    pub trace_id: String,
    pub payload: EventPayload,
}

/// The JSON shape on the wire; `data` is decoded separately so errors carry exact paths.
#[derive(Serialize, Deserialize)]
struct WireEnvelope {
    event_id: Uuid,
    event_type: String,
    #[serde(with = "serde_millis")]
    occurred_at: DateTime<Utc>,
    version: u32,
    producer: String,
    trace_id: String,
    data: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("envelope is not a JSON object")]
    NotAnObject,
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    #[error("unsupported version {0} (supported: {ENVELOPE_VERSION})")]
    UnsupportedVersion(String),
    #[error("unknown event_type {0:?}")]
    UnknownEventType(String),
    #[error("invalid field `{field}`: {message}")]
    InvalidField { field: String, message: String },
}

impl EnvelopeError {
    /// A short, stable machine-readable reason for dead-letter records and metrics labels.
    pub fn reason_code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) | Self::NotAnObject => "malformed_json",
            Self::MissingField(_) | Self::InvalidField { .. } => "invalid_field",
            Self::UnsupportedVersion(_) => "unsupported_version",
            Self::UnknownEventType(_) => "unknown_event_type",
        }
    }
}

impl Envelope {
    pub fn new(
        event_id: Uuid,
        occurred_at: DateTime<Utc>,
        producer: &str,
        trace_id: &str,
        payload: EventPayload,
    ) -> Self {
        Self {
            event_id,
            occurred_at,
            producer: producer.to_owned(),
            trace_id: trace_id.to_owned(),
            payload,
        }
    }

    pub fn event_type(&self) -> EventType {
        self.payload.event_type()
    }

    pub fn order_id(&self) -> Uuid {
        self.payload.order_id()
    }

    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(WireEnvelope {
            event_id: self.event_id,
            event_type: self.event_type().as_str().to_owned(),
            occurred_at: self.occurred_at,
            version: ENVELOPE_VERSION,
            producer: self.producer.clone(),
            trace_id: self.trace_id.clone(),
            data: self.payload.data_json(),
        })
        .expect("envelope is plain JSON")
    }

    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }

    /// Parses and validates raw bytes from the outbox or a topic.
    pub fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|err| EnvelopeError::MalformedJson(err.to_string()))?;
        Self::from_json_value(value)
    }

    pub fn from_json_value(value: Value) -> Result<Self, EnvelopeError> {
        let object = value.as_object().ok_or(EnvelopeError::NotAnObject)?;
        let version = object
            .get("version")
            .ok_or(EnvelopeError::MissingField("version"))?;
        if version.as_u64() != Some(u64::from(ENVELOPE_VERSION)) {
            return Err(EnvelopeError::UnsupportedVersion(version.to_string()));
        }
        let event_type_text = object
            .get("event_type")
            .ok_or(EnvelopeError::MissingField("event_type"))?
            .as_str()
            .ok_or_else(|| invalid("event_type", "must be a string"))?;
        let event_type = EventType::from_str(event_type_text)
            .map_err(|()| EnvelopeError::UnknownEventType(event_type_text.to_owned()))?;

        let wire: WireEnvelope = decode(value, "")?;
        let payload = match event_type {
            EventType::OrderCreated => {
                let data: OrderCreated = decode(wire.data, "data.")?;
                validate_created(&data)?;
                EventPayload::OrderCreated(data)
            }
            EventType::OrderPaid => EventPayload::OrderPaid(decode(wire.data, "data.")?),
            EventType::OrderCanceled => EventPayload::OrderCanceled(decode(wire.data, "data.")?),
        };
        Ok(Self {
            event_id: wire.event_id,
            occurred_at: wire.occurred_at,
            producer: wire.producer,
            trace_id: wire.trace_id,
            payload,
        })
    }
}

fn invalid(field: &str, message: &str) -> EnvelopeError {
    EnvelopeError::InvalidField {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

fn decode<T: DeserializeOwned>(value: Value, prefix: &str) -> Result<T, EnvelopeError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        // A missing field is reported by serde at the parent path; name the field itself.
        let field = match message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            Some(name) if path == "." => format!("{prefix}{name}"),
            Some(name) => format!("{prefix}{path}.{name}"),
            None => format!("{prefix}{path}"),
        };
        EnvelopeError::InvalidField { field, message }
    })
}

/// The consumer-side sanity rules: the aggregation downstream must never see these.
fn validate_created(data: &OrderCreated) -> Result<(), EnvelopeError> {
    if data.items.is_empty() {
        return Err(invalid("data.items", "must not be empty"));
    }
    for (index, item) in data.items.iter().enumerate() {
        if item.sku.is_empty() {
            return Err(invalid(
                &format!("data.items[{index}].sku"),
                "must not be empty",
            ));
        }
        if item.qty < 1 {
            return Err(invalid(
                &format!("data.items[{index}].qty"),
                "must be at least 1",
            ));
        }
        if item.unit_price < 0 {
            return Err(invalid(
                &format!("data.items[{index}].unit_price"),
                "must not be negative",
            ));
        }
    }
    Ok(())
}

/// What a consumer publishes to `orders.dlq`: the original payload, untouched, plus why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub error_reason: String,
    /// `malformed_json`, `unsupported_version`, … (see [`EnvelopeError::reason_code`]) or
    /// `publish_attempts_exhausted` for outbox rows.
    pub error_code: String,
    pub source: String,
    /// The original payload: JSON when it parsed, otherwise the raw text (lossy UTF-8).
    pub original_payload: Value,
    #[serde(with = "serde_millis")]
    pub dead_lettered_at: DateTime<Utc>,
}

impl DeadLetter {
    pub fn new(
        original: &[u8],
        error_code: &str,
        error_reason: String,
        source: &str,
        at: DateTime<Utc>,
    ) -> Self {
        let original_payload = serde_json::from_slice(original)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(original).into_owned()));
        Self {
            error_reason,
            error_code: error_code.to_owned(),
            source: source.to_owned(),
            original_payload,
            dead_lettered_at: at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn created() -> Envelope {
        Envelope::new(
            Uuid::parse_str("0190a0a0-0000-7000-8000-000000000001").unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 5).unwrap()
                + chrono::Duration::milliseconds(7),
            "api",
            "req-1",
            EventPayload::OrderCreated(OrderCreated {
                order_id: Uuid::nil(),
                user_id: Uuid::max(),
                currency: "EUR".into(),
                total_amount: 2500,
                items: vec![OrderItem {
                    sku: "SKU-1".into(),
                    qty: 2,
                    unit_price: 1250,
                }],
            }),
        )
    }

    #[test]
    fn serializes_the_wire_shape_with_utc_millis_and_z() {
        let value = created().to_json_value();
        assert_eq!(value["occurred_at"], "2026-11-25T10:30:05.007Z");
        assert_eq!(value["event_type"], "OrderCreated");
        assert_eq!(value["version"], 1);
        assert_eq!(value["producer"], "api");
        assert_eq!(value["trace_id"], "req-1");
        assert_eq!(
            value["data"]["items"][0],
            json!({"sku": "SKU-1", "qty": 2, "unit_price": 1250})
        );
    }

    #[test]
    fn round_trips_every_event_type() {
        let changed = OrderStatusChanged {
            order_id: Uuid::nil(),
            user_id: Uuid::nil(),
            total_amount: 1,
            currency: "HUF".into(),
        };
        for payload in [
            created().payload,
            EventPayload::OrderPaid(changed.clone()),
            EventPayload::OrderCanceled(changed),
        ] {
            let envelope = Envelope {
                payload,
                ..created()
            };
            assert_eq!(
                Envelope::parse(envelope.to_json().as_bytes()).unwrap(),
                envelope
            );
        }
    }

    #[test]
    fn accepts_offsets_and_normalises_to_utc() {
        let mut value = created().to_json_value();
        value["occurred_at"] = json!("2026-11-25T11:30:05.007+01:00");
        assert_eq!(
            Envelope::from_json_value(value).unwrap().occurred_at,
            created().occurred_at
        );
    }

    fn reject(value: Value) -> EnvelopeError {
        Envelope::from_json_value(value).unwrap_err()
    }

    #[test]
    fn rejects_malformed_json_and_non_objects() {
        assert_eq!(
            Envelope::parse(b"{not json").unwrap_err().reason_code(),
            "malformed_json"
        );
        assert_eq!(
            Envelope::parse(b"[1,2]").unwrap_err(),
            EnvelopeError::NotAnObject
        );
    }

    #[test]
    fn rejects_unsupported_or_missing_version_before_anything_else() {
        let mut value = created().to_json_value();
        value["version"] = json!(2);
        value["event_type"] = json!("Bogus");
        assert_eq!(
            reject(value.clone()),
            EnvelopeError::UnsupportedVersion("2".into())
        );
        value["version"] = json!("1");
        assert_eq!(reject(value.clone()).reason_code(), "unsupported_version");
        value.as_object_mut().unwrap().remove("version");
        assert_eq!(reject(value), EnvelopeError::MissingField("version"));
    }

    #[test]
    fn rejects_unknown_event_type() {
        let mut value = created().to_json_value();
        value["event_type"] = json!("OrderShipped");
        assert_eq!(
            reject(value),
            EnvelopeError::UnknownEventType("OrderShipped".into())
        );
    }

    #[test]
    fn names_the_missing_or_invalid_field() {
        let mut value = created().to_json_value();
        value["data"].as_object_mut().unwrap().remove("order_id");
        assert_eq!(
            reject(value).to_string(),
            "invalid field `data.order_id`: missing field `order_id`"
        );

        let mut value = created().to_json_value();
        value["data"]["items"][0]["qty"] = json!("two");
        assert!(
            matches!(reject(value), EnvelopeError::InvalidField { field, .. } if field == "data.items[0].qty")
        );

        let mut value = created().to_json_value();
        value.as_object_mut().unwrap().remove("event_id");
        assert!(
            matches!(reject(value), EnvelopeError::InvalidField { field, .. } if field == "event_id")
        );

        let mut value = created().to_json_value();
        value["occurred_at"] = json!("yesterday");
        assert!(
            matches!(reject(value), EnvelopeError::InvalidField { field, .. } if field == "occurred_at")
        );
    }

    #[test]
    fn rejects_items_the_aggregation_must_never_see() {
        for (field, bad, path) in [
            ("qty", json!(0), "data.items[0].qty"),
            ("unit_price", json!(-1), "data.items[0].unit_price"),
            ("sku", json!(""), "data.items[0].sku"),
        ] {
            let mut value = created().to_json_value();
            value["data"]["items"][0][field] = bad;
            assert!(
                matches!(reject(value), EnvelopeError::InvalidField { field, .. } if field == path)
            );
        }
        let mut value = created().to_json_value();
        value["data"]["items"] = json!([]);
        assert!(
            matches!(reject(value), EnvelopeError::InvalidField { field, .. } if field == "data.items")
        );
    }

    #[test]
    fn dead_letter_keeps_the_original_payload() {
        let at = Utc::now();
        let letter = DeadLetter::new(
            b"{\"a\":1}",
            "unknown_event_type",
            "why".into(),
            "orders.events",
            at,
        );
        assert_eq!(letter.original_payload, json!({"a": 1}));
        let letter = DeadLetter::new(
            b"{broken",
            "malformed_json",
            "why".into(),
            "orders.events",
            at,
        );
        assert_eq!(letter.original_payload, json!("{broken"));
    }
}
