//! Reading the parts of a request that several handlers share: catalog targets, IDs in paths and bodies, billing,
//! quantity, acquisition kind, the conditional headers, cancellations. Each failure is the 4xx that says what is allowed.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use mscommerce_domain::subscription::{check_batch, check_quantity};
use mscommerce_domain::{
    check_cancellation, entity_tag, AcquisitionKind, BillingFrequency, CancellationReason, Catalog,
    PolicyTarget, Preconditions,
};
use mscommerce_domain::{SubscriptionId, UserId};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// A product by its current or old ID.
pub fn find_product<'c>(catalog: &'c Catalog, product_id: &str) -> ApiResult<PolicyTarget<'c>> {
    catalog
        .product(product_id)
        .map(PolicyTarget::Product)
        .ok_or_else(|| {
            ApiError::not_found(
                "ProductNotFound",
                format!(
                    "No product has the ID '{product_id}'. List the products and their IDs with \
                 GET /v1.0/policies/AllowSelfServicePurchase/products."
                ),
            )
        })
}

/// A third-party offer type by its ID.
pub fn find_offer_type<'c>(catalog: &'c Catalog, offer_type: &str) -> ApiResult<PolicyTarget<'c>> {
    catalog
        .offer_type(offer_type)
        .map(PolicyTarget::OfferType)
        .ok_or_else(|| {
            let known: Vec<_> = catalog
                .offer_types()
                .iter()
                .map(|o| o.id.as_str())
                .collect();
            ApiError::not_found(
                "OfferTypeNotFound",
                format!(
                    "No offer type has the ID '{offer_type}'. Offer types: {}.",
                    known.join(", ")
                ),
            )
        })
}

/// A product or an offer type named by one ID that may be either (license reports take both in one path).
pub fn find_product_or_offer_type<'c>(
    catalog: &'c Catalog,
    id: &str,
) -> ApiResult<PolicyTarget<'c>> {
    catalog
        .product(id)
        .map(PolicyTarget::Product)
        .or_else(|| catalog.offer_type(id).map(PolicyTarget::OfferType))
        .ok_or_else(|| {
            ApiError::not_found(
                "ProductNotFound",
                format!("No product or offer type has the ID '{id}'."),
            )
        })
}

/// A product or an offer type, named in a request by exactly one of `productId` and `offerType`.
pub fn resolve_target<'c>(
    catalog: &'c Catalog,
    product_id: Option<&str>,
    offer_type: Option<&str>,
) -> ApiResult<PolicyTarget<'c>> {
    match (product_id, offer_type) {
        (Some(id), None) => find_product(catalog, id),
        (None, Some(id)) => find_offer_type(catalog, id),
        _ => Err(ApiError::bad_request(
            "InvalidTarget",
            "Name exactly one of productId (a product) or offerType (a third-party offer type).",
        )),
    }
}

/// A GUID in the path, for a thing of this `kind` (`"subscription"`, `"user"`).
fn path_id<T: From<Uuid>>(text: &str, kind: &str) -> ApiResult<T> {
    Uuid::parse_str(text).map(T::from).map_err(|_| {
        ApiError::bad_request(
            "InvalidPathParameter",
            format!("'{text}' is not a {kind} ID (a GUID)."),
        )
    })
}

pub fn parse_subscription_id(text: &str) -> ApiResult<SubscriptionId> {
    path_id(text, "subscription")
}

pub fn parse_user_id(text: &str) -> ApiResult<UserId> {
    path_id(text, "user")
}

/// The users of one assign or unassign request: 1 to 20 GUIDs.
pub fn parse_user_ids(ids: &[String]) -> ApiResult<Vec<UserId>> {
    check_batch(ids.len()).map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    ids.iter()
        .map(|id| {
            id.parse::<UserId>().map_err(|_| {
                ApiError::bad_request(
                    "InvalidUserId",
                    format!("'{id}' is not a user ID (a GUID)."),
                )
            })
        })
        .collect()
}

/// `billingFrequency`, monthly when absent.
pub fn parse_billing(text: Option<&str>) -> ApiResult<BillingFrequency> {
    match text {
        None => Ok(BillingFrequency::Monthly),
        Some(t) => BillingFrequency::parse(t).ok_or_else(|| {
            ApiError::bad_request(
                "InvalidBillingFrequency",
                format!(
                    "billingFrequency '{t}' is not allowed: use {}.",
                    BillingFrequency::names()
                ),
            )
        }),
    }
}

/// `quantity`, 1 when absent.
pub fn parse_quantity(quantity: Option<i64>) -> ApiResult<i64> {
    let quantity = quantity.unwrap_or(1);
    check_quantity(quantity).map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    Ok(quantity)
}

/// How a product is acquired: required.
pub fn parse_kind(text: Option<&str>) -> ApiResult<AcquisitionKind> {
    let names = || AcquisitionKind::ALL.map(|k| k.as_str()).join(", ");
    match text {
        None => Err(ApiError::bad_request(
            "InvalidAcquisitionKind",
            format!(
                "Say how the product is acquired: acquisitionKind is one of {}.",
                names()
            ),
        )),
        Some(t) => AcquisitionKind::parse(t).ok_or_else(|| {
            ApiError::bad_request(
                "InvalidAcquisitionKind",
                format!("'{t}' is not an acquisition kind; use one of {}.", names()),
            )
        }),
    }
}

/// A cancellation's reason and comment, checked by the domain's rules.
pub fn parse_cancellation(
    reason: &str,
    comment: Option<&str>,
) -> ApiResult<(CancellationReason, Option<String>)> {
    check_cancellation(reason, comment).map_err(|e| ApiError::bad_request(e.code(), e.to_string()))
}

/// The request's `If-Match` and `If-None-Match`. A value that is not visible ASCII is kept as one that matches no
/// entity tag, so the request fails as a precondition instead of the header being ignored.
pub fn preconditions(headers: &HeaderMap) -> Preconditions {
    let text = |name| {
        headers
            .get(name)
            .map(|value: &HeaderValue| value.to_str().unwrap_or(""))
    };
    Preconditions::parse(text(header::IF_MATCH), text(header::IF_NONE_MATCH))
}

/// The version a change of a resource just read at `version` must be made from: the request's preconditions
/// are evaluated against it (the domain's one rule, `Preconditions::hold_for`), 412 when they fail. `None` when
/// the outcome does not depend on the version (no header, `If-Match: *`); otherwise `Some(version)`, which the
/// store checks again in its transaction, so a change that lands in between fails too.
pub fn expected_version(headers: &HeaderMap, version: i64) -> ApiResult<Option<i64>> {
    let preconditions = preconditions(headers);
    if !preconditions.hold_for(version) {
        return Err(precondition_failed(version));
    }
    Ok(preconditions.names_versions().then_some(version))
}

fn precondition_failed(version: i64) -> ApiError {
    ApiError::refused(
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailed",
        format!(
            "The resource does not hold what the request's If-Match or If-None-Match asks for: its current ETag is \
             {}. Read it again and retry (If-Match takes one or more strong ETags, or *).",
            entity_tag(version)
        ),
    )
}
