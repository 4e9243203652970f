//! A tenant's domains, and the rule that a user's sign-in name is in one of them.
//!
//! As in Entra ID, a domain belongs to one tenant, and a user's sign-in name must be in one of its own tenant's
//! domains. Sign-in names are unique across tenants, so without this rule one tenant could take a name in another
//! tenant's domain, and learn from the refusal which names exist elsewhere. With it, a taken name can only be
//! taken in the caller's own tenant.

use std::fmt;

/// The suffix of the domain every tenant is given when it is created.
pub const INITIAL_DOMAIN_SUFFIX: &str = "onmicrosoft.com";
/// The longest DNS name (RFC 1035, in its text form without the final dot).
pub const MAX_DOMAIN_LENGTH: usize = 253;
/// The longest label of a DNS name.
pub const MAX_LABEL_LENGTH: usize = 63;
/// The longest initial label taken from a tenant's name: room is left for the number appended when it is taken.
const MAX_INITIAL_LABEL_BASE: usize = 50;
/// The initial label of a tenant whose name has no ASCII letter or digit.
const FALLBACK_INITIAL_LABEL: &str = "tenant";

/// A valid DNS name, lowercase: domains are compared without case, so each is kept in one spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

/// Why a text is not a domain name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainNameError {
    #[error("'{0}' is not a domain name: it is longer than 253 characters.")]
    TooLong(String),
    #[error("'{0}' is not a domain name: a domain has at least two labels separated by dots, as in contoso.com.")]
    OneLabel(String),
    #[error(
        "'{0}' is not a domain name: each label between dots has 1 to 63 letters (a-z), digits and hyphens, \
         and neither begins nor ends with a hyphen."
    )]
    BadLabel(String),
}

impl DomainNameError {
    pub fn code(&self) -> &'static str {
        "InvalidDomainName"
    }
}

impl DomainName {
    /// Checks a DNS name (labels of ASCII letters, digits and inner hyphens; internationalized names in their
    /// `xn--` form) and keeps it lowercase.
    pub fn parse(text: &str) -> Result<DomainName, DomainNameError> {
        if text.len() > MAX_DOMAIN_LENGTH {
            return Err(DomainNameError::TooLong(shortened(text)));
        }
        let valid_label = |label: &str| {
            (1..=MAX_LABEL_LENGTH).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if !text.split('.').all(valid_label) {
            return Err(DomainNameError::BadLabel(text.to_string()));
        }
        if !text.contains('.') {
            return Err(DomainNameError::OneLabel(text.to_string()));
        }
        Ok(DomainName(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain of a sign-in name (after its `@`), when that is a domain name.
    pub fn of_upn(upn: &str) -> Option<DomainName> {
        let (name, domain) = upn.split_once('@')?;
        if name.is_empty() {
            return None;
        }
        DomainName::parse(domain).ok()
    }

    /// The initial domains a tenant of this name may get, best first: `<name>.onmicrosoft.com` (lowercase,
    /// letters and digits only), then with 2, 3, ... appended, for when the first ones are taken.
    pub fn initial_candidates(tenant_name: &str) -> impl Iterator<Item = DomainName> {
        let mut base: String = tenant_name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .take(MAX_INITIAL_LABEL_BASE)
            .collect();
        if base.is_empty() {
            base = FALLBACK_INITIAL_LABEL.to_string();
        }
        (1u32..).map(move |n| {
            let label = if n == 1 {
                base.clone()
            } else {
                format!("{base}{n}")
            };
            DomainName(format!("{label}.{INITIAL_DOMAIN_SUFFIX}"))
        })
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A long text cut for an error message, so that the message stays readable.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

/// A sign-in name outside its tenant's domains.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The sign-in name '{upn}' is not in a domain of this organization. Its domains are: {}. \
     A Global Administrator can add a domain to the organization.",
    .domains.join(", ")
)]
pub struct UpnDomainNotInTenant {
    pub upn: String,
    /// The tenant's own domains, which the message lists (never another tenant's).
    pub domains: Vec<String>,
}

impl UpnDomainNotInTenant {
    pub fn code(&self) -> &'static str {
        "UpnDomainNotInTenant"
    }
}

/// The rule: a user's sign-in name is in one of its tenant's domains (compared without case).
pub fn check_upn_domain(
    upn: &str,
    tenant_domains: &[DomainName],
) -> Result<(), UpnDomainNotInTenant> {
    let in_tenant = DomainName::of_upn(upn).is_some_and(|domain| tenant_domains.contains(&domain));
    if in_tenant {
        return Ok(());
    }
    Err(UpnDomainNotInTenant {
        upn: upn.to_string(),
        domains: tenant_domains.iter().map(|d| d.0.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(text: &str) -> DomainName {
        DomainName::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn domain_names_are_dns_names_kept_lowercase() {
        assert_eq!(domain("Contoso.COM").as_str(), "contoso.com");
        assert_eq!(domain("a-b.xn--p1ai").as_str(), "a-b.xn--p1ai");
        let longest_label = "a".repeat(63);
        domain(&format!("{longest_label}.com"));
        let four_labels_of_63 = [longest_label.as_str(); 4].join(".");
        assert_eq!(four_labels_of_63.len(), 255);
        assert!(matches!(
            DomainName::parse(&four_labels_of_63),
            Err(DomainNameError::TooLong(_))
        ));
        domain(&four_labels_of_63[2..]);
        for bad in [
            "",
            "contoso",
            "contoso.",
            ".contoso.com",
            "contoso..com",
            "-contoso.com",
            "contoso-.com",
            "con toso.com",
            "con_toso.com",
            "contoso.com/x",
            "bücher.de",
            "x@contoso.com",
            &format!("{}a.com", "a".repeat(63)),
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?}");
        }
        let message = DomainName::parse("con_toso.com").unwrap_err().to_string();
        assert!(message.contains("1 to 63 letters"), "{message}");
    }

    #[test]
    fn initial_domains_are_made_of_the_tenant_name() {
        let first = |name: &str| -> Vec<String> {
            DomainName::initial_candidates(name)
                .take(3)
                .map(|d| d.0)
                .collect()
        };
        assert_eq!(
            first("Contoso"),
            [
                "contoso.onmicrosoft.com",
                "contoso2.onmicrosoft.com",
                "contoso3.onmicrosoft.com"
            ]
        );
        assert_eq!(first("Fabrikam, Inc.")[0], "fabrikaminc.onmicrosoft.com");
        assert_eq!(first("Ünïcode GmbH")[0], "ncodegmbh.onmicrosoft.com");
        assert_eq!(first("株式会社")[0], "tenant.onmicrosoft.com");
        // Every candidate is itself a valid domain, also for a very long name.
        for candidate in DomainName::initial_candidates(&"x".repeat(500)).take(1000) {
            domain(candidate.as_str());
        }
    }

    #[test]
    fn a_sign_in_name_must_be_in_a_domain_of_its_tenant() {
        let domains = [domain("contoso.onmicrosoft.com"), domain("contoso.com")];
        assert_eq!(check_upn_domain("ann@contoso.com", &domains), Ok(()));
        assert_eq!(
            check_upn_domain("Ann@Contoso.OnMicrosoft.com", &domains),
            Ok(())
        );
        for outside in [
            "ann@fabrikam.com",
            "ann@sub.contoso.com",
            "ann@contoso.com.evil.test",
            "@contoso.com",
            "ann",
            "ann@x@contoso.com",
        ] {
            let refusal = check_upn_domain(outside, &domains).unwrap_err();
            assert_eq!(refusal.code(), "UpnDomainNotInTenant");
            assert!(
                refusal
                    .to_string()
                    .contains("Its domains are: contoso.onmicrosoft.com, contoso.com."),
                "{refusal}"
            );
        }
    }
}
