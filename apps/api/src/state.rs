use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::FromRef;
use inventory_api::InventoryClient;
use metrics_exporter_prometheus::PrometheusHandle;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, Producer};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sqlx::PgPool;
use tokio::sync::OnceCell;

use crate::auth::tokens::JwtKeys;
use crate::config::Config;
use crate::dead_letters::repo::DeadLetterBroker;
use crate::pipeline::service::PipelineService;

/// Everything a request handler may use; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: PgPool,
    pub redis: Redis,
    pub kafka: Kafka,
    /// The read model (`sku_stats`, `order_events`); database from the `MONGODB_URL` path.
    pub mongo: mongodb::Database,
    pub jwt: JwtKeys,
    pub metrics: PrometheusHandle,
    /// The inventory service's internal API (`INVENTORY_URL`).
    pub inventory: InventoryClient,
    /// Reads the DLQ topics and redrives their letters (`KAFKA_BROKERS`).
    pub dead_letters: DeadLetterBroker,
    /// The live-updates hub; `main` starts it, a first stream starts it otherwise.
    pub live: crate::live::Hub,
    /// The pipeline page's sources (`GET /admin/pipeline`).
    pub pipeline: PipelineService,
}

impl FromRef<AppState> for PipelineService {
    fn from_ref(state: &AppState) -> Self {
        state.pipeline.clone()
    }
}

impl FromRef<AppState> for InventoryClient {
    fn from_ref(state: &AppState) -> Self {
        state.inventory.clone()
    }
}

impl AppState {
    /// Builds clients without connecting: the API starts while a dependency is still down
    /// and reports it on `/healthz` instead of crashing.
    pub fn new(config: Config) -> anyhow::Result<Self> {
        let db =
            platform::db::lazy_pool(config.database_url.expose(), 20).context("DATABASE_URL")?;
        let redis = Redis::new(config.redis_url.expose()).context("REDIS_URL")?;
        let kafka = Kafka::new(&config.kafka_brokers).context("KAFKA_BROKERS")?;
        let mongo = mongo_database(config.mongodb_url.expose()).context("MONGODB_URL")?;
        let jwt = JwtKeys::new(
            config.jwt_secret.expose().as_bytes(),
            config.access_ttl_seconds,
        );
        let inventory = InventoryClient::new(&config.inventory_url);
        let dead_letters = DeadLetterBroker::new(&config.kafka_brokers);
        let live = crate::live::Hub::new(&config.kafka_brokers, crate::live::LiveTopics::default());
        let pipeline = PipelineService::new(&config, db.clone(), inventory.clone(), jwt.clone());
        live.set_pipeline_source(pipeline_source(pipeline.clone()));
        Ok(Self {
            config: Arc::new(config),
            db,
            redis,
            kafka,
            mongo,
            jwt,
            metrics: platform::telemetry::prometheus(),
            inventory,
            dead_letters,
            live,
            pipeline,
        })
    }
}

/// The `pipeline` live channel samples exactly what `GET /admin/pipeline` answers. It holds a
/// clone of the service, never the whole state (state → hub → source → state would be a cycle
/// that keeps every pool alive).
fn pipeline_source(pipeline: PipelineService) -> crate::live::PipelineSource {
    Arc::new(move || {
        let pipeline = pipeline.clone();
        Box::pin(async move {
            serde_json::to_value(pipeline.snapshot().await).unwrap_or(serde_json::Value::Null)
        })
    })
}

/// A Redis connection that is established on first use and re-established by the
/// connection manager after failures.
#[derive(Clone)]
pub struct Redis {
    client: redis::Client,
    manager: Arc<OnceCell<ConnectionManager>>,
}

/// Redis answers in microseconds; anything slower is treated as unavailable.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

impl Redis {
    pub fn new(url: &str) -> redis::RedisResult<Self> {
        Ok(Self {
            client: redis::Client::open(url)?,
            manager: Arc::new(OnceCell::new()),
        })
    }

    pub async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        self.manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(REDIS_TIMEOUT)
                    .set_response_timeout(REDIS_TIMEOUT)
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config).await
            })
            .await
            .cloned()
    }
}

/// A Kafka client used for broker metadata (health); producing is the outbox worker's job.
#[derive(Clone)]
pub struct Kafka {
    client: Arc<BaseProducer>,
}

impl Kafka {
    pub fn new(brokers: &str) -> anyhow::Result<Self> {
        let client: BaseProducer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("client.id", "orderflow-api")
            .set("log_level", "3")
            .create()?;
        Ok(Self {
            client: Arc::new(client),
        })
    }

    /// Number of brokers in the cluster metadata, fetched within `timeout`.
    pub async fn broker_count(&self, timeout: Duration) -> anyhow::Result<usize> {
        let client = Arc::clone(&self.client);
        let metadata =
            tokio::task::spawn_blocking(move || client.client().fetch_metadata(None, timeout))
                .await??;
        Ok(metadata.brokers().len())
    }
}

const MONGO_SELECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// Database used when `MONGODB_URL` names none.
pub const DEFAULT_MONGO_DATABASE: &str = "orderflow";

/// The read-model database. The driver connects lazily (on the first query). Parsing the
/// URL does no I/O for `mongodb://`, so it is simply awaited in place; a `mongodb+srv://`
/// URL resolves DNS, which needs the runtime's reactor: on the multi-threaded runtime of
/// `main` that is done with `block_in_place`.
fn mongo_database(url: &str) -> anyhow::Result<mongodb::Database> {
    let parse = std::future::IntoFuture::into_future(mongodb::options::ClientOptions::parse(url));
    let multi_threaded = tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let mut options = if multi_threaded {
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(parse))?
    } else {
        futures::executor::block_on(parse)?
    };
    // Fail a request fast (500, cause logged) instead of the driver's 30 s when MongoDB is
    // unreachable; a `serverSelectionTimeoutMS` in the URL still wins.
    options
        .server_selection_timeout
        .get_or_insert(MONGO_SELECTION_TIMEOUT);
    let client = mongodb::Client::with_options(options)?;
    Ok(client
        .default_database()
        .unwrap_or_else(|| client.database(DEFAULT_MONGO_DATABASE)))
}
