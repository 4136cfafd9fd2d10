use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339 in UTC with milliseconds and a `Z` suffix: the one form Flink's JSON format
/// parses as `TIMESTAMP_LTZ(3)` (`+00:00` would become NULL and fail the job).
pub fn format_rfc3339_millis(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) mod serde_millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_rfc3339_millis(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|err| serde::de::Error::custom(format!("not an RFC 3339 timestamp: {err}")))
    }
}
