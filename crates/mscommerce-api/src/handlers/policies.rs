//! The AllowSelfServicePurchase policy endpoints, compatible with Microsoft's licensing service.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use axum::Json;
use mscommerce_domain::{
    entity_tag, resolve_values, Operation, PolicyDefinition, PolicyTarget, PolicyValue,
    Preconditions, RequestedValue, Scope,
};
use mscommerce_store::{PolicyChange, PolicyChanges, PolicyValueChange};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams, QueryParams};
use crate::request::{find_offer_type, find_product, preconditions};
use crate::response::{json, json_with_etag};
use crate::state::AppState;
use crate::views::policies::{
    OfferTypePolicy, Policy, PolicyItemList, PolicyList, PolicyUpdate, PolicyValueOutcome,
    PolicyValuesResult, PolicyValuesUpdate, ProductPolicy, ProductsQuery,
};

fn find_policy(policy_id: &str) -> ApiResult<&'static PolicyDefinition> {
    PolicyDefinition::find(policy_id).ok_or_else(|| {
        let known: Vec<_> = PolicyDefinition::ALL.iter().map(|p| p.id).collect();
        ApiError::not_found(
            "PolicyNotFound",
            format!(
                "No policy has the ID '{policy_id}'. Policies: {}.",
                known.join(", ")
            ),
        )
    })
}

/// The value of one target, with its `ETag`.
async fn read_value(
    state: &AppState,
    caller: &Caller,
    policy: &PolicyDefinition,
    target: &PolicyTarget<'_>,
) -> ApiResult<(PolicyValue, HeaderValue)> {
    let value = state
        .policies
        .read(
            &*state.store,
            &state.catalog,
            caller.principal.tenant_id,
            |values| values.value_and_etag(target, policy.default_value),
        )
        .await?;
    Ok(value)
}

/// Validates and stores a new value, if the request's preconditions hold for the stored one, then updates the
/// cache; answers the record as it now is, with its `ETag`.
async fn write_value(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    policy: &PolicyDefinition,
    target: &PolicyTarget<'_>,
    update: PolicyUpdate,
) -> ApiResult<Response> {
    let value = PolicyValue::parse(&update.policy_value).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidPolicyValue",
            format!(
                "'{}' is not a policy value. Allowed values for {} '{}': {}.",
                update.policy_value,
                target.scope().as_str(),
                target.id(),
                target
                    .allowed_values()
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    target
        .check_value(value)
        .map_err(|e| ApiError::bad_request("PolicyValueNotAllowed", e.to_string()))?;
    let principal = &caller.principal;
    let write = state
        .store
        .set_policy_value(PolicyChange {
            tenant_id: principal.tenant_id,
            policy_id: policy.id.to_string(),
            scope: target.scope(),
            target_id: target.id().to_string(),
            target_name: target.name().to_string(),
            default_value: policy.default_value,
            value,
            actor: caller.actor(),
            preconditions: preconditions(headers),
        })
        .await?;
    if let Some(revision) = write.revision {
        state
            .policies
            .apply(principal.tenant_id, target, value, revision);
        tracing::info!(
            tenant.id = %principal.tenant_id,
            policy.target = target.id(),
            policy.old_value = %write.old_value,
            policy.new_value = %value,
            "policy value changed"
        );
    }
    let etag = HeaderValue::from_str(&entity_tag(write.current_revision))
        .map_err(|e| ApiError::Internal(format!("an ETag is not a header value: {e}")))?;
    Ok(json_with_etag(
        state.rendered.item(policy, target, value).clone(),
        etag,
    ))
}

/// List the policies.
#[utoipa::path(
    get,
    path = "/v1.0/policies",
    tag = "policies",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PolicyList),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
pub async fn list_policies(caller: Caller) -> ApiResult<Json<PolicyList>> {
    caller.require(Operation::ReadPolicy)?;
    let items = PolicyDefinition::ALL.iter().map(Policy::of).collect();
    Ok(Json(PolicyList { items }))
}

/// Get one policy.
#[utoipa::path(
    get,
    path = "/v1.0/policies/{policyId}",
    tag = "policies",
    security(("bearer" = [])),
    params(("policyId" = String, Path, description = "`AllowSelfServicePurchase` (any case)")),
    responses(
        (status = 200, body = Policy),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn get_policy(
    caller: Caller,
    PathParams(policy_id): PathParams<String>,
) -> ApiResult<Json<Policy>> {
    caller.require(Operation::ReadPolicy)?;
    Ok(Json(Policy::of(find_policy(&policy_id)?)))
}

/// List the value of every product, or with `scope=OfferType` of every third-party offer type.
#[utoipa::path(
    get,
    path = "/v1.0/policies/{policyId}/products",
    tag = "policies",
    security(("bearer" = [])),
    params(("policyId" = String, Path, description = "`AllowSelfServicePurchase` (any case)"), ProductsQuery),
    responses(
        (status = 200, body = PolicyItemList),
        (status = 400, description = "`BadRequest`: the scope is neither `product` nor `OfferType`", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(policy_id): PathParams<String>,
    QueryParams(query): QueryParams<ProductsQuery>,
) -> ApiResult<Response> {
    caller.require(Operation::ReadPolicy)?;
    let policy = find_policy(&policy_id)?;
    let scope = match query.scope.as_deref() {
        None => Scope::Product,
        Some(text) => Scope::parse(text).ok_or_else(|| {
            // Microsoft's service answers this very errorCode and reason; scripts may match them.
            ApiError::bad_request(
                "BadRequest",
                format!(
                    "Invalid scope. '{text}' is not a scope; allowed values: product, OfferType."
                ),
            )
        })?,
    };
    let catalog = &state.catalog;
    let rendered = &state.rendered;
    let body = state
        .policies
        .read(
            &*state.store,
            catalog,
            caller.principal.tenant_id,
            |values| {
                let value_of =
                    |target: &PolicyTarget<'_>| values.value(target, policy.default_value);
                match scope {
                    Scope::Product => rendered.list(
                        policy,
                        Scope::Product,
                        catalog.products().iter().map(PolicyTarget::Product),
                        value_of,
                    ),
                    Scope::OfferType => rendered.list(
                        policy,
                        Scope::OfferType,
                        catalog.offer_types().iter().map(PolicyTarget::OfferType),
                        value_of,
                    ),
                }
            },
        )
        .await?;
    Ok(json(body))
}

/// Get the value of one product. Old product IDs resolve to the current product.
#[utoipa::path(
    get,
    path = "/v1.0/policies/{policyId}/products/{productId}",
    tag = "policies",
    security(("bearer" = [])),
    params(
        ("policyId" = String, Path, description = "`AllowSelfServicePurchase` (any case)"),
        ("productId" = String, Path, description = "Current or old product ID (any case)"),
    ),
    responses(
        (status = 200, body = ProductPolicy, headers(("ETag" = String, description = "The value's version: `\"0\"` until it is first written"))),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn get_product(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((policy_id, product_id)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    caller.require(Operation::ReadPolicy)?;
    let policy = find_policy(&policy_id)?;
    let target = find_product(&state.catalog, &product_id)?;
    let (value, etag) = read_value(&state, &caller, policy, &target).await?;
    Ok(json_with_etag(
        state.rendered.item(policy, &target, value).clone(),
        etag,
    ))
}

/// Set the value of one product; answers the updated record.
#[utoipa::path(
    put,
    path = "/v1.0/policies/{policyId}/products/{productId}",
    tag = "policies",
    security(("bearer" = [])),
    params(
        ("policyId" = String, Path, description = "`AllowSelfServicePurchase` (any case)"),
        ("productId" = String, Path, description = "Current or old product ID (any case)"),
        ("If-Match" = Option<String>, Header, description = "`*` or one or more strong ETags from a read: the value is set only if it still has one of them (412 otherwise)"),
        ("If-None-Match" = Option<String>, Header, description = "`*` (always 412: every value exists) or ETags the value must not have"),
    ),
    request_body = PolicyUpdate,
    responses(
        (status = 200, body = ProductPolicy),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 412, description = "`PreconditionFailed`: If-Match or If-None-Match does not hold; the reason gives the current ETag", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
    )
)]
pub async fn put_product(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams((policy_id, product_id)): PathParams<(String, String)>,
    JsonBody(update): JsonBody<PolicyUpdate>,
) -> ApiResult<Response> {
    caller.require(Operation::WritePolicy)?;
    let policy = find_policy(&policy_id)?;
    let target = find_product(&state.catalog, &product_id)?;
    write_value(&state, &caller, &headers, policy, &target, update).await
}

/// Set several values at once (products and offer types), in one transaction: all or none, audited with the
/// request's one correlation id; answers what changed and what already was so.
#[utoipa::path(
    patch,
    path = "/v1.0/policies/{policyId}/products",
    tag = "policies",
    security(("bearer" = [])),
    params(("policyId" = String, Path, description = "`AllowSelfServicePurchase` (any case)")),
    request_body = PolicyValuesUpdate,
    responses(
        (status = 200, body = PolicyValuesResult),
        (status = 400, description = "`InvalidPolicyValues`: the reason names every entry that cannot be set (unknown product or offer type, not a value, a value the target does not allow, a target named twice) and nothing is written; `PreconditionNotSupported`: `If-Match` or `If-None-Match` sent as a header (give each value its `ifMatch`)", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 412, description = "`PreconditionFailed`: a value's `ifMatch` does not hold; the reason names each such value and its current ETag; nothing is written", body = ErrorBody),
    )
)]
pub async fn patch_products(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(policy_id): PathParams<String>,
    JsonBody(update): JsonBody<PolicyValuesUpdate>,
) -> ApiResult<Json<PolicyValuesResult>> {
    caller.require(Operation::WritePolicy)?;
    let policy = find_policy(&policy_id)?;
    if !preconditions(&headers).is_empty() {
        // The headers would name one representation; this request changes many, each with its own ETag.
        return Err(ApiError::bad_request(
            "PreconditionNotSupported",
            "If-Match and If-None-Match do not apply to a change of several values: give each value its own \
             \"ifMatch\" in the body.",
        ));
    }
    let requested: Vec<RequestedValue<'_>> = update
        .values
        .iter()
        .map(|entry| RequestedValue {
            product_id: entry.product_id.as_deref(),
            offer_type: entry.offer_type.as_deref(),
            policy_value: &entry.policy_value,
        })
        .collect();
    let resolved = resolve_values(&state.catalog, &requested).map_err(|rejected| {
        let problems: Vec<String> = rejected
            .iter()
            .map(|r| format!("values[{}]: {}", r.entry, r.reason))
            .collect();
        ApiError::bad_request(
            "InvalidPolicyValues",
            format!(
                "Nothing was written; {} of {} values cannot be set. {}.",
                rejected.len(),
                update.values.len(),
                problems.join("; ")
            ),
        )
    })?;
    let principal = &caller.principal;
    let actor = caller.actor();
    let correlation_id = actor.correlation_id.clone();
    let values = resolved
        .iter()
        .zip(&update.values)
        .map(|((target, value), entry)| PolicyValueChange {
            scope: target.scope(),
            target_id: target.id().to_string(),
            target_name: target.name().to_string(),
            value: *value,
            preconditions: Preconditions::parse(entry.if_match.as_deref(), None),
        })
        .collect();
    let writes = state
        .store
        .set_policy_values(PolicyChanges {
            tenant_id: principal.tenant_id,
            policy_id: policy.id.to_string(),
            default_value: policy.default_value,
            values,
            actor,
        })
        .await?;
    let mut result = PolicyValuesResult {
        policy_id: policy.id.to_string(),
        correlation_id,
        changed: Vec::new(),
        unchanged: Vec::new(),
    };
    for ((target, value), write) in resolved.iter().zip(&writes.values) {
        let outcome = PolicyValueOutcome {
            scope: target.scope().as_str().to_string(),
            id: target.id().to_string(),
            name: target.name().to_string(),
            previous_value: write.old_value.as_str().to_string(),
            policy_value: value.as_str().to_string(),
            etag: entity_tag(write.current_revision),
        };
        match write.revision {
            Some(revision) => {
                state
                    .policies
                    .apply(principal.tenant_id, target, *value, revision);
                result.changed.push(outcome);
            }
            None => result.unchanged.push(outcome),
        }
    }
    if let Some(revision) = writes.revision {
        tracing::info!(
            tenant.id = %principal.tenant_id,
            policy.changed = result.changed.len(),
            policy.unchanged = result.unchanged.len(),
            policy.revision = revision,
            "policy values changed together"
        );
    }
    Ok(Json(result))
}

/// Get the value of one third-party offer type.
#[utoipa::path(
    get,
    path = "/v1.0/policies/{policyId}/offerTypes/{offerType}",
    tag = "policies",
    security(("bearer" = [])),
    params(
        ("policyId" = String, Path, description = "`AllowSelfServicePurchase` (any case)"),
        ("offerType" = String, Path, description = "`SaaS`, `POWERBIVISUALS`, `DYNAMICSCE` or `DYNAMICSBC` (any case)"),
    ),
    responses(
        (status = 200, body = OfferTypePolicy, headers(("ETag" = String, description = "The value's version: `\"0\"` until it is first written"))),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn get_offer_type(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((policy_id, offer_type)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    caller.require(Operation::ReadPolicy)?;
    let policy = find_policy(&policy_id)?;
    let target = find_offer_type(&state.catalog, &offer_type)?;
    let (value, etag) = read_value(&state, &caller, policy, &target).await?;
    Ok(json_with_etag(
        state.rendered.item(policy, &target, value).clone(),
        etag,
    ))
}

/// Set the value of one third-party offer type (`Enabled` or `Disabled`); answers the updated record.
#[utoipa::path(
    put,
    path = "/v1.0/policies/{policyId}/offerTypes/{offerType}",
    tag = "policies",
    security(("bearer" = [])),
    params(
        ("policyId" = String, Path, description = "`AllowSelfServicePurchase` (any case)"),
        ("offerType" = String, Path, description = "`SaaS`, `POWERBIVISUALS`, `DYNAMICSCE` or `DYNAMICSBC` (any case)"),
        ("If-Match" = Option<String>, Header, description = "`*` or one or more strong ETags from a read: the value is set only if it still has one of them (412 otherwise)"),
        ("If-None-Match" = Option<String>, Header, description = "`*` (always 412: every value exists) or ETags the value must not have"),
    ),
    request_body = PolicyUpdate,
    responses(
        (status = 200, body = OfferTypePolicy),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 412, description = "`PreconditionFailed`: If-Match or If-None-Match does not hold; the reason gives the current ETag", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
    )
)]
pub async fn put_offer_type(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams((policy_id, offer_type)): PathParams<(String, String)>,
    JsonBody(update): JsonBody<PolicyUpdate>,
) -> ApiResult<Response> {
    caller.require(Operation::WritePolicy)?;
    let policy = find_policy(&policy_id)?;
    let target = find_offer_type(&state.catalog, &offer_type)?;
    write_value(&state, &caller, &headers, policy, &target, update).await
}
