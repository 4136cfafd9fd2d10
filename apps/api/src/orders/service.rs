//! The order rules and transactions: creation with idempotency and outbox, reads through
//! the cache, status transitions, and keyset listings.

use std::str::FromStr;

use anyhow::anyhow;
use chrono::{DateTime, SubsecRound, Utc};
use events::{CancelReason, Envelope, EventPayload, OrderCreated, OrderItem, OrderStatusChanged};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::cursor::{CursorKey, Position};
use super::domain::{Currency, NewOrder, OrderStatus, TargetStatus};
use super::dto::{Order, OrderLine, OrderPage, OrderSummary, ShortLine};
use super::reservation::{PaymentBlocked, Reservation};
use super::{cache, repo};
use crate::auth::{AuthUser, VerifiedToken};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The `producer` of every envelope this service writes.
const PRODUCER: &str = "api";
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// Timestamps are taken once and truncated to whole milliseconds, so the value stored in
/// PostgreSQL equals the `occurred_at` the event carries.
pub(crate) fn now_millis() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// Owners see their orders; admins see every order; anyone else sees nothing (404).
fn may_see(caller: &AuthUser, owner: Uuid) -> bool {
    caller.id == owner || caller.is_admin()
}

pub enum Created {
    New(Order),
    /// The same user sent the same request with the same key before.
    Replayed(Order),
}

pub async fn create_order(
    state: &AppState,
    user_id: Uuid,
    idempotency_key: Uuid,
    order: NewOrder,
    trace_id: &str,
) -> ApiResult<Created> {
    let request_hash = order.canonical_hash();
    let created_at = now_millis();
    let order_id = Uuid::now_v7();
    let reservation = if state.config.inventory_saga_enabled {
        Reservation::Pending
    } else {
        Reservation::None
    };
    let max_unpaid = state.config.max_unpaid_orders;
    let mut tx = state.db.begin().await?;
    if max_unpaid.is_some() {
        // Queues this user's concurrent creations so the unpaid count cannot be raced.
        repo::lock_user_orders(&mut tx, user_id).await?;
    }
    let inserted = repo::insert_order(
        &mut tx,
        &repo::InsertOrder {
            id: order_id,
            user_id,
            idempotency_key,
            request_hash: &request_hash,
            created_at,
            reservation: reservation.as_str(),
            order: &order,
        },
        max_unpaid,
    )
    .await
    .map_err(|err| {
        if constraint(&err) == Some("orders_user_id_fkey") {
            ApiError::unauthorized("the user of this token no longer exists")
        } else {
            ApiError::internal(err)
        }
    })?;
    match inserted {
        repo::Inserted::Created => {}
        repo::Inserted::KeyUsed => {
            tx.rollback().await?;
            return replay(state, user_id, idempotency_key, &request_hash).await;
        }
        repo::Inserted::TooManyUnpaid => {
            tx.rollback().await?;
            let max = max_unpaid.unwrap_or_default();
            return Err(ApiError::conflict(
                "TOO_MANY_UNPAID_ORDERS",
                format!("you already have {max} unpaid orders; pay or cancel one first"),
            ));
        }
    }
    let envelope = Envelope::new(
        Uuid::now_v7(),
        created_at,
        PRODUCER,
        trace_id,
        EventPayload::OrderCreated(OrderCreated {
            order_id,
            user_id,
            currency: order.currency.as_str().to_owned(),
            total_amount: order.total_amount,
            items: order
                .items
                .iter()
                .map(|item| OrderItem {
                    sku: item.sku.as_str().to_owned(),
                    qty: item.qty.get(),
                    unit_price: item.unit_price.get(),
                })
                .collect(),
        }),
    );
    repo::insert_outbox_event(&mut tx, &envelope).await?;
    tx.commit().await?;
    Ok(Created::New(Order {
        id: order_id,
        user_id,
        status: OrderStatus::Created,
        reservation,
        currency: order.currency,
        total_amount: order.total_amount,
        items: order
            .items
            .into_iter()
            .map(|item| OrderLine {
                sku: item.sku.into_string(),
                qty: item.qty.get(),
                unit_price: item.unit_price.get(),
                line_total: item.line_total,
            })
            .collect(),
        short_lines: Vec::new(),
        created_at,
    }))
}

fn constraint(err: &sqlx::Error) -> Option<&str> {
    err.as_database_error().and_then(|db| db.constraint())
}

/// The key was used before by this user: the original order if the request is the same,
/// otherwise 409. Reached only after the first request committed (the conflicting insert
/// waited for it), so the row is there.
async fn replay(
    state: &AppState,
    user_id: Uuid,
    idempotency_key: Uuid,
    request_hash: &str,
) -> ApiResult<Created> {
    let (order_id, stored_hash) =
        repo::find_by_idempotency_key(&state.db, user_id, idempotency_key)
            .await?
            .ok_or_else(|| ApiError::internal(anyhow!("idempotency conflict without an order")))?;
    if stored_hash != request_hash {
        return Err(ApiError::conflict(
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was already used with a different request",
        ));
    }
    let mut conn = state.db.acquire().await?;
    let order = load_order(&mut conn, order_id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow!("idempotent order vanished")))?;
    Ok(Created::Replayed(order))
}

async fn load_order(conn: &mut PgConnection, id: Uuid) -> ApiResult<Option<Order>> {
    let Some(row) = repo::find_order(conn, id).await? else {
        return Ok(None);
    };
    let items = repo::find_items(conn, id).await?;
    let status = parse_stored::<OrderStatus>(&row.status)?;
    Ok(Some(snapshot(row, status, items)?))
}

/// A value the database holds that the domain does not know is a bug, not bad input.
pub(crate) fn parse_stored<T: FromStr<Err = String>>(text: &str) -> anyhow::Result<T> {
    T::from_str(text).map_err(|err| anyhow!("stored value {text:?}: {err}"))
}

fn snapshot(
    row: repo::OrderRow,
    status: OrderStatus,
    items: Vec<repo::ItemRow>,
) -> anyhow::Result<Order> {
    let items = items
        .into_iter()
        .map(|item| {
            let line_total = i64::from(item.qty)
                .checked_mul(item.unit_price)
                .ok_or_else(|| anyhow!("stored line total overflows"))?;
            Ok(OrderLine {
                sku: item.sku,
                qty: item.qty,
                unit_price: item.unit_price,
                line_total,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Order {
        id: row.id,
        user_id: row.user_id,
        status,
        reservation: parse_stored::<Reservation>(&row.reservation)?,
        currency: parse_stored::<Currency>(&row.currency)?,
        total_amount: row.total_amount,
        items,
        short_lines: short_lines(row.short_lines)?,
        created_at: row.created_at,
    })
}

/// The stored `short_lines` (written by the saga from `StockRejected`, shape owned by the
/// `events` crate) as the snapshot shows them.
fn short_lines(stored: serde_json::Value) -> anyhow::Result<Vec<ShortLine>> {
    let lines: Vec<events::ShortLine> = serde_json::from_value(stored)?;
    Ok(lines
        .into_iter()
        .map(|line| ShortLine {
            sku: line.sku,
            requested: line.requested,
            available: line.available,
        })
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    Hit,
    Miss,
}

impl CacheOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
        }
    }
}

/// Just what authorization needs from a cached snapshot.
#[derive(Deserialize)]
struct CachedOwner {
    user_id: Uuid,
}

/// The order's JSON snapshot, from the cache when possible. Who may see it is decided
/// from the snapshot's `user_id` before anything is returned.
///
/// The token's denylist lookup rides in the same Redis round trip as the cache read. If
/// that pipeline fails, both are done again separately: the denylist fail-closed (503),
/// the cache best-effort (a miss), as everywhere else.
pub async fn get_order(
    state: &AppState,
    token: VerifiedToken,
    id: Uuid,
) -> ApiResult<(String, CacheOutcome)> {
    let (caller, cached) = match cache::get_with_denylist(state, &token.denylist_key(), id).await {
        Ok((denylisted, cached)) => (token.confirm(denylisted)?, cached),
        Err(err) => {
            tracing::warn!(error = %err, "denylist and cache pipeline failed; retrying apart");
            let caller = token.check(state).await?;
            (caller, cache::get(state, id).await)
        }
    };
    let caller = &caller;
    if let Some(cached) = cached {
        if let Ok(owner) = serde_json::from_str::<CachedOwner>(&cached) {
            metrics::counter!("order_cache_hits_total").increment(1);
            if !may_see(caller, owner.user_id) {
                return Err(ApiError::not_found());
            }
            return Ok((cached, CacheOutcome::Hit));
        }
        tracing::warn!("ignoring an unreadable order cache entry");
    }
    metrics::counter!("order_cache_misses_total").increment(1);
    let mut conn = state.db.acquire().await?;
    let order = load_order(&mut conn, id)
        .await?
        .filter(|order| may_see(caller, order.user_id))
        .ok_or_else(ApiError::not_found)?;
    drop(conn);
    let body = serde_json::to_string(&order)?;
    cache::put(state, id, &body).await;
    Ok((body, CacheOutcome::Miss))
}

/// Moves a `created` order to `paid` or `canceled` and records the event, in one
/// transaction. The row lock makes concurrent changes (another request, the order saga,
/// the expiry sweeper) queue: the first wins, the others then see its outcome. Paying
/// also needs the stock held (docs/spec.md#order-reservation).
pub async fn change_status(
    state: &AppState,
    caller: &AuthUser,
    id: Uuid,
    target: TargetStatus,
    trace_id: &str,
) -> ApiResult<Order> {
    let mut tx = state.db.begin().await?;
    let row = repo::lock_order(&mut tx, id)
        .await?
        .filter(|row| may_see(caller, row.user_id))
        .ok_or_else(ApiError::not_found)?;
    let current = parse_stored::<OrderStatus>(&row.status)?;
    let next = current.transition(target.into()).map_err(|invalid| {
        ApiError::conflict(
            "INVALID_TRANSITION",
            format!("an order cannot go from {} to {}", invalid.from, invalid.to),
        )
    })?;
    if target == TargetStatus::Paid {
        let reservation = parse_stored::<Reservation>(&row.reservation)?;
        reservation.check_payable().map_err(payment_blocked)?;
    }
    repo::set_status(&mut tx, id, next.as_str()).await?;
    let data = OrderStatusChanged {
        order_id: id,
        user_id: row.user_id,
        total_amount: row.total_amount,
        currency: row.currency.clone(),
        reason: match target {
            TargetStatus::Paid => None,
            TargetStatus::Canceled => Some(CancelReason::Requested),
        },
    };
    let payload = match target {
        TargetStatus::Paid => EventPayload::OrderPaid(data),
        TargetStatus::Canceled => EventPayload::OrderCanceled(data),
    };
    let envelope = Envelope::new(Uuid::now_v7(), now_millis(), PRODUCER, trace_id, payload);
    repo::insert_outbox_event(&mut tx, &envelope).await?;
    let items = repo::find_items(&mut tx, id).await?;
    tx.commit().await?;
    cache::invalidate(&state.redis, id).await;
    Ok(snapshot(row, next, items)?)
}

fn payment_blocked(blocked: PaymentBlocked) -> ApiError {
    match blocked {
        PaymentBlocked::Pending => ApiError::conflict(
            "RESERVATION_PENDING",
            "the stock for this order is not reserved yet; try again shortly",
        ),
        PaymentBlocked::NotHeld(reservation) => ApiError::conflict(
            "RESERVATION_NOT_HELD",
            format!("no stock is held for this order (reservation {reservation})"),
        ),
    }
}

/// Whose orders a listing shows; part of the cursor's scope.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    /// `GET /orders`: the caller's own.
    Own(Uuid),
    /// `GET /admin/orders`, optionally for one user.
    Admin(Option<Uuid>),
}

pub struct ListRequest<'a> {
    pub listing: Listing,
    pub status: Option<OrderStatus>,
    /// Admin listings only.
    pub reservation: Option<Reservation>,
    pub limit: i64,
    pub cursor: Option<&'a str>,
}

/// Parses `limit` (default 20, 1..=100).
pub fn parse_limit(limit: Option<&str>) -> Result<i64, String> {
    let Some(text) = limit else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<i64>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(format!("must be an integer from 1 to {MAX_LIMIT}")),
    }
}

fn cursor_scope(
    listing: Listing,
    status: Option<OrderStatus>,
    reservation: Option<Reservation>,
) -> String {
    let status = status.map_or("*", OrderStatus::as_str);
    let scope = match listing {
        Listing::Own(user) => format!("own:{user}|status:{status}"),
        Listing::Admin(Some(user)) => format!("admin:{user}|status:{status}"),
        Listing::Admin(None) => format!("admin:*|status:{status}"),
    };
    // Appended only when filtering, so cursors issued before the filter existed stay valid.
    match reservation {
        Some(reservation) => format!("{scope}|reservation:{reservation}"),
        None => scope,
    }
}

/// Before every real order: the first page starts here.
fn start_position() -> Position {
    Position {
        created_at: DateTime::from_timestamp(253_402_300_799, 0).expect("9999-12-31 is valid"),
        id: Uuid::max(),
    }
}

pub async fn list_orders(state: &AppState, request: ListRequest<'_>) -> ApiResult<OrderPage> {
    let key = CursorKey::derive(state.config.jwt_secret.expose().as_bytes());
    let scope = cursor_scope(request.listing, request.status, request.reservation);
    let before = match request.cursor {
        None => start_position(),
        Some(cursor) => key.decode(cursor, &scope).ok_or_else(|| {
            ApiError::invalid_field(
                "cursor",
                "is malformed, tampered with, or belongs to another listing",
            )
        })?,
    };
    let filter = repo::Filter {
        status: request.status.map(OrderStatus::as_str),
        reservation: request.reservation.map(Reservation::as_str),
    };
    // One extra row tells whether there is a next page.
    let fetch = request.limit + 1;
    let mut rows = match request.listing {
        Listing::Own(user) | Listing::Admin(Some(user)) => {
            repo::list_for_user(&state.db, user, filter, before, fetch).await?
        }
        Listing::Admin(None) => repo::list_all(&state.db, filter, before, fetch).await?,
    };
    let has_more = rows.len() > usize::try_from(request.limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(request.limit).unwrap_or(usize::MAX));
    let next_cursor = match rows.last() {
        Some(last) if has_more => Some(key.encode(
            Position {
                created_at: last.created_at,
                id: last.id,
            },
            &scope,
        )),
        _ => None,
    };
    let items = rows
        .into_iter()
        .map(|row| {
            Ok(OrderSummary {
                id: row.id,
                user_id: row.user_id,
                status: parse_stored(&row.status)?,
                reservation: parse_stored(&row.reservation)?,
                currency: parse_stored(&row.currency)?,
                total_amount: row.total_amount,
                created_at: row.created_at,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(OrderPage { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds() {
        assert_eq!(parse_limit(None), Ok(20));
        assert_eq!(parse_limit(Some("1")), Ok(1));
        assert_eq!(parse_limit(Some("100")), Ok(100));
        for bad in ["0", "101", "-1", "", "abc", "1.5", "99999999999999999999"] {
            assert!(parse_limit(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cursor_scope_names_the_listing_and_filter() {
        let user = Uuid::nil();
        assert_ne!(
            cursor_scope(Listing::Own(user), None, None),
            cursor_scope(Listing::Admin(Some(user)), None, None)
        );
        assert_ne!(
            cursor_scope(Listing::Own(user), None, None),
            cursor_scope(Listing::Own(user), Some(OrderStatus::Paid), None)
        );
        assert_ne!(
            cursor_scope(Listing::Admin(None), None, None),
            cursor_scope(Listing::Admin(Some(user)), None, None)
        );
        assert_ne!(
            cursor_scope(Listing::Admin(None), None, None),
            cursor_scope(Listing::Admin(None), None, Some(Reservation::Reserved))
        );
        assert_ne!(
            cursor_scope(Listing::Admin(None), None, Some(Reservation::Pending)),
            cursor_scope(Listing::Admin(None), None, Some(Reservation::Reserved))
        );
    }
}
