//! A real inventory service for the `/inventory/...` tests: the inventory crate's router
//! on a free port, with a throwaway inventory database of its own and the same
//! `JWT_SECRET` as the api, so it verifies the tokens the api forwards.

use access_token::JwtKeys;
use axum::http::Method;
use serde_json::Value;
use sqlx::PgPool;
use testkit::TestDb;

use super::{TestApp, TestResponse, TestUser, JWT_SECRET};

pub struct TestInventory {
    /// Base URL, `http://127.0.0.1:<port>`.
    pub url: String,
    /// The service's database (tests read it to check what changed).
    pub db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

impl TestInventory {
    pub async fn start() -> Self {
        let db = TestDb::empty().await;
        inventory::MIGRATOR
            .run(&db.pool)
            .await
            .expect("inventory migrations apply to a fresh database");
        let state = inventory::AppState {
            db: db.pool.clone(),
            jwt: JwtKeys::new(JWT_SECRET.as_bytes(), 900),
            metrics: platform::telemetry::prometheus(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = inventory::router(state);
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.ok();
        });
        Self { url, db, server }
    }

    pub fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    /// Stops answering: the port is closed, as when the service is down.
    pub fn stop(&self) {
        self.server.abort();
    }

    /// Creates a SKU straight in the database (not through the API under test).
    pub async fn given_stock(&self, sku: &str, on_hand: i64, reserved: i64) {
        sqlx::query("INSERT INTO stock (sku, on_hand, reserved) VALUES ($1, $2, $3)")
            .bind(sku)
            .bind(on_hand)
            .bind(reserved)
            .execute(self.pool())
            .await
            .expect("insert stock");
    }

    /// `(on_hand, reserved)` of a SKU, `None` when it does not exist.
    pub async fn stock(&self, sku: &str) -> Option<(i64, i64)> {
        sqlx::query_as("SELECT on_hand, reserved FROM stock WHERE sku = $1")
            .bind(sku)
            .fetch_optional(self.pool())
            .await
            .expect("read stock")
    }
}

impl Drop for TestInventory {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// The api wired to a real inventory service of its own (`app.inventory()`).
    pub async fn with_inventory() -> Self {
        let inventory = TestInventory::start().await;
        let url = inventory.url.clone();
        let mut app = Self::spawn_with(|vars| {
            vars.retain(|(name, _)| name != "INVENTORY_URL");
            vars.push(("INVENTORY_URL".to_owned(), url));
        })
        .await;
        app.inventory = Some(inventory);
        app
    }

    pub fn inventory(&self) -> &TestInventory {
        self.inventory
            .as_ref()
            .expect("spawned with TestApp::with_inventory")
    }
}

/// The `/inventory/...` endpoints, one method each.
impl TestApp {
    /// `GET /inventory/stock?{query}`.
    pub async fn list_stock(&self, user: &TestUser, query: &str) -> TestResponse {
        self.get_as(user, &with_query("/inventory/stock", query))
            .await
    }

    /// `GET /inventory/stock/{sku}`.
    pub async fn get_stock(&self, user: &TestUser, sku: &str) -> TestResponse {
        self.get_as(user, &format!("/inventory/stock/{sku}")).await
    }

    /// `POST /inventory/stock`.
    pub async fn create_stock(&self, user: &TestUser, body: &Value) -> TestResponse {
        self.request(Method::POST, "/inventory/stock")
            .bearer(&user.access_token)
            .json(body)
            .send()
            .await
    }

    /// `PUT /inventory/stock/{sku}/on-hand`.
    pub async fn set_on_hand(&self, user: &TestUser, sku: &str, body: &Value) -> TestResponse {
        self.request(Method::PUT, &format!("/inventory/stock/{sku}/on-hand"))
            .bearer(&user.access_token)
            .json(body)
            .send()
            .await
    }

    /// `GET /inventory/availability?{query}` (e.g. `sku=A&sku=B`).
    pub async fn availability(&self, user: &TestUser, query: &str) -> TestResponse {
        self.get_as(user, &with_query("/inventory/availability", query))
            .await
    }
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}
