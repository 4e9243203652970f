//! Settings > Partner relationships: the partners that may act for the organization (delegated admin
//! relationships), and the customers it acts for. A customer's Global Administrator approves a partner's request
//! (choosing the roles and the end date) or ends a relationship; either side may end one. The REST handlers decide.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use mscommerce_domain::Operation;
use serde_json::Value;

use super::layout::{csrf_field, refusal_page, table, time, Page, Section};
use super::session::Session;
use super::{items, see_other, text, Answer, ConsoleForm, ConsoleQuery};
use crate::extract::{JsonBody, PathParams};
use crate::handlers::partners;
use crate::state::AppState;
use crate::views::partners::ApproveRelationshipRequest;

const PAGE_PATH: &str = "/console/settings/partner-relationships";

fn strings(value: &Value, field: &str) -> Vec<String> {
    value
        .get(field)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[derive(serde::Deserialize)]
pub(crate) struct PageQuery {
    done: Option<String>,
}

/// `GET /console/settings/partner-relationships`.
pub(crate) async fn relationships(
    State(state): State<AppState>,
    session: Session,
    ConsoleQuery(query): ConsoleQuery<PageQuery>,
) -> Response {
    let answer = Answer::of(
        partners::list_relationships(State(state.clone()), session.caller.clone()).await,
    )
    .await;
    match answer.ok() {
        Ok(list) => page(&session, &list, query.done.as_deref(), None, StatusCode::OK),
        Err(refusal) => refusal_page(&refusal),
    }
}

fn page(
    session: &Session,
    list: &Value,
    done: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let own = session.caller.principal.tenant_id.to_string();
    let may_manage = session.may(Operation::ManagePartnerRelationships);
    // A year from today, the end date an approval proposes (at most two years are allowed).
    let proposed_end = (chrono::Utc::now() + chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    let notice = done.and_then(|d| match d {
        "approve" => Some("The relationship was approved: the partner may act with the roles granted until its end date."),
        "end" => Some("The relationship was ended: the partner's access stops now."),
        _ => None,
    });
    let body = html! {
        p { "Partners your organization lets act for it, and organizations yours acts for, with the roles granted and until when." }
        @if items(list).is_empty() {
            p { "There are no partner relationships." }
        } @else {
            (table("Partner relationships", None, &["Partner", "Customer", "Status", "Roles asked", "Roles granted", "Ends"], html! {
                @for r in items(list) {
                    tr {
                        th scope="row" { (text(r, "partnerDisplayName")) }
                        td { (text(r, "customerDisplayName")) }
                        td { (text(r, "status")) }
                        td { (strings(r, "requestedRoles").join(", ")) }
                        td { (strings(r, "grantedRoles").join(", ")) }
                        td { @if !text(r, "endDateTime").is_empty() { (time(text(r, "endDateTime"))) } }
                    }
                }
            }))
        }
        @if may_manage {
            @for (i, r) in items(list).iter().enumerate() {
                @let path = format!("{PAGE_PATH}/{}", text(r, "id"));
                @let is_customer = text(r, "customerTenantId") == own;
                @if text(r, "status") == "pending" && is_customer {
                    h2 { "Request from " (text(r, "partnerDisplayName")) }
                    form method="post" action=(path) {
                        (csrf_field(session))
                        input type="hidden" name="action" value="approve";
                        fieldset {
                            legend { "Roles to grant " (text(r, "partnerDisplayName")) }
                            @for (j, role) in strings(r, "requestedRoles").iter().enumerate() {
                                div {
                                    input type="checkbox" name="role" id=(format!("role-{i}-{j}")) value=(role) checked;
                                    label for=(format!("role-{i}-{j}")) { (role) }
                                }
                            }
                        }
                        label for=(format!("end-{i}")) { "End date (at most two years)" }
                        input type="date" id=(format!("end-{i}")) name="end" value=(proposed_end) required;
                        div { button type="submit" { "Approve" } }
                    }
                }
                @if text(r, "status") == "pending" || text(r, "status") == "active" {
                    form method="post" action=(path) {
                        (csrf_field(session))
                        input type="hidden" name="action" value="end";
                        button.secondary type="submit" { "End relationship with " (if is_customer { text(r, "partnerDisplayName") } else { text(r, "customerDisplayName") }) }
                    }
                }
            }
        }
    };
    Page::new(
        session,
        Section::PartnerRelationships,
        "Partner relationships",
    )
    .trail(&[
        ("Settings", None),
        ("Partner relationships", Some(PAGE_PATH)),
    ])
    .notice(notice.map(str::to_string))
    .error(error)
    .body(body)
    .render(status)
}

/// `POST /console/settings/partner-relationships/{id}`: Approve or End relationship.
pub(crate) async fn change(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
    ConsoleForm(form): ConsoleForm<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    if let Some(refused) = session.refuse_forged(field("csrf_token").as_deref()) {
        return refused;
    }
    let action = field("action").unwrap_or_default();
    let caller = session.caller.clone();
    let answer = match action.as_str() {
        "approve" => {
            let roles: Vec<String> = form
                .iter()
                .filter(|(n, _)| n == "role")
                .map(|(_, v)| v.clone())
                .collect();
            // The date the person chose, to its end (UTC): the roles hold through that day.
            let end = format!("{}T23:59:59Z", field("end").unwrap_or_default());
            Answer::of(
                partners::approve_relationship(
                    State(state.clone()),
                    caller,
                    PathParams(id.clone()),
                    JsonBody(ApproveRelationshipRequest {
                        roles: Some(roles),
                        end_date_time: end,
                    }),
                )
                .await,
            )
            .await
        }
        "end" => {
            Answer::of(
                partners::end_relationship(State(state.clone()), caller, PathParams(id.clone()))
                    .await,
            )
            .await
        }
        _ => {
            return super::layout::message_page(
                StatusCode::BAD_REQUEST,
                "This form does not say what to do",
                "Open Partner relationships again and use its Approve or End relationship button.",
            )
        }
    };
    match answer.ok() {
        Ok(_) => see_other(&format!("{PAGE_PATH}?done={action}")),
        Err(refusal) => {
            let list = Answer::of(
                partners::list_relationships(State(state.clone()), session.caller.clone()).await,
            )
            .await;
            match list.ok() {
                Ok(list) => page(&session, &list, None, Some(refusal.reason), refusal.status),
                Err(refused) => refusal_page(&refused),
            }
        }
    }
}
