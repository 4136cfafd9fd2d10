//! Messages of `orders.sku-stats` (written by the stream job, see apps/stream-job/README.md).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

/// One per-SKU per-minute aggregate, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuStat {
    pub sku: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub qty_sum: i64,
    pub revenue_sum: i64,
}

#[derive(Deserialize)]
struct Wire {
    sku: String,
    window_start: String,
    window_end: String,
    qty_sum: i64,
    revenue_sum: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatError {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid sku stat: {0}")]
    Invalid(String),
}

impl StatError {
    pub fn reason_code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "malformed_json",
            Self::Invalid(_) => "invalid_sku_stat",
        }
    }
}

impl SkuStat {
    pub fn parse(bytes: &[u8]) -> Result<Self, StatError> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|err| StatError::MalformedJson(err.to_string()))?;
        let wire: Wire =
            serde_json::from_value(value).map_err(|err| StatError::Invalid(err.to_string()))?;
        let sku = wire.sku.trim().to_owned();
        if sku.is_empty() {
            return Err(StatError::Invalid("sku must not be empty".into()));
        }
        let window_start = timestamp("window_start", &wire.window_start)?;
        let window_end = timestamp("window_end", &wire.window_end)?;
        if window_end <= window_start {
            return Err(StatError::Invalid(
                "window_end must be after window_start".into(),
            ));
        }
        if wire.qty_sum < 0 || wire.revenue_sum < 0 {
            return Err(StatError::Invalid(
                "qty_sum and revenue_sum must not be negative".into(),
            ));
        }
        Ok(Self {
            sku,
            window_start,
            window_end,
            qty_sum: wire.qty_sum,
            revenue_sum: wire.revenue_sum,
        })
    }
}

/// RFC 3339 (any offset, normalised to UTC); leniently also `YYYY-MM-DD[T ]HH:MM:SS[.fff]`
/// without an offset, read as UTC (Flink's SQL timestamp rendering).
fn timestamp(field: &str, text: &str) -> Result<DateTime<Utc>, StatError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc())
        .ok_or_else(|| StatError::Invalid(format!("{field} is not an RFC 3339 timestamp")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_stream_job_shape() {
        let stat = SkuStat::parse(br#"{"sku":"SKU-1","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":7,"revenue_sum":8750}"#).unwrap();
        assert_eq!(stat.sku, "SKU-1");
        assert_eq!(stat.window_start.to_rfc3339(), "2026-11-25T10:30:00+00:00");
        assert_eq!((stat.qty_sum, stat.revenue_sum), (7, 8750));
    }

    #[test]
    fn accepts_offsets_and_naive_utc() {
        let stat = SkuStat::parse(br#"{"sku":"A","window_start":"2026-11-25 10:30:00","window_end":"2026-11-25T11:31:00+01:00","qty_sum":0,"revenue_sum":0}"#).unwrap();
        assert_eq!((stat.window_end - stat.window_start).num_seconds(), 60);
    }

    #[test]
    fn rejects_bad_messages_with_a_reason() {
        for (bytes, code) in [
            (&b"{nope"[..], "malformed_json"),
            (br#"{"sku":"A"}"#, "invalid_sku_stat"),
            (br#"{"sku":"","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":1,"revenue_sum":1}"#, "invalid_sku_stat"),
            (br#"{"sku":"A","window_start":"yesterday","window_end":"2026-11-25T10:31:00Z","qty_sum":1,"revenue_sum":1}"#, "invalid_sku_stat"),
            (br#"{"sku":"A","window_start":"2026-11-25T10:31:00Z","window_end":"2026-11-25T10:30:00Z","qty_sum":1,"revenue_sum":1}"#, "invalid_sku_stat"),
            (br#"{"sku":"A","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":-1,"revenue_sum":1}"#, "invalid_sku_stat"),
        ] {
            let err = SkuStat::parse(bytes).unwrap_err();
            assert_eq!(err.reason_code(), code, "{err}");
        }
    }
}
