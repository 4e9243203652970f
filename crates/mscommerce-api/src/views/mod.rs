//! Wire types: the JSON bodies the API reads and answers, one module per resource, and how records become them.
//! Every enum goes on the wire by the domain's `as_str` and comes off it by its `parse` (any case); every
//! timestamp is a [`Timestamp`].

pub mod acquisition;
pub mod audit;
pub mod domains;
pub mod licenses;
pub mod ops;
pub mod policies;
pub mod subscriptions;
pub mod token;
pub mod users;

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
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

/// The `ETag` of a record's version: `"3"`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

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
