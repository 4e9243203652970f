//! How a token request names its tenant and how a client proves who it is: the rules the token endpoint and the
//! discovery document follow, without I/O.

use crate::{DomainName, TenantId};

/// What a `{tenant}` path segment names, before the store is asked about a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantSegment {
    /// `common` or `organizations`: any tenant, decided by who signs in.
    AnyTenant,
    /// A tenant ID.
    Id(TenantId),
    /// One of a tenant's domain names (`contoso.onmicrosoft.com`).
    Domain(DomainName),
}

/// A `{tenant}` segment that is none of the forms Entra accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a tenant: give the tenant ID (a GUID), one of its domain names (such as \
     contoso.onmicrosoft.com), 'organizations' or 'common'."
)]
pub struct NotATenant(pub String);

impl TenantSegment {
    pub fn parse(segment: &str) -> Result<TenantSegment, NotATenant> {
        if segment.eq_ignore_ascii_case("common") || segment.eq_ignore_ascii_case("organizations") {
            return Ok(TenantSegment::AnyTenant);
        }
        if let Ok(id) = segment.parse::<TenantId>() {
            return Ok(TenantSegment::Id(id));
        }
        DomainName::parse(segment)
            .map(TenantSegment::Domain)
            .map_err(|_| NotATenant(segment.to_string()))
    }
}

/// Whether the password grant is open to a tenant's users: the tenant's own choice when it made one, the
/// service's setting otherwise.
pub fn password_grant_allowed(service_setting: bool, tenant_choice: Option<bool>) -> bool {
    tenant_choice.unwrap_or(service_setting)
}

/// How the client of a token request authenticates (RFC 6749 section 2.3, RFC 7523 section 2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuthentication {
    /// `client_secret_basic` or `client_secret_post`.
    Secret { client_id: String, secret: String },
    /// `private_key_jwt`: a JWT signed with the key of one of the app's certificates.
    Assertion {
        client_id: String,
        assertion: String,
    },
    /// A public client: only its ID, if that.
    None { client_id: Option<String> },
}

/// The client credentials a request carries, where it carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PresentedClient<'a> {
    /// From `Authorization: Basic`, already decoded (`client_id`, `client_secret`).
    pub basic: Option<(String, String)>,
    pub client_id: Option<&'a str>,
    pub client_secret: Option<&'a str>,
    pub client_assertion_type: Option<&'a str>,
    pub client_assertion: Option<&'a str>,
}

/// The `client_assertion_type` of a JWT client assertion (RFC 7523 section 2.2).
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A request whose client authentication is ambiguous or incomplete (`invalid_request`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientAuthError {
    #[error(
        "The request authenticates the client more than one way ({0}); use exactly one: Authorization: Basic, \
         client_secret in the form, or client_assertion."
    )]
    SeveralMethods(&'static str),
    #[error(
        "The client_id of the form ('{form}') is not the one in the Authorization header ('{basic}'); send one \
         client."
    )]
    TwoClientIds { form: String, basic: String },
    #[error(
        "The client_assertion_type must be '{JWT_BEARER_ASSERTION}' with a client_assertion; it was '{0}'."
    )]
    AssertionType(String),
    #[error(
        "The request has a client_assertion_type but no client_assertion; send both or neither."
    )]
    AssertionTypeWithoutAssertion,
    #[error("A client_assertion needs the parameter 'client_id' (the app's client ID) beside it.")]
    AssertionWithoutClientId,
    #[error("The Authorization header is not 'Basic' followed by base64 of client_id:client_secret: {0}.")]
    BadBasicHeader(String),
}

/// Decides how the client authenticates, refusing a request that uses two methods or names two clients
/// (RFC 6749 section 2.3: a client must not use more than one authentication method per request).
pub fn client_authentication(
    presented: PresentedClient<'_>,
) -> Result<ClientAuthentication, ClientAuthError> {
    let nonempty = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_string);
    let form_id = nonempty(presented.client_id);
    let form_secret = nonempty(presented.client_secret);
    let assertion = nonempty(presented.client_assertion);
    let assertion_type = nonempty(presented.client_assertion_type);
    if let Some((basic_id, basic_secret)) = presented.basic {
        if form_secret.is_some() {
            return Err(ClientAuthError::SeveralMethods(
                "Authorization: Basic and client_secret",
            ));
        }
        if assertion.is_some() {
            return Err(ClientAuthError::SeveralMethods(
                "Authorization: Basic and client_assertion",
            ));
        }
        if let Some(form) = form_id {
            if form != basic_id {
                return Err(ClientAuthError::TwoClientIds {
                    form,
                    basic: basic_id,
                });
            }
        }
        return Ok(ClientAuthentication::Secret {
            client_id: basic_id,
            secret: basic_secret,
        });
    }
    if let Some(assertion) = assertion {
        if form_secret.is_some() {
            return Err(ClientAuthError::SeveralMethods(
                "client_secret and client_assertion",
            ));
        }
        match assertion_type.as_deref() {
            Some(JWT_BEARER_ASSERTION) => {}
            other => {
                return Err(ClientAuthError::AssertionType(
                    other.unwrap_or("(none)").to_string(),
                ))
            }
        }
        let client_id = form_id.ok_or(ClientAuthError::AssertionWithoutClientId)?;
        return Ok(ClientAuthentication::Assertion {
            client_id,
            assertion,
        });
    }
    if assertion_type.is_some() {
        return Err(ClientAuthError::AssertionTypeWithoutAssertion);
    }
    Ok(match (form_id, form_secret) {
        (Some(client_id), Some(secret)) => ClientAuthentication::Secret { client_id, secret },
        (client_id, _) => ClientAuthentication::None { client_id },
    })
}

/// Decodes `Authorization: Basic` of a token request: base64 of `client_id:client_secret`, each
/// form-urlencoded first (RFC 6749 section 2.3.1). `None` when the header is another scheme.
pub fn decode_basic_credentials(
    header: &str,
    base64_decoded: impl FnOnce(&str) -> Option<Vec<u8>>,
) -> Option<Result<(String, String), ClientAuthError>> {
    let (scheme, value) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bad = |why: &str| Some(Err(ClientAuthError::BadBasicHeader(why.to_string())));
    let Some(bytes) = base64_decoded(value.trim()) else {
        return bad("the credentials are not base64");
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return bad("the credentials are not UTF-8");
    };
    let Some((id, secret)) = text.split_once(':') else {
        return bad("there is no ':' between the client ID and the secret");
    };
    match (form_urldecode(id), form_urldecode(secret)) {
        (Some(id), Some(secret)) if !id.is_empty() => Some(Ok((id, secret))),
        (Some(_), Some(_)) => bad("the client ID is empty"),
        _ => bad("the client ID or secret is not form-urlencoded"),
    }
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a space, `%XX` a byte.
fn form_urldecode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(b) = input.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [input.next()?, input.next()?];
                let hex = std::str::from_utf8(&hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> Option<Vec<u8>> {
        // The tests give the decoded text itself, marked with a prefix, so that this crate needs no base64.
        text.strip_prefix("b64:").map(|t| t.as_bytes().to_vec())
    }

    #[test]
    fn a_tenant_segment_is_an_id_a_domain_or_any_tenant() {
        assert_eq!(TenantSegment::parse("common"), Ok(TenantSegment::AnyTenant));
        assert_eq!(
            TenantSegment::parse("Organizations"),
            Ok(TenantSegment::AnyTenant)
        );
        let id = TenantId::generate();
        assert_eq!(
            TenantSegment::parse(&id.to_string()),
            Ok(TenantSegment::Id(id))
        );
        assert!(matches!(
            TenantSegment::parse("Contoso.onmicrosoft.com"),
            Ok(TenantSegment::Domain(d)) if d.as_str() == "contoso.onmicrosoft.com"
        ));
        for bad in ["", "not a tenant", "a/b", "..", "-x-"] {
            assert!(TenantSegment::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_tenants_choice_overrides_the_services_password_setting() {
        assert!(password_grant_allowed(true, None));
        assert!(!password_grant_allowed(false, None));
        assert!(!password_grant_allowed(true, Some(false)));
        assert!(password_grant_allowed(false, Some(true)));
    }

    #[test]
    fn basic_or_post_but_not_both() {
        let basic = Some(("app".to_string(), "s3cret".to_string()));
        let secret = client_authentication(PresentedClient {
            basic: basic.clone(),
            client_id: Some("app"),
            ..Default::default()
        });
        assert_eq!(
            secret,
            Ok(ClientAuthentication::Secret {
                client_id: "app".into(),
                secret: "s3cret".into()
            })
        );
        assert!(matches!(
            client_authentication(PresentedClient {
                basic: basic.clone(),
                client_secret: Some("s3cret"),
                ..Default::default()
            }),
            Err(ClientAuthError::SeveralMethods(_))
        ));
        assert!(matches!(
            client_authentication(PresentedClient {
                basic: basic.clone(),
                client_id: Some("other"),
                ..Default::default()
            }),
            Err(ClientAuthError::TwoClientIds { .. })
        ));
        assert!(matches!(
            client_authentication(PresentedClient {
                basic,
                client_id: Some("app"),
                client_assertion: Some("x.y.z"),
                client_assertion_type: Some(JWT_BEARER_ASSERTION),
                ..Default::default()
            }),
            Err(ClientAuthError::SeveralMethods(_))
        ));
        assert_eq!(
            client_authentication(PresentedClient {
                client_id: Some("app"),
                client_secret: Some("s"),
                ..Default::default()
            }),
            Ok(ClientAuthentication::Secret {
                client_id: "app".into(),
                secret: "s".into()
            })
        );
        assert_eq!(
            client_authentication(PresentedClient {
                client_id: Some("app"),
                ..Default::default()
            }),
            Ok(ClientAuthentication::None {
                client_id: Some("app".into())
            })
        );
    }

    #[test]
    fn an_assertion_needs_its_type_and_client_and_no_secret() {
        let with =
            |kind: Option<&'static str>, id: Option<&'static str>, secret: Option<&'static str>| {
                client_authentication(PresentedClient {
                    client_id: id,
                    client_secret: secret,
                    client_assertion: Some("x.y.z"),
                    client_assertion_type: kind,
                    ..Default::default()
                })
            };
        assert_eq!(
            with(Some(JWT_BEARER_ASSERTION), Some("app"), None),
            Ok(ClientAuthentication::Assertion {
                client_id: "app".into(),
                assertion: "x.y.z".into()
            })
        );
        assert!(matches!(
            with(None, Some("app"), None),
            Err(ClientAuthError::AssertionType(_))
        ));
        assert!(matches!(
            with(Some("urn:other"), Some("app"), None),
            Err(ClientAuthError::AssertionType(_))
        ));
        assert_eq!(
            with(Some(JWT_BEARER_ASSERTION), None, None),
            Err(ClientAuthError::AssertionWithoutClientId)
        );
        assert!(matches!(
            with(Some(JWT_BEARER_ASSERTION), Some("app"), Some("s")),
            Err(ClientAuthError::SeveralMethods(_))
        ));
    }

    #[test]
    fn basic_credentials_are_form_urlencoded_inside_base64() {
        assert_eq!(
            decode_basic_credentials("Basic b64:my%20app:a%3Ab+c%25", b64),
            Some(Ok(("my app".to_string(), "a:b c%".to_string())))
        );
        assert_eq!(decode_basic_credentials("Bearer abc", b64), None);
        for bad in [
            "Basic notbase64",
            "Basic b64:nocolon",
            "Basic b64::secret",
            "Basic b64:a:%zz",
        ] {
            assert!(
                matches!(
                    decode_basic_credentials(bad, b64),
                    Some(Err(ClientAuthError::BadBasicHeader(_)))
                ),
                "{bad}"
            );
        }
    }
}
