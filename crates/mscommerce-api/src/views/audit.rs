//! The audit log: policy changes, and every audited event.

use mscommerce_store::AuditEvent;
use serde::Serialize;
use utoipa::ToSchema;

use crate::views::Timestamp;

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
    pub changed_at: Timestamp,
    /// A partner's user or app made the change through a delegated admin relationship: the partner's tenant ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_tenant_id: Option<String>,
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

impl PolicyChangeEntry {
    pub fn of(event: AuditEvent) -> PolicyChangeEntry {
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
            changed_at: event.occurred_at.into(),
            actor_tenant_id: event.actor_tenant_id.map(|t| t.to_string()),
        }
    }
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
    pub occurred_at: Timestamp,
    /// A partner's user or app acted through a delegated admin relationship: the partner's tenant ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_tenant_id: Option<String>,
    /// In the partner's own log, an event its user or app caused at a customer: the customer's tenant ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of_tenant_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventPage {
    /// Newest first.
    pub items: Vec<AuditEventEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

impl AuditEventEntry {
    pub fn of(e: AuditEvent) -> AuditEventEntry {
        AuditEventEntry {
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
            occurred_at: e.occurred_at.into(),
            actor_tenant_id: e.actor_tenant_id.map(|t| t.to_string()),
            on_behalf_of_tenant_id: e.on_behalf_of_tenant_id.map(|t| t.to_string()),
        }
    }
}
