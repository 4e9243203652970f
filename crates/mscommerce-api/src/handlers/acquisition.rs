//! Self-service acquisition: members buy or try products, and other services ask first whether they may.
//! Both decide with the domain's `decide` over the same inputs, read by [`decision_inputs`], so they always give
//! the same answer. The decision endpoint's answers are rendered once per combination of inputs (`rendered.rs`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mscommerce_domain::notification::{self, Facts};
use mscommerce_domain::{
    decide, Acquirer, AcquisitionKind, Decision, Operation, PolicyDefinition, PolicyTarget,
    PolicyValue, PrincipalKind, PurchaseType, ALLOW_SELF_SERVICE_PURCHASE,
};
use mscommerce_domain::{TenantId, UserId};
use mscommerce_store::{actions, NewAuditEvent, NewMessage};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::request::{parse_billing, parse_kind, parse_quantity, resolve_target};
use crate::response::json;
use crate::state::AppState;
use crate::subscriptions::{created, new_subscription};
use crate::views::acquisition::{AcquisitionRequest, DecisionQuery, DecisionView};
use crate::views::subscriptions::SubscriptionView;
use crate::views::Timestamp;

/// The one code path of every acquisition decision: the user's facts and the policy value from memory, the rule
/// from the domain crate.
pub async fn decision_for(
    state: &AppState,
    tenant_id: TenantId,
    user_id: UserId,
    target: &PolicyTarget<'_>,
    kind: AcquisitionKind,
) -> ApiResult<Decision> {
    let (value, acquirer) = decision_inputs(state, tenant_id, user_id, target).await?;
    Ok(decide(target, value, kind, acquirer))
}

/// What a decision about `target` depends on besides the kind: its policy value in the tenant and the user's
/// facts, both from memory.
pub async fn decision_inputs(
    state: &AppState,
    tenant_id: TenantId,
    user_id: UserId,
    target: &PolicyTarget<'_>,
) -> ApiResult<(PolicyValue, Acquirer)> {
    let facts = state
        .directory
        .facts(&*state.store, tenant_id, user_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "UserNotFound",
                format!("No user of this organization has the ID {user_id}."),
            )
        })?;
    let policy =
        PolicyDefinition::find(ALLOW_SELF_SERVICE_PURCHASE).expect("the policy is defined");
    let value = state
        .policies
        .read(&*state.store, &state.catalog, tenant_id, |values| {
            values.value(target, policy.default_value)
        })
        .await?;
    Ok((value, facts.acquirer))
}

/// May this user acquire this product in this way now? Answered from memory: ask before showing a Buy button.
#[utoipa::path(
    get,
    path = "/v1.0/acquisitionDecisions",
    tag = "self-service",
    security(("bearer" = [])),
    params(DecisionQuery),
    responses((status = 200, body = DecisionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn decision(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<DecisionQuery>,
) -> ApiResult<Response> {
    let user_id = match query.user_id.as_deref() {
        Some(text) => {
            let id = text.parse::<UserId>().map_err(|_| {
                ApiError::bad_request(
                    "InvalidQueryParameter",
                    format!("userId '{text}' is not a GUID."),
                )
            })?;
            if id != caller.principal.user_id() {
                caller.require(Operation::ReadPolicy)?;
            }
            id
        }
        None if matches!(caller.principal.kind, PrincipalKind::User { .. }) => {
            caller.principal.user_id()
        }
        None => {
            return Err(ApiError::bad_request(
                "InvalidQueryParameter",
                "An app asks on behalf of a user: give userId.",
            ))
        }
    };
    let target = resolve_target(
        &state.catalog,
        query.product_id.as_deref(),
        query.offer_type.as_deref(),
    )?;
    let kind = parse_kind(query.kind.as_deref())?;
    let (value, acquirer) =
        decision_inputs(&state, caller.principal.tenant_id, user_id, &target).await?;
    Ok(json(
        state
            .rendered
            .decision(&target, value, kind, acquirer, user_id),
    ))
}

/// Buy or start a trial of a product for yourself (self-service). The organization's policy decides.
#[utoipa::path(
    post,
    path = "/v1.0/me/subscriptions",
    tag = "self-service",
    security(("bearer" = [])),
    request_body = AcquisitionRequest,
    responses(
        (status = 201, body = SubscriptionView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Refused: `AcquisitionBlockedByPolicy`, `OnlyTrialsWithoutPaymentMethodAllowed`, `GuestCannotAcquire`, `AccountDisabled`, `PurchaseNotOffered`, `TrialWithoutPaymentMethodNotOffered`, `OnlyUsersAcquire`", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn acquire(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<AcquisitionRequest>,
) -> ApiResult<Response> {
    let PrincipalKind::User {
        upn, display_name, ..
    } = &caller.principal.kind
    else {
        return Err(ApiError::refused(
            StatusCode::FORBIDDEN,
            "OnlyUsersAcquire",
            "Self-service purchases and trials are made by users for themselves; an app cannot make one.",
        ));
    };
    let target = resolve_target(
        &state.catalog,
        request.product_id.as_deref(),
        request.offer_type.as_deref(),
    )?;
    let kind = parse_kind(request.acquisition_kind.as_deref())?;
    let quantity = parse_quantity(request.quantity)?;
    let billing = parse_billing(request.billing_frequency.as_deref())?;
    let tenant_id = caller.principal.tenant_id;
    let decision =
        decision_for(&state, tenant_id, caller.principal.user_id(), &target, kind).await?;
    if let Some(refusal) = decision.refusal {
        state
            .store
            .record_audit(NewAuditEvent {
                tenant_id,
                action: actions::ACQUISITION_REFUSED.to_string(),
                actor: caller.actor(),
                target_type: target.scope().as_str().to_string(),
                target_id: target.id().to_string(),
                target_name: target.name().to_string(),
                old_value: Some(decision.policy_value.as_str().to_string()),
                new_value: Some(format!("{kind}: {}", refusal.code())),
            })
            .await?;
        return Err(ApiError::refused(
            StatusCode::FORBIDDEN,
            refusal.code(),
            decision.reason,
        ));
    }
    let new = new_subscription(
        tenant_id,
        &target,
        PurchaseType::SelfService,
        kind,
        Some(caller.principal.user_id()),
        quantity,
        billing,
    );
    let when = Timestamp::now().to_string();
    let subscription_id = new.id.to_string();
    let email = notification::acquisition_confirmed(
        &Facts {
            product: target.name(),
            subscription_id: &subscription_id,
            purchaser_upn: upn,
            purchaser_name: display_name,
            actor: upn,
            reason: kind.as_str(),
            when: &when,
        },
        kind.is_trial(),
    );
    let subscription = state
        .store
        .create_subscription(new, &caller.actor(), Some(NewMessage::from(email)))
        .await?;
    Ok(created(&state, &subscription))
}
