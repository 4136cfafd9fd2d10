//! [`InventoryClient`]: plain HTTP/1.1 to the inventory service. It forwards the caller's
//! `Authorization` and `X-Request-Id`, turns the uniform error body back into
//! [`ClientError::Api`], and anything that never got an answer into
//! [`ClientError::Unavailable`] (the api answers that with 503).

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::dto::{
    paths, AvailabilityList, CreateStock, ErrorBody, OutboxStatus, RequeuedDead, SetOnHand,
    StockItem, StockPage, StockQuery,
};

/// How long one call may take before the service counts as unavailable.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an error status and the uniform body.
    #[error("inventory answered {status}: {} ({})", .body.error.code, .body.error.message)]
    Api { status: StatusCode, body: ErrorBody },
    /// No answer: refused, reset, timed out, or an answer that is not ours (a proxy page).
    #[error("inventory unavailable: {0}")]
    Unavailable(String),
    /// A success status whose body does not fit the contract: a bug on one side.
    #[error("inventory answered an unexpected body: {0}")]
    Decode(String),
}

impl ClientError {
    /// The error code of an [`ClientError::Api`] answer.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. } => Some(&body.error.code),
            _ => None,
        }
    }
}

/// Who is calling: forwarded as is, so the service verifies the same token and logs the
/// same request id.
#[derive(Debug, Clone, Default)]
pub struct CallContext {
    /// The whole `Authorization` header value (`Bearer ...`).
    pub authorization: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Clone)]
pub struct InventoryClient {
    base_url: String,
    http: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl InventoryClient {
    /// `base_url` like `http://127.0.0.1:8010` (no trailing slash needed).
    pub fn new(base_url: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(2)));
        connector.set_nodelay(true);
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: Client::builder(TokioExecutor::new()).build(connector),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub async fn list_stock(
        &self,
        ctx: &CallContext,
        query: &StockQuery,
    ) -> Result<StockPage, ClientError> {
        // The serializer is not `Send`: it must be gone before the first `.await`, so the
        // call can run in a multi-threaded server.
        let path = {
            let mut pairs = form_urlencoded::Serializer::new(String::new());
            if let Some(prefix) = &query.sku_prefix {
                pairs.append_pair("sku_prefix", prefix);
            }
            if let Some(limit) = query.limit {
                pairs.append_pair("limit", &limit.to_string());
            }
            if let Some(cursor) = &query.cursor {
                pairs.append_pair("cursor", cursor);
            }
            with_query(paths::STOCK, pairs.finish())
        };
        self.call(ctx, Method::GET, &path, None::<&()>).await
    }

    pub async fn get_stock(&self, ctx: &CallContext, sku: &str) -> Result<StockItem, ClientError> {
        self.call(ctx, Method::GET, &paths::stock_item(sku), None::<&()>)
            .await
    }

    pub async fn create_stock(
        &self,
        ctx: &CallContext,
        body: &CreateStock,
    ) -> Result<StockItem, ClientError> {
        self.call(ctx, Method::POST, paths::STOCK, Some(body)).await
    }

    pub async fn set_on_hand(
        &self,
        ctx: &CallContext,
        sku: &str,
        body: &SetOnHand,
    ) -> Result<StockItem, ClientError> {
        self.call(ctx, Method::PUT, &paths::on_hand(sku), Some(body))
            .await
    }

    pub async fn availability(
        &self,
        ctx: &CallContext,
        skus: &[&str],
    ) -> Result<AvailabilityList, ClientError> {
        let path = {
            let mut pairs = form_urlencoded::Serializer::new(String::new());
            for sku in skus {
                pairs.append_pair("sku", sku);
            }
            with_query(paths::AVAILABILITY, pairs.finish())
        };
        self.call(ctx, Method::GET, &path, None::<&()>).await
    }

    /// The inventory outbox's figures (admin).
    pub async fn outbox_status(&self, ctx: &CallContext) -> Result<OutboxStatus, ClientError> {
        self.call(ctx, Method::GET, paths::OUTBOX, None::<&()>)
            .await
    }

    /// Puts the inventory outbox's dead rows back in the queue (admin).
    pub async fn requeue_dead_outbox(
        &self,
        ctx: &CallContext,
    ) -> Result<RequeuedDead, ClientError> {
        self.call(ctx, Method::POST, paths::OUTBOX_REQUEUE_DEAD, None::<&()>)
            .await
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        ctx: &CallContext,
        method: Method,
        path_and_query: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path_and_query}", self.base_url))
            .header(ACCEPT, "application/json");
        if let Some(value) = ctx
            .authorization
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(value) = ctx
            .request_id
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            request = request.header(REQUEST_ID_HEADER, value);
        }
        let bytes = match body {
            Some(body) => {
                request = request.header(CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(body).expect("request bodies are plain JSON"))
            }
            None => Bytes::new(),
        };
        let request = request
            .body(Full::new(bytes))
            .map_err(|err| ClientError::Unavailable(format!("cannot build the request: {err}")))?;

        let exchange = async {
            let response = self.http.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body))
        };
        let (status, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| ClientError::Unavailable(format!("no answer within {:?}", self.timeout)))?
            .map_err(|err| ClientError::Unavailable(err.to_string()))?;

        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|err| ClientError::Decode(err.to_string()));
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(body) => Err(ClientError::Api { status, body }),
            // Not our error body: whatever answered is not the inventory service working.
            Err(_) => Err(ClientError::Unavailable(format!(
                "answered {status} without the error body"
            ))),
        }
    }
}

fn with_query(path: &str, query: String) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so any text (even a
/// SKU a user typed wrongly) stays one path segment; the service then refuses it.
pub(crate) fn encode_path_segment(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_path_segment("SKU-1_A"), "SKU-1_A");
        assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(paths::on_hand("X?Y"), "/stock/X%3FY/on-hand");
    }

    #[tokio::test]
    async fn a_closed_port_is_unavailable() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let client = InventoryClient::new(&format!("http://127.0.0.1:{port}"));
        let err = client
            .get_stock(&CallContext::default(), "SKU-1")
            .await
            .unwrap_err();
        assert!(matches!(err, ClientError::Unavailable(_)), "{err:?}");
    }
}
