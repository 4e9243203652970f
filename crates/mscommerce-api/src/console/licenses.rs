//! Billing > Licenses: the self-service licenses by product, who holds them grouped by purchaser, and Export users.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde_json::Value;

use super::layout::{csrf_field, filter_form, refusal_page, table, time, Page, Section};
use super::session::Session;
use super::{items, number, text, Answer, ConsoleForm};
use crate::extract::{JsonBody, PathParams};
use crate::handlers::licenses;
use crate::state::AppState;
use crate::views::licenses::ExportRequest;

const LICENSES: (&str, Option<&str>) = (
    "Licenses",
    Some("/console/billing/licenses?filter=selfService"),
);

/// `GET /console/billing/licenses`: one row per product, its available quantity over all its self-service
/// subscriptions.
pub(crate) async fn licenses(State(state): State<AppState>, session: Session) -> Response {
    let answer =
        Answer::of(licenses::products(State(state.clone()), session.caller.clone()).await).await;
    let list = match answer.ok() {
        Ok(list) => list,
        Err(refusal) => return refusal_page(&refusal),
    };
    let body = html! {
        (super::requests::tabs(&session, false))
        (filter_form("/console/billing/licenses", &[("selfService", "Self-service")], "selfService"))
        @if items(&list).is_empty() {
            p { "No one in your organization has bought a product through self-service." }
        } @else {
            (table("Licenses", None, &["Product", "Available quantity", "Assigned licenses", "Subscriptions"], html! {
                        @for p in items(&list) {
                            tr {
                                th scope="row" { a href=(format!("/console/billing/licenses/{}", text(p, "productId"))) { (text(p, "productName")) } }
                                td { (number(p, "availableQuantity")) }
                                td { (number(p, "assignedCount")) }
                                td { (number(p, "subscriptionCount")) }
                            }
                        }
                    }))
        }
    };
    Page::new(&session, Section::Licenses, "Licenses")
        .trail(&[("Billing", None), LICENSES])
        .body(body)
        .render(StatusCode::OK)
}

/// `GET /console/billing/licenses/{productId}`: the product's Users, grouped by purchaser, and Export users.
pub(crate) async fn product_users(
    State(state): State<AppState>,
    session: Session,
    PathParams(product_id): PathParams<String>,
) -> Response {
    let answer = Answer::of(
        licenses::product_holders(
            State(state.clone()),
            session.caller.clone(),
            PathParams(product_id.clone()),
        )
        .await,
    )
    .await;
    let holders = match answer.ok() {
        Ok(holders) => holders,
        Err(refusal) => return refusal_page(&refusal),
    };
    // The export's choice: each purchaser's subscriptions, as the holders' answer names them (so License and User
    // Administrators, who read licenses but not subscriptions, choose too).
    let subscriptions = exportable(&holders);
    let groups = holders
        .get("purchasers")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let body = html! {
        dl.facts {
            dt { "Available quantity" } dd { (number(&holders, "availableQuantity")) }
            dt { "Assigned licenses" } dd { (number(&holders, "assignedCount")) }
        }
        h2 { "Users" }
        @if groups.is_empty() { p { "No one holds a self-service license of this product." } }
        @for group in groups {
            @let purchaser = group.get("purchaser").cloned().unwrap_or(Value::Null);
            h3 { "Purchased by " (text(&purchaser, "displayName")) " (" (text(&purchaser, "userPrincipalName")) ")" }
            (table(&format!("Users of {}", text(&purchaser, "displayName")), None, &["Name", "User name", "Assigned"], html! {
                        @for u in group.get("users").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
                            tr { td { (text(u, "displayName")) } td { (text(u, "userPrincipalName")) } td { (time(text(u, "assignedAt"))) } }
                        }
                    }))
        }
        @if !subscriptions.is_empty() {
            h2 { "Export users" }
            form method="post" action=(format!("/console/billing/licenses/{}/export", text(&holders, "productId"))) {
                (csrf_field(&session))
                fieldset {
                    legend { "Subscriptions to export" }
                    @for (i, (id, purchaser, users)) in subscriptions.iter().enumerate() {
                        div {
                            input type="checkbox" name="subscription" id=(format!("sub-{i}")) value=(id) checked;
                            label for=(format!("sub-{i}")) {
                                "Bought by " (purchaser) " (" (users) " users)"
                            }
                        }
                    }
                }
                button type="submit" { "Export users" }
            }
        }
    };
    Page::new(
        &session,
        Section::Licenses,
        text(&holders, "productName").to_string(),
    )
    .trail(&[("Billing", None), LICENSES])
    .body(body)
    .render(StatusCode::OK)
}

/// The subscriptions whose users hold the product's licenses: (ID, purchaser's name, users), in the answer's order.
fn exportable(holders: &Value) -> Vec<(String, String, usize)> {
    let mut found: Vec<(String, String, usize)> = Vec::new();
    let groups = holders.get("purchasers").and_then(Value::as_array);
    for group in groups.map(Vec::as_slice).unwrap_or_default() {
        let purchaser = group
            .get("purchaser")
            .map(|p| text(p, "displayName"))
            .unwrap_or_default();
        let users = group.get("users").and_then(Value::as_array);
        for user in users.map(Vec::as_slice).unwrap_or_default() {
            let id = text(user, "subscriptionId");
            match found.iter_mut().find(|(known, ..)| known == id) {
                Some((.., count)) => *count += 1,
                None => found.push((id.to_string(), purchaser.to_string(), 1)),
            }
        }
    }
    found
}

/// `POST .../export`: the CSV of the chosen subscriptions' users, streamed by the REST export itself.
pub(crate) async fn export_users(
    State(state): State<AppState>,
    session: Session,
    ConsoleForm(form): ConsoleForm<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| -> Vec<String> {
        form.iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    if let Some(refused) = session.refuse_forged(field("csrf_token").first().map(String::as_str)) {
        return refused;
    }
    let chosen = field("subscription");
    if chosen.is_empty() {
        return super::layout::message_page(
            StatusCode::BAD_REQUEST,
            "Select subscriptions to export",
            "Select at least one subscription, then Export users.",
        );
    }
    match licenses::export_users(
        State(state.clone()),
        session.caller.clone(),
        JsonBody(ExportRequest {
            subscription_ids: Some(chosen),
        }),
    )
    .await
    {
        Ok(csv) => csv,
        Err(error) => super::layout::refusal_of_error(error),
    }
    .into_response()
}
