//! Route handlers: each reads the request, asks the domain, answers. Rules live in the domain crate. No handler
//! module imports another: what several share lives in `request` (parsing), `response`, `subscriptions` and
//! `views` (wire types).

pub mod acquisition;
pub mod audit;
pub mod credentials;
pub mod domains;
pub mod licenses;
pub mod ops;
pub mod policies;
pub mod subscriptions;
pub mod takeover;
pub mod token;
pub mod users;
