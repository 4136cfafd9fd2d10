use sqlx::{PgPool, Row};
use testkit::TestDb;

/// Everything that defines the outbox table, in a stable order.
async fn outbox_schema(pool: &PgPool) -> Vec<String> {
    let mut lines = Vec::new();
    for query in [
        "SELECT column_name || ' ' || data_type || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'outbox_events'",
        "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'outbox_events'::regclass",
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'outbox_events'",
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'outbox_events'::regclass",
    ] {
        let rows = sqlx::query(query).fetch_all(pool).await.unwrap();
        lines.extend(rows.iter().map(|row| row.get::<String, _>(0)));
    }
    lines.sort();
    lines
}

#[tokio::test]
async fn orderflows_migrations_end_at_the_crates_ddl() {
    let migrated = TestDb::migrated().await;
    let fresh = TestDb::empty().await;
    sqlx::raw_sql(outbox::schema::DDL)
        .execute(&fresh.pool)
        .await
        .expect("the crate's DDL applies to a fresh database");
    let expected = outbox_schema(&fresh.pool).await;
    assert!(expected
        .iter()
        .any(|line| line.starts_with("message_key text null=NO")));
    assert_eq!(outbox_schema(&migrated.pool).await, expected);

    for db in [&migrated, &fresh] {
        let mut conn = db.pool.acquire().await.unwrap();
        outbox::schema::verify(&mut conn)
            .await
            .expect("the schema matches");
    }
}

#[tokio::test]
async fn verify_names_what_is_wrong() {
    let db = TestDb::empty().await;
    let mut conn = db.pool.acquire().await.unwrap();
    let missing = outbox::schema::verify(&mut conn).await.unwrap_err();
    assert!(missing.to_string().contains("does not exist"), "{missing}");

    // The table as it was before issue 10: no key, no seq, the NOTIFY trigger.
    let old = platform::db::MIGRATOR
        .iter()
        .filter(|m| m.version < 20261126000001 && m.migration_type.is_up_migration())
        .map(|m| m.sql.to_string())
        .collect::<Vec<_>>()
        .join(";\n");
    sqlx::raw_sql(&old).execute(&mut *conn).await.unwrap();
    let err = outbox::schema::verify(&mut conn)
        .await
        .unwrap_err()
        .to_string();
    for part in [
        "column message_key is missing",
        "index outbox_events_claim_idx is missing",
        "trigger outbox_events_notify",
    ] {
        assert!(err.contains(part), "{part} not in {err}");
    }
}
