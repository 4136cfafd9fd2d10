//! The schema of docs/spec.md#database-schema: reversible, and enforced by the database itself.

use sqlx::{PgPool, Row};
use testkit::TestDb;
use uuid::Uuid;

/// Everything that defines the schema, in a stable order.
async fn schema_snapshot(pool: &PgPool) -> Vec<String> {
    let mut lines = Vec::new();
    for query in [
        "SELECT table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
        "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_sqlx_migrations'",
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'",
        "SELECT tgname || ' ON ' || tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal",
    ] {
        let rows = sqlx::query(query).fetch_all(pool).await.unwrap();
        lines.extend(rows.iter().map(|row| row.get::<String, _>(0)));
    }
    lines.sort();
    lines
}

#[tokio::test]
async fn up_down_up_leaves_the_same_schema() {
    let db = TestDb::empty().await;
    let migrator = &platform::db::MIGRATOR;
    migrator.run(&db.pool).await.unwrap();
    let first = schema_snapshot(&db.pool).await;
    assert!(
        !first
            .iter()
            .any(|line| line.contains("outbox_events_notify")),
        "no NOTIFY trigger on the outbox (issue 10)"
    );
    for expected in [
        "orders orders_user_id_idempotency_key_key UNIQUE (user_id, idempotency_key)",
        "refresh_tokens refresh_tokens_token_hash_key UNIQUE (token_hash)",
        "CREATE INDEX order_items_sku_idx ON public.order_items USING btree (sku)",
        "CREATE INDEX order_items_order_id_idx ON public.order_items USING btree (order_id)",
        "CREATE INDEX outbox_events_claim_idx ON public.outbox_events USING btree (available_at, seq) WHERE ((published_at IS NULL) AND (dead_at IS NULL))",
        "outbox_events.message_key text null=NO default=",
        "order_items order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE",
        "refresh_tokens refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
        "outbox_events.publish_attempts integer null=NO default=0",
    ] {
        assert!(first.iter().any(|line| line == expected), "missing {expected:?} in {first:#?}");
    }

    migrator.undo(&db.pool, 0).await.unwrap();
    let left = schema_snapshot(&db.pool).await;
    assert!(left.is_empty(), "down removes everything, left: {left:#?}");

    migrator.run(&db.pool).await.unwrap();
    assert_eq!(schema_snapshot(&db.pool).await, first);
}

async fn insert_user(pool: &PgPool, email: &str, role: &str) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, 'x', $3)")
        .bind(id)
        .bind(email)
        .bind(role)
        .execute(pool)
        .await
        .map(|_| id)
}

async fn insert_order(
    pool: &PgPool,
    user: Uuid,
    key: Uuid,
    status: &str,
    currency: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO orders (id, user_id, status, currency, total_amount, idempotency_key, request_hash)
         VALUES ($1, $2, $3, $4, 100, $5, 'h')",
    )
    .bind(Uuid::new_v4())
    .bind(user)
    .bind(status)
    .bind(currency)
    .bind(key)
    .execute(pool)
    .await
    .map(drop)
}

fn assert_violation(result: Result<impl std::fmt::Debug, sqlx::Error>, constraint_part: &str) {
    let err = result.expect_err("the database must refuse this");
    let db_err = err.as_database_error().expect("a database error");
    assert!(
        db_err
            .constraint()
            .is_some_and(|c| c.contains(constraint_part)),
        "{db_err:?}"
    );
}

#[tokio::test]
async fn the_database_rejects_invalid_rows() {
    let db = TestDb::migrated().await;
    let pool = &db.pool;
    assert_violation(insert_user(pool, "root@example.com", "root").await, "role");
    assert_violation(
        insert_user(pool, "Upper@Example.com", "user").await,
        "email",
    );
    let user = insert_user(pool, "a@example.com", "user").await.unwrap();
    assert_violation(insert_user(pool, "a@example.com", "admin").await, "email");

    let key = Uuid::new_v4();
    assert_violation(
        insert_order(pool, user, key, "shipped", "EUR").await,
        "status",
    );
    assert_violation(
        insert_order(pool, user, key, "created", "GBP").await,
        "currency",
    );
    insert_order(pool, user, key, "created", "EUR")
        .await
        .unwrap();
    assert_violation(
        insert_order(pool, user, key, "created", "EUR").await,
        "idempotency_key",
    );
    assert_violation(
        insert_order(pool, Uuid::new_v4(), Uuid::new_v4(), "created", "EUR").await,
        "user_id",
    );
    let other = insert_user(pool, "b@example.com", "admin").await.unwrap();
    insert_order(pool, other, key, "paid", "HUF")
        .await
        .expect("the same key is fine for another user");
}
