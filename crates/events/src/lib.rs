//! The event envelope every orderflow service writes or reads (docs/spec.md#events).
//!
//! Producers build an [`Envelope`] and serialize it with [`Envelope::to_json`]; consumers
//! call [`Envelope::parse`], which checks, in this order, that the payload is a JSON
//! object, that its `version` is supported, that its `event_type` is known, and that every
//! required field is present and well-formed. The error says which rule failed so that a
//! consumer can dead-letter the message with a precise `error_reason`.

pub mod consumer_groups;
pub mod dead_letter;
mod envelope;
mod sku;
mod stock;
mod timestamp;

pub use envelope::{
    CancelReason, DeadLetter, Envelope, EnvelopeError, EventPayload, EventType, OrderCreated,
    OrderItem, OrderStatusChanged, ENVELOPE_VERSION,
};
pub use sku::{is_sku_byte, Sku, MAX_SKU_LEN, MIN_SKU_LEN, SKU_PATTERN};
pub use stock::{
    AdjustReason, ShortLine, StockAdjusted, StockLine, StockRejected, StockReservation,
};
pub use timestamp::format_rfc3339_millis;

/// Topic carrying every domain event, keyed by `order_id`.
pub const TOPIC_ORDER_EVENTS: &str = "orders.events";
/// Topic for events no consumer could process, and for outbox rows that exhausted retries.
pub const TOPIC_DEAD_LETTER: &str = "orders.dlq";
/// Topic the stream job writes per-SKU per-minute aggregates to.
pub const TOPIC_SKU_STATS: &str = "orders.sku-stats";
/// The inventory service's events (`Stock*`), keyed by `order_id`, or by SKU for
/// `StockAdjusted`.
pub const TOPIC_INVENTORY_EVENTS: &str = "inventory.events";
/// Messages the inventory saga's consumers (inventory service, orders saga) could not
/// process, with a reason.
pub const TOPIC_INVENTORY_DEAD_LETTER: &str = "inventory.dlq";
/// Every topic the platform owns, with the partition count it is created with.
pub const TOPICS: [(&str, i32); 5] = [
    (TOPIC_ORDER_EVENTS, 3),
    (TOPIC_DEAD_LETTER, 3),
    (TOPIC_SKU_STATS, 3),
    (TOPIC_INVENTORY_EVENTS, 3),
    (TOPIC_INVENTORY_DEAD_LETTER, 3),
];
