//! Who may follow which channel: everyone `stats` and their own orders, admins every
//! order and `pipeline`; decided once, when the stream opens.

use axum::http::StatusCode;
use uuid::Uuid;

use super::{order_body, unique_sku};
use crate::helpers::{TestApp, TestUser};

async fn order_of(app: &TestApp, user: &TestUser) -> String {
    let response = app
        .create_order(user, &order_body(&unique_sku(), 1, 100))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()["id"].as_str().unwrap().to_owned()
}

async fn refused(app: &TestApp, user: &TestUser, channels: &str) -> crate::helpers::TestResponse {
    let ticket = app.ticket_of(user).await;
    app.open_stream(&format!("ticket={ticket}&channels={channels}"), None)
        .await
        .err()
        .unwrap_or_else(|| panic!("{channels} opened a stream"))
}

#[tokio::test]
async fn users_follow_stats_and_their_own_orders_only() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let bob = app.user().await;
    let alices = order_of(&app, &alice).await;
    let bobs = order_of(&app, &bob).await;

    app.follow(&alice, &format!("stats,order:{alices}")).await;
    refused(&app, &alice, &format!("order:{bobs}"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    // One forbidden channel refuses the whole stream.
    refused(&app, &alice, &format!("order:{alices},order:{bobs}"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    // An unknown order is refused like someone else's (its existence is not revealed).
    refused(&app, &alice, &format!("order:{}", Uuid::now_v7()))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    refused(&app, &alice, "pipeline")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    refused(&app, &alice, "stats,pipeline")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
}

#[tokio::test]
async fn admins_follow_every_order_and_the_pipeline() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let admin = app.admin().await;
    let alices = order_of(&app, &alice).await;
    app.follow(&admin, &format!("stats,pipeline,order:{alices}"))
        .await;
}

#[tokio::test]
async fn unknown_or_malformed_channels_are_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let too_many = vec!["stats"; 21].join(",");
    for channels in [
        "",
        "prices",
        "stats,prices",
        "order:",
        "order:42",
        "Stats",
        "stats,,pipeline",
        too_many.as_str(),
    ] {
        let error = refused(&app, &admin, channels)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_CHANNELS");
        assert!(
            !error["message"].as_str().unwrap().is_empty(),
            "{channels}: says what is wrong"
        );
    }
    // Without `channels` at all.
    let ticket = app.ticket_of(&admin).await;
    app.open_stream(&format!("ticket={ticket}"), None)
        .await
        .err()
        .expect("no channels, no stream")
        .assert_error(StatusCode::BAD_REQUEST, "INVALID_CHANNELS");
}
