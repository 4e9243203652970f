//! The HTTP API of mscommerce: router, handlers, extractors, the error envelope, OpenAPI, middleware.
//!
//! Data flows one way: a handler authenticates and validates, asks the domain crate to decide, and the store to
//! persist. Handlers never know which database runs.

mod access_rules;
mod console;
mod delegation;
mod directory_cache;
mod error;
mod extract;
mod federated_sign_in;
mod federation;
mod handlers;
mod metrics;
mod middleware;
mod oauth;
pub mod openapi;
mod pages;
mod paging;
mod policy_cache;
mod rendered;
mod request;
mod response;
mod sign_in_guard;
mod state;
mod subscriptions;
mod tenants;
mod user_sign_in;
mod views;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;

pub use directory_cache::{DirectoryCache, DEFAULT_ENTRIES as DEFAULT_CACHED_PRINCIPALS};
pub use error::{ApiError, ErrorBody};
pub use federated_sign_in::RelyingParty;
pub use federation::Federation;
pub use metrics::{ConnectionCounters, Metrics};
pub use middleware::{Observed, CORRELATION_HEADER};
pub use policy_cache::{PolicyCache, DEFAULT_TENANTS as DEFAULT_CACHED_TENANTS};
pub use rendered::RenderedPolicies;
pub use sign_in_guard::SignInGuard;
pub use state::{ApiSettings, AppState, GrantLifetimes, Services};

use handlers::federated_sign_in as federated;
use handlers::subscriptions::{assignments, billing, read};
use handlers::{
    acquisition, audit, credentials, domains, grants, license_requests, licenses, ops, partners,
    policies, takeover, token, trusted_issuers, users,
};

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
            get(policies::list_products).patch(policies::patch_products),
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
        .route(
            "/v1.0/domains",
            get(domains::list_domains).post(domains::add_domain),
        )
        .route("/v1.0/domains/{domainId}", get(domains::get_domain))
        .route(
            "/v1.0/applications/{appId}/credentials",
            get(credentials::list_credentials).post(credentials::add_credential),
        )
        .route(
            "/v1.0/applications/{appId}/credentials/{keyId}",
            delete(credentials::remove_credential),
        )
        .route(
            "/v1.0/trustedIssuers",
            get(trusted_issuers::list_trusted_issuers).post(trusted_issuers::add_trusted_issuer),
        )
        .route(
            "/v1.0/trustedIssuers/{issuerId}",
            get(trusted_issuers::get_trusted_issuer).delete(trusted_issuers::remove_trusted_issuer),
        )
        .route(
            "/v1.0/trustedIssuers/{issuerId}/signIn",
            put(trusted_issuers::set_sign_in).delete(trusted_issuers::remove_sign_in),
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
        .route(
            "/v1.0/me/licenseRequests",
            get(license_requests::mine).post(license_requests::create),
        )
        .route(
            "/v1.0/licenseRequests",
            get(license_requests::list_requests),
        )
        .route(
            "/v1.0/licenseRequests/{requestId}",
            get(license_requests::get_request),
        )
        .route(
            "/v1.0/licenseRequests/{requestId}/approve",
            post(license_requests::approve),
        )
        .route(
            "/v1.0/licenseRequests/{requestId}/deny",
            post(license_requests::deny),
        )
        .route(
            "/v1.0/licenseRequests/{requestId}/share",
            post(license_requests::share),
        )
        .route(
            "/v1.0/licenseRequestSettings",
            get(license_requests::settings).put(license_requests::set_settings),
        )
        .route(
            "/v1.0/partner/relationships",
            get(partners::list_relationships).post(partners::request_relationship),
        )
        .route(
            "/v1.0/partner/relationships/{relationshipId}",
            get(partners::get_relationship),
        )
        .route(
            "/v1.0/partner/relationships/{relationshipId}/approve",
            post(partners::approve_relationship),
        )
        .route(
            "/v1.0/partner/relationships/{relationshipId}/end",
            post(partners::end_relationship),
        )
        .route("/v1.0/partner/customers", get(partners::list_customers))
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
    Observed::new(router, labels, state)
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
    console::routes(own(versioned(versioned(routes, "/v1.0"), "/v1")))
        .route(
            "/oauth2/v2.0/token",
            post(token::token).layer(token_body_limit),
        )
        .route(
            "/{tenantId}/oauth2/v2.0/token",
            post(token::tenant_token).layer(token_body_limit),
        )
        .route(
            "/oauth2/v2.0/authorize",
            get(grants::authorize)
                .post(grants::sign_in)
                .layer(token_body_limit),
        )
        .route(
            "/{tenantId}/oauth2/v2.0/authorize",
            get(grants::tenant_authorize)
                .post(grants::tenant_sign_in)
                .layer(token_body_limit),
        )
        .route(
            "/oauth2/v2.0/devicecode",
            post(grants::device_code).layer(token_body_limit),
        )
        .route(
            "/{tenantId}/oauth2/v2.0/devicecode",
            post(grants::tenant_device_code).layer(token_body_limit),
        )
        .route(
            "/devicelogin",
            get(grants::device_login)
                .post(grants::device_login_submit)
                .layer(token_body_limit),
        )
        .route(
            "/oauth2/v2.0/revoke",
            post(grants::revoke).layer(token_body_limit),
        )
        .route(
            "/{tenantId}/oauth2/v2.0/revoke",
            post(grants::tenant_revoke).layer(token_body_limit),
        )
        .route(federated_sign_in::START_PATH, get(federated::start))
        .route(federated_sign_in::CALLBACK_PATH, get(federated::callback))
        .route("/oauth2/v2.0/logout", get(grants::logout))
        .route("/{tenantId}/oauth2/v2.0/logout", get(grants::tenant_logout))
        .route("/.well-known/openid-configuration", get(token::discovery))
        .route("/discovery/v2.0/keys", get(token::jwks))
        .route(
            "/{tenantId}/v2.0/.well-known/openid-configuration",
            get(token::tenant_discovery),
        )
        .route("/{tenantId}/discovery/v2.0/keys", get(token::tenant_jwks))
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
    use mscommerce_auth::{Hasher, SigningKey, TokenIssuer, TokenVerifier};
    use mscommerce_domain::{AppPermission, Catalog, DirectoryRole, Principal};
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
            policies: PolicyCache::new(policy_cache::DEFAULT_TENANTS),
            directory: DirectoryCache::new(directory_cache::DEFAULT_ENTRIES),
            issuer: TokenIssuer::new(url, "aud", key.clone()),
            verifier: TokenVerifier::new(url, "aud", std::slice::from_ref(&key)),
            hasher: Hasher::for_this_machine(),
            sign_ins: SignInGuard::default(),
            relying_party: RelyingParty::new(Arc::new(
                mscommerce_auth::KeyEncryptionKey::generate().unwrap().0,
            )),
            federation: Federation::new(
                mscommerce_auth::external::ExternalKeys::new(None, Duration::from_secs(5), 60)
                    .unwrap(),
                60,
            ),
            settings: ApiSettings {
                public_url: url.into(),
                request_timeout: Duration::from_secs(5),
                body_limit_bytes: 64 * 1024,
                trust_forwarded_for: false,
                password_grant_enabled: true,
                grants: GrantLifetimes::default(),
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

    /// A template with its parameters filled in.
    fn path_of(template: &str) -> String {
        template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every (method, template) the router answers: it is asked every method of every template it registered
    /// (parameters filled in); a method it does not route reaches the 405 fallback.
    async fn routed_operations() -> BTreeSet<(String, String)> {
        let routes = routes(64 * 1024);
        let templates = routes.templates.clone();
        let mut router = with_fallbacks(routes.router).with_state(state().await);
        let mut routed = BTreeSet::new();
        for template in &templates {
            for method in METHODS {
                let request = Request::builder()
                    .method(method.clone())
                    .uri(path_of(template))
                    .body(Body::empty())
                    .unwrap();
                let response = router.call(request).await.unwrap();
                if response.status() != StatusCode::METHOD_NOT_ALLOWED {
                    routed.insert((method.to_string(), template.clone()));
                }
            }
        }
        routed
    }

    /// The console's pages are HTML for people, not the API: the document describes everything else.
    #[tokio::test]
    async fn the_router_and_the_openapi_document_have_the_same_operations() {
        let routed: BTreeSet<_> = routed_operations()
            .await
            .into_iter()
            .filter(|(_, template)| !console::is_console(template))
            .collect();
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

    /// The callers of the matrix walk: anonymous, a user of each role, a user with no role, and apps with each
    /// permission, all of one tenant, each with a real token of the service's issuer.
    async fn callers(state: &AppState) -> Vec<(String, Option<Principal>, Option<String>)> {
        use mscommerce_auth::{unix_now, TokenSubject};
        use mscommerce_store::{AuditActor, NewApp, NewTenant, NewUser, UserType};
        let actor = AuditActor::command_line("matrix-walk".into());
        let tenant = state
            .store
            .create_tenant(
                NewTenant {
                    id: None,
                    name: "Contoso".into(),
                    ..Default::default()
                },
                &actor,
            )
            .await
            .unwrap();
        let mut callers = vec![("anonymous".to_string(), None, None)];
        let mut roles: Vec<Option<DirectoryRole>> = DirectoryRole::ALL.map(Some).to_vec();
        roles.push(None);
        for role in roles {
            let name = role.map_or("no role", DirectoryRole::name);
            let user = state
                .store
                .create_user(
                    NewUser {
                        tenant_id: tenant.id,
                        upn: format!("{}@contoso.onmicrosoft.com", name.replace(' ', "-")),
                        display_name: name.into(),
                        user_type: UserType::Member,
                        password_hash: None,
                        roles: role
                            .map(|r| r.template_id().to_string())
                            .into_iter()
                            .collect(),
                    },
                    &actor,
                )
                .await
                .unwrap();
            let token = state.issuer.issue(
                &TokenSubject::User {
                    tenant_id: tenant.id,
                    object_id: user.id.as_uuid(),
                    upn: user.upn.clone(),
                    display_name: user.display_name.clone(),
                    role_ids: user.roles.clone(),
                    client_id: None,
                },
                unix_now(),
            );
            let principal = state.verifier.verify(&token).unwrap();
            callers.push((name.to_string(), Some((*principal).clone()), Some(token)));
        }
        for permission in AppPermission::ALL {
            let app = state
                .store
                .create_app(
                    NewApp {
                        tenant_id: tenant.id,
                        display_name: permission.as_str().into(),
                        secret_hash: "$argon2id$not-used".into(),
                        permissions: vec![permission.as_str().into()],
                    },
                    &actor,
                )
                .await
                .unwrap();
            let token = state.issuer.issue(
                &TokenSubject::App {
                    tenant_id: tenant.id,
                    object_id: app.object_id,
                    client_id: app.client_id,
                    display_name: app.display_name.clone(),
                    permissions: app.permissions.clone(),
                },
                unix_now(),
            );
            let principal = state.verifier.verify(&token).unwrap();
            callers.push((
                permission.as_str().to_string(),
                Some((*principal).clone()),
                Some(token),
            ));
        }
        callers
    }

    /// The matrix walk: every route the router has, called by every kind of caller through the whole service,
    /// answers as its rule in [`access_rules`] says. A route without a rule fails here; so does a handler that
    /// refuses what its rule allows, or that reads its body before refusing (the body sent is `{}`).
    #[tokio::test]
    async fn every_route_follows_its_access_rule_for_every_kind_of_caller() {
        use access_rules::Rule;
        let state = state().await;
        let callers = callers(&state).await;
        let mut service = service(state);
        let mut cells = 0;
        for (method, template) in routed_operations().await {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let rule = access_rules::rule(&method, &template)
                .unwrap_or_else(|| panic!("{method} {template} has no access rule"));
            // The console's credential is its session cookie, and its forms carry a CSRF token: the walk signs
            // in to it that way, with a token that matches.
            let console = console::is_console(&template);
            for (who, principal, token) in &callers {
                let mut request = Request::builder()
                    .method(method.clone())
                    .uri(path_of(&template));
                match token {
                    Some(token) if console => {
                        request = request.header(
                            "cookie",
                            format!("mscommerce_console={token}; mscommerce_console_csrf=walk"),
                        )
                    }
                    Some(token) => {
                        request = request.header("authorization", format!("Bearer {token}"))
                    }
                    None => {}
                }
                let body = if method == Method::GET {
                    Body::empty()
                } else if console {
                    request = request.header("content-type", "application/x-www-form-urlencoded");
                    Body::from("csrf_token=walk")
                } else {
                    request = request.header("content-type", "application/json");
                    Body::from("{}")
                };
                let response = service.call(request.body(body).unwrap()).await.unwrap();
                let status = response.status();
                let cell = format!("{who} {method} {template}: {status}");
                assert!(!status.is_server_error(), "{cell}");
                match (rule, principal) {
                    (Rule::Public, _) => assert!(
                        status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                        "{cell}: public"
                    ),
                    // A page sends a person without a session to sign in, and says so to a form.
                    (_, None) if console && method == Method::GET => {
                        assert_eq!(status, StatusCode::SEE_OTHER, "{cell}");
                        let location = response.headers()["location"].to_str().unwrap();
                        assert!(
                            location.starts_with("/console/signin?return="),
                            "{cell}: {location}"
                        );
                    }
                    (_, None) => assert_eq!(status, StatusCode::UNAUTHORIZED, "{cell}"),
                    (Rule::SignedIn, Some(_)) => {
                        assert_ne!(status, StatusCode::UNAUTHORIZED, "{cell}")
                    }
                    (Rule::Requires(operation), Some(principal)) => {
                        if principal.may(operation) {
                            assert!(
                                status != StatusCode::UNAUTHORIZED
                                    && status != StatusCode::FORBIDDEN,
                                "{cell}: allowed to {operation:?}"
                            );
                        } else {
                            assert_eq!(
                                status,
                                StatusCode::FORBIDDEN,
                                "{cell}: not allowed to {operation:?}"
                            );
                        }
                    }
                }
                cells += 1;
            }
        }
        // Every caller over every route (56 of them today, and the console's 23): a walk that checks little
        // fails here too.
        assert_eq!(callers.len(), 9);
        assert!(cells >= callers.len() * 70, "{cells} cells");
    }

    /// The session cookie authenticates the console's pages only, and a bearer token the API only: a page of another
    /// site that makes the browser send the cookie to the API gets nothing, and a token alone opens no page.
    #[tokio::test]
    async fn the_session_cookie_and_the_bearer_token_never_stand_for_each_other() {
        let state = state().await;
        let callers = callers(&state).await;
        let admin = callers
            .iter()
            .find(|(who, ..)| who == DirectoryRole::GlobalAdministrator.name())
            .and_then(|(_, _, token)| token.clone())
            .unwrap();
        let mut service = service(state);
        let api = Request::builder()
            .uri("/v1.0/subscriptions")
            .header("cookie", format!("mscommerce_console={admin}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            service.call(api).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        let page = Request::builder()
            .uri("/console/billing/products")
            .header("authorization", format!("Bearer {admin}"))
            .body(Body::empty())
            .unwrap();
        let answer = service.call(page).await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let with_cookie = Request::builder()
            .uri("/console/billing/products")
            .header("cookie", format!("mscommerce_console={admin}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            service.call(with_cookie).await.unwrap().status(),
            StatusCode::OK
        );
    }

    /// `JsonBody` refuses a body not sent as JSON with 415 and one too large with 413, on every route that reads
    /// one: the document must say so wherever it declares a JSON body.
    #[test]
    fn every_operation_with_a_json_body_documents_413_and_415() {
        let document: serde_json::Value = serde_json::from_str(&openapi::document_json()).unwrap();
        let mut with_body = 0;
        let mut missing = Vec::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if operation["requestBody"]["content"]
                    .get("application/json")
                    .is_none()
                {
                    continue;
                }
                with_body += 1;
                for status in ["413", "415"] {
                    if operation["responses"].get(status).is_none() {
                        missing.push(format!("{method} {path}: {status}"));
                    }
                }
            }
        }
        assert!(
            with_body >= 15,
            "only {with_body} operations with a JSON body"
        );
        assert!(missing.is_empty(), "undocumented: {missing:?}");
    }
}
