//! The API as a client sees it: users and their tokens, `POST /orders`.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use uuid::Uuid;

const PASSWORD: &str = "Bench-Load-Runner-2026!";

#[derive(Clone)]
pub struct Api {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// One answer: status and parsed JSON body (`Null` when the body is not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub retry_after: Option<u64>,
}

impl Api {
    pub fn new(base: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(4096)
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self {
            base: base.trim_end_matches('/').to_owned(),
            client,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        idempotency_key: Option<Uuid>,
        body: Option<&Value>,
    ) -> anyhow::Result<Answer> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key.to_string());
        }
        let payload = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Bytes::from(serde_json::to_vec(body)?)
            }
            None => Bytes::new(),
        };
        let response = self
            .client
            .request(request.body(Full::new(payload))?)
            .await?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let bytes = response.into_body().collect().await?.to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            body,
            retry_after,
        })
    }

    /// The body of a GET to an absolute URL (metrics endpoints), within 2 s.
    pub async fn get_text(&self, url: &str) -> anyhow::Result<String> {
        let request = Request::get(url).body(Full::new(Bytes::new()))?;
        let response =
            tokio::time::timeout(Duration::from_secs(2), self.client.request(request)).await??;
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Tokens of `count` users: from the cache file when they still work for a while, else
    /// fresh users registered and logged in (waiting out the login rate limit if it bites).
    pub async fn tokens(&self, count: usize, cache: Option<&Path>) -> anyhow::Result<Vec<String>> {
        if let Some(tokens) = self.cached_tokens(count, cache).await {
            return Ok(tokens);
        }
        let run = Uuid::new_v4().simple().to_string();
        let mut tokens = Vec::with_capacity(count);
        for n in 0..count {
            let email = format!("bench-{}-{n}@example.com", &run[..12]);
            let account = json!({"email": email, "password": PASSWORD, "role": "user"});
            let answer = self
                .call(Method::POST, "/auth/register", None, None, Some(&account))
                .await?;
            if answer.status != StatusCode::CREATED {
                bail!("register: HTTP {} {}", answer.status, answer.body);
            }
            let login = json!({"email": email, "password": PASSWORD});
            loop {
                let answer = self
                    .call(Method::POST, "/auth/login", None, None, Some(&login))
                    .await?;
                match answer.status {
                    StatusCode::OK => {
                        let token = answer.body["access_token"]
                            .as_str()
                            .context("login answered without access_token")?;
                        tokens.push(token.to_owned());
                        break;
                    }
                    StatusCode::TOO_MANY_REQUESTS => {
                        let wait = answer.retry_after.unwrap_or(10);
                        eprintln!("login rate limit: waiting {wait} s");
                        tokio::time::sleep(Duration::from_secs(wait)).await;
                    }
                    status => bail!("login: HTTP {status} {}", answer.body),
                }
            }
        }
        if let Some(path) = cache {
            // Access tokens live 15 minutes from the first login of this loop; keep a margin.
            let expires = chrono::Utc::now().timestamp() + 13 * 60;
            let saved = json!({"api": self.base, "expires_at": expires, "tokens": tokens});
            std::fs::write(path, saved.to_string())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(tokens)
    }

    /// Cached tokens with at least 5 minutes to live that the API still accepts.
    async fn cached_tokens(&self, count: usize, cache: Option<&Path>) -> Option<Vec<String>> {
        let saved: Value = serde_json::from_slice(&std::fs::read(cache?).ok()?).ok()?;
        let fresh = saved["expires_at"].as_i64()? > chrono::Utc::now().timestamp() + 5 * 60;
        if !fresh || saved["api"].as_str()? != self.base {
            return None;
        }
        let tokens: Vec<String> = saved["tokens"]
            .as_array()?
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
        if tokens.len() < count {
            return None;
        }
        let probe = self
            .call(Method::GET, "/me", Some(&tokens[0]), None, None)
            .await
            .ok()?;
        (probe.status == StatusCode::OK).then(|| tokens.into_iter().take(count).collect())
    }
}
