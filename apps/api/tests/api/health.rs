//! `GET /healthz`: every dependency checked and named, 503 while one is down.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use testkit::redis::RedisServer;

use crate::helpers::TestApp;

#[tokio::test]
async fn healthz_reports_every_dependency() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["status"], "ok");
    for dependency in ["postgres", "redis", "kafka"] {
        assert_eq!(body["checks"][dependency]["status"], "up", "{body}");
    }
}

#[tokio::test]
async fn healthz_names_each_failed_dependency() {
    let app = TestApp::spawn_with(|env| {
        for (name, value) in env.iter_mut() {
            match name.as_str() {
                "DATABASE_URL" => *value = "postgres://nobody@127.0.0.1:1/none".to_owned(),
                "KAFKA_BROKERS" => *value = "127.0.0.1:1".to_owned(),
                _ => {}
            }
        }
    })
    .await;
    let response = app.get("/healthz").await;
    let error = response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "DEPENDENCY_UNAVAILABLE");
    let failed: Vec<&str> = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["kafka", "postgres"]);
    let body = response.json();
    assert_eq!(body["checks"]["redis"]["status"], "up");
    assert_eq!(body["checks"]["postgres"]["status"], "down");
    assert!(
        !response.text().contains("nobody@"),
        "connection strings never leak"
    );
}

#[tokio::test]
async fn healthz_turns_503_while_redis_is_down_and_recovers() {
    let mut redis = RedisServer::start();
    let url = redis.url();
    let app = TestApp::spawn_with(|env| {
        env.retain(|(name, _)| name != "REDIS_URL");
        env.push(("REDIS_URL".to_owned(), url));
    })
    .await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);

    redis.kill();
    let down = app.get("/healthz").await;
    let error = down.assert_error(StatusCode::SERVICE_UNAVAILABLE, "DEPENDENCY_UNAVAILABLE");
    assert_eq!(error["details"][0]["field"], "redis", "{error}");
    assert!(error["message"].as_str().unwrap().contains("redis"));

    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = app.get("/healthz").await;
        if response.status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "healthz did not recover: {}",
            response.text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
