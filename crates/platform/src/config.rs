//! Reading typed settings from the environment. Every failure names the variable, so a
//! process that refuses to start says exactly what to fix.

use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

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
    fn flags_accept_common_spellings_only() {
        let env = Env::from_pairs([("T", "TRUE"), ("F", "0"), ("X", "maybe")]);
        assert!(env.flag("T", false).unwrap());
        assert!(!env.flag("F", true).unwrap());
        assert!(env.flag("U", true).unwrap());
        assert_eq!(env.flag("X", false).unwrap_err().variable, "X");
    }
}
