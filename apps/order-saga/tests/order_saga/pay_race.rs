//! A payment and an expiry of the same order at the same moment: exactly one wins (the
//! row lock), and exactly one event says which.

use std::time::Duration;

use api::auth::{AuthUser, Role};
use api::config::Config as ApiConfig;
use api::orders::domain::TargetStatus;
use api::orders::{saga, service, Reservation};
use api::AppState;
use platform::config::Env;

use crate::helpers::{brokers, redis_url, TestOrder, TestSaga};

fn api_state(database_url: &str) -> AppState {
    let redis = redis_url();
    let brokers = brokers();
    let env = Env::from_pairs([
        ("DATABASE_URL", database_url),
        ("REDIS_URL", redis.as_str()),
        ("KAFKA_BROKERS", brokers.as_str()),
        (
            "MONGODB_URL",
            "mongodb://127.0.0.1:27017/?directConnection=true",
        ),
        ("JWT_SECRET", "test-secret-test-secret-test-secret!"),
        // Not called by these tests; the api only needs to know where it would be.
        ("INVENTORY_URL", "http://127.0.0.1:9"),
    ]);
    AppState::new(ApiConfig::from_env(&env).expect("api configuration")).expect("api state")
}

fn owner(state: &AppState, order: TestOrder) -> AuthUser {
    let email = format!("{}@example.com", order.user_id);
    let (_, claims) = state.jwt.issue(order.user_id, &email, Role::User);
    AuthUser {
        id: order.user_id,
        email,
        role: Role::User,
        claims,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pay_and_expiry_never_both_win() {
    let saga = TestSaga::spawn().await;
    let state = api_state(&saga.db.url);
    for _ in 0..10 {
        let order = saga.order(Reservation::Reserved).await;
        // Reserved long enough ago for a 1 s TTL (the running sweeper's is 900 s).
        sqlx::query("UPDATE orders SET reserved_at = now() - interval '10 seconds' WHERE id = $1")
            .bind(order.id)
            .execute(saga.pool())
            .await
            .unwrap();
        let user = owner(&state, order);
        let pay = {
            let state = state.clone();
            tokio::spawn(async move {
                service::change_status(&state, &user, order.id, TargetStatus::Paid, "trace-pay")
                    .await
                    .map(|_| ())
            })
        };
        let expire = {
            let db = state.db.clone();
            let redis = state.redis.clone();
            tokio::spawn(async move {
                saga::expire_reservations(&db, &redis, Duration::from_secs(1), 100).await
            })
        };
        let paid = pay.await.unwrap();
        let expired = expire.await.unwrap().expect("the sweep runs");
        // The sweeper skips an order locked by the payment; it is swept next time only if
        // still unpaid, so a second sweep settles the losing side.
        let swept_later =
            saga::expire_reservations(&state.db, &state.redis, Duration::from_secs(1), 100)
                .await
                .unwrap();
        let expired = !expired.is_empty() || !swept_later.is_empty();
        assert!(
            paid.is_ok() != expired,
            "exactly one wins: paid {paid:?}, expired {expired}"
        );
        let (status, _) = saga.state_of(order).await;
        let types: Vec<&str> = saga
            .outbox_events(order)
            .await
            .iter()
            .map(|event| event.event_type().as_str())
            .collect();
        if paid.is_ok() {
            assert_eq!(status, "paid");
            assert_eq!(types, ["OrderPaid"]);
        } else {
            assert_eq!(status, "canceled");
            assert_eq!(types, ["OrderCanceled"]);
        }
    }
}
