//! `GET /admin/dead-letters`: what the consumers dead-lettered, newest first, with reason,
//! headers and origin; filtered by reason; paged by cursor.

use axum::http::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::dead_letters::{order_created, unique_error_code, SharedBroker};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_message_the_projector_rejected_is_listed_with_its_reason_and_origin() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = SharedBroker::new();
    let key = format!("dlq-test-{}", Uuid::new_v4());
    let original = format!("not JSON at all {key}");
    let (partition, offset) = broker
        .publish(events::TOPIC_ORDER_EVENTS, &key, original.as_bytes())
        .await;

    // The stack's projector consumes orders.events and dead-letters it to orders.dlq.
    let letter = app
        .wait_for_dead_letter(
            &admin,
            "topic=orders.dlq&reason=malformed_json&limit=200",
            |item| item["key"] == key.as_str(),
        )
        .await;

    assert_eq!(letter["topic"], "orders.dlq");
    assert_eq!(letter["error_code"], "malformed_json");
    assert!(
        !letter["error_reason"].as_str().unwrap().is_empty(),
        "{letter}"
    );
    assert_eq!(letter["source_topic"], "orders.events");
    assert_eq!(letter["source_partition"], partition);
    assert_eq!(letter["source_offset"], offset);
    assert_eq!(letter["original_payload"], original.as_str());
    assert_eq!(letter["redrivable"], true);
    assert_eq!(letter["state"], "dead");
    assert_eq!(letter["last_action"], Value::Null);
    assert_eq!(letter["headers"]["error_code"], "malformed_json");
    assert_eq!(letter["headers"]["source_offset"], offset.to_string());
    let body: Value = serde_json::from_str(letter["payload"].as_str().unwrap()).unwrap();
    assert_eq!(body["original_payload"], original.as_str());
    assert_eq!(body["error_reason"], letter["error_reason"]);
    assert!(chrono::DateTime::parse_from_rfc3339(letter["timestamp"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn the_reason_filter_lists_only_that_reason_and_every_reason_is_counted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = SharedBroker::new();
    let (wanted, other) = (unique_error_code("wanted"), unique_error_code("other"));
    for code in [&wanted, &other, &wanted] {
        broker.dead_letter_order_event(&order_created(), code).await;
    }

    let response = app
        .dead_letters(&admin, &format!("topic=orders.dlq&reason={wanted}"))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let page = response.json();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page:#}");
    assert!(items
        .iter()
        .all(|item| item["error_code"] == wanted.as_str()));
    assert!(items
        .iter()
        .all(|item| item["headers"]["error_reason"] == "rejected by a test consumer"));
    let count = |code: &str| {
        page["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|reason| reason["error_code"] == code)
            .map(|reason| reason["count"].clone())
    };
    assert_eq!(count(&wanted), Some(2.into()));
    assert_eq!(
        count(&other),
        Some(1.into()),
        "other reasons are counted too"
    );
}

#[tokio::test]
async fn pages_follow_the_cursor_newest_first() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = SharedBroker::new();
    let code = unique_error_code("paged");
    for _ in 0..3 {
        broker
            .dead_letter_order_event(&order_created(), &code)
            .await;
    }
    let all = app
        .dead_letter_items(&admin, &format!("reason={code}"))
        .await;
    assert_eq!(all.len(), 3);
    let newest_first: Vec<&str> = all
        .iter()
        .map(|i| i["timestamp"].as_str().unwrap())
        .collect();
    assert!(
        newest_first.windows(2).all(|w| w[0] >= w[1]),
        "{newest_first:?}"
    );

    let mut seen = Vec::new();
    let mut query = format!("reason={code}&limit=2");
    loop {
        let response = app.dead_letters(&admin, &query).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let page = response.json();
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("reason={code}&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, all, "two pages, in the same order, nothing twice");
}

#[tokio::test]
async fn invalid_parameters_are_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app
        .dead_letters(
            &admin,
            "topic=orders.events&reason=a%20b&include_discarded=maybe&limit=0&cursor=nope!",
        )
        .await;
    response.assert_invalid(&["topic", "reason", "include_discarded", "limit", "cursor"]);
    for query in ["limit=201", "limit=x", "topic=", "reason="] {
        let response = app.dead_letters(&admin, query).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            response.text()
        );
    }
}
