//! Acquisition decisions and self-service acquisitions.

use mscommerce_domain::{AcquisitionKind, Decision, PolicyTarget};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::BodyShape;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct DecisionQuery {
    /// The product (current or old ID); or `offerType`.
    pub product_id: Option<String>,
    pub offer_type: Option<String>,
    /// `Purchase`, `TrialWithPaymentMethod` or `TrialWithoutPaymentMethod` (any case).
    pub kind: Option<String>,
    /// The user to decide for; the caller when absent. Asking for someone else needs a policy reader's role or
    /// app permission.
    pub user_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    pub allowed: bool,
    pub policy_value: String,
    /// Why, naming the product and the policy value.
    pub reason: String,
    /// When refused, the errorCode an acquisition would be refused with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal_code: Option<String>,
    pub product_id: String,
    pub product_name: String,
    pub acquisition_kind: String,
    /// The policy refused: the user may ask an admin for a license (`POST /v1.0/me/licenseRequests`), unless the
    /// organization takes requests its own way (`GET /v1.0/licenseRequestSettings`).
    pub license_request_possible: bool,
    pub user_id: String,
}

impl DecisionView {
    pub fn new(
        target: &PolicyTarget<'_>,
        kind: AcquisitionKind,
        decision: Decision,
        user_id: String,
    ) -> DecisionView {
        let license_request_possible =
            mscommerce_domain::license_requests::request_possible(&decision);
        DecisionView {
            allowed: decision.allowed,
            policy_value: decision.policy_value.as_str().to_string(),
            reason: decision.reason,
            refusal_code: decision.refusal.map(|r| r.code().to_string()),
            product_id: target.id().to_string(),
            product_name: target.name().to_string(),
            acquisition_kind: kind.as_str().to_string(),
            license_request_possible,
            user_id,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcquisitionRequest {
    /// The product (current or old ID); or `offerType` for a third-party offer type.
    pub product_id: Option<String>,
    pub offer_type: Option<String>,
    /// `Purchase`, `TrialWithPaymentMethod` or `TrialWithoutPaymentMethod`.
    pub acquisition_kind: Option<String>,
    /// Licenses, 1 to 1,000,000 (default 1).
    #[serde(default, deserialize_with = "crate::views::whole_number")]
    pub quantity: Option<i64>,
    /// `Monthly` (default) or `Annual`.
    pub billing_frequency: Option<String>,
}

impl BodyShape for AcquisitionRequest {
    const SHAPE: &'static str =
        "{\"productId\": \"CFQ7TTC0H9MP\", \"acquisitionKind\": \"Purchase\", \"quantity\": 5, \
                                 \"billingFrequency\": \"Monthly\"}";
}
