//! Data of the inventory service's events on `inventory.events` (docs/spec.md#inventory-saga).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::envelope::{decode, invalid, EnvelopeError};

/// One SKU of an order as the inventory sees it: quantities of lines with the same SKU are
/// summed, and lines are sorted by SKU (the order rows are locked in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockLine {
    pub sku: String,
    pub qty: i64,
}

/// Data of `StockReserved`, `StockCommitted` and `StockReleased`: which order, which units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReservation {
    pub order_id: Uuid,
    pub items: Vec<StockLine>,
}

/// A line that could not be reserved; an unknown SKU has 0 available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortLine {
    pub sku: String,
    pub requested: i64,
    pub available: i64,
}

/// Data of `StockRejected`: nothing was reserved; these lines were short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRejected {
    pub order_id: Uuid,
    pub short_lines: Vec<ShortLine>,
}

/// Why an admin changed `on_hand`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustReason {
    /// The SKU was created with this much stock.
    Created,
    /// `on_hand` went up.
    Restock,
    /// `on_hand` went down (a count correction, shrinkage).
    Correction,
}

/// Data of `StockAdjusted` (key = SKU): an admin created a SKU or set its `on_hand`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub sku: String,
    pub reason: AdjustReason,
    pub previous_on_hand: i64,
    pub on_hand: i64,
    pub reserved: i64,
    /// The admin who made the change.
    pub actor_id: Uuid,
}

pub(crate) fn validated_reservation(data: Value) -> Result<StockReservation, EnvelopeError> {
    let data: StockReservation = decode(data, "data.")?;
    if data.items.is_empty() {
        return Err(invalid("data.items", "must not be empty"));
    }
    for (index, line) in data.items.iter().enumerate() {
        validate_sku(&line.sku, &format!("data.items[{index}].sku"))?;
        if line.qty < 1 {
            return Err(invalid(
                &format!("data.items[{index}].qty"),
                "must be at least 1",
            ));
        }
    }
    Ok(data)
}

pub(crate) fn validate_rejected(data: &StockRejected) -> Result<(), EnvelopeError> {
    if data.short_lines.is_empty() {
        return Err(invalid("data.short_lines", "must not be empty"));
    }
    for (index, line) in data.short_lines.iter().enumerate() {
        validate_sku(&line.sku, &format!("data.short_lines[{index}].sku"))?;
        if line.requested < 1 {
            return Err(invalid(
                &format!("data.short_lines[{index}].requested"),
                "must be at least 1",
            ));
        }
        if line.available < 0 || line.available >= line.requested {
            return Err(invalid(
                &format!("data.short_lines[{index}].available"),
                "must be at least 0 and less than requested",
            ));
        }
    }
    Ok(())
}

pub(crate) fn validate_adjusted(data: &StockAdjusted) -> Result<(), EnvelopeError> {
    validate_sku(&data.sku, "data.sku")?;
    for (field, value) in [
        ("data.previous_on_hand", data.previous_on_hand),
        ("data.on_hand", data.on_hand),
        ("data.reserved", data.reserved),
    ] {
        if value < 0 {
            return Err(invalid(field, "must not be negative"));
        }
    }
    if data.reserved > data.on_hand {
        return Err(invalid("data.reserved", "must not exceed on_hand"));
    }
    Ok(())
}

fn validate_sku(sku: &str, field: &str) -> Result<(), EnvelopeError> {
    if sku.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    Ok(())
}
