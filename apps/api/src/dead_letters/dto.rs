//! The JSON shapes of the dead-letter console (query string, bodies, responses).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::domain::{
    is_error_code, DeadLetterMessage, DlqTopic, LetterState, Position, DEFAULT_LIMIT, MAX_LIMIT,
};
use crate::error::FieldError;
use crate::operator_actions::domain::{millis, ActionName};
use crate::operator_actions::repo::LatestAction;

/// The query string as sent; [`ListQuery::parse`] checks it, naming every invalid parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadLetterListParams {
    /// The DLQ topic to read (default `orders.dlq`).
    #[param(value_type = Option<DlqTopic>)]
    pub topic: Option<String>,
    /// Only letters with this `error_code`, e.g. `invalid_field`.
    #[param(value_type = Option<String>, pattern = "^[A-Za-z0-9_.-]{1,100}$", example = "malformed_json")]
    pub reason: Option<String>,
    /// Also list discarded letters (default `false`).
    #[param(value_type = Option<bool>)]
    pub include_discarded: Option<String>,
    /// Maximum number of items, 1–200 (default 50).
    #[param(value_type = Option<u8>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page, unchanged.
    pub cursor: Option<String>,
}

/// A validated listing request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub topic: DlqTopic,
    pub reason: Option<String>,
    pub include_discarded: bool,
    pub limit: usize,
    pub after: Option<Position>,
}

impl ListQuery {
    pub fn parse(params: &DeadLetterListParams) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut invalid = |field: &str, message: &str| errors.push(FieldError::new(field, message));
        let topic = match params.topic.as_deref() {
            None => Some(DlqTopic::Orders),
            Some(text) => DlqTopic::parse(text).or_else(|| {
                invalid("topic", "must be orders.dlq or inventory.dlq");
                None
            }),
        };
        let reason = params.reason.clone();
        if reason.as_deref().is_some_and(|code| !is_error_code(code)) {
            invalid(
                "reason",
                "must be an error_code: 1–100 characters of A-Z, a-z, 0-9, _, - and .",
            );
        }
        let include_discarded = match params.include_discarded.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                invalid("include_discarded", "must be true or false");
                false
            }
        };
        let limit = match params.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    invalid("limit", "must be an integer between 1 and 200");
                    DEFAULT_LIMIT
                }
            },
        };
        let after = match params.cursor.as_deref() {
            None => None,
            Some(cursor) => Position::from_cursor(cursor).or_else(|| {
                invalid("cursor", "must be the next_cursor of a previous page");
                None
            }),
        };
        match topic {
            Some(topic) if errors.is_empty() => Ok(Self {
                topic,
                reason,
                include_discarded,
                limit,
                after,
            }),
            _ => Err(errors),
        }
    }
}

/// The latest operator action on a dead letter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LastAction {
    pub action: ActionName,
    pub actor_email: String,
    #[serde(serialize_with = "millis")]
    pub at: DateTime<Utc>,
}

/// One dead letter as the console shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadLetterItem {
    pub topic: DlqTopic,
    pub partition: i32,
    pub offset: i64,
    /// When the letter was written to the DLQ (RFC 3339 UTC).
    #[serde(serialize_with = "millis")]
    pub timestamp: DateTime<Utc>,
    /// The original message's key (an order id, or a SKU), as text.
    pub key: Option<String>,
    /// The dead letter's value as text: an `events::DeadLetter` JSON object.
    pub payload: String,
    /// Every header of the dead letter.
    pub headers: BTreeMap<String, String>,
    /// Machine-readable reason, e.g. `malformed_json`; `unknown` when the letter names none.
    #[schema(example = "invalid_field")]
    pub error_code: String,
    pub error_reason: String,
    /// The topic the original message was read from (or, for an outbox row, meant for).
    #[schema(example = "orders.events")]
    pub source_topic: Option<String>,
    pub source_partition: Option<i32>,
    pub source_offset: Option<i64>,
    /// The original message as text: exactly what a redrive sends (JSON is sent compact,
    /// its members in their original order).
    pub original_payload: Option<String>,
    /// Whether it may be redriven: false for a derived source topic (`orders.sku-stats`),
    /// an unknown or missing one, or a letter without an original payload.
    pub redrivable: bool,
    pub state: LetterState,
    pub last_action: Option<LastAction>,
}

impl DeadLetterItem {
    pub fn new(letter: DeadLetterMessage, latest: Option<LatestAction>) -> Self {
        let state = LetterState::after(latest.as_ref().map(|l| l.action.as_str()));
        let redrivable = letter.is_redrivable();
        let key = letter.key_text();
        let last_action = latest.and_then(|latest| {
            Some(LastAction {
                action: ActionName::parse(&latest.action)?,
                actor_email: latest.actor_email,
                at: latest.at,
            })
        });
        Self {
            topic: letter.id.topic,
            partition: letter.id.partition,
            offset: letter.id.offset,
            timestamp: letter.timestamp,
            key,
            payload: letter.payload,
            headers: letter.headers,
            error_code: letter.error_code,
            error_reason: letter.error_reason,
            source_topic: letter.source_topic,
            source_partition: letter.source_partition,
            source_offset: letter.source_offset,
            original_payload: letter.original_payload,
            redrivable,
            state,
            last_action,
        }
    }
}

/// How many listed letters have one `error_code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReasonCount {
    pub error_code: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterPage {
    /// Newest first.
    pub items: Vec<DeadLetterItem>,
    /// Every `error_code` among the letters read (discarded ones only with
    /// `include_discarded`), whatever `reason` filters: most frequent first.
    pub reasons: Vec<ReasonCount>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RedriveAllRequest {
    pub topic: DlqTopic,
    /// Every non-discarded, redrivable letter with this `error_code` is redriven.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,100}$", min_length = 1, max_length = 100)]
    pub error_code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Redriven {
    pub redriven: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RedrivenAll {
    pub redriven: u64,
    /// Letters with that code that may not be redriven (see `redrivable`).
    pub skipped: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Discarded {
    pub discarded: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> DeadLetterListParams {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        };
        DeadLetterListParams {
            topic: get("topic"),
            reason: get("reason"),
            include_discarded: get("include_discarded"),
            limit: get("limit"),
            cursor: get("cursor"),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn defaults_are_the_orders_dlq_newest_50_without_discarded() {
        let query = ListQuery::parse(&params(&[])).unwrap();
        assert_eq!(
            query,
            ListQuery {
                topic: DlqTopic::Orders,
                reason: None,
                include_discarded: false,
                limit: DEFAULT_LIMIT,
                after: None,
            }
        );
    }

    #[test]
    fn every_parameter_is_read() {
        let cursor = Position {
            timestamp_ms: 5,
            partition: 1,
            offset: 2,
        };
        let query = ListQuery::parse(&params(&[
            ("topic", "inventory.dlq"),
            ("reason", "malformed_json"),
            ("include_discarded", "true"),
            ("limit", "200"),
            ("cursor", &cursor.to_cursor()),
        ]))
        .unwrap();
        assert_eq!(query.topic, DlqTopic::Inventory);
        assert_eq!(query.reason.as_deref(), Some("malformed_json"));
        assert!(query.include_discarded);
        assert_eq!(query.limit, 200);
        assert_eq!(query.after, Some(cursor));
    }

    #[test]
    fn every_invalid_parameter_is_named() {
        let errors = ListQuery::parse(&params(&[
            ("topic", "orders.events"),
            ("reason", "no spaces"),
            ("include_discarded", "yes"),
            ("limit", "0"),
            ("cursor", "x"),
        ]))
        .unwrap_err();
        assert_eq!(
            fields(errors),
            ["topic", "reason", "include_discarded", "limit", "cursor"]
        );
    }
}
