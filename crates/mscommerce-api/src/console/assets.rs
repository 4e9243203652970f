//! The console's style sheet and script, compiled into the binary.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::extract::PathParams;

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

/// `GET /console/assets/{file}`.
pub(crate) async fn asset(PathParams(file): PathParams<String>) -> Response {
    let (body, content_type) = match file.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        _ => {
            return super::layout::message_page(
                StatusCode::NOT_FOUND,
                "Not found",
                "The console has no such file: its files are console.css and console.js.",
            )
        }
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Short: a new binary may bring new files under the same names.
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}
