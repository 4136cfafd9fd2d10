//! Reading the pipeline from the outside: PostgreSQL (outbox), the broker (consumer group
//! offsets), Flink's Prometheus reporter and MongoDB (read model). Plain runtime SQL, so the
//! benchmark does not depend on the query metadata of the services.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use sqlx::PgPool;

use crate::Target;

/// The projector's and the stream job's consumer groups (owned by `events::consumer_groups`).
pub const PROJECTOR_GROUP: &str = events::consumer_groups::PROJECTOR;
pub const STREAM_JOB_GROUP: &str = events::consumer_groups::STREAM_JOB;

pub struct Stack {
    pub pg: PgPool,
    pub mongo: mongodb::Database,
    pub target: Target,
    http: crate::api::Api,
}

impl Stack {
    pub async fn connect(target: &Target) -> anyhow::Result<Self> {
        let pg = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect(&target.database_url)
            .await
            .context("DATABASE_URL")?;
        let client = mongodb::Client::with_uri_str(&target.mongodb_url)
            .await
            .context("MONGODB_URL")?;
        let mongo = client
            .default_database()
            .unwrap_or_else(|| client.database("orderflow"));
        Ok(Self {
            pg,
            mongo,
            target: target.clone(),
            http: crate::api::Api::new("http://unused"),
        })
    }

    /// Outbox rows not yet published (nor dead).
    pub async fn outbox_pending(&self) -> anyhow::Result<i64> {
        let pending = sqlx::query_scalar(
            "SELECT count(*) FROM outbox_events WHERE published_at IS NULL AND dead_at IS NULL",
        )
        .fetch_one(&self.pg)
        .await?;
        Ok(pending)
    }

    /// Outbox rows created in [from, to]: (published_at − created_at in ms of the published
    /// ones, how many are still pending).
    pub async fn outbox_lags(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> anyhow::Result<(Vec<f64>, i64)> {
        let rows: Vec<(Option<f64>,)> = sqlx::query_as(
            "SELECT (EXTRACT(EPOCH FROM (published_at - created_at)) * 1000)::float8
               FROM outbox_events WHERE created_at BETWEEN $1 AND $2 AND dead_at IS NULL",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pg)
        .await?;
        let pending = rows.iter().filter(|(lag,)| lag.is_none()).count() as i64;
        Ok((rows.into_iter().filter_map(|(lag,)| lag).collect(), pending))
    }

    /// Outbox rows created since `from` (what the read model must end up holding).
    pub async fn outbox_created_since(&self, from: DateTime<Utc>) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE created_at >= $1")
                .bind(from)
                .fetch_one(&self.pg)
                .await?,
        )
    }

    /// `order_events` documents of events that occurred since `from`.
    pub async fn order_events_since(&self, from: DateTime<Utc>) -> anyhow::Result<u64> {
        let since = mongodb::bson::DateTime::from_millis(from.timestamp_millis());
        Ok(self
            .mongo
            .collection::<Document>("order_events")
            .count_documents(doc! {"occurred_at": {"$gte": since}})
            .await?)
    }

    /// `sku_stats` documents whose SKU starts with `prefix`: qty_sum per SKU (summed over
    /// windows and, when the documents carry one, currencies) and when each was written.
    pub async fn sku_stats(&self, prefix: &str) -> anyhow::Result<Vec<StatDoc>> {
        // A range on the indexed `sku` rather than a regex the server may scan for (SKUs are
        // [A-Z0-9_-], all below `~`).
        let filter = doc! {"sku": {"$gte": prefix, "$lt": format!("{prefix}~")}};
        let docs: Vec<Document> = self
            .mongo
            .collection::<Document>("sku_stats")
            .find(filter)
            .await?
            .try_collect()
            .await?;
        Ok(docs
            .iter()
            .map(|d| StatDoc {
                sku: d.get_str("sku").unwrap_or_default().to_owned(),
                qty_sum: number(d.get("qty_sum")),
                updated_at: d
                    .get_datetime("updated_at")
                    .ok()
                    .and_then(|t| DateTime::from_timestamp_millis(t.timestamp_millis())),
            })
            .collect())
    }

    /// Committed offset vs end offset, summed over the partitions of `topic`, for `group`.
    /// Blocking (librdkafka): call from `spawn_blocking`.
    pub fn consumer_lag(brokers: &str, group: &str, topic: &str) -> anyhow::Result<i64> {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .create()?;
        let timeout = Duration::from_secs(5);
        let metadata = consumer.fetch_metadata(Some(topic), timeout)?;
        let partitions = metadata
            .topics()
            .first()
            .map_or(0, |t| t.partitions().len() as i32);
        let mut list = TopicPartitionList::new();
        for partition in 0..partitions {
            list.add_partition(topic, partition);
        }
        let committed = consumer.committed_offsets(list, timeout)?;
        let mut lag = 0;
        for element in committed.elements() {
            let (low, high) = consumer.fetch_watermarks(topic, element.partition(), timeout)?;
            lag += match element.offset() {
                Offset::Offset(at) => high - at,
                _ => high - low,
            };
        }
        Ok(lag)
    }

    /// The stream job's own view: records its Kafka source has not read yet
    /// (`pendingRecords`, summed over its readers), from the TaskManager's Prometheus reporter.
    pub async fn flink_pending_records(&self) -> Option<f64> {
        let answer = self.http.get_text(&self.target.flink_metrics).await.ok()?;
        let values: Vec<f64> = answer
            .lines()
            .filter(|line| !line.starts_with('#') && line.contains("pendingRecords"))
            .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    }

    /// A counter from a service's Prometheus endpoint: the sum of the series of `name` whose
    /// labels contain `label` (e.g. `outbox="orders"`); `None` when the endpoint does not
    /// answer or has no such series (yet).
    pub async fn counter(&self, url: &str, name: &str, label: &str) -> Option<f64> {
        let answer = self.http.get_text(url).await.ok()?;
        let values: Vec<f64> = answer
            .lines()
            .filter(|line| {
                line.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('{') && rest.contains(label))
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    }

    /// The server's own bulk insert rate for the projector's documents: `batches` ×
    /// `read_model::insert_events` (the projector's own unordered `insert_many`) of 1,000
    /// `OrderCreated` events shaped like the benchmark's orders (2 items), into a scratch
    /// database with the read model's indexes, dropped afterwards.
    pub async fn insert_many_rate(&self, batches: usize) -> anyhow::Result<f64> {
        let scratch = self.scratch_database("events");
        read_model::ensure_indexes(&scratch).await?;
        let user_id = uuid::Uuid::now_v7();
        let mut elapsed = Duration::ZERO;
        for _ in 0..batches {
            let envelopes: Vec<events::Envelope> =
                (0..1000).map(|n| order_created(user_id, n)).collect();
            let started = Instant::now();
            read_model::insert_events(&scratch, &envelopes).await?;
            elapsed += started.elapsed();
        }
        scratch.drop().await?;
        Ok((batches * 1000) as f64 / elapsed.as_secs_f64())
    }

    /// The same rate as measured until 2026-11-26, for comparison: ordered `insert_many` of
    /// smaller documents (no `data.order_id`, `data.user_id`) built by hand.
    pub async fn small_document_insert_many_rate(&self, batches: usize) -> anyhow::Result<f64> {
        let scratch = self.scratch_database("small");
        let collection = scratch.collection::<Document>("order_events");
        for (keys, unique) in [
            (doc! {"event_id": 1}, true),
            (doc! {"order_id": 1}, false),
            (doc! {"occurred_at": 1}, false),
        ] {
            let options = mongodb::options::IndexOptions::builder()
                .unique(unique)
                .build();
            let model = mongodb::IndexModel::builder()
                .keys(keys)
                .options(options)
                .build();
            collection.create_index(model).await?;
        }
        let started = Instant::now();
        let now = mongodb::bson::DateTime::now();
        for _ in 0..batches {
            let docs: Vec<Document> = (0..1000)
                .map(|n| {
                    doc! {
                        "event_id": uuid::Uuid::now_v7().to_string(),
                        "order_id": uuid::Uuid::now_v7().to_string(),
                        "event_type": "OrderCreated",
                        "occurred_at": now,
                        "data": {"currency": "EUR", "total_amount": 1000 + n, "items": [
                            {"sku": "SCRATCH-01", "qty": 1, "unit_price": 500},
                            {"sku": "SCRATCH-02", "qty": 2, "unit_price": 250}]},
                    }
                })
                .collect();
            collection.insert_many(docs).await?;
        }
        let rate = (batches * 1000) as f64 / started.elapsed().as_secs_f64();
        scratch.drop().await?;
        Ok(rate)
    }

    fn scratch_database(&self, what: &str) -> mongodb::Database {
        let name = format!("orderflow_bench_scratch_{what}_{}", std::process::id());
        self.mongo.client().database(&name)
    }
}

/// An `OrderCreated` like the benchmark's orders: 2 items, EUR.
fn order_created(user_id: uuid::Uuid, n: i64) -> events::Envelope {
    let order_id = uuid::Uuid::now_v7();
    events::Envelope::new(
        uuid::Uuid::now_v7(),
        Utc::now(),
        "api",
        "bench-insert-many",
        events::EventPayload::OrderCreated(events::OrderCreated {
            order_id,
            user_id,
            currency: "EUR".to_owned(),
            total_amount: 1_000 + n,
            items: vec![
                events::OrderItem {
                    sku: "SCRATCH-01".to_owned(),
                    qty: 1,
                    unit_price: 500 + n,
                },
                events::OrderItem {
                    sku: "SCRATCH-02".to_owned(),
                    qty: 2,
                    unit_price: 250,
                },
            ],
        }),
    )
}

pub struct StatDoc {
    pub sku: String,
    pub qty_sum: i64,
    pub updated_at: Option<DateTime<Utc>>,
}

fn number(value: Option<&Bson>) -> i64 {
    match value {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Double(n)) => *n as i64,
        _ => 0,
    }
}

/// qty_sum per SKU over all its documents.
pub fn qty_by_sku(docs: &[StatDoc]) -> HashMap<String, i64> {
    let mut totals = HashMap::new();
    for doc in docs {
        *totals.entry(doc.sku.clone()).or_insert(0) += doc.qty_sum;
    }
    totals
}
