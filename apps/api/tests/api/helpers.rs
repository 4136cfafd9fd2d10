use std::net::SocketAddr;

use api::config::Config;
use api::AppState;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use platform::config::Env;
use serde_json::Value;
use testkit::TestDb;
use tower::ServiceExt;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

/// The environment a test API runs with: the stack's services, the test's own database.
pub fn test_env(database_url: &str) -> Vec<(String, String)> {
    let from_env = |name: &str, default: &str| {
        (
            name.to_owned(),
            std::env::var(name).unwrap_or_else(|_| default.to_owned()),
        )
    };
    vec![
        ("DATABASE_URL".to_owned(), database_url.to_owned()),
        from_env("REDIS_URL", "redis://127.0.0.1:6379"),
        from_env("KAFKA_BROKERS", "127.0.0.1:9092"),
        from_env(
            "MONGODB_URL",
            "mongodb://127.0.0.1:27017/?directConnection=true",
        ),
        ("JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        (
            "CORS_ORIGINS".to_owned(),
            "http://localhost:5173".to_owned(),
        ),
    ]
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    /// The test's own database (tests query it directly to check what the API stored).
    #[allow(dead_code)]
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with the environment adjusted by `adjust` (e.g. another `REDIS_URL`).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Vec<(String, String)>)) -> Self {
        let db = TestDb::migrated().await;
        let mut vars = test_env(&db.url);
        adjust(&mut vars);
        let env = Env::from_pairs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let config = Config::from_env(&env).expect("test configuration is valid");
        let state = AppState::new(config).expect("state builds");
        Self {
            router: api::router(state.clone()),
            state,
            db,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        send(&self.router, request).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }
}

/// Sends through the router as if from `127.0.0.1` (tests that need another client IP
/// insert their own `ConnectInfo`).
pub async fn send(router: &Router, mut request: Request<Body>) -> TestResponse {
    if request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_none()
    {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    }
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body reads")
        .to_bytes()
        .to_vec();
    TestResponse {
        status,
        headers,
        body,
    }
}

pub fn json_request(method: Method, path: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "body is not JSON ({err}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the uniform error shape and returns the `error` object.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        let body = self.json();
        let error = &body["error"];
        assert_eq!(error["code"], code, "body: {body}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "message missing: {body}"
        );
        let request_id = error["request_id"]
            .as_str()
            .expect("request_id in error body");
        assert_eq!(
            Some(request_id),
            self.header("x-request-id"),
            "body request id equals header"
        );
        error.clone()
    }
}
