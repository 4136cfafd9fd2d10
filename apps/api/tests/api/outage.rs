//! Outages answer 503 with `Retry-After`, never 500 (issue 11): against a PostgreSQL and a
//! Redis of the test's own that the test stops and starts (the shared ones stay up).

use std::time::{Duration, Instant};

use api::auth::Role;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use testkit::postgres::OwnPostgres;
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse};
use testkit::redis::RedisServer;

/// The API with its `name` variable pointing at `url` (a server of the test's own).
async fn spawn_with_own(name: &'static str, url: String) -> TestApp {
    TestApp::spawn_with(move |vars| {
        vars.retain(|(var, _)| var != name);
        vars.push((name.to_owned(), url));
    })
    .await
}

/// A user row written straight into `pool` and an access token for it.
async fn user(app: &TestApp, pool: &PgPool) -> String {
    let id = Uuid::new_v4();
    let email = format!("{}@example.com", id.simple());
    sqlx::query("INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, 'x', 'user')")
        .bind(id)
        .bind(&email)
        .execute(pool)
        .await
        .expect("insert user");
    app.state.jwt.issue(id, &email, Role::User).0
}

fn request(
    method: Method,
    path: &str,
    token: &str,
    key: Option<Uuid>,
    body: Option<&Value>,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(key) = key {
        builder = builder.header("idempotency-key", key.to_string());
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .unwrap()
}

fn order_body() -> Value {
    json!({"currency": "EUR", "items": [{"sku": "SKU-1", "qty": 2, "unit_price": 150}]})
}

/// The uniform 503 with a `Retry-After` of whole seconds.
#[track_caller]
fn assert_unavailable(response: &TestResponse) {
    response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
    let retry_after: u64 = response
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in whole seconds: {:?}", response.headers));
    assert!(retry_after >= 1, "{retry_after}");
}

/// Sends until the answer is not a 503 (the pool reconnects on its own); fails after 30 s.
async fn once_recovered(app: &TestApp, make: impl Fn() -> Request<Body>) -> TestResponse {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let response = app.send(make()).await;
        if response.status != StatusCode::SERVICE_UNAVAILABLE {
            return response;
        }
        assert!(Instant::now() < deadline, "still 503: {}", response.text());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn orders_with_key(pool: &PgPool, key: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM orders WHERE idempotency_key = $1")
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn own_database(postgres: &OwnPostgres) -> (String, PgPool) {
    let url = postgres.create_database("orderflow");
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .expect("connect own PostgreSQL");
    platform::db::MIGRATOR.run(&pool).await.expect("migrate");
    (url, pool)
}

#[tokio::test]
async fn a_postgres_outage_is_a_503_and_the_retried_order_is_created_once() {
    let postgres = OwnPostgres::start();
    let (url, pool) = own_database(&postgres).await;
    let app = spawn_with_own("DATABASE_URL", url).await;
    let token = user(&app, &pool).await;
    let before = app
        .send(request(Method::GET, "/orders", &token, None, None))
        .await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text());
    pool.close().await;

    // As in a crash: no session is told, the port just closes.
    postgres.stop_immediately();
    let key = Uuid::new_v4();
    let create = || {
        request(
            Method::POST,
            "/orders",
            &token,
            Some(key),
            Some(&order_body()),
        )
    };
    assert_unavailable(&app.send(create()).await);
    assert_unavailable(
        &app.send(request(Method::GET, "/orders", &token, None, None))
            .await,
    );
    let order = format!("/orders/{}", Uuid::new_v4());
    assert_unavailable(
        &app.send(request(Method::GET, &order, &token, None, None))
            .await,
    );
    let register = Request::post("/auth/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"email": "outage@example.com", "password": "Tr1cky-Horse-Battery"}).to_string(),
        ))
        .unwrap();
    assert_unavailable(&app.send(register).await);

    // The client retries with the same key once the database is back: one order.
    postgres.resume();
    let created = once_recovered(&app, create).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let replayed = app.send(create()).await;
    assert_eq!(replayed.status, StatusCode::OK, "{}", replayed.text());
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.json()["id"], created.json()["id"]);
    let pool = PgPoolOptions::new()
        .connect(&postgres.url("orderflow"))
        .await
        .unwrap();
    assert_eq!(orders_with_key(&pool, key).await, 1);
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(outbox, 1, "one event for the one order");
}

// Multi-threaded: the clients keep sending while the test blocks on `pg_ctl`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_under_load_gives_no_500() {
    let postgres = OwnPostgres::start();
    let (url, pool) = own_database(&postgres).await;
    let app = spawn_with_own("DATABASE_URL", url).await;
    let token = user(&app, &pool).await;
    pool.close().await;

    // Eight clients place orders, each retrying its own key on 503, while the server is
    // shut down (sessions get 57P01 admin_shutdown) and started again.
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let router = app.router.clone();
            let token = token.clone();
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                let mut keys = Vec::new();
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(6) {
                    let key = Uuid::new_v4();
                    keys.push(key);
                    loop {
                        let make = request(
                            Method::POST,
                            "/orders",
                            &token,
                            Some(key),
                            Some(&order_body()),
                        );
                        let response = crate::helpers::send(&router, make).await;
                        statuses.push(response.status);
                        if response.status == StatusCode::SERVICE_UNAVAILABLE {
                            assert!(response.header("retry-after").is_some());
                            if started.elapsed() < Duration::from_secs(40) {
                                tokio::time::sleep(Duration::from_millis(200)).await;
                                continue;
                            }
                        }
                        break;
                    }
                }
                (statuses, keys)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(800)).await;
    postgres.stop();
    tokio::time::sleep(Duration::from_secs(2)).await;
    postgres.resume();

    let mut seen = Vec::new();
    let mut keys = Vec::new();
    for client in clients {
        let (statuses, client_keys) = client.await.unwrap();
        seen.extend(statuses);
        keys.extend(client_keys);
    }
    // 200 is a replay: a commit whose answer the outage swallowed, retried with its key.
    let expected = [
        StatusCode::CREATED,
        StatusCode::OK,
        StatusCode::SERVICE_UNAVAILABLE,
    ];
    assert!(
        seen.iter().all(|s| expected.contains(s)),
        "only 201, 200 and 503: {seen:?}"
    );
    assert!(
        seen.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "the outage was seen: {seen:?}"
    );
    let pool = PgPoolOptions::new()
        .connect(&postgres.url("orderflow"))
        .await
        .unwrap();
    for key in keys {
        assert_eq!(
            orders_with_key(&pool, key).await,
            1,
            "key {key}: exactly one order"
        );
    }
}

#[tokio::test]
async fn a_redis_outage_is_a_503_where_the_request_needs_redis() {
    let mut redis = RedisServer::start();
    let app = spawn_with_own("REDIS_URL", redis.url()).await;
    let token = user(&app, &app.db.pool).await;
    let me = || request(Method::GET, "/me", &token, None, None);
    assert_eq!(app.send(me()).await.status, StatusCode::OK);

    redis.stop();
    // The token denylist lives in Redis: without it no token can be trusted.
    assert_unavailable(&app.send(me()).await);
    assert_unavailable(
        &app.send(request(Method::GET, "/orders", &token, None, None))
            .await,
    );
    // The login rate limit lives in Redis too.
    let login = Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"email": "nobody@example.com", "password": "Tr1cky-Horse-Battery"}).to_string(),
        ))
        .unwrap();
    assert_unavailable(&app.send(login).await);
    // Registration needs only PostgreSQL.
    let register = Request::post("/auth/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"email": format!("{}@example.com", Uuid::new_v4().simple()), "password": "Tr1cky-Horse-Battery"}).to_string(),
        ))
        .unwrap();
    assert_eq!(app.send(register).await.status, StatusCode::CREATED);

    redis.restart();
    let back = once_recovered(&app, me).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text());
}
