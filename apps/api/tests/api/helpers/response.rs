//! What a test gets back, with the assertions every endpoint shares.

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
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

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `name=value` pair of the `Set-Cookie` header (e.g. `refresh_token=...`).
    pub fn set_cookie_pair(&self) -> String {
        let cookie = self.header("set-cookie").expect("Set-Cookie");
        cookie.split(';').next().unwrap().to_owned()
    }

    /// Asserts the uniform error shape and returns the `error` object.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        let body = self.json();
        let error = &body["error"];
        assert_eq!(error["code"], code, "body: {body}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "message missing: {body}"
        );
        let request_id = error["request_id"]
            .as_str()
            .expect("request_id in error body");
        assert_eq!(
            Some(request_id),
            self.header("x-request-id"),
            "body request id equals header"
        );
        error.clone()
    }

    /// Asserts a 422 `VALIDATION_FAILED` naming exactly `fields`, in this order.
    #[track_caller]
    pub fn assert_invalid(&self, fields: &[&str]) {
        let error = self.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        let reported: Vec<&str> = error["details"]
            .as_array()
            .expect("details")
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert_eq!(reported, fields, "{error}");
    }
}
