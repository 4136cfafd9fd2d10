//! Every console endpoint is for admins only: 401 without a token, 403 for a user.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

const ENDPOINTS: [(Method, &str); 5] = [
    (Method::GET, "/admin/dead-letters"),
    (Method::POST, "/admin/dead-letters/orders.dlq/0/0/redrive"),
    (Method::POST, "/admin/dead-letters/orders.dlq/0/0/discard"),
    (Method::POST, "/admin/dead-letters/redrive"),
    (Method::GET, "/admin/operator-actions"),
];

#[tokio::test]
async fn without_a_token_every_endpoint_is_401() {
    let app = TestApp::spawn().await;
    for (method, path) in ENDPOINTS {
        let response = app
            .request(method.clone(), path)
            .json(&json!({"topic": "orders.dlq", "error_code": "malformed_json"}))
            .send()
            .await;
        response.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }
}

#[tokio::test]
async fn for_a_user_every_endpoint_is_403() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    for (method, path) in ENDPOINTS {
        let response = app
            .request(method.clone(), path)
            .bearer(&user.access_token)
            .json(&json!({"topic": "orders.dlq", "error_code": "malformed_json"}))
            .send()
            .await;
        response.assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    }
}

#[tokio::test]
async fn an_admin_reads_both_dlq_topics_and_the_action_log() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for topic in ["orders.dlq", "inventory.dlq"] {
        let response = app
            .dead_letters(&admin, &format!("topic={topic}&limit=1"))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let page = response.json();
        assert!(
            page["items"].is_array() && page["reasons"].is_array(),
            "{page}"
        );
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["topic"], topic);
        }
    }
    let response = app.operator_actions(&admin, "").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.json(),
        json!({"items": []}),
        "a fresh database logged nothing"
    );
}
