//! License requests, their answers, and the organization's request process.

use mscommerce_store::LicenseRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::BodyShape;
use crate::views::subscriptions::UserSummary;
use crate::views::Timestamp;

/// A user of a request, with what its answer gave them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestUserView {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    /// `Pending`, `Approved`, `NotApproved` (approved for others) or `Denied`.
    pub outcome: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseRequestView {
    pub id: String,
    /// Product ID, or offer-type ID when `scope` is `OfferType`.
    pub product_id: String,
    pub product_name: String,
    /// `product` or `OfferType`.
    pub scope: String,
    pub requester: UserSummary,
    /// The requester first, then the others the request includes.
    pub users: Vec<RequestUserView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `Pending`, `Approved` or `Denied`.
    pub status: String,
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<Timestamp>,
    /// Who answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
    /// The answer's message to the requesters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_message: Option<String>,
    /// The central subscription an approval's licenses came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
}

impl LicenseRequestView {
    pub fn of(request: &LicenseRequest) -> LicenseRequestView {
        LicenseRequestView {
            id: request.id.to_string(),
            product_id: request.target_id.clone(),
            product_name: request.target_name.clone(),
            scope: request.target_scope.as_str().to_string(),
            requester: UserSummary::of(&request.requester),
            users: request
                .users
                .iter()
                .map(|u| RequestUserView {
                    id: u.user.id.to_string(),
                    display_name: u.user.display_name.clone(),
                    user_principal_name: u.user.upn.clone(),
                    outcome: u.outcome.as_str().to_string(),
                })
                .collect(),
            message: request.message.clone(),
            status: request.status.as_str().to_string(),
            created_at: request.created_at.into(),
            answered_at: request.answered_at.map(Timestamp),
            answered_by: request.answered_by.clone(),
            answer_message: request.answer_message.clone(),
            subscription_id: request.subscription_id.map(|id| id.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseRequestPage {
    pub items: Vec<LicenseRequestView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct LicenseRequestQuery {
    /// `pending`, `completed` (approved or denied) or `all` (default).
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewLicenseRequestBody {
    /// A product ID (current or old); or `offerType`.
    pub product_id: Option<String>,
    pub offer_type: Option<String>,
    /// Up to 1000 characters, for the admin.
    pub message: Option<String>,
    /// Up to 19 other users of the organization the request is also for.
    pub user_ids: Option<Vec<String>>,
}

impl BodyShape for NewLicenseRequestBody {
    const SHAPE: &'static str =
        "{\"productId\": \"CFQ7TTC0H9MP\", \"message\"?: \"...\", \"userIds\"?: [\"<user GUID>\", ...]}";
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApproveBody {
    /// The central subscription of the product whose licenses to give; needed when several could.
    pub subscription_id: Option<String>,
    /// Some of the request's users (default: all of them).
    pub user_ids: Option<Vec<String>>,
    /// The message every user of the request gets (default: the service's own text).
    pub message: Option<String>,
}

impl BodyShape for ApproveBody {
    const SHAPE: &'static str = "{\"subscriptionId\"?: \"<central subscription GUID>\", \"userIds\"?: [\"<user GUID>\", ...], \"message\"?: \"...\"}";
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DenyBody {
    /// The message every user of the request gets (default: the service's own text).
    pub message: Option<String>,
}

impl BodyShape for DenyBody {
    const SHAPE: &'static str = "{\"message\"?: \"...\"}";
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareBody {
    /// 1 to 10 users of the organization who decide.
    pub user_ids: Vec<String>,
    pub message: Option<String>,
}

impl BodyShape for ShareBody {
    const SHAPE: &'static str = "{\"userIds\": [\"<user GUID>\", ...], \"message\"?: \"...\"}";
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShareResult {
    /// How many decision makers were emailed.
    pub shared: usize,
}

/// The organization's own request process.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestProcessView {
    /// When true, members who may not buy a product are shown `message` and `link`, and no new request is taken.
    pub use_organization_process: bool,
    pub message: Option<String>,
    /// An http(s) address.
    pub link: Option<String>,
}

impl BodyShape for RequestProcessView {
    const SHAPE: &'static str =
        "{\"useOrganizationProcess\": true, \"message\": \"...\", \"link\": \"https://...\"}";
}
