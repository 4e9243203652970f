//! A subscription over time: Active until its term ends, then renewed (purchases, and trials with a payment
//! method, which convert to a purchase), or Expired (trials without a payment method, and anything that does not
//! renew); Expired for a grace period in which its users keep their licenses; then Disabled (licenses removed,
//! data kept for admins); then Deleted, for good. A subscription its purchaser cancelled is Disabled from the
//! moment of the cancel; take-overs and admins' cancels go straight to Deleted.

use chrono::{DateTime, Duration, Months, Utc};

use crate::acquisition::AcquisitionKind;
use crate::subscription::{BillingFrequency, SubscriptionStatus};

/// How long a subscription stays in each state after its term ends. Microsoft's defaults: 30 days Expired, 90
/// days Disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleDurations {
    pub expired_days: u32,
    pub disabled_days: u32,
}

impl Default for LifecycleDurations {
    fn default() -> Self {
        LifecycleDurations {
            expired_days: 30,
            disabled_days: 90,
        }
    }
}

/// What the lifecycle needs to know of a subscription.
#[derive(Debug, Clone, Copy)]
pub struct LifecycleFacts {
    pub status: SubscriptionStatus,
    pub kind: AcquisitionKind,
    pub billing: BillingFrequency,
    pub auto_renew: bool,
    pub expires_at: DateTime<Utc>,
    /// Where its billing periods count from: its creation, or the end of the trial it converted from. Periods
    /// are counted from here every time (not from the last end), so that a term ending on the 31st comes back to
    /// the 31st after a shorter month.
    pub billing_anchor: DateTime<Utc>,
    /// Set when someone cancelled it (the purchaser's cancel makes it Disabled from then on).
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// The next step of a subscription's life, when one is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleStep {
    /// A purchase starts a new billing period, ending at `expires_at`.
    Renew { expires_at: DateTime<Utc> },
    /// A trial with a payment method becomes a purchase, billed from the trial's end until `expires_at`.
    ConvertToPurchase { expires_at: DateTime<Utc> },
    /// The term ended without renewal: users keep their licenses for the grace period.
    Expire,
    /// The grace period ended: users lose their licenses.
    Disable,
    /// Gone for good.
    Delete,
}

impl LifecycleStep {
    /// The status after the step.
    pub fn status(self) -> SubscriptionStatus {
        match self {
            LifecycleStep::Renew { .. } | LifecycleStep::ConvertToPurchase { .. } => {
                SubscriptionStatus::Active
            }
            LifecycleStep::Expire => SubscriptionStatus::Expired,
            LifecycleStep::Disable => SubscriptionStatus::Disabled,
            LifecycleStep::Delete => SubscriptionStatus::Deleted,
        }
    }

    /// Whether the step takes the licenses away from the subscription's users.
    pub fn removes_licenses(self) -> bool {
        matches!(self, LifecycleStep::Disable | LifecycleStep::Delete)
    }
}

/// The first end of a billing period after `now`, counting whole periods from `anchor`: a service that was stopped
/// for a while bills the periods it missed as one renewal, and the new end is still in the future.
fn next_period_end(
    anchor: DateTime<Utc>,
    billing: BillingFrequency,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let months_per_period = match billing {
        BillingFrequency::Monthly => 1,
        BillingFrequency::Annual => 12,
    };
    let mut periods: u32 = 1;
    loop {
        // Only out of range past the year 262,000.
        let Some(end) = anchor.checked_add_months(Months::new(periods * months_per_period)) else {
            return now;
        };
        if end > now {
            return end;
        }
        periods += 1;
    }
}

/// When the subscription became Disabled: at its cancel, or when its grace period ended.
fn disabled_since(facts: &LifecycleFacts, durations: LifecycleDurations) -> DateTime<Utc> {
    facts
        .cancelled_at
        .unwrap_or(facts.expires_at + Duration::days(durations.expired_days.into()))
}

/// The step due at `now`, if any. One step at a time: a subscription that is several steps behind (the service
/// was stopped) takes them on successive rounds, each audited.
pub fn lifecycle_step(
    facts: &LifecycleFacts,
    now: DateTime<Utc>,
    durations: LifecycleDurations,
) -> Option<LifecycleStep> {
    match facts.status {
        SubscriptionStatus::Active if facts.expires_at <= now => {
            let renews =
                facts.auto_renew && facts.kind != AcquisitionKind::TrialWithoutPaymentMethod;
            Some(match (renews, facts.kind) {
                (false, _) => LifecycleStep::Expire,
                (true, AcquisitionKind::Purchase) => LifecycleStep::Renew {
                    expires_at: next_period_end(facts.billing_anchor, facts.billing, now),
                },
                // The purchase's periods count from the trial's end.
                (true, _) => LifecycleStep::ConvertToPurchase {
                    expires_at: next_period_end(facts.expires_at, facts.billing, now),
                },
            })
        }
        SubscriptionStatus::Expired
            if facts.expires_at + Duration::days(durations.expired_days.into()) <= now =>
        {
            Some(LifecycleStep::Disable)
        }
        SubscriptionStatus::Disabled
            if disabled_since(facts, durations)
                + Duration::days(durations.disabled_days.into())
                <= now =>
        {
            Some(LifecycleStep::Delete)
        }
        _ => None,
    }
}

/// The moments before which a subscription in each state may have a step due at `now`, for a store to find the
/// candidates without reading every subscription; [`lifecycle_step`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleCutoffs {
    /// Active subscriptions whose term ended at or before this.
    pub active_ended: DateTime<Utc>,
    /// Expired subscriptions whose term ended at or before this.
    pub expired_ended: DateTime<Utc>,
    /// Disabled subscriptions cancelled at or before this.
    pub disabled_cancelled: DateTime<Utc>,
    /// Disabled subscriptions, not cancelled, whose term ended at or before this.
    pub disabled_ended: DateTime<Utc>,
}

impl LifecycleCutoffs {
    pub fn at(now: DateTime<Utc>, durations: LifecycleDurations) -> LifecycleCutoffs {
        let expired = Duration::days(durations.expired_days.into());
        let disabled = Duration::days(durations.disabled_days.into());
        LifecycleCutoffs {
            active_ended: now,
            expired_ended: now - expired,
            disabled_cancelled: now - disabled,
            disabled_ended: now - expired - disabled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    /// Active, bought (or converted) one billing period before `ends`.
    fn active(
        kind: AcquisitionKind,
        billing: BillingFrequency,
        ends: DateTime<Utc>,
    ) -> LifecycleFacts {
        let months = match billing {
            BillingFrequency::Monthly => 1,
            BillingFrequency::Annual => 12,
        };
        LifecycleFacts {
            status: SubscriptionStatus::Active,
            kind,
            billing,
            auto_renew: kind != AcquisitionKind::TrialWithoutPaymentMethod,
            expires_at: ends,
            billing_anchor: ends.checked_sub_months(Months::new(months)).unwrap(),
            cancelled_at: None,
        }
    }

    const DEFAULTS: LifecycleDurations = LifecycleDurations {
        expired_days: 30,
        disabled_days: 90,
    };

    #[test]
    fn nothing_is_due_before_the_term_ends() {
        let facts = active(
            AcquisitionKind::Purchase,
            BillingFrequency::Monthly,
            at(2026, 12, 25),
        );
        assert_eq!(lifecycle_step(&facts, at(2026, 12, 24), DEFAULTS), None);
    }

    #[test]
    fn purchases_renew_by_their_billing_period_on_the_same_day() {
        use AcquisitionKind::*;
        use BillingFrequency::*;
        // Bought on Dec 31: its periods end on the last day of shorter months, and on the 31st again after.
        let bought = at(2025, 12, 31);
        let monthly = |ends| LifecycleFacts {
            billing_anchor: bought,
            ..active(Purchase, Monthly, ends)
        };
        assert_eq!(
            lifecycle_step(&monthly(at(2026, 1, 31)), at(2026, 1, 31), DEFAULTS),
            Some(LifecycleStep::Renew {
                expires_at: at(2026, 2, 28)
            }),
            "a month later, on the month's last day when shorter"
        );
        assert_eq!(
            lifecycle_step(&monthly(at(2026, 2, 28)), at(2026, 2, 28), DEFAULTS),
            Some(LifecycleStep::Renew {
                expires_at: at(2026, 3, 31)
            }),
            "back on the 31st"
        );
        let annual = active(Purchase, Annual, at(2026, 1, 31));
        assert_eq!(
            lifecycle_step(&annual, at(2026, 1, 31), DEFAULTS),
            Some(LifecycleStep::Renew {
                expires_at: at(2027, 1, 31)
            })
        );
        // Stopped for 70 days: one renewal, to the first period end after now.
        let late = lifecycle_step(&monthly(at(2026, 1, 31)), at(2026, 4, 11), DEFAULTS);
        assert_eq!(
            late,
            Some(LifecycleStep::Renew {
                expires_at: at(2026, 4, 30)
            })
        );
    }

    #[test]
    fn trials_convert_or_expire_by_their_payment_method() {
        use AcquisitionKind::*;
        let ends = at(2026, 11, 1);
        let with_card = active(TrialWithPaymentMethod, BillingFrequency::Monthly, ends);
        assert_eq!(
            lifecycle_step(&with_card, ends, DEFAULTS),
            Some(LifecycleStep::ConvertToPurchase {
                expires_at: at(2026, 12, 1)
            })
        );
        let without = active(TrialWithoutPaymentMethod, BillingFrequency::Monthly, ends);
        assert_eq!(
            lifecycle_step(&without, ends, DEFAULTS),
            Some(LifecycleStep::Expire)
        );
        // Even when marked to renew: a trial without a payment method has nothing to bill.
        let marked = LifecycleFacts {
            auto_renew: true,
            ..without
        };
        assert_eq!(
            lifecycle_step(&marked, ends, DEFAULTS),
            Some(LifecycleStep::Expire)
        );
        let stopped = LifecycleFacts {
            auto_renew: false,
            ..active(AcquisitionKind::Purchase, BillingFrequency::Annual, ends)
        };
        assert_eq!(
            lifecycle_step(&stopped, ends, DEFAULTS),
            Some(LifecycleStep::Expire)
        );
    }

    #[test]
    fn expired_then_disabled_then_deleted_after_the_grace_periods() {
        let ends = at(2026, 1, 1);
        let expired = LifecycleFacts {
            status: SubscriptionStatus::Expired,
            auto_renew: false,
            ..active(
                AcquisitionKind::TrialWithoutPaymentMethod,
                BillingFrequency::Monthly,
                ends,
            )
        };
        assert_eq!(lifecycle_step(&expired, at(2026, 1, 30), DEFAULTS), None);
        assert_eq!(
            lifecycle_step(&expired, at(2026, 1, 31), DEFAULTS),
            Some(LifecycleStep::Disable)
        );
        let disabled = LifecycleFacts {
            status: SubscriptionStatus::Disabled,
            ..expired
        };
        // Disabled from Jan 31 (30 days after the end), deleted 90 days later: May 1.
        assert_eq!(lifecycle_step(&disabled, at(2026, 4, 30), DEFAULTS), None);
        assert_eq!(
            lifecycle_step(&disabled, at(2026, 5, 1), DEFAULTS),
            Some(LifecycleStep::Delete)
        );
        // Cancelled by its purchaser on Mar 1: deleted 90 days after the cancel, whatever its term.
        let cancelled = LifecycleFacts {
            cancelled_at: Some(at(2026, 3, 1)),
            ..disabled
        };
        assert_eq!(lifecycle_step(&cancelled, at(2026, 5, 29), DEFAULTS), None);
        assert_eq!(
            lifecycle_step(&cancelled, at(2026, 5, 30), DEFAULTS),
            Some(LifecycleStep::Delete)
        );
        let deleted = LifecycleFacts {
            status: SubscriptionStatus::Deleted,
            ..disabled
        };
        assert_eq!(lifecycle_step(&deleted, at(2030, 1, 1), DEFAULTS), None);
    }

    #[test]
    fn the_cutoffs_find_exactly_what_is_due() {
        let now = at(2026, 6, 1);
        let cutoffs = LifecycleCutoffs::at(now, DEFAULTS);
        let due = |facts: LifecycleFacts| lifecycle_step(&facts, now, DEFAULTS).is_some();
        let base = active(AcquisitionKind::Purchase, BillingFrequency::Monthly, now);
        for (status, cancelled_at, cutoff) in [
            (SubscriptionStatus::Active, None, cutoffs.active_ended),
            (SubscriptionStatus::Expired, None, cutoffs.expired_ended),
            (SubscriptionStatus::Disabled, None, cutoffs.disabled_ended),
        ] {
            let on = LifecycleFacts {
                status,
                cancelled_at,
                expires_at: cutoff,
                ..base
            };
            let after = LifecycleFacts {
                expires_at: cutoff + Duration::seconds(1),
                ..on
            };
            assert!(due(on), "{status}: due at the cutoff");
            assert!(!due(after), "{status}: not due after it");
        }
        let cancelled = LifecycleFacts {
            status: SubscriptionStatus::Disabled,
            cancelled_at: Some(cutoffs.disabled_cancelled),
            ..base
        };
        assert!(due(cancelled));
        let later = LifecycleFacts {
            cancelled_at: Some(cutoffs.disabled_cancelled + Duration::seconds(1)),
            ..cancelled
        };
        assert!(!due(later));
    }
}
