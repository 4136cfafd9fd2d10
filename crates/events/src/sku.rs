//! The SKU rule: one definition for order lines (`OrderCreated.items[].sku`), stock rows and
//! `StockAdjusted` keys, so the api and the inventory service can never disagree about it.

pub const MIN_SKU_LEN: usize = 3;
pub const MAX_SKU_LEN: usize = 64;
/// The rule as a regular expression, for OpenAPI `pattern`s (derive attributes of DTOs
/// cannot name a constant, so a test compares their literals with this one).
pub const SKU_PATTERN: &str = "^[A-Z0-9_-]{3,64}$";

/// Whether `b` may appear in a SKU: `A-Z`, `0-9`, `_`, `-`.
pub fn is_sku_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
}

/// A stock keeping unit: 3..=64 characters of `[A-Z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sku(String);

impl Sku {
    /// The SKU, or what is wrong with `text` in words fit for a field error.
    pub fn parse(text: &str) -> Result<Self, String> {
        let len = text.chars().count();
        if !(MIN_SKU_LEN..=MAX_SKU_LEN).contains(&len) {
            return Err(format!(
                "must be {MIN_SKU_LEN} to {MAX_SKU_LEN} characters long"
            ));
        }
        if !text.bytes().all(is_sku_byte) {
            return Err("may contain only A-Z, 0-9, '_' and '-'".to_owned());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_alphabet() {
        assert!(Sku::parse("AB").is_err());
        assert!(Sku::parse("ABC").is_ok());
        assert!(Sku::parse(&"A".repeat(64)).is_ok());
        assert!(Sku::parse(&"A".repeat(65)).is_err());
        assert!(Sku::parse("A-B_9").is_ok());
        for bad in ["abc", "AB C", "AB.C", "ÁBC", "AB%", "A/B", ""] {
            assert!(Sku::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Two characters, three bytes: too short, whatever the alphabet says.
        assert_eq!(
            Sku::parse("ÁB").unwrap_err(),
            "must be 3 to 64 characters long"
        );
    }
}
