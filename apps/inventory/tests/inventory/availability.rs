//! `GET /availability?sku=A&sku=B`: any logged-in user sees what can be ordered.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{created, TestApp};

#[tokio::test]
async fn users_see_available_units_and_unknown_skus_as_zero() {
    let app = TestApp::spawn().await;
    app.given_stock("AV-1", 10).await;
    app.given_stock("AV-2", 2).await;
    app.handle(&created(&[("AV-1", 3)])).await;

    let response = app
        .get_as(
            "/availability?sku=AV-2&sku=AV-1&sku=AV-404&sku=AV-2",
            &app.user_token(),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.json(),
        json!({"items": [
            {"sku": "AV-2", "available": 2},
            {"sku": "AV-1", "available": 7},
            {"sku": "AV-404", "available": 0},
        ]})
    );
}

#[tokio::test]
async fn between_one_and_fifty_valid_skus_are_accepted() {
    let app = TestApp::spawn().await;
    let token = app.user_token();
    app.get_as("/availability", &token)
        .await
        .assert_invalid(&["sku"]);
    let many: Vec<String> = (0..51).map(|i| format!("sku=S{i:03}")).collect();
    app.get_as(&format!("/availability?{}", many.join("&")), &token)
        .await
        .assert_invalid(&["sku"]);
    let fifty: Vec<String> = (0..50).map(|i| format!("sku=S{i:03}")).collect();
    let response = app
        .get_as(&format!("/availability?{}", fifty.join("&")), &token)
        .await;
    assert_eq!(response.json()["items"].as_array().unwrap().len(), 50);
    app.get_as("/availability?sku=AV-1&sku=lower", &token)
        .await
        .assert_invalid(&["sku[1]"]);
}

#[tokio::test]
async fn anonymous_callers_are_401() {
    let app = TestApp::spawn().await;
    app.request(Method::GET, "/availability?sku=AV-1")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.request(Method::GET, "/availability?sku=AV-1")
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
