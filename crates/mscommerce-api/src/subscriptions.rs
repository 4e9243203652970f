//! What the subscription, take-over and acquisition handlers share: reading a subscription the caller may see,
//! asking the domain who manages it, recording a new one at its list price, answering with it, and cancelling one
//! with its purchaser's email in the same transaction.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use mscommerce_domain::notification::{self, Facts};
use mscommerce_domain::{
    pricing, AcquisitionKind, BillingFrequency, ManageRefusal, Operation, PolicyTarget,
    PurchaseType, SubscriptionConcern, SubscriptionStatus,
};
use mscommerce_domain::{SubscriptionId, TenantId, UserId};
use mscommerce_store::{Cancellation, NewMessage, NewSubscription, Subscription};

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::request::{expected_version, parse_cancellation};
use crate::response::{self, with_etag};
use crate::state::AppState;
use crate::views::subscriptions::{CancelRequest, SubscriptionView};
use crate::views::Timestamp;

pub fn not_found(id: SubscriptionId) -> ApiError {
    ApiError::not_found(
        "SubscriptionNotFound",
        format!("No subscription of this organization has the ID {id}."),
    )
}

/// A subscription of the caller's organization, whoever may see it.
pub async fn load(
    state: &AppState,
    caller: &Caller,
    id: SubscriptionId,
) -> ApiResult<Subscription> {
    state
        .store
        .subscription(caller.principal.tenant_id, id)
        .await?
        .ok_or_else(|| not_found(id))
}

fn is_purchaser(caller: &Caller, subscription: &Subscription) -> bool {
    subscription
        .purchaser
        .as_ref()
        .is_some_and(|p| p.id == caller.principal.user_id())
}

/// Loads a subscription the caller may see: the purchaser's own, any for subscription readers and license
/// managers. Others are told it does not exist.
pub async fn load_visible(
    state: &AppState,
    caller: &Caller,
    id: SubscriptionId,
) -> ApiResult<Subscription> {
    let subscription = load(state, caller, id).await?;
    let principal = &caller.principal;
    let visible = is_purchaser(caller, &subscription)
        || principal.may(Operation::ReadSubscriptions)
        || principal.may(Operation::AssignLicenses);
    if visible {
        Ok(subscription)
    } else {
        Err(not_found(id))
    }
}

/// Refuses unless the caller manages `concern` of `subscription`, as the domain's role matrix says.
pub fn require_manager(
    caller: &Caller,
    subscription: &Subscription,
    concern: SubscriptionConcern,
) -> ApiResult<()> {
    let purchaser = subscription.purchaser.as_ref().map(|p| p.id);
    match caller
        .principal
        .may_manage(concern, subscription.purchase_type, purchaser)
    {
        Ok(()) => Ok(()),
        Err(ManageRefusal::NotAllowed(operation)) => caller.require(operation),
        Err(ManageRefusal::TakeOverRequired) => Err(take_over_first(subscription)),
    }
}

fn take_over_first(subscription: &Subscription) -> ApiError {
    let purchaser = subscription
        .purchaser
        .as_ref()
        .map_or("a user", |p| p.upn.as_str());
    ApiError::refused(
        StatusCode::FORBIDDEN,
        "TakeOverRequired",
        format!(
            "This subscription was bought by {purchaser} through self-service: admins cannot assign, unassign or \
             change its licenses. Take it over first (POST /v1.0/subscriptions/{}/takeOver/moveUsers or \
             .../takeOver/cancel).",
            subscription.id
        ),
    )
}

/// What a new subscription records: its price and the end of its first term, as the domain prices it.
pub fn new_subscription(
    tenant_id: TenantId,
    target: &PolicyTarget<'_>,
    purchase_type: PurchaseType,
    kind: AcquisitionKind,
    purchaser_id: Option<UserId>,
    quantity: i64,
    billing: BillingFrequency,
) -> NewSubscription {
    let pricing = pricing(target, kind, billing);
    NewSubscription {
        id: SubscriptionId::generate(),
        tenant_id,
        target_scope: target.scope(),
        target_id: target.id().to_string(),
        target_name: target.name().to_string(),
        purchase_type,
        acquisition_kind: kind,
        purchaser_id,
        quantity,
        unit_price_minor: pricing.unit_price.minor_units,
        currency: pricing.currency.to_string(),
        billing_frequency: billing,
        expires_at: pricing.first_term.end_from(Utc::now()),
        auto_renew: kind.renews(),
    }
}

/// The subscription as JSON with its `ETag`.
pub fn answer(status: StatusCode, subscription: &Subscription) -> Response {
    with_etag(
        status,
        subscription.version,
        SubscriptionView::of(subscription),
    )
}

/// 201 with the new subscription and its `Location`.
pub fn created(state: &AppState, subscription: &Subscription) -> Response {
    let location = format!(
        "{}/v1.0/subscriptions/{}",
        state.settings.public_url, subscription.id
    );
    response::created(
        &location,
        subscription.version,
        SubscriptionView::of(subscription),
    )
}

/// Cancels a subscription (every license unassigned at once) and, when a user bought it, writes `email` to them in
/// the same transaction.
pub async fn cancel_and_notify(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    subscription: &Subscription,
    request: &CancelRequest,
    status: SubscriptionStatus,
    email: fn(&Facts<'_>) -> notification::Email,
) -> ApiResult<Response> {
    let (reason, comment) = parse_cancellation(&request.reason, request.comment.as_deref())?;
    let when = Timestamp::now().to_string();
    let id = subscription.id.to_string();
    let actor = caller.principal.display_name();
    let message = subscription.purchaser.as_ref().map(|_| {
        NewMessage::from(email(&subscription.email_facts(
            &id,
            actor,
            reason.as_str(),
            &when,
        )))
    });
    let cancelled = state
        .store
        .cancel_subscription(
            Cancellation {
                tenant_id: caller.principal.tenant_id,
                subscription_id: subscription.id,
                reason,
                comment,
                status,
                expected_version: expected_version(headers, subscription.version)?,
            },
            &caller.actor(),
            message,
        )
        .await?;
    Ok(answer(StatusCode::OK, &cancelled))
}
