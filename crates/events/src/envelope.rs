use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::stock::{
    validate_adjusted, validate_rejected, validated_reservation, StockAdjusted, StockRejected,
    StockReservation,
};
use crate::timestamp::serde_millis;

/// The only envelope version this code reads and writes.
pub const ENVELOPE_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    OrderCreated,
    OrderPaid,
    OrderCanceled,
    StockReserved,
    StockRejected,
    StockCommitted,
    StockReleased,
    StockAdjusted,
}

impl EventType {
    pub const ALL: [EventType; 8] = [
        Self::OrderCreated,
        Self::OrderPaid,
        Self::OrderCanceled,
        Self::StockReserved,
        Self::StockRejected,
        Self::StockCommitted,
        Self::StockReleased,
        Self::StockAdjusted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderCreated => "OrderCreated",
            Self::OrderPaid => "OrderPaid",
            Self::OrderCanceled => "OrderCanceled",
            Self::StockReserved => "StockReserved",
            Self::StockRejected => "StockRejected",
            Self::StockCommitted => "StockCommitted",
            Self::StockReleased => "StockReleased",
            Self::StockAdjusted => "StockAdjusted",
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
    /// Why an order was canceled; absent on `OrderPaid` and on events written before
    /// inventory existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CancelReason>,
}

/// Why an order was canceled (docs/spec.md#inventory-saga).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The user or an admin canceled it through the API.
    Requested,
    /// The inventory service could not reserve every line (`StockRejected`).
    OutOfStock,
    /// It stayed unpaid longer than `RESERVATION_TTL_SECONDS`.
    ReservationExpired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventPayload {
    OrderCreated(OrderCreated),
    OrderPaid(OrderStatusChanged),
    OrderCanceled(OrderStatusChanged),
    StockReserved(StockReservation),
    StockRejected(StockRejected),
    StockCommitted(StockReservation),
    StockReleased(StockReservation),
    StockAdjusted(StockAdjusted),
}

impl EventPayload {
    pub fn event_type(&self) -> EventType {
        match self {
            Self::OrderCreated(_) => EventType::OrderCreated,
            Self::OrderPaid(_) => EventType::OrderPaid,
            Self::OrderCanceled(_) => EventType::OrderCanceled,
            Self::StockReserved(_) => EventType::StockReserved,
            Self::StockRejected(_) => EventType::StockRejected,
            Self::StockCommitted(_) => EventType::StockCommitted,
            Self::StockReleased(_) => EventType::StockReleased,
            Self::StockAdjusted(_) => EventType::StockAdjusted,
        }
    }

    /// The order the event is about; `None` for `StockAdjusted`, which is about a SKU.
    pub fn order_id(&self) -> Option<Uuid> {
        match self {
            Self::OrderCreated(data) => Some(data.order_id),
            Self::OrderPaid(data) | Self::OrderCanceled(data) => Some(data.order_id),
            Self::StockReserved(data) | Self::StockCommitted(data) | Self::StockReleased(data) => {
                Some(data.order_id)
            }
            Self::StockRejected(data) => Some(data.order_id),
            Self::StockAdjusted(_) => None,
        }
    }

    /// The Kafka message key (and outbox `message_key`): the order id, so an order's events
    /// stay in order, or the SKU for `StockAdjusted`.
    pub fn message_key(&self) -> String {
        match (self, self.order_id()) {
            (Self::StockAdjusted(data), _) => data.sku.clone(),
            (_, Some(order_id)) => order_id.to_string(),
            (_, None) => unreachable!("every event but StockAdjusted names an order"),
        }
    }

    fn data_json(&self) -> Value {
        let value = match self {
            Self::OrderCreated(data) => serde_json::to_value(data),
            Self::OrderPaid(data) | Self::OrderCanceled(data) => serde_json::to_value(data),
            Self::StockReserved(data) | Self::StockCommitted(data) | Self::StockReleased(data) => {
                serde_json::to_value(data)
            }
            Self::StockRejected(data) => serde_json::to_value(data),
            Self::StockAdjusted(data) => serde_json::to_value(data),
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

    pub fn order_id(&self) -> Option<Uuid> {
        self.payload.order_id()
    }

    pub fn message_key(&self) -> String {
        self.payload.message_key()
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
            EventType::StockReserved => {
                EventPayload::StockReserved(validated_reservation(wire.data)?)
            }
            EventType::StockCommitted => {
                EventPayload::StockCommitted(validated_reservation(wire.data)?)
            }
            EventType::StockReleased => {
                EventPayload::StockReleased(validated_reservation(wire.data)?)
            }
            EventType::StockRejected => {
                let data: StockRejected = decode(wire.data, "data.")?;
                validate_rejected(&data)?;
                EventPayload::StockRejected(data)
            }
            EventType::StockAdjusted => {
                let data: StockAdjusted = decode(wire.data, "data.")?;
                validate_adjusted(&data)?;
                EventPayload::StockAdjusted(data)
            }
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

pub(crate) fn invalid(field: &str, message: &str) -> EnvelopeError {
    EnvelopeError::InvalidField {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

pub(crate) fn decode<T: DeserializeOwned>(value: Value, prefix: &str) -> Result<T, EnvelopeError> {
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
            reason: Some(CancelReason::OutOfStock),
        };
        let reservation = StockReservation {
            order_id: Uuid::nil(),
            items: vec![crate::StockLine {
                sku: "SKU-1".into(),
                qty: 3,
            }],
        };
        for payload in [
            created().payload,
            EventPayload::OrderPaid(changed.clone()),
            EventPayload::OrderCanceled(changed),
            EventPayload::StockReserved(reservation.clone()),
            EventPayload::StockCommitted(reservation.clone()),
            EventPayload::StockReleased(reservation),
            EventPayload::StockRejected(StockRejected {
                order_id: Uuid::nil(),
                short_lines: vec![crate::ShortLine {
                    sku: "SKU-2".into(),
                    requested: 2,
                    available: 0,
                }],
            }),
            EventPayload::StockAdjusted(adjusted()),
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

    fn adjusted() -> StockAdjusted {
        StockAdjusted {
            sku: "SKU-1".into(),
            reason: crate::AdjustReason::Restock,
            previous_on_hand: 5,
            on_hand: 50,
            reserved: 3,
            actor_id: Uuid::nil(),
        }
    }

    #[test]
    fn the_message_key_is_the_order_or_the_sku() {
        assert_eq!(created().message_key(), Uuid::nil().to_string());
        let envelope = Envelope {
            payload: EventPayload::StockAdjusted(adjusted()),
            ..created()
        };
        assert_eq!(envelope.message_key(), "SKU-1");
        assert_eq!(envelope.order_id(), None);
    }

    #[test]
    fn cancel_reason_is_snake_case_and_optional() {
        let mut value = created().to_json_value();
        value["event_type"] = json!("OrderCanceled");
        value["data"] = json!({"order_id": Uuid::nil(), "user_id": Uuid::nil(),
            "total_amount": 1, "currency": "EUR"});
        let EventPayload::OrderCanceled(data) =
            Envelope::from_json_value(value.clone()).unwrap().payload
        else {
            panic!("not a cancel")
        };
        assert_eq!(data.reason, None);
        value["data"]["reason"] = json!("reservation_expired");
        let EventPayload::OrderCanceled(data) =
            Envelope::from_json_value(value.clone()).unwrap().payload
        else {
            panic!("not a cancel")
        };
        assert_eq!(data.reason, Some(CancelReason::ReservationExpired));
        value["data"]["reason"] = json!("bored");
        assert_eq!(reject(value).reason_code(), "invalid_field");
    }

    #[test]
    fn rejects_stock_events_that_break_the_rules() {
        let base = Envelope {
            payload: EventPayload::StockAdjusted(adjusted()),
            ..created()
        }
        .to_json_value();
        for (field, bad, path) in [
            ("on_hand", json!(-1), "data.on_hand"),
            ("reserved", json!(51), "data.reserved"),
            ("sku", json!(""), "data.sku"),
        ] {
            let mut value = base.clone();
            value["data"][field] = bad;
            assert!(
                matches!(reject(value), EnvelopeError::InvalidField { field, .. } if field == path)
            );
        }
        let mut value = base.clone();
        value["event_type"] = json!("StockReserved");
        value["data"] = json!({"order_id": Uuid::nil(), "items": [{"sku": "A", "qty": 0}]});
        assert!(
            matches!(reject(value.clone()), EnvelopeError::InvalidField { field, .. } if field == "data.items[0].qty")
        );
        value["event_type"] = json!("StockRejected");
        value["data"] = json!({"order_id": Uuid::nil(),
            "short_lines": [{"sku": "A", "requested": 2, "available": 2}]});
        assert!(
            matches!(reject(value), EnvelopeError::InvalidField { field, .. } if field == "data.short_lines[0].available")
        );
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
