//! The rules of the sign-in grants a person completes in a browser: which clients may ask (and where their answers
//! may go), the scopes they may ask for, the user codes of the device authorization grant (RFC 8628) and how fast
//! a device may poll.

/// The public client of Microsoft's MSCommerce PowerShell module: it exists in every tenant, built in.
pub const MSCOMMERCE_MODULE_CLIENT_ID: &str = "3d5cffa9-04da-4657-8cab-c7f074657cad";

/// The redirect URI Microsoft's module registers.
const MODULE_REDIRECT_URI: &str = "http://localhost/m365/commerce";

/// The admin console served by this service: a client of its own issuer, built in like the module.
pub const CONSOLE_CLIENT_ID: &str = "9f3b6c1e-2d4a-4e8b-a7c5-5e1f0d2b3a64";

/// Where the console's sign-in answer goes, after the service's public URL: the console's only redirect URI.
pub const CONSOLE_REDIRECT_PATH: &str = "/console/signin/callback";

/// Defaults of the three lifetimes (configurable).
pub const AUTHORIZATION_CODE_LIFETIME_SECONDS: u64 = 300;
pub const DEVICE_CODE_LIFETIME_SECONDS: u64 = 900;
pub const REFRESH_TOKEN_LIFETIME_DAYS: u64 = 90;

/// The poll interval a device is told to keep (RFC 8628 section 3.2), and what each `slow_down` adds to it
/// (section 3.5).
pub const DEVICE_POLL_INTERVAL_SECONDS: i64 = 5;
pub const SLOW_DOWN_STEP_SECONDS: i64 = 5;

/// The scopes that OpenID Connect and the libraries add, which shape the answer rather than grant access.
pub const OPENID: &str = "openid";
pub const OFFLINE_ACCESS: &str = "offline_access";

/// A client that may run the browser and device sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicClient {
    pub client_id: &'static str,
    /// The console (a web app of this service) rather than the module (a native app).
    console: bool,
}

/// The clients that may use the authorization endpoint (and, the module only, the device authorization grant):
/// the built-in client of Microsoft's module and this service's console. App registrations (client secrets and
/// certificates) sign in unattended only.
pub fn public_client(client_id: &str) -> Option<PublicClient> {
    [
        (MSCOMMERCE_MODULE_CLIENT_ID, false),
        (CONSOLE_CLIENT_ID, true),
    ]
    .into_iter()
    .find(|(id, _)| client_id.eq_ignore_ascii_case(id))
    .map(|(client_id, console)| PublicClient { client_id, console })
}

impl PublicClient {
    /// Whether this is the console.
    pub fn is_console(&self) -> bool {
        self.console
    }

    /// The device authorization grant is for devices without a browser: the module's, never the console's.
    pub fn allows_device_code(&self) -> bool {
        !self.console
    }

    /// Whether the client registered `redirect_uri`. The console: exactly its callback under `public_url` (the
    /// service's public URL). The module: its own URI, or a loopback address over plain HTTP with any port and any
    /// path (RFC 8252 section 7.3: a native app listens on a port it picks at run time). `localhost` counts as
    /// loopback too, as the module and MSAL use it. Nothing else: no other host, no https, no user information, no
    /// fragment.
    pub fn allows_redirect(&self, redirect_uri: &str, public_url: &str) -> bool {
        if self.console {
            return redirect_uri.strip_prefix(public_url) == Some(CONSOLE_REDIRECT_PATH);
        }
        if redirect_uri == MODULE_REDIRECT_URI {
            return true;
        }
        let Some(rest) = redirect_uri.strip_prefix("http://") else {
            return false;
        };
        // No space or control character: the answer's Location header could not carry it.
        if redirect_uri.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return false;
        }
        if rest.contains('#') {
            return false;
        }
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.contains('@') {
            return false;
        }
        // The host, and what follows it (empty or `:port`).
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => match v6.find(']') {
                Some(end) => (&authority[..end + 2], &authority[end + 2..]),
                None => return false,
            },
            None => {
                let end = authority.find(':').unwrap_or(authority.len());
                (&authority[..end], &authority[end..])
            }
        };
        let port_ok = match port.strip_prefix(':') {
            None => port.is_empty(),
            Some(digits) => {
                !digits.is_empty()
                    && digits.len() <= 5
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && digits.parse::<u32>().is_ok_and(|p| p <= 65_535)
            }
        };
        let loopback =
            host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]";
        loopback && port_ok
    }

    /// The scheme, host and port of a registered redirect URI (the form's target in the `form_post` answer).
    pub fn origin_of(redirect_uri: &str) -> &str {
        let rest = redirect_uri
            .strip_prefix("http://")
            .or_else(|| redirect_uri.strip_prefix("https://"))
            .unwrap_or(redirect_uri);
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        &redirect_uri[..redirect_uri.len() - rest.len() + end]
    }
}

/// The scopes of a request, as a sorted set of names.
pub fn scope_names(scope: &str) -> Vec<String> {
    let mut names: Vec<String> = scope.split_whitespace().map(str::to_string).collect();
    names.sort();
    names.dedup();
    names
}

/// Whether every scope of `asked` was granted in `granted` (a refresh may narrow, never widen: RFC 6749 section 6).
pub fn scope_within(asked: &str, granted: &str) -> bool {
    let granted = scope_names(granted);
    scope_names(asked).iter().all(|name| granted.contains(name))
}

pub fn scope_has(scope: &str, name: &str) -> bool {
    scope.split_whitespace().any(|item| item == name)
}

/// The letters of user codes: consonants only, without those that look alike or read as others (no vowels, so no
/// words; no I, L, O, Q, S, Z beside digits or each other).
pub const USER_CODE_ALPHABET: &[u8; 16] = b"BCDFGHJKMNPRTVWX";
pub const USER_CODE_LETTERS: usize = 8;

/// A user code from eight random bytes, as people are shown it: `XXXX-XXXX`.
pub fn user_code_from(random: [u8; USER_CODE_LETTERS]) -> String {
    let letters: String = random
        .iter()
        .map(|b| USER_CODE_ALPHABET[usize::from(*b) % USER_CODE_ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// A user code as typed (any case, with or without the dash and spaces) in its stored form `XXXX-XXXX`; `None`
/// when it cannot be one.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = letters.len() == USER_CODE_LETTERS
        && letters.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    valid.then(|| format!("{}-{}", &letters[..4], &letters[4..]))
}

/// Where a device authorization stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceCodeStatus {
    Pending,
    Approved,
    Denied,
    /// Its tokens were issued: it answers nothing any more.
    Redeemed,
}

impl DeviceCodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceCodeStatus::Pending => "pending",
            DeviceCodeStatus::Approved => "approved",
            DeviceCodeStatus::Denied => "denied",
            DeviceCodeStatus::Redeemed => "redeemed",
        }
    }

    pub fn parse(text: &str) -> Option<DeviceCodeStatus> {
        Some(match text {
            "pending" => DeviceCodeStatus::Pending,
            "approved" => DeviceCodeStatus::Approved,
            "denied" => DeviceCodeStatus::Denied,
            "redeemed" => DeviceCodeStatus::Redeemed,
            _ => return None,
        })
    }
}

/// What a device's poll of the token endpoint gets (RFC 8628 section 3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollAnswer {
    /// The tokens: the person approved.
    Issue,
    AuthorizationPending,
    /// Polled sooner than its interval: the interval grows by [`SLOW_DOWN_STEP_SECONDS`].
    SlowDown,
    ExpiredToken,
    AccessDenied,
    /// Already redeemed: the device code is spent.
    Spent,
}

/// Judges a poll at `now` (seconds), given the code's state and the last poll it made.
pub fn judge_poll(
    status: DeviceCodeStatus,
    expires_at: i64,
    last_polled_at: Option<i64>,
    interval_seconds: i64,
    now: i64,
) -> PollAnswer {
    if status == DeviceCodeStatus::Redeemed {
        return PollAnswer::Spent;
    }
    if now >= expires_at {
        return PollAnswer::ExpiredToken;
    }
    match status {
        DeviceCodeStatus::Denied => PollAnswer::AccessDenied,
        DeviceCodeStatus::Approved => PollAnswer::Issue,
        _ if last_polled_at.is_some_and(|last| now - last < interval_seconds) => {
            PollAnswer::SlowDown
        }
        _ => PollAnswer::AuthorizationPending,
    }
}

/// The line Entra shows a person with a device code (and MSAL prints).
pub fn device_code_message(verification_uri: &str, user_code: &str) -> String {
    format!(
        "To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to \
         authenticate."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module() -> PublicClient {
        public_client(MSCOMMERCE_MODULE_CLIENT_ID).unwrap()
    }

    #[test]
    fn only_the_module_client_is_known_in_any_case() {
        assert!(public_client("3D5CFFA9-04DA-4657-8CAB-C7F074657CAD").is_some());
        assert!(public_client("00000000-0000-0000-0000-000000000000").is_none());
        assert!(public_client("").is_none());
    }

    #[test]
    fn loopback_redirects_with_any_port_and_path_are_registered() {
        let client = module();
        for uri in [
            "http://localhost/m365/commerce",
            "http://localhost",
            "http://localhost:8400",
            "http://localhost:8400/callback?x=1",
            "http://127.0.0.1:51234/",
            "http://127.0.0.1",
            "http://[::1]:9000/any/path",
            "http://[::1]",
        ] {
            assert!(client.allows_redirect(uri, PUBLIC_URL), "{uri}");
        }
    }

    #[test]
    fn other_redirects_are_refused() {
        let client = module();
        for uri in [
            "https://localhost/m365/commerce",
            "https://127.0.0.1:8400/",
            "http://evil.example/",
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.example:80/",
            "http://localhost@evil.example/",
            "http://user@localhost/",
            "http://127.0.0.2/",
            "http://localhost:99999/",
            "http://localhost:/",
            "http://localhost:80x/",
            "http://localhost/%01\u{1}",
            "http://localhost/a b",
            "http://localhost/\u{7f}",
            "http://localhost/#fragment",
            "http://[::2]/",
            "http://[::1",
            "localhost",
            "",
            "javascript:alert(1)",
        ] {
            assert!(!client.allows_redirect(uri, PUBLIC_URL), "{uri}");
        }
    }

    const PUBLIC_URL: &str = "https://commerce.contoso.example";

    #[test]
    fn the_console_answers_only_to_its_own_callback_and_never_to_a_device() {
        let console = public_client(CONSOLE_CLIENT_ID).unwrap();
        assert!(console.is_console() && !console.allows_device_code());
        assert!(module().allows_device_code() && !module().is_console());
        assert!(console.allows_redirect(
            "https://commerce.contoso.example/console/signin/callback",
            PUBLIC_URL
        ));
        for uri in [
            "http://localhost:8400/",
            "http://localhost/m365/commerce",
            "https://commerce.contoso.example/console/signin/callback?x=1",
            "https://commerce.contoso.example.evil.example/console/signin/callback",
            "https://evil.example/console/signin/callback",
            "https://commerce.contoso.example/console/other",
        ] {
            assert!(!console.allows_redirect(uri, PUBLIC_URL), "{uri}");
        }
    }

    #[test]
    fn the_origin_of_a_redirect_is_its_scheme_host_and_port() {
        assert_eq!(
            PublicClient::origin_of("https://commerce.contoso.example/console/signin/callback"),
            "https://commerce.contoso.example"
        );
        assert_eq!(
            PublicClient::origin_of("http://127.0.0.1:8400/cb?x=1"),
            "http://127.0.0.1:8400"
        );
        assert_eq!(
            PublicClient::origin_of("http://localhost"),
            "http://localhost"
        );
        assert_eq!(
            PublicClient::origin_of("http://[::1]:9/x"),
            "http://[::1]:9"
        );
    }

    #[test]
    fn a_refresh_may_narrow_the_scope_but_not_widen_it() {
        let granted = "openid offline_access aud/.default";
        assert!(scope_within("aud/.default", granted));
        assert!(scope_within("offline_access  aud/.default openid", granted));
        assert!(!scope_within("aud/.default other", granted));
        assert!(scope_has(granted, OPENID));
        assert!(!scope_has("openidx", OPENID));
    }

    #[test]
    fn user_codes_are_eight_letters_of_the_alphabet_matched_in_any_form() {
        let code = user_code_from([0, 1, 2, 3, 250, 251, 252, 255]);
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert!(code
            .bytes()
            .filter(|b| *b != b'-')
            .all(|b| USER_CODE_ALPHABET.contains(&b)));
        assert_eq!(normalize_user_code(&code).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalize_user_code(&code.to_lowercase().replace('-', "")).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(
            normalize_user_code("BCDF GHJK").as_deref(),
            Some("BCDF-GHJK")
        );
        assert_eq!(normalize_user_code("BCDF-GHJ"), None);
        assert_eq!(normalize_user_code("BCDF-GHJA"), None);
        assert_eq!(normalize_user_code(""), None);
    }

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for letter in b"AEIOUL0Q1SZ2" {
            assert!(!USER_CODE_ALPHABET.contains(letter));
        }
    }

    #[test]
    fn polls_follow_rfc_8628() {
        use DeviceCodeStatus::*;
        assert_eq!(
            judge_poll(Pending, 100, None, 5, 10),
            PollAnswer::AuthorizationPending
        );
        assert_eq!(
            judge_poll(Pending, 100, Some(8), 5, 10),
            PollAnswer::SlowDown
        );
        assert_eq!(
            judge_poll(Pending, 100, Some(5), 5, 10),
            PollAnswer::AuthorizationPending
        );
        assert_eq!(judge_poll(Approved, 100, Some(9), 5, 10), PollAnswer::Issue);
        assert_eq!(
            judge_poll(Denied, 100, None, 5, 10),
            PollAnswer::AccessDenied
        );
        assert_eq!(
            judge_poll(Pending, 100, None, 5, 100),
            PollAnswer::ExpiredToken
        );
        assert_eq!(
            judge_poll(Approved, 100, None, 5, 101),
            PollAnswer::ExpiredToken
        );
        assert_eq!(judge_poll(Redeemed, 100, None, 5, 10), PollAnswer::Spent);
        for status in [Pending, Approved, Denied, Redeemed] {
            assert_eq!(DeviceCodeStatus::parse(status.as_str()), Some(status));
        }
    }
}
