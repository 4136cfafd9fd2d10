//! The service under test and how tests talk to it: [`TestApp::spawn`] migrates a
//! throwaway inventory database on the stack's PostgreSQL and builds the real router;
//! HTTP requests go through the router in-process, saga events through
//! `inventory::saga::handle`, exactly as the consumer calls it. `saga.rs` builds events,
//! `http.rs` requests.

// Each helper covers its part completely, whether or not every test uses every part.
#![allow(dead_code)]

mod http;
mod saga;

use access_token::{JwtKeys, Role};
use axum::Router;
use inventory::AppState;
use serde_json::Value;
use sqlx::PgPool;
use testkit::TestDb;
use uuid::Uuid;

pub use saga::{canceled, created, paid, stock_events};

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    /// The test's own inventory database (tests read it to check what was stored).
    pub db: TestDb,
    pub jwt: JwtKeys,
}

impl TestApp {
    pub async fn spawn() -> Self {
        let db = TestDb::empty().await;
        inventory::MIGRATOR
            .run(&db.pool)
            .await
            .expect("inventory migrations apply to a fresh database");
        Self::with_pool(db.pool.clone(), db)
    }

    /// The app on `pool` (e.g. one whose server is down), the test database beside it.
    pub fn with_pool(pool: PgPool, db: TestDb) -> Self {
        let jwt = JwtKeys::new(JWT_SECRET.as_bytes(), 900);
        let state = AppState {
            db: pool,
            jwt: jwt.clone(),
            metrics: platform::telemetry::prometheus(),
        };
        Self {
            router: inventory::router(state.clone()),
            state,
            db,
            jwt,
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    pub fn admin_token(&self) -> String {
        self.jwt
            .issue(Uuid::new_v4(), "admin@example.com", Role::Admin)
            .0
    }

    pub fn user_token(&self) -> String {
        self.jwt
            .issue(Uuid::new_v4(), "user@example.com", Role::User)
            .0
    }

    /// Creates a SKU straight in the database (not through the API under test).
    pub async fn given_stock(&self, sku: &str, on_hand: i64) {
        sqlx::query("INSERT INTO stock (sku, on_hand) VALUES ($1, $2)")
            .bind(sku)
            .bind(on_hand)
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

    /// The state of an order's reservation, `None` when the saga never saw it.
    pub async fn reservation_state(&self, order_id: Uuid) -> Option<String> {
        sqlx::query_scalar("SELECT state FROM reservations WHERE order_id = $1")
            .bind(order_id)
            .fetch_optional(self.pool())
            .await
            .expect("read reservation")
    }

    pub async fn processed(&self, event_id: Uuid) -> bool {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM processed_events WHERE event_id = $1)")
            .bind(event_id)
            .fetch_one(self.pool())
            .await
            .expect("read inbox")
    }

    /// Every outbox row as `(message_key, event_type, payload)`, in insertion order.
    pub async fn outbox(&self) -> Vec<(String, String, Value)> {
        sqlx::query_as(
            "SELECT message_key, event_type, payload_json FROM outbox_events ORDER BY seq",
        )
        .fetch_all(self.pool())
        .await
        .expect("read outbox")
    }

    /// Outbox rows of one event type.
    pub async fn outbox_of(&self, event_type: &str) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .filter(|(_, kind, _)| kind == event_type)
            .map(|(_, _, payload)| payload)
            .collect()
    }
}
