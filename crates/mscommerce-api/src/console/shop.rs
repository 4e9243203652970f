//! What members see: their own subscriptions, and a storefront page per product whose Buy and Start free trial
//! are offered or explained exactly as the acquisition decision says, so an admin's change in Settings shows here
//! at once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use mscommerce_domain::Product;
use serde::Deserialize;
use serde_json::Value;

use super::layout::{csrf_field, refusal_page, table, time, Page, Section};
use super::session::Session;
use super::{items, number, see_other, text, Answer, ConsoleForm};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::handlers::subscriptions::read;
use crate::handlers::{acquisition, license_requests};
use crate::paging::PageQuery;
use crate::state::AppState;
use crate::views::acquisition::{AcquisitionRequest, DecisionQuery};
use crate::views::license_requests::NewLicenseRequestBody;

const MY: (&str, Option<&str>) = ("My subscriptions", Some("/console/my"));

/// `GET /console/my`: the person's self-service subscriptions, and the products they can look at.
pub(crate) async fn my_subscriptions(State(state): State<AppState>, session: Session) -> Response {
    let answer = Answer::of(
        read::my_subscriptions(
            State(state.clone()),
            session.caller.clone(),
            QueryParams(PageQuery {
                top: Some("1000".into()),
                skip_token: None,
            }),
        )
        .await,
    )
    .await;
    let mine = match answer.ok() {
        Ok(mine) => mine,
        Err(refusal) => return refusal_page(&refusal),
    };
    let body = html! {
        h2 { "Subscriptions you bought" }
        @if items(&mine).is_empty() {
            p { "You have not bought or tried anything yet." }
        } @else {
            (table("Subscriptions you bought", None, &["Product name", "Quantity purchased", "Assigned users", "Expiration date", "Status"], html! {
                        @for s in items(&mine) {
                            tr {
                                th scope="row" { a href=(format!("/console/billing/subscriptions/{}", text(s, "id"))) { (text(s, "productName")) } }
                                td { (number(s, "quantity")) }
                                td { (number(s, "assignedCount")) }
                                td { (time(text(s, "expiresAt"))) }
                                td { (text(s, "status")) }
                            }
                        }
                    }))
        }
        h2 { "Products" }
        ul.cards {
            @for p in state.catalog.products() {
                li.card { a href=(format!("/console/shop/{}", p.id)) { (p.name) } }
            }
        }
    };
    Page::new(&session, Section::MySubscriptions, "My subscriptions")
        .trail(&[MY])
        .body(body)
        .render(StatusCode::OK)
}

/// The trial a product offers: without a payment method where it has one, else with.
fn trial_kind(product: &Product) -> &'static str {
    if product.trial_without_payment_method {
        "TrialWithoutPaymentMethod"
    } else {
        "TrialWithPaymentMethod"
    }
}

async fn decision(state: &AppState, session: &Session, product: &Product, kind: &str) -> Value {
    Answer::of(
        acquisition::decision(
            State(state.clone()),
            session.caller.clone(),
            QueryParams(DecisionQuery {
                product_id: Some(product.id.clone()),
                offer_type: None,
                kind: Some(kind.to_string()),
                user_id: None,
            }),
        )
        .await,
    )
    .await
    .body
}

async fn product_page(
    state: &AppState,
    session: &Session,
    product: &Product,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let buy = (!product.trials_only).then_some(decision(state, session, product, "Purchase").await);
    let trial = decision(state, session, product, trial_kind(product)).await;
    let process =
        Answer::of(license_requests::settings(State(state.clone()), session.caller.clone()).await)
            .await
            .body;
    let allowed = |d: &Value| d.get("allowed").and_then(Value::as_bool) == Some(true);
    let path = format!("/console/shop/{}", product.id);
    let body = html! {
        p { (product.monthly_price) " " (product.currency) " per license per month, or " (product.annual_price) " " (product.currency) " per year." }
        @if let Some(buy) = &buy {
            h2 { "Buy" }
            @if allowed(buy) {
                form method="post" action=(path) {
                    (csrf_field(session))
                    input type="hidden" name="action" value="buy";
                    label for="quantity" { "Number of licenses" }
                    input #quantity type="number" name="quantity" min="1" max="1000000" value="1" required;
                    label for="frequency" { "Billing frequency" }
                    select #frequency name="billing_frequency" { option value="Monthly" { "Monthly" } option value="Annual" { "Annual" } }
                    div { button type="submit" { "Buy" } }
                }
            } @else {
                p #buy-refusal { (headline(buy, &product.name)) " " (text(buy, "reason")) }
                @if buy.get("licenseRequestPossible").and_then(Value::as_bool) == Some(true) {
                    (request_license(session, &path, &process))
                }
            }
        }
        h2 { "Free trial" }
        @if allowed(&trial) {
            form method="post" action=(path) {
                (csrf_field(session))
                input type="hidden" name="action" value="trial";
                p { (product.trial_days) " days free"
                    @if product.trial_without_payment_method { ", no payment method needed" } "." }
                button type="submit" { "Start free trial" }
            }
        } @else {
            p #trial-refusal { (headline(&trial, &product.name)) " " (text(&trial, "reason")) }
        }
    };
    Page::new(session, Section::MySubscriptions, product.name.clone())
        .trail(&[MY])
        .error(error)
        .notice(notice)
        .body(body)
        .render(status)
}

/// What a member the policy refuses may do: ask an admin with Request license, or, where the organization takes
/// requests its own way, read its message and link.
fn request_license(session: &Session, path: &str, process: &Value) -> Markup {
    if process
        .get("useOrganizationProcess")
        .and_then(Value::as_bool)
        == Some(true)
    {
        let link = text(process, "link");
        return html! {
            p #organization-process {
                (text(process, "message"))
                @if !link.is_empty() { " " a href=(link) { (link) } }
            }
        };
    }
    html! {
        form method="post" action=(path) {
            (csrf_field(session))
            input type="hidden" name="action" value="request";
            label for="request-message" { "Message for your admin (optional)" }
            textarea #request-message name="message" maxlength="1000" {}
            div { button type="submit" { "Request license" } }
        }
    }
}

/// The first sentence of a refusal, in the words people know from Microsoft's storefront; the decision's own
/// reason follows it.
fn headline(decision: &Value, product: &str) -> String {
    match text(decision, "refusalCode") {
        "AcquisitionBlockedByPolicy" => {
            format!("Your organization doesn't allow you to buy or try {product} yourself.")
        }
        "OnlyTrialsWithoutPaymentMethodAllowed" => {
            format!(
                "Your organization allows only free trials of {product}, without a payment method."
            )
        }
        "PurchaseNotOffered" => format!("{product} can only be tried, not bought, here."),
        _ => String::new(),
    }
}

fn find<'a>(state: &'a AppState, id: &str) -> Option<&'a Product> {
    state.catalog.products().iter().find(|p| {
        p.id.eq_ignore_ascii_case(id) || p.old_ids.iter().any(|o| o.eq_ignore_ascii_case(id))
    })
}

fn unknown_product(id: &str) -> Response {
    super::layout::message_page(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!(
            "There is no product with the ID '{id}'. The products are listed on My subscriptions."
        ),
    )
}

/// `GET /console/shop/{productId}`: the storefront page of one product.
pub(crate) async fn product(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
) -> Response {
    match find(&state, &id) {
        Some(product) => product_page(&state, &session, product, None, None, StatusCode::OK).await,
        None => unknown_product(&id),
    }
}

#[derive(Deserialize)]
pub(crate) struct AcquireForm {
    csrf_token: Option<String>,
    action: Option<String>,
    quantity: Option<String>,
    billing_frequency: Option<String>,
    message: Option<String>,
}

/// `POST /console/shop/{productId}`: Buy or Start free trial, decided again by the acquisition itself.
pub(crate) async fn acquire(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
    ConsoleForm(form): ConsoleForm<AcquireForm>,
) -> Response {
    if let Some(refused) = session.refuse_forged(form.csrf_token.as_deref()) {
        return refused;
    }
    let Some(product) = find(&state, &id) else {
        return unknown_product(&id);
    };
    if form.action.as_deref() == Some("request") {
        let answer = Answer::of(
            license_requests::create(
                State(state.clone()),
                session.caller.clone(),
                JsonBody(NewLicenseRequestBody {
                    product_id: Some(product.id.clone()),
                    offer_type: None,
                    message: form.message.clone(),
                    user_ids: None,
                }),
            )
            .await,
        )
        .await;
        return match answer.ok() {
            Ok(_) => product_page(
                &state,
                &session,
                product,
                None,
                Some(
                    "Your request was sent to your admins. You will get an email when they answer."
                        .into(),
                ),
                StatusCode::OK,
            )
            .await,
            Err(refusal) => {
                product_page(
                    &state,
                    &session,
                    product,
                    Some(refusal.reason),
                    None,
                    refusal.status,
                )
                .await
            }
        };
    }
    let trial = form.action.as_deref() == Some("trial");
    let quantity = match form.quantity.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return product_page(
                    &state,
                    &session,
                    product,
                    Some("The number of licenses must be a whole number.".into()),
                    None,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        },
    };
    let request = AcquisitionRequest {
        product_id: Some(product.id.clone()),
        offer_type: None,
        acquisition_kind: Some(
            if trial {
                trial_kind(product)
            } else {
                "Purchase"
            }
            .to_string(),
        ),
        quantity: if trial { None } else { quantity },
        billing_frequency: if trial {
            None
        } else {
            form.billing_frequency.clone()
        },
    };
    let answer = Answer::of(
        acquisition::acquire(
            State(state.clone()),
            session.caller.clone(),
            JsonBody(request),
        )
        .await,
    )
    .await;
    match answer.ok() {
        Ok(s) => see_other(&format!(
            "/console/billing/subscriptions/{}",
            text(&s, "id")
        )),
        Err(refusal) => {
            product_page(
                &state,
                &session,
                product,
                Some(refusal.reason),
                None,
                refusal.status,
            )
            .await
        }
    }
}
