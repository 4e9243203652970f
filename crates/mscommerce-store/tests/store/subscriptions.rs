//! Subscriptions: listing, quantity and renewal edits, cancellation.

use super::*;

on_every_backend!(
    subscriptions_are_listed_oldest_first_and_paged,
    quantity_changes_never_go_below_what_is_assigned,
    cancelling_unassigns_everyone_and_writes_the_email,
    an_edit_changes_quantity_and_renewal_together_or_not_at_all,
);

async fn subscriptions_are_listed_oldest_first_and_paged(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let other_buyer = member(f, contoso, "other@contoso.com").await;
    let mut created = Vec::new();
    for i in 0..7 {
        let new = match i % 3 {
            0 => new_subscription(contoso, PurchaseType::SelfService, Some(buyer.id), 1),
            1 => new_subscription(contoso, PurchaseType::SelfService, Some(other_buyer.id), 2),
            _ => new_subscription(contoso, PurchaseType::Central, None, 5),
        };
        let confirmation = (i == 0).then(|| message("buyer@contoso.com"));
        let subscription = f
            .store
            .create_subscription(new.clone(), &actor(), confirmation)
            .await
            .expect("created");
        assert_eq!(subscription.id, new.id, "the caller's ID");
        assert_eq!(
            (
                subscription.status,
                subscription.assigned_count,
                subscription.version
            ),
            (SubscriptionStatus::Active, 0, 1)
        );
        assert_eq!(subscription.quantity, new.quantity);
        assert_eq!(subscription.purchase_type, new.purchase_type);
        assert_eq!(subscription.auto_renew, new.auto_renew);
        assert_eq!(
            subscription.expires_at.timestamp_millis(),
            new.expires_at.timestamp_millis()
        );
        created.push(subscription);
    }
    let first = &created[0];
    assert_eq!(
        first.purchaser,
        Some(UserRef {
            id: buyer.id,
            upn: buyer.upn.clone(),
            display_name: buyer.display_name.clone()
        })
    );
    assert_eq!(reread(f, first).await, *first);
    assert!(f
        .store
        .subscription(fabrikam, first.id)
        .await
        .unwrap()
        .is_none());

    let mut expected = created.clone();
    expected.sort_by_key(|s| (s.created_at, s.id.to_string()));
    let all = f
        .store
        .subscriptions(contoso, &SubscriptionFilter::default(), None, 100)
        .await
        .unwrap();
    assert_eq!(all, expected, "oldest first");
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = f
            .store
            .subscriptions(contoso, &SubscriptionFilter::default(), after, 3)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|s| s.id);
        paged.extend(page);
    }
    assert_eq!(paged, expected);

    let self_service = f
        .store
        .subscriptions(
            contoso,
            &SubscriptionFilter {
                purchase_type: Some(PurchaseType::SelfService),
                purchaser_id: None,
            },
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!(self_service.len(), 5);
    let of_buyer = f
        .store
        .subscriptions(
            contoso,
            &SubscriptionFilter {
                purchase_type: None,
                purchaser_id: Some(buyer.id),
            },
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!(of_buyer.len(), 3);
    assert!(of_buyer
        .iter()
        .all(|s| s.purchaser.as_ref().map(|p| p.id) == Some(buyer.id)));
    assert!(f
        .store
        .subscriptions(fabrikam, &SubscriptionFilter::default(), None, 100)
        .await
        .unwrap()
        .is_empty());

    let outbox = f.store.outbox(Some(contoso)).await.unwrap();
    assert_eq!(
        outbox.len(),
        1,
        "the confirmation, written with its subscription"
    );
    assert_eq!(outbox[0].recipient, "buyer@contoso.com");
    assert!(outbox[0].message_id.starts_with('<') && outbox[0].message_id.ends_with('>'));
    assert_eq!(f.store.outbox(None).await.unwrap(), outbox);
    assert!(f.store.outbox(Some(fabrikam)).await.unwrap().is_empty());
    assert_eq!(
        actions_of(f, contoso)
            .await
            .iter()
            .filter(|a| *a == actions::SUBSCRIPTION_CREATED)
            .count(),
        7
    );
}

async fn quantity_changes_never_go_below_what_is_assigned(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let users = members(f, contoso, "u", 3).await;
    let sub = central(f, contoso, 3).await;
    assign(f, contoso, &sub, &users.iter().collect::<Vec<_>>()).await;
    let who = actor();
    let set = |quantity, expected| {
        f.store
            .change_subscription(contoso, sub.id, quantity_edit(quantity), expected, &who)
    };
    expect_rule(
        set(2, None).await,
        "QuantityBelowAssigned",
        RuleKind::Conflict,
    );
    expect_rule(set(0, None).await, "InvalidQuantity", RuleKind::Invalid);
    let same = set(3, None).await.unwrap();
    assert_eq!(same.version, 2, "the same quantity writes nothing");
    expect_error(
        set(5, Some(1)).await,
        "a version mismatch",
        is_version_mismatch,
    );
    let more = set(5, Some(2)).await.unwrap();
    assert_eq!((more.quantity, more.version), (5, 3));
    let event = &f.store.audit_events(contoso, None, 1).await.unwrap()[0];
    assert_eq!(
        (
            event.action.as_str(),
            event.old_value.as_deref(),
            event.new_value.as_deref()
        ),
        (actions::QUANTITY_CHANGED, Some("3"), Some("5"))
    );
    expect_error(
        f.store
            .change_subscription(
                contoso,
                SubscriptionId::generate(),
                quantity_edit(4),
                None,
                &actor(),
            )
            .await,
        "not found",
        is_not_found,
    );
}

async fn cancelling_unassigns_everyone_and_writes_the_email(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let users = members(f, contoso, "u", 2).await;
    let sub = self_service(f, contoso, &buyer, 3).await;
    let sub = assign(f, contoso, &sub, &users.iter().collect::<Vec<_>>()).await;
    let other = self_service(f, contoso, &buyer, 1).await;

    let cancellation = |id, expected_version| Cancellation {
        tenant_id: contoso,
        subscription_id: id,
        reason: CancellationReason::NoLongerNeeded,
        comment: Some("Bought by mistake".into()),
        status: SubscriptionStatus::Disabled,
        expected_version,
    };
    expect_error(
        f.store
            .cancel_subscription(
                cancellation(sub.id, Some(1)),
                &actor(),
                Some(message("x@y")),
            )
            .await,
        "a version mismatch",
        is_version_mismatch,
    );
    assert!(f.store.outbox(Some(contoso)).await.unwrap().is_empty());

    let cancelled = f
        .store
        .cancel_subscription(
            cancellation(sub.id, Some(sub.version)),
            &actor(),
            Some(message("buyer@contoso.com")),
        )
        .await
        .expect("cancelled");
    assert_eq!(cancelled.status, SubscriptionStatus::Disabled);
    assert_eq!(cancelled.assigned_count, 0);
    assert!(!cancelled.auto_renew);
    assert_eq!(
        cancelled.cancellation_reason.as_deref(),
        Some("NoLongerNeeded")
    );
    assert_eq!(
        cancelled.cancellation_comment.as_deref(),
        Some("Bought by mistake")
    );
    assert!(cancelled.cancelled_at.is_some());
    assert_eq!(cancelled.version, sub.version + 1);
    assert!(holders(f, contoso, &sub).await.is_empty());
    let outbox = f.store.outbox(Some(contoso)).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].recipient, "buyer@contoso.com");
    let event = &f.store.audit_events(contoso, None, 1).await.unwrap()[0];
    assert_eq!(
        (
            event.action.as_str(),
            event.old_value.as_deref(),
            event.new_value.as_deref()
        ),
        (
            actions::SUBSCRIPTION_CANCELLED,
            Some("Active"),
            Some("Disabled (NoLongerNeeded)")
        )
    );

    expect_rule(
        f.store
            .cancel_subscription(cancellation(sub.id, None), &actor(), None)
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .change_assignments(assignment(contoso, &sub, &[&users[0]], &[]), &actor())
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .change_subscription(contoso, sub.id, quantity_edit(5), None, &actor())
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );
    assert_eq!(reread(f, &other).await.status, SubscriptionStatus::Active);
    let licenses = f.store.product_licenses(contoso).await.unwrap();
    assert_eq!(licenses.len(), 1);
    assert_eq!(
        (
            licenses[0].subscription_count,
            licenses[0].available_quantity
        ),
        (1, 1),
        "a cancelled subscription counts no more"
    );
}

async fn an_edit_changes_quantity_and_renewal_together_or_not_at_all(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let users = members(f, contoso, "u", 2).await;
    let sub = self_service(f, contoso, &buyer, 3).await;
    let sub = assign(f, contoso, &sub, &users.iter().collect::<Vec<_>>()).await;
    let edit = |quantity, auto_renew| SubscriptionEdit {
        quantity,
        auto_renew,
    };
    let changed = f
        .store
        .change_subscription(
            contoso,
            sub.id,
            edit(Some(5), Some(false)),
            Some(sub.version),
            &actor(),
        )
        .await
        .expect("changed");
    assert_eq!((changed.quantity, changed.auto_renew), (5, false));
    assert_eq!(changed.version, sub.version + 1, "one change, one version");
    let actions = actions_of(f, contoso).await;
    assert!(
        actions.contains(&"QuantityChanged".to_string())
            && actions.contains(&"AutoRenewChanged".to_string())
    );

    // A quantity below what is assigned refuses the whole edit: renewal stays off.
    expect_error(
        f.store
            .change_subscription(contoso, sub.id, edit(Some(1), Some(true)), None, &actor())
            .await,
        "QuantityBelowAssigned",
        |e| {
            matches!(
                e,
                StoreError::Rule {
                    code: "QuantityBelowAssigned",
                    ..
                }
            )
        },
    );
    assert!(!reread(f, &sub).await.auto_renew, "renewal stays off");

    // A trial without a payment method never renews.
    let mut new_trial = new_subscription(contoso, PurchaseType::SelfService, Some(buyer.id), 1);
    new_trial.acquisition_kind = AcquisitionKind::TrialWithoutPaymentMethod;
    new_trial.auto_renew = false;
    let trial = f
        .store
        .create_subscription(new_trial, &actor(), None)
        .await
        .expect("trial");
    expect_error(
        f.store
            .change_subscription(contoso, trial.id, edit(None, Some(true)), None, &actor())
            .await,
        "RenewalNotOffered",
        |e| {
            matches!(
                e,
                StoreError::Rule {
                    code: "RenewalNotOffered",
                    ..
                }
            )
        },
    );
}
