//! The OpenAPI document, generated from the handlers' annotations. `docs/openapi.json` is this document,
//! committed; a test fails when the two differ.

use std::sync::OnceLock;

use serde_json::{json, Value};

use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, Required, Response};
use utoipa::openapi::{ObjectBuilder, PathItem, Type};
use utoipa::{Modify, OpenApi};

use crate::handlers::federated_sign_in as federated;
use crate::handlers::subscriptions::{assignments, billing, read};
use crate::handlers::{
    acquisition, audit, credentials, domains, grants, license_requests, licenses, ops, partners,
    policies, takeover, token, trusted_issuers, users,
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
        policies::patch_products,
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
        credentials::list_credentials,
        credentials::add_credential,
        credentials::remove_credential,
        trusted_issuers::list_trusted_issuers,
        trusted_issuers::get_trusted_issuer,
        trusted_issuers::add_trusted_issuer,
        trusted_issuers::remove_trusted_issuer,
        trusted_issuers::set_sign_in,
        trusted_issuers::remove_sign_in,
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
        license_requests::create,
        license_requests::mine,
        license_requests::list_requests,
        license_requests::get_request,
        license_requests::approve,
        license_requests::deny,
        license_requests::share,
        license_requests::settings,
        license_requests::set_settings,
        partners::list_relationships,
        partners::request_relationship,
        partners::get_relationship,
        partners::approve_relationship,
        partners::end_relationship,
        partners::list_customers,
        token::token,
        token::tenant_token,
        token::discovery,
        grants::authorize,
        grants::tenant_authorize,
        grants::sign_in,
        grants::tenant_sign_in,
        grants::device_code,
        grants::tenant_device_code,
        grants::device_login,
        grants::device_login_submit,
        grants::revoke,
        grants::tenant_revoke,
        grants::logout,
        grants::tenant_logout,
        federated::start,
        federated::callback,
        token::jwks,
        token::tenant_discovery,
        token::tenant_jwks,
        ops::healthz,
        ops::readyz,
        ops::metrics,
        ops::openapi,
    ),
    modifiers(&BearerAuth, &SharedRefusals, &V1Twins),
    tags(
        (name = "policies", description = "AllowSelfServicePurchase, compatible with Microsoft's licensing service"),
        (name = "audit", description = "Who changed what"),
        (name = "users", description = "Users of the organization and its domains"),
        (name = "self-service", description = "Members buy and try products; services ask first"),
        (name = "subscriptions", description = "Self-service and central subscriptions and their licenses"),
        (name = "licenses", description = "Who holds the self-service licenses; export"),
        (name = "license-requests", description = "Members ask for licenses the policy keeps them from buying; admins answer"),
        (name = "take-over", description = "Move a self-service subscription's users to a central one, or cancel it"),
        (name = "partners", description = "Delegated admin relationships: a partner acts for its customers with the roles they grant"),
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
            let mut document = serde_json::to_value(&doc).expect("the OpenAPI document serializes");
            constrain(&mut document);
            let mut text =
                serde_json::to_string_pretty(&document).expect("the OpenAPI document serializes");
            text.push('\n');
            text
        })
        .clone()
}

/// A string that is not only whitespace: Rust's `trim` (which the checks use) also counts U+0085 as whitespace,
/// which ECMA-262's `\s` does not.
const NOT_ONLY_WHITESPACE: &str = "[^\\s\\u0085]";

/// A sign-in name as `check_upn` takes it, in visible ASCII (so that its 113 bytes are 113 characters): a name
/// without `@`, then `@` and a domain with a dot.
const UPN_PATTERN: &str = "^[!-?A-~]+@[!-~]*\\.[!-~]*$";

/// A domain name as `DomainName::parse` takes it: labels of 1 to 63 letters, digits and inner hyphens, at least two.
const DOMAIN_PATTERN: &str =
    "^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";

/// The rules the handlers and the domain apply to request fields, stated in the document so that what it allows
/// is what the service accepts (the fuzz pass in `.ci/fuzz` checks it). They are written here, over the JSON,
/// because utoipa's derive cannot say them: allowed words drawn from the domain's own lists, "exactly one of two
/// fields", and a requirement that depends on another field's value. A field the service reads as absent when it
/// is `null` is declared non-null: `null` would otherwise be allowed and then refused as missing.
fn constrain(document: &mut Value) {
    use mscommerce_domain::domains::MAX_DOMAIN_LENGTH;
    use mscommerce_domain::subscription::{MAX_CANCELLATION_COMMENT, MAX_QUANTITY};
    use mscommerce_domain::{
        AcquisitionKind, BillingFrequency, CancellationReason, DirectoryRole, PolicyValue,
        MAX_USERS_PER_REQUEST, MAX_VALUES_PER_CHANGE, MIN_PASSWORD_CHARS,
    };
    use mscommerce_store::UserType;

    let words = |names: Vec<&str>| json!({"type": "string", "enum": names});
    let quantity =
        json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_QUANTITY});
    let guids = |max: usize| json!({"type": "array", "items": {"type": "string", "format": "uuid"}, "minItems": 1, "maxItems": max});
    let billing = words(BillingFrequency::ALL.iter().map(|b| b.as_str()).collect());
    let target = json!([
        {"required": ["productId"], "not": {"required": ["offerType"]}},
        {"required": ["offerType"], "not": {"required": ["productId"]}},
    ]);
    let target_id = json!({"type": "string", "minLength": 1});
    let display_name = json!({"type": "string", "maxLength": 256, "pattern": NOT_ONLY_WHITESPACE});
    let user_type = words(UserType::ALL.iter().map(|t| t.as_str()).collect());
    // Not a common password either (a list of 19,640), which no schema can say.
    let password = json!({"type": "string", "minLength": MIN_PASSWORD_CHARS});
    let roles = json!({"type": "array", "items": words(
        DirectoryRole::ALL.iter().flat_map(|r| [r.name(), r.template_id()]).collect()
    )});
    let upn = json!({"type": "string", "maxLength": 113, "pattern": UPN_PATTERN});

    let schemas = &mut document["components"]["schemas"];
    let mut set = |schema: &str, property: &str, value: &Value| {
        let property_schema = &mut schemas[schema]["properties"][property];
        let description = property_schema.get("description").cloned();
        *property_schema = value.clone();
        if let Some(description) = description {
            property_schema["description"] = description;
        }
    };
    for schema in ["AcquisitionRequest", "CentralPurchase"] {
        set(schema, "productId", &target_id);
        set(schema, "offerType", &target_id);
        set(schema, "quantity", &quantity);
        set(schema, "billingFrequency", &billing);
    }
    set(
        "AcquisitionRequest",
        "acquisitionKind",
        &words(AcquisitionKind::ALL.iter().map(|k| k.as_str()).collect()),
    );
    set("SubscriptionChange", "quantity", &quantity);
    set(
        "SubscriptionChange",
        "autoRenew",
        &json!({"type": "boolean"}),
    );
    set("UserIds", "userIds", &guids(MAX_USERS_PER_REQUEST));
    set("ExportRequest", "subscriptionIds", &guids(1000));
    set(
        "MoveRequest",
        "targetSubscriptionId",
        &json!({"type": "string", "format": "uuid"}),
    );
    set(
        "CancelRequest",
        "reason",
        &words(CancellationReason::ALL.iter().map(|r| r.as_str()).collect()),
    );
    set(
        "CancelRequest",
        "comment",
        &json!({"type": "string", "maxLength": MAX_CANCELLATION_COMMENT}),
    );
    set("CancelRequest", "confirm", &json!({"type": "boolean"}));
    set("NewUserRequest", "userPrincipalName", &upn);
    set("NewUserRequest", "displayName", &display_name);
    set("NewUserRequest", "userType", &user_type);
    set("NewUserRequest", "password", &password);
    set("NewUserRequest", "roles", &roles);
    set("UserPatch", "displayName", &display_name);
    set("UserPatch", "userType", &user_type);
    set("UserPatch", "accountEnabled", &json!({"type": "boolean"}));
    set("UserPatch", "password", &password);
    set("UserPatch", "roles", &roles);
    set(
        "NewDomainRequest",
        "id",
        &json!({"type": "string", "maxLength": MAX_DOMAIN_LENGTH, "pattern": DOMAIN_PATTERN}),
    );
    set(
        "PolicyUpdate",
        "policyValue",
        &words(PolicyValue::ALL.iter().map(|v| v.as_str()).collect()),
    );

    set(
        "PolicyValueEntry",
        "policyValue",
        &words(PolicyValue::ALL.iter().map(|v| v.as_str()).collect()),
    );
    set("PolicyValueEntry", "productId", &target_id);
    set("PolicyValueEntry", "offerType", &target_id);
    set("PolicyValueEntry", "ifMatch", &json!({"type": "string"}));
    set(
        "PolicyValuesUpdate",
        "values",
        &json!({"type": "array", "items": {"$ref": "#/components/schemas/PolicyValueEntry"},
            "minItems": 1, "maxItems": MAX_VALUES_PER_CHANGE}),
    );

    // A provider's sign-in: a client ID without spaces, a secret without spaces at its ends, a button's text.
    {
        use mscommerce_domain::federation::{
            MAX_BUTTON_CHARS, MAX_CLIENT_SECRET_CHARS, MAX_SETTING_CHARS,
        };
        set(
            "SignInRequest",
            "clientId",
            &json!({"type": "string", "maxLength": MAX_SETTING_CHARS, "pattern": "^[!-~]+$"}),
        );
        set(
            "SignInRequest",
            "clientSecret",
            &json!({"type": ["string", "null"], "maxLength": MAX_CLIENT_SECRET_CHARS, "pattern": "^[!-~]([ -~]*[!-~])?$"}),
        );
        set(
            "SignInRequest",
            "buttonText",
            &json!({"type": ["string", "null"], "maxLength": MAX_BUTTON_CHARS, "pattern": "^[ -~]*[!-~][ -~]*$"}),
        );
    }

    // A relationship asks for at least one role; an approval names some of them and an RFC 3339 end.
    let some_roles = json!({"type": "array", "items": roles["items"].clone(), "minItems": 1});
    set("NewRelationshipRequest", "roles", &some_roles);
    set("NewRelationshipRequest", "customerTenantId", &target_id);
    set("ApproveRelationshipRequest", "roles", &some_roles);
    set(
        "ApproveRelationshipRequest",
        "endDateTime",
        &json!({"type": "string", "format": "date-time"}),
    );

    // License requests: a request names exactly one target; messages are bounded; the organization's own process
    // needs an http(s) link, and something to show (a message or a link) when it is on.
    {
        use mscommerce_domain::license_requests::{
            MAX_PROCESS_LINK, MAX_REQUEST_MESSAGE, MAX_REQUEST_USERS, MAX_SHARE_RECIPIENTS,
        };
        let message = json!({"type": "string", "maxLength": MAX_REQUEST_MESSAGE});
        let uuids = |min: usize, max: usize| json!({"type": "array", "items": {"type": "string", "format": "uuid"}, "minItems": min, "maxItems": max});
        set("NewLicenseRequestBody", "productId", &target_id);
        set("NewLicenseRequestBody", "offerType", &target_id);
        set("NewLicenseRequestBody", "message", &message);
        set(
            "NewLicenseRequestBody",
            "userIds",
            &uuids(0, MAX_REQUEST_USERS),
        );
        set(
            "ApproveBody",
            "subscriptionId",
            &json!({"type": "string", "format": "uuid"}),
        );
        set("ApproveBody", "userIds", &uuids(1, MAX_REQUEST_USERS + 1));
        set("ApproveBody", "message", &message);
        set("DenyBody", "message", &message);
        set("ShareBody", "userIds", &uuids(1, MAX_SHARE_RECIPIENTS));
        set("ShareBody", "message", &message);
        set(
            "RequestProcessView",
            "useOrganizationProcess",
            &json!({"type": "boolean"}),
        );
        set(
            "RequestProcessView",
            "message",
            &json!({"type": ["string", "null"], "maxLength": MAX_REQUEST_MESSAGE}),
        );
        set(
            "RequestProcessView",
            "link",
            &json!({"type": ["string", "null"], "maxLength": MAX_PROCESS_LINK, "pattern": "^https?://[!-~]+$"}),
        );
    }

    schemas["NewLicenseRequestBody"]["oneOf"] = target.clone();
    schemas["RequestProcessView"]["anyOf"] = json!([
        {"properties": {"useOrganizationProcess": {"const": false}}},
        {"required": ["message"], "properties": {"message": {"type": "string", "pattern": NOT_ONLY_WHITESPACE}}},
        {"required": ["link"], "properties": {"link": {"type": "string"}}},
    ]);
    schemas["PolicyValueEntry"]["oneOf"] = target.clone();
    schemas["AcquisitionRequest"]["oneOf"] = target.clone();
    schemas["AcquisitionRequest"]["required"] = json!(["acquisitionKind"]);
    schemas["CentralPurchase"]["oneOf"] = target.clone();
    // A change names at least one of its two fields.
    schemas["SubscriptionChange"]["minProperties"] = json!(1);
    // `Other` needs a comment that is more than whitespace.
    schemas["CancelRequest"]["anyOf"] = json!([
        {"properties": {"reason": {"not": {"const": CancellationReason::Other.as_str()}}}},
        {"required": ["comment"], "properties": {"comment": {"pattern": NOT_ONLY_WHITESPACE}}},
    ]);

    // An admin's take-over cancel must say `"confirm": true`.
    let take_over_cancel =
        &mut document["paths"]["/v1.0/subscriptions/{subscriptionId}/takeOver/cancel"]["post"];
    take_over_cancel["requestBody"]["content"]["application/json"]["schema"] = json!({"allOf": [
        {"$ref": "#/components/schemas/CancelRequest"},
        {"required": ["confirm"], "properties": {"confirm": {"const": true}}},
    ]});

    // IDs in paths are GUIDs (`request::parse_subscription_id`, `parse_user_id`); anything else is a 400.
    for item in document["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for operation in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            let mut takes_guid = false;
            // `get_mut`, not indexing: indexing a JSON object inserts a `null` for a key it lacks.
            let parameters = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut);
            for parameter in parameters.into_iter().flatten() {
                let guid = parameter["in"] == "path"
                    && matches!(
                        parameter["name"].as_str(),
                        Some("subscriptionId" | "userId" | "requestId" | "relationshipId")
                    );
                if guid {
                    parameter["schema"] = json!({"type": "string", "format": "uuid"});
                    takes_guid = true;
                }
            }
            let responses = &mut operation["responses"];
            if takes_guid && responses.get("400").is_none() {
                responses["400"] = json!({
                    "description": "`InvalidPathParameter` or `InvalidRequestId`: an ID in the path is not a GUID",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mscommerce_domain::{AcquisitionKind, CancellationReason};

    fn document() -> Value {
        serde_json::from_str(&document_json()).unwrap()
    }

    #[test]
    fn allowed_words_are_the_domains() {
        let document = document();
        let schemas = &document["components"]["schemas"];
        let words =
            |schema: &str, property: &str| schemas[schema]["properties"][property]["enum"].clone();
        assert_eq!(
            words("AcquisitionRequest", "acquisitionKind"),
            json!(AcquisitionKind::ALL.map(|k| k.as_str()))
        );
        assert_eq!(
            words("CancelRequest", "reason"),
            json!(CancellationReason::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>())
        );
        assert_eq!(
            schemas["AcquisitionRequest"]["required"],
            json!(["acquisitionKind"])
        );
    }

    #[test]
    fn ids_in_paths_are_guids_that_may_be_refused() {
        let document = document();
        let mut seen = 0;
        for item in document["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                assert!(
                    operation.get("parameters").is_none_or(Value::is_array),
                    "parameters is a list when present: {operation}"
                );
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    if parameter["in"] == "path" && parameter["name"] == "subscriptionId" {
                        seen += 1;
                        assert_eq!(parameter["schema"]["format"], "uuid");
                        assert!(operation["responses"].get("400").is_some());
                    }
                }
            }
        }
        assert!(seen >= 6, "only {seen} operations take a subscription ID");
    }
}
