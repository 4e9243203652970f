//! Settings > Org settings > Services > Self-service trials and purchases: every product's and offer type's value,
//! changed with Save through the same multi-value PATCH the REST API offers (all or nothing, audited like a PUT).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use mscommerce_domain::{Operation, ALLOW_SELF_SERVICE_PURCHASE};
use serde_json::Value;

use super::layout::{csrf_field, refusal_page, Page, Section};
use super::session::Session;
use super::{items, see_other, text, Answer, ConsoleForm, ConsoleQuery, Refusal};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::handlers::policies;
use crate::state::AppState;
use crate::views::policies::{PolicyValueEntry, PolicyValuesUpdate, ProductsQuery};

const PAGE_PATH: &str = "/console/settings/services/self-service-trials-and-purchases";
const ORG_SETTINGS: (&str, Option<&str>) = ("Org settings", Some("/console/settings/org"));

/// The three choices, by their names on the page and the policy values they stand for.
const CHOICES: [(&str, &str); 3] = [
    ("Enabled", "Allow"),
    ("OnlyTrialsWithoutPaymentMethod", "Allow for trials only"),
    ("Disabled", "Do not allow"),
];

/// `GET /console/settings/org`: Org settings, tab Services.
pub(crate) async fn org_settings(session: Session) -> Response {
    let body = html! {
        div.tabs role="tablist" aria-label="Org settings" {
            a role="tab" aria-selected="true" href="/console/settings/org" { "Services" }
        }
        ul { li { a href=(PAGE_PATH) { "Self-service trials and purchases" } } }
    };
    Page::new(&session, Section::OrgSettings, "Org settings")
        .trail(&[("Settings", None), ORG_SETTINGS])
        .body(body)
        .render(StatusCode::OK)
}

/// The values of every product, then of every offer type: (form field, name, value, whether trials only applies).
async fn values(
    state: &AppState,
    session: &Session,
) -> Result<Vec<(String, String, String, bool)>, Refusal> {
    let mut rows = Vec::new();
    for scope in [None, Some("OfferType".to_string())] {
        let offer_types = scope.is_some();
        let list = Answer::of(
            policies::list_products(
                State(state.clone()),
                session.caller.clone(),
                PathParams(ALLOW_SELF_SERVICE_PURCHASE.to_string()),
                QueryParams(ProductsQuery { scope }),
            )
            .await,
        )
        .await
        .ok()?;
        for item in items(&list) {
            let row = if offer_types {
                (
                    format!("offer:{}", text(item, "scopeId")),
                    text(item, "scopeValue").to_string(),
                    false,
                )
            } else {
                let id = text(item, "productId");
                let trials = state
                    .catalog
                    .products()
                    .iter()
                    .any(|p| p.id == id && p.trial_without_payment_method);
                (
                    format!("product:{id}"),
                    text(item, "productName").to_string(),
                    trials,
                )
            };
            rows.push((row.0, row.1, text(item, "policyValue").to_string(), row.2));
        }
    }
    Ok(rows)
}

fn form_markup(session: &Session, rows: &[(String, String, String, bool)]) -> Markup {
    let may_change = session.may(Operation::WritePolicy);
    html! {
        p { "Choose, for each product, whether people in your organization may buy it or start a trial themselves. A change applies to new purchases and trials only." }
        @if !may_change {
            p.muted { "Your role can read these settings but not change them: changing them needs the role Global Administrator or Billing Administrator." }
        }
        form method="post" action=(PAGE_PATH) {
            (csrf_field(session))
            @for (i, (field, name, value, trials)) in rows.iter().enumerate() {
                input type="hidden" name=(format!("was:{field}")) value=(value);
                fieldset {
                    legend { (name) }
                    @for (choice, label) in CHOICES {
                        @if choice != "OnlyTrialsWithoutPaymentMethod" || *trials {
                            @let id = format!("v{i}-{choice}");
                            input type="radio" id=(id) name=(field) value=(choice) checked[value == choice] disabled[!may_change];
                            label for=(id) { (label) }
                        }
                    }
                }
            }
            @if may_change { button type="submit" { "Save" } }
        }
    }
}

fn page(
    session: &Session,
    rows: &[(String, String, String, bool)],
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    Page::new(
        session,
        Section::OrgSettings,
        "Self-service trials and purchases",
    )
    .trail(&[
        ("Settings", None),
        ORG_SETTINGS,
        ("Services", Some("/console/settings/org")),
    ])
    .notice(notice)
    .error(error)
    .body(form_markup(session, rows))
    .render(status)
}

#[derive(serde::Deserialize)]
pub(crate) struct SavedQuery {
    saved: Option<String>,
}

/// `GET .../self-service-trials-and-purchases`.
pub(crate) async fn self_service(
    State(state): State<AppState>,
    session: Session,
    ConsoleQuery(query): ConsoleQuery<SavedQuery>,
) -> Response {
    match values(&state, &session).await {
        Ok(rows) => {
            let notice = query.saved.map(|n| match n.as_str() {
                "0" => "Nothing changed.".to_string(),
                "1" => "Saved: 1 setting changed.".to_string(),
                n => format!("Saved: {n} settings changed."),
            });
            page(&session, &rows, notice, None, StatusCode::OK)
        }
        Err(refusal) => refusal_page(&refusal),
    }
}

/// `POST .../self-service-trials-and-purchases`: Save. Only what the person changed is sent, and only if nobody
/// changed it since the page was shown.
pub(crate) async fn save(
    State(state): State<AppState>,
    session: Session,
    ConsoleForm(form): ConsoleForm<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(refused) = session.refuse_forged(field("csrf_token")) {
        return refused;
    }
    let rows = match values(&state, &session).await {
        Ok(rows) => rows,
        Err(refusal) => return refusal_page(&refusal),
    };
    let mut changes = Vec::new();
    for (name, chosen) in &form {
        let Some((kind, id)) = name
            .split_once(':')
            .filter(|(k, _)| *k == "product" || *k == "offer")
        else {
            continue;
        };
        let shown = field(&format!("was:{name}")).unwrap_or_default();
        if chosen == shown {
            continue;
        }
        let current = rows
            .iter()
            .find(|(f, ..)| f == name)
            .map(|(_, _, v, _)| v.as_str());
        if current != Some(shown) {
            return page(
                &session,
                &rows,
                None,
                Some("Someone changed these settings after this page was shown, so nothing was saved. The page now shows the current values: make your change again.".into()),
                StatusCode::CONFLICT,
            );
        }
        changes.push(PolicyValueEntry {
            product_id: (kind == "product").then(|| id.to_string()),
            offer_type: (kind == "offer").then(|| id.to_string()),
            policy_value: chosen.clone(),
            if_match: None,
        });
    }
    if changes.is_empty() {
        return see_other(&format!("{PAGE_PATH}?saved=0"));
    }
    let count = changes.len();
    let answer = Answer::of(
        policies::patch_products(
            State(state.clone()),
            session.caller.clone(),
            HeaderMap::new(),
            PathParams(ALLOW_SELF_SERVICE_PURCHASE.to_string()),
            JsonBody(PolicyValuesUpdate { values: changes }),
        )
        .await,
    )
    .await;
    match answer.ok() {
        Ok(result) => {
            let changed = result
                .get("changed")
                .and_then(Value::as_array)
                .map_or(count, Vec::len);
            see_other(&format!("{PAGE_PATH}?saved={changed}"))
        }
        Err(refusal) => page(&session, &rows, None, Some(refusal.reason), refusal.status),
    }
}
