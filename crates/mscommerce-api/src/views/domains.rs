//! The organization's domains, shaped like Microsoft Graph's `domain` resource.

use mscommerce_store::TenantDomain;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::BodyShape;

/// A domain of the organization: its users' sign-in names are in its domains.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DomainView {
    /// The domain name, lowercase (`contoso.com`).
    #[schema(example = "contoso.onmicrosoft.com")]
    pub id: String,
    /// The `<name>.onmicrosoft.com` domain the organization was given when it was created.
    pub is_initial: bool,
    /// The domain new users are offered first: the initial one (it cannot be changed).
    pub is_default: bool,
    /// Always true: a domain is added by a Global Administrator, who vouches for it (there is no DNS check).
    pub is_verified: bool,
}

impl DomainView {
    pub fn of(domain: &TenantDomain) -> DomainView {
        DomainView {
            id: domain.domain.to_string(),
            is_initial: domain.is_initial,
            is_default: domain.is_initial,
            is_verified: true,
        }
    }
}

/// Every domain of the organization, the initial one first (an organization has few: not paged).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DomainList {
    pub items: Vec<DomainView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewDomainRequest {
    /// The domain name: a DNS name of at most 253 characters, labels of 1 to 63 letters, digits and hyphens.
    #[schema(example = "contoso.com")]
    pub id: String,
}

impl BodyShape for NewDomainRequest {
    const SHAPE: &'static str = "{\"id\": \"contoso.com\"}";
}
