//! Trusted issuers and the users their sign-ins make.

use mscommerce_domain::federation::{ClaimMapping, GroupRole, RoleSource, UserClaim};
use mscommerce_domain::DirectoryRole;

use super::*;

on_every_backend!(
    an_issuer_is_trusted_by_one_tenant_listed_and_removed_audited,
    a_first_sign_in_makes_the_user_and_later_ones_keep_it_current,
    a_trusts_sign_in_is_set_read_back_and_removed_audited_without_its_secret,
);

fn trust(tenant_id: TenantId, issuer: &str) -> NewTrustedIssuer {
    NewTrustedIssuer {
        tenant_id,
        issuer: issuer.into(),
        display_name: "Provider".into(),
        audiences: vec!["aud-1".into(), "aud-2".into()],
        external_tenant_id: Some("dir-1".into()),
        mapping: ClaimMapping {
            user_claim: UserClaim::Sub,
            role_source: RoleSource::Groups,
            group_roles: vec![GroupRole {
                group: "Billing people".into(),
                role: DirectoryRole::BillingAdministrator,
            }],
            ..ClaimMapping::default()
        },
    }
}

async fn an_issuer_is_trusted_by_one_tenant_listed_and_removed_audited(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let added = f
        .store
        .add_trusted_issuer(trust(contoso, "https://idp.example/a"), &actor())
        .await
        .unwrap();
    // Read back whole, by the tenant and among all.
    assert_eq!(
        f.store.trusted_issuers(Some(contoso)).await.unwrap(),
        vec![added.clone()]
    );
    assert_eq!(
        f.store.trusted_issuers(None).await.unwrap(),
        vec![added.clone()]
    );
    assert!(f
        .store
        .trusted_issuers(Some(fabrikam))
        .await
        .unwrap()
        .is_empty());
    // The same issuer again, by this tenant or another: refused.
    for tenant_id in [contoso, fabrikam] {
        assert!(matches!(
            f.store
                .add_trusted_issuer(trust(tenant_id, "https://idp.example/a"), &actor())
                .await,
            Err(StoreError::Conflict(_))
        ));
    }
    // Another tenant cannot remove it.
    assert!(!f
        .store
        .remove_trusted_issuer(fabrikam, added.id, &actor())
        .await
        .unwrap());
    assert!(f
        .store
        .remove_trusted_issuer(contoso, added.id, &actor())
        .await
        .unwrap());
    assert!(f.store.trusted_issuers(None).await.unwrap().is_empty());
    let events = f.store.audit_events(contoso, None, 10).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&actions::TRUSTED_ISSUER_ADDED),
        "{actions:?}"
    );
    assert!(
        actions.contains(&actions::TRUSTED_ISSUER_REMOVED),
        "{actions:?}"
    );
    assert!(f
        .store
        .audit_events(fabrikam, None, 10)
        .await
        .unwrap()
        .iter()
        .all(|e| !e.action.starts_with("TrustedIssuer")));
}

fn person(
    tenant_id: TenantId,
    subject: &str,
    upn: &str,
    roles: Option<Vec<&str>>,
) -> FederatedUser {
    FederatedUser {
        tenant_id,
        issuer: "https://idp.example/a".into(),
        subject: subject.into(),
        upn: upn.into(),
        display_name: format!("Name of {subject}"),
        user_type: UserType::Member,
        roles: roles.map(|r| r.into_iter().map(str::to_string).collect()),
    }
}

async fn a_first_sign_in_makes_the_user_and_later_ones_keep_it_current(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let billing = DirectoryRole::BillingAdministrator.template_id();
    let first = f
        .store
        .federated_sign_in(
            person(contoso, "alice", "Alice@Example.org", Some(vec![billing])),
            &actor(),
        )
        .await
        .unwrap();
    assert_eq!(first.upn, "alice@example.org");
    assert_eq!(first.roles, vec![billing.to_string()]);
    assert_eq!(first.password_hash, None);
    // Again: the same user; nothing changed, nothing audited.
    let again = f
        .store
        .federated_sign_in(
            person(contoso, "alice", "alice@example.org", Some(vec![billing])),
            &actor(),
        )
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    let count =
        |events: &[AuditEvent], action: &str| events.iter().filter(|e| e.action == action).count();
    let events = f.store.audit_events(contoso, None, 50).await.unwrap();
    assert_eq!(count(&events, actions::USER_CREATED), 1);
    assert_eq!(count(&events, actions::USER_UPDATED), 0);
    // The roles the token maps to follow it; `None` keeps those assigned here.
    let changed = f
        .store
        .federated_sign_in(
            person(contoso, "alice", "alice@example.org", Some(vec![])),
            &actor(),
        )
        .await
        .unwrap();
    assert!(changed.roles.is_empty());
    f.store
        .update_user(
            contoso,
            first.id,
            UserUpdate {
                roles: Some(vec![billing.to_string()]),
                ..UserUpdate::default()
            },
            &actor(),
        )
        .await
        .unwrap();
    let kept = f
        .store
        .federated_sign_in(
            person(contoso, "alice", "alice@example.org", None),
            &actor(),
        )
        .await
        .unwrap();
    assert_eq!(kept.roles, vec![billing.to_string()]);
    let events = f.store.audit_events(contoso, None, 50).await.unwrap();
    assert_eq!(count(&events, actions::USER_UPDATED), 2);
    // Another person cannot take a sign-in name already held, here or made by the command line.
    member(f, contoso, "local@contoso.com").await;
    for upn in ["alice@example.org", "local@contoso.com"] {
        assert!(matches!(
            f.store
                .federated_sign_in(person(contoso, "mallory", upn, None), &actor())
                .await,
            Err(StoreError::Conflict(_))
        ));
    }
    assert_eq!(
        f.store.user(contoso, first.id).await.unwrap().unwrap().upn,
        "alice@example.org"
    );
}

async fn a_trusts_sign_in_is_set_read_back_and_removed_audited_without_its_secret(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    let fabrikam = tenant(f, "Fabrikam").await;
    let added = f
        .store
        .add_trusted_issuer(trust(contoso, "https://idp.example/sign-in"), &actor())
        .await
        .unwrap();
    assert_eq!(added.sign_in, None);
    let sign_in = ProviderSignIn {
        client_id: "rp-client-1".into(),
        sealed_client_secret: Some("sealed:kek-1:c2VhbGVkLXNlY3JldA".into()),
        button: "Contoso Entra ID".into(),
    };
    // Another tenant cannot set it; an unknown trust is none.
    assert_eq!(
        f.store
            .set_trusted_issuer_sign_in(fabrikam, added.id, Some(sign_in.clone()), &actor())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        f.store
            .set_trusted_issuer_sign_in(contoso, Uuid::new_v4(), Some(sign_in.clone()), &actor())
            .await
            .unwrap(),
        None
    );
    let set = f
        .store
        .set_trusted_issuer_sign_in(contoso, added.id, Some(sign_in.clone()), &actor())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(set.sign_in.as_ref(), Some(&sign_in));
    assert_eq!(
        f.store.trusted_issuers(Some(contoso)).await.unwrap(),
        vec![set.clone()]
    );
    // A public client: no secret held.
    let public = ProviderSignIn {
        sealed_client_secret: None,
        ..sign_in.clone()
    };
    f.store
        .set_trusted_issuer_sign_in(contoso, added.id, Some(public.clone()), &actor())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        f.store.trusted_issuers(None).await.unwrap()[0].sign_in,
        Some(public)
    );
    let cleared = f
        .store
        .set_trusted_issuer_sign_in(contoso, added.id, None, &actor())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cleared.sign_in, None);
    assert_eq!(
        f.store.trusted_issuers(None).await.unwrap()[0].sign_in,
        None
    );
    let events: Vec<_> = f
        .store
        .audit_events(contoso, None, 20)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == actions::TRUSTED_ISSUER_SIGN_IN_SET)
        .collect();
    assert_eq!(events.len(), 3, "{events:?}");
    let written = format!("{events:?}");
    assert!(written.contains("rp-client-1"), "{written}");
    assert!(written.contains("with a client secret"), "{written}");
    assert!(written.contains("a public client"), "{written}");
    assert!(!written.contains("c2VhbGVkLXNlY3JldA"), "{written}");
    assert!(f
        .store
        .audit_events(fabrikam, None, 20)
        .await
        .unwrap()
        .iter()
        .all(|e| e.action != actions::TRUSTED_ISSUER_SIGN_IN_SET));
}
