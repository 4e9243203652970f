//! The admin console: the admin center's self-service pages, served as HTML by the same binary.
//!
//! The console is a presentation of the REST API, not a second one. Each page calls the REST handlers in-process
//! with the signed-in person as the caller, and renders the JSON they answer (or the refusal they give): the role
//! matrix, the validation, the audit events and the emails are the handlers' own, so a page can neither allow more
//! nor do less than the same request through REST. What the console adds is only the way there: sign-in through the
//! built-in issuer ([`session`]), the admin center's names for pages and controls, forms with CSRF tokens, and the
//! two-step confirmations that Microsoft's documentation describes.
//!
//! Every console route has its rule in [`crate::access_rules`] like any other; the observing layer enforces it with
//! the session cookie as the credential (never a bearer token, and the cookie never authenticates a REST route),
//! and answers a refusal as a page ([`layout::refusal`]).

mod assets;
mod audit;
mod billing;
mod layout;
mod licenses;
mod partners;
mod requests;
mod session;
mod settings;
mod shop;

use axum::body::to_bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Form;
use serde::de::DeserializeOwned;
use serde_json::Value;

use axum::extract::State;

use crate::error::ApiResult;
use crate::extract::QueryParams;
use crate::handlers::subscriptions::read;
use crate::paging::PageQuery;
use crate::state::AppState;
use crate::views::subscriptions::SubscriptionQuery;
use crate::Routes;

pub(crate) use session::authorize;

/// Where every console path starts.
pub(crate) const PREFIX: &str = "/console";

/// Whether a route template is the console's (its credential is the session cookie).
pub(crate) fn is_console(template: &str) -> bool {
    template == PREFIX || template.starts_with("/console/")
}

/// The console's routes.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .route("/console", get(session::home))
        .route("/console/assets/{file}", get(assets::asset))
        .route("/console/signin", get(session::sign_in))
        .route("/console/signin/callback", get(session::callback))
        .route("/console/signin/renew", get(session::renew))
        .route("/console/signout", axum::routing::post(session::sign_out))
        .route("/console/billing/products", get(billing::your_products))
        .route(
            "/console/billing/subscriptions/{subscriptionId}",
            get(billing::details).post(billing::change_own),
        )
        .route(
            "/console/billing/subscriptions/{subscriptionId}/takeover",
            get(billing::take_control),
        )
        .route(
            "/console/billing/subscriptions/{subscriptionId}/move",
            get(billing::move_users_pane).post(billing::move_users),
        )
        .route(
            "/console/billing/subscriptions/{subscriptionId}/cancel",
            get(billing::cancel_pane).post(billing::cancel),
        )
        .route(
            "/console/billing/purchase",
            get(billing::purchase_services).post(billing::buy),
        )
        .route("/console/billing/licenses", get(licenses::licenses))
        .route(
            "/console/billing/licenses/{productId}",
            get(licenses::product_users),
        )
        .route(
            "/console/billing/licenses/requests",
            get(requests::requests),
        )
        .route(
            "/console/billing/licenses/requests/settings",
            axum::routing::post(requests::save_settings),
        )
        .route(
            "/console/billing/licenses/requests/{requestId}",
            get(requests::request_details).post(requests::answer),
        )
        .route(
            "/console/billing/licenses/{productId}/export",
            axum::routing::post(licenses::export_users),
        )
        .route("/console/settings/org", get(settings::org_settings))
        .route(
            "/console/settings/services/self-service-trials-and-purchases",
            get(settings::self_service).post(settings::save),
        )
        .route(
            "/console/settings/partner-relationships",
            get(partners::relationships),
        )
        .route(
            "/console/settings/partner-relationships/{relationshipId}",
            axum::routing::post(partners::change),
        )
        .route("/console/audit", get(audit::audit_log))
        .route("/console/my", get(shop::my_subscriptions))
        .route(
            "/console/shop/{productId}",
            get(shop::product).post(shop::acquire),
        )
}

/// The subscriptions of a filter, one page of up to 1000.
pub(crate) async fn subscriptions(
    state: &AppState,
    session: &session::Session,
    filter: &str,
    skip_token: Option<String>,
) -> Result<Value, Refusal> {
    Answer::of(
        read::list_subscriptions(
            State(state.clone()),
            session.caller.clone(),
            QueryParams(SubscriptionQuery {
                purchase_type: Some(filter.to_string()),
            }),
            QueryParams(PageQuery {
                top: Some("1000".into()),
                skip_token,
            }),
        )
        .await,
    )
    .await
    .ok()
}

/// The subscriptions of a kind (`selfService`, `central`) that `keep` keeps, from the first page of up to 1000.
pub(crate) async fn subscriptions_where(
    state: &AppState,
    session: &session::Session,
    purchase_type: &str,
    keep: impl Fn(&Value) -> bool,
) -> Result<Vec<Value>, Refusal> {
    let page = subscriptions(state, session, purchase_type, None).await?;
    Ok(items(&page).iter().filter(|s| keep(s)).cloned().collect())
}

/// What a REST handler answered: its status and its JSON (the error envelope on a refusal).
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

/// The longest answer the console reads back from a handler (a page of 1000 subscriptions is well under it).
const ANSWER_LIMIT: usize = 32 << 20;

impl Answer {
    /// Runs to the end what a handler returned: the response it would have sent, read back as JSON.
    pub(crate) async fn of<R: IntoResponse>(result: ApiResult<R>) -> Answer {
        let response = match result {
            Ok(answer) => answer.into_response(),
            Err(refusal) => refusal.into_response(),
        };
        let status = response.status();
        let bytes = to_bytes(response.into_body(), ANSWER_LIMIT)
            .await
            .unwrap_or_default();
        Answer {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// The body of a success, or the refusal as the person will read it.
    pub(crate) fn ok(self) -> Result<Value, Refusal> {
        if self.status.is_success() {
            Ok(self.body)
        } else {
            Err(Refusal::of(self))
        }
    }
}

/// A refusal of a handler, as a page shows it.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub code: String,
    pub reason: String,
}

impl Refusal {
    fn of(answer: Answer) -> Refusal {
        Refusal {
            status: answer.status,
            code: text(&answer.body, "errorCode").to_string(),
            reason: match text(&answer.body, "reason") {
                "" => "The request could not be completed.".to_string(),
                reason => reason.to_string(),
            },
        }
    }
}

/// A string field of a JSON answer ("" when absent).
pub(crate) fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// A whole-number field of a JSON answer (0 when absent).
pub(crate) fn number(value: &Value, field: &str) -> i64 {
    value.get(field).and_then(Value::as_i64).unwrap_or_default()
}

/// The items of a list answer.
pub(crate) fn items(value: &Value) -> &[Value] {
    value
        .get("items")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A redirect after a form (303: the browser follows with GET).
pub(crate) fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, location.to_string())],
    )
        .into_response()
}

/// `Form`, with a rejection answered as a page that says what was wrong.
pub(crate) struct ConsoleForm<T>(pub T);

impl<T, S> FromRequest<S> for ConsoleForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Form::<T>::from_request(request, state)
            .await
            .map(|Form(value)| ConsoleForm(value))
            .map_err(|rejection| {
                layout::message_page(
                    rejection.status(),
                    "This form could not be read",
                    &format!(
                        "{} Forms are sent as application/x-www-form-urlencoded from the console's pages.",
                        rejection.body_text()
                    ),
                )
            })
    }
}

/// `Query`, with a rejection answered as a page.
pub(crate) struct ConsoleQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ConsoleQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ConsoleQuery(value))
            .map_err(|rejection| {
                layout::message_page(
                    rejection.status(),
                    "This address could not be read",
                    &rejection.body_text(),
                )
            })
    }
}
