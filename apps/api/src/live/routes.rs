use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, StreamRequest};
use super::subscription::LiveMessage;
use crate::auth::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::AppQuery;
use crate::state::AppState;

/// A comment line this often keeps proxies and the browser from closing an idle stream.
pub const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(15);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_ticket))
        .routes(routes!(stream))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketIssued {
    /// Pass as `ticket` to `GET /live/stream` within 30 s; it works once.
    pub ticket: String,
    /// RFC 3339 UTC with milliseconds.
    #[schema(format = DateTime, example = "2026-11-26T16:00:30.000Z")]
    pub expires_at: String,
}

/// A single-use ticket for opening one live stream (any logged-in user).
///
/// `EventSource` cannot send an `Authorization` header, and access tokens must not appear in
/// URLs (they end up in logs and history): the client trades its token for a ticket that is
/// valid for 30 s and works once.
#[utoipa::path(
    post,
    path = "/live/tickets",
    tag = "live",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The ticket", body = TicketIssued),
        (status = 401, description = "Missing, invalid or expired access token", body = ErrorBody),
    )
)]
pub async fn create_ticket(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<impl IntoResponse> {
    let issued = service::issue_ticket(&state, &user).await?;
    let body = TicketIssued {
        ticket: issued.ticket.expose().to_owned(),
        expires_at: events::format_rfc3339_millis(&issued.expires_at),
    };
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// A ticket from `POST /live/tickets`.
    #[param(required = true, value_type = String)]
    pub ticket: Option<String>,
    /// Comma-separated channels (at most 20): `stats`, `order:<uuid>`, `pipeline` (admins).
    #[param(required = true, value_type = String, example = "stats")]
    pub channels: Option<String>,
    /// Resume after this event id, for clients that cannot send `Last-Event-ID` (the header
    /// wins when both are sent).
    #[param(value_type = Option<String>, example = "3f2a9c01-42")]
    pub last_event_id: Option<String>,
}

/// Live updates as Server-Sent Events (no `Authorization` header: a ticket instead).
///
/// Events: `stats` (a changed per-SKU window, `{"sku","currency","window_start","window_end",
/// "qty_sum","revenue_sum"}`), `order` (`{"order_id","event_type","at"}`: refetch the
/// order), `pipeline` (the `GET /admin/pipeline` body every ~2 s; no id), `reset` (`{}`:
/// resuming was impossible, refetch everything). Every `stats`, `order` and `reset` event
/// has an id `<epoch>-<seq>`; reconnecting with it as `Last-Event-ID` delivers what was
/// missed. A comment line every 15 s keeps the stream alive. The stream ends when the
/// server shuts down.
#[utoipa::path(
    get,
    path = "/live/stream",
    tag = "live",
    params(
        StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received, to resume after it"),
    ),
    responses(
        (status = 200, description = "The event stream", content_type = "text/event-stream", body = String),
        (status = 400, description = "An unknown or malformed channel (`INVALID_CHANNELS`)", body = ErrorBody),
        (status = 401, description = "Missing, invalid, expired or already used ticket", body = ErrorBody),
        (status = 403, description = "A channel the ticket's holder may not see: `pipeline` for a user, someone else's order", body = ErrorBody),
        (status = 422, description = "A query parameter given twice", body = ErrorBody),
    )
)]
pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppQuery(params): AppQuery<StreamParams>,
) -> ApiResult<impl IntoResponse> {
    let header_id = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok());
    let request = StreamRequest {
        ticket: params.ticket.as_deref(),
        channels: params.channels.as_deref(),
        last_event_id: header_id.or(params.last_event_id.as_deref()),
    };
    let subscription = service::open_stream(&state, request).await?;
    let events = futures::stream::unfold(subscription, |mut subscription| async move {
        let message = subscription.next().await?;
        Some((Ok::<_, Infallible>(sse_event(message)), subscription))
    });
    Ok((
        // Reverse proxies (nginx) must pass events on at once instead of buffering them.
        [("x-accel-buffering", "no")],
        Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE_INTERVAL)),
    ))
}

fn sse_event(message: LiveMessage) -> Event {
    match message {
        LiveMessage::Event { id, event } => Event::default()
            .id(id.to_string())
            .event(event.subject.event_name())
            .data(&*event.data),
        LiveMessage::Reset { id } => Event::default()
            .id(id.to_string())
            .event("reset")
            .data("{}"),
        LiveMessage::Pipeline(snapshot) => Event::default().event("pipeline").data(&*snapshot),
    }
}
