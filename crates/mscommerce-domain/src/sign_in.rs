//! How failed sign-ins slow the next attempts down, so that passwords cannot be guessed at the speed of the
//! hash, without letting a guesser lock the real user out.
//!
//! Failures are counted under three keys, each with its own [`BackOff`]:
//! - the account at one client address ([`SignInBackOff::account_at_address`]): a guesser at one account backs
//!   off quickly, and only there: the owner elsewhere is not affected. A successful sign-in clears it.
//! - the client address ([`SignInBackOff::address`]): one address trying many accounts (a password spray). Its
//!   budget is larger, because an office behind one address mistypes too.
//! - the account, across all addresses ([`SignInBackOff::account`]): a guesser spread over many addresses. This
//!   one never refuses: it delays each attempt by a bounded amount, so that no guesser can keep the owner out.
//!
//! An attempt is counted as a failure when it starts (and taken back when it succeeds), so that many guesses
//! sent at once cannot all slip in before the first one has failed.

use std::time::{Duration, Instant};

/// A run of failures counted under one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureRun {
    /// Failures in a row (attempts started and not succeeded).
    pub failures: u32,
    /// When the last of them started.
    pub last: Instant,
}

impl FailureRun {
    /// The run after one more failure at `now`.
    pub fn failed(run: Option<FailureRun>, now: Instant) -> FailureRun {
        FailureRun {
            failures: run.map_or(0, |r| r.failures).saturating_add(1),
            last: now,
        }
    }
}

/// Growing delays: the first `free_failures` cost nothing; after that, each failure makes the next attempt wait
/// `first_delay`, doubled per further failure, at most `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackOff {
    pub free_failures: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

/// A run is forgotten once its wait is over and this long has passed without another failure: entries expire, and
/// someone who mistyped yesterday starts afresh.
pub const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

impl BackOff {
    /// The wait imposed after `failures` failures in a row.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_failures).min(31);
        self.first_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }

    /// How much longer, from `now`, the next attempt under this run must wait; zero when it may go ahead.
    pub fn wait(&self, run: Option<&FailureRun>, now: Instant) -> Duration {
        run.map_or(Duration::ZERO, |run| {
            (run.last + self.delay_after(run.failures)).saturating_duration_since(now)
        })
    }

    /// Whether the run can be dropped: its wait is over and nothing failed for [`FORGET_AFTER`] since.
    pub fn forgotten(&self, run: &FailureRun, now: Instant) -> bool {
        now >= run.last + self.delay_after(run.failures) + FORGET_AFTER
    }
}

/// The three budgets of sign-in (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInBackOff {
    pub account_at_address: BackOff,
    pub address: BackOff,
    pub account: BackOff,
}

/// The budgets in force. From one address, one account gets 5 free guesses, then waits 1 s, 2 s, 4 s, ... up to
/// 15 minutes between guesses (about 100 guesses a day); one address gets 30 failures over all accounts before the
/// same growth; an account guessed at from everywhere answers each attempt after 10 failures at most 2 s later.
pub const SIGN_IN_BACK_OFF: SignInBackOff = SignInBackOff {
    account_at_address: BackOff {
        free_failures: 5,
        first_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(15 * 60),
    },
    address: BackOff {
        free_failures: 30,
        first_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(15 * 60),
    },
    account: BackOff {
        free_failures: 10,
        first_delay: Duration::from_millis(250),
        max_delay: Duration::from_secs(2),
    },
};

/// A refusal is answered after this long (or its whole wait, when shorter): a client that ignores `Retry-After`
/// and asks again at once gets one answer a second per connection, instead of as many as the service can write.
/// Waiting costs a timer, not a worker.
pub const REFUSAL_PAUSE: Duration = Duration::from_secs(1);

/// The runs that bear on one attempt. Without a known client address there is no address run, and the
/// account-at-address run is the account's at "no known address".
#[derive(Debug, Clone, Copy, Default)]
pub struct AttemptRuns {
    pub account_at_address: Option<FailureRun>,
    pub address: Option<FailureRun>,
    pub account: Option<FailureRun>,
}

/// What to do with a sign-in attempt, decided before any password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptVerdict {
    /// Refuse it without checking the password; the client may try again after `retry_after`.
    Refused { retry_after: Duration },
    /// Check the password, after waiting `slow_down` (zero, or at most the account budget's `max_delay`).
    Proceed { slow_down: Duration },
}

impl SignInBackOff {
    pub fn judge(&self, runs: &AttemptRuns, now: Instant) -> AttemptVerdict {
        let refusal = self
            .account_at_address
            .wait(runs.account_at_address.as_ref(), now)
            .max(self.address.wait(runs.address.as_ref(), now));
        if refusal > Duration::ZERO {
            return AttemptVerdict::Refused {
                retry_after: refusal,
            };
        }
        AttemptVerdict::Proceed {
            slow_down: self.account.wait(runs.account.as_ref(), now),
        }
    }
}

/// Whole seconds for a `Retry-After` header: rounded up, at least 1.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    whole.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: SignInBackOff = SIGN_IN_BACK_OFF;

    fn run(failures: u32, last: Instant) -> Option<FailureRun> {
        Some(FailureRun { failures, last })
    }

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_the_cap() {
        let rule = RULE.account_at_address;
        let delays: Vec<u64> = (0..=17).map(|f| rule.delay_after(f).as_secs()).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
        );
        // No overflow however long the run.
        assert_eq!(rule.delay_after(u32::MAX), rule.max_delay);
        assert_eq!(RULE.account.delay_after(u32::MAX), Duration::from_secs(2));
    }

    #[test]
    fn a_run_backs_off_until_its_wait_is_over() {
        let rule = RULE.account_at_address;
        let t = Instant::now();
        assert_eq!(rule.wait(None, t), Duration::ZERO);
        assert_eq!(rule.wait(run(4, t).as_ref(), t), Duration::ZERO);
        assert_eq!(rule.wait(run(6, t).as_ref(), t), Duration::from_secs(2));
        assert_eq!(
            rule.wait(run(6, t).as_ref(), t + Duration::from_millis(1500)),
            Duration::from_millis(500)
        );
        assert_eq!(
            rule.wait(run(6, t).as_ref(), t + Duration::from_secs(3)),
            Duration::ZERO
        );
    }

    #[test]
    fn the_account_at_an_address_or_the_address_refuses() {
        let t = Instant::now();
        let backed_off = run(5, t);
        let refused = |runs: AttemptRuns| RULE.judge(&runs, t);
        assert_eq!(
            refused(AttemptRuns {
                account_at_address: backed_off,
                ..AttemptRuns::default()
            }),
            AttemptVerdict::Refused {
                retry_after: Duration::from_secs(1)
            }
        );
        assert_eq!(
            refused(AttemptRuns {
                address: run(31, t),
                ..AttemptRuns::default()
            }),
            AttemptVerdict::Refused {
                retry_after: Duration::from_secs(2)
            }
        );
        // The longer of the two waits is the one to tell.
        assert_eq!(
            refused(AttemptRuns {
                account_at_address: run(7, t),
                address: run(30, t),
                account: run(1000, t),
            }),
            AttemptVerdict::Refused {
                retry_after: Duration::from_secs(4)
            }
        );
        // Within both free budgets: go ahead.
        assert_eq!(
            refused(AttemptRuns {
                account_at_address: run(4, t),
                address: run(29, t),
                account: None,
            }),
            AttemptVerdict::Proceed {
                slow_down: Duration::ZERO
            }
        );
    }

    #[test]
    fn the_account_across_addresses_only_slows_by_a_bounded_amount() {
        let t = Instant::now();
        for failures in [10, 11, 12, 20, 10_000, u32::MAX] {
            let verdict = RULE.judge(
                &AttemptRuns {
                    account: run(failures, t),
                    ..AttemptRuns::default()
                },
                t,
            );
            let AttemptVerdict::Proceed { slow_down } = verdict else {
                panic!("the account's own budget refused after {failures} failures");
            };
            assert!(slow_down > Duration::ZERO && slow_down <= Duration::from_secs(2));
        }
        assert_eq!(
            RULE.judge(
                &AttemptRuns {
                    account: run(9, t),
                    ..AttemptRuns::default()
                },
                t
            ),
            AttemptVerdict::Proceed {
                slow_down: Duration::ZERO
            }
        );
    }

    #[test]
    fn runs_are_forgotten_an_hour_after_their_wait() {
        let rule = RULE.account_at_address;
        let t = Instant::now();
        let short = run(1, t).unwrap();
        assert!(!rule.forgotten(&short, t + Duration::from_secs(3599)));
        assert!(rule.forgotten(&short, t + FORGET_AFTER));
        let long = run(40, t).unwrap();
        assert!(!rule.forgotten(&long, t + FORGET_AFTER));
        assert!(rule.forgotten(&long, t + FORGET_AFTER + Duration::from_secs(900)));
    }

    #[test]
    fn failures_count_up_from_nothing() {
        let t = Instant::now();
        let first = FailureRun::failed(None, t);
        assert_eq!(first.failures, 1);
        let later = t + Duration::from_secs(1);
        assert_eq!(
            FailureRun::failed(Some(first), later),
            FailureRun {
                failures: 2,
                last: later
            }
        );
        let full = FailureRun {
            failures: u32::MAX,
            last: t,
        };
        assert_eq!(FailureRun::failed(Some(full), t).failures, u32::MAX);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(900)), 900);
    }
}
