use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};

/// The schema of docs/spec.md#database-schema, embedded at compile time; every migration is reversible.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// A pool that connects lazily, so a service starts (and reports unhealthy) while the
/// database is still coming up instead of crashing.
pub fn lazy_pool(database_url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy(database_url)
}
