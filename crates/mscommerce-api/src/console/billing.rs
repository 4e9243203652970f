//! Billing > Your products, a subscription's details, taking a self-service subscription over (Move users,
//! Cancel subscription), the purchaser's own changes, and Billing > Purchase services.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use mscommerce_domain::{check_cancellation, CancellationReason, Operation};
use serde::Deserialize;
use serde_json::Value;

use super::layout::{csrf_field, filter_form, refusal_page, table, time, Page, Section};
use super::session::Session;
use super::{
    items, number, see_other, subscriptions, subscriptions_where, text, Answer, ConsoleForm,
    ConsoleQuery, Refusal,
};
use crate::extract::{JsonBody, PathParams};
use crate::handlers::subscriptions::{assignments, billing, read};
use crate::handlers::takeover;
use crate::state::AppState;
use crate::views::subscriptions::{
    CancelRequest, CentralPurchase, MoveRequest, SubscriptionChange, UserIds,
};

const YOUR_PRODUCTS: (&str, Option<&str>) = ("Your products", Some("/console/billing/products"));

/// The filter of Your products, by its names on the page and in the REST query.
const FILTERS: [(&str, &str); 3] = [
    ("all", "All"),
    ("selfService", "Self-service"),
    ("central", "Central"),
];

#[derive(Deserialize)]
pub(crate) struct ProductsQuery {
    filter: Option<String>,
    #[serde(rename = "skipToken")]
    skip_token: Option<String>,
}

/// One subscription with its users, as `GET /v1.0/subscriptions/{id}` answers it.
async fn subscription(state: &AppState, session: &Session, id: &str) -> Result<Value, Refusal> {
    Answer::of(
        read::get_subscription(
            State(state.clone()),
            session.caller.clone(),
            PathParams(id.to_string()),
        )
        .await,
    )
    .await
    .ok()
}

fn purchaser_name(subscription: &Value) -> &str {
    subscription
        .get("purchaser")
        .map(|p| text(p, "displayName"))
        .filter(|name| !name.is_empty())
        .unwrap_or("Your organization")
}

fn price(subscription: &Value) -> String {
    format!(
        "{} {} per {}",
        text(subscription, "totalPrice"),
        text(subscription, "currency"),
        match text(subscription, "billingFrequency") {
            "Annual" => "year",
            _ => "month",
        }
    )
}

/// `GET /console/billing/products`: Billing > Your products, tab Products, with the filter.
pub(crate) async fn your_products(
    State(state): State<AppState>,
    session: Session,
    ConsoleQuery(query): ConsoleQuery<ProductsQuery>,
) -> Response {
    let filter = query
        .filter
        .as_deref()
        .and_then(|f| FILTERS.iter().find(|(id, _)| id.eq_ignore_ascii_case(f)))
        .map_or("all", |(id, _)| id);
    let page = match subscriptions(&state, &session, filter, query.skip_token).await {
        Ok(page) => page,
        Err(refusal) => return refusal_page(&refusal),
    };
    let next = page
        .get("nextLink")
        .and_then(Value::as_str)
        .and_then(|link| link.split("skipToken=").nth(1))
        .map(|token| format!("/console/billing/products?filter={filter}&skipToken={token}"));
    let body = html! {
        div.tabs role="tablist" aria-label="Your products" {
            a role="tab" aria-selected="true" href="/console/billing/products" { "Products" }
        }
        (filter_form("/console/billing/products", &FILTERS, filter))
        @if items(&page).is_empty() {
            p { "There are no subscriptions of this kind." }
        } @else {
            (table("Products", Some(html! { (items(&page).len()) " subscriptions" }), &["Product name", "Purchased by", "Quantity purchased", "Expiration date", "Purchase price", "Assigned users", "Status"], html! {
                        @for s in items(&page) {
                            tr {
                                th scope="row" {
                                    a href=(format!("/console/billing/subscriptions/{}", text(s, "id"))) {
                                        (text(s, "productName"))
                                    }
                                }
                                td { (purchaser_name(s)) }
                                td { (number(s, "quantity")) }
                                td { (time(text(s, "expiresAt"))) }
                                td { (price(s)) }
                                td { (number(s, "assignedCount")) }
                                td { (text(s, "status")) }
                            }
                        }
                    }))
        }
        @if let Some(next) = next { p { a href=(next) { "Next page" } } }
    };
    Page::new(&session, Section::YourProducts, "Your products")
        .trail(&[("Billing", None), YOUR_PRODUCTS])
        .body(body)
        .render(StatusCode::OK)
}

/// Whether the session's person bought this subscription.
fn is_purchaser(session: &Session, subscription: &Value) -> bool {
    subscription
        .get("purchaser")
        .is_some_and(|p| text(p, "id") == session.caller.principal.object_id.to_string())
}

fn is_self_service(subscription: &Value) -> bool {
    text(subscription, "purchaseType") == "SelfService"
}

fn is_active(subscription: &Value) -> bool {
    text(subscription, "status") == "Active"
}

fn path_of(subscription: &Value) -> String {
    format!(
        "/console/billing/subscriptions/{}",
        text(subscription, "id")
    )
}

/// The facts and users of a subscription, and what the person may do with it.
fn details_markup(session: &Session, s: &Value, panes_open: bool) -> Markup {
    let path = path_of(s);
    let users = s
        .get("assignedUsers")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let may_take_over =
        session.may(Operation::ManageSubscriptions) && is_self_service(s) && is_active(s);
    let own = is_purchaser(session, s) && is_active(s);
    html! {
        dl.facts {
            dt { "Product name" } dd { (text(s, "productName")) }
            dt { "Purchased by" } dd { (purchaser_name(s)) }
            dt { "Purchase type" } dd { @if is_self_service(s) { "Self-service" } @else { "Central" } }
            dt { "Quantity purchased" } dd { (number(s, "quantity")) }
            dt { "Assigned users" } dd { (number(s, "assignedCount")) }
            dt { "Purchase price" } dd { (price(s)) }
            dt { "Expiration date" } dd { (time(text(s, "expiresAt"))) }
            dt { "Recurring billing" } dd { @if s.get("autoRenew").and_then(Value::as_bool) == Some(true) { "On" } @else { "Off" } }
            dt { "Subscription status" } dd.status #status { (text(s, "status")) }
            @if !text(s, "cancellationReason").is_empty() {
                dt { "Cancellation reason" } dd { (text(s, "cancellationReason")) }
            }
        }
        h2 { "Users" }
        @if users.is_empty() {
            p { "No one holds a license of this subscription." }
        } @else {
            (table("Users", None, &["Name", "User name", "Assigned"], html! {
                        @for u in users {
                            tr { td { (text(u, "displayName")) } td { (text(u, "userPrincipalName")) } td { (time(text(u, "assignedAt"))) } }
                        }
                    }))
        }
        @if may_take_over && !panes_open {
            h2 { "Subscriptions and settings" }
            p { a.button #take-control href=(format!("{path}/takeover")) { "Take control of this subscription" } }
        }
        @if own && !panes_open {
            (own_controls(session, s))
        }
    }
}

/// What a purchaser may change on their own subscription: quantity, licenses, recurring billing, cancellation.
fn own_controls(session: &Session, s: &Value) -> Markup {
    let path = path_of(s);
    let renews = s.get("autoRenew").and_then(Value::as_bool) == Some(true);
    html! {
        h2 { "Subscriptions and settings" }
        form method="post" action=(path) {
            (csrf_field(session))
            input type="hidden" name="etag" value=(text(s, "etag"));
            input type="hidden" name="action" value="quantity";
            label for="quantity" { "Total licenses" }
            input #quantity type="number" name="quantity" min=(number(s, "assignedCount").max(1)) value=(number(s, "quantity")) required;
            p.muted { "Never fewer than the " (number(s, "assignedCount")) " assigned." }
            button type="submit" { "Save quantity" }
        }
        @for (action, label, button) in [
            ("assign", "Assign licenses to", "Assign licenses"),
            ("unassign", "Remove licenses from", "Remove licenses"),
        ] {
            form method="post" action=(path) {
                (csrf_field(session))
                input type="hidden" name="etag" value=(text(s, "etag"));
                input type="hidden" name="action" value=(action);
                label for=(format!("{action}-users")) { (label) " (user names or IDs, one per line, up to 20)" }
                textarea id=(format!("{action}-users")) name="users" required {}
                button type="submit" { (button) }
            }
        }
        form method="post" action=(path) {
            (csrf_field(session))
            input type="hidden" name="etag" value=(text(s, "etag"));
            input type="hidden" name="action" value=(if renews { "recurring-off" } else { "recurring-on" });
            button type="submit" { @if renews { "Turn off recurring billing" } @else { "Turn on recurring billing" } }
        }
        p { a.button.secondary href=(format!("{path}/cancel")) { "Cancel subscription" } }
    }
}

/// What a finished step says on the details page (`?done=`).
fn done_notice(done: Option<&str>) -> Option<String> {
    let text = match done? {
        "quantity" => "The quantity was saved.",
        "assign" => "Licenses were assigned.",
        "unassign" => "Licenses were removed.",
        "recurring-on" => "Recurring billing is on.",
        "recurring-off" => "Recurring billing is off.",
        "cancelled" => "The subscription was cancelled. Its status is Deleted, and its purchaser was told by email.",
        _ => return None,
    };
    Some(text.to_string())
}

#[derive(Deserialize)]
pub(crate) struct DetailsQuery {
    done: Option<String>,
}

fn details_page<'a>(session: &'a Session, s: &Value, body: Markup) -> Page<'a> {
    let section = if session.may(Operation::ReadSubscriptions) {
        Section::YourProducts
    } else {
        Section::MySubscriptions
    };
    let trail: &[(&'static str, Option<&'static str>)] = if section == Section::YourProducts {
        &[("Billing", None), YOUR_PRODUCTS]
    } else {
        &[("My subscriptions", Some("/console/my"))]
    };
    Page::new(session, section, text(s, "productName").to_string())
        .trail(trail)
        .body(body)
}

/// `GET /console/billing/subscriptions/{id}`: the subscription's details.
pub(crate) async fn details(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
    ConsoleQuery(query): ConsoleQuery<DetailsQuery>,
) -> Response {
    match subscription(&state, &session, &id).await {
        Ok(s) => details_page(&session, &s, details_markup(&session, &s, false))
            .notice(done_notice(query.done.as_deref()))
            .render(StatusCode::OK),
        Err(refusal) => refusal_page(&refusal),
    }
}

/// The details with a right-hand pane beside them.
fn with_pane(session: &Session, s: &Value, title_id: &str, pane: Markup) -> Markup {
    html! {
        div.with-pane {
            div.content { (details_markup(session, s, true)) }
            section.pane role="dialog" aria-labelledby=(title_id) { (pane) }
        }
    }
}

/// `GET .../takeover`: the pane Take control of this subscription, with its two ways.
pub(crate) async fn take_control(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
) -> Response {
    let s = match subscription(&state, &session, &id).await {
        Ok(s) => s,
        Err(refusal) => return refusal_page(&refusal),
    };
    let path = path_of(&s);
    let pane = html! {
        h2 #pane-title { "Take control of this subscription" }
        p { "Move this subscription's users to a subscription your organization manages, or cancel it. Either way it ends, and "
            (purchaser_name(&s)) " is told by email." }
        p {
            a.button href=(format!("{path}/move")) autofocus { "Move users" }
            a.button.secondary href=(format!("{path}/cancel")) { "Cancel subscription" }
        }
        p { a href=(format!("{path}#take-control")) { "Close" } }
    };
    details_page(&session, &s, with_pane(&session, &s, "pane-title", pane)).render(StatusCode::OK)
}

/// The central subscriptions that can receive users, with their free licenses.
async fn targets(state: &AppState, session: &Session) -> Result<Vec<Value>, Refusal> {
    subscriptions_where(state, session, "central", is_active).await
}

fn free(subscription: &Value) -> i64 {
    number(subscription, "quantity") - number(subscription, "assignedCount")
}

fn move_pane(session: &Session, s: &Value, targets: &[Value], chosen: Option<&str>) -> Markup {
    let path = path_of(s);
    let users = number(s, "assignedCount");
    html! {
        h2 #pane-title { "Move users" }
        p { "Choose the product to move the " (users) " users of this subscription to. It needs at least " (users) " available licenses." }
        @if targets.is_empty() {
            p { "Your organization has no subscription to move them to. Buy one first in "
                a href="/console/billing/purchase" { "Purchase services" } "." }
        } @else {
            form method="post" action=(format!("{path}/move")) {
                (csrf_field(session))
                fieldset {
                    legend { "Product to move users to" }
                    @for (i, t) in targets.iter().enumerate() {
                        div {
                            input type="radio" name="target" id=(format!("target-{i}")) value=(text(t, "id"))
                                checked[chosen == Some(text(t, "id"))] autofocus[i == 0] required;
                            label for=(format!("target-{i}")) {
                                (text(t, "productName")) " (" (free(t)) " available licenses)"
                            }
                        }
                    }
                }
                button type="submit" { "Move users" }
            }
        }
        p { a href=(format!("{path}#take-control")) { "Close" } }
    }
}

/// `GET .../move`: choose where the users go.
pub(crate) async fn move_users_pane(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
) -> Response {
    let (s, targets) = match (
        subscription(&state, &session, &id).await,
        targets(&state, &session).await,
    ) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(refusal), _) | (_, Err(refusal)) => return refusal_page(&refusal),
    };
    let pane = move_pane(&session, &s, &targets, None);
    details_page(&session, &s, with_pane(&session, &s, "pane-title", pane)).render(StatusCode::OK)
}

#[derive(Deserialize)]
pub(crate) struct MoveForm {
    csrf_token: Option<String>,
    target: Option<String>,
    confirm: Option<String>,
}

/// The `If-Match` of a change made from a page: the version the page showed.
fn if_match(etag: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) = etag
        .filter(|e| !e.is_empty())
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        headers.insert(header::IF_MATCH, value);
    }
    headers
}

/// `POST .../move`: first the confirmation box Move users to, then the move itself.
pub(crate) async fn move_users(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
    ConsoleForm(form): ConsoleForm<MoveForm>,
) -> Response {
    if let Some(refused) = session.refuse_forged(form.csrf_token.as_deref()) {
        return refused;
    }
    let (s, targets) = match (
        subscription(&state, &session, &id).await,
        targets(&state, &session).await,
    ) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(refusal), _) | (_, Err(refusal)) => return refusal_page(&refusal),
    };
    let path = path_of(&s);
    let show = |pane: Markup, error: Option<String>, status: StatusCode| {
        details_page(&session, &s, with_pane(&session, &s, "pane-title", pane))
            .error(error)
            .render(status)
    };
    let chosen = form.target.as_deref().unwrap_or_default();
    let Some(target) = targets.iter().find(|t| text(t, "id") == chosen) else {
        return show(
            move_pane(&session, &s, &targets, None),
            Some("Choose the product to move the users to.".into()),
            StatusCode::BAD_REQUEST,
        );
    };
    let users = number(&s, "assignedCount");
    if free(target) < users {
        return show(
            move_pane(&session, &s, &targets, Some(chosen)),
            Some(format!(
                "{} has {} available licenses, and {users} users need one: buy {} more, or choose another product.",
                text(target, "productName"),
                free(target),
                users - free(target)
            )),
            StatusCode::CONFLICT,
        );
    }
    if form.confirm.as_deref() != Some("yes") {
        let dialog = html! {
            h2 #pane-title { "Move users to " (text(target, "productName")) }
            p { (users) " users of this self-service subscription get licenses of " (text(target, "productName"))
                ". The self-service subscription is then cancelled, and " (purchaser_name(&s)) " is told by email." }
            form method="post" action=(format!("{path}/move")) {
                (csrf_field(&session))
                input type="hidden" name="target" value=(chosen);
                input type="hidden" name="confirm" value="yes";
                button type="submit" autofocus { "Move users" }
                a.button.secondary href=(format!("{path}/move")) { "Go back" }
            }
        };
        return show(dialog, None, StatusCode::OK);
    }
    let answer = Answer::of(
        takeover::move_users(
            State(state.clone()),
            session.caller.clone(),
            if_match(Some(text(&s, "etag"))),
            PathParams(id.clone()),
            JsonBody(MoveRequest {
                target_subscription_id: chosen.to_string(),
            }),
        )
        .await,
    )
    .await;
    match answer.ok() {
        Ok(result) => {
            let source = result.get("source").cloned().unwrap_or(Value::Null);
            let done = html! {
                h2 #pane-title { (text(&result, "status")) }
                p role="status" { (number(&result, "movedUsers")) " users were moved to " (text(target, "productName"))
                    ". The self-service subscription's status is now " (text(&source, "status")) ", and its purchaser was told by email." }
                p { a href=(path_of(&source)) autofocus { "Close" } }
            };
            details_page(
                &session,
                &source,
                with_pane(&session, &source, "pane-title", done),
            )
            .render(StatusCode::OK)
        }
        Err(refusal) => show(
            move_pane(&session, &s, &targets, Some(chosen)),
            Some(refusal.reason),
            refusal.status,
        ),
    }
}

/// The cancellation reasons as the drop-down names them.
fn reason_label(reason: CancellationReason) -> &'static str {
    match reason {
        CancellationReason::NoLongerNeeded => "I no longer need it",
        CancellationReason::TooExpensive => "It's too expensive",
        CancellationReason::DuplicatePurchase => "It's a duplicate purchase",
        CancellationReason::PurchasedByMistake => "It was bought by mistake",
        CancellationReason::MovingToCentralLicenses => {
            "We're moving to licenses the organization manages"
        }
        CancellationReason::SecurityOrCompliance => "Security or compliance",
        CancellationReason::NotApprovedByOrganization => "Not approved by the organization",
        CancellationReason::Other => "Other",
    }
}

fn cancel_form(session: &Session, s: &Value, reason: Option<&str>, comment: &str) -> Markup {
    let path = path_of(s);
    html! {
        h2 #pane-title { "Cancel subscription" }
        p { "Cancelling takes the licenses away from this subscription's " (number(s, "assignedCount")) " users at once." }
        form method="post" action=(format!("{path}/cancel")) {
            (csrf_field(session))
            label for="reason" { "Select a reason for your cancellation" }
            select #reason name="reason" required autofocus {
                option value="" { "Select a reason" }
                @for r in CancellationReason::ALL {
                    option value=(r.as_str()) selected[reason == Some(r.as_str())] { (reason_label(*r)) }
                }
            }
            label for="comment" { "Comment (required for Other)" }
            textarea #comment name="comment" maxlength="1000" { (comment) }
            div { button type="submit" { "Cancel subscription" } }
        }
        p { a href=(format!("{path}#take-control")) { "Close" } }
    }
}

/// `GET .../cancel`: the reason and comment.
pub(crate) async fn cancel_pane_page(state: &AppState, session: &Session, id: &str) -> Response {
    match subscription(state, session, id).await {
        Ok(s) => {
            let pane = cancel_form(session, &s, None, "");
            details_page(session, &s, with_pane(session, &s, "pane-title", pane))
                .render(StatusCode::OK)
        }
        Err(refusal) => refusal_page(&refusal),
    }
}

pub(crate) async fn cancel_pane(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
) -> Response {
    cancel_pane_page(&state, &session, &id).await
}

#[derive(Deserialize)]
pub(crate) struct CancelForm {
    csrf_token: Option<String>,
    reason: Option<String>,
    comment: Option<String>,
    confirm: Option<String>,
}

/// `POST .../cancel`: first the box Are you sure you want to cancel?, then the cancellation: the admin's take-over
/// cancel on someone else's self-service subscription, the purchaser's own cancel on theirs.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
    ConsoleForm(form): ConsoleForm<CancelForm>,
) -> Response {
    if let Some(refused) = session.refuse_forged(form.csrf_token.as_deref()) {
        return refused;
    }
    let s = match subscription(&state, &session, &id).await {
        Ok(s) => s,
        Err(refusal) => return refusal_page(&refusal),
    };
    let path = path_of(&s);
    let reason = form.reason.as_deref().unwrap_or_default();
    let comment = form.comment.as_deref().unwrap_or_default();
    let show = |pane: Markup, error: Option<String>, status: StatusCode| {
        details_page(&session, &s, with_pane(&session, &s, "pane-title", pane))
            .error(error)
            .render(status)
    };
    if reason.is_empty() {
        return show(
            cancel_form(&session, &s, None, comment),
            Some("Select a reason for your cancellation.".into()),
            StatusCode::BAD_REQUEST,
        );
    }
    if let Err(error) = check_cancellation(reason, Some(comment)) {
        let message = match error {
            mscommerce_domain::CancellationError::CommentRequired => {
                "With the reason Other, say why in the comment.".to_string()
            }
            other => format!("The {other}"),
        };
        return show(
            cancel_form(&session, &s, Some(reason), comment),
            Some(message),
            StatusCode::BAD_REQUEST,
        );
    }
    if form.confirm.as_deref() != Some("yes") {
        let dialog = html! {
            h2 #pane-title { "Are you sure you want to cancel?" }
            p { "The " (number(&s, "assignedCount")) " users of " (text(&s, "productName"))
                " lose their licenses at once, and " (purchaser_name(&s)) " is told by email." }
            form method="post" action=(format!("{path}/cancel")) {
                (csrf_field(&session))
                input type="hidden" name="reason" value=(reason);
                input type="hidden" name="comment" value=(comment);
                input type="hidden" name="confirm" value="yes";
                button type="submit" autofocus { "Cancel subscription" }
                a.button.secondary href=(path.clone()) { "Keep subscription" }
            }
        };
        return show(dialog, None, StatusCode::OK);
    }
    let request = CancelRequest {
        reason: reason.to_string(),
        comment: Some(comment.to_string()).filter(|c| !c.trim().is_empty()),
        confirm: Some(true),
    };
    let headers = if_match(Some(text(&s, "etag")));
    let answer = if is_purchaser(&session, &s) {
        Answer::of(
            billing::cancel(
                State(state.clone()),
                session.caller.clone(),
                headers,
                PathParams(id.clone()),
                JsonBody(request),
            )
            .await,
        )
        .await
    } else {
        Answer::of(
            takeover::cancel(
                State(state.clone()),
                session.caller.clone(),
                headers,
                PathParams(id.clone()),
                JsonBody(request),
            )
            .await,
        )
        .await
    };
    match answer.ok() {
        Ok(_) => see_other(&format!("{path}?done=cancelled")),
        Err(refusal) => show(
            cancel_form(&session, &s, Some(reason), comment),
            Some(refusal.reason),
            refusal.status,
        ),
    }
}

#[derive(Deserialize)]
pub(crate) struct OwnChangeForm {
    csrf_token: Option<String>,
    action: Option<String>,
    etag: Option<String>,
    quantity: Option<String>,
    users: Option<String>,
}

/// The user IDs of names or IDs typed one per line: names are looked up in the person's own organization only.
async fn user_ids(state: &AppState, session: &Session, typed: &str) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for entry in typed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if entry.parse::<uuid::Uuid>().is_ok() {
            ids.push(entry.to_string());
            continue;
        }
        let found = state
            .store
            .user_by_upn(entry)
            .await
            .ok()
            .flatten()
            .filter(|u| u.tenant_id == session.caller.principal.tenant_id);
        match found {
            Some(user) => ids.push(user.id.to_string()),
            None => {
                return Err(format!(
                    "No user of your organization has the user name '{entry}'."
                ))
            }
        }
    }
    Ok(ids)
}

/// `POST /console/billing/subscriptions/{id}`: a purchaser's change to their own subscription.
pub(crate) async fn change_own(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
    ConsoleForm(form): ConsoleForm<OwnChangeForm>,
) -> Response {
    if let Some(refused) = session.refuse_forged(form.csrf_token.as_deref()) {
        return refused;
    }
    let action = form.action.as_deref().unwrap_or_default();
    let headers = if_match(form.etag.as_deref());
    let caller = session.caller.clone();
    let result = match action {
        "quantity" => match form
            .quantity
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .parse::<i64>()
        {
            Ok(quantity) => Ok(billing::change_subscription(
                State(state.clone()),
                caller,
                headers,
                PathParams(id.clone()),
                JsonBody(SubscriptionChange {
                    quantity: Some(quantity),
                    auto_renew: None,
                }),
            )
            .await),
            Err(_) => Err("The total number of licenses must be a whole number.".to_string()),
        },
        "recurring-on" | "recurring-off" => Ok(billing::change_subscription(
            State(state.clone()),
            caller,
            headers,
            PathParams(id.clone()),
            JsonBody(SubscriptionChange {
                quantity: None,
                auto_renew: Some(action == "recurring-on"),
            }),
        )
        .await),
        "assign" | "unassign" => {
            match user_ids(&state, &session, form.users.as_deref().unwrap_or_default()).await {
                Ok(user_ids) => {
                    let ids = JsonBody(UserIds { user_ids });
                    Ok(if action == "assign" {
                        assignments::assign_users(
                            State(state.clone()),
                            caller,
                            headers,
                            PathParams(id.clone()),
                            ids,
                        )
                        .await
                    } else {
                        assignments::unassign_users(
                            State(state.clone()),
                            caller,
                            headers,
                            PathParams(id.clone()),
                            ids,
                        )
                        .await
                    })
                }
                Err(reason) => Err(reason),
            }
        }
        _ => Err("This form does not say what to change.".to_string()),
    };
    let failure = match result {
        Ok(result) => match Answer::of(result).await.ok() {
            Ok(_) => {
                return see_other(&format!(
                    "/console/billing/subscriptions/{id}?done={action}"
                ))
            }
            Err(refusal) => (refusal.status, refusal.reason),
        },
        Err(reason) => (StatusCode::BAD_REQUEST, reason),
    };
    match subscription(&state, &session, &id).await {
        Ok(s) => details_page(&session, &s, details_markup(&session, &s, false))
            .error(Some(failure.1))
            .render(failure.0),
        Err(refusal) => refusal_page(&refusal),
    }
}

/// `GET /console/billing/purchase`: Billing > Purchase services.
pub(crate) async fn purchase_services(State(state): State<AppState>, session: Session) -> Response {
    purchase_page(&state, &session, None, StatusCode::OK)
}

fn purchase_page(
    state: &AppState,
    session: &Session,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let may_buy = session.may(Operation::ManageSubscriptions);
    let body = html! {
        p { "Buy a subscription that your organization manages (central), and assign its licenses in Licenses." }
        @if may_buy {
            form method="post" action="/console/billing/purchase" {
                (csrf_field(session))
                label for="product" { "Product" }
                select #product name="product" required {
                    @for p in state.catalog.products().iter().filter(|p| !p.trials_only) {
                        option value=(p.id) { (p.name) " (" (p.monthly_price) " " (p.currency) " a month)" }
                    }
                }
                label for="quantity" { "Quantity" }
                input #quantity type="number" name="quantity" min="1" max="1000000" value="1" required;
                label for="frequency" { "Billing frequency" }
                select #frequency name="billing_frequency" {
                    option value="Monthly" { "Monthly" }
                    option value="Annual" { "Annual" }
                }
                div { button type="submit" { "Buy" } }
            }
        } @else {
            p.muted { "Your role can see the products on sale but not buy them: buying needs the role Global Administrator or Billing Administrator." }
            ul { @for p in state.catalog.products().iter().filter(|p| !p.trials_only) { li { (p.name) } } }
        }
    };
    Page::new(session, Section::PurchaseServices, "Purchase services")
        .trail(&[
            ("Billing", None),
            ("Purchase services", Some("/console/billing/purchase")),
        ])
        .error(error)
        .body(body)
        .render(status)
}

#[derive(Deserialize)]
pub(crate) struct BuyForm {
    csrf_token: Option<String>,
    product: Option<String>,
    quantity: Option<String>,
    billing_frequency: Option<String>,
}

/// `POST /console/billing/purchase`: Buy.
pub(crate) async fn buy(
    State(state): State<AppState>,
    session: Session,
    ConsoleForm(form): ConsoleForm<BuyForm>,
) -> Response {
    if let Some(refused) = session.refuse_forged(form.csrf_token.as_deref()) {
        return refused;
    }
    let Ok(quantity) = form
        .quantity
        .as_deref()
        .unwrap_or("1")
        .trim()
        .parse::<i64>()
    else {
        return purchase_page(
            &state,
            &session,
            Some("The quantity must be a whole number from 1 to 1,000,000.".into()),
            StatusCode::BAD_REQUEST,
        );
    };
    let answer = Answer::of(
        billing::buy_central(
            State(state.clone()),
            session.caller.clone(),
            JsonBody(CentralPurchase {
                product_id: form.product.clone(),
                offer_type: None,
                quantity: Some(quantity),
                billing_frequency: form.billing_frequency.clone(),
            }),
        )
        .await,
    )
    .await;
    match answer.ok() {
        Ok(s) => see_other(&path_of(&s)),
        Err(refusal) => purchase_page(&state, &session, Some(refusal.reason), refusal.status),
    }
}
