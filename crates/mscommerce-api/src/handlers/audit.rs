//! The policy-change audit log.

use axum::extract::State;
use axum::Json;
use chrono::SecondsFormat;
use mscommerce_domain::Operation;
use mscommerce_store::AuditEvent;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Caller, QueryParams};
use crate::state::AppState;

use crate::paging::{finish_page, PageQuery};

/// One change of a policy value.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyChangeEntry {
    pub id: String,
    pub policy_id: String,
    /// `product` or `OfferType`.
    pub scope: String,
    pub target_id: String,
    pub target_name: String,
    pub old_value: String,
    pub new_value: String,
    /// Object ID of the user or app that made the change.
    pub actor_id: String,
    /// UPN of the user, or name of the app.
    pub actor_name: String,
    /// `User` or `App`.
    pub actor_type: String,
    pub correlation_id: String,
    /// RFC 3339, UTC.
    pub changed_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyChangePage {
    /// Newest first.
    pub items: Vec<PolicyChangeEntry>,
    /// The next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

fn entry(event: AuditEvent) -> PolicyChangeEntry {
    PolicyChangeEntry {
        id: event.id.to_string(),
        policy_id: event.policy_id.unwrap_or_default(),
        scope: event.target_type,
        target_id: event.target_id,
        target_name: event.target_name,
        old_value: event.old_value.unwrap_or_default(),
        new_value: event.new_value.unwrap_or_default(),
        actor_id: event.actor_id,
        actor_name: event.actor_name,
        actor_type: event.actor_type,
        correlation_id: event.correlation_id,
        changed_at: event
            .occurred_at
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    }
}

/// Who changed which policy value, when, newest first.
#[utoipa::path(
    get,
    path = "/v1.0/auditLogs/policyChanges",
    tag = "audit",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = PolicyChangePage),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
pub async fn policy_changes(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<PageQuery>,
) -> ApiResult<Json<PolicyChangePage>> {
    caller.require(Operation::ReadPolicy)?;
    let size = query.size()?;
    let before = query.cursor_as(|c| c.parse::<i64>().ok())?;
    // One more than asked tells whether a next page exists.
    let mut events = state
        .store
        .policy_changes(caller.principal.tenant_id, before, size + 1)
        .await?;
    let base = format!("{}/v1.0/auditLogs/policyChanges", state.settings.public_url);
    let next_link = finish_page(&mut events, size, &base, |e| e.id.to_string());
    Ok(Json(PolicyChangePage {
        items: events.into_iter().map(entry).collect(),
        next_link,
    }))
}

/// Any audited event: policy changes, users, subscriptions, acquisitions and refusals, take-overs.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventEntry {
    pub id: String,
    /// `PolicyValueChanged`, `UserCreated`, `UserUpdated`, `SubscriptionCreated`, `AcquisitionRefused`,
    /// `LicensesAssigned`, `LicensesUnassigned`, `QuantityChanged`, `SubscriptionCancelled`, `UsersMoved`,
    /// `AutoRenewChanged`, `SubscriptionRenewed`, `SubscriptionStatusChanged`, ...
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub target_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
    pub actor_id: String,
    pub actor_name: String,
    /// `User`, `App`, `Cli`, or `System` (the subscription lifecycle).
    pub actor_type: String,
    pub correlation_id: String,
    pub occurred_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventPage {
    /// Newest first.
    pub items: Vec<AuditEventEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// Every audited event of the organization, newest first.
#[utoipa::path(
    get,
    path = "/v1.0/auditLogs/events",
    tag = "audit",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, body = AuditEventPage),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<PageQuery>,
) -> ApiResult<Json<AuditEventPage>> {
    caller.require(Operation::ReadSubscriptions)?;
    let size = query.size()?;
    let before = query.cursor_as(|c| c.parse::<i64>().ok())?;
    let mut events = state
        .store
        .audit_events(caller.principal.tenant_id, before, size + 1)
        .await?;
    let base = format!("{}/v1.0/auditLogs/events", state.settings.public_url);
    let next_link = finish_page(&mut events, size, &base, |e| e.id.to_string());
    let items = events
        .into_iter()
        .map(|e| AuditEventEntry {
            id: e.id.to_string(),
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            target_name: e.target_name,
            old_value: e.old_value,
            new_value: e.new_value,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            actor_type: e.actor_type,
            correlation_id: e.correlation_id,
            occurred_at: e.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        })
        .collect();
    Ok(Json(AuditEventPage { items, next_link }))
}
