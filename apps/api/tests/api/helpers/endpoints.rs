//! One method per endpoint, sending what a well-behaved client sends; tests then read as
//! request → expected response. Odd requests go through [`TestApp::request`].

use std::fmt::Display;
use std::net::IpAddr;

use axum::http::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use super::users::random_ip;
use super::{TestApp, TestResponse, TestUser};

impl TestApp {
    /// `POST /auth/register`.
    pub async fn register(&self, email: &str, password: &str, role: &str) -> TestResponse {
        let body = json!({"email": email, "password": password, "role": role});
        self.post("/auth/register", &body).await
    }

    /// `POST /auth/login` from an address of its own (see [`random_ip`]).
    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.login_from(random_ip(), email, password).await
    }

    /// `POST /auth/login` from client address `ip` (for the per-IP rate limit).
    pub async fn login_from(&self, ip: IpAddr, email: &str, password: &str) -> TestResponse {
        self.request(Method::POST, "/auth/login")
            .client_ip(ip)
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
    }

    /// `POST /auth/refresh` with the token in the body, as a non-browser client does.
    pub async fn refresh(&self, refresh_token: &str) -> TestResponse {
        self.post("/auth/refresh", &json!({"refresh_token": refresh_token}))
            .await
    }

    /// `POST /auth/refresh` with the `Cookie` header only, as the browser does.
    pub async fn refresh_with_cookie(&self, cookie: &str) -> TestResponse {
        self.request(Method::POST, "/auth/refresh")
            .client_ip(random_ip())
            .cookie(cookie)
            .send()
            .await
    }

    /// `POST /auth/logout` with both tokens, as the browser does.
    pub async fn logout(&self, user: &TestUser) -> TestResponse {
        self.request(Method::POST, "/auth/logout")
            .client_ip(random_ip())
            .bearer(&user.access_token)
            .cookie(&user.refresh_cookie())
            .send()
            .await
    }

    /// `GET /me` with `access_token`.
    pub async fn me(&self, access_token: &str) -> TestResponse {
        self.request(Method::GET, "/me")
            .client_ip(random_ip())
            .bearer(access_token)
            .send()
            .await
    }

    /// `POST /orders` with a fresh `Idempotency-Key`.
    pub async fn create_order(&self, user: &TestUser, body: &Value) -> TestResponse {
        let key = Uuid::new_v4().to_string();
        self.create_order_with_key(user, &key, body).await
    }

    /// `POST /orders` with the given `Idempotency-Key`.
    pub async fn create_order_with_key(
        &self,
        user: &TestUser,
        key: &str,
        body: &Value,
    ) -> TestResponse {
        self.request(Method::POST, "/orders")
            .bearer(&user.access_token)
            .idempotency_key(key)
            .json(body)
            .send()
            .await
    }

    /// `GET /orders/{id}`.
    pub async fn get_order(&self, user: &TestUser, id: impl Display) -> TestResponse {
        self.get_as(user, &format!("/orders/{id}")).await
    }

    /// `GET /orders?{query}` (`query` may be empty).
    pub async fn list_orders(&self, user: &TestUser, query: &str) -> TestResponse {
        self.get_as(user, &with_query("/orders", query)).await
    }

    /// `GET /admin/orders?{query}` (`query` may be empty).
    pub async fn admin_list_orders(&self, user: &TestUser, query: &str) -> TestResponse {
        self.get_as(user, &with_query("/admin/orders", query)).await
    }

    /// `PATCH /orders/{id}/status` with `{"status": status}`.
    pub async fn set_order_status(
        &self,
        user: &TestUser,
        id: impl Display,
        status: &str,
    ) -> TestResponse {
        self.request(Method::PATCH, &format!("/orders/{id}/status"))
            .bearer(&user.access_token)
            .json(&json!({"status": status}))
            .send()
            .await
    }

    /// `GET /stats/sku?{query}`.
    pub async fn sku_stats(&self, user: &TestUser, query: &str) -> TestResponse {
        self.get_as(user, &with_query("/stats/sku", query)).await
    }
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}
