//! Reading typed settings from the environment. Every failure names the variable, so a
//! process that refuses to start says exactly what to fix.

use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {variable} {problem}")]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(variable: &str, problem: impl Into<String>) -> Self {
        Self {
            variable: variable.to_owned(),
            problem: problem.into(),
        }
    }
}

/// A snapshot of environment variables; tests build one from a map instead of mutating
/// the process environment.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars().collect(),
        }
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// The value, or `None` when unset or blank.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<&str, ConfigError> {
        self.optional(name)
            .ok_or_else(|| ConfigError::new(name, "is required but not set"))
    }

    pub fn parse_or<T>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.optional(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|err| ConfigError::new(name, format!("is invalid ({text:?}): {err}"))),
        }
    }

    /// A required URL that must use one of `schemes` (e.g. `["postgres://", "postgresql://"]`).
    pub fn url(&self, name: &str, schemes: &[&str]) -> Result<&str, ConfigError> {
        let value = self.required(name)?;
        if schemes.iter().any(|scheme| value.starts_with(scheme)) {
            Ok(value)
        } else {
            Err(ConfigError::new(
                name,
                format!("must start with one of {}", schemes.join(", ")),
            ))
        }
    }

    /// A comma-separated `host:port` list, normalised (`a:1, b:2` → `a:1,b:2`); `None`
    /// when unset or blank.
    pub fn kafka_brokers(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let Some(value) = self.optional(name) else {
            return Ok(None);
        };
        let items: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect();
        for item in &items {
            match item.rsplit_once(':') {
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {}
                _ => {
                    return Err(ConfigError::new(
                        name,
                        format!("has an invalid entry {item:?}: expected host:port"),
                    ))
                }
            }
        }
        Ok((!items.is_empty()).then(|| items.join(",")))
    }

    /// A required broker list (see [`Env::kafka_brokers`]).
    pub fn required_kafka_brokers(&self, name: &str) -> Result<String, ConfigError> {
        self.kafka_brokers(name)?
            .ok_or_else(|| ConfigError::new(name, "is required but not set"))
    }

    /// A Kafka topic or consumer-group name (`[A-Za-z0-9._-]`, at most 249 characters).
    pub fn kafka_name(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        let value = self.optional(name).unwrap_or(default);
        let valid = value.len() <= 249
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if valid {
            Ok(value.to_owned())
        } else {
            Err(ConfigError::new(
                name,
                "must be a Kafka name ([A-Za-z0-9._-], at most 249 characters)",
            ))
        }
    }

    /// A number within `min..=max`; unset means `default`.
    pub fn in_range<T>(&self, name: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + Display + Copy,
        T::Err: Display,
    {
        let value = self.parse_or(name, default)?;
        if value < min || value > max {
            return Err(ConfigError::new(
                name,
                format!("must be between {min} and {max}, got {value}"),
            ));
        }
        Ok(value)
    }

    /// A duration given in milliseconds (1 ms to 1 day); unset means `default_ms`.
    pub fn millis(&self, name: &str, default_ms: u64) -> Result<Duration, ConfigError> {
        self.in_range(name, default_ms, 1, 86_400_000)
            .map(Duration::from_millis)
    }

    /// `true`/`false`/`1`/`0`/`yes`/`no`, case-insensitive; unset means `default`.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.optional(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(ConfigError::new(
                name,
                format!("must be true or false, got {other:?}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_names_the_variable_and_treats_blank_as_unset() {
        let env = Env::from_pairs([("A", "  ")]);
        assert_eq!(
            env.required("A").unwrap_err().to_string(),
            "configuration error: A is required but not set"
        );
        assert_eq!(env.required("B").unwrap_err().variable, "B");
    }

    #[test]
    fn parse_or_uses_default_and_reports_bad_values() {
        let env = Env::from_pairs([("N", "12"), ("BAD", "x1")]);
        assert_eq!(env.parse_or("N", 5u64).unwrap(), 12);
        assert_eq!(env.parse_or("MISSING", 5u64).unwrap(), 5);
        let err = env.parse_or("BAD", 5u64).unwrap_err();
        assert_eq!(err.variable, "BAD");
        assert!(err.problem.contains("invalid"));
    }

    #[test]
    fn urls_must_use_an_allowed_scheme() {
        let env = Env::from_pairs([("DB", "postgres://x"), ("BAD", "mysql://x")]);
        assert_eq!(env.url("DB", &["postgres://"]).unwrap(), "postgres://x");
        assert_eq!(
            env.url("BAD", &["postgres://"]).unwrap_err().variable,
            "BAD"
        );
        assert_eq!(
            env.url("UNSET", &["postgres://"]).unwrap_err().problem,
            "is required but not set"
        );
    }

    #[test]
    fn broker_lists_are_validated_and_normalised() {
        let env = Env::from_pairs([
            ("K", " a:1 , b:2,"),
            ("BAD", "a:1,nohost"),
            ("PORT", "a:99999"),
            ("COMMAS", ",,"),
        ]);
        assert_eq!(env.kafka_brokers("K").unwrap().as_deref(), Some("a:1,b:2"));
        assert_eq!(env.kafka_brokers("UNSET").unwrap(), None);
        assert_eq!(env.kafka_brokers("COMMAS").unwrap(), None);
        assert_eq!(env.kafka_brokers("BAD").unwrap_err().variable, "BAD");
        assert_eq!(env.kafka_brokers("PORT").unwrap_err().variable, "PORT");
        assert_eq!(
            env.required_kafka_brokers("COMMAS").unwrap_err().problem,
            "is required but not set"
        );
    }

    #[test]
    fn kafka_names_and_ranges() {
        let env = Env::from_pairs([
            ("T", "orders.events-1"),
            ("BAD", "no spaces"),
            ("N", "0"),
            ("MS", "250"),
        ]);
        assert_eq!(env.kafka_name("T", "d").unwrap(), "orders.events-1");
        assert_eq!(env.kafka_name("UNSET", "d").unwrap(), "d");
        assert_eq!(env.kafka_name("BAD", "d").unwrap_err().variable, "BAD");
        assert_eq!(env.in_range("N", 5u32, 1, 10).unwrap_err().variable, "N");
        assert_eq!(env.in_range("UNSET", 5u32, 1, 10).unwrap(), 5);
        assert_eq!(env.millis("MS", 1).unwrap(), Duration::from_millis(250));
    }

    #[test]
    fn flags_accept_common_spellings_only() {
        let env = Env::from_pairs([("T", "TRUE"), ("F", "0"), ("X", "maybe")]);
        assert!(env.flag("T", false).unwrap());
        assert!(!env.flag("F", true).unwrap());
        assert!(env.flag("U", true).unwrap());
        assert_eq!(env.flag("X", false).unwrap_err().variable, "X");
    }
}
