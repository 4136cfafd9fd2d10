//! The app under test and how tests talk to it (zero-to-production style `helpers`):
//! [`TestApp::spawn`] builds the real router against the stack's services and a throwaway
//! database; requests go through the router in-process (no socket), so a test can pick
//! the client address; the real binary is started only where the process itself is
//! under test. Endpoint methods live in `endpoints.rs`, accounts in `users.rs`.

// Each helper covers its endpoint completely, whether or not every test uses every part.
#![allow(dead_code)]

pub mod dead_letters;
mod endpoints;
mod inventory;
mod live;
mod pipeline;
pub mod request;
mod response;
mod saga;
mod users;

use api::config::Config;
use api::AppState;
use axum::body::Body;
use axum::http::{Method, Request};
use axum::Router;
use platform::config::Env;
use serde_json::Value;
use testkit::TestDb;

pub use inventory::TestInventory;
pub use live::{LiveStream, SseEvent};
pub use pipeline::{given_outbox_rows, outbox_counts, set_var, TestTopics};
pub use request::{json_request, send, TestRequest};
pub use response::TestResponse;
#[allow(unused_imports)] // `TestAdmin` is for signatures; `app.admin()` returns one.
pub use users::{random_ip, unique_email, TestAdmin, TestUser, STRONG_PASSWORD};

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
        // Tests create many unpaid orders per user; `orders/unpaid_limit.rs` tests the
        // default. The saga stays enabled (the default): tests that pay an order reserve
        // it first with `app.reserve(id)`.
        ("MAX_UNPAID_ORDERS".to_owned(), "100000".to_owned()),
        // Nothing listens here: tests of `/inventory/...` start a real inventory service
        // and point the api at it (`TestApp::with_inventory`).
        ("INVENTORY_URL".to_owned(), "http://127.0.0.1:9".to_owned()),
    ]
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    /// The test's own database (tests query it directly to check what the API stored).
    pub db: TestDb,
    /// The inventory service this app calls, when the test started one.
    pub inventory: Option<TestInventory>,
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
            inventory: None,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        send(&self.router, request).await
    }

    /// A request built step by step, for what the endpoint methods do not cover.
    pub fn request(&self, method: Method, path: &str) -> TestRequest<'_> {
        TestRequest::new(self, method, path)
    }

    /// `GET path` without credentials.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// `GET path` as `user`.
    pub async fn get_as(&self, user: &TestUser, path: &str) -> TestResponse {
        self.request(Method::GET, path)
            .bearer(&user.access_token)
            .send()
            .await
    }

    /// `POST path` with a JSON body, without credentials, from an address of its own.
    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.request(Method::POST, path)
            .client_ip(random_ip())
            .json(body)
            .send()
            .await
    }
}
