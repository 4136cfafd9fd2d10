//! The table's shape. A database that a relay works on must have these columns and
//! indexes; `sql/outbox_events.sql` ([`DDL`]) creates them on a fresh database (a new
//! service's first migration applies it), and [`verify`] checks an existing one.
//!
//! | column | meaning |
//! |---|---|
//! | `id` | event id (= the envelope's `event_id`; consumers de-duplicate by it) |
//! | `seq` | insertion order; the order of rows within a key |
//! | `message_key` | Kafka message key, the unit of ordering (order id, SKU, ...) |
//! | `aggregate_type`, `aggregate_id` | what the event is about (informational) |
//! | `event_type`, `payload_json` | the event; `payload_json` is published as is |
//! | `created_at` | insert time (lag) |
//! | `available_at` | earliest next claim: insert time, or the end of a backoff |
//! | `published_at` | set when the broker acknowledged |
//! | `publish_attempts`, `last_error`, `next_attempt_at` | failed attempts so far |
//! | `dead_at` | set when the row went to the dead-letter topic |

use sqlx::PgConnection;

pub const TABLE: &str = "outbox_events";

/// The SQL that creates the table and its indexes on a fresh database.
pub const DDL: &str = include_str!("../sql/outbox_events.sql");

/// Column name and `information_schema` data type of every column the crate relies on.
pub const COLUMNS: &[(&str, &str)] = &[
    ("id", "uuid"),
    ("seq", "bigint"),
    ("message_key", "text"),
    ("aggregate_type", "text"),
    ("aggregate_id", "uuid"),
    ("event_type", "text"),
    ("payload_json", "jsonb"),
    ("created_at", "timestamp with time zone"),
    ("available_at", "timestamp with time zone"),
    ("published_at", "timestamp with time zone"),
    ("publish_attempts", "integer"),
    ("last_error", "text"),
    ("next_attempt_at", "timestamp with time zone"),
    ("dead_at", "timestamp with time zone"),
];

/// The partial indexes that keep the claim, the lag probe and the operator's figures
/// ([`crate::stats`]) bounded.
pub const INDEXES: &[&str] = &[
    "outbox_events_claim_idx",
    "outbox_events_key_head_idx",
    "outbox_events_oldest_idx",
    "outbox_events_dead_idx",
    "outbox_events_published_idx",
];

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("outbox_events does not match the outbox crate's schema: {}", .0.join("; "))]
    Mismatch(Vec<String>),
}

/// Checks that the connected database has the table as this crate expects it (columns
/// with their types, the claim indexes, no insert trigger sending NOTIFY).
pub async fn verify(conn: &mut PgConnection) -> Result<(), SchemaError> {
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(TABLE)
    .fetch_all(&mut *conn)
    .await?;
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1",
    )
    .bind(TABLE)
    .fetch_all(&mut *conn)
    .await?;
    let triggers: Vec<String> = sqlx::query_scalar(
        "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = to_regclass($1)",
    )
    .bind(TABLE)
    .fetch_all(&mut *conn)
    .await?;
    let problems = mismatches(&columns, &indexes, &triggers);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SchemaError::Mismatch(problems))
    }
}

fn mismatches(
    columns: &[(String, String)],
    indexes: &[String],
    triggers: &[String],
) -> Vec<String> {
    if columns.is_empty() {
        return vec![format!(
            "table {TABLE} does not exist (migrations not applied?)"
        )];
    }
    let mut problems = Vec::new();
    for (name, data_type) in COLUMNS {
        match columns.iter().find(|(found, _)| found == name) {
            None => problems.push(format!("column {name} is missing")),
            Some((_, found)) if found != data_type => {
                problems.push(format!("column {name} is {found}, expected {data_type}"))
            }
            Some(_) => {}
        }
    }
    for index in INDEXES {
        if !indexes.iter().any(|found| found == index) {
            problems.push(format!("index {index} is missing"));
        }
    }
    for trigger in triggers {
        problems.push(format!(
            "trigger {trigger} on {TABLE}: the outbox expects no insert triggers (NOTIFY serialises commits)"
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_columns() -> Vec<(String, String)> {
        COLUMNS
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    fn all_indexes() -> Vec<String> {
        INDEXES.iter().map(|i| i.to_string()).collect()
    }

    #[test]
    fn a_complete_table_has_no_mismatches() {
        assert!(mismatches(&all_columns(), &all_indexes(), &[]).is_empty());
    }

    #[test]
    fn every_difference_is_named() {
        let mut columns = all_columns();
        columns.retain(|(name, _)| name != "message_key");
        columns.iter_mut().find(|(n, _)| n == "seq").unwrap().1 = "integer".into();
        let problems = mismatches(
            &columns,
            &all_indexes()[1..],
            &["outbox_events_notify".to_owned()],
        );
        assert_eq!(
            problems,
            [
                "column seq is integer, expected bigint",
                "column message_key is missing",
                "index outbox_events_claim_idx is missing",
                "trigger outbox_events_notify on outbox_events: the outbox expects no insert triggers (NOTIFY serialises commits)",
            ]
        );
        assert_eq!(mismatches(&[], &[], &[]).len(), 1);
    }

    #[test]
    fn the_ddl_creates_every_column_and_index() {
        for (name, _) in COLUMNS {
            assert!(DDL.contains(&format!("    {name} ")), "{name}");
        }
        for index in INDEXES {
            assert!(DDL.contains(index), "{index}");
        }
    }
}
