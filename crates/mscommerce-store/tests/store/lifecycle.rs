//! The subscription lifecycle: due steps found and applied once.

use super::*;

on_every_backend!(lifecycle_steps_are_found_and_applied_once);

/// The lifecycle round finds what is due by the domain's cutoffs, and each step applies once, to the version it
/// was decided on: the status, the term, the licenses, the audit event and the email together.
async fn lifecycle_steps_are_found_and_applied_once(f: &Fixture) {
    use chrono::Timelike;
    use mscommerce_domain::{LifecycleCutoffs, LifecycleDurations, LifecycleStep};
    let contoso = tenant(f, "Contoso").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let users = members(f, contoso, "u", 2).await;
    let ended = Utc::now() - chrono::Duration::hours(1);
    let create = |expires_at| async move {
        let mut new = new_subscription(contoso, PurchaseType::SelfService, Some(buyer.id), 2);
        new.expires_at = expires_at;
        f.store.create_subscription(new, &actor(), None).await
    };
    let due = create(ended).await.expect("created");
    let due = assign(f, contoso, &due, &users.iter().collect::<Vec<_>>()).await;
    let running = create(Utc::now() + chrono::Duration::days(30))
        .await
        .expect("created");
    let renewing = create(ended).await.expect("created");

    let defaults = LifecycleDurations::default();
    let candidates = |cutoffs| async move {
        let mut ids: Vec<SubscriptionId> = f
            .store
            .lifecycle_candidates(cutoffs, None, 100)
            .await
            .expect("candidates")
            .into_iter()
            .filter(|s| s.tenant_id == contoso)
            .map(|s| s.id)
            .collect();
        ids.sort();
        ids
    };
    let mut expected = vec![due.id, renewing.id];
    expected.sort();
    assert_eq!(
        candidates(LifecycleCutoffs::at(Utc::now(), defaults)).await,
        expected
    );
    assert!(!expected.contains(&running.id));
    // Batches follow each other by (end of term, ID): after the first, only the second.
    let now_cutoffs = LifecycleCutoffs::at(Utc::now(), defaults);
    let first = f
        .store
        .lifecycle_candidates(now_cutoffs, None, 1)
        .await
        .expect("first batch");
    assert_eq!(first.len(), 1);
    let next = f
        .store
        .lifecycle_candidates(now_cutoffs, Some((first[0].expires_at, first[0].id)), 10)
        .await
        .expect("next batch");
    let mut both: Vec<SubscriptionId> = next.iter().chain(&first).map(|s| s.id).collect();
    both.sort();
    assert_eq!(both, expected, "each once, none skipped");

    let step = |subscription: &Subscription, step| LifecycleChange {
        tenant_id: contoso,
        subscription_id: subscription.id,
        expected_version: subscription.version,
        step,
    };
    let system = AuditActor {
        id: "lifecycle".into(),
        name: "Subscription lifecycle".into(),
        kind: "System".into(),
        correlation_id: Uuid::new_v4().to_string(),
        partner_tenant_id: None,
    };
    // Expired: users keep their licenses for the grace period.
    let expired = f
        .store
        .apply_lifecycle_step(
            step(&due, LifecycleStep::Expire),
            &system,
            Some(message("buyer@contoso.com")),
        )
        .await
        .expect("expired");
    assert_eq!(expired.status, SubscriptionStatus::Expired);
    assert_eq!(
        (expired.assigned_count, expired.version),
        (2, due.version + 1)
    );
    assert_eq!(holders(f, contoso, &expired).await.len(), 2);
    // The same step decided on the old version again (another replica's round) changes nothing.
    expect_error(
        f.store
            .apply_lifecycle_step(step(&due, LifecycleStep::Expire), &system, None)
            .await,
        "a version mismatch",
        |e| matches!(e, StoreError::VersionMismatch(_)),
    );
    // Not due again before its grace period ends; due at once with none.
    assert_eq!(
        candidates(LifecycleCutoffs::at(Utc::now(), defaults)).await,
        vec![renewing.id]
    );
    let no_grace = LifecycleDurations {
        expired_days: 0,
        disabled_days: 0,
    };
    assert!(candidates(LifecycleCutoffs::at(Utc::now(), no_grace))
        .await
        .contains(&due.id));

    // Disabled: the licenses go.
    let disabled = f
        .store
        .apply_lifecycle_step(step(&expired, LifecycleStep::Disable), &system, None)
        .await
        .expect("disabled");
    assert_eq!(
        (disabled.status, disabled.assigned_count),
        (SubscriptionStatus::Disabled, 0)
    );
    assert!(holders(f, contoso, &disabled).await.is_empty());

    // A renewal: a new term, still Active.
    let until = (Utc::now() + chrono::Duration::days(29))
        .with_nanosecond(0)
        .unwrap();
    let renewed = f
        .store
        .apply_lifecycle_step(
            step(&renewing, LifecycleStep::Renew { expires_at: until }),
            &system,
            None,
        )
        .await
        .expect("renewed");
    assert_eq!(
        (renewed.status, renewed.expires_at),
        (SubscriptionStatus::Active, until)
    );
    assert_eq!(renewed.acquisition_kind, AcquisitionKind::Purchase);
    assert!(!candidates(LifecycleCutoffs::at(Utc::now(), defaults))
        .await
        .contains(&renewing.id));

    // A trial with a payment method becomes a purchase whose periods count from the trial's end.
    let mut new_trial = new_subscription(contoso, PurchaseType::SelfService, Some(buyer.id), 1);
    new_trial.acquisition_kind = AcquisitionKind::TrialWithPaymentMethod;
    new_trial.expires_at = ended;
    let trial = f
        .store
        .create_subscription(new_trial, &actor(), None)
        .await
        .expect("trial");
    assert_eq!(trial.billing_anchor, None);
    let converted = f
        .store
        .apply_lifecycle_step(
            step(
                &trial,
                LifecycleStep::ConvertToPurchase { expires_at: until },
            ),
            &system,
            None,
        )
        .await
        .expect("converted");
    assert_eq!(converted.acquisition_kind, AcquisitionKind::Purchase);
    assert_eq!(converted.billing_anchor, Some(trial.expires_at));
    assert_eq!(renewed.billing_anchor, None, "a renewal keeps its anchor");

    let events = f
        .store
        .audit_events(contoso, None, 100)
        .await
        .expect("audit");
    let lifecycle: Vec<(&str, Option<&str>, Option<&str>)> = events
        .iter()
        .filter(|e| e.actor_type == "System")
        .map(|e| {
            (
                e.action.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
            )
        })
        .collect();
    assert_eq!(lifecycle.len(), 4, "{lifecycle:?}");
    assert!(lifecycle.contains(&("SubscriptionStatusChanged", Some("Active"), Some("Expired"))));
    assert!(lifecycle.contains(&(
        "SubscriptionStatusChanged",
        Some("Expired"),
        Some("Disabled")
    )));
    assert!(lifecycle
        .iter()
        .any(|(action, _, new)| *action == "SubscriptionRenewed"
            && new.is_some_and(|n| n.starts_with("Purchase until "))));
    let mail = f.store.outbox(Some(contoso)).await.expect("outbox");
    assert_eq!(
        mail.iter()
            .filter(|m| m.recipient == "buyer@contoso.com")
            .count(),
        1
    );
}
