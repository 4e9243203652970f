//! Subscriptions and their licenses: states, terms, seat arithmetic, cancellation reasons.

use std::fmt;

use crate::acquisition::AcquisitionKind;

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
}
