//! Live streams as a browser's `EventSource` uses them: a ticket, then `GET /live/stream`
//! whose body is read event by event while the test goes on.

use std::time::Duration;

use api::live::{Hub, LiveTopics};
use axum::body::Body;
use axum::http::{Method, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::{TestApp, TestResponse, TestUser};

/// One Server-Sent Event as the browser would dispatch it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|err| panic!("event data is not JSON ({err}): {:?}", self.data))
    }
}

/// An open stream; dropping it closes the connection.
pub struct LiveStream {
    body: Body,
    buffer: String,
    /// Comment lines (keep-alives) seen so far.
    pub comments: usize,
}

impl LiveStream {
    pub fn new(body: Body) -> Self {
        Self {
            body,
            buffer: String::new(),
            comments: 0,
        }
    }

    /// The next event within `timeout`; `None` when the stream ended or nothing came.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<SseEvent> {
        tokio::time::timeout(timeout, self.read_event())
            .await
            .ok()
            .flatten()
    }

    /// Skips events until one satisfies `wanted`; fails the test after `timeout`.
    pub async fn next_where(
        &mut self,
        timeout: Duration,
        what: &str,
        wanted: impl Fn(&SseEvent) -> bool,
    ) -> SseEvent {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_event(left).await {
                Some(event) if wanted(&event) => return event,
                Some(_) => continue,
                None => panic!("no {what} within {timeout:?}"),
            }
        }
    }

    /// Whether the server ended the stream within `timeout`.
    pub async fn ends_within(&mut self, timeout: Duration) -> bool {
        let drained = async { while self.read_event().await.is_some() {} };
        tokio::time::timeout(timeout, drained).await.is_ok()
    }

    /// Whether a keep-alive comment arrives within `timeout` (events before it are dropped).
    pub async fn keep_alive_within(&mut self, timeout: Duration) -> bool {
        let before = self.comments;
        let wait = async {
            while self.comments == before {
                if self.read_block().await.is_none() {
                    return false;
                }
            }
            true
        };
        tokio::time::timeout(timeout, wait).await.unwrap_or(false)
    }

    async fn read_event(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(event) = self.read_block().await? {
                return Some(event);
            }
        }
    }

    /// The next block: `Some(None)` for a comment, `None` when the stream ended.
    async fn read_block(&mut self) -> Option<Option<SseEvent>> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return Some(self.parse_block(&block));
            }
            let frame = self.body.frame().await?.expect("the stream reads");
            if let Ok(data) = frame.into_data() {
                self.buffer
                    .push_str(std::str::from_utf8(&data).expect("UTF-8"));
            }
        }
    }

    fn parse_block(&mut self, block: &str) -> Option<SseEvent> {
        let mut event = SseEvent::default();
        let mut has_data = false;
        for line in block.lines() {
            if line.starts_with(':') {
                self.comments += 1;
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => event.id = Some(value.to_owned()),
                "event" => event.event = value.to_owned(),
                "data" => {
                    if has_data {
                        event.data.push('\n');
                    }
                    event.data.push_str(value);
                    has_data = true;
                }
                _ => {}
            }
        }
        has_data.then_some(event)
    }
}

impl TestApp {
    /// Replaces the app's hub with one on topics of the test's own (see
    /// [`api::live::LiveTopics`]), so a test can publish exactly the events it expects.
    pub fn with_live_topics(mut self, topics: LiveTopics) -> Self {
        self.state.live = Hub::new(&self.state.config.kafka_brokers, topics);
        self.router = api::router(self.state.clone());
        self
    }

    /// `POST /live/tickets` as `user`.
    pub async fn live_ticket(&self, user: &TestUser) -> TestResponse {
        self.request(Method::POST, "/live/tickets")
            .bearer(&user.access_token)
            .send()
            .await
    }

    /// A fresh ticket of `user`.
    pub async fn ticket_of(&self, user: &TestUser) -> String {
        let response = self.live_ticket(user).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        response.json()["ticket"].as_str().unwrap().to_owned()
    }

    /// `GET /live/stream?{query}` (with `Last-Event-ID` when given): the open stream, or
    /// the error response when it did not open.
    pub async fn open_stream(
        &self,
        query: &str,
        last_event_id: Option<&str>,
    ) -> Result<LiveStream, TestResponse> {
        let mut request = self.request(Method::GET, &format!("/live/stream?{query}"));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let mut request = request.build();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        if status == StatusCode::OK {
            assert_eq!(
                headers.get("content-type").unwrap(),
                "text/event-stream",
                "a stream"
            );
            return Ok(LiveStream::new(response.into_body()));
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Err(TestResponse {
            status,
            headers,
            body: body.to_vec(),
        })
    }

    /// A stream of `channels` opened with a fresh ticket of `user`.
    pub async fn follow(&self, user: &TestUser, channels: &str) -> LiveStream {
        self.follow_from(user, channels, None).await
    }

    /// Like [`Self::follow`], resuming after `last_event_id`.
    pub async fn follow_from(
        &self,
        user: &TestUser,
        channels: &str,
        last_event_id: Option<&str>,
    ) -> LiveStream {
        let ticket = self.ticket_of(user).await;
        match self
            .open_stream(
                &format!("ticket={ticket}&channels={channels}"),
                last_event_id,
            )
            .await
        {
            Ok(stream) => stream,
            Err(response) => panic!(
                "the stream did not open: {} {}",
                response.status,
                response.text()
            ),
        }
    }
}
