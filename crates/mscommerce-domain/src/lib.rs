//! Types and rules of the self-service purchase policy. No I/O: the crates around this one read and write;
//! this one decides.

pub mod access;
pub mod catalog;
pub mod policy;

pub use access::{AppPermission, DirectoryRole, Operation, Principal, PrincipalKind};
pub use catalog::{Catalog, CatalogError, Money, OfferType, Product};
pub use policy::{
    PolicyDefinition, PolicyRuleError, PolicyTarget, PolicyValue, Scope,
    ALLOW_SELF_SERVICE_PURCHASE,
};
