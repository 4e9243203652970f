//! What every OAuth2 endpoint of the built-in issuer shares: its error for a bad request, its required
//! parameters, and the one scope it issues tokens for.

use axum::http::StatusCode;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Scopes that OAuth2 libraries add on their own and that grant nothing here.
const HARMLESS_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

pub(crate) fn invalid_request(description: impl Into<String>) -> ApiError {
    ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_request", description)
}

pub(crate) fn required<'a>(
    value: &'a Option<String>,
    name: &str,
    grant: &str,
) -> ApiResult<&'a str> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid_request(format!("The {grant} grant needs the parameter '{name}'.")))
}

/// The scope the token is for. Accepts `<audience>/.default` (the real module asks for
/// `aeb86249-8ea3-49e2-900b-54cc8e308f85/.default`) or `api://<audience>/.default`.
pub(crate) fn check_scope(state: &AppState, scope: Option<&str>) -> ApiResult<String> {
    let audience = &state.issuer.audience;
    let ours = format!("{audience}/.default");
    let Some(scope) = scope else { return Ok(ours) };
    let mut names_us = false;
    for item in scope.split_whitespace() {
        let resource = item.strip_prefix("api://").unwrap_or(item);
        if resource.eq_ignore_ascii_case(&ours) || resource.eq_ignore_ascii_case(audience) {
            names_us = true;
        } else if !HARMLESS_SCOPES.contains(&item) {
            return Err(ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("The scope '{item}' is not one this service issues tokens for; ask for '{ours}'."),
            ));
        }
    }
    if !names_us {
        return Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            format!("The scope must name this service's resource: ask for '{ours}'."),
        ));
    }
    Ok(ours)
}
