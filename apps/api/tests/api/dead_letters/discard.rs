//! Discard: the letter is hidden from the default listing (it stays in the topic), shown
//! with `include_discarded=true`, and the action is logged with who did it.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::dead_letters::{order_created, unique_error_code, SharedBroker};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_discarded_letter_is_hidden_and_the_discard_is_logged() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = SharedBroker::new();
    let code = unique_error_code("discard");
    let event = order_created();
    broker.dead_letter_order_event(&event, &code).await;
    let letter = app.only_dead_letter(&admin, "orders.dlq", &code).await;
    assert_eq!(letter["state"], "dead");

    let response = app.discard_dead_letter(&admin, &letter).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json(), json!({"discarded": 1}));

    let page = app
        .dead_letters(&admin, &format!("reason={code}"))
        .await
        .json();
    assert_eq!(page["items"], json!([]), "hidden by default");
    assert!(
        !page["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["error_code"] == code.as_str()),
        "and not counted: {page:#}"
    );
    let shown = app.only_dead_letter(&admin, "orders.dlq", &code).await;
    assert_eq!(shown["state"], "discarded");
    assert_eq!(shown["last_action"]["action"], "discard");
    assert_eq!(shown["last_action"]["actor_email"], admin.email.as_str());
    assert_eq!(
        (shown["partition"].clone(), shown["offset"].clone()),
        (letter["partition"].clone(), letter["offset"].clone())
    );

    let log = app.operator_actions(&admin, "").await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text());
    let items = log.json()["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items:#}");
    let entry = &items[0];
    assert_eq!(entry["action"], "discard");
    assert_eq!(entry["actor_id"], admin.id.to_string());
    assert_eq!(entry["actor_email"], admin.email.as_str());
    assert_eq!(
        entry["target"],
        format!("orders.dlq/{}/{}", letter["partition"], letter["offset"])
    );
    assert!(uuid::Uuid::parse_str(entry["id"].as_str().unwrap()).is_ok());
    assert!(chrono::DateTime::parse_from_rfc3339(entry["at"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn the_action_log_is_newest_first_and_limited() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = SharedBroker::new();
    let code = unique_error_code("log");
    for _ in 0..2 {
        broker
            .dead_letter_order_event(&order_created(), &code)
            .await;
    }
    let letters = app
        .dead_letter_items(&admin, &format!("reason={code}"))
        .await;
    for letter in &letters {
        let response = app.discard_dead_letter(&admin, letter).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    }
    let log = app.operator_actions(&admin, "limit=1").await.json();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0]["target"],
        format!(
            "orders.dlq/{}/{}",
            letters[1]["partition"], letters[1]["offset"]
        ),
        "the latest discard first"
    );
    for query in ["limit=0", "limit=201", "limit=x"] {
        app.operator_actions(&admin, query)
            .await
            .assert_invalid(&["limit"]);
    }
}
