//! Who holds a subscription's licenses: assign and unassign, 1 to 20 users at a time, never beyond the quantity.
//! A self-service subscription's licenses are its purchaser's to give; a central one's, license managers'.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use mscommerce_domain::SubscriptionConcern;
use mscommerce_store::AssignmentChange;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams};
use crate::request::{expected_version, parse_subscription_id, parse_user_ids};
use crate::state::AppState;
use crate::subscriptions::{answer, load_visible, require_manager};
use crate::views::subscriptions::{SubscriptionView, UserIds};

async fn change_licenses(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    id: &str,
    ids: &UserIds,
    assign: bool,
) -> ApiResult<Response> {
    let subscription = load_visible(state, caller, parse_subscription_id(id)?).await?;
    require_manager(caller, &subscription, SubscriptionConcern::Licenses)?;
    let users = parse_user_ids(&ids.user_ids)?;
    let (assign, unassign) = if assign {
        (users, Vec::new())
    } else {
        (Vec::new(), users)
    };
    let updated = state
        .store
        .change_assignments(
            AssignmentChange {
                tenant_id: caller.principal.tenant_id,
                subscription_id: subscription.id,
                assign,
                unassign,
                expected_version: expected_version(headers, subscription.version)?,
            },
            &caller.actor(),
        )
        .await?;
    Ok(answer(StatusCode::OK, &updated))
}

/// Give licenses to 1 to 20 members of the organization; never beyond the quantity.
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/{subscriptionId}/assignUsers",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = UserIds,
    responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorBody), (status = 403, description = "`TakeOverRequired` for admins on a self-service subscription", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "`NotEnoughLicenses`, `NotAMember`, `SubscriptionNotActive`", body = ErrorBody))
)]
pub async fn assign_users(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(ids): JsonBody<UserIds>,
) -> ApiResult<Response> {
    change_licenses(&state, &caller, &headers, &id, &ids, true).await
}

/// Take licenses back from 1 to 20 users.
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/{subscriptionId}/unassignUsers",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = UserIds,
    responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn unassign_users(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(ids): JsonBody<UserIds>,
) -> ApiResult<Response> {
    change_licenses(&state, &caller, &headers, &id, &ids, false).await
}
