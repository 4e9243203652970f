//! Subscriptions, their licenses, and take-overs.

use mscommerce_domain::Money;
use mscommerce_store::{Assignment, Subscription, UserRef};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::BodyShape;
use crate::views::{etag, Timestamp};

/// A user as subscriptions name them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

impl UserSummary {
    pub fn of(user: &UserRef) -> UserSummary {
        UserSummary {
            id: user.id.to_string(),
            display_name: user.display_name.clone(),
            user_principal_name: user.upn.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignedUser {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub assigned_at: Timestamp,
}

impl AssignedUser {
    pub fn of(assignment: &Assignment) -> AssignedUser {
        AssignedUser {
            id: assignment.user.id.to_string(),
            display_name: assignment.user.display_name.clone(),
            user_principal_name: assignment.user.upn.clone(),
            assigned_at: assignment.assigned_at.into(),
        }
    }
}

/// A subscription as every endpoint shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    pub id: String,
    /// Product ID, or offer-type ID when `scope` is `OfferType`.
    pub product_id: String,
    pub product_name: String,
    /// `product` or `OfferType`.
    pub scope: String,
    /// `SelfService` or `Central`.
    pub purchase_type: String,
    /// `Purchase`, `TrialWithPaymentMethod` or `TrialWithoutPaymentMethod`.
    pub acquisition_kind: String,
    /// Who bought it (self-service); absent for central subscriptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchaser: Option<UserSummary>,
    /// Licenses purchased.
    pub quantity: i64,
    pub assigned_count: i64,
    /// Price of one license for one billing period, as a decimal string.
    #[schema(example = "16.80")]
    pub unit_price: String,
    /// `unitPrice` x `quantity`.
    pub total_price: String,
    pub currency: String,
    /// `Monthly` or `Annual`.
    pub billing_frequency: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub auto_renew: bool,
    /// `Active`, `Expired`, `Disabled` or `Deleted`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
    /// The version for `If-Match`, also sent as the `ETag` header.
    pub etag: String,
    /// Who holds its licenses (only when one subscription is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_users: Option<Vec<AssignedUser>>,
}

impl SubscriptionView {
    pub fn of(s: &Subscription) -> SubscriptionView {
        SubscriptionView {
            id: s.id.to_string(),
            product_id: s.target_id.clone(),
            product_name: s.target_name.clone(),
            scope: s.target_scope.as_str().to_string(),
            purchase_type: s.purchase_type.as_str().to_string(),
            acquisition_kind: s.acquisition_kind.as_str().to_string(),
            purchaser: s.purchaser.as_ref().map(UserSummary::of),
            quantity: s.quantity,
            assigned_count: s.assigned_count,
            unit_price: Money {
                minor_units: s.unit_price_minor,
            }
            .to_string(),
            total_price: Money {
                minor_units: s.unit_price_minor.saturating_mul(s.quantity),
            }
            .to_string(),
            currency: s.currency.clone(),
            billing_frequency: s.billing_frequency.as_str().to_string(),
            created_at: s.created_at.into(),
            expires_at: s.expires_at.into(),
            auto_renew: s.auto_renew,
            status: s.status.as_str().to_string(),
            cancellation_reason: s.cancellation_reason.clone(),
            cancellation_comment: s.cancellation_comment.clone(),
            cancelled_at: s.cancelled_at.map(Timestamp),
            etag: etag(s.version),
            assigned_users: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionPage {
    pub items: Vec<SubscriptionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionQuery {
    /// `selfService`, `central` or `all` (default).
    pub purchase_type: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CentralPurchase {
    /// A product ID (current or old), or `offerType` for a third-party offer type.
    pub product_id: Option<String>,
    pub offer_type: Option<String>,
    /// 1 to 1,000,000 (default 1).
    #[serde(default, deserialize_with = "crate::views::whole_number")]
    pub quantity: Option<i64>,
    /// `Monthly` (default) or `Annual`.
    pub billing_frequency: Option<String>,
}

impl BodyShape for CentralPurchase {
    const SHAPE: &'static str =
        "{\"productId\": \"CFQ7TTC0H9MP\", \"quantity\": 25, \"billingFrequency\": \"Monthly\"|\"Annual\"}";
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionChange {
    /// The new total number of licenses: never below those assigned.
    #[serde(default, deserialize_with = "crate::views::whole_number")]
    pub quantity: Option<i64>,
    /// Whether it renews when its term ends (a trial with a payment method: whether it becomes a purchase). A
    /// trial without a payment method cannot renew.
    pub auto_renew: Option<bool>,
}

impl BodyShape for SubscriptionChange {
    const SHAPE: &'static str = "{\"quantity\": 30}, {\"autoRenew\": false} or both";
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserIds {
    /// 1 to 20 user IDs of members of the organization.
    pub user_ids: Vec<String>,
}

impl BodyShape for UserIds {
    const SHAPE: &'static str = "{\"userIds\": [\"<user GUID>\", ...]} with 1 to 20 IDs";
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelRequest {
    /// One of: NoLongerNeeded, TooExpensive, DuplicatePurchase, PurchasedByMistake, MovingToCentralLicenses,
    /// SecurityOrCompliance, NotApprovedByOrganization, Other.
    pub reason: String,
    /// Optional, up to 1000 characters; required with `Other`.
    pub comment: Option<String>,
    /// Must be `true` for an admin's take-over cancel: the purchaser's users lose access at once.
    pub confirm: Option<bool>,
}

impl BodyShape for CancelRequest {
    const SHAPE: &'static str =
        "{\"reason\": \"NoLongerNeeded\", \"comment\": \"...\", \"confirm\": true}";
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoveRequest {
    /// The central subscription (of the product the admin chooses) that receives the users.
    pub target_subscription_id: String,
}

impl BodyShape for MoveRequest {
    const SHAPE: &'static str = "{\"targetSubscriptionId\": \"<central subscription GUID>\"}";
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoveResult {
    /// "Move completed".
    pub status: String,
    /// Users who received a license of the target (users who held one already are not counted).
    pub moved_users: i64,
    /// The taken-over subscription: Deleted, no users.
    pub source: SubscriptionView,
    pub target: SubscriptionView,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_confirmation_is_explicit() {
        let body: super::CancelRequest =
            serde_json::from_str(r#"{"reason": "Other", "comment": "x"}"#).unwrap();
        assert_eq!(body.confirm, None, "absent is not consent");
    }
}
