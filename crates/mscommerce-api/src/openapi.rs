//! The OpenAPI document, generated from the handlers' annotations. `docs/openapi.json` is this document,
//! committed; a test fails when the two differ.

use std::sync::OnceLock;

use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, Required, Response};
use utoipa::openapi::{ObjectBuilder, PathItem, Type};
use utoipa::{Modify, OpenApi};

use crate::handlers::subscriptions::{assignments, billing, read};
use crate::handlers::{acquisition, audit, licenses, ops, policies, takeover, token, users};

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
    modifiers(&BearerAuth, &SharedRefusals, &V1Twins),
    tags(
        (name = "policies", description = "AllowSelfServicePurchase, compatible with Microsoft's licensing service"),
        (name = "audit", description = "Who changed what"),
        (name = "users", description = "Users of the organization"),
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

/// The refusals that come from the extractors every handler shares, documented where they apply instead of in
/// each annotation: a JSON body (`JsonBody`) answers 413 and 415, a bearer token (`Caller`) 401, and a change
/// that takes `If-Match` also evaluates `If-None-Match` (`request::expected_version`) and answers 412.
struct SharedRefusals;

impl SharedRefusals {
    fn add(operation: &mut Operation, status: &str, description: &str) {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                Response::builder()
                    .description(description)
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                    )
                    .build()
                    .into()
            });
    }
}

impl Modify for SharedRefusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let json_body = operation
                    .request_body
                    .as_ref()
                    .is_some_and(|body| body.content.contains_key("application/json"));
                if json_body {
                    Self::add(
                        operation,
                        "413",
                        "`PayloadTooLarge`: the body exceeds `body_limit_bytes`",
                    );
                    Self::add(
                        operation,
                        "415",
                        "`UnsupportedMediaType`: the body is not sent as `application/json`",
                    );
                }
                if operation.security.is_some() {
                    Self::add(operation, "401", "`Unauthorized`: no valid bearer token");
                }
                let parameters = operation.parameters.get_or_insert_with(Vec::new);
                let takes_if_match = parameters
                    .iter()
                    .any(|p| p.parameter_in == ParameterIn::Header && p.name == "If-Match");
                let takes_if_none_match = parameters
                    .iter()
                    .any(|p| p.parameter_in == ParameterIn::Header && p.name == "If-None-Match");
                if takes_if_match && !takes_if_none_match {
                    parameters.push(
                        ParameterBuilder::new()
                            .name("If-None-Match")
                            .parameter_in(ParameterIn::Header)
                            .required(Required::False)
                            .description(Some("`*` or ETags: the change fails (412) if the resource has one of them"))
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                            .build(),
                    );
                }
                if parameters.is_empty() {
                    operation.parameters = None;
                }
                if takes_if_match {
                    Self::add(operation, "412", "`PreconditionFailed`: `If-Match` or `If-None-Match` does not hold; the reason gives the current ETag");
                }
            }
        }
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
