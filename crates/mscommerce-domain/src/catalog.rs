//! The product and offer-type catalog: a data file in the repository (`catalog/catalog.toml`), checked when loaded.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::policy::PolicyTarget;

/// The catalog shipped in the binary, from `catalog/catalog.toml`.
pub const EMBEDDED_CATALOG: &str = include_str!("../../../catalog/catalog.toml");

/// An amount in minor units (cents) of a currency. Integer, so that prices add up exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money {
    pub minor_units: i64,
}

impl Money {
    /// Parses `"16.80"` or `"16"`: digits, optionally a point and one or two more digits.
    pub fn parse(text: &str) -> Option<Money> {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) if digits(fraction) => (whole, fraction),
            Some(_) => return None,
            None => (text, ""),
        };
        if !digits(whole) || fraction.len() > 2 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
        whole
            .checked_mul(100)?
            .checked_add(cents)
            .map(|minor_units| Money { minor_units })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:02}",
            self.minor_units / 100,
            self.minor_units % 100
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Position in the catalog: a compact key for per-product state (the policy cache).
    pub slot: usize,
    /// The current product ID, as answers carry it.
    pub id: String,
    /// IDs issued before the current one; they resolve to this product.
    pub old_ids: Vec<String>,
    pub name: String,
    /// Whether a trial without a payment method exists, and so whether `OnlyTrialsWithoutPaymentMethod` applies.
    pub trial_without_payment_method: bool,
    /// Whether the product can only be tried, never bought, through self-service.
    pub trials_only: bool,
    pub monthly_price: Money,
    pub annual_price: Money,
    pub currency: String,
    pub trial_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferType {
    /// Position in the catalog's offer types.
    pub slot: usize,
    pub id: String,
    pub name: String,
}

/// The whole catalog with a case-insensitive index of every current and old ID.
#[derive(Debug, Clone)]
pub struct Catalog {
    products: Vec<Product>,
    offer_types: Vec<OfferType>,
    product_index: HashMap<String, usize>,
    offer_type_index: HashMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("the catalog is not valid TOML of the expected shape: {0}")]
    Syntax(String),
    #[error("catalog entry '{entry}': {problem}")]
    Entry { entry: String, problem: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    product: Vec<ProductEntry>,
    #[serde(default)]
    offer_type: Vec<OfferTypeEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductEntry {
    id: String,
    #[serde(default)]
    old_ids: Vec<String>,
    name: String,
    trial_without_payment_method: bool,
    #[serde(default)]
    trials_only: bool,
    monthly_price: String,
    annual_price: String,
    currency: String,
    trial_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferTypeEntry {
    id: String,
    name: String,
}

fn entry_error(entry: &str, problem: impl Into<String>) -> CatalogError {
    CatalogError::Entry {
        entry: entry.to_string(),
        problem: problem.into(),
    }
}

/// Looks `id` up in an index keyed by upper-case IDs. Catalog lookups sit on the policy read path, so this
/// upper-cases into a stack buffer instead of allocating.
fn find_ignoring_case(index: &HashMap<String, usize>, id: &str) -> Option<usize> {
    let mut buffer = [0u8; 64];
    let bytes = id.as_bytes();
    if bytes.len() > buffer.len() {
        return None; // longer than any ID in a catalog
    }
    let upper = &mut buffer[..bytes.len()];
    upper.copy_from_slice(bytes);
    upper.make_ascii_uppercase();
    std::str::from_utf8(upper)
        .ok()
        .and_then(|key| index.get(key).copied())
}

/// Product IDs are 12 characters, letters and digits (`CFQ7TTC0H9MP`).
fn is_product_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Catalog {
    /// The catalog compiled into the binary. It is checked by the unit tests, so this cannot fail at run time.
    pub fn embedded() -> Catalog {
        Catalog::parse(EMBEDDED_CATALOG).expect("the embedded catalog is checked by the unit tests")
    }

    /// Parses and checks a catalog file: IDs well formed and unique (old IDs included, ignoring case), names
    /// present, prices well formed, a three-letter currency, a trial length.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile =
            toml::from_str(text).map_err(|e| CatalogError::Syntax(e.to_string()))?;
        let mut product_index = HashMap::new();
        let mut products = Vec::with_capacity(file.product.len());
        for entry in file.product {
            let product = Self::check_product(entry, products.len())?;
            for id in std::iter::once(&product.id).chain(&product.old_ids) {
                if product_index
                    .insert(id.to_ascii_uppercase(), products.len())
                    .is_some()
                {
                    return Err(entry_error(id, "this product ID appears more than once"));
                }
            }
            products.push(product);
        }
        if products.is_empty() {
            return Err(CatalogError::Syntax(
                "the catalog lists no [[product]]".into(),
            ));
        }
        let mut offer_type_index = HashMap::new();
        let mut offer_types = Vec::with_capacity(file.offer_type.len());
        for entry in file.offer_type {
            if entry.id.trim().is_empty() || entry.name.trim().is_empty() {
                return Err(entry_error(
                    &entry.id,
                    "an offer type needs an id and a name",
                ));
            }
            if entry.id.len() > 64 || !entry.id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(entry_error(
                    &entry.id,
                    "an offer type ID is 1 to 64 letters and digits",
                ));
            }
            if offer_type_index
                .insert(entry.id.to_ascii_uppercase(), offer_types.len())
                .is_some()
            {
                return Err(entry_error(
                    &entry.id,
                    "this offer type appears more than once",
                ));
            }
            offer_types.push(OfferType {
                slot: offer_types.len(),
                id: entry.id,
                name: entry.name,
            });
        }
        Ok(Catalog {
            products,
            offer_types,
            product_index,
            offer_type_index,
        })
    }

    fn check_product(entry: ProductEntry, slot: usize) -> Result<Product, CatalogError> {
        let id = &entry.id;
        for candidate in std::iter::once(id).chain(&entry.old_ids) {
            if !is_product_id(candidate) {
                return Err(entry_error(
                    id,
                    format!("'{candidate}' is not a 12-character product ID"),
                ));
            }
        }
        if entry.name.trim().is_empty() {
            return Err(entry_error(id, "the name is empty"));
        }
        let price = |field: &str, text: &str| {
            Money::parse(text).ok_or_else(|| {
                entry_error(
                    id,
                    format!("{field} '{text}' is not an amount such as \"16.80\""),
                )
            })
        };
        let monthly_price = price("monthly_price", &entry.monthly_price)?;
        let annual_price = price("annual_price", &entry.annual_price)?;
        if entry.currency.len() != 3 || !entry.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(entry_error(
                id,
                "currency must be a three-letter ISO 4217 code such as USD",
            ));
        }
        if entry.trial_days == 0 {
            return Err(entry_error(id, "trial_days must be at least 1"));
        }
        Ok(Product {
            slot,
            id: entry.id.to_ascii_uppercase(),
            old_ids: entry
                .old_ids
                .iter()
                .map(|s| s.to_ascii_uppercase())
                .collect(),
            name: entry.name,
            trial_without_payment_method: entry.trial_without_payment_method,
            trials_only: entry.trials_only,
            monthly_price,
            annual_price,
            currency: entry.currency,
            trial_days: entry.trial_days,
        })
    }

    /// Every product, in catalog order.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// Every offer type, in catalog order.
    pub fn offer_types(&self) -> &[OfferType] {
        &self.offer_types
    }

    /// Finds a product by its current or an old ID, ignoring case.
    pub fn product(&self, id: &str) -> Option<&Product> {
        find_ignoring_case(&self.product_index, id).map(|i| &self.products[i])
    }

    /// Finds an offer type by ID, ignoring case.
    pub fn offer_type(&self, id: &str) -> Option<&OfferType> {
        find_ignoring_case(&self.offer_type_index, id).map(|i| &self.offer_types[i])
    }

    /// Resolves a stored (scope, canonical id) pair back to its catalog entry.
    pub fn target(&self, scope: crate::Scope, id: &str) -> Option<PolicyTarget<'_>> {
        match scope {
            crate::Scope::Product => self.product(id).map(PolicyTarget::Product),
            crate::Scope::OfferType => self.offer_type(id).map(PolicyTarget::OfferType),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_is_valid_and_complete() {
        let catalog = Catalog::parse(EMBEDDED_CATALOG).unwrap();
        assert_eq!(catalog.products().len(), 25);
        assert_eq!(catalog.offer_types().len(), 4);
        let power_bi = catalog.product("CFQ7TTC0H9MP").unwrap();
        assert_eq!(power_bi.name, "Power BI Pro");
        assert!(!power_bi.trial_without_payment_method);
        assert_eq!(power_bi.monthly_price.to_string(), "16.80");
        assert!(
            catalog
                .product("CFQ7TTC0HDB1")
                .unwrap()
                .trial_without_payment_method
        );
    }

    #[test]
    fn old_ids_and_any_case_resolve_to_the_current_product() {
        let catalog = Catalog::embedded();
        assert_eq!(catalog.product("CFQ7TTC0L3PB").unwrap().id, "CFQ7TTC0H9MP");
        assert_eq!(catalog.product("cfq7ttc0h9mp").unwrap().id, "CFQ7TTC0H9MP");
        assert_eq!(
            catalog.product("cfq7ttc0kp0p").unwrap().name,
            "Power Apps per user"
        );
        assert!(catalog.product("CFQ7TTC0XXXX").is_none());
        assert_eq!(
            catalog.offer_type("powerbivisuals").unwrap().id,
            "POWERBIVISUALS"
        );
    }

    #[test]
    fn bad_entries_are_named() {
        let duplicate = r#"
            [[product]]
            id = "AAAAAAAAAAAA"
            name = "One"
            trial_without_payment_method = false
            monthly_price = "1.00"
            annual_price = "10.00"
            currency = "USD"
            trial_days = 30
            [[product]]
            id = "BBBBBBBBBBBB"
            old_ids = ["aaaaaaaaaaaa"]
            name = "Two"
            trial_without_payment_method = false
            monthly_price = "1.00"
            annual_price = "10.00"
            currency = "USD"
            trial_days = 30
        "#;
        let err = Catalog::parse(duplicate).unwrap_err().to_string();
        assert!(
            err.contains("AAAAAAAAAAAA") && err.contains("more than once"),
            "{err}"
        );

        let bad_price = duplicate.replacen("\"1.00\"", "\"1.005\"", 1);
        let err = Catalog::parse(&bad_price).unwrap_err().to_string();
        assert!(err.contains("monthly_price '1.005'"), "{err}");

        let err = Catalog::parse("[[product]]\nid = 1").unwrap_err();
        assert!(matches!(err, CatalogError::Syntax(_)));
    }

    #[test]
    fn money_parses_exactly() {
        assert_eq!(Money::parse("16.8").unwrap().minor_units, 1680);
        assert_eq!(Money::parse("16").unwrap().minor_units, 1600);
        assert_eq!(Money::parse("0.05").unwrap().to_string(), "0.05");
        for bad in ["", ".5", "1.", "1.234", "-1", "1,00", "abc"] {
            assert!(Money::parse(bad).is_none(), "{bad}");
        }
    }
}
