//! The policy-change audit log.

use axum::extract::State;
use axum::Json;
use chrono::SecondsFormat;
use mscommerce_domain::Operation;
use mscommerce_store::AuditEvent;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, QueryParams};
use crate::state::AppState;

pub const DEFAULT_PAGE_SIZE: u32 = 100;
pub const MAX_PAGE_SIZE: u32 = 1000;

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

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Page size, 1 to 1000 (default 100). `$top` is accepted too.
    #[serde(alias = "$top")]
    pub top: Option<String>,
    /// Opaque; take it from `nextLink`. `$skipToken` is accepted too.
    #[serde(rename = "skipToken", alias = "$skipToken", alias = "$skiptoken")]
    pub skip_token: Option<String>,
}

impl PageQuery {
    fn size(&self) -> ApiResult<u32> {
        match &self.top {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "InvalidQueryParameter",
                        format!("top '{text}' is not allowed: give a whole number from 1 to {MAX_PAGE_SIZE}."),
                    )
                }),
        }
    }

    fn before(&self) -> ApiResult<Option<i64>> {
        match &self.skip_token {
            None => Ok(None),
            Some(text) => text.parse::<i64>().ok().filter(|&n| n > 0).map(Some).ok_or_else(|| {
                ApiError::bad_request(
                    "InvalidQueryParameter",
                    format!("skipToken '{text}' was not issued by this service; take it from nextLink."),
                )
            }),
        }
    }
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
    // One more than asked tells whether a next page exists.
    let mut events = state
        .store
        .policy_changes(caller.principal.tenant_id, query.before()?, size + 1)
        .await?;
    let next_link = if events.len() > size as usize {
        events.truncate(size as usize);
        events.last().map(|last| {
            format!(
                "{}/v1.0/auditLogs/policyChanges?top={size}&skipToken={}",
                state.settings.public_url, last.id
            )
        })
    } else {
        None
    };
    Ok(Json(PolicyChangePage {
        items: events.into_iter().map(entry).collect(),
        next_link,
    }))
}
