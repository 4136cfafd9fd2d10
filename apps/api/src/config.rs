//! The API's settings (docs/spec.md#configuration), parsed once at start-up. Anything missing or invalid
//! stops the process with a message naming the variable.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderValue;
use platform::config::{ConfigError, Env};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Prod,
}

/// A secret that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind_addr: SocketAddr,
    pub database_url: Secret,
    pub redis_url: Secret,
    pub kafka_brokers: String,
    pub mongodb_url: Secret,
    pub jwt_secret: Secret,
    pub access_ttl_seconds: u64,
    pub refresh_ttl_seconds: u64,
    pub cors_origins: Vec<HeaderValue>,
    pub environment: Environment,
    pub allow_admin_bootstrap: bool,
    /// Peers whose `X-Forwarded-For` is believed when finding the client IP.
    pub trusted_proxies: Vec<IpAddr>,
    /// New orders join the inventory saga (`reservation: pending`); when false they are
    /// `none` and payable at once, as before inventory existed.
    pub inventory_saga_enabled: bool,
    /// `POST /orders` is refused while the user has this many `created` orders; `None`
    /// (`MAX_UNPAID_ORDERS=0`): no limit, and no cost on the order path.
    pub max_unpaid_orders: Option<i64>,
    /// Base URL of the inventory service's internal API, e.g. `http://127.0.0.1:8010`.
    pub inventory_url: String,
    /// Base URL of Flink's REST API, read by the pipeline page (`GET /admin/pipeline`).
    pub flink_rest_url: String,
}

/// Flink's REST API on the native stack.
pub const DEFAULT_FLINK_REST_URL: &str = "http://127.0.0.1:8081";

pub const MIN_JWT_SECRET_BYTES: usize = 32;

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let jwt_secret = env.required("JWT_SECRET")?;
        if jwt_secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(ConfigError::new(
                "JWT_SECRET",
                format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
            ));
        }
        let access_ttl_seconds = positive(env, "ACCESS_TTL_SECONDS", 900)?;
        let refresh_ttl_seconds = positive(env, "REFRESH_TTL_SECONDS", 1_209_600)?;
        let environment = match env.optional("ENV").unwrap_or("dev") {
            "dev" => Environment::Dev,
            "prod" => Environment::Prod,
            other => {
                return Err(ConfigError::new(
                    "ENV",
                    format!("must be dev or prod, got {other:?}"),
                ))
            }
        };
        Ok(Self {
            bind_addr: env.parse_or("BIND_ADDR", SocketAddr::from(([127, 0, 0, 1], 8000)))?,
            database_url: Secret::new(env.url("DATABASE_URL", &["postgres://", "postgresql://"])?),
            redis_url: Secret::new(env.url("REDIS_URL", &["redis://", "rediss://"])?),
            kafka_brokers: env.required_kafka_brokers("KAFKA_BROKERS")?,
            mongodb_url: Secret::new(env.url("MONGODB_URL", &["mongodb://", "mongodb+srv://"])?),
            jwt_secret: Secret::new(jwt_secret),
            access_ttl_seconds,
            refresh_ttl_seconds,
            cors_origins: cors_origins(env)?,
            environment,
            allow_admin_bootstrap: env.flag("ALLOW_ADMIN_BOOTSTRAP", false)?,
            trusted_proxies: list(env, "TRUSTED_PROXIES", |item| {
                item.parse::<IpAddr>().map_err(|e| e.to_string())
            })?,
            inventory_saga_enabled: env.flag("INVENTORY_SAGA_ENABLED", true)?,
            max_unpaid_orders: Some(env.in_range("MAX_UNPAID_ORDERS", 20, 0, 1_000_000)?)
                .filter(|&max| max > 0),
            inventory_url: env.url("INVENTORY_URL", &["http://"])?.to_owned(),
            flink_rest_url: match env.optional("FLINK_REST_URL") {
                None => DEFAULT_FLINK_REST_URL.to_owned(),
                Some(_) => env.url("FLINK_REST_URL", &["http://"])?.to_owned(),
            },
        })
    }
}

fn positive(env: &Env, name: &str, default: u64) -> Result<u64, ConfigError> {
    match env.parse_or(name, default)? {
        0 => Err(ConfigError::new(name, "must be greater than 0")),
        value => Ok(value),
    }
}

fn cors_origins(env: &Env) -> Result<Vec<HeaderValue>, ConfigError> {
    list(env, "CORS_ORIGINS", |item| {
        let is_origin = (item.starts_with("http://") || item.starts_with("https://"))
            && !item
                .trim_end_matches('/')
                .contains(|c: char| c.is_whitespace())
            && item.matches('/').count() == 2;
        if !is_origin {
            return Err(
                "expected an origin like http://localhost:5173 (scheme, host, optional port)"
                    .to_owned(),
            );
        }
        HeaderValue::from_str(item).map_err(|e| e.to_string())
    })
}

/// A comma-separated list; an empty or unset variable is an empty list.
fn list<T>(
    env: &Env,
    name: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, ConfigError> {
    env.optional(name)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            parse(item).map_err(|problem| {
                ConfigError::new(name, format!("has an invalid entry {item:?}: {problem}"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("DATABASE_URL", "postgres://u:p@127.0.0.1/db"),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
            ("KAFKA_BROKERS", "127.0.0.1:9092"),
            ("MONGODB_URL", "mongodb://127.0.0.1:27017/orderflow"),
            ("JWT_SECRET", SECRET),
            ("INVENTORY_URL", "http://127.0.0.1:8010"),
        ]
    }

    fn with(overrides: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        let mut pairs = base();
        pairs.retain(|(k, _)| !overrides.iter().any(|(o, _)| o == k));
        pairs.extend_from_slice(overrides);
        Config::from_env(&Env::from_pairs(pairs))
    }

    #[test]
    fn defaults_follow_the_spec() {
        let config = with(&[]).unwrap();
        assert_eq!(config.access_ttl_seconds, 900);
        assert_eq!(config.refresh_ttl_seconds, 1_209_600);
        assert_eq!(config.environment, Environment::Dev);
        assert!(!config.allow_admin_bootstrap);
        assert_eq!(config.bind_addr.to_string(), "127.0.0.1:8000");
        assert!(config.cors_origins.is_empty());
        assert!(config.inventory_saga_enabled);
        assert_eq!(config.max_unpaid_orders, Some(20));
        let unlimited = with(&[("MAX_UNPAID_ORDERS", "0")]).unwrap();
        assert_eq!(unlimited.max_unpaid_orders, None);
        assert_eq!(config.flink_rest_url, "http://127.0.0.1:8081");
    }

    #[test]
    fn every_required_variable_is_named_when_missing() {
        for name in [
            "DATABASE_URL",
            "REDIS_URL",
            "KAFKA_BROKERS",
            "MONGODB_URL",
            "JWT_SECRET",
            "INVENTORY_URL",
        ] {
            let err = with(&[(name, "")]).unwrap_err();
            assert_eq!(err.variable, name, "{err}");
        }
    }

    #[test]
    fn invalid_values_are_named() {
        for (name, bad) in [
            ("JWT_SECRET", "too-short"),
            ("ACCESS_TTL_SECONDS", "fifteen"),
            ("ACCESS_TTL_SECONDS", "0"),
            ("REFRESH_TTL_SECONDS", "-1"),
            ("ENV", "staging"),
            ("ALLOW_ADMIN_BOOTSTRAP", "perhaps"),
            ("CORS_ORIGINS", "localhost:5173"),
            ("CORS_ORIGINS", "http://localhost:5173/path"),
            ("DATABASE_URL", "mysql://x"),
            ("KAFKA_BROKERS", "no-port"),
            ("BIND_ADDR", "nowhere"),
            ("TRUSTED_PROXIES", "10.0.0.300"),
            ("INVENTORY_SAGA_ENABLED", "maybe"),
            ("MAX_UNPAID_ORDERS", "-1"),
            ("MAX_UNPAID_ORDERS", "many"),
            ("INVENTORY_URL", "https://inventory.internal"),
            ("INVENTORY_URL", "inventory:8010"),
            ("FLINK_REST_URL", "flink:8081"),
        ] {
            let err = with(&[(name, bad)]).unwrap_err();
            assert_eq!(err.variable, name, "{name}={bad}: {err}");
        }
    }

    #[test]
    fn parses_lists_and_flags() {
        let config = with(&[
            (
                "CORS_ORIGINS",
                "http://localhost:5173, https://admin.example.com",
            ),
            ("TRUSTED_PROXIES", "127.0.0.1,::1"),
            ("ENV", "prod"),
            ("ALLOW_ADMIN_BOOTSTRAP", "true"),
            ("KAFKA_BROKERS", "a:9092,b:9093"),
        ])
        .unwrap();
        assert_eq!(config.cors_origins.len(), 2);
        assert_eq!(config.trusted_proxies.len(), 2);
        assert_eq!(config.environment, Environment::Prod);
        assert!(config.allow_admin_bootstrap);
        assert_eq!(config.kafka_brokers, "a:9092,b:9093");
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let rendered = format!("{:?}", with(&[]).unwrap());
        assert!(!rendered.contains(SECRET));
        assert!(!rendered.contains("u:p@"));
    }
}
