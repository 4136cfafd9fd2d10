//! The login rate limit (docs/spec.md#login-rate-limit): a fixed one-minute window per client IP in Redis,
//! `rl:login:{ip}:{minute}`. Every attempt counts, successful or not, so a stolen
//! password list cannot be sprayed at ten tries per minute per success either.

use std::net::IpAddr;

use chrono::Utc;

use crate::error::ApiError;
use crate::state::Redis;

pub const LOGIN_ATTEMPTS_PER_MINUTE: u64 = 10;
/// Longer than the window so a key never expires while its minute is still running.
const KEY_TTL_SECONDS: i64 = 120;

/// IPv6 clients are limited per /64, the block one subscriber usually controls; limiting
/// single addresses would let one host rotate through 2^64 of them.
pub fn limited_network(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let network = std::net::Ipv6Addr::new(
                segments[0],
                segments[1],
                segments[2],
                segments[3],
                0,
                0,
                0,
                0,
            );
            format!("{network}/64")
        }
    }
}

pub fn login_key(ip: IpAddr, unix_seconds: i64) -> String {
    format!(
        "rl:login:{}:{}",
        limited_network(ip),
        unix_seconds.div_euclid(60)
    )
}

/// Counts one login attempt from `ip`; past the limit it is a 429 whose `Retry-After` is
/// the rest of the current minute. Fails closed: without Redis there is no login.
pub async fn count_login_attempt(redis: &Redis, ip: IpAddr) -> Result<(), ApiError> {
    let now = Utc::now().timestamp();
    let key = login_key(ip, now);
    let mut connection = redis.connection().await?;
    let (attempts,): (u64,) = redis::pipe()
        .atomic()
        .incr(&key, 1)
        .expire(&key, KEY_TTL_SECONDS)
        .ignore()
        .query_async(&mut connection)
        .await?;
    if attempts > LOGIN_ATTEMPTS_PER_MINUTE {
        let retry_after = u64::try_from(60 - now.rem_euclid(60)).unwrap_or(60);
        tracing::warn!(client = %limited_network(ip), attempts, "login rate limit exceeded");
        metrics::counter!("auth_logins_total", "outcome" => "rate_limited").increment(1);
        return Err(ApiError::too_many_requests(retry_after));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_spec_and_change_every_minute() {
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(login_key(ip, 120), "rl:login:192.0.2.7:2");
        assert_eq!(login_key(ip, 179), "rl:login:192.0.2.7:2");
        assert_eq!(login_key(ip, 180), "rl:login:192.0.2.7:3");
    }

    #[test]
    fn ipv6_is_limited_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limited_network(a), "2001:db8:1:2::/64");
        assert_eq!(limited_network(a), limited_network(b));
        assert_ne!(limited_network(a), limited_network(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(limited_network(mapped), "192.0.2.7");
    }
}
