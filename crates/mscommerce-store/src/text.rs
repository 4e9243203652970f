//! How values are kept in the database, the same on every backend: identifiers are GUIDs as lowercase text,
//! timestamps RFC 3339 UTC text with milliseconds (fixed width, so they sort and compare as text in byte order),
//! lists space-separated, enumerations by their wire names. A row that breaks this reads as
//! [`StoreError::Corrupt`], never as a panic.

use chrono::{DateTime, SecondsFormat, Utc};
use mscommerce_domain::{PolicyValue, Scope};
use uuid::Uuid;

use crate::{StoreError, StoreResult};

pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_timestamp(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("an RFC 3339 timestamp", text))
}

pub(crate) fn parse_uuid(text: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|_| corrupt("a GUID", text))
}

pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

pub(crate) fn parse_scope(text: &str) -> StoreResult<Scope> {
    Scope::parse(text).ok_or_else(|| corrupt("a policy scope", text))
}

pub(crate) fn parse_value(text: &str) -> StoreResult<PolicyValue> {
    PolicyValue::parse(text).ok_or_else(|| corrupt("a policy value", text))
}

/// A stored text that is not what its column holds: `'text' is not <what>`.
pub(crate) fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("'{text}' is not {what}"))
}
