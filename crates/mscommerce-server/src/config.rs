//! Configuration: defaults, then a TOML file, then `MSCOMMERCE_*` environment variables; checked before anything
//! starts, with errors that name the setting.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret setting: never printed.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// "a, b or c", for the message that lists a setting's words.
fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A setting that takes one of a few words, spelled exactly. Read and written as its word; any other word is
/// refused with the words allowed (the loader adds the setting's name).
macro_rules! setting_words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    let words: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    serde::de::Error::custom(format!("'{text}' must be {}", one_of(&words)))
                })
            }
        }
    };
}

setting_words!(
    /// How logs are written.
    LogFormat {
        /// For people.
        Text = "text",
        /// One JSON object per line.
        Json = "json",
    }
);

setting_words!(
    /// How the connection to the SMTP server is protected.
    SmtpTls {
        /// Plain, then upgraded with STARTTLS (port 587).
        StartTls = "starttls",
        /// Implicit TLS (port 465).
        Tls = "tls",
        /// Plain (port 25): only for a relay on the same host or network.
        None = "none",
    }
);

impl SmtpTls {
    /// The port used when `smtp_port` is not set.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        }
    }
}

/// Every setting. The environment variable of a setting is `MSCOMMERCE_` and its name in capitals
/// (`database_url` -> `MSCOMMERCE_DATABASE_URL`). docs/OPERATIONS.md describes each.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on.
    pub listen: String,
    /// The URL clients use to reach the service; the token issuer. Defaults to `http://<listen>`, or
    /// `https://<listen>` with TLS.
    pub public_url: Option<String>,
    /// HTTPS: the certificate chain (PEM, the server's certificate first). With `tls_key_path`; reloaded when the
    /// files change. Without both, the service speaks plain HTTP.
    pub tls_cert_path: Option<PathBuf>,
    /// HTTPS: the certificate's private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC).
    pub tls_key_path: Option<PathBuf>,
    /// `sqlite://path/to/file.db`, or `postgres://user:password@host:5432/database` for several replicas.
    pub database_url: String,
    /// Apply missing migrations at start (otherwise `mscommerce migrate` must have run).
    pub migrate_on_start: bool,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// A tracing filter such as `info` or `mscommerce_api=debug,info`; `RUST_LOG` wins when set.
    pub log_level: String,
    pub request_timeout_seconds: u64,
    pub body_limit_bytes: usize,
    /// How long a request's head (request line and header fields) may take to arrive, from its first byte.
    pub header_read_timeout_seconds: u64,
    /// How long a connection may stay open without a request (before its first, or after its last answer).
    pub keep_alive_timeout_seconds: u64,
    /// Open connections at most (lowered to what the file-descriptor limit allows); at the limit the oldest idle
    /// connection is closed to make room for a new one.
    pub max_connections: usize,
    /// A proxy in front of the service appends the client's address to `X-Forwarded-For`: believe its last entry
    /// for the sign-in back-off. Off by default, because a client talking to the service directly can write the
    /// header itself.
    pub trust_forwarded_for: bool,
    /// Users may sign in with the password grant (scripts with `-Credential`). A tenant can choose otherwise
    /// (`mscommerce tenant set --password-grant on|off`); off, the token endpoint answers `unauthorized_client`.
    pub password_grant_enabled: bool,
    /// The `aud` of tokens this service issues and accepts.
    pub audience: String,
    /// A catalog file to use instead of the one built in.
    pub catalog_path: Option<PathBuf>,
    /// Name of the tenant created on an empty database.
    pub bootstrap_tenant_name: String,
    /// Sign-in name of the Global Administrator created on an empty database.
    pub bootstrap_admin_upn: String,
    /// Password of that administrator; generated and printed once when not set.
    pub bootstrap_admin_password: Option<Secret>,
    /// The sender of notification emails.
    pub mail_from: String,
    /// SMTP server for notification emails. Without it, emails are written as .eml files to `mail_folder`.
    pub smtp_host: Option<String>,
    /// Defaults to 465 with `tls`, 587 with `starttls`, 25 with `none`.
    pub smtp_port: Option<u16>,
    /// `starttls`, `tls` (implicit TLS) or `none` (plain; only for a relay on the same host or network).
    pub smtp_tls: SmtpTls,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    /// Where emails are written when no SMTP server is configured.
    pub mail_folder: PathBuf,
    /// How often the dispatcher looks for new emails when idle, in milliseconds.
    pub mail_poll_interval_ms: u64,
    /// First retry after a failed delivery, in seconds; doubled each time, up to `mail_retry_max_seconds`.
    pub mail_retry_base_seconds: u64,
    pub mail_retry_max_seconds: u64,
    /// How long an email a dispatcher claimed stays reserved to it. One claimed by a process that stopped in the
    /// middle is sent by another (or after a restart) once this has passed. Longer than a delivery can take (the
    /// SMTP timeout is 15 s).
    pub mail_lease_seconds: u64,
    /// How often the lifecycle round looks for subscriptions to renew, expire, disable or delete, in seconds.
    pub lifecycle_interval_seconds: u64,
    /// Days a subscription stays Expired (its users keep their licenses) before it is Disabled.
    pub lifecycle_expired_days: u32,
    /// Days a subscription stays Disabled (licenses gone, data kept) before it is Deleted.
    pub lifecycle_disabled_days: u32,
    /// The key that encrypts the signing keys in the database (32 bytes, base64). Without it (and without
    /// `signing_key_encryption_key_file`) a key file is used, generated on first start: see docs/OPERATIONS.md.
    pub signing_key_encryption_key: Option<Secret>,
    /// A file holding that key (base64, as `signing_key_encryption_key`).
    pub signing_key_encryption_key_file: Option<PathBuf>,
    /// How often the service reloads the signing keys from the database (rotations made elsewhere), in seconds.
    pub signing_key_reload_seconds: u64,
    /// How long a rotated key is published before it signs, in seconds: longer than the reload interval, so that
    /// every replica, and every client that caches the JWKS, has it before its first token.
    pub signing_key_propagation_seconds: u64,
    /// Seconds from a token's issue to its expiry.
    pub token_lifetime_seconds: u64,
    /// Clock skew tolerated on a token's `exp` and `nbf`, in seconds.
    pub token_leeway_seconds: u64,
    /// How long a browser sign-in's one-time authorization code can be redeemed, in seconds.
    pub authorization_code_lifetime_seconds: u64,
    /// How long a device code waits for a person to sign in on the verification page, in seconds.
    pub device_code_lifetime_seconds: u64,
    /// How long a refresh token lives unused, in days (each use answers a new one).
    pub refresh_token_lifetime_days: u64,
    /// How long answered license requests are kept, in days; the lifecycle round deletes them after.
    pub license_request_retention_days: u64,
    /// A PEM file of CA certificates trusted, besides the system's roots, when fetching trusted issuers'
    /// discovery documents and keys (an on-premises provider behind a private CA).
    pub federation_ca_file: Option<PathBuf>,
    /// The shortest time between two fetches of one trusted issuer's keys, in seconds: a token naming an unknown
    /// key makes the keys be fetched again, at most this often.
    pub federation_key_refetch_seconds: u64,
    /// Tenants whose policy values are held in memory, at most; the least recently read is dropped first.
    pub policy_cache_tenants: usize,
    /// Verified tokens held, at most (the built-in issuer's, and as many of trusted issuers').
    pub token_cache_entries: usize,
    /// Users (and as many apps, and partner relationships) whose current state is held, at most.
    pub directory_cache_entries: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            tls_cert_path: None,
            tls_key_path: None,
            database_url: "sqlite://data/mscommerce.db".into(),
            migrate_on_start: true,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            request_timeout_seconds: 30,
            body_limit_bytes: 64 * 1024,
            header_read_timeout_seconds: 10,
            keep_alive_timeout_seconds: 60,
            max_connections: 10_000,
            trust_forwarded_for: false,
            password_grant_enabled: true,
            audience: mscommerce_auth::DEFAULT_AUDIENCE.into(),
            catalog_path: None,
            bootstrap_tenant_name: "Contoso".into(),
            bootstrap_admin_upn: "admin@contoso.onmicrosoft.com".into(),
            bootstrap_admin_password: None,
            mail_from: "Microsoft 365 commerce <no-reply@mscommerce.local>".into(),
            smtp_host: None,
            smtp_port: None,
            smtp_tls: SmtpTls::StartTls,
            smtp_username: None,
            smtp_password: None,
            mail_folder: PathBuf::from("data/mail"),
            mail_poll_interval_ms: 1000,
            mail_retry_base_seconds: 5,
            mail_retry_max_seconds: 900,
            mail_lease_seconds: 120,
            lifecycle_interval_seconds: 60,
            lifecycle_expired_days: 30,
            lifecycle_disabled_days: 90,
            signing_key_encryption_key: None,
            signing_key_encryption_key_file: None,
            signing_key_reload_seconds: 30,
            signing_key_propagation_seconds: 600,
            token_lifetime_seconds: mscommerce_auth::TOKEN_LIFETIME_SECONDS as u64,
            token_leeway_seconds: mscommerce_auth::LEEWAY_SECONDS,
            authorization_code_lifetime_seconds:
                mscommerce_domain::grants::AUTHORIZATION_CODE_LIFETIME_SECONDS,
            device_code_lifetime_seconds: mscommerce_domain::grants::DEVICE_CODE_LIFETIME_SECONDS,
            refresh_token_lifetime_days: mscommerce_domain::grants::REFRESH_TOKEN_LIFETIME_DAYS,
            license_request_retention_days:
                mscommerce_domain::license_requests::LICENSE_REQUEST_RETENTION_DAYS,
            federation_ca_file: None,
            federation_key_refetch_seconds: 5,
            policy_cache_tenants: mscommerce_api::DEFAULT_CACHED_TENANTS,
            token_cache_entries: mscommerce_auth::DEFAULT_CACHED_TOKENS,
            directory_cache_entries: mscommerce_api::DEFAULT_CACHED_PRINCIPALS,
        }
    }
}

const ENV_PREFIX: &str = "MSCOMMERCE_";
/// A cache bound below a hundred entries would make every request of a small tenant's few users a miss; above
/// ten million it is no bound on this kind of machine.
const CACHE_BOUND_MIN: usize = 100;
const CACHE_BOUND_MAX: usize = 10_000_000;
/// Variables with our prefix that are not settings: the PowerShell module's, the test suite's, and those the admin
/// commands read themselves.
const FOREIGN_VARIABLES: [&str; 4] = ["URI", "BIN", "CONFIG", "NEW_USER_PASSWORD"];

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

fn setting_error(name: &str, problem: impl fmt::Display) -> ConfigError {
    ConfigError(format!(
        "{name} (environment {ENV_PREFIX}{}) {problem}",
        name.to_ascii_uppercase()
    ))
}

impl Settings {
    /// Loads defaults, then `file` (or `mscommerce.toml` when it exists), then the environment; then checks.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "the file {} does not exist",
                    path.display()
                )))
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("mscommerce.toml").exists() => {
                figment = figment.merge(Toml::file_exact("mscommerce.toml"))
            }
            None => {}
        }
        let known = Self::known_names();
        let env = Env::prefixed(ENV_PREFIX)
            .filter(move |key| known.iter().any(|k| key.as_str().eq_ignore_ascii_case(k)));
        let mut settings: Settings =
            figment
                .merge(env)
                .extract()
                .map_err(|e| match e.path.first() {
                    // Name the setting the way this program documents it, whichever source gave the bad value.
                    Some(key) => setting_error(
                        &key.to_ascii_lowercase(),
                        format!("is not valid: {}", e.kind),
                    ),
                    None => ConfigError(e.to_string()),
                })?;
        // An empty variable means "not set", as shells and container files tend to write it.
        if settings
            .bootstrap_admin_password
            .as_ref()
            .is_some_and(|Secret(p)| p.is_empty())
        {
            settings.bootstrap_admin_password = None;
        }
        if settings.public_url.as_deref() == Some("") {
            settings.public_url = None;
        }
        for path in [&mut settings.tls_cert_path, &mut settings.tls_key_path] {
            if path.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
                *path = None;
            }
        }
        if settings.smtp_host.as_deref() == Some("") {
            settings.smtp_host = None;
        }
        if settings
            .signing_key_encryption_key
            .as_ref()
            .is_some_and(|Secret(k)| k.is_empty())
        {
            settings.signing_key_encryption_key = None;
        }
        if settings
            .signing_key_encryption_key_file
            .as_ref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            settings.signing_key_encryption_key_file = None;
        }
        settings.check()?;
        Ok(settings)
    }

    fn known_names() -> Vec<String> {
        let value = serde_json::to_value(Settings::default()).expect("settings serialize");
        value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// `MSCOMMERCE_*` variables that match no setting: likely typos, reported as warnings at start.
    pub fn unknown_environment() -> Vec<String> {
        let known = Self::known_names();
        std::env::vars()
            .filter_map(|(key, _)| key.strip_prefix(ENV_PREFIX).map(str::to_string))
            .filter(|rest| {
                !known.iter().any(|k| k.eq_ignore_ascii_case(rest))
                    && !FOREIGN_VARIABLES.contains(&rest.as_str())
                    && !rest.starts_with("TEST_")
            })
            .map(|rest| format!("{ENV_PREFIX}{rest}"))
            .collect()
    }

    fn check(&self) -> Result<(), ConfigError> {
        self.listen_address()?;
        match (&self.tls_cert_path, &self.tls_key_path) {
            (Some(_), None) => {
                return Err(setting_error(
                    "tls_key_path",
                    "is needed with tls_cert_path: HTTPS takes the certificate and its private key",
                ))
            }
            (None, Some(_)) => {
                return Err(setting_error(
                    "tls_cert_path",
                    "is needed with tls_key_path: HTTPS takes the certificate and its private key",
                ))
            }
            _ => {}
        }
        if let Some(url) = &self.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(setting_error(
                    "public_url",
                    format!("'{url}' must start with http:// or https://"),
                ));
            }
        }
        let url = self.database_url.as_str();
        if !["sqlite:", "postgres:", "postgresql:"]
            .iter()
            .any(|scheme| url.starts_with(scheme))
        {
            return Err(setting_error(
                "database_url",
                format!(
                    "'{url}' is not supported: use sqlite://path/to/file.db or postgres://user@host:5432/database"
                ),
            ));
        }
        if !(1..=3600).contains(&self.request_timeout_seconds) {
            return Err(setting_error(
                "request_timeout_seconds",
                "must be from 1 to 3600",
            ));
        }
        if !(1024..=16 * 1024 * 1024).contains(&self.body_limit_bytes) {
            return Err(setting_error(
                "body_limit_bytes",
                "must be from 1024 to 16777216",
            ));
        }
        for (name, seconds) in [
            (
                "header_read_timeout_seconds",
                self.header_read_timeout_seconds,
            ),
            (
                "keep_alive_timeout_seconds",
                self.keep_alive_timeout_seconds,
            ),
        ] {
            if !(1..=3600).contains(&seconds) {
                return Err(setting_error(name, "must be from 1 to 3600"));
            }
        }
        if !(1..=1_000_000).contains(&self.max_connections) {
            return Err(setting_error(
                "max_connections",
                "must be from 1 to 1000000",
            ));
        }
        if self.audience.trim().is_empty() {
            return Err(setting_error("audience", "must not be empty"));
        }
        if mscommerce_domain::DomainName::of_upn(&self.bootstrap_admin_upn).is_none() {
            return Err(setting_error(
                "bootstrap_admin_upn",
                "must be a sign-in name such as admin@contoso.onmicrosoft.com, its domain a DNS name",
            ));
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(setting_error(
                "mail_from",
                format!(
                    "'{}' is not an address such as \"Commerce <no-reply@contoso.com>\"",
                    self.mail_from
                ),
            ));
        }
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Err(setting_error(
                "smtp_username",
                "and smtp_password go together: set both or neither",
            ));
        }
        if !(10..=3_600_000).contains(&self.mail_poll_interval_ms) {
            return Err(setting_error(
                "mail_poll_interval_ms",
                "must be from 10 to 3600000",
            ));
        }
        if self.mail_retry_base_seconds == 0
            || self.mail_retry_base_seconds > self.mail_retry_max_seconds
        {
            return Err(setting_error(
                "mail_retry_base_seconds",
                "must be at least 1 and at most mail_retry_max_seconds",
            ));
        }
        if !(16..=86_400).contains(&self.mail_lease_seconds) {
            return Err(setting_error(
                "mail_lease_seconds",
                "must be from 16 (longer than a delivery may take) to 86400",
            ));
        }
        if !(1..=86_400).contains(&self.lifecycle_interval_seconds) {
            return Err(setting_error(
                "lifecycle_interval_seconds",
                "must be from 1 to 86400",
            ));
        }
        if self.signing_key_encryption_key.is_some()
            && self.signing_key_encryption_key_file.is_some()
        {
            return Err(setting_error(
                "signing_key_encryption_key",
                "and signing_key_encryption_key_file exclude each other: set one of them, or neither",
            ));
        }
        if let Some(Secret(key)) = &self.signing_key_encryption_key {
            mscommerce_auth::KeyEncryptionKey::from_base64(key).map_err(|e| {
                setting_error("signing_key_encryption_key", format!("is not valid: {e}"))
            })?;
        }
        if !(1..=3600).contains(&self.signing_key_reload_seconds) {
            return Err(setting_error(
                "signing_key_reload_seconds",
                "must be from 1 to 3600",
            ));
        }
        if self.signing_key_propagation_seconds <= self.signing_key_reload_seconds
            || self.signing_key_propagation_seconds > 7 * 86_400
        {
            return Err(setting_error(
                "signing_key_propagation_seconds",
                "must be more than signing_key_reload_seconds (every replica must load a key before it signs) \
                 and at most 604800",
            ));
        }
        if !(1..=86_400).contains(&self.token_lifetime_seconds) {
            return Err(setting_error(
                "token_lifetime_seconds",
                "must be from 1 to 86400",
            ));
        }
        if !(1..=600).contains(&self.authorization_code_lifetime_seconds) {
            return Err(setting_error(
                "authorization_code_lifetime_seconds",
                "must be from 1 to 600 (a code is redeemed at once; RFC 6749 advises at most 10 minutes)",
            ));
        }
        if !(1..=3600).contains(&self.device_code_lifetime_seconds) {
            return Err(setting_error(
                "device_code_lifetime_seconds",
                "must be from 1 to 3600",
            ));
        }
        if !(1..=365).contains(&self.refresh_token_lifetime_days) {
            return Err(setting_error(
                "refresh_token_lifetime_days",
                "must be from 1 to 365",
            ));
        }
        if !(1..=3650).contains(&self.license_request_retention_days) {
            return Err(setting_error(
                "license_request_retention_days",
                "must be from 1 to 3650",
            ));
        }
        if !(1..=3600).contains(&self.federation_key_refetch_seconds) {
            return Err(setting_error(
                "federation_key_refetch_seconds",
                "must be from 1 to 3600",
            ));
        }
        for (name, bound) in [
            ("policy_cache_tenants", self.policy_cache_tenants),
            ("token_cache_entries", self.token_cache_entries),
            ("directory_cache_entries", self.directory_cache_entries),
        ] {
            if !(CACHE_BOUND_MIN..=CACHE_BOUND_MAX).contains(&bound) {
                return Err(setting_error(
                    name,
                    format!("must be from {CACHE_BOUND_MIN} to {CACHE_BOUND_MAX}"),
                ));
            }
        }
        if self.token_leeway_seconds > 600 {
            return Err(setting_error(
                "token_leeway_seconds",
                "must be from 0 to 600",
            ));
        }
        for (name, days) in [
            ("lifecycle_expired_days", self.lifecycle_expired_days),
            ("lifecycle_disabled_days", self.lifecycle_disabled_days),
        ] {
            if days > 3650 {
                return Err(setting_error(name, "must be from 0 to 3650"));
            }
        }
        Ok(())
    }

    /// How long after a key stops signing a token it signed may still be accepted: the token lifetime and the
    /// leeway.
    pub fn token_retention_seconds(&self) -> i64 {
        (self.token_lifetime_seconds + self.token_leeway_seconds) as i64
    }

    pub fn listen_address(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| {
            setting_error(
                "listen",
                format!("'{}' is not an address such as 127.0.0.1:8080", self.listen),
            )
        })
    }

    /// The public URL: as set, or derived from the address the service listens on.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None if self.tls_files().is_some() => format!("https://{bound}"),
            None => format!("http://{bound}"),
        }
    }

    /// The certificate and key, when HTTPS is configured.
    pub fn tls_files(&self) -> Option<crate::tls::TlsFiles> {
        match (&self.tls_cert_path, &self.tls_key_path) {
            (Some(cert_path), Some(key_path)) => Some(crate::tls::TlsFiles {
                cert_path: cert_path.clone(),
                key_path: key_path.clone(),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_their_own_checks() {
        Settings::default().check().unwrap();
    }

    #[test]
    fn errors_name_the_setting() {
        let mut bad = Settings {
            listen: "localhost".into(),
            ..Settings::default()
        };
        let err = bad.check().unwrap_err().to_string();
        assert!(
            err.contains("listen (environment MSCOMMERCE_LISTEN)"),
            "{err}"
        );
        bad.listen = "127.0.0.1:0".into();
        bad.database_url = "mysql://x".into();
        let err = bad.check().unwrap_err().to_string();
        assert!(
            err.contains("database_url") && err.contains("sqlite://"),
            "{err}"
        );
        for accepted in [
            "sqlite://data/mscommerce.db",
            "postgres://mscommerce@db:5432/mscommerce",
            "postgresql://mscommerce:secret@db/mscommerce?sslmode=verify-full",
        ] {
            bad.database_url = accepted.into();
            bad.check().unwrap_or_else(|e| panic!("{accepted}: {e}"));
        }
    }

    #[test]
    fn lease_and_lifecycle_settings_are_bounded() {
        let refused = |settings: Settings, name: &str| {
            let err = settings.check().unwrap_err().to_string();
            assert!(err.starts_with(&format!("configuration: {name} ")), "{err}");
        };
        refused(
            Settings {
                mail_lease_seconds: 15,
                ..Settings::default()
            },
            "mail_lease_seconds",
        );
        refused(
            Settings {
                lifecycle_interval_seconds: 0,
                ..Settings::default()
            },
            "lifecycle_interval_seconds",
        );
        refused(
            Settings {
                lifecycle_disabled_days: 3651,
                ..Settings::default()
            },
            "lifecycle_disabled_days",
        );
        Settings {
            mail_lease_seconds: 16,
            lifecycle_interval_seconds: 1,
            lifecycle_expired_days: 0,
            lifecycle_disabled_days: 3650,
            ..Settings::default()
        }
        .check()
        .unwrap();
    }

    #[test]
    fn cache_bounds_are_bounded() {
        for (settings, name) in [
            (
                Settings {
                    policy_cache_tenants: 99,
                    ..Settings::default()
                },
                "policy_cache_tenants",
            ),
            (
                Settings {
                    token_cache_entries: 10_000_001,
                    ..Settings::default()
                },
                "token_cache_entries",
            ),
            (
                Settings {
                    directory_cache_entries: 0,
                    ..Settings::default()
                },
                "directory_cache_entries",
            ),
        ] {
            let err = settings.check().unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "configuration: {name} (environment MSCOMMERCE_{}) must be from 100 to 10000000",
                    name.to_ascii_uppercase()
                )
            );
        }
        Settings {
            policy_cache_tenants: 100,
            token_cache_entries: 10_000_000,
            directory_cache_entries: 1_000_000,
            ..Settings::default()
        }
        .check()
        .unwrap();
    }

    #[test]
    fn word_settings_name_the_setting_and_the_words() {
        let load = |name: &str, value: &str| {
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(Serialized::default(name, value))
                .extract::<Settings>()
                .map_err(Box::new)
        };
        let err = load("log_format", "xml").unwrap_err();
        assert_eq!(err.path, ["log_format"]);
        assert!(
            err.kind.to_string().contains("'xml' must be text or json"),
            "{err}"
        );
        let err = load("smtp_tls", "STARTTLS").unwrap_err();
        assert!(
            err.kind
                .to_string()
                .contains("'STARTTLS' must be starttls, tls or none"),
            "{err}"
        );
        let settings = load("smtp_tls", "tls").unwrap();
        assert_eq!(settings.smtp_tls, SmtpTls::Tls);
        assert_eq!(settings.smtp_tls.default_port(), 465);
        assert_eq!(
            load("log_format", "json").unwrap().log_format,
            LogFormat::Json
        );
        assert_eq!(
            serde_json::to_value(Settings::default()).unwrap()["smtp_tls"],
            "starttls"
        );
    }

    #[test]
    fn the_password_never_prints() {
        let settings = Settings {
            bootstrap_admin_password: Some(Secret("hunter2hunter2".into())),
            signing_key_encryption_key: Some(Secret("AAAAkekAAAA".into())),
            ..Settings::default()
        };
        let printed = format!("{settings:?}");
        assert!(
            !printed.contains("hunter2") && !printed.contains("kek"),
            "{printed}"
        );
    }

    #[test]
    fn key_settings_are_checked() {
        let refused = |settings: Settings, name: &str| {
            let err = settings.check().unwrap_err().to_string();
            assert!(err.starts_with(&format!("configuration: {name} ")), "{err}");
            err
        };
        let err = refused(
            Settings {
                signing_key_encryption_key: Some(Secret("c2hvcnQ=".into())),
                ..Settings::default()
            },
            "signing_key_encryption_key",
        );
        assert!(err.contains("32 random bytes in base64"), "{err}");
        refused(
            Settings {
                signing_key_encryption_key: Some(Secret("A".repeat(43) + "=")),
                signing_key_encryption_key_file: Some("kek".into()),
                ..Settings::default()
            },
            "signing_key_encryption_key",
        );
        refused(
            Settings {
                signing_key_reload_seconds: 30,
                signing_key_propagation_seconds: 30,
                ..Settings::default()
            },
            "signing_key_propagation_seconds",
        );
        refused(
            Settings {
                token_lifetime_seconds: 0,
                ..Settings::default()
            },
            "token_lifetime_seconds",
        );
        Settings {
            signing_key_encryption_key: Some(Secret("A".repeat(43) + "=")),
            signing_key_reload_seconds: 1,
            signing_key_propagation_seconds: 2,
            token_lifetime_seconds: 1,
            token_leeway_seconds: 0,
            ..Settings::default()
        }
        .check()
        .unwrap();
        assert_eq!(Settings::default().token_retention_seconds(), 3660);
    }
}
