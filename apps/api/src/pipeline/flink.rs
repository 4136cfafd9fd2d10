//! The stream job as Flink's REST API describes it: `GET /jobs/overview` (find the job by
//! name) and `GET /jobs/{id}/checkpoints` (its last completed checkpoint). Plain HTTP/1.1;
//! the parsing is pure and unit-tested on answers recorded from Flink 2.0.

use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::header::ACCEPT;
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use super::domain::Checkpoint;

#[derive(Clone)]
pub struct FlinkClient {
    base_url: String,
    http: Client<HttpConnector, Empty<Bytes>>,
}

/// A job as `/jobs/overview` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlinkJob {
    pub id: String,
    pub state: String,
    pub started_at: Option<DateTime<Utc>>,
    /// Running time so far (or in total, for a job that ended).
    pub duration_ms: Option<u64>,
}

impl FlinkClient {
    /// `base_url` like `http://127.0.0.1:8081`.
    pub fn new(base_url: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(2)));
        connector.set_nodelay(true);
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// The job named `name` (`None`: Flink runs no job of that name) and, when there is
    /// one, its last completed checkpoint. The caller bounds the time.
    pub async fn job(&self, name: &str) -> anyhow::Result<Option<(FlinkJob, Option<Checkpoint>)>> {
        let overview = self.get_json("/jobs/overview").await?;
        let Some(job) = job_named(&overview, name) else {
            return Ok(None);
        };
        let checkpoints = self
            .get_json(&format!("/jobs/{}/checkpoints", job.id))
            .await?;
        Ok(Some((job, last_checkpoint(&checkpoints))))
    }

    async fn get_json(&self, path: &str) -> anyhow::Result<Value> {
        let request = Request::get(format!("{}{path}", self.base_url))
            .header(ACCEPT, "application/json")
            .body(Empty::new())
            .context("building the request")?;
        let response = self.http.request(request).await.context("no answer")?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if status != StatusCode::OK {
            bail!("{path} answered {status}");
        }
        serde_json::from_slice(&body).with_context(|| format!("{path} answered no JSON"))
    }
}

/// The job called `name` in a `/jobs/overview` answer: the running one if any, else the
/// one started last (a canceled or failed run stays listed for a while).
pub fn job_named(overview: &Value, name: &str) -> Option<FlinkJob> {
    let jobs = overview["jobs"].as_array()?;
    let mut named: Vec<FlinkJob> = jobs
        .iter()
        .filter(|job| job["name"] == name)
        .filter_map(|job| {
            Some(FlinkJob {
                id: job["jid"].as_str()?.to_owned(),
                state: job["state"].as_str()?.to_owned(),
                started_at: job["start-time"]
                    .as_i64()
                    .filter(|&ms| ms > 0)
                    .and_then(DateTime::from_timestamp_millis),
                duration_ms: job["duration"]
                    .as_i64()
                    .and_then(|ms| u64::try_from(ms).ok()),
            })
        })
        .collect();
    named.sort_by_key(|job| (job.state == "RUNNING", job.started_at));
    named.pop()
}

/// `latest.completed` of a `/jobs/{id}/checkpoints` answer (`null` before the first one).
pub fn last_checkpoint(checkpoints: &Value) -> Option<Checkpoint> {
    let completed = &checkpoints["latest"]["completed"];
    Some(Checkpoint {
        id: completed["id"].as_u64()?,
        completed_at: DateTime::from_timestamp_millis(completed["latest_ack_timestamp"].as_i64()?)?,
        duration_ms: completed["end_to_end_duration"].as_u64().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn overview() -> Value {
        json!({"jobs": [
            {"jid": "old", "name": "orderflow-sku-stats", "start-time": 1_764_000_000_000_i64,
             "end-time": 1_764_000_100_000_i64, "duration": 100_000, "state": "CANCELED"},
            {"jid": "other", "name": "someone-else", "start-time": 1_764_000_500_000_i64,
             "end-time": -1, "duration": 5, "state": "RUNNING"},
            {"jid": "now", "name": "orderflow-sku-stats", "start-time": 1_764_000_200_000_i64,
             "end-time": -1, "duration": 123_456, "state": "RUNNING"}
        ]})
    }

    #[test]
    fn the_running_job_of_that_name_wins() {
        let job = job_named(&overview(), "orderflow-sku-stats").unwrap();
        assert_eq!(job.id, "now");
        assert_eq!(job.state, "RUNNING");
        assert_eq!(job.duration_ms, Some(123_456));
        assert_eq!(
            job.started_at.unwrap().to_rfc3339(),
            "2025-11-24T16:03:20+00:00"
        );
    }

    #[test]
    fn without_a_running_one_the_last_started_is_reported() {
        let mut answer = overview();
        answer["jobs"][2]["state"] = json!("FAILED");
        answer["jobs"][0]["start-time"] = json!(1_764_000_300_000_i64);
        assert_eq!(job_named(&answer, "orderflow-sku-stats").unwrap().id, "old");
        assert_eq!(job_named(&answer, "missing"), None);
        assert_eq!(job_named(&json!({"jobs": []}), "orderflow-sku-stats"), None);
        assert_eq!(
            job_named(&json!({"errors": ["x"]}), "orderflow-sku-stats"),
            None
        );
    }

    #[test]
    fn the_last_completed_checkpoint() {
        let answer = json!({"counts": {"completed": 42}, "latest": {
            "completed": {"className": "completed", "id": 42, "status": "COMPLETED",
                          "trigger_timestamp": 1_764_000_000_000_i64,
                          "latest_ack_timestamp": 1_764_000_000_015_i64, "end_to_end_duration": 15},
            "savepoint": null, "failed": null, "restored": null}});
        let checkpoint = last_checkpoint(&answer).unwrap();
        assert_eq!((checkpoint.id, checkpoint.duration_ms), (42, 15));
        assert_eq!(
            checkpoint.completed_at.timestamp_millis(),
            1_764_000_000_015
        );
        let none_yet = json!({"latest": {"completed": null}});
        assert_eq!(last_checkpoint(&none_yet), None);
    }
}
