//! What every request goes through: a correlation id, a tracing span, the time limit, metrics.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub const CORRELATION_HEADER: &str = "x-ms-correlation-id";

/// The request's correlation id, in the request's extensions.
#[derive(Debug, Clone)]
pub struct CorrelationId(pub String);

impl CorrelationId {
    /// The id the middleware gave this request (a fresh one when called outside it, as in unit tests).
    pub fn of(parts: &Parts) -> String {
        parts
            .extensions
            .get::<CorrelationId>()
            .map(|c| c.0.clone())
            .unwrap_or_else(|| Uuid::new_v4().to_string())
    }

    /// The client's id when it is 1 to 128 visible ASCII characters (safe to log and echo), a new GUID otherwise.
    fn from_request(request: &Request) -> CorrelationId {
        let given = request
            .headers()
            .get(CORRELATION_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()));
        CorrelationId(given.map_or_else(|| Uuid::new_v4().to_string(), str::to_string))
    }
}

pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let correlation = CorrelationId::from_request(&request);
    request.extensions_mut().insert(correlation.clone());
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let span = tracing::info_span!(
        "request",
        http.method = %method,
        http.route = route.as_ref().map_or("(no route)", |p| p.as_str()),
        correlation_id = %correlation.0,
    );
    let timeout = state.settings.request_timeout;
    let mut response =
        match tokio::time::timeout(timeout, next.run(request).instrument(span.clone())).await {
            Ok(response) => response,
            Err(_) => {
                let _entered = span.enter();
                tracing::warn!(timeout_ms = timeout.as_millis() as u64, "request timed out");
                ApiError::Timeout.into_response()
            }
        };
    if let Ok(value) = HeaderValue::from_str(&correlation.0) {
        response.headers_mut().insert(CORRELATION_HEADER, value);
    }
    let status = response.status();
    let elapsed = started.elapsed();
    state.metrics.record(
        route.as_ref().map_or("(no route)", |p| p.as_str()),
        &method,
        status.as_u16(),
        elapsed,
    );
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!(
                http.status = status.as_u16(),
                duration_us = elapsed.as_micros() as u64,
                "request finished"
            );
        } else {
            tracing::debug!(
                http.status = status.as_u16(),
                duration_us = elapsed.as_micros() as u64,
                "request finished"
            );
        }
    });
    response
}
