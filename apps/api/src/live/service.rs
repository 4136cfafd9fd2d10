//! Issuing tickets and opening streams: who may see which channel is decided once, when
//! the stream opens.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::domain::Channels;
use super::subscription::Subscription;
use super::tickets::{self, Ticket, TicketHolder, TICKET_TTL_SECONDS};
use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::orders::repo;
use crate::state::AppState;

/// A ticket and when it stops being valid.
pub struct Issued {
    pub ticket: Ticket,
    pub expires_at: chrono::DateTime<Utc>,
}

pub async fn issue_ticket(state: &AppState, user: &AuthUser) -> ApiResult<Issued> {
    let ticket = Ticket::generate();
    let expires_at = Utc::now() + Duration::seconds(TICKET_TTL_SECONDS as i64);
    let holder = TicketHolder {
        user_id: user.id,
        role: user.role,
    };
    tickets::store(&state.redis, &ticket, holder).await?;
    Ok(Issued { ticket, expires_at })
}

/// What `GET /live/stream` was asked, as sent.
pub struct StreamRequest<'a> {
    pub ticket: Option<&'a str>,
    pub channels: Option<&'a str>,
    pub last_event_id: Option<&'a str>,
}

const BAD_TICKET: &str = "missing, invalid, expired or already used stream ticket";

/// Redeems the ticket (401), parses the channels (400), checks that the holder may see
/// each of them (403), then subscribes.
pub async fn open_stream(state: &AppState, request: StreamRequest<'_>) -> ApiResult<Subscription> {
    let ticket = request
        .ticket
        .and_then(Ticket::parse)
        .ok_or_else(|| ApiError::unauthorized(BAD_TICKET))?;
    let holder = tickets::redeem(&state.redis, &ticket)
        .await?
        .ok_or_else(|| ApiError::unauthorized(BAD_TICKET))?;
    let channels = Channels::parse(request.channels.unwrap_or(""))
        .map_err(|problem| ApiError::bad_request("INVALID_CHANNELS", problem))?;
    authorize(state, holder, &channels).await?;
    Ok(state.live.subscribe(channels, request.last_event_id))
}

/// A user sees `stats` and their own orders; an admin sees every order and `pipeline`.
async fn authorize(state: &AppState, holder: TicketHolder, channels: &Channels) -> ApiResult<()> {
    if holder.role == Role::Admin {
        return Ok(());
    }
    if channels.pipeline {
        return Err(ApiError::forbidden("the pipeline channel is for admins"));
    }
    if channels.orders.is_empty() {
        return Ok(());
    }
    let mut conn = state.db.acquire().await?;
    for &order_id in &channels.orders {
        let owner: Option<Uuid> = repo::find_order(&mut conn, order_id)
            .await?
            .map(|order| order.user_id);
        // An unknown order is refused like someone else's: its existence is not revealed.
        if owner != Some(holder.user_id) {
            return Err(ApiError::forbidden(format!(
                "you may not follow order {order_id}"
            )));
        }
    }
    Ok(())
}
