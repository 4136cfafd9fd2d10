//! Messages of the topic `orders.sku-stats`, written by the stream job
//! (apps/stream-job/job.sql) and read by the projector.
//!
//! Key `{"sku","currency","window_start"}`; value
//! `{"sku":"SKU-1","currency":"EUR","window_start":"2026-11-25T10:30:00Z",
//! "window_end":"2026-11-25T10:31:00Z","qty_sum":7,"revenue_sum":8750}`: an updating
//! aggregate, the latest value per key is the current total.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

use crate::sku_stats::SkuStat;

#[derive(Deserialize)]
struct Wire {
    sku: String,
    currency: String,
    window_start: String,
    window_end: String,
    qty_sum: i64,
    revenue_sum: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkuStatMessageError {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid sku stat: {0}")]
    Invalid(String),
}

impl SkuStatMessageError {
    /// The dead letter's `error_code`.
    pub fn reason_code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "malformed_json",
            Self::Invalid(_) => "invalid_sku_stat",
        }
    }
}

/// Parses and validates one message value.
pub fn parse_sku_stat_message(bytes: &[u8]) -> Result<SkuStat, SkuStatMessageError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|err| SkuStatMessageError::MalformedJson(err.to_string()))?;
    let wire: Wire = serde_json::from_value(value)
        .map_err(|err| SkuStatMessageError::Invalid(err.to_string()))?;
    let invalid = |message: &str| Err(SkuStatMessageError::Invalid(message.to_owned()));
    let sku = wire.sku.trim().to_owned();
    if sku.is_empty() {
        return invalid("sku must not be empty");
    }
    if !(wire.currency.len() == 3 && wire.currency.bytes().all(|b| b.is_ascii_uppercase())) {
        return invalid("currency must be an ISO 4217 code (three capital letters)");
    }
    let window_start = timestamp("window_start", &wire.window_start)?;
    let window_end = timestamp("window_end", &wire.window_end)?;
    if window_end <= window_start {
        return invalid("window_end must be after window_start");
    }
    if wire.qty_sum < 0 || wire.revenue_sum < 0 {
        return invalid("qty_sum and revenue_sum must not be negative");
    }
    Ok(SkuStat {
        sku,
        currency: wire.currency,
        window_start,
        window_end,
        qty_sum: wire.qty_sum,
        revenue_sum: wire.revenue_sum,
    })
}

/// RFC 3339 (any offset, normalised to UTC); leniently also `YYYY-MM-DD[T ]HH:MM:SS[.fff]`
/// without an offset, read as UTC (Flink's SQL timestamp rendering).
fn timestamp(field: &str, text: &str) -> Result<DateTime<Utc>, SkuStatMessageError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc())
        .ok_or_else(|| {
            SkuStatMessageError::Invalid(format!("{field} is not an RFC 3339 timestamp"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_stream_job_shape() {
        let stat = parse_sku_stat_message(br#"{"sku":"SKU-1","currency":"EUR","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":7,"revenue_sum":8750}"#).unwrap();
        assert_eq!(
            (stat.sku.as_str(), stat.currency.as_str()),
            ("SKU-1", "EUR")
        );
        assert_eq!(stat.window_start.to_rfc3339(), "2026-11-25T10:30:00+00:00");
        assert_eq!((stat.qty_sum, stat.revenue_sum), (7, 8750));
    }

    #[test]
    fn accepts_offsets_and_naive_utc() {
        let stat = parse_sku_stat_message(br#"{"sku":"A","currency":"HUF","window_start":"2026-11-25 10:30:00","window_end":"2026-11-25T11:31:00+01:00","qty_sum":0,"revenue_sum":0}"#).unwrap();
        assert_eq!((stat.window_end - stat.window_start).num_seconds(), 60);
    }

    #[test]
    fn rejects_bad_messages_with_a_reason() {
        for (bytes, code) in [
            (&b"{nope"[..], "malformed_json"),
            (br#"{"sku":"A"}"#, "invalid_sku_stat"),
            // Written before revenue was kept per currency.
            (br#"{"sku":"A","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":1,"revenue_sum":1}"#, "invalid_sku_stat"),
            (br#"{"sku":"A","currency":"eur","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":1,"revenue_sum":1}"#, "invalid_sku_stat"),
            (br#"{"sku":"","currency":"EUR","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":1,"revenue_sum":1}"#, "invalid_sku_stat"),
            (br#"{"sku":"A","currency":"EUR","window_start":"yesterday","window_end":"2026-11-25T10:31:00Z","qty_sum":1,"revenue_sum":1}"#, "invalid_sku_stat"),
            (br#"{"sku":"A","currency":"EUR","window_start":"2026-11-25T10:31:00Z","window_end":"2026-11-25T10:30:00Z","qty_sum":1,"revenue_sum":1}"#, "invalid_sku_stat"),
            (br#"{"sku":"A","currency":"EUR","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":-1,"revenue_sum":1}"#, "invalid_sku_stat"),
        ] {
            let err = parse_sku_stat_message(bytes).unwrap_err();
            assert_eq!(err.reason_code(), code, "{err}");
        }
    }
}
