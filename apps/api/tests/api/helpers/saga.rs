//! The inventory service's replies, applied through the order saga's own code path
//! (`api::orders::saga::apply_inventory_event`, what the `order-saga` process runs for
//! each message), so tests reach `reserved` the way production does, without a broker.

use std::fmt::Display;

use api::orders::saga::{self, Applied};
use chrono::{SubsecRound, Utc};
use events::{Envelope, EventPayload, ShortLine, StockLine, StockRejected, StockReservation};
use uuid::Uuid;

use super::TestApp;

impl TestApp {
    /// Applies one event as if it came from `inventory.events`.
    pub async fn apply_stock_event(&self, payload: EventPayload) -> Applied {
        let envelope = Envelope::new(
            Uuid::now_v7(),
            Utc::now().trunc_subsecs(3),
            "inventory",
            "test-trace",
            payload,
        );
        saga::apply_inventory_event(&self.state.db, &self.state.redis, &envelope)
            .await
            .expect("the orders database is reachable")
    }

    /// `StockReserved` for every line of the order: the order becomes payable.
    pub async fn reserve(&self, order_id: impl Display) -> Applied {
        let reservation = self.stock_reservation(order_id).await;
        self.apply_stock_event(EventPayload::StockReserved(reservation))
            .await
    }

    /// `StockReleased` for every line of the order.
    pub async fn release(&self, order_id: impl Display) -> Applied {
        let reservation = self.stock_reservation(order_id).await;
        self.apply_stock_event(EventPayload::StockReleased(reservation))
            .await
    }

    /// `StockRejected`: the order's first line was short.
    pub async fn reject(&self, order_id: impl Display) -> Applied {
        let reservation = self.stock_reservation(order_id).await;
        let line = &reservation.items[0];
        self.apply_stock_event(EventPayload::StockRejected(StockRejected {
            order_id: reservation.order_id,
            short_lines: vec![ShortLine {
                sku: line.sku.clone(),
                requested: line.qty,
                available: 0,
            }],
        }))
        .await
    }

    /// The order's lines as the inventory service names them: per SKU, sorted.
    async fn stock_reservation(&self, order_id: impl Display) -> StockReservation {
        let order_id = Uuid::parse_str(&order_id.to_string()).expect("an order id");
        let items: Vec<(String, i64)> = sqlx::query_as(
            "SELECT sku, sum(qty)::int8 FROM order_items WHERE order_id = $1 GROUP BY sku ORDER BY sku",
        )
        .bind(order_id)
        .fetch_all(&self.db.pool)
        .await
        .unwrap();
        assert!(!items.is_empty(), "order {order_id} has lines");
        StockReservation {
            order_id,
            items: items
                .into_iter()
                .map(|(sku, qty)| StockLine { sku, qty })
                .collect(),
        }
    }
}
