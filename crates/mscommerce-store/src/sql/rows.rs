//! Rows read back into records. Every column is read by name, and a value this version cannot read is
//! `StoreError::Corrupt`.

use chrono::{DateTime, Utc};
use mscommerce_domain::{
    AcquisitionKind, BillingFrequency, DomainName, PurchaseType, Scope, SubscriptionStatus,
};
use sqlx::Row;

use super::Db;
use crate::records::*;
use crate::text::{corrupt, parse_timestamp, parse_uuid, split_list};
use crate::StoreResult;

pub(super) type DbRow = <Db as sqlx::Database>::Row;

/// The columns that [`subscription`] reads: the subscription and its purchaser's names.
pub(super) const SUBSCRIPTION_SELECT: &str =
    "SELECT s.*, p.upn AS purchaser_upn, p.display_name AS purchaser_name \
     FROM subscriptions s LEFT JOIN users p ON p.id = s.purchaser_id";

/// A GUID column, as the ID type its caller expects.
fn id_column<T: From<uuid::Uuid>>(row: &DbRow, name: &str) -> StoreResult<T> {
    parse_uuid(&row.try_get::<String, _>(name)?).map(T::from)
}

fn time_column(row: &DbRow, name: &str) -> StoreResult<DateTime<Utc>> {
    parse_timestamp(&row.try_get::<String, _>(name)?)
}

fn optional_time_column(row: &DbRow, name: &str) -> StoreResult<Option<DateTime<Utc>>> {
    row.try_get::<Option<String>, _>(name)?
        .as_deref()
        .map(parse_timestamp)
        .transpose()
}

pub(super) fn tenant(row: &DbRow) -> StoreResult<Tenant> {
    Ok(Tenant {
        id: id_column(row, "id")?,
        name: row.try_get("name")?,
        created_at: time_column(row, "created_at")?,
    })
}

pub(super) fn tenant_domain(row: &DbRow) -> StoreResult<TenantDomain> {
    let domain = row.try_get::<String, _>("domain")?;
    Ok(TenantDomain {
        domain: DomainName::parse(&domain).map_err(|_| corrupt("a domain name", &domain))?,
        tenant_id: id_column(row, "tenant_id")?,
        is_initial: row.try_get("is_initial")?,
        created_at: time_column(row, "created_at")?,
    })
}

pub(super) fn user(row: &DbRow) -> StoreResult<User> {
    let user_type = row.try_get::<String, _>("user_type")?;
    let user_type =
        UserType::parse(&user_type).ok_or_else(|| corrupt("a user type", &user_type))?;
    Ok(User {
        id: id_column(row, "id")?,
        tenant_id: id_column(row, "tenant_id")?,
        upn: row.try_get("upn")?,
        display_name: row.try_get("display_name")?,
        user_type,
        account_enabled: row.try_get("account_enabled")?,
        password_hash: row.try_get("password_hash")?,
        roles: split_list(&row.try_get::<String, _>("roles")?),
        created_at: time_column(row, "created_at")?,
    })
}

/// A user's ID and names, from the columns `{prefix}id`, `{prefix}upn` and `{prefix}display_name`.
pub(super) fn user_ref(row: &DbRow, prefix: &str) -> StoreResult<UserRef> {
    Ok(UserRef {
        id: id_column(row, &format!("{prefix}id"))?,
        upn: row.try_get(format!("{prefix}upn").as_str())?,
        display_name: row.try_get(format!("{prefix}display_name").as_str())?,
    })
}

pub(super) fn app(row: &DbRow) -> StoreResult<App> {
    Ok(App {
        client_id: id_column(row, "client_id")?,
        object_id: id_column(row, "object_id")?,
        tenant_id: id_column(row, "tenant_id")?,
        display_name: row.try_get("display_name")?,
        secret_hash: row.try_get("secret_hash")?,
        permissions: split_list(&row.try_get::<String, _>("permissions")?),
        created_at: time_column(row, "created_at")?,
    })
}

pub(super) fn signing_key(row: &DbRow) -> StoreResult<SigningKeyRecord> {
    Ok(SigningKeyRecord {
        kid: row.try_get("kid")?,
        algorithm: row.try_get("algorithm")?,
        private_key: row.try_get("private_key")?,
        public_key: row.try_get("public_key")?,
        created_at: time_column(row, "created_at")?,
        activates_at: time_column(row, "activates_at")?,
    })
}

pub(super) fn audit_event(row: &DbRow) -> StoreResult<AuditEvent> {
    Ok(AuditEvent {
        id: row.try_get("id")?,
        tenant_id: id_column(row, "tenant_id")?,
        occurred_at: time_column(row, "occurred_at")?,
        action: row.try_get("action")?,
        actor_id: row.try_get("actor_id")?,
        actor_name: row.try_get("actor_name")?,
        actor_type: row.try_get("actor_type")?,
        correlation_id: row.try_get("correlation_id")?,
        target_type: row.try_get("target_type")?,
        target_id: row.try_get("target_id")?,
        target_name: row.try_get("target_name")?,
        policy_id: row.try_get("policy_id")?,
        old_value: row.try_get("old_value")?,
        new_value: row.try_get("new_value")?,
        actor_tenant_id: optional_id_column(row, "actor_tenant_id")?,
        on_behalf_of_tenant_id: optional_id_column(row, "on_behalf_of_tenant_id")?,
    })
}

fn optional_id_column<T: From<uuid::Uuid>>(row: &DbRow, name: &str) -> StoreResult<Option<T>> {
    row.try_get::<Option<String>, _>(name)?
        .as_deref()
        .map(|id| parse_uuid(id).map(T::from))
        .transpose()
}

/// A row of `delegated_admin_relationships` joined with both tenants' names (`partner_name`, `customer_name`).
pub(super) fn relationship(row: &DbRow) -> StoreResult<DelegatedAdminRelationship> {
    Ok(DelegatedAdminRelationship {
        id: id_column(row, "id")?,
        partner_tenant_id: id_column(row, "partner_tenant_id")?,
        partner_name: row.try_get("partner_name")?,
        customer_tenant_id: id_column(row, "customer_tenant_id")?,
        customer_name: row.try_get("customer_name")?,
        status: row.try_get("status")?,
        requested_roles: split_list(&row.try_get::<String, _>("requested_roles")?),
        granted_roles: split_list(&row.try_get::<String, _>("granted_roles")?),
        requested_at: time_column(row, "requested_at")?,
        requested_by: row.try_get("requested_by")?,
        approved_at: optional_time_column(row, "approved_at")?,
        approved_by: row.try_get("approved_by")?,
        ends_at: optional_time_column(row, "ends_at")?,
        ended_at: optional_time_column(row, "ended_at")?,
        ended_by: row.try_get("ended_by")?,
    })
}

/// A row of [`SUBSCRIPTION_SELECT`].
pub(super) fn subscription(row: &DbRow) -> StoreResult<Subscription> {
    let text = |name: &str| row.try_get::<String, _>(name);
    let scope = text("target_scope")?;
    let purchase_type = text("purchase_type")?;
    let kind = text("acquisition_kind")?;
    let billing = text("billing_frequency")?;
    let status = text("status")?;
    let purchaser = match row.try_get::<Option<String>, _>("purchaser_id")? {
        Some(id) => Some(UserRef {
            id: parse_uuid(&id)?.into(),
            upn: row
                .try_get::<Option<String>, _>("purchaser_upn")?
                .unwrap_or_default(),
            display_name: row
                .try_get::<Option<String>, _>("purchaser_name")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Subscription {
        id: id_column(row, "id")?,
        tenant_id: id_column(row, "tenant_id")?,
        target_scope: Scope::parse(&scope).ok_or_else(|| corrupt("a scope", &scope))?,
        target_id: text("target_id")?,
        target_name: text("target_name")?,
        purchase_type: PurchaseType::parse(&purchase_type)
            .ok_or_else(|| corrupt("a purchase type", &purchase_type))?,
        acquisition_kind: AcquisitionKind::parse(&kind)
            .ok_or_else(|| corrupt("an acquisition kind", &kind))?,
        purchaser,
        quantity: row.try_get("quantity")?,
        assigned_count: row.try_get("assigned_count")?,
        unit_price_minor: row.try_get("unit_price_minor")?,
        currency: text("currency")?,
        billing_frequency: BillingFrequency::parse(&billing)
            .ok_or_else(|| corrupt("a billing frequency", &billing))?,
        created_at: time_column(row, "created_at")?,
        expires_at: time_column(row, "expires_at")?,
        auto_renew: row.try_get("auto_renew")?,
        status: SubscriptionStatus::parse(&status).ok_or_else(|| corrupt("a status", &status))?,
        cancellation_reason: row.try_get("cancellation_reason")?,
        cancellation_comment: row.try_get("cancellation_comment")?,
        cancelled_at: optional_time_column(row, "cancelled_at")?,
        billing_anchor: optional_time_column(row, "billing_anchor")?,
        version: row.try_get("version")?,
    })
}

pub(super) fn message(row: &DbRow) -> StoreResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        message_id: row.try_get("message_id")?,
        tenant_id: id_column(row, "tenant_id")?,
        kind: row.try_get("kind")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body_text: row.try_get("body_text")?,
        body_html: row.try_get("body_html")?,
        created_at: time_column(row, "created_at")?,
        attempts: row.try_get("attempts")?,
    })
}

pub(super) fn app_certificate(row: &DbRow) -> StoreResult<AppCertificate> {
    use base64::Engine;
    let der = row.try_get::<String, _>("certificate")?;
    Ok(AppCertificate {
        key_id: id_column(row, "key_id")?,
        client_id: id_column(row, "client_id")?,
        thumbprint_sha1: row.try_get("thumbprint_sha1")?,
        thumbprint_sha256: row.try_get("thumbprint_sha256")?,
        der: base64::engine::general_purpose::STANDARD
            .decode(&der)
            .map_err(|_| corrupt("a base64 certificate", &der))?,
        not_before: time_column(row, "not_before")?,
        not_after: time_column(row, "not_after")?,
        display_name: row.try_get("display_name")?,
        added_at: time_column(row, "added_at")?,
    })
}

pub(super) fn authorization_code(row: &DbRow) -> StoreResult<AuthorizationCode> {
    Ok(AuthorizationCode {
        digest: row.try_get("digest")?,
        client_id: row.try_get("client_id")?,
        redirect_uri: row.try_get("redirect_uri")?,
        tenant_id: id_column(row, "tenant_id")?,
        user_id: id_column(row, "user_id")?,
        scope: row.try_get("scope")?,
        nonce: row.try_get("nonce")?,
        code_challenge: row.try_get("code_challenge")?,
        expires_at: time_column(row, "expires_at")?,
    })
}

pub(super) fn device_code(row: &DbRow) -> StoreResult<DeviceCode> {
    let status = row.try_get::<String, _>("status")?;
    Ok(DeviceCode {
        digest: row.try_get("digest")?,
        user_code: row.try_get("user_code")?,
        client_id: row.try_get("client_id")?,
        tenant_id: row
            .try_get::<Option<String>, _>("tenant_id")?
            .map(|t| parse_uuid(&t).map(Into::into))
            .transpose()?,
        scope: row.try_get("scope")?,
        status: mscommerce_domain::grants::DeviceCodeStatus::parse(&status)
            .ok_or_else(|| corrupt("a device code status", &status))?,
        user_id: row
            .try_get::<Option<String>, _>("user_id")?
            .map(|u| parse_uuid(&u).map(Into::into))
            .transpose()?,
        interval_seconds: row.try_get("interval_seconds")?,
        last_polled_at: optional_time_column(row, "last_polled_at")?,
        expires_at: time_column(row, "expires_at")?,
    })
}

pub(super) fn refresh_token(row: &DbRow) -> StoreResult<RefreshToken> {
    Ok(RefreshToken {
        digest: row.try_get("digest")?,
        family_id: id_column(row, "family_id")?,
        client_id: row.try_get("client_id")?,
        tenant_id: id_column(row, "tenant_id")?,
        user_id: id_column(row, "user_id")?,
        scope: row.try_get("scope")?,
        expires_at: time_column(row, "expires_at")?,
        spent_at: optional_time_column(row, "spent_at")?,
        revoked_at: optional_time_column(row, "revoked_at")?,
    })
}
