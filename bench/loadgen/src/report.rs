//! Printing: percentile rows and the consumer-lag time series.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::observe::{Stack, PROJECTOR_GROUP, STREAM_JOB_GROUP};

pub fn header() {
    println!(
        "{:<40}{:>8}{:>10}{:>10}{:>10}{:>10}",
        "metric (ms)", "n", "p50", "p90", "p99", "max"
    );
}

/// One row of nearest-rank percentiles; "no samples" when empty.
pub fn row(name: &str, values: &mut [f64]) {
    if values.is_empty() {
        println!("{name:<40}{:>8}  no samples", 0);
        return;
    }
    values.sort_by(f64::total_cmp);
    let at = |p: f64| {
        values[((p / 100.0 * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1]
    };
    println!(
        "{name:<40}{:>8}{:>10.0}{:>10.0}{:>10.0}{:>10.0}",
        values.len(),
        at(50.0),
        at(90.0),
        at(99.0),
        values[values.len() - 1]
    );
}

/// One sample of the lags, `at` seconds after sampling began.
#[derive(Clone, Copy)]
pub struct LagSample {
    pub at: f64,
    pub outbox_pending: Option<i64>,
    pub stream_job_committed: Option<i64>,
    pub stream_job_pending: Option<f64>,
    pub projector_committed: Option<i64>,
}

/// Samples the lags every `every` until the returned handle is stopped.
pub struct LagSampler {
    samples: Arc<Mutex<Vec<LagSample>>>,
    task: tokio::task::JoinHandle<()>,
}

impl LagSampler {
    pub fn start(stack: Arc<Stack>, every: Duration) -> Self {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let sink = samples.clone();
        let task = tokio::spawn(async move {
            let began = Instant::now();
            let mut tick = tokio::time::interval(every);
            // A slow sample (broker round trips) delays the next one instead of bunching them.
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let brokers = stack.target.kafka_brokers.clone();
                let (stream_job, projector) = tokio::task::spawn_blocking(move || {
                    (
                        Stack::consumer_lag(&brokers, STREAM_JOB_GROUP, events::TOPIC_ORDER_EVENTS)
                            .ok(),
                        Stack::consumer_lag(&brokers, PROJECTOR_GROUP, events::TOPIC_SKU_STATS)
                            .ok(),
                    )
                })
                .await
                .unwrap_or((None, None));
                let sample = LagSample {
                    at: began.elapsed().as_secs_f64(),
                    outbox_pending: stack.outbox_pending().await.ok(),
                    stream_job_committed: stream_job,
                    stream_job_pending: stack.flink_pending_records().await,
                    projector_committed: projector,
                };
                sink.lock().expect("samples").push(sample);
            }
        });
        Self { samples, task }
    }

    pub fn stop(self) -> Vec<LagSample> {
        self.task.abort();
        let samples = self.samples.lock().expect("samples").clone();
        samples
    }
}

fn cell<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// One column of the lag table, as a number.
type Column = dyn Fn(&LagSample) -> Option<f64>;

pub fn print_lags(samples: &[LagSample]) {
    println!(
        "{:>7}{:>16}{:>22}{:>22}{:>20}",
        "t (s)",
        "outbox pending",
        "stream job (broker)",
        "stream job (Flink)",
        "projector (broker)"
    );
    for s in samples {
        println!(
            "{:>7.1}{:>16}{:>22}{:>22}{:>20}",
            s.at,
            cell(s.outbox_pending),
            cell(s.stream_job_committed),
            cell(s.stream_job_pending.map(|v| v as i64)),
            cell(s.projector_committed)
        );
    }
    // Flat or growing: the mean of the first and the last third of the run.
    let third = samples.len() / 3;
    if third == 0 {
        return;
    }
    let mean = |part: &[LagSample], f: &Column| {
        let values: Vec<f64> = part.iter().filter_map(f).collect();
        if values.is_empty() {
            "-".to_owned()
        } else {
            format!("{:.0}", values.iter().sum::<f64>() / values.len() as f64)
        }
    };
    let columns: [(&str, &Column); 4] = [
        ("outbox pending", &|s| s.outbox_pending.map(|v| v as f64)),
        ("stream job (broker)", &|s| {
            s.stream_job_committed.map(|v| v as f64)
        }),
        ("stream job (Flink)", &|s| s.stream_job_pending),
        ("projector (broker)", &|s| {
            s.projector_committed.map(|v| v as f64)
        }),
    ];
    for (name, f) in columns {
        println!(
            "  {name:<22} mean over the first third {:>8}, over the last third {:>8}",
            mean(&samples[..third], f),
            mean(&samples[samples.len() - third..], f)
        );
    }
}
