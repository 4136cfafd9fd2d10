//! `GET /stock?sku_prefix=&limit=&cursor=`: admins page through SKUs in SKU order.

use axum::http::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

fn skus(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["sku"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_follow_the_cursor_to_the_end_with_the_prefix() {
    let app = TestApp::spawn().await;
    for sku in [
        "PAGE-A", "PAGE-B", "PAGE-C", "PAGE-D", "PAGE-E", "OTHER-A", "PAGEXA",
    ] {
        app.given_stock(sku, 3).await;
    }
    let admin = app.admin_token();
    let mut seen = Vec::new();
    let mut path = "/stock?sku_prefix=PAGE-&limit=2".to_owned();
    loop {
        let response = app.get_as(&path, &admin).await;
        assert_eq!(response.status, StatusCode::OK);
        let body = response.json();
        let page = skus(&body);
        assert!(page.len() <= 2);
        seen.extend(page);
        match body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/stock?sku_prefix=PAGE-&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    // `_` and `-` are literal in the prefix, not patterns.
    assert_eq!(seen, ["PAGE-A", "PAGE-B", "PAGE-C", "PAGE-D", "PAGE-E"]);

    let all = app.get_as("/stock", &admin).await.json();
    assert_eq!(skus(&all).len(), 7);
    assert!(all.get("next_cursor").is_none());
    assert_eq!(all["items"][0]["available"], 3);
}

#[tokio::test]
async fn bad_parameters_are_422_and_non_admins_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("sku_prefix=a%25", "sku_prefix"),
        ("cursor=%20", "cursor"),
    ] {
        app.get_as(&format!("/stock?{query}"), &admin)
            .await
            .assert_invalid(&[field]);
    }
    app.get_as("/stock", &app.user_token())
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.request(axum::http::Method::GET, "/stock")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
