//! What the store keeps, as plain records.

use chrono::{DateTime, Utc};
use mscommerce_domain::license_requests::{
    RequestFilter, RequestProcess, RequestStatus, UserOutcome,
};
use mscommerce_domain::notification::{Email, Facts};
use mscommerce_domain::{
    AcquisitionKind, BillingFrequency, CancellationReason, DomainName, PolicyValue, PurchaseType,
    Scope, SubscriptionStatus,
};
use mscommerce_domain::{Preconditions, SubscriptionId, TenantId, UserId};
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct NewTenant {
    /// Chosen by the caller when given (to mirror an existing Entra tenant), generated otherwise.
    pub id: Option<TenantId>,
    pub name: String,
    /// Domains the tenant owns from the start, besides the initial `<name>.onmicrosoft.com` it is always given.
    pub domains: Vec<DomainName>,
}

/// A domain a tenant owns: its users' sign-in names are in its domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantDomain {
    pub domain: DomainName,
    pub tenant_id: TenantId,
    /// The `<name>.onmicrosoft.com` domain the tenant was given when it was created.
    pub is_initial: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    Member,
    Guest,
}

impl UserType {
    pub const ALL: [UserType; 2] = [UserType::Member, UserType::Guest];

    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Member => "Member",
            UserType::Guest => "Guest",
        }
    }

    /// Reads the name in any case.
    pub fn parse(text: &str) -> Option<UserType> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub tenant_id: TenantId,
    pub upn: String,
    pub display_name: String,
    pub user_type: UserType,
    pub password_hash: Option<String>,
    /// Directory role template IDs.
    pub roles: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub tenant_id: TenantId,
    pub upn: String,
    pub display_name: String,
    pub user_type: UserType,
    pub account_enabled: bool,
    pub password_hash: Option<String>,
    pub roles: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewApp {
    pub tenant_id: TenantId,
    pub display_name: String,
    pub secret_hash: String,
    /// Application permission names.
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct App {
    pub client_id: Uuid,
    pub object_id: Uuid,
    pub tenant_id: TenantId,
    pub display_name: String,
    pub secret_hash: String,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// A certificate to give an app: what the API or the command line read from the certificate file.
#[derive(Debug, Clone)]
pub struct NewAppCertificate {
    pub client_id: Uuid,
    /// base64url SHA-1 of the DER (a JWS `x5t`).
    pub thumbprint_sha1: String,
    /// base64url SHA-256 of the DER (a JWS `x5t#S256`).
    pub thumbprint_sha256: String,
    pub der: Vec<u8>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub display_name: String,
}

/// A certificate an app signs its client assertions with. Only the public certificate is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppCertificate {
    pub key_id: Uuid,
    pub client_id: Uuid,
    pub thumbprint_sha1: String,
    pub thumbprint_sha256: String,
    pub der: Vec<u8>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub display_name: String,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSigningKey {
    pub kid: String,
    pub algorithm: String,
    /// The private key sealed with the key-encryption key (`mscommerce_auth::KeyEncryptionKey::seal`).
    pub private_key: String,
    /// Raw public key, base64url.
    pub public_key: String,
    /// When it starts signing; published and trusted from the moment it is stored.
    pub activates_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub algorithm: String,
    /// Sealed with the key-encryption key, or (stored by an older version) base64 PKCS#8 in clear.
    pub private_key: String,
    /// Raw public key, base64url.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
    /// When it started, or starts, signing.
    pub activates_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicyValue {
    pub policy_id: String,
    pub scope: Scope,
    pub target_id: String,
    pub value: PolicyValue,
    pub revision: i64,
}

/// Who did something, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub id: String,
    pub name: String,
    /// `User`, `App` or `Cli` (an operator at the server's command line).
    pub kind: String,
    pub correlation_id: String,
    /// A partner's user or app acting through a delegated admin relationship: its own (the partner's) tenant. The
    /// event is then also written to the partner's log, naming the customer it was for.
    pub partner_tenant_id: Option<TenantId>,
}

impl AuditActor {
    /// An operator running the `mscommerce` admin commands on the server.
    pub fn command_line(correlation_id: String) -> AuditActor {
        let name = std::env::var("USER").unwrap_or_else(|_| "operator".to_string());
        AuditActor {
            id: format!("cli:{name}"),
            name,
            kind: "Cli".to_string(),
            correlation_id,
            partner_tenant_id: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PolicyChange {
    pub tenant_id: TenantId,
    pub policy_id: String,
    pub scope: Scope,
    /// Canonical catalog ID.
    pub target_id: String,
    /// Catalog name, recorded in the audit event so it reads well even after the catalog changes.
    pub target_name: String,
    /// The value a target without a stored one has.
    pub default_value: PolicyValue,
    pub value: PolicyValue,
    pub actor: AuditActor,
    /// The request's `If-Match` and `If-None-Match`, evaluated against the stored revision in the write's
    /// transaction.
    pub preconditions: Preconditions,
}

/// Several values of one policy for one tenant, set together: all or none, in one transaction, audited with one
/// correlation id (the actor's).
#[derive(Debug, Clone)]
pub struct PolicyChanges {
    pub tenant_id: TenantId,
    pub policy_id: String,
    /// The value a target without a stored one has.
    pub default_value: PolicyValue,
    /// Distinct targets (the caller resolves and de-duplicates them), in the order the answer follows.
    pub values: Vec<PolicyValueChange>,
    pub actor: AuditActor,
}

/// One value of a [`PolicyChanges`].
#[derive(Debug, Clone)]
pub struct PolicyValueChange {
    pub scope: Scope,
    /// Canonical catalog ID.
    pub target_id: String,
    /// Catalog name, recorded in the audit event.
    pub target_name: String,
    pub value: PolicyValue,
    /// This value's own `If-Match` (the request names one per value), evaluated against its stored revision.
    pub preconditions: Preconditions,
}

/// What a [`PolicyChanges`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWrites {
    /// The revision every changed value now has; `None` when every value was already set and nothing was written.
    pub revision: Option<i64>,
    /// One per requested value, in the request's order.
    pub values: Vec<PolicyWrite>,
}

/// The revision of a value never written: lower than any a write gives, since a tenant's counter starts at 0 and
/// every write raises it first.
pub const INITIAL_POLICY_REVISION: i64 = 0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWrite {
    pub old_value: PolicyValue,
    pub new_value: PolicyValue,
    /// The revision of the write; `None` when the value was already set and nothing was written.
    pub revision: Option<i64>,
    /// The revision the value holds after the call: the write's, or the one it already had
    /// ([`INITIAL_POLICY_REVISION`] for a value never written).
    pub current_revision: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub tenant_id: TenantId,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub actor_id: String,
    pub actor_name: String,
    pub actor_type: String,
    pub correlation_id: String,
    pub target_type: String,
    pub target_id: String,
    pub target_name: String,
    pub policy_id: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// A partner acted: its tenant (on the customer's event and on the partner's copy).
    pub actor_tenant_id: Option<TenantId>,
    /// On the partner's copy of an event its user or app caused at a customer: the customer.
    pub on_behalf_of_tenant_id: Option<TenantId>,
}

/// Audit action names.
pub mod actions {
    pub const POLICY_VALUE_CHANGED: &str = "PolicyValueChanged";
    pub const TENANT_CREATED: &str = "TenantCreated";
    pub const DOMAIN_ADDED: &str = "DomainAdded";
    pub const USER_CREATED: &str = "UserCreated";
    pub const APP_CREATED: &str = "AppCreated";
    pub const APP_CREDENTIAL_ADDED: &str = "AppCredentialAdded";
    pub const APP_CREDENTIAL_REMOVED: &str = "AppCredentialRemoved";
    pub const TRUSTED_ISSUER_ADDED: &str = "TrustedIssuerAdded";
    pub const TRUSTED_ISSUER_REMOVED: &str = "TrustedIssuerRemoved";
    pub const TRUSTED_ISSUER_SIGN_IN_SET: &str = "TrustedIssuerSignInSet";
    pub const TENANT_SETTING_CHANGED: &str = "TenantSettingChanged";
    pub const USER_UPDATED: &str = "UserUpdated";
    pub const SUBSCRIPTION_CREATED: &str = "SubscriptionCreated";
    pub const ACQUISITION_REFUSED: &str = "AcquisitionRefused";
    pub const LICENSES_ASSIGNED: &str = "LicensesAssigned";
    pub const LICENSES_UNASSIGNED: &str = "LicensesUnassigned";
    pub const QUANTITY_CHANGED: &str = "QuantityChanged";
    pub const SUBSCRIPTION_CANCELLED: &str = "SubscriptionCancelled";
    pub const USERS_MOVED: &str = "UsersMoved";
    /// Renewal turned on or off.
    pub const AUTO_RENEW_CHANGED: &str = "AutoRenewChanged";
    /// A purchase renewed, or a trial with a payment method converted to a purchase.
    pub const SUBSCRIPTION_RENEWED: &str = "SubscriptionRenewed";
    /// Expired, Disabled or Deleted by the passing of time.
    pub const SUBSCRIPTION_STATUS_CHANGED: &str = "SubscriptionStatusChanged";
    pub const LICENSE_REQUESTED: &str = "LicenseRequested";
    pub const LICENSE_REQUEST_APPROVED: &str = "LicenseRequestApproved";
    pub const LICENSE_REQUEST_DENIED: &str = "LicenseRequestDenied";
    pub const LICENSE_REQUEST_SHARED: &str = "LicenseRequestShared";
    /// A partner asked a customer for a delegated admin relationship (in both tenants' logs).
    pub const RELATIONSHIP_REQUESTED: &str = "DelegatedAdminRelationshipRequested";
    pub const RELATIONSHIP_APPROVED: &str = "DelegatedAdminRelationshipApproved";
    /// Ended by either side, or declined before approval.
    pub const RELATIONSHIP_ENDED: &str = "DelegatedAdminRelationshipEnded";
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub user_type: Option<UserType>,
    pub account_enabled: Option<bool>,
    pub password_hash: Option<String>,
    /// Directory role template IDs: the whole new set.
    pub roles: Option<Vec<String>>,
    /// Change the user only if it still holds exactly these roles (template IDs, in any order), and fail with
    /// [`crate::StoreError::Conflict`] otherwise: who may change a user depends on the roles it holds, decided on
    /// a read made before this write, so a role given in between must not slip through.
    pub expected_roles: Option<Vec<String>>,
}

/// An email to write to the outbox with the change that causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// An email is written to the outbox as it was composed.
impl From<Email> for NewMessage {
    fn from(email: Email) -> NewMessage {
        NewMessage {
            kind: email.kind.to_string(),
            recipient: email.recipient,
            subject: email.subject,
            body_text: email.text,
            body_html: email.html,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSubscription {
    /// Chosen by the caller, so that the confirmation written with it can name it.
    pub id: SubscriptionId,
    pub tenant_id: TenantId,
    pub target_scope: Scope,
    pub target_id: String,
    pub target_name: String,
    pub purchase_type: PurchaseType,
    pub acquisition_kind: AcquisitionKind,
    pub purchaser_id: Option<UserId>,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub currency: String,
    pub billing_frequency: BillingFrequency,
    pub expires_at: DateTime<Utc>,
    pub auto_renew: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub tenant_id: TenantId,
    pub target_scope: Scope,
    pub target_id: String,
    pub target_name: String,
    pub purchase_type: PurchaseType,
    pub acquisition_kind: AcquisitionKind,
    pub purchaser: Option<UserRef>,
    pub quantity: i64,
    pub assigned_count: i64,
    pub unit_price_minor: i64,
    pub currency: String,
    pub billing_frequency: BillingFrequency,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub auto_renew: bool,
    pub status: SubscriptionStatus,
    pub cancellation_reason: Option<String>,
    pub cancellation_comment: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Where its billing periods count from when not its creation: the end of the trial it converted from.
    pub billing_anchor: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Subscription {
    /// The facts every email about this subscription states; `subscription_id` is its ID as text, `actor` who
    /// acted, `when` RFC 3339 UTC.
    pub fn email_facts<'a>(
        &'a self,
        subscription_id: &'a str,
        actor: &'a str,
        reason: &'a str,
        when: &'a str,
    ) -> Facts<'a> {
        let (upn, name) = self
            .purchaser
            .as_ref()
            .map_or(("", ""), |p| (p.upn.as_str(), p.display_name.as_str()));
        Facts {
            product: &self.target_name,
            subscription_id,
            purchaser_upn: upn,
            purchaser_name: name,
            actor,
            reason,
            when,
        }
    }
}

/// A user as other records name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    pub id: UserId,
    pub upn: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub user: UserRef,
    pub assigned_at: DateTime<Utc>,
}

/// Which subscriptions to list.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionFilter {
    pub purchase_type: Option<PurchaseType>,
    pub purchaser_id: Option<UserId>,
}

/// Assign some users and unassign others, in one transaction, under the seat rules.
#[derive(Debug, Clone)]
pub struct AssignmentChange {
    pub tenant_id: TenantId,
    pub subscription_id: SubscriptionId,
    pub assign: Vec<UserId>,
    pub unassign: Vec<UserId>,
    /// When given, the change happens only if the subscription is still at this version (If-Match).
    pub expected_version: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Cancellation {
    pub tenant_id: TenantId,
    pub subscription_id: SubscriptionId,
    pub reason: CancellationReason,
    pub comment: Option<String>,
    /// Disabled (the purchaser cancels) or Deleted (an admin cancels or takes over).
    pub status: SubscriptionStatus,
    pub expected_version: Option<i64>,
}

/// What a purchaser (or, for a central subscription, a billing admin) changes on a subscription; `None` leaves a
/// field as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubscriptionEdit {
    pub quantity: Option<i64>,
    pub auto_renew: Option<bool>,
}

/// One step of a subscription's life (`mscommerce_domain::lifecycle`), applied only to the version it was decided
/// on: a subscription changed in the meantime (by a person, or by another replica's round) is left alone.
#[derive(Debug, Clone)]
pub struct LifecycleChange {
    pub tenant_id: TenantId,
    pub subscription_id: SubscriptionId,
    pub expected_version: i64,
    pub step: mscommerce_domain::LifecycleStep,
}

/// What a lifecycle step leaves, and how the audit trail states it: the same for every backend.
pub(crate) struct LifecycleAfter {
    pub kind: AcquisitionKind,
    pub expires_at: DateTime<Utc>,
    /// Set when a trial converts: its end is where the purchase's periods count from.
    pub billing_anchor: Option<DateTime<Utc>>,
    pub action: &'static str,
    pub old_value: String,
    pub new_value: String,
}

impl LifecycleAfter {
    pub(crate) fn of(subscription: &Subscription, step: mscommerce_domain::LifecycleStep) -> Self {
        use mscommerce_domain::LifecycleStep::*;
        let until = |at: DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let before = &subscription.acquisition_kind;
        match step {
            Renew { expires_at } | ConvertToPurchase { expires_at } => LifecycleAfter {
                kind: AcquisitionKind::Purchase,
                expires_at,
                billing_anchor: matches!(step, ConvertToPurchase { .. })
                    .then_some(subscription.expires_at),
                action: actions::SUBSCRIPTION_RENEWED,
                old_value: format!("{before} until {}", until(subscription.expires_at)),
                new_value: format!("Purchase until {}", until(expires_at)),
            },
            Expire | Disable | Delete => LifecycleAfter {
                kind: subscription.acquisition_kind,
                expires_at: subscription.expires_at,
                billing_anchor: None,
                action: actions::SUBSCRIPTION_STATUS_CHANGED,
                old_value: subscription.status.to_string(),
                new_value: step.status().to_string(),
            },
        }
    }
}

/// One product's self-service licenses, summed over all its self-service subscriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductLicenses {
    pub target_scope: Scope,
    pub target_id: String,
    pub target_name: String,
    pub subscription_count: i64,
    pub available_quantity: i64,
    pub assigned_count: i64,
}

/// Who holds a license of a product, through whose subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseHolder {
    pub purchaser: UserRef,
    pub subscription_id: SubscriptionId,
    pub user: UserRef,
    pub assigned_at: DateTime<Utc>,
}

/// One row of a users export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub display_name: String,
    pub upn: String,
    pub product_name: String,
    pub subscription_id: String,
    /// The purchaser's UPN; empty for central subscriptions.
    pub purchaser: String,
    pub assigned_at: String,
}

/// An audit event written on its own (a refused acquisition changes nothing else).
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub tenant_id: TenantId,
    pub action: String,
    pub actor: AuditActor,
    pub target_type: String,
    pub target_id: String,
    pub target_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Moves every user of a self-service subscription to a central one, then cancels the source as Deleted.
#[derive(Debug, Clone)]
pub struct MoveUsers {
    pub tenant_id: TenantId,
    pub source_id: SubscriptionId,
    pub target_id: SubscriptionId,
    pub expected_version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveOutcome {
    pub source: Subscription,
    pub target: Subscription,
    /// Users who hold a target license now (those who held one already are not counted).
    pub moved: i64,
}

/// An email waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub message_id: String,
    pub tenant_id: TenantId,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
}

/// A one-time authorization code about to be stored (its digest only).
#[derive(Debug, Clone)]
pub struct NewAuthorizationCode {
    pub digest: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub scope: String,
    pub nonce: Option<String>,
    /// The PKCE S256 challenge (base64url).
    pub code_challenge: String,
    pub expires_at: DateTime<Utc>,
}

/// A stored authorization code.
#[derive(Debug, Clone)]
pub struct AuthorizationCode {
    pub digest: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub expires_at: DateTime<Utc>,
}

/// What redeeming an authorization code found.
#[derive(Debug, Clone)]
pub enum CodeRedemption {
    /// Unused until now, and now used.
    Redeemed(AuthorizationCode),
    /// Used before: the refresh tokens issued from it are revoked now.
    AlreadyUsed,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct NewDeviceCode {
    pub digest: String,
    pub user_code: String,
    pub client_id: String,
    pub tenant_id: Option<TenantId>,
    pub scope: String,
    pub interval_seconds: i64,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub digest: String,
    pub user_code: String,
    pub client_id: String,
    pub tenant_id: Option<TenantId>,
    pub scope: String,
    pub status: mscommerce_domain::grants::DeviceCodeStatus,
    pub user_id: Option<UserId>,
    pub interval_seconds: i64,
    pub last_polled_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// A person's answer on the verification page.
#[derive(Debug, Clone, Copy)]
pub enum DeviceDecision {
    Approve(TenantId, UserId),
    Deny,
}

#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    pub digest: String,
    pub family_id: Uuid,
    pub client_id: String,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub scope: String,
    /// The digest of the authorization code the family began with.
    pub authorization_code: Option<String>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub digest: String,
    pub family_id: Uuid,
    pub client_id: String,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
    pub spent_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What exchanging a refresh token for its successor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The old one is spent; the new one is stored.
    Rotated,
    /// The old one was spent or revoked already: its whole family is revoked now, and nothing was stored.
    FamilyRevoked,
}

/// A license request and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseRequest {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub target_scope: Scope,
    pub target_id: String,
    pub target_name: String,
    pub requester: UserRef,
    /// Its users, the requester first, with what the answer gave each.
    pub users: Vec<RequestUser>,
    pub message: Option<String>,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<String>,
    pub answer_message: Option<String>,
    pub subscription_id: Option<SubscriptionId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUser {
    pub user: UserRef,
    pub outcome: UserOutcome,
}

#[derive(Debug, Clone)]
pub struct NewLicenseRequest {
    pub tenant_id: TenantId,
    pub target_scope: Scope,
    pub target_id: String,
    pub target_name: String,
    pub requester_id: UserId,
    /// Others of the organization the request includes (without the requester).
    pub others: Vec<UserId>,
    pub message: Option<String>,
}

/// An admin's answer to a pending request.
#[derive(Debug, Clone)]
pub enum RequestAnswer {
    /// Licenses of the central subscription for `users` (some or all of the request's); the others are not
    /// approved.
    Approve {
        subscription_id: SubscriptionId,
        users: Vec<UserId>,
    },
    Deny,
}

#[derive(Debug, Clone)]
pub struct AnswerLicenseRequest {
    pub tenant_id: TenantId,
    pub request_id: Uuid,
    pub answer: RequestAnswer,
    pub message: Option<String>,
}

/// Which requests a page of them holds.
#[derive(Debug, Clone, Copy)]
pub struct RequestPage<'a> {
    pub filter: RequestFilter,
    /// Only this requester's (their own list).
    pub requester_id: Option<UserId>,
    /// After this cursor (`created_at|id` of the last one seen), newest first.
    pub before: Option<(&'a str, &'a str)>,
    pub limit: u32,
}

/// The organization's request process as stored.
pub type RequestProcessSetting = RequestProcess;

/// An external identity provider a tenant trusts, and how its claims map to users here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedIssuer {
    pub id: Uuid,
    pub tenant_id: TenantId,
    /// Exactly as its tokens carry it in `iss`.
    pub issuer: String,
    pub display_name: String,
    /// The `aud` values accepted.
    pub audiences: Vec<String>,
    /// When set, the `tid` every token of the issuer must carry.
    pub external_tenant_id: Option<String>,
    pub mapping: mscommerce_domain::federation::ClaimMapping,
    /// What people signing in on the built-in page with this provider need; `None`: the trust offers no sign-in.
    pub sign_in: Option<ProviderSignIn>,
    pub created_at: DateTime<Utc>,
}

/// The service as a trusted provider's relying party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSignIn {
    /// The service's client ID at the provider: the `aud` of the provider's ID tokens.
    pub client_id: String,
    /// The client secret, sealed with the key encryption key (never in clear here); `None`: a public client.
    pub sealed_client_secret: Option<String>,
    /// The provider's name on the button: "Sign in with {button}".
    pub button: String,
}

#[derive(Debug, Clone)]
pub struct NewTrustedIssuer {
    pub tenant_id: TenantId,
    pub issuer: String,
    pub display_name: String,
    pub audiences: Vec<String>,
    pub external_tenant_id: Option<String>,
    pub mapping: mscommerce_domain::federation::ClaimMapping,
}

/// A person a trusted issuer vouched for, as their latest accepted token describes them.
#[derive(Debug, Clone)]
pub struct FederatedUser {
    pub tenant_id: TenantId,
    pub issuer: String,
    /// The value of the trust's user claim.
    pub subject: String,
    pub upn: String,
    pub display_name: String,
    pub user_type: UserType,
    /// Directory role template IDs the token maps to; `None` keeps the roles assigned here.
    pub roles: Option<Vec<String>>,
}

/// A delegated admin relationship between a partner tenant and a customer tenant, as stored. Its status now is the
/// domain's [`mscommerce_domain::RelationshipStatus::at`] of `status` and `ends_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegatedAdminRelationship {
    pub id: Uuid,
    pub partner_tenant_id: TenantId,
    pub partner_name: String,
    pub customer_tenant_id: TenantId,
    pub customer_name: String,
    /// `pending`, `active` or `ended`.
    pub status: String,
    /// Directory role template IDs the partner asked for.
    pub requested_roles: Vec<String>,
    /// Directory role template IDs the customer granted (empty until approved).
    pub granted_roles: Vec<String>,
    pub requested_at: DateTime<Utc>,
    /// The audit name of who asked, approved, ended.
    pub requested_by: String,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_by: Option<String>,
    pub ends_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<String>,
}

impl DelegatedAdminRelationship {
    pub fn status_at(&self, now: DateTime<Utc>) -> Option<mscommerce_domain::RelationshipStatus> {
        mscommerce_domain::RelationshipStatus::at(&self.status, self.ends_at, now)
    }

    /// The granted roles this version knows (unknown IDs grant nothing).
    pub fn granted(&self) -> Vec<mscommerce_domain::DirectoryRole> {
        self.granted_roles
            .iter()
            .filter_map(|id| mscommerce_domain::DirectoryRole::parse(id))
            .collect()
    }
}

/// A partner's request for a relationship with a customer.
#[derive(Debug, Clone)]
pub struct NewRelationship {
    pub partner_tenant_id: TenantId,
    pub customer_tenant_id: TenantId,
    pub roles: Vec<mscommerce_domain::DirectoryRole>,
}
