//! PostgreSQL down: the consumer retries the event with backoff until the database is
//! back, then applies it; nothing is skipped and the offset is not committed before.

use std::time::Duration;

use api::orders::Reservation;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use testkit::postgres::OwnPostgres;
use testkit::TestDb;

use crate::helpers::{reserved, TestSaga};

async fn connect(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .expect("connect own PostgreSQL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_waits_for_postgresql_and_is_applied_once_it_is_back() {
    let postgres = OwnPostgres::start();
    let url = postgres.create_database("orderflow");
    let pool = connect(&url).await;
    platform::db::MIGRATOR.run(&pool).await.expect("migrate");
    let db = TestDb {
        name: "orderflow".to_owned(),
        url: url.clone(),
        pool,
    };
    let mut saga = TestSaga::spawn_on(db, &[]).await;
    let order = saga.order(Reservation::Pending).await;
    saga.db.pool.close().await;

    // As in a crash: no session is told, the port just closes.
    postgres.stop_immediately();
    saga.publish(&reserved(order)).await;
    // Several retries happen meanwhile (the first after 0.1 s, doubling).
    tokio::time::sleep(Duration::from_secs(2)).await;
    postgres.resume();

    saga.db.pool = connect(&url).await;
    saga.wait_for(order, "created", "reserved").await;
    assert_eq!(saga.processed_events().await, 1);
    saga.stop().await;
}
