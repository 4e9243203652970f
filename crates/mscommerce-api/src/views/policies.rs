//! The AllowSelfServicePurchase policy and its values, in Microsoft's shapes.

use mscommerce_domain::{PolicyDefinition, PolicyTarget, PolicyValue, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::BodyShape;

/// A policy, as `GET /v1.0/policies` lists it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    #[schema(example = "AllowSelfServicePurchase")]
    pub id: String,
    pub description: String,
    /// The value of every product without one of its own. Read-only.
    #[schema(example = "Enabled")]
    pub default_value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyList {
    pub items: Vec<Policy>,
}

/// The policy value of one product.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductPolicy {
    #[schema(example = "AllowSelfServicePurchase")]
    pub policy_id: String,
    #[schema(example = "Enabled")]
    pub policy_value: String,
    #[schema(example = "CFQ7TTC0H9MP")]
    pub product_id: String,
    #[schema(example = "Power BI Pro")]
    pub product_name: String,
    /// Always `product`.
    #[schema(example = "product")]
    pub scope: String,
}

/// The policy value of one third-party offer type.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfferTypePolicy {
    #[schema(example = "AllowSelfServicePurchase")]
    pub policy_id: String,
    #[schema(example = "Disabled")]
    pub policy_value: String,
    /// Always `OfferType`.
    #[schema(example = "OfferType")]
    pub scope: String,
    /// The offer type's ID.
    #[schema(example = "SaaS")]
    pub scope_id: String,
    /// The offer type's name.
    #[schema(example = "Software as a Service")]
    pub scope_value: String,
}

/// An item of `GET .../products`: products, or offer types with `scope=OfferType`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PolicyItem {
    Product(ProductPolicy),
    OfferType(OfferTypePolicy),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyItemList {
    /// Every product (or offer type), in one page: no client of this API pages.
    pub items: Vec<PolicyItem>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ProductsQuery {
    /// `product` (the default) or `OfferType`, in any case.
    pub scope: Option<String>,
}

/// The body of a PUT.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyUpdate {
    /// `Enabled`, `Disabled` or `OnlyTrialsWithoutPaymentMethod` (any case).
    #[schema(example = "Disabled")]
    pub policy_value: String,
}

impl BodyShape for PolicyUpdate {
    const SHAPE: &'static str =
        "{\"policyValue\": \"Enabled\" | \"Disabled\" | \"OnlyTrialsWithoutPaymentMethod\"}";
}

/// The body of a PATCH of `.../products`: several values set together, all or none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyValuesUpdate {
    /// 1 to 1000 values, each target named once.
    pub values: Vec<PolicyValueEntry>,
}

/// One value of a PATCH of `.../products`: exactly one of `productId` and `offerType`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyValueEntry {
    /// A current or old product ID (any case).
    #[schema(example = "CFQ7TTC0H9MP")]
    pub product_id: Option<String>,
    /// A third-party offer type (any case): `SaaS`, `POWERBIVISUALS`, `DYNAMICSCE`, `DYNAMICSBC`.
    pub offer_type: Option<String>,
    /// `Enabled`, `Disabled` or `OnlyTrialsWithoutPaymentMethod` (any case).
    #[schema(example = "Disabled")]
    pub policy_value: String,
    /// This value's `If-Match`: `*` or ETags from a read. When it does not hold, nothing of the request is
    /// written (412).
    pub if_match: Option<String>,
}

impl BodyShape for PolicyValuesUpdate {
    const SHAPE: &'static str = "{\"values\": [{\"productId\" or \"offerType\": \"...\", \"policyValue\": \"Enabled\" | \
         \"Disabled\" | \"OnlyTrialsWithoutPaymentMethod\", \"ifMatch\"?: \"<ETag>\"}, ...]} with 1 to 1000 values";
}

/// One value after a PATCH of `.../products`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyValueOutcome {
    /// `product` or `OfferType`.
    #[schema(example = "product")]
    pub scope: String,
    /// The canonical ID (an old product ID is answered as the current one).
    #[schema(example = "CFQ7TTC0H9MP")]
    pub id: String,
    #[schema(example = "Power BI Pro")]
    pub name: String,
    /// The value before the request.
    #[schema(example = "Enabled")]
    pub previous_value: String,
    /// The value now.
    #[schema(example = "Disabled")]
    pub policy_value: String,
    /// The value's `ETag` now.
    #[schema(example = "\"7\"")]
    pub etag: String,
}

/// The answer of a PATCH of `.../products`: what changed, and what already was so.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyValuesResult {
    #[schema(example = "AllowSelfServicePurchase")]
    pub policy_id: String,
    /// The correlation ID of the request, which every audit event of the change carries.
    pub correlation_id: String,
    /// Values the request changed, in the request's order.
    pub changed: Vec<PolicyValueOutcome>,
    /// Values that already held what the request asked (nothing written for them), in the request's order.
    pub unchanged: Vec<PolicyValueOutcome>,
}

impl Policy {
    pub fn of(policy: &PolicyDefinition) -> Policy {
        Policy {
            id: policy.id.to_string(),
            description: policy.description.to_string(),
            default_value: policy.default_value.as_str().to_string(),
        }
    }
}

/// The item of `target` holding `value`, as lists and single reads answer it.
pub fn policy_item(
    policy: &PolicyDefinition,
    target: &PolicyTarget<'_>,
    value: PolicyValue,
) -> PolicyItem {
    match target {
        PolicyTarget::Product(p) => PolicyItem::Product(ProductPolicy {
            policy_id: policy.id.to_string(),
            policy_value: value.as_str().to_string(),
            product_id: p.id.clone(),
            product_name: p.name.clone(),
            scope: Scope::Product.as_str().to_string(),
        }),
        PolicyTarget::OfferType(o) => PolicyItem::OfferType(OfferTypePolicy {
            policy_id: policy.id.to_string(),
            policy_value: value.as_str().to_string(),
            scope: Scope::OfferType.as_str().to_string(),
            scope_id: o.id.clone(),
            scope_value: o.name.clone(),
        }),
    }
}
