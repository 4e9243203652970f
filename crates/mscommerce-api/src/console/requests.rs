//! Billing > Licenses > Requests: the organization's license requests, pending and completed; one request with
//! Approve (licenses from a central subscription of the product), Deny and Share; and "Use my organization's
//! request process". Every action is the REST handler's.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use mscommerce_domain::Operation;
use serde::Deserialize;
use serde_json::Value;

use super::layout::{csrf_field, filter_form, refusal_page, table, time, Page, Section};
use super::session::Session;
use super::{
    items, number, see_other, subscriptions_where, text, Answer, ConsoleForm, ConsoleQuery,
};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::handlers::license_requests;
use crate::paging::PageQuery;
use crate::state::AppState;
use crate::views::license_requests::{
    ApproveBody, DenyBody, LicenseRequestQuery, RequestProcessView, ShareBody,
};

const REQUESTS_PATH: &str = "/console/billing/licenses/requests";
const LICENSES: (&str, Option<&str>) = (
    "Licenses",
    Some("/console/billing/licenses?filter=selfService"),
);

/// The tabs of Billing > Licenses: Licenses, and Requests for those who may read them.
pub(crate) fn tabs(session: &Session, requests_selected: bool) -> Markup {
    let selected = |on: bool| if on { "true" } else { "false" };
    html! {
        div.tabs role="tablist" aria-label="Licenses" {
            a role="tab" aria-selected=(selected(!requests_selected)) href="/console/billing/licenses?filter=selfService" { "Licenses" }
            @if session.may(Operation::ReadLicenseRequests) {
                a role="tab" aria-selected=(selected(requests_selected)) href=(REQUESTS_PATH) { "Requests" }
            }
        }
    }
}

const FILTERS: [(&str, &str); 3] = [
    ("pending", "Pending"),
    ("completed", "Completed"),
    ("all", "All"),
];

#[derive(Deserialize)]
pub(crate) struct RequestsQuery {
    filter: Option<String>,
    saved: Option<String>,
}

async fn process(state: &AppState, session: &Session) -> Value {
    Answer::of(license_requests::settings(State(state.clone()), session.caller.clone()).await)
        .await
        .body
}

/// `GET /console/billing/licenses/requests`: the Requests tab.
pub(crate) async fn requests(
    State(state): State<AppState>,
    session: Session,
    ConsoleQuery(query): ConsoleQuery<RequestsQuery>,
) -> Response {
    let filter = query
        .filter
        .as_deref()
        .and_then(|f| FILTERS.iter().find(|(id, _)| id.eq_ignore_ascii_case(f)))
        .map_or("pending", |(id, _)| id);
    let answer = Answer::of(
        license_requests::list_requests(
            State(state.clone()),
            session.caller.clone(),
            QueryParams(LicenseRequestQuery {
                status: Some(filter.to_string()),
            }),
            QueryParams(PageQuery {
                top: Some("1000".into()),
                skip_token: None,
            }),
        )
        .await,
    )
    .await;
    let list = match answer.ok() {
        Ok(list) => list,
        Err(refusal) => return refusal_page(&refusal),
    };
    let process = process(&state, &session).await;
    let organization = process
        .get("useOrganizationProcess")
        .and_then(Value::as_bool)
        == Some(true);
    let body = html! {
        (tabs(&session, true))
        (filter_form(REQUESTS_PATH, &FILTERS, filter))
        @if items(&list).is_empty() {
            p { "There are no requests of this kind." }
        } @else {
            (table("Requests", None, &["Product", "Requested by", "Date", "Status", "Message"], html! {
                        @for r in items(&list) {
                            tr {
                                th scope="row" { a href=(format!("{REQUESTS_PATH}/{}", text(r, "id"))) { (text(r, "productName")) } }
                                td { (r.get("requester").map(|p| text(p, "displayName")).unwrap_or_default()) }
                                td { (time(text(r, "createdAt"))) }
                                td { (text(r, "status")) }
                                td { (text(r, "message")) }
                            }
                        }
                    }))
        }
        h2 { "Request settings" }
        @if session.may(Operation::AnswerLicenseRequests) {
            form method="post" action=(format!("{REQUESTS_PATH}/settings")) {
                (csrf_field(&session))
                div {
                    input #use-process type="checkbox" name="use_organization_process" value="true" checked[organization];
                    label.inline for="use-process" { "Use my organization's request process" }
                }
                p.muted { "When on, people who may not buy a product are shown your message and link instead of Request license. Requests made before stay until answered." }
                label for="process-message" { "Message" }
                textarea #process-message name="message" maxlength="1000" { (text(&process, "message")) }
                label for="process-link" { "Link" }
                input #process-link type="text" name="link" value=(text(&process, "link"));
                div { button type="submit" { "Save" } }
            }
        } @else {
            p { @if organization { "Your organization takes requests its own way: " (text(&process, "message")) " " (text(&process, "link")) } @else { "People may request licenses here." } }
        }
    };
    Page::new(&session, Section::Licenses, "Requests")
        .trail(&[("Billing", None), LICENSES])
        .notice(query.saved.map(|_| "Request settings saved.".to_string()))
        .body(body)
        .render(StatusCode::OK)
}

#[derive(Deserialize)]
pub(crate) struct ProcessForm {
    csrf_token: Option<String>,
    use_organization_process: Option<String>,
    message: Option<String>,
    link: Option<String>,
}

/// `POST .../requests/settings`: "Use my organization's request process", Save.
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    session: Session,
    ConsoleForm(form): ConsoleForm<ProcessForm>,
) -> Response {
    if let Some(refused) = session.refuse_forged(form.csrf_token.as_deref()) {
        return refused;
    }
    let answer = Answer::of(
        license_requests::set_settings(
            State(state.clone()),
            session.caller.clone(),
            JsonBody(RequestProcessView {
                use_organization_process: form.use_organization_process.as_deref() == Some("true"),
                message: form.message.clone(),
                link: form.link.clone(),
            }),
        )
        .await,
    )
    .await;
    match answer.ok() {
        Ok(_) => see_other(&format!("{REQUESTS_PATH}?saved=1")),
        Err(refusal) => refusal_page(&refusal),
    }
}

async fn request(state: &AppState, session: &Session, id: &str) -> Result<Value, super::Refusal> {
    Answer::of(
        license_requests::get_request(
            State(state.clone()),
            session.caller.clone(),
            PathParams(id.to_string()),
        )
        .await,
    )
    .await
    .ok()
}

/// The central subscriptions of the request's product that are active.
async fn sources(state: &AppState, session: &Session, product_id: &str) -> Vec<Value> {
    subscriptions_where(state, session, "central", |s| {
        text(s, "productId") == product_id && text(s, "status") == "Active"
    })
    .await
    .unwrap_or_default()
}

fn request_page(
    state_sources: &[Value],
    session: &Session,
    r: &Value,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let path = format!("{REQUESTS_PATH}/{}", text(r, "id"));
    let users = r
        .get("users")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let open = text(r, "status") == "Pending";
    let may_answer = session.may(Operation::AnswerLicenseRequests);
    let body = html! {
        dl.facts {
            dt { "Product" } dd { (text(r, "productName")) }
            dt { "Requested by" } dd { (r.get("requester").map(|p| text(p, "displayName")).unwrap_or_default()) }
            dt { "Date" } dd { (time(text(r, "createdAt"))) }
            dt { "Status" } dd #status { (text(r, "status")) }
            dt { "Message" } dd { (text(r, "message")) }
            @if !open {
                dt { "Answered by" } dd { (text(r, "answeredBy")) }
                dt { "Answer" } dd { (text(r, "answerMessage")) }
            }
        }
        @if open && may_answer {
            form method="post" action=(path) {
                (csrf_field(session))
                input type="hidden" name="action" value="approve";
                fieldset {
                    legend { "Users to approve" }
                    @for (i, u) in users.iter().enumerate() {
                        div {
                            input type="checkbox" name="user" id=(format!("user-{i}")) value=(text(u, "id")) checked;
                            label for=(format!("user-{i}")) { (text(u, "displayName")) " (" (text(u, "userPrincipalName")) ")" }
                        }
                    }
                }
                @if state_sources.is_empty() {
                    p { "Your organization has no subscription of this product to give licenses from. Buy one first in "
                        a href="/console/billing/purchase" { "Purchase services" } "." }
                } @else {
                    fieldset {
                        legend { "Assign licenses from" }
                        @for (i, s) in state_sources.iter().enumerate() {
                            div {
                                input type="radio" name="subscription" id=(format!("source-{i}")) value=(text(s, "id")) checked[i == 0] required;
                                label for=(format!("source-{i}")) {
                                    (text(s, "productName")) " (" (number(s, "quantity") - number(s, "assignedCount")) " available licenses)"
                                }
                            }
                        }
                    }
                }
                label for="approve-message" { "Message to the requesters (optional)" }
                textarea #approve-message name="message" maxlength="1000" {}
                div { button type="submit" { "Approve" } }
            }
            form method="post" action=(path) {
                (csrf_field(session))
                input type="hidden" name="action" value="deny";
                label for="deny-message" { "Reason for denying (optional)" }
                textarea #deny-message name="message" maxlength="1000" {}
                div { button.secondary type="submit" { "Deny" } }
            }
        }
        h2 { "Users" }
        (table("Users of the request", None, &["Name", "User name", "Outcome"], html! {
                    @for u in users {
                        tr { td { (text(u, "displayName")) } td { (text(u, "userPrincipalName")) } td { (text(u, "outcome")) } }
                    }
                }))
        @if may_answer {
            h2 { "Share request" }
            form method="post" action=(path) {
                (csrf_field(session))
                input type="hidden" name="action" value="share";
                label for="share-with" { "Share with (user names, one per line, up to 10)" }
                textarea #share-with name="users" required {}
                label for="share-message" { "Message (optional)" }
                textarea #share-message name="message" maxlength="1000" {}
                div { button.secondary type="submit" { "Share request" } }
            }
        }
    };
    Page::new(
        session,
        Section::Licenses,
        format!("Request for {}", text(r, "productName")),
    )
    .trail(&[
        ("Billing", None),
        LICENSES,
        ("Requests", Some(REQUESTS_PATH)),
    ])
    .notice(notice)
    .error(error)
    .body(body)
    .render(status)
}

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

fn done_notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "approve" => "The request was approved, and everyone in it was told by email.",
            "deny" => "The request was denied, and everyone in it was told by email.",
            "share" => "The request was shared by email.",
            _ => return None,
        }
        .to_string(),
    )
}

/// `GET .../requests/{id}`: one request.
pub(crate) async fn request_details(
    State(state): State<AppState>,
    session: Session,
    PathParams(id): PathParams<String>,
    ConsoleQuery(query): ConsoleQuery<DoneQuery>,
) -> Response {
    match request(&state, &session, &id).await {
        Ok(r) => {
            let sources = sources(&state, &session, text(&r, "productId")).await;
            request_page(
                &sources,
                &session,
                &r,
                done_notice(query.done.as_deref()),
                None,
                StatusCode::OK,
            )
        }
        Err(refusal) => refusal_page(&refusal),
    }
}

/// `POST .../requests/{id}`: Approve, Deny or Share request.
pub(crate) async fn answer(
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
    let message = field("message").filter(|m| !m.trim().is_empty());
    let caller = session.caller.clone();
    let result = match action.as_str() {
        "approve" => {
            let users: Vec<String> = form
                .iter()
                .filter(|(n, _)| n == "user")
                .map(|(_, v)| v.clone())
                .collect();
            Answer::of(
                license_requests::approve(
                    State(state.clone()),
                    caller,
                    PathParams(id.clone()),
                    JsonBody(ApproveBody {
                        subscription_id: field("subscription"),
                        user_ids: Some(users),
                        message,
                    }),
                )
                .await,
            )
            .await
        }
        "deny" => {
            Answer::of(
                license_requests::deny(
                    State(state.clone()),
                    caller,
                    PathParams(id.clone()),
                    JsonBody(DenyBody { message }),
                )
                .await,
            )
            .await
        }
        "share" => {
            let mut user_ids = Vec::new();
            for name in field("users")
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                let found = state
                    .store
                    .user_by_upn(name)
                    .await
                    .ok()
                    .flatten()
                    .filter(|u| u.tenant_id == session.caller.principal.tenant_id);
                match found {
                    Some(user) => user_ids.push(user.id.to_string()),
                    None => {
                        return failed(
                            &state,
                            &session,
                            &id,
                            format!("No user of your organization has the user name '{name}'."),
                            StatusCode::NOT_FOUND,
                        )
                        .await
                    }
                }
            }
            Answer::of(
                license_requests::share(
                    State(state.clone()),
                    caller,
                    PathParams(id.clone()),
                    JsonBody(ShareBody { user_ids, message }),
                )
                .await,
            )
            .await
        }
        _ => {
            return failed(
                &state,
                &session,
                &id,
                "This form does not say what to do.".into(),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    match result.ok() {
        Ok(_) => see_other(&format!("{REQUESTS_PATH}/{id}?done={action}")),
        Err(refusal) => failed(&state, &session, &id, refusal.reason, refusal.status).await,
    }
}

async fn failed(
    state: &AppState,
    session: &Session,
    id: &str,
    reason: String,
    status: StatusCode,
) -> Response {
    match request(state, session, id).await {
        Ok(r) => {
            let sources = sources(state, session, text(&r, "productId")).await;
            request_page(&sources, session, &r, None, Some(reason), status)
        }
        Err(refusal) => refusal_page(&refusal),
    }
}
