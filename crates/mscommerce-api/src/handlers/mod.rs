//! Route handlers: each reads the request, asks the domain, answers. Rules live in the domain crate.

pub mod acquisition;
pub mod audit;
pub mod licenses;
pub mod ops;
pub mod policies;
pub mod subscriptions;
pub mod takeover;
pub mod token;
pub mod users;
