//! The role guard: anonymous is 401, the wrong role 403.

use api::auth::AdminOnly;
use axum::http::{Method, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::helpers::{send, TestApp};

#[tokio::test]
async fn require_role_admits_only_the_role() {
    let app = TestApp::spawn().await;
    let routes = Router::new().route(
        "/admin-probe",
        get(|guard: AdminOnly| async move { Json(json!({"id": guard.0.id})) }),
    );
    let router = api::with_middleware(routes, app.state.clone());
    let probe = |token: Option<&str>| {
        let request = app.request(Method::GET, "/admin-probe");
        match token {
            Some(token) => request.bearer(token).build(),
            None => request.build(),
        }
    };
    send(&router, probe(None))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let user = app.user().await;
    send(&router, probe(Some(&user.access_token)))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let admin = app.admin().await;
    let allowed = send(&router, probe(Some(&admin.access_token))).await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(allowed.json()["id"], admin.id.to_string());
}
