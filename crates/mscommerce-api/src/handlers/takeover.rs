//! Taking over a self-service subscription: move its users to a central subscription, or cancel it. Either way
//! the subscription ends as Deleted and its purchaser is told by email, written in the same transaction.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mscommerce_domain::notification;
use mscommerce_domain::SubscriptionId;
use mscommerce_domain::{CancellationReason, Operation, PurchaseType, SubscriptionStatus};
use mscommerce_store::{MoveUsers, NewMessage, Subscription};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams};
use crate::request::{expected_version, parse_subscription_id};
use crate::state::AppState;
use crate::subscriptions::{cancel_and_notify, load};
use crate::views::subscriptions::{CancelRequest, MoveRequest, MoveResult, SubscriptionView};
use crate::views::Timestamp;

async fn self_service(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Subscription> {
    caller.require(Operation::ManageSubscriptions)?;
    let subscription = load(state, caller, parse_subscription_id(id)?).await?;
    if subscription.purchase_type != PurchaseType::SelfService {
        return Err(ApiError::refused(
            StatusCode::CONFLICT,
            "NotSelfService",
            "Only a self-service subscription can be taken over; this one is already central.",
        ));
    }
    Ok(subscription)
}

/// Move every user of a self-service subscription to a central one, then cancel the self-service one.
/// All or nothing: without one free target license per user, nothing moves and the answer says how many are
/// missing. Synchronous: a move of 10,000 users is one database transaction of a few seconds at most.
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers",
    tag = "take-over",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "The self-service subscription (GUID)"), ("If-Match" = Option<String>, Header, description = "ETag of the self-service subscription")),
    request_body = MoveRequest,
    responses(
        (status = 200, body = MoveResult),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`NotEnoughLicenses` (the reason says how many are missing), `TargetNotCentral`, `NotSelfService`, `SubscriptionNotActive`", body = ErrorBody),
        (status = 412, body = ErrorBody),
    )
)]
pub async fn move_users(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<MoveRequest>,
) -> ApiResult<Response> {
    let source = self_service(&state, &caller, &id).await?;
    let target_id = request
        .target_subscription_id
        .parse::<SubscriptionId>()
        .map_err(|_| {
            ApiError::bad_request(
                "InvalidTargetSubscription",
                format!(
                    "targetSubscriptionId '{}' is not a subscription ID (a GUID).",
                    request.target_subscription_id
                ),
            )
        })?;
    let target = load(&state, &caller, target_id).await?;
    let when = Timestamp::now().to_string();
    let source_id = source.id.to_string();
    let reason = CancellationReason::MovingToCentralLicenses.as_str();
    let email_facts =
        source.email_facts(&source_id, caller.principal.display_name(), reason, &when);
    let message = source.purchaser.as_ref().map(|_| {
        NewMessage::from(notification::users_moved_by_admin(
            &email_facts,
            &target.target_name,
        ))
    });
    let outcome = state
        .store
        .move_users(
            MoveUsers {
                tenant_id: caller.principal.tenant_id,
                source_id: source.id,
                target_id,
                expected_version: expected_version(&headers, source.version)?,
            },
            &caller.actor(),
            message,
        )
        .await?;
    Ok(Json(MoveResult {
        status: "Move completed".into(),
        moved_users: outcome.moved,
        source: SubscriptionView::of(&outcome.source),
        target: SubscriptionView::of(&outcome.target),
    })
    .into_response())
}

/// Cancel a self-service subscription as an admin: its users lose access at once, it becomes Deleted, its
/// purchaser is told. The request must say `"confirm": true`.
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/{subscriptionId}/takeOver/cancel",
    tag = "take-over",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "The self-service subscription (GUID)"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = CancelRequest,
    responses((status = 200, body = SubscriptionView), (status = 400, description = "`ConfirmationRequired`, `InvalidCancellationReason`, ...", body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody))
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<CancelRequest>,
) -> ApiResult<Response> {
    let subscription = self_service(&state, &caller, &id).await?;
    if request.confirm != Some(true) {
        return Err(ApiError::bad_request(
            "ConfirmationRequired",
            "Cancelling takes the licenses away from this subscription's users at once. Send \"confirm\": true to \
             cancel.",
        ));
    }
    cancel_and_notify(
        &state,
        &caller,
        &headers,
        &subscription,
        &request,
        SubscriptionStatus::Deleted,
        notification::cancelled_by_admin,
    )
    .await
}
