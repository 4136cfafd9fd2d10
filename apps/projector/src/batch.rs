//! One batch of consumed messages, validated and reduced to what must be written: the
//! events to insert (orders' and the inventory's), the last value per `sku_stats` key, the messages to dead-letter, and
//! the offsets to commit once all of that is acknowledged. Pure: no I/O here.

use std::collections::{BTreeMap, HashMap};

use events::Envelope;
use kafka_consumer::offsets::Offsets;
use rdkafka::message::{Message, OwnedMessage};
use read_model::{parse_sku_stat_message, SkuStat, SkuStatKey};

/// The topics the projector consumes.
#[derive(Debug, Clone)]
pub struct Topics {
    pub events: String,
    pub sku_stats: String,
    pub inventory_events: String,
}

/// The dead-letter topic per source: the orders' topics' and the inventory's.
#[derive(Debug, Clone)]
pub struct DeadLetterTopics {
    pub orders: String,
    pub inventory: String,
}

/// A message that failed validation, with the reason for its dead letter.
#[derive(Debug)]
pub struct Rejected {
    pub message: OwnedMessage,
    /// The dead-letter topic of the message's source topic.
    pub dlq_topic: String,
    pub reason_code: &'static str,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Batch {
    /// Messages consumed, per topic.
    pub consumed: BTreeMap<String, usize>,
    /// Valid events in consumption order (duplicates included: the insert tolerates them).
    pub events: Vec<Envelope>,
    /// Valid `Stock*` events from the inventory's topic, likewise.
    pub stock_events: Vec<Envelope>,
    /// The last value per key, in the order the keys first appeared.
    pub stats: Vec<SkuStat>,
    /// Stat messages superseded by a later value of the same key in this batch.
    pub coalesced: usize,
    pub rejected: Vec<Rejected>,
    /// Per (topic, partition): the offset to commit, the highest consumed + 1.
    pub offsets: Offsets,
}

impl Batch {
    /// Sorts `messages` (in consumption order) into what the batch must write.
    pub fn validate(messages: Vec<OwnedMessage>, topics: &Topics, dlq: &DeadLetterTopics) -> Self {
        let mut batch = Self::default();
        let mut stat_slots: HashMap<SkuStatKey, usize> = HashMap::new();
        for message in messages {
            *batch
                .consumed
                .entry(message.topic().to_owned())
                .or_default() += 1;
            let next = batch
                .offsets
                .entry((message.topic().to_owned(), message.partition()))
                .or_insert(0);
            *next = (*next).max(message.offset() + 1);

            let payload = message.payload().unwrap_or_default();
            if message.topic() == topics.events {
                match Envelope::parse(payload) {
                    Ok(envelope) => batch.events.push(envelope),
                    Err(err) => {
                        batch.reject(message, &dlq.orders, err.reason_code(), err.to_string())
                    }
                }
            } else if message.topic() == topics.inventory_events {
                match Envelope::parse(payload) {
                    Ok(envelope) if read_model::stock_events::accepts(envelope.event_type()) => {
                        batch.stock_events.push(envelope);
                    }
                    Ok(envelope) => {
                        let reason = format!(
                            "{} is not an inventory event",
                            envelope.event_type().as_str()
                        );
                        batch.reject(message, &dlq.inventory, "unexpected_event_type", reason);
                    }
                    Err(err) => {
                        batch.reject(message, &dlq.inventory, err.reason_code(), err.to_string());
                    }
                }
            } else if message.topic() == topics.sku_stats {
                match parse_sku_stat_message(payload) {
                    Ok(stat) => match stat_slots.get(&stat.key()) {
                        Some(&slot) => {
                            batch.stats[slot] = stat;
                            batch.coalesced += 1;
                        }
                        None => {
                            stat_slots.insert(stat.key(), batch.stats.len());
                            batch.stats.push(stat);
                        }
                    },
                    Err(err) => {
                        batch.reject(message, &dlq.orders, err.reason_code(), err.to_string())
                    }
                }
            } else {
                tracing::warn!(topic = message.topic(), "message from an unexpected topic");
            }
        }
        batch
    }

    fn reject(
        &mut self,
        message: OwnedMessage,
        dlq_topic: &str,
        reason_code: &'static str,
        reason: String,
    ) {
        let reason = if message.payload().unwrap_or_default().is_empty() {
            "empty payload".to_owned()
        } else {
            reason
        };
        self.rejected.push(Rejected {
            message,
            dlq_topic: dlq_topic.to_owned(),
            reason_code,
            reason,
        });
    }

    pub fn messages(&self) -> usize {
        self.consumed.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::message::Timestamp;
    use serde_json::json;

    fn topics() -> Topics {
        Topics {
            events: "ev".into(),
            sku_stats: "st".into(),
            inventory_events: "inv".into(),
        }
    }

    fn dlq() -> DeadLetterTopics {
        DeadLetterTopics {
            orders: "ev.dlq".into(),
            inventory: "inv.dlq".into(),
        }
    }

    fn message(topic: &str, partition: i32, offset: i64, payload: &[u8]) -> OwnedMessage {
        OwnedMessage::new(
            Some(payload.to_vec()),
            Some(b"k".to_vec()),
            topic.to_owned(),
            Timestamp::NotAvailable,
            partition,
            offset,
            None,
        )
    }

    fn stat(sku: &str, currency: &str, minute: u32, qty: i64) -> Vec<u8> {
        json!({
            "sku": sku, "currency": currency,
            "window_start": format!("2026-11-25T10:{minute:02}:00Z"),
            "window_end": format!("2026-11-25T10:{:02}:00Z", minute + 1),
            "qty_sum": qty, "revenue_sum": qty * 100,
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn keeps_the_last_value_per_key_and_the_highest_offset_per_partition() {
        let batch = Batch::validate(
            vec![
                message("st", 0, 10, &stat("A", "EUR", 1, 1)),
                message("st", 0, 11, &stat("A", "HUF", 1, 5)),
                message("st", 0, 12, &stat("A", "EUR", 1, 2)),
                message("st", 1, 3, &stat("B", "EUR", 1, 7)),
                message("st", 0, 13, &stat("A", "EUR", 1, 3)),
                message("st", 1, 4, b"{oops"),
                message("ev", 2, 40, b""),
            ],
            &topics(),
            &dlq(),
        );
        let values: Vec<(&str, &str, i64)> = batch
            .stats
            .iter()
            .map(|s| (s.sku.as_str(), s.currency.as_str(), s.qty_sum))
            .collect();
        assert_eq!(values, [("A", "EUR", 3), ("A", "HUF", 5), ("B", "EUR", 7)]);
        assert_eq!(batch.coalesced, 2);
        assert_eq!(batch.messages(), 7);
        let codes: Vec<(&str, &str)> = batch
            .rejected
            .iter()
            .map(|r| (r.reason_code, r.reason.as_str()))
            .collect();
        assert_eq!(codes[1], ("malformed_json", "empty payload"));
        assert!(batch.rejected.iter().all(|r| r.dlq_topic == "ev.dlq"));
        assert_eq!(codes[0].0, "malformed_json");
        assert_eq!(
            batch.offsets.into_iter().collect::<Vec<_>>(),
            [
                (("ev".to_owned(), 2), 41),
                (("st".to_owned(), 0), 14),
                (("st".to_owned(), 1), 5)
            ]
        );
    }

    fn stock_adjusted() -> Envelope {
        Envelope::new(
            uuid::Uuid::new_v4(),
            chrono::Utc::now(),
            "inventory",
            "req-1",
            events::EventPayload::StockAdjusted(events::StockAdjusted {
                sku: "SKU-1".into(),
                reason: events::AdjustReason::Restock,
                previous_on_hand: 0,
                on_hand: 10,
                reserved: 0,
                actor_id: uuid::Uuid::new_v4(),
            }),
        )
    }

    #[test]
    fn inventory_messages_become_stock_events_or_inventory_dead_letters() {
        let valid = stock_adjusted();
        let batch = Batch::validate(
            vec![
                message("inv", 0, 1, valid.to_json().as_bytes()),
                message("inv", 0, 2, b"{oops"),
                message("ev", 0, 7, valid.to_json().as_bytes()),
            ],
            &topics(),
            &dlq(),
        );
        let ids = |events: &[Envelope]| events.iter().map(|e| e.event_id).collect::<Vec<_>>();
        assert_eq!(ids(&batch.stock_events), [valid.event_id]);
        // A Stock* event on the orders' topic stays in the orders' audit, as before.
        assert_eq!(ids(&batch.events), [valid.event_id]);
        let rejected: Vec<(&str, &str)> = batch
            .rejected
            .iter()
            .map(|r| (r.reason_code, r.dlq_topic.as_str()))
            .collect();
        assert_eq!(rejected, [("malformed_json", "inv.dlq")]);

        let wrong_type = stock_order_created();
        let batch = Batch::validate(
            vec![message("inv", 1, 0, wrong_type.to_json().as_bytes())],
            &topics(),
            &dlq(),
        );
        assert!(batch.stock_events.is_empty());
        assert_eq!(batch.rejected[0].reason_code, "unexpected_event_type");
        assert_eq!(batch.rejected[0].dlq_topic, "inv.dlq");
        assert!(batch.rejected[0].reason.contains("OrderCreated"));
    }

    fn stock_order_created() -> Envelope {
        Envelope::new(
            uuid::Uuid::new_v4(),
            chrono::Utc::now(),
            "api",
            "req-1",
            events::EventPayload::OrderCreated(events::OrderCreated {
                order_id: uuid::Uuid::new_v4(),
                user_id: uuid::Uuid::new_v4(),
                currency: "EUR".into(),
                total_amount: 100,
                items: vec![events::OrderItem {
                    sku: "SKU-1".into(),
                    qty: 1,
                    unit_price: 100,
                }],
            }),
        )
    }
}
