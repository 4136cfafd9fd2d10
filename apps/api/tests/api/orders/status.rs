//! `PATCH /orders/{id}/status`: created → paid | canceled, once, with an event each.

use axum::http::{Method, StatusCode};
use events::{Envelope, EventPayload};
use serde_json::json;
use uuid::Uuid;

use super::{created_order, outbox_rows, reserved_order, uuid_of};
use crate::helpers::{send, TestApp};

#[tokio::test]
async fn status_changes_follow_the_transition_rules_and_emit_events() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let mallory = app.user().await;
    let admin = app.admin().await;
    let paid = reserved_order(&app, &alice).await;
    let paid_id = paid["id"].as_str().unwrap();

    // Bad input first: nothing changes.
    for (body, field) in [
        (json!({"status": "created"}), "status"),
        (json!({"status": "shipped"}), "status"),
        (json!({"status": "PAID"}), "status"),
        (json!({"status": 1}), "status"),
        (json!({}), "status"),
    ] {
        let response = app
            .request(Method::PATCH, &format!("/orders/{paid_id}/status"))
            .bearer(&alice.access_token)
            .json(&body)
            .send()
            .await;
        response.assert_invalid(&[field]);
    }
    app.set_order_status(&mallory, paid_id, "paid")
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.set_order_status(&alice, &Uuid::new_v4().to_string(), "paid")
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.request(Method::PATCH, &format!("/orders/{paid_id}/status"))
        .json(&json!({"status": "paid"}))
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    assert_eq!(outbox_rows(&app, uuid_of(&paid["id"])).await.len(), 1);

    let response = app
        .request(Method::PATCH, &format!("/orders/{paid_id}/status"))
        .bearer(&alice.access_token)
        .header("x-request-id", "trace-pay-1")
        .json(&json!({"status": "paid"}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let after = response.json();
    assert_eq!(after["status"], "paid");
    assert_eq!(after["items"], paid["items"]);
    assert_eq!(after["created_at"], paid["created_at"]);

    for (target, from) in [("canceled", "paid"), ("paid", "paid")] {
        let error = app
            .set_order_status(&alice, paid_id, target)
            .await
            .assert_error(StatusCode::CONFLICT, "INVALID_TRANSITION");
        assert!(error["message"].as_str().unwrap().contains(from));
    }
    let outbox = outbox_rows(&app, uuid_of(&paid["id"])).await;
    assert_eq!(outbox.len(), 2);
    let (event_id, aggregate_type, event_type, payload) = &outbox[1];
    assert_eq!(
        (aggregate_type.as_str(), event_type.as_str()),
        ("order", "OrderPaid")
    );
    assert_eq!(payload["event_id"], event_id.to_string());
    assert_eq!(payload["trace_id"], "trace-pay-1");
    let envelope = Envelope::from_json_value(payload.clone()).unwrap();
    let EventPayload::OrderPaid(data) = envelope.payload else {
        panic!("not OrderPaid: {payload}");
    };
    assert_eq!(data.order_id, uuid_of(&paid["id"]));
    assert_eq!(data.user_id, alice.id);
    assert_eq!(data.total_amount, 300);
    assert_eq!(data.currency, "EUR");

    // An admin may cancel anybody's order; the event names the owner.
    let canceled = created_order(&app, &alice).await;
    let canceled_id = canceled["id"].as_str().unwrap();
    let response = app.set_order_status(&admin, canceled_id, "canceled").await;
    assert_eq!(response.json()["status"], "canceled");
    app.set_order_status(&alice, canceled_id, "paid")
        .await
        .assert_error(StatusCode::CONFLICT, "INVALID_TRANSITION");
    let outbox = outbox_rows(&app, uuid_of(&canceled["id"])).await;
    let types: Vec<&str> = outbox.iter().map(|row| row.2.as_str()).collect();
    assert_eq!(types, ["OrderCreated", "OrderCanceled"]);
    let envelope = Envelope::from_json_value(outbox[1].3.clone()).unwrap();
    assert!(
        matches!(envelope.payload, EventPayload::OrderCanceled(data) if data.user_id == alice.id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pay_and_cancel_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    for _ in 0..5 {
        let order = reserved_order(&app, &alice).await;
        let id = order["id"].as_str().unwrap().to_owned();
        let tasks: Vec<_> = ["paid", "canceled"]
            .into_iter()
            .map(|target| {
                let router = app.router.clone();
                let request = app
                    .request(Method::PATCH, &format!("/orders/{id}/status"))
                    .bearer(&alice.access_token)
                    .json(&json!({"status": target}))
                    .build();
                tokio::spawn(async move { (target, send(&router, request).await) })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            let (target, response) = task.await.unwrap();
            match response.status {
                StatusCode::OK => winners.push(target),
                StatusCode::CONFLICT => {
                    response.assert_error(StatusCode::CONFLICT, "INVALID_TRANSITION");
                }
                other => panic!("unexpected {other}: {}", response.text()),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one change wins");
        let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
            .bind(uuid_of(&order["id"]))
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(status, winners[0]);
        let events: Vec<String> = outbox_rows(&app, uuid_of(&order["id"]))
            .await
            .into_iter()
            .map(|row| row.2)
            .collect();
        let expected = if winners[0] == "paid" {
            "OrderPaid"
        } else {
            "OrderCanceled"
        };
        assert_eq!(events, ["OrderCreated", expected]);
    }
}
