//! Signed-in accounts any test can ask for: `app.user().await`, `app.admin().await`.

use std::net::{IpAddr, Ipv4Addr};
use std::ops::Deref;

use api::auth::Role;
use axum::http::StatusCode;
use uuid::Uuid;

use super::TestApp;

/// The password of every account the helpers create; it passes the password policy.
pub const STRONG_PASSWORD: &str = "Tr1cky-Horse-Battery";

/// A client address no other test uses (10.x.y.z), so the per-IP login limit of parallel
/// tests (and of other test runs against the same Redis) never collides.
pub fn random_ip() -> IpAddr {
    let [a, b, c, _] = rand::random::<[u8; 4]>();
    IpAddr::V4(Ipv4Addr::new(10, a, b, c.max(1)))
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", Uuid::new_v4().simple())
}

/// A registered account, logged in once through `POST /auth/login`.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub password: String,
    pub role: Role,
    pub access_token: String,
    pub refresh_token: String,
}

impl TestUser {
    /// The `Cookie` value a browser sends to `/auth/*`: `refresh_token=...`.
    pub fn refresh_cookie(&self) -> String {
        format!("refresh_token={}", self.refresh_token)
    }
}

/// A [`TestUser`] with the admin role; usable wherever a `&TestUser` is expected.
#[derive(Debug, Clone)]
pub struct TestAdmin(pub TestUser);

impl Deref for TestAdmin {
    type Target = TestUser;

    fn deref(&self) -> &TestUser {
        &self.0
    }
}

impl TestApp {
    /// A fresh account with the user role, logged in.
    pub async fn user(&self) -> TestUser {
        self.signed_in(Role::User).await
    }

    /// A fresh account with the admin role, logged in.
    pub async fn admin(&self) -> TestAdmin {
        TestAdmin(self.signed_in(Role::Admin).await)
    }

    /// Inserts the account straight into the app's database (whichever `DATABASE_URL` it
    /// was spawned with), as the operator's CLI would (the API registers admins only with
    /// the bootstrap switch), then logs in from an address of its own.
    async fn signed_in(&self, role: Role) -> TestUser {
        let email = unique_email();
        let hash = api::auth::password::hash(api::auth::password::Password::new(STRONG_PASSWORD))
            .await
            .unwrap();
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&email)
            .bind(hash)
            .bind(role.as_str())
            .execute(&self.state.db)
            .await
            .unwrap();
        let response = self.login(&email, STRONG_PASSWORD).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let body = response.json();
        TestUser {
            id,
            email,
            password: STRONG_PASSWORD.to_owned(),
            role,
            access_token: body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }
}
