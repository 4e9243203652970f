//! Licenses: assignments and their seat rules, license views, take-overs (moving licenses), exports.

use super::*;

on_every_backend!(
    assignments_follow_the_seat_rules,
    the_database_refuses_more_assignments_than_licenses,
    licenses_are_summed_per_product_and_listed_per_holder,
    a_take_over_moves_everyone_or_nothing,
    concurrent_take_overs_and_assignments_never_oversubscribe,
    exports_stream_every_assignment,
);

async fn assignments_follow_the_seat_rules(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let a = member(f, contoso, "a@contoso.com").await;
    let b = member(f, contoso, "b@contoso.com").await;
    let c = member(f, contoso, "c@contoso.com").await;
    let d = member(f, contoso, "d@contoso.com").await;
    let guest = f
        .store
        .create_user(
            new_user(
                contoso,
                "guest_partner.com#EXT#@contoso.com",
                UserType::Guest,
            ),
            &actor(),
        )
        .await
        .unwrap();
    let stranger = member(f, fabrikam, "stranger@fabrikam.com").await;
    let sub = central(f, contoso, 3).await;

    let after = f
        .store
        .change_assignments(assignment(contoso, &sub, &[&b, &a], &[]), &actor())
        .await
        .expect("assigned");
    assert_eq!((after.assigned_count, after.version), (2, 2));
    assert_eq!(
        holders(f, contoso, &sub).await,
        vec!["a@contoso.com", "b@contoso.com"]
    );
    let after = f
        .store
        .change_assignments(assignment(contoso, &sub, &[&a, &c, &c], &[]), &actor())
        .await
        .expect("assigned");
    assert_eq!(
        (after.assigned_count, after.version),
        (3, 3),
        "a held a license already; c counted once"
    );
    let unchanged = f
        .store
        .change_assignments(assignment(contoso, &sub, &[&a], &[]), &actor())
        .await
        .expect("nothing to do");
    assert_eq!(unchanged.version, 3, "nothing changed, nothing written");

    let events_before = actions_of(f, contoso).await.len();
    expect_rule(
        f.store
            .change_assignments(assignment(contoso, &sub, &[&d], &[]), &actor())
            .await,
        "NotEnoughLicenses",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .change_assignments(assignment(contoso, &sub, &[&guest], &[&a]), &actor())
            .await,
        "NotAMember",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .change_assignments(assignment(contoso, &sub, &[&stranger], &[&a]), &actor())
            .await,
        "UserNotFound",
        RuleKind::NotFound,
    );
    let now = reread(f, &sub).await;
    assert_eq!(
        (now.assigned_count, now.version),
        (3, 3),
        "refused changes change nothing"
    );
    assert_eq!(holders(f, contoso, &sub).await.len(), 3);
    assert_eq!(actions_of(f, contoso).await.len(), events_before);

    // One license goes from b to d in one change.
    let swapped = f
        .store
        .change_assignments(assignment(contoso, &sub, &[&d], &[&b]), &actor())
        .await
        .expect("swapped");
    assert_eq!((swapped.assigned_count, swapped.version), (3, 4));
    assert_eq!(
        holders(f, contoso, &sub).await,
        vec!["a@contoso.com", "c@contoso.com", "d@contoso.com"]
    );
    let events = f.store.audit_events(contoso, None, 2).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec![actions::LICENSES_ASSIGNED, actions::LICENSES_UNASSIGNED]
    );
    assert_eq!(events[0].new_value.as_deref(), Some("d@contoso.com"));
    assert_eq!(events[1].new_value, Some(b.id.to_string()));

    // Unassigning someone without a license changes nothing.
    let same = f
        .store
        .change_assignments(assignment(contoso, &sub, &[], &[&b]), &actor())
        .await
        .unwrap();
    assert_eq!(same.version, 4);

    let stale = AssignmentChange {
        expected_version: Some(3),
        ..assignment(contoso, &sub, &[], &[&a])
    };
    expect_error(
        f.store.change_assignments(stale, &actor()).await,
        "a version mismatch",
        is_version_mismatch,
    );
    let current = AssignmentChange {
        expected_version: Some(4),
        ..assignment(contoso, &sub, &[], &[&a])
    };
    let after = f.store.change_assignments(current, &actor()).await.unwrap();
    assert_eq!((after.assigned_count, after.version), (2, 5));
    let assigned = f.store.assignments(contoso, sub.id).await.unwrap();
    assert!(assigned.iter().all(|x| x.assigned_at <= Utc::now()));
    assert!(f
        .store
        .assignments(fabrikam, sub.id)
        .await
        .unwrap()
        .is_empty());

    expect_error(
        f.store
            .change_assignments(
                AssignmentChange {
                    subscription_id: SubscriptionId::generate(),
                    ..assignment(contoso, &sub, &[&a], &[])
                },
                &actor(),
            )
            .await,
        "not found",
        is_not_found,
    );
    expect_error(
        f.store
            .change_assignments(assignment(fabrikam, &sub, &[&stranger], &[]), &actor())
            .await,
        "not found in another tenant",
        is_not_found,
    );
}

async fn the_database_refuses_more_assignments_than_licenses(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let users = members(f, contoso, "u", 2).await;
    let sub = central(f, contoso, 2).await;
    assign(f, contoso, &sub, &users.iter().collect::<Vec<_>>()).await;
    let id = sub.id;
    for sql in [
        format!("UPDATE subscriptions SET assigned_count = quantity + 1 WHERE id = '{id}'"),
        format!("UPDATE subscriptions SET quantity = 1 WHERE id = '{id}'"),
        format!("UPDATE subscriptions SET assigned_count = -1 WHERE id = '{id}'"),
        format!("UPDATE subscriptions SET quantity = 0, assigned_count = 0 WHERE id = '{id}'"),
    ] {
        let refused = f.execute(&sql).await;
        assert!(refused.is_err(), "the schema must refuse: {sql}");
    }
    let now = reread(f, &sub).await;
    assert_eq!((now.quantity, now.assigned_count), (2, 2));
}

async fn licenses_are_summed_per_product_and_listed_per_holder(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let zed = member(f, contoso, "zed@contoso.com").await;
    let amy = member(f, contoso, "amy@contoso.com").await;
    // Names and sign-in names whose order differs between byte order and a language's collation.
    let u1 = member(f, contoso, "user1@contoso.com").await;
    let u10 = member(f, contoso, "user10@contoso.com").await;
    let u2 = member(f, contoso, "user2@contoso.com").await;
    let product =
        |target_id: &str, target_name: &str, purchaser: &User, quantity| NewSubscription {
            target_id: target_id.into(),
            target_name: target_name.into(),
            ..new_subscription(
                contoso,
                PurchaseType::SelfService,
                Some(purchaser.id),
                quantity,
            )
        };
    let who = actor();
    let create = |new: NewSubscription| f.store.create_subscription(new, &who, None);
    let zeds = create(product("A", "Visio Plan 2", &zed, 3)).await.unwrap();
    assign(f, contoso, &zeds, &[&u1, &u10]).await;
    let amys = create(product("A", "Visio Plan 2", &amy, 2)).await.unwrap();
    assign(f, contoso, &amys, &[&u2]).await;
    create(product("B", "power automate", &amy, 1))
        .await
        .unwrap();
    let central_a = create(NewSubscription {
        target_id: "A".into(),
        target_name: "Visio Plan 2".into(),
        ..new_subscription(contoso, PurchaseType::Central, None, 50)
    })
    .await
    .unwrap();
    assign(f, contoso, &central_a, &[&zed]).await;

    let licenses = f.store.product_licenses(contoso).await.unwrap();
    assert_eq!(
        licenses,
        vec![
            ProductLicenses {
                target_scope: Scope::Product,
                target_id: "A".into(),
                target_name: "Visio Plan 2".into(),
                subscription_count: 2,
                available_quantity: 5,
                assigned_count: 3
            },
            ProductLicenses {
                target_scope: Scope::Product,
                target_id: "B".into(),
                target_name: "power automate".into(),
                subscription_count: 1,
                available_quantity: 1,
                assigned_count: 0
            },
        ],
        "self-service only, by name in byte order"
    );
    let holders: Vec<(String, SubscriptionId, String)> = f
        .store
        .license_holders(contoso, "A")
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.purchaser.upn, h.subscription_id, h.user.upn))
        .collect();
    assert_eq!(
        holders,
        vec![
            (
                "amy@contoso.com".to_string(),
                amys.id,
                "user2@contoso.com".to_string()
            ),
            (
                "zed@contoso.com".to_string(),
                zeds.id,
                "user10@contoso.com".to_string()
            ),
            (
                "zed@contoso.com".to_string(),
                zeds.id,
                "user1@contoso.com".to_string()
            ),
        ],
        "by purchaser, then user, in byte order"
    );
    assert!(f
        .store
        .license_holders(contoso, "B")
        .await
        .unwrap()
        .is_empty());
    assert!(f
        .store
        .license_holders(contoso, "nothing")
        .await
        .unwrap()
        .is_empty());
}

async fn a_take_over_moves_everyone_or_nothing(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    let users = members(f, contoso, "u", 5).await;
    let source = self_service(f, contoso, &buyer, 5).await;
    let source = assign(f, contoso, &source, &[&users[0], &users[1], &users[2]]).await;
    let target = central(f, contoso, 4).await;
    let target = assign(f, contoso, &target, &[&users[0]]).await;

    let request = |source: &Subscription, target: &Subscription, expected_version| MoveUsers {
        tenant_id: contoso,
        source_id: source.id,
        target_id: target.id,
        expected_version,
    };
    expect_error(
        f.store
            .move_users(request(&source, &target, Some(1)), &actor(), None)
            .await,
        "a version mismatch",
        is_version_mismatch,
    );
    let outcome = f
        .store
        .move_users(
            request(&source, &target, Some(source.version)),
            &actor(),
            Some(message("buyer@contoso.com")),
        )
        .await
        .expect("moved");
    assert_eq!(outcome.moved, 2, "u0 held a target license already");
    assert_eq!(outcome.target.assigned_count, 3);
    assert_eq!(outcome.target.version, target.version + 1);
    assert_eq!(
        holders(f, contoso, &target).await,
        vec!["u0@contoso.com", "u1@contoso.com", "u2@contoso.com"]
    );
    assert_eq!(outcome.source.status, SubscriptionStatus::Deleted);
    assert_eq!(outcome.source.assigned_count, 0);
    assert!(!outcome.source.auto_renew);
    assert_eq!(
        outcome.source.cancellation_reason.as_deref(),
        Some("MovingToCentralLicenses")
    );
    assert_eq!(reread(f, &source).await, outcome.source);
    assert!(holders(f, contoso, &source).await.is_empty());
    let outbox = f.store.outbox(Some(contoso)).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].recipient, "buyer@contoso.com");
    let events = f.store.audit_events(contoso, None, 2).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec![actions::SUBSCRIPTION_CANCELLED, actions::USERS_MOVED]
    );
    assert_eq!(events[1].target_id, source.id.to_string());
    expect_rule(
        f.store
            .move_users(request(&source, &target, None), &actor(), None)
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );

    // Too few target licenses: nothing at all changes.
    let source = self_service(f, contoso, &buyer, 3).await;
    let source = assign(f, contoso, &source, &[&users[2], &users[3], &users[4]]).await;
    let small = central(f, contoso, 2).await;
    let events_before = actions_of(f, contoso).await.len();
    expect_rule(
        f.store
            .move_users(
                request(&source, &small, None),
                &actor(),
                Some(message("x@y")),
            )
            .await,
        "NotEnoughLicenses",
        RuleKind::Conflict,
    );
    assert_eq!(reread(f, &source).await, source);
    assert_eq!(reread(f, &small).await, small);
    assert_eq!(holders(f, contoso, &source).await.len(), 3);
    assert!(holders(f, contoso, &small).await.is_empty());
    assert_eq!(actions_of(f, contoso).await.len(), events_before);
    assert_eq!(f.store.outbox(Some(contoso)).await.unwrap().len(), 1);

    // Only self-service into central, both active, both there.
    let other_self_service = self_service(f, contoso, &buyer, 1).await;
    expect_rule(
        f.store
            .move_users(request(&small, &target, None), &actor(), None)
            .await,
        "NotSelfService",
        RuleKind::Conflict,
    );
    expect_rule(
        f.store
            .move_users(request(&source, &other_self_service, None), &actor(), None)
            .await,
        "TargetNotCentral",
        RuleKind::Conflict,
    );
    expect_error(
        f.store
            .move_users(
                MoveUsers {
                    target_id: SubscriptionId::generate(),
                    ..request(&source, &target, None)
                },
                &actor(),
                None,
            )
            .await,
        "not found",
        is_not_found,
    );
    f.store
        .cancel_subscription(
            Cancellation {
                tenant_id: contoso,
                subscription_id: small.id,
                reason: CancellationReason::Other,
                comment: None,
                status: SubscriptionStatus::Deleted,
                expected_version: None,
            },
            &actor(),
            None,
        )
        .await
        .unwrap();
    expect_rule(
        f.store
            .move_users(request(&source, &small, None), &actor(), None)
            .await,
        "SubscriptionNotActive",
        RuleKind::Conflict,
    );
}

/// The seat check of a take-over, run by many tasks through two stores at once (on PostgreSQL, over several
/// connections: row locks are what keep the count right).
async fn concurrent_take_overs_and_assignments_never_oversubscribe(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let other = f.another().await;
    let stores = [Arc::clone(&f.store), other];
    let targets = [central(f, contoso, 10).await, central(f, contoso, 7).await];
    const SOURCES: usize = 12;
    let mut sources = Vec::new();
    for i in 0..SOURCES {
        let buyer = member(f, contoso, &format!("buyer{i}@contoso.com")).await;
        let users = members(f, contoso, &format!("s{i}u"), 3).await;
        let source = self_service(f, contoso, &buyer, 3).await;
        assign(f, contoso, &source, &users.iter().collect::<Vec<_>>()).await;
        sources.push(source);
    }
    let extra = members(f, contoso, "extra", 8).await;

    let start = Arc::new(tokio::sync::Barrier::new(SOURCES + extra.len()));
    let mut tasks = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let store = Arc::clone(&stores[i % 2]);
        let request = MoveUsers {
            tenant_id: contoso,
            source_id: source.id,
            target_id: targets[i % 2].id,
            expected_version: None,
        };
        let start = Arc::clone(&start);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            store.move_users(request, &actor(), None).await.map(|_| ())
        }));
    }
    // Single assignments into the same targets, racing the moves.
    for (i, user) in extra.iter().enumerate() {
        let store = Arc::clone(&stores[(i + 1) % 2]);
        let change = AssignmentChange {
            tenant_id: contoso,
            subscription_id: targets[i % 2].id,
            assign: vec![user.id],
            unassign: Vec::new(),
            expected_version: None,
        };
        let start = Arc::clone(&start);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            store.change_assignments(change, &actor()).await.map(|_| ())
        }));
    }
    let mut succeeded = 0;
    for result in futures_util::future::join_all(tasks).await {
        match result.expect("task") {
            Ok(()) => succeeded += 1,
            Err(StoreError::Rule {
                code: "NotEnoughLicenses",
                ..
            }) => {}
            Err(e) => panic!(
                "only NotEnoughLicenses may refuse a change here (no deadlock, no conflict): {e:?}"
            ),
        }
    }
    assert!(succeeded > 0);
    for target in &targets {
        let now = reread(f, target).await;
        let held = holders(f, contoso, target).await.len() as i64;
        assert_eq!(now.assigned_count, held, "the count matches the rows");
        assert!(
            held <= target.quantity,
            "{held} licenses assigned of {}",
            target.quantity
        );
        // The 3-user moves and 1-user assignments filled every seat they could.
        assert!(held > target.quantity - 3, "{held} of {}", target.quantity);
    }
    // Every source is either moved entirely (Deleted, empty) or untouched (Active, three users).
    for source in &sources {
        let now = reread(f, source).await;
        let held = holders(f, contoso, source).await.len();
        match now.status {
            SubscriptionStatus::Deleted => assert_eq!((held, now.assigned_count), (0, 0)),
            SubscriptionStatus::Active => assert_eq!((held, now.assigned_count), (3, 3)),
            other => panic!("unexpected status {other}"),
        }
    }
}

async fn collect(mut rows: tokio::sync::mpsc::Receiver<StoreResult<ExportRow>>) -> Vec<ExportRow> {
    let mut all = Vec::new();
    while let Some(row) = rows.recv().await {
        all.push(row.expect("a row"));
    }
    all
}

async fn exports_stream_every_assignment(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let buyer = member(f, contoso, "buyer@contoso.com").await;
    const USERS: usize = 300;
    let users = members(f, contoso, "user", USERS).await;
    let big = self_service(f, contoso, &buyer, USERS as i64).await;
    assign(f, contoso, &big, &users.iter().collect::<Vec<_>>()).await;
    let small = self_service(f, contoso, &buyer, 2).await;
    assign(f, contoso, &small, &[&users[0]]).await;
    let central_sub = central(f, contoso, 5).await;
    assign(f, contoso, &central_sub, &[&users[1], &users[2]]).await;

    let rows = collect(f.store.export_assignments(contoso, None)).await;
    assert_eq!(
        rows.len(),
        USERS + 1,
        "every self-service assignment, no central one"
    );
    let keys: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.subscription_id.clone(), r.upn.clone()))
        .collect();
    let mut by_subscription = keys.clone();
    by_subscription.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        keys.iter().map(|k| &k.0).collect::<Vec<_>>(),
        by_subscription.iter().map(|k| &k.0).collect::<Vec<_>>(),
        "grouped by subscription"
    );
    let mut unique: Vec<_> = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len());
    let row = rows
        .iter()
        .find(|r| r.upn == "user7@contoso.com")
        .expect("a row");
    assert_eq!(row.display_name, "Name of user7@contoso.com");
    assert_eq!(row.product_name, "Power BI Pro");
    assert_eq!(row.subscription_id, big.id.to_string());
    assert_eq!(row.purchaser, "buyer@contoso.com");
    assert!(chrono::DateTime::parse_from_rfc3339(&row.assigned_at).is_ok());

    let chosen = collect(
        f.store
            .export_assignments(contoso, Some(vec![central_sub.id, small.id])),
    )
    .await;
    let mut chosen: Vec<(String, String)> =
        chosen.into_iter().map(|r| (r.upn, r.purchaser)).collect();
    chosen.sort();
    assert_eq!(
        chosen,
        vec![
            ("user0@contoso.com".into(), "buyer@contoso.com".into()),
            ("user1@contoso.com".into(), String::new()),
            ("user2@contoso.com".into(), String::new()),
        ],
        "the chosen subscriptions, central ones too, without purchaser"
    );
    assert!(
        collect(f.store.export_assignments(contoso, Some(Vec::new())))
            .await
            .is_empty()
    );
    assert!(
        collect(f.store.export_assignments(fabrikam, Some(vec![big.id])))
            .await
            .is_empty()
    );
    assert!(collect(f.store.export_assignments(fabrikam, None))
        .await
        .is_empty());

    // A client that goes away after the first row: the export stops and the store carries on.
    let mut rows = f.store.export_assignments(contoso, None);
    assert!(rows.recv().await.is_some());
    drop(rows);
    tokio::time::timeout(Duration::from_secs(10), f.store.ping())
        .await
        .expect("the store answers")
        .unwrap();
}
