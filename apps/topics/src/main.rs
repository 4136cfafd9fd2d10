//! `orderflow-topics`: a small Kafka topic tool (Debian's kcat cannot talk to the local
//! broker). `list`, `create NAME --partitions N`, `tail TOPIC` (one JSON line per message).

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use serde_json::{json, Value};

const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Parser)]
#[command(name = "orderflow-topics", version, about)]
struct Cli {
    /// Bootstrap brokers, host:port[,host:port].
    #[arg(
        long,
        env = "KAFKA_BROKERS",
        default_value = "127.0.0.1:9092",
        global = true
    )]
    brokers: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One JSON line per topic: {"topic", "partitions"}.
    List {
        /// Include internal topics (names starting with `__`).
        #[arg(long)]
        all: bool,
    },
    /// Creates a topic; an existing topic is reported and not an error.
    Create {
        name: String,
        #[arg(long, default_value_t = 3)]
        partitions: i32,
        #[arg(long, default_value_t = 1)]
        replication: i32,
    },
    /// Prints messages as JSON lines: {"partition", "offset", "timestamp", "key", "value", "headers"}.
    Tail {
        topic: String,
        /// Start at the oldest message instead of only new ones.
        #[arg(long)]
        from_beginning: bool,
        /// Stop after this many messages.
        #[arg(long)]
        max: Option<usize>,
        /// Stop once no message arrived for this long (default: follow until Ctrl-C).
        #[arg(long)]
        timeout_ms: Option<u64>,
        /// Only messages with this key. Keys are always printed, so a bare `--key` (as in
        /// kcat's "show keys") is accepted and filters nothing.
        #[arg(long, value_name = "KEY", num_args = 0..=1)]
        key: Option<Option<String>>,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("orderflow-topics: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::List { all } => list(&cli.brokers, all),
        Command::Create {
            name,
            partitions,
            replication,
        } => create(&cli.brokers, &name, partitions, replication).await,
        Command::Tail {
            topic,
            from_beginning,
            max,
            timeout_ms,
            key,
        } => tail(
            &cli.brokers,
            &topic,
            from_beginning,
            max,
            timeout_ms.map(Duration::from_millis),
            key.flatten().as_deref(),
        ),
    }
}

fn consumer(brokers: &str) -> anyhow::Result<BaseConsumer> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        // Partitions are assigned by hand and nothing is committed: the group is never used.
        .set(
            "group.id",
            format!("orderflow-topics-{}", std::process::id()),
        )
        .set("enable.auto.commit", "false")
        .set("log_level", "3")
        .create()
        .context("cannot create a Kafka client")
}

fn list(brokers: &str, all: bool) -> anyhow::Result<()> {
    let metadata = consumer(brokers)?
        .fetch_metadata(None, METADATA_TIMEOUT)
        .context("cannot fetch metadata (is the broker up?)")?;
    let mut topics: Vec<_> = metadata
        .topics()
        .iter()
        .filter(|topic| all || !topic.name().starts_with("__"))
        .map(|topic| (topic.name().to_owned(), topic.partitions().len()))
        .collect();
    topics.sort();
    let mut out = std::io::stdout().lock();
    for (name, partitions) in topics {
        writeln!(out, "{}", json!({"topic": name, "partitions": partitions}))?;
    }
    Ok(())
}

async fn create(
    brokers: &str,
    name: &str,
    partitions: i32,
    replication: i32,
) -> anyhow::Result<()> {
    if partitions < 1 || replication < 1 {
        bail!("--partitions and --replication must be at least 1");
    }
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("log_level", "3")
        .create()
        .context("cannot create a Kafka admin client")?;
    let topic = NewTopic::new(name, partitions, TopicReplication::Fixed(replication));
    let options = AdminOptions::new().operation_timeout(Some(METADATA_TIMEOUT));
    let results = admin
        .create_topics([&topic], &options)
        .await
        .context("create request failed (is the broker up?)")?;
    for result in results {
        match result {
            Ok(topic) => println!("{}", json!({"created": topic, "partitions": partitions})),
            Err((topic, RDKafkaErrorCode::TopicAlreadyExists)) => {
                println!("{}", json!({"exists": topic}));
            }
            Err((topic, code)) => bail!("cannot create {topic}: {code}"),
        }
    }
    Ok(())
}

fn tail(
    brokers: &str,
    topic: &str,
    from_beginning: bool,
    max: Option<usize>,
    idle_timeout: Option<Duration>,
    key: Option<&str>,
) -> anyhow::Result<()> {
    let consumer = consumer(brokers)?;
    let metadata = consumer
        .fetch_metadata(Some(topic), METADATA_TIMEOUT)
        .context("cannot fetch metadata (is the broker up?)")?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    if partitions.is_empty() {
        bail!("topic {topic:?} does not exist");
    }
    let start = if from_beginning {
        Offset::Beginning
    } else {
        Offset::End
    };
    let mut assignment = TopicPartitionList::new();
    for partition in partitions {
        assignment.add_partition_offset(topic, partition, start)?;
    }
    consumer.assign(&assignment)?;

    let mut out = std::io::stdout().lock();
    let mut printed = 0;
    let mut last_message = Instant::now();
    while max.is_none_or(|max| printed < max) {
        if idle_timeout.is_some_and(|timeout| last_message.elapsed() >= timeout) {
            break;
        }
        let Some(result) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let message = result.context("consume failed")?;
        last_message = Instant::now();
        let message_key = message
            .key()
            .map(|k| String::from_utf8_lossy(k).into_owned());
        if key.is_some_and(|wanted| message_key.as_deref() != Some(wanted)) {
            continue;
        }
        let headers: serde_json::Map<String, Value> = message
            .headers()
            .map(|headers| {
                headers
                    .iter()
                    .map(|h| {
                        let value = h
                            .value
                            .map(|v| Value::String(String::from_utf8_lossy(v).into_owned()))
                            .unwrap_or(Value::Null);
                        (h.key.to_owned(), value)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let line = json!({
            "partition": message.partition(),
            "offset": message.offset(),
            "timestamp": message.timestamp().to_millis(),
            "key": message_key,
            "value": message.payload().map(payload_value),
            "headers": headers,
        });
        writeln!(out, "{line}")?;
        out.flush()?;
        printed += 1;
    }
    Ok(())
}

/// JSON payloads stay JSON; anything else is shown as (lossy UTF-8) text.
fn payload_value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}
