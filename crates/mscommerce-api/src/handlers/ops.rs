//! Health, readiness, metrics and the OpenAPI document.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use crate::views::ops::Status;

/// 200 while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Status)))]
pub async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// 200 when the database answers; 503 otherwise.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses((status = 200, body = Status), (status = 503, body = ErrorBody))
)]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Status>> {
    match tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => Ok(Json(Status { status: "ready" })),
        Ok(Err(e)) => Err(ApiError::NotReady(format!(
            "The database does not answer: {e}"
        ))),
        Err(_) => Err(ApiError::NotReady(
            "The database did not answer within 2 seconds.".into(),
        )),
    }
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let caches = [
        ("policies", state.policies.stats()),
        ("tokens", state.verifier.cache_stats()),
        ("federated_tokens", state.federation.token_stats()),
        ("users", state.directory.user_stats()),
        ("apps", state.directory.app_stats()),
    ];
    let text = state.metrics.render(
        &[
            (
                "mscommerce_trusted_issuer_key_fetches_total",
                "Times a trusted issuer's discovery document or JWKS was fetched (tried).",
                state.federation.key_fetches() as f64,
            ),
            (
                "mscommerce_uptime_seconds",
                "Seconds since the service started.",
                state.started.elapsed().as_secs_f64(),
            ),
        ],
        &caches,
    );
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// This API's OpenAPI document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        crate::openapi::document_json(),
    )
        .into_response()
}
