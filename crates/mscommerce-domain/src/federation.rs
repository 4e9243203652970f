//! External identity providers a tenant trusts (Entra ID, or any OpenID Connect issuer): what a trust says, and
//! how the claims of a token they sign become a user or an app here.
//!
//! Signatures and key fetching are the auth crate's; this module decides what a verified token means: which claim
//! names the person, which gives their sign-in name, whether they are a guest, and which roles they hold (from
//! Entra's `wids`, from a groups claim through a table, or only as assigned here).

use crate::access::{AppPermission, DirectoryRole};

/// The longest issuer URL, audience or claim name accepted: longer ones are mistakes, not configuration.
pub const MAX_SETTING_CHARS: usize = 2048;
/// At most this many audiences and group mappings per trusted issuer.
pub const MAX_AUDIENCES: usize = 10;
pub const MAX_GROUP_ROLES: usize = 100;
/// The provider's name on the sign-in button ("Sign in with {button}").
pub const MAX_BUTTON_CHARS: usize = 64;
/// A client secret at a provider (Entra ID's are 40 characters).
pub const MAX_CLIENT_SECRET_CHARS: usize = 1024;

/// The claim that names a person for good. Entra's `oid` is the user's object ID in its tenant, the same for
/// every app; `sub` is what any OpenID Connect issuer gives (in Entra, different per app).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserClaim {
    Oid,
    Sub,
}

impl UserClaim {
    pub const ALL: [UserClaim; 2] = [UserClaim::Oid, UserClaim::Sub];

    pub fn as_str(self) -> &'static str {
        match self {
            UserClaim::Oid => "oid",
            UserClaim::Sub => "sub",
        }
    }

    pub fn parse(text: &str) -> Option<UserClaim> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// The claim that gives a person's sign-in name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameClaim {
    Upn,
    PreferredUsername,
    Email,
}

impl NameClaim {
    pub const ALL: [NameClaim; 3] = [
        NameClaim::Upn,
        NameClaim::PreferredUsername,
        NameClaim::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NameClaim::Upn => "upn",
            NameClaim::PreferredUsername => "preferred_username",
            NameClaim::Email => "email",
        }
    }

    pub fn parse(text: &str) -> Option<NameClaim> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Where a person's directory roles come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSource {
    /// Entra's `wids` claim: role template IDs, as this service's own tokens carry them.
    Wids,
    /// A groups claim, through the trust's table of group to role.
    Groups,
    /// The roles assigned here (REST, the command line); the token's are ignored. A user signing in for the first
    /// time holds none.
    Directory,
}

impl RoleSource {
    pub const ALL: [RoleSource; 3] = [RoleSource::Wids, RoleSource::Groups, RoleSource::Directory];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleSource::Wids => "wids",
            RoleSource::Groups => "groups",
            RoleSource::Directory => "directory",
        }
    }

    pub fn parse(text: &str) -> Option<RoleSource> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// One row of a trust's group table: members of `group` (as the groups claim names it) hold `role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRole {
    pub group: String,
    pub role: DirectoryRole,
}

/// How a trusted issuer's claims map to a user here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMapping {
    pub user_claim: UserClaim,
    pub name_claim: NameClaim,
    pub role_source: RoleSource,
    /// The claim that lists a person's groups (`groups` in Entra and most providers).
    pub groups_claim: String,
    pub group_roles: Vec<GroupRole>,
}

impl Default for ClaimMapping {
    /// Entra's claims: `oid`, `upn`, roles from `wids`.
    fn default() -> Self {
        ClaimMapping {
            user_claim: UserClaim::Oid,
            name_claim: NameClaim::Upn,
            role_source: RoleSource::Wids,
            groups_claim: "groups".into(),
            group_roles: Vec::new(),
        }
    }
}

/// Why a trust cannot be stored as given. Each has a stable code and a sentence that says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustRuleError {
    #[error(
        "'{0}' is not an issuer URL this service can trust: it must be an https:// URL (http:// only on \
         loopback: localhost, 127.0.0.1, [::1]) without query or fragment, exactly as the issuer's tokens carry \
         it in 'iss' (for Entra ID: https://login.microsoftonline.com/{{tenantId}}/v2.0)."
    )]
    InvalidIssuer(String),
    #[error(
        "A trusted issuer needs between 1 and {MAX_AUDIENCES} audiences: the 'aud' its tokens for this service \
         carry (for Entra ID the resource aeb86249-8ea3-49e2-900b-54cc8e308f85, or your app registration's \
         Application ID URI)."
    )]
    AudienceCount,
    #[error("The audience '{0}' is empty, too long or contains spaces or control characters.")]
    InvalidAudience(String),
    #[error(
        "The external tenant ID '{0}' is empty, too long or contains spaces: give the 'tid' the issuer's tokens \
         carry (a GUID for Entra ID), or leave it out."
    )]
    InvalidExternalTenant(String),
    #[error("The claim name '{0}' is empty, too long or contains spaces or control characters.")]
    InvalidClaimName(String),
    #[error(
        "The role '{0}' is not a directory role. Allowed: GlobalAdministrator, BillingAdministrator, \
         GlobalReader, LicenseAdministrator, UserAdministrator, or their template IDs."
    )]
    UnknownRole(String),
    #[error("At most {MAX_GROUP_ROLES} group mappings, each with a non-empty group of at most {MAX_SETTING_CHARS} characters.")]
    InvalidGroupRoles,
    #[error("The display name must be between 1 and 256 characters.")]
    InvalidDisplayName,
    #[error(
        "The client ID '{0}' is empty, too long or contains spaces or control characters: give the ID this \
         service has at the provider (Entra ID: the app registration's Application (client) ID)."
    )]
    InvalidSignInClient(String),
    #[error(
        "The button text must be between 1 and {MAX_BUTTON_CHARS} characters without control characters: the \
         provider's name people recognise, shown as \"Sign in with {{button}}\"."
    )]
    InvalidButton,
    #[error(
        "The client secret must be between 1 and {MAX_CLIENT_SECRET_CHARS} characters without spaces at its ends \
         or control characters; leave it out for a public client."
    )]
    InvalidClientSecret,
}

impl TrustRuleError {
    pub fn code(&self) -> &'static str {
        match self {
            TrustRuleError::InvalidIssuer(_) => "InvalidIssuer",
            TrustRuleError::AudienceCount | TrustRuleError::InvalidAudience(_) => "InvalidAudience",
            TrustRuleError::InvalidExternalTenant(_) => "InvalidExternalTenant",
            TrustRuleError::InvalidClaimName(_) => "InvalidClaimName",
            TrustRuleError::UnknownRole(_) => "UnknownRole",
            TrustRuleError::InvalidGroupRoles => "InvalidGroupRoles",
            TrustRuleError::InvalidDisplayName => "InvalidDisplayName",
            TrustRuleError::InvalidSignInClient(_) => "InvalidClientId",
            TrustRuleError::InvalidButton => "InvalidButton",
            TrustRuleError::InvalidClientSecret => "InvalidClientSecret",
        }
    }
}

fn is_plain_token(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= MAX_SETTING_CHARS
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Checks an issuer URL and answers it as it must be compared: byte for byte, as OpenID Connect compares `iss`
/// (a trailing slash is part of it). https everywhere; http only on loopback, where a test or a local provider
/// runs.
pub fn check_issuer_url(text: &str) -> Result<String, TrustRuleError> {
    let invalid = || TrustRuleError::InvalidIssuer(text.to_string());
    let issuer = text.trim();
    if !is_plain_token(issuer) || issuer.contains(['?', '#']) {
        return Err(invalid());
    }
    let rest = if let Some(rest) = issuer.strip_prefix("https://") {
        rest
    } else if let Some(rest) = issuer.strip_prefix("http://") {
        let host = rest.split(['/']).next().unwrap_or("");
        let host = match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        };
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return Err(invalid());
        }
        rest
    } else {
        return Err(invalid());
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err(invalid());
    }
    Ok(issuer.to_string())
}

/// Checks the audiences, trimmed, without duplicates.
pub fn check_audiences(audiences: &[String]) -> Result<Vec<String>, TrustRuleError> {
    let mut checked: Vec<String> = Vec::new();
    for audience in audiences {
        let audience = audience.trim();
        if !is_plain_token(audience) {
            return Err(TrustRuleError::InvalidAudience(audience.to_string()));
        }
        if !checked.iter().any(|a| a == audience) {
            checked.push(audience.to_string());
        }
    }
    if checked.is_empty() || checked.len() > MAX_AUDIENCES {
        return Err(TrustRuleError::AudienceCount);
    }
    Ok(checked)
}

pub fn check_external_tenant(text: &str) -> Result<String, TrustRuleError> {
    let tid = text.trim();
    if !is_plain_token(tid) {
        return Err(TrustRuleError::InvalidExternalTenant(text.to_string()));
    }
    Ok(tid.to_string())
}

pub fn check_claim_name(text: &str) -> Result<String, TrustRuleError> {
    let name = text.trim();
    if !is_plain_token(name) {
        return Err(TrustRuleError::InvalidClaimName(text.to_string()));
    }
    Ok(name.to_string())
}

pub fn check_display_name(text: &str) -> Result<String, TrustRuleError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 256 || name.chars().any(char::is_control) {
        return Err(TrustRuleError::InvalidDisplayName);
    }
    Ok(name.to_string())
}

/// The service's client ID at a provider, as its ID tokens name it in `aud`.
pub fn check_sign_in_client_id(text: &str) -> Result<String, TrustRuleError> {
    let client_id = text.trim();
    if !is_plain_token(client_id) {
        return Err(TrustRuleError::InvalidSignInClient(text.to_string()));
    }
    Ok(client_id.to_string())
}

/// The provider's name on the sign-in button, trimmed.
pub fn check_button(text: &str) -> Result<String, TrustRuleError> {
    let button = text.trim();
    if button.is_empty()
        || button.chars().count() > MAX_BUTTON_CHARS
        || button.chars().any(char::is_control)
    {
        return Err(TrustRuleError::InvalidButton);
    }
    Ok(button.to_string())
}

/// A client secret as given: never trimmed (a provider compares it byte for byte), so one with spaces at its ends
/// is refused rather than silently changed.
pub fn check_client_secret(text: &str) -> Result<&str, TrustRuleError> {
    if text.is_empty()
        || text.trim() != text
        || text.chars().count() > MAX_CLIENT_SECRET_CHARS
        || text.chars().any(char::is_control)
    {
        return Err(TrustRuleError::InvalidClientSecret);
    }
    Ok(text)
}

/// Reads a group table given as (group, role name or template ID) pairs.
pub fn check_group_roles(pairs: &[(String, String)]) -> Result<Vec<GroupRole>, TrustRuleError> {
    if pairs.len() > MAX_GROUP_ROLES {
        return Err(TrustRuleError::InvalidGroupRoles);
    }
    pairs
        .iter()
        .map(|(group, role)| {
            let group = group.trim();
            if group.is_empty()
                || group.chars().count() > MAX_SETTING_CHARS
                || group.chars().any(char::is_control)
            {
                return Err(TrustRuleError::InvalidGroupRoles);
            }
            let role = DirectoryRole::parse(role)
                .ok_or_else(|| TrustRuleError::UnknownRole(role.clone()))?;
            Ok(GroupRole {
                group: group.to_string(),
                role,
            })
        })
        .collect()
}

/// The claims of a verified token, however they are held.
pub trait ClaimSource {
    /// A claim that is a string (a number is given as its decimal text).
    fn text(&self, name: &str) -> Option<String>;
    /// A claim that is a list of strings, or one string; empty when absent.
    fn texts(&self, name: &str) -> Vec<String>;
}

/// Who a verified token of a trusted issuer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalIdentity {
    User {
        /// The value of the mapping's user claim: the person, for good.
        subject: String,
        upn: String,
        display_name: String,
        is_guest: bool,
        /// The roles the token maps to; `None` when the trust keeps roles here ([`RoleSource::Directory`]).
        roles: Option<Vec<DirectoryRole>>,
    },
    App {
        /// `appid` (Entra), `azp` or `client_id` (RFC 9068).
        client_id: String,
        display_name: String,
        permissions: Vec<AppPermission>,
    },
}

/// Why a verified token names no one this service can admit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the token has no '{0}' claim, which this issuer's trust names people by")]
    MissingSubject(&'static str),
    #[error("the token has none of the claims upn, preferred_username and email, which give a sign-in name")]
    MissingName,
    #[error("the token's claim '{0}' is longer than {MAX_SETTING_CHARS} characters")]
    TooLong(&'static str),
}

/// The app's client ID in a token: Entra's `appid` (v1) or `azp` (v2), or RFC 9068's `client_id`.
fn client_id_of(claims: &dyn ClaimSource) -> Option<String> {
    ["appid", "azp", "client_id"]
        .iter()
        .find_map(|name| claims.text(name))
}

/// Whether a token is an app's own (client credentials) rather than a person's: Entra marks it `idtyp: app`;
/// RFC 9068 gives it the client's ID as `sub`; an Entra app token without that optional claim carries `roles` and
/// neither delegated scopes (`scp`) nor a sign-in name.
fn is_app_token(claims: &dyn ClaimSource) -> bool {
    if claims.text("idtyp").as_deref() == Some("app") {
        return true;
    }
    let client = client_id_of(claims);
    if client.is_some() && client == claims.text("sub") {
        return true;
    }
    claims.text("scp").is_none()
        && !claims.texts("roles").is_empty()
        && NameClaim::ALL
            .iter()
            .all(|c| claims.text(c.as_str()).is_none())
}

/// Reads who a verified token names, by the trust's mapping. A person's sign-in name is the mapping's claim, else
/// the first of `upn`, `preferred_username`, `email` the token has (Entra gives guests no `upn`). A guest is
/// marked by Entra's `acct: 1` or an `#EXT#` sign-in name.
pub fn identify(
    mapping: &ClaimMapping,
    claims: &dyn ClaimSource,
) -> Result<ExternalIdentity, IdentityError> {
    let bounded = |name: &'static str, value: String| {
        if value.chars().count() > MAX_SETTING_CHARS {
            Err(IdentityError::TooLong(name))
        } else {
            Ok(value)
        }
    };
    if is_app_token(claims) {
        let client_id = client_id_of(claims)
            .or_else(|| claims.text("sub"))
            .ok_or(IdentityError::MissingSubject("sub"))?;
        let client_id = bounded("client_id", client_id)?;
        return Ok(ExternalIdentity::App {
            display_name: claims
                .text("app_displayname")
                .map(|n| bounded("app_displayname", n))
                .transpose()?
                .unwrap_or_else(|| client_id.clone()),
            client_id,
            permissions: claims
                .texts("roles")
                .iter()
                .filter_map(|r| AppPermission::parse(r))
                .collect(),
        });
    }
    let user_claim = mapping.user_claim.as_str();
    let subject = claims
        .text(user_claim)
        .filter(|s| !s.is_empty())
        .ok_or(IdentityError::MissingSubject(user_claim))?;
    let subject = bounded(user_claim, subject)?;
    let upn = std::iter::once(mapping.name_claim)
        .chain(NameClaim::ALL)
        .find_map(|c| claims.text(c.as_str()).filter(|v| !v.trim().is_empty()))
        .ok_or(IdentityError::MissingName)?;
    let upn = bounded("upn", upn.trim().to_lowercase())?;
    let display_name = claims
        .text("name")
        .filter(|n| !n.trim().is_empty())
        .map(|n| bounded("name", n.trim().to_string()))
        .transpose()?
        .unwrap_or_else(|| upn.clone());
    let is_guest = claims.text("acct").as_deref() == Some("1") || upn.contains("#ext#");
    Ok(ExternalIdentity::User {
        subject,
        upn,
        display_name,
        is_guest,
        roles: mapped_roles(mapping, claims),
    })
}

/// The roles a person's token maps to, in the matrix's order, without duplicates; `None` when roles are kept here.
pub fn mapped_roles(
    mapping: &ClaimMapping,
    claims: &dyn ClaimSource,
) -> Option<Vec<DirectoryRole>> {
    let held: Vec<DirectoryRole> = match mapping.role_source {
        RoleSource::Directory => return None,
        RoleSource::Wids => claims
            .texts("wids")
            .iter()
            .filter_map(|id| DirectoryRole::parse(id))
            .collect(),
        RoleSource::Groups => {
            let groups = claims.texts(&mapping.groups_claim);
            mapping
                .group_roles
                .iter()
                .filter(|row| groups.iter().any(|g| g == &row.group))
                .map(|row| row.role)
                .collect()
        }
    };
    Some(
        DirectoryRole::ALL
            .into_iter()
            .filter(|role| held.contains(role))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Claims(HashMap<&'static str, Vec<&'static str>>);

    impl ClaimSource for Claims {
        fn text(&self, name: &str) -> Option<String> {
            self.0
                .get(name)
                .and_then(|v| v.first())
                .map(|s| s.to_string())
        }
        fn texts(&self, name: &str) -> Vec<String> {
            self.0
                .get(name)
                .map(|v| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        }
    }

    fn claims(pairs: &[(&'static str, &[&'static str])]) -> Claims {
        Claims(pairs.iter().map(|(k, v)| (*k, v.to_vec())).collect())
    }

    #[test]
    fn issuer_urls_are_https_or_loopback_http() {
        for good in [
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
            "https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/",
            "http://127.0.0.1:4000",
            "http://localhost/realms/x",
        ] {
            assert_eq!(check_issuer_url(good).unwrap(), good);
        }
        for bad in [
            "http://example.com",
            "ftp://x",
            "https://",
            "https://a b",
            "https://x/?q",
            "https://x/#f",
            "http://127.0.0.1.example.com",
            "https://user@host",
            "",
        ] {
            assert!(check_issuer_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_entra_user_token_maps_oid_upn_and_wids() {
        let token = claims(&[
            ("oid", &["b5b8a0b1-0000-4000-8000-000000000001"]),
            ("sub", &["pairwise"]),
            ("upn", &["Alice@Contoso.com"]),
            ("name", &["Alice"]),
            ("scp", &["user_impersonation"]),
            (
                "wids",
                &[
                    "b0f54661-2d74-4c50-afa3-1ec803f12efe",
                    "b79fbf4d-3ef9-4689-8143-76b194e85509",
                ],
            ),
        ]);
        assert_eq!(
            identify(&ClaimMapping::default(), &token).unwrap(),
            ExternalIdentity::User {
                subject: "b5b8a0b1-0000-4000-8000-000000000001".into(),
                upn: "alice@contoso.com".into(),
                display_name: "Alice".into(),
                is_guest: false,
                roles: Some(vec![DirectoryRole::BillingAdministrator]),
            }
        );
    }

    #[test]
    fn groups_map_through_the_table_and_directory_roles_ignore_the_token() {
        let mut mapping = ClaimMapping {
            user_claim: UserClaim::Sub,
            name_claim: NameClaim::PreferredUsername,
            role_source: RoleSource::Groups,
            groups_claim: "groups".into(),
            group_roles: check_group_roles(&[
                ("billing".into(), "BillingAdministrator".into()),
                ("readers".into(), "Global Reader".into()),
            ])
            .unwrap(),
        };
        let token = claims(&[
            ("sub", &["alice"]),
            ("preferred_username", &["alice@example.org"]),
            ("groups", &["readers", "other"]),
            ("wids", &["62e90394-69f5-4237-9190-012177145e10"]),
        ]);
        match identify(&mapping, &token).unwrap() {
            ExternalIdentity::User { roles, subject, .. } => {
                assert_eq!(subject, "alice");
                assert_eq!(roles, Some(vec![DirectoryRole::GlobalReader]));
            }
            other => panic!("{other:?}"),
        }
        mapping.role_source = RoleSource::Directory;
        assert!(matches!(
            identify(&mapping, &token).unwrap(),
            ExternalIdentity::User { roles: None, .. }
        ));
    }

    #[test]
    fn guests_and_missing_claims() {
        let guest = claims(&[
            ("oid", &["x"]),
            ("email", &["bob@fabrikam.com"]),
            ("acct", &["1"]),
        ]);
        assert!(matches!(
            identify(&ClaimMapping::default(), &guest).unwrap(),
            ExternalIdentity::User { is_guest: true, ref upn, .. } if upn == "bob@fabrikam.com"
        ));
        let nameless = claims(&[("oid", &["x"]), ("scp", &["a"])]);
        assert_eq!(
            identify(&ClaimMapping::default(), &nameless),
            Err(IdentityError::MissingName)
        );
        let no_oid = claims(&[("sub", &["x"]), ("upn", &["a@b"])]);
        assert_eq!(
            identify(&ClaimMapping::default(), &no_oid),
            Err(IdentityError::MissingSubject("oid"))
        );
    }

    #[test]
    fn app_tokens_are_recognised_three_ways() {
        let rfc9068 = claims(&[
            ("sub", &["automation"]),
            ("client_id", &["automation"]),
            ("roles", &["Policy.Read.AllowSelfServicePurchase", "Other"]),
        ]);
        assert_eq!(
            identify(&ClaimMapping::default(), &rfc9068).unwrap(),
            ExternalIdentity::App {
                client_id: "automation".into(),
                display_name: "automation".into(),
                permissions: vec![AppPermission::PolicyRead],
            }
        );
        let entra = claims(&[
            ("oid", &["sp"]),
            ("sub", &["sp"]),
            ("appid", &["11111111-1111-4111-8111-111111111111"]),
            ("roles", &["Policy.ReadWrite.AllowSelfServicePurchase"]),
        ]);
        assert!(matches!(
            identify(&ClaimMapping::default(), &entra).unwrap(),
            ExternalIdentity::App { ref client_id, .. } if client_id == "11111111-1111-4111-8111-111111111111"
        ));
        let marked = claims(&[("idtyp", &["app"]), ("azp", &["c"]), ("sub", &["s"])]);
        assert!(matches!(
            identify(&ClaimMapping::default(), &marked).unwrap(),
            ExternalIdentity::App { .. }
        ));
    }

    #[test]
    fn a_sign_in_setting_is_checked_and_a_secret_is_kept_as_given() {
        assert_eq!(check_sign_in_client_id(" portal ").unwrap(), "portal");
        assert_eq!(
            check_sign_in_client_id("two words").unwrap_err().code(),
            "InvalidClientId"
        );
        assert_eq!(check_button(" Contoso ID ").unwrap(), "Contoso ID");
        assert!(check_button("").is_err());
        assert!(check_button(&"x".repeat(MAX_BUTTON_CHARS + 1)).is_err());
        assert!(check_button("a\nb").is_err());
        assert_eq!(check_client_secret("s3cr~t.value").unwrap(), "s3cr~t.value");
        assert_eq!(
            check_client_secret(" padded").unwrap_err(),
            TrustRuleError::InvalidClientSecret
        );
        assert!(check_client_secret("").is_err());
        assert!(check_client_secret(&"x".repeat(MAX_CLIENT_SECRET_CHARS + 1)).is_err());
    }
}
