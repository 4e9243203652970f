//! Audit log: every audited event of the organization (policy changes among them), newest first, filterable by
//! actor, target and date, with each event's correlation ID.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use serde_json::Value;

use super::layout::{refusal_page, table, time, Page, Section};
use super::session::Session;
use super::{items, text, Answer, ConsoleQuery};
use crate::extract::QueryParams;
use crate::handlers::audit;
use crate::paging::PageQuery;
use crate::state::AppState;

/// How many events one view of the log reads at most (ten pages of the REST API's largest size), and shows.
const SCANNED: usize = 10_000;
const SHOWN: usize = 500;

#[derive(Deserialize, Default)]
pub(crate) struct AuditQuery {
    actor: Option<String>,
    target: Option<String>,
    /// `YYYY-MM-DD`, inclusive, UTC.
    from: Option<String>,
    to: Option<String>,
}

fn matches(event: &Value, query: &AuditQuery) -> bool {
    let contains =
        |haystack: &[&str], needle: &Option<String>| match needle.as_deref().map(str::trim) {
            None | Some("") => true,
            Some(needle) => {
                let needle = needle.to_lowercase();
                haystack.iter().any(|h| h.to_lowercase().contains(&needle))
            }
        };
    let day = text(event, "occurredAt").get(..10).unwrap_or_default();
    contains(
        &[text(event, "actorName"), text(event, "actorId")],
        &query.actor,
    ) && contains(
        &[text(event, "targetName"), text(event, "targetId")],
        &query.target,
    ) && query
        .from
        .as_deref()
        .filter(|d| !d.is_empty())
        .is_none_or(|from| day >= from)
        && query
            .to
            .as_deref()
            .filter(|d| !d.is_empty())
            .is_none_or(|to| day <= to)
}

/// `GET /console/audit`.
pub(crate) async fn audit_log(
    State(state): State<AppState>,
    session: Session,
    ConsoleQuery(query): ConsoleQuery<AuditQuery>,
) -> Response {
    let mut shown = Vec::new();
    let mut scanned = 0;
    let mut skip_token = None;
    let mut more = false;
    while scanned < SCANNED && shown.len() < SHOWN {
        let answer = Answer::of(
            audit::events(
                State(state.clone()),
                session.caller.clone(),
                QueryParams(PageQuery {
                    top: Some("1000".into()),
                    skip_token: skip_token.take(),
                }),
            )
            .await,
        )
        .await;
        let page = match answer.ok() {
            Ok(page) => page,
            Err(refusal) => return refusal_page(&refusal),
        };
        scanned += items(&page).len();
        shown.extend(items(&page).iter().filter(|e| matches(e, &query)).cloned());
        skip_token = text(&page, "nextLink")
            .split("skipToken=")
            .nth(1)
            .map(str::to_string);
        more = skip_token.is_some();
        if !more {
            break;
        }
    }
    shown.truncate(SHOWN);
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let body = html! {
        form.filter method="get" action="/console/audit" {
            div { label for="actor" { "Actor" } input #actor type="text" name="actor" value=(value(&query.actor)); }
            div { label for="target" { "Target" } input #target type="text" name="target" value=(value(&query.target)); }
            div { label for="from" { "From (UTC)" } input #from type="date" name="from" value=(value(&query.from)); }
            div { label for="to" { "To (UTC)" } input #to type="date" name="to" value=(value(&query.to)); }
            button type="submit" { "Search" }
        }
        @if shown.is_empty() {
            p { "No event matches." }
        } @else {
            (table("Audit log", Some(html! { (shown.len()) " events" @if more { " (the newest " (scanned) " were searched)" } }), &["Date", "Activity", "Target", "Old value", "New value", "Actor", "Correlation ID"], html! {
                        @for e in &shown {
                            tr {
                                td { (time(text(e, "occurredAt"))) }
                                td { (text(e, "action")) }
                                td { (text(e, "targetName")) br; span.muted { (text(e, "targetType")) " " (text(e, "targetId")) } }
                                td { (text(e, "oldValue")) }
                                td { (text(e, "newValue")) }
                                td { (text(e, "actorName")) }
                                td { code { (text(e, "correlationId")) } }
                            }
                        }
                    }))
        }
    };
    Page::new(&session, Section::AuditLog, "Audit log")
        .trail(&[("Audit log", Some("/console/audit"))])
        .body(body)
        .render(StatusCode::OK)
}
