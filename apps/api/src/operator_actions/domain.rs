//! The action names and the JSON shape of one logged action.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;
use uuid::Uuid;

/// A dead letter was sent to its source topic again; target `orders.dlq/1/42`.
pub const REDRIVE: &str = "redrive";
/// A dead letter was hidden from the console's default listing; target as for `redrive`.
pub const DISCARD: &str = "discard";
/// An outbox's dead rows were re-queued; target `outbox:orders` or `outbox:inventory`.
pub const REQUEUE_DEAD_OUTBOX: &str = "requeue_dead_outbox";

pub(crate) fn millis<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&events::format_rfc3339_millis(at))
}

/// What an operator did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionName {
    Redrive,
    Discard,
    RequeueDeadOutbox,
}

impl ActionName {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            REDRIVE => Some(Self::Redrive),
            DISCARD => Some(Self::Discard),
            REQUEUE_DEAD_OUTBOX => Some(Self::RequeueDeadOutbox),
            _ => None,
        }
    }
}

/// One entry of the action log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OperatorAction {
    pub id: Uuid,
    pub action: ActionName,
    /// The admin who did it.
    pub actor_id: Uuid,
    pub actor_email: String,
    #[serde(serialize_with = "millis")]
    pub at: DateTime<Utc>,
    /// What it was done to: a dead letter `orders.dlq/1/42`, or an outbox `outbox:orders`.
    #[schema(example = "orders.dlq/1/42")]
    pub target: String,
    /// More about it, e.g. the redrive's destination topic.
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorActionPage {
    /// Newest first.
    pub items: Vec<OperatorAction>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_name_parses_to_its_json_name() {
        for name in [REDRIVE, DISCARD, REQUEUE_DEAD_OUTBOX] {
            let action = ActionName::parse(name).unwrap();
            assert_eq!(serde_json::to_value(action).unwrap(), name);
        }
        assert_eq!(ActionName::parse("delete"), None);
    }
}
