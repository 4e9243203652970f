//! Delegated admin relationships: a partner organization's Global Administrator asks a customer for roles, the
//! customer's Global Administrator approves them until an end date, either side ends the relationship at once;
//! both list them, and the partner lists its customers. What a partner may then do at a customer is decided where
//! every caller is authorized ([`crate::directory_cache`]); its tokens come from the customer's token endpoint.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use mscommerce_domain::{parse_roles, DirectoryRole, Operation, RelationshipStatus, TenantId};
use mscommerce_store::NewRelationship;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams};
use crate::state::AppState;
use crate::views::partners::{
    ApproveRelationshipRequest, NewRelationshipRequest, PartnerCustomerList, PartnerCustomerView,
    RelationshipList, RelationshipView,
};

fn relationship_id(text: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(text).map_err(|_| {
        ApiError::bad_request(
            "InvalidPathParameter",
            format!("'{text}' is not a relationship ID (a GUID)."),
        )
    })
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found(
        "RelationshipNotFound",
        format!("This organization has no delegated admin relationship with the ID {id}."),
    )
}

fn roles_of(texts: &[String]) -> ApiResult<Vec<DirectoryRole>> {
    parse_roles(texts).map_err(|e| ApiError::bad_request(e.code(), e.to_string()))
}

/// The customer a request names: a tenant ID, or one of its domain names.
async fn customer(state: &AppState, text: &str) -> ApiResult<TenantId> {
    let found = match Uuid::parse_str(text.trim()) {
        Ok(id) => state.store.tenant(TenantId(id)).await?.map(|t| t.id),
        Err(_) => state.store.tenant_by_domain(text.trim()).await?,
    };
    found.ok_or_else(|| {
        ApiError::bad_request(
            "InvalidCustomer",
            format!("No organization has the tenant ID or domain name '{text}'."),
        )
    })
}

/// List the organization's delegated admin relationships: those it holds as a partner and those it granted as a
/// customer, newest first.
#[utoipa::path(
    get,
    path = "/v1.0/partner/relationships",
    tag = "partners",
    security(("bearer" = [])),
    responses((status = 200, body = RelationshipList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_relationships(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<RelationshipList>> {
    caller.require(Operation::ReadPartnerRelationships)?;
    let relationships = state
        .store
        .relationships(caller.principal.tenant_id)
        .await?;
    Ok(Json(RelationshipList {
        items: relationships.iter().map(RelationshipView::of).collect(),
    }))
}

/// Get one relationship the organization is a side of.
#[utoipa::path(
    get,
    path = "/v1.0/partner/relationships/{relationshipId}",
    tag = "partners",
    security(("bearer" = [])),
    params(("relationshipId" = String, Path, description = "The relationship's ID (a GUID)")),
    responses((status = 200, body = RelationshipView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_relationship(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<RelationshipView>> {
    caller.require(Operation::ReadPartnerRelationships)?;
    let id = relationship_id(&id)?;
    let relationship = state
        .store
        .relationship(caller.principal.tenant_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(RelationshipView::of(&relationship)))
}

/// As a partner, ask a customer organization for directory roles; the relationship is pending until the
/// customer's Global Administrator approves it.
#[utoipa::path(
    post,
    path = "/v1.0/partner/relationships",
    tag = "partners",
    security(("bearer" = [])),
    request_body = NewRelationshipRequest,
    responses(
        (status = 201, body = RelationshipView),
        (status = 400, description = "No such customer, the caller's own organization, or roles that are not directory roles", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
pub async fn request_relationship(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<NewRelationshipRequest>,
) -> ApiResult<Response> {
    caller.require(Operation::ManagePartnerRelationships)?;
    let roles = roles_of(&request.roles)?;
    let customer_tenant_id = customer(&state, &request.customer_tenant_id).await?;
    let relationship = state
        .store
        .request_relationship(
            NewRelationship {
                partner_tenant_id: caller.principal.tenant_id,
                customer_tenant_id,
                roles,
            },
            &caller.actor(),
        )
        .await?;
    let location = format!(
        "{}/v1.0/partner/relationships/{}",
        state.settings.public_url, relationship.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(RelationshipView::of(&relationship)),
    )
        .into_response())
}

/// As the customer, approve a pending relationship: grant some or all of the roles asked for, until an end date at
/// most two years away.
#[utoipa::path(
    post,
    path = "/v1.0/partner/relationships/{relationshipId}/approve",
    tag = "partners",
    security(("bearer" = [])),
    params(("relationshipId" = String, Path, description = "The relationship's ID (a GUID)")),
    request_body = ApproveRelationshipRequest,
    responses(
        (status = 200, body = RelationshipView),
        (status = 400, description = "A role not asked for, or an end date not within two years", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not pending, or this organization is the partner", body = ErrorBody),
    )
)]
pub async fn approve_relationship(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<ApproveRelationshipRequest>,
) -> ApiResult<Json<RelationshipView>> {
    caller.require(Operation::ManagePartnerRelationships)?;
    let id = relationship_id(&id)?;
    let ends_at = DateTime::parse_from_rfc3339(request.end_date_time.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::bad_request(
                "InvalidEndDate",
                format!(
                    "'{}' is not an RFC 3339 date and time (2027-06-30T00:00:00Z).",
                    request.end_date_time
                ),
            )
        })?;
    let tenant_id = caller.principal.tenant_id;
    let current = state
        .store
        .relationship(tenant_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let roles = match &request.roles {
        Some(roles) => roles_of(roles)?,
        None => current
            .requested_roles
            .iter()
            .filter_map(|r| DirectoryRole::parse(r))
            .collect(),
    };
    let approved = state
        .store
        .approve_relationship(tenant_id, id, &roles, ends_at, &caller.actor())
        .await?;
    state.directory.forget_relationships();
    Ok(Json(RelationshipView::of(&approved)))
}

/// End a relationship at once, from either side (a pending one is thereby declined). The partner's live tokens for
/// the customer stop being accepted.
#[utoipa::path(
    post,
    path = "/v1.0/partner/relationships/{relationshipId}/end",
    tag = "partners",
    security(("bearer" = [])),
    params(("relationshipId" = String, Path, description = "The relationship's ID (a GUID)")),
    responses(
        (status = 200, body = RelationshipView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already ended", body = ErrorBody),
    )
)]
pub async fn end_relationship(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<RelationshipView>> {
    caller.require(Operation::ManagePartnerRelationships)?;
    let id = relationship_id(&id)?;
    let ended = state
        .store
        .end_relationship(caller.principal.tenant_id, id, &caller.actor())
        .await?;
    state.directory.forget_relationships();
    Ok(Json(RelationshipView::of(&ended)))
}

/// As a partner, list the customers: every organization the partner has a relationship with, whether one is
/// active now and the roles the active ones grant.
#[utoipa::path(
    get,
    path = "/v1.0/partner/customers",
    tag = "partners",
    security(("bearer" = [])),
    responses((status = 200, body = PartnerCustomerList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_customers(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<PartnerCustomerList>> {
    caller.require(Operation::ReadPartnerRelationships)?;
    let partner = caller.principal.tenant_id;
    let now = Utc::now();
    let mut customers: BTreeMap<(String, TenantId), PartnerCustomerView> = BTreeMap::new();
    for relationship in state.store.relationships(partner).await? {
        if relationship.partner_tenant_id != partner {
            continue;
        }
        let customer = customers
            .entry((
                relationship.customer_name.clone(),
                relationship.customer_tenant_id,
            ))
            .or_insert_with(|| PartnerCustomerView {
                tenant_id: relationship.customer_tenant_id.to_string(),
                display_name: relationship.customer_name.clone(),
                has_active_relationship: false,
                granted_roles: Vec::new(),
                relationships: Vec::new(),
            });
        if relationship.status_at(now) == Some(RelationshipStatus::Active) {
            customer.has_active_relationship = true;
            for role in relationship.granted() {
                let name = role.name().to_string();
                if !customer.granted_roles.contains(&name) {
                    customer.granted_roles.push(name);
                }
            }
        }
        customer
            .relationships
            .push(RelationshipView::of(&relationship));
    }
    Ok(Json(PartnerCustomerList {
        items: customers.into_values().collect(),
    }))
}
