//! Subscriptions: the purchaser manages their own; admins see all, buy central ones and manage their licenses.
//! One module per concern; what they share is in `crate::subscriptions`, `crate::request` and `crate::views`.

pub mod assignments;
pub mod billing;
pub mod read;
