//! Who holds the self-service licenses, and the export request.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::BodyShape;
use crate::views::subscriptions::UserSummary;
use crate::views::Timestamp;

/// One product's self-service licenses, however many times and by whomever it was bought.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductLicensesView {
    pub product_id: String,
    pub product_name: String,
    /// `product` or `OfferType`.
    pub scope: String,
    pub subscription_count: i64,
    /// Licenses purchased, summed over every active self-service subscription of the product.
    pub available_quantity: i64,
    pub assigned_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductLicensesList {
    pub items: Vec<ProductLicensesView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicensedUser {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub subscription_id: String,
    pub assigned_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PurchaserGroup {
    pub purchaser: UserSummary,
    pub users: Vec<LicensedUser>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductLicenseHolders {
    #[serde(flatten)]
    pub summary: ProductLicensesView,
    /// The users, grouped by who bought their licenses.
    pub purchasers: Vec<PurchaserGroup>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportRequest {
    /// Up to 1000 subscription IDs; every self-service subscription when absent.
    pub subscription_ids: Option<Vec<String>>,
}

impl BodyShape for ExportRequest {
    const SHAPE: &'static str = "{\"subscriptionIds\": [\"<subscription GUID>\", ...]} (or {} for every self-service subscription)";
}
