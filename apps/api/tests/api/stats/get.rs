//! `GET /stats/sku` (docs/spec.md#stats-api): per-SKU windows oldest first, or SKUs ranked by revenue; admins only.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, TimeZone, Utc};
use mongodb::bson::{doc, DateTime as BsonDateTime, Document};
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

/// The stack's MongoDB with the path replaced by a unique database.
fn unique_mongodb_url() -> String {
    let url = std::env::var("MONGODB_URL")
        .unwrap_or_else(|_| "mongodb://127.0.0.1:27017/?directConnection=true".to_owned());
    let (base, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let host_end = base[10..].find('/').map_or(base.len(), |at| at + 10);
    let database = testkit::unique_name("stats_test").replace('-', "_");
    format!("{}/{database}?{query}", &base[..host_end])
}

async fn spawn() -> TestApp {
    let url = unique_mongodb_url();
    TestApp::spawn_with(|vars| {
        vars.retain(|(name, _)| name != "MONGODB_URL");
        vars.push(("MONGODB_URL".to_owned(), url));
    })
    .await
}

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap() + Duration::minutes(minute)
}

/// A window as the projector writes it.
async fn seed(app: &TestApp, sku: &str, minute: i64, qty: i64, revenue: i64) {
    let start = at(minute);
    app.state
        .mongo
        .collection::<Document>("sku_stats")
        .insert_one(doc! {
            "sku": sku,
            "window_start": BsonDateTime::from_millis(start.timestamp_millis()),
            "window_end": BsonDateTime::from_millis((start + Duration::minutes(1)).timestamp_millis()),
            "qty_sum": qty,
            "revenue_sum": revenue,
            "updated_at": BsonDateTime::now(),
        })
        .await
        .expect("seed sku_stats");
}

fn range(from: i64, to: i64) -> String {
    let encode = |t: DateTime<Utc>| t.to_rfc3339().replace('+', "%2B");
    format!("from={}&to={}", encode(at(from)), encode(at(to)))
}

fn items(response: &TestResponse) -> Vec<Value> {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn requires_an_admin() {
    let app = spawn().await;
    app.get(&format!("/stats/sku?{}", range(0, 10)))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let user = app.user().await;
    app.sku_stats(&user, &range(0, 10))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
}

#[tokio::test]
async fn invalid_parameters_are_422_naming_each_field() {
    let app = spawn().await;
    let admin = app.admin().await;
    let cases = [
        (String::new(), vec!["from", "to"]),
        (
            "from=yesterday&to=2026-11-25T10:00:00Z".to_owned(),
            vec!["from"],
        ),
        (range(10, 0), vec!["to"]),
        (range(5, 5), vec!["to"]),
        (range(0, 7 * 24 * 60 + 1), vec!["to"]),
        (format!("{}&sku=lower-case", range(0, 10)), vec!["sku"]),
        (format!("{}&sku=AB", range(0, 10)), vec!["sku"]),
        (format!("{}&limit=0", range(0, 10)), vec!["limit"]),
        (format!("{}&limit=101", range(0, 10)), vec!["limit"]),
        (format!("{}&limit=many", range(0, 10)), vec!["limit"]),
        (
            "from=x&to=y&sku=%20&limit=-1".to_owned(),
            vec!["from", "to", "sku", "limit"],
        ),
    ];
    for (query, expected) in cases {
        let response = app.sku_stats(&admin, &query).await;
        let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        let fields: Vec<&str> = error["details"]
            .as_array()
            .expect("details")
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, expected, "query {query:?}");
    }
    // Exactly 7 days is allowed.
    assert!(items(&app.sku_stats(&admin, &range(0, 7 * 24 * 60)).await).is_empty());
}

#[tokio::test]
async fn with_sku_lists_its_windows_in_range_oldest_first_up_to_limit() {
    let app = spawn().await;
    let admin = app.admin().await;
    for (minute, qty) in [(3, 3), (1, 1), (2, 2), (10, 10), (-1, 99)] {
        seed(&app, "SKU-1", minute, qty, qty * 100).await;
    }
    seed(&app, "SKU-2", 1, 5, 500).await;

    let all = items(
        &app.sku_stats(&admin, &format!("{}&sku=SKU-1", range(0, 10)))
            .await,
    );
    assert_eq!(
        all,
        [1, 2, 3]
            .map(|n| json!({
                "sku": "SKU-1",
                "window_start": at(n).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "qty_sum": n,
                "revenue_sum": n * 100,
            }))
            .to_vec(),
        "in [from, to), by window_start"
    );
    let limited = items(
        &app.sku_stats(&admin, &format!("{}&sku=SKU-1&limit=2", range(0, 11)))
            .await,
    );
    let qtys: Vec<i64> = limited
        .iter()
        .map(|i| i["qty_sum"].as_i64().unwrap())
        .collect();
    assert_eq!(qtys, [1, 2]);
    assert!(items(
        &app.sku_stats(&admin, &format!("{}&sku=SKU-9", range(0, 10)))
            .await
    )
    .is_empty());
    // Leave nothing behind in the developer's MongoDB.
    app.state.mongo.drop().await.unwrap();
}

#[tokio::test]
async fn without_sku_ranks_skus_by_revenue_over_the_range() {
    let app = spawn().await;
    let admin = app.admin().await;
    seed(&app, "SKU-A", 1, 1, 1_000).await;
    seed(&app, "SKU-A", 5, 2, 3_000_000_000).await;
    seed(&app, "SKU-B", 2, 10, 2_000_000_000).await;
    seed(&app, "SKU-C", 3, 1, 10).await;
    // Outside the range: must not count.
    seed(&app, "SKU-C", 30, 1, 9_000_000_000).await;

    let top = items(&app.sku_stats(&admin, &range(0, 10)).await);
    assert_eq!(
        top,
        vec![
            json!({"sku": "SKU-A", "window_start": "2026-11-25T10:01:00Z", "qty_sum": 3, "revenue_sum": 3_000_001_000_i64}),
            json!({"sku": "SKU-B", "window_start": "2026-11-25T10:02:00Z", "qty_sum": 10, "revenue_sum": 2_000_000_000_i64}),
            json!({"sku": "SKU-C", "window_start": "2026-11-25T10:03:00Z", "qty_sum": 1, "revenue_sum": 10}),
        ]
    );
    let top_one = items(
        &app.sku_stats(&admin, &format!("{}&limit=1", range(0, 10)))
            .await,
    );
    assert_eq!(top_one.len(), 1);
    assert_eq!(top_one[0]["sku"], "SKU-A");
    // Leave nothing behind in the developer's MongoDB.
    app.state.mongo.drop().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_read_model_is_a_503_without_details() {
    let app = TestApp::spawn_with(|vars| {
        vars.retain(|(name, _)| name != "MONGODB_URL");
        vars.push((
            "MONGODB_URL".to_owned(),
            "mongodb://127.0.0.1:1/orderflow?directConnection=true&serverSelectionTimeoutMS=300"
                .to_owned(),
        ));
    })
    .await;
    let admin = app.admin().await;
    let response = app.sku_stats(&admin, &range(0, 10)).await;
    // An outage, not a bug (issue 11): clients are told to retry.
    let error = response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
    assert!(response.header("retry-after").is_some());
    assert!(!error.to_string().contains("127.0.0.1:1"), "{error}");
}
