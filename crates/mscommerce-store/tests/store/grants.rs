//! The sign-in grants: one-time codes, device codes, refresh token families, and their revocation by the
//! database itself when a user is disabled or the password changes.

use mscommerce_domain::grants::DeviceCodeStatus;

use super::*;

on_every_backend!(
    an_authorization_code_is_redeemed_once_and_its_reuse_revokes_its_family,
    a_device_code_goes_from_pending_to_redeemed_once,
    a_reused_refresh_token_revokes_its_family,
    disabling_a_user_or_changing_the_password_revokes_its_refresh_tokens,
    expired_grants_are_deleted,
    one_of_many_racing_redemptions_wins,
);

fn in_seconds(seconds: i64) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(seconds)
}

fn refresh(user: &User, digest: &str, family: Uuid, code: Option<&str>) -> NewRefreshToken {
    NewRefreshToken {
        digest: digest.into(),
        family_id: family,
        client_id: "client".into(),
        tenant_id: user.tenant_id,
        user_id: user.id,
        scope: "aud/.default offline_access".into(),
        authorization_code: code.map(str::to_string),
        expires_at: in_seconds(3600),
    }
}

fn live(token: Option<RefreshToken>) -> bool {
    token.is_some_and(|t| t.revoked_at.is_none() && t.spent_at.is_none())
}

async fn an_authorization_code_is_redeemed_once_and_its_reuse_revokes_its_family(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    f.store
        .insert_authorization_code(NewAuthorizationCode {
            digest: "code-1".into(),
            client_id: "client".into(),
            redirect_uri: "http://127.0.0.1:1/cb".into(),
            tenant_id: contoso,
            user_id: alice.id,
            scope: "aud/.default".into(),
            nonce: Some("n".into()),
            code_challenge: "challenge".into(),
            expires_at: in_seconds(60),
        })
        .await
        .unwrap();
    let CodeRedemption::Redeemed(code) = f.store.redeem_authorization_code("code-1").await.unwrap()
    else {
        panic!("the first redemption succeeds");
    };
    assert_eq!((code.nonce.as_deref(), code.user_id), (Some("n"), alice.id));
    f.store
        .insert_refresh_token(refresh(&alice, "rt-1", Uuid::new_v4(), Some("code-1")))
        .await
        .unwrap();
    assert!(live(f.store.refresh_token("rt-1").await.unwrap()));
    assert!(matches!(
        f.store.redeem_authorization_code("code-1").await.unwrap(),
        CodeRedemption::AlreadyUsed
    ));
    assert!(
        !live(f.store.refresh_token("rt-1").await.unwrap()),
        "revoked by the reuse"
    );
    assert!(matches!(
        f.store.redeem_authorization_code("nothing").await.unwrap(),
        CodeRedemption::Unknown
    ));
}

async fn a_device_code_goes_from_pending_to_redeemed_once(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    let new = |digest: &str, user_code: &str| NewDeviceCode {
        digest: digest.into(),
        user_code: user_code.into(),
        client_id: "client".into(),
        tenant_id: None,
        scope: "aud/.default".into(),
        interval_seconds: 5,
        expires_at: in_seconds(60),
    };
    f.store
        .insert_device_code(new("d1", "BCDF-GHJK"))
        .await
        .unwrap();
    assert!(matches!(
        f.store.insert_device_code(new("d2", "BCDF-GHJK")).await,
        Err(StoreError::Conflict(_))
    ));
    let first_poll = f
        .store
        .poll_device_code("d1", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first_poll.status, DeviceCodeStatus::Pending);
    assert!(first_poll.last_polled_at.is_none());
    let second_poll = f
        .store
        .poll_device_code("d1", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(second_poll.last_polled_at.is_some());
    f.store.slow_down_device_code("d1", 5).await.unwrap();
    assert!(f
        .store
        .pending_device_code("BCDF-GHJK", Utc::now())
        .await
        .unwrap()
        .is_some());
    assert!(f
        .store
        .decide_device_code("BCDF-GHJK", DeviceDecision::Approve(contoso, alice.id))
        .await
        .unwrap());
    assert!(
        !f.store
            .decide_device_code("BCDF-GHJK", DeviceDecision::Deny)
            .await
            .unwrap(),
        "decided once"
    );
    let approved = f
        .store
        .poll_device_code("d1", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approved.status, DeviceCodeStatus::Approved);
    assert_eq!(approved.interval_seconds, 10);
    assert_eq!(
        (approved.tenant_id, approved.user_id),
        (Some(contoso), Some(alice.id))
    );
    assert!(f.store.redeem_device_code("d1").await.unwrap());
    assert!(
        !f.store.redeem_device_code("d1").await.unwrap(),
        "redeemed once"
    );
    assert!(f
        .store
        .pending_device_code("BCDF-GHJK", Utc::now())
        .await
        .unwrap()
        .is_none());
}

async fn a_reused_refresh_token_revokes_its_family(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    let family = Uuid::new_v4();
    let other_family = Uuid::new_v4();
    f.store
        .insert_refresh_token(refresh(&alice, "a", family, None))
        .await
        .unwrap();
    f.store
        .insert_refresh_token(refresh(&alice, "other", other_family, None))
        .await
        .unwrap();
    assert_eq!(
        f.store
            .rotate_refresh_token("a", refresh(&alice, "b", family, None))
            .await
            .unwrap(),
        Rotation::Rotated
    );
    assert!(f
        .store
        .refresh_token("a")
        .await
        .unwrap()
        .unwrap()
        .spent_at
        .is_some());
    assert!(live(f.store.refresh_token("b").await.unwrap()));
    assert_eq!(
        f.store
            .rotate_refresh_token("a", refresh(&alice, "c", family, None))
            .await
            .unwrap(),
        Rotation::FamilyRevoked
    );
    assert!(
        !live(f.store.refresh_token("b").await.unwrap()),
        "the newer one dies too"
    );
    assert!(
        f.store.refresh_token("c").await.unwrap().is_none(),
        "nothing stored"
    );
    assert!(
        live(f.store.refresh_token("other").await.unwrap()),
        "another sign-in lives on"
    );
    assert!(f.store.revoke_refresh_family("other").await.unwrap());
    assert!(!live(f.store.refresh_token("other").await.unwrap()));
    assert!(!f.store.revoke_refresh_family("unknown").await.unwrap());
}

async fn disabling_a_user_or_changing_the_password_revokes_its_refresh_tokens(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    let bob = member(f, contoso, "bob@contoso.com").await;
    f.store
        .insert_refresh_token(refresh(&alice, "alice-1", Uuid::new_v4(), None))
        .await
        .unwrap();
    f.store
        .insert_refresh_token(refresh(&bob, "bob-1", Uuid::new_v4(), None))
        .await
        .unwrap();
    let change = |user: &User, update: UserUpdate| {
        let store = Arc::clone(&f.store);
        let (tenant_id, user_id) = (user.tenant_id, user.id);
        async move {
            store
                .update_user(tenant_id, user_id, update, &actor())
                .await
                .unwrap()
        }
    };
    // A change of the display name revokes nothing.
    change(
        &alice,
        UserUpdate {
            display_name: Some("Alice L.".into()),
            ..UserUpdate::default()
        },
    )
    .await;
    assert!(live(f.store.refresh_token("alice-1").await.unwrap()));
    change(
        &alice,
        UserUpdate {
            password_hash: Some("$argon2id$new".into()),
            ..UserUpdate::default()
        },
    )
    .await;
    assert!(!live(f.store.refresh_token("alice-1").await.unwrap()));
    assert!(
        live(f.store.refresh_token("bob-1").await.unwrap()),
        "only the user's own"
    );
    change(
        &bob,
        UserUpdate {
            account_enabled: Some(false),
            ..UserUpdate::default()
        },
    )
    .await;
    assert!(!live(f.store.refresh_token("bob-1").await.unwrap()));
}

async fn expired_grants_are_deleted(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    f.store
        .insert_refresh_token(NewRefreshToken {
            expires_at: in_seconds(-10),
            ..refresh(&alice, "old", Uuid::new_v4(), None)
        })
        .await
        .unwrap();
    f.store
        .insert_refresh_token(refresh(&alice, "new", Uuid::new_v4(), None))
        .await
        .unwrap();
    assert_eq!(f.store.delete_expired_grants(Utc::now()).await.unwrap(), 1);
    assert!(f.store.refresh_token("old").await.unwrap().is_none());
    assert!(f.store.refresh_token("new").await.unwrap().is_some());
}

async fn one_of_many_racing_redemptions_wins(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let alice = member(f, contoso, "alice@contoso.com").await;
    f.store
        .insert_authorization_code(NewAuthorizationCode {
            digest: "raced".into(),
            client_id: "client".into(),
            redirect_uri: "http://127.0.0.1:1/cb".into(),
            tenant_id: contoso,
            user_id: alice.id,
            scope: "aud/.default".into(),
            nonce: None,
            code_challenge: "challenge".into(),
            expires_at: in_seconds(60),
        })
        .await
        .unwrap();
    let family = Uuid::new_v4();
    f.store
        .insert_refresh_token(refresh(&alice, "parent", family, None))
        .await
        .unwrap();
    let other = f.another().await;
    let racers = (0..8).map(|i| {
        let store = if i % 2 == 0 {
            Arc::clone(&f.store)
        } else {
            Arc::clone(&other)
        };
        let child = refresh(&alice, &format!("child-{i}"), family, None);
        tokio::spawn(async move {
            let redeemed = matches!(
                store.redeem_authorization_code("raced").await.unwrap(),
                CodeRedemption::Redeemed(_)
            );
            let rotated =
                store.rotate_refresh_token("parent", child).await.unwrap() == Rotation::Rotated;
            (redeemed, rotated)
        })
    });
    let outcomes: Vec<(bool, bool)> = futures_util::future::join_all(racers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        outcomes.iter().filter(|(redeemed, _)| *redeemed).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|(_, rotated)| *rotated).count(),
        1,
        "{outcomes:?}"
    );
}
