//! Who may call each route: the role matrix of the domain ([`Operation::allowed_for`]) applied to the HTTP API.
//!
//! Every route has a rule here, and the observing layer ([`crate::middleware`]) enforces `Requires` rules before
//! the router runs, on the caller's current state ([`crate::directory_cache`]): a caller who may not do what the
//! route does gets 403 before its body is read, whatever the handler does. Handlers still ask the matrix where the
//! answer depends on the resource (a subscription's purchaser, the user a decision is for). A route without a rule
//! fails the test at the bottom of this file, which walks every route the router has with every kind of caller.

use axum::http::Method;
use mscommerce_domain::Operation;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Anyone, signed in or not: sign-in itself, discovery, health, metrics, the API's description.
    Public,
    /// Any signed-in caller; the handler decides per resource (its own subscriptions and decisions, or those the
    /// matrix lets it manage).
    SignedIn,
    /// What the role matrix allows for this operation.
    Requires(Operation),
}

/// The rule of `method` on the route `template` (as registered, with its version prefix); `None` for a method the
/// route does not answer.
pub(crate) fn rule(method: &Method, template: &str) -> Option<Rule> {
    use Operation::*;
    use Rule::*;
    // The compatible paths answer under /v1.0 and /v1 alike.
    let path = template
        .strip_prefix("/v1.0")
        .or_else(|| template.strip_prefix("/v1"))
        .filter(|rest| crate::COMPATIBLE_PATHS.contains(rest) || template.starts_with("/v1.0/"))
        .unwrap_or(template);
    let rule = match (method.as_str(), path) {
        ("GET", "/policies")
        | ("GET", "/policies/{policyId}")
        | ("GET", "/policies/{policyId}/products")
        | ("GET", "/policies/{policyId}/products/{productId}")
        | ("GET", "/policies/{policyId}/offerTypes/{offerType}")
        | ("GET", "/auditLogs/policyChanges") => Requires(ReadPolicy),
        ("PUT", "/policies/{policyId}/products/{productId}")
        | ("PUT", "/policies/{policyId}/offerTypes/{offerType}")
        | ("PATCH", "/policies/{policyId}/products") => Requires(WritePolicy),
        ("GET", "/auditLogs/events") => Requires(ReadSubscriptions),
        ("GET", "/users") | ("GET", "/users/{userId}") => Requires(ReadUsers),
        ("POST", "/users") | ("PATCH", "/users/{userId}") => Requires(ManageUsers),
        ("GET", "/domains") | ("GET", "/domains/{domainId}") => Requires(ReadUsers),
        ("POST", "/domains") => Requires(ManageDomains),
        ("GET", "/applications/{appId}/credentials")
        | ("POST", "/applications/{appId}/credentials")
        | ("DELETE", "/applications/{appId}/credentials/{keyId}") => Requires(ManageAppCredentials),
        ("GET", "/trustedIssuers") | ("GET", "/trustedIssuers/{issuerId}") => {
            Requires(ReadTrustedIssuers)
        }
        ("POST", "/trustedIssuers")
        | ("DELETE", "/trustedIssuers/{issuerId}")
        | ("PUT" | "DELETE", "/trustedIssuers/{issuerId}/signIn") => Requires(ManageTrustedIssuers),
        // A user asks about itself; asking about another needs ReadPolicy (the handler checks).
        ("GET", "/acquisitionDecisions") => SignedIn,
        ("GET", "/me/subscriptions") | ("POST", "/me/subscriptions") => SignedIn,
        ("GET", "/subscriptions") => Requires(ReadSubscriptions),
        ("POST", "/subscriptions") => Requires(ManageSubscriptions),
        ("POST", "/subscriptions/exportUsers") => Requires(ReadLicenses),
        // Purchasers read and manage their own self-service subscriptions; admins what the matrix lets them.
        ("GET", "/subscriptions/{subscriptionId}")
        | ("PATCH", "/subscriptions/{subscriptionId}")
        | ("POST", "/subscriptions/{subscriptionId}/assignUsers")
        | ("POST", "/subscriptions/{subscriptionId}/unassignUsers")
        | ("POST", "/subscriptions/{subscriptionId}/cancel") => SignedIn,
        ("POST", "/subscriptions/{subscriptionId}/takeOver/moveUsers")
        | ("POST", "/subscriptions/{subscriptionId}/takeOver/cancel") => {
            Requires(ManageSubscriptions)
        }
        // A member asks and reads their own; any user reads the organization's request process (to show it).
        ("GET" | "POST", "/me/licenseRequests") | ("GET", "/licenseRequestSettings") => SignedIn,
        ("PUT", "/licenseRequestSettings") => Requires(AnswerLicenseRequests),
        ("GET", "/licenseRequests") => Requires(ReadLicenseRequests),
        // A requester reads their own request; admins any (the handler checks).
        ("GET", "/licenseRequests/{requestId}") => SignedIn,
        (
            "POST",
            "/licenseRequests/{requestId}/approve"
            | "/licenseRequests/{requestId}/deny"
            | "/licenseRequests/{requestId}/share",
        ) => Requires(AnswerLicenseRequests),
        ("GET", "/licenses/products") | ("GET", "/licenses/products/{productId}") => {
            Requires(ReadLicenses)
        }
        // The console: its rules are the REST routes' that its pages call (each page calls those handlers, which
        // check again); the credential is the session cookie.
        ("GET", "/console/assets/{file}")
        | ("GET", "/console/signin" | "/console/signin/callback" | "/console/signin/renew") => {
            Public
        }
        ("GET", "/console") | ("POST", "/console/signout") => SignedIn,
        ("GET", "/console/billing/products") | ("GET", "/console/audit") => {
            Requires(ReadSubscriptions)
        }
        // A purchaser's own subscription, or any an admin may read; its purchaser's changes and cancel.
        (
            "GET" | "POST",
            "/console/billing/subscriptions/{subscriptionId}"
            | "/console/billing/subscriptions/{subscriptionId}/cancel",
        ) => SignedIn,
        (
            "GET",
            "/console/billing/subscriptions/{subscriptionId}/takeover"
            | "/console/billing/subscriptions/{subscriptionId}/move",
        )
        | ("POST", "/console/billing/subscriptions/{subscriptionId}/move") => {
            Requires(ManageSubscriptions)
        }
        ("GET", "/console/billing/purchase") => Requires(ReadSubscriptions),
        ("POST", "/console/billing/purchase") => Requires(ManageSubscriptions),
        (
            "GET",
            "/console/billing/licenses/requests" | "/console/billing/licenses/requests/{requestId}",
        ) => Requires(ReadLicenseRequests),
        (
            "POST",
            "/console/billing/licenses/requests/settings"
            | "/console/billing/licenses/requests/{requestId}",
        ) => Requires(AnswerLicenseRequests),
        ("GET", "/console/billing/licenses" | "/console/billing/licenses/{productId}")
        | ("POST", "/console/billing/licenses/{productId}/export") => Requires(ReadLicenses),
        (
            "GET",
            "/console/settings/org"
            | "/console/settings/services/self-service-trials-and-purchases",
        ) => Requires(ReadPolicy),
        ("POST", "/console/settings/services/self-service-trials-and-purchases") => {
            Requires(WritePolicy)
        }
        ("GET", "/console/settings/partner-relationships") => Requires(ReadPartnerRelationships),
        ("POST", "/console/settings/partner-relationships/{relationshipId}") => {
            Requires(ManagePartnerRelationships)
        }
        ("GET", "/console/my") | ("GET" | "POST", "/console/shop/{productId}") => SignedIn,
        ("GET", "/partner/relationships")
        | ("GET", "/partner/relationships/{relationshipId}")
        | ("GET", "/partner/customers") => Requires(ReadPartnerRelationships),
        ("POST", "/partner/relationships")
        | ("POST", "/partner/relationships/{relationshipId}/approve")
        | ("POST", "/partner/relationships/{relationshipId}/end") => {
            Requires(ManagePartnerRelationships)
        }
        ("POST", "/oauth2/v2.0/token") | ("POST", "/{tenantId}/oauth2/v2.0/token") => Public,
        // A person signs in here: there is no bearer token yet.
        (
            "GET" | "POST",
            "/oauth2/v2.0/authorize" | "/{tenantId}/oauth2/v2.0/authorize" | "/devicelogin",
        ) => Public,
        (
            "POST",
            "/oauth2/v2.0/devicecode"
            | "/{tenantId}/oauth2/v2.0/devicecode"
            | "/oauth2/v2.0/revoke"
            | "/{tenantId}/oauth2/v2.0/revoke",
        ) => Public,
        ("GET", "/oauth2/v2.0/logout" | "/{tenantId}/oauth2/v2.0/logout") => Public,
        // A sign-in with a trusted provider: its start and the provider's answer come before any token.
        ("GET", "/federation/signin" | "/federation/callback") => Public,
        (
            "GET",
            "/.well-known/openid-configuration"
            | "/discovery/v2.0/keys"
            | "/{tenantId}/v2.0/.well-known/openid-configuration"
            | "/{tenantId}/discovery/v2.0/keys"
            | "/healthz"
            | "/readyz"
            | "/metrics"
            | "/openapi.json",
        ) => Public,
        _ => return None,
    };
    Some(rule)
}

/// The rules of one route template, by method, looked up on every request without hashing.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteRules {
    get: Option<Rule>,
    put: Option<Rule>,
    post: Option<Rule>,
    patch: Option<Rule>,
    delete: Option<Rule>,
}

impl RouteRules {
    pub(crate) fn of(template: &str) -> RouteRules {
        RouteRules {
            get: rule(&Method::GET, template),
            put: rule(&Method::PUT, template),
            post: rule(&Method::POST, template),
            patch: rule(&Method::PATCH, template),
            delete: rule(&Method::DELETE, template),
        }
    }

    pub(crate) fn for_method(&self, method: &Method) -> Option<Rule> {
        match *method {
            Method::GET | Method::HEAD => self.get,
            Method::PUT => self.put,
            Method::POST => self.post,
            Method::PATCH => self.patch,
            Method::DELETE => self.delete,
            _ => None,
        }
    }
}
