//! JSON rules every service applies the same way.

/// An `integer` of JSON Schema: any JSON number without a fractional part, so `2.0` and
/// `2e3` count as much as `2` (serde's `i64` refuses them).
pub fn integer<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    struct IntegerVisitor;

    impl serde::de::Visitor<'_> for IntegerVisitor {
        type Value = i64;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an integer")
        }

        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<i64, E> {
            Ok(value)
        }

        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<i64, E> {
            i64::try_from(value).map_err(|_| E::custom("integer out of range"))
        }

        fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<i64, E> {
            // 2^63 is exactly representable; every integral f64 below it fits in i64.
            const LIMIT: f64 = 9_223_372_036_854_775_808.0;
            if value.fract() != 0.0 || !value.is_finite() {
                return Err(E::invalid_type(serde::de::Unexpected::Float(value), &self));
            }
            if !(-LIMIT..LIMIT).contains(&value) {
                return Err(E::custom("integer out of range"));
            }
            Ok(value as i64)
        }
    }

    deserializer.deserialize_any(IntegerVisitor)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Count {
        #[serde(deserialize_with = "super::integer")]
        n: i64,
    }

    fn parse(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Count>(json)
            .map(|count| count.n)
            .map_err(|err| err.to_string())
    }

    #[test]
    fn integral_numbers_in_any_notation_are_integers() {
        assert_eq!(parse(r#"{"n": 4443}"#), Ok(4443));
        assert_eq!(parse(r#"{"n": 4443.0}"#), Ok(4443));
        assert_eq!(parse(r#"{"n": 2e3}"#), Ok(2000));
        assert_eq!(parse(r#"{"n": -7}"#), Ok(-7));
    }

    #[test]
    fn fractions_strings_and_huge_numbers_are_not() {
        assert!(parse(r#"{"n": 1.5}"#).is_err());
        assert!(parse(r#"{"n": "3"}"#).is_err());
        assert!(parse(r#"{"n": 1e19}"#).is_err());
        assert!(parse(r#"{"n": 18446744073709551615}"#).is_err());
    }
}
