//! Orders (SPEC §4): validation at every bound, idempotency under concurrency, the
//! transactional outbox, keyset pagination, cache-aside and authorization.
//!
//! Users are inserted directly and tokens minted with the app's keys, so these tests do
//! not depend on the auth endpoints.

use std::collections::HashSet;
use std::time::Duration;

use api::auth::Role;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use events::{Envelope, EventPayload};
use redis::AsyncCommands;
use serde_json::{json, Value};
use sqlx::postgres::PgListener;
use uuid::Uuid;

use crate::helpers::{send, TestApp, TestResponse};

struct Caller {
    id: Uuid,
    token: String,
}

async fn caller(app: &TestApp, role: Role) -> Caller {
    let id = Uuid::new_v4();
    let email = format!("{}@example.com", id.simple());
    sqlx::query("INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, 'x', $3)")
        .bind(id)
        .bind(&email)
        .bind(role.as_str())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let (token, _) = app.state.jwt.issue(id, &email, role);
    Caller { id, token }
}

fn request(method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

fn create_request(token: &str, key: Option<&str>, body: &Value) -> Request<Body> {
    let mut request = request(Method::POST, "/orders", Some(token), Some(body));
    if let Some(key) = key {
        request
            .headers_mut()
            .insert("idempotency-key", key.parse().unwrap());
    }
    request
}

/// `POST /orders` with a fresh idempotency key.
async fn post_order(app: &TestApp, who: &Caller, body: &Value) -> TestResponse {
    let key = Uuid::new_v4().to_string();
    app.send(create_request(&who.token, Some(&key), body)).await
}

async fn create_order(app: &TestApp, who: &Caller) -> Value {
    let response = post_order(app, who, &order_body("SKU-1", 2, 150)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

fn order_body(sku: &str, qty: i64, unit_price: i64) -> Value {
    json!({"currency": "EUR", "items": [{"sku": sku, "qty": qty, "unit_price": unit_price}]})
}

async fn get(app: &TestApp, path: &str, who: &Caller) -> TestResponse {
    app.send(request(Method::GET, path, Some(&who.token), None))
        .await
}

async fn patch_status(app: &TestApp, id: &str, who: &Caller, status: &str) -> TestResponse {
    let path = format!("/orders/{id}/status");
    app.send(request(
        Method::PATCH,
        &path,
        Some(&who.token),
        Some(&json!({"status": status})),
    ))
    .await
}

#[track_caller]
fn assert_invalid(response: &TestResponse, fields: &[&str]) {
    let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let reported: Vec<&str> = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(reported, fields, "{error}");
}

async fn outbox_rows(app: &TestApp, order_id: Uuid) -> Vec<(Uuid, String, String, Value)> {
    sqlx::query_as(
        "SELECT id, aggregate_type, event_type, payload_json FROM outbox_events
          WHERE aggregate_id = $1 ORDER BY created_at, id",
    )
    .bind(order_id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

async fn order_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

fn uuid_of(value: &Value) -> Uuid {
    Uuid::parse_str(value.as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn creating_an_order_writes_order_items_and_the_outbox_event_together() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let body = json!({"currency": "HUF", "items": [
        {"sku": "SKU-B", "qty": 3, "unit_price": 1999},
        {"sku": "SKU-A", "qty": 1, "unit_price": 0},
        {"sku": "SKU_C-9", "qty": 1000, "unit_price": 10_000_000},
    ]});
    let mut create = create_request(&alice.token, Some(&Uuid::new_v4().to_string()), &body);
    create
        .headers_mut()
        .insert("x-request-id", "trace-create-1".parse().unwrap());
    let response = app.send(create).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert!(response.header("idempotent-replayed").is_none());
    let order = response.json();
    let id = uuid_of(&order["id"]);
    assert_eq!(
        response.header("location"),
        Some(format!("/orders/{id}").as_str())
    );
    assert_eq!(order["user_id"], alice.id.to_string());
    assert_eq!(order["status"], "created");
    assert_eq!(order["currency"], "HUF");
    assert_eq!(
        order["items"],
        json!([
            {"sku": "SKU-B", "qty": 3, "unit_price": 1999, "line_total": 5997},
            {"sku": "SKU-A", "qty": 1, "unit_price": 0, "line_total": 0},
            {"sku": "SKU_C-9", "qty": 1000, "unit_price": 10_000_000, "line_total": 10_000_000_000_i64},
        ])
    );
    assert_eq!(order["total_amount"], 10_000_005_997_i64);
    let created_at = order["created_at"].as_str().unwrap();
    assert_eq!(
        created_at.len(),
        "2026-11-25T10:30:05.007Z".len(),
        "{created_at}"
    );
    assert!(created_at.ends_with('Z'));

    let stored: (String, i64, DateTime<Utc>) =
        sqlx::query_as("SELECT status, total_amount, created_at FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(stored.0, "created");
    assert_eq!(stored.1, 10_000_005_997);
    assert_eq!(events::format_rfc3339_millis(&stored.2), created_at);
    let items: i64 = sqlx::query_scalar("SELECT count(*) FROM order_items WHERE order_id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(items, 3);

    let outbox = outbox_rows(&app, id).await;
    assert_eq!(outbox.len(), 1);
    let (event_id, aggregate_type, event_type, payload) = &outbox[0];
    assert_eq!(aggregate_type, "order");
    assert_eq!(event_type, "OrderCreated");
    assert_eq!(payload["event_id"], event_id.to_string());
    assert_eq!(
        payload["occurred_at"], created_at,
        "one timestamp for row and event"
    );
    assert_eq!(payload["trace_id"], "trace-create-1");
    assert_eq!(payload["producer"], "api");
    assert_eq!(payload["version"], 1);
    let envelope = Envelope::from_json_value(payload.clone()).expect("a valid envelope");
    let EventPayload::OrderCreated(data) = envelope.payload else {
        panic!("not OrderCreated: {payload}");
    };
    assert_eq!(data.order_id, id);
    assert_eq!(data.user_id, alice.id);
    assert_eq!(data.currency, "HUF");
    assert_eq!(data.total_amount, 10_000_005_997);
    let skus: Vec<&str> = data.items.iter().map(|i| i.sku.as_str()).collect();
    assert_eq!(skus, ["SKU-B", "SKU-A", "SKU_C-9"]);

    // The snapshot read back from the database is the same as the one returned at creation.
    let read = get(&app, &format!("/orders/{id}"), &alice).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, response.body);
}

#[tokio::test]
async fn the_outbox_row_is_keyed_by_the_order_and_sends_no_notify() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    // NOTIFY in the order transaction serialised every commit (issue 10): no trigger now.
    let mut listener = PgListener::connect_with(&app.db.pool).await.unwrap();
    listener.listen("outbox_events").await.unwrap();
    let order = create_order(&app, &alice).await;
    let id = uuid_of(&order["id"]);
    let (key, seq): (String, i64) =
        sqlx::query_as("SELECT message_key, seq FROM outbox_events WHERE aggregate_id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(key, id.to_string());
    assert!(seq > 0);
    let notification = tokio::time::timeout(Duration::from_millis(500), listener.recv()).await;
    assert!(notification.is_err(), "unexpected {notification:?}");
}

#[tokio::test]
async fn every_validation_bound_is_enforced_at_its_edge() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;

    for (qty, ok) in [
        (0, false),
        (1, true),
        (1000, true),
        (1001, false),
        (-1, false),
    ] {
        let response = post_order(&app, &alice, &order_body("SKU-1", qty, 1)).await;
        if ok {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "qty {qty}: {}",
                response.text()
            );
        } else {
            assert_invalid(&response, &["items[0].qty"]);
        }
    }
    for (price, ok) in [
        (-1, false),
        (0, true),
        (10_000_000, true),
        (10_000_001, false),
    ] {
        let response = post_order(&app, &alice, &order_body("SKU-1", 1, price)).await;
        if ok {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "price {price}: {}",
                response.text()
            );
        } else {
            assert_invalid(&response, &["items[0].unit_price"]);
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
        let response = post_order(&app, &alice, &order_body(sku, 1, 1)).await;
        if ok {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "sku {sku:?}: {}",
                response.text()
            );
        } else {
            assert_invalid(&response, &["items[0].sku"]);
        }
    }
    for (count, ok) in [(0, false), (1, true), (50, true), (51, false)] {
        let items: Vec<Value> = (0..count)
            .map(|i| json!({"sku": format!("SKU-{i}"), "qty": 1, "unit_price": 1}))
            .collect();
        let response = post_order(&app, &alice, &json!({"currency": "USD", "items": items})).await;
        if ok {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "{count} items: {}",
                response.text()
            );
            assert_eq!(response.json()["items"].as_array().unwrap().len(), count);
        } else {
            assert_invalid(&response, &["items"]);
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
        let response = post_order(&app, &alice, &body).await;
        if ok {
            assert_eq!(response.status, StatusCode::CREATED);
            assert_eq!(response.json()["currency"], currency);
        } else {
            assert_invalid(&response, &["currency"]);
        }
    }

    // Every problem is reported at once, each with its path.
    let body = json!({"currency": "XXX", "items": [
        {"sku": "OK-1", "qty": 1, "unit_price": 1},
        {"sku": "bad", "qty": 0, "unit_price": -5},
    ]});
    assert_invalid(
        &post_order(&app, &alice, &body).await,
        &[
            "currency",
            "items[1].sku",
            "items[1].qty",
            "items[1].unit_price",
        ],
    );
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
        assert_invalid(&post_order(&app, &alice, &body).await, &[field]);
    }
    let key = Uuid::new_v4().to_string();
    let mut not_json = create_request(&alice.token, Some(&key), &json!({}));
    *not_json.body_mut() = Body::from("{\"currency\": ");
    app.send(not_json)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "MALFORMED_JSON");

    // No token at all, or a forged one.
    let body = order_body("SKU-1", 1, 1);
    let mut anonymous = request(Method::POST, "/orders", None, Some(&body));
    anonymous
        .headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    app.send(anonymous)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.send(create_request("not-a-token", Some(&key), &body))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    let created: i64 = 2 + 2 + 3 + 2 + 3; // the ok cases above
    assert_eq!(order_count(&app).await, created);
}

#[tokio::test]
async fn totals_are_computed_by_the_server_even_at_the_maximum() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let items: Vec<Value> = (0..50)
        .map(|i| json!({"sku": format!("MAX-{i:02}"), "qty": 1000, "unit_price": 10_000_000}))
        .collect();
    let response = post_order(&app, &alice, &json!({"currency": "HUF", "items": items})).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let order = response.json();
    assert_eq!(order["total_amount"], 500_000_000_000_i64);
    for line in order["items"].as_array().unwrap() {
        assert_eq!(line["line_total"], 10_000_000_000_i64);
    }

    // Client-sent totals are not part of the contract and are ignored.
    let body = json!({"currency": "EUR", "total_amount": 1, "items": [
        {"sku": "AAA", "qty": 7, "unit_price": 13, "line_total": 1},
        {"sku": "BBB", "qty": 2, "unit_price": 50},
    ]});
    let order = post_order(&app, &alice, &body).await.json();
    assert_eq!(order["items"][0]["line_total"], 91);
    assert_eq!(order["items"][1]["line_total"], 100);
    assert_eq!(order["total_amount"], 191);
}

#[tokio::test]
async fn idempotency_key_is_required_and_replays_the_original_order() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let bob = caller(&app, Role::User).await;
    let body = json!({"currency": "EUR", "items": [
        {"sku": "SKU-1", "qty": 2, "unit_price": 150},
        {"sku": "SKU-2", "qty": 1, "unit_price": 99},
    ]});

    app.send(create_request(&alice.token, None, &body))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "IDEMPOTENCY_KEY_REQUIRED");
    for malformed in [
        "not-a-uuid",
        "",
        "1234",
        "g0000000-0000-0000-0000-000000000000",
    ] {
        let mut request = create_request(&alice.token, None, &body);
        request
            .headers_mut()
            .insert("idempotency-key", malformed.parse().unwrap());
        assert_invalid(&app.send(request).await, &["Idempotency-Key"]);
    }
    assert_eq!(order_count(&app).await, 0);

    let key = Uuid::new_v4().to_string();
    let first = app
        .send(create_request(&alice.token, Some(&key), &body))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let order_id = uuid_of(&first.json()["id"]);

    // The same request, formatted differently: the same order, byte for byte.
    let reformatted = r#"{ "items": [ {"unit_price": 150, "qty": 2, "sku": "SKU-1"},
        {"sku": "SKU-2", "unit_price": 99, "qty": 1} ], "currency": "EUR" }"#;
    let mut replay = create_request(&alice.token, Some(&key), &body);
    *replay.body_mut() = Body::from(reformatted);
    let replay = app.send(replay).await;
    assert_eq!(replay.status, StatusCode::OK);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.body, first.body, "replay body is byte-identical");

    // The same key with another payload is refused, also when only the item order differs.
    let changed =
        json!({"currency": "EUR", "items": [{"sku": "SKU-1", "qty": 3, "unit_price": 150}]});
    let swapped = json!({"currency": "EUR", "items": [
        {"sku": "SKU-2", "qty": 1, "unit_price": 99},
        {"sku": "SKU-1", "qty": 2, "unit_price": 150},
    ]});
    for other in [changed, swapped] {
        app.send(create_request(&alice.token, Some(&key), &other))
            .await
            .assert_error(StatusCode::CONFLICT, "IDEMPOTENCY_KEY_REUSED");
    }
    // An invalid body is a 422 before the key is looked at.
    assert_invalid(
        &app.send(create_request(
            &alice.token,
            Some(&key),
            &order_body("x", 1, 1),
        ))
        .await,
        &["items[0].sku"],
    );

    // Keys are per user: the same key is a new order for someone else.
    let bobs = app
        .send(create_request(&bob.token, Some(&key), &body))
        .await;
    assert_eq!(bobs.status, StatusCode::CREATED);
    assert_ne!(uuid_of(&bobs.json()["id"]), order_id);

    assert_eq!(order_count(&app).await, 2);
    assert_eq!(outbox_rows(&app, order_id).await.len(), 1);
}

#[tokio::test]
async fn a_token_of_a_deleted_user_cannot_create_orders() {
    let app = TestApp::spawn().await;
    let ghost = caller(&app, Role::User).await;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(ghost.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    post_order(&app, &ghost, &order_body("SKU-1", 1, 1))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    assert_eq!(order_count(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_create_exactly_one_order() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let key = Uuid::new_v4().to_string();
    let body = order_body("RACE-1", 5, 200);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let router = app.router.clone();
            let request = create_request(&alice.token, Some(&key), &body);
            tokio::spawn(async move { send(&router, request).await })
        })
        .collect();
    let mut ids = HashSet::new();
    let mut bodies = HashSet::new();
    let mut created = 0;
    for task in tasks {
        let response = task.await.unwrap();
        match response.status {
            StatusCode::CREATED => created += 1,
            StatusCode::OK => assert_eq!(response.header("idempotent-replayed"), Some("true")),
            other => panic!("unexpected {other}: {}", response.text()),
        }
        ids.insert(response.json()["id"].as_str().unwrap().to_owned());
        bodies.insert(response.body);
    }
    assert_eq!(created, 1, "exactly one request creates");
    assert_eq!(ids.len(), 1, "every response names the same order");
    assert_eq!(bodies.len(), 1, "every response has the same body");
    assert_eq!(order_count(&app).await, 1);
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(outbox, 1);
}

#[tokio::test]
async fn owners_and_admins_read_an_order_others_get_404() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let mallory = caller(&app, Role::User).await;
    let admin = caller(&app, Role::Admin).await;
    let order = create_order(&app, &alice).await;
    let path = format!("/orders/{}", order["id"].as_str().unwrap());

    let own = get(&app, &path, &alice).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json(), order);
    assert_eq!(get(&app, &path, &admin).await.json(), order);
    get(&app, &path, &mallory)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    get(&app, &format!("/orders/{}", Uuid::new_v4()), &alice)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    get(&app, "/orders/not-a-uuid", &alice)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.get(&path)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}

async fn counter(app: &TestApp, name: &str) -> f64 {
    let text = app.get("/metrics").await.text();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn order_reads_are_cached_invalidated_and_never_leak() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let mallory = caller(&app, Role::User).await;
    let admin = caller(&app, Role::Admin).await;
    let order = create_order(&app, &alice).await;
    let id = order["id"].as_str().unwrap().to_owned();
    let path = format!("/orders/{id}");
    let key = format!("order:{id}");
    let mut redis = app.state.redis.connection().await.unwrap();

    let misses_before = counter(&app, "order_cache_misses_total").await;
    let first = get(&app, &path, &alice).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("x-cache"), Some("miss"));
    assert!(counter(&app, "order_cache_misses_total").await >= misses_before + 1.0);
    let cached: String = redis.get(&key).await.unwrap();
    assert_eq!(cached.as_bytes(), first.body.as_slice());
    let ttl: i64 = redis.ttl(&key).await.unwrap();
    assert!((1..=60).contains(&ttl), "ttl {ttl}");

    let hits_before = counter(&app, "order_cache_hits_total").await;
    let second = get(&app, &path, &alice).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.header("x-cache"), Some("hit"));
    assert_eq!(second.header("content-type"), Some("application/json"));
    assert_eq!(second.body, first.body);
    assert!(counter(&app, "order_cache_hits_total").await >= hits_before + 1.0);

    // Cached or not, another user cannot see it; an admin can.
    let denied = get(&app, &path, &mallory).await;
    denied.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let still_cached: bool = redis.exists(&key).await.unwrap();
    assert!(still_cached);
    let for_admin = get(&app, &path, &admin).await;
    assert_eq!(for_admin.header("x-cache"), Some("hit"));
    assert_eq!(for_admin.body, first.body);

    // A status change removes the snapshot; the next read is fresh.
    assert_eq!(
        patch_status(&app, &id, &alice, "paid").await.status,
        StatusCode::OK
    );
    let gone: bool = redis.exists(&key).await.unwrap();
    assert!(!gone, "PATCH invalidates the cache");
    let fresh = get(&app, &path, &alice).await;
    assert_eq!(fresh.header("x-cache"), Some("miss"));
    assert_eq!(fresh.json()["status"], "paid");

    // An unreadable entry is ignored and replaced, never served.
    let _: () = redis.set(&key, "{garbage").await.unwrap();
    let repaired = get(&app, &path, &alice).await;
    assert_eq!(repaired.status, StatusCode::OK);
    assert_eq!(repaired.json()["status"], "paid");
    let cached: String = redis.get(&key).await.unwrap();
    assert_eq!(cached.as_bytes(), repaired.body.as_slice());
    let _: () = redis.del(&key).await.unwrap();
}

#[tokio::test]
async fn status_changes_follow_the_transition_rules_and_emit_events() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let mallory = caller(&app, Role::User).await;
    let admin = caller(&app, Role::Admin).await;
    let paid = create_order(&app, &alice).await;
    let paid_id = paid["id"].as_str().unwrap();

    // Bad input first: nothing changes.
    for (body, field) in [
        (json!({"status": "created"}), "status"),
        (json!({"status": "shipped"}), "status"),
        (json!({"status": "PAID"}), "status"),
        (json!({"status": 1}), "status"),
        (json!({}), "status"),
    ] {
        let path = format!("/orders/{paid_id}/status");
        let response = app
            .send(request(
                Method::PATCH,
                &path,
                Some(&alice.token),
                Some(&body),
            ))
            .await;
        assert_invalid(&response, &[field]);
    }
    patch_status(&app, paid_id, &mallory, "paid")
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    patch_status(&app, &Uuid::new_v4().to_string(), &alice, "paid")
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let anonymous = request(
        Method::PATCH,
        &format!("/orders/{paid_id}/status"),
        None,
        Some(&json!({"status": "paid"})),
    );
    app.send(anonymous)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    assert_eq!(outbox_rows(&app, uuid_of(&paid["id"])).await.len(), 1);

    let mut pay = request(
        Method::PATCH,
        &format!("/orders/{paid_id}/status"),
        Some(&alice.token),
        Some(&json!({"status": "paid"})),
    );
    pay.headers_mut()
        .insert("x-request-id", "trace-pay-1".parse().unwrap());
    let response = app.send(pay).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let after = response.json();
    assert_eq!(after["status"], "paid");
    assert_eq!(after["items"], paid["items"]);
    assert_eq!(after["created_at"], paid["created_at"]);

    for (target, from) in [("canceled", "paid"), ("paid", "paid")] {
        let error = patch_status(&app, paid_id, &alice, target)
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
    let canceled = create_order(&app, &alice).await;
    let canceled_id = canceled["id"].as_str().unwrap();
    let response = patch_status(&app, canceled_id, &admin, "canceled").await;
    assert_eq!(response.json()["status"], "canceled");
    patch_status(&app, canceled_id, &alice, "paid")
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
    let alice = caller(&app, Role::User).await;
    for _ in 0..5 {
        let order = create_order(&app, &alice).await;
        let id = order["id"].as_str().unwrap().to_owned();
        let tasks: Vec<_> = ["paid", "canceled"]
            .into_iter()
            .map(|target| {
                let router = app.router.clone();
                let request = request(
                    Method::PATCH,
                    &format!("/orders/{id}/status"),
                    Some(&alice.token),
                    Some(&json!({"status": target})),
                );
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

/// Inserts `count` orders directly, an hour old, several sharing each millisecond so that
/// the id tie-break is exercised; every fourth is `paid`.
async fn insert_old_orders(app: &TestApp, user: Uuid, count: i32) {
    sqlx::query(
        "INSERT INTO orders (id, user_id, status, currency, total_amount, idempotency_key, request_hash, created_at)
         SELECT gen_random_uuid(), $1, CASE WHEN n % 4 = 0 THEN 'paid' ELSE 'created' END, 'EUR', n,
                gen_random_uuid(), 'seed', date_trunc('milliseconds', now()) - interval '1 hour' - (n / 3) * interval '1 millisecond'
           FROM generate_series(1, $2) AS n",
    )
    .bind(user)
    .bind(count)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn ids_newest_first(app: &TestApp, user: Uuid, status: Option<&str>) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT id::text FROM orders WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
          ORDER BY created_at DESC, id DESC",
    )
    .bind(user)
    .bind(status)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// Walks every page of `path` (which has a query string), creating a new order before
/// each page; returns the ids in the order the pages listed them.
async fn walk_pages(
    app: &TestApp,
    path: &str,
    who: &Caller,
    while_inserting: Option<&Caller>,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        if let Some(writer) = while_inserting {
            create_order(app, writer).await;
        }
        let page_path = match &cursor {
            Some(cursor) => format!("{path}&cursor={cursor}"),
            None => path.to_owned(),
        };
        let response = get(app, &page_path, who).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let page = response.json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
    panic!("pagination did not end");
}

#[tokio::test]
async fn keyset_pages_have_no_duplicates_or_gaps_while_orders_arrive() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let bob = caller(&app, Role::User).await;
    insert_old_orders(&app, alice.id, 250).await;
    insert_old_orders(&app, bob.id, 10).await;
    let existing = ids_newest_first(&app, alice.id, None).await;
    assert_eq!(existing.len(), 250);

    let seen = walk_pages(&app, "/orders?limit=7", &alice, Some(&alice)).await;
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no order is listed twice");
    let old: Vec<String> = seen
        .iter()
        .filter(|id| existing.contains(id))
        .cloned()
        .collect();
    assert_eq!(
        old, existing,
        "every pre-existing order, newest first, no gaps"
    );

    // The first page starts with the newest order; other users' orders never show up.
    let first = get(&app, "/orders", &alice).await.json();
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        20,
        "default limit"
    );
    let newest = ids_newest_first(&app, alice.id, None).await;
    assert_eq!(first["items"][0]["id"], newest[0].as_str());
    let summary = first["items"][0].as_object().unwrap();
    let mut keys: Vec<&str> = summary.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "currency",
            "id",
            "status",
            "total_amount",
            "user_id"
        ]
    );

    // The status filter, across pages.
    let paid = walk_pages(&app, "/orders?status=paid&limit=9", &alice, None).await;
    assert_eq!(paid, ids_newest_first(&app, alice.id, Some("paid")).await);
    assert_eq!(paid.len(), 62);
    let everything = walk_pages(&app, "/orders?limit=100", &alice, None).await;
    assert_eq!(everything, ids_newest_first(&app, alice.id, None).await);

    let last = get(&app, "/orders?limit=100&status=canceled", &alice)
        .await
        .json();
    assert_eq!(last, json!({"items": [], "next_cursor": null}));
}

#[tokio::test]
async fn listing_parameters_and_cursors_are_validated() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let bob = caller(&app, Role::User).await;
    insert_old_orders(&app, alice.id, 5).await;
    insert_old_orders(&app, bob.id, 5).await;

    for (limit, ok) in [
        ("0", false),
        ("1", true),
        ("100", true),
        ("101", false),
        ("-1", false),
        ("abc", false),
        ("", false),
    ] {
        let response = get(&app, &format!("/orders?limit={limit}"), &alice).await;
        if ok {
            assert_eq!(response.status, StatusCode::OK);
            let count = response.json()["items"].as_array().unwrap().len();
            assert_eq!(count, limit.parse::<usize>().unwrap().min(5));
        } else {
            assert_invalid(&response, &["limit"]);
        }
    }
    assert_invalid(
        &get(&app, "/orders?status=shipped", &alice).await,
        &["status"],
    );
    assert_invalid(
        &get(&app, "/orders?status=shipped&limit=0", &alice).await,
        &["limit", "status"],
    );
    app.get("/orders")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    let page = get(&app, "/orders?limit=2", &alice).await.json();
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let next = get(&app, &format!("/orders?limit=2&cursor={cursor}"), &alice).await;
    assert_eq!(next.status, StatusCode::OK);

    let mut flipped = cursor.clone().into_bytes();
    flipped[5] = if flipped[5] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for bad in [
        "garbage".to_owned(),
        "%00%01".to_owned(),
        flipped,
        cursor[..cursor.len() - 2].to_owned(),
        format!("{cursor}AA"),
        "A".repeat(300),
    ] {
        assert_invalid(
            &get(&app, &format!("/orders?cursor={bad}"), &alice).await,
            &["cursor"],
        );
    }
    // A cursor belongs to its listing: not to another user's, nor to another filter.
    assert_invalid(
        &get(&app, &format!("/orders?cursor={cursor}"), &bob).await,
        &["cursor"],
    );
    assert_invalid(
        &get(
            &app,
            &format!("/orders?status=paid&cursor={cursor}"),
            &alice,
        )
        .await,
        &["cursor"],
    );
}

#[tokio::test]
async fn admin_listing_is_admin_only_and_filters() {
    let app = TestApp::spawn().await;
    let alice = caller(&app, Role::User).await;
    let bob = caller(&app, Role::User).await;
    let admin = caller(&app, Role::Admin).await;
    insert_old_orders(&app, alice.id, 12).await;
    insert_old_orders(&app, bob.id, 8).await;
    create_order(&app, &bob).await;

    app.get("/admin/orders")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    get(&app, "/admin/orders", &alice)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");

    let all: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM orders ORDER BY created_at DESC, id DESC")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(all.len(), 21);
    assert_eq!(
        walk_pages(&app, "/admin/orders?limit=4", &admin, None).await,
        all
    );

    let bobs = walk_pages(
        &app,
        &format!("/admin/orders?user_id={}&limit=3", bob.id),
        &admin,
        None,
    )
    .await;
    assert_eq!(bobs, ids_newest_first(&app, bob.id, None).await);
    assert_eq!(bobs.len(), 9);
    let page = get(
        &app,
        &format!("/admin/orders?user_id={}&limit=100", bob.id),
        &admin,
    )
    .await
    .json();
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["user_id"] == bob.id.to_string()));

    let alices_paid = walk_pages(
        &app,
        &format!("/admin/orders?user_id={}&status=paid&limit=2", alice.id),
        &admin,
        None,
    )
    .await;
    assert_eq!(
        alices_paid,
        ids_newest_first(&app, alice.id, Some("paid")).await
    );
    assert_eq!(alices_paid.len(), 3);
    let created = get(&app, "/admin/orders?status=created&limit=100", &admin)
        .await
        .json();
    assert_eq!(created["items"].as_array().unwrap().len(), 21 - 3 - 2);

    let nobody = get(
        &app,
        &format!("/admin/orders?user_id={}", Uuid::new_v4()),
        &admin,
    )
    .await
    .json();
    assert_eq!(nobody, json!({"items": [], "next_cursor": null}));
    assert_invalid(
        &get(&app, "/admin/orders?user_id=nope", &admin).await,
        &["user_id"],
    );
    assert_invalid(
        &get(
            &app,
            "/admin/orders?user_id=nope&limit=101&status=x",
            &admin,
        )
        .await,
        &["user_id", "limit", "status"],
    );

    // Cursors do not cross listings: the user's own listing, another filter, the admin's.
    let own = get(&app, "/orders?limit=1", &admin).await.json();
    assert_eq!(
        own["items"],
        json!([]),
        "the admin has no orders of their own"
    );
    let admin_cursor = get(&app, "/admin/orders?limit=1", &admin).await.json()["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_invalid(
        &get(
            &app,
            &format!("/admin/orders?user_id={}&cursor={admin_cursor}", bob.id),
            &admin,
        )
        .await,
        &["cursor"],
    );
    let alice_cursor = get(&app, "/orders?limit=1", &alice).await.json()["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_invalid(
        &get(
            &app,
            &format!("/admin/orders?user_id={}&cursor={alice_cursor}", alice.id),
            &admin,
        )
        .await,
        &["cursor"],
    );
}
