//! The `{tenantId}` segment of the sign-in paths (`/{tenantId}/oauth2/v2.0/token`, the tenant's discovery document
//! and keys, and every other tenant-scoped sign-in endpoint), resolved the one way Entra does.

use axum::http::StatusCode;
use mscommerce_domain::{TenantId, TenantSegment};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The tenant a `{tenantId}` path segment names: a tenant ID or one of the tenant's domain names (`Some`), or
/// any tenant (`None`: `common`, `organizations`, or no segment). Every tenant-scoped endpoint resolves its segment
/// here. A tenant that does not exist is `invalid_request`, as Entra answers AADSTS90002.
pub(crate) async fn tenant_constraint(
    state: &AppState,
    tenant: Option<&str>,
) -> ApiResult<Option<TenantId>> {
    let Some(segment) = tenant else {
        return Ok(None);
    };
    let found = match TenantSegment::parse(segment)
        .map_err(|e| ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))?
    {
        TenantSegment::AnyTenant => return Ok(None),
        TenantSegment::Id(id) => state.store.tenant(id).await?.map(|t| t.id),
        TenantSegment::Domain(domain) => state.store.tenant_by_domain(domain.as_str()).await?,
    };
    found.map(Some).ok_or_else(|| {
        ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_request", format!(
            "Tenant '{segment}' not found: no organization here has this ID or domain name. Check the tenant ID \
             or domain name, or use 'organizations'."
        ))
    })
}
