//! License requests: a member the policy refuses asks; an admin approves (licenses from a central subscription of
//! the product) or denies, once; every user of the request is told by email, written with the answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use mscommerce_domain::license_requests::{
    check_message, request_possible, RequestFilter, RequestProcess, RequestStatus,
    MAX_REQUEST_USERS, MAX_SHARE_RECIPIENTS,
};
use mscommerce_domain::notification::{self, Email, RequestFacts};
use mscommerce_domain::{
    AcquisitionKind, Operation, PrincipalKind, PurchaseType, SubscriptionStatus,
};
use mscommerce_store::{
    AnswerLicenseRequest, LicenseRequest, NewLicenseRequest, NewMessage, RequestAnswer,
    RequestPage, RequestUser, StoreError, Subscription, SubscriptionFilter,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams, QueryParams};
use crate::handlers::acquisition::decision_for;
use crate::paging::{finish_page, PageQuery};
use crate::request::{parse_subscription_id, resolve_target};
use crate::state::AppState;
use crate::views::license_requests::*;
use crate::views::Timestamp;

fn parse_request_id(id: &str) -> ApiResult<Uuid> {
    id.parse::<Uuid>().map_err(|_| {
        ApiError::bad_request(
            "InvalidRequestId",
            format!("'{id}' is not a license request ID (a GUID)."),
        )
    })
}

fn message(text: Option<&str>) -> ApiResult<Option<String>> {
    check_message(text).map_err(|e| ApiError::bad_request("InvalidMessage", e.to_string()))
}

/// User IDs of a body: GUIDs, at most `max`, no repeats.
fn user_ids(ids: &[String], max: usize, what: &str) -> ApiResult<Vec<mscommerce_domain::UserId>> {
    if ids.len() > max {
        return Err(ApiError::bad_request(
            "TooManyUsers",
            format!(
                "{what} holds at most {max} users; {} were given.",
                ids.len()
            ),
        ));
    }
    let mut parsed = Vec::with_capacity(ids.len());
    for id in ids {
        let user = id.parse().map_err(|_| {
            ApiError::bad_request(
                "InvalidUserId",
                format!("'{id}' is not a user ID (a GUID)."),
            )
        })?;
        if !parsed.contains(&user) {
            parsed.push(user);
        }
    }
    Ok(parsed)
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> ApiResult<LicenseRequest> {
    let id = parse_request_id(id)?;
    state
        .store
        .license_request(caller.principal.tenant_id, id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "LicenseRequestNotFound",
                format!("No license request of this organization has the ID {id}."),
            )
        })
}

/// Ask for a license of a product the organization's policy keeps you from buying.
#[utoipa::path(
    post,
    path = "/v1.0/me/licenseRequests",
    tag = "license-requests",
    security(("bearer" = [])),
    request_body = NewLicenseRequestBody,
    responses(
        (status = 201, body = LicenseRequestView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`OnlyUsersRequest`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`LicenseRequestExists`, `LicenseRequestNotNeeded`, `OrganizationRequestProcess` (the reason carries the organization's message and link), `NotAMember`", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewLicenseRequestBody>,
) -> ApiResult<Response> {
    if !matches!(caller.principal.kind, PrincipalKind::User { .. }) {
        return Err(ApiError::refused(
            StatusCode::FORBIDDEN,
            "OnlyUsersRequest",
            "License requests are made by users for themselves; an app cannot make one.",
        ));
    }
    let target = resolve_target(
        &state.catalog,
        body.product_id.as_deref(),
        body.offer_type.as_deref(),
    )?;
    let note = message(body.message.as_deref())?;
    let others = user_ids(
        body.user_ids.as_deref().unwrap_or_default(),
        MAX_REQUEST_USERS,
        "A request",
    )?;
    let tenant_id = caller.principal.tenant_id;
    let decision = decision_for(
        &state,
        tenant_id,
        caller.principal.user_id(),
        &target,
        AcquisitionKind::Purchase,
    )
    .await?;
    if !request_possible(&decision) {
        return Err(ApiError::refused(
            StatusCode::CONFLICT,
            "LicenseRequestNotNeeded",
            format!(
                "A license request answers a refusal of the organization's policy, and there is none here: {}",
                decision.reason
            ),
        ));
    }
    let process = state.store.request_process(tenant_id).await?;
    if process.use_organization_process {
        return Err(ApiError::refused(
            StatusCode::CONFLICT,
            "OrganizationRequestProcess",
            format!(
                "Your organization takes license requests its own way: {}",
                process.instructions()
            ),
        ));
    }
    let created = state
        .store
        .create_license_request(
            NewLicenseRequest {
                tenant_id,
                target_scope: target.scope(),
                target_id: target.id().to_string(),
                target_name: target.name().to_string(),
                requester_id: caller.principal.user_id(),
                others,
                message: note,
            },
            &caller.actor(),
        )
        .await
        .map_err(|err| match err {
            StoreError::Conflict(reason) => {
                ApiError::refused(StatusCode::CONFLICT, "LicenseRequestExists", reason)
            }
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(LicenseRequestView::of(&created))).into_response())
}

/// Your own license requests, newest first.
#[utoipa::path(
    get,
    path = "/v1.0/me/licenseRequests",
    tag = "license-requests",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = LicenseRequestPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn mine(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(page): QueryParams<PageQuery>,
) -> ApiResult<Json<LicenseRequestPage>> {
    let base = format!("{}/v1.0/me/licenseRequests", state.settings.public_url);
    list(
        &state,
        &caller,
        RequestFilter::All,
        Some(caller.principal.user_id()),
        &page,
        base,
    )
    .await
}

async fn list(
    state: &AppState,
    caller: &Caller,
    filter: RequestFilter,
    requester_id: Option<mscommerce_domain::UserId>,
    page: &PageQuery,
    base: String,
) -> ApiResult<Json<LicenseRequestPage>> {
    let size = page.size()?;
    let cursor = page.cursor_as(|c| {
        c.split_once('|')
            .map(|(at, id)| (at.to_string(), id.to_string()))
    })?;
    let mut found = state
        .store
        .license_requests(
            caller.principal.tenant_id,
            RequestPage {
                filter,
                requester_id,
                before: cursor.as_ref().map(|(at, id)| (at.as_str(), id.as_str())),
                limit: size + 1,
            },
        )
        .await?;
    let next_link = finish_page(&mut found, size, &base, |r| {
        format!("{}|{}", Timestamp(r.created_at), r.id)
    });
    Ok(Json(LicenseRequestPage {
        items: found.iter().map(LicenseRequestView::of).collect(),
        next_link,
    }))
}

/// The organization's license requests, newest first: pending, completed or all.
#[utoipa::path(
    get,
    path = "/v1.0/licenseRequests",
    tag = "license-requests",
    security(("bearer" = [])),
    params(LicenseRequestQuery, PageQuery),
    responses((status = 200, body = LicenseRequestPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<LicenseRequestQuery>,
    QueryParams(page): QueryParams<PageQuery>,
) -> ApiResult<Json<LicenseRequestPage>> {
    caller.require(Operation::ReadLicenseRequests)?;
    let (filter, word) = match query.status.as_deref() {
        None => (RequestFilter::All, None),
        Some(text) => (
            RequestFilter::parse(text).ok_or_else(|| {
                ApiError::bad_request(
                    "InvalidQueryParameter",
                    format!("status '{text}' is not one of: pending, completed, all."),
                )
            })?,
            Some(text.trim().to_ascii_lowercase()),
        ),
    };
    let mut base = format!("{}/v1.0/licenseRequests", state.settings.public_url);
    if let Some(word) = word {
        base.push_str(&format!("?status={word}"));
    }
    list(&state, &caller, filter, None, &page, base).await
}

/// One license request.
#[utoipa::path(
    get,
    path = "/v1.0/licenseRequests/{requestId}",
    tag = "license-requests",
    security(("bearer" = [])),
    params(("requestId" = String, Path, description = "GUID")),
    responses((status = 200, body = LicenseRequestView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_request(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<LicenseRequestView>> {
    let request = load(&state, &caller, &id).await?;
    // A requester reads their own; admins what the matrix lets them.
    if request.requester.id != caller.principal.user_id() {
        caller.require(Operation::ReadLicenseRequests)?;
    }
    Ok(Json(LicenseRequestView::of(&request)))
}

fn pending(request: &LicenseRequest) -> ApiResult<()> {
    if request.status == RequestStatus::Pending {
        return Ok(());
    }
    Err(ApiError::refused(
        StatusCode::CONFLICT,
        "LicenseRequestAnswered",
        format!(
            "This request was {} already: a request is answered once.",
            request.status.as_str().to_lowercase()
        ),
    ))
}

/// The central subscription an approval takes licenses from: the one chosen, or the only one that has enough.
async fn source(
    state: &AppState,
    caller: &Caller,
    request: &LicenseRequest,
    chosen: Option<&str>,
    needed: i64,
) -> ApiResult<Subscription> {
    let tenant_id = caller.principal.tenant_id;
    let central = |s: &Subscription| {
        s.purchase_type == PurchaseType::Central
            && s.status == SubscriptionStatus::Active
            && s.target_id == request.target_id
    };
    if let Some(chosen) = chosen {
        let id = parse_subscription_id(chosen)?;
        let subscription = state
            .store
            .subscription(tenant_id, id)
            .await?
            .filter(central)
            .ok_or_else(|| {
                ApiError::refused(
                    StatusCode::CONFLICT,
                    "NoCentralSubscription",
                    format!(
                        "Subscription {id} is not an active subscription of {} that the organization manages.",
                        request.target_name
                    ),
                )
            })?;
        return Ok(subscription);
    }
    let candidates: Vec<Subscription> = state
        .store
        .subscriptions(
            tenant_id,
            &SubscriptionFilter {
                purchase_type: Some(PurchaseType::Central),
                purchaser_id: None,
            },
            None,
            1000,
        )
        .await?
        .into_iter()
        .filter(central)
        .collect();
    let free = |s: &Subscription| s.quantity - s.assigned_count;
    let enough: Vec<&Subscription> = candidates.iter().filter(|s| free(s) >= needed).collect();
    match (candidates.len(), enough.as_slice()) {
        (0, _) => Err(ApiError::refused(
            StatusCode::CONFLICT,
            "NoCentralSubscription",
            format!(
                "The organization has no active subscription of {} to give licenses from: buy one first \
                 (POST /v1.0/subscriptions), then approve.",
                request.target_name
            ),
        )),
        (_, []) => {
            let most = candidates.iter().map(free).max().unwrap_or(0).max(0);
            Err(ApiError::refused(
                StatusCode::CONFLICT,
                "NotEnoughLicenses",
                format!(
                    "No subscription of {} has {needed} available licenses (the most any has is {most}): {} more \
                     are needed. Buy more first, or approve fewer users.",
                    request.target_name,
                    needed - most
                ),
            ))
        }
        (1, [only]) => Ok((*only).clone()),
        (_, several) => Err(ApiError::bad_request(
            "SubscriptionRequired",
            format!(
                "Several subscriptions of {} could give the licenses; choose one as subscriptionId: {}.",
                request.target_name,
                several
                    .iter()
                    .map(|s| format!("{} ({} available)", s.id, free(s)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn facts<'a>(
    request: &'a LicenseRequest,
    id: &'a str,
    actor: &'a str,
    message: Option<&'a str>,
    when: &'a str,
) -> RequestFacts<'a> {
    RequestFacts {
        product: &request.target_name,
        request_id: id,
        requester_upn: &request.requester.upn,
        actor,
        message,
        when,
    }
}

fn recipient(user: &RequestUser) -> (&str, &str) {
    (&user.user.upn, &user.user.display_name)
}

/// Answers a pending request and tells each of its users with the email `email` composes for them: the answer,
/// its licenses, its audit event and the emails in one transaction.
async fn answer_and_tell(
    state: &AppState,
    caller: &Caller,
    request: &LicenseRequest,
    answer: RequestAnswer,
    note: Option<String>,
    email: impl Fn(&RequestFacts<'_>, &RequestUser) -> Email,
) -> ApiResult<Json<LicenseRequestView>> {
    let when = Timestamp::now().to_string();
    let request_id = request.id.to_string();
    let actor = caller.principal.display_name().to_string();
    let facts = facts(request, &request_id, &actor, note.as_deref(), &when);
    let messages = request
        .users
        .iter()
        .map(|user| NewMessage::from(email(&facts, user)))
        .collect();
    let answered = state
        .store
        .answer_license_request(
            AnswerLicenseRequest {
                tenant_id: caller.principal.tenant_id,
                request_id: request.id,
                answer,
                message: note.clone(),
            },
            &caller.actor(),
            messages,
        )
        .await?;
    Ok(Json(LicenseRequestView::of(&answered)))
}

/// Approve a request for all or some of its users: licenses of a central subscription of the product, the answer,
/// its audit event and every user's email in one transaction.
#[utoipa::path(
    post,
    path = "/v1.0/licenseRequests/{requestId}/approve",
    tag = "license-requests",
    security(("bearer" = [])),
    params(("requestId" = String, Path, description = "GUID")),
    request_body = ApproveBody,
    responses(
        (status = 200, body = LicenseRequestView),
        (status = 400, description = "`SubscriptionRequired` (several could serve: the reason lists them), `InvalidUserId`, `UserNotInRequest`, ...", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`LicenseRequestAnswered`, `NotEnoughLicenses` (the reason says how many are missing), `NoCentralSubscription`", body = ErrorBody),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<ApproveBody>,
) -> ApiResult<Json<LicenseRequestView>> {
    caller.require(Operation::AnswerLicenseRequests)?;
    let request = load(&state, &caller, &id).await?;
    pending(&request)?;
    let note = message(body.message.as_deref())?;
    let users = match &body.user_ids {
        None => request.users.iter().map(|u| u.user.id).collect(),
        Some(ids) => {
            let chosen = user_ids(ids, request.users.len().max(1), "An approval")?;
            if let Some(stranger) = chosen
                .iter()
                .find(|id| !request.users.iter().any(|u| u.user.id == **id))
            {
                return Err(ApiError::bad_request(
                    "UserNotInRequest",
                    format!("User {stranger} is not one of this request's users."),
                ));
            }
            if chosen.is_empty() {
                return Err(ApiError::bad_request(
                    "NoUsers",
                    "Approve at least one of the request's users, or deny it.",
                ));
            }
            chosen
        }
    };
    let subscription = source(
        &state,
        &caller,
        &request,
        body.subscription_id.as_deref(),
        users.len() as i64,
    )
    .await?;
    let answer = RequestAnswer::Approve {
        subscription_id: subscription.id,
        users: users.clone(),
    };
    answer_and_tell(&state, &caller, &request, answer, note, |facts, user| {
        notification::license_request_approved(
            facts,
            recipient(user),
            users.contains(&user.user.id),
        )
    })
    .await
}

/// Deny a request, with an optional message to its users; their emails are written with the answer.
#[utoipa::path(
    post,
    path = "/v1.0/licenseRequests/{requestId}/deny",
    tag = "license-requests",
    security(("bearer" = [])),
    params(("requestId" = String, Path, description = "GUID")),
    request_body = DenyBody,
    responses((status = 200, body = LicenseRequestView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "`LicenseRequestAnswered`", body = ErrorBody))
)]
pub async fn deny(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<DenyBody>,
) -> ApiResult<Json<LicenseRequestView>> {
    caller.require(Operation::AnswerLicenseRequests)?;
    let request = load(&state, &caller, &id).await?;
    pending(&request)?;
    let note = message(body.message.as_deref())?;
    answer_and_tell(
        &state,
        &caller,
        &request,
        RequestAnswer::Deny,
        note,
        |facts, user| notification::license_request_denied(facts, recipient(user)),
    )
    .await
}

/// Share a request by email with decision makers of the organization.
#[utoipa::path(
    post,
    path = "/v1.0/licenseRequests/{requestId}/share",
    tag = "license-requests",
    security(("bearer" = [])),
    params(("requestId" = String, Path, description = "GUID")),
    request_body = ShareBody,
    responses((status = 202, body = ShareResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, description = "`LicenseRequestNotFound`, `UserNotFound` (a recipient is not a user of the organization)", body = ErrorBody))
)]
pub async fn share(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<ShareBody>,
) -> ApiResult<Response> {
    caller.require(Operation::AnswerLicenseRequests)?;
    let request = load(&state, &caller, &id).await?;
    let note = message(body.message.as_deref())?;
    let ids = user_ids(&body.user_ids, MAX_SHARE_RECIPIENTS, "A share")?;
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "NoUsers",
            format!("Share with 1 to {MAX_SHARE_RECIPIENTS} users of the organization."),
        ));
    }
    let tenant_id = caller.principal.tenant_id;
    let mut recipients = Vec::with_capacity(ids.len());
    for user_id in ids {
        let user = state
            .store
            .user(tenant_id, user_id)
            .await?
            .filter(|u| u.account_enabled)
            .ok_or_else(|| {
                ApiError::not_found(
                    "UserNotFound",
                    format!("No user of this organization has the ID {user_id}."),
                )
            })?;
        recipients.push(user);
    }
    let when = Timestamp::now().to_string();
    let request_id = request.id.to_string();
    let actor = caller.principal.display_name().to_string();
    let facts = facts(&request, &request_id, &actor, note.as_deref(), &when);
    let messages = recipients
        .iter()
        .map(|u| {
            NewMessage::from(notification::license_request_shared(
                &facts,
                (&u.upn, &u.display_name),
            ))
        })
        .collect();
    let names: Vec<String> = recipients.iter().map(|u| u.upn.clone()).collect();
    state
        .store
        .share_license_request(tenant_id, request.id, &names, &caller.actor(), messages)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ShareResult {
            shared: names.len(),
        }),
    )
        .into_response())
}

/// The organization's license request process: whether it takes requests its own way, and what members read.
#[utoipa::path(
    get,
    path = "/v1.0/licenseRequestSettings",
    tag = "license-requests",
    security(("bearer" = [])),
    responses((status = 200, body = RequestProcessView), (status = 401, body = ErrorBody))
)]
pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<RequestProcessView>> {
    let process = state
        .store
        .request_process(caller.principal.tenant_id)
        .await?;
    Ok(Json(view_of(process)))
}

fn view_of(process: RequestProcess) -> RequestProcessView {
    RequestProcessView {
        use_organization_process: process.use_organization_process,
        message: process.message,
        link: process.link,
    }
}

/// Set the organization's license request process ("Use my organization's request process"). Existing requests
/// stay until answered.
#[utoipa::path(
    put,
    path = "/v1.0/licenseRequestSettings",
    tag = "license-requests",
    security(("bearer" = [])),
    request_body = RequestProcessView,
    responses((status = 200, body = RequestProcessView), (status = 400, description = "`InvalidRequestProcess`", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn set_settings(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<RequestProcessView>,
) -> ApiResult<Json<RequestProcessView>> {
    caller.require(Operation::AnswerLicenseRequests)?;
    let process = RequestProcess::checked(
        body.use_organization_process,
        body.message.as_deref(),
        body.link.as_deref(),
    )
    .map_err(|e| ApiError::bad_request("InvalidRequestProcess", e.to_string()))?;
    let saved = state
        .store
        .set_request_process(caller.principal.tenant_id, process, &caller.actor())
        .await?;
    Ok(Json(view_of(saved)))
}
