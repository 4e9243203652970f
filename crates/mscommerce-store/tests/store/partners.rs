//! Delegated admin relationships: asked, approved under the domain's rules, ended, found active; audited on both
//! sides; announced when they change; and what a partner does at a customer written to both logs.

use mscommerce_domain::{DirectoryRole, RelationshipStatus};

use super::*;

on_every_backend!(
    a_relationship_is_asked_approved_and_ended_audited_on_both_sides,
    approval_follows_the_rules_in_its_transaction,
    what_a_partner_does_at_a_customer_is_in_both_logs,
    a_changed_relationship_is_announced
);

async fn ask(
    f: &Fixture,
    partner: TenantId,
    customer: TenantId,
    roles: &[DirectoryRole],
) -> DelegatedAdminRelationship {
    f.store
        .request_relationship(
            NewRelationship {
                partner_tenant_id: partner,
                customer_tenant_id: customer,
                roles: roles.to_vec(),
            },
            &actor(),
        )
        .await
        .expect("asked")
}

fn relationship_actions(events: &[AuditEvent], id: Uuid) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.target_id == id.to_string())
        .map(|e| e.action.clone())
        .collect()
}

async fn a_relationship_is_asked_approved_and_ended_audited_on_both_sides(f: &Fixture) {
    use DirectoryRole::*;
    let partner = tenant(f, "Contoso").await;
    let customer = tenant(f, "Fabrikam").await;
    let stranger = tenant(f, "Stranger").await;
    let asked = ask(f, partner, customer, &[BillingAdministrator, GlobalReader]).await;
    assert_eq!(
        asked.status_at(Utc::now()),
        Some(RelationshipStatus::Pending)
    );
    assert_eq!(asked.partner_name, "Contoso");
    assert_eq!(asked.customer_name, "Fabrikam");
    assert!(asked.granted_roles.is_empty());
    assert!(f
        .store
        .active_relationships(partner, customer, Utc::now())
        .await
        .unwrap()
        .is_empty());

    // Both sides see it; nobody else does.
    for side in [partner, customer] {
        assert_eq!(
            f.store.relationships(side).await.unwrap(),
            vec![asked.clone()]
        );
        assert!(f
            .store
            .relationship(side, asked.id)
            .await
            .unwrap()
            .is_some());
    }
    assert!(f.store.relationships(stranger).await.unwrap().is_empty());
    assert!(f
        .store
        .relationship(stranger, asked.id)
        .await
        .unwrap()
        .is_none());

    let ends_at = Utc::now() + chrono::Duration::days(90);
    let approved = f
        .store
        .approve_relationship(customer, asked.id, &[GlobalReader], ends_at, &actor())
        .await
        .expect("approved");
    assert_eq!(
        approved.status_at(Utc::now()),
        Some(RelationshipStatus::Active)
    );
    assert_eq!(approved.granted(), vec![GlobalReader]);
    assert_eq!(approved.approved_by.as_deref(), Some("Test Administrator"));
    let active = f
        .store
        .active_relationships(partner, customer, Utc::now())
        .await
        .unwrap();
    assert_eq!(active, vec![approved.clone()]);
    // Past its end it is not active, without anything written.
    assert!(f
        .store
        .active_relationships(partner, customer, ends_at + chrono::Duration::seconds(1))
        .await
        .unwrap()
        .is_empty());
    // The other direction is another relationship, which does not exist.
    assert!(f
        .store
        .active_relationships(customer, partner, Utc::now())
        .await
        .unwrap()
        .is_empty());

    let ended = f
        .store
        .end_relationship(partner, asked.id, &actor())
        .await
        .expect("ended");
    assert_eq!(ended.status_at(Utc::now()), Some(RelationshipStatus::Ended));
    assert!(ended.ended_at.is_some());
    assert!(f
        .store
        .active_relationships(partner, customer, Utc::now())
        .await
        .unwrap()
        .is_empty());
    let again = f.store.end_relationship(customer, asked.id, &actor()).await;
    assert!(
        matches!(
            again,
            Err(StoreError::Rule {
                code: "RelationshipEnded",
                ..
            })
        ),
        "{again:?}"
    );
    let elsewhere = f.store.end_relationship(stranger, asked.id, &actor()).await;
    assert!(
        matches!(elsewhere, Err(StoreError::NotFound(_))),
        "{elsewhere:?}"
    );

    for side in [partner, customer] {
        let events = f.store.audit_events(side, None, 100).await.unwrap();
        assert_eq!(
            relationship_actions(&events, asked.id),
            [
                actions::RELATIONSHIP_ENDED,
                actions::RELATIONSHIP_APPROVED,
                actions::RELATIONSHIP_REQUESTED
            ]
        );
    }
    assert!(relationship_actions(
        &f.store.audit_events(stranger, None, 100).await.unwrap(),
        asked.id
    )
    .is_empty());
}

async fn approval_follows_the_rules_in_its_transaction(f: &Fixture) {
    use DirectoryRole::*;
    let partner = tenant(f, "Contoso").await;
    let customer = tenant(f, "Fabrikam").await;
    let own = f
        .store
        .request_relationship(
            NewRelationship {
                partner_tenant_id: partner,
                customer_tenant_id: partner,
                roles: vec![GlobalReader],
            },
            &actor(),
        )
        .await;
    assert!(
        matches!(
            own,
            Err(StoreError::Rule {
                code: "InvalidCustomer",
                ..
            })
        ),
        "{own:?}"
    );

    let asked = ask(f, partner, customer, &[GlobalReader]).await;
    let in_a_year = Utc::now() + chrono::Duration::days(365);
    let by_partner = f
        .store
        .approve_relationship(partner, asked.id, &[GlobalReader], in_a_year, &actor())
        .await;
    assert!(
        matches!(
            by_partner,
            Err(StoreError::Rule {
                code: "NotTheCustomer",
                ..
            })
        ),
        "{by_partner:?}"
    );
    let widened = f
        .store
        .approve_relationship(
            customer,
            asked.id,
            &[GlobalAdministrator],
            in_a_year,
            &actor(),
        )
        .await;
    assert!(
        matches!(
            widened,
            Err(StoreError::Rule {
                code: "RoleNotRequested",
                ..
            })
        ),
        "{widened:?}"
    );
    let too_long = f
        .store
        .approve_relationship(
            customer,
            asked.id,
            &[GlobalReader],
            Utc::now() + chrono::Duration::days(731),
            &actor(),
        )
        .await;
    assert!(
        matches!(
            too_long,
            Err(StoreError::Rule {
                code: "InvalidEndDate",
                ..
            })
        ),
        "{too_long:?}"
    );
    // Nothing was written by the refusals.
    let events = f.store.audit_events(customer, None, 100).await.unwrap();
    assert_eq!(
        relationship_actions(&events, asked.id),
        [actions::RELATIONSHIP_REQUESTED]
    );

    f.store
        .approve_relationship(customer, asked.id, &[GlobalReader], in_a_year, &actor())
        .await
        .unwrap();
    let twice = f
        .store
        .approve_relationship(customer, asked.id, &[GlobalReader], in_a_year, &actor())
        .await;
    assert!(
        matches!(
            twice,
            Err(StoreError::Rule {
                code: "RelationshipNotPending",
                kind: RuleKind::Conflict,
                ..
            })
        ),
        "{twice:?}"
    );
}

async fn what_a_partner_does_at_a_customer_is_in_both_logs(f: &Fixture) {
    let partner = tenant(f, "Contoso").await;
    let customer = tenant(f, "Fabrikam").await;
    let mut write = change(
        customer,
        Scope::Product,
        "CFQ7TTC0MM8R",
        PolicyValue::Disabled,
    );
    write.actor.partner_tenant_id = Some(partner);
    f.store.set_policy_value(write).await.unwrap();

    let at_customer = f.store.audit_events(customer, None, 100).await.unwrap();
    let event = at_customer
        .iter()
        .find(|e| e.action == actions::POLICY_VALUE_CHANGED)
        .expect("in the customer's log");
    assert_eq!(event.actor_tenant_id, Some(partner));
    assert_eq!(event.on_behalf_of_tenant_id, None);
    assert_eq!(
        f.store
            .policy_changes(customer, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    let at_partner = f.store.audit_events(partner, None, 100).await.unwrap();
    let copy = at_partner
        .iter()
        .find(|e| e.action == actions::POLICY_VALUE_CHANGED)
        .expect("in the partner's log");
    assert_eq!(copy.tenant_id, partner);
    assert_eq!(copy.on_behalf_of_tenant_id, Some(customer));
    assert_eq!(copy.target_id, "CFQ7TTC0MM8R");
    assert_eq!(copy.correlation_id, event.correlation_id);
    // The partner's own policy changes are its own only.
    assert!(f
        .store
        .policy_changes(partner, None, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn a_changed_relationship_is_announced(f: &Fixture) {
    let partner = tenant(f, "Contoso").await;
    let customer = tenant(f, "Fabrikam").await;
    let asked = ask(f, partner, customer, &[DirectoryRole::GlobalReader]).await;
    let replica = f.another().await;
    let mut notices = replica.subscribe_changes().expect("a change feed");
    assert_eq!(
        super::changes::next_notice(&mut notices, Duration::from_secs(10)).await,
        ChangeNotice::Resynchronize,
        "the first notice: listening has begun"
    );
    f.store
        .approve_relationship(
            customer,
            asked.id,
            &[DirectoryRole::GlobalReader],
            Utc::now() + chrono::Duration::days(30),
            &actor(),
        )
        .await
        .unwrap();
    assert_eq!(
        super::changes::next_change(&mut notices).await,
        ChangeNotice::Relationship { id: asked.id }
    );
    // Changed by hand, too.
    f.execute(&format!(
        "UPDATE delegated_admin_relationships SET status = 'ended' WHERE id = '{}'",
        asked.id
    ))
    .await
    .unwrap();
    assert_eq!(
        super::changes::next_change(&mut notices).await,
        ChangeNotice::Relationship { id: asked.id }
    );
}
