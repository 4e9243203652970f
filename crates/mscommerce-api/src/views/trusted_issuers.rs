//! The identity providers an organization trusts, and how their claims map to its users.

use mscommerce_store::TrustedIssuer;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::BodyShape;
use crate::views::Timestamp;

/// Members of a group (as the groups claim names it) hold a directory role.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupRoleView {
    pub group: String,
    /// The role's name (`BillingAdministrator`), display name or template ID; answered as the name.
    pub role: String,
}

/// How the issuer's claims become a user here.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClaimMappingView {
    /// `oid` or `sub`: the claim that names a person for good.
    pub user_claim: &'static str,
    /// `upn`, `preferred_username` or `email`: the sign-in name.
    pub name_claim: &'static str,
    /// `wids` (Entra's role template IDs), `groups` (through `groupRoles`) or `directory` (the roles assigned
    /// here; the token's are ignored).
    pub role_source: &'static str,
    pub groups_claim: String,
    pub group_roles: Vec<GroupRoleView>,
}

/// An identity provider the organization trusts: its tokens sign people and apps in here.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrustedIssuerView {
    pub id: Uuid,
    /// Exactly as its tokens carry it in `iss`.
    pub issuer: String,
    pub display_name: String,
    /// The `aud` values accepted.
    pub audiences: Vec<String>,
    /// The `tid` every token of the issuer must carry, when set.
    pub external_tenant_id: Option<String>,
    pub claim_mapping: ClaimMappingView,
    /// What people signing in on the built-in page with this provider use; `null`: the trust offers no sign-in.
    pub sign_in: Option<SignInView>,
    pub created_date_time: Timestamp,
}

/// The service as the provider's relying party. The client secret is never answered: only whether one is held.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignInView {
    /// The service's client ID at the provider: the `aud` of its ID tokens.
    pub client_id: String,
    /// Whether a client secret is held (sealed); `false`: a public client.
    pub has_client_secret: bool,
    /// The provider's name on the button: "Sign in with {buttonText}".
    pub button_text: String,
}

impl TrustedIssuerView {
    pub fn of(trust: &TrustedIssuer) -> TrustedIssuerView {
        let mapping = &trust.mapping;
        TrustedIssuerView {
            id: trust.id,
            issuer: trust.issuer.clone(),
            display_name: trust.display_name.clone(),
            audiences: trust.audiences.clone(),
            external_tenant_id: trust.external_tenant_id.clone(),
            claim_mapping: ClaimMappingView {
                user_claim: mapping.user_claim.as_str(),
                name_claim: mapping.name_claim.as_str(),
                role_source: mapping.role_source.as_str(),
                groups_claim: mapping.groups_claim.clone(),
                group_roles: mapping
                    .group_roles
                    .iter()
                    .map(|row| GroupRoleView {
                        group: row.group.clone(),
                        role: row.role.name().to_string(),
                    })
                    .collect(),
            },
            sign_in: trust.sign_in.as_ref().map(|sign_in| SignInView {
                client_id: sign_in.client_id.clone(),
                has_client_secret: sign_in.sealed_client_secret.is_some(),
                button_text: sign_in.button.clone(),
            }),
            created_date_time: trust.created_at.into(),
        }
    }
}

/// Every issuer the organization trusts, oldest first (few: not paged).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrustedIssuerList {
    pub items: Vec<TrustedIssuerView>,
}

/// How claims map; every field has Entra ID's default.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimMappingRequest {
    /// `oid` (default) or `sub`.
    pub user_claim: Option<String>,
    /// `upn` (default), `preferred_username` or `email`.
    pub name_claim: Option<String>,
    /// `wids` (default), `groups` or `directory`.
    pub role_source: Option<String>,
    /// The claim that lists a person's groups; `groups` by default.
    pub groups_claim: Option<String>,
    #[serde(default)]
    pub group_roles: Vec<GroupRoleView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTrustedIssuerRequest {
    /// The issuer URL, exactly as its tokens carry it in `iss` (Entra ID:
    /// `https://login.microsoftonline.com/{tenantId}/v2.0`).
    pub issuer: String,
    /// A name for people; the issuer URL when not given.
    pub display_name: Option<String>,
    /// The `aud` values to accept (Entra ID: `aeb86249-8ea3-49e2-900b-54cc8e308f85`, the resource Microsoft's
    /// module asks for, or your app registration's Application ID URI).
    pub audiences: Vec<String>,
    /// The `tid` every token must carry (Entra ID: your directory's ID); any when not given.
    pub external_tenant_id: Option<String>,
    #[serde(default)]
    pub claim_mapping: ClaimMappingRequest,
}

impl BodyShape for NewTrustedIssuerRequest {
    const SHAPE: &'static str = "{\"issuer\": \"https://login.microsoftonline.com/{tenantId}/v2.0\", \
        \"audiences\": [\"aeb86249-8ea3-49e2-900b-54cc8e308f85\"], \"externalTenantId\": \"{tenantId}\", \
        \"claimMapping\": {\"userClaim\": \"oid|sub\", \"nameClaim\": \"upn|preferred_username|email\", \
        \"roleSource\": \"wids|groups|directory\", \"groupsClaim\": \"groups\", \
        \"groupRoles\": [{\"group\": \"...\", \"role\": \"BillingAdministrator\"}]}}";
}

/// What people signing in with the provider need (PUT replaces it whole).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignInRequest {
    /// The service's client ID at the provider (Entra ID: the app registration's Application (client) ID).
    pub client_id: String,
    /// The client secret (Entra ID: Certificates & secrets); leave it out for a public client. Kept sealed,
    /// never answered.
    pub client_secret: Option<String>,
    /// The provider's name on the button: "Sign in with {buttonText}"; the trust's display name when not given.
    pub button_text: Option<String>,
}

impl BodyShape for SignInRequest {
    const SHAPE: &'static str =
        "{\"clientId\": \"{application (client) ID}\", \"clientSecret\": \"...\", \
        \"buttonText\": \"Contoso\"}";
}
