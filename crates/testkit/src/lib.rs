//! Integration tests talk to the real PostgreSQL, Redis, broker and MongoDB started by
//! `scripts/stack`; this crate gives each test its own namespace in them so tests never
//! see each other's data or the developer's. Tests that must stop a dependency start one
//! of their own instead ([`redis::RedisServer`], [`mongo::MongoServer`], [`broker::Broker`]).

pub mod broker;
pub mod kafka;
pub mod mongo;
pub mod postgres;
mod process;
pub mod redis;

use std::future::Future;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};
use uuid::Uuid;

/// Prefix of every throwaway database; `scripts/test` drops leftovers by this prefix.
pub const TEST_DATABASE_PREFIX: &str = "orderflow_test_";

/// Where the tests find PostgreSQL: `TEST_DATABASE_URL`, else `DATABASE_URL`, else the
/// stack's default. Only the server part is used; each test creates its own database.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://orderflow:orderflow@127.0.0.1:5432/orderflow".to_owned())
}

/// A uniquely named, freshly migrated database.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: PgPool,
}

impl TestDb {
    pub async fn migrated() -> Self {
        let db = Self::empty().await;
        platform::db::MIGRATOR
            .run(&db.pool)
            .await
            .expect("migrations apply to a fresh database");
        db
    }

    /// A fresh database with no schema at all (for migration tests).
    pub async fn empty() -> Self {
        let server: PgConnectOptions = server_url()
            .parse()
            .expect("TEST_DATABASE_URL is a valid PostgreSQL URL");
        let name = format!("{TEST_DATABASE_PREFIX}{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect_with(&server.clone().database("postgres"))
            .await
            .expect("PostgreSQL is reachable (is `scripts/stack up` running?)");
        sqlx::query(&format!(r#"CREATE DATABASE "{name}""#))
            .execute(&mut admin)
            .await
            .expect("create test database");
        admin.close().await.ok();
        let options = server.database(&name);
        let url = options.to_url_lossy().to_string();
        let pool = PgPoolOptions::new()
            .max_connections(20)
            .connect_with(options)
            .await
            .expect("connect test database");
        Self { name, url, pool }
    }
}

/// A name unique to one test, for topics, consumer groups, Mongo databases or Redis keys.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4().simple())
}

/// Waits until `check` holds, polling every 100 ms; fails the test after `timeout`.
pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A TCP port of 127.0.0.1 that was free a moment ago (for servers a test starts itself).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
