//! `POST /orders` refuses every invalid body at its edge, naming each field, and stores
//! nothing for it.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{order_body, order_count};
use crate::helpers::TestApp;

#[tokio::test]
async fn every_validation_bound_is_enforced_at_its_edge() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;

    for (qty, ok) in [
        (0, false),
        (1, true),
        (1000, true),
        (1001, false),
        (-1, false),
    ] {
        let response = app.create_order(&alice, &order_body("SKU-1", qty, 1)).await;
        if ok {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "qty {qty}: {}",
                response.text()
            );
        } else {
            response.assert_invalid(&["items[0].qty"]);
        }
    }
    for (price, ok) in [
        (-1, false),
        (0, true),
        (10_000_000, true),
        (10_000_001, false),
    ] {
        let response = app
            .create_order(&alice, &order_body("SKU-1", 1, price))
            .await;
        if ok {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "price {price}: {}",
                response.text()
            );
        } else {
            response.assert_invalid(&["items[0].unit_price"]);
        }
    }
    let long = "A".repeat(64);
    let too_long = "A".repeat(65);
    for (sku, ok) in [
        ("AB", false),
        ("ABC", true),
        (long.as_str(), true),
        (too_long.as_str(), false),
        ("abc", false),
        ("AB C", false),
        ("AB.C", false),
        ("ÄBC", false),
        ("AB\u{0}", false),
        ("", false),
        ("A-B_1", true),
    ] {
        let response = app.create_order(&alice, &order_body(sku, 1, 1)).await;
        if ok {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "sku {sku:?}: {}",
                response.text()
            );
        } else {
            response.assert_invalid(&["items[0].sku"]);
        }
    }
    for (count, ok) in [(0, false), (1, true), (50, true), (51, false)] {
        let items: Vec<Value> = (0..count)
            .map(|i| json!({"sku": format!("SKU-{i}"), "qty": 1, "unit_price": 1}))
            .collect();
        let response = app
            .create_order(&alice, &json!({"currency": "USD", "items": items}))
            .await;
        if ok {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "{count} items: {}",
                response.text()
            );
            assert_eq!(response.json()["items"].as_array().unwrap().len(), count);
        } else {
            response.assert_invalid(&["items"]);
        }
    }
    for (currency, ok) in [
        ("HUF", true),
        ("EUR", true),
        ("USD", true),
        ("eur", false),
        ("GBP", false),
        ("", false),
    ] {
        let body =
            json!({"currency": currency, "items": [{"sku": "SKU-1", "qty": 1, "unit_price": 1}]});
        let response = app.create_order(&alice, &body).await;
        if ok {
            assert_eq!(response.status, StatusCode::CREATED);
            assert_eq!(response.json()["currency"], currency);
        } else {
            response.assert_invalid(&["currency"]);
        }
    }

    // Every problem is reported at once, each with its path.
    let body = json!({"currency": "XXX", "items": [
        {"sku": "OK-1", "qty": 1, "unit_price": 1},
        {"sku": "bad", "qty": 0, "unit_price": -5},
    ]});
    app.create_order(&alice, &body).await.assert_invalid(&[
        "currency",
        "items[1].sku",
        "items[1].qty",
        "items[1].unit_price",
    ]);
    // Wrong shapes are 422 naming the field; not-JSON is 400; nothing is a 500.
    for (body, field) in [
        (
            json!({"items": [{"sku": "SKU-1", "qty": 1, "unit_price": 1}]}),
            "currency",
        ),
        (json!({"currency": "EUR"}), "items"),
        (
            json!({"currency": "EUR", "items": {"sku": "SKU-1"}}),
            "items",
        ),
        (
            json!({"currency": "EUR", "items": [{"sku": "SKU-1", "qty": "1", "unit_price": 1}]}),
            "items[0].qty",
        ),
        (
            json!({"currency": "EUR", "items": [{"sku": "SKU-1", "qty": 1.5, "unit_price": 1}]}),
            "items[0].qty",
        ),
        (
            json!({"currency": "EUR", "items": [{"sku": "SKU-1", "qty": 1, "unit_price": 1e30}]}),
            "items[0].unit_price",
        ),
        (
            json!({"currency": "EUR", "items": [{"sku": 7, "qty": 1, "unit_price": 1}]}),
            "items[0].sku",
        ),
        (
            json!({"currency": "EUR", "items": [{"qty": 1, "unit_price": 1}]}),
            "items[0].sku",
        ),
        (json!("not an object"), "body"),
    ] {
        app.create_order(&alice, &body)
            .await
            .assert_invalid(&[field]);
    }
    let key = Uuid::new_v4().to_string();
    app.request(Method::POST, "/orders")
        .bearer(&alice.access_token)
        .idempotency_key(&key)
        .json_text("{\"currency\": ")
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "MALFORMED_JSON");

    // No token at all, or a forged one.
    let body = order_body("SKU-1", 1, 1);
    app.request(Method::POST, "/orders")
        .idempotency_key(&key)
        .json(&body)
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.request(Method::POST, "/orders")
        .bearer("not-a-token")
        .idempotency_key(&key)
        .json(&body)
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    let created: i64 = 2 + 2 + 3 + 2 + 3; // the ok cases above
    assert_eq!(order_count(&app).await, created);
}
