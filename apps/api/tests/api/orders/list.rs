//! `GET /orders`: the caller's orders, newest first, in keyset pages that neither repeat
//! nor skip while orders arrive.

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::json;

use super::{ids_newest_first, insert_old_orders, walk_pages};
use crate::helpers::TestApp;

#[tokio::test]
async fn keyset_pages_have_no_duplicates_or_gaps_while_orders_arrive() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let bob = app.user().await;
    insert_old_orders(&app, alice.id, 250).await;
    insert_old_orders(&app, bob.id, 10).await;
    let existing = ids_newest_first(&app, alice.id, None).await;
    assert_eq!(existing.len(), 250);

    let seen = walk_pages(&app, "/orders?limit=7", &alice, Some(&alice)).await;
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no order is listed twice");
    let old: Vec<String> = seen
        .iter()
        .filter(|id| existing.contains(id))
        .cloned()
        .collect();
    assert_eq!(
        old, existing,
        "every pre-existing order, newest first, no gaps"
    );

    // The first page starts with the newest order; other users' orders never show up.
    let first = app.list_orders(&alice, "").await.json();
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        20,
        "default limit"
    );
    let newest = ids_newest_first(&app, alice.id, None).await;
    assert_eq!(first["items"][0]["id"], newest[0].as_str());
    let summary = first["items"][0].as_object().unwrap();
    let mut keys: Vec<&str> = summary.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "currency",
            "id",
            "reservation",
            "status",
            "total_amount",
            "user_id"
        ]
    );

    // The status filter, across pages.
    let paid = walk_pages(&app, "/orders?status=paid&limit=9", &alice, None).await;
    assert_eq!(paid, ids_newest_first(&app, alice.id, Some("paid")).await);
    assert_eq!(paid.len(), 62);
    let everything = walk_pages(&app, "/orders?limit=100", &alice, None).await;
    assert_eq!(everything, ids_newest_first(&app, alice.id, None).await);

    let last = app
        .list_orders(&alice, "limit=100&status=canceled")
        .await
        .json();
    assert_eq!(last, json!({"items": [], "next_cursor": null}));
}

#[tokio::test]
async fn listing_parameters_and_cursors_are_validated() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let bob = app.user().await;
    insert_old_orders(&app, alice.id, 5).await;
    insert_old_orders(&app, bob.id, 5).await;

    for (limit, ok) in [
        ("0", false),
        ("1", true),
        ("100", true),
        ("101", false),
        ("-1", false),
        ("abc", false),
        ("", false),
    ] {
        let response = app.list_orders(&alice, &format!("limit={limit}")).await;
        if ok {
            assert_eq!(response.status, StatusCode::OK);
            let count = response.json()["items"].as_array().unwrap().len();
            assert_eq!(count, limit.parse::<usize>().unwrap().min(5));
        } else {
            response.assert_invalid(&["limit"]);
        }
    }
    app.list_orders(&alice, "status=shipped")
        .await
        .assert_invalid(&["status"]);
    app.list_orders(&alice, "status=shipped&limit=0")
        .await
        .assert_invalid(&["limit", "status"]);
    app.get("/orders")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    let page = app.list_orders(&alice, "limit=2").await.json();
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let next = app
        .list_orders(&alice, &format!("limit=2&cursor={cursor}"))
        .await;
    assert_eq!(next.status, StatusCode::OK);

    let mut flipped = cursor.clone().into_bytes();
    flipped[5] = if flipped[5] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for bad in [
        "garbage".to_owned(),
        "%00%01".to_owned(),
        flipped,
        cursor[..cursor.len() - 2].to_owned(),
        format!("{cursor}AA"),
        "A".repeat(300),
    ] {
        app.list_orders(&alice, &format!("cursor={bad}"))
            .await
            .assert_invalid(&["cursor"]);
    }
    // A cursor belongs to its listing: not to another user's, nor to another filter.
    app.list_orders(&bob, &format!("cursor={cursor}"))
        .await
        .assert_invalid(&["cursor"]);
    app.list_orders(&alice, &format!("status=paid&cursor={cursor}"))
        .await
        .assert_invalid(&["cursor"]);
}
