//! Every failure gets the uniform error shape: unknown routes and methods, bodies, query
//! strings and paths checked at the edge, and internal failures that leak nothing.

use api::error::ApiError;
use api::http::{AppJson, AppPath, AppQuery};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{json_request, send, TestApp};

#[derive(Deserialize)]
struct EchoBody {
    name: String,
    items: Vec<EchoItem>,
}

#[derive(Deserialize)]
struct EchoItem {
    qty: u32,
}

#[derive(Deserialize)]
struct EchoQuery {
    limit: u8,
}

/// The production middleware around routes that exercise each extractor and failure.
fn probe_router(app: &TestApp) -> Router {
    let routes = Router::new()
        .route(
            "/echo",
            post(|AppJson(body): AppJson<EchoBody>| async move {
                Json(json!({"name": body.name, "total_qty": body.items.iter().map(|i| i.qty).sum::<u32>()}))
            }),
        )
        .route("/query", get(|AppQuery(q): AppQuery<EchoQuery>| async move { Json(json!({"limit": q.limit})) }))
        .route("/things/{id}", get(|AppPath(id): AppPath<Uuid>| async move { Json(json!({"id": id})) }))
        .route(
            "/fails",
            get(|| async { Err::<(), _>(ApiError::internal(anyhow::anyhow!("db password is hunter2"))) }),
        )
        .route("/panics", get(|| async { panic!("boom") as Json<Value> }));
    api::with_middleware(routes, app.state.clone())
}

#[tokio::test]
async fn unknown_route_and_wrong_method_get_the_uniform_error() {
    let app = TestApp::spawn().await;
    app.get("/no/such/route")
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let response = app
        .send(Request::post("/healthz").body(Body::empty()).unwrap())
        .await;
    response.assert_error(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn json_bodies_are_checked_at_the_edge() {
    let app = TestApp::spawn().await;
    let router = probe_router(&app);

    let ok = send(
        &router,
        json_request(
            Method::POST,
            "/echo",
            &json!({"name": "a", "items": [{"qty": 2}, {"qty": 3}]}),
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json(), json!({"name": "a", "total_qty": 5}));

    let no_type = Request::post("/echo")
        .body(Body::from(r#"{"name":"a","items":[]}"#))
        .unwrap();
    send(&router, no_type)
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
    let wrong_type = Request::post("/echo")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    send(&router, wrong_type)
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");

    let malformed = Request::post("/echo")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"name\": "))
        .unwrap();
    send(&router, malformed)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "MALFORMED_JSON");

    let wrong_shape = send(
        &router,
        json_request(
            Method::POST,
            "/echo",
            &json!({"name": "a", "items": [{"qty": -1}]}),
        ),
    )
    .await;
    let error = wrong_shape.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(error["details"][0]["field"], "items[0].qty");

    let missing = send(
        &router,
        json_request(Method::POST, "/echo", &json!({"items": []})),
    )
    .await;
    let error = missing.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(error["details"][0]["field"], "name");

    let not_object = send(&router, json_request(Method::POST, "/echo", &json!([1, 2]))).await;
    not_object.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");

    let huge = json!({"name": "x".repeat(api::BODY_LIMIT_BYTES), "items": []});
    send(&router, json_request(Method::POST, "/echo", &huge))
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn query_and_path_parameters_are_checked() {
    let app = TestApp::spawn().await;
    let router = probe_router(&app);
    assert_eq!(
        send(
            &router,
            Request::get("/query?limit=5").body(Body::empty()).unwrap()
        )
        .await
        .json(),
        json!({"limit": 5})
    );
    for bad in ["/query?limit=999", "/query?limit=abc", "/query"] {
        let error = send(&router, Request::get(bad).body(Body::empty()).unwrap())
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(error["details"][0]["field"], "limit", "{bad}");
    }
    send(
        &router,
        Request::get("/things/not-a-uuid")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn internal_failures_are_500s_that_leak_nothing() {
    let app = TestApp::spawn().await;
    let router = probe_router(&app);
    let failed = send(&router, Request::get("/fails").body(Body::empty()).unwrap()).await;
    failed.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR");
    assert!(!failed.text().contains("hunter2"));
    let panicked = send(
        &router,
        Request::get("/panics").body(Body::empty()).unwrap(),
    )
    .await;
    panicked.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR");
    assert!(!panicked.text().contains("boom"));
}
