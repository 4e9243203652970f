//! The OpenAPI document, generated from the handlers' annotations. `docs/openapi.json` is this document,
//! committed; a test fails when the two differ.

use std::sync::OnceLock;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::PathItem;
use utoipa::{Modify, OpenApi};

use crate::handlers::subscriptions::{assignments, billing, read};
use crate::handlers::{
    acquisition, audit, domains, licenses, ops, policies, takeover, token, users,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mscommerce",
        description = "Self-service purchase policy of Microsoft 365 commerce (the API of the MSCommerce \
                       PowerShell module), with sign-in and audit. The policy paths and /v1.0/auditLogs/policyChanges also \
                       exist under /v1/.",
        license(name = "MIT"),
    ),
    paths(
        policies::list_policies,
        policies::get_policy,
        policies::list_products,
        policies::get_product,
        policies::put_product,
        policies::get_offer_type,
        policies::put_offer_type,
        audit::policy_changes,
        audit::events,
        users::create_user,
        users::list_users,
        users::get_user,
        users::update_user,
        domains::list_domains,
        domains::get_domain,
        domains::add_domain,
        acquisition::decision,
        acquisition::acquire,
        read::my_subscriptions,
        read::list_subscriptions,
        billing::buy_central,
        read::get_subscription,
        billing::change_subscription,
        assignments::assign_users,
        assignments::unassign_users,
        billing::cancel,
        takeover::move_users,
        takeover::cancel,
        licenses::products,
        licenses::product_holders,
        licenses::export_users,
        token::token,
        token::tenant_token,
        token::discovery,
        token::jwks,
        ops::healthz,
        ops::readyz,
        ops::metrics,
        ops::openapi,
    ),
    modifiers(&BearerAuth, &V1Twins),
    tags(
        (name = "policies", description = "AllowSelfServicePurchase, compatible with Microsoft's licensing service"),
        (name = "audit", description = "Who changed what"),
        (name = "users", description = "Users of the organization and its domains"),
        (name = "self-service", description = "Members buy and try products; services ask first"),
        (name = "subscriptions", description = "Self-service and central subscriptions and their licenses"),
        (name = "licenses", description = "Who holds the self-service licenses; export"),
        (name = "take-over", description = "Move a self-service subscription's users to a central one, or cancel it"),
        (name = "sign-in", description = "The built-in OAuth2 issuer"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from /oauth2/v2.0/token (or a trusted issuer)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The compatible paths also answer under `/v1/` (Microsoft365DSC calls that prefix); the document says so too,
/// with operation IDs made unique. Our own endpoints are under `/v1.0/` only.
struct V1Twins;

impl Modify for V1Twins {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let twins: Vec<(String, PathItem)> = openapi
            .paths
            .paths
            .iter()
            .filter_map(|(path, item)| {
                let rest = path
                    .strip_prefix("/v1.0")
                    .filter(|rest| crate::COMPATIBLE_PATHS.contains(rest))?;
                let mut twin = item.clone();
                for operation in [
                    &mut twin.get,
                    &mut twin.put,
                    &mut twin.post,
                    &mut twin.delete,
                    &mut twin.patch,
                ]
                .into_iter()
                .flatten()
                {
                    operation.operation_id =
                        operation.operation_id.as_ref().map(|id| format!("{id}_v1"));
                }
                Some((format!("/v1{rest}"), twin))
            })
            .collect();
        openapi.paths.paths.extend(twins);
    }
}

/// The document as pretty JSON, built once.
pub fn document_json() -> String {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| {
            let mut doc = ApiDoc::openapi();
            doc.info.version = env!("CARGO_PKG_VERSION").to_string();
            let mut text = doc
                .to_pretty_json()
                .expect("the OpenAPI document serializes");
            text.push('\n');
            text
        })
        .clone()
}
