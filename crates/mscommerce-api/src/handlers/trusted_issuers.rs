//! The identity providers an organization trusts (Entra ID, any OpenID Connect issuer): Global Administrators
//! add and remove them, Global Readers see them. What a trusted issuer's token means is `crate::federation`'s.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mscommerce_domain::federation::{
    check_audiences, check_button, check_claim_name, check_client_secret, check_display_name,
    check_external_tenant, check_group_roles, check_issuer_url, check_sign_in_client_id,
    ClaimMapping, NameClaim, RoleSource, TrustRuleError, UserClaim,
};
use mscommerce_domain::Operation;
use mscommerce_store::{NewTrustedIssuer, ProviderSignIn};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams};
use crate::state::AppState;
use crate::views::trusted_issuers::{
    ClaimMappingRequest, NewTrustedIssuerRequest, SignInRequest, TrustedIssuerList,
    TrustedIssuerView,
};

fn rule(err: TrustRuleError) -> ApiError {
    ApiError::bad_request(err.code(), err.to_string())
}

/// One of a few names, or a 400 that lists them.
fn choice<T: Copy>(
    field: &str,
    given: Option<&str>,
    default: T,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
) -> ApiResult<T> {
    match given {
        None => Ok(default),
        Some(text) => parse(text).ok_or_else(|| {
            ApiError::bad_request(
                "InvalidClaimMapping",
                format!(
                    "'claimMapping.{field}' must be one of {}; got '{text}'.",
                    allowed.join(", ")
                ),
            )
        }),
    }
}

fn mapping(request: &ClaimMappingRequest) -> ApiResult<ClaimMapping> {
    let names = |all: &[&'static str]| all.to_vec();
    let defaults = ClaimMapping::default();
    let mapping = ClaimMapping {
        user_claim: choice(
            "userClaim",
            request.user_claim.as_deref(),
            defaults.user_claim,
            UserClaim::parse,
            &names(&UserClaim::ALL.map(UserClaim::as_str)),
        )?,
        name_claim: choice(
            "nameClaim",
            request.name_claim.as_deref(),
            defaults.name_claim,
            NameClaim::parse,
            &names(&NameClaim::ALL.map(NameClaim::as_str)),
        )?,
        role_source: choice(
            "roleSource",
            request.role_source.as_deref(),
            defaults.role_source,
            RoleSource::parse,
            &names(&RoleSource::ALL.map(RoleSource::as_str)),
        )?,
        groups_claim: match request.groups_claim.as_deref() {
            Some(name) => check_claim_name(name).map_err(rule)?,
            None => defaults.groups_claim,
        },
        group_roles: check_group_roles(
            &request
                .group_roles
                .iter()
                .map(|row| (row.group.clone(), row.role.clone()))
                .collect::<Vec<_>>(),
        )
        .map_err(rule)?,
    };
    if mapping.role_source == RoleSource::Groups && mapping.group_roles.is_empty() {
        return Err(ApiError::bad_request(
            "InvalidClaimMapping",
            "'claimMapping.roleSource' is 'groups' but 'claimMapping.groupRoles' maps no group to a role; give \
             at least one {\"group\": \"...\", \"role\": \"BillingAdministrator\"}.",
        ));
    }
    Ok(mapping)
}

/// List the identity providers the organization trusts.
#[utoipa::path(
    get,
    path = "/v1.0/trustedIssuers",
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, body = TrustedIssuerList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_trusted_issuers(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<TrustedIssuerList>> {
    caller.require(Operation::ReadTrustedIssuers)?;
    let trusts = state
        .store
        .trusted_issuers(Some(caller.principal.tenant_id))
        .await?;
    Ok(Json(TrustedIssuerList {
        items: trusts.iter().map(TrustedIssuerView::of).collect(),
    }))
}

async fn own_trust(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<mscommerce_store::TrustedIssuer> {
    let not_found = || {
        ApiError::not_found(
            "TrustedIssuerNotFound",
            format!("This organization trusts no issuer with the ID {id}."),
        )
    };
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    state
        .store
        .trusted_issuers(Some(caller.principal.tenant_id))
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(not_found)
}

/// Read one trusted identity provider.
#[utoipa::path(
    get,
    path = "/v1.0/trustedIssuers/{issuerId}",
    tag = "users",
    security(("bearer" = [])),
    params(("issuerId" = String, Path, description = "The trust's ID")),
    responses((status = 200, body = TrustedIssuerView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_trusted_issuer(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<TrustedIssuerView>> {
    caller.require(Operation::ReadTrustedIssuers)?;
    let trust = own_trust(&state, &caller, &id).await?;
    Ok(Json(TrustedIssuerView::of(&trust)))
}

/// Trust an identity provider (Global Administrators only): its tokens for one of the audiences sign people and
/// apps in to this organization from then on, people getting a user on their first sign-in.
#[utoipa::path(
    post,
    path = "/v1.0/trustedIssuers",
    tag = "users",
    security(("bearer" = [])),
    request_body = NewTrustedIssuerRequest,
    responses(
        (status = 201, body = TrustedIssuerView),
        (status = 400, description = "`InvalidIssuer`, `InvalidAudience`, `InvalidExternalTenant`, `InvalidClaimMapping`, `InvalidClaimName`, `UnknownRole`, `InvalidGroupRoles`, `InvalidDisplayName`", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "This or another organization already trusts the issuer", body = ErrorBody),
    )
)]
pub async fn add_trusted_issuer(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<NewTrustedIssuerRequest>,
) -> ApiResult<Response> {
    caller.require(Operation::ManageTrustedIssuers)?;
    let issuer = check_issuer_url(&request.issuer).map_err(rule)?;
    let display_name = match request.display_name.as_deref() {
        Some(name) => check_display_name(name).map_err(rule)?,
        None => issuer.clone(),
    };
    let trust = NewTrustedIssuer {
        tenant_id: caller.principal.tenant_id,
        display_name,
        audiences: check_audiences(&request.audiences).map_err(rule)?,
        external_tenant_id: request
            .external_tenant_id
            .as_deref()
            .map(check_external_tenant)
            .transpose()
            .map_err(rule)?,
        mapping: mapping(&request.claim_mapping)?,
        issuer,
    };
    let added = state
        .store
        .add_trusted_issuer(trust, &caller.actor())
        .await?;
    state.federation.invalidate();
    let location = format!(
        "{}/v1.0/trustedIssuers/{}",
        state.settings.public_url, added.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(TrustedIssuerView::of(&added)),
    )
        .into_response())
}

/// Stop trusting an identity provider (Global Administrators only): its tokens are refused from then on (within
/// seconds on every replica). The users it made stay, and can no longer sign in through it.
#[utoipa::path(
    delete,
    path = "/v1.0/trustedIssuers/{issuerId}",
    tag = "users",
    security(("bearer" = [])),
    params(("issuerId" = String, Path, description = "The trust's ID")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn remove_trusted_issuer(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<StatusCode> {
    caller.require(Operation::ManageTrustedIssuers)?;
    let trust = own_trust(&state, &caller, &id).await?;
    let removed = state
        .store
        .remove_trusted_issuer(caller.principal.tenant_id, trust.id, &caller.actor())
        .await?;
    state.federation.invalidate();
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(
            "TrustedIssuerNotFound",
            format!("This organization trusts no issuer with the ID {id}."),
        ))
    }
}

/// Let people of the organization sign in on the built-in sign-in page with this provider (Global
/// Administrators only): the page shows "Sign in with {buttonText}", and the service signs them in as the
/// provider's relying party (redirect URI `{public_url}/federation/callback`). Replaces any earlier setting; the
/// client secret is sealed with the key encryption key and never answered (`signIn.hasClientSecret` says whether
/// one is held). Audited (`TrustedIssuerSignInSet`, without the secret).
#[utoipa::path(
    put,
    path = "/v1.0/trustedIssuers/{issuerId}/signIn",
    tag = "users",
    security(("bearer" = [])),
    params(("issuerId" = String, Path, description = "The trust's ID")),
    request_body = SignInRequest,
    responses(
        (status = 200, body = TrustedIssuerView),
        (status = 400, description = "`InvalidClientId`, `InvalidClientSecret`, `InvalidButton`", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn set_sign_in(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<SignInRequest>,
) -> ApiResult<Json<TrustedIssuerView>> {
    caller.require(Operation::ManageTrustedIssuers)?;
    let trust = own_trust(&state, &caller, &id).await?;
    let client_id = check_sign_in_client_id(&request.client_id).map_err(rule)?;
    let button = match request.button_text.as_deref() {
        Some(text) => check_button(text).map_err(rule)?,
        None => check_button(&trust.display_name).unwrap_or_else(|_| "your organization".into()),
    };
    let sealed_client_secret = request
        .client_secret
        .as_deref()
        .map(|secret| {
            let secret = check_client_secret(secret).map_err(rule)?;
            state
                .relying_party
                .seal_client_secret(trust.id, secret)
                .map_err(|e| ApiError::Internal(format!("the client secret cannot be sealed: {e}")))
        })
        .transpose()?;
    let sign_in = ProviderSignIn {
        client_id,
        sealed_client_secret,
        button,
    };
    let changed = state
        .store
        .set_trusted_issuer_sign_in(
            caller.principal.tenant_id,
            trust.id,
            Some(sign_in),
            &caller.actor(),
        )
        .await?
        .ok_or_else(|| trust_not_found(&id))?;
    state.federation.invalidate();
    Ok(Json(TrustedIssuerView::of(&changed)))
}

/// Stop offering the provider's sign-in on the built-in page (Global Administrators only); its tokens stay
/// trusted. Audited (`TrustedIssuerSignInSet`).
#[utoipa::path(
    delete,
    path = "/v1.0/trustedIssuers/{issuerId}/signIn",
    tag = "users",
    security(("bearer" = [])),
    params(("issuerId" = String, Path, description = "The trust's ID")),
    responses((status = 204, description = "Removed, or there was none"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn remove_sign_in(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<StatusCode> {
    caller.require(Operation::ManageTrustedIssuers)?;
    let trust = own_trust(&state, &caller, &id).await?;
    if trust.sign_in.is_some() {
        state
            .store
            .set_trusted_issuer_sign_in(caller.principal.tenant_id, trust.id, None, &caller.actor())
            .await?
            .ok_or_else(|| trust_not_found(&id))?;
        state.federation.invalidate();
    }
    Ok(StatusCode::NO_CONTENT)
}

fn trust_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "TrustedIssuerNotFound",
        format!("This organization trusts no issuer with the ID {id}."),
    )
}
