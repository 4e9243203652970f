//! Types and rules of the self-service purchase policy. No I/O: the crates around this one read and write;
//! this one decides.

pub mod access;
pub mod acquisition;
pub mod catalog;
pub mod client_auth;
pub mod domains;
pub mod federation;
pub mod grants;
pub mod ids;
pub mod key_rotation;
pub mod license_requests;
pub mod lifecycle;
pub mod notification;
pub mod partners;
pub mod password;
pub mod policy;
pub mod precondition;
pub mod sign_in;
pub mod subscription;

pub use access::{
    AppPermission, DirectoryRole, ManageRefusal, Operation, Principal, PrincipalKind,
    SubscriptionConcern, UserRefusal,
};
pub use acquisition::{decide, Acquirer, AcquisitionKind, Decision, Refusal};
pub use catalog::{Catalog, CatalogError, Money, OfferType, Product};
pub use client_auth::{
    client_authentication, decode_basic_credentials, password_grant_allowed, ClientAuthError,
    ClientAuthentication, NotATenant, PresentedClient, TenantSegment, JWT_BEARER_ASSERTION,
};
pub use domains::{check_upn_domain, DomainName, DomainNameError, UpnDomainNotInTenant};
pub use ids::{SubscriptionId, TenantId, UserId};
pub use lifecycle::{
    lifecycle_step, LifecycleCutoffs, LifecycleDurations, LifecycleFacts, LifecycleStep,
};
pub use partners::{
    check_approval, check_end, delegated_permissions, delegated_roles, parse_roles,
    RelationshipError, RelationshipStatus, MAX_RELATIONSHIP_DAYS,
};
pub use password::{check_new_password, PasswordRuleError, MIN_PASSWORD_CHARS};
pub use policy::{
    resolve_values, PolicyDefinition, PolicyRuleError, PolicyTarget, PolicyValue, RejectedValue,
    RequestedValue, Scope, ALLOW_SELF_SERVICE_PURCHASE, MAX_VALUES_PER_CHANGE,
};
pub use precondition::{entity_tag, Preconditions};
pub use sign_in::{
    retry_after_seconds, AttemptRuns, AttemptVerdict, BackOff, FailureRun, SignInBackOff,
    REFUSAL_PAUSE, SIGN_IN_BACK_OFF,
};
pub use subscription::{
    check_cancellation, pricing, BillingFrequency, CancellationError, CancellationReason, Pricing,
    PurchaseType, SeatError, SubscriptionStatus, Term, MAX_USERS_PER_REQUEST,
};
