use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::FieldError;
// The same SKU and currency rules as the orders that produce the statistics.
pub use crate::orders::domain::{Currency, Sku};

/// The longest range one request may cover.
pub const MAX_RANGE: Duration = Duration::days(7);
pub const DEFAULT_LIMIT: u8 = 20;
pub const MAX_LIMIT: u8 = 100;

/// The query string as sent; [`SkuStatsQuery::parse`] checks it once, reporting every
/// invalid parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SkuStatsParams {
    /// Start of the range, inclusive (RFC 3339), compared with each window's start.
    #[param(required = true, value_type = String, format = DateTime, example = "2026-11-25T10:00:00Z")]
    pub from: Option<String>,
    /// End of the range, exclusive (RFC 3339); after `from`, at most 7 days later.
    #[param(required = true, value_type = String, format = DateTime, example = "2026-11-25T11:00:00Z")]
    pub to: Option<String>,
    /// Only this SKU's windows (3–64 characters of `A-Z`, `0-9`, `_`, `-`).
    #[param(value_type = Option<String>, pattern = "^[A-Z0-9_-]{3,64}$", example = "SKU-1")]
    pub sku: Option<String>,
    /// Only this currency (ISO 4217 code, one of the currencies orders accept). Without it,
    /// every currency is listed, each on its own.
    #[param(value_type = Option<Currency>)]
    pub currency: Option<String>,
    /// Maximum number of items, 1–100 (default 20).
    #[param(value_type = Option<u8>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

/// A validated request: `from < to`, `to - from <= 7 days`, `1 <= limit <= 100`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuStatsQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub sku: Option<Sku>,
    pub currency: Option<Currency>,
    pub limit: u8,
}

impl SkuStatsQuery {
    pub fn parse(params: &SkuStatsParams) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut timestamp = |field: &str, value: &Option<String>| match value.as_deref() {
            None | Some("") => {
                errors.push(FieldError::new(field, "is required"));
                None
            }
            Some(text) => match DateTime::parse_from_rfc3339(text) {
                Ok(at) => Some(at.with_timezone(&Utc)),
                Err(_) => {
                    errors.push(FieldError::new(
                        field,
                        "must be an RFC 3339 timestamp, e.g. 2026-11-25T10:00:00Z",
                    ));
                    None
                }
            },
        };
        let from = timestamp("from", &params.from);
        let to = timestamp("to", &params.to);
        if let (Some(from), Some(to)) = (from, to) {
            if from >= to {
                errors.push(FieldError::new("to", "must be after from"));
            } else if to - from > MAX_RANGE {
                errors.push(FieldError::new("to", "must be at most 7 days after from"));
            }
        }
        let sku = match params.sku.as_deref() {
            None => None,
            Some(text) => match Sku::parse(text) {
                Ok(sku) => Some(sku),
                Err(message) => {
                    errors.push(FieldError::new("sku", message));
                    None
                }
            },
        };
        let currency = match params.currency.as_deref() {
            None => None,
            Some(text) => match text.parse::<Currency>() {
                Ok(currency) => Some(currency),
                Err(message) => {
                    errors.push(FieldError::new("currency", message));
                    None
                }
            },
        };
        let limit = match params.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<u8>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    errors.push(FieldError::new(
                        "limit",
                        "must be an integer between 1 and 100",
                    ));
                    DEFAULT_LIMIT
                }
            },
        };
        match (from, to) {
            (Some(from), Some(to)) if errors.is_empty() => Ok(Self {
                from,
                to,
                sku,
                currency,
                limit,
            }),
            _ => Err(errors),
        }
    }
}

/// One SKU's sales in one currency: a single 1-minute window (with `sku`), or the SKU's
/// total over the range (without `sku`; `window_start` is then the first window in the range
/// with sales in that currency). Amounts of different currencies are never added up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SkuStat {
    #[schema(example = "SKU-1")]
    pub sku: String,
    /// The currency of the orders counted here and of `revenue_sum`.
    pub currency: Currency,
    /// Start of the 1-minute window (RFC 3339 UTC).
    pub window_start: DateTime<Utc>,
    /// Ordered units.
    pub qty_sum: i64,
    /// Ordered value (Σ qty × unit price) in minor units of `currency` (cents; forints for HUF).
    pub revenue_sum: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SkuStatsPage {
    pub items: Vec<SkuStat>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SkuStatsParams {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        SkuStatsParams {
            from: get("from"),
            to: get("to"),
            sku: get("sku"),
            currency: get("currency"),
            limit: get("limit"),
        }
    }

    fn fields(result: Result<SkuStatsQuery, Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    const FROM: &str = "2026-11-25T10:00:00Z";
    const TO: &str = "2026-11-25T11:00:00Z";

    #[test]
    fn valid_query_gets_defaults() {
        let query = SkuStatsQuery::parse(&params(&[
            ("from", FROM),
            ("to", "2026-11-25T12:00:00+01:00"),
        ]))
        .unwrap();
        assert_eq!(query.limit, 20);
        assert_eq!(query.sku, None);
        assert_eq!(query.to.to_rfc3339(), "2026-11-25T11:00:00+00:00");
    }

    #[test]
    fn range_rules() {
        assert_eq!(fields(SkuStatsQuery::parse(&params(&[]))), ["from", "to"]);
        assert_eq!(
            fields(SkuStatsQuery::parse(&params(&[
                ("from", "yesterday"),
                ("to", TO)
            ]))),
            ["from"]
        );
        assert_eq!(
            fields(SkuStatsQuery::parse(&params(&[("from", TO), ("to", FROM)]))),
            ["to"]
        );
        assert_eq!(
            fields(SkuStatsQuery::parse(&params(&[
                ("from", FROM),
                ("to", FROM)
            ]))),
            ["to"]
        );
        assert_eq!(
            fields(SkuStatsQuery::parse(&params(&[
                ("from", FROM),
                ("to", "2026-12-02T10:00:01Z")
            ]))),
            ["to"]
        );
        assert!(
            SkuStatsQuery::parse(&params(&[("from", FROM), ("to", "2026-12-02T10:00:00Z")]))
                .is_ok()
        );
    }

    #[test]
    fn sku_and_limit_rules() {
        for bad in ["ab", "sku-1", "SKU 1", &"A".repeat(65)] {
            assert_eq!(
                fields(SkuStatsQuery::parse(&params(&[
                    ("from", FROM),
                    ("to", TO),
                    ("sku", bad)
                ]))),
                ["sku"]
            );
        }
        for bad in ["0", "101", "-1", "ten", ""] {
            assert_eq!(
                fields(SkuStatsQuery::parse(&params(&[
                    ("from", FROM),
                    ("to", TO),
                    ("limit", bad)
                ]))),
                ["limit"]
            );
        }
        let query = SkuStatsQuery::parse(&params(&[
            ("from", FROM),
            ("to", TO),
            ("sku", "SKU_9-X"),
            ("limit", "100"),
        ]))
        .unwrap();
        assert_eq!((query.sku.unwrap().as_str(), query.limit), ("SKU_9-X", 100));
    }

    #[test]
    fn currency_rule_is_the_orders_one() {
        for bad in ["eur", "GBP", "", "EURO"] {
            assert_eq!(
                fields(SkuStatsQuery::parse(&params(&[
                    ("from", FROM),
                    ("to", TO),
                    ("currency", bad)
                ]))),
                ["currency"]
            );
        }
        let query =
            SkuStatsQuery::parse(&params(&[("from", FROM), ("to", TO), ("currency", "HUF")]))
                .unwrap();
        assert_eq!(query.currency, Some(Currency::Huf));
    }
}
