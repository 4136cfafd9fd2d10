//! Which failures mean "a dependency is unreachable" (503, retry later) rather than a bug
//! (500). Decided from the error chain, so causes wrapped in `anyhow` context count too.

use std::io;

/// What `Retry-After` tells clients after an outage: long enough for a restart of
/// PostgreSQL or Redis to finish, short enough that a user barely notices.
pub const RETRY_AFTER_SECONDS: u64 = 2;

/// PostgreSQL SQLSTATEs that describe the connection or the server, not the statement:
/// class 08 (connection exception), 53300 too_many_connections, 57P01 admin_shutdown,
/// 57P02 crash_shutdown, 57P03 cannot_connect_now, 25006 read_only_sql_transaction
/// (a standby after failover).
fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "53300" | "57P01" | "57P02" | "57P03" | "25006")
}

fn sqlx_outage(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| is_unavailable_sqlstate(&code)),
        _ => false,
    }
}

fn redis_outage(err: &redis::RedisError) -> bool {
    err.is_io_error()
        || err.is_connection_refusal()
        || err.is_timeout()
        || err.is_connection_dropped()
        || matches!(
            err.kind(),
            redis::ErrorKind::BusyLoadingError | redis::ErrorKind::TryAgain
        )
}

fn mongo_outage(err: &mongodb::error::Error) -> bool {
    use mongodb::error::ErrorKind;
    matches!(
        *err.kind,
        ErrorKind::Io(_)
            | ErrorKind::ConnectionPoolCleared { .. }
            | ErrorKind::ServerSelection { .. }
    )
}

fn io_outage(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::NotConnected
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::TimedOut
            | io::ErrorKind::UnexpectedEof
    )
}

pub fn is_outage(cause: &anyhow::Error) -> bool {
    cause.chain().any(|err| {
        if let Some(err) = err.downcast_ref::<sqlx::Error>() {
            sqlx_outage(err)
        } else if let Some(err) = err.downcast_ref::<redis::RedisError>() {
            redis_outage(err)
        } else if let Some(err) = err.downcast_ref::<mongodb::error::Error>() {
            mongo_outage(err)
        } else if let Some(err) = err.downcast_ref::<io::Error>() {
            io_outage(err)
        } else {
            false
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_outages() {
        let refused = || io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        assert!(is_outage(&sqlx::Error::PoolTimedOut.into()));
        assert!(is_outage(&sqlx::Error::PoolClosed.into()));
        assert!(is_outage(&sqlx::Error::Io(refused()).into()));
        assert!(is_outage(&redis::RedisError::from(refused()).into()));
        assert!(is_outage(
            &anyhow::Error::from(sqlx::Error::PoolTimedOut).context("loading the order")
        ));
    }

    #[test]
    fn bugs_are_not_outages() {
        assert!(!is_outage(&sqlx::Error::RowNotFound.into()));
        assert!(!is_outage(&sqlx::Error::ColumnNotFound("x".into()).into()));
        assert!(!is_outage(&anyhow::anyhow!("idempotent order vanished")));
        let parse = redis::RedisError::from((redis::ErrorKind::TypeError, "not a string"));
        assert!(!is_outage(&parse.into()));
    }

    #[test]
    fn server_side_connection_states_are_outages() {
        for code in ["08006", "08001", "57P01", "57P03", "53300", "25006"] {
            assert!(is_unavailable_sqlstate(code), "{code}");
        }
        for code in ["23505", "23503", "40001", "42P01", "22P02"] {
            assert!(!is_unavailable_sqlstate(code), "{code}");
        }
    }
}
