//! The HTTP API of mscommerce: router, handlers, extractors, the error envelope, OpenAPI, middleware.
//!
//! Data flows one way: a handler authenticates and validates, asks the domain crate to decide, and the store to
//! persist. Handlers never know which database runs.

mod error;
mod extract;
mod handlers;
mod metrics;
mod middleware;
pub mod openapi;
mod paging;
mod policy_cache;
mod rendered;
mod request;
mod response;
mod sign_in_guard;
mod state;
mod subscriptions;
mod user_cache;
mod views;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::routing::{get, post, MethodRouter};
use axum::Router;

pub use error::{ApiError, ErrorBody};
pub use metrics::Metrics;
pub use middleware::{Observed, CORRELATION_HEADER};
pub use policy_cache::PolicyCache;
pub use rendered::RenderedPolicies;
pub use sign_in_guard::SignInGuard;
pub use state::{ApiSettings, AppState, Services};
pub use user_cache::UserCache;

use handlers::subscriptions::{assignments, billing, read};
use handlers::{acquisition, audit, licenses, ops, policies, takeover, token, users};

/// The router being built, and the template of every route it holds (for the observing layer's labels).
struct Routes {
    router: Router<AppState>,
    templates: Vec<String>,
}

impl Routes {
    fn route(mut self, template: &str, methods: MethodRouter<AppState>) -> Routes {
        self.router = self.router.route(template, methods);
        self.templates.push(template.to_string());
        self
    }
}

/// The compatible paths, after their version prefix: registered under both `/v1.0` and `/v1` (Microsoft365DSC
/// calls `/v1`), and documented under both. Our own endpoints exist under `/v1.0` only.
pub(crate) const COMPATIBLE_PATHS: [&str; 6] = [
    "/policies",
    "/policies/{policyId}",
    "/policies/{policyId}/products",
    "/policies/{policyId}/products/{productId}",
    "/policies/{policyId}/offerTypes/{offerType}",
    "/auditLogs/policyChanges",
];

/// The compatible routes (every one of [`COMPATIBLE_PATHS`]), under one version prefix.
fn versioned(routes: Routes, prefix: &str) -> Routes {
    routes
        .route(&format!("{prefix}/policies"), get(policies::list_policies))
        .route(
            &format!("{prefix}/policies/{{policyId}}"),
            get(policies::get_policy),
        )
        .route(
            &format!("{prefix}/policies/{{policyId}}/products"),
            get(policies::list_products),
        )
        .route(
            &format!("{prefix}/policies/{{policyId}}/products/{{productId}}"),
            get(policies::get_product).put(policies::put_product),
        )
        .route(
            &format!("{prefix}/policies/{{policyId}}/offerTypes/{{offerType}}"),
            get(policies::get_offer_type).put(policies::put_offer_type),
        )
        .route(
            &format!("{prefix}/auditLogs/policyChanges"),
            get(audit::policy_changes),
        )
}

/// Our own endpoints: users, self-service acquisition, subscriptions, licenses, take-over, the whole audit log.
fn own(routes: Routes) -> Routes {
    routes
        .route("/v1.0/auditLogs/events", get(audit::events))
        .route(
            "/v1.0/users",
            get(users::list_users).post(users::create_user),
        )
        .route(
            "/v1.0/users/{userId}",
            get(users::get_user).patch(users::update_user),
        )
        .route("/v1.0/acquisitionDecisions", get(acquisition::decision))
        .route(
            "/v1.0/me/subscriptions",
            get(read::my_subscriptions).post(acquisition::acquire),
        )
        .route(
            "/v1.0/subscriptions",
            get(read::list_subscriptions).post(billing::buy_central),
        )
        .route(
            "/v1.0/subscriptions/exportUsers",
            post(licenses::export_users),
        )
        .route(
            "/v1.0/subscriptions/{subscriptionId}",
            get(read::get_subscription).patch(billing::change_subscription),
        )
        .route(
            "/v1.0/subscriptions/{subscriptionId}/assignUsers",
            post(assignments::assign_users),
        )
        .route(
            "/v1.0/subscriptions/{subscriptionId}/unassignUsers",
            post(assignments::unassign_users),
        )
        .route(
            "/v1.0/subscriptions/{subscriptionId}/cancel",
            post(billing::cancel),
        )
        .route(
            "/v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers",
            post(takeover::move_users),
        )
        .route(
            "/v1.0/subscriptions/{subscriptionId}/takeOver/cancel",
            post(takeover::cancel),
        )
        .route("/v1.0/licenses/products", get(licenses::products))
        .route(
            "/v1.0/licenses/products/{productId}",
            get(licenses::product_holders),
        )
}

/// The whole service: every route, behind the layer that gives each request its correlation id, span, time limit
/// and metrics.
pub fn service(state: AppState) -> Observed {
    let routes = routes(state.settings.body_limit_bytes);
    let router = with_fallbacks(routes.router).with_state(state.clone());
    let labels = middleware::RouteLabels::new(routes.templates, &state.metrics);
    Observed::new(router, labels, state.settings.request_timeout)
}

/// Every route the service answers.
fn routes(body_limit_bytes: usize) -> Routes {
    // Bodies are read by `JsonBody`, which enforces the limit itself, and by the token endpoint's form: only
    // those two routes carry the limit as a layer (a router-wide layer would cost every request; see
    // middleware.rs).
    let token_body_limit = DefaultBodyLimit::max(body_limit_bytes);
    let routes = Routes {
        router: Router::new(),
        templates: Vec::new(),
    };
    own(versioned(versioned(routes, "/v1.0"), "/v1"))
        .route(
            "/oauth2/v2.0/token",
            post(token::token).layer(token_body_limit),
        )
        .route(
            "/{tenantId}/oauth2/v2.0/token",
            post(token::tenant_token).layer(token_body_limit),
        )
        .route("/.well-known/openid-configuration", get(token::discovery))
        .route("/discovery/v2.0/keys", get(token::jwks))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
}

/// Unknown routes and methods answer in the error envelope too.
fn with_fallbacks(router: Router<AppState>) -> Router<AppState> {
    router
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn route_not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(
        "RouteNotFound",
        format!(
            "There is no {method} {}. The API is described at /openapi.json.",
            uri.path()
        ),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "{} does not answer {method}. The methods of each path are listed at /openapi.json.",
        uri.path()
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use mscommerce_auth::{Hasher, Jwks, SigningKey, TokenIssuer, TokenVerifier};
    use mscommerce_domain::Catalog;
    use mscommerce_store::SqliteStore;
    use tower_service::Service;

    use super::*;
    use crate::sign_in_guard::SignInGuard;

    const METHODS: [Method; 5] = [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
    ];

    async fn state() -> AppState {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let catalog = Arc::new(Catalog::embedded());
        let key = SigningKey::generate().unwrap();
        let url = "http://127.0.0.1:1";
        Arc::new(Services {
            store: Arc::new(store),
            rendered: RenderedPolicies::new(&catalog),
            catalog,
            policies: PolicyCache::new(),
            users: UserCache::default(),
            issuer: TokenIssuer {
                issuer: url.into(),
                audience: "aud".into(),
                key: key.clone(),
            },
            verifier: TokenVerifier::new(url, "aud", std::slice::from_ref(&key)),
            hasher: Hasher::for_this_machine(),
            sign_ins: SignInGuard::default(),
            jwks: Jwks {
                keys: vec![key.jwk()],
            },
            settings: ApiSettings {
                public_url: url.into(),
                request_timeout: Duration::from_secs(5),
                body_limit_bytes: 64 * 1024,
                trust_forwarded_for: false,
            },
            metrics: Metrics::default(),
            started: Instant::now(),
        })
    }

    /// The methods and path of every operation the OpenAPI document declares.
    fn documented() -> BTreeSet<(String, String)> {
        let document: serde_json::Value = serde_json::from_str(&openapi::document_json()).unwrap();
        let mut operations = BTreeSet::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                operations.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
        operations
    }

    /// The router is asked every method of every template it registered (parameters filled in); a method it does
    /// not route reaches the 405 fallback.
    #[tokio::test]
    async fn the_router_and_the_openapi_document_have_the_same_operations() {
        let routes = routes(64 * 1024);
        let templates = routes.templates.clone();
        let mut router = with_fallbacks(routes.router).with_state(state().await);
        let mut routed = BTreeSet::new();
        for template in &templates {
            let path: String = template
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "x"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            for method in METHODS {
                let request = Request::builder()
                    .method(method.clone())
                    .uri(&path)
                    .body(Body::empty())
                    .unwrap();
                let response = router.call(request).await.unwrap();
                if response.status() != StatusCode::METHOD_NOT_ALLOWED {
                    routed.insert((method.to_string(), template.clone()));
                }
            }
        }
        let documented = documented();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        assert!(
            unrouted.is_empty() && undocumented.is_empty(),
            "documented but not routed: {unrouted:?}; routed but not documented: {undocumented:?}"
        );
        assert!(routed.contains(&(
            "PUT".into(),
            "/v1/policies/{policyId}/products/{productId}".into()
        )));
    }
}
