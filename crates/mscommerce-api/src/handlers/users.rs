//! Users of a tenant: Global and User Administrators create, change and disable them; readers list them.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mscommerce_auth::generate_secret;
use mscommerce_domain::{check_new_password, UserId};
use mscommerce_domain::{DirectoryRole, Operation};
use mscommerce_store::{NewUser, StoreError, UserType, UserUpdate};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams, QueryParams};
use crate::paging::{finish_page, PageQuery};
use crate::request::parse_user_id;
use crate::state::AppState;
use crate::views::users::{NewUserRequest, UserPage, UserPatch, UserView};

fn user_type(text: &str) -> ApiResult<UserType> {
    UserType::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidUserType",
            format!("userType '{text}' is not allowed: use Member or Guest."),
        )
    })
}

fn role_ids(caller: &Caller, names: &[String]) -> ApiResult<Vec<String>> {
    caller.require(Operation::ManageRoles)?;
    names
        .iter()
        .map(|name| {
            DirectoryRole::parse(name)
                .map(|r| r.template_id().to_string())
                .ok_or_else(|| {
                    let known: Vec<_> = DirectoryRole::ALL.iter().map(|r| r.name()).collect();
                    ApiError::bad_request(
                        "InvalidRole",
                        format!("'{name}' is not a role. Roles: {}.", known.join(", ")),
                    )
                })
        })
        .collect()
}

fn check_password(password: &str) -> ApiResult<()> {
    check_new_password(password)
        .map_err(|rule| ApiError::bad_request("WeakPassword", rule.to_string()))
}

fn check_upn(upn: &str) -> ApiResult<()> {
    let valid = upn.len() <= 113
        && upn
            .split_once('@')
            .is_some_and(|(name, domain)| !name.is_empty() && domain.contains('.'))
        && !upn.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(ApiError::bad_request(
            "InvalidUserPrincipalName",
            format!("'{upn}' is not a sign-in name such as ann@contoso.onmicrosoft.com (at most 113 characters)."),
        ));
    }
    Ok(())
}

fn check_display_name(name: &str) -> ApiResult<()> {
    if name.trim().is_empty() || name.chars().count() > 256 {
        return Err(ApiError::bad_request(
            "InvalidDisplayName",
            "displayName must be 1 to 256 characters.",
        ));
    }
    Ok(())
}

fn user_not_found(id: UserId) -> ApiError {
    ApiError::not_found(
        "UserNotFound",
        format!("No user of this organization has the ID {id}."),
    )
}

/// Create a user.
#[utoipa::path(
    post,
    path = "/v1.0/users",
    tag = "users",
    security(("bearer" = [])),
    request_body = NewUserRequest,
    responses(
        (status = 201, body = UserView),
        (status = 400, description = "A field is wrong, or the sign-in name is not in one of the organization's domains (UpnDomainNotInTenant)", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "A user of this organization has the sign-in name", body = ErrorBody),
        (status = 503, description = "`ServiceBusy`: every password hashing slot is busy; `Retry-After`", body = ErrorBody),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<NewUserRequest>,
) -> ApiResult<Response> {
    caller.require(Operation::ManageUsers)?;
    check_upn(&request.user_principal_name)?;
    check_display_name(&request.display_name)?;
    let user_type = request
        .user_type
        .as_deref()
        .map(user_type)
        .transpose()?
        .unwrap_or(UserType::Member);
    let roles = if request.roles.is_empty() {
        Vec::new()
    } else {
        role_ids(&caller, &request.roles)?
    };
    let (password, generated) = match request.password {
        Some(password) => {
            check_password(&password)?;
            (password, false)
        }
        None => (generate_secret(), true),
    };
    let password_hash = state.hasher.hash(password.clone()).await?;
    let user = state
        .store
        .create_user(
            NewUser {
                tenant_id: caller.principal.tenant_id,
                upn: request.user_principal_name,
                display_name: request.display_name,
                user_type,
                password_hash: Some(password_hash),
                roles,
            },
            &caller.actor(),
        )
        .await?;
    state.directory.put(&user);
    let mut view = UserView::of(&user);
    view.initial_password = generated.then_some(password);
    let location = format!("{}/v1.0/users/{}", state.settings.public_url, user.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

/// List the organization's users, by sign-in name.
#[utoipa::path(
    get,
    path = "/v1.0/users",
    tag = "users",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = UserPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<PageQuery>,
) -> ApiResult<Json<UserPage>> {
    caller.require(Operation::ReadUsers)?;
    let size = query.size()?;
    let after = query.cursor()?;
    let mut users = state
        .store
        .users(caller.principal.tenant_id, after.as_deref(), size + 1)
        .await?;
    let base = format!("{}/v1.0/users", state.settings.public_url);
    let next_link = finish_page(&mut users, size, &base, |u| u.upn.clone());
    Ok(Json(UserPage {
        items: users.iter().map(UserView::of).collect(),
        next_link,
    }))
}

/// Get one user.
#[utoipa::path(
    get,
    path = "/v1.0/users/{userId}",
    tag = "users",
    security(("bearer" = [])),
    params(("userId" = String, Path, description = "The user's ID (GUID)")),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
) -> ApiResult<Json<UserView>> {
    caller.require(Operation::ReadUsers)?;
    let id = parse_user_id(&user_id)?;
    let user = state
        .store
        .user(caller.principal.tenant_id, id)
        .await?
        .ok_or_else(|| user_not_found(id))?;
    Ok(Json(UserView::of(&user)))
}

/// Change a user: name, type, password, roles; `accountEnabled: false` disables the account.
#[utoipa::path(
    patch,
    path = "/v1.0/users/{userId}",
    tag = "users",
    security(("bearer" = [])),
    params(("userId" = String, Path, description = "The user's ID (GUID)")),
    request_body = UserPatch,
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, description = "`ServiceBusy`: every password hashing slot is busy; `Retry-After`", body = ErrorBody))
)]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
    JsonBody(patch): JsonBody<UserPatch>,
) -> ApiResult<Json<UserView>> {
    caller.require(Operation::ManageUsers)?;
    let id = parse_user_id(&user_id)?;
    // Who may change a user depends on the roles it holds now: read them, decide, and have the store apply the
    // change only if they are still the same.
    let target = state
        .store
        .user(caller.principal.tenant_id, id)
        .await?
        .ok_or_else(|| user_not_found(id))?;
    let target_roles: Vec<DirectoryRole> = target
        .roles
        .iter()
        .filter_map(|role| DirectoryRole::parse(role))
        .collect();
    if let Err(refusal) = caller.principal.may_change_user(&target_roles) {
        return Err(ApiError::Forbidden(format!(
            "'{}' may not change '{}': {}.",
            caller.principal.display_name(),
            target.upn,
            refusal.describe_allowed()
        )));
    }
    if let Some(name) = &patch.display_name {
        check_display_name(name)?;
    }
    if let Some(password) = &patch.password {
        check_password(password)?;
    }
    let user_type = patch.user_type.as_deref().map(user_type).transpose()?;
    let roles = patch
        .roles
        .as_deref()
        .map(|r| role_ids(&caller, r))
        .transpose()?;
    // Hashed last, once everything else is known to be acceptable.
    let password_hash = match patch.password {
        Some(password) => Some(state.hasher.hash(password).await?),
        None => None,
    };
    let update = UserUpdate {
        display_name: patch.display_name,
        user_type,
        account_enabled: patch.account_enabled,
        password_hash,
        roles,
        expected_roles: Some(target.roles),
    };
    let user = state
        .store
        .update_user(caller.principal.tenant_id, id, update, &caller.actor())
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => user_not_found(id),
            other => other.into(),
        })?;
    state.directory.put(&user);
    Ok(Json(UserView::of(&user)))
}
