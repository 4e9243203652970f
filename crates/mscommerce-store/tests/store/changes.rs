//! Change notices to every replica.

use super::*;

on_every_backend!(changes_are_announced_to_every_replica);

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
async fn next_change(notices: &mut tokio::sync::mpsc::Receiver<ChangeNotice>) -> ChangeNotice {
    loop {
        match next_notice(notices, Duration::from_secs(10)).await {
            ChangeNotice::Resynchronize => continue,
            other => return other,
        }
    }
}

async fn changes_are_announced_to_every_replica(f: &Fixture) {
    let replica = f.another().await;
    let Some(mut notices) = replica.subscribe_changes() else {
        assert_eq!(f.backend, Backend::Sqlite, "PostgreSQL announces changes");
        return;
    };
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
