//! The inventory database's migrations apply, revert and apply again, and its outbox table
//! is the one the outbox crate (and so the outbox worker) expects.

use testkit::TestDb;

#[tokio::test]
async fn migrations_are_reversible_and_the_outbox_matches_the_outbox_crate() {
    let db = TestDb::empty().await;
    inventory::MIGRATOR.run(&db.pool).await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    outbox::schema::verify(&mut conn)
        .await
        .expect("outbox_events as crates/outbox expects");

    inventory::MIGRATOR.undo(&db.pool, 0).await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(tables, 0, "down migrations drop everything");

    inventory::MIGRATOR.run(&db.pool).await.unwrap();
    outbox::schema::verify(&mut conn).await.unwrap();
}

#[tokio::test]
async fn the_database_refuses_oversold_or_negative_stock() {
    let db = TestDb::empty().await;
    inventory::MIGRATOR.run(&db.pool).await.unwrap();
    sqlx::query("INSERT INTO stock (sku, on_hand, reserved) VALUES ('SKU-OK', 5, 5)")
        .execute(&db.pool)
        .await
        .unwrap();
    for statement in [
        "UPDATE stock SET reserved = 6 WHERE sku = 'SKU-OK'",
        "UPDATE stock SET reserved = -1 WHERE sku = 'SKU-OK'",
        "UPDATE stock SET on_hand = -1, reserved = 0 WHERE sku = 'SKU-OK'",
        "INSERT INTO stock (sku, on_hand) VALUES ('bad sku', 1)",
    ] {
        let err = sqlx::query(statement).execute(&db.pool).await.unwrap_err();
        let code = err.as_database_error().and_then(|e| e.code()).unwrap();
        assert_eq!(
            code, "23514",
            "{statement}: check_violation expected, got {err}"
        );
    }
}
