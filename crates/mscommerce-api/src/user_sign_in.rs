//! The check of a user's password, one for every way a person signs in with one: the password grant, the sign-in
//! page of the authorization endpoint and the device verification page. All go through the same back-off
//! (`SignInGuard`), the same hashing pool, and give a disabled account the answer of a wrong password.

use std::net::IpAddr;
use std::time::Instant;

use axum::http::StatusCode;
use mscommerce_auth::TokenSubject;
use mscommerce_domain::{retry_after_seconds, TenantId, REFUSAL_PAUSE};
use mscommerce_store::User;

use crate::error::{ApiError, ApiResult};
use crate::sign_in_guard::{Attempt, Signer};
use crate::state::AppState;

pub(crate) const BAD_CREDENTIALS: &str =
    "Error validating credentials due to invalid username or password.";
const BUSY: &str =
    "The service is busy checking other sign-ins; try again after the Retry-After seconds.";

/// The answer to a wrong user name or password (RFC 6749 `invalid_grant`).
pub(crate) fn invalid_grant() -> ApiError {
    ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_grant", BAD_CREDENTIALS)
}

/// Judges a sign-in before any secret is checked: refused (429 with `Retry-After`) while its account at that
/// address, or that address, is backed off; otherwise counted, and slowed down when the account is being guessed at
/// from everywhere (by at most the domain's bound).
pub(crate) async fn begin_attempt(
    state: &AppState,
    signer: Signer<'_>,
    address: Option<IpAddr>,
    error: &'static str,
) -> ApiResult<Attempt> {
    match state.sign_ins.begin(signer, address, Instant::now()) {
        Err(wait) => {
            tokio::time::sleep(wait.min(REFUSAL_PAUSE)).await;
            let seconds = retry_after_seconds(wait.saturating_sub(REFUSAL_PAUSE));
            Err(ApiError::OAuthRetryLater {
                status: StatusCode::TOO_MANY_REQUESTS,
                error,
                description: format!(
                    "Too many failed sign-ins for this account or from this address: sign-in is paused for \
                     {seconds} s (Retry-After), and nothing was checked. Try again after that."
                ),
                retry_after_seconds: seconds,
            })
        }
        Ok((attempt, slow_down)) => {
            if !slow_down.is_zero() {
                tokio::time::sleep(slow_down).await;
            }
            Ok(attempt)
        }
    }
}

/// Records how an attempt ended: signed in (`Some`), refused (`None`, already counted as a failure), or not judged
/// at all (an error: the hashing pool was busy, or the store failed), which counts for nothing.
pub(crate) fn finish_attempt<T>(
    state: &AppState,
    attempt: Attempt,
    outcome: ApiResult<Option<T>>,
) -> ApiResult<Option<T>> {
    match outcome {
        Ok(Some(signed_in)) => {
            state.sign_ins.succeeded(attempt);
            Ok(Some(signed_in))
        }
        Ok(None) => Ok(None),
        Err(error) => {
            state.sign_ins.abandoned(attempt);
            Err(match error {
                ApiError::HashingBusy => ApiError::OAuthRetryLater {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    error: "temporarily_unavailable",
                    description: BUSY.into(),
                    retry_after_seconds: 1,
                },
                other => other,
            })
        }
    }
}

/// The user whose sign-in name and password these are, if the account may sign in (enabled, and of `tenant` when
/// one is named). Refused with `invalid_grant` (wrong name, wrong password, disabled, other tenant: one answer), or
/// 429/503 with `Retry-After` when backed off or when the hashing pool is busy.
pub(crate) async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
    tenant: Option<TenantId>,
    address: Option<IpAddr>,
) -> ApiResult<User> {
    let attempt = begin_attempt(state, Signer::User(username), address, "invalid_grant").await?;
    let outcome = async {
        let Some(user) = state.store.user_by_upn(username).await? else {
            state
                .hasher
                .verify_against_nothing(password.to_owned())
                .await?;
            return Ok(None);
        };
        let hash = user.password_hash.clone().unwrap_or_default();
        let right = state.hasher.verify(password.to_owned(), hash).await?;
        // A disabled account, or a user of another tenant than the path names, gets the answer of a wrong password
        // even when the password is right: the answer must not tell a guesser that they found it.
        let admitted = right && user.account_enabled && tenant.is_none_or(|t| t == user.tenant_id);
        Ok(admitted.then_some(user))
    }
    .await;
    finish_attempt(state, attempt, outcome)?.ok_or_else(invalid_grant)
}

/// Whom a user's access token is for, signed in with `client_id`.
pub(crate) fn user_subject(user: User, client_id: Option<String>) -> TokenSubject {
    TokenSubject::User {
        tenant_id: user.tenant_id,
        object_id: user.id.as_uuid(),
        upn: user.upn,
        display_name: user.display_name,
        role_ids: user.roles,
        client_id,
    }
}
