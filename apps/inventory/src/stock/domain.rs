//! Stock types, parsed once at the edge ("parse, don't validate").

use inventory_api::{
    FieldError, DEFAULT_STOCK_LIMIT, MAX_AVAILABILITY_SKUS, MAX_ON_HAND, MAX_STOCK_LIMIT,
};

pub use events::{is_sku_byte, Sku, MAX_SKU_LEN, MIN_SKU_LEN};

/// Units on hand as an admin sets them: 0..=1,000,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnHand(i64);

impl OnHand {
    pub fn parse(value: i64) -> Result<Self, String> {
        if !(0..=MAX_ON_HAND).contains(&value) {
            return Err(format!("must be between 0 and {MAX_ON_HAND}"));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// `GET /stock`: a page of SKUs after `after`, starting with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockListing {
    pub prefix: String,
    pub limit: i64,
    /// The last SKU of the previous page (the cursor is that SKU).
    pub after: Option<Sku>,
}

impl StockListing {
    /// From the query pairs; every problem is named. Unknown parameters are ignored.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut listing = Self {
            prefix: String::new(),
            limit: i64::from(DEFAULT_STOCK_LIMIT),
            after: None,
        };
        for (name, value) in pairs {
            match name.as_str() {
                "sku_prefix" => {
                    if value.len() > MAX_SKU_LEN || !value.bytes().all(is_sku_byte) {
                        problems.push(field(
                            "sku_prefix",
                            "may contain only A-Z, 0-9, '_' and '-', up to 64 characters",
                        ));
                    } else {
                        listing.prefix = value.clone();
                    }
                }
                "limit" => match value.parse::<u32>() {
                    Ok(limit) if (1..=MAX_STOCK_LIMIT).contains(&limit) => {
                        listing.limit = i64::from(limit);
                    }
                    _ => problems.push(field(
                        "limit",
                        &format!("must be an integer between 1 and {MAX_STOCK_LIMIT}"),
                    )),
                },
                "cursor" => match Sku::parse(value) {
                    Ok(sku) => listing.after = Some(sku),
                    Err(_) => problems.push(field("cursor", "is not a cursor of this listing")),
                },
                _ => {}
            }
        }
        if problems.is_empty() {
            Ok(listing)
        } else {
            Err(problems)
        }
    }
}

/// `GET /availability`: 1 to 50 SKUs, duplicates dropped, order kept.
pub fn parse_availability(pairs: &[(String, String)]) -> Result<Vec<Sku>, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut skus: Vec<Sku> = Vec::new();
    let raw: Vec<&str> = pairs
        .iter()
        .filter(|(name, _)| name == "sku")
        .map(|(_, value)| value.as_str())
        .collect();
    if raw.is_empty() || raw.len() > MAX_AVAILABILITY_SKUS {
        return Err(vec![field(
            "sku",
            &format!("give 1 to {MAX_AVAILABILITY_SKUS} sku parameters"),
        )]);
    }
    for (index, text) in raw.into_iter().enumerate() {
        match Sku::parse(text) {
            Ok(sku) if !skus.contains(&sku) => skus.push(sku),
            Ok(_) => {}
            Err(message) => problems.push(field(&format!("sku[{index}]"), &message)),
        }
    }
    if problems.is_empty() {
        Ok(skus)
    } else {
        Err(problems)
    }
}

fn field(name: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn on_hand_is_capped() {
        assert!(OnHand::parse(-1).is_err());
        assert_eq!(OnHand::parse(0).unwrap().get(), 0);
        assert!(OnHand::parse(MAX_ON_HAND).is_ok());
        assert!(OnHand::parse(MAX_ON_HAND + 1).is_err());
    }

    #[test]
    fn listings_parse_and_name_problems() {
        let listing =
            StockListing::parse(&pairs(&[("sku_prefix", "SK_"), ("limit", "2")])).unwrap();
        assert_eq!((listing.prefix.as_str(), listing.limit), ("SK_", 2));
        assert_eq!(StockListing::parse(&[]).unwrap().limit, 50);
        let problems = StockListing::parse(&pairs(&[
            ("sku_prefix", "a%"),
            ("limit", "0"),
            ("cursor", "x"),
        ]))
        .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["sku_prefix", "limit", "cursor"]);
    }

    #[test]
    fn availability_wants_1_to_50_valid_skus() {
        assert!(parse_availability(&[]).is_err());
        let skus =
            parse_availability(&pairs(&[("sku", "AAA"), ("sku", "BBB"), ("sku", "AAA")])).unwrap();
        assert_eq!(skus.len(), 2);
        let many: Vec<(String, String)> = (0..51)
            .map(|i| ("sku".into(), format!("S{i:03}")))
            .collect();
        assert!(parse_availability(&many).is_err());
        assert_eq!(
            parse_availability(&pairs(&[("sku", "AAA"), ("sku", "b")])).unwrap_err()[0].field,
            "sku[1]"
        );
    }
}
