//! One source down at a time, then all of them: that section is `down` with a short error,
//! the others are complete, and the answer is still 200.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{given_outbox_rows, set_var, TestApp, TestTopics};

fn nothing_listens() -> String {
    format!("127.0.0.1:{}", testkit::free_port())
}

#[track_caller]
fn assert_down(source: &Value) {
    assert_eq!(source["status"], "down", "{source}");
    assert!(
        source["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{source}"
    );
}

#[tokio::test]
async fn broker_down_reports_topics_and_groups_down_and_the_outboxes() {
    let topics = TestTopics::create().await;
    let broker = nothing_listens();
    let app = TestApp::with_pipeline(topics.watched(), None, |vars| {
        set_var(vars, "KAFKA_BROKERS", &broker)
    })
    .await;
    given_outbox_rows(&app.db.pool, 4, 0, 0).await;
    let admin = app.admin().await;

    let response = app.pipeline_status(&admin).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_down(&body["topics"]["source"]);
    assert_eq!(body["topics"]["items"], json!([]));
    let group = &body["consumer_groups"][0];
    assert_down(&group["source"]);
    assert_eq!(group["group"], topics.group.as_str());
    assert_eq!(group["partitions"], json!([]));
    assert_eq!(group["total_lag"], Value::Null);
    assert_eq!(group["trend"], json!([]));
    // The api's own outbox does not need the broker.
    assert_eq!(body["outboxes"][0]["source"]["status"], "up");
    assert_eq!(body["outboxes"][0]["pending"], 4);
}

#[tokio::test]
async fn flink_down_reports_the_stream_job_down() {
    let topics = TestTopics::create().await;
    let flink = format!("http://{}", nothing_listens());
    let app = TestApp::with_pipeline(topics.watched(), None, |vars| {
        set_var(vars, "FLINK_REST_URL", &flink)
    })
    .await;
    let admin = app.admin().await;

    let response = app.pipeline_status(&admin).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    let job = &body["stream_job"];
    assert_down(&job["source"]);
    assert_eq!(job["name"], "orderflow-sku-stats");
    for figure in ["state", "started_at", "uptime_ms", "last_checkpoint"] {
        assert_eq!(job[figure], Value::Null, "{figure}: {job}");
    }
    assert_eq!(body["topics"]["source"]["status"], "up");
    assert_eq!(body["consumer_groups"][0]["source"]["status"], "up");
}

#[tokio::test]
async fn inventory_down_reports_its_outbox_down() {
    // The default test configuration points INVENTORY_URL at a closed port.
    let topics = TestTopics::create().await;
    let app = TestApp::with_pipeline(topics.watched(), None, |_| {}).await;
    let admin = app.admin().await;

    let body = app.pipeline_status(&admin).await.json();
    let inventory = &body["outboxes"][1];
    assert_eq!(
        *inventory,
        json!({"name": "inventory", "source": {"status": "down", "error": "inventory service unreachable"},
               "pending": null, "pending_capped": null, "oldest_pending_age_ms": null,
               "dead": null, "dead_capped": null, "published_last_minute": null})
    );
    assert_eq!(body["outboxes"][0]["source"]["status"], "up");
}

#[tokio::test]
async fn every_source_down_is_still_a_complete_answer() {
    let topics = TestTopics::create().await;
    let (broker, flink) = (nothing_listens(), format!("http://{}", nothing_listens()));
    let database = format!("postgres://orderflow@{}/orderflow", nothing_listens());
    let app = TestApp::with_pipeline(topics.watched(), None, |vars| {
        set_var(vars, "KAFKA_BROKERS", &broker);
        set_var(vars, "FLINK_REST_URL", &flink);
        set_var(vars, "DATABASE_URL", &database);
    })
    .await;
    // Logging in needs the database: the token is signed directly (Redis still answers
    // the logout check).
    let (token, _) = app.state.jwt.issue(
        uuid::Uuid::now_v7(),
        "admin@example.com",
        api::auth::Role::Admin,
    );

    let response = app
        .request(axum::http::Method::GET, "/admin/pipeline")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    for outbox in body["outboxes"].as_array().unwrap() {
        assert_down(&outbox["source"]);
    }
    assert_down(&body["consumer_groups"][0]["source"]);
    assert_down(&body["stream_job"]["source"]);
    assert_down(&body["topics"]["source"]);
}

/// Accepts connections and never answers: a hung process.
async fn hung_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    (url, hold)
}

#[tokio::test]
async fn sources_that_hang_are_down_after_their_timeout() {
    let topics = TestTopics::create().await;
    let (url, hold) = hung_server().await;
    let app = TestApp::with_pipeline(topics.watched(), None, |vars| {
        set_var(vars, "FLINK_REST_URL", &url);
        set_var(vars, "INVENTORY_URL", &url);
    })
    .await;
    let admin = app.admin().await;

    let response = app.pipeline_status(&admin).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(
        body["stream_job"]["source"],
        json!({"status": "down", "error": "Flink REST API did not answer within 2 s"})
    );
    assert_eq!(
        body["outboxes"][1]["source"],
        json!({"status": "down", "error": "inventory service did not answer within 2 s"})
    );
    assert_eq!(body["topics"]["source"]["status"], "up");
    hold.abort();
}
