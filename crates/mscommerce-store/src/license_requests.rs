//! License requests: members ask, admins answer once, everyone included is told; the organization's own request
//! process; answered requests deleted after their retention.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mscommerce_domain::TenantId;
use uuid::Uuid;

use crate::{records::*, StoreResult};

#[async_trait]
pub trait LicenseRequestStore {
    /// Records a request and its audit event. Fails with `Conflict` when the requester has an open request for
    /// the product (the database's unique index decides, also between two at once), with a rule error when a user
    /// is not a member of the tenant.
    async fn create_license_request(
        &self,
        request: NewLicenseRequest,
        actor: &AuditActor,
    ) -> StoreResult<LicenseRequest>;
    async fn license_request(
        &self,
        tenant_id: TenantId,
        id: Uuid,
    ) -> StoreResult<Option<LicenseRequest>>;
    /// Newest first, `page.limit` of them at most.
    async fn license_requests(
        &self,
        tenant_id: TenantId,
        page: RequestPage<'_>,
    ) -> StoreResult<Vec<LicenseRequest>>;
    /// Answers a pending request, once: the answer, the licenses of an approval (under the seat rules), the audit
    /// event and `messages` in one transaction. A request answered already (also by another answer at the same
    /// moment) fails with the rule `LicenseRequestAnswered` (409) and writes nothing.
    async fn answer_license_request(
        &self,
        answer: AnswerLicenseRequest,
        actor: &AuditActor,
        messages: Vec<NewMessage>,
    ) -> StoreResult<LicenseRequest>;
    /// Records that a request was shared with `recipients` (their sign-in names), with the emails.
    async fn share_license_request(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        recipients: &[String],
        actor: &AuditActor,
        messages: Vec<NewMessage>,
    ) -> StoreResult<()>;
    async fn request_process(&self, tenant_id: TenantId) -> StoreResult<RequestProcessSetting>;
    /// Sets the organization's request process, audited as a tenant setting.
    async fn set_request_process(
        &self,
        tenant_id: TenantId,
        process: RequestProcessSetting,
        actor: &AuditActor,
    ) -> StoreResult<RequestProcessSetting>;
    /// Deletes the requests answered before `before`; answers how many.
    async fn delete_answered_license_requests(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
