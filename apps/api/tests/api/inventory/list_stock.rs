//! `GET /inventory/stock`: filter and keyset pagination.

use axum::http::StatusCode;

use crate::helpers::TestApp;

fn skus(body: &serde_json::Value) -> Vec<&str> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["sku"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn pages_through_a_prefix_in_sku_order() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    for sku in ["LST-C", "LST-A", "LST-B", "OTHER-1"] {
        app.inventory().given_stock(sku, 3, 1).await;
    }

    let first = app.list_stock(&admin, "sku_prefix=LST-&limit=2").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let first = first.json();
    assert_eq!(skus(&first), ["LST-A", "LST-B"]);
    assert_eq!(first["items"][0]["available"], 2);
    let cursor = first["next_cursor"].as_str().expect("a next page");

    let second = app
        .list_stock(&admin, &format!("sku_prefix=LST-&limit=2&cursor={cursor}"))
        .await
        .json();
    assert_eq!(skus(&second), ["LST-C"]);
    assert!(second.get("next_cursor").is_none(), "{second}");
}

#[tokio::test]
async fn bad_parameters_are_named() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;

    // Not a number at all: the api's own parameter parsing.
    app.list_stock(&admin, "limit=ten")
        .await
        .assert_invalid(&["limit"]);
    app.list_stock(&admin, "limit=-1")
        .await
        .assert_invalid(&["limit"]);
    // Out of range or not a SKU: the inventory service's rules, passed on.
    app.list_stock(&admin, "limit=0")
        .await
        .assert_invalid(&["limit"]);
    app.list_stock(&admin, "limit=201")
        .await
        .assert_invalid(&["limit"]);
    app.list_stock(&admin, "sku_prefix=abc")
        .await
        .assert_invalid(&["sku_prefix"]);
    app.list_stock(&admin, "cursor=x")
        .await
        .assert_invalid(&["cursor"]);
}

#[tokio::test]
async fn only_admins_list_stock() {
    let app = TestApp::with_inventory().await;
    let user = app.user().await;

    app.list_stock(&user, "")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.get("/inventory/stock")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
