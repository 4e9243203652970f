//! Subscriptions and their licenses: states, prices and terms, seat arithmetic, cancellation reasons.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::acquisition::AcquisitionKind;
use crate::catalog::Money;
use crate::policy::PolicyTarget;

/// At most this many users are assigned or unassigned in one request, as in the admin center.
pub const MAX_USERS_PER_REQUEST: usize = 20;
/// The largest quantity a subscription can have.
pub const MAX_QUANTITY: i64 = 1_000_000;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),+ }
            }

            /// Reads the name in any case.
            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(text.trim()))
            }

            /// The names, for error messages.
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Who bought it: a user for themselves (self-service) or an admin for the organization (central).
    PurchaseType { SelfService, Central }
);

wire_enum!(BillingFrequency { Monthly, Annual });

wire_enum!(
    /// Active -> Expired -> Disabled -> Deleted. A take-over or an admin's cancel goes straight to Deleted.
    SubscriptionStatus { Active, Expired, Disabled, Deleted }
);

wire_enum!(
    /// Why a subscription is cancelled: a fixed list, so that reports can count them.
    CancellationReason {
        NoLongerNeeded,
        TooExpensive,
        DuplicatePurchase,
        PurchasedByMistake,
        MovingToCentralLicenses,
        SecurityOrCompliance,
        NotApprovedByOrganization,
        Other,
    }
);

/// How long a new subscription runs before it renews, converts or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    Months(u32),
    Days(u32),
}

/// Purchases run a billing period; trials run the product's trial length.
pub fn first_term(kind: AcquisitionKind, billing: BillingFrequency, trial_days: u32) -> Term {
    match (kind, billing) {
        (AcquisitionKind::Purchase, BillingFrequency::Monthly) => Term::Months(1),
        (AcquisitionKind::Purchase, BillingFrequency::Annual) => Term::Months(12),
        _ => Term::Days(trial_days),
    }
}

impl Term {
    /// When a term that starts at `start` ends (`start` itself if the date would leave chrono's range).
    pub fn end_from(self, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Term::Months(n) => start.checked_add_months(chrono::Months::new(n)),
            Term::Days(n) => start.checked_add_days(chrono::Days::new(u64::from(n))),
        }
        .unwrap_or(start)
    }
}

/// Third-party offer types have no trial length of their own in the catalog; their trials run this long.
pub const OFFER_TYPE_TRIAL_DAYS: u32 = 30;
/// The currency recorded for third-party offers.
pub const OFFER_TYPE_CURRENCY: &str = "USD";

/// What a new subscription records of its price, and how long it first runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pricing<'c> {
    /// One license for one billing period.
    pub unit_price: Money,
    pub currency: &'c str,
    pub first_term: Term,
}

/// The list price of the chosen billing frequency and the first term of a new subscription of `target`.
/// Third-party offers are priced by their publishers, so they are recorded at 0 here.
pub fn pricing<'c>(
    target: &PolicyTarget<'c>,
    kind: AcquisitionKind,
    billing: BillingFrequency,
) -> Pricing<'c> {
    let (unit_price, currency, trial_days) = match target {
        PolicyTarget::Product(p) => {
            let price = match billing {
                BillingFrequency::Monthly => p.monthly_price,
                BillingFrequency::Annual => p.annual_price,
            };
            (price, p.currency.as_str(), p.trial_days)
        }
        PolicyTarget::OfferType(_) => (
            Money { minor_units: 0 },
            OFFER_TYPE_CURRENCY,
            OFFER_TYPE_TRIAL_DAYS,
        ),
    };
    Pricing {
        unit_price,
        currency,
        first_term: first_term(kind, billing, trial_days),
    }
}

/// A cancellation comment has at most this many characters.
pub const MAX_CANCELLATION_COMMENT: usize = 1000;

/// A cancellation's reason or comment that the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancellationError {
    #[error("reason '{0}' is not one of: {names}.", names = CancellationReason::names())]
    UnknownReason(String),
    #[error("comment has at most {MAX_CANCELLATION_COMMENT} characters.")]
    CommentTooLong,
    #[error("With the reason Other, say why in comment.")]
    CommentRequired,
}

impl CancellationError {
    pub fn code(&self) -> &'static str {
        match self {
            CancellationError::UnknownReason(_) => "InvalidCancellationReason",
            CancellationError::CommentTooLong => "InvalidComment",
            CancellationError::CommentRequired => "CommentRequired",
        }
    }
}

/// Reads a cancellation's reason (any case) and comment: a blank comment is no comment; `Other` needs one,
/// since it is the only reason that says nothing by itself.
pub fn check_cancellation(
    reason: &str,
    comment: Option<&str>,
) -> Result<(CancellationReason, Option<String>), CancellationError> {
    let reason = CancellationReason::parse(reason)
        .ok_or_else(|| CancellationError::UnknownReason(reason.to_string()))?;
    let comment = comment
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_CANCELLATION_COMMENT)
    {
        return Err(CancellationError::CommentTooLong);
    }
    if reason == CancellationReason::Other && comment.is_none() {
        return Err(CancellationError::CommentRequired);
    }
    Ok((reason, comment))
}

/// A rule about licenses or quantities that a change would break.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeatError {
    #[error(
        "The subscription has {quantity} licenses and {assigned} are assigned, so {requested} more cannot be \
         assigned: {missing} more licenses are needed."
    )]
    NotEnoughLicenses {
        quantity: i64,
        assigned: i64,
        requested: i64,
        missing: i64,
    },
    #[error("The quantity cannot be {quantity}: {assigned} licenses are assigned. Unassign some first, or keep at least {assigned}.")]
    QuantityBelowAssigned { quantity: i64, assigned: i64 },
    #[error("The quantity must be from 1 to {MAX_QUANTITY}; got {0}.")]
    QuantityOutOfRange(i64),
    #[error("At most {MAX_USERS_PER_REQUEST} users can be assigned or unassigned in one request; got {0}.")]
    TooManyUsers(usize),
    #[error("Give at least one user.")]
    NoUsers,
    #[error("The subscription is {0}; only an Active subscription can change.")]
    NotActive(SubscriptionStatus),
    #[error(
        "A trial without a payment method does not renew: there is nothing to bill. Buy the product to keep it \
         after the trial."
    )]
    RenewalNotOffered,
}

impl SeatError {
    pub fn code(&self) -> &'static str {
        match self {
            SeatError::NotEnoughLicenses { .. } => "NotEnoughLicenses",
            SeatError::QuantityBelowAssigned { .. } => "QuantityBelowAssigned",
            SeatError::QuantityOutOfRange(_) => "InvalidQuantity",
            SeatError::TooManyUsers(_) => "TooManyUsers",
            SeatError::NoUsers => "NoUsers",
            SeatError::NotActive(_) => "SubscriptionNotActive",
            SeatError::RenewalNotOffered => "RenewalNotOffered",
        }
    }
}

pub fn check_quantity(quantity: i64) -> Result<(), SeatError> {
    if (1..=MAX_QUANTITY).contains(&quantity) {
        Ok(())
    } else {
        Err(SeatError::QuantityOutOfRange(quantity))
    }
}

/// A batch of users for one assign or unassign request.
pub fn check_batch(count: usize) -> Result<(), SeatError> {
    match count {
        0 => Err(SeatError::NoUsers),
        n if n > MAX_USERS_PER_REQUEST => Err(SeatError::TooManyUsers(n)),
        _ => Ok(()),
    }
}

pub fn check_active(status: SubscriptionStatus) -> Result<(), SeatError> {
    match status {
        SubscriptionStatus::Active => Ok(()),
        other => Err(SeatError::NotActive(other)),
    }
}

/// Turning renewal on or off: anything may stop renewing, but a trial without a payment method cannot renew.
pub fn check_auto_renew(kind: AcquisitionKind, auto_renew: bool) -> Result<(), SeatError> {
    if auto_renew && kind == AcquisitionKind::TrialWithoutPaymentMethod {
        return Err(SeatError::RenewalNotOffered);
    }
    Ok(())
}

/// Whether `requested` more licenses fit; never beyond the quantity.
pub fn check_assign(quantity: i64, assigned: i64, requested: i64) -> Result<(), SeatError> {
    let free = quantity - assigned;
    if requested <= free {
        return Ok(());
    }
    Err(SeatError::NotEnoughLicenses {
        quantity,
        assigned,
        requested,
        missing: requested - free.max(0),
    })
}

/// A new total quantity: in range and never below what is assigned.
pub fn check_new_quantity(quantity: i64, assigned: i64) -> Result<(), SeatError> {
    check_quantity(quantity)?;
    if quantity < assigned {
        return Err(SeatError::QuantityBelowAssigned { quantity, assigned });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_are_never_oversubscribed() {
        assert!(check_assign(10, 8, 2).is_ok());
        let err = check_assign(10, 8, 5).unwrap_err();
        assert_eq!(
            err,
            SeatError::NotEnoughLicenses {
                quantity: 10,
                assigned: 8,
                requested: 5,
                missing: 3
            }
        );
        assert!(err.to_string().contains("3 more licenses are needed"));
        assert!(check_new_quantity(5, 5).is_ok());
        assert_eq!(
            check_new_quantity(4, 5).unwrap_err().code(),
            "QuantityBelowAssigned"
        );
        assert_eq!(
            check_new_quantity(0, 0).unwrap_err().code(),
            "InvalidQuantity"
        );
    }

    #[test]
    fn batches_hold_one_to_twenty_users() {
        assert_eq!(check_batch(0), Err(SeatError::NoUsers));
        assert!(check_batch(20).is_ok());
        assert_eq!(check_batch(21), Err(SeatError::TooManyUsers(21)));
    }

    #[test]
    fn terms_follow_the_kind() {
        use AcquisitionKind::*;
        assert_eq!(
            first_term(Purchase, BillingFrequency::Annual, 30),
            Term::Months(12)
        );
        assert_eq!(
            first_term(TrialWithoutPaymentMethod, BillingFrequency::Annual, 60),
            Term::Days(60)
        );
        assert_eq!(
            CancellationReason::parse("nolongerneeded"),
            Some(CancellationReason::NoLongerNeeded)
        );
        assert!(CancellationReason::names().starts_with("NoLongerNeeded, TooExpensive"));
    }

    #[test]
    fn prices_and_terms_follow_the_billing_frequency() {
        let catalog = crate::Catalog::embedded();
        let product = &catalog.products()[0];
        let target = PolicyTarget::Product(product);
        let monthly = pricing(
            &target,
            AcquisitionKind::Purchase,
            BillingFrequency::Monthly,
        );
        assert_eq!(monthly.unit_price, product.monthly_price);
        assert_eq!(monthly.currency, product.currency);
        assert_eq!(monthly.first_term, Term::Months(1));
        let annual = pricing(&target, AcquisitionKind::Purchase, BillingFrequency::Annual);
        assert_eq!(annual.unit_price, product.annual_price);
        assert_eq!(annual.first_term, Term::Months(12));
        let trial = pricing(
            &target,
            AcquisitionKind::TrialWithPaymentMethod,
            BillingFrequency::Annual,
        );
        assert_eq!(trial.first_term, Term::Days(product.trial_days));

        let offer = PolicyTarget::OfferType(&catalog.offer_types()[0]);
        let offer = pricing(&offer, AcquisitionKind::Purchase, BillingFrequency::Annual);
        assert_eq!(offer.unit_price, Money { minor_units: 0 });
        assert_eq!(offer.currency, "USD");
        let offer_trial = pricing(
            &PolicyTarget::OfferType(&catalog.offer_types()[0]),
            AcquisitionKind::TrialWithPaymentMethod,
            BillingFrequency::Monthly,
        );
        assert_eq!(offer_trial.first_term, Term::Days(30));
    }

    #[test]
    fn terms_end_by_calendar() {
        let start: DateTime<Utc> = "2026-01-31T10:00:00Z".parse().unwrap();
        assert_eq!(
            Term::Months(1).end_from(start),
            "2026-02-28T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            Term::Days(30).end_from(start),
            "2026-03-02T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn cancellations_need_a_known_reason_and_a_comment_with_other() {
        assert_eq!(
            check_cancellation("toOExpensive", Some("  ")),
            Ok((CancellationReason::TooExpensive, None))
        );
        assert_eq!(
            check_cancellation("NoLongerNeeded", Some(" done ")),
            Ok((CancellationReason::NoLongerNeeded, Some("done".to_string())))
        );
        let unknown = check_cancellation("Bored", None).unwrap_err();
        assert_eq!(unknown.code(), "InvalidCancellationReason");
        assert_eq!(
            unknown.to_string(),
            format!(
                "reason 'Bored' is not one of: {}.",
                CancellationReason::names()
            )
        );
        assert_eq!(
            check_cancellation("Other", None),
            Err(CancellationError::CommentRequired)
        );
        assert_eq!(
            check_cancellation("Other", Some(" ")),
            Err(CancellationError::CommentRequired)
        );
        let long = "é".repeat(MAX_CANCELLATION_COMMENT);
        assert!(check_cancellation("Other", Some(&long)).is_ok());
        let longer = "é".repeat(MAX_CANCELLATION_COMMENT + 1);
        assert_eq!(
            check_cancellation("Other", Some(&longer)),
            Err(CancellationError::CommentTooLong)
        );
    }
}
