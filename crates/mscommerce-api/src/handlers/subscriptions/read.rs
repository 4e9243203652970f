//! Reading subscriptions: the organization's, the caller's own, one with its license holders.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use mscommerce_domain::SubscriptionId;
use mscommerce_domain::{Operation, PurchaseType};
use mscommerce_store::SubscriptionFilter;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, PathParams, QueryParams};
use crate::paging::{finish_page, PageQuery};
use crate::request::parse_subscription_id;
use crate::response::with_etag;
use crate::state::AppState;
use crate::subscriptions::load_visible;
use crate::views::subscriptions::{
    AssignedUser, SubscriptionPage, SubscriptionQuery, SubscriptionView,
};

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
    // The filter's spelling in links is camelCase (`selfService`), as query parameters are.
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
    let after = page.cursor_as(|c| c.parse::<SubscriptionId>().ok())?;
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
        purchaser_id: Some(caller.principal.user_id()),
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
    view.assigned_users = Some(assignments.iter().map(AssignedUser::of).collect());
    Ok(with_etag(StatusCode::OK, subscription.version, view))
}
