//! Tokens for a partner acting for a customer: what every token endpoint path (a password, an app's credentials, a
//! refresh token) asks once the caller has signed in at home and the path names another tenant.

use axum::http::StatusCode;
use mscommerce_auth::{unix_now, TokenSubject};
use mscommerce_domain::{
    delegated_permissions, delegated_roles, AppPermission, DirectoryRole, TenantId,
};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A token for a partner's user or app (`subject`, signed in at home) to act for `customer`: only while a delegated
/// admin relationship between them is active, with the roles it grants that the user holds at home (an app: the
/// permissions they allow). Refused as a sign-in at another organization is (`invalid_grant` for a person's grant,
/// a password or a refresh token, `person`; `invalid_client` for an app), saying why.
pub(crate) async fn for_customer(
    state: &AppState,
    subject: TokenSubject,
    customer: TenantId,
    person: bool,
) -> ApiResult<String> {
    let refuse = |reason: String| {
        if person {
            ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_grant", reason)
        } else {
            ApiError::oauth(StatusCode::UNAUTHORIZED, "invalid_client", reason)
        }
    };
    let (TokenSubject::User { tenant_id, .. } | TokenSubject::App { tenant_id, .. }) = &subject;
    let partner = *tenant_id;
    let active = state
        .store
        .active_relationships(partner, customer, chrono::Utc::now())
        .await?;
    let mut granted: Vec<DirectoryRole> = Vec::new();
    for role in active.iter().flat_map(|r| r.granted()) {
        if !granted.contains(&role) {
            granted.push(role);
        }
    }
    if granted.is_empty() {
        return Err(refuse(format!(
            "The account is of another organization, which has no active delegated admin relationship with the \
             organization {customer}: its users and apps sign in there only while the customer's approval lasts."
        )));
    }
    let names = || {
        granted
            .iter()
            .map(|r| r.display_name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let delegated = match subject {
        TokenSubject::User {
            object_id,
            upn,
            display_name,
            role_ids,
            client_id,
            ..
        } => {
            let home: Vec<DirectoryRole> = role_ids
                .iter()
                .filter_map(|r| DirectoryRole::parse(r))
                .collect();
            let roles = delegated_roles(&home, &granted);
            if roles.is_empty() {
                return Err(refuse(format!(
                    "The relationship with the organization {customer} grants {}; this user holds none of those \
                     roles in its own organization (a Global Administrator holds them all).",
                    names()
                )));
            }
            TokenSubject::User {
                tenant_id: customer,
                object_id,
                upn,
                display_name,
                role_ids: roles.iter().map(|r| r.template_id().to_string()).collect(),
                client_id,
            }
        }
        TokenSubject::App {
            object_id,
            client_id,
            display_name,
            permissions,
            ..
        } => {
            let home: Vec<AppPermission> = permissions
                .iter()
                .filter_map(|p| AppPermission::parse(p))
                .collect();
            let permissions = delegated_permissions(&home, &granted);
            if permissions.is_empty() {
                return Err(refuse(format!(
                    "The relationship with the organization {customer} grants {}, which allow none of this app's \
                     permissions.",
                    names()
                )));
            }
            TokenSubject::App {
                tenant_id: customer,
                object_id,
                client_id,
                display_name,
                permissions: permissions.iter().map(|p| p.as_str().to_string()).collect(),
            }
        }
    };
    Ok(state
        .issuer
        .issue_for_customer(&delegated, partner, unix_now()))
}
