//! The order's `reservation` (docs/spec.md#order-reservation): new orders wait for the
//! inventory (`pending`), every snapshot and listing shows the state, paying needs the
//! stock held, and each change reaches readers at once (the cache is dropped).

use api::orders::saga::Applied;
use api::orders::Reservation;
use axum::http::StatusCode;

use super::{created_order, outbox_rows, uuid_of};
use crate::helpers::TestApp;

#[tokio::test]
async fn new_orders_are_pending_in_every_snapshot_and_listing() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let admin = app.admin().await;
    let order = created_order(&app, &alice).await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(order["reservation"], "pending");
    assert_eq!(
        app.get_order(&alice, id).await.json()["reservation"],
        "pending"
    );
    let own = app.list_orders(&alice, "").await.json();
    assert_eq!(own["items"][0]["id"], id);
    assert_eq!(own["items"][0]["reservation"], "pending");
    let all = app.admin_list_orders(&admin, "").await.json();
    assert_eq!(all["items"][0]["reservation"], "pending");
}

#[tokio::test]
async fn paying_waits_for_the_reservation_and_every_change_is_visible_at_once() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let order = created_order(&app, &alice).await;
    let id = order["id"].as_str().unwrap();

    // Pending: refused with a code that says why; nothing is written.
    let error = app
        .set_order_status(&alice, id, "paid")
        .await
        .assert_error(StatusCode::CONFLICT, "RESERVATION_PENDING");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("not reserved yet"));
    assert_eq!(outbox_rows(&app, uuid_of(&order["id"])).await.len(), 1);

    // The snapshot is cached now; the reservation must not be served stale.
    assert_eq!(
        app.get_order(&alice, id).await.header("x-cache"),
        Some("miss")
    );
    assert_eq!(
        app.get_order(&alice, id).await.header("x-cache"),
        Some("hit")
    );
    let applied = app.reserve(id).await;
    assert_eq!(
        applied,
        Applied::Changed {
            order_id: uuid_of(&order["id"]),
            from: Reservation::Pending,
            to: Reservation::Reserved,
            canceled: false,
        }
    );
    let reserved = app.get_order(&alice, id).await;
    assert_eq!(reserved.header("x-cache"), Some("miss"));
    assert_eq!(reserved.json()["reservation"], "reserved");
    assert_eq!(reserved.json()["status"], "created");

    let paid = app.set_order_status(&alice, id, "paid").await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.text());
    assert_eq!(paid.json()["status"], "paid");
    assert_eq!(paid.json()["reservation"], "reserved");
    let types: Vec<String> = outbox_rows(&app, uuid_of(&order["id"]))
        .await
        .into_iter()
        .map(|row| row.2)
        .collect();
    assert_eq!(types, ["OrderCreated", "OrderPaid"]);
}

#[tokio::test]
async fn orders_without_held_stock_cannot_be_paid_but_can_be_canceled() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;

    // Released while still unpaid (the inventory gave the stock back): not payable.
    let released = created_order(&app, &alice).await;
    let released_id = released["id"].as_str().unwrap();
    assert!(matches!(
        app.release(released_id).await,
        Applied::Changed { .. }
    ));
    let error = app
        .set_order_status(&alice, released_id, "paid")
        .await
        .assert_error(StatusCode::CONFLICT, "RESERVATION_NOT_HELD");
    assert!(error["message"].as_str().unwrap().contains("released"));
    let canceled = app.set_order_status(&alice, released_id, "canceled").await;
    assert_eq!(canceled.status, StatusCode::OK, "{}", canceled.text());

    // Canceling never waits for the inventory.
    let pending = created_order(&app, &alice).await;
    let pending_id = pending["id"].as_str().unwrap();
    assert_eq!(pending["short_lines"], serde_json::json!([]));
    let canceled = app.set_order_status(&alice, pending_id, "canceled").await;
    assert_eq!(canceled.status, StatusCode::OK, "{}", canceled.text());
    assert_eq!(canceled.json()["reservation"], "pending");

    // Rejected: the saga canceled it, so paying is an invalid transition.
    let rejected = created_order(&app, &alice).await;
    let rejected_id = rejected["id"].as_str().unwrap();
    assert!(matches!(
        app.reject(rejected_id).await,
        Applied::Changed { canceled: true, .. }
    ));
    let snapshot = app.get_order(&alice, rejected_id).await.json();
    assert_eq!(
        (
            snapshot["status"].as_str(),
            snapshot["reservation"].as_str()
        ),
        (Some("canceled"), Some("rejected"))
    );
    // It says which line was short (the helper rejects the first line, none available).
    let line = &rejected["items"][0];
    assert_eq!(
        snapshot["short_lines"],
        serde_json::json!([{"sku": line["sku"], "requested": line["qty"], "available": 0}])
    );
    app.set_order_status(&alice, rejected_id, "paid")
        .await
        .assert_error(StatusCode::CONFLICT, "INVALID_TRANSITION");
}

#[tokio::test]
async fn with_the_saga_disabled_orders_are_outside_it_and_payable_at_once() {
    let app = TestApp::spawn_with(|env| {
        env.push(("INVENTORY_SAGA_ENABLED".to_owned(), "false".to_owned()));
    })
    .await;
    let alice = app.user().await;
    let order = created_order(&app, &alice).await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(order["reservation"], "none");
    let paid = app.set_order_status(&alice, id, "paid").await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.text());
    assert_eq!(paid.json()["reservation"], "none");

    // A stray reply for an order outside the saga changes nothing.
    let applied = app.reserve(id).await;
    assert!(matches!(applied, Applied::Skipped { .. }), "{applied:?}");
    assert_eq!(
        app.get_order(&alice, id).await.json()["reservation"],
        "none"
    );
}
