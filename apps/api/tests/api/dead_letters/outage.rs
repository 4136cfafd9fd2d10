//! A broker that cannot be reached: the console answers 503 with `Retry-After` (never 500,
//! never a hang); the action log, in PostgreSQL, is still served.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, TestResponse};

#[track_caller]
fn assert_unavailable(response: &TestResponse) {
    response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
    let retry_after: u64 = response
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in whole seconds: {:?}", response.headers));
    assert!(retry_after >= 1);
}

#[tokio::test]
async fn without_a_broker_the_console_is_503_and_the_log_still_served() {
    // Nothing listens on a port that was free a moment ago.
    let dead = format!("127.0.0.1:{}", testkit::free_port());
    let app = TestApp::spawn_with(|vars| {
        vars.retain(|(name, _)| name != "KAFKA_BROKERS");
        vars.push(("KAFKA_BROKERS".to_owned(), dead));
    })
    .await;
    let admin = app.admin().await;
    let letter = json!({"topic": "orders.dlq", "partition": 0, "offset": 0});

    assert_unavailable(&app.dead_letters(&admin, "topic=orders.dlq").await);
    assert_unavailable(&app.redrive_dead_letter(&admin, &letter).await);
    assert_unavailable(&app.discard_dead_letter(&admin, &letter).await);
    assert_unavailable(
        &app.redrive_all_dead_letters(&admin, "orders.dlq", "malformed_json")
            .await,
    );
    let log = app.operator_actions(&admin, "").await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text());
    assert_eq!(log.json(), json!({"items": []}));
}
