//! The frame of every console page: the admin center's navigation (by role), the breadcrumb, the protective
//! headers, and the pages that say why something was refused.
//!
//! Templates are `maud` macros: checked by the compiler, and every interpolated value is HTML-escaped by it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use mscommerce_domain::Operation;

use super::session::{Session, CSRF_FIELD};
use super::Refusal;
use crate::error::ApiError;

/// The console's sections, to mark the current one in the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    YourProducts,
    Licenses,
    PurchaseServices,
    OrgSettings,
    PartnerRelationships,
    AuditLog,
    MySubscriptions,
}

/// A page being put together.
pub(crate) struct Page<'a> {
    title: String,
    session: Option<&'a Session>,
    section: Option<Section>,
    trail: Vec<(&'static str, Option<&'static str>)>,
    notice: Option<String>,
    error: Option<String>,
    body: Markup,
}

impl<'a> Page<'a> {
    /// A page of the signed-in console, with its navigation.
    pub(crate) fn new(
        session: &'a Session,
        section: Section,
        title: impl Into<String>,
    ) -> Page<'a> {
        Page {
            title: title.into(),
            session: Some(session),
            section: Some(section),
            trail: Vec::new(),
            notice: None,
            error: None,
            body: html! {},
        }
    }

    /// A page without navigation (signed out, refused).
    pub(crate) fn bare(title: impl Into<String>) -> Page<'a> {
        Page {
            title: title.into(),
            session: None,
            section: None,
            trail: Vec::new(),
            notice: None,
            error: None,
            body: html! {},
        }
    }

    /// The breadcrumb above the title ("Billing > Your products"): names, with links where they lead somewhere.
    pub(crate) fn trail(mut self, trail: &[(&'static str, Option<&'static str>)]) -> Page<'a> {
        self.trail = trail.to_vec();
        self
    }

    /// A message that something was done.
    pub(crate) fn notice(mut self, notice: Option<String>) -> Page<'a> {
        self.notice = notice;
        self
    }

    /// A message that something was refused, with the handler's reason.
    pub(crate) fn error(mut self, error: Option<String>) -> Page<'a> {
        self.error = error;
        self
    }

    pub(crate) fn body(mut self, body: Markup) -> Page<'a> {
        self.body = body;
        self
    }

    pub(crate) fn render(self, status: StatusCode) -> Response {
        let markup = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) " - mscommerce admin center" }
                    link rel="stylesheet" href="/console/assets/console.css";
                    script src="/console/assets/console.js" defer {}
                }
                body {
                    a.skip href="#main" { "Skip to main content" }
                    header.top {
                        span { a href="/console" { "mscommerce admin center" } }
                        @if let Some(session) = self.session {
                            div.who {
                                span { "Signed in as " (session.name()) }
                                form method="post" action="/console/signout" {
                                    (csrf_field(session))
                                    button.secondary type="submit" { "Sign out" }
                                }
                            }
                        }
                    }
                    div.layout {
                        @if let Some(session) = self.session {
                            (navigation(session, self.section))
                        }
                        main #main tabindex="-1" {
                            @if !self.trail.is_empty() {
                                nav.breadcrumb aria-label="Breadcrumb" {
                                    ol {
                                        @for (name, link) in &self.trail {
                                            li {
                                                @match link {
                                                    Some(href) => a href=(href) { (name) },
                                                    None => span { (name) },
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            h1 { (self.title) }
                            @if let Some(notice) = &self.notice {
                                p.notice role="status" { (notice) }
                            }
                            @if let Some(error) = &self.error {
                                p.error role="alert" { (error) }
                            }
                            (self.body)
                        }
                    }
                }
            }
        };
        let response = with_headers(status, markup.into_string());
        match self.session {
            Some(session) => session.finish(response),
            None => response,
        }
    }
}

/// The protective headers of every console page: scripts and styles from the console's own files only (no
/// inline script or style at all), forms only to this service, no framing, no caching, no referrer.
pub(crate) fn with_headers(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The admin center's navigation, holding what the person's roles may open.
fn navigation(session: &Session, current: Option<Section>) -> Markup {
    let link = |section: Section, href: &str, name: &str| {
        html! {
            li { a href=(href) aria-current=[(current == Some(section)).then_some("page")] { (name) } }
        }
    };
    let billing = session.may(Operation::ReadSubscriptions) || session.may(Operation::ReadLicenses);
    html! {
        nav.side aria-label="Admin center" {
            ul {
                @if billing {
                    li {
                        span { "Billing" }
                        ul {
                            @if session.may(Operation::ReadSubscriptions) {
                                (link(Section::YourProducts, "/console/billing/products", "Your products"))
                            }
                            (link(Section::Licenses, "/console/billing/licenses", "Licenses"))
                            @if session.may(Operation::ReadSubscriptions) {
                                (link(Section::PurchaseServices, "/console/billing/purchase", "Purchase services"))
                            }
                        }
                    }
                }
                @if session.may(Operation::ReadPolicy) || session.may(Operation::ReadPartnerRelationships) {
                    li {
                        span { "Settings" }
                        ul {
                            @if session.may(Operation::ReadPolicy) {
                                (link(Section::OrgSettings, "/console/settings/org", "Org settings"))
                            }
                            @if session.may(Operation::ReadPartnerRelationships) {
                                (link(Section::PartnerRelationships, "/console/settings/partner-relationships", "Partner relationships"))
                            }
                        }
                    }
                }
                @if session.may(Operation::ReadSubscriptions) {
                    (link(Section::AuditLog, "/console/audit", "Audit log"))
                }
                (link(Section::MySubscriptions, "/console/my", "My subscriptions"))
            }
        }
    }
}

/// The hidden CSRF field of a form.
pub(crate) fn csrf_field(session: &Session) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(session.csrf); }
}

/// A time as the server knows it (UTC), which the console's script shows in the browser's locale.
pub(crate) fn time(rfc3339: &str) -> Markup {
    let shown = rfc3339
        .get(..16)
        .map(|minutes| format!("{} UTC", minutes.replace('T', " ")))
        .unwrap_or_else(|| rfc3339.to_string());
    html! { time datetime=(rfc3339) { (shown) } }
}

/// A page that only tells something.
pub(crate) fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    Page::bare(title)
        .body(html! { p { (text) } p { a href="/console" { "Go to the console" } } })
        .render(status)
}

/// A message with one way on.
pub(crate) fn message_page_with_link(
    status: StatusCode,
    title: &str,
    text: &str,
    (name, href): (&str, &str),
) -> Response {
    Page::bare(title)
        .body(html! { p { (text) } p { a href=(href) { (name) } } })
        .render(status)
}

/// The status and the reason of an error, as the REST envelope would carry them.
pub(crate) fn reason_of(error: ApiError) -> (StatusCode, String) {
    let refusal = error_refusal(error);
    (refusal.status, refusal.reason)
}

/// A handler's refusal as a whole page: what was refused and why, in the handler's words.
pub(crate) fn refusal_page(refusal: &Refusal) -> Response {
    let title = match refusal.status {
        StatusCode::FORBIDDEN => "You don't have permission to do this",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::CONFLICT => "This can't be done now",
        status if status.is_server_error() => "Something went wrong",
        _ => "This request can't be completed",
    };
    Page::bare(title)
        .body(html! {
            p { (refusal.reason) }
            @if !refusal.code.is_empty() { p.muted { "Error code: " (refusal.code) } }
            p { a href="/console" { "Go to the console" } }
        })
        .render(refusal.status)
}

/// An error raised before any handler ran (the observing layer's checks), as a page.
pub(crate) fn refusal_of_error(error: ApiError) -> Response {
    refusal_page(&error_refusal(error))
}

/// An error in the form a page shows.
pub(crate) fn error_refusal(error: ApiError) -> Refusal {
    let response = error.into_response();
    let status = response.status();
    // The envelope's reason is what the REST caller reads; the console shows the same words.
    let reason =
        futures_util::FutureExt::now_or_never(axum::body::to_bytes(response.into_body(), 1 << 20))
            .and_then(Result::ok)
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    let body = reason.unwrap_or(serde_json::Value::Null);
    let code = super::text(&body, "errorCode");
    let text = [
        super::text(&body, "reason"),
        super::text(&body, "error_description"),
    ]
    .into_iter()
    .find(|t| !t.is_empty())
    .unwrap_or_else(|| status_reason(status));
    Refusal {
        status,
        code: if code.is_empty() {
            super::text(&body, "error").to_string()
        } else {
            code.to_string()
        },
        reason: text.to_string(),
    }
}

fn status_reason(status: StatusCode) -> &'static str {
    status
        .canonical_reason()
        .unwrap_or("The request could not be completed.")
}

/// A table with its column headers, in a region of its own that scrolls sideways when the window is narrow (so the
/// page never does), reachable with the keyboard and named for screen readers.
pub(crate) fn table(
    label: &str,
    caption: Option<Markup>,
    headers: &[&str],
    rows: Markup,
) -> Markup {
    html! {
        div.table role="region" aria-label=(label) tabindex="0" {
            table {
                @if let Some(caption) = caption { caption.muted { (caption) } }
                thead { tr { @for header in headers { th scope="col" { (header) } } } }
                tbody { (rows) }
            }
        }
    }
}

/// The filter of a list: a drop-down named Filter and Apply (the console's script applies it on change).
pub(crate) fn filter_form(action: &str, options: &[(&str, &str)], selected: &str) -> Markup {
    html! {
        form.filter method="get" action=(action) {
            div {
                label for="filter" { "Filter" }
                select #filter name="filter" {
                    @for (id, name) in options { option value=(id) selected[*id == selected] { (name) } }
                }
            }
            button type="submit" { "Apply" }
        }
    }
}
