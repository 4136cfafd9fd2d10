//! A request to the test app, built step by step for the odd cases the endpoint methods
//! do not cover (no token, a forged one, a malformed body, another client address ...).

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{HeaderName, HeaderValue};
use axum::http::{header, Method, Request};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::{TestApp, TestResponse};

pub struct TestRequest<'a> {
    app: &'a TestApp,
    request: Request<Body>,
}

impl<'a> TestRequest<'a> {
    pub(super) fn new(app: &'a TestApp, method: Method, path: &str) -> Self {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .expect("a valid request line");
        Self { app, request }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request.headers_mut().insert(
            HeaderName::try_from(name).expect("a valid header name"),
            HeaderValue::try_from(value).expect("a valid header value"),
        );
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header(header::AUTHORIZATION.as_str(), &format!("Bearer {token}"))
    }

    pub fn cookie(self, cookie: &str) -> Self {
        self.header(header::COOKIE.as_str(), cookie)
    }

    pub fn idempotency_key(self, key: &str) -> Self {
        self.header("idempotency-key", key)
    }

    /// A JSON body (`Content-Type: application/json`).
    pub fn json(self, body: &Value) -> Self {
        self.json_text(&body.to_string())
    }

    /// Literal text sent as `application/json` (malformed or reformatted JSON).
    pub fn json_text(self, text: &str) -> Self {
        self.body(Some("application/json"), text)
    }

    /// A body of any type, or of none (`content_type` `None` sends no `Content-Type`).
    pub fn body(mut self, content_type: Option<&str>, body: &str) -> Self {
        if let Some(content_type) = content_type {
            self = self.header(header::CONTENT_TYPE.as_str(), content_type);
        }
        *self.request.body_mut() = Body::from(body.to_owned());
        self
    }

    /// Sent as if from client address `ip` (default `127.0.0.1`).
    pub fn client_ip(mut self, ip: IpAddr) -> Self {
        self.request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip, 40000)));
        self
    }

    /// The request itself, e.g. to send it from concurrent tasks with [`send`].
    pub fn build(self) -> Request<Body> {
        self.request
    }

    pub async fn send(self) -> TestResponse {
        self.app.send(self.request).await
    }
}

/// Sends through the router as if from `127.0.0.1` (tests that need another client IP
/// insert their own `ConnectInfo`, see [`TestRequest::client_ip`]).
pub async fn send(router: &Router, mut request: Request<Body>) -> TestResponse {
    if request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_none()
    {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    }
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body reads")
        .to_bytes()
        .to_vec();
    TestResponse {
        status,
        headers,
        body,
    }
}

/// A JSON request without a client address, for routers built by the test itself.
pub fn json_request(method: Method, path: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}
