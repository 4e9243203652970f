//! The decision the policy exists for: may this user acquire this product, in this way, now?
//!
//! [`decide`] is the one place this is answered. The acquisition endpoint and the decision endpoint both call it,
//! so they cannot disagree.

use std::fmt;

use crate::policy::{PolicyTarget, PolicyValue};

/// How a user wants to acquire a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcquisitionKind {
    /// Buy, paying by credit card.
    Purchase,
    /// A trial that needs a payment method and converts to paid at its end.
    TrialWithPaymentMethod,
    /// A free trial without a payment method; it does not renew.
    TrialWithoutPaymentMethod,
}

impl AcquisitionKind {
    pub const ALL: [AcquisitionKind; 3] = [
        AcquisitionKind::Purchase,
        AcquisitionKind::TrialWithPaymentMethod,
        AcquisitionKind::TrialWithoutPaymentMethod,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AcquisitionKind::Purchase => "Purchase",
            AcquisitionKind::TrialWithPaymentMethod => "TrialWithPaymentMethod",
            AcquisitionKind::TrialWithoutPaymentMethod => "TrialWithoutPaymentMethod",
        }
    }

    pub fn parse(text: &str) -> Option<AcquisitionKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn is_trial(self) -> bool {
        self != AcquisitionKind::Purchase
    }

    /// Purchases renew; trials with a payment method convert to paid; trials without one end.
    pub fn renews(self) -> bool {
        self != AcquisitionKind::TrialWithoutPaymentMethod
    }
}

impl fmt::Display for AcquisitionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the decision needs to know about the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acquirer {
    pub is_guest: bool,
    pub account_enabled: bool,
}

/// Why an acquisition is refused. Each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    AccountDisabled,
    GuestCannotAcquire,
    /// The product cannot be bought through self-service at all (trials only).
    PurchaseNotOffered,
    /// The product (or offer type) has no trial without a payment method.
    TrialWithoutPaymentMethodNotOffered,
    /// The policy value is Disabled.
    BlockedByPolicy,
    /// The policy value is OnlyTrialsWithoutPaymentMethod and this is not such a trial.
    OnlyTrialsWithoutPaymentMethodAllowed,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::AccountDisabled => "AccountDisabled",
            Refusal::GuestCannotAcquire => "GuestCannotAcquire",
            Refusal::PurchaseNotOffered => "PurchaseNotOffered",
            Refusal::TrialWithoutPaymentMethodNotOffered => "TrialWithoutPaymentMethodNotOffered",
            Refusal::BlockedByPolicy => "AcquisitionBlockedByPolicy",
            Refusal::OnlyTrialsWithoutPaymentMethodAllowed => {
                "OnlyTrialsWithoutPaymentMethodAllowed"
            }
        }
    }
}

/// The answer, with a sentence that names the product and the policy value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub policy_value: PolicyValue,
    pub refusal: Option<Refusal>,
    pub reason: String,
}

/// Decides. The order of the checks is the order of the reasons a person would want to hear: who you are, what
/// the product offers, then what your organization allows.
pub fn decide(
    target: &PolicyTarget<'_>,
    value: PolicyValue,
    kind: AcquisitionKind,
    acquirer: Acquirer,
) -> Decision {
    let what = match target {
        PolicyTarget::Product(p) => format!("product '{}' ({})", p.name, p.id),
        PolicyTarget::OfferType(o) => format!("offer type '{}' ({})", o.name, o.id),
    };
    let action = match kind {
        AcquisitionKind::Purchase => "buy",
        AcquisitionKind::TrialWithPaymentMethod => "start a trial with a payment method of",
        AcquisitionKind::TrialWithoutPaymentMethod => "start a trial without a payment method of",
    };
    let refuse = |refusal: Refusal, why: String| Decision {
        allowed: false,
        policy_value: value,
        refusal: Some(refusal),
        reason: why,
    };
    if !acquirer.account_enabled {
        return refuse(
            Refusal::AccountDisabled,
            format!("A disabled account cannot {action} {what}."),
        );
    }
    if acquirer.is_guest {
        return refuse(
            Refusal::GuestCannotAcquire,
            format!("Guests cannot {action} {what} in this organization; only its members can."),
        );
    }
    let offers_free_trial =
        matches!(target, PolicyTarget::Product(p) if p.trial_without_payment_method);
    let trials_only = matches!(target, PolicyTarget::Product(p) if p.trials_only);
    if kind == AcquisitionKind::Purchase && trials_only {
        return refuse(
            Refusal::PurchaseNotOffered,
            format!("The {what} can only be tried through self-service, not bought."),
        );
    }
    if kind == AcquisitionKind::TrialWithoutPaymentMethod && !offers_free_trial {
        return refuse(
            Refusal::TrialWithoutPaymentMethodNotOffered,
            format!("The {what} has no trial without a payment method."),
        );
    }
    let policy = format!("the organization's AllowSelfServicePurchase value for it is {value}");
    match value {
        PolicyValue::Disabled => refuse(
            Refusal::BlockedByPolicy,
            format!("You cannot {action} {what}: {policy}. Ask your IT admin."),
        ),
        PolicyValue::OnlyTrialsWithoutPaymentMethod if kind != AcquisitionKind::TrialWithoutPaymentMethod => refuse(
            Refusal::OnlyTrialsWithoutPaymentMethodAllowed,
            format!("You cannot {action} {what}: {policy}, which allows only trials without a payment method."),
        ),
        _ => Decision {
            allowed: true,
            policy_value: value,
            refusal: None,
            reason: format!("You may {action} {what}: {policy}."),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    const MEMBER: Acquirer = Acquirer {
        is_guest: false,
        account_enabled: true,
    };

    #[test]
    fn the_decision_table() {
        use AcquisitionKind::*;
        use PolicyValue::*;
        let catalog = Catalog::embedded();
        let flagged = PolicyTarget::Product(catalog.product("CFQ7TTC0HDB1").unwrap()); // Planner Plan 1
        let unflagged = PolicyTarget::Product(catalog.product("CFQ7TTC0H9MP").unwrap()); // Power BI Pro
        let expectations = [
            // value, kind, flagged?, allowed
            (Enabled, Purchase, true, true),
            (Enabled, TrialWithPaymentMethod, true, true),
            (Enabled, TrialWithoutPaymentMethod, true, true),
            (Enabled, TrialWithoutPaymentMethod, false, false),
            (Enabled, Purchase, false, true),
            (OnlyTrialsWithoutPaymentMethod, Purchase, true, false),
            (
                OnlyTrialsWithoutPaymentMethod,
                TrialWithPaymentMethod,
                true,
                false,
            ),
            (
                OnlyTrialsWithoutPaymentMethod,
                TrialWithoutPaymentMethod,
                true,
                true,
            ),
            (Disabled, Purchase, true, false),
            (Disabled, TrialWithPaymentMethod, false, false),
            (Disabled, TrialWithoutPaymentMethod, true, false),
        ];
        for (value, kind, is_flagged, allowed) in expectations {
            let target = if is_flagged { flagged } else { unflagged };
            let decision = decide(&target, value, kind, MEMBER);
            assert_eq!(
                decision.allowed, allowed,
                "{value} {kind} flagged={is_flagged}: {}",
                decision.reason
            );
            assert!(decision.reason.contains(target.name()));
        }
        let guest = Acquirer {
            is_guest: true,
            ..MEMBER
        };
        let disabled = Acquirer {
            account_enabled: false,
            ..MEMBER
        };
        assert_eq!(
            decide(&flagged, Enabled, Purchase, guest).refusal,
            Some(Refusal::GuestCannotAcquire)
        );
        assert_eq!(
            decide(&flagged, Enabled, Purchase, disabled).refusal,
            Some(Refusal::AccountDisabled)
        );
        let blocked = decide(&unflagged, Disabled, Purchase, MEMBER);
        assert!(
            blocked.reason.contains("Power BI Pro") && blocked.reason.contains("Disabled"),
            "{}",
            blocked.reason
        );
    }

    #[test]
    fn trials_only_products_cannot_be_bought() {
        let catalog = Catalog::embedded();
        let viva_goals = PolicyTarget::Product(catalog.product("CFQ7TTC0PW0V").unwrap());
        let bought = decide(
            &viva_goals,
            PolicyValue::Enabled,
            AcquisitionKind::Purchase,
            MEMBER,
        );
        assert_eq!(bought.refusal, Some(Refusal::PurchaseNotOffered));
        assert!(
            decide(
                &viva_goals,
                PolicyValue::Enabled,
                AcquisitionKind::TrialWithoutPaymentMethod,
                MEMBER
            )
            .allowed
        );
    }

    #[test]
    fn offer_types_have_no_free_trials() {
        let catalog = Catalog::embedded();
        let saas = PolicyTarget::OfferType(catalog.offer_type("SaaS").unwrap());
        assert!(
            decide(
                &saas,
                PolicyValue::Enabled,
                AcquisitionKind::Purchase,
                MEMBER
            )
            .allowed
        );
        assert_eq!(
            decide(
                &saas,
                PolicyValue::Enabled,
                AcquisitionKind::TrialWithoutPaymentMethod,
                MEMBER
            )
            .refusal,
            Some(Refusal::TrialWithoutPaymentMethodNotOffered)
        );
    }
}
