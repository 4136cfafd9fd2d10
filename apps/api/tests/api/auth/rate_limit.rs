//! The login rate limit: ten attempts a minute per client address, the address taken from
//! `X-Forwarded-For` only behind a trusted proxy.

use std::net::IpAddr;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use redis::AsyncCommands;
use serde_json::json;

use crate::helpers::{random_ip, unique_email, TestApp, STRONG_PASSWORD};

/// Sleeps past the end of the minute when fewer than `needed` seconds are left in it, so
/// a burst of attempts lands in one rate-limit window.
async fn within_one_minute(needed: i64) {
    let left = 60 - Utc::now().timestamp().rem_euclid(60);
    if left < needed {
        tokio::time::sleep(Duration::from_secs(u64::try_from(left).unwrap() + 1)).await;
    }
}

#[tokio::test]
async fn the_eleventh_login_in_a_minute_is_429_and_other_ips_are_unaffected() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    app.register(&email, STRONG_PASSWORD, "user").await;
    let ip = random_ip();
    within_one_minute(20).await;
    for attempt in 1..=10 {
        // Successes, failures and malformed bodies all count.
        let response = match attempt {
            1 => app.login_from(ip, &email, STRONG_PASSWORD).await,
            2 => {
                app.request(Method::POST, "/auth/login")
                    .client_ip(ip)
                    .json(&json!({}))
                    .send()
                    .await
            }
            _ => app.login_from(ip, &email, "Wrong-Horse-Battery1").await,
        };
        assert_ne!(
            response.status,
            StatusCode::TOO_MANY_REQUESTS,
            "attempt {attempt}"
        );
    }
    let limited = app.login_from(ip, &email, STRONG_PASSWORD).await;
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(limited.header("set-cookie").is_none());

    let other = app.login(&email, STRONG_PASSWORD).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text());
    let mut redis = app.state.redis.connection().await.unwrap();
    let minute = Utc::now().timestamp().div_euclid(60);
    let count: Option<u64> = redis.get(format!("rl:login:{ip}:{minute}")).await.unwrap();
    assert_eq!(count, Some(11), "the rate-limit key counts every attempt");
    let metrics = app.get("/metrics").await.text();
    for outcome in ["success", "failure", "rate_limited"] {
        assert!(
            metrics.contains(&format!("auth_logins_total{{outcome=\"{outcome}\"}}")),
            "{metrics}"
        );
    }
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let proxy = random_ip();
    let app = TestApp::spawn_with(|env| {
        env.push(("TRUSTED_PROXIES".to_owned(), proxy.to_string()));
    })
    .await;
    let email = unique_email();
    app.register(&email, STRONG_PASSWORD, "user").await;
    let attempt = |peer: IpAddr, forwarded: String| {
        app.request(Method::POST, "/auth/login")
            .client_ip(peer)
            .header("x-forwarded-for", &forwarded)
            .json(&json!({"email": email, "password": "Wrong-Horse-Battery1"}))
            .build()
    };
    within_one_minute(20).await;

    // Behind the trusted proxy, each forwarded client has its own budget, whatever the
    // client wrote to the left of the proxy's entry.
    let client_a = random_ip();
    for n in 0..10 {
        let response = app
            .send(attempt(proxy, format!("192.0.2.{n}, {client_a}")))
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    app.send(attempt(proxy, format!("{client_a}")))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    assert_eq!(
        app.send(attempt(proxy, random_ip().to_string()))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // An untrusted peer cannot pick an identity with the header.
    let direct = random_ip();
    for _ in 0..10 {
        app.send(attempt(direct, random_ip().to_string())).await;
    }
    app.send(attempt(direct, random_ip().to_string()))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
}
