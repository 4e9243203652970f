//! The AllowSelfServicePurchase policy: its values, what they may be set on, and the one policy that exists.

use std::fmt;

use crate::catalog::{OfferType, Product};

/// The ID of the only policy Microsoft documents, and so the only one this service has.
pub const ALLOW_SELF_SERVICE_PURCHASE: &str = "AllowSelfServicePurchase";

/// A policy as `GET /v1.0/policies` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDefinition {
    pub id: &'static str,
    pub description: &'static str,
    /// The value of every product that has none stored. Read-only, as in Microsoft's service: new products arrive
    /// allowed, and admins who want otherwise set each product.
    pub default_value: PolicyValue,
}

impl PolicyDefinition {
    pub const ALL: &'static [PolicyDefinition] = &[PolicyDefinition {
        id: ALLOW_SELF_SERVICE_PURCHASE,
        description:
            "Controls whether users in the organization can make self-service purchases and start \
                      self-service trials, per product and per third-party offer type.",
        default_value: PolicyValue::Enabled,
    }];

    /// Finds a policy by ID, ignoring case (PowerShell users type any case).
    pub fn find(id: &str) -> Option<&'static PolicyDefinition> {
        Self::ALL.iter().find(|p| p.id.eq_ignore_ascii_case(id))
    }
}

/// The value of the policy for one product or offer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PolicyValue {
    /// Users may buy and may start trials.
    #[default]
    Enabled,
    /// Users may neither buy nor start trials.
    Disabled,
    /// Users may only start trials that need no payment method; only for products that offer such trials.
    OnlyTrialsWithoutPaymentMethod,
}

impl PolicyValue {
    pub const ALL: [PolicyValue; 3] = [
        PolicyValue::Enabled,
        PolicyValue::Disabled,
        PolicyValue::OnlyTrialsWithoutPaymentMethod,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PolicyValue::Enabled => "Enabled",
            PolicyValue::Disabled => "Disabled",
            PolicyValue::OnlyTrialsWithoutPaymentMethod => "OnlyTrialsWithoutPaymentMethod",
        }
    }

    /// Reads a value in any letter case; answers are always canonical.
    pub fn parse(text: &str) -> Option<PolicyValue> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for PolicyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a policy value is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Product,
    OfferType,
}

impl Scope {
    /// The spelling on the wire: Microsoft's module tests `scope -eq "product"`, and lists offer types with
    /// `-Scope OfferType`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Product => "product",
            Scope::OfferType => "OfferType",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        [Scope::Product, Scope::OfferType]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

/// A product or an offer type of the catalog, resolved to its canonical entry.
#[derive(Debug, Clone, Copy)]
pub enum PolicyTarget<'c> {
    Product(&'c Product),
    OfferType(&'c OfferType),
}

impl<'c> PolicyTarget<'c> {
    pub fn scope(&self) -> Scope {
        match self {
            PolicyTarget::Product(_) => Scope::Product,
            PolicyTarget::OfferType(_) => Scope::OfferType,
        }
    }

    /// The canonical ID under which the value is stored.
    pub fn id(&self) -> &'c str {
        match self {
            PolicyTarget::Product(p) => &p.id,
            PolicyTarget::OfferType(o) => &o.id,
        }
    }

    pub fn name(&self) -> &'c str {
        match self {
            PolicyTarget::Product(p) => &p.name,
            PolicyTarget::OfferType(o) => &o.name,
        }
    }

    /// The values this target may hold.
    pub fn allowed_values(&self) -> &'static [PolicyValue] {
        match self {
            PolicyTarget::Product(p) if p.trial_without_payment_method => &PolicyValue::ALL,
            _ => &[PolicyValue::Enabled, PolicyValue::Disabled],
        }
    }

    /// Checks that `value` may be set on this target.
    pub fn check_value(&self, value: PolicyValue) -> Result<(), PolicyRuleError> {
        if self.allowed_values().contains(&value) {
            return Ok(());
        }
        let reason = match self {
            PolicyTarget::Product(p) => format!(
                "Product '{}' ({}) does not offer trials without a payment method, so {} cannot be set on it. \
                 Allowed values: Enabled, Disabled.",
                p.name, p.id, value
            ),
            PolicyTarget::OfferType(o) => format!(
                "Offer type '{}' ({}) is a third-party offer type; only Enabled and Disabled apply to offer types.",
                o.name, o.id
            ),
        };
        Err(PolicyRuleError::ValueNotAllowed(reason))
    }
}

/// The most values one request sets at once: a baseline of every product of a large catalog fits, and a
/// request stays one short transaction.
pub const MAX_VALUES_PER_CHANGE: usize = 1000;

/// One value a request asks to set, as it came: a target named by exactly one of a product ID (current or old)
/// and an offer type, and a value in any case.
#[derive(Debug, Clone, Copy)]
pub struct RequestedValue<'r> {
    pub product_id: Option<&'r str>,
    pub offer_type: Option<&'r str>,
    pub policy_value: &'r str,
}

/// A requested value that cannot be set, and why: `entry` is its position in the request (from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedValue {
    pub entry: usize,
    pub reason: String,
}

/// Resolves every requested value to its catalog target and checks it may hold the value; all or nothing: either
/// every entry is good, or every bad one is named (unknown product or offer type, a word that is not a value, a
/// value the target does not allow, a target named twice), so that one answer lets the caller fix them all.
pub fn resolve_values<'c>(
    catalog: &'c crate::catalog::Catalog,
    requested: &[RequestedValue<'_>],
) -> Result<Vec<(PolicyTarget<'c>, PolicyValue)>, Vec<RejectedValue>> {
    if requested.is_empty() || requested.len() > MAX_VALUES_PER_CHANGE {
        return Err(vec![RejectedValue {
            entry: 0,
            reason: format!(
                "A request sets 1 to {MAX_VALUES_PER_CHANGE} values; this one has {}.",
                requested.len()
            ),
        }]);
    }
    let mut resolved = Vec::with_capacity(requested.len());
    let mut rejected = Vec::new();
    let mut seen: std::collections::HashMap<(Scope, &str), usize> =
        std::collections::HashMap::new();
    for (entry, request) in requested.iter().enumerate() {
        let mut reject = |reason: String| rejected.push(RejectedValue { entry, reason });
        let target = match (request.product_id, request.offer_type) {
            (Some(id), None) => catalog
                .product(id)
                .map(PolicyTarget::Product)
                .ok_or_else(|| format!("no product has the ID '{id}'")),
            (None, Some(id)) => catalog
                .offer_type(id)
                .map(PolicyTarget::OfferType)
                .ok_or_else(|| {
                    let known: Vec<_> = catalog
                        .offer_types()
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect();
                    format!(
                        "no offer type has the ID '{id}' (offer types: {})",
                        known.join(", ")
                    )
                }),
            _ => Err("name exactly one of productId and offerType".to_string()),
        };
        let value = PolicyValue::parse(request.policy_value).ok_or_else(|| {
            format!(
                "'{}' is not a policy value (Enabled, Disabled, OnlyTrialsWithoutPaymentMethod)",
                request.policy_value
            )
        });
        match (target, value) {
            (Ok(target), Ok(value)) => {
                if let Err(PolicyRuleError::ValueNotAllowed(reason)) = target.check_value(value) {
                    reject(reason);
                } else if let Some(first) = seen.insert((target.scope(), target.id()), entry) {
                    reject(format!(
                        "{} '{}' is already set by entry {first}: name each target once",
                        target.scope().as_str(),
                        target.id()
                    ));
                } else {
                    resolved.push((target, value));
                }
            }
            (target, value) => {
                for problem in [target.err(), value.err()].into_iter().flatten() {
                    reject(problem);
                }
            }
        }
    }
    if rejected.is_empty() {
        Ok(resolved)
    } else {
        Err(rejected)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyRuleError {
    #[error("{0}")]
    ValueNotAllowed(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn values_parse_in_any_case_and_print_canonically() {
        assert_eq!(
            PolicyValue::parse("onlytrialswithoutpaymentmethod"),
            Some(PolicyValue::OnlyTrialsWithoutPaymentMethod)
        );
        assert_eq!(
            PolicyValue::parse("DISABLED").map(|v| v.to_string()),
            Some("Disabled".to_string())
        );
        assert_eq!(PolicyValue::parse("True"), None);
        assert_eq!(PolicyValue::parse(""), None);
    }

    #[test]
    fn trials_only_value_needs_a_flagged_product_and_never_an_offer_type() {
        let catalog = Catalog::embedded();
        let planner = PolicyTarget::Product(catalog.product("CFQ7TTC0HDB1").unwrap());
        let power_bi = PolicyTarget::Product(catalog.product("CFQ7TTC0H9MP").unwrap());
        let saas = PolicyTarget::OfferType(catalog.offer_type("saas").unwrap());
        let trials_only = PolicyValue::OnlyTrialsWithoutPaymentMethod;

        assert!(planner.check_value(trials_only).is_ok());
        let err = power_bi.check_value(trials_only).unwrap_err().to_string();
        assert!(err.contains("Power BI Pro") && err.contains("Allowed values: Enabled, Disabled"));
        assert!(saas.check_value(trials_only).is_err());
        for target in [planner, power_bi, saas] {
            assert!(target.check_value(PolicyValue::Enabled).is_ok());
            assert!(target.check_value(PolicyValue::Disabled).is_ok());
        }
    }

    #[test]
    fn policy_lookup_ignores_case() {
        assert!(PolicyDefinition::find("allowselfservicepurchase").is_some());
        assert!(PolicyDefinition::find("AllowSomethingElse").is_none());
    }

    #[test]
    fn scope_spellings_match_the_wire() {
        assert_eq!(Scope::parse("Product"), Some(Scope::Product));
        assert_eq!(Scope::parse("offertype"), Some(Scope::OfferType));
        assert_eq!(Scope::parse("tenant"), None);
        assert_eq!(Scope::Product.as_str(), "product");
    }

    fn requested<'r>(product_id: &'r str, value: &'r str) -> RequestedValue<'r> {
        RequestedValue {
            product_id: Some(product_id),
            offer_type: None,
            policy_value: value,
        }
    }

    #[test]
    fn several_values_resolve_or_every_bad_entry_is_named() {
        let catalog = Catalog::embedded();
        let saas = RequestedValue {
            product_id: None,
            offer_type: Some("saas"),
            policy_value: "disabled",
        };
        let good = resolve_values(
            &catalog,
            &[
                requested("CFQ7TTC0H9MP", "Disabled"),
                requested("CFQ7TTC0HDB1", "OnlyTrialsWithoutPaymentMethod"),
                saas,
            ],
        )
        .unwrap();
        let summary: Vec<(&str, PolicyValue)> = good.iter().map(|(t, v)| (t.id(), *v)).collect();
        assert_eq!(
            summary,
            vec![
                ("CFQ7TTC0H9MP", PolicyValue::Disabled),
                ("CFQ7TTC0HDB1", PolicyValue::OnlyTrialsWithoutPaymentMethod),
                ("SaaS", PolicyValue::Disabled),
            ]
        );

        let both = RequestedValue {
            product_id: Some("CFQ7TTC0H9MP"),
            offer_type: Some("SaaS"),
            policy_value: "Enabled",
        };
        let rejected = resolve_values(
            &catalog,
            &[
                requested("CFQ7TTC0H9MP", "Disabled"),
                requested("NOSUCHPRODUCT", "Disabled"),
                requested("CFQ7TTC0H9MP", "OnlyTrialsWithoutPaymentMethod"),
                requested("CFQ7TTC0HDB1", "Maybe"),
                both,
                requested("cfq7ttc0h9mp", "Enabled"),
            ],
        )
        .unwrap_err();
        let entries: Vec<usize> = rejected.iter().map(|r| r.entry).collect();
        assert_eq!(entries, vec![1, 2, 3, 4, 5], "{rejected:?}");
        assert!(rejected[0].reason.contains("NOSUCHPRODUCT"));
        assert!(rejected[1]
            .reason
            .contains("Allowed values: Enabled, Disabled"));
        assert!(rejected[2].reason.contains("'Maybe' is not a policy value"));
        assert!(rejected[3]
            .reason
            .contains("exactly one of productId and offerType"));
        assert!(rejected[4].reason.contains("already set by entry 0"));

        assert!(resolve_values(&catalog, &[]).unwrap_err()[0]
            .reason
            .contains("1 to 1000"));
    }
}
