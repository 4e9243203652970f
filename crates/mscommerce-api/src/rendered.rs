//! Answers rendered once. A product or offer type can be in at most three states, so every possible item of
//! `GET .../products` is serialized at start, by the same types and serializer as any answer; a read then copies
//! shared bytes instead of building and escaping strings (the profile in docs/PERFORMANCE.md). The same holds for
//! acquisition decisions: an answer depends on the target, its value, the kind and two facts of the user, so each
//! is rendered once too and only the user's ID is written per request.

use axum::body::Bytes;
use dashmap::DashMap;
use mscommerce_domain::UserId;
use mscommerce_domain::{
    decide, Acquirer, AcquisitionKind, Catalog, PolicyDefinition, PolicyTarget, PolicyValue, Scope,
};

use crate::views::acquisition::DecisionView;
use crate::views::policies::policy_item;

/// The JSON of every (policy, target, value), and of every acquisition decision but its user's ID.
pub struct RenderedPolicies {
    /// `[policy][product slot][value]`.
    products: Vec<Vec<[Bytes; 3]>>,
    /// `[policy][offer-type slot][value]`.
    offer_types: Vec<Vec<[Bytes; 3]>>,
    /// `[target][value][kind][acquirer]`: the decision's JSON up to the user ID's value (see
    /// [`RenderedPolicies::decision`]). Targets are the products by slot, then the offer types by slot.
    decisions: Vec<[[[Vec<u8>; 4]; 3]; 3]>,
    /// Products in the catalog: the offer types' targets start here.
    product_count: usize,
    /// Whole lists, by what they list (see [`ListKey`]): tenants share them, since most tenants hold one of a few
    /// combinations of values. Bounded by [`MAX_SHARED_LISTS`].
    lists: DashMap<ListKey, Bytes>,
}

/// A list's policy, what it lists (products or offer types), and the value of each of its targets packed in base
/// 3 after a leading 1, so that lists of different lengths never share a key (up to 80 targets: a longer list is
/// rendered per request).
type ListKey = (usize, Scope, u128);

/// At most this many distinct lists are kept (about 3.5 KB each for 25 products): beyond, lists are rendered per
/// request, as they are for a catalog of more than 80 targets.
const MAX_SHARED_LISTS: usize = 2048;

/// The decision's last field, written empty when rendering and filled per request.
const USER_ID_FIELD: &[u8] = br#","userId":""}"#;

fn acquirer_index(acquirer: Acquirer) -> usize {
    usize::from(acquirer.is_guest) * 2 + usize::from(acquirer.account_enabled)
}

fn kind_index(kind: AcquisitionKind) -> usize {
    AcquisitionKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind is in ALL")
}

/// Every decision about `target`, by value, kind and acquirer, rendered up to the user ID's value.
fn render_decisions(target: PolicyTarget<'_>) -> [[[Vec<u8>; 4]; 3]; 3] {
    PolicyValue::ALL.map(|value| {
        AcquisitionKind::ALL.map(|kind| {
            [(false, false), (false, true), (true, false), (true, true)].map(
                |(is_guest, account_enabled)| {
                    let acquirer = Acquirer {
                        is_guest,
                        account_enabled,
                    };
                    let decision = decide(&target, value, kind, acquirer);
                    let view = DecisionView::new(&target, kind, decision, String::new());
                    let mut json = serde_json::to_vec(&view).expect("decisions serialize");
                    assert!(
                        json.ends_with(USER_ID_FIELD),
                        "userId is the decision's last field"
                    );
                    // Keep `..."userId":"`; the ID and `"}` are written per request.
                    json.truncate(json.len() - 2);
                    json
                },
            )
        })
    })
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
        let decisions = catalog
            .products()
            .iter()
            .map(|p| render_decisions(PolicyTarget::Product(p)))
            .chain(
                catalog
                    .offer_types()
                    .iter()
                    .map(|o| render_decisions(PolicyTarget::OfferType(o))),
            )
            .collect();
        RenderedPolicies {
            lists: DashMap::new(),
            decisions,
            product_count: catalog.products().len(),
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
    ) -> &Bytes {
        let by_target = match target {
            PolicyTarget::Product(p) => &self.products[policy_index(policy)][p.slot],
            PolicyTarget::OfferType(o) => &self.offer_types[policy_index(policy)][o.slot],
        };
        &by_target[value_index(value)]
    }

    /// The answer of the acquisition decision about `target` for the user `user_id`.
    pub fn decision(
        &self,
        target: &PolicyTarget<'_>,
        value: PolicyValue,
        kind: AcquisitionKind,
        acquirer: Acquirer,
        user_id: UserId,
    ) -> Bytes {
        let target_index = match target {
            PolicyTarget::Product(p) => p.slot,
            PolicyTarget::OfferType(o) => self.product_count + o.slot,
        };
        let prefix = &self.decisions[target_index][value_index(value)][kind_index(kind)]
            [acquirer_index(acquirer)];
        let mut out = Vec::with_capacity(prefix.len() + 38);
        out.extend_from_slice(prefix);
        let mut id = [0u8; 36];
        out.extend_from_slice(
            user_id
                .as_uuid()
                .hyphenated()
                .encode_lower(&mut id)
                .as_bytes(),
        );
        out.extend_from_slice(b"\"}");
        Bytes::from(out)
    }

    /// `{"items":[...]}` of `targets` of `policy` holding the values `value_of` gives (all products, or all offer
    /// types, as `listing` says). The bytes are shared by every tenant whose list holds the same values.
    pub fn list<'c>(
        &self,
        policy: &PolicyDefinition,
        listing: Scope,
        targets: impl Iterator<Item = PolicyTarget<'c>> + Clone,
        value_of: impl Fn(&PolicyTarget<'c>) -> PolicyValue,
    ) -> Bytes {
        let mut packed: Option<u128> = Some(1);
        for target in targets.clone() {
            packed = packed
                .and_then(|p| p.checked_mul(3))
                .and_then(|p| p.checked_add(value_index(value_of(&target)) as u128));
        }
        let render = || {
            let items = targets.clone().map(|t| {
                let value = value_of(&t);
                self.item(policy, &t, value)
            });
            Self::join(items)
        };
        let Some(packed) = packed else {
            return render();
        };
        let key = (policy_index(policy), listing, packed);
        if let Some(list) = self.lists.get(&key) {
            return list.clone();
        }
        let list = render();
        if self.lists.len() < MAX_SHARED_LISTS {
            self.lists.insert(key, list.clone());
        }
        list
    }

    /// `{"items":[...]}` of the given items.
    fn join<'a>(items: impl Iterator<Item = &'a Bytes>) -> Bytes {
        let mut out = b"{\"items\":[".to_vec();
        for (i, item) in items.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(item);
        }
        out.extend_from_slice(b"]}");
        Bytes::from(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list holds each target's item for its value; tenants with the same values share one list's bytes, and a
    /// tenant with other values gets its own.
    #[test]
    fn lists_hold_each_value_and_are_shared_by_equal_lists() {
        let catalog = Catalog::embedded();
        let rendered = RenderedPolicies::new(&catalog);
        let policy = &PolicyDefinition::ALL[0];
        let products = || catalog.products().iter().map(PolicyTarget::Product);
        let changed = &catalog.products()[3].id;
        let all_enabled = |_: &PolicyTarget<'_>| PolicyValue::Enabled;
        let one_disabled = |t: &PolicyTarget<'_>| {
            if t.id() == changed {
                PolicyValue::Disabled
            } else {
                PolicyValue::Enabled
            }
        };
        let first = rendered.list(policy, Scope::Product, products(), all_enabled);
        let again = rendered.list(policy, Scope::Product, products(), all_enabled);
        let other = rendered.list(policy, Scope::Product, products(), one_disabled);
        assert_eq!(first.as_ptr(), again.as_ptr(), "equal lists share bytes");
        assert_ne!(first, other);

        let items = |list: &Bytes| -> Vec<serde_json::Value> {
            let json: serde_json::Value = serde_json::from_slice(list).unwrap();
            json["items"].as_array().unwrap().clone()
        };
        let (first, other) = (items(&first), items(&other));
        assert_eq!(first.len(), catalog.products().len());
        for (a, b) in first.iter().zip(&other) {
            assert_eq!(a["policyValue"], "Enabled");
            let expected = if b["productId"] == changed.as_str() {
                "Disabled"
            } else {
                "Enabled"
            };
            assert_eq!(b["policyValue"], expected, "{b}");
        }
        let offer_types = rendered.list(
            policy,
            Scope::OfferType,
            catalog.offer_types().iter().map(PolicyTarget::OfferType),
            all_enabled,
        );
        assert_eq!(items(&offer_types).len(), catalog.offer_types().len());
        // An empty list never answers for a list of targets that all hold the first value, nor the reverse.
        let none = rendered.list(policy, Scope::OfferType, products().take(0), all_enabled);
        assert_eq!(items(&none).len(), 0);
        let one = rendered.list(policy, Scope::OfferType, products().take(1), all_enabled);
        assert_eq!(items(&one).len(), 1);
        assert_eq!(
            items(&rendered.list(policy, Scope::Product, products(), all_enabled)).len(),
            catalog.products().len()
        );
    }

    /// Every rendered decision is, byte for byte, the decision serialized for that user.
    #[test]
    fn rendered_decisions_are_the_serialized_decisions() {
        let catalog = Catalog::embedded();
        let rendered = RenderedPolicies::new(&catalog);
        let user = UserId::generate();
        let targets = catalog
            .products()
            .iter()
            .map(PolicyTarget::Product)
            .chain(catalog.offer_types().iter().map(PolicyTarget::OfferType));
        let mut checked = 0;
        for target in targets {
            for value in PolicyValue::ALL {
                for kind in AcquisitionKind::ALL {
                    for (is_guest, account_enabled) in
                        [(false, false), (false, true), (true, false), (true, true)]
                    {
                        let acquirer = Acquirer {
                            is_guest,
                            account_enabled,
                        };
                        let expected = serde_json::to_vec(&DecisionView::new(
                            &target,
                            kind,
                            decide(&target, value, kind, acquirer),
                            user.to_string(),
                        ))
                        .unwrap();
                        let answer = rendered.decision(&target, value, kind, acquirer, user);
                        assert_eq!(
                            String::from_utf8_lossy(&answer),
                            String::from_utf8_lossy(&expected),
                            "{target:?} {value} {kind} {acquirer:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(
            checked,
            (catalog.products().len() + catalog.offer_types().len()) * 3 * 3 * 4
        );
    }
}
