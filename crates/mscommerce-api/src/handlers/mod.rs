//! Route handlers: each reads the request, asks the domain, answers. Rules live in the domain crate. No handler
//! module imports another: what several share lives in `request` (parsing), `response`, `subscriptions` and
//! `views` (wire types). The one exception: `grants` (the token endpoint's grants for people) and `token` call
//! each other, being one endpoint.

pub mod acquisition;
pub mod audit;
pub mod credentials;
pub mod domains;
pub mod grants;
pub mod licenses;
pub mod ops;
pub mod policies;
pub mod subscriptions;
pub mod takeover;
pub mod token;
pub mod users;
