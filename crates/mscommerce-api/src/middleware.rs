//! What every request goes through: a correlation id, a tracing span, the time limit, metrics, and the access
//! rule of its route ([`crate::access_rules`]).
//!
//! This is one service wrapped once around the whole router, not a layer on the router: axum boxes every route
//! behind a router-wide layer and clones the boxed route on every request, which measured as a quarter of what
//! the service added to a bare server's cost per request (docs/PERFORMANCE.md). The route a request matched is
//! found here with the router's own matcher (`matchit`) over the same templates, so that requests are labelled
//! and counted without a lookup by name.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_service::Service;
use tracing::Instrument;
use uuid::Uuid;

use crate::access_rules::{RouteRules, Rule};
use crate::error::ApiError;
use crate::extract::Caller;
use crate::metrics::{Metrics, RouteStats};
use crate::state::AppState;

pub const CORRELATION_HEADER: &str = "x-ms-correlation-id";

/// The longest correlation id a client may send; a longer one is replaced.
const MAX_CORRELATION_ID: usize = 128;

/// The request's correlation id, in the request's extensions. Held inline (no allocation): it is made for every
/// request and copied into the audit trail only by the few that write.
#[derive(Clone, Copy)]
pub struct CorrelationId {
    len: u8,
    bytes: [u8; MAX_CORRELATION_ID],
}

impl CorrelationId {
    /// The id the observing layer gave this request (a fresh one outside it, as in unit tests).
    pub fn of(parts: &Parts) -> CorrelationId {
        parts
            .extensions
            .get::<CorrelationId>()
            .copied()
            .unwrap_or_else(CorrelationId::generate)
    }

    /// A new GUID, in the form Microsoft's service uses.
    fn generate() -> CorrelationId {
        let mut id = CorrelationId {
            len: 36,
            bytes: [0; MAX_CORRELATION_ID],
        };
        Uuid::new_v4()
            .hyphenated()
            .encode_lower(&mut id.bytes[..36]);
        id
    }

    /// The client's id when it is 1 to 128 visible ASCII characters (safe to log and echo).
    fn given(value: &HeaderValue) -> Option<CorrelationId> {
        let given = value.as_bytes();
        if given.is_empty()
            || given.len() > MAX_CORRELATION_ID
            || !given.iter().all(u8::is_ascii_graphic)
        {
            return None;
        }
        let mut id = CorrelationId {
            len: given.len() as u8,
            bytes: [0; MAX_CORRELATION_ID],
        };
        id.bytes[..given.len()].copy_from_slice(given);
        Some(id)
    }

    pub fn as_str(&self) -> &str {
        // Only visible ASCII or a hyphenated GUID is ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CorrelationId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(CorrelationId::of(parts))
    }
}

impl std::fmt::Debug for CorrelationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The route templates of the router, each with its counters; the index is the template's place in `stats`.
pub struct RouteLabels {
    matcher: matchit::Router<usize>,
    templates: Vec<String>,
    stats: Vec<Arc<RouteStats>>,
    /// Who may call each route, by the same index.
    rules: Vec<RouteRules>,
    /// Whether the route is the console's: its credential is the session cookie, its refusals are pages.
    console: Vec<bool>,
    /// Requests that matched no route.
    unmatched: Arc<RouteStats>,
}

/// The label of requests that matched no route.
const NO_ROUTE: &str = "(no route)";

impl RouteLabels {
    pub fn new(templates: Vec<String>, metrics: &Metrics) -> RouteLabels {
        let mut matcher = matchit::Router::new();
        for (i, template) in templates.iter().enumerate() {
            // The router accepted the same templates, so the matcher does too.
            matcher
                .insert(template.as_str(), i)
                .unwrap_or_else(|e| panic!("route template {template}: {e}"));
        }
        RouteLabels {
            stats: templates.iter().map(|t| metrics.route(t)).collect(),
            rules: templates.iter().map(|t| RouteRules::of(t)).collect(),
            console: templates
                .iter()
                .map(|t| crate::console::is_console(t))
                .collect(),
            matcher,
            templates,
            unmatched: metrics.route(NO_ROUTE),
        }
    }

    /// The index of the route `path` matches.
    fn index(&self, path: &str) -> Option<usize> {
        self.matcher.at(path).ok().map(|found| *found.value)
    }

    fn template(&self, index: Option<usize>) -> &str {
        index.map_or(NO_ROUTE, |i| &self.templates[i])
    }

    fn stats(&self, index: Option<usize>) -> &RouteStats {
        index.map_or(&self.unmatched, |i| &self.stats[i])
    }

    fn rule(&self, index: Option<usize>, method: &axum::http::Method) -> Option<Rule> {
        index.and_then(|i| self.rules[i].for_method(method))
    }

    fn is_console(&self, index: Option<usize>) -> bool {
        index.is_some_and(|i| self.console[i])
    }
}

/// The router behind the observing layer: what `axum::serve` runs.
#[derive(Clone)]
pub struct Observed {
    router: Router,
    routes: Arc<RouteLabels>,
    state: AppState,
    timeout: Duration,
}

impl Observed {
    pub fn new(router: Router, routes: RouteLabels, state: AppState) -> Observed {
        Observed {
            router,
            routes: Arc::new(routes),
            timeout: state.settings.request_timeout,
            state,
        }
    }
}

/// Refuses the request unless its caller may do `operation`, before the route reads anything; the caller found
/// is left in the request for the handler, which does not verify the token again.
async fn authorize(
    request: Request,
    state: &AppState,
    operation: mscommerce_domain::Operation,
) -> Result<Request, ApiError> {
    let (mut parts, body) = request.into_parts();
    let caller = Caller::authenticate(&parts, state).await?;
    caller.require(operation)?;
    parts.extensions.insert(caller);
    Ok(Request::from_parts(parts, body))
}

impl Service<Request> for Observed {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let started = Instant::now();
        let given = request.headers().get(CORRELATION_HEADER);
        // The client's own header value is echoed as it came (sharing its bytes); a new id is formatted once.
        let (correlation, echoed) = match given.and_then(CorrelationId::given) {
            Some(id) => (id, given.cloned()),
            None => (CorrelationId::generate(), None),
        };
        request.extensions_mut().insert(correlation);
        let routes = Arc::clone(&self.routes);
        let method = request.method().clone();
        let timeout = self.timeout;
        let route = routes.index(request.uri().path());
        let span = tracing::info_span!(
            "request",
            http.method = %method,
            http.route = routes.template(route),
            correlation_id = correlation.as_str(),
        );
        let rule = routes.rule(route, &method);
        let console = routes.is_console(route);
        let mut router = self.router.clone();
        let state = Arc::clone(&self.state);
        // On the heap at once: the authorization and the route's futures make this one large (kilobytes), and it is
        // moved into the span's wrapper, the time limit and the boxed answer below; boxed, each move is a pointer
        // (callgrind counted these copies as a tenth of the instructions of a request).
        let answer = Box::pin(async move {
            let request = match rule {
                Some(Rule::Requires(operation)) if console => {
                    match crate::console::authorize(request, &state, operation).await {
                        Ok(request) => request,
                        Err(refusal) => return Ok(refusal),
                    }
                }
                Some(Rule::Requires(operation)) => {
                    match authorize(request, &state, operation).await {
                        Ok(request) => request,
                        Err(refusal) => return Ok(refusal.into_response()),
                    }
                }
                Some(Rule::Public | Rule::SignedIn) | None => request,
            };
            router.call(request).await
        });
        Box::pin(async move {
            let mut response = match tokio::time::timeout(timeout, answer.instrument(span.clone()))
                .await
            {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => {
                    let _entered = span.enter();
                    tracing::warn!(timeout_ms = timeout.as_millis() as u64, "request timed out");
                    ApiError::Timeout.into_response()
                }
            };
            let header = echoed.or_else(|| HeaderValue::from_str(correlation.as_str()).ok());
            if let Some(value) = header {
                response.headers_mut().insert(CORRELATION_HEADER, value);
            }
            let status = response.status();
            let elapsed = started.elapsed();
            routes
                .stats(route)
                .record(&method, status.as_u16(), elapsed);
            span.in_scope(|| {
                if status.is_server_error() {
                    tracing::error!(
                        http.status = status.as_u16(),
                        duration_us = elapsed.as_micros() as u64,
                        "request finished"
                    );
                } else {
                    tracing::debug!(
                        http.status = status.as_u16(),
                        duration_us = elapsed.as_micros() as u64,
                        "request finished"
                    );
                }
            });
            Ok(response)
        })
    }
}
