//! The lifecycle round: every `lifecycle_interval_seconds`, the subscriptions whose term or grace period has
//! ended take their next step (`mscommerce_domain::lifecycle`): renewed, converted to a purchase, Expired,
//! Disabled or Deleted, each in one transaction with its audit event and the purchaser's email. Every replica
//! runs the round; a step applies only to the version it was decided on, so two replicas never apply one twice.

use std::sync::Arc;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use mscommerce_domain::notification;
use mscommerce_domain::{
    lifecycle_step, LifecycleCutoffs, LifecycleDurations, LifecycleFacts, LifecycleStep,
};
use mscommerce_store::{
    AuditActor, LifecycleChange, NewMessage, Store, StoreError, StoreResult, Subscription,
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::config::Settings;

/// Subscriptions read per batch.
const BATCH: u32 = 200;
/// Batches per round at most; the next round starts again from the longest overdue.
const MAX_BATCHES: usize = 50;

pub struct Lifecycle {
    store: Arc<dyn Store>,
    durations: LifecycleDurations,
    interval: Duration,
    /// Answered license requests older than this are deleted.
    request_retention: chrono::Duration,
}

fn facts_of(subscription: &Subscription) -> LifecycleFacts {
    LifecycleFacts {
        status: subscription.status,
        kind: subscription.acquisition_kind,
        billing: subscription.billing_frequency,
        auto_renew: subscription.auto_renew,
        expires_at: subscription.expires_at,
        billing_anchor: subscription
            .billing_anchor
            .unwrap_or(subscription.created_at),
        cancelled_at: subscription.cancelled_at,
    }
}

/// The email's "Reason" line for a step.
fn reason(step: LifecycleStep) -> &'static str {
    match step {
        LifecycleStep::Renew { .. } => "Renewal",
        LifecycleStep::ConvertToPurchase { .. } => "TrialEnded",
        LifecycleStep::Expire => "TermEnded",
        LifecycleStep::Disable => "GracePeriodEnded",
        LifecycleStep::Delete => "RetentionEnded",
    }
}

impl Lifecycle {
    pub fn new(store: Arc<dyn Store>, settings: &Settings) -> Lifecycle {
        Lifecycle {
            store,
            durations: LifecycleDurations {
                expired_days: settings.lifecycle_expired_days,
                disabled_days: settings.lifecycle_disabled_days,
            },
            interval: Duration::from_secs(settings.lifecycle_interval_seconds),
            request_retention: chrono::Duration::days(
                settings.license_request_retention_days as i64,
            ),
        }
    }

    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            if let Err(e) = self.round().await {
                tracing::warn!(error = %e, "the subscription lifecycle round failed; trying again later");
            }
            // Sign-in grants past their lifetime answer nothing any more: their rows go an hour later (until then
            // a late poll still hears `expired_token` rather than of an unknown code).
            match self
                .store
                .delete_expired_grants(Utc::now() - chrono::Duration::hours(1))
                .await
            {
                Ok(0) => {}
                Ok(deleted) => tracing::debug!(deleted, "expired sign-in grants deleted"),
                Err(e) => tracing::warn!(error = %e, "deleting expired sign-in grants failed"),
            }
            // License requests are history for their retention after their answer, then gone.
            match self
                .store
                .delete_answered_license_requests(Utc::now() - self.request_retention)
                .await
            {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(
                    deleted,
                    "answered license requests past their retention deleted"
                ),
                Err(e) => tracing::warn!(error = %e, "deleting old license requests failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.interval) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// One round: every step due now. Answers how many steps were applied.
    pub async fn round(&self) -> StoreResult<usize> {
        let actor = AuditActor {
            id: "mscommerce-lifecycle".into(),
            name: "Subscription lifecycle".into(),
            kind: "System".into(),
            correlation_id: Uuid::new_v4().to_string(),
            partner_tenant_id: None,
        };
        let mut applied = 0;
        let mut after = None;
        let now = Utc::now();
        let cutoffs = LifecycleCutoffs::at(now, self.durations);
        for _ in 0..MAX_BATCHES {
            let candidates = self
                .store
                .lifecycle_candidates(cutoffs, after, BATCH)
                .await?;
            for subscription in &candidates {
                let Some(step) = lifecycle_step(&facts_of(subscription), now, self.durations)
                else {
                    continue;
                };
                match self.apply(subscription, step, &actor).await {
                    Ok(()) => applied += 1,
                    // Changed since it was read: by a person, or by another replica's round. The next round
                    // decides again on what it is now.
                    Err(StoreError::VersionMismatch(_)) => {}
                    // Logged and passed over: one subscription that cannot move does not hold up the others.
                    Err(e) => {
                        tracing::warn!(subscription.id = %subscription.id, error = %e, "lifecycle step failed");
                    }
                }
            }
            // Batches follow each other by (end of term, ID), whatever happened to the ones before; a step that
            // makes a subscription due again (no grace period) is taken by the next round.
            match candidates.last() {
                Some(last) if candidates.len() == BATCH as usize => {
                    after = Some((last.expires_at, last.id));
                }
                _ => break,
            }
        }
        Ok(applied)
    }

    async fn apply(
        &self,
        subscription: &Subscription,
        step: LifecycleStep,
        actor: &AuditActor,
    ) -> StoreResult<()> {
        let id = subscription.id.to_string();
        let when = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let until = match step {
            LifecycleStep::Renew { expires_at }
            | LifecycleStep::ConvertToPurchase { expires_at } => expires_at,
            _ => subscription.expires_at,
        }
        .to_rfc3339_opts(SecondsFormat::Secs, true);
        // Self-service subscriptions tell their purchaser; central ones have none.
        let message = subscription.purchaser.as_ref().map(|_| {
            NewMessage::from(notification::lifecycle_changed(
                &subscription.email_facts(&id, &actor.name, reason(step), &when),
                &step,
                &until,
            ))
        });
        let changed = self
            .store
            .apply_lifecycle_step(
                LifecycleChange {
                    tenant_id: subscription.tenant_id,
                    subscription_id: subscription.id,
                    expected_version: subscription.version,
                    step,
                },
                actor,
                message,
            )
            .await?;
        tracing::info!(
            subscription.id = %changed.id,
            tenant.id = %changed.tenant_id,
            status = %changed.status,
            expires_at = %until,
            "subscription lifecycle step: {}",
            reason(step)
        );
        Ok(())
    }
}
