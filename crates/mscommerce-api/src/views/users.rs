//! Users of the organization.

use mscommerce_domain::DirectoryRole;
use mscommerce_store::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::BodyShape;
use crate::views::Timestamp;

/// A user of the organization.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    /// `Member` or `Guest`.
    pub user_type: String,
    pub account_enabled: bool,
    /// Directory role names (`GlobalAdministrator`, ...).
    pub roles: Vec<String>,
    pub created_at: Timestamp,
    /// Only in the answer that created the user without a password: shown once, stored as a hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
}

impl UserView {
    pub fn of(user: &User) -> UserView {
        UserView {
            id: user.id.to_string(),
            user_principal_name: user.upn.clone(),
            display_name: user.display_name.clone(),
            user_type: user.user_type.as_str().to_string(),
            account_enabled: user.account_enabled,
            roles: user
                .roles
                .iter()
                .filter_map(|r| DirectoryRole::parse(r))
                .map(|r| r.name().to_string())
                .collect(),
            created_at: user.created_at.into(),
            initial_password: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserPage {
    pub items: Vec<UserView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUserRequest {
    /// Sign-in name, in one of the organization's domains (`ann@contoso.onmicrosoft.com`; see `GET /v1.0/domains`).
    pub user_principal_name: String,
    pub display_name: String,
    /// `Member` (default) or `Guest`.
    pub user_type: Option<String>,
    /// At least 8 characters; generated and answered once when absent.
    pub password: Option<String>,
    /// Role names or template IDs; only a Global Administrator may give roles.
    #[serde(default)]
    pub roles: Vec<String>,
}

impl BodyShape for NewUserRequest {
    const SHAPE: &'static str = "{\"userPrincipalName\": \"ann@contoso.onmicrosoft.com\", \"displayName\": \"Ann\", \
                                 \"userType\": \"Member\"|\"Guest\", \"password\": \"...\", \"roles\": [\"GlobalReader\"]}";
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub user_type: Option<String>,
    /// `false` disables the account: no new sign-in, no acquisition.
    pub account_enabled: Option<bool>,
    pub password: Option<String>,
    /// The whole new set of roles; only a Global Administrator may change roles.
    pub roles: Option<Vec<String>>,
}

impl BodyShape for UserPatch {
    const SHAPE: &'static str =
        "{\"displayName\": \"...\", \"userType\": \"Member\"|\"Guest\", \"accountEnabled\": \
                                 false, \"password\": \"...\", \"roles\": [\"GlobalReader\"]}";
}
