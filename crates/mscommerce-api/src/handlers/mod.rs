//! Route handlers: each reads the request, asks the domain, answers. Rules live in the domain crate. No handler
//! module imports another: what several share lives in `request` (parsing), `response`, `subscriptions` and
//! `views` (wire types), and the OAuth2 endpoints' common parts in `oauth`. The one exception: the token endpoint
//! (`token`) hands the grants of people's sign-ins to `grants`, which serves their pages too; a sign-in with a trusted
//! provider (`crate::federated_sign_in`, behind `federated_sign_in`) ends as theirs do, through `grants`.

pub mod acquisition;
pub mod audit;
pub mod credentials;
pub mod domains;
pub mod federated_sign_in;
pub mod grants;
pub mod license_requests;
pub mod licenses;
pub mod ops;
pub mod partners;
pub mod policies;
pub mod subscriptions;
pub mod takeover;
pub mod token;
pub mod trusted_issuers;
pub mod users;
