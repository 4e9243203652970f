//! Delegated admin relationships, as both sides see them, shaped after Microsoft Graph's
//! `delegatedAdminRelationship`.

use chrono::Utc;
use mscommerce_domain::DirectoryRole;
use mscommerce_store::DelegatedAdminRelationship;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::BodyShape;
use crate::views::Timestamp;

/// A relationship between a partner organization and one of its customers.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelationshipView {
    pub id: String,
    pub partner_tenant_id: String,
    pub partner_display_name: String,
    pub customer_tenant_id: String,
    pub customer_display_name: String,
    /// `pending` (asked, not approved), `active`, `expired` (past its end date) or `ended` (by either side).
    #[schema(example = "active")]
    pub status: String,
    /// Role names the partner asked for (`GlobalReader`, `BillingAdministrator`, ...).
    pub requested_roles: Vec<String>,
    /// Role names the customer granted; empty until approved.
    pub granted_roles: Vec<String>,
    pub requested_date_time: Timestamp,
    pub requested_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_date_time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When the granted roles lapse (at most two years after the approval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_date_time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_by: Option<String>,
}

fn role_names(ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| DirectoryRole::parse(id))
        .map(|r| r.name().to_string())
        .collect()
}

impl RelationshipView {
    pub fn of(r: &DelegatedAdminRelationship) -> RelationshipView {
        RelationshipView {
            id: r.id.to_string(),
            partner_tenant_id: r.partner_tenant_id.to_string(),
            partner_display_name: r.partner_name.clone(),
            customer_tenant_id: r.customer_tenant_id.to_string(),
            customer_display_name: r.customer_name.clone(),
            status: r
                .status_at(Utc::now())
                .map_or_else(|| r.status.clone(), |s| s.as_str().to_string()),
            requested_roles: role_names(&r.requested_roles),
            granted_roles: role_names(&r.granted_roles),
            requested_date_time: r.requested_at.into(),
            requested_by: r.requested_by.clone(),
            approved_date_time: r.approved_at.map(Into::into),
            approved_by: r.approved_by.clone(),
            end_date_time: r.ends_at.map(Into::into),
            ended_date_time: r.ended_at.map(Into::into),
            ended_by: r.ended_by.clone(),
        }
    }
}

/// The organization's relationships, as partner and as customer, newest first (an organization has few: not
/// paged).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelationshipList {
    pub items: Vec<RelationshipView>,
}

/// One customer of a partner, with every relationship between them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerCustomerView {
    pub tenant_id: String,
    pub display_name: String,
    /// Whether one of the relationships is active now: the partner may act for this customer.
    pub has_active_relationship: bool,
    /// The roles the active relationships grant, together.
    pub granted_roles: Vec<String>,
    pub relationships: Vec<RelationshipView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerCustomerList {
    /// By display name.
    pub items: Vec<PartnerCustomerView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRelationshipRequest {
    /// The customer organization: its tenant ID or one of its domain names.
    #[schema(example = "fabrikam.onmicrosoft.com")]
    pub customer_tenant_id: String,
    /// Role names or template IDs the partner asks for (at least one).
    #[schema(example = json!(["GlobalReader", "BillingAdministrator"]))]
    pub roles: Vec<String>,
}

impl BodyShape for NewRelationshipRequest {
    const SHAPE: &'static str =
        "{\"customerTenantId\": \"fabrikam.onmicrosoft.com\", \"roles\": [\"GlobalReader\"]}";
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApproveRelationshipRequest {
    /// The roles granted: some or all of those asked for (all when absent).
    pub roles: Option<Vec<String>>,
    /// When the roles lapse: RFC 3339, in the future, at most two years (730 days) away.
    #[schema(example = "2027-06-30T00:00:00Z")]
    pub end_date_time: String,
}

impl BodyShape for ApproveRelationshipRequest {
    const SHAPE: &'static str =
        "{\"roles\": [\"GlobalReader\"], \"endDateTime\": \"2027-06-30T00:00:00Z\"}";
}
