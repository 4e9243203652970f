//! Policy values: revisions, audit events, concurrent writes.

use super::*;

on_every_backend!(
    policy_values_have_revisions_and_audit_events,
    concurrent_policy_writes_of_one_tenant_take_turns,
    writes_abandoned_half_way_leave_the_store_writable,
    policy_preconditions_are_checked_against_the_stored_revision,
    several_values_are_written_together_with_one_revision_and_one_correlation_id,
    a_failed_precondition_of_one_value_writes_none_of_them,
    concurrent_changes_of_one_tenant_written_together_take_consecutive_revisions,
    a_change_that_fails_in_a_batch_fails_alone,
    a_change_the_database_refuses_fails_without_stopping_the_writer,
);

async fn policy_values_have_revisions_and_audit_events(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    assert!(f.store.policy_values(contoso).await.unwrap().is_empty());

    let write = |scope, target: &str, value| {
        f.store
            .set_policy_value(change(contoso, scope, target, value))
    };
    let first = write(Scope::Product, "P1", PolicyValue::Disabled)
        .await
        .unwrap();
    assert_eq!(
        first,
        PolicyWrite {
            old_value: PolicyValue::Enabled,
            new_value: PolicyValue::Disabled,
            revision: Some(1),
            current_revision: 1,
        }
    );
    let same = write(Scope::Product, "P1", PolicyValue::Disabled)
        .await
        .unwrap();
    assert_eq!(same.revision, None, "the same value writes nothing");
    assert_eq!(same.old_value, PolicyValue::Disabled);
    let default = write(Scope::Product, "P2", PolicyValue::Enabled)
        .await
        .unwrap();
    assert_eq!(
        default.revision, None,
        "the default value of a target without a row writes nothing"
    );
    let offer = write(Scope::OfferType, "SaaS", PolicyValue::Disabled)
        .await
        .unwrap();
    assert_eq!(offer.revision, Some(2));
    let back = write(Scope::Product, "P1", PolicyValue::Enabled)
        .await
        .unwrap();
    assert_eq!(
        (back.old_value, back.revision),
        (PolicyValue::Disabled, Some(3))
    );

    let mut values = f.store.policy_values(contoso).await.unwrap();
    values.sort_by(|a, b| a.target_id.cmp(&b.target_id));
    assert_eq!(
        values,
        vec![
            StoredPolicyValue {
                policy_id: POLICY.into(),
                scope: Scope::Product,
                target_id: "P1".into(),
                value: PolicyValue::Enabled,
                revision: 3
            },
            StoredPolicyValue {
                policy_id: POLICY.into(),
                scope: Scope::OfferType,
                target_id: "SaaS".into(),
                value: PolicyValue::Disabled,
                revision: 2
            },
        ]
    );

    let changes = f.store.policy_changes(contoso, None, 10).await.unwrap();
    assert_eq!(changes.len(), 3, "no-op writes leave no event");
    let summary: Vec<(&str, &str, Option<&str>, Option<&str>)> = changes
        .iter()
        .map(|e| {
            (
                e.target_type.as_str(),
                e.target_id.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("product", "P1", Some("Disabled"), Some("Enabled")),
            ("OfferType", "SaaS", Some("Enabled"), Some("Disabled")),
            ("product", "P1", Some("Enabled"), Some("Disabled")),
        ],
        "newest first"
    );
    assert!(changes
        .iter()
        .all(|e| e.action == actions::POLICY_VALUE_CHANGED
            && e.policy_id.as_deref() == Some(POLICY)
            && e.actor_name == "Test Administrator"));
    assert_eq!(changes[1].target_name, "SaaS name");
    let older = f
        .store
        .policy_changes(contoso, Some(changes[0].id), 1)
        .await
        .unwrap();
    assert_eq!(older, vec![changes[1].clone()], "paged by ID");

    f.store
        .record_audit(NewAuditEvent {
            tenant_id: contoso,
            action: actions::ACQUISITION_REFUSED.into(),
            actor: actor(),
            target_type: "product".into(),
            target_id: "P1".into(),
            target_name: "P1 name".into(),
            old_value: None,
            new_value: Some("Disabled".into()),
        })
        .await
        .unwrap();
    let all = f.store.audit_events(contoso, None, 100).await.unwrap();
    assert_eq!(all.len(), 5, "tenant, three changes, one refusal");
    assert_eq!(all[0].action, actions::ACQUISITION_REFUSED);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let page = f
        .store
        .audit_events(contoso, Some(all[1].id), 2)
        .await
        .unwrap();
    assert_eq!(page, all[2..4].to_vec());
    assert_eq!(
        f.store
            .policy_changes(contoso, None, 10)
            .await
            .unwrap()
            .len(),
        3
    );

    // Tenants are apart: their own values, their own revisions.
    assert!(f.store.policy_values(fabrikam).await.unwrap().is_empty());
    let other = f
        .store
        .set_policy_value(change(
            fabrikam,
            Scope::Product,
            "P1",
            PolicyValue::Disabled,
        ))
        .await
        .unwrap();
    assert_eq!(other.revision, Some(1));
    expect_error(
        f.store
            .set_policy_value(change(
                TenantId::generate(),
                Scope::Product,
                "P1",
                PolicyValue::Disabled,
            ))
            .await,
        "no such tenant",
        is_not_found,
    );
}

async fn concurrent_policy_writes_of_one_tenant_take_turns(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let other = f.another().await;
    const WRITES: usize = 32;
    let tasks = (0..WRITES).map(|i| {
        let store = if i % 2 == 0 {
            Arc::clone(&f.store)
        } else {
            Arc::clone(&other)
        };
        let value = if (i / 4) % 2 == 0 {
            PolicyValue::Disabled
        } else {
            PolicyValue::Enabled
        };
        let target = format!("P{}", i % 4);
        tokio::spawn(async move {
            let write = store
                .set_policy_value(change(contoso, Scope::Product, &target, value))
                .await;
            (target, write)
        })
    });
    let mut writes: Vec<(String, PolicyWrite)> = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| {
            let (target, write) = r.expect("task");
            (target, write.expect("written"))
        })
        .filter(|(_, w)| w.revision.is_some())
        .collect();
    writes.sort_by_key(|(_, w)| w.revision);
    let revisions: Vec<i64> = writes.iter().filter_map(|(_, w)| w.revision).collect();
    assert_eq!(
        revisions,
        (1..=writes.len() as i64).collect::<Vec<_>>(),
        "every write has a revision of its own, without gaps"
    );
    // Per target, in revision order, each write read what the one before it wrote.
    let mut last: HashMap<String, (PolicyValue, i64)> = HashMap::new();
    for (target, write) in &writes {
        let before = last.get(target).map_or(PolicyValue::Enabled, |(v, _)| *v);
        assert_eq!(
            write.old_value, before,
            "{target}: a write read a stale value"
        );
        last.insert(target.clone(), (write.new_value, write.revision.unwrap()));
    }
    for stored in f.store.policy_values(contoso).await.unwrap() {
        assert_eq!(
            Some(&(stored.value, stored.revision)),
            last.get(&stored.target_id),
            "the stored value is the last one written"
        );
    }
    assert_eq!(
        f.store
            .policy_changes(contoso, None, 1000)
            .await
            .unwrap()
            .len(),
        writes.len(),
        "one event per write"
    );
}

/// A client that goes away drops its request, and with it the write it was waiting for, at any point: while it
/// waits for the writer connection, while the transaction begins, in the middle. Hundreds of writes abandoned at
/// every moment must leave the store as writable as before, with every value that a finished write wrote.
async fn writes_abandoned_half_way_leave_the_store_writable(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let store = &f.store;
    for round in 0..40u64 {
        let mut writes = Vec::new();
        for i in 0..16u64 {
            let value = if (round + i) % 2 == 0 {
                PolicyValue::Disabled
            } else {
                PolicyValue::Enabled
            };
            let target = format!("P{i}");
            let store = Arc::clone(store);
            writes.push(tokio::spawn(async move {
                // Abandoned after a few microseconds to a few milliseconds: some before, some during, some after.
                let patience = Duration::from_micros(((round * 16 + i) * 37) % 3000);
                let _ = tokio::time::timeout(
                    patience,
                    store.set_policy_value(change(contoso, Scope::Product, &target, value)),
                )
                .await;
            }));
        }
        for write in writes {
            write.await.unwrap();
        }
    }
    let finished = tokio::time::timeout(
        Duration::from_secs(10),
        store.set_policy_value(change(
            contoso,
            Scope::Product,
            "P-last",
            PolicyValue::Disabled,
        )),
    )
    .await
    .expect("a write after the abandoned ones finishes")
    .expect("a write after the abandoned ones succeeds");
    assert!(finished.revision.is_some());
    let audited = store
        .policy_changes(contoso, None, 1000)
        .await
        .unwrap()
        .len();
    let last_revision = finished.revision.unwrap() as usize;
    assert_eq!(
        audited, last_revision,
        "every revision written has its audit event"
    );
}

/// If-Match is evaluated in the write's transaction against the stored revision (the initial one for a value never
/// written), before the no-op shortcut: a stale precondition fails even when the value would not change.
async fn policy_preconditions_are_checked_against_the_stored_revision(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let conditional = |value, if_match: &str| {
        let mut change = change(contoso, Scope::Product, "P1", value);
        change.preconditions = Preconditions::parse(Some(if_match), None);
        f.store.set_policy_value(change)
    };
    let initial = entity_tag(INITIAL_POLICY_REVISION);
    let refused = conditional(PolicyValue::Disabled, "\"5\"").await;
    assert!(
        matches!(&refused, Err(StoreError::VersionMismatch(reason)) if reason.contains(&initial)),
        "{refused:?}"
    );
    let first = conditional(PolicyValue::Disabled, &initial).await.unwrap();
    let revision = first.revision.unwrap();
    assert_eq!(first.current_revision, revision);
    let stale = conditional(PolicyValue::Disabled, &initial).await;
    assert!(
        matches!(&stale, Err(StoreError::VersionMismatch(reason)) if reason.contains(&entity_tag(revision))),
        "a stale ETag fails even when the value would not change: {stale:?}"
    );
    let same = conditional(PolicyValue::Disabled, &entity_tag(revision))
        .await
        .unwrap();
    assert_eq!((same.revision, same.current_revision), (None, revision));
    assert_eq!(
        f.store.policy_values(contoso).await.unwrap()[0].value,
        PolicyValue::Disabled
    );
}

fn value_change(scope: Scope, target: &str, value: PolicyValue) -> PolicyValueChange {
    PolicyValueChange {
        scope,
        target_id: target.into(),
        target_name: format!("{target} name"),
        value,
        preconditions: Preconditions::default(),
    }
}

fn changes(tenant_id: TenantId, values: Vec<PolicyValueChange>) -> PolicyChanges {
    PolicyChanges {
        tenant_id,
        policy_id: POLICY.into(),
        default_value: PolicyValue::Enabled,
        values,
        actor: actor(),
    }
}

async fn several_values_are_written_together_with_one_revision_and_one_correlation_id(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    f.store
        .set_policy_value(change(contoso, Scope::Product, "P1", PolicyValue::Disabled))
        .await
        .unwrap();
    let batch = changes(
        contoso,
        vec![
            value_change(Scope::Product, "P1", PolicyValue::Disabled),
            value_change(Scope::Product, "P2", PolicyValue::Disabled),
            value_change(Scope::Product, "P3", PolicyValue::Enabled),
            value_change(Scope::OfferType, "SaaS", PolicyValue::Disabled),
        ],
    );
    let correlation_id = batch.actor.correlation_id.clone();
    let writes = f.store.set_policy_values(batch).await.unwrap();
    assert_eq!(
        writes.revision,
        Some(2),
        "one new revision for the whole change"
    );
    let summary: Vec<(PolicyValue, Option<i64>, i64)> = writes
        .values
        .iter()
        .map(|w| (w.old_value, w.revision, w.current_revision))
        .collect();
    assert_eq!(
        summary,
        vec![
            (PolicyValue::Disabled, None, 1),
            (PolicyValue::Enabled, Some(2), 2),
            (PolicyValue::Enabled, None, INITIAL_POLICY_REVISION),
            (PolicyValue::Enabled, Some(2), 2),
        ],
        "in the request's order: what was already so keeps its revision"
    );
    let mut stored: Vec<(String, PolicyValue, i64)> = f
        .store
        .policy_values(contoso)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.target_id, v.value, v.revision))
        .collect();
    stored.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        stored,
        vec![
            ("P1".into(), PolicyValue::Disabled, 1),
            ("P2".into(), PolicyValue::Disabled, 2),
            ("SaaS".into(), PolicyValue::Disabled, 2),
        ]
    );
    let events = f.store.policy_changes(contoso, None, 10).await.unwrap();
    let of_batch: Vec<&str> = events
        .iter()
        .filter(|e| e.correlation_id == correlation_id)
        .map(|e| e.target_id.as_str())
        .collect();
    assert_eq!(
        of_batch.len(),
        2,
        "one event per changed value, all with the change's correlation id: {events:?}"
    );
    assert!(of_batch.contains(&"P2") && of_batch.contains(&"SaaS"));
    assert_eq!(
        events.len(),
        3,
        "the first single write, then the two changed values"
    );

    let again = f
        .store
        .set_policy_values(changes(
            contoso,
            vec![
                value_change(Scope::Product, "P2", PolicyValue::Disabled),
                value_change(Scope::OfferType, "SaaS", PolicyValue::Disabled),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(again.revision, None, "a change already made writes nothing");
    assert_eq!(
        f.store
            .policy_changes(contoso, None, 10)
            .await
            .unwrap()
            .len(),
        3
    );
}

async fn a_failed_precondition_of_one_value_writes_none_of_them(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let mut stale = value_change(Scope::Product, "P2", PolicyValue::Disabled);
    stale.preconditions = Preconditions::parse(Some("\"7\""), None);
    let mut current = value_change(Scope::Product, "P3", PolicyValue::Disabled);
    current.preconditions = Preconditions::parse(Some(&entity_tag(INITIAL_POLICY_REVISION)), None);
    let refused = f
        .store
        .set_policy_values(changes(
            contoso,
            vec![
                value_change(Scope::Product, "P1", PolicyValue::Disabled),
                stale,
                current,
            ],
        ))
        .await;
    assert!(
        matches!(&refused, Err(StoreError::VersionMismatch(reason)) if reason.contains("'P2'") && !reason.contains("'P3'")),
        "the reason names the value whose precondition failed, and only it: {refused:?}"
    );
    assert!(
        f.store.policy_values(contoso).await.unwrap().is_empty(),
        "nothing was written"
    );
    assert!(f
        .store
        .policy_changes(contoso, None, 10)
        .await
        .unwrap()
        .is_empty());
}

/// Another connection inside a write of its own, holding the store's policy writer up: on SQLite the write lock of
/// the file, on PostgreSQL the tenant's row. Changes sent meanwhile queue, and are written together once it lets
/// go. (Whether they all land in one batch depends on the scheduler; what the tests check holds either way.)
enum HeldWriter {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

async fn hold_the_writer(f: &Fixture, tenant_id: TenantId) -> HeldWriter {
    match f.backend {
        Backend::Sqlite => {
            let mut connection = sqlx::SqliteConnection::connect(&f.url).await.unwrap();
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut connection)
                .await
                .unwrap();
            HeldWriter::Sqlite(connection)
        }
        Backend::Postgres => {
            let mut connection = sqlx::PgConnection::connect(&f.url).await.unwrap();
            sqlx::raw_sql("BEGIN")
                .execute(&mut connection)
                .await
                .unwrap();
            sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
                .bind(tenant_id.to_string())
                .execute(&mut connection)
                .await
                .unwrap();
            HeldWriter::Postgres(connection)
        }
    }
}

impl HeldWriter {
    async fn release(self) {
        match self {
            HeldWriter::Sqlite(mut c) => {
                sqlx::raw_sql("COMMIT").execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
            HeldWriter::Postgres(mut c) => {
                sqlx::raw_sql("COMMIT").execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
        }
    }
}

/// Sends every change at once while the writer is busy with another (a tenant's of its own, held up by
/// [`hold_the_writer`]), then lets it go; answers each change's outcome, in the order given.
async fn written_together(
    f: &Fixture,
    batch: Vec<PolicyChanges>,
) -> Vec<StoreResult<PolicyWrites>> {
    let plug_tenant = tenant(f, "Plug").await;
    let held = hold_the_writer(f, plug_tenant).await;
    let store = Arc::clone(&f.store);
    let plug = tokio::spawn(async move {
        store
            .set_policy_values(changes(
                plug_tenant,
                vec![value_change(Scope::Product, "Plug", PolicyValue::Disabled)],
            ))
            .await
    });
    // Time for the writer to take the plug alone, and for every change to reach its queue behind it (not a
    // condition of the tests: see `HeldWriter`).
    tokio::time::sleep(Duration::from_millis(100)).await;
    let writes: Vec<_> = batch
        .into_iter()
        .map(|changes| {
            let store = Arc::clone(&f.store);
            tokio::spawn(async move { store.set_policy_values(changes).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    held.release().await;
    plug.await.expect("task").expect("the plug is written");
    let mut outcomes = Vec::new();
    for write in writes {
        outcomes.push(write.await.expect("task"));
    }
    outcomes
}

async fn concurrent_changes_of_one_tenant_written_together_take_consecutive_revisions(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    f.store
        .set_policy_value(change(contoso, Scope::Product, "P0", PolicyValue::Disabled))
        .await
        .unwrap();
    const CHANGES: usize = 24;
    let batch: Vec<PolicyChanges> = (0..CHANGES)
        .map(|i| {
            let value = [
                PolicyValue::Disabled,
                PolicyValue::Enabled,
                PolicyValue::OnlyTrialsWithoutPaymentMethod,
            ][(i / 3) % 3];
            changes(
                contoso,
                vec![value_change(Scope::Product, &format!("P{}", i % 3), value)],
            )
        })
        .collect();
    let outcomes = written_together(f, batch).await;
    let mut revisions: Vec<i64> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().expect("written").revision)
        .collect();
    revisions.sort_unstable();
    assert_eq!(
        revisions,
        (2..2 + revisions.len() as i64).collect::<Vec<_>>(),
        "each change that changed something took the next revision, after the first write's"
    );
    // In the order of the audit trail (the order of writing), each event's old value is the one the event
    // before it of the same target wrote, and the answers say the same.
    let mut events = f.store.policy_changes(contoso, None, 1000).await.unwrap();
    events.reverse();
    assert_eq!(events.len(), 1 + revisions.len(), "one event per change");
    let mut last: HashMap<String, String> = HashMap::new();
    for event in &events {
        let before = last
            .get(&event.target_id)
            .cloned()
            .unwrap_or_else(|| "Enabled".to_string());
        assert_eq!(
            event.old_value.as_deref(),
            Some(before.as_str()),
            "{}: an event read a stale value: {events:?}",
            event.target_id
        );
        last.insert(event.target_id.clone(), event.new_value.clone().unwrap());
    }
    let mut answered: Vec<(i64, PolicyValue, PolicyValue)> = outcomes
        .iter()
        .flat_map(|o| o.as_ref().unwrap().values.iter())
        .filter_map(|w| w.revision.map(|r| (r, w.old_value, w.new_value)))
        .collect();
    answered.sort_by_key(|(r, _, _)| *r);
    let audited: Vec<(i64, PolicyValue, PolicyValue)> = events[1..]
        .iter()
        .zip(2..)
        .map(|(e, r)| {
            (
                r,
                PolicyValue::parse(e.old_value.as_deref().unwrap()).unwrap(),
                PolicyValue::parse(e.new_value.as_deref().unwrap()).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        answered, audited,
        "the answers are what the audit trail says"
    );
    for stored in f.store.policy_values(contoso).await.unwrap() {
        assert_eq!(
            Some(stored.value.as_str()),
            last.get(&stored.target_id).map(String::as_str),
            "the stored value is the last one written"
        );
    }
}

async fn a_change_that_fails_in_a_batch_fails_alone(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let with_if_match = |target: &str, tag: &str| {
        let mut value = value_change(Scope::Product, target, PolicyValue::Disabled);
        value.preconditions = Preconditions::parse(Some(tag), None);
        value
    };
    let initial = entity_tag(INITIAL_POLICY_REVISION);
    let batch = vec![
        changes(
            contoso,
            vec![value_change(Scope::Product, "P1", PolicyValue::Disabled)],
        ),
        // A stale precondition: this change fails, and only it.
        changes(contoso, vec![with_if_match("P2", "\"7\"")]),
        // A change of several values, one of which fails: none of them is written.
        changes(
            contoso,
            vec![
                value_change(Scope::Product, "P3", PolicyValue::Disabled),
                with_if_match("P4", "\"9\""),
            ],
        ),
        // No such tenant.
        changes(
            TenantId::generate(),
            vec![value_change(Scope::Product, "P1", PolicyValue::Disabled)],
        ),
        changes(
            fabrikam,
            vec![value_change(Scope::Product, "P1", PolicyValue::Disabled)],
        ),
        // Two changes that each hold only for a value never written: whichever comes first is written, and the
        // other is checked against what the first left.
        changes(contoso, vec![with_if_match("P5", &initial)]),
        changes(contoso, vec![with_if_match("P5", &initial)]),
    ];
    let outcomes = written_together(f, batch).await;
    assert!(
        outcomes[0].as_ref().is_ok_and(|w| w.revision.is_some()),
        "{:?}",
        outcomes[0]
    );
    assert!(
        matches!(&outcomes[1], Err(StoreError::VersionMismatch(reason)) if reason.contains("'P2'")),
        "{:?}",
        outcomes[1]
    );
    assert!(
        matches!(&outcomes[2], Err(StoreError::VersionMismatch(reason)) if reason.contains("'P4'") && !reason.contains("'P3'")),
        "{:?}",
        outcomes[2]
    );
    assert!(
        matches!(&outcomes[3], Err(StoreError::NotFound(_))),
        "{:?}",
        outcomes[3]
    );
    assert!(
        outcomes[4].as_ref().is_ok_and(|w| w.revision == Some(1)),
        "{:?}",
        outcomes[4]
    );
    let p5: Vec<bool> = outcomes[5..].iter().map(|o| o.is_ok()).collect();
    assert!(p5 == [true, false] || p5 == [false, true], "{outcomes:?}");
    let failed_p5 = outcomes[5..].iter().find(|o| o.is_err()).unwrap();
    assert!(
        matches!(failed_p5, Err(StoreError::VersionMismatch(_))),
        "{failed_p5:?}"
    );

    let stored = stored_targets(f, contoso).await;
    assert_eq!(stored, vec!["P1", "P5"], "only what succeeded was written");
    let mut revisions: Vec<i64> = f
        .store
        .policy_values(contoso)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.revision)
        .collect();
    revisions.sort_unstable();
    assert_eq!(revisions, vec![1, 2], "the failed changes took no revision");
    assert_eq!(
        f.store
            .policy_changes(contoso, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(f.store.policy_values(fabrikam).await.unwrap().len(), 1);
}

/// A row the database refuses fails the change that wrote it and nothing else (the batch is retried change by
/// change), and the writer goes on writing.
async fn a_change_the_database_refuses_fails_without_stopping_the_writer(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let refuse = match f.backend {
        Backend::Sqlite => {
            "CREATE TRIGGER refuse_broken BEFORE INSERT ON policy_values WHEN NEW.target_id = 'Broken' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
        }
        Backend::Postgres => {
            "CREATE FUNCTION refuse_broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.target_id = 'Broken' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER refuse_broken BEFORE INSERT ON policy_values FOR EACH ROW EXECUTE FUNCTION refuse_broken();"
        }
    };
    f.execute(refuse).await.unwrap();
    let batch = vec![
        changes(
            contoso,
            vec![value_change(Scope::Product, "P1", PolicyValue::Disabled)],
        ),
        changes(
            contoso,
            vec![
                value_change(Scope::Product, "P2", PolicyValue::Disabled),
                value_change(Scope::Product, "Broken", PolicyValue::Disabled),
            ],
        ),
        changes(
            contoso,
            vec![value_change(Scope::Product, "P3", PolicyValue::Disabled)],
        ),
    ];
    let outcomes = written_together(f, batch).await;
    assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
    assert!(
        matches!(&outcomes[1], Err(StoreError::Database(e)) if e.to_string().contains("refused by the test")),
        "{:?}",
        outcomes[1]
    );
    assert!(outcomes[2].is_ok(), "{:?}", outcomes[2]);
    let stored = stored_targets(f, contoso).await;
    assert_eq!(
        stored,
        vec!["P1", "P3"],
        "nothing of the refused change was written"
    );

    let alone = f
        .store
        .set_policy_value(change(
            contoso,
            Scope::Product,
            "Broken",
            PolicyValue::Disabled,
        ))
        .await;
    assert!(matches!(alone, Err(StoreError::Database(_))), "{alone:?}");
    let after = f
        .store
        .set_policy_value(change(contoso, Scope::Product, "P4", PolicyValue::Disabled))
        .await
        .expect("the writer goes on after a failed batch");
    let events = f.store.policy_changes(contoso, None, 10).await.unwrap();
    assert_eq!(after.revision, Some(3));
    assert_eq!(events.len(), 3, "one event per written change: {events:?}");
}

/// The targets with a stored value of `tenant_id`, sorted.
async fn stored_targets(f: &Fixture, tenant_id: TenantId) -> Vec<String> {
    sorted(
        f.store
            .policy_values(tenant_id)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.target_id)
            .collect(),
    )
}
