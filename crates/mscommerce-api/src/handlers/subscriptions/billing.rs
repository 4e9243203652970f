//! What a subscription costs the organization: buying a central one, changing quantity or renewal, cancelling.
//! A self-service subscription's billing is its purchaser's (it is their card); a central one's, billing admins'.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use mscommerce_domain::notification;
use mscommerce_domain::{
    AcquisitionKind, Operation, PurchaseType, SubscriptionConcern, SubscriptionStatus,
};
use mscommerce_store::SubscriptionEdit;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{BodyShape, Caller, JsonBody, PathParams};
use crate::request::{
    expected_version, parse_billing, parse_quantity, parse_subscription_id, resolve_target,
};
use crate::state::AppState;
use crate::subscriptions::{
    answer, cancel_and_notify, created, load_visible, new_subscription, require_manager,
};
use crate::views::subscriptions::{
    CancelRequest, CentralPurchase, SubscriptionChange, SubscriptionView,
};

/// Buy a central subscription for the organization (admins; the self-service policy does not apply).
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions",
    tag = "subscriptions",
    security(("bearer" = [])),
    request_body = CentralPurchase,
    responses((status = 201, body = SubscriptionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn buy_central(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<CentralPurchase>,
) -> ApiResult<Response> {
    caller.require(Operation::ManageSubscriptions)?;
    let target = resolve_target(
        &state.catalog,
        request.product_id.as_deref(),
        request.offer_type.as_deref(),
    )?;
    let quantity = parse_quantity(request.quantity)?;
    let billing = parse_billing(request.billing_frequency.as_deref())?;
    let new = new_subscription(
        caller.principal.tenant_id,
        &target,
        PurchaseType::Central,
        AcquisitionKind::Purchase,
        None,
        quantity,
        billing,
    );
    let subscription = state
        .store
        .create_subscription(new, &caller.actor(), None)
        .await?;
    Ok(created(&state, &subscription))
}

/// Change the total quantity, or turn renewal on or off, or both at once (the purchaser of a self-service
/// subscription; billing admins for central ones).
#[utoipa::path(
    patch,
    path = "/v1.0/subscriptions/{subscriptionId}",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = SubscriptionChange,
    responses((status = 200, body = SubscriptionView), (status = 400, description = "`InvalidRequestBody` (neither field), `InvalidQuantity`, `RenewalNotOffered`", body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody))
)]
pub async fn change_subscription(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(change): JsonBody<SubscriptionChange>,
) -> ApiResult<Response> {
    if change.quantity.is_none() && change.auto_renew.is_none() {
        return Err(ApiError::bad_request(
            "InvalidRequestBody",
            format!(
                "Nothing to change. Expected: {}.",
                SubscriptionChange::SHAPE
            ),
        ));
    }
    let subscription = load_visible(&state, &caller, parse_subscription_id(&id)?).await?;
    require_manager(&caller, &subscription, SubscriptionConcern::Billing)?;
    let updated = state
        .store
        .change_subscription(
            caller.principal.tenant_id,
            subscription.id,
            SubscriptionEdit {
                quantity: change.quantity,
                auto_renew: change.auto_renew,
            },
            expected_version(&headers, subscription.version)?,
            &caller.actor(),
        )
        .await?;
    Ok(answer(StatusCode::OK, &updated))
}

/// Cancel: the purchaser their self-service subscription (it becomes Disabled), billing admins a central one.
/// Licensed users lose access at once. (Admins end a self-service subscription by taking it over.)
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/{subscriptionId}/cancel",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = CancelRequest,
    responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<CancelRequest>,
) -> ApiResult<Response> {
    let subscription = load_visible(&state, &caller, parse_subscription_id(&id)?).await?;
    require_manager(&caller, &subscription, SubscriptionConcern::Billing)?;
    cancel_and_notify(
        &state,
        &caller,
        &headers,
        &subscription,
        &request,
        SubscriptionStatus::Disabled,
        notification::cancelled_by_purchaser,
    )
    .await
}
