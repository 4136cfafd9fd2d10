//! The pipeline page's figures, gathered from every source concurrently, each within
//! [`SOURCE_TIMEOUT`]: a source that fails or is slow is reported `down` in its section and
//! never holds back the others. [`PipelineService::snapshot`] is the whole body of
//! `GET /admin/pipeline` (the live stream's `pipeline` channel sends the same).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use access_token::{JwtKeys, Role};
use chrono::{DurationRound, TimeDelta, Utc};
use futures::future::join_all;
use inventory_api::{CallContext, ClientError, InventoryClient};
use rdkafka::error::KafkaResult;
use sqlx::PgPool;
use uuid::Uuid;

use super::broker::{BrokerProbe, TopicOffsets};
use super::domain::{
    partition_lag, ConsumerGroupSection, OutboxName, OutboxSection, PartitionEnd, PartitionLag,
    PipelineStatus, Requeued, SourceStatus, StreamJobSection, TopicEnds, TopicsSection,
    JOB_NOT_FOUND,
};
use super::flink::FlinkClient;
use super::repo::{self, OutboxStats};
use super::trend::LagTrends;
use super::watched::{Watched, WatchedGroup};
use crate::auth::AuthUser;
use crate::config::Config;
use crate::error::ApiResult;

/// How long each source may take.
pub const SOURCE_TIMEOUT: Duration = Duration::from_secs(2);
/// librdkafka gets the budget itself; this margin lets its own timeout answer first.
const BLOCKING_MARGIN: Duration = Duration::from_millis(250);
/// Who the api says it is when it reads the inventory outbox for the page (no caller's
/// token exists when the live stream samples): an admin token it signs itself.
const SERVICE_ACCOUNT_EMAIL: &str = "pipeline@orderflow.internal";

#[derive(Clone)]
pub struct PipelineService {
    db: PgPool,
    inventory: InventoryClient,
    jwt: JwtKeys,
    broker: BrokerProbe,
    flink: FlinkClient,
    watched: Arc<Watched>,
    trends: Arc<Mutex<LagTrends>>,
}

impl PipelineService {
    /// Creates clients without connecting.
    pub fn new(config: &Config, db: PgPool, inventory: InventoryClient, jwt: JwtKeys) -> Self {
        Self {
            db,
            inventory,
            jwt,
            broker: BrokerProbe::new(&config.kafka_brokers),
            flink: FlinkClient::new(&config.flink_rest_url),
            watched: Arc::new(Watched::platform()),
            trends: Arc::default(),
        }
    }

    /// The same service watching other topics and groups.
    pub fn watching(mut self, watched: Watched) -> Self {
        self.watched = Arc::new(watched);
        self.trends = Arc::default();
        self
    }

    /// Every section, read now; always complete (a failed source is `down` in it).
    #[tracing::instrument(name = "pipeline snapshot", skip_all)]
    pub async fn snapshot(&self) -> PipelineStatus {
        let sampled_at = Utc::now()
            .duration_trunc(TimeDelta::milliseconds(1))
            .unwrap_or_else(|_| Utc::now());
        let (orders, inventory, (topics, consumer_groups), stream_job) = tokio::join!(
            self.orders_outbox(),
            self.inventory_outbox(),
            self.broker_sections(),
            self.stream_job(),
        );
        let consumer_groups = {
            let mut trends = self
                .trends
                .lock()
                .expect("the trends' lock is never poisoned");
            consumer_groups
                .into_iter()
                .map(|group| {
                    if let Some(total) = group.total_lag {
                        trends.record(&group.group, sampled_at, total);
                    }
                    ConsumerGroupSection {
                        trend: trends.of(&group.group),
                        ..group
                    }
                })
                .collect()
        };
        PipelineStatus {
            sampled_at,
            outboxes: vec![orders, inventory],
            consumer_groups,
            stream_job,
            topics,
        }
    }

    /// Puts the outbox's dead rows back in the queue and records who did it. The inventory
    /// outbox is repaired by the inventory service, with the admin's own token.
    pub async fn requeue_dead(
        &self,
        outbox: OutboxName,
        admin: &AuthUser,
        caller: &CallContext,
    ) -> ApiResult<Requeued> {
        let requeued = match outbox {
            OutboxName::Orders => repo::requeue_orders_outbox(&self.db).await?,
            OutboxName::Inventory => {
                self.inventory
                    .requeue_dead_outbox(caller)
                    .await
                    .map_err(crate::inventory::service::to_api_error)?
                    .requeued
            }
        };
        tracing::info!(
            outbox = outbox.as_str(),
            requeued,
            "dead outbox rows requeued"
        );
        repo::record_requeue(&self.db, admin.id, &admin.email, outbox.as_str(), requeued).await?;
        Ok(Requeued { requeued })
    }

    async fn orders_outbox(&self) -> OutboxSection {
        let name = OutboxName::Orders.as_str();
        let db = self.db.clone();
        // In a task of its own: a transaction is never cut off halfway by the timeout.
        let reading = tokio::spawn(async move { repo::orders_outbox(&db).await });
        match tokio::time::timeout(SOURCE_TIMEOUT, reading).await {
            Ok(Ok(Ok(stats))) => outbox_section(name, &stats),
            Ok(Ok(Err(err))) => down_outbox(name, "database unavailable", &err),
            Ok(Err(err)) => down_outbox(name, "database unavailable", &err),
            Err(_) => down_outbox(name, "database did not answer within 2 s", &"timeout"),
        }
    }

    async fn inventory_outbox(&self) -> OutboxSection {
        let name = OutboxName::Inventory.as_str();
        let (token, _) = self
            .jwt
            .issue(Uuid::nil(), SERVICE_ACCOUNT_EMAIL, Role::Admin);
        let caller = CallContext {
            authorization: Some(format!("Bearer {token}")),
            request_id: None,
        };
        match tokio::time::timeout(SOURCE_TIMEOUT, self.inventory.outbox_status(&caller)).await {
            Ok(Ok(status)) => OutboxSection {
                name: name.to_owned(),
                source: SourceStatus::up(),
                pending: Some(status.pending),
                pending_capped: Some(status.pending_capped),
                oldest_pending_age_ms: status.oldest_pending_age_ms,
                dead: Some(status.dead),
                dead_capped: Some(status.dead_capped),
                published_last_minute: Some(status.published_last_minute),
            },
            Ok(Err(err)) => {
                let problem = match &err {
                    ClientError::Unavailable(_) => "inventory service unreachable",
                    ClientError::Api { status, .. } if status.is_server_error() => {
                        "inventory service unavailable"
                    }
                    ClientError::Api { .. } => "inventory service refused the request",
                    ClientError::Decode(_) => "inventory service answered unexpectedly",
                };
                down_outbox(name, problem, &err)
            }
            Err(_) => down_outbox(
                name,
                "inventory service did not answer within 2 s",
                &"timeout",
            ),
        }
    }

    async fn broker_sections(&self) -> (TopicsSection, Vec<ConsumerGroupSection>) {
        let deadline = Instant::now() + SOURCE_TIMEOUT;
        let probe = self.broker.clone();
        let wanted = self.watched.all_topics();
        let offsets = match blocking(deadline, move || probe.topic_offsets(&wanted, deadline)).await
        {
            Ok(offsets) => offsets,
            Err(problem) => {
                let topics = TopicsSection {
                    source: SourceStatus::down(problem),
                    items: Vec::new(),
                };
                let groups = self
                    .watched
                    .groups
                    .iter()
                    .map(|group| group_section(group, SourceStatus::down(problem), Vec::new()))
                    .collect();
                return (topics, groups);
            }
        };
        let topics = TopicsSection {
            source: SourceStatus::up(),
            items: self
                .watched
                .topics
                .iter()
                .filter_map(|name| offsets.iter().find(|t| &t.name == name))
                .map(|topic| TopicEnds {
                    name: topic.name.clone(),
                    partitions: topic
                        .partitions
                        .iter()
                        .map(|p| PartitionEnd {
                            partition: p.partition,
                            end_offset: p.end,
                        })
                        .collect(),
                })
                .collect(),
        };
        let groups = join_all(
            self.watched
                .groups
                .iter()
                .map(|group| self.consumer_group(group, &offsets, deadline)),
        )
        .await;
        (topics, groups)
    }

    async fn consumer_group(
        &self,
        group: &WatchedGroup,
        offsets: &[TopicOffsets],
        deadline: Instant,
    ) -> ConsumerGroupSection {
        let read: Vec<&TopicOffsets> = group
            .topics
            .iter()
            .filter_map(|name| offsets.iter().find(|t| &t.name == name))
            .collect();
        let mut partitions: Vec<(String, i32)> = Vec::new();
        for topic in &read {
            for p in &topic.partitions {
                partitions.push((topic.name.clone(), p.partition));
            }
        }
        let probe = self.broker.clone();
        let id = group.id.clone();
        let committed: HashMap<(String, i32), Option<i64>> = match blocking(deadline, move || {
            probe.committed_offsets(&id, &partitions, deadline)
        })
        .await
        {
            Ok(committed) => committed,
            Err(problem) => return group_section(group, SourceStatus::down(problem), Vec::new()),
        };
        let mut lags = Vec::new();
        for topic in &read {
            for p in &topic.partitions {
                let committed = committed
                    .get(&(topic.name.clone(), p.partition))
                    .copied()
                    .flatten();
                let (committed_offset, lag) = partition_lag(committed, p.first, p.end);
                lags.push(PartitionLag {
                    topic: topic.name.clone(),
                    partition: p.partition,
                    committed_offset,
                    end_offset: p.end,
                    lag,
                });
            }
        }
        group_section(group, SourceStatus::up(), lags)
    }

    async fn stream_job(&self) -> StreamJobSection {
        let name = self.watched.stream_job.clone();
        let mut section = StreamJobSection {
            source: SourceStatus::up(),
            name: name.clone(),
            state: None,
            started_at: None,
            uptime_ms: None,
            last_checkpoint: None,
        };
        match tokio::time::timeout(SOURCE_TIMEOUT, self.flink.job(&name)).await {
            Ok(Ok(Some((job, checkpoint)))) => {
                section.state = Some(job.state);
                section.started_at = job.started_at;
                section.uptime_ms = job.duration_ms;
                section.last_checkpoint = checkpoint;
            }
            Ok(Ok(None)) => section.state = Some(JOB_NOT_FOUND.to_owned()),
            Ok(Err(err)) => {
                tracing::warn!(
                    source = "flink",
                    error = format!("{err:#}"),
                    "pipeline source down"
                );
                section.source = SourceStatus::down("Flink REST API unreachable");
            }
            Err(_) => {
                tracing::warn!(source = "flink", "pipeline source timed out");
                section.source = SourceStatus::down("Flink REST API did not answer within 2 s");
            }
        }
        section
    }
}

fn outbox_section(name: &str, stats: &OutboxStats) -> OutboxSection {
    OutboxSection {
        name: name.to_owned(),
        source: SourceStatus::up(),
        pending: Some(stats.pending),
        pending_capped: Some(stats.pending_capped),
        oldest_pending_age_ms: stats
            .oldest_pending_age
            .map(|age| u64::try_from(age.as_millis()).unwrap_or(u64::MAX)),
        dead: Some(stats.dead),
        dead_capped: Some(stats.dead_capped),
        published_last_minute: Some(stats.published_last_minute),
    }
}

fn down_outbox(name: &str, problem: &str, cause: &dyn std::fmt::Display) -> OutboxSection {
    tracing::warn!(source = name, error = %cause, "pipeline source down");
    OutboxSection::down(name, problem)
}

/// A group's section without its trend (the snapshot adds it).
fn group_section(
    group: &WatchedGroup,
    source: SourceStatus,
    partitions: Vec<PartitionLag>,
) -> ConsumerGroupSection {
    let total_lag = source
        .is_up()
        .then(|| partitions.iter().map(|p| p.lag).sum());
    ConsumerGroupSection {
        group: group.id.clone(),
        role: group.role.clone(),
        source,
        topics: group.topics.clone(),
        partitions,
        total_lag,
        trend: Vec::new(),
    }
}

/// Runs a blocking librdkafka call with the source's budget; a failure becomes the
/// section's short error text (the cause is logged).
async fn blocking<T: Send + 'static>(
    deadline: Instant,
    work: impl FnOnce() -> KafkaResult<T> + Send + 'static,
) -> Result<T, &'static str> {
    let until = tokio::time::Instant::from_std(deadline + BLOCKING_MARGIN);
    match tokio::time::timeout_at(until, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(err))) => {
            tracing::warn!(source = "broker", error = %err, "pipeline source down");
            Err("broker unreachable")
        }
        Ok(Err(err)) => {
            tracing::error!(source = "broker", error = %err, "broker query panicked");
            Err("broker query failed")
        }
        Err(_) => {
            tracing::warn!(source = "broker", "pipeline source timed out");
            Err("broker did not answer within 2 s")
        }
    }
}
