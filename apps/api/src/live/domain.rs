//! What a live stream carries: channels a subscriber asks for, the hub's events and their
//! ids, and the JSON of each event (docs/spec.md#live-updates).

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use events::{format_rfc3339_millis, Envelope};
use serde_json::json;
use uuid::Uuid;

/// More than any page needs; bounds the ownership lookups one subscription costs.
pub const MAX_CHANNELS: usize = 20;

/// One channel of `channels=stats,order:<uuid>,pipeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Stats,
    Order(Uuid),
    Pipeline,
}

impl Channel {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "stats" => Ok(Self::Stats),
            "pipeline" => Ok(Self::Pipeline),
            _ => match text.strip_prefix("order:") {
                Some(id) => Uuid::parse_str(id)
                    .map(Self::Order)
                    .map_err(|_| format!("{text:?} does not name an order by its UUID")),
                None => Err(format!(
                    "unknown channel {text:?} (stats, order:<uuid>, pipeline)"
                )),
            },
        }
    }
}

/// The channels of one subscription, parsed and de-duplicated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channels {
    pub stats: bool,
    pub orders: Vec<Uuid>,
    pub pipeline: bool,
}

impl Channels {
    /// A comma-separated list of 1 to [`MAX_CHANNELS`] channels.
    pub fn parse(list: &str) -> Result<Self, String> {
        let names: Vec<&str> = list.split(',').map(str::trim).collect();
        if list.trim().is_empty() {
            return Err("name at least one channel (stats, order:<uuid>, pipeline)".to_owned());
        }
        if names.len() > MAX_CHANNELS {
            return Err(format!("name at most {MAX_CHANNELS} channels"));
        }
        let mut channels = Self::default();
        for name in names {
            match Channel::parse(name)? {
                Channel::Stats => channels.stats = true,
                Channel::Pipeline => channels.pipeline = true,
                Channel::Order(id) if !channels.orders.contains(&id) => channels.orders.push(id),
                Channel::Order(_) => {}
            }
        }
        Ok(channels)
    }

    /// Whether an event of the hub belongs to one of these channels.
    pub fn wants(&self, subject: &Subject) -> bool {
        match subject {
            Subject::Stats => self.stats,
            Subject::Order(id) => self.orders.contains(id),
        }
    }
}

/// What a hub event is about, which decides who receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A changed `sku_stats` row: SSE `event: stats`.
    Stats,
    /// A change of this order or its reservation: SSE `event: order`.
    Order(Uuid),
}

impl Subject {
    pub fn event_name(&self) -> &'static str {
        match self {
            Self::Stats => "stats",
            Self::Order(_) => "order",
        }
    }
}

/// One event of the hub, shared by every receiver; `data` is its JSON, built once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubEvent {
    pub seq: u64,
    pub subject: Subject,
    pub data: Arc<str>,
}

/// `<epoch>-<seq>`: the hub's random epoch (8 hex digits, new at every process start) and
/// the event's sequence number in it. An id of another epoch cannot be resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventId {
    pub epoch: u32,
    pub seq: u64,
}

impl EventId {
    pub fn parse(text: &str) -> Option<Self> {
        let (epoch, seq) = text.trim().split_once('-')?;
        if epoch.len() != 8 || seq.is_empty() || seq.len() > 20 {
            return None;
        }
        if !seq.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self {
            epoch: u32::from_str_radix(epoch, 16).ok()?,
            seq: seq.parse().ok()?,
        })
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}-{}", self.epoch, self.seq)
    }
}

/// `event: stats` data: the changed row as the stream job wrote it.
pub fn stats_data(stat: &read_model::SkuStat) -> String {
    json!({
        "sku": stat.sku,
        "currency": stat.currency,
        "window_start": format_rfc3339_millis(&stat.window_start),
        "window_end": format_rfc3339_millis(&stat.window_end),
        "qty_sum": stat.qty_sum,
        "revenue_sum": stat.revenue_sum,
    })
    .to_string()
}

/// `event: order` data, a hint to refetch the order; `None` for events about no order
/// (`StockAdjusted`).
pub fn order_data(envelope: &Envelope) -> Option<(Uuid, String)> {
    let order_id = envelope.order_id()?;
    let data = json!({
        "order_id": order_id,
        "event_type": envelope.event_type().as_str(),
        "at": at(&envelope.occurred_at),
    });
    Some((order_id, data.to_string()))
}

fn at(when: &DateTime<Utc>) -> String {
    format_rfc3339_millis(when)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_parse_dedupe_and_refuse_unknown_names() {
        let id = Uuid::now_v7();
        let channels = Channels::parse(&format!("stats, order:{id},order:{id},pipeline")).unwrap();
        assert_eq!(
            channels,
            Channels {
                stats: true,
                orders: vec![id],
                pipeline: true
            }
        );
        for bad in ["", " ", "stat", "order:", "order:123", "stats,,", "STATS"] {
            assert!(Channels::parse(bad).is_err(), "{bad:?}");
        }
        let many = vec!["stats"; MAX_CHANNELS + 1].join(",");
        assert!(Channels::parse(&many).is_err());
        assert!(Channels::parse(&vec!["stats"; MAX_CHANNELS].join(",")).is_ok());
    }

    #[test]
    fn subscribers_get_only_their_channels() {
        let mine = Uuid::now_v7();
        let channels = Channels::parse(&format!("order:{mine}")).unwrap();
        assert!(channels.wants(&Subject::Order(mine)));
        assert!(!channels.wants(&Subject::Order(Uuid::now_v7())));
        assert!(!channels.wants(&Subject::Stats));
    }

    #[test]
    fn event_ids_round_trip_and_reject_garbage() {
        let id = EventId {
            epoch: 0x00ab_cdef,
            seq: 42,
        };
        assert_eq!(id.to_string(), "00abcdef-42");
        assert_eq!(EventId::parse("00abcdef-42"), Some(id));
        for bad in [
            "",
            "42",
            "abcdef-42",
            "00abcdef-",
            "00abcdef--1",
            "0xabcdef-1",
            "00abcdeg-1",
            "00abcdef-1a",
            "00abcdef-99999999999999999999999",
        ] {
            assert_eq!(EventId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn stats_data_has_the_contract_fields() {
        let stat = read_model::parse_sku_stat_message(br#"{"sku":"SKU-1","currency":"EUR","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":7,"revenue_sum":8750}"#).unwrap();
        let data: serde_json::Value = serde_json::from_str(&stats_data(&stat)).unwrap();
        assert_eq!(
            data,
            json!({"sku": "SKU-1", "currency": "EUR", "window_start": "2026-11-25T10:30:00.000Z",
                   "window_end": "2026-11-25T10:31:00.000Z", "qty_sum": 7, "revenue_sum": 8750})
        );
    }
}
