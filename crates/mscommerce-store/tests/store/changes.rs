//! Change notices to every replica.

use super::*;

on_every_backend!(
    changes_are_announced_to_every_replica,
    every_change_of_an_account_is_announced,
    an_account_changed_in_a_rolled_back_transaction_is_not_announced
);

pub(super) async fn next_notice(
    notices: &mut tokio::sync::mpsc::Receiver<ChangeNotice>,
    within: Duration,
) -> ChangeNotice {
    tokio::time::timeout(within, notices.recv())
        .await
        .unwrap_or_else(|_| panic!("no notice within {within:?}"))
        .expect("the listener is running")
}

/// Skips `Resynchronize` notices until the next other one.
pub(super) async fn next_change(
    notices: &mut tokio::sync::mpsc::Receiver<ChangeNotice>,
) -> ChangeNotice {
    loop {
        match next_notice(notices, Duration::from_secs(10)).await {
            ChangeNotice::Resynchronize => continue,
            other => return other,
        }
    }
}

async fn changes_are_announced_to_every_replica(f: &Fixture) {
    if f.backend == Backend::Sqlite {
        // One process serves a SQLite file: its policy values need no announcement (accounts do, see below).
        return;
    }
    let replica = f.another().await;
    let mut notices = replica
        .subscribe_changes()
        .expect("PostgreSQL announces changes");
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(10)).await,
        ChangeNotice::Resynchronize,
        "the first notice: listening has begun"
    );
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;

    let mut delays = Vec::new();
    for (revision, value) in [
        (1, PolicyValue::Disabled),
        (2, PolicyValue::OnlyTrialsWithoutPaymentMethod),
        (3, PolicyValue::Enabled),
    ] {
        let written = Instant::now();
        f.store
            .set_policy_value(change(contoso, Scope::Product, "CFQ7TTC0H9MP", value))
            .await
            .unwrap();
        let notice = next_notice(&mut notices, Duration::from_secs(5)).await;
        delays.push(written.elapsed());
        assert_eq!(
            notice,
            ChangeNotice::Policy {
                tenant_id: contoso,
                revision,
                scope: Scope::Product,
                target_id: "CFQ7TTC0H9MP".into(),
                value
            }
        );
    }
    eprintln!("policy notices reached the other store after {delays:?}");

    // A write that changes nothing announces nothing: the next notice is the user's.
    f.store
        .set_policy_value(change(
            contoso,
            Scope::Product,
            "CFQ7TTC0H9MP",
            PolicyValue::Enabled,
        ))
        .await
        .unwrap();
    f.store
        .update_user(
            contoso,
            alice.id,
            UserUpdate {
                account_enabled: Some(false),
                ..UserUpdate::default()
            },
            &actor(),
        )
        .await
        .unwrap();
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(5)).await,
        ChangeNotice::User { user_id: alice.id }
    );

    // An unreadable notice (from another version, say): forget everything.
    f.execute("SELECT pg_notify('mscommerce_changes', 'policy:from-the-future')")
        .await
        .unwrap();
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(5)).await,
        ChangeNotice::Resynchronize
    );

    // The listening connection dies: Resynchronize, then, once listening again, changes are announced again.
    let cut = f
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    assert_eq!(cut, 1, "one listening connection");
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(15)).await,
        ChangeNotice::Resynchronize
    );
    // Any further Resynchronize comes once listening has resumed; after it, nothing may be missed.
    while let Ok(Some(notice)) =
        tokio::time::timeout(Duration::from_millis(1500), notices.recv()).await
    {
        assert_eq!(notice, ChangeNotice::Resynchronize);
    }
    f.store
        .set_policy_value(change(
            contoso,
            Scope::OfferType,
            "SaaS",
            PolicyValue::Disabled,
        ))
        .await
        .unwrap();
    assert_eq!(
        next_change(&mut notices).await,
        ChangeNotice::Policy {
            tenant_id: contoso,
            revision: 4,
            scope: Scope::OfferType,
            target_id: "SaaS".into(),
            value: PolicyValue::Disabled
        }
    );

    // Dropping the receiver stops the listener and frees its connection.
    drop(notices);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let listening = f
            .execute(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            )
            .await
            .unwrap();
        if listening == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the listener kept its connection"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Skips `Resynchronize` notices until the next other one, which must come within `within`.
async fn next_account_change(
    notices: &mut tokio::sync::mpsc::Receiver<ChangeNotice>,
    within: Duration,
) -> ChangeNotice {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match next_notice(notices, left).await {
            ChangeNotice::Resynchronize => continue,
            other => return other,
        }
    }
}

/// Users and apps are announced on both backends, whoever changes them: the store, another process, or SQL typed
/// by hand. What authorizes a request is an account's current state, so a cache of it must hear of every change.
async fn every_change_of_an_account_is_announced(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    let app = f
        .store
        .create_app(
            NewApp {
                tenant_id: contoso,
                display_name: "Writer".into(),
                secret_hash: "$argon2id$secret".into(),
                permissions: vec!["Policy.ReadWrite.AllowSelfServicePurchase".into()],
            },
            &actor(),
        )
        .await
        .unwrap();
    let listener = f.another().await;
    let mut notices = listener
        .subscribe_changes()
        .expect("every backend announces account changes");
    assert_eq!(
        next_notice(&mut notices, Duration::from_secs(10)).await,
        ChangeNotice::Resynchronize,
        "the first notice: listening has begun"
    );
    // Created before listening began: nothing to announce.
    member(f, contoso, "bob@contoso.com").await;

    let within = Duration::from_secs(5);
    let started = Instant::now();
    f.store
        .update_user(
            contoso,
            alice.id,
            UserUpdate {
                roles: Some(Vec::new()),
                ..UserUpdate::default()
            },
            &actor(),
        )
        .await
        .unwrap();
    assert_eq!(
        next_account_change(&mut notices, within).await,
        ChangeNotice::User { user_id: alice.id }
    );
    let through_the_store = started.elapsed();

    let by_hand = [
        (
            format!("UPDATE users SET account_enabled = FALSE WHERE id = '{}'", alice.id),
            ChangeNotice::User { user_id: alice.id },
        ),
        (
            format!(
                "UPDATE apps SET permissions = 'Policy.Read.AllowSelfServicePurchase' WHERE client_id = '{}'",
                app.client_id
            ),
            ChangeNotice::App {
                client_id: app.client_id,
            },
        ),
        (
            format!("DELETE FROM apps WHERE client_id = '{}'", app.client_id),
            ChangeNotice::App {
                client_id: app.client_id,
            },
        ),
    ];
    for (sql, expected) in by_hand {
        assert_eq!(f.execute(&sql).await.unwrap(), 1, "{sql}");
        assert_eq!(
            next_account_change(&mut notices, within).await,
            expected,
            "{sql}"
        );
    }
    eprintln!("an account change reached the other store after {through_the_store:?}");
}

/// A change that does not commit is not announced: the next notice is the one that did.
async fn an_account_changed_in_a_rolled_back_transaction_is_not_announced(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    let bob = member(f, contoso, "bob@contoso.com").await;
    let listener = f.another().await;
    let mut notices = listener.subscribe_changes().expect("announced");
    next_notice(&mut notices, Duration::from_secs(10)).await;
    // The store refuses this change inside its transaction (the roles are not the expected ones): rolled back.
    let refused = f
        .store
        .update_user(
            contoso,
            alice.id,
            UserUpdate {
                account_enabled: Some(false),
                expected_roles: Some(vec!["62e90394-69f5-4237-9190-012177145e10".into()]),
                ..UserUpdate::default()
            },
            &actor(),
        )
        .await;
    expect_error(refused, "roles changed in between", is_conflict);
    assert!(
        f.store
            .user(contoso, alice.id)
            .await
            .unwrap()
            .unwrap()
            .account_enabled,
        "nothing was changed"
    );
    f.store
        .update_user(
            contoso,
            bob.id,
            UserUpdate {
                account_enabled: Some(false),
                ..UserUpdate::default()
            },
            &actor(),
        )
        .await
        .unwrap();
    assert_eq!(
        next_account_change(&mut notices, Duration::from_secs(5)).await,
        ChangeNotice::User { user_id: bob.id }
    );
}
