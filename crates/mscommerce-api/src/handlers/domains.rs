//! The organization's domains: readers of users list them, Global Administrators add them. A user's sign-in name
//! must be in one of them (the store checks it when the user is created).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mscommerce_domain::{DomainName, Operation};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams};
use crate::state::AppState;
use crate::views::domains::{DomainList, DomainView, NewDomainRequest};

/// List the organization's domains, the initial one first.
#[utoipa::path(
    get,
    path = "/v1.0/domains",
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, body = DomainList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_domains(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<DomainList>> {
    caller.require(Operation::ReadUsers)?;
    let domains = state
        .store
        .tenant_domains(caller.principal.tenant_id)
        .await?;
    Ok(Json(DomainList {
        items: domains.iter().map(DomainView::of).collect(),
    }))
}

/// Get one of the organization's domains.
#[utoipa::path(
    get,
    path = "/v1.0/domains/{domainId}",
    tag = "users",
    security(("bearer" = [])),
    params(("domainId" = String, Path, description = "The domain name (any case)")),
    responses((status = 200, body = DomainView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_domain(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(domain_id): PathParams<String>,
) -> ApiResult<Json<DomainView>> {
    caller.require(Operation::ReadUsers)?;
    let domains = state
        .store
        .tenant_domains(caller.principal.tenant_id)
        .await?;
    domains
        .iter()
        .find(|d| d.domain.as_str().eq_ignore_ascii_case(&domain_id))
        .map(|d| Json(DomainView::of(d)))
        .ok_or_else(|| {
            ApiError::not_found(
                "DomainNotFound",
                format!("This organization has no domain named {domain_id}."),
            )
        })
}

/// Add a domain to the organization (Global Administrators only); a domain belongs to one organization.
#[utoipa::path(
    post,
    path = "/v1.0/domains",
    tag = "users",
    security(("bearer" = [])),
    request_body = NewDomainRequest,
    responses(
        (status = 201, body = DomainView),
        (status = 400, description = "Not a domain name", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "The domain is this or another organization's (which is not named)", body = ErrorBody),
    )
)]
pub async fn add_domain(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<NewDomainRequest>,
) -> ApiResult<Response> {
    caller.require(Operation::ManageDomains)?;
    let domain = DomainName::parse(&request.id)
        .map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    let added = state
        .store
        .add_tenant_domain(caller.principal.tenant_id, domain, &caller.actor())
        .await?;
    let location = format!(
        "{}/v1.0/domains/{}",
        state.settings.public_url, added.domain
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(DomainView::of(&added)),
    )
        .into_response())
}
