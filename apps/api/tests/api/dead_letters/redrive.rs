//! Redrive: a dead letter whose cause is fixed goes back to its source topic unchanged, and
//! the consumers that de-duplicate by `event_id` process it once, however often it is
//! redriven; derived topics are refused; every redrive is logged.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::dead_letters::{
    audit_count, order_created, unique_error_code, SharedBroker, PIPELINE_TIMEOUT,
};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_fixed_dead_letter_is_processed_once_however_often_it_is_redriven() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = SharedBroker::new();
    let code = unique_error_code("fixed");
    // A valid event a consumer once rejected (say, before a bug fix), dead-lettered with
    // the consumers' own writer.
    let event = order_created();
    let original = event.to_json();
    broker.dead_letter_order_event(&event, &code).await;
    let letter = app.only_dead_letter(&admin, "orders.dlq", &code).await;
    assert_eq!(
        letter["original_payload"],
        original.as_str(),
        "sent back unchanged"
    );
    assert_eq!(letter["key"], event.message_key().as_str());
    assert_eq!(letter["redrivable"], true);
    assert_eq!(audit_count(&app, event.event_id).await, 0);

    let response = app.redrive_dead_letter(&admin, &letter).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json(), json!({"redriven": 1}));
    testkit::eventually(
        PIPELINE_TIMEOUT,
        "the projector's audit document",
        || async { audit_count(&app, event.event_id).await == 1 },
    )
    .await;

    let response = app.redrive_dead_letter(&admin, &letter).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    // The projector reads a partition in order: once an event published after the second
    // redrive under the same key is audited, the second redrive has been processed.
    let mut marker = order_created();
    if let events::EventPayload::OrderCreated(created) = &mut marker.payload {
        created.order_id = event.order_id().unwrap();
    }
    broker
        .publish(
            "orders.events",
            &marker.message_key(),
            marker.to_json().as_bytes(),
        )
        .await;
    testkit::eventually(PIPELINE_TIMEOUT, "the marker's audit document", || async {
        audit_count(&app, marker.event_id).await == 1
    })
    .await;
    assert_eq!(audit_count(&app, event.event_id).await, 1, "processed once");

    let letter = app.only_dead_letter(&admin, "orders.dlq", &code).await;
    assert_eq!(letter["state"], "redriven");
    assert_eq!(letter["last_action"]["action"], "redrive");
    assert_eq!(letter["last_action"]["actor_email"], admin.email.as_str());
    let log = app.operator_actions(&admin, "").await.json();
    let target = letter_target(&letter);
    let redrives: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["target"] == target.as_str())
        .collect();
    assert_eq!(redrives.len(), 2, "each redrive is logged: {log:#}");
    for entry in redrives {
        assert_eq!(entry["action"], "redrive");
        assert_eq!(entry["actor_id"], admin.id.to_string());
        assert_eq!(entry["actor_email"], admin.email.as_str());
        assert_eq!(entry["detail"], "sent to orders.events");
    }
}

fn letter_target(letter: &Value) -> String {
    format!("orders.dlq/{}/{}", letter["partition"], letter["offset"])
}

#[tokio::test]
async fn redrive_all_sends_every_redrivable_letter_with_the_reason_that_is_not_discarded() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = SharedBroker::new();
    let code = unique_error_code("bulk");
    let events = [order_created(), order_created(), order_created()];
    for event in &events {
        broker.dead_letter_order_event(event, &code).await;
    }
    broker
        .dead_letter("orders.dlq", "orders.sku-stats", "SKU-1", b"{}", &code)
        .await;
    let letters = app
        .dead_letter_items(&admin, &format!("reason={code}"))
        .await;
    assert_eq!(letters.len(), 4);
    let discarded = letters
        .iter()
        .find(|letter| letter["original_payload"] == events[0].to_json().as_str())
        .unwrap();
    let response = app.discard_dead_letter(&admin, discarded).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());

    let response = app
        .redrive_all_dead_letters(&admin, "orders.dlq", &code)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json(), json!({"redriven": 2, "skipped": 1}));
    for event in &events[1..] {
        testkit::eventually(
            PIPELINE_TIMEOUT,
            "the redriven events' audit documents",
            || async { audit_count(&app, event.event_id).await == 1 },
        )
        .await;
    }
    let states: Vec<(String, String)> = app
        .dead_letter_items(&admin, &format!("reason={code}&include_discarded=true"))
        .await
        .iter()
        .map(|l| {
            (
                l["source_topic"].as_str().unwrap().to_owned(),
                l["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let count = |topic: &str, state: &str| {
        states
            .iter()
            .filter(|s| s.0 == topic && s.1 == state)
            .count()
    };
    assert_eq!(count("orders.events", "redriven"), 2, "{states:?}");
    assert_eq!(count("orders.events", "discarded"), 1, "{states:?}");
    assert_eq!(count("orders.sku-stats", "dead"), 1, "{states:?}");
}

#[tokio::test]
async fn a_letter_from_a_derived_topic_is_not_redriven() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = SharedBroker::new();
    let code = unique_error_code("derived");
    let stat = json!({"sku": "SKU-1", "currency": "EUR", "qty_sum": -1}).to_string();
    broker
        .dead_letter(
            "orders.dlq",
            "orders.sku-stats",
            "SKU-1",
            stat.as_bytes(),
            &code,
        )
        .await;
    let letter = app.only_dead_letter(&admin, "orders.dlq", &code).await;
    assert_eq!(letter["source_topic"], "orders.sku-stats");
    assert_eq!(letter["redrivable"], false);

    let response = app.redrive_dead_letter(&admin, &letter).await;
    response.assert_error(StatusCode::CONFLICT, "NOT_REDRIVABLE");
    let letter = app.only_dead_letter(&admin, "orders.dlq", &code).await;
    assert_eq!(letter["state"], "dead", "nothing was logged");
    assert_eq!(
        app.operator_actions(&admin, "").await.json(),
        json!({"items": []})
    );
}

#[tokio::test]
async fn unknown_letters_are_404_and_invalid_bulk_requests_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for letter in [
        "orders.events/0/0",
        "nope.dlq/0/0",
        "orders.dlq/99/0",
        "orders.dlq/0/999999999999",
        "orders.dlq/x/0",
        "orders.dlq/0/-1",
        "orders.dlq/0",
    ] {
        for action in ["redrive", "discard"] {
            let path = format!("/admin/dead-letters/{letter}/{action}");
            let response = app.post_as(&admin, &path).await;
            response.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
        }
    }
    let response = app
        .redrive_all_dead_letters(&admin, "orders.events", "malformed_json")
        .await;
    response.assert_invalid(&["topic"]);
    let response = app.redrive_all_dead_letters(&admin, "orders.dlq", "").await;
    response.assert_invalid(&["error_code"]);
    assert_eq!(
        app.operator_actions(&admin, "").await.json(),
        json!({"items": []})
    );
}
