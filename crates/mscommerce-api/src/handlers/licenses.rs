//! Who holds the organization's self-service licenses: per product, grouped by purchaser; and the export of the
//! users of chosen subscriptions as CSV.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mscommerce_domain::Operation;
use mscommerce_domain::SubscriptionId;
use mscommerce_store::{ExportRow, LicenseHolder, StoreResult};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Caller, JsonBody, PathParams};
use crate::request::find_product_or_offer_type;
use crate::state::AppState;
use crate::views::licenses::{
    ExportRequest, LicensedUser, ProductLicenseHolders, ProductLicensesList, ProductLicensesView,
    PurchaserGroup,
};
use crate::views::subscriptions::UserSummary;

/// Self-service licenses per product: each product listed once.
#[utoipa::path(
    get,
    path = "/v1.0/licenses/products",
    tag = "licenses",
    security(("bearer" = [])),
    responses((status = 200, body = ProductLicensesList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn products(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<ProductLicensesList>> {
    caller.require(Operation::ReadLicenses)?;
    let totals = state
        .store
        .product_licenses(caller.principal.tenant_id)
        .await?;
    let items = totals
        .into_iter()
        .map(|t| ProductLicensesView {
            product_id: t.target_id,
            product_name: t.target_name,
            scope: t.target_scope.as_str().to_string(),
            subscription_count: t.subscription_count,
            available_quantity: t.available_quantity,
            assigned_count: t.assigned_count,
        })
        .collect();
    Ok(Json(ProductLicensesList { items }))
}

fn group_by_purchaser(holders: Vec<LicenseHolder>) -> Vec<PurchaserGroup> {
    let mut groups: Vec<PurchaserGroup> = Vec::new();
    // The store answers ordered by purchaser, so a group ends where the purchaser changes.
    for holder in holders {
        let user = LicensedUser {
            id: holder.user.id.to_string(),
            display_name: holder.user.display_name,
            user_principal_name: holder.user.upn,
            subscription_id: holder.subscription_id.to_string(),
            assigned_at: holder.assigned_at.into(),
        };
        match groups.last_mut() {
            Some(group) if group.purchaser.id == holder.purchaser.id.to_string() => {
                group.users.push(user)
            }
            _ => groups.push(PurchaserGroup {
                purchaser: UserSummary {
                    id: holder.purchaser.id.to_string(),
                    display_name: holder.purchaser.display_name,
                    user_principal_name: holder.purchaser.upn,
                },
                users: vec![user],
            }),
        }
    }
    groups
}

/// One product's self-service licenses and who holds them, grouped by purchaser.
#[utoipa::path(
    get,
    path = "/v1.0/licenses/products/{productId}",
    tag = "licenses",
    security(("bearer" = [])),
    params(("productId" = String, Path, description = "Product ID (current or old) or offer-type ID")),
    responses((status = 200, body = ProductLicenseHolders), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn product_holders(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(product_id): PathParams<String>,
) -> ApiResult<Json<ProductLicenseHolders>> {
    caller.require(Operation::ReadLicenses)?;
    let target = find_product_or_offer_type(&state.catalog, &product_id)?;
    let tenant_id = caller.principal.tenant_id;
    let totals = state.store.product_licenses(tenant_id).await?;
    let total = totals.iter().find(|t| t.target_id == target.id());
    let holders = state.store.license_holders(tenant_id, target.id()).await?;
    Ok(Json(ProductLicenseHolders {
        summary: ProductLicensesView {
            product_id: target.id().to_string(),
            product_name: target.name().to_string(),
            scope: target.scope().as_str().to_string(),
            subscription_count: total.map_or(0, |t| t.subscription_count),
            available_quantity: total.map_or(0, |t| t.available_quantity),
            assigned_count: total.map_or(0, |t| t.assigned_count),
        },
        purchasers: group_by_purchaser(holders),
    }))
}

pub const EXPORT_HEADER: &str =
    "displayName,userPrincipalName,productName,subscriptionId,purchaser,assignedAt\r\n";
const MAX_EXPORT_SUBSCRIPTIONS: usize = 1000;
/// Rows are sent in chunks of about this size: fewer, larger writes, and still constant memory.
const CHUNK_BYTES: usize = 64 * 1024;

/// One CSV field (RFC 4180). A field that a spreadsheet would run as a formula is prefixed with `'`.
fn csv_field(out: &mut String, value: &str) {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || value.contains([',', '"', '\n', '\r']);
    if !quote {
        out.push_str(value);
        return;
    }
    out.push('"');
    if formula {
        out.push('\'');
    }
    out.push_str(&value.replace('"', "\"\""));
    out.push('"');
}

pub fn csv_row(out: &mut String, row: &ExportRow) {
    for (i, value) in [
        &row.display_name,
        &row.upn,
        &row.product_name,
        &row.subscription_id,
        &row.purchaser,
        &row.assigned_at,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, value);
    }
    out.push_str("\r\n");
}

/// Export the users who hold licenses of chosen subscriptions, as CSV, streamed.
#[utoipa::path(
    post,
    path = "/v1.0/subscriptions/exportUsers",
    tag = "licenses",
    security(("bearer" = [])),
    request_body = ExportRequest,
    responses(
        (status = 200, description = "CSV: displayName,userPrincipalName,productName,subscriptionId,purchaser,assignedAt", content_type = "text/csv"),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn export_users(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<ExportRequest>,
) -> ApiResult<Response> {
    caller.require(Operation::ReadLicenses)?;
    let tenant_id = caller.principal.tenant_id;
    let ids = match request.subscription_ids {
        None => None,
        Some(texts) => {
            if texts.is_empty() || texts.len() > MAX_EXPORT_SUBSCRIPTIONS {
                return Err(ApiError::bad_request(
                    "InvalidSubscriptionIds",
                    format!("Give 1 to {MAX_EXPORT_SUBSCRIPTIONS} subscription IDs, or none for every self-service subscription."),
                ));
            }
            let mut ids = Vec::with_capacity(texts.len());
            for text in texts {
                let id = text.parse::<SubscriptionId>().map_err(|_| {
                    ApiError::bad_request(
                        "InvalidSubscriptionIds",
                        format!("'{text}' is not a subscription ID (a GUID)."),
                    )
                })?;
                if state.store.subscription(tenant_id, id).await?.is_none() {
                    return Err(ApiError::not_found(
                        "SubscriptionNotFound",
                        format!("No subscription of this organization has the ID {id}."),
                    ));
                }
                ids.push(id);
            }
            Some(ids)
        }
    };
    let rows = state.store.export_assignments(tenant_id, ids);
    let header = futures_util::stream::once(async {
        Ok::<Bytes, std::io::Error>(Bytes::from_static(EXPORT_HEADER.as_bytes()))
    });
    let body = futures_util::stream::unfold(rows, |mut rows| async move {
        let first = rows.recv().await?;
        let mut chunk = String::with_capacity(CHUNK_BYTES + 512);
        let push = |row: StoreResult<ExportRow>, chunk: &mut String| match row {
            Ok(row) => {
                csv_row(chunk, &row);
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "export failed part-way; the answer is cut short");
                Err(std::io::Error::other(e.to_string()))
            }
        };
        if let Err(e) = push(first, &mut chunk) {
            return Some((Err(e), rows));
        }
        while chunk.len() < CHUNK_BYTES {
            match rows.try_recv() {
                Ok(row) => {
                    if let Err(e) = push(row, &mut chunk) {
                        return Some((Err(e), rows));
                    }
                }
                Err(_) => break,
            }
        }
        Some((Ok(Bytes::from(chunk)), rows))
    });
    let mut response =
        Body::from_stream(futures_util::StreamExt::chain(header, body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"license-users.csv\""),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let row = ExportRow {
            display_name: "Doe, \"Jo\"".into(),
            upn: "jo@contoso.test".into(),
            product_name: "=HYPERLINK(\"x\")".into(),
            subscription_id: "s".into(),
            purchaser: String::new(),
            assigned_at: "2026-11-25T07:00:00.000Z".into(),
        };
        let mut out = String::new();
        csv_row(&mut out, &row);
        assert_eq!(
            out,
            "\"Doe, \"\"Jo\"\"\",jo@contoso.test,\"'=HYPERLINK(\"\"x\"\")\",s,,2026-11-25T07:00:00.000Z\r\n"
        );
    }
}
