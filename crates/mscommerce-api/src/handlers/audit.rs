//! The audit log: policy changes (compatible), and every audited event (ours).

use axum::extract::State;
use axum::Json;
use mscommerce_domain::Operation;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Caller, QueryParams};
use crate::paging::{finish_page, PageQuery};
use crate::state::AppState;
use crate::views::audit::{AuditEventEntry, AuditEventPage, PolicyChangeEntry, PolicyChangePage};

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
        items: events.into_iter().map(PolicyChangeEntry::of).collect(),
        next_link,
    }))
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
    let items = events.into_iter().map(AuditEventEntry::of).collect();
    Ok(Json(AuditEventPage { items, next_link }))
}
