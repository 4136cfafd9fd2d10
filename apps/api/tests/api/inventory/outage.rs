//! The inventory service down or hanging: 503 `SERVICE_UNAVAILABLE` with `Retry-After`,
//! never a 500.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, TestResponse};

#[track_caller]
fn assert_unavailable(response: &TestResponse) {
    response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
    assert_eq!(response.header("retry-after"), Some("2"));
}

#[tokio::test]
async fn every_route_answers_503_when_the_service_is_down() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    app.inventory().stop();

    assert_unavailable(&app.list_stock(&admin, "").await);
    assert_unavailable(&app.get_stock(&admin, "SKU-1").await);
    assert_unavailable(
        &app.create_stock(&admin, &json!({"sku": "SKU-1", "on_hand": 1}))
            .await,
    );
    assert_unavailable(
        &app.set_on_hand(&admin, "SKU-1", &json!({"on_hand": 1}))
            .await,
    );
    assert_unavailable(&app.availability(&admin, "sku=SKU-1").await);
}

#[tokio::test]
async fn authentication_comes_before_the_call() {
    // The api (default test config) points at a closed port: a caller who may not ask
    // learns that, not that the service is down.
    let app = TestApp::spawn().await;
    let user = app.user().await;

    app.get_stock(&user, "SKU-1")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.get("/inventory/availability?sku=SKU-1")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}

#[tokio::test]
async fn a_service_that_accepts_but_never_answers_times_out_as_503() {
    // Accepts connections and reads nothing back: a hung process.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let app = TestApp::spawn_with(|vars| {
        vars.retain(|(name, _)| name != "INVENTORY_URL");
        vars.push(("INVENTORY_URL".to_owned(), url));
    })
    .await;
    let user = app.user().await;

    let started = Instant::now();
    let response = app.availability(&user, "sku=SKU-1").await;

    assert_unavailable(&response);
    assert!(started.elapsed() < Duration::from_secs(10), "bounded wait");
    hold.abort();
}
