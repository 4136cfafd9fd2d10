//! HTTP transport of the stock API (docs/spec.md#inventory-http-api). Admins manage stock;
//! any logged-in user may ask for availability.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Extension, Json, Router};
use inventory_api::{
    paths, AvailabilityList, CreateStock, SetOnHand, SkuAvailability, StockItem, StockPage,
};
use sqlx::PgPool;

use super::domain::{parse_availability, OnHand, Sku, StockListing};
use super::repo::StockRow;
use super::service;
use crate::auth::{AdminCaller, Caller};
use crate::error::{AppError, AppResult};
use crate::http::{AppJson, QueryPairs, RequestId};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::STOCK, get(list).post(create))
        .route("/stock/{sku}", get(read))
        .route("/stock/{sku}/on-hand", put(set_on_hand))
        .route(paths::AVAILABILITY, get(availability))
}

fn item(row: StockRow) -> StockItem {
    StockItem {
        available: row.on_hand - row.reserved,
        sku: row.sku,
        on_hand: row.on_hand,
        reserved: row.reserved,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// A path that cannot name a SKU names no resource: 404 like an unknown SKU.
fn path_sku(path: Result<Path<String>, PathRejection>) -> AppResult<Sku> {
    let Path(text) = path.map_err(|_| AppError::not_found())?;
    Sku::parse(&text).map_err(|_| AppError::not_found())
}

fn body_on_hand(value: i64) -> AppResult<OnHand> {
    OnHand::parse(value).map_err(|message| AppError::invalid_field("on_hand", message))
}

async fn list(
    _admin: AdminCaller,
    State(db): State<PgPool>,
    QueryPairs(pairs): QueryPairs,
) -> AppResult<Json<StockPage>> {
    let listing = StockListing::parse(&pairs).map_err(AppError::validation)?;
    let page = service::list(&db, &listing).await?;
    Ok(Json(StockPage {
        items: page.rows.into_iter().map(item).collect(),
        next_cursor: page.next_cursor,
    }))
}

async fn read(
    _admin: AdminCaller,
    State(db): State<PgPool>,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Json<StockItem>> {
    let sku = path_sku(path)?;
    Ok(Json(item(service::get(&db, &sku).await?)))
}

async fn create(
    AdminCaller(admin): AdminCaller,
    State(db): State<PgPool>,
    Extension(request_id): Extension<RequestId>,
    AppJson(body): AppJson<CreateStock>,
) -> AppResult<(StatusCode, Json<StockItem>)> {
    // Name every invalid field at once.
    let mut problems = Vec::new();
    let sku = Sku::parse(&body.sku)
        .map_err(|message| problems.push(field("sku", &message)))
        .ok();
    let on_hand = OnHand::parse(body.on_hand)
        .map_err(|message| problems.push(field("on_hand", &message)))
        .ok();
    let (Some(sku), Some(on_hand)) = (sku, on_hand) else {
        return Err(AppError::validation(problems));
    };
    let row = service::create(&db, &sku, on_hand, admin.id, &request_id.0).await?;
    Ok((StatusCode::CREATED, Json(item(row))))
}

fn field(name: &str, message: &str) -> inventory_api::FieldError {
    inventory_api::FieldError {
        field: name.to_owned(),
        message: message.to_owned(),
    }
}

async fn set_on_hand(
    AdminCaller(admin): AdminCaller,
    State(db): State<PgPool>,
    Extension(request_id): Extension<RequestId>,
    path: Result<Path<String>, PathRejection>,
    AppJson(body): AppJson<SetOnHand>,
) -> AppResult<Json<StockItem>> {
    let sku = path_sku(path)?;
    let on_hand = body_on_hand(body.on_hand)?;
    let row = service::set_on_hand(&db, &sku, on_hand, admin.id, &request_id.0).await?;
    Ok(Json(item(row)))
}

async fn availability(
    _caller: Caller,
    State(db): State<PgPool>,
    QueryPairs(pairs): QueryPairs,
) -> AppResult<Json<AvailabilityList>> {
    let skus = parse_availability(&pairs).map_err(AppError::validation)?;
    let items = service::availability(&db, &skus)
        .await?
        .into_iter()
        .map(|(sku, available)| SkuAvailability { sku, available })
        .collect();
    Ok(Json(AvailabilityList { items }))
}
