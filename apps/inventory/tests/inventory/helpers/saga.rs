//! Events as the orders side writes them to `orders.events`.

use chrono::Utc;
use events::{CancelReason, Envelope, EventPayload, OrderCreated, OrderItem, OrderStatusChanged};
use uuid::Uuid;

use super::TestApp;

/// `OrderCreated` for a new order with `(sku, qty)` lines.
pub fn created(lines: &[(&str, i32)]) -> Envelope {
    let items: Vec<OrderItem> = lines
        .iter()
        .map(|(sku, qty)| OrderItem {
            sku: (*sku).to_owned(),
            qty: *qty,
            unit_price: 100,
        })
        .collect();
    let total_amount = items.iter().map(|i| i64::from(i.qty) * i.unit_price).sum();
    envelope(EventPayload::OrderCreated(OrderCreated {
        order_id: Uuid::now_v7(),
        user_id: Uuid::new_v4(),
        currency: "EUR".into(),
        total_amount,
        items,
    }))
}

fn status_changed(order: &Envelope, reason: Option<CancelReason>) -> OrderStatusChanged {
    let EventPayload::OrderCreated(data) = &order.payload else {
        panic!("not an OrderCreated");
    };
    OrderStatusChanged {
        order_id: data.order_id,
        user_id: data.user_id,
        total_amount: data.total_amount,
        currency: data.currency.clone(),
        reason,
    }
}

pub fn paid(order: &Envelope) -> Envelope {
    envelope(EventPayload::OrderPaid(status_changed(order, None)))
}

pub fn canceled(order: &Envelope) -> Envelope {
    envelope(EventPayload::OrderCanceled(status_changed(
        order,
        Some(CancelReason::Requested),
    )))
}

fn envelope(payload: EventPayload) -> Envelope {
    Envelope::new(Uuid::now_v7(), Utc::now(), "api", "test-trace", payload)
}

/// The `Stock*` events in the outbox, parsed, in insertion order.
pub async fn stock_events(app: &TestApp) -> Vec<Envelope> {
    app.outbox()
        .await
        .into_iter()
        .map(|(_, _, payload)| Envelope::from_json_value(payload).expect("a valid envelope"))
        .collect()
}

impl TestApp {
    /// Handles the event as the consumer does; panics on a database error.
    pub async fn handle(&self, event: &Envelope) -> inventory::saga::Outcome {
        inventory::saga::handle(self.pool(), event)
            .await
            .expect("the event is handled")
    }
}
