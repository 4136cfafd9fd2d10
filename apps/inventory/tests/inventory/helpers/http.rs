//! Requests to the router, in-process, with the uniform error assertions.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::TestApp;

pub struct TestRequest<'a> {
    app: &'a TestApp,
    request: Request<Body>,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str) -> TestRequest<'_> {
        TestRequest {
            app: self,
            request: Request::builder()
                .method(method)
                .uri(path)
                .body(Body::empty())
                .expect("a valid request line"),
        }
    }

    pub async fn get_as(&self, path: &str, token: &str) -> TestResponse {
        self.request(Method::GET, path).bearer(token).send().await
    }

    pub async fn post_stock(&self, token: &str, body: &Value) -> TestResponse {
        self.request(Method::POST, "/stock")
            .bearer(token)
            .json(body)
            .send()
            .await
    }

    pub async fn put_on_hand(&self, token: &str, sku: &str, body: &Value) -> TestResponse {
        self.request(Method::PUT, &format!("/stock/{sku}/on-hand"))
            .bearer(token)
            .json(body)
            .send()
            .await
    }
}

impl TestRequest<'_> {
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.request
            .headers_mut()
            .insert(name, value.parse().expect("a valid header value"));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn json(self, body: &Value) -> Self {
        self.body(Some("application/json"), &body.to_string())
    }

    pub fn body(mut self, content_type: Option<&str>, text: &str) -> Self {
        if let Some(content_type) = content_type {
            self = self.header("content-type", content_type);
        }
        *self.request.body_mut() = Body::from(text.to_owned());
        self
    }

    pub async fn send(self) -> TestResponse {
        let response = self
            .app
            .router
            .clone()
            .oneshot(self.request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "body is not JSON ({err}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and the uniform error body; returns the `error` object.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        let body = self.json();
        let error = body["error"].clone();
        assert_eq!(error["code"], code, "body: {body}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(error["request_id"].as_str().is_some_and(|r| !r.is_empty()));
        error
    }

    /// The `field`s of a 422's details.
    #[track_caller]
    pub fn assert_invalid(&self, fields: &[&str]) {
        let error = self.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        let named: Vec<&str> = error["details"]
            .as_array()
            .expect("details")
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert_eq!(named, fields, "error: {error}");
    }
}
