//! The dead-letter console's model: the DLQ topics, what one dead letter says (parsed with
//! the owner of its format, `events::DeadLetter` and `events::dead_letter::headers`), its
//! state after operator actions, and the listing's order and cursor.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use events::dead_letter::{self as dlq_format, headers as header_names};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A dead-letter topic the console reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum DlqTopic {
    #[serde(rename = "orders.dlq")]
    Orders,
    #[serde(rename = "inventory.dlq")]
    Inventory,
}

impl DlqTopic {
    pub const ALL: [DlqTopic; 2] = [Self::Orders, Self::Inventory];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Orders => events::TOPIC_DEAD_LETTER,
            Self::Inventory => events::TOPIC_INVENTORY_DEAD_LETTER,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|topic| topic.as_str() == text)
    }
}

/// One dead letter's address: its DLQ topic, partition and offset. Its text form
/// `orders.dlq/1/42` is the `target` of the operator action log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LetterId {
    pub topic: DlqTopic,
    pub partition: i32,
    pub offset: i64,
}

impl LetterId {
    /// From the path segments; `None` when they cannot name a dead letter.
    pub fn parse(topic: &str, partition: &str, offset: &str) -> Option<Self> {
        let is_digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if !is_digits(partition) || !is_digits(offset) {
            return None;
        }
        Some(Self {
            topic: DlqTopic::parse(topic)?,
            partition: partition.parse().ok()?,
            offset: offset.parse().ok()?,
        })
    }

    pub fn target(&self) -> String {
        format!("{}/{}/{}", self.topic.as_str(), self.partition, self.offset)
    }
}

/// A message as the broker returned it from a DLQ topic.
#[derive(Debug, Clone, Default)]
pub struct RawMessage {
    pub partition: i32,
    pub offset: i64,
    /// The message's timestamp (ms since the epoch), when the broker has one.
    pub timestamp_ms: Option<i64>,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// Why a dead letter cannot be sent to its source topic again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRedrivable {
    /// The source is a derived topic (`orders.sku-stats`): it is recomputed, not redriven.
    DerivedTopic,
    /// No known source topic, or no original payload in the body.
    UnknownSource,
}

/// One dead letter, parsed. Headers win over the body where both say something (the
/// outbox worker's letters name their source only in the body's `source`).
#[derive(Debug, Clone)]
pub struct DeadLetterMessage {
    pub id: LetterId,
    pub timestamp: DateTime<Utc>,
    /// The key exactly as stored (the original message's key): a redrive sends it back.
    pub key: Option<Vec<u8>>,
    /// The dead letter's value as text (lossy UTF-8).
    pub payload: String,
    pub headers: BTreeMap<String, String>,
    pub error_code: String,
    pub error_reason: String,
    pub source_topic: Option<String>,
    pub source_partition: Option<i32>,
    pub source_offset: Option<i64>,
    /// What a redrive sends: the body's `original_payload` as text (`None` when the value
    /// is not a dead letter at all).
    pub original_payload: Option<String>,
}

/// `error_code` of a message in a DLQ topic that names no code at all.
pub const UNKNOWN_CODE: &str = "unknown";

impl DeadLetterMessage {
    pub fn parse(topic: DlqTopic, raw: RawMessage) -> Self {
        let body: Option<events::DeadLetter> = raw
            .payload
            .as_deref()
            .and_then(|payload| serde_json::from_slice(payload).ok());
        let headers: BTreeMap<String, String> = raw
            .headers
            .into_iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_deref().unwrap_or_default());
                (name, value.into_owned())
            })
            .collect();
        let header = |name: &str| headers.get(name).filter(|v| !v.is_empty()).cloned();
        let error_code = header(header_names::ERROR_CODE)
            .or_else(|| body.as_ref().map(|b| b.error_code.clone()))
            .unwrap_or_else(|| UNKNOWN_CODE.to_owned());
        let error_reason = header(header_names::ERROR_REASON)
            .or_else(|| body.as_ref().map(|b| b.error_reason.clone()))
            .unwrap_or_default();
        let source_topic = header(header_names::SOURCE_TOPIC)
            .or_else(|| body.as_ref().map(|b| b.source.clone()))
            .filter(|topic| !topic.is_empty());
        let source_partition = header(header_names::SOURCE_PARTITION).and_then(|p| p.parse().ok());
        let source_offset = header(header_names::SOURCE_OFFSET).and_then(|o| o.parse().ok());
        let timestamp = raw
            .timestamp_ms
            .and_then(DateTime::from_timestamp_millis)
            .or_else(|| body.as_ref().map(|b| b.dead_lettered_at))
            .unwrap_or(DateTime::UNIX_EPOCH);
        Self {
            id: LetterId {
                topic,
                partition: raw.partition,
                offset: raw.offset,
            },
            timestamp,
            key: raw.key,
            payload: String::from_utf8_lossy(raw.payload.as_deref().unwrap_or_default())
                .into_owned(),
            headers,
            error_code,
            error_reason,
            source_topic,
            source_partition,
            source_offset,
            original_payload: body.map(|b| original_text(&b.original_payload)),
        }
    }

    /// Where a redrive sends this letter's original payload, or why it may not.
    pub fn redrive_topic(&self) -> Result<&str, NotRedrivable> {
        match (&self.source_topic, &self.original_payload) {
            (Some(topic), Some(_)) if dlq_format::is_redrivable(topic) => Ok(topic.as_str()),
            (Some(topic), _) if topic == events::TOPIC_SKU_STATS => {
                Err(NotRedrivable::DerivedTopic)
            }
            _ => Err(NotRedrivable::UnknownSource),
        }
    }

    pub fn is_redrivable(&self) -> bool {
        self.redrive_topic().is_ok()
    }

    pub fn key_text(&self) -> Option<String> {
        self.key
            .as_deref()
            .map(|key| String::from_utf8_lossy(key).into_owned())
    }

    pub fn position(&self) -> Position {
        Position {
            timestamp_ms: self.timestamp.timestamp_millis(),
            partition: self.id.partition,
            offset: self.id.offset,
        }
    }
}

/// The original message as the dead letter keeps it: JSON when it parsed (sent back as
/// compact JSON, its members in their original order), otherwise the raw text.
fn original_text(original: &Value) -> String {
    match original {
        Value::String(text) => text.clone(),
        json => json.to_string(),
    }
}

/// Where a dead letter stands after the operator actions on it (its latest one counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LetterState {
    /// Nothing done yet.
    Dead,
    /// Sent to its source topic again (at least once).
    Redriven,
    /// Hidden from the default listing.
    Discarded,
}

impl LetterState {
    pub fn after(latest_action: Option<&str>) -> Self {
        match latest_action {
            Some(crate::operator_actions::domain::REDRIVE) => Self::Redriven,
            Some(crate::operator_actions::domain::DISCARD) => Self::Discarded,
            _ => Self::Dead,
        }
    }
}

/// A place in the listing: newest first by timestamp, then by partition, then newest
/// offset first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub timestamp_ms: i64,
    pub partition: i32,
    pub offset: i64,
}

impl Position {
    /// The listing's order: `Less` means `self` is shown before `other`.
    pub fn listing_order(&self, other: &Self) -> Ordering {
        other
            .timestamp_ms
            .cmp(&self.timestamp_ms)
            .then(self.partition.cmp(&other.partition))
            .then(other.offset.cmp(&self.offset))
    }

    /// The opaque cursor: base64url of `<timestamp ms>:<partition>:<offset>`.
    pub fn to_cursor(self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{}:{}:{}",
            self.timestamp_ms, self.partition, self.offset
        ))
    }

    pub fn from_cursor(cursor: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let text = std::str::from_utf8(&bytes).ok()?;
        let mut parts = text.split(':');
        let position = Self {
            timestamp_ms: parts.next()?.parse().ok()?,
            partition: parts.next()?.parse().ok()?,
            offset: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(position)
    }
}

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;
/// The longest `error_code` a filter or a bulk redrive accepts.
pub const MAX_CODE_LEN: usize = 100;

/// Whether `code` can be an `error_code` (for filters and bulk redrives).
pub fn is_error_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn raw(payload: &str, headers: &[(&str, &str)]) -> RawMessage {
        RawMessage {
            partition: 1,
            offset: 42,
            timestamp_ms: Some(1_764_158_400_123),
            key: Some(b"order-1".to_vec()),
            payload: Some(payload.as_bytes().to_vec()),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Some(v.as_bytes().to_vec())))
                .collect(),
        }
    }

    fn letter_body(original: &[u8], source: &str) -> String {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        let letter =
            events::DeadLetter::new(original, "invalid_field", "bad qty".into(), source, at);
        serde_json::to_string(&letter).unwrap()
    }

    #[test]
    fn a_consumer_dead_letter_is_read_from_its_headers_and_body() {
        let original = br#"{"event_id":"e","data":{"b":1,"a":2}}"#;
        let letter = DeadLetterMessage::parse(
            DlqTopic::Orders,
            raw(
                &letter_body(original, "orders.events"),
                &[
                    (header_names::ERROR_REASON, "bad qty"),
                    (header_names::ERROR_CODE, "invalid_field"),
                    (header_names::SOURCE_TOPIC, "orders.events"),
                    (header_names::SOURCE_PARTITION, "2"),
                    (header_names::SOURCE_OFFSET, "17"),
                ],
            ),
        );
        assert_eq!(letter.error_code, "invalid_field");
        assert_eq!(letter.error_reason, "bad qty");
        assert_eq!(letter.source_topic.as_deref(), Some("orders.events"));
        assert_eq!(letter.source_partition, Some(2));
        assert_eq!(letter.source_offset, Some(17));
        assert_eq!(letter.key_text().as_deref(), Some("order-1"));
        assert_eq!(letter.timestamp.timestamp_millis(), 1_764_158_400_123);
        // Compact JSON with the members in their original order is what was sent.
        let original = std::str::from_utf8(original).unwrap();
        assert_eq!(letter.original_payload.as_deref(), Some(original));
        assert_eq!(letter.redrive_topic(), Ok("orders.events"));
        assert_eq!(letter.id.target(), "orders.dlq/1/42");
    }

    #[test]
    fn an_outbox_dead_letter_names_its_source_in_the_body_only() {
        let letter = DeadLetterMessage::parse(
            DlqTopic::Orders,
            raw(&letter_body(b"not json", "orders.events"), &[]),
        );
        assert_eq!(letter.error_code, "invalid_field");
        assert_eq!(letter.source_topic.as_deref(), Some("orders.events"));
        assert_eq!(letter.source_partition, None);
        assert_eq!(letter.original_payload.as_deref(), Some("not json"));
        assert!(letter.is_redrivable());
    }

    #[test]
    fn derived_unknown_and_unparsable_sources_are_not_redrivable() {
        let derived = DeadLetterMessage::parse(
            DlqTopic::Orders,
            raw(&letter_body(b"{}", "orders.sku-stats"), &[]),
        );
        assert_eq!(derived.redrive_topic(), Err(NotRedrivable::DerivedTopic));
        let unknown = DeadLetterMessage::parse(
            DlqTopic::Orders,
            raw(&letter_body(b"{}", "somewhere.else"), &[]),
        );
        assert_eq!(unknown.redrive_topic(), Err(NotRedrivable::UnknownSource));
        let garbage = DeadLetterMessage::parse(
            DlqTopic::Inventory,
            raw("garbage", &[(header_names::SOURCE_TOPIC, "orders.events")]),
        );
        assert_eq!(garbage.redrive_topic(), Err(NotRedrivable::UnknownSource));
        assert_eq!(garbage.error_code, UNKNOWN_CODE);
        assert_eq!(garbage.payload, "garbage");
    }

    #[test]
    fn letter_ids_come_from_path_segments() {
        let id = LetterId::parse("inventory.dlq", "2", "17").unwrap();
        assert_eq!(id.target(), "inventory.dlq/2/17");
        for (topic, partition, offset) in [
            ("orders.events", "0", "0"),
            ("orders.dlq", "-1", "0"),
            ("orders.dlq", "0", "+1"),
            ("orders.dlq", "x", "0"),
            ("orders.dlq", "0", ""),
            ("orders.dlq", "99999999999", "0"),
        ] {
            assert_eq!(
                LetterId::parse(topic, partition, offset),
                None,
                "{topic}/{partition}/{offset}"
            );
        }
    }

    #[test]
    fn the_listing_is_newest_first_and_cursors_round_trip() {
        let at = |timestamp_ms, partition, offset| Position {
            timestamp_ms,
            partition,
            offset,
        };
        let mut positions = vec![at(1, 0, 5), at(3, 1, 1), at(3, 0, 9), at(3, 0, 10)];
        positions.sort_by(Position::listing_order);
        assert_eq!(
            positions,
            vec![at(3, 0, 10), at(3, 0, 9), at(3, 1, 1), at(1, 0, 5)]
        );
        let position = at(1_764_158_400_123, 2, 17);
        assert_eq!(Position::from_cursor(&position.to_cursor()), Some(position));
        assert_eq!(Position::from_cursor("bm9wZQ"), None);
        assert_eq!(Position::from_cursor("!!"), None);
    }

    #[test]
    fn states_follow_the_latest_action() {
        assert_eq!(LetterState::after(None), LetterState::Dead);
        assert_eq!(LetterState::after(Some("redrive")), LetterState::Redriven);
        assert_eq!(LetterState::after(Some("discard")), LetterState::Discarded);
    }

    #[test]
    fn error_codes_are_short_identifiers() {
        assert!(is_error_code("malformed_json"));
        assert!(is_error_code("test-1.x"));
        assert!(!is_error_code(""));
        assert!(!is_error_code("a b"));
        assert!(!is_error_code(&"a".repeat(MAX_CODE_LEN + 1)));
    }
}
