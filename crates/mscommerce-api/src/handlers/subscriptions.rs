//! Subscriptions: the purchaser manages their own; admins see all, buy central ones and manage their licenses.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use mscommerce_domain::notification::{self, Facts};
use mscommerce_domain::subscription::{check_batch, check_quantity, first_term};
use mscommerce_domain::{
    AcquisitionKind, BillingFrequency, CancellationReason, Catalog, Money, Operation, PolicyTarget,
    PurchaseType, SubscriptionStatus, Term,
};
use mscommerce_store::{
    Assignment, AssignmentChange, Cancellation, NewMessage, NewSubscription, Subscription,
    SubscriptionEdit, SubscriptionFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{BodyShape, Caller, JsonBody, PathParams, QueryParams};
use crate::paging::{finish_page, PageQuery};
use crate::state::AppState;

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A user as subscriptions name them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

impl UserSummary {
    fn of(user: &mscommerce_store::UserRef) -> UserSummary {
        UserSummary {
            id: user.id.to_string(),
            display_name: user.display_name.clone(),
            user_principal_name: user.upn.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignedUser {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub assigned_at: String,
}

fn assigned_user(assignment: &Assignment) -> AssignedUser {
    AssignedUser {
        id: assignment.user.id.to_string(),
        display_name: assignment.user.display_name.clone(),
        user_principal_name: assignment.user.upn.clone(),
        assigned_at: rfc3339(assignment.assigned_at),
    }
}

/// A subscription as every endpoint shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    pub id: String,
    /// Product ID, or offer-type ID when `scope` is `OfferType`.
    pub product_id: String,
    pub product_name: String,
    /// `product` or `OfferType`.
    pub scope: String,
    /// `SelfService` or `Central`.
    pub purchase_type: String,
    /// `Purchase`, `TrialWithPaymentMethod` or `TrialWithoutPaymentMethod`.
    pub acquisition_kind: String,
    /// Who bought it (self-service); absent for central subscriptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchaser: Option<UserSummary>,
    /// Licenses purchased.
    pub quantity: i64,
    pub assigned_count: i64,
    /// Price of one license for one billing period, as a decimal string.
    #[schema(example = "16.80")]
    pub unit_price: String,
    /// `unitPrice` x `quantity`.
    pub total_price: String,
    pub currency: String,
    /// `Monthly` or `Annual`.
    pub billing_frequency: String,
    pub created_at: String,
    pub expires_at: String,
    pub auto_renew: bool,
    /// `Active`, `Expired`, `Disabled` or `Deleted`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<String>,
    /// The version for `If-Match`, also sent as the `ETag` header.
    pub etag: String,
    /// Who holds its licenses (only when one subscription is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_users: Option<Vec<AssignedUser>>,
}

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

impl SubscriptionView {
    pub fn of(s: &Subscription) -> SubscriptionView {
        SubscriptionView {
            id: s.id.to_string(),
            product_id: s.target_id.clone(),
            product_name: s.target_name.clone(),
            scope: s.target_scope.as_str().to_string(),
            purchase_type: s.purchase_type.as_str().to_string(),
            acquisition_kind: s.acquisition_kind.as_str().to_string(),
            purchaser: s.purchaser.as_ref().map(UserSummary::of),
            quantity: s.quantity,
            assigned_count: s.assigned_count,
            unit_price: Money {
                minor_units: s.unit_price_minor,
            }
            .to_string(),
            total_price: Money {
                minor_units: s.unit_price_minor.saturating_mul(s.quantity),
            }
            .to_string(),
            currency: s.currency.clone(),
            billing_frequency: s.billing_frequency.as_str().to_string(),
            created_at: rfc3339(s.created_at),
            expires_at: rfc3339(s.expires_at),
            auto_renew: s.auto_renew,
            status: s.status.as_str().to_string(),
            cancellation_reason: s.cancellation_reason.clone(),
            cancellation_comment: s.cancellation_comment.clone(),
            cancelled_at: s.cancelled_at.map(rfc3339),
            etag: etag(s.version),
            assigned_users: None,
        }
    }
}

/// The subscription as JSON, with its `ETag`.
pub fn with_etag(
    status: StatusCode,
    subscription: &Subscription,
    view: SubscriptionView,
) -> Response {
    let mut response = (status, Json(view)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(subscription.version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionPage {
    pub items: Vec<SubscriptionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionQuery {
    /// `selfService`, `central` or `all` (default).
    pub purchase_type: Option<String>,
}

/// A product or offer type, named in a request body.
pub fn resolve_target<'c>(
    catalog: &'c Catalog,
    product_id: Option<&str>,
    offer_type: Option<&str>,
) -> ApiResult<PolicyTarget<'c>> {
    match (product_id, offer_type) {
        (Some(id), None) => catalog.product(id).map(PolicyTarget::Product).ok_or_else(|| {
            ApiError::not_found(
                "ProductNotFound",
                format!("No product has the ID '{id}'. List them with GET /v1.0/policies/AllowSelfServicePurchase/products."),
            )
        }),
        (None, Some(id)) => catalog.offer_type(id).map(PolicyTarget::OfferType).ok_or_else(|| {
            let known: Vec<_> = catalog.offer_types().iter().map(|o| o.id.as_str()).collect();
            ApiError::not_found(
                "OfferTypeNotFound",
                format!("No offer type has the ID '{id}'. Offer types: {}.", known.join(", ")),
            )
        }),
        _ => Err(ApiError::bad_request(
            "InvalidTarget",
            "Name exactly one of productId (a product) or offerType (a third-party offer type).",
        )),
    }
}

pub fn parse_billing(text: Option<&str>) -> ApiResult<BillingFrequency> {
    match text {
        None => Ok(BillingFrequency::Monthly),
        Some(t) => BillingFrequency::parse(t).ok_or_else(|| {
            ApiError::bad_request(
                "InvalidBillingFrequency",
                format!(
                    "billingFrequency '{t}' is not allowed: use {}.",
                    BillingFrequency::names()
                ),
            )
        }),
    }
}

pub fn parse_quantity(quantity: Option<i64>) -> ApiResult<i64> {
    let quantity = quantity.unwrap_or(1);
    check_quantity(quantity).map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    Ok(quantity)
}

/// What a new subscription records: the list price of the chosen billing frequency (third-party offers are
/// priced by their publishers, so 0 here) and the end of its first term.
pub fn new_subscription(
    tenant_id: Uuid,
    target: &PolicyTarget<'_>,
    purchase_type: PurchaseType,
    kind: AcquisitionKind,
    purchaser_id: Option<Uuid>,
    quantity: i64,
    billing: BillingFrequency,
) -> NewSubscription {
    let (price, currency, trial_days) = match target {
        PolicyTarget::Product(p) => {
            let price = match billing {
                BillingFrequency::Monthly => p.monthly_price,
                BillingFrequency::Annual => p.annual_price,
            };
            (price.minor_units, p.currency.clone(), p.trial_days)
        }
        PolicyTarget::OfferType(_) => (0, "USD".to_string(), 30),
    };
    let now = Utc::now();
    let expires_at = match first_term(kind, billing, trial_days) {
        Term::Months(n) => now.checked_add_months(chrono::Months::new(n)),
        Term::Days(n) => now.checked_add_days(chrono::Days::new(u64::from(n))),
    }
    .unwrap_or(now);
    NewSubscription {
        id: Uuid::new_v4(),
        tenant_id,
        target_scope: target.scope(),
        target_id: target.id().to_string(),
        target_name: target.name().to_string(),
        purchase_type,
        acquisition_kind: kind,
        purchaser_id,
        quantity,
        unit_price_minor: price,
        currency,
        billing_frequency: billing,
        expires_at,
        auto_renew: kind.renews(),
    }
}

pub fn parse_subscription_id(text: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(text).map_err(|_| {
        ApiError::bad_request(
            "InvalidPathParameter",
            format!("'{text}' is not a subscription ID (a GUID)."),
        )
    })
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::not_found(
        "SubscriptionNotFound",
        format!("No subscription of this organization has the ID {id}."),
    )
}

pub fn is_purchaser(caller: &Caller, subscription: &Subscription) -> bool {
    subscription
        .purchaser
        .as_ref()
        .is_some_and(|p| p.id == caller.principal.object_id)
}

/// Loads a subscription the caller may see: the purchaser's own, any for subscription readers and license
/// managers. Others are told it does not exist.
pub async fn load_visible(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<Subscription> {
    let subscription = state
        .store
        .subscription(caller.principal.tenant_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let principal = &caller.principal;
    let visible = is_purchaser(caller, &subscription)
        || principal.may(Operation::ReadSubscriptions)
        || principal.may(Operation::AssignLicenses);
    if visible {
        Ok(subscription)
    } else {
        Err(not_found(id))
    }
}

fn take_over_first(subscription: &Subscription) -> ApiError {
    let purchaser = subscription
        .purchaser
        .as_ref()
        .map_or("a user", |p| p.upn.as_str());
    ApiError::refused(
        StatusCode::FORBIDDEN,
        "TakeOverRequired",
        format!(
            "This subscription was bought by {purchaser} through self-service: admins cannot assign, unassign or \
             change its licenses. Take it over first (POST /v1.0/subscriptions/{}/takeOver/moveUsers or \
             .../takeOver/cancel).",
            subscription.id
        ),
    )
}

/// Licenses of a self-service subscription are its purchaser's to manage; of a central one, license managers'.
fn require_license_manager(caller: &Caller, subscription: &Subscription) -> ApiResult<()> {
    match subscription.purchase_type {
        PurchaseType::SelfService if is_purchaser(caller, subscription) => Ok(()),
        PurchaseType::SelfService => Err(take_over_first(subscription)),
        PurchaseType::Central => caller.require(Operation::AssignLicenses),
    }
}

/// Quantity and cancellation of a self-service subscription are its purchaser's (it is their card); of a central
/// one, billing admins'.
fn require_billing_owner(caller: &Caller, subscription: &Subscription) -> ApiResult<()> {
    match subscription.purchase_type {
        PurchaseType::SelfService if is_purchaser(caller, subscription) => Ok(()),
        PurchaseType::SelfService => Err(take_over_first(subscription)),
        PurchaseType::Central => caller.require(Operation::ManageSubscriptions),
    }
}

/// The version in `If-Match` (`"3"` or `W/"3"`); `None` when absent or `*`.
pub fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| {
            ApiError::bad_request(
                "InvalidIfMatch",
                format!("If-Match '{text}' is not an ETag this service issued (such as \"3\")."),
            )
        })
}

/// List subscriptions: self-service, central or all.
#[utoipa::path(
    get,
    path = "/v1.0/subscriptions",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(SubscriptionQuery, PageQuery),
    responses((status = 200, body = SubscriptionPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<SubscriptionQuery>,
    QueryParams(page): QueryParams<PageQuery>,
) -> ApiResult<Json<SubscriptionPage>> {
    caller.require(Operation::ReadSubscriptions)?;
    let (purchase_type, filter_text) = match query.purchase_type.as_deref() {
        None => (None, None),
        Some(t) if t.eq_ignore_ascii_case("all") => (None, Some("all")),
        Some(t) if t.eq_ignore_ascii_case("selfService") => {
            (Some(PurchaseType::SelfService), Some("selfService"))
        }
        Some(t) if t.eq_ignore_ascii_case("central") => {
            (Some(PurchaseType::Central), Some("central"))
        }
        Some(other) => {
            return Err(ApiError::bad_request(
                "InvalidQueryParameter",
                format!("purchaseType '{other}' is not allowed: use selfService, central or all."),
            ))
        }
    };
    let filter = SubscriptionFilter {
        purchase_type,
        purchaser_id: None,
    };
    let mut base = format!("{}/v1.0/subscriptions", state.settings.public_url);
    if let Some(text) = filter_text {
        base.push_str(&format!("?purchaseType={text}"));
    }
    subscription_page(&state, &caller, &filter, &page, &base).await
}

async fn subscription_page(
    state: &AppState,
    caller: &Caller,
    filter: &SubscriptionFilter,
    page: &PageQuery,
    base: &str,
) -> ApiResult<Json<SubscriptionPage>> {
    let size = page.size()?;
    let after = page.cursor_as(|c| Uuid::parse_str(c).ok())?;
    let mut subscriptions = state
        .store
        .subscriptions(caller.principal.tenant_id, filter, after, size + 1)
        .await?;
    let next_link = finish_page(&mut subscriptions, size, base, |s| s.id.to_string());
    Ok(Json(SubscriptionPage {
        items: subscriptions.iter().map(SubscriptionView::of).collect(),
        next_link,
    }))
}

/// The signed-in user's own subscriptions.
#[utoipa::path(
    get,
    path = "/v1.0/me/subscriptions",
    tag = "self-service",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = SubscriptionPage), (status = 401, body = ErrorBody))
)]
pub async fn my_subscriptions(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(page): QueryParams<PageQuery>,
) -> ApiResult<Json<SubscriptionPage>> {
    let filter = SubscriptionFilter {
        purchase_type: Some(PurchaseType::SelfService),
        purchaser_id: Some(caller.principal.object_id),
    };
    let base = format!("{}/v1.0/me/subscriptions", state.settings.public_url);
    subscription_page(&state, &caller, &filter, &page, &base).await
}

/// One subscription with the users who hold its licenses.
#[utoipa::path(
    get,
    path = "/v1.0/subscriptions/{subscriptionId}",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID")),
    responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_subscription(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    let subscription = load_visible(&state, &caller, parse_subscription_id(&id)?).await?;
    let assignments = state
        .store
        .assignments(caller.principal.tenant_id, subscription.id)
        .await?;
    let mut view = SubscriptionView::of(&subscription);
    view.assigned_users = Some(assignments.iter().map(assigned_user).collect());
    Ok(with_etag(StatusCode::OK, &subscription, view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CentralPurchase {
    /// A product ID (current or old), or `offerType` for a third-party offer type.
    pub product_id: Option<String>,
    pub offer_type: Option<String>,
    /// 1 to 1,000,000 (default 1).
    pub quantity: Option<i64>,
    /// `Monthly` (default) or `Annual`.
    pub billing_frequency: Option<String>,
}

impl BodyShape for CentralPurchase {
    const SHAPE: &'static str =
        "{\"productId\": \"CFQ7TTC0H9MP\", \"quantity\": 25, \"billingFrequency\": \"Monthly\"|\"Annual\"}";
}

/// Buy a central subscription for the organization (admins; the self-service policy does not apply).
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions",
    tag = "subscriptions",
    security(("bearer" = [])),
    request_body = CentralPurchase,
    responses((status = 201, body = SubscriptionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn buy_central(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<CentralPurchase>,
) -> ApiResult<Response> {
    caller.require(Operation::ManageSubscriptions)?;
    let target = resolve_target(
        &state.catalog,
        request.product_id.as_deref(),
        request.offer_type.as_deref(),
    )?;
    let quantity = parse_quantity(request.quantity)?;
    let billing = parse_billing(request.billing_frequency.as_deref())?;
    let new = new_subscription(
        caller.principal.tenant_id,
        &target,
        PurchaseType::Central,
        AcquisitionKind::Purchase,
        None,
        quantity,
        billing,
    );
    let subscription = state
        .store
        .create_subscription(new, &caller.actor(), None)
        .await?;
    Ok(created(&state, &subscription))
}

pub fn created(state: &AppState, subscription: &Subscription) -> Response {
    let mut response = with_etag(
        StatusCode::CREATED,
        subscription,
        SubscriptionView::of(subscription),
    );
    let location = format!(
        "{}/v1.0/subscriptions/{}",
        state.settings.public_url, subscription.id
    );
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionChange {
    /// The new total number of licenses: never below those assigned.
    pub quantity: Option<i64>,
    /// Whether it renews when its term ends (a trial with a payment method: whether it becomes a purchase). A
    /// trial without a payment method cannot renew.
    pub auto_renew: Option<bool>,
}

impl BodyShape for SubscriptionChange {
    const SHAPE: &'static str = "{\"quantity\": 30}, {\"autoRenew\": false} or both";
}

/// Change the total quantity, or turn renewal on or off, or both at once (the purchaser of a self-service
/// subscription; billing admins for central ones).
#[utoipa::path(
    patch,
    path = "/v1.0/subscriptions/{subscriptionId}",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = SubscriptionChange,
    responses((status = 200, body = SubscriptionView), (status = 400, description = "`InvalidRequestBody` (neither field), `InvalidQuantity`, `RenewalNotOffered`", body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody))
)]
pub async fn change_subscription(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(change): JsonBody<SubscriptionChange>,
) -> ApiResult<Response> {
    if change.quantity.is_none() && change.auto_renew.is_none() {
        return Err(ApiError::bad_request(
            "InvalidRequestBody",
            format!(
                "Nothing to change. Expected: {}.",
                SubscriptionChange::SHAPE
            ),
        ));
    }
    let subscription = load_visible(&state, &caller, parse_subscription_id(&id)?).await?;
    require_billing_owner(&caller, &subscription)?;
    let updated = state
        .store
        .change_subscription(
            caller.principal.tenant_id,
            subscription.id,
            SubscriptionEdit {
                quantity: change.quantity,
                auto_renew: change.auto_renew,
            },
            if_match(&headers)?,
            &caller.actor(),
        )
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        &updated,
        SubscriptionView::of(&updated),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserIds {
    /// 1 to 20 user IDs of members of the organization.
    pub user_ids: Vec<String>,
}

impl BodyShape for UserIds {
    const SHAPE: &'static str = "{\"userIds\": [\"<user GUID>\", ...]} with 1 to 20 IDs";
}

fn parse_user_ids(ids: &UserIds) -> ApiResult<Vec<Uuid>> {
    check_batch(ids.user_ids.len()).map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    ids.user_ids
        .iter()
        .map(|id| {
            Uuid::parse_str(id).map_err(|_| {
                ApiError::bad_request(
                    "InvalidUserId",
                    format!("'{id}' is not a user ID (a GUID)."),
                )
            })
        })
        .collect()
}

async fn change_licenses(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    id: &str,
    ids: &UserIds,
    assign: bool,
) -> ApiResult<Response> {
    let subscription = load_visible(state, caller, parse_subscription_id(id)?).await?;
    require_license_manager(caller, &subscription)?;
    let users = parse_user_ids(ids)?;
    let (assign, unassign) = if assign {
        (users, Vec::new())
    } else {
        (Vec::new(), users)
    };
    let updated = state
        .store
        .change_assignments(
            AssignmentChange {
                tenant_id: caller.principal.tenant_id,
                subscription_id: subscription.id,
                assign,
                unassign,
                expected_version: if_match(headers)?,
            },
            &caller.actor(),
        )
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        &updated,
        SubscriptionView::of(&updated),
    ))
}

/// Give licenses to 1 to 20 members of the organization; never beyond the quantity.
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/{subscriptionId}/assignUsers",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = UserIds,
    responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorBody), (status = 403, description = "`TakeOverRequired` for admins on a self-service subscription", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "`NotEnoughLicenses`, `NotAMember`, `SubscriptionNotActive`", body = ErrorBody))
)]
pub async fn assign_users(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(ids): JsonBody<UserIds>,
) -> ApiResult<Response> {
    change_licenses(&state, &caller, &headers, &id, &ids, true).await
}

/// Take licenses back from 1 to 20 users.
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/{subscriptionId}/unassignUsers",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = UserIds,
    responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn unassign_users(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(ids): JsonBody<UserIds>,
) -> ApiResult<Response> {
    change_licenses(&state, &caller, &headers, &id, &ids, false).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelRequest {
    /// One of: NoLongerNeeded, TooExpensive, DuplicatePurchase, PurchasedByMistake, MovingToCentralLicenses,
    /// SecurityOrCompliance, NotApprovedByOrganization, Other.
    pub reason: String,
    /// Optional, up to 1000 characters; required with `Other`.
    pub comment: Option<String>,
    /// Must be `true` for an admin's take-over cancel: the purchaser's users lose access at once.
    pub confirm: Option<bool>,
}

impl BodyShape for CancelRequest {
    const SHAPE: &'static str =
        "{\"reason\": \"NoLongerNeeded\", \"comment\": \"...\", \"confirm\": true}";
}

/// Checks a cancellation's reason and comment.
pub fn parse_cancellation(
    request: &CancelRequest,
) -> ApiResult<(CancellationReason, Option<String>)> {
    let reason = CancellationReason::parse(&request.reason).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidCancellationReason",
            format!(
                "reason '{}' is not one of: {}.",
                request.reason,
                CancellationReason::names()
            ),
        )
    })?;
    let comment = request
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    if comment.as_ref().is_some_and(|c| c.chars().count() > 1000) {
        return Err(ApiError::bad_request(
            "InvalidComment",
            "comment has at most 1000 characters.",
        ));
    }
    if reason == CancellationReason::Other && comment.is_none() {
        return Err(ApiError::bad_request(
            "CommentRequired",
            "With the reason Other, say why in comment.",
        ));
    }
    Ok((reason, comment))
}

/// The facts every email about this subscription states.
pub fn facts<'a>(
    subscription: &'a Subscription,
    subscription_id: &'a str,
    actor: &'a str,
    reason: &'a str,
    when: &'a str,
) -> Facts<'a> {
    let (upn, name) = subscription
        .purchaser
        .as_ref()
        .map_or(("", ""), |p| (p.upn.as_str(), p.display_name.as_str()));
    Facts {
        product: &subscription.target_name,
        subscription_id,
        purchaser_upn: upn,
        purchaser_name: name,
        actor,
        reason,
        when,
    }
}

pub fn outbox_message(email: notification::Email) -> NewMessage {
    NewMessage {
        kind: email.kind.to_string(),
        recipient: email.recipient,
        subject: email.subject,
        body_text: email.text,
        body_html: email.html,
    }
}

/// Cancel: the purchaser their self-service subscription (it becomes Disabled), billing admins a central one.
/// Licensed users lose access at once. (Admins end a self-service subscription by taking it over.)
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/{subscriptionId}/cancel",
    tag = "subscriptions",
    security(("bearer" = [])),
    params(("subscriptionId" = String, Path, description = "GUID"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = CancelRequest,
    responses((status = 200, body = SubscriptionView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<CancelRequest>,
) -> ApiResult<Response> {
    let subscription = load_visible(&state, &caller, parse_subscription_id(&id)?).await?;
    require_billing_owner(&caller, &subscription)?;
    cancel_and_notify(
        &state,
        &caller,
        &headers,
        &subscription,
        &request,
        SubscriptionStatus::Disabled,
        notification::cancelled_by_purchaser,
    )
    .await
}

/// Cancels a subscription (every license unassigned at once) and, when a user bought it, writes `email` to them in
/// the same transaction.
pub async fn cancel_and_notify(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    subscription: &Subscription,
    request: &CancelRequest,
    status: SubscriptionStatus,
    email: fn(&Facts<'_>) -> notification::Email,
) -> ApiResult<Response> {
    let (reason, comment) = parse_cancellation(request)?;
    let when = rfc3339(Utc::now());
    let id = subscription.id.to_string();
    let actor = caller.principal.display_name();
    let message = subscription.purchaser.as_ref().map(|_| {
        outbox_message(email(&facts(
            subscription,
            &id,
            actor,
            reason.as_str(),
            &when,
        )))
    });
    let cancelled = state
        .store
        .cancel_subscription(
            Cancellation {
                tenant_id: caller.principal.tenant_id,
                subscription_id: subscription.id,
                reason,
                comment,
                status,
                expected_version: if_match(headers)?,
            },
            &caller.actor(),
            message,
        )
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        &cancelled,
        SubscriptionView::of(&cancelled),
    ))
}
