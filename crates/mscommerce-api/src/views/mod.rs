//! Wire types: the JSON bodies the API reads and answers, one module per resource, and how records become them.
//! Every enum goes on the wire by the domain's `as_str` and comes off it by its `parse` (any case); every
//! timestamp is a [`Timestamp`].

pub mod acquisition;
pub mod audit;
pub mod credentials;
pub mod domains;
pub mod grants;
pub mod license_requests;
pub mod licenses;
pub mod ops;
pub mod partners;
pub mod policies;
pub mod subscriptions;
pub mod token;
pub mod trusted_issuers;
pub mod users;

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

/// An instant on the wire: RFC 3339, UTC, with milliseconds (`2026-11-25T07:00:00.000Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, format = DateTime, example = "2026-11-25T07:00:00.000Z")]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(Utc::now())
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Timestamp {
        Timestamp(at)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An optional whole number, also when written as `30.0`: JSON Schema's `integer` (which the document declares)
/// is any number without a fractional part, and serde's `i64` refuses `30.0`.
pub fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if let Some(whole) = number.as_i64() {
        return Ok(Some(whole));
    }
    match number.as_f64() {
        // Beyond 2^53 a float is no longer exact; the document's limits are far below.
        Some(float) if float.fract() == 0.0 && float.abs() < 9_007_199_254_740_992.0 => {
            Ok(Some(float as i64))
        }
        _ => Err(D::Error::custom(format!("{number} is not a whole number"))),
    }
}

/// The `ETag` of a record's version: `"3"`.
pub fn etag(version: i64) -> String {
    mscommerce_domain::entity_tag(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Quantity {
        #[serde(default, deserialize_with = "whole_number")]
        quantity: Option<i64>,
    }

    #[test]
    fn whole_numbers_may_be_written_as_floats() {
        let read = |json: &str| serde_json::from_str::<Quantity>(json).map(|q| q.quantity);
        assert_eq!(read(r#"{"quantity": 30}"#).unwrap(), Some(30));
        assert_eq!(read(r#"{"quantity": 30.0}"#).unwrap(), Some(30));
        assert_eq!(read(r#"{"quantity": null}"#).unwrap(), None);
        assert_eq!(read("{}").unwrap(), None);
        assert!(read(r#"{"quantity": 30.5}"#).is_err());
        assert!(read(r#"{"quantity": 1e300}"#).is_err());
        assert!(read(r#"{"quantity": "30"}"#).is_err());
    }

    #[test]
    fn timestamps_are_utc_with_milliseconds() {
        let at: DateTime<Utc> = "2026-11-25T08:00:00.5+01:00".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&Timestamp(at)).unwrap(),
            "\"2026-11-25T07:00:00.500Z\""
        );
        assert_eq!(Timestamp(at).to_string(), "2026-11-25T07:00:00.500Z");
    }
}
