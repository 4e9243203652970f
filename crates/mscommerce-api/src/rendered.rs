//! Policy answers rendered once. A product or offer type can be in at most three states, so every possible item
//! of `GET .../products` is serialized at start, by the same types and serializer as any answer; a read then
//! copies shared bytes instead of building and escaping strings (the profile in docs/PERFORMANCE.md).

use axum::body::Bytes;
use mscommerce_domain::{Catalog, PolicyDefinition, PolicyTarget, PolicyValue};

use crate::handlers::policies::policy_item;

/// The JSON of every (policy, target, value).
pub struct RenderedPolicies {
    /// `[policy][product slot][value]`.
    products: Vec<Vec<[Bytes; 3]>>,
    /// `[policy][offer-type slot][value]`.
    offer_types: Vec<Vec<[Bytes; 3]>>,
}

fn value_index(value: PolicyValue) -> usize {
    PolicyValue::ALL
        .iter()
        .position(|v| *v == value)
        .expect("every value is in ALL")
}

fn policy_index(policy: &PolicyDefinition) -> usize {
    PolicyDefinition::ALL
        .iter()
        .position(|p| p.id == policy.id)
        .expect("policies come from ALL")
}

impl RenderedPolicies {
    pub fn new(catalog: &Catalog) -> RenderedPolicies {
        let render = |policy: &PolicyDefinition, target: PolicyTarget<'_>| -> [Bytes; 3] {
            PolicyValue::ALL.map(|value| {
                Bytes::from(
                    serde_json::to_vec(&policy_item(policy, &target, value))
                        .expect("policy items serialize"),
                )
            })
        };
        RenderedPolicies {
            products: PolicyDefinition::ALL
                .iter()
                .map(|policy| {
                    catalog
                        .products()
                        .iter()
                        .map(|p| render(policy, PolicyTarget::Product(p)))
                        .collect()
                })
                .collect(),
            offer_types: PolicyDefinition::ALL
                .iter()
                .map(|policy| {
                    catalog
                        .offer_types()
                        .iter()
                        .map(|o| render(policy, PolicyTarget::OfferType(o)))
                        .collect()
                })
                .collect(),
        }
    }

    /// The item of `target` holding `value`.
    pub fn item(
        &self,
        policy: &PolicyDefinition,
        target: &PolicyTarget<'_>,
        value: PolicyValue,
    ) -> Bytes {
        let by_target = match target {
            PolicyTarget::Product(p) => &self.products[policy_index(policy)][p.slot],
            PolicyTarget::OfferType(o) => &self.offer_types[policy_index(policy)][o.slot],
        };
        by_target[value_index(value)].clone()
    }

    /// `{"items":[...]}` of the given items.
    pub fn list(items: impl Iterator<Item = Bytes>, capacity: usize) -> Bytes {
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(b"{\"items\":[");
        for (i, item) in items.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&item);
        }
        out.extend_from_slice(b"]}");
        Bytes::from(out)
    }
}
