//! The worker's settings, read once at start-up; every failure names the variable.
//!
//! One worker relays one or more outboxes. The first, `orders`, comes from today's
//! variables (`DATABASE_URL`, `ORDERS_EVENTS_TOPIC`, `DLQ_TOPIC`); `EXTRA_OUTBOXES` adds
//! more as whitespace-separated `name|database_url|topic|dlq_topic` entries (`|` cannot
//! appear unescaped in a URL). All outboxes share the broker settings and the relay knobs.

use std::net::SocketAddr;
use std::time::Duration;

use outbox::RetryPolicy;
use platform::config::{ConfigError, Env};

const POSTGRES_SCHEMES: &[&str] = &["postgres://", "postgresql://"];

/// One outbox table to relay: where it is and where its events go.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxConfig {
    /// Label of its metrics and logs.
    pub name: String,
    pub database_url: String,
    pub topic: String,
    pub dlq_topic: String,
}

impl std::fmt::Debug for OutboxConfig {
    // The database URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxConfig")
            .field("name", &self.name)
            .field("topic", &self.topic)
            .field("dlq_topic", &self.dlq_topic)
            .finish_non_exhaustive()
    }
}

/// How each outbox's loop claims and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelaySettings {
    pub batch_size: u32,
    /// Batches claimed whose deliveries may be in flight at once, per outbox; each holds
    /// its own transaction (and row locks) until its rows are marked.
    pub max_in_flight_batches: usize,
    pub retry: RetryPolicy,
    /// The idle poll starts here after a claim found rows...
    pub poll_min: Duration,
    /// ...and doubles up to this while claims come back empty. Full batches are followed
    /// by the next claim at once. Also bounds how late a row whose backoff ended is seen.
    pub poll_max: Duration,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub outboxes: Vec<OutboxConfig>,
    pub kafka_brokers: String,
    /// Where dead letters go; the same cluster unless told otherwise.
    pub dlq_kafka_brokers: String,
    pub relay: RelaySettings,
    /// Upper bound for one delivery: a dead broker becomes a recorded failure after this.
    pub message_timeout: Duration,
    /// librdkafka `linger.ms`: how long the producer gathers messages into one request...
    pub linger: Duration,
    /// ...and for full batches (a backlog), where bigger requests beat latency.
    pub backlog_linger: Duration,
    pub metrics_addr: SocketAddr,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let orders = OutboxConfig {
            name: "orders".to_owned(),
            database_url: env.url("DATABASE_URL", POSTGRES_SCHEMES)?.to_owned(),
            topic: env.kafka_name("ORDERS_EVENTS_TOPIC", events::TOPIC_ORDER_EVENTS)?,
            dlq_topic: env.kafka_name("DLQ_TOPIC", events::TOPIC_DEAD_LETTER)?,
        };
        let kafka_brokers = env.required_kafka_brokers("KAFKA_BROKERS")?;
        let dlq_kafka_brokers = env
            .kafka_brokers("DLQ_KAFKA_BROKERS")?
            .unwrap_or_else(|| kafka_brokers.clone());
        let mut outboxes = vec![orders];
        if let Some(extra) = env.optional("EXTRA_OUTBOXES") {
            for entry in extra.split_whitespace() {
                let outbox = parse_outbox(entry)
                    .map_err(|problem| ConfigError::new("EXTRA_OUTBOXES", problem))?;
                if outboxes.iter().any(|o| o.name == outbox.name) {
                    return Err(ConfigError::new(
                        "EXTRA_OUTBOXES",
                        format!("names the outbox {:?} twice", outbox.name),
                    ));
                }
                outboxes.push(outbox);
            }
        }
        let poll_min = env.millis("OUTBOX_POLL_MIN_MS", 5)?;
        let poll_max = env.millis("OUTBOX_POLL_INTERVAL_MS", 100)?;
        if poll_max < poll_min {
            return Err(ConfigError::new(
                "OUTBOX_POLL_INTERVAL_MS",
                "must not be below OUTBOX_POLL_MIN_MS",
            ));
        }
        Ok(Self {
            outboxes,
            kafka_brokers,
            dlq_kafka_brokers,
            relay: RelaySettings {
                batch_size: env.in_range("OUTBOX_BATCH_SIZE", 500, 1, 10_000)?,
                max_in_flight_batches: env.in_range("OUTBOX_MAX_IN_FLIGHT_BATCHES", 8, 1, 64)?,
                retry: RetryPolicy {
                    max_attempts: env.in_range("OUTBOX_MAX_ATTEMPTS", 10, 1, 1_000)?,
                    backoff_unit: env.millis("OUTBOX_BACKOFF_UNIT_MS", 1_000)?,
                    backoff_max: env.millis("OUTBOX_BACKOFF_MAX_MS", 300_000)?,
                },
                poll_min,
                poll_max,
            },
            message_timeout: env.millis("KAFKA_MESSAGE_TIMEOUT_MS", 10_000)?,
            linger: Duration::from_millis(env.in_range("KAFKA_LINGER_MS", 5, 0, 1_000)?),
            backlog_linger: Duration::from_millis(env.in_range(
                "KAFKA_BACKLOG_LINGER_MS",
                50,
                0,
                1_000,
            )?),
            metrics_addr: env.parse_or("METRICS_ADDR", SocketAddr::from(([127, 0, 0, 1], 9101)))?,
        })
    }
}

/// `name|database_url|topic|dlq_topic`.
fn parse_outbox(entry: &str) -> Result<OutboxConfig, String> {
    let fields: Vec<&str> = entry.split('|').collect();
    let [name, database_url, topic, dlq_topic] = fields[..] else {
        return Err(format!(
            "has an entry with {} fields, expected name|database_url|topic|dlq_topic",
            fields.len()
        ));
    };
    let kafka_name = |value: &str| {
        !value.is_empty()
            && value.len() <= 249
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    if !kafka_name(name) {
        return Err(format!(
            "has an invalid outbox name {name:?} ([A-Za-z0-9._-])"
        ));
    }
    if !POSTGRES_SCHEMES.iter().any(|s| database_url.starts_with(s)) {
        return Err(format!(
            "outbox {name}: the database URL must start with postgres:// or postgresql://"
        ));
    }
    for topic in [topic, dlq_topic] {
        if !kafka_name(topic) {
            return Err(format!(
                "outbox {name}: {topic:?} is not a Kafka topic name"
            ));
        }
    }
    Ok(OutboxConfig {
        name: name.to_owned(),
        database_url: database_url.to_owned(),
        topic: topic.to_owned(),
        dlq_topic: dlq_topic.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        let mut all = vec![
            ("DATABASE_URL", "postgres://u:p@127.0.0.1/db"),
            ("KAFKA_BROKERS", "127.0.0.1:9092"),
        ];
        all.retain(|(k, _)| !pairs.iter().any(|(o, _)| o == k));
        all.extend_from_slice(pairs);
        Config::from_env(&Env::from_pairs(all))
    }

    #[test]
    fn defaults_relay_the_orders_outbox() {
        let config = with(&[]).unwrap();
        assert_eq!(
            config.outboxes,
            [OutboxConfig {
                name: "orders".into(),
                database_url: "postgres://u:p@127.0.0.1/db".into(),
                topic: "orders.events".into(),
                dlq_topic: "orders.dlq".into(),
            }]
        );
        let relay = config.relay;
        assert_eq!(relay.batch_size, 500);
        assert_eq!(relay.max_in_flight_batches, 8);
        assert_eq!(relay.retry.max_attempts, 10);
        assert_eq!(relay.retry.backoff_unit, Duration::from_secs(1));
        assert_eq!(relay.retry.backoff_max, Duration::from_secs(300));
        assert_eq!(relay.poll_min, Duration::from_millis(5));
        assert_eq!(relay.poll_max, Duration::from_millis(100));
        assert_eq!(config.linger, Duration::from_millis(5));
        assert_eq!(config.backlog_linger, Duration::from_millis(50));
        assert_eq!(config.dlq_kafka_brokers, "127.0.0.1:9092");
        assert_eq!(config.metrics_addr.to_string(), "127.0.0.1:9101");
    }

    #[test]
    fn extra_outboxes_are_parsed_in_order() {
        let config = with(&[(
            "EXTRA_OUTBOXES",
            " inventory|postgres://i:p@127.0.0.1/inventory|inventory.events|inventory.dlq\n\
              audit|postgresql://127.0.0.1/audit?sslmode=disable|audit.events|audit.dlq ",
        )])
        .unwrap();
        let names: Vec<&str> = config.outboxes.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["orders", "inventory", "audit"]);
        assert_eq!(
            config.outboxes[2].database_url,
            "postgresql://127.0.0.1/audit?sslmode=disable"
        );
        assert_eq!(config.outboxes[1].topic, "inventory.events");
        assert_eq!(config.outboxes[1].dlq_topic, "inventory.dlq");
    }

    #[test]
    fn bad_extra_outboxes_say_what_is_wrong() {
        for (bad, expected) in [
            ("inventory|postgres://x|t", "3 fields"),
            ("inventory|mysql://x|t|d", "postgres://"),
            ("inventory|postgres://x|bad/topic|d", "not a Kafka topic"),
            ("inventory|postgres://x|t|", "not a Kafka topic"),
            ("|postgres://x|t|d", "invalid outbox name"),
            ("orders|postgres://x|t|d", "twice"),
            ("a|postgres://x|t|d a|postgres://y|u|e", "twice"),
        ] {
            let err = with(&[("EXTRA_OUTBOXES", bad)]).unwrap_err();
            assert_eq!(err.variable, "EXTRA_OUTBOXES");
            assert!(err.to_string().contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn missing_or_invalid_variables_are_named() {
        for (name, bad) in [
            ("DATABASE_URL", ""),
            ("DATABASE_URL", "mysql://x"),
            ("KAFKA_BROKERS", ""),
            ("KAFKA_BROKERS", "no-port"),
            ("DLQ_KAFKA_BROKERS", "x:y"),
            ("OUTBOX_BATCH_SIZE", "0"),
            ("OUTBOX_BATCH_SIZE", "many"),
            ("OUTBOX_MAX_IN_FLIGHT_BATCHES", "0"),
            ("OUTBOX_MAX_ATTEMPTS", "-1"),
            ("OUTBOX_POLL_INTERVAL_MS", "0"),
            ("OUTBOX_POLL_INTERVAL_MS", "2"),
            ("OUTBOX_POLL_MIN_MS", "x"),
            ("KAFKA_LINGER_MS", "5000"),
            ("KAFKA_BACKLOG_LINGER_MS", "-1"),
            ("ORDERS_EVENTS_TOPIC", "bad topic"),
            ("METRICS_ADDR", "nowhere"),
        ] {
            let err = with(&[(name, bad)]).unwrap_err();
            assert_eq!(err.variable, name, "{name}={bad}: {err}");
        }
    }

    #[test]
    fn debug_output_hides_database_urls() {
        let rendered = format!(
            "{:?}",
            with(&[("EXTRA_OUTBOXES", "inv|postgres://secret:pw@h/i|t|d")]).unwrap()
        );
        assert!(!rendered.contains("u:p@"), "{rendered}");
        assert!(!rendered.contains("secret"), "{rendered}");
    }
}
