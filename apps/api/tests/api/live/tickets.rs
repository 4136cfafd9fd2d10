//! `POST /live/tickets` and what `GET /live/stream` makes of a ticket: valid once, for
//! 30 s, only as issued.

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use redis::AsyncCommands;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_logged_in_user_gets_a_single_use_ticket_valid_for_30_seconds() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let response = app.live_ticket(&user).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    let ticket = body["ticket"].as_str().unwrap();
    assert_eq!(ticket.len(), 43, "32 random bytes, base64url");
    let expires_at: DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    let left = expires_at - Utc::now();
    assert!(
        left.num_seconds() > 20 && left.num_seconds() <= 30,
        "{left}"
    );
    assert_ne!(app.ticket_of(&user).await, ticket, "every ticket is new");

    let query = format!("ticket={ticket}&channels=stats");
    let stream = app.open_stream(&query, None).await;
    assert!(stream.is_ok(), "the first use opens the stream");
    drop(stream);
    app.open_stream(&query, None)
        .await
        .err()
        .expect("a used ticket is refused")
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}

#[tokio::test]
async fn tickets_need_a_valid_access_token() {
    let app = TestApp::spawn().await;
    app.request(Method::POST, "/live/tickets")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.request(Method::POST, "/live/tickets")
        .bearer("not-a-jwt")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}

#[tokio::test]
async fn missing_forged_and_expired_tickets_are_refused_before_the_stream_starts() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let forged = api::live::tickets::Ticket::generate();
    for query in [
        "channels=stats".to_owned(),
        "ticket=&channels=stats".to_owned(),
        "ticket=short&channels=stats".to_owned(),
        format!("ticket={}&channels=stats", forged.expose()),
        // An access token is no ticket.
        format!("ticket={}&channels=stats", user.access_token),
    ] {
        let error = app
            .open_stream(&query, None)
            .await
            .err()
            .unwrap_or_else(|| panic!("{query} opened a stream"));
        error.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }

    // Expired: Redis drops the ticket when its time is up (shortened here to 1 ms).
    let ticket = app.ticket_of(&user).await;
    let key = api::live::tickets::Ticket::parse(&ticket).unwrap().key();
    let mut redis = app.state.redis.connection().await.unwrap();
    let _: bool = redis.pexpire(&key, 1).await.unwrap();
    testkit::eventually(
        std::time::Duration::from_secs(5),
        "the ticket expires",
        || {
            let mut redis = redis.clone();
            let key = key.clone();
            async move { !redis.exists::<_, bool>(&key).await.unwrap() }
        },
    )
    .await;
    app.open_stream(&format!("ticket={ticket}&channels=stats"), None)
        .await
        .err()
        .expect("an expired ticket is refused")
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
