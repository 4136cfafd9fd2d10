//! `GET /admin/pipeline`: every section filled from its real source.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{given_outbox_rows, TestApp, TestInventory, TestTopics};

/// The topics' messages and the group's commits of the page's first test.
async fn given_a_lagging_group(topics: &TestTopics) {
    topics.produce(&topics.orders, 0, 5).await;
    topics.produce(&topics.orders, 1, 2).await;
    topics.produce(&topics.stock, 2, 3).await;
    topics.commit(&topics.orders, 0, 2).await;
    topics.commit(&topics.stock, 2, 3).await;
}

fn partition(group: &Value, topic: &str, partition: i64) -> Value {
    group["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["topic"] == topic && p["partition"] == partition)
        .unwrap_or_else(|| panic!("{topic}/{partition} in {group}"))
        .clone()
}

#[tokio::test]
async fn an_admin_sees_outboxes_lag_topics_and_the_stream_job() {
    let topics = TestTopics::create().await;
    given_a_lagging_group(&topics).await;
    let inventory = TestInventory::start().await;
    given_outbox_rows(inventory.pool(), 1, 0, 4).await;
    let app = TestApp::with_pipeline(topics.watched(), Some(inventory), |_| {}).await;
    given_outbox_rows(&app.db.pool, 2, 1, 3).await;
    let admin = app.admin().await;

    let response = app.pipeline_status(&admin).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();

    let orders = &body["outboxes"][0];
    assert_eq!(orders["name"], "orders");
    assert_eq!(orders["source"], json!({"status": "up"}));
    assert_eq!(
        [
            &orders["pending"],
            &orders["dead"],
            &orders["published_last_minute"]
        ],
        [&json!(2), &json!(1), &json!(3)]
    );
    assert_eq!(orders["pending_capped"], false);
    assert!(
        orders["oldest_pending_age_ms"].as_u64().is_some(),
        "{orders}"
    );
    let inventory = &body["outboxes"][1];
    assert_eq!(inventory["name"], "inventory");
    assert_eq!(inventory["source"]["status"], "up", "{inventory}");
    assert_eq!(
        [
            &inventory["pending"],
            &inventory["dead"],
            &inventory["published_last_minute"]
        ],
        [&json!(1), &json!(0), &json!(4)]
    );

    let group = &body["consumer_groups"][0];
    assert_eq!(group["group"], topics.group.as_str());
    assert_eq!(group["role"], "projector");
    assert_eq!(group["source"]["status"], "up");
    assert_eq!(group["topics"], json!([topics.orders, topics.stock]));
    assert_eq!(group["partitions"].as_array().unwrap().len(), 6);
    assert_eq!(
        partition(group, &topics.orders, 0),
        json!({"topic": topics.orders, "partition": 0, "committed_offset": 2, "end_offset": 5, "lag": 3})
    );
    // Nothing committed: every message the partition holds is lag.
    assert_eq!(
        partition(group, &topics.orders, 1),
        json!({"topic": topics.orders, "partition": 1, "committed_offset": null, "end_offset": 2, "lag": 2})
    );
    assert_eq!(partition(group, &topics.stock, 2)["lag"], 0);
    assert_eq!(group["total_lag"], 5);
    let trend = group["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 1);
    assert_eq!(trend[0]["total_lag"], 5);
    assert_eq!(trend[0]["at"], body["sampled_at"]);

    assert_eq!(body["topics"]["source"]["status"], "up");
    assert_eq!(
        body["topics"]["items"],
        json!([
            {"name": topics.orders, "partitions": [
                {"partition": 0, "end_offset": 5}, {"partition": 1, "end_offset": 2}, {"partition": 2, "end_offset": 0}]},
            {"name": topics.stock, "partitions": [
                {"partition": 0, "end_offset": 0}, {"partition": 1, "end_offset": 0}, {"partition": 2, "end_offset": 3}]}
        ])
    );

    // The stack's Flink runs the stream job.
    let job = &body["stream_job"];
    assert_eq!(job["source"]["status"], "up", "{job}");
    assert_eq!(job["name"], "orderflow-sku-stats");
    assert_eq!(job["state"], "RUNNING", "{job}");
    assert!(
        job["started_at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z')),
        "{job}"
    );
    assert!(job["uptime_ms"].as_u64().is_some(), "{job}");
    let sampled_at = body["sampled_at"].as_str().unwrap();
    assert_eq!(
        sampled_at.len(),
        "2026-11-26T16:00:00.000Z".len(),
        "{sampled_at}"
    );
}

#[tokio::test]
async fn the_trend_follows_the_lag_one_sample_per_second() {
    let topics = TestTopics::create().await;
    topics.produce(&topics.orders, 0, 2).await;
    let app = TestApp::with_pipeline(topics.watched(), None, |_| {}).await;
    let admin = app.admin().await;
    let trend = |body: &Value| -> Vec<i64> {
        body["consumer_groups"][0]["trend"]
            .as_array()
            .unwrap()
            .iter()
            .map(|sample| sample["total_lag"].as_i64().unwrap())
            .collect()
    };

    let first = app.pipeline_status(&admin).await.json();
    assert_eq!(trend(&first), [2]);

    topics.produce(&topics.orders, 1, 3).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let later = app.pipeline_status(&admin).await.json();
    assert_eq!(later["consumer_groups"][0]["total_lag"], 5);
    assert_eq!(trend(&later), [2, 5]);

    topics.commit(&topics.orders, 0, 2).await;
    topics.commit(&topics.orders, 1, 3).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(trend(&app.pipeline_status(&admin).await.json()), [2, 5, 0]);
}

#[tokio::test]
async fn a_topic_that_does_not_exist_has_no_partitions() {
    let topics = TestTopics::create().await;
    let mut watched = topics.watched();
    let missing = testkit::unique_name("pipeline.missing");
    watched.topics.push(missing.clone());
    let app = TestApp::with_pipeline(watched, None, |_| {}).await;
    let admin = app.admin().await;

    let body = app.pipeline_status(&admin).await.json();
    assert_eq!(body["topics"]["source"]["status"], "up");
    assert_eq!(
        body["topics"]["items"][2],
        json!({"name": missing, "partitions": []})
    );
}

#[tokio::test]
async fn users_and_anonymous_callers_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    app.pipeline_status(&user)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.get("/admin/pipeline")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
