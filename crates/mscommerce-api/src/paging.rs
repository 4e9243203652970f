//! Paged lists: `top` (1 to 1000, default 100) and an opaque `skipToken`, answered with `nextLink`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE_SIZE: u32 = 100;
pub const MAX_PAGE_SIZE: u32 = 1000;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Page size, 1 to 1000 (default 100). `$top` is accepted too.
    #[serde(alias = "$top")]
    pub top: Option<String>,
    /// Opaque; take it from `nextLink`. `$skipToken` is accepted too.
    #[serde(rename = "skipToken", alias = "$skipToken", alias = "$skiptoken")]
    pub skip_token: Option<String>,
}

impl PageQuery {
    pub fn size(&self) -> ApiResult<u32> {
        match &self.top {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "InvalidQueryParameter",
                        format!("top '{text}' is not allowed: give a whole number from 1 to {MAX_PAGE_SIZE}."),
                    )
                }),
        }
    }

    /// The cursor inside the skip token, when one was given.
    pub fn cursor(&self) -> ApiResult<Option<String>> {
        let Some(token) = &self.skip_token else {
            return Ok(None);
        };
        URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|cursor| !cursor.is_empty())
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "InvalidQueryParameter",
                    format!("skipToken '{token}' was not issued by this service; take it from nextLink."),
                )
            })
    }

    /// The cursor, parsed by `parse`; a token that does not parse is refused like a forged one.
    pub fn cursor_as<T>(&self, parse: impl Fn(&str) -> Option<T>) -> ApiResult<Option<T>> {
        match self.cursor()? {
            None => Ok(None),
            Some(cursor) => parse(&cursor).map(Some).ok_or_else(|| {
                ApiError::bad_request(
                    "InvalidQueryParameter",
                    "skipToken was not issued by this service; take it from nextLink.",
                )
            }),
        }
    }
}

/// The link to the next page: `base` (absolute, with any query of its own) plus `top` and the cursor.
pub fn next_link(base: &str, size: u32, cursor: &str) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    format!(
        "{base}{separator}top={size}&skipToken={}",
        URL_SAFE_NO_PAD.encode(cursor.as_bytes())
    )
}

/// Cuts a list fetched with one extra item to the page size; answers the next link when there is more.
pub fn finish_page<T>(
    items: &mut Vec<T>,
    size: u32,
    base: &str,
    cursor_of: impl Fn(&T) -> String,
) -> Option<String> {
    if items.len() <= size as usize {
        return None;
    }
    items.truncate(size as usize);
    items
        .last()
        .map(|last| next_link(base, size, &cursor_of(last)))
}
