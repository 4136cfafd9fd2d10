//! The API skeleton (foundation issue): uniform errors, request ids, security headers,
//! health, metrics, OpenAPI, configuration and shutdown.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

#[tokio::test]
async fn request_ids_are_echoed_when_sane_and_generated_otherwise() {
    let app = TestApp::spawn().await;
    let echoed = app
        .send(
            Request::get("/nope")
                .header("x-request-id", "trace-1.A_b")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("trace-1.A_b"));
    assert_eq!(echoed.json()["error"]["request_id"], "trace-1.A_b");

    for insane in ["has space", &"x".repeat(129), "<script>"] {
        let replaced = app
            .send(
                Request::get("/nope")
                    .header("x-request-id", insane)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let id = replaced.header("x-request-id").unwrap();
        assert!(
            Uuid::parse_str(id).is_ok(),
            "{insane:?} replaced by a UUID, got {id}"
        );
    }
    let generated = app.get("/metrics").await;
    assert!(Uuid::parse_str(generated.header("x-request-id").unwrap()).is_ok());
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::spawn().await;
    for path in ["/metrics", "/nope", "/openapi.json", "/docs/"] {
        let response = app.get(path).await;
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(response.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            response.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert!(
            response
                .header("content-security-policy")
                .is_some_and(|csp| csp.contains("frame-ancestors 'none'")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn cors_allows_the_configured_origin_only() {
    let app = TestApp::spawn().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/healthz")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = app.send(preflight("http://localhost:5173")).await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    let other = app.send(preflight("http://evil.example")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn healthz_reports_every_dependency() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["status"], "ok");
    for dependency in ["postgres", "redis", "kafka"] {
        assert_eq!(body["checks"][dependency]["status"], "up", "{body}");
    }
}

#[tokio::test]
async fn healthz_names_each_failed_dependency() {
    let app = TestApp::spawn_with(|env| {
        for (name, value) in env.iter_mut() {
            match name.as_str() {
                "DATABASE_URL" => *value = "postgres://nobody@127.0.0.1:1/none".to_owned(),
                "KAFKA_BROKERS" => *value = "127.0.0.1:1".to_owned(),
                _ => {}
            }
        }
    })
    .await;
    let response = app.get("/healthz").await;
    let error = response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "DEPENDENCY_UNAVAILABLE");
    let failed: Vec<&str> = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["kafka", "postgres"]);
    let body = response.json();
    assert_eq!(body["checks"]["redis"]["status"], "up");
    assert_eq!(body["checks"]["postgres"]["status"], "down");
    assert!(
        !response.text().contains("nobody@"),
        "connection strings never leak"
    );
}

/// A Redis server of the test's own, so stopping it disturbs no other test.
pub struct OwnRedis {
    child: std::process::Child,
}

impl OwnRedis {
    pub fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/stack up installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child }
    }

    pub fn stop(mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.child.kill().ok();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn healthz_turns_503_while_redis_is_down_and_recovers() {
    let port = free_port();
    let redis = OwnRedis::start(port);
    let app = TestApp::spawn_with(|env| {
        env.retain(|(name, _)| name != "REDIS_URL");
        env.push(("REDIS_URL".to_owned(), format!("redis://127.0.0.1:{port}")));
    })
    .await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);

    redis.stop();
    let down = app.get("/healthz").await;
    let error = down.assert_error(StatusCode::SERVICE_UNAVAILABLE, "DEPENDENCY_UNAVAILABLE");
    assert_eq!(error["details"][0]["field"], "redis", "{error}");
    assert!(error["message"].as_str().unwrap().contains("redis"));

    let _redis = OwnRedis::start(port);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = app.get("/healthz").await;
        if response.status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "healthz did not recover: {}",
            response.text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/healthz").await;
    app.get("/definitely/unknown").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = metrics.text();
    assert!(
        text.lines().any(|l| l.starts_with("http_requests_total{")
            && l.contains(r#"route="/healthz""#)
            && l.contains(r#"method="GET""#)),
        "{text}"
    );
    assert!(
        text.contains(r#"route="unmatched""#) && text.contains(r#"status="404""#),
        "unknown paths share one label"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "latency histogram"
    );
}

/// The committed `apps/api/openapi.json` is what the web client is generated from; it must
/// equal what the code serves. Regenerate with `UPDATE_OPENAPI=1 cargo test -p api openapi`.
#[tokio::test]
async fn openapi_document_is_served_and_matches_the_committed_snapshot() {
    let app = TestApp::spawn().await;
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status, StatusCode::OK);
    let served = response.json();
    assert_eq!(served["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    assert!(served["paths"]["/healthz"]["get"].is_object());
    assert!(served["components"]["schemas"]["ErrorBody"].is_object());

    let snapshot_path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let rendered = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(snapshot_path, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(snapshot_path).unwrap_or_default();
    assert!(committed == rendered, "apps/api/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p api openapi` and commit it");
}

#[tokio::test]
async fn interactive_docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app.get("/docs/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("swagger-ui"), "{}", page.text());
    let script = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(
        script.body.len() > 100_000,
        "the bundle is vendored, not fetched"
    );
    let initializer = app.get("/docs/swagger-initializer.js").await;
    assert!(initializer.text().contains("/openapi.json"));
}

#[test]
fn the_binary_refuses_to_start_without_configuration_and_names_the_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_api"))
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");

    let output = Command::new(env!("CARGO_BIN_EXE_api"))
        .env_clear()
        .envs(crate::helpers::test_env("postgres://127.0.0.1/x"))
        .env("ACCESS_TTL_SECONDS", "soon")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ACCESS_TTL_SECONDS"));
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[tokio::test]
async fn the_binary_serves_and_shuts_down_gracefully_on_sigterm() {
    let db = testkit::TestDb::migrated().await;
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_api"))
        .env_clear()
        .envs(crate::helpers::test_env(&db.url))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let response = loop {
        if let Some(response) = http_get(port, "/metrics") {
            break response;
        }
        assert!(Instant::now() < deadline, "api did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "api did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");

    let mut logs = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "api stopped"),
        "{logs}"
    );
    assert!(
        lines.iter().any(|l| l["span"]["request_id"]
            .as_str()
            .is_some_and(|id| Uuid::parse_str(id).is_ok())),
        "request logs carry the request id: {logs}"
    );
}
