//! Order domain types. Each is parsed once at the edge and is valid from then on
//! ("parse, don't validate"); money is `i64` in the currency's minor unit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::FieldError;

pub use events::{Sku, MAX_SKU_LEN, MIN_SKU_LEN};

pub const MIN_ITEMS: usize = 1;
pub const MAX_ITEMS: usize = 50;
pub const MIN_QTY: i64 = 1;
pub const MAX_QTY: i64 = 1000;
pub const MIN_UNIT_PRICE: i64 = 0;
pub const MAX_UNIT_PRICE: i64 = 10_000_000;

/// How many units of one SKU: 1..=1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(i32);

impl Quantity {
    pub fn parse(value: i64) -> Result<Self, String> {
        if !(MIN_QTY..=MAX_QTY).contains(&value) {
            return Err(format!("must be between {MIN_QTY} and {MAX_QTY}"));
        }
        i32::try_from(value)
            .map(Self)
            .map_err(|_| "out of range".to_owned())
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// Price of one unit in the currency's minor unit: 0..=10 000 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitPrice(i64);

impl UnitPrice {
    pub fn parse(value: i64) -> Result<Self, String> {
        if !(MIN_UNIT_PRICE..=MAX_UNIT_PRICE).contains(&value) {
            return Err(format!(
                "must be between {MIN_UNIT_PRICE} and {MAX_UNIT_PRICE}"
            ));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Huf,
    Eur,
    Usd,
}

impl Currency {
    /// Every accepted currency, in alphabetical order of the code.
    pub const ALL: [Self; 3] = [Self::Eur, Self::Huf, Self::Usd];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Huf => "HUF",
            Self::Eur => "EUR",
            Self::Usd => "USD",
        }
    }
}

impl FromStr for Currency {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "HUF" => Ok(Self::Huf),
            "EUR" => Ok(Self::Eur),
            "USD" => Ok(Self::Usd),
            _ => Err("must be one of HUF, EUR, USD".to_owned()),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Created,
    Paid,
    Canceled,
}

/// Why a status change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTransition {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Paid => "paid",
            Self::Canceled => "canceled",
        }
    }

    /// The only allowed moves are `created → paid` and `created → canceled`; paid and
    /// canceled are final, and a move to the same status is refused too.
    pub fn transition(self, to: OrderStatus) -> Result<OrderStatus, InvalidTransition> {
        match (self, to) {
            (Self::Created, Self::Paid | Self::Canceled) => Ok(to),
            _ => Err(InvalidTransition { from: self, to }),
        }
    }
}

impl FromStr for OrderStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "created" => Ok(Self::Created),
            "paid" => Ok(Self::Paid),
            "canceled" => Ok(Self::Canceled),
            _ => Err("must be one of created, paid, canceled".to_owned()),
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status a client may ask for in `PATCH /orders/{id}/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TargetStatus {
    Paid,
    Canceled,
}

impl From<TargetStatus> for OrderStatus {
    fn from(target: TargetStatus) -> Self {
        match target {
            TargetStatus::Paid => Self::Paid,
            TargetStatus::Canceled => Self::Canceled,
        }
    }
}

/// One validated line of a new order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrderItem {
    pub sku: Sku,
    pub qty: Quantity,
    pub unit_price: UnitPrice,
    pub line_total: i64,
}

/// A validated order request with its server-computed totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub currency: Currency,
    pub items: Vec<NewOrderItem>,
    pub total_amount: i64,
}

/// One item of the request as the client sent it.
pub struct RawItem<'a> {
    pub sku: &'a str,
    pub qty: i64,
    pub unit_price: i64,
}

impl NewOrder {
    /// Validates every field and reports every problem at once, with its field path.
    pub fn parse<'a>(
        currency: &str,
        items: impl ExactSizeIterator<Item = RawItem<'a>>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let currency = Currency::from_str(currency)
            .map_err(|message| errors.push(FieldError::new("currency", message)))
            .ok();
        if !(MIN_ITEMS..=MAX_ITEMS).contains(&items.len()) {
            errors.push(FieldError::new(
                "items",
                format!("must contain {MIN_ITEMS} to {MAX_ITEMS} items"),
            ));
        }
        let mut parsed = Vec::with_capacity(items.len());
        for (index, raw) in items.enumerate() {
            let mut field = |name: &str, message: String| {
                errors.push(FieldError::new(format!("items[{index}].{name}"), message));
            };
            let sku = Sku::parse(raw.sku).map_err(|m| field("sku", m)).ok();
            let qty = Quantity::parse(raw.qty).map_err(|m| field("qty", m)).ok();
            let unit_price = UnitPrice::parse(raw.unit_price)
                .map_err(|m| field("unit_price", m))
                .ok();
            if let (Some(sku), Some(qty), Some(unit_price)) = (sku, qty, unit_price) {
                match line_total(qty, unit_price) {
                    Some(line_total) => parsed.push(NewOrderItem {
                        sku,
                        qty,
                        unit_price,
                        line_total,
                    }),
                    None => field("unit_price", "line total overflows".to_owned()),
                }
            }
        }
        let total_amount = checked_sum(parsed.iter().map(|item| item.line_total));
        if total_amount.is_none() {
            errors.push(FieldError::new("items", "total amount overflows"));
        }
        match (currency, total_amount) {
            (Some(currency), Some(total_amount)) if errors.is_empty() => Ok(Self {
                currency,
                items: parsed,
                total_amount,
            }),
            _ => Err(errors),
        }
    }

    /// SHA-256 (hex) of a canonical serialization: the currency and the items in the given
    /// order. Formatting, key order and unknown members of the JSON body do not matter;
    /// the separators cannot occur inside a valid SKU, so the encoding is unambiguous.
    pub fn canonical_hash(&self) -> String {
        let mut canonical = format!("v1|{}", self.currency);
        for item in &self.items {
            canonical.push_str(&format!(
                "|{}:{}:{}",
                item.sku.as_str(),
                item.qty.get(),
                item.unit_price.get()
            ));
        }
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }
}

/// `qty * unit_price`, `None` on overflow.
pub fn line_total(qty: Quantity, unit_price: UnitPrice) -> Option<i64> {
    i64::from(qty.get()).checked_mul(unit_price.get())
}

/// The sum of line totals, `None` on overflow. With today's bounds the maximum is
/// 50 × 1000 × 10 000 000 = 5·10¹¹, but the check stays so a bound change cannot wrap.
pub fn checked_sum(values: impl IntoIterator<Item = i64>) -> Option<i64> {
    values
        .into_iter()
        .try_fold(0_i64, |sum, value| sum.checked_add(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(sku: &str, qty: i64, unit_price: i64) -> RawItem<'_> {
        RawItem {
            sku,
            qty,
            unit_price,
        }
    }

    #[test]
    fn quantity_and_price_bounds() {
        assert!(Quantity::parse(0).is_err());
        assert_eq!(Quantity::parse(1).unwrap().get(), 1);
        assert_eq!(Quantity::parse(1000).unwrap().get(), 1000);
        assert!(Quantity::parse(1001).is_err());
        assert!(Quantity::parse(i64::MAX).is_err());
        assert!(UnitPrice::parse(-1).is_err());
        assert_eq!(UnitPrice::parse(0).unwrap().get(), 0);
        assert_eq!(UnitPrice::parse(10_000_000).unwrap().get(), 10_000_000);
        assert!(UnitPrice::parse(10_000_001).is_err());
    }

    #[test]
    fn currency_and_status_parse_exactly() {
        assert_eq!("EUR".parse::<Currency>(), Ok(Currency::Eur));
        assert!("eur".parse::<Currency>().is_err());
        assert!("GBP".parse::<Currency>().is_err());
        assert_eq!("paid".parse::<OrderStatus>(), Ok(OrderStatus::Paid));
        assert!("PAID".parse::<OrderStatus>().is_err());
    }

    #[test]
    fn only_created_orders_can_move() {
        use OrderStatus::*;
        assert_eq!(Created.transition(Paid), Ok(Paid));
        assert_eq!(Created.transition(Canceled), Ok(Canceled));
        for (from, to) in [
            (Created, Created),
            (Paid, Canceled),
            (Paid, Paid),
            (Paid, Created),
            (Canceled, Paid),
            (Canceled, Canceled),
            (Canceled, Created),
        ] {
            assert_eq!(from.transition(to), Err(InvalidTransition { from, to }));
        }
    }

    #[test]
    fn totals_are_computed_and_overflow_is_caught() {
        let order = NewOrder::parse(
            "HUF",
            [item("AAA", 3, 250), item("BBB", 1000, 10_000_000)].into_iter(),
        )
        .unwrap();
        assert_eq!(order.items[0].line_total, 750);
        assert_eq!(order.items[1].line_total, 10_000_000_000);
        assert_eq!(order.total_amount, 10_000_000_750);
        assert_eq!(checked_sum([i64::MAX, 1]), None);
        assert_eq!(checked_sum([i64::MAX - 1, 1]), Some(i64::MAX));
        assert_eq!(checked_sum([]), Some(0));
    }

    #[test]
    fn reports_every_invalid_field() {
        let errors =
            NewOrder::parse("GBP", [item("ab", 0, -1), item("OK1", 1, 1)].into_iter()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "currency",
                "items[0].sku",
                "items[0].qty",
                "items[0].unit_price"
            ]
        );
        let errors = NewOrder::parse("EUR", std::iter::empty()).unwrap_err();
        assert_eq!(errors[0].field, "items");
    }

    #[test]
    fn canonical_hash_depends_on_content_and_item_order_only() {
        let a = NewOrder::parse("EUR", [item("AAA", 1, 5), item("BBB", 2, 7)].into_iter()).unwrap();
        let same =
            NewOrder::parse("EUR", [item("AAA", 1, 5), item("BBB", 2, 7)].into_iter()).unwrap();
        let swapped =
            NewOrder::parse("EUR", [item("BBB", 2, 7), item("AAA", 1, 5)].into_iter()).unwrap();
        let other_currency =
            NewOrder::parse("USD", [item("AAA", 1, 5), item("BBB", 2, 7)].into_iter()).unwrap();
        assert_eq!(a.canonical_hash(), same.canonical_hash());
        assert_eq!(a.canonical_hash().len(), 64);
        assert_ne!(a.canonical_hash(), swapped.canonical_hash());
        assert_ne!(a.canonical_hash(), other_currency.canonical_hash());
    }
}
