//! Answers several handlers give the same way: pre-rendered JSON, a record with its `ETag`, a created record with
//! its `Location`.

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::views::etag;

/// A pre-rendered JSON answer.
pub fn json(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// A pre-rendered JSON answer with its `ETag`.
pub fn json_with_etag(body: Bytes, etag: HeaderValue) -> Response {
    let mut response = json(body);
    response.headers_mut().insert(header::ETAG, etag);
    response
}

/// `view` as JSON, with the `ETag` of `version`.
pub fn with_etag(status: StatusCode, version: i64, view: impl Serialize) -> Response {
    let mut response = (status, Json(view)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// 201 with `view`, its `ETag` and its `Location`.
pub fn created(location: &str, version: i64, view: impl Serialize) -> Response {
    let mut response = with_etag(StatusCode::CREATED, version, view);
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
