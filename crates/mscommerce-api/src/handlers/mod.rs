//! Route handlers: each reads the request, asks the domain, answers. Rules live in the domain crate.

pub mod audit;
pub mod ops;
pub mod policies;
pub mod token;
